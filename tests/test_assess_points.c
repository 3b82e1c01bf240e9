/*
 * Change points that cannot change a judgement (issue 16 follow-up): the
 * assessor does not cut the period at the times of firewall rules that
 * match no receiving leg (mark_inert in src/assess/assess.c). These tests
 * build hosts with many such rules among ones that matter and check that
 * the report is byte for byte the one the slow reference gives (every
 * change point judged: rt_assess_every_point), a behavioural test and no
 * timing assertion.
 */
#include "config.h"

#include <check.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/assess/assess_int.h"
#include "evtx_writer.h"
#include "remtrail/pipeline.h"
#include "remtrail/report.h"
#include "scenario.h"
#include "testutil.h"

#define T0 "2024-03-01T08:00:00Z"
#define SEC 10000000ULL
#define SVCHOST "%SystemRoot%\\system32\\svchost.exe"

static char *dir;

static void setup(void)
{
	dir = tu_tmpdir();
}

static void teardown(void)
{
	rt_assess_every_point = 0;
	rt_assess_itemise_max = 500;
	tu_rmtree(dir);
	free(dir);
}

/* The case's report.json with or without every change point judged. */
static char *report(int every_point)
{
	static const rt_report_opts opts = { NULL, 0, 0, "auto", NULL, 0 };
	static const char *const argv[] = { "remtrail", "analyze" };
	static const rt_report_run run = { "test", argv, 2, 1700000000, 1700000060, 1 };
	const char *paths[1] = { dir };
	rt_analysis_opts o;
	rt_analysis *an = NULL;
	rt_buf b = RT_BUF_INIT;
	rt_diag d;

	rt_assess_every_point = every_point;
	memset(&o, 0, sizeof o);
	rt_diag_init(&d, NULL, NULL);
	ck_assert_int_eq(rt_analysis_run(paths, 1, &o, &an, &d), 0);
	ck_assert_uint_eq(d.errors, 0);
	ck_assert_uint_ge(an->nhosts, 1);
	{
		rt_report rep;

		memset(&rep, 0, sizeof rep);
		rep.a = an;
		rep.opts = &opts;
		rep.run = &run;
		ck_assert_int_eq(rt_report_json(&b, &rep, RT_REPORT_CASE), 0);
	}
	rt_analysis_free(&an);
	rt_diag_release(&d);
	rt_assess_every_point = 0;
	return rt_buf_detach(&b, NULL);
}

static void same_both_ways(sc_host *h)
{
	char *fast, *slow;

	ck_assert_int_eq(sc_write(h, dir), 0);
	sc_free(&h);
	fast = report(0);
	slow = report(1);
	ck_assert_ptr_nonnull(fast);
	ck_assert_ptr_nonnull(slow);
	if (strcmp(fast, slow)) {
		size_t i = 0;

		while (fast[i] == slow[i])
			i++;
		i = i > 200 ? i - 200 : 0;
		ck_abort_msg("reports differ at byte %zu:\n%.400s\n--- every point judged:\n%.400s", i,
			     fast + i, slow + i);
	}
	ck_assert_ptr_nonnull(strstr(fast, "\"CM0019\""));
	free(fast);
	free(slow);
}

static sc_host *workstation(uint64_t t0)
{
	sc_host *h = sc_fw_workstation("WS01", "10.0.0.21", t0);

	sc_fw_default_rule(h, "WINRM-HTTP-In-TCP", SC_WINRM_HTTP_RULE, t0);
	sc_ev_touch(h, t0, "Microsoft-Windows-WinRM/Operational");
	return h;
}

/* Application rules (TCP, UDP, any port, a port, added and modified and
 * deleted) around every kind of point that matters: the WinRM rule's
 * scope changed and deleted, an App-less rule on 5985, a rule for the WMI
 * service's host process, a reset to defaults, profile switches, remote
 * WinRM and WMI use. */
