/*
 * winfw: the firewall model on rules as Windows writes them. Every
 * condition a rule names is checked (table of rule x connection -> match),
 * precedence and stores, and what receives each protocol: the real rules
 * of the corpus' Windows 7 and 10 hives that opened WMI in the old
 * evaluator (Remote Assistance's RPCSS rule, Store-app rules) must not.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "remtrail/winfw.h"

#define SVCHOST "%SystemRoot%\\system32\\svchost.exe"

/* Rules from real hives (corpus SYSTEM, SYSTEM_B) and from Windows'
 * predefined set, and hostile variations. */
#define RA_DCOM                                                                                              \
	"v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|Profile=Domain|LPort=135|App=%SystemRoot%\\system32\\" \
	"svchost.exe|Svc=rpcss|Name=@FirewallAPI.dll,-33035|"
#define STORE_APP                                                                                      \
	"v2.27|Action=Allow|Active=TRUE|Dir=In|Profile=Domain|Profile=Private|Name=OneNote|"             \
	"LUOwn=S-1-5-21-2734969515-1644526556-1039763013-1001|AppPkgId=S-1-15-2-3445883232-1224167743-" \
	"206467785-1580939083-2750001491-3097792036-3019341970|Platform=2:6:2|Platform2=GTEQ|"
#define WMI_WINMGMT                                                                                  \
	"v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|App=%SystemRoot%\\system32\\svchost.exe|" \
	"Svc=winmgmt|Name=@FirewallAPI.dll,-34251|"
#define FPS_RPCSS "v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|Profile=Domain|LPort=RPC-EPMap|Svc=Rpcss|"
#define SKYPE "v2.10|Action=Allow|Active=TRUE|Dir=In|App=C:\\Program Files\\Skype\\Phone\\Skype.exe|Name=Skype|"
#define WINRM_HTTP "v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|Profile=Domain|Profile=Private|LPort=5985|App=System|"

typedef struct match_case {
	const char *what, *rule;
	int profile;
	rt_winfw_port_kind kind;
	unsigned port;
	const char *app, *svc, *user, *remote;
	rt_winfw_match want;
} match_case;

