/*
 * Effective inbound exposure (artifacts.md 2.3.2, 5.2-5.4). For each
 * snapshot time the state combines one snapshot per hive kind: the latest
 * SYSTEM and SOFTWARE snapshots at or before that time (or the earliest one
 * when none is that old, so that a SYSTEM and a SOFTWARE hive collected
 * together are read together).
 *
 * Firewall merge law as Windows applies it: policy EnableFirewall and
 * DefaultInboundAction win over local ones when configured; local rules
 * count only while the policy's AllowLocalPolicyMerge is not 0. A block
 * rule covering any remote address beats allow rules; scoped block rules
 * are named next to the allow they cut into. MpsSvc disabled counts as the
 * firewall being off.
 */
#include "config.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_exposure.h"
#include "remtrail/fwrule.h"

const char *rt_exp_verdict_name(rt_exp_verdict v)
{
	static const char *const n[] = { "unknown", "allowed", "firewall-off", "default-allow",
					 "blocked", "default-block", "service-off" };

	return (unsigned)v < 7 ? n[v] : "unknown";
}

const char *rt_exp_target_name(rt_exp_target t)
{
	static const char *const n[] = { "winrm", "wmi", "dcom" };

	return (unsigned)t < 3 ? n[t] : "";
}

const char *rt_exp_profile_name(int p)
{
	static const char *const n[] = { "domain", "private", "public" };

	return (unsigned)p < 3 ? n[p] : "";
}

/* ----------------------------------------------------------- state view */

typedef struct rule {
	const char *id;
	const char *store;
	rt_fwrule r;
} rule;

typedef struct view {
	const rt_cfg_host *h;
	long chosen[RT_HIVE_OTHER + 1]; /* snapshot per hive kind, -1 none */
	rule *rules;
	size_t nrules;
} view;

static const rt_cfg_point *get(const view *v, const char *name)
{
	const rt_cfg_setting *s = rt_cfg_find(v->h, name);
	size_t i;

	if (!s)
		return NULL;
	for (i = 0; i < s->npoints; i++) {
		const rt_cfg_point *p = &s->points[i];
		rt_hive_kind k = v->h->snapshots[p->snapshot].hive;

		if (p->certainty != RT_CFG_BOUNDED && (unsigned)k <= RT_HIVE_OTHER &&
		    v->chosen[k] == (long)p->snapshot)
			return strcmp(p->value, "null") ? p : NULL;
	}
	return NULL;
}

/* 1 true, 0 false, -1 absent. */
static int get_bool(const view *v, const char *name)
{
	const rt_cfg_point *p = get(v, name);

	return p ? !strcmp(p->value, "true") : -1;
}

static int is_value(const view *v, const char *name, const char *json)
{
	const rt_cfg_point *p = get(v, name);

	return p && !strcmp(p->value, json);
}

static void view_choose(view *v, uint64_t t)
{
	size_t i;
	int k;

	for (k = 0; k <= RT_HIVE_OTHER; k++)
		v->chosen[k] = -1;
	for (i = 0; i < v->h->nsnapshots; i++) {
		const rt_cfg_snapshot *s = &v->h->snapshots[i];

		if ((unsigned)s->hive > RT_HIVE_OTHER)
			continue;
		/* snapshots are in time order: the last one <= t wins, else the first */
		if (s->time <= t || v->chosen[s->hive] < 0)
			v->chosen[s->hive] = (long)i;
	}
}

static int view_rules(view *v, int policy_only_merge_off)
{
	size_t i;

	for (i = 0; i < v->h->nsettings; i++) {
		const char *n = v->h->settings[i].name;
		const char *store = NULL, *id = NULL;
		const rt_cfg_point *p;
		rule *r;

		if (!strncmp(n, "firewall.rule.", 14)) {
			store = "local";
			id = n + 14;
			if (policy_only_merge_off)
				continue;
		} else if (!strncmp(n, "firewall.policy.rule.", 21)) {
			store = "policy";
			id = n + 21;
		} else {
			continue;
		}
		if (!(p = get(v, n)) || !p->raw)
			continue;
		r = realloc(v->rules, (v->nrules + 1) * sizeof(*r));
		if (!r)
			return -1;
		v->rules = r;
		r = &v->rules[v->nrules];
		r->id = id;
		r->store = store;
		rt_fwrule_parse(p->raw, strlen(p->raw), &r->r);
		v->nrules++;
	}
	return 0;
}

