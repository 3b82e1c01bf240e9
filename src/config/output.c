/*
 * `remtrail config` output. JSON is written by hand into an rt_buf so that
 * the bytes are stable and 64-bit times stay exact strings; setting values
 * are already JSON text. The text form groups settings the way a report
 * reads: identity, services, firewall, WinRM, DCOM/WMI, logging, exposure.
 */
#include "config.h"

#include <string.h>

#include "remtrail/config.h"
#include "remtrail/fwrule.h"

static void time_str(rt_buf *b, uint64_t t)
{
	char s[RT_TIME_MAX];

	if (!t) {
		rt_buf_adds(b, "null");
		return;
	}
	rt_time_format(t, s);
	rt_json_cstr(b, s);
}

static void jstr0(rt_buf *b, const char *s)
{
	if (s)
		rt_json_cstr(b, s);
	else
		rt_buf_adds(b, "null");
}

static void point_json(rt_buf *b, const char *name, const rt_cfg_point *p)
{
	rt_buf_adds(b, "{\"name\":");
	rt_json_cstr(b, name);
	rt_buf_adds(b, ",\"value\":");
	rt_buf_adds(b, p->value);
	rt_buf_adds(b, ",\"raw\":");
	jstr0(b, p->raw);
	rt_buf_adds(b, ",\"time\":");
	time_str(b, p->time);
	rt_buf_adds(b, ",\"certainty\":");
	rt_json_cstr(b, rt_cfg_certainty_name(p->certainty));
	rt_buf_adds(b, ",\"source\":{\"file\":");
	jstr0(b, p->source.file);
	rt_buf_adds(b, ",\"key\":");
	jstr0(b, p->source.key);
	rt_buf_adds(b, ",\"value_name\":");
	jstr0(b, p->source.value_name);
	rt_buf_adds(b, ",\"last_written\":");
	time_str(b, p->source.last_written);
	if (p->certainty == RT_CFG_EVENT)
		rt_buf_addf(b, ",\"record_id\":%llu,\"event_id\":%u",
			    (unsigned long long)p->source.record_id, (unsigned)p->source.event_id);
	rt_buf_adds(b, "},\"snapshot\":");
	if (p->snapshot == RT_CFG_NO_SNAPSHOT)
		rt_buf_adds(b, "null}");
	else
		rt_buf_addf(b, "%zu}", p->snapshot);
}

static void reach_json(rt_buf *b, const rt_cfg_reach *r)
{
	rt_buf_adds(b, "{\"verdict\":");
	rt_json_cstr(b, rt_exp_verdict_name(r->verdict));
	rt_buf_adds(b, ",\"reachable\":");
	rt_buf_adds(b, r->reachable < 0 ? "null" : r->reachable ? "true" : "false");
	rt_buf_adds(b, ",\"ports\":");
	jstr0(b, r->ports);
	rt_buf_adds(b, ",\"remote\":");
	jstr0(b, r->remote);
	rt_buf_adds(b, ",\"rules\":[");
	if (r->rules && *r->rules) {
		const char *s = r->rules;

		for (;;) {
			const char *c = strchr(s, ',');
			size_t n = c ? (size_t)(c - s) : strlen(s);

			rt_json_str(b, s, n);
			if (!c)
				break;
			rt_buf_addch(b, ',');
			s = c + 1;
		}
	}
	rt_buf_adds(b, "],\"reason\":");
	jstr0(b, r->reason);
	rt_buf_addch(b, '}');
}

int rt_config_write_json(const rt_config *c, rt_buf *b)
{
	size_t i, j, k;

	rt_buf_adds(b, "{\"schema\":\"remtrail/1\",\"hosts\":[");
	for (i = 0; i < c->nhosts; i++) {
		const rt_cfg_host *h = &c->hosts[i];

		if (i)
			rt_buf_addch(b, ',');
		rt_buf_adds(b, "{\"host\":");
		rt_json_cstr(b, h->name);
		rt_buf_adds(b, ",\"snapshots\":[");
		for (j = 0; j < h->nsnapshots; j++) {
			const rt_cfg_snapshot *s = &h->snapshots[j];

			rt_buf_adds(b, j ? ",{\"file\":" : "{\"file\":");
			rt_json_cstr(b, s->file);
			rt_buf_adds(b, ",\"hive\":");
			rt_json_cstr(b, rt_hive_kind_name(s->hive));
			rt_buf_adds(b, ",\"certainty\":");
			rt_json_cstr(b, rt_cfg_certainty_name(s->certainty));
			rt_buf_adds(b, ",\"time\":");
			time_str(b, s->time);
			rt_buf_adds(b, ",\"note\":");
			rt_json_cstr(b, s->note);
			rt_buf_addch(b, '}');
		}
		rt_buf_adds(b, "],\"settings\":[");
		for (j = 0; j < h->nsettings; j++)
			for (k = 0; k < h->settings[j].npoints; k++) {
				if (j || k)
					rt_buf_addch(b, ',');
				point_json(b, h->settings[j].name, &h->settings[j].points[k]);
			}
		rt_buf_adds(b, "],\"exposure\":[");
		for (j = 0; j < h->nexposures; j++) {
			const rt_cfg_exposure *e = &h->exposures[j];
			int p, t;

			rt_buf_adds(b, j ? ",{\"time\":" : "{\"time\":");
			time_str(b, e->time);
			rt_buf_addf(b, ",\"snapshot\":%zu,\"profiles\":[", e->snapshot);
			for (p = 0; p < RT_EXP_NPROFILES; p++) {
				rt_buf_adds(b, p ? ",{\"profile\":" : "{\"profile\":");
				rt_json_cstr(b, rt_exp_profile_name(p));
				for (t = 0; t < RT_EXP_NTARGETS; t++) {
					rt_buf_addch(b, ',');
					rt_json_cstr(b, rt_exp_target_name((rt_exp_target)t));
					rt_buf_addch(b, ':');
					reach_json(b, &e->reach[p][t]);
				}
				rt_buf_addch(b, '}');
			}
			rt_buf_adds(b, "]}");
		}
		rt_buf_adds(b, "]}");
	}
	rt_buf_adds(b, "]}\n");
	return b->len && b->buf[b->len - 1] == '\n' ? 0 : -1;
}

