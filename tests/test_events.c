/* `remtrail events`: usage, exit codes, output format and determinism. */
#include "config.h"

#include <check.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "evtx_writer.h"
#include "test_evtx_files.h"

static int events(const char *a1, const char *a2, const char *a3, const char *a4, char **out,
		  char **err)
{
	char *argv[] = { (char *)tu_remtrail(), "events", (char *)a1, (char *)a2, (char *)a3,
			 (char *)a4, NULL };

	return tu_run(argv, out, err);
}

START_TEST(help_teaches)
{
	char *out = NULL;

	ck_assert_int_eq(events("--help", NULL, NULL, NULL, &out, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "usage: remtrail events"));
	ck_assert_ptr_nonnull(strstr(out, "examples:"));
	ck_assert_ptr_nonnull(strstr(out, "exit status"));
	ck_assert_ptr_nonnull(strstr(out, "--reader"));
	free(out);
}
END_TEST

START_TEST(usage_errors)
{
	static const char *cases[][3] = {
		{ NULL, NULL, NULL },
		{ "--format", "csv", "x.evtx" },
		{ "--format", NULL, NULL },
		{ "--reader", "fast", "x.evtx" },
		{ "--bogus", "x.evtx", NULL },
		{ "-j", "0", "x.evtx" },
		{ "-j", "many", "x.evtx" },
		{ "--", NULL, NULL },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *out = NULL, *err = NULL;

		ck_assert_msg(events(cases[i][0], cases[i][1], cases[i][2], NULL, &out, &err) == 2,
			      "case %zu", i);
		ck_assert_str_eq(out, "");
		ck_assert_ptr_nonnull(strstr(err, "remtrail events"));
		free(out);
		free(err);
	}
}
END_TEST

/* Free a scratch folder made by tu_tmpdir and a path in it. */
static void drop(char *dir, char *p)
{
	free(p);
	tu_rmtree(dir);
	free(dir);
}

/* Nothing readable: exit 1, nothing on stdout, a reason on stderr. */
static const struct {
	const char *name, *content;
	int run_dir;        /* run on the folder rather than the file */
	const char *reason; /* NULL: the file's path */
} nothing_cases[] = {
	{ "fake.evtx", "hello, not a log", 0, NULL },
	{ "notes.txt", "hello", 1, "no EVTX file found" },
};

START_TEST(nothing_readable)
{
	char *dir = tu_tmpdir();
	char *p = tu_write_file(dir, nothing_cases[_i].name, nothing_cases[_i].content,
				strlen(nothing_cases[_i].content));
	char *out = NULL, *err = NULL;

	ck_assert_int_eq(events(nothing_cases[_i].run_dir ? dir : p, NULL, NULL, NULL, &out, &err), 1);
	ck_assert_str_eq(out, "");
	ck_assert_ptr_nonnull(strstr(err, nothing_cases[_i].reason ? nothing_cases[_i].reason : p));
	free(out);
	free(err);
	drop(dir, p);
}
END_TEST

START_TEST(missing_path)
{
	char *out = NULL, *err = NULL;

	ck_assert_int_eq(events("/nonexistent/remtrail/x.evtx", NULL, NULL, NULL, &out, &err), 1);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/remtrail/x.evtx"));
	free(out);
	free(err);
}
END_TEST

/* Keys of every line in the documented order; returns the number of lines. */
static size_t check_lines(const char *out)
{
	static const char *order[] = { "timestamp", "host", "computer", "channel", "provider",
				       "event_id", "record_id", "record_number", "written",
				       "source_file", "recovered", "fields" };
	const char *line = out;
	size_t n = 0;

	while (*line) {
		const char *nl = strchr(line, '\n');
		cJSON *o, *it;
		size_t k = 0;

		ck_assert_ptr_nonnull(nl);
		o = cJSON_ParseWithLength(line, (size_t)(nl - line));
		ck_assert_msg(o != NULL, "line %zu is not JSON", n + 1);
		for (it = o->child; it; it = it->next) {
			while (k < sizeof order / sizeof order[0] && strcmp(order[k], it->string))
				k++;
			ck_assert_msg(k < sizeof order / sizeof order[0], "key %s out of order",
				      it->string);
		}
		ck_assert(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(o, "timestamp")));
		ck_assert(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(o, "event_id")));
		ck_assert(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(o, "record_id")));
		ck_assert(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(o, "fields")));
		ck_assert_ptr_nonnull(strstr(cJSON_GetObjectItemCaseSensitive(o, "timestamp")->valuestring, "Z"));
		cJSON_Delete(o);
		line = nl + 1;
		n++;
	}
	return n;
}

START_TEST(format_and_fields)
{
	char *dir = tu_tmpdir(), *p = ef_write_good(dir, "Security.evtx", TW_TEMPLATES);
	char *out = NULL, *err = NULL;

	ck_assert_int_eq(events(p, "--format", "jsonl", NULL, &out, &err), 0);
	ck_assert_uint_eq(check_lines(out), EF_GOOD_RECORDS);
	ck_assert_ptr_nonnull(strstr(out, EF_GOOD_FIRST_LINE_START));
	ck_assert_ptr_nonnull(strstr(out, "\"IpAddress\":\"10.1.2.3\""));
	ck_assert_ptr_nonnull(strstr(out, "\"LogonType\":\"3\""));
	free(out);
	free(err);
	drop(dir, p);
}
END_TEST

/* A path with characters JSON escapes: the line's head is written the
 * general way, and reads back as the path. */
