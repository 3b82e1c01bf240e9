/*
 * Disk and volume images as byte sources: E01/Ex01 (libewf), VHD and VHDX
 * (libvhdi), VMDK (libvmdk), QCOW2 (libqcow), BitLocker (libbde), raw and
 * split raw (ours: a concatenation of the segment files). See source.h and
 * docs/evidence.md for why the libyal family.
 *
 * Every library reads its files through the libbfio bridge over our file
 * sources, so segment files, extents and parents are opened once, by the
 * walk, relative to the folder that holds them, and hashed as they are read
 * like any other evidence file. None of these libraries is safe to call
 * from two threads at once on one handle: each image has a lock that every
 * read takes.
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

/* Segments of a split image, parents of a differencing disk: at most. */
#define MAX_FILES 4096
#define MAX_PARENTS 16

typedef enum {
	IMG_EWF = RT_YAL_EWF,
	IMG_VHDI = RT_YAL_VHDI,
	IMG_QCOW = RT_YAL_QCOW,
	IMG_VMDK = RT_YAL_VMDK,
	IMG_BDE = RT_YAL_BDE
} img_lib;

typedef struct img {
	img_lib lib;
	const rt_bfio_api *api; /* the library's libbfio: pool and bfio are its */
	void *h;               /* the library's handle */
	libbfio_pool_t *pool;  /* libewf segments, libvmdk extents */
	void *bfio;            /* the single file's libbfio handle (vhdi, qcow, bde) */
	struct img *parent;    /* a differencing disk's parent */
	uint32_t bad_chunks;   /* libewf: chunks that failed their checksum so far */
	rt_source **files;     /* the files read (references), for their own
				* reasons when the library only says it could
				* not read */
	size_t nfiles;
} img;

/* ----------------------------------------------------------------- errors */

#define YAL_ERR(lib, e, fallback, out, n)                                                   \
	yal_error((intptr_t **)(e), (yal_sprint_fn)lib##_error_backtrace_sprint,              \
		  (yal_free_fn)lib##_error_free, (fallback), (out), (n))

/* ---------------------------------------------------------------- reading */

static ssize_t img_read(rt_source *self, void *impl, void *buf, size_t n, uint64_t off)
{
	img *m = impl;
	char why[256];
	ssize_t r = -1;
	intptr_t *e = NULL;

	switch (m->lib) {
	case IMG_EWF: {
		uint32_t bad = 0;

		r = libewf_handle_read_random(m->h, buf, n, (off64_t)off, (libewf_error_t **)&e);
		if (r < 0) {
			YAL_ERR(libewf, &e, "read failed", why, sizeof(why));
			break;
		}
		/* libewf hands out zeros for a chunk that fails its checksum or
		 * cannot be found: such a read is not data */
		if (libewf_handle_get_number_of_checksum_errors(m->h, &bad, (libewf_error_t **)&e) != 1)
			libewf_error_free((libewf_error_t **)&e);
		if (bad > m->bad_chunks) {
			m->bad_chunks = bad;
			snprintf(why, sizeof(why), "the image's data at offset %llu is damaged (a chunk "
				 "fails its checksum or is missing)", (unsigned long long)off);
			r = -1;
		}
		break;
	}
	case IMG_VHDI:
		r = libvhdi_file_read_buffer_at_offset(m->h, buf, n, (off64_t)off,
						       (libvhdi_error_t **)&e);
		if (r < 0)
			YAL_ERR(libvhdi, &e, "read failed", why, sizeof(why));
		break;
	case IMG_QCOW:
		r = libqcow_file_read_buffer_at_offset(m->h, buf, n, (off64_t)off,
						       (libqcow_error_t **)&e);
		if (r < 0)
			YAL_ERR(libqcow, &e, "read failed", why, sizeof(why));
		break;
	case IMG_VMDK:
		r = libvmdk_handle_read_buffer_at_offset(m->h, buf, n, (off64_t)off,
							 (libvmdk_error_t **)&e);
		if (r < 0)
			YAL_ERR(libvmdk, &e, "read failed", why, sizeof(why));
		break;
	case IMG_BDE:
		r = libbde_volume_read_buffer_at_offset(m->h, buf, n, (off64_t)off,
							(libbde_error_t **)&e);
		if (r < 0)
			YAL_ERR(libbde, &e, "read failed", why, sizeof(why));
		break;
	}
	if (r < 0) {
		size_t i;
		char fwhy[256];

		for (i = 0; i < m->nfiles; i++)
			if (*rt_source_error(m->files[i], fwhy, sizeof(fwhy))) {
				snprintf(why, sizeof(why), "%s", fwhy);
				break;
			}
		src_set_error(self, why);
		errno = EIO;
	}
	return r;
}

static void pool_free(const rt_bfio_api *api, libbfio_pool_t **pool)
{
	if (*pool)
		api->pool_free(pool, NULL);
	*pool = NULL;
}

static void img_release(void *impl)
{
	img *m = impl;
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->nfiles; i++)
		rt_source_unref(&m->files[i]);
	free(m->files);
	switch (m->lib) {
	case IMG_EWF:
		if (m->h) {
			libewf_handle_close(m->h, NULL);
			libewf_handle_free((libewf_handle_t **)&m->h, NULL);
		}
		break;
	case IMG_VHDI:
		if (m->h) {
			libvhdi_file_close(m->h, NULL);
			libvhdi_file_free((libvhdi_file_t **)&m->h, NULL);
		}
		break;
	case IMG_QCOW:
		if (m->h) {
			libqcow_file_close(m->h, NULL);
			libqcow_file_free((libqcow_file_t **)&m->h, NULL);
		}
		break;
	case IMG_VMDK:
		if (m->h) {
			libvmdk_handle_close(m->h, NULL);
			libvmdk_handle_free((libvmdk_handle_t **)&m->h, NULL);
		}
		break;
	case IMG_BDE:
		if (m->h) {
			libbde_volume_close(m->h, NULL);
			libbde_volume_free((libbde_volume_t **)&m->h, NULL);
		}
		break;
	}
	/* the libraries do not own what they were opened on */
	pool_free(m->api, &m->pool);
	rt_source_bfio_free_with(m->api, &m->bfio);
	img_release(m->parent);
	free(m);
}

