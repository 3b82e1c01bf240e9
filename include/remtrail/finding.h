/*
 * finding.h - what detection says about the evidence: one finding per
 * record that shows WinRM, WMI or DCOM use (or a change to the services and
 * firewall that govern them), with the remote address, account and process
 * carried onto it by correlation, and links to the findings it belongs with.
 *
 * A finding always cites its record: host, channel, event id, record id
 * (System/EventRecordID), source file and the record's time. Kinds are the
 * DESIGN.md vocabulary; names never change, new kinds may be added.
 *
 * Ownership: every char * in an rt_finding is malloc'd and owned by the
 * rt_findings list holding it (NULL when unknown); rule_id and technique
 * point into the static rule table and live as long as the program.
 * Links are indexes into the same list (RT_FINDING_NONE when absent); they
 * stay valid until the list is modified.
 */
#ifndef REMTRAIL_FINDING_H
#define REMTRAIL_FINDING_H

#include <stddef.h>
#include <stdint.h>

#include "remtrail/util.h"

/*
 * Kinds: DESIGN.md's vocabulary plus the ones docs/detect.md adds. The
 * numbering is internal (new kinds go before RT_FK_COUNT); names are the
 * contract and never change. rt_finding_kind_info() says what each is.
 */
typedef enum rt_finding_kind {
	RT_FK_WINRM_INBOUND = 0,
	RT_FK_WINRM_OUTBOUND,
	RT_FK_WINRM_FAILED,
	RT_FK_WMI_INBOUND,
	RT_FK_WMI_OUTBOUND,
	RT_FK_WMI_FAILED, /* added: a remote WMI operation refused (WMI-Activity 5858) */
	RT_FK_WMI_SUBSCRIPTION,
	RT_FK_DCOM_INBOUND,
	RT_FK_DCOM_OUTBOUND,
	RT_FK_DCOM_DENIED,
	RT_FK_FIREWALL_CHANGE,
	RT_FK_SERVICE_CHANGE,
	RT_FK_LOGON_NETWORK,
	RT_FK_WINRM_CHANGE,         /* added: WinRM configured (quickconfig, WSMan:, keys) */
	RT_FK_DCOM_CHANGE,          /* added: DCOM settings written (Ole key) */
	RT_FK_UAC_CHANGE,           /* added: LocalAccountTokenFilterPolicy written */
	RT_FK_PORTPROXY_CHANGE,     /* added: a port forwarding (netsh portproxy) */
	RT_FK_LOG_CLEARED,          /* added: Security 1102 / System 104 */
	RT_FK_POWERSHELL_DOWNGRADE, /* added: PowerShell 2.0 engine (no 4103/4104 logging) */
	RT_FK_COUNT
} rt_finding_kind;

typedef enum rt_direction {
	RT_DIR_NONE = 0, /* configuration or state (firewall, service, subscription) */
	RT_DIR_INBOUND,  /* this host was the target */
	RT_DIR_OUTBOUND  /* this host was the source */
} rt_direction;

/* The remote-access protocol a kind is about (RT_FPROTO_NONE: several or none). */
typedef enum rt_protocol {
	RT_FPROTO_NONE = 0,
	RT_FPROTO_WINRM,
	RT_FPROTO_WMI,
	RT_FPROTO_DCOM
} rt_protocol;

/* What a kind says, one table row per kind (finding.c). */
typedef struct rt_kind_info {
	const char *name;              /* "winrm.inbound" */
	rt_protocol protocol;
	rt_direction direction;        /* of every finding of the kind; NONE: varies or none */
	rt_finding_kind counterpart;   /* the kind the other host shows (pairing), or RT_FK_COUNT */
	int activity;                  /* use of the protocol (inbound/outbound/subscription) */
	int attempt;                   /* a refused or failed attempt */
	const char *meaning;           /* one line for --help and docs */
} rt_kind_info;

typedef enum rt_confidence {
	RT_CONF_LOW = 1,    /* consistent with the technique; origin not confirmed */
	RT_CONF_MEDIUM = 2, /* a signature of the technique */
	RT_CONF_HIGH = 3    /* signature confirmed by correlation (remote logon, pair) */
} rt_confidence;

/*
 * How a finding's remote end and account were found: named by its own
 * record, or carried over from another record by one of the engine's links
 * (docs/detect.md, "Correlation"). The weaker the link, the lower the
 * confidence it may give.
 */
typedef enum rt_link {
	RT_LINK_NONE = 0,     /* no remote end known */
	RT_LINK_RECORD,       /* the record itself names it */
	RT_LINK_LOGON_ID,     /* the 4624 of the same logon session (host + LogonId + time) */
	RT_LINK_PROCESS_GUID, /* the parent process, by Sysmon ProcessGuid */
	RT_LINK_PID_TIME,     /* the parent process, by PID in the same log and boot */
	RT_LINK_CONNECTION,   /* an inbound connection into the process, or RPC just before */
	RT_LINK_OUTPUT_FILE,  /* the SMB read of the command's output file (5145) */
	RT_LINK_TIME_WINDOW   /* a network logon of the same account shortly before (weakest) */
} rt_link;

