/*
 * Naming a host from its own evidence. Only a few values are needed, so
 * libregf and libevtx are called directly here rather than through the
 * registry and evtx stages: grouping must work before those stages run.
 * Failures are silent: the stage that reads the file reports its damage.
 */
#include "config.h"

#include <libevtx.h>
#include <libregf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence_int.h"

/* Longer names are not computer names (NetBIOS: 15, DNS: 255). */
#define MAX_NAME 256
/* Records tried before giving up on an EVTX file's Computer. */
#define MAX_PROBE_RECORDS 8

static char *regf_string(libregf_key_t *root, const char *path, const char *name)
{
	libregf_error_t *err = NULL;
	libregf_key_t *key = NULL;
	libregf_value_t *val = NULL;
	size_t sz = 0;
	char *s = NULL;

	if (libregf_key_get_sub_key_by_utf8_path(root, (const uint8_t *)path, strlen(path), &key,
						 &err) != 1)
		goto out;
	if (libregf_key_get_value_by_utf8_name(key, (const uint8_t *)name, strlen(name), &val,
					       &err) != 1)
		goto out;
	if (libregf_value_get_value_utf8_string_size(val, &sz, &err) != 1 || sz < 2 ||
	    sz > MAX_NAME)
		goto out;
	s = malloc(sz);
	if (s && libregf_value_get_value_utf8_string(val, (uint8_t *)s, sz, &err) != 1) {
		free(s);
		s = NULL;
	}
out:
	libregf_value_free(&val, NULL);
	libregf_key_free(&key, NULL);
	libregf_error_free(&err);
	return s;
}

static uint32_t regf_current_set(libregf_key_t *root)
{
	libregf_error_t *err = NULL;
	libregf_key_t *key = NULL;
	libregf_value_t *val = NULL;
	uint32_t cur = 0;

	if (libregf_key_get_sub_key_by_utf8_path(root, (const uint8_t *)"Select", 6, &key, &err) ==
		    1 &&
	    libregf_key_get_value_by_utf8_name(key, (const uint8_t *)"Current", 7, &val, &err) == 1 &&
	    libregf_value_get_value_32bit(val, &cur, &err) != 1)
		cur = 0;
	libregf_value_free(&val, NULL);
	libregf_key_free(&key, NULL);
	libregf_error_free(&err);
	return cur >= 1 && cur <= 999 ? cur : 1;
}

char *ev_hive_computer_name(const char *path)
{
	libregf_error_t *err = NULL;
	libregf_file_t *f = NULL;
	libregf_key_t *root = NULL;
	char key[80];
	char *name = NULL;
	uint32_t set;

	if (libregf_file_initialize(&f, &err) != 1)
		goto out;
	if (libregf_file_open(f, path, LIBREGF_OPEN_READ, &err) != 1)
		goto out;
	if (libregf_file_get_root_key(f, &root, &err) != 1)
		goto close;
	set = regf_current_set(root);
	snprintf(key, sizeof(key), "ControlSet%03u\\Control\\ComputerName\\ComputerName",
		 (unsigned)set);
	name = regf_string(root, key, "ComputerName");
	if (!name && set != 1)
		name = regf_string(root, "ControlSet001\\Control\\ComputerName\\ComputerName",
				   "ComputerName");
	libregf_key_free(&root, NULL);
close:
	libregf_file_close(f, NULL);
out:
	libregf_file_free(&f, NULL);
	libregf_error_free(&err);
	return name;
}

static char *record_computer(libevtx_file_t *f, int i)
{
	libevtx_error_t *err = NULL;
	libevtx_record_t *rec = NULL;
	size_t sz = 0;
	char *s = NULL;

	if (libevtx_file_get_record_by_index(f, i, &rec, &err) != 1)
		goto out;
	if (libevtx_record_get_utf8_computer_name_size(rec, &sz, &err) != 1 || sz < 2 ||
	    sz > MAX_NAME)
		goto out;
	s = malloc(sz);
	if (s && libevtx_record_get_utf8_computer_name(rec, (uint8_t *)s, sz, &err) != 1) {
		free(s);
		s = NULL;
	}
out:
	libevtx_record_free(&rec, NULL);
	libevtx_error_free(&err);
	return s;
}

char *ev_evtx_computer_name(const char *path)
{
	libevtx_error_t *err = NULL;
	libevtx_file_t *f = NULL;
	char *name = NULL;
	int n = 0, i;

	if (libevtx_file_initialize(&f, &err) != 1)
		goto out;
	if (libevtx_file_open(f, path, LIBEVTX_OPEN_READ, &err) != 1)
		goto out;
	if (libevtx_file_get_number_of_records(f, &n, &err) == 1)
		for (i = 0; i < n && i < MAX_PROBE_RECORDS && !name; i++)
			name = record_computer(f, i);
	libevtx_file_close(f, NULL);
out:
	libevtx_file_free(&f, NULL);
	libevtx_error_free(&err);
	return name;
}
