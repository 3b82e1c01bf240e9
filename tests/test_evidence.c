/* evidence: walking trees, recognising artifacts, grouping them by host. */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "evtx_writer.h"
#include "hive_writer.h"
#include "remtrail/evidence.h"
#include "remtrail/pipeline.h"
#include "remtrail/util.h"
#include "testutil.h"

/* ------------------------------------------------------------ fixtures */

typedef struct run {
	rt_evidence *ev;
	rt_diag diag;
	rt_buf msgs; /* "E subject: message\n" / "W ..." */
	int rc;
} run;

static void capture(void *ctx, rt_diag_level level, const char *subject, const char *message)
{
	rt_buf *b = ctx;

	rt_buf_addf(b, "%c %s: %s\n", level == RT_DIAG_ERROR ? 'E' : 'W', subject, message);
}

static void collect(run *r, const char *const *paths, size_t n)
{
	memset(r, 0, sizeof(*r));
	rt_buf_init(&r->msgs, 0);
	rt_diag_init(&r->diag, capture, &r->msgs);
	r->rc = rt_pipeline_collect(paths, n, 0, &r->ev, &r->diag);
	ck_assert_int_eq(r->rc, 0);
	ck_assert_ptr_nonnull(r->ev);
}

static void collect1(run *r, const char *path)
{
	collect(r, &path, 1);
}

static void done(run *r)
{
	rt_evidence_free(&r->ev);
	ck_assert_ptr_null(r->ev);
	rt_diag_release(&r->diag);
	rt_buf_release(&r->msgs);
}

static void put_evtx(const char *dir, const char *rel)
{
	uint8_t b[4096] = "ElfFile";

	free(tu_write_file(dir, rel, b, sizeof(b)));
}

/* A hive base block: file type at 0x1C, at 0x30 the last 31 characters of
 * the hive's path as Windows keeps them. */
static void put_regf(const char *dir, const char *rel, uint32_t type, const char *embedded)
{
	uint8_t b[4096] = "regf";
	size_t i, n = embedded ? strlen(embedded) : 0;

	b[0x1C] = (uint8_t)type;
	if (n > 31) {
		embedded += n - 31;
		n = 31;
	}
	for (i = 0; i < n; i++)
		b[0x30 + 2 * i] = (uint8_t)embedded[i];
	free(tu_write_file(dir, rel, b, sizeof(b)));
}

static void put_hive(const char *dir, const char *rel)
{
	put_regf(dir, rel, 0, NULL);
}

static void put_log(const char *dir, const char *rel)
{
	put_regf(dir, rel, 6, NULL);
}

static void put_text(const char *dir, const char *rel)
{
	static const char t[] = "not evidence, just some notes\n";

	free(tu_write_file(dir, rel, t, sizeof(t) - 1));
}

/* Remove a scratch folder and free its name. */
static void rmtmp(char *tmp)
{
	tu_rmtree(tmp);
	free(tmp);
}

static char *path_of(const char *dir, const char *rel)
{
	rt_buf b = RT_BUF_INIT;

	rt_buf_addf(&b, "%s/%s", dir, rel);
	return rt_buf_detach(&b, NULL);
}

/* A SYSTEM hive naming `computer` in ControlSet00<current> (Select\Current). */
static void put_system(const char *dir, const char *rel, const char *computer, unsigned current)
{
	hw_hive *h = hw_new();
	char key[80], *p = path_of(dir, rel);

	free(tu_write_file(dir, rel, "", 0)); /* makes the folders */
	hw_set_file_name(h, "SYSTEM");
	ck_assert_int_eq(hw_dword(h, "Select", "Current", current), 0);
	snprintf(key, sizeof(key), "ControlSet%03u\\Control\\ComputerName\\ComputerName", current);
	ck_assert_int_eq(hw_sz(h, key, "ComputerName", computer), 0);
	/* a decoy in the control set that is not current */
	ck_assert_int_eq(hw_sz(h,
	                       current == 1 ? "ControlSet002\\Control\\ComputerName\\"
	                                      "ComputerName"
	                                    : "ControlSet001\\Control\\ComputerName\\"
	                                      "ComputerName",
	                       "ComputerName", "DECOY"),
	                 0);
	ck_assert_int_eq(hw_write(h, p), 0);
	hw_free(h);
	free(p);
}

