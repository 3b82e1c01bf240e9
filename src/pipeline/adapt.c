/*
 * The adapter between the reading modules and the assessor.
 *
 * Facts: every point of the config module's histories. A hive point says
 * the value held from its key's last-written time (when earlier than the
 * snapshot) on; "default" points that open a history are left out, since
 * the assessor applies Windows' defaults to settings a read hive lacks.
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

#include <cjson/cJSON.h>

#include "adapt.h"
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
	rt_config *cfg;
	rt_detect *det;
	rt_findings found; /* detect's findings, timeline order */
	host_data *hosts;
	size_t nhosts;
	size_t cur; /* host of the last event: events come host by host */
	char **strs;
	size_t nstrs, astrs;
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

static int new_fact(adapt_priv *p, host_data *h, const rt_event *e, const char *name,
		    const char *value, const char *old)
{
	rt_fact *f;

	if (grow((void **)&h->facts, &h->afacts, h->nfacts, sizeof *h->facts))
		return -1;
	f = &h->facts[h->nfacts];
	memset(f, 0, sizeof *f);
	f->name = keep(p, name);
	f->value = value ? keep(p, value) : NULL;
	f->old_value = old ? keep(p, old) : NULL;
	f->time = e->timestamp;
	f->is_change = 1;
	f->src.file = keep(p, e->source_file);
	f->src.record_id = e->record_id;
	f->src.event_id = e->event_id;
	f->src.time = e->timestamp;
	if (!f->name || (value && !f->value) || (old && !f->old_value) || !f->src.file)
		return -1;
	h->nfacts++;
	return 0;
}

/* The SCM's words for start types, as config names them. */
static const char *scm_start(const char *s)
{
	static const char *const map[][2] = { { "auto start", "auto" },   { "demand start", "manual" },
					      { "disabled", "disabled" }, { "boot start", "boot" },
					      { "system start", "system" } };
	size_t i;

	for (i = 0; i < sizeof map / sizeof *map; i++)
		if (rt_strcaseeq(s, map[i][0]))
			return map[i][1];
	return NULL;
}

static int change_7040(adapt_priv *p, host_data *h, const rt_event *e)
{
	const char *svc = rt_event_gets(e, "param4"), *o = scm_start(rt_event_gets(e, "param2")),
		   *n = scm_start(rt_event_gets(e, "param3"));
	char name[96];
	size_t i;

	if (!*svc || !n || strlen(svc) > 60)
		return 0;
	snprintf(name, sizeof name, "service.%s.start", svc);
	for (i = 8; name[i]; i++)
		if (name[i] >= 'A' && name[i] <= 'Z')
			name[i] = (char)(name[i] - 'A' + 'a');
	return new_fact(p, h, e, name, n, o);
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
		return new_fact(p, h, e, name, rt_strcaseeq(v, "Yes") ? "true" : "false", NULL);
	}
	return 0;
}

/* Security 4956 names every profile active from its time on
 * ([MSDOC-4956]); a value that names something else is kept as it is, so
 * that the active profile is unknown from then on. */
static int change_4956(adapt_priv *p, host_data *h, const rt_event *e)
{
	const char *v = rt_event_gets(e, "ActiveProfile");
	char list[32];

	if (!*v)
		return 0;
	if (rt_fw_profile_list(rt_fw_profile_mask(v), list, sizeof list))
		v = list;
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
	if (rt_detect_finish(p->det, &p->found))
		goto oom;
	rt_detect_free(&p->det);
	return 0;
oom:
	rt_buf_release(&json);
	return -1;
}

static int nonzero_mask(const cJSON *m)
{
	return cJSON_IsString(m) && *m->valuestring && strcmp(m->valuestring, "0.0.0.0");
}

/*
 * An interface object (config's host.interface.<guid>) as the subnets it is
 * on, "addr/mask,...", which is what LocalSubnet means to the firewall.
 * Config lists the static addresses (IPAddress, 0.0.0.0 dropped) and then
 * the DHCP one; SubnetMask is parallel to IPAddress (its 0.0.0.0 entries
 * belong to the dropped addresses). With EnableDHCP Windows ignores the
 * static list: the DHCP address is the one after the static ones and goes
 * with DhcpSubnetMask. IPv6 objects carry no prefix unless an address is
 * written with one ("fd00::7/64"); an address without a mask gives nothing.
 */
