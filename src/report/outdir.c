/* The output directory: created when missing, never a non-empty one unless
 * forced, never inside the evidence nor beside an evidence file (by device
 * and inode, whatever the spelling), and files replaced atomically. */
#include "config.h"

#include <dirent.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "remtrail/report.h"

/*
 * The canonical absolute form of `path`, which need not exist yet: existing
 * components are resolved as the kernel would (links followed, ".." taken
 * from where a link leads), the not-yet-existing tail is collapsed
 * lexically (a component that does not exist is no link, so ".." there
 * just drops it). A link in the way that leads nowhere is refused: making
 * the folder would make its target, wherever that is. NULL with `err` set.
 */
static char *resolve(const char *path, char *err, size_t errlen)
{
	rt_buf head = RT_BUF_INIT, tail = RT_BUF_INIT, cand = RT_BUF_INIT;
	char *res = NULL, *cwd;
	const char *p, *e;
	int oom = 0;

	if (*path != '/') {
		if (!(cwd = getcwd(NULL, 0))) {
			snprintf(err, errlen, "cannot resolve path: %s", strerror(errno));
			return NULL;
		}
		oom |= rt_buf_adds(&head, cwd);
		free(cwd);
	} else {
		oom |= rt_buf_adds(&head, "/");
	}
	for (p = path; *p && !oom; p = *e ? e + 1 : e) {
		struct stat st;
		size_t n;

		e = strchr(p, '/');
		if (!e)
			e = p + strlen(p);
		n = (size_t)(e - p);
		if (n == 0 || (n == 1 && *p == '.'))
			continue;
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			char *slash;

			if (tail.len) {
				slash = strrchr(tail.buf, '/');
				rt_buf_truncate(&tail, slash ? (size_t)(slash - tail.buf) : 0);
			} else if ((slash = strrchr(head.buf, '/'))) {
				rt_buf_truncate(&head, slash == head.buf ? 1 : (size_t)(slash - head.buf));
			}
			continue;
		}
		if (tail.len) {
			oom |= rt_buf_addch(&tail, '/') || rt_buf_add(&tail, p, n);
			continue;
		}
		rt_buf_reset(&cand);
		oom |= rt_buf_add(&cand, head.buf, head.len) ||
		       (head.len > 1 && rt_buf_addch(&cand, '/')) || rt_buf_add(&cand, p, n);
		if (oom)
			break;
		if (lstat(cand.buf, &st) != 0) {
			if (errno != ENOENT) {
				snprintf(err, errlen, "cannot resolve path: %s", strerror(errno));
				goto out;
			}
			oom |= rt_buf_add(&tail, p, n);
		} else if (S_ISLNK(st.st_mode)) {
			char *real = realpath(cand.buf, NULL);

			if (!real) {
				snprintf(err, errlen, "goes through the symbolic link '%s', which leads "
					 "nowhere (%s): choose another folder", cand.buf, strerror(errno));
				goto out;
			}
			rt_buf_reset(&head);
			oom |= rt_buf_adds(&head, real);
			free(real);
		} else {
			rt_buf_reset(&head);
			oom |= rt_buf_add(&head, cand.buf, cand.len);
		}
	}
	if (tail.len)
		oom |= (head.len > 1 && rt_buf_addch(&head, '/')) || rt_buf_add(&head, tail.buf, tail.len);
	if (oom || !(res = rt_buf_detach(&head, NULL)))
		snprintf(err, errlen, "cannot resolve path: out of memory");
out:
	rt_buf_release(&head);
	rt_buf_release(&tail);
	rt_buf_release(&cand);
	return res;
}

/* What the output must stay out of: a folder given as evidence (and all
 * below it), or the folder holding an evidence file given by name. Compared
 * by device and inode, so that no spelling of a path, link or bind mount
 * gets around it. */
typedef struct guard {
	dev_t dev;
	ino_t ino;
	int file;          /* the folder of an evidence file (equality only) */
	const char *input; /* as the user gave it */
} guard;

