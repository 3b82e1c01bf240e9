/* UTF-16/UTF-8 conversion, string helpers, JSON escaping, CRC-32. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include <libdeflate.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "remtrail/util.h"

static int put_utf8(rt_buf *out, uint32_t cp)
{
	char t[4];
	size_t n;

	if (cp < 0x80) {
		t[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		t[0] = (char)(0xC0 | (cp >> 6));
		t[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		t[0] = (char)(0xE0 | (cp >> 12));
		t[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		t[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		t[0] = (char)(0xF0 | (cp >> 18));
		t[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		t[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		t[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	return rt_buf_add(out, t, n);
}

/* A text read in blocks of w, the last one ending at its end (overlapping
 * the one before: bytes already found plain are only looked at again):
 * step *i past a plain block; 1 when the text is done. */
static inline int next_block(size_t *i, size_t n, size_t w)
{
	*i += w;
	if (*i + w <= n)
		return 0;
	if (*i == n)
		return 1;
	*i = n - w;
	return 0;
}

/* Which of the 8 units in v end an ASCII run (0, or 0x80 and above):
 * two mask bits per unit. */
#if defined(__SSE2__)
static inline unsigned ascii16_stops(__m128i v)
{
	const __m128i zero = _mm_setzero_si128(), high = _mm_set1_epi16((short)0xFF80);

	return (unsigned)_mm_movemask_epi8(_mm_or_si128(
		_mm_cmpeq_epi16(v, zero),
		_mm_xor_si128(_mm_cmpeq_epi16(_mm_and_si128(v, high), zero), _mm_cmpeq_epi16(zero, zero))));
}
#endif

/*
 * Copy the run of ASCII units (1-0x7F) at p, at most n, as bytes to d;
 * returns its length. Most event text is ASCII: eight units at a time
 * with SSE2 (every x86-64 has it), the tail as one more block of eight
 * that ends at the end (overlapping the last: units already found ASCII
 * are only copied again), a text of 4 to 7 units as two blocks of four,
 * the first and the last; nothing is read or written outside the n
 * units. Without SSE2, four at a time with 64-bit words.
 */
static size_t ascii16_run(char *d, const uint8_t *p, size_t n)
{
	size_t i = 0;

#if defined(__SSE2__)
	unsigned m;
	int b;

	if (n >= 16) {
		/* long text (command lines, scripts): sixteen units a step */
		do {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 2 * i));
			__m128i t = _mm_loadu_si128((const __m128i *)(const void *)(p + 2 * i + 16));

			m = ascii16_stops(v) | ascii16_stops(t) << 16;
			_mm_storeu_si128((__m128i *)(void *)(d + i), _mm_packus_epi16(v, t));
			if (m)
				return i + (size_t)__builtin_ctz(m) / 2;
			i += 16;
		} while (i + 16 <= n);
		if (i == n)
			return n;
		if (i + 8 > n)
			i = n - 8;
	}
	if (n >= 8) {
		for (;;) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 2 * i));

			m = ascii16_stops(v);
			_mm_storel_epi64((__m128i *)(void *)(d + i), _mm_packus_epi16(v, v));
			if (m)
				return i + (size_t)__builtin_ctz(m) / 2;
			if (next_block(&i, n, 8))
				return n;
		}
	}
	if (n >= 4) {
		__m128i v = _mm_loadl_epi64((const __m128i *)(const void *)p);
		__m128i t = _mm_loadl_epi64((const __m128i *)(const void *)(p + 2 * (n - 4)));

		m = ascii16_stops(v) & 0xFF;
		b = _mm_cvtsi128_si32(_mm_packus_epi16(v, v));
		memcpy(d, &b, 4);
		if (m)
			return (size_t)__builtin_ctz(m) / 2;
		m = ascii16_stops(t) & 0xFF;
		b = _mm_cvtsi128_si32(_mm_packus_epi16(t, t));
		memcpy(d + n - 4, &b, 4);
		return m ? n - 4 + (size_t)__builtin_ctz(m) / 2 : n;
	}
#else
	const uint64_t high = 0xFF80FF80FF80FF80ull, ones = 0x0001000100010001ull;

	if (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__)
		for (; i + 4 <= n; i += 4) {
			uint64_t x;
			uint32_t b;

			memcpy(&x, p + 2 * i, 8);
			/* a unit >= 0x80, or (units all below 0x80) one that is 0 */
			if ((x & high) || ((x - ones) & 0x8000800080008000ull))
				break;
			b = (uint32_t)((x & 0xFF) | ((x >> 8) & 0xFF00) | ((x >> 16) & 0xFF0000) |
				       ((x >> 24) & 0xFF000000));
			memcpy(d + i, &b, 4);
		}
