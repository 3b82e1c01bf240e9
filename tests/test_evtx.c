/* The evtx module: the XML scanner behind field names, reader choice. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evtx_writer.h"
#include "remtrail/evtx.h"
#include "test_evtx_files.h"
#include "testutil.h"

static rt_evtx_xml X;
static rt_event E;

static int parse(const char *xml)
{
	memset(&E, 0, sizeof E);
	return rt_evtx_xml_parse(&X, xml, strlen(xml), &E);
}

static void setup(void)
{
	rt_evtx_xml_init(&X);
}

static void teardown(void)
{
	rt_evtx_xml_release(&X);
}

#define SYS_OPEN "<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\">\n  <System>\n"
#define SYS_CLOSE "  </System>\n"

static const char *sample =
	SYS_OPEN
	"    <Provider Name=\"Microsoft-Windows-Security-Auditing\" Guid=\"{54849625-5478-4994-A5BA-3E3B0328C30D}\"/>\n"
	"    <EventID Qualifiers=\"16384\">4624</EventID>\n"
	"    <Version>2</Version>\n"
	"    <Level>0</Level>\n"
	"    <TimeCreated SystemTime=\"2021-10-20T13:39:17.315479800Z\"/>\n"
	"    <EventRecordID>67101</EventRecordID>\n"
	"    <Correlation/>\n"
	"    <Execution ProcessID=\"732\" ThreadID=\"3728\"/>\n"
	"    <Channel>Security</Channel>\n"
	"    <Computer>FS03.offsec.lan</Computer>\n"
	"    <Security UserID=\"S-1-5-18\"/>\n"
	SYS_CLOSE
	"  <EventData>\n"
	"    <Data Name=\"TargetUserName\">admmig</Data>\n"
	"    <Data Name=\"LogonType\">3</Data>\n"
	"    <Data Name=\"IpAddress\">10.0.0.5</Data>\n"
	"    <Data Name=\"Empty\"></Data>\n"
	"    <Data Name=\"SelfClosed\"/>\n"
	"  </EventData>\n"
	"</Event>\n";

/* rt_event_get by name, with the lengths the decoder gives (0: unknown)
 * and without them: the same answers. */
START_TEST(get_by_name_with_lengths)
{
	static const rt_field f[] = { { "IpAddress", "10.0.0.5" }, { "IpPort", "445" },
				      { "LogonType", "3" }, { "Ip", "short" }, { "X", "" } };
	static const uint32_t known[] = { 9, 8, 6, 3, 9, 1, 2, 5, 1, 0 };
	static const uint32_t unknown[] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	static const uint32_t mixed[] = { 0, 8, 6, 3, 0, 1, 2, 5, 1, 0 };
	const uint32_t *lens[] = { NULL, known, unknown, mixed };
	rt_event ev;
	size_t k;

	memset(&ev, 0, sizeof ev);
	ev.fields = f;
	ev.nfields = 5;
	for (k = 0; k < 4; k++) {
		ev.field_lens = lens[k];
		ck_assert_str_eq(rt_event_get(&ev, "IpAddress"), "10.0.0.5");
		ck_assert_str_eq(rt_event_get(&ev, "IpPort"), "445");
		ck_assert_str_eq(rt_event_get(&ev, "LogonType"), "3");
		ck_assert_str_eq(rt_event_get(&ev, "Ip"), "short");
		ck_assert_str_eq(rt_event_get(&ev, "X"), "");
		ck_assert_ptr_null(rt_event_get(&ev, "IpAddres"));
		ck_assert_ptr_null(rt_event_get(&ev, "IpAddressX"));
		ck_assert_ptr_null(rt_event_get(&ev, "Y"));
		ck_assert_ptr_null(rt_event_get(&ev, ""));
		ck_assert_str_eq(rt_event_gets(&ev, "Nope"), "");
	}
}
END_TEST

