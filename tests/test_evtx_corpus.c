/*
 * The libevtx reader against the real corpus:
 *  - for every file under $RT_CORPUS/evtx, record ids, event ids and times
 *    equal those printed by `evtxexport -f xml` (which stops at the first
 *    record it cannot read, where we report it and read on: its records
 *    must then be a prefix of ours), both from rt_evtx_read and from the
 *    output of `remtrail events` over the whole folder;
 *  - every file under $RT_CORPUS/evtx-edge is read without a crash (this
 *    suite also runs under ASan/UBSan), with and without recovered records.
 * Skips (77) without the corpus or without evtxexport.
 */
#include "config.h"

#include <check.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "remtrail/evtx.h"
#include "testutil.h"

typedef struct rec {
	uint64_t record_id, timestamp;
	uint32_t event_id;
	int has_time;
} rec;

typedef struct recs {
	rec *v;
	size_t n, a;
} recs;

static char **files;
static size_t nfiles;

static void list_files(const char *dir)
{
	tu_free_files(files, nfiles);
	files = NULL;
	nfiles = 0;
	tu_list_files(dir, &files, &nfiles);
}

static void push(recs *r, rec x)
{
	if (r->n == r->a) {
		r->a = r->a ? r->a * 2 : 64;
		r->v = realloc(r->v, r->a * sizeof *r->v);
		ck_assert_ptr_nonnull(r->v);
	}
	r->v[r->n++] = x;
}

static int collect(void *ctx, const rt_event *ev)
{
	rec x = { ev->record_id, ev->timestamp, ev->event_id, 1 };

	ck_assert_ptr_nonnull(ev->channel);
	ck_assert_ptr_nonnull(ev->computer);
	ck_assert_ptr_nonnull(ev->provider);
	ck_assert_ptr_nonnull(ev->host);
	push(ctx, x);
	return 0;
}

/* Text of the element `<tag ...>TEXT<` or attribute `name="VALUE"` in [p, end). */
static int find_text(const char *p, const char *end, const char *open, char *out, size_t n)
{
	const char *s = strstr(p, open), *e;

	if (!s || s >= end)
		return -1;
	s = strchr(s, '>');
	if (!s || s >= end)
		return -1;
	s++;
	e = strchr(s, '<');
	if (!e || e >= end || (size_t)(e - s) >= n)
		return -1;
	memcpy(out, s, (size_t)(e - s));
	out[e - s] = '\0';
	return 0;
}

static int find_attr(const char *p, const char *end, const char *key, char *out, size_t n)
{
	const char *s = strstr(p, key), *e;

	if (!s || s >= end)
		return -1;
	s += strlen(key);
	e = strchr(s, '"');
	if (!e || e >= end || (size_t)(e - s) >= n)
		return -1;
	memcpy(out, s, (size_t)(e - s));
	out[e - s] = '\0';
	return 0;
}

/* Records as evtxexport -f xml prints them (an independent, minimal parse). */
static void evtxexport_records(const char *tool, const char *path, recs *r, int *tool_failed)
{
	char *argv[] = { (char *)tool, "-f", "xml", (char *)path, NULL };
	char *out = NULL, *err = NULL;
	const char *p, *next;
	int rc = tu_run(argv, &out, &err);

	ck_assert_msg(rc >= 0, "cannot run %s", tool);
	*tool_failed = rc != 0 || (err && strstr(err, "unable to"));
	for (p = strstr(out, "<Event xmlns"); p; p = next) {
		char v[128];
		rec x = { 0, 0, 0, 0 };
		uint64_t u;

		next = strstr(p + 1, "<Event xmlns");
		const char *end = next ? next : p + strlen(p);

		ck_assert_msg(find_text(p, end, "<EventRecordID", v, sizeof v) == 0 &&
				      rt_parse_u64(v, &x.record_id) == 0,
			      "%s: evtxexport record without EventRecordID", path);
		ck_assert_msg(find_text(p, end, "<EventID", v, sizeof v) == 0 && rt_parse_u64(v, &u) == 0,
			      "%s: evtxexport record without EventID", path);
		x.event_id = (uint32_t)u;
		/* evtxexport prints 9 fractional digits, always ending in 00:
		 * parsed to FILETIME both are exact to 100 ns */
		if (find_attr(p, end, "SystemTime=\"", v, sizeof v) == 0 &&
		    rt_time_parse(v, &x.timestamp) == 0)
			x.has_time = 1;
		push(r, x);
	}
	free(out);
	free(err);
}

