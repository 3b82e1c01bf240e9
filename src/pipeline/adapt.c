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
#include "pipeline_int.h"
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
	rt_analysis *a;
	rt_config *cfg;
	rt_detect *local; /* one host at a time: its findings alone */
	size_t local_host; /* host the local detector is fed (nhosts: none) */
	uint64_t from, to; /* activity window (0: open) */
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
	if (pl_grow((void **)&p->vals, &p->avals, p->nvals, sizeof *p->vals) || !(v = calloc(1, sizeof *v)))
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

	if (pl_grow((void **)&h->facts, &h->afacts, h->nfacts, sizeof *h->facts))
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

/* The change points of the findings list `f` (from one evidence host's
 * logs) as facts of the hosts they name: a forwarded log's records may be
 * another evidence host's, or a computer's that is not in the evidence. */
static int change_facts(adapt_priv *p, const rt_findings *f, size_t from)
{
	size_t i;

	for (i = from; i < f->nchanges; i++) {
		const rt_change *c = &f->changes[i];
		host_data *h = host_named(p, c->host);

		if (h && new_fact(p, h, c))
			return -1;
	}
	return 0;
}

/* The local detector's findings and pairing state go to the host it was
 * fed, once the events move on to another host (or end). */
static int local_flush(adapt_priv *p)
{
	size_t h = p->local_host, n = 0, nch;
	rt_pair_host *ph = NULL;
	rt_analysis_host *ah;

	p->local_host = p->nhosts;
	if (h >= p->nhosts)
		return 0;
	ah = &p->a->hosts[h];
	nch = ah->findings.nchanges;
	if (rt_detect_finish_hosts(p->local, &ah->findings, &ph, &n) ||
	    change_facts(p, &ah->findings, nch))
		return -1;
	/* events come host by host: one segment (a host seen again would be
	 * a second one, and only the first would count) */
	if (n && !ah->pairing) {
		if (!(ah->pairing = malloc(sizeof *ah->pairing))) {
			rt_pair_hosts_free(ph, n);
			return -1;
		}
		*ah->pairing = ph[0];
		memset(&ph[0], 0, sizeof ph[0]);
	}
	rt_pair_hosts_free(ph, n);
	return 0;
}

static int on_event(void *ctx, const rt_event *e)
{
	adapt_priv *p = ctx;
	host_data *h = host_of(p, e->host);
	rt_log_cover *l;
	size_t i;

	if (!h)
		return 0;
	if ((size_t)(h - p->hosts) != p->local_host && local_flush(p))
		return 1;
	p->local_host = (size_t)(h - p->hosts);
	if (rt_detect_event(p->local, e))
		return 1;
	for (i = h->nlogs; i-- > 0;)
		if (!strcmp(h->logs[i].file, e->source_file))
			break;
	if (i == (size_t)-1) {
		if (pl_grow((void **)&h->logs, &h->alogs, h->nlogs, sizeof *h->logs))
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

	if (!p)
		return -1;
	a->priv = p;
	p->ev = ev;
	p->a = a;
	p->nhosts = ev->nhosts;
	p->local_host = ev->nhosts;
	p->from = o ? o->from : 0;
	p->to = o ? o->to : 0;
	if (!(p->hosts = calloc(ev->nhosts + 1, sizeof *p->hosts)))
		return -1;
	if (has_hives(ev) && rt_config_from_evidence(ev, &p->cfg, diag))
		return -1;
	if (rt_detect_new(&p->local))
		goto oom;
	memset(&eo, 0, sizeof eo);
	eo.threads = o ? o->threads : 1;
	eo.reader = o ? o->reader : RT_READER_AUTO;
	eo.pre = rt_detect_pre;
	eo.pre_ctx = p->local;
	if (o && o->progress) {
		eo.progress = evtx_progress;
		eo.progress_ctx = (void *)o;
	}
	rt_evtx_read_evidence(ev, &eo, on_event, p, diag);
	if (local_flush(p))
		goto oom;
	rt_detect_free(&p->local);
	return 0;
oom:
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
			if (pl_grow((void **)&out->facts, &out->afacts, out->nfacts, sizeof *out->facts))
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
		if (sn->certainty == RT_CFG_BACKUP || sn->certainty == RT_CFG_SHADOW)
			continue;
		if (sn->hive == RT_HIVE_SYSTEM) {
			out->in.system_hive = sn->file;
			out->in.system_damage = sn->damage;
		} else if (sn->hive == RT_HIVE_SOFTWARE) {
			out->in.software_hive = sn->file;
			out->in.software_damage = sn->damage;
		}
	}
	return 0;
}

static int finding_order(const void *x, const void *y);

/* The host's findings for the assessor: detect's for this host alone
 * (kinds as detect names them), in time order. */
static int combine(adapt_priv *p, host_data *hd, const rt_findings *own)
{
	size_t i;

	for (i = 0; i < own->n; i++) {
		const rt_finding *f = &own->items[i];
		rt_assess_finding *a;

		if (pl_grow((void **)&hd->all, &hd->aall, hd->nall, sizeof *hd->all))
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
	if (combine(p, hd, &a->hosts[h].findings))
		return -1;
	for (i = 0; p->cfg && i < p->cfg->nhosts; i++)
		if (!strcmp(p->cfg->hosts[i].name, ev->hosts[h].name) &&
		    config_facts(p, &p->cfg->hosts[i], out))
			return -1;
	for (i = 0; i < hd->nfacts; i++) {
		if (pl_grow((void **)&out->facts, &out->afacts, out->nfacts, sizeof *out->facts))
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

int adapt_mgmt_hosts(const rt_analysis *a, rt_buf *out)
{
	const adapt_priv *p = a->priv;

	return p ? pl_cfg_mgmt_hosts(p->cfg, out) : 0;
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

void adapt_free(rt_analysis *a)
{
	adapt_priv *p = a->priv;
	size_t i;

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
	rt_detect_free(&p->local);
	for (i = 0; i < p->nhosts; i++) {
		free(p->hosts[i].facts);
		free(p->hosts[i].all);
		free(p->hosts[i].logs);
	}
	free(p->hosts);
	free(p);
	a->priv = NULL;
}

const rt_config *adapt_config(const rt_analysis *a)
{
	const adapt_priv *p = a->priv;

	return p ? p->cfg : NULL;
}

rt_config *adapt_config_mut(rt_analysis *a)
{
	adapt_priv *p = a->priv;

	if (p && !p->cfg)
		p->cfg = calloc(1, sizeof *p->cfg);
	return p ? p->cfg : NULL;
}

uint64_t adapt_records(const rt_analysis *a, size_t h, const char *file)
{
	const adapt_priv *p = a->priv;
	size_t i;

	for (i = 0; p && h < p->nhosts && i < p->hosts[h].nlogs; i++)
		if (!strcmp(p->hosts[h].logs[i].file, file))
			return p->hosts[h].logs[i].nrecords;
	return 0;
}
