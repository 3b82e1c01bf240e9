/* The output directory: created when missing, never a non-empty one unless
 * forced, never inside the evidence, and files replaced atomically. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "remtrail/report.h"

/* Resolve `path` even when its tail does not exist yet: the longest
 * existing prefix through realpath(), the rest appended as given. */
static char *resolve(const char *path)
{
	rt_buf head = RT_BUF_INIT, tail = RT_BUF_INIT;
	char *res = NULL, *real;

	if (rt_buf_adds(&head, path))
		goto out;
	for (;;) {
		char *slash;
		if ((real = realpath(head.len ? head.buf : ".", NULL)))
			break;
		if (errno != ENOENT || !head.len)
			goto out;
		while (head.len > 1 && head.buf[head.len - 1] == '/')
			rt_buf_truncate(&head, head.len - 1);
		slash = strrchr(head.buf, '/');
		{
			rt_buf t = RT_BUF_INIT;
			if (rt_buf_adds(&t, slash ? slash + 1 : head.buf) ||
			    (tail.len && (rt_buf_addch(&t, '/') || rt_buf_add(&t, tail.buf, tail.len)))) {
				rt_buf_release(&t);
				goto out;
			}
			rt_buf_release(&tail);
			tail = t;
		}
		if (!slash) {
			rt_buf_reset(&head);
		} else {
			rt_buf_truncate(&head, (size_t)(slash - head.buf));
			if (!head.len)
				rt_buf_addch(&head, '/');
		}
	}
	rt_buf_reset(&head);
	rt_buf_adds(&head, real);
	free(real);
	if (tail.len) {
		if (head.len && head.buf[head.len - 1] != '/')
			rt_buf_addch(&head, '/');
		rt_buf_add(&head, tail.buf, tail.len);
	}
	res = rt_buf_detach(&head, NULL);
out:
	rt_buf_release(&head);
	rt_buf_release(&tail);
	return res;
}

static int inside(const char *child, const char *parent)
{
	size_t n = strlen(parent);

	if (strncmp(child, parent, n))
		return 0;
	return child[n] == '\0' || child[n] == '/' || (n && parent[n - 1] == '/');
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
	char *rdir = resolve(dir);
	size_t i;
	int r = -1;

	if (!rdir) {
		snprintf(err, errlen, "cannot resolve path: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < ninputs; i++) {
		char *rin = resolve(inputs[i]);
		int bad = rin && inside(rdir, rin);
		free(rin);
		if (bad) {
			snprintf(err, errlen, "lies inside the evidence '%s': choose a folder outside it",
				 inputs[i]);
			goto out;
		}
	}
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
	r = 0;
out:
	free(rdir);
	return r;
}

int rt_outdir_write(const char *dir, const char *name, const void *data, size_t n)
{
	rt_buf tmp = RT_BUF_INIT, dst = RT_BUF_INIT;
	const char *p = data;
	int fd = -1, r = -1, e;

	const char *slash = strrchr(name, '/');

	if (slash) {
		/* a file below dir: its folders first, the temporary file next to it */
		if (rt_buf_addf(&dst, "%s/%.*s", dir, (int)(slash - name), name) || mkdir_p(dst.buf))
			goto out;
		rt_buf_reset(&dst);
		if (rt_buf_addf(&tmp, "%s/%.*s/.%s.XXXXXX", dir, (int)(slash - name), name, slash + 1))
			goto out;
	} else if (rt_buf_addf(&tmp, "%s/.%s.XXXXXX", dir, name)) {
		goto out;
	}
	if (rt_buf_addf(&dst, "%s/%s", dir, name))
		goto out;
	if ((fd = mkstemp(tmp.buf)) < 0)
		goto out;
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			goto out;
		}
		p += w;
		n -= (size_t)w;
	}
	if (fchmod(fd, 0644) || fsync(fd))
		goto out;
	e = close(fd);
	fd = -1;
	if (e || rename(tmp.buf, dst.buf))
		goto out;
	r = 0;
out:
	e = errno;
	if (fd >= 0)
		close(fd);
	if (r && tmp.len)
		unlink(tmp.buf);
	rt_buf_release(&tmp);
	rt_buf_release(&dst);
	errno = e;
	return r;
}
