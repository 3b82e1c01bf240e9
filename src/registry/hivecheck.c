/*
 * The key tree checked over the raw image (hive.h, rt_hive_check).
 *
 * Why not libregf: libregf reads the keys asked for and does not notice a
 * subkey list that points back up the tree, a key listed under two
 * parents, or a subkey count its list does not hold; analysis then sees
 * keys as absent and takes Windows defaults for them. The walk visits each
 * key cell once (a bitmap over cell offsets), so a cycle ends it instead
 * of looping, and every offset is bounds-checked before it is read.
 * Layout: msuhanov/regf, "Windows registry file format specification".
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "regf.h"

/* Named one by one per hive; the rest are counted. */
#define MAX_REPORTS 5
#define MAX_DEPTH 512

typedef struct walk {
	const uint8_t *bins; /* the hive bins (cell offsets are relative to them) */
	size_t size;
	uint8_t *seen;       /* one bit per 8-byte cell slot */
	const rt_hive *h;
	rt_diag *d;
	char *why;
	size_t whylen;
	int problems;
} walk;

typedef struct frame {
	uint32_t key;        /* the key's cell */
	uint32_t list;       /* its subkey list cell (NO_CELL when none) */
	uint32_t entry;      /* next entry of that list */
	uint32_t sub;        /* entry of an "ri" list's current sublist, 0 when none */
	uint32_t found;      /* subkeys met so far */
} frame;

#define NO_CELL 0xFFFFFFFFu

/* The payload of cell `off` when it holds at least `need` bytes; NULL when
 * it does not fit in the bins. */
static const uint8_t *cell(const walk *w, uint32_t off, size_t need, size_t *len)
{
	int32_t raw;
	size_t n;

	if (off == NO_CELL || (off & 7) || !rt_fits(w->size, off, 4))
		return NULL;
	raw = (int32_t)rt_le32(w->bins + off);
	if (raw == INT32_MIN)
		return NULL;
	n = (size_t)(raw < 0 ? -raw : raw);
	if (n < 4 + need || !rt_fits(w->size, off, n))
		return NULL;
	if (len)
		*len = n - 4;
	return w->bins + off + 4;
}

/* A key's name for messages: ASCII/Latin-1 or UTF-16LE as its flags say. */
static void key_name(const walk *w, uint32_t off, rt_buf *out)
{
	size_t len;
	const uint8_t *nk = cell(w, off, 76, &len);
	size_t n;

	if (!nk || memcmp(nk, "nk", 2)) {
		rt_buf_addf(out, "(cell 0x%x)", (unsigned)off);
		return;
	}
	n = rt_le16(nk + 72);
	if (n > len - 76)
		n = len - 76;
	if (rt_le16(nk + 2) & 0x20)
		rt_utf8_sanitize(out, (const char *)nk + 76, n);
	else
		rt_utf16le_to_utf8(out, nk + 76, n / 2, 1);
}

/* The path of the key at the top of the stack below the root
 * ("ControlSet001\Services"), "(root)" for the root. */
static void stack_path(const walk *w, const frame *st, int depth, rt_buf *out)
{
	int i;

	for (i = 2; i <= depth; i++) {
		if (i > 2)
			rt_buf_addch(out, '\\');
		key_name(w, st[i].key, out);
	}
	if (depth < 2)
		rt_buf_adds(out, "(root)");
}

