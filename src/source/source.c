/*
 * The byte source core: reference counts, clamped reads, hashing as the
 * bytes go by, and the two simplest kinds (memory, a range of another
 * source). See source.h.
 *
 * Hashing rides on reads rather than on a pass of its own because the
 * readers read every byte of what they parse anyway: a 4 GiB log in an E01
 * is decompressed once, not twice. The hashed prefix only grows by reads
 * that continue it; the native EVTX reader reads chunks in file order
 * under its own lock for exactly this reason.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "remtrail/util.h"
#include "source_int.h"

/* rt_source_read_all and rt_source_sha256 read this much at a time. */
#define BLOCK ((size_t)1 << 20)
#define ERR_MAX 256

struct rt_source {
	const src_ops *ops;
	void *impl;
	uint64_t size;
	char *name;
	src_lock *lock;  /* serialises reads, or NULL */
	unsigned refs;   /* under refs_mu */
	pthread_mutex_t refs_mu;
	pthread_mutex_t hash_mu; /* the hash state and the error text */
	int hashing;
	int hash_done;
	int hash_failed;
	uint64_t hashed;
	rt_sha256 sha;
	char hex[65];
	char err[ERR_MAX];
};

ssize_t src_read_nothing(rt_source *self, void *impl, void *buf, size_t n, uint64_t off)
{
	(void)self;
	(void)impl;
	(void)buf;
	(void)n;
	(void)off;
	return 0;
}

/* ------------------------------------------------------------------ locks */

src_lock *src_lock_new(void)
{
	src_lock *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	pthread_mutex_init(&l->mu, NULL);
	l->refs = 1;
	return l;
}

/* Lock reference counts change only on the thread that builds and frees
 * the evidence (sources are made and dropped there), never while reading. */
src_lock *src_lock_ref(src_lock *l)
{
	if (l)
		__atomic_add_fetch(&l->refs, 1, __ATOMIC_RELAXED);
	return l;
}

void src_lock_unref(src_lock **lp)
{
	src_lock *l = lp ? *lp : NULL;

	if (!l)
		return;
	*lp = NULL;
	if (__atomic_sub_fetch(&l->refs, 1, __ATOMIC_ACQ_REL))
		return;
	pthread_mutex_destroy(&l->mu);
	free(l);
}

static const src_ops mem_ops;

/* ------------------------------------------------------------------- core */

rt_source *src_new(const src_ops *ops, void *impl, uint64_t size, const char *display,
		   src_lock *lock)
{
	rt_source *s = calloc(1, sizeof(*s));

	if (!s || !(s->name = strdup(display ? display : "memory"))) {
		free(s);
		if (ops->release)
			ops->release(impl);
		return NULL;
	}
	s->ops = ops;
	s->impl = impl;
	s->size = size;
	s->lock = src_lock_ref(lock);
	s->refs = 1;
	pthread_mutex_init(&s->refs_mu, NULL);
	pthread_mutex_init(&s->hash_mu, NULL);
	return s;
}

void src_set_error(rt_source *s, const char *msg)
{
	pthread_mutex_lock(&s->hash_mu);
	snprintf(s->err, sizeof(s->err), "%s", msg ? msg : "");
	pthread_mutex_unlock(&s->hash_mu);
}

const char *rt_source_error(rt_source *s, char *buf, size_t n)
{
	pthread_mutex_lock(&s->hash_mu);
	snprintf(buf, n, "%s", s->err);
	pthread_mutex_unlock(&s->hash_mu);
	return buf;
}

rt_source *rt_source_ref(rt_source *s)
{
	if (s) {
		pthread_mutex_lock(&s->refs_mu);
		s->refs++;
		pthread_mutex_unlock(&s->refs_mu);
	}
	return s;
}

void rt_source_unref(rt_source **sp)
{
	rt_source *s = sp ? *sp : NULL;
	unsigned left;

	if (!s)
		return;
	*sp = NULL;
	pthread_mutex_lock(&s->refs_mu);
	left = --s->refs;
	pthread_mutex_unlock(&s->refs_mu);
	if (left)
		return;
	if (s->ops->release)
		s->ops->release(s->impl);
	src_lock_unref(&s->lock);
	rt_sha256_release(&s->sha); /* a hash begun and never finished */
	pthread_mutex_destroy(&s->refs_mu);
	pthread_mutex_destroy(&s->hash_mu);
	free(s->name);
	free(s);
}

