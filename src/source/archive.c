/*
 * Archives (libarchive): ZIP (Velociraptor and KAPE collections), 7z, tar,
 * and .gz/.xz/.bz2 single files, read through the archive's own byte
 * source. Nothing is written to disk.
 *
 * An entry is a byte source. Walking the archive keeps each entry's first
 * bytes (enough to recognise it), so recognising costs no second read. A
 * reader that goes forward (the EVTX reader, chunk after chunk; a hive read
 * whole) is served from a stream positioned in the entry: memory stays a
 * few blocks whatever the entry's size. A reader that goes back (a hive's
 * cells looked up to classify it, a VHDX's blocks) gets the entry
 * decompressed whole into memory, once, served from there until the
 * reader says it is done (rt_source_drop_cache, which also closes the
 * stream); an entry's reads are serialised by a lock of its own. Those
 * bytes count against one memory bound for the whole run
 * (rt_archive_set_memory_bound, 2 GiB unless set): an entry that would
 * pass it is an error naming it, never a silent skip, never a temporary
 * file. Reaching an entry again means reading the archive from
 * its start to it: cheap in a ZIP (its central directory leads straight to
 * the entry), a decompression of what lies before in a .tar.gz or a solid
 * 7z.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "lazy.h"

#include "remtrail/util.h"
#include "source_int.h"

#define IO_BLOCK ((size_t)1 << 16)
#define HEAD ((size_t)4096)
#define DEFAULT_BOUND ((uint64_t)2 << 30)
/* Entries looked at in one archive, at most. */
#define MAX_ENTRIES 1000000

static uint64_t bound = DEFAULT_BOUND;
static uint64_t in_use; /* bytes of entries held in memory, all archives */

void rt_archive_set_memory_bound(uint64_t bytes)
{
	bound = bytes ? bytes : DEFAULT_BOUND;
}

uint64_t rt_archive_memory_bound(void)
{
	return bound;
}

/* --------------------------------------------------- libarchive over a source */

typedef struct feed {
	rt_source *src;
	uint64_t pos;
	uint8_t buf[IO_BLOCK];
} feed;

static la_ssize_t feed_read(struct archive *a, void *ctx, const void **out)
{
	feed *f = ctx;
	ssize_t r = rt_source_read(f->src, f->buf, sizeof(f->buf), f->pos);

	if (r < 0) {
		char why[256];

		archive_set_error(a, EIO, "%s", *rt_source_error(f->src, why, sizeof(why)) ? why
											      : strerror(errno));
		return -1;
	}
	f->pos += (uint64_t)r;
	*out = f->buf;
	return r;
}

static la_int64_t feed_seek(struct archive *a, void *ctx, la_int64_t off, int whence)
{
	feed *f = ctx;
	int64_t size = (int64_t)rt_source_size(f->src);
	int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (int64_t)f->pos : size;

	(void)a;
	if (base + off < 0)
		return ARCHIVE_FATAL;
	f->pos = (uint64_t)(base + off);
	return (la_int64_t)f->pos;
}

static la_int64_t feed_skip(struct archive *a, void *ctx, la_int64_t n)
{
	feed *f = ctx;

	(void)a;
	f->pos += (uint64_t)n;
	return n;
}

/* A reader over `src`, its formats and filters set. NULL on failure. */
static struct archive *open_reader(feed *f, rt_source *src, char *err, size_t n)
{
	struct archive *a;

	f->src = src;
	f->pos = 0;
	if (rt_lazy_archive(err, n))
		return NULL;
	if (!(a = archive_read_new())) {
		snprintf(err, n, "out of memory");
		return NULL;
	}
	archive_read_support_filter_all(a);
	archive_read_support_format_zip_seekable(a);
	archive_read_support_format_zip_streamable(a);
	archive_read_support_format_7zip(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	archive_read_support_format_raw(a);
	archive_read_set_read_callback(a, feed_read);
	archive_read_set_seek_callback(a, feed_seek);
	archive_read_set_skip_callback(a, feed_skip);
	archive_read_set_callback_data(a, f);
	if (archive_read_open1(a) != ARCHIVE_OK) {
		snprintf(err, n, "%s", archive_error_string(a) ? archive_error_string(a)
							       : "not an archive libarchive reads");
		archive_read_free(a);
		return NULL;
	}
	return a;
}

/* ----------------------------------------------------------------- entries */

typedef struct entry {
	rt_source *archive; /* the archive's bytes */
	size_t index;       /* its place in the archive */
	uint8_t head[HEAD]; /* its first bytes, kept from the walk */
	size_t headlen;
	uint8_t *data;      /* the whole entry, while a reader needs it */
	uint64_t held;      /* bytes counted against the bound */
	/* a reader that goes forward (an EVTX log read chunk after chunk, a
	 * hive read whole) is served from a stream positioned in the entry */
	struct archive *st;
	feed *sf;
	uint64_t spos;      /* the stream's offset in the entry */
} entry;

/* A reader positioned at the start of the entry's data. NULL with a
 * message (errno EIO, or ENOMEM). */
static struct archive *open_at_entry(rt_source *self, entry *e, feed *f)
{
	struct archive *a;
	struct archive_entry *ae;
	char err[256];
	size_t i;

