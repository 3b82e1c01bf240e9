/* config: every setting family on hives built at test time, exposure
 * verdicts, histories over RegBack copies and log replay, damaged input,
 * and the `remtrail config` command. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evtx_events.h"
#include "hive_writer.h"
#include "remtrail/config.h"
#include "testutil.h"

#define T0 132223104000000000ULL /* 2020-01-01 */
#define DAY 864000000000ULL
#define CCS "ControlSet001"
#define FWL CCS "\\Services\\SharedAccess\\Parameters\\FirewallPolicy"

static char *dir;

static void setup(void)
{
	dir = tu_tmpdir();
}

static void teardown(void)
{
	tu_rmtree(dir);
	free(dir);
}

static hw_hive *system_hive(uint64_t t)
{
	hw_hive *h = hw_new();

	hw_set_file_name(h, "SYSTEM");
	hw_set_time(h, t);
	hw_system_skeleton(h);
	hw_sz(h, CCS "\\Control\\ComputerName\\ComputerName", "ComputerName", "WS01");
	return h;
}

static hw_hive *software_hive(uint64_t t)
{
	hw_hive *h = hw_new();

	hw_set_file_name(h, "SOFTWARE");
	hw_set_time(h, t);
	hw_sz(h, "Microsoft\\Windows NT\\CurrentVersion", "ProductName", "Windows 10 Pro");
	return h;
}

static char *write_hive(hw_hive *h, const char *name)
{
	char *p;
	uint8_t *img;
	size_t n;

	ck_assert_int_eq(hw_build(h, &img, &n), 0);
	p = tu_write_file(dir, name, img, n);
	free(img);
	hw_free(h);
	return p;
}

static rt_config *load(const char *const *paths, size_t n, rt_diag *d)
{
	rt_cfg_input in[8];
	rt_config *c = NULL;
	size_t i;

	memset(in, 0, sizeof(in));
	for (i = 0; i < n; i++) {
		in[i].host = "WS01";
		in[i].path = paths[i];
		in[i].is_backup = strstr(paths[i], "RegBack") != NULL;
	}
	ck_assert_int_eq(rt_config_load(in, n, &c, d), 0);
	ck_assert_ptr_nonnull(c);
	return c;
}

/* The value of the newest non-bounded point of `name`, or NULL. */
static const char *val(const rt_config *c, const char *name)
{
	const rt_cfg_setting *s;
	size_t i;

	ck_assert_uint_ge(c->nhosts, 1);
	if (!(s = rt_cfg_find(&c->hosts[0], name)))
		return NULL;
	for (i = s->npoints; i-- > 0;)
		if (s->points[i].certainty != RT_CFG_BOUNDED)
			return s->points[i].value;
	return NULL;
}

static const rt_cfg_reach *reach(const rt_config *c, int prof, rt_exp_target t)
{
	const rt_cfg_host *h = &c->hosts[0];

	ck_assert_uint_ge(h->nexposures, 1);
	return &h->exposures[h->nexposures - 1].reach[prof][t];
}

START_TEST(services_and_standalone)
{
	hw_hive *h = system_hive(T0);
	char *p;
	rt_config *c;
	const rt_cfg_setting *s;

	hw_dword(h, CCS "\\Services\\WinRM", "Start", 2);
	hw_dword(h, CCS "\\Services\\WinRM", "DelayedAutostart", 1);
	hw_dword(h, CCS "\\Services\\Winmgmt", "Start", 2);
	hw_expand_sz(h, CCS "\\Services\\Winmgmt", "ImagePath", "%systemroot%\\system32\\svchost.exe -k winmgmt");
	hw_dword(h, CCS "\\Services\\RpcSs", "Start", 2);
	hw_dword(h, CCS "\\Services\\DcomLaunch", "Start", 2);
	hw_dword(h, CCS "\\Services\\MpsSvc", "Start", 4);
	hw_dword(h, CCS "\\Services\\RemoteRegistry", "Start", 3);
	hw_key(h, CCS "\\Services\\WinRM", T0 - DAY);
	p = write_hive(h, "SYSTEM");
	c = load((const char *const *)&p, 1, NULL);
	ck_assert_str_eq(c->hosts[0].name, "WS01");
	ck_assert_str_eq(val(c, "service.winrm.start"), "\"auto-delayed\"");
	ck_assert_str_eq(val(c, "service.winmgmt.standalone"), "true");
	ck_assert_str_eq(val(c, "service.mpssvc.start"), "\"disabled\"");
	ck_assert_str_eq(val(c, "service.remoteregistry.start"), "\"manual\"");
	s = rt_cfg_find(&c->hosts[0], "service.winrm.start");
	/* bounded-by-lastwrite (key time) first, then observed at hive time */
	ck_assert_uint_eq(s->npoints, 2);
	ck_assert_int_eq(s->points[0].certainty, RT_CFG_BOUNDED);
	ck_assert_uint_eq(s->points[0].time, T0 - DAY);
	ck_assert_int_eq(s->points[1].certainty, RT_CFG_OBSERVED);
	ck_assert_str_eq(s->points[1].source.key, "ControlSet001\\Services\\WinRM");
	ck_assert_str_eq(s->points[1].source.value_name, "Start");
	ck_assert_str_eq(s->points[1].raw, "0x2 (2), DelayedAutostart=1");
	/* MpsSvc disabled: no firewall enforcement */
	ck_assert_int_eq(reach(c, RT_EXP_DOMAIN, RT_EXP_WINRM)->verdict, RT_EXP_FIREWALL_OFF);
	rt_config_free(&c);
	ck_assert_ptr_null(c);
	free(p);
}
END_TEST

