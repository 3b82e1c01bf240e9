/*
 * Volume shadow copies end to end, through libvshadow. Linux cannot make
 * shadow copies, so the volume is built in three states at test time (the
 * scenario writers, mkntfs + tests/fixtures/mkntfstree) and
 * tests/fixtures/mkvss writes into the current one two VSS stores whose
 * snapshots are the older ones.
 *
 * WS01 at vss1 (2024-03-03T08:00:00Z): WinRM disabled since install, no
 * WinRM firewall rule. At vss2 (2024-03-10T08:00:00Z): WinRM set to start
 * automatically on 03-04 with a listener and a rule for 5985 from any
 * address, and a PowerShell remoting session from 203.0.113.45 on 03-08
 * (Security 4624, WinRM 91, PowerShell 4103). At collection: WinRM
 * disabled, the rule inactive, and the Security log cleared on 03-12 (1102;
 * record numbering goes on). The WinRM and PowerShell logs were not
 * cleared: the live volume still holds the records the copies hold.
 *
 * What remtrail must make of the current volume: the copies listed with
 * their creation times; their SYSTEM hives joining the configuration
 * history at those times as "shadow copy"; exactly the Security records the
 * live log lost added, each once, citing a copy that holds it; the same
 * through a QCOW2 container; report.json giving each artifact of a copy
 * its origin. Damaged stores are named and the rest still read.
 * Tools: ntfs-3g (mkntfs, libntfs-3g), qemu-utils, fdisk; skipped without.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <libvshadow.h>

#include "evtx_writer.h"
#include "remtrail/util.h"
#include "scenario.h"
#include "testutil.h"

#define FIRST "2024-03-03T08:00:00Z"   /* vss1 */
#define CREATED "2024-03-10T08:00:00Z" /* vss2 */

static char *tmp;

static char *path(const char *name)
{
	return tu_path(tmp, name);
}

/* The shell script `cmd` with $1 = scratch folder, $2 = mkntfs, $3 =
 * mkntfstree, $4 = mkvss, $5 = qemu-img, $6 = sfdisk, $7 and $8 = the
 * creation times of vss2 and vss1 as FILETIMEs. */
static int sh(const char *cmd)
{
	char ft[32], ft1[32];
	char *argv[] = {"/bin/sh", "-c", (char *)cmd, "sh", tmp, (char *)tu_tool("RT_MKNTFS"),
			(char *)tu_tool("RT_MKNTFSTREE"), (char *)tu_tool("RT_MKVSS"),
			(char *)tu_tool("RT_QEMU_IMG"), (char *)tu_tool("RT_SFDISK"), ft, ft1, NULL};
	char *err = NULL;
	int r;

	snprintf(ft, sizeof(ft), "%llu", (unsigned long long)tw_time(CREATED));
	snprintf(ft1, sizeof(ft1), "%llu", (unsigned long long)tw_time(FIRST));
	r = tu_run(argv, NULL, &err);
	if (r != 0)
		fprintf(stderr, "command failed (%d): %s\n%s", r, cmd, err ? err : "");
	free(err);
	return r;
}

/* remtrail CMD [--format FMT] TARGET: stdout; exit status in *rc. */
static char *run(const char *cmd, const char *fmt, const char *target, int *rc)
{
	char *argv[] = {(char *)tu_remtrail(), (char *)cmd, (char *)target, NULL, NULL, NULL};
	char *out = NULL, *err = NULL;

	if (fmt) {
		argv[2] = "--format";
		argv[3] = (char *)fmt;
		argv[4] = (char *)target;
	}
	*rc = tu_run(argv, &out, &err);
	if (*rc != 0)
		fprintf(stderr, "remtrail %s %s: exit %d\n%s", cmd, target, *rc, err ? err : "");
	free(err);
	return out ? out : strdup("");
}

/* The lines of `text` holding `needle`, "\n"-joined (malloc'd). */
static char *grep(const char *text, const char *needle)
{
	rt_buf b = RT_BUF_INIT;
	const char *line = text;

	while (*line) {
		const char *end = strchr(line, '\n');
		size_t n = end ? (size_t)(end - line) : strlen(line);
		char *l = strndup(line, n);

		if (strstr(l, needle))
			rt_buf_addf(&b, "%s\n", l);
		free(l);
		line += n + (end ? 1 : 0);
	}
	return rt_buf_detach(&b, NULL);
}

