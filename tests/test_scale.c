/*
 * A case in host units (issue 14): the manifest, shards, merge, resume.
 * The case is built here (casegen.h): several hosts, a WinRM session from
 * each workstation to SRV01 that both ends record (a pair across hosts), a
 * host whose name is a Windows device name, a file found and not analysed.
 */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "casegen.h"
#include "evtx_writer.h"
#include "hive_writer.h"
#include "scenario.h"
#include "remtrail/report.h"
#include "remtrail/units.h"
#include "testutil.h"

#define NWS 4 /* workstations: with SRV01 and CON, 6 hosts */

static char *dir;  /* this test's temporary folder */
static char ev[4096];

static void setup(void)
{
	dir = tu_tmpdir();
	snprintf(ev, sizeof ev, "%s/case", dir);
	ck_assert_int_eq(cg_write_case(ev, NWS), 0);
	/* the run record's times are fixed: whole files can be compared too */
	setenv("SOURCE_DATE_EPOCH", "1710237600", 1);
}

static void teardown(void)
{
	unsetenv("SOURCE_DATE_EPOCH");
	tu_rmtree(dir);
	free(dir);
	dir = NULL;
}

/* remtrail with the arguments (NULL-terminated); exit status. */
static int rt(char **out, char **err, ...)
{
	char *argv[32];
	va_list ap;
	int n = 0;

	argv[n++] = (char *)tu_remtrail();
	va_start(ap, err);
	while (n < 31 && (argv[n] = va_arg(ap, char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	return tu_run(argv, out, err);
}

static char *path(const char *a, const char *b)
{
	size_t n = strlen(dir) + strlen(a) + (b ? strlen(b) : 0) + 3;
	char *p = malloc(n);

	ck_assert_ptr_nonnull(p);
	snprintf(p, n, "%s/%s%s%s", dir, a, b ? "/" : "", b ? b : "");
	return p;
}

/* Every result file of two result folders, case and hosts. */
static void same_results(const char *a, const char *b)
{
	char why[20000];

	ck_assert_msg(cg_same_results(a, b, why, sizeof why), "%s", why);
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;

	for (; s && (s = strstr(s, what)); s += strlen(what))
		n++;
	return n;
}

/* ------------------------------------------------------------- manifest */

START_TEST(manifest_round_trip)
{
	const char *paths[] = { ev };
	rt_units *u = NULL, *v = NULL;
	rt_buf a = RT_BUF_INIT, b = RT_BUF_INIT;
	char err[256];
	size_t k;

	ck_assert_int_eq(rt_units_collect(paths, 1, &u, NULL), 0);
	ck_assert_uint_eq(u->n, NWS + 2);
	ck_assert_uint_eq(u->nskipped, 1);
	ck_assert_ptr_nonnull(strstr(u->skipped[0].path, "orphan/SYSTEM.LOG1"));
	/* CON is a device name on Windows: its folder is not */
	k = rt_units_find(u, "con");
	ck_assert_uint_lt(k, u->n);
	ck_assert_str_eq(u->units[k].dir, "CO%4E");
	ck_assert_int_eq(rt_units_manifest(u, &a), 0);
	ck_assert_uint_eq(count(a.buf, "{\"unit\":"), NWS + 2);
	ck_assert_int_eq(rt_units_parse(a.buf, a.len, &v, err, sizeof err), 0);
	ck_assert_int_eq(rt_units_manifest(v, &b), 0);
	ck_assert_str_eq(a.buf, b.buf);
	for (k = 0; k < u->n; k++) {
		ck_assert_str_eq(u->units[k].host->name, v->units[k].host->name);
		ck_assert_uint_eq(u->units[k].size, v->units[k].size);
		ck_assert_uint_eq(u->units[k].host->nartifacts, v->units[k].host->nartifacts);
	}
	/* a manifest from before logs had sizes and containers is read */
	rt_units_free(&v);
	{
		static const char old[] =
		    "{\"unit\":1,\"host\":\"A\",\"dir\":\"A\",\"size\":2,\"files\":2,"
		    "\"name_source\":\"folder\",\"full_name\":null,\"base\":\"/x\",\"paths\":[],"
		    "\"roots\":[],\"artifacts\":[{\"path\":\"A/SYSTEM\",\"type\":\"hive\","
		    "\"hive\":\"SYSTEM\",\"backup\":false,\"size\":1,\"logs\":[\"A/SYSTEM.LOG1\"]}]}\n"
		    "{\"skipped\":\"A/x.E01\",\"root\":\"A\",\"relative\":\"x.E01\","
		    "\"state\":\"skipped\",\"notes\":[]}\n";

		ck_assert_int_eq(rt_units_parse(old, strlen(old), &v, err, sizeof err), 0);
		ck_assert_uint_eq(v->units[0].host->artifacts[0].nlogs, 1);
		ck_assert_str_eq(v->units[0].host->artifacts[0].logs[0].path, "A/SYSTEM.LOG1");
		ck_assert_uint_eq(v->units[0].ncontainers, 0);
		ck_assert_uint_eq(v->nskipped, 1);
		rt_units_free(&v);
	}
	/* what is not a manifest is said so, with the line */
	ck_assert_int_eq(rt_units_parse("{\"unit\":1}\n", 11, &v, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "line 1"));
	ck_assert_int_eq(rt_units_parse("\n\nnot json\n", 11, &v, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "line 3"));
	ck_assert_int_eq(rt_units_parse("{\"unit\":2,\"host\":\"A\"}\n", 23, &v, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "numbered"));
	rt_buf_release(&a);
	rt_buf_release(&b);
	rt_units_free(&u);
}
END_TEST

/* Every unit in exactly one shard, whatever N; shards even in size. */
START_TEST(shards_partition_the_units)
{
	const char *paths[] = { ev };
	rt_units *u = NULL;
	unsigned char sel[16];
	unsigned n, i;
	size_t k;

	ck_assert_int_eq(rt_units_collect(paths, 1, &u, NULL), 0);
	for (n = 1; n <= 8; n++) {
		unsigned seen[16] = { 0 };
		uint64_t lo = UINT64_MAX, hi = 0, biggest = 0;

		for (i = 1; i <= n; i++) {
			uint64_t load = 0;

			ck_assert_int_eq(rt_units_shard(u, i, n, sel), 0);
			for (k = 0; k < u->n; k++)
				if (sel[k]) {
					seen[k]++;
					load += u->units[k].size;
				}
			lo = load < lo ? load : lo;
			hi = load > hi ? load : hi;
		}
		for (k = 0; k < u->n; k++) {
			ck_assert_uint_eq(seen[k], 1);
			biggest = u->units[k].size > biggest ? u->units[k].size : biggest;
		}
		if (n <= u->n)
			ck_assert_uint_le(hi - lo, biggest);
	}
	ck_assert_int_eq(rt_units_shard(u, 0, 2, sel), -1);
	ck_assert_int_eq(rt_units_shard(u, 3, 2, sel), -1);
	rt_units_free(&u);
}
END_TEST

/* ------------------------------------------------------------ equivalence */

/* The case analysed at once, and as two shards merged (into a third
 * folder, and in place), give the same files, run records aside. */
START_TEST(shards_merged_equal_the_whole_case)
{
	char *whole = path("whole", NULL), *man = path("case.manifest", NULL), *out = NULL,
	     *err = NULL, *s1 = path("s1", NULL), *s2 = path("s2", NULL), *m = path("merged", NULL),
	     *shared = path("shared", NULL), *tl;
	int r;

	/* a hive nothing identifies: its note comes from the walk, which a
	 * shard run from the manifest does not do */
	{
		hw_hive *h = hw_new();
		char *p = path("case/SRV01/C/Windows/System32/config", "mystery.bin");

		hw_set_file_name(h, "C:\\x\\blob.dat");
		ck_assert_int_eq(hw_sz(h, "Foo", "bar", "baz"), 0);
		ck_assert_int_eq(hw_write(h, p), 0);
		hw_free(h);
		free(p);
	}
	ck_assert_int_eq(rt(NULL, &err, "analyze", ev, "-o", whole, NULL), 0);
	ck_assert_ptr_nonnull(strstr(err, "host 1/6"));
	free(err);
	tl = path("whole", "report.txt");
	{
		char *t = tu_read_file(tl, NULL);

		ck_assert_ptr_nonnull(strstr(t, "registry hive not used: neither its root keys nor "
					     "its names ('blob.dat', 'mystery.bin')"));
		free(t);
	}
	free(tl);
	/* the case holds pairs across hosts: the step merge must redo */
	tl = path("whole", "timeline.jsonl");
	{
		char *t = tu_read_file(tl, NULL);

		ck_assert_uint_eq(count(t, "\"paired_host\":\"SRV01\""), NWS);
		free(t);
	}
	free(tl);
	ck_assert_int_eq(rt(&out, &err, "hosts", ev, NULL), 0);
	ck_assert_ptr_nonnull(strstr(err, "6 hosts"));
	ck_assert_ptr_nonnull(strstr(err, "1 file found and not analysed"));
	free(tu_write_file(dir, "case.manifest", out, strlen(out)));
	free(out);
	free(err);
	r = rt(NULL, &err, "analyze", "--manifest", man, "--shard", "1/2", "-o", s1, NULL);
	ck_assert_int_eq(r, 0);
	ck_assert_ptr_nonnull(strstr(err, "remtrail merge"));
	free(err);
	ck_assert_int_eq(rt(NULL, NULL, "analyze", "--manifest", man, "--shard", "2/2", "-o", s2, NULL), 0);
	/* a merge before all shards are there names what is missing */
	ck_assert_int_eq(rt(NULL, &err, "merge", m, s1, NULL), 1);
	ck_assert_ptr_nonnull(strstr(err, "have no complete result"));
	free(err);
	ck_assert_int_eq(rt(NULL, &err, "merge", m, s1, s2, NULL), 0);
	ck_assert_ptr_nonnull(strstr(err, "6 hosts (6 copied in)"));
	free(err);
	same_results(whole, m);
	/* shards writing into one folder (a shared file system), merged there;
	 * one started at the same time is writing its manifest */
	free(tu_write_file(shared, ".manifest.jsonl.Xq1tr8", "{", 1));
	ck_assert_int_eq(rt(NULL, NULL, "analyze", "--manifest", man, "--shard", "2/3", "-o", shared, NULL), 0);
	ck_assert_int_eq(rt(NULL, NULL, "analyze", "--manifest", man, "--shard", "1/3", "-o", shared, NULL), 0);
	ck_assert_int_eq(rt(NULL, NULL, "analyze", "--manifest", man, "--host", "SRV01", "--host",
			    "ws01", "-o", shared, NULL), 0);
	ck_assert_int_eq(rt(NULL, NULL, "analyze", "--manifest", man, "--shard", "3/3", "-o", shared, NULL), 0);
	ck_assert_int_eq(rt(NULL, NULL, "merge", shared, "-j1", NULL), 0);
	same_results(whole, shared);
	/* host folders read, case files written, on more threads than hosts */
	ck_assert_int_eq(rt(NULL, NULL, "merge", shared, "-j", "8", NULL), 0);
	same_results(whole, shared);
	/* a folder with anything else in it is still refused */
	free(tu_write_file(dir, "mine/notes.txt", "mine", 4));
	free(tu_write_file(dir, "mine/.manifest.jsonl.Xq1tr8", "{", 1));
	tl = path("mine", NULL);
	ck_assert_int_eq(rt(NULL, &err, "analyze", "--manifest", man, "--shard", "1/2", "-o", tl, NULL), 2);
	free(tl);
	ck_assert_ptr_nonnull(strstr(err, "not empty"));
	free(err);
	free(whole);
	free(man);
	free(s1);
	free(s2);
	free(m);
	free(shared);
}
END_TEST

/* The manifest's relative paths are relative to where it was made: a shard
 * run elsewhere still finds the evidence, and names it as it was named. */
START_TEST(relative_manifest_runs_anywhere)
{
	char *out = NULL, *whole = path("whole", NULL), *other = path("elsewhere", NULL),
	     *s = path("s", NULL), *man = path("m.jsonl", NULL);

	ck_assert_int_eq(chdir(dir), 0);
	ck_assert_int_eq(rt(NULL, NULL, "analyze", "case", "-o", "whole", NULL), 0);
	ck_assert_int_eq(rt(&out, NULL, "hosts", "case", NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"path\":\"case/"));
	free(tu_write_file(dir, "m.jsonl", out, strlen(out)));
	free(out);
	ck_assert_int_eq(mkdir(other, 0755), 0);
	ck_assert_int_eq(chdir(other), 0);
	ck_assert_int_eq(rt(NULL, NULL, "analyze", "--manifest", "../m.jsonl", "-o", "../s", NULL), 0);
	ck_assert_int_eq(chdir("/"), 0);
	same_results(whole, s);
	free(whole);
	free(other);
	free(s);
	free(man);
}
END_TEST

/* Start remtrail with argv (argv[0] ignored), stderr to /dev/null. */
static pid_t start(char *const argv[])
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		dup2(fd, 2);
		execv(tu_remtrail(), argv);
		_exit(127);
	}
	return pid;
}

static int finish(pid_t pid)
{
	int status;

	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Two shards started at the same moment into one folder that does not
 * exist yet (a Slurm array, parallel): neither refuses the folder the
 * other has just made, and the merge is the whole case. */
START_TEST(shards_started_at_once_share_a_new_folder)
{
	char *whole = path("whole", NULL), *man = path("m.jsonl", NULL), *out = NULL;
	int round;

	ck_assert_int_eq(rt(NULL, NULL, "analyze", ev, "-o", whole, NULL), 0);
	ck_assert_int_eq(rt(&out, NULL, "hosts", ev, NULL), 0);
	free(tu_write_file(dir, "m.jsonl", out, strlen(out)));
	free(out);
	for (round = 0; round < 4; round++) {
		char o[64], *shared;
		char *a1[] = { "remtrail", "analyze", "--manifest", man, "--shard", "1/2", "-o", NULL, NULL };
		char *a2[] = { "remtrail", "analyze", "--manifest", man, "--shard", "2/2", "-o", NULL, NULL };
		pid_t p1, p2;

		snprintf(o, sizeof o, "shared%d", round);
		shared = path(o, NULL);
		a1[7] = a2[7] = shared;
		p1 = start(a1);
		p2 = start(a2);
		ck_assert_int_eq(finish(p1), 0);
		ck_assert_int_eq(finish(p2), 0);
		ck_assert_int_eq(rt(NULL, NULL, "merge", shared, NULL), 0);
		same_results(whole, shared);
		free(shared);
	}
	free(whole);
	free(man);
}
END_TEST

/* Hosts analysed side by side (-j): the same files for any -j, and the
 * same `assess` output. */
START_TEST(any_jobs_give_the_same_result)
{
	static const char *const jobs[] = { "-j1", "-j2", "-j3", "-j8" };
	char *one = path("j1", NULL), *out1 = NULL, *man1 = NULL, *err = NULL;
	size_t i;

	ck_assert_int_eq(rt(NULL, NULL, "analyze", ev, "-o", one, "-j1", NULL), 0);
	ck_assert_int_eq(rt(&out1, NULL, "assess", ev, "-j1", NULL), 0);
	ck_assert_int_eq(rt(&man1, NULL, "hosts", ev, "-j1", NULL), 0);
	for (i = 1; i < sizeof jobs / sizeof *jobs; i++) {
		char *o = path(jobs[i] + 1, NULL), *out = NULL;

		/* the walk names hosts and reads their hives side by side */
		ck_assert_int_eq(rt(&out, NULL, "hosts", ev, jobs[i], NULL), 0);
		ck_assert_str_eq(out, man1);
		free(out);
		out = NULL;

		ck_assert_int_eq(rt(NULL, &err, "analyze", ev, "-o", o, jobs[i], NULL), 0);
		/* one line per host finished, whatever the order */
		ck_assert_uint_eq(count(err, ": host "), NWS + 2);
		free(err);
		same_results(one, o);
		ck_assert_int_eq(rt(&out, NULL, "assess", ev, jobs[i], NULL), 0);
		ck_assert_str_eq(out, out1);
		free(out);
		free(o);
	}
	free(out1);
	free(man1);
	free(one);
}
END_TEST

/* ------------------------------------------------------------------ resume */

static int exists(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0;
}

/* A host folder without unit.json under hosts/ (a half-written one that
 * could be taken for a result): the name, or NULL. */
static char *incomplete_folder(const char *out)
{
	char p[8192];
	struct dirent *e;
	char *bad = NULL;
	DIR *d;

	snprintf(p, sizeof p, "%s/hosts", out);
	if (!(d = opendir(p)))
		return NULL;
	while ((e = readdir(d)) && !bad) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof p, "%s/hosts/%s/unit.json", out, e->d_name);
		if (!exists(p))
			bad = strdup(e->d_name);
	}
	closedir(d);
	return bad;
}

