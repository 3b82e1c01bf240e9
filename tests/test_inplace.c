/*
 * Reading evidence in place: each artifact opened once and read through its
 * byte source (no re-open by path, access times kept, paths beyond
 * PATH_MAX), the kind of a hive decided once and passed on, hashes taken
 * from the bytes the readers read.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "evtx_writer.h"
#include "hive_writer.h"
#include "remtrail/config.h"
#include "remtrail/evtx.h"
#include "remtrail/pipeline.h"
#include "remtrail/util.h"
#include "testutil.h"

typedef struct msgs {
	rt_buf text;
} msgs;

static void capture(void *ctx, rt_diag_level level, const char *subject, const char *message)
{
	msgs *m = ctx;

	rt_buf_addf(&m->text, "%c %s: %s\n", level == RT_DIAG_ERROR ? 'E' : 'W', subject, message);
}

static char *join(const char *a, const char *b)
{
	rt_buf p = RT_BUF_INIT;

	rt_buf_addf(&p, "%s/%s", a, b);
	return rt_buf_detach(&p, NULL);
}

static void make_dirs(const char *dir, const char *rel)
{
	free(tu_write_file(dir, rel, "", 0)); /* makes the folders, and a file to drop */
	{
		char *p = join(dir, rel);

		unlink(p);
		free(p);
	}
}

static uint8_t *copy_bytes(const void *p, size_t n)
{
	uint8_t *c = malloc(n);

	ck_assert_ptr_nonnull(c);
	memcpy(c, p, n);
	return c;
}

static uint8_t *log_image(const char *computer, size_t n, size_t *len)
{
	tw_writer *w = tw_new(TW_TEMPLATES);
	tw_event e;
	uint8_t *img;
	size_t i;

	for (i = 0; i < n; i++) {
		memset(&e, 0, sizeof(e));
		e.time = tw_time("2024-05-01T10:00:00Z") + i * 10000000ULL;
		e.channel = "Security";
		e.provider = "Microsoft-Windows-Security-Auditing";
		e.computer = computer;
		e.event_id = 4624;
		ck_assert_uint_ne(tw_add(w, &e), 0);
	}
	img = tw_image(w, len);
	ck_assert_ptr_nonnull(img);
	img = copy_bytes(img, *len);
	tw_free(&w);
	return img;
}

static void put_log(const char *dir, const char *rel, const char *computer, size_t n)
{
	size_t len;
	uint8_t *img = log_image(computer, n, &len);

	free(tu_write_file(dir, rel, img, len));
	free(img);
}

typedef struct counter {
	size_t n;
	char first_computer[64];
} counter;

static int count_ev(void *ctx, const rt_event *ev)
{
	counter *c = ctx;

	if (!c->n++)
		snprintf(c->first_computer, sizeof(c->first_computer), "%s", ev->computer);
	return 0;
}

static const rt_artifact *find(const rt_evidence *ev, const char *suffix)
{
	size_t h, a, n = strlen(suffix);

	for (h = 0; h < ev->nhosts; h++)
		for (a = 0; a < ev->hosts[h].nartifacts; a++) {
			const char *p = ev->hosts[h].artifacts[a].path;
			size_t m = strlen(p);

			if (m >= n && !strcmp(p + m - n, suffix))
				return &ev->hosts[h].artifacts[a];
		}
	return NULL;
}

/* A scratch folder, the evidence collected from it, and the messages. */
typedef struct kase {
	char *tmp;
	rt_evidence *ev;
	rt_config *cfg;
	msgs m;
	rt_diag d;
} kase;

static void kase_begin(kase *k)
{
	memset(k, 0, sizeof(*k));
	k->tmp = tu_tmpdir();
	rt_buf_init(&k->m.text, 0);
	rt_diag_init(&k->d, capture, &k->m);
}

/* Collect the scratch folder, then read its configuration. */
static void kase_collect(kase *k)
{
	const char *path = k->tmp;

	ck_assert_int_eq(rt_pipeline_collect(&path, 1, 0, &k->ev, &k->d), 0);
	ck_assert_int_eq(rt_config_from_evidence(k->ev, &k->cfg, &k->d), 0);
}