static size_t count(const char *text, const char *needle)
{
	size_t n = 0;

	for (text = strstr(text, needle); text; text = strstr(text + 1, needle))
		n++;
	return n;
}

/* ------------------------------------------------------------ evidence */

/* WS01 up to 2024-03-03 (WinRM disabled since install), and with `later`
 * up to 2024-03-09 (WinRM enabled, used from outside). */
static void history(sc_host *h, int later)
{
	uint64_t t0 = tw_time("2024-03-01T08:00:00Z"), on = tw_time("2024-03-04T10:00:00Z");

	sc_fw_profile(h, 0, "Domain", 1, 1, t0);
	sc_fw_profile(h, 0, "Standard", 1, 1, t0);
	sc_fw_profile(h, 0, "Public", 1, 1, t0);
	sc_dcom(h, "Y", t0);
	sc_ev_touch(h, t0, "Security");
	sc_ev_touch(h, t0, "System");
	sc_ev_touch(h, t0, "Microsoft-Windows-WinRM/Operational");
	sc_ev_touch(h, t0, "Microsoft-Windows-PowerShell/Operational");
	sc_service_start(h, "WinRM", 4, t0);
	if (!later)
		return;
	sc_service_start(h, "WinRM", 2, on);
	sc_ev_7040(h, on, "WinRM", "disabled", "auto start");
	sc_listener(h, "*+HTTP", 5985, on);
	sc_fw_rule(h, 0, "WINRM-HTTP-In-TCP", SC_WINRM_HTTP_RULE, on);
	sc_ev_2004(h, on, "WINRM-HTTP-In-TCP", "5985", "*");
	sc_ev_winrm_session(h, tw_time("2024-03-08T21:00:00Z"), "203.0.113.45", "svc_backup");
}

/* tmp/first/WS01 (vss1), tmp/old/WS01 (vss2) and tmp/cur/WS01 (at
 * collection). */
static int write_states(void)
{
	sc_host *first = sc_new("WS01", "10.0.0.21", tw_time("2024-03-01T08:00:00Z"));
	sc_host *old = sc_new("WS01", "10.0.0.21", tw_time("2024-03-01T08:00:00Z"));
	sc_host *cur = sc_new("WS01", "10.0.0.21", tw_time("2024-03-01T08:00:00Z"));
	char *fd = path("first"), *od = path("old"), *cd = path("cur");
	int r;

	history(first, 0);
	history(old, 1);
	history(cur, 1);
	sc_service_start(cur, "WinRM", 4, tw_time("2024-03-12T09:00:00Z"));
	sc_fw_rule(cur, 0, "WINRM-HTTP-In-TCP", "v2.30|Action=Allow|Active=FALSE|Dir=In|Protocol=6|"
		   "LPort=5985|App=System|Name=Windows Remote Management (HTTP-In)|",
		   tw_time("2024-03-12T09:00:00Z"));
	sc_clear_log(cur, "Security");
	sc_ev_cleared(cur, tw_time("2024-03-12T09:05:00Z"), "Security");
	sc_set_collected(cur, tw_time("2024-03-20T12:00:00Z"));
	r = sc_write(first, fd) | sc_write(old, od) | sc_write(cur, cd);
	sc_free(&first);
	free(fd);
	sc_free(&old);
	sc_free(&cur);
	free(od);
	free(cd);
	return r;
}

/* ---------------------------------------------------------------- tests */

/* What mkvss wrote reads, through libvshadow, as the old volumes: store 1
 * (vss1) as tmp/first.raw, store 2 as tmp/old.raw, every block but the
 * stores' own (free in every state) as theirs. */
