/*
 * The native reader: mmap, chunk dispatch over threads, ordered delivery.
 *
 * Why this shape: chunks are independent (each has its own string and
 * template tables), so they decode in parallel without sharing anything.
 * The unit of work is (file, chunk), numbered across all the files of a
 * job: a worker that finds the current file's chunks all taken opens the
 * next file, so many small logs (a triage collection) keep the threads as
 * busy as one big log. Workers take unit g only while g < delivered +
 * nslots, so at most nslots decoded chunks exist at once and memory stays
 * bounded whatever the input size; the caller's thread hands events over
 * strictly in unit order, so output is the same for any thread count.
 * Pages behind the delivery point are dropped (MADV_DONTNEED) and a file
 * is unmapped once delivered: the mapping never makes the resident set
 * grow with the log.
 *
 * With a sink, the workers also render the events (JSON lines for
 * `remtrail events`) into the slot, and the caller's thread only writes
 * the slot's bytes: formatting is most of the work of a bulk export, and
 * left on one thread it would cap the gain of a second one.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "binxml.h"
#include "evtx_int.h"
#include "native.h"

#define HDR_SIZE 4096u
#define MAX_THREADS 64
#define FLAG_DIRTY 0x1u
#define FLAG_NO_CRC 0x4u
/* Messages about a file's header, kept until delivery reaches the file. */
#define FILE_MSGS 2

typedef struct nfile {
	const rt_native_file *in;
	rt_evtx_opts o;       /* host and display, for the libevtx fallback */
	const uint8_t *map;
	size_t size;
	size_t nchunks;       /* chunks to read, the last may be short */
	size_t hdr_chunks;    /* chunks the file header counts */
	uint32_t fflags;      /* file header flags */
	int state;            /* 0 not opened, 1 mapped, -1 unreadable */
	int started;          /* its header messages were reported (delivery only) */
	int finished;         /* delivered and unmapped (delivery only) */
	int damaged;
	size_t rejected;      /* chunks the decoder rejected; the first few are named */
	size_t hazards;       /* of which skipped, as libevtx would misread them */
	unsigned long bad;    /* records the libevtx fallback could not read */
	char *msg[FILE_MSGS];
} nfile;

typedef struct slot {
	rt_bx_chunk out;
	rt_buf text;          /* the events rendered by the sink */
	rt_field *fields;     /* scratch for rendering */
	size_t fieldcap;
	size_t g, file, chunk; /* the unit this slot holds */
	int state;            /* 0 free, 1 being decoded, 2 decoded */
	int rc;               /* 0 decoded, 1 nothing to read, -1 rejected */
	int fmt_failed;
	const char *warn;     /* decoded, but worth a warning */
} slot;

typedef struct reader {
	const rt_native_job *job;
	nfile *files;
	size_t cf, cc;        /* cursor: next (file, chunk) to hand out */
	size_t next;          /* number of the next unit to hand out */
	int exhausted;        /* every file opened and every chunk handed out */
	slot *slots;
	size_t nslots;
	size_t delivered;     /* units delivered so far */
	uint64_t nread, ntotal; /* progress: bytes of the finished files, of all */
	int stop;
	pthread_mutex_t lock;
	pthread_cond_t work, done;
} reader;

static const char *display(const nfile *f)
{
	return f->in->display ? f->in->display : f->in->path;
}

static size_t chunk_off(size_t i)
{
	return HDR_SIZE + i * (size_t)RT_BX_CHUNK_SIZE;
}

static size_t chunk_len(const nfile *f, size_t i)
{
	size_t left = f->size - chunk_off(i);

	return left < RT_BX_CHUNK_SIZE ? left : RT_BX_CHUNK_SIZE;
}

