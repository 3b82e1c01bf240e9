/* analyze / assess on the command line: options, the output folder rules,
 * exit codes. Scenario tests on built evidence live in test_assess_scenarios. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "evtx_events.h"
#include "evtx_writer.h"
#include "remtrail/report.h"
#include "scenario.h"
#include "testutil.h"

static int run_rt(const char *a1, const char *a2, const char *a3, const char *a4, const char *a5,
		  char **out, char **err)
{
	char *argv[] = { (char *)tu_remtrail(), (char *)a1, (char *)a2, (char *)a3, (char *)a4,
			 (char *)a5, NULL };
	return tu_run(argv, out, err);
}

START_TEST(help_teaches)
{
	char *out = NULL;

	ck_assert_int_eq(run_rt("analyze", "--help", NULL, NULL, NULL, &out, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "report.json"));
	ck_assert_ptr_nonnull(strstr(out, "IPv4 and IPv6: addresses, prefixes"));
	ck_assert_ptr_nonnull(strstr(out, "examples:"));
	free(out);
	ck_assert_int_eq(run_rt("assess", "--help", NULL, NULL, NULL, &out, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "re-enabled then used"));
	ck_assert_ptr_nonnull(strstr(out, "IPv4 and IPv6: addresses, prefixes"));
	ck_assert_ptr_nonnull(strstr(out, "LocalSubnet"));
	ck_assert_ptr_nonnull(strstr(out, "examples:"));
	free(out);
}
END_TEST

START_TEST(usage_errors)
{
	char *dir = tu_tmpdir(), *err = NULL;

	ck_assert_int_eq(run_rt("analyze", dir, NULL, NULL, NULL, NULL, &err), 2);
	ck_assert_ptr_nonnull(strstr(err, "-o DIR"));
	free(err);
	ck_assert_int_eq(run_rt("assess", NULL, NULL, NULL, NULL, NULL, &err), 2);
	free(err);
	ck_assert_int_eq(run_rt("assess", dir, "--format", "xml", NULL, NULL, &err), 2);
	ck_assert_ptr_nonnull(strstr(err, "unknown format 'xml'"));
	free(err);
	ck_assert_int_eq(run_rt("assess", dir, "--mgmt", "nonsense", NULL, NULL, &err), 2);
	free(err);
	/* keywords mean nothing as management addresses */
	ck_assert_int_eq(run_rt("assess", dir, "--mgmt", "LocalSubnet", NULL, NULL, &err), 2);
	ck_assert_ptr_nonnull(strstr(err, "cannot read --mgmt scope 'LocalSubnet'"));
	free(err);
	/* IPv6 and IPv4 mixed are read: the empty folder is the only problem */
	ck_assert_int_eq(run_rt("assess", dir, "--mgmt", "fd00:5::/64,2001:db8::10,10.0.5.0/24", NULL, NULL, &err), 1);
	free(err);
	ck_assert_int_eq(run_rt("assess", dir, "--bogus", NULL, NULL, NULL, &err), 2);
	free(err);
	ck_assert_int_eq(run_rt("assess", dir, "-j", "0", NULL, NULL, &err), 2);
	ck_assert_ptr_nonnull(strstr(err, "-j needs a number of threads"));
	free(err);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(nothing_to_read_is_failure)
{
	char *dir = tu_tmpdir(), *err = NULL, *out = NULL;

	ck_assert_int_eq(run_rt("assess", dir, NULL, NULL, NULL, &out, &err), 1);
	ck_assert_str_eq(out, "");
	ck_assert_ptr_nonnull(strstr(err, "no EVTX logs or registry hives"));
	free(out);
	free(err);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(output_folder_rules)
{
	char *dir = tu_tmpdir(), *err = NULL, *f;
	char ev[4096], outd[4096];
	struct stat st;

	f = tu_write_file(dir, "ev/note.txt", "x", 1);
	free(f);
	f = tu_write_file(dir, "busy/keep.txt", "x", 1);
	free(f);
	snprintf(ev, sizeof ev, "%s/ev", dir);
	snprintf(outd, sizeof outd, "%s/ev/out", dir);
	ck_assert_int_eq(run_rt("analyze", ev, "-o", outd, NULL, NULL, &err), 2);
	ck_assert_ptr_nonnull(strstr(err, "inside the evidence"));
	ck_assert_int_ne(stat(outd, &st), 0);
	free(err);
	snprintf(outd, sizeof outd, "%s/busy", dir);
	ck_assert_int_eq(run_rt("analyze", ev, "-o", outd, NULL, NULL, &err), 2);
	ck_assert_ptr_nonnull(strstr(err, "not empty"));
	free(err);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* The sample's story, built here so the test needs no checked-in data. */
static void story(const char *dir)
{
	sc_host *h = sc_new("WS01", "10.0.0.21", tw_time("2024-03-01T08:00:00Z"));

	sc_service_start(h, "WinRM", 2, tw_time("2024-03-12T09:14:03Z"));
	sc_ev_7040(h, tw_time("2024-03-12T09:14:03Z"), "WinRM", "disabled", "auto start");
	sc_listener(h, "*+HTTP", 5985, tw_time("2024-03-12T09:14:20Z"));
	sc_fw_rule(h, 0, "WINRM-HTTP-In-TCP", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=5985|",
		   tw_time("2024-03-12T09:14:21Z"));
	sc_ev_2004(h, tw_time("2024-03-12T09:14:21Z"), "WINRM-HTTP-In-TCP", "5985", "*");
	sc_ev_winrm_session(h, tw_time("2024-03-12T09:20:00Z"), "203.0.113.45", "svc_backup");
	ck_assert_int_eq(sc_write(h, dir), 0);
	sc_free(&h);
}

/* A report without its run record (report.h): what two runs must share. */
static char *results_only(char *s)
{
	char *m;

	if (!s)
		return s;
	if ((m = strstr(s, ",\"run\":{\"command_line\"")))
		*m = '\0';
	else if ((m = strstr(s, RT_REPORT_RUN_MARK)))
		*m = '\0';
	return s;
}

static char *read_in(const char *dir, const char *name)
{
	char p[4200];

	snprintf(p, sizeof p, "%s/%s", dir, name);
	return tu_read_file(p, NULL);
}

START_TEST(analyze_writes_the_report)
{
	char *dir = tu_tmpdir(), ev[4096], out[4096], *err = NULL, *stdout_ = NULL;
	char *json, *txt, *csv, *jsonl, *json2;

	snprintf(ev, sizeof ev, "%s/ev", dir);
	snprintf(out, sizeof out, "%s/out", dir);
	story(ev);
	ck_assert_int_eq(run_rt("analyze", ev, "-o", out, NULL, &stdout_, &err), 0);
	ck_assert_str_eq(stdout_, "");
	ck_assert_ptr_nonnull(strstr(err, "wrote the case"));
	free(stdout_);
	free(err);
	json = read_in(out, "report.json");
	txt = read_in(out, "report.txt");
	csv = read_in(out, "timeline.csv");
	jsonl = read_in(out, "timeline.jsonl");
	ck_assert_ptr_nonnull(json);
	ck_assert_ptr_nonnull(strstr(json, "\"schema\":\"remtrail/1\""));
	ck_assert_ptr_nonnull(strstr(json, "\"sha256\":\""));
	ck_assert_ptr_nonnull(strstr(json, "\"route\":\"re-enabled then used\""));
	ck_assert_ptr_nonnull(strstr(json, "\"configuration\":{\"schema\""));
	ck_assert_ptr_nonnull(strstr(txt, "not_in_effect BYPASSED"));
	ck_assert_ptr_nonnull(strstr(txt, "Details of the hosts with inbound use"));
	ck_assert_ptr_nonnull(strstr(txt, "== Host WS01 =="));
	ck_assert_ptr_nonnull(strstr(csv, "winrm.inbound"));
	ck_assert_ptr_nonnull(strstr(csv, "203.0.113.45"));
	ck_assert_ptr_nonnull(strstr(jsonl, "\"kind\":\"winrm.inbound\""));
	/* the same input gives the same bytes: again into the same folder,
	 * the host's result is current and kept; --force redoes it */
	ck_assert_int_eq(run_rt("analyze", ev, "-o", out, NULL, NULL, &err), 0);
	ck_assert_ptr_nonnull(strstr(err, "1 unchanged since the last run"));
	free(err);
	json2 = read_in(out, "report.json");
	ck_assert_str_eq(results_only(json), results_only(json2));
	free(json2);
	ck_assert_int_eq(run_rt("analyze", ev, "-o", out, "--force", NULL, &err), 0);
	ck_assert_ptr_nonnull(strstr(err, "0 unchanged since the last run"));
	free(err);
	json2 = read_in(out, "report.json");
	ck_assert_str_eq(results_only(json), results_only(json2));
	free(json);
	free(json2);
	free(txt);
	free(csv);
	free(jsonl);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(assess_json_and_text)
{
	char *dir = tu_tmpdir(), *out = NULL, *o1 = NULL, *o4 = NULL;

	story(dir);
	ck_assert_int_eq(run_rt("assess", dir, NULL, NULL, NULL, &out, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "{\"schema\":\"remtrail/1\",\"hosts\":[{\"host\":\"WS01\""));
	ck_assert_ptr_nonnull(strstr(out, "\"bypassed\":true"));
	free(out);
	ck_assert_int_eq(run_rt("assess", dir, "--format", "text", NULL, &out, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "  HOST             CM0013                  CM0019"));
	ck_assert_ptr_nonnull(strstr(out, "BYPASS: re-enabled then used"));
	/* the thread count changes nothing */
	ck_assert_int_eq(run_rt("assess", dir, "--format", "text", "-j1", &o1, NULL), 0);
	ck_assert_int_eq(run_rt("assess", dir, "--format", "text", "-j4", &o4, NULL), 0);
	ck_assert_str_eq(o1, out);
	ck_assert_str_eq(o4, out);
	free(o1);
	free(o4);
	free(out);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* The checked-in sample (testdata/sample) still tells its story. */
START_TEST(sample_story)
{
	const char *td = getenv("RT_TESTDATA");
	char sample[4096], *out = NULL;

	if (!td)
		return;
	snprintf(sample, sizeof sample, "%s/sample", td);
	ck_assert_int_eq(run_rt("assess", sample, "--format", "text", NULL, &out, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "  WS01             in_effect               not_in_effect BYPASSED  restricted"));
	ck_assert_ptr_nonnull(strstr(out, "  WS02             in_effect               in_effect               restricted"));
	ck_assert_ptr_nonnull(strstr(out, "BYPASS: re-enabled then used"));
	ck_assert_ptr_nonnull(strstr(out, "gap: log cleared"));
	free(out);
}
END_TEST

/* The sample's two hosts (testdata/sample/WS01, WS02) into ws01, ws02
 * (4096 bytes each) and a fresh scratch folder; NULL without testdata. */
static char *sample_hosts(char *ws01, char *ws02)
{
	const char *td = getenv("RT_TESTDATA");

	if (!td)
		return NULL;
	snprintf(ws01, 4096, "%s/sample/WS01", td);
	snprintf(ws02, 4096, "%s/sample/WS02", td);
	return tu_tmpdir();
}

static const char *const unit_files[] = { "report.json", "report.txt", "timeline.csv",
					   "timeline.jsonl" };

/* Host `host`'s files (but for their run records) are the same in output
 * folders x and y. */
static void same_host_files(const char *x, const char *y, const char *host, const char *why)
{
	size_t i;

	for (i = 0; i < sizeof unit_files / sizeof *unit_files; i++) {
		char name[64], *a, *b;

		snprintf(name, sizeof name, "hosts/%s/%s", host, unit_files[i]);
		a = results_only(read_in(x, name));
		b = results_only(read_in(y, name));
		ck_assert_ptr_nonnull(a);
		ck_assert_ptr_nonnull(b);
		ck_assert_msg(!strcmp(a, b), "%s differs %s", name, why);
		free(a);
		free(b);
	}
}

/* A host's folder is the same whether the host is analysed alone or with
 * others (the same PATH given for it): nothing in it comes from the
 * other hosts. The case's own files do see both. */
START_TEST(host_folder_is_self_contained)
{
	char ws01[4096], ws02[4096], *dir, both[4096], alone[4096], *err = NULL;

	if (!(dir = sample_hosts(ws01, ws02)))
		return;
	snprintf(both, sizeof both, "%s/both", dir);
	snprintf(alone, sizeof alone, "%s/alone", dir);
	ck_assert_int_eq(run_rt("analyze", ws01, ws02, "-o", both, NULL, &err), 0);
	free(err);
	ck_assert_int_eq(run_rt("analyze", ws02, "-o", alone, NULL, NULL, &err), 0);
	free(err);
	same_host_files(both, alone, "WS02", "between the case and WS02 alone");
	{
		char *a = read_in(both, "report.json"), *b = read_in(alone, "report.json");

		ck_assert_ptr_nonnull(strstr(a, "\"scope\":\"case\""));
		ck_assert_ptr_nonnull(strstr(a, "\"dir\":\"WS01\""));
		ck_assert_ptr_null(strstr(b, "\"dir\":\"WS01\""));
		free(a);
		free(b);
	}
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* unit.json of host folder `hostdir` lists every file with its size and
 * SHA-256 as written; the biggest file's size is returned. */
static size_t check_unit_files(const char *out, const char *hostdir)
{
	char p[4200], *text;
	cJSON *j, *f;
	size_t big = 0, n = 0;

	snprintf(p, sizeof p, "%s/hosts/%s/unit.json", out, hostdir);
	text = tu_read_file(p, NULL);
	ck_assert_ptr_nonnull(text);
	j = cJSON_Parse(text);
	ck_assert_ptr_nonnull(j);
	cJSON_ArrayForEach(f, cJSON_GetObjectItem(j, "files")) {
		const char *name = cJSON_GetObjectItem(f, "name")->valuestring;
		size_t len = 0, size = (size_t)cJSON_GetObjectItem(f, "size")->valuedouble;
		char *data, hex[65];
		uint8_t d[32];
		rt_sha256 c;

		snprintf(p, sizeof p, "%s/hosts/%s/%s", out, hostdir, name);
		data = tu_read_file(p, &len);
		ck_assert_ptr_nonnull(data);
		ck_assert_msg(len == size, "%s: %zu bytes, unit.json says %zu", p, len, size);
		ck_assert_int_eq(rt_sha256_init(&c), 0);
		rt_sha256_update(&c, data, len);
		ck_assert_int_eq(rt_sha256_final(&c, d), 0);
		rt_hex(d, 32, hex);
		ck_assert_str_eq(hex, cJSON_GetObjectItem(f, "sha256")->valuestring);
		if (len > big)
			big = len;
		n++;
		free(data);
	}
	ck_assert_uint_eq(n, 5); /* report.html too */
	cJSON_Delete(j);
	free(text);
	return big;
}

/*
 * A host's files are written as they are made, never whole in memory: a
 * host with findings enough for files of hundreds of KiB gets them as made
 * whole (-j2, where its report.json is kept whole to be parsed ahead, and
 * -j1 with two hosts, where nothing is), and unit.json gives every file's
 * size and hash as written, which the case step checks as it reads them.
 */
START_TEST(big_host_files_written_in_pieces)
{
	char *dir = tu_tmpdir(), ev[4096], j1[4096], j2[4096], *err = NULL;
	const char *names[] = { "WS01", "WS02" };
	size_t h, i;

	snprintf(ev, sizeof ev, "%s/ev", dir);
	snprintf(j1, sizeof j1, "%s/j1", dir);
	snprintf(j2, sizeof j2, "%s/j2", dir);
	for (h = 0; h < 2; h++) {
		char sub[4200];
		sc_host *x = sc_new(names[h], h ? "10.0.0.22" : "10.0.0.21",
				    tw_time("2024-03-01T08:00:00Z"));

		sc_service_start(x, "WinRM", 2, tw_time("2024-03-01T08:00:00Z"));
		for (i = 0; i < 700; i++)
			sc_ev_winrm_session(x, tw_time("2024-03-12T09:20:00Z") + i * 1200000000ULL,
					    "203.0.113.45", "svc_backup");
		snprintf(sub, sizeof sub, "%s/%s", ev, names[h]);
		ck_assert_int_eq(sc_write(x, sub), 0);
		sc_free(&x);
	}
	ck_assert_int_eq(run_rt("analyze", ev, "-o", j1, "-j1", NULL, &err), 0);
	free(err);
	ck_assert_int_eq(run_rt("analyze", ev, "-o", j2, "-j2", NULL, &err), 0);
	free(err);
	for (h = 0; h < 2; h++) {
		ck_assert_uint_gt(check_unit_files(j1, names[h]), 256 << 10);
		ck_assert_uint_gt(check_unit_files(j2, names[h]), 256 << 10);
		same_host_files(j1, j2, names[h], "between -j1 and -j2");
	}
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* How often `needle` occurs in `s`. */
static size_t occurrences(const char *s, const char *needle)
{
	size_t n = 0;

	while (s && (s = strstr(s, needle))) {
		n++;
		s += strlen(needle);
	}
	return n;
}

/*
 * A server with thousands of remote logons (a domain controller has
 * hundreds of thousands): its unit.json keeps every one for pairing, is
 * written as it is made and read back a logon at a time, and the case made
 * from the folders still pairs the session a workstation opened with the
 * one logon among them that answers it (the server recorded nothing else
 * of it). -j1 with two hosts: nothing is parsed ahead, the case step reads
 * every host folder back.
 */
START_TEST(many_remote_logons_pair_from_folders)
{
	char *dir = tu_tmpdir(), ev[4096], out[4096], p[4200], *err = NULL, *t;
	sc_host *srv = sc_new("SRV01", "10.0.0.10", tw_time("2024-03-01T08:00:00Z"));
	sc_host *ws = sc_new("WS01", "10.0.0.21", tw_time("2024-03-01T08:00:00Z"));
	uint64_t t0 = tw_time("2024-03-12T09:00:00Z"), min = 600000000ULL;
	struct stat st;
	size_t i;

	snprintf(ev, sizeof ev, "%s/ev", dir);
	snprintf(out, sizeof out, "%s/out", dir);
	for (i = 0; i < 1500; i++) {
		char ip[32];

		snprintf(ip, sizeof ip, "198.51.%zu.%zu", i / 250, i % 250 + 1);
		sc_ev_logon(srv, t0 + i * 2 * min, ip, "svc_backup");
	}
	sc_ev_winrm_client(ws, t0 + 1000 * 2 * min + min / 2, "SRV01");
	sc_ev_logon(srv, t0 + 1000 * 2 * min + min / 2 + 20000000ULL, "10.0.0.21", "admin");
	ck_assert_int_eq(sc_write(srv, ev), 0);
	ck_assert_int_eq(sc_write(ws, ev), 0);
	sc_free(&srv);
	sc_free(&ws);
	ck_assert_int_eq(run_rt("analyze", ev, "-o", out, "-j1", NULL, &err), 0);
	free(err);
	snprintf(p, sizeof p, "%s/hosts/SRV01/unit.json", out);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_int_gt(st.st_size, 256 << 10); /* in pieces, read back a logon at a time */
	t = read_in(out, "timeline.jsonl");
	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(occurrences(t, "\"paired_host\":\"SRV01\""), 1);
	ck_assert_uint_eq(occurrences(t, "\"paired_host\":\"WS01\""), 1);
	free(t);
	/* the case is the same made from the folders again */
	ck_assert_int_eq(run_rt("merge", out, NULL, NULL, NULL, NULL, &err), 0);
	free(err);
	t = read_in(out, "timeline.jsonl");
	ck_assert_uint_eq(occurrences(t, "\"paired_host\":\"SRV01\""), 1);
	free(t);
	/* a unit.json whose logons are not as written: that folder is named,
	 * nothing read out of bounds (the sanitizer runs) */
	{
		static const char *const bad[] = { "{\"time\":1},", "{\"time\":\"x\",\"ip\":[", "]," };
		size_t k, len;

		for (k = 0; k < sizeof bad / sizeof *bad; k++) {
			char *u = read_in(out, "hosts/SRV01/unit.json"), *at, *v;

			ck_assert_ptr_nonnull(u);
			at = strstr(u, "\"logons\":[");
			ck_assert_ptr_nonnull(at);
			at += strlen("\"logons\":[");
			len = strlen(u);
			v = malloc(len + strlen(bad[k]) + 1);
			ck_assert_ptr_nonnull(v);
			memcpy(v, u, (size_t)(at - u));
			strcpy(v + (at - u), bad[k]);
			strcat(v, at);
			snprintf(p, sizeof p, "%s/hosts/SRV01", out);
			free(tu_write_file(p, "unit.json", v, strlen(v)));
			ck_assert_int_ne(run_rt("merge", out, NULL, NULL, NULL, NULL, &err), 0);
			ck_assert_msg(strstr(err, "SRV01") != NULL, "%s", err);
			free(err);
			/* put it back */
			free(tu_write_file(p, "unit.json", u, len));
			free(u);
			free(v);
		}
		ck_assert_int_eq(run_rt("merge", out, NULL, NULL, NULL, NULL, &err), 0);
		free(err);
	}
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* report.json with `what` put after the first `after` in it, and
 * unit.json made to list it (size, SHA-256) as if remtrail had written it
 * so. */
static void forge_report(const char *host, const char *after, const char *what)
{
	char *rep = read_in(host, "report.json"), *unit = read_in(host, "unit.json"), *at, *v, *e;
	char hex[65], old[160], now[160];
	uint8_t d[32];
	rt_sha256 c;
	size_t n, k;

	ck_assert_ptr_nonnull(rep);
	ck_assert_ptr_nonnull(unit);
	ck_assert_ptr_nonnull(at = strstr(rep, after));
	at += strlen(after);
	n = strlen(rep) + strlen(what);
	ck_assert_ptr_nonnull(v = malloc(n + 1));
	memcpy(v, rep, (size_t)(at - rep));
	strcpy(v + (at - rep), what);
	strcat(v, at);
	ck_assert_int_eq(rt_sha256_init(&c), 0);
	rt_sha256_update(&c, v, n);
	rt_sha256_final(&c, d);
	for (k = 0; k < 32; k++)
		snprintf(hex + 2 * k, 3, "%02x", d[k]);
	/* unit.json's entry of report.json, with the new size and digest */
	ck_assert_ptr_nonnull(at = strstr(unit, "{\"name\":\"report.json\",\"size\":"));
	ck_assert_ptr_nonnull(e = strchr(at, '}'));
	ck_assert_uint_lt((size_t)(e - at), sizeof old);
	snprintf(old, sizeof old, "%.*s", (int)(e - at), at);
	snprintf(now, sizeof now, "{\"name\":\"report.json\",\"size\":%zu,\"sha256\":\"%s\"", n, hex);
	e = malloc(strlen(unit) + strlen(now) + 1);
	ck_assert_ptr_nonnull(e);
	memcpy(e, unit, (size_t)(at - unit));
	strcpy(e + (at - unit), now);
	strcat(e, at + strlen(old));
	free(tu_write_file(host, "report.json", v, n));
	free(tu_write_file(host, "unit.json", e, strlen(e)));
	free(rep);
	free(unit);
	free(v);
	free(e);
}

static void forge_findings(const char *host, const char *what)
{
	forge_report(host, "\"findings\":[", what);
}

/* A host's findings are read back from its report.json one at a time (a
 * busy server's are tens of thousands, a tree of them several times the
 * file): the case made from the folder is the one made as the folder was
 * written, whatever the strings hold, and a finding not as written names
 * the folder (nothing read out of bounds: the sanitizers run this). */
START_TEST(many_findings_read_back_one_at_a_time)
{
	char *dir = tu_tmpdir(), ev[4096], out[3900], host[4000], *err = NULL, *t, *t2;
	sc_host *srv = sc_new("SRV01", "10.0.0.10", tw_time("2024-03-01T08:00:00Z"));
	uint64_t t0 = tw_time("2024-03-12T09:00:00Z"), min = 600000000ULL;
	static const char *const bad[] = {
		"{\"datetime\":1},", /* a time that is no time */
		"{\"message\":\"x\\\"],\"host\":[}],", /* escapes and brackets in a string */
		"{\"message\":\"unended", /* the list never ends */
		"7,",
	};
	size_t i;

	snprintf(ev, sizeof ev, "%s/ev", dir);
	snprintf(out, sizeof out, "%s/out", dir);
	snprintf(host, sizeof host, "%s/hosts/SRV01", out);
	for (i = 0; i < 300; i++) {
		char user[64], ip[32];

		/* quotes, backslashes and brackets in what the strings hold,
		 * a backslash last */
		snprintf(user, sizeof user, "DOM\\adm\"%zu}]\\", i);
		snprintf(ip, sizeof ip, "198.51.100.%zu", i % 250 + 1);
		sc_ev_winrm_session(srv, t0 + i * 2 * min, ip, user);
	}
	ck_assert_int_eq(sc_write(srv, ev), 0);
	sc_free(&srv);
	ck_assert_int_eq(run_rt("analyze", ev, "-o", out, "-j1", NULL, &err), 0);
	free(err);
	t = read_in(out, "timeline.jsonl");
	ck_assert_ptr_nonnull(t);
	ck_assert_uint_ge(occurrences(t, "adm\\\"1"), 100);
	t2 = read_in(host, "timeline.jsonl");
	ck_assert_ptr_nonnull(t2);
	ck_assert_str_eq(t, t2); /* one host: the case's timeline is its own */
	free(t2);
	/* made from the folder alone, the same */
	ck_assert_int_eq(run_rt("merge", out, NULL, NULL, NULL, NULL, &err), 0);
	free(err);
	t2 = read_in(out, "timeline.jsonl");
	ck_assert_ptr_nonnull(t2);
	ck_assert_str_eq(t, t2);
	free(t2);
	free(t);
	for (i = 0; i < sizeof bad / sizeof *bad; i++) {
		char *rep = read_in(host, "report.json"), *unit = read_in(host, "unit.json");

		ck_assert_ptr_nonnull(rep);
		ck_assert_ptr_nonnull(unit);
		forge_findings(host, bad[i]);
		ck_assert_int_ne(run_rt("merge", out, NULL, NULL, NULL, NULL, &err), 0);
		ck_assert_msg(strstr(err, "SRV01") != NULL, "%s", err);
		free(err);
		/* put them back */
		free(tu_write_file(host, "report.json", rep, strlen(rep)));
		free(tu_write_file(host, "unit.json", unit, strlen(unit)));
		free(rep);
		free(unit);
	}
	/* a countermeasure's verdict twice (the first one's lists were lost,
	 * and leaked) */
	{
		char *rep = read_in(host, "report.json"), *unit = read_in(host, "unit.json"), *b, *e2, *dup;

		ck_assert_ptr_nonnull(rep);
		ck_assert_ptr_nonnull(unit);
		ck_assert_ptr_nonnull(b = strstr(rep, "\"countermeasures\":["));
		b += strlen("\"countermeasures\":[");
		ck_assert_ptr_nonnull(e2 = strstr(b, ",{\"id\":\"CM0019\""));
		ck_assert_ptr_nonnull(dup = malloc((size_t)(e2 - b) + 2));
		memcpy(dup, b, (size_t)(e2 - b));
		strcpy(dup + (e2 - b), ",");
		forge_report(host, "\"countermeasures\":[", dup);
		ck_assert_int_ne(run_rt("merge", out, NULL, NULL, NULL, NULL, &err), 0);
		ck_assert_msg(strstr(err, "SRV01") && strstr(err, "twice"), "%s", err);
		free(err);
		free(tu_write_file(host, "report.json", rep, strlen(rep)));
		free(tu_write_file(host, "unit.json", unit, strlen(unit)));
		free(dup);
		free(rep);
		free(unit);
	}
	ck_assert_int_eq(run_rt("merge", out, NULL, NULL, NULL, NULL, &err), 0);
	free(err);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* The case's timeline is the findings of its host folders read back: it
 * must be what `remtrail timeline` gives for the same evidence, every
 * column (the object, the attribution), and a finding a log gives for
 * another computer than the host's keeps that computer's name. */
/* A host's configuration in its report is `remtrail config` of its
 * evidence: the hive points and the points dated by its records (7040,
 * 2004), also for a host known from its logs alone. */
START_TEST(configuration_is_config)
{
	char *dir = tu_tmpdir(), ev[4096], out[4096], *err = NULL, *cfg = NULL, *json;
	static const char *const names[] = { "WS01", "WS07" };
	sc_host *h = sc_new("WS07", "10.0.0.27", tw_time("2024-03-01T08:00:00Z"));
	size_t i;

	snprintf(ev, sizeof ev, "%s/ev", dir);
	snprintf(out, sizeof out, "%s/out", dir);
	story(ev);
	sc_no_hive(h, "SYSTEM");
	sc_no_hive(h, "SOFTWARE");
	sc_ev_7040(h, tw_time("2024-03-05T10:00:00Z"), "WinRM", "auto start", "disabled");
	ck_assert_int_eq(sc_write(h, ev), 0);
	sc_free(&h);
	ck_assert_int_eq(run_rt("analyze", ev, "-o", out, NULL, NULL, &err), 0);
	free(err);
	for (i = 0; i < 2; i++) {
		char hostev[4200], rep[64], *want;
		char *argv[] = { (char *)tu_remtrail(), "config", "--format", "json", hostev, NULL };
		size_t n;

		snprintf(hostev, sizeof hostev, "%s/%s", ev, names[i]);
		snprintf(rep, sizeof rep, "hosts/%s/report.json", names[i]);
		ck_assert_int_eq(tu_run(argv, &cfg, NULL), 0);
		n = strlen(cfg);
		while (n && cfg[n - 1] == '\n')
			cfg[--n] = '\0';
		ck_assert_ptr_nonnull(strstr(cfg, "\"certainty\":\"event\""));
		ck_assert_ptr_nonnull(strstr(cfg, "\"service.winrm.start\""));
		ck_assert_ptr_nonnull(want = malloc(n + 32));
		snprintf(want, n + 32, "\"configuration\":%s", cfg);
		ck_assert_ptr_nonnull(json = read_in(out, rep));
		ck_assert_msg(strstr(json, want), "%s: the report's configuration is not config's:\n%.300s",
			      names[i], cfg);
		free(json);
		free(want);
		free(cfg);
	}
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(case_timeline_is_the_timeline)
{
	static const char *const fmts[][2] = { { "jsonl", "timeline.jsonl" },
						{ "csv", "timeline.csv" } };
	char ws01[4096], ws02[4096], ws09[4096], *log, *dir, out[4096], *err = NULL, *tl = NULL;
	tw_writer *w;
	size_t i;

	if (!(dir = sample_hosts(ws01, ws02)))
		return;
	snprintf(ws09, sizeof ws09, "%s/WS09", dir);
	/* its folders made; the log written over the empty file */
	log = tu_write_file(dir, "WS09/C/Windows/System32/winevt/Logs/System.evtx", "", 0);
	snprintf(out, sizeof out, "%s/out", dir);
	/* the machine was renamed: its log holds both names */
	w = tw_new(0);
	ck_assert_uint_ne(te_service_state(w, "2024-03-01T08:00:00Z", "OLD-NAME",
					   "Windows Remote Management (WS-Management)", "stopped"), 0);
	ck_assert_uint_ne(te_service_state(w, "2024-03-02T08:00:00Z", "WS09",
					   "Windows Remote Management (WS-Management)", "running"), 0);
	ck_assert_uint_ne(te_service_state(w, "2024-03-03T08:00:00Z", "WS09",
					   "Windows Management Instrumentation", "stopped"), 0);
	ck_assert_int_eq(tw_write(w, log), 0);
	tw_free(&w);
	free(log);
	{
		char *argv[] = { (char *)tu_remtrail(), "analyze", ws01, ws02, ws09, "-o", out, NULL };

		ck_assert_int_eq(tu_run(argv, NULL, &err), 0);
		free(err);
	}
	for (i = 0; i < sizeof fmts / sizeof *fmts; i++) {
		char *argv[] = { (char *)tu_remtrail(), "timeline", "--format", (char *)fmts[i][0],
				 ws01, ws02, ws09, NULL };
		char *c = read_in(out, fmts[i][1]);

		ck_assert_int_eq(tu_run(argv, &tl, NULL), 0);
		ck_assert_ptr_nonnull(c);
		ck_assert_msg(!strcmp(c, tl), "the case's %s is not the timeline's", fmts[i][1]);
		if (i == 0) {
			ck_assert_ptr_nonnull(strstr(c, "\"attribution\":\""));
			ck_assert_ptr_nonnull(strstr(c, "\"object\":\""));
			ck_assert_ptr_nonnull(strstr(c, "\"host\":\"OLD-NAME\""));
		}
		free(c);
		free(tl);
		tl = NULL;
	}
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* A log and a copy of it on one host (a collection beside its ZIP, a
 * backup folder): every record counted once, the copy named, the
 * findings those of the log alone. */
START_TEST(copies_of_a_log_counted_once)
{
	const char *td = getenv("RT_TESTDATA");
	char src[4096], *dir, *ws01, *log, *copy, *alone = NULL, *both = NULL, *err = NULL, *data;
	size_t n;

	if (!td)
		return;
	dir = tu_tmpdir();
	snprintf(src, sizeof src, "%s/sample/WS01", td);
	ws01 = tu_path(dir, "WS01");
	{
		char *cp[] = { "/bin/cp", "-r", src, ws01, NULL };

		ck_assert_int_eq(tu_run(cp, NULL, NULL), 0);
	}
	{
		char *argv[] = { (char *)tu_remtrail(), "timeline", "--format", "jsonl", ws01, NULL };

		ck_assert_int_eq(tu_run(argv, &alone, NULL), 0);
		log = tu_path(ws01, "C/Windows/System32/winevt/Logs/Security.evtx");
		data = tu_read_file(log, &n);
		ck_assert_ptr_nonnull(data);
		copy = tu_write_file(ws01, "C/Windows/System32/winevt/Logs/backup/Security.evtx", data,
				     n);
		free(data);
		ck_assert_int_eq(tu_run(argv, &both, &err), 0);
	}
	ck_assert_ptr_nonnull(alone);
	ck_assert_ptr_nonnull(both);
	ck_assert_msg(!strcmp(alone, both), "a copy of a log changed the timeline");
	ck_assert_msg(strstr(err, "backup/Security.evtx: every record of it (") &&
			      strstr(err, "was read before from another log of this host"),
		      "%s", err);
	ck_assert_ptr_null(strstr(err, "Logs/Security.evtx: every record"));
	free(alone);
	free(both);
	free(err);
	free(log);
	free(copy);
	free(ws01);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* Same evidence, any thread count: the same results, byte for byte; with
 * SOURCE_DATE_EPOCH the run record holds that time. */
START_TEST(deterministic_outputs)
{
	const char *td = getenv("RT_TESTDATA");
	char sample[4096], *dir;
	char d1[4096], d4[4096];
	size_t i;

	if (!td)
		return;
	dir = tu_tmpdir();
	snprintf(sample, sizeof sample, "%s/sample", td);
	snprintf(d1, sizeof d1, "%s/a/out", dir);
	snprintf(d4, sizeof d4, "%s/b/out", dir);
	setenv("SOURCE_DATE_EPOCH", "1710237600", 1);
	ck_assert_int_eq(chdir(dir), 0);
	ck_assert_int_eq(mkdir("a", 0777) | mkdir("b", 0777), 0);
	{
		char *argv1[] = { (char *)tu_remtrail(), "analyze", sample, "-o", "out", "-j1", NULL };
		char *argv4[] = { (char *)tu_remtrail(), "analyze", sample, "-o", "out", "-j4", NULL };

		ck_assert_int_eq(chdir("a"), 0);
		ck_assert_int_eq(tu_run(argv1, NULL, NULL), 0);
		ck_assert_int_eq(chdir("../b"), 0);
		ck_assert_int_eq(tu_run(argv4, NULL, NULL), 0);
	}
	unsetenv("SOURCE_DATE_EPOCH");
	for (i = 0; i < 2 * (sizeof unit_files / sizeof *unit_files); i++) {
		const char *f = unit_files[i % (sizeof unit_files / sizeof *unit_files)];
		char name[64], *a, *b;

		snprintf(name, sizeof name, "%s%s", i < 4 ? "" : "hosts/WS01/", f);
		a = read_in(d1, name);
		b = read_in(d4, name);
		if (a && !strcmp(f, "report.json"))
			ck_assert_ptr_nonnull(strstr(a, "\"started\":\"2024-03-12T10:00:00.0000000Z\""));
		results_only(a);
		results_only(b);
		ck_assert_ptr_nonnull(a);
		ck_assert_ptr_nonnull(b);
		ck_assert_msg(!strcmp(a, b), "%s differs between -j1 and -j4", name);
		free(a);
		free(b);
	}
	ck_assert_int_eq(chdir("/"), 0);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* Verdict-shaping options are applied and recorded; --tz adds a local
 * column beside UTC; a bad zone is a usage error. */
START_TEST(options_recorded_and_applied)
{
	char *dir = tu_tmpdir(), ev[4096], out[4096], *err = NULL, *json, *csv;

	snprintf(ev, sizeof ev, "%s/ev", dir);
	snprintf(out, sizeof out, "%s/out", dir);
	story(ev);
	{
		char *argv[] = { (char *)tu_remtrail(), "analyze", ev, "-o", out, "--from",
				 "2024-03-12T09:18:00Z", "--tz", "Europe/Berlin", "--mgmt", "10.0.5.0/24",
				 "--reader", "native", NULL };

		ck_assert_int_eq(tu_run(argv, NULL, &err), 0);
		free(err);
	}
	json = read_in(out, "report.json");
	ck_assert_ptr_nonnull(strstr(json, "\"options\":{\"mgmt\":\"10.0.5.0/24\",\"from\":"
					   "\"2024-03-12T09:18:00.0000000Z\",\"to\":null,\"reader\":\"native\","
					   "\"tz\":\"Europe/Berlin\",\"csv_raw\":false}"));
	/* the change at 09:14 is outside the window: not in the timeline */
	ck_assert_ptr_null(strstr(json, "\"datetime\":\"2024-03-12T09:14:03"));
	csv = read_in(out, "timeline.csv");
	ck_assert_ptr_nonnull(strstr(csv, ",message,local_time,kind,"));
	ck_assert_ptr_nonnull(strstr(csv, "2024-03-12T09:20:00.0000000Z,"));
	ck_assert_ptr_nonnull(strstr(csv, ",2024-03-12T10:20:00.0000000+01:00,"));
	ck_assert_ptr_null(strstr(csv, "2024-03-12T09:14:03"));
	free(json);
	free(csv);
	{
		char *argv[] = { (char *)tu_remtrail(), "analyze", ev, "-o", out, "--force", "--tz",
				 "Mars/Olympus_Mons", NULL };

		ck_assert_int_eq(tu_run(argv, NULL, &err), 2);
		ck_assert_ptr_nonnull(strstr(err, "'Mars/Olympus_Mons' is not in the zone database"));
		free(err);
	}
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* What became of each input: read, unreadable with the reason, skipped
 * with why; listed in report.json and report.txt. */
START_TEST(provenance_states)
{
	char *dir = tu_tmpdir(), ev[4096], out[4096], *err = NULL, *json, *txt, *f;
	static const char ewf[] = "EVF\x09\x0d\x0a\xff\x00";
	char broken[4096];

	snprintf(ev, sizeof ev, "%s/ev", dir);
	snprintf(out, sizeof out, "%s/out", dir);
	story(ev);
	memset(broken, 0, sizeof broken);
	memcpy(broken, "ElfFile", 8);
	f = tu_write_file(dir, "ev/WS01/C/Windows/System32/winevt/Logs/Broken.evtx", broken, sizeof broken);
	free(f);
	f = tu_write_file(dir, "ev/disk.E01", ewf, sizeof ewf);
	free(f);
	ck_assert_int_eq(run_rt("analyze", ev, "-o", out, NULL, NULL, &err), 3);
	free(err);
	json = read_in(out, "report.json");
	ck_assert_ptr_nonnull(strstr(json, "\"relative\":\"WS01/C/Windows/System32/winevt/Logs/Broken.evtx\","
					   "\"sha256\":\""));
	ck_assert_ptr_nonnull(strstr(json, "\"state\":\"unreadable\",\"records\":0,\"notes\":[\"bad file header"));
	ck_assert_ptr_nonnull(strstr(json, "\"relative\":\"disk.E01\""));
	/* an image too short to be one: opened, named, the rest analysed */
	ck_assert_ptr_nonnull(strstr(json, "\"state\":\"unreadable\",\"notes\":[\"cannot read disk image (E01): "));
	ck_assert_ptr_nonnull(strstr(json, "\"summary\":{\"hosts\":1,\"inputs\":"));
	txt = read_in(out, "report.txt");
	ck_assert_ptr_nonnull(strstr(txt, "    unreadable  WS01/C/Windows/System32/winevt/Logs/Broken.evtx"));
	ck_assert_ptr_nonnull(strstr(txt, "    unreadable  disk.E01\n      cannot read disk image (E01): "));
	free(json);
	free(txt);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("analyze");
	TCase *tc = tcase_create("cli");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, help_teaches);
	tcase_add_test(tc, usage_errors);
	tcase_add_test(tc, nothing_to_read_is_failure);
	tcase_add_test(tc, output_folder_rules);
	tcase_add_test(tc, analyze_writes_the_report);
	tcase_add_test(tc, assess_json_and_text);
	tcase_add_test(tc, sample_story);
	tcase_add_test(tc, host_folder_is_self_contained);
	tcase_add_test(tc, big_host_files_written_in_pieces);
	tcase_add_test(tc, many_remote_logons_pair_from_folders);
	tcase_add_test(tc, many_findings_read_back_one_at_a_time);
	tcase_add_test(tc, case_timeline_is_the_timeline);
	tcase_add_test(tc, configuration_is_config);
	tcase_add_test(tc, copies_of_a_log_counted_once);
	tcase_add_test(tc, deterministic_outputs);
	tcase_add_test(tc, options_recorded_and_applied);
	tcase_add_test(tc, provenance_states);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
