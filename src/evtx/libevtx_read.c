/*
 * The libevtx reader: libevtx finds the records (and reads on through bad
 * checksums); each record's XML rendering gives the names that libevtx's
 * positional string API lacks (see rt_evtx_xml_parse).
 *
 * This file is the only one that calls libevtx, through its two entry
 * points, and neither hands libevtx what it would misread: a whole file
 * is refused when any chunk holds a hazard (rt_native_libevtx_hazard), a
 * single chunk is checked by the native reader before it comes here.
 *
 * libevtx keeps records in a small cache inside the file object, so we
 * hold exactly one libevtx_record_t at a time: copy its XML out, free it,
 * then decode.
 */
#include "config.h"

#include <libevtx.h>
#include <stdlib.h>
#include <string.h>

#include "evtx_int.h"
#include "native.h"

/* Records that fail are reported one by one up to this many per file,
 * then counted in one closing message. */

typedef struct reader {
	const rt_evtx_opts *o;
	const char *subject;
	rt_event_cb cb;
	void *ctx;
	rt_diag *d;
	libevtx_file_t *file;
	rt_buf xml;
	rt_evtx_xml x;
	unsigned long bad;     /* records that could not be read */
	unsigned long *file_bad; /* the file's count across chunk fallbacks, or NULL */
	unsigned long notime;  /* records without a usable TimeCreated */
	unsigned long delivered;
	rt_evtx_tally tally;   /* record ids the chunk headers announce, and read */
	int stop;
} reader;

/* Count one unreadable record; the number to compare with the naming cap is
 * the file's, even when the file is read chunk by chunk (fallback). */
static unsigned long count_bad(reader *r)
{
	r->bad++;
	return r->file_bad ? ++*r->file_bad : r->bad;
}

/*
 * libyal errors are a chain of "function: message." lines; the first is
 * the root cause. Keep it in git's style: no function name, no period.
 */
static void error_text(libevtx_error_t **e, char *out, size_t n)
{
	char buf[2048], *line, *nl, *colon;
	size_t l;

	out[0] = '\0';
	if (!e || !*e)
		return;
	if (libevtx_error_backtrace_sprint(*e, buf, sizeof buf) < 0)
		buf[0] = '\0';
	libevtx_error_free(e);
	line = buf;
	while (*line == '\n' || *line == ' ')
		line++;
	nl = strchr(line, '\n');
	if (nl)
		*nl = '\0';
	colon = strstr(line, ": ");
	if (colon && !memchr(line, ' ', (size_t)(colon - line)))
		line = colon + 2;
	l = strlen(line);
	while (l && (line[l - 1] == '.' || line[l - 1] == ' ' || line[l - 1] == '\r'))
		line[--l] = '\0';
	snprintf(out, n, "%s", *line ? line : "unknown libevtx error");
}

static void record_failed(reader *r, int index, int recovered, const char *what,
			  libevtx_error_t **e)
{
	char why[512];

	error_text(e, why, sizeof why);
	if (count_bad(r) <= RT_EVTX_MAX_RECORD_REPORTS)
		rt_diag_error(r->d, r->subject, "%srecord at index %d: %s: %s",
			      recovered ? "recovered " : "", index, what, why);
}

static int read_records(reader *r, int damaged, const char *where);

/* Fetch, decode and deliver one record; problems are reported, not returned. */
static void one_record(reader *r, int index, int recovered)
{
	libevtx_record_t *rec = NULL;
	libevtx_error_t *e = NULL;
	uint64_t number = 0, written = 0;
	size_t size = 0;
	rt_event ev;
	int rc;

	rc = recovered ? libevtx_file_get_recovered_record_by_index(r->file, index, &rec, &e)
		       : libevtx_file_get_record_by_index(r->file, index, &rec, &e);
	if (rc != 1 || !rec) {
		record_failed(r, index, recovered, "cannot be read", &e);
		return;
	}
	if (libevtx_record_get_identifier(rec, &number, &e) != 1)
		libevtx_error_free(&e);
	if (libevtx_record_get_written_time(rec, &written, &e) != 1)
		libevtx_error_free(&e);
	if (libevtx_record_get_utf8_xml_string_size(rec, &size, &e) != 1 || size == 0 ||
	    (r->xml.len = 0, rt_buf_grow(&r->xml, size)) ||
	    libevtx_record_get_utf8_xml_string(rec, (uint8_t *)r->xml.buf, size, &e) != 1) {
		libevtx_record_free(&rec, NULL);
		record_failed(r, index, recovered, "cannot be rendered as XML", &e);
		return;
	}
	libevtx_record_free(&rec, NULL);
	r->xml.len = strnlen(r->xml.buf, size);
	r->xml.buf[r->xml.len] = '\0';

	memset(&ev, 0, sizeof ev);
	rc = rt_evtx_xml_parse(&r->x, r->xml.buf, r->xml.len, &ev);
	if (rc < 0) {
		if (count_bad(r) <= RT_EVTX_MAX_RECORD_REPORTS)
			rt_diag_error(r->d, r->subject, "record %llu: out of memory or too large",
				      (unsigned long long)number);
		return;
	}
	if (rc > 0 && count_bad(r) <= RT_EVTX_MAX_RECORD_REPORTS)
		rt_diag_error(r->d, r->subject,
			      "record %llu: XML rendering is malformed, fields may be missing",
			      (unsigned long long)number);
	ev.record_number = number;
	ev.written = written;
	if (!r->x.has_time) {
		ev.timestamp = written;
		r->notime++;
	}
	ev.recovered = recovered;
	ev.host = r->o->host ? r->o->host : ev.computer;
	ev.source_file = r->subject;
	r->delivered++;
	rt_evtx_tally_seen(&r->tally, number);
	if (r->cb(r->ctx, &ev))
		r->stop = 1;
}