static void view_release(view *v)
{
	size_t i;

	for (i = 0; i < v->nrules; i++)
		rt_fwrule_release(&v->rules[i].r);
	free(v->rules);
	v->rules = NULL;
	v->nrules = 0;
}

/* ------------------------------------------------------------ matching */

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '\\');
	const char *f = strrchr(p, '/');

	if (f && (!s || f > s))
		s = f;
	return s ? s + 1 : p;
}

static int any_text(const char *s)
{
	return !s || !strcmp(s, "*") || rt_strcaseeq(s, "Any");
}

static int app_in(const char *app, const char *const *ok)
{
	size_t i;

	if (any_text(app))
		return 1;
	for (i = 0; ok[i]; i++)
		if (rt_strcaseeq(base_name(app), ok[i]) || rt_strcaseeq(app, ok[i]))
			return 1;
	return 0;
}

static int svc_in(const char *svc, const char *const *ok)
{
	size_t i;

	if (any_text(svc))
		return 1;
	for (i = 0; ok[i]; i++)
		if (rt_strcaseeq(svc, ok[i]))
			return 1;
	return 0;
}

/* Allow rules named in a reason sentence; `rules` lists them all. */
#define MAX_NAMED 3

typedef struct comp {
	const char *label;    /* "5985", "135", "RPC" */
	unsigned port;        /* 0 with rpc_dynamic */
	int rpc_dynamic;
	const char *const *apps;
	const char *const *svcs;
} comp;

static const char *const apps_system[] = { "System", "svchost.exe", NULL };
static const char *const svcs_winrm[] = { "WinRM", NULL };
static const char *const apps_svchost[] = { "svchost.exe", NULL };
static const char *const svcs_rpcss[] = { "RpcSs", NULL };
static const char *const apps_wmi[] = { "svchost.exe", "wmiprvse.exe", "unsecapp.exe", NULL };
static const char *const svcs_wmi[] = { "winmgmt", NULL };
static const char *const apps_dcom[] = { "dllhost.exe", "mmc.exe", "explorer.exe", "svchost.exe", NULL };
static const char *const svcs_dcom[] = { "COMSysApp", NULL };

static int rule_matches(const rule *r, unsigned prof, const comp *c)
{
	const rt_fwrule *f = &r->r;

	size_t i;

	if (!f->active || f->dir != RT_FW_DIR_IN || !rt_fwrule_has_profile(f, prof))
		return 0;
	/* App-container rules (AppPkgId, PFN) and trusted-tuple rules (TTK*)
	 * apply to one package or one kind of traffic, never to these services. */
	if (rt_fwrule_get(f, "AppPkgId") || rt_fwrule_get(f, "PFN"))
		return 0;
	for (i = 0; i < f->nfields; i++)
		if (rt_strncaseeq(f->fields[i].key, "TTK", 3))
			return 0;
	if (f->protocol != -1 && f->protocol != 6 && f->protocol != 256)
		return 0;
	if (c->rpc_dynamic ? !rt_fw_ports_cover_rpc_dynamic(&f->lport) : !rt_fw_ports_cover(&f->lport, c->port))
		return 0;
	return app_in(f->app, c->apps) && svc_in(f->svc, c->svcs);
}

static int any_remote(const rt_fwrule *f)
{
	size_t i;

	if (f->ra4.n == 0 && f->ra6.n == 0)
		return 1;
	for (i = 0; i < f->ra4.n; i++)
		if (f->ra4.v[i].kind == RT_FW_ADDR_ANY)
			return 1;
	for (i = 0; i < f->ra6.n; i++)
		if (f->ra6.v[i].kind == RT_FW_ADDR_ANY)
			return 1;
	return 0;
}

