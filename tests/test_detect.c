/*
 * detect: one scenario per technique on events built in memory (real field
 * names, taken from the corpus samples), correlation, pairing, false alarms,
 * output formats and determinism.
 */
#include "config.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evtx_events.h"
#include "remtrail/detect.h"
#include "remtrail/report.h"
#include "remtrail/evtx.h"
#include "remtrail/util.h"
#include "testutil.h"

#define SEC "Security"
#define SYS "System"
#define SYSMON "Microsoft-Windows-Sysmon/Operational"
#define WINRM "Microsoft-Windows-WinRM/Operational"
#define PSOP "Microsoft-Windows-PowerShell/Operational"
#define PSCL "Windows PowerShell"
#define WMIA "Microsoft-Windows-WMI-Activity/Operational"
#define FWCH "Microsoft-Windows-Windows Firewall With Advanced Security/Firewall"

static rt_detect *det;
static rt_findings res;
static const char *cur_sid = "";
static const char *cur_evhost; /* the evidence host, when not the event's computer (forwarded logs) */

/* Feed one event: name/value pairs up to NULL. Time is "HH:MM:SS" on 2024-03-01. */
static void feed(const char *host, const char *channel, uint32_t id, uint64_t rid,
		 const char *hms, ...)
{
	rt_field f[40];
	rt_event ev;
	va_list ap;
	size_t n = 0;
	char t[64], file[160];
	const char *name;

	memset(&ev, 0, sizeof ev);
	snprintf(t, sizeof t, "2024-03-01T%sZ", hms);
	ck_assert_int_eq(rt_time_parse(t, &ev.timestamp), 0);
	snprintf(file, sizeof file, "/evidence/%s/%s.evtx", cur_evhost ? cur_evhost : host, channel);
	ev.record_id = ev.record_number = rid;
	ev.written = ev.timestamp;
	ev.event_id = id;
	ev.host = cur_evhost ? cur_evhost : host;
	ev.computer = host;
	ev.channel = channel;
	ev.provider = "";
	ev.user_sid = cur_sid;
	ev.source_file = file;
	va_start(ap, hms);
	while ((name = va_arg(ap, const char *)) != NULL && n < 40) {
		f[n].name = name;
		f[n].value = va_arg(ap, const char *);
		n++;
	}
	va_end(ap);
	ev.fields = f;
	ev.nfields = n;
	ck_assert_int_eq(rt_detect_event(det, &ev), 0);
}

static void setup(void)
{
	ck_assert_int_eq(rt_detect_new(&det), 0);
	memset(&res, 0, sizeof res);
	cur_sid = "";
	cur_evhost = NULL;
}

static void teardown(void)
{
	rt_detect_free(&det);
	rt_findings_release(&res);
}

static void finish(void)
{
	ck_assert_int_eq(rt_detect_finish(det, &res), 0);
}

/* The finding for (host, record id), or NULL. */
static const rt_finding *find(const char *host, uint64_t rid)
{
	size_t i;

	for (i = 0; i < res.n; i++)
		if (res.items[i].record_id == rid && !strcmp(res.items[i].host, host))
			return &res.items[i];
	return NULL;
}

static size_t count_kind(rt_finding_kind k)
{
	size_t i, n = 0;

	for (i = 0; i < res.n; i++)
		n += res.items[i].kind == k;
	return n;
}

static size_t count_lateral(void)
{
	size_t i, n = 0;

	for (i = 0; i < res.n; i++)
		n += res.items[i].kind <= RT_FK_DCOM_DENIED;
	return n;
}

static void logon3(const char *host, uint64_t rid, const char *hms, const char *id, const char *ip,
		   const char *ws, const char *user)
{
	feed(host, SEC, 4624, rid, hms, "TargetUserSid", "S-1-5-21-1-2-3-1111", "TargetUserName",
	     user, "TargetDomainName", "CORP", "TargetLogonId", id, "LogonType", "3",
	     "LogonProcessName", "NtLmSsp ", "WorkstationName", ws, "IpAddress", ip, "IpPort",
	     "49200", NULL);
}

static void sysmon1(const char *host, uint64_t rid, const char *hms, const char *guid,
		    const char *image, const char *cmd, const char *user, const char *logon,
		    const char *pguid, const char *pimage)
{
	feed(host, SYSMON, 1, rid, hms, "RuleName", "", "ProcessGuid", guid, "ProcessId", "100",
	     "Image", image, "CommandLine", cmd, "User", user, "LogonId", logon, "IntegrityLevel",
	     "High", "ParentProcessGuid", pguid, "ParentProcessId", "99", "ParentImage", pimage,
	     NULL);
}

/* ------------------------------------------------------------------ WinRM */

START_TEST(winrm_wsmprovhost_with_network_logon)
{
	const rt_finding *f, *c, *l;

	logon3("SRV01", 10, "10:00:00", "0x0000000000110085", "10.0.0.5", "WS01", "admin");
	sysmon1("SRV01", 500, "10:00:01", "{A-1}", "C:\\Windows\\System32\\wsmprovhost.exe",
		"C:\\Windows\\system32\\wsmprovhost.exe -Embedding", "CORP\\admin", "0x110085",
		"{A-0}", "C:\\Windows\\System32\\svchost.exe");
	sysmon1("SRV01", 501, "10:00:02", "{A-2}", "C:\\Windows\\System32\\HOSTNAME.EXE",
		"\"C:\\Windows\\system32\\HOSTNAME.EXE\"", "CORP\\admin", "0x000000000110085", "{A-1}",
		"C:\\Windows\\System32\\wsmprovhost.exe");
	finish();
	f = find("SRV01", 500);
	c = find("SRV01", 501);
	l = find("SRV01", 10);
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_nonnull(l);
	ck_assert_int_eq(f->kind, RT_FK_WINRM_INBOUND);
	ck_assert_int_eq(c->kind, RT_FK_WINRM_INBOUND);
	ck_assert_int_eq(l->kind, RT_FK_LOGON_NETWORK);
	ck_assert_str_eq(f->remote_ip, "10.0.0.5");
	ck_assert_str_eq(f->remote_host, "WS01");
	ck_assert_str_eq(c->remote_ip, "10.0.0.5");
	ck_assert_str_eq(f->logon_id, "0x110085");
	ck_assert_int_eq(f->confidence, RT_CONF_HIGH);
	ck_assert_ptr_eq(&res.items[f->logon], l);
	ck_assert_ptr_eq(&res.items[c->logon], l);
	ck_assert_str_eq(c->technique, "T1021.006");
	ck_assert_ptr_nonnull(strstr(c->message, "10.0.0.5"));
	ck_assert_ptr_nonnull(strstr(c->message, "SRV01"));
	ck_assert_ptr_nonnull(strstr(c->message, "CORP\\admin"));
	ck_assert_ptr_nonnull(strstr(c->message, "HOSTNAME.EXE"));
}
END_TEST

START_TEST(winrm_security_file_after_sysmon_file)
{
	/* events of a host are not time-sorted: the logon comes from a later file */
	const rt_finding *f;

	sysmon1("SRV01", 500, "10:00:01", "{A-1}", "C:\\Windows\\System32\\winrshost.exe",
		"C:\\Windows\\system32\\WinrsHost.exe -Embedding", "CORP\\admin", "0x2a",
		"{A-0}", "C:\\Windows\\System32\\svchost.exe");
	sysmon1("SRV01", 501, "10:00:02", "{A-2}", "C:\\Windows\\System32\\cmd.exe",
		"cmd.exe /C ipconfig", "CORP\\admin", "0x2a", "{A-1}",
		"C:\\Windows\\System32\\winrshost.exe");
	logon3("SRV01", 10, "10:00:00", "0x2A", "10.0.0.5", "-", "admin");
	finish();
	f = find("SRV01", 501);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->kind, RT_FK_WINRM_INBOUND);
	ck_assert_str_eq(f->remote_ip, "10.0.0.5");
	ck_assert_ptr_null(f->remote_host);
}
END_TEST

START_TEST(winrm_shell_91_links_host_process)
{
	const rt_finding *s, *h;

	cur_sid = "S-1-5-21-1-2-3-1111";
	feed("SRV01", WINRM, 91, 700, "10:00:01", "ErrorCode", "15005", "DataItemName", "shellId",
	     "EventPayload",
	     "68007400740070003A002F002F0073006300680065006D00610073002E006D006900630072006F0073006F00660074002E0063006F006D002F007700620065006D002F00770073006D0061006E002F0031002F00770069006E0064006F00770073002F007300680065006C006C002F0063006D0064000000",
	     NULL);
	cur_sid = "";
	logon3("SRV01", 10, "10:00:00", "0x5", "10.0.0.5", "WS01", "admin");
	sysmon1("SRV01", 500, "10:00:02", "{A-1}", "C:\\Windows\\System32\\winrshost.exe",
		"WinrsHost.exe -Embedding", "CORP\\admin", "0x5", "{A-0}",
		"C:\\Windows\\System32\\svchost.exe");
	finish();
	s = find("SRV01", 700);
	h = find("SRV01", 500);
	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_nonnull(h);
	ck_assert_int_eq(s->kind, RT_FK_WINRM_INBOUND);
	ck_assert_ptr_nonnull(strstr(s->message, "/windows/shell/cmd"));
	ck_assert_str_eq(s->remote_ip, "10.0.0.5");
	ck_assert_ptr_eq(&res.items[s->related], h);
}
END_TEST