static int chunk_empty(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

static void file_msg(nfile *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void file_msg(nfile *f, const char *fmt, ...)
{
	char t[256];
	va_list ap;
	int i;

	va_start(ap, fmt);
	vsnprintf(t, sizeof t, fmt, ap);
	va_end(ap);
	for (i = 0; i < FILE_MSGS; i++)
		if (!f->msg[i]) {
			f->msg[i] = strdup(t);
			return;
		}
}

/*
 * Map the file and read its header. Runs under the reader's lock, on
 * whichever thread moves the cursor onto the file; what is wrong is kept
 * for delivery (the messages must come in file order).
 */
static void open_file(nfile *f)
{
	struct stat st;
	void *map;
	int fd;

	f->state = -1;
	fd = open(f->in->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		file_msg(f, "cannot open: %s", strerror(errno));
		return;
	}
	if (fstat(fd, &st) || st.st_size < (off_t)HDR_SIZE) {
		close(fd);
		file_msg(f, "not an EVTX file: too short");
		return;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		file_msg(f, "cannot map: %s", strerror(errno));
		return;
	}
	f->map = map;
	f->size = (size_t)st.st_size;
	madvise(map, f->size, MADV_SEQUENTIAL);
	if (memcmp(f->map, "ElfFile", 8)) {
		file_msg(f, "not an EVTX file: bad file signature");
		return;
	}
	f->state = 1;
	f->fflags = rt_le32(f->map + 120);
	f->hdr_chunks = rt_le16(f->map + 42);
	if (!(f->fflags & FLAG_NO_CRC) && rt_crc32(0, f->map, 120) != rt_le32(f->map + 124)) {
		file_msg(f, "bad file header checksum");
		f->damaged = 1;
	}
	f->nchunks = (f->size - HDR_SIZE + RT_BX_CHUNK_SIZE - 1) / RT_BX_CHUNK_SIZE;
	if ((f->size - HDR_SIZE) / RT_BX_CHUNK_SIZE < f->hdr_chunks) {
		file_msg(f, "file is truncated: header announces %zu chunks, %zu present",
			 f->hdr_chunks, (f->size - HDR_SIZE) / RT_BX_CHUNK_SIZE);
		f->damaged = 1;
	}
}

static void unmap_file(nfile *f)
{
	int i;

	if (f->map)
		munmap((void *)f->map, f->size);
	f->map = NULL;
	for (i = 0; i < FILE_MSGS; i++) {
		free(f->msg[i]);
		f->msg[i] = NULL;
	}
}

/* Event k of a decoded chunk, its fields in *fields (grown); -1 on OOM. */
static int get_event(const rt_bx_chunk *c, size_t k, const nfile *f, rt_event *ev,
		     rt_field **fields, size_t *cap)
{
	size_t nf = c->ev[k].nfields;

	if (nf > *cap) {
		rt_field *fl = realloc(*fields, nf * 2 * sizeof(*fl));

		if (!fl)
			return -1;
		*fields = fl;
		*cap = nf * 2;
	}
	rt_bx_event_get(c, k, ev, *fields);
	ev->source_file = display(f);
	ev->host = f->in->host ? f->in->host : ev->computer;
	return 0;
}

/* Render a decoded chunk's events with the sink (on the decoding thread). */
static void render(reader *r, slot *s, const nfile *f)
{
	const rt_evtx_sink *sink = r->job->sink;
	size_t k;

	for (k = 0; k < s->out.nev; k++) {
		rt_event ev;

		if (get_event(&s->out, k, f, &ev, &s->fields, &s->fieldcap)) {
			s->fmt_failed = 1;
			return;
		}
		if (sink->format(sink->ctx, &ev, &s->text)) {
			s->fmt_failed = 1;
			return;
		}
	}
}

/*
 * Decode the slot's chunk. Past the header's chunk count of a clean file
 * lie leftovers (libevtx's "recovered" area): skipped, as the libevtx
 * reader does. A chunk marked dirty was being written: stale checksums are
 * then a warning and its records are still decoded.
 */
static void decode(reader *r, slot *s)
{
	const nfile *f = &r->files[s->file];
	const uint8_t *p = f->map + chunk_off(s->chunk);
	size_t n = chunk_len(f, s->chunk);
	int in_count = s->chunk < f->hdr_chunks;

	s->warn = NULL;
	s->fmt_failed = 0;
	s->out.nev = 0;
	rt_buf_reset(&s->text);
	if (!in_count && !(f->fflags & FLAG_DIRTY)) {
		s->rc = 1;
		return;
	}
	if (n == RT_BX_CHUNK_SIZE && !memcmp(p, "ElfChnk", 8)) {
		uint32_t cflags = rt_le32(p + 120);
		unsigned fl = (f->fflags | cflags) & FLAG_NO_CRC ? RT_BX_NO_CRC : 0;

		if ((cflags & FLAG_DIRTY) && !fl) {
			s->warn = rt_bx_check_crc(p, n);
			fl = RT_BX_NO_CRC;
		}
		s->rc = rt_bx_decode_chunk(&s->out, p, n, fl);
		if (s->rc == 0 && r->job->sink)
			render(r, s, f);
		return;
	}
	if (!in_count || chunk_empty(p, n)) {
		s->rc = 1; /* unused (preallocated) space */
		return;
	}
	s->rc = -1;
	snprintf(s->out.err, sizeof(s->out.err), "%s",
		 n < RT_BX_CHUNK_SIZE ? "truncated chunk" : "bad chunk magic");
}

/*
 * Hand the next unit to the calling thread and decode it; 1 if one was
 * decoded. Opens files as the cursor reaches them. Called with the lock
 * held; returns with it held.
 */
static int take_one(reader *r)
{
	slot *s;

	if (r->stop || r->exhausted || r->next >= r->delivered + r->nslots)
		return 0;
	while (r->cf < r->job->nfiles) {
		nfile *f = &r->files[r->cf];

		if (f->state == 0)
			open_file(f);
		if (f->state == 1 && r->cc < f->nchunks)
			break;
		r->cf++;
		r->cc = 0;
	}
	if (r->cf >= r->job->nfiles) {
		r->exhausted = 1;
		pthread_cond_broadcast(&r->done);
		return 0;
	}
	s = &r->slots[r->next % r->nslots];
	s->g = r->next++;
	s->file = r->cf;
	s->chunk = r->cc++;
	s->state = 1;
	pthread_mutex_unlock(&r->lock);
	decode(r, s);
	pthread_mutex_lock(&r->lock);
	s->state = 2;
	pthread_cond_broadcast(&r->done);
	return 1;
}

static void *worker(void *arg)
{
	reader *r = arg;

	pthread_mutex_lock(&r->lock);
	for (;;) {
		while (!r->stop && !r->exhausted && r->next >= r->delivered + r->nslots)
			pthread_cond_wait(&r->work, &r->lock);
		if (r->stop || r->exhausted)
			break;
		take_one(r);
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

/* ------------------------------------------------------------------ delivery */

typedef struct deliver_ctx {
	reader *r;
	rt_field *fields;
	size_t fieldcap;
	rt_buf text;          /* sink output of chunks read by libevtx */
	size_t ntext;         /* events in it */
	rt_bx_chunk *scratch; /* for rt_bx_libevtx_hazard, made when needed */
	int failed;           /* out of memory: stop, with an error */
} deliver_ctx;

/* Rejected chunks named one by one per file; the rest are counted. */
#define MAX_CHUNK_REPORTS 5

static void start_file(reader *r, nfile *f)
{
	int i;

	if (f->started)
		return;
	f->started = 1;
	for (i = 0; i < FILE_MSGS && f->msg[i]; i++)
		rt_diag_error(r->job->diag, display(f), "%s", f->msg[i]);
}

static void finish_file(reader *r, nfile *f)
{
	const rt_native_job *job = r->job;

	if (f->finished)
		return;
	f->finished = 1;
	start_file(r, f);
	if (f->hazards > MAX_CHUNK_REPORTS)
		rt_diag_error(job->diag, display(f),
			      "%zu more chunks were skipped: libevtx would read out of bounds on them",
			      f->hazards - MAX_CHUNK_REPORTS);
	if (f->rejected > MAX_CHUNK_REPORTS)
		rt_diag_error(job->diag, display(f),
			      "%zu more chunks the native decoder rejected were %s",
			      f->rejected - MAX_CHUNK_REPORTS,
			      job->fallback ? "read with libevtx" : "skipped");
	if (job->fallback)
		rt_evtx_report_more_bad(job->diag, display(f), f->bad);
	unmap_file(f);
	r->nread += f->in->size;
	if (job->progress)
		job->progress(job->progress_ctx, r->nread, r->ntotal);
}

/* The sink's side of the libevtx fallback: render on this thread. */
static int fallback_render(void *ctx, const rt_event *ev)
{
	deliver_ctx *d = ctx;
	const rt_evtx_sink *sink = d->r->job->sink;

	if (sink->format(sink->ctx, ev, &d->text)) {
		d->failed = 1;
		return 1;
	}
	d->ntext++;
	return 0;
}

static int fallback(deliver_ctx *d, nfile *f, slot *s)
{
	const rt_native_job *job = d->r->job;
	const uint8_t *p = f->map + chunk_off(s->chunk);
	size_t n = chunk_len(f, s->chunk);
	int fr;

	if (!job->sink)
		return rt_evtx_read_libevtx_chunk(f->map, p, n, chunk_off(s->chunk), &f->o,
						  f->in->path, job->cb, job->ctx, job->diag,
						  &f->bad) > 0;
	rt_buf_reset(&d->text);
	d->ntext = 0;
	fr = rt_evtx_read_libevtx_chunk(f->map, p, n, chunk_off(s->chunk), &f->o, f->in->path,
					fallback_render, d, job->diag, &f->bad);
	if (d->failed)
		return 1;
	if (d->text.len && job->sink->write(job->sink->ctx, d->text.buf, d->text.len, d->ntext))
		return 1;
	return fr > 0;
}

/* What would make libevtx misbehave on this chunk (NULL: nothing). */
static const char *libevtx_hazard(deliver_ctx *d, const uint8_t *p, size_t n)
{
	if (!d->scratch) {
		d->scratch = malloc(sizeof(*d->scratch));
		if (!d->scratch)
			return "out of memory while checking it for libevtx";
		rt_bx_chunk_init(d->scratch);
	}
	return rt_bx_libevtx_hazard(d->scratch, p, n);
}

/* Hand one decoded unit's events over; 1 to stop. */
static int deliver(deliver_ctx *d, slot *s)
{
	reader *r = d->r;
	const rt_native_job *job = r->job;
	nfile *f = &r->files[s->file];
	const char *src = display(f);
	size_t k;

	if (s->warn)
		rt_diag_warn(job->diag, src, "%s in chunk %zu at offset 0x%zx (chunk marked dirty: "
			     "was being written)", s->warn, s->chunk, chunk_off(s->chunk));
	if (s->rc < 0) {
		const char *hazard = NULL;

		f->damaged = 1;
		if (job->fallback)
			hazard = s->out.hazard ? s->out.err
					       : libevtx_hazard(d, f->map + chunk_off(s->chunk),
								chunk_len(f, s->chunk));
		if (hazard) {
			if (++f->hazards <= MAX_CHUNK_REPORTS)
				rt_diag_error(job->diag, src, "%s in chunk %zu at offset 0x%zx, chunk "
					      "skipped (libevtx would read out of bounds on it)", hazard,
					      s->chunk, chunk_off(s->chunk));
			return 0;
		}
		if (++f->rejected <= MAX_CHUNK_REPORTS)
			rt_diag_error(job->diag, src, "%s in chunk %zu at offset 0x%zx, %s",
				      s->out.err, s->chunk, chunk_off(s->chunk),
				      job->fallback ? "read with libevtx" : "chunk skipped");
		return job->fallback ? fallback(d, f, s) : 0;
	}
	if (job->sink) {
		if (s->fmt_failed) {
			d->failed = 1;
			return 1;
		}
		return s->text.len &&
		       job->sink->write(job->sink->ctx, s->text.buf, s->text.len, s->out.nev);
	}
	for (k = 0; k < s->out.nev; k++) {
		rt_event ev;

		if (get_event(&s->out, k, f, &ev, &d->fields, &d->fieldcap)) {
			d->failed = 1;
			return 1;
		}
		if (job->cb(job->ctx, &ev))
			return 1;
	}
	return 0;
}

/*
 * Drop the pages behind delivery, 16 chunks (1 MiB) at a time and at a
 * file's last chunk: madvise is a system call of some 100 us here, and
 * once per chunk it was most of the reader's system time (0.55 s of a
 * 256 MiB log). The range reaches back over chunk i-16 again: the kernel
 * maps a fault's whole 64 KiB-aligned neighbourhood (fault-around),
 * which reaches back into the chunk before, as chunks start 4 KiB past a
 * 64 KiB boundary. Without that every chunk left a page behind (16 MiB
 * per 256 MiB of log).
 */
#define DROP_EVERY 16

static void drop_behind(const nfile *f, size_t i)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE), start, end;

	if ((i + 1) % DROP_EVERY && i + 1 != f->nchunks)
		return;
	start = i >= DROP_EVERY ? chunk_off(i - DROP_EVERY) : 0;
	end = chunk_off(i) + chunk_len(f, i);
	start &= ~(pg - 1);
	madvise((void *)(f->map + start), end - start, MADV_DONTNEED);
}

/* Deliver every unit in order; the calling thread decodes when it waits. */
static void run(reader *r, deliver_ctx *d)
{
	size_t g, df = 0;
	int stopped = 0;

	for (g = 0; !stopped; g++) {
		slot *s = &r->slots[g % r->nslots];
		size_t fi, ci;
		nfile *f;
		int ready;

		pthread_mutex_lock(&r->lock);
		while (!(ready = s->state == 2 && s->g == g) && !(r->exhausted && r->next <= g))
			if (!take_one(r) && !(r->exhausted && r->next <= g))
				pthread_cond_wait(&r->done, &r->lock);
		pthread_mutex_unlock(&r->lock);
		if (!ready)
			break; /* no unit g: everything was delivered */
		/* the slot is reused as soon as it is freed: keep what it held */
		fi = s->file;
		ci = s->chunk;
		while (df < fi)
			finish_file(r, &r->files[df++]);
		f = &r->files[fi];
		start_file(r, f);
		stopped = deliver(d, s);
		drop_behind(f, ci);
		pthread_mutex_lock(&r->lock);
		s->state = 0;
		r->delivered = g + 1;
		if (stopped)
			r->stop = 1;
		pthread_cond_broadcast(&r->work);
		pthread_mutex_unlock(&r->lock);
		if (ci + 1 == f->nchunks) {
			finish_file(r, f);
			df = fi + 1;
		} else if (r->job->progress && ci % 16 == 15) {
			uint64_t at = chunk_off(ci + 1);

			r->job->progress(r->job->progress_ctx,
					 r->nread + (at < f->in->size ? at : f->in->size), r->ntotal);
		}
	}
	if (!stopped)
		while (df < r->job->nfiles)
			finish_file(r, &r->files[df++]);
	if (d->failed)
		rt_diag_error(r->job->diag, df < r->job->nfiles ? display(&r->files[df]) : "remtrail",
			      "out of memory");
}

int rt_native_read_files(const rt_native_job *job)
{
	pthread_t th[MAX_THREADS];
	deliver_ctx d;
	reader r;
	int nthreads, started = 0, ret = 0, i;
	size_t k;

	memset(&r, 0, sizeof r);
	memset(&d, 0, sizeof d);
	r.job = job;
	d.r = &r;
	for (k = 0; k < job->nfiles; k++)
		r.ntotal += job->files[k].size;
	rt_buf_init(&d.text, 0);
	nthreads = job->threads < 1 ? 1 : job->threads > MAX_THREADS ? MAX_THREADS : job->threads;
	r.nslots = nthreads == 1 ? 1 : (size_t)nthreads * 2;
	r.files = calloc(job->nfiles ? job->nfiles : 1, sizeof *r.files);
	r.slots = calloc(r.nslots, sizeof *r.slots);
	if (!r.files || !r.slots) {
		free(r.files);
		free(r.slots);
		rt_diag_error(job->diag, job->nfiles ? job->files[0].path : "remtrail",
			      "out of memory");
		return job->nfiles == 1 ? -1 : 1;
	}
	for (k = 0; k < job->nfiles; k++) {
		r.files[k].in = &job->files[k];
		r.files[k].o.host = job->files[k].host;
		r.files[k].o.display = job->files[k].display;
	}
	for (k = 0; k < r.nslots; k++) {
		rt_bx_chunk_init(&r.slots[k].out);
		rt_buf_init(&r.slots[k].text, 0);
	}
	pthread_mutex_init(&r.lock, NULL);
	pthread_cond_init(&r.work, NULL);
	pthread_cond_init(&r.done, NULL);
	for (i = 0; i < nthreads - 1; i++)
		if (pthread_create(&th[started], NULL, worker, &r) == 0)
			started++;
	run(&r, &d);
	pthread_mutex_lock(&r.lock);
	r.stop = 1;
	pthread_cond_broadcast(&r.work);
	pthread_mutex_unlock(&r.lock);
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	for (k = 0; k < job->nfiles; k++) {
		if (r.files[k].state < 0 || r.files[k].damaged)
			ret = 1;
		unmap_file(&r.files[k]);
	}
	if (job->nfiles == 1 && r.files[0].state < 0)
		ret = -1;
	if (d.failed)
		ret = 1;
	for (k = 0; k < r.nslots; k++) {
		rt_bx_chunk_release(&r.slots[k].out);
		rt_buf_release(&r.slots[k].text);
		free(r.slots[k].fields);
	}
	free(r.slots);
	free(r.files);
	free(d.fields);
	rt_buf_release(&d.text);
	if (d.scratch) {
		rt_bx_chunk_release(d.scratch);
		free(d.scratch);
	}
	pthread_mutex_destroy(&r.lock);
	pthread_cond_destroy(&r.work);
	pthread_cond_destroy(&r.done);
	return ret;
}

int rt_native_libevtx_hazard(const char *path, char *why, size_t whylen)
{
	rt_bx_chunk *c;
	struct stat st;
	const uint8_t *map;
	size_t off;
	int fd, ret = 0;
	void *m;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) || st.st_size < (off_t)HDR_SIZE) {
		close(fd);
		return 0;
	}
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return 0;
	map = m;
	madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
	c = malloc(sizeof(*c));
	if (c) {
		rt_bx_chunk_init(c);
		for (off = HDR_SIZE; off < (size_t)st.st_size && !ret; off += RT_BX_CHUNK_SIZE) {
			size_t n = (size_t)st.st_size - off;
			const char *h;

			n = n < RT_BX_CHUNK_SIZE ? n : RT_BX_CHUNK_SIZE;
			h = rt_bx_libevtx_hazard(c, map + off, n);
			if (h) {
				snprintf(why, whylen, "%s in chunk %zu at offset 0x%zx", h,
					 (off - HDR_SIZE) / RT_BX_CHUNK_SIZE, off);
				ret = 1;
			}
		}
		rt_bx_chunk_release(c);
		free(c);
	}
	munmap(m, (size_t)st.st_size);
	return ret;
}

