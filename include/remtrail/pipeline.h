/*
 * pipeline.h - the stages run in order: collect the evidence, read each
 * artifact once, build every host's configuration history and findings,
 * assess each host. The writers in report.h take what this returns.
 * Nothing here prints or exits.
 */
#ifndef REMTRAIL_PIPELINE_H
#define REMTRAIL_PIPELINE_H

#include "remtrail/evidence.h"
#include "remtrail/report.h"

/* ---------------------------------------------------------------- evidence */

/*
 * Options for rt_evidence_collect with the readers' host namers (ComputerName
 * of a SYSTEM hive, Computer of an EVTX file's records) and, when `sha256`,
 * every artifact hashed as it is read.
 */
void rt_pipeline_evidence_opts(rt_evidence_opts *o, int sha256);
/* rt_evidence_collect with those options. */
int rt_pipeline_collect(const char *const *paths, size_t npaths, int sha256, rt_evidence **out,
			rt_diag *diag);

/* ---------------------------------------------------------------- analysis */

/*
 * The whole pipeline behind `assess` and `analyze`: collect the evidence,
 * read each host's configuration history and findings, assess every host.
 * Every input's SHA-256 is computed from the bytes the readers read (in
 * their threads); only what no reader needed is read afterwards for its
 * hash. What cannot be read is reported through `diag` and the rest is
 * analysed.
 */
typedef struct rt_analysis_opts {
	const char *mgmt_scope;  /* rt_assess_opts.mgmt_scope */
	int hash_inputs;         /* SHA-256 of every input file */
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
