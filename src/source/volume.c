/*
 * Partition tables (MBR with its chain of extended boot records, GPT) and
 * bare volumes. Ours rather than a library's: it is a few hundred bytes of
 * well-documented structure (UEFI 2.10 section 5; the MBR as every BIOS
 * reads it), and every offset here comes from the evidence, so it goes
 * through bounds checks and is fuzzed (tests/fuzz/fuzz_volumes.c).
 *
 * Numbering follows what analysts see in other tools (Linux, TSK's slot
 * numbers): MBR primaries 1-4 by slot, logical partitions from 5 in chain
 * order; GPT entries by their index + 1.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "remtrail/util.h"
#include "source_int.h"

#define SECTOR 512u
#define MAX_VOLUMES 256
#define MAX_LOGICAL 128
#define MAX_GPT_ENTRIES 1024u

typedef struct parse {
	int (*read_at)(void *ctx, uint64_t off, uint8_t *buf, size_t n);
	void *ctx;
	uint64_t size;
	rt_volume *v;
	size_t n;
	int oom;
} parse;

static int is_ntfs(const uint8_t *s)
{
	return !memcmp(s + 3, "NTFS    ", 8) && s[510] == 0x55 && s[511] == 0xAA;
}

static int is_bitlocker(const uint8_t *s)
{
	return !memcmp(s + 3, "-FVE-FS-", 8);
}

static void add(parse *p, int index, const char *scheme, uint64_t off, uint64_t len)
{
	rt_volume *v;

	uint64_t declared = 0;

	if (off >= p->size || len == 0 || p->n >= MAX_VOLUMES)
		return;
	if (len > p->size - off) {
		declared = len; /* a table that claims more than the disk holds */
		len = p->size - off;
	}
	v = realloc(p->v, (p->n + 1) * sizeof(*v));
	if (!v) {
		p->oom = 1;
		return;
	}
	p->v = v;
	v = &p->v[p->n++];
	memset(v, 0, sizeof(*v));
	v->index = index;
	v->scheme = scheme;
	v->offset = off;
	v->size = len;
	v->declared = declared;
	v->fs = "other";
}

/* GPT header at `lba1` (byte offset of LBA 1 for sector size `ss`). */
static int gpt(parse *p, const uint8_t *hdr, uint64_t ss)
{
	uint64_t entries = rt_le64(hdr + 72);
	uint32_t count = rt_le32(hdr + 80), esize = rt_le32(hdr + 84), i;
	uint8_t *buf;

	if (esize < 128 || esize > 4096 || esize % 8)
		return 0;
	if (count > MAX_GPT_ENTRIES)
		count = MAX_GPT_ENTRIES;
	if (entries == 0 || entries > p->size / ss)
		return 0;
	buf = malloc(esize);
	if (!buf) {
		p->oom = 1;
		return 1;
	}
	for (i = 0; i < count; i++) {
		uint64_t at = entries * ss + (uint64_t)i * esize, first, last;
		static const uint8_t zero[16];

		if (at + esize > p->size || p->read_at(p->ctx, at, buf, esize))
			break;
		if (!memcmp(buf, zero, 16))
			continue; /* unused entry */
		first = rt_le64(buf + 32);
		last = rt_le64(buf + 40);
		if (last < first || first > UINT64_MAX / ss || last - first >= UINT64_MAX / ss)
			continue;
		add(p, (int)i + 1, "GPT", first * ss, (last - first + 1) * ss);
	}
	free(buf);
	return 1;
}

static int is_extended(uint8_t type)
{
	return type == 0x05 || type == 0x0F || type == 0x85;
}