START_TEST(winrm_powershell_remote_host_logs)
{
	feed("SRV01", PSCL, 400, 1, "10:00:00", "Data[1]", "Available", "Data[2]", "None",
	     "Data[3]",
	     "\tNewEngineState=Available\n\tHostName=ServerRemoteHost\n\tHostApplication=C:\\Windows\\system32\\wsmprovhost.exe -Embedding\n\tUserId=CORP\\admin\n",
	     NULL);
	feed("SRV01", PSCL, 400, 2, "11:00:00", "Data[1]", "Available", "Data[2]", "None",
	     "Data[3]",
	     "\tNewEngineState=Available\n\tHostName=ConsoleHost\n\tHostApplication=powershell.exe\n",
	     NULL);
	feed("SRV01", PSOP, 4103, 3, "10:00:05", "ContextInfo",
	     "        Severity = Informational\r\n        Host Name = ServerRemoteHost\r\n        Host Application = C:\\Windows\\system32\\wsmprovhost.exe -Embedding\r\n        Command Name = Get-Process\r\n        User = CORP\\admin\r\n",
	     "Payload", "CommandInvocation(Get-Process)", NULL);
	feed("SRV01", PSOP, 4104, 4, "10:00:06", "MessageNumber", "1", "MessageTotal", "1",
	     "ScriptBlockText", "function Bypass-4MSI { ... }", "ScriptBlockId", "{X}", NULL);
	feed("SRV01", PSOP, 4103, 5, "11:00:05", "ContextInfo",
	     "        Host Name = ConsoleHost\r\n        Host Application = powershell.exe\r\n",
	     "Payload", "x", NULL);
	finish();
	ck_assert_ptr_nonnull(find("SRV01", 1));
	ck_assert_str_eq(find("SRV01", 1)->process,
			 "C:\\Windows\\system32\\wsmprovhost.exe -Embedding");
	ck_assert_ptr_null(find("SRV01", 2));
	ck_assert_ptr_nonnull(find("SRV01", 3));
	ck_assert_str_eq(find("SRV01", 3)->user, "CORP\\admin");
	ck_assert_str_eq(find("SRV01", 4)->rule_id, "winrm.evil_winrm");
	ck_assert_ptr_null(find("SRV01", 5));
}
END_TEST

START_TEST(winrm_source_side)
{
	sysmon1("WS01", 1, "10:00:00", "{B-1}", "C:\\Windows\\System32\\winrs.exe",
		"winrs -r:srv01.corp.local ipconfig", "CORP\\admin", "0x99", "{B-0}",
		"C:\\Windows\\System32\\cmd.exe");
	feed("WS01", WINRM, 6, 2, "10:00:01", "connection",
	     "srv01.corp.local/wsman?PSVersion=5.1.17763.1", NULL);
	feed("WS01", WINRM, 6, 3, "10:00:02", "connection", "localhost:47001/wsman?PSVersion=5.1",
	     NULL);
	feed("WS01", PSOP, 4104, 4, "10:00:03", "ScriptBlockText",
	     "Invoke-Command -ComputerName SRV02 -ScriptBlock { whoami }", NULL);
	feed("WS01", PSOP, 4104, 5, "10:00:04", "ScriptBlockText",
	     "Invoke-Command -ScriptBlock { whoami }", NULL);
	feed("WS01", SYSMON, 3, 6, "10:00:05", "Image", "C:\\Windows\\System32\\svchost.exe",
	     "Initiated", "true", "SourceIp", "10.0.0.5", "SourcePort", "50000",
	     "DestinationIp", "10.0.0.10", "DestinationPort", "5985", NULL);
	sysmon1("WS01", 7, "10:00:06", "{B-2}", "C:\\Ruby26-x64\\bin\\ruby.exe",
		"ruby.exe evil-winrm -i 10.0.0.10 -u admin -p Passw0rd", "CORP\\admin", "0x99",
		"{B-0}", "C:\\Windows\\System32\\cmd.exe");
	finish();
	ck_assert_int_eq(find("WS01", 7)->kind, RT_FK_WINRM_OUTBOUND);
	ck_assert_str_eq(find("WS01", 7)->remote_host, "10.0.0.10");
	ck_assert_int_eq(find("WS01", 1)->kind, RT_FK_WINRM_OUTBOUND);
	ck_assert_str_eq(find("WS01", 1)->remote_host, "srv01.corp.local");
	ck_assert_str_eq(find("WS01", 2)->remote_host, "srv01.corp.local");
	ck_assert_ptr_null(find("WS01", 3));
	ck_assert_str_eq(find("WS01", 4)->remote_host, "SRV02");
	ck_assert_ptr_null(find("WS01", 5));
	ck_assert_str_eq(find("WS01", 6)->remote_ip, "10.0.0.10");
}
END_TEST

START_TEST(winrm_refusals)
{
	feed("WS01", WINRM, 161, 1, "10:00:00", "authFailureMessage",
	     "The user name or password is incorrect.", NULL);
	feed("SRV01", SEC, 5157, 2, "10:00:00", "ProcessID", "4", "Application", "System",
	     "Direction", "%%14592", "SourceAddress", "10.0.0.10", "SourcePort", "5985",
	     "DestAddress", "10.0.0.5", "DestPort", "50123", "Protocol", "6", NULL);
	cur_sid = "S-1-5-21-1-2-3-1111";
	feed("SRV01", WINRM, 192, 3, "10:00:01", NULL);
	cur_sid = "";
	logon3("SRV01", 4, "10:00:00", "0x44", "10.0.0.5", "WS01", "admin");
	feed("SRV01", SEC, 5157, 5, "10:01:00", "Application", "\\device\\harddiskvolume2\\windows\\system32\\svchost.exe",
	     "Direction", "%%14592", "SourceAddress", "10.0.0.10", "SourcePort", "135",
	     "DestAddress", "10.0.0.6", "DestPort", "50124", "Protocol", "6", NULL);
	feed("SRV01", WINRM, 142, 6, "10:02:00", "operationName", "Enumeration", "errorCode",
	     "2150858770", NULL);
	feed("SRV01", WINRM, 142, 7, "10:02:01", "operationName", "Get", "errorCode",
	     "2150858843", NULL);
	finish();
	ck_assert_int_eq(find("WS01", 1)->kind, RT_FK_WINRM_FAILED);
	ck_assert_int_eq(find("SRV01", 2)->kind, RT_FK_WINRM_FAILED);
	ck_assert_int_eq(find("SRV01", 3)->kind, RT_FK_WINRM_FAILED);
	ck_assert_str_eq(find("SRV01", 3)->remote_ip, "10.0.0.5");
	ck_assert_int_eq(find("SRV01", 5)->kind, RT_FK_DCOM_DENIED);
	ck_assert_str_eq(find("SRV01", 5)->remote_ip, "10.0.0.6");
	ck_assert_int_eq(find("SRV01", 6)->kind, RT_FK_WINRM_FAILED);
	ck_assert_ptr_null(find("SRV01", 7));
	ck_assert_str_eq(find("SRV01", 2)->remote_ip, "10.0.0.5");
}
END_TEST

/* ------------------------------------------------------------------ WMI */

START_TEST(wmi_4688_v2_target_logon)
{
	const rt_finding *f, *c;

	logon3("SRV01", 10, "08:25:36", "0x0000000004da32af", "10.23.123.11", "-", "admmig");
	feed("SRV01", SEC, 4688, 11, "08:25:37", "SubjectUserSid", "S-1-5-20", "SubjectUserName",
	     "SRV01$", "SubjectDomainName", "CORP", "SubjectLogonId", "0x00000000000003e4",
	     "NewProcessId", "0x0000000000000d44", "NewProcessName",
	     "C:\\Windows\\System32\\cmd.exe", "ProcessId", "0x0000000000000ac8", "CommandLine",
	     "cmd.exe /Q /c cd \\ 1> \\\\127.0.0.1\\ADMIN$\\__1619425227.894209 2>&1",
	     "TargetUserSid", "S-1-0-0", "TargetUserName", "admmig", "TargetDomainName", "CORP",
	     "TargetLogonId", "0x0000000004da32af", "ParentProcessName",
	     "C:\\Windows\\System32\\wbem\\WmiPrvSE.exe", NULL);
	feed("SRV01", SEC, 4688, 12, "08:25:38", "SubjectUserSid", "S-1-5-21-1", "SubjectUserName",
	     "admmig", "SubjectDomainName", "CORP", "SubjectLogonId", "0x0000000004da32af",
	     "NewProcessId", "0x0000000000000b80", "NewProcessName",
	     "C:\\Windows\\System32\\whoami.exe", "ProcessId", "0x0000000000000d44", "CommandLine",
	     "whoami", "TargetUserSid", "S-1-0-0", "TargetLogonId", "0x0000000000000000",
	     "ParentProcessName", "C:\\Windows\\System32\\cmd.exe", NULL);
	finish();
	f = find("SRV01", 11);
	c = find("SRV01", 12);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->kind, RT_FK_WMI_INBOUND);
	ck_assert_str_eq(f->rule_id, "wmi.impacket_wmiexec");
	ck_assert_str_eq(f->remote_ip, "10.23.123.11");
	ck_assert_str_eq(f->user, "CORP\\admmig");
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(c->kind, RT_FK_WMI_INBOUND);
	ck_assert_ptr_eq(&res.items[c->related], f);
	ck_assert_str_eq(c->remote_ip, "10.23.123.11");
}
END_TEST

