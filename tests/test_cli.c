/* The command line: help, version, usage errors and exit codes. */
#include "config.h"

#include <check.h>
#include <stdio.h>
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

/* Help in one voice: the same sections, option names and wording in
 * every command; -h and --help alike; nothing wider than a terminal. */
START_TEST(every_command_has_help)
{
	static const struct {
		const char *cmd;
		int evtx, window, formats;
	} cmds[] = {
		{ "analyze", 1, 1, 0 },
		{ "timeline", 1, 1, 1 },
		{ "assess", 1, 1, 1 },
		{ "config", 0, 0, 1 },
		{ "events", 1, 0, 1 },
	};
	size_t i;

	for (i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		char *argv[] = { (char *)tu_remtrail(), (char *)cmds[i].cmd, "--help", NULL };
		char *out = NULL, *out2 = NULL;
		const char *p, *nl;

		ck_assert_int_eq(tu_run(argv, &out, NULL), 0);
		argv[2] = "-h";
		ck_assert_int_eq(tu_run(argv, &out2, NULL), 0);
		ck_assert_str_eq(out, out2);
		ck_assert_ptr_eq(strstr(out, "usage: remtrail "), out);
		ck_assert_ptr_nonnull(strstr(out, "\noptions:\n"));
		ck_assert_ptr_nonnull(strstr(out, "\nexamples:\n  remtrail "));
		ck_assert_ptr_nonnull(strstr(out, "\nexit status: 0 all evidence read; 3 results written"));
		ck_assert_ptr_nonnull(strstr(out, "  -h, --help           this help\n"));
		if (cmds[i].evtx) {
			/* EVTX decoding threads, or hosts side by side (analyze, assess) */
			ck_assert(strstr(out, "  -j, --jobs N         EVTX decoding threads") ||
				  strstr(out, "  -j, --jobs N         hosts analysed side by side"));
			ck_assert_ptr_nonnull(strstr(out, "  --reader R           EVTX reader: auto (default)"));
		}
		if (cmds[i].window)
			ck_assert_ptr_nonnull(strstr(out, "  --from T, --to T     only activity at or after"));
		if (cmds[i].formats)
			ck_assert_msg(strstr(out, "(the default") != NULL, "%s: default format not stated",
				      cmds[i].cmd);
		for (p = out; *p; p = nl + 1) {
			nl = strchr(p, '\n');
			ck_assert_ptr_nonnull(nl);
			ck_assert_msg(nl - p <= 80, "%s --help: line wider than 80: %.*s", cmds[i].cmd,
				      (int)(nl - p), p);
		}
		free(out);
		free(out2);
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

/* libarchive is loaded when evidence holds an archive, not at start-up
 * (src/source/lazy.h): the dynamic loader's own account of a run (glibc's
 * LD_DEBUG=libs) names libcrypto, and no libarchive nor the libxml2 it
 * brings along. */
/* The libraries remtrail loads only when evidence needs them (src/source/lazy.h). */
static const char *const lazy_libs[] = {
	"libarchive", "libxml2",
#ifdef RT_LAZY_IMAGES
	"libewf", "libvhdi", "libqcow", "libvmdk", "libbde", "libfsntfs", "libvshadow",
#endif
};

/* The dynamic loader's account of running `argv`: which libraries it loaded. */
static char *loader_account(char **argv, int want_rc)
{
	char *out = NULL, *err = NULL;

	setenv("LD_DEBUG", "libs", 1);
	ck_assert_int_eq(tu_run(argv, &out, &err), want_rc);
	unsetenv("LD_DEBUG");
	ck_assert_msg(strstr(err, "libevtx") != NULL, "no loader account: %.200s", err);
	free(out);
	return err;
}

static void assert_none_loaded(const char *account)
{
	size_t i;

	for (i = 0; i < sizeof(lazy_libs) / sizeof(lazy_libs[0]); i++)
		ck_assert_msg(strstr(account, lazy_libs[i]) == NULL, "%s loaded", lazy_libs[i]);
}

START_TEST(start_up_loads_no_archive_library)
{
	char *argv[] = { (char *)tu_remtrail(), "--version", NULL };
	char *err = loader_account(argv, 0);

	assert_none_loaded(err);
	ck_assert_msg(strstr(err, "libcrypto") == NULL, "libcrypto loaded");
	free(err);
}
END_TEST

/* Loose logs and hives need neither an archive nor an image library. */
START_TEST(loose_evidence_loads_no_image_library)
{
	const char *td = getenv("RT_TESTDATA");
	char dir[4096], *err;
	char *argv[] = { (char *)tu_remtrail(), "timeline", dir, NULL };

	ck_assert_ptr_nonnull(td);
	snprintf(dir, sizeof dir, "%s/sample/WS01", td);
	err = loader_account(argv, 0);
	assert_none_loaded(err);
	free(err);
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
	tcase_add_test(tc, start_up_loads_no_archive_library);
	tcase_add_test(tc, loose_evidence_loads_no_image_library);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
