/* util: buffers, UTF-16, time, JSON escaping, CRC-32. */
#include "config.h"

#include <check.h>
#include <dlfcn.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "remtrail/diag.h"
#include "remtrail/util.h"

START_TEST(buf_grows_and_caps)
{
	rt_buf b;
	int i;

	rt_buf_init(&b, 100);
	ck_assert_ptr_nonnull(b.buf);
	ck_assert_str_eq(b.buf, "");
	for (i = 0; i < 10; i++)
		ck_assert_int_eq(rt_buf_adds(&b, "0123456789"), 0);
	ck_assert_uint_eq(b.len, 100);
	ck_assert_int_eq(rt_buf_addch(&b, 'x'), -1);
	ck_assert_uint_eq(b.len, 100);
	rt_buf_reset(&b);
	ck_assert_int_eq(rt_buf_addf(&b, "%d-%s", 42, "x"), 0);
	ck_assert_str_eq(b.buf, "42-x");
	rt_buf_release(&b);
	ck_assert_str_eq(b.buf, "");
}
END_TEST

START_TEST(utf16_surrogates)
{
	/* "A", U+1F600 as a pair, a lone high surrogate, "B", NUL, "C" */
	static const uint8_t s[] = { 'A', 0, 0x3D, 0xD8, 0x00, 0xDE, 0x3D, 0xD8, 'B', 0, 0, 0, 'C', 0 };
	rt_buf b = RT_BUF_INIT;

	ck_assert_int_eq(rt_utf16le_to_utf8(&b, s, 7, 1), 0);
	ck_assert_str_eq(b.buf, "A\xF0\x9F\x98\x80\xEF\xBF\xBD" "B");
	rt_buf_release(&b);
}
END_TEST

/* The conversion as it was written first, a unit at a time: the fast
 * ASCII path must give the same bytes. */
static void utf16_ref(rt_buf *b, const uint8_t *p, size_t n, int stop)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint32_t u = rt_le16(p + 2 * i);
		char t[4];

		if (u == 0 && stop)
			break;
		if (u >= 0xD800 && u <= 0xDBFF && i + 1 < n && rt_le16(p + 2 * i + 2) >= 0xDC00 &&
		    rt_le16(p + 2 * i + 2) <= 0xDFFF) {
			u = 0x10000 + ((u - 0xD800) << 10) + (rt_le16(p + 2 * i + 2) - 0xDC00u);
			i++;
		} else if (u >= 0xD800 && u <= 0xDFFF) {
			u = 0xFFFD;
		}
		if (u < 0x80) {
			rt_buf_addch(b, (char)u);
		} else if (u < 0x800) {
			t[0] = (char)(0xC0 | (u >> 6));
			t[1] = (char)(0x80 | (u & 0x3F));
			rt_buf_add(b, t, 2);
		} else if (u < 0x10000) {
			t[0] = (char)(0xE0 | (u >> 12));
			t[1] = (char)(0x80 | ((u >> 6) & 0x3F));
			t[2] = (char)(0x80 | (u & 0x3F));
			rt_buf_add(b, t, 3);
		} else {
			t[0] = (char)(0xF0 | (u >> 18));
			t[1] = (char)(0x80 | ((u >> 12) & 0x3F));
			t[2] = (char)(0x80 | ((u >> 6) & 0x3F));
			t[3] = (char)(0x80 | (u & 0x3F));
			rt_buf_add(b, t, 4);
		}
	}
}

START_TEST(utf16_agrees_with_unitwise)
{
	static const uint16_t pick[] = { 0, 1, 0x7f, 0x80, 0xe9, 0x7ff, 0x800, 0x20ac, 0xd83d,
					 0xde00, 0xdbff, 0xdc00, 0xfffd, 0xffff };
	uint8_t s[160], *exact;
	uint64_t x = 0x2545F4914F6CDD1Dull;
	rt_buf got = RT_BUF_INIT, want = RT_BUF_INIT;
	int i;

	for (i = 0; i < 10000; i++) {
		size_t n, k;
		int stop = i & 1;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		n = x % (sizeof s / 2);
		for (k = 0; k < n; k++) {
			uint16_t u;

			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			u = x % 8 ? (uint16_t)(' ' + x % 95) : pick[(x >> 8) % (sizeof pick / 2)];
			s[2 * k] = (uint8_t)u;
			s[2 * k + 1] = (uint8_t)(u >> 8);
		}
		rt_buf_reset(&got);
		rt_buf_reset(&want);
		/* a copy of exactly n units: ASan sees any read past them */
		exact = malloc(n ? 2 * n : 1);
		ck_assert_ptr_nonnull(exact);
		memcpy(exact, s, 2 * n);
		ck_assert_int_eq(rt_utf16le_to_utf8(&got, exact, n, stop), 0);
		free(exact);
		utf16_ref(&want, s, n, stop);
		ck_assert_uint_eq(got.len, want.len);
		ck_assert_int_eq(memcmp(got.buf, want.buf, got.len), 0);
	}
	rt_buf_release(&got);
	rt_buf_release(&want);
}
END_TEST

