/*
 * report.h - writing results: the case and host reports of `analyze`
 * (report.json "remtrail/1", report.txt, report.html), the timelines
 * (timeline.csv, timeline.jsonl; also `remtrail timeline`), the `assess`
 * output (JSON and text), and a safe output directory.
 *
 * The layout `analyze -o DIR` writes (docs/report.md):
 *
 *   DIR/report.json report.txt report.html timeline.csv timeline.jsonl
 *                                           the case: every host, pairs across hosts,
 *                                           the movement graph
 *   DIR/hosts/<dir>/report.json report.txt report.html timeline.csv timeline.jsonl
 *                                           one host, from its evidence alone
 *
 * Everything written is deterministic - the same evidence and options give
 * the same bytes whatever the thread count - except the run record (command
 * line, start and end of the run), which every writer keeps apart: the
 * "run" member, last in report.json; the text after the RT_REPORT_RUN_MARK
 * line of report.txt; the element with id "run" in report.html. Comparisons
 * of two runs (determinism tests, shard/merge equivalence) drop exactly
 * that part. With SOURCE_DATE_EPOCH set, the CLI records that time as both
 * start and end, and the files are byte-identical as a whole.
 *
 * Every text writer escapes what the evidence holds (util.h: rt_text_escape
 * for values, rt_path_escape for file names, rt_csv_cell for CSV) and
 * wraps report.txt at RT_REPORT_WIDTH. Times are UTC ISO 8601 with 7
 * fractional digits; registry times are labelled as key last-written times.
 * Nothing here prints or exits.
 */
#ifndef REMTRAIL_REPORT_H
#define REMTRAIL_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "remtrail/assess.h"
#include "remtrail/diag.h"
#include "remtrail/pipeline.h"
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
 * renamed over the target, so a reader never sees half a report. `name`
 * may hold '/': missing folders below `dir` are created. Returns 0, or -1
 * (errno set; the temporary file removed).
 */
int rt_outdir_write(const char *dir, const char *name, const void *data, size_t n);
/*
 * The same without waiting for the disk: the file's writeback is started
 * and it is renamed into place, and rt_outdir_sync() of every such file
 * must come before anything that publishes them (a folder staged file by
 * file, then renamed as a whole). Returns 0, or -1 (errno set).
 */
int rt_outdir_write_unsynced(const char *dir, const char *name, const void *data, size_t n);
/* Flush every regular file directly in `dir` to the disk (fsync). 0, or -1
 * (errno set) when one cannot be. */
int rt_outdir_sync(const char *dir);
/*
 * The same in pieces, for a file too big to hold whole: begin (the
 * temporary file made), put as often as needed, end (flushed and renamed
 * into place) or abort (removed). Each returns 0, or -1 with errno set;
 * after a failed begin or end nothing is left to abort.
 */
typedef struct rt_outdir_file {
	int fd;
	rt_buf tmp, dst;
} rt_outdir_file;
int rt_outdir_begin(rt_outdir_file *f, const char *dir, const char *name);
int rt_outdir_put(rt_outdir_file *f, const void *data, size_t n);
int rt_outdir_end(rt_outdir_file *f);
/* rt_outdir_end without waiting for the disk: its writeback started, as
 * rt_outdir_write_unsynced, and rt_outdir_sync() owed before publishing. */
int rt_outdir_end_unsynced(rt_outdir_file *f);
void rt_outdir_abort(rt_outdir_file *f);
/* Start writing what was put to the disk, without waiting (a later end
 * then mostly finds it done). */
void rt_outdir_writeback(rt_outdir_file *f);
/*
 * Files flushed to the disk (fsync) by a thread of their own, in the order
 * given, while the caller makes the next ones: a folder of files or the
 * case's five are then published after a wait for the last one only, not
 * for all of them in turn. rt_syncer_new: NULL on out of memory (files
 * are then flushed when they end, as without one).
 */
typedef struct rt_syncer rt_syncer;
rt_syncer *rt_syncer_new(void);
/* What was put to f so far goes to the disk: flushed by the syncer's
 * thread (an end or rt_outdir_sync() then finds it done); without one,
 * its writeback is started (rt_outdir_writeback). */
void rt_outdir_sync_by(rt_outdir_file *f, rt_syncer *s);
/* rt_outdir_end_unsynced, the file flushed by s (rt_outdir_sync_by). */
int rt_outdir_end_by(rt_outdir_file *f, rt_syncer *s);
/* Every file given to s flushed: 0, or -1 with errno of the first that
 * could not be. 0 for no syncer. */
int rt_syncer_wait(rt_syncer *s);
/* Waits for the thread; *s = NULL. */
void rt_syncer_free(rt_syncer **s);

/* ----------------------------------------------------------------- assess */

