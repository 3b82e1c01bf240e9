/*
 * The test EVTX writer is checked against libevtx (and evtxexport when
 * configure found it): every record must read back with exactly the XML,
 * ids, times and event ids we wrote, in both the plain and the template
 * form, and each defect must look to libevtx like the damage it names.
 */
#include "config.h"

#include <check.h>
#include <libevtx.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evtx_writer.h"
#include "testutil.h"

static const tw_field typed_fields[] = {
	{ NULL, "unnamed", 0 },
	{ "I8", "-5", TW_INT8 },
	{ "U8", "200", TW_UINT8 },
	{ "I16", "-300", TW_INT16 },
	{ "U16", "65000", TW_UINT16 },
	{ "I32", "-70000", TW_INT32 },
	{ "U32", "4000000000", TW_UINT32 },
	{ "I64", "9000000000", TW_INT64 },
	{ "U64", "18446744073709551615", TW_UINT64 },
	{ "H32", "0x1f", TW_HEX32 },
	{ "H64", "0x3e7ab", TW_HEX64 },
	{ "Bool", "true", TW_BOOL },
	{ "Bin", "DEADbeef00", TW_BINARY },
	{ "Guid", "{a7975c8f-ac13-49f1-87da-5a984a4ab417}", TW_GUID },
	{ "Sid", "S-1-5-21-1004336348-1177238915-682003330-500", TW_SID },
	{ "FT", "2023-01-02T03:04:05.6789012Z", TW_FILETIME },
	{ "ST", "2023-01-02T03:04:05.678Z", TW_SYSTEMTIME },
	{ "Strs", "one\ntwo", TW_STRING_ARRAY },
	{ "U32s", "1\n2", TW_UINT32_ARRAY },
	{ "Empty", "", 0 },
	{ "Text", "a <b> & \"c\" \xc3\xa9", 0 },
};

static const char typed_xml[] =
	"<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\">\n"
	"  <System>\n"
	"    <Provider Name=\"Service Control Manager\" Guid=\"{555908d1-a6d7-4695-8e1e-26931d2012f4}\" "
	"EventSourceName=\"Service Control Manager\"/>\n"
	"    <EventID Qualifiers=\"16384\">7045</EventID>\n"
	"    <Version>0</Version>\n"
	"    <Level>4</Level>\n"
	"    <Task>0</Task>\n"
	"    <Opcode>0</Opcode>\n"
	"    <Keywords>0x8080000000000000</Keywords>\n"
	"    <TimeCreated SystemTime=\"2024-05-01T10:00:00.123456700Z\"/>\n"
	"    <EventRecordID>41</EventRecordID>\n"
	"    <Correlation ActivityID=\"{F420CA7A-0E56-4135-8A7C-CE2182D30000}\"/>\n"
	"    <Execution ProcessID=\"612\" ThreadID=\"2000\"/>\n"
	"    <Channel>System</Channel>\n"
	"    <Computer>WS1.corp.local</Computer>\n"
	"    <Security UserID=\"S-1-5-18\"/>\n"
	"  </System>\n"
	"  <EventData>\n"
	"    <Data>unnamed</Data>\n"
	"    <Data Name=\"I8\">-123</Data>\n"
	"    <Data Name=\"U8\">200</Data>\n"
	"    <Data Name=\"I16\">-32468</Data>\n"
	"    <Data Name=\"U16\">65000</Data>\n"
	"    <Data Name=\"I32\">-2147413648</Data>\n"
	"    <Data Name=\"U32\">4000000000</Data>\n"
	"    <Data Name=\"I64\">9000000000</Data>\n"
	"    <Data Name=\"U64\">18446744073709551615</Data>\n"
	"    <Data Name=\"H32\">0x0000001f</Data>\n"
	"    <Data Name=\"H64\">0x000000000003e7ab</Data>\n"
	"    <Data Name=\"Bool\">true</Data>\n"
	"    <Data Name=\"Bin\">DEADBEEF00</Data>\n"
	"    <Data Name=\"Guid\">{A7975C8F-AC13-49F1-87DA-5A984A4AB417}</Data>\n"
	"    <Data Name=\"Sid\">S-1-5-21-1004336348-1177238915-682003330-500</Data>\n"
	"    <Data Name=\"FT\">2023-01-02T03:04:05.678901200Z</Data>\n"
	"    <Data Name=\"ST\">2023-01-02T03:04:05.678Z</Data>\n"
	"    <Data Name=\"Strs\">one</Data>\n"
	"    <Data Name=\"Strs\">two</Data>\n"
	"    <Data Name=\"U32s\">1</Data>\n"
	"    <Data Name=\"U32s\">2</Data>\n"
	"    <Data Name=\"Empty\"/>\n"
	"    <Data Name=\"Text\">a &lt;b&gt; &amp; \"c\" \xc3\xa9</Data>\n"
	"    <Binary>0102AB</Binary>\n"
	"  </EventData>\n"
	"</Event>\n";