START_TEST(system_values)
{
	char t[RT_TIME_MAX];

	ck_assert_int_eq(parse(sample), 0);
	ck_assert_str_eq(E.provider, "Microsoft-Windows-Security-Auditing");
	ck_assert_uint_eq(E.event_id, 4624);
	ck_assert_uint_eq(E.qualifiers, 16384);
	ck_assert_uint_eq(E.level, 0);
	ck_assert_uint_eq(E.record_id, 67101);
	ck_assert_uint_eq(E.process_id, 732);
	ck_assert_uint_eq(E.thread_id, 3728);
	ck_assert_str_eq(E.channel, "Security");
	ck_assert_str_eq(E.computer, "FS03.offsec.lan");
	ck_assert_str_eq(E.user_sid, "S-1-5-18");
	ck_assert_int_eq(X.has_time, 1);
	rt_time_format(E.timestamp, t);
	ck_assert_str_eq(t, "2021-10-20T13:39:17.3154798Z");
}
END_TEST

START_TEST(named_data)
{
	ck_assert_int_eq(parse(sample), 0);
	ck_assert_uint_eq(E.nfields, 5);
	ck_assert_str_eq(E.fields[0].name, "TargetUserName");
	ck_assert_str_eq(E.fields[0].value, "admmig");
	ck_assert_str_eq(rt_event_gets(&E, "LogonType"), "3");
	ck_assert_str_eq(rt_event_gets(&E, "IpAddress"), "10.0.0.5");
	ck_assert_str_eq(rt_event_get(&E, "Empty"), "");
	ck_assert_str_eq(rt_event_get(&E, "SelfClosed"), "");
	/* System values are not fields */
	ck_assert_ptr_null(rt_event_get(&E, "Channel"));
	ck_assert_ptr_null(rt_event_get(&E, "Version"));
}
END_TEST