START_TEST(time_roundtrip)
{
	char out[RT_TIME_MAX];
	uint64_t ft;

	rt_time_format(0, out);
	ck_assert_str_eq(out, "1601-01-01T00:00:00.0000000Z");
	rt_time_format(RT_FILETIME_UNIX_EPOCH, out);
	ck_assert_str_eq(out, "1970-01-01T00:00:00.0000000Z");
	ck_assert_int_eq(rt_time_parse("2019-03-19T23:34:25.1234567Z", &ft), 0);
	rt_time_format(ft, out);
	ck_assert_str_eq(out, "2019-03-19T23:34:25.1234567Z");
	ck_assert_int_eq(rt_time_parse("2024-02-29", &ft), 0);
	rt_time_format(ft, out);
	ck_assert_str_eq(out, "2024-02-29T00:00:00.0000000Z");
	ck_assert_int_eq(rt_time_parse("2024-02-29T10:00:00+02:00", &ft), -1);
	ck_assert_int_eq(rt_time_parse("yesterday", &ft), -1);
	ck_assert_uint_eq(rt_time_from_unix(0), RT_FILETIME_UNIX_EPOCH);
}
END_TEST

/* rt_time_format writes digits itself: it must equal the printf form
 * for any FILETIME, the largest included. */
/* rt_buf_addf formats the common conversions itself: every one must come
 * out as vsnprintf writes it, the rest are vsnprintf's anyway. */
#define AGREE(...)                                                                      \
	do {                                                                            \
		char want_[512];                                                        \
		rt_buf_reset(&b);                                                       \
		ck_assert_int_eq(rt_buf_addf(&b, "<" __VA_ARGS__), 0);                  \
		snprintf(want_, sizeof want_, "<" __VA_ARGS__);                         \
		ck_assert_str_eq(b.buf, want_);                                         \
		ck_assert_uint_eq(b.len, strlen(want_));                                \
	} while (0)

START_TEST(addf_agrees_with_printf)
{
	static const long long ll[] = { 0, 1, -1, 9, 10, -10, 255, 4096, 2147483647LL,
					-2147483647LL - 1, 9223372036854775807LL,
					-9223372036854775807LL - 1 };
	/* volatile: the compiler is not to see it is NULL (it would warn) */
	const char *volatile null = NULL;
	rt_buf b = RT_BUF_INIT, cap;
	size_t i;

	for (i = 0; i < sizeof ll / sizeof *ll; i++) {
		int v = (int)ll[i];

		AGREE("%d|%i|%u|%x|%X|", v, v, (unsigned)v, (unsigned)v, (unsigned)v);
		AGREE("%ld|%lu|%lx|", (long)ll[i], (unsigned long)ll[i], (unsigned long)ll[i]);
		AGREE("%lld|%llu|%llx|", ll[i], (unsigned long long)ll[i], (unsigned long long)ll[i]);
		AGREE("%zu|%zx|%zd|", (size_t)ll[i], (size_t)ll[i], (ssize_t)ll[i]);
		AGREE("%02x|%04x|%08x|%02X|%3d|%-3d|%05d|%02d|", (unsigned)v & 0xffu,
		      (unsigned)v, (unsigned)v, (unsigned)v & 0xffu, v, v, v, v);
		AGREE("%6zu|%-5zu|%020llu|%-20lld|", (size_t)ll[i], (size_t)ll[i],
		      (unsigned long long)ll[i], ll[i]);
	}
	AGREE("%s|%-8s|%10s|%-24s|%6s|%s|", "abc", "abc", "abc", "a longer string than 24 bytes",
	      "", "\xc3\xa9t\xc3\xa9");
	AGREE("%.*s|%.*s|%.*s|%.*s|", 3, "abcdef", 0, "abc", 10, "ab", 2, "\xc3\xa9x");
	AGREE("%c%c|%-3c|%3c|%%|100%%|%%s", 'a', 'Z', 'q', 'r');
	AGREE("no conversion at all");
	AGREE("%s", "");
	/* what goes to vsnprintf: NULL strings, precision, h, floats, '+', '#' */
	AGREE("%s|%.*s|%.*s|", null, 8, null, -1, "neg");
	AGREE("%.3d|%hd|%hhx|%+d|% d|%#x|%5.1f|%e|%p|", 5, (short)-3, (unsigned char)200, 4, 4, 255u,
	      3.14159, 1e10, (void *)0);
	AGREE("%1$s-%1$s", "pos");
	AGREE("%s and then %d", "mixed", 7);
	/* failure leaves the buffer as it was, at either path */
	rt_buf_init(&cap, 16);
	ck_assert_int_eq(rt_buf_addf(&cap, "%s", "0123456789"), 0);
	ck_assert_int_eq(rt_buf_addf(&cap, "%s%d", "abcdef", 123), -1);
	ck_assert_str_eq(cap.buf, "0123456789");
	ck_assert_int_eq(rt_buf_addf(&cap, "%5.1f%s", 1.0, "abcdef"), -1);
	ck_assert_str_eq(cap.buf, "0123456789");
	ck_assert_uint_eq(cap.len, 10);
	ck_assert_int_eq(rt_buf_addf(&cap, "%-6d", 42), 0);
	ck_assert_str_eq(cap.buf, "012345678942    ");
	rt_buf_release(&cap);
	rt_buf_release(&b);
}
END_TEST
#undef AGREE