uint64_t rt_source_size(const rt_source *s)
{
	return s->size;
}

const char *rt_source_name(const rt_source *s)
{
	return s->name;
}

void rt_source_drop_cache(rt_source *s)
{
	if (!s || !s->ops->drop)
		return;
	if (s->lock)
		pthread_mutex_lock(&s->lock->mu);
	s->ops->drop(s->impl);
	if (s->lock)
		pthread_mutex_unlock(&s->lock->mu);
}

void rt_source_file_id(const rt_source *s, dev_t *dev, ino_t *ino)
{
	*dev = 0;
	*ino = 0;
	if (s->ops->file_id)
		s->ops->file_id(s->impl, dev, ino);
}

/* Feed the part of [off, off+n) that extends the hashed prefix. */
static void hash_extend(rt_source *s, const uint8_t *p, size_t n, uint64_t off)
{
	pthread_mutex_lock(&s->hash_mu);
	if (s->hashing && !s->hash_done && off <= s->hashed && off + n > s->hashed) {
		size_t skip = (size_t)(s->hashed - off);

		rt_sha256_update(&s->sha, p + skip, n - skip);
		s->hashed += n - skip;
	}
	pthread_mutex_unlock(&s->hash_mu);
}

/* A read; `hash`: feed what extends the hashed prefix. */
static ssize_t read_some(rt_source *s, void *buf, size_t n, uint64_t off, int hash)
{
	ssize_t got;

	if (off >= s->size || n == 0)
		return 0;
	if (n > s->size - off)
		n = (size_t)(s->size - off);
	if (n > (size_t)SSIZE_MAX)
		n = (size_t)SSIZE_MAX;
	if (s->lock)
		pthread_mutex_lock(&s->lock->mu);
	got = s->ops->read(s, s->impl, buf, n, off);
	if (s->lock)
		pthread_mutex_unlock(&s->lock->mu);
	if (got > 0 && hash && s->hashing)
		hash_extend(s, buf, (size_t)got, off);
	return got;
}

static int read_exact(rt_source *s, void *buf, size_t n, uint64_t off, int hash)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = read_some(s, (uint8_t *)buf + done, n - done, off + done, hash);

		if (r < 0)
			return -1;
		if (r == 0) {
			errno = EIO;
			return -1;
		}
		done += (size_t)r;
	}
	return 0;
}

ssize_t rt_source_read(rt_source *s, void *buf, size_t n, uint64_t off)
{
	return read_some(s, buf, n, off, 1);
}

int rt_source_read_exact(rt_source *s, void *buf, size_t n, uint64_t off)
{
	return read_exact(s, buf, n, off, 1);
}

int rt_source_read_exact_unhashed(rt_source *s, void *buf, size_t n, uint64_t off)
{
	return read_exact(s, buf, n, off, 0);
}

void rt_source_hash_feed(rt_source *s, const void *buf, size_t n, uint64_t off)
{
	if (n && s->hashing)
		hash_extend(s, buf, n, off);
}

int rt_source_random_access(const rt_source *s)
{
	return !s->lock && (s->ops == &src_file_ops || s->ops == &mem_ops);
}

int rt_source_read_all(rt_source *s, size_t max, uint8_t **data, size_t *n)
{
	uint8_t *p;
	size_t size, done = 0;

	*data = NULL;
	*n = 0;
	if (s->size > max || s->size > SIZE_MAX - 1) {
		errno = EFBIG;
		return -1;
	}
	size = (size_t)s->size;
	if (!(p = malloc(size ? size : 1))) {
		errno = ENOMEM;
		return -1;
	}
	while (done < size) {
		size_t want = size - done < BLOCK ? size - done : BLOCK;
		ssize_t r = rt_source_read(s, p + done, want, done);

		if (r < 0) {
			int e = errno;

			free(p);
			errno = e;
			return -1;
		}
		if (r == 0)
			break; /* the layer below ended early: keep what there is */
		done += (size_t)r;
	}
	*data = p;
	*n = done;
	return 0;
}

/* ---------------------------------------------------------------- hashing */

void rt_source_want_sha256(rt_source *s)
{
	pthread_mutex_lock(&s->hash_mu);
	if (!s->hashing) {
		s->hashing = 1;
		s->hashed = 0;
		rt_sha256_init(&s->sha);
	}
	pthread_mutex_unlock(&s->hash_mu);
}

