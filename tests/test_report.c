/* report: SHA-256 vectors, the output folder rules, JSON/text/CSV writers,
 * escaping, host folder names, the movement graph. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "remtrail/pipeline.h"
#include "remtrail/report.h"
#include "testutil.h"

START_TEST(sha256_vectors)
{
	char hex[65];
	char *million = malloc(1000000);
	rt_sha256 c;
	uint8_t d[32];
	size_t i;

	tu_sha256_hex("", 0, hex);
	ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	tu_sha256_hex("abc", 3, hex);
	ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	tu_sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
	ck_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	ck_assert_ptr_nonnull(million);
	memset(million, 'a', 1000000);
	rt_sha256_init(&c);
	for (i = 0; i < 1000000; i += 999) /* odd chunks cross block edges */
		rt_sha256_update(&c, million + i, 1000000 - i < 999 ? 1000000 - i : 999);
	rt_sha256_final(&c, d);
	rt_hex(d, 32, hex);
	ck_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(million);
}
END_TEST

START_TEST(sha256_file)
{
	char *dir = tu_tmpdir(), *p, hex[65];
	uint64_t size = 0;

	p = tu_write_file(dir, "f", "abc", 3);
	ck_assert_int_eq(rt_sha256_file(p, hex, &size), 0);
	ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	ck_assert_uint_eq(size, 3);
	ck_assert_int_eq(rt_sha256_file("/nonexistent/x", hex, NULL), -1);
	free(p);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* Files handed to a syncer are flushed by its thread while the caller
 * goes on; the wait gives the first failure (fsync of a pipe: EINVAL),
 * which a later end of the same file would no longer see. */
START_TEST(outdir_syncer)
{
	char *dir = tu_tmpdir(), *p, *q;
	rt_outdir_file f[40], bad;
	rt_syncer *s = rt_syncer_new();
	int pfd[2];
	size_t i;

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(rt_syncer_wait(s), 0); /* nothing given yet */
	for (i = 0; i < 40; i++) { /* past its first room for 16 */
		char name[16];

		snprintf(name, sizeof name, "f%zu", i);
		ck_assert_int_eq(rt_outdir_begin(&f[i], dir, name), 0);
		ck_assert_int_eq(rt_outdir_put(&f[i], name, strlen(name)), 0);
		rt_outdir_sync_by(&f[i], s);
	}
	ck_assert_int_eq(rt_syncer_wait(s), 0);
	for (i = 0; i < 40; i++)
		ck_assert_int_eq(rt_outdir_end(&f[i]), 0);
	p = tu_path(dir, "f39");
	q = tu_read_file(p, NULL);
	ck_assert_str_eq(q, "f39");
	free(p);
	free(q);
	/* a file that cannot be flushed */
	ck_assert_int_eq(pipe(pfd), 0);
	memset(&bad, 0, sizeof bad);
	bad.fd = pfd[1];
	rt_outdir_sync_by(&bad, s);
	ck_assert_int_eq(rt_syncer_wait(s), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(rt_syncer_wait(s), -1); /* it stays failed */
	rt_syncer_free(&s);
	ck_assert_ptr_null(s);
	rt_syncer_free(&s);
	close(pfd[0]);
	close(pfd[1]);
	/* without a syncer: the writeback only */
	ck_assert_int_eq(rt_syncer_wait(NULL), 0);
	ck_assert_int_eq(rt_outdir_begin(&f[0], dir, "g"), 0);
	rt_outdir_sync_by(&f[0], NULL);
	ck_assert_int_eq(rt_outdir_end(&f[0]), 0);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(outdir_rules)
{
	char *dir = tu_tmpdir(), err[256], *ev, *out, *f, *txt;
	const char *inputs[1];
	rt_buf b = RT_BUF_INIT;
	struct stat st;

	ev = tu_write_file(dir, "evidence/SYSTEM", "regf", 4);
	*strrchr(ev, '/') = '\0';
	inputs[0] = ev;
	rt_buf_addf(&b, "%s/evidence/out", dir);
	ck_assert_int_eq(rt_outdir_prepare(b.buf, 0, inputs, 1, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "inside the evidence"));
	ck_assert_int_ne(stat(b.buf, &st), 0);
	rt_buf_reset(&b);
	rt_buf_addf(&b, "%s/a/b/out", dir);
	out = strdup(b.buf);
	ck_assert_int_eq(rt_outdir_prepare(out, 0, inputs, 1, err, sizeof err), 0);
	ck_assert_int_eq(stat(out, &st), 0);
	ck_assert_int_eq(rt_outdir_write(out, "report.txt", "hello\n", 6), 0);
	ck_assert_int_eq(rt_outdir_write(out, "report.txt", "again\n", 6), 0);
	rt_buf_reset(&b);
	rt_buf_addf(&b, "%s/report.txt", out);
	txt = tu_read_file(b.buf, NULL);
	ck_assert_str_eq(txt, "again\n");
	free(txt);
	ck_assert_int_eq(rt_outdir_prepare(out, 0, inputs, 1, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "not empty"));
	ck_assert_int_eq(rt_outdir_prepare(out, 1, inputs, 1, err, sizeof err), 0);
	f = tu_write_file(dir, "plainfile", "x", 1);
	ck_assert_int_eq(rt_outdir_prepare(f, 1, NULL, 0, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "not a directory"));
	rt_buf_release(&b);
	free(f);
	free(out);
	free(ev);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

static rt_assess_result *sample_result(void)
{
	static rt_fact facts[4];
	static rt_assess_finding finds[1];
	rt_assess_input in;
	rt_assess_result *r = NULL;

	memset(facts, 0, sizeof facts);
	memset(finds, 0, sizeof finds);
	memset(&in, 0, sizeof in);
	facts[0].name = "service.winrm.start";
	facts[0].value = "disabled";
	facts[0].time = 133500000000000000ULL;
	facts[0].src.file = "C/Windows/System32/config/SYSTEM";
	facts[0].src.key = "ControlSet001\\Services\\WinRM";
	facts[0].src.value_name = "Start";
	facts[1].name = "service.winrm.start";
	facts[1].value = "auto";
	facts[1].old_value = "disabled";
	facts[1].is_change = 1;
	facts[1].time = 133510000000000000ULL;
	facts[1].src.file = "System.evtx";
	facts[1].src.record_id = 9007199254740993ULL; /* > 2^53: must stay exact */
	facts[1].src.event_id = 7040;
	facts[2].name = "winrm.listener.*+HTTP";
	facts[2].value = "5985";
	facts[2].time = 133500000000000000ULL;
	facts[2].src.file = "C/Windows/System32/config/SOFTWARE";
	facts[3].name = "firewall.rule.WINRM-HTTP-In-TCP";
	facts[3].value = "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=5985|";
	facts[3].time = 133500000000000000ULL;
	facts[3].src.file = "C/Windows/System32/config/SYSTEM";
	finds[0].kind = "winrm.inbound";
	finds[0].time = 133520000000000000ULL;
	finds[0].remote_ip = "203.0.113.7";
	finds[0].message = "WinRM shell \"cmd\" created";
	finds[0].src.file = "WinRM.evtx";
	finds[0].src.record_id = 5;
	in.host = "WS01";
	in.system_hive = "C/Windows/System32/config/SYSTEM";
	in.software_hive = "C/Windows/System32/config/SOFTWARE";
	in.facts = facts;
	in.nfacts = 4;
	in.findings = finds;
	in.nfindings = 1;
	ck_assert_int_eq(rt_assess_host(&in, NULL, &r), 0);
	return r;
}

START_TEST(assess_json_shape)
{
	rt_assess_result *r = sample_result();
	rt_buf b = RT_BUF_INIT;
	cJSON *j, *cm;

	ck_assert_int_eq(rt_assess_write_json(&b, &r, 1), 0);
	j = cJSON_Parse(b.buf);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(cJSON_GetObjectItem(j, "schema")->valuestring, "remtrail/1");
	cm = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "hosts"), 0),
						   "countermeasures"), 1);
	ck_assert_str_eq(cJSON_GetObjectItem(cm, "id")->valuestring, "CM0019");
	ck_assert_str_eq(cJSON_GetObjectItem(cm, "state")->valuestring, "not_in_effect");
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(cm, "bypassed")));
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(cm, "bypass"), 0), "route")
				 ->valuestring, "re-enabled then used");
	ck_assert_ptr_nonnull(strstr(b.buf, "\"record_id\":9007199254740993"));
	ck_assert_ptr_nonnull(strstr(b.buf, "\"time\":\"2024-"));
	cJSON_Delete(j);
	rt_buf_release(&b);
	rt_assess_result_free(&r);
}
END_TEST

