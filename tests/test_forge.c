/*
 * Outputs the evidence cannot forge (issue 13, point 4): a log built here
 * whose Computer, user, command line and file names hold newlines,
 * terminal escapes (CSI, OSC), a right-to-left override, C1 controls,
 * bytes that are not UTF-8 and spreadsheet formulas. No text output
 * (report.txt of the case and of the host, timeline.csv, assess and
 * config text, diagnostics on stderr) may carry any of them raw; the
 * JSON outputs keep the values exactly.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "evtx_events.h"
#include "evtx_writer.h"
#include "remtrail/report.h"
#include "testutil.h"

#define COMPUTER "EVIL\x1b[2J\nHOST.corp"
#define USER "adm\n2024-01-01T00:00:00.0000000Z  winrm.inbound    FAKE\x1b[31m"
#define CMDLINE "=cmd|' /C calc'!A0\r\n== Host FAKE ==\x1b]0;pwned\x07 \xe2\x80\xae" "fdp.exe \xc2\x9b" "31m"
#define LOGDIR "ev/C/Windows/System32/winevt/Logs/"
#define LOGNAME "Security\n\x1b[31m\xff.evtx"
#define TRUNCNAME "trunc\nremtrail: error: forged\x1b[0m.evtx"

static char *dir;

static void build(void)
{
	tw_writer *w = tw_new(TW_TEMPLATES);
	uint8_t *img;
	size_t n;
	char *p;

	ck_assert_uint_ne(te_logon(w, "2024-03-12T09:20:00Z", COMPUTER, "3", "10.9.8.7", USER, "CORP",
				   "0x77"), 0);
	ck_assert_uint_ne(te_process(w, "2024-03-12T09:20:01Z", COMPUTER, "C:\\Windows\\System32\\cmd.exe",
				     CMDLINE, "C:\\Windows\\System32\\wbem\\WmiPrvSE.exe", "0x3e7", "0x77"),
			  0);
	img = tw_image(w, &n);
	p = tu_write_file(dir, LOGDIR LOGNAME, img, n);
	free(p);
	/* a damaged copy, so that a diagnostic names a hostile file name */
	p = tu_write_file(dir, LOGDIR TRUNCNAME, img, n / 2 + 100);
	free(p);
	tw_free(&w);
}

/* Text a terminal or a spreadsheet would act on. */
static void clean_text(const char *what, const char *s, int crlf)
{
	const unsigned char *u = (const unsigned char *)s;
	const char *line;
	size_t i;

	ck_assert_ptr_nonnull(s);
	for (i = 0; u[i]; i++) {
		ck_assert_msg(u[i] >= 0x20 || u[i] == '\n' || (crlf && u[i] == '\r' && u[i + 1] == '\n'),
			      "%s: control 0x%02x at %zu", what, u[i], i);
		ck_assert_msg(u[i] != 0x7f, "%s: DEL at %zu", what, i);
		ck_assert_msg(!(u[i] == 0xc2 && u[i + 1] >= 0x80 && u[i + 1] <= 0x9f), "%s: C1 at %zu", what, i);
		ck_assert_msg(!(u[i] == 0xe2 && u[i + 1] == 0x80 && u[i + 2] == 0xae), "%s: RLO at %zu", what, i);
		ck_assert_msg(u[i] != 0xff, "%s: byte 0xff at %zu", what, i);
	}
	/* nothing the evidence wrote starts a line */
	for (line = s; line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		ck_assert_msg(strncmp(line, "== Host FAKE", 12), "%s: forged host section", what);
		ck_assert_msg(strncmp(line, "2024-01-01T00:00:00", 19), "%s: forged timeline line", what);
		ck_assert_msg(strncmp(line, "remtrail: error: forged", 23), "%s: forged diagnostic", what);
		ck_assert_msg(strncmp(line, "31m", 3), "%s: line from a split escape", what);
		if (!crlf)
			continue;
		ck_assert_msg(*line != '=' && *line != '+' && *line != '@', "%s: formula at a line start", what);
		ck_assert_msg(!strstr(line, ",=") && !strstr(line, ",+") && !strstr(line, ",@"),
			      "%s: formula in a cell", what);
	}
}

static char *read_out(const char *name)
{
	char p[4096];

	snprintf(p, sizeof p, "%s/out/%s", dir, name);
	return tu_read_file(p, NULL);
}

