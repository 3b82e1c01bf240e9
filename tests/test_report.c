/* report: SHA-256 vectors, the output folder rules, JSON/text writers. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "remtrail/pipeline.h"
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

START_TEST(report_json_and_text)
{
	rt_assess_result *r = sample_result();
	rt_report rep;
	rt_report_input in = { "ev/SYSTEM", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", 3,
			       "WS01", "hive:SYSTEM" };
	rt_report_line line = { "WS01", 133520000000000000ULL, "winrm.inbound", "WinRM shell created from 203.0.113.7",
				"WinRM.evtx #5" };
	rt_buf b = RT_BUF_INIT, b2 = RT_BUF_INIT;
	cJSON *j;

	memset(&rep, 0, sizeof rep);
	rep.version = "0.1.0";
	rep.inputs = &in;
	rep.ninputs = 1;
	rep.hosts = &r;
	rep.nhosts = 1;
	rep.findings_json = "[{\"kind\":\"winrm.inbound\"}]";
	rep.timeline = &line;
	rep.ntimeline = 1;
	rep.findings_total = 1;
	ck_assert_int_eq(rt_report_write_json(&b, &rep), 0);
	j = cJSON_Parse(b.buf);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "inputs"), 0), "sha256")
				 ->valuestring, in.sha256);
	ck_assert(cJSON_IsArray(cJSON_GetObjectItem(j, "configuration")));
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "findings")), 1);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "verdicts")), 1);
	cJSON_Delete(j);
	ck_assert_int_eq(rt_report_write_text(&b2, &rep), 0);
	ck_assert_ptr_nonnull(strstr(b2.buf, "Summary\nHOST"));
	ck_assert_ptr_nonnull(strstr(b2.buf, "WS01             CM0019  not_in_effect  YES"));
	ck_assert_ptr_nonnull(strstr(b2.buf, "BYPASS: re-enabled then used"));
	ck_assert_ptr_nonnull(strstr(b2.buf, "[System.evtx record 9007199254740993 event 7040"));
	ck_assert_ptr_nonnull(strstr(b2.buf, "Key timeline (WS01)"));
	ck_assert_ptr_nonnull(strstr(b2.buf, "WinRM shell created from 203.0.113.7 [WinRM.evtx #5]"));
	ck_assert_ptr_nonnull(strstr(b2.buf, in.sha256));
	rt_buf_release(&b);
	rt_buf_release(&b2);
	rt_assess_result_free(&r);
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
	tcase_add_test(tc, assess_json_shape);
	tcase_add_test(tc, report_json_and_text);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
