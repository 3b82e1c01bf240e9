/* The command line: help, version, usage errors and exit codes. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

START_TEST(help_lists_commands)
{
	char *argv[] = { (char *)tu_remtrail(), "--help", NULL };
	char *out = NULL;

	ck_assert_int_eq(tu_run(argv, &out, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "analyze"));
	ck_assert_ptr_nonnull(strstr(out, "timeline"));
	ck_assert_ptr_nonnull(strstr(out, "events"));
	ck_assert_ptr_nonnull(strstr(out, "exit status"));
	free(out);
}
END_TEST

START_TEST(unknown_command_is_usage_error)
{
	char *argv[] = { (char *)tu_remtrail(), "frobnicate", NULL };
	char *err = NULL;

	ck_assert_int_eq(tu_run(argv, NULL, &err), 2);
	ck_assert_ptr_nonnull(strstr(err, "unknown command 'frobnicate'"));
	free(err);
}
END_TEST

START_TEST(no_arguments_is_usage_error)
{
	char *argv[] = { (char *)tu_remtrail(), NULL };

	ck_assert_int_eq(tu_run(argv, NULL, NULL), 2);
}
END_TEST

START_TEST(every_command_has_help)
{
	static const char *cmds[] = { "analyze", "timeline", "assess", "config", "events" };
	size_t i;

	for (i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		char *argv[] = { (char *)tu_remtrail(), (char *)cmds[i], "--help", NULL };
		char *out = NULL;

		ck_assert_int_eq(tu_run(argv, &out, NULL), 0);
		ck_assert_ptr_nonnull(strstr(out, "usage: remtrail"));
		free(out);
	}
}
END_TEST

START_TEST(version)
{
	char *argv[] = { (char *)tu_remtrail(), "--version", NULL };
	char *out = NULL;

	ck_assert_int_eq(tu_run(argv, &out, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "remtrail "));
	free(out);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, help_lists_commands);
	tcase_add_test(tc, unknown_command_is_usage_error);
	tcase_add_test(tc, no_arguments_is_usage_error);
	tcase_add_test(tc, every_command_has_help);
	tcase_add_test(tc, version);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