uint64_t rt_source_hashed(rt_source *s)
{
	uint64_t h;

	pthread_mutex_lock(&s->hash_mu);
	h = s->hashed;
	pthread_mutex_unlock(&s->hash_mu);
	return h;
}

int rt_source_hashing(rt_source *s)
{
	int h;

	pthread_mutex_lock(&s->hash_mu);
	h = s->hashing;
	pthread_mutex_unlock(&s->hash_mu);
	return h;
}

int rt_source_sha256(rt_source *s, char hex[65])
{
	uint8_t *buf = NULL, dig[32];
	int rc = -1;

	rt_source_want_sha256(s);
	for (;;) {
		uint64_t at;
		ssize_t r;

		pthread_mutex_lock(&s->hash_mu);
		if (s->hash_done || s->hash_failed || s->hashed >= s->size) {
			if (!s->hash_done && !s->hash_failed) {
				if (rt_sha256_final(&s->sha, dig) == 0) {
					rt_hex(dig, 32, s->hex);
					s->hash_done = 1;
				} else {
					s->hash_failed = 1;
					errno = ENOMEM;
				}
			}
			rc = s->hash_done ? 0 : -1;
			if (rc == 0)
				memcpy(hex, s->hex, 65);
			pthread_mutex_unlock(&s->hash_mu);
			break;
		}
		at = s->hashed;
		pthread_mutex_unlock(&s->hash_mu);
		if (!buf && !(buf = malloc(BLOCK))) {
			errno = ENOMEM;
			break;
		}
		r = rt_source_read(s, buf, BLOCK, at);
		if (r <= 0) {
			int e = r < 0 ? errno : EIO;

			pthread_mutex_lock(&s->hash_mu);
			s->hash_failed = 1;
			pthread_mutex_unlock(&s->hash_mu);
			errno = e;
			break;
		}
	}
	free(buf);
	return rc;
}

/* ----------------------------------------------------------------- memory */

typedef struct mem_impl {
	const uint8_t *data;
	uint8_t *owned;
} mem_impl;

static ssize_t mem_read(rt_source *self, void *impl, void *buf, size_t n, uint64_t off)
{
	mem_impl *m = impl;

	(void)self;
	memcpy(buf, m->data + off, n);
	return (ssize_t)n;
}

static void mem_release(void *impl)
{
	mem_impl *m = impl;

	if (m)
		free(m->owned);
	free(m);
}

static const src_ops mem_ops = {"memory", mem_read, mem_release, NULL, NULL};

int rt_source_from_memory(const void *data, size_t n, const char *display, int copy,
			  rt_source **out)
{
	mem_impl *m = calloc(1, sizeof(*m));

	*out = NULL;
	if (!m)
		return -1;
	if (copy) {
		if (!(m->owned = malloc(n ? n : 1))) {
			free(m);
			return -1;
		}
		if (n)
			memcpy(m->owned, data, n);
		m->data = m->owned;
	} else {
		m->data = data;
	}
	*out = src_new(&mem_ops, m, n, display, NULL);
	return *out ? 0 : -1;
}

/* ------------------------------------------------------------------ range */

typedef struct range_impl {
	rt_source *parent;
	uint64_t off;
} range_impl;

static ssize_t range_read(rt_source *self, void *impl, void *buf, size_t n, uint64_t off)
{
	range_impl *r = impl;
	ssize_t got = rt_source_read(r->parent, buf, n, r->off + off);
	char why[ERR_MAX];

	if (got < 0 && *rt_source_error(r->parent, why, sizeof(why)))
		src_set_error(self, why);
	return got;
}

static void range_release(void *impl)
{
	range_impl *r = impl;

	if (r)
		rt_source_unref(&r->parent);
	free(r);
}

static const src_ops range_ops = {"range", range_read, range_release, NULL, NULL};

int rt_source_range(rt_source *parent, uint64_t off, uint64_t len, const char *display,
		    rt_source **out)
{
	range_impl *r = calloc(1, sizeof(*r));
	uint64_t psize = parent->size;

	*out = NULL;
	if (!r)
		return -1;
	if (off > psize)
		off = psize;
	if (len > psize - off)
		len = psize - off;
	r->parent = rt_source_ref(parent);
	r->off = off;
	*out = src_new(&range_ops, r, len, display, NULL);
	return *out ? 0 : -1;
}
