/*
 * Hostile evidence and hostile surroundings, end to end: each case runs the
 * remtrail binary (or a library entry point) on evidence built here and
 * damaged on purpose, or with its output steered where it must not go, and
 * checks that the loss is named, the exit status says so, and nothing is
 * written to the evidence. (issue 11; docs/robustness.md)
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "evtx_writer.h"
#include "hive_writer.h"
#include "remtrail/report.h"
#include "remtrail/util.h"
#include "scenario.h"
#include "testutil.h"

/* ------------------------------------------------------------ running */

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

enum out_mode { OUT_CAPTURE, OUT_FULL, OUT_CLOSED };

typedef struct run_result {
	int status;  /* exit status, or -1 when killed by a signal */
	int signal;  /* the signal, when killed */
	char *out;   /* stdout (OUT_CAPTURE), else "" */
	char *err;   /* stderr */
} run_result;

static char *slurp(int fd)
{
	rt_buf b = RT_BUF_INIT;
	char tmp[65536];
	ssize_t r;

	for (;;) {
		r = read(fd, tmp, sizeof tmp);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		ck_assert_int_eq(rt_buf_add(&b, tmp, (size_t)r), 0);
	}
	return rt_buf_detach(&b, NULL);
}

/*
 * Run remtrail with `args` (NULL-terminated, without the program) under a
 * CPU-time limit of `cpu_s` seconds and, outside ASan (which reserves
 * terabytes of address space), an address-space limit of `as_mib`; under
 * ASan an allocation larger than `as_mib` aborts instead, and allocations
 * are traced with the slow unwinder: libevtx has no frame pointers, and
 * only a full stack names the libevtx frames tests/lsan.supp suppresses. stdout is
 * captured, or /dev/full, or closed.
 */