/*
 * `ours` must equal `theirs` (evtxexport), or extend it when evtxexport
 * stopped at a record it could not read (we report it and read on).
 */
static void compare(const char *what, const char *file, const rec *ours, size_t n,
		    const recs *theirs, int tool_failed)
{
	size_t i;

	if (tool_failed)
		ck_assert_msg(n >= theirs->n, "%s %s: %zu records, evtxexport %zu", what, file, n,
			      theirs->n);
	else
		ck_assert_msg(n == theirs->n, "%s %s: %zu records, evtxexport %zu", what, file, n,
			      theirs->n);
	for (i = 0; i < theirs->n; i++) {
		const rec *t = &theirs->v[i];

		ck_assert_msg(ours[i].record_id == t->record_id,
			      "%s %s: record %zu: id %llu, evtxexport %llu", what, file, i,
			      (unsigned long long)ours[i].record_id, (unsigned long long)t->record_id);
		ck_assert_msg(ours[i].event_id == t->event_id,
			      "%s %s: record %llu: event id %u, evtxexport %u", what, file,
			      (unsigned long long)t->record_id, ours[i].event_id, t->event_id);
		if (t->has_time)
			ck_assert_msg(ours[i].timestamp == t->timestamp,
				      "%s %s: record %llu: time differs", what, file,
				      (unsigned long long)t->record_id);
	}
}

/* One line of `remtrail events` output, kept for comparison. */
typedef struct line {
	char *file;
	size_t order;
	rec r;
} line;

static int cmp_line(const void *a, const void *b)
{
	const line *x = a, *y = b;
	int c = strcmp(x->file, y->file);

	return c ? c : (x->order < y->order ? -1 : x->order > y->order);
}

/* Run `remtrail events` on `dir` and return its lines sorted by file, then
 * file order. */
static line *cli_records(const char *dir, size_t *nlines)
{
	char *argv[] = { (char *)tu_remtrail(), "events", "--reader", "libevtx", (char *)dir, NULL };
	char *out = NULL, *p, *nl;
	line *v = NULL;
	size_t n = 0, a = 0;
	int rc = tu_run(argv, &out, NULL);

	ck_assert_msg(rc == 0 || rc == 3, "remtrail events exited %d", rc);
	for (p = out; *p; p = nl + 1) {
		cJSON *o, *sf, *ts;
		line l;

		nl = strchr(p, '\n');
		ck_assert_ptr_nonnull(nl);
		o = cJSON_ParseWithLength(p, (size_t)(nl - p));
		ck_assert_ptr_nonnull(o);
		sf = cJSON_GetObjectItemCaseSensitive(o, "source_file");
		ts = cJSON_GetObjectItemCaseSensitive(o, "timestamp");
		ck_assert(cJSON_IsString(sf) && cJSON_IsString(ts));
		memset(&l, 0, sizeof l);
		l.file = strdup(sf->valuestring);
		l.order = n;
		/* ids are written as exact integers; corpus ids are far below 2^53 */
		l.r.record_id = (uint64_t)cJSON_GetObjectItemCaseSensitive(o, "record_id")->valuedouble;
		l.r.event_id = (uint32_t)cJSON_GetObjectItemCaseSensitive(o, "event_id")->valuedouble;
		ck_assert_int_eq(rt_time_parse(ts->valuestring, &l.r.timestamp), 0);
		cJSON_Delete(o);
		if (n == a) {
			a = a ? a * 2 : 1024;
			v = realloc(v, a * sizeof *v);
			ck_assert_ptr_nonnull(v);
		}
		v[n++] = l;
	}
	free(out);
	qsort(v, n, sizeof *v, cmp_line);
	*nlines = n;
	return v;
}