static const match_case cases[] = {
	{ "RA DCOM rule, RPCSS on 135, domain", RA_DCOM, 0, RT_WINFW_PORT_EPMAP, 135, SVCHOST, "RpcSs", "S-1-5-20", NULL,
	  RT_WINFW_YES },
	{ "RA DCOM rule is domain only", RA_DCOM, 2, RT_WINFW_PORT_EPMAP, 135, SVCHOST, "RpcSs", "S-1-5-20", NULL,
	  RT_WINFW_NO },
	{ "RA DCOM rule does not admit Winmgmt", RA_DCOM, 0, RT_WINFW_PORT_RPC, 0, SVCHOST, "winmgmt", "S-1-5-18", NULL,
	  RT_WINFW_NO },
	{ "Store app rule: app containers only", STORE_APP, 0, RT_WINFW_PORT_RPC, 0, SVCHOST, "winmgmt", "S-1-5-18",
	  NULL, RT_WINFW_NO },
	{ "WMI-WINMGMT-In-TCP: Winmgmt on a dynamic port", WMI_WINMGMT, 1, RT_WINFW_PORT_RPC, 0, SVCHOST, "winmgmt",
	  "S-1-5-18", NULL, RT_WINFW_YES },
	{ "WMI-WINMGMT-In-TCP: not RPCSS", WMI_WINMGMT, 1, RT_WINFW_PORT_EPMAP, 135, SVCHOST, "RpcSs", "S-1-5-20", NULL,
	  RT_WINFW_NO },
	{ "RPC-EPMap keyword", FPS_RPCSS, 0, RT_WINFW_PORT_EPMAP, 135, SVCHOST, "RpcSs", "S-1-5-20", NULL, RT_WINFW_YES },
	{ "RPC-EPMap is not a dynamic endpoint", FPS_RPCSS, 0, RT_WINFW_PORT_RPC, 0, SVCHOST, "RpcSs", NULL, NULL,
	  RT_WINFW_NO },
	{ "another program's rule", SKYPE, 0, RT_WINFW_PORT_RPC, 0, SVCHOST, "winmgmt", "S-1-5-18", NULL, RT_WINFW_NO },
	{ "WinRM rule, HTTP.SYS", WINRM_HTTP, 0, RT_WINFW_PORT_FIXED, 5985, "System", NULL, "S-1-5-18", NULL,
	  RT_WINFW_YES },
	{ "WinRM rule, other port", WINRM_HTTP, 0, RT_WINFW_PORT_FIXED, 5986, "System", NULL, "S-1-5-18", NULL,
	  RT_WINFW_NO },
	{ "WinRM rule is not for svchost", WINRM_HTTP, 0, RT_WINFW_PORT_FIXED, 5985, SVCHOST, "WinRM", NULL, NULL,
	  RT_WINFW_NO },
	{ "port-only rule, any program", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=135|", 2,
	  RT_WINFW_PORT_EPMAP, 135, SVCHOST, "RpcSs", NULL, NULL, RT_WINFW_YES },
	{ "inactive rule", "v2.30|Action=Allow|Active=FALSE|Dir=In|Protocol=6|LPort=135|", 0, RT_WINFW_PORT_EPMAP,
	  135, SVCHOST, "RpcSs", NULL, NULL, RT_WINFW_NO },
	{ "outbound rule", "v2.30|Action=Allow|Active=TRUE|Dir=Out|Protocol=6|LPort=135|", 0, RT_WINFW_PORT_EPMAP,
	  135, SVCHOST, "RpcSs", NULL, NULL, RT_WINFW_NO },
	{ "UDP rule", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=17|LPort=135|", 0, RT_WINFW_PORT_EPMAP, 135,
	  SVCHOST, "RpcSs", NULL, NULL, RT_WINFW_NO },
	{ "Svc=* is any service", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|Svc=*|", 0, RT_WINFW_PORT_RPC, 0,
	  SVCHOST, "winmgmt", NULL, NULL, RT_WINFW_YES },
	{ "Svc=* is no plain program", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|Svc=*|", 0,
	  RT_WINFW_PORT_RPC, 0, "%SystemRoot%\\system32\\mmc.exe", NULL, NULL, NULL, RT_WINFW_NO },
	{ "path spelled another way", "v2.30|Action=Allow|Active=TRUE|Dir=In|App=C:\\WINDOWS\\System32\\MMC.exe|", 0,
	  RT_WINFW_PORT_RPC, 0, "%SystemRoot%\\system32\\mmc.exe", NULL, NULL, NULL, RT_WINFW_YES },
	{ "Office anywhere", "v2.30|Action=Allow|Active=TRUE|Dir=In|App=D:\\Office\\root\\Office16\\EXCEL.EXE|", 0,
	  RT_WINFW_PORT_RPC, 0, "*\\EXCEL.EXE", NULL, NULL, NULL, RT_WINFW_YES },
	{ "RPC keyword", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=RPC|Svc=winmgmt|", 0,
	  RT_WINFW_PORT_RPC, 0, SVCHOST, "winmgmt", NULL, NULL, RT_WINFW_YES },
	{ "24158 while Winmgmt is shared", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=24158|Svc=winmgmt|",
	  0, RT_WINFW_PORT_RPC, 0, SVCHOST, "winmgmt", NULL, NULL, RT_WINFW_NO },
	{ "24158 when standalone", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=24158|Svc=winmgmt|", 0,
	  RT_WINFW_PORT_FIXED, 24158, SVCHOST, "winmgmt", NULL, NULL, RT_WINFW_YES },
	{ "part of the dynamic range", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=50000-50100|", 0,
	  RT_WINFW_PORT_RPC, 0, SVCHOST, "winmgmt", NULL, NULL, RT_WINFW_DEPENDS },
	{ "LUOwn of another account", "v2.30|Action=Allow|Active=TRUE|Dir=In|LUOwn=S-1-5-21-1-2-3-1001|", 0,
	  RT_WINFW_PORT_RPC, 0, SVCHOST, "winmgmt", "S-1-5-18", NULL, RT_WINFW_NO },
	{ "LUOwn, account unknown", "v2.30|Action=Allow|Active=TRUE|Dir=In|LUOwn=S-1-5-21-1-2-3-1001|", 0,
	  RT_WINFW_PORT_RPC, 0, "%SystemRoot%\\system32\\mmc.exe", NULL, NULL, NULL, RT_WINFW_DEPENDS },
	{ "LUAuth names the service account", "v2.30|Action=Allow|Active=TRUE|Dir=In|LUAuth=O:LSD:(A;;CC;;;SY)|", 0,
	  RT_WINFW_PORT_RPC, 0, SVCHOST, "winmgmt", "S-1-5-18", NULL, RT_WINFW_YES },
	{ "interface type", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|IFType=Wireless|", 0, RT_WINFW_PORT_RPC,
	  0, SVCHOST, "winmgmt", NULL, NULL, RT_WINFW_DEPENDS },
	{ "remote scope, inside", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|RA4=10.0.9.0/24|", 0,
	  RT_WINFW_PORT_EPMAP, 135, SVCHOST, "RpcSs", NULL, "10.0.9.4", RT_WINFW_YES },
	{ "remote scope, outside", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|RA4=10.0.9.0/24|", 0,
	  RT_WINFW_PORT_EPMAP, 135, SVCHOST, "RpcSs", NULL, "10.0.1.4", RT_WINFW_NO },
	{ "remote keyword DNS", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|RA4=DNS|", 0, RT_WINFW_PORT_EPMAP,
	  135, SVCHOST, "RpcSs", NULL, "10.0.1.4", RT_WINFW_DEPENDS },
	{ "IPsec only", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|Security=Authenticate|", 0,
	  RT_WINFW_PORT_EPMAP, 135, SVCHOST, "RpcSs", NULL, "10.0.1.4", RT_WINFW_DEPENDS },
	{ "edge traversal does not narrow", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=135|Edge=TRUE|", 0,
	  RT_WINFW_PORT_EPMAP, 135, SVCHOST, "RpcSs", NULL, "10.0.1.4", RT_WINFW_YES },
	{ "remote port of a client", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|RPort=67|", 0,
	  RT_WINFW_PORT_EPMAP, 135, SVCHOST, "RpcSs", NULL, NULL, RT_WINFW_NO },
};