static const tw_field wmi_fields[] = {
	{ "Namespace", "//./root/subscription", 0 },
	{ "ESS", "SCM Event Log Consumer", 0 },
	{ "PID", "1234", TW_UINT32 },
};

static const char wmi_xml[] =
	"<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\">\n"
	"  <System>\n"
	"    <Provider Name=\"Microsoft-Windows-WMI-Activity\"/>\n"
	"    <EventID>5861</EventID>\n"
	"    <Version>0</Version>\n"
	"    <Level>0</Level>\n"
	"    <Task>0</Task>\n"
	"    <Opcode>0</Opcode>\n"
	"    <Keywords>0x4000000000000000</Keywords>\n"
	"    <TimeCreated SystemTime=\"2024-05-01T10:00:02.000000000Z\"/>\n"
	"    <EventRecordID>42</EventRecordID>\n"
	"    <Correlation/>\n"
	"    <Execution ProcessID=\"0\" ThreadID=\"0\"/>\n"
	"    <Channel>Microsoft-Windows-WMI-Activity/Operational</Channel>\n"
	"    <Computer>WS1</Computer>\n"
	"    <Security/>\n"
	"  </System>\n"
	"  <UserData>\n"
	"    <Operation_ESStoConsumerBinding xmlns=\"http://manifests.microsoft.com/win/2006/windows/WMI\">\n"
	"      <Namespace>//./root/subscription</Namespace>\n"
	"      <ESS>SCM Event Log Consumer</ESS>\n"
	"      <PID>1234</PID>\n"
	"    </Operation_ESStoConsumerBinding>\n"
	"  </UserData>\n"
	"</Event>\n";

static const tw_field pe_fields[] = {
	{ "ErrorCode", "15005", TW_UINT32 },
	{ "DataItemName", "shellId", 0 },
	{ "EventPayload", "680074000000", TW_BINARY },
};

static const char pe_xml[] =
	"<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\">\n"
	"  <System>\n"
	"    <Provider Name=\"Microsoft-Windows-WinRM\" Guid=\"{a7975c8f-ac13-49f1-87da-5a984a4ab417}\"/>\n"
	"    <EventID>91</EventID>\n"
	"    <Version>0</Version>\n"
	"    <Level>4</Level>\n"
	"    <Task>9</Task>\n"
	"    <Opcode>0</Opcode>\n"
	"    <Keywords>0x4000000000000004</Keywords>\n"
	"    <TimeCreated SystemTime=\"2024-05-01T10:00:03.000000000Z\"/>\n"
	"    <EventRecordID>43</EventRecordID>\n"
	"    <Correlation/>\n"
	"    <Execution ProcessID=\"952\" ThreadID=\"3000\"/>\n"
	"    <Channel>Microsoft-Windows-WinRM/Operational</Channel>\n"
	"    <Computer>WS1</Computer>\n"
	"    <Security UserID=\"S-1-5-21-738609754-2819869699-4189121830-500\"/>\n"
	"  </System>\n"
	"  <ProcessingErrorData>\n"
	"    <ErrorCode>15005</ErrorCode>\n"
	"    <DataItemName>shellId</DataItemName>\n"
	"    <EventPayload>680074000000</EventPayload>\n"
	"  </ProcessingErrorData>\n"
	"</Event>\n";