/* An EVTX file with one record whose System/Computer is `computer`. */
static void put_named_evtx(const char *dir, const char *rel, const char *computer)
{
	tw_writer *w = tw_new(TW_TEMPLATES);
	tw_event e;
	char *p = path_of(dir, rel);

	memset(&e, 0, sizeof(e));
	e.time = tw_time("2024-05-01T10:00:00Z");
	e.channel = "Security";
	e.provider = "Microsoft-Windows-Security-Auditing";
	e.computer = computer;
	e.event_id = 4624;
	ck_assert_uint_ne(tw_add(w, &e), 0);
	free(tu_write_file(dir, rel, "", 0));
	ck_assert_int_eq(tw_write(w, p), 0);
	tw_free(&w);
	free(p);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/* The artifact whose path ends with `suffix`, and its host. */
static const rt_artifact *find(const rt_evidence *ev, const char *suffix, const rt_host **host)
{
	size_t h, a;

	for (h = 0; h < ev->nhosts; h++)
		for (a = 0; a < ev->hosts[h].nartifacts; a++)
			if (ends_with(ev->hosts[h].artifacts[a].path, suffix)) {
				if (host)
					*host = &ev->hosts[h];
				return &ev->hosts[h].artifacts[a];
			}
	return NULL;
}

static const rt_host *host_named(const rt_evidence *ev, const char *name)
{
	size_t h;

	for (h = 0; h < ev->nhosts; h++)
		if (!strcmp(ev->hosts[h].name, name))
			return &ev->hosts[h];
	return NULL;
}

/* Every path of the result, in order, one per line (logs indented). */
static char *listing(const rt_evidence *ev)
{
	rt_buf b = RT_BUF_INIT;
	size_t h, a, k;

	for (h = 0; h < ev->nhosts; h++) {
		const rt_host *x = &ev->hosts[h];

		rt_buf_addf(&b, "%s (%s)\n", x->name, x->name_source);
		for (a = 0; a < x->nartifacts; a++) {
			const rt_artifact *y = &x->artifacts[a];

			rt_buf_addf(&b, " %d %s %s %d\n", (int)y->kind, y->path,
			            rt_hive_kind_name(y->hive_kind), y->is_backup);
			for (k = 0; k < y->nlogs; k++)
				rt_buf_addf(&b, "  %s\n", y->logs[k].path);
		}
	}
	return rt_buf_detach(&b, NULL);
}

/* -------------------------------------------------------------- layouts */

START_TEST(mounted_volume)
{
	char *tmp = tu_tmpdir(), *vol = path_of(tmp, "mnt/win"), *cfg;
	const rt_host *h = NULL;
	const rt_artifact *a;
	run r;

	put_evtx(vol, "Windows/System32/winevt/Logs/Security.evtx");
	put_evtx(vol, "Windows/System32/winevt/Logs/Microsoft-Windows-WinRM%4Operational.evtx");
	put_hive(vol, "Windows/System32/config/SYSTEM");
	put_hive(vol, "Windows/System32/config/SOFTWARE");
	put_hive(vol, "Windows/System32/config/RegBack/SYSTEM");
	put_hive(vol, "Users/bob/NTUSER.DAT");
	put_hive(vol, "Users/bob/AppData/Local/Microsoft/Windows/UsrClass.dat");
	put_hive(vol, "Windows.old/Windows/System32/config/SYSTEM");
	put_regf(vol, "Windows/System32/config/SECURITY", 3, NULL); /* odd type: a damaged hive */
	put_text(vol, "Windows/System32/drivers/etc/hosts");
	collect1(&r, vol);
	ck_assert_str_eq(r.msgs.buf, "");
	ck_assert_uint_eq(r.ev->nhosts, 1);
	ck_assert_uint_eq(r.ev->nartifacts, 9);
	ck_assert_int_eq(find(r.ev, "Windows.old/Windows/System32/config/SYSTEM", NULL)->is_backup,
	                 1);
	ck_assert_int_eq(find(r.ev, "config/SECURITY", NULL)->hive_kind, RT_HIVE_SECURITY);
	h = &r.ev->hosts[0];
	ck_assert_str_eq(h->name, "win");
	ck_assert_str_eq(h->name_source, "folder");
	ck_assert_uint_eq(h->nroots, 1);
	ck_assert(ends_with(h->roots[0], "/mnt/win"));
	a = find(r.ev, "win/Windows/System32/config/SYSTEM", NULL);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a->kind, RT_ART_HIVE);
	ck_assert_int_eq(a->hive_kind, RT_HIVE_SYSTEM);
	ck_assert_int_eq(a->is_backup, 0);
	a = find(r.ev, "RegBack/SYSTEM", NULL);
	ck_assert_int_eq(a->hive_kind, RT_HIVE_SYSTEM);
	ck_assert_int_eq(a->is_backup, 1);
	ck_assert_int_eq(find(r.ev, "config/SOFTWARE", NULL)->hive_kind, RT_HIVE_SOFTWARE);
	ck_assert_int_eq(find(r.ev, "NTUSER.DAT", NULL)->hive_kind, RT_HIVE_NTUSER);
	ck_assert_int_eq(find(r.ev, "UsrClass.dat", NULL)->hive_kind, RT_HIVE_USRCLASS);
	a = find(r.ev, "WinRM%4Operational.evtx", NULL);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a->kind, RT_ART_EVTX);
	ck_assert_uint_eq(a->size, 4096);
	done(&r);

	/* A folder inside the tree still belongs to the volume it is part of. */
	cfg = path_of(vol, "Windows/System32/config");
	collect1(&r, cfg);
	ck_assert_uint_eq(r.ev->nhosts, 1);
	ck_assert_str_eq(r.ev->hosts[0].name, "win");
	ck_assert_uint_eq(r.ev->nartifacts, 4);
	done(&r);
	free(cfg);
	free(vol);
	rmtmp(tmp);
}
END_TEST

START_TEST(kape_output)
{
	char *tmp = tu_tmpdir(), *out = path_of(tmp, "KAPE-OUT");
	run r;

	put_evtx(out, "C/Windows/System32/winevt/Logs/System.evtx");
	put_hive(out, "C/Windows/System32/config/SAM");
	put_hive(out, "C/Users/alice/NTUSER.DAT");
	put_hive(out, "VSS3/C/Windows/System32/config/SAM");
	put_text(out, "2023-01-01T000000_ConsoleLog.txt");
	collect1(&r, tmp);
	ck_assert_str_eq(r.msgs.buf, "");
	ck_assert_uint_eq(r.ev->nhosts, 1);
	ck_assert_uint_eq(r.ev->nartifacts, 4);
	ck_assert_uint_eq(r.ev->hosts[0].nroots, 1);
	ck_assert_int_eq(find(r.ev, "VSS3/C/Windows/System32/config/SAM", NULL)->is_backup, 1);
	ck_assert_int_eq(find(r.ev, "KAPE-OUT/C/Windows/System32/config/SAM", NULL)->is_backup, 0);
	ck_assert_str_eq(r.ev->hosts[0].name, "KAPE-OUT");
	ck_assert(ends_with(r.ev->hosts[0].roots[0], "/KAPE-OUT"));
	ck_assert_int_eq(find(r.ev, "config/SAM", NULL)->hive_kind, RT_HIVE_SAM);
	done(&r);
	free(out);
	rmtmp(tmp);
}
END_TEST

