/* analyze / assess on the command line: options, the output folder rules,
 * exit codes. Scenario tests on built evidence live in test_assess_scenarios. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
	ck_assert_ptr_nonnull(strstr(out, "examples:"));
	free(out);
	ck_assert_int_eq(run_rt("assess", "--help", NULL, NULL, NULL, &out, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "re-enabled then used"));
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
	ck_assert_int_eq(run_rt("assess", dir, "--bogus", NULL, NULL, NULL, &err), 2);
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
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
