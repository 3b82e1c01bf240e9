/* assess: decision tables and bypass routes on hand-built host descriptions. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "remtrail/assess.h"
#include "remtrail/util.h"

#define SYS "C/Windows/System32/config/SYSTEM"
#define SOFT "C/Windows/System32/config/SOFTWARE"
#define SYSEVTX "C/Windows/System32/winevt/Logs/System.evtx"
#define FWEVTX "C/Windows/System32/winevt/Logs/Firewall.evtx"
#define WRMEVTX "C/Windows/System32/winevt/Logs/Microsoft-Windows-WinRM%4Operational.evtx"
#define PSEVTX "C/Windows/System32/winevt/Logs/Microsoft-Windows-PowerShell%4Operational.evtx"

static uint64_t T(const char *iso)
{
	uint64_t ft = 0;
	ck_assert_int_eq(rt_time_parse(iso, &ft), 0);
	return ft;
}

/* A host description grown one fact/finding at a time. */
typedef struct host {
	rt_fact facts[32];
	size_t nfacts;
	rt_assess_finding finds[16];
	size_t nfinds;
	rt_log_cover logs[4];
	size_t nlogs;
	rt_assess_input in;
	rt_assess_result *res;
} host;

static host H;

static void reset(int sys, int soft)
{
	rt_assess_result_free(&H.res);
	memset(&H, 0, sizeof H);
	H.in.host = "WS01";
	H.in.system_hive = sys ? SYS : NULL;
	H.in.software_hive = soft ? SOFT : NULL;
}

static rt_fact *snap(const char *name, const char *value, const char *when, const char *key,
		     const char *vname)
{
	rt_fact *f = &H.facts[H.nfacts++];
	f->name = name;
	f->value = value;
	f->time = T(when);
	f->src.file = !strncmp(name, "service.", 8) || !strncmp(name, "firewall.profile", 16) ||
				      !strncmp(name, "firewall.rule", 13) || !strncmp(name, "host.", 5)
			      ? SYS
			      : SOFT;
	f->src.key = key;
	f->src.value_name = vname;
	f->src.time = f->time;
	return f;
}

static rt_fact *change(const char *name, const char *value, const char *old, const char *when,
		       const char *file, uint64_t rec, uint32_t eid)
{
	rt_fact *f = &H.facts[H.nfacts++];
	f->name = name;
	f->value = value;
	f->old_value = old;
	f->time = T(when);
	f->is_change = 1;
	f->src.file = file;
	f->src.record_id = rec;
	f->src.event_id = eid;
	f->src.time = f->time;
	return f;
}

static rt_assess_finding *find(const char *kind, const char *when, const char *ip, uint64_t rec,
			       const char *msg)
{
	rt_assess_finding *f = &H.finds[H.nfinds++];
	f->kind = kind;
	f->time = T(when);
	f->remote_ip = ip;
	f->message = msg;
	f->src.file = WRMEVTX;
	f->src.record_id = rec;
	f->src.time = f->time;
	return f;
}

static void logcov(const char *chan, const char *file, const char *a, const char *b)
{
	rt_log_cover *l = &H.logs[H.nlogs++];
	l->channel = chan;
	l->file = file;
	l->first = T(a);
	l->last = T(b);
	l->nrecords = 10;
}

static const rt_cm_verdict *run(rt_cm_id cm, const char *mgmt)
{
	rt_assess_opts o = { mgmt, NULL };

	H.in.facts = H.facts;
	H.in.nfacts = H.nfacts;
	H.in.findings = H.finds;
	H.in.nfindings = H.nfinds;
	H.in.logs = H.logs;
	H.in.nlogs = H.nlogs;
	rt_assess_result_free(&H.res);
	ck_assert_int_eq(rt_assess_host(&H.in, &o, &H.res), 0);
	ck_assert_ptr_nonnull(H.res);
	return &H.res->cm[cm];
}

static int list_has_text(const rt_evidence_list *l, const char *needle)
{
	size_t i;
	for (i = 0; i < l->n; i++)
		if (strstr(l->items[i].text, needle))
			return 1;
	return 0;
}

static const rt_evidence_item *list_find_record(const rt_evidence_list *l, uint64_t rec)
{
	size_t i;
	for (i = 0; i < l->n; i++)
		if (l->items[i].record_id == rec)
			return &l->items[i];
	return NULL;
}

/* A workstation where WinRM was disabled by the service start type. */
static void winrm_disabled_base(void)
{
	reset(1, 1);
	snap("service.winrm.start", "disabled", "2024-01-01T00:00:00Z",
	     "ControlSet001\\Services\\WinRM", "Start");
	snap("host.ipv4", "10.0.0.21", "2024-01-01T00:00:00Z",
	     "ControlSet001\\Services\\Tcpip\\Parameters\\Interfaces\\{1}", "DhcpIPAddress");
	snap("powershell.logging.module", "true", "2024-01-01T00:00:00Z",
	     "Policies\\Microsoft\\Windows\\PowerShell\\ModuleLogging", "EnableModuleLogging");
	logcov("Microsoft-Windows-WinRM/Operational", WRMEVTX, "2024-01-01T00:00:00Z", "2024-03-01T00:00:00Z");
	logcov("Microsoft-Windows-PowerShell/Operational", PSEVTX, "2024-01-01T00:00:00Z",
	       "2024-03-01T00:00:00Z");
}

START_TEST(winrm_in_effect_untouched)
{
	const rt_cm_verdict *v;

	winrm_disabled_base();
	v = run(RT_CM0019, NULL);
	ck_assert_int_eq(v->state, RT_CM_IN_EFFECT);
	ck_assert_int_eq(v->bypassed, 0);
	ck_assert_uint_eq(v->nintervals, 1);
	ck_assert_str_eq(v->intervals[0].basis.items[0].text, "service.winrm.start = disabled");
	ck_assert_str_eq(v->intervals[0].basis.items[0].file, SYS);
	ck_assert_str_eq(v->intervals[0].basis.items[0].key, "ControlSet001\\Services\\WinRM");
	ck_assert_int_eq(v->has_monitoring, 1);
	ck_assert_int_eq(v->monitoring.in_effect, 1);
	ck_assert_uint_eq(v->monitoring.gaps.n, 0);
	ck_assert_uint_eq(v->monitoring.coverage.n, 2);
}
END_TEST

START_TEST(winrm_reenabled_then_used)
{
	const rt_cm_verdict *v;
	const rt_evidence_item *e;

	winrm_disabled_base();
	change("service.winrm.start", "auto", "disabled", "2024-02-01T10:00:00Z", SYSEVTX, 4711, 7040);
	change("winrm.listener.*+HTTP", "5985", NULL, "2024-02-01T10:00:05Z", WRMEVTX, 300, 0);
	change("firewall.rule.WINRM-HTTP-In-TCP", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=5985|",
	       NULL, "2024-02-01T10:00:06Z", FWEVTX, 88, 2004);
	find("winrm.inbound", "2024-02-01T10:05:00Z", "203.0.113.7", 501, "WinRM shell created");
	v = run(RT_CM0019, NULL);
	/* disabled; then auto but no listener; then listener but no rule; then open */
	ck_assert_uint_eq(v->nintervals, 4);
	ck_assert_int_eq(v->intervals[0].state, RT_CM_IN_EFFECT);
	ck_assert_int_eq(v->intervals[1].state, RT_CM_IN_EFFECT);
	ck_assert_int_eq(v->intervals[2].state, RT_CM_IN_EFFECT);
	ck_assert_int_eq(v->intervals[3].state, RT_CM_NOT_IN_EFFECT);
	ck_assert_uint_eq(v->intervals[3].from, T("2024-02-01T10:00:06Z"));
	ck_assert_int_eq(v->state, RT_CM_NOT_IN_EFFECT);
	ck_assert_int_eq(v->bypassed, 1);
	ck_assert_uint_eq(v->nbypass, 1);
	ck_assert_str_eq(v->bypass[0].route, "re-enabled then used");
	ck_assert_ptr_nonnull(strstr(v->bypass[0].explanation, "service start type changed"));
	ck_assert_ptr_nonnull(strstr(v->bypass[0].explanation, "firewall rule added"));
	ck_assert_ptr_nonnull(strstr(v->bypass[0].explanation, "listener created"));
	e = list_find_record(&v->bypass[0].changes, 4711);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->file, SYSEVTX);
	ck_assert_str_eq(e->text, "service.winrm.start = auto (was disabled)");
	e = list_find_record(&v->bypass[0].findings, 501);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->remote_ip, "203.0.113.7");
	ck_assert_uint_eq(v->first_activity, T("2024-02-01T10:05:00Z"));
}
END_TEST