static const src_ops img_ops = {"image", img_read, img_release, NULL, NULL};

/* ------------------------------------------------------------- the files */

typedef struct files {
	rt_source **v;
	size_t n;
} files;

static int files_add(files *f, rt_source *s)
{
	rt_source **p;

	if (f->n >= MAX_FILES)
		return -1;
	p = realloc(f->v, (f->n + 1) * sizeof(*p));
	if (!p)
		return -1;
	f->v = p;
	f->v[f->n++] = rt_source_ref(s);
	return 0;
}

static void files_release(files *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		rt_source_unref(&f->v[i]);
	free(f->v);
	memset(f, 0, sizeof(*f));
}

/* The base name of a path (either separator: parent names are Windows
 * paths). */
static const char *base_of(const char *p)
{
	const char *s;

	for (s = p; *p; p++)
		if (*p == '/' || *p == '\\')
			s = p + 1;
	return s;
}

/* A libbfio pool over `f`'s files, in order, of `api`'s libbfio. */
static int make_pool(const rt_bfio_api *api, const files *f, size_t from, libbfio_pool_t **pool,
		     char *err, size_t n)
{
	size_t i;

	*pool = NULL;
	if (api->pool_initialize(pool, 0, LIBBFIO_POOL_UNLIMITED_NUMBER_OF_OPEN_HANDLES, NULL) != 1)
		goto fail;
	for (i = from; i < f->n; i++) {
		void *h = NULL;
		int entry = 0;

		if (rt_source_bfio_with(f->v[i], api, &h) != 0)
			goto fail;
		if (api->pool_append_handle(*pool, &entry, h, LIBBFIO_OPEN_READ, NULL) != 1) {
			rt_source_bfio_free_with(api, &h);
			goto fail;
		}
	}
	return 0;
fail:
	pool_free(api, pool);
	snprintf(err, n, "out of memory");
	return -1;
}

/* ------------------------------------------------------------------- EWF */

/*
 * The names of an EWF image's segments: X.E01 ... X.E99, then X.EAA ...
 * X.EZZ, X.FAA ... (libewf's and EnCase's scheme; lower case when the first
 * is). Ex01 goes X.Ex01 ... X.Ex99, X.ExAA ... Segment `k` (1-based) into
 * `out`; -1 past the scheme.
 */