START_TEST(stores_read_as_the_old_volumes)
{
	static const struct {
		const char *file, *created;
	} stores[] = {{"first.raw", FIRST}, {"old.raw", CREATED}};
	libvshadow_volume_t *vol = NULL;
	char *cur = path("cur.raw");
	uint8_t a[16384];
	int n = 0, i;

	ck_assert_int_eq(libvshadow_volume_initialize(&vol, NULL), 1);
	ck_assert_int_eq(libvshadow_volume_open(vol, cur, LIBVSHADOW_OPEN_READ, NULL), 1);
	ck_assert_int_eq(libvshadow_volume_get_number_of_stores(vol, &n, NULL), 1);
	ck_assert_int_eq(n, 2);
	for (i = 0; i < n; i++) {
		libvshadow_store_t *st = NULL;
		char *oldp = path(stores[i].file);
		size_t olen = 0;
		uint8_t *old = (uint8_t *)tu_read_file(oldp, &olen);
		size64_t size = 0;
		uint64_t off, created = 0;
		int differ = 0;

		ck_assert_ptr_nonnull(old);
		ck_assert_int_eq(libvshadow_volume_get_store(vol, i, &st, NULL), 1);
		ck_assert_int_eq(libvshadow_store_get_volume_size(st, &size, NULL), 1);
		ck_assert_uint_eq(size, olen);
		ck_assert_int_eq(libvshadow_store_get_creation_time(st, &created, NULL), 1);
		ck_assert_uint_eq(created, tw_time(stores[i].created));
		for (off = 0; off < size; off += sizeof(a)) {
			ck_assert_int_eq(libvshadow_store_read_buffer_at_offset(st, a, sizeof(a),
										(off64_t)off, NULL),
					 (ssize_t)sizeof(a));
			differ += memcmp(a, old + off, sizeof(a)) != 0;
		}
		/* the catalog and the stores' headers, lists and data blocks */
		ck_assert_int_gt(differ, 4);
		ck_assert_int_lt(differ, 400);
		libvshadow_store_free(&st, NULL);
		free(old);
		free(oldp);
	}
	libvshadow_volume_close(vol, NULL);
	libvshadow_volume_free(&vol, NULL);
	free(cur);
}
END_TEST

typedef struct target {
	const char *name;
	const char *build; /* a script making tmp/<image> from tmp/cur.raw (see sh) */
	const char *image;
	const char *root;  /* the volume's root in names: <root>vss1/Windows/... */
} target;

static const target targets[] = {
    {"bare NTFS volume", "", "cur.raw", "cur.raw/"},
    {"MBR disk in QCOW2",
     "truncate -s 18M \"$1/disk.raw\" && printf 'label: dos\\nstart=2048, size=32768, "
     "type=7\\n' | \"$6\" -q \"$1/disk.raw\" && dd if=\"$1/cur.raw\" of=\"$1/disk.raw\" bs=1M "
     "seek=1 conv=notrunc status=none && \"$5\" convert -O qcow2 \"$1/disk.raw\" "
     "\"$1/disk.qcow2\" && rm -f \"$1/disk.raw\"",
     "disk.qcow2", "disk.qcow2/p1/"},
};

/* The image of target _i, built on first use (Check forks each test). */
static char *image_of(const target *t)
{
	char *img = path(t->image);

	if (*t->build && access(img, R_OK))
		ck_assert_int_eq(sh(t->build), 0);
	return img;
}

/* `evidence` lists the copies with their creation times, and their hives
 * and logs. */