START_TEST(irrelevant_points_change_nothing)
{
	uint64_t t0 = tw_time(T0), t;
	sc_host *h = workstation(t0);
	char id[64], app[128], port[16];
	unsigned k;

	for (k = 0; k < 400; k++) {
		t = t0 + (k + 1) * SEC;
		snprintf(id, sizeof id, "{APP-%u}", k % 5 == 4 ? k - 1 : k);
		snprintf(app, sizeof app, "C:\\Program Files\\Vendor%u\\app%u.exe", k % 7, k);
		snprintf(port, sizeof port, "%u", 1024 + k);
		switch (k) {
		case 50:
			sc_ev_fw_rule(h, t, 2005, "WINRM-HTTP-In-TCP", "System", "6", "5985", "10.0.5.0/24");
			break;
		case 80:
			sc_ev_winrm_session(h, t, "10.0.5.9", "itadmin");
			break;
		case 100:
			sc_ev_4956(h, t, "Domain");
			break;
		case 120:
			sc_ev_fw_rule(h, t, 2004, "OPEN-5985", "", "6", "5985", "*");
			break;
		case 150:
			sc_ev_winrm_session(h, t, "203.0.113.45", "itadmin");
			break;
		case 180:
			sc_ev_fw(h, t, 2006, "OPEN-5985");
			break;
		case 200:
			sc_ev_fw_rule(h, t, 2004, "WMI-HOST", SVCHOST, "6", "RPC", "*");
			break;
		case 220:
			sc_ev_wmi_exec(h, t, "10.0.0.37", "itadmin");
			break;
		case 250:
			sc_ev_fw(h, t, 2032, NULL);
			break;
		case 300:
			sc_ev_fw(h, t, 2006, "WINRM-HTTP-In-TCP");
			break;
		case 320:
			sc_ev_4950(h, t, "Domain", 0);
			break;
		case 340:
			sc_ev_4950(h, t, "Domain", 1);
			break;
		case 360:
			sc_ev_fw(h, t, 2006, "{APP-12}");
			break;
		default:
			sc_ev_fw_rule(h, t, k % 5 == 4 ? 2005 : 2004, id, app, k % 3 ? "6" : "17",
			              k % 2 ? "*" : port, "*");
		}
	}
	sc_set_collected(h, t0 + 500 * SEC);
	same_both_ways(h);
}
END_TEST

/* Rules that look like application rules but reach a receiver are never
 * skipped: an application rule whose id Windows' default set also has
 * with a WinRM rule, rules for explorer.exe and mmc.exe (DCOM), a reset
 * and "every rule deleted" (firewall.rule.*), are each judged at their
 * time. */
START_TEST(lookalikes_are_judged)
{
	uint64_t t0 = tw_time(T0), t;
	sc_host *h = workstation(t0);
	char id[64], app[128];
	unsigned k;

	sc_fw_default_rule(h, "{APP-7}", SC_WINRM_HTTP_RULE, t0);
	for (k = 0; k < 120; k++) {
		t = t0 + (k + 1) * SEC;
		snprintf(id, sizeof id, "{APP-%u}", k);
		snprintf(app, sizeof app, "C:\\Program Files\\Vendor\\app%u.exe", k);
		if (k == 30)
			sc_ev_fw_rule(h, t, 2004, "DCOM-MMC", "%SystemRoot%\\system32\\mmc.exe", "6", "*", "*");
		else if (k == 60)
			sc_ev_fw_rule(h, t, 2004, "DCOM-EXPLORER", "C:\\Windows\\explorer.exe", "256", "*", "*");
		else if (k == 90)
			sc_ev_fw(h, t, 2032, NULL);
		else if (k == 100)
			sc_ev_fw(h, t, 2033, NULL);
		else
			sc_ev_fw_rule(h, t, 2004, id, app, "6", "*", "*");
	}
	sc_ev_dcom_exec(h, t0 + 200 * SEC, "10.0.0.37", "itadmin");
	sc_set_collected(h, t0 + 300 * SEC);
	same_both_ways(h);
}
END_TEST

