/*
 * The rule table: it compiles (unique ids, known specs, known extractors),
 * a bad table is refused with a message that names the rule, and every
 * rule is fired by one of the scenarios below. Each scenario feeds a few
 * events (field names as in the corpus samples, the Sysmon schema or the
 * providers' manifests; docs/detect.md cites them) and says which findings
 * and configuration-change points must come out, and which records must
 * give nothing.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "remtrail/assess.h"
#include "remtrail/detect.h"
#include "remtrail/util.h"
#include "detect_int.h"
#include "rules.h"
#include "testutil.h"

#define SEC "Security"
#define SYS "System"
#define SYSMON "Microsoft-Windows-Sysmon/Operational"
#define WINRM "Microsoft-Windows-WinRM/Operational"
#define PSOP "Microsoft-Windows-PowerShell/Operational"
#define PSCL "Windows PowerShell"
#define WMIA "Microsoft-Windows-WMI-Activity/Operational"
#define FW "Microsoft-Windows-Windows Firewall With Advanced Security/Firewall"
#define NETPROF "Microsoft-Windows-NetworkProfile/Operational"
#define DEFENDER "Microsoft-Windows-Windows Defender/Operational"

#define WMIPRVSE "C:\\Windows\\System32\\wbem\\WmiPrvSE.exe"
#define CMD "C:\\Windows\\System32\\cmd.exe"
#define SVCHOST "C:\\Windows\\System32\\svchost.exe"

/* One event: host, channel, id, record id, time of day (2024-03-01), then
 * field name/value pairs; pseudo-fields "@sid", "@provider", "@computer"
 * and "@file" set the System parts and the source file. */
typedef struct tev {
	const char *host, *ch;
	unsigned id, rid;
	const char *hms;
	const char *f[34];
} tev;

#define E(host, ch, id, rid, hms, ...) { host, ch, id, rid, hms, { __VA_ARGS__, NULL } }

/* Sysmon 1 and 4688 in short. */
#define SYSMON1(host, rid, hms, guid, image, cmd, user, logon, pguid, pimage)                     \
	E(host, SYSMON, 1, rid, hms, "ProcessGuid", guid, "ProcessId", "100", "Image", image,       \
	  "CommandLine", cmd, "User", user, "LogonId", logon, "ParentProcessGuid", pguid,            \
	  "ParentProcessId", "99", "ParentImage", pimage)
#define P4688_V1(host, rid, hms, pid, ppid, image, cmd, subject_logon)                            \
	E(host, SEC, 4688, rid, hms, "SubjectUserSid", "S-1-5-20", "SubjectUserName", "SRV01$",      \
	  "SubjectDomainName", "CORP", "SubjectLogonId", subject_logon, "NewProcessId", pid,         \
	  "NewProcessName", image, "TokenElevationType", "%%1936", "ProcessId", ppid, "CommandLine", \
	  cmd)
#define LOGON3(host, rid, hms, id, ip, user)                                                        \
	E(host, SEC, 4624, rid, hms, "TargetUserSid", "S-1-5-21-1-2-3-1111", "TargetUserName", user, \
	  "TargetDomainName", "CORP", "TargetLogonId", id, "LogonType", "3", "WorkstationName",     \
	  "WS01", "IpAddress", ip, "IpPort", "49200")
#define CMDLINE(host, rid, hms, image, cmd)                                                         \
	SYSMON1(host, rid, hms, "{Z-" #rid "}", image, cmd, "CORP\\admin", "0x7777", "{Z-0}",        \
		"C:\\Windows\\explorer.exe")
#define SCRIPT(host, rid, hms, text)                                                              \
	E(host, PSOP, 4104, rid, hms, "MessageNumber", "1", "MessageTotal", "1", "ScriptBlockText",  \
	  text, "ScriptBlockId", "{S}", "@sid", "S-1-5-21-1-2-3-1111")
#define REGSET(host, rid, hms, image, key, details)                                               \
	E(host, SYSMON, 13, rid, hms, "EventType", "SetValue", "ProcessGuid", "{R-1}", "Image",      \
	  image, "TargetObject", key, "Details", details)

typedef struct scenario {
	const char *name;
	tev ev[16];
	/* "rid=rule" or "rid=rule:attribution" or "rid=rule:attribution:confidence"
	 * (attribution "-": none, no remote end); a host
	 * other than the event's as "rid@HOST=rule" */
	const char *expect;
	const char *none; /* "rid rid": no finding */
	/* "rid:name=value;..." change points (value "~": removed) */
	const char *changes;
} scenario;