START_TEST(time_format_agrees_with_printf)
{
	uint64_t x = 0x9E3779B97F4A7C15ull, ft;
	char got[RT_TIME_MAX], want[64];
	int i;

	for (i = 0; i < 20000; i++) {
		uint64_t secs, frac, rem;
		int64_t days, y, era, yoe, doy, mp;
		unsigned m, d;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		ft = i == 0 ? 0 : i == 1 ? UINT64_MAX : i & 1 ? x : x % 0x0300000000000000ull;
		secs = ft / 10000000u;
		frac = ft % 10000000u;
		days = (int64_t)(secs / 86400) - 134774 + 719468;
		rem = secs % 86400;
		era = (days >= 0 ? days : days - 146096) / 146097;
		yoe = days - era * 146097;
		yoe = (yoe - yoe / 1460 + yoe / 36524 - yoe / 146096) / 365;
		y = yoe + era * 400;
		doy = (days - era * 146097) - (365 * yoe + yoe / 4 - yoe / 100);
		mp = (5 * doy + 2) / 153;
		d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
		m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
		y += m <= 2;
		snprintf(want, sizeof want, "%04lld-%02u-%02uT%02u:%02u:%02u.%07lluZ", (long long)y, m,
			 d, (unsigned)(rem / 3600), (unsigned)(rem / 60 % 60), (unsigned)(rem % 60),
			 (unsigned long long)frac);
		rt_time_format(ft, got);
		ck_assert_str_eq(got, want);
	}
}
END_TEST

START_TEST(json_escaping)
{
	rt_buf b = RT_BUF_INIT;

	ck_assert_int_eq(rt_json_str(&b, "a\"b\\c\n\x01\xff\xc3\xa9", 10), 0);
	ck_assert_str_eq(b.buf, "\"a\\\"b\\\\c\\n\\u0001\\\\xff\xc3\xa9\"");
	rt_buf_release(&b);
}
END_TEST

/* The escaping as it was written first, a byte at a time: the run-wise
 * rt_json_str must give the same bytes for any input. */
static void json_ref(rt_buf *b, const unsigned char *u, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0, k, len;

	rt_buf_addch(b, '"');
	while (i < n) {
		unsigned char c = u[i];

		if (c >= 0x80) {
			uint32_t cp;

			len = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
			      : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
			cp = len == 2 ? c & 0x1Fu : len == 3 ? c & 0x0Fu : c & 0x07u;
			for (k = 1; len && k < len; k++) {
				if (i + k >= n || (u[i + k] & 0xC0) != 0x80) {
					len = 0;
					break;
				}
				cp = cp << 6 | (u[i + k] & 0x3Fu);
			}
			if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
			    (cp >= 0xD800 && cp <= 0xDFFF))
				len = 0;
			if (!len) {
				/* not UTF-8: kept recoverable as the text \xNN */
				char e[5] = { '\\', '\\', 'x', hex[c >> 4], hex[c & 15] };

				rt_buf_add(b, e, 5);
				i++;
			} else {
				rt_buf_add(b, u + i, len);
				i += len;
			}
			continue;
		}
		if (c == '"' || c == '\\') {
			rt_buf_addch(b, '\\');
			rt_buf_addch(b, (char)c);
		} else if (c == '\n' || c == '\r' || c == '\t') {
			rt_buf_addch(b, '\\');
			rt_buf_addch(b, c == '\n' ? 'n' : c == '\r' ? 'r' : 't');
		} else if (c < 0x20) {
			char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

			rt_buf_add(b, e, 6);
		} else {
			rt_buf_addch(b, (char)c);
		}
		i++;
	}
	rt_buf_addch(b, '"');
}

START_TEST(json_agrees_with_bytewise)
{
	static const unsigned char pick[] = { 'a', 'Z', ' ', '"', '\\', '\n', '\r', '\t', 0x01,
					      0x1f, 0x7f, 0x80, 0xbf, 0xc2, 0xc3, 0xa9, 0xe0, 0xe2,
					      0x82, 0xac, 0xed, 0xa0, 0xf0, 0x9f, 0x98, 0xf4, 0x90,
					      0xff, 0 };
	unsigned char s[80];
	uint64_t x = 88172645463325252ull;
	rt_buf got = RT_BUF_INIT, want = RT_BUF_INIT;
	char *exact;
	int i;

	for (i = 0; i < 10000; i++) {
		size_t n, k;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		n = x % sizeof s;
		for (k = 0; k < n; k++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			/* mostly plain text, so that runs of every length occur */
			s[k] = x % 4 ? (unsigned char)('a' + x % 26) : pick[(x >> 8) % sizeof pick];
		}
		rt_buf_reset(&got);
		rt_buf_reset(&want);
		rt_buf_adds(&got, "x");
		rt_buf_adds(&want, "x");
		/* a copy of exactly n bytes: ASan sees any read past them */
		exact = malloc(n ? n : 1);
		ck_assert_ptr_nonnull(exact);
		memcpy(exact, s, n);
		ck_assert_int_eq(rt_json_str(&got, exact, n), 0);
		json_ref(&want, s, n);
		ck_assert_uint_eq(got.len, want.len);
		ck_assert_int_eq(memcmp(got.buf, want.buf, got.len), 0);
		ck_assert_int_eq(got.buf[got.len], 0);
		/* a member: the string as name and (its first half) as value */
		ck_assert_int_eq(rt_json_member(&got, i % 2 ? ',' : '\0', exact, n, exact, n / 2), 0);
		free(exact);
		if (i % 2)
			rt_buf_addch(&want, ',');
		json_ref(&want, s, n);
		rt_buf_addch(&want, ':');
		json_ref(&want, s, n / 2);
		ck_assert_uint_eq(got.len, want.len);
		ck_assert_int_eq(memcmp(got.buf, want.buf, got.len), 0);
		ck_assert_int_eq(got.buf[got.len], 0);
	}
	rt_buf_release(&got);
	rt_buf_release(&want);
}
END_TEST

START_TEST(crc32_known)
{
	ck_assert_uint_eq(rt_crc32(0, "123456789", 9), 0xCBF43926u);
	ck_assert_uint_eq(rt_crc32(rt_crc32(0, "1234", 4), "56789", 5), 0xCBF43926u);
}
END_TEST