/* App-less port rules, the hostile case (a log of thousands of them):
 * rules whose local ports no leg can take - TCP allow and block on ports
 * no receiver listens on, UDP on any port (every receiver is TCP) - around
 * rules on ports a leg does take, each judged at its time: WinRM's 5985, a
 * listener on 8080, WMI's fixed port 24158, the endpoint mapper's 135, a
 * range over 5985, the RPC and RPC-EPMap keywords, the dynamic range,
 * block rules on 5985, on 135 and on any port, a rule without protocol (no
 * port condition at all), an unrelated rule modified onto 5985 and one
 * deleted; remote WinRM, WMI and DCOM use among them. */
START_TEST(port_rules_judged_where_they_reach)
{
	static const struct {
		const char *proto, *lport;
		int block;
	} reach[] = {
		{ "6", "5985", 0 },	   { "6", "8080", 0 },	  { "6", "24158", 0 },	       { "6", "135", 0 },
		{ "6", "5000-6000", 0 },   { "6", "RPC", 0 },	  { "6", "RPC-EPMap", 0 },     { "6", "50000-50100", 0 },
		{ "6", "5985", 1 },	   { "256", "4444", 0 },  { "6", "135", 1 },	       { "6", "*", 1 },
	};
	uint64_t t0 = tw_time(T0), t;
	sc_host *h = workstation(t0);
	char id[64], port[16];
	unsigned k;

	sc_listener(h, "*+HTTPS", 8080, t0);
	sc_winmgmt_standalone(h, 24158, t0);
	for (k = 0; k < 600; k++) {
		t = t0 + (k + 1) * SEC;
		snprintf(id, sizeof id, "{PORT-%u}", k % 5 == 4 ? k - 1 : k);
		snprintf(port, sizeof port, "%u", 1024 + k * 7 % 4000);
		if (k % 40 == 39 && k / 40 < sizeof reach / sizeof *reach) {
			snprintf(id, sizeof id, "{REACH-%u}", k / 40);
			if (reach[k / 40].block)
				sc_ev_fw_block_rule(h, t, 2004, id, reach[k / 40].proto, reach[k / 40].lport);
			else
				sc_ev_fw_rule(h, t, 2004, id, "", reach[k / 40].proto, reach[k / 40].lport, "*");
			continue;
		}
		switch (k) {
		case 60:
			sc_ev_winrm_session(h, t, "203.0.113.45", "itadmin");
			break;
		case 210:
			sc_ev_wmi_exec(h, t, "10.0.0.37", "itadmin");
			break;
		case 330:
			sc_ev_dcom_exec(h, t, "10.0.0.37", "itadmin");
			break;
		case 400:
			sc_ev_fw_rule(h, t, 2005, "{PORT-10}", "", "6", "5985", "*");
			break;
		case 440:
			sc_ev_fw(h, t, 2006, "{REACH-0}");
			break;
		case 500:
			sc_ev_winrm_session(h, t, "203.0.113.46", "itadmin");
			break;
		default:
			if (k % 3 == 0)
				sc_ev_fw_rule(h, t, k % 5 == 4 ? 2005 : 2004, id, "", "17", k % 2 ? "*" : "5985", "*");
			else if (k % 4 == 1)
				sc_ev_fw_block_rule(h, t, k % 5 == 4 ? 2005 : 2004, id, "6", port);
			else
				sc_ev_fw_rule(h, t, k % 5 == 4 ? 2005 : 2004, id, "", "6", port, "*");
		}
	}
	sc_set_collected(h, t0 + 700 * SEC);
	same_both_ways(h);
}
END_TEST

/* Many rules that matter, each change its own piece (piece_advance
 * carries the state from one to the next instead of rebuilding it): a
 * WinRM rule added, rescoped three times, deleted and added again; App-less
 * any-port rules added with a scope, widened, deleted; rules of unknown
 * presence until a later snapshot (a Group Policy rule on 135, the local
 * hive's rules written late); WinRM and WMI use among them. */
