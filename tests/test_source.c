/* source: byte sources, clamped reads, hashing while reading, access times. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <libbfio.h>

#include "remtrail/source.h"
#include "remtrail/util.h"
#include "testutil.h"

static uint8_t *pattern(size_t n)
{
	uint8_t *p = malloc(n);
	size_t i;

	ck_assert_ptr_nonnull(p);
	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 7 + (i >> 9));
	return p;
}

START_TEST(memory_reads_are_clamped)
{
	uint8_t data[100], buf[200];
	rt_source *s = NULL;
	size_t i;

	for (i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)i;
	ck_assert_int_eq(rt_source_from_memory(data, sizeof data, "m", 1, &s), 0);
	ck_assert_uint_eq(rt_source_size(s), 100);
	ck_assert_str_eq(rt_source_name(s), "m");
	ck_assert_int_eq(rt_source_read(s, buf, 50, 90), 10);
	ck_assert_int_eq(buf[0], 90);
	ck_assert_int_eq(rt_source_read(s, buf, 5, 100), 0);
	ck_assert_int_eq(rt_source_read(s, buf, 5, UINT64_MAX), 0);
	ck_assert_int_eq(rt_source_read_exact(s, buf, 11, 90), -1);
	ck_assert_int_eq(rt_source_read_exact(s, buf, 10, 90), 0);
	rt_source_unref(&s);
	ck_assert_ptr_null(s);
}
END_TEST

START_TEST(range_of_range)
{
	uint8_t *data = pattern(4096), buf[64];
	rt_source *m = NULL, *r1 = NULL, *r2 = NULL;

	ck_assert_int_eq(rt_source_from_memory(data, 4096, "disk", 0, &m), 0);
	ck_assert_int_eq(rt_source_range(m, 1000, 2000, "p1", &r1), 0);
	ck_assert_int_eq(rt_source_range(r1, 100, 1 << 20, "inner", &r2), 0);
	rt_source_unref(&m); /* the ranges keep it */
	ck_assert_uint_eq(rt_source_size(r1), 2000);
	ck_assert_uint_eq(rt_source_size(r2), 1900); /* clamped to the parent */
	ck_assert_int_eq(rt_source_read(r2, buf, 64, 1890), 10);
	ck_assert_mem_eq(buf, data + 1000 + 100 + 1890, 10);
	rt_source_unref(&r1);
	ck_assert_int_eq(rt_source_read_exact(r2, buf, 4, 0), 0);
	ck_assert_mem_eq(buf, data + 1100, 4);
	rt_source_unref(&r2);
	free(data);
}
END_TEST

/* Reads in order hash the whole source; what nobody read is read at the end
 * and nothing twice. */
START_TEST(hash_rides_on_reads)
{
	size_t n = (3u << 20) + 12345;
	uint8_t *data = pattern(n), *buf = malloc(n);
	char want[65], got[65];
	rt_source *s = NULL;

	tu_sha256_hex(data, n, want);
	ck_assert_int_eq(rt_source_from_memory(data, n, "x", 0, &s), 0);
	rt_source_want_sha256(s);
	ck_assert_int_eq(rt_source_read(s, buf, 4096, 0), 4096);
	ck_assert_int_eq(rt_source_read(s, buf, 512, n - 512), 512); /* out of order: not hashed */
	ck_assert_uint_eq(rt_source_hashed(s), 4096);
	ck_assert_int_eq(rt_source_read(s, buf, 8192, 2048), 8192); /* overlaps: extends */
	ck_assert_uint_eq(rt_source_hashed(s), 2048 + 8192);
	ck_assert_int_eq(rt_source_sha256(s, got), 0);
	ck_assert_str_eq(got, want);
	ck_assert_uint_eq(rt_source_hashed(s), n);
	ck_assert_int_eq(rt_source_sha256(s, got), 0);
	ck_assert_str_eq(got, want);
	rt_source_unref(&s);

	/* read_all hashes as it reads */
	ck_assert_int_eq(rt_source_from_memory(data, n, "y", 0, &s), 0);
	rt_source_want_sha256(s);
	{
		uint8_t *all;
		size_t len;

		ck_assert_int_eq(rt_source_read_all(s, n, &all, &len), 0);
		ck_assert_uint_eq(len, n);
		ck_assert_mem_eq(all, data, n);
		free(all);
		ck_assert_int_eq(rt_source_read_all(s, n - 1, &all, &len), -1);
		ck_assert_int_eq(errno, EFBIG);
	}
	ck_assert_uint_eq(rt_source_hashed(s), n);
	ck_assert_int_eq(rt_source_sha256(s, got), 0);
	ck_assert_str_eq(got, want);
	rt_source_unref(&s);

	/* empty */
	ck_assert_int_eq(rt_source_from_memory("", 0, "e", 1, &s), 0);
	tu_sha256_hex("", 0, want);
	ck_assert_int_eq(rt_source_sha256(s, got), 0);
	ck_assert_str_eq(got, want);
	rt_source_unref(&s);
	free(buf);
	free(data);
}
END_TEST