static void kase_end(kase *k)
{
	rt_config_free(&k->cfg);
	rt_evidence_free(&k->ev);
	rt_diag_release(&k->d);
	rt_buf_release(&k->m.text);
	tu_rmtree(k->tmp);
	free(k->tmp);
}

/* ---------------------------------------------------------- hive kinds */

/*
 * A SOFTWARE hive saved to a file whose embedded name is not "SOFTWARE" and
 * whose root lacks Classes (a partial export) sits at
 * Windows/System32/config/SOFTWARE: the evidence layer names it SOFTWARE
 * and config reads it, rather than dropping it as "unknown" without a word.
 */
START_TEST(partial_software_export_is_used)
{
	hw_hive *h = hw_new();
	const rt_artifact *a;
	kase k;
	char *p;

	kase_begin(&k);
	hw_set_file_name(h, "\\??\\C:\\Temp\\export.hiv");
	ck_assert_int_eq(hw_sz(h, "Microsoft\\Ole", "EnableDCOM", "N"), 0);
	make_dirs(k.tmp, "WS09/C/Windows/System32/config/x");
	p = join(k.tmp, "WS09/C/Windows/System32/config/SOFTWARE");
	ck_assert_int_eq(hw_write(h, p), 0);
	kase_collect(&k);
	a = find(k.ev, "config/SOFTWARE");
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a->hive_kind, RT_HIVE_SOFTWARE);
	ck_assert_str_eq(a->hive_kind_reason, "file name 'SOFTWARE'");
	ck_assert_uint_eq(k.cfg->nhosts, 1);
	ck_assert_ptr_nonnull(rt_cfg_find(&k.cfg->hosts[0], "dcom.enabled"));
	ck_assert_str_eq(k.m.text.buf, "");
	hw_free(h);
	free(p);
	kase_end(&k);
}
END_TEST

/* What a hive holds decides before what it is called; names decide when
 * the root keys do not; a hive nothing identifies is named when unused. */
START_TEST(root_keys_then_names)
{
	hw_hive *h = hw_new();
	const rt_artifact *a;
	kase k;
	char *p, *tmp;

	kase_begin(&k);
	tmp = k.tmp;
	/* a SYSTEM hive saved as "SAM", its base block naming SAM */
	hw_set_file_name(h, "\\SystemRoot\\System32\\Config\\SAM");
	ck_assert_int_eq(hw_dword(h, "Select", "Current", 1), 0);
	ck_assert_int_eq(hw_sz(h, "ControlSet001\\Control\\ComputerName\\ComputerName",
			       "ComputerName", "WS10"), 0);
	p = join(tmp, "SAM");
	ck_assert_int_eq(hw_write(h, p), 0);
	free(p);
	hw_free(h);
	/* a DEFAULT profile hive looks like a user's */
	h = hw_new();
	hw_set_file_name(h, "\\SystemRoot\\System32\\Config\\DEFAULT");
	ck_assert_int_eq(hw_sz(h, "Software\\Microsoft\\x", "y", "z"), 0);
	ck_assert_int_eq(hw_sz(h, "Environment", "TEMP", "%USERPROFILE%"), 0);
	p = join(tmp, "DEFAULT");
	ck_assert_int_eq(hw_write(h, p), 0);
	free(p);
	hw_free(h);
	/* nothing says what this is */
	h = hw_new();
	hw_set_file_name(h, "C:\\x\\blob.dat");
	ck_assert_int_eq(hw_sz(h, "Foo", "bar", "baz"), 0);
	p = join(tmp, "mystery.bin");
	ck_assert_int_eq(hw_write(h, p), 0);
	free(p);
	hw_free(h);

	kase_collect(&k);
	a = find(k.ev, "/SAM");
	ck_assert_int_eq(a->hive_kind, RT_HIVE_SYSTEM);
	ck_assert_str_eq(a->hive_kind_reason, "root keys Select and ControlSet001");
	a = find(k.ev, "/DEFAULT");
	ck_assert_int_eq(a->hive_kind, RT_HIVE_OTHER);
	ck_assert_int_eq(a->hive_kind_unsure, 0);
	a = find(k.ev, "/mystery.bin");
	ck_assert_int_eq(a->hive_kind, RT_HIVE_OTHER);
	ck_assert_int_eq(a->hive_kind_unsure, 1);
	/* the unidentified hive is named, the DEFAULT one is not noise */
	ck_assert_ptr_nonnull(strstr(k.m.text.buf, "mystery.bin: registry hive not used: neither its "
						   "root keys nor its names ('blob.dat', 'mystery.bin')"));
	ck_assert_ptr_null(strstr(k.m.text.buf, "DEFAULT"));
	kase_end(&k);
}
END_TEST

