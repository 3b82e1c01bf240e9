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
 * 1 when reads of `s` at any offset, from several threads at once, cost
 * what reads in order cost and take no lock (a file, bytes in memory): a
 * reader may then read blocks on many threads, in any order. An archive
 * entry, which is read best forward, or a file in an image, whose reads are
 * serialised, is not.
 */
int rt_source_random_access(const rt_source *s);

/*
 * rt_source_read_exact() without hashing: a reader that reads blocks of a
 * random-access source on several threads feeds them to the hash in file
 * order with rt_source_hash_feed() (bytes that do not extend the hashed
 * prefix are ignored, as a read's are).
 */
int rt_source_read_exact_unhashed(rt_source *s, void *buf, size_t n, uint64_t off);
void rt_source_hash_feed(rt_source *s, const void *buf, size_t n, uint64_t off);

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
/*
 * A reader is done with `s` for now: a source that keeps bytes in memory to
 * be read (an archive entry) lets go of them; it reads them again if asked.
 * Not to be called while another thread reads `s`. NULL is a no-op.
 */
void rt_source_drop_cache(rt_source *s);
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
/* Whether the SHA-256 is wanted (rt_source_want_sha256 was called). */
int rt_source_hashing(rt_source *s);

rt_source *rt_source_ref(rt_source *s);
/* Drop a reference and NULL *s; NULL and *s == NULL are no-ops. */
void rt_source_unref(rt_source **s);

/* ------------------------------------------------------------- images */

/*
 * Opens a file next to an image (the next E01 segment, a VMDK's extent, a
 * differencing disk's parent) by its base name, relative to the image's
 * folder. 0 with *out, or -1 (errno) when there is no such file.
 */
typedef int (*rt_source_sibling)(void *ctx, const char *name, rt_source **out);

typedef struct rt_image {
	const char *kind;   /* "E01", "Ex01", "VHD", "VHDX", "VMDK", "QCOW2", "raw MBR
			     * disk", "raw GPT disk", "raw NTFS volume", "BitLocker
			     * volume" (static) */
	rt_source *media;   /* the disk (or volume) it holds */
	rt_source **files;  /* the files it is made of, first one first: segments
			     * in order, a VMDK's extents, a disk's parents */
	size_t nfiles;
} rt_image;

/*
 * Open the image whose first file is `file`, of `kind` (as the evidence
 * sniffer named it): E01/Ex01 with its segments (X.E02, ... found with
 * `sib`) through libewf; VHD/VHDX (libvhdi) and QCOW2 (libqcow) with their
 * parents; VMDK (libvmdk) monolithic or with its extent files; raw files as
 * they are, split raw ("disk.001", "disk.002", ...) as one. Reads of the
 * media are serialised (the libraries are not thread-safe) and go through
 * the files' sources. Returns 0 with *out (free with rt_image_free), or -1
 * with the reason in `err` ("VDI images are not supported", "its parent
 * 'base.vhdx' is not next to it", libyal's own words).
 */
int rt_image_open(rt_source *file, const char *kind, rt_source_sibling sib, void *ctx,
		  rt_image **out, char *err, size_t n);
void rt_image_free(rt_image **img);

/*
 * The decrypted volume of the BitLocker volume `vol` (libbde), unlocked with
 * a recovery password ("123456-...-123456"). -1 with the reason in `err`
 * when no password is given, or it does not unlock the volume.
 */
int rt_source_open_bitlocker(rt_source *vol, const char *recovery_password, rt_source **out,
			     char *err, size_t n);

/* ------------------------------------------------------------ volumes */

typedef struct rt_volume {
	int index;           /* partition number in its table (1-based), 0 for a
			      * volume with no table */
	const char *scheme;  /* "MBR", "GPT" or "none" (static) */
	uint64_t offset;     /* bytes from the start of the disk */
	uint64_t size;
	const char *fs;      /* "NTFS", "BitLocker" or "other": from the volume's
			      * first sector (static) */
	uint64_t declared;   /* the size its table gives, when larger than what
			      * the disk holds (a truncated image); else 0 */
	rt_source *src;      /* the volume's bytes (a range of the disk) */
} rt_volume;

/*
 * The volumes of `disk`: the partitions of an MBR (primary and logical, in
 * the chain of extended boot records) or GPT table, or the disk itself when
 * it starts with a volume (a bare NTFS or BitLocker volume). Partitions of
 * no size and the GPT's protective entry are left out; entries that point
 * past the end of the disk are clamped to it, and a table that cannot be
 * read at all gives no volume. Sector size 512, or 4096 when the GPT header
 * is found there. Returns 0 with *vols (possibly none; free with
 * rt_volumes_free), -1 on out of memory, -2 when the disk's first sectors
 * cannot be read (errno set, rt_source_error(disk) may say more).
 */