START_TEST(same_records_as_evtxexport)
{
	const char *corpus = tu_corpus(), *tool = getenv("RT_EVTXEXPORT");
	char dir[4096];
	size_t f, i, compared = 0, prefixes = 0, nlines, at = 0;
	rt_evtx_opts o;
	line *lines;

	memset(&o, 0, sizeof o);
	o.reader = RT_READER_LIBEVTX;
	snprintf(dir, sizeof dir, "%s/evtx", corpus);
	list_files(dir);
	ck_assert_uint_gt(nfiles, 0);
	lines = cli_records(dir, &nlines);
	for (f = 0; f < nfiles; f++) {
		recs ours = { 0 }, theirs = { 0 }, cli = { 0 };
		rt_diag d;
		int rc, tool_failed;

		rt_diag_init(&d, NULL, NULL);
		rc = rt_evtx_read(files[f], &o, collect, &ours, &d);
		evtxexport_records(tool, files[f], &theirs, &tool_failed);
		ck_assert_msg(rc >= 0, "%s: not read", files[f]);
		if (tool_failed) {
			ck_assert_msg(rc == 1 && d.errors > 0, "%s: damage not reported", files[f]);
			prefixes++;
		}
		compare("rt_evtx_read", files[f], ours.v, ours.n, &theirs, tool_failed);

		/* the same records, through evidence collection and the JSON writer */
		while (at < nlines && strcmp(lines[at].file, files[f]) < 0)
			at++;
		for (; at < nlines && strcmp(lines[at].file, files[f]) == 0; at++)
			push(&cli, lines[at].r);
		compare("remtrail events", files[f], cli.v, cli.n, &theirs, tool_failed);
		ck_assert_uint_eq(cli.n, ours.n);

		compared += theirs.n;
		rt_diag_release(&d);
		free(ours.v);
		free(theirs.v);
		free(cli.v);
	}
	for (i = 0; i < nlines; i++)
		free(lines[i].file);
	free(lines);
	fprintf(stderr, "evtx corpus: %zu files, %zu records equal to evtxexport in rt_evtx_read and "
			"remtrail events (%zu files where evtxexport stopped early)\n",
		nfiles, compared, prefixes);
}
END_TEST

static int check_event(void *ctx, const rt_event *ev)
{
	size_t i;

	(void)ctx;
	ck_assert_ptr_nonnull(ev->channel);
	ck_assert_ptr_nonnull(ev->source_file);
	for (i = 0; i < ev->nfields; i++) {
		ck_assert_ptr_nonnull(ev->fields[i].name);
		ck_assert_ptr_nonnull(ev->fields[i].value);
	}
	return 0;
}

START_TEST(edge_files_do_not_crash)
{
	const char *corpus = tu_corpus();
	char dir[4096];
	size_t f;
	int pass;

	snprintf(dir, sizeof dir, "%s/evtx-edge", corpus);
	list_files(dir);
	ck_assert_uint_gt(nfiles, 0);
	for (pass = 0; pass < 2; pass++) {
		for (f = 0; f < nfiles; f++) {
			rt_evtx_opts o;
			rt_diag d;
			char *computer = NULL;
			int rc;

			memset(&o, 0, sizeof o);
			o.reader = RT_READER_LIBEVTX;
			o.recovered = pass;
			rt_diag_init(&d, NULL, NULL);
			rc = rt_evtx_read(files[f], &o, check_event, NULL, &d);
			ck_assert_msg(rc >= -1 && rc <= 1, "%s", files[f]);
			ck_assert_msg(rc == 0 || d.errors > 0, "%s: failure without a report", files[f]);
			if (pass == 0) {
				ck_assert_int_ge(rt_evtx_probe_computer(files[f], &computer), -1);
				free(computer);
			}
			rt_diag_release(&d);
		}
	}
}
END_TEST

int main(void)
{
	const char *tool = getenv("RT_EVTXEXPORT");
	Suite *s;
	TCase *tc;
	SRunner *sr;
	int failed;

	/* before anything is allocated: LeakSanitizer checks the skip too */
	if (!tu_corpus()) {
		fprintf(stderr, "skip: no corpus ($RT_CORPUS)\n");
		return RT_TEST_SKIP;
	}
	if (!tool || !*tool) {
		fprintf(stderr, "skip: evtxexport not found ($RT_EVTXEXPORT)\n");
		return RT_TEST_SKIP;
	}
	s = suite_create("evtx_corpus");
	tc = tcase_create("corpus");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, same_records_as_evtxexport);
	tcase_add_test(tc, edge_files_do_not_crash);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	tu_free_files(files, nfiles);
	return failed ? 1 : 0;
}
