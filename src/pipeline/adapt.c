/*
 * The adapter between the reading modules and the assessor.
 *
 * Facts: every point of the config module's histories, with config's text
 * and typed value (no re-parsing). A hive point says the value held from
 * its key's last-written time (when earlier than the snapshot) on;
 * "default" points that open a history are left out, since the assessor
 * applies Windows' defaults to settings a read hive lacks. Change points
 * from events are a setting's name and text, typed by config's one
 * conversion (rt_cfg_value_parse).
 *
 * One pass over every host's EVTX gives each log's channel and coverage,
 * the log clears (Security 1102, System 104) and the configuration changes
 * that the hives cannot date: start type changes (7040), firewall rules
 * added, changed, deleted (2004/2005/2006 and the Windows 11 ids), firewall
 * switched on or off (4950), the active firewall profiles (4956) and the
 * networks connected with their category (NetworkProfile 10000-10002),
 * Enable-PSRemoting in a script block (4104).
 * Activity findings come from the detect module.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "adapt.h"
#include "pipeline_int.h"
#include "remtrail/config.h"
#include "remtrail/detect.h"
#include "remtrail/evtx.h"

/* An event that becomes a finding once joined with its logon. */
typedef struct host_data {
	rt_assess_finding *all; /* detect's findings and ours, by time (after build) */
	size_t nall, aall;
	rt_fact *facts;
	size_t nfacts, afacts;
	rt_log_cover *logs;
	size_t nlogs, alogs;
	rt_assess_finding *finds;
	size_t nfinds, afinds;
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

static rt_assess_finding *new_finding(adapt_priv *p, host_data *h, const rt_event *e,
				      const char *kind, const char *msg)
{
	rt_assess_finding *f;

	if (grow((void **)&h->finds, &h->afinds, h->nfinds, sizeof *h->finds))
		return NULL;
	f = &h->finds[h->nfinds];
	memset(f, 0, sizeof *f);
	f->kind = kind;
	f->time = e->timestamp;
	f->message = keep(p, msg);
	f->src.file = keep(p, e->source_file);
	f->src.record_id = e->record_id;
	f->src.event_id = e->event_id;
	f->src.time = e->timestamp;
	if (!f->message || !f->src.file)
		return NULL;
	h->nfinds++;
	return f;
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

static int new_fact(adapt_priv *p, host_data *h, const rt_event *e, const char *name,
		    const char *value, const char *old)
{
	rt_fact *f;

	if (grow((void **)&h->facts, &h->afacts, h->nfacts, sizeof *h->facts))
		return -1;
	f = &h->facts[h->nfacts];
	memset(f, 0, sizeof *f);
	f->name = keep(p, name);
	f->typed = typed(p, name, value, &f->value);
	f->old_typed = typed(p, name, old, &f->old_value);
	f->time = e->timestamp;
	f->is_change = 1;
	f->src.file = keep(p, e->source_file);
	f->src.record_id = e->record_id;
	f->src.event_id = e->event_id;
	f->src.time = e->timestamp;
	if (!f->name || (value && !f->typed) || (old && !f->old_typed) || !f->src.file)
		return -1;
	h->nfacts++;
	return 0;
}

static int change_7040(adapt_priv *p, host_data *h, const rt_event *e)
{
	const char *svc = rt_event_gets(e, "param4"), *o = rt_event_gets(e, "param2"),
		   *n = rt_event_gets(e, "param3");
	char name[96];
	size_t i;

	if (!*svc || !*n || strlen(svc) > 60)
		return 0;
	snprintf(name, sizeof name, "service.%s.start", svc);
	for (i = 8; name[i]; i++)
		if (name[i] >= 'A' && name[i] <= 'Z')
			name[i] = (char)(name[i] - 'A' + 'a');
	return new_fact(p, h, e, name, n, *o ? o : NULL);
}

/* A firewall rule event's fields as the registry rule string. */
static int change_rule(adapt_priv *p, host_data *h, const rt_event *e, int deleted)
{
	const char *id = rt_event_gets(e, "RuleId"), *ra = rt_event_gets(e, "RemoteAddresses");
	const char *lp = rt_event_gets(e, "LocalPorts"), *app = rt_event_gets(e, "ApplicationPath");
	const char *svc = rt_event_gets(e, "ServiceName"), *proto = rt_event_gets(e, "Protocol");
	rt_buf name = RT_BUF_INIT, rule = RT_BUF_INIT;
	int r;

	if (!*id)
		return 0;
	rt_buf_addf(&name, "firewall.rule.%s", id);
	if (!deleted) {
		rt_buf_addf(&rule, "v2.30|Action=%s|Active=%s|Dir=%s|",
			    !strcmp(rt_event_gets(e, "Action"), "2") ? "Block" : "Allow",
			    !strcmp(rt_event_gets(e, "Active"), "0") ? "FALSE" : "TRUE",
			    !strcmp(rt_event_gets(e, "Direction"), "2") ? "Out" : "In");
		if (*proto && strcmp(proto, "256"))
			rt_buf_addf(&rule, "Protocol=%s|", proto);
		if (*lp && strcmp(lp, "*"))
			rt_buf_addf(&rule, "LPort=%s|", lp);
		if (*ra && strcmp(ra, "*"))
			rt_buf_addf(&rule, "RA4=%s|", ra);
		if (*app)
			rt_buf_addf(&rule, "App=%s|", app);
		if (*svc)
			rt_buf_addf(&rule, "Svc=%s|", svc);
	}
	r = new_fact(p, h, e, name.buf, deleted ? NULL : rule.buf, NULL);
	rt_buf_release(&name);
	rt_buf_release(&rule);
	return r;
}

static int change_4950(adapt_priv *p, host_data *h, const rt_event *e)
{
	const char *prof = rt_event_gets(e, "ProfileChanged"), *v = rt_event_gets(e, "SettingValue");
	char name[96];

	if (!rt_strcasestr(rt_event_gets(e, "SettingType"), "Enable Windows Firewall"))
		return 0;
	if (rt_strcaseeq(prof, "Domain") || rt_strcaseeq(prof, "Private") || rt_strcaseeq(prof, "Public")) {
		snprintf(name, sizeof name, "firewall.profile.%s.enabled",
			 rt_strcaseeq(prof, "Domain") ? "domain" : rt_strcaseeq(prof, "Private") ? "private" : "public");
		return new_fact(p, h, e, name, v, NULL);
	}
	return 0;
}

/* Security 4956 names every profile active from its time on
 * ([MSDOC-4956]); a value that names something else is kept as it is, so
 * that the active profile is unknown from then on. */
static int change_4956(adapt_priv *p, host_data *h, const rt_event *e)
{
	const char *v = rt_event_gets(e, "ActiveProfile");

	if (!*v)
		return 0;
	return new_fact(p, h, e, "firewall.active_profile", v, NULL);
}

/* NetworkProfile/Operational 10000 (connected), 10001 (disconnected),
 * 10002 (category changed): fields Name, Description, Guid, Type, State,
 * Category (OTRF/OSSEM's NetworkProfile data dictionary; the message
 * strings of netprofm.dll in libyal/winevt-kb). Category is
 * NLM_NETWORK_CATEGORY: 0 public, 1 private, 2 domain authenticated. */
static int change_network(adapt_priv *p, host_data *h, const rt_event *e)
{
	static const char *const cat[] = { "public", "private", "domain" };
	const char *guid = rt_event_gets(e, "Guid"), *nm = rt_event_gets(e, "Name");
	const char *c = rt_event_gets(e, "Category");
	uint64_t n = 3;
	char name[160];
	const char *value = NULL;

	if (!*guid && !*nm)
		return 0;
	if (e->event_id != 10001) {
		if (rt_parse_u64(c, &n) || n > 2)
			return 0;
		value = cat[n];
	}
	snprintf(name, sizeof name, "network.connection.%s", *guid ? guid : nm);
	for (n = 19; *guid && name[n]; n++)
		if (name[n] >= 'A' && name[n] <= 'Z')
			name[n] = (char)(name[n] - 'A' + 'a');
	return new_fact(p, h, e, name, value, NULL);
}

static int config_changes(adapt_priv *p, host_data *h, const rt_event *e)
{
	const char *ch = e->channel;

	if (e->event_id == 7040 && rt_strcaseeq(ch, "System"))
		return change_7040(p, h, e);
	if (rt_strcasestr(ch, "Firewall With Advanced Security")) {
		switch (e->event_id) {
		case 2004: case 2005: case 2071: case 2073: case 2097:
			return change_rule(p, h, e, 0);
		case 2006: case 2052:
			return change_rule(p, h, e, 1);
		}
		return 0;
	}
	if (e->event_id == 4950 && rt_strcaseeq(ch, "Security"))
		return change_4950(p, h, e);
	if (e->event_id == 4956 && rt_strcaseeq(ch, "Security"))
		return change_4956(p, h, e);
	if (e->event_id >= 10000 && e->event_id <= 10002 &&
	    rt_strcaseeq(ch, "Microsoft-Windows-NetworkProfile/Operational"))
		return change_network(p, h, e);
	if (e->event_id == 4104 && rt_strcaseeq(ch, "Microsoft-Windows-PowerShell/Operational")) {
		const char *t = rt_event_gets(e, "ScriptBlockText");
		if (rt_strcasestr(t, "Enable-PSRemoting") || rt_strcasestr(t, "winrm quickconfig") ||
		    rt_strcasestr(t, "winrm qc")) {
			rt_buf m = RT_BUF_INIT;
			int bad;
			rt_buf_adds(&m, "Enable-PSRemoting / winrm quickconfig run: ");
			rt_buf_add(&m, t, strlen(t) > 200 ? 200 : strlen(t));
			bad = !new_finding(p, h, e, "winrm.config", m.buf);
			rt_buf_release(&m);
			return bad ? -1 : 0;
		}
	}
	return 0;
}

/* The local detector's findings and pairing state go to the host it was
 * fed, once the events move on to another host (or end). */
static int local_flush(adapt_priv *p)
{
	size_t h = p->local_host, n = 0;
	rt_pair_host *ph = NULL;
	rt_analysis_host *ah;

	p->local_host = p->nhosts;
	if (h >= p->nhosts)
		return 0;
	ah = &p->a->hosts[h];
	if (rt_detect_finish_hosts(p->local, &ah->findings, &ph, &n))
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
	if ((e->event_id == 1102 && rt_strcaseeq(e->channel, "Security")) ||
	    (e->event_id == 104 && rt_strcaseeq(e->channel, "System"))) {
		rt_assess_finding *f;
		const char *chan = e->event_id == 1102 ? "Security" : rt_event_gets(e, "Channel");
		const char *who = rt_event_gets(e, "SubjectUserName");
		rt_buf msg = RT_BUF_INIT;

		rt_buf_addf(&msg, "%s log cleared by %s", *chan ? chan : "an event", *who ? who : "an unknown user");
		f = new_finding(p, h, e, "log.cleared", msg.buf);
		rt_buf_release(&msg);
		if (!f || !(f->detail = keep(p, chan)))
			return 1;
	}
	return config_changes(p, h, e) ? 1 : 0;
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
	p->a = a;
	p->nhosts = ev->nhosts;
	p->local_host = ev->nhosts;
	p->from = o ? o->from : 0;
	p->to = o ? o->to : 0;
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
	if (rt_detect_new(&p->local))
		goto oom;
	memset(&eo, 0, sizeof eo);
	eo.threads = o ? o->threads : 1;
	eo.reader = o ? o->reader : RT_READER_AUTO;
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

static int in_window(const adapt_priv *p, uint64_t t)
{
	return (!p->from || t >= p->from) && (!p->to || t <= p->to);
}

/* The host's findings for the assessor: detect's for this host alone
 * (kinds as DESIGN.md names them) and ours (log.cleared, winrm.config),
 * inside the activity window, in time order. */
static int combine(adapt_priv *p, host_data *hd, const rt_findings *own)
{
	size_t i;

	for (i = 0; i < own->n; i++) {
		const rt_finding *f = &own->items[i];
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
		a->detail = f->process;
		a->confidence = (int)f->confidence;
		a->direction = f->direction == RT_DIR_INBOUND ? 1 : f->direction == RT_DIR_OUTBOUND ? -1 : 0;
		a->src.file = f->source_file;
		a->src.record_id = f->record_id;
		a->src.event_id = f->event_id;
		a->src.time = f->timestamp;
	}
	for (i = 0; i < hd->nfinds; i++) {
		if (!in_window(p, hd->finds[i].time))
			continue;
		if (grow((void **)&hd->all, &hd->aall, hd->nall, sizeof *hd->all))
			return -1;
		hd->all[hd->nall++] = hd->finds[i];
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
		free(p->hosts[i].finds);
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

uint64_t adapt_records(const rt_analysis *a, size_t h, const char *file)
{
	const adapt_priv *p = a->priv;
	size_t i;

	for (i = 0; p && h < p->nhosts && i < p->hosts[h].nlogs; i++)
		if (!strcmp(p->hosts[h].logs[i].file, file))
			return p->hosts[h].logs[i].nrecords;
	return 0;
}
