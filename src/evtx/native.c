/*
 * The native reader: mmap, chunk dispatch over threads, ordered delivery.
 *
 * Why this shape: chunks are independent (each has its own string and
 * template tables), so they decode in parallel without sharing anything.
 * Workers take chunk i only while i < delivered + nslots, so at most
 * nslots decoded chunks exist at once and memory stays bounded whatever
 * the file size; the caller's thread hands events to the callback strictly
 * in chunk order, so output is the same for any thread count. Pages behind
 * the delivery point are dropped (MADV_DONTNEED): the mapping never makes
 * the resident set grow with the log.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "binxml.h"
#include "native.h"

#define HDR_SIZE 4096u
#define MAX_THREADS 64
#define FLAG_DIRTY 0x1u
#define FLAG_NO_CRC 0x4u

typedef struct slot {
	rt_bx_chunk out;
	size_t index;  /* chunk index this slot holds */
	int state;     /* 0 free, 1 being decoded, 2 decoded */
	int rc;        /* 0 decoded, 1 nothing to read, -1 rejected */
	const char *warn; /* decoded, but worth a warning */
} slot;

typedef struct reader {
	const uint8_t *map;
	size_t size;
	size_t nchunks;   /* chunks to read, the last may be short */
	size_t hdr_chunks; /* chunks the file header counts */
	uint32_t fflags;  /* file header flags */
	slot *slots;
	size_t nslots;
	size_t next;      /* next chunk to hand to a worker */
	size_t delivered; /* chunks delivered so far */
	int stop;
	pthread_mutex_t lock;
	pthread_cond_t work, done;
} reader;

static size_t chunk_len(const reader *r, size_t i)
{
	size_t off = HDR_SIZE + i * (size_t)RT_BX_CHUNK_SIZE;
	size_t left = r->size - off;

	return left < RT_BX_CHUNK_SIZE ? left : RT_BX_CHUNK_SIZE;
}

static const uint8_t *chunk_at(const reader *r, size_t i)
{
	return r->map + HDR_SIZE + i * (size_t)RT_BX_CHUNK_SIZE;
}

