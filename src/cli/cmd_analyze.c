/* remtrail analyze: everything into a folder - the case (report.json,
 * report.txt, report.html, timeline.csv, timeline.jsonl) and one folder per
 * host with the same files - with the SHA-256 of every input. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analysis_cli.h"

static const char *const assess_formats[] = { "json", "text", NULL };

int analysis_parse(const cli_command *cmd, int argc, char **argv, int with_output,
		   analysis_args *a)
{
	int i, j, only_paths = 0, reader = 0;

	memset(a, 0, sizeof *a);
	a->format = "json";
	a->reader_name = "auto";
	if (!(a->paths = calloc((size_t)argc + 1, sizeof *a->paths)))
		return cli_usage_error(cmd->name, "out of memory");
	for (i = 1; i < argc; i++) {
		const char *s = argv[i];
		if (only_paths || s[0] != '-' || !s[1]) {
			a->paths[a->npaths++] = s;
		} else if (!strcmp(s, "--")) {
			only_paths = 1;
		} else if (!strcmp(s, "-h") || !strcmp(s, "--help")) {
			cli_print_help(cmd);
			return -1;
		} else if (!strcmp(s, "--mgmt") || !strncmp(s, "--mgmt=", 7)) {
			if (s[6] == '=')
				a->mgmt = s + 7;
			else if (++i < argc)
				a->mgmt = argv[i];
			else
				return cli_usage_error(cmd->name, "--mgmt needs an address scope");
		} else if ((j = cli_opt_jobs(cmd->name, argc, argv, &i, &a->jobs)) != 0 ||
			   (j = cli_opt_window(cmd->name, argc, argv, &i, &a->from, &a->to)) != 0 ||
			   (j = cli_opt_reader(cmd->name, argc, argv, &i, &reader, &a->reader_name)) != 0) {
			if (j < 0)
				return RT_EXIT_USAGE;
			a->reader = (rt_reader)reader;
		} else if (with_output && (!strcmp(s, "-o") || !strcmp(s, "--output"))) {
			if (++i >= argc)
				return cli_usage_error(cmd->name, "%s needs a folder", s);
			a->outdir = argv[i];
		} else if (with_output && !strncmp(s, "--output=", 9)) {
			a->outdir = s + 9;
		} else if (with_output && !strcmp(s, "--force")) {
			a->force = 1;
		} else if (with_output && !strcmp(s, "--csv-raw")) {
			a->csv_raw = 1;
		} else if (with_output && (j = cli_opt_tz(cmd->name, argc, argv, &i, &a->tz)) != 0) {
			if (j < 0)
				return RT_EXIT_USAGE;
		} else if (!with_output &&
			   (j = cli_opt_format(cmd->name, argc, argv, &i, assess_formats, &a->format)) != 0) {
			if (j < 0)
				return RT_EXIT_USAGE;
		} else {
			return cli_usage_error(cmd->name, "unknown option '%s'", s);
		}
	}
	if (!a->npaths)
		return cli_usage_error(cmd->name, "no evidence given (files or folders)");
	if (with_output && !a->outdir)
		return cli_usage_error(cmd->name, "no output folder given (-o DIR)");
	if (a->mgmt && !rt_scope_is_literal(a->mgmt))
		return cli_usage_error(cmd->name,
				       "cannot read --mgmt scope '%s' (IPv4/IPv6 addresses, a/len prefixes, a-b ranges, comma-separated)",
				       a->mgmt);
	return 0;
}

static void progress(void *ctx, const char *what, size_t done, size_t total)
{
	(void)ctx;
	cli_progress(what, done, total);
}

int analysis_execute(const char *cmd, const analysis_args *args, int hash, rt_analysis **out,
		     rt_diag *diag)
{
	rt_analysis_opts o;

	memset(&o, 0, sizeof o);
	o.mgmt_scope = args->mgmt;
	o.hash_inputs = hash;
	o.threads = args->jobs ? args->jobs : cli_default_jobs();
	o.reader = args->reader;
	o.from = args->from;
	o.to = args->to;
	if (isatty(STDERR_FILENO))
		o.progress = progress;
	if (rt_analysis_run(args->paths, args->npaths, &o, out, diag) || !*out) {
		fprintf(stderr, "remtrail %s: no EVTX logs or registry hives found in the given paths\n",
			cmd);
		return RT_EXIT_FAIL;
	}
	return RT_EXIT_OK;
}

/* The run's time: SOURCE_DATE_EPOCH when set (reproducible outputs), else now. */
static int64_t run_time(void)
{
	const char *e = getenv("SOURCE_DATE_EPOCH");
	uint64_t v;

	if (e && !rt_parse_u64(e, &v) && v < ((uint64_t)1 << 40))
		return (int64_t)v;
	return (int64_t)time(NULL);
}