/* The WinRM rule's scope changed again and again among 300 changes of
 * other rules, with WinRM and WMI used in between. */
static sc_host *rule_churn(void)
{
	static const char *const scopes[] = { "10.0.5.0/24", "*", "10.0.6.0/24", "LocalSubnet" };
	uint64_t t0 = tw_time(T0), t;
	sc_host *h = workstation(t0);
	char id[64];
	unsigned k;

	sc_fw_rule(h, 1, "GPO-EPMAP", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=RPC-EPMap|RA4=10.0.9.0/24|",
		   t0 + 250 * SEC);
	sc_fw_rule(h, 0, "HIVE-LATE", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=RPC|App=" SVCHOST "|Svc=winmgmt|",
		   t0 + 400 * SEC);
	for (k = 0; k < 300; k++) {
		t = t0 + (k + 1) * SEC;
		snprintf(id, sizeof id, "{ANY-%u}", k % 7 == 6 ? k - 1 : k);
		switch (k) {
		case 20:
		case 60:
		case 100:
		case 140:
			sc_ev_fw_rule(h, t, k == 20 ? 2004 : 2005, "MY-WINRM", "System", "6", "5985", scopes[k / 40 % 4]);
			break;
		case 160:
			sc_ev_fw(h, t, 2006, "MY-WINRM");
			break;
		case 200:
			sc_ev_fw_rule(h, t, 2004, "MY-WINRM", "", "6", "5985", "10.0.7.0/24");
			break;
		case 50:
		case 150:
		case 290:
			sc_ev_winrm_session(h, t, "10.0.5.9", "itadmin");
			break;
		case 230:
			sc_ev_wmi_exec(h, t, "10.0.9.37", "itadmin");
			break;
		default:
			if (k % 11 == 10)
				sc_ev_fw(h, t, 2006, id);
			else
				sc_ev_fw_rule(h, t, k % 7 == 6 ? 2005 : 2004, id, "", k % 4 ? "6" : "17", "*",
					      k % 7 == 6 ? "*" : scopes[k % 4]);
		}
	}
	sc_set_collected(h, t0 + 500 * SEC);
	return h;
}

START_TEST(rule_changes_carried_piece_to_piece)
{
	same_both_ways(rule_churn());
}
END_TEST

/* Field `name` of the k-th object of `arr` (a string). */
static const char *field(const cJSON *arr, int k, const char *name)
{
	const cJSON *f = cJSON_GetObjectItem(cJSON_GetArrayItem(arr, k), name);

	ck_assert_msg(cJSON_IsString(f), "no %s in item %d", name, k);
	return f->valuestring;
}

/* Each countermeasure of the report: its intervals detached into `iv`. */
static cJSON *countermeasures(const char *report_json, cJSON *iv[3])
{
	cJSON *root = cJSON_Parse(report_json), *host, *cms, *cm;
	int i = 0;

	ck_assert_ptr_nonnull(root);
	host = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "verdicts"), 0);
	cms = cJSON_DetachItemFromObject(host, "countermeasures");
	ck_assert_ptr_nonnull(cms);
	cJSON_Delete(root);
	cJSON_ArrayForEach(cm, cms) {
		ck_assert_int_lt(i, 3);
		iv[i++] = cJSON_DetachItemFromObject(cm, "intervals");
	}
	ck_assert_int_eq(i, 3);
	return cms;
}

/*
 * A long history is folded past rt_assess_itemise_max (here 1) intervals,
 * not judged otherwise: the verdicts, bypasses and evidence are those of
 * the whole history, the intervals still cover the period one after
 * another, and an interval that took others in says how many.
 */