/* -------------------------------------------------------- access times */

static const struct timespec old_times[2] = {{978307200, 0}, {978307200, 0}}; /* 2001 */

/* Every file and folder below `dir`, listed before any time is set:
 * listing a folder reads it, which sets its access time. */
static char **all_paths(const char *dir, size_t *n)
{
	char **files = NULL, **v;
	size_t nf = 0, i, k = 0;
	char *cmd[] = {"/usr/bin/find", (char *)dir, "-type", "d", NULL}, *out = NULL, *save = NULL, *line;

	tu_list_files(dir, &files, &nf);
	ck_assert_int_eq(tu_run(cmd, &out, NULL), 0);
	v = calloc(nf + tu_count_lines(out) + 1, sizeof(*v));
	ck_assert_ptr_nonnull(v);
	for (i = 0; i < nf; i++)
		v[k++] = files[i];
	free(files);
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		v[k++] = strdup(line);
	free(out);
	*n = k;
	return v;
}
/* analyze leaves the access time of every file and folder as it was. */
START_TEST(access_times_untouched)
{
	char *tmp = tu_tmpdir(), *ev = join(tmp, "ev"), *out = join(tmp, "out"), *p;
	hw_hive *h = hw_new();
	char *argv[] = {(char *)tu_remtrail(), "analyze", ev, "-o", out, NULL};
	char **paths;
	size_t n, i;
	int changed = 0;

	hw_set_file_name(h, "SYSTEM");
	ck_assert_int_eq(hw_dword(h, "Select", "Current", 1), 0);
	ck_assert_int_eq(hw_sz(h, "ControlSet001\\Control\\ComputerName\\ComputerName",
			       "ComputerName", "WS11"), 0);
	/* the keys every SYSTEM hive has (else the hive is named as damaged) */
	ck_assert_int_eq(hw_dword(h, "ControlSet001\\Services\\WinRM", "Start", 4), 0);
	ck_assert_int_eq(hw_dword(h, "ControlSet001\\Services\\SharedAccess\\Parameters\\"
				     "FirewallPolicy\\DomainProfile", "EnableFirewall", 1), 0);
	make_dirs(ev, "C/Windows/System32/config/x");
	p = join(ev, "C/Windows/System32/config/SYSTEM");
	ck_assert_int_eq(hw_write(h, p), 0);
	free(p);
	hw_free(h);
	put_log(ev, "C/Windows/System32/winevt/Logs/Security.evtx", "ws11", 300);
	put_log(ev, "notes/copy.evtx", "ws11", 3);
	free(tu_write_file(ev, "notes/readme.txt", "not evidence\n", 13));
	paths = all_paths(ev, &n);
	ck_assert_uint_ge(n, 12);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(utimensat(AT_FDCWD, paths[i], old_times, AT_SYMLINK_NOFOLLOW), 0);
	ck_assert_int_eq(tu_run(argv, NULL, NULL), 0);
	/* O_NOATIME is the owner's (or CAP_FOWNER's): the suite runs as either */
	for (i = 0; i < n; i++) {
		struct stat st;

		ck_assert_int_eq(lstat(paths[i], &st), 0);
		if (st.st_atim.tv_sec != old_times[0].tv_sec) {
			fprintf(stderr, "access time changed: %s\n", paths[i]);
			changed++;
		}
		free(paths[i]);
	}
	free(paths);
	ck_assert_int_eq(changed, 0);
	free(ev);
	free(out);
	tu_rmtree(tmp);
	free(tmp);
}
END_TEST