START_TEST(winrm_contradiction_tampering)
{
	const rt_cm_verdict *v;

	winrm_disabled_base();
	find("winrm.inbound", "2024-02-10T08:00:00Z", "10.0.0.99", 900, "WinRM shell created");
	v = run(RT_CM0019, NULL);
	ck_assert_int_eq(v->state, RT_CM_IN_EFFECT);
	ck_assert_int_eq(v->bypassed, 1);
	ck_assert_str_eq(v->bypass[0].route, "contradiction between configuration and activity");
	ck_assert_ptr_nonnull(list_find_record(&v->bypass[0].findings, 900));
}
END_TEST

static void winrm_scoped_base(void)
{
	reset(1, 1);
	snap("service.winrm.start", "auto", "2024-01-01T00:00:00Z", "ControlSet001\\Services\\WinRM", "Start");
	snap("host.ipv4", "10.0.0.21", "2024-01-01T00:00:00Z", "Tcpip", "DhcpIPAddress");
	snap("winrm.listener.*+HTTP", "5985", "2024-01-01T00:00:00Z",
	     "Microsoft\\Windows\\CurrentVersion\\WSMAN\\Listener\\*+HTTP", "Port");
	snap("firewall.rule.WINRM-HTTP-In-TCP",
	     "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=5985|RA4=10.0.5.0/24|",
	     "2024-01-01T00:00:00Z", "ControlSet001\\Services\\SharedAccess\\Parameters\\FirewallPolicy\\FirewallRules",
	     "WINRM-HTTP-In-TCP");
}

START_TEST(winrm_restricted_inside_scope)
{
	const rt_cm_verdict *v;

	winrm_scoped_base();
	find("winrm.inbound", "2024-02-10T08:00:00Z", "10.0.5.10", 77, "WinRM shell created");
	v = run(RT_CM0019, NULL);
	ck_assert_int_eq(v->state, RT_CM_RESTRICTED);
	ck_assert_int_eq(v->bypassed, 0);
	ck_assert_ptr_nonnull(strstr(v->intervals[0].why, "10.0.5.0/24"));
	ck_assert(list_has_text(&v->evidence, "permitted use from inside the configured scope"));
	ck_assert_ptr_nonnull(list_find_record(&v->evidence, 77));
}
END_TEST

START_TEST(winrm_restricted_outside_scope)
{
	const rt_cm_verdict *v;

	winrm_scoped_base();
	find("winrm.inbound", "2024-02-10T08:00:00Z", "198.51.100.9", 78, "WinRM shell created");
	v = run(RT_CM0019, NULL);
	ck_assert_int_eq(v->state, RT_CM_RESTRICTED);
	ck_assert_int_eq(v->bypassed, 1);
	ck_assert_str_eq(v->bypass[0].route, "contradiction between configuration and activity");
	ck_assert_str_eq(v->bypass[0].findings.items[0].remote_ip, "198.51.100.9");
}
END_TEST

START_TEST(winrm_allowed_address_outside_intended)
{
	const rt_cm_verdict *v;

	winrm_scoped_base();
	find("winrm.inbound", "2024-02-10T08:00:00Z", "10.0.5.10", 79, "WinRM shell created");
	v = run(RT_CM0019, "10.0.5.200-10.0.5.210");
	ck_assert_int_eq(v->bypassed, 1);
	ck_assert_str_eq(v->bypass[0].route, "allowed remote address outside intended scope");
	ck_assert_ptr_nonnull(list_find_record(&v->bypass[0].findings, 79));
}
END_TEST

/* WinRM open from anywhere by the firewall, narrowed by the policy filters. */
static void winrm_filter_base(const char *v4, const char *v6)
{
	reset(1, 1);
	snap("service.winrm.start", "auto", "2024-01-01T00:00:00Z", "ControlSet001\\Services\\WinRM", "Start");
	snap("winrm.listener.*+HTTP", "5985", "2024-01-01T00:00:00Z", "WSMAN\\Listener\\*+HTTP", "Port");
	snap("firewall.rule.WINRM-HTTP-In-TCP", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=5985|",
	     "2024-01-01T00:00:00Z", "FirewallRules", "WINRM-HTTP-In-TCP");
	if (v4)
		snap("winrm.policy.service.ipv4_filter", v4, "2024-01-01T00:00:00Z",
		     "Policies\\Microsoft\\Windows\\WinRM\\Service", "IPv4Filter");
	if (v6)
		snap("winrm.policy.service.ipv6_filter", v6, "2024-01-01T00:00:00Z",
		     "Policies\\Microsoft\\Windows\\WinRM\\Service", "IPv6Filter");
}

START_TEST(winrm_ip_filters)
{
	const rt_cm_verdict *v;

	/* IPv4Filter alone: IPv6 is not filtered (::/0), IPv4 outside is used */
	winrm_filter_base("10.0.5.0/24", NULL);
	find("winrm.inbound", "2024-02-10T08:00:00Z", "fd00::9", 80, "WinRM shell created");
	find("winrm.inbound", "2024-02-11T08:00:00Z", "10.0.6.1", 81, "WinRM shell created");
	v = run(RT_CM0019, NULL);
	ck_assert_int_eq(v->state, RT_CM_RESTRICTED);
	ck_assert_str_eq(v->intervals[0].why, "WinRM policy accepts IPv4 requests only from the IPv4Filter ranges");
	ck_assert_ptr_nonnull(list_find_record(&v->evidence, 80));
	ck_assert_ptr_nonnull(list_find_record(&v->bypass[0].findings, 81));
	/* a blank IPv6Filter: Windows listens on no IPv6 address */
	winrm_filter_base("10.0.5.0/24", "");
	find("winrm.inbound", "2024-02-10T08:00:00Z", "fd00::9", 82, "WinRM shell created");
	v = run(RT_CM0019, NULL);
	ck_assert_int_eq(v->state, RT_CM_RESTRICTED);
	ck_assert_ptr_nonnull(list_find_record(&v->bypass[0].findings, 82));
	/* IPv6Filter alone */
	winrm_filter_base(NULL, "fd00:5::/64");
	v = run(RT_CM0019, NULL);
	ck_assert_int_eq(v->state, RT_CM_RESTRICTED);
	ck_assert_str_eq(v->intervals[0].why, "WinRM policy accepts IPv6 requests only from the IPv6Filter ranges");
	ck_assert(list_has_text(&v->intervals[0].basis, "winrm.policy.service.ipv6_filter = fd00:5::/64"));
	/* "*" for one family opens it: the filters restrict nothing */
	winrm_filter_base("10.0.5.0/24", "*");
	v = run(RT_CM0019, NULL);
	ck_assert_int_eq(v->state, RT_CM_NOT_IN_EFFECT);
	winrm_filter_base("*", "fd00:5::/64");
	v = run(RT_CM0019, NULL);
	ck_assert_int_eq(v->state, RT_CM_NOT_IN_EFFECT);
}
END_TEST

