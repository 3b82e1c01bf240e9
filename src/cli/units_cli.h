/* units_cli.h - what `hosts`, `analyze` and `merge` share: the files of a
 * result folder, host folders written and read back, the case written from
 * them, progress over many hosts (docs/scale.md). */
#ifndef REMTRAIL_UNITS_CLI_H
#define REMTRAIL_UNITS_CLI_H

#include <pthread.h>

#include "cli.h"
#include "remtrail/report.h"
#include "remtrail/units.h"

/* The manifest analyze keeps in its output folder. */
#define CLI_MANIFEST "manifest.jsonl"

/* `remtrail hosts --format text`. */
int cli_units_table(rt_buf *out, const rt_units *u);
/* `remtrail hosts --format names`: each unit's folder, one a line. */
int cli_units_names(rt_buf *out, const rt_units *u);
/* A whole file ("-": stdin) appended to *out; -1 with errno set. */
int cli_read_file(const char *path, rt_buf *out);
/*
 * When the units name files by relative paths and this process does not
 * run in the manifest's base folder: make `outdir` absolute in *outabs
 * (left empty when it already is) and enter the base. 0, or -1 (said).
 */
int cli_enter_base(const char *cmd, const rt_units *u, const char *outdir, rt_buf *outabs);
/* The evidence PATHs the units' files were found under (malloc'd array of
 * borrowed strings, *n of them), for the output folder's evidence check. */
const char **cli_unit_paths(const rt_units *u, size_t *n);

/* The options that shape results as one JSON object: what unit.json
 * records and merge renders the case with. */
int cli_options_json(rt_buf *out, const rt_report_opts *o);
/* Read it back; strings are allocated into `keep` (free with free()). */
int cli_options_parse(const char *json, rt_report_opts *o, char **keep, size_t nkeep);

/* The files of a result: cli_nunit_files of them, named by
 * cli_unit_file_name. cli_unit_make (an rt_hostdir_make_fn, ctx a
 * cli_unit_render) renders file i of host `host` of `r` into bufs[i] and
 * points f at it; with f NULL, it releases bufs[i]. */
extern const size_t cli_nunit_files;
const char *cli_unit_file_name(size_t i);
typedef struct cli_unit_render {
	const rt_report *r;
	size_t host;
	rt_buf *bufs; /* cli_nunit_files of them */
	/* when set: report.json, once made, is parsed into *parsed as the
	 * case step reads it from DIR/hosts/<hostdir> (rt_hostdir_parse_report) */
	rt_analysis **parsed;
	const char *dir, *hostdir;
} cli_unit_render;
int cli_unit_make(void *ctx, size_t i, rt_hostdir_file *f);
/* Write the case files into dir, on up to r->run->jobs threads; remove
 * them. 0, or -1 (said on stderr). */
int cli_write_case(const char *cmd, const char *dir, const rt_report *r);
void cli_remove_case(const char *dir);
/* Whether folder `dir` holds nothing but what remtrail writes there (the
 * case files, manifest.jsonl, hosts/, their temporary names), or is not
 * there yet: shards started at once into one folder find each other's
 * files there, or find it made between their look and their mkdir. */
int cli_outdir_ours(const char *dir);

/*
 * The case from host folders: unit k read from froms[k]/hosts/<dir>
 * (rt_hostdir_load; `threads` folders at a time; RT_HOSTDIR_FRESH where
 * fresh[k], NULL for none; with its report.json parsed ahead where
 * parsed[k], which is taken over and set to NULL), joined with the skipped
 * inputs. On failure says which host on stderr (the first in u's order
 * that failed) and returns -1.
 */
int cli_case_from_folders(const char *cmd, const rt_units *u, const char *const *froms,
			  const unsigned char *fresh, rt_analysis **parsed, unsigned threads,
			  rt_analysis **out);

/* Progress over units: a status line on a terminal (hosts done/total,
 * MiB/s, ETA, the host begun last), else one line per finished unit.
 * Units may run side by side: each has its slot; the calls are safe from
 * several threads at once. */
typedef struct cli_units_progress {
	const char *cmd;
	int tty;
	size_t total, done, unchanged;
	uint64_t bytes_total, bytes_done, bytes_now; /* bytes_now: inside units begun */
	uint64_t bytes_read;  /* of units analysed (not skipped): for the rate */
	double start, last_show;
	const char *current;
	pthread_mutex_t lock;
} cli_units_progress;

/* One unit under way. */
typedef struct cli_unit_slot {
	cli_units_progress *p;
	const char *host;
	uint64_t bytes; /* read so far */
	double start;
} cli_unit_slot;

void cli_units_progress_init(cli_units_progress *p, const char *cmd, size_t total,
			     uint64_t bytes_total);
void cli_units_progress_begin(cli_units_progress *p, cli_unit_slot *s, const char *host);
/* rt_analysis_opts.progress for the unit of slot `ctx`. */
void cli_units_progress_cb(void *ctx, const char *what, size_t done, size_t total);
/* A unit finished: analysed (`unchanged` 0) or found complete and skipped. */
void cli_units_progress_end(cli_unit_slot *s, uint64_t size, int unchanged, size_t findings);
void cli_units_progress_finish(cli_units_progress *p);

/* The run's time: SOURCE_DATE_EPOCH when set (reproducible outputs), else now. */
int64_t cli_run_time(void);
/* A run record for this command line (version, command line as typed,
 * started now); returns the argument array to free, NULL on OOM. */
const char **cli_run_record(rt_report_run *rr, int argc, char **argv);

/* Seconds since an arbitrary start (monotonic). */
double cli_now(void);

#endif
