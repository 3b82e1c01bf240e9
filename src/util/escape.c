/* Escaping for text outputs and file names; see util.h. */
#include "config.h"

#include "remtrail/util.h"

static const char hexd[] = "0123456789abcdef";

static int put_byte_escape(rt_buf *out, unsigned char c)
{
	char e[4] = { '\\', 'x', hexd[c >> 4], hexd[c & 15] };

	return rt_buf_add(out, e, 4);
}

/* Code points that rearrange or break lines on a reader's screen: C1
 * controls, LRM/RLM and ALM, line and paragraph separators, the
 * bidirectional embeddings, overrides and isolates (Unicode UAX #9). */
static int is_hostile_cp(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9F) || cp == 0x061C || cp == 0x200E || cp == 0x200F ||
	       (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

static uint32_t decode_cp(const unsigned char *s, size_t k)
{
	uint32_t cp = k == 2 ? s[0] & 0x1F : k == 3 ? s[0] & 0x0F : s[0] & 0x07;
	size_t i;

	for (i = 1; i < k; i++)
		cp = (cp << 6) | (s[i] & 0x3F);
	return cp;
}

/* Bytes of the escape-free run starting at s[0], stopping at anything a
 * text writer must escape: controls, DEL, invalid UTF-8 and the code
 * points above. `*k` gets the length of the sequence found there (0 for an
 * invalid byte). */
static size_t plain_run(const unsigned char *s, size_t n, int stop_bs, size_t *k)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
	size_t i = 0;

	/* 8 plain bytes at a time (SWAR): no control (below 0x20), no DEL
	 * (0x7F + 1 sets the top bit), no byte of 0x80 or above, no
	 * backslash when it stops a run; a word with any goes bytewise */
	while (n - i >= 8) {
		uint64_t x, m;

		memcpy(&x, s + i, 8);
		m = (x - ones * 0x20) | (x + ones) | x;
		if (stop_bs)
			m |= (x ^ (ones * '\\')) - ones;
		if (m & high)
			break;
		i += 8;
	}
	while (i < n) {
		unsigned char c = s[i];
		size_t l;

		if (c >= 0x20 && c < 0x7F && !(stop_bs && c == '\\')) {
			i++;
			continue;
		}
		if (c < 0x80) {
			*k = 1;
			return i;
		}
		l = rt_utf8_seq_len(s + i, n - i);
		if (!l || is_hostile_cp(decode_cp(s + i, l))) {
			*k = l;
			return i;
		}
		i += l;
	}
	*k = 0;
	return i;
}

int rt_text_escape(rt_buf *out, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		size_t k, run = plain_run(u + i, n - i, 0, &k);
		unsigned char c;

		if (run && rt_buf_add(out, s + i, run))
			return -1;
		i += run;
		if (i >= n)
			break;
		c = u[i];
		if (k > 1) {
			uint32_t cp = decode_cp(u + i, k);

			if (rt_buf_addf(out, "\\u%04x", (unsigned)cp))
				return -1;
			i += k;
			continue;
		}
		if (c == '\n' || c == '\r' || c == '\t') {
			char e[2] = { '\\', c == '\n' ? 'n' : c == '\r' ? 'r' : 't' };

			if (rt_buf_add(out, e, 2))
				return -1;
		} else if (put_byte_escape(out, c)) {
			return -1;
		}
		i++;
	}
	return 0;
}

/* Whether rt_path_escape writes the character at s[0] escaped. */
static int path_escaped_at(const unsigned char *s, size_t n)
{
	size_t l;

	if (s[0] >= 0x20 && s[0] < 0x7F)
		return 0;
	if (s[0] < 0x80)
		return 1;
	l = rt_utf8_seq_len(s, n);
	return !l || is_hostile_cp(decode_cp(s, l));
}

int rt_path_escape(rt_buf *out, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		size_t k, run = plain_run(u + i, n - i, 1, &k), j;

		if (run && rt_buf_add(out, s + i, run))
			return -1;
		i += run;
		if (i >= n)
			break;
		if (u[i] == '\\') {
			/* doubled only where a reader could take it for an escape */
			int dbl = i + 1 < n && (u[i + 1] == '\\' || u[i + 1] == 'x' ||
						path_escaped_at(u + i + 1, n - i - 1));

			if (rt_buf_add(out, "\\\\", dbl ? 2 : 1))
				return -1;
			i++;
			continue;
		}
		if (!k)
			k = 1;
		for (j = 0; j < k; j++)
			if (put_byte_escape(out, u[i + j]))
				return -1;
		i += k;
	}
	return 0;
}

int rt_path_unescape(rt_buf *out, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		int hi, lo;

		if (s[i] != '\\' || i + 1 >= n) {
			if (rt_buf_addch(out, s[i++]))
				return -1;
			continue;
		}
		if (s[i + 1] == '\\') {
			if (rt_buf_addch(out, '\\'))
				return -1;
			i += 2;
		} else if (s[i + 1] == 'x' && i + 3 < n && (hi = rt_hex_digit((unsigned char)s[i + 2])) >= 0 &&
			   (lo = rt_hex_digit((unsigned char)s[i + 3])) >= 0) {
			if (rt_buf_addch(out, (char)(hi << 4 | lo)))
				return -1;
			i += 4;
		} else {
			if (rt_buf_addch(out, '\\'))
				return -1;
			i++;
		}
	}
	return 0;
}

/*
 * Escaped in place at the end of `out`, then, when the cell must be quoted,
 * spread backwards to make room for the quotes (no copy per cell: a
 * timeline writes a hundred thousand of them).
 */
int rt_csv_cell(rt_buf *out, const char *s, int raw)
{
	size_t start = out->len, n, q = 0, total, i, w;
	int formula;
	char *b;

	if (!s || !*s)
		return 0;
	formula = !raw && strchr("=+-@\t\r", s[0]) != NULL;
	if (rt_text_escape(out, s, strlen(s))) {
		rt_buf_truncate(out, start);
		return -1;
	}
	n = out->len - start;
	b = out->buf + start;
	if (!formula && !memchr(b, ',', n) && !memchr(b, '"', n) && !memchr(b, ';', n))
		return 0;
	for (i = 0; i < n; i++)
		q += b[i] == '"';
	total = n + q + 2 + (size_t)formula;
	if (rt_buf_grow(out, total - n)) {
		rt_buf_truncate(out, start);
		return -1;
	}
	b = out->buf + start;
	/* from the end: the closing quote, the text with its quotes doubled,
	 * the apostrophe of a formula, the opening quote */
	w = total;
	b[--w] = '"';
	for (i = n; i-- > 0;) {
		b[--w] = b[i];
		if (b[i] == '"')
			b[--w] = '"';
	}
	if (formula)
		b[--w] = '\'';
	b[--w] = '"';
	out->len = start + total;
	out->buf[out->len] = '\0';
	return 0;
}
