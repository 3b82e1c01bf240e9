/*
 * source.h - byte sources: where the bytes of an artifact come from.
 *
 * Readers never open evidence by path. The evidence walk opens each file
 * once and hands the readers an rt_source: a file kept open as a
 * descriptor, a byte range of another source (a partition of a disk, an
 * extent list inside an image), a file inside an NTFS volume or one of its
 * shadow copies, an archive entry, or bytes in memory (tests, a log made
 * from one chunk). Sources nest: an NTFS file reads through its volume,
 * which reads through its partition, which reads through the disk image,
 * which reads through the image file's descriptor.
 *
 * Reading. rt_source_read() is pread(): any offset, any thread. A source
 * whose layer below is not thread-safe (the libyal image libraries) takes
 * a lock around each read; a file source does not. A source never reads
 * outside [0, size): a read at or past the end returns 0, a read that
 * straddles it is shortened.
 *
 * Hashing. When hashing is wanted (rt_source_want_sha256), every read that
 * continues the hashed prefix (it starts at or before the number of bytes
 * hashed so far and ends after it) feeds the new bytes into SHA-256, so a
 * reader that goes through a file in order hashes it as a side effect, in
 * whatever thread reads. rt_source_sha256() finishes the hash, reading only
 * the bytes nobody has read yet: no second pass over what was parsed.
 *
 * Lifetime. Sources are reference counted: rt_source_ref() adds one,
 * rt_source_unref() drops one and frees the source (and its own references
 * to the sources below) at zero. Reference counting is thread-safe.
 *
 * Errors. Reads return -1 with errno set (EIO for a library error); the
 * library's own words, when it has some, are kept per source and given by
 * rt_source_error() (for messages; a best effort when several threads fail
 * at once). Nothing here prints.
 */
#ifndef REMTRAIL_SOURCE_H
#define REMTRAIL_SOURCE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct rt_source rt_source;

/*
 * Open the file `name` relative to the directory descriptor `dirfd`
 * (AT_FDCWD: the current directory), read-only, with O_NOATIME where the
 * kernel allows it (the file's owner, or CAP_FOWNER) and without following
 * a symbolic link unless `follow`. The descriptor is kept until the source
 * is freed: the file is never opened again by name. `display` is the path
 * used in messages and outputs (copied). Only regular files: anything else
 * fails with errno EINVAL (ENOENT, EACCES, ... from openat as they are).
 * Returns 0, or -1 with errno set.
 */
int rt_source_open_file(int dirfd, const char *name, const char *display, int follow,
			rt_source **out);

/* The same for a path (AT_FDCWD, links followed: the user named it). */
int rt_source_open_path(const char *path, rt_source **out);

/* Why an open failed, for a message: "not a regular file" for EINVAL, else
 * strerror(err). */
const char *rt_source_open_error(int err);

/* A source over `n` bytes at `data`. With `copy` the bytes are copied;
 * otherwise the caller keeps them valid and unchanged while the source
 * lives. -1 on out of memory. */
int rt_source_from_memory(const void *data, size_t n, const char *display, int copy,
			  rt_source **out);

/*
 * Bytes [off, off+len) of `parent` as a source of its own (takes a
 * reference on the parent). The range is clamped to the parent's size.
 * -1 on out of memory.
 */
int rt_source_range(rt_source *parent, uint64_t off, uint64_t len, const char *display,
		    rt_source **out);

/* pread(): bytes read (fewer only at the end of the source), 0 at or past
 * the end, -1 with errno set. */
ssize_t rt_source_read(rt_source *s, void *buf, size_t n, uint64_t off);

/* Exactly `n` bytes at `off`: 0, or -1 (errno EIO with a short read past the
 * end: the source is shorter than its container said). */
int rt_source_read_exact(rt_source *s, void *buf, size_t n, uint64_t off);

/*
 * The whole source into a malloc'd buffer (*data, *n; never NULL on
 * success, even for an empty source). Sources larger than `max` bytes are
 * refused with errno EFBIG. Returns 0 or -1 (errno set).
 */
int rt_source_read_all(rt_source *s, size_t max, uint8_t **data, size_t *n);

uint64_t rt_source_size(const rt_source *s);
/* The display path given at open ("memory" when none). */
const char *rt_source_name(const rt_source *s);
/* The last library message of a failed read, or "" (owned by the source). */
const char *rt_source_error(rt_source *s, char *buf, size_t n);
/* The file's device and inode (file sources), else both 0. */
void rt_source_file_id(const rt_source *s, dev_t *dev, ino_t *ino);

/* Start hashing: from now on, reads that extend the hashed prefix are
 * hashed (idempotent; a source read before this starts from byte 0 at the
 * next read at offset 0). */
void rt_source_want_sha256(rt_source *s);
/*
 * The SHA-256 of the whole source as 64 hex digits + NUL: reads the bytes
 * not hashed yet, then keeps the result (later calls give it again).
 * Returns 0, or -1 (errno set) when some byte cannot be read.
 */
int rt_source_sha256(rt_source *s, char hex[65]);
/* Bytes already hashed (for tests and progress). */
uint64_t rt_source_hashed(rt_source *s);

rt_source *rt_source_ref(rt_source *s);
/* Drop a reference and NULL *s; NULL and *s == NULL are no-ops. */
void rt_source_unref(rt_source **s);

/* ---------------------------------------------------------- for libyal */

/*
 * A libbfio handle that reads `s` (takes a reference, dropped when the
 * handle is freed), for the libyal libraries that take one (libevtx,
 * libregf, libfsntfs, libvshadow, ...). Read-only: opening it for writing
 * fails. The handle is returned as an opaque pointer so that this header
 * does not pull in <libbfio.h>; cast it to libbfio_handle_t *. Free it with
 * rt_source_bfio_free. -1 on failure.
 */
int rt_source_bfio(rt_source *s, void **handle);
void rt_source_bfio_free(void **handle);

#endif
