/* remtrail merge: the case view from host folders written by shards
 * (analyze --shard / --host, on this machine or others): see docs/scale.md. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "units_cli.h"

typedef struct merge_args {
	const char *out;
	const char **dirs; /* where host folders are read from (OUT itself when none given) */
	size_t ndirs;
	int force;
	int jobs; /* -j; 0: one per processor */
	const char **all; /* the positional arguments (to free) */
} merge_args;

static int parse(int argc, char **argv, merge_args *m)
{
	int i, j, only_paths = 0;
	const char **pos = calloc((size_t)argc + 1, sizeof *pos);
	size_t npos = 0;

	memset(m, 0, sizeof *m);
	if (!pos)
		return RT_EXIT_FAIL;
	for (i = 1; i < argc; i++) {
		const char *s = argv[i];

		if (only_paths || s[0] != '-' || !s[1]) {
			pos[npos++] = s;
		} else if (!strcmp(s, "--")) {
			only_paths = 1;
		} else if (!strcmp(s, "-h") || !strcmp(s, "--help")) {
			cli_print_help(&cli_cmd_merge);
			free(pos);
			return -1;
		} else if (!strcmp(s, "--force")) {
			m->force = 1;
		} else if ((j = cli_opt_jobs("merge", argc, argv, &i, &m->jobs)) != 0) {
			if (j < 0) {
				free(pos);
				return RT_EXIT_USAGE;
			}
		} else {
			free(pos);
			return cli_usage_error("merge", "unknown option '%s'", s);
		}
	}
	if (!npos || !*pos[0]) {
		free(pos);
		return cli_usage_error("merge", "no output folder given (remtrail merge OUT [DIR...])");
	}
	m->all = pos;
	m->out = pos[0];
	m->dirs = pos;
	if (npos == 1) {
		m->ndirs = 1;
	} else {
		m->dirs = pos + 1;
		m->ndirs = npos - 1;
	}
	return 0;
}