static void add_golden(tw_writer *w)
{
	tw_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.time = tw_time("2024-05-01T10:00:00.1234567Z");
	ev.record_id = 41;
	ev.channel = "System";
	ev.provider = "Service Control Manager";
	ev.provider_guid = "{555908d1-a6d7-4695-8e1e-26931d2012f4}";
	ev.provider_source = "Service Control Manager";
	ev.computer = "WS1.corp.local";
	ev.event_id = 7045;
	ev.has_qualifiers = 1;
	ev.qualifiers = 16384;
	ev.level = 4;
	ev.keywords = 0x8080000000000000ULL;
	ev.activity_id = "{F420CA7A-0E56-4135-8A7C-CE2182D30000}";
	ev.pid = 612;
	ev.tid = 2000;
	ev.user_sid = "S-1-5-18";
	ev.fields = typed_fields;
	ev.nfields = sizeof(typed_fields) / sizeof(typed_fields[0]);
	ev.binary_hex = "0102ab";
	ck_assert_uint_eq(tw_add(w, &ev), 41);

	memset(&ev, 0, sizeof(ev));
	ev.time = tw_time("2024-05-01T10:00:02Z");
	ev.channel = "Microsoft-Windows-WMI-Activity/Operational";
	ev.provider = "Microsoft-Windows-WMI-Activity";
	ev.computer = "WS1";
	ev.event_id = 5861;
	ev.keywords = 0x4000000000000000ULL;
	ev.userdata = "Operation_ESStoConsumerBinding";
	ev.userdata_ns = "http://manifests.microsoft.com/win/2006/windows/WMI";
	ev.fields = wmi_fields;
	ev.nfields = 3;
	ck_assert_uint_eq(tw_add(w, &ev), 42);

	memset(&ev, 0, sizeof(ev));
	ev.time = tw_time("2024-05-01T10:00:03Z");
	ev.channel = "Microsoft-Windows-WinRM/Operational";
	ev.provider = "Microsoft-Windows-WinRM";
	ev.provider_guid = "{a7975c8f-ac13-49f1-87da-5a984a4ab417}";
	ev.computer = "WS1";
	ev.event_id = 91;
	ev.level = 4;
	ev.task = 9;
	ev.keywords = 0x4000000000000004ULL;
	ev.pid = 952;
	ev.tid = 3000;
	ev.user_sid = "S-1-5-21-738609754-2819869699-4189121830-500";
	ev.section = "ProcessingErrorData";
	ev.fields = pe_fields;
	ev.nfields = 3;
	ck_assert_uint_eq(tw_add(w, &ev), 43);
}

/* ------------------------------------------------------------ libevtx access */

struct rec {
	uint64_t id, written;
	uint32_t event_id;
	char *xml;
};

struct log {
	int nrec, nrecovered, corrupted;
	uint32_t flags;
	struct rec *r;
};

static void log_free(struct log *l)
{
	for (int i = 0; i < l->nrec; i++)
		free(l->r[i].xml);
	free(l->r);
	memset(l, 0, sizeof(*l));
}

/* Read a file with libevtx; -1 when it cannot be opened. Records that fail
 * to read get event id 0 and no XML. */