static size_t complete_folders(const char *out)
{
	char p[8192];
	struct dirent *e;
	size_t n = 0;
	DIR *d;

	snprintf(p, sizeof p, "%s/hosts", out);
	if (!(d = opendir(p)))
		return 0;
	while ((e = readdir(d))) {
		snprintf(p, sizeof p, "%s/hosts/%s/unit.json", out, e->d_name);
		n += e->d_name[0] != '.' && exists(p);
	}
	closedir(d);
	return n;
}

/* Start analyze with `jobs`, kill it (SIGKILL) once `after` host folders
 * are complete; the number complete when it died. */
static size_t analyze_killed(const char *out, size_t after, const char *jobs)
{
	char *argv[] = { "remtrail", "analyze", ev, "-o", (char *)out, (char *)jobs, NULL };
	pid_t pid = start(argv);
	int status, i;

	for (i = 0; i < 200000 && complete_folders(out) < after; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return complete_folders(out);
		usleep(100);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return complete_folders(out);
}

/* Killed in the middle, then run again: no half-written host folder is
 * ever there to be taken as complete, the hosts done are kept, and the
 * result is the uninterrupted run's. */
START_TEST(killed_run_resumes_to_the_same_result)
{
	char *clean = path("clean", NULL), *out = path("out", NULL), *err = NULL, *bad;
	size_t done, attempt, redone_some = 0;

	ck_assert_int_eq(rt(NULL, NULL, "analyze", ev, "-o", clean, NULL), 0);
	for (attempt = 1; attempt <= 3; attempt++) {
		/* one host at a time, then two side by side */
		done = analyze_killed(out, attempt, attempt == 2 ? "-j2" : "-j1");
		bad = incomplete_folder(out);
		ck_assert_msg(bad == NULL, "host folder %s is there without unit.json", bad);
		ck_assert_int_eq(rt(NULL, &err, "analyze", ev, "-o", out, NULL), 0);
		if (done < NWS + 2) {
			char want[64];

			snprintf(want, sizeof want, "(%zu unchanged since the last run)", done);
			ck_assert_msg(strstr(err, want) != NULL, "want %s in: %s", want, err);
			redone_some = 1;
		}
		free(err);
		same_results(clean, out);
		/* start again from nothing for the next attempt */
		tu_rmtree(out);
	}
	/* on a slow machine a kill may come late; at least one came in time */
	ck_assert_msg(redone_some, "no kill landed mid-run in 3 attempts");
	free(clean);
	free(out);
}
END_TEST

/* What a crash or a person can leave: a folder without unit.json, a stale
 * temporary folder, a file changed after it was written. */
START_TEST(incomplete_or_altered_folders_are_redone)
{
	char *out = path("out", NULL), *err = NULL, *p;

	ck_assert_int_eq(rt(NULL, NULL, "analyze", ev, "-o", out, NULL), 0);
	p = path("out/hosts/WS02", "unit.json");
	ck_assert_int_eq(unlink(p), 0);
	free(p);
	free(tu_write_file(out, "hosts/.WS03.tmp.12345/report.json", "{", 1));
	p = path("out/hosts/WS04", "timeline.csv");
	free(tu_write_file(dir, "out/hosts/WS04/timeline.csv", "forged\r\n", 8));
	free(p);
	/* merge refuses what is not as unit.json says */
	ck_assert_int_eq(rt(NULL, &err, "merge", out, NULL), 1);
	ck_assert_ptr_nonnull(strstr(err, "'WS02'"));
	free(err);
	ck_assert_int_eq(rt(NULL, &err, "analyze", ev, "-o", out, NULL), 0);
	ck_assert_ptr_nonnull(strstr(err, "(4 unchanged since the last run)"));
	free(err);
	p = path("out/hosts", ".WS03.tmp.12345");
	ck_assert_int_eq(exists(p), 0);
	free(p);
	ck_assert_int_eq(rt(NULL, &err, "merge", out, NULL), 0);
	free(err);
	free(out);
}
END_TEST

/* A changed input (size or content), other options, --force: redone. */
START_TEST(changes_are_noticed)
{
	char *out = path("out", NULL), *err = NULL, *p;
	FILE *f;

	ck_assert_int_eq(rt(NULL, NULL, "analyze", ev, "-o", out, NULL), 0);
	/* same size, other content: only the SHA-256 tells */
	p = path("case/WS01/C/Windows/System32/winevt/Logs", "System.evtx");
	f = fopen(p, "r+b");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, 60000, SEEK_SET), 0);
	ck_assert_int_eq(fputc('Z', f), 'Z');
	ck_assert_int_eq(fclose(f), 0);
	free(p);
	ck_assert_int_eq(rt(NULL, &err, "analyze", ev, "-o", out, NULL), 0);
	ck_assert_ptr_nonnull(strstr(err, "(5 unchanged since the last run)"));
	free(err);
	ck_assert_int_eq(rt(NULL, &err, "analyze", ev, "-o", out, "--mgmt", "10.0.0.0/24", NULL), 0);
	ck_assert_ptr_nonnull(strstr(err, "(0 unchanged since the last run)"));
	free(err);
	ck_assert_int_eq(rt(NULL, &err, "analyze", ev, "-o", out, "--mgmt", "10.0.0.0/24", "--force", NULL), 0);
	ck_assert_ptr_nonnull(strstr(err, "(0 unchanged since the last run)"));
	free(err);
	/* new evidence for a host (a log more: the manifest differs) and a
	 * host gone: the same case still, the others kept, the gone host's
	 * folder removed; the case as a fresh run of the evidence makes it */
	{
		char *from = path("case/WS03/C/Windows/System32/winevt/Logs", "System.evtx"),
		     *to = path("case/WS03/C/Windows/System32/winevt/Logs", "Copy-System.evtx"),
		     *con = path("case", "CON"), *gone = path("CON.gone", NULL),
		     *fresh = path("fresh", NULL), *t;
		size_t n;

		t = tu_read_file(from, &n);
		ck_assert_ptr_nonnull(t);
		free(tu_write_file(dir, "case/WS03/C/Windows/System32/winevt/Logs/Copy-System.evtx", t,
				   n));
		free(t);
		ck_assert_int_eq(rename(con, gone), 0);
		ck_assert_int_eq(rt(NULL, &err, "analyze", ev, "-o", out, "--mgmt", "10.0.0.0/24", NULL), 0);
		ck_assert_msg(strstr(err, "the evidence changed since the last run") &&
				      strstr(err, "(4 unchanged since the last run)") &&
				      strstr(err, "hosts/CO%4E': no longer in the evidence"),
			      "%s", err);
		free(err);
		ck_assert_int_eq(rt(NULL, NULL, "analyze", ev, "-o", fresh, "--mgmt", "10.0.0.0/24", NULL), 0);
		same_results(fresh, out);
		ck_assert_int_eq(rename(gone, con), 0);
		ck_assert_int_eq(unlink(to), 0);
		free(from);
		free(to);
		free(con);
		free(gone);
		free(fresh);
	}
	/* another case into the same folder is refused */
	ck_assert_int_eq(rt(NULL, &err, "analyze", ev, "--host", "WS01", "-o", out, NULL), 0);
	free(err);
	p = path("case", "WS01");
	ck_assert_int_eq(rt(NULL, &err, "analyze", p, "-o", out, NULL), 2);
	ck_assert_ptr_nonnull(strstr(err, "another case"));
	free(err);
	free(p);
	free(out);
}
END_TEST