/* `remtrail assess --format json`: {"schema":"remtrail/1","hosts":[...]}\n */
int rt_assess_write_json(rt_buf *out, rt_assess_result *const *hosts, size_t n);
/* The summary table, then each host's verdicts with their evidence. */
int rt_assess_write_text(rt_buf *out, rt_assess_result *const *hosts, size_t n);

/* --------------------------------------------------------------- timeline */

typedef struct rt_timeline_opts {
	int csv_raw;   /* CSV: do not neutralise cells that look like formulas */
	int local;     /* add `local_time`: the time in this process' zone
			* (rt_time_local_offset), beside the UTC fields */
} rt_timeline_opts;

/*
 * One finding as a JSON object (no newline): Timesketch's "datetime" (ISO
 * 8601 UTC), "timestamp" (microseconds since 1970, an integer),
 * "timestamp_desc" and "message"; then "local_time" when asked; then the
 * DESIGN.md fields: kind, host, channel, event_id, record_id, source_file,
 * and where known remote_ip, remote_host, user, logon_id, process,
 * parent_process, command_line, rule, technique, direction, confidence,
 * paired_host, paired_record_id, logon_record_id, related_record_id.
 */
int rt_timeline_json(rt_buf *out, const rt_findings *l, size_t i, const rt_timeline_opts *o);
/*
 * CSV per RFC 4180: UTF-8 without a byte-order mark, CRLF line ends, one
 * header row, the same fields as columns (fixed order, empty when
 * unknown); cells through rt_csv_cell.
 */
int rt_timeline_csv_header(rt_buf *out, const rt_timeline_opts *o);
int rt_timeline_csv(rt_buf *out, const rt_findings *l, size_t i, const rt_timeline_opts *o);

/* ------------------------------------------------------------------ report */

/* What made the results: the options that shape them (recorded in
 * "options", compared between runs) ... */
typedef struct rt_report_opts {
	const char *mgmt;      /* --mgmt, or NULL */
	uint64_t from, to;     /* activity window, 0: open */
	const char *reader;    /* "auto", "libevtx", "native" */
	const char *tz;        /* --tz as given, or NULL (UTC only) */
	int csv_raw;           /* --csv-raw */
} rt_report_opts;

/* ... and the run itself (recorded in "run", never compared). */
typedef struct rt_report_run {
	const char *version;
	const char *const *argv; /* the full command line, as given */
	size_t argc;
	int64_t started, finished; /* Unix seconds, UTC */
	int jobs;
} rt_report_run;

typedef struct rt_report {
	const rt_analysis *a;
	const rt_report_opts *opts;
	const rt_report_run *run;
	/* Called by the writers between two values (findings, rows, hosts,
	 * each host's configuration in the case's report.json) once `out`
	 * holds 64 KiB or more, so that the caller can write out what it holds
	 * and empty it: a file is then written as it is made, never whole in
	 * memory. NULL: everything stays in `out`. 0, or -1 to stop. */
	int (*flush)(void *ctx, rt_buf *out);
	void *flush_ctx;
} rt_report;

/* Host index meaning "the whole case". */
#define RT_REPORT_CASE ((size_t)-1)
/* report.txt keeps lines below this many bytes (long values are wrapped). */
#define RT_REPORT_WIDTH 160
/* The line of report.txt after which the run record begins. */
#define RT_REPORT_RUN_MARK "-- run (differs from run to run; comparisons leave it out) --"

/*
 * report.json: {"schema":"remtrail/1","tool","scope":"case"|"host",
 * "options","summary","inputs","hosts","configuration","findings",
 * "movement","verdicts","run"}. For a host (host < a->nhosts) every array
 * holds that host alone and "findings" are its own (no cross-host links);
 * for the case (RT_REPORT_CASE) "findings" are the case timeline.
 */
int rt_report_json(rt_buf *out, const rt_report *r, size_t host);
/* `,"origin":{...}`: where an input read inside the image or archive
 * `container` lies, as report.json gives it (and the manifest: units.h). */
int rt_report_origin_json(rt_buf *out, const char *container, const rt_origin *o);
/* report.txt: the case ranks hosts (inbound use and bypass first, the
 * rest grouped) and details the hosts with activity; a host's report is
 * its verdicts, findings and inputs. */
int rt_report_text(rt_buf *out, const rt_report *r, size_t host);
/* report.html: one self-contained page (inline CSS, SVG, a little script;
 * nothing fetched): summary, per-host time axes, movement graph, findings
 * table, inputs. */
int rt_report_html(rt_buf *out, const rt_report *r, size_t host);
/* timeline.jsonl / timeline.csv of the case or of one host. */
int rt_report_timeline(rt_buf *out, const rt_report *r, size_t host, int csv);

#endif
