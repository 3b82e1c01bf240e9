/*
 * remtrail timeline: WinRM / WMI / DCOM findings of the evidence, correlated
 * across logons, processes and hosts, as one time-sorted timeline (JSON
 * lines or CSV). The work is rt_detect_evidence(); this file parses options,
 * filters and writes.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "remtrail/detect.h"
#include "remtrail/evidence.h"
#include "remtrail/evtx.h"
#include "remtrail/report.h"
#include "remtrail/util.h"

typedef struct tl_opts {
	int csv;
	uint64_t from, to; /* 0: open */
	unsigned kinds; /* bit per rt_finding_kind; 0 = all */
	const char *tz;
	rt_timeline_opts out;
	rt_evtx_opts evtx;
} tl_opts;

static int parse_kinds(const char *v, unsigned *out)
{
	char name[64];

	while (v && *v) {
		size_t n = strcspn(v, ",");
		rt_finding_kind k;

		if (n == 0 || n >= sizeof name)
			return cli_usage_error("timeline", "--kind: empty or overlong kind name");
		memcpy(name, v, n);
		name[n] = '\0';
		if (rt_finding_kind_parse(name, &k))
			return cli_usage_error("timeline",
					       "--kind: unknown kind '%s' (see remtrail timeline --help)",
					       name);
		*out |= 1u << k;
		v += n;
		if (*v == ',')
			v++;
	}
	return *out ? 0 : cli_usage_error("timeline", "--kind needs a kind name");
}

static int keep(const tl_opts *o, const rt_finding *f)
{
	if (o->from && f->timestamp < o->from)
		return 0;
	if (o->to && f->timestamp > o->to)
		return 0;
	return !o->kinds || (o->kinds & (1u << f->kind));
}

static int write_out(rt_buf *b)
{
	if (cli_write("timeline", b->buf, b->len))
		return -1;
	rt_buf_reset(b);
	return 0;
}

static const char *const formats[] = { "jsonl", "csv", NULL };

static int run(int argc, char **argv)
{
	const char **paths;
	size_t npaths = 0, nevtx = 0, k, shown = 0;
	tl_opts o;
	rt_evidence *ev = NULL;
	rt_findings f = RT_FINDINGS_INIT;
	rt_buf b = RT_BUF_INIT;
	rt_diag d;
	int i, j, opts_done = 0, status, r, werr = 0, reader = 0;
	const char *rname = NULL;

	memset(&o, 0, sizeof o);
	paths = calloc((size_t)argc, sizeof *paths);
	if (!paths) {
		fprintf(stderr, "remtrail timeline: out of memory\n");
		return RT_EXIT_FAIL;
	}
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		int u = 0;

		if (opts_done || a[0] != '-' || a[1] == '\0') {
			paths[npaths++] = a;
		} else if (!strcmp(a, "--")) {
			opts_done = 1;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			free(paths);
			cli_print_help(&cli_cmd_timeline);
			return RT_EXIT_OK;
		} else if ((j = cli_opt_format("timeline", argc, argv, &i, formats, &v)) != 0) {
			if (j < 0)
				u = RT_EXIT_USAGE;
			else
				o.csv = !strcmp(v, "csv");
		} else if ((j = cli_opt_window("timeline", argc, argv, &i, &o.from, &o.to)) != 0 ||
			   (j = cli_opt_tz("timeline", argc, argv, &i, &o.tz)) != 0 ||
			   (j = cli_opt_reader("timeline", argc, argv, &i, &reader, &rname)) != 0) {
			if (j < 0)
				u = RT_EXIT_USAGE;
			o.evtx.reader = (rt_reader)reader;
		} else if (!strcmp(a, "--csv-raw")) {
			o.out.csv_raw = 1;
		} else if (cli_opt_value(argc, argv, &i, "--kind", &v)) {
			u = v ? parse_kinds(v, &o.kinds) : cli_usage_error("timeline", "--kind needs a kind name");
		} else if ((j = cli_opt_jobs("timeline", argc, argv, &i, &o.evtx.threads)) != 0) {
			if (j < 0)
				u = RT_EXIT_USAGE;
		} else {
			u = cli_usage_error("timeline", "unknown option '%s'", a);
		}
		if (u) {
			free(paths);
			return u;
		}
	}
	if (npaths == 0) {
		free(paths);
		return cli_usage_error("timeline", "no PATH given");
	}
	o.out.local = o.tz != NULL;
	cli_tz_apply(o.tz);
	if (o.evtx.threads == 0)
		o.evtx.threads = cli_default_jobs();
	if (isatty(STDERR_FILENO))
		o.evtx.progress = cli_progress_evtx;

	cli_diag_init(&d);
	ev = cli_collect_evtx("timeline", paths, npaths, &d, &nevtx);
	free(paths);
	if (!ev) {
		rt_diag_release(&d);
		return RT_EXIT_FAIL;
	}
	r = rt_detect_evidence(ev, &o.evtx, &f, &d);
	rt_evidence_free(&ev);
	if (r < 0) {
		fprintf(stderr, "remtrail timeline: out of memory\n");
		rt_findings_release(&f);
		rt_diag_release(&d);
		return RT_EXIT_FAIL;
	}

	if (o.csv && rt_timeline_csv_header(&b, &o.out) == 0)
		werr |= write_out(&b);
	for (k = 0; k < f.n && !werr; k++) {
		if (!keep(&o, &f.items[k]))
			continue;
		shown++;
		if (o.csv ? rt_timeline_csv(&b, &f, k, &o.out)
			  : (rt_timeline_json(&b, &f, k, &o.out) || rt_buf_addch(&b, '\n'))) {
			fprintf(stderr, "remtrail timeline: out of memory\n");
			werr = -1;
		}
		else if (b.len >= ((size_t)1 << 20))
			werr |= write_out(&b);
	}
	werr |= write_out(&b);
	if (cli_finish_stdout("timeline", RT_EXIT_OK) != RT_EXIT_OK)
		werr = -1;
	rt_buf_release(&b);

	if (werr) {
		status = RT_EXIT_FAIL;
	} else {
		if (f.n == 0)
			fprintf(stderr,
				"remtrail timeline: no WinRM, WMI or DCOM findings in %zu EVTX file%s\n",
				nevtx, nevtx == 1 ? "" : "s");
		else if (shown == 0)
			fprintf(stderr,
				"remtrail timeline: none of the %zu findings match --from/--to/--kind\n",
				f.n);
		status = cli_exit_status(&d);
	}
	rt_findings_release(&f);
	rt_diag_release(&d);
	return status;
}