static int add_guard(guard **g, size_t *n, const char *dir, int file, const char *input)
{
	struct stat st;
	guard *ng;

	if (stat(dir, &st) != 0)
		return 0;
	if (!(ng = realloc(*g, (*n + 1) * sizeof **g)))
		return -1;
	*g = ng;
	ng[*n].dev = st.st_dev;
	ng[*n].ino = st.st_ino;
	ng[*n].file = file;
	ng[*n].input = input;
	(*n)++;
	return 0;
}

/* Cut `path` (resolve()'s form) to its folder. */
static void to_folder(char *path)
{
	char *slash = strrchr(path, '/');

	if (slash)
		slash[slash == path] = '\0';
}

/* The guards of one input: itself when a folder; else the folder it lies in,
 * as named and where its links lead. */
static int input_guards(guard **g, size_t *n, const char *input)
{
	char err[256], *named, *real;
	struct stat st;
	int r = 0;

	if (stat(input, &st) != 0)
		return 0;
	if (S_ISDIR(st.st_mode))
		return add_guard(g, n, input, 0, input);
	named = resolve(input, err, sizeof err);
	real = realpath(input, NULL);
	if (named) {
		to_folder(named);
		r |= add_guard(g, n, named, 1, input);
	}
	if (real) {
		to_folder(real);
		r |= add_guard(g, n, real, 1, input);
	}
	free(named);
	free(real);
	return r;
}

/* Refuse `canon` (resolve()'s form) when it or a folder above it is a guard. */
static int check_guards(const char *canon, const guard *g, size_t n, char *err, size_t errlen)
{
	rt_buf b = RT_BUF_INIT;
	int leaf = 1;

	if (rt_buf_adds(&b, canon)) {
		snprintf(err, errlen, "cannot check it: out of memory");
		return -1;
	}
	for (;;) {
		struct stat st;
		size_t i;

		if (stat(b.buf, &st) == 0) {
			for (i = 0; i < n; i++) {
				if (g[i].dev != st.st_dev || g[i].ino != st.st_ino || (g[i].file && !leaf))
					continue;
				if (g[i].file)
					snprintf(err, errlen, "is the folder of the evidence file '%s': "
						 "choose a folder outside it", g[i].input);
				else
					snprintf(err, errlen, "lies inside the evidence '%s': choose a "
						 "folder outside it", g[i].input);
				rt_buf_release(&b);
				return -1;
			}
		}
		leaf = 0;
		if (b.len <= 1)
			break;
		to_folder(b.buf);
		b.len = strlen(b.buf);
	}
	rt_buf_release(&b);
	return 0;
}

static int mkdir_p(const char *dir)
{
	rt_buf b = RT_BUF_INIT;
	size_t i;
	int r = 0;

	if (rt_buf_adds(&b, dir))
		return -1;
	for (i = 1; i <= b.len && !r; i++) {
		if (b.buf[i] != '/' && b.buf[i] != '\0')
			continue;
		b.buf[i] = '\0';
		if (mkdir(b.buf, 0777) && errno != EEXIST)
			r = -1;
		if (i < b.len)
			b.buf[i] = '/';
	}
	rt_buf_release(&b);
	return r;
}

int rt_outdir_prepare(const char *dir, int force, const char *const *inputs, size_t ninputs,
		      char *err, size_t errlen)
{
	struct stat st;
	guard *g = NULL;
	size_t ng = 0, i;
	char *rdir = resolve(dir, err, errlen);
	int r = -1;

	if (!rdir)
		return -1;
	for (i = 0; i < ninputs; i++)
		if (input_guards(&g, &ng, inputs[i])) {
			snprintf(err, errlen, "cannot check it: out of memory");
			goto out;
		}
	if (check_guards(rdir, g, ng, err, errlen))
		goto out;
	if (!stat(dir, &st)) {
		DIR *d;
		struct dirent *e;
		int nonempty = 0;

		if (!S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "exists and is not a directory");
			goto out;
		}
		if (!(d = opendir(dir))) {
			snprintf(err, errlen, "cannot open directory: %s", strerror(errno));
			goto out;
		}
		while ((e = readdir(d)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
				nonempty = 1;
				break;
			}
		closedir(d);
		if (nonempty && !force) {
			snprintf(err, errlen, "is not empty (use --force to write into it anyway)");
			goto out;
		}
	} else if (errno != ENOENT || mkdir_p(dir)) {
		snprintf(err, errlen, "cannot create directory: %s", strerror(errno));
		goto out;
	}
	/* once more on what now exists: nothing may have moved it inside */
	free(rdir);
	if (!(rdir = resolve(dir, err, errlen)) || check_guards(rdir, g, ng, err, errlen))
		goto out;
	r = 0;
out:
	free(g);
	free(rdir);
	return r;
}

