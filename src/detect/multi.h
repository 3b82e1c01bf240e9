/*
 * multi.h - many needles searched in a text, the long ones in one pass.
 *
 * The contains tests of the rule table (rules.h) ask, rule after rule,
 * whether a value holds one of a '|' list of needles; a PowerShell script
 * block of a hundred kilobytes is asked about a hundred of them. Here every
 * needle of the table is registered once (rt_multi_add) and gets an id; a
 * text's answers are kept in an rt_multi_hits, filled as they are asked
 * (rt_multi_has): the first question about a long needle scans the text
 * once for all of them, likewise for the medium ones in a short text; a
 * short needle is searched alone the first time it is asked about (most
 * are asked only when a rule's other predicates held).
 *
 * Matching is exactly rt_strcasestr_n's: ASCII letters compare without
 * case, every other byte (UTF-8 sequences included) compares as it is.
 * Empty needles are not registered.
 *
 * The scan: the text is sampled every S = RT_MULTI_LONG - 3 bytes, a
 * 4-byte window at each sample, its bytes OR 0x20 (which maps a letter's
 * two cases to one value and merges no byte with another that folds to a
 * different letter: a coarser key, never a missed one). A needle of
 * RT_MULTI_LONG bytes or more puts S consecutive windows of itself into a
 * hash set (the S whose bytes are least common in text): wherever it
 * occurs, exactly one of those S windows starts on a sample. A sample
 * whose window is in the set is checked against the needles that have it,
 * at the offset they have it. Needles of 4 to RT_MULTI_LONG - 1 bytes are
 * found the same way with a sample at every place (S = 1, one window
 * each) in texts of at most RT_MULTI_MEDIUM_TEXT bytes; shorter needles,
 * and medium ones in longer texts, are searched alone (rt_strcasestr_n). After rt_multi_build the structure
 * is only read: any number of threads may search with it.
 */
#ifndef REMTRAIL_DETECT_MULTI_H
#define REMTRAIL_DETECT_MULTI_H

#include <stddef.h>
#include <stdint.h>

/* At most this many distinct needles (the table has a few hundred). */
#define RT_MULTI_MAX 1024
#define RT_MULTI_WORDS (RT_MULTI_MAX / 64)
/* Needles this long or longer are found by the sampled scan. */
#define RT_MULTI_LONG 8
/* Needles of 4 to RT_MULTI_LONG - 1 bytes are found by a scan of every
 * place in texts up to this long (a command line), one by one in longer
 * ones (a script block: memchr is quicker there). */
#define RT_MULTI_MEDIUM_TEXT 512

typedef struct rt_multi_gram {
	uint32_t word; /* the window, OR 0x20 */
	uint16_t id;   /* the needle */
	uint16_t off;  /* where the window starts in it */
} rt_multi_gram;

/* Windows of some needles in a hash set, for a scan sampling every
 * `stride` bytes. */
typedef struct rt_multi_index {
	uint64_t *hashes;             /* 65536 bits: a window hashes here */
	uint32_t *start;              /* 65537 offsets into grams, by hash */
	rt_multi_gram *grams;
	uint64_t ids[RT_MULTI_WORDS]; /* the needles it finds */
	size_t stride;
} rt_multi_index;

typedef struct rt_multi {
	char **item;                  /* lower-cased needles, by id */
	uint32_t *len;
	size_t n, alloc;
	rt_multi_index ix[2];         /* long needles (sampled), medium ones (every place) */
	int built;
} rt_multi;

#define RT_MULTI_INIT { 0 }

/* What is known of one text: `known` bit id set once needle id was looked
 * for, `found` when it occurs. Zero it (rt_multi_hits_init) per text. */
typedef struct rt_multi_hits {
	uint64_t known[RT_MULTI_WORDS];
	uint64_t found[RT_MULTI_WORDS];
	unsigned scanned; /* bit k: rt_multi.ix[k] scanned */
} rt_multi_hits;

/* The id of needle s (len > 0 bytes, any case), registered once (the same
 * needle in another case gets the same id); -1 on OOM, when built already,
 * or past RT_MULTI_MAX. */
int rt_multi_add(rt_multi *m, const char *s, size_t len);
/* Index the needles; 0, or -1 on OOM. */
int rt_multi_build(rt_multi *m);
void rt_multi_release(rt_multi *m);

void rt_multi_hits_init(rt_multi_hits *h);
/* Does text[0..n) contain needle id (case-insensitive, as above)? h
 * remembers the answers for this text. */
int rt_multi_look(const rt_multi *m, rt_multi_hits *h, const char *text, size_t n, unsigned id);
/* The same, answered inline when h knows already. */
static inline int rt_multi_has(const rt_multi *m, rt_multi_hits *h, const char *text, size_t n,
			       unsigned id)
{
	if (id < RT_MULTI_MAX && (h->known[id >> 6] >> (id & 63) & 1))
		return (int)(h->found[id >> 6] >> (id & 63) & 1);
	return rt_multi_look(m, h, text, n, id);
}

/* Do the n bytes at text equal the lower-cased `lowered`, ASCII letters
 * of text folded (how needles compare)? */
int rt_multi_eq(const char *text, const char *lowered, size_t n);

#endif