START_TEST(rule_conditions)
{
	const match_case *k = &cases[_i];
	rt_winfw_conn c = { 6, k->kind, k->port, k->app, k->svc, k->user, k->remote };
	rt_fwrule r;
	const char *why = NULL;
	rt_winfw_match m;

	rt_fwrule_parse(k->rule, strlen(k->rule), &r);
	m = rt_winfw_rule_matches(&r, k->profile, &c, NULL, &why);
	if (m != k->want)
		ck_abort_msg("%s: got %d, want %d", k->what, (int)m, (int)k->want);
	if (m == RT_WINFW_DEPENDS)
		ck_assert_ptr_nonnull(why);
	rt_fwrule_release(&r);
}
END_TEST

/* A policy of parsed rules, store by store. */
typedef struct pol {
	rt_winfw_policy p;
	rt_fwrule r[8];
	rt_winfw_rule w[8];
	size_t n;
} pol;

static void pol_init(pol *x)
{
	memset(x, 0, sizeof *x);
	rt_winfw_policy_init(&x->p);
	x->p.known = 1;
}

static void pol_rule(pol *x, const char *id, rt_winfw_store store, const char *s, int present)
{
	rt_fwrule_parse(s, strlen(s), &x->r[x->n]);
	x->w[x->n].id = id;
	x->w[x->n].store = store;
	x->w[x->n].rule = &x->r[x->n];
	x->w[x->n].present = present;
	x->n++;
	x->p.rules = x->w;
	x->p.nrules = x->n;
}

