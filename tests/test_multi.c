/*
 * The many-needle search of the contains tests (src/detect/multi.h) gives
 * exactly what one needle searched alone gives: ASCII letters without case,
 * every other byte as it is. Checked against a plain search written here,
 * on random texts and needles over an alphabet chosen to hurt (letters in
 * both cases, bytes that the scan's OR-0x20 key merges but that are not
 * equal, UTF-8 of letters whose cases differ outside ASCII), and on
 * hand-made edge cases: needles at the ends, overlapping, longer than the
 * text, of every length around the one-scan threshold.
 */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "multi.h"

static unsigned char fold(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* The reference: try every place. */
static int plain_contains(const char *t, size_t n, const char *s, size_t len)
{
	size_t i, k;

	for (i = 0; i + len <= n; i++) {
		for (k = 0; k < len && fold((unsigned char)t[i + k]) == fold((unsigned char)s[k]); k++)
			;
		if (k == len)
			return 1;
	}
	return 0;
}

static uint32_t rnd_state = 2463534242u;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

/* '@'/'`', '['/'{', '\\'/'|', 0xc9/0xe9 differ only in bit 0x20; "\xc3\xa9"
 * and "\xc3\x89" are é and É. */
static const char alphabet[] = "aAbBcC-  \\|@`[{\xc3\xa9\x89\xc9\xe9\x80\xff" "0.";

static void random_text(char *out, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = alphabet[rnd() % (sizeof alphabet - 1)];
}

START_TEST(random_against_plain_search)
{
	enum { NEEDLES = 80, TEXTS = 400 };
	rt_multi m = RT_MULTI_INIT;
	char needles[NEEDLES][24], text[600];
	size_t nlen[NEEDLES], i, t;
	int id[NEEDLES];

	for (i = 0; i < NEEDLES; i++) {
		nlen[i] = 1 + rnd() % 14;
		random_text(needles[i], nlen[i]);
		id[i] = rt_multi_add(&m, needles[i], nlen[i]);
		ck_assert_int_ge(id[i], 0);
	}
	ck_assert_int_eq(rt_multi_build(&m), 0);
	for (t = 0; t < TEXTS; t++) {
		size_t n = rnd() % (t % 4 ? 40 : 600);
		rt_multi_hits h;
		size_t k;

		random_text(text, n);
		/* plant some needles, in another case */
		for (k = 0; k < 3 && n; k++) {
			size_t j = rnd() % NEEDLES, at;

			if (nlen[j] > n)
				continue;
			at = rnd() % (n - nlen[j] + 1);
			memcpy(text + at, needles[j], nlen[j]);
			if (rnd() & 1)
				for (i = at; i < at + nlen[j]; i++)
					if (text[i] >= 'a' && text[i] <= 'z')
						text[i] = (char)(text[i] - 32);
		}
		rt_multi_hits_init(&h);
		for (k = 0; k < 2 * NEEDLES; k++) {
			size_t j = (k * 7 + t) % NEEDLES;

			ck_assert_msg(rt_multi_has(&m, &h, text, n, (unsigned)id[j]) ==
					      plain_contains(text, n, needles[j], nlen[j]),
				      "text %zu, needle %zu (length %zu)", t, j, nlen[j]);
		}
	}
	rt_multi_release(&m);
}
END_TEST

START_TEST(edges)
{
	static const struct {
		const char *text, *needle;
		int found;
	} c[] = {
		{ "Invoke-Command -ComputerName X", "invoke-command", 1 },
		{ "xx INVOKE-COMMAND", "Invoke-Command", 1 },
		{ "INVOKE-COMMAN", "invoke-command", 0 },
		{ "aaaaaaaaaaaaaaab", "aaaaaaaab", 1 },
		{ "aaaaaaaaaaaaaaaa", "aaaaaaaab", 0 },
		{ "nEtSh", "netsh", 1 },
		{ "", "netsh", 0 },
		{ "x", "x", 1 },
		{ "X", "x", 1 },
		{ "caf\xc3\xa9 au lait!", "CAF\xc3\xa9 AU", 1 },
		{ "caf\xc3\x89 au lait!", "caf\xc3\xa9 au", 0 },
		{ "@@@@@@@@@@", "``````````", 0 },
		{ "[[[[[[[[[[", "{{{{{{{{{{", 0 },
		{ "C:\\Windows\\System32\\", "c:|windows|system32|", 0 },
		{ "C:\\Windows\\System32\\", "c:\\windows\\system32\\", 1 },
		{ "12345678", "12345678", 1 },
		{ "1234567", "12345678", 0 },
		{ "\xc9\xc9\xc9\xc9\xc9\xc9\xc9\xc9", "\xe9\xe9\xe9\xe9\xe9\xe9\xe9\xe9", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		rt_multi m = RT_MULTI_INIT;
		rt_multi_hits h;
		int id = rt_multi_add(&m, c[i].needle, strlen(c[i].needle));

		ck_assert_int_ge(id, 0);
		ck_assert_int_eq(rt_multi_build(&m), 0);
		rt_multi_hits_init(&h);
		ck_assert_msg(rt_multi_has(&m, &h, c[i].text, strlen(c[i].text), (unsigned)id) ==
				      c[i].found,
			      "case %zu", i);
		ck_assert_int_eq(c[i].found, plain_contains(c[i].text, strlen(c[i].text),
							     c[i].needle, strlen(c[i].needle)));
		rt_multi_release(&m);
	}
}
END_TEST

/* Every length around RT_MULTI_LONG, at every place in the text. */
START_TEST(every_length_every_place)
{
	char text[64], needle[24];
	size_t len, at, k;

	for (len = 1; len < 20; len++)
		for (at = 0; at + len <= 40; at++) {
			rt_multi m = RT_MULTI_INIT;
			rt_multi_hits h;
			int id;

			memset(text, '.', 40);
			for (k = 0; k < len; k++)
				needle[k] = (char)('a' + (k * 5 + len) % 26);
			memcpy(text + at, needle, len);
			text[at] = (char)(text[at] - 32);
			id = rt_multi_add(&m, needle, len);
			ck_assert_int_ge(id, 0);
			ck_assert_int_eq(rt_multi_build(&m), 0);
			rt_multi_hits_init(&h);
			ck_assert_msg(rt_multi_has(&m, &h, text, 40, (unsigned)id),
				      "length %zu at %zu", len, at);
			rt_multi_hits_init(&h);
			ck_assert(!rt_multi_has(&m, &h, text, at + len - 1, (unsigned)id));
			rt_multi_release(&m);
		}
}
END_TEST

START_TEST(registration)
{
	rt_multi m = RT_MULTI_INIT;
	rt_multi_hits h;
	int a, b;

	ck_assert_int_eq(rt_multi_add(&m, "", 0), -1);
	a = rt_multi_add(&m, "Enable-PSRemoting", 17);
	b = rt_multi_add(&m, "enable-psremoting", 17);
	ck_assert_int_ge(a, 0);
	ck_assert_int_eq(a, b);
	ck_assert_int_ne(rt_multi_add(&m, "enable-psremotin", 16), a);
	ck_assert_int_eq(rt_multi_build(&m), 0);
	ck_assert_int_eq(rt_multi_add(&m, "late", 4), -1);
	rt_multi_hits_init(&h);
	ck_assert(!rt_multi_has(&m, &h, "enable-psremoting", 17, 999));
	ck_assert(rt_multi_has(&m, &h, "x ENABLE-PSREMOTING", 19, (unsigned)a));
	rt_multi_release(&m);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("multi");
	TCase *t = tcase_create("search");
	SRunner *r;
	int failed;

	tcase_add_test(t, random_against_plain_search);
	tcase_add_test(t, edges);
	tcase_add_test(t, every_length_every_place);
	tcase_add_test(t, registration);
	suite_add_tcase(s, t);
	r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