typedef int (*writer_fn)(rt_buf *out, const rt_report *r, size_t host);

static int write_csv(rt_buf *out, const rt_report *r, size_t host)
{
	return rt_report_timeline(out, r, host, 1);
}

static int write_jsonl(rt_buf *out, const rt_report *r, size_t host)
{
	return rt_report_timeline(out, r, host, 0);
}

/* The files of one unit (the case, or a host): name and writer. */
static const struct {
	const char *name;
	writer_fn write;
} unit_files[] = {
	{ "report.json", rt_report_json },
	{ "report.txt", rt_report_text },
	{ "report.html", rt_report_html },
	{ "timeline.csv", write_csv },
	{ "timeline.jsonl", write_jsonl },
};

/* Write one unit's files into dir/prefix. */
static int write_unit(const char *dir, const char *prefix, const rt_report *r, size_t host)
{
	rt_buf b = RT_BUF_INIT, name = RT_BUF_INIT;
	size_t i;
	int rc = -1;

	for (i = 0; i < sizeof unit_files / sizeof *unit_files; i++) {
		rt_buf_reset(&b);
		rt_buf_reset(&name);
		if (unit_files[i].write(&b, r, host) || rt_buf_addf(&name, "%s%s", prefix, unit_files[i].name)) {
			fprintf(stderr, "remtrail analyze: out of memory while writing the report\n");
			goto out;
		}
		if (rt_outdir_write(dir, name.buf, b.buf, b.len)) {
			fprintf(stderr, "remtrail analyze: cannot write '%s/%s': %s\n", dir, name.buf,
				strerror(errno));
			goto out;
		}
	}
	rc = 0;
out:
	rt_buf_release(&b);
	rt_buf_release(&name);
	return rc;
}

static int run(int argc, char **argv)
{
	analysis_args args;
	rt_analysis *a = NULL;
	rt_diag diag;
	rt_report rep;
	rt_report_opts ro;
	rt_report_run rr;
	rt_buf prefix = RT_BUF_INIT;
	const char **full = NULL;
	char err[512];
	size_t h;
	int r = analysis_parse(&cli_cmd_analyze, argc, argv, 1, &args);

	if (r) {
		free(args.paths);
		return r < 0 ? RT_EXIT_OK : r;
	}
	if (rt_outdir_prepare(args.outdir, args.force, args.paths, args.npaths, err, sizeof err)) {
		fprintf(stderr, "remtrail analyze: output folder '%s' %s\n", args.outdir, err);
		free(args.paths);
		return strstr(err, "not empty") || strstr(err, "evidence") ? RT_EXIT_USAGE : RT_EXIT_FAIL;
	}
	cli_tz_apply(args.tz);
	memset(&rr, 0, sizeof rr);
	rr.version = PACKAGE_VERSION;
	rr.started = run_time();
	rr.jobs = args.jobs ? args.jobs : cli_default_jobs();
	/* the command line as typed: argv[-1] is "remtrail" (main passes argv + 1) */
	if (!(full = calloc((size_t)argc + 2, sizeof *full))) {
		free(args.paths);
		return RT_EXIT_FAIL;
	}
	full[0] = "remtrail";
	for (h = 0; h < (size_t)argc; h++)
		full[h + 1] = argv[h];
	rr.argv = full;
	rr.argc = (size_t)argc + 1;
	cli_diag_init(&diag);
	r = analysis_execute("analyze", &args, 1, &a, &diag);
	if (r)
		goto out;
	memset(&ro, 0, sizeof ro);
	ro.mgmt = args.mgmt;
	ro.from = args.from;
	ro.to = args.to;
	ro.reader = args.reader_name;
	ro.tz = args.tz;
	ro.csv_raw = args.csv_raw;
	rr.finished = run_time();
	rep.a = a;
	rep.opts = &ro;
	rep.run = &rr;
	r = RT_EXIT_FAIL;
	for (h = 0; h < a->nhosts; h++) {
		if (isatty(STDERR_FILENO))
			cli_progress("host reports written", h, a->nhosts);
		rt_buf_reset(&prefix);
		if (rt_buf_addf(&prefix, "hosts/%s/", a->hosts[h].dir) ||
		    write_unit(args.outdir, prefix.buf, &rep, h))
			goto out;
	}
	if (isatty(STDERR_FILENO))
		cli_progress("host reports written", a->nhosts, a->nhosts);
	if (write_unit(args.outdir, "", &rep, RT_REPORT_CASE))
		goto out;
	fprintf(stderr, "remtrail analyze: %zu hosts, %zu inputs, %zu findings: wrote the case "
			"(report.txt, report.html, report.json, timeline.csv, timeline.jsonl) and one folder per "
			"host under hosts/ to %s\n",
		a->nhosts, a->ninputs, a->findings.n, args.outdir);
	r = cli_exit_status(&diag);
out:
	rt_buf_release(&prefix);
	rt_analysis_free(&a);
	rt_diag_release(&diag);
	free(full);
	free(args.paths);
	return r;
}