/* ------------------------------------------------ deep paths, swapped files */

/* A log below a path longer than PATH_MAX is read: nothing opens it by its
 * full path. */
START_TEST(deeper_than_path_max)
{
	char *tmp = tu_tmpdir(), name[201];
	rt_evidence *ev = NULL;
	msgs m = {RT_BUF_INIT};
	counter c = {0, ""};
	rt_diag d;
	uint8_t *img;
	size_t len, depth = 0;
	int dfd = open(tmp, O_RDONLY | O_DIRECTORY), fd;
	const char *path = tmp;

	memset(name, 'd', 200);
	name[200] = '\0';
	ck_assert_int_ge(dfd, 0);
	for (depth = 0; depth < 24; depth++) { /* 24 * 201 bytes > PATH_MAX */
		int nfd;

		ck_assert_int_eq(mkdirat(dfd, name, 0755), 0);
		nfd = openat(dfd, name, O_RDONLY | O_DIRECTORY);
		ck_assert_int_ge(nfd, 0);
		close(dfd);
		dfd = nfd;
	}
	img = log_image("deep.corp.example", 50, &len);
	fd = openat(dfd, "Security.evtx", O_WRONLY | O_CREAT | O_EXCL, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, img, len), (ssize_t)len);
	close(fd);
	close(dfd);
	free(img);

	rt_diag_init(&d, capture, &m);
	ck_assert_int_eq(rt_pipeline_collect(&path, 1, 1, &ev, &d), 0);
	ck_assert_uint_eq(ev->nartifacts, 1);
	ck_assert_uint_gt(strlen(ev->hosts[0].artifacts[0].path), 4096);
	ck_assert_str_eq(ev->hosts[0].name, "DEEP");
	ck_assert_int_eq(rt_evtx_read_evidence(ev, NULL, count_ev, &c, &d), 0);
	ck_assert_uint_eq(c.n, 50);
	ck_assert_str_eq(m.text.buf, "");
	rt_evidence_free(&ev);
	rt_diag_release(&d);
	rt_buf_release(&m.text);
	/* tu_rmtree goes by path: remove the levels from the top down */
	{
		char *cmd[] = {"/bin/rm", "-rf", tmp, NULL};

		ck_assert_int_eq(tu_run(cmd, NULL, NULL), 0);
	}
	free(tmp);
}
END_TEST

/*
 * What was recognised is what is read: a log replaced on disk after the
 * walk (renamed over) does not change what the readers see, and its hash is
 * the hash of what was read. The bytes are hashed while the reader reads
 * them: nothing is left to hash afterwards.
 */
START_TEST(no_check_then_use_gap_and_hash_while_reading)
{
	char *tmp = tu_tmpdir(), *p, *q, hex[65], want[65];
	rt_evidence *ev = NULL;
	msgs m = {RT_BUF_INIT};
	counter c = {0, ""};
	rt_diag d;
	uint8_t *img;
	size_t len;
	const char *path = tmp;
	const rt_artifact *a;
	static const int threads[] = {1, 3};
	size_t t;

	for (t = 0; t < 2; t++) {
		rt_evtx_opts o;

		put_log(tmp, "C/Windows/System32/winevt/Logs/Security.evtx", "first.corp.example",
			2000);
		img = log_image("first.corp.example", 2000, &len);
		tu_sha256_hex(img, len, want);
		free(img);
		rt_diag_init(&d, capture, &m);
		ck_assert_int_eq(rt_pipeline_collect(&path, 1, 1, &ev, &d), 0);
		put_log(tmp, "swap.evtx", "second.corp.example", 10);
		p = join(tmp, "swap.evtx");
		q = join(tmp, "C/Windows/System32/winevt/Logs/Security.evtx");
		ck_assert_int_eq(rename(p, q), 0);
		memset(&o, 0, sizeof(o));
		o.threads = threads[t];
		memset(&c, 0, sizeof(c));
		ck_assert_int_eq(rt_evtx_read_evidence(ev, &o, count_ev, &c, &d), 0);
		ck_assert_uint_eq(c.n, 2000);
		ck_assert_str_eq(c.first_computer, "first.corp.example");
		a = find(ev, "Security.evtx");
		ck_assert_uint_eq(rt_source_hashed(a->src), a->size);
		ck_assert_int_eq(rt_source_sha256(a->src, hex), 0);
		ck_assert_str_eq(hex, want);
		ck_assert_str_eq(m.text.buf, "");
		rt_evidence_free(&ev);
		rt_diag_release(&d);
		unlink(q);
		free(p);
		free(q);
	}
	rt_buf_release(&m.text);
	tu_rmtree(tmp);
	free(tmp);
}
END_TEST