/* Open libevtx's file object over `src` (through the libbfio bridge, which
 * the file object then owns); 0, or -1 with *e set. */
static int open_source(libevtx_file_t **file, void **bfio, rt_source *src, libevtx_error_t **e)
{
	*file = NULL;
	*bfio = NULL;
	if (rt_source_bfio(src, bfio) != 0 || libevtx_file_initialize(file, e) != 1) {
		rt_source_bfio_free(bfio);
		return -1;
	}
	if (libevtx_file_open_file_io_handle(*file, *bfio, LIBEVTX_OPEN_READ, e) != 1) {
		libevtx_file_free(file, NULL);
		rt_source_bfio_free(bfio);
		return -1;
	}
	return 0;
}

static void close_source(libevtx_file_t **file, void **bfio)
{
	libevtx_error_t *e = NULL;

	if (*file && libevtx_file_close(*file, &e) != 0)
		libevtx_error_free(&e);
	libevtx_file_free(file, NULL);
	rt_source_bfio_free(bfio);
}

int rt_evtx_read_libevtx(rt_source *src, const rt_evtx_opts *o, rt_event_cb cb, void *ctx,
			 rt_diag *d, char *hazard, size_t hazardlen)
{
	reader r;
	libevtx_error_t *e = NULL;
	void *bfio = NULL;
	char why[512];
	int damaged, ret;

	if (rt_native_libevtx_hazard(src, hazard, hazardlen))
		return RT_EVTX_LIBEVTX_REFUSED;
	memset(&r, 0, sizeof r);
	r.o = o;
	r.subject = o->display ? o->display : rt_source_name(src);
	r.cb = cb;
	r.ctx = ctx;
	r.d = d;
	if (rt_evtx_open_check(src, r.subject, d))
		return -1;
	rt_evtx_tally_init(&r.tally);
	damaged = rt_evtx_check_structure(src, r.subject, d, &r.tally);
	ret = -1;
	if (open_source(&r.file, &bfio, src, &e) != 0) {
		error_text(&e, why, sizeof why);
		rt_diag_error(d, r.subject, "cannot be read by libevtx: %s", why);
	} else {
		ret = read_records(&r, damaged, NULL);
		close_source(&r.file, &bfio);
	}
	rt_evtx_tally_release(&r.tally);
	rt_source_drop_cache(src);
	return ret;
}

/* Every record of the opened r->file, then close it; the reader's status.
 * Records the chunk headers announce and that were not read are named
 * (`where`: the chunk, or NULL for the whole file), unless the callback
 * stopped the reading. */
