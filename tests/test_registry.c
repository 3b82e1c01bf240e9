/* registry: hive reader, transaction log replay, test hive writer. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hive_writer.h"
#include "remtrail/hive.h"
#include "remtrail/util.h"
#include "testutil.h"

#define T_2021 132539328000000000ULL /* 2021-01-01T00:00:00Z */

/* ------------------------------------------------------------- helpers */

typedef struct msgs {
	rt_buf text;
} msgs;

static void collect(void *ctx, rt_diag_level level, const char *subject, const char *message)
{
	msgs *m = ctx;

	rt_buf_addf(&m->text, "%s|%s\n", level == RT_DIAG_ERROR ? "error" : "warn", message);
}

static char *path_in(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);

	ck_assert_ptr_nonnull(p);
	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

static int value_str(rt_hive *h, const char *key, const char *name, const char *want)
{
	char *s = NULL;
	int r = rt_hive_get_string(h, key, name, &s);
	int ok = r == 1 && strcmp(s, want) == 0;

	if (!ok)
		fprintf(stderr, "%s\\%s: r=%d got '%s' want '%s'\n", key, name, r, s ? s : "",
			want);
	free(s);
	return ok;
}

/*
 * Walk every key and value below `k`, with a depth limit and a visited set
 * of cell offsets against cycles, as every consumer of damaged hives must.
 */
typedef struct walk {
	uint32_t *seen;
	size_t nseen, cap;
	unsigned keys, values;
} walk;

static int seen_before(walk *w, uint32_t off)
{
	size_t i;

	for (i = 0; i < w->nseen; i++)
		if (w->seen[i] == off)
			return 1;
	if (w->nseen == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 256;
		w->seen = realloc(w->seen, w->cap * sizeof *w->seen);
		ck_assert_ptr_nonnull(w->seen);
	}
	w->seen[w->nseen++] = off;
	return 0;
}

static void walk_key(walk *w, rt_key *k, int depth)
{
	int i, n;

	if (depth > 64 || w->keys > 20000 || seen_before(w, rt_key_offset(k)))
		return;
	w->keys++;
	ck_assert_ptr_nonnull(rt_key_name(k));
	n = rt_key_value_count(k);
	for (i = 0; i < n; i++) {
		rt_value *v;
		char *s;
		char **l;
		uint32_t d;
		uint64_t q;

		if (rt_key_value_at(k, i, &v) != 1)
			continue;
		w->values++;
		if (rt_value_string(v, &s) == 0)
			free(s);
		if (rt_value_multi_sz(v, &l, NULL) == 0)
			rt_strv_free(l);
		(void)rt_value_dword(v, &d);
		(void)rt_value_qword(v, &q);
		rt_value_free(&v);
	}
	n = rt_key_subkey_count(k);
	for (i = 0; i < n; i++) {
		rt_key *c;

		if (rt_key_subkey_at(k, i, &c) != 1)
			continue;
		walk_key(w, c, depth + 1);
		rt_key_free(&c);
	}
}

static void walk_hive(rt_hive *h, walk *w)
{
	rt_key *root;

	memset(w, 0, sizeof *w);
	if (rt_hive_root(h, &root) == 1)
		walk_key(w, root, 0);
	rt_key_free(&root);
	free(w->seen);
	w->seen = NULL;
}

#ifndef RT_CORPUS_SUITE
/* A SYSTEM-like hive with every value type. */
static hw_hive *sample_system(void)
{
	hw_hive *h = hw_new();
	static uint8_t big[40000];
	static const uint8_t bin[] = { 1, 2, 3, 4, 5, 6 };
	size_t i;

	for (i = 0; i < sizeof big; i++)
		big[i] = (uint8_t)(i * 7);
	hw_set_file_name(h, "SYSTEM");
	hw_dword(h, "Select", "Current", 2);
	hw_dword(h, "Select", "Default", 2);
	hw_key(h, "ControlSet002\\Services\\WinRM", T_2021);
	hw_dword(h, "ControlSet002\\Services\\WinRM", "Start", 2);
	hw_dword(h, "ControlSet001\\Services\\WinRM", "Start", 4);
	hw_dword_be(h, "ControlSet002\\Services\\WinRM", "BE", 0x01020304);
	hw_qword(h, "ControlSet002\\Services\\WinRM", "Q", 0x1122334455667788ULL);
	hw_sz(h, "ControlSet002\\Services\\WinRM", "DisplayName", "Windows Remote Management");
	hw_sz(h, "ControlSet002\\Services\\WinRM", "", "default value");
	hw_sz(h, "ControlSet002\\Services\\WinRM", "Empty", "");
	hw_expand_sz(h, "ControlSet002\\Services\\WinRM", "ImagePath",
		     "%SystemRoot%\\System32\\svchost.exe -k NetworkService");
	hw_multi_sz(h, "ControlSet002\\Services\\WinRM", "DependOnService", "RPCSS", "HTTP", NULL);
	hw_binary(h, "ControlSet002\\Services\\WinRM", "Bin", bin, sizeof bin);
	hw_binary(h, "ControlSet002\\Services\\WinRM", "Big", big, sizeof big);
	hw_none(h, "ControlSet002\\Services\\WinRM", "None", bin, 2);
	hw_link(h, "ControlSet002\\Services\\WinRM", "Link", "\\Registry\\Machine\\X");
	hw_value(h, "ControlSet002\\Services\\WinRM", "Odd", 0x1234, bin, 3);
	hw_sz(h, "ControlSet002\\Control\\ComputerName\\ComputerName", "ComputerName", "HOST-A");
	hw_sz(h, "ControlSet002\\Services\\Ünïcode", "Nämé", "välüé €");
	return h;
}

