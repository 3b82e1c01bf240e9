/*
 * From the paths a user gives to artifacts grouped by host.
 *
 * The walk uses openat/fstatat relative to directory descriptors, so what is
 * looked at is what was checked (no re-resolution of path strings while
 * walking). An artifact's descriptor, from the open that recognised it, is
 * kept in its byte source, and every later stage reads through it. Folders
 * and files are opened with O_NOATIME where the kernel allows it. The walk
 * never follows a symbolic link found inside a tree: links in
 * a collection either point inside it (the target is walked anyway) or out
 * of it (not the evidence the user named), and mounted NTFS volumes show
 * their junctions as links that would make everything appear twice.
 * Directories are remembered by device and inode, so bind mounts and paths
 * named twice are walked once and cannot loop.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "evidence_int.h"
#include "remtrail/util.h"

#define MAX_DEPTH 64
/* Files of one group opened for a name before falling back to the folder. */
#define MAX_PROBES 32
/* Below this size a file cannot carry any magic we look for. */
#define MIN_ARTIFACT_SIZE 8
/* Fixed-size VHDs only have their footer at the end, and raw images only a
 * boot sector: met while walking, smaller files are not taken for images
 * (C:\bootsect.bak is an 8 KiB NTFS boot sector). */
#define MIN_IMAGE_SIZE ((uint64_t)1 << 20)

typedef struct item {
	char *path;     /* as found, under a path the user gave */
	char *spath;    /* absolute, for reading the layout */
	size_t dir_len; /* path[0..dir_len) is the folder holding the file */
	rt_source *src; /* the descriptor that recognised it */
	dev_t dev;
	ino_t ino;
	ev_type type;
	uint64_t size;
	rt_hive_class cls;
	int is_backup;
	int dropped; /* duplicate, or a log attached to its hive */
	size_t group;
	rt_artifact *logs;
	size_t nlogs;
	char *root;      /* inside an image: the volume's collection root */
	char *name_hint; /* inside an image: the image's name, for naming */
	rt_origin origin;
} item;

typedef struct group {
	size_t *members; /* indices of its items, in path order */
	size_t nmembers;
	char *key;    /* collection root, or the file itself when loose */
	char *folder; /* decoded name of the collection folder */
	int loose;
	char *name;
	char *full_name;
	const char *source;
	int strength;
	size_t host;
} group;

typedef struct dirid {
	dev_t dev;
	ino_t ino;
	int used;
} dirid;

typedef struct ctx {
	rt_diag *diag;
	const rt_evidence_opts *o;
	item *items;
	size_t n, alloc;
	dirid *dirs; /* open-addressing set of walked directories */
	size_t ndirs, dirs_cap;
	size_t links; /* symbolic links skipped under the current root */
	ev_image *imgs; /* images met, opened after the walk */
	size_t nimgs;
	rt_container *cont;
	size_t ncont;
	int oom;
} ctx;

/* ---------------------------------------------------------- visited set */

static size_t dir_hash(dev_t dev, ino_t ino, size_t cap)
{
	uint64_t h = (uint64_t)ino * 0x9E3779B97F4A7C15ULL ^ (uint64_t)dev * 0xC2B2AE3D27D4EB4FULL;

	return (size_t)(h >> 17) & (cap - 1);
}

/* 1 if newly added, 0 if it was there, -1 on OOM. */
static int dir_visit(ctx *c, dev_t dev, ino_t ino)
{
	size_t i;

	if ((c->ndirs + 1) * 2 > c->dirs_cap) {
		size_t cap = c->dirs_cap ? c->dirs_cap * 2 : 256, j;
		dirid *d = calloc(cap, sizeof(*d));

		if (!d)
			return -1;
		for (j = 0; j < c->dirs_cap; j++) {
			if (!c->dirs[j].used)
				continue;
			for (i = dir_hash(c->dirs[j].dev, c->dirs[j].ino, cap); d[i].used;
			     i = (i + 1) & (cap - 1))
				;
			d[i] = c->dirs[j];
		}
		free(c->dirs);
		c->dirs = d;
		c->dirs_cap = cap;
	}
	for (i = dir_hash(dev, ino, c->dirs_cap); c->dirs[i].used; i = (i + 1) & (c->dirs_cap - 1))
		if (c->dirs[i].dev == dev && c->dirs[i].ino == ino)
			return 0;
	c->dirs[i].dev = dev;
	c->dirs[i].ino = ino;
	c->dirs[i].used = 1;
	c->ndirs++;
	return 1;
}

/* -------------------------------------------------------------- helpers */

static char *join(const char *dir, const char *name)
{
	rt_buf b = RT_BUF_INIT;
	size_t n = strlen(dir);

	if (rt_buf_adds(&b, dir) || ((n == 0 || dir[n - 1] != '/') && rt_buf_addch(&b, '/')) ||
	    rt_buf_adds(&b, name)) {
		rt_buf_release(&b);
		return NULL;
	}
	return rt_buf_detach(&b, NULL);
}

/* Open a folder read-only, O_NOATIME where the kernel lets us (reading a
 * folder's entries would set its access time). */
static int open_dir(int dfd, const char *name, int nofollow)
{
	int fl = O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY | (nofollow ? O_NOFOLLOW : 0);
	int fd = -1;

#ifdef O_NOATIME
	fd = openat(dfd, name, fl | O_NOATIME);
	if (fd >= 0 || errno != EPERM)
		return fd;
#endif
	return openat(dfd, name, fl);
}

/* ------------------------------------------------------------- the walk */

