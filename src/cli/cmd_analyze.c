/* remtrail analyze: everything into a folder - report.json, report.txt,
 * timeline.csv, timeline.jsonl - with the SHA-256 of every input. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis_cli.h"

int analysis_parse(const cli_command *cmd, int argc, char **argv, int with_output,
		   analysis_args *a)
{
	int i, j, only_paths = 0;

	memset(a, 0, sizeof *a);
	a->format = "json";
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
		} else if ((j = cli_opt_jobs(cmd->name, argc, argv, &i, &a->jobs)) != 0) {
			if (j < 0)
				return RT_EXIT_USAGE;
		} else if (with_output && (!strcmp(s, "-o") || !strcmp(s, "--output"))) {
			if (++i >= argc)
				return cli_usage_error(cmd->name, "%s needs a folder", s);
			a->outdir = argv[i];
		} else if (with_output && !strncmp(s, "--output=", 9)) {
			a->outdir = s + 9;
		} else if (with_output && !strcmp(s, "--force")) {
			a->force = 1;
		} else if (!with_output && (!strcmp(s, "--format") || !strncmp(s, "--format=", 9))) {
			if (s[8] == '=')
				a->format = s + 9;
			else if (++i < argc)
				a->format = argv[i];
			else
				return cli_usage_error(cmd->name, "--format needs json or text");
			if (strcmp(a->format, "json") && strcmp(a->format, "text"))
				return cli_usage_error(cmd->name, "unknown format '%s' (json or text)", a->format);
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
	if (isatty(STDERR_FILENO))
		o.progress = progress;
	if (rt_analysis_run(args->paths, args->npaths, &o, out, diag) || !*out) {
		fprintf(stderr, "remtrail %s: no EVTX logs or registry hives found in the given paths\n",
			cmd);
		return RT_EXIT_FAIL;
	}
	return RT_EXIT_OK;
}

static int write_out(const char *dir, const char *name, const rt_buf *b)
{
	if (rt_outdir_write(dir, name, b->buf, b->len)) {
		fprintf(stderr, "remtrail analyze: cannot write '%s/%s': %s\n", dir, name,
			strerror(errno));
		return -1;
	}
	return 0;
}

static int run(int argc, char **argv)
{
	analysis_args args;
	rt_analysis *a = NULL;
	rt_diag diag;
	rt_report rep;
	rt_buf json = RT_BUF_INIT, txt = RT_BUF_INIT, csv = RT_BUF_INIT, jsonl = RT_BUF_INIT;
	char err[512];
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
	cli_diag_init(&diag);
	r = analysis_execute("analyze", &args, 1, &a, &diag);
	if (r)
		goto out;
	memset(&rep, 0, sizeof rep);
	rep.version = PACKAGE_VERSION;
	rep.inputs = a->inputs;
	rep.ninputs = a->ninputs;
	rep.hosts = a->hosts;
	rep.nhosts = a->nhosts;
	rep.configuration_json = a->configuration_json;
	rep.findings_json = a->findings_json;
	rep.timeline = a->timeline;
	rep.ntimeline = a->ntimeline;
	rep.findings_total = a->nfindings;
	if (rt_report_write_json(&json, &rep) || rt_report_write_text(&txt, &rep) ||
	    rt_analysis_timeline(a, &csv, 1) || rt_analysis_timeline(a, &jsonl, 0)) {
		fprintf(stderr, "remtrail analyze: out of memory while writing the report\n");
		r = RT_EXIT_FAIL;
		goto out;
	}
	if (write_out(args.outdir, "report.json", &json) || write_out(args.outdir, "report.txt", &txt) ||
	    write_out(args.outdir, "timeline.csv", &csv) ||
	    write_out(args.outdir, "timeline.jsonl", &jsonl)) {
		r = RT_EXIT_FAIL;
		goto out;
	}
	fprintf(stderr, "remtrail analyze: %zu hosts, %zu inputs, %zu findings: wrote report.json, "
			"report.txt, timeline.csv, timeline.jsonl to %s\n",
		a->nhosts, a->ninputs, a->nfindings, args.outdir);
	r = cli_exit_status(&diag);
out:
	rt_buf_release(&json);
	rt_buf_release(&txt);
	rt_buf_release(&csv);
	rt_buf_release(&jsonl);
	rt_analysis_free(&a);
	rt_diag_release(&diag);
	free(args.paths);
	return r;
}

const cli_command cli_cmd_analyze = {
	"analyze", run, "everything into a folder: report, verdicts, timeline",
	"usage: remtrail analyze PATH... -o DIR [--force] [--mgmt SCOPE] [-j N]\n"
	"\n"
	"Reads every EVTX log and registry hive under PATH (files, folders, triage\n"
	"collections, disk images and their shadow copies, archives; many hosts at\n"
	"once: see 'remtrail --help'), and writes into DIR:\n"
	"\n"
	"  report.txt      what to paste into an incident report: a summary table\n"
	"                  (host x countermeasure -> state, bypassed, first/last\n"
	"                  activity), then per host the verdicts with the evidence\n"
	"                  they rest on and the key timeline\n"
	"  report.json     the same, machine readable (schema remtrail/1): the inputs\n"
	"                  with their SHA-256, hosts, configuration, findings, verdicts\n"
	"  timeline.csv    the findings, one per line (Timesketch-ready columns)\n"
	"  timeline.jsonl  the same as JSON lines\n"
	"\n"
	"Countermeasures judged per host and over time: CM0013 (block remote WMI),\n"
	"CM0019 (disable or restrict WinRM, with its monitoring: WinRM 6/91 and\n"
	"PowerShell 4103) and CM0012 (disable or restrict DCOM). Each is in_effect,\n"
	"restricted, not_in_effect or unknown in each interval, and 'bypassed' names\n"
	"the route (re-enabled then used, allowed address, alternate port, ...).\n"
	"\n"
	"options:\n"
	"  -o, --output DIR  folder to write (created if missing; must be empty and\n"
	"                    outside the evidence)\n"
	"  --force           write into a non-empty folder (our four files are replaced)\n"
	"  --mgmt SCOPE      addresses meant to manage hosts (domain controllers, file\n"
	"                    servers, jump hosts), IPv4 and IPv6 addresses, prefixes\n"
	"                    and a-b ranges, e.g. 10.0.5.0/24,10.0.0.10,fd00:5::/64:\n"
	"                    use from an allowed address outside SCOPE counts as a\n"
	"                    bypass\n"
	"  -j N              EVTX decoding threads (default: the number of cores); the\n"
	"                    results are the same whatever N\n"
	"\n"
	"Evidence is opened read-only. Times are UTC. Progress goes to stderr.\n"
	"\n"
	"examples:\n"
	"  remtrail analyze testdata/sample -o OUT\n"
	"  remtrail analyze /cases/42/kape/WS01 /cases/42/kape/WS02 -o /cases/42/remtrail\n"
	"  remtrail analyze E: -o out --force --mgmt 10.0.5.0/24\n"
	"\n"
	"exit status: 0 all evidence read; 3 report written but some input could not\n"
	"be read (named on stderr); 2 usage error (also: DIR not empty, DIR inside the\n"
	"evidence); 1 nothing could be done. Verdicts never change the exit status.\n",
};