START_TEST(copies_listed_with_creation_time)
{
	const target *t = &targets[_i];
	char *img = image_of(t), *out;
	int rc;

	out = run("evidence", NULL, img, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_msg(strstr(out, "vss1  shadow copy created 2024-03-03T08:00:00.0000000Z"), "%s", out);
	ck_assert_msg(strstr(out, "vss2  shadow copy created 2024-03-10T08:00:00.0000000Z"), "%s", out);
	ck_assert_msg(strstr(out, "vss1/Windows/System32/config/SYSTEM"), "%s", out);
	ck_assert_msg(strstr(out, "vss2/Windows/System32/winevt/Logs/Security.evtx"), "%s", out);
	free(out);
	free(img);
}
END_TEST

/* The history of setting `name` in `config --format json`, a line per
 * point: time, certainty, file (below `root`), and the value ("active"
 * for a firewall rule, "absent" where the hive has none). */
static char *history_of(const char *json, const char *name, const char *root)
{
	cJSON *doc = cJSON_Parse(json), *st;
	cJSON *settings = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "hosts"), 0),
					     "settings");
	rt_buf b = RT_BUF_INIT;
	size_t n = strlen(root);

	cJSON_ArrayForEach(st, settings)
	{
		const char *file = cJSON_GetStringValue(
		    cJSON_GetObjectItem(cJSON_GetObjectItem(st, "source"), "file"));
		cJSON *v = cJSON_GetObjectItem(st, "value");

		if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(st, "name")), name))
			continue;
		if (file && !strncmp(file, root, n))
			file += n;
		rt_buf_addf(&b, "%s %s %s ", cJSON_GetStringValue(cJSON_GetObjectItem(st, "time")),
			    cJSON_GetStringValue(cJSON_GetObjectItem(st, "certainty")), file);
		if (cJSON_IsString(v))
			rt_buf_addf(&b, "%s\n", v->valuestring);
		else if (cJSON_IsNull(v))
			rt_buf_adds(&b, "absent\n");
		else
			rt_buf_addf(&b, "active=%s\n",
				    cJSON_IsTrue(cJSON_GetObjectItem(v, "active")) ? "true" : "false");
	}
	cJSON_Delete(doc);
	return rt_buf_detach(&b, NULL);
}

/*
 * `config`: each copy's SYSTEM hive is a snapshot at the copy's creation
 * time with certainty "shadow copy", in order with the events and the live
 * hive: WinRM disabled (vss1), enabled (7040, vss2), disabled again (live);
 * the WinRM firewall rule absent (vss1), active (2004, vss2), inactive
 * (live).
 */
START_TEST(hives_join_history_at_creation_time)
{
	static const struct {
		const char *setting, *want;
	} want[] = {
	    {"service.winrm.start",
	     "2024-03-01T08:00:00.0000000Z bounded-by-lastwrite vss1/Windows/System32/config/SYSTEM "
	     "disabled\n"
	     "2024-03-03T08:00:00.0000000Z shadow copy vss1/Windows/System32/config/SYSTEM disabled\n"
	     "2024-03-04T10:00:00.0000000Z bounded-by-lastwrite vss2/Windows/System32/config/SYSTEM auto\n"
	     "2024-03-04T10:00:00.0000000Z event Windows/System32/winevt/Logs/System.evtx auto\n"
	     "2024-03-10T08:00:00.0000000Z shadow copy vss2/Windows/System32/config/SYSTEM auto\n"
	     "2024-03-12T09:00:00.0000000Z observed Windows/System32/config/SYSTEM disabled\n"},
	    {"firewall.rule.WINRM-HTTP-In-TCP",
	     "2024-03-03T08:00:00.0000000Z shadow copy vss1/Windows/System32/config/SYSTEM absent\n"
	     "2024-03-04T10:00:00.0000000Z bounded-by-lastwrite vss2/Windows/System32/config/SYSTEM "
	     "active=true\n"
	     "2024-03-04T10:00:00.0000000Z event Windows/System32/winevt/Logs/Microsoft-Windows-"
	     "Windows Firewall With Advanced Security%4Firewall.evtx active=true\n"
	     "2024-03-10T08:00:00.0000000Z shadow copy vss2/Windows/System32/config/SYSTEM active=true\n"
	     "2024-03-12T09:00:00.0000000Z observed Windows/System32/config/SYSTEM active=false\n"},
	};
	static const struct {
		const char *copy, *created;
	} snaps[] = {{"vss1", "2024-03-03T08:00:00.0000000Z"}, {"vss2", "2024-03-10T08:00:00.0000000Z"}};
	const target *t = &targets[_i];
	char *img = image_of(t), *root = path(t->root), *out, *hist;
	rt_buf b = RT_BUF_INIT;
	size_t i;
	int rc;

	out = run("config", "json", img, &rc);
	ck_assert_int_eq(rc, 0);
	for (i = 0; i < sizeof(snaps) / sizeof(snaps[0]); i++) {
		rt_buf_reset(&b);
		rt_buf_addf(&b, "{\"file\":\"%s%s/Windows/System32/config/SYSTEM\",\"hive\":\"SYSTEM\","
			    "\"certainty\":\"shadow copy\",\"time\":\"%s\"", root, snaps[i].copy,
			    snaps[i].created);
		ck_assert_msg(strstr(out, b.buf), "no %s in\n%.3000s", b.buf, out);
	}
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		hist = history_of(out, want[i].setting, root);
		ck_assert_msg(!strcmp(hist, want[i].want), "%s:\n%s", want[i].setting, hist);
		free(hist);
	}
	rt_buf_release(&b);
	free(out);
	free(root);
	free(img);
}
END_TEST

