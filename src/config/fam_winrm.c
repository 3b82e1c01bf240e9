/* WinRM: local WSMAN configuration (artifacts.md 2.4) and its Group Policy
 * (2.5). Listener keys are named "<Address>+<Transport>"; a listener
 * without a Port value listens on the transport's default port. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_internal.h"

#define WSMAN "Microsoft\\Windows\\CurrentVersion\\WSMAN"
#define WINRM_POLICY "Policies\\Microsoft\\Windows\\WinRM"
#define MAX_SUBKEYS 4096

static void lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* Every value of a key as <prefix><lower-case value name>: DWORDs as
 * numbers, strings as strings (WSMAN value names are not documented;
 * keeping all of them loses nothing). */
static int all_values(cfg_ctx *c, const char *keypath, const char *prefix)
{
	char path[512];
	rt_key *k = cfg_open(c, keypath, path);
	int i, n, rc = 0;

	if (!k)
		return 0;
	n = rt_key_value_count(k);
	if (n > MAX_SUBKEYS)
		n = MAX_SUBKEYS;
	for (i = 0; i < n && !rc; i++) {
		rt_value *v = NULL;
		rt_buf name = RT_BUF_INIT;

		if (rt_key_value_at(k, i, &v) != 1)
			continue;
		rt_buf_addf(&name, "%s%s", prefix, v->name);
		lower(name.buf);
		if (v->type == RT_REG_DWORD)
			rc = cfg_emit_int(c, k, path, v->name, name.buf) < 0 && c->oom;
		else if (v->type == RT_REG_SZ || v->type == RT_REG_EXPAND_SZ)
			rc = cfg_emit_str(c, k, path, v->name, name.buf) < 0 && c->oom;
		rt_buf_release(&name);
		rt_value_free(&v);
	}
	rt_key_free(&k);
	return rc ? -1 : 0;
}

static int listener(cfg_ctx *c, rt_key *k, const char *path)
{
	const char *name = rt_key_name(k);
	const char *plus = strrchr(name, '+');
	int https = plus && rt_strcaseeq(plus + 1, "HTTPS");
	uint32_t port, en;
	int disabled = 0;
	char *s = NULL;
	rt_buf obj = RT_BUF_INIT, n = RT_BUF_INIT, t = RT_BUF_INIT;
	int have_port = rt_key_get_dword(k, "Port", &port) == 1, rc;

	cfg_obj_begin(&obj);
	rt_buf_addf(&t, "%u", have_port ? (unsigned)port : https ? 5986u : 5985u);
	cfg_obj_raw(&obj, "port", t.buf);
	cfg_obj_raw(&obj, "port_default", have_port ? "false" : "true");
	rt_buf_reset(&t);
	rt_buf_add(&t, name, plus ? (size_t)(plus - name) : strlen(name));
	cfg_obj_str(&obj, "address", t.buf);
	cfg_obj_str(&obj, "transport", plus ? plus + 1 : NULL);
	if (rt_key_get_dword(k, "enabled", &en) == 1) {
		disabled = !en;
		cfg_obj_raw(&obj, "enabled", en ? "true" : "false");
	} else if (rt_key_get_string(k, "enabled", &s) == 1) {
		disabled = rt_strcaseeq(s, "false") || !strcmp(s, "0");
		cfg_obj_raw(&obj, "enabled", disabled ? "false" : "true");
		free(s);
	} else
		cfg_obj_raw(&obj, "enabled", "null");
	s = NULL;
	rt_key_get_string(k, "hostname", &s);
	cfg_obj_str(&obj, "hostname", s && *s ? s : NULL);
	free(s);
	s = NULL;
	rt_key_get_string(k, "certThumbprint", &s);
	cfg_obj_str(&obj, "cert_thumbprint", s && *s ? s : NULL);
	free(s);
	s = NULL;
	rt_key_get_string(k, "uriprefix", &s);
	cfg_obj_str(&obj, "uriprefix", s);
	free(s);
	cfg_obj_end(&obj);
	rt_buf_addf(&n, "winrm.listener.%s", name);
	rc = cfg_emit(c, n.buf, obj.buf, NULL, path, NULL, rt_key_last_written(k), 0);
	rt_buf_reset(&t);
	rt_buf_addf(&t, "%u", have_port ? (unsigned)port : https ? 5986u : 5985u);
	if (!rc)
		rc = cfg_set_text(c, disabled ? "disabled" : t.buf);
	rt_buf_release(&obj);
	rt_buf_release(&n);
	rt_buf_release(&t);
	return rc;
}

/* Plugins: enabled flag and the security descriptor of ConfigXML, where
 * Disable-PSRemoting leaves its network-deny ACE. */
