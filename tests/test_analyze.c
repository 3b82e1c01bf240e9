/* analyze / assess on the command line: options, the output folder rules,
 * exit codes. Scenario tests on built evidence live in test_assess_scenarios. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "evtx_writer.h"
#include "scenario.h"
#include "testutil.h"

static int run_rt(const char *a1, const char *a2, const char *a3, const char *a4, const char *a5,
		  char **out, char **err)
{
	char *argv[] = { (char *)tu_remtrail(), (char *)a1, (char *)a2, (char *)a3, (char *)a4,
			 (char *)a5, NULL };
	return tu_run(argv, out, err);
}

START_TEST(help_teaches)
{
	char *out = NULL;

	ck_assert_int_eq(run_rt("analyze", "--help", NULL, NULL, NULL, &out, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "report.json"));
	ck_assert_ptr_nonnull(strstr(out, "IPv4 and IPv6 addresses"));
	ck_assert_ptr_nonnull(strstr(out, "examples:"));
	free(out);
	ck_assert_int_eq(run_rt("assess", "--help", NULL, NULL, NULL, &out, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "re-enabled then used"));
	ck_assert_ptr_nonnull(strstr(out, "IPv4 and IPv6 mixed"));
	ck_assert_ptr_nonnull(strstr(out, "LocalSubnet"));
	ck_assert_ptr_nonnull(strstr(out, "examples:"));
	free(out);
}
END_TEST

START_TEST(usage_errors)
{
	char *dir = tu_tmpdir(), *err = NULL;

	ck_assert_int_eq(run_rt("analyze", dir, NULL, NULL, NULL, NULL, &err), 2);
	ck_assert_ptr_nonnull(strstr(err, "-o DIR"));
	free(err);
	ck_assert_int_eq(run_rt("assess", NULL, NULL, NULL, NULL, NULL, &err), 2);
	free(err);
	ck_assert_int_eq(run_rt("assess", dir, "--format", "xml", NULL, NULL, &err), 2);
	ck_assert_ptr_nonnull(strstr(err, "unknown format 'xml'"));
	free(err);
	ck_assert_int_eq(run_rt("assess", dir, "--mgmt", "nonsense", NULL, NULL, &err), 2);
	free(err);
	/* keywords mean nothing as management addresses */
	ck_assert_int_eq(run_rt("assess", dir, "--mgmt", "LocalSubnet", NULL, NULL, &err), 2);
	ck_assert_ptr_nonnull(strstr(err, "cannot read --mgmt scope 'LocalSubnet'"));
	free(err);
	/* IPv6 and IPv4 mixed are read: the empty folder is the only problem */
	ck_assert_int_eq(run_rt("assess", dir, "--mgmt", "fd00:5::/64,2001:db8::10,10.0.5.0/24", NULL, NULL, &err), 1);
	free(err);
	ck_assert_int_eq(run_rt("assess", dir, "--bogus", NULL, NULL, NULL, &err), 2);
	free(err);
	ck_assert_int_eq(run_rt("assess", dir, "-j", "0", NULL, NULL, &err), 2);
	ck_assert_ptr_nonnull(strstr(err, "-j needs a number of threads"));
	free(err);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(nothing_to_read_is_failure)
{
	char *dir = tu_tmpdir(), *err = NULL, *out = NULL;

	ck_assert_int_eq(run_rt("assess", dir, NULL, NULL, NULL, &out, &err), 1);
	ck_assert_str_eq(out, "");
	ck_assert_ptr_nonnull(strstr(err, "no EVTX logs or registry hives"));
	free(out);
	free(err);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(output_folder_rules)
{
	char *dir = tu_tmpdir(), *err = NULL, *f;
	char ev[4096], outd[4096];
	struct stat st;

	f = tu_write_file(dir, "ev/note.txt", "x", 1);
	free(f);
	f = tu_write_file(dir, "busy/keep.txt", "x", 1);
	free(f);
	snprintf(ev, sizeof ev, "%s/ev", dir);
	snprintf(outd, sizeof outd, "%s/ev/out", dir);
	ck_assert_int_eq(run_rt("analyze", ev, "-o", outd, NULL, NULL, &err), 2);
	ck_assert_ptr_nonnull(strstr(err, "inside the evidence"));
	ck_assert_int_ne(stat(outd, &st), 0);
	free(err);
	snprintf(outd, sizeof outd, "%s/busy", dir);
	ck_assert_int_eq(run_rt("analyze", ev, "-o", outd, NULL, NULL, &err), 2);
	ck_assert_ptr_nonnull(strstr(err, "not empty"));
	free(err);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* The sample's story, built here so the test needs no checked-in data. */
static void story(const char *dir)
{
	sc_host *h = sc_new("WS01", "10.0.0.21", tw_time("2024-03-01T08:00:00Z"));

	sc_service_start(h, "WinRM", 2, tw_time("2024-03-12T09:14:03Z"));
	sc_ev_7040(h, tw_time("2024-03-12T09:14:03Z"), "WinRM", "disabled", "auto start");
	sc_listener(h, "*+HTTP", 5985, tw_time("2024-03-12T09:14:20Z"));
	sc_fw_rule(h, 0, "WINRM-HTTP-In-TCP", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=5985|",
		   tw_time("2024-03-12T09:14:21Z"));
	sc_ev_2004(h, tw_time("2024-03-12T09:14:21Z"), "WINRM-HTTP-In-TCP", "5985", "*");
	sc_ev_winrm_session(h, tw_time("2024-03-12T09:20:00Z"), "203.0.113.45", "svc_backup");
	ck_assert_int_eq(sc_write(h, dir), 0);
	sc_free(&h);
}

static char *read_in(const char *dir, const char *name)
{
	char p[4200];

	snprintf(p, sizeof p, "%s/%s", dir, name);
	return tu_read_file(p, NULL);
}

START_TEST(analyze_writes_the_report)
{
	char *dir = tu_tmpdir(), ev[4096], out[4096], *err = NULL, *stdout_ = NULL;
	char *json, *txt, *csv, *jsonl, *json2;

	snprintf(ev, sizeof ev, "%s/ev", dir);
	snprintf(out, sizeof out, "%s/out", dir);
	story(ev);
	ck_assert_int_eq(run_rt("analyze", ev, "-o", out, NULL, &stdout_, &err), 0);
	ck_assert_str_eq(stdout_, "");
	ck_assert_ptr_nonnull(strstr(err, "wrote report.json"));
	free(stdout_);
	free(err);
	json = read_in(out, "report.json");
	txt = read_in(out, "report.txt");
	csv = read_in(out, "timeline.csv");
	jsonl = read_in(out, "timeline.jsonl");
	ck_assert_ptr_nonnull(json);
	ck_assert_ptr_nonnull(strstr(json, "\"schema\":\"remtrail/1\""));
	ck_assert_ptr_nonnull(strstr(json, "\"sha256\":\""));
	ck_assert_ptr_nonnull(strstr(json, "\"route\":\"re-enabled then used\""));
	ck_assert_ptr_nonnull(strstr(json, "\"configuration\":{\"schema\""));
	ck_assert_ptr_nonnull(strstr(txt, "WS01             CM0019  not_in_effect  YES"));
	ck_assert_ptr_nonnull(strstr(txt, "Key timeline (WS01)"));
	ck_assert_ptr_nonnull(strstr(csv, "winrm.inbound"));
	ck_assert_ptr_nonnull(strstr(csv, "203.0.113.45"));
	ck_assert_ptr_nonnull(strstr(jsonl, "\"kind\":\"winrm.inbound\""));
	/* the same input gives the same bytes; --force replaces our files */
	ck_assert_int_eq(run_rt("analyze", ev, "-o", out, NULL, NULL, NULL), 2);
	ck_assert_int_eq(run_rt("analyze", ev, "-o", out, "--force", NULL, NULL), 0);
	json2 = read_in(out, "report.json");
	ck_assert_str_eq(json, json2);
	free(json);
	free(json2);
	free(txt);
	free(csv);
	free(jsonl);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(assess_json_and_text)
{
	char *dir = tu_tmpdir(), *out = NULL, *o1 = NULL, *o4 = NULL;

	story(dir);
	ck_assert_int_eq(run_rt("assess", dir, NULL, NULL, NULL, &out, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "{\"schema\":\"remtrail/1\",\"hosts\":[{\"host\":\"WS01\""));
	ck_assert_ptr_nonnull(strstr(out, "\"bypassed\":true"));
	free(out);
	ck_assert_int_eq(run_rt("assess", dir, "--format", "text", NULL, &out, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "HOST             CM      STATE"));
	ck_assert_ptr_nonnull(strstr(out, "BYPASS: re-enabled then used"));
	/* the thread count changes nothing */
	ck_assert_int_eq(run_rt("assess", dir, "--format", "text", "-j1", &o1, NULL), 0);
	ck_assert_int_eq(run_rt("assess", dir, "--format", "text", "-j4", &o4, NULL), 0);
	ck_assert_str_eq(o1, out);
	ck_assert_str_eq(o4, out);
	free(o1);
	free(o4);
	free(out);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* The checked-in sample (testdata/sample) still tells its story. */
START_TEST(sample_story)
{
	const char *td = getenv("RT_TESTDATA");
	char sample[4096], *out = NULL;

	if (!td)
		return;
	snprintf(sample, sizeof sample, "%s/sample", td);
	ck_assert_int_eq(run_rt("assess", sample, "--format", "text", NULL, &out, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "WS01             CM0019  not_in_effect  YES"));
	ck_assert_ptr_nonnull(strstr(out, "WS02             CM0019  in_effect      no"));
	ck_assert_ptr_nonnull(strstr(out, "BYPASS: re-enabled then used"));
	ck_assert_ptr_nonnull(strstr(out, "gap: log cleared"));
	free(out);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("analyze");
	TCase *tc = tcase_create("cli");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, help_teaches);
	tcase_add_test(tc, usage_errors);
	tcase_add_test(tc, nothing_to_read_is_failure);
	tcase_add_test(tc, output_folder_rules);
	tcase_add_test(tc, analyze_writes_the_report);
	tcase_add_test(tc, assess_json_and_text);
	tcase_add_test(tc, sample_story);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
