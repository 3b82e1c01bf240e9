/*
 * Disk images met by the walk: opened after it (their segments, extents and
 * parents are then known), their volumes listed, and the files of the
 * folders where Windows keeps logs and hives offered to the walk, from
 * every NTFS volume and each of its shadow copies, read in place through
 * byte sources (source.h): nothing is extracted, mounted or written.
 *
 * A file inside an image is named like a path below the image: the image's
 * path, the partition ("p2", none for a bare volume), the shadow copy
 * ("vss1") and the path inside the volume, "case/WS01.E01/p2/Windows/
 * System32/config/SYSTEM". The live volume and its shadow copies share one
 * collection root, the partition, so they are one host whose copies are
 * earlier snapshots.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "evidence_int.h"
#include "remtrail/util.h"

#define ERR_MAX 512

typedef struct opened {
	ev_image *im;
	rt_image *img;
	dev_t dev;
	ino_t ino;
	int dropped; /* part of another image */
} opened;

typedef struct fileid {
	dev_t dev;
	ino_t ino;
} fileid;

typedef struct wctx {
	const rt_evidence_opts *o;
	rt_diag *diag;
	ev_found_fn fn;
	void *ctx;
	const ev_image *sib_of; /* the image whose siblings are opened */
	fileid *used;           /* files that belong to an opened image */
	size_t nused;
	/* the volume being walked */
	const char *prefix, *sprefix, *root;
	rt_origin origin;
	rt_buf spath;
	int oom;
} wctx;

/* ------------------------------------------------------------ siblings */

static int sibling(void *ctx, const char *name, rt_source **out)
{
	wctx *w = ctx;
	rt_buf disp = RT_BUF_INIT;
	int r;

	if (strchr(name, '/') || !strcmp(name, "..") || !strcmp(name, ".")) {
		errno = ENOENT; /* a name from the image must not leave its folder */
		return -1;
	}
	if (rt_buf_addf(&disp, "%s%s%s", w->sib_of->dir, *w->sib_of->dir ? "/" : "", name)) {
		errno = ENOMEM;
		return -1;
	}
	r = rt_source_open_file(w->sib_of->dirfd, name, disp.buf, 0, out);
	rt_buf_release(&disp);
	if (r == 0 && w->o && w->o->sha256)
		rt_source_want_sha256(*out);
	return r;
}

static int used(const wctx *w, dev_t dev, ino_t ino)
{
	size_t i;

	for (i = 0; i < w->nused; i++)
		if (w->used[i].dev == dev && w->used[i].ino == ino)
			return 1;
	return 0;
}

static int mark_used(wctx *w, rt_source *s)
{
	fileid *p = realloc(w->used, (w->nused + 1) * sizeof(*p));

	if (!p)
		return -1;
	w->used = p;
	rt_source_file_id(s, &p[w->nused].dev, &p[w->nused].ino);
	w->nused++;
	return 0;
}

/* ------------------------------------------------------------- volumes */

static void visit(void *ctx, const char *path, uint64_t mft, rt_source *file)
{
	wctx *w = ctx;
	ev_found f;

	rt_buf_reset(&w->spath);
	if (rt_buf_addf(&w->spath, "%s%s", w->sprefix, path)) {
		w->oom = 1;
		return;
	}
	w->origin.inner_path = (char *)path;
	w->origin.mft_entry = mft;
	f.src = file;
	f.path = rt_source_name(file);
	f.spath = w->spath.buf;
	f.root = w->root;
	f.origin = &w->origin;
	f.archive_depth = 0;
	w->fn(w->ctx, &f);
}

/* Offer the files of the NTFS file system in `vol`; a note on failure. */
static int walk_ntfs(wctx *w, rt_source *vol, const char *prefix, const char *sprefix,
		     char *note, size_t n)
{
	char err[ERR_MAX / 2];
	rt_ntfs *fs = NULL;

	if (rt_ntfs_open(vol, &fs, err, sizeof(err))) {
		snprintf(note, n, "cannot be read as NTFS: %s", err);
		rt_diag_error(w->diag, prefix, "%s", note);
		return -1;
	}
	w->prefix = prefix;
	w->sprefix = sprefix;
	if (rt_ntfs_find(fs, prefix, visit, w))
		w->oom = 1;
	rt_ntfs_free(&fs);
	return 0;
}