static char *firewall_system(void)
{
	hw_hive *h = system_hive(T0);

	hw_dword(h, CCS "\\Services\\WinRM", "Start", 2);
	hw_dword(h, FWL "\\DomainProfile", "EnableFirewall", 0);
	hw_dword(h, FWL "\\StandardProfile", "EnableFirewall", 1);
	hw_dword(h, FWL "\\StandardProfile", "DefaultInboundAction", 1);
	hw_dword(h, FWL "\\PublicProfile", "EnableFirewall", 1);
	hw_sz(h, FWL "\\FirewallRules", "WINRM-HTTP-In-TCP",
	      "v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|Profile=Domain|Profile=Private|LPort=5985|"
	      "App=System|Name=@FirewallAPI.dll,-35001|");
	hw_sz(h, FWL "\\FirewallRules", "WINRM-HTTP-In-TCP-PUBLIC",
	      "v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|Profile=Public|LPort=5985|RA4=LocalSubnet|"
	      "App=System|Name=@FirewallAPI.dll,-35001|");
	hw_sz(h, FWL "\\FirewallRules", "WMI-RPCSS-In-TCP",
	      "v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=RPC-EPMap|"
	      "App=%SystemRoot%\\system32\\svchost.exe|Svc=RPCSS|Name=WMI|");
	hw_sz(h, FWL "\\FirewallRules", "WMI-WINMGMT-In-TCP",
	      "v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=RPC|RA4=10.1.0.0/16|"
	      "App=%SystemRoot%\\system32\\svchost.exe|Svc=winmgmt|Name=WMI|");
	hw_sz(h, FWL "\\FirewallRules", "Block-135-Public",
	      "v2.10|Action=Block|Active=TRUE|Dir=In|Protocol=6|Profile=Public|LPort=135|Name=no epmap|");
	return write_hive(h, "SYSTEM");
}

START_TEST(firewall_local_and_exposure)
{
	char *p = firewall_system();
	rt_config *c = load((const char *const *)&p, 1, NULL);
	const rt_cfg_reach *r;
	cJSON *o;

	ck_assert_str_eq(val(c, "firewall.profile.domain.enabled"), "false");
	ck_assert_str_eq(val(c, "firewall.profile.private.default_inbound"), "\"block\"");
	/* absent DefaultInboundAction: Windows default, marked as such */
	ck_assert_str_eq(val(c, "firewall.profile.public.default_inbound"), "\"block\"");
	ck_assert_int_eq(rt_cfg_find(&c->hosts[0], "firewall.profile.public.default_inbound")->points[0].certainty,
			 RT_CFG_DEFAULT);
	o = cJSON_Parse(val(c, "firewall.rule.WINRM-HTTP-In-TCP-PUBLIC"));
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(cJSON_GetObjectItem(o, "action")->valuestring, "allow");
	ck_assert_str_eq(cJSON_GetObjectItem(o, "store")->valuestring, "local");
	ck_assert_str_eq(cJSON_GetObjectItem(o, "profiles")->valuestring, "public");
	ck_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(o, "ra4"), 0)->valuestring, "LocalSubnet");
	ck_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(o, "lport"), 0)->valuestring, "5985");
	cJSON_Delete(o);

	r = reach(c, RT_EXP_DOMAIN, RT_EXP_WINRM);
	ck_assert_int_eq(r->verdict, RT_EXP_FIREWALL_OFF);
	ck_assert_int_eq(r->reachable, 1);
	r = reach(c, RT_EXP_PRIVATE, RT_EXP_WINRM);
	ck_assert_int_eq(r->verdict, RT_EXP_ALLOWED);
	ck_assert_str_eq(r->remote, "*");
	ck_assert(strstr(r->rules, "local:WINRM-HTTP-In-TCP"));
	r = reach(c, RT_EXP_PUBLIC, RT_EXP_WINRM);
	ck_assert_int_eq(r->verdict, RT_EXP_ALLOWED);
	ck_assert_str_eq(r->remote, "LocalSubnet");
	ck_assert(strstr(r->reason, "only from LocalSubnet"));
	r = reach(c, RT_EXP_PRIVATE, RT_EXP_WMI);
	ck_assert_int_eq(r->verdict, RT_EXP_ALLOWED);
	ck_assert_str_eq(r->remote, "10.1.0.0/16");
	ck_assert(strstr(r->rules, "local:WMI-WINMGMT-In-TCP"));
	ck_assert(strstr(r->rules, "local:WMI-RPCSS-In-TCP"));
	r = reach(c, RT_EXP_PUBLIC, RT_EXP_WMI);
	ck_assert_int_eq(r->verdict, RT_EXP_BLOCKED);
	ck_assert_int_eq(r->reachable, 0);
	ck_assert(strstr(r->reason, "blocked by rule Block-135-Public"));
	r = reach(c, RT_EXP_PRIVATE, RT_EXP_DCOM);
	ck_assert_int_eq(r->verdict, RT_EXP_DEFAULT_BLOCK);
	ck_assert(strstr(r->reason, "no rule lets them in (default block)"));
	rt_config_free(&c);
	free(p);
}
END_TEST

