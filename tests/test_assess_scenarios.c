/*
 * Scenario tests: a host's hives and logs built at test time (scenario.h),
 * read by the whole pipeline (evidence, registry, config, EVTX, detection,
 * assessment), and the verdict with its cited evidence asserted.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "evtx_writer.h"
#include "remtrail/config.h"
#include "remtrail/evidence.h"
#include "remtrail/pipeline.h"
#include "scenario.h"
#include "testutil.h"

#define T(s) tw_time(s)
#define T0 "2024-03-01T08:00:00Z"
#define WINRM_ANY "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=5985|App=System|"
#define WINRM_SCOPED "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=5985|RA4=10.0.5.0/24|"

static char *dir;
static rt_analysis *an;

static void setup(void)
{
	dir = tu_tmpdir();
	an = NULL;
}

static void teardown(void)
{
	rt_analysis_free(&an);
	tu_rmtree(dir);
	free(dir);
}

/* A workstation with WinRM disabled, GPO firewall on (default block),
 * DCOM enabled, module logging on, the four logs present. */
static sc_host *base(const char *name, const char *ip, unsigned winrm_start)
{
	sc_host *h = sc_new(name, ip, T(T0));

	sc_service_start(h, "WinRM", winrm_start, T(T0));
	sc_fw_profile(h, 1, "Domain", 1, 1, T(T0));
	sc_fw_profile(h, 1, "Private", 1, 1, T(T0));
	sc_fw_profile(h, 1, "Public", 1, 1, T(T0));
	sc_dcom(h, "Y", T(T0));
	sc_module_logging(h, 1, T(T0));
	sc_ev_touch(h, T(T0), "System");
	sc_ev_touch(h, T(T0), "Security");
	sc_ev_touch(h, T(T0), "Microsoft-Windows-WinRM/Operational");
	sc_ev_touch(h, T(T0), "Microsoft-Windows-PowerShell/Operational");
	return h;
}

/* The interval of `v` at `t` (the last one also takes its end). */
static const rt_interval *interval_at(const rt_cm_verdict *v, uint64_t t)
{
	size_t i;

	for (i = 0; i < v->nintervals; i++)
		if (t >= v->intervals[i].from && (t < v->intervals[i].to || i + 1 == v->nintervals))
			return &v->intervals[i];
	return NULL;
}

/* Does the exposure at snapshot `e` see the host as it was then? It reads
 * a SYSTEM and a SOFTWARE hive together even when one of them was only
 * taken later (no older one), which the assessor never does. */
static int exposure_of_its_time(const rt_cfg_host *h, size_t e)
{
	size_t i, k;

	for (i = 0; i < h->nsnapshots; i++) {
		int older = 0;

		for (k = 0; k < h->nsnapshots; k++)
			if (h->snapshots[k].hive == h->snapshots[i].hive && h->snapshots[k].time <= h->exposures[e].time)
				older = 1;
		if (!older)
			return 0;
	}
	return 1;
}

/* config's exposure and the assessor judge a host through one function
 * (rt_cfg_state_path): at every snapshot time, on every profile the
 * assessor judged, both must say the same of every protocol. */
static void exposure_agrees(void)
{
	const char *paths[1] = { dir };
	rt_evidence *ev = NULL;
	rt_config *cfg = NULL;
	rt_diag d;
	size_t i, k, e, compared = 0;
	int system = 0;

	rt_diag_init(&d, NULL, NULL);
	ck_assert_int_eq(rt_pipeline_collect(paths, 1, 0, &ev, &d), 0);
	ck_assert_int_eq(rt_config_from_evidence(ev, &cfg, &d), 0);
	for (i = 0; cfg && i < cfg->nhosts; i++) {
		const rt_cfg_host *h = &cfg->hosts[i];
		const rt_assess_result *r = NULL;

		for (k = 0; k < an->nhosts; k++)
			if (!strcmp(an->hosts[k].verdicts->host, h->name))
				r = an->hosts[k].verdicts;
		ck_assert_ptr_nonnull(r);
		for (k = 0; k < h->nsnapshots; k++)
			system |= h->snapshots[k].hive == RT_HIVE_SYSTEM;
		for (e = 0; e < h->nexposures; e++) {
			int cm, p;

			if (!exposure_of_its_time(h, e))
				continue;
			for (cm = 0; cm < RT_CM_COUNT; cm++) {
				const rt_interval *iv = interval_at(&r->cm[cm], h->exposures[e].time);
				rt_proto proto = rt_cm_proto((rt_cm_id)cm);

				for (p = 0; iv && p < RT_FW_NPROFILES; p++) {
					int reach = h->exposures[e].reach[p][proto].reachable;
					rt_winfw_open o = iv->path[p];

					if (o == RT_WINFW_OPEN_UNKNOWN)
						continue;
					compared++;
					ck_assert_msg(reach == 1 ? o == RT_WINFW_OPEN_ANY || o == RT_WINFW_OPEN_SCOPED
						      : reach == 0 ? o == RT_WINFW_CLOSED
								   : o == RT_WINFW_OPEN_DEPENDS,
						      "%s %s on the %s profile at snapshot %zu: exposure says %d (%s), "
						      "assess %s (%s)",
						      h->name, rt_cm_name((rt_cm_id)cm), rt_fw_profile_name(p), e, reach,
						      h->exposures[e].reach[p][proto].reason, rt_winfw_open_name(o),
						      iv->why);
				}
			}
		}
	}
	/* with a SYSTEM hive there is always something to compare */
	ck_assert(!system || compared > 0);
	rt_config_free(&cfg);
	rt_evidence_free(&ev);
	rt_diag_release(&d);
}

static const rt_assess_result *analyse(const char *mgmt)
{
	const char *paths[1] = { dir };
	rt_analysis_opts o;
	rt_diag d;

	memset(&o, 0, sizeof o);
	o.mgmt_scope = mgmt;
	rt_diag_init(&d, NULL, NULL);
	ck_assert_int_eq(rt_analysis_run(paths, 1, &o, &an, &d), 0);
	ck_assert_uint_eq(d.errors, 0);
	rt_diag_release(&d);
	ck_assert_uint_ge(an->nhosts, 1);
	exposure_agrees();
	{
		size_t h, i;
		int cm;

		/* no interval starts at 1601: a zero FILETIME is "unknown" */
		for (h = 0; h < an->nhosts; h++)
			for (cm = 0; cm < RT_CM_COUNT; cm++)
				for (i = 0; i < an->hosts[h].verdicts->cm[cm].nintervals; i++)
					ck_assert(an->hosts[h].verdicts->cm[cm].intervals[i].from &&
						  an->hosts[h].verdicts->cm[cm].intervals[i].to);
	}
	return an->hosts[0].verdicts;
}

static const rt_cm_verdict *run(sc_host *h, rt_cm_id cm, const char *mgmt)
{
	ck_assert_int_eq(sc_write(h, dir), 0);
	sc_free(&h);
	return &analyse(mgmt)->cm[cm];
}

/* Several hosts in one case: the verdict of host `name`. */
static const rt_cm_verdict *run_case(sc_host **hosts, size_t n, const char *name, rt_cm_id cm)
{
	const rt_assess_result *r = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		ck_assert_int_eq(sc_write(hosts[i], dir), 0);
		sc_free(&hosts[i]);
	}
	analyse(NULL);
	for (i = 0; i < an->nhosts; i++)
		if (!strcmp(an->hosts[i].verdicts->host, name))
			r = an->hosts[i].verdicts;
	ck_assert_ptr_nonnull(r);
	return &r->cm[cm];
}

static const rt_evidence_item *item_with(const rt_evidence_list *l, const char *text, uint32_t event_id)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if ((!text || strstr(l->items[i].text, text)) && (!event_id || l->items[i].event_id == event_id))
			return &l->items[i];
	return NULL;
}

static int endswith(const char *s, const char *suffix)
{
	size_t a = s ? strlen(s) : 0, b = strlen(suffix);
	return a >= b && !strcmp(s + a - b, suffix);
}

/* Every item (one session gives several findings) is from `ip`. */
static int all_from(const rt_evidence_list *l, const char *ip)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!l->items[i].remote_ip || strcmp(l->items[i].remote_ip, ip))
			return 0;
	return l->n > 0;
}

static const rt_bypass *route(const rt_cm_verdict *v, const char *name)
{
	size_t i;
	for (i = 0; i < v->nbypass; i++)
		if (!strcmp(v->bypass[i].route, name))
			return &v->bypass[i];
	return NULL;
}

/* 1 */
START_TEST(winrm_in_effect_untouched)
{
	const rt_cm_verdict *v = run(base("WS01", "10.0.0.21", 4), RT_CM0019, NULL);
	const rt_evidence_item *b;

	ck_assert_int_eq(v->state, RT_CM_IN_EFFECT);
	ck_assert_int_eq(v->bypassed, 0);
	ck_assert_uint_eq(v->nintervals, 1);
	b = item_with(&v->intervals[0].basis, "service.winrm.start = disabled", 0);
	ck_assert_ptr_nonnull(b);
	ck_assert(endswith(b->file, "config/SYSTEM"));
	ck_assert_str_eq(b->key, "ControlSet001\\Services\\WinRM");
	ck_assert_str_eq(b->value_name, "Start");
	ck_assert_uint_eq(b->time, T(T0));
	ck_assert_int_eq(v->monitoring.in_effect, 1);
}
END_TEST

