/* remtrail analyze: everything into a folder - the case (report.json,
 * report.txt, report.html, timeline.csv, timeline.jsonl) and one folder per
 * host with the same files - with the SHA-256 of every input. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analysis_cli.h"
#include "units_cli.h"

/* --manifest FILE, --host NAME, --shard I/N: 1 matched, 0 not, -1 after a
 * usage error. */
static int parse_units_opt(const char *cmd, int argc, char **argv, int *i, analysis_args *a)
{
	const char *v;
	uint64_t si, sn;
	char num[32], *slash;

	if (cli_opt_value(argc, argv, i, "--manifest", &v)) {
		if (!v || !*v)
			return cli_usage_error(cmd, "--manifest needs a file (from 'remtrail hosts')"), -1;
		a->manifest = v;
		return 1;
	}
	if (cli_opt_value(argc, argv, i, "--host", &v)) {
		if (!v || !*v)
			return cli_usage_error(cmd, "--host needs a host name"), -1;
		if (!a->hosts && !(a->hosts = calloc((size_t)argc + 1, sizeof *a->hosts)))
			return cli_usage_error(cmd, "out of memory"), -1;
		a->hosts[a->nhosts++] = v;
		return 1;
	}
	if (!cli_opt_value(argc, argv, i, "--shard", &v))
		return 0;
	if (!v || strlen(v) >= sizeof num)
		return cli_usage_error(cmd, "--shard needs I/N, e.g. 3/8"), -1;
	snprintf(num, sizeof num, "%s", v);
	if ((slash = strchr(num, '/')))
		*slash = '\0';
	if (!slash || rt_parse_u64(num, &si) || rt_parse_u64(slash + 1, &sn) || sn < 1 ||
	    sn > 100000 || si < 1 || si > sn)
		return cli_usage_error(cmd, "--shard needs I/N with 1 <= I <= N, e.g. 3/8 (got '%s')", v), -1;
	a->shard_i = (unsigned)si;
	a->shard_n = (unsigned)sn;
	return 1;
}

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
		} else if (with_output && (j = parse_units_opt(cmd->name, argc, argv, &i, a)) != 0) {
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
	if (!a->npaths && !a->manifest)
		return cli_usage_error(cmd->name, "no evidence given (files or folders, or --manifest FILE)");
	if (a->npaths && a->manifest)
		return cli_usage_error(cmd->name, "give the evidence or --manifest FILE, not both (the manifest names the evidence)");
	if (a->shard_n && a->nhosts)
		return cli_usage_error(cmd->name, "give --shard or --host, not both");
	if (with_output && (!a->outdir || !*a->outdir))
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

/* The units of the case: the manifest read, or the evidence walked. */
static rt_units *get_units(const analysis_args *args, rt_diag *diag)
{
	rt_units *u = NULL;
	rt_buf text = RT_BUF_INIT;
	char err[512];

	if (!args->manifest) {
		if (rt_units_collect(args->paths, args->npaths, &u, diag))
			fprintf(stderr, "remtrail analyze: out of memory\n");
		return u;
	}
	if (cli_read_file(args->manifest, &text)) {
		fprintf(stderr, "remtrail analyze: cannot read manifest '%s': %s\n", args->manifest,
			strerror(errno));
		return NULL;
	}
	if (rt_units_parse(text.buf ? text.buf : "", text.len, &u, err, sizeof err))
		fprintf(stderr, "remtrail analyze: manifest '%s' is not one `remtrail hosts` wrote: %s\n",
			args->manifest, err);
	rt_buf_release(&text);
	return u;
}

/* Which units to do: --host names, --shard I/N, or all. */
static int select_units(const analysis_args *args, const rt_units *u, unsigned char *sel)
{
	size_t i, k;

	if (args->shard_n)
		return rt_units_shard(u, args->shard_i, args->shard_n, sel);
	memset(sel, !args->nhosts, u->n);
	for (i = 0; i < args->nhosts; i++) {
		if ((k = rt_units_find(u, args->hosts[i])) == u->n) {
			rt_buf names = RT_BUF_INIT;

			for (k = 0; k < u->n && k < 20; k++)
				rt_buf_addf(&names, "%s%s", k ? ", " : "", u->units[k].dir);
			fprintf(stderr, "remtrail analyze: no host '%s' in the %s (hosts: %s%s)\n",
				args->hosts[i], args->manifest ? "manifest" : "evidence",
				names.buf ? names.buf : "none", u->n > 20 ? ", ..." : "");
			rt_buf_release(&names);
			return -1;
		}
		sel[k] = 1;
	}
	return 0;
}

/* Whether dir holds an earlier run's manifest (then *text gets it). */
static int has_manifest(const char *dir, rt_buf *text)
{
	rt_buf p = RT_BUF_INIT;
	int r;

	r = !rt_buf_addf(&p, "%s/" CLI_MANIFEST, dir) && !cli_read_file(p.buf, text);
	rt_buf_release(&p);
	return r;
}

/*
 * The output folder, before any evidence is read: made when missing, never
 * inside the evidence, and non-empty only when it holds an earlier run's
 * results (then hosts whose result is current are kept), nothing but what
 * remtrail writes (shards started at once into one folder), or with --force.
 */
static int prepare_output(const analysis_args *args, const char *const *paths, size_t n)
{
	rt_buf old = RT_BUF_INIT;
	char err[512];
	int ours = has_manifest(args->outdir, &old) || cli_outdir_ours(args->outdir);

	rt_buf_release(&old);
	if (rt_outdir_prepare(args->outdir, args->force || ours, paths, n, err, sizeof err)) {
		fprintf(stderr, "remtrail analyze: output folder '%s' %s\n", args->outdir, err);
		return strstr(err, "not empty") || strstr(err, "evidence") ? RT_EXIT_USAGE : RT_EXIT_FAIL;
	}
	return 0;
}

/* A case's evidence: the folder it was walked from and the paths given,
 * sorted, each once, joined by newlines into *out. 0, or -1 on OOM. */
static int evidence_of(const rt_units *u, rt_buf *out)
{
	size_t i, n = 0;
	const char **v = cli_unit_paths(u, &n);
	int r = -1;

	if (!v)
		return -1;
	qsort(v, n, sizeof *v, rt_cmp_cstr);
	if (rt_buf_adds(out, u->base ? u->base : ""))
		goto out;
	for (i = 0; i < n; i++)
		if ((!i || strcmp(v[i], v[i - 1])) &&
		    (rt_buf_addch(out, '\n') || rt_buf_adds(out, v[i])))
			goto out;
	r = 0;
out:
	free(v);
	return r;
}

/*
 * Whether an earlier run's manifest is of the same case as this one,
 * whose evidence changed since: the same paths walked from the same
 * folder (a host's new or changed files, a host added or gone). Its host
 * folders are then checked one by one as always; those of hosts the walk
 * no longer finds are removed, named on stderr. A run from a manifest
 * (shards) needs the very manifest: they must agree on the units.
 */
static int same_evidence(const analysis_args *args, const rt_buf *old, const rt_buf *manifest)
{
	rt_buf a = RT_BUF_INIT, b = RT_BUF_INIT;
	rt_units *was = NULL, *now = NULL;
	char err[256], why[1024];
	size_t k, j;
	int same = !args->manifest && !rt_units_parse(old->buf, old->len, &was, err, sizeof err) &&
		   !rt_units_parse(manifest->buf, manifest->len, &now, err, sizeof err) &&
		   !evidence_of(was, &a) && !evidence_of(now, &b) && a.len == b.len &&
		   !memcmp(a.buf, b.buf, a.len);

	if (same)
		fprintf(stderr, "remtrail analyze: the evidence changed since the last run into '%s': "
				"hosts whose inputs are unchanged are kept, the others analysed again\n",
			args->outdir);
	for (k = 0; same && k < was->n; k++) {
		for (j = 0; j < now->n && strcmp(was->units[k].dir, now->units[j].dir); j++)
			;
		if (j < now->n)
			continue;
		if (rt_hostdir_remove(args->outdir, was->units[k].dir, why, sizeof why))
			fprintf(stderr, "remtrail analyze: cannot remove '%s/hosts/%s' (no longer in "
					"the evidence): %s\n", args->outdir, was->units[k].dir, why);
		else
			fprintf(stderr, "remtrail analyze: removed '%s/hosts/%s': no longer in the "
					"evidence\n", args->outdir, was->units[k].dir);
	}
	rt_units_free(&was);
	rt_units_free(&now);
	rt_buf_release(&a);
	rt_buf_release(&b);
	return same;
}

/* The case's manifest into the output folder; an earlier run's must be
 * the same case (or --force). */
static int keep_manifest(const analysis_args *args, const rt_buf *manifest)
{
	rt_buf old = RT_BUF_INIT;
	int r = 0;

	if (has_manifest(args->outdir, &old) &&
	    (old.len != manifest->len || memcmp(old.buf, manifest->buf, old.len)) &&
	    (args->force || !same_evidence(args, &old, manifest))) {
		if (!args->force) {
			fprintf(stderr, "remtrail analyze: output folder '%s' holds the results of another "
					"case (its %s differs from this one's): choose another folder, or "
					"--force to replace them\n", args->outdir, CLI_MANIFEST);
			r = RT_EXIT_USAGE;
		}
	}
	if (!r && rt_outdir_write(args->outdir, CLI_MANIFEST, manifest->buf, manifest->len)) {
		fprintf(stderr, "remtrail analyze: cannot write '%s/%s': %s\n", args->outdir,
			CLI_MANIFEST, strerror(errno));
		r = RT_EXIT_FAIL;
	}
	rt_buf_release(&old);
	return r;
}

/* What every unit of a run shares; units run side by side (rt_units_each). */
typedef struct unit_run {
	const analysis_args *args;
	const char *mgmt_hosts;
	const rt_report *rep;       /* options and run record, copied for each unit */
	const rt_hostdir_made *made;
	cli_units_progress *pr;
	rt_diag *diag;
	unsigned char *fresh;       /* by unit: its folder written or checked in this run */
	rt_analysis **parsed;       /* by unit: its report.json parsed ahead, or NULL */
	int removed_case;
	pthread_mutex_t lock;
} unit_run;

/* Analyse unit k and write its folder. 0, or -1 (said on stderr). */
static int do_unit(unit_run *ur, const rt_units *u, size_t k, unsigned threads, cli_unit_slot *slot)
{
	const analysis_args *args = ur->args;
	rt_analysis_opts o;
	rt_analysis *a = NULL;
	rt_report rep = *ur->rep;
	rt_report_run rr = *ur->rep->run;
	rt_buf bufs[8];
	rt_hostdir_file files[8];
	cli_unit_render mk = { &rep, 0, bufs, ur->parsed ? &ur->parsed[k] : NULL, args->outdir,
			       u->units[k].dir };
	char err[1024];
	size_t i;
	int rc = -1;

	for (i = 0; i < cli_nunit_files; i++)
		rt_buf_init(&bufs[i], 0);
	memset(&o, 0, sizeof o);
	o.mgmt_scope = args->mgmt;
	o.mgmt_hosts = ur->mgmt_hosts;
	o.hash_inputs = 1;
	o.threads = (int)threads;
	o.reader = args->reader;
	o.from = args->from;
	o.to = args->to;
	o.progress = cli_units_progress_cb;
	o.progress_ctx = slot;
	if (rt_unit_analyse(u, k, &o, &a, ur->diag)) {
		fprintf(stderr, "remtrail analyze: out of memory while analysing host '%s'\n",
			u->units[k].dir);
		goto out;
	}
	rep.a = a;
	rep.run = &rr;
	rr.finished = cli_run_time();
	/* the files are independent views of one report: rendered side by
	 * side, each written as soon as it is made */
	if (rt_hostdir_write(args->outdir, a, files, cli_nunit_files, cli_unit_make, &mk, threads,
			     ur->made, err, sizeof err)) {
		fprintf(stderr, "remtrail analyze: host '%s': %s\n", u->units[k].dir, err);
		goto out;
	}
	cli_units_progress_end(slot, u->units[k].size, 0, a->hosts[0].findings.n);
	rc = 0;
out:
	for (i = 0; i < cli_nunit_files; i++)
		rt_buf_release(&bufs[i]);
	rt_analysis_free(&a);
	return rc;
}

/* One unit of the run (rt_unit_fn): kept when its folder is current, else
 * analysed and written. */
static int one_unit(void *ctx, const rt_units *u, size_t k, unsigned threads)
{
	unit_run *ur = ctx;
	cli_unit_slot slot;
	char why[512];
	int cur;

	cli_units_progress_begin(ur->pr, &slot, u->units[k].host->name);
	cur = ur->args->force ? 0
			      : rt_hostdir_current(ur->args->outdir, &u->units[k], ur->made, why, sizeof why);
	if (cur < 0) {
		fprintf(stderr, "remtrail analyze: out of memory while checking host '%s'\n",
			u->units[k].dir);
		return -1;
	}
	if (cur) {
		ur->fresh[k] = 1;
		cli_units_progress_end(&slot, u->units[k].size, 1, 0);
		return 0;
	}
	/* the case view is out of date from now on: no stale one stays */
	pthread_mutex_lock(&ur->lock);
	if (!ur->removed_case++)
		cli_remove_case(ur->args->outdir);
	pthread_mutex_unlock(&ur->lock);
	if (do_unit(ur, u, k, threads, &slot))
		return -1;
	ur->fresh[k] = 1; /* each unit its own byte */
	return 0;
}

static int run(int argc, char **argv)
{
	analysis_args args;
	rt_units *u = NULL;
	rt_analysis *a = NULL;
	rt_diag diag;
	rt_report rep;
	rt_report_opts ro;
	rt_report_run rr;
	rt_hostdir_made made;
	rt_buf manifest = RT_BUF_INIT, opts = RT_BUF_INIT, outabs = RT_BUF_INIT;
	rt_buf mgmt_hosts = RT_BUF_INIT;
	cli_units_progress pr;
	unit_run ur;
	const char **full = NULL, **froms = NULL;
	rt_analysis **parsed = NULL;
	unsigned char *sel = NULL;
	size_t h, nsel = 0, damaged = 0;
	uint64_t bytes = 0;
	int whole, failed, r = analysis_parse(&cli_cmd_analyze, argc, argv, 1, &args);

	if (r) {
		free(args.paths);
		free(args.hosts);
		return r < 0 ? RT_EXIT_OK : r;
	}
	cli_diag_init(&diag);
	/* a folder we cannot write to is said before a long walk */
	if (!args.manifest && (r = prepare_output(&args, args.paths, args.npaths)) != 0)
		goto out;
	r = RT_EXIT_FAIL;
	if (!(u = get_units(&args, &diag)))
		goto out;
	if (!u->n) {
		fprintf(stderr, "remtrail analyze: no EVTX logs or registry hives found in the given paths\n");
		goto out;
	}
	/* images and archives are hashed while the hosts are analysed */
	rt_units_hash_start(u);
	/* relative paths in a manifest are relative to its base, wherever we run */
	if (args.manifest && cli_enter_base("analyze", u, args.outdir, &outabs))
		goto out;
	if (outabs.len)
		args.outdir = outabs.buf;
	/* sel: the units to do; after it, the units written or checked */
	if (!(sel = calloc(2 * (u->n + 1), 1)) || rt_units_manifest(u, &manifest))
		goto out;
	if (select_units(&args, u, sel)) {
		r = RT_EXIT_USAGE;
		goto out;
	}
	if (args.manifest) {
		size_t n = 0;
		const char **ev = cli_unit_paths(u, &n);

		r = ev ? prepare_output(&args, ev, n) : RT_EXIT_FAIL;
		free(ev);
		if (r)
			goto out;
	}
	if ((r = keep_manifest(&args, &manifest)) != 0)
		goto out;
	r = RT_EXIT_FAIL;
	cli_tz_apply(args.tz);
	memset(&ro, 0, sizeof ro);
	ro.mgmt = args.mgmt;
	ro.from = args.from;
	ro.to = args.to;
	ro.reader = args.reader_name;
	ro.tz = args.tz;
	ro.csv_raw = args.csv_raw;
	if (cli_options_json(&opts, &ro))
		goto out;
	/* the case's management hosts shape every host's CM0013 verdict: a
	 * host folder made against another list is not current */
	if (rt_units_mgmt_hosts(u, &mgmt_hosts) || rt_buf_addch(&mgmt_hosts, '\0'))
		goto out;
	if (opts.len && opts.buf[opts.len - 1] == '}') {
		rt_buf_truncate(&opts, opts.len - 1);
		if (rt_buf_addf(&opts, "%s\"case_mgmt_hosts\":", opts.len > 1 ? "," : "") ||
		    rt_json_cstr(&opts, mgmt_hosts.buf) || rt_buf_addch(&opts, '}'))
			goto out;
	}
	made.version = PACKAGE_VERSION;
	made.options = opts.buf;
	if (!(full = cli_run_record(&rr, argc, argv)))
		goto out;
	rr.jobs = args.jobs ? args.jobs : cli_default_jobs();
	memset(&rep, 0, sizeof rep);
	rep.opts = &ro;
	rep.run = &rr;
	for (h = 0; h < u->n; h++)
		if (sel[h]) {
			nsel++;
			bytes += u->units[h].size;
		}
	whole = nsel == u->n;
	cli_units_progress_init(&pr, "analyze", nsel, bytes);
	memset(&ur, 0, sizeof ur);
	ur.args = &args;
	ur.mgmt_hosts = mgmt_hosts.buf;
	ur.rep = &rep;
	ur.made = &made;
	ur.pr = &pr;
	ur.diag = &diag;
	ur.fresh = sel + u->n + 1;
	/* With no more hosts than threads, the case step would read the host
	 * folders back alone after they are made: their report.json is parsed
	 * while their other files are still being made instead. (With more
	 * hosts, the case step reads them side by side, and holding every
	 * host's result until then would cost memory.) */
	if (whole && nsel <= (size_t)rr.jobs && !(parsed = calloc(u->n + 1, sizeof *parsed)))
		goto out;
	ur.parsed = parsed;
	pthread_mutex_init(&ur.lock, NULL);
	failed = rt_units_each(u, sel, (unsigned)rr.jobs, one_unit, &ur);
	pthread_mutex_destroy(&ur.lock);
	cli_units_progress_finish(&pr);
	if (failed)
		goto out;
	if (!whole) {
		fprintf(stderr, "remtrail analyze: %zu of %zu hosts done in %s/hosts (%zu unchanged); "
				"when all are, 'remtrail merge %s' writes the case\n",
			nsel, u->n, args.outdir, pr.unchanged, args.outdir);
		r = cli_exit_status(&diag);
		goto out;
	}
	/* the case, from the host folders as written: as merge makes it */
	if (!(froms = calloc(u->n + 1, sizeof *froms)))
		goto out;
	for (h = 0; h < u->n; h++)
		froms[h] = args.outdir;
	if (rt_units_hash_finish(u, &diag) ||
	    cli_case_from_folders("analyze", u, froms, ur.fresh, ur.parsed, (unsigned)rr.jobs,
				  &a))
		goto out;
	rr.finished = cli_run_time();
	rep.a = a;
	if (cli_write_case("analyze", args.outdir, &rep))
		goto out;
	for (h = 0; h < a->ninputs; h++)
		damaged += a->inputs[h].state == RT_INPUT_PARTLY || a->inputs[h].state == RT_INPUT_UNREADABLE;
	fprintf(stderr, "remtrail analyze: %zu hosts (%zu unchanged since the last run), %zu inputs, "
			"%zu findings: wrote the case (report.txt, report.html, report.json, timeline.csv, "
			"timeline.jsonl) and one folder per host under hosts/ to %s\n",
		a->nhosts, pr.unchanged, a->ninputs, a->findings.n, args.outdir);
	r = damaged ? RT_EXIT_PARTIAL : cli_exit_status(&diag);
out:
	rt_analysis_free(&a);
	for (h = 0; parsed && h < u->n; h++)
		rt_analysis_free(&parsed[h]);
	free(parsed);
	rt_units_free(&u);
	rt_diag_release(&diag);
	rt_buf_release(&manifest);
	rt_buf_release(&opts);
	rt_buf_release(&mgmt_hosts);
	rt_buf_release(&outabs);
	free(froms);
	free(sel);
	free(full);
	free(args.paths);
	free(args.hosts);
	return r;
}

const cli_command cli_cmd_analyze = {
	"analyze", run, "everything into a folder: the case and one report per host",
	"usage: remtrail analyze PATH... -o DIR [--force] [--mgmt SCOPE] [--from T]\n"
	"                        [--to T] [--tz local|ZONE] [--csv-raw] [--reader R]\n"
	"                        [-j N] [--host NAME]...\n"
	"       remtrail analyze --manifest FILE [--shard I/N | --host NAME...] -o DIR\n"
	"                        [options as above]\n"
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
	"                       alone (names made safe as folder names), and unit.json,\n"
	"                       written last: the folder is complete, made from these\n"
	"                       inputs (SHA-256) with these options\n"
	"  manifest.jsonl       the hosts of the case (as 'remtrail hosts' lists them)\n"
	"\n"
	"Run again into the same DIR, analyze keeps every host whose inputs (paths,\n"
	"sizes, SHA-256) and options are unchanged and whose folder is complete, and\n"
	"redoes the others: an interrupted run is resumed, and evidence added under\n"
	"the same PATHs is analysed (a host no longer found has its folder removed).\n"
	"Big cases can be split:\n"
	"'remtrail hosts' writes the manifest, each process (or machine, or Slurm\n"
	"array task) analyzes a shard of it, 'remtrail merge' joins them - the same\n"
	"files as one run (docs/scale.md).\n"
	"\n"
	"Each file ends with (or holds apart) a run record - command line, start, end -\n"
	"the only part that differs between two runs; with SOURCE_DATE_EPOCH set its\n"
	"times are that. Evidence is opened read-only. Times are UTC.\n"
	"\n"
	"options:\n"
	"  -o, --output DIR     folder to write (created if missing; must be empty and\n"
	"                       outside the evidence)\n"
	"  --force              write into a non-empty folder, and redo every host\n"
	"                       (our files are replaced; host folders of an earlier\n"
	"                       run that are not in this case are not removed)\n"
	"  --host NAME          only this host (repeat for more; a name or a folder\n"
	"                       name as 'remtrail hosts' lists them); the case files\n"
	"                       are written by 'remtrail merge DIR' once all are done\n"
	"  --manifest FILE      the hosts from 'remtrail hosts' (- for stdin), instead\n"
	"                       of walking PATH again; its relative paths are taken\n"
	"                       from the folder it was made in\n"
	"  --shard I/N          only shard I of N of the manifest's hosts (dealt\n"
	"                       largest first, so shards are even in size)\n"
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
	CLI_HELP_JOBS_HOSTS
	CLI_HELP_HELP
	"\n"
	"Progress goes to stderr when it is a terminal.\n"
	"\n"
	"examples:\n"
	"  remtrail analyze testdata/sample -o /tmp/sample-report\n"
	"  remtrail analyze /cases/42/kape/WS01 /cases/42/kape/WS02 -o /cases/42/remtrail\n"
	"  remtrail analyze /mnt/ws01 -o out --force --mgmt 10.0.5.0/24 --tz UTC\n"
	"  remtrail analyze /cases/42/kape -o out --from 2024-03-01 --to 2024-03-15\n"
	"  remtrail hosts /cases/42/kape > case.manifest\n"
	"  remtrail analyze --manifest case.manifest --shard 1/4 -o /shared/out  # x 4\n"
	"  remtrail merge /shared/out\n"
	"\n"
	CLI_HELP_EXIT
	"Also 2 when DIR is not empty or lies inside the evidence. Verdicts never\n"
	"change the exit status.\n",
};
