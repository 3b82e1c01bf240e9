/*
 * Writers for verdicts and the analyze reports (JSON and text). JSON is
 * written by hand (our own escaping, integers exact) so output is
 * byte-stable and 64-bit record ids never pass through a double. Every
 * string from evidence goes through rt_text_escape (text) or rt_json_str
 * (JSON), every file name through rt_path_escape.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "report_int.h"

#define ADD(s) do { if (rt_buf_adds(out, (s))) return -1; } while (0)
#define ADDF(...) do { if (rt_buf_addf(out, __VA_ARGS__)) return -1; } while (0)
#define JSTR(s) do { if (rt_json_cstr(out, (s))) return -1; } while (0)
#define JPATH(s) do { if (rep_json_path(out, (s))) return -1; } while (0)
#define TXT(s) do { if (rt_text_cstr(out, (s))) return -1; } while (0)

/* ------------------------------------------------------------ shared bits */

int rep_json_path(rt_buf *out, const char *path)
{
	rt_buf p = RT_BUF_INIT;
	int r;

	if (!path)
		return rt_buf_adds(out, "null");
	r = rt_path_cstr(&p, path) || rt_json_str(out, p.buf, p.len) ? -1 : 0;
	rt_buf_release(&p);
	return r;
}

static int input_cmp_path(const void *key, const void *elem)
{
	return strcmp(key, ((const rt_input *)elem)->path);
}

const rt_input *rep_input(const rt_analysis *a, const char *path)
{
	if (!path || !a->ninputs)
		return NULL;
	return bsearch(path, a->inputs, a->ninputs, sizeof *a->inputs, input_cmp_path);
}

int rep_file_text(rt_buf *out, const rt_analysis *a, const char *path)
{
	const rt_input *in = rep_input(a, path);

	return rt_path_cstr(out, in && *in->rel ? in->rel : path);
}

int rep_short_time(rt_buf *out, uint64_t t)
{
	char ts[RT_TIME_MAX];

	if (!t)
		return rt_buf_adds(out, "-");
	rt_time_format(t, ts);
	ts[10] = ' ';
	ts[19] = '\0';
	return rt_buf_adds(out, ts);
}

rt_role rep_role(const rt_finding *f)
{
	const char *proto;
	size_t plen;

	return rt_finding_role(f, &proto, &plen);
}

void rep_host_stats(const rt_analysis *a, const rt_analysis_host *h, rep_stats *s)
{
	size_t i;
	int c;

	memset(s, 0, sizeof *s);
	for (i = 0; i < h->findings.n; i++) {
		const rt_finding *f = &h->findings.items[i];
		rt_role r = rep_role(f);

		if (f->direction == RT_DIR_INBOUND && r == RT_ROLE_USE) {
			if (!s->inbound++)
				s->first_in = f->timestamp;
			s->last_in = f->timestamp;
		} else if (f->direction == RT_DIR_OUTBOUND && r == RT_ROLE_USE) {
			s->outbound++;
		} else if (r == RT_ROLE_REFUSED) {
			s->refused++;
		} else {
			s->other++;
		}
	}
	for (c = 0; h->verdicts && c < RT_CM_COUNT; c++)
		s->bypassed += h->verdicts->cm[c].bypassed > 0;
	for (i = 0; i < h->ninputs; i++) {
		const rt_input *in = &a->inputs[h->inputs[i]];

		if (in->kind && !strncmp(in->kind, "hive:", 5) &&
		    (in->state == RT_INPUT_READ || in->state == RT_INPUT_PARTLY))
			s->hives++;
		if (in->kind && !strncmp(in->kind, "evtx", 4))
			s->logs++;
		if (in->state == RT_INPUT_PARTLY || in->state == RT_INPUT_UNREADABLE)
			s->damaged++;
	}
}

int rep_input_of(const rt_analysis *a, size_t host, size_t i)
{
	return host >= a->nhosts || (a->inputs[i].host && !strcmp(a->inputs[i].host, a->hosts[host].name));
}

size_t rep_count_inputs(const rt_analysis *a, size_t host, size_t counts[REP_NSTATES])
{
	size_t i, n = 0;

	memset(counts, 0, REP_NSTATES * sizeof *counts);
	for (i = 0; i < a->ninputs; i++)
		if (rep_input_of(a, host, i)) {
			counts[(unsigned)a->inputs[i].state < REP_NSTATES ? a->inputs[i].state : 0]++;
			n++;
		}
	return n;
}