/* List an artifact found at `path` (its source moves into the item). */
static void add_item(ctx *c, const char *path, const char *spath, rt_source **src, ev_type type)
{
	const char *slash;
	item *it;

	if (c->n == c->alloc) {
		size_t na = c->alloc ? c->alloc * 2 : 64;
		item *p = realloc(c->items, na * sizeof(*p));

		if (!p) {
			rt_source_unref(src);
			c->oom = 1;
			return;
		}
		c->items = p;
		c->alloc = na;
	}
	it = &c->items[c->n];
	memset(it, 0, sizeof(*it));
	it->path = strdup(path);
	it->spath = strdup(spath);
	if (!it->path || !it->spath) {
		free(it->path);
		free(it->spath);
		rt_source_unref(src);
		c->oom = 1;
		return;
	}
	slash = strrchr(it->path, '/');
	it->dir_len = slash ? (size_t)(slash - it->path) : 0;
	it->src = *src;
	*src = NULL;
	rt_source_file_id(it->src, &it->dev, &it->ino);
	it->type = type;
	it->size = rt_source_size(it->src);
	c->n++;
}

/* Remember an image, opened after the walk; its folder's descriptor kept
 * for the files that belong with it. */
static void add_image(ctx *c, rt_source **src, const char *path, const char *spath,
		      const char *kind, int dfd, int direct)
{
	ev_image *p = realloc(c->imgs, (c->nimgs + 1) * sizeof(*p)), *im;
	const char *slash = strrchr(path, '/');
	char *dir;

	if (p)
		c->imgs = p;
	dir = slash ? strndup(path, (size_t)(slash - path + (slash == path))) : strdup("");
	if (!p || !dir) {
		free(dir);
		rt_source_unref(src);
		c->oom = 1;
		return;
	}
	im = &p[c->nimgs];
	memset(im, 0, sizeof(*im));
	im->dir = dir;
	im->kind = kind;
	im->direct = direct;
	im->dirfd = direct ? open_dir(AT_FDCWD, slash ? dir : ".", 0) : dup(dfd);
	im->path = strdup(path);
	im->spath = strdup(spath);
	im->src = *src;
	*src = NULL;
	c->nimgs++;
	if (!im->path || !im->spath)
		c->oom = 1;
}

static void walk_archive(ctx *c, rt_source *src, const char *path, const char *spath,
			 const char *kind, int depth);

/*
 * Recognise the file in `src` (a reference is taken when it is kept) and
 * list it: an artifact, an image to open after the walk (unless `in_image`:
 * images inside images are not opened), or nothing. `direct` when the user
 * named it: then anything else is an error rather than skipped.
 */
static void take(ctx *c, rt_source *src, const char *path, const char *spath, int direct,
		 int dfd, const ev_found *in_image)
{
	uint8_t head[EV_HEAD_SIZE], tail[512];
	uint64_t size = rt_source_size(src);
	ev_sniff sn;
	ssize_t got;
	int have_tail = 0;

	if (size < MIN_ARTIFACT_SIZE && !direct)
		return;
	if (c->o && c->o->sha256)
		rt_source_want_sha256(src);
	got = rt_source_read(src, head, sizeof(head), 0);
	if (got < 0) {
		char why[256];

		rt_diag_error(c->diag, path, "cannot read: %s",
			      *rt_source_error(src, why, sizeof(why)) ? why : strerror(errno));
		return;
	}
	/* (not in an archive: the tail would decompress the whole entry) */
	if (size >= MIN_IMAGE_SIZE && size % 512 == 0 && !(in_image && in_image->archive_depth))
		have_tail = rt_source_read(src, tail, sizeof(tail), size - 512) == (ssize_t)sizeof(tail);
	ev_sniff_buf(head, (size_t)got, have_tail ? tail : NULL, size, &sn);
	if (sn.type == EV_IMAGE && sn.image_raw && !direct && size < MIN_IMAGE_SIZE)
		sn.type = EV_OTHER;

	switch (sn.type) {
	case EV_OTHER:
		if (direct)
			rt_diag_error(c->diag, path, "not an EVTX file, registry hive or disk image");
		return;
	case EV_IMAGE:
		/* later segments come with the first; images inside images are
		 * not opened (an image in an archive is) */
		if ((!in_image || !in_image->root) && sn.image_segment <= 1) {
			rt_source *ref = rt_source_ref(src);

			add_image(c, &ref, path, spath, sn.image_kind, dfd, direct);
		}
		return;
	case EV_ARCHIVE:
		if (in_image && in_image->root)
			return; /* an archive inside an image's volume is not evidence */
		walk_archive(c, src, path, spath, sn.image_kind,
			     in_image ? in_image->archive_depth : 0);
		return;
	default:
		break;
	}
	src = rt_source_ref(src);
	add_item(c, path, spath, &src, sn.type);
	if (in_image && !in_image->root && !c->oom) {
		item *it = &c->items[c->n - 1];

		it->origin = *in_image->origin;
		if (!(it->origin.inner_path = strdup(in_image->origin->inner_path)))
			c->oom = 1;
	} else if (in_image && !c->oom) {
		item *it = &c->items[c->n - 1];
		const char *base = strrchr(c->cont[in_image->origin->container - 1].path, '/');
		const char *dot;

		base = base ? base + 1 : c->cont[in_image->origin->container - 1].path;
		dot = strrchr(base, '.');
		it->root = strdup(in_image->root);
		it->name_hint = dot && dot != base ? strndup(base, (size_t)(dot - base)) : strdup(base);
		it->origin = *in_image->origin;
		it->origin.inner_path = strdup(in_image->origin->inner_path);
		if (!it->root || !it->name_hint || !it->origin.inner_path)
			c->oom = 1;
	}
}

/* ------------------------------------------------------------- archives */

/* Archives inside archives are opened this deep, no deeper (a ZIP of
 * VHDX, a ZIP of a .tar.gz, but not further). */
#define MAX_ARCHIVE_DEPTH 2

typedef struct arc {
	ctx *c;
	const char *path, *spath;
	size_t container;
	int depth;
	rt_buf sp;
} arc;

