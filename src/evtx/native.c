/*
 * The native reader: chunk reads through byte sources, chunk dispatch over
 * threads, ordered delivery.
 *
 * Why this shape: chunks are independent (each has its own string and
 * template tables), so they decode in parallel without sharing anything.
 * The unit of work is (file, chunk), numbered across all the files of a
 * job: a worker that finds the current file's chunks all taken opens the
 * next file, so many small logs (a triage collection) keep the threads as
 * busy as one big log. Workers take unit g only once unit g - nslots is
 * delivered and hashed, so at most nslots chunks (64 KiB each, read into their slot, or
 * into the reading thread's own buffer when it decodes the chunk at once) and
 * their decoded events exist at once and memory stays bounded whatever the
 * input size, be it a 4 GiB log in a folder or inside an E01; the caller's
 * thread hands events over strictly in unit order, so output is the same
 * for any thread count. A chunk is read by the thread that takes it, while
 * it still holds the lock that hands units out: reads happen in file order,
 * so a source hashes the file as it goes (source.h), and decoding, the
 * costly part, runs outside the lock. A file or bytes in memory
 * (rt_source_random_access) is read outside the lock too, on every thread
 * at once (copying 64 KiB out of the page cache under the lock was a sixth
 * of a one-thread run, serial), and fed to the file's hash in unit order
 * by a worker (hash_turn). Delivery does not wait for the hash: the two
 * are separate streams in unit order, and a slot is taken again once its
 * unit is through both (room()).
 *
 * Who does what, when the file's SHA-256 is wanted (`analyze`): the
 * workers hash, read ahead to hash, and decode what is read only when
 * there is nothing else, farthest from delivery first; the delivering
 * thread decodes the unit it is about to deliver and runs detection on
 * it, so the events stay in the cache of the core that uses them. (When
 * whichever thread was free did whatever was there, the delivering thread
 * hashed a quarter of the 256 MiB bench log and a worker decoded half its
 * chunks, into memory the other core had just read; docs/native-evtx.md
 * has the times.) A worker that decodes keeps its scratch
 * and copies only the events into the slot (swapping buffers with the
 * slot made its chunks take 1.45 times as long). Without hashing
 * (`events`, `timeline`), every thread decodes as it comes.
 *
 * With a sink, the workers also render the events (JSON lines for
 * `remtrail events`) into the slot, and the caller's thread only writes
 * the slot's bytes: formatting is most of the work of a bulk export, and
 * left on one thread it would cap the gain of a second one.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

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
	uint8_t *hdr;         /* the file header (HDR_SIZE bytes) while it is read */
	uint64_t size;
	size_t nchunks;       /* chunks to read, the last may be short */
	size_t hdr_chunks;    /* chunks the file header counts */
	uint32_t fflags;      /* file header flags */
	int state;            /* 0 not opened, 1 mapped, -1 unreadable */
	int parallel;         /* chunks are read outside the lock, hashed after */
	int hashing;          /* parallel, and its SHA-256 is wanted */
	int started;          /* its header messages were reported (delivery only) */
	int finished;         /* delivered and closed (delivery only) */
	int damaged;
	size_t rejected;      /* chunks the decoder rejected; the first few are named */
	size_t hazards;       /* of which skipped, as libevtx would misread them */
	unsigned long bad;    /* records the libevtx fallback could not read */
	char *msg[FILE_MSGS];
} nfile;

/* A slot's unit: being read (and decoded, by a thread that does both),
 * read (its bytes there, hashed in turn, waiting to be decoded), being
 * decoded, decoded. */
enum { S_READING = 1, S_READ, S_DECODING, S_DECODED };

typedef struct slot {
	uint8_t *buf;         /* the chunk's bytes (RT_BX_CHUNK_SIZE) */
	size_t len;           /* bytes of it in the file */
	int ioerr;            /* errno of a failed read, else 0 */
	rt_bx_chunk out;
	const rt_bx_chunk *events; /* its decoded events: out, or the delivering
			       * thread's scratch when that thread decoded the
			       * unit as the next to deliver (decode()) */
	rt_buf text;          /* the events rendered by the sink */
	uint64_t *pre;        /* job->pre of the first npre decoded events */
	size_t npre, apre;
	size_t g, file, chunk; /* the unit this slot holds */
	int state;            /* S_READING ... S_DECODED below; its unit is done
			       * once hashed and delivered (reader.hashed,
			       * reader.delivered) */
	int rc;               /* 0 decoded, 1 nothing to read, -1 rejected */
	int fmt_failed;
	const char *warn;     /* decoded, but worth a warning */
} slot;

