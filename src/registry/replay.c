/*
 * Transaction log replay (see regf.h and docs/registry.md).
 *
 * New format (Windows 8.1+): HvLE entries from every log are collected,
 * each checked (signature, size, Marvin32 hashes, page references inside the
 * entry and inside the hive bins size it declares); then entries are applied
 * in sequence order, starting at the oldest entry whose number is not below
 * the primary's secondary sequence number (a log may still hold entries that
 * were already written), and the chain stops at the first missing number, so
 * a bad entry ends the replay exactly where Windows would stop. Old format (DIRT): a log whose
 * last-written time matches the primary's has its dirty 512-byte pages
 * written over the hive bins.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "regf.h"

#define MAX_ENTRIES 65536

static uint32_t rotl32(uint32_t x, unsigned r)
{
	return (x << r) | (x >> (32 - r));
}

static void marvin_block(uint32_t *p0, uint32_t *p1)
{
	*p1 ^= *p0;
	*p0 = rotl32(*p0, 20);
	*p0 += *p1;
	*p1 = rotl32(*p1, 9);
	*p1 ^= *p0;
	*p0 = rotl32(*p0, 27);
	*p0 += *p1;
	*p1 = rotl32(*p1, 19);
}

uint64_t rt_marvin32(const void *data, size_t len, uint64_t seed)
{
	const uint8_t *p = data;
	uint32_t p0 = (uint32_t)seed, p1 = (uint32_t)(seed >> 32), last = 0x80;

	for (; len >= 4; p += 4, len -= 4) {
		p0 += rt_le32(p);
		marvin_block(&p0, &p1);
	}
	switch (len) {
	case 3:
		last = (last << 8) | p[2];
		/* fall through */
	case 2:
		last = (last << 8) | p[1];
		/* fall through */
	case 1:
		last = (last << 8) | p[0];
		break;
	default:
		break;
	}
	p0 += last;
	marvin_block(&p0, &p1);
	marvin_block(&p0, &p1);
	return ((uint64_t)p1 << 32) | p0;
}

typedef struct entry {
	const regf_log *log;
	size_t log_index;
	size_t off;
	uint32_t size, seq, hbins, npages;
} entry;

/* Validate the HvLE entry at `off`; 1 good, 0 not an entry / end, -1 bad. */
static int check_entry(const regf_log *lg, size_t off, entry *e, rt_diag *diag,
		       const char *subject)
{
	const uint8_t *p = lg->data + off;
	size_t refs, pages = 0, i;

	if (!rt_fits(lg->size, off, 40) || memcmp(p, "HvLE", 4) != 0)
		return 0;
	e->size = rt_le32(p + 4);
	e->seq = rt_le32(p + 12);
	e->hbins = rt_le32(p + 16);
	e->npages = rt_le32(p + 20);
	e->off = off;
	if (e->size < 40 || e->size % 512 != 0 || !rt_fits(lg->size, off, e->size)) {
		rt_diag_error(diag, subject, "%s: log entry at 0x%zx has a bad size", lg->name, off);
		return -1;
	}
	if (rt_marvin32(p + 40, e->size - 40, RT_MARVIN_HVLE_SEED) != rt_le64(p + 24) ||
	    rt_marvin32(p, 32, RT_MARVIN_HVLE_SEED) != rt_le64(p + 32)) {
		rt_diag_error(diag, subject, "%s: log entry %u at 0x%zx has a bad hash", lg->name,
			      (unsigned)e->seq, off);
		return -1;
	}
	refs = 40 + (size_t)e->npages * 8;
	if (e->hbins == 0 || e->hbins % REGF_HBIN_ALIGN != 0 ||
	    e->hbins > RT_HIVE_MAX_SIZE - REGF_BASE_BLOCK_SIZE || e->npages > e->size / 8 ||
	    refs > e->size) {
		rt_diag_error(diag, subject, "%s: log entry %u has a bad header", lg->name,
			      (unsigned)e->seq);
		return -1;
	}
	for (i = 0; i < e->npages; i++) {
		uint32_t po = rt_le32(p + 40 + 8 * i), ps = rt_le32(p + 44 + 8 * i);

		if (!rt_fits(e->hbins, po, ps) || !rt_fits(e->size - refs, pages, ps)) {
			rt_diag_error(diag, subject, "%s: log entry %u has a page out of bounds",
				      lg->name, (unsigned)e->seq);
			return -1;
		}
		pages += ps;
	}
	return 1;
}