static void arc_visit(void *p, const char *name, rt_source *file, const char *why)
{
	arc *a = p;
	const char *inner = name + strlen(a->path) + 1;
	rt_origin o;
	ev_found f;

	if (!file) {
		rt_diag_error(a->c->diag, name, "cannot read this archive entry: %s", why);
		return;
	}
	rt_buf_reset(&a->sp);
	if (rt_buf_addf(&a->sp, "%s/%s", a->spath, inner)) {
		a->c->oom = 1;
		return;
	}
	memset(&o, 0, sizeof(o));
	o.container = a->container;
	o.inner_path = (char *)inner;
	o.mft_entry = UINT64_MAX;
	f.src = file;
	f.path = name;
	f.spath = a->sp.buf;
	f.root = NULL;
	f.origin = &o;
	f.archive_depth = a->depth;
	take(a->c, file, name, a->sp.buf, 0, -1, &f);
}

/* Recognise what is in an archive as if its entries were files in a
 * folder named after it. */
static void walk_archive(ctx *c, rt_source *src, const char *path, const char *spath,
			 const char *kind, int depth)
{
	rt_container *p, *ct;
	char err[512];
	arc a;

	if (depth >= MAX_ARCHIVE_DEPTH) {
		rt_diag_warn(c->diag, path, "%s archive inside %d others: not opened", kind, depth);
		return;
	}
	p = realloc(c->cont, (c->ncont + 1) * sizeof(*p));
	if (!p) {
		c->oom = 1;
		return;
	}
	c->cont = p;
	ct = &p[c->ncont++];
	memset(ct, 0, sizeof(*ct));
	ct->kind = kind;
	ct->archive = 1;
	ct->media_size = rt_source_size(src);
	ct->path = strdup(path);
	ct->files = calloc(1, sizeof(*ct->files));
	if (!ct->path || !ct->files || !(ct->files[0].path = strdup(path))) {
		c->oom = 1;
		return;
	}
	ct->nfiles = 1;
	ct->files[0].src = rt_source_ref(src);
	ct->files[0].size = rt_source_size(src);
	ct->files[0].origin.mft_entry = UINT64_MAX;
	memset(&a, 0, sizeof(a));
	a.c = c;
	a.path = path;
	a.spath = spath;
	a.container = c->ncont;
	a.depth = depth + 1;
	rt_buf_init(&a.sp, 0);
	if (rt_archive_walk(src, path, arc_visit, &a, err, sizeof(err)))
		rt_diag_error(c->diag, path, "cannot read %s archive: %s", kind, err);
	rt_buf_release(&a.sp);
}

/* Open one regular file by name in folder `dfd` and take it. */
static void consider(ctx *c, int dfd, const char *name, const char *path, const char *spath,
                     int direct)
{
	rt_source *src = NULL;

	if (rt_source_open_file(dfd, name, path, direct, &src) != 0) {
		if (errno == ENOMEM)
			c->oom = 1;
		else if (errno == EINVAL)
			rt_diag_error(c->diag, path, "not a regular file or folder");
		else
			rt_diag_error(c->diag, path, "cannot open: %s", rt_source_open_error(errno));
		return;
	}
	take(c, src, path, spath, direct, dfd, NULL);
	rt_source_unref(&src);
}

/* A file found inside an image (images.c). */
static void found(void *ctxp, const ev_found *f)
{
	ctx *c = ctxp;

	if (!c->oom)
		take(c, f->src, f->path, f->spath, 0, -1, f);
}

/* The sorted names in a directory (NULL-terminated; NULL on failure). */
static char **list_dir(int dfd, size_t *count)
{
	DIR *d;
	struct dirent *e;
	char **v = NULL;
	size_t n = 0, alloc = 0;
	int fd = dup(dfd);

	*count = 0;
	if (fd < 0)
		return NULL;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return NULL;
	}
	rewinddir(d);
	errno = 0;
	while ((e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (n + 1 >= alloc) {
			size_t na = alloc ? alloc * 2 : 32;
			char **p = realloc(v, na * sizeof(*p));

			if (!p)
				goto fail;
			v = p;
			alloc = na;
		}
		v[n] = strdup(e->d_name);
		if (!v[n])
			goto fail;
		n++;
	}
	closedir(d);
	if (!v) {
		v = calloc(1, sizeof(*v));
		if (!v)
			return NULL;
	}
	v[n] = NULL;
	qsort(v, n, sizeof(*v), rt_cmp_cstr);
	*count = n;
	return v;
fail:
	closedir(d);
	while (n)
		free(v[--n]);
	free(v);
	errno = ENOMEM;
	return NULL;
}

static void free_names(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void walk(ctx *c, int dfd, const char *path, const char *spath, int depth)
{
	size_t n, i;
	char **names = list_dir(dfd, &n);

	if (!names) {
		if (errno == ENOMEM)
			c->oom = 1;
		else
			rt_diag_error(c->diag, path, "cannot read folder: %s", strerror(errno));
		return;
	}
	for (i = 0; i < n && !c->oom; i++) {
		struct stat st;
		char *p = join(path, names[i]), *sp = join(spath, names[i]);
		int fd;

		if (!p || !sp) {
			c->oom = 1;
		} else if (fstatat(dfd, names[i], &st, AT_SYMLINK_NOFOLLOW) != 0) {
			rt_diag_error(c->diag, p, "cannot stat: %s", strerror(errno));
		} else if (S_ISREG(st.st_mode)) {
			if ((uint64_t)st.st_size >= MIN_ARTIFACT_SIZE)
				consider(c, dfd, names[i], p, sp, 0);
		} else if (S_ISDIR(st.st_mode)) {
			fd = open_dir(dfd, names[i], 1);
			if (fd < 0) {
				rt_diag_error(c->diag, p, "cannot open folder: %s",
				              strerror(errno));
			} else {
				int r =
				    fstat(fd, &st) == 0 ? dir_visit(c, st.st_dev, st.st_ino) : 0;

				if (r < 0)
					c->oom = 1;
				else if (r > 0 && depth + 1 >= MAX_DEPTH)
					rt_diag_error(
					    c->diag, p,
					    "folders nested deeper than %d levels: not walked",
					    MAX_DEPTH);
				else if (r > 0)
					walk(c, fd, p, sp, depth + 1);
				close(fd);
			}
		} else if (S_ISLNK(st.st_mode)) {
			c->links++;
		}
		/* devices, pipes and sockets are not evidence files */
		free(p);
		free(sp);
	}
	free_names(names, n);
}

/* A hive named directly brings the transaction logs lying next to it. */
static int is_log_name_of(const char *name, const char *hive)
{
	static const char *const sfx[] = {".LOG", ".LOG1", ".LOG2"};
	size_t n = strlen(hive), i;

	if (!rt_strncaseeq(name, hive, n))
		return 0;
	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++)
		if (rt_strcaseeq(name + n, sfx[i]))
			return 1;
	return 0;
}

