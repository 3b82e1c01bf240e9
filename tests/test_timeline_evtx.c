/*
 * remtrail timeline on EVTX files built at test time (tests/fixtures/
 * evtx_writer.h): a source host, a target host and a host with only local
 * activity, each in its own collection folder, one log per channel. Checks
 * every technique end to end through the binary, the cross-host pairs, the
 * local-only host's silence, and byte-identical output.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evtx_writer.h"
#include "testutil.h"

#define SEC "Security"
#define SYS "System"
#define SYSMON "Microsoft-Windows-Sysmon/Operational"
#define WINRM "Microsoft-Windows-WinRM/Operational"
#define PSOP "Microsoft-Windows-PowerShell/Operational"
#define WMIA "Microsoft-Windows-WMI-Activity/Operational"
#define NF 32

/* One record: fields as name/value pairs; a name starting with '#' is hex64. */
typedef struct sev {
	const char *host, *channel;
	unsigned id;
	uint64_t rid;
	const char *time; /* HH:MM:SS on 2024-03-01 */
	const char *sid;
	const char *userdata; /* UserData element name, else EventData */
	const char *f[NF];
} sev;

#define ADMIN_SID "S-1-5-21-1-2-3-1111"
#define MMC_CLSID "{49B2791A-B1AE-4C90-9B8E-E860BA07F889}"