/* 2 */
START_TEST(winrm_reenabled_then_used)
{
	sc_host *h = base("WS01", "10.0.0.21", 4);
	const rt_cm_verdict *v;
	const rt_bypass *b;
	const rt_evidence_item *e;

	sc_service_start(h, "WinRM", 2, T("2024-03-12T09:14:03Z"));
	sc_ev_7040(h, T("2024-03-12T09:14:03Z"), "WinRM", "disabled", "auto start");
	sc_ev_scriptblock(h, T("2024-03-12T09:14:05Z"), "Enable-PSRemoting -Force");
	sc_listener(h, "*+HTTP", 5985, T("2024-03-12T09:14:20Z"));
	sc_fw_rule(h, 0, "WINRM-HTTP-In-TCP", WINRM_ANY, T("2024-03-12T09:14:21Z"));
	sc_ev_2004(h, T("2024-03-12T09:14:21Z"), "WINRM-HTTP-In-TCP", "5985", "*");
	sc_ev_winrm_session(h, T("2024-03-12T09:20:00Z"), "203.0.113.45", "svc_backup");
	v = run(h, RT_CM0019, NULL);
	ck_assert_int_eq(v->intervals[0].state, RT_CM_IN_EFFECT);
	ck_assert_int_eq(v->state, RT_CM_NOT_IN_EFFECT);
	ck_assert_uint_eq(v->intervals[v->nintervals - 1].from, T("2024-03-12T09:14:21Z"));
	ck_assert_int_eq(v->bypassed, 1);
	b = route(v, "re-enabled then used");
	ck_assert_ptr_nonnull(b);
	e = item_with(&b->changes, "service.winrm.start = auto (was disabled)", 7040);
	ck_assert_ptr_nonnull(e);
	ck_assert(endswith(e->file, "System.evtx"));
	ck_assert_ptr_nonnull(item_with(&b->changes, "Enable-PSRemoting", 4104));
	ck_assert_ptr_nonnull(item_with(&b->changes, "firewall.rule.WINRM-HTTP-In-TCP", 2004));
	e = item_with(&b->findings, NULL, 91);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->remote_ip, "203.0.113.45");
	ck_assert(endswith(e->file, "Microsoft-Windows-WinRM%4Operational.evtx"));
}
END_TEST

/* 3 */
START_TEST(winrm_disabled_yet_used_is_contradiction)
{
	sc_host *h = base("WS01", "10.0.0.21", 4);
	const rt_cm_verdict *v;
	const rt_bypass *b;

	sc_ev_winrm_session(h, T("2024-03-12T09:20:00Z"), "10.0.0.99", "admin2");
	v = run(h, RT_CM0019, NULL);
	ck_assert_int_eq(v->state, RT_CM_IN_EFFECT);
	ck_assert_int_eq(v->bypassed, 1);
	b = route(v, "contradiction between configuration and activity");
	ck_assert_ptr_nonnull(b);
	ck_assert_str_eq(item_with(&b->findings, NULL, 91)->remote_ip, "10.0.0.99");
}
END_TEST

static sc_host *scoped(void)
{
	sc_host *h = base("WS01", "10.0.0.21", 2);

	sc_listener(h, "*+HTTP", 5985, T(T0));
	sc_fw_rule(h, 1, "WINRM-HTTP-In-TCP", WINRM_SCOPED, T(T0));
	return h;
}

/* 4 */
START_TEST(winrm_restricted_use_from_inside)
{
	sc_host *h = scoped();
	const rt_cm_verdict *v;

	sc_ev_winrm_session(h, T("2024-03-12T09:20:00Z"), "10.0.5.10", "helpdesk");
	v = run(h, RT_CM0019, NULL);
	ck_assert_int_eq(v->state, RT_CM_RESTRICTED);
	ck_assert_ptr_nonnull(strstr(v->intervals[0].why, "10.0.5.0/24"));
	ck_assert_ptr_nonnull(item_with(&v->intervals[0].basis, "firewall.policy.rule.WINRM-HTTP-In-TCP", 0));
	ck_assert_int_eq(v->bypassed, 0);
	ck_assert_ptr_nonnull(item_with(&v->evidence, "permitted use from inside the configured scope", 91));
}
END_TEST

/* 5 */
START_TEST(winrm_restricted_use_from_outside)
{
	sc_host *h = scoped();
	const rt_cm_verdict *v;

	sc_ev_winrm_session(h, T("2024-03-12T09:20:00Z"), "198.51.100.9", "helpdesk");
	v = run(h, RT_CM0019, NULL);
	ck_assert_int_eq(v->state, RT_CM_RESTRICTED);
	ck_assert_int_eq(v->bypassed, 1);
	ck_assert_str_eq(v->bypass[0].findings.items[0].remote_ip, "198.51.100.9");
}
END_TEST

/* 6 */
START_TEST(winrm_allowed_address_outside_intended_scope)
{
	sc_host *h = scoped();
	const rt_cm_verdict *v;

	sc_ev_winrm_session(h, T("2024-03-12T09:20:00Z"), "10.0.5.77", "helpdesk");
	v = run(h, RT_CM0019, "10.0.5.200-10.0.5.210");
	ck_assert_int_eq(v->bypassed, 1);
	ck_assert_ptr_nonnull(route(v, "allowed remote address outside intended scope"));
}
END_TEST

/* WinRM running with a listener, let in by one policy firewall rule. */
static sc_host *winrm_rule(const char *ip, const char *rule)
{
	sc_host *h = base("WS01", ip, 2);

	sc_listener(h, "*+HTTP", 5985, T(T0));
	sc_fw_rule(h, 1, "WINRM-HTTP-In-TCP", rule, T(T0));
	return h;
}

/* WinRM open by a rule to the local subnet (as Enable-PSRemoting writes it
 * for the Public profile), on a host whose interface has `mask`. */
static sc_host *local_subnet(const char *ip, const char *mask)
{
	sc_host *h = winrm_rule(ip, "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=5985|"
				    "RA4=LocalSubnet|RA6=LocalSubnet|");

	if (ip && mask)
		sc_interface(h, SC_IFACE, ip, mask, 1, T(T0));
	return h;
}

/* 6b: LocalSubnet is the interface's /16, not a /24 guess */
START_TEST(local_subnet_wide_mask_outside_intended_scope)
{
	sc_host *h = local_subnet("10.1.2.3", "255.255.0.0");
	const rt_cm_verdict *v;
	const rt_evidence_item *e;
	const rt_bypass *b;

	sc_ev_winrm_session(h, T("2024-03-12T09:20:00Z"), "10.1.200.7", "helpdesk");
	sc_ev_winrm_session(h, T("2024-03-12T10:20:00Z"), "10.1.0.9", "admin");
	v = run(h, RT_CM0019, "10.1.0.0/24");
	ck_assert_int_eq(v->state, RT_CM_RESTRICTED);
	ck_assert_ptr_nonnull(strstr(v->intervals[0].why, "LocalSubnet"));
	e = item_with(&v->intervals[0].basis, "LocalSubnet includes 10.1.2.3/255.255.0.0 (host.interface." SC_IFACE ")", 0);
	ck_assert_ptr_nonnull(e);
	ck_assert(endswith(e->file, "config/SYSTEM"));
	ck_assert_str_eq(e->key, "ControlSet001\\Services\\Tcpip\\Parameters\\Interfaces\\" SC_IFACE);
	ck_assert_ptr_nonnull(item_with(&v->intervals[0].basis, "LocalSubnet for IPv6 cannot be told", 0));
	ck_assert_int_eq(v->bypassed, 1);
	b = route(v, "allowed remote address outside intended scope");
	ck_assert_ptr_nonnull(b);
	ck_assert(all_from(&b->findings, "10.1.200.7"));
	e = item_with(&v->evidence, "permitted use from inside the configured scope", 91);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->remote_ip, "10.1.0.9");
}
END_TEST

/* 6c: a host without interface data: LocalSubnet cannot be told, and use
 * from an address it may admit is neither bypass nor a contradiction */
START_TEST(local_subnet_without_interface_data)
{
	sc_host *h = local_subnet(NULL, NULL);
	const rt_cm_verdict *v;

	sc_ev_winrm_session(h, T("2024-03-12T09:20:00Z"), "10.1.200.7", "helpdesk");
	v = run(h, RT_CM0019, "10.1.0.0/24");
	ck_assert_int_eq(v->state, RT_CM_RESTRICTED);
	ck_assert_ptr_nonnull(item_with(&v->intervals[0].basis, "LocalSubnet for IPv4 cannot be told", 0));
	ck_assert_int_eq(v->bypassed, 0);
	ck_assert_ptr_nonnull(item_with(&v->evidence, "use from an address the configured scope may admit", 91));
}
END_TEST

/* 6d: an address without a recorded mask: the /24 guess, said so */
START_TEST(local_subnet_guess_without_mask)
{
	sc_host *h = local_subnet("10.1.2.3", NULL);
	const rt_cm_verdict *v;
	const rt_evidence_item *e;

	sc_ev_winrm_session(h, T("2024-03-12T09:20:00Z"), "10.1.2.77", "helpdesk");
	v = run(h, RT_CM0019, "10.1.0.0/24");
	e = item_with(&v->intervals[0].basis, "LocalSubnet taken as 10.1.2.3/24, the /24 of host.ipv4 (a guess", 0);
	ck_assert_ptr_nonnull(e);
	ck_assert(endswith(e->file, "config/SYSTEM"));
	ck_assert_ptr_nonnull(route(v, "allowed remote address outside intended scope"));
}
END_TEST

/* 6e: every interface counts; with DHCP on, the static list is stale */
START_TEST(local_subnet_several_interfaces)
{
	sc_host *h = local_subnet("10.1.2.3", NULL);
	const rt_cm_verdict *v;

	sc_interface(h, SC_IFACE, "10.9.9.9", "255.0.0.0", 0, T(T0));
	sc_interface(h, SC_IFACE, "10.1.2.3", "255.255.0.0", 1, T(T0));
	sc_interface(h, "{0AA1B2C3-0000-4000-8000-000000000002}", "192.168.50.5", "255.255.255.0", 0, T(T0));
	sc_ev_winrm_session(h, T("2024-03-12T09:20:00Z"), "192.168.50.77", "admin");
	sc_ev_winrm_session(h, T("2024-03-12T10:20:00Z"), "10.9.1.1", "helpdesk");
	v = run(h, RT_CM0019, NULL);
	ck_assert_ptr_nonnull(item_with(&v->intervals[0].basis, "LocalSubnet includes 10.1.2.3/255.255.0.0", 0));
	ck_assert_ptr_nonnull(item_with(&v->intervals[0].basis, "LocalSubnet includes 192.168.50.5/255.255.255.0", 0));
	ck_assert_ptr_null(item_with(&v->intervals[0].basis, "10.9.9.9", 0));
	ck_assert_str_eq(item_with(&v->evidence, "permitted use", 91)->remote_ip, "192.168.50.77");
	ck_assert(all_from(&route(v, "contradiction between configuration and activity")->findings, "10.9.1.1"));
}
END_TEST

