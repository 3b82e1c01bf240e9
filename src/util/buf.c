/* Growable buffer with a hard cap; see util.h. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "remtrail/util.h"

char rt_buf_empty[1];

void rt_buf_init(rt_buf *b, size_t max)
{
	b->buf = rt_buf_empty;
	b->len = 0;
	b->alloc = 0;
	b->max = max;
}

int rt_buf_grow_slow(rt_buf *b, size_t extra)
{
	size_t cap = b->max ? b->max : RT_BUF_DEFAULT_MAX;
	size_t want, n;
	char *p;

	if (extra > cap || b->len > cap - extra)
		return -1;
	want = b->len + extra + 1;
	if (want <= b->alloc)
		return 0;
	n = b->alloc ? b->alloc : 64;
	while (n < want)
		n = n < ((size_t)1 << 62) ? n * 2 : want;
	if (n > cap + 1) /* never more than the cap: the inline checks rely on it */
		n = cap + 1;
	p = realloc(b->alloc ? b->buf : NULL, n);
	if (!p)
		return -1;
	if (!b->alloc)
		p[0] = '\0';
	b->buf = p;
	b->alloc = n;
	return 0;
}

int rt_buf_add_slow(rt_buf *b, const void *p, size_t n)
{
	if (rt_buf_grow(b, n))
		return -1;
	if (n)
		memcpy(b->buf + b->len, p, n);
	b->len += n;
	b->buf[b->len] = '\0';
	return 0;
}

int rt_buf_adds(rt_buf *b, const char *s)
{
	return rt_buf_add(b, s, strlen(s));
}

int rt_buf_addf(rt_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b->buf + b->len, b->alloc ? b->alloc - b->len : 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if (b->alloc && (size_t)n < b->alloc - b->len) {
		b->len += (size_t)n;
		return 0;
	}
	if (rt_buf_grow(b, (size_t)n))
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->buf + b->len, b->alloc - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

void rt_buf_truncate(rt_buf *b, size_t len)
{
	if (len < b->len) {
		b->len = len;
		b->buf[len] = '\0';
	}
}

void rt_buf_release(rt_buf *b)
{
	if (b->alloc)
		free(b->buf);
	rt_buf_init(b, b->max);
}

char *rt_buf_detach(rt_buf *b, size_t *len)
{
	char *s = b->alloc ? b->buf : calloc(1, 1);

	if (len)
		*len = b->len;
	rt_buf_init(b, b->max);
	return s;
}
