/* remtrail config: configuration history of WinRM/WMI/DCOM/firewall per host. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "remtrail/config.h"
#include "remtrail/evidence.h"
#include "remtrail/pipeline.h"

static const char *const formats[] = { "text", "json", NULL };

static int run(int argc, char **argv)
{
	const char **paths;
	size_t npaths = 0;
	int i, j, json = 0, rc = RT_EXIT_FAIL;
	const char *f;
	rt_diag diag;
	rt_evidence *ev = NULL;
	rt_config *cfg = NULL;
	rt_evtx_opts eo;
	rt_buf out = RT_BUF_INIT;

	paths = calloc((size_t)argc, sizeof(*paths));
	if (!paths)
		return RT_EXIT_FAIL;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			cli_print_help(&cli_cmd_config);
			free(paths);
			return RT_EXIT_OK;
		} else if ((j = cli_opt_format("config", argc, argv, &i, formats, &f)) != 0) {
			if (j < 0) {
				free(paths);
				return RT_EXIT_USAGE;
			}
			json = !strcmp(f, "json");
		} else if (!strcmp(a, "--")) {
			for (i++; i < argc; i++)
				paths[npaths++] = argv[i];
		} else if (a[0] == '-' && a[1]) {
			free(paths);
			return cli_usage_error("config", "unknown option '%s'", a);
		} else {
			paths[npaths++] = a;
		}
	}
	if (!npaths) {
		free(paths);
		return cli_usage_error("config", "no PATH given");
	}
	cli_diag_init(&diag);
	memset(&eo, 0, sizeof eo);
	eo.threads = cli_default_jobs();
	if (rt_pipeline_collect(paths, npaths, 0, &ev, &diag) != 0 ||
	    rt_pipeline_config(ev, &eo, &cfg, &diag) != 0) {
		fprintf(stderr, "remtrail config: out of memory\n");
		goto out;
	}
	if (!cfg->nhosts) {
		fprintf(stderr, "remtrail config: no readable SYSTEM, SOFTWARE or NTUSER hive, and no "
				"configuration change in the EVTX logs, in the given paths\n");
		goto out;
	}
	if ((json ? rt_config_write_json(cfg, &out) : rt_config_write_text(cfg, &out)) != 0) {
		fprintf(stderr, "remtrail config: out of memory\n");
		goto out;
	}
	if (cli_write("config", out.buf, out.len))
		goto out;
	rc = cli_finish_stdout("config", cli_exit_status(&diag));
out:
	rt_buf_release(&out);
	rt_config_free(&cfg);
	rt_evidence_free(&ev);
	rt_diag_release(&diag);
	free(paths);
	return rc;
}

const cli_command cli_cmd_config = {
	"config", run, "configuration of WinRM, WMI, DCOM and the firewall over time, per host",
	"usage: remtrail config PATH... [--format text|json]\n"
	"\n"
	"Reads the registry hives found under PATH (SYSTEM, SOFTWARE, NTUSER.DAT, with\n"
	"their .LOG1/.LOG2 transaction logs and RegBack copies, in folders, disk images\n"
	"and their shadow copies, archives) and the changes its EVTX logs record\n"
	"(firewall events, 7040, netsh and PowerShell firewall and WinRM commands,\n"
	"registry writes), and prints, per host,\n"	"every setting that decides whether WinRM, WMI and DCOM could be used remotely:\n"
	"service start types, firewall profiles and rules (local and Group Policy),\n"
	"WinRM listeners and policy, LocalAccountTokenFilterPolicy, PowerShell logging,\n"
	"DCOM switches and launch/access restrictions (as SDDL), host identity and time\n"
	"zone.\n"
	"\n"
	"Each setting is a history, oldest first: one point per snapshot (RegBack copy\n"
	"= \"backup\", the hive file = \"observed\", after replaying its transaction logs =\n"
	"\"replayed\"), plus \"bounded-by-lastwrite\" points (the key's last-written time:\n"
	"the value held at least from then), \"default\" points (value absent, Windows\n"
	"default assumed) and \"event\" points (the record that changed it; its source\n"
	"names the EVTX file, record_id and event_id). The exposure summary says, per\n"
	"firewall profile, whether inbound WinRM, WMI and DCOM were reachable, from\n"
	"which addresses, and which rules decide it. All times are UTC.\n"
	"\n"
	"options:\n"
	"  --format text|json   text (the default): a report for an analyst; json:\n"
	"                       {\"schema\":\"remtrail/1\",\"hosts\":[{\"host\",\"snapshots\",\n"
	"                       \"settings\":[{name,value,raw,time,certainty,source}],\n"
	"                       \"exposure\"}]}\n"
	CLI_HELP_HELP
	"\n"
	"examples:\n"
	"  remtrail config /cases/ws01/C/Windows/System32/config\n"
	"  remtrail config --format json kape_out/ > config.json\n"
	"  remtrail config SYSTEM SOFTWARE RegBack/SYSTEM\n"
	"\n"
	CLI_HELP_EXIT,
};