/* 6f: a rule open to one IPv6 prefix only */
START_TEST(ipv6_only_rule_is_restricted)
{
	sc_host *h = winrm_rule("10.0.0.21", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=5985|RA6=fe80::/64|");
	const rt_cm_verdict *v;
	const rt_bypass *b;

	sc_ev_winrm_session(h, T("2024-03-12T09:20:00Z"), "fe80::1c2:5", "helpdesk");
	sc_ev_winrm_session(h, T("2024-03-12T10:20:00Z"), "10.0.0.50", "helpdesk");
	v = run(h, RT_CM0019, NULL);
	ck_assert_int_eq(v->state, RT_CM_RESTRICTED);
	ck_assert_ptr_nonnull(strstr(v->intervals[0].why, "fe80::/64"));
	ck_assert_ptr_nonnull(item_with(&v->evidence, "permitted use from inside the configured scope", 91));
	/* IPv4 is outside an IPv6-only scope: used anyway */
	ck_assert_int_eq(v->bypassed, 1);
	b = route(v, "contradiction between configuration and activity");
	ck_assert_ptr_nonnull(b);
	ck_assert(all_from(&b->findings, "10.0.0.50"));
}
END_TEST

/* 6g: --mgmt with IPv6 prefixes next to IPv4 */
START_TEST(mgmt_with_ipv6)
{
	sc_host *h = winrm_rule("10.0.0.21", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=5985|"
					     "RA4=10.0.5.0/24|RA6=fd00::/16|");
	const rt_cm_verdict *v;
	const rt_bypass *b;

	sc_ev_winrm_session(h, T("2024-03-12T09:20:00Z"), "fd00:5::10", "admin");
	sc_ev_winrm_session(h, T("2024-03-12T10:20:00Z"), "fd00:9::10", "helpdesk");
	sc_ev_winrm_session(h, T("2024-03-12T11:20:00Z"), "10.0.5.4", "admin");
	v = run(h, RT_CM0019, "fd00:5::/64,10.0.5.4");
	ck_assert_int_eq(v->state, RT_CM_RESTRICTED);
	b = route(v, "allowed remote address outside intended scope");
	ck_assert_ptr_nonnull(b);
	ck_assert(all_from(&b->findings, "fd00:9::10"));
	ck_assert_uint_eq(v->nbypass, 1);
}
END_TEST

/* 6h: WinRM policy IPv6Filter, honoured like IPv4Filter */
START_TEST(winrm_ipv6_filter)
{
	sc_host *h = base("WS01", "10.0.0.21", 2);
	const rt_cm_verdict *v;
	const rt_bypass *b;

	sc_winrm_policy(h, 1, "10.0.5.0/24", T(T0));
	sc_winrm_ipv6_filter(h, "fd00:5::/64", T(T0));
	sc_fw_rule(h, 1, "WINRM-HTTP-In-TCP", WINRM_ANY, T(T0));
	sc_ev_winrm_session(h, T("2024-03-12T09:20:00Z"), "fd00:5::10", "admin");
	sc_ev_winrm_session(h, T("2024-03-12T10:20:00Z"), "fd00:9::10", "helpdesk");
	v = run(h, RT_CM0019, NULL);
	ck_assert_int_eq(v->state, RT_CM_RESTRICTED);
	ck_assert_str_eq(v->intervals[0].why,
			 "WinRM policy accepts requests only from the IPv4Filter and IPv6Filter ranges");
	ck_assert_ptr_nonnull(item_with(&v->intervals[0].basis, "winrm.policy.service.ipv6_filter = fd00:5::/64", 0));
	ck_assert_ptr_nonnull(item_with(&v->evidence, "permitted use from inside the configured scope", 91));
	b = route(v, "contradiction between configuration and activity");
	ck_assert_ptr_nonnull(b);
	ck_assert(all_from(&b->findings, "fd00:9::10"));
}
END_TEST

/* 7 */
START_TEST(winrm_not_in_effect)
{
	sc_host *h = base("WS01", "10.0.0.21", 2);
	const rt_cm_verdict *v;

	sc_listener(h, "*+HTTP", 5985, T(T0));
	sc_fw_rule(h, 0, "WINRM-HTTP-In-TCP", WINRM_ANY, T(T0));
	sc_ev_winrm_session(h, T("2024-03-12T09:20:00Z"), "10.0.0.50", "admin");
	v = run(h, RT_CM0019, NULL);
	ck_assert_int_eq(v->state, RT_CM_NOT_IN_EFFECT);
	ck_assert_int_eq(v->bypassed, -1);
	ck_assert_ptr_nonnull(item_with(&v->intervals[0].basis, "firewall.rule.WINRM-HTTP-In-TCP", 0));
	ck_assert_ptr_nonnull(item_with(&v->evidence, "use while not in effect", 91));
}
END_TEST

/* 8 */
START_TEST(unknown_without_hives)
{
	sc_host *h = base("WS01", "10.0.0.21", 4);
	const rt_cm_verdict *v;

	sc_no_hive(h, "SYSTEM");
	sc_no_hive(h, "SOFTWARE");
	sc_ev_winrm_session(h, T("2024-03-12T09:20:00Z"), "10.0.0.50", "admin");
	v = run(h, RT_CM0019, NULL);
	ck_assert_int_eq(v->state, RT_CM_UNKNOWN);
	ck_assert_int_eq(v->bypassed, -1);
	ck_assert_ptr_nonnull(strstr(v->intervals[0].why, "SYSTEM hive missing"));
	ck_assert_ptr_nonnull(item_with(&v->evidence, "state is unknown", 91));
	ck_assert_ptr_nonnull(strstr(an->hosts[0].verdicts->cm[RT_CM0012].intervals[0].why, "SOFTWARE hive missing"));
}
END_TEST

/* 9: connections the firewall dropped (Security 5157 on 5985) are blocked
 * attempts: the control worked */
START_TEST(blocked_attempts_only)
{
	sc_host *h = base("WS02", "10.0.0.22", 4);
	const rt_cm_verdict *v;
	const rt_evidence_item *e;

	sc_ev_wfp_drop(h, T("2024-03-12T09:40:00Z"), "203.0.113.45", 5985, "System");
	v = run(h, RT_CM0019, NULL);
	ck_assert_int_eq(v->state, RT_CM_IN_EFFECT);
	ck_assert_int_eq(v->bypassed, 0);
	ck_assert_uint_eq(v->nbypass, 0);
	e = item_with(&v->evidence, "blocked attempt", 5157);
	ck_assert_ptr_nonnull(e);
	ck_assert(endswith(e->file, "Security.evtx"));
	ck_assert_uint_ne(e->record_id, 0);
	ck_assert_str_eq(e->remote_ip, "203.0.113.45");
}
END_TEST

/* 9b: a refusal the WinRM service logged (4625 + WinRM 192) while the
 * service is "disabled" proves the path was open: a contradiction, never a
 * blocked attempt */
START_TEST(server_refusal_while_disabled_is_contradiction)
{
	sc_host *h = base("WS02", "10.0.0.22", 4);
	const rt_cm_verdict *v;
	const rt_bypass *b;

	sc_ev_winrm_refused(h, T("2024-03-12T09:40:00Z"), "203.0.113.45", "svc_backup");
	v = run(h, RT_CM0019, NULL);
	ck_assert_int_eq(v->state, RT_CM_IN_EFFECT);
	ck_assert_ptr_null(item_with(&v->evidence, "blocked attempt", 0));
	b = route(v, "contradiction between configuration and activity");
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_nonnull(item_with(&b->findings, "refused attempt that reached the service", 192));
	ck_assert_int_eq(v->bypassed, 1);
}
END_TEST

/* 10 */
START_TEST(monitoring_log_gap)
{
	sc_host *h = sc_new("WS03", "10.0.0.23", T(T0));
	const rt_cm_verdict *v;

	sc_service_start(h, "WinRM", 4, T(T0));
	sc_module_logging(h, 0, T(T0));
	sc_ev_touch(h, T(T0), "Security");
	sc_ev_touch(h, T(T0), "Microsoft-Windows-WinRM/Operational");
	sc_ev_cleared(h, T("2024-03-10T00:00:00Z"), "Security");
	v = run(h, RT_CM0019, NULL);
	ck_assert_int_eq(v->monitoring.in_effect, 0);
	ck_assert_int_eq(v->monitoring.ps_log, 0);
	ck_assert_int_eq(v->monitoring.module_logging, 0);
	ck_assert_ptr_nonnull(item_with(&v->monitoring.gaps, "log cleared", 1102));
	ck_assert_ptr_nonnull(item_with(&v->monitoring.gaps, "PowerShell/Operational log missing", 0));
	ck_assert_ptr_nonnull(item_with(&v->monitoring.gaps, "module logging is off", 0));
}
END_TEST

/* 11 */
START_TEST(winrm_alternate_listener)
{
	sc_host *h = base("WS01", "10.0.0.21", 2);
	const rt_cm_verdict *v;

	sc_listener(h, "*+HTTP", 8080, T(T0));
	sc_ev_winrm_session(h, T("2024-03-12T09:20:00Z"), "10.0.0.50", "admin");
	v = run(h, RT_CM0019, NULL);
	ck_assert_int_eq(v->state, RT_CM_IN_EFFECT);
	ck_assert_int_eq(v->bypassed, 1);
	ck_assert_ptr_nonnull(route(v, "alternate port or listener"));
	ck_assert_ptr_nonnull(item_with(&v->intervals[0].basis, "winrm.listener.*+HTTP = 8080", 0));
}
END_TEST

/* 12 */
START_TEST(winrm_policy_local_conflict)
{
	sc_host *h = base("WS01", "10.0.0.21", 2);
	const rt_cm_verdict *v;

	sc_listener(h, "*+HTTP", 5985, T(T0));
	sc_fw_merge(h, "Domain", 0, T(T0));
	sc_fw_rule(h, 0, "Open5985", WINRM_ANY, T(T0));
	sc_ev_winrm_session(h, T("2024-03-12T09:20:00Z"), "10.0.0.50", "admin");
	v = run(h, RT_CM0019, NULL);
	ck_assert_int_eq(v->state, RT_CM_IN_EFFECT);
	ck_assert_ptr_nonnull(item_with(&v->intervals[0].basis, "local rule not applied", 0));
	ck_assert_ptr_nonnull(route(v, "policy and local settings in conflict"));
}
END_TEST

/* 13 */
START_TEST(winrm_service_started_on_demand)
{
	sc_host *h = base("WS01", "10.0.0.21", 3);
	const rt_cm_verdict *v;
	const rt_bypass *b;

	sc_listener(h, "*+HTTP", 5985, T(T0));
	sc_ev_7036(h, T("2024-03-12T09:19:00Z"), "WinRM", "running");
	sc_ev_winrm_session(h, T("2024-03-12T09:20:00Z"), "10.0.0.50", "admin");
	v = run(h, RT_CM0019, NULL);
	ck_assert_int_eq(v->state, RT_CM_IN_EFFECT);
	b = route(v, "service started on demand");
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_nonnull(item_with(&b->changes, "running", 7036));
}
END_TEST

/* 14 */
START_TEST(wmi_in_effect_by_policy)
{
	const rt_cm_verdict *v = run(base("WS01", "10.0.0.21", 4), RT_CM0013, NULL);

	ck_assert_int_eq(v->state, RT_CM_IN_EFFECT);
	ck_assert_int_eq(v->bypassed, 0);
	ck_assert_ptr_nonnull(item_with(&v->intervals[0].basis, "firewall.policy.profile.domain.enabled = true", 0));
}
END_TEST

/* The "Windows Management Instrumentation (WMI)" rule group as a GPO
 * scoped to an admin subnet: RPCSS on 135 and Winmgmt, both needed. */
static sc_host *wmi_admin_subnet(void)
{
	sc_host *h = base("WS01", "10.0.0.21", 4);

	sc_fw_rule(h, 1, "WMI-RPCSS-In-TCP",
		   "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=RPC-EPMap|"
		   "App=%SystemRoot%\\system32\\svchost.exe|Svc=RPCSS|RA4=10.0.9.0/24|",
		   T(T0));
	sc_fw_rule(h, 1, "WMI-WINMGMT-In-TCP",
		   "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|App=%SystemRoot%\\system32\\svchost.exe|"
		   "Svc=winmgmt|RA4=10.0.9.0/24|",
		   T(T0));
	return h;
}

/* 15 */
START_TEST(wmi_admin_subnet_restricted_inside)
{
	sc_host *h = wmi_admin_subnet();
	const rt_cm_verdict *v;

	sc_ev_wmi_exec(h, T("2024-03-12T11:00:00Z"), "10.0.9.5", "itadmin");
	v = run(h, RT_CM0013, NULL);
	ck_assert_int_eq(v->state, RT_CM_RESTRICTED);
	ck_assert_ptr_nonnull(strstr(v->intervals[0].why, "10.0.9.0/24"));
	ck_assert_int_eq(v->bypassed, 0);
	ck_assert_ptr_nonnull(item_with(&v->evidence, "permitted use", 4688));
}
END_TEST

/* 16 */
START_TEST(wmi_admin_subnet_used_from_workstation)
{
	sc_host *h = wmi_admin_subnet();
	const rt_cm_verdict *v;
	const rt_evidence_item *e;

	sc_ev_wmi_exec(h, T("2024-03-12T11:00:00Z"), "10.0.0.37", "itadmin");
	v = run(h, RT_CM0013, NULL);
	ck_assert_int_eq(v->state, RT_CM_RESTRICTED);
	ck_assert_int_eq(v->bypassed, 1);
	e = item_with(&v->bypass[0].findings, "WMI", 4688);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->remote_ip, "10.0.0.37");
}
END_TEST