static const uint8_t launch_sd[] = {
	/* O:BAG:BAD:(A;;CCDCLCSWRP;;;BA) */
	1, 0, 0x04, 0x80, 20, 0, 0, 0, 36, 0, 0, 0, 0, 0, 0, 0, 52, 0, 0, 0,
	1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 0x20, 2, 0, 0,
	1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 0x20, 2, 0, 0,
	2, 0, 32, 0, 1, 0, 0, 0,
	0, 0, 24, 0, 0x1f, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 0x20, 2, 0, 0,
};

START_TEST(software_families_and_policy_precedence)
{
	hw_hive *s = software_hive(T0);
	char *paths[2];
	rt_config *c;
	const rt_cfg_reach *r;
	cJSON *o;

	hw_dword(s, "Microsoft\\Windows\\CurrentVersion\\WSMAN\\Listener\\*+HTTP", "Port", 5985);
	hw_sz(s, "Microsoft\\Windows\\CurrentVersion\\WSMAN\\Listener\\*+HTTP", "uriprefix", "wsman");
	hw_dword(s, "Microsoft\\Windows\\CurrentVersion\\WSMAN\\Listener\\*+HTTPS", "Port", 8443);
	hw_sz(s, "Microsoft\\Windows\\CurrentVersion\\WSMAN\\Listener\\*+HTTPS", "certThumbprint", "ABCD");
	hw_dword(s, "Microsoft\\Windows\\CurrentVersion\\WSMAN\\Service", "allow_remote_requests", 1);
	hw_dword(s, "Policies\\Microsoft\\Windows\\WinRM\\Service", "AllowAutoConfig", 1);
	hw_sz(s, "Policies\\Microsoft\\Windows\\WinRM\\Service", "IPv4Filter", "*");
	hw_dword(s, "Policies\\Microsoft\\Windows\\WinRM\\Client", "AllowDigest", 0);
	hw_sz(s, "Policies\\Microsoft\\Windows\\WinRM\\Client", "TrustedHostsList", "10.0.0.*");
	hw_dword(s, "Microsoft\\Windows\\CurrentVersion\\Policies\\System", "LocalAccountTokenFilterPolicy", 1);
	hw_dword(s, "Policies\\Microsoft\\Windows\\PowerShell\\ScriptBlockLogging", "EnableScriptBlockLogging", 1);
	hw_dword(s, "Policies\\Microsoft\\Windows\\PowerShell\\ModuleLogging", "EnableModuleLogging", 0);
	hw_sz(s, "Policies\\Microsoft\\Windows\\PowerShell\\ModuleLogging\\ModuleNames", "*", "*");
	hw_sz(s, "Microsoft\\Ole", "EnableDCOM", "N");
	hw_binary(s, "Microsoft\\Ole", "MachineLaunchRestriction", launch_sd, sizeof(launch_sd));
	hw_dword(s, "Microsoft\\Ole\\AppCompat", "RequireIntegrityActivationAuthenticationLevel", 1);
	hw_multi_sz(s, "Classes\\AppID\\{8BC3F05E-D86B-11D0-A075-00C04FB68820}", "EndPoints",
		    "ncacn_ip_tcp,0,24158", NULL);
	/* policy: private firewall on and default allow; local rules not merged */
	hw_dword(s, "Policies\\Microsoft\\WindowsFirewall\\DomainProfile", "EnableFirewall", 1);
	hw_dword(s, "Policies\\Microsoft\\WindowsFirewall\\PrivateProfile", "DefaultInboundAction", 0);
	hw_dword(s, "Policies\\Microsoft\\WindowsFirewall\\DomainProfile", "AllowLocalPolicyMerge", 0);
	hw_dword(s, "Policies\\Microsoft\\WindowsFirewall\\PrivateProfile", "AllowLocalPolicyMerge", 0);
	hw_dword(s, "Policies\\Microsoft\\WindowsFirewall\\PublicProfile", "AllowLocalPolicyMerge", 0);
	hw_sz(s, "Policies\\Microsoft\\WindowsFirewall\\FirewallRules", "GPO-WinRM-HTTPS",
	      "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=8443|RA4=10.9.9.0/24|Name=mgmt|");
	paths[0] = firewall_system();
	paths[1] = write_hive(s, "SOFTWARE");
	c = load((const char *const *)paths, 2, NULL);

	o = cJSON_Parse(val(c, "winrm.listener.*+HTTPS"));
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(cJSON_GetObjectItem(o, "port")->valueint, 8443);
	ck_assert_str_eq(cJSON_GetObjectItem(o, "cert_thumbprint")->valuestring, "ABCD");
	ck_assert_str_eq(cJSON_GetObjectItem(o, "transport")->valuestring, "HTTPS");
	cJSON_Delete(o);
	ck_assert_str_eq(val(c, "winrm.service.allow_remote_requests"), "1");
	ck_assert_str_eq(val(c, "winrm.policy.service.allow_auto_config"), "true");
	ck_assert_str_eq(val(c, "winrm.policy.service.ipv4_filter"), "\"*\"");
	ck_assert_str_eq(val(c, "winrm.policy.client.allow_digest"), "false");
	ck_assert_str_eq(val(c, "winrm.policy.client.trusted_hosts"), "\"10.0.0.*\"");
	ck_assert_str_eq(val(c, "uac.local_account_token_filter_policy"), "1");
	ck_assert_str_eq(val(c, "powershell.logging.script_block"), "true");
	ck_assert_str_eq(val(c, "powershell.logging.module"), "false");
	ck_assert_str_eq(val(c, "powershell.logging.module_names"), "[\"*\"]");
	ck_assert_str_eq(val(c, "dcom.enabled"), "false");
	ck_assert_str_eq(val(c, "dcom.machine_launch_restriction"), "\"O:BAG:BAD:(A;;CCDCLCSWRP;;;BA)\"");
	ck_assert_str_eq(val(c, "dcom.hardening.require_integrity_activation_authentication_level"), "1");
	ck_assert_str_eq(val(c, "wmi.fixed_endpoint"), "[\"ncacn_ip_tcp,0,24158\"]");
	ck_assert_str_eq(val(c, "firewall.policy.profile.domain.allow_local_policy_merge"), "false");

	/* policy EnableFirewall=1 beats the local 0; local rules are not merged,
	 * so only the policy rule for the custom HTTPS port allows WinRM */
	r = reach(c, RT_EXP_DOMAIN, RT_EXP_WINRM);
	ck_assert_int_eq(r->verdict, RT_EXP_ALLOWED);
	ck_assert_str_eq(r->rules, "policy:GPO-WinRM-HTTPS");
	ck_assert_str_eq(r->remote, "10.9.9.0/24");
	ck_assert(strstr(r->ports, "8443"));
	/* policy default inbound allow on private */
	ck_assert_int_eq(reach(c, RT_EXP_PRIVATE, RT_EXP_WMI)->verdict, RT_EXP_SERVICE_OFF);
	ck_assert(strstr(reach(c, RT_EXP_PRIVATE, RT_EXP_DCOM)->reason, "EnableDCOM = N"));
	ck_assert(strstr(reach(c, RT_EXP_PRIVATE, RT_EXP_DCOM)->reason, "default inbound action (allow)"));
	rt_config_free(&c);
	free(paths[0]);
	free(paths[1]);
}
END_TEST

