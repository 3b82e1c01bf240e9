/*
 * Files inside an NTFS volume, read in place with libfsntfs: no mount, no
 * root, nothing extracted to disk. libfsntfs follows data runs, so sparse
 * files read as zeros where they have no clusters, LZNT1-compressed files
 * are decompressed, and an alternate data stream is read as a stream of
 * its own, never mixed with the file's main data.
 *
 * Only the folders where Windows keeps what remtrail reads are looked at
 * (targets[]), found by name ignoring case; inside them, every file is
 * offered to the caller, which recognises artifacts by content as the
 * folder walk does. A volume is a C: drive of hundreds of thousands of
 * files: reading all of them to find a few hundred would cost minutes per
 * image for nothing.
 *
 * libfsntfs is not used from two threads at once: every read of every file
 * of a volume takes the volume's lock.
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

#define FILE_ATTRIBUTE_REPARSE_POINT 0x400u
/* Entries of one folder looked at, at most. */
#define MAX_ENTRIES 100000
#define MAX_NAME 1024

#define FS_ERR(e, fallback, out, n)                                                        \
	yal_error((intptr_t **)(e), (yal_sprint_fn)libfsntfs_error_backtrace_sprint,        \
		  (yal_free_fn)libfsntfs_error_free, (fallback), (out), (n))

/*
 * Where Windows keeps what remtrail reads: '*' stands for any one folder
 * (a user's profile). Windows.old holds an earlier installation.
 */
static const char *const targets[] = {
    "Windows/System32/winevt/Logs",
    "Windows/System32/config",
    "Windows/System32/config/RegBack",
    "Windows/System32/wbem/Repository",
    "Users/*",
    "Users/*/AppData/Local/Microsoft/Windows",
    "Documents and Settings/*",
    "Documents and Settings/*/Local Settings/Application Data/Microsoft/Windows",
    "Windows.old/Windows/System32/winevt/Logs",
    "Windows.old/Windows/System32/config",
    "Windows.old/Users/*",
};

/* The volume: libfsntfs's object, kept alive by its files' references. */
typedef struct vol {
	libfsntfs_volume_t *v;
	void *bfio;
	const rt_bfio_api *api; /* libfsntfs's libbfio, which made bfio */
	rt_source *under; /* the volume's bytes */
	src_lock *lock;
} vol;

struct rt_ntfs {
	rt_source *self; /* a source of size 0 owning `vol` (see ntfs_open) */
	vol *vol;
};

static void vol_release(void *impl)
{
	vol *v = impl;

	if (!v)
		return;
	if (v->v) {
		libfsntfs_volume_close(v->v, NULL);
		libfsntfs_volume_free(&v->v, NULL);
	}
	rt_source_bfio_free_with(v->api, &v->bfio);
	rt_source_unref(&v->under);
	src_lock_unref(&v->lock);
	free(v);
}

static const src_ops vol_ops = {"NTFS volume", src_read_nothing, vol_release, NULL, NULL};

/* ------------------------------------------------------------------ files */

typedef struct nfile {
	rt_source *volsrc;           /* keeps the volume alive */
	libfsntfs_file_entry_t *entry;
	libfsntfs_data_stream_t *ads; /* an alternate stream, or NULL for the main data */
} nfile;

static ssize_t nfile_read(rt_source *self, void *impl, void *buf, size_t n, uint64_t off)
{
	nfile *f = impl;
	libfsntfs_error_t *e = NULL;
	char why[256];
	ssize_t r;

	r = f->ads ? libfsntfs_data_stream_read_buffer_at_offset(f->ads, buf, n, (off64_t)off, &e)
		   : libfsntfs_file_entry_read_buffer_at_offset(f->entry, buf, n, (off64_t)off, &e);
	if (r < 0) {
		FS_ERR(&e, "read failed", why, sizeof(why));
		src_set_error(self, why);
		errno = EIO;
	}
	return r;
}

static void nfile_release(void *impl)
{
	nfile *f = impl;

	if (!f)
		return;
	if (f->ads)
		libfsntfs_data_stream_free(&f->ads, NULL);
	if (f->entry)
		libfsntfs_file_entry_free(&f->entry, NULL);
	rt_source_unref(&f->volsrc);
	free(f);
}

static const src_ops nfile_ops = {"NTFS file", nfile_read, nfile_release, NULL, NULL};

/* ------------------------------------------------------------------- walk */

typedef struct walker {
	rt_ntfs *fs;
	const char *prefix;
	rt_ntfs_visit fn;
	void *ctx;
	rt_buf path; /* "/Windows/System32/config" */
	int oom;
} walker;

