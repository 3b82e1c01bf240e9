/*
 * The native reader against the libevtx reader on the real corpus: for every
 * record of every file under $RT_CORPUS/evtx and evtx-edge,
 *  - the auto reader (native, libevtx for rejected chunks) gives the same
 *    events, in the same order, as the libevtx reader;
 *  - every event the native decoder gives alone equals libevtx's event with
 *    the same record header (record number and written time);
 *  - the native reader gives the same events with 1 and 3 threads.
 * Same means: event id, qualifiers, level, record id, time, process and
 * thread id, channel, provider, computer, user SID and every named field.
 * Differences are failures unless `known` below explains them.
 * Set RT_NATIVE_DIFF=1 to print every difference. Skips (77) without corpus.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "remtrail/evtx.h"
#include "testutil.h"

/*
 * Known differences, each with its reason. `value_has` matches a field
 * value (native side) containing that text; NULL matches any.
 */
static const struct known {
	const char *file_suffix;
	const char *value_has;
	const char *reason;
} known[] = {
	/* This log's "Value" strings hold whole SOAP envelopes (3 KB of
	 * markup). libevtx writes them into its XML unescaped, so the libevtx
	 * reader sees elements and gives no "Value" field; the native decoder
	 * never renders XML and keeps the string. */
	{ "2-system-Microsoft-Windows-LiveId%4Operational.evtx", "<Envelope",
	  "libevtx leaves this string's markup unescaped in its XML" },
	{ "2-system-Microsoft-Windows-LiveId%4Operational.evtx", ":Envelope",
	  "libevtx leaves this string's markup unescaped in its XML" },
};

typedef tu_events evs;

static char **files;
static size_t nfiles;

static void read_all(const char *path, rt_reader reader, int threads, evs *out)
{
	rt_evtx_opts o;
	rt_diag d;

	memset(&o, 0, sizeof o);
	o.reader = reader;
	o.threads = threads;
	rt_diag_init(&d, NULL, NULL);
	rt_evtx_read(path, &o, tu_events_collect, out, &d);
	rt_diag_release(&d);
}

static int explained(const char *path, const char *value)
{
	size_t i;

	for (i = 0; i < sizeof known / sizeof known[0]; i++)
		if (rt_endswith_ci(path, known[i].file_suffix) &&
		    (!known[i].value_has || (value && strstr(value, known[i].value_has))))
			return 1;
	return 0;
}

static int verbose;
static size_t nexplained;

/* 0 when equal or explained; else 1 (and a line when verbose). */
static int differ(const char *path, const rt_event *a, const rt_event *b, const char *what)
{
	const char *why = NULL;
	size_t i;

	if (a->event_id != b->event_id)
		why = "event_id";
	else if (a->record_id != b->record_id)
		why = "record_id";
	else if (a->timestamp != b->timestamp)
		why = "timestamp";
	else if (a->qualifiers != b->qualifiers || a->level != b->level)
		why = "qualifiers/level";
	else if (a->process_id != b->process_id || a->thread_id != b->thread_id)
		why = "process/thread";
	else if (strcmp(a->channel, b->channel))
		why = "channel";
	else if (strcmp(a->provider, b->provider))
		why = "provider";
	else if (strcmp(a->computer, b->computer))
		why = "computer";
	else if (strcmp(a->user_sid, b->user_sid))
		why = "user_sid";
	if (!why && a->nfields != b->nfields) {
		for (i = 0; i < b->nfields; i++)
			if (explained(path, b->fields[i].value)) {
				nexplained++;
				return 0;
			}
		why = "number of fields";
	}
	for (i = 0; !why && i < a->nfields; i++) {
		if (!strcmp(a->fields[i].name, b->fields[i].name) &&
		    !strcmp(a->fields[i].value, b->fields[i].value))
			continue;
		if (explained(path, b->fields[i].value))
			nexplained++;
		else
			why = "field";
	}
	if (!why)
		return 0;
	if (verbose) {
		fprintf(stderr, "%s: %s: record %llu: %s differs\n", path, what,
			(unsigned long long)a->record_id, why);
		for (i = 0; i < a->nfields || i < b->nfields; i++)
			fprintf(stderr, "   %-30s | %-40.200s | %.200s\n",
				i < a->nfields ? a->fields[i].name : "-",
				i < a->nfields ? a->fields[i].value : "-",
				i < b->nfields ? b->fields[i].name : "-");
		for (i = 0; i < b->nfields; i++)
			if (i >= a->nfields || strcmp(a->fields[i].value, b->fields[i].value))
			{
				const char *lv = i < a->nfields ? a->fields[i].value : "-";
				size_t ll = strlen(lv), nl = strlen(b->fields[i].value);

				fprintf(stderr, "   native %s = (%zu) '%.300s' tail %02x %02x | libevtx (%zu) tail %02x %02x\n",
					b->fields[i].name, nl, b->fields[i].value,
					nl > 1 ? (unsigned char)b->fields[i].value[nl - 2] : 0,
					nl ? (unsigned char)b->fields[i].value[nl - 1] : 0, ll,
					ll > 1 ? (unsigned char)lv[ll - 2] : 0, ll ? (unsigned char)lv[ll - 1] : 0);
			}
	}
	return 1;
}