START_TEST(identity_and_user_logging)
{
	hw_hive *h = system_hive(T0), *u = hw_new();
	char *paths[2];
	rt_config *c;

	hw_sz(h, CCS "\\Services\\Tcpip\\Parameters", "Domain", "corp.example");
	hw_multi_sz(h, CCS "\\Services\\Tcpip\\Parameters\\Interfaces\\{A}", "IPAddress", "10.1.2.3", NULL);
	hw_dword(h, CCS "\\Services\\Tcpip\\Parameters\\Interfaces\\{B}", "EnableDHCP", 1);
	hw_sz(h, CCS "\\Services\\Tcpip\\Parameters\\Interfaces\\{B}", "DhcpIPAddress", "192.168.5.9");
	hw_sz(h, CCS "\\Control\\TimeZoneInformation", "TimeZoneKeyName", "W. Europe Standard Time");
	hw_dword(h, CCS "\\Control\\TimeZoneInformation", "ActiveTimeBias", (uint32_t)-60);
	paths[0] = write_hive(h, "SYSTEM");
	hw_set_file_name(u, "NTUSER.DAT");
	hw_dword(u, "Software\\Policies\\Microsoft\\Windows\\PowerShell\\Transcription", "EnableTranscripting", 1);
	hw_key(u, "Software\\Microsoft\\Windows\\CurrentVersion\\Explorer", T0);
	paths[1] = write_hive(u, "Users/alice/NTUSER.DAT");
	c = load((const char *const *)paths, 2, NULL);
	ck_assert_str_eq(val(c, "host.name"), "\"WS01\"");
	ck_assert_str_eq(val(c, "host.domain"), "\"corp.example\"");
	ck_assert_str_eq(val(c, "host.ipv4"), "[\"10.1.2.3\",\"192.168.5.9\"]");
	ck_assert_str_eq(val(c, "host.time_zone"), "\"W. Europe Standard Time\"");
	ck_assert_str_eq(val(c, "host.time_zone.active_bias_minutes"), "-60");
	ck_assert_str_eq(val(c, "user.alice.powershell.logging.transcription"), "true");
	rt_config_free(&c);
	free(paths[0]);
	free(paths[1]);
}
END_TEST