static int ewf_segment_name(const char *first, unsigned k, char *out, size_t n)
{
	size_t len = strlen(first);
	const char *dot = strrchr(first, '.');
	int lower, ex;
	char a, b, c;

	if (!dot || (size_t)(dot - first) + 4 > len || k < 1)
		return -1;
	ex = (dot[1] == 'E' || dot[1] == 'e') && (dot[2] == 'x' || dot[2] == 'X');
	lower = dot[1] == 'e';
	if (k <= 99) {
		if (ex)
			return snprintf(out, n, "%.*s.%cx%02u", (int)(dot - first), first,
					lower ? 'e' : 'E', k) < (int)n ? 0 : -1;
		return snprintf(out, n, "%.*s.%c%02u", (int)(dot - first), first, lower ? 'e' : 'E',
				k) < (int)n ? 0 : -1;
	}
	k -= 100;
	if (k >= (unsigned)(('Z' - 'E' + 1) * 26 * 26))
		return -1;
	a = (char)((lower ? 'e' : 'E') + k / (26 * 26));
	b = (char)((lower ? 'a' : 'A') + (k / 26) % 26);
	c = (char)((lower ? 'a' : 'A') + k % 26);
	if (ex)
		return snprintf(out, n, "%.*s.%cx%c%c", (int)(dot - first), first, a, b, c) < (int)n
			       ? 0
			       : -1;
	return snprintf(out, n, "%.*s.%c%c%c", (int)(dot - first), first, a, b, c) < (int)n ? 0
											 : -1;
}

/* Gather the segments after the first: they stop at the first name that is
 * not there. */
static int ewf_segments(rt_source *first, rt_source_sibling sib, void *ctx, files *f, char *err,
			size_t n)
{
	const char *name = base_of(rt_source_name(first));
	char seg[4096];
	unsigned k;

	if (files_add(f, first))
		goto oom;
	for (k = 2; k < MAX_FILES && sib; k++) {
		rt_source *s = NULL;

		if (ewf_segment_name(name, k, seg, sizeof(seg)) || sib(ctx, seg, &s) != 0)
			break;
		if (files_add(f, s)) {
			rt_source_unref(&s);
			goto oom;
		}
		rt_source_unref(&s);
	}
	return 0;
oom:
	snprintf(err, n, "out of memory");
	return -1;
}

/*
 * Whether this libewf knows the first segment's signature. Debian 12's
 * libewf 20140813 reads EWF1 (E01) only: it does not know EWF2's
 * "EVF2\r\n\x81\0", and its own error ("unsupported segment file
 * signature") does not tell the analyst what to do.
 */
static int ewf_known(const rt_bfio_api *api, rt_source *first, char *err, size_t n)
{
	libewf_error_t *e = NULL;
	void *bfio = NULL;
	int r;

	if (rt_source_bfio_with(first, api, &bfio)) {
		snprintf(err, n, "out of memory");
		return -1;
	}
	r = libewf_check_file_signature_file_io_handle(bfio, &e);
	libewf_error_free(&e);
	rt_source_bfio_free_with(api, &bfio);
	if (r != 1) {
		snprintf(err, n, "libewf %s reads E01 (EWF1) only, not EWF2 (Ex01): convert the "
				 "image to E01 (EnCase, FTK Imager) or build with a libewf that "
				 "reads EWF2",
			 libewf_get_version());
		return -1;
	}
	return 0;
}

static int open_ewf(img *m, const files *f, uint64_t *size, char *err, size_t n)
{
	libewf_error_t *e = NULL;
	size64_t sz = 0;

	if (make_pool(m->api, f, 0, &m->pool, err, n))
		return -1;
	if (libewf_handle_initialize((libewf_handle_t **)&m->h, &e) != 1 ||
	    libewf_handle_open_file_io_pool(m->h, m->pool, LIBEWF_OPEN_READ, &e) != 1 ||
	    libewf_handle_get_media_size(m->h, &sz, &e) != 1) {
		YAL_ERR(libewf, &e, "libewf cannot open it", err, n);
		return -1;
	}
	/* a segment cut short loses the tables that locate its chunks: libewf
	 * opens it anyway and reads zeros */
	if (libewf_handle_segment_files_corrupted(m->h, &e) == 1) {
		snprintf(err, n, "its segment files are damaged or truncated (%zu segment%s found): "
				 "not read", f->n, f->n == 1 ? "" : "s");
		return -1;
	}
	if (e)
		libewf_error_free(&e);
	*size = sz;
	return 0;
}

/* ------------------------------------------------------- VHD, VHDX, QCOW2 */