#define RT_FINDING_NONE ((size_t)-1)

typedef struct rt_finding {
	uint64_t timestamp; /* the record's System/TimeCreated, FILETIME UTC */
	rt_finding_kind kind;
	char *host;
	char *channel;
	uint32_t event_id;
	uint64_t record_id;
	char *source_file;
	char *message;        /* one sentence naming host, account, remote address, process */
	char *remote_ip;      /* the other end (never loopback) */
	char *remote_host;    /* the other end's name, as the record gives it */
	char *user;           /* DOMAIN\user, user, or a SID */
	char *logon_id;       /* normalised: "0x" + lower-case hex, no leading zeros */
	char *process;        /* image path */
	char *parent_process; /* parent image path */
	char *command_line;
	char *object;         /* what was acted on: the log cleared, the rule or setting */
	const char *rule_id;   /* rule that produced it, e.g. "wmi.wmiprvse_child" */
	const char *technique; /* MITRE ATT&CK id, e.g. "T1021.006" */
	rt_direction direction;
	rt_confidence confidence;
	rt_link link;   /* how remote_ip / remote_host / user were found */
	size_t paired;  /* outbound <-> inbound finding on the other host */
	size_t logon;   /* the logon.network finding whose session explains it */
	size_t related; /* the WinRM shell's host process, or the broker process */
} rt_finding;

/*
 * A configuration-change point read from a record (rules.h): the setting
 * (config's name, DESIGN.md: "firewall.profile.public.enabled",
 * "service.winrm.start", "firewall.rule.<RuleId>", ...) took `value` at
 * `timestamp`. value NULL: the setting was removed (a rule deleted);
 * old_value: what the record says it was before, or NULL. A command that
 * cannot be resolved to a setting gives a name that says what is known
 * (docs/detect.md). `finding` is the finding of the same record, or
 * RT_FINDING_NONE. Strings owned like a finding's.
 */
typedef struct rt_change {
	uint64_t timestamp;
	char *host;
	char *name;
	char *value;
	char *old_value;
	char *channel;
	char *source_file;
	uint32_t event_id;
	uint64_t record_id;
	const char *rule_id;
	size_t finding;
} rt_change;

typedef struct rt_findings {
	rt_finding *items;
	size_t n;
	size_t alloc;
	rt_change *changes; /* configuration-change points, in timeline order */
	size_t nchanges;
	size_t achanges;
} rt_findings;

#define RT_FINDINGS_INIT { NULL, 0, 0, NULL, 0, 0 }

/* The kind's row; NULL for an out-of-range value. */
const rt_kind_info *rt_finding_kind_info(rt_finding_kind k);
/* "winrm.inbound", ...; NULL for an out-of-range value. */
const char *rt_finding_kind_name(rt_finding_kind k);
/* Exact, case-insensitive; 0 on success, -1 for an unknown name. */
int rt_finding_kind_parse(const char *s, rt_finding_kind *out);
/* "inbound", "outbound" or "" ; "low", "medium", "high". */
const char *rt_direction_name(rt_direction d);
const char *rt_confidence_name(rt_confidence c);
/* "winrm", "wmi", "dcom" or ""; "record", "logon_id", "process_guid",
 * "pid_time", "connection", "output_file", "time_window" or "". */
const char *rt_protocol_name(rt_protocol p);
const char *rt_link_name(rt_link l);

/* Append a zeroed finding (links RT_FINDING_NONE); NULL on OOM. */
rt_finding *rt_findings_add(rt_findings *l);
/* Append a zeroed change point (finding RT_FINDING_NONE); NULL on OOM. */
rt_change *rt_findings_add_change(rt_findings *l);
/* Free every finding's and change's strings and the arrays; the list is
 * empty after. */
void rt_findings_release(rt_findings *l);
/* Append deep copies of `src`'s findings and change points to `dst`, links
 * kept (pointing to the copies); rule_id and technique are shared. 0, or -1
 * on OOM (what was appended stays in `dst`). */
int rt_findings_append(rt_findings *dst, const rt_findings *src);

/*
 * Sort into timeline order: timestamp, then host, source_file, record_id
 * and kind (byte order of the strings), so the same evidence always gives
 * the same order; change points likewise (then name). Links are remapped
 * to the new positions.
 */
int rt_findings_sort(rt_findings *l);

/*
 * Iterating one host in timeline order (after rt_findings_sort):
 *   for (i = rt_findings_next(l, "HOST", 0); i < l->n; i = rt_findings_next(l, "HOST", i + 1))
 * Returns the first index >= from whose host equals `host`
 * (case-insensitive), or l->n.
 */
size_t rt_findings_next(const rt_findings *l, const char *host, size_t from);

/* Output: rt_timeline_json / rt_timeline_csv in report.h. */

#endif