static const scenario scenarios[] = {
	{ "winrm_target",
	  { LOGON3("SRV01", 1, "10:00:00", "0x10", "10.0.0.5", "admin"),
	    E("SRV01", WINRM, 91, 2, "10:00:01", "resourceUri",
	      "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd", "shellId", "{A}",
	      "@sid", "S-1-5-21-1-2-3-1111"),
	    SYSMON1("SRV01", 3, "10:00:01", "{W-1}", "C:\\Windows\\System32\\wsmprovhost.exe",
		    "wsmprovhost.exe -Embedding", "CORP\\admin", "0x10", "{W-0}", SVCHOST),
	    SYSMON1("SRV01", 4, "10:00:02", "{W-2}", "C:\\Windows\\System32\\whoami.exe", "whoami",
		    "CORP\\admin", "0x10", "{W-1}", "C:\\Windows\\System32\\wsmprovhost.exe"),
	    E("SRV01", WINRM, 169, 5, "10:00:01", "username", "CORP\\admin",
	      "authenticationMechanism", "Kerberos"),
	    E("SRV01", PSCL, 400, 6, "10:00:02", "Data[1]", "Available", "Data[2]", "None",
	      "Data[3]",
	      "\tNewEngineState=Available\r\n\tHostName=ServerRemoteHost\r\n\tEngineVersion=5.1\r\n"
	      "\tHostApplication=C:\\Windows\\system32\\wsmprovhost.exe -Embedding\r\n"
	      "\tUserId=CORP\\admin\r\n"),
	    E("SRV01", PSOP, 4103, 7, "10:00:03", "ContextInfo",
	      "        Host Name = ServerRemoteHost\r\n        Host Application = "
	      "C:\\Windows\\system32\\wsmprovhost.exe -Embedding\r\n        User = CORP\\admin\r\n"
	      "        Command Name = Get-Process\r\n",
	      "Payload", "CommandInvocation(Get-Process): \"Get-Process\""),
	    SCRIPT("SRV01", 8, "10:00:04", "function Bypass-4MSI { }"),
	    E("SRV01", SYSMON, 10, 9, "10:00:05", "SourceProcessGUID", "{W-1}", "SourceImage",
	      "C:\\Windows\\system32\\wsmprovhost.exe", "TargetImage",
	      "C:\\Windows\\system32\\lsass.exe", "GrantedAccess", "0x1010"),
	    E("SRV01", SYSMON, 3, 10, "10:00:00", "Image", SVCHOST, "User", "NT AUTHORITY\\NETWORK SERVICE",
	      "Protocol", "tcp", "Initiated", "false", "SourceIp", "10.0.0.5", "SourceHostname",
	      "WS01", "SourcePort", "50000", "DestinationIp", "10.0.0.1", "DestinationHostname",
	      "SRV01", "DestinationPort", "5985") },
	  "2=winrm.shell_created 3=winrm.wsmprovhost:logon_id:high 4=winrm.remote_child:logon_id:high "
	  "5=winrm.user_authenticated:time_window 6=winrm.ps_remote_engine 7=winrm.ps_remote_module "
	  "8=winrm.evil_winrm 9=winrm.lsass_access 10=winrm.listener_connection:record "
	  "1=logon.network",
	  "", "" },
	{ "winrm_source",
	  { E("WS01", WINRM, 6, 1, "09:00:00", "connection", "srv02.corp.local/wsman?PSVersion=5.1",
	      "@sid", "S-1-5-21-1-2-3-1111"),
	    CMDLINE("WS01", 2, "09:00:01", "C:\\Windows\\System32\\winrs.exe", "winrs -r:SRV02 ipconfig"),
	    CMDLINE("WS01", 3, "09:00:02", "C:\\Ruby\\bin\\ruby.exe",
		    "ruby evil-winrm.rb -i 10.0.0.9 -u admin -p secret"),
	    SCRIPT("WS01", 4, "09:00:03", "Invoke-Command -ComputerName SRV02 -ScriptBlock { hostname }"),
	    E("WS01", PSOP, 4103, 5, "09:00:04", "ContextInfo", "        User = CORP\\admin\r\n",
	      "Payload",
	      "CommandInvocation(Enter-PSSession): \"Enter-PSSession\"\r\n"
	      "ParameterBinding(Enter-PSSession): name=\"ComputerName\"; value=\"SRV03\"\r\n"),
	    CMDLINE("WS01", 6, "09:00:05", "C:\\Windows\\System32\\cscript.exe",
		    "cscript //nologo C:\\Windows\\System32\\winrm.vbs invoke Create wmicimv2/Win32_Process "
		    "@{CommandLine=\"calc\"} -r:http://SRV04:5985"),
	    E("WS01", SEC, 4648, 7, "09:00:06", "SubjectLogonId", "0x7777", "TargetUserName", "admin",
	      "TargetDomainName", "CORP", "TargetServerName", "srv05", "TargetInfo",
	      "HTTP/srv05.corp.local", "ProcessName",
	      "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe"),
	    E("WS01", SYSMON, 3, 8, "09:00:07", "Image", "C:\\Windows\\System32\\winrs.exe", "User",
	      "CORP\\admin", "Initiated", "true", "SourceIp", "10.0.0.2", "SourcePort", "50001",
	      "DestinationIp", "10.0.0.6", "DestinationHostname", "SRV06", "DestinationPort", "5986") },
	  "1=winrm.session_created:record 2=winrm.winrs 3=winrm.evil_winrm_client "
	  "4=winrm.ps_invoke_command 5=winrm.ps_invoke_command 6=winrm.vbs_remote "
	  "7=winrm.explicit_credentials 8=winrm.client_connection",
	  "", "" },
	{ "winrm_refused",
	  { E("WS01", WINRM, 161, 1, "09:00:00", "authFailureMessage", "The user name or password is incorrect."),
	    E("WS01", WINRM, 162, 2, "09:00:01", "@sid", "S-1-5-21-1-2-3-1111"),
	    E("WS01", WINRM, 163, 3, "09:00:02", "authClient", "Basic", "authServer1", "Kerberos"),
	    E("WS01", WINRM, 164, 4, "09:00:03", "destinationMachine", "SRV02"),
	    E("SRV01", WINRM, 192, 5, "09:00:04", "errorCode", "5", "@sid", "S-1-5-21-1-2-3-1111"),
	    E("SRV01", WINRM, 173, 6, "09:00:05", "param1", "50", "param2", "5"),
	    E("SRV01", WINRM, 142, 7, "09:00:06", "operationName", "Enumeration", "errorCode", "5"),
	    E("SRV01", SEC, 5157, 8, "09:00:07", "Application", "System", "Direction", "%%14592",
	      "SourceAddress", "10.0.0.1", "SourcePort", "5985", "DestAddress", "10.0.0.5",
	      "DestPort", "50000") },
	  "1=winrm.client_auth_failed 2=winrm.client_credentials_rejected 3=winrm.client_auth_mechanism "
	  "4=winrm.client_access_denied 5=winrm.server_authz_failed 6=winrm.unauthenticated_dropped "
	  "7=winrm.operation_failed 8=winrm.firewall_drop",
	  "", "" },
	{ "wmi_impacket",
	  { SYSMON1("SRV01", 1, "10:00:01", "{I-1}", CMD,
		    "cmd.exe /Q /c whoami 1> \\\\127.0.0.1\\ADMIN$\\__1700000000.12 2>&1", "CORP\\admin",
		    "0x20", "{I-0}", WMIPRVSE),
	    SYSMON1("SRV01", 2, "10:00:02", "{I-2}",
		    "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
		    "powershell.exe -NoP -NoL -sta -NonI -W Hidden -Exec Bypass -Enc AAAA", "CORP\\admin",
		    "0x20", "{I-1}", CMD),
	    E("SRV01", SEC, 5145, 3, "10:00:02", "SubjectUserName", "admin", "SubjectDomainName", "CORP",
	      "SubjectLogonId", "0x21", "IpAddress", "10.0.0.7", "ShareName", "\\\\*\\ADMIN$",
	      "RelativeTargetName", "__1700000000.12", "AccessMask", "0x1"),
	    E("SRV01", SYSMON, 11, 4, "10:00:01", "Image", "System", "TargetFilename",
	      "C:\\Windows\\__1700000000.12") },
	  "1=wmi.impacket_wmiexec:output_file:high 2=wmi.impacket_powershell 3=wmi.impacket_output_read "
	  "4=wmi.impacket_output_file:output_file",
	  "", "" },
	{ "wmi_impacket_unknown_parent",
	  { P4688_V1("SRV01", 1, "10:00:01", "0x168", "0x5fc", CMD,
		     "cmd.exe /Q /c cd 1> \\\\127.0.0.1\\ADMIN$\\__1700000000.5 2>&1", "0x3e4"),
	    E("SRV01", SEC, 5145, 2, "10:00:02", "SubjectUserName", "admin", "SubjectDomainName", "CORP",
	      "SubjectLogonId", "0x21", "IpAddress", "10.0.0.7", "ShareName", "\\\\*\\ADMIN$",
	      "RelativeTargetName", "__1700000000.5") },
	  "1=wmi.impacket_output_unknown_parent:output_file:high 2=wmi.impacket_output_read:record:high",
	  "", "" },
	{ "wmi_security_only",
	  { LOGON3("SRV01", 1, "10:00:00", "0x30", "10.0.0.8", "admin"),
	    P4688_V1("SRV01", 2, "10:00:01", "0x900", "0x248", WMIPRVSE, "wmiprvse.exe -secured -Embedding",
		     "0x3e7"),
	    P4688_V1("SRV01", 3, "10:00:02", "0x904", "0x900", CMD, "cmd.exe /c whoami", "0x3e4"),
	    P4688_V1("SRV01", 4, "10:00:02", "0x908", "0x904", "C:\\Windows\\System32\\conhost.exe",
		     "conhost.exe 0xffffffff", "0x30") },
	  "3=wmi.wmiprvse_child:logon_id:high", "4", "" },
	{ "wmi_security_only_time_window",
	  { LOGON3("SRV01", 1, "10:00:00", "0x30", "10.0.0.8", "admin"),
	    P4688_V1("SRV01", 2, "10:00:01", "0x900", "0x248", WMIPRVSE, "wmiprvse.exe -secured -Embedding",
		     "0x3e7"),
	    P4688_V1("SRV01", 3, "10:00:02", "0x904", "0x900", CMD, "cmd.exe /c whoami", "0x3e4") },
	  "3=wmi.wmiprvse_child:time_window:medium", "", "" },
	{ "wmi_pid_link_not_across_logs",
	  { E("SRV01", SEC, 4688, 1, "09:00:00", "@file", "/ev/SRV01/old-Security.evtx",
	      "SubjectLogonId", "0x3e7", "NewProcessId", "0x944", "NewProcessName", WMIPRVSE,
	      "ProcessId", "0x234", "CommandLine", "wmiprvse.exe"),
	    E("SRV01", SEC, 4688, 2, "10:00:00", "@file", "/ev/SRV01/new-Security.evtx",
	      "SubjectUserName", "admin", "SubjectDomainName", "CORP", "SubjectLogonId", "0x542c77d",
	      "NewProcessId", "0xff0", "NewProcessName", "C:\\Windows\\System32\\wbem\\WMIC.exe",
	      "ProcessId", "0x944", "CommandLine", "wmic nteventlog where filename=\"security\" cl",
	      "TargetUserSid", "S-1-0-0", "TargetLogonId", "0x0") },
	  "", "1 2", "" },
	{ "wmi_pid_link_not_across_boot",
	  { P4688_V1("SRV01", 1, "09:00:00", "0x900", "0x248", WMIPRVSE, "wmiprvse.exe", "0x3e7"),
	    E("SRV01", SEC, 4608, 2, "09:30:00", "Dummy", "0"),
	    P4688_V1("SRV01", 3, "10:00:00", "0x904", "0x900", CMD, "cmd.exe /c whoami", "0x3e4") },
	  "", "1 3", "" },
	{ "wmi_pid_link_not_after_exit",
	  { P4688_V1("SRV01", 1, "09:00:00", "0x900", "0x248", WMIPRVSE, "wmiprvse.exe", "0x3e7"),
	    E("SRV01", SEC, 4689, 2, "09:05:00", "SubjectLogonId", "0x3e7", "ProcessId", "0x900",
	      "ProcessName", WMIPRVSE),
	    P4688_V1("SRV01", 3, "10:00:00", "0x904", "0x900", CMD, "cmd.exe /c whoami", "0x3e4") },
	  "", "1 3", "" },
	{ "wmi_pid_link_not_across_kernel_boot",
	  { P4688_V1("SRV01", 1, "09:00:00", "0x900", "0x248", WMIPRVSE, "wmiprvse.exe", "0x3e7"),
	    P4688_V1("SRV01", 2, "10:00:00", "0x904", "0x900", CMD, "cmd.exe /c whoami", "0x3e4"),
	    E("SRV01", SYS, 12, 3, "09:30:00", "@provider", "Microsoft-Windows-Kernel-General",
	      "StartTime", "2024-03-01T09:29:58.0000000Z") },
	  "", "1 2 3", "" },
	/* a session ends at its logoff (4634): a process logged later with that
	 * LogonId is not explained by it; the next session is */
	{ "logon_session_ends_at_logoff",
	  { LOGON3("SRV01", 1, "09:00:00", "0x6", "10.0.0.5", "admin"),
	    E("SRV01", SEC, 4634, 2, "09:05:00", "TargetUserName", "admin", "TargetLogonId", "0x6",
	      "LogonType", "3"),
	    SYSMON1("SRV01", 3, "09:10:00", "{O-1}", "C:\\Windows\\System32\\wsmprovhost.exe",
		    "wsmprovhost.exe -Embedding", "CORP\\admin", "0x6", "{O-0}", SVCHOST),
	    LOGON3("SRV01", 4, "10:00:00", "0x7", "10.0.0.6", "admin"),
	    SYSMON1("SRV01", 5, "10:00:01", "{O-2}", "C:\\Windows\\System32\\wsmprovhost.exe",
		    "wsmprovhost.exe -Embedding", "CORP\\admin", "0x7", "{O-0}", SVCHOST) },
	  "3=winrm.wsmprovhost:-:medium 5=winrm.wsmprovhost:logon_id:high 4=logon.network", "1 2", "" },
	{ "wmi_without_process",
	  { LOGON3("SRV01", 1, "10:00:00", "0x40", "10.0.0.9", "hack1"),
	    E("SRV01", SEC, 4674, 2, "10:00:01", "SubjectUserName", "hack1", "SubjectDomainName", "CORP",
	      "SubjectLogonId", "0x40", "ObjectType", "Key", "ObjectName",
	      "\\REGISTRY\\MACHINE\\SYSTEM\\ControlSet001\\Control\\SecurePipeServers\\winreg",
	      "PrivilegeList", "SeSecurityPrivilege", "ProcessName", WMIPRVSE),
	    E("SRV01", SEC, 4673, 3, "10:00:02", "SubjectUserName", "hack1", "SubjectDomainName", "CORP",
	      "SubjectLogonId", "0x40", "PrivilegeList", "SeTcbPrivilege", "ProcessName", WMIPRVSE),
	    E("SRV01", SEC, 4657, 4, "10:00:03", "SubjectUserName", "hack1", "SubjectDomainName", "CORP",
	      "SubjectLogonId", "0x40", "ObjectName",
	      "\\REGISTRY\\MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run",
	      "ObjectValueName", "updater", "NewValue", "c:\\x.exe", "ProcessName", WMIPRVSE),
	    REGSET("SRV01", 5, "10:00:04", WMIPRVSE,
		   "HKLM\\System\\CurrentControlSet\\Control\\CrashControl\\DumpFile", "87,105,110"),
	    E("SRV01", SYSMON, 3, 6, "10:00:00", "Image", SVCHOST, "Initiated", "false", "SourceIp",
	      "10.0.0.9", "SourcePort", "50000", "DestinationIp", "10.0.0.1", "DestinationPort", "135"),
	    E("SRV01", WMIA, 5857, 7, "10:00:01", "ProviderName", "StdProv", "Code", "0x0",
	      "HostProcess", "wmiprvse.exe", "ProcessID", "1234", "ProviderPath",
	      "%systemroot%\\system32\\wbem\\stdprov.dll"),
	    E("SRV01", WMIA, 5860, 8, "10:00:02", "NamespaceName", "//./root/CIMV2", "Query",
	      "SELECT * FROM Win32_ProcessStartTrace", "User", "CORP\\hack1", "processid", "77",
	      "MachineName", "WS09", "PossibleCause", "Temporary"),
	    E("SRV01", SEC, 4624, 9, "10:00:03", "TargetUserName", "svc", "TargetDomainName", "CORP",
	      "TargetLogonId", "0x41", "LogonType", "4", "IpAddress", "-", "ProcessName", WMIPRVSE),
	    E("SRV01", DEFENDER, 1121, 10, "10:00:04", "ID", "d1e49aac-8f56-4280-b9ba-993a6d77406c",
	      "Path", "C:\\Windows\\System32\\cmd.exe", "Process Name", WMIPRVSE, "User", "CORP\\hack1"),
	    E("SRV01", WMIA, 5858, 11, "10:00:05", "ClientMachine", "WS09", "User", "CORP\\hack1",
	      "Operation", "ExecMethod Win32_NTEventlogFile::ClearEventLog", "ResultCode", "0x80041003"),
	    REGSET("SRV01", 12, "10:00:02", WMIPRVSE,
		   "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\wmipers", "c:\\x.exe") },
	  "2=wmi.privileged_use:logon_id:high 4=wmi.registry_4657:logon_id 5=wmi.wmimplant_dumpfile "
	  "7=wmi.provider_after_rpc:connection 8=wmi.temporary_consumer_remote 9=wmi.logon_by_wmiprvse "
	  "10=wmi.asr_blocked 11=wmi.log_clear_refused 12=wmi.registry_via_wmi:connection",
	  "3 6", "" },
	{ "wmi_rpc_then_wmiprvse",
	  { E("SRV01", SYSMON, 3, 1, "10:00:00", "Image", SVCHOST, "Initiated", "false", "SourceIp",
	      "10.0.0.17", "SourcePort", "50000", "DestinationIp", "10.0.0.1", "DestinationPort", "135"),
	    SYSMON1("SRV01", 2, "10:00:01", "{P-1}", WMIPRVSE, "wmiprvse.exe -secured -Embedding",
		    "NT AUTHORITY\\NETWORK SERVICE", "0x3e4", "{P-0}", SVCHOST),
	    E("SRV01", WMIA, 5858, 3, "10:00:02", "Id", "{1}", "ClientMachine", "WS09", "User",
	      "CORP\\guest", "ClientProcessId", "1", "Operation", "Start IWbemServices::ExecQuery",
	      "ResultCode", "0x80041003") },
	  "2=wmi.wmiprvse_after_rpc:connection 3=wmi.client_failure:record", "1", "" },
	{ "wmi_local_is_not_lateral",
	  { SYSMON1("WS01", 1, "10:00:00", "{L-1}", CMD, "cmd", "WS01\\user", "0x50", "{L-0}",
		    "C:\\Windows\\explorer.exe"),
	    SYSMON1("WS01", 2, "10:00:05", "{L-2}", "C:\\Windows\\System32\\cscript.exe",
		    "cscript //nologo \"C:\\Windows\\System32\\winrm.vbs\" i c wmicimv2/Win32_Process "
		    "@{CommandLine=\"calc\"}",
		    "WS01\\user", "0x50", "{L-1}", CMD),
	    SYSMON1("WS01", 3, "10:00:06", "{L-3}", "C:\\Windows\\System32\\calc.exe", "calc",
		    "WS01\\user", "0x50", "{L-9}", WMIPRVSE),
	    E("WS01", SYSMON, 20, 4, "09:00:00", "EventType", "WmiConsumerEvent", "Operation", "Created",
	      "User", "WS01\\user", "Name", "\"x\"", "Type", "Command Line", "Destination",
	      "\"c:\\\\windows\\\\temp\\\\a.exe\""),
	    SYSMON1("WS01", 5, "11:00:00", "{L-5}", "C:\\Windows\\System32\\wbem\\WMIC.exe",
		    "wmic process call create c:\\windows\\temp\\svhost64.exe", "NT AUTHORITY\\SYSTEM",
		    "0x3e7", "{L-4}", CMD),
	    SYSMON1("WS01", 6, "11:00:01", "{L-6}", "C:\\Windows\\Temp\\svhost64.exe",
		    "c:\\windows\\temp\\svhost64.exe", "NT AUTHORITY\\SYSTEM", "0x3e7", "{L-9}", WMIPRVSE) },
	  "4=wmi.subscription_sysmon", "1 2 3 5 6", "" },
	{ "wmi_source",
	  { CMDLINE("WS01", 1, "09:00:00", "C:\\Windows\\System32\\wbem\\WMIC.exe",
		    "wmic /node:SRV02 process call create \"cmd /c whoami\""),
	    E("WS01", SEC, 4648, 2, "09:00:01", "SubjectLogonId", "0x7777", "TargetUserName", "admin",
	      "TargetDomainName", "CORP", "TargetServerName", "SRV02", "TargetInfo", "SRV02",
	      "ProcessName", "C:\\Windows\\System32\\wbem\\WMIC.exe"),
	    SCRIPT("WS01", 3, "09:00:02", "Get-WmiObject -Class Win32_OperatingSystem -ComputerName SRV03"),
	    E("WS01", PSOP, 4103, 4, "09:00:03", "ContextInfo", "        User = CORP\\admin\r\n",
	      "Payload",
	      "CommandInvocation(Get-WmiObject): \"Get-WmiObject\"\r\n"
	      "ParameterBinding(Get-WmiObject): name=\"Class\"; value=\"Win32_Service\"\r\n"
	      "ParameterBinding(Get-WmiObject): name=\"ComputerName\"; value=\"FS03\"\r\n"),
	    SCRIPT("WS01", 5, "09:00:04", "Invoke-WMImplant -command_exec -Target SRV04"),
	    E("WS01", SEC, 4648, 6, "09:00:01", "SubjectLogonId", "0x7777", "TargetUserName", "admin",
	      "TargetDomainName", "CORP", "TargetServerName", "SRV02", "TargetInfo", "RPCSS/SRV02",
	      "ProcessName", "C:\\Windows\\System32\\svchost.exe") },
	  "1=wmi.wmic_node 2=wmi.explicit_credentials 3=wmi.ps_cmdlet_remote 4=wmi.ps_cmdlet_remote "
	  "5=wmi.wmimplant 6=dcom.rpcss_explicit_credentials",
	  "", "" },
	{ "wmi_subscriptions",
	  { E("WS01", WMIA, 5861, 1, "09:00:00", "Namespace", "//./root/subscription", "ESS", "BotFilter",
	      "CONSUMER", "CommandLineEventConsumer=\"Bot\"", "PossibleCause", "Binding"),
	    E("WS01", SYSMON, 19, 2, "09:00:01", "EventType", "WmiFilterEvent", "Operation", "Created",
	      "User", "WS01\\user", "Name", "\"BotFilter\"", "Query", "\"SELECT * FROM x\""),
	    E("WS01", SYSMON, 20, 3, "09:00:02", "EventType", "WmiConsumerEvent", "Operation", "Created",
	      "User", "WS01\\user", "Name", "\"Bot\"", "Type", "Command Line", "Destination",
	      "\"c:\\\\Windows\\\\System32\\\\cmd.exe\""),
	    E("WS01", WMIA, 5859, 4, "09:00:03", "Namespace", "//./root/subscription", "Query",
	      "SELECT * FROM __InstanceCreationEvent", "User", "WS01\\user", "processid", "1",
	      "Provider", "WMI Kernel Trace Event Provider", "queryid", "0", "PossibleCause",
	      "Permanent"),
	    SCRIPT("WS01", 5, "09:00:04",
		   "Set-WmiInstance -Namespace root/subscription -Class __EventFilter -Arguments $a"),
	    E("WS01", PSOP, 4103, 6, "09:00:05", "ContextInfo", "        User = WS01\\user\r\n", "Payload",
	      "CommandInvocation(Set-WmiInstance): \"Set-WmiInstance\"\r\n"
	      "ParameterBinding(Set-WmiInstance): name=\"Namespace\"; value=\"root/subscription\"\r\n"
	      "ParameterBinding(Set-WmiInstance): name=\"Class\"; value=\"CommandLineEventConsumer\"\r\n"),
	    CMDLINE("WS01", 7, "09:00:06", "C:\\Windows\\System32\\wbem\\WMIC.exe",
		    "wmic /namespace:\"\\\\root\\subscription\" PATH __EventFilter CREATE Name=\"x\""),
	    E("WS01", SEC, 4662, 8, "09:00:07", "SubjectUserName", "user", "SubjectDomainName", "WS01",
	      "SubjectLogonId", "0x50", "ObjectServer", "WMI", "ObjectType", "WMI Namespace",
	      "ObjectName", "ROOT\\subscription"),
	    E("WS01", SYSMON, 7, 9, "09:00:08", "Image", WMIPRVSE, "ImageLoaded",
	      "C:\\Windows\\System32\\wbem\\wbemcons.dll"),
	    E("WS01", SYSMON, 11, 10, "09:00:09", "Image", "C:\\Windows\\System32\\wbem\\scrcons.exe",
	      "TargetFilename", "C:\\Users\\Public\\a.txt"),
	    E("WS01", SEC, 4624, 11, "09:00:10", "TargetUserName", "admin", "TargetDomainName", "CORP",
	      "TargetLogonId", "0x99", "LogonType", "3", "IpAddress", "10.0.0.3", "ProcessName",
	      "C:\\Windows\\System32\\wbem\\scrcons.exe"),
	    SYSMON1("WS01", 12, "09:00:11", "{S-1}", CMD, "c:\\Windows\\System32\\cmd.exe",
		    "NT AUTHORITY\\SYSTEM", "0x3e7", "{S-0}", WMIPRVSE),
	    SYSMON1("WS01", 13, "09:00:12", "{S-2}", "C:\\Windows\\System32\\wbem\\scrcons.exe",
		    "scrcons.exe -Embedding", "NT AUTHORITY\\SYSTEM", "0x3e7", "{S-0}", SVCHOST) },
	  "1=wmi.subscription_binding 2=wmi.subscription_sysmon 3=wmi.subscription_sysmon "
	  "4=wmi.subscription_filter 5=wmi.subscription_script 6=wmi.subscription_script "
	  "7=wmi.subscription_wmic 8=wmi.subscription_namespace_access 9=wmi.consumer_dll_loaded "
	  "10=wmi.scrcons_activity 11=wmi.scrcons_network_logon 12=wmi.consumer_fired::high "
	  "13=wmi.subscription_fired",
	  "", "" },
	{ "dcom_mmc",
	  { SYSMON1("SRV01", 1, "10:00:00", "{M-1}", "C:\\Windows\\System32\\mmc.exe",
		    "C:\\Windows\\system32\\mmc.exe -Embedding", "CORP\\admin", "0x60", "{M-0}", SVCHOST),
	    E("SRV01", SYSMON, 3, 2, "10:00:01", "ProcessGuid", "{M-1}", "Image",
	      "C:\\Windows\\System32\\mmc.exe", "Initiated", "false", "SourceIp", "10.0.0.3",
	      "SourcePort", "50000", "DestinationIp", "10.0.0.1", "DestinationPort", "49700"),
	    SYSMON1("SRV01", 3, "10:00:02", "{M-2}", CMD,
		    "\"C:\\Windows\\System32\\cmd.exe\" /Q /c cd \\ 1> \\\\127.0.0.1\\ADMIN$\\__1700000001.5 2>&1",
		    "CORP\\admin", "0x60", "{M-1}", "C:\\Windows\\System32\\mmc.exe"),
	    SYSMON1("SRV01", 4, "10:00:03", "{M-3}", "C:\\Windows\\System32\\cscript.exe", "cscript x.vbs",
		    "CORP\\admin", "0x60", "{M-1}", "C:\\Windows\\System32\\mmc.exe"),
	    SYSMON1("SRV01", 5, "10:00:04", "{M-4}", "C:\\Windows\\System32\\mshta.exe",
		    "C:\\Windows\\System32\\mshta.exe -Embedding", "CORP\\admin", "0x61", "{M-0}", SVCHOST),
	    E("SRV01", SYSMON, 3, 6, "10:00:05", "ProcessGuid", "{M-4}", "Image",
	      "C:\\Windows\\System32\\mshta.exe", "Initiated", "false", "SourceIp", "10.0.0.3",
	      "SourcePort", "50001", "DestinationIp", "10.0.0.1", "DestinationPort", "49701") },
	  "1=dcom.mmc20:connection 2=dcom.server_connection 3=dcom.impacket_dcomexec:process_guid "
	  "4=dcom.mmc_child:process_guid 5=dcom.lethalhta:connection 6=dcom.server_connection",
	  "", "" },
	{ "dcom_office_explorer_ie",
	  { SYSMON1("SRV01", 1, "10:00:00", "{O-1}", "C:\\Program Files\\Microsoft Office\\EXCEL.EXE",
		    "EXCEL.EXE /automation -Embedding", "CORP\\admin", "0x62", "{O-0}", SVCHOST),
	    SYSMON1("SRV01", 2, "10:00:01", "{O-2}", "C:\\Program Files\\Microsoft Office\\FOXPROW.EXE",
		    "FOXPROW.EXE", "CORP\\admin", "0x62", "{O-1}",
		    "C:\\Program Files\\Microsoft Office\\EXCEL.EXE"),
	    SYSMON1("SRV01", 3, "10:00:02", "{O-3}", "\\\\10.0.0.3\\share\\x.exe", "\\\\10.0.0.3\\share\\x.exe",
		    "CORP\\admin", "0x63", "{O-9}", "C:\\Program Files\\Microsoft Office\\OUTLOOK.EXE"),
	    E("SRV01", SYSMON, 3, 4, "10:00:03", "ProcessGuid", "{O-4}", "Image",
	      "C:\\Windows\\explorer.exe", "Initiated", "false", "SourceIp", "10.0.0.3", "SourcePort",
	      "50002", "DestinationIp", "10.0.0.1", "DestinationPort", "49702"),
	    SYSMON1("SRV01", 5, "10:00:04", "{O-5}", CMD, "cmd /c calc", "CORP\\admin", "0x64", "{O-4}",
		    "C:\\Windows\\explorer.exe"),
	    E("SRV01", SEC, 5145, 6, "10:00:05", "SubjectUserName", "admin", "SubjectDomainName", "CORP",
	      "SubjectLogonId", "0x65", "IpAddress", "10.0.0.3", "ShareName", "\\\\*\\C$",
	      "RelativeTargetName", "Program Files\\Internet Explorer\\iertutil.dll"),
	    E("SRV01", SYSMON, 7, 7, "10:00:06", "Image",
	      "C:\\Program Files\\Internet Explorer\\iexplore.exe", "ImageLoaded",
	      "C:\\Program Files\\Internet Explorer\\iertutil.dll") },
	  "1=dcom.office_embedding 2=dcom.excel_activatemsapp 3=dcom.outlook_unc_child "
	  "4=dcom.server_connection 5=dcom.shellwindows_child:connection 6=dcom.ie_iertutil_drop "
	  "7=dcom.ie_iertutil_load",
	  "", "" },
	{ "dcom_source",
	  { SCRIPT("WS01", 1, "09:00:00",
		   "$c = [activator]::CreateInstance([type]::GetTypeFromProgID(\"MMC20.Application\",\"srv02\"))"),
	    SCRIPT("WS01", 2, "09:00:01",
		   "$x = [activator]::CreateInstance([type]::GetTypeFromProgID(\"Excel.Application\",\"srv03\")); "
		   "$x.RegisterXLL(\"\\\\\\\\ws01\\\\s\\\\a.xll\")"),
	    E("WS01", SEC, 4648, 3, "09:30:00", "SubjectLogonId", "0x7777", "TargetUserName", "admin",
	      "TargetDomainName", "CORP", "TargetServerName", "srv07", "TargetInfo", "RPCSS/srv07",
	      "ProcessName", "C:\\Windows\\System32\\svchost.exe") },
	  "1=dcom.ps_gettypefromprogid 2=dcom.ps_office_method 3=dcom.rpcss_explicit_credentials", "",
	  "" },
	/* RPC Firewall 3, items in Messages.mc order (function, PID, image,
	 * protocol, endpoint, address, interface, opnum, SID, ...); a call from
	 * the host itself (::1) is not remote */
	{ "dcom_rpc_firewall",
	  { E("SRV01", "RPCFW", 3, 1, "10:00:00", "@provider", "RPCFW", "Data1", "RpcServerCall",
	      "Data2", "812", "Data3", "C:\\Windows\\System32\\svchost.exe", "Data4", "ncacn_ip_tcp",
	      "Data5", "135", "Data6", "10.0.0.9", "Data7", "000001a0-0000-0000-c000-000000000046",
	      "Data8", "4", "Data9", "S-1-5-21-1-2-3-1111"),
	    E("SRV01", "RPCFW", 3, 2, "10:00:01", "@provider", "RPCFW", "Data1", "RpcServerCall",
	      "Data2", "812", "Data3", "C:\\Windows\\System32\\svchost.exe", "Data4", "ncacn_ip_tcp",
	      "Data5", "135", "Data6", "::1", "Data7", "000001a0-0000-0000-c000-000000000046",
	      "Data8", "4", "Data9", "S-1-5-18"),
	    E("SRV01", "RPCFW", 3, 3, "10:00:02", "@provider", "RPCFW", "Data1", "RpcServerCall",
	      "Data2", "812", "Data3", "C:\\Windows\\System32\\lsass.exe", "Data4", "ncacn_ip_tcp",
	      "Data5", "49667", "Data6", "10.0.0.9", "Data7", "12345778-1234-abcd-ef00-0123456789ab",
	      "Data8", "1", "Data9", "S-1-5-21-1-2-3-1111") },
	  "1=dcom.rpc_firewall_call:record", "2 3", "" },
	{ "dcom_refused",
	  { E("SRV01", SYS, 10016, 1, "10:00:00", "param1", "machine-default", "param2", "Remote",
	      "param3", "Activation", "param4", "{49B2791A-B1AE-4C90-9B8E-E860BA07F889}", "param5",
	      "{7E0423CD-1119-0928-900C-E6D4A52A0715}", "param6", "CORP", "param7", "admin", "param8",
	      "S-1-5-21-1-2-3-1111", "param9", "10.0.0.3"),
	    E("SRV01", SYS, 10036, 2, "10:00:01", "Domain Name", "CORP", "User Name", "admin", "SID",
	      "S-1-5-21-1-2-3-1111", "Client IP Address", "10.0.0.3"),
	    E("WS01", SYS, 10028, 3, "10:00:02", "param1", "SRV09", "param2", "4242", "param3",
	      "C:\\x.exe", "param4", "{49B2791A-B1AE-4C90-9B8E-E860BA07F889}"),
	    E("WS01", SYS, 10037, 4, "10:00:03", "p1", "C:\\x.exe", "p2", "4242", "p3",
	      "{49B2791A-B1AE-4C90-9B8E-E860BA07F889}", "p4", "SRV09", "p5", "2"),
	    E("SRV01", SEC, 5157, 5, "10:00:04", "Application", "System", "Direction", "%%14592",
	      "SourceAddress", "10.0.0.1", "SourcePort", "135", "DestAddress", "10.0.0.3", "DestPort",
	      "50000") },
	  "1=dcom.remote_launch_denied 2=dcom.activation_auth_level 3=dcom.client_unreachable "
	  "4=dcom.client_auth_level 5=dcom.firewall_drop_rpc",
	  "", "" },
	{ "firewall_events",
	  { E("SRV01", FW, 2004, 1, "10:00:00", "RuleId", "WINRM-HTTP-In-TCP", "RuleName",
	      "Windows Remote Management (HTTP-In)", "ApplicationPath", "System", "ServiceName", "",
	      "Direction", "1", "Protocol", "6", "LocalPorts", "5985", "RemotePorts", "*", "Action", "3",
	      "Profiles", "3", "LocalAddresses", "*", "RemoteAddresses", "LocalSubnet", "Active", "1",
	      "ModifyingUser", "S-1-5-21-1-2-3-1111", "ModifyingApplication", WMIPRVSE),
	    E("SRV01", FW, 2006, 2, "10:00:01", "RuleId", "{AAA}", "RuleName", "x", "ModifyingUser",
	      "S-1-5-18", "ModifyingApplication", SVCHOST),
	    E("SRV01", FW, 2033, 3, "10:00:02", "ModifyingUser", "S-1-5-18", "ModifyingApplication",
	      "C:\\Windows\\System32\\netsh.exe"),
	    E("SRV01", FW, 2032, 4, "10:00:03", "ModifyingUser", "S-1-5-18", "ModifyingApplication",
	      "C:\\Windows\\System32\\netsh.exe"),
	    E("SRV01", FW, 2003, 5, "10:00:04", "Profiles", "5", "SettingType", "1", "SettingValueSize",
	      "4", "SettingValue", "00000000", "SettingValueString", "No", "Origin", "1",
	      "ModifyingUser", "S-1-5-21-1-2-3-1111", "ModifyingApplication", WMIPRVSE),
	    E("SRV01", FW, 2002, 6, "10:00:05", "SettingType", "Disable inbound notifications",
	      "SettingValueString", "Yes"),
	    E("SRV01", FW, 2009, 7, "10:00:06", "ErrorCode", "1168"),
	    E("SRV01", SEC, 4946, 8, "10:00:07", "ProfileChanged", "All", "RuleId", "{BBB}", "RuleName",
	      "y"),
	    E("SRV01", SEC, 4950, 9, "10:00:08", "ProfileChanged", "Private", "SettingType",
	      "Enable Windows Firewall", "SettingValue", "No"),
	    E("SRV01", SEC, 4956, 10, "10:00:09", "ActiveProfile", "Domain,Public"),
	    E("SRV01", NETPROF, 10000, 11, "10:00:10", "Name", "corp.local", "Guid",
	      "{3C9A-ABCD}", "Category", "1"),
	    E("SRV01", NETPROF, 10001, 12, "10:00:11", "Name", "corp.local", "Guid", "{3C9A-ABCD}") },
	  "1=firewall.rule_changed 2=firewall.rule_deleted 3=firewall.rules_all_deleted 4=firewall.reset "
	  "5=firewall.profile_setting 6=firewall.setting_changed 7=firewall.policy_load_failed "
	  "8=firewall.security_rule 9=firewall.security_setting",
	  "10 11 12",
	  "1:firewall.rule.WINRM-HTTP-In-TCP=v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|"
	  "Profile=Domain,Private|LPort=5985|RA4=LocalSubnet|App=System|Name=Windows Remote "
	  "Management (HTTP-In)|;"
	  "2:firewall.rule.{AAA}=~;3:firewall.rule.*=~;4:firewall.reset=default;"
	  "5:firewall.profile.domain.enabled=false;5:firewall.profile.public.enabled=false;"
	  "7:firewall.policy.load=failed;9:firewall.profile.private.enabled=false;"
	  "10:firewall.active_profile=domain,public;11:network.connection.{3c9a-abcd}=private;"
	  "12:network.connection.{3c9a-abcd}=~" },
	{ "config_commands",
	  { CMDLINE("SRV01", 1, "10:00:00", "C:\\Windows\\System32\\netsh.exe",
		    "netsh advfirewall set allprofiles state off"),
	    CMDLINE("SRV01", 2, "10:00:01", "C:\\Windows\\System32\\netsh.exe",
		    "netsh advfirewall firewall add rule name=\"WinRM in\" dir=in action=allow protocol=TCP "
		    "localport=5985"),
	    CMDLINE("SRV01", 3, "10:00:02", "C:\\Windows\\System32\\netsh.exe",
		    "netsh firewall set opmode disable"),
	    CMDLINE("SRV01", 4, "10:00:03", "C:\\Windows\\System32\\netsh.exe",
		    "netsh I p a v l=8001 listena=1.2.3.4 connectp=3389 c=1.2.3.5"),
	    SCRIPT("SRV01", 5, "10:00:04", "Set-NetFirewallProfile -Profile Domain, Public -Enabled False"),
	    E("SRV01", PSOP, 4103, 6, "10:00:05", "ContextInfo", "        User = CORP\\admin\r\n",
	      "Payload",
	      "CommandInvocation(New-NetFirewallRule): \"New-NetFirewallRule\"\r\n"
	      "ParameterBinding(New-NetFirewallRule): name=\"DisplayName\"; value=\"RPC in\"\r\n"
	      "ParameterBinding(New-NetFirewallRule): name=\"Direction\"; value=\"Inbound\"\r\n"
	      "ParameterBinding(New-NetFirewallRule): name=\"LocalPort\"; value=\"135\"\r\n"
	      "ParameterBinding(New-NetFirewallRule): name=\"Protocol\"; value=\"TCP\"\r\n"
	      "ParameterBinding(New-NetFirewallRule): name=\"Action\"; value=\"Allow\"\r\n"),
	    CMDLINE("SRV01", 7, "10:00:06", CMD, "cmd /c winrm qc -q"),
	    SCRIPT("SRV01", 8, "10:00:07", "Set-Item WSMan:\\localhost\\Service\\AllowUnencrypted $true"),
	    CMDLINE("SRV01", 9, "10:00:08", "C:\\Windows\\System32\\sc.exe", "sc config WinRM start= disabled"),
	    SCRIPT("SRV01", 10, "10:00:09", "Set-Service -Name RemoteRegistry -StartupType Automatic"),
	    CMDLINE("SRV01", 11, "10:00:10", "C:\\Windows\\System32\\reg.exe",
		    "reg add HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System /v "
		    "LocalAccountTokenFilterPolicy /t REG_DWORD /d 1 /f"),
	    CMDLINE("SRV01", 12, "10:00:11", "C:\\Windows\\System32\\wbem\\WMIC.exe",
		    "wmic service where name='Winmgmt' call ChangeStartMode Disabled") },
	  "1=firewall.netsh 2=firewall.netsh 3=firewall.netsh 4=portproxy.netsh 5=firewall.netsecurity "
	  "6=firewall.netsecurity 7=winrm.config_command 8=winrm.config_command 9=service.command "
	  "10=service.command 11=uac.token_filter_command 12=service.command",
	  "",
	  "1:firewall.profile.domain.enabled=false;1:firewall.profile.private.enabled=false;"
	  "1:firewall.profile.public.enabled=false;"
	  "2:firewall.rule.cmd:WinRM in=v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=5985|"
	  "Name=WinRM in|;"
	  "3:firewall.profile.current.enabled=false;4:portproxy.v4tov4.tcp.1.2.3.4/8001=1.2.3.5/3389;"
	  "5:firewall.profile.domain.enabled=false;5:firewall.profile.public.enabled=false;"
	  "6:firewall.rule.cmd:RPC in=v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=135|"
	  "Name=RPC in|;"
	  "7:service.winrm.start=auto;7:winrm.listener.*+HTTP=5985;7:winrm.quickconfig=winrm quickconfig;"
	  "8:winrm.service.allow_unencrypted=true;9:service.winrm.start=disabled;"
	  "10:service.remoteregistry.start=auto;11:uac.local_account_token_filter_policy=1;"
	  "12:service.winmgmt.start=disabled" },
	{ "config_registry",
	  { REGSET("SRV01", 1, "10:00:00", SVCHOST,
		   "HKLM\\System\\CurrentControlSet\\Services\\SharedAccess\\Parameters\\FirewallPolicy\\"
		   "StandardProfile\\EnableFirewall",
		   "DWORD (0x00000000)"),
	    REGSET("SRV01", 2, "10:00:01", "C:\\Windows\\System32\\netsh.exe",
		   "HKLM\\System\\CurrentControlSet\\Services\\PortProxy\\v4tov4\\tcp\\0.0.0.0/1337",
		   "10.0.0.9/445"),
	    REGSET("SRV01", 3, "10:00:02", "C:\\Windows\\regedit.exe",
		   "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System\\"
		   "LocalAccountTokenFilterPolicy",
		   "DWORD (0x00000001)"),
	    REGSET("SRV01", 4, "10:00:03", SVCHOST,
		   "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WSMAN\\Service\\allow_unencrypted",
		   "DWORD (0x00000001)"),
	    REGSET("SRV01", 5, "10:00:04", "C:\\Windows\\regedit.exe",
		   "HKLM\\SOFTWARE\\Microsoft\\Ole\\EnableDCOM", "N"),
	    REGSET("SRV01", 6, "10:00:05", "C:\\Windows\\system32\\services.exe",
		   "HKLM\\System\\CurrentControlSet\\Services\\WinRM\\Start", "DWORD (0x00000004)"),
	    E("SRV01", SYSMON, 12, 7, "10:00:06", "EventType", "DeleteValue", "Image", SVCHOST,
	      "TargetObject",
	      "HKLM\\System\\CurrentControlSet\\Services\\SharedAccess\\Parameters\\FirewallPolicy\\"
	      "FirewallRules\\{CCC}"),
	    E("SRV01", SEC, 4657, 8, "10:00:07", "SubjectUserName", "admin", "SubjectDomainName", "CORP",
	      "SubjectLogonId", "0x7777", "ObjectName",
	      "\\REGISTRY\\MACHINE\\SOFTWARE\\Policies\\Microsoft\\WindowsFirewall\\DomainProfile",
	      "ObjectValueName", "EnableFirewall", "OperationType", "%%1905", "NewValueType", "%%1876",
	      "NewValue", "0", "ProcessName", "C:\\Windows\\regedit.exe") },
	  "1=firewall.registry 2=portproxy.registry 3=uac.token_filter_registry 4=winrm.registry "
	  "5=dcom.registry 6=service.registry 7=firewall.registry 8=firewall.registry",
	  "",
	  "1:firewall.profile.private.enabled=false;2:portproxy.v4tov4.tcp.0.0.0.0/1337=10.0.0.9/445;"
	  "3:uac.local_account_token_filter_policy=1;4:winrm.service.allow_unencrypted=1;"
	  "5:dcom.enabled=false;6:service.winrm.start=disabled;7:firewall.rule.{CCC}=~;"
	  "8:firewall.policy.profile.domain.enabled=false" },
	{ "services_logs_gaps",
	  { E("SRV01", SYS, 7040, 1, "10:00:00", "param1", "Windows Remote Management (WS-Management)",
	      "param2", "auto start", "param3", "disabled", "param4", "WinRM", "@sid",
	      "S-1-5-21-1-2-3-1111"),
	    E("SRV01", SYS, 7036, 2, "10:00:01", "param1", "Windows Management Instrumentation", "param2",
	      "stopped"),
	    E("SRV01", SYS, 7045, 3, "10:00:02", "ServiceName", "RemoteRegistry", "ImagePath",
	      "C:\\Windows\\system32\\svchost.exe -k localService", "ServiceType", "user mode service",
	      "StartType", "demand start", "AccountName", "NT AUTHORITY\\LocalService"),
	    E("SRV01", SEC, 1102, 4, "10:00:03", "SubjectUserSid", "S-1-5-21-1-2-3-1111",
	      "SubjectUserName", "admin", "SubjectDomainName", "CORP", "SubjectLogonId", "0x7777"),
	    E("SRV01", SYS, 104, 5, "10:00:04", "SubjectUserName", "admin", "SubjectDomainName", "CORP",
	      "Channel", "Microsoft-Windows-PowerShell/Operational", "BackupPath", ""),
	    E("SRV01", PSCL, 400, 6, "10:00:05", "Data[1]", "Available", "Data[2]", "None", "Data[3]",
	      "\tNewEngineState=Available\r\n\tHostName=ConsoleHost\r\n\tEngineVersion=2.0\r\n"
	      "\tHostApplication=powershell.exe -Version 2 -Command x\r\n"),
	    E("SRV01", SYS, 7040, 7, "10:00:06", "param1", "Print Spooler", "param2", "auto start",
	      "param3", "disabled", "param4", "Spooler") },
	  "1=service.start_type 2=service.state 3=service.installed 4=log.security_cleared "
	  "5=log.cleared 6=powershell.v2_engine",
	  "7", "1:service.winrm.start=disabled" },
	/* the WinRM listener's handle request (4656) under a network logon;
	 * not without the session, not for other object servers */
	{ "winrm_listener_handle",
	  { LOGON3("SRV01", 1, "10:00:00", "0x50", "10.0.0.5", "admin"),
	    E("SRV01", SEC, 4656, 2, "10:00:01", "SubjectUserName", "admin", "SubjectDomainName", "CORP",
	      "SubjectLogonId", "0x50", "ObjectServer", "WS-Management Listener", "ObjectType",
	      "Unknown", "ObjectName", "Unknown", "ProcessName", SVCHOST),
	    E("SRV01", SEC, 4656, 3, "10:00:02", "SubjectUserName", "admin", "SubjectDomainName", "CORP",
	      "SubjectLogonId", "0x51", "ObjectServer", "WS-Management Listener", "ObjectType",
	      "Unknown", "ObjectName", "Unknown", "ProcessName", SVCHOST),
	    E("SRV01", SEC, 4656, 4, "10:00:03", "SubjectUserName", "admin", "SubjectDomainName", "CORP",
	      "SubjectLogonId", "0x50", "ObjectServer", "Security", "ObjectType", "File", "ObjectName",
	      "C:\\x", "ProcessName", SVCHOST) },
	  "2=winrm.listener_handle:logon_id:high 1=logon.network", "3 4", "" },
	{ "forwarded_events",
	  { E("WEC01", WINRM, 6, 1, "10:00:00", "@computer", "wec01.corp.local", "@file",
	      "/ev/WEC01/ForwardedEvents.evtx", "connection", "localhost:47001/wsman"),
	    E("WEC01", WINRM, 91, 2, "10:00:01", "@computer", "srv01.corp.local", "@file",
	      "/ev/WEC01/ForwardedEvents.evtx", "resourceUri",
	      "http://schemas.microsoft.com/powershell/Microsoft.PowerShell"),
	    E("WEC01", SEC, 1102, 3, "10:00:02", "@computer", "srv02.corp.local", "@file",
	      "/ev/WEC01/ForwardedEvents.evtx", "SubjectUserName", "admin", "SubjectDomainName", "CORP") },
	  "2@SRV01=winrm.shell_created 3@SRV02=log.security_cleared", "1", "" },
};

