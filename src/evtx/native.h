/*
 * native.h - the native EVTX reader (internal to the evtx module): files are
 * read chunk by chunk through their byte sources (source.h), one after
 * another, the chunks decoded by rt_bx_decode_chunk() on `threads` threads,
 * and the events handed over in order (file by file, chunk by chunk) on the
 * calling thread. Chunks are read in file order, so a source that hashes
 * hashes as it goes.
 */
#ifndef REMTRAIL_NATIVE_H
#define REMTRAIL_NATIVE_H

#include <stddef.h>
#include <stdint.h>

#include "remtrail/diag.h"
#include "remtrail/event.h"
#include "remtrail/evtx.h"
#include "remtrail/source.h"

typedef struct rt_native_file {
	rt_source *src;
	const char *display; /* for messages and rt_event.source_file; NULL: the source's name */
	const char *host;    /* rt_event.host; NULL: the record's Computer */
	uint64_t size;       /* for progress: the file's size as listed */
	int gone_named;      /* no src, and why was named already: lost, silently */
} rt_native_file;

typedef struct rt_native_job {
	const rt_native_file *files;
	size_t nfiles;
	int threads;          /* decoding threads in all, the caller's included */
	int fallback;         /* give rejected chunks to libevtx (else report, skip) */
	rt_event_cb cb;       /* events one by one ... */
	void *ctx;
	/* with cb, may be NULL: computed for each event on the decoding
	 * threads that do not deliver, delivered as rt_event.pre
	 * (rt_evtx_opts.pre) */
	uint64_t (*pre)(void *pre_ctx, const rt_event *ev);
	void *pre_ctx;
	const rt_evtx_sink *sink; /* ... or formatted on the decoding threads */
	rt_diag *diag;
	/* as rt_evtx_opts.progress, over the files' listed sizes; may be NULL */
	void (*progress)(void *ctx, uint64_t done, uint64_t total);
	void *progress_ctx;
} rt_native_job;

/*
 * Read every file of the job. Chunks of several files are in flight at
 * once, so many small logs keep every thread busy as one big log does;
 * output order is file order whatever the thread count. Messages about a
 * file (cannot open, bad header, rejected chunks) come when delivery
 * reaches it, so they are in the same order too.
 * Returns 0 when everything was read, 1 when some file was damaged or
 * unreadable (reported through diag); with a single file, -1 when it
 * could not be opened or is not EVTX at all (rt_evtx_read's contract).
 */
int rt_native_read_files(const rt_native_job *job);

/*
 * 1 when some chunk of the file holds what makes libevtx read out of
 * bounds (rt_bx_libevtx_hazard), with `why` naming it and the chunk; 0
 * otherwise (also when the file cannot be read: libevtx will say so).
 */
int rt_native_libevtx_hazard(rt_source *src, char *why, size_t whylen);

#endif