static void add_sibling_logs(ctx *c, const char *path, const char *spath)
{
	const char *slash = strrchr(path, '/'), *sslash = strrchr(spath, '/');
	char *dir = slash ? strndup(path, (size_t)(slash - path + (slash == path))) : strdup(".");
	char *sdir = sslash ? strndup(spath, (size_t)(sslash - spath + (sslash == spath))) : NULL;
	const char *base = slash ? slash + 1 : path;
	char **names = NULL;
	size_t n = 0, i;
	int dfd;

	if (!dir || (sslash && !sdir)) {
		c->oom = 1;
		goto out;
	}
	dfd = open_dir(AT_FDCWD, dir, 0);
	if (dfd < 0)
		goto out;
	names = list_dir(dfd, &n);
	for (i = 0; names && i < n && !c->oom; i++) {
		struct stat st;
		char *p, *sp;

		if (!is_log_name_of(names[i], base) ||
		    fstatat(dfd, names[i], &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
			continue;
		p = slash ? join(dir, names[i]) : strdup(names[i]);
		sp = join(sdir ? sdir : ".", names[i]);
		if (p && sp)
			consider(c, dfd, names[i], p, sp, 0);
		else
			c->oom = 1;
		free(p);
		free(sp);
	}
	if (names)
		free_names(names, n);
	close(dfd);
out:
	free(dir);
	free(sdir);
}

static void collect_one(ctx *c, const char *path)
{
	struct stat st;
	char *real;
	int fd;

	if (!*path) {
		rt_diag_error(c->diag, "(empty path)", "cannot open: empty path");
		return;
	}
	/* A link the user names is followed: naming it is the choice. */
	if (stat(path, &st) != 0) {
		rt_diag_error(c->diag, path, "cannot open: %s", strerror(errno));
		return;
	}
	if (S_ISBLK(st.st_mode) || S_ISCHR(st.st_mode)) {
		rt_diag_error(c->diag, path, "is a device: devices are not read; acquire it to an "
					     "image (ewfacquire, dd) and give the image");
		return;
	}
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
		rt_diag_error(c->diag, path, "not a regular file or folder");
		return;
	}
	real = realpath(path, NULL);
	if (!real && errno == ENOMEM) {
		c->oom = 1;
		return;
	}
	if (S_ISREG(st.st_mode)) {
		size_t before = c->n;

		consider(c, AT_FDCWD, path, path, real ? real : path, 1);
		if (c->n > before && c->items[c->n - 1].type == EV_HIVE)
			add_sibling_logs(c, path, real ? real : path);
		free(real);
		return;
	}
	fd = open_dir(AT_FDCWD, path, 0);
	if (fd < 0) {
		rt_diag_error(c->diag, path, "cannot open folder: %s", strerror(errno));
	} else {
		int r = fstat(fd, &st) == 0 ? dir_visit(c, st.st_dev, st.st_ino) : 0;
		size_t n = strlen(path);
		char *p = strdup(path);

		/* "dir/" and "dir" give the same paths below */
		while (p && n > 1 && p[n - 1] == '/')
			p[--n] = '\0';
		if (r < 0 || !p)
			c->oom = 1;
		else if (r > 0)
			walk(c, fd, p, real ? real : p, 0);
		/* Said once per root, so that evidence reached only through links
		 * is not silently missing, without a line per NTFS junction. */
		if (c->links)
			rt_diag_warn(c->diag, p ? p : path,
			             "%zu symbolic link%s not followed (links inside a folder "
			             "never are: name a link's target to include it)",
			             c->links, c->links == 1 ? "" : "s");
		c->links = 0;
		free(p);
		close(fd);
	}
	free(real);
}

/* ------------------------------------------------------ logs and kinds */

static int cmp_item_path(const void *a, const void *b)
{
	return strcmp(((const item *)a)->path, ((const item *)b)->path);
}

static int cmp_item_id(const void *a, const void *b)
{
	const item *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return strcmp(x->path, y->path);
}

static void drop_duplicates(ctx *c)
{
	size_t i;

	if (c->n < 2)
		return;
	qsort(c->items, c->n, sizeof(*c->items), cmp_item_id);
	/* files inside images have no inode of their own (0): never the same */
	for (i = 1; i < c->n; i++)
		if (c->items[i].ino && c->items[i].dev == c->items[i - 1].dev &&
		    c->items[i].ino == c->items[i - 1].ino)
			c->items[i].dropped = 1;
	qsort(c->items, c->n, sizeof(*c->items), cmp_item_path);
}

static const char *base_name(const item *it)
{
	return it->path + it->dir_len + (it->path[it->dir_len] == '/');
}

/* Length of the hive name a log is named after ("SYSTEM" of "SYSTEM.LOG1"),
 * 0 if the log's name has no log suffix. */
static size_t log_stem(const char *name)
{
	static const char *const sfx[] = {".LOG", ".LOG1", ".LOG2"};
	size_t n = strlen(name), i;

	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++)
		if (rt_endswith_ci(name, sfx[i]) && n > strlen(sfx[i]))
			return n - strlen(sfx[i]);
	return 0;
}

/* Compare (folder, name ignoring case) of two places; names of `na`/`nb`
 * bytes. */
