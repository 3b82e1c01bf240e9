/*
 * report.h - writing results: the assess output (JSON and text), the
 * analyze report (report.json "remtrail/1" and report.txt), and a safe
 * output directory.
 *
 * Everything written is deterministic: no wall-clock time, no host names of
 * the analyst's machine, hosts and items in the order given (the assessor
 * already sorts them). Times are UTC ISO 8601 with 7 fractional digits.
 * Nothing here prints or exits.
 */
#ifndef REMTRAIL_REPORT_H
#define REMTRAIL_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "remtrail/assess.h"
#include "remtrail/diag.h"
#include "remtrail/util.h"

/* ------------------------------------------------------- output directory */

/*
 * Make `dir` ready for output: create it (and missing parents) when absent;
 * refuse a non-empty directory unless `force`. Evidence is never written
 * to: refuse a directory that is, or lies inside, an evidence folder among
 * `inputs`, or that is the folder of an evidence file among them. `dir` is
 * judged where it really leads: the nearest existing ancestor resolved
 * (links followed), the rest with ".." collapsed, compared by device and
 * inode (a bind mount or link is no way around it); a link on the way that
 * leads nowhere is refused (making the folder would make its target). The
 * check is made before anything is created and again after. Returns 0, or
 * -1 with a reason ("is not empty (use --force ...)") in `err`.
 */
int rt_outdir_prepare(const char *dir, int force, const char *const *inputs, size_t ninputs,
		      char *err, size_t errlen);
/*
 * Write `dir/name` atomically: a temporary file in `dir`, flushed, then
 * renamed over the target, so a reader never sees half a report. Returns 0,
 * or -1 (errno set; the temporary file removed).
 */
int rt_outdir_write(const char *dir, const char *name, const void *data, size_t n);

/* ----------------------------------------------------------------- assess */

/* `remtrail assess --format json`: {"schema":"remtrail/1","hosts":[...]}\n */
int rt_assess_write_json(rt_buf *out, rt_assess_result *const *hosts, size_t n);
/* The summary table, then each host's verdicts with their evidence. */
int rt_assess_write_text(rt_buf *out, rt_assess_result *const *hosts, size_t n);

/* ------------------------------------------------------------------ report */

typedef struct rt_report_input {
	const char *path;
	const char *sha256; /* 64 hex digits, or NULL when it could not be read */
	uint64_t size;
	const char *host;   /* host the artifact was attributed to, or NULL */
	const char *kind;   /* "evtx", "hive:SYSTEM", ... or NULL */
} rt_report_input;

/* One line of a host's key timeline in report.txt. */
typedef struct rt_report_line {
	const char *host;
	uint64_t time;
	const char *kind;
	const char *text;
	const char *source; /* "file #record" */
} rt_report_line;

typedef struct rt_report {
	const char *version;              /* remtrail version */
	const rt_report_input *inputs;
	size_t ninputs;
	rt_assess_result *const *hosts;
	size_t nhosts;
	const char *configuration_json;   /* config's JSON object (remtrail config --format json), or NULL for [] */
	const char *findings_json;        /* a JSON array of findings, or NULL for [] */
	const rt_report_line *timeline;   /* key timeline lines, ordered by host then time */
	size_t ntimeline;
	size_t findings_total;            /* for the text header */
} rt_report;

/* report.json: {"schema":"remtrail/1","tool":...,"inputs":[...],
 * "hosts":[names],"configuration":[...],"findings":[...],"verdicts":[...]} */
int rt_report_write_json(rt_buf *out, const rt_report *r);
/* report.txt: inputs, summary table, then per host verdicts, evidence and
 * key timeline. */
int rt_report_write_text(rt_buf *out, const rt_report *r);

#endif