/* 17 */
START_TEST(wmi_firewall_off_not_in_effect)
{
	sc_host *h = sc_new("WS01", "10.0.0.21", T(T0));
	const rt_cm_verdict *v;

	sc_fw_profile(h, 0, "Domain", 0, 1, T(T0));
	sc_fw_profile(h, 0, "Standard", 0, 1, T(T0));
	sc_fw_profile(h, 0, "Public", 0, 1, T(T0));
	sc_ev_wmi_exec(h, T("2024-03-12T11:00:00Z"), "10.0.0.37", "itadmin");
	v = run(h, RT_CM0013, NULL);
	ck_assert_int_eq(v->state, RT_CM_NOT_IN_EFFECT);
	ck_assert_str_eq(v->intervals[0].why, "the firewall is off on every profile");
	ck_assert_int_eq(v->bypassed, -1);
	ck_assert_ptr_nonnull(item_with(&v->evidence, "use while not in effect", 4688));
}
END_TEST

/* A workstation whose Group Policy firewall is on (default block) for the
 * domain and private profiles and off for the public one; no Security log
 * (sc_ev_touch would write a 4956 naming the domain profile). */
static sc_host *public_off(void)
{
	sc_host *h = sc_new("WS01", "10.0.0.21", T(T0));

	sc_service_start(h, "WinRM", 4, T(T0));
	sc_fw_profile(h, 1, "Domain", 1, 1, T(T0));
	sc_fw_profile(h, 1, "Private", 1, 1, T(T0));
	sc_fw_profile(h, 1, "Public", 0, 1, T(T0));
	sc_dcom(h, "Y", T(T0));
	sc_ev_touch(h, T(T0), "System");
	return h;
}

/* 17a: no 4956 at all: today's verdict, and the text says what would settle it */
START_TEST(wmi_public_off_active_profile_unknown)
{
	const rt_cm_verdict *v = run(public_off(), RT_CM0013, NULL);

	ck_assert_uint_eq(v->nintervals, 1);
	ck_assert_int_eq(v->state, RT_CM_RESTRICTED);
	ck_assert_ptr_nonnull(strstr(v->intervals[0].why, "off on others (public)"));
	ck_assert_ptr_nonnull(strstr(v->intervals[0].why, "the active profile is not recorded"));
	ck_assert_ptr_nonnull(strstr(v->intervals[0].why, "Security 4956"));
	ck_assert_ptr_nonnull(strstr(v->intervals[0].why, "NetworkProfile/Operational"));
}
END_TEST

/* 17b: the domain profile is active (4956): the public profile being off no
 * longer counts, but the interval says so; then the public profile becomes
 * active and WMI is used through it. */
START_TEST(wmi_public_off_domain_active_then_public)
{
	sc_host *h = public_off();
	const rt_cm_verdict *v;
	const rt_evidence_item *b;
	const rt_bypass *r;

	sc_ev_4956(h, T("2024-03-05T09:00:00Z"), "Domain");
	sc_ev_wmi_exec(h, T("2024-03-06T10:00:00Z"), "10.0.0.37", "itadmin");
	sc_ev_4956(h, T("2024-03-10T18:30:00Z"), "Public");
	sc_ev_wmi_exec(h, T("2024-03-11T11:00:00Z"), "10.0.0.37", "itadmin");
	v = run(h, RT_CM0013, NULL);
	ck_assert_uint_eq(v->nintervals, 3);
	ck_assert_int_eq(v->intervals[0].state, RT_CM_RESTRICTED);
	ck_assert_ptr_nonnull(strstr(v->intervals[0].why, "the active profile is not recorded"));

	ck_assert_int_eq(v->intervals[1].state, RT_CM_IN_EFFECT);
	ck_assert_uint_eq(v->intervals[1].from, T("2024-03-05T09:00:00Z"));
	ck_assert_ptr_nonnull(strstr(v->intervals[1].why, "judged on the active firewall profile (domain)"));
	ck_assert_ptr_nonnull(strstr(v->intervals[1].why, "the firewall is off on the public profile, not active then"));
	b = item_with(&v->intervals[1].basis, "active firewall profile domain since 2024-03-05T09:00:00.0000000Z", 4956);
	ck_assert_ptr_nonnull(b);
	ck_assert(endswith(b->file, "Logs/Security.evtx"));
	ck_assert_uint_ne(b->record_id, 0);
	ck_assert_ptr_nonnull(item_with(&v->intervals[1].basis, "firewall.policy.profile.public.enabled = false (profile not active)", 0));
	ck_assert_ptr_null(item_with(&v->intervals[1].basis, "firewall.policy.profile.private.enabled", 0));

	ck_assert_int_eq(v->intervals[2].state, RT_CM_NOT_IN_EFFECT);
	ck_assert_uint_eq(v->intervals[2].from, T("2024-03-10T18:30:00Z"));
	ck_assert_str_eq(v->intervals[2].why, "the firewall is off on the active public profile");
	ck_assert_int_eq(v->state, RT_CM_NOT_IN_EFFECT);

	ck_assert_int_eq(v->bypassed, 1);
	r = route(v, "re-enabled then used");
	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_nonnull(strstr(r->explanation, "active firewall profile changed"));
	ck_assert_ptr_nonnull(item_with(&r->changes, "firewall.active_profile = public", 4956));
	ck_assert_ptr_nonnull(item_with(&r->findings, NULL, 4688));
	ck_assert_uint_ge(r->findings.items[0].time, T("2024-03-11T11:00:00Z"));
	/* the use while the domain profile was active is the contradiction route */
	ck_assert_ptr_nonnull(route(v, "contradiction between configuration and activity"));
}
END_TEST

/* 17c: no 4956, but the NetworkProfile log shows a public network
 * connected while the public profile's firewall was off */
START_TEST(wmi_public_off_public_network_connected)
{
	sc_host *h = public_off();
	const rt_cm_verdict *v;
	const rt_bypass *r;
	const rt_evidence_item *b;

	sc_ev_network(h, T("2024-03-05T09:00:00Z"), 1, "corp.example", "{D4B44EEB-91E1-43F3-AA43-3871B88A3849}", 2);
	sc_ev_network(h, T("2024-03-10T18:30:00Z"), 1, "CoffeeShop", "{0B0C1D2E-3F40-4152-8364-75869708A9BA}", 0);
	sc_ev_wmi_exec(h, T("2024-03-11T11:00:00Z"), "10.0.0.37", "itadmin");
	sc_ev_network(h, T("2024-03-11T12:00:00Z"), 0, "CoffeeShop", "{0B0C1D2E-3F40-4152-8364-75869708A9BA}", 0);
	v = run(h, RT_CM0013, NULL);
	ck_assert_uint_eq(v->nintervals, 4);
	/* a domain network alone does not tell that public was not active too */
	ck_assert_int_eq(v->intervals[1].state, RT_CM_RESTRICTED);
	ck_assert_ptr_nonnull(strstr(v->intervals[1].why, "the active profile is not recorded"));
	b = item_with(&v->intervals[1].basis,
		      "network {d4b44eeb-91e1-43f3-aa43-3871b88a3849} (domain profile) connected since "
		      "2024-03-05T09:00:00.0000000Z", 10000);
	ck_assert_ptr_nonnull(b);
	ck_assert(endswith(b->file, "Microsoft-Windows-NetworkProfile%4Operational.evtx"));
	ck_assert_uint_ne(b->record_id, 0);
	ck_assert_int_eq(v->intervals[2].state, RT_CM_NOT_IN_EFFECT);
	ck_assert_str_eq(v->intervals[2].why, "the firewall is off on the public profile, which a connected network uses");
	ck_assert_uint_eq(v->intervals[3].from, T("2024-03-11T12:00:00Z"));
	ck_assert_int_eq(v->intervals[3].state, RT_CM_RESTRICTED);
	r = route(v, "re-enabled then used");
	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_nonnull(strstr(r->explanation, "active firewall profile changed"));
	ck_assert_ptr_nonnull(item_with(&r->changes, "network.connection.{0b0c1d2e-3f40-4152-8364-75869708a9ba} = public", 10000));
}
END_TEST