START_TEST(velociraptor_collection)
{
	char *tmp = tu_tmpdir(),
	     *col = path_of(tmp, "Collection-ws01.corp.example-2024-05-01T10_11_12Z");
	const rt_artifact *a;
	const rt_host *h;
	run r;

	put_evtx(col, "uploads/auto/C%3A/Windows/System32/winevt/Logs/Security.evtx");
	put_evtx(col, "uploads/auto/C%3A/Windows/System32/winevt/Logs/"
	              "Microsoft-Windows-WinRM%254Operational.evtx");
	put_hive(col, "uploads/ntfs/%5C%5C.%5CC%3A/Windows/System32/config/SYSTEM");
	put_hive(col, "uploads/ntfs/%5C%5C%3F%5CGLOBALROOT%5CDevice%5CHarddiskVolumeShadowCopy1/"
	              "Windows/System32/config/SYSTEM");
	put_text(col, "log.json");
	collect1(&r, col);
	ck_assert_str_eq(r.msgs.buf, "");
	ck_assert_uint_eq(r.ev->nhosts, 1);
	ck_assert_uint_eq(r.ev->nartifacts, 4);
	h = &r.ev->hosts[0];
	/* the offline collector's folder names the machine */
	ck_assert_str_eq(h->name, "WS01");
	ck_assert_str_eq(h->name_source, "folder");
	/* the real (encoded) path is kept for opening */
	a = find(r.ev, "uploads/auto/C%3A/Windows/System32/winevt/Logs/Security.evtx", NULL);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a->is_backup, 0);
	a = find(r.ev, "%5C%5C.%5CC%3A/Windows/System32/config/SYSTEM", NULL);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a->is_backup, 0);
	a = find(r.ev, "HarddiskVolumeShadowCopy1/Windows/System32/config/SYSTEM", NULL);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a->is_backup, 1);
	done(&r);
	free(col);
	rmtmp(tmp);
}
END_TEST

START_TEST(hosts_side_by_side)
{
	char *tmp = tu_tmpdir();
	const rt_host *h1, *h2, *h3;
	run r;

	put_evtx(tmp, "cases/HOST1/C/Windows/System32/winevt/Logs/Security.evtx");
	put_hive(tmp, "cases/HOST1/C/Windows/System32/config/SYSTEM");
	put_evtx(tmp, "cases/HOST2/uploads/auto/C%3A/Windows/System32/winevt/Logs/Security.evtx");
	put_hive(tmp, "cases/HOST3/Windows/System32/config/SYSTEM");
	put_hive(tmp, "cases/HOST4/Partition 2 [NTFS]/[root]/Windows/System32/config/SAM");
	put_evtx(tmp, "cases/Collection-notadate/uploads/auto/C%3A/Windows/System32/winevt/Logs/"
	              "System.evtx");
	collect1(&r, tmp);
	ck_assert_str_eq(r.msgs.buf, "");
	ck_assert_uint_eq(r.ev->nhosts, 5);
	ck_assert_ptr_nonnull(host_named(r.ev, "Collection-notadate"));
	ck_assert_uint_eq(host_named(r.ev, "HOST4")->nartifacts, 1);
	h1 = host_named(r.ev, "HOST1");
	h2 = host_named(r.ev, "HOST2");
	h3 = host_named(r.ev, "HOST3");
	ck_assert_ptr_nonnull(h1);
	ck_assert_ptr_nonnull(h2);
	ck_assert_ptr_nonnull(h3);
	ck_assert_uint_eq(h1->nartifacts, 2);
	ck_assert_uint_eq(h2->nartifacts, 1);
	ck_assert_uint_eq(h3->nartifacts, 1);
	ck_assert_ptr_eq(h1, &r.ev->hosts[1]);
	ck_assert_ptr_eq(h3, &r.ev->hosts[3]);
	done(&r);
	rmtmp(tmp);
}
END_TEST

START_TEST(evidence_kept_in_a_profile_is_loose)
{
	char *tmp = tu_tmpdir(), *c = path_of(tmp, "mnt/c");
	run r;

	/* WSL's view of the analyst's own disk: cases kept in a profile */
	put_evtx(c, "Users/me/Downloads/case1/Security.evtx");
	put_evtx(c, "Users/me/Downloads/case2/System.evtx");
	put_hive(c, "Users/me/Desktop/SOFTWARE");
	put_hive(c, "Users/me/Downloads/KAPE/C/Users/bob/NTUSER.DAT");
	put_hive(c, "Users/me/Downloads/KAPE/C/Users/bob/AppData/Local/Microsoft/Windows/"
	            "UsrClass.dat");
	collect1(&r, c);
	ck_assert_str_eq(r.msgs.buf, "");
	ck_assert_uint_eq(r.ev->nhosts, 2);
	ck_assert_str_eq(r.ev->hosts[0].name, "KAPE");
	ck_assert_uint_eq(r.ev->hosts[0].nartifacts, 2);
	ck_assert_str_eq(r.ev->hosts[1].name, "unknown");
	ck_assert_uint_eq(r.ev->hosts[1].nartifacts, 3);
	ck_assert_uint_eq(r.ev->hosts[1].nroots, 0);
	done(&r);
	free(c);
	rmtmp(tmp);
}
END_TEST

START_TEST(loose_files)
{
	char *tmp = tu_tmpdir(), *a = path_of(tmp, "x/Security.evtx"), *b = path_of(tmp, "y/SAM");
	const char *paths[2];
	run r;

	put_evtx(tmp, "x/Security.evtx");
	put_hive(tmp, "y/SAM");
	paths[0] = a;
	paths[1] = b;
	collect(&r, paths, 2);
	ck_assert_str_eq(r.msgs.buf, "");
	/* loose files with no name of their own: nothing names the host */
	ck_assert_uint_eq(r.ev->nhosts, 1);
	ck_assert_str_eq(r.ev->hosts[0].name, "unknown");
	ck_assert_str_eq(r.ev->hosts[0].name_source, "none");
	ck_assert_uint_eq(r.ev->hosts[0].nroots, 0);
	ck_assert_uint_eq(r.ev->nartifacts, 2);
	ck_assert_str_eq(r.ev->hosts[0].artifacts[0].path, a);
	ck_assert_str_eq(r.ev->hosts[0].artifacts[1].path, b);
	done(&r);
	free(a);
	free(b);
	rmtmp(tmp);
}
END_TEST

/* ------------------------------------------------------------ recognition */