START_TEST(wmi_4688_v1_parent_pid)
{
	feed("SRV01", SEC, 4688, 1, "09:00:00", "SubjectUserSid", "S-1-5-18", "SubjectLogonId",
	     "0x3e7", "NewProcessId", "0xae8", "NewProcessName",
	     "C:\\Windows\\System32\\wbem\\WmiPrvSE.exe", "ProcessId", "0x2f0", NULL);
	feed("SRV01", SEC, 4688, 2, "09:00:01", "SubjectUserSid", "S-1-5-21-9", "SubjectUserName",
	     "bob", "SubjectDomainName", "CORP", "SubjectLogonId", "0x77", "NewProcessId", "0xb00",
	     "NewProcessName", "C:\\Windows\\System32\\calc.exe", "ProcessId", "0xae8", NULL);
	logon3("SRV01", 3, "08:59:59", "0x77", "10.0.0.8", "WS08", "bob");
	finish();
	ck_assert_int_eq(find("SRV01", 2)->kind, RT_FK_WMI_INBOUND);
	ck_assert_str_eq(find("SRV01", 2)->parent_process,
			 "C:\\Windows\\System32\\wbem\\WmiPrvSE.exe");
	ck_assert_str_eq(find("SRV01", 2)->remote_ip, "10.0.0.8");
}
END_TEST

START_TEST(wmi_local_is_not_lateral)
{
	/* an interactive user's own WMI process creation */
	feed("WS01", SEC, 4624, 1, "09:00:00", "TargetUserName", "alice", "TargetDomainName",
	     "CORP", "TargetLogonId", "0x1234", "LogonType", "2", "IpAddress", "127.0.0.1", NULL);
	sysmon1("WS01", 2, "09:10:00", "{C-1}", "C:\\Windows\\System32\\notepad.exe", "notepad",
		"CORP\\alice", "0x1234", "{C-0}", "C:\\Windows\\System32\\wbem\\WmiPrvSE.exe");
	/* loopback network logon (PowerShell remoting to localhost) */
	feed("WS01", SEC, 4624, 3, "09:20:00", "TargetUserName", "alice", "TargetDomainName",
	     "CORP", "TargetLogonId", "0x5678", "LogonType", "3", "IpAddress", "::1", NULL);
	sysmon1("WS01", 4, "09:20:01", "{C-2}", "C:\\Windows\\System32\\wsmprovhost.exe",
		"wsmprovhost.exe -Embedding", "CORP\\alice", "0x5678", "{C-0}",
		"C:\\Windows\\System32\\svchost.exe");
	/* WmiPrvSE under SYSTEM, and WMI queries without a remote RPC connection */
	sysmon1("WS01", 5, "09:30:00", "{C-3}", "C:\\Windows\\System32\\cmd.exe", "cmd",
		"NT AUTHORITY\\SYSTEM", "0x3e7", "{C-0}", "C:\\Windows\\System32\\wbem\\WmiPrvSE.exe");
	sysmon1("WS01", 6, "09:40:00", "{C-4}", "C:\\Windows\\System32\\wbem\\WmiPrvSE.exe",
		"wmiprvse.exe -secured -Embedding", "NT AUTHORITY\\NETWORK SERVICE", "0x3e4", "{C-0}",
		"C:\\Windows\\System32\\svchost.exe");
	feed("WS01", PSOP, 4104, 7, "09:50:00", "ScriptBlockText",
	     "Get-WmiObject Win32_Process | Select Name", NULL);
	sysmon1("WS01", 8, "09:51:00", "{C-5}", "C:\\Windows\\System32\\wbem\\WMIC.exe",
		"wmic /node:localhost process list", "CORP\\alice", "0x1234", "{C-0}",
		"C:\\Windows\\System32\\cmd.exe");
	feed("WS01", WMIA, 5858, 9, "09:52:00", "Id", "{1}", "ClientMachine", "WS01", "User",
	     "CORP\\alice", "ClientProcessId", "1", "Operation", "ExecQuery", "ResultCode",
	     "0x80041003", NULL);
	finish();
	ck_assert_uint_eq(count_lateral(), 0);
	ck_assert_uint_eq(res.n, 0);
}
END_TEST

START_TEST(wmi_source_and_remote_queries)
{
	sysmon1("WS01", 1, "10:00:00", "{D-1}", "C:\\Windows\\System32\\wbem\\WMIC.exe",
		"wmic /node:\"SRV02\" process call create \"calc.exe\"", "CORP\\admin", "0x99",
		"{D-0}", "C:\\Windows\\System32\\cmd.exe");
	feed("WS01", PSOP, 4104, 2, "10:00:01", "ScriptBlockText",
	     "Invoke-WmiMethod -Class Win32_Process -Name Create -ArgumentList calc.exe -ComputerName 10.0.0.20",
	     NULL);
	feed("WS01", SEC, 4648, 3, "10:00:02", "SubjectUserName", "user01", "SubjectLogonId",
	     "0x18a7875", "TargetUserName", "administrator", "TargetDomainName", "CORP",
	     "TargetServerName", "SRV02.corp.local", "TargetInfo", "RPCSS/SRV02.corp.local",
	     "ProcessName", "C:\\Windows\\System32\\svchost.exe", "IpAddress", "-", NULL);
	feed("WS01", SEC, 4648, 4, "10:00:02", "SubjectUserName", "user01", "SubjectLogonId",
	     "0x18a7875", "TargetUserName", "administrator", "TargetDomainName", "CORP",
	     "TargetServerName", "SRV02.corp.local", "TargetInfo", "host/SRV02.corp.local",
	     "ProcessName", "C:\\Windows\\System32\\wbem\\WMIC.exe", "IpAddress", "-", NULL);
	/* target of a remote registry write through WMI */
	feed("SRV03", SYSMON, 3, 10, "11:00:00", "Image", "C:\\Windows\\system32\\svchost.exe",
	     "User", "NT AUTHORITY\\NETWORK SERVICE", "Initiated", "false", "SourceIp",
	     "10.0.2.17", "SourcePort", "49851", "DestinationIp", "10.0.2.15", "DestinationPort",
	     "135", NULL);
	feed("SRV03", SYSMON, 13, 11, "11:00:02", "EventType", "SetValue", "Image",
	     "C:\\Windows\\system32\\wbem\\wmiprvse.exe", "TargetObject",
	     "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\x", "Details", "evil.exe",
	     NULL);
	feed("SRV03", SYSMON, 13, 12, "12:00:00", "EventType", "SetValue", "Image",
	     "C:\\Windows\\system32\\wbem\\wmiprvse.exe", "TargetObject", "HKLM\\SOFTWARE\\y",
	     "Details", "1", NULL);
	feed("SRV03", WMIA, 5858, 13, "11:00:03", "ClientMachine", "WS09", "User", "CORP\\eve",
	     "Operation", "ExecMethod", "ResultCode", "0x80041003", NULL);
	finish();
	ck_assert_int_eq(find("WS01", 1)->kind, RT_FK_WMI_OUTBOUND);
	ck_assert_str_eq(find("WS01", 1)->remote_host, "SRV02");
	ck_assert_str_eq(find("WS01", 2)->remote_host, "10.0.0.20");
	ck_assert_int_eq(find("WS01", 3)->kind, RT_FK_WMI_OUTBOUND); /* recast next to WMIC */
	ck_assert_int_eq(find("WS01", 4)->kind, RT_FK_WMI_OUTBOUND);
	ck_assert_int_eq(find("SRV03", 11)->kind, RT_FK_WMI_INBOUND);
	ck_assert_str_eq(find("SRV03", 11)->remote_ip, "10.0.2.17");
	ck_assert_ptr_null(find("SRV03", 12));
	ck_assert_ptr_null(find("SRV03", 10));
	ck_assert_int_eq(find("SRV03", 13)->kind, RT_FK_WMI_FAILED);
	ck_assert_str_eq(find("SRV03", 13)->remote_host, "WS09");
}
END_TEST

START_TEST(wmi_subscriptions)
{
	feed("WS01", WMIA, 5861, 1, "10:00:00", "Namespace", "//./root/subscription", "ESS",
	     "BadFilter", "CONSUMER", "CommandLineEventConsumer=\"BadConsumer\"",
	     "PossibleCause", "Binding EventFilter: ...", NULL);
	feed("WS01", SYSMON, 19, 2, "10:00:01", "EventType", "WmiFilterEvent", "Operation",
	     "Created", "User", "CORP\\admin", "EventNamespace", "root\\cimv2", "Name", "F",
	     "Query", "SELECT * FROM __InstanceModificationEvent", NULL);
	feed("WS01", SYSMON, 20, 3, "10:00:02", "EventType", "WmiConsumerEvent", "Operation",
	     "Created", "User", "CORP\\admin", "Name", "C", "Type", "Command Line", "Destination",
	     "cmd.exe /c evil", NULL);
	feed("WS01", SYSMON, 21, 4, "10:00:03", "EventType", "WmiBindingEvent", "Operation",
	     "Created", "User", "CORP\\admin", "Consumer",
	     "\\\\.\\root\\subscription:CommandLineEventConsumer.Name=\"C\"", "Filter",
	     "\\\\.\\root\\subscription:__EventFilter.Name=\"F\"", NULL);
	finish();
	ck_assert_uint_eq(count_kind(RT_FK_WMI_SUBSCRIPTION), 4);
	ck_assert_ptr_nonnull(strstr(find("WS01", 1)->message, "BadConsumer"));
	ck_assert_str_eq(find("WS01", 3)->command_line, "cmd.exe /c evil");
}
END_TEST

/* ------------------------------------------------------------------ DCOM */

/* An inbound connection into a COM server (Sysmon 3, by its process GUID;
 * the peer in DestinationIp, as Sysmon records these). */
