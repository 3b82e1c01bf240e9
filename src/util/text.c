/* UTF-16/UTF-8 conversion, string helpers, JSON escaping, CRC-32. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

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

int rt_utf16le_to_utf8(rt_buf *out, const uint8_t *p, size_t nunits, int stop_at_nul)
{
	size_t i;

	if (rt_buf_grow(out, nunits))
		return -1;
	for (i = 0; i < nunits; i++) {
		uint32_t u = rt_le16(p + 2 * i);

		if (u == 0 && stop_at_nul)
			break;
		if (u < 0x80) {
			if (rt_buf_addch(out, (char)u))
				return -1;
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

int rt_json_str(rt_buf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, run;

	if (rt_buf_grow(out, n + 2) || rt_buf_addch(out, '"'))
		return -1;
	while (i < n) {
		unsigned char c = u[i];

		/* copy the longest run of plain ASCII at once */
		run = i;
		while (run < n && u[run] >= 0x20 && u[run] < 0x80 && u[run] != '"' &&
		       u[run] != '\\')
			run++;
		if (run > i) {
			if (rt_buf_add(out, s + i, run - i))
				return -1;
			i = run;
			continue;
		}
		if (c >= 0x80) {
			size_t k = rt_utf8_seq_len(u + i, n - i);

			if (k == 0) {
				/* a byte that is not UTF-8 (a file name in another
				 * encoding) stays recoverable: the text \xNN */
				char e[6] = { '\\', '\\', 'x', hex[c >> 4], hex[c & 15] };

				if (rt_buf_add(out, e, 5))
					return -1;
				i++;
			} else {
				if (rt_buf_add(out, s + i, k))
					return -1;
				i += k;
			}
			continue;
		}
		switch (c) {
		case '"': if (rt_buf_add(out, "\\\"", 2)) return -1; break;
		case '\\': if (rt_buf_add(out, "\\\\", 2)) return -1; break;
		case '\n': if (rt_buf_add(out, "\\n", 2)) return -1; break;
		case '\r': if (rt_buf_add(out, "\\r", 2)) return -1; break;
		case '\t': if (rt_buf_add(out, "\\t", 2)) return -1; break;
		default: {
			char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

			if (rt_buf_add(out, e, 6))
				return -1;
		}
		}
		i++;
	}
	return rt_buf_addch(out, '"');
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

static uint32_t crc_table[256];
static int crc_ready;

static void crc_init(void)
{
	uint32_t i, j, c;

	for (i = 0; i < 256; i++) {
		c = i;
		for (j = 0; j < 8; j++)
			c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
	__atomic_store_n(&crc_ready, 1, __ATOMIC_RELEASE);
}

uint32_t rt_crc32(uint32_t crc, const void *data, size_t len)
{
	const uint8_t *p = data;

	if (!__atomic_load_n(&crc_ready, __ATOMIC_ACQUIRE))
		crc_init();
	crc = ~crc;
	while (len--)
		crc = crc_table[(crc ^ *p++) & 0xFF] ^ (crc >> 8);
	return ~crc;
}
