/* Many needles searched in a text, the long ones in one pass; see multi.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "multi.h"
#include "remtrail/util.h"

#define NHASH 65536u
#define MEDIUM 4 /* the shortest needle a 4-byte window fits in */

static void set_bit(uint64_t *set, unsigned k)
{
	set[k >> 6] |= (uint64_t)1 << (k & 63);
}

static int has_bit(const uint64_t *set, unsigned k)
{
	return (int)(set[k >> 6] >> (k & 63) & 1);
}

/* The 4-byte window at p, letters' cases merged (OR 0x20). */
static uint32_t window_word(const unsigned char *p)
{
	uint32_t w;

	/* one load in the machine's byte order: text and needles alike */
	memcpy(&w, p, sizeof w);
	return w | UINT32_C(0x20202020);
}

static unsigned word_hash(uint32_t w)
{
	return (unsigned)((w * UINT32_C(2654435761)) >> 16);
}

int rt_multi_add(rt_multi *m, const char *s, size_t len)
{
	size_t i;
	char *low;

	if (m->built || !len || len > UINT16_MAX)
		return -1;
	for (i = 0; i < m->n; i++)
		if (m->len[i] == len && rt_strncaseeq(m->item[i], s, len))
			return (int)i;
	if (m->n == RT_MULTI_MAX)
		return -1;
	if (m->n == m->alloc) {
		size_t na = m->alloc ? m->alloc * 2 : 64;
		void *a = realloc(m->item, na * sizeof *m->item), *b;

		if (!a)
			return -1;
		m->item = a;
		if (!(b = realloc(m->len, na * sizeof *m->len)))
			return -1;
		m->len = b;
		m->alloc = na;
	}
	if (!(low = malloc(len + 1)))
		return -1;
	rt_ascii_lower(low, s, len);
	low[len] = '\0';
	m->item[m->n] = low;
	m->len[m->n] = (uint32_t)len;
	set_bit(m->ix[len >= RT_MULTI_LONG ? 0 : 1].ids, (unsigned)m->n);
	return (int)m->n++;
}

/* How common the 4-byte window at p is, roughly. */
static unsigned window_score(const unsigned char *p)
{
	return rt_byte_permille(p[0]) + rt_byte_permille(p[1]) + rt_byte_permille(p[2]) +
	       rt_byte_permille(p[3]);
}

/* The first of the `stride` consecutive windows of needle s (len bytes,
 * len >= stride + 3) that are least common together: the windows a scan
 * sampling every `stride` bytes looks for. Any occurrence has exactly one
 * of them on a sample. */
static size_t first_window(const unsigned char *s, size_t len, size_t stride)
{
	size_t a, k, best = 0;
	unsigned sum = 0, min;

	for (k = 0; k < stride; k++)
		sum += window_score(s + k);
	min = sum;
	for (a = 1; a + stride + 3 <= len; a++) {
		sum += window_score(s + a + stride - 1) - window_score(s + a - 1);
		if (sum < min) {
			min = sum;
			best = a;
		}
	}
	return best;
}

/* Index the windows of the needles of ix (ix->ids) for a scan sampling
 * every ix->stride bytes. */
static int build_index(const rt_multi *m, rt_multi_index *ix)
{
	size_t i, k, ng = 0, f;

	for (i = 0; i < m->n; i++)
		ng += has_bit(ix->ids, (unsigned)i) ? ix->stride : 0;
	ix->hashes = calloc(NHASH / 64, sizeof *ix->hashes);
	ix->start = calloc(NHASH + 1, sizeof *ix->start);
	ix->grams = malloc((ng ? ng : 1) * sizeof *ix->grams);
	if (!ix->hashes || !ix->start || !ix->grams)
		return -1;
	/* counted by hash, then each bucket's end; the grams go in from the
	 * ends down, which leaves each start where its bucket begins (no
	 * second table: every page of one is a first touch, dear here) */
	for (i = 0; i < m->n; i++) {
		const unsigned char *s = (const unsigned char *)m->item[i];

		if (!has_bit(ix->ids, (unsigned)i))
			continue;
		f = first_window(s, m->len[i], ix->stride);
		for (k = f; k < f + ix->stride; k++)
			ix->start[word_hash(window_word(s + k))]++;
	}
	for (k = 1; k <= NHASH; k++)
		ix->start[k] += ix->start[k - 1];
	for (i = m->n; i-- > 0;) {
		const unsigned char *s = (const unsigned char *)m->item[i];

		if (!has_bit(ix->ids, (unsigned)i))
			continue;
		f = first_window(s, m->len[i], ix->stride);
		for (k = f + ix->stride; k-- > f;) {
			uint32_t w = window_word(s + k);
			rt_multi_gram *g = &ix->grams[--ix->start[word_hash(w)]];

			set_bit(ix->hashes, word_hash(w));
			g->id = (uint16_t)i;
			g->off = (uint16_t)k;
			g->word = w;
		}
	}
	return 0;
}