static int same_folder(const char *a, const char *b)
{
	struct stat x, y;

	return !stat(a, &x) && !stat(b, &y) && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

/* Every folder's manifest.jsonl: the same case. */
static int read_manifests(const merge_args *m, rt_buf *text)
{
	rt_buf other = RT_BUF_INIT, p = RT_BUF_INIT;
	size_t i;
	int rc = -1;

	for (i = 0; i < m->ndirs; i++) {
		rt_buf_reset(&p);
		rt_buf_reset(&other);
		if (rt_buf_addf(&p, "%s/" CLI_MANIFEST, m->dirs[i]))
			goto out;
		if (cli_read_file(p.buf, i ? &other : text)) {
			fprintf(stderr, "remtrail merge: cannot read '%s': %s (merge reads folders "
					"'remtrail analyze' wrote)\n", p.buf, strerror(errno));
			goto out;
		}
		if (i && (other.len != text->len || memcmp(other.buf, text->buf, text->len))) {
			fprintf(stderr, "remtrail merge: '%s' and '%s' hold results of different cases "
					"(their %s differ): merge the shards of one manifest\n",
				m->dirs[0], m->dirs[i], CLI_MANIFEST);
			goto out;
		}
	}
	rc = 0;
out:
	rt_buf_release(&other);
	rt_buf_release(&p);
	return rc;
}

/* Where each unit's complete result is: the first folder that has one.
 * All made by one remtrail version with one set of options. */
static int find_results(const merge_args *m, const rt_units *u, const char **froms,
			char **options)
{
	char *version = NULL, *ver, *opt, err[512];
	size_t k, i, missing = 0;
	int rc = -1;

	*options = NULL;
	for (k = 0; k < u->n; k++) {
		froms[k] = NULL;
		for (i = 0; i < m->ndirs && !froms[k]; i++) {
			if (rt_hostdir_info(m->dirs[i], u->units[k].dir, &ver, &opt, err, sizeof err))
				continue;
			froms[k] = m->dirs[i];
			if (!version) {
				version = ver;
				*options = opt;
				continue;
			}
			if (strcmp(ver, version) || strcmp(opt, *options)) {
				fprintf(stderr, "remtrail merge: host '%s' in '%s' was analysed %s than "
						"the others (%s): analyse it again as they were\n",
					u->units[k].dir, m->dirs[i],
					strcmp(ver, version) ? "by another remtrail version"
							     : "with other options",
					strcmp(ver, version) ? ver : opt);
				free(ver);
				free(opt);
				goto out;
			}
			free(ver);
			free(opt);
		}
		if (!froms[k] && missing++ < 10)
			fprintf(stderr, "remtrail merge: host '%s' (unit %zu) has no complete result in %s%s\n",
				u->units[k].dir, k + 1, m->ndirs > 1 ? "any of the folders given" : m->dirs[0],
				m->ndirs > 1 ? "" : "/hosts");
	}
	if (missing) {
		fprintf(stderr, "remtrail merge: %zu of %zu hosts have no complete result: analyse them "
				"first (e.g. remtrail analyze --manifest %s/%s --host NAME -o %s), then merge\n",
			missing, u->n, m->dirs[0], CLI_MANIFEST, m->out);
		goto out;
	}
	rc = 0;
out:
	free(version);
	if (rc) {
		free(*options);
		*options = NULL;
	}
	return rc;
}

static int run(int argc, char **argv)
{
	merge_args m;
	rt_diag diag;
	rt_units *u = NULL;
	rt_analysis *a = NULL;
	rt_buf manifest = RT_BUF_INIT, outman = RT_BUF_INIT, p = RT_BUF_INIT;
	rt_report rep;
	rt_report_opts ro;
	rt_report_run rr;
	const char **froms = NULL, **full = NULL, **ev = NULL;
	char *options = NULL, *keep[3] = { NULL, NULL, NULL }, err[1024];
	size_t k, nev = 0, damaged = 0, copied = 0;
	int r = parse(argc, argv, &m), in_place;

	if (r)
		return r < 0 ? RT_EXIT_OK : r;
	if (!m.jobs)
		m.jobs = cli_default_jobs();
	cli_diag_init(&diag);
	r = RT_EXIT_FAIL;
	if (read_manifests(&m, &manifest))
		goto out;
	if (rt_units_parse(manifest.buf ? manifest.buf : "", manifest.len, &u, err, sizeof err)) {
		fprintf(stderr, "remtrail merge: '%s/%s' is not a manifest remtrail wrote: %s\n",
			m.dirs[0], CLI_MANIFEST, err);
		goto out;
	}
	if (!(froms = calloc(u->n + 1, sizeof *froms)) || find_results(&m, u, froms, &options))
		goto out;
	if (cli_options_parse(options, &ro, keep, 3)) {
		fprintf(stderr, "remtrail merge: the hosts' options cannot be read: %s\n", options);
		goto out;
	}
	/* OUT: made, or one of the folders, or an earlier merge of this case */
	rt_buf_addf(&p, "%s/" CLI_MANIFEST, m.out);
	in_place = !cli_read_file(p.buf, &outman) &&
		   (outman.len == manifest.len && !memcmp(outman.buf, manifest.buf, manifest.len));
	if (!(ev = cli_unit_paths(u, &nev)))
		goto out;
	if (rt_outdir_prepare(m.out, m.force || in_place, ev, nev, err, sizeof err)) {
		fprintf(stderr, "remtrail merge: output folder '%s' %s\n", m.out, err);
		r = strstr(err, "not empty") || strstr(err, "evidence") ? RT_EXIT_USAGE : RT_EXIT_FAIL;
		goto out;
	}
	if (!in_place && rt_outdir_write(m.out, CLI_MANIFEST, manifest.buf, manifest.len)) {
		fprintf(stderr, "remtrail merge: cannot write '%s': %s\n", p.buf, strerror(errno));
		goto out;
	}
	cli_remove_case(m.out);
	/* the host folders into OUT, where they are not yet */
	for (k = 0; k < u->n; k++) {
		if (same_folder(froms[k], m.out))
			continue;
		if (rt_hostdir_copy(froms[k], m.out, u->units[k].dir, err, sizeof err)) {
			fprintf(stderr, "remtrail merge: host '%s': %s\n", u->units[k].dir, err);
			goto out;
		}
		froms[k] = m.out;
		copied++;
	}
	for (k = 0; k < u->n; k++)
		froms[k] = m.out;
	cli_tz_apply(ro.tz);
	if (rt_units_hash_finish(u, &diag) ||
	    cli_case_from_folders("merge", u, froms, NULL, NULL, (unsigned)m.jobs, &a))
		goto out;
	if (!(full = cli_run_record(&rr, argc, argv)))
		goto out;
	rr.jobs = m.jobs;
	rr.finished = cli_run_time();
	memset(&rep, 0, sizeof rep);
	rep.a = a;
	rep.opts = &ro;
	rep.run = &rr;
	if (cli_write_case("merge", m.out, &rep))
		goto out;
	for (k = 0; k < a->ninputs; k++)
		damaged += a->inputs[k].state == RT_INPUT_PARTLY || a->inputs[k].state == RT_INPUT_UNREADABLE;
	fprintf(stderr, "remtrail merge: %zu hosts (%zu copied in), %zu inputs%s, %zu findings: wrote "
			"the case (report.txt, report.html, report.json, timeline.csv, timeline.jsonl) to %s\n",
		a->nhosts, copied, a->ninputs, damaged ? " (some could not be read whole)" : "",
		a->findings.n, m.out);
	r = damaged ? RT_EXIT_PARTIAL : cli_exit_status(&diag);
out:
	rt_diag_release(&diag);
	rt_analysis_free(&a);
	rt_units_free(&u);
	rt_buf_release(&manifest);
	rt_buf_release(&outman);
	rt_buf_release(&p);
	for (k = 0; k < 3; k++)
		free(keep[k]);
	free(options);
	free(froms);
	free(full);
	free(ev);
	free(m.all);
	return r;
}

const cli_command cli_cmd_merge = {
	"merge", run, "join host results (shards) into the case view",
	"usage: remtrail merge OUT [DIR...] [--force] [-j N]\n"
	"\n"
	"Joins the host folders that 'remtrail analyze --manifest FILE --shard I/N'\n"
	"(or --host NAME) wrote into the case: pairs outbound findings on one host\n"
	"with the inbound ones on another, draws the movement between hosts, and\n"
	"writes the case files (report.txt, report.json, report.html, timeline.csv,\n"
	"timeline.jsonl) into OUT, exactly as one 'remtrail analyze' of the whole\n"
	"case would (only the run record - command line, times - differs).\n"
	"\n"
	"With DIRs, the host folders are read from them (each shard's own -o\n"
	"folder) and copied into OUT/hosts/; without, OUT is both (every shard\n"
	"wrote into the same OUT, e.g. on a shared file system). Every host of\n"
	"the manifest must have a complete result (hosts/<host>/unit.json, every\n"
	"file as it lists it); all must come from one remtrail version and one set\n"
	"of options. A host missing is named, and nothing is written.\n"
	"\n"
	"options:\n"
	"  --force   write into a non-empty OUT that holds something else\n"
	"  -j N      read host folders and write the case files on N threads\n"
	"            (default: one per processor; the case is the same for any N)\n"
	"\n"
	"examples:\n"
	"  remtrail merge /cases/42/out                      # shards wrote there\n"
	"  remtrail merge /cases/42/case /scratch/s1 /scratch/s2\n"
	"\n"
	"exit status: 0 merged; 3 merged, but some input could not be read whole\n"
	"(see report.txt); 2 usage error; 1 nothing merged (a host missing, folders\n"
	"of different cases).\n",
};