/* SOFTWARE NetworkList\Profiles: name, category, dates in local time. */
START_TEST(network_profiles)
{
	static const char np[] = "Microsoft\\Windows NT\\CurrentVersion\\NetworkList\\Profiles\\";
	/* 2024-03-05 (Tuesday) 09:30:15.250, and a damaged one */
	static const uint8_t created[16] = { 0xe8, 0x07, 3, 0, 2, 0, 5, 0, 9, 0, 30, 0, 15, 0, 0xfa, 0 };
	static const uint8_t bad[16] = { 0xe8, 0x07, 13, 0 };
	hw_hive *s = software_hive(T0);
	char *path, key[200];
	rt_config *c;
	cJSON *o;

	snprintf(key, sizeof key, "%s{11111111-2222-3333-4444-555555555555}", np);
	hw_sz(s, key, "ProfileName", "corp.example");
	hw_dword(s, key, "Category", 2);
	hw_binary(s, key, "DateCreated", created, sizeof created);
	hw_binary(s, key, "DateLastConnected", bad, 8);
	snprintf(key, sizeof key, "%s{AAAAAAAA-2222-3333-4444-555555555555}", np);
	hw_sz(s, key, "ProfileName", "CoffeeShop");
	hw_dword(s, key, "Category", 0);
	hw_binary(s, key, "DateLastConnected", bad, sizeof bad);
	path = write_hive(s, "SOFTWARE");
	c = load((const char *const *)&path, 1, NULL);
	o = cJSON_Parse(val(c, "network.profile.{11111111-2222-3333-4444-555555555555}"));
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(cJSON_GetObjectItem(o, "name")->valuestring, "corp.example");
	ck_assert_str_eq(cJSON_GetObjectItem(o, "category")->valuestring, "domain");
	ck_assert_str_eq(cJSON_GetObjectItem(o, "date_created_local")->valuestring, "2024-03-05T09:30:15.250");
	ck_assert_ptr_null(cJSON_GetObjectItem(o, "date_last_connected_local"));
	cJSON_Delete(o);
	o = cJSON_Parse(val(c, "network.profile.{AAAAAAAA-2222-3333-4444-555555555555}"));
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(cJSON_GetObjectItem(o, "category")->valuestring, "public");
	ck_assert_ptr_null(cJSON_GetObjectItem(o, "date_last_connected_local"));
	cJSON_Delete(o);
	rt_config_free(&c);
	free(path);
}
END_TEST