int rep_cite(rt_buf *out, const rt_analysis *a, const rt_evidence_item *it)
{
	char ts[RT_TIME_MAX];
	int e = 0;

	if ((!it->file || !*it->file) && !it->key && !it->record_id && !it->time)
		return 0;
	e |= rt_buf_adds(out, " [");
	if (it->file && *it->file)
		e |= rep_file_text(out, a, it->file);
	if (it->key) {
		e |= rt_buf_addch(out, ' ');
		e |= rt_text_cstr(out, it->key);
		if (it->value_name) {
			e |= rt_buf_addch(out, '\\');
			e |= rt_text_cstr(out, it->value_name);
		}
	}
	if (it->record_id)
		e |= rt_buf_addf(out, " record %llu", (unsigned long long)it->record_id);
	if (it->event_id)
		e |= rt_buf_addf(out, ", event %u", (unsigned)it->event_id);
	if (it->time) {
		rt_time_format(it->time, ts);
		e |= rt_buf_addf(out, it->key ? ", key last written %s" : ", %s", ts);
	}
	e |= rt_buf_addch(out, ']');
	return e ? -1 : 0;
}

int rep_time_zone(rt_buf *out, const rt_analysis_host *h)
{
	int e = 0;

	if (!h->time_zone && !h->has_bias)
		return 0;
	e |= rt_text_cstr(out, h->time_zone ? h->time_zone : "(name not recorded)");
	if (h->has_bias) {
		int east = -h->active_bias, m = east < 0 ? -east : east;

		e |= rt_buf_addf(out, " (UTC%c%02d:%02d when the SYSTEM hive was last written)",
				 east < 0 ? '-' : '+', m / 60, m % 60);
	}
	return e ? -1 : 0;
}

/* ---------------------------------------------------------------- JSON */

static int json_time(rt_buf *out, const char *key, uint64_t t, int comma)
{
	char ts[RT_TIME_MAX];

	if (comma)
		ADD(",");
	ADDF("\"%s\":", key);
	if (!t) {
		ADD("null");
		return 0;
	}
	rt_time_format(t, ts);
	JSTR(ts);
	return 0;
}

static int json_item(rt_buf *out, const rt_evidence_item *it)
{
	ADD("{\"text\":");
	JSTR(it->text);
	ADD(",\"source\":{\"file\":");
	JPATH(it->file ? it->file : "");
	if (it->key) {
		ADD(",\"key\":");
		JSTR(it->key);
	}
	if (it->value_name) {
		ADD(",\"value_name\":");
		JSTR(it->value_name);
	}
	if (it->record_id)
		ADDF(",\"record_id\":%llu", (unsigned long long)it->record_id);
	if (it->event_id)
		ADDF(",\"event_id\":%u", (unsigned)it->event_id);
	/* a registry time is when the key was last written, not when the
	 * value was set: say so in the name */
	if (json_time(out, it->key ? "last_written" : "time", it->time, 1))
		return -1;
	ADD("}");
	if (it->kind) {
		ADD(",\"kind\":");
		JSTR(it->kind);
	}
	if (it->remote_ip) {
		ADD(",\"remote_ip\":");
		JSTR(it->remote_ip);
	}
	ADD("}");
	return 0;
}

static int json_list(rt_buf *out, const char *key, const rt_evidence_list *l)
{
	size_t i;

	ADDF(",\"%s\":[", key);
	for (i = 0; i < l->n; i++) {
		if (i)
			ADD(",");
		if (json_item(out, &l->items[i]))
			return -1;
	}
	ADD("]");
	return 0;
}