static int apply_entry(uint8_t **image, size_t *size, const entry *e)
{
	const uint8_t *p = e->log->data + e->off;
	size_t need = REGF_BASE_BLOCK_SIZE + (size_t)e->hbins, data = 40 + (size_t)e->npages * 8;
	uint32_t i;

	if (need > *size) {
		uint8_t *n = realloc(*image, need);

		if (!n)
			return -1;
		memset(n + *size, 0, need - *size);
		*image = n;
		*size = need;
	}
	for (i = 0; i < e->npages; i++) {
		uint32_t po = rt_le32(p + 40 + 8 * i), ps = rt_le32(p + 44 + 8 * i);

		memcpy(*image + REGF_BASE_BLOCK_SIZE + po, p + data, ps);
		data += ps;
	}
	return 0;
}

static void set_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void finish_base_block(uint8_t *bb, uint32_t seq, uint32_t hbins)
{
	set_le32(bb + 4, seq);
	set_le32(bb + 8, seq);
	set_le32(bb + 40, hbins);
	set_le32(bb + REGF_CHECKSUM_OFFSET, rt_hive_base_block_checksum(bb));
}

static int add_used(rt_buf *used, const char *name)
{
	size_t n = strlen(name);
	const char *p = used->buf;

	while ((p = strstr(p, name)) != NULL) {
		if ((p == used->buf || p[-1] == ' ') && (p[n] == ',' || p[n] == '\0'))
			return 0;
		p += n;
	}
	if (used->len && rt_buf_adds(used, ", "))
		return -1;
	return rt_buf_adds(used, name);
}

static int replay_new(uint8_t **image, size_t *size, const regf_log *logs, size_t nlogs,
		      rt_buf *used, rt_diag *diag, const char *subject)
{
	entry *es = NULL;
	size_t ne = 0, cap = 0, i;
	uint32_t want = rt_le32(*image + 8), hbins = rt_le32(*image + 40), last = 0;
	int applied = 0;

	for (i = 0; i < nlogs; i++) {
		size_t off = 512;

		if (logs[i].size < 512 || memcmp(logs[i].data, "regf", 4) != 0 ||
		    rt_le32(logs[i].data + 28) != 6)
			continue;
		while (ne < MAX_ENTRIES) {
			entry e;
			int r = check_entry(&logs[i], off, &e, diag, subject);

			if (r != 1)
				break;
			e.log = &logs[i];
			e.log_index = i;
			if (ne == cap) {
				entry *n = realloc(es, (cap ? cap * 2 : 64) * sizeof *es);

				if (!n)
					goto oom;
				es = n;
				cap = cap ? cap * 2 : 64;
			}
			es[ne++] = e;
			off += e.size;
		}
	}
	/* The first entry to apply is the oldest one not older than the primary's
	 * secondary sequence number (older entries were already written). */
	{
		uint32_t first = UINT32_MAX;
		int any = 0;

		for (i = 0; i < ne; i++)
			if (es[i].seq >= want && es[i].seq <= first) {
				first = es[i].seq;
				any = 1;
			}
		if (!any) {
			free(es);
			return 0;
		}
		want = first;
	}
	for (;;) {
		const entry *found = NULL;

		for (i = 0; i < ne && !found; i++)
			if (es[i].seq == want)
				found = &es[i];
		if (!found)
			break;
		if (apply_entry(image, size, found) != 0)
			goto oom;
		if (add_used(used, found->log->name) != 0)
			goto oom;
		hbins = found->hbins;
		last = found->seq;
		applied++;
		if (want == UINT32_MAX)
			break;
		want++;
	}
	if (applied)
		finish_base_block(*image, last, hbins);
	free(es);
	return applied;
oom:
	free(es);
	return -1;
}

