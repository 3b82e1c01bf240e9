/*
 * report.h - writing results: the assess output (JSON and text), the
 * analyze report (report.json "remtrail/1" and report.txt), SHA-256 of the
 * inputs, and a safe output directory.
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

/* ----------------------------------------------------------------- SHA-256 */

typedef struct rt_sha256 {
	uint32_t h[8];
	uint64_t len;
	uint8_t block[64];
	size_t fill;
} rt_sha256;

void rt_sha256_init(rt_sha256 *c);
void rt_sha256_update(rt_sha256 *c, const void *data, size_t n);
void rt_sha256_final(rt_sha256 *c, uint8_t out[32]);
/* Lower-case hex of `n` bytes into `hex` (2n+1 bytes). */
void rt_hex(const uint8_t *p, size_t n, char *hex);
/* SHA-256 of a whole file (read-only, streamed) as 64 hex digits + NUL.
 * Returns 0, or -1 (errno set) when the file cannot be read. */
int rt_sha256_file(const char *path, char hex[65], uint64_t *size);

/* ------------------------------------------------------- output directory */

/*
 * Make `dir` ready for output: create it (and missing parents) when absent;
 * refuse a non-empty directory unless `force`; refuse a directory that is,
 * or lies inside, one of the evidence `inputs` (evidence is never written
 * to). Returns 0, or -1 with a reason ("directory not empty (use --force)")
 * in `err`.
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

/* ---------------------------------------------------------------- analysis */

/*
 * The whole pipeline behind `assess` and `analyze`: collect the evidence,
 * read each host's configuration history and findings, assess every host,
 * and hash the inputs. What cannot be read is reported through `diag` and
 * the rest is analysed.
 */
typedef struct rt_analysis_opts {
	const char *mgmt_scope;  /* rt_assess_opts.mgmt_scope */
	int hash_inputs;         /* compute SHA-256 of every input file */
	int threads;             /* EVTX decoding threads (rt_evtx_opts.threads) */
	/* progress for long work (files read, hosts done); may be NULL */
	void (*progress)(void *ctx, const char *what, size_t done, size_t total);
	void *progress_ctx;
} rt_analysis_opts;

typedef struct rt_analysis {
	rt_assess_result **hosts;
	size_t nhosts;
	rt_report_input *inputs;   /* every artifact (and hive log), sorted by path */
	size_t ninputs;
	char *configuration_json;  /* config's JSON object, or NULL */
	char *findings_json;       /* findings array, or NULL */
	rt_report_line *timeline;  /* key timeline: the findings, per host by time */
	size_t ntimeline;
	size_t nfindings;
	void *priv;                /* module data kept for the timeline writers */
} rt_analysis;

/* 0 (results in *out, even with errors reported), -1 if nothing could be
 * done (no evidence at all, or out of memory). */
int rt_analysis_run(const char *const *paths, size_t npaths, const rt_analysis_opts *opts,
		    rt_analysis **out, rt_diag *diag);
/* The findings as timeline JSONL (csv = 0) or CSV (csv = 1), with the detect
 * module's writers. */
int rt_analysis_timeline(const rt_analysis *a, rt_buf *out, int csv);
void rt_analysis_free(rt_analysis **a);

#endif