START_TEST(hive_kind_from_base_block)
{
	char *tmp = tu_tmpdir();
	run r;

	put_regf(tmp, "export1.bin", 0, "emRoot\\System32\\Config\\SOFTWARE");
	put_regf(tmp, "export2.bin", 0, "\\??\\C:\\Users\\bob\\ntuser.dat");
	put_regf(tmp, "SAM", 0, "\\SystemRoot\\System32\\Config\\SYSTEM");
	put_regf(tmp, "SYSTEM", 0, "C:\\Temp\\sys.hiv");
	put_regf(tmp, "Amcache.hve", 0, "\\??\\C:\\Windows\\AppCompat\\Amcache.hve");
	put_regf(tmp, "SECURITY.sav", 0, NULL);
	put_regf(tmp, "weird", 0, NULL);
	collect1(&r, tmp);
	ck_assert_str_eq(r.msgs.buf, "");
	ck_assert_int_eq(find(r.ev, "export1.bin", NULL)->hive_kind, RT_HIVE_SOFTWARE);
	ck_assert_int_eq(find(r.ev, "export2.bin", NULL)->hive_kind, RT_HIVE_NTUSER);
	/* the base block's name wins over the file name; the file name speaks
	 * when the base block names no known hive (reg save to a temp file) */
	ck_assert_int_eq(find(r.ev, "/SAM", NULL)->hive_kind, RT_HIVE_SYSTEM);
	ck_assert_int_eq(find(r.ev, "/SYSTEM", NULL)->hive_kind, RT_HIVE_SYSTEM);
	ck_assert_int_eq(find(r.ev, "/Amcache.hve", NULL)->hive_kind, RT_HIVE_OTHER);
	ck_assert_int_eq(find(r.ev, "SECURITY.sav", NULL)->hive_kind, RT_HIVE_SECURITY);
	ck_assert_int_eq(find(r.ev, "SECURITY.sav", NULL)->is_backup, 1);
	ck_assert_int_eq(find(r.ev, "weird", NULL)->hive_kind, RT_HIVE_OTHER);
	ck_assert_str_eq(rt_hive_kind_name(RT_HIVE_USRCLASS), "USRCLASS");
	done(&r);
	rmtmp(tmp);
}
END_TEST

START_TEST(logs_attached_any_case)
{
	char *tmp = tu_tmpdir(), *list;
	const rt_artifact *a;
	run r;

	put_hive(tmp, "cfg/SYSTEM");
	put_log(tmp, "cfg/system.log1");
	put_log(tmp, "cfg/SYSTEM.LOG2");
	put_regf(tmp, "cfg/SYSTEM.LOG", 2, NULL);
	put_hive(tmp, "cfg/ntuser.dat");
	put_log(tmp, "cfg/NTUSER.DAT.LOG1");
	put_log(tmp, "cfg/ntuser.dat.LoG2");
	free(tu_write_file(tmp, "cfg/SOFTWARE.LOG1", "", 0)); /* empty: not a log, skipped */
	collect1(&r, tmp);
	ck_assert_str_eq(r.msgs.buf, "");
	ck_assert_uint_eq(r.ev->nartifacts, 2);
	a = find(r.ev, "cfg/SYSTEM", NULL);
	ck_assert_uint_eq(a->nlogs, 3);
	ck_assert(ends_with(a->logs[0].path, "cfg/SYSTEM.LOG"));
	ck_assert(ends_with(a->logs[1].path, "cfg/SYSTEM.LOG2"));
	ck_assert(ends_with(a->logs[2].path, "cfg/system.log1"));
	a = find(r.ev, "cfg/ntuser.dat", NULL);
	ck_assert_uint_eq(a->nlogs, 2);
	ck_assert(ends_with(a->logs[0].path, "NTUSER.DAT.LOG1"));
	list = listing(r.ev);
	ck_assert_ptr_null(strstr(list, "SOFTWARE"));
	free(list);
	done(&r);
	rmtmp(tmp);
}
END_TEST

START_TEST(hive_named_directly_brings_its_logs)
{
	char *tmp = tu_tmpdir(), *hive = path_of(tmp, "SYSTEM");
	const rt_artifact *a;
	run r;

	put_hive(tmp, "SYSTEM");
	put_log(tmp, "SYSTEM.LOG1");
	put_log(tmp, "SOFTWARE.LOG1");
	collect1(&r, hive);
	ck_assert_str_eq(r.msgs.buf, "");
	ck_assert_uint_eq(r.ev->nartifacts, 1);
	a = &r.ev->hosts[0].artifacts[0];
	ck_assert_str_eq(a->path, hive);
	ck_assert_uint_eq(a->nlogs, 1);
	ck_assert(ends_with(a->logs[0].path, "/SYSTEM.LOG1"));
	done(&r);
	free(hive);
	rmtmp(tmp);
}
END_TEST

START_TEST(orphan_log_warns)
{
	char *tmp = tu_tmpdir();
	run r;

	put_hive(tmp, "a/SYSTEM");
	put_log(tmp, "b/SYSTEM.LOG1");
	put_log(tmp, "b/strange-name");
	collect1(&r, tmp);
	ck_assert_uint_eq(r.diag.errors, 0);
	ck_assert_uint_eq(r.diag.warnings, 2);
	ck_assert_ptr_nonnull(
	    strstr(r.msgs.buf, "b/SYSTEM.LOG1: transaction log without its hive"));
	ck_assert_ptr_nonnull(strstr(r.msgs.buf, "b/strange-name: transaction log not named"));
	ck_assert_uint_eq(r.ev->nartifacts, 1);
	ck_assert_uint_eq(find(r.ev, "a/SYSTEM", NULL)->nlogs, 0);
	done(&r);
	rmtmp(tmp);
}
END_TEST

START_TEST(non_artifact_named_directly)
{
	char *tmp = tu_tmpdir(), *notes = path_of(tmp, "notes.txt"),
	     *missing = path_of(tmp, "nope");
	const char *paths[3];
	run r;

	put_text(tmp, "notes.txt");
	free(tu_write_file(tmp, "empty", "", 0));
	paths[0] = notes;
	paths[1] = missing;
	paths[2] = "";
	collect(&r, paths, 3);
	ck_assert_uint_eq(r.diag.errors, 3);
	ck_assert_ptr_nonnull(
	    strstr(r.msgs.buf, "notes.txt: not an EVTX file, registry hive or disk image"));
	ck_assert_ptr_nonnull(strstr(r.msgs.buf, "nope: cannot open: No such file"));
	ck_assert_uint_eq(r.ev->nhosts, 0);
	ck_assert_uint_eq(r.ev->nartifacts, 0);
	done(&r);

	/* found by walking, the same files are skipped silently */
	collect1(&r, tmp);
	ck_assert_str_eq(r.msgs.buf, "");
	ck_assert_uint_eq(r.ev->nartifacts, 0);
	done(&r);
	free(notes);
	free(missing);
	rmtmp(tmp);
}
END_TEST