int rt_evtx_probe_native(const char *path, int max_records, char **computer)
{
	rt_bx_chunk *c;
	const uint8_t *map;
	struct stat st;
	size_t off;
	int fd, seen = 0, ret = 0;
	void *m;

	*computer = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) || st.st_size < (off_t)HDR_SIZE) {
		close(fd);
		return -1;
	}
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return -1;
	map = m;
	c = malloc(sizeof(*c));
	if (memcmp(map, "ElfFile", 8) || !c) {
		free(c);
		munmap(m, (size_t)st.st_size);
		return -1;
	}
	rt_bx_chunk_init(c);
	for (off = HDR_SIZE; off + RT_BX_CHUNK_SIZE <= (size_t)st.st_size && seen < max_records &&
			     !*computer;
	     off += RT_BX_CHUNK_SIZE) {
		size_t k;

		if (chunk_empty(map + off, RT_BX_CHUNK_SIZE))
			continue;
		if (rt_bx_decode_chunk(c, map + off, RT_BX_CHUNK_SIZE, 0))
			break;
		for (k = 0; k < c->nev && seen < max_records; k++, seen++) {
			uint32_t s = c->ev[k].computer;

			if (s != RT_BX_NONE && c->arena.buf[s]) {
				*computer = strdup(c->arena.buf + s);
				ret = *computer ? 1 : 0;
				break;
			}
		}
	}
	rt_bx_chunk_release(c);
	free(c);
	munmap(m, (size_t)st.st_size);
	return ret;
}