static int read_records(reader *r, int damaged, const char *where)
{
	libevtx_error_t *e = NULL;
	char why[512];
	int n = 0, nrec = 0, i, ret = 0;
	const rt_evtx_opts *o = r->o;
	rt_diag *d = r->d;

	rt_buf_init(&r->xml, 0);
	rt_evtx_xml_init(&r->x);
	if (libevtx_file_get_number_of_records(r->file, &n, &e) != 1) {
		error_text(&e, why, sizeof why);
		rt_diag_error(d, r->subject, "cannot count records: %s", why);
		n = 0;
		damaged = 1;
	}
	for (i = 0; i < n && !r->stop; i++)
		one_record(r, i, 0);
	if (libevtx_file_get_number_of_recovered_records(r->file, &nrec, &e) != 1) {
		libevtx_error_free(&e);
		nrec = 0;
	}
	if (o->recovered) {
		for (i = 0; i < nrec && !r->stop; i++)
			one_record(r, i, 1);
	} else if (nrec > 0) {
		rt_diag_warn(d, r->subject,
			     "%d possibly recoverable records (slack space, unused chunks) were not read",
			     nrec);
	}
	/* libevtx_file_is_corrupted() is not asked: it also flags every dirty
	 * log whose header counts fewer chunks than the file holds, which is
	 * normal; rt_evtx_check_structure() names the real damage instead. */
	if (!r->file_bad)
		rt_evtx_report_more_bad(d, r->subject, r->bad);
	if (r->notime)
		rt_diag_warn(d, r->subject,
			     "%lu records without a readable TimeCreated: the record header's "
			     "written time is used",
			     r->notime);
	if (!r->stop && rt_evtx_tally_report(&r->tally, d, r->subject, where))
		damaged = 1;
	if (damaged || r->bad)
		ret = 1;
	if (libevtx_file_close(r->file, &e) != 0)
		libevtx_error_free(&e);
	rt_evtx_xml_release(&r->x);
	rt_buf_release(&r->xml);
	return ret;
}

/*
 * One chunk through libevtx (the native reader's fallback): a file header
 * saying "one chunk" followed by the chunk, opened from memory.
 */
int rt_evtx_read_libevtx_chunk(const uint8_t *header, const uint8_t *chunk, size_t len,
			       size_t offset, const rt_evtx_opts *o, const char *subject,
			       rt_event_cb cb, void *ctx, rt_diag *d, unsigned long *file_bad)
{
	char where[64];
	reader r;
	libevtx_error_t *e = NULL;
	libbfio_handle_t *h = NULL;
	libbfio_error_t *be = NULL;
	uint8_t *img;
	uint32_t crc;
	int ret;

	memset(&r, 0, sizeof r);
	r.o = o;
	r.subject = o->display ? o->display : subject;
	r.cb = cb;
	r.ctx = ctx;
	r.d = d;
	r.file_bad = file_bad;
	rt_evtx_tally_init(&r.tally);
	if (len >= 512 && rt_evtx_chunk_header_ok(chunk, rt_le32(header + 120)))
		rt_evtx_tally_chunk(&r.tally, chunk);
	snprintf(where, sizeof where, "chunk %zu at offset 0x%zx", (offset - 4096) / 65536, offset);
	img = calloc(1, 4096 + 65536);
	if (!img) {
		rt_evtx_tally_release(&r.tally);
		return -1;
	}
	memcpy(img, header, 4096);
	memcpy(img + 4096, chunk, len < 65536 ? len : 65536);
	memset(img + 8, 0, 24);            /* first chunk 0, last chunk 0 */
	img[32] = 1;                       /* next record id: not used to read */
	img[42] = 1;                       /* one chunk */
	img[43] = 0;
	memset(img + 120, 0, 4);           /* clean */
	crc = rt_crc32(0, img, 120);
	img[124] = (uint8_t)crc;
	img[125] = (uint8_t)(crc >> 8);
	img[126] = (uint8_t)(crc >> 16);
	img[127] = (uint8_t)(crc >> 24);
	ret = -1;
	if (libbfio_memory_range_initialize(&h, &be) != 1 ||
	    libbfio_memory_range_set(h, img, 4096 + 65536, &be) != 1 ||
	    libevtx_file_initialize(&r.file, &e) != 1)
		goto out;
	if (libevtx_file_open_file_io_handle(r.file, h, LIBEVTX_OPEN_READ, &e) != 1) {
		libevtx_file_free(&r.file, NULL);
		goto out;
	}
	ret = read_records(&r, 0, where);
	libevtx_file_free(&r.file, NULL);
	if (r.stop)
		ret = 1;
	else if (ret == 0 || !r.bad)
		ret = 0;
	else
		ret = -1;
out:
	libevtx_error_free(&e);
	libbfio_error_free(&be);
	if (h)
		libbfio_handle_free(&h, NULL);
	free(img);
	rt_evtx_tally_release(&r.tally);
	return ret;
}

void rt_evtx_report_more_bad(rt_diag *d, const char *subject, unsigned long bad)
{
	if (bad > RT_EVTX_MAX_RECORD_REPORTS)
		rt_diag_error(d, subject, "%lu more records could not be read",
			      bad - RT_EVTX_MAX_RECORD_REPORTS);
}