/*
 * `events`: the live Security log holds only the 1102; the records the
 * clearing removed come back once each, citing the copy read first that
 * holds them (record 1 is in both copies: vss1's; the session's 4624 and
 * 4688 only in vss2); the WinRM, PowerShell and System records every copy
 * holds too are given once, from the live volume. The timeline likewise.
 */
START_TEST(events_add_only_what_is_gone)
{
	static const char *const kept[] = {"Microsoft-Windows-WinRM/Operational",
					   "Microsoft-Windows-PowerShell/Operational", "System"};
	const target *t = &targets[_i];
	char *img = image_of(t), *root = path(t->root), *out, *sec;
	rt_buf b = RT_BUF_INIT;
	size_t i;
	int rc;

	out = run("events", "jsonl", img, &rc);
	ck_assert_int_eq(rc, 0);
	/* 8 records live, 3 only in the copies */
	ck_assert_uint_eq(tu_count_lines(out), 11);
	sec = grep(out, "\"channel\":\"Security\"");
	ck_assert_uint_eq(tu_count_lines(sec), 4);
	for (i = 1; i <= 4; i++) {
		rt_buf_reset(&b);
		rt_buf_addf(&b, "\"record_id\":%zu,", i);
		ck_assert_msg(count(sec, b.buf) == 1, "record %zu:\n%s", i, sec);
	}
	rt_buf_reset(&b);
	rt_buf_addf(&b, "\"event_id\":4956,\"record_id\":1,\"source_file\":\"%svss1/", root);
	ck_assert_msg(strstr(sec, b.buf), "no %s in\n%s", b.buf, sec);
	rt_buf_reset(&b);
	rt_buf_addf(&b, "\"event_id\":4624,\"record_id\":2,\"source_file\":\"%svss2/", root);
	ck_assert_msg(strstr(sec, b.buf), "no %s in\n%s", b.buf, sec);
	rt_buf_reset(&b);
	rt_buf_addf(&b, "\"event_id\":1102,\"record_id\":4,\"source_file\":\"%sWindows/", root);
	ck_assert_msg(strstr(sec, b.buf), "no %s in\n%s", b.buf, sec);
	free(sec);
	/* logs nobody cleared: every record once, from the live volume */
	for (i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
		char *lines;

		rt_buf_reset(&b);
		rt_buf_addf(&b, "\"channel\":\"%s\"", kept[i]);
		lines = grep(out, b.buf);
		ck_assert_msg(tu_count_lines(lines) >= 2, "%s: %s", kept[i], out);
		ck_assert_msg(!strstr(lines, "/vss1/") && !strstr(lines, "/vss2/"),
			      "%s read again from a copy:\n%s", kept[i], lines);
		ck_assert_uint_eq(count(lines, "\"record_id\":2,"), 1);
		free(lines);
	}
	free(out);
	/* the timeline: the session's logon, from vss2, once */
	out = run("timeline", "jsonl", img, &rc);
	ck_assert_int_eq(rc, 0);
	rt_buf_reset(&b);
	rt_buf_addf(&b, "\"event_id\":4624,\"record_id\":2,\"source_file\":\"%s"
		    "vss2/Windows/System32/winevt/Logs/Security.evtx\"", root);
	ck_assert_msg(count(out, b.buf) == 1, "no %s in\n%s", b.buf, out);
	ck_assert_uint_eq(count(out, "\"event_id\":4624,"), 1);
	rt_buf_release(&b);
	free(out);
	free(root);
	free(img);
}
END_TEST

/* In report.json, the number of records the artifact named `relative`
 * added ("records"), or -1. */