#define NSCEN (sizeof scenarios / sizeof scenarios[0])

/* ------------------------------------------------------------------ feeding */

/* 1: every event carries rt_detect_pre's verdict, as the native reader's
 * decoding threads give it in `analyze` */
static int with_pre;

static void feed_one(rt_detect *d, const tev *t)
{
	rt_field f[34];
	rt_event ev;
	size_t n = 0, i;
	char ts[64], file[200];

	memset(&ev, 0, sizeof ev);
	snprintf(ts, sizeof ts, "2024-03-01T%sZ", t->hms);
	ck_assert_int_eq(rt_time_parse(ts, &ev.timestamp), 0);
	snprintf(file, sizeof file, "/ev/%s/%s.evtx", t->host, t->ch);
	ev.record_id = ev.record_number = t->rid;
	ev.written = ev.timestamp;
	ev.event_id = t->id;
	ev.host = t->host;
	ev.computer = t->host;
	ev.channel = t->ch;
	ev.provider = "";
	ev.user_sid = "";
	ev.source_file = file;
	for (i = 0; i + 1 < 34 && t->f[i]; i += 2) {
		const char *name = t->f[i], *value = t->f[i + 1];

		if (!strcmp(name, "@sid"))
			ev.user_sid = value;
		else if (!strcmp(name, "@provider"))
			ev.provider = value;
		else if (!strcmp(name, "@computer"))
			ev.computer = value;
		else if (!strcmp(name, "@file"))
			snprintf(file, sizeof file, "%s", value);
		else {
			f[n].name = name;
			f[n].value = value;
			n++;
		}
	}
	ev.fields = f;
	ev.nfields = n;
	if (with_pre) {
		ev.pre = rt_detect_pre(d, &ev);
		ck_assert(ev.pre & RT_PRE_VALID);
	}
	ck_assert_int_eq(rt_detect_event(d, &ev), 0);
}

