/*
 * The timeline of findings as JSON lines and CSV (report.h). One table of
 * columns drives both, so the two forms always carry the same fields in
 * the same order; Timesketch's required fields come first.
 */
#include "config.h"

#include <stdio.h>

#include "remtrail/report.h"

typedef struct row {
	const rt_finding *f;
	const rt_findings *l;
	const rt_timeline_opts *o;
	char buf[48];
} row;

typedef enum col_type { COL_STR, COL_NUM, COL_PATH } col_type;

typedef struct column {
	const char *name;
	col_type type;
	int always;    /* JSON: written even when empty */
	int local;     /* only with rt_timeline_opts.local */
	const char *(*get)(row *r);
} column;

static const char *c_datetime(row *r)
{
	rt_time_format(r->f->timestamp, r->buf);
	return r->buf;
}

static const char *c_timestamp(row *r)
{
	snprintf(r->buf, sizeof r->buf, "%lld", (long long)rt_time_unix_us(r->f->timestamp));
	return r->buf;
}

static const char *c_desc(row *r)
{
	(void)r;
	return "Event Recorded";
}

static const char *c_message(row *r) { return r->f->message; }

static const char *c_local(row *r)
{
	rt_time_format_offset(r->f->timestamp, rt_time_local_offset(r->f->timestamp), r->buf);
	return r->buf;
}

static const char *c_kind(row *r) { return rt_finding_kind_name(r->f->kind); }
static const char *c_host(row *r) { return r->f->host; }
static const char *c_channel(row *r) { return r->f->channel; }

static const char *c_event_id(row *r)
{
	snprintf(r->buf, sizeof r->buf, "%u", (unsigned)r->f->event_id);
	return r->buf;
}

static const char *c_record_id(row *r)
{
	snprintf(r->buf, sizeof r->buf, "%llu", (unsigned long long)r->f->record_id);
	return r->buf;
}

static const char *c_source(row *r) { return r->f->source_file; }
static const char *c_remote_ip(row *r) { return r->f->remote_ip; }
static const char *c_remote_host(row *r) { return r->f->remote_host; }
static const char *c_user(row *r) { return r->f->user; }
static const char *c_logon_id(row *r) { return r->f->logon_id; }
static const char *c_process(row *r) { return r->f->process; }
static const char *c_parent(row *r) { return r->f->parent_process; }
static const char *c_cmdline(row *r) { return r->f->command_line; }
static const char *c_object(row *r) { return r->f->object; }
static const char *c_rule(row *r) { return r->f->rule_id; }
static const char *c_technique(row *r) { return r->f->technique; }
static const char *c_direction(row *r) { return rt_direction_name(r->f->direction); }
static const char *c_confidence(row *r) { return rt_confidence_name(r->f->confidence); }
static const char *c_attribution(row *r) { return rt_link_name(r->f->link); }

static const char *linked_id(row *r, size_t link)
{
	if (link >= r->l->n)
		return NULL;
	snprintf(r->buf, sizeof r->buf, "%llu", (unsigned long long)r->l->items[link].record_id);
	return r->buf;
}

static const char *c_paired_host(row *r)
{
	return r->f->paired < r->l->n ? r->l->items[r->f->paired].host : NULL;
}

static const char *c_paired_id(row *r) { return linked_id(r, r->f->paired); }
static const char *c_logon_id_rec(row *r) { return linked_id(r, r->f->logon); }
static const char *c_related_id(row *r) { return linked_id(r, r->f->related); }