static void conn_in(uint64_t rid, const char *hms, const char *guid, const char *peer)
{
	feed("SRV01", SYSMON, 3, rid, hms, "ProcessGuid", guid, "Image",
	     "C:\\Windows\\System32\\mmc.exe", "User", "SRV01\\IEUser", "Initiated", "false",
	     "SourceIp", "10.0.2.18", "SourceHostname", "SRV01", "SourcePort", "49163", "DestinationIp",
	     peer, "DestinationPort", "33474", NULL);
}

/* The same from peer number `peer`: 10.4.x.y. */
static void conn_from(uint64_t rid, const char *hms, const char *guid, int peer)
{
	char ip[32];

	snprintf(ip, sizeof ip, "10.4.%d.%d", peer / 250, 1 + peer % 250);
	conn_in(rid, hms, guid, ip);
}

START_TEST(dcom_mmc20_inbound_connection)
{
	const rt_finding *m, *c;

	sysmon1("SRV01", 1, "20:35:11", "{E-1}", "C:\\Windows\\System32\\mmc.exe",
		"C:\\Windows\\system32\\mmc.exe -Embedding", "SRV01\\IEUser", "0x1ea3c6", "{E-0}",
		"C:\\Windows\\System32\\svchost.exe");
	sysmon1("SRV01", 2, "20:35:12", "{E-2}", "C:\\Windows\\System32\\cmd.exe",
		"\"C:\\Windows\\System32\\cmd.exe\" /c calc", "SRV01\\IEUser", "0x1ea3c6", "{E-1}",
		"C:\\Windows\\System32\\mmc.exe");
	conn_in(3, "20:35:13", "{E-1}", "10.0.2.19");
	finish();
	m = find("SRV01", 1);
	c = find("SRV01", 2);
	ck_assert_int_eq(m->kind, RT_FK_DCOM_INBOUND);
	ck_assert_str_eq(m->remote_ip, "10.0.2.19");
	ck_assert_int_eq(c->kind, RT_FK_DCOM_INBOUND);
	ck_assert_str_eq(c->remote_ip, "10.0.2.19");
	ck_assert_str_eq(find("SRV01", 3)->remote_ip, "10.0.2.19");
}
END_TEST

/*
 * Which of many connections into a COM server names the source of a process
 * it started: the latest at or before the process (of several at that
 * second, the first recorded), else the first recorded after it. 3000
 * connections around the first process, recorded out of time order; only
 * ones after the second. The connections used to be walked one by one for
 * each process, and are now looked up by time: the choice must not change.
 */