static const char *find_host_dir(void)
{
	static char name[256];
	char **files = NULL, p[4096];
	size_t n = 0, i;

	snprintf(p, sizeof p, "%s/out/hosts", dir);
	tu_list_files(p, &files, &n);
	ck_assert_uint_gt(n, 0);
	for (i = 0; i < n; i++) {
		const char *s = strstr(files[i], "/hosts/");

		ck_assert_ptr_nonnull(s);
		snprintf(name, sizeof name, "%s", s + 7);
		*strchr(name, '/') = '\0';
	}
	tu_free_files(files, n);
	return name;
}

START_TEST(nothing_forged_in_text_outputs)
{
	char ev[4096], out[4096], *o = NULL, *e = NULL, *s, name[512];
	const char *hd;
	cJSON *j, *f;
	int found = 0;

	build();
	snprintf(ev, sizeof ev, "%s/ev", dir);
	snprintf(out, sizeof out, "%s/out", dir);
	{
		char *argv[] = { (char *)tu_remtrail(), "analyze", ev, "-o", out, NULL };

		ck_assert_int_eq(tu_run(argv, &o, &e), 3); /* the truncated copy */
	}
	clean_text("analyze stderr", e, 0);
	ck_assert_ptr_nonnull(strstr(e, "trunc\\x0aremtrail: error: forged\\x1b[0m.evtx"));
	free(o);
	free(e);

	/* one host, whose folder name is safe */
	hd = find_host_dir();
	ck_assert_str_eq(hd, "EVIL%1B%5B2J%0AHOST");
	static const char *const texts[] = { "report.txt", "timeline.csv" };
	for (size_t i = 0; i < 2; i++) {
		s = read_out(texts[i]);
		clean_text(texts[i], s, i == 1);
		free(s);
		snprintf(name, sizeof name, "hosts/%s/%s", hd, texts[i]);
		s = read_out(name);
		clean_text(name, s, i == 1);
		free(s);
	}
	s = read_out("report.txt");
	ck_assert_ptr_nonnull(strstr(s, "\\x1b]0;pwned\\x07"));
	ck_assert_ptr_nonnull(strstr(s, "\\u202efdp.exe \\u009b31m"));
	ck_assert_ptr_nonnull(strstr(s, "Security\\x0a\\x1b[31m\\xff.evtx"));
	free(s);
	s = read_out("timeline.csv");
	ck_assert_ptr_nonnull(strstr(s, ",\"'=cmd|' /C calc'!A0\\r\\n== Host FAKE ==\\x1b]0;pwned\\x07"));
	free(s);

	/* JSON keeps what the record holds, exactly */
	s = read_out("report.json");
	j = cJSON_Parse(s);
	ck_assert_ptr_nonnull(j);
	cJSON_ArrayForEach(f, cJSON_GetObjectItem(j, "findings")) {
		const cJSON *c = cJSON_GetObjectItem(f, "command_line");

		if (cJSON_IsString(c) && !strcmp(c->valuestring, CMDLINE))
			found = 1;
	}
	ck_assert_msg(found, "command line not kept exactly in report.json");
	ck_assert(strstr(s, "Security\\n\\u001b[31m\\\\xff.evtx") ||
			      strstr(s, "Security\\\\x0a\\\\x1b[31m\\\\xff.evtx"));
	cJSON_Delete(j);
	free(s);

	/* the other text writers */
	{
		char *argv[] = { (char *)tu_remtrail(), "assess", ev, "--format", "text", NULL };

		ck_assert_int_eq(tu_run(argv, &o, &e), 3);
		clean_text("assess text", o, 0);
		clean_text("assess stderr", e, 0);
		free(o);
		free(e);
	}
	{
		char *argv[] = { (char *)tu_remtrail(), "timeline", ev, "--format", "csv", NULL };

		ck_assert_int_eq(tu_run(argv, &o, &e), 3);
		clean_text("timeline csv", o, 1);
		clean_text("timeline stderr", e, 0);
		free(o);
		free(e);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("forge");
	TCase *tc = tcase_create("forge");
	SRunner *sr;
	int failed;

	dir = tu_tmpdir();
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, nothing_forged_in_text_outputs);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (getenv("RT_TEST_KEEP"))
		fprintf(stderr, "kept %s\n", dir);
	else
		tu_rmtree(dir);
	free(dir);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