static void scope_text(rt_buf *b, const rt_fwrule *f)
{
	if (f->ra4.n) {
		rt_buf_adds(b, "RA4=");
		rt_fw_addrs_text(b, &f->ra4);
	}
	if (f->ra6.n) {
		if (f->ra4.n)
			rt_buf_addch(b, ' ');
		rt_buf_adds(b, "RA6=");
		rt_fw_addrs_text(b, &f->ra6);
	}
}

/* Firewall state for one profile. */
typedef struct fw {
	int known;
	const char *damage; /* the SYSTEM hive's, when that makes it unknown */
	int enabled;
	int default_allow;
	const char *why_off;
} fw;

typedef struct res {
	rt_exp_verdict v;
	rt_buf remote, rules, reason;
} res;

static void res_init(res *r)
{
	r->v = RT_EXP_UNKNOWN;
	rt_buf_init(&r->remote, 1 << 16);
	rt_buf_init(&r->rules, 1 << 16);
	rt_buf_init(&r->reason, 1 << 16);
}

static void res_release(res *r)
{
	rt_buf_release(&r->remote);
	rt_buf_release(&r->rules);
	rt_buf_release(&r->reason);
}

static void list_add(rt_buf *b, const char *s)
{
	if (b->len)
		rt_buf_addch(b, ',');
	rt_buf_adds(b, s);
}

static void eval_comp(const view *v, const fw *w, unsigned prof, const comp *c, res *out)
{
	size_t i;
	int allows = 0, blocked = 0, any = 0;
	rt_buf scoped_blocks = RT_BUF_INIT;

	if (!w->known) {
		out->v = RT_EXP_UNKNOWN;
		if (w->damage)
			rt_buf_addf(&out->reason, "firewall state unknown (SYSTEM hive damaged: %s)",
				    w->damage);
		else
			rt_buf_adds(&out->reason, "firewall state unknown (no SYSTEM hive)");
		return;
	}
	if (!w->enabled) {
		out->v = RT_EXP_FIREWALL_OFF;
		rt_buf_adds(&out->remote, "*");
		rt_buf_addf(&out->reason, "port %s open from any address: %s", c->label, w->why_off);
		return;
	}
	for (i = 0; i < v->nrules; i++) {
		const rule *r = &v->rules[i];
		rt_buf id = RT_BUF_INIT;

		if (r->r.action != RT_FW_ACTION_BLOCK || !rule_matches(r, prof, c))
			continue;
		rt_buf_addf(&id, "%s:%s", r->store, r->id);
		if (any_remote(&r->r)) {
			if (!blocked)
				rt_buf_reset(&out->rules);
			list_add(&out->rules, id.buf);
			blocked++;
		} else {
			if (scoped_blocks.len)
				rt_buf_adds(&scoped_blocks, "; ");
			rt_buf_addf(&scoped_blocks, "%s (", id.buf);
			scope_text(&scoped_blocks, &r->r);
			rt_buf_addch(&scoped_blocks, ')');
		}
		rt_buf_release(&id);
	}
	if (blocked) {
		out->v = RT_EXP_BLOCKED;
		rt_buf_addf(&out->reason, "port %s blocked by rule %s", c->label, out->rules.buf);
		rt_buf_release(&scoped_blocks);
		return;
	}
	for (i = 0; i < v->nrules; i++) {
		const rule *r = &v->rules[i];
		rt_buf id = RT_BUF_INIT;

		if ((r->r.action != RT_FW_ACTION_ALLOW && r->r.action != RT_FW_ACTION_BYPASS) ||
		    !rule_matches(r, prof, c))
			continue;
		rt_buf_addf(&id, "%s:%s", r->store, r->id);
		list_add(&out->rules, id.buf);
		if (allows < MAX_NAMED)
			rt_buf_addf(&out->reason, "%sallowed by rule %s from ", allows ? "; " : "", id.buf);
		if (any_remote(&r->r)) {
			any = 1;
			if (allows < MAX_NAMED)
				rt_buf_adds(&out->reason, "any address");
		} else {
			if (allows < MAX_NAMED)
				scope_text(&out->reason, &r->r);
			if (r->r.ra4.n)
				rt_fw_addrs_text(&out->remote, &r->r.ra4);
			if (r->r.ra6.n) {
				if (r->r.ra4.n)
					rt_buf_addch(&out->remote, ',');
				rt_fw_addrs_text(&out->remote, &r->r.ra6);
			}
			rt_buf_addch(&out->remote, ',');
		}
		allows++;
		rt_buf_release(&id);
	}
	if (allows > MAX_NAMED)
		rt_buf_addf(&out->reason, "; and %d more allow rules", allows - MAX_NAMED);
	if (allows) {
		out->v = RT_EXP_ALLOWED;
		if (any) {
			rt_buf_reset(&out->remote);
			rt_buf_adds(&out->remote, "*");
		} else if (out->remote.len) {
			rt_buf_truncate(&out->remote, out->remote.len - 1);
		}
		{
			rt_buf t = RT_BUF_INIT;

			rt_buf_addf(&t, "port %s ", c->label);
			rt_buf_add(&t, out->reason.buf, out->reason.len);
			rt_buf_reset(&out->reason);
			rt_buf_add(&out->reason, t.buf, t.len);
			rt_buf_release(&t);
		}
		if (scoped_blocks.len)
			rt_buf_addf(&out->reason, "; except as blocked by %s", scoped_blocks.buf);
	} else if (w->default_allow) {
		out->v = RT_EXP_DEFAULT_ALLOW;
		rt_buf_adds(&out->remote, "*");
		rt_buf_addf(&out->reason, "port %s allowed by the default inbound action (allow)", c->label);
	} else {
		out->v = RT_EXP_DEFAULT_BLOCK;
		rt_buf_addf(&out->reason, "port %s not allowed by any rule (default block)", c->label);
	}
	rt_buf_release(&scoped_blocks);
}