/* Feed a scenario host by host (as the evidence reader does), keeping each
 * host's events in table order. */
static void run(const scenario *s, rt_findings *out)
{
	rt_detect *d;
	size_t i, j;
	int done[16] = { 0 };

	ck_assert_int_eq(rt_detect_new(&d), 0);
	for (i = 0; i < 16 && s->ev[i].host; i++) {
		if (done[i])
			continue;
		for (j = i; j < 16 && s->ev[j].host; j++)
			if (!done[j] && !strcmp(s->ev[j].host, s->ev[i].host)) {
				feed_one(d, &s->ev[j]);
				done[j] = 1;
			}
	}
	ck_assert_int_eq(rt_detect_finish(d, out), 0);
	rt_detect_free(&d);
}

static const rt_finding *finding(const rt_findings *f, uint64_t rid, const char *host,
				 const char *rule)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (f->items[i].record_id == rid && (!host || !strcmp(f->items[i].host, host)) &&
		    (!rule || (f->items[i].rule_id && !strcmp(f->items[i].rule_id, rule))))
			return &f->items[i];
	return NULL;
}

static void check_expect(const scenario *s, const rt_findings *f)
{
	const char *p = s->expect;
	char tok[160];

	while (*p) {
		size_t n = strcspn(p, " ");
		char *eq, *at, *link = NULL, *conf = NULL, *host = NULL, *rule;
		const rt_finding *x;

		ck_assert_uint_lt(n, sizeof tok);
		memcpy(tok, p, n);
		tok[n] = '\0';
		eq = strchr(tok, '=');
		ck_assert_ptr_nonnull(eq);
		*eq = '\0';
		rule = eq + 1;
		if ((at = strchr(tok, '@')) != NULL) {
			*at = '\0';
			host = at + 1;
		}
		if ((link = strchr(rule, ':')) != NULL) {
			*link++ = '\0';
			if ((conf = strchr(link, ':')) != NULL)
				*conf++ = '\0';
		}
		x = finding(f, strtoull(tok, NULL, 10), host, rule);
		ck_assert_msg(x, "%s: no %s finding for record %s", s->name, rule, tok);
		if (link && !strcmp(link, "-"))
			ck_assert_msg(x->link == RT_LINK_NONE && !x->remote_ip,
				      "%s: record %s: attributed (%s), must not be", s->name, tok,
				      rt_link_name(x->link));
		else if (link && *link)
			ck_assert_msg(!strcmp(rt_link_name(x->link), link), "%s: record %s: attribution %s, not %s",
				      s->name, tok, rt_link_name(x->link), link);
		if (conf && *conf)
			ck_assert_msg(!strcmp(rt_confidence_name(x->confidence), conf),
				      "%s: record %s: confidence %s, not %s", s->name, tok,
				      rt_confidence_name(x->confidence), conf);
		ck_assert_msg(x->message && *x->message && !strchr(x->message, '\x01'),
			      "%s: record %s: bad message", s->name, tok);
		p += n;
		p += strspn(p, " ");
	}
	for (p = s->none; *p;) {
		size_t n = strcspn(p, " ");

		memcpy(tok, p, n);
		tok[n] = '\0';
		ck_assert_msg(!finding(f, strtoull(tok, NULL, 10), NULL, NULL),
			      "%s: record %s must give no finding (%s)", s->name, tok,
			      finding(f, strtoull(tok, NULL, 10), NULL, NULL)->rule_id);
		p += n;
		p += strspn(p, " ");
	}
}

