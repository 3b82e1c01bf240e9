/* EVTX logs for the evtx and events suites; see test_evtx_files.h. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "evtx_writer.h"
#include "remtrail/util.h"
#include "test_evtx_files.h"
#include "testutil.h"

static const tw_field logon_fields[] = {
	{ "SubjectUserSid", "S-1-5-18", TW_SID },
	{ "TargetUserName", "admin", 0 },
	{ "LogonType", "3", TW_UINT32 },
	{ "IpAddress", "10.1.2.3", 0 },
	{ "LogonProcessName", "NtLmSsp ", 0 },
	{ "TargetLogonId", "0x3e7ab", TW_HEX64 },
};

static const tw_field service_fields[] = {
	{ NULL, "Windows Remote Management (WS-Management)", 0 },
	{ NULL, "running", 0 },
};

static const tw_field cleared_fields[] = {
	{ "SubjectUserSid", "S-1-5-21-1-2-3-500", 0 },
	{ "SubjectUserName", "admin", 0 },
};

static const tw_field process_fields[] = {
	{ "NewProcessName", "C:\\Windows\\System32\\wsmprovhost.exe", 0 },
	{ "CommandLine", "cmd /c \"echo a<b & dir\" > out.txt", 0 },
	{ "ParentProcessName", "C:\\Windows\\System32\\svchost.exe", 0 },
};

static void put_le32(uint8_t *p, uint32_t v)
{
	size_t i;

	for (i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static char *write_image(tw_writer *w, const char *dir, const char *name)
{
	size_t len;
	uint8_t *img = tw_image(w, &len);

	return tu_write_file(dir, name, img, len);
}

static void base(tw_event *ev, const char *time)
{
	memset(ev, 0, sizeof *ev);
	ev->time = tw_time(time);
	ev->computer = "WS1.corp.local";
	ev->pid = 612;
	ev->tid = 2000;
}

static void add_good(tw_writer *w)
{
	tw_event ev;

	base(&ev, "2024-05-01T10:00:00.1234567Z");
	ev.record_id = 100;
	ev.channel = "Security";
	ev.provider = "Microsoft-Windows-Security-Auditing";
	ev.event_id = 4624;
	ev.fields = logon_fields;
	ev.nfields = sizeof logon_fields / sizeof logon_fields[0];
	ck_assert_uint_eq(tw_add(w, &ev), 100);

	base(&ev, "2024-05-01T10:00:01Z");
	ev.channel = "System";
	ev.provider = "Service Control Manager";
	ev.event_id = 7036;
	ev.has_qualifiers = 1;
	ev.qualifiers = 16384;
	ev.fields = service_fields;
	ev.nfields = 2;
	ev.binary_hex = "57696E524D";
	ck_assert_uint_eq(tw_add(w, &ev), 101);

	base(&ev, "2024-05-01T10:00:02Z");
	ev.channel = "Security";
	ev.provider = "Microsoft-Windows-Eventlog";
	ev.event_id = 1102;
	ev.userdata = "LogFileCleared";
	ev.userdata_ns = "http://manifests.microsoft.com/win/2004/08/windows/eventlog";
	ev.fields = cleared_fields;
	ev.nfields = 2;
	ck_assert_uint_eq(tw_add(w, &ev), 102);

	base(&ev, "2024-05-01T10:00:03Z");
	ev.channel = "Security";
	ev.provider = "Microsoft-Windows-Security-Auditing";
	ev.event_id = 4688;
	ev.user_sid = "S-1-5-18";
	ev.fields = process_fields;
	ev.nfields = 3;
	ck_assert_uint_eq(tw_add(w, &ev), 103);
}

char *ef_write_good(const char *dir, const char *name, unsigned flags)
{
	tw_writer *w = tw_new(flags);
	char *path;

	add_good(w);
	path = write_image(w, dir, name);
	tw_free(&w);
	return path;
}

char *ef_write_big(const char *dir, const char *name, const char *defect, size_t *nchunks)
{
	static const tw_field f[] = {
		{ "ServiceName", "WinRM", 0 },
		{ "ImagePath", "C:\\Windows\\System32\\svchost.exe -k NetworkService -p", 0 },
		{ "Padding", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", 0 },
	};
	tw_writer *w = tw_new(0);
	tw_event ev;
	size_t i;
	char *path;

	for (i = 0; i < EF_BIG_RECORDS; i++) {
		base(&ev, "2024-05-02T00:00:00Z");
		ev.time += (uint64_t)i * 10000000u;
		ev.channel = "System";
		ev.provider = "Service Control Manager";
		ev.event_id = 7045;
		ev.fields = f;
		ev.nfields = 3;
		ck_assert_uint_eq(tw_add(w, &ev), i + 1);
	}
	*nchunks = tw_chunk_count(w);
	ck_assert_uint_ge(*nchunks, 3);
	if (!strcmp(defect, "crc"))
		ck_assert_int_eq(tw_damage(w, TW_DAMAGE_CHUNK_DATA_CRC, 0), 0);
	else if (!strcmp(defect, "magic"))
		ck_assert_int_eq(tw_damage(w, TW_DAMAGE_CHUNK_MAGIC, 1), 0);
	else if (!strcmp(defect, "truncate"))
		ck_assert_int_eq(tw_damage(w, TW_DAMAGE_TRUNCATE,
					   tw_chunk_offset(*nchunks - 1) + 32768), 0);
	path = write_image(w, dir, name);
	tw_free(&w);
	return path;
}

char *ef_write_renumbered(const char *dir, const char *name)
{
	tw_writer *w = tw_new(0);
	size_t len, rec, chunk, free_off;
	uint8_t *img;
	uint64_t written;
	char *path;

	add_good(w);
	img = tw_image(w, &len);
	rec = tw_record_offset(w, 100);
	chunk = tw_chunk_offset(0);
	ck_assert(rec > chunk && rec + 24 <= len);
	/* record header: "**\0\0", size, number (8), written (8) */
	memset(img + rec + 8, 0, 8);
	img[rec + 8] = 1;
	written = rt_le64(img + rec + 16) + 36000000000ULL;
	for (size_t i = 0; i < 8; i++)
		img[rec + 16 + i] = (uint8_t)(written >> (8 * i));
	free_off = rt_le32(img + chunk + 48);
	put_le32(img + chunk + 52, rt_crc32(0, img + chunk + 512, free_off - 512));
	/* the chunk header checksum covers the records checksum */
	put_le32(img + chunk + 124, rt_crc32(rt_crc32(0, img + chunk, 120), img + chunk + 128, 384));
	path = tu_write_file(dir, name, img, len);
	tw_free(&w);
	return path;
}