#endif
	for (; i < n; i++) {
		uint16_t u = rt_le16(p + 2 * i);

		if (u == 0 || u >= 0x80)
			break;
		d[i] = (char)u;
	}
	return i;
}

int rt_utf16le_to_utf8(rt_buf *out, const uint8_t *p, size_t nunits, int stop_at_nul)
{
	size_t i = 0;

	while (i < nunits) {
		uint32_t u;
		size_t k;

		if (rt_buf_grow(out, nunits - i))
			return -1;
		k = ascii16_run(out->buf + out->len, p + 2 * i, nunits - i);
		out->len += k;
		out->buf[out->len] = '\0';
		i += k;
		if (i == nunits)
			break;
		u = rt_le16(p + 2 * i);
		if (u == 0 && stop_at_nul)
			break;
		if (u < 0x80) {
			if (rt_buf_addch(out, (char)u))
				return -1;
			i++;
			continue;
		}
		if (u >= 0xD800 && u <= 0xDBFF && i + 1 < nunits) {
			uint32_t l = rt_le16(p + 2 * (i + 1));

			if (l >= 0xDC00 && l <= 0xDFFF) {
				u = 0x10000 + ((u - 0xD800) << 10) + (l - 0xDC00);
				i++;
			} else {
				u = 0xFFFD;
			}
		} else if (u >= 0xD800 && u <= 0xDFFF) {
			u = 0xFFFD;
		}
		if (put_utf8(out, u))
			return -1;
		i++;
	}
	return 0;
}

size_t rt_utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len, i;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		len = 2, cp = c & 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3, cp = c & 0x0F;
	else if (c >= 0xF0 && c <= 0xF4)
		len = 4, cp = c & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

int rt_utf8_sanitize(rt_buf *out, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		size_t k = rt_utf8_seq_len(u + i, n - i);

		if (k == 0) {
			if (rt_buf_add(out, "\xEF\xBF\xBD", 3))
				return -1;
			i++;
		} else {
			if (rt_buf_add(out, s + i, k))
				return -1;
			i += k;
		}
	}
	return 0;
}

/* Nonzero when any of the 8 bytes of x needs a look: a control
 * character, '"', '\\' or a byte >= 0x80 (SWAR: 8 bytes per test). */
static inline uint64_t json_special8(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
	uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');

	return ((x - ones * 0x20) | (q - ones) | (b - ones) | x) & high;
}

/* 1 for the bytes JSON takes as they are: printable ASCII but '"', '\\'. */
static const unsigned char json_plain[256] = {
#define P1(c) [c] = (c) != '"' && (c) != '\\'
#define P4(c) P1(c), P1(c + 1), P1(c + 2), P1(c + 3)
#define P16(c) P4(c), P4(c + 4), P4(c + 8), P4(c + 12)
	P16(0x20), P16(0x30), P16(0x40), P16(0x50), P16(0x60), P16(0x70),
#undef P16
#undef P4
#undef P1
};

/* json_special8 on 4 bytes. */
static inline uint32_t json_special4(uint32_t x)
{
	const uint32_t ones = 0x01010101u, high = 0x80808080u;
	uint32_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');

	return ((x - ones * 0x20) | (q - ones) | (b - ones) | x) & high;
}

/*
 * Copy the run of bytes at u (n of them, at most) that JSON takes as they
 * are to d; returns its length. 16 bytes at a time with SSE2, and the
 * tail of a text as one more block that ends at its end (overlapping the
 * last one: bytes already found plain are only copied again); a shorter
 * text as two 8-byte or two 4-byte words, the first and the last of it.
 * Nothing is read or written outside the n bytes. The first flagged byte
 * of a block or word is always a real one (the tests borrow only
 * upwards, and plain bytes lend nothing), and the overlap holds none once
 * the block before was plain, so the index returned is exact.
 */