/*
 * A differencing VHD/VHDX or a QCOW2 with a backing file needs its parent:
 * looked for by base name next to the child (the recorded path is the one
 * on the machine that made it).
 */
static int open_parent(img *m, const char *child, const char *parent_name, rt_source_sibling sib,
		       void *ctx, files *f, int depth, char *err, size_t n);

static int open_vhdi(img *m, rt_source *file, rt_source_sibling sib, void *ctx, files *f,
		     int depth, uint64_t *size, char *err, size_t n)
{
	libvhdi_error_t *e = NULL;
	size64_t sz = 0;
	uint32_t type = 0;

	if (rt_lazy_yal_handle((rt_yal_lib)m->lib, file, &m->api, &m->bfio, err, n))
		return -1;
	if (libvhdi_file_initialize((libvhdi_file_t **)&m->h, &e) != 1 ||
	    libvhdi_file_open_file_io_handle(m->h, m->bfio, LIBVHDI_OPEN_READ, &e) != 1 ||
	    libvhdi_file_get_media_size(m->h, &sz, &e) != 1) {
		YAL_ERR(libvhdi, &e, "libvhdi cannot open it", err, n);
		return -1;
	}
	if (libvhdi_file_get_disk_type(m->h, &type, &e) != 1)
		libvhdi_error_free(&e);
	if (type == LIBVHDI_DISK_TYPE_DIFFERENTIAL) {
		char parent[4096] = "";

		if (libvhdi_file_get_utf8_parent_filename(m->h, (uint8_t *)parent, sizeof(parent),
							  &e) != 1) {
			YAL_ERR(libvhdi, &e, "no parent file name", err, n);
			return -1;
		}
		if (open_parent(m, rt_source_name(file), parent, sib, ctx, f, depth, err, n))
			return -1;
		if (libvhdi_file_set_parent_file(m->h, m->parent->h, &e) != 1) {
			YAL_ERR(libvhdi, &e, "cannot use its parent", err, n);
			return -1;
		}
	}
	*size = sz;
	return 0;
}

static int open_qcow(img *m, rt_source *file, rt_source_sibling sib, void *ctx, files *f,
		     int depth, uint64_t *size, char *err, size_t n)
{
	libqcow_error_t *e = NULL;
	size64_t sz = 0;
	uint32_t enc = 0;
	char backing[4096] = "";

	if (rt_lazy_yal_handle((rt_yal_lib)m->lib, file, &m->api, &m->bfio, err, n))
		return -1;
	if (libqcow_file_initialize((libqcow_file_t **)&m->h, &e) != 1 ||
	    libqcow_file_open_file_io_handle(m->h, m->bfio, LIBQCOW_OPEN_READ, &e) != 1 ||
	    libqcow_file_get_media_size(m->h, &sz, &e) != 1) {
		YAL_ERR(libqcow, &e, "libqcow cannot open it", err, n);
		return -1;
	}
	if (libqcow_file_get_encryption_method(m->h, &enc, &e) != 1)
		libqcow_error_free(&e);
	if (enc != 0) {
		snprintf(err, n, "encrypted QCOW2 image: not supported");
		return -1;
	}
	if (libqcow_file_get_utf8_backing_filename(m->h, (uint8_t *)backing, sizeof(backing),
						   &e) == 1 &&
	    backing[0]) {
		if (open_parent(m, rt_source_name(file), backing, sib, ctx, f, depth, err, n))
			return -1;
		if (libqcow_file_set_parent_file(m->h, m->parent->h, &e) != 1) {
			YAL_ERR(libqcow, &e, "cannot use its backing file", err, n);
			return -1;
		}
	}
	if (e)
		libqcow_error_free(&e);
	*size = sz;
	return 0;
}

static int open_parent(img *m, const char *child, const char *parent_name, rt_source_sibling sib,
		       void *ctx, files *f, int depth, char *err, size_t n)
{
	rt_source *ps = NULL;
	uint64_t sz;
	int rc;

	if (depth >= MAX_PARENTS) {
		snprintf(err, n, "more than %d parent images", MAX_PARENTS);
		return -1;
	}
	if (!sib || sib(ctx, base_of(parent_name), &ps) != 0) {
		snprintf(err, n, "its parent '%s' is not next to it", base_of(parent_name));
		return -1;
	}
	if (!(m->parent = calloc(1, sizeof(*m->parent))) || files_add(f, ps)) {
		rt_source_unref(&ps);
		snprintf(err, n, "out of memory");
		return -1;
	}
	m->parent->lib = m->lib;
	(void)child;
	rc = m->lib == IMG_VHDI ? open_vhdi(m->parent, ps, sib, ctx, f, depth + 1, &sz, err, n)
				: open_qcow(m->parent, ps, sib, ctx, f, depth + 1, &sz, err, n);
	rt_source_unref(&ps);
	return rc;
}