static void pol_release(pol *x)
{
	size_t i;

	for (i = 0; i < x->n; i++)
		rt_fwrule_release(&x->r[i]);
}

static rt_winfw_open reach(pol *x, int profile, rt_proto proto, const rt_winfw_host *h, const char *remote)
{
	rt_winfw_reach r;
	rt_winfw_open o;

	ck_assert_int_eq(rt_winfw_reach_eval(&x->p, h, profile, proto, remote, &r), 0);
	o = r.open;
	rt_winfw_reach_release(&r);
	return o;
}

/* The corpus' Windows 7 workstation: RPCSS admitted on the domain profile,
 * Winmgmt not: remote WMI does not get in. */
START_TEST(win7_defaults_block_wmi)
{
	pol x;
	rt_winfw_reach r;
	rt_buf t = RT_BUF_INIT;

	pol_init(&x);
	pol_rule(&x, "RemoteAssistance-DCOM-In-TCP-NoScope-Active", RT_WINFW_LOCAL, RA_DCOM, 1);
	pol_rule(&x, "FPS-RPCSS-In-TCP-NoScope", RT_WINFW_LOCAL, FPS_RPCSS, 1);
	pol_rule(&x, "{9425C830}", RT_WINFW_LOCAL, SKYPE, 1);
	pol_rule(&x, "{E3038ED8}", RT_WINFW_LOCAL, STORE_APP, 1);
	ck_assert_int_eq(rt_winfw_reach_eval(&x.p, NULL, 0, RT_PROTO_WMI, NULL, &r), 0);
	ck_assert_int_eq(r.open, RT_WINFW_CLOSED);
	ck_assert_int_eq(r.closing_group, 1);
	ck_assert_int_eq(rt_winfw_reach_text(&r, &t), 0);
	ck_assert_ptr_nonnull(strstr(t.buf, "the WMI service (Winmgmt)"));
	ck_assert_ptr_null(strstr(t.buf, "RemoteAssistance")); /* only the legs that decide */
	rt_winfw_reach_release(&r);
	/* with WMI-WINMGMT-In-TCP enabled it gets in, through both legs */
	pol_rule(&x, "WMI-WINMGMT-In-TCP", RT_WINFW_LOCAL, WMI_WINMGMT, 1);
	rt_buf_reset(&t);
	ck_assert_int_eq(rt_winfw_reach_eval(&x.p, NULL, 0, RT_PROTO_WMI, NULL, &r), 0);
	ck_assert_int_eq(r.open, RT_WINFW_OPEN_ANY);
	rt_winfw_reach_text(&r, &t);
	ck_assert_ptr_nonnull(strstr(t.buf, "WMI-WINMGMT-In-TCP"));
	ck_assert_ptr_nonnull(strstr(t.buf, "RemoteAssistance-DCOM-In-TCP-NoScope-Active"));
	ck_assert_ptr_null(strstr(t.buf, "Skype"));
	rt_winfw_reach_release(&r);
	/* but not on the public profile: RPCSS is domain only there */
	ck_assert_int_eq(reach(&x, 2, RT_PROTO_WMI, NULL, NULL), RT_WINFW_CLOSED);
	rt_buf_release(&t);
	pol_release(&x);
}
END_TEST

