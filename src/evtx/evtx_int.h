/*
 * evtx_int.h - pieces shared inside the evtx module (not a public API).
 */
#ifndef REMTRAIL_EVTX_INT_H
#define REMTRAIL_EVTX_INT_H

#include <stddef.h>
#include <stdint.h>

#include "remtrail/evtx.h"

/*
 * Open `path` read-only and check the "ElfFile\0" signature. Reports through
 * diag (subject `subject`) and returns -1 when the file cannot be opened or
 * is not EVTX; 0 otherwise.
 */
int rt_evtx_open_check(const char *path, const char *subject, rt_diag *d);

/*
 * Check the file header and chunk checksums, chunk signatures and
 * truncation without decoding records. Each damage is reported as an error
 * naming the chunk and its offset. Returns 1 if anything is damaged, else 0.
 */
int rt_evtx_check_structure(const char *path, const char *subject, rt_diag *d);

/*
 * The libevtx reader behind rt_evtx_read (same contract), with one more
 * outcome: RT_EVTX_LIBEVTX_REFUSED, nothing read or reported, when some
 * chunk of the file holds what makes libevtx 20181227 read out of bounds
 * (rt_native_libevtx_hazard; `hazard` says what and where). libevtx is
 * never given such a file: the caller reads it with the native reader.
 */
#define RT_EVTX_LIBEVTX_REFUSED 2
int rt_evtx_read_libevtx(const char *path, const rt_evtx_opts *o, rt_event_cb cb, void *ctx,
			 rt_diag *d, char *hazard, size_t hazardlen);

/*
 * The native reader's fallback (native.h, rt_native_fallback): read one
 * chunk with libevtx from memory. The caller has checked the chunk with
 * rt_bx_libevtx_hazard and never hands over one it flags. (`len` bytes, at most 64 KiB, after the
 * file's 4096-byte `header`). 0 when read, 1 when the callback asked to
 * stop, -1 when libevtx could not read it either.
 */
int rt_evtx_read_libevtx_chunk(const uint8_t *header, const uint8_t *chunk, size_t len,
			       const rt_evtx_opts *o, const char *path, rt_event_cb cb,
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