/* --------------------------------------------------------- shadow copies */

/* A Security log whose records `first`..`last` have the times t0 + id s. */
static char *put_range(const char *dir, const char *rel, uint64_t first, uint64_t last)
{
	tw_writer *w = tw_new(TW_TEMPLATES);
	tw_event e;
	uint64_t id;
	char *p = join(dir, rel);

	tw_set_next_record_id(w, first);
	for (id = first; id <= last; id++) {
		memset(&e, 0, sizeof(e));
		e.time = tw_time("2024-05-01T10:00:00Z") + id * 10000000ULL;
		e.channel = "Security";
		e.provider = "Microsoft-Windows-Security-Auditing";
		e.computer = "ws12";
		e.event_id = 4624;
		ck_assert_uint_eq(tw_add(w, &e), id);
	}
	free(tu_write_file(dir, rel, "", 0));
	ck_assert_int_eq(tw_write(w, p), 0);
	tw_free(&w);
	return p;
}

typedef struct kept {
	rt_buf lines; /* "id file\n" */
	size_t n;
} kept;

static int keep(void *ctx, const rt_event *ev)
{
	kept *k = ctx;

	rt_buf_addf(&k->lines, "%llu %s\n", (unsigned long long)ev->record_id, ev->source_file);
	k->n++;
	return 0;
}

static int fmt_line(void *ctx, const rt_event *ev, rt_buf *out)
{
	(void)ctx;
	return rt_buf_addf(out, "%llu %s\n", (unsigned long long)ev->record_id, ev->source_file);
}

static int write_line(void *ctx, const char *data, size_t len, size_t n)
{
	kept *k = ctx;

	k->n += n;
	return rt_buf_add(&k->lines, data, len);
}

/*
 * A shadow copy's log adds the records the live log no longer holds, each
 * once, from the copy that has it; whatever the order of the artifacts,
 * the reader, the thread count or the output path.
 */
START_TEST(shadow_copy_adds_only_what_is_gone)
{
	char *tmp = tu_tmpdir();
	char *live = put_range(tmp, "img/p1/Windows/System32/winevt/Logs/Security.evtx", 5, 15);
	char *old = put_range(tmp, "img/p1/vss1/Windows/System32/winevt/Logs/Security.evtx", 1, 10);
	char *older = put_range(tmp, "img/p1/vss2/Windows/System32/winevt/Logs/Security.evtx", 1, 3);
	rt_artifact arts[3];
	rt_host host;
	rt_evidence ev;
	rt_buf want = RT_BUF_INIT;
	uint64_t id;
	int mode;

	memset(arts, 0, sizeof(arts));
	memset(&host, 0, sizeof(host));
	memset(&ev, 0, sizeof(ev));
	/* listed shadow copies first: the live log is still read first */
	arts[0].path = old;
	arts[0].origin.shadow_copy = 1;
	arts[1].path = older;
	arts[1].origin.shadow_copy = 2;
	arts[2].path = live;
	for (mode = 0; mode < 3; mode++)
		arts[mode].kind = RT_ART_EVTX;
	tu_one_host(&ev, &host, "WS12", arts, 3);
	for (id = 5; id <= 15; id++)
		rt_buf_addf(&want, "%llu %s\n", (unsigned long long)id, live);
	for (id = 1; id <= 4; id++)
		rt_buf_addf(&want, "%llu %s\n", (unsigned long long)id, old);
	for (mode = 0; mode < 4; mode++) {
		rt_evtx_opts o;
		rt_evtx_sink sink = {fmt_line, write_line, NULL, 0};
		kept k = {RT_BUF_INIT, 0};

		memset(&o, 0, sizeof(o));
		o.threads = mode == 1 ? 3 : 1;
		o.reader = mode == 2 ? RT_READER_LIBEVTX : RT_READER_AUTO;
		sink.ctx = &k;
		if (mode == 3)
			ck_assert_int_eq(rt_evtx_read_evidence_sink(&ev, &o, &sink, NULL), 0);
		else
			ck_assert_int_eq(rt_evtx_read_evidence(&ev, &o, keep, &k, NULL), 0);
		ck_assert_uint_eq(k.n, 15);
		ck_assert_str_eq(k.lines.buf, want.buf);
		rt_buf_release(&k.lines);
	}
	tu_close_sources(&ev);
	rt_buf_release(&want);
	free(live);
	free(old);
	free(older);
	tu_rmtree(tmp);
	free(tmp);
}
END_TEST

