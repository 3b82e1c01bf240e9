/*
 * Effective inbound exposure at each snapshot time (artifacts.md 2.3.2,
 * 5.2-5.4). The state combines one snapshot per hive kind: the latest
 * SYSTEM and SOFTWARE snapshots at or before that time (or the earliest one
 * when none is that old, so that a SYSTEM and a SOFTWARE hive collected
 * together are read together). Each protocol is then judged on each
 * profile by rt_cfg_state_path: the firewall model for every leg of the
 * protocol and the service side, exactly as the assessor judges it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cfg_exposure.h"

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
	return rt_fw_profile_name(p);
}

/* The snapshot chosen for each hive kind at `t`, -1 for none. */
static void choose(const rt_cfg_host *h, uint64_t t, long chosen[RT_HIVE_OTHER + 1])
{
	size_t i;
	int k;

	for (k = 0; k <= RT_HIVE_OTHER; k++)
		chosen[k] = -1;
	for (i = 0; i < h->nsnapshots; i++) {
		const rt_cfg_snapshot *s = &h->snapshots[i];

		if ((unsigned)s->hive > RT_HIVE_OTHER)
			continue;
		/* snapshots are in time order: the last one <= t wins, else the first */
		if (s->time <= t || chosen[s->hive] < 0)
			chosen[s->hive] = (long)i;
	}
}

/* Every setting as the chosen snapshot of its hive saw it. */
static void fill(const rt_cfg_host *h, const long chosen[RT_HIVE_OTHER + 1], rt_cfg_state *st)
{
	size_t i, k;

	for (i = 0; i < h->nsettings; i++) {
		const rt_cfg_setting *s = &h->settings[i];

		for (k = 0; k < s->npoints; k++) {
			const rt_cfg_point *p = &s->points[k];
			rt_hive_kind kind = h->snapshots[p->snapshot].hive;

			if (p->certainty != RT_CFG_BOUNDED && (unsigned)kind <= RT_HIVE_OTHER &&
			    chosen[kind] == (long)p->snapshot) {
				rt_cfg_state_set(st, s->name, &p->typed, 1, p);
				break;
			}
		}
	}
}

static rt_exp_verdict verdict_of(const rt_cfg_path *p)
{
	const rt_winfw_reach *r = &p->fw;
	size_t k;
	int all_default = 1, blocked = 0;

	if (p->closed_by)
		return RT_EXP_SERVICE_OFF;
	if (p->open == RT_WINFW_OPEN_UNKNOWN)
		return RT_EXP_UNKNOWN;
	if (r->nlegs && r->legs[0].d.verdict == RT_WINFW_OFF)
		return RT_EXP_FIREWALL_OFF;
	for (k = 0; k < r->nlegs; k++) {
		const rt_winfw_decision *d = &r->legs[k].d;

		if (d->verdict == RT_WINFW_ALLOWED)
			all_default = 0;
		if (d->verdict == RT_WINFW_BLOCKED && (int)r->legs[k].leg->group == r->closing_group)
			blocked = 1;
	}
	if (p->open == RT_WINFW_CLOSED)
		return blocked ? RT_EXP_BLOCKED : RT_EXP_DEFAULT_BLOCK;
	return all_default ? RT_EXP_DEFAULT_ALLOW : RT_EXP_ALLOWED;
}

static int rule_id(const rt_winfw_rule *r, void *ctx)
{
	rt_buf *b = ctx;

	rt_buf_addf(b, "%s%s:%s", b->len ? "," : "", r->store == RT_WINFW_POLICY ? "policy" : "local", r->id);
	return 0;
}

static void ports_text(const rt_cfg_path *p, rt_exp_target t, rt_buf *b)
{
	size_t i;

	if (t == RT_PROTO_WINRM) {
		for (i = 0; i < p->host.nwinrm_ports; i++)
			rt_buf_addf(b, "%s%u", i ? "," : "", p->host.winrm_ports[i]);
	} else if (t == RT_PROTO_WMI && p->host.wmi_port) {
		rt_buf_addf(b, "135+%u", p->host.wmi_port);
	} else {
		rt_buf_adds(b, "135+RPC");
	}
}

static int fill_reach(rt_cfg_reach *r, const rt_cfg_path *p, rt_exp_target t)
{
	rt_buf ports = RT_BUF_INIT, remote = RT_BUF_INIT, rules = RT_BUF_INIT, reason = RT_BUF_INIT;
	size_t i;
	int rc = 0;

	r->verdict = verdict_of(p);
	r->reachable = p->open == RT_WINFW_CLOSED ? 0
		       : p->open == RT_WINFW_OPEN_ANY || p->open == RT_WINFW_OPEN_SCOPED ? 1
											   : -1;
	ports_text(p, t, &ports);
	if (p->open == RT_WINFW_OPEN_ANY)
		rt_buf_adds(&remote, "*");
	else if (p->open == RT_WINFW_OPEN_SCOPED)
		for (i = 0; i < p->fw.nscopes; i++)
			rt_buf_addf(&remote, "%s%s", i ? " and " : "", p->fw.scopes[i].buf);
	rt_winfw_reach_rules(&p->fw, rule_id, &rules);
	if (p->closed_by) {
		rt_buf_addf(&reason, "%s (firewall: ", p->closed_by);
		rc |= rt_winfw_reach_text(&p->fw, &reason);
		rt_buf_addch(&reason, ')');
	} else {
		rc |= rt_winfw_reach_text(&p->fw, &reason);
		if (p->filtered)
			rt_buf_adds(&reason, "; WinRM policy IPv4Filter/IPv6Filter narrow it");
		if (p->unknown_why && p->open != RT_WINFW_CLOSED)
			rt_buf_addf(&reason, "; %s", p->unknown_why);
	}
	r->ports = rt_buf_detach(&ports, NULL);
	r->remote = rt_buf_detach(&remote, NULL);
	r->rules = rt_buf_detach(&rules, NULL);
	r->reason = rt_buf_detach(&reason, NULL);
	return rc || !r->ports || !r->remote || !r->rules || !r->reason ? -1 : 0;
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
		long chosen[RT_HIVE_OTHER + 1];
		rt_cfg_state st;
		int p, t;

		e->time = h->snapshots[i].time;
		e->snapshot = i;
		choose(h, e->time, chosen);
		/* a damaged hive's missing profile or rule is no proof of
		 * absence: reason as without it (its snapshot note says why) */
		rt_cfg_state_init(&st,
				  chosen[RT_HIVE_SYSTEM] >= 0 &&
					  !h->snapshots[chosen[RT_HIVE_SYSTEM]].damage,
				  chosen[RT_HIVE_SOFTWARE] >= 0 &&
					  !h->snapshots[chosen[RT_HIVE_SOFTWARE]].damage);
		fill(h, chosen, &st);
		for (p = 0; p < RT_EXP_NPROFILES && !rc; p++)
			for (t = 0; t < RT_EXP_NTARGETS && !rc; t++) {
				rt_cfg_path path;

				rc = rt_cfg_state_path(&st, p, (rt_proto)t, NULL, &path);
				if (!rc)
					rc = fill_reach(&e->reach[p][t], &path, (rt_exp_target)t);
				rt_cfg_path_release(&path);
			}
		rt_cfg_state_release(&st);
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