static int reachable(rt_exp_verdict v)
{
	return v == RT_EXP_ALLOWED || v == RT_EXP_FIREWALL_OFF || v == RT_EXP_DEFAULT_ALLOW;
}

/* ------------------------------------------------------------- targets */

static void fw_state(const view *v, int prof, fw *w)
{
	static const char *const names[] = { "domain", "private", "public" };
	char n[96];
	int pol, loc;
	rt_buf b;

	memset(w, 0, sizeof(*w));
	if (v->chosen[RT_HIVE_SYSTEM] < 0)
		return;
	/* a damaged hive's missing profile or rule is no proof of absence */
	if ((w->damage = v->h->snapshots[v->chosen[RT_HIVE_SYSTEM]].damage))
		return;
	w->known = 1;
	rt_buf_init(&b, sizeof(n) - 1);
	rt_buf_addf(&b, "firewall.policy.profile.%s.enabled", names[prof]);
	memcpy(n, b.buf, b.len + 1);
	pol = get_bool(v, n);
	rt_buf_reset(&b);
	rt_buf_addf(&b, "firewall.profile.%s.enabled", names[prof]);
	memcpy(n, b.buf, b.len + 1);
	loc = get_bool(v, n);
	w->enabled = pol >= 0 ? pol : loc >= 0 ? loc : 1;
	if (!w->enabled)
		w->why_off = pol == 0 ? "firewall disabled by policy" : "firewall disabled (local setting)";
	if (is_value(v, "service.mpssvc.start", "\"disabled\"")) {
		w->enabled = 0;
		w->why_off = "firewall service MpsSvc disabled";
	}
	rt_buf_reset(&b);
	rt_buf_addf(&b, "firewall.policy.profile.%s.default_inbound", names[prof]);
	memcpy(n, b.buf, b.len + 1);
	if (get(v, n))
		w->default_allow = is_value(v, n, "\"allow\"");
	else {
		rt_buf_reset(&b);
		rt_buf_addf(&b, "firewall.profile.%s.default_inbound", names[prof]);
		memcpy(n, b.buf, b.len + 1);
		w->default_allow = is_value(v, n, "\"allow\"");
	}
	rt_buf_release(&b);
}