static void run(run_result *res, enum out_mode mode, unsigned cpu_s, unsigned as_mib,
		const char *const *args)
{
	char path_out[] = "/tmp/remtrail-hostile-XXXXXX";
	const char *argv[32];
	int fo, pe[2], st;
	size_t n = 0;
	pid_t pid;

	argv[n++] = tu_remtrail();
	while (*args && n < 31)
		argv[n++] = *args++;
	argv[n] = NULL;
	fo = mkstemp(path_out);
	ck_assert_int_ge(fo, 0);
	unlink(path_out);
	ck_assert_int_eq(pipe(pe), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct rlimit cpu = { cpu_s, cpu_s };
		char opts[256];

		setrlimit(RLIMIT_CPU, &cpu);
		if (UNDER_ASAN) {
			snprintf(opts, sizeof opts,
				 "detect_leaks=1:max_allocation_size_mb=%u:allocator_may_return_null=0:"
				 "fast_unwind_on_malloc=0",
				 as_mib);
			setenv("ASAN_OPTIONS", opts, 1);
		} else {
			struct rlimit as = { (rlim_t)as_mib << 20, (rlim_t)as_mib << 20 };

			setrlimit(RLIMIT_AS, &as);
		}
		if (mode == OUT_CAPTURE) {
			dup2(fo, 1);
		} else if (mode == OUT_FULL) {
			int f = open("/dev/full", O_WRONLY);

			if (f < 0)
				_exit(126);
			dup2(f, 1);
			close(f);
		} else {
			close(1);
		}
		dup2(pe[1], 2);
		close(pe[0]);
		close(pe[1]);
		close(fo);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(pe[1]);
	res->err = slurp(pe[0]);
	close(pe[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	lseek(fo, 0, SEEK_SET);
	res->out = slurp(fo);
	close(fo);
	res->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	res->signal = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
}

static void run_free(run_result *r)
{
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof *r);
}

static char *path2(const char *a, const char *b)
{
	rt_buf p = RT_BUF_INIT;

	ck_assert_int_eq(rt_buf_addf(&p, "%s/%s", a, b), 0);
	return rt_buf_detach(&p, NULL);
}

static int exists(const char *a, const char *b)
{
	char *p = path2(a, b);
	struct stat st;
	int r = lstat(p, &st) == 0;

	free(p);
	return r;
}

/* A small collection: WS01 with a SYSTEM hive and a Security log. */
static char *sample(const char *dir)
{
	sc_host *h = sc_new("WS01", "10.0.0.21", tw_time("2024-01-01T00:00:00Z"));

	sc_service_start(h, "WinRM", 2, tw_time("2024-02-01T00:00:00Z"));
	sc_ev_winrm_session(h, tw_time("2024-03-12T09:20:00Z"), "10.0.5.77", "helpdesk");
	ck_assert_int_eq(sc_write(h, dir), 0);
	sc_free(&h);
	return path2(dir, "WS01");
}

/* ------------------------------- 1. libevtx never sees what it misreads */

/*
 * A Security log of `n` logons from HOSTILE-PC (several chunks when n is
 * large) written to dir/name (folders made), with `dmg` applied to records
 * first..last (none when first is 0). Returns the path.
 */
static char *logons(const char *dir, const char *name, unsigned n, enum tw_damage_kind dmg,
		    unsigned first, unsigned last)
{
	static const tw_field f[] = {
		{ "TargetUserName", "alice", 0 },     { "TargetDomainName", "CORP", 0 },
		{ "LogonType", "3", TW_UINT32 },      { "IpAddress", "10.0.5.77", 0 },
		{ "LogonProcessName", "NtLmSsp", 0 }, { "TargetLogonId", "0x3e7", TW_HEX64 },
	};
	tw_writer *w = tw_new(TW_TEMPLATES);
	char *p = tu_write_file(dir, name, "", 0);
	tw_event e;
	unsigned i;

	for (i = 0; i < n; i++) {
		memset(&e, 0, sizeof e);
		e.time = tw_time("2024-03-12T09:20:00Z") + (uint64_t)i * 10000000u;
		e.channel = "Security";
		e.provider = "Microsoft-Windows-Security-Auditing";
		e.provider_guid = "{54849625-5478-4994-A5BA-3E3B0328C30D}";
		e.computer = "HOSTILE-PC.corp.example";
		e.event_id = 4624;
		e.keywords = 0x8020000000000000ull;
		e.pid = 620;
		e.tid = 700 + i;
		e.fields = f;
		e.nfields = sizeof f / sizeof f[0];
		ck_assert_uint_ne(tw_add(w, &e), 0);
	}
	for (i = first; i && i <= last; i++)
		ck_assert_int_eq(tw_damage(w, dmg, i), 0);
	ck_assert_int_eq(tw_write(w, p), 0);
	tw_free(&w);
	return p;
}

/* A collection root dir/HOSTILE holding the logons of `n` records as its
 * Security log, the first declaring 2^30 + 18 values. */
static char *hostile_log(const char *dir, unsigned n)
{
	char *root = path2(dir, "HOSTILE");

	free(logons(root, "C/Windows/System32/winevt/Logs/Security.evtx", n,
		    TW_DAMAGE_VALUE_COUNT, 1, 1));
	return root;
}

/* A SOFTWARE hive beside the log, so that config has something to read
 * and names the host from the log. */
static void add_software(const char *root)
{
	hw_hive *h = hw_new();
	char *p = path2(root, "C/Windows/System32/config/SOFTWARE");

	hw_set_file_name(h, "SOFTWARE");
	hw_sz(h, "Microsoft\\Ole", "EnableDCOM", "Y");
	hw_key(h, "Classes", 0);
	free(tu_write_file(root, "C/Windows/System32/config/SOFTWARE", "", 0));
	ck_assert_int_eq(hw_write(h, p), 0);
	hw_free(h);
	free(p);
}

/*
 * A template instance declaring 2^30 values made libevtx 20181227 ask for
 * 8 GiB and read out of bounds (14.5 GB and 40 s on a 68 KiB log). The
 * host-name probe that every command runs handed such a log to libevtx
 * unguarded. Every command, with each reader, now finishes in bounded
 * time and memory, names the host from the readable chunks and, when it
 * reads events, says what it skipped (exit 3). Under ASan an allocation
 * over the limit aborts, so a libevtx call on the bad chunk fails the test
 * there; elsewhere the address-space limit keeps the machine safe.
 */
static const struct {
	const char *args[5];
	int status;     /* expected exit status */
	int says;       /* stderr names the chunk libevtx would misread */
	int names;      /* stdout names the host */
} hazard_cmds[] = {
	{ { "events", NULL }, 3, 1, 1 },
	{ { "events", "--reader", "libevtx", NULL }, 3, 1, 1 },
	{ { "events", "--recovered", NULL }, 3, 1, 1 },
	{ { "events", "--reader", "native", NULL }, 3, 1, 1 },
	{ { "timeline", NULL }, 3, 1, 0 },
	{ { "assess", NULL }, 3, 1, 1 },
	{ { "config", NULL }, 3, 1, 1 }, /* config reads the logs' change points too */
	{ { "analyze", NULL }, 3, 1, 0 },
	{ { "hosts", NULL }, 0, 0, 1 },
};

START_TEST(libevtx_hazard_every_command)
{
	char *dir = tu_tmpdir(), *root = hostile_log(dir, 400);
	char *out = path2(dir, "out");
	const char *args[12];
	size_t n = 0, k;
	run_result r;

	add_software(root);
	for (k = 0; hazard_cmds[_i].args[k]; k++)
		args[n++] = hazard_cmds[_i].args[k];
	args[n++] = root;
	if (!strcmp(args[0], "analyze")) {
		args[n++] = "-o";
		args[n++] = out;
	}
	args[n] = NULL;
	run(&r, OUT_CAPTURE, 30, 1024, args);
	ck_assert_msg(r.signal == 0 && r.status == hazard_cmds[_i].status,
		      "%s %s: exit %d signal %d, stderr: %.2000s", args[0], args[1], r.status, r.signal,
		      r.err);
	if (hazard_cmds[_i].says)
		ck_assert_msg(strstr(r.err, "declares 1073741842 values"), "%s: stderr: %s", args[0],
			      r.err);
	if (hazard_cmds[_i].names)
		ck_assert_msg(strstr(r.out, "HOSTILE-PC"), "%s %s: host not named from the log: %.500s",
			      args[0], args[1], r.out);
	run_free(&r);
	free(out);
	free(root);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* --------------------------------------------- 2. no record lost unsaid */

/*
 * Records the reader could not step over were dropped without a word and
 * exit 0 (six records of size 0xfffffff0 read as "no records"). What was
 * read is now compared with the record ids the chunk headers announce:
 * the loss is named, and the exit status says the results are incomplete.
 */
static const struct {
	const char *reader[3];
	unsigned n, first, last;  /* records; the broken ones */
	int status;
	const char *says;
} loss_cases[] = {
	{ { "--reader", "libevtx", NULL }, 6, 1, 6, 1, "6 of 6 records" },
	{ { "--recovered", NULL }, 6, 1, 6, 1, "6 of 6 records" },
	{ { "--reader", "libevtx", NULL }, 10, 3, 4, 3, "8 of 10 records" },
	{ { "--recovered", NULL }, 10, 3, 4, 3, "2 of 10 records" },
	{ { "--reader", "auto", NULL }, 10, 3, 4, 3, "8 of 10 records" },
	{ { "--reader", "libevtx", NULL }, 10, 0, 0, 0, NULL },
	{ { "--recovered", NULL }, 10, 0, 0, 0, NULL },
};

START_TEST(lost_records_are_named)
{
	char *dir = tu_tmpdir();
	char *log = logons(dir, "sizes.evtx", loss_cases[_i].n, TW_DAMAGE_RECORD_SIZE,
			   loss_cases[_i].first, loss_cases[_i].last);
	const char *args[8];
	size_t n = 0, k;
	run_result r;

	args[n++] = "events";
	for (k = 0; loss_cases[_i].reader[k]; k++)
		args[n++] = loss_cases[_i].reader[k];
	args[n++] = log;
	args[n] = NULL;
	run(&r, OUT_CAPTURE, 60, 2048, args);
	ck_assert_msg(r.status == loss_cases[_i].status, "%s: exit %d, stderr: %s", args[1],
		      r.status, r.err);
	if (loss_cases[_i].says)
		ck_assert_msg(strstr(r.err, loss_cases[_i].says) &&
				      strstr(r.err, "announce"),
			      "%s: stderr: %s", args[1], r.err);
	else
		ck_assert_msg(!strstr(r.err, "announce"), "%s: stderr: %s", args[1], r.err);
	run_free(&r);
	free(log);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* ------------------------------------------- 8. libevtx's own leaks */

/*
 * libevtx 20181227 leaks on two error paths of its own: a file it refuses
 * to open (the chunk lists of libevtx_file_open_read) and a record whose
 * binary XML it cannot parse (the element being read). Under ASan those
 * leaks made LeakSanitizer fail every run that met such a file (exit 23);
 * tests/lsan.supp suppresses exactly those two frames. The damage is made
 * with the checksums right, so that it reaches libevtx.
 */
static void seal_chunk(uint8_t *c)
{
	uint32_t free_off = rt_le32(c + 48), crc;

	ck_assert_uint_le(free_off, 65536);
	crc = rt_crc32(0, c + 512, free_off - 512);
	memcpy(c + 52, (uint8_t[4]){ (uint8_t)crc, (uint8_t)(crc >> 8), (uint8_t)(crc >> 16),
				     (uint8_t)(crc >> 24) }, 4);
	crc = rt_crc32(rt_crc32(0, c, 120), c + 128, 384);
	memcpy(c + 124, (uint8_t[4]){ (uint8_t)crc, (uint8_t)(crc >> 8), (uint8_t)(crc >> 16),
				      (uint8_t)(crc >> 24) }, 4);
}

enum leak_damage { LEAK_CHUNK_HEADER_SIZE, LEAK_ELEMENT_NAME };

static const struct {
	enum leak_damage dmg;
	const char *args[4];
	int status;
	const char *says;
} leak_cases[] = {
	{ LEAK_CHUNK_HEADER_SIZE, { "events", "--reader", "libevtx", NULL }, 1, "header size" },
	{ LEAK_CHUNK_HEADER_SIZE, { "events", "--recovered", NULL }, 1, "header size" },
	{ LEAK_ELEMENT_NAME, { "events", "--reader", "libevtx", NULL }, 1, "3 of 3 records" },
	{ LEAK_ELEMENT_NAME, { "timeline", NULL }, 3, "3 of 3 records" },
};

START_TEST(libevtx_own_leaks_are_not_ours)
{
	char *dir = tu_tmpdir(), *log = logons(dir, "leak.evtx", 3, TW_DAMAGE_DIRTY, 0, 0);
	const char *args[8];
	size_t n = 0, k, len;
	uint8_t *img = (uint8_t *)tu_read_file(log, &len), *c, *rec;
	run_result r;
	FILE *f;

	ck_assert_ptr_nonnull(img);
	ck_assert_uint_ge(len, 4096 + 65536);
	c = img + 4096;
	rec = c + 512;
	if (leak_cases[_i].dmg == LEAK_CHUNK_HEADER_SIZE) {
		c[40] = 24;
	} else {
		/* the first record: fragment, template instance with its
		 * definition inline, whose root element's name (an offset
		 * in the chunk) gets a character count of 0x4105 */
		uint32_t name;

		ck_assert_msg(rec[24] == 0x0f && rec[28] == 0x0c && rt_le32(rec + 34) == 512 + 38 &&
				      (rec[66] & 0xbf) == 0x01,
			      "unexpected layout of the first record");
		name = rt_le32(rec + 73);
		ck_assert_uint_lt(name + 8, 65536);
		c[name + 7] = 0x41;
	}
	seal_chunk(c);
	f = fopen(log, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(img, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
	for (k = 0; leak_cases[_i].args[k]; k++)
		args[n++] = leak_cases[_i].args[k];
	args[n++] = log;
	args[n] = NULL;
	run(&r, OUT_CAPTURE, 60, 1024, args);
	ck_assert_msg(r.signal == 0 && r.status == leak_cases[_i].status && !strstr(r.err, "Sanitizer"),
		      "%s %s: exit %d signal %d, stderr: %.3000s", args[0], args[1], r.status,
		      r.signal, r.err);
	ck_assert_msg(strstr(r.err, leak_cases[_i].says), "%s: stderr: %s", args[1], r.err);
	run_free(&r);
	free(img);
	free(log);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* -------------------------------- 3. damage that must not look like calm */

#define CCS "ControlSet001"
#define FWP CCS "\\Services\\SharedAccess\\Parameters\\FirewallPolicy"

/*
 * A SYSTEM hive of WS03 with the keys every SYSTEM hive has: WinRM
 * disabled, the firewall on and blocking inbound on every profile.
 */
static hw_hive *system_hive(void)
{
	static const char *const prof[] = { "DomainProfile", "StandardProfile", "PublicProfile" };
	hw_hive *h = hw_new();
	char path[200];
	int i;

	hw_set_file_name(h, "SYSTEM");
	hw_set_time(h, tw_time("2024-03-01T08:00:00Z"));
	hw_system_skeleton(h);
	hw_sz(h, CCS "\\Control\\ComputerName\\ComputerName", "ComputerName", "WS03");
	hw_dword(h, CCS "\\Services\\MpsSvc", "Start", 2);
	hw_dword(h, CCS "\\Services\\Tcpip\\Parameters", "EnableDHCP", 1);
	hw_dword(h, CCS "\\Services\\WinRM", "Start", 4);
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof path, FWP "\\%s", prof[i]);
		hw_dword(h, path, "EnableFirewall", 1);
		hw_dword(h, path, "DefaultInboundAction", 1);
	}
	return h;
}

enum sys_damage { SYS_SOUND, SYS_KEYS_GONE, SYS_ROOT_CYCLE, SYS_DEEP_CYCLE };

/* dir/WS03/C/Windows/System32/config/SYSTEM with `dmg`; the root. */
static char *system_collection(const char *dir, enum sys_damage dmg)
{
	hw_hive *h = system_hive();
	char *root = path2(dir, "WS03");
	char *p = tu_write_file(root, "C/Windows/System32/config/SYSTEM", "", 0);

	if (dmg == SYS_KEYS_GONE) {
		ck_assert_int_eq(hw_delete_key(h, CCS "\\Services\\WinRM"), 0);
		ck_assert_int_eq(hw_delete_key(h, CCS "\\Services\\SharedAccess"), 0);
	} else if (dmg == SYS_ROOT_CYCLE) {
		ck_assert_int_eq(hw_redirect_subkey(h, "", ""), 0);
	} else if (dmg == SYS_DEEP_CYCLE) {
		ck_assert_int_eq(hw_redirect_subkey(h, CCS "\\Services", CCS), 0);
	}
	ck_assert_int_eq(hw_write(h, p), 0);
	hw_free(h);
	free(p);
	return root;
}

/* The state of countermeasure `cm` in assess's JSON. */
static char *cm_state(const char *json, const char *cm)
{
	char key[64];
	const char *p, *s;

	snprintf(key, sizeof key, "\"id\":\"%s\"", cm);
	p = strstr(json, key);
	ck_assert_msg(p != NULL, "no %s in %s", cm, json);
	s = strstr(p, "\"state\":\"");
	ck_assert_ptr_nonnull(s);
	s += 9;
	return strndup(s, strcspn(s, "\""));
}

/*
 * A SYSTEM hive with a subkey cycle, or without the SharedAccess and WinRM
 * keys, gave "CM0019 in_effect" with no cited evidence, 1601 dates and
 * exit 0: absent values were taken for Windows defaults. Such a hive is now
 * named on stderr and in the report (exit 3), and what it does not show is
 * unknown. A value it does show is still used, with its key cited.
 */
static const struct {
	enum sys_damage dmg;
	int status;
	const char *says;     /* on stderr */
	const char *cm0019, *cm0013;
} sys_cases[] = {
	{ SYS_SOUND, 0, NULL, "in_effect", "in_effect" },
	{ SYS_KEYS_GONE, 3, "Services\\WinRM", "unknown", "unknown" },
	{ SYS_ROOT_CYCLE, 3, "cycle", "unknown", "unknown" },
	{ SYS_DEEP_CYCLE, 3, "cycle", "in_effect", "unknown" },
};

START_TEST(damaged_system_hive_is_not_calm)
{
	char *dir = tu_tmpdir(), *root = system_collection(dir, sys_cases[_i].dmg);
	char *out = path2(dir, "out"), *json, *s;
	const char *args[6];
	run_result r;

	args[0] = "assess";
	args[1] = root;
	args[2] = NULL;
	run(&r, OUT_CAPTURE, 60, 2048, args);
	ck_assert_msg(r.status == sys_cases[_i].status, "case %d: exit %d: %s", _i, r.status,
		      r.err);
	if (sys_cases[_i].says)
		ck_assert_msg(strstr(r.err, sys_cases[_i].says) && strstr(r.err, "SYSTEM"),
			      "case %d: stderr: %s", _i, r.err);
	else
		ck_assert_msg(!strstr(r.err, "damaged"), "case %d: stderr: %s", _i, r.err);
	s = cm_state(r.out, "CM0019");
	ck_assert_msg(!strcmp(s, sys_cases[_i].cm0019), "case %d: CM0019 %s", _i, s);
	free(s);
	s = cm_state(r.out, "CM0013");
	ck_assert_msg(!strcmp(s, sys_cases[_i].cm0013), "case %d: CM0013 %s", _i, s);
	free(s);
	ck_assert_msg(!strstr(r.out, "1601-"), "case %d: %s", _i, r.out);
	run_free(&r);

	args[1] = "--format";
	args[2] = "text";
	args[3] = root;
	args[4] = NULL;
	run(&r, OUT_CAPTURE, 60, 2048, args);
	ck_assert_msg(!strstr(r.out, "1601-"), "case %d: %s", _i, r.out);
	run_free(&r);

	args[0] = "analyze";
	args[1] = root;
	args[2] = "-o";
	args[3] = out;
	args[4] = NULL;
	run(&r, OUT_CAPTURE, 60, 2048, args);
	ck_assert_int_eq(r.status, sys_cases[_i].status);
	json = path2(out, "report.json");
	s = tu_read_file(json, NULL);
	ck_assert_ptr_nonnull(s);
	ck_assert_msg(!sys_cases[_i].says == !strstr(s, "damaged"), "case %d: report.json", _i);
	free(s);
	free(json);
	run_free(&r);

	args[0] = "config";
	args[1] = "--format";
	args[2] = "json";
	args[3] = root;
	args[4] = NULL;
	run(&r, OUT_CAPTURE, 60, 2048, args);
	if (sys_cases[_i].says)
		ck_assert_msg(!strstr(r.out, "\"certainty\":\"default\""),
			      "case %d: Windows defaults from a damaged hive: %s", _i, r.out);
	run_free(&r);
	free(out);
	free(root);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* ------------------------------------------------- 4. write errors */

/*
 * Output that cannot be written is an error (exit 1, said on stderr),
 * whatever the command and however stdout is broken: a full disk
 * (/dev/full) or a closed descriptor.
 */
static const char *const write_cmds[][4] = {
	{ "assess", NULL },
	{ "assess", "--format", "text", NULL },
	{ "config", NULL },
	{ "config", "--format", "json", NULL },
	{ "events", NULL },
	{ "timeline", NULL },
	{ "timeline", "--format", "csv", NULL },
	{ "--help", NULL },
	{ "assess", "--help", NULL },
	{ "--version", NULL },
};

START_TEST(write_errors_exit_1)
{
	char *dir = tu_tmpdir(), *ev = sample(dir);
	int mode;

	for (mode = OUT_FULL; mode <= OUT_CLOSED; mode++) {
		const char *args[8];
		size_t n = 0, k;
		run_result r;

		for (k = 0; write_cmds[_i][k]; k++)
			args[n++] = write_cmds[_i][k];
		if (strcmp(args[0], "--help") && strcmp(args[0], "--version") &&
		    !(n > 1 && !strcmp(args[1], "--help")))
			args[n++] = ev;
		args[n] = NULL;
		run(&r, mode, 60, 2048, args);
		ck_assert_msg(r.status == 1, "%s %s (%s): exit %d, stderr: %s", args[0],
			      n > 1 ? args[1] : "", mode == OUT_FULL ? "/dev/full" : "closed stdout",
			      r.status, r.err);
		ck_assert_msg(strstr(r.err, "cannot write"), "%s: stderr: %s", args[0], r.err);
		run_free(&r);
	}
	free(ev);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* A chunk's events past 32 KiB go to stdout in one write(2), not through
 * stdio (cli_write): a full disk or a closed stdout is an error there too,
 * and captured, the output is every event once, in order. */
START_TEST(big_pieces_write_errors_exit_1)
{
	char *dir = tu_tmpdir(), ev[4096];
	sc_host *h = sc_new("SRV01", "10.0.0.10", tw_time("2024-03-01T08:00:00Z"));
	uint64_t t0 = tw_time("2024-03-12T09:00:00Z");
	const char *args[] = { "events", ev, NULL };
	run_result r;
	size_t i, lines = 0;
	int mode;
	char *p;

	snprintf(ev, sizeof ev, "%s/ev", dir);
	for (i = 0; i < 400; i++)
		sc_ev_logon(h, t0 + i * 10000000ULL, "198.51.100.7", "svc_backup");
	ck_assert_int_eq(sc_write(h, ev), 0);
	sc_free(&h);
	run(&r, OUT_CAPTURE, 60, 2048, args);
	ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
	ck_assert_uint_gt(strlen(r.out), 64u * 1024u);
	for (p = r.out; (p = strchr(p, '\n')); p++)
		lines++;
	ck_assert_uint_ge(lines, 400);
	run_free(&r);
	for (mode = OUT_FULL; mode <= OUT_CLOSED; mode++) {
		run(&r, mode, 60, 2048, args);
		ck_assert_msg(r.status == 1, "%s: exit %d, stderr: %s",
			      mode == OUT_FULL ? "/dev/full" : "closed stdout", r.status, r.err);
		ck_assert_msg(strstr(r.err, "cannot write"), "stderr: %s", r.err);
		run_free(&r);
	}
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* analyze writes its folder, not stdout: a closed stdout does not stop it,
 * and nothing of stdout lands in the report files. */
START_TEST(analyze_with_closed_stdout)
{
	char *dir = tu_tmpdir(), *ev = sample(dir), *out = path2(dir, "out");
	const char *args[] = { "analyze", ev, "-o", out, NULL };
	run_result r;

	run(&r, OUT_CLOSED, 60, 2048, args);
	ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
	ck_assert(exists(out, "report.json"));
	run_free(&r);
	free(out);
	free(ev);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* ------------------------------------------ 5. -o into the evidence */

static void refused(const char *out, const char *const *inputs, size_t n, const char *why)
{
	char err[512];

	err[0] = '\0';
	ck_assert_msg(rt_outdir_prepare(out, 1, inputs, n, err, sizeof err) == -1,
		      "'%s' was accepted", out);
	ck_assert_msg(strstr(err, why), "'%s': %s", out, err);
}

START_TEST(outdir_never_in_the_evidence)
{
	char *dir = tu_tmpdir(), *ev, *file, *other, *p, *link, *dang, *evlink;
	const char *in[1];
	char err[512];
	rt_buf b = RT_BUF_INIT;

	file = tu_write_file(dir, "ev/Security.evtx", "ElfFile", 8);
	ev = path2(dir, "ev");
	other = path2(dir, "other");
	ck_assert_int_eq(mkdir(other, 0755), 0);
	in[0] = ev;

	/* a not-yet-existing tail with ".." climbing back into the evidence */
	rt_buf_addf(&b, "%s/nonexist/../../ev/out", other);
	refused(b.buf, in, 1, "inside the evidence");
	ck_assert(!exists(other, "nonexist"));
	ck_assert(!exists(ev, "out"));
	rt_buf_reset(&b);
	rt_buf_addf(&b, "%s/a/b/../../../ev", other);
	refused(b.buf, in, 1, "inside the evidence");
	ck_assert(!exists(other, "a"));

	/* one evidence file named: its folder is evidence too */
	in[0] = file;
	refused(ev, in, 1, "evidence file");
	rt_buf_reset(&b);
	rt_buf_addf(&b, "%s/./", ev);
	refused(b.buf, in, 1, "evidence file");
	rt_buf_reset(&b);
	rt_buf_addf(&b, "%s/x/..", ev);
	refused(b.buf, in, 1, "evidence file");
	ck_assert(!exists(ev, "x"));

	/* through links: a link to the evidence, evidence named through a link,
	 * a dangling link whose target would be made inside the evidence */
	in[0] = ev;
	link = path2(dir, "link");
	ck_assert_int_eq(symlink(ev, link), 0);
	rt_buf_reset(&b);
	rt_buf_addf(&b, "%s/out", link);
	refused(b.buf, in, 1, "inside the evidence");
	evlink = path2(dir, "evlink");
	ck_assert_int_eq(symlink(ev, evlink), 0);
	in[0] = evlink;
	rt_buf_reset(&b);
	rt_buf_addf(&b, "%s/out", ev);
	refused(b.buf, in, 1, "inside the evidence");
	in[0] = ev;
	dang = path2(dir, "dangling");
	p = path2(ev, "made-by-us");
	ck_assert_int_eq(symlink(p, dang), 0);
	rt_buf_reset(&b);
	rt_buf_addf(&b, "%s/out", dang);
	refused(b.buf, in, 1, "symbolic link");
	ck_assert(!exists(ev, "made-by-us"));

	/* what is fine stays fine: a sibling of the evidence, a ".." that
	 * stays outside it */
	rt_buf_reset(&b);
	rt_buf_addf(&b, "%s/n1/../out2", other);
	ck_assert_msg(rt_outdir_prepare(b.buf, 0, in, 1, err, sizeof err) == 0, "%s", err);
	ck_assert(exists(other, "out2"));
	in[0] = file;
	rt_buf_reset(&b);
	rt_buf_addf(&b, "%s/report", dir);
	ck_assert_msg(rt_outdir_prepare(b.buf, 0, in, 1, err, sizeof err) == 0, "%s", err);

	rt_buf_release(&b);
	free(p);
	free(dang);
	free(evlink);
	free(link);
	free(other);
	free(file);
	free(ev);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* The command says why and writes nothing. */
START_TEST(analyze_refuses_output_beside_evidence)
{
	char *dir = tu_tmpdir(), *ev = sample(dir), *logs, *sec, *before, *after;
	const char *args[6];
	run_result r;

	logs = path2(ev, "C/Windows/System32/winevt/Logs");
	sec = path2(logs, "Security.evtx");
	before = tu_read_file(sec, NULL);
	args[0] = "analyze";
	args[1] = sec;
	args[2] = "-o";
	args[3] = logs;
	args[4] = "--force";
	args[5] = NULL;
	run(&r, OUT_CAPTURE, 60, 2048, args);
	ck_assert_msg(r.status == 2, "exit %d: %s", r.status, r.err);
	ck_assert_ptr_nonnull(strstr(r.err, "evidence"));
	ck_assert(!exists(logs, "report.json"));
	after = tu_read_file(sec, NULL);
	ck_assert_str_eq(before, after);
	run_free(&r);
	free(before);
	free(after);
	free(sec);
	free(logs);
	free(ev);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* ---------------------------------------------------------------- main */

static Suite *suite(void)
{
	Suite *s = suite_create("hostile");
	TCase *out = tcase_create("output"), *evtx = tcase_create("evtx");
	TCase *hive = tcase_create("hive");

	tcase_set_timeout(evtx, 300);
	tcase_add_loop_test(evtx, libevtx_hazard_every_command, 0,
			    (int)(sizeof hazard_cmds / sizeof hazard_cmds[0]));
	tcase_add_loop_test(evtx, lost_records_are_named, 0,
			    (int)(sizeof loss_cases / sizeof loss_cases[0]));
	tcase_add_loop_test(evtx, libevtx_own_leaks_are_not_ours, 0,
			    (int)(sizeof leak_cases / sizeof leak_cases[0]));
	suite_add_tcase(s, evtx);
	tcase_set_timeout(hive, 300);
	tcase_add_loop_test(hive, damaged_system_hive_is_not_calm, 0,
			    (int)(sizeof sys_cases / sizeof sys_cases[0]));
	suite_add_tcase(s, hive);

	tcase_set_timeout(out, 300);
	tcase_add_loop_test(out, write_errors_exit_1, 0,
			    (int)(sizeof write_cmds / sizeof write_cmds[0]));
	tcase_add_test(out, big_pieces_write_errors_exit_1);
	tcase_add_test(out, analyze_with_closed_stdout);
	tcase_add_test(out, outdir_never_in_the_evidence);
	tcase_add_test(out, analyze_refuses_output_beside_evidence);
	suite_add_tcase(s, out);
	return s;
}

int main(void)
{
	return tu_run_suite(suite());
}