static int records_of(const char *json, const char *relative)
{
	rt_buf b = RT_BUF_INIT;
	const char *a, *o, *r;
	int n = -1;

	rt_buf_addf(&b, "\"relative\":\"%s\"", relative);
	a = strstr(json, b.buf);
	o = a ? strstr(a, "\"origin\"") : NULL;
	r = a ? strstr(a, "\"records\":") : NULL;
	if (r && o && r < o)
		n = (int)strtol(r + strlen("\"records\":"), NULL, 10);
	rt_buf_release(&b);
	return n;
}

/*
 * `analyze`: report.json gives each of the copies' artifacts its origin
 * (shadow copy number, its creation time, the path inside the volume) and
 * counts the records each log added: 1 and 2 for the copies' Security logs,
 * 0 for their WinRM logs (all still live).
 */
START_TEST(report_cites_the_copies)
{
	char *img = path("cur.raw"), *out = path("report"), *json, *err = NULL;
	char *argv[] = {(char *)tu_remtrail(), "analyze", img, "-o", out, NULL};
	rt_buf b = RT_BUF_INIT;

	ck_assert_int_eq(tu_run(argv, NULL, &err), 0);
	rt_buf_addf(&b, "%s/report.json", out);
	json = tu_read_file(b.buf, NULL);
	ck_assert_ptr_nonnull(json);
	ck_assert_int_eq(records_of(json, "vss1/Windows/System32/winevt/Logs/Security.evtx"), 1);
	ck_assert_int_eq(records_of(json, "vss2/Windows/System32/winevt/Logs/Security.evtx"), 2);
	ck_assert_int_eq(records_of(json, "vss1/Windows/System32/winevt/Logs/"
					  "Microsoft-Windows-WinRM%4Operational.evtx"),
			 0);
	ck_assert_int_eq(records_of(json, "vss2/Windows/System32/winevt/Logs/"
					  "Microsoft-Windows-WinRM%4Operational.evtx"),
			 0);
	rt_buf_reset(&b);
	rt_buf_addf(&b, "\"origin\":{\"container\":\"%s\",\"partition\":0,\"scheme\":\"none\","
		    "\"partition_offset\":0,\"shadow_copy\":2,\"shadow_copy_created\":"
		    "\"2024-03-10T08:00:00.0000000Z\",\"path_in_volume\":"
		    "\"/Windows/System32/winevt/Logs/Security.evtx\"", img);
	ck_assert_msg(strstr(json, b.buf) != NULL, "no %s in\n%.4000s", b.buf, json);
	rt_buf_release(&b);
	free(json);
	free(err);
	free(out);
	free(img);
}
END_TEST

/* ---------------------------------------------------------------- damage */

/*
 * Damaged stores: a catalog or block list that links back on itself (which
 * libvshadow 20190323 follows for ever, growing), a block list or data
 * block of vss1 past the end of the volume, a store header of another
 * record type, a volume header of an unknown version. Each is named, exit
 * 3, and the rest is analysed all the same: the live volume (8 records),
 * and vss2 where only vss1 is damaged (then records 1-3 come from it). None
 * hangs (the test's timeout) or leaks (the ASan build).
 */
static const struct {
	const char *name;
	int field; /* what is changed (below) */
	uint64_t value;
	const char *said;
	size_t lines; /* what `events` still prints */
} damage[] = {
    {"catalog loop", 0, 0, "shadow copies cannot be read: their catalog loops back on itself", 8},
    {"block list loop", 1, 0, "the block list of a store loops back on itself at offset", 8},
    {"block list loop through two blocks", 6, 0,
     "the block list of a store loops back on itself at offset", 8},
    {"block list past the end", 2, 1ULL << 40, "vss1: cannot be read as NTFS", 11},
    {"data block past the end", 3, 1ULL << 50, "vss1: cannot be read as NTFS", 11},
    {"store header of record type 9", 4, 9, "shadow copies cannot be read: unsupported record type",
     8},
    {"volume header version 7", 5, 7, "shadow copies cannot be read: unsupported version", 8},
};