/* The chain of extended boot records from the extended partition at `ext`. */
static void logical(parse *p, uint64_t ext)
{
	uint8_t s[SECTOR];
	uint64_t next = 0, seen[MAX_LOGICAL];
	int k, index = 5;

	for (k = 0; k < MAX_LOGICAL; k++) {
		uint64_t at = ext + next * SECTOR;
		const uint8_t *e1 = s + 446, *e2 = s + 462;
		int j;

		for (j = 0; j < k; j++)
			if (seen[j] == at)
				return; /* a loop in the chain */
		seen[k] = at;
		if (at + SECTOR > p->size || p->read_at(p->ctx, at, s, SECTOR) || s[510] != 0x55 ||
		    s[511] != 0xAA)
			return;
		if (e1[4] && rt_le32(e1 + 12))
			add(p, index++, "MBR", at + (uint64_t)rt_le32(e1 + 8) * SECTOR,
			    (uint64_t)rt_le32(e1 + 12) * SECTOR);
		if (!is_extended(e2[4]) || !rt_le32(e2 + 8))
			return;
		next = rt_le32(e2 + 8);
	}
}

static void mbr(parse *p, const uint8_t *s)
{
	int i;

	for (i = 0; i < 4; i++) {
		const uint8_t *e = s + 446 + 16 * i;
		uint64_t start = (uint64_t)rt_le32(e + 8) * SECTOR, len = (uint64_t)rt_le32(e + 12) * SECTOR;

		if (!e[4] || !len || e[4] == 0xEE)
			continue;
		if (is_extended(e[4]))
			logical(p, start);
		else
			add(p, i + 1, "MBR", start, len);
	}
}

int rt_volumes_parse(const uint8_t *head, size_t len, uint64_t size,
		     int (*read_at)(void *ctx, uint64_t off, uint8_t *buf, size_t n), void *ctx,
		     rt_volume **vols, size_t *n)
{
	parse p;
	size_t i;

	memset(&p, 0, sizeof(p));
	p.read_at = read_at;
	p.ctx = ctx;
	p.size = size;
	*vols = NULL;
	*n = 0;
	if (len < SECTOR)
		return 0;
	if (is_ntfs(head) || is_bitlocker(head)) {
		add(&p, 0, "none", 0, size);
	} else if (len >= 2 * SECTOR && !memcmp(head + SECTOR, "EFI PART", 8)) {
		gpt(&p, head + SECTOR, SECTOR);
	} else if (len >= 4096 + SECTOR && !memcmp(head + 4096, "EFI PART", 8)) {
		gpt(&p, head + 4096, 4096);
	} else if (head[510] == 0x55 && head[511] == 0xAA) {
		mbr(&p, head);
	}
	/* what each volume is, from its first sector */
	for (i = 0; i < p.n; i++) {
		uint8_t s[SECTOR];

		if (p.v[i].size >= SECTOR && !read_at(ctx, p.v[i].offset, s, SECTOR))
			p.v[i].fs = is_ntfs(s) ? "NTFS" : is_bitlocker(s) ? "BitLocker" : "other";
	}
	if (p.oom) {
		free(p.v);
		return -1;
	}
	*vols = p.v;
	*n = p.n;
	return 0;
}

static int src_read_at(void *ctx, uint64_t off, uint8_t *buf, size_t n)
{
	return rt_source_read_exact(ctx, buf, n, off);
}

int rt_volumes_list(rt_source *disk, rt_volume **vols, size_t *n)
{
	uint8_t head[4096 + SECTOR];
	ssize_t got = rt_source_read(disk, head, sizeof(head), 0);
	size_t i;

	*vols = NULL;
	*n = 0;
	if (got < 0)
		return -2;
	if (got < (ssize_t)SECTOR)
		return 0;
	if (rt_volumes_parse(head, (size_t)got, rt_source_size(disk), src_read_at, disk, vols, n))
		return -1;
	for (i = 0; i < *n; i++) {
		rt_volume *v = &(*vols)[i];
		char name[64];

		snprintf(name, sizeof(name), "p%d", v->index);
		if (v->index == 0 && v->offset == 0 && v->size == rt_source_size(disk))
			v->src = rt_source_ref(disk);
		else if (rt_source_range(disk, v->offset, v->size, name, &v->src)) {
			rt_volumes_free(*vols, *n);
			*vols = NULL;
			*n = 0;
			return -1;
		}
	}
	return 0;
}

void rt_volumes_free(rt_volume *vols, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		rt_source_unref(&vols[i].src);
	free(vols);
}