static int read_log(const char *path, struct log *l)
{
	libevtx_file_t *f = NULL;
	libevtx_error_t *err = NULL;

	memset(l, 0, sizeof(*l));
	ck_assert_int_eq(libevtx_file_initialize(&f, NULL), 1);
	if (libevtx_file_open(f, path, LIBEVTX_OPEN_READ, &err) != 1) {
		libevtx_error_free(&err);
		libevtx_file_free(&f, NULL);
		return -1;
	}
	ck_assert_int_eq(libevtx_file_get_number_of_records(f, &l->nrec, NULL), 1);
	ck_assert_int_eq(libevtx_file_get_number_of_recovered_records(f, &l->nrecovered, NULL), 1);
	l->corrupted = libevtx_file_is_corrupted(f, NULL);
	ck_assert_int_eq(libevtx_file_get_flags(f, &l->flags, NULL), 1);
	l->r = calloc((size_t)l->nrec + 1, sizeof(*l->r));
	for (int i = 0; i < l->nrec; i++) {
		libevtx_record_t *r = NULL;
		size_t sz = 0;

		if (libevtx_file_get_record_by_index(f, i, &r, &err) != 1) {
			libevtx_error_free(&err);
			continue;
		}
		libevtx_record_get_identifier(r, &l->r[i].id, NULL);
		libevtx_record_get_written_time(r, &l->r[i].written, NULL);
		libevtx_record_get_event_identifier(r, &l->r[i].event_id, NULL);
		if (libevtx_record_get_utf8_xml_string_size(r, &sz, NULL) == 1 && sz) {
			l->r[i].xml = malloc(sz);
			if (libevtx_record_get_utf8_xml_string(r, (uint8_t *)l->r[i].xml, sz, NULL) != 1) {
				free(l->r[i].xml);
				l->r[i].xml = NULL;
			}
		}
		libevtx_record_free(&r, NULL);
	}
	libevtx_file_close(f, NULL);
	libevtx_file_free(&f, NULL);
	return 0;
}

static void done(struct log *l, char *dir, char *path, tw_writer *w)
{
	if (l)
		log_free(l);
	tu_rmtree(dir);
	free(dir);
	free(path);
	tw_free(&w);
}

static char *write_tmp(tw_writer *w, char **dir)
{
	size_t n;
	uint8_t *img = tw_image(w, &n);

	*dir = tu_tmpdir();
	return tu_write_file(*dir, "t.evtx", img, n);
}

/* ------------------------------------------------------------ tests */

START_TEST(golden_records_read_back)
{
	tw_writer *w = tw_new(_i ? TW_TEMPLATES : 0);
	char *dir, *path;
	struct log l;

	add_golden(w);
	path = write_tmp(w, &dir);
	ck_assert_int_eq(read_log(path, &l), 0);
	ck_assert_int_eq(l.nrec, 3);
	ck_assert_int_eq(l.corrupted, 0);
	ck_assert_uint_eq(l.flags, 0);
	ck_assert_uint_eq(l.r[0].id, 41);
	ck_assert_uint_eq(l.r[0].written, tw_time("2024-05-01T10:00:00.1234567Z"));
	/* libevtx takes the event id only from a typed value: plain text gives 0 */
	ck_assert_uint_eq(l.r[0].event_id, _i ? 7045 : 0);
	ck_assert_str_eq(l.r[0].xml, typed_xml);
	ck_assert_uint_eq(l.r[1].id, 42);
	ck_assert_uint_eq(l.r[1].event_id, _i ? 5861 : 0);
	ck_assert_str_eq(l.r[1].xml, wmi_xml);
	ck_assert_str_eq(l.r[2].xml, pe_xml);
	log_free(&l);

	/* evtxexport prints a version line, then each record and a blank line */
	if (getenv("RT_EVTXEXPORT") && *getenv("RT_EVTXEXPORT")) {
		char *argv[] = { getenv("RT_EVTXEXPORT"), "-f", "xml", path, NULL };
		char *out = NULL, *want;
		size_t n = strlen(typed_xml) + strlen(wmi_xml) + strlen(pe_xml) + 64;

		ck_assert_int_eq(tu_run(argv, &out, NULL), 0);
		want = malloc(n);
		snprintf(want, n, "evtxexport 20181227\n\n%s\n%s\n%s\n", typed_xml, wmi_xml, pe_xml);
		ck_assert_str_eq(out, want);
		free(want);
		free(out);
	}
	done(NULL, dir, path, w);
}
END_TEST