static void folds_without_changing_verdicts(sc_host *h)
{
	cJSON *full_iv[3], *short_iv[3], *full, *folded;
	char *a, *b, *whole, *cut;
	int cm, fewer = 0, told = 0;

	ck_assert_int_eq(sc_write(h, dir), 0);
	sc_free(&h);
	whole = report(0);
	rt_assess_itemise_max = 1;
	cut = report(0);
	rt_assess_itemise_max = 500;
	full = countermeasures(whole, full_iv);
	folded = countermeasures(cut, short_iv);
	a = cJSON_PrintUnformatted(full);
	b = cJSON_PrintUnformatted(folded);
	ck_assert_str_eq(a, b);
	for (cm = 0; cm < 3; cm++) {
		int n = cJSON_GetArraySize(short_iv[cm]), nfull = cJSON_GetArraySize(full_iv[cm]), k;

		ck_assert_int_le(n, nfull);
		fewer += n < nfull;
		ck_assert_str_eq(field(short_iv[cm], 0, "from"), field(full_iv[cm], 0, "from"));
		ck_assert_str_eq(field(short_iv[cm], n - 1, "to"), field(full_iv[cm], nfull - 1, "to"));
		for (k = 1; k < n; k++)
			ck_assert_str_eq(field(short_iv[cm], k, "from"), field(short_iv[cm], k - 1, "to"));
		for (k = 0; k < n; k++)
			told += strstr(field(short_iv[cm], k, "why"),
				       "without changing this judgement, not itemised (a history "
				       "itemises at most 1 intervals)") != NULL;
		cJSON_Delete(full_iv[cm]);
		cJSON_Delete(short_iv[cm]);
	}
	ck_assert_int_gt(fewer, 0);
	ck_assert_int_ge(told, fewer);
	cJSON_free(a);
	cJSON_free(b);
	cJSON_Delete(full);
	cJSON_Delete(folded);
	free(whole);
	free(cut);
}

START_TEST(long_histories_fold_without_changing_verdicts)
{
	folds_without_changing_verdicts(rule_churn());
}
END_TEST

/* WinRM let in only from a scope that grows while the state stays
 * restricted, and used from the part that was added: the pieces after
 * the change are judged by the new scope, never folded into the old. */
START_TEST(folding_keeps_scopes_apart)
{
	uint64_t t0 = tw_time(T0);
	sc_host *h = sc_fw_workstation("WS01", "10.0.0.21", t0);
	char id[32];
	unsigned k;

	sc_ev_touch(h, t0, "Microsoft-Windows-WinRM/Operational");
	sc_ev_fw(h, t0 + SEC, 2006, "WINRM-HTTP-In-TCP");
	sc_ev_fw_rule(h, t0 + 2 * SEC, 2004, "MY-WINRM", "System", "6", "5985", "10.0.5.0/24");
	for (k = 3; k < 8; k++) {
		snprintf(id, sizeof id, "EXTRA-%u", k);
		sc_ev_fw_rule(h, t0 + k * SEC, 2004, id, "System", "6", "5985", "10.0.5.0/24");
	}
	sc_ev_winrm_session(h, t0 + 9 * SEC, "10.0.6.9", "itadmin");
	sc_ev_fw_rule(h, t0 + 10 * SEC, 2005, "MY-WINRM", "System", "6", "5985", "10.0.6.0/24");
	for (k = 11; k < 16; k++) {
		snprintf(id, sizeof id, "MORE-%u", k);
		sc_ev_fw_rule(h, t0 + k * SEC, 2004, id, "System", "6", "5985", "10.0.6.0/24");
	}
	sc_ev_winrm_session(h, t0 + 20 * SEC, "10.0.6.9", "itadmin");
	sc_set_collected(h, t0 + 30 * SEC);
	folds_without_changing_verdicts(h);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("assess_points");
	TCase *tc = tcase_create("points");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, irrelevant_points_change_nothing);
	tcase_add_test(tc, lookalikes_are_judged);
	tcase_add_test(tc, port_rules_judged_where_they_reach);
	tcase_add_test(tc, rule_changes_carried_piece_to_piece);
	tcase_add_test(tc, long_histories_fold_without_changing_verdicts);
	tcase_add_test(tc, folding_keeps_scopes_apart);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