static int entry_name(libfsntfs_file_entry_t *entry, char *name, size_t n)
{
	libfsntfs_error_t *e = NULL;

	if (libfsntfs_file_entry_get_utf8_name(entry, (uint8_t *)name, n, &e) != 1) {
		libfsntfs_error_free(&e);
		return -1;
	}
	return 0;
}

static int is_dir(libfsntfs_file_entry_t *entry)
{
	libfsntfs_error_t *e = NULL;
	uint32_t flags = 0;
	int r = libfsntfs_file_entry_has_directory_entries_index(entry, &e);

	if (r < 0)
		libfsntfs_error_free(&e);
	/* junctions (Documents and Settings -> Users) would show a tree twice */
	if (libfsntfs_file_entry_get_file_attribute_flags(entry, &flags, &e) != 1)
		libfsntfs_error_free(&e);
	return r == 1 && !(flags & FILE_ATTRIBUTE_REPARSE_POINT);
}

/* Offer one stream of `entry` (`ads` NULL: the main data) to the caller. */
static void offer(walker *w, libfsntfs_file_entry_t *entry, libfsntfs_data_stream_t *ads,
		  const char *name)
{
	libfsntfs_error_t *e = NULL;
	size64_t size = 0;
	uint64_t ref = 0;
	nfile *f;
	rt_source *src;
	rt_buf disp = RT_BUF_INIT;
	size_t plen = w->path.len;

	if ((ads ? libfsntfs_data_stream_get_size(ads, &size, &e)
		 : libfsntfs_file_entry_get_size(entry, &size, &e)) != 1) {
		libfsntfs_error_free(&e);
		return;
	}
	if (libfsntfs_file_entry_get_file_reference(entry, &ref, &e) != 1)
		libfsntfs_error_free(&e);
	if (rt_buf_addch(&w->path, '/') || rt_buf_adds(&w->path, name) ||
	    rt_buf_addf(&disp, "%s%s", w->prefix, w->path.buf)) {
		w->oom = 1;
		goto out;
	}
	if (!(f = calloc(1, sizeof(*f)))) {
		w->oom = 1;
		goto out;
	}
	f->volsrc = rt_source_ref(w->fs->self);
	f->ads = ads;
	f->entry = entry;
	src = src_new(&nfile_ops, f, size, disp.buf, w->fs->vol->lock);
	if (!src) {
		w->oom = 1;
		goto out;
	}
	w->fn(w->ctx, w->path.buf, ref & 0xFFFFFFFFFFFFULL, src);
	rt_source_unref(&src);
out:
	rt_buf_truncate(&w->path, plen);
	rt_buf_release(&disp);
}

/* Every file (and named data stream) directly in the folder `dir`. */
static void offer_files(walker *w, libfsntfs_file_entry_t *dir)
{
	libfsntfs_error_t *e = NULL;
	int n = 0, i;

	if (libfsntfs_file_entry_get_number_of_sub_file_entries(dir, &n, &e) != 1) {
		libfsntfs_error_free(&e);
		return;
	}
	for (i = 0; i < n && i < MAX_ENTRIES && !w->oom; i++) {
		libfsntfs_file_entry_t *sub = NULL;
		char name[MAX_NAME];
		int nads = 0, k;

		if (libfsntfs_file_entry_get_sub_file_entry_by_index(dir, i, &sub, &e) != 1) {
			libfsntfs_error_free(&e);
			continue;
		}
		if (entry_name(sub, name, sizeof(name)) || is_dir(sub) ||
		    libfsntfs_file_entry_get_number_of_alternate_data_streams(sub, &nads, &e) != 1) {
			libfsntfs_error_free(&e);
			libfsntfs_file_entry_free(&sub, NULL);
			continue;
		}
		for (k = 0; k < nads && k < 64 && !w->oom; k++) {
			libfsntfs_data_stream_t *ds = NULL;
			libfsntfs_file_entry_t *again = NULL;
			char sname[MAX_NAME], full[2 * MAX_NAME + 2];

			/* each stream's source keeps its own file entry */
			if (libfsntfs_file_entry_get_alternate_data_stream_by_index(sub, k, &ds, &e) != 1 ||
			    libfsntfs_data_stream_get_utf8_name(ds, (uint8_t *)sname, sizeof(sname), &e) != 1 ||
			    libfsntfs_file_entry_get_sub_file_entry_by_index(dir, i, &again, &e) != 1) {
				libfsntfs_error_free(&e);
				if (ds)
					libfsntfs_data_stream_free(&ds, NULL);
				continue;
			}
			snprintf(full, sizeof(full), "%s:%s", name, sname);
			offer(w, again, ds, full);
		}
		offer(w, sub, NULL, name); /* the source owns `sub` now */
	}
}