static char *tdup(const char *s)
{
	char *d = rt_strdup0(s);

	ck_assert_ptr_nonnull(d);
	return d;
}

static void add_finding(rt_findings *l, const char *host, rt_finding_kind k, rt_direction dir,
			uint64_t t, const char *ip, const char *msg, uint64_t rid)
{
	rt_finding *f = rt_findings_add(l);

	ck_assert_ptr_nonnull(f);
	f->timestamp = t;
	f->kind = k;
	f->direction = dir;
	f->host = tdup(host);
	f->channel = tdup("Microsoft-Windows-WinRM/Operational");
	f->event_id = 91;
	f->record_id = rid;
	f->source_file = tdup("ev/WS01/WinRM.evtx");
	f->message = tdup(msg);
	f->remote_ip = ip ? tdup(ip) : NULL;
}

/* A case of one host built by hand: what the writers see, without the
 * pipeline. Freed with rt_analysis_free. */
static rt_analysis *mini_case(void)
{
	rt_analysis *a = calloc(1, sizeof *a);
	rt_analysis_host *h;
	rt_input *in;

	ck_assert_ptr_nonnull(a);
	a->hosts = calloc(1, sizeof *a->hosts);
	a->inputs = calloc(2, sizeof *a->inputs);
	ck_assert_ptr_nonnull(a->hosts);
	ck_assert_ptr_nonnull(a->inputs);
	a->nhosts = 1;
	a->ninputs = 2;
	in = &a->inputs[0];
	in->path = tdup("ev/WS01/SYSTEM");
	in->root = tdup("ev");
	in->rel = tdup("WS01/SYSTEM");
	in->sha256 = tdup("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	in->size = 3;
	in->host = tdup("WS01");
	in->kind = tdup("hive:SYSTEM");
	in = &a->inputs[1];
	in->path = tdup("ev/WS01/WinRM.evtx");
	in->root = tdup("ev");
	in->rel = tdup("WS01/WinRM.evtx");
	in->host = tdup("WS01");
	in->kind = tdup("evtx");
	in->state = RT_INPUT_PARTLY;
	in->records = 7;
	in->notes = calloc(1, sizeof *in->notes);
	in->notes[0] = tdup("bad chunk magic in chunk 2 at offset 0x21000");
	in->nnotes = 1;
	h = &a->hosts[0];
	h->name = tdup("WS01");
	h->dir = tdup("WS01");
	h->name_source = tdup("SYSTEM hive");
	h->time_zone = tdup("W. Europe Standard Time");
	h->has_bias = 1;
	h->active_bias = -60;
	h->verdicts = sample_result();
	h->inputs = calloc(2, sizeof *h->inputs);
	h->inputs[0] = 0;
	h->inputs[1] = 1;
	h->ninputs = 2;
	add_finding(&h->findings, "WS01", RT_FK_WINRM_INBOUND, RT_DIR_INBOUND, 133520000000000000ULL,
		    "203.0.113.7", "WinRM shell created from 203.0.113.7", 5);
	add_finding(&a->findings, "WS01", RT_FK_WINRM_INBOUND, RT_DIR_INBOUND, 133520000000000000ULL,
		    "203.0.113.7", "WinRM shell created from 203.0.113.7", 5);
	{
		const char *names[] = { "WS01" };
		ck_assert_int_eq(rt_moves_build(&a->findings, names, 1, &a->moves, &a->nmoves), 0);
	}
	return a;
}

static const rt_report_opts mini_opts = { "10.0.5.0/24", 0, 0, "auto", NULL, 0 };
static const char *const mini_argv[] = { "remtrail", "analyze", "ev", "-o", "out" };
static const rt_report_run mini_run = { "0.1.0", mini_argv, 5, 1700000000, 1700000060, 2 };

START_TEST(report_json_and_text)
{
	rt_analysis *a = mini_case();
	rt_report rep = { a, &mini_opts, &mini_run };
	rt_buf b = RT_BUF_INIT, b2 = RT_BUF_INIT;
	cJSON *j, *in, *run;
	char *mark;

	ck_assert_int_eq(rt_report_json(&b, &rep, RT_REPORT_CASE), 0);
	j = cJSON_Parse(b.buf);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(cJSON_GetObjectItem(j, "scope")->valuestring, "case");
	in = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "inputs"), 0);
	ck_assert_str_eq(cJSON_GetObjectItem(in, "sha256")->valuestring, a->inputs[0].sha256);
	ck_assert_str_eq(cJSON_GetObjectItem(in, "relative")->valuestring, "WS01/SYSTEM");
	ck_assert_str_eq(cJSON_GetObjectItem(in, "root")->valuestring, "ev");
	in = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "inputs"), 1);
	ck_assert_str_eq(cJSON_GetObjectItem(in, "state")->valuestring, "partly read");
	ck_assert_int_eq(cJSON_GetObjectItem(in, "records")->valueint, 7);
	ck_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(in, "notes"), 0)->valuestring,
			 "bad chunk magic in chunk 2 at offset 0x21000");
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "options"), "mgmt")->valuestring,
			 "10.0.5.0/24");
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "hosts"), 0), "dir")
				 ->valuestring, "WS01");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "findings")), 1);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "verdicts")), 1);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "movement")), 1);
	/* the run record is the last member, apart from the results */
	run = cJSON_GetObjectItem(j, "run");
	ck_assert_ptr_eq(run, j->child->prev);
	ck_assert_str_eq(cJSON_GetObjectItem(run, "started")->valuestring, "2023-11-14T22:13:20.0000000Z");
	ck_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(run, "command_line"), 1)->valuestring,
			 "analyze");
	/* registry times are named for what they are */
	ck_assert_ptr_nonnull(strstr(b.buf, "\"key\":\"ControlSet001\\\\Services\\\\WinRM\",\"value_name\":"
					    "\"Start\",\"last_written\":"));
	cJSON_Delete(j);

	ck_assert_int_eq(rt_report_text(&b2, &rep, RT_REPORT_CASE), 0);
	ck_assert_ptr_nonnull(strstr(b2.buf, "Hosts with inbound use"));
	ck_assert_ptr_nonnull(strstr(b2.buf, "\n  WS01             "));
	ck_assert_ptr_nonnull(strstr(b2.buf, "not_in_effect BYPASSED"));
	ck_assert_ptr_nonnull(strstr(b2.buf, "BYPASS: re-enabled then used"));
	ck_assert_ptr_nonnull(strstr(b2.buf, "[System.evtx record 9007199254740993, event 7040"));
	ck_assert_ptr_nonnull(strstr(b2.buf, "key last written"));
	ck_assert_ptr_nonnull(strstr(b2.buf, "203.0.113.7* -> WS01  winrm: 1 use"));
	ck_assert_ptr_nonnull(strstr(b2.buf, "partly read WS01/WinRM.evtx  (evtx, 7 records)"));
	ck_assert_ptr_nonnull(strstr(b2.buf, "management addresses (--mgmt) 10.0.5.0/24"));
	ck_assert_ptr_nonnull(strstr(b2.buf, "configured time zone: W. Europe Standard Time (UTC+01:00"));
	mark = strstr(b2.buf, RT_REPORT_RUN_MARK "\n");
	ck_assert_ptr_nonnull(mark);
	ck_assert_ptr_nonnull(strstr(mark, "command line: remtrail analyze ev -o out"));
	ck_assert_ptr_eq(strstr(b2.buf, "2023-11-14"), strstr(mark, "2023-11-14"));

	/* the host's own report: its inputs with their hashes */
	rt_buf_reset(&b2);
	ck_assert_int_eq(rt_report_text(&b2, &rep, 0), 0);
	ck_assert_ptr_nonnull(strstr(b2.buf, "- host WS01 (from this host's evidence alone)"));
	ck_assert_ptr_nonnull(strstr(b2.buf, a->inputs[0].sha256));
	ck_assert_ptr_nonnull(strstr(b2.buf, "WinRM shell created from 203.0.113.7 [WS01/WinRM.evtx record 5]"));
	rt_buf_reset(&b);
	ck_assert_int_eq(rt_report_json(&b, &rep, 0), 0);
	j = cJSON_Parse(b.buf);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(cJSON_GetObjectItem(j, "scope")->valuestring, "host");
	cJSON_Delete(j);
	rt_buf_release(&b);
	rt_buf_release(&b2);
	rt_analysis_free(&a);
}
END_TEST