const cli_command cli_cmd_analyze = {
	"analyze", run, "everything into a folder: the case and one report per host",
	"usage: remtrail analyze PATH... -o DIR [--force] [--mgmt SCOPE] [--from T]\n"
	"                        [--to T] [--tz local|ZONE] [--csv-raw] [--reader R]\n"
	"                        [-j N]\n"
	"\n"
	"Reads every EVTX log and registry hive under PATH (files, folders, triage\n"
	"collections, disk images and their shadow copies, archives; many hosts at\n"
	"once: 'remtrail --help' lists what is read), judges per host whether CM0013\n"
	"(block remote WMI), CM0019 (disable or restrict WinRM, with its monitoring)\n"
	"and CM0012 (disable or restrict DCOM) were in effect over time and whether\n"
	"they were bypassed, and writes into DIR:\n"
	"\n"
	"  report.txt           what to read first and paste into an incident report:\n"
	"                       hosts ranked (inbound use and bypass first, the rest\n"
	"                       grouped), movement between hosts, damaged inputs, then\n"
	"                       the hosts with activity in detail\n"
	"  report.html          the same as one self-contained page (nothing fetched,\n"
	"                       prints well): a time axis per host, the movement graph,\n"
	"                       a findings table to sort and filter\n"
	"  report.json          everything, machine readable (schema remtrail/1): each\n"
	"                       input with its SHA-256 and what became of it, options,\n"
	"                       findings, movement, verdicts, configuration\n"
	"  timeline.csv         the findings, one per row: imports as it is into\n"
	"                       Timesketch and Timeline Explorer\n"
	"  timeline.jsonl       the same as JSON lines\n"
	"  hosts/<HOST>/        the same five files for each host, from its evidence\n"
	"                       alone (names made safe as folder names)\n"
	"\n"
	"Each file ends with (or holds apart) a run record - command line, start, end -\n"
	"the only part that differs between two runs; with SOURCE_DATE_EPOCH set its\n"
	"times are that. Evidence is opened read-only. Times are UTC.\n"
	"\n"
	"options:\n"
	"  -o, --output DIR     folder to write (created if missing; must be empty and\n"
	"                       outside the evidence)\n"
	"  --force              write into a non-empty folder (our files are replaced;\n"
	"                       host folders of an earlier run are not removed)\n"
	CLI_HELP_MGMT
	CLI_HELP_WINDOW
	"                       (the configuration history is always read whole)\n"
	"  --tz local|ZONE      add a local_time column to the timelines, in this\n"
	"                       machine's zone or an IANA zone (Europe/Berlin); the UTC\n"
	"                       fields do not change\n"
	"  --csv-raw            do not neutralise CSV cells that start with = + - @ (by\n"
	"                       default they get a leading ' so a spreadsheet does not\n"
	"                       run them as formulas)\n"
	CLI_HELP_READER
	CLI_HELP_JOBS
	CLI_HELP_HELP
	"\n"
	"Progress goes to stderr when it is a terminal.\n"
	"\n"
	"examples:\n"
	"  remtrail analyze testdata/sample -o /tmp/sample-report\n"
	"  remtrail analyze /cases/42/kape/WS01 /cases/42/kape/WS02 -o /cases/42/remtrail\n"
	"  remtrail analyze /mnt/ws01 -o out --force --mgmt 10.0.5.0/24 --tz UTC\n"
	"  remtrail analyze /cases/42/kape -o out --from 2024-03-01 --to 2024-03-15\n"
	"\n"
	CLI_HELP_EXIT
	"Also 2 when DIR is not empty or lies inside the evidence. Verdicts never\n"
	"change the exit status.\n",
};