/* ------------------------------------------------------------------ VMDK */

static int open_vmdk(img *m, rt_source *file, rt_source_sibling sib, void *ctx, files *f,
		     uint64_t *size, char *err, size_t n)
{
	libvmdk_error_t *e = NULL;
	size64_t sz = 0;
	int next = 0, i, rc = -1;
	files ext = {NULL, 0};
	const char *self = base_of(rt_source_name(file));

	if (rt_lazy_yal_handle((rt_yal_lib)m->lib, file, &m->api, &m->bfio, err, n))
		return -1;
	if (libvmdk_handle_initialize((libvmdk_handle_t **)&m->h, &e) != 1 ||
	    libvmdk_handle_open_file_io_handle(m->h, m->bfio, LIBVMDK_OPEN_READ, &e) != 1 ||
	    libvmdk_handle_get_number_of_extents(m->h, &next, &e) != 1) {
		YAL_ERR(libvmdk, &e, "libvmdk cannot open it", err, n);
		return -1;
	}
	/* the extents, in the descriptor's order; a monolithic sparse VMDK is
	 * its own only extent */
	for (i = 0; i < next; i++) {
		libvmdk_extent_descriptor_t *d = NULL;
		char name[4096] = "";
		rt_source *es = NULL;
		int r;

		if (libvmdk_handle_get_extent_descriptor(m->h, i, &d, &e) != 1 ||
		    libvmdk_extent_descriptor_get_utf8_filename(d, (uint8_t *)name, sizeof(name),
							       &e) != 1) {
			libvmdk_extent_descriptor_free(&d, NULL);
			YAL_ERR(libvmdk, &e, "unreadable extent descriptor", err, n);
			return -1;
		}
		libvmdk_extent_descriptor_free(&d, NULL);
		if (!strcmp(base_of(name), self))
			es = rt_source_ref(file);
		else if (!sib || sib(ctx, base_of(name), &es) != 0) {
			snprintf(err, n, "its extent '%s' is not next to it", base_of(name));
			goto out;
		}
		/* the image's files list each file once */
		r = files_add(&ext, es) || (es != file && files_add(f, es));
		rt_source_unref(&es);
		if (r) {
			snprintf(err, n, "out of memory");
			goto out;
		}
	}
	if (make_pool(m->api, &ext, 0, &m->pool, err, n))
		goto out;
	if (libvmdk_handle_open_extent_data_files_file_io_pool(m->h, m->pool, &e) != 1 ||
	    libvmdk_handle_get_media_size(m->h, &sz, &e) != 1) {
		YAL_ERR(libvmdk, &e, "libvmdk cannot read its extents", err, n);
		goto out;
	}
	*size = sz;
	rc = 0;
out:
	files_release(&ext);
	return rc;
}

/* ------------------------------------------------------------- BitLocker */