/* 18 */
START_TEST(dcom_disabled_denied_then_used)
{
	sc_host *h = base("WS01", "10.0.0.21", 4);
	const rt_cm_verdict *v;

	sc_dcom(h, "N", T(T0));
	sc_ev_dcom_denied(h, T("2024-03-12T11:00:00Z"), "10.0.0.8", "bob");
	sc_ev_dcom_exec(h, T("2024-03-12T11:05:00Z"), "10.0.0.8", "bob");
	v = run(h, RT_CM0012, NULL);
	ck_assert_int_eq(v->state, RT_CM_IN_EFFECT);
	ck_assert_ptr_nonnull(item_with(&v->intervals[0].basis, "dcom.enabled = false", 0));
	ck_assert_ptr_nonnull(item_with(&v->evidence, "blocked attempt", 10016));
	ck_assert_int_eq(v->bypassed, 1);
	ck_assert_ptr_nonnull(item_with(&v->bypass[0].findings, "mmc.exe", 4688));
}
END_TEST

/* ------------------------------------------------- issue 16: the model */

#define SVCHOST_APP "App=%SystemRoot%\\system32\\svchost.exe|"
#define RULE_RA_DCOM                                                                          \
	"v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|Profile=Domain|LPort=135|" SVCHOST_APP \
	"Svc=rpcss|Name=@FirewallAPI.dll,-33035|"
#define RULE_STORE                                                                                      \
	"v2.27|Action=Allow|Active=TRUE|Dir=In|Profile=Domain|Profile=Private|Name=OneNote|"             \
	"LUOwn=S-1-5-21-2734969515-1644526556-1039763013-1001|AppPkgId=S-1-15-2-3445883232-1224167743-" \
	"206467785-1580939083-2750001491-3097792036-3019341970|"
#define RULE_SKYPE "v2.10|Action=Allow|Active=TRUE|Dir=In|App=C:\\Program Files\\Skype\\Phone\\Skype.exe|Name=Skype|"
#define RULE_WMI_RPCSS(scope) \
	"v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=RPC-EPMap|" SVCHOST_APP "Svc=RPCSS|" scope
#define RULE_WMI_WINMGMT(scope) "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|" SVCHOST_APP "Svc=winmgmt|" scope

/* 19: the Windows 7 corpus workstation's rules: Remote Assistance lets
 * RPCSS in on the domain profile, a Store app its package; neither is
 * remote WMI, which also needs Winmgmt's own endpoint */
START_TEST(remote_assistance_and_store_rules_are_not_wmi)
{
	sc_host *h = base("WS01", "10.0.0.21", 4);
	const rt_cm_verdict *v;

	sc_fw_rule(h, 0, "RemoteAssistance-DCOM-In-TCP-NoScope-Active", RULE_RA_DCOM, T(T0));
	sc_fw_rule(h, 0, "{E3038ED8-AD05-431F-AFC9-8CC36D87ADD0}", RULE_STORE, T(T0));
	sc_ev_wmi_exec(h, T("2024-03-12T11:00:00Z"), "10.0.0.37", "itadmin");
	v = run(h, RT_CM0013, NULL);
	ck_assert_int_eq(v->state, RT_CM_IN_EFFECT);
	ck_assert_ptr_nonnull(strstr(v->intervals[0].why, "the WMI service (Winmgmt) on its RPC endpoint: no rule lets it in"));
	ck_assert_ptr_null(strstr(v->intervals[0].why, "RemoteAssistance"));
	ck_assert_ptr_null(item_with(&v->intervals[0].basis, "RemoteAssistance", 0));
	ck_assert_ptr_null(item_with(&v->intervals[0].basis, "E3038ED8", 0));
	ck_assert_ptr_nonnull(route(v, "contradiction between configuration and activity"));
}
END_TEST

/* 20: the WMI rule group open from any address; only its rules are cited */
START_TEST(wmi_open_cites_only_deciding_rules)
{
	sc_host *h = base("WS01", "10.0.0.21", 4);
	const rt_cm_verdict *v;

	sc_fw_rule(h, 1, "WMI-RPCSS-In-TCP", RULE_WMI_RPCSS(""), T(T0));
	sc_fw_rule(h, 1, "WMI-WINMGMT-In-TCP", RULE_WMI_WINMGMT(""), T(T0));
	sc_fw_rule(h, 0, "{E3038ED8-AD05-431F-AFC9-8CC36D87ADD0}", RULE_STORE, T(T0));
	sc_fw_rule(h, 0, "{9425C830-128B-4B78-9F45-71953AC5BFF4}", RULE_SKYPE, T(T0));
	v = run(h, RT_CM0013, NULL);
	ck_assert_int_eq(v->state, RT_CM_NOT_IN_EFFECT);
	ck_assert_ptr_nonnull(item_with(&v->intervals[0].basis, "firewall.policy.rule.WMI-RPCSS-In-TCP", 0));
	ck_assert_ptr_nonnull(item_with(&v->intervals[0].basis, "firewall.policy.rule.WMI-WINMGMT-In-TCP", 0));
	ck_assert_ptr_null(item_with(&v->intervals[0].basis, "E3038ED8", 0));
	ck_assert_ptr_null(item_with(&v->intervals[0].basis, "9425C830", 0));
	ck_assert_ptr_nonnull(strstr(v->state_why, "the state at the end of the evidence"));
}
END_TEST

static sc_host *wmi_open(void)
{
	sc_host *h = base("WS01", "10.0.0.21", 4);

	sc_fw_rule(h, 1, "WMI-RPCSS-In-TCP", RULE_WMI_RPCSS(""), T(T0));
	sc_fw_rule(h, 1, "WMI-WINMGMT-In-TCP", RULE_WMI_WINMGMT(""), T(T0));
	sc_service_start(h, "Winmgmt", 4, T(T0));
	return h;
}

/* 21: Winmgmt disabled closes WMI whatever the firewall; WMI used anyway
 * means it was started or re-enabled, and nothing recorded says so */
START_TEST(winmgmt_disabled_closes_wmi)
{
	sc_host *h = wmi_open();
	const rt_cm_verdict *v;
	const rt_bypass *b;

	sc_ev_wmi_exec(h, T("2024-03-12T11:00:00Z"), "10.0.0.37", "itadmin");
	v = run(h, RT_CM0013, NULL);
	ck_assert_int_eq(v->state, RT_CM_IN_EFFECT);
	ck_assert_str_eq(v->intervals[0].why, "the WMI service (Winmgmt) is disabled");
	ck_assert_ptr_nonnull(item_with(&v->intervals[0].basis, "service.winmgmt.start = disabled", 0));
	b = route(v, "contradiction between configuration and activity");
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_nonnull(strstr(b->explanation, "started or re-enabled"));
}
END_TEST

/* 22: ... and with its 7040 the route is "re-enabled then used" */
START_TEST(winmgmt_reenabled_then_used)
{
	sc_host *h = wmi_open();
	const rt_cm_verdict *v;
	const rt_bypass *b;

	sc_ev_7040(h, T("2024-03-12T10:55:00Z"), "Winmgmt", "disabled", "auto start");
	sc_ev_wmi_exec(h, T("2024-03-12T11:00:00Z"), "10.0.0.37", "itadmin");
	v = run(h, RT_CM0013, NULL);
	ck_assert_int_eq(v->intervals[0].state, RT_CM_IN_EFFECT);
	ck_assert_int_eq(v->state, RT_CM_NOT_IN_EFFECT);
	b = route(v, "re-enabled then used");
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_nonnull(item_with(&b->changes, "service.winmgmt.start = auto (was disabled)", 7040));
	ck_assert_ptr_null(route(v, "contradiction between configuration and activity"));
}
END_TEST

/* 23: DCOM logged a remote launch (10016) while the firewall keeps RPC
 * out: the request got through, a contradiction, not a blocked attempt */
START_TEST(dcom_request_while_rpc_blocked)
{
	sc_host *h = base("WS01", "10.0.0.21", 4);
	const rt_cm_verdict *v;
	const rt_bypass *b;

	sc_ev_dcom_denied(h, T("2024-03-12T11:00:00Z"), "10.0.0.8", "bob");
	v = run(h, RT_CM0012, NULL);
	ck_assert_int_eq(v->state, RT_CM_RESTRICTED);
	ck_assert_ptr_nonnull(strstr(v->intervals[0].why, "the firewall keeps it out"));
	ck_assert_ptr_null(item_with(&v->evidence, "blocked attempt", 0));
	b = route(v, "contradiction between configuration and activity");
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_nonnull(item_with(&b->findings, "refused attempt that reached the service", 10016));
}
END_TEST

/* 24: a change point that can open the protocol before the use (a rule
 * for 135 from any address: RPCSS only, so the model still says closed)
 * makes the route "re-enabled then used", not a contradiction */
START_TEST(opening_change_point_then_use)
{
	sc_host *h = base("WS01", "10.0.0.21", 4);
	const rt_cm_verdict *v;
	const rt_bypass *b;

	sc_ev_2004(h, T("2024-03-12T10:00:00Z"), "Open135", "135", "*");
	sc_ev_wmi_exec(h, T("2024-03-12T11:00:00Z"), "10.0.0.37", "itadmin");
	v = run(h, RT_CM0013, NULL);
	ck_assert_int_eq(v->state, RT_CM_IN_EFFECT);
	b = route(v, "re-enabled then used");
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_nonnull(item_with(&b->changes, "firewall.rule.Open135", 2004));
	ck_assert_ptr_null(route(v, "contradiction between configuration and activity"));
}
END_TEST

