/*
 * The libevtx reader against the real corpus:
 *  - for every file under $RT_CORPUS/evtx, record ids, event ids and times
 *    equal those printed by `evtxexport -f xml` (which stops at the first
 *    record it cannot read, where we report it and read on: its records
 *    must then be a prefix of ours);
 *  - every file under $RT_CORPUS/evtx-edge is read without a crash (this
 *    suite also runs under ASan/UBSan), with and without recovered records.
 * Skips (77) without the corpus or without evtxexport.
 */
#include "config.h"

#include <check.h>
#include <ftw.h>
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
static size_t nfiles, afiles;

static int add_file(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (flag != FTW_F)
		return 0;
	if (nfiles == afiles) {
		afiles = afiles ? afiles * 2 : 256;
		files = realloc(files, afiles * sizeof *files);
		ck_assert_ptr_nonnull(files);
	}
	files[nfiles++] = strdup(path);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list_files(const char *dir)
{
	size_t i;

	for (i = 0; i < nfiles; i++)
		free(files[i]);
	nfiles = 0;
	ck_assert_int_eq(nftw(dir, add_file, 16, FTW_PHYS), 0);
	qsort(files, nfiles, sizeof *files, cmp_str);
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

START_TEST(same_records_as_evtxexport)
{
	const char *corpus = tu_corpus(), *tool = getenv("RT_EVTXEXPORT");
	char dir[4096];
	size_t f, i, compared = 0, prefixes = 0;
	rt_evtx_opts o;

	memset(&o, 0, sizeof o);
	o.reader = RT_READER_LIBEVTX;
	snprintf(dir, sizeof dir, "%s/evtx", corpus);
	list_files(dir);
	ck_assert_uint_gt(nfiles, 0);
	for (f = 0; f < nfiles; f++) {
		recs ours = { 0 }, theirs = { 0 };
		rt_diag d;
		int rc, tool_failed;

		rt_diag_init(&d, NULL, NULL);
		rc = rt_evtx_read(files[f], &o, collect, &ours, &d);
		evtxexport_records(tool, files[f], &theirs, &tool_failed);
		ck_assert_msg(rc >= 0, "%s: not read", files[f]);
		if (tool_failed) {
			/* evtxexport stopped at a record it could not read; we
			 * must have reported it and read on */
			ck_assert_msg(ours.n >= theirs.n, "%s: %zu records, evtxexport %zu", files[f],
				      ours.n, theirs.n);
			ck_assert_msg(rc == 1 && d.errors > 0, "%s: damage not reported", files[f]);
			prefixes++;
		} else {
			ck_assert_msg(ours.n == theirs.n, "%s: %zu records, evtxexport %zu", files[f],
				      ours.n, theirs.n);
		}
		for (i = 0; i < theirs.n; i++) {
			ck_assert_msg(ours.v[i].record_id == theirs.v[i].record_id,
				      "%s: record %zu: id %llu, evtxexport %llu", files[f], i,
				      (unsigned long long)ours.v[i].record_id,
				      (unsigned long long)theirs.v[i].record_id);
			ck_assert_msg(ours.v[i].event_id == theirs.v[i].event_id,
				      "%s: record %llu: event id %u, evtxexport %u", files[f],
				      (unsigned long long)theirs.v[i].record_id, ours.v[i].event_id,
				      theirs.v[i].event_id);
			if (theirs.v[i].has_time)
				ck_assert_msg(ours.v[i].timestamp == theirs.v[i].timestamp,
					      "%s: record %llu: time differs", files[f],
					      (unsigned long long)theirs.v[i].record_id);
		}
		compared += theirs.n;
		rt_diag_release(&d);
		free(ours.v);
		free(theirs.v);
	}
	fprintf(stderr, "evtx corpus: %zu files, %zu records equal to evtxexport (%zu files where "
			"evtxexport stopped early)\n",
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
	Suite *s = suite_create("evtx_corpus");
	TCase *tc = tcase_create("corpus");
	SRunner *sr;
	size_t i;
	int failed;

	if (!tu_corpus()) {
		fprintf(stderr, "skip: no corpus ($RT_CORPUS)\n");
		return RT_TEST_SKIP;
	}
	if (!tool || !*tool) {
		fprintf(stderr, "skip: evtxexport not found ($RT_EVTXEXPORT)\n");
		return RT_TEST_SKIP;
	}
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, same_records_as_evtxexport);
	tcase_add_test(tc, edge_files_do_not_crash);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	for (i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	return failed ? 1 : 0;
}