static void check_changes(const scenario *s, const rt_findings *f)
{
	const char *p = s->changes;
	char tok[400];

	while (*p) {
		size_t n = strcspn(p, ";"), i;
		char *colon, *eq;
		int hit = 0;

		ck_assert_uint_lt(n, sizeof tok);
		memcpy(tok, p, n);
		tok[n] = '\0';
		colon = strchr(tok, ':');
		ck_assert_ptr_nonnull(colon);
		*colon = '\0';
		eq = strrchr(colon + 1, '=');
		/* names may hold '=' ("...=v2.30|..." values never hold the name) */
		eq = strchr(colon + 1, '=');
		ck_assert_ptr_nonnull(eq);
		*eq = '\0';
		for (i = 0; i < f->nchanges && !hit; i++) {
			const rt_change *c = &f->changes[i];

			hit = c->record_id == strtoull(tok, NULL, 10) && !strcmp(c->name, colon + 1) &&
			      (!strcmp(eq + 1, "~") ? c->value == NULL : c->value && !strcmp(c->value, eq + 1));
		}
		if (!hit) {
			rt_buf b = RT_BUF_INIT;

			for (i = 0; i < f->nchanges; i++)
				rt_buf_addf(&b, "\n  %llu %s = %s", (unsigned long long)f->changes[i].record_id,
					    f->changes[i].name, f->changes[i].value ? f->changes[i].value : "~");
			ck_abort_msg("%s: no change point %s %s = %s; there are:%s", s->name, tok, colon + 1,
				     eq + 1, b.buf);
		}
		p += n;
		p += strspn(p, ";");
	}
}