const cli_command cli_cmd_timeline = {
	"timeline", run, "WinRM/WMI/DCOM lateral-movement findings as one timeline",
	"usage: remtrail timeline PATH... [--format jsonl|csv] [--from T] [--to T]\n"
	"                         [--kind K[,K...]] [--tz local|ZONE] [--csv-raw]\n"
	"                         [--reader R] [-j N]\n"
	"\n"
	"Find WinRM, WMI and DCOM remote activity (and changes to the firewall and\n"
	"the services behind them) in the EVTX logs found in PATH, correlate it, and\n"
	"print one time-sorted timeline. PATH is any mix of .evtx files and folders\n"
	"(a mounted volume, a KAPE or Velociraptor collection, a folder of hosts),\n"
	"disk images with their shadow copies, and archives (see 'remtrail --help').\n"
	"\n"
	"Correlation: a process is tied to the network logon (4624 type 3) that\n"
	"started it, and gets that logon's address, workstation and account; local\n"
	"WMI/PowerShell use is not reported as lateral movement; an outbound finding\n"
	"on one host is paired with the inbound finding (or network logon) on the\n"
	"target host when both hosts are in the evidence.\n"
	"\n"
	"Every finding has Timesketch's fields first - datetime (UTC), timestamp\n"
	"(microseconds since 1970), timestamp_desc, message (one sentence) - then\n"
	"kind, host, channel, event_id, record_id (EventRecordID), source_file, and\n"
	"where known remote_ip, remote_host, user, logon_id, process, parent_process,\n"
	"command_line, rule, technique, direction, confidence, paired_host,\n"
	"paired_record_id, logon_record_id, related_record_id. Order: time, host,\n"
	"source_file, record_id, kind - the same input gives the same bytes.\n"
	"\n"
	"kinds: winrm.inbound winrm.outbound winrm.failed wmi.inbound wmi.outbound\n"
	"       wmi.failed wmi.subscription dcom.inbound dcom.outbound dcom.denied\n"
	"       firewall.change service.change logon.network winrm.change dcom.change\n"
	"       uac.change portproxy.change log.cleared powershell.downgrade\n"
	"\n"
	"options:\n"
	"  --format jsonl|csv   jsonl (the default): one JSON object per line; csv:\n"
	"                       RFC 4180, UTF-8 without BOM, CRLF, one header row,\n"
	"                       fixed columns (Timesketch, Timeline Explorer)\n"
	CLI_HELP_WINDOW
	"  --kind K[,K...]      only these kinds (unknown names are an error)\n"
	"  --tz local|ZONE      add local_time, in this machine's zone or an IANA zone\n"
	"                       (Europe/Berlin); the UTC fields do not change\n"
	"  --csv-raw            do not neutralise CSV cells that start with = + - @\n"
	CLI_HELP_READER
	CLI_HELP_JOBS
	CLI_HELP_HELP
	"\n"
	"Text in CSV cells is escaped: a newline in a command line is the text \\n.\n"
	"When stderr is a terminal it shows progress (MiB of EVTX read).\n"
	"\n"
	"examples:\n"
	"  remtrail timeline /mnt/ws01/Windows/System32/winevt/Logs\n"
	"  remtrail timeline /cases/42/kape --format csv > timeline.csv\n"
	"  remtrail timeline logs/ --kind winrm.inbound,wmi.inbound --from 2024-03-01\n"
	"  remtrail timeline logs/ | jq -c 'select(.confidence == \"high\")'\n"
	"\n"
	CLI_HELP_EXIT
	"Finding nothing is exit 0, and is said on stderr.\n",
};
