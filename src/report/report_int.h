/* report_int.h - what the writers of the report module share (not public). */
#ifndef REMTRAIL_REPORT_INT_H
#define REMTRAIL_REPORT_INT_H

#include "remtrail/report.h"

/* What a host's findings and inputs amount to, for ranking and summaries. */
typedef struct rep_stats {
	size_t inbound, outbound, refused, other; /* findings by role and direction */
	size_t bypassed;                          /* countermeasures bypassed */
	size_t hives, logs, damaged;              /* hives read, EVTX logs, inputs with damage */
	uint64_t first_in, last_in;               /* first and last inbound use */
} rep_stats;

void rep_host_stats(const rt_analysis *a, const rt_analysis_host *h, rep_stats *s);
rt_role rep_role(const rt_finding *f);

/* The input whose path is `path` (inputs are sorted by path), or NULL. */
const rt_input *rep_input(const rt_analysis *a, const char *path);
/* A file as text: its path below the evidence root when known, else as
 * named; escaped (rt_path_escape). */
int rep_file_text(rt_buf *out, const rt_analysis *a, const char *path);
/* A path as a JSON string (escaped), or null. */
int rep_json_path(rt_buf *out, const char *path);
/* Inputs by state (RT_INPUT_*), of one host (< a->nhosts) or of the case;
 * returns their number. */
#define REP_NSTATES 4
size_t rep_count_inputs(const rt_analysis *a, size_t host, size_t counts[REP_NSTATES]);
/* Whether input i belongs to `host` (the case: every input). */
int rep_input_of(const rt_analysis *a, size_t host, size_t i);
/* "[file key\value, key last written T]" or "[file record R, event E, T]",
 * escaped text ("" for an item without a source), with a leading space. */
int rep_cite(rt_buf *out, const rt_analysis *a, const rt_evidence_item *it);
/* "W. Europe Standard Time (UTC+01:00 when the SYSTEM hive was last
 * written)", escaped; nothing when the host's zone is not known. */
int rep_time_zone(rt_buf *out, const rt_analysis_host *h);
/* "YYYY-MM-DD HH:MM:SS" (UTC, whole seconds), "-" for 0: for tables. */
int rep_short_time(rt_buf *out, uint64_t t);

/*
 * Hosts in report order: inbound use first (bypassed before the others,
 * then most inbound findings, then the latest use), then hosts with other
 * findings, then the rest; name order within ties. `order` gets a->nhosts
 * indexes; `rank` (may be NULL) each host's group: 0 inbound use, 1 other
 * findings, 2 nothing found. Returns 0, or -1 on out of memory.
 */
int rep_rank_hosts(const rt_analysis *a, size_t **order, int **rank);

/*
 * Hand what `out` holds to r->flush once it holds REP_FLUSH_AT bytes or
 * more. Writers call it between two values (findings, rows, hosts), where
 * nothing already written is looked at again, so that a file is written out
 * as it is made: made whole in memory, a host's five files of a 1 GiB log
 * were 22 MB, and on this machine every fresh page of them a fault of
 * 10 us. 0, or -1 when the flush failed.
 */
#define REP_FLUSH_AT ((size_t)64 << 10)
static inline int rep_flush(const rt_report *r, rt_buf *out)
{
	return r && r->flush && out->len >= REP_FLUSH_AT ? r->flush(r->flush_ctx, out) : 0;
}

#endif
