/*
 * A libbfio handle over a byte source: the one bridge through which the
 * libyal libraries (libevtx, libregf, libfsntfs, libvshadow, libvmdk, ...)
 * read evidence. They see a read-only file of the source's size; every read
 * goes through rt_source_read, so it is clamped to the source and hashed
 * like any other read.
 *
 * libbfio's own memory-range handle reads past the end of its range when a
 * read straddles it (found by fuzzing hives), which is one more reason to
 * have our own.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "lazy.h"
#include "source_int.h"

typedef struct bio {
	rt_source *src;
	uint64_t pos;
	int open;
} bio;

static int bio_free(intptr_t **io, libbfio_error_t **err)
{
	bio *b = (bio *)*io;

	(void)err;
	if (b)
		rt_source_unref(&b->src);
	free(b);
	*io = NULL;
	return 1;
}

static int bio_clone(intptr_t **dst, intptr_t *src, libbfio_error_t **err)
{
	bio *b = malloc(sizeof(*b));

	(void)err;
	if (!b)
		return -1;
	b->src = rt_source_ref(((bio *)src)->src);
	b->pos = 0;
	b->open = 0;
	*dst = (intptr_t *)b;
	return 1;
}

static int bio_open(intptr_t *io, int flags, libbfio_error_t **err)
{
	bio *b = (bio *)io;

	(void)err;
	if (flags & LIBBFIO_ACCESS_FLAG_WRITE)
		return -1;
	b->open = 1;
	b->pos = 0;
	return 1;
}

static int bio_close(intptr_t *io, libbfio_error_t **err)
{
	(void)err;
	((bio *)io)->open = 0;
	return 0;
}

static ssize_t bio_read(intptr_t *io, uint8_t *buf, size_t size, libbfio_error_t **err)
{
	bio *b = (bio *)io;
	ssize_t r;

	(void)err;
	if (size > SSIZE_MAX)
		size = SSIZE_MAX;
	r = rt_source_read(b->src, buf, size, b->pos);
	if (r > 0)
		b->pos += (uint64_t)r;
	return r;
}

static ssize_t bio_write(intptr_t *io, const uint8_t *buf, size_t size, libbfio_error_t **err)
{
	(void)io;
	(void)buf;
	(void)size;
	(void)err;
	return -1;
}

static off64_t bio_seek(intptr_t *io, off64_t off, int whence, libbfio_error_t **err)
{
	bio *b = (bio *)io;
	uint64_t size = rt_source_size(b->src);
	off64_t base;

	(void)err;
	if (size > INT64_MAX)
		size = INT64_MAX;
	base = whence == SEEK_SET   ? 0
	       : whence == SEEK_CUR ? (off64_t)b->pos
	       : whence == SEEK_END ? (off64_t)size
				    : -1;
	if (base < 0 || (off < 0 && -off > base) || (off > 0 && off > INT64_MAX - base))
		return -1;
	b->pos = (uint64_t)(base + off);
	return base + off;
}

static int bio_exists(intptr_t *io, libbfio_error_t **err)
{
	(void)io;
	(void)err;
	return 1;
}

static int bio_is_open(intptr_t *io, libbfio_error_t **err)
{
	(void)err;
	return ((bio *)io)->open;
}

static int bio_size(intptr_t *io, size64_t *size, libbfio_error_t **err)
{
	(void)err;
	*size = rt_source_size(((bio *)io)->src);
	return 1;
}

int rt_source_bfio_with(rt_source *s, const rt_bfio_api *api, void **handle)
{
	libbfio_handle_t *h = NULL;
	bio *b = calloc(1, sizeof(*b));

	*handle = NULL;
	if (!b)
		return -1;
	b->src = rt_source_ref(s);
	if (api->handle_initialize(&h, (intptr_t *)b, bio_free, bio_clone, bio_open, bio_close,
				   bio_read, bio_write, bio_seek, bio_exists, bio_is_open, bio_size,
				   LIBBFIO_FLAG_IO_HANDLE_MANAGED, NULL) != 1) {
		rt_source_unref(&b->src);
		free(b);
		return -1;
	}
	*handle = h;
	return 0;
}

void rt_source_bfio_free_with(const rt_bfio_api *api, void **handle)
{
	libbfio_handle_t *h = handle ? *handle : NULL;

	if (!h)
		return;
	api->handle_free(&h, NULL);
	*handle = NULL;
}

int rt_source_bfio(rt_source *s, void **handle)
{
	return rt_source_bfio_with(s, &rt_bfio_linked, handle);
}

void rt_source_bfio_free(void **handle)
{
	rt_source_bfio_free_with(&rt_bfio_linked, handle);
}

int rt_lazy_yal_handle(rt_yal_lib lib, rt_source *s, const rt_bfio_api **bfio, void **handle,
		       char *err, size_t n)
{
	*handle = NULL;
	if (rt_lazy_yal(lib, bfio, err, n))
		return -1;
	if (rt_source_bfio_with(s, *bfio, handle)) {
		snprintf(err, n, "out of memory");
		return -1;
	}
	return 0;
}
