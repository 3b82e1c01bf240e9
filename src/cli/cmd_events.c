/*
 * remtrail events: every EVTX record of the evidence as one JSON object per
 * line. This is the bulk path (whole logs, many hosts), so lines are built
 * in one reused buffer and written in large batches.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "remtrail/evidence.h"
#include "remtrail/evtx.h"
#include "remtrail/util.h"

typedef struct out_ctx {
	unsigned long long events;
	int write_failed;
} out_ctx;

/* The second of the cached time prefix, +1 (0: none), per decoding thread. */
typedef struct time_cache {
	uint64_t tsec;
	char tprefix[RT_TIME_MAX];
	size_t tlen;
} time_cache;

static _Thread_local time_cache tcache;

static char *put_u64(char *d, uint64_t v)
{
	char t[24];
	size_t i = sizeof t;

	do {
		t[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	memcpy(d, t + i, sizeof t - i);
	return d + (sizeof t - i);
}

/*
 * A FILETIME as a JSON string at d (room for RT_TIME_MAX + 2), as
 * rt_time_format writes it. Records come in time order, so the
 * "YYYY-MM-DDTHH:MM:SS." part is cached per second and only the seven
 * fraction digits are written (snprintf per event was a tenth of the time
 * spent here). The cache is per thread: events are rendered on the
 * decoding threads.
 */
static char *put_time(char *d, uint64_t ft)
{
	time_cache *c = &tcache;
	uint64_t sec = ft / 10000000u, frac = ft % 10000000u;
	int i;

	if (c->tsec != sec + 1) {
		char t[RT_TIME_MAX];

		rt_time_format(ft, t); /* "...:SS." then 7 digits and 'Z' */
		c->tlen = strlen(t) - 8;
		memcpy(c->tprefix, t, c->tlen);
		c->tsec = sec + 1;
	}
	*d++ = '"';
	memcpy(d, c->tprefix, c->tlen);
	d += c->tlen;
	for (i = 6; i >= 0; i--) {
		d[i] = (char)('0' + frac % 10);
		frac /= 10;
	}
	d += 7;
	*d++ = 'Z';
	*d++ = '"';
	return d;
}

/*
 * `s` (n bytes) as a JSON string at d, in b's reservation of `room`
 * bytes; returns where the line goes on. A string with something to
 * escape (rare: a path or host name with a backslash or a quote) is
 * written by rt_json_str, and the room reserved again after it; NULL
 * when out of memory.
 */
static __attribute__((noinline)) char *put_escaped(rt_buf *b, char *d, const char *s, size_t n,
						      size_t room)
{
	b->len = (size_t)(d - b->buf);
	if (rt_json_str(b, s, n) || rt_buf_grow(b, room))
		return NULL;
	return b->buf + b->len;
}

static inline char *put_str(rt_buf *b, char *d, const char *s, size_t n, size_t room)
{
	*d = '"';
	if (rt_json_plain(d + 1, s, n) < n)
		return put_escaped(b, d, s, n, room);
	d[n + 1] = '"';
	return d + n + 2;
}

/* key is a literal such as ",\"host\":" */
#define KEY(d, k) (memcpy((d), (k), sizeof(k) - 1), (d) + sizeof(k) - 1)

/* Room for the line up to its fields, but for the five strings (and 4
 * bytes past a key copied whole). */
#define HEAD_ROOM 320

/* The keys before the first four strings, in order (each copied as 16
 * bytes: a constant size, no call). */
static const struct {
	char k[16];
	size_t n;
} head_keys[] = {
	{ ",\"host\":", 8 }, { ",\"computer\":", 12 }, { ",\"channel\":", 11 }, { ",\"provider\":", 12 },
};

/*
 * The line up to its fields in one reservation, each key a copy of a
 * constant: per event this was as costly as its fields.
 */
static int head(const rt_event *ev, rt_buf *b)
{
	const char *s[5] = { ev->host, ev->computer, ev->channel, ev->provider, ev->source_file };
	size_t n[5], room = HEAD_ROOM, i;
	char *d;

	for (i = 0; i < 5; i++) {
		if (!s[i])
			s[i] = "";
		n[i] = strlen(s[i]);
		room += n[i];
	}
	if (rt_buf_grow(b, room))
		return -1;
	d = b->buf + b->len;
	d = KEY(d, "{\"timestamp\":");
	d = put_time(d, ev->timestamp);
	for (i = 0; i < 4; i++) {
		memcpy(d, head_keys[i].k, sizeof head_keys[i].k);
		if (!(d = put_str(b, d + head_keys[i].n, s[i], n[i], room)))
			return -1;
	}
	d = KEY(d, ",\"event_id\":");
	d = put_u64(d, ev->event_id);
	d = KEY(d, ",\"record_id\":");
	d = put_u64(d, ev->record_id);
	if (ev->record_number != ev->record_id) {
		d = KEY(d, ",\"record_number\":");
		d = put_u64(d, ev->record_number);
	}
	if (ev->written != ev->timestamp) {
		d = KEY(d, ",\"written\":");
		d = put_time(d, ev->written);
	}
	d = KEY(d, ",\"source_file\":");
	if (!(d = put_str(b, d, s[4], n[4], room)))
		return -1;
	if (ev->recovered)
		d = KEY(d, ",\"recovered\":true");
	d = KEY(d, ",\"fields\":{");
	*d = '\0';
	b->len = (size_t)(d - b->buf);
	return 0;
}

/* Runs on the decoding threads: touches nothing but `b` (and tcache). */
static int format_event(void *ctx, const rt_event *ev, rt_buf *b)
{
	size_t i;
	int e;

	(void)ctx;
	e = head(ev, b);
	for (i = 0; i < ev->nfields; i++)
		e |= rt_json_member(b, i ? ',' : '\0', ev->fields[i].name, rt_field_len(ev, i, 0),
				    ev->fields[i].value, rt_field_len(ev, i, 1));
	e |= rt_buf_add(b, "}}\n", 3);
	return e ? -1 : 0;
}

/* Runs on the calling thread, in output order. */
static int write_events(void *ctx, const char *data, size_t len, size_t nevents)
{
	out_ctx *c = ctx;

	if (cli_write("events", data, len)) {
		c->write_failed = 1;
		return 1;
	}
	c->events += nevents;
	return 0;
}

static const char *const formats[] = { "jsonl", NULL };

static int run(int argc, char **argv)
{
	const char **paths;
	size_t npaths = 0, nevtx = 0;
	rt_evtx_opts o;
	rt_evtx_sink sink;
	rt_evidence *ev = NULL;
	rt_diag d;
	out_ctx c;
	int i, j, opts_done = 0, status, reader = 0;

	memset(&o, 0, sizeof o);
	paths = calloc((size_t)argc, sizeof *paths);
	if (!paths) {
		fprintf(stderr, "remtrail events: out of memory\n");
		return RT_EXIT_FAIL;
	}
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v;

		if (opts_done || a[0] != '-' || a[1] == '\0') {
			paths[npaths++] = a;
		} else if (!strcmp(a, "--")) {
			opts_done = 1;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			free(paths);
			cli_print_help(&cli_cmd_events);
			return RT_EXIT_OK;
		} else if ((j = cli_opt_format("events", argc, argv, &i, formats, &v)) != 0 ||
			   (j = cli_opt_reader("events", argc, argv, &i, &reader, &v)) != 0) {
			if (j < 0) {
				free(paths);
				return RT_EXIT_USAGE;
			}
			o.reader = (rt_reader)reader;
		} else if (!strcmp(a, "--recovered")) {
			o.recovered = 1;
		} else if ((j = cli_opt_jobs("events", argc, argv, &i, &o.threads)) != 0) {
			if (j < 0) {
				free(paths);
				return RT_EXIT_USAGE;
			}
		} else {
			free(paths);
			return cli_usage_error("events", "unknown option '%s'", a);
		}
	}
	if (npaths == 0) {
		free(paths);
		return cli_usage_error("events", "no PATH given");
	}
	if (o.threads == 0)
		o.threads = cli_default_jobs();
	if (isatty(STDERR_FILENO))
		o.progress = cli_progress_evtx;

	cli_diag_init(&d);
	ev = cli_collect_evtx("events", paths, npaths, &d, &nevtx);
	free(paths);
	if (!ev) {
		rt_diag_release(&d);
		return RT_EXIT_FAIL;
	}

	memset(&c, 0, sizeof c);
	sink.format = format_event;
	sink.lean = 1; /* format_event prints no process, thread, user or qualifiers */
	sink.write = write_events;
	sink.ctx = &c;
	rt_evtx_read_evidence_sink(ev, &o, &sink, &d);
	if (cli_finish_stdout("events", RT_EXIT_OK) != RT_EXIT_OK)
		c.write_failed = 1;
	rt_evidence_free(&ev);

	if (c.write_failed) {
		status = RT_EXIT_FAIL;
	} else if (c.events == 0 && d.errors) {
		fprintf(stderr, "remtrail events: no record could be read\n");
		status = RT_EXIT_FAIL;
	} else {
		if (c.events == 0)
			fprintf(stderr, "remtrail events: %zu EVTX file%s read, no records in them\n",
				nevtx, nevtx == 1 ? "" : "s");
		status = cli_exit_status(&d);
	}
	rt_diag_release(&d);
	return status;
}

const cli_command cli_cmd_events = {
	"events", run, "every EVTX record as a normalized event (JSON lines)",
	"usage: remtrail events PATH... [--format jsonl] [--reader R] [--recovered]\n"
	"                       [-j N]\n"
	"\n"
	"Print every record of every EVTX log found in PATH as one JSON object per\n"
	"line. PATH is any mix of .evtx files and folders (a mounted Windows volume,\n"
	"a KAPE or Velociraptor collection, a folder of many hosts), disk images\n"
	"(E01, VHD/VHDX, VMDK, QCOW2, raw; their shadow copies too, a record the live\n"
	"log still holds given once) and archives (ZIP, 7z, tar, .gz/.xz/.bz2,\n"
	"read in place, nothing extracted); logs are found by\n"
	"content, not by name, and grouped by host. Output order is fixed: hosts by\n"
	"name, logs by path, records in file order. Evidence is opened read-only.\n"
	"\n"
	"Each line has, in this order: timestamp (System/TimeCreated, UTC), host,\n"
	"computer, channel, provider, event_id, record_id (System/EventRecordID),\n"
	"record_number and written (the record header's number and time, only when\n"
	"they differ from record_id and timestamp: filtered exports renumber them),\n"
	"source_file, and fields: the EventData/UserData values by name\n"
	"(\"IpAddress\", \"LogonType\"...). Unnamed values are \"Data[1]\", \"Data[2]\";\n"
	"a repeated name gets \"[2]\", \"[3]\" appended.\n"
	"\n"
	"options:\n"
	"  --format jsonl       jsonl (the default and the only format)\n"
	CLI_HELP_READER
	"  --recovered          also print records recovered from slack space and unused\n"
	"                       chunks, marked \"recovered\":true (they may be stale)\n"
	CLI_HELP_JOBS
	"                       (chunks of several logs are decoded at once; the\n"
	"                       libevtx reader reads one file after another)\n"
	CLI_HELP_HELP
	"\n"
	"Damaged logs: every record that can be read is printed and each damage is\n"
	"named on stderr (\"chunk 3 at offset 0x31000: bad event records checksum\").\n"
	"When stderr is a terminal it also shows progress (MiB of EVTX read).\n"
	"\n"
	"examples:\n"
	"  remtrail events Security.evtx\n"
	"  remtrail events /mnt/c/Windows/System32/winevt/Logs > events.jsonl\n"
	"  remtrail events kape_out/ | jq -c 'select(.event_id == 4624)\n"
	"      | {timestamp, host, ip: .fields.IpAddress, type: .fields.LogonType}'\n"
	"  remtrail events --reader libevtx damaged.evtx 2> damage.txt\n"
	"\n"
	CLI_HELP_EXIT
	"Also 1 when no EVTX file was found or none could be read.\n",
};