/* One open, kept; no link followed; the access time left alone. */
/*
 * Blocks read out of order without hashing, then fed in order, hash the
 * source as reads in order do (the native EVTX reader's threads); only
 * files and bytes in memory are read that way.
 */
START_TEST(hash_fed_in_order)
{
	size_t n = (1u << 20) + 777, blk = 65536, k, nb = (n + blk - 1) / blk;
	uint8_t *data = pattern(n), *buf = malloc(n);
	char want[65], got[65], *tmp = tu_tmpdir(), *p;
	rt_source *s = NULL, *r = NULL;

	tu_sha256_hex(data, n, want);
	ck_assert_int_eq(rt_source_from_memory(data, n, "x", 0, &s), 0);
	ck_assert_int_eq(rt_source_random_access(s), 1);
	ck_assert_int_eq(rt_source_range(s, 0, n, "r", &r), 0);
	ck_assert_int_eq(rt_source_random_access(r), 0);
	rt_source_unref(&r);
	rt_source_want_sha256(s);
	for (k = nb; k-- > 0;) { /* last block first */
		size_t len = k + 1 == nb ? n - k * blk : blk;

		ck_assert_int_eq(rt_source_read_exact_unhashed(s, buf + k * blk, len, k * blk), 0);
	}
	ck_assert_uint_eq(rt_source_hashed(s), 0);
	ck_assert_mem_eq(buf, data, n);
	for (k = 0; k < nb; k++) {
		size_t len = k + 1 == nb ? n - k * blk : blk;

		rt_source_hash_feed(s, buf + k * blk, len, k * blk);
		rt_source_hash_feed(s, buf + k * blk, len, k * blk); /* again: ignored */
	}
	ck_assert_uint_eq(rt_source_hashed(s), n);
	ck_assert_int_eq(rt_source_sha256(s, got), 0);
	ck_assert_str_eq(got, want);
	rt_source_unref(&s);

	p = tu_write_file(tmp, "f.bin", data, 4096);
	ck_assert_int_eq(rt_source_open_path(p, &s), 0);
	ck_assert_int_eq(rt_source_random_access(s), 1);
	rt_source_unref(&s);
	free(p);
	tu_rmtree(tmp);
	free(tmp);
	free(buf);
	free(data);
}
END_TEST

