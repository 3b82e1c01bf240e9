/* remtrail assess: countermeasure verdicts over time, as JSON or text. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "analysis_cli.h"
#include "remtrail/report.h"

static int run(int argc, char **argv)
{
	analysis_args args;
	rt_analysis *a = NULL;
	rt_diag diag;
	rt_buf out = RT_BUF_INIT;
	rt_assess_result **v = NULL;
	size_t h;
	int r = analysis_parse(&cli_cmd_assess, argc, argv, 0, &args);

	if (r) {
		free(args.paths);
		return r < 0 ? RT_EXIT_OK : r;
	}
	cli_diag_init(&diag);
	r = analysis_execute("assess", &args, 0, &a, &diag);
	if (r)
		goto out;
	if (!(v = calloc(a->nhosts + 1, sizeof *v))) {
		fprintf(stderr, "remtrail assess: out of memory\n");
		r = RT_EXIT_FAIL;
		goto out;
	}
	for (h = 0; h < a->nhosts; h++)
		v[h] = a->hosts[h].verdicts;
	if (!strcmp(args.format, "text") ? rt_assess_write_text(&out, v, a->nhosts)
					 : rt_assess_write_json(&out, v, a->nhosts)) {
		fprintf(stderr, "remtrail assess: out of memory\n");
		r = RT_EXIT_FAIL;
		goto out;
	}
	r = cli_write("assess", out.buf, out.len) ? RT_EXIT_FAIL
		: cli_finish_stdout("assess", cli_exit_status(&diag));
out:
	free(v);
	rt_buf_release(&out);
	rt_analysis_free(&a);
	rt_diag_release(&diag);
	free(args.paths);
	return r;
}

const cli_command cli_cmd_assess = {
	"assess", run, "countermeasure verdicts over time (CM0013, CM0019, CM0012)",
	"usage: remtrail assess PATH... [--format json|text] [--mgmt SCOPE] [--from T]\n"
	"                       [--to T] [--reader R] [-j N]\n"
	"\n"
	"For each host and countermeasure - CM0013 block remote WMI, CM0019 disable\n"
	"or restrict WinRM, CM0012 disable or restrict DCOM - tells when it was\n"
	"in_effect, restricted, not_in_effect or unknown, on which settings and\n"
	"events each interval rests, and whether it was bypassed and how. PATH is\n"
	"any mix of logs, hives, folders, disk images and archives ('remtrail\n"
	"--help' lists them).\n"
	"\n"
	"Bypass routes:\n"
	"\n"
	"  re-enabled then used              a change opened it, then it was used\n"
	"  allowed remote address outside    the allowed scope admits a non-management\n"
	"    intended scope                  host and it was used (needs --mgmt)\n"
	"  alternate port or listener        a non-default listener/port was open\n"
	"  policy and local settings in      local settings open what policy closes\n"
	"    conflict\n"
	"  service started on demand         WinRM was started while judged closed\n"
	"  contradiction between             closed by configuration, yet used, and no\n"
	"    configuration and activity      recorded change explains it: tampering\n"
	"\n"
	"Refused attempts (WinRM failures, DCOM denials, firewall drops) are listed as\n"
	"blocked attempts: evidence that the control worked, not bypass. An unknown\n"
	"state says which artifact would settle it. CM0019 also reports monitoring:\n"
	"WinRM/Operational and PowerShell/Operational present, module logging on, no\n"
	"log cleared.\n"
	"\n"
	"Rule and WinRM filter scopes are read for IPv4 and IPv6. LocalSubnet is the\n"
	"subnets of the host's interfaces (SYSTEM hive, address and mask); the basis\n"
	"cites them, or says when it could only guess (the /24 of the address) or\n"
	"cannot tell (IPv6: the hives keep no on-link prefix).\n"
	"\n"
	"options:\n"
	"  --format json|text   json (the default): {\"schema\":\"remtrail/1\",\"hosts\":\n"
	"                       [{\"host\",\"countermeasures\":[{\"id\",\"state\",\n"
	"                       \"intervals\",\"bypassed\",\"bypass\",\"evidence\"}]}]}, every\n"
	"                       evidence item with its file, key or record id, and time;\n"
	"                       text: a table (host x countermeasure), then each host\n"
	CLI_HELP_MGMT
	"                       (without it, use from inside a rule's scope is not\n"
	"                       bypass)\n"
	CLI_HELP_WINDOW
	"                       (the configuration history is always read whole)\n"
	CLI_HELP_READER
	CLI_HELP_JOBS_HOSTS
	CLI_HELP_HELP
	"\n"
	"examples:\n"
	"  remtrail assess testdata/sample --format text\n"
	"  remtrail assess /cases/42/kape |\n"
	"      jq '.hosts[].countermeasures[] | {id, state, bypassed}'\n"
	"\n"
	CLI_HELP_EXIT
	"Verdicts never change the exit status.\n",
};