static int json_verdict(rt_buf *out, const rt_cm_verdict *v)
{
	size_t i;

	ADDF("{\"id\":\"%s\",\"title\":", rt_cm_name(v->id));
	JSTR(rt_cm_title(v->id));
	ADD(",\"state\":");
	JSTR(rt_cm_state_name(v->state));
	ADD(",\"state_why\":");
	JSTR(v->state_why ? v->state_why : "");
	ADD(",\"intervals\":[");
	for (i = 0; i < v->nintervals; i++) {
		const rt_interval *iv = &v->intervals[i];
		if (i)
			ADD(",");
		ADD("{");
		if (json_time(out, "from", iv->from, 0) || json_time(out, "to", iv->to, 1))
			return -1;
		ADD(",\"state\":");
		JSTR(rt_cm_state_name(iv->state));
		ADD(",\"why\":");
		JSTR(iv->why);
		if (json_list(out, "basis", &iv->basis))
			return -1;
		ADD("}");
	}
	ADDF("],\"bypassed\":%s,\"bypass\":[",
	     v->bypassed < 0 ? "null" : v->bypassed ? "true" : "false");
	for (i = 0; i < v->nbypass; i++) {
		const rt_bypass *b = &v->bypass[i];
		if (i)
			ADD(",");
		ADD("{\"route\":");
		JSTR(b->route);
		ADD(",\"explanation\":");
		JSTR(b->explanation);
		if (json_list(out, "changes", &b->changes) || json_list(out, "findings", &b->findings))
			return -1;
		ADD("}");
	}
	ADD("]");
	if (json_list(out, "evidence", &v->evidence) ||
	    json_time(out, "first_activity", v->first_activity, 1) ||
	    json_time(out, "last_activity", v->last_activity, 1))
		return -1;
	if (v->has_monitoring) {
		const rt_monitoring *m = &v->monitoring;
		ADDF(",\"monitoring\":{\"in_effect\":%s,\"winrm_operational\":%s,"
		     "\"powershell_operational\":%s,\"module_logging\":%s",
		     m->in_effect ? "true" : "false", m->winrm_log ? "true" : "false",
		     m->ps_log ? "true" : "false",
		     m->module_logging < 0 ? "null" : m->module_logging ? "true" : "false");
		if (json_list(out, "coverage", &m->coverage) || json_list(out, "gaps", &m->gaps))
			return -1;
		ADD("}");
	}
	ADD("}");
	return 0;
}

static int json_host_verdicts(rt_buf *out, const rt_assess_result *h)
{
	int c;

	ADD("{\"host\":");
	JSTR(h->host);
	if (json_time(out, "period_from", h->period_from, 1) ||
	    json_time(out, "period_to", h->period_to, 1))
		return -1;
	ADD(",\"countermeasures\":[");
	for (c = 0; c < RT_CM_COUNT; c++) {
		if (c)
			ADD(",");
		if (json_verdict(out, &h->cm[c]))
			return -1;
	}
	ADD("]}");
	return 0;
}

int rt_assess_write_json(rt_buf *out, rt_assess_result *const *hosts, size_t n)
{
	size_t i;

	ADD("{\"schema\":\"remtrail/1\",\"hosts\":[");
	for (i = 0; i < n; i++) {
		if (i)
			ADD(",");
		if (json_host_verdicts(out, hosts[i]))
			return -1;
	}
	ADD("]}\n");
	return 0;
}

static int json_opt_str(rt_buf *out, const char *key, const char *v)
{
	ADDF(",\"%s\":", key);
	if (!v) {
		ADD("null");
		return 0;
	}
	JSTR(v);
	return 0;
}

/* Where an input read inside an image or archive lies (only those have
 * the key: folder reports keep their bytes). */
int rt_report_origin_json(rt_buf *out, const char *container, const rt_origin *o)
{
	ADD(",\"origin\":{\"container\":");
	JPATH(container);
	if (o->scheme) {
		ADDF(",\"partition\":%d,\"scheme\":", o->partition);
		JSTR(o->scheme);
		ADDF(",\"partition_offset\":%llu", (unsigned long long)o->partition_offset);
	}
	if (o->shadow_copy) {
		ADDF(",\"shadow_copy\":%d", o->shadow_copy);
		if (json_time(out, "shadow_copy_created", o->shadow_copy_time, 1))
			return -1;
	}
	ADD(o->scheme ? ",\"path_in_volume\":" : ",\"entry\":");
	if (o->inner_path)
		JPATH(o->inner_path);
	else
		ADD("null");
	if (o->mft_entry != UINT64_MAX && o->scheme)
		ADDF(",\"mft_entry\":%llu", (unsigned long long)o->mft_entry);
	ADD("}");
	return 0;
}