static int plugin(cfg_ctx *c, rt_key *k, const char *path)
{
	char *xml = NULL;
	const char *p, *e;
	rt_buf obj = RT_BUF_INIT, n = RT_BUF_INIT, sd = RT_BUF_INIT;
	int rc;

	if (rt_key_get_string(k, "ConfigXML", &xml) != 1)
		return 0;
	cfg_obj_begin(&obj);
	if ((p = rt_strcasestr(xml, "Sddl=\"")) && (e = strchr(p + 6, '"')))
		rt_buf_add(&sd, p + 6, (size_t)(e - p - 6));
	cfg_obj_str(&obj, "sddl", sd.len ? sd.buf : NULL);
	p = rt_strcasestr(xml, "Enabled=\"");
	cfg_obj_raw(&obj, "enabled",
		    p ? (rt_strncaseeq(p + 9, "true", 4) ? "true" : "false") : "null");
	cfg_obj_raw(&obj, "network_deny",
		    sd.len && (strstr(sd.buf, ";;;NU)") && strstr(sd.buf, "(D;")) ? "true" : "false");
	cfg_obj_end(&obj);
	rt_buf_addf(&n, "winrm.plugin.%s", rt_key_name(k));
	rc = cfg_emit(c, n.buf, obj.buf, NULL, path, "ConfigXML", rt_key_last_written(k), 0);
	rt_buf_release(&obj);
	rt_buf_release(&n);
	rt_buf_release(&sd);
	free(xml);
	return rc;
}

int cfg_fam_winrm(cfg_ctx *c)
{
	char path[512];
	rt_key *k = cfg_open(c, WSMAN, path);

	if (!k)
		return 0;
	cfg_emit_str(c, k, path, "StackVersion", "winrm.stack_version");
	rt_key_free(&k);
	if (cfg_each_subkey(c, WSMAN "\\Listener", listener) || cfg_each_subkey(c, WSMAN "\\Plugin", plugin) ||
	    all_values(c, WSMAN "\\Service", "winrm.service.") ||
	    all_values(c, WSMAN "\\Client", "winrm.client."))
		return -1;
	return c->oom ? -1 : 0;
}

static const struct {
	const char *key, *value, *name;
	int kind; /* 0 bool, 1 string, 2 int */
} policy[] = {
	{ "Service", "AllowAutoConfig", "winrm.policy.service.allow_auto_config", 0 },
	{ "Service", "IPv4Filter", "winrm.policy.service.ipv4_filter", 1 },
	{ "Service", "IPv6Filter", "winrm.policy.service.ipv6_filter", 1 },
	{ "Service", "AllowBasic", "winrm.policy.service.allow_basic", 0 },
	{ "Service", "AllowUnencryptedTraffic", "winrm.policy.service.allow_unencrypted", 0 },
	{ "Service", "DisableRunAs", "winrm.policy.service.disable_run_as", 0 },
	{ "Service", "AllowCredSSP", "winrm.policy.service.allow_credssp", 0 },
	{ "Service", "AllowNegotiate", "winrm.policy.service.allow_negotiate", 0 },
	{ "Service", "AllowKerberos", "winrm.policy.service.allow_kerberos", 0 },
	{ "Service", "CBTHardeningLevelStatus", "winrm.policy.service.cbt_hardening_level_status", 2 },
	{ "Service", "CbtHardeningLevel", "winrm.policy.service.cbt_hardening_level", 1 },
	{ "Service", "HttpCompatibilityListener", "winrm.policy.service.http_compatibility_listener", 0 },
	{ "Service", "HttpsCompatibilityListener", "winrm.policy.service.https_compatibility_listener", 0 },
	{ "Service\\WinRS", "AllowRemoteShellAccess", "winrm.policy.service.winrs.allow_remote_shell_access", 0 },
	{ "Client", "AllowBasic", "winrm.policy.client.allow_basic", 0 },
	{ "Client", "AllowDigest", "winrm.policy.client.allow_digest", 0 },
	{ "Client", "AllowUnencryptedTraffic", "winrm.policy.client.allow_unencrypted", 0 },
	{ "Client", "AllowCredSSP", "winrm.policy.client.allow_credssp", 0 },
	{ "Client", "AllowNegotiate", "winrm.policy.client.allow_negotiate", 0 },
	{ "Client", "TrustedHostsList", "winrm.policy.client.trusted_hosts", 1 },
	{ "Client", "TrustedHosts", "winrm.policy.client.trusted_hosts_enabled", 0 },
};

int cfg_fam_winrm_policy(cfg_ctx *c)
{
	size_t i;

	for (i = 0; i < sizeof(policy) / sizeof(policy[0]); i++) {
		char path[512];
		rt_buf kp = RT_BUF_INIT;
		rt_key *k;

		rt_buf_addf(&kp, WINRM_POLICY "\\%s", policy[i].key);
		k = cfg_open(c, kp.buf, path);
		rt_buf_release(&kp);
		if (!k)
			continue;
		if (policy[i].kind == 0)
			cfg_emit_bool(c, k, path, policy[i].value, policy[i].name);
		else if (policy[i].kind == 1)
			cfg_emit_str(c, k, path, policy[i].value, policy[i].name);
		else
			cfg_emit_int(c, k, path, policy[i].value, policy[i].name);
		rt_key_free(&k);
	}
	return c->oom ? -1 : 0;
}