/* A RegBack copy (older, WinRM disabled, an extra rule) and the live hive. */
START_TEST(history_with_regback)
{
	hw_hive *old = system_hive(T0 - 10 * DAY), *live = system_hive(T0);
	char *paths[2];
	rt_config *c;
	const rt_cfg_setting *s;
	const rt_cfg_point *p;

	hw_dword(old, CCS "\\Services\\WinRM", "Start", 4);
	hw_sz(old, FWL "\\FirewallRules", "Evil-Any", "v2.10|Action=Allow|Active=TRUE|Dir=In|Name=any crazy rule|");
	hw_dword(live, CCS "\\Services\\WinRM", "Start", 2);
	hw_key(live, CCS "\\Services\\WinRM", T0 - 3 * DAY);
	hw_key(live, FWL "\\FirewallRules", T0 - 2 * DAY);
	paths[0] = write_hive(live, "SYSTEM");
	paths[1] = write_hive(old, "RegBack/SYSTEM");
	c = load((const char *const *)paths, 2, NULL);
	ck_assert_uint_eq(c->nhosts, 1);
	ck_assert_uint_eq(c->hosts[0].nsnapshots, 2);
	ck_assert_int_eq(c->hosts[0].snapshots[0].certainty, RT_CFG_BACKUP);
	s = rt_cfg_find(&c->hosts[0], "service.winrm.start");
	ck_assert_uint_eq(s->npoints, 3);
	ck_assert_int_eq(s->points[0].certainty, RT_CFG_BACKUP);
	ck_assert_str_eq(s->points[0].value, "\"disabled\"");
	ck_assert_int_eq(s->points[1].certainty, RT_CFG_BOUNDED);
	ck_assert_uint_eq(s->points[1].time, T0 - 3 * DAY);
	ck_assert_str_eq(s->points[1].value, "\"auto\"");
	ck_assert_int_eq(s->points[2].certainty, RT_CFG_OBSERVED);
	/* value at a time: disabled before the change, auto after */
	p = rt_cfg_value_at(&c->hosts[0], "service.winrm.start", T0 - 5 * DAY);
	ck_assert_str_eq(p->value, "\"disabled\"");
	p = rt_cfg_value_at(&c->hosts[0], "service.winrm.start", T0 - DAY);
	ck_assert_str_eq(p->value, "\"auto\"");
	ck_assert_ptr_null(rt_cfg_value_at(&c->hosts[0], "service.winrm.start", T0 - 20 * DAY));
	/* the rule present in the backup is absent later: a null point */
	s = rt_cfg_find(&c->hosts[0], "firewall.rule.Evil-Any");
	ck_assert_uint_eq(s->npoints, 2);
	ck_assert_str_eq(s->points[1].value, "null");
	/* exposure: the backup had WinRM disabled; the any-rule allowed WMI */
	ck_assert_uint_eq(c->hosts[0].nexposures, 2);
	ck_assert_int_eq(c->hosts[0].exposures[0].reach[RT_EXP_PUBLIC][RT_EXP_WINRM].verdict, RT_EXP_SERVICE_OFF);
	ck_assert_int_eq(c->hosts[0].exposures[0].reach[RT_EXP_PUBLIC][RT_EXP_WMI].verdict, RT_EXP_ALLOWED);
	ck_assert_int_eq(c->hosts[0].exposures[1].reach[RT_EXP_PUBLIC][RT_EXP_WMI].verdict, RT_EXP_DEFAULT_BLOCK);
	ck_assert_ptr_eq(rt_cfg_exposure_at(&c->hosts[0], T0 - 5 * DAY), &c->hosts[0].exposures[0]);
	rt_config_free(&c);
	free(paths[0]);
	free(paths[1]);
}
END_TEST

/* A dirty hive whose log turns WinRM from manual to auto. */
START_TEST(history_with_replay)
{
	hw_hive *h = system_hive(T0);
	char *p, *l1, *l2;
	const char *logs[2];
	rt_cfg_input in;
	rt_config *c = NULL;
	const rt_cfg_setting *s;
	size_t i;
	int saw_observed = 0, saw_replayed = 0;

	hw_dword(h, CCS "\\Services\\WinRM", "Start", 3);
	hw_checkpoint(h);
	hw_dword(h, CCS "\\Services\\WinRM", "Start", 2);
	p = tu_write_file(dir, "SYSTEM", "", 0);
	l1 = tu_write_file(dir, "SYSTEM.LOG1", "", 0);
	l2 = tu_write_file(dir, "SYSTEM.LOG2", "", 0);
	ck_assert_int_ge(hw_write_logged(h, p, l1, l2), 1);
	hw_free(h);
	logs[0] = l1;
	logs[1] = l2;
	memset(&in, 0, sizeof(in));
	in.path = p;
	in.logs = logs;
	in.nlogs = 2;
	ck_assert_int_eq(rt_config_load(&in, 1, &c, NULL), 0);
	ck_assert_uint_eq(c->nhosts, 1);
	ck_assert_str_eq(c->hosts[0].name, "WS01");
	ck_assert_uint_eq(c->hosts[0].nsnapshots, 2);
	ck_assert_int_eq(c->hosts[0].snapshots[1].certainty, RT_CFG_REPLAYED);
	ck_assert(strstr(c->hosts[0].snapshots[1].note, "replayed"));
	s = rt_cfg_find(&c->hosts[0], "service.winrm.start");
	for (i = 0; i < s->npoints; i++) {
		if (s->points[i].certainty == RT_CFG_OBSERVED) {
			ck_assert_str_eq(s->points[i].value, "\"manual\"");
			saw_observed = 1;
		}
		if (s->points[i].certainty == RT_CFG_REPLAYED) {
			ck_assert_str_eq(s->points[i].value, "\"auto\"");
			ck_assert(saw_observed);
			saw_replayed = 1;
		}
	}
	ck_assert(saw_observed && saw_replayed);
	rt_config_free(&c);
	free(p);
	free(l1);
	free(l2);
}
END_TEST

