/* Growable buffer with a hard cap; see util.h. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

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

/* The printf conversions rt_buf_addf formats itself: flags '-' and '0', a
 * width, ".*" before s, and d i u x X c s with no, h-less length
 * modifiers l ll z. Anything else goes to vsnprintf, so the output is
 * always vsnprintf's. Reports and timelines are made of such calls, and
 * vsnprintf's set-up cost per call was half of rendering them. */
typedef struct fmt_spec {
	int left, zero, width, prec; /* prec -1: none */
	int len;                     /* 0 int, 1 long, 2 long long, 3 size_t */
	char conv;
} fmt_spec;

/* The conversion at *f (just after the '%') understood into sp, *f moved past
 * it; -1 when it is one for vsnprintf. */
static int fmt_parse(const char **f, fmt_spec *sp)
{
	const char *p = *f;

	memset(sp, 0, sizeof *sp);
	sp->prec = -1;
	for (;; p++) {
		if (*p == '-')
			sp->left = 1;
		else if (*p == '0')
			sp->zero = 1;
		else
			break;
	}
	while (*p >= '0' && *p <= '9') {
		if (sp->width > 4096)
			return -1;
		sp->width = sp->width * 10 + (*p++ - '0');
	}
	if (*p == '.') {
		if (p[1] != '*' || p[2] != 's')
			return -1;
		sp->prec = -2; /* taken from the arguments */
		p += 2;
	}
	if (*p == 'l') {
		sp->len = 1;
		if (*++p == 'l') {
			sp->len = 2;
			p++;
		}
	} else if (*p == 'z') {
		sp->len = 3;
		p++;
	}
	switch (*p) {
	case 'd': case 'i': case 'u': case 'x': case 'X':
		break;
	case 's': case 'c':
		if (sp->len || sp->zero)
			return -1;
		break;
	default:
		return -1;
	}
	sp->conv = *p;
	*f = p + 1;
	return 0;
}

static int pad(rt_buf *b, char c, int n)
{
	if (n <= 0)
		return 0;
	if (rt_buf_grow(b, (size_t)n))
		return -1;
	memset(b->buf + b->len, c, (size_t)n);
	b->len += (size_t)n;
	b->buf[b->len] = '\0';
	return 0;
}

/* s (n bytes) as one field of the conversion: padded to its width. */
static int field(rt_buf *b, const fmt_spec *sp, const char *sign, const char *s, size_t n)
{
	size_t sn = sign[0] != '\0';
	int fill = sp->width > (int)(n + sn) ? sp->width - (int)(n + sn) : 0;

	if (!sp->width && !sn)
		return rt_buf_add(b, s, n);
	if (!sp->left && !sp->zero && pad(b, ' ', fill))
		return -1;
	if (rt_buf_add(b, sign, sn))
		return -1;
	if (!sp->left && sp->zero && pad(b, '0', fill))
		return -1;
	if (rt_buf_add(b, s, n))
		return -1;
	return sp->left ? pad(b, ' ', fill) : 0;
}

static int fmt_one(rt_buf *b, const fmt_spec *sp, va_list *ap)
{
	static const char lower[] = "0123456789abcdef", upper[] = "0123456789ABCDEF";
	char digits[32], *e = digits + sizeof digits, *d = e;
	unsigned long long u;
	const char *sign = "";
	int base = 10;

	switch (sp->conv) {
	case 's': {
		const char *s;
		size_t n;

		if (sp->prec == -2) {
			int prec = va_arg(*ap, int);

			s = va_arg(*ap, const char *);
			if (!s || prec < 0)
				return 1;
			n = (size_t)prec;
			n = strnlen(s, n);
		} else {
			if (!(s = va_arg(*ap, const char *)))
				return 1;
			n = strlen(s);
		}
		return field(b, sp, "", s, n);
	}
	case 'c':
		digits[0] = (char)va_arg(*ap, int);
		return field(b, sp, "", digits, 1);
	case 'd': case 'i': {
		long long v = sp->len == 0   ? va_arg(*ap, int)
			      : sp->len == 1 ? va_arg(*ap, long)
			      : sp->len == 2 ? va_arg(*ap, long long)
					     : (long long)va_arg(*ap, ssize_t);

		u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
		if (v < 0)
			sign = "-";
		break;
	}
	default:
		u = sp->len == 0   ? va_arg(*ap, unsigned)
		    : sp->len == 1 ? va_arg(*ap, unsigned long)
		    : sp->len == 2 ? va_arg(*ap, unsigned long long)
				   : va_arg(*ap, size_t);
		if (sp->conv != 'u')
			base = 16;
	}
	do {
		*--d = (sp->conv == 'X' ? upper : lower)[u % (unsigned)base];
		u /= (unsigned)base;
	} while (u);
	return field(b, sp, sign, d, (size_t)(e - d));
}

/* fmt formatted onto b by fmt_one: 0, -1 out of room, 1 when vsnprintf must
 * do it (a conversion fmt_parse does not take, or a NULL string: its
 * "(null)" is vsnprintf's to write). */
static int fmt_fast(rt_buf *b, const char *fmt, va_list *ap)
{
	for (;;) {
		const char *pc = strchr(fmt, '%');
		fmt_spec sp;
		int r;

		if (rt_buf_add(b, fmt, pc ? (size_t)(pc - fmt) : strlen(fmt)))
			return -1;
		if (!pc)
			return 0;
		fmt = pc + 1;
		if (*fmt == '%') {
			if (rt_buf_addch(b, '%'))
				return -1;
			fmt++;
			continue;
		}
		if (fmt_parse(&fmt, &sp))
			return 1;
		if ((r = fmt_one(b, &sp, ap)))
			return r;
	}
}

static int addf_slow(rt_buf *b, const char *fmt, va_list ap)
{
	va_list again;
	int n;

	va_copy(again, ap);
	n = vsnprintf(b->buf + b->len, b->alloc ? b->alloc - b->len : 0, fmt, ap);
	if (n < 0 || (b->alloc && (size_t)n < b->alloc - b->len)) {
		if (n >= 0)
			b->len += (size_t)n;
		va_end(again);
		return n < 0 ? -1 : 0;
	}
	if (rt_buf_grow(b, (size_t)n)) {
		if (b->alloc)
			b->buf[b->len] = '\0';
		va_end(again);
		return -1;
	}
	vsnprintf(b->buf + b->len, b->alloc - b->len, fmt, again);
	va_end(again);
	b->len += (size_t)n;
	return 0;
}

int rt_buf_addf(rt_buf *b, const char *fmt, ...)
{
	size_t len = b->len;
	va_list ap, again;
	int r;

	va_start(ap, fmt);
	va_copy(again, ap);
	if ((r = fmt_fast(b, fmt, &ap)) < 0) {
		rt_buf_truncate(b, len);
	} else if (r > 0) {
		rt_buf_truncate(b, len);
		r = addf_slow(b, fmt, again);
	}
	va_end(again);
	va_end(ap);
	return r;
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