/* Many records: chunks fill and spill over; templates are re-defined in
 * each new chunk; ids and XML stay right everywhere. */
START_TEST(records_spill_into_new_chunks)
{
	tw_writer *w = tw_new(_i ? TW_TEMPLATES : 0);
	char *dir, *path, ip[32], port[16], user[32];
	struct log l;
	int i, n = 1500;

	tw_set_next_record_id(w, 1000);
	for (i = 0; i < n; i++) {
		tw_field f[] = {
			{ "TargetUserName", user, 0 },
			{ "LogonType", i % 2 ? "3" : "10", TW_UINT32 },
			{ "IpAddress", ip, 0 },
			{ "IpPort", port, 0 },
			{ "TargetLogonId", "0x3e7ab", TW_HEX64 },
		};
		tw_event ev;

		memset(&ev, 0, sizeof(ev));
		snprintf(ip, sizeof(ip), "10.0.%d.%d", i / 250, i % 250);
		snprintf(port, sizeof(port), "%d", 50000 + i);
		snprintf(user, sizeof(user), "user%d", i);
		ev.time = tw_time("2024-05-01T10:00:00Z") + (uint64_t)i * 10000000ULL;
		ev.channel = "Security";
		ev.provider = "Microsoft-Windows-Security-Auditing";
		ev.computer = "DC1";
		ev.event_id = i % 3 ? 4624 : 4625;
		ev.fields = f;
		ev.nfields = i % 5 ? 5 : 4; /* a second template shape */
		ck_assert_uint_eq(tw_add(w, &ev), 1000 + (uint64_t)i);
	}
	ck_assert_uint_ge(tw_chunk_count(w), 3);
	ck_assert_uint_eq(tw_record_count(w), (size_t)n);
	path = write_tmp(w, &dir);
	ck_assert_int_eq(read_log(path, &l), 0);
	ck_assert_int_eq(l.nrec, n);
	ck_assert_int_eq(l.corrupted, 0);
	for (i = 0; i < n; i++) {
		char want[64];

		ck_assert_uint_eq(l.r[i].id, 1000 + (uint64_t)i);
		ck_assert_uint_eq(l.r[i].event_id, !_i ? 0 : i % 3 ? 4624 : 4625);
		ck_assert_uint_eq(l.r[i].written,
				  tw_time("2024-05-01T10:00:00Z") + (uint64_t)i * 10000000ULL);
		ck_assert_ptr_nonnull(l.r[i].xml);
		snprintf(want, sizeof(want), "<Data Name=\"IpAddress\">10.0.%d.%d</Data>", i / 250,
			 i % 250);
		ck_assert_ptr_nonnull(strstr(l.r[i].xml, want));
		ck_assert_int_eq(strstr(l.r[i].xml, "TargetLogonId") != NULL, i % 5 != 0);
	}
	done(&l, dir, path, w);
}
END_TEST

