/*
 * detect.h - from normalized events to correlated findings (finding.h).
 *
 * Feed every event of the evidence to one rt_detect, then finish it:
 *
 *   rt_detect *d;
 *   rt_findings f = RT_FINDINGS_INIT;
 *   rt_detect_new(&d);
 *   rt_evtx_read_evidence(ev, NULL, rt_detect_cb, d, diag);
 *   rt_detect_finish(d, &f);       sorted timeline, cross-host pairs made
 *   rt_detect_free(&d);
 *   ... use f ...
 *   rt_findings_release(&f);
 *
 * or simply rt_detect_evidence(ev, NULL, &f, diag).
 *
 * Events need not be in time order: a host's events may come file by file
 * in any order. They must come host by host: when rt_event.host changes the
 * engine correlates the host it had (logon sessions, process chains, network
 * connections) and keeps only that host's findings and logon sessions, so
 * memory grows with findings and logon sessions, never with events. A host
 * seen again later is correlated as a separate stretch.
 *
 * Rules are data (src/detect/rules.c, documented in docs/detect.md): one
 * entry per signature. Correlation is the engine's:
 *  - a process finding's logon id (Sysmon LogonId; 4688 TargetLogonId, else
 *    SubjectLogonId) is joined to the host's 4624 of that logon id: a
 *    network logon from another address gives remote_ip, remote_host
 *    (WorkstationName) and user, links `logon` to a logon.network finding
 *    and raises confidence; an interactive, RDP or loopback logon makes
 *    broker-process findings (WmiPrvSE, wsmprovhost, mmc, ...) local, and
 *    they are dropped;
 *  - children of a flagged process (Sysmon ParentProcessGuid, 4688 parent
 *    PID) become findings of the same kind;
 *  - WmiPrvSE activity counts as remote WMI only after an inbound RPC
 *    (TCP 135) connection from another address a few seconds before;
 *  - a WinRM shell (WinRM 91) links `related` to its wsmprovhost/winrshost;
 *  - after all hosts, an outbound finding on host A is paired with the
 *    inbound finding (or network logon) on host B whose name or address
 *    matches, with the same account when both name one, within 5 minutes.
 * Logon ids are compared normalised (0x0000000000110085 == 0x110085), names
 * and accounts case-insensitively; 127.0.0.1, ::1, "-" and the host's own
 * name never count as a remote end.
 */
#ifndef REMTRAIL_DETECT_H
#define REMTRAIL_DETECT_H

#include <stdint.h>

#include "remtrail/diag.h"
#include "remtrail/event.h"
#include "remtrail/evidence.h"
#include "remtrail/evtx.h"
#include "remtrail/finding.h"

typedef struct rt_detect rt_detect;

/* 0 on success, -1 on OOM, -2 when the rule table is bad (a programming
 * error: rt_detect_rules_check says what). */
int rt_detect_new(rt_detect **out);
/* Compile the rule table for the process (rt_detect_new does it, once).
 * 0, -1 on OOM, -2 when the table is bad. */
int rt_detect_prepare(void);
/* Compile and check the rule table (src/detect/rules.c): 0 ok, -1 with
 * "rule 'id': problem" in err (empty when out of memory). */
int rt_detect_rules_check(rt_buf *err);
/* Process one event (copies what it keeps). 0, or -1 on OOM (sticky: finish fails). */
int rt_detect_event(rt_detect *d, const rt_event *ev);
/* rt_event_cb adapter: ctx is an rt_detect; returns 1 (stop) only on OOM. */
int rt_detect_cb(void *ctx, const rt_event *ev);
/*
 * rt_evtx_opts.pre for a detector (ctx is an rt_detect): the part of
 * matching that reads the event alone - which rules list its event id and
 * channel, and which of their predicates that do not read the detector's
 * state hold - as a word rt_detect_event then trusts in rt_event.pre, so
 * that the thread feeding the detector only runs what depends on earlier
 * events (the PID table and @parent_image, the host's names, sessions,
 * candidates). Reads only the detector's compiled rule table, which never
 * changes: any thread may call it at once with the others and with
 * rt_detect_event. Findings are the same with it and without it.
 */
uint64_t rt_detect_pre(void *ctx, const rt_event *ev);
/*
 * Correlate the last host, pair across hosts, sort (rt_findings_sort) and
 * move every finding into *out (appended). 0, or -1 on OOM. The detector
 * is empty afterwards and may be fed again.
 */
int rt_detect_finish(rt_detect *d, rt_findings *out);
void rt_detect_free(rt_detect **d);

/*
 * Cross-host pairing as a step of its own. A case can be analysed host by
 * host (each host's detector finished alone, its results perhaps written to
 * a folder and read back) and paired afterwards: what pairing needs of a
 * host is its findings plus this, kept when the host is finished.
 */
typedef struct rt_pair_logon {
	uint64_t time, record_id;      /* the 4624 */
	char *ip, *workstation, *user, *logon_id, *file, *channel;
	size_t finding; /* its logon.network finding in the list, or RT_FINDING_NONE */
} rt_pair_logon;

typedef struct rt_pair_host {
	char *name;
	char **ips;             /* the host's own addresses seen in its events */
	size_t nips;
	rt_pair_logon *logons;  /* its network logons from other addresses, by time */
	size_t nlogons;
} rt_pair_host;

void rt_pair_logon_release(rt_pair_logon *l);
void rt_pair_hosts_free(rt_pair_host *h, size_t n);

/*
 * Like rt_detect_finish without the pairing: correlate the last host, sort,
 * append the findings to *out and give each host fed (in feed order) its
 * pairing state in *hosts (malloc'd, *nhosts entries; logons' `finding`
 * index *out). Free with rt_pair_hosts_free. 0, or -1 on OOM.
 */
int rt_detect_finish_hosts(rt_detect *d, rt_findings *out, rt_pair_host **hosts, size_t *nhosts);

/*
 * Pair outbound findings with inbound ones (or a network logon, which then
 * becomes a logon.network finding appended to `all`) on another of `hosts`
 * (the rules in the comment at the top). `all` holds the hosts' findings;
 * the logons' `finding` index it and are updated. The result does not
 * depend on the order of `all`, only on the order of `hosts` (the first
 * host an outbound finding targets wins). The list is not sorted. 0, or -1
 * on OOM.
 */
int rt_pair_findings(rt_findings *all, rt_pair_host *hosts, size_t nhosts);

/*
 * Read the EVTX artifacts of `ev` (rt_evtx_read_evidence, `o` as there) and
 * detect. Returns 0 when every file was read, 1 when some could not be
 * (reported through diag; the findings cover the rest), -1 on OOM.
 */
int rt_detect_evidence(const rt_evidence *ev, const rt_evtx_opts *o, rt_findings *out,
		       rt_diag *diag);

#endif