/* ------------------------------------------------------------------ text */

static int has_prefix(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

/* Rules that matter for WinRM/WMI/DCOM: those the firewall model matches
 * (or may match) to a leg of one of them, whatever their action. */
static int rule_relevant(const char *id, const rt_cfg_point *p)
{
	(void)id;
	return p->typed.type == RT_CFG_V_RULE && p->typed.rule && rt_winfw_rule_relevant(p->typed.rule);
}

static const rt_cfg_point *latest(const rt_cfg_setting *s)
{
	size_t i;

	for (i = s->npoints; i-- > 0;)
		if (s->points[i].certainty != RT_CFG_BOUNDED)
			return &s->points[i];
	return s->npoints ? &s->points[s->npoints - 1] : NULL;
}

static void source_text(rt_buf *b, const rt_cfg_point *p)
{
	char t[RT_TIME_MAX];

	rt_buf_adds(b, "      source: ");
	if (p->certainty == RT_CFG_EVENT) {
		const char *base = p->source.file ? strrchr(p->source.file, '/') : NULL;

		rt_text_cstr(b, base ? base + 1 : p->source.file);
		rt_buf_addf(b, " #%llu (event %u)\n", (unsigned long long)p->source.record_id,
			    (unsigned)p->source.event_id);
		return;
	}
	rt_text_cstr(b, p->source.key);
	if (p->source.value_name) {
		rt_buf_addch(b, '\\');
		rt_text_cstr(b, p->source.value_name);
	}
	if (p->source.last_written) {
		rt_time_format(p->source.last_written, t);
		rt_buf_addf(b, " (key written %s)", t);
	}
	rt_buf_addch(b, '\n');
}

static void setting_text(rt_buf *b, const rt_cfg_setting *s)
{
	const rt_cfg_point *p = latest(s);
	char t[RT_TIME_MAX];
	size_t i;
	int changes = 0;

	if (!p)
		return;
	/* names and raw data come from the hive: escaped (values are JSON) */
	rt_buf_adds(b, "    ");
	rt_text_cstr(b, s->name);
	rt_buf_adds(b, " = ");
	rt_text_cstr(b, p->value);
	if (p->raw && strcmp(p->raw, p->value) && has_prefix(s->name, "firewall.") &&
	    strstr(s->name, ".rule.")) {
		rt_buf_adds(b, "\n      rule: ");
		rt_text_cstr(b, p->raw);
	}
	rt_time_format(p->time, t);
	rt_buf_addf(b, "\n      %s at %s\n", rt_cfg_certainty_name(p->certainty), t);
	source_text(b, p);
	for (i = 1; i < s->npoints; i++)
		changes |= strcmp(s->points[i].value, s->points[0].value) != 0;
	if (changes || s->npoints > 2)
		for (i = 0; i < s->npoints; i++) {
			rt_time_format(s->points[i].time, t);
			rt_buf_addf(b, "      history: %s %-20s ", t,
				    rt_cfg_certainty_name(s->points[i].certainty));
			rt_text_cstr(b, s->points[i].value);
			rt_buf_addch(b, '\n');
		}
}

/* WinRM, WMI and DCOM rules by their predefined ids come before the rest. */
static int rule_first(const char *id)
{
	return rt_strncaseeq(id, "WINRM", 5) || rt_strncaseeq(id, "WMI", 3) ||
	       rt_strncaseeq(id, "ComPlus", 7);
}

static void section(rt_buf *b, const rt_cfg_host *h, const char *title, const char *const *prefixes,
		    int rules_mode)
{
	size_t i, j, shown = 0, hidden = 0;
	int pass;

	for (pass = 0; pass < (rules_mode ? 2 : 1); pass++)
		for (i = 0; i < h->nsettings; i++) {
			const rt_cfg_setting *s = &h->settings[i];
			int match = 0;

			for (j = 0; prefixes[j] && !match; j++)
				match = has_prefix(s->name, prefixes[j]);
			if (!match)
				continue;
			if (rules_mode) {
				const char *id = strstr(s->name, ".rule.") + 6;
				const rt_cfg_point *p = latest(s);

				if (rule_first(id) != !pass)
					continue;
				if (!p || !rule_relevant(id, p)) {
					hidden++;
					continue;
				}
			}
			if (!shown++)
				rt_buf_addf(b, "  %s\n", title);
			setting_text(b, s);
		}
	if (rules_mode && hidden)
		rt_buf_addf(b, "  %s: %zu other rules not shown (use --format json)\n", title, hidden);
}

static int same_exposure(const rt_cfg_exposure *a, const rt_cfg_exposure *b)
{
	int p, t;

	for (p = 0; p < RT_EXP_NPROFILES; p++)
		for (t = 0; t < RT_EXP_NTARGETS; t++)
			if (a->reach[p][t].verdict != b->reach[p][t].verdict ||
			    strcmp(a->reach[p][t].remote, b->reach[p][t].remote) ||
			    strcmp(a->reach[p][t].rules, b->reach[p][t].rules))
				return 0;
	return 1;
}

static void exposure_text(rt_buf *b, const rt_cfg_host *h)
{
	size_t i;
	char t[RT_TIME_MAX];

	rt_buf_adds(b, "  Exposure (inbound, per firewall profile)\n");
	for (i = 0; i < h->nexposures; i++) {
		const rt_cfg_exposure *e = &h->exposures[i];
		int p, k;

		rt_time_format(e->time, t);
		rt_buf_addf(b, "    at %s (snapshot %zu, %s %s)", t, e->snapshot,
			    rt_cfg_certainty_name(h->snapshots[e->snapshot].certainty),
			    rt_hive_kind_name(h->snapshots[e->snapshot].hive));
		if (i && same_exposure(e, &h->exposures[i - 1])) {
			rt_buf_adds(b, ": unchanged\n");
			continue;
		}
		rt_buf_addch(b, '\n');
		for (p = 0; p < RT_EXP_NPROFILES; p++)
			for (k = 0; k < RT_EXP_NTARGETS; k++) {
				const rt_cfg_reach *r = &e->reach[p][k];

				rt_buf_addf(b, "      %-7s %-5s %-13s ports %s", rt_exp_profile_name(p),
					    rt_exp_target_name((rt_exp_target)k), rt_exp_verdict_name(r->verdict),
					    r->ports);
				if (r->reachable == 1) {
					rt_buf_adds(b, " from ");
					rt_text_cstr(b, *r->remote ? r->remote : "*");
				}
				rt_buf_adds(b, "\n        ");
				rt_text_cstr(b, r->reason);
				rt_buf_addch(b, '\n');
			}
	}
}

int rt_config_write_text(const rt_config *c, rt_buf *b)
{
	static const char *const identity[] = { "host.", NULL };
	static const char *const services[] = { "service.", NULL };
	static const char *const profiles[] = { "firewall.profile.", "firewall.policy.profile.", NULL };
	static const char *const rules[] = { "firewall.rule.", "firewall.policy.rule.", NULL };
	static const char *const winrm[] = { "winrm.", NULL };
	static const char *const dcom[] = { "dcom.", "rpc.", NULL };
	static const char *const wmi[] = { "wmi.", NULL };
	static const char *const uac[] = { "uac.", NULL };
	static const char *const logging[] = { "powershell.", "user.", NULL };
	size_t i, j;
	char t[RT_TIME_MAX];

	if (!c->nhosts)
		rt_buf_adds(b, "no SYSTEM, SOFTWARE or NTUSER hive found\n");
	for (i = 0; i < c->nhosts; i++) {
		const rt_cfg_host *h = &c->hosts[i];

		rt_buf_addf(b, "%sHost ", i ? "\n" : "");
		rt_text_cstr(b, h->name);
		rt_buf_adds(b, "\n  Snapshots\n");
		for (j = 0; j < h->nsnapshots; j++) {
			const rt_cfg_snapshot *s = &h->snapshots[j];

			rt_time_format(s->time, t);
			rt_buf_addf(b, "    [%zu] %s %-8s %-8s ", j, t, rt_cfg_certainty_name(s->certainty),
				    rt_hive_kind_name(s->hive));
			rt_path_cstr(b, s->file);
			rt_buf_adds(b, *s->note ? " - " : "");
			rt_text_cstr(b, s->note);
			rt_buf_addch(b, '\n');
		}
		section(b, h, "Identity", identity, 0);
		section(b, h, "Services", services, 0);
		section(b, h, "Firewall profiles", profiles, 0);
		section(b, h, "Firewall rules (WinRM/WMI/DCOM relevant)", rules, 1);
		section(b, h, "WinRM", winrm, 0);
		section(b, h, "DCOM", dcom, 0);
		section(b, h, "WMI", wmi, 0);
		section(b, h, "Remote UAC", uac, 0);
		section(b, h, "PowerShell logging", logging, 0);
		exposure_text(b, h);
	}
	return 0;
}