/* LocalSubnet from the interface facts, as the adapter gives them. */
START_TEST(local_subnet_from_interfaces)
{
	const rt_cm_verdict *v;
	const rt_evidence_item *e = NULL;
	size_t i;

	winrm_scoped_base();
	H.facts[3].value = "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=5985|RA4=LocalSubnet|RA6=LocalSubnet|";
	snap("host.interface.{A}", "10.0.2.9/255.255.252.0", "2024-01-01T00:00:00Z",
	     "ControlSet001\\Services\\Tcpip\\Parameters\\Interfaces\\{A}", NULL);
	snap("host.interface6.{A}", "fd00:5::9/64", "2024-01-01T00:00:00Z",
	     "ControlSet001\\Services\\Tcpip6\\Parameters\\Interfaces\\{A}", NULL);
	/* an interface first recorded later is taken as it was then */
	snap("host.interface.{B}", "192.168.7.1/24", "2024-01-20T00:00:00Z",
	     "ControlSet001\\Services\\Tcpip\\Parameters\\Interfaces\\{B}", NULL);
	find("winrm.inbound", "2024-01-10T08:00:00Z", "10.0.3.200", 90, "WinRM shell created");
	find("winrm.inbound", "2024-01-10T09:00:00Z", "fd00:5::77", 91, "WinRM shell created");
	find("winrm.inbound", "2024-01-10T10:00:00Z", "192.168.7.20", 92, "WinRM shell created");
	find("winrm.inbound", "2024-01-10T11:00:00Z", "10.0.4.1", 93, "WinRM shell created");
	v = run(RT_CM0019, "10.0.2.0/24");
	ck_assert_int_eq(v->intervals[0].state, RT_CM_RESTRICTED);
	for (i = 0; i < v->intervals[0].basis.n; i++)
		if (strstr(v->intervals[0].basis.items[i].text, "LocalSubnet includes 10.0.2.9/255.255.252.0"))
			e = &v->intervals[0].basis.items[i];
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->key, "ControlSet001\\Services\\Tcpip\\Parameters\\Interfaces\\{A}");
	ck_assert(list_has_text(&v->intervals[0].basis, "LocalSubnet includes fd00:5::9/64 (host.interface6.{A})"));
	ck_assert(list_has_text(&v->intervals[0].basis,
				"LocalSubnet includes 192.168.7.1/24 (host.interface.{B}, first recorded at 2024-01-20T00:00:00.0000000Z; taken as the same before)"));
	ck_assert(!list_has_text(&v->intervals[0].basis, "cannot be told"));
	ck_assert_str_eq(v->bypass[0].route, "allowed remote address outside intended scope");
	ck_assert_ptr_nonnull(list_find_record(&v->bypass[0].findings, 90));
	ck_assert_ptr_nonnull(list_find_record(&v->bypass[0].findings, 91));
	ck_assert_ptr_nonnull(list_find_record(&v->bypass[0].findings, 92));
	/* outside every local subnet: not admitted, yet used */
	ck_assert_str_eq(v->bypass[1].route, "contradiction between configuration and activity");
	ck_assert_ptr_nonnull(list_find_record(&v->bypass[1].findings, 93));
}
END_TEST

/* A scope that cannot be told for an address is no bypass; an unreadable
 * address does not make it so. */
START_TEST(local_subnet_unknown)
{
	const rt_cm_verdict *v;

	winrm_scoped_base();
	H.facts[1].name = "host.name";
	H.facts[3].value = "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=5985|RA4=LocalSubnet|";
	find("winrm.inbound", "2024-02-10T08:00:00Z", "10.0.3.200", 94, "WinRM shell created");
	find("winrm.inbound", "2024-02-10T09:00:00Z", "-", 95, "WinRM shell created");
	v = run(RT_CM0019, "10.0.2.0/24");
	ck_assert_int_eq(v->state, RT_CM_RESTRICTED);
	ck_assert(list_has_text(&v->intervals[0].basis, "LocalSubnet for IPv4 cannot be told"));
	ck_assert(list_has_text(&v->evidence, "use from an address the configured scope may admit"));
	ck_assert_ptr_nonnull(list_find_record(&v->evidence, 94));
	ck_assert_str_eq(v->bypass[0].route, "contradiction between configuration and activity");
	ck_assert_ptr_nonnull(list_find_record(&v->bypass[0].findings, 95));
	ck_assert_uint_eq(v->bypass[0].findings.n, 1);
}
END_TEST

START_TEST(winrm_not_in_effect)
{
	const rt_cm_verdict *v;

	reset(1, 1);
	snap("service.winrm.start", "auto", "2024-01-01T00:00:00Z", "ControlSet001\\Services\\WinRM", "Start");
	snap("winrm.listener.*+HTTP", "5985", "2024-01-01T00:00:00Z", "WSMAN\\Listener\\*+HTTP", "Port");
	snap("firewall.rule.WINRM-HTTP-In-TCP", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=5985|",
	     "2024-01-01T00:00:00Z", "FirewallRules", "WINRM-HTTP-In-TCP");
	find("winrm.inbound", "2024-02-10T08:00:00Z", "10.0.0.50", 12, "WinRM shell created");
	v = run(RT_CM0019, NULL);
	ck_assert_int_eq(v->state, RT_CM_NOT_IN_EFFECT);
	ck_assert_int_eq(v->bypassed, -1);
	ck_assert(list_has_text(&v->intervals[0].basis, "firewall.rule.WINRM-HTTP-In-TCP"));
	ck_assert(list_has_text(&v->evidence, "use while not in effect"));
}
END_TEST

START_TEST(unknown_without_hives)
{
	const rt_cm_verdict *v;

	reset(0, 0);
	find("winrm.inbound", "2024-02-10T08:00:00Z", "10.0.0.50", 12, "WinRM shell created");
	v = run(RT_CM0019, NULL);
	ck_assert_int_eq(v->state, RT_CM_UNKNOWN);
	ck_assert_int_eq(v->bypassed, -1);
	ck_assert_ptr_nonnull(strstr(v->intervals[0].why, "SYSTEM hive missing"));
	v = &H.res->cm[RT_CM0013];
	ck_assert_int_eq(v->state, RT_CM_UNKNOWN);
	ck_assert_ptr_nonnull(strstr(v->intervals[0].why, "SYSTEM hive missing"));
	v = &H.res->cm[RT_CM0012];
	ck_assert_int_eq(v->state, RT_CM_UNKNOWN);
	ck_assert_ptr_nonnull(strstr(v->intervals[0].why, "SOFTWARE hive missing"));
	ck_assert_int_eq(H.res->cm[RT_CM0019].monitoring.in_effect, 0);
}
END_TEST

/* A drop by the firewall is a blocked attempt; a refusal the WinRM service
 * itself logged while it was "disabled" proves the path was open. */
START_TEST(blocked_attempts_only)
{
	const rt_cm_verdict *v;
	rt_assess_finding *f;

	winrm_disabled_base();
	find("firewall.drop", "2024-02-10T08:00:01Z", "203.0.113.7", 1002, "inbound 5985 dropped")->port = 5985;
	f = find("winrm.failed", "2024-02-10T08:00:02Z", "203.0.113.7", 1003, "WFP dropped a WinRM connection");
	f->src.event_id = 5157;
	v = run(RT_CM0019, NULL);
	ck_assert_int_eq(v->state, RT_CM_IN_EFFECT);
	ck_assert_int_eq(v->bypassed, 0);
	ck_assert_uint_eq(v->nbypass, 0);
	ck_assert_uint_eq(v->evidence.n, 2);
	ck_assert_ptr_nonnull(strstr(v->evidence.items[0].text, "blocked attempt"));
	ck_assert_uint_eq(v->evidence.items[0].record_id, 1002);
	ck_assert_ptr_nonnull(strstr(v->evidence.items[1].text, "blocked attempt"));
	ck_assert_uint_eq(v->last_activity, T("2024-02-10T08:00:02Z"));

	/* WinRM 192 from the service: it answered, so it was running */
	f = find("winrm.failed", "2024-02-10T08:00:00Z", "203.0.113.7", 1001, "WinRM authentication failed");
	f->src.event_id = 192;
	v = run(RT_CM0019, NULL);
	ck_assert_int_eq(v->bypassed, 1);
	ck_assert_str_eq(v->bypass[0].route, "contradiction between configuration and activity");
	ck_assert_ptr_nonnull(list_find_record(&v->bypass[0].findings, 1001));
	ck_assert_ptr_nonnull(strstr(v->bypass[0].findings.items[0].text, "refused attempt that reached the service"));
	/* the client side of someone else's refusal is not this host's attempt */
	H.finds[H.nfinds - 1].direction = -1;
	v = run(RT_CM0019, NULL);
	ck_assert_int_eq(v->bypassed, 0);
}
END_TEST

