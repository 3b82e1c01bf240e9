/* util: buffers, UTF-16, time, JSON escaping, CRC-32. */
#include "config.h"

#include <check.h>
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

START_TEST(json_escaping)
{
	rt_buf b = RT_BUF_INIT;

	ck_assert_int_eq(rt_json_str(&b, "a\"b\\c\n\x01\xff\xc3\xa9", 10), 0);
	ck_assert_str_eq(b.buf, "\"a\\\"b\\\\c\\n\\u0001\\\\xff\xc3\xa9\"");
	rt_buf_release(&b);
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

int main(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, buf_grows_and_caps);
	tcase_add_test(tc, utf16_surrogates);
	tcase_add_test(tc, time_roundtrip);
	tcase_add_test(tc, json_escaping);
	tcase_add_test(tc, crc32_known);
	tcase_add_test(tc, strings);
	tcase_add_test(tc, hex_digit);
	tcase_add_test(tc, casestr_edges);
	tcase_add_test(tc, casestr_agrees_with_naive);
	tcase_add_test(tc, text_escape_and_csv_cells);
	tcase_add_test(tc, path_escape_roundtrip);
	tcase_add_test(tc, diag_escapes);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
