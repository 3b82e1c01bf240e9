/* registry: hive reader, replay, test hive writer. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "remtrail/hive.h"
#include "remtrail/util.h"
#include "testutil.h"

/* Decompress $RT_CORPUS/registry/<name>.xz into `dir`; NULL when absent. */
static char *corpus_xz(const char *dir, const char *name)
{
	const char *c = tu_corpus();
	char cmd[3072], *path;
	char *argv[] = { "/bin/sh", "-c", cmd, NULL };
	size_t n;

	if (!c)
		return NULL;
	n = strlen(dir) + strlen(name) + 2;
	path = malloc(n);
	ck_assert_ptr_nonnull(path);
	snprintf(path, n, "%s/%s", dir, name);
	snprintf(cmd, sizeof cmd, "xz -dc '%s/registry/%s.xz' > '%s'", c, name, path);
	if (tu_run(argv, NULL, NULL) != 0) {
		free(path);
		return NULL;
	}
	return path;
}

START_TEST(corpus_system)
{
	char *dir = tu_tmpdir(), *p, *name = NULL;
	rt_hive *h = NULL;
	rt_key *k = NULL;
	rt_diag d;
	uint32_t start = 0;

	p = corpus_xz(dir, "SYSTEM");
	if (!p) {
		tu_rmtree(dir);
		free(dir);
		return;
	}
	rt_diag_init(&d, NULL, NULL);
	ck_assert_int_eq(rt_hive_open(p, 0, &h, &d), 0);
	ck_assert_int_eq(rt_hive_get_info(h)->kind, RT_HIVE_SYSTEM);
	ck_assert_int_eq(rt_hive_get_key(h, "currentcontrolset\\services\\winrm", &k), 1);
	ck_assert_int_eq(rt_key_get_dword(k, "start", &start), 1);
	rt_key_free(&k);
	ck_assert_uint_eq(start, 3);
	ck_assert_int_eq(rt_hive_computer_name(h, &name), 1);
	ck_assert_str_eq(name, "WKS-WIN732BITA");
	free(name);
	rt_hive_free(&h);
	rt_diag_release(&d);
	tu_rmtree(dir);
	free(dir);
	free(p);
}
END_TEST

static Suite *registry_suite(void)
{
	Suite *s = suite_create("registry");
	TCase *tc = tcase_create("reader");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, corpus_system);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(registry_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