static int same_header(const rt_event *a, const rt_event *b)
{
	return a->record_number == b->record_number && a->written == b->written;
}

START_TEST(test_native_equals_libevtx)
{
	const char *corpus = tu_corpus();
	char dir[4096];
	size_t f, i, bad = 0, total = 0, native_total = 0, extra = 0;

	verbose = getenv("RT_NATIVE_DIFF") != NULL;
	snprintf(dir, sizeof dir, "%s/evtx", corpus);
	tu_list_files(dir, &files, &nfiles);
	snprintf(dir, sizeof dir, "%s/evtx-edge", corpus);
	tu_list_files(dir, &files, &nfiles);
	ck_assert_msg(nfiles > 0, "no files in the corpus");
	for (f = 0; f < nfiles; f++) {
		evs lib = { 0 }, aut = { 0 }, nat = { 0 }, nat3 = { 0 };
		size_t j = 0, filebad = 0;

		if (!rt_endswith_ci(files[f], ".evtx"))
			continue;
		read_all(files[f], RT_READER_LIBEVTX, 1, &lib);
		read_all(files[f], RT_READER_AUTO, 1, &aut);
		read_all(files[f], RT_READER_NATIVE, 1, &nat);
		read_all(files[f], RT_READER_NATIVE, 3, &nat3);
		total += lib.n;
		native_total += nat.n;
		/* every record libevtx reads, auto gives, equal and in the same order */
		for (i = 0, j = 0; i < lib.n; i++) {
			while (j < aut.n && !same_header(lib.v[i], aut.v[j])) {
				j++;
				extra++;
			}
			if (j == aut.n) {
				filebad++;
				if (verbose)
					fprintf(stderr, "%s: libevtx record %llu missing from auto\n",
						files[f], (unsigned long long)lib.v[i]->record_number);
				j = 0;
				continue;
			}
			filebad += (size_t)differ(files[f], lib.v[i], aut.v[j], "auto");
			j++;
		}
		/* native alone: each event against libevtx's with the same header;
		 * records libevtx cannot read at all have no counterpart */
		for (i = 0, j = 0; i < nat.n && lib.n; i++) {
			size_t k;

			for (k = 0; k < lib.n; k++, j = (j + 1) % lib.n)
				if (same_header(lib.v[j], nat.v[i]))
					break;
			if (k < lib.n)
				filebad += (size_t)differ(files[f], lib.v[j], nat.v[i], "native");
		}
		ck_assert_uint_eq(nat.n, nat3.n);
		for (i = 0; i < nat.n; i++)
			ck_assert_int_eq(differ(files[f], nat.v[i], nat3.v[i], "3 threads"), 0);
		if (filebad)
			fprintf(stderr, "%s: %zu differences\n", files[f], filebad);
		bad += filebad;
		tu_events_free(&lib);
		tu_events_free(&aut);
		tu_events_free(&nat);
		tu_events_free(&nat3);
	}
	fprintf(stderr,
		"%zu files, %zu libevtx records, %zu decoded natively, %zu more read by the "
		"native reader than by libevtx (records libevtx cannot read), %zu comparisons "
		"explained by `known`, %zu differences\n",
		nfiles, total, native_total, extra, nexplained, bad);
	tu_free_files(files, nfiles);
	files = NULL;
	nfiles = 0;
	ck_assert_msg(bad == 0, "%zu unexplained differences (RT_NATIVE_DIFF=1 shows them)", bad);
	ck_assert_msg(native_total * 10 >= total * 9, "native decoded only %zu of %zu records",
		      native_total, total);
}
END_TEST

int main(void)
{
	Suite *s;
	TCase *tc;
	SRunner *sr;
	int failed;

	/* before anything is allocated: LeakSanitizer checks the skip too */
	if (!tu_corpus()) {
		fprintf(stderr, "no corpus: skipped\n");
		return RT_TEST_SKIP;
	}
	s = suite_create("native_corpus");
	tc = tcase_create("differential");
	tcase_set_timeout(tc, 1200);
	tcase_add_test(tc, test_native_equals_libevtx);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