/* 25: WMI let in from the local subnet on a workstation: other
 * workstations are there, so it is not in effect; unless --mgmt says the
 * subnet holds only management hosts */
static sc_host *wmi_local_subnet(void)
{
	sc_host *h = base("WS01", "10.0.0.21", 4);

	sc_product_type(h, "WinNT", T(T0));
	sc_interface(h, SC_IFACE, "10.0.0.21", "255.255.255.0", 1, T(T0));
	sc_fw_rule(h, 1, "WMI-RPCSS-In-TCP", RULE_WMI_RPCSS("RA4=LocalSubnet|"), T(T0));
	sc_fw_rule(h, 1, "WMI-WINMGMT-In-TCP", RULE_WMI_WINMGMT("RA4=LocalSubnet|"), T(T0));
	return h;
}

START_TEST(local_subnet_on_workstation_is_not_restricted)
{
	const rt_cm_verdict *v = run(wmi_local_subnet(), RT_CM0013, NULL);

	ck_assert_int_eq(v->state, RT_CM_NOT_IN_EFFECT);
	ck_assert_ptr_nonnull(strstr(v->intervals[0].why, "from the local subnet, where other workstations are"));
	ck_assert_ptr_nonnull(item_with(&v->intervals[0].basis, "host.role = workstation", 0));
	ck_assert_ptr_nonnull(item_with(&v->intervals[0].basis, "LocalSubnet includes 10.0.0.21/255.255.255.0", 0));
}
END_TEST

START_TEST(local_subnet_of_management_hosts)
{
	const rt_cm_verdict *v = run(wmi_local_subnet(), RT_CM0013, "10.0.0.0/24");

	ck_assert_int_eq(v->state, RT_CM_IN_EFFECT);
	ck_assert_ptr_nonnull(strstr(v->intervals[0].why, "only from management hosts (10.0.0.0/24)"));
}
END_TEST

/* 26: the case's domain controller (its hives say LanmanNT) is a
 * management host: WMI open only to it is CM0013 in effect */
START_TEST(domain_controller_of_the_case_manages)
{
	sc_host *hosts[2];
	const rt_cm_verdict *v;

	hosts[0] = base("DC01", "10.0.0.5", 4);
	sc_product_type(hosts[0], "LanmanNT", T(T0));
	sc_interface(hosts[0], SC_IFACE, "10.0.0.5", "255.255.255.0", 0, T(T0));
	hosts[1] = base("WS01", "10.0.0.21", 4);
	sc_product_type(hosts[1], "WinNT", T(T0));
	sc_fw_rule(hosts[1], 1, "WMI-RPCSS-In-TCP", RULE_WMI_RPCSS("RA4=10.0.0.5|"), T(T0));
	sc_fw_rule(hosts[1], 1, "WMI-WINMGMT-In-TCP", RULE_WMI_WINMGMT("RA4=10.0.0.5|"), T(T0));
	v = run_case(hosts, 2, "WS01", RT_CM0013);
	ck_assert_int_eq(v->state, RT_CM_IN_EFFECT);
	ck_assert_ptr_nonnull(strstr(v->intervals[0].why, "only from management hosts (10.0.0.5)"));
	ck_assert_ptr_nonnull(item_with(&v->intervals[0].basis, "management hosts of the case", 0));
}
END_TEST

/* 27: CM0012 reads Group Policy's launch restriction and judges it:
 * remote launch left to one group is a restriction; Windows' default
 * (administrators may launch remotely) is none */
static sc_host *dcom_open(const char *sddl)
{
	sc_host *h = base("WS01", "10.0.0.21", 4);

	sc_fw_profile(h, 1, "Domain", 0, 1, T(T0));
	sc_fw_profile(h, 1, "Private", 0, 1, T(T0));
	sc_fw_profile(h, 1, "Public", 0, 1, T(T0));
	sc_dcom_policy_launch(h, sddl, T(T0));
	return h;
}

START_TEST(dcom_policy_launch_restriction)
{
	const rt_cm_verdict *v = run(dcom_open("O:BAG:BAD:(A;;CCDCSW;;;WD)(A;;CCDCLCSWRP;;;S-1-5-21-1-2-3-5123)"),
				     RT_CM0012, NULL);

	ck_assert_int_eq(v->state, RT_CM_RESTRICTED);
	ck_assert_ptr_nonnull(strstr(v->intervals[0].why, "machine launch restriction (Group Policy)"));
	ck_assert_ptr_nonnull(item_with(&v->intervals[0].basis, "dcom.policy.machine_launch_restriction = O:BAG:BAD:", 0));
}
END_TEST

START_TEST(dcom_default_launch_restriction_is_none)
{
	const rt_cm_verdict *v = run(dcom_open("O:BAG:BAD:(A;;CCDCSW;;;WD)(A;;CCDCLCSWRP;;;BA)"), RT_CM0012, NULL);

	ck_assert_int_eq(v->state, RT_CM_NOT_IN_EFFECT);
	ck_assert_ptr_nonnull(strstr(v->intervals[0].why, "no tighter than Windows' default"));
}
END_TEST

/* 28: a rule for 24158 opens WMI only when Winmgmt runs standalone with
 * that fixed endpoint */
static sc_host *wmi_fixed_port(void)
{
	sc_host *h = base("WS01", "10.0.0.21", 4);

	sc_fw_rule(h, 1, "WMI-RPCSS-In-TCP", RULE_WMI_RPCSS(""), T(T0));
	sc_fw_rule(h, 1, "WMI-Fixed-24158",
		   "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=24158|" SVCHOST_APP "Svc=winmgmt|", T(T0));
	return h;
}

START_TEST(wmi_fixed_port_counts_only_standalone)
{
	const rt_cm_verdict *v = run(wmi_fixed_port(), RT_CM0013, NULL);

	ck_assert_int_eq(v->state, RT_CM_IN_EFFECT);
}
END_TEST

START_TEST(wmi_fixed_port_standalone)
{
	sc_host *h = wmi_fixed_port();
	const rt_cm_verdict *v;

	sc_winmgmt_standalone(h, 24158, T(T0));
	v = run(h, RT_CM0013, NULL);
	ck_assert_int_eq(v->state, RT_CM_NOT_IN_EFFECT);
	ck_assert_ptr_nonnull(strstr(v->intervals[0].why, "(fixed port 24158): let in by rule WMI-Fixed-24158"));
}
END_TEST

/* 29: local WMI (a WmiPrvSE child with no network logon, low confidence)
 * alone is never a bypass */
START_TEST(low_confidence_use_is_not_bypass)
{
	sc_host *h = base("WS01", "10.0.0.21", 4);
	const rt_cm_verdict *v;

	sc_ev_wmi_local(h, T("2024-03-12T11:00:00Z"), "itadmin");
	v = run(h, RT_CM0013, NULL);
	ck_assert_int_eq(v->state, RT_CM_IN_EFFECT);
	ck_assert_uint_eq(v->nbypass, 0);
	ck_assert_int_eq(v->bypassed, 0);
	ck_assert_ptr_nonnull(item_with(&v->evidence, "low-confidence activity (not counted as use)", 4688));
}
END_TEST

/* ---------------------- issue 16: change points of the firewall service */

/* `remtrail config`'s history of `host` has the event point `name` from
 * event `event_id`, with `value` as config writes it (JSON text). */
static void config_shows(const char *host, const char *name, uint32_t event_id, const char *value)
{
	const char *paths[1] = { dir };
	rt_evidence *ev = NULL;
	rt_config *cfg = NULL;
	rt_evtx_opts o;
	rt_diag d;
	size_t i, k;
	int found = 0;

	memset(&o, 0, sizeof o);
	rt_diag_init(&d, NULL, NULL);
	ck_assert_int_eq(rt_pipeline_collect(paths, 1, 0, &ev, &d), 0);
	ck_assert_int_eq(rt_pipeline_config(ev, &o, &cfg, &d), 0);
	for (i = 0; i < cfg->nhosts; i++) {
		const rt_cfg_setting *st =
		    strcmp(cfg->hosts[i].name, host) ? NULL : rt_cfg_find(&cfg->hosts[i], name);

		for (k = 0; st && k < st->npoints; k++)
			if (st->points[k].source.event_id == event_id &&
			    st->points[k].certainty == RT_CFG_EVENT &&
			    !strcmp(st->points[k].value, value))
				found = 1;
	}
	ck_assert_msg(found, "config shows no %s = %s from event %u on %s", name, value, event_id,
	              host);
	rt_config_free(&cfg);
	rt_evidence_free(&ev);
	rt_diag_release(&d);
}

/* The firewall of every profile, local store: on (1) or off (0), inbound blocked. */
static void local_profiles(sc_host *h, int enabled)
{
	sc_fw_profile(h, 0, "Domain", enabled, 1, T(T0));
	sc_fw_profile(h, 0, "Standard", enabled, 1, T(T0));
	sc_fw_profile(h, 0, "Public", enabled, 1, T(T0));
}

/* The interval of the use at `use` has `state` and began at `from`. */
static const rt_interval *changed_at(const rt_cm_verdict *v, const char *use, const char *from,
                                     rt_cm_state state)
{
	const rt_interval *iv = interval_at(v, T(use));

	ck_assert_ptr_nonnull(iv);
	ck_assert_int_eq(iv->state, state);
	ck_assert_uint_eq(iv->from, T(from));
	return iv;
}

/* The use was "re-enabled then used" by `change` (event `event_id`), never a contradiction. */
static const rt_bypass *reenabled_by(const rt_cm_verdict *v, const char *change, uint32_t event_id)
{
	const rt_bypass *b = route(v, "re-enabled then used");

	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_nonnull(item_with(&b->changes, change, event_id));
	ck_assert_ptr_null(route(v, "contradiction between configuration and activity"));
	return b;
}

#define RULE_WINRM_SRV(active)                                                                     \
	"v2.30|Action=Allow|Active=" active                                                        \
	"|Dir=In|Protocol=6|Profile=Domain|Profile=Private|LPort=5985|"                            \
	"App=System|Name=@FirewallAPI.dll,-30253|"
