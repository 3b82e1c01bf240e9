/*
 * Volume shadow copies (libvshadow): each store of a volume is the volume
 * as it was when the store was created, read through the live volume's
 * bytes and the store's copy-on-write blocks. A store is a byte source like
 * a volume, so the NTFS reader walks it the same way.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lazy.h"
#include "remtrail/util.h"
#include "source_int.h"
#include "yal.h"

#define VSS_ERR(e, fallback, out, n)                                                       \
	yal_error((intptr_t **)(e), (yal_sprint_fn)libvshadow_error_backtrace_sprint,       \
		  (yal_free_fn)libvshadow_error_free, (fallback), (out), (n))

typedef struct vss_vol {
	libvshadow_volume_t *v;
	void *bfio;
	const rt_bfio_api *api; /* libvshadow's libbfio, which made bfio */
	rt_source *under;
	src_lock *lock;
} vss_vol;

struct rt_vss {
	rt_source *self; /* size 0, owns the vss_vol: stores keep it alive */
	vss_vol *vol;
	int nstores;
};

static void vol_release(void *impl)
{
	vss_vol *v = impl;

	if (!v)
		return;
	if (v->v) {
		libvshadow_volume_close(v->v, NULL);
		libvshadow_volume_free(&v->v, NULL);
	}
	rt_source_bfio_free_with(v->api, &v->bfio);
	rt_source_unref(&v->under);
	src_lock_unref(&v->lock);
	free(v);
}

static const src_ops vol_ops = {"VSS volume", src_read_nothing, vol_release, NULL, NULL};

typedef struct store {
	rt_source *volsrc;
	libvshadow_store_t *s;
} store;

static ssize_t store_read(rt_source *self, void *impl, void *buf, size_t n, uint64_t off)
{
	store *st = impl;
	libvshadow_error_t *e = NULL;
	char why[256];
	ssize_t r = libvshadow_store_read_buffer_at_offset(st->s, buf, n, (off64_t)off, &e);

	if (r < 0) {
		VSS_ERR(&e, "read failed", why, sizeof(why));
		src_set_error(self, why);
		errno = EIO;
	}
	return r;
}

static void store_release(void *impl)
{
	store *st = impl;

	if (!st)
		return;
	if (st->s)
		libvshadow_store_free(&st->s, NULL);
	rt_source_unref(&st->volsrc);
	free(st);
}

static const src_ops store_ops = {"shadow copy", store_read, store_release, NULL, NULL};

/*
 * Chains of 16 KiB blocks a store is made of (catalog, block list, block
 * range list, bitmaps) link by the "next offset" at byte 40 of each block's
 * header. libvshadow 20190323 follows a block list that links back into
 * itself for ever, adding the same descriptors again each time (memory
 * grows until the machine gives out): a damaged or hostile volume must not
 * do that to us, so the chains are walked first (no memory kept, one
 * 48-byte header read a block) and a volume with a loop is refused. A
 * chain that leaves the volume or meets a block without the VSS identifier
 * simply ends here: libvshadow names that itself.
 */
#define VSS_BLOCK 0x4000u
#define VSS_HEADER_AT 0x1e00u

static const uint8_t vss_id[16] = {0x6b, 0x87, 0x08, 0x38, 0x76, 0xc1, 0x48, 0x4e,
				   0xb7, 0xae, 0x04, 0x04, 0x6e, 0x6c, 0xc7, 0x52};

/* The next block of the chain through `off`, or 0 at its end. */
static uint64_t chain_next(rt_source *v, uint64_t off)
{
	uint8_t h[48];

	if (!off || off > rt_source_size(v) - sizeof(h) ||
	    rt_source_read_exact(v, h, sizeof(h), off) || memcmp(h, vss_id, sizeof(vss_id)))
		return 0;
	return rt_le64(h + 40);
}

/* 1 when the chain from `start` comes back on itself (*at: a block on the
 * loop), 0 when it ends. Brent's cycle finding: a chain without a loop
 * costs one header read a block, as many blocks as libvshadow then reads. */
static int chain_loops(rt_source *v, uint64_t start, uint64_t *at)
{
	uint64_t tortoise = start, hare = chain_next(v, start), power = 1, lam = 1;

	while (hare) {
		if (hare == tortoise) {
			*at = hare;
			return 1;
		}
		if (power == lam) {
			tortoise = hare;
			power *= 2;
			lam = 0;
		}
		hare = chain_next(v, hare);
		lam++;
	}
	return 0;
}

static const struct {
	size_t at; /* in a catalog entry of type 3 */
	const char *what;
} store_chains[] = {
    {8, "block list"}, {40, "block range list"}, {48, "bitmap"}, {72, "previous bitmap"},
};

