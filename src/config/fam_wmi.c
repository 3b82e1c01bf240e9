/* WMI (artifacts.md 2.2, 2.9): the fixed DCOM endpoint of the WMI AppID
 * (written by `winmgmt /standalonehost`), the standalone svchost group and
 * its authentication level, and the Autorecover MOF list. */
#include "config.h"

#include "cfg_internal.h"

#define WMI_APPID "Classes\\AppID\\{8BC3F05E-D86B-11D0-A075-00C04FB68820}"
#define SVCHOST "Microsoft\\Windows NT\\CurrentVersion\\SvcHost"

int cfg_fam_wmi(cfg_ctx *c)
{
	char path[512];
	rt_key *k;

	if ((k = cfg_open(c, WMI_APPID, path))) {
		cfg_emit_multi(c, k, path, "EndPoints", "wmi.fixed_endpoint");
		rt_key_free(&k);
	}
	if ((k = cfg_open(c, SVCHOST, path))) {
		cfg_emit_multi(c, k, path, "winmgmt", "wmi.svchost_group");
		rt_key_free(&k);
	}
	if ((k = cfg_open(c, SVCHOST "\\winmgmt", path))) {
		cfg_emit_int(c, k, path, "AuthenticationLevel", "wmi.standalone_authentication_level");
		rt_key_free(&k);
	}
	if ((k = cfg_open(c, "Microsoft\\Wbem\\CIMOM", path))) {
		cfg_emit_multi(c, k, path, "Autorecover MOFs", "wmi.autorecover_mofs");
		rt_key_free(&k);
	}
	return c->oom ? -1 : 0;
}
