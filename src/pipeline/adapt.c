/*
 * The adapter between the reading modules and the assessor.
 *
 * Facts: every point of the config module's histories, and every
 * configuration-change point the detect module's rules read from events
 * (service start types, firewall rules and profiles, the active profile,
 * connected networks, WinRM quick configuration, registry writes of the
 * settings; docs/detect.md lists them), each a setting's name and text
 * typed by config's one conversion (rt_cfg_value_parse). A hive point says the value held
 * from its key's last-written time (when earlier than the snapshot) on;
 * "default" points that open a history are left out, since the assessor
 * applies Windows' defaults to settings a read hive lacks.
 *
 * One pass over every host's EVTX feeds the detector and notes each log's
 * channel and coverage. Findings (log clears included) come from the
 * detect module; this file names no event id.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "adapt.h"
#include "remtrail/config.h"
#include "remtrail/detect.h"
#include "remtrail/evtx.h"

typedef struct host_data {
	rt_assess_finding *all; /* detect's findings, by time (after build) */
	size_t nall, aall;
	rt_fact *facts;
	size_t nfacts, afacts;
	rt_log_cover *logs;
	size_t nlogs, alogs;
} host_data;

typedef struct adapt_priv {
	const rt_evidence *ev;
	rt_config *cfg;
	rt_detect *det;
	rt_findings found; /* detect's findings, timeline order */
	host_data *hosts;
	size_t nhosts;
	size_t cur; /* host of the last event: events come host by host */
	char **strs;
	size_t nstrs, astrs;
	rt_cfg_value **vals; /* typed values of event-derived facts */
	size_t nvals, avals;
} adapt_priv;

static const char *keep(adapt_priv *p, const char *s)
{
	char *d;

	if (!s)
		return NULL;
	if (p->nstrs == p->astrs) {
		size_t na = p->astrs ? p->astrs * 2 : 64;
		char **n = realloc(p->strs, na * sizeof *n);
		if (!n)
			return NULL;
		p->strs = n;
		p->astrs = na;
	}
	if (!(d = rt_strdup0(s)))
		return NULL;
	p->strs[p->nstrs++] = d;
	return d;
}

static int grow(void **arr, size_t *alloc, size_t n, size_t size)
{
	void *p;
	size_t na;

	if (n < *alloc)
		return 0;
	na = *alloc ? *alloc * 2 : 8;
	if (!(p = realloc(*arr, na * size)))
		return -1;
	*arr = p;
	*alloc = na;
	return 0;
}

static host_data *host_of(adapt_priv *p, const char *name)
{
	size_t i;

	if (p->cur < p->nhosts && !strcmp(p->ev->hosts[p->cur].name, name))
		return &p->hosts[p->cur];
	for (i = 0; i < p->nhosts; i++)
		if (!strcmp(p->ev->hosts[i].name, name)) {
			p->cur = i;
			return &p->hosts[i];
		}
	return NULL;
}

/* The evidence host named `name` (case-insensitive), or NULL: a forwarded
 * log's records may name a computer that is not in the evidence. */
static host_data *host_named(adapt_priv *p, const char *name)
{
	size_t i;

	for (i = 0; name && i < p->nhosts; i++)
		if (rt_strcaseeq(p->ev->hosts[i].name, name))
			return &p->hosts[i];
	return NULL;
}

/* `text` of setting `name` typed by config's one conversion, kept; its
 * canonical text ("auto" for "auto start") in *shown. */
static const rt_cfg_value *typed(adapt_priv *p, const char *name, const char *text, const char **shown)
{
	rt_cfg_value *v;

	*shown = NULL;
	if (!text)
		return NULL;
	if (grow((void **)&p->vals, &p->avals, p->nvals, sizeof *p->vals) || !(v = calloc(1, sizeof *v)))
		return NULL;
	p->vals[p->nvals++] = v;
	if (rt_cfg_value_parse(name, text, v))
		return NULL;
	*shown = keep(p, v->type == RT_CFG_V_BAD || !v->text ? text : v->text);
	return *shown ? v : NULL;
}

/* A configuration-change point of an event as the assessor's fact. The one
 * place where detect's points become facts. */