static const sev events[] = {
	/* ---- WS01 (10.0.0.5): the source */
	{ "WS01", SYSMON, 3, 1, "10:00:00", NULL, NULL,
	  { "Image", "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe", "User",
	    "CORP\\admin", "Protocol", "tcp", "Initiated", "true", "SourceIp", "10.0.0.5",
	    "SourceHostname", "WS01.corp.local", "SourcePort", "50001", "DestinationIp",
	    "10.0.0.10", "DestinationPort", "5985" } },
	{ "WS01", WINRM, 6, 11, "10:00:00", ADMIN_SID, NULL,
	  { "connection", "SRV01/wsman?PSVersion=5.1.17763.1" } },
	{ "WS01", SYSMON, 1, 2, "10:10:00", NULL, NULL,
	  { "ProcessGuid", "{W-1}", "Image", "C:\\Windows\\System32\\wbem\\WMIC.exe",
	    "CommandLine", "wmic /node:SRV01 process call create \"cmd.exe /c whoami\"", "User",
	    "CORP\\admin", "LogonId", "0x99", "ParentProcessGuid", "{W-0}", "ParentImage",
	    "C:\\Windows\\System32\\cmd.exe" } },
	{ "WS01", PSOP, 4104, 21, "10:20:00", ADMIN_SID, NULL,
	  { "MessageNumber", "1", "MessageTotal", "1", "ScriptBlockText",
	    "$a = [System.Activator]::CreateInstance([type]::GetTypeFromProgID(\"MMC20.Application.1\",\"SRV01\"))",
	    "ScriptBlockId", "{0E5A1D9B-0000-0000-0000-000000000001}", "Path", "" } },
	/* ---- SRV01 (10.0.0.10): the target */
	{ "SRV01", SEC, 4624, 100, "10:00:01", NULL, NULL,
	  { "TargetUserSid", ADMIN_SID, "TargetUserName", "admin", "TargetDomainName", "CORP",
	    "#TargetLogonId", "0x1000", "LogonType", "3", "LogonProcessName", "Kerberos",
	    "WorkstationName", "-", "IpAddress", "10.0.0.5", "IpPort", "50001" } },
	{ "SRV01", SYSMON, 3, 200, "10:00:01", NULL, NULL,
	  { "Image", "System", "User", "NT AUTHORITY\\SYSTEM", "Initiated", "false", "SourceIp",
	    "10.0.0.10", "SourceHostname", "SRV01.corp.local", "SourcePort", "5985",
	    "DestinationIp", "10.0.0.5", "DestinationPort", "50001" } },
	{ "SRV01", WINRM, 91, 300, "10:00:02", ADMIN_SID, NULL,
	  { "resourceUri", "http://schemas.microsoft.com/powershell/Microsoft.PowerShell", "shellId",
	    "{5F2C0000-0000-0000-0000-000000000001}" } },
	{ "SRV01", SYSMON, 1, 201, "10:00:02", NULL, NULL,
	  { "ProcessGuid", "{S-1}", "Image", "C:\\Windows\\System32\\wsmprovhost.exe", "CommandLine",
	    "C:\\Windows\\system32\\wsmprovhost.exe -Embedding", "User", "CORP\\admin", "LogonId",
	    "0x1000", "ParentProcessGuid", "{S-0}", "ParentImage",
	    "C:\\Windows\\System32\\svchost.exe" } },
	{ "SRV01", SYSMON, 1, 202, "10:00:03", NULL, NULL,
	  { "ProcessGuid", "{S-2}", "Image", "C:\\Windows\\System32\\HOSTNAME.EXE", "CommandLine",
	    "\"C:\\Windows\\system32\\HOSTNAME.EXE\"", "User", "CORP\\admin", "LogonId", "0x1000",
	    "ParentProcessGuid", "{S-1}", "ParentImage", "C:\\Windows\\System32\\wsmprovhost.exe" } },
	{ "SRV01", SEC, 4624, 101, "10:10:01", NULL, NULL,
	  { "TargetUserSid", ADMIN_SID, "TargetUserName", "admin", "TargetDomainName", "CORP",
	    "#TargetLogonId", "0x2000", "LogonType", "3", "WorkstationName", "WS01", "IpAddress",
	    "10.0.0.5", "IpPort", "50010" } },
	{ "SRV01", SEC, 4688, 102, "10:10:02", NULL, NULL,
	  { "SubjectUserSid", "S-1-5-20", "SubjectUserName", "SRV01$", "SubjectDomainName", "CORP",
	    "#SubjectLogonId", "0x3e4", "#NewProcessId", "0xd44", "NewProcessName",
	    "C:\\Windows\\System32\\cmd.exe", "#ProcessId", "0xac8", "CommandLine",
	    "cmd.exe /c whoami", "TargetUserSid", "S-1-0-0", "TargetUserName", "admin",
	    "TargetDomainName", "CORP", "#TargetLogonId", "0x2000", "ParentProcessName",
	    "C:\\Windows\\System32\\wbem\\WmiPrvSE.exe" } },
	{ "SRV01", SEC, 4624, 103, "10:20:01", NULL, NULL,
	  { "TargetUserSid", ADMIN_SID, "TargetUserName", "admin", "TargetDomainName", "CORP",
	    "#TargetLogonId", "0x3000", "LogonType", "3", "WorkstationName", "WS01", "IpAddress",
	    "10.0.0.5", "IpPort", "50020" } },
	{ "SRV01", SYSMON, 1, 203, "10:20:02", NULL, NULL,
	  { "ProcessGuid", "{S-3}", "Image", "C:\\Windows\\System32\\mmc.exe", "CommandLine",
	    "C:\\Windows\\system32\\mmc.exe -Embedding", "User", "CORP\\admin", "LogonId", "0x3000",
	    "ParentProcessGuid", "{S-0}", "ParentImage", "C:\\Windows\\System32\\svchost.exe" } },
	{ "SRV01", SYS, 10016, 400, "10:30:00", NULL, NULL,
	  { "param1", "application-specific", "param2", "Remote", "param3", "Launch", "param4",
	    MMC_CLSID, "param5", "{7E0423CD-1119-0928-900C-E6D4A52A0715}", "param6", "CORP",
	    "param7", "eve", "param8", "S-1-5-21-1-2-3-1234", "param9", "10.0.0.66" } },
	{ "SRV01", SYS, 7040, 401, "09:00:00", NULL, NULL,
	  { "param1", "Windows Remote Management (WS-Management)", "param2", "demand start",
	    "param3", "auto start", "param4", "WinRM" } },
	{ "SRV01", SEC, 4946, 104, "09:00:01", NULL, NULL,
	  { "ProfileChanged", "All", "RuleId", "WINRM-HTTP-In-TCP", "RuleName",
	    "Windows Remote Management (HTTP-In)" } },
	{ "SRV01", WMIA, 5861, 500, "10:40:00", NULL, "Operation_ESStoConsumerBinding",
	  { "Namespace", "//./root/subscription", "ESS", "EvilFilter", "CONSUMER",
	    "CommandLineEventConsumer=\"EvilConsumer\"", "PossibleCause",
	    "Binding EventFilter: instance of __EventFilter { ... };" } },
	/* ---- LAPTOP: local WMI and PowerShell only */
	{ "LAPTOP", SEC, 4624, 1, "11:00:00", NULL, NULL,
	  { "TargetUserName", "alice", "TargetDomainName", "CORP", "#TargetLogonId", "0x500",
	    "LogonType", "2", "IpAddress", "127.0.0.1" } },
	{ "LAPTOP", SYSMON, 1, 2, "11:05:00", NULL, NULL,
	  { "ProcessGuid", "{L-1}", "Image", "C:\\Windows\\System32\\notepad.exe", "CommandLine",
	    "notepad.exe", "User", "CORP\\alice", "LogonId", "0x500", "ParentProcessGuid",
	    "{L-0}", "ParentImage", "C:\\Windows\\System32\\wbem\\WmiPrvSE.exe" } },
	{ "LAPTOP", PSOP, 4104, 3, "11:06:00", NULL, NULL,
	  { "MessageNumber", "1", "MessageTotal", "1", "ScriptBlockText",
	    "Get-WmiObject Win32_Service; Invoke-Command -ScriptBlock { 1 }", "ScriptBlockId",
	    "{0E5A1D9B-0000-0000-0000-000000000002}", "Path", "" } },
	{ "LAPTOP", WINRM, 6, 4, "11:07:00", NULL, NULL,
	  { "connection", "localhost:47001/wsman?PSVersion=5.1" } },
};

