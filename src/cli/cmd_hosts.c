/* remtrail hosts: the host units a case holds, as a manifest for shards,
 * GNU parallel and Slurm (docs/scale.md). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "remtrail/units.h"
#include "units_cli.h"

static int manifest(rt_buf *out, const rt_units *u)
{
	return rt_units_manifest(u, out);
}

/* --format NAME and how it renders the units. */
static const struct {
	const char *name;
	int (*render)(rt_buf *out, const rt_units *u);
} formats[] = {
	{ "jsonl", manifest },
	{ "text", cli_units_table },
	{ "names", cli_units_names },
};
#define NFORMATS (sizeof formats / sizeof *formats)

static int run(int argc, char **argv)
{
	const char **paths = calloc((size_t)argc + 1, sizeof *paths);
	size_t npaths = 0, k, format = 0;
	rt_units *u = NULL;
	rt_diag diag;
	rt_buf out = RT_BUF_INIT;
	uint64_t bytes = 0;
	int i, j, jobs = 0, only_paths = 0, r = RT_EXIT_FAIL;

	if (!paths)
		return RT_EXIT_FAIL;
	for (i = 1; i < argc; i++) {
		const char *s = argv[i], *v;

		if (only_paths || s[0] != '-' || !s[1]) {
			paths[npaths++] = s;
		} else if (!strcmp(s, "--")) {
			only_paths = 1;
		} else if (!strcmp(s, "-h") || !strcmp(s, "--help")) {
			cli_print_help(&cli_cmd_hosts);
			free(paths);
			return RT_EXIT_OK;
		} else if ((j = cli_opt_jobs("hosts", argc, argv, &i, &jobs)) != 0) {
			if (j < 0) {
				free(paths);
				return RT_EXIT_USAGE;
			}
		} else if (cli_opt_value(argc, argv, &i, "--format", &v)) {
			for (format = 0; v && format < NFORMATS && strcmp(v, formats[format].name);)
				format++;
			if (format == NFORMATS || !v) {
				free(paths);
				return cli_usage_error("hosts", "--format needs jsonl, text or names");
			}
		} else {
			free(paths);
			return cli_usage_error("hosts", "unknown option '%s'", s);
		}
	}
	if (!npaths) {
		free(paths);
		return cli_usage_error("hosts", "no evidence given (files or folders)");
	}
	cli_diag_init(&diag);
	if (rt_units_collect(paths, npaths, &u, &diag)) {
		fprintf(stderr, "remtrail hosts: out of memory\n");
		goto out;
	}
	if (!u->n) {
		fprintf(stderr, "remtrail hosts: no EVTX logs or registry hives found in the given paths\n");
		goto out;
	}
	if (formats[format].render(&out, u)) {
		fprintf(stderr, "remtrail hosts: out of memory\n");
		goto out;
	}
	if (cli_write("hosts", out.buf, out.len))
		goto out;
	for (k = 0; k < u->n; k++)
		bytes += u->units[k].size;
	fprintf(stderr, "remtrail hosts: %zu host%s, %.1f MiB", u->n, u->n == 1 ? "" : "s",
		(double)bytes / (1024.0 * 1024.0));
	if (u->nskipped)
		fprintf(stderr, "; %zu file%s found and not analysed", u->nskipped,
			u->nskipped == 1 ? "" : "s");
	fputc('\n', stderr);
	r = cli_exit_status(&diag);
out:
	rt_buf_release(&out);
	rt_units_free(&u);
	rt_diag_release(&diag);
	free(paths);
	return r;
}

const cli_command cli_cmd_hosts = {
	"hosts", run, "list the host units of a case (a manifest for shards and schedulers)",
	"usage: remtrail hosts PATH... [--format jsonl|text|names] [-j N]\n"
	"\n"
	"Walks the evidence under PATH once, as analyze does, and lists the hosts it\n"
	"would analyze: one unit per host, with its results folder, its files and\n"
	"their total size. The list is a manifest: `remtrail analyze --manifest FILE`\n"
	"analyzes all of it, one shard of it (--shard I/N) or some hosts (--host),\n"
	"without walking the evidence again, on this machine or on others (GNU\n"
	"parallel, Slurm: see docs/scale.md). Files found and not analyzed (a disk\n"
	"image inside a folder, a log without its hive) are listed too.\n"
	"\n"
	"Hosts inside disk images and archives (a ZIP or VHDX per host) are units\n"
	"like the others: the manifest names each image or archive with its files'\n"
	"sizes (\"containers\") and each artifact with where it lies in it\n"
	"(\"origin\": partition, shadow copy, path in the volume, archive entry);\n"
	"analyze re-opens them there. An image or archive gone or changed in size\n"
	"since is named on stderr (exit 3) and the other hosts are analyzed.\n"
	"\n"
	"options:\n"
	"  --format jsonl  the manifest (default): JSON Lines, one unit per line,\n"
	"                  {\"unit\":N,\"host\":...,\"dir\":...,\"size\":BYTES,\"files\":N,\n"
	"                  \"artifacts\":[...],...}, then {\"skipped\":PATH,...} lines;\n"
	"                  paths as given (relative ones are relative to \"base\")\n"
	"  --format text   a table for reading: unit, host, folder, files, size\n"
	"  --format names  the hosts' folder names, one a line, in manifest order:\n"
	"                  what --host takes, made safe for shells and file names\n"
	"                  (one job per host with GNU parallel)\n"
	"  -j, --jobs N    hosts read side by side (a SYSTEM hive is read for the\n"
	"                  host's name and its management hosts); default: one per\n"
	"                  processor. The list is the same for any N.\n"
	"\n"
	"A summary (hosts, size) goes to stderr.\n"
	"\n"
	"examples:\n"
	"  remtrail hosts /cases/42/collections > case.manifest\n"
	"  grep -c '^{\"unit\"' case.manifest          # the number of units\n"
	"  remtrail analyze --manifest case.manifest --shard 2/8 -o /cases/42/out\n"
	"  remtrail hosts /cases/42/collections --format text | less\n"
	"  remtrail hosts /cases/42/collections --format names |\n"
	"    parallel -j4 remtrail analyze --manifest case.manifest --host {} -o out\n"
	"\n"
	"exit status: 0 listed; 3 listed, but some path could not be read (named on\n"
	"stderr); 2 usage error; 1 nothing found.\n",
};