START_TEST(monitoring_log_gap)
{
	const rt_cm_verdict *v;
	rt_assess_finding *f;

	winrm_disabled_base();
	H.nlogs = 1; /* no PowerShell/Operational */
	f = find("log.cleared", "2024-02-03T00:00:00Z", NULL, 55, "Microsoft-Windows-WinRM/Operational was cleared");
	f->detail = "Microsoft-Windows-WinRM/Operational";
	H.facts[2].value = "false";
	v = run(RT_CM0019, NULL);
	ck_assert_int_eq(v->monitoring.in_effect, 0);
	ck_assert_int_eq(v->monitoring.winrm_log, 1);
	ck_assert_int_eq(v->monitoring.ps_log, 0);
	ck_assert_int_eq(v->monitoring.module_logging, 0);
	ck_assert(list_has_text(&v->monitoring.gaps, "PowerShell/Operational log missing"));
	ck_assert(list_has_text(&v->monitoring.gaps, "log cleared"));
	ck_assert_ptr_nonnull(list_find_record(&v->monitoring.gaps, 55));
	ck_assert(list_has_text(&v->monitoring.gaps, "module logging is off"));
}
END_TEST

START_TEST(winrm_alternate_listener)
{
	const rt_cm_verdict *v;

	reset(1, 1);
	snap("service.winrm.start", "auto", "2024-01-01T00:00:00Z", "Services\\WinRM", "Start");
	snap("winrm.listener.*+HTTP", "8080", "2024-01-01T00:00:00Z", "WSMAN\\Listener\\*+HTTP", "Port");
	find("winrm.inbound", "2024-02-10T08:00:00Z", "10.0.0.50", 31, "WinRM shell created")->port = 8080;
	v = run(RT_CM0019, NULL);
	ck_assert_int_eq(v->state, RT_CM_IN_EFFECT);
	ck_assert_int_eq(v->bypassed, 1);
	ck_assert_str_eq(v->bypass[0].route, "alternate port or listener");
}
END_TEST

START_TEST(winrm_policy_local_conflict)
{
	const rt_cm_verdict *v;
	rt_fact *f;

	reset(1, 1);
	snap("service.winrm.start", "auto", "2024-01-01T00:00:00Z", "Services\\WinRM", "Start");
	snap("winrm.listener.*+HTTP", "5985", "2024-01-01T00:00:00Z", "WSMAN\\Listener\\*+HTTP", "Port");
	/* AllowLocalPolicyMerge is per profile ([MS-GPFAS] 2.2.3.13): off on all three */
	snap("firewall.policy.profile.domain.allow_local_policy_merge", "0", "2024-01-01T00:00:00Z",
	     "Policies\\Microsoft\\WindowsFirewall\\DomainProfile", "AllowLocalPolicyMerge");
	snap("firewall.policy.profile.private.allow_local_policy_merge", "0", "2024-01-01T00:00:00Z",
	     "Policies\\Microsoft\\WindowsFirewall\\PrivateProfile", "AllowLocalPolicyMerge");
	snap("firewall.policy.profile.public.allow_local_policy_merge", "0", "2024-01-01T00:00:00Z",
	     "Policies\\Microsoft\\WindowsFirewall\\PublicProfile", "AllowLocalPolicyMerge");
	f = snap("firewall.policy.profile.domain.enabled", "true", "2024-01-01T00:00:00Z",
		 "Policies\\Microsoft\\WindowsFirewall\\DomainProfile", "EnableFirewall");
	(void)f;
	snap("firewall.rule.Open5985", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=5985|",
	     "2024-01-01T00:00:00Z", "FirewallRules", "Open5985");
	find("winrm.inbound", "2024-02-10T08:00:00Z", "10.0.0.50", 41, "WinRM shell created");
	v = run(RT_CM0019, NULL);
	ck_assert_int_eq(v->state, RT_CM_IN_EFFECT);
	ck_assert(list_has_text(&v->intervals[0].basis, "local rule not applied"));
	ck_assert_int_eq(v->bypassed, 1);
	ck_assert_str_eq(v->bypass[0].route, "policy and local settings in conflict");
}
END_TEST

START_TEST(winrm_service_started_on_demand)
{
	const rt_cm_verdict *v;
	rt_assess_finding *g;

	reset(1, 1);
	snap("service.winrm.start", "manual", "2024-01-01T00:00:00Z", "Services\\WinRM", "Start");
	snap("winrm.listener.*+HTTP", "5985", "2024-01-01T00:00:00Z", "WSMAN\\Listener\\*+HTTP", "Port");
	g = find("service.change", "2024-02-10T07:59:00Z", NULL, 61, "Windows Remote Management (WinRM) entered the running state");
	g->src.file = SYSEVTX;
	find("winrm.inbound", "2024-02-10T08:00:00Z", "10.0.0.50", 62, "WinRM shell created");
	v = run(RT_CM0019, NULL);
	ck_assert_int_eq(v->state, RT_CM_IN_EFFECT); /* firewall closed: no WinRM rule */
	ck_assert_int_eq(v->bypassed, 1);
	ck_assert_str_eq(v->bypass[0].route, "service started on demand");
	ck_assert_ptr_nonnull(list_find_record(&v->bypass[0].changes, 61));
}
END_TEST

static void wmi_policy_base(void)
{
	reset(1, 1);
	snap("firewall.policy.profile.domain.enabled", "1", "2024-01-01T00:00:00Z",
	     "Policies\\Microsoft\\WindowsFirewall\\DomainProfile", "EnableFirewall");
	snap("firewall.policy.profile.domain.default_inbound", "block", "2024-01-01T00:00:00Z",
	     "Policies\\Microsoft\\WindowsFirewall\\DomainProfile", "DefaultInboundAction");
	snap("dcom.enabled", "Y", "2024-01-01T00:00:00Z", "Microsoft\\Ole", "EnableDCOM");
}

START_TEST(wmi_in_effect_by_policy)
{
	const rt_cm_verdict *v;

	wmi_policy_base();
	v = run(RT_CM0013, NULL);
	ck_assert_int_eq(v->state, RT_CM_IN_EFFECT);
	ck_assert_int_eq(v->bypassed, 0);
	ck_assert(list_has_text(&v->intervals[0].basis, "firewall.policy.profile.domain.enabled = 1"));
}
END_TEST

START_TEST(wmi_admin_subnet_is_restricted)
{
	const rt_cm_verdict *v;
	rt_fact *f;

	wmi_policy_base();
	/* remote WMI needs both: RPCSS on 135 and Winmgmt on its RPC port */
	f = snap("firewall.rule.WMI-WINMGMT-In-TCP",
		 "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|App=%SystemRoot%\\system32\\svchost.exe|Svc=winmgmt|RA4=10.0.9.0/24|",
		 "2024-01-01T00:00:00Z", "Policies\\Microsoft\\WindowsFirewall\\FirewallRules", "WMI-WINMGMT-In-TCP");
	f->policy = 1;
	f->src.file = SOFT;
	v = run(RT_CM0013, NULL);
	ck_assert_int_eq(v->state, RT_CM_IN_EFFECT); /* Winmgmt alone: 135 still closed */
	f = snap("firewall.rule.WMI-RPCSS-In-TCP",
		 "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=RPC-EPMap|App=%SystemRoot%\\system32\\svchost.exe|Svc=RPCSS|RA4=10.0.9.0/24|",
		 "2024-01-01T00:00:00Z", "Policies\\Microsoft\\WindowsFirewall\\FirewallRules", "WMI-RPCSS-In-TCP");
	f->policy = 1;
	f->src.file = SOFT;
	find("wmi.inbound", "2024-02-10T08:00:00Z", "10.0.7.33", 71, "WmiPrvSE started cmd.exe");
	v = run(RT_CM0013, NULL);
	ck_assert_int_eq(v->state, RT_CM_RESTRICTED);
	ck_assert_int_eq(v->bypassed, 1);
	ck_assert_str_eq(v->bypass[0].route, "contradiction between configuration and activity");
}
END_TEST