START_TEST(precedence_and_stores)
{
	pol x;

	pol_init(&x);
	pol_rule(&x, "open", RT_WINFW_LOCAL, "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=135|", 1);
	pol_rule(&x, "winmgmt", RT_WINFW_LOCAL, WMI_WINMGMT, 1);
	ck_assert_int_eq(reach(&x, 0, RT_PROTO_WMI, NULL, NULL), RT_WINFW_OPEN_ANY);
	/* block beats allow */
	pol_rule(&x, "deny", RT_WINFW_POLICY, "v2.30|Action=Block|Active=TRUE|Dir=In|Protocol=6|LPort=135|", 1);
	ck_assert_int_eq(reach(&x, 0, RT_PROTO_WMI, NULL, NULL), RT_WINFW_CLOSED);
	/* allow-bypass beats block, for IPsec-authenticated peers only */
	pol_rule(&x, "bypass", RT_WINFW_POLICY, "v2.30|Action=ByPass|Active=TRUE|Dir=In|Protocol=6|LPort=135|Security=Authenticate|", 1);
	ck_assert_int_eq(reach(&x, 0, RT_PROTO_WMI, NULL, NULL), RT_WINFW_OPEN_SCOPED);
	pol_release(&x);

	pol_init(&x);
	pol_rule(&x, "open", RT_WINFW_LOCAL, "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=5985|", 1);
	ck_assert_int_eq(reach(&x, 0, RT_PROTO_WINRM, &(rt_winfw_host){ { 5985 }, 1, 0 }, NULL), RT_WINFW_OPEN_ANY);
	/* AllowLocalPolicyMerge = 0 drops local rules, on that profile */
	x.p.merge[0].value = 0;
	ck_assert_int_eq(reach(&x, 0, RT_PROTO_WINRM, &(rt_winfw_host){ { 5985 }, 1, 0 }, NULL), RT_WINFW_CLOSED);
	ck_assert_int_eq(reach(&x, 1, RT_PROTO_WINRM, &(rt_winfw_host){ { 5985 }, 1, 0 }, NULL), RT_WINFW_OPEN_ANY);
	/* a disabled profile lets everything in; policy wins over local */
	x.p.enabled[RT_WINFW_LOCAL][2].value = 1;
	x.p.enabled[RT_WINFW_POLICY][2].value = 0;
	pol_release(&x);
	pol_init(&x);
	x.p.enabled[RT_WINFW_LOCAL][2].value = 1;
	x.p.enabled[RT_WINFW_POLICY][2].value = 0;
	ck_assert_int_eq(reach(&x, 2, RT_PROTO_DCOM, NULL, NULL), RT_WINFW_OPEN_ANY);
	ck_assert_int_eq(reach(&x, 0, RT_PROTO_DCOM, NULL, NULL), RT_WINFW_CLOSED);
	/* default inbound allow */
	x.p.block_in[RT_WINFW_LOCAL][1].value = 0;
	ck_assert_int_eq(reach(&x, 1, RT_PROTO_DCOM, NULL, NULL), RT_WINFW_OPEN_ANY);
	x.p.block_in[RT_WINFW_POLICY][1].value = 1;
	ck_assert_int_eq(reach(&x, 1, RT_PROTO_DCOM, NULL, NULL), RT_WINFW_CLOSED);
	pol_release(&x);
}
END_TEST

/* 24158 counts only when Winmgmt runs standalone; a rule known only from
 * a later snapshot is judged both ways. */
START_TEST(fixed_port_and_unknown_rules)
{
	pol x;
	rt_winfw_host standalone = { { 0 }, 0, 24158 };
	rt_winfw_reach r;

	pol_init(&x);
	pol_rule(&x, "epmap", RT_WINFW_LOCAL, FPS_RPCSS, 1);
	pol_rule(&x, "fixed", RT_WINFW_LOCAL, "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=24158|", 1);
	ck_assert_int_eq(reach(&x, 0, RT_PROTO_WMI, NULL, NULL), RT_WINFW_CLOSED);
	ck_assert_int_eq(reach(&x, 0, RT_PROTO_WMI, &standalone, NULL), RT_WINFW_OPEN_ANY);
	pol_rule(&x, "later", RT_WINFW_LOCAL, WMI_WINMGMT, 0);
	ck_assert_int_eq(rt_winfw_reach_eval(&x.p, NULL, 0, RT_PROTO_WMI, NULL, &r), 0);
	ck_assert_int_eq(r.open, RT_WINFW_CLOSED);
	ck_assert_int_eq(r.open_if_unknown, RT_WINFW_OPEN_ANY);
	rt_winfw_reach_release(&r);
	pol_release(&x);
}
END_TEST