static int new_fact(adapt_priv *p, host_data *h, const rt_change *c)
{
	rt_fact *f;

	if (grow((void **)&h->facts, &h->afacts, h->nfacts, sizeof *h->facts))
		return -1;
	f = &h->facts[h->nfacts];
	memset(f, 0, sizeof *f);
	f->name = keep(p, c->name);
	f->typed = typed(p, c->name, c->value, &f->value);
	f->old_typed = typed(p, c->name, c->old_value, &f->old_value);
	f->time = c->timestamp;
	f->is_change = 1;
	f->policy = !strncmp(c->name, "firewall.policy.", 16);
	f->src.file = keep(p, c->source_file);
	f->src.record_id = c->record_id;
	f->src.event_id = c->event_id;
	f->src.time = c->timestamp;
	if (!f->name || (c->value && !f->typed) || (c->old_value && !f->old_typed) || !f->src.file)
		return -1;
	h->nfacts++;
	return 0;
}

static int change_facts(adapt_priv *p)
{
	size_t i;

	for (i = 0; i < p->found.nchanges; i++) {
		const rt_change *c = &p->found.changes[i];
		host_data *h = host_named(p, c->host);

		if (h && new_fact(p, h, c))
			return -1;
	}
	return 0;
}

static int on_event(void *ctx, const rt_event *e)
{
	adapt_priv *p = ctx;
	host_data *h = host_of(p, e->host);
	rt_log_cover *l;
	size_t i;

	if (rt_detect_event(p->det, e))
		return 1;
	if (!h)
		return 0;
	for (i = h->nlogs; i-- > 0;)
		if (!strcmp(h->logs[i].file, e->source_file))
			break;
	if (i == (size_t)-1) {
		if (grow((void **)&h->logs, &h->alogs, h->nlogs, sizeof *h->logs))
			return 1;
		l = &h->logs[h->nlogs];
		memset(l, 0, sizeof *l);
		l->file = keep(p, e->source_file);
		l->channel = keep(p, e->channel);
		if (!l->file || !l->channel)
			return 1;
		h->nlogs++;
	} else {
		l = &h->logs[i];
	}
	if (e->timestamp && (!l->first || e->timestamp < l->first))
		l->first = e->timestamp;
	if (e->timestamp > l->last)
		l->last = e->timestamp;
	l->nrecords++;
	return 0;
}

static int has_hives(const rt_evidence *ev)
{
	size_t h, i;

	for (h = 0; h < ev->nhosts; h++)
		for (i = 0; i < ev->hosts[h].nartifacts; i++)
			if (ev->hosts[h].artifacts[i].kind == RT_ART_HIVE)
				return 1;
	return 0;
}

/* EVTX reading progress, in MiB, through the analysis' progress function. */
static void evtx_progress(void *ctx, uint64_t done, uint64_t total)
{
	const rt_analysis_opts *o = ctx;
	uint64_t mib = (total + (1u << 20) - 1) >> 20;

	o->progress(o->progress_ctx, "MiB of EVTX read", done >= total ? mib : done >> 20, mib);
}

int adapt_begin(rt_analysis *a, const rt_evidence *ev, const rt_analysis_opts *o, rt_diag *diag)
{
	rt_evtx_opts eo;
	adapt_priv *p = calloc(1, sizeof *p);
	rt_buf json = RT_BUF_INIT;

	if (!p)
		return -1;
	a->priv = p;
	p->ev = ev;
	p->nhosts = ev->nhosts;
	if (!(p->hosts = calloc(ev->nhosts + 1, sizeof *p->hosts)))
		return -1;
	if (has_hives(ev) && rt_config_from_evidence(ev, &p->cfg, diag))
		return -1;
	if (p->cfg) {
		if (rt_config_write_json(p->cfg, &json))
			goto oom;
		while (json.len && json.buf[json.len - 1] == '\n')
			rt_buf_truncate(&json, json.len - 1);
		if (!(a->configuration_json = rt_buf_detach(&json, NULL)))
			goto oom;
	}
	if (rt_detect_new(&p->det))
		goto oom;
	memset(&eo, 0, sizeof eo);
	eo.threads = o ? o->threads : 1;
	if (o && o->progress) {
		eo.progress = evtx_progress;
		eo.progress_ctx = (void *)o;
	}
	rt_evtx_read_evidence(ev, &eo, on_event, p, diag);
	if (rt_detect_finish(p->det, &p->found) || change_facts(p))
		goto oom;
	rt_detect_free(&p->det);
	return 0;
oom:
	rt_buf_release(&json);
	return -1;
}

