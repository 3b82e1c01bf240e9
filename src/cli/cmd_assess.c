/* remtrail assess: countermeasure verdicts over time, as JSON or text. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "analysis_cli.h"

static int run(int argc, char **argv)
{
	analysis_args args;
	rt_analysis *a = NULL;
	rt_diag diag;
	rt_buf out = RT_BUF_INIT;
	int r = analysis_parse(&cli_cmd_assess, argc, argv, 0, &args);

	if (r) {
		free(args.paths);
		return r < 0 ? RT_EXIT_OK : r;
	}
	cli_diag_init(&diag);
	r = analysis_execute("assess", &args, 0, &a, &diag);
	if (r)
		goto out;
	if (!strcmp(args.format, "text") ? rt_assess_write_text(&out, a->hosts, a->nhosts)
					 : rt_assess_write_json(&out, a->hosts, a->nhosts)) {
		fprintf(stderr, "remtrail assess: out of memory\n");
		r = RT_EXIT_FAIL;
		goto out;
	}
	fwrite(out.buf, 1, out.len, stdout);
	r = fflush(stdout) ? RT_EXIT_FAIL : cli_exit_status(&diag);
out:
	rt_buf_release(&out);
	rt_analysis_free(&a);
	rt_diag_release(&diag);
	free(args.paths);
	return r;
}

const cli_command cli_cmd_assess = {
	"assess", run, "countermeasure verdicts over time (CM0013, CM0019, CM0012)",
	"usage: remtrail assess PATH... [--format json|text] [--mgmt SCOPE] [-j N]\n"
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
	"  --format json   {\"schema\":\"remtrail/1\",\"hosts\":[{\"host\",\"countermeasures\":\n"
	"                  [{\"id\",\"state\",\"intervals\",\"bypassed\",\"bypass\",\"evidence\"}]}]}\n"
	"                  (default); every evidence item names its file, key or record\n"
	"                  id, and time\n"
	"  --format text   a summary table (host x countermeasure -> state, bypassed,\n"
	"                  first/last activity), then each host in detail\n"
	"  --mgmt SCOPE    management addresses, IPv4 and IPv6 mixed: addresses,\n"
	"                  prefixes, a-b ranges, e.g. 10.0.5.0/24,10.0.0.10,fd00:5::/64\n"
	"                  (without it, use from inside a rule's scope is not bypass)\n"
	"  -j N            EVTX decoding threads (default: the number of cores); the\n"
	"                  results are the same whatever N\n"
	"\n"
	"examples:\n"
	"  remtrail assess testdata/sample --format text\n"
	"  remtrail assess /cases/42/kape | jq '.hosts[].countermeasures[] | {id, state, bypassed}'\n"
	"\n"
	"exit status: 0 all evidence read; 3 some input could not be read (named on\n"
	"stderr); 2 usage error; 1 nothing could be done. Verdicts never change it.\n",
};