static int merge_off(const view *v)
{
	static const char *const n[] = { "firewall.policy.profile.domain.allow_local_policy_merge",
					 "firewall.policy.profile.private.allow_local_policy_merge",
					 "firewall.policy.profile.public.allow_local_policy_merge" };
	int i;

	/* The merge switch is per profile in the registry; a rule list shared by
	 * all profiles takes the strictest reading only when all agree. */
	for (i = 0; i < 3; i++)
		if (get_bool(v, n[i]) != 0)
			return 0;
	return 1;
}

/* Combine components that must ALL be reachable (EPMap + endpoint). */
static void combine_all(res *out, res *parts, size_t n)
{
	size_t i;

	out->v = RT_EXP_ALLOWED;
	for (i = 0; i < n; i++)
		if (!reachable(parts[i].v)) {
			out->v = parts[i].v;
			break;
		}
	if (out->v == RT_EXP_ALLOWED) {
		out->v = parts[0].v;
		for (i = 1; i < n; i++)
			if (parts[i].v == RT_EXP_ALLOWED)
				out->v = RT_EXP_ALLOWED;
	}
	for (i = 0; i < n; i++) {
		if (parts[i].v == RT_EXP_UNKNOWN) {
			out->v = RT_EXP_UNKNOWN;
		}
		if (parts[i].rules.len)
			list_add(&out->rules, parts[i].rules.buf);
		if (i)
			rt_buf_adds(&out->reason, "; ");
		rt_buf_add(&out->reason, parts[i].reason.buf, parts[i].reason.len);
	}
	/* Remote addresses: the narrower side decides; name both when they differ. */
	for (i = 0; i < n; i++) {
		if (!parts[i].remote.len || !strcmp(parts[i].remote.buf, "*"))
			continue;
		if (out->remote.len)
			rt_buf_adds(&out->remote, " and ");
		rt_buf_add(&out->remote, parts[i].remote.buf, parts[i].remote.len);
	}
	if (!out->remote.len && reachable(out->v))
		rt_buf_adds(&out->remote, "*");
}

/* Any one of the components reachable is enough (several WinRM ports). */
static void combine_any(res *out, res *parts, size_t n)
{
	size_t i;
	int any = 0, blocked = 0, unknown = 0;

	for (i = 0; i < n; i++) {
		if (reachable(parts[i].v)) {
			if (!any)
				out->v = parts[i].v;
			else if (parts[i].v == RT_EXP_ALLOWED)
				out->v = RT_EXP_ALLOWED;
			any = 1;
			if (parts[i].remote.len && !strstr(out->remote.buf, parts[i].remote.buf))
				list_add(&out->remote, parts[i].remote.buf);
		}
		blocked |= parts[i].v == RT_EXP_BLOCKED;
		unknown |= parts[i].v == RT_EXP_UNKNOWN;
		if (parts[i].rules.len)
			list_add(&out->rules, parts[i].rules.buf);
		if (i)
			rt_buf_adds(&out->reason, "; ");
		rt_buf_add(&out->reason, parts[i].reason.buf, parts[i].reason.len);
	}
	if (!any)
		out->v = unknown ? RT_EXP_UNKNOWN : blocked ? RT_EXP_BLOCKED : RT_EXP_DEFAULT_BLOCK;
	if (strstr(out->remote.buf, "*")) {
		rt_buf_reset(&out->remote);
		rt_buf_adds(&out->remote, "*");
	}
}

static void service_off(res *out, const char *why)
{
	rt_buf t = RT_BUF_INIT;

	rt_buf_addf(&t, "%s (firewall: %s: ", why, rt_exp_verdict_name(out->v));
	rt_buf_add(&t, out->reason.buf, out->reason.len);
	rt_buf_addch(&t, ')');
	rt_buf_reset(&out->reason);
	rt_buf_add(&out->reason, t.buf, t.len);
	rt_buf_release(&t);
	out->v = RT_EXP_SERVICE_OFF;
	rt_buf_reset(&out->remote);
}

/* WinRM ports: every enabled listener's port; the policy listener (5985)
 * when AllowAutoConfig is on; compatibility listeners 80/443. */