/* Walk the target `pat` ("Users/ * /AppData/...") from `dir`. */
static void find(walker *w, libfsntfs_file_entry_t *dir, const char *pat)
{
	libfsntfs_error_t *e = NULL;
	const char *slash = strchr(pat, '/');
	size_t len = slash ? (size_t)(slash - pat) : strlen(pat), plen = w->path.len;
	int n = 0, i;

	if (!*pat) {
		offer_files(w, dir);
		return;
	}
	if (libfsntfs_file_entry_get_number_of_sub_file_entries(dir, &n, &e) != 1) {
		libfsntfs_error_free(&e);
		return;
	}
	for (i = 0; i < n && i < MAX_ENTRIES && !w->oom; i++) {
		libfsntfs_file_entry_t *sub = NULL;
		char name[MAX_NAME];

		if (libfsntfs_file_entry_get_sub_file_entry_by_index(dir, i, &sub, &e) != 1) {
			libfsntfs_error_free(&e);
			continue;
		}
		if (!entry_name(sub, name, sizeof(name)) &&
		    ((len == 1 && pat[0] == '*') ||
		     (strlen(name) == len && rt_strncaseeq(name, pat, len))) &&
		    is_dir(sub)) {
			if (rt_buf_addch(&w->path, '/') || rt_buf_adds(&w->path, name))
				w->oom = 1;
			else
				find(w, sub, slash ? slash + 1 : "");
			rt_buf_truncate(&w->path, plen);
		}
		libfsntfs_file_entry_free(&sub, NULL);
	}
}

int rt_ntfs_find(rt_ntfs *fs, const char *prefix, rt_ntfs_visit fn, void *ctx)
{
	libfsntfs_error_t *e = NULL;
	libfsntfs_file_entry_t *root = NULL;
	walker w;
	size_t t;

	memset(&w, 0, sizeof(w));
	w.fs = fs;
	w.prefix = prefix ? prefix : "";
	w.fn = fn;
	w.ctx = ctx;
	/* no lock: the walk runs alone (rt_ntfs_find's contract), and the
	 * callback reads the files it is offered, which takes the lock */
	for (t = 0; t < sizeof(targets) / sizeof(targets[0]) && !w.oom; t++) {
		if (libfsntfs_volume_get_root_directory(fs->vol->v, &root, &e) != 1) {
			libfsntfs_error_free(&e);
			break;
		}
		rt_buf_reset(&w.path);
		find(&w, root, targets[t]);
		libfsntfs_file_entry_free(&root, NULL);
	}
	rt_buf_release(&w.path);
	return w.oom ? -1 : 0;
}

/* -------------------------------------------------------------------- API */

int rt_ntfs_open(rt_source *volume, rt_ntfs **out, char *err, size_t n)
{
	libfsntfs_error_t *e = NULL;
	rt_ntfs *fs = calloc(1, sizeof(*fs));
	vol *v = calloc(1, sizeof(*v));

	*out = NULL;
	if (!fs || !v || !(v->lock = src_lock_new())) {
		snprintf(err, n, "out of memory");
		goto fail;
	}
	if (rt_lazy_yal_handle(RT_YAL_FSNTFS, volume, &v->api, &v->bfio, err, n))
		goto fail;
	v->under = rt_source_ref(volume);
	if (libfsntfs_volume_initialize(&v->v, &e) != 1 ||
	    libfsntfs_volume_open_file_io_handle(v->v, v->bfio, LIBFSNTFS_OPEN_READ, &e) != 1) {
		FS_ERR(&e, "libfsntfs cannot open it", err, n);
		goto fail;
	}
	fs->vol = v;
	fs->self = src_new(&vol_ops, v, 0, rt_source_name(volume), NULL);
	v = NULL;
	if (!fs->self) {
		snprintf(err, n, "out of memory");
		goto fail;
	}
	*out = fs;
	return 0;
fail:
	vol_release(v);
	if (fs)
		rt_source_unref(&fs->self);
	free(fs);
	return -1;
}

void rt_ntfs_free(rt_ntfs **fsp)
{
	rt_ntfs *fs = fsp ? *fsp : NULL;

	if (!fs)
		return;
	rt_source_unref(&fs->self);
	free(fs);
	*fsp = NULL;
}