#define RULE_WMI_DEFAULT(id, extra)                                                                \
	"v2.30|Action=Allow|Active=FALSE|Dir=In|Protocol=6|" extra SVCHOST_APP "Svc=" id "|"       \
	"Name=@FirewallAPI.dll,-34252|"

/* A server whose firewall is only configured locally (no Group Policy):
 * profiles on with inbound blocked, WinRM listening on 5985, Windows'
 * default rule set recorded (WMI rules off, WinRM on as on servers). */
static sc_host *local_server(void)
{
	sc_host *h = sc_new("SRV01", "10.0.0.30", T(T0));

	sc_service_start(h, "WinRM", 2, T(T0));
	sc_listener(h, "*+HTTP", 5985, T(T0));
	local_profiles(h, 1);
	sc_fw_default_rule(h, "WINRM-HTTP-In-TCP-NoScope", RULE_WINRM_SRV("TRUE"), T(T0));
	sc_fw_default_rule(h, "WMI-RPCSS-In-TCP", RULE_WMI_DEFAULT("RpcSs", "LPort=RPC-EPMap|"),
	                   T(T0));
	sc_fw_default_rule(h, "WMI-WINMGMT-In-TCP", RULE_WMI_DEFAULT("winmgmt", ""), T(T0));
	sc_dcom(h, "Y", T(T0));
	sc_module_logging(h, 1, T(T0));
	sc_ev_touch(h, T(T0), "System");
	sc_ev_touch(h, T(T0), "Security");
	sc_ev_touch(h, T(T0), "Microsoft-Windows-WinRM/Operational");
	sc_ev_touch(h, T(T0), "Microsoft-Windows-PowerShell/Operational");
	return h;
}

/* 30: a reset (2032) restores Windows' default rules: the WinRM rule an
 * administrator had disabled is on again, and WinRM used after it was
 * re-enabled by the reset, not a contradiction */
START_TEST(reset_reopens_default_rule)
{
	sc_host *h = local_server();
	const rt_cm_verdict *v;
	const rt_interval *last;
	const rt_bypass *b;

	sc_fw_rule(h, 0, "WINRM-HTTP-In-TCP-NoScope", RULE_WINRM_SRV("FALSE"), T(T0));
	sc_ev_fw(h, T("2024-03-12T09:00:00Z"), 2032, NULL);
	sc_ev_winrm_session(h, T("2024-03-12T09:20:00Z"), "10.0.0.99", "admin2");
	v = run(h, RT_CM0019, NULL);
	ck_assert_int_eq(v->intervals[0].state, RT_CM_IN_EFFECT);
	last = changed_at(v, "2024-03-12T09:20:00Z", "2024-03-12T09:00:00Z", RT_CM_NOT_IN_EFFECT);
	ck_assert_ptr_nonnull(item_with(
	    &last->basis, "firewall reset to Windows' defaults (local store) since", 2032));
	ck_assert_ptr_nonnull(
	    item_with(&last->basis, "firewall.default.rule.WINRM-HTTP-In-TCP-NoScope = ", 0));
	b = reenabled_by(v, "firewall.reset = default", 2032);
	ck_assert_ptr_nonnull(strstr(b->explanation, "firewall reset to Windows' defaults"));
	config_shows("SRV01", "firewall.reset", 2032, "\"default\"");
}
END_TEST

/* 31: a reset closes what local settings had opened (the firewall off on
 * every profile): in effect from the reset on, and WMI used after it is a
 * contradiction; Group Policy is not touched by a reset */
START_TEST(reset_closes_local_opening)
{
	sc_host *h = local_server();
	const rt_cm_verdict *v;
	const rt_interval *iv;

	local_profiles(h, 0);
	sc_ev_wmi_exec(h, T("2024-03-06T10:00:00Z"), "10.0.0.37", "itadmin");
	sc_ev_fw(h, T("2024-03-10T08:00:00Z"), 2060, NULL);
	sc_ev_wmi_exec(h, T("2024-03-12T11:00:00Z"), "10.0.0.37", "itadmin");
	v = run(h, RT_CM0013, NULL);
	iv = interval_at(v, T("2024-03-06T10:00:00Z"));
	ck_assert_int_eq(iv->state, RT_CM_NOT_IN_EFFECT);
	iv = changed_at(v, "2024-03-12T11:00:00Z", "2024-03-10T08:00:00Z", RT_CM_IN_EFFECT);
	ck_assert_ptr_nonnull(item_with(
	    &iv->basis, "firewall.profile.domain.enabled: Windows' default (firewall reset", 2060));
	ck_assert_ptr_nonnull(item_with(&v->evidence, "use while not in effect", 4688));
	ck_assert_ptr_nonnull(route(v, "contradiction between configuration and activity"));
	ck_assert_ptr_null(route(v, "re-enabled then used"));
	config_shows("SRV01", "firewall.reset", 2060, "\"default\"");
}
END_TEST

/* 32: the firewall service failed to load Group Policy (2009): the policy
 * that kept WMI out no longer applies, the local store (firewall off)
 * does; WMI used after it was opened by the failure */
START_TEST(policy_load_failure_opens_local_settings)
{
	sc_host *h = base("WS01", "10.0.0.21", 4);
	const rt_cm_verdict *v;
	const rt_interval *iv;

	local_profiles(h, 0);
	sc_ev_fw(h, T("2024-03-12T10:00:00Z"), 2009, NULL);
	sc_ev_wmi_exec(h, T("2024-03-12T11:00:00Z"), "10.0.0.37", "itadmin");
	v = run(h, RT_CM0013, NULL);
	ck_assert_int_eq(v->intervals[0].state, RT_CM_IN_EFFECT);
	iv = changed_at(v, "2024-03-12T11:00:00Z", "2024-03-12T10:00:00Z", RT_CM_NOT_IN_EFFECT);
	ck_assert_ptr_nonnull(item_with(
	    &iv->basis, "failed to load Group Policy (local settings apply) since", 2009));
	ck_assert_ptr_nonnull(item_with(&iv->basis, "firewall.profile.domain.enabled = false", 0));
	reenabled_by(v, "firewall.policy.load = failed", 2009);
	config_shows("WS01", "firewall.policy.load", 2009, "\"failed\"");
}
END_TEST

/* 33: "netsh firewall set opmode mode=disable" changes the current
 * profile: with a 4956 naming it (domain), that profile is off from then on */
START_TEST(opmode_current_profile_known)
{
	sc_host *h = local_server();
	const rt_cm_verdict *v;
	const rt_interval *iv;

	sc_ev_4956(h, T("2024-03-05T09:00:00Z"), "Domain");
	sc_ev_scriptblock(h, T("2024-03-12T10:00:00Z"), "netsh firewall set opmode mode=disable");
	sc_ev_wmi_exec(h, T("2024-03-12T11:00:00Z"), "10.0.0.37", "itadmin");
	v = run(h, RT_CM0013, NULL);
	iv = changed_at(v, "2024-03-12T11:00:00Z", "2024-03-12T10:00:00Z", RT_CM_NOT_IN_EFFECT);
	ck_assert_str_eq(iv->why, "the firewall is off on the active domain profile");
	ck_assert_ptr_nonnull(
	    item_with(&iv->basis, "firewall.profile.current.enabled = false", 4104));
	ck_assert_int_eq(interval_at(v, T("2024-03-06T00:00:00Z"))->state, RT_CM_IN_EFFECT);
	reenabled_by(v, "firewall.profile.current.enabled = false", 4104);
	config_shows("SRV01", "firewall.profile.current.enabled", 4104, "false");
}
END_TEST

/* 34: ... and without any record of the active profile, it may have been
 * any: every profile is unknown from then on, and the text says so */
START_TEST(opmode_current_profile_unknown)
{
	sc_host *h = sc_new("WS01", "10.0.0.21", T(T0));
	const rt_cm_verdict *v;
	const rt_interval *iv;

	local_profiles(h, 1);
	sc_dcom(h, "Y", T(T0));
	sc_ev_touch(h, T(T0), "System");
	sc_ev_scriptblock(h, T("2024-03-12T10:00:00Z"), "netsh firewall set opmode disable");
	sc_ev_wmi_exec(h, T("2024-03-12T11:00:00Z"), "10.0.0.37", "itadmin");
	v = run(h, RT_CM0013, NULL);
	ck_assert_int_eq(v->intervals[0].state, RT_CM_IN_EFFECT);
	iv = changed_at(v, "2024-03-12T11:00:00Z", "2024-03-12T10:00:00Z", RT_CM_UNKNOWN);
	ck_assert_ptr_nonnull(strstr(iv->why, "switched off on the current profile"));
	ck_assert_ptr_nonnull(strstr(iv->why, "Security 4956"));
	ck_assert_ptr_nonnull(item_with(
	    &iv->basis, "firewall.profile.current.enabled = false (the current profile", 4104));
	ck_assert_ptr_nonnull(item_with(&v->evidence, "use while the state is unknown", 4688));
	ck_assert_ptr_null(route(v, "contradiction between configuration and activity"));
}
END_TEST

/* 35: every local rule deleted (2033): the local rules that let WMI in stop
 * applying, so WMI is kept out from then on and a later use contradicts it */
START_TEST(all_rules_deleted_closes)
{
	sc_host *h = local_server();
	const rt_cm_verdict *v;
	const rt_interval *iv;

	sc_fw_rule(h, 0, "WMI-RPCSS-In-TCP", RULE_WMI_RPCSS(""), T(T0));
	sc_fw_rule(h, 0, "WMI-WINMGMT-In-TCP", RULE_WMI_WINMGMT(""), T(T0));
	sc_ev_wmi_exec(h, T("2024-03-06T10:00:00Z"), "10.0.0.37", "itadmin");
	sc_ev_fw(h, T("2024-03-10T08:00:00Z"), 2033, NULL);
	sc_ev_wmi_exec(h, T("2024-03-12T11:00:00Z"), "10.0.0.37", "itadmin");
	v = run(h, RT_CM0013, NULL);
	ck_assert_int_eq(interval_at(v, T("2024-03-06T10:00:00Z"))->state, RT_CM_NOT_IN_EFFECT);
	iv = changed_at(v, "2024-03-12T11:00:00Z", "2024-03-10T08:00:00Z", RT_CM_IN_EFFECT);
	ck_assert_ptr_nonnull(
	    item_with(&iv->basis, "every local firewall rule deleted since", 2033));
	ck_assert_ptr_nonnull(route(v, "contradiction between configuration and activity"));
	config_shows("SRV01", "firewall.rule.*", 2033, "null");
}
END_TEST

