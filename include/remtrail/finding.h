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
	RT_FK_COUNT
} rt_finding_kind;

typedef enum rt_direction {
	RT_DIR_NONE = 0, /* configuration or state (firewall, service, subscription) */
	RT_DIR_INBOUND,  /* this host was the target */
	RT_DIR_OUTBOUND  /* this host was the source */
} rt_direction;

typedef enum rt_confidence {
	RT_CONF_LOW = 1,    /* consistent with the technique; origin not confirmed */
	RT_CONF_MEDIUM = 2, /* a signature of the technique */
	RT_CONF_HIGH = 3    /* signature confirmed by correlation (remote logon, pair) */
} rt_confidence;

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
	const char *rule_id;   /* rule that produced it, e.g. "wmi.wmiprvse_child" */
	const char *technique; /* MITRE ATT&CK id, e.g. "T1021.006" */
	rt_direction direction;
	rt_confidence confidence;
	size_t paired;  /* outbound <-> inbound finding on the other host */
	size_t logon;   /* the logon.network finding whose session explains it */
	size_t related; /* the WinRM shell's host process, or the broker process */
} rt_finding;

typedef struct rt_findings {
	rt_finding *items;
	size_t n;
	size_t alloc;
} rt_findings;

#define RT_FINDINGS_INIT { NULL, 0, 0 }

/* "winrm.inbound", ...; NULL for an out-of-range value. */
const char *rt_finding_kind_name(rt_finding_kind k);
/* Exact, case-insensitive; 0 on success, -1 for an unknown name. */
int rt_finding_kind_parse(const char *s, rt_finding_kind *out);
/* "inbound", "outbound" or "" ; "low", "medium", "high". */
const char *rt_direction_name(rt_direction d);
const char *rt_confidence_name(rt_confidence c);

/* Append a zeroed finding (links RT_FINDING_NONE); NULL on OOM. */
rt_finding *rt_findings_add(rt_findings *l);
/* Free every finding's strings and the array; the list is empty after. */
void rt_findings_release(rt_findings *l);
/* Append deep copies of `src`'s findings to `dst`, links kept (pointing to
 * the copies); rule_id and technique are shared. 0, or -1 on OOM (what was
 * appended stays in `dst`). */
int rt_findings_append(rt_findings *dst, const rt_findings *src);

/*
 * Sort into timeline order: timestamp, then host, source_file, record_id
 * and kind (byte order of the strings), so the same evidence always gives
 * the same order. Links are remapped to the new positions.
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
