/* util: buffers, UTF-16, time, JSON escaping, CRC-32. */
#include "config.h"

#include <check.h>
#include <stdlib.h>

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
	ck_assert_str_eq(b.buf, "\"a\\\"b\\\\c\\n\\u0001\\ufffd\xc3\xa9\"");
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
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
