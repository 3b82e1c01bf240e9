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

/*
 * Copy the run of ASCII units (1-0x7F) at p, at most n, as bytes to d;
 * returns its length. Most event text is ASCII: eight units at a time
 * with SSE2 (every x86-64 has it), else four with 64-bit words.
 */
static size_t ascii16_run(char *d, const uint8_t *p, size_t n)
{
	size_t i = 0;

#if defined(__SSE2__)
	const __m128i zero = _mm_setzero_si128(), high = _mm_set1_epi16((short)0xFF80);

	for (; i + 8 <= n; i += 8) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 2 * i));
		__m128i bad = _mm_or_si128(_mm_cmpeq_epi16(v, zero),
					   _mm_xor_si128(_mm_cmpeq_epi16(_mm_and_si128(v, high), zero),
							 _mm_cmpeq_epi16(zero, zero)));
		int m = _mm_movemask_epi8(bad);

		_mm_storel_epi64((__m128i *)(void *)(d + i), _mm_packus_epi16(v, v));
		if (m)
			return i + (size_t)__builtin_ctz((unsigned)m) / 2;
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

/*
 * Copy the run of bytes at u (n of them, at most) that JSON takes as they
 * are to d; returns its length. 16 bytes at a time with SSE2, then 8 in a
 * 64-bit word. `back` bytes before d are the bytes before
 * u, as they are (so the tail may be done as one 8-byte copy that ends at
 * the run's end). The first flagged byte of a word is always a real one
 * (the tests borrow only upwards, and plain bytes lend nothing), so its
 * index is exact.
 */
static inline __attribute__((always_inline)) size_t json_plain_copy(char *d, const unsigned char *u,
								     size_t n, size_t back)
{
	size_t i = 0;
	uint64_t x, m;

#if defined(__SSE2__)
	{
		const __m128i ctl = _mm_set1_epi8(0x20), quote = _mm_set1_epi8('"'),
			      bsl = _mm_set1_epi8('\\');

		/* signed: bytes >= 0x80 are below 0x20 too */
		for (; i + 16 <= n; i += 16) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(u + i));
			int hit = _mm_movemask_epi8(_mm_or_si128(
				_mm_cmplt_epi8(v, ctl),
				_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bsl))));

			_mm_storeu_si128((__m128i *)(void *)(d + i), v);
			if (hit)
				return i + (size_t)__builtin_ctz((unsigned)hit);
		}
	}
#endif
	if (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__) {
		for (; i + 8 <= n; i += 8) {
			memcpy(&x, u + i, 8);
			memcpy(d + i, &x, 8); /* room: the text is at least this long */
			m = json_special8(x);
			if (m)
				return i + (size_t)__builtin_ctzll(m) / 8;
		}
		if (i < n && i + back >= 8) {
			size_t skip = 8 - (n - i);

			memcpy(&x, u + n - 8, 8);
			m = json_special8(x) >> (8 * skip) << (8 * skip);
			memcpy(d + n - 8, &x, 8);
			return m ? n - 8 + (size_t)__builtin_ctzll(m) / 8 : n;
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
static int json_escapes(rt_buf *out, const char *s, size_t n, size_t i, char *d, size_t back)
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
		back = 0;
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
				back = k;
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
		run = json_plain_copy(d, u + i, n - i, back);
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
 * Runs of plain bytes (most of any value) are checked and copied 8 bytes
 * at a time; only the bytes that need it are looked at one by one, out of
 * the way of the common case: a string with nothing to escape.
 */
int rt_json_str(rt_buf *out, const char *s, size_t n)
{
	size_t run;
	char *d;

	if (rt_buf_grow(out, n + 2))
		return -1;
	d = out->buf + out->len;
	*d++ = '"';
	run = json_plain_copy(d, (const unsigned char *)s, n, 0);
	if (run < n)
		return json_escapes(out, s, n, run, d + run, run);
	d[n] = '"';
	d[n + 1] = '\0';
	out->len += n + 2;
	return 0;
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

int rt_strcaseeq(const char *a, const char *b)
{
	if (!a || !b)
		return 0;
	while (*a && lower((unsigned char)*a) == lower((unsigned char)*b))
		a++, b++;
	return *a == '\0' && *b == '\0';
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
const char *rt_strcasestr_n(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
	const unsigned char *h = (const unsigned char *)hay, *n = (const unsigned char *)needle;
	size_t starts, a = 0, nl, nu, i, k;
	unsigned char lo, up;

	if (!hay || !needle || nlen > hlen)
		return NULL;
	if (nlen == 0)
		return hay;
	for (k = 1; k < nlen; k++)
		if (byte_permille[lower(n[k])] < byte_permille[lower(n[a])])
			a = k;
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
