/*
 * libFuzzer target: open arbitrary bytes as a hive and read what can be
 * read; check its key tree (rt_hive_check); and load it as configuration
 * evidence (the setting families, the exposure model), through a memory
 * file so that it goes the way a hive on disk goes.
 */
#define _GNU_SOURCE
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "remtrail/config.h"
#include "remtrail/hive.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__asan_default_options(void);

/* Full allocation stacks, so that the suppressions of libregf's own leaks
 * (hive.c) match frames inside libregf. */
const char *__asan_default_options(void)
{
	return "fast_unwind_on_malloc=0";
}

static unsigned budget;

static void walk(rt_key *k, int depth)
{
	int i, n;

	if (depth > 8 || budget == 0)
		return;
	budget--;
	n = rt_key_value_count(k);
	for (i = 0; i < n && i < 64; i++) {
		rt_value *v = NULL;
		char *s = NULL, **l = NULL;

		if (rt_key_value_at(k, i, &v) != 1)
			continue;
		if (rt_value_string(v, &s) == 0)
			free(s);
		if (rt_value_multi_sz(v, &l, NULL) == 0)
			rt_strv_free(l);
		rt_value_free(&v);
	}
	n = rt_key_subkey_count(k);
	for (i = 0; i < n && i < 64; i++) {
		rt_key *c = NULL;

		if (rt_key_subkey_at(k, i, &c) != 1)
			continue;
		walk(c, depth + 1);
		rt_key_free(&c);
	}
}

static void load_config(const uint8_t *data, size_t size)
{
	char path[64];
	rt_cfg_input in = { 0 };
	rt_config *cfg = NULL;
	int fd = memfd_create("hive", 0);

	if (fd < 0)
		return;
	if (write(fd, data, size) == (ssize_t)size) {
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
		in.path = path;
		if (rt_config_load(&in, 1, &cfg, NULL) == 0) {
			rt_buf out = RT_BUF_INIT;

			rt_config_write_json(cfg, &out);
			rt_config_write_text(cfg, &out);
			rt_buf_release(&out);
			rt_config_free(&cfg);
		}
	}
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rt_hive *h = NULL;
	rt_key *root = NULL;
	char *s = NULL;

	if (rt_hive_open_memory(data, size, "fuzz", 0, &h, NULL) != 0)
		return 0;
	budget = 2000;
	if (rt_hive_root(h, &root) == 1)
		walk(root, 0);
	rt_key_free(&root);
	if (rt_hive_computer_name(h, &s) == 1)
		free(s);
	rt_hive_check(h, NULL, NULL, 0);
	rt_hive_free(&h);
	load_config(data, size);
	return 0;
}
