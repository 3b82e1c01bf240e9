/*
 * evtx_int.h - pieces shared inside the evtx module (not a public API).
 */
#ifndef REMTRAIL_EVTX_INT_H
#define REMTRAIL_EVTX_INT_H

#include <stddef.h>
#include <stdint.h>

#include "remtrail/evtx.h"
#include "remtrail/source.h"

/*
 * Check the "ElfFile\0" signature of `src`. Reports through diag (subject
 * `subject`) and returns -1 when it cannot be read or is not EVTX; 0
 * otherwise.
 */
int rt_evtx_open_check(rt_source *src, const char *subject, rt_diag *d);

/*
 * Check the file header and chunk checksums, chunk signatures and
 * truncation without decoding records. Each damage is reported as an error
 * naming the chunk and its offset. Returns 1 if anything is damaged, else 0.
 */
int rt_evtx_check_structure(rt_source *src, const char *subject, rt_diag *d);

/* The libevtx reader behind rt_evtx_read_source (same contract); libevtx
 * reads through the libbfio bridge over `src`. */
int rt_evtx_read_libevtx(rt_source *src, const rt_evtx_opts *o, rt_event_cb cb, void *ctx,
			 rt_diag *d);

/*
 * The native reader's fallback (native.h, rt_native_fallback): read one
 * chunk with libevtx from memory (`len` bytes, at most 64 KiB, after the
 * file's 4096-byte `header`). 0 when read, 1 when the callback asked to
 * stop, -1 when libevtx could not read it either.
 */
int rt_evtx_read_libevtx_chunk(const uint8_t *header, const uint8_t *chunk, size_t len,
			       const rt_evtx_opts *o, const char *subject, rt_event_cb cb,
			       void *ctx, rt_diag *d, unsigned long *file_bad);

/*
 * Unreadable records are named one by one up to this many per file, then
 * counted. `file_bad` above carries the file's count across the chunks the
 * native reader hands over, so the cap holds per file, not per chunk;
 * rt_evtx_report_more_bad() says how many were not named.
 */
#define RT_EVTX_MAX_RECORD_REPORTS 10
void rt_evtx_report_more_bad(rt_diag *d, const char *subject, unsigned long bad);

#endif