int rt_multi_build(rt_multi *m)
{
	size_t i;

	if (m->built)
		return 0;
	/* needles of 1-3 bytes: neither index */
	for (i = 0; i < m->n; i++)
		if (m->len[i] < MEDIUM)
			m->ix[1].ids[i >> 6] &= ~((uint64_t)1 << (i & 63));
	m->ix[0].stride = RT_MULTI_LONG - 3;
	m->ix[1].stride = 1;
	if (build_index(m, &m->ix[0]) || build_index(m, &m->ix[1]))
		return -1;
	m->built = 1;
	return 0;
}

void rt_multi_release(rt_multi *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->item[i]);
	free(m->item);
	free(m->len);
	for (i = 0; i < 2; i++) {
		free(m->ix[i].hashes);
		free(m->ix[i].start);
		free(m->ix[i].grams);
	}
	memset(m, 0, sizeof *m);
}

void rt_multi_hits_init(rt_multi_hits *h)
{
	memset(h, 0, sizeof *h);
}

int rt_multi_eq(const char *text, const char *lowered, size_t n)
{
	const unsigned char *t = (const unsigned char *)text;
	size_t k;

	for (k = 0; k < n; k++)
		if ((t[k] >= 'A' && t[k] <= 'Z' ? t[k] + 32 : t[k]) != (unsigned char)lowered[k])
			return 0;
	return 1;
}

/* Every needle of index k in text[0..n), into h. */
static void scan(const rt_multi *m, size_t k, rt_multi_hits *h, const unsigned char *t, size_t n)
{
	const rt_multi_index *ix = &m->ix[k];
	size_t i, j;

	for (j = 0; j < RT_MULTI_WORDS; j++)
		h->known[j] |= ix->ids[j];
	for (i = 0; n >= 4 && i <= n - 4; i += ix->stride) {
		uint32_t w = window_word(t + i);
		unsigned hv = word_hash(w);

		if (!has_bit(ix->hashes, hv))
			continue;
		for (j = ix->start[hv]; j < ix->start[hv + 1]; j++) {
			const rt_multi_gram *g = &ix->grams[j];
			size_t len = m->len[g->id];

			if (g->word == w && i >= g->off && n - (i - g->off) >= len &&
			    !has_bit(h->found, g->id) &&
			    rt_multi_eq((const char *)t + i - g->off, m->item[g->id], len))
				set_bit(h->found, g->id);
		}
	}
	h->scanned |= 1u << k;
}

int rt_multi_look(const rt_multi *m, rt_multi_hits *h, const char *text, size_t n, unsigned id)
{
	if (!m->built || id >= m->n)
		return 0;
	if (!has_bit(h->known, id)) {
		if (has_bit(m->ix[0].ids, id) && !(h->scanned & 1u)) {
			scan(m, 0, h, (const unsigned char *)text, n);
		} else if (has_bit(m->ix[1].ids, id) && n <= RT_MULTI_MEDIUM_TEXT &&
			   !(h->scanned & 2u)) {
			scan(m, 1, h, (const unsigned char *)text, n);
		} else {
			set_bit(h->known, id);
			if (rt_strcasestr_n(text, n, m->item[id], m->len[id]))
				set_bit(h->found, id);
		}
	}
	return has_bit(h->found, id);
}