/* A shadow copy's hive joins the history at the copy's creation time, as
 * "shadow copy". */
START_TEST(shadow_copy_hive_joins_history)
{
	char *tmp = tu_tmpdir(), *p = join(tmp, "SYSTEM");
	hw_hive *h = hw_new();
	rt_artifact art;
	rt_host host;
	rt_evidence ev;
	rt_config *cfg = NULL;
	const rt_cfg_setting *st;
	uint64_t t = tw_time("2024-02-01T12:00:00Z");

	hw_set_file_name(h, "SYSTEM");
	ck_assert_int_eq(hw_dword(h, "Select", "Current", 1), 0);
	ck_assert_int_eq(hw_dword(h, "ControlSet001\\Services\\WinRM", "Start", 4), 0);
	ck_assert_int_eq(hw_write(h, p), 0);
	hw_free(h);
	memset(&art, 0, sizeof(art));
	memset(&host, 0, sizeof(host));
	memset(&ev, 0, sizeof(ev));
	art.kind = RT_ART_HIVE;
	art.path = p;
	art.hive_kind = RT_HIVE_SYSTEM;
	art.is_backup = 1;
	art.origin.shadow_copy = 1;
	art.origin.shadow_copy_time = t;
	host.name = "WS12";
	host.artifacts = &art;
	host.nartifacts = 1;
	ev.hosts = &host;
	ev.nhosts = 1;
	ev.nartifacts = 1;
	tu_open_sources(&ev);
	ck_assert_int_eq(rt_config_from_evidence(&ev, &cfg, NULL), 0);
	ck_assert_uint_eq(cfg->nhosts, 1);
	ck_assert_uint_eq(cfg->hosts[0].nsnapshots, 1);
	ck_assert_int_eq(cfg->hosts[0].snapshots[0].certainty, RT_CFG_SHADOW);
	ck_assert_uint_eq(cfg->hosts[0].snapshots[0].time, t);
	st = rt_cfg_find(&cfg->hosts[0], "service.winrm.start");
	ck_assert_ptr_nonnull(st);
	ck_assert_str_eq(rt_cfg_certainty_name(st->points[st->npoints - 1].certainty), "shadow copy");
	rt_config_free(&cfg);
	tu_close_sources(&ev);
	free(p);
	tu_rmtree(tmp);
	free(tmp);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("inplace");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, partial_software_export_is_used);
	tcase_add_test(tc, root_keys_then_names);
	tcase_add_test(tc, access_times_untouched);
	tcase_add_test(tc, deeper_than_path_max);
	tcase_add_test(tc, no_check_then_use_gap_and_hash_while_reading);
	tcase_add_test(tc, shadow_copy_adds_only_what_is_gone);
	tcase_add_test(tc, shadow_copy_hive_joins_history);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