/* --------------------------------------------------------------- reader */

START_TEST(reader_all_types)
{
	char *dir = tu_tmpdir(), *p = path_in(dir, "SYSTEM"), *s = NULL, **list = NULL;
	hw_hive *w = sample_system();
	rt_hive *h = NULL;
	rt_key *k = NULL, *k2 = NULL;
	rt_value *v = NULL;
	uint32_t d = 0, type = 0;
	uint64_t q = 0;
	uint8_t *data = NULL;
	size_t n = 0, i;
	char cs[32];
	const rt_hive_info *info;

	ck_assert_int_eq(hw_write(w, p), 0);
	ck_assert_int_eq(rt_hive_open(p, 0, &h, NULL), 0);
	info = rt_hive_get_info(h);
	ck_assert_int_eq(info->kind, RT_HIVE_SYSTEM);
	ck_assert_str_eq(info->file_name, "SYSTEM");
	ck_assert_int_eq(info->checksum_ok, 1);
	ck_assert_int_eq(info->dirty, 0);
	ck_assert_uint_eq(info->major, 1);
	ck_assert_int_eq(rt_hive_was_replayed(h), 0);
	ck_assert_ptr_eq(rt_hive_primary(h), h);

	ck_assert_int_eq(rt_hive_current_control_set(h, cs, sizeof cs), 1);
	ck_assert_str_eq(cs, "ControlSet002");
	ck_assert_int_eq(rt_hive_get_dword(h, "CurrentControlSet\\Services\\WinRM", "Start", &d), 1);
	ck_assert_uint_eq(d, 2);
	ck_assert_int_eq(rt_hive_get_dword(h, "\\controlset001\\SERVICES\\winrm", "start", &d), 1);
	ck_assert_uint_eq(d, 4);
	ck_assert_int_eq(rt_hive_get_dword(h, "CurrentControlSet\\Services\\Nope", "Start", &d), 0);
	ck_assert_int_eq(rt_hive_get_dword(h, "CurrentControlSet\\Services\\WinRM", "Nope", &d), 0);
	ck_assert_int_eq(rt_hive_get_dword(h, "CurrentControlSet\\Services\\WinRM", "DisplayName",
					   &d),
			 -1);

	ck_assert_int_eq(rt_hive_get_key(h, "CurrentControlSet\\Services\\WINRM", &k), 1);
	ck_assert_str_eq(rt_key_name(k), "WinRM");
	ck_assert_uint_eq(rt_key_last_written(k), T_2021);
	ck_assert_int_eq(rt_key_value_count(k), 13);
	ck_assert_int_eq(rt_key_get_dword(k, "BE", &d), 1);
	ck_assert_uint_eq(d, 0x01020304);
	ck_assert_int_eq(rt_key_get_qword(k, "Q", &q), 1);
	ck_assert_uint_eq(q, 0x1122334455667788ULL);
	ck_assert_int_eq(rt_key_get_qword(k, "BE", &q), 1);
	ck_assert_uint_eq(q, 0x01020304);
	ck_assert_int_eq(rt_key_get_string(k, "displayname", &s), 1);
	ck_assert_str_eq(s, "Windows Remote Management");
	free(s);
	ck_assert_int_eq(rt_key_get_string(k, NULL, &s), 1);
	ck_assert_str_eq(s, "default value");
	free(s);
	ck_assert_int_eq(rt_key_get_string(k, "Empty", &s), 1);
	ck_assert_str_eq(s, "");
	free(s);
	ck_assert_int_eq(rt_key_get_string(k, "ImagePath", &s), 1);
	ck_assert_str_eq(s, "%SystemRoot%\\System32\\svchost.exe -k NetworkService");
	free(s);
	ck_assert_int_eq(rt_key_get_string(k, "Link", &s), 1);
	ck_assert_str_eq(s, "\\Registry\\Machine\\X");
	free(s);
	ck_assert_int_eq(rt_key_get_multi_sz(k, "DependOnService", &list, &n), 1);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(list[0], "RPCSS");
	ck_assert_str_eq(list[1], "HTTP");
	ck_assert_ptr_null(list[2]);
	rt_strv_free(list);
	ck_assert_int_eq(rt_key_get_binary(k, "Big", &data, &n, &type), 1);
	ck_assert_uint_eq(n, 40000);
	ck_assert_uint_eq(type, RT_REG_BINARY);
	for (i = 0; i < n; i++)
		if (data[i] != (uint8_t)(i * 7))
			break;
	ck_assert_uint_eq(i, n);
	free(data);
	ck_assert_int_eq(rt_key_get_binary(k, "Odd", &data, &n, &type), 1);
	ck_assert_uint_eq(type, 0x1234);
	ck_assert_uint_eq(n, 3);
	free(data);
	ck_assert_int_eq(rt_key_get_value(k, "None", &v), 1);
	ck_assert_uint_eq(v->type, RT_REG_NONE);
	ck_assert_uint_eq(v->size, 2);
	ck_assert_int_eq(rt_value_dword(v, &d), -1);
	rt_value_free(&v);
	ck_assert_ptr_null(v);

	ck_assert_int_eq(rt_key_get_subkey(k, "..", &k2), 0);
	rt_key_free(&k);
	ck_assert_ptr_null(k);

	ck_assert_int_eq(rt_hive_get_key(h, "CurrentControlSet\\Services", &k), 1);
	ck_assert_int_eq(rt_key_subkey_count(k), 2);
	ck_assert_int_eq(rt_key_subkey_at(k, 1, &k2), 1);
	ck_assert_str_eq(rt_key_name(k2), "Ünïcode");
	ck_assert_int_eq(rt_key_get_string(k2, "Nämé", &s), 1);
	ck_assert_str_eq(s, "välüé €");
	free(s);
	rt_key_free(&k2);
	ck_assert_int_eq(rt_key_get_subkey(k, "winrm", &k2), 1);
	ck_assert_str_eq(rt_key_name(k2), "WinRM");
	rt_key_free(&k2);
	rt_key_free(&k);

	ck_assert_int_eq(rt_hive_computer_name(h, &s), 1);
	ck_assert_str_eq(s, "HOST-A");
	free(s);
	rt_hive_free(&h);
	ck_assert_ptr_null(h);
	hw_free(w);
	tu_rmtree(dir);
	free(dir);
	free(p);
}
END_TEST