int rt_outdir_begin(rt_outdir_file *f, const char *dir, const char *name)
{
	const char *slash = strrchr(name, '/');
	int e;

	f->fd = -1;
	rt_buf_init(&f->tmp, 0);
	rt_buf_init(&f->dst, 0);
	if (slash) {
		/* a file below dir: its folders first, the temporary file next to it */
		if (rt_buf_addf(&f->dst, "%s/%.*s", dir, (int)(slash - name), name) ||
		    mkdir_p(f->dst.buf))
			goto fail;
		rt_buf_reset(&f->dst);
		if (rt_buf_addf(&f->tmp, "%s/%.*s/.%s.XXXXXX", dir, (int)(slash - name), name,
				slash + 1))
			goto fail;
	} else if (rt_buf_addf(&f->tmp, "%s/.%s.XXXXXX", dir, name)) {
		goto fail;
	}
	if (rt_buf_addf(&f->dst, "%s/%s", dir, name) || (f->fd = mkstemp(f->tmp.buf)) < 0)
		goto fail;
	return 0;
fail:
	e = errno;
	rt_buf_reset(&f->tmp); /* nothing made yet: nothing to remove */
	rt_outdir_abort(f);
	errno = e;
	return -1;
}

int rt_outdir_put(rt_outdir_file *f, const void *data, size_t n)
{
	const char *p = data;

	while (n) {
		ssize_t w = write(f->fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Close the file (flushed to the disk first when `flush`) and rename it
 * into place. */
static int outdir_close(rt_outdir_file *f, int flush)
{
	int e;

	if (fchmod(f->fd, 0644) || (flush && fsync(f->fd)))
		goto fail;
	e = close(f->fd);
	f->fd = -1;
	if (e || rename(f->tmp.buf, f->dst.buf))
		goto fail;
	rt_buf_release(&f->tmp);
	rt_buf_release(&f->dst);
	return 0;
fail:
	e = errno;
	rt_outdir_abort(f);
	errno = e;
	return -1;
}

int rt_outdir_end(rt_outdir_file *f)
{
	return outdir_close(f, 1);
}

int rt_outdir_end_by(rt_outdir_file *f, rt_syncer *s)
{
	rt_outdir_sync_by(f, s); /* the later fsync then finds it done */
	return outdir_close(f, 0);
}

int rt_outdir_end_unsynced(rt_outdir_file *f)
{
	return rt_outdir_end_by(f, NULL);
}

void rt_outdir_abort(rt_outdir_file *f)
{
	int e = errno;

	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	if (f->tmp.len)
		unlink(f->tmp.buf);
	rt_buf_release(&f->tmp);
	rt_buf_release(&f->dst);
	errno = e;
}

void rt_outdir_writeback(rt_outdir_file *f)
{
#ifdef SYNC_FILE_RANGE_WRITE
	if (f->fd >= 0)
		(void)sync_file_range(f->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#else
	(void)f;
#endif
}

/* rt_outdir_write, flushed before the rename or only started (`flush`). */
static int outdir_write(const char *dir, const char *name, const void *data, size_t n,
			int flush)
{
	rt_outdir_file f;

	if (rt_outdir_begin(&f, dir, name))
		return -1;
	if (rt_outdir_put(&f, data, n)) {
		rt_outdir_abort(&f);
		return -1;
	}
	return flush ? rt_outdir_end(&f) : rt_outdir_end_unsynced(&f);
}

int rt_outdir_write_unsynced(const char *dir, const char *name, const void *data, size_t n)
{
	return outdir_write(dir, name, data, n, 0);
}

int rt_outdir_sync(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int err = 0;

	if (!d)
		return -1;
	while (!err && (e = readdir(d))) {
		int fd;

		if (e->d_name[0] == '.')
			continue;
		/* a symbolic link is none of ours: not followed */
		fd = openat(dirfd(d), e->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			if (errno != ELOOP)
				err = errno;
			continue;
		}
		if (fsync(fd))
			err = errno;
		close(fd);
	}
	closedir(d);
	if (err)
		errno = err;
	return err ? -1 : 0;
}

int rt_outdir_write(const char *dir, const char *name, const void *data, size_t n)
{
	return outdir_write(dir, name, data, n, 1);
}

/* ------------------------------------------------------------------ syncer */

struct rt_syncer {
	pthread_mutex_t lock;
	pthread_cond_t more, done;
	pthread_t th;
	int started, stop;
	int *fds;            /* queued, flushed in turn */
	size_t n, cap, next; /* queued; room; the next to flush */
	int busy;            /* one is being flushed */
	int err;             /* errno of the first that failed */
};

static void *syncer_main(void *arg)
{
	rt_syncer *s = arg;

	pthread_mutex_lock(&s->lock);
	for (;;) {
		int fd, e;

		while (s->next == s->n && !s->stop)
			pthread_cond_wait(&s->more, &s->lock);
		if (s->next == s->n)
			break;
		fd = s->fds[s->next++];
		s->busy = 1;
		pthread_mutex_unlock(&s->lock);
		e = fsync(fd) ? errno : 0;
		close(fd);
		pthread_mutex_lock(&s->lock);
		s->busy = 0;
		if (e && !s->err)
			s->err = e;
		pthread_cond_broadcast(&s->done);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

rt_syncer *rt_syncer_new(void)
{
	rt_syncer *s = calloc(1, sizeof *s);

	if (!s)
		return NULL;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->more, NULL);
	pthread_cond_init(&s->done, NULL);
	return s;
}

/* fsync here, when the syncer cannot take the file */
static void sync_here(rt_syncer *s, int fd)
{
	int e = fsync(fd) ? errno : 0;

	close(fd);
	if (e) {
		pthread_mutex_lock(&s->lock);
		if (!s->err)
			s->err = e;
		pthread_mutex_unlock(&s->lock);
	}
}

void rt_outdir_sync_by(rt_outdir_file *f, rt_syncer *s)
{
	int fd;

	if (f->fd < 0)
		return;
	if (!s || (fd = fcntl(f->fd, F_DUPFD_CLOEXEC, 0)) < 0) {
		rt_outdir_writeback(f); /* its end flushes it */
		return;
	}
	pthread_mutex_lock(&s->lock);
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		int *v = realloc(s->fds, cap * sizeof *v);

		if (!v) {
			pthread_mutex_unlock(&s->lock);
			sync_here(s, fd);
			return;
		}
		s->fds = v;
		s->cap = cap;
	}
	if (!s->started) {
		if (pthread_create(&s->th, NULL, syncer_main, s)) {
			pthread_mutex_unlock(&s->lock);
			sync_here(s, fd);
			return;
		}
		s->started = 1;
	}
	s->fds[s->n++] = fd;
	pthread_cond_signal(&s->more);
	pthread_mutex_unlock(&s->lock);
}

int rt_syncer_wait(rt_syncer *s)
{
	int e;

	if (!s)
		return 0;
	pthread_mutex_lock(&s->lock);
	while (s->next < s->n || s->busy)
		pthread_cond_wait(&s->done, &s->lock);
	e = s->err;
	pthread_mutex_unlock(&s->lock);
	if (e)
		errno = e;
	return e ? -1 : 0;
}

void rt_syncer_free(rt_syncer **ps)
{
	rt_syncer *s = ps ? *ps : NULL;

	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = 1;
	pthread_cond_signal(&s->more);
	pthread_mutex_unlock(&s->lock);
	if (s->started)
		pthread_join(s->th, NULL);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->more);
	pthread_cond_destroy(&s->done);
	free(s->fds);
	free(s);
	*ps = NULL;
}