static char *dir;

static void safe_name(char *out, size_t n, const char *channel)
{
	size_t i;

	snprintf(out, n, "%s.evtx", channel);
	for (i = 0; out[i]; i++)
		if (out[i] == '/')
			out[i] = '_';
}

static void build(void)
{
	size_t i, j, k;

	dir = tu_tmpdir();
	for (i = 0; i < sizeof events / sizeof events[0]; i++) {
		tw_writer *w;
		char name[200], comp[256], *path;
		int seen = 0;

		for (j = 0; j < i; j++)
			seen |= !strcmp(events[j].host, events[i].host) &&
				!strcmp(events[j].channel, events[i].channel);
		if (seen)
			continue;
		w = tw_new(TW_TEMPLATES);
		for (j = i; j < sizeof events / sizeof events[0]; j++) {
			const sev *s = &events[j];
			tw_field f[NF / 2];
			tw_event e;
			char iso[40];

			if (strcmp(s->host, events[i].host) || strcmp(s->channel, events[i].channel))
				continue;
			memset(&e, 0, sizeof e);
			memset(f, 0, sizeof f);
			snprintf(iso, sizeof iso, "2024-03-01T%sZ", s->time);
			snprintf(comp, sizeof comp, "%s.corp.local", s->host);
			e.time = tw_time(iso);
			e.record_id = s->rid;
			e.channel = s->channel;
			e.provider = s->channel;
			e.computer = comp;
			e.event_id = s->id;
			e.user_sid = s->sid;
			for (k = 0; k < NF / 2 && s->f[2 * k]; k++) {
				f[k].name = s->f[2 * k][0] == '#' ? s->f[2 * k] + 1 : s->f[2 * k];
				f[k].type = s->f[2 * k][0] == '#' ? TW_HEX64 : TW_STRING;
				f[k].value = s->f[2 * k + 1];
			}
			e.fields = f;
			e.nfields = k;
			e.userdata = s->userdata;
			e.userdata_ns = s->userdata ? "http://manifests.microsoft.com/win/2006/windows/WMI" : NULL;
			ck_assert_msg(tw_add(w, &e) != 0, "cannot encode %s %u", s->channel, s->id);
		}
		safe_name(name, sizeof name, events[i].channel);
		snprintf(comp, sizeof comp, "%s/%s", events[i].host, name);
		path = tu_write_file(dir, comp, "", 0);
		ck_assert_int_eq(tw_write(w, path), 0);
		free(path);
		tw_free(&w);
	}
}

static void cleanup(void)
{
	tu_rmtree(dir);
	free(dir);
	dir = NULL;
}

static int run(char **out, char **err, const char *a, const char *b, const char *c)
{
	char *argv[] = { (char *)tu_remtrail(), "timeline", dir, (char *)a, (char *)b, (char *)c, NULL };

	return tu_run(argv, out, err);
}

/* The JSONL line of (host, record id, kind), or NULL; returned malloc'd. */
static char *line_of(const char *out, const char *host, const char *rid, const char *kind)
{
	const char *p = out;
	char h[64], r[40], k[64];

	snprintf(h, sizeof h, "\"host\":\"%s\"", host);
	snprintf(r, sizeof r, "\"record_id\":%s,", rid);
	snprintf(k, sizeof k, "\"kind\":\"%s\"", kind);
	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);
		char *line = strndup(p, n);

		if (strstr(line, h) && strstr(line, r) && strstr(line, k))
			return line;
		free(line);
		p = eol ? eol + 1 : NULL;
	}
	return NULL;
}