START_TEST(file_open_once_noatime)
{
	char *tmp = tu_tmpdir(), *p, *link;
	uint8_t *data = pattern(70000), buf[16];
	struct stat before, after;
	struct timespec old[2] = {{1000000000, 0}, {1000000000, 0}};
	rt_source *s = NULL;
	char hex[65], want[65];
	int dfd;

	p = tu_write_file(tmp, "a/ev.bin", data, 70000);
	ck_assert_int_eq(utimensat(AT_FDCWD, p, old, 0), 0);
	ck_assert_int_eq(stat(p, &before), 0);
	dfd = open(tmp, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(dfd, 0);
	ck_assert_int_eq(rt_source_open_file(dfd, "a/ev.bin", "shown", 0, &s), 0);
	close(dfd);
	/* renamed away and replaced: the source still reads what was opened */
	{
		char *q = tu_write_file(tmp, "b", "other", 5);

		ck_assert_int_eq(rename(q, p), 0);
		free(q);
	}
	ck_assert_uint_eq(rt_source_size(s), 70000);
	ck_assert_str_eq(rt_source_name(s), "shown");
	ck_assert_int_eq(rt_source_read_exact(s, buf, 16, 69984), 0);
	ck_assert_mem_eq(buf, data + 69984, 16);
	tu_sha256_hex(data, 70000, want);
	ck_assert_int_eq(rt_source_sha256(s, hex), 0);
	ck_assert_str_eq(hex, want);
	rt_source_unref(&s);
	if (geteuid() == 0 || before.st_uid == geteuid()) {
		/* O_NOATIME is allowed to the owner: the old time must stay */
		char *q = tu_write_file(tmp, "c", data, 100);

		ck_assert_int_eq(utimensat(AT_FDCWD, q, old, 0), 0);
		ck_assert_int_eq(rt_source_open_path(q, &s), 0);
		ck_assert_int_eq(rt_source_read_exact(s, buf, 16, 0), 0);
		rt_source_unref(&s);
		ck_assert_int_eq(stat(q, &after), 0);
		ck_assert_int_eq(after.st_atim.tv_sec, 1000000000);
		free(q);
	}
	/* a link is refused unless followed */
	link = malloc(strlen(tmp) + 8);
	snprintf(link, strlen(tmp) + 8, "%s/lnk", tmp);
	ck_assert_int_eq(symlink("a/ev.bin", link), 0);
	ck_assert_int_eq(rt_source_open_file(AT_FDCWD, link, link, 0, &s), -1);
	ck_assert_int_eq(errno, ELOOP);
	ck_assert_int_eq(rt_source_open_file(AT_FDCWD, link, link, 1, &s), 0);
	rt_source_unref(&s);
	/* a folder is not a file source */
	ck_assert_int_eq(rt_source_open_path(tmp, &s), -1);
	ck_assert_int_eq(errno, EINVAL);
	free(link);
	free(p);
	free(data);
	tu_rmtree(tmp);
	free(tmp);
}
END_TEST

/* The libbfio bridge: a libyal reader sees the source as a read-only file. */
START_TEST(bfio_bridge)
{
	uint8_t *data = pattern(10000), buf[100];
	rt_source *s = NULL;
	void *hv = NULL;
	libbfio_handle_t *h;
	size64_t size = 0;

	ck_assert_int_eq(rt_source_from_memory(data, 10000, "m", 0, &s), 0);
	rt_source_want_sha256(s);
	ck_assert_int_eq(rt_source_bfio(s, &hv), 0);
	rt_source_unref(&s); /* the handle holds it */
	h = hv;
	ck_assert_int_eq(libbfio_handle_open(h, LIBBFIO_OPEN_READ, NULL), 1);
	ck_assert_int_eq(libbfio_handle_get_size(h, &size, NULL), 1);
	ck_assert_uint_eq(size, 10000);
	ck_assert_int_eq(libbfio_handle_seek_offset(h, 9950, SEEK_SET, NULL), 9950);
	ck_assert_int_eq(libbfio_handle_read_buffer(h, buf, 100, NULL), 50);
	ck_assert_mem_eq(buf, data + 9950, 50);
	ck_assert_int_eq(libbfio_handle_close(h, NULL), 0);
	ck_assert_int_eq(libbfio_handle_open(h, LIBBFIO_OPEN_WRITE, NULL), -1);
	rt_source_bfio_free(&hv);
	ck_assert_ptr_null(hv);
	free(data);
}
END_TEST

/* ---------------------------------------------------------- archive entries */

typedef struct got_entry {
	rt_source *src;
	char name[256];
} got_entry;

static void keep_entry(void *ctx, const char *name, rt_source *file, const char *why)
{
	got_entry *g = ctx;

	ck_assert_ptr_null(why);
	ck_assert_ptr_null(g->src);
	g->src = rt_source_ref(file);
	snprintf(g->name, sizeof(g->name), "%s", name);
}

/* A ZIP (deflated) or .gz of `n` bytes of `data`, written by libarchive into
 * memory. */
static uint8_t *make_archive(int gz, const uint8_t *data, size_t n, size_t *len)
{
	struct archive *w = archive_write_new();
	struct archive_entry *ae = archive_entry_new();
	size_t cap = n + (1 << 20);
	uint8_t *buf = malloc(cap);

	ck_assert_ptr_nonnull(buf);
	if (gz) {
		archive_write_add_filter_gzip(w);
		archive_write_set_format_raw(w);
	} else {
		archive_write_set_format_zip(w);
	}
	ck_assert_int_eq(archive_write_open_memory(w, buf, cap, len), ARCHIVE_OK);
	archive_entry_set_pathname(ae, "Logs/Security.evtx");
	archive_entry_set_filetype(ae, AE_IFREG);
	archive_entry_set_perm(ae, 0644);
	archive_entry_set_size(ae, (la_int64_t)n);
	ck_assert_int_eq(archive_write_header(w, ae), ARCHIVE_OK);
	ck_assert_int_eq(archive_write_data(w, data, n), (la_ssize_t)n);
	ck_assert_int_eq(archive_write_close(w), ARCHIVE_OK);
	archive_write_free(w);
	archive_entry_free(ae);
	return buf;
}

/*
 * An entry larger than the memory bound is read forward, block by block (as
 * the EVTX reader reads a log), from a stream: never held whole, hashed on
 * the way. Only a read that goes back needs the whole entry in memory, and
 * that passes the bound: an error naming it, not a silent short read.
 */
START_TEST(archive_entry_streams_forward)
{
	size_t n = (size_t)3 << 20, len = 0, off;
	uint8_t *data = malloc(n), *ar, blk[65536];
	rt_source *src = NULL;
	got_entry g;
	char err[256], want[65], hex[65], why[512];
	rt_sha256 sha;
	uint8_t dig[32];

	ck_assert_ptr_nonnull(data);
	for (off = 0; off < n; off++)
		data[off] = (uint8_t)((off * 2654435761u) >> 13);
	rt_sha256_init(&sha);
	rt_sha256_update(&sha, data, n);
	rt_sha256_final(&sha, dig);
	rt_hex(dig, 32, want);
	ar = make_archive(_i, data, n, &len);
	ck_assert_int_eq(rt_source_from_memory(ar, len, "case.zip", 0, &src), 0);
	memset(&g, 0, sizeof(g));
	rt_archive_set_memory_bound((uint64_t)1 << 20);
	ck_assert_int_eq(rt_archive_walk(src, "case.zip", keep_entry, &g, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(g.src);
	ck_assert_uint_eq(rt_source_size(g.src), n);
	rt_source_want_sha256(g.src);
	for (off = 0; off < n; off += sizeof(blk)) {
		ck_assert_int_eq(rt_source_read_exact(g.src, blk, sizeof(blk), off), 0);
		ck_assert(!memcmp(blk, data + off, sizeof(blk)));
	}
	ck_assert_int_eq(rt_source_sha256(g.src, hex), 0);
	ck_assert_str_eq(hex, want);
	/* back to the middle: random access, past the 1 MiB bound */
	errno = 0;
	ck_assert_int_eq(rt_source_read_exact(g.src, blk, sizeof(blk), n / 2 - sizeof(blk)), -1);
	ck_assert_int_eq(errno, EFBIG);
	ck_assert_ptr_nonnull(strstr(rt_source_error(g.src, why, sizeof(why)),
				     "memory bound for archives (1 MiB"));
	/* let go, and forward again from the start */
	rt_source_drop_cache(g.src);
	ck_assert_int_eq(rt_source_read_exact(g.src, blk, sizeof(blk), 8192), 0);
	ck_assert(!memcmp(blk, data + 8192, sizeof(blk)));
	/* with room, the same read back is served from memory */
	rt_archive_set_memory_bound((uint64_t)8 << 20);
	ck_assert_int_eq(rt_source_read_exact(g.src, blk, sizeof(blk), 4096), 0);
	ck_assert(!memcmp(blk, data + 4096, sizeof(blk)));
	rt_archive_set_memory_bound(0);
	rt_source_unref(&g.src);
	rt_source_unref(&src);
	free(ar);
	free(data);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("source");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, memory_reads_are_clamped);
	tcase_add_test(tc, range_of_range);
	tcase_add_test(tc, hash_rides_on_reads);
	tcase_add_test(tc, hash_fed_in_order);
	tcase_add_test(tc, file_open_once_noatime);
	tcase_add_test(tc, bfio_bridge);
	tcase_add_loop_test(tc, archive_entry_streams_forward, 0, 2);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