START_TEST(wmi_firewall_off)
{
	const rt_cm_verdict *v;

	reset(1, 1);
	snap("firewall.profile.domain.enabled", "0", "2024-01-01T00:00:00Z", "DomainProfile", "EnableFirewall");
	snap("firewall.profile.private.enabled", "0", "2024-01-01T00:00:00Z", "StandardProfile", "EnableFirewall");
	snap("firewall.profile.public.enabled", "0", "2024-01-01T00:00:00Z", "PublicProfile", "EnableFirewall");
	v = run(RT_CM0013, NULL);
	ck_assert_int_eq(v->state, RT_CM_NOT_IN_EFFECT);
	ck_assert_int_eq(v->bypassed, -1);
	ck_assert_str_eq(v->intervals[0].why, "the firewall is off on every profile");
}
END_TEST

START_TEST(fw_profile_names)
{
	char out[32];

	ck_assert_uint_eq(rt_fw_profile_mask("Domain"), RT_FW_PROF_DOMAIN);
	ck_assert_uint_eq(rt_fw_profile_mask("Public, DOMAIN"), RT_FW_PROF_DOMAIN | RT_FW_PROF_PUBLIC);
	ck_assert_uint_eq(rt_fw_profile_mask("Standard|public"), RT_FW_PROF_PRIVATE | RT_FW_PROF_PUBLIC);
	ck_assert_uint_eq(rt_fw_profile_mask("Domain,Elsewhere"), 0);
	ck_assert_uint_eq(rt_fw_profile_mask("Domainx"), 0);
	ck_assert_uint_eq(rt_fw_profile_mask(" , "), 0);
	ck_assert_uint_eq(rt_fw_profile_mask(""), 0);
	ck_assert_uint_eq(rt_fw_profile_mask(NULL), 0);
	ck_assert_uint_eq(rt_fw_profile_list(RT_FW_PROF_PUBLIC | RT_FW_PROF_DOMAIN, out, sizeof out), 13);
	ck_assert_str_eq(out, "domain,public");
	ck_assert_uint_eq(rt_fw_profile_list(0, out, sizeof out), 0);
	ck_assert_str_eq(out, "");
	rt_fw_profile_list(7, out, 10);
	ck_assert_str_eq(out, "domain");
}
END_TEST

#define SECEVTX "C/Windows/System32/winevt/Logs/Security.evtx"

/* Local firewall on for domain and private with inbound block, off for
 * public, private's inbound default allow. */
static void fw_mixed_base(void)
{
	reset(1, 1);
	snap("firewall.profile.domain.enabled", "1", "2024-01-01T00:00:00Z", "DomainProfile", "EnableFirewall");
	snap("firewall.profile.private.enabled", "1", "2024-01-01T00:00:00Z", "StandardProfile", "EnableFirewall");
	snap("firewall.profile.public.enabled", "0", "2024-01-01T00:00:00Z", "PublicProfile", "EnableFirewall");
	snap("firewall.profile.private.default_inbound", "allow", "2024-01-01T00:00:00Z", "StandardProfile",
	     "DefaultInboundAction");
	snap("dcom.enabled", "Y", "2024-01-01T00:00:00Z", "Microsoft\\Ole", "EnableDCOM");
}

START_TEST(fw_active_profile)
{
	const rt_cm_verdict *v;

	/* not recorded: open on the private (default allow) and public (off)
	 * profiles, closed on the domain one: which applies is not known */
	fw_mixed_base();
	v = run(RT_CM0013, NULL);
	ck_assert_uint_eq(v->nintervals, 1);
	ck_assert_int_eq(v->state, RT_CM_RESTRICTED);
	ck_assert_ptr_nonnull(strstr(v->intervals[0].why,
				     "remote WMI (DCOM) gets in from any address on the private,public profiles only"));
	ck_assert_ptr_nonnull(strstr(v->intervals[0].why, "let in by the default inbound action (allow)"));
	ck_assert_ptr_nonnull(strstr(v->intervals[0].why,
				     "the active profile is not recorded: Security 4956 events (Audit MPSSVC Rule-Level "
				     "Policy Change) or the Microsoft-Windows-NetworkProfile/Operational log would "
				     "settle it"));

	/* domain active: closed there by Windows' defaults, the others noted */
	change("firewall.active_profile", "domain", "public", "2024-02-01T00:00:00Z", SECEVTX, 900, 4956);
	v = run(RT_CM0013, NULL);
	ck_assert_uint_eq(v->nintervals, 2);
	ck_assert_int_eq(v->intervals[0].state, RT_CM_RESTRICTED); /* old_value is not used */
	ck_assert_int_eq(v->intervals[1].state, RT_CM_IN_EFFECT);
	ck_assert_ptr_nonnull(strstr(v->intervals[1].why, "the WMI service (Winmgmt) on its RPC endpoint: no rule"));
	ck_assert_ptr_nonnull(strstr(v->intervals[1].why,
				     "; judged on the active firewall profile (domain); the firewall is off on "
				     "the public profile, not active then; inbound default is allow on the "
				     "private profile, not active then"));
	ck_assert(list_has_text(&v->intervals[1].basis,
				"active firewall profile domain since 2024-02-01T00:00:00.0000000Z"));
	ck_assert(list_has_text(&v->intervals[1].basis,
				"firewall.profile.public.enabled = 0 (profile not active)"));
	ck_assert_ptr_nonnull(list_find_record(&v->intervals[1].basis, 900));

	/* domain and public active: public is off */
	change("firewall.active_profile", "domain,public", NULL, "2024-03-01T00:00:00Z", SECEVTX, 901, 4956);
	v = run(RT_CM0013, NULL);
	ck_assert_uint_eq(v->nintervals, 3);
	/* the evidence ends at that change: an instant never decides the headline */
	ck_assert_int_eq(v->intervals[2].state, RT_CM_NOT_IN_EFFECT);
	ck_assert_uint_eq(v->intervals[2].from, v->intervals[2].to);
	ck_assert_int_eq(v->state, RT_CM_IN_EFFECT);
	ck_assert_str_eq(v->intervals[2].why,
			 "the firewall is off on the active public profile; judged on the active "
			 "firewall profiles (domain,public); inbound default is allow on the private "
			 "profile, not active then");

	/* an unreadable ActiveProfile: not known from then on */
	change("firewall.active_profile", "Somewhere", NULL, "2024-04-01T00:00:00Z", SECEVTX, 902, 4956);
	v = run(RT_CM0013, NULL);
	ck_assert_uint_eq(v->nintervals, 4);
	ck_assert_ptr_nonnull(strstr(v->intervals[3].why, "the active profile is not recorded"));

	/* CM0012 reads the same firewall */
	v = run(RT_CM0012, NULL);
	ck_assert_int_eq(v->intervals[1].state, RT_CM_RESTRICTED);
	ck_assert_ptr_nonnull(strstr(v->intervals[1].why, "judged on the active firewall profile (domain)"));
}
END_TEST

#define NPEVTX "C/Windows/System32/winevt/Logs/Microsoft-Windows-NetworkProfile%4Operational.evtx"

START_TEST(fw_active_profile_and_networks)
{
	const rt_cm_verdict *v;

	fw_mixed_base();
	/* connected before the 4956, which names every active profile: not counted */
	change("network.connection.{a}", "public", NULL, "2024-01-15T00:00:00Z", NPEVTX, 10, 10000);
	change("firewall.active_profile", "domain", NULL, "2024-02-01T00:00:00Z", SECEVTX, 900, 4956);
	change("network.connection.{b}", "public", NULL, "2024-03-01T00:00:00Z", NPEVTX, 11, 10000);
	change("network.connection.{b}", NULL, NULL, "2024-04-01T00:00:00Z", NPEVTX, 12, 10001);
	v = run(RT_CM0013, NULL);
	ck_assert_uint_eq(v->nintervals, 5);
	ck_assert_str_eq(v->intervals[1].why,
			 "the firewall is off on the public profile, which a connected network uses");
	ck_assert_int_eq(v->intervals[2].state, RT_CM_IN_EFFECT);
	ck_assert_ptr_nonnull(strstr(v->intervals[2].why, "judged on the active firewall profile (domain)"));
	ck_assert(!list_has_text(&v->intervals[2].basis, "network {a}"));
	ck_assert_int_eq(v->intervals[3].state, RT_CM_NOT_IN_EFFECT);
	ck_assert_uint_eq(v->intervals[3].from, T("2024-03-01T00:00:00Z"));
	ck_assert_str_eq(v->intervals[3].why,
			 "the firewall is off on the active public profile; judged on the active "
			 "firewall profiles (domain,public); inbound default is allow on the private "
			 "profile, not active then");
	ck_assert(list_has_text(&v->intervals[3].basis,
				"network {b} (public profile) connected since 2024-03-01"));
	ck_assert_uint_eq(v->intervals[4].from, T("2024-04-01T00:00:00Z"));
	ck_assert_int_eq(v->state, RT_CM_NOT_IN_EFFECT); /* [04-01, 04-01] is an instant */
	ck_assert_ptr_nonnull(strstr(v->state_why, "the state at the end of the evidence"));
}
END_TEST