static void problem(walk *w, const frame *st, int depth, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void problem(walk *w, const frame *st, int depth, const char *fmt, ...)
{
	rt_buf path = RT_BUF_INIT;
	char what[256];
	va_list ap;

	if (++w->problems > MAX_REPORTS && w->why[0])
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	stack_path(w, st, depth, &path);
	if (!w->why[0])
		snprintf(w->why, w->whylen, "key '%s': %s", path.buf, what);
	if (w->problems <= MAX_REPORTS)
		rt_diag_error(w->d, rt_hive_name(w->h), "hive is damaged: key '%s': %s", path.buf,
			      what);
	rt_buf_release(&path);
}

static int seen(walk *w, uint32_t off)
{
	uint32_t b = off / 8;
	int was = (w->seen[b / 8] >> (b % 8)) & 1;

	w->seen[b / 8] |= (uint8_t)(1u << (b % 8));
	return was;
}

/*
 * The key cell at `off`, met as a subkey of the top of the stack: checked
 * and, when it is a key never met before, pushed. 1 pushed, 0 not.
 */
static int enter(walk *w, frame *st, int *depth, uint32_t off)
{
	const uint8_t *nk = cell(w, off, 76, NULL), *list;
	uint32_t lo, n;

	if (!nk || memcmp(nk, "nk", 2)) {
		problem(w, st, *depth, "subkey list points at 0x%x, which is not a key", (unsigned)off);
		return 0;
	}
	if (seen(w, off)) {
		rt_buf name = RT_BUF_INIT;

		key_name(w, off, &name);
		problem(w, st, *depth, "lists '%s' (0x%x) as a subkey, but that key is already in "
			"the tree (a subkey cycle, or a key with two parents)", name.buf, (unsigned)off);
		rt_buf_release(&name);
		return 0;
	}
	if (*depth + 1 >= MAX_DEPTH) {
		problem(w, st, *depth, "keys nested deeper than %d", MAX_DEPTH);
		return 0;
	}
	st[++*depth] = (frame){ off, NO_CELL, 0, 0, 0 };
	n = rt_le32(nk + 20);
	lo = rt_le32(nk + 28);
	if (!n)
		return 1;
	list = cell(w, lo, 4, NULL);
	if (!list || (memcmp(list, "lf", 2) && memcmp(list, "lh", 2) && memcmp(list, "li", 2) &&
		      memcmp(list, "ri", 2))) {
		problem(w, st, *depth, "%u subkeys, but no subkey list at 0x%x", (unsigned)n,
			(unsigned)lo);
		return 1;
	}
	st[*depth].list = lo;
	return 1;
}

/* Entry `i` of the plain list at `lo` (lf, lh, li); NO_CELL past its end
 * or when it does not fit. */
static uint32_t list_entry(const walk *w, uint32_t lo, uint32_t i)
{
	size_t len;
	const uint8_t *l = cell(w, lo, 4, &len);
	size_t step;

	if (!l)
		return NO_CELL;
	step = memcmp(l, "li", 2) ? 8 : 4;
	if (i >= rt_le16(l + 2) || !rt_fits(len, 4 + step * i, 4))
		return NO_CELL;
	return rt_le32(l + 4 + step * i);
}

/* The next subkey of the top frame, NO_CELL when its list is done. */
static uint32_t next_subkey(walk *w, frame *st, int depth)
{
	frame *f = &st[depth];
	size_t len;
	const uint8_t *l;

	for (;;) {
		if (f->list == NO_CELL || !(l = cell(w, f->list, 4, &len)))
			return NO_CELL;
		if (memcmp(l, "ri", 2)) {
			uint32_t e = list_entry(w, f->list, f->entry);

			if (e != NO_CELL)
				f->entry++;
			return e;
		}
		/* an index of lists: walk the sublist f->entry, entry f->sub */
		while (f->entry < rt_le16(l + 2) && rt_fits(len, 4 + 4 * (size_t)f->entry, 4)) {
			uint32_t sl = rt_le32(l + 4 + 4 * (size_t)f->entry);
			const uint8_t *s = cell(w, sl, 4, NULL);
			uint32_t e;

			if (!s || !memcmp(s, "ri", 2)) {
				problem(w, st, depth, "index list entry %u at 0x%x is not a subkey list",
					(unsigned)f->entry, (unsigned)sl);
				f->entry++;
				f->sub = 0;
				continue;
			}
			e = list_entry(w, sl, f->sub);
			if (e != NO_CELL) {
				f->sub++;
				return e;
			}
			f->entry++;
			f->sub = 0;
		}
		return NO_CELL;
	}
}

/* The values of the key at the top: the list and each value cell in bounds. */
static void check_values(walk *w, const frame *st, int depth)
{
	const uint8_t *nk = cell(w, st[depth].key, 76, NULL), *vl;
	uint32_t n = rt_le32(nk + 36), i;
	size_t len;

	if (!n)
		return;
	vl = cell(w, rt_le32(nk + 40), 0, &len);
	if (!vl || len / 4 < n) {
		problem(w, st, depth, "%u values, but the value list at 0x%x does not hold them",
			(unsigned)n, (unsigned)rt_le32(nk + 40));
		return;
	}
	for (i = 0; i < n; i++) {
		const uint8_t *vk = cell(w, rt_le32(vl + 4 * i), 20, NULL);

		if (!vk || memcmp(vk, "vk", 2)) {
			problem(w, st, depth, "value %u points at 0x%x, which is not a value",
				(unsigned)i, (unsigned)rt_le32(vl + 4 * i));
			return;
		}
	}
}

int rt_hive_check(const rt_hive *h, rt_diag *d, char *why, size_t whylen)
{
	const rt_hive_info *info = rt_hive_get_info(h);
	size_t size = 0;
	const uint8_t *img = rt_hive_image(h, &size);
	frame *st;
	walk w;
	int depth = 0;
	char dummy[1];

	memset(&w, 0, sizeof w);
	w.h = h;
	w.d = d;
	w.why = why && whylen ? why : dummy;
	w.whylen = why && whylen ? whylen : sizeof dummy;
	w.why[0] = '\0';
	if (size <= REGF_BASE_BLOCK_SIZE)
		return 0;
	w.bins = img + REGF_BASE_BLOCK_SIZE;
	w.size = size - REGF_BASE_BLOCK_SIZE;
	if (info->hbins_size && info->hbins_size < w.size)
		w.size = info->hbins_size;
	w.seen = calloc(w.size / 64 + 1, 1);
	st = malloc(MAX_DEPTH * sizeof *st);
	if (!w.seen || !st) {
		free(w.seen);
		free(st);
		return -1;
	}
	st[0] = (frame){ NO_CELL, NO_CELL, 0, 0, 0 };
	if (!enter(&w, st, &depth, info->root_offset))
		depth = 0;
	while (depth > 0) {
		uint32_t sub = next_subkey(&w, st, depth);

		if (sub != NO_CELL) {
			st[depth].found++;
			enter(&w, st, &depth, sub);
			continue;
		}
		check_values(&w, st, depth);
		{
			const uint8_t *nk = cell(&w, st[depth].key, 76, NULL);
			uint32_t n = rt_le32(nk + 20);

			if (st[depth].list != NO_CELL && st[depth].found != n)
				problem(&w, st, depth, "%u subkeys, but its subkey list holds %u",
					(unsigned)n, (unsigned)st[depth].found);
		}
		depth--;
	}
	if (w.problems > MAX_REPORTS)
		rt_diag_error(d, rt_hive_name(h), "hive is damaged: %d more problems in its key tree",
			      w.problems - MAX_REPORTS);
	free(w.seen);
	free(st);
	return w.problems;
}