/* A volume and, when it has them, its shadow copies. */
static void walk_volume(wctx *w, rt_source *vol, rt_volume_info *vi, const char *prefix,
			const char *sprefix)
{
	char note[ERR_MAX], err[ERR_MAX];
	rt_vss *vss = NULL;
	int nstores = 0, i;

	w->origin.shadow_copy = 0;
	w->origin.shadow_copy_time = 0;
	if (walk_ntfs(w, vol, prefix, sprefix, note, sizeof(note))) {
		vi->note = strdup(note);
		return;
	}
	if (rt_vss_open(vol, &vss, &nstores, err, sizeof(err))) {
		if (*err)
			rt_diag_error(w->diag, prefix, "shadow copies cannot be read: %s", err);
		vi->note = strdup(*err ? "read; its shadow copies cannot be" : "read");
		return;
	}
	vi->stores = calloc((size_t)nstores + 1, sizeof(*vi->stores));
	if (!vi->stores) {
		w->oom = 1;
		rt_vss_free(&vss);
		return;
	}
	for (i = 0; i < nstores && !w->oom; i++) {
		rt_buf p = RT_BUF_INIT, sp = RT_BUF_INIT;
		rt_source *store = NULL;
		uint64_t created = 0;

		if (rt_buf_addf(&p, "%s/vss%d", prefix, i + 1) ||
		    rt_buf_addf(&sp, "%s/vss%d", sprefix, i + 1)) {
			w->oom = 1;
		} else if (rt_vss_store(vss, i, p.buf, &store, &created, err, sizeof(err))) {
			rt_diag_error(w->diag, p.buf, "shadow copy cannot be read: %s", err);
		} else {
			vi->stores[vi->nstores].index = i + 1;
			vi->stores[vi->nstores++].created = created;
			w->origin.shadow_copy = i + 1;
			w->origin.shadow_copy_time = created;
			walk_ntfs(w, store, p.buf, sp.buf, note, sizeof(note));
		}
		rt_source_unref(&store);
		rt_buf_release(&p);
		rt_buf_release(&sp);
	}
	rt_vss_free(&vss);
	w->origin.shadow_copy = 0;
	w->origin.shadow_copy_time = 0;
	vi->note = strdup("read");
}

static int fill_files(rt_container *ct, const rt_image *img)
{
	size_t i;

	ct->files = calloc(img->nfiles ? img->nfiles : 1, sizeof(*ct->files));
	if (!ct->files)
		return -1;
	for (i = 0; i < img->nfiles; i++) {
		rt_artifact *a = &ct->files[ct->nfiles];

		if (!(a->path = strdup(rt_source_name(img->files[i]))))
			return -1;
		a->src = rt_source_ref(img->files[i]);
		a->size = rt_source_size(img->files[i]);
		a->origin.mft_entry = UINT64_MAX;
		ct->nfiles++;
	}
	return 0;
}

/* Every volume of one opened image. */
static void walk_image(wctx *w, const opened *op, rt_container *ct, size_t index)
{
	rt_volume *vols = NULL;
	size_t nv = 0, i, nread = 0, locked = 0;

	ct->media_size = rt_source_size(op->img->media);
	switch (rt_volumes_list(op->img->media, &vols, &nv)) {
	case 0:
		break;
	case -2: {
		char why[256];

		rt_diag_error(w->diag, op->im->path, "cannot read the %s image: %s", op->img->kind,
			      *rt_source_error(op->img->media, why, sizeof(why)) ? why
										: strerror(errno));
		return;
	}
	default:
		w->oom = 1;
		return;
	}
	ct->volumes = calloc(nv ? nv : 1, sizeof(*ct->volumes));
	if (!ct->volumes) {
		w->oom = 1;
		rt_volumes_free(vols, nv);
		return;
	}
	for (i = 0; i < nv && !w->oom; i++) {
		rt_volume_info *vi = &ct->volumes[ct->nvolumes++];
		rt_buf p = RT_BUF_INIT, sp = RT_BUF_INIT;
		rt_source *plain = NULL;
		char err[ERR_MAX];

		vi->index = vols[i].index;
		vi->scheme = vols[i].scheme;
		vi->offset = vols[i].offset;
		vi->size = vols[i].size;
		vi->fs = vols[i].fs;
		memset(&w->origin, 0, sizeof(w->origin));
		w->origin.container = index + 1;
		w->origin.partition = vols[i].index;
		w->origin.scheme = vols[i].scheme;
		w->origin.partition_offset = vols[i].offset;
		if (vols[i].declared)
			rt_diag_error(w->diag, op->im->path,
				      "partition %d runs past the end of the image (%llu bytes declared, "
				      "%llu present): the image is truncated, what lies past it is "
				      "not read",
				      vols[i].index, (unsigned long long)vols[i].declared,
				      (unsigned long long)vols[i].size);
		if ((vols[i].index ? rt_buf_addf(&p, "%s/p%d", op->im->path, vols[i].index)
				   : rt_buf_adds(&p, op->im->path)) ||
		    (vols[i].index ? rt_buf_addf(&sp, "%s/p%d", op->im->spath, vols[i].index)
				   : rt_buf_adds(&sp, op->im->spath))) {
			w->oom = 1;
		} else if (!strcmp(vols[i].fs, "NTFS")) {
			w->root = sp.buf;
			walk_volume(w, vols[i].src, vi, p.buf, sp.buf);
			nread++;
		} else if (!strcmp(vols[i].fs, "BitLocker")) {
			if (rt_source_open_bitlocker(vols[i].src, w->o ? w->o->recovery_password : NULL,
						     &plain, err, sizeof(err))) {
				rt_diag_error(w->diag, p.buf, "%s", err);
				vi->note = strdup(err);
				locked++;
			} else {
				w->root = sp.buf;
				walk_volume(w, plain, vi, p.buf, sp.buf);
				nread++;
			}
			rt_source_unref(&plain);
		} else {
			vi->note = strdup("not NTFS: not read");
		}
		rt_buf_release(&p);
		rt_buf_release(&sp);
	}
	rt_volumes_free(vols, nv);
	/* (a locked BitLocker volume was named already) */
	if (!nread && !locked && !w->oom)
		rt_diag_warn(w->diag, op->im->path,
			     "no NTFS volume in this %s image (%zu partition%s): nothing read",
			     op->img->kind, nv, nv == 1 ? "" : "s");
}

