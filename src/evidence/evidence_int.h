/*
 * evidence_int.h - pieces of the evidence module shared between its files:
 * recognising a file by its first bytes and reading the layout of a path.
 */
#ifndef REMTRAIL_EVIDENCE_INT_H
#define REMTRAIL_EVIDENCE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "remtrail/evidence.h"

/* ------------------------------------------------------------- sniff.c */

typedef enum ev_type {
	EV_OTHER = 0,
	EV_EVTX,
	EV_HIVE,     /* regf, file type 0: a primary hive file */
	EV_HIVE_LOG, /* regf, file type 1, 2 or 6: a transaction log */
	EV_IMAGE,    /* a disk or volume image */
	EV_ARCHIVE   /* ZIP, 7z, tar, gzip, xz, bzip2 */
} ev_type;

/* Bytes of a file's head that ev_sniff wants to see (a hive base block). */
#define EV_HEAD_SIZE 4096
/* regf base block: partial file name (UTF-16LE, 64 bytes, the last 31
 * characters of the hive's path) at 0x30. */
#define EV_REGF_NAME_OFF 0x30
#define EV_REGF_NAME_LEN 64

typedef struct ev_sniff {
	ev_type type;
	const char *image_kind;     /* images: "E01", "VMDK", ...; archives: "ZIP",
				     * "7z", "tar", "gzip", "xz", "bzip2" (static) */
	int image_segment;          /* E01: segment number (1 for the first) */
	int image_raw;              /* recognised by a boot sector or partition table only */
} ev_sniff;

/*
 * Recognise a file from `head` (its first `n` bytes, n <= EV_HEAD_SIZE) and,
 * when the caller has it, `tail` (the last 512 bytes of a file of `size`
 * bytes, NULL otherwise: used for fixed-size VHD footers).
 */
void ev_sniff_buf(const uint8_t *head, size_t n, const uint8_t *tail, uint64_t size, ev_sniff *out);

/* Hive kind from a file name ("SYSTEM", "ntuser.dat", "SAM.sav"): UNKNOWN
 * when the name is none of the known hives. `*backup` is set to 1 for the
 * names of older copies (.sav, .old, .bak). */
rt_hive_kind ev_hive_kind_from_name(const char *name, int *backup);

/* ------------------------------------------------------------ images.c */

/* An image the walk met, opened after the walk (when every file that may
 * belong to it, segments and extents, is known). */
typedef struct ev_image {
	rt_source *src;  /* its first file */
	char *path;      /* as found */
	char *spath;     /* absolute, for the layout */
	const char *kind;
	int dirfd;       /* its folder, for its segments, extents and parents */
	char *dir;       /* that folder's path, for their names */
	int direct;      /* named by the user */
} ev_image;

/* A file found inside an image's volume or an archive. */
typedef struct ev_found {
	rt_source *src;        /* borrowed: take a reference to keep it */
	const char *path;      /* "IMAGE/p2/vss1/Windows/System32/config/SYSTEM" */
	const char *spath;     /* the same under the image's absolute path */
	const char *root;      /* images: the volume's collection root (live volume
				* and shadow copies are one host); NULL in an
				* archive (its folders say, as on disk) */
	const rt_origin *origin; /* inner_path borrowed */
	int archive_depth;     /* archives it lies in (0 in an image) */
} ev_found;

typedef void (*ev_found_fn)(void *ctx, const ev_found *f);

/*
 * Open every image of `imgs` (its segments, extents and parents found next
 * to it), list its volumes, and offer the files of the folders where Windows
 * keeps logs and hives, on every NTFS volume and each of its shadow copies,
 * to `fn`. Images that are part of another (a parent disk, a flat extent
 * met as a raw disk) are not opened on their own. What cannot be opened is
 * named on `diag`. The containers opened are appended to *cont (path
 * order). Frees nothing of `imgs`. -1 on out of memory.
 */
int ev_images_walk(ev_image *imgs, size_t n, const rt_evidence_opts *o, rt_diag *diag,
		   ev_found_fn fn, void *ctx, rt_container **cont, size_t *ncont);
void ev_container_release(rt_container *c);

/* ------------------------------------------------------------ layout.c */

typedef struct ev_layout {
	int in_tree;     /* the path lies in a recognised Windows tree */
	size_t root_len; /* length of the collection root prefix of the path */
	char *root_name; /* decoded name of the collection folder (malloc'd; may be NULL) */
	int is_backup;   /* RegBack, shadow copy, Windows.old */
} ev_layout;

/*
 * Read the structure of `path` (absolute, '/'-separated, as found on disk;
 * %XX escapes are decoded for recognition only). Returns 0, -1 on OOM.
 */
int ev_layout_of(const char *path, ev_layout *out);
void ev_layout_release(ev_layout *l);

/* Decode %XX escapes (valid hex pairs only) of `s` into a malloc'd string. */
char *ev_url_decode(const char *s, size_t n);

#endif