static const struct image_case {
	const char *name;
	size_t off;
	const char *magic;
	size_t len;
	const char *kind;
} image_cases[] = {
    {"disk.E01", 0, "EVF\x09\x0d\x0a\xff\x00\x01\x01\x00", 11, "(E01)"},
    {"disk.qcow2", 0, "QFI\xfb", 4, "(QCOW2)"},
    {"disk.vmdk", 0, "KDMV", 4, "(VMDK)"},
    {"disk.vhdx", 0, "vhdxfile", 8, "(VHDX)"},
    {"disk.vhd", 0, "conectix", 8, "(VHD)"},
    {"volume.dd", 3, "NTFS    ", 8, "NTFS"},
    {"gpt.img", 512, "EFI PART", 8, "raw GPT disk"},
};

/* A file that has an image's signature and nothing else is opened as an
 * image and named with what is wrong, named directly or met in a folder
 * (test_images reads real ones). */
START_TEST(disk_image_is_a_clear_error)
{
	const struct image_case *c = &image_cases[_i];
	char *tmp = tu_tmpdir(), *p;
	size_t n = (size_t)1 << 20; /* walked, raw images are only named from 1 MiB */
	uint8_t *b = calloc(1, n);
	int k;
	run r;

	memcpy(b + c->off, c->magic, c->len);
	b[510] = 0x55;
	b[511] = 0xAA;
	p = tu_write_file(tmp, c->name, b, n);
	for (k = 0; k < 2; k++) {
		if (k)
			collect1(&r, tmp);
		else
			collect1(&r, p);
		ck_assert_ptr_nonnull(strstr(r.msgs.buf, c->name));
		ck_assert_ptr_nonnull(strstr(r.msgs.buf, c->kind));
		if (c->off == 512) { /* a GPT with no partition: nothing to read, said */
			ck_assert_uint_eq(r.diag.errors, 0);
			ck_assert_ptr_nonnull(strstr(r.msgs.buf, "no NTFS volume"));
		} else {
			ck_assert_uint_eq(r.diag.errors, 1);
			ck_assert_ptr_nonnull(strstr(r.msgs.buf, c->off == 3 ? "cannot be read as NTFS"
									   : "cannot read disk image"));
		}
		ck_assert_uint_eq(r.ev->nartifacts, 0);
		done(&r);
	}
	free(p);
	free(b);
	rmtmp(tmp);
}
END_TEST

START_TEST(fixed_vhd_footer_small_boot_sectors_later_segments)
{
	char *tmp = tu_tmpdir();
	size_t n = (size_t)1 << 20;
	uint8_t *b = calloc(1, n);
	run r;

	memcpy(b + n - 512, "conectix", 8);
	free(tu_write_file(tmp, "fixed.vhd", b, n));
	memset(b + n - 512, 0, 8);
	memcpy(b + 3, "NTFS    ", 8);
	b[510] = 0x55;
	b[511] = 0xAA;
	free(tu_write_file(tmp, "bootsect.bak", b, 8192)); /* a boot sector, not an image */
	memset(b, 0, 4096);
	memcpy(b, "EVF\x09\x0d\x0a\xff\x00\x01\x02\x00", 11); /* segment 2 */
	free(tu_write_file(tmp, "disk.E02", b, 4096));
	collect1(&r, tmp);
	ck_assert_uint_eq(r.diag.errors, 1);
	ck_assert_ptr_nonnull(strstr(r.msgs.buf, "fixed.vhd: cannot read disk image (VHD)"));
	ck_assert_ptr_null(strstr(r.msgs.buf, "bootsect"));
	ck_assert_ptr_null(strstr(r.msgs.buf, "E02"));
	done(&r);
	free(b);
	rmtmp(tmp);
}
END_TEST

/* ------------------------------------------------------------ hostile trees */

START_TEST(symlinks_not_followed)
{
	char *tmp = tu_tmpdir(), *root = path_of(tmp, "root"), *l;
	run r;

	put_evtx(tmp, "outside/Secret.evtx");
	put_evtx(root, "inside/Security.evtx");
	l = path_of(root, "to-outside");
	ck_assert_int_eq(symlink("../outside", l), 0);
	free(l);
	l = path_of(root, "file-outside.evtx");
	ck_assert_int_eq(symlink("../outside/Secret.evtx", l), 0);
	free(l);
	l = path_of(root, "inside/loop");
	ck_assert_int_eq(symlink("..", l), 0);
	free(l);
	l = path_of(root, "self");
	ck_assert_int_eq(symlink("self", l), 0);
	free(l);
	collect1(&r, root);
	ck_assert_uint_eq(r.diag.errors, 0);
	ck_assert_uint_eq(r.diag.warnings, 1);
	ck_assert_ptr_nonnull(strstr(r.msgs.buf, "root: 4 symbolic links not followed"));
	ck_assert_uint_eq(r.ev->nartifacts, 1);
	ck_assert_ptr_nonnull(find(r.ev, "inside/Security.evtx", NULL));
	ck_assert_ptr_null(find(r.ev, "Secret.evtx", NULL));
	done(&r);

	/* a link named by the user is followed: naming it is the choice */
	l = path_of(tmp, "named-link");
	ck_assert_int_eq(symlink("outside", l), 0);
	collect1(&r, l);
	ck_assert_str_eq(r.msgs.buf, "");
	ck_assert_ptr_nonnull(find(r.ev, "named-link/Secret.evtx", NULL));
	done(&r);
	free(l);
	free(root);
	rmtmp(tmp);
}
END_TEST

