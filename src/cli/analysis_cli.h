/* analysis_cli.h - option parsing and the pipeline run shared by the
 * `assess` and `analyze` commands. */
#ifndef REMTRAIL_ANALYSIS_CLI_H
#define REMTRAIL_ANALYSIS_CLI_H

#include "cli.h"
#include "remtrail/pipeline.h"
#include "remtrail/report.h"

typedef struct analysis_args {
	const char **paths;
	size_t npaths;
	const char *format;  /* assess: "json" or "text" */
	const char *outdir;  /* analyze: -o DIR */
	int force;
	const char *mgmt;
	int jobs;            /* -j N; 0: the number of cores */
	rt_reader reader;
	const char *reader_name;
	uint64_t from, to;   /* --from / --to, 0: open */
	const char *tz;      /* analyze: --tz local|ZONE, or NULL */
	int csv_raw;         /* analyze: --csv-raw */
	const char *manifest;  /* analyze: --manifest FILE ("-": stdin) */
	const char **hosts;    /* analyze: --host NAME (repeatable) */
	size_t nhosts;
	unsigned shard_i, shard_n; /* analyze: --shard I/N (0/0: none) */
} analysis_args;

/* Parse argv (argv[0] is the command). Returns -1 when help was printed
 * (exit 0), RT_EXIT_USAGE on a usage error (message printed), 0 otherwise.
 * `with_output` accepts the analyze options (-o, --force, --tz, --csv-raw),
 * else --format (assess). */
int analysis_parse(const cli_command *cmd, int argc, char **argv, int with_output,
		   analysis_args *a);
/* Run the pipeline with progress on stderr; RT_EXIT_FAIL when nothing could
 * be done (message printed). */
int analysis_execute(const char *cmd, const analysis_args *args, int hash, rt_analysis **out,
		     rt_diag *diag);

#endif
