/*
 * Countermeasure verdicts (artifacts.md §5). The period is cut at every
 * fact's time, each piece is judged by the decision table of each
 * countermeasure, equal neighbours are merged, and then every finding is
 * placed in its interval to tell bypass from blocked attempt from permitted
 * use. Decisions are deliberately conservative: a missing artifact makes a
 * state unknown rather than a guess, and each state cites what it rests on.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "assess_int.h"

typedef struct lookup_val {
	int known;
	const char *value;    /* NULL: absent */
	const rt_fact *fact;  /* the point it comes from, or NULL */
	int before;           /* value is the old_value of `fact` */
} lookup_val;

typedef struct actx {
	const rt_assess_input *in;
	const rt_assess_opts *opts;
	const rt_fact **facts; /* sorted by name, then time */
	size_t nfacts;
	const rt_assess_finding **finds; /* sorted by time */
	size_t nfinds;
} actx;

/* What one piece of time looks like for one countermeasure. */
typedef struct seg {
	rt_cm_state state;
	rt_buf why;
	rt_evidence_list basis;
	rt_buf scope;   /* allowed remote scope when restricted by address */
	rt_buf local;   /* what LocalSubnet in `scope` stands for */
	int conflict;   /* policy and local settings disagree */
	unsigned alt_port; /* a non-default port is open for the protocol */
	rt_buf note;    /* appended to `why`: what the verdict leaves aside */
} seg;

typedef struct fw_view {
	int known;
	int on, off, unknown; /* profiles judged: the active ones when known, else all */
	int default_allow;
	int has_policy;
	int merge;            /* local rules applied */
	int conflict;
	unsigned active;      /* RT_FW_* mask of the active profiles; 0: not recorded */
	unsigned seen;        /* profiles of networks seen connected (NetworkProfile) */
	const rt_fact *active_fact;
	unsigned off_mask, allow_mask;        /* judged profiles off / default allow */
	unsigned inactive_off, inactive_allow; /* profiles not active that are */
	int disagree;         /* profiles differ in on/off or default inbound */
} fw_view;

static const char *const profile_names[] = { "domain", "private", "public" };

/* ----------------------------------------------------------- small helpers */

static int parse_bool(const char *v)
{
	static const char *const yes[] = { "true", "1", "yes", "y", "on", "0x1", "0x00000001" };
	static const char *const no[] = { "false", "0", "no", "n", "off", "0x0", "0x00000000" };
	size_t i;

	if (!v)
		return -1;
	for (i = 0; i < sizeof yes / sizeof *yes; i++)
		if (rt_strcaseeq(v, yes[i]))
			return 1;
	for (i = 0; i < sizeof no / sizeof *no; i++)
		if (rt_strcaseeq(v, no[i]))
			return 0;
	return -1;
}

static const char *sys_or_soft(const actx *c, const char *name)
{
	if (!strncmp(name, "service.", 8) || !strncmp(name, "firewall.profile.", 17) ||
	    !strncmp(name, "firewall.rule.", 14) || !strncmp(name, "host.", 5))
		return c->in->system_hive;
	return c->in->software_hive;
}

static int fact_cmp(const void *a, const void *b)
{
	const rt_fact *x = *(const rt_fact *const *)a, *y = *(const rt_fact *const *)b;
	int r = strcmp(x->name ? x->name : "", y->name ? y->name : "");

	if (r)
		return r;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	if (x->src.record_id != y->src.record_id)
		return x->src.record_id < y->src.record_id ? -1 : 1;
	return strcmp(x->src.file ? x->src.file : "", y->src.file ? y->src.file : "");
}

static int find_cmp(const void *a, const void *b)
{
	const rt_assess_finding *x = *(const rt_assess_finding *const *)a,
				*y = *(const rt_assess_finding *const *)b;
	int r;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	if ((r = strcmp(x->kind ? x->kind : "", y->kind ? y->kind : "")))
		return r;
	if ((r = strcmp(x->src.file ? x->src.file : "", y->src.file ? y->src.file : "")))
		return r;
	return x->src.record_id < y->src.record_id ? -1 : x->src.record_id > y->src.record_id;
}