START_TEST(escaped_source_file)
{
	char *dir = tu_tmpdir(), *p = ef_write_good(dir, "q\"uo\\te\tdir/Security.evtx", TW_TEMPLATES);
	char *out = NULL, *err = NULL;
	const char *line;
	size_t n = 0;

	ck_assert_int_eq(events(p, NULL, NULL, NULL, &out, &err), 0);
	ck_assert_uint_eq(check_lines(out), EF_GOOD_RECORDS);
	for (line = out; *line; n++) {
		const char *nl = strchr(line, '\n');
		cJSON *o = cJSON_ParseWithLength(line, (size_t)(nl - line));

		ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(o, "source_file")->valuestring, p);
		ck_assert_ptr_nonnull(strstr(line, "q\\\"uo\\\\te\\tdir/Security.evtx\""));
		cJSON_Delete(o);
		line = nl + 1;
	}
	ck_assert_uint_eq(n, EF_GOOD_RECORDS);
	free(out);
	free(err);
	drop(dir, p);
}
END_TEST

START_TEST(deterministic)
{
	char *dir = tu_tmpdir();
	char *p1 = ef_write_good(dir, "a/Security.evtx", 0), *p2 = ef_write_good(dir, "b/System.evtx", TW_TEMPLATES);
	char *o1 = NULL, *o2 = NULL, *o3 = NULL;

	ck_assert_int_eq(events(dir, NULL, NULL, NULL, &o1, NULL), 0);
	ck_assert_int_eq(events(dir, "-j", "1", NULL, &o2, NULL), 0);
	ck_assert_int_eq(events(dir, "-j4", "--reader", "libevtx", &o3, NULL), 0);
	ck_assert_str_eq(o1, o2);
	ck_assert_str_eq(o1, o3);
	ck_assert_uint_eq(check_lines(o1), 2 * EF_GOOD_RECORDS);
	free(o1);
	free(o2);
	free(o3);
	free(p1);
	free(p2);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* Many logs of several hosts, some damaged: chunks of several files are
 * decoded at once, yet stdout and stderr are the same bytes for any -j. */
START_TEST(many_files_any_jobs)
{
	char *dir = tu_tmpdir(), *p[14], *junk;
	char *o1 = NULL, *e1 = NULL, *o3 = NULL, *e3 = NULL, *o8 = NULL, *e8 = NULL;
	size_t i, nchunks;

	for (i = 0; i < 12; i++) {
		char name[64];

		snprintf(name, sizeof name, "H%zu/C/Windows/System32/winevt/Logs/L%zu.evtx", i % 3, i);
		p[i] = ef_write_good(dir, name, i % 2 ? TW_TEMPLATES : 0);
	}
	p[12] = ef_write_big(dir, "H1/C/Windows/System32/winevt/Logs/Big.evtx", "crc", &nchunks);
	p[13] = ef_write_big(dir, "H2/C/Windows/System32/winevt/Logs/Cut.evtx", "truncate", &nchunks);
	junk = tu_write_file(dir, "H0/C/Windows/System32/winevt/Logs/Zz.evtx", "ElfFile\0junk", 12);
	ck_assert_int_eq(events(dir, "-j1", NULL, NULL, &o1, &e1), 3);
	ck_assert_int_eq(events(dir, "-j3", NULL, NULL, &o3, &e3), 3);
	ck_assert_int_eq(events(dir, "--jobs", "8", NULL, &o8, &e8), 3);
	ck_assert_uint_gt(check_lines(o1), 12 * EF_GOOD_RECORDS);
	ck_assert_ptr_nonnull(strstr(e1, "Big.evtx"));
	ck_assert_ptr_nonnull(strstr(e1, "Cut.evtx"));
	ck_assert_ptr_nonnull(strstr(e1, "Zz.evtx"));
	ck_assert_str_eq(o1, o3);
	ck_assert_str_eq(o1, o8);
	ck_assert_str_eq(e1, e3);
	ck_assert_str_eq(e1, e8);
	free(o1);
	free(e1);
	free(o3);
	free(e3);
	free(o8);
	free(e8);
	for (i = 0; i < 14; i++)
		free(p[i]);
	free(junk);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(damaged_file_exits_3)
{
	char *dir = tu_tmpdir();
	size_t nchunks;
	char *p = ef_write_big(dir, "Damaged.evtx", _i ? "truncate" : "crc", &nchunks);
	char *out = NULL, *err = NULL;

	ck_assert_int_eq(events(p, NULL, NULL, NULL, &out, &err), 3);
	ck_assert_uint_gt(check_lines(out), 0);
	ck_assert_ptr_nonnull(strstr(err, p));
	ck_assert_ptr_nonnull(strstr(err, _i ? "truncated" : "checksum"));
	free(out);
	free(err);
	drop(dir, p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("events");
	TCase *tc = tcase_create("cli");
	TCase *tf = tcase_create("files");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, help_teaches);
	tcase_add_test(tc, usage_errors);
	tcase_add_loop_test(tc, nothing_readable, 0, 2);
	tcase_add_test(tc, missing_path);
	suite_add_tcase(s, tc);
	tcase_set_timeout(tf, 60);
	tcase_add_test(tf, format_and_fields);
	tcase_add_test(tf, escaped_source_file);
	tcase_add_test(tf, deterministic);
	tcase_add_test(tf, many_files_any_jobs);
	tcase_add_loop_test(tf, damaged_file_exits_3, 0, 2);
	suite_add_tcase(s, tf);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
