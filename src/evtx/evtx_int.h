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
 * Records announced against records read. A reader that can drop records
 * without an error (libevtx stops at a record whose size it cannot trust,
 * and every later record of the chunk goes with it) counts what it
 * delivers; the chunk headers say which record identifiers there were.
 *
 *   rt_evtx_tally_chunk   the identifiers a chunk header announces
 *                         (`hdr`: at least 40 bytes); an implausible range
 *                         (0, reversed, wider than a chunk can hold) is
 *                         left out; call before the first _seen
 *   rt_evtx_tally_seen    a record delivered (duplicates count once)
 *   rt_evtx_tally_report  an error naming how many announced records were
 *                         not seen, and which ("3 of 10 records announced
 *                         by the chunk headers could not be read (record
 *                         ids 3-4, 9)"); `where` ("chunk 2 at offset
 *                         0x21000") or NULL for the whole file. Returns
 *                         the number.
 */
typedef struct rt_evtx_span {
	uint64_t first, last;
	uint8_t *seen; /* one bit per identifier */
} rt_evtx_span;

typedef struct rt_evtx_tally {
	rt_evtx_span *v;
	size_t n;
	int ready, oom;
} rt_evtx_tally;

void rt_evtx_tally_init(rt_evtx_tally *t);
void rt_evtx_tally_chunk(rt_evtx_tally *t, const uint8_t *hdr);
void rt_evtx_tally_seen(rt_evtx_tally *t, uint64_t id);
uint64_t rt_evtx_tally_report(rt_evtx_tally *t, rt_diag *d, const char *subject,
			      const char *where);
void rt_evtx_tally_release(rt_evtx_tally *t);

/*
 * Check the file header and chunk checksums, chunk signatures and
 * truncation without decoding records. Each damage is reported as an error
 * naming the chunk and its offset. Returns 1 if anything is damaged, else 0.
 * With `tally`, the record identifiers announced by the chunks the header
 * counts whose header checksum holds are added to it.
 */
int rt_evtx_check_structure(rt_source *src, const char *subject, rt_diag *d,
			    rt_evtx_tally *tally);

/*
 * The libevtx reader behind rt_evtx_read_source (same contract; libevtx
 * reads through the libbfio bridge over `src`), with one more outcome:
 * RT_EVTX_LIBEVTX_REFUSED, nothing read or reported, when some chunk of the
 * file holds what makes libevtx 20181227 read out of bounds
 * (rt_native_libevtx_hazard; `hazard` says what and where). libevtx is
 * never given such a file: the caller reads it with the native reader.
 */
#define RT_EVTX_LIBEVTX_REFUSED 2
int rt_evtx_read_libevtx(rt_source *src, const rt_evtx_opts *o, rt_event_cb cb, void *ctx,
			 rt_diag *d, char *hazard, size_t hazardlen);

/*
 * The native reader's fallback (native.h, rt_native_fallback): read one
 * chunk with libevtx from memory. The caller has checked the chunk with
 * rt_bx_libevtx_hazard and never hands over one it flags. `offset` is the
 * chunk's place in the file, for messages. Records its header announces
 * and libevtx does not deliver are named. (`len` bytes, at most 64 KiB, after the
 * file's 4096-byte `header`). 0 when read, 1 when the callback asked to
 * stop, -1 when libevtx could not read it either.
 */
int rt_evtx_read_libevtx_chunk(const uint8_t *header, const uint8_t *chunk, size_t len,
			       size_t offset, const rt_evtx_opts *o, const char *subject,
			       rt_event_cb cb, void *ctx, rt_diag *d, unsigned long *file_bad);

/*
 * Whether a chunk's header can be trusted for what it announces: its
 * checksum (bytes 0-119 and 128-511) matches, or the file or chunk says
 * there are no checksums (flag 0x4). `chunk` holds at least 512 bytes.
 */
int rt_evtx_chunk_header_ok(const uint8_t *chunk, uint32_t file_flags);

/*
 * Unreadable records are named one by one up to this many per file, then
 * counted. `file_bad` above carries the file's count across the chunks the
 * native reader hands over, so the cap holds per file, not per chunk;
 * rt_evtx_report_more_bad() says how many were not named.
 */
#define RT_EVTX_MAX_RECORD_REPORTS 10
void rt_evtx_report_more_bad(rt_diag *d, const char *subject, unsigned long bad);

#endif