START_TEST(render_matches_libevtx_notation)
{
	static const struct {
		int type;
		const char *in, *out;
	} cases[] = {
		{ TW_STRING, "x<y", "x<y" },
		{ TW_UINT8, "0xff", "255" },
		{ TW_INT16, "-1", "-32767" },
		{ TW_INT64, "42", "42" },
		{ TW_HEX32, "10", "0x0000000a" },
		{ TW_HEX64, "0x3e7", "0x00000000000003e7" },
		{ TW_BOOL, "0", "false" },
		{ TW_GUID, "00000000-0000-0000-c000-000000000046", "{00000000-0000-0000-C000-000000000046}" },
		{ TW_SID, "S-1-5-32-544", "S-1-5-32-544" },
		{ TW_FILETIME, "2019-03-19T23:34:25Z", "2019-03-19T23:34:25.000000000Z" },
		{ TW_SYSTEMTIME, "2019-03-19T23:34:25.5Z", "2019-03-19T23:34:25.500Z" },
		{ TW_BINARY, "0aff", "0AFF" },
		{ TW_STRING_ARRAY, "a\nb", "a\nb" },
	};
	static const struct {
		int type;
		const char *in;
	} bad[] = {
		{ TW_UINT8, "256" }, { TW_INT8, "-129" }, { TW_GUID, "{123}" },
		{ TW_SID, "S-2-5" }, { TW_SID, "S-1-" }, { TW_BINARY, "abc" },
		{ TW_BOOL, "yes" },  { TW_FILETIME, "yesterday" }, { 0x7e, "x" },
	};
	rt_buf b = RT_BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rt_buf_reset(&b);
		ck_assert_int_eq(tw_render(&b, cases[i].type, cases[i].in), 0);
		ck_assert_str_eq(b.buf, cases[i].out);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_int_eq(tw_render(&b, bad[i].type, bad[i].in), -1);
	ck_assert_int_eq(tw_type_parse("hex64"), TW_HEX64);
	ck_assert_int_eq(tw_type_parse("nope"), -1);
	ck_assert_str_eq(tw_type_name(TW_STRING_ARRAY), "strings");
	rt_buf_release(&b);
}
END_TEST

/* A value that does not parse leaves the writer unchanged. */
START_TEST(bad_value_is_refused)
{
	tw_writer *w = tw_new(TW_TEMPLATES);
	tw_field f[] = { { "LogonType", "three", TW_UINT32 } };
	tw_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.channel = "Security";
	ev.provider = "P";
	ev.computer = "H";
	ev.fields = f;
	ev.nfields = 1;
	ck_assert_uint_eq(tw_add(w, &ev), 0);
	ck_assert_uint_eq(tw_record_count(w), 0);
	ck_assert_uint_eq(tw_chunk_count(w), 0);
	f[0].value = "3";
	ck_assert_uint_eq(tw_add(w, &ev), 1);
	tw_free(&w);
}
END_TEST

static tw_writer *three_chunks(void)
{
	tw_writer *w = tw_new(0);
	tw_field f[] = { { "Payload", NULL, 0 } };
	char *big = malloc(20001);
	tw_event ev;

	memset(big, 'x', 20000);
	big[20000] = '\0';
	f[0].value = big;
	memset(&ev, 0, sizeof(ev));
	ev.time = tw_time("2024-01-01");
	ev.channel = "Application";
	ev.provider = "P";
	ev.computer = "H";
	ev.event_id = 1;
	ev.fields = f;
	ev.nfields = 1;
	/* 40 KB records: one per chunk */
	for (int i = 0; i < 3; i++)
		ck_assert_uint_ne(tw_add(w, &ev), 0);
	ck_assert_uint_eq(tw_chunk_count(w), 3);
	free(big);
	return w;
}