START_TEST(same_files_named_twice)
{
	char *tmp = tu_tmpdir(), *f = path_of(tmp, "a/Security.evtx"), *d = path_of(tmp, "a"),
	     *ds = path_of(tmp, "a/"), *hl = path_of(tmp, "b/hardlink.evtx");
	const char *paths[4];
	run r;

	put_evtx(tmp, "a/Security.evtx");
	free(tu_write_file(tmp, "b/.keep", "", 0));
	ck_assert_int_eq(link(f, hl), 0);
	paths[0] = d;
	paths[1] = f;
	paths[2] = ds;
	paths[3] = tmp;
	collect(&r, paths, 4);
	ck_assert_str_eq(r.msgs.buf, "");
	ck_assert_uint_eq(r.ev->nartifacts, 1);
	done(&r);
	free(f);
	free(d);
	free(ds);
	free(hl);
	rmtmp(tmp);
}
END_TEST

static int can_read_anyway(const char *path)
{
	int fd = open(path, O_RDONLY);

	if (fd >= 0)
		close(fd);
	return fd >= 0;
}

START_TEST(unreadable_reported)
{
	char *tmp = tu_tmpdir(), *f = path_of(tmp, "logs/Security.evtx"),
	     *d = path_of(tmp, "locked");
	run r;

	put_evtx(tmp, "logs/Security.evtx");
	put_evtx(tmp, "logs/System.evtx");
	put_evtx(tmp, "locked/Application.evtx");
	ck_assert_int_eq(chmod(f, 0), 0);
	ck_assert_int_eq(chmod(d, 0), 0);
	collect1(&r, tmp);
	ck_assert_ptr_nonnull(find(r.ev, "logs/System.evtx", NULL));
	if (can_read_anyway(f)) {
		/* root reads through permissions: nothing to report */
		ck_assert_uint_eq(r.ev->nartifacts, 3);
	} else {
		ck_assert_uint_eq(r.diag.errors, 2);
		ck_assert_ptr_nonnull(strstr(r.msgs.buf, "logs/Security.evtx: cannot open: "));
		ck_assert_ptr_nonnull(strstr(r.msgs.buf, "locked: cannot"));
		ck_assert_uint_eq(r.ev->nartifacts, 1);
	}
	done(&r);
	chmod(d, 0755);
	free(f);
	free(d);
	rmtmp(tmp);
}
END_TEST

START_TEST(deep_nesting_stops)
{
	char *tmp = tu_tmpdir();
	rt_buf rel = RT_BUF_INIT;
	int i;
	run r;

	for (i = 0; i < 80; i++)
		rt_buf_adds(&rel, "d/");
	rt_buf_adds(&rel, "Security.evtx");
	put_evtx(tmp, rel.buf);
	put_evtx(tmp, "d/System.evtx");
	collect1(&r, tmp);
	ck_assert_uint_eq(r.diag.errors, 1);
	ck_assert_ptr_nonnull(strstr(r.msgs.buf, "folders nested deeper than"));
	ck_assert_uint_eq(r.ev->nartifacts, 1);
	done(&r);
	rt_buf_release(&rel);
	rmtmp(tmp);
}
END_TEST

START_TEST(special_files)
{
	char *tmp = tu_tmpdir(), *fifo = path_of(tmp, "pipe");
	run r;

	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	put_evtx(tmp, "Security.evtx");
	collect1(&r, tmp); /* a FIFO met while walking is not opened (would block) */
	ck_assert_str_eq(r.msgs.buf, "");
	ck_assert_uint_eq(r.ev->nartifacts, 1);
	done(&r);
	collect1(&r, fifo);
	ck_assert_ptr_nonnull(strstr(r.msgs.buf, "pipe: not a regular file or folder"));
	done(&r);
	collect1(&r, "/dev/null");
	ck_assert_ptr_nonnull(strstr(r.msgs.buf, "is a device"));
	done(&r);
	free(fifo);
	rmtmp(tmp);
}
END_TEST

START_TEST(deterministic_order)
{
	static const char *const files[] = {
	    "z/C/Windows/System32/winevt/Logs/b.evtx", "a/C/Windows/System32/winevt/Logs/c.evtx",
	    "z/C/Windows/System32/winevt/Logs/a.evtx", "m/loose.evtx",
	    "a/C/Windows/System32/config/SYSTEM",      "a/C/Windows/System32/config/B",
	};
	char *tmp = tu_tmpdir(), *l1, *l2;
	size_t i, h, k;
	run r;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (strchr(files[i], '.'))
			put_evtx(tmp, files[i]);
		else
			put_hive(tmp, files[i]);
	}
	collect1(&r, tmp);
	l1 = listing(r.ev);
	for (h = 0; h < r.ev->nhosts; h++) {
		if (h)
			ck_assert_int_lt(strcmp(r.ev->hosts[h - 1].name, r.ev->hosts[h].name), 0);
		for (k = 1; k < r.ev->hosts[h].nartifacts; k++)
			ck_assert_int_lt(strcmp(r.ev->hosts[h].artifacts[k - 1].path,
			                        r.ev->hosts[h].artifacts[k].path),
			                 0);
	}
	ck_assert_str_eq(r.ev->hosts[0].name, "a");
	ck_assert_str_eq(r.ev->hosts[1].name, "unknown");
	ck_assert_str_eq(r.ev->hosts[2].name, "z");
	done(&r);
	collect1(&r, tmp);
	l2 = listing(r.ev);
	ck_assert_str_eq(l1, l2);
	done(&r);
	free(l1);
	free(l2);
	rmtmp(tmp);
}
END_TEST

START_TEST(empty_input)
{
	run r;

	collect(&r, NULL, 0);
	ck_assert_uint_eq(r.ev->nhosts, 0);
	ck_assert_str_eq(r.msgs.buf, "");
	done(&r);
	rt_evidence_free(NULL);
}
END_TEST

/* ------------------------------------------------------------ host names */

