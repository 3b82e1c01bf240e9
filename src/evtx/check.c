/*
 * A structural check of an EVTX file, independent of libevtx: libevtx
 * reads on through bad checksums and only says "corrupted", but an analyst
 * needs to know which chunk is damaged and how. We read headers only (one
 * chunk at a time for the data checksum), never the records themselves.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "evtx_int.h"

#define FILE_HEADER_SIZE 4096
#define CHUNK_SIZE 65536
#define FLAG_DIRTY 0x1
#define FLAG_NO_CRC 0x4

int rt_evtx_open_check(rt_source *src, const char *subject, rt_diag *d)
{
	uint8_t sig[8];

	if (rt_source_read_exact(src, sig, sizeof sig, 0) || memcmp(sig, "ElfFile", 8) != 0) {
		rt_diag_error(d, subject, "not an EVTX file (no ElfFile signature)");
		return -1;
	}
	return 0;
}

int rt_evtx_chunk_header_ok(const uint8_t *chunk, uint32_t file_flags)
{
	return ((file_flags | rt_le32(chunk + 120)) & FLAG_NO_CRC) ||
	       rt_crc32(rt_crc32(0, chunk, 120), chunk + 128, 384) == rt_le32(chunk + 124);
}

int rt_evtx_check_structure(rt_source *src, const char *subject, rt_diag *d,
			    rt_evtx_tally *tally)
{
	uint8_t hdr[128], *chunk = NULL;
	uint64_t size, nchunks, avail, rest, i;
	uint32_t fflags;
	int damaged = 0;

	if (rt_source_read_exact(src, hdr, sizeof hdr, 0)) {
		rt_diag_error(d, subject, "cannot read file header: %s", strerror(errno));
		return 1;
	}
	size = rt_source_size(src);
	fflags = rt_le32(hdr + 120);
	nchunks = rt_le16(hdr + 42);
	if (!(fflags & FLAG_NO_CRC) && rt_crc32(0, hdr, 120) != rt_le32(hdr + 124)) {
		rt_diag_error(d, subject, "bad file header checksum");
		damaged = 1;
	}
	avail = size > FILE_HEADER_SIZE ? (size - FILE_HEADER_SIZE) / CHUNK_SIZE : 0;
	rest = size > FILE_HEADER_SIZE ? (size - FILE_HEADER_SIZE) % CHUNK_SIZE : 0;
	if (avail < nchunks) {
		rt_diag_error(d, subject,
			      "file is truncated: header announces %llu chunks, %llu present "
			      "(%llu bytes after the last whole chunk)",
			      (unsigned long long)nchunks, (unsigned long long)avail,
			      (unsigned long long)rest);
		damaged = 1;
	}
	chunk = malloc(CHUNK_SIZE);
	if (!chunk)
		return damaged;
	/* A dirty file's header may count too few chunks: check every chunk
	 * that looks like one. Past the count of a clean file, chunks are
	 * leftovers (libevtx's "recovered" area) and not damage. */
	for (i = 0; i < avail; i++) {
		uint64_t off = FILE_HEADER_SIZE + i * CHUNK_SIZE;
		uint32_t free_off, cflags;
		int in_count = i < nchunks;

		if (rt_source_read_exact(src, chunk, CHUNK_SIZE, off)) {
			rt_diag_error(d, subject, "cannot read chunk %llu at offset 0x%llx",
				      (unsigned long long)i, (unsigned long long)off);
			damaged = 1;
			break;
		}
		if (memcmp(chunk, "ElfChnk", 8) != 0) {
			if (in_count) {
				rt_diag_error(d, subject, "chunk %llu at offset 0x%llx: bad chunk signature",
					      (unsigned long long)i, (unsigned long long)off);
				damaged = 1;
			}
			continue;
		}
		if (!in_count && !(fflags & FLAG_DIRTY))
			continue;
		cflags = rt_le32(chunk + 120);
		if (rt_evtx_chunk_header_ok(chunk, fflags) && tally && in_count)
			rt_evtx_tally_chunk(tally, chunk);
		if ((fflags | cflags) & FLAG_NO_CRC)
			continue;
		if (!rt_evtx_chunk_header_ok(chunk, fflags)) {
			rt_diag_report(d, (cflags & FLAG_DIRTY) ? RT_DIAG_WARN : RT_DIAG_ERROR, subject,
				       "chunk %llu at offset 0x%llx: bad chunk header checksum%s",
				       (unsigned long long)i, (unsigned long long)off,
				       (cflags & FLAG_DIRTY) ? " (chunk marked dirty: was being written)" : "");
			damaged |= !(cflags & FLAG_DIRTY);
		}
		free_off = rt_le32(chunk + 48);
		if (free_off < 512 || free_off > CHUNK_SIZE) {
			rt_diag_error(d, subject,
				      "chunk %llu at offset 0x%llx: free space offset 0x%x out of range",
				      (unsigned long long)i, (unsigned long long)off, free_off);
			damaged = 1;
			continue;
		}
		/* Windows updates a chunk's checksums when it flushes the chunk: a
		 * chunk still marked dirty (copied from a live system or a shadow
		 * copy) legitimately has stale ones, and its records still parse. */
		if (rt_crc32(0, chunk + 512, free_off - 512) != rt_le32(chunk + 52)) {
			rt_diag_report(d, (cflags & FLAG_DIRTY) ? RT_DIAG_WARN : RT_DIAG_ERROR, subject,
				       "chunk %llu at offset 0x%llx: bad event records checksum%s",
				       (unsigned long long)i, (unsigned long long)off,
				       (cflags & FLAG_DIRTY) ? " (chunk marked dirty: was being written)" : "");
			damaged |= !(cflags & FLAG_DIRTY);
		}
	}
	free(chunk);
	return damaged;
}
