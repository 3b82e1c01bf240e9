/*
 * Records announced against records read (evtx_int.h, rt_evtx_tally).
 *
 * Why: libevtx drops a record it cannot step over (a bad size field) and
 * every record after it in the chunk, without an error; only the chunk
 * headers still say how many there were. The identifiers are used (chunk
 * header offsets 24 and 32, the record header's identifier at 8), not the
 * record numbers at 8 and 16, which restart in some logs
 * (docs/robustness.md).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "evtx_int.h"

/* A chunk holds at most (65536 - 512) / 28 records: a wider range is a
 * damaged header, not a count. */
#define MAX_PER_CHUNK 2400u

void rt_evtx_tally_init(rt_evtx_tally *t)
{
	memset(t, 0, sizeof *t);
}

void rt_evtx_tally_release(rt_evtx_tally *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->v[i].seen);
	free(t->v);
	rt_evtx_tally_init(t);
}

void rt_evtx_tally_chunk(rt_evtx_tally *t, const uint8_t *hdr)
{
	uint64_t first = rt_le64(hdr + 24), last = rt_le64(hdr + 32);
	rt_evtx_span *v;

	if (t->ready || first == 0 || last < first || last - first >= MAX_PER_CHUNK)
		return;
	if (!(v = realloc(t->v, (t->n + 1) * sizeof *v))) {
		t->oom = 1;
		return;
	}
	t->v = v;
	memset(&v[t->n], 0, sizeof *v);
	v[t->n].first = first;
	v[t->n].last = last;
	t->n++;
}

static int span_cmp(const void *a, const void *b)
{
	const rt_evtx_span *x = a, *y = b;

	return x->first < y->first ? -1 : x->first > y->first;
}

/* Sort, merge overlapping spans (a chunk copied twice announces its
 * records twice: they are one set), make the bitmaps. */
static void ready(rt_evtx_tally *t)
{
	size_t i, k = 0;

	t->ready = 1;
	if (!t->n)
		return;
	qsort(t->v, t->n, sizeof *t->v, span_cmp);
	for (i = 1; i < t->n; i++) {
		if (t->v[i].first <= t->v[k].last + 1) {
			if (t->v[i].last > t->v[k].last)
				t->v[k].last = t->v[i].last;
		} else {
			t->v[++k] = t->v[i];
		}
	}
	t->n = k + 1;
	for (i = 0; i < t->n; i++)
		if (!(t->v[i].seen = calloc((size_t)((t->v[i].last - t->v[i].first) / 8 + 1), 1)))
			t->oom = 1;
}

void rt_evtx_tally_seen(rt_evtx_tally *t, uint64_t id)
{
	size_t lo = 0, hi;

	if (!t->ready)
		ready(t);
	if (t->oom)
		return;
	hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->v[mid].last < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < t->n && t->v[lo].first <= id) {
		uint64_t b = id - t->v[lo].first;

		t->v[lo].seen[b / 8] |= (uint8_t)(1u << (b % 8));
	}
}

/* Runs of missing identifiers named before "..." */
#define MAX_RUNS 4

static int missing(const rt_evtx_span *s, uint64_t id)
{
	uint64_t b = id - s->first;

	return !(s->seen[b / 8] & (1u << (b % 8)));
}

uint64_t rt_evtx_tally_report(rt_evtx_tally *t, rt_diag *d, const char *subject,
			      const char *where)
{
	uint64_t announced = 0, lost = 0;
	rt_buf runs = RT_BUF_INIT;
	size_t i, nruns = 0;

	if (!t->ready)
		ready(t);
	if (t->oom) {
		rt_diag_error(d, subject, "out of memory while counting records");
		return 0;
	}
	for (i = 0; i < t->n; i++) {
		const rt_evtx_span *s = &t->v[i];
		uint64_t id = s->first;

		announced += s->last - s->first + 1;
		while (id <= s->last) {
			uint64_t start = id;

			if (!missing(s, id)) {
				id++;
				continue;
			}
			while (id <= s->last && missing(s, id))
				id++;
			lost += id - start;
			if (++nruns > MAX_RUNS)
				continue;
			rt_buf_addf(&runs, "%s%llu", nruns > 1 ? ", " : "", (unsigned long long)start);
			if (id - 1 > start)
				rt_buf_addf(&runs, "-%llu", (unsigned long long)(id - 1));
		}
	}
	if (lost)
		rt_diag_error(d, subject,
			      "%s%s%llu of %llu records announced by the chunk header%s could not be "
			      "read (record ids %s%s)",
			      where ? where : "", where ? ": " : "", (unsigned long long)lost,
			      (unsigned long long)announced, where ? "" : "s", runs.buf,
			      nruns > MAX_RUNS ? ", ..." : "");
	rt_buf_release(&runs);
	return lost;
}