START_TEST(system_hive_names_the_host)
{
	char *tmp = tu_tmpdir(), *out = path_of(tmp, "OUT");
	const rt_host *h;
	run r;

	put_system(out, "C/Windows/System32/config/SYSTEM", "ws01", 2);
	put_system(out, "C/Windows/System32/config/RegBack/SYSTEM", "OLDNAME", 1);
	put_named_evtx(out, "C/Windows/System32/winevt/Logs/Security.evtx", "renamed.corp.example");
	collect1(&r, out);
	ck_assert_str_eq(r.msgs.buf, "");
	ck_assert_uint_eq(r.ev->nhosts, 1);
	h = &r.ev->hosts[0];
	/* the current control set, the current (not RegBack) copy, upper case */
	ck_assert_str_eq(h->name, "WS01");
	ck_assert_str_eq(h->full_name, "ws01");
	ck_assert_str_eq(h->name_source, "SYSTEM hive");
	ck_assert_uint_eq(h->nartifacts, 3);
	done(&r);
	free(out);
	rmtmp(tmp);
}
END_TEST

START_TEST(evtx_computer_names_the_host)
{
	char *tmp = tu_tmpdir();
	const rt_host *h;
	run r;

	/* ForwardedEvents holds other machines' records; Security is asked
	 * before the others */
	put_named_evtx(tmp,
	               "col/uploads/auto/C%3A/Windows/System32/winevt/Logs/"
	               "Application.evtx",
	               "app-says.corp.example");
	put_named_evtx(tmp,
	               "col/uploads/auto/C%3A/Windows/System32/winevt/Logs/"
	               "ForwardedEvents.evtx",
	               "elsewhere.corp.example");
	put_named_evtx(tmp, "col/uploads/auto/C%3A/Windows/System32/winevt/Logs/Security.evtx",
	               "ws02.corp.example");
	put_named_evtx(tmp, "loose/ws02-security.evtx", "WS02.corp.example");
	collect1(&r, tmp);
	ck_assert_str_eq(r.msgs.buf, "");
	/* the collection and the loose copy name the same machine: one host */
	ck_assert_uint_eq(r.ev->nhosts, 1);
	h = &r.ev->hosts[0];
	ck_assert_str_eq(h->name, "WS02");
	ck_assert_str_eq(h->name_source, "EVTX Computer");
	ck_assert_str_eq(h->full_name, "ws02.corp.example");
	ck_assert_uint_eq(h->nartifacts, 4);
	ck_assert_uint_eq(h->nroots, 1);
	ck_assert(ends_with(h->roots[0], "/col"));
	done(&r);
	rmtmp(tmp);
}
END_TEST

START_TEST(names_merge_and_siblings_follow)
{
	char *tmp = tu_tmpdir(), *list;
	run r;

	put_system(tmp, "monday/C/Windows/System32/config/SYSTEM", "WS03", 1);
	put_system(tmp, "tuesday/Windows/System32/config/SYSTEM", "ws03", 1);
	put_named_evtx(tmp, "loose/a.evtx", "ws03.corp.example");
	put_hive(tmp, "loose/SOFTWARE");
	put_evtx(tmp, "loose/empty.evtx");
	put_system(tmp, "mixed/SYSTEM", "WS04", 1);
	put_named_evtx(tmp, "mixed/b.evtx", "ws05");
	put_hive(tmp, "mixed/SAM");
	collect1(&r, tmp);
	ck_assert_str_eq(r.msgs.buf, "");
	list = listing(r.ev);
	ck_assert_uint_eq(r.ev->nhosts, 4);
	ck_assert_str_eq(host_named(r.ev, "WS03")->name_source, "SYSTEM hive");
	ck_assert_uint_eq(host_named(r.ev, "WS03")->nroots, 2);
	ck_assert_uint_eq(host_named(r.ev, "WS03")->nartifacts, 5);
	/* loose files that name nothing follow the name their folder agrees on;
	 * in a folder naming two machines nothing is guessed */
	ck_assert_ptr_nonnull(strstr(list, "loose/SOFTWARE"));
	ck_assert_uint_eq(host_named(r.ev, "WS04")->nartifacts, 1);
	ck_assert_uint_eq(host_named(r.ev, "WS05")->nartifacts, 1);
	ck_assert_uint_eq(host_named(r.ev, "unknown")->nartifacts, 1);
	ck_assert(ends_with(host_named(r.ev, "unknown")->artifacts[0].path, "mixed/SAM"));
	free(list);
	done(&r);
	rmtmp(tmp);
}
END_TEST

START_TEST(loose_system_hive_with_bad_checksum_still_names)
{
	char *tmp = tu_tmpdir(), *p = path_of(tmp, "SYSTEM");
	hw_hive *h = hw_new();
	run r;

	hw_set_file_name(h, "SYSTEM");
	hw_dword(h, "Select", "Current", 1);
	hw_sz(h, "ControlSet001\\Control\\ComputerName\\ComputerName", "ComputerName", "WS06");
	hw_set_bad_checksum(h, 1);
	ck_assert_int_eq(hw_write(h, p), 0);
	hw_free(h);
	collect1(&r, p);
	ck_assert_str_eq(r.msgs.buf, "");
	ck_assert_str_eq(r.ev->hosts[0].name, "WS06");
	done(&r);
	free(p);
	rmtmp(tmp);
}
END_TEST

/* ------------------------------------------------------------- corpus */

/*
 * The same source builds tests/test_evidence_corpus (EVIDENCE_CORPUS
 * defined): the whole corpus walked, and host names read from real SYSTEM
 * hives and EVTX records placed in trees built at test time.
 */
#ifdef EVIDENCE_CORPUS

static const char *corpus;

/* An EVTX whose records name DC1.insecurebank.local. SYSTEM.xz names
 * WKS-WIN732BITA; SYSTEM_B.xz (dirty, with .LOG1/.LOG2) DESKTOP-PM6C56D. */
#define DC1_EVTX "evtx/EVTX-ATTACK-SAMPLES/Credential Access/CA_DCSync_4662.evtx"

/* Place a corpus file (decompressed when it ends in .xz) at dir/rel. */
static void place(const char *dir, const char *rel, const char *corpus_rel)
{
	char *dst = path_of(dir, rel), *src = path_of(corpus, corpus_rel), *data;
	rt_buf cmd = RT_BUF_INIT;
	size_t n;

	free(tu_write_file(dir, rel, "", 0)); /* makes the folders */
	if (rt_endswith_ci(src, ".xz")) {
		rt_buf_addf(&cmd, "xz -dc '%s' > '%s'", src, dst);
		ck_assert_int_eq(system(cmd.buf), 0);
	} else {
		data = tu_read_file(src, &n);
		ck_assert_ptr_nonnull(data);
		free(tu_write_file(dir, rel, data, n));
		free(data);
	}
	rt_buf_release(&cmd);
	free(dst);
	free(src);
}