START_TEST(reader_value_conversions)
{
	/* "A", lone high surrogate, "B", NUL: lossy, not refused */
	static const uint8_t lone[] = { 'A', 0, 0x3D, 0xD8, 'B', 0, 0, 0 };
	static const uint8_t multi[] = { 'a', 0, 0, 0, 'b', 0, 'c', 0, 0, 0, 0, 0, 'x', 0 };
	static const uint8_t be[] = { 0, 0, 1, 0 };
	rt_value v = { "n", RT_REG_SZ, (uint8_t *)lone, sizeof lone };
	char *s, **l;
	size_t n;
	uint32_t d;
	char t[40];

	ck_assert_int_eq(rt_value_string(&v, &s), 0);
	ck_assert_str_eq(s, "A\xEF\xBF\xBD" "B");
	free(s);
	v.type = RT_REG_MULTI_SZ;
	v.data = (uint8_t *)multi;
	v.size = sizeof multi;
	ck_assert_int_eq(rt_value_multi_sz(&v, &l, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(l[0], "a");
	ck_assert_str_eq(l[1], "bc");
	rt_strv_free(l);
	v.size = 3; /* odd size: the half code unit is dropped */
	ck_assert_int_eq(rt_value_multi_sz(&v, &l, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(l[0], "a");
	rt_strv_free(l);
	v.size = 0;
	ck_assert_int_eq(rt_value_multi_sz(&v, &l, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(l[0]);
	rt_strv_free(l);
	ck_assert_int_eq(rt_value_string(&v, &s), 0);
	ck_assert_str_eq(s, "");
	free(s);
	v.type = RT_REG_DWORD_BE;
	v.data = (uint8_t *)be;
	v.size = 4;
	ck_assert_int_eq(rt_value_dword(&v, &d), 0);
	ck_assert_uint_eq(d, 256);
	v.size = 3;
	ck_assert_int_eq(rt_value_dword(&v, &d), -1);
	v.type = RT_REG_DWORD;
	ck_assert_int_eq(rt_value_string(&v, &s), -1);
	ck_assert_str_eq(rt_value_type_name(RT_REG_QWORD, t, sizeof t), "REG_QWORD");
	ck_assert_str_eq(rt_value_type_name(0x99, t, sizeof t), "REG_UNKNOWN(0x99)");
}
END_TEST

START_TEST(reader_memory_and_kinds)
{
	hw_hive *w = hw_new();
	uint8_t *img;
	size_t n;
	rt_hive *h = NULL;
	rt_key *k = NULL;

	hw_key(w, "Software\\Microsoft", T_2021);
	hw_key(w, "Environment", T_2021);
	hw_build(w, &img, &n);
	ck_assert_int_eq(rt_hive_open_memory(img, n, "mem", 0, &h, NULL), 0);
	free(img);
	ck_assert_int_eq(rt_hive_get_info(h)->kind, RT_HIVE_NTUSER);
	ck_assert_str_eq(rt_hive_name(h), "mem");
	ck_assert_int_eq(rt_hive_get_key(h, "", &k), 1);
	ck_assert_str_eq(rt_key_name(k), "ROOT");
	rt_key_free(&k);
	ck_assert_int_eq(rt_hive_get_key(h, "CurrentControlSet\\Services", &k), 0);
	ck_assert_int_eq(rt_hive_current_control_set(h, (char[16]){ 0 }, 16), 0);
	rt_hive_free(&h);
	hw_free(w);
}
END_TEST

/* --------------------------------------------------------------- damage */

START_TEST(damage_bad_checksum_repaired)
{
	char *dir = tu_tmpdir(), *p = path_in(dir, "SYSTEM");
	hw_hive *w = sample_system();
	msgs m = { RT_BUF_INIT };
	rt_diag d;
	rt_hive *h = NULL;
	uint32_t v = 0;

	hw_set_bad_checksum(w, 1);
	hw_write(w, p);
	rt_diag_init(&d, collect, &m);
	ck_assert_int_eq(rt_hive_open(p, RT_HIVE_STRICT, &h, &d), -1);
	ck_assert_ptr_null(h);
	ck_assert_ptr_nonnull(strstr(m.text.buf, "error|bad base block checksum\n"));
	rt_buf_reset(&m.text);
	ck_assert_int_eq(rt_hive_open(p, 0, &h, &d), 0);
	ck_assert_int_eq(rt_hive_was_repaired(h), 1);
	ck_assert_int_eq(rt_hive_get_info(h)->checksum_ok, 0);
	ck_assert_ptr_nonnull(strstr(m.text.buf, "error|bad base block checksum: reading the hive anyway"));
	ck_assert_int_eq(rt_hive_get_dword(h, "CurrentControlSet\\Services\\WinRM", "Start", &v), 1);
	ck_assert_uint_eq(v, 2);
	rt_hive_free(&h);
	rt_diag_release(&d);
	rt_buf_release(&m.text);
	hw_free(w);
	tu_rmtree(dir);
	free(dir);
	free(p);
}
END_TEST

START_TEST(damage_not_a_hive)
{
	static const char junk[] = "this is not a registry hive at all";
	uint8_t *img;
	size_t n;
	hw_hive *w = hw_new();
	msgs m = { RT_BUF_INIT };
	rt_diag d;
	rt_hive *h = NULL;
	char *dir = tu_tmpdir(), *p;

	rt_diag_init(&d, collect, &m);
	ck_assert_int_eq(rt_hive_open_memory(junk, sizeof junk, "junk", 0, &h, &d), -1);
	ck_assert_ptr_nonnull(strstr(m.text.buf, "not a registry hive: file shorter than a base block"));
	ck_assert_int_eq(rt_hive_open("/nonexistent/hive", 0, &h, &d), -1);
	ck_assert_ptr_nonnull(strstr(m.text.buf, "cannot open: No such file"));
	p = path_in(dir, "x");
	ck_assert_int_eq(rt_hive_open(dir, 0, &h, &d), -1);
	ck_assert_ptr_nonnull(strstr(m.text.buf, "not a regular file"));
	/* a root cell offset pointing into nothing */
	hw_build(w, &img, &n);
	img[36] = 0xF0;
	img[37] = 0xFF;
	img[508] = 0;
	memcpy(img + 508, (uint8_t[4]){ 0 }, 4);
	{
		uint32_t c = rt_hive_base_block_checksum(img);

		memcpy(img + 508, &c, 4);
	}
	rt_buf_reset(&m.text);
	ck_assert_int_eq(rt_hive_open_memory(img, n, "badroot", 0, &h, &d), -1);
	ck_assert_ptr_nonnull(strstr(m.text.buf, "error|cannot open hive"));
	ck_assert_ptr_null(strstr(m.text.buf, ".\n"));
	/* truncated hive bins: must fail or read, never crash */
	rt_hive_open_memory(img, 4096 + 100, "short", 0, &h, &d);
	rt_hive_free(&h);
	free(img);
	rt_diag_release(&d);
	rt_buf_release(&m.text);
	hw_free(w);
	tu_rmtree(dir);
	free(dir);
	free(p);
}
END_TEST

/* ------------------------------------------------------- writer/hivexget */

static char *hivexget(const char *hive, const char *key, const char *value)
{
	const char *prog = getenv("RT_HIVEXGET");
	char *argv[5], *out = NULL;
	size_t n;

	argv[0] = (char *)prog;
	argv[1] = (char *)hive;
	argv[2] = (char *)key;
	argv[3] = (char *)value;
	argv[4] = NULL;
	if (tu_run(argv, &out, NULL) != 0) {
		free(out);
		return NULL;
	}
	n = strlen(out);
	while (n && out[n - 1] == '\n')
		out[--n] = '\0';
	return out;
}

START_TEST(writer_hivexget_agrees)
{
	const char *prog = getenv("RT_HIVEXGET");
	char *dir, *p, *s;
	hw_hive *w;

	if (!prog || !*prog) {
		fprintf(stderr, "hivexget not installed: skipping the cross-check\n");
		return;
	}
	dir = tu_tmpdir();
	p = path_in(dir, "SYSTEM");
	w = sample_system();
	hw_write(w, p);
	s = hivexget(p, "ControlSet002\\Services\\WinRM", "Start");
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, "2");
	free(s);
	s = hivexget(p, "ControlSet002\\Services\\WinRM", "DisplayName");
	ck_assert_str_eq(s, "Windows Remote Management");
	free(s);
	s = hivexget(p, "ControlSet002\\Control\\ComputerName\\ComputerName", "ComputerName");
	ck_assert_str_eq(s, "HOST-A");
	free(s);
	s = hivexget(p, "ControlSet002\\Services\\Ünïcode", "Nämé");
	ck_assert_str_eq(s, "välüé €");
	free(s);
	s = hivexget(p, "ControlSet002\\Services\\WinRM", "Q");
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, "1234605616436508552");
	free(s);
	s = hivexget(p, "ControlSet002\\Services\\WinRM", NULL);
	ck_assert_ptr_nonnull(s);
	{
		const char *big = strstr(s, "\"Big\"=hex(3):00,07,0e,15,"), *e;
		size_t commas = 0;

		ck_assert_ptr_nonnull(big);
		e = strchr(big, '\n');
		for (; *big && big != e; big++)
			commas += *big == ',';
		ck_assert_uint_eq(commas, 39999);
	}
	free(s);
	hw_free(w);
	tu_rmtree(dir);
	free(dir);
	free(p);
}
END_TEST

START_TEST(writer_many_keys_and_deletes)
{
	hw_hive *w = hw_new();
	uint8_t *img, *img2;
	size_t n, n2, i;
	rt_hive *h = NULL;
	rt_key *k = NULL;
	walk wk;
	char path[64];

	for (i = 0; i < 600; i++) {
		snprintf(path, sizeof path, "Many\\Key%03zu", i);
		hw_dword(w, path, "I", (uint32_t)i);
	}
	hw_sz(w, "Gone", "x", "y");
	ck_assert_int_eq(hw_delete_key(w, "gone"), 0);
	ck_assert_int_eq(hw_delete_value(w, "Many\\Key001", "i"), 0);
	ck_assert_int_eq(hw_delete_key(w, "NotThere"), -1);
	hw_build(w, &img, &n);
	hw_build(w, &img2, &n2);
	ck_assert_uint_eq(n, n2);
	ck_assert_int_eq(memcmp(img, img2, n), 0);
	ck_assert_int_eq(rt_hive_open_memory(img, n, "many", 0, &h, NULL), 0);
	ck_assert_int_eq(rt_hive_get_key(h, "Gone", &k), 0);
	ck_assert_int_eq(rt_hive_get_key(h, "many\\KEY599", &k), 1);
	ck_assert_int_eq(rt_key_value_count(k), 1);
	rt_key_free(&k);
	ck_assert_int_eq(rt_hive_get_key(h, "Many\\Key001", &k), 1);
	ck_assert_int_eq(rt_key_value_count(k), 0);
	rt_key_free(&k);
	walk_hive(h, &wk);
	ck_assert_uint_eq(wk.keys, 602);
	ck_assert_uint_eq(wk.values, 599);
	rt_hive_free(&h);
	free(img);
	free(img2);
	hw_free(w);
}
END_TEST

/* --------------------------------------------------------------- replay */

static void replay_fixture(const char *dir, char **p, char **l1, char **l2, hw_hive **final)
{
	hw_hive *w = sample_system();
	int n;

	*p = path_in(dir, "SYSTEM");
	*l1 = path_in(dir, "SYSTEM.LOG1");
	*l2 = path_in(dir, "SYSTEM.LOG2");
	hw_set_seq(w, 40, 40);
	hw_checkpoint(w);
	hw_dword(w, "ControlSet002\\Services\\WinRM", "Start", 3);
	hw_checkpoint(w);
	hw_key(w, "ControlSet002\\Services\\New", T_2021 + 10000000);
	hw_sz(w, "ControlSet002\\Services\\New", "ImagePath", "evil.exe");
	hw_checkpoint(w);
	hw_dword(w, "ControlSet002\\Services\\WinRM", "Start", 4);
	n = hw_write_logged(w, *p, *l1, *l2);
	ck_assert_int_eq(n, 3);
	*final = w;
}

START_TEST(replay_writer_logs)
{
	char *dir = tu_tmpdir(), *p, *l1, *l2, *s = NULL;
	const char *logs[2];
	hw_hive *w;
	msgs m = { RT_BUF_INIT };
	rt_diag d;
	rt_hive *h = NULL, *prim;
	uint32_t v = 0;
	uint8_t *want;
	size_t wn, got_n;
	const uint8_t *got;

	replay_fixture(dir, &p, &l1, &l2, &w);
	logs[0] = l2; /* any order */
	logs[1] = l1;
	rt_diag_init(&d, collect, &m);
	ck_assert_int_eq(rt_hive_open_with_logs(p, logs, 2, 0, &h, &d), 0);
	ck_assert_int_eq(rt_hive_was_replayed(h), 1);
	ck_assert_str_eq(rt_hive_replay_summary(h),
			 "replayed 3 log entries from SYSTEM.LOG1, SYSTEM.LOG2");
	ck_assert_ptr_nonnull(strstr(m.text.buf, "warn|replayed 3 log entries"));
	ck_assert_uint_eq(d.errors, 0);
	ck_assert_uint_eq(rt_hive_get_info(h)->primary_seq, 42);
	ck_assert_uint_eq(rt_hive_get_info(h)->secondary_seq, 42);
	ck_assert_int_eq(rt_hive_get_info(h)->dirty, 0);
	ck_assert_int_eq(rt_hive_get_dword(h, "CurrentControlSet\\Services\\WinRM", "Start", &v), 1);
	ck_assert_uint_eq(v, 4);
	ck_assert(value_str(h, "CurrentControlSet\\Services\\New", "ImagePath", "evil.exe"));
	prim = rt_hive_primary(h);
	ck_assert_ptr_ne(prim, h);
	ck_assert_int_eq(rt_hive_get_info(prim)->dirty, 1);
	ck_assert_int_eq(rt_hive_get_dword(prim, "CurrentControlSet\\Services\\WinRM", "Start", &v),
			 1);
	ck_assert_uint_eq(v, 2);
	ck_assert_int_eq(rt_hive_get_string(prim, "CurrentControlSet\\Services\\New", "ImagePath", &s),
			 0);
	/* the replayed hive bins are exactly the final state's */
	hw_build(w, &want, &wn);
	got = rt_hive_image(h, &got_n);
	ck_assert_uint_eq(got_n, wn);
	ck_assert_int_eq(memcmp(got + 4096, want + 4096, wn - 4096), 0);
	free(want);
	rt_hive_free(&h);

	/* RT_HIVE_NO_REPLAY keeps the primary */
	ck_assert_int_eq(rt_hive_open_with_logs(p, logs, 2, RT_HIVE_NO_REPLAY, &h, &d), 0);
	ck_assert_int_eq(rt_hive_was_replayed(h), 0);
	ck_assert_str_eq(rt_hive_replay_summary(h), "");
	rt_hive_free(&h);
	rt_diag_release(&d);
	rt_buf_release(&m.text);
	hw_free(w);
	tu_rmtree(dir);
	free(dir);
	free(p);
	free(l1);
	free(l2);
}
END_TEST

START_TEST(replay_stops_at_bad_entry)
{
	char *dir = tu_tmpdir(), *p, *l1, *l2, *buf;
	const char *logs[2];
	hw_hive *w;
	msgs m = { RT_BUF_INIT };
	rt_diag d;
	rt_hive *h = NULL;
	uint32_t v = 0;
	size_t n;

	replay_fixture(dir, &p, &l1, &l2, &w);
	/* damage the page data of the one entry in LOG2 (the last change) */
	buf = tu_read_file(l2, &n);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_gt(n, 1024);
	buf[n - 700] ^= 0x40;
	free(tu_write_file(dir, "SYSTEM.LOG2", buf, n));
	free(buf);
	logs[0] = l1;
	logs[1] = l2;
	rt_diag_init(&d, collect, &m);
	ck_assert_int_eq(rt_hive_open_with_logs(p, logs, 2, 0, &h, &d), 0);
	ck_assert_str_eq(rt_hive_replay_summary(h), "replayed 2 log entries from SYSTEM.LOG1");
	ck_assert_ptr_nonnull(strstr(m.text.buf, "SYSTEM.LOG2: log entry 42 at 0x200 has a bad hash"));
	ck_assert_int_eq(rt_hive_get_dword(h, "CurrentControlSet\\Services\\WinRM", "Start", &v), 1);
	ck_assert_uint_eq(v, 3);
	ck_assert(value_str(h, "CurrentControlSet\\Services\\New", "ImagePath", "evil.exe"));
	ck_assert_uint_eq(rt_hive_get_info(h)->secondary_seq, 41);
	rt_hive_free(&h);

	/* LOG2 alone holds only the damaged entry: nothing applies, the primary is used */
	rt_buf_reset(&m.text);
	ck_assert_int_eq(rt_hive_open_with_logs(p, logs + 1, 1, 0, &h, &d), 0);
	ck_assert_int_eq(rt_hive_was_replayed(h), 0);
	ck_assert_ptr_nonnull(strstr(m.text.buf, "hive is dirty but no transaction log entry could be applied"));
	rt_hive_free(&h);
	/* a missing log is reported, the hive still opens */
	logs[1] = "/nonexistent/SYSTEM.LOG2";
	ck_assert_int_eq(rt_hive_open_with_logs(p, logs, 2, 0, &h, &d), 0);
	ck_assert_int_eq(rt_hive_was_replayed(h), 1);
	rt_hive_free(&h);
	rt_diag_release(&d);
	rt_buf_release(&m.text);
	hw_free(w);
	tu_rmtree(dir);
	free(dir);
	free(p);
	free(l1);
	free(l2);
}
END_TEST

START_TEST(replay_recovers_bad_base_block)
{
	char *dir = tu_tmpdir(), *p, *l1, *l2, *buf;
	const char *logs[2];
	hw_hive *w;
	msgs m = { RT_BUF_INIT };
	rt_diag d;
	rt_hive *h = NULL;
	uint32_t v = 0;
	size_t n;

	replay_fixture(dir, &p, &l1, &l2, &w);
	buf = tu_read_file(p, &n);
	ck_assert_ptr_nonnull(buf);
	buf[508] ^= 0x11;
	free(tu_write_file(dir, "SYSTEM", buf, n));
	free(buf);
	logs[0] = l1;
	logs[1] = l2;
	rt_diag_init(&d, collect, &m);
	ck_assert_int_eq(rt_hive_open_with_logs(p, logs, 2, 0, &h, &d), 0);
	ck_assert_ptr_nonnull(strstr(m.text.buf, "error|bad base block checksum: reading the hive anyway\n"));
	ck_assert_ptr_nonnull(strstr(m.text.buf, "warn|base block recovered from SYSTEM.LOG1\n"));
	ck_assert_str_eq(rt_hive_replay_summary(h),
			 "replayed 3 log entries from SYSTEM.LOG1, SYSTEM.LOG2");
	ck_assert_int_eq(rt_hive_get_info(h)->checksum_ok, 1);
	ck_assert_int_eq(rt_hive_get_dword(h, "CurrentControlSet\\Services\\WinRM", "Start", &v), 1);
	ck_assert_uint_eq(v, 4);
	ck_assert_int_eq(rt_hive_get_info(rt_hive_primary(h))->checksum_ok, 0);
	rt_hive_free(&h);
	rt_diag_release(&d);
	rt_buf_release(&m.text);
	hw_free(w);
	tu_rmtree(dir);
	free(dir);
	free(p);
	free(l1);
	free(l2);
}
END_TEST

START_TEST(marvin32_vectors)
{
	/* published test vectors (seed 0x004FB61A001BDBCC); the HvLE seed is
	 * exercised by the corpus logs, whose hashes all check out */
	static const uint8_t one[] = { 0xAF };

	ck_assert_uint_eq(rt_marvin32("", 0, 0x004FB61A001BDBCCULL), 0x30ED35C100CD3C7DULL);
	ck_assert_uint_eq(rt_marvin32(one, 1, 0x004FB61A001BDBCCULL), 0x48E73FC77D75DDC1ULL);
}
END_TEST

#else
/* --------------------------------------------------------------- corpus */

/* Decompress $RT_CORPUS/registry/<name>.xz into `dir`; NULL when absent. */
static char *corpus_xz(const char *dir, const char *name)
{
	const char *c = tu_corpus();
	char cmd[3072], *path;
	char *argv[] = { "/bin/sh", "-c", cmd, NULL };

	if (!c)
		return NULL;
	path = path_in(dir, name);
	snprintf(cmd, sizeof cmd, "xz -dc '%s/registry/%s.xz' > '%s'", c, name, path);
	if (tu_run(argv, NULL, NULL) != 0) {
		free(path);
		return NULL;
	}
	return path;
}


START_TEST(corpus_system)
{
	char *dir, *p, *name = NULL;
	rt_hive *h = NULL;
	rt_key *k = NULL;
	rt_diag d;
	uint32_t start = 0;
	walk wk;

	if (!tu_corpus())
		return;
	dir = tu_tmpdir();
	p = corpus_xz(dir, "SYSTEM");
	ck_assert_ptr_nonnull(p);
	rt_diag_init(&d, NULL, NULL);
	ck_assert_int_eq(rt_hive_open(p, 0, &h, &d), 0);
	ck_assert_int_eq(rt_hive_get_info(h)->kind, RT_HIVE_SYSTEM);
	ck_assert_int_eq(rt_hive_get_key(h, "currentcontrolset\\services\\winrm", &k), 1);
	ck_assert_int_eq(rt_key_get_dword(k, "start", &start), 1);
	ck_assert_uint_eq(start, 3); /* hivexget ControlSet001\Services\WinRM Start */
	rt_key_free(&k);
	ck_assert_int_eq(rt_hive_computer_name(h, &name), 1);
	ck_assert_str_eq(name, "WKS-WIN732BITA");
	free(name);
	walk_hive(h, &wk);
	ck_assert_uint_gt(wk.keys, 10000);
	rt_hive_free(&h);
	rt_diag_release(&d);
	tu_rmtree(dir);
	free(dir);
	free(p);
}
END_TEST

START_TEST(corpus_replay_system_b)
{
	char *dir, *p, *l1, *l2, *s = NULL;
	const char *logs[2];
	rt_hive *h = NULL, *prim;
	rt_key *k = NULL;
	rt_diag d;
	const char *cls = "ControlSet001\\Control\\Class\\{4d36e96c-e325-11ce-bfc1-08002be10318}";
	char sub[256];

	if (!tu_corpus())
		return;
	dir = tu_tmpdir();
	p = corpus_xz(dir, "SYSTEM_B");
	l1 = corpus_xz(dir, "SYSTEM_B.LOG1");
	l2 = corpus_xz(dir, "SYSTEM_B.LOG2");
	ck_assert(p && l1 && l2);
	logs[0] = l1;
	logs[1] = l2;
	rt_diag_init(&d, NULL, NULL);
	ck_assert_int_eq(rt_hive_open_with_logs(p, logs, 2, 0, &h, &d), 0);
	ck_assert_int_eq(rt_hive_was_replayed(h), 1);
	ck_assert_str_eq(rt_hive_replay_summary(h),
			 "replayed 24 log entries from SYSTEM_B.LOG1, SYSTEM_B.LOG2");
	ck_assert_uint_eq(d.errors, 0);
	ck_assert_uint_eq(rt_hive_get_info(h)->primary_seq, 2130);
	ck_assert_uint_eq(rt_hive_get_info(h)->secondary_seq, 2130);
	prim = rt_hive_primary(h);
	ck_assert_uint_eq(rt_hive_get_info(prim)->primary_seq, 1622);
	ck_assert_uint_eq(rt_hive_get_info(prim)->secondary_seq, 1621);
	/* a device class entry installed after the primary was last written */
	snprintf(sub, sizeof sub, "%s\\0013", cls);
	ck_assert_int_eq(rt_hive_get_key(prim, sub, &k), 0);
	ck_assert(value_str(h, sub, "DriverDesc", "NVIDIA High Definition Audio"));
	ck_assert_int_eq(rt_hive_get_key(prim, cls, &k), 1);
	ck_assert_uint_eq(rt_key_last_written(k), 131666211451802443ULL);
	rt_key_free(&k);
	ck_assert_int_eq(rt_hive_get_key(h, cls, &k), 1);
	ck_assert_uint_eq(rt_key_last_written(k), 131674911877094507ULL);
	rt_key_free(&k);
	ck_assert_int_eq(rt_hive_computer_name(h, &s) >= 0, 1);
	free(s);
	rt_hive_free(&h);
	rt_diag_release(&d);
	tu_rmtree(dir);
	free(dir);
	free(p);
	free(l1);
	free(l2);
}
END_TEST

START_TEST(corpus_replay_ntuser)
{
	char *dir, *p, *l1, *l2;
	const char *logs[2];
	rt_hive *h = NULL;
	rt_diag d;
	uint32_t v = 0;

	if (!tu_corpus())
		return;
	dir = tu_tmpdir();
	p = corpus_xz(dir, "transactions_NTUSER.DAT");
	l1 = corpus_xz(dir, "transactions_ntuser.dat.log1");
	l2 = corpus_xz(dir, "transactions_ntuser.dat.log2");
	ck_assert(p && l1 && l2);
	logs[0] = l1;
	logs[1] = l2;
	rt_diag_init(&d, NULL, NULL);
	ck_assert_int_eq(rt_hive_open_with_logs(p, logs, 2, 0, &h, &d), 0);
	/* log2 holds only an older entry (562): only log1 is used */
	ck_assert_str_eq(rt_hive_replay_summary(h),
			 "replayed 23 log entries from transactions_ntuser.dat.log1");
	ck_assert_int_eq(rt_hive_get_info(h)->kind, RT_HIVE_NTUSER);
	ck_assert_uint_eq(rt_hive_get_info(h)->secondary_seq, 588);
	ck_assert_int_eq(rt_hive_get_dword(h, "Control Panel\\Desktop\\WindowMetrics", "AppliedDPI", &v),
			 1);
	ck_assert_uint_eq(v, 192);
	ck_assert_int_eq(rt_hive_get_dword(rt_hive_primary(h), "Control Panel\\Desktop\\WindowMetrics",
					   "AppliedDPI", &v),
			 1);
	ck_assert_uint_eq(v, 96);
	rt_hive_free(&h);
	rt_diag_release(&d);
	tu_rmtree(dir);
	free(dir);
	free(p);
	free(l1);
	free(l2);
}
END_TEST

START_TEST(corpus_corrupted_system)
{
	char *dir, *p;
	rt_hive *h = NULL;
	msgs m = { RT_BUF_INIT };
	rt_diag d;

	if (!tu_corpus())
		return;
	dir = tu_tmpdir();
	p = corpus_xz(dir, "corrupted_system_hive");
	ck_assert_ptr_nonnull(p);
	rt_diag_init(&d, collect, &m);
	ck_assert_int_eq(rt_hive_open(p, 0, &h, &d), -1);
	ck_assert_ptr_null(h);
	ck_assert_ptr_nonnull(strstr(m.text.buf, "error|cannot open hive: root key unreadable: "));
	rt_diag_release(&d);
	rt_buf_release(&m.text);
	tu_rmtree(dir);
	free(dir);
	free(p);
}
END_TEST

/* Every edge hive (and its logs) opens or fails cleanly and walks fully. */
START_TEST(corpus_edge_hives)
{
	static const char *const files[] = {
		"BadListHive",	    "BadSubkeyHive",	  "BigDataHive",   "BogusKeyNamesHive",
		"DeletedDataHive",  "DeletedTreeHive",	  "DupNameHive",   "EmptyHive",
		"GarbageHive",	    "HealedHive",	  "InvalidParentHive", "ManySubkeysHive",
		"BadBaseBlockHive/BadBaseBlockHive",	  "BadLogHive1/BadLogHive",
		"BadLogHive3/BadLogHive",		  "BadLogHive3/BadLogHive.LOG1",
	};
	const char *c = tu_corpus();
	char path[2048], lg1[2100], lg2[2100];
	const char *logs[2] = { lg1, lg2 };
	size_t i;
	unsigned opened = 0, replayed = 0;

	if (!c)
		return;
	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		rt_hive *h = NULL;
		rt_diag d;
		walk wk;

		snprintf(path, sizeof path, "%s/registry/edge/%s", c, files[i]);
		snprintf(lg1, sizeof lg1, "%s.LOG1", path);
		snprintf(lg2, sizeof lg2, "%s.LOG2", path);
		rt_diag_init(&d, NULL, NULL);
		if (rt_hive_open_with_logs(path, logs, strchr(files[i], '/') ? 2 : 0, 0, &h, &d) ==
		    0) {
			opened++;
			replayed += (unsigned)rt_hive_was_replayed(h);
			walk_hive(h, &wk);
			walk_hive(rt_hive_primary(h), &wk);
		} else {
			ck_assert_uint_gt(d.errors, 0);
		}
		rt_hive_free(&h);
		rt_diag_release(&d);
	}
	ck_assert_uint_eq(opened, 15);
	ck_assert_uint_eq(replayed, 2); /* BadBaseBlockHive (old log), BadLogHive3 */
}
END_TEST

#endif

/*
 * Built twice: test_registry runs the suites on hives made at test time;
 * test_registry_corpus (RT_CORPUS_SUITE) runs the corpus suite and skips
 * (exit 77) when the corpus is absent.
 */
static Suite *registry_suite(void)
{
	Suite *s = suite_create("registry");
#ifdef RT_CORPUS_SUITE
	TCase *tcorp = tcase_create("corpus");

	tcase_set_timeout(tcorp, 300);
	tcase_add_test(tcorp, corpus_system);
	tcase_add_test(tcorp, corpus_replay_system_b);
	tcase_add_test(tcorp, corpus_replay_ntuser);
	tcase_add_test(tcorp, corpus_corrupted_system);
	tcase_add_test(tcorp, corpus_edge_hives);
	suite_add_tcase(s, tcorp);
#else
	TCase *tc = tcase_create("reader");
	TCase *tr = tcase_create("replay");

	tcase_add_test(tc, reader_all_types);
	tcase_add_test(tc, reader_value_conversions);
	tcase_add_test(tc, reader_memory_and_kinds);
	tcase_add_test(tc, damage_bad_checksum_repaired);
	tcase_add_test(tc, damage_not_a_hive);
	tcase_add_test(tc, writer_hivexget_agrees);
	tcase_add_test(tc, writer_many_keys_and_deletes);
	suite_add_tcase(s, tc);
	tcase_add_test(tr, replay_writer_logs);
	tcase_add_test(tr, replay_stops_at_bad_entry);
	tcase_add_test(tr, replay_recovers_bad_base_block);
	tcase_add_test(tr, marvin32_vectors);
	suite_add_tcase(s, tr);
#endif
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;

#ifdef RT_CORPUS_SUITE
	if (!tu_corpus()) {
		fprintf(stderr, "corpus not found ($RT_CORPUS): skipping registry corpus tests\n");
		return RT_TEST_SKIP;
	}
#endif
	sr = srunner_create(registry_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