static void expect(const char *out, const char *host, const char *rid, const char *kind,
		   const char *with1, const char *with2)
{
	char *l = line_of(out, host, rid, kind);

	ck_assert_msg(l != NULL, "no %s finding for %s record %s in:\n%s", kind, host, rid, out);
	if (with1)
		ck_assert_msg(strstr(l, with1) != NULL, "%s lacks %s", l, with1);
	if (with2)
		ck_assert_msg(strstr(l, with2) != NULL, "%s lacks %s", l, with2);
	free(l);
}

START_TEST(every_technique_from_built_logs)
{
	char *out, *err;

	build();
	ck_assert_int_eq(run(&out, &err, NULL, NULL, NULL), 0);
	/* WinRM */
	expect(out, "WS01", "11", "winrm.outbound", "\"remote_host\":\"SRV01\"", "\"paired_host\":\"SRV01\"");
	expect(out, "SRV01", "300", "winrm.inbound", "\"remote_ip\":\"10.0.0.5\"", "Microsoft.PowerShell");
	expect(out, "SRV01", "201", "winrm.inbound", "\"logon_id\":\"0x1000\"", "\"logon_record_id\":100");
	expect(out, "SRV01", "202", "winrm.inbound", "\"remote_ip\":\"10.0.0.5\"", "HOSTNAME.EXE");
	expect(out, "SRV01", "200", "winrm.inbound", "\"remote_ip\":\"10.0.0.5\"", NULL);
	expect(out, "SRV01", "100", "logon.network", "\"remote_ip\":\"10.0.0.5\"", NULL);
	/* WMI */
	expect(out, "WS01", "2", "wmi.outbound", "\"paired_host\":\"SRV01\"", NULL);
	expect(out, "SRV01", "102", "wmi.inbound", "\"remote_host\":\"WS01\"", "\"user\":\"CORP\\\\admin\"");
	expect(out, "SRV01", "500", "wmi.subscription", "EvilConsumer", NULL);
	/* DCOM */
	expect(out, "WS01", "21", "dcom.outbound", "\"paired_host\":\"SRV01\"", NULL);
	expect(out, "SRV01", "203", "dcom.inbound", "\"remote_ip\":\"10.0.0.5\"", "\"confidence\":\"high\"");
	expect(out, "SRV01", "400", "dcom.denied", "\"remote_ip\":\"10.0.0.66\"", "MMC20.Application");
	/* configuration */
	expect(out, "SRV01", "401", "service.change", "auto start", NULL);
	expect(out, "SRV01", "104", "firewall.change", "WINRM-HTTP-In-TCP", NULL);
	/* local-only host: nothing */
	ck_assert_ptr_null(strstr(out, "\"host\":\"LAPTOP\""));
	free(out);
	free(err);
	cleanup();
}
END_TEST

START_TEST(byte_identical_and_filters)
{
	char *a, *b, *e1, *e2;

	build();
	ck_assert_int_eq(run(&a, &e1, "-j1", NULL, NULL), 0);
	ck_assert_int_eq(run(&b, &e2, "-j", "2", NULL), 0);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	free(e1);
	free(e2);
	ck_assert_int_eq(run(&a, &e1, "--kind", "wmi.inbound,wmi.outbound", NULL), 0);
	ck_assert_uint_eq(tu_count_lines(a), 2);
	free(a);
	free(e1);
	ck_assert_int_eq(run(&a, &e1, "--from", "2024-03-01T10:05:00Z", "--format=csv"), 0);
	ck_assert_ptr_null(strstr(a, "2024-03-01T09:"));
	ck_assert_ptr_null(strstr(a, "2024-03-01T10:00:"));
	ck_assert_ptr_nonnull(strstr(a, "\r\n2024-03-01T10:10:00.0000000Z,"));
	ck_assert_ptr_nonnull(strstr(a, ",wmi.outbound,WS01,"));
	free(a);
	free(e1);
	cleanup();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("timeline_evtx");
	TCase *t = tcase_create("built");
	SRunner *r;
	int failed;

	tcase_set_timeout(t, 120);
	tcase_add_test(t, every_technique_from_built_logs);
	tcase_add_test(t, byte_identical_and_filters);
	suite_add_tcase(s, t);
	r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