static void put_le(uint8_t *p, uint64_t v, int bytes)
{
	int i;

	for (i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

START_TEST(damaged_stores_named)
{
	char *cur = path("cur.raw"), *name = NULL, *out, *err = NULL;
	uint8_t *b;
	size_t len = 0;
	uint64_t cat, e3, list;
	char *argv[] = {(char *)tu_remtrail(), "events", "--format", "jsonl", NULL, NULL};
	int rc;

	b = (uint8_t *)tu_read_file(cur, &len);
	ck_assert_ptr_nonnull(b);
	cat = rt_le64(b + 0x1e00 + 48);
	ck_assert_uint_lt(cat, len);
	e3 = cat + 256; /* vss1 (mkvss): entry type 2 at 128, type 3 at 256 */
	ck_assert_uint_eq(rt_le64(b + e3), 3);
	list = rt_le64(b + e3 + 8);
	switch (damage[_i].field) {
	case 0: put_le(b + cat + 40, cat, 8); break;
	case 1: put_le(b + list + 40, list, 8); break;
	case 2: put_le(b + e3 + 8, damage[_i].value, 8); break;
	case 3: put_le(b + list + 128 + 16, damage[_i].value, 8); break;
	case 4: put_le(b + rt_le64(b + e3 + 32) + 20, damage[_i].value, 4); break;
	case 6:
		put_le(b + list + 40, rt_le64(b + e3 + 32), 8);
		put_le(b + rt_le64(b + e3 + 32) + 40, list, 8);
		break;
	default: put_le(b + 0x1e00 + 16, damage[_i].value, 4); break;
	}
	name = tu_write_file(tmp, "damaged.raw", b, len);
	argv[4] = name;
	rc = tu_run(argv, &out, &err);
	ck_assert_msg(rc == 3, "%s: exit %d\n%s", damage[_i].name, rc, err);
	ck_assert_msg(strstr(err, "damaged.raw") && strstr(err, damage[_i].said), "%s: %s",
		      damage[_i].name, err);
	ck_assert_uint_eq(tu_count_lines(out), damage[_i].lines);
	ck_assert_ptr_null(strstr(out, "/vss1/"));
	unlink(name);
	free(out);
	free(err);
	free(name);
	free(b);
	free(cur);
}
END_TEST

/* --------------------------------------------------------------- setup */

static int setup(void)
{
	static const char *const need[] = {"RT_MKNTFS", "RT_MKNTFSTREE", "RT_MKVSS", "RT_QEMU_IMG",
					   "RT_SFDISK"};
	const char *missing = tu_missing_tool(need, sizeof(need) / sizeof(need[0]));

	if (missing) {
		printf("skipped: %s is not available (Debian: ntfs-3g, ntfs-3g-dev, qemu-utils, "
		       "fdisk)\n", missing);
		return -1;
	}
	tmp = tu_tmpdir();
	if (write_states() ||
	    sh("for s in first old cur; do truncate -s 16M \"$1/$s.raw\" && \"$2\" -F -q -Q "
	       "-s 512 -c 4096 -L WS01 \"$1/$s.raw\" >/dev/null 2>&1 && \"$3\" \"$1/$s.raw\" "
	       "\"$1/$s/WS01/C\" || exit 1; done && \"$4\" \"$1/cur.raw\" \"$1/first.raw\" \"$8\" "
	       "\"$1/old.raw\" \"$7\""))
		return 1;
	return 0;
}

int main(void)
{
	Suite *s;
	TCase *tc;
	int r = setup(), nt = (int)(sizeof(targets) / sizeof(targets[0]));

	if (r < 0)
		return RT_TEST_SKIP;
	if (r > 0) {
		tu_rmtree(tmp);
		free(tmp);
		return EXIT_FAILURE;
	}
	s = suite_create("vss");
	tc = tcase_create("core");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, stores_read_as_the_old_volumes);
	tcase_add_loop_test(tc, copies_listed_with_creation_time, 0, nt);
	tcase_add_loop_test(tc, hives_join_history_at_creation_time, 0, nt);
	tcase_add_loop_test(tc, events_add_only_what_is_gone, 0, nt);
	tcase_add_test(tc, report_cites_the_copies);
	tcase_add_loop_test(tc, damaged_stores_named, 0, (int)(sizeof(damage) / sizeof(damage[0])));
	suite_add_tcase(s, tc);
	r = tu_run_suite(s);
	tu_rmtree(tmp);
	free(tmp);
	return r;
}
