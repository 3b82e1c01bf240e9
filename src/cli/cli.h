/*
 * cli.h - the command line's shared pieces. The CLI parses arguments, calls
 * the library and chooses the output; all analysis lives in libremtrail.
 */
#ifndef REMTRAIL_CLI_H
#define REMTRAIL_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "remtrail/diag.h"

/* Exit status, as in DESIGN.md. */
enum rt_exit {
	RT_EXIT_OK = 0,      /* all evidence read */
	RT_EXIT_FAIL = 1,    /* nothing could be done */
	RT_EXIT_USAGE = 2,   /* usage error */
	RT_EXIT_PARTIAL = 3  /* results written, some input unreadable (named on stderr) */
};

typedef struct cli_command {
	const char *name;
	int (*run)(int argc, char **argv); /* argv[0] is the command name */
	const char *summary;               /* one line for `remtrail --help` */
	const char *usage;                 /* full help text for `remtrail CMD --help` */
} cli_command;

/*
 * Help in one voice: every command's --help is built from these pieces,
 * so an option reads the same wherever it appears. Options are indented
 * two spaces, their text starts at column 23.
 */
#define CLI_HELP_JOBS                                                                   \
	"  -j, --jobs N         EVTX decoding threads (default: the number of cores);\n" \
	"                       the results are the same whatever N\n"
#define CLI_HELP_JOBS_HOSTS                                                             \
	"  -j, --jobs N         hosts analysed side by side, each with its own memory\n" \
	"                       (with fewer hosts than N, each decodes its logs on\n"   \
	"                       several threads; default: the number of cores); the\n"  \
	"                       results are the same whatever N\n"
#define CLI_HELP_READER                                                                 \
	"  --reader R           EVTX reader: auto (default), libevtx (the reference) or\n" \
	"                       native (the fast decoder)\n"
#define CLI_HELP_WINDOW                                                                 \
	"  --from T, --to T     only activity at or after / at or before T, ISO 8601 UTC\n" \
	"                       (2024-03-12 is its midnight, or 2024-03-12T09:30:00Z)\n"
#define CLI_HELP_MGMT                                                                   \
	"  --mgmt SCOPE         addresses meant to manage hosts (domain controllers,\n"   \
	"                       jump hosts), IPv4 and IPv6: addresses, prefixes, a-b\n"   \
	"                       ranges, e.g. 10.0.5.0/24,10.0.0.10,fd00:5::/64; use from\n" \
	"                       an allowed address outside SCOPE counts as a bypass\n"
#define CLI_HELP_HELP "  -h, --help           this help\n"
#define CLI_HELP_EXIT                                                                   \
	"exit status: 0 all evidence read; 3 results written but some input could not\n" \
	"be read (each named on stderr); 2 usage error; 1 nothing could be done.\n"

extern const cli_command cli_cmd_analyze, cli_cmd_timeline, cli_cmd_assess, cli_cmd_config,
	cli_cmd_events, cli_cmd_hosts, cli_cmd_merge, cli_cmd_evidence;

/*
 * Standard output. Results that cannot be written are a failure (exit 1),
 * never a silent loss: a full disk, a closed descriptor, a broken device.
 *
 * cli_guard_std_fds() runs first in main(): a closed stdin, stdout or
 * stderr is reopened on /dev/null READ-ONLY, so that no file remtrail opens
 * later takes its number (our output would land in it) and writes to it
 * fail with EBADF, as they would on the closed descriptor.
 * cli_write() writes to stdout; on the first failure it says so on stderr
 * ("remtrail CMD: cannot write the output: REASON") and returns -1, as it
 * does for every later call. cli_finish_stdout() flushes stdout and checks
 * that everything written to it so far (printf included) got out; it says
 * so once and returns RT_EXIT_FAIL if not, else `status`. main() calls it
 * after every command.
 */
void cli_guard_std_fds(void);
int cli_write(const char *cmd, const void *data, size_t n);
int cli_finish_stdout(const char *cmd, int status);

/* Print "remtrail CMD: message" on stderr and return RT_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print a command's help on stdout. */
void cli_print_help(const cli_command *c);

/* A diag that prints "remtrail: error: SUBJECT: message" / "warning:" on stderr. */
void cli_diag_init(rt_diag *d);
/* RT_EXIT_PARTIAL if errors were reported, else RT_EXIT_OK. */
int cli_exit_status(const rt_diag *d);

/*
 * Collect the evidence under `paths` for command `cmd` and count its EVTX
 * files into *nevtx. Says on stderr what went wrong and returns NULL when the
 * evidence cannot be collected or holds no EVTX file (exit RT_EXIT_FAIL);
 * otherwise returns the evidence, which the caller frees.
 */
struct rt_evidence;
struct rt_evidence *cli_collect_evtx(const char *cmd, const char **paths, size_t npaths,
				     rt_diag *d, size_t *nevtx);

/*
 * Match option `name` at argv[*i], as "--name=VALUE" or "--name VALUE" (then
 * *i moves past the value). Returns 1 on a match with *val set (NULL when
 * the value is missing), 0 when argv[*i] is another option.
 */
int cli_opt_value(int argc, char **argv, int *i, const char *name, const char **val);

/*
 * Progress on stderr ("remtrail: WHAT: DONE/TOTAL", rewritten in place, at
 * most 10 times a second, a newline when done reaches total). Call only
 * when stderr is a terminal. Diagnostics printed meanwhile clear the line.
 */
void cli_progress(const char *what, uint64_t done, uint64_t total);
/* A status line of one's own (terminal only), rewritten in place; and its
 * end (a newline when one is shown). */
/* rt_pipeline_set_progress's function for a terminal: the walk's work
 * ("reading the evidence: 37/100 collections and loose files named"),
 * once it has taken half a second, on a line the next output replaces. */
void cli_walk_progress(const char *what, size_t done, size_t total);
void cli_status(const char *line);
void cli_status_end(void);
/* An rt_evtx_opts.progress that shows MiB read with cli_progress. */
void cli_progress_evtx(void *ctx, uint64_t done, uint64_t total);

/*
 * --from T / --to T (ISO 8601 UTC) at argv[*i]: 1 when matched (value
 * stored, *i advanced), 0 when argv[*i] is another option, -1 after
 * printing a usage error. A date alone is its midnight.
 */
int cli_opt_window(const char *cmd, int argc, char **argv, int *i, uint64_t *from, uint64_t *to);
/* --format F, F one of the NULL-terminated `allowed` (the first is the
 * default), as cli_opt_window; *fmt gets the allowed string. */
int cli_opt_format(const char *cmd, int argc, char **argv, int *i, const char *const *allowed,
		   const char **fmt);
/* --reader auto|libevtx|native, as cli_opt_window. */
int cli_opt_reader(const char *cmd, int argc, char **argv, int *i, int *reader,
		   const char **name);
/* --tz local|ZONE, as cli_opt_window; ZONE is an IANA name found in the
 * system's zone database (tzdata), or UTC. */
int cli_opt_tz(const char *cmd, int argc, char **argv, int *i, const char **tz);
/* Make --tz's zone this process' local time zone (before any output). */
void cli_tz_apply(const char *tz);

/* Number of online cores (at least 1). */
int cli_default_jobs(void);

/*
 * If argv[*i] is "-j N", "-jN", "--jobs N" or "--jobs=N": store N (1-256) in
 * *jobs, advance *i past the value and return 1; on a bad value print the
 * usage error and return -1; otherwise return 0.
 */
int cli_opt_jobs(const char *cmd, int argc, char **argv, int *i, int *jobs);

#endif