	if (!(a = open_reader(f, e->archive, err, sizeof(err)))) {
		src_set_error(self, err);
		errno = EIO;
		return NULL;
	}
	for (i = 0; i <= e->index; i++)
		if (archive_read_next_header(a, &ae) < ARCHIVE_WARN) {
			src_set_error(self, archive_error_string(a) ? archive_error_string(a)
								   : "the archive ends before the entry");
			archive_read_free(a);
			errno = EIO;
			return NULL;
		}
	return a;
}

/* Exactly n bytes of the entry's data from the stream `a` into buf (NULL:
 * skipped). 0, or -1 (EIO) with a message. */
static int stream_take(rt_source *self, struct archive *a, uint8_t *buf, uint64_t n)
{
	uint8_t skip[4096];

	while (n) {
		size_t want = buf ? (size_t)n : (n < sizeof(skip) ? (size_t)n : sizeof(skip));
		la_ssize_t got = archive_read_data(a, buf ? buf : skip, want);

		if (got <= 0) {
			src_set_error(self, got < 0 && archive_error_string(a) ? archive_error_string(a)
										: "the entry ends early");
			errno = EIO;
			return -1;
		}
		n -= (uint64_t)got;
		if (buf)
			buf += got;
	}
	return 0;
}

/* Decompress the whole entry into memory. 0, or -1 with errno (EFBIG past
 * the bound) and a message. */
static int load(rt_source *self, entry *e, uint64_t size)
{
	struct archive *a;
	feed *f = malloc(sizeof(*f));
	char err[256];
	int r = -1;

	if (__atomic_add_fetch(&in_use, size, __ATOMIC_ACQ_REL) > bound) {
		__atomic_sub_fetch(&in_use, size, __ATOMIC_ACQ_REL);
		snprintf(err, sizeof(err),
			 "archive entry of %llu bytes needs random access, and reading it would pass "
			 "the memory bound for archives (%llu MiB; REMTRAIL_ARCHIVE_MEMORY in MiB "
			 "raises it): extract it",
			 (unsigned long long)size, (unsigned long long)(bound >> 20));
		src_set_error(self, err);
		free(f);
		errno = EFBIG;
		return -1;
	}
	e->held = size;
	if (!f || !(e->data = malloc(size ? (size_t)size : 1))) {
		errno = ENOMEM;
	} else if ((a = open_at_entry(self, e, f)) != NULL) {
		r = stream_take(self, a, e->data, size);
		archive_read_free(a);
	}
	free(f);
	if (r) {
		int keep = errno;

		free(e->data);
		e->data = NULL;
		__atomic_sub_fetch(&in_use, e->held, __ATOMIC_ACQ_REL);
		e->held = 0;
		errno = keep;
	}
	return r;
}

static void stream_close(entry *e)
{
	if (e->st)
		archive_read_free(e->st);
	e->st = NULL;
	free(e->sf);
	e->sf = NULL;
	e->spos = 0;
}

/* Bytes [off, off+n) from the stream, opened or moved forward as needed;
 * 1 when the stream cannot serve them (a read backwards). */
static int stream_read(rt_source *self, entry *e, uint8_t *buf, size_t n, uint64_t off)
{
	if (e->st && off < e->spos)
		return 1;
	if (!e->st) {
		if (!(e->sf = malloc(sizeof(*e->sf)))) {
			errno = ENOMEM;
			return -1;
		}
		if (!(e->st = open_at_entry(self, e, e->sf))) {
			stream_close(e);
			return -1;
		}
	}
	if (stream_take(self, e->st, NULL, off - e->spos) || stream_take(self, e->st, buf, n)) {
		stream_close(e);
		return -1;
	}
	e->spos = off + n;
	return 0;
}

static ssize_t entry_read(rt_source *self, void *impl, void *buf, size_t n, uint64_t off)
{
	entry *e = impl;
	int r;

	if (off + n <= e->headlen) {
		memcpy(buf, e->head + off, n);
		return (ssize_t)n;
	}
	if (!e->data) {
		if ((r = stream_read(self, e, buf, n, off)) <= 0)
			return r ? -1 : (ssize_t)n;
		/* backwards: random access, the whole entry in memory */
		stream_close(e);
		if (load(self, e, rt_source_size(self)))
			return -1;
	}
	memcpy(buf, e->data + off, n);
	return (ssize_t)n;
}

static void entry_drop(void *impl)
{
	entry *e = impl;

	stream_close(e);
	free(e->data);
	e->data = NULL;
	if (e->held)
		__atomic_sub_fetch(&in_use, e->held, __ATOMIC_ACQ_REL);
	e->held = 0;
}

static void entry_release(void *impl)
{
	entry *e = impl;

	if (!e)
		return;
	entry_drop(e);
	rt_source_unref(&e->archive);
	free(e);
}

static const src_ops entry_ops = {"archive entry", entry_read, entry_release, NULL, entry_drop};

/* ------------------------------------------------------------------- walk */

int rt_archive_walk(rt_source *archive, const char *prefix, rt_archive_visit fn, void *ctx,
		    char *err, size_t n)
{
	struct archive *a;
	struct archive_entry *ae;
	feed *f = malloc(sizeof(*f));
	size_t index;
	int r, rc = 0;
	rt_buf disp = RT_BUF_INIT;

	err[0] = '\0';
	if (!f) {
		snprintf(err, n, "out of memory");
		return -1;
	}
	if (!(a = open_reader(f, archive, err, n))) {
		free(f);
		return -1;
	}
	for (index = 0; index < MAX_ENTRIES; index++) {
		const char *name;
		entry *e;
		rt_source *src;
		src_lock *lock;
		la_ssize_t got;

		r = archive_read_next_header(a, &ae);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			snprintf(err, n, "entry %zu: %s", index + 1,
				 archive_error_string(a) ? archive_error_string(a) : "truncated or damaged");
			rc = -1;
			break;
		}
		if (archive_format(a) == ARCHIVE_FORMAT_RAW &&
		    archive_filter_code(a, 0) == ARCHIVE_FILTER_NONE) {
			/* no structure and no compression: what was sniffed as an
			 * archive is not one libarchive can read (a cut ZIP whose
			 * first entry is incomplete, a damaged 7z) */
			snprintf(err, n, "no archive structure found (truncated or damaged?)");
			rc = -1;
			break;
		}
		if (archive_entry_filetype(ae) != AE_IFREG)
			continue;
		name = archive_entry_pathname(ae);
		rt_buf_reset(&disp);
		if (archive_format(a) == ARCHIVE_FORMAT_RAW || !name || !*name) {
			/* a .gz of one file keeps no name (libarchive says "data"):
			 * it is the archive's name without the compression's */
			const char *base = strrchr(prefix, '/'), *dot;

			base = base ? base + 1 : prefix;
			dot = strrchr(base, '.');
			if (rt_buf_addf(&disp, "%s/%.*s", prefix,
					(int)(dot && dot != base ? (size_t)(dot - base) : strlen(base)), base)) {
				rc = -1;
				snprintf(err, n, "out of memory");
				break;
			}
		} else if (rt_buf_addf(&disp, "%s/%s", prefix, name[0] == '/' ? name + 1 : name)) {
			rc = -1;
			snprintf(err, n, "out of memory");
			break;
		}
		if (archive_entry_is_encrypted(ae)) {
			fn(ctx, disp.buf, NULL, "the entry is encrypted");
			continue;
		}
		if (!(e = calloc(1, sizeof(*e)))) {
			rc = -1;
			snprintf(err, n, "out of memory");
			break;
		}
		e->archive = rt_source_ref(archive);
		e->index = index;
		got = archive_read_data(a, e->head, sizeof(e->head));
		e->headlen = got > 0 ? (size_t)got : 0;
		if (got < 0) {
			fn(ctx, disp.buf, NULL, archive_error_string(a) ? archive_error_string(a)
									 : "unreadable entry");
			entry_release(e);
			continue;
		}
		if (!(lock = src_lock_new())) {
			entry_release(e);
			rc = -1;
			snprintf(err, n, "out of memory");
			break;
		}
		if (archive_entry_size_is_set(ae)) {
			src = src_new(&entry_ops, e, (uint64_t)archive_entry_size(ae), disp.buf, lock);
		} else {
			/* a compressed stream does not say its size: count it */
			uint64_t size = e->headlen;
			uint8_t skip[IO_BLOCK];

			while ((got = archive_read_data(a, skip, sizeof(skip))) > 0)
				size += (uint64_t)got;
			src = src_new(&entry_ops, e, size, disp.buf, lock);
		}
		src_lock_unref(&lock);
		if (!src) {
			rc = -1;
			snprintf(err, n, "out of memory");
			break;
		}
		fn(ctx, disp.buf, src, NULL);
		rt_source_unref(&src);
	}
	archive_read_free(a);
	free(f);
	rt_buf_release(&disp);
	return rc;
}
