/*
 * evtx.h - reading EVTX files into normalized events (event.h).
 *
 * Two readers give the same events: libevtx (the reference, and the
 * recovery path for damaged files) and the native decoder (fast path).
 * RT_READER_AUTO uses the native decoder and hands any chunk it rejects to
 * libevtx; until the native decoder exists it means libevtx.
 *
 * Records are delivered in file order (chunk by chunk, record by record),
 * whatever the thread count. Damage (bad checksums, truncation, records
 * that cannot be parsed) is reported through `diag` as RT_DIAG_ERROR naming
 * the file, and every record that can be read is still delivered.
 */
#ifndef REMTRAIL_EVTX_H
#define REMTRAIL_EVTX_H

#include "remtrail/diag.h"
#include "remtrail/event.h"

typedef enum rt_reader {
	RT_READER_AUTO = 0,
	RT_READER_LIBEVTX,
	RT_READER_NATIVE
} rt_reader;

typedef struct rt_evtx_opts {
	rt_reader reader;
	int threads;          /* decoding threads for this file; <= 1 means one */
	const char *host;     /* copied into rt_event.host; NULL: use Computer */
	const char *display;  /* path to put in rt_event.source_file; NULL: path */
} rt_evtx_opts;

/*
 * Read every record of the file at `path` and hand each to `cb`.
 * Returns 0 when the whole file was read, 1 when some of it could not be
 * (reported through diag), -1 when the file could not be opened or is not
 * an EVTX file at all (reported through diag). A callback's nonzero return
 * stops reading and is not an error.
 */
int rt_evtx_read(const char *path, const rt_evtx_opts *opts, rt_event_cb cb, void *ctx,
		 rt_diag *diag);

/*
 * The System/Computer of the first readable record, as a malloc'd string in
 * *computer (NULL if none could be read). Returns 0, or -1 if the file
 * cannot be opened as EVTX. Does not report through diag.
 */
int rt_evtx_probe_computer(const char *path, char **computer);

/* Parse "libevtx" / "native" / "auto"; 0 on success, -1 otherwise. */
int rt_reader_parse(const char *s, rt_reader *out);

#endif