START_TEST(damaged_and_foreign_input)
{
	hw_hive *h = system_hive(T0);
	char *paths[3];
	rt_config *c;
	rt_diag d;
	uint8_t *img;
	size_t n;

	hw_dword(h, CCS "\\Services\\WinRM", "Start", 2);
	hw_sz(h, FWL "\\FirewallRules", "junk", "not a rule at all");
	hw_dword(h, FWL "\\FirewallRules", "dword-rule", 7);
	hw_binary(h, "Select", "Current", "\x01\x00", 2);
	ck_assert_int_eq(hw_build(h, &img, &n), 0);
	hw_free(h);
	paths[0] = tu_write_file(dir, "SYSTEM", img, n);
	/* cut after a whole hive bin: the base block promises more bins. (A cut
	 * inside a bin makes Debian's libbfio memory range copy past the image:
	 * the registry module has to pad the image; see the config report.) */
	paths[1] = tu_write_file(dir, "cut/SYSTEM", img, 4096 + 4096);
	free(img);
	paths[2] = tu_write_file(dir, "empty", "", 0);
	rt_diag_init(&d, NULL, NULL);
	c = load((const char *const *)paths, 3, &d);
	ck_assert_uint_ge(d.errors + d.warnings, 2);
	ck_assert_uint_eq(c->nhosts, 1);
	ck_assert_ptr_nonnull(val(c, "firewall.rule.junk"));
	rt_config_free(&c);
	rt_diag_release(&d);
	free(paths[0]);
	free(paths[1]);
	free(paths[2]);
}
END_TEST

START_TEST(command_json_and_text)
{
	char *p = firewall_system();
	char *argv[6], *out = NULL, *err = NULL;
	cJSON *o, *hosts, *set, *first;
	int rc;

	argv[0] = (char *)tu_remtrail();
	argv[1] = "config";
	argv[2] = "--format";
	argv[3] = "json";
	argv[4] = dir;
	argv[5] = NULL;
	rc = tu_run(argv, &out, &err);
	ck_assert_msg(rc == 0, "rc %d: %s", rc, err);
	o = cJSON_Parse(out);
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(cJSON_GetObjectItem(o, "schema")->valuestring, "remtrail/1");
	hosts = cJSON_GetObjectItem(o, "hosts");
	ck_assert_int_eq(cJSON_GetArraySize(hosts), 1);
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(hosts, 0), "host")->valuestring, "WS01");
	set = cJSON_GetObjectItem(cJSON_GetArrayItem(hosts, 0), "settings");
	ck_assert_int_gt(cJSON_GetArraySize(set), 10);
	first = cJSON_GetArrayItem(set, 0);
	ck_assert_ptr_nonnull(cJSON_GetObjectItem(first, "name"));
	ck_assert_ptr_nonnull(cJSON_GetObjectItem(first, "value"));
	ck_assert_ptr_nonnull(cJSON_GetObjectItem(first, "raw"));
	ck_assert(cJSON_IsString(cJSON_GetObjectItem(first, "time")));
	ck_assert_ptr_nonnull(cJSON_GetObjectItem(first, "certainty"));
	ck_assert_ptr_nonnull(cJSON_GetObjectItem(cJSON_GetObjectItem(first, "source"), "last_written"));
	cJSON_Delete(o);
	free(out);
	free(err);

	argv[2] = dir;
	argv[3] = NULL;
	ck_assert_int_eq(tu_run(argv, &out, NULL), 0);
	ck_assert(strstr(out, "Host WS01"));
	ck_assert(strstr(out, "service.winrm.start = \"auto\""));
	ck_assert(strstr(out, "Exposure"));
	ck_assert(strstr(out, "let in by rule WINRM-HTTP-In-TCP"));
	free(out);

	argv[2] = "--help";
	ck_assert_int_eq(tu_run(argv, &out, NULL), 0);
	ck_assert(strstr(out, "examples:"));
	free(out);
	argv[2] = "--format";
	argv[3] = "xml";
	argv[4] = dir;
	ck_assert_int_eq(tu_run(argv, NULL, NULL), 2);
	argv[2] = NULL;
	ck_assert_int_eq(tu_run(argv, NULL, NULL), 2);
	free(p);
}
END_TEST

