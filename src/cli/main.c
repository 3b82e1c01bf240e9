/* remtrail's entry point: a table of commands, each a thin layer over libremtrail. */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <libevtx.h>
#include <libregf.h>

#include "cli.h"
#include "remtrail/pipeline.h"
#include "remtrail/source.h"
#include "remtrail/util.h"

static const cli_command *const commands[] = {
	&cli_cmd_analyze, &cli_cmd_timeline, &cli_cmd_assess, &cli_cmd_config, &cli_cmd_events,
	&cli_cmd_hosts, &cli_cmd_merge, &cli_cmd_evidence,
};

static const char *cli_recovery_password;

/* --recovery-password is taken out of argv wherever it is, so that every
 * command accepts it without each parsing it; the environment variable
 * keeps it out of the process list. 0, or -1 when its value is missing. */
static int take_recovery_password(int *argc, char **argv)
{
	int i, j;

	cli_recovery_password = getenv("REMTRAIL_RECOVERY_PASSWORD");
	for (i = 1; i < *argc; i++) {
		const char *v = NULL;
		int used = 1;

		if (!strcmp(argv[i], "--"))
			break;
		if (!strncmp(argv[i], "--recovery-password=", 20)) {
			v = argv[i] + 20;
		} else if (!strcmp(argv[i], "--recovery-password")) {
			if (i + 1 >= *argc)
				return -1;
			v = argv[i + 1];
			used = 2;
		} else {
			continue;
		}
		cli_recovery_password = v;
		for (j = i; j + used <= *argc; j++)
			argv[j] = argv[j + used];
		*argc -= used;
		i--;
	}
	return 0;
}

/* REMTRAIL_ARCHIVE_MEMORY (MiB): the bound on archive entries held in
 * memory (docs/evidence.md, "Archives"). */
static void take_archive_bound(void)
{
	const char *mib = getenv("REMTRAIL_ARCHIVE_MEMORY");
	uint64_t v;

	if (mib && !rt_parse_u64(mib, &v) && v && v < ((uint64_t)1 << 44))
		rt_archive_set_memory_bound(v << 20);
}
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void main_help(FILE *out)
{
	size_t i;

	fprintf(out,
		"usage: remtrail COMMAND PATH... [options]\n"
		"       remtrail -h | --help | help COMMAND\n"
		"       remtrail -V | --version\n"
		"\n"
		"Reconstructs how WinRM, WMI and DCOM were configured and used on Windows\n"
		"hosts, from collected EVTX logs and registry hives, and judges whether the\n"
		"countermeasures CM0013 (block WMI), CM0019 (disable or restrict WinRM) and\n"
		"CM0012 (restrict DCOM) were in effect and whether they were bypassed.\n"
		"\n"
		"PATH is any mix of .evtx files, hive files, disk images, archives and\n"
		"folders (a mounted Windows volume, a KAPE or Velociraptor collection, a\n"
		"folder of many hosts). Images are found by content and read in place:\n"
		"E01 (Ex01 where libewf reads EWF2), raw and split raw, VHD, VHDX,\n"
		"VMDK, QCOW2; MBR and GPT partitions; NTFS volumes and their shadow\n"
		"copies; BitLocker with --recovery-password PW (any command). Archives\n"
		"are read as the folders they hold: ZIP (KAPE, Velociraptor), 7z, tar,\n"
		".gz, .xz, .bz2. Nothing is extracted, mounted or written; evidence is\n"
		"opened read-only. All times are UTC.\n"
		"\n"
		"commands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(out,
		"\n"
		"Run 'remtrail COMMAND -h' for a command's options and examples.\n"
		"\n"
		"example:\n"
		"  remtrail analyze /cases/42/kape -o /cases/42/remtrail\n"
		"\n"
		CLI_HELP_EXIT);
}

static int run(int argc, char **argv)
{
	size_t i;

	/* every artifact keeps its descriptor open (evidence.h): a case of many
	 * hosts needs more than the usual soft limit of 1024 */
	{
		struct rlimit rl;

		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
	}

	take_archive_bound();
	if (take_recovery_password(&argc, argv))
		return cli_usage_error("remtrail", "--recovery-password needs a value");
	rt_pipeline_set_recovery_password(cli_recovery_password);
	/* one thread a processor, unless the command's -j says otherwise */
	rt_pipeline_set_jobs((unsigned)cli_default_jobs());
	if (isatty(STDERR_FILENO))
		rt_pipeline_set_progress(cli_walk_progress);
	if (argc < 2) {
		main_help(stderr);
		return RT_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		if (argc > 2 && strcmp(argv[1], "help") == 0) {
			for (i = 0; i < NCOMMANDS; i++)
				if (!strcmp(argv[2], commands[i]->name)) {
					cli_print_help(commands[i]);
					return RT_EXIT_OK;
				}
			return cli_usage_error("help", "unknown command '%s'", argv[2]);
		}
		main_help(stdout);
		return RT_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("remtrail %s (libevtx %s, libregf %s)\n", PACKAGE_VERSION,
		       libevtx_get_version(), libregf_get_version());
		return RT_EXIT_OK;
	}
	for (i = 0; i < NCOMMANDS; i++)
		if (!strcmp(argv[1], commands[i]->name))
			return commands[i]->run(argc - 1, argv + 1);
	fprintf(stderr, "remtrail: unknown command '%s'\n\n", argv[1]);
	main_help(stderr);
	return RT_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	rt_heap_setup();
	cli_guard_std_fds();
	/* libyal globals are set once, before any thread starts */
	libevtx_notify_set_verbose(0);
	libregf_notify_set_verbose(0);
	return cli_finish_stdout(argc > 1 && argv[1][0] != '-' ? argv[1] : "", run(argc, argv));
}