/* ------------------------------------------------------------------ tests */

START_TEST(scenario_findings_and_changes)
{
	rt_findings f = RT_FINDINGS_INIT;

	run(&scenarios[_i], &f);
	check_expect(&scenarios[_i], &f);
	check_changes(&scenarios[_i], &f);
	rt_findings_release(&f);
}
END_TEST

/* The same scenarios with the stateless part of matching done first, as
 * the decoding threads do it: the same findings and change points, the
 * same in every field the expectations name, and as many. Scenarios whose
 * rules read @parent_image through the PID table (a 4688 without
 * ParentProcessName) pass only if that predicate was left to the engine. */
START_TEST(scenario_same_with_precomputed_match)
{
	rt_findings f = RT_FINDINGS_INIT, g = RT_FINDINGS_INIT;
	size_t i;

	run(&scenarios[_i], &f);
	with_pre = 1;
	run(&scenarios[_i], &g);
	with_pre = 0;
	check_expect(&scenarios[_i], &g);
	check_changes(&scenarios[_i], &g);
	ck_assert_uint_eq(f.n, g.n);
	ck_assert_uint_eq(f.nchanges, g.nchanges);
	for (i = 0; i < f.n; i++) {
		ck_assert_uint_eq(f.items[i].record_id, g.items[i].record_id);
		ck_assert_int_eq(f.items[i].kind, g.items[i].kind);
		ck_assert_str_eq(f.items[i].rule_id ? f.items[i].rule_id : "",
				 g.items[i].rule_id ? g.items[i].rule_id : "");
		ck_assert_str_eq(f.items[i].message ? f.items[i].message : "",
				 g.items[i].message ? g.items[i].message : "");
	}
	rt_findings_release(&f);
	rt_findings_release(&g);
}
END_TEST