/* ------------------------------------------------------- in containers */

static const char *tool(const char *env)
{
	const char *v = getenv(env);

	return v && *v && access(v, X_OK) == 0 ? v : NULL;
}

/*
 * The case with hosts in containers, as analysts get them: WS01 as a
 * ZIP (a Velociraptor or KAPE collection; with a comment, so that its
 * bytes can change and its size not), WS02 as a VHDX of an MBR disk
 * holding its NTFS volume, WS03 as such a VHDX inside a ZIP, WS04 as an
 * E01 in three segments, and a domain controller DC01 as a ZIP (the case's
 * management host, found in its SYSTEM hive); SRV01 and CON stay
 * folders; notes.zip holds nothing remtrail reads (an input of no host,
 * hashed all the same). WS01 and WS02 have a
 * transaction log beside their SYSTEM hive. Made with mkntfs,
 * tests/fixtures/mkntfstree, sfdisk, qemu-img, ewfacquire and python3 (the
 * script gets the case as $1, the tools as $2...$6). 0, or -1 when a tool
 * is missing (said).
 */
static int containers_case(void)
{
	static const char script[] =
	    "set -e; cd \"$1\"\n"
	    "zipdir() { ( cd \"$1\" && python3 -c 'import sys,zipfile,os\n"
	    "z=zipfile.ZipFile(sys.argv[1],\"w\",zipfile.ZIP_DEFLATED)\n"
	    "z.comment=b\"aaaa\"\n"
	    "for d,_,fs in sorted(os.walk(\".\")):\n"
	    " [z.write(os.path.join(d,f)) for f in sorted(fs)]' \"$2\" ); }\n"
	    "for h in WS01 WS02; do cp orphan/SYSTEM.LOG1 $h/C/Windows/System32/config/; done\n"
	    "zipdir WS01 \"$1/WS01.zip\" && rm -r WS01\n"
	    "zipdir DC01 \"$1/DC01.zip\" && rm -r DC01\n"
	    "mkdir notes && echo 'collected by hand' > notes/README.txt\n"
	    "zipdir notes \"$1/notes.zip\" && rm -r notes\n"
	    "for h in WS02 WS03 WS04; do\n"
	    "  truncate -s 16M $h.vol && \"$2\" -F -q -Q -s 512 -c 4096 -L $h $h.vol >/dev/null 2>&1\n"
	    "  \"$3\" $h.vol $h/C\n"
	    "  truncate -s 18M $h.raw\n"
	    "  printf 'label: dos\\nstart=2048, size=32768, type=7\\n' | \"$4\" -q $h.raw\n"
	    "  dd if=$h.vol of=$h.raw bs=1M seek=1 conv=notrunc status=none\n"
	    "  rm -r $h $h.vol\n"
	    "done\n"
	    "\"$5\" convert -O vhdx WS02.raw WS02.vhdx\n"
	    "\"$5\" convert -O vhdx WS03.raw WS03.vhdx\n"
	    "python3 -c 'import sys,zipfile\n"
	    "zipfile.ZipFile(sys.argv[1],\"w\",zipfile.ZIP_DEFLATED).write(\"WS03.vhdx\")' WS03.zip\n"
	    "\"$6\" -u -q -t WS04 -f encase6 -c none -S 8388608 WS04.raw >/dev/null\n"
	    "test -f WS04.E03 && rm WS02.raw WS03.raw WS04.raw WS03.vhdx\n";
	const char *need[] = { "RT_MKNTFS", "RT_MKNTFSTREE", "RT_SFDISK", "RT_QEMU_IMG",
			       "RT_EWFACQUIRE" };
	char *argv[] = { "/bin/sh", "-c", (char *)script, "sh", ev, NULL, NULL, NULL, NULL, NULL, NULL };
	char *err = NULL;
	size_t i;
	int r;
	sc_host *dc;

	for (i = 0; i < sizeof need / sizeof *need; i++)
		if (!tool(need[i])) {
			printf("skipped the case in containers: %s is not available (Debian: ntfs-3g, "
			       "fdisk, qemu-utils, ewf-tools)\n", need[i]);
			return -1;
		}
	for (i = 0; i < sizeof need / sizeof *need; i++)
		argv[5 + i] = (char *)tool(need[i]);
	/* a domain controller, in a ZIP too: every host is judged against it */
	dc = sc_new("DC01", "10.0.0.5", tw_time("2024-03-01T08:00:00Z"));
	sc_product_type(dc, "LanmanNT", tw_time("2024-03-01T08:00:00Z"));
	sc_interface(dc, SC_IFACE, "10.0.0.5", "255.255.255.0", 0, tw_time("2024-03-01T08:00:00Z"));
	ck_assert_int_eq(sc_write(dc, ev), 0);
	sc_free(&dc);
	r = tu_run(argv, NULL, &err);
	ck_assert_msg(r == 0, "building the case in containers: %s", err ? err : "");
	free(err);
	return 0;
}