START_TEST(dcom_disabled_denied_and_bypassed)
{
	const rt_cm_verdict *v;

	reset(1, 1);
	snap("dcom.enabled", "N", "2024-01-01T00:00:00Z", "Microsoft\\Ole", "EnableDCOM");
	find("dcom.denied", "2024-02-10T08:00:00Z", "10.0.0.8", 81, "remote launch of MMC20.Application denied");
	v = run(RT_CM0012, NULL);
	ck_assert_int_eq(v->state, RT_CM_IN_EFFECT);
	ck_assert_int_eq(v->bypassed, 0);
	ck_assert(list_has_text(&v->evidence, "blocked attempt"));
	find("dcom.inbound", "2024-02-11T08:00:00Z", "10.0.0.8", 82, "mmc.exe -Embedding started cmd.exe");
	v = run(RT_CM0012, NULL);
	ck_assert_int_eq(v->bypassed, 1);
	ck_assert_ptr_nonnull(list_find_record(&v->bypass[0].findings, 82));
	ck_assert_str_eq(v->intervals[0].basis.items[0].key, "Microsoft\\Ole");
}
END_TEST

/* A write of the machine launch restriction seen in the logs (Sysmon 13)
 * without its data: the restriction is unknown from then until a later
 * snapshot; Group Policy's restriction, when set, still decides. */
START_TEST(dcom_restriction_rewritten)
{
	const rt_cm_verdict *v;

	reset(1, 1);
	snap("dcom.enabled", "Y", "2024-01-01T00:00:00Z", "Microsoft\\Ole", "EnableDCOM");
	snap("dcom.machine_launch_restriction", "O:BAG:BAD:(A;;CCDCLCSWRP;;;S-1-5-21-1-2-3-5123)",
	     "2024-01-01T00:00:00Z", "Microsoft\\Ole", "MachineLaunchRestriction");
	change("dcom.machine_launch_restriction.changed", "written", NULL, "2024-02-01T00:00:00Z",
	       SYSEVTX, 91, 13);
	find("dcom.inbound", "2024-02-11T08:00:00Z", "10.0.0.8", 82,
	     "mmc.exe -Embedding started cmd.exe");
	v = run(RT_CM0012, NULL);
	ck_assert_uint_eq(v->nintervals, 2);
	ck_assert_int_eq(v->intervals[0].state, RT_CM_RESTRICTED);
	ck_assert_int_eq(v->intervals[1].state, RT_CM_UNKNOWN);
	ck_assert_ptr_nonnull(
	    strstr(v->intervals[1].why, "launch restriction was rewritten at 2024-02-01T00:00:00"));
	ck_assert_ptr_nonnull(list_find_record(&v->intervals[1].basis, 91));
	ck_assert(list_has_text(&v->evidence, "use while the state is unknown"));
	snap("dcom.policy.machine_launch_restriction",
	     "O:BAG:BAD:(A;;CCDCLCSWRP;;;S-1-5-21-1-2-3-5123)", "2024-01-01T00:00:00Z",
	     "Policies\\Microsoft\\Windows NT\\DCOM", "MachineLaunchRestriction");
	v = run(RT_CM0012, NULL);
	ck_assert_uint_eq(v->nintervals, 1);
	ck_assert_int_eq(v->intervals[0].state, RT_CM_RESTRICTED);
}
END_TEST

START_TEST(snapshot_before_lastwrite_is_unknown)
{
	const rt_cm_verdict *v;

	reset(1, 0);
	snap("service.winrm.start", "disabled", "2024-02-01T00:00:00Z", "Services\\WinRM", "Start");
	snap("firewall.rule.WINRM-HTTP-In-TCP", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=5985|",
	     "2024-01-01T00:00:00Z", "FirewallRules", "WINRM-HTTP-In-TCP");
	find("winrm.inbound", "2024-01-15T08:00:00Z", "10.0.0.50", 12, "WinRM shell created");
	v = run(RT_CM0019, NULL);
	ck_assert_uint_eq(v->nintervals, 2);
	ck_assert_int_eq(v->intervals[0].state, RT_CM_UNKNOWN);
	ck_assert_ptr_nonnull(strstr(v->intervals[0].why, "not recorded this early"));
	ck_assert_int_eq(v->intervals[1].state, RT_CM_IN_EFFECT);
	ck_assert_int_eq(v->bypassed, 0);
	ck_assert(list_has_text(&v->evidence, "state is unknown"));
}
END_TEST

START_TEST(deterministic_order)
{
	rt_assess_result *a;
	rt_fact tmp;

	winrm_disabled_base();
	change("service.winrm.start", "auto", "disabled", "2024-02-01T10:00:00Z", SYSEVTX, 4711, 7040);
	find("winrm.inbound", "2024-02-01T10:05:00Z", "203.0.113.7", 501, "x");
	run(RT_CM0019, NULL);
	a = H.res;
	H.res = NULL;
	tmp = H.facts[0];
	H.facts[0] = H.facts[H.nfacts - 1];
	H.facts[H.nfacts - 1] = tmp;
	run(RT_CM0019, NULL);
	ck_assert_uint_eq(a->cm[RT_CM0019].nintervals, H.res->cm[RT_CM0019].nintervals);
	ck_assert_str_eq(a->cm[RT_CM0019].bypass[0].explanation, H.res->cm[RT_CM0019].bypass[0].explanation);
	rt_assess_result_free(&a);
}
END_TEST

START_TEST(scopes)
{
	ck_assert_int_eq(rt_scope_contains("10.0.0.0/24", "10.0.0.7", NULL), 1);
	ck_assert_int_eq(rt_scope_contains("10.0.0.0/24", "10.0.1.7", NULL), 0);
	ck_assert_int_eq(rt_scope_contains("10.0.0.0/255.255.0.0", "10.0.1.7", NULL), 1);
	ck_assert_int_eq(rt_scope_contains("10.0.0.1-10.0.0.9,192.168.1.1", "192.168.1.1", NULL), 1);
	ck_assert_int_eq(rt_scope_contains("10.0.0.1-10.0.0.9", "10.0.0.10", NULL), 0);
	ck_assert_int_eq(rt_scope_contains("10.0.0.0/255.255.255.0", "10.0.1.7", NULL), 0);
	ck_assert_int_eq(rt_scope_contains("10.0.0.0/255.0.255.0", "10.0.1.7", NULL), -1);
	ck_assert_int_eq(rt_scope_contains("0.0.0.0/0", "203.0.113.9", NULL), 1);
	ck_assert_int_eq(rt_scope_contains("10.0.0.7/32", "10.0.0.7", NULL), 1);
	ck_assert_int_eq(rt_scope_contains("10.0.0.7/32", "10.0.0.8", NULL), 0);
	ck_assert_int_eq(rt_scope_contains("*", "fe80::1", NULL), 1);
	ck_assert_int_eq(rt_scope_contains("10.0.0.0/24", "fe80::1", NULL), 0);
	ck_assert_int_eq(rt_scope_contains("10.0.0.0/33", "10.0.0.1", NULL), -1);
	ck_assert_int_eq(rt_scope_contains("300.0.0.1", "10.0.0.1", NULL), -1);
	ck_assert_int_eq(rt_scope_contains("10.0.0.0/24,DNS", "10.0.0.1", NULL), 1);
	ck_assert_int_eq(rt_scope_contains("10.0.0.0/24,DNS", "10.0.9.1", NULL), -1);
	ck_assert_int_eq(rt_scope_contains("10.0.0.0/24", "", NULL), -1);
	ck_assert_int_eq(rt_scope_contains("10.0.0.0/24", NULL, NULL), -1);
	ck_assert_int_eq(rt_scope_is_any("Any"), 1);
	ck_assert_int_eq(rt_scope_is_any(""), 1);
	ck_assert_int_eq(rt_scope_is_any("10.0.0.1"), 0);
}
END_TEST