START_TEST(connection_chosen_among_many)
{
	char hms[16];
	const rt_finding *f;
	int i;

	for (i = 0; i < 3000; i++) {
		/* 09:58:00 .. 10:01:59 but 09:59:59 and 10:00:00, in an order
		 * unlike time's */
		int t = (i * 7919) % 240, s = 9 * 3600 + 58 * 60 + (t == 119 || t == 120 ? 118 : t);

		snprintf(hms, sizeof hms, "%02d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
		conn_from((uint64_t)(100 + i), hms, "{E-1}", 10 + i % 200);
		if (i == 1500) {
			conn_from(5000, "09:59:59", "{E-1}", 1);
			conn_from(5001, "09:59:59", "{E-1}", 2);
		}
	}
	conn_from(6000, "11:00:30", "{E-2}", 3);
	conn_from(6001, "11:00:10", "{E-2}", 4);
	sysmon1("SRV01", 1, "10:00:00", "{E-1}", "C:\\Windows\\System32\\mmc.exe",
		"C:\\Windows\\system32\\mmc.exe -Embedding", "SRV01\\IEUser", "0x1ea3c6", "{E-0}",
		"C:\\Windows\\System32\\svchost.exe");
	sysmon1("SRV01", 2, "11:00:00", "{E-2}", "C:\\Windows\\System32\\mmc.exe",
		"C:\\Windows\\system32\\mmc.exe -Embedding", "SRV01\\IEUser", "0x1ea3c7", "{E-0}",
		"C:\\Windows\\System32\\svchost.exe");
	finish();
	f = find("SRV01", 1);
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(f->remote_ip, "10.4.0.2");
	f = find("SRV01", 2);
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(f->remote_ip, "10.4.0.4");
}
END_TEST

START_TEST(dcom_shellwindows_and_excel)
{
	feed("SRV01", SYSMON, 3, 1, "10:00:00", "ProcessGuid", "{F-1}", "Image",
	     "C:\\Windows\\explorer.exe", "User", "SRV01\\bob", "Initiated", "false", "SourceIp",
	     "10.0.0.10", "SourceHostname", "SRV01.corp.local", "SourcePort", "49700",
	     "DestinationIp", "10.0.0.9", "DestinationPort", "50000", NULL);
	sysmon1("SRV01", 2, "10:00:01", "{F-2}", "C:\\Windows\\System32\\cmd.exe",
		"cmd.exe /c whoami", "SRV01\\bob", "0x10", "{F-1}", "C:\\Windows\\explorer.exe");
	/* an ordinary explorer child of another explorer, no connection: nothing */
	sysmon1("SRV01", 3, "10:00:02", "{F-3}", "C:\\Windows\\System32\\notepad.exe", "notepad",
		"SRV01\\bob", "0x10", "{F-9}", "C:\\Windows\\explorer.exe");
	sysmon1("SRV01", 4, "10:05:00", "{F-4}", "C:\\Program Files\\Office\\foxprow.exe",
		"foxprow.exe", "SRV01\\bob", "0x10", "{F-8}", "C:\\Program Files\\Office\\EXCEL.EXE");
	feed("SRV01", SYS, 10016, 5, "10:06:00", "param1", "application-specific", "param2",
	     "Remote", "param3", "Launch", "param4", "{49B2791A-B1AE-4C90-9B8E-E860BA07F889}",
	     "param5", "{7E0423CD-1119-0928-900C-E6D4A52A0715}", "param6", "CORP", "param7", "eve",
	     "param8", "S-1-5-21-1-2-3-4", "param9", "10.0.2.17", NULL);
	feed("SRV01", SYS, 10016, 6, "10:07:00", "param1", "machine-default", "param2", "Local",
	     "param3", "Activation", "param4", "{X}", "param9", "LocalHost (Using LRPC)", NULL);
	feed("WS01", PSOP, 4104, 7, "10:08:00", "ScriptBlockText",
	     "$a = [System.Activator]::CreateInstance([type]::GetTypeFromProgID(\"MMC20.Application.1\",\"fs01\"))",
	     NULL);
	feed("WS01", PSOP, 4104, 8, "10:08:01", "ScriptBlockText",
	     "$a = [type]::GetTypeFromProgID(\"Excel.Application\")", NULL);
	finish();
	ck_assert_int_eq(find("SRV01", 2)->kind, RT_FK_DCOM_INBOUND);
	ck_assert_str_eq(find("SRV01", 2)->remote_ip, "10.0.0.9");
	ck_assert_ptr_null(find("SRV01", 3));
	ck_assert_int_eq(find("SRV01", 4)->kind, RT_FK_DCOM_INBOUND);
	ck_assert_int_eq(find("SRV01", 5)->kind, RT_FK_DCOM_DENIED);
	ck_assert_str_eq(find("SRV01", 5)->remote_ip, "10.0.2.17");
	ck_assert_str_eq(find("SRV01", 5)->user, "CORP\\eve");
	ck_assert_ptr_nonnull(strstr(find("SRV01", 5)->message, "MMC20.Application"));
	ck_assert_ptr_null(find("SRV01", 6));
	ck_assert_int_eq(find("WS01", 7)->kind, RT_FK_DCOM_OUTBOUND);
	ck_assert_str_eq(find("WS01", 7)->remote_host, "fs01");
	ck_assert_ptr_null(find("WS01", 8));
}
END_TEST

/* ------------------------------------------------------------------ firewall, services */

START_TEST(firewall_and_services)
{
	feed("SRV01", FWCH, 2004, 1, "10:00:00", "RuleId", "{94e28d60}", "RuleName", "any rule",
	     "Direction", "1", "Protocol", "256", "Action", "3", "LocalPorts", "*",
	     "ModifyingUser", "S-1-5-21-1", "ModifyingApplication",
	     "C:\\Windows\\System32\\wbem\\WmiPrvSE.exe", NULL);
	feed("SRV01", SEC, 4950, 2, "10:00:01", "ProfileChanged", "Private", "SettingType",
	     "Enable Windows Defender Firewall", "SettingValue", "No", NULL);
	feed("SRV01", SEC, 4946, 3, "10:00:02", "ProfileChanged", "All", "RuleId", "WINRM-HTTP-In-TCP",
	     "RuleName", "Windows Remote Management (HTTP-In)", NULL);
	feed("SRV01", SYS, 7040, 4, "10:00:03", "param1", "Windows Remote Management (WS-Management)",
	     "param2", "demand start", "param3", "auto start", "param4", "WinRM", NULL);
	feed("SRV01", SYS, 7036, 5, "10:00:04", "param1", "Windows Remote Management (WS-Management)",
	     "param2", "running", NULL);
	feed("SRV01", SYS, 7036, 6, "10:00:05", "param1", "Print Spooler", "param2", "running", NULL);
	feed("SRV01", SYS, 7045, 7, "10:00:06", "ServiceName", "PSEXESVC", "ImagePath",
	     "%SystemRoot%\\PSEXESVC.exe", NULL);
	finish();
	ck_assert_int_eq(find("SRV01", 1)->kind, RT_FK_FIREWALL_CHANGE);
	ck_assert_ptr_nonnull(strstr(find("SRV01", 1)->message, "inbound allow"));
	ck_assert_int_eq(find("SRV01", 2)->kind, RT_FK_FIREWALL_CHANGE);
	ck_assert_int_eq(find("SRV01", 3)->kind, RT_FK_FIREWALL_CHANGE);
	ck_assert_int_eq(find("SRV01", 4)->kind, RT_FK_SERVICE_CHANGE);
	ck_assert_ptr_nonnull(strstr(find("SRV01", 4)->message, "auto start"));
	ck_assert_int_eq(find("SRV01", 5)->kind, RT_FK_SERVICE_CHANGE);
	ck_assert_ptr_null(find("SRV01", 6));
	ck_assert_ptr_null(find("SRV01", 7));
}
END_TEST

/* ------------------------------------------------------------------ false alarms */

START_TEST(psexec_rdp_tasks_smb_are_not_lateral_findings)
{
	logon3("SRV01", 1, "10:00:00", "0x100", "10.0.0.5", "WS01", "admin");
	feed("SRV01", SEC, 5140, 2, "10:00:01", "SubjectLogonId", "0x100", "IpAddress", "10.0.0.5",
	     "ShareName", "\\\\*\\ADMIN$", NULL);
	feed("SRV01", SEC, 5145, 3, "10:00:01", "SubjectLogonId", "0x100", "IpAddress", "10.0.0.5",
	     "ShareName", "\\\\*\\IPC$", "RelativeTargetName", "svcctl", NULL);
	feed("SRV01", SYS, 7045, 4, "10:00:02", "ServiceName", "PSEXESVC", "ImagePath",
	     "%SystemRoot%\\PSEXESVC.exe", NULL);
	sysmon1("SRV01", 5, "10:00:03", "{G-1}", "C:\\Windows\\PSEXESVC.exe", "PSEXESVC.exe",
		"NT AUTHORITY\\SYSTEM", "0x3e7", "{G-0}", "C:\\Windows\\System32\\services.exe");
	sysmon1("SRV01", 6, "10:00:04", "{G-2}", "C:\\Windows\\System32\\cmd.exe", "cmd.exe",
		"CORP\\admin", "0x100", "{G-1}", "C:\\Windows\\PSEXESVC.exe");
	/* smbexec-style output redirection under services.exe */
	sysmon1("SRV01", 7, "10:00:05", "{G-3}", "C:\\Windows\\System32\\cmd.exe",
		"cmd.exe /Q /c echo whoami ^> \\\\127.0.0.1\\C$\\__output 2^>^&1 > x.bat",
		"NT AUTHORITY\\SYSTEM", "0x3e7", "{G-0}", "C:\\Windows\\System32\\services.exe");
	/* RDP */
	feed("SRV01", SEC, 4624, 8, "11:00:00", "TargetUserName", "admin", "TargetLogonId", "0x200",
	     "LogonType", "10", "IpAddress", "10.0.0.5", NULL);
	feed("SRV01", "Microsoft-Windows-TerminalServices-RemoteConnectionManager/Operational",
	     1149, 9, "11:00:00", "Param1", "admin", "Param3", "10.0.0.5", NULL);
	sysmon1("SRV01", 10, "11:00:05", "{G-4}", "C:\\Windows\\System32\\cmd.exe", "cmd.exe",
		"CORP\\admin", "0x200", "{G-5}", "C:\\Windows\\explorer.exe");
	/* scheduled task */
	feed("SRV01", SEC, 4698, 11, "12:00:00", "TaskName", "\\evil", NULL);
	sysmon1("SRV01", 12, "12:00:05", "{G-6}", "C:\\Windows\\System32\\cmd.exe", "cmd.exe /c x",
		"NT AUTHORITY\\SYSTEM", "0x3e7", "{G-7}", "C:\\Windows\\System32\\taskeng.exe");
	/* SMB-only inbound connection */
	feed("SRV01", SYSMON, 3, 13, "12:30:00", "Image", "System", "Initiated", "false",
	     "SourceIp", "10.0.0.10", "SourcePort", "445", "DestinationIp", "10.0.0.5",
	     "DestinationPort", "50100", NULL);
	finish();
	ck_assert_uint_eq(count_lateral(), 0);
	ck_assert_uint_eq(res.n, 0);
}
END_TEST

/* ------------------------------------------------------------------ repeats */

/* An inbound connection to the WinRM listener (a rule whose repeats are
 * dropped), from `peer` as `user`. */
static void winrm_conn_by(uint64_t rid, const char *hms, const char *peer, const char *user,
			  const char *image)
{
	feed("SRV01", SYSMON, 3, rid, hms, "Image", image, "User", user, "Initiated", "false",
	     "SourceIp", "10.0.0.10", "SourceHostname", "SRV01", "SourcePort", "5985",
	     "DestinationIp", peer, "DestinationPort", "50000", NULL);
}

static void winrm_conn(uint64_t rid, const char *hms, const char *peer, const char *user)
{
	winrm_conn_by(rid, hms, peer, user, "System");
}

/*
 * A repeat (same rule, remote, user and process) within a minute of the
 * last one kept is dropped, whatever order the events come in; a
 * difference in any one field, or a minute past, keeps it. The fields are
 * compared one by one: two whose joined text is the same are not repeats.
 */
START_TEST(repeats_within_a_minute_dropped)
{
	const char *u = "CORP\\admin";

	winrm_conn(4, "10:01:10", "10.0.0.5", u); /* 70 s after the first: kept */
	winrm_conn(2, "10:00:30", "10.0.0.5", u); /* dropped */
	winrm_conn(1, "10:00:00", "10.0.0.5", u);
	winrm_conn(3, "10:00:50", "10.0.0.5", u); /* 50 s after the last kept: dropped */
	winrm_conn(5, "10:00:20", "10.0.0.6", u); /* another peer */
	winrm_conn(6, "10:00:40", "10.0.0.5", "CORP\\other"); /* another user */
	winrm_conn(7, "10:01:30", "10.0.0.5", u); /* 20 s after 10:01:10: dropped */
	/* user and process split differently (joined by 0x1F, the same
	 * text): not a repeat */
	winrm_conn_by(8, "11:00:00", "10.0.0.7", "a\x1f" "b", "c");
	winrm_conn_by(9, "11:00:01", "10.0.0.7", "a", "b\x1f" "c");
	finish();
	ck_assert_ptr_nonnull(find("SRV01", 1));
	ck_assert_ptr_null(find("SRV01", 2));
	ck_assert_ptr_null(find("SRV01", 3));
	ck_assert_ptr_nonnull(find("SRV01", 4));
	ck_assert_ptr_nonnull(find("SRV01", 5));
	ck_assert_ptr_nonnull(find("SRV01", 6));
	ck_assert_ptr_null(find("SRV01", 7));
	ck_assert_ptr_nonnull(find("SRV01", 8));
	ck_assert_ptr_nonnull(find("SRV01", 9));
	ck_assert_uint_eq(res.n, 6);
}
END_TEST

/* Fifty peers, each connecting every 10 s for 2000 s, fed out of time
 * order: per peer, those at 0, 70, 140, ... s are kept (29 of 200). */
START_TEST(repeats_among_many)
{
	char hms[16], ip[32];
	size_t i, kept = 0;

	for (i = 0; i < 10000; i++) {
		size_t k = (i * 7919) % 10000, peer = k % 50, s = 10 * (k / 50);

		snprintf(hms, sizeof hms, "%02zu:%02zu:%02zu", 10 + s / 3600, s / 60 % 60, s % 60);
		snprintf(ip, sizeof ip, "10.9.0.%zu", 1 + peer);
		winrm_conn(100 + k, hms, ip, "CORP\\admin");
	}
	finish();
	for (i = 0; i < 10000; i++) {
		const rt_finding *f = find("SRV01", 100 + i);

		ck_assert_int_eq(f != NULL, (10 * (i / 50)) % 70 == 0);
		kept += f != NULL;
	}
	ck_assert_uint_eq(kept, 50 * 29);
}
END_TEST

/* ------------------------------------------------------------------ pairing */

static void two_hosts(int reverse)
{
	int i;

	for (i = 0; i < 2; i++) {
		if ((i == 0) != (reverse != 0)) {
			feed("WS01", SYSMON, 3, 1, "10:00:00", "Image",
			     "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
			     "Initiated", "true", "SourceIp", "10.0.0.5", "SourcePort", "50000",
			     "DestinationIp", "10.0.0.10", "DestinationPort", "5985", NULL);
			feed("WS01", WINRM, 6, 2, "10:00:00", "connection",
			     "SRV01.corp.local/wsman?PSVersion=5.1", NULL);
		} else {
			logon3("SRV01", 10, "10:00:01", "0x77", "10.0.0.5", "WS01", "admin");
			sysmon1("SRV01", 11, "10:00:02", "{H-1}",
				"C:\\Windows\\System32\\wsmprovhost.exe", "wsmprovhost.exe -Embedding",
				"CORP\\admin", "0x77", "{H-0}", "C:\\Windows\\System32\\svchost.exe");
			feed("SRV01", SYSMON, 3, 12, "10:00:01", "Image", "System", "Initiated", "false",
			     "SourceIp", "10.0.0.10", "SourceHostname", "SRV01", "SourcePort", "5985",
			     "DestinationIp", "10.0.0.5", "DestinationPort", "50000", NULL);
		}
	}
}

START_TEST(pairs_outbound_with_inbound_across_hosts)
{
	const rt_finding *o, *in;

	two_hosts(0);
	finish();
	o = find("WS01", 2);
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(o->kind, RT_FK_WINRM_OUTBOUND);
	ck_assert_uint_ne(o->paired, RT_FINDING_NONE);
	in = &res.items[o->paired];
	ck_assert_str_eq(in->host, "SRV01");
	ck_assert_int_eq(in->kind, RT_FK_WINRM_INBOUND);
	ck_assert_ptr_eq(&res.items[in->paired], o);
	ck_assert_int_eq(o->confidence, RT_CONF_HIGH);
}
END_TEST

START_TEST(pairs_outbound_with_bare_network_logon)
{
	const rt_finding *o, *in;

	feed("PC01", SEC, 4648, 1, "11:27:23", "SubjectUserName", "user01", "SubjectLogonId",
	     "0x18a7875", "TargetUserName", "administrator", "TargetDomainName", "EXAMPLE",
	     "TargetServerName", "WIN-77.example.corp", "TargetInfo", "host/WIN-77.example.corp",
	     "ProcessName", "C:\\Windows\\System32\\wbem\\WMIC.exe", NULL);
	feed("WIN-77", SEC, 4624, 50, "11:27:24", "TargetUserName", "Administrator",
	     "TargetDomainName", "EXAMPLE", "TargetLogonId", "0x99", "LogonType", "3", "IpAddress",
	     "10.1.1.1", "WorkstationName", "PC01", NULL);
	feed("WIN-77", SEC, 4624, 51, "11:40:00", "TargetUserName", "other", "TargetLogonId",
	     "0x9a", "LogonType", "3", "IpAddress", "10.1.1.2", "WorkstationName", "PC02", NULL);
	finish();
	o = find("PC01", 1);
	ck_assert_uint_ne(o->paired, RT_FINDING_NONE);
	in = &res.items[o->paired];
	ck_assert_int_eq(in->kind, RT_FK_LOGON_NETWORK);
	ck_assert_uint_eq(in->record_id, 50);
	ck_assert_ptr_null(find("WIN-77", 51));
}
END_TEST

/* ------------------------------------------------------------------ output */

static char *render_all(int csv)
{
	rt_buf b = RT_BUF_INIT;
	size_t i;

	if (csv)
		ck_assert_int_eq(rt_timeline_csv_header(&b, NULL), 0);
	for (i = 0; i < res.n; i++)
		ck_assert_int_eq(csv ? rt_timeline_csv(&b, &res, i, NULL)
				     : (rt_timeline_json(&b, &res, i, NULL) || rt_buf_addch(&b, '\n')),
				 0);
	return rt_buf_detach(&b, NULL);
}

START_TEST(deterministic_whatever_the_feed_order)
{
	char *a, *b;

	two_hosts(0);
	finish();
	a = render_all(0);
	teardown();
	setup();
	two_hosts(1);
	finish();
	b = render_all(0);
	ck_assert_str_eq(a, b);
	ck_assert_ptr_nonnull(strstr(a, "\"paired_host\":\"SRV01\""));
	ck_assert_ptr_nonnull(strstr(a, "\"timestamp_desc\":\"Event Recorded\""));
	ck_assert_ptr_nonnull(strstr(a, "\"datetime\":\"2024-03-01T10:00:00.0000000Z\""));
	free(a);
	free(b);
}
END_TEST

START_TEST(csv_quoting)
{
	char *s;
	const char *hdr = "datetime,timestamp,timestamp_desc,message,kind,host,channel,event_id,"
			  "record_id,source_file,remote_ip,remote_host,user,logon_id,process,"
			  "parent_process,command_line,object,rule,technique,direction,confidence,"
			  "attribution,paired_host,paired_record_id,logon_record_id,related_record_id\r\n";

	sysmon1("WS01", 1, "10:00:00", "{I-1}", "C:\\Windows\\System32\\wbem\\WMIC.exe",
		"wmic /node:SRV02 process call create \"cmd /c a,b\"\nnext", "CORP\\a", "0x5",
		"{I-0}", "C:\\x.exe");
	finish();
	s = render_all(1);
	ck_assert_int_eq(strncmp(s, hdr, strlen(hdr)), 0);
	/* quotes doubled, the newline shown as text: a value never starts a line */
	ck_assert_ptr_nonnull(
		strstr(s, ",\"wmic /node:SRV02 process call create \"\"cmd /c a,b\"\"\\nnext\","));
	ck_assert_ptr_nonnull(strstr(s, "\r\n2024-03-01T10:00:00.0000000Z,1709287200000000,Event Recorded,"));
	ck_assert_ptr_nonnull(strstr(s, ",wmi.outbound,WS01,"));
	ck_assert_ptr_nonnull(strstr(s, ",wmi.wmic_node,T1047,outbound,medium,record,,,,\r\n"));
	free(s);
}
END_TEST

START_TEST(kind_names_roundtrip)
{
	int k;
	rt_finding_kind out;

	for (k = 0; k < RT_FK_COUNT; k++) {
		ck_assert_int_eq(rt_finding_kind_parse(rt_finding_kind_name((rt_finding_kind)k), &out), 0);
		ck_assert_int_eq(out, k);
	}
	ck_assert_int_eq(rt_finding_kind_parse("wmi.lateral", &out), -1);
	ck_assert_str_eq(rt_finding_kind_name(RT_FK_DCOM_DENIED), "dcom.denied");
}
END_TEST

START_TEST(host_iteration)
{
	size_t i, n = 0;

	two_hosts(0);
	finish();
	for (i = rt_findings_next(&res, "srv01", 0); i < res.n; i = rt_findings_next(&res, "srv01", i + 1)) {
		ck_assert_str_eq(res.items[i].host, "SRV01");
		if (n)
			ck_assert_uint_ge(res.items[i].timestamp, res.items[i - 1].timestamp);
		n++;
	}
	ck_assert_uint_ge(n, 2);
}
END_TEST

START_TEST(hostile_values_do_not_break)
{
	char big[4096];

	memset(big, 'A', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	feed("H", WINRM, 91, 1, "10:00:00", "EventPayload", "ZZ", NULL);
	feed("H", WINRM, 91, 2, "10:00:00", "EventPayload", "680", NULL);
	feed("H", PSOP, 4104, 3, "10:00:00", "ScriptBlockText", "GetTypeFromProgID(", NULL);
	feed("H", PSOP, 4104, 4, "10:00:00", "ScriptBlockText", "Invoke-Command -ComputerName", NULL);
	feed("H", WINRM, 6, 5, "10:00:00", "connection", "http://[", NULL);
	feed("H", WINRM, 6, 6, "10:00:00", "connection", big, NULL);
	feed("H", SEC, 4624, 7, "10:00:00", "TargetLogonId", "0xZZ", "LogonType", "x", NULL);
	sysmon1("H", 8, "10:00:00", "{}", big, "{f:@cmd}{host}", big, "zz", "", big);
	finish();
	ck_assert_ptr_nonnull(find("H", 1));
}
END_TEST

/*
 * Children are tied to tracked processes by ParentProcessGuid: many
 * tracked processes, GUIDs in another case, a GUID seen again (the newest
 * process wins), grandchildren, and no carry-over to the next host.
 */
/*
 * A forwarded log (one evidence host) whose records name 2000 computers,
 * their records interleaved: each computer's process is attributed to its
 * own computer's network logon. The computers used to be found by walking
 * all of them for every record whose computer differed from the last.
 */
START_TEST(forwarded_log_of_many_computers)
{
	char host[32], ip[32];
	const rt_finding *f;
	int i, n = 2000;

	/* one log (Security): its first record is the collector's own */
	cur_evhost = "WEF01";
	logon3("WEF01", 100000, "09:00:00", "0x9", "10.9.9.9", "X", "x");
	for (i = 0; i < n; i++) {
		snprintf(host, sizeof host, "WS%04d", i);
		snprintf(ip, sizeof ip, "10.2.%d.%d", i / 250, 1 + i % 250);
		logon3(host, (uint64_t)(1 + i), "10:00:00", "0x5", ip, "ADMIN01", "admin");
	}
	for (i = 0; i < n; i++) {
		snprintf(host, sizeof host, "WS%04d", i);
		feed(host, SEC, 4688, (uint64_t)(5000 + i), "10:00:01", "SubjectUserSid", "S-1-5-21-1",
		     "SubjectUserName", "admin", "SubjectDomainName", "CORP", "SubjectLogonId", "0x5",
		     "NewProcessId", "0x900", "NewProcessName", "C:\\Windows\\System32\\wsmprovhost.exe",
		     "ProcessId", "0x248", "CommandLine", "wsmprovhost.exe -Embedding",
		     "ParentProcessName", "C:\\Windows\\System32\\svchost.exe", NULL);
	}
	finish();
	for (i = 0; i < n; i++) {
		snprintf(host, sizeof host, "WS%04d", i);
		snprintf(ip, sizeof ip, "10.2.%d.%d", i / 250, 1 + i % 250);
		f = find(host, (uint64_t)(5000 + i));
		ck_assert_ptr_nonnull(f);
		ck_assert_int_eq(f->kind, RT_FK_WINRM_INBOUND);
		ck_assert_msg(f->remote_ip && !strcmp(f->remote_ip, ip), "%s: %s, not %s", host,
			      f->remote_ip ? f->remote_ip : "-", ip);
	}
}
END_TEST

/*
 * A logon id with thousands of sessions (a service account's, or one a
 * hostile log repeats): a process is attributed to the last session of its
 * id that began by its time, two seconds of skew allowed. The sessions of
 * one id used to be walked one by one for every process.
 */
START_TEST(logon_found_among_many_of_one_id)
{
	static const int at[] = { 0, 1, 1500, 2998, 2999 };
	char hms[16], ip[32];
	const rt_finding *f;
	size_t k;
	int i;

	for (i = 0; i < 3000; i++) {
		int t = 10 * i;

		snprintf(hms, sizeof hms, "%02d:%02d:%02d", 10 + t / 3600, t / 60 % 60, t % 60);
		snprintf(ip, sizeof ip, "10.1.%d.%d", i / 250, 1 + i % 250);
		logon3("SRV01", (uint64_t)(1 + i), hms, "0x77", ip, "WS01", "admin");
	}
	/* five seconds after session at[k] began, and nine (the next one
	 * begins a second later: within the skew, it is that one) */
	for (k = 0; k < sizeof at / sizeof at[0]; k++) {
		for (i = 0; i < 2; i++) {
			int t = 10 * at[k] + (i ? 9 : 5);

			snprintf(hms, sizeof hms, "%02d:%02d:%02d", 10 + t / 3600, t / 60 % 60, t % 60);
			sysmon1("SRV01", (uint64_t)(10000 + 2 * k + (size_t)i), hms, i ? "{W-1}" : "{W-0}",
				"C:\\Windows\\System32\\wsmprovhost.exe", "wsmprovhost.exe -Embedding",
				"CORP\\admin", "0x77", "{P}", "C:\\Windows\\System32\\svchost.exe");
		}
	}
	finish();
	for (k = 0; k < sizeof at / sizeof at[0]; k++)
		for (i = 0; i < 2; i++) {
			int s = at[k] + (i && at[k] < 2999 ? 1 : 0);

			f = find("SRV01", (uint64_t)(10000 + 2 * k + (size_t)i));
			ck_assert_ptr_nonnull(f);
			snprintf(ip, sizeof ip, "10.1.%d.%d", s / 250, 1 + s % 250);
			ck_assert_msg(f->remote_ip && !strcmp(f->remote_ip, ip),
				      "process %zu/%d: %s, not %s", k, i, f->remote_ip ? f->remote_ip : "-", ip);
		}
}
END_TEST

/*
 * impacket commands linked to the reads of their output files when a host
 * has thousands of them: each command to the first read of its file (names
 * compared without case) within ten minutes. The linking used to compare
 * every command with every candidate of the host.
 */
START_TEST(output_files_linked_among_many)
{
	static const char *cmdexe = "C:\\Windows\\System32\\cmd.exe";
	char cmd[128], file[64], ip[32], pid[16], hms[16];
	const rt_finding *f;
	int i, n = 3000;

	for (i = 0; i < n; i++) {
		snprintf(cmd, sizeof cmd, "cmd.exe /Q /c cd 1> \\\\127.0.0.1\\ADMIN$\\__1700000000.%dout 2>&1",
			 i);
		snprintf(pid, sizeof pid, "0x%x", 0x1000 + i);
		snprintf(hms, sizeof hms, "10:%02d:%02d", i / 60, i % 60);
		feed("SRV01", SEC, 4688, (uint64_t)(1 + i), hms, "SubjectUserSid", "S-1-5-20",
		     "SubjectUserName", "SRV01$", "SubjectDomainName", "CORP", "SubjectLogonId", "0x3e4",
		     "NewProcessId", pid, "NewProcessName", cmdexe, "TokenElevationType", "%%1936",
		     "ProcessId", "0x5fc", "CommandLine", cmd, NULL);
	}
	/* the reads in reverse, each a second after its command, the name's
	 * letters in upper case for every third; command 7's read is an hour
	 * late; command 8's file is also read, at the same time, from another
	 * address, last (the first read in order wins) */
	for (i = n - 1; i >= 0; i--) {
		snprintf(file, sizeof file, i % 3 ? "__1700000000.%dout" : "__1700000000.%dOUT", i);
		snprintf(ip, sizeof ip, "10.0.%d.%d", i / 250, 1 + i % 250);
		snprintf(hms, sizeof hms, "%s:%02d:%02d", i == 7 ? "11" : "10", (i + 1) / 60,
			 (i + 1) % 60);
		feed("SRV01", SEC, 5145, (uint64_t)(100000 - i), hms, "SubjectUserName", "admin",
		     "SubjectDomainName", "CORP", "SubjectLogonId", "0x21", "IpAddress", ip, "ShareName",
		     "\\\\*\\ADMIN$", "RelativeTargetName", file, "AccessMask", "0x1", NULL);
	}
	feed("SRV01", SEC, 5145, 200000, "10:00:09", "SubjectUserName", "admin", "SubjectDomainName",
	     "CORP", "SubjectLogonId", "0x21", "IpAddress", "10.9.9.9", "ShareName", "\\\\*\\ADMIN$",
	     "RelativeTargetName", "__1700000000.8out", "AccessMask", "0x1", NULL);
	finish();
	for (i = 0; i < n; i++) {
		f = find("SRV01", (uint64_t)(1 + i));
		ck_assert_ptr_nonnull(f);
		if (i == 7) {
			ck_assert_int_ne(f->link, RT_LINK_OUTPUT_FILE);
			continue;
		}
		snprintf(ip, sizeof ip, "10.0.%d.%d", i / 250, 1 + i % 250);
		ck_assert_int_eq(f->link, RT_LINK_OUTPUT_FILE);
		ck_assert_str_eq(f->remote_ip, ip);
		ck_assert_int_eq(f->confidence, RT_CONF_HIGH);
	}
}
END_TEST

START_TEST(descendants_found_by_parent_guid)
{
	static const char *scrcons = "C:\\Windows\\System32\\scrcons.exe";
	const rt_finding *f;
	char guid[32];
	int i;

	for (i = 0; i < 150; i++) {
		snprintf(guid, sizeof guid, "{S-%d}", i);
		sysmon1("H1", (uint64_t)(100 + i), "10:00:00", guid, scrcons, "scrcons.exe -Embedding",
			"NT AUTHORITY\\SYSTEM", "0x3e7", "{P}", "C:\\Windows\\System32\\svchost.exe");
	}
	sysmon1("H1", 300, "10:00:01", "{G-1}", "C:\\Windows\\System32\\wsmprovhost.exe",
		"wsmprovhost.exe -Embedding", "CORP\\admin", "0x5", "{P}",
		"C:\\Windows\\System32\\svchost.exe");
	sysmon1("H1", 301, "10:00:02", "{g-1}", scrcons, "scrcons.exe -Embedding",
		"NT AUTHORITY\\SYSTEM", "0x3e7", "{P}", "C:\\Windows\\System32\\svchost.exe");
	sysmon1("H1", 302, "10:00:03", "{C-1}", "C:\\Tools\\calc.exe", "calc.exe", "CORP\\admin",
		"0x3e7", "{G-1}", scrcons);
	sysmon1("H1", 303, "10:00:04", "{C-2}", "C:\\Tools\\notepad.exe", "notepad.exe",
		"CORP\\admin", "0x3e7", "{c-1}", "C:\\Tools\\calc.exe");
	sysmon1("H1", 304, "10:00:05", "{C-3}", "C:\\Tools\\calc.exe", "calc.exe", "CORP\\admin",
		"0x3e7", "{s-7}", scrcons);
	sysmon1("H1", 305, "10:00:06", "{C-4}", "C:\\Tools\\calc.exe", "calc.exe", "CORP\\admin",
		"0x3e7", "{X}", scrcons);
	sysmon1("H2", 306, "10:00:07", "{C-5}", "C:\\Tools\\calc.exe", "calc.exe", "CORP\\admin",
		"0x3e7", "{G-1}", scrcons);
	finish();
	f = find("H1", 302);
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(f->rule_id, "process.descendant");
	ck_assert_int_eq(f->kind, RT_FK_WMI_SUBSCRIPTION);
	ck_assert_uint_eq(res.items[f->related].record_id, 301);
	f = find("H1", 303);
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(f->rule_id, "process.descendant");
	ck_assert_uint_eq(res.items[f->related].record_id, 302);
	f = find("H1", 304);
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(res.items[f->related].record_id, 107);
	ck_assert_ptr_null(find("H1", 305));
	ck_assert_ptr_null(find("H2", 306));
}
END_TEST

/* ------------------------------------------------------------------ verified layouts */

static int detect_cb(void *ctx, const rt_event *ev)
{
	return rt_detect_event(ctx, ev) ? 1 : 0;
}

/* Write `w` to an EVTX file, read it back with the reader and detect. */
static void detect_written(tw_writer *w)
{
	size_t n;
	uint8_t *img = tw_image(w, &n);
	char *dir = tu_tmpdir(), *path = tu_write_file(dir, "t.evtx", img, n);
	rt_diag diag;

	rt_diag_init(&diag, NULL, NULL);
	ck_assert_int_eq(rt_evtx_read(path, NULL, detect_cb, det, &diag), 0);
	ck_assert_uint_eq(diag.errors, 0);
	rt_diag_release(&diag);
	finish();
	tu_rmtree(dir);
	free(dir);
	free(path);
}

#define ALICE "S-1-5-21-1004336348-1177238915-682003330-1104"
#define WMIC_EXE "C:\\Windows\\System32\\wbem\\WMIC.exe"
#define OPC_EXE "C:\\Tools\\opcclient.exe"

/* What the finding of event r[k] must carry (NULL: no value). */
static const struct want {
	const char *host;
	int k;
	rt_finding_kind kind;
	const char *rule, *remote_ip, *remote_host, *user, *process, *text;
} want[] = {
	{ "WS1", 0, RT_FK_WINRM_FAILED, "winrm.client_auth_failed", NULL, NULL, ALICE, NULL,
	  "unencrypted traffic is disabled" },
	{ "WS1", 1, RT_FK_WINRM_FAILED, "winrm.client_credentials_rejected", NULL, NULL, ALICE,
	  NULL, "the credentials were rejected" },
	{ "WS1", 2, RT_FK_WINRM_FAILED, "winrm.client_auth_mechanism", NULL, NULL, ALICE, NULL,
	  "mechanism Basic, which the server does not accept (it offers Negotiate Kerberos" },
	{ "WS1", 3, RT_FK_WINRM_FAILED, "winrm.client_access_denied", NULL, "SRV01", ALICE, NULL,
	  "WinRM on SRV01 returned access denied" },
	{ "WS1", 4, RT_FK_DCOM_DENIED, "dcom.client_unreachable", NULL, "SRV01", NULL, WMIC_EXE,
	  "(PID 7996) activating WMI (WbemLevel1Login)" },
	{ "WS1", 5, RT_FK_DCOM_DENIED, "dcom.client_auth_level", NULL, "SRV01", NULL, OPC_EXE,
	  "(PID 4242) on WS1 asked to activate MMC20.Application on SRV01 at authentication "
	  "level 2, below packet integrity (KB5004442 hardening, event 10037)" },
	{ "WS1", 6, RT_FK_DCOM_DENIED, "dcom.client_auth_level", NULL, "SRV01", NULL, OPC_EXE,
	  "authentication level 0, below packet integrity (KB5004442 hardening, event 10038)" },
	{ "SRV01", 7, RT_FK_DCOM_DENIED, "dcom.remote_launch_denied", "10.0.0.5", NULL,
	  "CORP\\alice", NULL,
	  "Remote Launch of MMC20.Application (AppID {7E0423CD-1119-0928-900C-E6D4A52A0715})" },
	{ "SRV01", 8, RT_FK_DCOM_DENIED, "dcom.activation_auth_level", "10.0.0.5", NULL,
	  "CORP\\alice", NULL, "by CORP\\alice from 10.0.0.5" },
	{ "SRV01", 9, RT_FK_DCOM_DENIED, "dcom.activation_auth_level", "10.0.0.6", NULL,
	  "CORP\\bob", NULL, "by CORP\\bob from 10.0.0.6" },
	{ "SRV01", 10, RT_FK_WINRM_FAILED, "winrm.server_authz_failed", NULL, NULL, ALICE, NULL,
	  "(error 5)" },
	{ "SRV01", 11, RT_FK_WINRM_FAILED, "winrm.unauthenticated_dropped", NULL, NULL, NULL, NULL,
	  "terminated 120 unauthenticated connections in the past 5 minutes" },
	{ "SRV01", 12, RT_FK_WINRM_FAILED, "winrm.operation_failed", NULL, NULL, ALICE, NULL,
	  "Enumeration on SRV01 failed with error 2150858770 (destination unreachable)" },
	{ "SRV01", 13, RT_FK_WINRM_FAILED, "winrm.operation_failed", NULL, NULL, ALICE, NULL,
	  "error 5 (access denied)" },
};

/*
 * The WinRM and DistributedCOM refusals, written with the factory's
 * layouts (manifest field names, evtx_events.c cites the sources) and read
 * back through the EVTX reader: the finding carries the account, address,
 * class, process and error each layout records.
 */
START_TEST(refusal_layouts_give_finding_fields)
{
	static const char *t = "2024-03-01T10:00:00Z";
	tw_writer *w = tw_new(TW_TEMPLATES);
	uint64_t r[16];

	/* WS1, the client */
	r[0] = te_event(w, TE_CH_WINRM, NULL, 161, t, "WS1", NULL);
	r[1] = te_event(w, TE_CH_WINRM, NULL, 162, t, "WS1", NULL);
	r[2] = te_event(w, TE_CH_WINRM, NULL, 163, t, "WS1", NULL);
	r[3] = te_event(w, TE_CH_WINRM, NULL, 164, t, "WS1", NULL);
	r[4] = te_event(w, TE_CH_SYSTEM, NULL, 10028, t, "WS1", "param1", "SRV01", NULL);
	r[5] = te_event(w, TE_CH_SYSTEM, NULL, 10037, t, "WS1", "param4", "SRV01", NULL);
	r[6] = te_event(w, TE_CH_SYSTEM, NULL, 10038, t, "WS1", "param4", "SRV01", "param5", "0",
			NULL);
	/* SRV01, the server */
	r[7] = te_event(w, TE_CH_SYSTEM, NULL, 10016, t, "SRV01", NULL);
	r[8] = te_event(w, TE_CH_SYSTEM, NULL, 10036, t, "SRV01", NULL);
	/* the same event with its items named param1..4: read by position */
	r[9] = te_event(w, TE_CH_SYSTEM, NULL, 10036, t, "SRV01", "Domain Name", NULL, "User Name",
			NULL, "SID", NULL, "Client IP Address", NULL, "param1", "CORP", "param2",
			"bob", "param3", "S-1-5-21-1-2-3-1105", "param4", "10.0.0.6", NULL);
	r[10] = te_event(w, TE_CH_WINRM, NULL, 192, t, "SRV01", NULL);
	r[11] = te_event(w, TE_CH_WINRM, NULL, 173, t, "SRV01", NULL);
	r[12] = te_event(w, TE_CH_WINRM, NULL, 142, t, "SRV01", NULL);
	r[13] = te_event(w, TE_CH_WINRM, NULL, 142, t, "SRV01", "errorCode:uint32", "5", NULL);
	r[14] = te_event(w, TE_CH_WINRM, NULL, 142, t, "SRV01", "errorCode:uint32", "2150858843",
			 NULL);
	for (size_t i = 0; i < 15; i++)
		ck_assert_uint_ne(r[i], 0);
	detect_written(w);
	tw_free(&w);

	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		const struct want *x = &want[i];
		const rt_finding *f = find(x->host, r[x->k]);

		ck_assert_msg(f != NULL, "%s event %d: no finding", x->host, x->k);
		ck_assert_int_eq(f->kind, x->kind);
		ck_assert_str_eq(f->rule_id, x->rule);
#define SAME(field) \
	ck_assert_msg(x->field ? f->field && !strcmp(f->field, x->field) : !f->field, \
		      "%s event %d: " #field " %s", x->host, x->k, f->field ? f->field : "(none)")
		SAME(remote_ip);
		SAME(remote_host);
		SAME(user);
		SAME(process);
#undef SAME
		ck_assert_msg(strstr(f->message, x->text) != NULL, "\"%s\" not in: %s", x->text,
			      f->message);
	}
	ck_assert_ptr_null(find("SRV01", r[14]));
}
END_TEST

/* Firewall 2003 numbers its setting and profiles (MS-FASP): the message
 * names them. */
START_TEST(firewall_2003_names_setting_and_profiles)
{
	static const char *t = "2024-03-01T10:00:00Z";
	tw_writer *w = tw_new(TW_TEMPLATES);
	uint64_t a, b;
	const rt_finding *f;

	a = te_event(w, TE_CH_FIREWALL, NULL, 2003, t, "WS1", NULL);
	b = te_event(w, TE_CH_FIREWALL, NULL, 2003, t, "WS1", "Profiles:uint32", "5",
		     "SettingType:uint32", "17", "SettingValueString", "Allow", NULL);
	ck_assert_uint_ne(a, 0);
	ck_assert_uint_ne(b, 0);
	detect_written(w);
	tw_free(&w);
	f = find("WS1", a);
	ck_assert_ptr_nonnull(f);
	ck_assert_msg(strstr(f->message, "\"Enable Windows Firewall\" for the Private profile "
				      "changed to No"), "%s", f->message);
	f = find("WS1", b);
	ck_assert_ptr_nonnull(f);
	ck_assert_msg(strstr(f->message, "\"Default inbound action\" for the Domain and Public "
				      "profiles changed to Allow"), "%s", f->message);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("detect");
	TCase *t = tcase_create("scenarios");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, winrm_wsmprovhost_with_network_logon);
	tcase_add_test(t, repeats_within_a_minute_dropped);
	tcase_add_test(t, repeats_among_many);
	tcase_add_test(t, winrm_security_file_after_sysmon_file);
	tcase_add_test(t, winrm_shell_91_links_host_process);
	tcase_add_test(t, winrm_powershell_remote_host_logs);
	tcase_add_test(t, winrm_source_side);
	tcase_add_test(t, winrm_refusals);
	tcase_add_test(t, wmi_4688_v2_target_logon);
	tcase_add_test(t, wmi_4688_v1_parent_pid);
	tcase_add_test(t, wmi_local_is_not_lateral);
	tcase_add_test(t, wmi_source_and_remote_queries);
	tcase_add_test(t, wmi_subscriptions);
	tcase_add_test(t, dcom_mmc20_inbound_connection);
	tcase_add_test(t, dcom_shellwindows_and_excel);
	tcase_add_test(t, firewall_and_services);
	tcase_add_test(t, psexec_rdp_tasks_smb_are_not_lateral_findings);
	tcase_add_test(t, pairs_outbound_with_inbound_across_hosts);
	tcase_add_test(t, pairs_outbound_with_bare_network_logon);
	tcase_add_test(t, deterministic_whatever_the_feed_order);
	tcase_add_test(t, csv_quoting);
	tcase_add_test(t, kind_names_roundtrip);
	tcase_add_test(t, host_iteration);
	tcase_add_test(t, hostile_values_do_not_break);
	tcase_add_test(t, descendants_found_by_parent_guid);
	tcase_add_test(t, output_files_linked_among_many);
	tcase_add_test(t, logon_found_among_many_of_one_id);
	tcase_add_test(t, forwarded_log_of_many_computers);
	tcase_add_test(t, connection_chosen_among_many);
	tcase_add_test(t, refusal_layouts_give_finding_fields);
	tcase_add_test(t, firewall_2003_names_setting_and_profiles);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(suite());
	int failed;

	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