static int json_input(rt_buf *out, const rt_input *in)
{
	size_t k;

	ADD("{\"path\":");
	JPATH(in->path);
	ADD(",\"root\":");
	JPATH(in->root);
	ADD(",\"relative\":");
	JPATH(in->rel);
	if (json_opt_str(out, "sha256", in->sha256))
		return -1;
	ADDF(",\"size\":%llu", (unsigned long long)in->size);
	if (json_opt_str(out, "host", in->host) || json_opt_str(out, "kind", in->kind))
		return -1;
	ADD(",\"state\":");
	JSTR(rt_input_state_name(in->state));
	if (in->kind && !strncmp(in->kind, "evtx", 4))
		ADDF(",\"records\":%llu", (unsigned long long)in->records);
	if (in->container && rt_report_origin_json(out, in->container, &in->origin))
		return -1;
	ADD(",\"notes\":[");
	for (k = 0; k < in->nnotes; k++) {
		if (k)
			ADD(",");
		JSTR(in->notes[k]);
	}
	ADD("]}");
	return 0;
}

static int json_move(rt_buf *out, const rt_move *m)
{
	ADD("{\"source\":");
	JSTR(m->src);
	ADD(",\"target\":");
	JSTR(m->dst);
	ADD(",\"protocol\":");
	JSTR(m->protocol);
	if (json_time(out, "first", m->first, 1) || json_time(out, "last", m->last, 1))
		return -1;
	ADDF(",\"count\":%zu,\"refused\":%zu,\"paired\":%zu,\"source_in_case\":%s,"
	     "\"target_in_case\":%s}",
	     m->count, m->refused, m->paired, m->src_known ? "true" : "false",
	     m->dst_known ? "true" : "false");
	return 0;
}

static int json_host_entry(rt_buf *out, const rt_analysis *a, const rt_analysis_host *h)
{
	rep_stats s;

	rep_host_stats(a, h, &s);
	ADD("{\"name\":");
	JSTR(h->name);
	ADD(",\"dir\":");
	JSTR(h->dir);
	if (json_opt_str(out, "name_source", h->name_source) ||
	    json_opt_str(out, "full_name", h->full_name) ||
	    json_opt_str(out, "time_zone", h->time_zone))
		return -1;
	if (h->has_bias)
		ADDF(",\"active_bias_minutes\":%d", h->active_bias);
	ADDF(",\"inputs\":%zu,\"findings\":%zu,\"inbound\":%zu,\"outbound\":%zu,\"refused\":%zu}",
	     h->ninputs, h->findings.n, s.inbound, s.outbound, s.refused);
	return 0;
}

static int json_findings(rt_buf *out, const rt_report *r, const rt_findings *l,
			 const rt_timeline_opts *to)
{
	size_t i;

	ADD(",\"findings\":[");
	for (i = 0; i < l->n; i++) {
		if (i)
			ADD(",");
		if (rt_timeline_json(out, l, i, to) || rep_flush(r, out))
			return -1;
	}
	ADD("]");
	return 0;
}

static int json_run(rt_buf *out, const rt_report_run *run)
{
	size_t i;

	ADD(",\"run\":{\"command_line\":[");
	for (i = 0; run && i < run->argc; i++) {
		if (i)
			ADD(",");
		JPATH(run->argv[i]);
	}
	ADD("]");
	if (json_time(out, "started", run ? rt_time_from_unix(run->started) : 0, 1) ||
	    json_time(out, "finished", run ? rt_time_from_unix(run->finished) : 0, 1))
		return -1;
	ADDF(",\"jobs\":%d}", run ? run->jobs : 0);
	return 0;
}

/*
 * The case configuration: every host's host list in one, host by host
 * (read back from its folder when it is not in memory), `flush` after each
 * so that the caller can write them out. Hosts without a hive add nothing.
 */
static int json_case_configuration(rt_buf *out, const rt_report *r)
{
	const rt_analysis *a = r->a;
	rt_buf one = RT_BUF_INIT;
	size_t h, hl = strlen(RT_CONFIG_JSON_HEAD);
	int any = 0, rc = -1;

	if (rt_buf_adds(out, RT_CONFIG_JSON_HEAD))
		goto out;
	for (h = 0; h < a->nhosts; h++) {
		const char *c;
		size_t n;

		rt_buf_reset(&one);
		if (rt_host_configuration(&a->hosts[h], &one))
			goto out;
		c = one.buf;
		n = one.len;
		if (n <= hl + 2 || strncmp(c, RT_CONFIG_JSON_HEAD, hl) || strcmp(c + n - 2, "]}"))
			continue; /* no hive read */
		if ((any++ && rt_buf_addch(out, ',')) || rt_buf_add(out, c + hl, n - hl - 2))
			goto out;
		if (r->flush && r->flush(r->flush_ctx, out))
			goto out;
	}
	rc = rt_buf_adds(out, "]}");
out:
	rt_buf_release(&one);
	return rc;
}

