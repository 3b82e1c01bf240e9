/*
 * native.h - the native EVTX reader (internal to the evtx module): the file
 * is memory-mapped read-only, its chunks are decoded by rt_bx_decode_chunk()
 * on `opts->threads` threads and the events are handed to the callback in
 * file order on the calling thread.
 */
#ifndef REMTRAIL_NATIVE_H
#define REMTRAIL_NATIVE_H

#include <stddef.h>
#include <stdint.h>

#include "remtrail/diag.h"
#include "remtrail/event.h"
#include "remtrail/evtx.h"

/*
 * Called on the calling thread, in file order, for a chunk the native
 * decoder rejected: decode it another way (libevtx) and deliver its events
 * through `cb`/`ctx`. `header` is the file's 4096-byte header, `chunk` the
 * chunk's bytes (`len` may be short for the last chunk of a truncated
 * file). Returns 0 when it read the chunk, -1 when it could not, or 1 when
 * the callback asked to stop.
 */
typedef int (*rt_native_fallback)(void *fctx, const uint8_t *header, const uint8_t *chunk,
				  size_t len, const rt_evtx_opts *opts, const char *path,
				  rt_event_cb cb, void *ctx, rt_diag *diag);

/*
 * Read `path` as rt_evtx_read() does (same return values). `fallback` may
 * be NULL: rejected chunks are then only reported ("chunk N at offset 0x..:
 * bad chunk header checksum") and skipped.
 */
int rt_native_read(const char *path, const rt_evtx_opts *opts, rt_event_cb cb, void *ctx,
		   rt_diag *diag, rt_native_fallback fallback, void *fctx);

#endif