START_TEST(entities)
{
	ck_assert_int_eq(
		parse(SYS_OPEN "<Provider Name=\"A&amp;B &quot;x&quot;\"/><Channel>a&lt;b&gt;c</Channel>" SYS_CLOSE
		      "<EventData><Data Name=\"Cmd\">cmd /c &quot;echo &apos;x&apos; &amp;&amp; dir&quot; &gt; out</Data>"
		      "<Data Name=\"Num\">&#65;&#x42;&#x20AC;&#128512;</Data>"
		      "<Data Name=\"Bad\">&unknown; &#xZZ; &# &amp</Data>"
		      "<Data Name=\"Zero\">&#0;&#xD800;&#x110000;</Data>"
		      "<Data Name=\"a&amp;b\">v</Data></EventData></Event>"),
		0);
	ck_assert_str_eq(E.provider, "A&B \"x\"");
	ck_assert_str_eq(E.channel, "a<b>c");
	ck_assert_str_eq(rt_event_gets(&E, "Cmd"), "cmd /c \"echo 'x' && dir\" > out");
	ck_assert_str_eq(rt_event_gets(&E, "Num"), "AB\xe2\x82\xac\xf0\x9f\x98\x80");
	ck_assert_str_eq(rt_event_gets(&E, "Bad"), "&unknown; &#xZZ; &# &amp");
	ck_assert_str_eq(rt_event_gets(&E, "Zero"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	ck_assert_str_eq(rt_event_gets(&E, "a&b"), "v");
}
END_TEST

START_TEST(unnamed_data_and_binary)
{
	ck_assert_int_eq(parse(SYS_OPEN "<Provider Name=\"PowerShell\"/>" SYS_CLOSE
			       "<EventData>\n<Data>Available</Data>\n<Data>None</Data>\n"
			       "<Data Name=\"Named\">n</Data>\n<Data/>\n"
			       "<Binary>184800000E00</Binary>\n</EventData></Event>"),
			 0);
	ck_assert_uint_eq(E.nfields, 5);
	ck_assert_str_eq(E.fields[0].name, "Data[1]");
	ck_assert_str_eq(E.fields[0].value, "Available");
	ck_assert_str_eq(E.fields[1].name, "Data[2]");
	ck_assert_str_eq(E.fields[1].value, "None");
	ck_assert_str_eq(E.fields[2].name, "Named");
	ck_assert_str_eq(E.fields[3].name, "Data[3]");
	ck_assert_str_eq(E.fields[3].value, "");
	ck_assert_str_eq(E.fields[4].name, "Binary");
	ck_assert_str_eq(E.fields[4].value, "184800000E00");
}
END_TEST

START_TEST(empty_binary)
{
	ck_assert_int_eq(parse(SYS_OPEN SYS_CLOSE "<EventData><Data>x</Data><Binary/></EventData></Event>"), 0);
	ck_assert_str_eq(rt_event_get(&E, "Binary"), "");
}
END_TEST

START_TEST(duplicate_names)
{
	ck_assert_int_eq(parse(SYS_OPEN SYS_CLOSE "<EventData>"
			       "<Data Name=\"X\">1</Data><Data Name=\"X\">2</Data>"
			       "<Data Name=\"X[3]\">literal</Data><Data Name=\"X\">3</Data>"
			       "<Data Name=\"X\">4</Data></EventData></Event>"),
			 0);
	ck_assert_uint_eq(E.nfields, 5);
	ck_assert_str_eq(E.fields[0].name, "X");
	ck_assert_str_eq(E.fields[1].name, "X[2]");
	ck_assert_str_eq(E.fields[1].value, "2");
	ck_assert_str_eq(E.fields[2].name, "X[3]");
	ck_assert_str_eq(E.fields[2].value, "literal");
	/* X[3] is taken: the next duplicate skips to X[4] */
	ck_assert_str_eq(E.fields[3].name, "X[4]");
	ck_assert_str_eq(E.fields[3].value, "3");
	ck_assert_str_eq(E.fields[4].name, "X[5]");
}
END_TEST

START_TEST(many_duplicates_stay_unique)
{
	rt_buf b = RT_BUF_INIT;
	size_t i, j;

	rt_buf_adds(&b, SYS_OPEN SYS_CLOSE "<EventData>");
	for (i = 0; i < 3000; i++)
		rt_buf_adds(&b, i % 2 ? "<Data Name=\"A\">v</Data>" : "<Data>u</Data>");
	rt_buf_adds(&b, "</EventData></Event>");
	ck_assert_int_eq(rt_evtx_xml_parse(&X, b.buf, b.len, &E), 0);
	ck_assert_uint_eq(E.nfields, 3000);
	ck_assert_str_eq(E.fields[1].name, "A");
	ck_assert_str_eq(E.fields[3].name, "A[2]");
	ck_assert_str_eq(E.fields[2998].name, "Data[1500]");
	for (i = 0; i < 60; i++)
		for (j = i + 1; j < 60; j++)
			ck_assert_str_ne(E.fields[i].name, E.fields[j].name);
	rt_buf_release(&b);
}
END_TEST

START_TEST(userdata_leaves)
{
	ck_assert_int_eq(
		parse(SYS_OPEN "<EventID>1102</EventID>" SYS_CLOSE
		      "<UserData>\n"
		      "  <LogFileCleared xmlns=\"http://manifests.microsoft.com/win/2004/08/windows/eventlog\">\n"
		      "    <SubjectUserSid>S-1-5-21-1</SubjectUserSid>\n"
		      "    <SubjectUserName>admmig</SubjectUserName>\n"
		      "    <Nested a=\"ignored\"><Inner attr=\"x\">deep</Inner><ns:Other>o</ns:Other></Nested>\n"
		      "    <EmptyLeaf/>\n"
		      "    <SubjectUserName>again</SubjectUserName>\n"
		      "  </LogFileCleared>\n"
		      "</UserData>\n</Event>\n"),
		0);
	ck_assert_uint_eq(E.event_id, 1102);
	ck_assert_uint_eq(E.nfields, 6);
	ck_assert_str_eq(E.fields[0].name, "SubjectUserSid");
	ck_assert_str_eq(E.fields[1].value, "admmig");
	ck_assert_str_eq(E.fields[2].name, "Inner");
	ck_assert_str_eq(E.fields[2].value, "deep");
	ck_assert_str_eq(E.fields[3].name, "Other");
	ck_assert_str_eq(E.fields[4].name, "EmptyLeaf");
	ck_assert_str_eq(E.fields[4].value, "");
	ck_assert_str_eq(E.fields[5].name, "SubjectUserName[2]");
	ck_assert_str_eq(E.fields[5].value, "again");
	ck_assert_ptr_null(rt_event_get(&E, "LogFileCleared"));
	ck_assert_ptr_null(rt_event_get(&E, "Nested"));
}
END_TEST

START_TEST(processing_error_data)
{
	ck_assert_int_eq(parse(SYS_OPEN SYS_CLOSE "<ProcessingErrorData><ErrorCode>15005</ErrorCode>"
			       "<DataItemName>shellId</DataItemName><EventPayload>AB</EventPayload>"
			       "</ProcessingErrorData><RenderingInfo Culture=\"en\"><Message>m</Message>"
			       "</RenderingInfo></Event>"),
			 0);
	ck_assert_uint_eq(E.nfields, 3);
	ck_assert_str_eq(rt_event_gets(&E, "ErrorCode"), "15005");
	ck_assert_str_eq(rt_event_gets(&E, "DataItemName"), "shellId");
	ck_assert_ptr_null(rt_event_get(&E, "Message"));
}
END_TEST

START_TEST(cdata_comments_pi)
{
	ck_assert_int_eq(parse("<?xml version=\"1.0\"?>\n<!-- lead -->\n" SYS_OPEN SYS_CLOSE
			       "<EventData><Data Name=\"Script\"><![CDATA[if (a < b && c) { x }]]></Data>"
			       "<Data Name=\"Mixed\">pre <![CDATA[<raw&amp;>]]> &amp;post<!-- skip --></Data>"
			       "</EventData></Event>"),
			 0);
	ck_assert_str_eq(rt_event_gets(&E, "Script"), "if (a < b && c) { x }");
	ck_assert_str_eq(rt_event_gets(&E, "Mixed"), "pre <raw&amp;> &post");
}
END_TEST

START_TEST(whitespace_is_kept_in_values)
{
	ck_assert_int_eq(parse(SYS_OPEN SYS_CLOSE "<EventData>\n    <Data Name=\"SidList\">\n\t\t%{S-1-5-21}</Data>\n"
			       "  </EventData></Event>"),
			 0);
	ck_assert_str_eq(rt_event_gets(&E, "SidList"), "\n\t\t%{S-1-5-21}");
}
END_TEST

START_TEST(missing_time_and_absent_strings)
{
	ck_assert_int_eq(parse(SYS_OPEN "<TimeCreated SystemTime=\"garbage\"/>" SYS_CLOSE "</Event>"), 0);
	ck_assert_int_eq(X.has_time, 0);
	ck_assert_uint_eq(E.timestamp, 0);
	ck_assert_str_eq(E.channel, "");
	ck_assert_str_eq(E.computer, "");
	ck_assert_str_eq(E.provider, "");
	ck_assert_str_eq(E.user_sid, "");
	ck_assert_uint_eq(E.nfields, 0);
}
END_TEST

START_TEST(malformed_input_is_bounded)
{
	static const char *bad[] = {
		"",
		"<",
		"<Event",
		"<Event><System><Channel>abc",
		"<Event><System><Provider Name=\"unterminated",
		"<Event><System><Provider Name=x/></System></Event>",
		"</Event>",
		"<Event></System></Event>",
		"<Event><EventData><Data Name=\"a\">v</Data></EventData>",
		"<Event><![CDATA[never closed",
		"<Event><!-- never closed",
		"<Event><?pi never closed",
		"<Event><EventData><Data Name=\"a\">&#99999999999999999;</Data></EventData></Event>",
		"<<<<>>>></></>",
		"<Event a='1' b=\"2\" c></Event>",
	};
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = parse(bad[i]);

		ck_assert_msg(rc >= 0, "case %zu", i);
		ck_assert_ptr_nonnull(E.channel);
		ck_assert_ptr_nonnull(E.computer);
	}
	ck_assert_int_eq(parse("<Event><EventData><Data Name=\"a\">v</Data></EventData>"), 1);
	ck_assert_str_eq(rt_event_gets(&E, "a"), "v");
}
END_TEST

START_TEST(deep_nesting_is_refused)
{
	rt_buf b = RT_BUF_INIT;
	int i;

	for (i = 0; i < 10000; i++)
		rt_buf_adds(&b, "<a>");
	ck_assert_int_eq(rt_evtx_xml_parse(&X, b.buf, b.len, &E), 1);
	rt_buf_release(&b);
}
END_TEST

START_TEST(not_nul_terminated)
{
	/* the scanner must stop at len, not at a NUL */
	char *buf = malloc(64);
	size_t n = strlen("<Event><System><Channel>abc</Channel>");

	memcpy(buf, "<Event><System><Channel>abc</Channel>", n);
	ck_assert_int_eq(rt_evtx_xml_parse(&X, buf, n, &E), 1);
	ck_assert_str_eq(E.channel, "abc");
	free(buf);
}
END_TEST

START_TEST(state_is_reused)
{
	ck_assert_int_eq(parse(sample), 0);
	ck_assert_int_eq(parse(SYS_OPEN "<Channel>Other</Channel>" SYS_CLOSE
			       "<EventData><Data Name=\"LogonType\">10</Data></EventData></Event>"),
			 0);
	ck_assert_uint_eq(E.nfields, 1);
	ck_assert_str_eq(E.channel, "Other");
	ck_assert_str_eq(E.computer, "");
	ck_assert_uint_eq(E.record_id, 0);
	ck_assert_str_eq(rt_event_gets(&E, "LogonType"), "10");
}
END_TEST

START_TEST(reader_names)
{
	rt_reader r = RT_READER_NATIVE;

	ck_assert_int_eq(rt_reader_parse("auto", &r), 0);
	ck_assert_int_eq(r, RT_READER_AUTO);
	ck_assert_int_eq(rt_reader_parse("libevtx", &r), 0);
	ck_assert_int_eq(r, RT_READER_LIBEVTX);
	ck_assert_int_eq(rt_reader_parse("native", &r), 0);
	ck_assert_int_eq(r, RT_READER_NATIVE);
	ck_assert_int_eq(rt_reader_parse("LIBEVTX", &r), -1);
	ck_assert_int_eq(rt_reader_parse(NULL, &r), -1);
}
END_TEST

static int count_cb(void *ctx, const rt_event *ev)
{
	(*(int *)ctx)++;
	(void)ev;
	return 0;
}

START_TEST(not_evtx_is_an_error)
{
	char *dir = tu_tmpdir();
	char *p = tu_write_file(dir, "x.evtx", "regf not an event log, really", 29);
	char *empty = tu_write_file(dir, "empty.evtx", "", 0);
	char *missing = malloc(strlen(dir) + 20);
	char *computer = (char *)1;
	rt_diag d;
	int n = 0;

	snprintf(missing, strlen(dir) + 20, "%s/none.evtx", dir);
	rt_diag_init(&d, NULL, NULL);
	ck_assert_int_eq(rt_evtx_read(p, NULL, count_cb, &n, &d), -1);
	ck_assert_int_eq(rt_evtx_read(empty, NULL, count_cb, &n, &d), -1);
	ck_assert_int_eq(rt_evtx_read(missing, NULL, count_cb, &n, &d), -1);
	ck_assert_uint_eq(d.errors, 3);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(rt_evtx_probe_computer(p, &computer), -1);
	ck_assert_ptr_null(computer);
	rt_diag_release(&d);
	free(p);
	free(empty);
	free(missing);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* ---------------------------------------------------------- reading files */

typedef struct got {
	rt_event *ev[EF_BIG_RECORDS + 8];
	size_t n;
	size_t stop_after; /* 0: never */
	rt_buf msgs;
} got;

static int keep(void *ctx, const rt_event *ev)
{
	got *g = ctx;

	ck_assert_uint_lt(g->n, sizeof g->ev / sizeof g->ev[0]);
	g->ev[g->n] = rt_event_copy(ev);
	ck_assert_ptr_nonnull(g->ev[g->n]);
	g->n++;
	return g->stop_after && g->n >= g->stop_after;
}

static void note(void *ctx, rt_diag_level level, const char *subject, const char *message)
{
	got *g = ctx;

	rt_buf_addf(&g->msgs, "%s: %s: %s\n", level == RT_DIAG_ERROR ? "error" : "warning", subject,
		    message);
}

static void got_release(got *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		free(g->ev[i]);
	rt_buf_release(&g->msgs);
	memset(g, 0, sizeof *g);
}

static int read_file(const char *path, const rt_evtx_opts *o, got *g, rt_diag *d)
{
	rt_diag_init(d, note, g);
	return rt_evtx_read(path, o, keep, g, d);
}

START_TEST(read_good_log)
{
	unsigned flags = _i ? TW_TEMPLATES : 0;
	char *dir = tu_tmpdir(), *p = ef_write_good(dir, "Security.evtx", flags);
	got g = { .n = 0 };
	rt_diag d;
	const rt_event *e;
	char t[RT_TIME_MAX];

	rt_buf_init(&g.msgs, 0);
	ck_assert_int_eq(read_file(p, NULL, &g, &d), 0);
	ck_assert_msg(d.errors == 0 && d.warnings == 0, "%s", g.msgs.buf);
	ck_assert_uint_eq(g.n, EF_GOOD_RECORDS);

	e = g.ev[0];
	rt_time_format(e->timestamp, t);
	ck_assert_str_eq(t, "2024-05-01T10:00:00.1234567Z");
	ck_assert_uint_eq(e->written, e->timestamp);
	ck_assert_uint_eq(e->record_id, 100);
	ck_assert_uint_eq(e->record_number, 100);
	ck_assert_uint_eq(e->event_id, 4624);
	ck_assert_str_eq(e->channel, "Security");
	ck_assert_str_eq(e->provider, "Microsoft-Windows-Security-Auditing");
	ck_assert_str_eq(e->computer, "WS1.corp.local");
	ck_assert_str_eq(e->host, "WS1.corp.local");
	ck_assert_str_eq(e->source_file, p);
	ck_assert_uint_eq(e->process_id, 612);
	ck_assert_uint_eq(e->thread_id, 2000);
	ck_assert_uint_eq(e->nfields, 6);
	ck_assert_str_eq(rt_event_gets(e, "SubjectUserSid"), "S-1-5-18");
	ck_assert_str_eq(rt_event_gets(e, "LogonType"), "3");
	ck_assert_str_eq(rt_event_gets(e, "IpAddress"), "10.1.2.3");
	ck_assert_str_eq(rt_event_gets(e, "LogonProcessName"), "NtLmSsp ");
	/* libevtx pads 64-bit hex to 16 digits */
	ck_assert_str_eq(rt_event_gets(e, "TargetLogonId"), "0x000000000003e7ab");

	e = g.ev[1];
	ck_assert_uint_eq(e->event_id, 7036);
	ck_assert_uint_eq(e->qualifiers, 16384);
	ck_assert_str_eq(e->channel, "System");
	ck_assert_str_eq(e->provider, "Service Control Manager");
	ck_assert_str_eq(rt_event_gets(e, "Data[1]"), "Windows Remote Management (WS-Management)");
	ck_assert_str_eq(rt_event_gets(e, "Data[2]"), "running");
	ck_assert_str_eq(rt_event_gets(e, "Binary"), "57696E524D");

	e = g.ev[2];
	ck_assert_uint_eq(e->event_id, 1102);
	ck_assert_uint_eq(e->nfields, 2);
	ck_assert_str_eq(rt_event_gets(e, "SubjectUserName"), "admin");
	ck_assert_ptr_null(rt_event_get(e, "LogFileCleared"));

	e = g.ev[3];
	ck_assert_uint_eq(e->event_id, 4688);
	ck_assert_str_eq(e->user_sid, "S-1-5-18");
	ck_assert_str_eq(rt_event_gets(e, "CommandLine"), "cmd /c \"echo a<b & dir\" > out.txt");
	ck_assert_str_eq(rt_event_gets(e, "NewProcessName"), "C:\\Windows\\System32\\wsmprovhost.exe");

	got_release(&g);
	rt_diag_release(&d);
	free(p);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(options_host_display_stop)
{
	char *dir = tu_tmpdir(), *p = ef_write_good(dir, "x.evtx", 0), *c = NULL;
	rt_evtx_opts o = { RT_READER_LIBEVTX, 1, "HOSTA", "shown/x.evtx", 0 };
	got g = { .n = 0 };
	rt_diag d;

	rt_buf_init(&g.msgs, 0);
	g.stop_after = 2;
	ck_assert_int_eq(read_file(p, &o, &g, &d), 0);
	ck_assert_uint_eq(g.n, 2);
	ck_assert_str_eq(g.ev[0]->host, "HOSTA");
	ck_assert_str_eq(g.ev[1]->source_file, "shown/x.evtx");
	ck_assert_int_eq(rt_evtx_probe_computer(p, &c), 0);
	ck_assert_str_eq(c, "WS1.corp.local");
	free(c);
	got_release(&g);
	rt_diag_release(&d);
	free(p);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(readers_agree)
{
	char *dir = tu_tmpdir(), *p = ef_write_good(dir, "x.evtx", _i ? TW_TEMPLATES : 0);
	rt_evtx_opts ol = { RT_READER_LIBEVTX, 1, NULL, NULL, 0 };
	rt_evtx_opts on = { RT_READER_NATIVE, 1, NULL, NULL, 0 };
	got gl = { .n = 0 }, gn = { .n = 0 };
	rt_diag dl, dn;
	size_t i, k;

	rt_buf_init(&gl.msgs, 0);
	rt_buf_init(&gn.msgs, 0);
	ck_assert_int_eq(read_file(p, &ol, &gl, &dl), 0);
	ck_assert_int_eq(read_file(p, &on, &gn, &dn), 0);
	ck_assert_uint_eq(gl.n, gn.n);
	for (i = 0; i < gl.n; i++) {
		ck_assert_uint_eq(gl.ev[i]->record_id, gn.ev[i]->record_id);
		ck_assert_uint_eq(gl.ev[i]->timestamp, gn.ev[i]->timestamp);
		ck_assert_str_eq(gl.ev[i]->channel, gn.ev[i]->channel);
		ck_assert_uint_eq(gl.ev[i]->nfields, gn.ev[i]->nfields);
		for (k = 0; k < gl.ev[i]->nfields; k++) {
			ck_assert_str_eq(gl.ev[i]->fields[k].name, gn.ev[i]->fields[k].name);
			ck_assert_str_eq(gl.ev[i]->fields[k].value, gn.ev[i]->fields[k].value);
		}
	}
	got_release(&gl);
	got_release(&gn);
	rt_diag_release(&dl);
	rt_diag_release(&dn);
	free(p);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(renumbered_header)
{
	char *dir = tu_tmpdir(), *p = ef_write_renumbered(dir, "export.evtx");
	got g = { .n = 0 };
	rt_diag d;

	rt_buf_init(&g.msgs, 0);
	ck_assert_int_eq(read_file(p, NULL, &g, &d), 0);
	ck_assert_msg(d.errors == 0, "%s", g.msgs.buf);
	ck_assert_uint_eq(g.n, EF_GOOD_RECORDS);
	ck_assert_uint_eq(g.ev[0]->record_id, 100);
	ck_assert_uint_eq(g.ev[0]->record_number, 1);
	ck_assert_uint_eq(g.ev[0]->written, g.ev[0]->timestamp + 36000000000ULL);
	ck_assert_uint_eq(g.ev[1]->record_number, 101);
	got_release(&g);
	rt_diag_release(&d);
	free(p);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

static const struct {
	const char *defect;
	const char *message; /* in the diag; NULL: no error */
	int all_records;     /* every record still read */
} damage_cases[] = {
	{ "none", NULL, 1 },
	{ "crc", "chunk 0 at offset 0x1000: bad event records checksum", 1 },
	{ "magic", "chunk 1 at offset 0x11000: bad chunk signature", 0 },
	{ "truncate", "file is truncated", 0 },
};

START_TEST(damaged_logs)
{
	char *dir = tu_tmpdir(), *p;
	size_t nchunks, i;
	rt_evtx_opts lib = { RT_READER_LIBEVTX, 1, NULL, NULL, 0 };
	got g = { .n = 0 };
	rt_diag d;
	int rc;

	rt_buf_init(&g.msgs, 0);
	p = ef_write_big(dir, "big.evtx", damage_cases[_i].defect, &nchunks);
	rc = read_file(p, &lib, &g, &d);
	if (!damage_cases[_i].message) {
		ck_assert_int_eq(rc, 0);
		ck_assert_msg(d.errors == 0, "%s", g.msgs.buf);
	} else {
		ck_assert_int_eq(rc, 1);
		ck_assert_uint_ge(d.errors, 1);
		ck_assert_msg(strstr(g.msgs.buf, damage_cases[_i].message) != NULL, "%s", g.msgs.buf);
		ck_assert_ptr_nonnull(strstr(g.msgs.buf, p));
	}
	if (damage_cases[_i].all_records) {
		ck_assert_uint_eq(g.n, EF_BIG_RECORDS);
	} else {
		ck_assert_uint_gt(g.n, 0);
		ck_assert_uint_lt(g.n, EF_BIG_RECORDS);
	}
	/* what was read is in file order, each record whole */
	for (i = 0; i < g.n; i++) {
		ck_assert_uint_eq(g.ev[i]->event_id, 7045);
		ck_assert_str_eq(rt_event_gets(g.ev[i], "ServiceName"), "WinRM");
		if (i)
			ck_assert_uint_gt(g.ev[i]->record_id, g.ev[i - 1]->record_id);
	}
	got_release(&g);
	rt_diag_release(&d);
	free(p);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(read_evidence_in_order)
{
	char *dir = tu_tmpdir();
	char *a = ef_write_good(dir, "a.evtx", 0), *b = ef_write_good(dir, "b.evtx", TW_TEMPLATES);
	char *bad = tu_write_file(dir, "bad.evtx", "ElfFile", 7);
	rt_artifact arts1[2], arts2[2];
	rt_host hosts[2];
	rt_evidence ev;
	got g = { .n = 0 };
	rt_diag d;

	memset(arts1, 0, sizeof arts1);
	memset(arts2, 0, sizeof arts2);
	memset(hosts, 0, sizeof hosts);
	arts1[0].kind = RT_ART_EVTX;
	arts1[0].path = b;
	arts1[1].kind = RT_ART_HIVE;
	arts1[1].path = a; /* a hive artifact is skipped, whatever it holds */
	arts2[0].kind = RT_ART_EVTX;
	arts2[0].path = a;
	arts2[1].kind = RT_ART_EVTX;
	arts2[1].path = bad;
	hosts[0].name = "ALPHA";
	hosts[0].artifacts = arts1;
	hosts[0].nartifacts = 2;
	hosts[1].name = "BRAVO";
	hosts[1].artifacts = arts2;
	hosts[1].nartifacts = 2;
	ev.hosts = hosts;
	ev.nhosts = 2;
	ev.nartifacts = 4;
	tu_open_sources(&ev);
	rt_buf_init(&g.msgs, 0);
	rt_diag_init(&d, note, &g);
	ck_assert_int_eq(rt_evtx_read_evidence(&ev, NULL, keep, &g, &d), 1);
	ck_assert_uint_eq(g.n, 2 * EF_GOOD_RECORDS);
	ck_assert_str_eq(g.ev[0]->host, "ALPHA");
	ck_assert_str_eq(g.ev[0]->source_file, b);
	ck_assert_str_eq(g.ev[EF_GOOD_RECORDS]->host, "BRAVO");
	ck_assert_str_eq(g.ev[EF_GOOD_RECORDS]->source_file, a);
	ck_assert_ptr_nonnull(strstr(g.msgs.buf, bad));
	got_release(&g);

	/* a stop from the callback ends the whole walk */
	rt_buf_init(&g.msgs, 0);
	g.stop_after = 1;
	ck_assert_int_eq(rt_evtx_read_evidence(&ev, NULL, keep, &g, &d), 0);
	ck_assert_uint_eq(g.n, 1);
	got_release(&g);
	rt_diag_release(&d);
	tu_close_sources(&ev);
	free(a);
	free(b);
	free(bad);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("evtx");
	TCase *tc = tcase_create("xml");
	TCase *tr = tcase_create("read");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, get_by_name_with_lengths);
	tcase_add_test(tc, system_values);
	tcase_add_test(tc, named_data);
	tcase_add_test(tc, entities);
	tcase_add_test(tc, unnamed_data_and_binary);
	tcase_add_test(tc, empty_binary);
	tcase_add_test(tc, duplicate_names);
	tcase_add_test(tc, many_duplicates_stay_unique);
	tcase_add_test(tc, userdata_leaves);
	tcase_add_test(tc, processing_error_data);
	tcase_add_test(tc, cdata_comments_pi);
	tcase_add_test(tc, whitespace_is_kept_in_values);
	tcase_add_test(tc, missing_time_and_absent_strings);
	tcase_add_test(tc, malformed_input_is_bounded);
	tcase_add_test(tc, deep_nesting_is_refused);
	tcase_add_test(tc, not_nul_terminated);
	tcase_add_test(tc, state_is_reused);
	suite_add_tcase(s, tc);
	tcase_add_test(tr, reader_names);
	tcase_add_test(tr, not_evtx_is_an_error);
	tcase_add_loop_test(tr, read_good_log, 0, 2);
	tcase_add_test(tr, options_host_display_stop);
	tcase_add_loop_test(tr, readers_agree, 0, 2);
	tcase_add_test(tr, renumbered_header);
	tcase_add_loop_test(tr, damaged_logs, 0, (int)(sizeof damage_cases / sizeof damage_cases[0]));
	tcase_add_test(tr, read_evidence_in_order);
	tcase_set_timeout(tr, 60);
	suite_add_tcase(s, tr);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