static void interface_subnets(const cJSON *obj, int v6, rt_buf *out)
{
	const cJSON *addrs = cJSON_GetObjectItem(obj, v6 ? "ipv6" : "ipv4");
	const cJSON *masks = cJSON_GetObjectItem(obj, "subnet_mask");
	const cJSON *dmask = cJSON_GetObjectItem(obj, "dhcp_subnet_mask");
	int dhcp = cJSON_IsTrue(cJSON_GetObjectItem(obj, "dhcp"));
	int na = cJSON_GetArraySize(addrs), nm = 0, i;
	const cJSON *m;

	if (!cJSON_IsArray(addrs))
		return;
	cJSON_ArrayForEach(m, masks)
		if (nonzero_mask(m))
			nm++;
	for (i = 0; i < na; i++) {
		const cJSON *a = cJSON_GetArrayItem(addrs, i);
		const char *mask = NULL;
		int k = 0;

		if (!cJSON_IsString(a))
			continue;
		if (v6) {
			if (!strchr(a->valuestring, '/'))
				continue;
		} else if (i < nm && !dhcp) {
			cJSON_ArrayForEach(m, masks)
				if (nonzero_mask(m) && k++ == i)
					break;
			mask = m ? m->valuestring : NULL;
		} else if (i == na - 1 && i >= nm && dhcp && nonzero_mask(dmask)) {
			mask = dmask->valuestring;
		}
		if (!v6 && !mask)
			continue;
		if (out->len)
			rt_buf_addch(out, ',');
		rt_buf_adds(out, a->valuestring);
		if (mask)
			rt_buf_addf(out, "/%s", mask);
	}
}

/* A config point's JSON value as the assessor's text value (NULL: absent). */
static const char *point_value(adapt_priv *p, const char *name, const rt_cfg_point *pt, int *ok)
{
	cJSON *j;
	const char *r = NULL;
	char num[32];

	*ok = 1;
	if (!strncmp(name, "firewall.rule.", 14) || !strncmp(name, "firewall.policy.rule.", 21)) {
		if (pt->value && !strcmp(pt->value, "null"))
			return NULL;
		return (r = keep(p, pt->raw ? pt->raw : "")) ? r : (*ok = 0, NULL);
	}
	if (!pt->value || !(j = cJSON_Parse(pt->value)))
		return (r = keep(p, pt->value ? pt->value : "")) ? r : (*ok = 0, NULL);
	if (cJSON_IsObject(j) && (!strncmp(name, "host.interface.", 15) ||
				  !strncmp(name, "host.interface6.", 16))) {
		rt_buf sub = RT_BUF_INIT;
		interface_subnets(j, name[14] == '6', &sub);
		r = keep(p, sub.buf ? sub.buf : "");
		rt_buf_release(&sub);
	} else if (cJSON_IsArray(j) && cJSON_GetArraySize(j) > 0) {
		cJSON *first = cJSON_GetArrayItem(j, 0);
		r = cJSON_IsString(first) ? keep(p, first->valuestring) : keep(p, pt->value);
	} else if (cJSON_IsObject(j) && cJSON_IsNumber(cJSON_GetObjectItem(j, "port"))) {
		snprintf(num, sizeof num, "%.0f", cJSON_GetObjectItem(j, "port")->valuedouble);
		r = keep(p, num);
	} else if (cJSON_IsString(j)) {
		r = keep(p, j->valuestring);
	} else if (cJSON_IsNull(j)) {
		cJSON_Delete(j);
		return NULL;
	} else {
		r = keep(p, pt->value);
	}
	cJSON_Delete(j);
	if (!r)
		*ok = 0;
	return r;
}

static int config_facts(adapt_priv *p, const rt_cfg_host *ch, adapt_host *out)
{
	size_t i, k;

	for (i = 0; i < ch->nsettings; i++) {
		const rt_cfg_setting *st = &ch->settings[i];
		int policy = !strncmp(st->name, "firewall.policy.rule.", 21), emitted = 0;
		for (k = 0; k < st->npoints; k++) {
			const rt_cfg_point *pt = &st->points[k];
			const char *val;
			rt_fact *f;
			int ok;

			if (pt->certainty == RT_CFG_DEFAULT && k == 0)
				continue;
			val = point_value(p, st->name, pt, &ok);
			if (!ok)
				return -1;
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
		if (sn->hive == RT_HIVE_SYSTEM)
			out->in.system_hive = sn->file;
		else if (sn->hive == RT_HIVE_SOFTWARE)
			out->in.software_hive = sn->file;
	}
	return 0;
}

static int finding_order(const void *x, const void *y);

/* The host's findings for the assessor: detect's (kinds as DESIGN.md names
 * them) and ours (log.cleared, winrm.config), in time order. */
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
		a->detail = f->process;
		a->src.file = f->source_file;
		a->src.record_id = f->record_id;
		a->src.event_id = f->event_id;
		a->src.time = f->timestamp;
	}
	for (i = 0; i < hd->nfinds; i++) {
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
	rt_config_free(&p->cfg);
	rt_detect_free(&p->det);
	rt_findings_release(&p->found);
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