static inline __attribute__((always_inline)) size_t json_plain_copy(char *d, const unsigned char *u,
								     size_t n)
{
	size_t i = 0;
	uint64_t x, m;
	uint32_t x4, y4, m4;

#if defined(__SSE2__)
	if (n >= 16) {
		const __m128i ctl = _mm_set1_epi8(0x20), quote = _mm_set1_epi8('"'),
			      bsl = _mm_set1_epi8('\\');
		unsigned hit;

		/* signed: bytes >= 0x80 are below 0x20 too */
		for (;;) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(u + i));

			hit = (unsigned)_mm_movemask_epi8(_mm_or_si128(
				_mm_cmplt_epi8(v, ctl),
				_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bsl))));
			_mm_storeu_si128((__m128i *)(void *)(d + i), v);
			if (hit)
				return i + (size_t)__builtin_ctz(hit);
			if (next_block(&i, n, 16))
				return n;
		}
	}
#endif
	if (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__) {
		if (n >= 8) {
			for (;;) {
				memcpy(&x, u + i, 8);
				memcpy(d + i, &x, 8);
				m = json_special8(x);
				if (m)
					return i + (size_t)__builtin_ctzll(m) / 8;
				if (next_block(&i, n, 8))
					return n;
			}
		}
		if (n >= 4) {
			memcpy(&x4, u, 4);
			memcpy(&y4, u + n - 4, 4);
			memcpy(d, &x4, 4);
			memcpy(d + n - 4, &y4, 4);
			m4 = json_special4(x4);
			if (m4)
				return (size_t)__builtin_ctz(m4) / 8;
			m4 = json_special4(y4);
			return m4 ? n - 4 + (size_t)__builtin_ctz(m4) / 8 : n;
		}
	}
	for (; i < n && json_plain[u[i]]; i++)
		d[i] = (char)u[i];
	return i;
}

/* The escape of each ASCII byte that has one of two characters; the other
 * control characters are written \u00XX. */
static const char json_esc2[128] = {
	['"'] = '"', ['\\'] = '\\', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't',
};

/* rt_json_str from byte i on, d where its text goes: the escapes. */
static int json_escapes(rt_buf *out, const char *s, size_t n, size_t i, char *d)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t run;

	for (;;) {
		/* an escape grows the text: room for it and the rest as is, or
		 * (a short rest, as paths full of backslashes) for the rest
		 * all escaped, so that this is the last time */
		if ((size_t)(out->buf + out->alloc - d) < n - i + 8) {
			size_t want = n - i < 4096 ? 6 * (n - i) + 2 : n - i + 7;

			out->len = (size_t)(d - out->buf);
			if (rt_buf_grow(out, want))
				return -1;
			d = out->buf + out->len;
		}
		if (u[i] >= 0x80) {
			size_t k = rt_utf8_seq_len(u + i, n - i);

			if (k == 0) {
				/* a byte that is not UTF-8 (a file name in another
				 * encoding) stays recoverable: the text \xNN */
				d[0] = '\\';
				d[1] = '\\';
				d[2] = 'x';
				d[3] = hex[u[i] >> 4];
				d[4] = hex[u[i] & 15];
				d += 5;
				i++;
			} else {
				memcpy(d, s + i, k);
				d += k;
				i += k;
			}
		} else if (json_esc2[u[i]]) {
			*d++ = '\\';
			*d++ = json_esc2[u[i++]];
		} else {
			memcpy(d, "\\u00", 4);
			d[4] = hex[u[i] >> 4];
			d[5] = hex[u[i++] & 15];
			d += 6;
		}
		/* a run of escapes (CR LF and tabs in lists of rights): no
		 * copy of an empty run between them */
		if (i < n && !json_plain[u[i]])
			continue;
		run = json_plain_copy(d, u + i, n - i);
		d += run;
		i += run;
		if (i == n)
			break;
	}
	*d++ = '"';
	out->len = (size_t)(d - out->buf);
	*d = '\0';
	return 0;
}

/*
 * Runs of plain bytes (most of any value) are checked and copied 16 bytes
 * at a time; only the bytes that need it are looked at one by one, out of
 * the way of the common case: a string with nothing to escape.
 */
static inline __attribute__((always_inline)) int json_str(rt_buf *out, const char *s, size_t n)
{
	size_t run;
	char *d;

	if (rt_buf_grow(out, n + 2))
		return -1;
	d = out->buf + out->len;
	*d++ = '"';
	run = json_plain_copy(d, (const unsigned char *)s, n);
	if (run < n)
		return json_escapes(out, s, n, run, d + run);
	d[n] = '"';
	d[n + 1] = '\0';
	out->len += n + 2;
	return 0;
}