/* Exactly the predicates that read the detector's state (the PID table's
 * parent image, the host's names for a connection's sides) are left out of
 * the precomputed part; every other one is decided from the event alone. */
START_TEST(stateful_predicates_never_precomputed)
{
	static const char *const stateful[] = { "@parent_image", "@peer_ip", "@local_port",
						"@peer_port" };
	rt_ruleset rs;
	rt_buf err = RT_BUF_INIT;
	size_t i, k, j, left = 0;

	ck_assert_int_eq(rt_ruleset_compile(rt_rules, rt_nrules, &rs, &err), 0);
	for (i = 0; i < rs.n; i++)
		for (k = 0; k < RT_RULE_PREDS && rt_rules[i].preds[k].field; k++) {
			int reads = 0;

			for (j = 0; j < sizeof stateful / sizeof stateful[0]; j++)
				reads |= strstr(rt_rules[i].preds[k].field, stateful[j]) != NULL;
			ck_assert_msg(((rs.rules[i].env_preds >> k) & 1) == (unsigned)reads,
				      "rule '%s' predicate %zu on '%s'", rt_rules[i].id, k,
				      rt_rules[i].preds[k].field);
			left += (size_t)reads;
		}
	ck_assert_uint_gt(left, 0);
	rt_ruleset_release(&rs);
	rt_buf_release(&err);
}
END_TEST

/* Each rule tries its predicates cheapest first: every one once, the
 * comparisons before the searches, "*" last. */
START_TEST(predicates_cheapest_first)
{
	rt_ruleset rs;
	rt_buf err = RT_BUF_INIT;
	size_t i, k;

	ck_assert_int_eq(rt_ruleset_compile(rt_rules, rt_nrules, &rs, &err), 0);
	for (i = 0; i < rs.n; i++) {
		const rt_crule *c = &rs.rules[i];
		unsigned seen = 0;
		int searched = 0, any = 0;

		for (k = 0; k < RT_RULE_PREDS && rt_rules[i].preds[k].field; k++)
			;
		ck_assert_uint_eq(c->npreds, k);
		for (k = 0; k < c->npreds; k++) {
			const rt_rule_pred *p = &rt_rules[i].preds[c->order[k]];
			int search = p->op == RT_OP_CONTAINS || p->op == RT_OP_NOT_CONTAINS ||
				     p->op == RT_OP_ALL;

			ck_assert_uint_lt(c->order[k], c->npreds);
			ck_assert_msg(!(seen >> c->order[k] & 1), "rule '%s'", rt_rules[i].id);
			seen |= 1u << c->order[k];
			ck_assert_msg(search || !searched, "rule '%s': a comparison after a search",
				      rt_rules[i].id);
			ck_assert_msg(!any, "rule '%s': a predicate after '*'", rt_rules[i].id);
			searched |= search;
			any |= !strcmp(p->field, "*");
		}
	}
	rt_ruleset_release(&rs);
	rt_buf_release(&err);
}
END_TEST

START_TEST(table_compiles)
{
	rt_buf err = RT_BUF_INIT;

	ck_assert_msg(rt_detect_rules_check(&err) == 0, "%s", err.buf);
	rt_buf_release(&err);
}
END_TEST

/* A bad table is refused at start-up, with the rule named. */
START_TEST(bad_tables_are_refused)
{
	static const struct {
		rt_rule r[2];
		const char *msg;
	} bad[] = {
		{ { { .id = "x.a", .kind = RT_FK_WMI_INBOUND, .channel = "Security", .ids = { 1 },
		      .user = "@bogus", .message = "m" } },
		  "rule 'x.a': user: unknown spec '@bogus'" },
		{ { { .id = "x.a", .kind = RT_FK_WMI_INBOUND, .channel = "Security", .ids = { 1 },
		      .message = "m" },
		    { .id = "x.a", .kind = RT_FK_WMI_INBOUND, .channel = "Security", .ids = { 2 },
		      .message = "m" } },
		  "rule 'x.a': id used twice" },
		{ { { .id = "x.a", .kind = RT_FK_WMI_INBOUND, .channel = "Security", .ids = { 1 },
		      .message = "{nope}" } },
		  "unknown placeholder in template '{nope}'" },
		{ { { .id = "x.a", .kind = RT_FK_WMI_INBOUND, .channel = "Security", .ids = { 1 },
		      .preds = { { "@after:Field", RT_OP_PRESENT } }, .message = "m" } },
		  "spec needs FIELD:ARGUMENT" },
		{ { { .id = "x.a", .kind = RT_FK_WMI_INBOUND, .channel = "Security", .ids = { 1 },
		      .message = "m", .changes = { { "@nothing", "x" } } } },
		  "unknown change extractor: @nothing" },
		{ { { .id = "x.a", .kind = RT_FK_WMI_INBOUND, .channel = "Security", .message = "m" } },
		  "no channel or event id" },
	};
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		rt_ruleset rs;
		rt_buf err = RT_BUF_INIT;
		size_t n = bad[i].r[1].id ? 2 : 1;

		ck_assert_int_eq(rt_ruleset_compile(bad[i].r, n, &rs, &err), -1);
		ck_assert_msg(strstr(err.buf, bad[i].msg), "table %zu: '%s' lacks '%s'", i, err.buf,
			      bad[i].msg);
		rt_buf_release(&err);
	}
}
END_TEST