int rt_volumes_list(rt_source *disk, rt_volume **vols, size_t *n);
void rt_volumes_free(rt_volume *vols, size_t n);

/*
 * The same from the disk's first `len` bytes already in memory (`size` is
 * the disk's size); for the fuzzer: no volume source is made (src NULL).
 */
int rt_volumes_parse(const uint8_t *head, size_t len, uint64_t size,
		     int (*read_at)(void *ctx, uint64_t off, uint8_t *buf, size_t n), void *ctx,
		     rt_volume **vols, size_t *n);

/* --------------------------------------------------------------- NTFS */

typedef struct rt_ntfs rt_ntfs;

/* Open the NTFS file system in `volume` (libfsntfs). -1 with the reason in
 * `err`. The files it offers keep it alive after rt_ntfs_free. */
int rt_ntfs_open(rt_source *volume, rt_ntfs **out, char *err, size_t n);
void rt_ntfs_free(rt_ntfs **fs);

/*
 * Called for every file in the folders where Windows keeps event logs,
 * hives and the WMI repository (Windows/System32/winevt/Logs,
 * Windows/System32/config and its RegBack, Windows/System32/wbem/Repository,
 * Users/<user> and Users/<user>/AppData/Local/Microsoft/Windows, their XP
 * and Windows.old equivalents; names compared ignoring case), and for each
 * of their alternate data streams ("file:stream"). `path` is the path
 * inside the volume ("/Windows/System32/config/SYSTEM", as the volume
 * spells it), `mft_entry` the file's MFT entry number, `file` its bytes
 * (take a reference to keep it; its display name is `prefix` + `path`).
 */
typedef void (*rt_ntfs_visit)(void *ctx, const char *path, uint64_t mft_entry, rt_source *file);

/*
 * Offer the target folders' files to `fn`. Call from one thread, while no
 * file of the volume is being read elsewhere. -1 on out of memory.
 */
int rt_ntfs_find(rt_ntfs *fs, const char *prefix, rt_ntfs_visit fn, void *ctx);

/* ------------------------------------------------------ shadow copies */

typedef struct rt_vss rt_vss;

/*
 * The volume shadow copies of `volume` (libvshadow): 0 with *out and the
 * number of stores, or -1 when there are none (err "") or they cannot be
 * read (err says why).
 */
int rt_vss_open(rt_source *volume, rt_vss **out, int *nstores, char *err, size_t n);
/* Store `i` (0 the oldest) as the volume it preserved, and its creation
 * time (FILETIME, 0 if unknown). */
int rt_vss_store(rt_vss *v, int i, const char *display, rt_source **out, uint64_t *created,
		 char *err, size_t n);
void rt_vss_free(rt_vss **v);

/* ------------------------------------------------------------ archives */

/*
 * Called for every regular file in an archive: `name` is `prefix` + "/" +
 * the entry's path, `file` its bytes (take a reference to keep it), or NULL
 * with `why` when the entry cannot be read (encrypted, damaged).
 */
typedef void (*rt_archive_visit)(void *ctx, const char *name, rt_source *file, const char *why);

/*
 * Walk the archive in `archive` (ZIP, 7z, tar, and .gz/.xz/.bz2 of a file
 * or of a tar), through libarchive. An entry's first 4 KiB are kept; the
 * rest is decompressed into memory when a reader asks for it, under the
 * memory bound below, and let go with rt_source_drop_cache. Call from one
 * thread. 0, or -1 with the reason in `err` when the archive cannot be
 * opened or an entry's header cannot be read (the entries before it were
 * offered).
 */
int rt_archive_walk(rt_source *archive, const char *prefix, rt_archive_visit fn, void *ctx,
		    char *err, size_t n);

/* The bytes of archive entries held in memory at once, over all archives
 * (default and 0: 2 GiB). An entry whose reading would pass it is an error
 * naming it. Set before reading. */
void rt_archive_set_memory_bound(uint64_t bytes);
uint64_t rt_archive_memory_bound(void);

/* ---------------------------------------------------------- for libyal */

/*
 * A libbfio handle that reads `s` (takes a reference, dropped when the
 * handle is freed), for libevtx and libregf: made with the libbfio
 * remtrail is linked with (the image libraries are given handles of their
 * own libbfio, src/source/lazy.h). Read-only: opening it for writing
 * fails. The handle is returned as an opaque pointer so that this header
 * does not pull in <libbfio.h>; cast it to libbfio_handle_t *. Free it with
 * rt_source_bfio_free. -1 on failure.
 */
int rt_source_bfio(rt_source *s, void **handle);
void rt_source_bfio_free(void **handle);

#endif
