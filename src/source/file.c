/*
 * File sources: a descriptor opened once, relative to the walk's directory
 * descriptor, and kept. Nothing is ever opened again by path, so what is
 * read is what was looked at (no check-then-use gap), a path longer than
 * PATH_MAX is no obstacle, and O_NOATIME on that one open keeps the
 * evidence's access times as they were.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "source_int.h"

typedef struct file_impl {
	int fd;
	dev_t dev;
	ino_t ino;
} file_impl;

static ssize_t file_read(rt_source *self, void *impl, void *buf, size_t n, uint64_t off)
{
	file_impl *f = impl;
	size_t done = 0;

	(void)self;
	while (done < n) {
		ssize_t r = pread(f->fd, (uint8_t *)buf + done, n - done, (off_t)(off + done));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return done ? (ssize_t)done : -1;
		if (r == 0)
			break; /* the file shrank since it was opened */
		done += (size_t)r;
	}
	return (ssize_t)done;
}

static void file_release(void *impl)
{
	file_impl *f = impl;

	if (f && f->fd >= 0)
		close(f->fd);
	free(f);
}

static void file_id(void *impl, dev_t *dev, ino_t *ino)
{
	file_impl *f = impl;

	*dev = f->dev;
	*ino = f->ino;
}

const src_ops src_file_ops = {"file", file_read, file_release, file_id, NULL};

int rt_source_open_file(int dirfd, const char *name, const char *display, int follow,
			rt_source **out)
{
	int fl = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (follow ? 0 : O_NOFOLLOW);
	file_impl *f;
	struct stat st;
	int fd = -1, e;

	*out = NULL;
#ifdef O_NOATIME
	fd = openat(dirfd, name, fl | O_NOATIME);
	if (fd < 0 && errno == EPERM)
#endif
		fd = openat(dirfd, name, fl);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	if (!(f = malloc(sizeof(*f)))) {
		close(fd);
		errno = ENOMEM;
		return -1;
	}
	f->fd = fd;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	*out = src_new(&src_file_ops, f, (uint64_t)st.st_size, display ? display : name, NULL);
	if (!*out) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

const char *rt_source_open_error(int err)
{
	return err == EINVAL ? "not a regular file" : strerror(err);
}

int rt_source_open_path(const char *path, rt_source **out)
{
	return rt_source_open_file(AT_FDCWD, path, path, 1, out);
}