/* Old format: base block copy, "DIRT" + bitmap at 512, then the pages. */
static int replay_old(uint8_t **image, size_t *size, const regf_log *lg, rt_buf *used,
		      rt_diag *diag, const char *subject)
{
	const uint8_t *d = lg->data;
	uint32_t hbins, bits, i, page = 0;
	size_t pages_at;

	if (lg->size < 1024 || memcmp(d, "regf", 4) != 0 || rt_le32(d + 28) != 1 ||
	    memcmp(d + 512, "DIRT", 4) != 0)
		return 0;
	if (rt_hive_base_block_checksum(d) != rt_le32(d + REGF_CHECKSUM_OFFSET)) {
		rt_diag_error(diag, subject, "%s: log base block has a bad checksum", lg->name);
		return 0;
	}
	if (rt_le32(d + 4) != rt_le32(d + 8)) {
		rt_diag_error(diag, subject, "%s: log was not completely written", lg->name);
		return 0;
	}
	if (rt_le64(d + 12) != rt_le64(*image + 12)) {
		rt_diag_error(diag, subject, "%s: log belongs to another state of the hive",
			      lg->name);
		return 0;
	}
	hbins = rt_le32(d + 40);
	if (hbins % REGF_HBIN_ALIGN != 0 || hbins > RT_HIVE_MAX_SIZE - REGF_BASE_BLOCK_SIZE)
		return 0;
	bits = hbins / 512;
	if (!rt_fits(lg->size, 516, bits / 8)) {
		rt_diag_error(diag, subject, "%s: dirty vector is truncated", lg->name);
		return 0;
	}
	pages_at = (516 + bits / 8 + 511) / 512 * 512;
	if (REGF_BASE_BLOCK_SIZE + (size_t)hbins > *size) {
		uint8_t *n = realloc(*image, REGF_BASE_BLOCK_SIZE + (size_t)hbins);

		if (!n)
			return -1;
		memset(n + *size, 0, REGF_BASE_BLOCK_SIZE + (size_t)hbins - *size);
		*image = n;
		*size = REGF_BASE_BLOCK_SIZE + (size_t)hbins;
	}
	for (i = 0; i < bits; i++) {
		if (!(d[516 + i / 8] & (1u << (i % 8))))
			continue;
		if (!rt_fits(lg->size, pages_at + (size_t)page * 512, 512)) {
			rt_diag_error(diag, subject, "%s: dirty pages are truncated", lg->name);
			break;
		}
		memcpy(*image + REGF_BASE_BLOCK_SIZE + (size_t)i * 512,
		       d + pages_at + (size_t)page * 512, 512);
		page++;
	}
	if (page == 0)
		return 0;
	finish_base_block(*image, rt_le32(d + 4), hbins);
	return add_used(used, lg->name) == 0 ? 1 : -1;
}

/* Take the base block from the first log whose own copy is intact. */
static void recover_base_block(uint8_t *image, const regf_log *logs, size_t nlogs, rt_diag *diag,
			       const char *subject)
{
	size_t i;

	for (i = 0; i < nlogs; i++) {
		const uint8_t *d = logs[i].data;

		if (logs[i].size < 512 || memcmp(d, "regf", 4) != 0 ||
		    rt_hive_base_block_checksum(d) != rt_le32(d + REGF_CHECKSUM_OFFSET))
			continue;
		memcpy(image, d, 512);
		set_le32(image + 28, 0);
		set_le32(image + REGF_CHECKSUM_OFFSET, rt_hive_base_block_checksum(image));
		rt_diag_warn(diag, subject, "base block recovered from %s", logs[i].name);
		return;
	}
}

int regf_replay(uint8_t **image, size_t *size, int bad_base_block, const regf_log *logs,
		size_t nlogs, rt_buf *used, rt_diag *diag, const char *subject)
{
	size_t i;
	int r;

	if (*size < REGF_BASE_BLOCK_SIZE)
		return 0;
	if (bad_base_block)
		recover_base_block(*image, logs, nlogs, diag, subject);
	r = replay_new(image, size, logs, nlogs, used, diag, subject);
	if (r != 0)
		return r;
	for (i = 0; i < nlogs; i++) {
		r = replay_old(image, size, &logs[i], used, diag, subject);
		if (r != 0)
			return r;
	}
	return 0;
}