START_TEST(scopes_ipv6)
{
	/* forms: compressed, full, leading/trailing ::, mixed case */
	ck_assert_int_eq(rt_scope_contains("::", "::", NULL), 1);
	ck_assert_int_eq(rt_scope_contains("::", "::1", NULL), 0);
	ck_assert_int_eq(rt_scope_contains("::1", "0:0:0:0:0:0:0:1", NULL), 1);
	ck_assert_int_eq(rt_scope_contains("2001:DB8::10", "2001:db8:0:0::10", NULL), 1);
	ck_assert_int_eq(rt_scope_contains("2001:db8::", "2001:db8:0:0:0:0:0:0", NULL), 1);
	ck_assert_int_eq(rt_scope_contains("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0", NULL), 1);
	ck_assert_int_eq(rt_scope_contains("fe80::/64", "fe80::1:2:3:4", NULL), 1);
	ck_assert_int_eq(rt_scope_contains("fe80::/64", "fe80:0:0:1::4", NULL), 0);
	ck_assert_int_eq(rt_scope_contains("fd00:5::/63", "fd00:5:0:1::9", NULL), 1);
	ck_assert_int_eq(rt_scope_contains("fd00:5::/63", "fd00:5:0:2::9", NULL), 0);
	ck_assert_int_eq(rt_scope_contains("::/0", "2001:db8::1", NULL), 1);
	ck_assert_int_eq(rt_scope_contains("::/0", "10.0.0.1", NULL), 0);
	ck_assert_int_eq(rt_scope_contains("2001:db8::10/128", "2001:db8::10", NULL), 1);
	ck_assert_int_eq(rt_scope_contains("2001:db8::10/128", "2001:db8::11", NULL), 0);
	ck_assert_int_eq(rt_scope_contains("2001:db8::1-2001:db8::ff", "2001:db8::80", NULL), 1);
	ck_assert_int_eq(rt_scope_contains("2001:db8::1-2001:db8::ff", "2001:db8::100", NULL), 0);
	/* zone and brackets on the address are not part of it */
	ck_assert_int_eq(rt_scope_contains("fe80::/64", "fe80::1%12", NULL), 1);
	ck_assert_int_eq(rt_scope_contains("::1", "[::1]", NULL), 1);
	/* IPv4-mapped addresses are the IPv4 address, also as scope and prefix */
	ck_assert_int_eq(rt_scope_contains("10.0.0.0/8", "::ffff:10.0.0.1", NULL), 1);
	ck_assert_int_eq(rt_scope_contains("::ffff:10.0.0.1", "10.0.0.1", NULL), 1);
	ck_assert_int_eq(rt_scope_contains("::ffff:10.0.0.0/104", "10.9.0.1", NULL), 1);
	ck_assert_int_eq(rt_scope_contains("::ffff:10.0.0.0/104", "11.0.0.1", NULL), 0);
	ck_assert_int_eq(rt_scope_contains("::ffff:a00:1", "10.0.0.1", NULL), 1);
	ck_assert_int_eq(rt_scope_contains("64:ff9b::/96", "64:ff9b::192.0.2.1", NULL), 1);
	/* mixed families in one list */
	ck_assert_int_eq(rt_scope_contains("10.0.5.0/24,fd00:5::/64", "fd00:5::7", NULL), 1);
	ck_assert_int_eq(rt_scope_contains("10.0.5.0/24,fd00:5::/64", "10.0.5.7", NULL), 1);
	ck_assert_int_eq(rt_scope_contains("10.0.5.0/24,fd00:5::/64", "fd00:6::7", NULL), 0);
	/* bad input: cannot tell */
	ck_assert_int_eq(rt_scope_contains("fe80::/129", "fe80::1", NULL), -1);
	ck_assert_int_eq(rt_scope_contains("fe80::/", "fe80::1", NULL), -1);
	ck_assert_int_eq(rt_scope_contains("1::2::3", "1::3", NULL), -1);
	ck_assert_int_eq(rt_scope_contains(":1::3", "1::3", NULL), -1);
	ck_assert_int_eq(rt_scope_contains("1:2:3:4:5:6:7:8:9", "1::3", NULL), -1);
	ck_assert_int_eq(rt_scope_contains("1:2:3:4:5:6:7::8", "1::3", NULL), -1);
	ck_assert_int_eq(rt_scope_contains("12345::1", "1::3", NULL), -1);
	ck_assert_int_eq(rt_scope_contains("fe80::g", "1::3", NULL), -1);
	ck_assert_int_eq(rt_scope_contains("1:", "1::3", NULL), -1);
	ck_assert_int_eq(rt_scope_contains("::ffff:10.0.0.0/64", "10.0.0.1", NULL), -1);
	ck_assert_int_eq(rt_scope_contains("10.0.0.1-fe80::1", "10.0.0.5", NULL), -1);
	ck_assert_int_eq(rt_scope_contains("fe80::/64", "fe80:::1", NULL), -1);
	ck_assert_int_eq(rt_scope_contains("fe80::/64", "not-an-address", NULL), -1);
}
END_TEST

START_TEST(scopes_local_subnet)
{
	const char *local = "10.1.2.3/255.255.0.0,192.168.5.9/24";

	ck_assert_int_eq(rt_scope_contains("LocalSubnet", "10.1.77.1", local), 1);
	ck_assert_int_eq(rt_scope_contains("LocalSubnet", "192.168.5.200", local), 1);
	ck_assert_int_eq(rt_scope_contains("LocalSubnet", "10.2.0.1", local), 0);
	ck_assert_int_eq(rt_scope_contains("localsubnet", "10.1.0.1", local), 1);
	ck_assert_int_eq(rt_scope_contains("LocalSubnet", "10.0.0.10", NULL), -1);
	/* no IPv6 subnet known: IPv6 addresses cannot be told */
	ck_assert_int_eq(rt_scope_contains("LocalSubnet", "fd00::1", local), -1);
	ck_assert_int_eq(rt_scope_contains("LocalSubnet", "fd00::1", "fd00::7/64"), 1);
	ck_assert_int_eq(rt_scope_contains("LocalSubnet", "fd01::1", "fd00::7/64"), 0);
	ck_assert_int_eq(rt_scope_contains("LocalSubnet", "10.0.0.1", "fd00::7/64"), -1);
	/* the local subnets may not name keywords or "any" */
	ck_assert_int_eq(rt_scope_contains("LocalSubnet", "10.0.0.1", "LocalSubnet"), -1);
	ck_assert_int_eq(rt_scope_contains("LocalSubnet", "10.0.0.1", ""), -1);
	ck_assert_int_eq(rt_scope_contains("LocalSubnet", "10.0.0.1", "*"), -1);
	ck_assert_int_eq(rt_scope_contains("LocalSubnet,10.9.0.0/16", "10.9.1.1", NULL), 1);

	ck_assert_int_eq(rt_scope_is_literal("fd00:5::/64,2001:db8::10,10.0.5.0/24"), 1);
	ck_assert_int_eq(rt_scope_is_literal(" 10.0.0.1 , ::1 "), 1);
	ck_assert_int_eq(rt_scope_is_literal("10.0.0.1-10.0.0.9"), 1);
	ck_assert_int_eq(rt_scope_is_literal("*"), 1);
	ck_assert_int_eq(rt_scope_is_literal("LocalSubnet"), 0);
	ck_assert_int_eq(rt_scope_is_literal("10.0.0.1,"), 0);
	ck_assert_int_eq(rt_scope_is_literal(""), 0);
	ck_assert_int_eq(rt_scope_is_literal(NULL), 0);
	ck_assert_int_eq(rt_scope_is_literal("nonsense"), 0);
	ck_assert_int_eq(rt_scope_is_literal("fd00::/200"), 0);
}
END_TEST