/*
 * A decoding thread's own memory. With a sink, chunks are decoded here and
 * only the rendered text goes into the slot: one thread's decoding state
 * stays in its cache instead of a slot's, which the next chunk's thread
 * would fetch from the other core (a fifth more instructions' time at -j2).
 */
typedef struct thread_mem {
	int delivers;         /* the delivering thread's: no job->pre (it would
			       * only do now what delivery does anyway) */
	rt_bx_chunk c;
	uint8_t *buf;         /* the chunk's bytes, when nothing but this
			       * thread's decoding needs them (take_one()) */
	rt_field *fields;     /* scratch for rendering */
	size_t fieldcap;
} thread_mem;

typedef struct reader {
	const rt_native_job *job;
	nfile *files;
	size_t cf, cc;        /* cursor: next (file, chunk) to hand out */
	size_t next;          /* number of the next unit to hand out */
	int exhausted;        /* every file opened and every chunk handed out */
	slot *slots;
	size_t nslots;
	size_t delivered;     /* units delivered so far */
	size_t hashed;        /* units hashed so far (they are hashed in order) */
	/* Delivering and hashing are two streams in unit order, apart: a slot
	 * is taken again once its unit is through both (room()). */
	int hashing;          /* a thread is hashing */
	int workers;          /* worker threads at work: while there are, they
			       * hash, and the delivering thread does not */
	uint64_t nread, ntotal; /* progress: bytes of the finished files, of all */
	int stop;
	/* job->pre is called: with more than one thread (with one, there is no
	 * other thread to move the work to, and the consumer does it cheaper) */
	int pre;
	pthread_mutex_t lock;
	pthread_cond_t work, done;
} reader;

/* Units through both streams: delivered and hashed. */
static size_t units_done(const reader *r)
{
	return r->delivered < r->hashed ? r->delivered : r->hashed;
}

/* Whether a unit may be handed out: its slot's last unit is delivered
 * and hashed. */
static int room(const reader *r)
{
	return r->next < units_done(r) + r->nslots;
}

/* Wake the workers waiting for room once half the slots are free: once per
 * nslots / 2 units, not once per unit. */
static void wake_workers(reader *r)
{
	if (r->stop || r->next + r->nslots / 2 <= units_done(r) + r->nslots)
		pthread_cond_broadcast(&r->work);
}

static const char *display(const nfile *f)
{
	return f->in->display ? f->in->display : f->in->src ? rt_source_name(f->in->src) : "?";
}

static uint64_t chunk_off(size_t i)
{
	return HDR_SIZE + (uint64_t)i * RT_BX_CHUNK_SIZE;
}