START_TEST(strings)
{
	uint64_t v;

	ck_assert(rt_strcaseeq("CurrentControlSet", "currentcontrolset"));
	ck_assert(!rt_strcaseeq("a", "ab"));
	ck_assert(rt_endswith_ci("SYSTEM.LOG1", ".log1"));
	ck_assert_ptr_nonnull(rt_strcasestr("C:\\Windows\\WsmProvHost.exe", "wsmprovhost"));
	ck_assert_int_eq(rt_parse_u64("0x1F", &v), 0);
	ck_assert_uint_eq(v, 31);
	ck_assert_int_eq(rt_parse_u64("12a", &v), -1);
	ck_assert_int_eq(rt_parse_u64("-1", &v), -1);
}
END_TEST

/* The obvious search, position by position: what rt_strcasestr_n must agree with. */
static const char *naive_casestr(const char *h, size_t hl, const char *n, size_t nl)
{
	size_t i, k;

	for (i = 0; nl <= hl && i <= hl - nl; i++) {
		for (k = 0; k < nl; k++) {
			unsigned char a = (unsigned char)h[i + k], b = (unsigned char)n[k];

			if ((a >= 'A' && a <= 'Z' ? a + 32 : a) != (b >= 'A' && b <= 'Z' ? b + 32 : b))
				break;
		}
		if (k == nl)
			return h + i;
	}
	return NULL;
}

START_TEST(hex_digit)
{
	ck_assert_int_eq(rt_hex_digit('0'), 0);
	ck_assert_int_eq(rt_hex_digit('9'), 9);
	ck_assert_int_eq(rt_hex_digit('a'), 10);
	ck_assert_int_eq(rt_hex_digit('F'), 15);
	ck_assert_int_eq(rt_hex_digit('g'), -1);
	ck_assert_int_eq(rt_hex_digit('/'), -1);
	ck_assert_int_eq(rt_hex_digit(':'), -1);
	ck_assert_int_eq(rt_hex_digit(0), -1);
	ck_assert_int_eq(rt_hex_digit((char)0xe9), -1);
	ck_assert_int_eq(rt_hex_digit(0xe9), -1);
}
END_TEST

START_TEST(casestr_edges)
{
	static const char hay[] = "Invoke-Command -ComputerName srv", nul[] = "a\0b",
				 kk[] = "invoKinvoke";
	size_t hl = sizeof hay - 1;

	/* empty needle matches at the start, even in an empty hay */
	ck_assert_ptr_eq(rt_strcasestr_n(hay, hl, "x", 0), hay);
	ck_assert_ptr_eq(rt_strcasestr_n(hay, 0, "", 0), hay);
	ck_assert_ptr_null(rt_strcasestr_n(hay, 0, "i", 1));
	/* needle longer than hay, even when hay is its prefix */
	ck_assert_ptr_null(rt_strcasestr_n("abc", 3, "ABCD", 4));
	/* NULL never matches */
	ck_assert_ptr_null(rt_strcasestr_n(NULL, 0, "", 0));
	ck_assert_ptr_null(rt_strcasestr_n(hay, hl, NULL, 0));
	/* either case of the first byte, first match wins */
	ck_assert_ptr_eq(rt_strcasestr_n(hay, hl, "COMPUTERname", 12), hay + 16);
	ck_assert_ptr_eq(rt_strcasestr_n(hay, hl, "-c", 2), hay + 6);
	ck_assert_ptr_eq(rt_strcasestr_n(hay, hl, "c", 1), hay + 7);
	/* match that ends at the last byte; hlen bounds the search, not NUL */
	ck_assert_ptr_eq(rt_strcasestr_n(hay, hl, "SRV", 3), hay + hl - 3);
	ck_assert_ptr_null(rt_strcasestr_n(hay, hl - 1, "SRV", 3));
	ck_assert_ptr_eq(rt_strcasestr_n(nul, 3, "\0B", 2), nul + 1);
	/* the search anchors on a needle's rarest byte ('k' in "invoke"): a
	 * near miss before the match, and an anchor byte too early to start one */
	ck_assert_ptr_eq(rt_strcasestr_n(kk, 11, "INVOKE", 6), kk + 5);
	ck_assert_ptr_eq(rt_strcasestr_n(kk + 4, 7, "invoke", 6), kk + 5);
	/* bytes >= 0x80 are not folded: U+00C9 and U+00E9 differ */
	ck_assert_ptr_null(rt_strcasestr_n("caf\xC3\xA9", 5, "CAF\xC3\x89", 5));
	ck_assert_ptr_nonnull(rt_strcasestr_n("caf\xC3\xA9", 5, "CAF\xC3\xA9", 5));
	/* only ASCII letters fold: '@' (0x40) is not '`' (0x60), '[' is not '{' */
	ck_assert_ptr_null(rt_strcasestr_n("`[", 2, "@{", 2));
	/* the C-string form agrees */
	ck_assert_ptr_eq(rt_strcasestr(hay, "computername"), hay + 16);
	ck_assert_ptr_eq(rt_strcasestr("", ""), rt_strcasestr("", ""));
	ck_assert_ptr_null(rt_strcasestr("ab", "abc"));
}
END_TEST