int rt_report_json(rt_buf *out, const rt_report *r, size_t host)
{
	const rt_analysis *a = r->a;
	const rt_report_opts *o = r->opts;
	rt_timeline_opts to = { o ? o->csv_raw : 0, o && o->tz };
	int one = host < a->nhosts;
	size_t i, lo = one ? host : 0, hi = one ? host + 1 : a->nhosts, n, counts[REP_NSTATES];
	const rt_findings *fl = one ? &a->hosts[host].findings : &a->findings;
	rt_move *mv = a->moves;
	size_t nmv = a->nmoves;

	ADD("{\"schema\":\"remtrail/1\",\"tool\":{\"name\":\"remtrail\",\"version\":");
	JSTR(r->run && r->run->version ? r->run->version : "");
	ADDF("},\"scope\":\"%s\",\"options\":{", one ? "host" : "case");
	ADD("\"mgmt\":");
	if (o && o->mgmt)
		JSTR(o->mgmt);
	else
		ADD("null");
	if (json_time(out, "from", o ? o->from : 0, 1) || json_time(out, "to", o ? o->to : 0, 1) ||
	    json_opt_str(out, "reader", o && o->reader ? o->reader : "auto") ||
	    json_opt_str(out, "tz", o ? o->tz : NULL))
		return -1;
	ADDF(",\"csv_raw\":%s}", o && o->csv_raw ? "true" : "false");

	n = rep_count_inputs(a, host, counts);
	if (one && rt_moves_build(fl, (const char *const *)&a->hosts[host].name, 1, &mv, &nmv))
		return -1;
	ADDF(",\"summary\":{\"hosts\":%zu,\"inputs\":%zu,\"read\":%zu,\"partly_read\":%zu,"
	     "\"unreadable\":%zu,\"skipped\":%zu,\"findings\":%zu,\"movement\":%zu}",
	     hi - lo, n, counts[RT_INPUT_READ], counts[RT_INPUT_PARTLY], counts[RT_INPUT_UNREADABLE],
	     counts[RT_INPUT_SKIPPED], fl->n, nmv);
	ADD(",\"inputs\":[");
	for (i = 0, n = 0; i < a->ninputs; i++) {
		if (!rep_input_of(a, host, i))
			continue;
		if (n++)
			ADD(",");
		if (json_input(out, &a->inputs[i]))
			goto fail;
	}
	ADD("],\"hosts\":[");
	for (i = lo; i < hi; i++) {
		if (i > lo)
			ADD(",");
		if (json_host_entry(out, a, &a->hosts[i]))
			goto fail;
	}
	ADD("],\"configuration\":");
	if (one ? rt_host_configuration(&a->hosts[host], out) : json_case_configuration(out, r))
		goto fail;
	if (json_findings(out, r, fl, &to))
		goto fail;
	ADD(",\"movement\":[");
	for (i = 0; i < nmv; i++) {
		if (i)
			ADD(",");
		if (json_move(out, &mv[i]))
			goto fail;
	}
	ADD("],\"verdicts\":[");
	for (i = lo; i < hi; i++) {
		if (i > lo)
			ADD(",");
		if (a->hosts[i].verdicts && json_host_verdicts(out, a->hosts[i].verdicts))
			goto fail;
	}
	ADD("]");
	if (json_run(out, r->run))
		goto fail;
	ADD("}\n");
	if (one)
		rt_moves_free(mv, nmv);
	return 0;
fail:
	if (one)
		rt_moves_free(mv, nmv);
	return -1;
}

int rt_report_timeline(rt_buf *out, const rt_report *r, size_t host, int csv)
{
	const rt_findings *l = host < r->a->nhosts ? &r->a->hosts[host].findings : &r->a->findings;
	rt_timeline_opts to = { r->opts ? r->opts->csv_raw : 0, r->opts && r->opts->tz };
	size_t i;

	if (csv && rt_timeline_csv_header(out, &to))
		return -1;
	for (i = 0; i < l->n; i++)
		if ((csv ? rt_timeline_csv(out, l, i, &to)
			 : (rt_timeline_json(out, l, i, &to) || rt_buf_addch(out, '\n'))) ||
		    rep_flush(r, out))
			return -1;
	return 0;
}
