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

#include <stddef.h>
#include <stdint.h>

#include "remtrail/diag.h"
#include "remtrail/event.h"
#include "remtrail/evidence.h"
#include "remtrail/source.h"
#include "remtrail/util.h"

typedef enum rt_reader {
	RT_READER_AUTO = 0,
	RT_READER_LIBEVTX,
	RT_READER_NATIVE
} rt_reader;

typedef struct rt_evtx_opts {
	rt_reader reader;
	int threads;          /* decoding threads, the caller's included; <= 1 means
			       * one. With the native reader, chunks of several
			       * files are decoded at once. */
	const char *host;     /* copied into rt_event.host; NULL: use Computer */
	const char *display;  /* path to put in rt_event.source_file; NULL: the
			       * source's name */
	int recovered;        /* also deliver records libevtx recovers from slack space
			       * and from chunks past the header's count, after the
			       * others, with rt_event.recovered set (libevtx reader) */
	/* rt_evtx_read_evidence only, may be NULL: called on the calling thread
	 * as reading advances, with the bytes of EVTX files read so far and
	 * their total (rt_artifact.size), last with done == total */
	void (*progress)(void *ctx, uint64_t done, uint64_t total);
	void *progress_ctx;
	/* May be NULL. With more than one thread, the native reader calls it
	 * on the decoding threads other than the calling one (any of them, at
	 * once) right after a record is decoded, with the event as the
	 * callback will see it, and hands the result over as rt_event.pre:
	 * work that depends on the event alone moves off the thread that
	 * delivers. Events the calling thread decoded, events read with one
	 * thread, by libevtx (fallback, recovered records) and events of a
	 * sink (rt_evtx_read_evidence_sink) get pre 0: the consumer computes
	 * what it needs itself. Which events get it depends on scheduling;
	 * what the consumer makes of them must not. */
	uint64_t (*pre)(void *pre_ctx, const rt_event *ev);
	void *pre_ctx;
} rt_evtx_opts;

/*
 * Read every record of the EVTX file in byte source `src` (source.h) and
 * hand each to `cb`. The native reader reads it chunk by chunk (memory
 * stays flat whatever its size and wherever it lies); libevtx reads it
 * through the libbfio bridge.
 * Returns 0 when the whole file was read, 1 when some of it could not be
 * (reported through diag), -1 when the file could not be read or is not
 * an EVTX file at all (reported through diag). A callback's nonzero return
 * stops reading and is not an error.
 */
int rt_evtx_read_source(rt_source *src, const rt_evtx_opts *opts, rt_event_cb cb, void *ctx,
			rt_diag *diag);
/* The same for the file at `path` (tests and tools). */
int rt_evtx_read(const char *path, const rt_evtx_opts *opts, rt_event_cb cb, void *ctx,
		 rt_diag *diag);

/*
 * The System/Computer of the first readable record, as a malloc'd string in
 * *computer (NULL if none could be read). Returns 0, or -1 if the source
 * cannot be read as EVTX. Does not report through diag. Reads as
 * RT_READER_AUTO does: libevtx sees only chunks the native decoder
 * rejects, one at a time, and never one it would misread.
 */
int rt_evtx_probe_computer_source(rt_source *src, char **computer);
int rt_evtx_probe_computer(const char *path, char **computer);

/*
 * Like rt_evtx_probe_computer, but with the native decoder only, looking at
 * no more than `max_records` records from the start of the file: it reads
 * only the first chunks, where libevtx's open scans the whole log. Returns
 * 1 with a malloc'd *computer, 0 when it found none (a chunk it rejects
 * stops it: ask libevtx then), -1 if the file is not EVTX.
 */
int rt_evtx_probe_native_source(rt_source *src, int max_records, char **computer);
int rt_evtx_probe_native(const char *path, int max_records, char **computer);

/* Parse "libevtx" / "native" / "auto"; 0 on success, -1 otherwise. */
int rt_reader_parse(const char *s, rt_reader *out);