/* Raw kinds are opened last: a file another image uses (a VMDK's flat
 * extent, a split image's segment) is met as a raw disk too. */
static int is_raw(const ev_image *im)
{
	return !strncmp(im->kind, "raw ", 4) || !strcmp(im->kind, "BitLocker volume");
}

static int cmp_opened(const void *a, const void *b)
{
	return strcmp(((const opened *)a)->im->path, ((const opened *)b)->im->path);
}

void ev_container_release(rt_container *c)
{
	size_t i;

	free(c->path);
	for (i = 0; i < c->nfiles; i++) {
		free(c->files[i].path);
		rt_source_unref(&c->files[i].src);
	}
	free(c->files);
	for (i = 0; i < c->nvolumes; i++) {
		free(c->volumes[i].note);
		free(c->volumes[i].stores);
	}
	free(c->volumes);
	memset(c, 0, sizeof(*c));
}

int ev_images_walk(ev_image *imgs, size_t n, const rt_evidence_opts *o, rt_diag *diag,
		   ev_found_fn fn, void *ctx, rt_container **cont, size_t *ncont)
{
	opened *op = calloc(n ? n : 1, sizeof(*op));
	wctx w;
	size_t i, k, nop = 0;
	int pass;

	memset(&w, 0, sizeof(w));
	w.o = o;
	w.diag = diag;
	w.fn = fn;
	w.ctx = ctx;
	if (!op)
		return -1;
	for (pass = 0; pass < 2 && !w.oom; pass++)
		for (i = 0; i < n && !w.oom; i++) {
			ev_image *im = &imgs[i];
			char err[ERR_MAX];
			dev_t dev;
			ino_t ino;

			if (is_raw(im) != pass)
				continue;
			rt_source_file_id(im->src, &dev, &ino);
			if (used(&w, dev, ino))
				continue;
			w.sib_of = im;
			if (rt_image_open(im->src, im->kind, sibling, &w, &op[nop].img, err,
					  sizeof(err))) {
				rt_diag_error(diag, im->path, "cannot read disk image (%s): %s",
					      im->kind, err);
				continue;
			}
			op[nop].im = im;
			op[nop].dev = dev;
			op[nop].ino = ino;
			for (k = 1; k < op[nop].img->nfiles; k++)
				if (mark_used(&w, op[nop].img->files[k]))
					w.oom = 1;
			nop++;
		}
	/* an image opened before the one it belongs to (a parent disk) */
	for (i = 0; i < nop; i++)
		op[i].dropped = used(&w, op[i].dev, op[i].ino);
	if (nop > 1)
		qsort(op, nop, sizeof(*op), cmp_opened);
	for (i = 0; i < nop && !w.oom; i++) {
		rt_container *p, *ct;

		if (op[i].dropped)
			continue;
		p = realloc(*cont, (*ncont + 1) * sizeof(*p));
		if (!p) {
			w.oom = 1;
			break;
		}
		*cont = p;
		ct = &p[(*ncont)++];
		memset(ct, 0, sizeof(*ct));
		ct->kind = op[i].img->kind;
		if (!(ct->path = strdup(op[i].im->path)) || fill_files(ct, op[i].img)) {
			w.oom = 1;
			break;
		}
		walk_image(&w, &op[i], ct, *ncont - 1);
	}
	for (i = 0; i < nop; i++)
		rt_image_free(&op[i].img);
	free(op);
	free(w.used);
	rt_buf_release(&w.spath);
	return w.oom ? -1 : 0;
}