static int config_facts(adapt_priv *p, const rt_cfg_host *ch, adapt_host *out)
{
	size_t i, k;

	for (i = 0; i < ch->nsettings; i++) {
		const rt_cfg_setting *st = &ch->settings[i];
		int policy = !strncmp(st->name, "firewall.policy.rule.", 21), emitted = 0;
		for (k = 0; k < st->npoints; k++) {
			const rt_cfg_point *pt = &st->points[k];
			const char *val = pt->text;
			rt_fact *f;

			if (pt->certainty == RT_CFG_DEFAULT && k == 0)
				continue;
			/* the same value seen again (bounded point, then observed) */
			if (emitted && ((!val && !out->facts[out->nfacts - 1].value) ||
					(val && out->facts[out->nfacts - 1].value &&
					 !strcmp(val, out->facts[out->nfacts - 1].value))))
				continue;
			if (grow((void **)&out->facts, &out->afacts, out->nfacts, sizeof *out->facts))
				return -1;
			f = &out->facts[out->nfacts];
			memset(f, 0, sizeof *f);
			f->name = st->name;
			f->value = val;
			f->typed = &pt->typed;
			emitted = 1;
			f->time = pt->source.last_written && pt->source.last_written < pt->time
					  ? pt->source.last_written : pt->time;
			f->policy = policy;
			f->src.file = pt->source.file;
			f->src.key = pt->source.key;
			f->src.value_name = pt->source.value_name;
			f->src.time = pt->source.last_written ? pt->source.last_written : pt->time;
			out->nfacts++;
		}
	}
	for (i = 0; i < ch->nsnapshots; i++) {
		const rt_cfg_snapshot *sn = &ch->snapshots[i];
		if (sn->certainty == RT_CFG_BACKUP)
			continue;
		if (sn->hive == RT_HIVE_SYSTEM)
			out->in.system_hive = sn->file;
		else if (sn->hive == RT_HIVE_SOFTWARE)
			out->in.software_hive = sn->file;
	}
	return 0;
}

static int finding_order(const void *x, const void *y);

/* The host's findings for the assessor (kinds as detect names them), in
 * time order. */
static int combine(adapt_priv *p, host_data *hd, const char *host)
{
	size_t i;

	for (i = rt_findings_next(&p->found, host, 0); i < p->found.n;
	     i = rt_findings_next(&p->found, host, i + 1)) {
		const rt_finding *f = &p->found.items[i];
		rt_assess_finding *a;

		if (grow((void **)&hd->all, &hd->aall, hd->nall, sizeof *hd->all))
			return -1;
		a = &hd->all[hd->nall++];
		memset(a, 0, sizeof *a);
		a->kind = rt_finding_kind_name(f->kind);
		a->time = f->timestamp;
		a->remote_ip = f->remote_ip;
		a->user = f->user;
		a->message = f->message;
		a->detail = f->object ? f->object : f->process;
		a->confidence = (int)f->confidence;
		a->direction = f->direction == RT_DIR_INBOUND ? 1 : f->direction == RT_DIR_OUTBOUND ? -1 : 0;
		a->src.file = f->source_file;
		a->src.record_id = f->record_id;
		a->src.event_id = f->event_id;
		a->src.time = f->timestamp;
	}
	if (hd->nall)
		qsort(hd->all, hd->nall, sizeof *hd->all, finding_order);
	return 0;
}

int adapt_host_build(rt_analysis *a, const rt_evidence *ev, size_t h, adapt_host *out,
		     rt_diag *diag)
{
	adapt_priv *p = a->priv;
	host_data *hd = &p->hosts[h];
	size_t i;

	memset(out, 0, sizeof *out);
	out->in.host = ev->hosts[h].name;
	if (combine(p, hd, ev->hosts[h].name))
		return -1;
	for (i = 0; p->cfg && i < p->cfg->nhosts; i++)
		if (!strcmp(p->cfg->hosts[i].name, ev->hosts[h].name) &&
		    config_facts(p, &p->cfg->hosts[i], out))
			return -1;
	for (i = 0; i < hd->nfacts; i++) {
		if (grow((void **)&out->facts, &out->afacts, out->nfacts, sizeof *out->facts))
			return -1;
		out->facts[out->nfacts++] = hd->facts[i];
	}
	out->in.facts = out->facts;
	out->in.nfacts = out->nfacts;
	out->in.logs = hd->logs;
	out->in.nlogs = hd->nlogs;
	out->in.findings = hd->all;
	out->in.nfindings = hd->nall;
	return 0;
}

static const rt_cfg_point *last_point(const rt_cfg_host *h, const char *name)
{
	const rt_cfg_setting *s = rt_cfg_find(h, name);

	return s && s->npoints ? &s->points[s->npoints - 1] : NULL;
}