size_t rt_json_plain(char *d, const char *s, size_t n)
{
	return json_plain_copy(d, (const unsigned char *)s, n);
}

int rt_json_str(rt_buf *out, const char *s, size_t n)
{
	return json_str(out, s, n);
}

/*
 * One reservation for the whole member and one pass over each text: an
 * event's fields are most of `events`' output, a dozen short members a
 * record, where three appends and two checks of room each cost more than
 * the copying. A name with something to escape (none seen yet: names are
 * XML names) takes the general path; a value with something to escape
 * goes on through json_escapes, which grows the buffer itself.
 */
int rt_json_member(rt_buf *out, char sep, const char *k, size_t kn, const char *v, size_t vn)
{
	char *d;
	size_t run;

	if (rt_buf_grow(out, kn + vn + 7))
		return -1;
	d = out->buf + out->len;
	if (sep)
		*d++ = sep;
	*d++ = '"';
	if (json_plain_copy(d, (const unsigned char *)k, kn) < kn) {
		if (sep)
			out->buf[out->len++] = sep;
		if (json_str(out, k, kn) || rt_buf_addch(out, ':'))
			return -1;
		return json_str(out, v, vn);
	}
	d += kn;
	memcpy(d, "\":\"", 3);
	d += 3;
	run = json_plain_copy(d, (const unsigned char *)v, vn);
	if (run < vn)
		return json_escapes(out, v, vn, run, d + run);
	d += vn;
	d[0] = '"';
	d[1] = '\0';
	out->len = (size_t)(d + 1 - out->buf);
	return 0;
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

int rt_strcasecmp(const char *a, const char *b)
{
	int x, y;

	do {
		x = lower((unsigned char)*a++);
		y = lower((unsigned char)*b++);
	} while (x == y && x);
	return x - y;
}

int rt_strcaseeq(const char *a, const char *b)
{
	return a && b && !rt_strcasecmp(a, b);
}

int rt_strncaseeq(const char *a, const char *b, size_t n)
{
	size_t i;

	if (!a || !b)
		return 0;
	for (i = 0; i < n; i++) {
		if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
			return 0;
		if (!a[i])
			return 1;
	}
	return 1;
}

int rt_endswith_ci(const char *s, const char *suffix)
{
	size_t n, m;

	if (!s || !suffix)
		return 0;
	n = strlen(s);
	m = strlen(suffix);
	return m <= n && rt_strncaseeq(s + n - m, suffix, m);
}

/* Index of the first `c` in h[from, to), or `to`. */
static size_t next_byte(const unsigned char *h, size_t from, size_t to, unsigned char c)
{
	const unsigned char *p = memchr(h + from, c, to - from);

	return p ? (size_t)(p - h) : to;
}

/*
 * How often each byte (lower-cased) occurs in the text that rules search,
 * per mille, as measured on the corpus' PowerShell script blocks; bytes not
 * listed are rarer than 1 in 1000. Only a guide to pick a needle's anchor:
 * results never depend on it.
 */
static const unsigned char byte_permille[256] = {
	[' '] = 254, ['e'] = 66, ['t'] = 50, ['n'] = 44, ['o'] = 40, ['a'] = 39, ['i'] = 38,
	['r'] = 35, ['s'] = 33, ['c'] = 25, ['l'] = 24, ['m'] = 21, ['d'] = 19, ['\r'] = 18,
	['\n'] = 18, ['$'] = 17, ['p'] = 17, ['u'] = 16, ['g'] = 14, ['h'] = 14, ['\''] = 12,
	['"'] = 12, ['-'] = 12, ['.'] = 11, ['f'] = 11, ['('] = 10, [')'] = 10, ['v'] = 8,
	['b'] = 7, ['w'] = 7, [','] = 7, ['='] = 7, ['x'] = 6, ['#'] = 6, ['+'] = 6, ['{'] = 6,
	['}'] = 6, ['1'] = 6, ['y'] = 6, ['0'] = 4, ['k'] = 4, [':'] = 3, ['['] = 2, [']'] = 2,
	['2'] = 2, ['@'] = 2, ['4'] = 2, ['3'] = 2, ['`'] = 2, ['_'] = 1, ['q'] = 1, ['/'] = 1,
	['\t'] = 1, ['*'] = 1, ['\\'] = 1, ['j'] = 1, [';'] = 1,
};

/*
 * Detection rules search long values (script blocks, command lines) for
 * many short needles. Trying every position is slow, so candidates are
 * found with memchr, which scans many bytes at a time, for the needle's
 * rarest byte (in both cases); only there is the whole needle compared.
 * Both next positions are remembered, so no byte is scanned twice for the
 * same case. Candidates come in order, so the first match is found.
 */
unsigned rt_byte_permille(unsigned char c)
{
	return byte_permille[lower(c)];
}

size_t rt_needle_anchor(const char *needle, size_t nlen)
{
	const unsigned char *n = (const unsigned char *)needle;
	size_t a = 0, k;

	for (k = 1; k < nlen; k++)
		if (byte_permille[lower(n[k])] < byte_permille[lower(n[a])])
			a = k;
	return a;
}

void rt_ascii_lower(char *dst, const char *src, size_t n)
{
	size_t i = 0;

#if defined(__SSE2__)
	/* bytes in 'A'..'Z' (as signed: 65..90) get 0x20 added */
	const __m128i a1 = _mm_set1_epi8('A' - 1), z1 = _mm_set1_epi8('Z' + 1),
		      bit = _mm_set1_epi8(0x20);

	for (; i + 16 <= n; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(src + i));
		__m128i up = _mm_and_si128(_mm_cmpgt_epi8(v, a1), _mm_cmplt_epi8(v, z1));

		_mm_storeu_si128((__m128i *)(void *)(dst + i), _mm_or_si128(v, _mm_and_si128(up, bit)));
	}
#endif
	for (; i < n; i++)
		dst[i] = (char)lower((unsigned char)src[i]);
}

