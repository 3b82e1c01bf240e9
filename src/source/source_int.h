/*
 * source_int.h - inside the source module: how a kind of source plugs in.
 *
 * A kind supplies a read function and a release function over its own
 * state (`impl`). Reads are already clamped to [0, size) when they reach
 * it. A kind whose library is not thread-safe names a lock: every read of
 * every source sharing that lock runs under it (all the files of one NTFS
 * volume share the volume's lock, as they share its libfsntfs object).
 * Locks nest only downwards (a file's lock, then its volume's, then the
 * image's), so they cannot deadlock.
 */
#ifndef REMTRAIL_SOURCE_INT_H
#define REMTRAIL_SOURCE_INT_H

#include <pthread.h>

#include "remtrail/source.h"

/* A reference-counted mutex that several sources share. */
/*
 * rt_source_bfio with the libbfio of the library the handle is for
 * (rt_lazy_yal's `bfio`); freed with the same.
 */
struct rt_bfio_api;
int rt_source_bfio_with(rt_source *s, const struct rt_bfio_api *api, void **handle);
void rt_source_bfio_free_with(const struct rt_bfio_api *api, void **handle);

typedef struct src_lock {
	pthread_mutex_t mu;
	unsigned refs;
} src_lock;

src_lock *src_lock_new(void);
src_lock *src_lock_ref(src_lock *l);
void src_lock_unref(src_lock **l);

typedef struct src_ops {
	const char *kind; /* "file", "range", "memory", ... */
	/* Read n bytes at off (off + n <= size); bytes read, -1 with errno. A
	 * library message may be left with src_set_error(). */
	ssize_t (*read)(rt_source *self, void *impl, void *buf, size_t n, uint64_t off);
	/* Free `impl` (and drop what it holds); called once, at the last unref. */
	void (*release)(void *impl);
	/* Device and inode, for file sources; may be NULL. */
	void (*file_id)(void *impl, dev_t *dev, ino_t *ino);
	/* Let go of bytes kept in memory for reading (rt_source_drop_cache);
	 * may be NULL. Called with the source's lock held, if it has one. */
	void (*drop)(void *impl);
} src_ops;

/* The kind of a source over a file descriptor (file.c). */
extern const src_ops src_file_ops;

/*
 * A new source of kind `ops` over `impl` (owned from now on: released on
 * failure too), `size` bytes, reads serialised by `lock` when it is not
 * NULL (a reference is taken). NULL on out of memory.
 */
rt_source *src_new(const src_ops *ops, void *impl, uint64_t size, const char *display,
		   src_lock *lock);

/*
 * The read of a source of size 0 that only owns a library object (an NTFS
 * file system, a set of shadow copies) so that the sources made from it
 * keep it alive by reference: there is nothing to read.
 */
ssize_t src_read_nothing(rt_source *self, void *impl, void *buf, size_t n, uint64_t off);

/* Keep a library's message for rt_source_error() (copied, truncated). */
void src_set_error(rt_source *s, const char *msg);

#endif