static int cmp_place(const char *da, size_t la, const char *na, size_t nla, const char *db,
                     size_t lb, const char *nb, size_t nlb)
{
	size_t i;
	int r;

	if (la != lb)
		return la < lb ? -1 : 1;
	r = memcmp(da, db, la);
	if (r)
		return r;
	for (i = 0; i < nla && i < nlb; i++) {
		int x = tolower((unsigned char)na[i]), y = tolower((unsigned char)nb[i]);

		if (x != y)
			return x - y;
	}
	return nla == nlb ? 0 : nla < nlb ? -1 : 1;
}

static int cmp_hive_place(const void *a, const void *b)
{
	const item *x = *(item *const *)a, *y = *(item *const *)b;
	const char *bx = base_name(x), *by = base_name(y);
	int r = cmp_place(x->path, x->dir_len, bx, strlen(bx), y->path, y->dir_len, by, strlen(by));

	return r ? r : strcmp(x->path, y->path);
}

/* The hive a log belongs to: same folder, same name ignoring case (the
 * bytewise-first path if several differ only in case); NULL if none. */
static item *hive_of_log(item **hives, size_t nh, const item *lg, const char *stem, size_t sl)
{
	size_t lo = 0, hi = nh;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *bm = base_name(hives[mid]);

		if (cmp_place(hives[mid]->path, hives[mid]->dir_len, bm, strlen(bm), lg->path,
		              lg->dir_len, stem, sl) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < nh) {
		const char *bl = base_name(hives[lo]);

		if (!cmp_place(hives[lo]->path, hives[lo]->dir_len, bl, strlen(bl), lg->path,
		               lg->dir_len, stem, sl))
			return hives[lo];
	}
	return NULL;
}

static int add_log(item *hive, item *lg)
{
	rt_artifact *p = realloc(hive->logs, (hive->nlogs + 1) * sizeof(*p)), *a;

	if (!p)
		return -1;
	hive->logs = p;
	a = &hive->logs[hive->nlogs++];
	memset(a, 0, sizeof(*a));
	a->kind = RT_ART_HIVE_LOG;
	a->path = lg->path;
	a->size = lg->size;
	a->src = lg->src;
	/* inside an image or archive, a log cites where it lies as its hive does */
	a->origin = lg->origin;
	lg->path = NULL;
	lg->src = NULL;
	lg->origin.inner_path = NULL;
	return 0;
}

static void attach_logs(ctx *c)
{
	item **hives = malloc((c->n ? c->n : 1) * sizeof(*hives));
	size_t i, nh = 0;

	if (!hives) {
		c->oom = 1;
		return;
	}
	for (i = 0; i < c->n; i++)
		if (!c->items[i].dropped && c->items[i].type == EV_HIVE)
			hives[nh++] = &c->items[i];
	if (nh > 1)
		qsort(hives, nh, sizeof(*hives), cmp_hive_place);
	for (i = 0; i < c->n && !c->oom; i++) {
		item *lg = &c->items[i], *hive;
		const char *lname;
		size_t stem;

		if (lg->dropped || lg->type != EV_HIVE_LOG)
			continue;
		lg->dropped = 1;
		lname = base_name(lg);
		stem = log_stem(lname);
		hive = stem ? hive_of_log(hives, nh, lg, lname, stem) : NULL;
		if (hive) {
			if (add_log(hive, lg))
				c->oom = 1;
		} else if (stem) {
			rt_diag_warn(c->diag, lg->path,
			             "transaction log without its hive ('%.*s' is not in the "
			             "same folder): not used",
			             (int)stem, lname);
		} else {
			rt_diag_warn(c->diag, lg->path,
			             "transaction log not named after a hive: not used");
		}
	}
	free(hives);
}

/* ------------------------------------------------------------- grouping */

static void upper(char *s)
{
	for (; *s; s++)
		*s = (char)toupper((unsigned char)*s);
}

/* "ws01.corp.example" -> "WS01" (malloc'd). */
static char *short_name(const char *full)
{
	const char *dot = strchr(full, '.');
	char *s = dot && dot != full ? strndup(full, (size_t)(dot - full)) : strdup(full);

	if (s)
		upper(s);
	return s;
}

static void set_name(group *g, char *name, char *full, const char *source, int strength)
{
	free(g->name);
	free(g->full_name);
	g->name = name;
	g->full_name = full;
	g->source = source;
	g->strength = strength;
}

enum { STR_NONE, STR_FOLDER, STR_SIBLING, STR_EVTX, STR_SYSTEM };

/* EVTX files most likely to carry the machine's own name come first;
 * ForwardedEvents holds other machines' records and is never asked. */
static int evtx_rank(const item *it)
{
	const char *b = base_name(it);

	if (it->type != EV_EVTX || rt_strcaseeq(b, "ForwardedEvents.evtx"))
		return -1;
	return (it->is_backup ? 4 : 0) + (rt_strcaseeq(b, "Security.evtx") ? 0
	                                  : rt_strcaseeq(b, "System.evtx") ? 1
	                                                                   : 2);
}

static int system_rank(const item *it)
{
	return it->type == EV_HIVE && it->cls.kind == RT_HIVE_SYSTEM ? it->is_backup : -1;
}

static rt_host_namer system_namer(const rt_evidence_opts *o)
{
	return o->name_from_system;
}

static rt_host_namer evtx_namer(const rt_evidence_opts *o)
{
	return o->name_from_evtx;
}

/* Where a group's name may come from, strongest first. */
static const struct namer {
	int (*rank)(const item *it); /* -1: not asked; lower ranks asked first */
	int nranks;
	rt_host_namer (*namer)(const rt_evidence_opts *o); /* the caller's, or NULL */
	const char *source;
	int strength;
} namers[] = {
    {system_rank, 2, system_namer, "SYSTEM hive", STR_SYSTEM},
    {evtx_rank, 7, evtx_namer, "EVTX Computer", STR_EVTX},
};

/* Longer names are not computer names (NetBIOS: 15, DNS: 255). */
#define MAX_NAME 256

