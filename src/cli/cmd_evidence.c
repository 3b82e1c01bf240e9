/* remtrail evidence: what would be read, and where it comes from. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "remtrail/evidence.h"
#include "remtrail/pipeline.h"

static int run(int argc, char **argv)
{
	const char **paths;
	size_t npaths = 0;
	int i, json = 0, rc = RT_EXIT_FAIL;
	rt_diag diag;
	rt_evidence *ev = NULL;
	rt_evidence_opts o;
	rt_buf out = RT_BUF_INIT;

	paths = calloc((size_t)argc, sizeof(*paths));
	if (!paths)
		return RT_EXIT_FAIL;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			cli_print_help(&cli_cmd_evidence);
			free(paths);
			return RT_EXIT_OK;
		} else if (cli_opt_value(argc, argv, &i, "--format", &v)) {
			if (!v || (strcmp(v, "json") && strcmp(v, "text"))) {
				free(paths);
				return cli_usage_error("evidence", "--format takes json or text");
			}
			json = !strcmp(v, "json");
		} else if (!strcmp(a, "--")) {
			for (i++; i < argc; i++)
				paths[npaths++] = argv[i];
		} else if (a[0] == '-' && a[1]) {
			free(paths);
			return cli_usage_error("evidence", "unknown option '%s'", a);
		} else {
			paths[npaths++] = a;
		}
	}
	if (!npaths) {
		free(paths);
		return cli_usage_error("evidence", "no PATH given");
	}
	cli_diag_init(&diag);
	rt_pipeline_evidence_opts(&o, 0);
	if (rt_evidence_collect(paths, npaths, &o, &ev, &diag) != 0 || !ev ||
	    (json ? rt_evidence_write_json(ev, &out) : rt_evidence_write_text(ev, &out)) != 0) {
		fprintf(stderr, "remtrail evidence: out of memory\n");
		goto out;
	}
	if (fwrite(out.buf, 1, out.len, stdout) != out.len || fflush(stdout) != 0) {
		fprintf(stderr, "remtrail evidence: cannot write output\n");
		goto out;
	}
	rc = cli_exit_status(&diag);
out:
	rt_buf_release(&out);
	rt_evidence_free(&ev);
	rt_diag_release(&diag);
	free(paths);
	return rc;
}

const cli_command cli_cmd_evidence = {
	"evidence", run, "what would be read: images, volumes, shadow copies, artifacts per host",
	"usage: remtrail evidence PATH... [--format text|json]\n"
	"\n"
	"Walks PATH as every other command does and lists what it found, without\n"
	"analysing anything: the disk images and archives (with their segment\n"
	"files, partitions, NTFS volumes and volume shadow copies), then each host\n"
	"with its EVTX logs and registry hives (which hive each is, and why), and\n"
	"where each came from: the image, partition, shadow copy, path and MFT\n"
	"entry inside the volume, or the archive entry.\n"
	"\n"
	"Inputs read: EVTX files, registry hives and their transaction logs, as\n"
	"loose files or in folders (a mounted volume, KAPE or Velociraptor output),\n"
	"and disk images found by content anywhere: E01 (and split segments; Ex01\n"
	"only where libewf reads EWF2, which Debian 12's does not), raw and split\n"
	"raw (.001), VHD, VHDX, VMDK, QCOW2, with MBR or GPT partitions or a bare\n"
	"NTFS volume; inside NTFS, the folders where Windows keeps logs and hives,\n"
	"and every shadow copy. BitLocker volumes are read with --recovery-password\n"
	"(before or after the command name). Archives are read as the folders they\n"
	"hold: ZIP (KAPE, Velociraptor), 7z, tar, .gz, .xz, .bz2, and an image or\n"
	"archive inside one.\n"
	"\n"
	"Options:\n"
	"  --format text   for an analyst (default)\n"
	"  --format json   {\"schema\":\"remtrail/1\",\"containers\":[...],\"hosts\":[...]}\n"
	"  -h, --help      this help\n"
	"\n"
	"Examples:\n"
	"  remtrail evidence case/WS01.E01\n"
	"  remtrail evidence --format json /cases/acme > found.json\n"
	"\n"
	"Exit status: 0 all evidence read; 3 something could not be opened (named on\n"
	"stderr); 2 usage error; 1 nothing could be done.\n",
};