static void teardown(void)
{
	rt_assess_result_free(&H.res);
}

/* Change points handed over as a setting's name and text, as the detect
 * module extracts them from command lines (netsh in a 4688, Set-Service in
 * a 4104): typed by config's one conversion, they move the state. */
START_TEST(change_points_from_command_lines)
{
	const rt_cm_verdict *v;

	winrm_disabled_base();
	snap("winrm.listener.*+HTTP", "5985", "2024-01-01T00:00:00Z", "WSMAN\\Listener\\*+HTTP", "Port");
	snap("firewall.rule.WINRM-HTTP-In-TCP", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=5985|App=System|",
	     "2024-01-01T00:00:00Z", "FirewallRules", "WINRM-HTTP-In-TCP");
	change("service.winrm.start", "Automatic", NULL, "2024-02-01T00:00:00Z", PSEVTX, 77, 4104);
	find("winrm.inbound", "2024-02-10T08:00:00Z", "10.0.0.50", 41, "WinRM shell created");
	v = run(RT_CM0019, NULL);
	ck_assert_uint_eq(v->nintervals, 2);
	ck_assert_int_eq(v->intervals[1].state, RT_CM_NOT_IN_EFFECT);
	ck_assert(list_has_text(&v->intervals[1].basis, "service.winrm.start = Automatic"));
	ck_assert_str_eq(v->bypass[0].route, "re-enabled then used");

	/* netsh advfirewall set allprofiles state off: "off" for each profile */
	wmi_policy_base();
	change("firewall.policy.profile.domain.enabled", "off", NULL, "2024-02-01T00:00:00Z", SECEVTX, 5, 4688);
	change("firewall.policy.profile.private.enabled", "off", NULL, "2024-02-01T00:00:00Z", SECEVTX, 5, 4688);
	change("firewall.policy.profile.public.enabled", "off", NULL, "2024-02-01T00:00:00Z", SECEVTX, 5, 4688);
	find("wmi.inbound", "2024-02-10T08:00:00Z", "10.0.7.33", 71, "WmiPrvSE started cmd.exe");
	v = run(RT_CM0013, NULL);
	ck_assert_int_eq(v->state, RT_CM_NOT_IN_EFFECT);
	ck_assert_str_eq(v->intervals[v->nintervals - 1].why, "the firewall is off on every profile");
	ck_assert_str_eq(v->bypass[0].route, "re-enabled then used");
	ck_assert_ptr_nonnull(list_find_record(&v->bypass[0].changes, 5));
}
END_TEST

/* The headline: the state inbound use fell in, the least protective one;
 * an instant never decides; without dated evidence there is no interval. */
START_TEST(headline_state)
{
	const rt_cm_verdict *v;
	rt_fact *f;

	winrm_disabled_base();
	find("winrm.inbound", "2024-01-10T08:00:00Z", "10.0.0.50", 40, "WinRM shell created");
	v = run(RT_CM0019, NULL);
	ck_assert_int_eq(v->state, RT_CM_IN_EFFECT);
	ck_assert_ptr_nonnull(strstr(v->state_why, "the state when inbound use happened (2024-01-10T08:00:00"));
	change("service.winrm.start", "auto", "disabled", "2024-02-01T00:00:00Z", SYSEVTX, 7, 7040);
	snap("winrm.listener.*+HTTP", "5985", "2024-01-01T00:00:00Z", "WSMAN\\Listener\\*+HTTP", "Port");
	snap("firewall.rule.WINRM-HTTP-In-TCP", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=5985|App=System|",
	     "2024-01-01T00:00:00Z", "FirewallRules", "WINRM-HTTP-In-TCP");
	find("winrm.inbound", "2024-02-10T08:00:00Z", "10.0.0.50", 41, "WinRM shell created");
	v = run(RT_CM0019, NULL);
	ck_assert_int_eq(v->state, RT_CM_NOT_IN_EFFECT);
	ck_assert_ptr_nonnull(strstr(v->state_why, "first such use at 2024-02-10T08:00:00"));

	/* a fact of unknown time (0) neither starts the period nor an interval */
	reset(1, 1);
	f = snap("service.winrm.start", "disabled", "2024-01-01T00:00:00Z", "Services\\WinRM", "Start");
	f->time = 0;
	f->src.time = 0;
	logcov("Microsoft-Windows-WinRM/Operational", WRMEVTX, "2024-01-05T00:00:00Z", "2024-01-06T00:00:00Z");
	v = run(RT_CM0019, NULL);
	ck_assert_uint_eq(H.res->period_from, T("2024-01-05T00:00:00Z"));
	ck_assert_uint_gt(v->nintervals, 0);
	ck_assert_uint_eq(v->intervals[0].from, T("2024-01-05T00:00:00Z"));

	reset(0, 0);
	v = run(RT_CM0019, NULL);
	ck_assert_uint_eq(v->nintervals, 0);
	ck_assert_int_eq(v->state, RT_CM_UNKNOWN);
	ck_assert_ptr_nonnull(strstr(v->state_why, "no dated evidence"));
}
END_TEST

/* Low confidence alone never makes a bypass; the client side of a
 * connection (outbound) is not use of this host. */
START_TEST(low_confidence_and_outbound)
{
	const rt_cm_verdict *v;

	winrm_disabled_base();
	find("winrm.inbound", "2024-02-10T08:00:00Z", "10.0.0.50", 41, "WinRM connection accepted")->confidence =
		RT_ASSESS_LOW;
	v = run(RT_CM0019, NULL);
	ck_assert_int_eq(v->bypassed, 0);
	ck_assert(list_has_text(&v->evidence, "low-confidence activity"));
	H.finds[0].confidence = 3;
	H.finds[0].direction = -1;
	v = run(RT_CM0019, NULL);
	ck_assert_int_eq(v->bypassed, 0);
	ck_assert_uint_eq(v->evidence.n, 0);
	H.finds[0].direction = 1;
	v = run(RT_CM0019, NULL);
	ck_assert_int_eq(v->bypassed, 1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("assess");
	TCase *tc = tcase_create("verdicts");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, winrm_in_effect_untouched);
	tcase_add_test(tc, winrm_reenabled_then_used);
	tcase_add_test(tc, winrm_contradiction_tampering);
	tcase_add_test(tc, winrm_restricted_inside_scope);
	tcase_add_test(tc, winrm_restricted_outside_scope);
	tcase_add_test(tc, winrm_allowed_address_outside_intended);
	tcase_add_test(tc, winrm_ip_filters);
	tcase_add_test(tc, local_subnet_from_interfaces);
	tcase_add_test(tc, local_subnet_unknown);
	tcase_add_test(tc, winrm_not_in_effect);
	tcase_add_test(tc, unknown_without_hives);
	tcase_add_test(tc, blocked_attempts_only);
	tcase_add_test(tc, monitoring_log_gap);
	tcase_add_test(tc, winrm_alternate_listener);
	tcase_add_test(tc, winrm_policy_local_conflict);
	tcase_add_test(tc, winrm_service_started_on_demand);
	tcase_add_test(tc, wmi_in_effect_by_policy);
	tcase_add_test(tc, wmi_admin_subnet_is_restricted);
	tcase_add_test(tc, wmi_firewall_off);
	tcase_add_test(tc, dcom_disabled_denied_and_bypassed);
	tcase_add_test(tc, snapshot_before_lastwrite_is_unknown);
	tcase_add_test(tc, deterministic_order);
	tcase_add_test(tc, fw_profile_names);
	tcase_add_test(tc, fw_active_profile);
	tcase_add_test(tc, fw_active_profile_and_networks);
	tcase_add_test(tc, scopes);
	tcase_add_test(tc, scopes_ipv6);
	tcase_add_test(tc, scopes_local_subnet);
	tcase_add_test(tc, change_points_from_command_lines);
	tcase_add_test(tc, headline_state);
	tcase_add_test(tc, low_confidence_and_outbound);
	tcase_add_test(tc, dcom_restriction_rewritten);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