/* rt_report.flush: what the writer hands over, piece by piece. */
typedef struct pieces {
	rt_buf all;
	size_t calls;
} pieces;

static int take_piece(void *ctx, rt_buf *out)
{
	pieces *p = ctx;

	ck_assert_uint_ge(out->len, 64 << 10); /* only once there is that much */
	p->calls++;
	if (rt_buf_add(&p->all, out->buf, out->len))
		return -1;
	rt_buf_reset(out);
	return 0;
}

static int refuse_piece(void *ctx, rt_buf *out)
{
	(void)ctx;
	(void)out;
	return -1;
}

/*
 * Every writer, given a flush, hands its file over in pieces as it makes it
 * (so that a host's files are never whole in memory) and the pieces and
 * what is left make the same bytes as the file made whole; a flush that
 * fails stops the writer.
 */
START_TEST(writers_flush_in_pieces)
{
	typedef int (*writer)(rt_buf *, const rt_report *, size_t);
	static const writer writers[] = { rt_report_json, rt_report_text, rt_report_html };
	rt_analysis *a = mini_case();
	rt_report whole = { a, &mini_opts, &mini_run, NULL, NULL };
	size_t i, w, scope;

	/* enough findings for every file to pass 64 KiB several times over */
	for (i = 0; i < 3000; i++) {
		char msg[96];

		snprintf(msg, sizeof msg, "WinRM shell <%zu> created from 203.0.113.7 & \"quoted\"", i);
		add_finding(&a->hosts[0].findings, "WS01", RT_FK_WINRM_INBOUND, RT_DIR_INBOUND,
			    133520000000000000ULL + i * 600000000ULL, "203.0.113.7", msg, 100 + i);
		add_finding(&a->findings, "WS01", RT_FK_WINRM_INBOUND, RT_DIR_INBOUND,
			    133520000000000000ULL + i * 600000000ULL, "203.0.113.7", msg, 100 + i);
	}
	for (scope = 0; scope < 2; scope++) {
		size_t host = scope ? RT_REPORT_CASE : 0;

		for (w = 0; w < 5; w++) {
			rt_buf b = RT_BUF_INIT, ref = RT_BUF_INIT;
			pieces p = { RT_BUF_INIT, 0 };
			rt_report rep = whole;
			int rc;

			rep.flush = take_piece;
			rep.flush_ctx = &p;
			if (w < 3) {
				ck_assert_int_eq(writers[w](&ref, &whole, host), 0);
				rc = writers[w](&b, &rep, host);
			} else {
				ck_assert_int_eq(rt_report_timeline(&ref, &whole, host, w == 3), 0);
				rc = rt_report_timeline(&b, &rep, host, w == 3);
			}
			ck_assert_int_eq(rc, 0);
			/* (the case's report.txt lists a few findings a host: small) */
			ck_assert(scope || ref.len > (256 << 10));
			ck_assert_msg(p.calls >= ref.len / (128 << 10), "writer %zu scope %zu: %zu pieces of %zu bytes",
				      w, scope, p.calls, ref.len);
			/* what is left: the last piece and what follows the findings */
			ck_assert_uint_lt(b.len, 128 << 10);
			ck_assert(!p.calls || b.len < ref.len / 4);
			ck_assert_int_eq(rt_buf_add(&p.all, b.buf, b.len), 0);
			ck_assert_uint_eq(p.all.len, ref.len);
			ck_assert(memcmp(p.all.buf, ref.buf, ref.len) == 0);
			/* a failing flush ends the file with an error */
			rt_buf_reset(&b);
			rep.flush = refuse_piece;
			ck_assert_int_eq(w < 3 ? writers[w](&b, &rep, host)
					       : rt_report_timeline(&b, &rep, host, w == 3), p.calls ? -1 : 0);
			rt_buf_release(&b);
			rt_buf_release(&ref);
			rt_buf_release(&p.all);
		}
	}
	rt_analysis_free(&a);
}
END_TEST