/* 0, or -1 with `err` naming the first chain that loops. */
static int vss_chains_end(rt_source *v, char *err, size_t n)
{
	uint8_t hdr[56], block[VSS_BLOCK];
	uint64_t cat, at;
	size_t e, i;

	if (rt_source_size(v) < VSS_HEADER_AT + sizeof(hdr) ||
	    rt_source_read_exact(v, hdr, sizeof(hdr), VSS_HEADER_AT))
		return 0;
	cat = rt_le64(hdr + 48);
	if (chain_loops(v, cat, &at)) {
		snprintf(err, n, "their catalog loops back on itself at offset %llu",
			 (unsigned long long)at);
		return -1;
	}
	for (; cat && cat <= rt_source_size(v) && rt_source_size(v) - cat >= VSS_BLOCK;
	     cat = rt_le64(block + 40)) {
		if (rt_source_read_exact(v, block, sizeof(block), cat) ||
		    memcmp(block, vss_id, sizeof(vss_id)))
			break;
		for (e = 128; e + 128 <= sizeof(block); e += 128) {
			if (rt_le64(block + e) != 3)
				continue;
			for (i = 0; i < sizeof(store_chains) / sizeof(store_chains[0]); i++)
				if (chain_loops(v, rt_le64(block + e + store_chains[i].at), &at)) {
					snprintf(err, n, "the %s of a store loops back on itself at offset %llu",
						 store_chains[i].what, (unsigned long long)at);
					return -1;
				}
		}
	}
	return 0;
}

int rt_vss_open(rt_source *volume, rt_vss **out, int *nstores, char *err, size_t n)
{
	libvshadow_error_t *e = NULL;
	rt_vss *x = calloc(1, sizeof(*x));
	vss_vol *v = calloc(1, sizeof(*v));
	int r;

	*out = NULL;
	*nstores = 0;
	if (!x || !v || !(v->lock = src_lock_new())) {
		snprintf(err, n, "out of memory");
		goto fail;
	}
	if (rt_lazy_yal_handle(RT_YAL_VSHADOW, volume, &v->api, &v->bfio, err, n))
		goto fail;
	v->under = rt_source_ref(volume);
	r = libvshadow_check_volume_signature_file_io_handle(v->bfio, &e);
	if (r != 1) {
		if (r < 0)
			VSS_ERR(&e, "cannot look for shadow copies", err, n);
		else
			err[0] = '\0'; /* no shadow copies: not an error */
		goto fail;
	}
	if (vss_chains_end(volume, err, n))
		goto fail;
	if (libvshadow_volume_initialize(&v->v, &e) != 1 ||
	    libvshadow_volume_open_file_io_handle(v->v, v->bfio, LIBVSHADOW_OPEN_READ, &e) != 1 ||
	    libvshadow_volume_get_number_of_stores(v->v, &x->nstores, &e) != 1) {
		VSS_ERR(&e, "libvshadow cannot read the shadow copies", err, n);
		goto fail;
	}
	x->vol = v;
	x->self = src_new(&vol_ops, v, 0, rt_source_name(volume), NULL);
	v = NULL;
	if (!x->self) {
		snprintf(err, n, "out of memory");
		goto fail;
	}
	*nstores = x->nstores;
	*out = x;
	return 0;
fail:
	vol_release(v);
	if (x)
		rt_source_unref(&x->self);
	free(x);
	return -1;
}

int rt_vss_store(rt_vss *x, int i, const char *display, rt_source **out, uint64_t *created,
		 char *err, size_t n)
{
	libvshadow_error_t *e = NULL;
	store *st = calloc(1, sizeof(*st));
	size64_t size = 0;
	uint64_t ft = 0;

	*out = NULL;
	*created = 0;
	if (!st) {
		snprintf(err, n, "out of memory");
		return -1;
	}
	if (libvshadow_volume_get_store(x->vol->v, i, &st->s, &e) != 1 ||
	    libvshadow_store_get_volume_size(st->s, &size, &e) != 1) {
		VSS_ERR(&e, "unreadable store", err, n);
		store_release(st);
		return -1;
	}
	if (libvshadow_store_get_creation_time(st->s, &ft, &e) != 1)
		libvshadow_error_free(&e);
	st->volsrc = rt_source_ref(x->self);
	*created = ft;
	*out = src_new(&store_ops, st, size, display, x->vol->lock);
	if (!*out) {
		snprintf(err, n, "out of memory");
		return -1;
	}
	return 0;
}

void rt_vss_free(rt_vss **xp)
{
	rt_vss *x = xp ? *xp : NULL;

	if (!x)
		return;
	rt_source_unref(&x->self);
	free(x);
	*xp = NULL;
}