/* 1 when the namer named g, 0 when not, -1 on out of memory. Touches
 * nothing but g and its members' sources (groups are named side by side). */
static int name_from(const ctx *c, group *g, const struct namer *nm)
{
	rt_host_namer read = c->o ? nm->namer(c->o) : NULL;
	int rank, probes = 0;
	size_t i;

	if (!read)
		return 0;
	for (rank = 0; rank < nm->nranks; rank++) {
		for (i = 0; i < g->nmembers && probes < MAX_PROBES; i++) {
			item *it = &c->items[g->members[i]];
			char *full, *name;

			if (nm->rank(it) != rank)
				continue;
			probes++;
			full = read(c->o->namer_ctx, it->src);
			if (full && strlen(full) >= MAX_NAME) {
				free(full);
				full = NULL;
			}
			if (!full)
				continue;
			name = short_name(full);
			if (!name) {
				free(full);
				return -1;
			}
			set_name(g, name, full, nm->source, nm->strength);
			return 1;
		}
	}
	return 0;
}

/*
 * Loose files that do not name a machine themselves (a SOFTWARE hive, an
 * empty log) take the name their folder's other loose files agree on: the
 * analyst who drops SYSTEM, SOFTWARE and Security.evtx into one folder
 * means one machine. No agreement, no adoption.
 */
static int cmp_item_dir(const void *a, const void *b)
{
	const item *x = *(item *const *)a, *y = *(item *const *)b;
	int r = cmp_place(x->path, x->dir_len, "", 0, y->path, y->dir_len, "", 0);

	return r ? r : strcmp(x->path, y->path);
}

static int adopt_name(group *to, const group *from)
{
	char *n = strdup(from->name), *f = from->full_name ? strdup(from->full_name) : NULL;

	if (!n || (from->full_name && !f)) {
		free(n);
		free(f);
		return -1;
	}
	set_name(to, n, f, "sibling", STR_SIBLING);
	return 0;
}

static void adopt_sibling_names(ctx *c, group *g)
{
	item **loose = malloc((c->n ? c->n : 1) * sizeof(*loose));
	size_t i, j, k, n = 0;

	if (!loose) {
		c->oom = 1;
		return;
	}
	for (i = 0; i < c->n; i++)
		if (!c->items[i].dropped && g[c->items[i].group].loose)
			loose[n++] = &c->items[i];
	if (n > 1)
		qsort(loose, n, sizeof(*loose), cmp_item_dir);
	for (i = 0; i < n && !c->oom; i = j) {
		const group *agreed = NULL;
		int conflict = 0;

		for (j = i; j < n && !cmp_place(loose[i]->path, loose[i]->dir_len, "", 0,
		                                loose[j]->path, loose[j]->dir_len, "", 0);
		     j++) {
			const group *og = &g[loose[j]->group];

			if (og->strength < STR_EVTX)
				continue;
			if (agreed && strcmp(agreed->name, og->name))
				conflict = 1;
			agreed = og;
		}
		for (k = i; agreed && !conflict && k < j; k++)
			if (g[loose[k]->group].strength < STR_EVTX &&
			    adopt_name(&g[loose[k]->group], agreed))
				c->oom = 1;
	}
	free(loose);
}

static int cmp_group_key(const void *a, const void *b)
{
	return strcmp(((const group *)a)->key, ((const group *)b)->key);
}

/* Give each group the list of its items, in path order. */
static int add_members(ctx *c, group *g, size_t ng)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (!c->items[i].dropped)
			g[c->items[i].group].nmembers++;
	for (i = 0; i < ng; i++) {
		g[i].members = malloc(g[i].nmembers * sizeof(*g[i].members));
		if (!g[i].members)
			return -1;
		g[i].nmembers = 0;
	}
	for (i = 0; i < c->n; i++)
		if (!c->items[i].dropped) {
			group *x = &g[c->items[i].group];

			x->members[x->nmembers++] = i;
		}
	return 0;
}

/* Build the groups (one per collection root, one per loose file). */
static group *make_groups(ctx *c, size_t *ng)
{
	group *g = NULL;
	size_t n = 0, i, j;

	*ng = 0;
	g = calloc(c->n ? c->n : 1, sizeof(*g));
	if (!g)
		return NULL;
	for (i = 0; i < c->n; i++) {
		item *it = &c->items[i];
		ev_layout l;
		int backup = 0;

		if (it->dropped)
			continue;
		if (ev_layout_of(it->spath, &l) != 0)
			goto oom;
		if (it->type == EV_HIVE) {
			/* the name only says whether it is an older copy (.sav, ...) */
			ev_hive_kind_from_name(base_name(it), &backup);
			rt_hive_classify(it->src, it->path, &it->cls);
		}
		it->is_backup = l.is_backup || backup || it->origin.shadow_copy;
		g[n].loose = !l.in_tree && !it->root;
		if (it->root)
			g[n].key = strdup(it->root);
		else if (!l.in_tree)
			g[n].key = strdup(it->spath);
		else
			g[n].key = l.root_len ? strndup(it->spath, l.root_len) : strdup("/");
		g[n].folder = it->name_hint ? strdup(it->name_hint) : l.root_name;
		if (!it->name_hint)
			l.root_name = NULL;
		ev_layout_release(&l);
		if (!g[n].key)
			goto oom;
		/* remember the item by its index until groups are merged */
		g[n].host = i;
		n++;
	}
	if (n > 1)
		qsort(g, n, sizeof(*g), cmp_group_key);
	for (i = 0, j = 0; i < n; i++) {
		if (j > 0 && !strcmp(g[j - 1].key, g[i].key)) {
			c->items[g[i].host].group = j - 1;
			free(g[i].key);
			free(g[i].folder);
			continue;
		}
		if (j != i)
			g[j] = g[i];
		c->items[g[j].host].group = j;
		j++;
	}
	*ng = n = j;
	if (add_members(c, g, n) == 0)
		return g;
oom:
	for (i = 0; i < n; i++) {
		free(g[i].key);
		free(g[i].folder);
		free(g[i].members);
	}
	free(g);
	*ng = 0;
	return NULL;
}