/* Every line of the text report stays short, whatever a value holds. */
START_TEST(text_wraps_long_values)
{
	rt_analysis *a = mini_case();
	rt_report rep = { a, &mini_opts, &mini_run };
	rt_buf b = RT_BUF_INIT, big = RT_BUF_INIT;
	const char *p, *nl;
	int i;

	for (i = 0; i < 300; i++)
		rt_buf_adds(&big, i % 7 ? "x" : "verylongtoken_without_spaces_");
	free(a->hosts[0].findings.items[0].message);
	a->hosts[0].findings.items[0].message = rt_buf_detach(&big, NULL);
	ck_assert_int_eq(rt_report_text(&b, &rep, 0), 0);
	for (p = b.buf; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		ck_assert_ptr_nonnull(nl);
		ck_assert_uint_lt((size_t)(nl - p), RT_REPORT_WIDTH);
	}
	rt_buf_release(&b);
	rt_analysis_free(&a);
}
END_TEST

START_TEST(host_folder_names)
{
	static const char *const cases[][2] = {
		{ "WS01", "WS01" },
		{ "..", "%2E%2E" },
		{ ".hidden", "%2Ehidden" },
		{ "a/b", "a%2Fb" },
		{ "CON", "CO%4E" },
		{ "com1.corp", "com%31.corp" },
		{ "CONSOLE", "CONSOLE" },
		{ "ws\x1b[31m", "ws%1B%5B31m" },
		{ "caf\xc3\xa9", "caf%C3%A9" },
		{ "50%", "50%25" },
		{ "name.", "name%2E" },
	};
	rt_buf b = RT_BUF_INIT;
	size_t i;
	char longname[300];

	for (i = 0; i < sizeof cases / sizeof *cases; i++) {
		rt_buf_reset(&b);
		ck_assert_int_eq(rt_host_dirname(&b, cases[i][0]), 0);
		ck_assert_str_eq(b.buf, cases[i][1]);
	}
	memset(longname, 'A', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	rt_buf_reset(&b);
	ck_assert_int_eq(rt_host_dirname(&b, longname), 0);
	ck_assert_uint_le(b.len, 64 + 9);
	ck_assert_ptr_nonnull(strchr(b.buf, '~'));
	rt_buf_release(&b);
}
END_TEST

START_TEST(movement_pairs_once)
{
	rt_findings f = RT_FINDINGS_INIT;
	const char *hosts[] = { "PC01", "SRV01" };
	rt_move *m = NULL;
	size_t n = 0;

	add_finding(&f, "PC01", RT_FK_WMI_OUTBOUND, RT_DIR_OUTBOUND, 100, "10.0.0.2", "out", 1);
	add_finding(&f, "SRV01", RT_FK_WMI_INBOUND, RT_DIR_INBOUND, 101, "10.0.0.1", "in", 2);
	f.items[0].paired = 1;
	f.items[1].paired = 0;
	add_finding(&f, "SRV01", RT_FK_WINRM_FAILED, RT_DIR_INBOUND, 102, "203.0.113.9", "refused", 3);
	add_finding(&f, "SRV01", RT_FK_SERVICE_CHANGE, RT_DIR_NONE, 103, NULL, "change", 4);
	ck_assert_int_eq(rt_moves_build(&f, hosts, 2, &m, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(m[0].src, "203.0.113.9");
	ck_assert_str_eq(m[0].protocol, "winrm");
	ck_assert_uint_eq(m[0].refused, 1);
	ck_assert_uint_eq(m[0].count, 0);
	ck_assert_int_eq(m[0].src_known, 0);
	ck_assert_str_eq(m[1].src, "PC01");
	ck_assert_str_eq(m[1].dst, "SRV01");
	ck_assert_str_eq(m[1].protocol, "wmi");
	ck_assert_uint_eq(m[1].count, 1);
	ck_assert_uint_eq(m[1].paired, 1);
	ck_assert_int_eq(m[1].dst_known, 1);
	rt_moves_free(m, n);
	rt_findings_release(&f);
}
END_TEST

/* Timesketch's required fields, microseconds, and the local column. */
START_TEST(timeline_fields)
{
	rt_findings f = RT_FINDINGS_INIT;
	rt_timeline_opts o = { 0, 0 };
	rt_buf b = RT_BUF_INIT;
	uint64_t t;
	cJSON *j;

	ck_assert_int_eq(rt_time_parse("2024-03-12T09:20:00.1234567Z", &t), 0);
	add_finding(&f, "WS01", RT_FK_WINRM_INBOUND, RT_DIR_INBOUND, t, "203.0.113.7", "-shell\nfake", 5);
	ck_assert_int_eq(rt_timeline_json(&b, &f, 0, &o), 0);
	j = cJSON_Parse(b.buf);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(cJSON_GetObjectItem(j, "datetime")->valuestring, "2024-03-12T09:20:00.1234567Z");
	ck_assert_ptr_nonnull(strstr(b.buf, "\"timestamp\":1710235200123456,"));
	ck_assert_str_eq(cJSON_GetObjectItem(j, "timestamp_desc")->valuestring, "Event Recorded");
	ck_assert_str_eq(cJSON_GetObjectItem(j, "message")->valuestring, "-shell\nfake");
	cJSON_Delete(j);
	rt_buf_reset(&b);
	ck_assert_int_eq(rt_timeline_csv_header(&b, &o), 0);
	ck_assert_ptr_eq(strstr(b.buf, "datetime,timestamp,timestamp_desc,message,kind,"), b.buf);
	rt_buf_reset(&b);
	ck_assert_int_eq(rt_timeline_csv(&b, &f, 0, &o), 0);
	ck_assert_ptr_nonnull(strstr(b.buf, ",1710235200123456,Event Recorded,\"'-shell\\nfake\",winrm.inbound,"));
	setenv("TZ", "UTC-2", 1); /* POSIX: two hours east */
	tzset();
	o.local = 1;
	rt_buf_reset(&b);
	ck_assert_int_eq(rt_timeline_csv_header(&b, &o), 0);
	ck_assert_ptr_nonnull(strstr(b.buf, "message,local_time,kind"));
	rt_buf_reset(&b);
	ck_assert_int_eq(rt_timeline_json(&b, &f, 0, &o), 0);
	ck_assert_ptr_nonnull(strstr(b.buf, "\"local_time\":\"2024-03-12T11:20:00.1234567+02:00\""));
	ck_assert_ptr_nonnull(strstr(b.buf, "\"datetime\":\"2024-03-12T09:20:00.1234567Z\""));
	unsetenv("TZ");
	tzset();
	rt_buf_release(&b);
	rt_findings_release(&f);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("report");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, sha256_vectors);
	tcase_add_test(tc, sha256_file);
	tcase_add_test(tc, outdir_rules);
	tcase_add_test(tc, outdir_syncer);
	tcase_add_test(tc, assess_json_shape);
	tcase_add_test(tc, report_json_and_text);
	tcase_add_test(tc, writers_flush_in_pieces);
	tcase_add_test(tc, text_wraps_long_values);
	tcase_add_test(tc, host_folder_names);
	tcase_add_test(tc, movement_pairs_once);
	tcase_add_test(tc, timeline_fields);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