/* 36: one rule deleted (2006): that rule stops applying from then on */
START_TEST(rule_deleted_closes)
{
	sc_host *h = local_server();
	const rt_cm_verdict *v;

	sc_fw_rule(h, 0, "WMI-RPCSS-In-TCP", RULE_WMI_RPCSS(""), T(T0));
	sc_fw_rule(h, 0, "WMI-WINMGMT-In-TCP", RULE_WMI_WINMGMT(""), T(T0));
	sc_ev_fw(h, T("2024-03-10T08:00:00Z"), 2006, "WMI-WINMGMT-In-TCP");
	sc_ev_wmi_exec(h, T("2024-03-12T11:00:00Z"), "10.0.0.37", "itadmin");
	v = run(h, RT_CM0013, NULL);
	ck_assert_int_eq(v->intervals[0].state, RT_CM_NOT_IN_EFFECT);
	changed_at(v, "2024-03-12T11:00:00Z", "2024-03-10T08:00:00Z", RT_CM_IN_EFFECT);
	ck_assert_ptr_nonnull(route(v, "contradiction between configuration and activity"));
	config_shows("SRV01", "firewall.rule.WMI-WINMGMT-In-TCP", 2006, "null");
}
END_TEST

/* 37: the WMI rule group switched on by netsh: Windows' WMI rules (off in
 * the local store, as shipped) let WMI in from then on */
START_TEST(rule_group_enabled_by_netsh)
{
	sc_host *h = local_server();
	const rt_cm_verdict *v;

	sc_fw_rule(h, 0, "WMI-RPCSS-In-TCP", RULE_WMI_DEFAULT("RpcSs", "LPort=RPC-EPMap|"), T(T0));
	sc_fw_rule(h, 0, "WMI-WINMGMT-In-TCP", RULE_WMI_DEFAULT("winmgmt", ""), T(T0));
	sc_ev_scriptblock(h, T("2024-03-12T10:00:00Z"),
	                  "netsh advfirewall firewall set rule group=\"windows management "
	                  "instrumentation (wmi)\" new enable=yes");
	sc_ev_wmi_exec(h, T("2024-03-12T11:00:00Z"), "10.0.0.37", "itadmin");
	v = run(h, RT_CM0013, NULL);
	ck_assert_int_eq(v->intervals[0].state, RT_CM_IN_EFFECT);
	changed_at(v, "2024-03-12T11:00:00Z", "2024-03-12T10:00:00Z", RT_CM_NOT_IN_EFFECT);
	reenabled_by(
	    v, "firewall.rule_group.windows management instrumentation (wmi).enabled = true", 4104);
}
END_TEST

/* 38: a rule switched on by id (Enable-NetFirewallRule -Name) */
START_TEST(rule_enabled_by_id)
{
	sc_host *h = local_server();
	const rt_cm_verdict *v;
	const rt_interval *iv;

	sc_fw_rule(h, 0, "WINRM-HTTP-In-TCP-NoScope", RULE_WINRM_SRV("FALSE"), T(T0));
	sc_ev_scriptblock(h, T("2024-03-12T09:00:00Z"),
	                  "Enable-NetFirewallRule -Name WINRM-HTTP-In-TCP-NoScope");
	sc_ev_winrm_session(h, T("2024-03-12T09:20:00Z"), "10.0.0.99", "admin2");
	v = run(h, RT_CM0019, NULL);
	ck_assert_int_eq(v->intervals[0].state, RT_CM_IN_EFFECT);
	iv = changed_at(v, "2024-03-12T09:20:00Z", "2024-03-12T09:00:00Z", RT_CM_NOT_IN_EFFECT);
	ck_assert_ptr_nonnull(
	    item_with(&iv->basis, "firewall.rule.WINRM-HTTP-In-TCP-NoScope.enabled = true", 4104));
	reenabled_by(v, "firewall.rule.WINRM-HTTP-In-TCP-NoScope.enabled = true", 4104);
}
END_TEST

/* 39: rules removed by display name (Remove-NetFirewallRule -DisplayName):
 * every local rule of that name stops applying */
START_TEST(rules_removed_by_display_name)
{
	sc_host *h = local_server();
	const rt_cm_verdict *v;

	sc_fw_rule(h, 0, "{0A1B2C3D-0000-4000-8000-000000000001}", RULE_WMI_RPCSS("Name=Open WMI|"),
	           T(T0));
	sc_fw_rule(h, 0, "{0A1B2C3D-0000-4000-8000-000000000002}",
	           RULE_WMI_WINMGMT("Name=Open WMI|"), T(T0));
	sc_ev_scriptblock(h, T("2024-03-10T08:00:00Z"),
	                  "Remove-NetFirewallRule -DisplayName \"Open WMI\"");
	sc_ev_wmi_exec(h, T("2024-03-12T11:00:00Z"), "10.0.0.37", "itadmin");
	v = run(h, RT_CM0013, NULL);
	ck_assert_int_eq(v->intervals[0].state, RT_CM_NOT_IN_EFFECT);
	changed_at(v, "2024-03-12T11:00:00Z", "2024-03-10T08:00:00Z", RT_CM_IN_EFFECT);
	ck_assert_ptr_nonnull(route(v, "contradiction between configuration and activity"));
	config_shows("SRV01", "firewall.rule.cmd:Open WMI", 4104, "null");
}
END_TEST

/* 40: "netsh advfirewall set currentprofile firewallpolicy allowinbound,..."
 * with the domain profile active: inbound allowed there from then on */
START_TEST(current_profile_inbound_allowed)
{
	sc_host *h = local_server();
	const rt_cm_verdict *v;

	sc_ev_4956(h, T("2024-03-05T09:00:00Z"), "Domain");
	sc_ev_scriptblock(
	    h, T("2024-03-12T10:00:00Z"),
	    "netsh advfirewall set currentprofile firewallpolicy allowinbound,allowoutbound");
	sc_ev_wmi_exec(h, T("2024-03-12T11:00:00Z"), "10.0.0.37", "itadmin");
	v = run(h, RT_CM0013, NULL);
	ck_assert_int_eq(interval_at(v, T("2024-03-06T00:00:00Z"))->state, RT_CM_IN_EFFECT);
	changed_at(v, "2024-03-12T11:00:00Z", "2024-03-12T10:00:00Z", RT_CM_NOT_IN_EFFECT);
	reenabled_by(v, "firewall.profile.current.default_inbound = allow", 4104);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("assess_scenarios");
	TCase *tc = tcase_create("scenarios");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, winrm_in_effect_untouched);
	tcase_add_test(tc, winrm_reenabled_then_used);
	tcase_add_test(tc, winrm_disabled_yet_used_is_contradiction);
	tcase_add_test(tc, winrm_restricted_use_from_inside);
	tcase_add_test(tc, winrm_restricted_use_from_outside);
	tcase_add_test(tc, winrm_allowed_address_outside_intended_scope);
	tcase_add_test(tc, local_subnet_wide_mask_outside_intended_scope);
	tcase_add_test(tc, local_subnet_without_interface_data);
	tcase_add_test(tc, local_subnet_guess_without_mask);
	tcase_add_test(tc, local_subnet_several_interfaces);
	tcase_add_test(tc, ipv6_only_rule_is_restricted);
	tcase_add_test(tc, mgmt_with_ipv6);
	tcase_add_test(tc, winrm_ipv6_filter);
	tcase_add_test(tc, winrm_not_in_effect);
	tcase_add_test(tc, unknown_without_hives);
	tcase_add_test(tc, blocked_attempts_only);
	tcase_add_test(tc, server_refusal_while_disabled_is_contradiction);
	tcase_add_test(tc, monitoring_log_gap);
	tcase_add_test(tc, winrm_alternate_listener);
	tcase_add_test(tc, winrm_policy_local_conflict);
	tcase_add_test(tc, winrm_service_started_on_demand);
	tcase_add_test(tc, wmi_in_effect_by_policy);
	tcase_add_test(tc, wmi_admin_subnet_restricted_inside);
	tcase_add_test(tc, wmi_admin_subnet_used_from_workstation);
	tcase_add_test(tc, wmi_firewall_off_not_in_effect);
	tcase_add_test(tc, wmi_public_off_active_profile_unknown);
	tcase_add_test(tc, wmi_public_off_domain_active_then_public);
	tcase_add_test(tc, wmi_public_off_public_network_connected);
	tcase_add_test(tc, dcom_disabled_denied_then_used);
	tcase_add_test(tc, remote_assistance_and_store_rules_are_not_wmi);
	tcase_add_test(tc, wmi_open_cites_only_deciding_rules);
	tcase_add_test(tc, winmgmt_disabled_closes_wmi);
	tcase_add_test(tc, winmgmt_reenabled_then_used);
	tcase_add_test(tc, dcom_request_while_rpc_blocked);
	tcase_add_test(tc, opening_change_point_then_use);
	tcase_add_test(tc, local_subnet_on_workstation_is_not_restricted);
	tcase_add_test(tc, local_subnet_of_management_hosts);
	tcase_add_test(tc, domain_controller_of_the_case_manages);
	tcase_add_test(tc, dcom_policy_launch_restriction);
	tcase_add_test(tc, dcom_default_launch_restriction_is_none);
	tcase_add_test(tc, wmi_fixed_port_counts_only_standalone);
	tcase_add_test(tc, wmi_fixed_port_standalone);
	tcase_add_test(tc, low_confidence_use_is_not_bypass);
	tcase_add_test(tc, reset_reopens_default_rule);
	tcase_add_test(tc, reset_closes_local_opening);
	tcase_add_test(tc, policy_load_failure_opens_local_settings);
	tcase_add_test(tc, opmode_current_profile_known);
	tcase_add_test(tc, opmode_current_profile_unknown);
	tcase_add_test(tc, all_rules_deleted_closes);
	tcase_add_test(tc, rule_deleted_closes);
	tcase_add_test(tc, rule_group_enabled_by_netsh);
	tcase_add_test(tc, rule_enabled_by_id);
	tcase_add_test(tc, rules_removed_by_display_name);
	tcase_add_test(tc, current_profile_inbound_allowed);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