START_TEST(unknown_store)
{
	pol x;

	pol_init(&x);
	x.p.known = 0;
	ck_assert_int_eq(reach(&x, 0, RT_PROTO_WMI, NULL, NULL), RT_WINFW_OPEN_UNKNOWN);
	x.p.known = 1;
	x.p.enabled[RT_WINFW_LOCAL][0].value = -2;
	ck_assert_int_eq(reach(&x, 0, RT_PROTO_WMI, NULL, NULL), RT_WINFW_OPEN_UNKNOWN);
	pol_release(&x);
}
END_TEST

START_TEST(relevant_rules)
{
	static const struct {
		const char *rule;
		int want;
	} t[] = { { RA_DCOM, 1 }, { STORE_APP, 0 }, { SKYPE, 0 }, { WINRM_HTTP, 1 }, { WMI_WINMGMT, 1 },
		  { "v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=17|LPort=68|App=%SystemRoot%\\system32\\svchost.exe|Svc=dhcp|", 0 } };
	size_t i;

	for (i = 0; i < sizeof t / sizeof *t; i++) {
		rt_fwrule r;

		rt_fwrule_parse(t[i].rule, strlen(t[i].rule), &r);
		ck_assert_int_eq(rt_winfw_rule_relevant(&r), t[i].want);
		rt_fwrule_release(&r);
	}
}
END_TEST

/* Inert: no port, switch or remote scope could make it match a receiver.
 * A port-only rule without App may reach WinRM on any listener port, and a
 * rule whose local address "depends" is no proof either. */