static size_t winrm_ports(const view *v, unsigned *ports, size_t max, int *no_listener)
{
	size_t n = 0, i, j;

	*no_listener = 0;
	for (i = 0; i < v->h->nsettings && n < max; i++) {
		const rt_cfg_point *p;
		cJSON *o, *port, *en;

		if (strncmp(v->h->settings[i].name, "winrm.listener.", 15) ||
		    !(p = get(v, v->h->settings[i].name)))
			continue;
		if (!(o = cJSON_Parse(p->value)))
			continue;
		port = cJSON_GetObjectItemCaseSensitive(o, "port");
		en = cJSON_GetObjectItemCaseSensitive(o, "enabled");
		if (cJSON_IsNumber(port) && port->valuedouble > 0 && port->valuedouble < 65536 &&
		    !cJSON_IsFalse(en)) {
			unsigned pn = (unsigned)port->valuedouble;

			for (j = 0; j < n && ports[j] != pn; j++)
				;
			if (j == n)
				ports[n++] = pn;
		}
		cJSON_Delete(o);
	}
	if (get_bool(v, "winrm.policy.service.allow_auto_config") == 1 && n < max) {
		for (j = 0; j < n && ports[j] != 5985; j++)
			;
		if (j == n)
			ports[n++] = 5985;
	}
	if (get_bool(v, "winrm.policy.service.http_compatibility_listener") == 1 && n < max)
		ports[n++] = 80;
	if (get_bool(v, "winrm.policy.service.https_compatibility_listener") == 1 && n < max)
		ports[n++] = 443;
	if (n == 0) {
		if (v->chosen[RT_HIVE_SOFTWARE] >= 0)
			*no_listener = 1;
		ports[n++] = 5985;
		ports[n++] = 5986;
	}
	return n;
}

static void eval_winrm(const view *v, const fw *w, unsigned prof, res *out, rt_buf *ports_text)
{
	unsigned ports[32];
	res parts[32];
	comp c[32];
	char labels[32][8];
	int no_listener;
	size_t n = winrm_ports(v, ports, 30, &no_listener), i;

	for (i = 0; i < n; i++) {
		rt_buf l;

		rt_buf_init(&l, 7);
		rt_buf_addf(&l, "%u", ports[i]);
		memcpy(labels[i], l.buf, l.len + 1);
		rt_buf_release(&l);
		c[i] = (comp){ labels[i], ports[i], 0, apps_system, svcs_winrm };
		res_init(&parts[i]);
		eval_comp(v, w, prof, &c[i], &parts[i]);
		list_add(ports_text, labels[i]);
	}
	combine_any(out, parts, n);
	for (i = 0; i < n; i++)
		res_release(&parts[i]);
	if (is_value(v, "service.winrm.start", "\"disabled\""))
		service_off(out, "WinRM service disabled");
	else if (no_listener)
		service_off(out, "no WinRM listener configured");
	else if (get_bool(v, "winrm.policy.service.allow_auto_config") == 0)
		service_off(out, "WinRM policy AllowAutoConfig=0 (service does not answer remote requests)");
	else if (v->chosen[RT_HIVE_SOFTWARE] < 0 && out->v != RT_EXP_UNKNOWN)
		rt_buf_adds(&out->reason, "; listeners unknown (no SOFTWARE hive), default ports assumed");
}

/* WMI's fixed endpoint: "ncacn_ip_tcp,0,24158" in the AppID's EndPoints,
 * used only when Winmgmt runs in its own svchost group. */
static unsigned wmi_fixed_port(const view *v)
{
	const rt_cfg_point *p = get(v, "wmi.fixed_endpoint");
	const char *s;
	uint64_t port;

	if (get_bool(v, "service.winmgmt.standalone") != 1 || !p || !p->raw)
		return 0;
	if (!(s = strrchr(p->raw, ',')) || rt_parse_u64(s + 1, &port) || port == 0 || port > 65535)
		return 0;
	return (unsigned)port;
}