static size_t chunk_len(const nfile *f, size_t i)
{
	uint64_t left = f->size - chunk_off(i);

	return left < RT_BX_CHUNK_SIZE ? (size_t)left : RT_BX_CHUNK_SIZE;
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
 * Read the file's header. Runs under the reader's lock, on whichever
 * thread moves the cursor onto the file; what is wrong is kept for
 * delivery (the messages must come in file order).
 */
static void open_file(nfile *f)
{
	f->state = -1;
	if (!f->in->src) {
		if (!f->in->gone_named)
			file_msg(f, "cannot open: the artifact has no byte source");
		return;
	}
	f->size = rt_source_size(f->in->src);
	if (f->size < HDR_SIZE) {
		file_msg(f, "not an EVTX file: too short");
		return;
	}
	if (!(f->hdr = malloc(HDR_SIZE))) {
		file_msg(f, "out of memory");
		return;
	}
	if (rt_source_read_exact(f->in->src, f->hdr, HDR_SIZE, 0)) {
		file_msg(f, "cannot read the file header: %s", strerror(errno));
		return;
	}
	if (memcmp(f->hdr, "ElfFile", 8)) {
		file_msg(f, "not an EVTX file: bad file signature");
		return;
	}
	f->state = 1;
	f->parallel = rt_source_random_access(f->in->src);
	f->hashing = f->parallel && rt_source_hashing(f->in->src);
	f->fflags = rt_le32(f->hdr + 120);
	f->hdr_chunks = rt_le16(f->hdr + 42);
	if (!(f->fflags & FLAG_NO_CRC) && rt_crc32(0, f->hdr, 120) != rt_le32(f->hdr + 124)) {
		file_msg(f, "bad file header checksum");
		f->damaged = 1;
	}
	f->nchunks = (size_t)((f->size - HDR_SIZE + RT_BX_CHUNK_SIZE - 1) / RT_BX_CHUNK_SIZE);
	if ((f->size - HDR_SIZE) / RT_BX_CHUNK_SIZE < f->hdr_chunks) {
		file_msg(f, "file is truncated: header announces %zu chunks, %zu present",
			 f->hdr_chunks, (size_t)((f->size - HDR_SIZE) / RT_BX_CHUNK_SIZE));
		f->damaged = 1;
	}
}

static void close_file(nfile *f)
{
	int i;

	free(f->hdr);
	f->hdr = NULL;
	for (i = 0; i < FILE_MSGS; i++) {
		free(f->msg[i]);
		f->msg[i] = NULL;
	}
}

/* Event k of a decoded chunk, its fields in *fields (grown: room for *cap
 * fields, then their 2 x *cap lengths); -1 on OOM. */
static int get_event(const rt_bx_chunk *c, size_t k, const nfile *f, rt_event *ev,
		     rt_field **fields, size_t *cap)
{
	size_t nf = c->ev[k].nfields;

	if (nf > *cap) {
		rt_field *fl = realloc(*fields, nf * 2 * (sizeof(*fl) + 2 * sizeof(uint32_t)));

		if (!fl)
			return -1;
		*fields = fl;
		*cap = nf * 2;
	}
	rt_bx_event_get(c, k, ev, *fields, (uint32_t *)(void *)(*fields + *cap));
	ev->source_file = display(f);
	ev->host = f->in->host ? f->in->host : ev->computer;
	return 0;
}

/* Render the events decoded in `m` into the slot with the sink (on the
 * decoding thread). */
static void render(reader *r, slot *s, const nfile *f, thread_mem *m)
{
	const rt_evtx_sink *sink = r->job->sink;
	size_t k;

	for (k = 0; k < m->c.nev; k++) {
		rt_event ev;

		if (get_event(&m->c, k, f, &ev, &m->fields, &m->fieldcap)) {
			s->fmt_failed = 1;
			return;
		}
		if (sink->format(sink->ctx, &ev, &s->text)) {
			s->fmt_failed = 1;
			return;
		}
	}
}

/* job->pre of every event decoded in the slot, on a decoding thread that
 * does not deliver (in `analyze`, detection's event-only part moves off
 * the delivering thread). Without memory, none: delivery then leaves pre
 * 0, "not computed". */
static void precompute(reader *r, slot *s, thread_mem *m)
{
	const nfile *f = &r->files[s->file];
	size_t k;

	if (s->out.nev > s->apre) {
		free(s->pre);
		s->apre = 0;
		if (!(s->pre = malloc(s->out.nev * 2 * sizeof *s->pre)))
			return;
		s->apre = s->out.nev * 2;
	}
	for (k = 0; k < s->out.nev; k++) {
		rt_event ev;

		if (get_event(&s->out, k, f, &ev, &m->fields, &m->fieldcap))
			return;
		s->pre[k] = r->job->pre(r->job->pre_ctx, &ev);
	}
	s->npre = s->out.nev;
}

/*
 * Decode the slot's chunk. Past the header's chunk count of a clean file
 * lie leftovers (libevtx's "recovered" area): skipped, as the libevtx
 * reader does. A chunk marked dirty was being written: stale checksums are
 * then a warning and its records are still decoded.
 */
static void decode(reader *r, slot *s, thread_mem *m, const uint8_t *p, int next)
{
	const nfile *f = &r->files[s->file];
	size_t n = s->len;
	int in_count = s->chunk < f->hdr_chunks;

	s->events = &s->out;
	s->warn = NULL;
	s->fmt_failed = 0;
	s->out.nev = 0;
	s->npre = 0;
	rt_buf_reset(&s->text);
	if (!in_count && !(f->fflags & FLAG_DIRTY)) {
		s->rc = 1;
		return;
	}
	if (s->ioerr) {
		s->rc = -1;
		snprintf(s->out.err, sizeof(s->out.err), "cannot read: %s", strerror(s->ioerr));
		return;
	}
	if (n == RT_BX_CHUNK_SIZE && !memcmp(p, "ElfChnk", 8)) {
		uint32_t cflags = rt_le32(p + 120);
		unsigned fl = (f->fflags | cflags) & FLAG_NO_CRC ? RT_BX_NO_CRC : 0;

		if ((cflags & FLAG_DIRTY) && !fl) {
			s->warn = rt_bx_check_crc(p, n);
			fl = RT_BX_NO_CRC;
		}
		if (!r->job->sink) {
			/* decoded in the thread's own scratch: only the events
			 * go into the slot, which the other threads touch too */
			s->rc = rt_bx_decode_chunk(&m->c, p, n, fl);
			if (next) {
				/* delivered before this thread decodes again: the
				 * events stay where they are, in memory it reuses
				 * (taken into the slot, they went round all the
				 * slots' buffers, a first touch of each page) */
				s->events = &m->c;
				s->out.nev = m->c.nev;
				s->out.hazard = m->c.hazard;
				memcpy(s->out.err, m->c.err, sizeof(s->out.err));
			} else if (m->delivers) {
				rt_bx_chunk_take(&s->out, &m->c);
			} else if (rt_bx_chunk_copy(&s->out, &m->c)) {
				s->rc = -1;
				snprintf(s->out.err, sizeof(s->out.err), "out of memory");
			}
			if (s->rc == 0 && r->pre && !m->delivers)
				precompute(r, s, m);
			return;
		}
		/* the slot keeps what delivery looks at: the count, the error */
		s->rc = rt_bx_decode_chunk(&m->c, p, n, fl | (r->job->sink->lean ? RT_BX_LEAN : 0));
		if (s->rc == 0)
			render(r, s, f, m);
		s->out.nev = m->c.nev;
		s->out.hazard = m->c.hazard;
		memcpy(s->out.err, m->c.err, sizeof(s->out.err));
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

/* Read the slot's chunk into p with `rd` (hashing or not: see the top of
 * the file). */
static void read_slot(reader *r, slot *s, uint8_t *p,
		      int (*rd)(rt_source *, void *, size_t, uint64_t))
{
	s->ioerr = rd(r->files[s->file].in->src, p, s->len, chunk_off(s->chunk)) ? (errno ? errno : EIO)
										 : 0;
}

/*
 * Feed the read chunks to their files' hashes in unit order, on whichever
 * thread comes by while no other does, and count them (r->hashed: a slot
 * is free again once its unit is delivered and counted). A chunk read
 * under the lock was hashed as it was read, and one of a file whose hash
 * is not wanted is only counted. Without `bytes` (the delivering thread
 * while there are workers) no bytes are fed: the turn stops before the
 * first chunk that needs them and wakes the workers to hash it. 1 if some
 * chunk was counted. Called with the lock held; returns with it held.
 */
static int hash_turn(reader *r, int bytes)
{
	int did = 0;

	if (r->hashing)
		return 0;
	r->hashing = 1;
	for (;;) {
		slot *s = &r->slots[r->hashed % r->nslots];
		const nfile *f = &r->files[s->file];

		if (r->hashed >= r->next || s->g != r->hashed || s->state < S_READ)
			break;
		if (f->hashing && !s->ioerr) {
			if (!bytes) {
				pthread_cond_broadcast(&r->work);
				break;
			}
			pthread_mutex_unlock(&r->lock);
			rt_source_hash_feed(f->in->src, s->buf, s->len, chunk_off(s->chunk));
			pthread_mutex_lock(&r->lock);
		}
		r->hashed++;
		did = 1;
		pthread_cond_broadcast(&r->done);
		wake_workers(r);
	}
	r->hashing = 0;
	return did;
}

/* Decode the read unit in slot s (the lock held; returns with it held). */
static void decode_read(reader *r, slot *s, thread_mem *m)
{
	int next = m->delivers && s->g == r->delivered;

	s->state = S_DECODING;
	pthread_mutex_unlock(&r->lock);
	decode(r, s, m, s->buf, next);
	pthread_mutex_lock(&r->lock);
	s->state = S_DECODED;
	pthread_cond_broadcast(&r->done);
}

/*
 * Hand the next unit to the calling thread, read it and decode it; 1 if
 * one was taken. With `hash_first`, a chunk of a file whose SHA-256 is
 * wanted is only read (S_READ): the thread then hashes it, in turn, and
 * leaves the decoding to the delivering thread, which decodes next to
 * where it detects, so the events stay in one core's cache (see the top
 * of the file). Opens files as the cursor reaches them. Called with the
 * lock held; returns with it held.
 */
static int take_one(reader *r, thread_mem *m, int hash_first)
{
	uint8_t *p;
	slot *s;
	int next;

	if (r->stop || r->exhausted || !room(r))
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
	s->state = S_READING;
	s->len = chunk_len(&r->files[s->file], s->chunk);
	hash_first = hash_first && r->files[s->file].hashing;
	/* the delivering thread decodes the unit it delivers next */
	next = m->delivers && s->g == r->delivered;
	/* a chunk only this thread's decoding reads goes into the thread's
	 * own buffer, which stays in its core's cache; one hashed later, into
	 * the slot (a rejected one is copied there for delivery, where the
	 * libevtx fallback reads it) */
	p = r->files[s->file].hashing || !m->buf ? s->buf : m->buf;
	if (r->files[s->file].parallel) {
		pthread_mutex_unlock(&r->lock);
		read_slot(r, s, p, rt_source_read_exact_unhashed);
	} else {
		read_slot(r, s, p, rt_source_read_exact);
		pthread_mutex_unlock(&r->lock);
	}
	if (!hash_first) {
		decode(r, s, m, p, next);
		if (s->rc < 0 && !s->ioerr && p != s->buf)
			memcpy(s->buf, p, s->len);
	}
	pthread_mutex_lock(&r->lock);
	s->state = hash_first ? S_READ : S_DECODED;
	if (!hash_turn(r, !(m->delivers && r->workers)))
		pthread_cond_broadcast(&r->done);
	return 1;
}

/* Decode the read unit farthest from delivery, if any (the delivering
 * thread decodes the nearest ones); 1 if one was. */
static int decode_ahead(reader *r, thread_mem *m)
{
	size_t u;

	for (u = r->next; u-- > r->delivered;) {
		slot *s = &r->slots[u % r->nslots];

		if (s->g == u && s->state == S_READ) {
			decode_read(r, s, m);
			return 1;
		}
	}
	return 0;
}

static thread_mem *thread_mem_new(void)
{
	thread_mem *m = calloc(1, sizeof(*m));

	if (m) {
		rt_bx_chunk_init(&m->c);
		m->buf = malloc(RT_BX_CHUNK_SIZE); /* without it, the slots' */
	}
	return m;
}

static void thread_mem_free(thread_mem *m)
{
	if (!m)
		return;
	rt_bx_chunk_release(&m->c);
	free(m->buf);
	free(m->fields);
	free(m);
}

/* A worker without memory of its own leaves the work to the others. */
static void *worker(void *arg)
{
	reader *r = arg;
	thread_mem *m = thread_mem_new();

	if (!m)
		return NULL;
	pthread_mutex_lock(&r->lock);
	r->workers++;
	/* hashing first, then reading ahead (to hash), while there is room;
	 * then decoding what is read */
	while (!r->stop) {
		if (hash_turn(r, 1) || take_one(r, m, 1) || decode_ahead(r, m))
			continue;
		if (r->exhausted && r->hashed >= r->next)
			break;
		pthread_cond_wait(&r->work, &r->lock);
	}
	/* the last one out leaves the hashing to the delivering thread */
	if (!--r->workers)
		pthread_cond_broadcast(&r->done);
	pthread_mutex_unlock(&r->lock);
	thread_mem_free(m);
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
	thread_mem *mem;      /* for the chunks this thread decodes */
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
	close_file(f);
	rt_source_drop_cache(f->in->src); /* no chunk of it is read any more */
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
	int fr;

	if (!job->sink)
		return rt_evtx_read_libevtx_chunk(f->hdr, s->buf, s->len, chunk_off(s->chunk), &f->o,
						  display(f), job->cb, job->ctx, job->diag, &f->bad) > 0;
	rt_buf_reset(&d->text);
	d->ntext = 0;
	fr = rt_evtx_read_libevtx_chunk(f->hdr, s->buf, s->len, chunk_off(s->chunk), &f->o,
					display(f),
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
		rt_diag_warn(job->diag, src, "%s in chunk %zu at offset 0x%llx (chunk marked dirty: "
			     "was being written)", s->warn, s->chunk,
			     (unsigned long long)chunk_off(s->chunk));
	if (s->rc < 0 && s->ioerr) {
		f->damaged = 1;
		rt_diag_error(job->diag, src, "chunk %zu at offset 0x%llx: %s", s->chunk,
			      (unsigned long long)chunk_off(s->chunk), s->out.err);
		return 0;
	}
	if (s->rc < 0) {
		const char *hazard = NULL;

		f->damaged = 1;
		if (job->fallback)
			hazard = s->out.hazard ? s->out.err : libevtx_hazard(d, s->buf, s->len);
		if (hazard) {
			if (++f->hazards <= MAX_CHUNK_REPORTS)
				rt_diag_error(job->diag, src, "%s in chunk %zu at offset 0x%llx, chunk "
					      "skipped (libevtx would read out of bounds on it)", hazard,
					      s->chunk, (unsigned long long)chunk_off(s->chunk));
			return 0;
		}
		if (++f->rejected <= MAX_CHUNK_REPORTS)
			rt_diag_error(job->diag, src, "%s in chunk %zu at offset 0x%llx, %s",
				      s->out.err, s->chunk, (unsigned long long)chunk_off(s->chunk),
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

		if (get_event(s->events, k, f, &ev, &d->fields, &d->fieldcap)) {
			d->failed = 1;
			return 1;
		}
		if (k < s->npre)
			ev.pre = s->pre[k];
		if (job->cb(job->ctx, &ev))
			return 1;
	}
	return 0;
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
		while (!(ready = s->g == g && s->state == S_DECODED) &&
		       !(r->exhausted && r->next <= g)) {
			if (s->g == g && s->state == S_READ) {
				decode_read(r, s, d->mem);
				continue;
			}
			if (take_one(r, d->mem, 0) || hash_turn(r, !r->workers))
				continue;
			if (!(r->exhausted && r->next <= g))
				pthread_cond_wait(&r->done, &r->lock);
		}
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
		pthread_mutex_lock(&r->lock);
		r->delivered = g + 1;
		if (stopped)
			r->stop = 1;
		wake_workers(r);
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
	/* hashing may lag behind delivery: see it through (every unit is
	 * decoded by now, unless delivery stopped) */
	pthread_mutex_lock(&r->lock);
	while (!r->stop && r->hashed < r->next)
		if (!hash_turn(r, 1))
			pthread_cond_wait(&r->done, &r->lock);
	pthread_mutex_unlock(&r->lock);
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
	/* four chunks a thread: with two, the threads waited for each other
	 * once a chunk (6500 context switches on a 256 MiB log, 30 with four).
	 * Eight without a sink: workers read ahead to hash, and decode far
	 * ahead when they have nothing else (analyze -j2 2-3 % faster on the
	 * bench logs; events, with a sink, 4 % slower with eight) */
	r.nslots = nthreads == 1 ? 1 : (size_t)nthreads * (job->sink ? 4 : 8);
	r.pre = job->pre && nthreads > 1;
	r.files = calloc(job->nfiles ? job->nfiles : 1, sizeof *r.files);
	r.slots = calloc(r.nslots, sizeof *r.slots);
	if (!r.files || !r.slots) {
		free(r.files);
		free(r.slots);
		rt_diag_error(job->diag, "remtrail", "out of memory");
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
		if (!(r.slots[k].buf = malloc(RT_BX_CHUNK_SIZE)))
			d.failed = 1;
	}
	if (!(d.mem = thread_mem_new()))
		d.failed = 1;
	else
		d.mem->delivers = 1;
	pthread_mutex_init(&r.lock, NULL);
	pthread_cond_init(&r.work, NULL);
	pthread_cond_init(&r.done, NULL);
	for (i = 0; i < nthreads - 1 && !d.failed; i++)
		if (rt_thread_start(&th[started], worker, &r, (unsigned)started) == 0)
			started++;
	if (d.failed)
		rt_diag_error(job->diag, "remtrail", "out of memory");
	else
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
		close_file(&r.files[k]);
	}
	if (job->nfiles == 1 && r.files[0].state < 0)
		ret = -1;
	if (d.failed)
		ret = 1;
	for (k = 0; k < r.nslots; k++) {
		rt_bx_chunk_release(&r.slots[k].out);
		rt_buf_release(&r.slots[k].text);
		free(r.slots[k].pre);
		free(r.slots[k].buf);
	}
	free(r.slots);
	free(r.files);
	free(d.fields);
	rt_buf_release(&d.text);
	thread_mem_free(d.mem);
	if (d.scratch) {
		rt_bx_chunk_release(d.scratch);
		free(d.scratch);
	}
	pthread_mutex_destroy(&r.lock);
	pthread_cond_destroy(&r.work);
	pthread_cond_destroy(&r.done);
	return ret;
}

int rt_native_libevtx_hazard(rt_source *src, char *why, size_t whylen)
{
	uint64_t size = rt_source_size(src), off;
	uint8_t *buf = malloc(RT_BX_CHUNK_SIZE);
	rt_bx_chunk *c = malloc(sizeof(*c));
	int ret = 0;

	if (!buf || !c || size < HDR_SIZE) {
		free(buf);
		free(c);
		return 0;
	}
	rt_bx_chunk_init(c);
	for (off = HDR_SIZE; off < size && !ret; off += RT_BX_CHUNK_SIZE) {
		size_t n = size - off < RT_BX_CHUNK_SIZE ? (size_t)(size - off) : RT_BX_CHUNK_SIZE;
		const char *h;

		if (rt_source_read_exact(src, buf, n, off))
			break; /* libevtx will say it cannot read */
		h = rt_bx_libevtx_hazard(c, buf, n);
		if (h) {
			snprintf(why, whylen, "%s in chunk %llu at offset 0x%llx", h,
				 (unsigned long long)((off - HDR_SIZE) / RT_BX_CHUNK_SIZE),
				 (unsigned long long)off);
			ret = 1;
		}
	}
	rt_bx_chunk_release(c);
	free(c);
	free(buf);
	return ret;
}

int rt_evtx_probe_native_source(rt_source *src, int max_records, char **computer)
{
	uint64_t size = rt_source_size(src), off;
	uint8_t *buf = malloc(RT_BX_CHUNK_SIZE);
	rt_bx_chunk *c = malloc(sizeof(*c));
	int seen = 0, ret = 0;

	*computer = NULL;
	if (!buf || !c || size < HDR_SIZE || rt_source_read_exact(src, buf, 8, 0) ||
	    memcmp(buf, "ElfFile", 8)) {
		free(buf);
		free(c);
		return -1;
	}
	rt_bx_chunk_init(c);
	for (off = HDR_SIZE; off + RT_BX_CHUNK_SIZE <= size && seen < max_records && !*computer;
	     off += RT_BX_CHUNK_SIZE) {
		size_t k;

		if (rt_source_read_exact(src, buf, RT_BX_CHUNK_SIZE, off))
			break;
		if (chunk_empty(buf, RT_BX_CHUNK_SIZE))
			continue;
		if (rt_bx_decode_chunk(c, buf, RT_BX_CHUNK_SIZE, 0))
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
	free(buf);
	rt_source_drop_cache(src);
	return ret;
}

int rt_evtx_probe_native(const char *path, int max_records, char **computer)
{
	rt_source *src = NULL;
	int r;

	*computer = NULL;
	if (rt_source_open_path(path, &src))
		return -1;
	r = rt_evtx_probe_native_source(src, max_records, computer);
	rt_source_unref(&src);
	return r;
}