int adapt_mgmt_hosts(const rt_analysis *a, rt_buf *out)
{
	const adapt_priv *p = a->priv;
	size_t i;
	int rc = 0;

	for (i = 0; p && p->cfg && i < p->cfg->nhosts; i++) {
		const rt_cfg_point *role = last_point(&p->cfg->hosts[i], "host.role");
		const rt_cfg_point *ip = last_point(&p->cfg->hosts[i], "host.ipv4");

		if (!role || !role->text || !ip || !ip->text || !rt_scope_is_literal(ip->text) ||
		    (strcmp(role->text, "domain_controller") && strcmp(role->text, "file_server")))
			continue;
		rc |= rt_buf_addf(out, "%s%s", out->len ? "," : "", ip->text);
	}
	return rc ? -1 : 0;
}

void adapt_host_release(adapt_host *ah)
{
	free(ah->facts);
	memset(ah, 0, sizeof *ah);
}

static int finding_order(const void *x, const void *y)
{
	const rt_assess_finding *a = x, *b = y;
	int r;

	if (a->time != b->time)
		return a->time < b->time ? -1 : 1;
	if ((r = strcmp(a->src.file ? a->src.file : "", b->src.file ? b->src.file : "")))
		return r;
	return a->src.record_id < b->src.record_id ? -1 : a->src.record_id > b->src.record_id;
}

int adapt_end(rt_analysis *a, rt_diag *diag)
{
	adapt_priv *p = a->priv;
	rt_buf fj = RT_BUF_INIT;
	size_t h, i, n = 0;

	for (h = 0; h < p->nhosts; h++)
		n += p->hosts[h].nall;
	if (!(a->timeline = calloc(n + 1, sizeof *a->timeline)))
		return -1;
	for (h = 0; h < p->nhosts; h++) {
		const host_data *hd = &p->hosts[h];
		const char *host = keep(p, p->ev->hosts[h].name);

		if (!host)
			return -1;
		for (i = 0; i < hd->nall; i++) {
			const rt_assess_finding *f = &hd->all[i];
			rt_report_line *l = &a->timeline[a->ntimeline++];
			const char *base = f->src.file ? strrchr(f->src.file, '/') : NULL;
			rt_buf src = RT_BUF_INIT;

			rt_buf_addf(&src, "%s #%llu", base ? base + 1 : f->src.file ? f->src.file : "",
				    (unsigned long long)f->src.record_id);
			l->host = host;
			l->time = f->time;
			l->kind = f->kind;
			l->text = f->message;
			l->source = keep(p, src.buf);
			rt_buf_release(&src);
			if (!l->source)
				return -1;
		}
	}
	/* report.json's findings: detect's timeline objects */
	if (rt_buf_addch(&fj, '['))
		goto oom;
	for (i = 0; i < p->found.n; i++) {
		size_t mark = fj.len;
		if ((i && rt_buf_addch(&fj, ',')) || ((mark = fj.len), rt_finding_jsonl(&fj, &p->found, i)))
			goto oom;
		while (fj.len > mark && fj.buf[fj.len - 1] == '\n')
			rt_buf_truncate(&fj, fj.len - 1);
	}
	a->nfindings = p->found.n;
	if (rt_buf_addch(&fj, ']') || !(a->findings_json = rt_buf_detach(&fj, NULL)))
		goto oom;
	return 0;
oom:
	rt_buf_release(&fj);
	return -1;
}

void adapt_free(rt_analysis *a)
{
	adapt_priv *p = a->priv;
	size_t i;

	free(a->timeline);
	if (!p)
		return;
	for (i = 0; i < p->nstrs; i++)
		free(p->strs[i]);
	free(p->strs);
	for (i = 0; i < p->nvals; i++) {
		rt_cfg_value_release(p->vals[i]);
		free(p->vals[i]);
	}
	free(p->vals);
	rt_config_free(&p->cfg);
	rt_detect_free(&p->det);
	rt_findings_release(&p->found);
	for (i = 0; i < p->nhosts; i++) {
		free(p->hosts[i].facts);
		free(p->hosts[i].all);
		free(p->hosts[i].logs);
	}
	free(p->hosts);
	free(p);
	a->priv = NULL;
}

int rt_analysis_timeline(const rt_analysis *a, rt_buf *out, int csv)
{
	const adapt_priv *p = a->priv;
	size_t i;

	if (csv && rt_finding_csv_header(out))
		return -1;
	for (i = 0; p && i < p->found.n; i++)
		if (csv ? rt_finding_csv(out, &p->found, i) : rt_finding_jsonl(out, &p->found, i))
			return -1;
	return 0;
}