static int chunk_empty(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/*
 * Decode chunk i into s. Past the header's chunk count of a clean file lie
 * leftovers (libevtx's "recovered" area): skipped, as the libevtx reader
 * does. A chunk marked dirty was being written: stale checksums are then
 * a warning and its records are still decoded.
 */
static void decode(reader *r, slot *s, size_t i)
{
	const uint8_t *p = chunk_at(r, i);
	size_t n = chunk_len(r, i);
	int in_count = i < r->hdr_chunks;

	s->warn = NULL;
	s->out.nev = 0;
	if (!in_count && !(r->fflags & FLAG_DIRTY)) {
		s->rc = 1;
		return;
	}
	if (n == RT_BX_CHUNK_SIZE && !memcmp(p, "ElfChnk", 8)) {
		uint32_t cflags = rt_le32(p + 120);
		unsigned fl = (r->fflags | cflags) & FLAG_NO_CRC ? RT_BX_NO_CRC : 0;

		if ((cflags & FLAG_DIRTY) && !fl) {
			s->warn = rt_bx_check_crc(p, n);
			fl = RT_BX_NO_CRC;
		}
		s->rc = rt_bx_decode_chunk(&s->out, p, n, fl);
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

/* Take the next chunk if its slot is free; returns 1 if one was decoded.
 * Called with the lock held; returns with it held. */
static int take_one(reader *r)
{
	size_t i;
	slot *s;

	if (r->stop || r->next >= r->nchunks || r->next >= r->delivered + r->nslots)
		return 0;
	i = r->next++;
	s = &r->slots[i % r->nslots];
	s->index = i;
	s->state = 1;
	pthread_mutex_unlock(&r->lock);
	decode(r, s, i);
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
		while (!r->stop && r->next < r->nchunks && r->next >= r->delivered + r->nslots)
			pthread_cond_wait(&r->work, &r->lock);
		if (r->stop || r->next >= r->nchunks)
			break;
		take_one(r);
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

typedef struct deliver_ctx {
	const rt_evtx_opts *opts;
	const char *path;
	rt_event_cb cb;
	void *ctx;
	rt_diag *diag;
	rt_native_fallback fallback;
	void *fctx;
	rt_field *fields;
	size_t fieldcap;
	int damaged;
	size_t rejected; /* chunks the decoder rejected; the first few are named */
} deliver_ctx;

/* Rejected chunks named one by one per file; the rest are counted. */
#define MAX_CHUNK_REPORTS 5

/* Hand one decoded chunk's events to the callback; 1 if it asked to stop. */
static int deliver(reader *r, deliver_ctx *d, slot *s)
{
	const char *src = d->opts->display ? d->opts->display : d->path;
	size_t k;

	if (s->warn)
		rt_diag_warn(d->diag, src, "%s in chunk %zu at offset 0x%zx (chunk marked dirty: "
			     "was being written)", s->warn, s->index,
			     HDR_SIZE + s->index * (size_t)RT_BX_CHUNK_SIZE);
	if (s->rc < 0) {
		size_t off = HDR_SIZE + s->index * (size_t)RT_BX_CHUNK_SIZE;

		d->damaged = 1;
		if (d->fallback) {
			int fr;

			if (++d->rejected <= MAX_CHUNK_REPORTS)
				rt_diag_error(d->diag, src,
					      "%s in chunk %zu at offset 0x%zx, read with libevtx",
					      s->out.err, s->index, off);
			fr = d->fallback(d->fctx, r->map, chunk_at(r, s->index), chunk_len(r, s->index),
					 d->opts, d->path, d->cb, d->ctx, d->diag);
			return fr > 0;
		}
		if (++d->rejected <= MAX_CHUNK_REPORTS)
			rt_diag_error(d->diag, src, "%s in chunk %zu at offset 0x%zx, chunk skipped",
				      s->out.err, s->index, off);
		return 0;
	}
	for (k = 0; k < s->out.nev; k++) {
		rt_event ev;
		size_t nf = s->out.ev[k].nfields;

		if (nf > d->fieldcap) {
			size_t nc = nf * 2;
			rt_field *f = realloc(d->fields, nc * sizeof(*f));

			if (!f) {
				rt_diag_error(d->diag, src, "out of memory");
				d->damaged = 1;
				return 1;
			}
			d->fields = f;
			d->fieldcap = nc;
		}
		rt_bx_event_get(&s->out, k, &ev, d->fields);
		ev.source_file = src;
		ev.host = d->opts->host ? d->opts->host : ev.computer;
		if (d->cb(d->ctx, &ev))
			return 1;
	}
	return 0;
}

static void drop_behind(reader *r, size_t i)
{
	size_t off = HDR_SIZE + i * (size_t)RT_BX_CHUNK_SIZE;
	long pg = sysconf(_SC_PAGESIZE);
	size_t start = off & ~((size_t)pg - 1);

	madvise((void *)(r->map + start), off + chunk_len(r, i) - start, MADV_DONTNEED);
}

static int run_threads(reader *r, deliver_ctx *d, int nthreads)
{
	pthread_t th[MAX_THREADS];
	int started = 0, stopped = 0, i;
	size_t k;

	/* the calling thread is one of the decoders: it decodes whenever the
	 * next chunk to deliver is not ready yet */
	for (i = 0; i < nthreads - 1; i++) {
		if (pthread_create(&th[i], NULL, worker, r))
			break;
		started++;
	}
	if (!started)
		return -1;
	for (k = 0; k < r->nchunks && !stopped; k++) {
		slot *s = &r->slots[k % r->nslots];

		pthread_mutex_lock(&r->lock);
		while (!(s->state == 2 && s->index == k))
			if (!take_one(r))
				pthread_cond_wait(&r->done, &r->lock);
		pthread_mutex_unlock(&r->lock);
		stopped = deliver(r, d, s);
		drop_behind(r, k);
		pthread_mutex_lock(&r->lock);
		s->state = 0;
		r->delivered = k + 1;
		if (stopped)
			r->stop = 1;
		pthread_cond_broadcast(&r->work);
		pthread_mutex_unlock(&r->lock);
	}
	pthread_mutex_lock(&r->lock);
	r->stop = 1;
	pthread_cond_broadcast(&r->work);
	pthread_mutex_unlock(&r->lock);
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	return 0;
}

int rt_native_read(const char *path, const rt_evtx_opts *opts, rt_event_cb cb, void *ctx,
		   rt_diag *diag, rt_native_fallback fallback, void *fctx)
{
	const char *src = opts->display ? opts->display : path;
	deliver_ctx d;
	reader r;
	struct stat st;
	int fd, nthreads, ret = -1;
	size_t k;
	void *map;

	memset(&r, 0, sizeof(r));
	memset(&d, 0, sizeof(d));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rt_diag_error(diag, src, "cannot open: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || st.st_size < (off_t)HDR_SIZE) {
		close(fd);
		rt_diag_error(diag, src, "not an EVTX file: too short");
		return -1;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		rt_diag_error(diag, src, "cannot map: %s", strerror(errno));
		return -1;
	}
	r.map = map;
	r.size = (size_t)st.st_size;
	madvise(map, r.size, MADV_SEQUENTIAL);
	if (memcmp(r.map, "ElfFile", 8)) {
		rt_diag_error(diag, src, "not an EVTX file: bad file signature");
		goto out;
	}
	d.opts = opts;
	d.path = path;
	d.cb = cb;
	d.ctx = ctx;
	d.diag = diag;
	d.fallback = fallback;
	d.fctx = fctx;
	r.fflags = rt_le32(r.map + 120);
	r.hdr_chunks = rt_le16(r.map + 42);
	if (!(r.fflags & FLAG_NO_CRC) && rt_bx_crc32(0, r.map, 120) != rt_le32(r.map + 124)) {
		rt_diag_error(diag, src, "bad file header checksum");
		d.damaged = 1;
	}
	r.nchunks = (r.size - HDR_SIZE + RT_BX_CHUNK_SIZE - 1) / RT_BX_CHUNK_SIZE;
	if ((r.size - HDR_SIZE) / RT_BX_CHUNK_SIZE < r.hdr_chunks) {
		rt_diag_error(diag, src, "file is truncated: header announces %zu chunks, %zu present",
			      r.hdr_chunks, (r.size - HDR_SIZE) / RT_BX_CHUNK_SIZE);
		d.damaged = 1;
	}
	nthreads = opts->threads < 1 ? 1 : opts->threads > MAX_THREADS ? MAX_THREADS : opts->threads;
	if ((size_t)nthreads > r.nchunks)
		nthreads = r.nchunks ? (int)r.nchunks : 1;
	r.nslots = nthreads == 1 ? 1 : (size_t)nthreads * 2;
	r.slots = calloc(r.nslots, sizeof(slot));
	if (!r.slots) {
		rt_diag_error(diag, src, "out of memory");
		goto out;
	}
	for (k = 0; k < r.nslots; k++)
		rt_bx_chunk_init(&r.slots[k].out);
	pthread_mutex_init(&r.lock, NULL);
	pthread_cond_init(&r.work, NULL);
	pthread_cond_init(&r.done, NULL);
	ret = 0;
	if (nthreads == 1 || run_threads(&r, &d, nthreads)) {
		for (k = r.delivered; k < r.nchunks; k++) {
			slot *s = &r.slots[0];

			s->index = k;
			decode(&r, s, k);
			if (deliver(&r, &d, s))
				break;
			drop_behind(&r, k);
		}
	}
	for (k = 0; k < r.nslots; k++)
		rt_bx_chunk_release(&r.slots[k].out);
	free(r.slots);
	pthread_mutex_destroy(&r.lock);
	pthread_cond_destroy(&r.work);
	pthread_cond_destroy(&r.done);
	if (d.rejected > MAX_CHUNK_REPORTS)
		rt_diag_error(diag, src, "%zu more chunks the native decoder rejected were %s",
			      d.rejected - MAX_CHUNK_REPORTS,
			      fallback ? "read with libevtx" : "skipped");
	ret = d.damaged ? 1 : 0;
out:
	free(d.fields);
	munmap(map, r.size);
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