int rt_source_open_bitlocker(rt_source *vol, const char *recovery_password, rt_source **out,
			     char *err, size_t n)
{
	img *m = calloc(1, sizeof(*m));
	libbde_error_t *e = NULL;
	src_lock *lock = NULL;
	size64_t sz = 0;
	char name[4096];

	*out = NULL;
	if (!m) {
		snprintf(err, n, "out of memory");
		return -1;
	}
	m->lib = IMG_BDE;
	if (!recovery_password || !*recovery_password) {
		snprintf(err, n, "BitLocker-encrypted volume: give its recovery password "
				 "(--recovery-password) to read it");
		goto fail;
	}
	if (rt_lazy_yal_handle(RT_YAL_BDE, vol, &m->api, &m->bfio, err, n))
		goto fail;
	if (libbde_volume_initialize((libbde_volume_t **)&m->h, &e) != 1) {
		YAL_ERR(libbde, &e, "libbde cannot start", err, n);
		goto fail;
	}
	if (libbde_volume_set_utf8_recovery_password(m->h, (const uint8_t *)recovery_password,
						     strlen(recovery_password), &e) != 1) {
		if (e)
			libbde_error_free(&e);
		snprintf(err, n, "BitLocker-encrypted volume: the recovery password is not of the "
				 "right form (eight groups of six digits, 123456-...-123456)");
		goto fail;
	}
	if (libbde_volume_open_file_io_handle(m->h, m->bfio, LIBBDE_OPEN_READ, &e) != 1) {
		char why[256];

		YAL_ERR(libbde, &e, "libbde cannot open it", why, sizeof(why));
		snprintf(err, n, "BitLocker-encrypted volume: cannot open it: %s", why);
		goto fail;
	}
	if (libbde_volume_is_locked(m->h, &e) != 0) {
		if (e)
			libbde_error_free(&e);
		snprintf(err, n, "BitLocker-encrypted volume: the recovery password does not "
				 "unlock it");
		goto fail;
	}
	if (libbde_volume_get_size(m->h, &sz, &e) != 1) {
		YAL_ERR(libbde, &e, "libbde cannot tell its size", err, n);
		goto fail;
	}
	if (!(lock = src_lock_new())) {
		snprintf(err, n, "out of memory");
		goto fail;
	}
	snprintf(name, sizeof(name), "%s", rt_source_name(vol));
	*out = src_new(&img_ops, m, sz, name, lock);
	src_lock_unref(&lock);
	if (!*out) {
		snprintf(err, n, "out of memory");
		return -1;
	}
	return 0;
fail:
	img_release(m);
	return -1;
}

/* --------------------------------------------------------------- raw */

typedef struct part {
	rt_source *src;
	uint64_t start;
} part;

typedef struct concat {
	part *v;
	size_t n;
} concat;

static ssize_t concat_read(rt_source *self, void *impl, void *buf, size_t n, uint64_t off)
{
	concat *c = impl;
	size_t done = 0, lo = 0, hi = c->n;

	(void)self;
	/* the last part starting at or before `off` */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->v[mid].start <= off)
			lo = mid;
		else
			hi = mid;
	}
	while (done < n && lo < c->n) {
		uint64_t at = off + done - c->v[lo].start;
		ssize_t r = rt_source_read(c->v[lo].src, (uint8_t *)buf + done, n - done, at);

		if (r < 0)
			return done ? (ssize_t)done : -1;
		if (r == 0) {
			lo++;
			continue;
		}
		done += (size_t)r;
	}
	return (ssize_t)done;
}

static void concat_release(void *impl)
{
	concat *c = impl;
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->n; i++)
		rt_source_unref(&c->v[i].src);
	free(c->v);
	free(c);
}

static const src_ops concat_ops = {"split raw", concat_read, concat_release, NULL, NULL};

/* "disk.001": the segments .001, .002, ... that are there. */
static int raw_segments(rt_source *first, rt_source_sibling sib, void *ctx, files *f, char *err,
			size_t n)
{
	const char *name = base_of(rt_source_name(first));
	const char *dot = strrchr(name, '.');
	size_t digits = dot ? strlen(dot + 1) : 0, i;
	unsigned long k, start;
	char seg[4096];

	if (files_add(f, first))
		goto oom;
	for (i = 0; i < digits; i++)
		if (dot[1 + i] < '0' || dot[1 + i] > '9')
			return 0;
	if (digits < 2 || digits > 4)
		return 0; /* not a split image: one file */
	start = strtoul(dot + 1, NULL, 10);
	if (start > 1)
		return 0; /* a middle segment named directly: taken as it is */
	for (k = start + 1; k < start + MAX_FILES && sib; k++) {
		rt_source *s = NULL;
		int r;

		if (snprintf(seg, sizeof(seg), "%.*s.%0*lu", (int)(dot - name), name, (int)digits, k) >=
		    (int)sizeof(seg))
			break;
		if (sib(ctx, seg, &s) != 0)
			break;
		r = files_add(f, s);
		rt_source_unref(&s);
		if (r)
			goto oom;
	}
	return 0;
oom:
	snprintf(err, n, "out of memory");
	return -1;
}