START_TEST(inert_rules)
{
	static const struct {
		const char *rule;
		int want;
	} t[] = {
		{ STORE_APP, 1 },
		{ SKYPE, 1 },
		{ RA_DCOM, 0 },
		{ WINRM_HTTP, 0 },
		{ WMI_WINMGMT, 0 },
		{ "v2.30|Action=Allow|Active=FALSE|Dir=In|Protocol=6|LPort=8080|App=C:\\Tools\\app.exe|", 1 },
		{ "v2.30|Action=Block|Active=TRUE|Dir=In|Protocol=6|LPort=4444|", 0 },
		{ "v2.30|Action=Allow|Active=TRUE|Dir=Out|Protocol=6|App=System|", 1 },
		{ "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=17|LPort=5985|App=System|", 1 },
		{ "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=1|App=C:\\Windows\\explorer.exe|", 0 },
		{ "v2.30|Action=Allow|Active=TRUE|Dir=In|App=C:\\Program Files\\Office\\EXCEL.EXE|", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof *t; i++) {
		rt_fwrule r;

		rt_fwrule_parse(t[i].rule, strlen(t[i].rule), &r);
		ck_assert_msg(rt_winfw_rule_inert(&r, NULL, 0) == t[i].want, "%s: want %d", t[i].rule, t[i].want);
		rt_fwrule_release(&r);
	}
}
END_TEST

/* With the host's ports known, a TCP rule whose local ports no leg can
 * take is inert too, allow or block: only 135 (the endpoint mapper), the
 * dynamic range (RPC endpoints), the listeners' ports and WMI's fixed
 * port reach a receiver. A rule on no protocol or on any of them has no
 * port condition at all ([MS-FASP] 2.2.37: ports only with TCP/UDP). */
START_TEST(inert_port_rules)
{
	static const unsigned winrm[] = { 5985, 5986, 80, 443 }, custom[] = { 5985, 5986, 80, 443, 8080, 24158 };
	static const struct {
		const char *rule;
		int want, want_custom;
	} t[] = {
		{ "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=4444|", 1, 1 },
		{ "v2.30|Action=Block|Active=TRUE|Dir=In|Protocol=6|LPort=4444|", 1, 1 },
		{ "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=5985|", 0, 0 },
		{ "v2.30|Action=Block|Active=TRUE|Dir=In|Protocol=6|LPort=5985|", 0, 0 },
		{ "v2.30|Action=Allow|Active=FALSE|Dir=In|Protocol=6|LPort=5986|", 0, 0 },
		{ "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=443|", 0, 0 },
		{ "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=135|", 0, 0 },
		{ "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=5000-6000|", 0, 0 },
		{ "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=1024-5984|", 1, 1 },
		{ "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=RPC|", 0, 0 },
		{ "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=RPC-EPMap|", 0, 0 },
		{ "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=IPHTTPS|", 1, 1 },
		{ "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=Any|", 0, 0 },
		{ "v2.30|Action=Block|Active=TRUE|Dir=In|Protocol=6|LPort=4444|LPort=RPC|", 0, 0 },
		{ "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=50000|", 0, 0 },
		{ "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=49152-65535|", 0, 0 },
		{ "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=1024-49151|", 0, 0 },
		{ "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=6000-49151|", 1, 0 },
		{ "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=8080|", 1, 0 },
		{ "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=24158|", 1, 0 },
		{ "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=17|LPort=5985|", 1, 1 },
		{ "v2.30|Action=Allow|Active=TRUE|Dir=In|LPort=4444|", 0, 0 },
		{ "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|", 0, 0 },
		{ "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|RPort=80|", 1, 1 },
		{ "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=8080|App=System|", 1, 0 },
		{ "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=8080|App=C:\\Windows\\explorer.exe|", 1, 1 },
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof *t; i++) {
		rt_fwrule r;

		rt_fwrule_parse(t[i].rule, strlen(t[i].rule), &r);
		ck_assert_msg(rt_winfw_rule_inert(&r, winrm, 4) == t[i].want, "%s: want %d", t[i].rule, t[i].want);
		ck_assert_msg(rt_winfw_rule_inert(&r, custom, 6) == t[i].want_custom, "%s: want %d with 8080, 24158",
			      t[i].rule, t[i].want_custom);
		rt_fwrule_release(&r);
	}
}
END_TEST

START_TEST(scope_within)
{
	ck_assert_int_eq(rt_scope_within("10.0.9.0/24", "10.0.0.0/8", NULL), 1);
	ck_assert_int_eq(rt_scope_within("10.0.9.0/24,10.1.0.5", "10.0.9.0/24", NULL), 0);
	ck_assert_int_eq(rt_scope_within("LocalSubnet", "10.0.0.0/16", "10.0.5.7/255.255.255.0"), 1);
	ck_assert_int_eq(rt_scope_within("LocalSubnet", "10.0.0.0/16", NULL), -1);
	ck_assert_int_eq(rt_scope_within("*", "10.0.0.0/8", NULL), 0);
	ck_assert_int_eq(rt_scope_within("fd00:5::/64", "fd00::/16", NULL), 1);
	ck_assert_int_eq(rt_scope_within("10.0.0.1-10.0.0.9", "10.0.0.0/28", NULL), 1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("winfw");
	TCase *tc = tcase_create("model");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, rule_conditions, 0, (int)(sizeof cases / sizeof *cases));
	tcase_add_test(tc, win7_defaults_block_wmi);
	tcase_add_test(tc, precedence_and_stores);
	tcase_add_test(tc, fixed_port_and_unknown_rules);
	tcase_add_test(tc, unknown_store);
	tcase_add_test(tc, relevant_rules);
	tcase_add_test(tc, inert_rules);
	tcase_add_test(tc, inert_port_rules);
	tcase_add_test(tc, scope_within);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
