/*
 * libFuzzer target for the partition table reader (src/source/volume.c):
 * the input is a disk's first bytes and the rest of the disk, MBR with its
 * chain of extended boot records, GPT header and entries, or a volume.
 * Every offset in there is hostile: nothing may be read outside the input.
 * The same input is also classified as a hive (src/evidence/hivekind.c),
 * whose root-key reader follows offsets of its own.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "remtrail/evidence.h"
#include "remtrail/source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct disk {
	const uint8_t *p;
	size_t n;
} disk;

static int read_at(void *ctx, uint64_t off, uint8_t *buf, size_t n)
{
	const disk *d = ctx;

	if (off > d->n || n > d->n - off)
		return -1;
	memcpy(buf, d->p + off, n);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	disk d = {data, size};
	rt_volume *v = NULL;
	rt_source *src = NULL;
	rt_hive_class c;
	size_t n = 0, i;

	/* the disk as large as the input says, and as large as it is */
	if (rt_volumes_parse(data, size, size, read_at, &d, &v, &n) == 0) {
		for (i = 0; i < n; i++)
			if (v[i].offset >= size || v[i].size > size - v[i].offset)
				abort(); /* a volume outside the disk */
		free(v);
	}
	if (rt_volumes_parse(data, size, (uint64_t)1 << 40, read_at, &d, &v, &n) == 0)
		free(v);
	if (rt_source_from_memory(data, size, "fuzz", 0, &src) == 0) {
		rt_hive_classify(src, "x/SOFTWARE", &c);
		rt_source_unref(&src);
	}
	return 0;
}