/* Many small random cases over an alphabet rich in case pairs, NUL and high bytes. */
START_TEST(casestr_agrees_with_naive)
{
	static const char alpha[] = { 'a', 'A', 'b', 'B', '-', '\0', '\xC3', '\xE9', '@', '`' };
	uint32_t seed = 12345;
	char h[24], n[6];
	int round;

	for (round = 0; round < 20000; round++) {
		size_t hl, nl, i;

		seed = seed * 1103515245u + 12345u;
		hl = (seed >> 8) % sizeof h;
		nl = (seed >> 16) % sizeof n;
		for (i = 0; i < hl; i++) {
			seed = seed * 1103515245u + 12345u;
			h[i] = alpha[(seed >> 16) % sizeof alpha];
		}
		for (i = 0; i < nl; i++) {
			seed = seed * 1103515245u + 12345u;
			n[i] = alpha[(seed >> 16) % 4]; /* letters only: matches happen often */
			if ((seed >> 24) % 5 == 0)
				n[i] = alpha[(seed >> 16) % sizeof alpha];
		}
		ck_assert_ptr_eq(rt_strcasestr_n(h, hl, n, nl), naive_casestr(h, hl, n, nl));
	}
}
END_TEST

/* Every byte value at every offset of a 40-byte run (the SSE2 blocks and
 * the tail), in place and copied: only A-Z change, by 0x20. */
START_TEST(ascii_lower_agrees_with_bytewise)
{
	char src[40], dst[40];
	int b;
	size_t off, i;

	for (b = 0; b < 256; b++)
		for (off = 0; off < sizeof src; off++) {
			for (i = 0; i < sizeof src; i++)
				src[i] = (char)(i == off ? b : 'A' + (int)(i % 26));
			rt_ascii_lower(dst, src, sizeof src);
			rt_ascii_lower(src, src, sizeof src);
			for (i = 0; i < sizeof src; i++) {
				unsigned char c = i == off ? (unsigned char)b : (unsigned char)('A' + i % 26);
				char want = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);

				ck_assert_int_eq(dst[i], want);
				ck_assert_int_eq(src[i], want);
			}
		}
}
END_TEST

/* Two contexts fed on two threads at once, interleaved with a third on
 * this one: no state is shared, and an abandoned context is released. */
typedef struct sha_job {
	const uint8_t *p;
	size_t n, step;
	char hex[65];
} sha_job;

static void *sha_run(void *arg)
{
	sha_job *j = arg;
	rt_sha256 c;
	uint8_t d[32];
	size_t i;

	if (rt_sha256_init(&c))
		return NULL;
	for (i = 0; i < j->n; i += j->step)
		rt_sha256_update(&c, j->p + i, j->n - i < j->step ? j->n - i : j->step);
	if (rt_sha256_final(&c, d) == 0)
		rt_hex(d, 32, j->hex);
	return NULL;
}