static void eval_rpc(const view *v, const fw *w, unsigned prof, rt_exp_target t, res *out,
		     rt_buf *ports_text)
{
	unsigned fixed = t == RT_EXP_WMI ? wmi_fixed_port(v) : 0;
	char label[16];
	comp c[2];
	res parts[2];
	int i;

	if (fixed) {
		rt_buf l;

		rt_buf_init(&l, 15);
		rt_buf_addf(&l, "%u", fixed);
		memcpy(label, l.buf, l.len + 1);
		rt_buf_release(&l);
	}
	c[0] = (comp){ "135", 135, 0, apps_svchost, svcs_rpcss };
	if (t == RT_EXP_WMI)
		c[1] = fixed ? (comp){ label, fixed, 0, apps_wmi, svcs_wmi }
			     : (comp){ "RPC", 0, 1, apps_wmi, svcs_wmi };
	else
		c[1] = (comp){ "RPC", 0, 1, apps_dcom, svcs_dcom };
	for (i = 0; i < 2; i++) {
		res_init(&parts[i]);
		eval_comp(v, w, prof, &c[i], &parts[i]);
	}
	rt_buf_addf(ports_text, "135+%s", c[1].label);
	combine_all(out, parts, 2);
	for (i = 0; i < 2; i++)
		res_release(&parts[i]);
	if (is_value(v, "service.rpcss.start", "\"disabled\""))
		service_off(out, "RpcSs disabled");
	else if (get_bool(v, "dcom.enabled") == 0)
		service_off(out, "DCOM disabled (EnableDCOM=N)");
	else if (t == RT_EXP_WMI && is_value(v, "service.winmgmt.start", "\"disabled\""))
		service_off(out, "Winmgmt service disabled");
	else if (t == RT_EXP_DCOM && is_value(v, "service.dcomlaunch.start", "\"disabled\""))
		service_off(out, "DcomLaunch service disabled");
}

static int fill(rt_cfg_reach *r, res *x, rt_buf *ports)
{
	r->verdict = x->v;
	r->reachable = x->v == RT_EXP_UNKNOWN ? -1 : reachable(x->v);
	r->ports = strdup(ports->buf);
	r->remote = strdup(x->remote.buf);
	r->rules = strdup(x->rules.buf);
	r->reason = strdup(x->reason.buf);
	return r->ports && r->remote && r->rules && r->reason ? 0 : -1;
}

int cfg_exposure_build(rt_cfg_host *h)
{
	size_t i;
	int rc = 0;

	if (!h->nsnapshots)
		return 0;
	if (!(h->exposures = calloc(h->nsnapshots, sizeof(*h->exposures))))
		return -1;
	for (i = 0; i < h->nsnapshots && !rc; i++) {
		rt_cfg_exposure *e = &h->exposures[h->nexposures++];
		view v;
		int p, t;

		memset(&v, 0, sizeof(v));
		v.h = h;
		e->time = h->snapshots[i].time;
		e->snapshot = i;
		view_choose(&v, e->time);
		if (view_rules(&v, merge_off(&v))) {
			view_release(&v);
			return -1;
		}
		for (p = 0; p < RT_EXP_NPROFILES && !rc; p++) {
			fw w;

			fw_state(&v, p, &w);
			for (t = 0; t < RT_EXP_NTARGETS && !rc; t++) {
				res x;
				rt_buf ports = RT_BUF_INIT;

				res_init(&x);
				if (t == RT_EXP_WINRM)
					eval_winrm(&v, &w, 1u << p, &x, &ports);
				else
					eval_rpc(&v, &w, 1u << p, (rt_exp_target)t, &x, &ports);
				rc = fill(&e->reach[p][t], &x, &ports);
				res_release(&x);
				rt_buf_release(&ports);
			}
		}
		view_release(&v);
	}
	return rc;
}

void cfg_exposure_release(rt_cfg_host *h)
{
	size_t i;
	int p, t;

	for (i = 0; i < h->nexposures; i++)
		for (p = 0; p < RT_EXP_NPROFILES; p++)
			for (t = 0; t < RT_EXP_NTARGETS; t++) {
				rt_cfg_reach *r = &h->exposures[i].reach[p][t];

				free(r->ports);
				free(r->remote);
				free(r->rules);
				free(r->reason);
			}
	free(h->exposures);
	h->exposures = NULL;
	h->nexposures = 0;
}