static int open_concat(const files *f, rt_source **out, char *err, size_t n)
{
	concat *c = calloc(1, sizeof(*c));
	uint64_t at = 0;
	size_t i;

	if (!c || !(c->v = calloc(f->n, sizeof(*c->v)))) {
		free(c);
		snprintf(err, n, "out of memory");
		return -1;
	}
	for (i = 0; i < f->n; i++) {
		c->v[i].src = rt_source_ref(f->v[i]);
		c->v[i].start = at;
		at += rt_source_size(f->v[i]);
	}
	c->n = f->n;
	*out = src_new(&concat_ops, c, at, rt_source_name(f->v[0]), NULL);
	if (!*out) {
		snprintf(err, n, "out of memory");
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------- API */

static const struct {
	const char *kind;
	int lib; /* img_lib, or -1 for raw */
} kinds[] = {
    {"E01", IMG_EWF},
    {"Ex01", IMG_EWF},
    {"VHD", IMG_VHDI},
    {"VHDX", IMG_VHDI},
    {"QCOW2", IMG_QCOW},
    {"VMDK", IMG_VMDK},
    {"raw MBR disk", -1},
    {"raw GPT disk", -1},
    {"raw NTFS volume", -1},
    {"BitLocker volume", -1},
};

int rt_image_open(rt_source *file, const char *kind, rt_source_sibling sib, void *ctx,
		  rt_image **out, char *err, size_t n)
{
	rt_image *im = calloc(1, sizeof(*im));
	files f = {NULL, 0};
	img *m = NULL;
	src_lock *lock = NULL;
	uint64_t size = 0;
	size_t i;
	int lib = -2, rc = -1;

	*out = NULL;
	snprintf(err, n, "out of memory");
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kind, kinds[i].kind))
			lib = kinds[i].lib;
	if (lib == -2) {
		snprintf(err, n, "%s images are not supported", kind);
		free(im);
		return -1;
	}
	if (!im)
		return -1;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kind, kinds[i].kind))
			im->kind = kinds[i].kind;
	if (lib < 0) {
		if (raw_segments(file, sib, ctx, &f, err, n))
			goto out;
		if (f.n == 1)
			im->media = rt_source_ref(file);
		else if (open_concat(&f, &im->media, err, n))
			goto out;
		rc = 0;
		goto out;
	}
	if (!(m = calloc(1, sizeof(*m))))
		goto out;
	m->lib = (img_lib)lib;
	if (lib == IMG_EWF) {
		/* segments in a pool: the others open on one handle (rt_lazy_yal_handle) */
		if (rt_lazy_yal(RT_YAL_EWF, &m->api, err, n) ||
		    (!strcmp(kind, "Ex01") && ewf_known(m->api, file, err, n)) ||
		    ewf_segments(file, sib, ctx, &f, err, n) || open_ewf(m, &f, &size, err, n))
			goto out;
	} else {
		if (files_add(&f, file))
			goto out;
		if ((lib == IMG_VHDI && open_vhdi(m, file, sib, ctx, &f, 0, &size, err, n)) ||
		    (lib == IMG_QCOW && open_qcow(m, file, sib, ctx, &f, 0, &size, err, n)) ||
		    (lib == IMG_VMDK && open_vmdk(m, file, sib, ctx, &f, &size, err, n)))
			goto out;
	}
	if (!(lock = src_lock_new()) || !(m->files = calloc(f.n, sizeof(*m->files)))) {
		snprintf(err, n, "out of memory");
		goto out;
	}
	for (i = 0; i < f.n; i++)
		m->files[m->nfiles++] = rt_source_ref(f.v[i]);
	im->media = src_new(&img_ops, m, size, rt_source_name(file), lock);
	m = NULL; /* the source owns it now, even on failure */
	if (!im->media) {
		snprintf(err, n, "out of memory");
		goto out;
	}
	rc = 0;
out:
	src_lock_unref(&lock);
	img_release(m);
	if (rc == 0) {
		im->files = f.v;
		im->nfiles = f.n;
		*out = im;
		err[0] = '\0';
	} else {
		/* the library says it could not read; the file says why (an
		 * archive entry past the memory bound, an I/O error) */
		char why[256];

		for (i = 0; i < f.n; i++)
			if (*rt_source_error(f.v[i], why, sizeof(why))) {
				snprintf(err, n, "%s", why);
				break;
			}
		if (i == f.n && *rt_source_error(file, why, sizeof(why)))
			snprintf(err, n, "%s", why);
		files_release(&f);
		rt_image_free(&im);
	}
	return rc;
}

void rt_image_free(rt_image **imp)
{
	rt_image *im = imp ? *imp : NULL;
	size_t i;

	if (!im)
		return;
	rt_source_unref(&im->media);
	for (i = 0; i < im->nfiles; i++)
		rt_source_unref(&im->files[i]);
	free(im->files);
	free(im);
	*imp = NULL;
}