static int is_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/*
 * The host a collection folder is named after. Velociraptor's offline
 * collector names its output "Collection-<FQDN>-<YYYY-MM-DDTHH_MM_SSZ>":
 * that FQDN is taken like an EVTX Computer (short, upper case) so that it
 * meets the host's other evidence. Other folders are taken as they are.
 */
static char *folder_host(const char *folder)
{
	static const char prefix[] = "Collection-";
	const char *rest, *p, *date = NULL;

	if (!rt_strncaseeq(folder, prefix, sizeof(prefix) - 1))
		return strdup(folder);
	rest = folder + sizeof(prefix) - 1;
	for (p = rest; (p = strchr(p, '-')) != NULL; p++)
		if (strlen(p) >= 11 && is_digits(p + 1, 4) && p[5] == '-' && is_digits(p + 6, 2) &&
		    p[8] == '-' && is_digits(p + 9, 2))
			date = p;
	if (!date || date == rest)
		return strdup(folder);
	{
		char *fqdn = strndup(rest, (size_t)(date - rest)), *name;

		if (!fqdn)
			return NULL;
		name = short_name(fqdn);
		free(fqdn);
		return name;
	}
}

typedef struct name_job {
	const ctx *c;
	group *g;
	size_t ng, done;      /* groups; named so far (progress) */
	pthread_mutex_t lock; /* done, and the progress calls */
} name_job;

/* `add` more named, said to the progress function. */
static void name_step(name_job *j, size_t add)
{
	void (*fn)(const char *, size_t, size_t) = j->c->o ? j->c->o->progress : NULL;

	pthread_mutex_lock(&j->lock);
	j->done += add;
	if (fn)
		fn("collections and loose files named", j->done, j->ng);
	pthread_mutex_unlock(&j->lock);
}

/* Group i named from its own artifacts (rt_par_each). */
static int name_one(void *p, size_t i)
{
	name_job *j = p;
	size_t k;
	int r = 0;

	for (k = 0; k < sizeof(namers) / sizeof(namers[0]) && !r; k++)
		r = name_from(j->c, &j->g[i], &namers[k]);
	name_step(j, 1);
	return r < 0 ? -1 : 0;
}

static void name_groups(ctx *c, group *g, size_t ng)
{
	name_job j = { c, g, ng, 0, PTHREAD_MUTEX_INITIALIZER };
	size_t i;

	name_step(&j, 0);
	/* a SYSTEM hive is read whole for its name: the groups side by side */
	if (rt_par_each(ng, c->o ? c->o->threads : 1, name_one, &j))
		c->oom = 1;
	pthread_mutex_destroy(&j.lock);
	if (!c->oom)
		adopt_sibling_names(c, g);
	for (i = 0; i < ng && !c->oom; i++) {
		if (g[i].name)
			continue;
		if (g[i].folder && *g[i].folder) {
			g[i].name = folder_host(g[i].folder);
			g[i].source = "folder";
			g[i].strength = STR_FOLDER;
		} else {
			g[i].name = strdup("unknown");
			g[i].source = "none";
			g[i].strength = STR_NONE;
		}
		if (!g[i].name)
			c->oom = 1;
	}
}

/* ---------------------------------------------------------------- output */

static int cmp_group_ptr_name(const void *a, const void *b)
{
	const group *x = *(group *const *)a, *y = *(group *const *)b;
	int r = strcasecmp(x->name, y->name);

	if (r)
		return r;
	if (x->strength != y->strength)
		return y->strength - x->strength;
	return strcmp(x->name, y->name);
}

static int cmp_artifact_path(const void *a, const void *b)
{
	return strcmp(((const rt_artifact *)a)->path, ((const rt_artifact *)b)->path);
}

static int cmp_host_name(const void *a, const void *b)
{
	return strcmp(((const rt_host *)a)->name, ((const rt_host *)b)->name);
}

static int fill_host(rt_host *h, group *best)
{
	h->name = strdup(best->name);
	h->name_source = strdup(best->source);
	h->full_name = rt_strdup0(best->full_name);
	return h->name && h->name_source && (!best->full_name || h->full_name) ? 0 : -1;
}

static int add_root(rt_host *h, const group *g)
{
	char **p;

	if (g->loose)
		return 0;
	p = realloc(h->roots, (h->nroots + 1) * sizeof(*p));
	if (!p)
		return -1;
	h->roots = p;
	h->roots[h->nroots] = strdup(g->key);
	return h->roots[h->nroots++] ? 0 : -1;
}

/* Size each host's artifact array (left empty, nartifacts 0). */
static int alloc_artifacts(ctx *c, group *g, rt_evidence *ev)
{
	size_t i, h;

	for (i = 0; i < c->n; i++)
		if (!c->items[i].dropped)
			ev->hosts[g[c->items[i].group].host].nartifacts++;
	for (h = 0; h < ev->nhosts; h++) {
		rt_host *host = &ev->hosts[h];

		host->artifacts =
		    calloc(host->nartifacts ? host->nartifacts : 1, sizeof(*host->artifacts));
		host->nartifacts = 0;
		if (!host->artifacts)
			return -1;
	}
	return 0;
}