/* The changes the logs date join the hives' histories as "event" points,
 * and a folder of logs alone has a configuration too. */
START_TEST(command_event_points)
{
	char *hive = firewall_system(), *sys, *fw, *out = NULL, *err = NULL;
	char *argv[] = { (char *)tu_remtrail(), "config", "--format", "json", dir, NULL };
	tw_writer *w = tw_new(0);
	cJSON *o, *set, *it;
	uint8_t *img;
	size_t n;
	int rc, seen_start = 0, seen_fw = 0;

	ck_assert_uint_ne(te_service_start_type(w, "2020-02-01T10:00:00Z", "WS01",
						"Windows Remote Management (WS-Management)",
						"auto start", "disabled", "WinRM"),
			  0);
	img = tw_image(w, &n);
	sys = tu_write_file(dir, "System.evtx", img, n);
	tw_free(&w);
	w = tw_new(0);
	ck_assert_uint_ne(te_event(w, TE_CH_FIREWALL, NULL, 2003, "2020-02-01T11:00:00Z", "WS01",
				   "Profiles", "4", "SettingType", "1", "SettingValue", "00000000",
				   "SettingValueString", "No", NULL),
			  0);
	img = tw_image(w, &n);
	fw = tu_write_file(dir, "Firewall.evtx", img, n);
	tw_free(&w);
	rc = tu_run(argv, &out, &err);
	ck_assert_msg(rc == 0, "rc %d: %s", rc, err);
	o = cJSON_Parse(out);
	ck_assert_ptr_nonnull(o);
	set = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(o, "hosts"), 0), "settings");
	cJSON_ArrayForEach(it, set)
	{
		const char *name = cJSON_GetObjectItem(it, "name")->valuestring;
		const char *cert = cJSON_GetObjectItem(it, "certainty")->valuestring;
		cJSON *src = cJSON_GetObjectItem(it, "source");

		if (strcmp(cert, "event"))
			continue;
		ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(src, "record_id")));
		ck_assert(cJSON_IsNull(cJSON_GetObjectItem(it, "snapshot")));
		if (!strcmp(name, "service.winrm.start")) {
			ck_assert_str_eq(cJSON_GetObjectItem(it, "value")->valuestring, "disabled");
			ck_assert_int_eq(cJSON_GetObjectItem(src, "event_id")->valueint, 7040);
			seen_start++;
		} else if (!strcmp(name, "firewall.profile.public.enabled")) {
			ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(it, "value")));
			ck_assert_int_eq(cJSON_GetObjectItem(src, "event_id")->valueint, 2003);
			seen_fw++;
		}
	}
	ck_assert_int_eq(seen_start, 1);
	ck_assert_int_eq(seen_fw, 1);
	cJSON_Delete(o);
	free(out);
	free(err);

	/* the logs alone */
	unlink(hive);
	ck_assert_int_eq(tu_run(argv, &out, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"certainty\":\"event\""));
	ck_assert_ptr_nonnull(strstr(out, "\"host\":\"WS01\""));
	free(out);
	free(sys);
	free(fw);
	free(hive);
}
END_TEST

START_TEST(command_nothing_readable)
{
	char *p = tu_write_file(dir, "notes.txt", "hello", 5);
	char *argv[] = { (char *)tu_remtrail(), "config", p, NULL };
	char *err = NULL;

	ck_assert_int_eq(tu_run(argv, NULL, &err), 1);
	ck_assert(strstr(err, "remtrail"));
	free(err);
	free(p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, services_and_standalone);
	tcase_add_test(tc, firewall_local_and_exposure);
	tcase_add_test(tc, software_families_and_policy_precedence);
	tcase_add_test(tc, identity_and_user_logging);
	tcase_add_test(tc, network_profiles);
	tcase_add_test(tc, history_with_regback);
	tcase_add_test(tc, command_event_points);
	tcase_add_test(tc, history_with_replay);
	tcase_add_test(tc, damaged_and_foreign_input);
	tcase_add_test(tc, command_json_and_text);
	tcase_add_test(tc, command_nothing_readable);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