/* Index of the first fact whose name is >= `name` (or has it as a prefix). */
static size_t lower_bound(const actx *c, const char *name)
{
	size_t lo = 0, hi = c->nfacts;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(c->facts[mid]->name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static lookup_val lookup(const actx *c, const char *name, uint64_t t)
{
	lookup_val v = { 0, NULL, NULL, 0 };
	size_t i = lower_bound(c, name), first = i;

	for (; i < c->nfacts && !strcmp(c->facts[i]->name, name); i++)
		if (c->facts[i]->time <= t) {
			v.known = 1;
			v.value = c->facts[i]->value;
			v.fact = c->facts[i];
		}
	if (v.fact)
		return v;
	if (first < c->nfacts && !strcmp(c->facts[first]->name, name)) {
		/* a change event dated like a snapshot point tells what was before */
		for (i = first; i < c->nfacts && !strcmp(c->facts[i]->name, name) &&
				c->facts[i]->time == c->facts[first]->time;
		     i++)
			if (c->facts[i]->is_change)
				break;
		if (i < c->nfacts && !strcmp(c->facts[i]->name, name) &&
		    c->facts[i]->time == c->facts[first]->time)
			first = i;
		v.fact = c->facts[first];
		if (v.fact->is_change) {
			v.known = 1;
			v.value = v.fact->old_value;
			v.before = 1;
		}
		return v;
	}
	v.known = sys_or_soft(c, name) != NULL;
	return v;
}

static void lookup3(const actx *c, uint64_t t, lookup_val *v, const char *a, const char *b,
		    const char *d)
{
	char name[160];

	snprintf(name, sizeof name, "%s%s%s", a, b, d);
	*v = lookup(c, name, t);
}

/* A fact's or finding's source, dated by the fact/finding when the source
 * itself carries no time. */
static rt_source dated(rt_source s, uint64_t t)
{
	if (!s.time)
		s.time = t;
	return s;
}

/* Cite a looked-up setting in `l`. */
static int cite(const actx *c, rt_evidence_list *l, const char *name, const lookup_val *v)
{
	char when[RT_TIME_MAX];
	rt_source fs;

	if (v->fact)
		fs = dated(v->fact->src, v->fact->time);

	if (v->fact && v->before) {
		rt_time_format(v->fact->time, when);
		if (v->value)
			return ev_addf(l, &fs, NULL, NULL, "%s = %s before the change at %s",
				       name, v->value, when);
		return ev_addf(l, &fs, NULL, NULL, "%s absent before the change at %s", name,
			       when);
	}
	if (v->fact) {
		if (v->value)
			return ev_addf(l, &fs, NULL, NULL, "%s = %s", name, v->value);
		return ev_addf(l, &fs, NULL, NULL, "%s removed", name);
	}
	{
		rt_source s;
		memset(&s, 0, sizeof s);
		s.file = sys_or_soft(c, name);
		return ev_addf(l, &s, NULL, NULL, "%s not set", name);
	}
}

static void seg_init(seg *s)
{
	memset(s, 0, sizeof *s);
	rt_buf_init(&s->why, 0);
	rt_buf_init(&s->scope, 0);
	rt_buf_init(&s->local, 0);
	rt_buf_init(&s->note, 0);
}

static void seg_release(seg *s)
{
	rt_buf_release(&s->why);
	rt_buf_release(&s->scope);
	rt_buf_release(&s->local);
	rt_buf_release(&s->note);
	ev_release(&s->basis);
}

static void set_state(seg *s, rt_cm_state st, const char *why)
{
	s->state = st;
	rt_buf_reset(&s->why);
	rt_buf_adds(&s->why, why);
}

/* Why what a hive would say is unknown: "SYSTEM hive missing" or
 * "SYSTEM hive damaged (lacks ...)". */
static const char *hive_gap(const actx *c, int system, char *buf, size_t n)
{
	const char *dmg = system ? c->in->system_damage : c->in->software_damage;

	snprintf(buf, n, "%s hive %s%s%s", system ? "SYSTEM" : "SOFTWARE",
		 dmg ? "damaged (" : "missing", dmg ? dmg : "", dmg ? ")" : "");
	return buf;
}

/* Unknown because the hive is missing or damaged: "<gap>: <what>". */
static void set_gap(const actx *c, seg *s, int system, const char *what)
{
	char gap[600];

	set_state(s, RT_CM_UNKNOWN, hive_gap(c, system, gap, sizeof gap));
	rt_buf_addf(&s->why, ": %s", what);
}

/* ---------------------------------------------------------------- firewall */

typedef struct fw_rule {
	char action[16], dir[8], protocol[8];
	char lport[160], ra[1024], app[260], svc[64];
	int active;
} fw_rule;

/* Returns 1 when `v` did not fit and was cut. */
static int field_copy(char *dst, size_t cap, const char *v, size_t n, int append)
{
	size_t have = append ? strlen(dst) : 0;
	int cut = 0;

	if (append && have && have + 1 < cap)
		dst[have++] = ',';
	if (have + n >= cap) {
		n = have < cap ? cap - have - 1 : 0;
		cut = 1;
	}
	memcpy(dst + have, v, n);
	dst[have + n] = '\0';
	return cut;
}

/* A remote address list too long to keep ends in an element that cannot
 * be read, so that nothing is judged from a cut-off address. */
static void scope_mark_cut(char *ra, size_t cap)
{
	char *comma = strrchr(ra, ',');
	size_t at = comma ? (size_t)(comma - ra) : 0;

	while (at && at + 3 > cap) {
		ra[at] = '\0';
		comma = strrchr(ra, ',');
		at = comma ? (size_t)(comma - ra) : 0;
	}
	memcpy(ra + at, at ? ",?" : "?", at ? 3 : 2);
}

/* The Windows rule string grammar (artifacts.md §2.3.3): keys may repeat,
 * so ports and addresses are gathered as comma lists. */
static void parse_rule(const char *s, fw_rule *r)
{
	const char *p = s, *end;
	int ra_cut = 0;

	memset(r, 0, sizeof *r);
	r->active = 1;
	if (!s)
		return;
	for (; *p; p = *end ? end + 1 : end) {
		const char *eq;
		size_t kl, vl;

		end = strchr(p, '|');
		if (!end)
			end = p + strlen(p);
		eq = memchr(p, '=', (size_t)(end - p));
		if (!eq)
			continue;
		kl = (size_t)(eq - p);
		vl = (size_t)(end - eq - 1);
#define KEY(k) (kl == sizeof(k) - 1 && rt_strncaseeq(p, k, kl))
		if (KEY("Action"))
			field_copy(r->action, sizeof r->action, eq + 1, vl, 0);
		else if (KEY("Dir"))
			field_copy(r->dir, sizeof r->dir, eq + 1, vl, 0);
		else if (KEY("Protocol"))
			field_copy(r->protocol, sizeof r->protocol, eq + 1, vl, 0);
		else if (KEY("LPort") || KEY("LPort2_10"))
			field_copy(r->lport, sizeof r->lport, eq + 1, vl, 1);
		else if (KEY("RA4") || KEY("RA6"))
			ra_cut |= field_copy(r->ra, sizeof r->ra, eq + 1, vl, 1);
		else if (KEY("App"))
			field_copy(r->app, sizeof r->app, eq + 1, vl, 0);
		else if (KEY("Svc"))
			field_copy(r->svc, sizeof r->svc, eq + 1, vl, 0);
		else if (KEY("Active"))
			r->active = !(vl == 5 && rt_strncaseeq(eq + 1, "false", 5));
#undef KEY
	}
	if (ra_cut)
		scope_mark_cut(r->ra, sizeof r->ra);
}

static int list_has(const char *list, const char *item)
{
	size_t n = strlen(item);
	const char *p = list;

	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t l = end ? (size_t)(end - p) : strlen(p);
		if (l == n && rt_strncaseeq(p, item, n))
			return 1;
		p = end ? end + 1 : NULL;
	}
	return 0;
}

/* RA4 and RA6 together: "*" on either side opens that whole family. */
static int ra_any(const char *ra)
{
	return rt_scope_is_any(ra) || list_has(ra, "*") || list_has(ra, "Any");
}

static int rule_port_any(const fw_rule *r)
{
	return !r->lport[0] || list_has(r->lport, "*") || list_has(r->lport, "Any");
}

static int rule_matches(const fw_rule *r, const char *id, rt_cm_id cm)
{
	int anyapp = !r->app[0] && !r->svc[0];
	int tcp = !r->protocol[0] || !strcmp(r->protocol, "6") || !strcmp(r->protocol, "256");
	int rpc = list_has(r->lport, "135") || list_has(r->lport, "RPC") ||
		  list_has(r->lport, "RPC-EPMap");

	if (!tcp)
		return 0;
	if (rule_port_any(r) && anyapp)
		return 1;
	switch (cm) {
	case RT_CM0019:
		return list_has(r->lport, "5985") || list_has(r->lport, "5986") ||
		       rt_strncaseeq(id, "WINRM-", 6);
	case RT_CM0013:
		return rt_strncaseeq(id, "WMI-", 4) || rt_strcaseeq(r->svc, "winmgmt") ||
		       rt_strncaseeq(id, "ComPlusNetworkAccess", 20) ||
		       ((rpc || list_has(r->lport, "24158")) &&
			(anyapp || rt_strcasestr(r->app, "svchost") ||
			 rt_strcasestr(r->app, "unsecapp") || rt_strcasestr(r->app, "wmiprvse")));
	default:
		return rpc || rt_strncaseeq(id, "ComPlus", 7);
	}
}

unsigned rt_fw_profile_mask(const char *list)
{
	static const struct { const char *word; unsigned bit; } words[] = {
		{ "domain", RT_FW_DOMAIN }, { "private", RT_FW_PRIVATE }, { "standard", RT_FW_PRIVATE },
		{ "public", RT_FW_PUBLIC }
	};
	unsigned mask = 0;
	const char *p = list;

	if (!p)
		return 0;
	while (*p) {
		size_t n, i;

		p += strspn(p, ", ;|\t\r\n");
		if (!(n = strcspn(p, ", ;|\t\r\n")))
			break;
		for (i = 0; i < sizeof words / sizeof *words; i++)
			if (strlen(words[i].word) == n && rt_strncaseeq(p, words[i].word, n))
				break;
		if (i == sizeof words / sizeof *words)
			return 0;
		mask |= words[i].bit;
		p += n;
	}
	return mask;
}

size_t rt_fw_profile_list(unsigned mask, char *out, size_t cap)
{
	size_t i, n = 0;

	if (!cap)
		return 0;
	out[0] = '\0';
	for (i = 0; i < 3; i++)
		if (mask & (1u << i)) {
			int k = snprintf(out + n, cap - n, "%s%s", n ? "," : "", profile_names[i]);
			if (k < 0 || (size_t)k >= cap - n) {
				out[n] = '\0';
				break;
			}
			n += (size_t)k;
		}
	return n;
}

/* The active profiles at `t` from the latest firewall.active_profile point
 * at or before it (a 4956 names every active profile). Before the first
 * point, or when its value cannot be read, they are not known: 0. */
static unsigned active_profiles(const actx *c, uint64_t t, const rt_fact **from)
{
	static const char name[] = "firewall.active_profile";
	size_t i = lower_bound(c, name);
	unsigned mask;

	*from = NULL;
	for (; i < c->nfacts && !strcmp(c->facts[i]->name, name); i++)
		if (c->facts[i]->time <= t)
			*from = c->facts[i];
	if (!*from || !(mask = rt_fw_profile_mask((*from)->value)))
		*from = NULL;
	return *from ? mask : 0;
}

/* Networks connected at `t` per the NetworkProfile log (network.connection.*
 * points after `after`): the profiles they use are active, at least. Each
 * is cited. A network connected before the log began is not seen, so this
 * is a lower bound only. */
/* "<what> since <time>" in the basis, the event that says it as source
 * (its file and record id are in the source, not repeated in the text). */
static void cite_since(seg *s, const rt_fact *f, const char *what)
{
	char when[RT_TIME_MAX];
	rt_source src = dated(f->src, f->time);

	rt_time_format(f->time, when);
	ev_addf(&s->basis, &src, NULL, NULL, "%s since %s", what, when);
}

static unsigned connected_profiles(const actx *c, uint64_t t, uint64_t after, seg *s)
{
	static const char pre[] = "network.connection.";
	size_t i = lower_bound(c, pre);
	unsigned mask = 0;

	while (i < c->nfacts && !strncmp(c->facts[i]->name, pre, sizeof pre - 1)) {
		const char *name = c->facts[i]->name;
		const rt_fact *last = NULL;
		char what[300];
		unsigned m;

		for (; i < c->nfacts && !strcmp(c->facts[i]->name, name); i++)
			if (c->facts[i]->time <= t)
				last = c->facts[i];
		if (!last || last->time <= after || !(m = rt_fw_profile_mask(last->value)))
			continue;
		mask |= m;
		snprintf(what, sizeof what, "network %s (%s profile) connected",
			 name + sizeof pre - 1, last->value);
		cite_since(s, last, what);
	}
	return mask;
}

static void cite_active(seg *s, const rt_fact *f)
{
	char what[160];

	snprintf(what, sizeof what, "active firewall profile %s", f->value);
	cite_since(s, f, what);
}

/* A setting of a profile that is not active: cited so that it is seen,
 * with the reason it does not count. */
static void cite_inactive(seg *s, const lookup_val *v)
{
	rt_source src = dated(v->fact->src, v->fact->time);

	ev_addf(&s->basis, &src, NULL, NULL, "%s = %s (profile not active)", v->fact->name,
		v->value ? v->value : "(removed)");
}

static void fw_profiles(const actx *c, uint64_t t, fw_view *fw, seg *s)
{
	size_t i;
	lookup_val pe, le, pd, ld, pm;
	int first_en = -2, first_allow = -1;

	memset(fw, 0, sizeof *fw);
	fw->merge = 1;
	fw->active = active_profiles(c, t, &fw->active_fact);
	if (fw->active)
		cite_active(s, fw->active_fact);
	/* networks connected after the 4956 add to its set; without a 4956
	 * they are only what is certainly active */
	fw->seen = connected_profiles(c, t, fw->active ? fw->active_fact->time : 0, s);
	if (fw->active)
		fw->active |= fw->seen;
	for (i = 0; i < 3; i++) {
		const char *p = profile_names[i];
		unsigned bit = 1u << i;
		int judged = !fw->active || (fw->active & bit);
		int en = -1, allow = 0;
		const lookup_val *en_from = NULL, *allow_from = NULL;
		int local_disagrees = 0;

		lookup3(c, t, &pe, "firewall.policy.profile.", p, ".enabled");
		lookup3(c, t, &le, "firewall.profile.", p, ".enabled");
		lookup3(c, t, &pd, "firewall.policy.profile.", p, ".default_inbound");
		lookup3(c, t, &ld, "firewall.profile.", p, ".default_inbound");
		lookup3(c, t, &pm, "firewall.policy.profile.", p, ".allow_local_policy_merge");
		if (pe.known && pe.value && (en = parse_bool(pe.value)) >= 0) {
			fw->has_policy = 1;
			en_from = &pe;
			local_disagrees = le.known && le.value && parse_bool(le.value) == !en;
		} else if (le.known && le.value) {
			en = parse_bool(le.value);
			en_from = &le;
		} else if (le.known && c->in->system_hive) {
			en = 1; /* Windows' default when the value is not set */
		}
		if (pd.known && pd.value) {
			fw->has_policy = 1;
			if (rt_strcaseeq(pd.value, "allow") || !strcmp(pd.value, "0")) {
				allow = 1;
				allow_from = &pd;
			}
		} else if (ld.known && ld.value &&
			   (rt_strcaseeq(ld.value, "allow") || !strcmp(ld.value, "0"))) {
			allow = 1;
			allow_from = &ld;
		}
		if (pm.known && pm.value && parse_bool(pm.value) == 0) {
			fw->has_policy = 1;
			if (judged)
				fw->merge = 0;
		}
		if (first_en == -2) {
			first_en = en;
			first_allow = allow;
		} else if (en != first_en || allow != first_allow) {
			fw->disagree = 1;
		}
		if (!judged) {
			if (en == 0) {
				fw->inactive_off |= bit;
				cite_inactive(s, en_from);
			}
			if (allow) {
				fw->inactive_allow |= bit;
				cite_inactive(s, allow_from);
			}
			continue;
		}
		if (en_from)
			cite(c, &s->basis, en_from->fact->name, en_from);
		if (local_disagrees) {
			fw->conflict = 1;
			cite(c, &s->basis, le.fact->name, &le);
		}
		if (en == 1) {
			fw->on++;
		} else if (en == 0) {
			fw->off++;
			fw->off_mask |= bit;
		} else {
			fw->unknown++;
		}
		if (allow) {
			fw->default_allow = 1;
			fw->allow_mask |= bit;
			cite(c, &s->basis, allow_from->fact->name, allow_from);
		}
	}
	fw->known = (c->in->system_hive || fw->has_policy) &&
		    fw->unknown < fw->on + fw->off + fw->unknown;
}

typedef struct rule_count {
	int allow_any, allow_scoped, block_any, local_skipped, unknown;
	unsigned alt_port;
} rule_count;

/* Rules of one store: local "firewall.rule.<id>" or policy
 * "firewall.policy.rule.<id>" (config's names). */
static void fw_rules_store(const actx *c, uint64_t t, rt_cm_id cm, fw_view *fw, seg *s,
			   rule_count *rc, const char *prefix)
{
	size_t plen = strlen(prefix), i = lower_bound(c, prefix);

	while (i < c->nfacts && !strncmp(c->facts[i]->name, prefix, plen)) {
		const char *name = c->facts[i]->name, *id = name + plen;
		int policy = plen > 14;
		lookup_val v = lookup(c, name, t);
		fw_rule r;

		while (i < c->nfacts && !strcmp(c->facts[i]->name, name))
			i++;
		if (v.known && v.fact && (v.fact->policy || policy))
			fw->has_policy = 1;
		/* a rule first seen in a later snapshot: parse what it became to
		 * know whether it matters here, but its earlier presence is unknown */
		parse_rule(v.known ? v.value : v.fact ? v.fact->value : NULL, &r);
		if (!rt_strcaseeq(r.dir, "in") || !r.active || !rule_matches(&r, id, cm))
			continue;
		if (!v.known || !v.value) {
			if (!v.known && rt_strcaseeq(r.action, "allow")) {
				char when[RT_TIME_MAX];
				rc->unknown++;
				rt_time_format(v.fact->time, when);
				rt_source src = dated(v.fact->src, v.fact->time);
				ev_addf(&s->basis, &src, NULL, NULL,
					"%s: allow rule first recorded at %s; earlier presence unknown",
					name, when);
			}
			continue;
		}
		if (!v.fact->policy && !policy && !fw->merge) {
			rc->local_skipped++;
			rt_source src = dated(v.fact->src, v.fact->time);
			ev_addf(&s->basis, &src, NULL, NULL,
				"%s = %s (local rule not applied: AllowLocalPolicyMerge = 0)", name,
				v.value);
			continue;
		}
		cite(c, &s->basis, name, &v);
		if (rt_strcaseeq(r.action, "block")) {
			if (ra_any(r.ra))
				rc->block_any++;
			continue;
		}
		if (!rt_strcaseeq(r.action, "allow"))
			continue;
		if (ra_any(r.ra)) {
			rc->allow_any++;
		} else {
			rc->allow_scoped++;
			if (s->scope.len)
				rt_buf_addch(&s->scope, ',');
			rt_buf_adds(&s->scope, r.ra);
		}
		if (cm == RT_CM0019 && !rule_port_any(&r) && !list_has(r.lport, "5985") &&
		    !list_has(r.lport, "5986")) {
			uint64_t port;
			char tmp[8] = { 0 };
			size_t n = strcspn(r.lport, ",");
			if (n < sizeof tmp) {
				memcpy(tmp, r.lport, n);
				if (!rt_parse_u64(tmp, &port) && port < 65536)
					rc->alt_port = (unsigned)port;
			}
		}
	}
}

static void fw_rules(const actx *c, uint64_t t, rt_cm_id cm, fw_view *fw, seg *s, rule_count *rc)
{
	memset(rc, 0, sizeof *rc);
	fw_rules_store(c, t, cm, fw, s, rc, "firewall.policy.rule.");
	fw_rules_store(c, t, cm, fw, s, rc, "firewall.rule.");
}

#define ACTIVE_UNKNOWN                                                                    \
	"the active profile is not recorded: Security 4956 events (Audit MPSSVC Rule-Level " \
	"Policy Change) or the Microsoft-Windows-NetworkProfile/Operational log would settle it"

/* What the verdict leaves aside because the active profile is known: the
 * profiles that are not active and would have counted against the control
 * (nothing when every profile that is not active is on and blocks). */
static void fw_note(const fw_view *fw, seg *s)
{
	char names[32];

	if (!fw->active || !(fw->inactive_off | fw->inactive_allow))
		return;
	rt_buf_reset(&s->note);
	rt_fw_profile_list(fw->active, names, sizeof names);
	rt_buf_addf(&s->note, "judged on the active firewall profile%s (%s)",
		    strchr(names, ',') ? "s" : "", names);
	if (fw->inactive_off) {
		rt_fw_profile_list(fw->inactive_off, names, sizeof names);
		rt_buf_addf(&s->note, "; the firewall is off on the %s profile%s, not active then", names,
			    strchr(names, ',') ? "s" : "");
	}
	if (fw->inactive_allow) {
		rt_fw_profile_list(fw->inactive_allow, names, sizeof names);
		rt_buf_addf(&s->note, "; inbound default is allow on the %s profile%s, not active then",
			    names, strchr(names, ',') ? "s" : "");
	}
}

/* Shared tail: a firewall that lets the protocol in from anywhere, only from
 * some addresses, or not at all. Returns 1 when it decided the state. */
static int fw_decide(const actx *c, uint64_t t, rt_cm_id cm, seg *s, const char *proto)
{
	fw_view fw;
	rule_count rc;
	char why[512], names[32];

	fw_profiles(c, t, &fw, s);
	fw_note(&fw, s);
	if (!fw.known)
		return 0;
	fw_rules(c, t, cm, &fw, s, &rc);
	s->conflict = fw.conflict || rc.local_skipped;
	if (rc.alt_port)
		s->alt_port = rc.alt_port;
	if (fw.active && fw.off) {
		rt_fw_profile_list(fw.off_mask, names, sizeof names);
		snprintf(why, sizeof why, "the firewall is off on the active %s profile%s", names,
			 fw.off > 1 ? "s" : "");
		set_state(s, RT_CM_NOT_IN_EFFECT, why);
		return 1;
	}
	if (fw.on == 0 && fw.off > 0) {
		set_state(s, RT_CM_NOT_IN_EFFECT, "the firewall is off on every profile");
		return 1;
	}
	if (fw.off_mask & fw.seen) {
		rt_fw_profile_list(fw.off_mask & fw.seen, names, sizeof names);
		snprintf(why, sizeof why,
			 "the firewall is off on the %s profile, which a connected network uses", names);
		set_state(s, RT_CM_NOT_IN_EFFECT, why);
		return 1;
	}
	if (rc.block_any) {
		snprintf(why, sizeof why, "an inbound block rule covers %s from any address", proto);
		set_state(s, RT_CM_IN_EFFECT, why);
		return 1;
	}
	if (fw.default_allow) {
		rt_fw_profile_list(fw.allow_mask, names, sizeof names);
		if (fw.active)
			snprintf(why, sizeof why,
				 "the firewall allows unsolicited inbound traffic by default on the active %s profile",
				 names);
		else if (fw.disagree)
			snprintf(why, sizeof why,
				 "the firewall allows unsolicited inbound traffic by default on the %s profile "
				 "(not on every profile); %s", names, ACTIVE_UNKNOWN);
		else
			snprintf(why, sizeof why, "the firewall allows unsolicited inbound traffic by default");
		set_state(s, RT_CM_NOT_IN_EFFECT, why);
		return 1;
	}
	if (rc.allow_any) {
		snprintf(why, sizeof why, "an enabled firewall rule allows %s inbound from any address", proto);
		set_state(s, RT_CM_NOT_IN_EFFECT, why);
		return 1;
	}
	if (rc.unknown) {
		snprintf(why, sizeof why,
			 "firewall rules for %s were not recorded this early: an older SYSTEM/SOFTWARE "
			 "snapshot (RegBack, shadow copy) or firewall change events would settle it", proto);
		set_state(s, RT_CM_UNKNOWN, why);
		return 1;
	}
	if (rc.allow_scoped) {
		snprintf(why, sizeof why, "firewall rules allow %s inbound only from %s", proto,
			 s->scope.buf);
		set_state(s, RT_CM_RESTRICTED, why);
		return 1;
	}
	if (fw.off) {
		rt_fw_profile_list(fw.off_mask, names, sizeof names);
		snprintf(why, sizeof why,
			 "%s is blocked on some firewall profiles but the firewall is off on others (%s); %s",
			 proto, names, ACTIVE_UNKNOWN);
		set_state(s, RT_CM_RESTRICTED, why);
		return 1;
	}
	if (fw.unknown)
		return 0;
	snprintf(why, sizeof why, "no enabled firewall rule allows %s inbound and inbound default is block",
		 proto);
	set_state(s, RT_CM_IN_EFFECT, why);
	if (cm == RT_CM0013 && !fw.has_policy)
		set_state(s, RT_CM_RESTRICTED,
			  "remote WMI is blocked by the local firewall configuration only (no Group Policy "
			  "firewall settings): a local administrator can undo it");
	return 1;
}

/* ------------------------------------------------------- decision tables */

/* A WinRM policy filter (IPv4Filter, IPv6Filter): not set, "*" (every
 * address of its family), blank (Windows listens on no address of that
 * family) or address ranges. */
typedef enum filter_kind { FLT_UNSET, FLT_ANY, FLT_BLANK, FLT_RANGES } filter_kind;

static filter_kind filter_of(const lookup_val *v)
{
	const char *p;

	if (!v->known || !v->value)
		return FLT_UNSET;
	if (!rt_scope_is_any(v->value))
		return FLT_RANGES;
	for (p = v->value; *p == ' ' || *p == '\t'; p++)
		;
	return *p ? FLT_ANY : FLT_BLANK;
}

/* The addresses the filters let in: each speaks for its own family only; a
 * family whose filter is not set is open, a blank one closed. */
static void filter_scope(rt_buf *out, filter_kind k4, const char *v4, filter_kind k6, const char *v6)
{
	if (k4 != FLT_BLANK)
		rt_buf_adds(out, k4 == FLT_RANGES ? v4 : "0.0.0.0/0");
	if (k6 != FLT_BLANK) {
		if (out->len)
			rt_buf_addch(out, ',');
		rt_buf_adds(out, k6 == FLT_RANGES ? v6 : "::/0");
	}
}

static void eval_cm0019(const actx *c, uint64_t t, seg *s)
{
	lookup_val svc = lookup(c, "service.winrm.start", t);
	lookup_val aac = lookup(c, "winrm.policy.service.allow_auto_config", t);
	lookup_val flt = lookup(c, "winrm.policy.service.ipv4_filter", t);
	lookup_val flt6 = lookup(c, "winrm.policy.service.ipv6_filter", t);
	filter_kind k4 = filter_of(&flt), k6 = filter_of(&flt6);
	/* the filters restrict when one gives ranges and neither opens its
	 * whole family with "*" */
	int v4r = k4 == FLT_RANGES && k6 != FLT_ANY, v6r = k6 == FLT_RANGES && k4 != FLT_ANY;
	static const char lp[] = "winrm.listener.";
	size_t i = lower_bound(c, lp);
	int listeners = 0, listeners_unknown = 0, fw_decided;
	rt_evidence_list lst = { 0 };

	if (svc.known && svc.value && rt_strcaseeq(svc.value, "disabled")) {
		cite(c, &s->basis, "service.winrm.start", &svc);
		set_state(s, RT_CM_IN_EFFECT, "the WinRM service is disabled");
		return;
	}
	while (i < c->nfacts && !strncmp(c->facts[i]->name, lp, sizeof lp - 1)) {
		const char *name = c->facts[i]->name;
		lookup_val v = lookup(c, name, t);
		while (i < c->nfacts && !strcmp(c->facts[i]->name, name))
			i++;
		if (!v.known) {
			listeners_unknown++;
			continue;
		}
		if (v.value) {
			uint64_t port;
			listeners++;
			if (!rt_parse_u64(v.value, &port) && port != 5985 && port != 5986 && port < 65536)
				s->alt_port = (unsigned)port;
		}
		cite(c, &lst, name, &v);
	}
	if (!c->in->software_hive && !listeners && !listeners_unknown)
		listeners_unknown = 1;
	if (svc.known && svc.value)
		cite(c, &s->basis, "service.winrm.start", &svc);
	if (!listeners && !listeners_unknown &&
	    !(aac.known && aac.value && parse_bool(aac.value) == 1)) {
		rt_source src;
		memset(&src, 0, sizeof src);
		src.file = c->in->software_hive;
		src.key = "Microsoft\\Windows\\CurrentVersion\\WSMAN\\Listener";
		ev_add(&s->basis, "no WinRM listener configured", &src, NULL, NULL);
		if (aac.fact)
			cite(c, &s->basis, "winrm.policy.service.allow_auto_config", &aac);
		set_state(s, RT_CM_IN_EFFECT,
			  "no WinRM listener is configured and policy does not enable one");
		goto out;
	}
	for (i = 0; i < lst.n; i++)
		ev_add(&s->basis, lst.items[i].text, &(rt_source){ lst.items[i].file, lst.items[i].key,
			lst.items[i].value_name, lst.items[i].record_id, lst.items[i].event_id,
			lst.items[i].time }, NULL, NULL);
	if (v4r || v6r) {
		rt_buf fs = RT_BUF_INIT;

		if (flt.fact)
			cite(c, &s->basis, "winrm.policy.service.ipv4_filter", &flt);
		if (flt6.fact)
			cite(c, &s->basis, "winrm.policy.service.ipv6_filter", &flt6);
		/* seen with firewall rules, the filters join the rules' scopes */
		rt_buf_adds(&s->scope, v4r ? flt.value : flt6.value);
		if (v4r && v6r) {
			rt_buf_addch(&s->scope, ',');
			rt_buf_adds(&s->scope, flt6.value);
		}
		filter_scope(&fs, k4, flt.value, k6, flt6.value);
		if (!fw_decide(c, t, RT_CM0019, s, "WinRM") || s->state == RT_CM_NOT_IN_EFFECT ||
		    s->state == RT_CM_UNKNOWN) {
			rt_buf_reset(&s->scope);
			rt_buf_adds(&s->scope, fs.buf);
			set_state(s, RT_CM_RESTRICTED,
				  v4r && v6r ? "WinRM policy accepts requests only from the IPv4Filter and IPv6Filter ranges"
				  : v4r ? "WinRM policy accepts IPv4 requests only from the IPv4Filter ranges"
					: "WinRM policy accepts IPv6 requests only from the IPv6Filter ranges");
		}
		rt_buf_release(&fs);
		goto out;
	}
	fw_decided = fw_decide(c, t, RT_CM0019, s, "WinRM");
	if (fw_decided && s->state == RT_CM_IN_EFFECT)
		goto out;
	if (!svc.known) {
		if (c->in->system_hive)
			set_state(s, RT_CM_UNKNOWN, "start type of the WinRM service not recorded this early: an older SYSTEM snapshot or 7040 events would settle it");
		else
			set_gap(c, s, 1, "start type of the WinRM service and firewall rules unknown");
		goto out;
	}
	if (listeners_unknown) {
		if (c->in->software_hive)
			set_state(s, RT_CM_UNKNOWN, "WinRM listeners not recorded this early: an older SOFTWARE snapshot would settle it");
		else
			set_gap(c, s, 0, "WinRM listeners and policy unknown");
		goto out;
	}
	if (!fw_decided)
		set_gap(c, s, 1, "firewall rules for WinRM unknown");
out:
	ev_release(&lst);
}

static void eval_cm0013(const actx *c, uint64_t t, seg *s)
{
	if (fw_decide(c, t, RT_CM0013, s, "remote WMI (DCOM)"))
		return;
	if (c->in->system_hive)
		set_state(s, RT_CM_UNKNOWN, "firewall profile state not recorded this early: an older SYSTEM snapshot would settle it");
	else
		set_gap(c, s, 1, "firewall profiles and rules (and so remote WMI) unknown");
}

static void eval_cm0012(const actx *c, uint64_t t, seg *s)
{
	lookup_val d = lookup(c, "dcom.enabled", t);
	lookup_val mlr = lookup(c, "dcom.machine_launch_restriction", t);
	int en;

	if (!d.known) {
		if (c->in->software_hive)
			set_state(s, RT_CM_UNKNOWN, "Ole\\EnableDCOM not recorded this early: an older SOFTWARE snapshot would settle it");
		else
			set_gap(c, s, 0, "Ole\\EnableDCOM unknown");
		return;
	}
	cite(c, &s->basis, "dcom.enabled", &d);
	en = d.value ? parse_bool(d.value) : 1;
	if (en == 0) {
		set_state(s, RT_CM_IN_EFFECT, "DCOM is disabled (EnableDCOM = N)");
		return;
	}
	if (mlr.known && mlr.value) {
		cite(c, &s->basis, "dcom.machine_launch_restriction", &mlr);
		set_state(s, RT_CM_RESTRICTED, "DCOM is enabled with a machine launch restriction set by policy");
		return;
	}
	if (fw_decide(c, t, RT_CM0012, s, "DCOM (RPC 135)")) {
		if (s->state == RT_CM_IN_EFFECT)
			set_state(s, RT_CM_RESTRICTED,
				  "DCOM is enabled but the firewall does not let RPC 135 in");
		return;
	}
	set_state(s, RT_CM_NOT_IN_EFFECT, "DCOM is enabled with the default launch restrictions");
}

/* ------------------------------------------------------------ intervals */

/* What LocalSubnet stands for at `t`: the subnets of the host's interfaces,
 * each cited with its key. An interface first recorded after `t` is taken
 * as first recorded (the text says so). Without an IPv4 subnet the /24 of
 * host.ipv4 is a stated guess; without an IPv6 prefix (Tcpip6 interface
 * keys keep none) IPv6 addresses in LocalSubnet cannot be told. */
static void resolve_local(const actx *c, uint64_t t, seg *s)
{
	static const char *const pre[2] = { "host.interface.", "host.interface6." };
	int have[2] = { 0, 0 };
	char when[RT_TIME_MAX];
	rt_source src;
	size_t k;

	for (k = 0; k < 2; k++) {
		size_t plen = strlen(pre[k]), i = lower_bound(c, pre[k]);

		while (i < c->nfacts && !strncmp(c->facts[i]->name, pre[k], plen)) {
			const char *name = c->facts[i]->name;
			lookup_val v = lookup(c, name, t);
			const char *val = v.known ? v.value : v.fact ? v.fact->value : NULL;

			while (i < c->nfacts && !strcmp(c->facts[i]->name, name))
				i++;
			if (!val || !*val || !v.fact || !rt_scope_is_literal(val))
				continue;
			src = dated(v.fact->src, v.fact->time);
			rt_time_format(v.fact->time, when);
			ev_addf(&s->basis, &src, NULL, NULL, "LocalSubnet includes %s (%s%s%s%s)", val, name,
				v.known ? "" : ", first recorded at ", v.known ? "" : when,
				v.known ? "" : "; taken as the same before");
			if (s->local.len)
				rt_buf_addch(&s->local, ',');
			rt_buf_adds(&s->local, val);
			have[k] = 1;
		}
	}
	memset(&src, 0, sizeof src);
	src.file = c->in->system_hive;
	if (!have[0]) {
		lookup_val ip = lookup(c, "host.ipv4", t);
		const char *a = ip.known ? ip.value : ip.fact ? ip.fact->value : NULL;

		if (a && ip.fact && rt_scope_is_literal(a) && !strchr(a, ':') && !strchr(a, '/')) {
			src = dated(ip.fact->src, ip.fact->time);
			ev_addf(&s->basis, &src, NULL, NULL,
				"LocalSubnet taken as %s/24, the /24 of host.ipv4 (a guess: no interface "
				"subnet mask recorded)", a);
			if (s->local.len)
				rt_buf_addch(&s->local, ',');
			rt_buf_addf(&s->local, "%s/24", a);
		} else {
			src.key = "CurrentControlSet\\Services\\Tcpip\\Parameters\\Interfaces";
			ev_add(&s->basis, "LocalSubnet for IPv4 cannot be told: no interface address with a "
				"subnet mask recorded", &src, NULL, NULL);
		}
	}
	if (!have[1]) {
		memset(&src, 0, sizeof src);
		src.file = c->in->system_hive;
		src.key = "CurrentControlSet\\Services\\Tcpip6\\Parameters\\Interfaces";
		ev_add(&s->basis, "LocalSubnet for IPv6 cannot be told: no on-link prefix recorded "
			"(Tcpip6 interface keys keep none)", &src, NULL, NULL);
	}
}

typedef struct ivx {
	rt_interval iv;
	char *scope;
	char *local; /* what LocalSubnet stands for, or NULL */
	int conflict;
	unsigned alt_port;
} ivx;

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static int build_intervals(const actx *c, rt_cm_id cm, uint64_t from, uint64_t to,
			   const uint64_t *bounds, size_t nb, ivx **out, size_t *nout)
{
	ivx *v = calloc(nb + 1, sizeof *v);
	size_t n = 0, i;

	if (!v)
		return -1;
	for (i = 0; i <= nb; i++) {
		uint64_t start = i == 0 ? from : bounds[i - 1];
		uint64_t end = i < nb ? bounds[i] : to;
		seg s;

		if (i > 0 && start == end && i < nb)
			continue;
		if (i == 0 && nb && start >= bounds[0])
			continue;
		seg_init(&s);
		if (cm == RT_CM0019)
			eval_cm0019(c, start, &s);
		else if (cm == RT_CM0013)
			eval_cm0013(c, start, &s);
		else
			eval_cm0012(c, start, &s);
		if (s.scope.len && list_has(s.scope.buf, "LocalSubnet"))
			resolve_local(c, start, &s);
		if (s.note.len) {
			rt_buf_adds(&s.why, "; ");
			rt_buf_adds(&s.why, s.note.buf);
		}
		if (n && v[n - 1].iv.state == s.state && !strcmp(v[n - 1].iv.why, s.why.buf) &&
		    ev_equal(&v[n - 1].iv.basis, &s.basis)) {
			v[n - 1].iv.to = end;
			seg_release(&s);
			continue;
		}
		v[n].iv.from = start;
		v[n].iv.to = end;
		v[n].iv.state = s.state;
		v[n].iv.why = rt_buf_detach(&s.why, NULL);
		v[n].iv.basis = s.basis;
		memset(&s.basis, 0, sizeof s.basis);
		v[n].scope = s.scope.len ? rt_buf_detach(&s.scope, NULL) : NULL;
		v[n].local = s.local.len ? rt_buf_detach(&s.local, NULL) : NULL;
		v[n].conflict = s.conflict;
		v[n].alt_port = s.alt_port;
		seg_release(&s);
		n++;
	}
	*out = v;
	*nout = n;
	return 0;
}

/* --------------------------------------------------------------- bypass */

static const char *activity_kind(rt_cm_id cm)
{
	return cm == RT_CM0019 ? "winrm.inbound" : cm == RT_CM0013 ? "wmi.inbound" : "dcom.inbound";
}

static int is_attempt(rt_cm_id cm, const rt_assess_finding *f)
{
	if (!f->kind)
		return 0;
	if (!strcmp(f->kind, "firewall.drop"))
		return cm == RT_CM0019 ? f->port == 5985 || f->port == 5986
		       : cm == RT_CM0013 ? f->port == 135 || f->port == 24158
					 : f->port == 135;
	if (cm == RT_CM0019)
		return !strcmp(f->kind, "winrm.failed");
	if (cm == RT_CM0013 && !strcmp(f->kind, "wmi.failed"))
		return 1;
	if (strcmp(f->kind, "dcom.denied"))
		return 0;
	/* a denial counts against WMI only when it names WMI's AppID/CLSID */
	return cm == RT_CM0012 || rt_strcasestr(f->message, "8BC3F05E") ||
	       rt_strcasestr(f->detail, "8BC3F05E");
}

/* Names of settings whose change can open the protocol. */
static int relevant(rt_cm_id cm, const char *name)
{
	if (!strncmp(name, "firewall.", 9) || !strncmp(name, "network.connection.", 19))
		return 1;
	if (cm == RT_CM0019)
		return !strncmp(name, "service.winrm.", 14) || !strncmp(name, "winrm.", 6);
	if (cm == RT_CM0012)
		return !strncmp(name, "dcom.", 5);
	return !strncmp(name, "service.winmgmt", 15);
}

static int finding_item(rt_evidence_list *l, const char *prefix, const rt_assess_finding *f)
{
	rt_source src = dated(f->src, f->time);
	const char *msg = f->message ? f->message : f->kind;
	int ip = f->remote_ip && !strstr(msg, f->remote_ip);
	int user = f->user && !rt_strcasestr(msg, f->user);

	return ev_addf(l, &src, f->kind, f->remote_ip, "%s%s%s%s%s%s", prefix, msg, ip ? " from " : "",
		       ip ? f->remote_ip : "", user ? " as " : "", user ? f->user : "");
}

static rt_bypass *bypass_for(rt_cm_verdict *v, const char *route, const char *explanation)
{
	size_t i;
	rt_bypass *p;

	for (i = 0; i < v->nbypass; i++)
		if (!strcmp(v->bypass[i].route, route))
			return &v->bypass[i];
	p = realloc(v->bypass, (v->nbypass + 1) * sizeof *p);
	if (!p)
		return NULL;
	v->bypass = p;
	p = &v->bypass[v->nbypass];
	memset(p, 0, sizeof *p);
	p->route = rt_strdup0(route);
	p->explanation = rt_strdup0(explanation);
	if (!p->route || !p->explanation) {
		free(p->route);
		free(p->explanation);
		return NULL;
	}
	v->nbypass++;
	return p;
}

/* Cite the relevant configuration changes in (after, upto]. */
static int cite_changes(const actx *c, rt_cm_id cm, uint64_t after, uint64_t upto,
			rt_evidence_list *l, rt_buf *what)
{
	size_t i;
	int svc = 0, rule = 0, lst = 0, other = 0, active = 0;

	for (i = 0; i < c->nfacts; i++) {
		const rt_fact *f = c->facts[i];
		if (f->time <= after || f->time > upto || !relevant(cm, f->name))
			continue;
		rt_source src = dated(f->src, f->time);

		if (ev_addf(l, &src, NULL, NULL, "%s = %s%s%s%s", f->name,
			    f->value ? f->value : "(removed)", f->old_value ? " (was " : "",
			    f->old_value ? f->old_value : "", f->old_value ? ")" : "") < 0)
			return -1;
		if (!strncmp(f->name, "service.", 8))
			svc = 1;
		else if (!strcmp(f->name, "firewall.active_profile") ||
			 !strncmp(f->name, "network.connection.", 19))
			active = 1;
		else if (!strncmp(f->name, "firewall.", 9))
			rule = 1;
		else if (!strncmp(f->name, "winrm.listener.", 15))
			lst = 1;
		else
			other = 1;
	}
	for (i = 0; i < c->nfinds; i++) {
		const rt_assess_finding *f = c->finds[i];
		if (f->time <= after || f->time > upto)
			continue;
		if (f->message && rt_strcasestr(f->message, "Enable-PSRemoting") && cm == RT_CM0019) {
			if (finding_item(l, "", f) < 0)
				return -1;
			rt_buf_adds(what, "Enable-PSRemoting; ");
		}
	}
	if (svc)
		rt_buf_adds(what, "service start type changed; ");
	if (rule)
		rt_buf_adds(what, "firewall rule added or enabled; ");
	if (active)
		rt_buf_adds(what, "active firewall profile changed; ");
	if (lst)
		rt_buf_adds(what, "listener created; ");
	if (other)
		rt_buf_adds(what, "setting changed; ");
	if (what->len >= 2)
		rt_buf_truncate(what, what->len - 2);
	return 0;
}

static int judge_activity(const actx *c, rt_cm_id cm, rt_cm_verdict *v, const ivx *iv, size_t niv,
			  const rt_assess_finding *f)
{
	size_t k;
	const ivx *cur = NULL;
	rt_bypass *b;

	for (k = 0; k < niv; k++)
		if (f->time >= iv[k].iv.from && (f->time < iv[k].iv.to || k + 1 == niv)) {
			cur = &iv[k];
			break;
		}
	if (!cur)
		return finding_item(&v->evidence, "activity outside the assessed period: ", f);
	if (cur->iv.state == RT_CM_IN_EFFECT || cur->iv.state == RT_CM_RESTRICTED) {
		const char *route, *expl;
		int inside = cur->iv.state == RT_CM_RESTRICTED && cur->scope
				     ? rt_scope_contains(cur->scope, f->remote_ip, cur->local) : 0;

		/* the scope, not an unreadable address ("-"), left it open */
		if (inside < 0 && rt_scope_contains("0.0.0.0/0,::/0", f->remote_ip, NULL) == 1 &&
		    !(cur->alt_port && (f->port == cur->alt_port || f->port == 0)))
			return finding_item(&v->evidence,
					    "use from an address the configured scope may admit "
					    "(cannot tell, see the interval's basis): ", f);
		if (inside == 1) {
			if (c->opts && c->opts->mgmt_scope &&
			    rt_scope_contains(c->opts->mgmt_scope, f->remote_ip, NULL) == 0) {
				route = "allowed remote address outside intended scope";
				expl = "the configured scope admits an address that is not a management host, and it was used";
			} else {
				return finding_item(&v->evidence, "permitted use from inside the configured scope: ", f);
			}
		} else if (cur->alt_port && (f->port == cur->alt_port || f->port == 0)) {
			route = "alternate port or listener";
			expl = "a listener or firewall rule on a non-default port was open while the default one was closed";
		} else if (cur->conflict) {
			route = "policy and local settings in conflict";
			expl = "local settings open what Group Policy closes; the activity shows the local side won";
		} else {
			size_t j;
			route = NULL;
			for (j = 0; cm == RT_CM0019 && j < c->nfinds; j++) {
				const rt_assess_finding *g = c->finds[j];
				if (g->time >= cur->iv.from && g->time <= f->time && g->kind &&
				    !strcmp(g->kind, "service.change") &&
				    (rt_strcasestr(g->message, "winrm") ||
				     rt_strcasestr(g->message, "Windows Remote Management"))) {
					route = "service started on demand";
					expl = "the WinRM service was started while the configuration said it was closed";
					b = bypass_for(v, route, expl);
					if (!b || finding_item(&b->changes, "", g) < 0)
						return -1;
					break;
				}
			}
			if (!route) {
				route = "contradiction between configuration and activity";
				expl = "the configuration says the protocol was closed yet it was used, and no recorded change explains it: "
				       "tampering (values reset, events deleted) is the likely explanation";
			}
		}
		b = bypass_for(v, route, expl);
		return b ? finding_item(&b->findings, "", f) : -1;
	}
	if (cur->iv.state == RT_CM_NOT_IN_EFFECT) {
		/* was it closed before, and opened by a change? */
		const ivx *prev = NULL;
		for (k = (size_t)(cur - iv); k-- > 0;) {
			if (iv[k].iv.state == RT_CM_IN_EFFECT || iv[k].iv.state == RT_CM_RESTRICTED) {
				prev = &iv[k];
				break;
			}
			if (iv[k].iv.state == RT_CM_UNKNOWN)
				break;
		}
		if (prev) {
			while (prev > iv && (prev[-1].iv.state == RT_CM_IN_EFFECT ||
					     prev[-1].iv.state == RT_CM_RESTRICTED))
				prev--;
			rt_buf what = RT_BUF_INIT;
			char expl[400];
			int r;
			b = bypass_for(v, "re-enabled then used", "");
			if (!b)
				return -1;
			if (!b->changes.n) {
				if (cite_changes(c, cm, prev->iv.from, f->time, &b->changes, &what) < 0) {
					rt_buf_release(&what);
					return -1;
				}
				snprintf(expl, sizeof expl, "the countermeasure was %s, then opened (%s) and used",
					 rt_cm_state_name(prev->iv.state), what.len ? what.buf : "configuration changed");
				free(b->explanation);
				b->explanation = rt_strdup0(expl);
			}
			rt_buf_release(&what);
			r = finding_item(&b->findings, "", f);
			return b->explanation ? r : -1;
		}
		return finding_item(&v->evidence, "use while not in effect: ", f);
	}
	return finding_item(&v->evidence, "use while the state is unknown: ", f);
}

/* ----------------------------------------------------------- monitoring */

static const rt_log_cover *find_log(const actx *c, const char *channel)
{
	size_t i;
	const rt_log_cover *best = NULL;

	for (i = 0; i < c->in->nlogs; i++)
		if (c->in->logs[i].channel && rt_strcaseeq(c->in->logs[i].channel, channel) &&
		    (!best || c->in->logs[i].nrecords > best->nrecords))
			best = &c->in->logs[i];
	return best;
}

static int monitoring(const actx *c, uint64_t period_to, rt_monitoring *m)
{
	static const char *const chans[2] = { "Microsoft-Windows-WinRM/Operational",
					      "Microsoft-Windows-PowerShell/Operational" };
	static const char *const what[2] = { "WinRM events 6 and 91", "PowerShell module logging (4103)" };
	uint64_t first_act = 0;
	lookup_val ml;
	size_t i;
	int k;
	char a[RT_TIME_MAX], b[RT_TIME_MAX];

	for (i = 0; i < c->nfinds; i++)
		if (c->finds[i]->kind && strcmp(c->finds[i]->kind, "log.cleared") && c->finds[i]->time) {
			first_act = c->finds[i]->time;
			break;
		}
	for (k = 0; k < 2; k++) {
		const rt_log_cover *l = find_log(c, chans[k]);
		rt_source src;
		memset(&src, 0, sizeof src);
		if (!l) {
			if (ev_addf(&m->gaps, NULL, NULL, NULL, "%s log missing: %s cannot be checked", chans[k],
				    what[k]) < 0)
				return -1;
			continue;
		}
		*(k ? &m->ps_log : &m->winrm_log) = 1;
		src.file = l->file;
		src.time = l->first;
		rt_time_format(l->first, a);
		rt_time_format(l->last, b);
		if (ev_addf(&m->coverage, &src, NULL, NULL, "%s covers %s to %s (%llu records)", chans[k], a, b,
			    (unsigned long long)l->nrecords) < 0)
			return -1;
		if (first_act && l->first > first_act) {
			rt_time_format(first_act, b);
			if (ev_addf(&m->gaps, &src, NULL, NULL,
				    "%s begins at %s, after the first activity at %s", chans[k], a, b) < 0)
				return -1;
		}
	}
	for (i = 0; i < c->nfinds; i++) {
		const rt_assess_finding *f = c->finds[i];
		if (f->kind && !strcmp(f->kind, "log.cleared") &&
		    finding_item(&m->gaps, "log cleared: ", f) < 0)
			return -1;
	}
	ml = lookup(c, "powershell.logging.module", period_to);
	m->module_logging = !ml.known ? -1 : (ml.value && parse_bool(ml.value) == 1) ? 1 : 0;
	if (m->module_logging == 0) {
		rt_source src;
		memset(&src, 0, sizeof src);
		if (ml.fact)
			src = ml.fact->src;
		else
			src.file = c->in->software_hive;
		if (ev_addf(&m->gaps, &src, NULL, NULL, "PowerShell module logging is off (powershell.logging.module = %s)",
			    ml.value ? ml.value : "not set") < 0)
			return -1;
	} else if (m->module_logging < 0) {
		char gap[600];

		if (ev_addf(&m->gaps, NULL, NULL, NULL, "%s: whether PowerShell module logging was on is unknown",
			    hive_gap(c, 0, gap, sizeof gap)) < 0)
			return -1;
	}
	m->in_effect = m->winrm_log && m->ps_log && m->module_logging == 1 && !m->gaps.n;
	return 0;
}

/* ------------------------------------------------------------------ main */

static int assess_cm(const actx *c, rt_cm_id cm, uint64_t from, uint64_t to, const uint64_t *bounds,
		     size_t nb, rt_cm_verdict *v)
{
	ivx *iv = NULL;
	size_t niv = 0, i;
	int any_closed = 0, r = 0;

	v->id = cm;
	v->bypassed = -1;
	if (build_intervals(c, cm, from, to, bounds, nb, &iv, &niv) < 0)
		return -1;
	for (i = 0; i < c->nfinds && !r; i++) {
		const rt_assess_finding *f = c->finds[i];
		int act = f->kind && !strcmp(f->kind, activity_kind(cm)), att = is_attempt(cm, f);
		if (!act && !att)
			continue;
		if (!v->first_activity)
			v->first_activity = f->time;
		v->last_activity = f->time;
		if (att)
			r = finding_item(&v->evidence, "blocked attempt: ", f);
		else
			r = judge_activity(c, cm, v, iv, niv, f);
	}
	v->intervals = calloc(niv ? niv : 1, sizeof *v->intervals);
	if (!v->intervals)
		r = -1;
	for (i = 0; i < niv; i++) {
		if (v->intervals)
			v->intervals[i] = iv[i].iv;
		else {
			free(iv[i].iv.why);
			ev_release(&iv[i].iv.basis);
		}
		free(iv[i].scope);
		free(iv[i].local);
		if (iv[i].iv.state == RT_CM_IN_EFFECT || iv[i].iv.state == RT_CM_RESTRICTED)
			any_closed = 1;
	}
	v->nintervals = v->intervals ? niv : 0;
	free(iv);
	v->state = niv ? v->intervals[niv - 1].state : RT_CM_UNKNOWN;
	v->bypassed = v->nbypass ? 1 : any_closed ? 0 : -1;
	if (!r && cm == RT_CM0019) {
		v->has_monitoring = 1;
		r = monitoring(c, to, &v->monitoring);
	}
	return r;
}

static void widen(uint64_t t, uint64_t *from, uint64_t *to)
{
	if (!t)
		return;
	if (!*from || t < *from)
		*from = t;
	if (t > *to)
		*to = t;
}

int rt_assess_host(const rt_assess_input *given, const rt_assess_opts *opts,
		   rt_assess_result **out)
{
	rt_assess_input sound = *given, *in = &sound;
	actx c;
	rt_assess_result *res = NULL;
	uint64_t *bounds = NULL, from = 0, to = 0;
	size_t nb = 0, i, n;
	int cm, r = -1;

	*out = NULL;
	/* a damaged hive is no proof of absence: reason as without it */
	if (sound.system_damage)
		sound.system_hive = NULL;
	if (sound.software_damage)
		sound.software_hive = NULL;
	memset(&c, 0, sizeof c);
	c.in = in;
	c.opts = opts;
	c.facts = calloc(in->nfacts + 1, sizeof *c.facts);
	c.finds = calloc(in->nfindings + 1, sizeof *c.finds);
	bounds = calloc(in->nfacts + 1, sizeof *bounds);
	res = calloc(1, sizeof *res);
	if (!c.facts || !c.finds || !bounds || !res)
		goto out;
	for (i = 0; i < in->nfacts; i++)
		if (in->facts[i].name)
			c.facts[c.nfacts++] = &in->facts[i];
	qsort(c.facts, c.nfacts, sizeof *c.facts, fact_cmp);
	for (i = 0; i < in->nfindings; i++)
		c.finds[c.nfinds++] = &in->findings[i];
	qsort(c.finds, c.nfinds, sizeof *c.finds, find_cmp);

	for (i = 0; i < c.nfacts; i++) {
		widen(c.facts[i]->time, &from, &to);
		bounds[nb++] = c.facts[i]->time;
	}
	for (i = 0; i < c.nfinds; i++)
		widen(c.finds[i]->time, &from, &to);
	for (i = 0; i < in->nlogs; i++) {
		widen(in->logs[i].first, &from, &to);
		widen(in->logs[i].last, &from, &to);
	}
	qsort(bounds, nb, sizeof *bounds, u64_cmp);
	for (i = 0, n = 0; i < nb; i++)
		if (bounds[i] > from && (!n || bounds[n - 1] != bounds[i]))
			bounds[n++] = bounds[i];
	nb = n;

	res->host = rt_strdup0(in->host ? in->host : "unknown");
	res->period_from = from;
	res->period_to = to;
	if (!res->host)
		goto out;
	for (cm = 0; cm < RT_CM_COUNT; cm++)
		if (assess_cm(&c, (rt_cm_id)cm, from, to, bounds, nb, &res->cm[cm]) < 0)
			goto out;
	*out = res;
	res = NULL;
	r = 0;
out:
	rt_assess_result_free(&res);
	free(c.facts);
	free(c.finds);
	free(bounds);
	return r;
}

void rt_assess_result_free(rt_assess_result **rp)
{
	rt_assess_result *r;
	size_t i, k;
	int cm;

	if (!rp || !*rp)
		return;
	r = *rp;
	for (cm = 0; cm < RT_CM_COUNT; cm++) {
		rt_cm_verdict *v = &r->cm[cm];
		for (i = 0; i < v->nintervals; i++) {
			free(v->intervals[i].why);
			ev_release(&v->intervals[i].basis);
		}
		free(v->intervals);
		for (k = 0; k < v->nbypass; k++) {
			free(v->bypass[k].route);
			free(v->bypass[k].explanation);
			ev_release(&v->bypass[k].changes);
			ev_release(&v->bypass[k].findings);
		}
		free(v->bypass);
		ev_release(&v->evidence);
		ev_release(&v->monitoring.coverage);
		ev_release(&v->monitoring.gaps);
	}
	free(r->host);
	free(r);
	*rp = NULL;
}

const char *rt_cm_state_name(rt_cm_state s)
{
	switch (s) {
	case RT_CM_IN_EFFECT:
		return "in_effect";
	case RT_CM_RESTRICTED:
		return "restricted";
	case RT_CM_NOT_IN_EFFECT:
		return "not_in_effect";
	default:
		return "unknown";
	}
}

const char *rt_cm_name(rt_cm_id id)
{
	return id == RT_CM0013 ? "CM0013" : id == RT_CM0019 ? "CM0019" : "CM0012";
}

const char *rt_cm_title(rt_cm_id id)
{
	return id == RT_CM0013 ? "block remote WMI"
	       : id == RT_CM0019 ? "disable or restrict WinRM"
				 : "disable or restrict DCOM";
}