START_TEST(damage_is_what_libevtx_sees)
{
	tw_writer *w = three_chunks();
	char *dir, *path;
	struct log l;
	size_t len;

	/* baseline */
	path = write_tmp(w, &dir);
	ck_assert_int_eq(read_log(path, &l), 0);
	ck_assert_int_eq(l.nrec, 3);
	ck_assert_int_eq(l.corrupted, 0);
	done(&l, dir, path, NULL);

	switch (_i) {
	case 0: /* records CRC of chunk 1: libevtx flags the file, reads on */
		ck_assert_int_eq(tw_damage(w, TW_DAMAGE_CHUNK_DATA_CRC, 1), 0);
		ck_assert_int_eq(tw_damage(w, TW_DAMAGE_CHUNK_HEADER_CRC, 2), 0);
		ck_assert_int_eq(tw_damage(w, TW_DAMAGE_CHUNK_HEADER_CRC, 3), -1);
		path = write_tmp(w, &dir);
		ck_assert_int_eq(read_log(path, &l), 0);
		ck_assert_int_eq(l.nrec, 3);
		ck_assert_int_eq(l.corrupted, 1);
		break;
	case 1: /* bad chunk magic: its record only comes back by recovery */
		ck_assert_int_eq(tw_damage(w, TW_DAMAGE_CHUNK_MAGIC, 1), 0);
		path = write_tmp(w, &dir);
		ck_assert_int_eq(read_log(path, &l), 0);
		ck_assert_int_eq(l.corrupted, 1);
		ck_assert_int_eq(l.nrec, 2);
		ck_assert_int_eq(l.nrecovered, 1);
		ck_assert_uint_eq(l.r[1].id, 3);
		break;
	case 2: /* truncated inside the last chunk */
		ck_assert_int_eq(tw_damage(w, TW_DAMAGE_TRUNCATE, tw_chunk_offset(2) + 1000), 0);
		tw_image(w, &len);
		ck_assert_uint_eq(len, tw_chunk_offset(2) + 1000);
		path = write_tmp(w, &dir);
		ck_assert_int_eq(read_log(path, &l), 0);
		ck_assert_int_eq(l.nrec, 2);
		break;
	case 3: /* dirty flag: a flag, not damage */
		ck_assert_int_eq(tw_damage(w, TW_DAMAGE_DIRTY, 0), 0);
		path = write_tmp(w, &dir);
		ck_assert_int_eq(read_log(path, &l), 0);
		ck_assert_uint_eq(l.flags & LIBEVTX_FILE_FLAG_IS_DIRTY, LIBEVTX_FILE_FLAG_IS_DIRTY);
		ck_assert_int_eq(l.nrec, 3);
		break;
	case 4: /* bad file header CRC */
		ck_assert_int_eq(tw_damage(w, TW_DAMAGE_FILE_CRC, 0), 0);
		path = write_tmp(w, &dir);
		ck_assert_int_eq(read_log(path, &l), 0);
		ck_assert_int_eq(l.nrec, 3);
		ck_assert_int_eq(l.corrupted, 1);
		break;
	case 5: /* header names one chunk less than the file holds */
		ck_assert_int_eq(tw_damage(w, TW_DAMAGE_STALE_HEADER, 0), 0);
		path = write_tmp(w, &dir);
		ck_assert_int_eq(read_log(path, &l), 0);
		ck_assert_int_eq(l.nrec, 2);
		ck_assert_int_eq(l.nrecovered, 1);
		break;
	case 6: /* bad file magic: not an EVTX file any more */
		ck_assert_int_eq(tw_damage(w, TW_DAMAGE_FILE_MAGIC, 0), 0);
		path = write_tmp(w, &dir);
		ck_assert_int_eq(read_log(path, &l), -1);
		break;
	default: /* broken record signature */
		ck_assert_int_eq(tw_damage(w, TW_DAMAGE_RECORD_MAGIC, 2), 0);
		ck_assert_int_eq(tw_damage(w, TW_DAMAGE_RECORD_MAGIC, 99), -1);
		path = write_tmp(w, &dir);
		ck_assert_int_eq(read_log(path, &l), 0);
		ck_assert_int_eq(l.nrec, 2);
		ck_assert_uint_eq(l.r[1].id, 3);
		break;
	}
	done(&l, dir, path, w);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("evtx_writer");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, golden_records_read_back, 0, 2);
	tcase_add_loop_test(tc, records_spill_into_new_chunks, 0, 2);
	tcase_add_test(tc, render_matches_libevtx_notation);
	tcase_add_test(tc, bad_value_is_refused);
	tcase_add_loop_test(tc, damage_is_what_libevtx_sees, 0, 8);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