START_TEST(whole_corpus)
{
	char *edge = path_of(corpus, "registry/edge");
	size_t h, a, nevtx = 0, nhive = 0, nedge = 0, nxz = 0;
	run r;

	collect1(&r, corpus);
	ck_assert_msg(r.diag.errors == 0, "errors: %s", r.msgs.buf);
	for (h = 0; h < r.ev->nhosts; h++) {
		for (a = 0; a < r.ev->hosts[h].nartifacts; a++) {
			const rt_artifact *x = &r.ev->hosts[h].artifacts[a];

			ck_assert(!rt_endswith_ci(x->path, ".xz"));
			if (x->kind == RT_ART_EVTX) {
				nevtx++;
			} else {
				nhive++;
				nedge += strncmp(x->path, edge, strlen(edge)) == 0;
				nxz += strstr(x->path, ".xz/") != NULL;
			}
		}
	}
	/* ~590 EVTX files, each found by its header; the hives of
	 * registry/edge, and those compressed in registry/ *.xz, read through
	 * the .xz (named "SYSTEM.xz/SYSTEM") */
	ck_assert_uint_ge(nevtx, 500);
	ck_assert_uint_eq(nhive, nedge + nxz);
	ck_assert_uint_ge(nedge, 10);
	ck_assert_uint_ge(nxz, 5);
	ck_assert_uint_eq(r.ev->nartifacts, nevtx + nhive);
	done(&r);
	free(edge);
}
END_TEST

/* Names read from real hives and records, logs of a real dirty hive. */
START_TEST(real_files_name_their_hosts)
{
	char *tmp = tu_tmpdir();
	run r;

	place(tmp, "monday/C/Windows/System32/config/SYSTEM", "registry/SYSTEM.xz");
	place(tmp, "monday/C/Users/u/NTUSER.DAT", "registry/NTUSER.DAT.xz");
	place(tmp, "tuesday/Windows/System32/config/SYSTEM", "registry/SYSTEM.xz");
	place(tmp, "other/C/Windows/System32/config/SYSTEM", "registry/SYSTEM_B.xz");
	place(tmp, "other/C/Windows/System32/config/SYSTEM.LOG1", "registry/SYSTEM_B.LOG1.xz");
	place(tmp, "other/C/Windows/System32/config/SYSTEM.LOG2", "registry/SYSTEM_B.LOG2.xz");
	place(tmp, "velo/uploads/auto/C%3A/Windows/System32/winevt/Logs/Security.evtx", DC1_EVTX);
	collect1(&r, tmp);
	ck_assert_str_eq(r.msgs.buf, "");
	ck_assert_uint_eq(r.ev->nhosts, 3);
	ck_assert_str_eq(r.ev->hosts[0].name, "DC1");
	ck_assert_str_eq(r.ev->hosts[0].full_name, "DC1.insecurebank.local");
	ck_assert_str_eq(r.ev->hosts[0].name_source, "EVTX Computer");
	ck_assert_str_eq(r.ev->hosts[1].name, "DESKTOP-PM6C56D");
	ck_assert_uint_eq(r.ev->hosts[1].artifacts[0].nlogs, 2);
	ck_assert_str_eq(r.ev->hosts[2].name, "WKS-WIN732BITA");
	ck_assert_str_eq(r.ev->hosts[2].name_source, "SYSTEM hive");
	ck_assert_uint_eq(r.ev->hosts[2].nartifacts, 3);
	ck_assert_uint_eq(r.ev->hosts[2].nroots, 2);
	done(&r);
	rmtmp(tmp);
}
END_TEST

static TCase *corpus_tests(void)
{
	TCase *tc = tcase_create("corpus");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, whole_corpus);
	tcase_add_test(tc, real_files_name_their_hosts);
	return tc;
}

#endif

static TCase *core_tests(void)
{
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, mounted_volume);
	tcase_add_test(tc, kape_output);
	tcase_add_test(tc, velociraptor_collection);
	tcase_add_test(tc, hosts_side_by_side);
	tcase_add_test(tc, loose_files);
	tcase_add_test(tc, evidence_kept_in_a_profile_is_loose);
	tcase_add_test(tc, hive_kind_from_base_block);
	tcase_add_test(tc, logs_attached_any_case);
	tcase_add_test(tc, hive_named_directly_brings_its_logs);
	tcase_add_test(tc, orphan_log_warns);
	tcase_add_test(tc, non_artifact_named_directly);
	tcase_add_loop_test(tc, disk_image_is_a_clear_error, 0,
	                    (int)(sizeof(image_cases) / sizeof(image_cases[0])));
	tcase_add_test(tc, fixed_vhd_footer_small_boot_sectors_later_segments);
	tcase_add_test(tc, symlinks_not_followed);
	tcase_add_test(tc, same_files_named_twice);
	tcase_add_test(tc, unreadable_reported);
	tcase_add_test(tc, deep_nesting_stops);
	tcase_add_test(tc, special_files);
	tcase_add_test(tc, deterministic_order);
	tcase_add_test(tc, empty_input);
	tcase_add_test(tc, system_hive_names_the_host);
	tcase_add_test(tc, evtx_computer_names_the_host);
	tcase_add_test(tc, names_merge_and_siblings_follow);
	tcase_add_test(tc, loose_system_hive_with_bad_checksum_still_names);
	return tc;
}

int main(void)
{
	Suite *s;
	SRunner *sr;
	int failed;

#ifdef EVIDENCE_CORPUS
	/* before anything is allocated: LeakSanitizer checks the skip too */
	corpus = tu_corpus();
	if (!corpus) {
		fprintf(stderr, "RT_CORPUS not set or missing: corpus tests skipped\n");
		return RT_TEST_SKIP;
	}
	s = suite_create("evidence");
	suite_add_tcase(s, corpus_tests());
	(void)core_tests; /* run by tests/test_evidence */
#else
	s = suite_create("evidence");
	suite_add_tcase(s, core_tests());
#endif
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