static rt_evidence *build(ctx *c, group *g, size_t ng)
{
	rt_evidence *ev = calloc(1, sizeof(*ev));
	group **order = calloc(ng ? ng : 1, sizeof(*order));
	size_t i, h;

	if (!ev || !order)
		goto oom;
	ev->hosts = calloc(ng ? ng : 1, sizeof(*ev->hosts));
	if (!ev->hosts)
		goto oom;
	for (i = 0; i < ng; i++)
		order[i] = &g[i];
	if (ng > 1)
		qsort(order, ng, sizeof(*order), cmp_group_ptr_name);
	for (i = 0; i < ng; i++) {
		if (i == 0 || strcasecmp(order[i - 1]->name, order[i]->name)) {
			if (fill_host(&ev->hosts[ev->nhosts++], order[i]))
				goto oom;
		}
		order[i]->host = ev->nhosts - 1;
		if (add_root(&ev->hosts[ev->nhosts - 1], order[i]))
			goto oom;
	}
	for (h = 0; h < ev->nhosts; h++)
		if (ev->hosts[h].nroots > 1)
			qsort(ev->hosts[h].roots, ev->hosts[h].nroots, sizeof(char *), rt_cmp_cstr);
	if (alloc_artifacts(c, g, ev))
		goto oom;
	for (i = 0; i < c->n; i++) {
		item *it = &c->items[i];
		rt_host *host;
		rt_artifact *a;

		if (it->dropped)
			continue;
		host = &ev->hosts[g[it->group].host];
		a = &host->artifacts[host->nartifacts++];
		a->kind = it->type == EV_EVTX ? RT_ART_EVTX : RT_ART_HIVE;
		a->path = it->path;
		it->path = NULL;
		a->size = it->size;
		a->src = it->src;
		it->src = NULL;
		a->hive_kind = it->type == EV_HIVE ? it->cls.kind : RT_HIVE_UNKNOWN;
		a->hive_kind_unsure = it->cls.unsure;
		if (it->type == EV_HIVE && !(a->hive_kind_reason = strdup(it->cls.reason)))
			goto oom_counted;
		a->is_backup = it->is_backup;
		a->origin = it->origin;
		it->origin.inner_path = NULL;
		a->logs = it->logs;
		a->nlogs = it->nlogs;
		it->logs = NULL;
		it->nlogs = 0;
		if (a->nlogs > 1)
			qsort(a->logs, a->nlogs, sizeof(*a->logs), cmp_artifact_path);
		ev->nartifacts++;
		continue;
oom_counted:
		ev->nartifacts++;
		goto oom;
	}
	/* Items were in path order, so each host's artifacts are too. Hosts
	 * were merged case-insensitively; they are listed bytewise. */
	if (ev->nhosts > 1)
		qsort(ev->hosts, ev->nhosts, sizeof(*ev->hosts), cmp_host_name);
	free(order);
	return ev;
oom:
	free(order);
	rt_evidence_free(&ev);
	return NULL;
}

/* ------------------------------------------------------------------ API */

/* Free what an artifact holds (not the struct itself). */
static void artifact_release(rt_artifact *a)
{
	size_t k;

	free(a->path);
	free(a->origin.inner_path);
	free(a->hive_kind_reason);
	rt_source_unref(&a->src);
	for (k = 0; k < a->nlogs; k++)
		artifact_release(&a->logs[k]);
	free(a->logs);
	memset(a, 0, sizeof(*a));
}

static void free_items(ctx *c)
{
	size_t i, j;

	for (i = 0; i < c->n; i++) {
		free(c->items[i].path);
		free(c->items[i].spath);
		free(c->items[i].root);
		free(c->items[i].name_hint);
		free(c->items[i].origin.inner_path);
		rt_source_unref(&c->items[i].src);
		for (j = 0; j < c->items[i].nlogs; j++)
			artifact_release(&c->items[i].logs[j]);
		free(c->items[i].logs);
	}
	free(c->items);
	free(c->dirs);
	for (i = 0; i < c->nimgs; i++) {
		rt_source_unref(&c->imgs[i].src);
		free(c->imgs[i].path);
		free(c->imgs[i].spath);
		free(c->imgs[i].dir);
		if (c->imgs[i].dirfd >= 0)
			close(c->imgs[i].dirfd);
	}
	free(c->imgs);
	for (i = 0; i < c->ncont; i++)
		ev_container_release(&c->cont[i]);
	free(c->cont);
}

int rt_evidence_collect(const char *const *paths, size_t npaths, const rt_evidence_opts *opts,
			rt_evidence **out, rt_diag *diag)
{
	ctx c;
	group *g = NULL;
	size_t ng = 0, i;
	int rc = -1;

	*out = NULL;
	memset(&c, 0, sizeof(c));
	c.diag = diag;
	c.o = opts;
	for (i = 0; i < npaths && !c.oom; i++)
		collect_one(&c, paths[i]);
	if (c.oom || ev_images_walk(c.imgs, c.nimgs, opts, diag, found, &c, &c.cont, &c.ncont) ||
	    c.oom)
		goto out;
	drop_duplicates(&c);
	attach_logs(&c);
	if (c.oom)
		goto out;
	g = make_groups(&c, &ng);
	if (!g)
		goto out;
	name_groups(&c, g, ng);
	if (c.oom)
		goto out;
	*out = build(&c, g, ng);
	rc = *out ? 0 : -1;
	if (*out) {
		(*out)->containers = c.cont;
		(*out)->ncontainers = c.ncont;
		c.cont = NULL;
		c.ncont = 0;
	}
out:
	for (i = 0; g && i < ng; i++) {
		free(g[i].key);
		free(g[i].folder);
		free(g[i].name);
		free(g[i].full_name);
		free(g[i].members);
	}
	free(g);
	free_items(&c);
	return rc;
}

void rt_evidence_free(rt_evidence **evp)
{
	rt_evidence *ev = evp ? *evp : NULL;
	size_t h, a, k;

	if (!ev)
		return;
	for (h = 0; h < ev->nhosts; h++) {
		rt_host *host = &ev->hosts[h];

		for (a = 0; a < host->nartifacts; a++)
			artifact_release(&host->artifacts[a]);
		free(host->artifacts);
		for (k = 0; k < host->nroots; k++)
			free(host->roots[k]);
		free(host->roots);
		free(host->name);
		free(host->name_source);
		free(host->full_name);
	}
	free(ev->hosts);
	for (h = 0; h < ev->ncontainers; h++)
		ev_container_release(&ev->containers[h]);
	free(ev->containers);
	free(ev);
	*evp = NULL;
}
