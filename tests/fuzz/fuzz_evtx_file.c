/*
 * libFuzzer target over whole-file reading: file header checks, chunk
 * dispatch over threads, the libevtx fallback for rejected chunks, and
 * the multi-file stream (the same log listed twice). The decoder itself
 * is fuzz_evtx_chunk's business; here the input becomes a file:
 *
 *   input = [flags byte] chunk bytes...   (no flags byte when the input
 *                                          starts with "ElfChnk": the
 *                                          chunk seeds work as they are)
 *
 * The chunk bytes are cut into up to three 64 KiB chunks (zero-padded),
 * behind a file header made here. Unless a flag says otherwise, the
 * checksums are made right, so that the fuzzer gets past them.
 */
#define _GNU_SOURCE
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "remtrail/evtx.h"
#include "remtrail/util.h"

#define F_BAD_CRC 0x01   /* leave the checksums as they come */
#define F_THREADS 0x02   /* two threads instead of one */
#define F_DIRTY 0x04     /* file header flagged dirty */
#define F_LEFTOVER 0x08  /* header counts one chunk fewer than present */
#define F_TRUNCATE 0x10  /* last chunk not padded: a cut file */
#define F_NATIVE 0x20    /* native reader only: rejected chunks skipped */
#define F_TWICE 0x40     /* the log listed twice (multi-file stream) */

#define CHUNK 65536u
#define MAX_CHUNKS 3

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__asan_default_options(void);

/*
 * Two libevtx 20181227 habits this target has to live with (found by it):
 * - it leaks its half-built XML tags and tokens when it fails to read a
 *   malformed record (inside libfwevt; our reader frees what it is given),
 *   so leak checking is off here (fuzz_evtx_chunk, which never calls
 *   libevtx, keeps it);
 * - a template instance declaring ~2^30 values makes it ask for 8 GiB at
 *   once. Linux hands out such an untouched allocation or refuses it, and
 *   libevtx then fails on the values' bounds; ASan must return NULL
 *   rather than abort, and the libFuzzer malloc limit is raised for this
 *   target (tests/fuzz/seeds/fuzz_evtx_file.flags). The RSS limit stays.
 */
const char *__asan_default_options(void)
{
	return "detect_leaks=0:allocator_may_return_null=1";
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static int count(void *ctx, const rt_event *ev)
{
	size_t *sum = ctx, k;

	*sum += strlen(ev->computer) + strlen(ev->channel) + strlen(ev->provider) +
		strlen(ev->host) + strlen(ev->source_file);
	for (k = 0; k < ev->nfields; k++)
		*sum += strlen(ev->fields[k].name) + strlen(ev->fields[k].value);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t img[4096 + MAX_CHUNKS * CHUNK];
	unsigned flags = 0;
	size_t n, nchunks, len, i, sum = 0;
	char path[64];
	rt_evtx_opts o;
	rt_artifact arts[2];
	rt_host host;
	rt_evidence ev;
	rt_diag d;
	int fd;

	if (size >= 7 && memcmp(data, "ElfChnk", 7) != 0) {
		flags = data[0];
		data++;
		size--;
	}
	n = size < MAX_CHUNKS * CHUNK ? size : MAX_CHUNKS * CHUNK;
	nchunks = (n + CHUNK - 1) / CHUNK;
	memset(img, 0, sizeof img);
	memcpy(img, "ElfFile", 8);
	img[32] = 128;
	img[36] = 1;
	img[38] = 3;
	img[41] = 0x10; /* 4096 */
	img[42] = (uint8_t)(flags & F_LEFTOVER && nchunks ? nchunks - 1 : nchunks);
	img[120] = flags & F_DIRTY ? 1 : 0;
	put32(img + 124, rt_crc32(0, img, 120));
	memcpy(img + 4096, data, n);
	for (i = 0; i < nchunks && !(flags & F_BAD_CRC); i++) {
		uint8_t *c = img + 4096 + i * CHUNK;
		uint32_t free_off = rt_le32(c + 48), crc;

		if (free_off >= 512 && free_off <= CHUNK)
			put32(c + 52, rt_crc32(0, c + 512, free_off - 512));
		crc = rt_crc32(0, c, 120);
		crc = rt_crc32(crc, c + 128, 384);
		put32(c + 124, crc);
	}
	len = 4096 + (flags & F_TRUNCATE ? n : nchunks * CHUNK);
	fd = memfd_create("fuzz.evtx", 0);
	if (fd < 0)
		return 0;
	if (write(fd, img, len) != (ssize_t)len) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	memset(&o, 0, sizeof o);
	o.threads = flags & F_THREADS ? 2 : 1;
	o.reader = flags & F_NATIVE ? RT_READER_NATIVE : RT_READER_AUTO;
	rt_diag_init(&d, NULL, NULL);
	memset(arts, 0, sizeof arts);
	memset(&host, 0, sizeof host);
	arts[0].kind = arts[1].kind = RT_ART_EVTX;
	arts[0].path = arts[1].path = path;
	arts[0].size = arts[1].size = len;
	host.name = "FUZZ";
	host.artifacts = arts;
	host.nartifacts = flags & F_TWICE ? 2 : 1;
	ev.hosts = &host;
	ev.nhosts = 1;
	ev.nartifacts = host.nartifacts;
	rt_evtx_read_evidence(&ev, &o, count, &sum, &d);
	rt_diag_release(&d);
	close(fd);
	return sum == (size_t)-1;
}