/* Hosts in ZIPs and disk images: the manifest names what lies inside them
 * and shards re-open it there; merged, the whole case, byte for byte. A
 * second run keeps them (their containers hashed: same size, other bytes
 * is noticed); a container gone is named, exit 3, the rest analysed. */
START_TEST(containers_sharded_and_resumed)
{
	char *whole = path("whole", NULL), *man = path("case.manifest", NULL), *out = NULL,
	     *err = NULL, *s1 = path("s1", NULL), *s2 = path("s2", NULL), *m = path("merged", NULL),
	     *zip = path("case", "WS01.zip"), *gone = path("gone.zip", NULL), *o = path("o", NULL);
	FILE *f;

	if (containers_case())
		goto out;
	ck_assert_int_eq(rt(NULL, &err, "analyze", ev, "-o", whole, NULL), 0);
	ck_assert_ptr_nonnull(strstr(err, "7 hosts (0 unchanged"));
	free(err);
	ck_assert_int_eq(rt(&out, NULL, "hosts", ev, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"containers\":[{\"path\":"));
	ck_assert_ptr_nonnull(strstr(out, "\"entry\":\"C/Windows/System32/config/SYSTEM\""));
	ck_assert_ptr_nonnull(strstr(out, "\"scheme\":\"MBR\""));
	ck_assert_ptr_nonnull(strstr(out, "WS03.zip/WS03.vhdx/p1/Windows/System32/config/SYSTEM"));
	ck_assert_ptr_nonnull(strstr(out, "WS04.E03\",\"size\":"));
	/* a hive's log inside a container cites where it lies too */
	ck_assert_ptr_nonnull(strstr(out, "config/SYSTEM.LOG1\",\"size\":512,\"origin\":{"
				     "\"container\":"));
	/* each unit's part of the management hosts: shards need not read
	 * every host's hives again */
	ck_assert_ptr_nonnull(strstr(out, "\"host\":\"DC01\""));
	ck_assert_ptr_nonnull(strstr(out, "\"mgmt_ipv4\":\"10.0.0.5\""));
	free(tu_write_file(dir, "case.manifest", out, strlen(out)));
	/* a manifest that says a file lies elsewhere in its image than it does
	 * (another MFT entry): named, not read from there */
	{
		char *e = strstr(out, "\"mft_entry\":"), *bad = path("bad.manifest", NULL);

		ck_assert_ptr_nonnull(e);
		e += strlen("\"mft_entry\":");
		*e = *e == '9' ? '8' : '9';
		free(tu_write_file(dir, "bad.manifest", out, strlen(out)));
		ck_assert_int_eq(rt(NULL, &err, "analyze", "--manifest", bad, "-o", o, NULL), 3);
		ck_assert_ptr_nonnull(strstr(err, "changed since the manifest was made (its size or "
					     "where it lies"));
		ck_assert_msg(!strstr(err, "no byte source"), "%s", err);
		free(err);
		free(bad);
		tu_rmtree(o);
	}
	free(out);
	ck_assert_int_eq(rt(NULL, &err, "analyze", "--manifest", man, "--shard", "1/2", "-o", s1, NULL), 0);
	ck_assert_msg(!strstr(err, "error"), "%s", err);
	free(err);
	ck_assert_int_eq(rt(NULL, NULL, "analyze", "--manifest", man, "--shard", "2/2", "-o", s2, NULL), 0);
	ck_assert_msg(rt(NULL, &err, "merge", m, s1, s2, NULL) == 0, "%s", err);
	free(err);
	same_results(whole, m);
	/* the archive of no host has its SHA-256 in the merged case too: the
	 * manifest has none (it is written before anything is hashed) */
	{
		char *p = path("merged", "report.json"), *r = tu_read_file(p, NULL), *e;

		ck_assert_ptr_nonnull(r);
		e = strstr(r, "notes.zip\",");
		ck_assert_ptr_nonnull(e);
		e = strstr(e, "\"sha256\":");
		ck_assert_ptr_nonnull(e);
		ck_assert_msg(e[9] == '"' && strspn(e + 10, "0123456789abcdef") == 64, "%.80s", e);
		free(r);
		free(p);
	}
	/* ... unless it changed since the manifest: named, exit 3 */
	{
		char *nz = path("case", "notes.zip");
		struct stat st;

		ck_assert_int_eq(stat(nz, &st), 0);
		ck_assert_int_eq(truncate(nz, st.st_size + 1), 0);
		ck_assert_int_eq(rt(NULL, &err, "merge", m, s1, s2, NULL), 3);
		ck_assert_msg(strstr(err, "notes.zip: not hashed: ") && strstr(err, "bytes now"), "%s", err);
		free(err);
		ck_assert_int_eq(truncate(nz, st.st_size), 0);
		/* or became a FIFO: named, never opened (it would block) */
		{
			char *kept = path("notes.kept", NULL);

			ck_assert_int_eq(rename(nz, kept), 0);
			ck_assert_int_eq(mkfifo(nz, 0600), 0);
			ck_assert_int_eq(rt(NULL, &err, "merge", m, s1, s2, NULL), 3);
			ck_assert_msg(strstr(err, "notes.zip: not hashed: not a regular file"), "%s", err);
			free(err);
			ck_assert_int_eq(unlink(nz), 0);
			ck_assert_int_eq(rename(kept, nz), 0);
			free(kept);
		}
		free(nz);
	}
	{
		char *p = path("whole/hosts/WS02", "unit.json"), *u = tu_read_file(p, NULL);

		ck_assert_ptr_nonnull(strstr(u, "case_mgmt_hosts\\\":\\\"10.0.0.5"));
		free(u);
		free(p);
	}
	/* resumed: kept (in the whole case and in a shard), or redone */
	ck_assert_int_eq(rt(NULL, &err, "analyze", ev, "-o", whole, NULL), 0);
	ck_assert_ptr_nonnull(strstr(err, "(7 unchanged since the last run)"));
	free(err);
	ck_assert_int_eq(rt(NULL, &err, "analyze", "--manifest", man, "--shard", "1/2", "-o", s1, NULL), 0);
	ck_assert_ptr_nonnull(strstr(err, "unchanged); when"));
	ck_assert_ptr_null(strstr(err, "(0 unchanged)"));
	free(err);
	ck_assert_int_eq(rt(NULL, &err, "analyze", ev, "-o", whole, "--force", NULL), 0);
	ck_assert_ptr_nonnull(strstr(err, "(0 unchanged since the last run)"));
	free(err);
	/* the ZIP's comment changed: same size, other bytes */
	f = fopen(zip, "r+b");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, -4, SEEK_END), 0);
	ck_assert_int_ge(fputs("bbbb", f), 0);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(rt(NULL, &err, "analyze", ev, "-o", whole, NULL), 0);
	ck_assert_ptr_nonnull(strstr(err, "(6 unchanged since the last run)"));
	free(err);
	/* and so does a run from the manifest (the ZIP hashed by path) */
	ck_assert_int_eq(rt(NULL, &err, "analyze", "--manifest", man, "--host", "WS01", "--host",
			    "WS02", "-o", m, NULL), 0);
	ck_assert_ptr_nonnull(strstr(err, "2 of 7 hosts done"));
	ck_assert_ptr_nonnull(strstr(err, "(1 unchanged)"));
	free(err);
	/* a container gone: named, exit 3, the others analysed */
	ck_assert_int_eq(rename(zip, gone), 0);
	ck_assert_int_eq(rt(NULL, &err, "analyze", "--manifest", man, "-o", o, NULL), 3);
	ck_assert_ptr_nonnull(strstr(err, "WS01.zip: cannot open"));
	ck_assert_ptr_nonnull(strstr(err, "7 hosts"));
	/* named once, by the container: the readers add no line per file */
	ck_assert_msg(!strstr(err, "no byte source") && !strstr(err, "no such file (a manifest"),
		      "%s", err);
	free(err);
	ck_assert_int_eq(rename(gone, zip), 0);