static const column columns[] = {
	{ "datetime", COL_STR, 1, 0, c_datetime },
	{ "timestamp", COL_NUM, 1, 0, c_timestamp },
	{ "timestamp_desc", COL_STR, 1, 0, c_desc },
	{ "message", COL_STR, 1, 0, c_message },
	{ "local_time", COL_STR, 1, 1, c_local },
	{ "kind", COL_STR, 1, 0, c_kind },
	{ "host", COL_STR, 1, 0, c_host },
	{ "channel", COL_STR, 1, 0, c_channel },
	{ "event_id", COL_NUM, 1, 0, c_event_id },
	{ "record_id", COL_NUM, 1, 0, c_record_id },
	{ "source_file", COL_PATH, 1, 0, c_source },
	{ "remote_ip", COL_STR, 0, 0, c_remote_ip },
	{ "remote_host", COL_STR, 0, 0, c_remote_host },
	{ "user", COL_STR, 0, 0, c_user },
	{ "logon_id", COL_STR, 0, 0, c_logon_id },
	{ "process", COL_STR, 0, 0, c_process },
	{ "parent_process", COL_STR, 0, 0, c_parent },
	{ "command_line", COL_STR, 0, 0, c_cmdline },
	{ "object", COL_STR, 0, 0, c_object },
	{ "rule", COL_STR, 0, 0, c_rule },
	{ "technique", COL_STR, 0, 0, c_technique },
	{ "direction", COL_STR, 0, 0, c_direction },
	{ "confidence", COL_STR, 0, 0, c_confidence },
	{ "attribution", COL_STR, 0, 0, c_attribution },
	{ "paired_host", COL_STR, 0, 0, c_paired_host },
	{ "paired_record_id", COL_NUM, 0, 0, c_paired_id },
	{ "logon_record_id", COL_NUM, 0, 0, c_logon_id_rec },
	{ "related_record_id", COL_NUM, 0, 0, c_related_id },
};
#define NCOLUMNS (sizeof columns / sizeof *columns)

static int shown(const column *c, const rt_timeline_opts *o)
{
	return !c->local || (o && o->local);
}

int rt_timeline_json(rt_buf *out, const rt_findings *l, size_t i, const rt_timeline_opts *o)
{
	row r = { &l->items[i], l, o, "" };
	rt_buf p = RT_BUF_INIT;
	size_t c;
	int e = 0, first = 1;

	e |= rt_buf_addch(out, '{');
	for (c = 0; c < NCOLUMNS; c++) {
		const char *v;

		if (!shown(&columns[c], o))
			continue;
		v = columns[c].get(&r);
		if (!columns[c].always && (!v || !*v))
			continue;
		e |= rt_buf_adds(out, first ? "\"" : ",\"");
		e |= rt_buf_adds(out, columns[c].name);
		e |= rt_buf_adds(out, "\":");
		first = 0;
		if (columns[c].type == COL_NUM) {
			e |= rt_buf_adds(out, v && *v ? v : "0");
		} else if (columns[c].type == COL_PATH) {
			rt_buf_reset(&p);
			e |= rt_path_cstr(&p, v);
			e |= rt_json_str(out, p.buf, p.len);
		} else {
			e |= rt_json_cstr(out, v);
		}
	}
	e |= rt_buf_addch(out, '}');
	rt_buf_release(&p);
	return e ? -1 : 0;
}

int rt_timeline_csv_header(rt_buf *out, const rt_timeline_opts *o)
{
	size_t c;
	int e = 0, first = 1;

	for (c = 0; c < NCOLUMNS; c++) {
		if (!shown(&columns[c], o))
			continue;
		if (!first)
			e |= rt_buf_addch(out, ',');
		first = 0;
		e |= rt_buf_adds(out, columns[c].name);
	}
	e |= rt_buf_adds(out, "\r\n");
	return e ? -1 : 0;
}

int rt_timeline_csv(rt_buf *out, const rt_findings *l, size_t i, const rt_timeline_opts *o)
{
	row r = { &l->items[i], l, o, "" };
	rt_buf p = RT_BUF_INIT;
	size_t c;
	int e = 0, first = 1, raw = o && o->csv_raw;

	for (c = 0; c < NCOLUMNS; c++) {
		const char *v;

		if (!shown(&columns[c], o))
			continue;
		if (!first)
			e |= rt_buf_addch(out, ',');
		first = 0;
		v = columns[c].get(&r);
		if (columns[c].type == COL_PATH && v) {
			rt_buf_reset(&p);
			e |= rt_path_cstr(&p, v);
			v = p.buf;
		}
		e |= rt_csv_cell(out, v, raw || columns[c].type == COL_NUM);
	}
	e |= rt_buf_adds(out, "\r\n");
	rt_buf_release(&p);
	return e ? -1 : 0;
}