/*
 * Read the EVTX artifacts of `ev` through their sources: hosts in order,
 * each host's EVTX artifacts in order (hives are skipped). Every event gets
 * rt_event.host = the host's name and source_file = the artifact's path; `o` gives the other options
 * (its host and display are ignored; NULL means defaults). A callback's
 * nonzero return stops everything. Returns 0 when every file was read
 * whole, 1 when some file was partly or not at all readable (each reported
 * through diag).
 */
int rt_evtx_read_evidence(const rt_evidence *ev, const rt_evtx_opts *o, rt_event_cb cb,
			  void *ctx, rt_diag *d);

/*
 * Bulk output: events rendered on the decoding threads.
 *
 * `format` appends the rendering of one event to `out`. It runs on the
 * decoding threads, several at once (each with its own `out`), so it may
 * only read `ctx` and write `out` (thread-local caches are fine); nonzero
 * means out of memory and stops the reading with an error.
 * `write` runs on the calling thread, in the same order as
 * rt_evtx_read_evidence's callback would see the events: `len` bytes
 * holding the renderings of `nevents` events (a chunk's worth, or fewer).
 * Its nonzero return stops the reading and is not an error.
 */
typedef struct rt_evtx_sink {
	int (*format)(void *ctx, const rt_event *ev, rt_buf *out);
	int (*write)(void *ctx, const char *data, size_t len, size_t nevents);
	void *ctx;
	/* 1: format reads none of process_id, thread_id, user_sid and
	 * qualifiers, and the reader may leave them unset */
	int lean;
} rt_evtx_sink;

/*
 * As rt_evtx_read_evidence, with the events going through `sink`. The bytes
 * written are the same for any thread count.
 */
int rt_evtx_read_evidence_sink(const rt_evidence *ev, const rt_evtx_opts *o,
			       const rt_evtx_sink *sink, rt_diag *d);

/* ------------------------------------------------------------------ XML */

/*
 * Turning libevtx's XML rendering of one record into an rt_event (libevtx
 * 20181227 gives EventData by position only; the names are in the XML).
 *
 * The scanner is bounded and non-recursive (elements nest at most
 * RT_EVTX_XML_DEPTH deep); it unescapes &amp; &lt; &gt; &quot; &apos; and
 * numeric references, takes CDATA as text and skips comments and
 * processing instructions. It reads System (Provider/@Name, EventID and
 * @Qualifiers, Level, TimeCreated/@SystemTime, EventRecordID,
 * Execution/@ProcessID/@ThreadID, Channel, Computer, Security/@UserID) and
 * names fields as event.h says. ProcessingErrorData and DebugData leaves
 * become fields like UserData leaves; RenderingInfo is ignored.
 *
 * A state holds the buffers that the strings of the event point into; it
 * is reused from record to record (no allocation once warm). The event's
 * strings stay valid until the next parse or release.
 */
#define RT_EVTX_XML_DEPTH 64

struct rt_evtx_xml_field;

typedef struct rt_evtx_xml {
	rt_buf strs;                       /* NUL-separated names and values */
	rt_buf cur;                        /* text of the innermost element */
	rt_buf tmp;
	struct rt_evtx_xml_field *f;       /* fields as offsets into strs */
	size_t nf, af;
	rt_field *out;                     /* fields as pointers, built at the end */
	size_t aout;
	uint32_t *hash;                    /* open addressing, indices+1 into f */
	size_t nhash;
	uint32_t unnamed;
	int has_time;                      /* the last parse found a usable TimeCreated */
} rt_evtx_xml;

void rt_evtx_xml_init(rt_evtx_xml *x);
void rt_evtx_xml_release(rt_evtx_xml *x);

/*
 * Parse `len` bytes of `xml` into `ev`: sets every member but host,
 * source_file, record_number, written and recovered (left as they are).
 * Strings absent from the XML are "". timestamp is 0 and x->has_time is 0
 * when TimeCreated/@SystemTime is missing or not a time.
 * Returns 0, 1 when the XML is malformed or truncated (what was read before
 * the fault is kept in `ev`), -1 when out of memory or over a buffer cap.
 */
int rt_evtx_xml_parse(rt_evtx_xml *x, const char *xml, size_t len, rt_event *ev);

#endif