out:
	free(whole);
	free(man);
	free(s1);
	free(s2);
	free(m);
	free(zip);
	free(gone);
	free(o);
}
END_TEST

/* ------------------------------------------------------------------ CLI */

START_TEST(usage_and_help)
{
	char *out = NULL, *err = NULL, *o = path("o", NULL), *man = path("case.manifest", NULL);

	ck_assert_int_eq(rt(&out, NULL, "hosts", "--help", NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "--shard"));
	free(out);
	ck_assert_int_eq(rt(&out, NULL, "merge", "--help", NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "remtrail merge OUT [DIR...]"));
	free(out);
	ck_assert_int_eq(rt(&out, NULL, "analyze", "--help", NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "--manifest FILE"));
	ck_assert_ptr_nonnull(strstr(out, "--shard I/N"));
	free(out);
	ck_assert_int_eq(rt(&out, NULL, "--help", NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "hosts"));
	ck_assert_ptr_nonnull(strstr(out, "merge"));
	free(out);
	ck_assert_int_eq(rt(NULL, &err, "analyze", ev, "--shard", "3/2", "-o", o, NULL), 2);
	ck_assert_ptr_nonnull(strstr(err, "1 <= I <= N"));
	free(err);
	ck_assert_int_eq(rt(NULL, &err, "analyze", ev, "--host", "NOPE", "-o", o, NULL), 2);
	ck_assert_ptr_nonnull(strstr(err, "no host 'NOPE'"));
	free(err);
	ck_assert_int_eq(rt(NULL, &err, "analyze", ev, "--manifest", man, "-o", o, NULL), 2);
	free(err);
	free(tu_write_file(dir, "case.manifest", "garbage\n", 8));
	ck_assert_int_eq(rt(NULL, &err, "analyze", "--manifest", man, "-o", o, NULL), 1);
	ck_assert_ptr_nonnull(strstr(err, "line 1"));
	free(err);
	ck_assert_int_eq(rt(NULL, &err, "merge", NULL), 2);
	free(err);
	ck_assert_int_eq(rt(&out, &err, "hosts", ev, "--format", "text", NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "CO%4E"));
	ck_assert_ptr_nonnull(strstr(out, "not analysed"));
	free(out);
	free(err);
	free(o);
	free(man);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("scale");
	TCase *tc = tcase_create("units");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, manifest_round_trip);
	tcase_add_test(tc, shards_partition_the_units);
	tcase_add_test(tc, shards_merged_equal_the_whole_case);
	tcase_add_test(tc, relative_manifest_runs_anywhere);
	tcase_add_test(tc, any_jobs_give_the_same_result);
	tcase_add_test(tc, shards_started_at_once_share_a_new_folder);
	tcase_add_test(tc, killed_run_resumes_to_the_same_result);
	tcase_add_test(tc, incomplete_or_altered_folders_are_redone);
	tcase_add_test(tc, changes_are_noticed);
	tcase_add_test(tc, containers_sharded_and_resumed);
	tcase_add_test(tc, usage_and_help);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