static void sha256_checks(void)
{
	size_t n = 3000000, i;
	uint8_t *a = malloc(n), d[32];
	sha_job j1 = { NULL, 0, 4093, "" }, j2 = { NULL, 0, 65536, "" };
	pthread_t t1, t2;
	rt_sha256 x, y;
	char hex[65];

	ck_assert_ptr_nonnull(a);
	memset(a, 'a', 1000000);
	for (i = 1000000; i < n; i++)
		a[i] = (uint8_t)(i * 7);
	j1.p = a;
	j1.n = 1000000;
	j2.p = a;
	j2.n = n;
	ck_assert_int_eq(rt_sha256_init(&x), 0);
	ck_assert_int_eq(rt_sha256_init(&y), 0);
	ck_assert_int_eq(pthread_create(&t1, NULL, sha_run, &j1), 0);
	ck_assert_int_eq(pthread_create(&t2, NULL, sha_run, &j2), 0);
	for (i = 0; i < 1000000; i += 1000) {
		rt_sha256_update(&x, a + i, 1000);
		rt_sha256_update(&y, "abc", i == 0 ? 3 : 0);
	}
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	ck_assert_str_eq(j1.hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	ck_assert_uint_eq(x.len, 1000000);
	ck_assert_int_eq(rt_sha256_final(&x, d), 0);
	rt_hex(d, 32, hex);
	ck_assert_str_eq(hex, j1.hex);
	ck_assert_int_eq(rt_sha256_final(&y, d), 0);
	rt_hex(d, 32, hex);
	ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	ck_assert_int_eq((int)strlen(j2.hex), 64);
	/* a second final, or updates after it, fail safely */
	rt_sha256_update(&y, "x", 1);
	ck_assert_int_eq(rt_sha256_final(&y, d), -1);
	ck_assert_uint_eq(d[0] | d[31], 0);
	/* abandoned before final */
	ck_assert_int_eq(rt_sha256_init(&x), 0);
	rt_sha256_update(&x, a, 100);
	rt_sha256_release(&x);
	rt_sha256_release(&x);
	free(a);
}

/* By SHA256_Init and the rest where libcrypto has them (OpenSSL 3 does),
 * and by EVP, as with a library without them. Each test runs in a process
 * of its own (Check forks), so each starts libcrypto its way. */
START_TEST(sha256_contexts_independent)
{
	sha256_checks();
	ck_assert_int_eq(rt_sha256_is_evp(), 0);
}
END_TEST

START_TEST(sha256_contexts_independent_evp)
{
	rt_sha256_use_evp();
	sha256_checks();
	ck_assert_int_eq(rt_sha256_is_evp(), 1);
}
END_TEST

START_TEST(text_escape_and_csv_cells)
{
	rt_buf b = RT_BUF_INIT;

	ck_assert_int_eq(rt_text_cstr(&b, "a\nb\r\tc\x1b[31md\x7f" "e\xc2\x85" "f\xe2\x80\xae" "g\xff"), 0);
	ck_assert_str_eq(b.buf, "a\\nb\\r\\tc\\x1b[31md\\x7fe\\u0085f\\u202eg\\xff");
	rt_buf_reset(&b);
	ck_assert_int_eq(rt_text_cstr(&b, "C:\\Windows\\x64 caf\xc3\xa9"), 0);
	ck_assert_str_eq(b.buf, "C:\\Windows\\x64 caf\xc3\xa9");
	rt_buf_reset(&b);
	ck_assert_int_eq(rt_csv_cell(&b, "=cmd|' /C calc'!A0", 0), 0);
	ck_assert_str_eq(b.buf, "\"'=cmd|' /C calc'!A0\"");
	rt_buf_reset(&b);
	ck_assert_int_eq(rt_csv_cell(&b, "=cmd|' /C calc'!A0", 1), 0);
	ck_assert_str_eq(b.buf, "=cmd|' /C calc'!A0");
	rt_buf_reset(&b);
	ck_assert_int_eq(rt_csv_cell(&b, "@SUM(1+1)", 0), 0);
	ck_assert_str_eq(b.buf, "\"'@SUM(1+1)\"");
	rt_buf_reset(&b);
	ck_assert_int_eq(rt_csv_cell(&b, "\tx", 0), 0);
	ck_assert_str_eq(b.buf, "\"'\\tx\"");
	rt_buf_reset(&b);
	ck_assert_int_eq(rt_csv_cell(&b, "a \"b\", c\nd", 0), 0);
	ck_assert_str_eq(b.buf, "\"a \"\"b\"\", c\\nd\"");
	rt_buf_release(&b);
}
END_TEST

/* rt_csv_cell as it was written first: escape into a copy, then quote the
 * copy. The cell is now escaped and quoted in place; both must agree. */
static int plain_csv_cell(rt_buf *out, const char *s, int raw)
{
	rt_buf t = RT_BUF_INIT;
	int formula, r = -1;
	const char *p, *q;

	if (!s || !*s)
		return 0;
	formula = !raw && strchr("=+-@\t\r", s[0]) != NULL;
	if ((formula && rt_buf_addch(&t, '\'')) || rt_text_escape(&t, s, strlen(s)))
		goto out;
	if (!formula && !strpbrk(t.buf, ",\";")) {
		r = rt_buf_add(out, t.buf, t.len);
		goto out;
	}
	if (rt_buf_addch(out, '"'))
		goto out;
	for (p = t.buf; (q = strchr(p, '"')); p = q + 1)
		if (rt_buf_add(out, p, (size_t)(q - p) + 1) || rt_buf_addch(out, '"'))
			goto out;
	if (rt_buf_adds(out, p))
		goto out;
	r = rt_buf_addch(out, '"');
out:
	rt_buf_release(&t);
	return r;
}

START_TEST(csv_cell_agrees_with_plain)
{
	static const char alphabet[] = "ab,;\"\"=+-@\t\r\n\x01\\ \xc3\xa9\xff'";
	rt_buf got = RT_BUF_INIT, want = RT_BUF_INIT;
	char cell[40];
	unsigned seed = 12345;
	int k, raw;

	for (k = 0; k < 20000; k++) {
		size_t n = (size_t)(k % 37), i;

		for (i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			cell[i] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
		}
		cell[n] = '\0';
		for (raw = 0; raw < 2; raw++) {
			rt_buf_reset(&got);
			rt_buf_reset(&want);
			/* something before the cell, as in a row */
			rt_buf_adds(&got, k % 3 ? "x," : "");
			rt_buf_adds(&want, k % 3 ? "x," : "");
			ck_assert_int_eq(rt_csv_cell(&got, cell, raw), 0);
			ck_assert_int_eq(plain_csv_cell(&want, cell, raw), 0);
			ck_assert_uint_eq(got.len, want.len);
			ck_assert_mem_eq(got.buf, want.buf, want.len + 1);
		}
	}
	rt_buf_release(&got);
	rt_buf_release(&want);
}
END_TEST

/* Plain text is passed over 8 bytes at a time: whatever must be escaped is
 * found at every offset of a word, as it is on its own (shorter than a
 * word, so looked at byte by byte). */
START_TEST(escapes_found_at_every_offset)
{
	static const char *const odd[] = { "\x01", "\x1f", "\x7f", "\\", "\xc3\xa9", "\xc2\x85",
					   "\xe2\x80\xae", "\xff", "\xf0\x9f\x98\x80", "\n" };
	static int (*const esc[])(rt_buf *, const char *, size_t) = { rt_text_escape,
								      rt_path_escape };
	const char plain[] = "abcdefghijklmnopqrstuvwxyz ~!ABCDEFGHIJ0123456789";
	rt_buf got = RT_BUF_INIT, want = RT_BUF_INIT, in = RT_BUF_INIT;
	size_t o, k, e, cut;

	for (e = 0; e < 2; e++)
		for (k = 0; k < sizeof odd / sizeof *odd; k++)
			for (o = 0; o < 24; o++)
				for (cut = o; cut < o + 20; cut += 7) {
					rt_buf_reset(&in);
					rt_buf_reset(&got);
					rt_buf_reset(&want);
					ck_assert_int_eq(rt_buf_add(&in, plain, o), 0);
					ck_assert_int_eq(rt_buf_adds(&in, odd[k]), 0);
					ck_assert_int_eq(rt_buf_add(&in, plain, cut), 0);
					ck_assert_int_eq(esc[e](&got, in.buf, in.len), 0);
					ck_assert_int_eq(rt_buf_add(&want, plain, o), 0);
					ck_assert_int_eq(esc[e](&want, odd[k], strlen(odd[k])), 0);
					ck_assert_int_eq(rt_buf_add(&want, plain, cut), 0);
					ck_assert_str_eq(got.buf, want.buf);
				}
	rt_buf_release(&in);
	rt_buf_release(&got);
	rt_buf_release(&want);
}
END_TEST

START_TEST(path_escape_roundtrip)
{
	static const char *const names[] = {
		"plain/Security.evtx", "caf\xc3\xa9/x", "bad\xff\xfe", "nl\nname", "esc\x1b[2J",
		"back\\slash", "C:\\x64\\y", "tail\\", "\\\\\\x41", "mix\\\xff", "rlo\xe2\x80\xae" "exe.pdf",
		"c1\xc2\x9b", "",
	};
	size_t i;

	for (i = 0; i < sizeof names / sizeof *names; i++) {
		rt_buf e = RT_BUF_INIT, d = RT_BUF_INIT;
		const char *c;

		ck_assert_int_eq(rt_path_cstr(&e, names[i]), 0);
		for (c = e.buf; *c; c++)
			ck_assert_msg((unsigned char)*c >= 0x20 && *c != 0x7f, "control in '%s'", e.buf);
		ck_assert_int_eq(rt_path_unescape(&d, e.buf, e.len), 0);
		ck_assert_uint_eq(d.len, strlen(names[i]));
		ck_assert_msg(!memcmp(d.buf, names[i], d.len), "round trip of '%s'", e.buf);
		rt_buf_release(&e);
		rt_buf_release(&d);
	}
	{
		rt_buf e = RT_BUF_INIT;

		rt_path_cstr(&e, "C:\\Windows\\System32\\bad\xff");
		ck_assert_str_eq(e.buf, "C:\\Windows\\System32\\bad\\xff");
		rt_buf_release(&e);
	}
}
END_TEST

static char diag_seen[512];

static void diag_sink(void *ctx, rt_diag_level level, const char *subject, const char *message)
{
	(void)ctx;
	(void)level;
	snprintf(diag_seen, sizeof diag_seen, "%s|%s", subject, message);
}

/* What a diagnostic says can neither start a line on stderr nor drive the
 * terminal, whatever the file name and the message quote. */
START_TEST(diag_escapes)
{
	rt_diag d;

	rt_diag_init(&d, diag_sink, NULL);
	rt_diag_error(&d, "logs/evil\nremtrail: error: fake\xff.evtx", "bad chunk '%s'",
		      "\x1b]0;owned\x07\r\n");
	ck_assert_str_eq(diag_seen, "logs/evil\\x0aremtrail: error: fake\\xff.evtx|bad chunk "
				    "'\\x1b]0;owned\\x07\\r\\n'");
	ck_assert_uint_eq(d.errors, 1);
	rt_diag_forward(&d, RT_DIAG_WARN, "s", "m");
	ck_assert_str_eq(diag_seen, "s|m");
	ck_assert_uint_eq(d.warnings, 1);
	rt_diag_release(&d);
}
END_TEST

/* Every job runs once, on as many threads as asked (more than jobs, one,
 * none asked), and a failing job fails the whole without stopping the rest. */
typedef struct par_seen {
	int runs[40];
	pthread_t who[40];
	size_t fail_at;
} par_seen;

static int par_job(void *ctx, size_t i)
{
	par_seen *p = ctx;

	__atomic_add_fetch(&p->runs[i], 1, __ATOMIC_RELAXED);
	p->who[i] = pthread_self();
	return i == p->fail_at;
}

START_TEST(par_each_runs_every_job_once)
{
	static const unsigned threads[] = { 0, 1, 2, 7, 100 };
	size_t t, i;

	for (t = 0; t < sizeof threads / sizeof *threads; t++) {
		par_seen p;

		memset(&p, 0, sizeof p);
		p.fail_at = 40;
		ck_assert_int_eq(rt_par_each(40, threads[t], par_job, &p), 0);
		for (i = 0; i < 40; i++)
			ck_assert_int_eq(p.runs[i], 1);
		if (threads[t] <= 1)
			for (i = 0; i < 40; i++)
				ck_assert(pthread_equal(p.who[i], pthread_self()));
		memset(&p, 0, sizeof p);
		p.fail_at = 3;
		ck_assert_int_eq(rt_par_each(40, threads[t], par_job, &p), -1);
		for (i = 0; i < 40; i++)
			ck_assert_int_eq(p.runs[i], 1);
	}
	ck_assert_int_eq(rt_par_each(0, 2, par_job, NULL), 0);
}
END_TEST

/* A thread started by rt_thread_start runs fn(arg), and may then run
 * wherever its creator may: the core it starts on is a start, not a
 * binding. Also when its creator may use one core only. */
typedef struct started_seen {
	int ran;
#ifdef HAVE_PTHREAD_SETAFFINITY_NP
	cpu_set_t cpus;
	int got;
#endif
} started_seen;

static void *started_job(void *arg)
{
	started_seen *s = arg;

	s->ran++;
#ifdef HAVE_PTHREAD_SETAFFINITY_NP
	s->got = pthread_getaffinity_np(pthread_self(), sizeof s->cpus, &s->cpus) == 0;
#endif
	return s;
}

START_TEST(thread_start_runs_anywhere_its_creator_may)
{
	started_seen s;
	pthread_t th;
	void *back = NULL;
	unsigned k;

	for (k = 0; k < 3; k++) {
		memset(&s, 0, sizeof s);
		ck_assert_int_eq(rt_thread_start(&th, started_job, &s, k), 0);
		ck_assert_int_eq(pthread_join(th, &back), 0);
		ck_assert_ptr_eq(back, &s);
		ck_assert_int_eq(s.ran, 1);
#ifdef HAVE_PTHREAD_SETAFFINITY_NP
		{
			cpu_set_t mine;

			ck_assert(s.got);
			ck_assert_int_eq(pthread_getaffinity_np(pthread_self(), sizeof mine, &mine), 0);
			ck_assert(CPU_EQUAL(&mine, &s.cpus));
		}
#endif
	}
#ifdef HAVE_PTHREAD_SETAFFINITY_NP
	{
		cpu_set_t all, one;
		int c;

		ck_assert_int_eq(pthread_getaffinity_np(pthread_self(), sizeof all, &all), 0);
		for (c = 0; c < CPU_SETSIZE && !CPU_ISSET(c, &all); c++)
			;
		CPU_ZERO(&one);
		CPU_SET(c, &one);
		ck_assert_int_eq(pthread_setaffinity_np(pthread_self(), sizeof one, &one), 0);
		memset(&s, 0, sizeof s);
		ck_assert_int_eq(rt_thread_start(&th, started_job, &s, 1), 0);
		ck_assert_int_eq(pthread_join(th, NULL), 0);
		ck_assert_int_eq(s.ran, 1);
		ck_assert(CPU_EQUAL(&one, &s.cpus));
		ck_assert_int_eq(pthread_setaffinity_np(pthread_self(), sizeof all, &all), 0);
	}
#endif
}
END_TEST

/* Scopes united: each item once, in the order first met. */
START_TEST(list_union_keeps_each_item_once)
{
	rt_buf b = RT_BUF_INIT;

	ck_assert_int_eq(rt_list_union(&b, "10.0.5.0/24"), 0);
	ck_assert_int_eq(rt_list_union(&b, "10.0.5.0/24,10.0.6.1"), 0);
	ck_assert_int_eq(rt_list_union(&b, "localsubnet,,10.0.6.1"), 0);
	ck_assert_int_eq(rt_list_union(&b, "LocalSubnet"), 0);
	ck_assert_int_eq(rt_list_union(&b, ""), 0);
	ck_assert_str_eq(b.buf, "10.0.5.0/24,10.0.6.1,localsubnet");
	ck_assert(rt_list_has(b.buf, "LOCALSUBNET", 11));
	ck_assert(!rt_list_has(b.buf, "10.0.6.10", 9));
	rt_buf_release(&b);
}
END_TEST

/* A library loaded on first use: its functions, or why not, the same answer every time. */
START_TEST(dl_load_says_why)
{
	static size_t (*my_strlen)(const char *);
	static int (*nothing)(void);
	static const rt_dl_sym ok_syms[] = { { "strlen", &my_strlen } };
	static const rt_dl_sym bad_syms[] = { { "strlen", &my_strlen },
					      { "rt_no_such_function", &nothing } };
	static const rt_dl_sym none[] = { { "strlen", &my_strlen } };
	static rt_dl_lib ok = RT_DL_LIB("libc.so.6", RTLD_NOW | RTLD_LOCAL, ok_syms);
	static rt_dl_lib bad = RT_DL_LIB("libc.so.6", RTLD_NOW | RTLD_LOCAL, bad_syms);
	static rt_dl_lib missing = RT_DL_LIB("libremtrail-none.so.9", RTLD_NOW | RTLD_LOCAL, none);
	char err[256] = "";
	int i;

	ck_assert_int_eq(rt_dl_load(&ok, err, sizeof err), 0);
	ck_assert_uint_eq(my_strlen("four"), 4);
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(rt_dl_load(&bad, err, sizeof err), -1);
		ck_assert_str_eq(err, "cannot load libc.so.6: it has no rt_no_such_function");
		ck_assert_int_eq(rt_dl_load(&missing, err, sizeof err), -1);
		ck_assert_msg(!strncmp(err, "cannot load libremtrail-none.so.9: ", 35), "%s", err);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 120); /* the differential loops, under ASan on a busy machine */
	tcase_add_test(tc, buf_grows_and_caps);
	tcase_add_test(tc, addf_agrees_with_printf);
	tcase_add_test(tc, utf16_surrogates);
	tcase_add_test(tc, utf16_agrees_with_unitwise);
	tcase_add_test(tc, time_roundtrip);
	tcase_add_test(tc, time_format_agrees_with_printf);
	tcase_add_test(tc, json_escaping);
	tcase_add_test(tc, json_agrees_with_bytewise);
	tcase_add_test(tc, crc32_known);
	tcase_add_test(tc, strings);
	tcase_add_test(tc, hex_digit);
	tcase_add_test(tc, casestr_edges);
	tcase_add_test(tc, casestr_agrees_with_naive);
	tcase_add_test(tc, ascii_lower_agrees_with_bytewise);
	tcase_add_test(tc, sha256_contexts_independent);
	tcase_add_test(tc, sha256_contexts_independent_evp);
	tcase_add_test(tc, text_escape_and_csv_cells);
	tcase_add_test(tc, escapes_found_at_every_offset);
	tcase_add_test(tc, csv_cell_agrees_with_plain);
	tcase_add_test(tc, path_escape_roundtrip);
	tcase_add_test(tc, diag_escapes);
	tcase_add_test(tc, par_each_runs_every_job_once);
	tcase_add_test(tc, thread_start_runs_anywhere_its_creator_may);
	tcase_add_test(tc, dl_load_says_why);
	tcase_add_test(tc, list_union_keeps_each_item_once);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
