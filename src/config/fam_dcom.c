/* DCOM (artifacts.md 2.8): EnableDCOM, machine-wide restrictions (binary
 * security descriptors decoded to SDDL, and their policy SDDL), hardening
 * values, the RPC dynamic port range. */
#include "config.h"

#include <stdlib.h>

#include "cfg_internal.h"

#define OLE "Microsoft\\Ole"

static const struct {
	const char *value, *name;
} sds[] = {
	{ "MachineLaunchRestriction", "dcom.machine_launch_restriction" },
	{ "MachineAccessRestriction", "dcom.machine_access_restriction" },
	{ "DefaultLaunchPermission", "dcom.default_launch_permission" },
	{ "DefaultAccessPermission", "dcom.default_access_permission" },
};

#define RAW_HEX_MAX 4096

static int sd_value(cfg_ctx *c, rt_key *k, const char *path, const char *vname, const char *name)
{
	uint8_t *d = NULL;
	size_t n = 0, i;
	rt_buf sddl = RT_BUF_INIT, json = RT_BUF_INIT, hex = RT_BUF_INIT;
	int rc = rt_key_get_binary(k, vname, &d, &n, NULL);

	if (rc != 1)
		return rc;
	for (i = 0; i < n && i < RAW_HEX_MAX; i++)
		rt_buf_addf(&hex, "%02x", d[i]);
	if (rt_sd_to_sddl(d, n, &sddl) == 0) {
		rt_json_cstr(&json, sddl.buf);
	} else {
		rt_diag_warn(c->diag, c->file, "'%s\\%s' is not a valid security descriptor", path, vname);
		rt_buf_adds(&json, "null");
	}
	rc = cfg_emit(c, name, json.buf, hex.buf, path, vname, rt_key_last_written(k), 0) ? -1 : 1;
	rt_buf_release(&sddl);
	rt_buf_release(&json);
	rt_buf_release(&hex);
	free(d);
	return rc;
}

int cfg_fam_dcom(cfg_ctx *c)
{
	char path[512];
	rt_key *k;
	uint64_t lw = 0;
	size_t i;

	if ((k = cfg_open(c, OLE, path))) {
		lw = rt_key_last_written(k);
		cfg_emit_yn(c, k, path, "EnableDCOM", "dcom.enabled");
		cfg_emit_yn(c, k, path, "EnableRemoteConnect", "dcom.remote_connect");
		cfg_emit_int(c, k, path, "LegacyAuthenticationLevel", "dcom.legacy_authentication_level");
		cfg_emit_int(c, k, path, "LegacyImpersonationLevel", "dcom.legacy_impersonation_level");
		for (i = 0; i < sizeof(sds) / sizeof(sds[0]); i++)
			sd_value(c, k, path, sds[i].value, sds[i].name);
		rt_key_free(&k);
		cfg_emit_default(c, "dcom.enabled", "true", path, "EnableDCOM", lw);
	}
	if ((k = cfg_open(c, OLE "\\AppCompat", path))) {
		cfg_emit_int(c, k, path, "RequireIntegrityActivationAuthenticationLevel",
			     "dcom.hardening.require_integrity_activation_authentication_level");
		cfg_emit_int(c, k, path, "RaiseActivationAuthenticationLevel",
			     "dcom.hardening.raise_activation_authentication_level");
		rt_key_free(&k);
	}
	if ((k = cfg_open(c, "Policies\\Microsoft\\Windows NT\\DCOM", path))) {
		cfg_emit_str(c, k, path, "MachineLaunchRestriction", "dcom.policy.machine_launch_restriction");
		cfg_emit_str(c, k, path, "MachineAccessRestriction", "dcom.policy.machine_access_restriction");
		rt_key_free(&k);
	}
	if ((k = cfg_open(c, "Microsoft\\Rpc\\Internet", path))) {
		cfg_emit_multi(c, k, path, "Ports", "rpc.internet.ports");
		cfg_emit_yn(c, k, path, "PortsInternetAvailable", "rpc.internet.ports_internet_available");
		cfg_emit_yn(c, k, path, "UseInternetPorts", "rpc.internet.use_internet_ports");
		rt_key_free(&k);
	}
	return c->oom ? -1 : 0;
}