/* Every change point the scenarios give (every rule fires in one: below)
 * is a setting the assessor knows, judged or left out with a reason
 * (rt_assess_setting_use): a new kind of change point must be taught to
 * it, or said to be not judged, never silently dropped. */
START_TEST(every_change_point_known_to_assess)
{
	rt_buf unknown = RT_BUF_INIT;
	size_t i, k;

	for (i = 0; i < NSCEN; i++) {
		rt_findings f = RT_FINDINGS_INIT;

		run(&scenarios[i], &f);
		for (k = 0; k < f.nchanges; k++)
			if (!rt_assess_setting_use(f.changes[k].name))
				rt_buf_addf(&unknown, "\n  %s (rule %s, scenario %s)",
				            f.changes[k].name, f.changes[k].rule_id,
				            scenarios[i].name);
		rt_findings_release(&f);
	}
	ck_assert_msg(!unknown.len, "change points the assessor does not know:%s", unknown.buf);
	rt_buf_release(&unknown);
}
END_TEST

static int fired_add(char **seen, size_t *n, const char *id)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (!strcmp(seen[i], id))
			return 0;
	seen[(*n)++] = (char *)id;
	return 1;
}

/* Every rule of the table is fired by some scenario: it made a finding or
 * a change point, or (notes) matched an event. */
START_TEST(every_rule_fired)
{
	char **seen = calloc(rt_nrules + 1, sizeof *seen);
	rt_ruleset rs;
	rt_buf err = RT_BUF_INIT, missing = RT_BUF_INIT;
	size_t n = 0, i, k, e;

	ck_assert_ptr_nonnull(seen);
	ck_assert_int_eq(rt_ruleset_compile(rt_rules, rt_nrules, &rs, &err), 0);
	for (i = 0; i < NSCEN; i++) {
		rt_findings f = RT_FINDINGS_INIT;

		run(&scenarios[i], &f);
		for (k = 0; k < f.n; k++)
			if (f.items[k].rule_id)
				fired_add(seen, &n, f.items[k].rule_id);
		for (k = 0; k < f.nchanges; k++)
			fired_add(seen, &n, f.changes[k].rule_id);
		rt_findings_release(&f);
		for (e = 0; e < 16 && scenarios[i].ev[e].host; e++) {
			const tev *t = &scenarios[i].ev[e];
			const rt_crule *m[16];
			rt_field fl[34];
			rt_event ev;
			size_t nf = 0, j, nm;
			rt_spec_env env = { t->host, t->host, NULL, NULL };

			memset(&ev, 0, sizeof ev);
			ev.event_id = t->id;
			ev.channel = t->ch;
			ev.provider = "";
			ev.computer = t->host;
			for (j = 0; j + 1 < 34 && t->f[j]; j += 2)
				if (!strcmp(t->f[j], "@provider"))
					ev.provider = t->f[j + 1];
				else if (t->f[j][0] != '@') {
					fl[nf].name = t->f[j];
					fl[nf++].value = t->f[j + 1];
				}
			ev.fields = fl;
			ev.nfields = nf;
			rt_memo memo;

			memset(&memo, 0, sizeof memo);
			nm = rt_ruleset_matches(&rs, &ev, 2, &env, &memo, m, 16);
			rt_memo_release(&memo);
			for (j = 0; j < nm && j < 16; j++)
				fired_add(seen, &n, m[j]->r->id);
		}
	}
	for (i = 0; i < rt_nrules; i++) {
		for (k = 0; k < n && strcmp(seen[k], rt_rules[i].id); k++)
			;
		if (k == n)
			rt_buf_addf(&missing, " %s", rt_rules[i].id);
	}
	ck_assert_msg(missing.len == 0, "rules no scenario fires:%s", missing.buf);
	rt_buf_release(&missing);
	rt_buf_release(&err);
	rt_ruleset_release(&rs);
	free(seen);
}
END_TEST

/* Grouping by key through hashes: equal keys share the smallest item,
 * whatever the hashes of different keys (all alike: a crafted log). */
static int cmp_names(const void *ctx, size_t a, size_t b)
{
	const char *const *k = ctx;

	return strcmp(k[a], k[b]);
}

START_TEST(group_idx_by_key_whatever_the_hashes)
{
	static const char *const keys[] = { "b", "a", "b", "c", "a", "a", "d", "c" };
	static const uint64_t same[] = { 7, 7, 7, 7, 7, 7, 7, 7 };
	static const uint64_t fair[] = { 2, 1, 2, 3, 1, 1, 9, 3 };
	static const uint64_t part[] = { 5, 5, 5, 3, 5, 5, 3, 3 }; /* a, b share; c, d share */
	const uint64_t *hv[] = { same, fair, part };
	static const size_t want[] = { 0, 1, 0, 3, 1, 1, 6, 3 };
	size_t idx[8], sub[] = { 7, 2, 5, 3 }, group[8], h, i;

	for (i = 0; i < 8; i++)
		idx[i] = i;
	for (h = 0; h < 3; h++) {
		for (i = 0; i < 8; i++)
			group[i] = 99;
		ck_assert_int_eq(rt_detect_group_idx(idx, 8, hv[h], cmp_names, keys, group), 0);
		for (i = 0; i < 8; i++)
			ck_assert_uint_eq(group[i], want[i]);
		/* a subset, in any order: its own smallest items */
		for (i = 0; i < 8; i++)
			group[i] = 99;
		ck_assert_int_eq(rt_detect_group_idx(sub, 4, hv[h], cmp_names, keys, group), 0);
		ck_assert_uint_eq(group[7], 3);
		ck_assert_uint_eq(group[3], 3);
		ck_assert_uint_eq(group[2], 2);
		ck_assert_uint_eq(group[5], 5);
		ck_assert_uint_eq(group[0], 99);
	}
	ck_assert_int_eq(rt_detect_group_idx(idx, 0, same, cmp_names, keys, group), 0);
}
END_TEST

/* Kinds: one row each, names unique and parseable, counterparts mutual. */
START_TEST(kind_table)
{
	int k, j;

	for (k = 0; k < RT_FK_COUNT; k++) {
		const rt_kind_info *ki = rt_finding_kind_info((rt_finding_kind)k);
		rt_finding_kind back;

		ck_assert_ptr_nonnull(ki);
		ck_assert_ptr_nonnull(ki->name);
		ck_assert_ptr_nonnull(ki->meaning);
		ck_assert_int_eq(rt_finding_kind_parse(ki->name, &back), 0);
		ck_assert_int_eq(back, k);
		for (j = 0; j < k; j++)
			ck_assert_str_ne(ki->name, rt_finding_kind_name((rt_finding_kind)j));
		if (ki->counterpart != RT_FK_COUNT)
			ck_assert_int_eq(rt_finding_kind_info(ki->counterpart)->counterpart, k);
	}
	ck_assert_ptr_null(rt_finding_kind_info(RT_FK_COUNT));
}
END_TEST

/* Logon ids compare as numbers: "0x" + lower-case hex without leading
 * zeros; what is not a number stays as written, lower-cased. */
START_TEST(logon_ids_normalised)
{
	static const char *const c[][2] = {
		{ "0x0000000000110085", "0x110085" },
		{ "0X3E7", "0x3e7" },
		{ "0x3e7", "0x3e7" },
		{ "999", "0x3e7" },
		{ "0x00000000000000001", "0x1" },
		{ "0xFFFFFFFFFFFFFFFF", "0xffffffffffffffff" },
		{ "0x1g", "0x1g" },
		{ "0x\x10", "0x\x10" },
		{ "0x1 ", "0x1 " },
		{ "ABC", "abc" },
		{ "0x", NULL },
		{ "0x0", NULL },
		{ "-", NULL },
		{ "", NULL },
	};
	size_t i;

	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		char *n = rt_dt_norm_logon(c[i][0]);

		if (c[i][1])
			ck_assert_msg(n && !strcmp(n, c[i][1]), "%s -> %s", c[i][0], n ? n : "(null)");
		else
			ck_assert_msg(!n, "%s -> %s", c[i][0], n);
		free(n);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rules");
	TCase *t = tcase_create("table");
	SRunner *r;
	int failed;

	tcase_add_test(t, table_compiles);
	tcase_add_test(t, bad_tables_are_refused);
	tcase_add_test(t, kind_table);
	tcase_add_test(t, group_idx_by_key_whatever_the_hashes);
	tcase_add_test(t, every_rule_fired);
	tcase_add_test(t, every_change_point_known_to_assess);
	tcase_add_loop_test(t, scenario_findings_and_changes, 0, (int)NSCEN);
	tcase_add_loop_test(t, scenario_same_with_precomputed_match, 0, (int)NSCEN);
	tcase_add_test(t, stateful_predicates_never_precomputed);
	tcase_add_test(t, predicates_cheapest_first);
	tcase_add_test(t, logon_ids_normalised);
	suite_add_tcase(s, t);
	r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