const char *rt_strcasestr_n(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
	const unsigned char *h = (const unsigned char *)hay, *n = (const unsigned char *)needle;
	size_t starts, a, nl, nu, i, k;
	unsigned char lo, up;

	if (!hay || !needle || nlen > hlen)
		return NULL;
	if (nlen == 0)
		return hay;
	a = rt_needle_anchor(needle, nlen);
	/* start i is a candidate when h[i + a] is the anchor byte */
	starts = hlen - nlen + 1;
	lo = (unsigned char)lower(n[a]);
	up = lo >= 'a' && lo <= 'z' ? (unsigned char)(lo - 32) : lo;
	nl = next_byte(h + a, 0, starts, lo);
	nu = up != lo ? next_byte(h + a, 0, starts, up) : starts;
	for (;;) {
		i = nl < nu ? nl : nu;
		if (i == starts)
			return NULL;
		for (k = 0; k < nlen && lower(h[i + k]) == lower(n[k]); k++)
			;
		if (k == nlen)
			return hay + i;
		if (i == nl)
			nl = next_byte(h + a, i + 1, starts, lo);
		else
			nu = next_byte(h + a, i + 1, starts, up);
	}
}

const char *rt_strcasestr(const char *hay, const char *needle)
{
	if (!hay || !needle)
		return NULL;
	return rt_strcasestr_n(hay, strlen(hay), needle, strlen(needle));
}

int rt_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *rt_strdup0(const char *s)
{
	return s ? strdup(s) : NULL;
}

int rt_parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	v = strtoull(s, &end, (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) ? 16 : 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

/*
 * By libdeflate, whose CRC-32 folds with carry-less multiplication
 * (PCLMULQDQ) where the CPU has it: the native EVTX reader checks every
 * byte of every chunk, and a table-driven CRC (even sliced by 8) was 6%
 * of a bulk export.
 */
uint32_t rt_crc32(uint32_t crc, const void *data, size_t len)
{
	return libdeflate_crc32(crc, data, len);
}

int rt_list_has(const char *list, const char *item, size_t n)
{
	const char *p = list;

	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t l = end ? (size_t)(end - p) : strlen(p);

		while (l && *p == ' ') {
			p++;
			l--;
		}
		if (l == n && rt_strncaseeq(p, item, n))
			return 1;
		p = end ? end + 1 : NULL;
	}
	return 0;
}

int rt_list_union(rt_buf *b, const char *items)
{
	const char *p = items;

	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t l = end ? (size_t)(end - p) : strlen(p);

		if (l && !rt_list_has(b->buf, p, l) &&
		    ((b->len && rt_buf_addch(b, ',')) || rt_buf_add(b, p, l)))
			return -1;
		p = end ? end + 1 : NULL;
	}
	return 0;
}

int rt_cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}
