/*
 * Countermeasure verdicts (artifacts.md §5, docs/assess.md). The period is
 * cut at every fact's time (but inert facts': mark_inert); for each piece
 * the host's settings make one rt_cfg_state, each countermeasure's evaluator judges its protocol's path
 * through it (config's rt_cfg_state_path: the firewall model for every leg,
 * the service side), equal neighbours are merged, and then every finding is
 * placed in its interval to tell bypass from blocked attempt from permitted
 * use. Decisions are deliberately conservative: a missing artifact makes a
 * state unknown rather than a guess, and each state cites what it rests on.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "assess_int.h"

/* A fact with its typed values and the time it is placed at. */
typedef struct afact {
	const rt_fact *f;
	uint64_t time;            /* f->time; UINT64_MAX when unknown (0) */
	const rt_cfg_value *v, *old;
	rt_cfg_value own_v, own_old;
	int inert; /* no countermeasure's judgement can change at its time (mark_inert) */
} afact;

typedef struct lookup_val {
	int known;
	const char *value;          /* text; NULL: absent */
	const rt_cfg_value *typed;  /* NULL: absent */
	const afact *fact;          /* the point it comes from, or NULL */
	int before;                 /* value is the old_value of `fact` */
	const afact *reset;         /* a store event replaced it: Windows' default or absent */
} lookup_val;

typedef struct rule_toggle {
	char *key; /* toggle_key */
	const struct afact *a;
} rule_toggle;

/* A fact by its time. */
struct timed {
	uint64_t time;
	size_t i; /* in actx.facts */
};

typedef struct actx {
	const rt_assess_input *in;
	const rt_assess_opts *opts;
	afact *facts; /* sorted by name, then time */
	size_t nfacts;
	const rt_assess_finding **finds; /* sorted by time */
	size_t nfinds;
	const char *mgmt;  /* --mgmt and the management hosts of the case, or NULL */
	int has_defaults;  /* Windows' default rule set was recorded (firewall.default.rule.*) */
	rule_toggle *toggles; /* rule switches and removals by name, by key then time */
	size_t ntoggles;
	size_t *names; /* the first fact of each name piece_init reads (not inert), in order */
	size_t nnames;
	struct timed *bytime; /* the dated facts piece_init reads, by time (piece_advance) */
	size_t nbytime;
	rt_buf mgmt_buf;
} actx;

/* How an in_effect or restricted piece is closed, for judging attempts. */
typedef enum closed_kind { CLOSED_NONE = 0, CLOSED_SERVICE, CLOSED_FIREWALL, CLOSED_AUTHZ } closed_kind;

/* What one piece of time looks like for one countermeasure. */
typedef struct seg {
	rt_cm_state state;
	rt_buf why;
	rt_evidence_list basis;
	rt_buf scopes[RT_WINFW_MAX_GROUPS]; /* restricted by address: every scope must admit */
	size_t nscopes;
	int uses_local; /* a scope names LocalSubnet */
	int conflict;   /* policy and local settings disagree */
	unsigned alt_port; /* a non-default port is open for the protocol */
	closed_kind closed;
	rt_winfw_open path[RT_FW_NPROFILES]; /* as judged, per profile */
	rt_buf note;    /* appended to `why`: what the verdict leaves aside */
} seg;

/*
 * Change points that replace a whole store of firewall settings from their
 * time on; a setting of the store recorded before such a point no longer
 * holds after it:
 * - a reset (Firewall 2032, 2060 on Windows 11; netsh advfirewall reset):
 *   [MS-FASP] 3.1.4.3 RRPC_FWRestoreDefaults replaces the local store with
 *   the defaults store and leaves Group Policy alone: local profile options
 *   take Windows' defaults, local rules become Windows' default rule set
 *   (SharedAccess\Defaults\FirewallPolicy\FirewallRules, config's
 *   firewall.default.rule.*);
 * - every local rule deleted (2033, 2059 on Windows 11);
 * - the firewall service failed to load Group Policy (2009): the Group
 *   Policy store no longer applies, the local one does, until Group Policy
 *   is recorded again.
 */
enum { STORE_RESET, STORE_RULES_DELETED, STORE_POLICY_FAILED, NSTORE };

static const struct store_event {
	const char *name;  /* the change point */
	const char *value; /* its value when it applies (NULL: the point removes) */
	const char *affects[2]; /* prefixes of the settings it replaces */
	int defaults;      /* rules become Windows' default rule set */
	const char *what;  /* said in the basis and in "re-enabled then used" */
	const char *becomes; /* what a replaced setting is then */
} store_events[NSTORE] = {
	[STORE_RESET] = { "firewall.reset", "default", { "firewall.rule.", "firewall.profile." }, 1,
			  "firewall reset to Windows' defaults (local store)", "Windows' default" },
	[STORE_RULES_DELETED] = { "firewall.rule.*", NULL, { "firewall.rule.", NULL }, 0,
				  "every local firewall rule deleted", "deleted" },
	[STORE_POLICY_FAILED] = { "firewall.policy.load", "failed", { "firewall.policy.", NULL }, 0,
				  "the firewall service failed to load Group Policy "
				  "(local settings apply)",
				  "not applied" },
};

/* One piece of time: the settings at its start, for every countermeasure. */
typedef struct piece {
	uint64_t t;
	const afact *store[NSTORE];  /* the store events in force at t */
	const afact *current;        /* netsh firewall set opmode ("current" profile) in force */
	rt_fwrule *toggled;          /* local rules as switched on or off by name or group */
	unsigned current_profiles;   /* ... the profiles it changed; 0: not known */
	rt_cfg_state st;
	rt_buf local;                /* what LocalSubnet stands for */
	rt_evidence_list local_basis; /* ... and where that comes from */
} piece;

typedef struct fw_view {
	unsigned active;      /* RT_FW_PROF_* mask of the active profiles; 0: not recorded */
	unsigned seen;        /* profiles of networks seen connected (NetworkProfile) */
	const afact *active_fact;
} fw_view;

typedef void (*cm_eval_fn)(const actx *c, piece *pc, seg *s);

static void eval_cm0013(const actx *c, piece *pc, seg *s);
static void eval_cm0019(const actx *c, piece *pc, seg *s);
static void eval_cm0012(const actx *c, piece *pc, seg *s);

/* Windows Filtering Platform: "packet dropped" / "connection blocked". A
 * refused attempt with one of these is the firewall at work. */
static const uint32_t wfp_drop_events[] = { 5152, 5157 };

/* The countermeasure table: adding one (CM0038) is one row and its
 * evaluator. `changes` are the setting-name prefixes whose change can open
 * it; `attempts` the finding kinds of refused attempts. */
static const struct cm_spec {
	rt_cm_id id;
	const char *name, *title;
	rt_proto proto;
	cm_eval_fn eval;
	const char *activity;
	const char *const attempts[3];
	const char *const changes[6];
	int monitoring;
} cms[RT_CM_COUNT] = {
	[RT_CM0013] = { RT_CM0013, "CM0013", "block remote WMI", RT_PROTO_WMI, eval_cm0013, "wmi.inbound",
			{ "wmi.failed", "dcom.denied", NULL },
			{ "firewall.", "network.connection.", "service.winmgmt", "service.rpcss", "wmi.", "dcom.enabled" },
			0 },
	[RT_CM0019] = { RT_CM0019, "CM0019", "disable or restrict WinRM", RT_PROTO_WINRM, eval_cm0019,
			"winrm.inbound", { "winrm.failed", NULL, NULL },
			{ "firewall.", "network.connection.", "service.winrm", "winrm.", NULL, NULL }, 1 },
	[RT_CM0012] = { RT_CM0012, "CM0012", "disable or restrict DCOM", RT_PROTO_DCOM, eval_cm0012,
			"dcom.inbound", { "dcom.denied", NULL, NULL },
			{ "firewall.", "network.connection.", "dcom.", "service.rpcss", "service.dcomlaunch", "rpc." },
			0 },
};

/* ----------------------------------------------------------- small helpers */

static const char *sys_or_soft(const actx *c, const char *name)
{
	if (!strncmp(name, "service.", 8) || !strncmp(name, "firewall.profile.", 17) ||
	    !strncmp(name, "firewall.rule.", 14) || !strncmp(name, "firewall.default.", 17) ||
	    !strncmp(name, "host.", 5))
		return c->in->system_hive;
	return c->in->software_hive;
}

static int fact_cmp(const void *a, const void *b)
{
	const afact *x = a, *y = b;
	int r = strcmp(x->f->name, y->f->name);

	if (r)
		return r;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	if (x->f->src.record_id != y->f->src.record_id)
		return x->f->src.record_id < y->f->src.record_id ? -1 : 1;
	return strcmp(x->f->src.file ? x->f->src.file : "", y->f->src.file ? y->f->src.file : "");
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

/* Index of the first of `n` sorted names (name_at) that is >= `key`. */
static size_t first_at_least(const actx *c, size_t n, const char *(*name_at)(const actx *, size_t),
                             const char *key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(name_at(c, mid), key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const char *fact_name(const actx *c, size_t i)
{
	return c->facts[i].f->name;
}

static const char *toggle_name(const actx *c, size_t i)
{
	return c->toggles[i].key;
}

/* Index of the first fact whose name is >= `name`. */
static size_t lower_bound(const actx *c, const char *name)
{
	return first_at_least(c, c->nfacts, fact_name, name);
}

static lookup_val lookup(const actx *c, const char *name, uint64_t t)
{
	lookup_val v = { 0, NULL, NULL, NULL, 0, NULL };
	size_t i = lower_bound(c, name), first = i;

	for (; i < c->nfacts && !strcmp(c->facts[i].f->name, name); i++)
		if (c->facts[i].time <= t) {
			v.known = 1;
			v.value = c->facts[i].f->value;
			v.typed = c->facts[i].f->value ? c->facts[i].v : NULL;
			v.fact = &c->facts[i];
		}
	if (v.fact)
		return v;
	if (first < c->nfacts && !strcmp(c->facts[first].f->name, name)) {
		/* a change event dated like a snapshot point tells what was before */
		for (i = first; i < c->nfacts && !strcmp(c->facts[i].f->name, name) &&
				c->facts[i].time == c->facts[first].time;
		     i++)
			if (c->facts[i].f->is_change)
				break;
		if (i < c->nfacts && !strcmp(c->facts[i].f->name, name) &&
		    c->facts[i].time == c->facts[first].time)
			first = i;
		v.fact = &c->facts[first];
		if (v.fact->f->is_change) {
			v.known = 1;
			v.value = v.fact->f->old_value;
			v.typed = v.fact->f->old_value ? v.fact->old : NULL;
			v.before = 1;
		}
		return v;
	}
	v.known = sys_or_soft(c, name) != NULL;
	return v;
}


static int store_event_named(const char *name)
{
	size_t k;

	for (k = 0; k < NSTORE; k++)
		if (!strcmp(name, store_events[k].name))
			return (int)k;
	return -1;
}

/* The store event `k` in force at t: its latest point at or before t,
 * when that point has the value that applies. */
static const afact *store_at(const actx *c, size_t k, uint64_t t)
{
	lookup_val v = lookup(c, store_events[k].name, t);
	const char *want = store_events[k].value;

	if (!v.known || v.before || !v.fact || v.fact->time > t)
		return NULL;
	if (want ? v.value && !strcmp(v.value, want) : !v.value)
		return v.fact;
	return NULL;
}

/* The store event in force in `pc` that replaced setting `name`'s value
 * `v` (recorded before the event), or -1. */
static int replaced_by(const piece *pc, const char *name, const lookup_val *v)
{
	size_t k, j;

	if (!v->known || v->before || !v->fact || store_event_named(name) >= 0)
		return -1;
	for (k = 0; k < NSTORE; k++)
		for (j = 0; pc->store[k] && j < 2 && store_events[k].affects[j]; j++)
			if (!strncmp(name, store_events[k].affects[j],
			             strlen(store_events[k].affects[j])) &&
			    v->fact->time < pc->store[k]->time)
				return (int)k;
	return -1;
}

/* `name` as it stood at the piece's start: lookup, and a store event that
 * replaced its value (the value is then absent: Windows' default). */
static lookup_val lookup_at(const actx *c, const piece *pc, const char *name)
{
	lookup_val v = lookup(c, name, pc->t);
	int k = replaced_by(pc, name, &v);

	if (k >= 0) {
		v.value = NULL;
		v.typed = NULL;
		v.reset = pc->store[k];
		v.fact = pc->store[k];
	}
	return v;
}

static lookup_val lookup3(const actx *c, const piece *pc, const char *a, const char *b,
                          const char *d)
{
	char name[160];

	snprintf(name, sizeof name, "%s%s%s", a, b, d);
	return lookup_at(c, pc, name);
}

/* A fact's or finding's source, dated by the fact/finding when the source
 * itself carries no time. */
static rt_source dated(rt_source s, uint64_t t)
{
	if (!s.time)
		s.time = t;
	return s;
}

static rt_source fact_src(const afact *a)
{
	return dated(a->f->src, a->f->time);
}

/* Cite a looked-up setting in `l`. */
static int cite(const actx *c, rt_evidence_list *l, const char *name, const lookup_val *v)
{
	char when[RT_TIME_MAX];
	rt_source fs;

	if (v->fact)
		fs = fact_src(v->fact);
	if (v->reset) {
		int k = store_event_named(v->reset->f->name);

		rt_time_format(v->reset->f->time, when);
		return ev_addf(l, &fs, NULL, NULL, "%s: %s (%s at %s)", name,
		               k >= 0 ? store_events[k].becomes : "replaced",
		               k >= 0 ? store_events[k].what : v->reset->f->name, when);
	}
	if (v->fact && v->before) {
		rt_time_format(v->fact->f->time, when);
		if (v->value)
			return ev_addf(l, &fs, NULL, NULL, "%s = %s before the change at %s", name, v->value,
				       when);
		return ev_addf(l, &fs, NULL, NULL, "%s absent before the change at %s", name, when);
	}
	if (v->fact && v->known) {
		if (v->value)
			return ev_addf(l, &fs, NULL, NULL, "%s = %s", name, v->value);
		return ev_addf(l, &fs, NULL, NULL, "%s removed", name);
	}
	if (v->fact) {
		rt_time_format(v->fact->f->time, when);
		return ev_addf(l, &fs, NULL, NULL, "%s: first recorded at %s; earlier value unknown", name, when);
	}
	{
		rt_source s;
		memset(&s, 0, sizeof s);
		s.file = sys_or_soft(c, name);
		return ev_addf(l, &s, NULL, NULL, "%s not set", name);
	}
}

/* Cite the fact a state setting came from (its src is the afact), once. */
static void cite_src(const actx *c, piece *pc, rt_evidence_list *l, const void *src)
{
	const afact *a = src;
	rt_evidence_list one = { 0 };
	lookup_val v;
	size_t i;

	if (!a)
		return;
	v = lookup(c, a->f->name, pc->t);
	cite(c, &one, a->f->name, &v);
	for (i = 0; one.n && i < l->n && strcmp(l->items[i].text, one.items[0].text); i++)
		;
	if (one.n && i == l->n) {
		const rt_evidence_item *it = &one.items[0];
		rt_source s = { it->file, it->key, it->value_name, it->record_id, it->event_id, it->time };

		ev_add(l, it->text, &s, NULL, NULL);
	}
	ev_release(&one);
}

static void seg_init(seg *s)
{
	size_t i;

	memset(s, 0, sizeof *s);
	rt_buf_init(&s->why, 0);
	rt_buf_init(&s->note, 0);
	for (i = 0; i < RT_WINFW_MAX_GROUPS; i++)
		rt_buf_init(&s->scopes[i], 0);
}

static void seg_release(seg *s)
{
	size_t i;

	rt_buf_release(&s->why);
	rt_buf_release(&s->note);
	for (i = 0; i < RT_WINFW_MAX_GROUPS; i++)
		rt_buf_release(&s->scopes[i]);
	ev_release(&s->basis);
}

static void set_state(seg *s, rt_cm_state st, const char *why)
{
	s->state = st;
	rt_buf_reset(&s->why);
	rt_buf_adds(&s->why, why);
}

static void set_statef(seg *s, rt_cm_state st, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_statef(seg *s, rt_cm_state st, const char *fmt, ...)
{
	char text[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	set_state(s, st, text);
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

static int list_has(const char *list, const char *item)
{
	return rt_list_has(list, item, strlen(item));
}

/* ------------------------------------------------------ the state at t */

/* What LocalSubnet stands for at `t`: the subnets of the host's interfaces,
 * each cited with its key. An interface first recorded after `t` is taken
 * as first recorded (the text says so). Without an IPv4 subnet the /24 of
 * host.ipv4 is a stated guess; without an IPv6 prefix (Tcpip6 interface
 * keys keep none) IPv6 addresses in LocalSubnet cannot be told. */
static void resolve_local(const actx *c, piece *pc)
{
	static const char *const pre[2] = { "host.interface.", "host.interface6." };
	rt_evidence_list *l = &pc->local_basis;
	int have[2] = { 0, 0 };
	char when[RT_TIME_MAX];
	rt_source src;
	size_t k;

	for (k = 0; k < 2; k++) {
		size_t plen = strlen(pre[k]), i = lower_bound(c, pre[k]);

		while (i < c->nfacts && !strncmp(c->facts[i].f->name, pre[k], plen)) {
			const char *name = c->facts[i].f->name;
			lookup_val v = lookup(c, name, pc->t);
			const char *val = v.known ? v.value : v.fact ? v.fact->f->value : NULL;

			while (i < c->nfacts && !strcmp(c->facts[i].f->name, name))
				i++;
			if (!val || !*val || !v.fact || !rt_scope_is_literal(val))
				continue;
			src = fact_src(v.fact);
			rt_time_format(v.fact->f->time, when);
			ev_addf(l, &src, NULL, NULL, "LocalSubnet includes %s (%s%s%s%s)", val, name,
				v.known ? "" : ", first recorded at ", v.known ? "" : when,
				v.known ? "" : "; taken as the same before");
			if (pc->local.len)
				rt_buf_addch(&pc->local, ',');
			rt_buf_adds(&pc->local, val);
			have[k] = 1;
		}
	}
	memset(&src, 0, sizeof src);
	src.file = c->in->system_hive;
	if (!have[0]) {
		lookup_val ip = lookup(c, "host.ipv4", pc->t);
		const char *a = ip.known ? ip.value : ip.fact ? ip.fact->f->value : NULL;
		char first[64];
		size_t n = a ? strcspn(a, ",") : 0;

		if (a && n && n < sizeof first) {
			memcpy(first, a, n);
			first[n] = '\0';
		}
		if (a && ip.fact && n && n < sizeof first && rt_scope_is_literal(first) && !strchr(first, ':') &&
		    !strchr(first, '/')) {
			src = fact_src(ip.fact);
			ev_addf(l, &src, NULL, NULL,
				"LocalSubnet taken as %s/24, the /24 of host.ipv4 (a guess: no interface "
				"subnet mask recorded)", first);
			if (pc->local.len)
				rt_buf_addch(&pc->local, ',');
			rt_buf_addf(&pc->local, "%s/24", first);
		} else {
			src.key = "CurrentControlSet\\Services\\Tcpip\\Parameters\\Interfaces";
			ev_add(l, "LocalSubnet for IPv4 cannot be told: no interface address with a "
				  "subnet mask recorded", &src, NULL, NULL);
		}
	}
	if (!have[1]) {
		memset(&src, 0, sizeof src);
		src.file = c->in->system_hive;
		src.key = "CurrentControlSet\\Services\\Tcpip6\\Parameters\\Interfaces";
		ev_add(l, "LocalSubnet for IPv6 cannot be told: no on-link prefix recorded "
			  "(Tcpip6 interface keys keep none)", &src, NULL, NULL);
	}
}

static int has_fact(const actx *c, const char *name)
{
	size_t i = lower_bound(c, name);

	return i < c->nfacts && !strcmp(c->facts[i].f->name, name);
}

/* After a reset, local rule `id` (recorded before it: `had` 1) is Windows'
 * default rule of that id, or gone when the default set lacks it; when the
 * hives recorded no default set, whether the rule is there is unknown (it
 * is judged both ways). */
static void default_rule(const actx *c, piece *pc, const char *id, int had)
{
	char name[600];
	lookup_val d;

	if (!pc->store[STORE_RESET])
		return;
	snprintf(name, sizeof name, "firewall.default.rule.%s", id);
	d = lookup(c, name, pc->t);
	if (d.known && d.value && d.fact && !d.before) {
		rt_cfg_state_rule(&pc->st, id, 0, d.typed, 1, d.fact);
		return;
	}
	if (had && !c->has_defaults) {
		snprintf(name, sizeof name, "firewall.rule.%s", id);
		d = lookup(c, name, pc->t);
		if (d.fact && d.typed)
			rt_cfg_state_rule(&pc->st, id, 0, d.typed, 0, d.fact);
	}
}

/* After a reset, the default rules no local point names come back too. */
static void default_rules(const actx *c, piece *pc)
{
	static const char pre[] = "firewall.default.rule.";
	char name[600];
	size_t i;

	if (!pc->store[STORE_RESET])
		return;
	for (i = lower_bound(c, pre);
	     i < c->nfacts && !strncmp(c->facts[i].f->name, pre, sizeof pre - 1); i++) {
		const char *id = c->facts[i].f->name + sizeof pre - 1;

		if (i > 0 && !strcmp(c->facts[i - 1].f->name, c->facts[i].f->name))
			continue;
		snprintf(name, sizeof name, "firewall.rule.%s", id);
		if (!has_fact(c, name))
			default_rule(c, pc, id, 0);
	}
}

static unsigned active_profiles(const actx *c, uint64_t t, const afact **from);

/* Windows' own rule groups as netsh and the cmdlets name them (English
 * display names); their rules are told by id, which neither the version
 * nor the language changes (both corpus hives). */
static const struct {
	const char *group, *id_prefix;
} rule_groups[] = {
	{ "Windows Management Instrumentation (WMI)", "WMI-" },
	{ "Windows Remote Management", "WINRM-HTTP-In-TCP" },
	{ "Windows Remote Management (Compatibility)", "WINRM-HTTP-Compat-In-TCP" },
};

/* A rule switch's or removal's target as a key: kind ('i' rule id, 'n'
 * display name, 'g' group), ':' and the name in lower case (registry value
 * names and netsh's names are case-insensitive). "" when too long. */
static void toggle_key(char *out, size_t size, char kind, const char *name, size_t n)
{
	size_t i;

	out[0] = '\0';
	if (n + 3 > size)
		return;
	out[0] = kind;
	out[1] = ':';
	for (i = 0; i < n; i++)
		out[2 + i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
	out[2 + n] = '\0';
}

static int toggle_cmp(const void *a, const void *b)
{
	const rule_toggle *x = a, *y = b;
	int r = strcmp(x->key, y->key);

	return r ? r : x->a->time < y->a->time ? -1 : x->a->time > y->a->time;
}

/* Every rule switch and removal by name of the evidence, by key then time
 * (once per host: rule_toggles looks each rule's names up in it). */
static int toggles_init(actx *c)
{
	static const char pre[] = "firewall.rule";
	char key[600];
	size_t i;

	for (i = lower_bound(c, pre);
	     i < c->nfacts && !strncmp(c->facts[i].f->name, pre, sizeof pre - 1); i++) {
		const afact *a = &c->facts[i];
		const char *name = a->f->name;
		size_t n = strlen(name);
		int en = n > 8 && !strcmp(name + n - 8, ".enabled");

		if (en ? !(a->v && a->v->type == RT_CFG_V_BOOL) : a->f->value != NULL)
			continue;
		if (en)
			n -= 8;
		if (!strncmp(name, "firewall.rule.cmd:", 18))
			toggle_key(key, sizeof key, 'n', name + 18, n - 18);
		else if (!strncmp(name, "firewall.rule_group.", 20))
			toggle_key(key, sizeof key, 'g', name + 20, n - 20);
		else if (en && !strncmp(name, "firewall.rule.", 14))
			toggle_key(key, sizeof key, 'i', name + 14, n - 14);
		else
			continue; /* a rule removed by id is its own point */
		if (!key[0])
			continue;
		if (!c->toggles && !(c->toggles = calloc(c->nfacts, sizeof *c->toggles)))
			return -1;
		if (!(c->toggles[c->ntoggles].key = rt_strdup0(key)))
			return -1;
		c->toggles[c->ntoggles++].a = a;
	}
	if (c->ntoggles)
		qsort(c->toggles, c->ntoggles, sizeof *c->toggles, toggle_cmp);
	return 0;
}

/* The newest switch or removal under `key` in (floor, t] and after `own`,
 * if newer than *best. */
static void toggle_find(const actx *c, const char *key, uint64_t floor, uint64_t t,
                        const afact *own, const afact **best)
{
	size_t lo;

	if (!key[0])
		return;
	for (lo = first_at_least(c, c->ntoggles, toggle_name, key);
	     lo < c->ntoggles && !strcmp(c->toggles[lo].key, key); lo++) {
		const afact *a = c->toggles[lo].a;

		if (a->time <= t && a->time > floor && (!own || a->time > own->time) &&
		    (!*best || a->time >= (*best)->time))
			*best = a;
	}
}

/*
 * Local rules switched on or off, or removed, by id, display name or group
 * (netsh advfirewall firewall set rule ... new enable= / delete rule name=,
 * Enable-/Disable-/Set-/Remove-NetFirewallRule): each local rule takes the
 * newest such point at or before the piece that is newer than the rule's
 * own point and than a reset or deletion of every rule. A display name
 * matches the rule's Name (or a rule netsh added under that name); a group
 * an administrator's EmbedCtxt, or one of Windows' groups (rule_groups) by
 * rule id. A switched rule is a copy with Active changed, cited by the
 * point that switched it.
 */
static int rule_toggles(const actx *c, piece *pc)
{
	char key[600];
	size_t i, r, k, kept = 0;
	uint64_t floor = 0;

	if (!c->ntoggles || !pc->st.nrules)
		return 0;
	for (i = 0; i < NSTORE; i++)
		if (i != STORE_POLICY_FAILED && pc->store[i] && pc->store[i]->time > floor)
			floor = pc->store[i]->time;
	if (!(pc->toggled = calloc(pc->st.nrules, sizeof *pc->toggled)))
		return -1;
	for (r = 0; r < pc->st.nrules; r++) {
		rt_winfw_rule *w = &pc->st.rules[r];
		const afact *own = w->src, *best = NULL;

		if (w->store == RT_WINFW_LOCAL && w->id) {
			toggle_key(key, sizeof key, 'i', w->id, strlen(w->id));
			toggle_find(c, key, floor, pc->t, own, &best);
			if (!strncmp(w->id, "cmd:", 4)) {
				toggle_key(key, sizeof key, 'n', w->id + 4, strlen(w->id + 4));
				toggle_find(c, key, floor, pc->t, own, &best);
			}
			if (w->rule->name) {
				toggle_key(key, sizeof key, 'n', w->rule->name,
				           strlen(w->rule->name));
				toggle_find(c, key, floor, pc->t, own, &best);
			}
			if (w->rule->embedctxt) {
				toggle_key(key, sizeof key, 'g', w->rule->embedctxt,
				           strlen(w->rule->embedctxt));
				toggle_find(c, key, floor, pc->t, own, &best);
			}
			for (k = 0; k < sizeof rule_groups / sizeof *rule_groups; k++)
				if (!strncmp(w->id, rule_groups[k].id_prefix,
				             strlen(rule_groups[k].id_prefix))) {
					toggle_key(key, sizeof key, 'g', rule_groups[k].group,
					           strlen(rule_groups[k].group));
					toggle_find(c, key, floor, pc->t, own, &best);
				}
		}
		if (best && !best->f->value)
			continue; /* removed */
		if (best) {
			pc->toggled[r] = *w->rule;
			pc->toggled[r].active = best->v->i != 0;
			w->rule = &pc->toggled[r];
			w->src = best;
		}
		pc->st.rules[kept++] = *w;
	}
	pc->st.nrules = pc->st.fw.nrules = kept;
	return 0;
}

/* firewall.profile.<p>.<what> at the piece's start, or the "current
 * profile" point of the same option (netsh firewall set opmode, netsh
 * advfirewall set currentprofile) when it is newer and changed profile p:
 * the profiles the latest 4956 at its time names; without one any profile
 * may have been current, and the value is then not known. */
static lookup_val profile_setting(const actx *c, const piece *pc, int p, const char *what)
{
	char name[80];
	lookup_val own, cur;
	const afact *act;
	unsigned profiles;

	snprintf(name, sizeof name, "firewall.profile.%s.%s", rt_fw_profile_name(p), what);
	own = lookup_at(c, pc, name);
	snprintf(name, sizeof name, "firewall.profile.current.%s", what);
	cur = lookup_at(c, pc, name);
	if (!cur.known || cur.before || cur.reset || !cur.fact || !cur.typed ||
	    (own.known && own.fact && !own.before && own.fact->time >= cur.fact->time))
		return own;
	profiles = active_profiles(c, cur.fact->time, &act);
	if (profiles && !(profiles & (1u << p)))
		return own;
	cur.known = profiles != 0;
	return cur;
}

/* The profile options the current-profile points changed, into the state;
 * the newest such point is kept for the text (undecided). */
static void current_profile(const actx *c, piece *pc)
{
	static const char *const what[] = { "enabled", "default_inbound" };
	const afact *act;
	char name[80];
	size_t k;
	int p;

	for (k = 0; k < sizeof what / sizeof *what; k++)
		for (p = 0; p < RT_FW_NPROFILES; p++) {
			lookup_val v = profile_setting(c, pc, p, what[k]);

			if (!v.fact || strncmp(v.fact->f->name, "firewall.profile.current.", 25))
				continue;
			snprintf(name, sizeof name, "firewall.profile.%s.%s", rt_fw_profile_name(p),
			         what[k]);
			rt_cfg_state_set(&pc->st, name, v.typed, v.known, v.fact);
			if (!pc->current || v.fact->time > pc->current->time) {
				pc->current = v.fact;
				pc->current_profiles = active_profiles(c, v.fact->time, &act);
			}
		}
}

/* Every setting as it stood at the piece's start (a setting only recorded
 * later is "unknown" then; a rule recorded later is judged both ways).
 * Inert rules (mark_inert) are left out: they match no leg, so no decision
 * and no citation can see them, and each piece then costs what the rules
 * that matter cost, not what every rule of the host costs. */
static int piece_init(const actx *c, uint64_t t, piece *pc)
{
	size_t n, k;

	memset(pc, 0, sizeof *pc);
	pc->t = t;
	rt_buf_init(&pc->local, 1 << 16);
	rt_cfg_state_init(&pc->st, c->in->system_hive != NULL, c->in->software_hive != NULL);
	for (k = 0; k < NSTORE; k++)
		pc->store[k] = store_at(c, k, t);
	for (n = 0; n < c->nnames; n++) {
		const char *name = c->facts[c->names[n]].f->name;
		lookup_val v;

		if (!strncmp(name, "firewall.default.", 17))
			continue; /* only a reset brings them in (default_rule) */
		v = lookup_at(c, pc, name);
		if (v.reset && !strncmp(name, "firewall.rule.", 14))
			default_rule(c, pc, name + 14, 1);
		else if (v.known)
			rt_cfg_state_set(&pc->st, name, v.typed, 1, v.fact);
		else if (v.fact)
			rt_cfg_state_set(&pc->st, name, v.fact->v, 0, v.fact);
	}
	default_rules(c, pc);
	if (rule_toggles(c, pc))
		pc->st.oom = 1;
	current_profile(c, pc);
	resolve_local(c, pc);
	pc->st.fw.local_subnets = pc->local.len ? pc->local.buf : NULL;
	return pc->st.oom ? -1 : 0;
}

static void piece_release(piece *pc)
{
	free(pc->toggled); /* shallow copies: their strings are the rules' */
	rt_cfg_state_release(&pc->st);
	rt_buf_release(&pc->local);
	ev_release(&pc->local_basis);
}

/* A rule by id of either store, its value all piece_init makes of it. */
static int plain_rule_name(const char *name)
{
	size_t n = strlen(name);

	return (!strncmp(name, "firewall.rule.", 14) || !strncmp(name, "firewall.policy.rule.", 21)) &&
	       store_event_named(name) < 0 && !(n > 8 && !strcmp(name + n - 8, ".enabled"));
}

static int rule_src_cmp(const rt_winfw_rule *r, const char *name)
{
	return strcmp(((const afact *)r->src)->f->name, name);
}

/*
 * The piece at `t` from the piece before it (pc, at pc->t < t), changing
 * only what the points in (pc->t, t] change (issue 16: a piece rebuilt
 * from every setting made thousands of rule changes quadratic). Done only
 * when those points are all rules by id (firewall.rule.<id>,
 * firewall.policy.rule.<id>) and nothing else piece_init derives can
 * move: no rule switches or removals by name on the host (rule_toggles),
 * no store event in force (a reset's default rules, replaced_by). Then
 * piece_init's state differs from pc's only in those rules: a name's
 * lookup changes only when one of its points is passed, every other
 * setting, the current-profile options and LocalSubnet read points of
 * other names, and the rules stand in the order of their names (c->names)
 * with each one's point as its source; so each passed name's rule is taken
 * out and put back as piece_init would make it. Returns 1 when done, 0
 * when pc is untouched and must be built afresh. *next is the first of
 * c->bytime after pc->t, and is moved on.
 */
static int piece_advance(const actx *c, piece *pc, uint64_t t, size_t *next)
{
	size_t k, end, r, lo, hi;

	if (rt_assess_every_point || c->ntoggles)
		return 0;
	for (k = 0; k < NSTORE; k++)
		if (pc->store[k])
			return 0;
	for (end = *next; end < c->nbytime && c->bytime[end].time <= t; end++)
		if (!plain_rule_name(c->facts[c->bytime[end].i].f->name))
			return 0;
	pc->t = t;
	for (k = *next; k < end; k++) {
		const char *name = c->facts[c->bytime[k].i].f->name;
		lookup_val v = lookup_at(c, pc, name);
		rt_winfw_rule added;

		/* take the rule of this name out */
		for (lo = 0, hi = pc->st.nrules; lo < hi;) {
			size_t mid = lo + (hi - lo) / 2;

			if (rule_src_cmp(&pc->st.rules[mid], name) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < pc->st.nrules && !rule_src_cmp(&pc->st.rules[lo], name)) {
			memmove(&pc->st.rules[lo], &pc->st.rules[lo + 1], (pc->st.nrules - lo - 1) * sizeof *pc->st.rules);
			pc->st.nrules = --pc->st.fw.nrules;
		}
		/* and back, as piece_init makes it, where its name sorts */
		r = pc->st.nrules;
		if (v.known)
			rt_cfg_state_set(&pc->st, name, v.typed, 1, v.fact);
		else if (v.fact)
			rt_cfg_state_set(&pc->st, name, v.fact->v, 0, v.fact);
		if (pc->st.nrules == r)
			continue;
		added = pc->st.rules[r];
		memmove(&pc->st.rules[lo + 1], &pc->st.rules[lo], (r - lo) * sizeof *pc->st.rules);
		pc->st.rules[lo] = added;
	}
	*next = end;
	return pc->st.oom ? -1 : 1;
}

/* ---------------------------------------------------------------- firewall */

/* The active profiles at `t` from the latest firewall.active_profile point
 * at or before it (a 4956 names every active profile). Before the first
 * point, or when its value cannot be read, they are not known: 0. */
static unsigned active_profiles(const actx *c, uint64_t t, const afact **from)
{
	static const char name[] = "firewall.active_profile";
	size_t i = lower_bound(c, name);

	*from = NULL;
	for (; i < c->nfacts && !strcmp(c->facts[i].f->name, name); i++)
		if (c->facts[i].time <= t)
			*from = &c->facts[i];
	if (!*from || !(*from)->v || (*from)->v->type != RT_CFG_V_TEXT || !(*from)->v->i) {
		*from = NULL;
		return 0;
	}
	return (unsigned)(*from)->v->i;
}

/* "<what> since <time>" in the basis, the event that says it as source
 * (its file and record id are in the source, not repeated in the text). */
static void cite_since(seg *s, const afact *f, const char *what)
{
	char when[RT_TIME_MAX];
	rt_source src = fact_src(f);

	rt_time_format(f->f->time, when);
	ev_addf(&s->basis, &src, NULL, NULL, "%s since %s", what, when);
}

/* Networks connected at `t` per the NetworkProfile log (network.connection.*
 * points after `after`): the profiles they use are active, at least. Each
 * is cited. A network connected before the log began is not seen, so this
 * is a lower bound only. */
static unsigned connected_profiles(const actx *c, uint64_t t, uint64_t after, seg *s)
{
	static const char pre[] = "network.connection.";
	size_t i = lower_bound(c, pre);
	unsigned mask = 0;

	while (i < c->nfacts && !strncmp(c->facts[i].f->name, pre, sizeof pre - 1)) {
		const char *name = c->facts[i].f->name;
		const afact *last = NULL;
		char what[300];

		for (; i < c->nfacts && !strcmp(c->facts[i].f->name, name); i++)
			if (c->facts[i].time <= t)
				last = &c->facts[i];
		if (!last || last->time <= after || !last->f->value || !last->v || !last->v->i)
			continue;
		mask |= (unsigned)last->v->i;
		if (!s)
			continue;
		snprintf(what, sizeof what, "network %s (%s profile) connected", name + sizeof pre - 1,
			 last->f->value);
		cite_since(s, last, what);
	}
	return mask;
}

static void fw_active(const actx *c, uint64_t t, fw_view *fw, seg *s)
{
	char what[160];

	memset(fw, 0, sizeof *fw);
	fw->active = active_profiles(c, t, &fw->active_fact);
	if (fw->active && s) {
		snprintf(what, sizeof what, "active firewall profile %s", fw->active_fact->f->value);
		cite_since(s, fw->active_fact, what);
	}
	/* networks connected after the 4956 add to its set; without a 4956
	 * they are only what is certainly active */
	fw->seen = connected_profiles(c, t, fw->active ? fw->active_fact->time : 0, s);
	if (fw->active)
		fw->active |= fw->seen;
}

/* A profile's switch and inbound default, cited: the judged profiles' when
 * they decide; a profile that is not active when it would have counted
 * against the control, "(profile not active)". Policy and local switches
 * that disagree are a conflict. */
static void cite_profiles(const actx *c, piece *pc, const fw_view *fw, seg *s)
{
	int i;

	for (i = 0; i < RT_FW_NPROFILES; i++) {
		const char *p = rt_fw_profile_name(i);
		unsigned bit = 1u << i;
		int judged = !fw->active || (fw->active & bit);
		lookup_val pe = lookup3(c, pc, "firewall.policy.profile.", p, ".enabled");
		lookup_val le = profile_setting(c, pc, i, "enabled");
		lookup_val pd = lookup3(c, pc, "firewall.policy.profile.", p, ".default_inbound");
		lookup_val ld = profile_setting(c, pc, i, "default_inbound");
		/* a local option a store event replaced is cited as such */
		const lookup_val *en = pe.known && pe.typed                 ? &pe
		                       : le.known && (le.typed || le.reset) ? &le
		                                                            : NULL;
		const lookup_val *din = pd.known && pd.typed                 ? &pd
		                        : ld.known && (ld.typed || ld.reset) ? &ld
		                                                             : NULL;
		int off = en && en->typed && en->typed->type == RT_CFG_V_BOOL && en->typed->i == 0;
		int allow =
		    din && din->typed && din->typed->type == RT_CFG_V_TEXT && din->typed->i == 0;

		if (!judged) {
			rt_source src;

			if (off) {
				src = fact_src(en->fact);
				ev_addf(&s->basis, &src, NULL, NULL, "%s = %s (profile not active)", en->fact->f->name,
					en->value);
			}
			if (allow) {
				src = fact_src(din->fact);
				ev_addf(&s->basis, &src, NULL, NULL, "%s = %s (profile not active)", din->fact->f->name,
					din->value);
			}
			continue;
		}
		if (en && en->reset) {
			char name[64];

			snprintf(name, sizeof name, "firewall.%sprofile.%s.enabled",
			         en == &pe ? "policy." : "", p);
			cite(c, &s->basis, name, en);
		} else if (en) {
			cite(c, &s->basis, en->fact->f->name, en);
		}
		if (en == &pe && le.known && le.typed && le.typed->type == RT_CFG_V_BOOL &&
		    pe.typed->type == RT_CFG_V_BOOL && le.typed->i != pe.typed->i) {
			s->conflict = 1;
			cite(c, &s->basis, le.fact->f->name, &le);
		}
		if (allow)
			cite(c, &s->basis, din->fact->f->name, din);
	}
}

#define ACTIVE_UNKNOWN                                                                    \
	"the active profile is not recorded: Security 4956 events (Audit MPSSVC Rule-Level " \
	"Policy Change) or the Microsoft-Windows-NetworkProfile/Operational log would settle it"

/* What the verdict leaves aside because the active profile is known: the
 * profiles that are not active and would have let anything in (firewall
 * off, inbound default allow). */
static void fw_note(const fw_view *fw, unsigned inactive_off, unsigned inactive_open, seg *s)
{
	char names[32];

	if (!fw->active || !(inactive_off | inactive_open))
		return;
	rt_buf_reset(&s->note);
	rt_fw_profile_list(fw->active, names, sizeof names);
	rt_buf_addf(&s->note, "judged on the active firewall profile%s (%s)", strchr(names, ',') ? "s" : "",
		    names);
	if (inactive_off) {
		rt_fw_profile_list(inactive_off, names, sizeof names);
		rt_buf_addf(&s->note, "; the firewall is off on the %s profile%s, not active then", names,
			    strchr(names, ',') ? "s" : "");
	}
	if (inactive_open & ~inactive_off) {
		rt_fw_profile_list(inactive_open & ~inactive_off, names, sizeof names);
		rt_buf_addf(&s->note, "; inbound default is allow on the %s profile%s, not active then", names,
			    strchr(names, ',') ? "s" : "");
	}
}

/*
 * At most this many rules are cited as the basis of one interval: the
 * sentence names three and counts the rest ("A, B, C and 997 more"), and a
 * log of thousands of rules that all let a leg in must not make every
 * interval cite all of them (pieces x rules: gigabytes). `config` lists
 * every rule.
 */
#define CITE_RULES_MAX 32

typedef struct cite_ctx {
	const actx *c;
	piece *pc;
	seg *s;
	size_t nrules; /* rules cited so far */
} cite_ctx;

static int cite_rule(const rt_winfw_rule *r, void *ctx)
{
	cite_ctx *cc = ctx;
	const afact *a = r->src;
	lookup_val v;
	size_t i;

	/* past the cap nothing more is cited, a rule already cited or not:
	 * no more rules are wanted */
	if (cc->nrules >= CITE_RULES_MAX)
		return 1;
	if (!a)
		return 0;
	/* the same rule from several profiles or legs: once */
	for (i = 0; i < cc->s->basis.n; i++)
		if (!strncmp(cc->s->basis.items[i].text, a->f->name, strlen(a->f->name)) &&
		    (cc->s->basis.items[i].text[strlen(a->f->name)] == ' ' ||
		     cc->s->basis.items[i].text[strlen(a->f->name)] == ':'))
			return 0;
	cc->nrules++;
	v = lookup(cc->c, a->f->name, cc->pc->t);
	cite(cc->c, &cc->s->basis, a->f->name, &v);
	return 0;
}

/* Rules that matter only if they existed then: cited with when they were
 * first recorded. */
static void cite_unknown_rules(const actx *c, piece *pc, const rt_cfg_path *p, seg *s)
{
	size_t k, i;
	char when[RT_TIME_MAX];

	for (k = 0; k < p->fw.nlegs; k++) {
		const rt_winfw_leg_result *lr = &p->fw.legs[k];
		rt_winfw_conn conn;

		memset(&conn, 0, sizeof conn);
		conn.protocol = 6;
		conn.kind = lr->port ? RT_WINFW_PORT_FIXED : lr->leg->kind;
		conn.port = lr->port ? lr->port : lr->leg->port;
		conn.app = lr->leg->app;
		conn.svc = lr->leg->svc;
		conn.user = lr->leg->user;
		for (i = 0; i < pc->st.nrules; i++) {
			const rt_winfw_rule *r = &pc->st.rules[i];
			const afact *a = r->src;
			rt_source src;
			size_t j;
			int dup = 0;

			if (r->present || !a || r->rule->action == RT_FW_ACTION_BLOCK)
				continue;
			if (rt_winfw_rule_matches(r->rule, 0, &conn, NULL, NULL) == RT_WINFW_NO &&
			    rt_winfw_rule_matches(r->rule, 1, &conn, NULL, NULL) == RT_WINFW_NO &&
			    rt_winfw_rule_matches(r->rule, 2, &conn, NULL, NULL) == RT_WINFW_NO)
				continue;
			for (j = 0; j < s->basis.n && !dup; j++)
				dup = !strncmp(s->basis.items[j].text, a->f->name, strlen(a->f->name));
			if (dup)
				continue;
			rt_time_format(a->f->time, when);
			src = fact_src(a);
			ev_addf(&s->basis, &src, NULL, NULL, "%s: allow rule first recorded at %s; earlier presence unknown",
				a->f->name, when);
		}
	}
}

/* Openness of a protocol over the judged profiles. */
typedef struct judged {
	unsigned any, scoped, depends, closed, unknown, off; /* profile masks */
} judged;

static void classify(const rt_cfg_path *p, unsigned mask, int with_unknown, judged *j)
{
	int i;

	memset(j, 0, sizeof *j);
	for (i = 0; i < RT_FW_NPROFILES; i++) {
		rt_winfw_open o = with_unknown ? p[i].open_if_unknown : p[i].open;
		unsigned bit = 1u << i;

		if (!(mask & bit))
			continue;
		if (p[i].fw.nlegs && p[i].fw.legs[0].d.verdict == RT_WINFW_OFF)
			j->off |= bit;
		switch (o) {
		case RT_WINFW_OPEN_ANY:
			j->any |= bit;
			break;
		case RT_WINFW_OPEN_SCOPED:
			j->scoped |= bit;
			break;
		case RT_WINFW_OPEN_DEPENDS:
			j->depends |= bit;
			break;
		case RT_WINFW_CLOSED:
			j->closed |= bit;
			break;
		default:
			j->unknown |= bit;
			break;
		}
	}
}

static int judged_eq(const judged *a, const judged *b)
{
	return a->any == b->any && a->scoped == b->scoped && a->depends == b->depends && a->closed == b->closed &&
	       a->unknown == b->unknown;
}

static int first_profile(unsigned mask)
{
	int i;

	for (i = 0; i < RT_FW_NPROFILES; i++)
		if (mask & (1u << i))
			return i;
	return 0;
}

/* The legs' sentence for profile `p`, after "<proto> ...: ". */
static void legs_why(const rt_cfg_path *path, rt_buf *b)
{
	rt_winfw_reach_text(&path->fw, b);
}

/*
 * The protocol's path on the judged profiles. Decides the state of `s` and
 * returns 1, or returns 0 when the firewall state cannot be told (the
 * caller says which hive would settle it). The service side closing the
 * path decides first; then the firewall, per the active profiles.
 */
static int judge_path(const actx *c, piece *pc, rt_proto proto, seg *s)
{
	rt_cfg_path path[RT_FW_NPROFILES];
	const char *pname = rt_proto_name(proto);
	fw_view fw;
	judged jk, ju;
	unsigned mask, inactive_off = 0, inactive_open = 0;
	char names[32];
	rt_buf why = RT_BUF_INIT;
	cite_ctx cc = { c, pc, s, 0 };
	rt_cfg_state ruleless = pc->st; /* shallow: never released */
	int i, decided = 1, rep;
	size_t g, k;

	/* Of a profile that is not judged (not active while the active ones
	 * are known) only the service side, whether the firewall is off and
	 * the default inbound action are read below, and no rule decides
	 * any of them: its legs are judged without rules (issue 16: with
	 * thousands of rules that matter, a third of the work). */
	fw_active(c, pc->t, &fw, NULL);
	ruleless.fw.nrules = 0;
	for (i = 0; i < RT_FW_NPROFILES; i++)
		if (rt_cfg_state_path(!fw.active || (fw.active & (1u << i)) ? &pc->st : &ruleless, i, proto, NULL,
				      &path[i]))
			pc->st.oom = 1;
	for (i = 0; i < RT_FW_NPROFILES; i++)
		s->path[i] = path[i].open;
	if (path[0].closed_by) {
		if (path[0].closed_src)
			cite_src(c, pc, &s->basis, path[0].closed_src);
		set_state(s, RT_CM_IN_EFFECT, path[0].closed_by);
		s->closed = CLOSED_SERVICE;
		goto out;
	}
	fw_active(c, pc->t, &fw, s);
	for (k = 0; k < NSTORE; k++)
		if (pc->store[k])
			cite_since(s, pc->store[k], store_events[k].what);
	mask = fw.active ? fw.active : RT_FW_PROF_ALL;
	for (i = 0; i < RT_FW_NPROFILES; i++)
		if (!(mask & (1u << i)))
			s->path[i] = RT_WINFW_OPEN_UNKNOWN;
	classify(path, RT_FW_PROF_ALL & ~mask, 0, &jk);
	inactive_off = jk.off;
	for (i = 0; i < RT_FW_NPROFILES; i++)
		if (!(mask & (1u << i)) && path[i].fw.nlegs && path[i].fw.legs[0].d.block_in &&
		    path[i].fw.legs[0].d.block_in->value == 0)
			inactive_open |= 1u << i;
	cite_profiles(c, pc, &fw, s);
	fw_note(&fw, inactive_off, inactive_open, s);
	if (!pc->st.fw.known) {
		decided = 0;
		goto out;
	}
	classify(path, mask, 0, &jk);
	classify(path, mask, 1, &ju);
	for (i = 0; i < RT_FW_NPROFILES; i++) {
		if (!(mask & (1u << i)))
			continue;
		rt_winfw_reach_rules(&path[i].fw, cite_rule, &cc);
		for (k = 0; k < path[i].fw.nlegs; k++) {
			const rt_winfw_decision *d = &path[i].fw.legs[k].d;
			size_t r;

			for (r = 0; r < d->local_dropped; r++) {
				const afact *a = d->dropped[r]->src;
				rt_source src;

				s->conflict = 1;
				if (!a || !a->f->value)
					continue;
				src = fact_src(a);
				ev_addf(&s->basis, &src, NULL, NULL,
					"%s = %s (local rule not applied: AllowLocalPolicyMerge = 0)", a->f->name,
					a->f->value);
			}
		}
	}
	if (jk.unknown) {
		decided = 0;
		goto out;
	}
	/* the firewall off where it counts */
	if (fw.active && jk.off) {
		rt_fw_profile_list(jk.off, names, sizeof names);
		set_statef(s, RT_CM_NOT_IN_EFFECT, "the firewall is off on the active %s profile%s", names,
			   strchr(names, ',') ? "s" : "");
		goto out;
	}
	if (!fw.active && jk.off == RT_FW_PROF_ALL) {
		set_state(s, RT_CM_NOT_IN_EFFECT, "the firewall is off on every profile");
		goto out;
	}
	if (jk.off & fw.seen) {
		rt_fw_profile_list(jk.off & fw.seen, names, sizeof names);
		set_statef(s, RT_CM_NOT_IN_EFFECT, "the firewall is off on the %s profile, which a connected network uses",
			   names);
		goto out;
	}
	/* rules of unknown presence that would change the verdict */
	if (!judged_eq(&jk, &ju)) {
		for (i = 0; i < RT_FW_NPROFILES; i++)
			if (mask & (1u << i))
				cite_unknown_rules(c, pc, &path[i], s);
		set_statef(s, RT_CM_UNKNOWN,
			   "firewall rules for %s were not recorded this early: an older SYSTEM/SOFTWARE snapshot "
			   "(RegBack, shadow copy) or firewall change events would settle it", pname);
		goto out;
	}
	if (jk.any) {
		/* the profiles that count: the active ones, every one when the
		 * protocol is open on all, or those a connected network uses */
		unsigned counts = fw.active ? jk.any : jk.any == mask ? jk.any : jk.any & fw.seen;

		rep = first_profile(jk.any);
		legs_why(&path[rep], &why);
		if (counts == RT_FW_PROF_ALL && !fw.active) {
			set_statef(s, RT_CM_NOT_IN_EFFECT, "%s gets in from any address: %s", pname, why.buf);
			goto out;
		}
		if (counts) {
			rt_fw_profile_list(counts, names, sizeof names);
			set_statef(s, RT_CM_NOT_IN_EFFECT, "%s gets in from any address on the %s%s profile%s%s: %s",
				   pname, fw.active ? "active " : "", names, strchr(names, ',') ? "s" : "",
				   fw.active ? "" : ", which a connected network uses", why.buf);
			goto out;
		}
		rt_fw_profile_list(jk.any, names, sizeof names);
		if ((jk.off & jk.any) == jk.any)
			set_statef(s, RT_CM_RESTRICTED,
				   "%s is blocked on some firewall profiles but the firewall is off on others (%s); %s",
				   pname, names, ACTIVE_UNKNOWN);
		else
			set_statef(s, RT_CM_RESTRICTED, "%s gets in from any address on the %s profile%s only (%s); %s",
				   pname, names, strchr(names, ',') ? "s" : "", why.buf, ACTIVE_UNKNOWN);
		goto out;
	}
	if (jk.depends) {
		rep = first_profile(jk.depends);
		legs_why(&path[rep], &why);
		set_statef(s, RT_CM_UNKNOWN, "whether %s gets in depends on %s: %s", pname,
			   path[rep].fw.why ? path[rep].fw.why : "what the evidence does not tell", why.buf);
		goto out;
	}
	if (jk.scoped) {
		/* per group, the union of the scopes of the judged profiles */
		for (i = 0; i < RT_FW_NPROFILES; i++) {
			if (!(jk.scoped & (1u << i)))
				continue;
			for (g = 0; g < path[i].fw.nscopes && g < RT_WINFW_MAX_GROUPS; g++) {
				rt_list_union(&s->scopes[g], path[i].fw.scopes[g].buf);
				if (g + 1 > s->nscopes)
					s->nscopes = g + 1;
			}
		}
		for (g = 0; g < s->nscopes; g++)
			if (list_has(s->scopes[g].buf, "LocalSubnet"))
				s->uses_local = 1;
		rep = first_profile(jk.scoped);
		s->state = RT_CM_RESTRICTED;
		if (path[rep].filtered && path[rep].fw.open == RT_WINFW_OPEN_ANY) {
			set_state(s, RT_CM_RESTRICTED, path[rep].filter_why);
			goto out;
		}
		legs_why(&path[rep], &why);
		rt_buf_reset(&s->why);
		rt_buf_addf(&s->why, "firewall rules let %s in only from ", pname);
		for (g = 0; g < s->nscopes; g++)
			if (s->scopes[g].len)
				rt_buf_addf(&s->why, "%s%s", g ? " and " : "", s->scopes[g].buf);
		if (jk.scoped != mask) {
			rt_fw_profile_list(jk.scoped, names, sizeof names);
			rt_buf_addf(&s->why, " on the %s profile%s", names, strchr(names, ',') ? "s" : "");
		}
		rt_buf_addf(&s->why, ": %s", why.buf);
		s->state = RT_CM_RESTRICTED;
		goto out;
	}
	legs_why(&path[first_profile(mask)], &why);
	set_statef(s, RT_CM_IN_EFFECT, "%s does not get in: %s", pname, why.buf);
	s->closed = CLOSED_FIREWALL;
out:
	rt_buf_release(&why);
	/* the network lets it in, but whether the service answers is not known */
	if (decided && !path[0].closed_by && s->state != RT_CM_IN_EFFECT && s->state != RT_CM_UNKNOWN &&
	    path[0].unknown_why) {
		set_state(s, RT_CM_UNKNOWN, path[0].unknown_why);
		s->nscopes = 0;
	}
	for (i = 0; i < RT_FW_NPROFILES; i++)
		rt_cfg_path_release(&path[i]);
	return decided;
}

/* ------------------------------------------------------- decision tables */

static int has_policy(const actx *c, const piece *pc)
{
	static const char pre[] = "firewall.policy.";
	size_t i = lower_bound(c, pre);

	for (; i < c->nfacts && !strncmp(c->facts[i].f->name, pre, sizeof pre - 1); i++) {
		lookup_val v = lookup_at(c, pc, c->facts[i].f->name);

		if (store_event_named(c->facts[i].f->name) < 0 && v.known && v.value)
			return 1;
	}
	return 0;
}

/* The firewall cannot be judged: when the legacy "current profile" switch
 * left every profile unknown, say so (and cite it); else `fallback`. */
static void undecided(const actx *c, piece *pc, seg *s, const char *fallback)
{
	char when[RT_TIME_MAX];
	rt_source src;

	if (!pc->current || pc->current_profiles) {
		set_state(s, RT_CM_UNKNOWN, fallback);
		return;
	}
	(void)c;
	src = fact_src(pc->current);
	rt_time_format(pc->current->f->time, when);
	ev_addf(&s->basis, &src, NULL, NULL,
	        "%s = %s (the current profile; which one is not recorded)", pc->current->f->name,
	        pc->current->f->value ? pc->current->f->value : "(removed)");
	set_statef(
	    s, RT_CM_UNKNOWN,
	    "the firewall %s on the current profile at %s (netsh), which may be any profile: %s",
	    pc->current->v && pc->current->v->type == RT_CFG_V_BOOL
	        ? (pc->current->v->i ? "was switched on" : "was switched off")
	    : pc->current->v && pc->current->v->i ? "blocks inbound by default"
	                                          : "allows inbound by default",
	    when, ACTIVE_UNKNOWN);
}

static void eval_cm0019(const actx *c, piece *pc, seg *s)
{
	static const char lp[] = "winrm.listener.";
	static const char *const filters[] = { "winrm.policy.service.ipv4_filter", "winrm.policy.service.ipv6_filter" };
	lookup_val svc = lookup(c, "service.winrm.start", pc->t);
	size_t i = lower_bound(c, lp), k;

	if (svc.known && svc.value)
		cite(c, &s->basis, "service.winrm.start", &svc);
	while (i < c->nfacts && !strncmp(c->facts[i].f->name, lp, sizeof lp - 1)) {
		const char *name = c->facts[i].f->name;
		lookup_val v = lookup(c, name, pc->t);

		while (i < c->nfacts && !strcmp(c->facts[i].f->name, name))
			i++;
		if (!v.known)
			continue;
		if (v.typed && v.typed->type == RT_CFG_V_INT && v.typed->i != 5985 && v.typed->i != 5986)
			s->alt_port = (unsigned)v.typed->i;
		cite(c, &s->basis, name, &v);
	}
	for (k = 0; k < 2; k++) {
		lookup_val f = lookup(c, filters[k], pc->t);

		if (f.known && f.value)
			cite(c, &s->basis, filters[k], &f);
	}
	if (!judge_path(c, pc, RT_PROTO_WINRM, s)) {
		if (!c->in->system_hive)
			set_gap(c, s, 1, "start type of the WinRM service and firewall rules unknown");
		else
			undecided(c, pc, s,
				  !svc.known ? "start type of the WinRM service not recorded this early: an older "
					       "SYSTEM snapshot or 7040 events would settle it"
					     : "firewall profile state not recorded this early: an older SYSTEM "
					       "snapshot would settle it");
		return;
	}
	if (s->closed == CLOSED_SERVICE && !strncmp(s->why.buf, "no WinRM listener", 17)) {
		lookup_val aac = lookup(c, "winrm.policy.service.allow_auto_config", pc->t);
		rt_source src;

		memset(&src, 0, sizeof src);
		src.file = c->in->software_hive;
		src.key = "Microsoft\\Windows\\CurrentVersion\\WSMAN\\Listener";
		ev_add(&s->basis, "no WinRM listener configured", &src, NULL, NULL);
		if (aac.fact)
			cite(c, &s->basis, "winrm.policy.service.allow_auto_config", &aac);
	}
}

static const char *role_of(const actx *c, uint64_t t, lookup_val *v)
{
	*v = lookup(c, "host.role", t);
	if (!v->known || !v->fact)
		*v = (lookup_val){ 0, NULL, NULL, NULL, 0, NULL };
	if (!v->known && lookup(c, "host.role", UINT64_MAX - 1).fact)
		*v = lookup(c, "host.role", UINT64_MAX - 1); /* the role does not change with time */
	return v->value;
}

static void eval_cm0013(const actx *c, piece *pc, seg *s)
{
	lookup_val rv;
	const char *role;
	size_t g;

	if (!judge_path(c, pc, RT_PROTO_WMI, s)) {
		if (c->in->system_hive)
			undecided(c, pc, s,
				  "firewall profile state not recorded this early: an older SYSTEM snapshot would settle it");
		else
			set_gap(c, s, 1, "firewall profiles and rules (and so remote WMI) unknown");
		return;
	}
	role = role_of(c, pc->t, &rv);
	if (s->state == RT_CM_RESTRICTED && s->nscopes) {
		int within = c->mgmt ? 1 : -1;

		for (g = 0; g < s->nscopes && c->mgmt; g++) {
			int w = s->scopes[g].len ? rt_scope_within(s->scopes[g].buf, c->mgmt, pc->st.fw.local_subnets) : 1;

			if (w == 0)
				within = 0;
			else if (w < 0 && within)
				within = -1;
		}
		if (within == 1) {
			rt_buf_reset(&s->note);
			set_statef(s, RT_CM_IN_EFFECT, "remote WMI gets in only from management hosts (%s): %s",
				   c->mgmt, s->why.buf);
			s->closed = CLOSED_FIREWALL;
			s->nscopes = 0;
			if (c->opts && c->opts->mgmt_hosts)
				ev_addf(&s->basis, NULL, NULL, NULL,
					"management hosts of the case (domain controllers, file servers): %s",
					c->opts->mgmt_hosts);
			return;
		}
		if (role && !strcmp(role, "workstation") && s->uses_local) {
			rt_buf w = RT_BUF_INIT;

			cite(c, &s->basis, "host.role", &rv);
			rt_buf_adds(&w, s->why.buf);
			set_statef(s, RT_CM_NOT_IN_EFFECT,
				   "remote WMI gets in from the local subnet, where other workstations are (this host is a "
				   "workstation, and the subnet is not known to hold only management hosts): %s", w.buf);
			rt_buf_release(&w);
			s->nscopes = 0;
			return;
		}
	}
	if (role && (!strcmp(role, "domain_controller") || !strcmp(role, "file_server")) &&
	    (s->state == RT_CM_NOT_IN_EFFECT || s->state == RT_CM_RESTRICTED)) {
		cite(c, &s->basis, "host.role", &rv);
		rt_buf_reset(&s->note);
		rt_buf_addf(&s->note, "this host is a %s: the countermeasure lets workstations use WMI on domain "
				      "controllers and file servers",
			    !strcmp(role, "file_server") ? "file server" : "domain controller");
	}
	if (s->state == RT_CM_IN_EFFECT && s->closed == CLOSED_FIREWALL && !has_policy(c, pc) &&
	    !s->note.len)
		rt_buf_adds(&s->note, "by the local firewall configuration, as Windows installs it (no Group Policy "
				      "firewall settings: a local administrator can change it)");
}

/* COM rights in a machine launch or access restriction: which bits grant
 * remote use (launch: execute remote 4 and activate remote 0x10; access:
 * execute remote 4; an ACE with execute (1) alone is an old-style ACE that
 * grants everything). */
static unsigned sddl_rights(const char *s, size_t n)
{
	static const struct {
		const char *abbr;
		unsigned bits;
	} letters[] = { { "CC", 0x1 }, { "DC", 0x2 }, { "LC", 0x4 }, { "SW", 0x8 }, { "RP", 0x10 },
			{ "GA", 0x1f }, { "GX", 0x1f }, { "GR", 0x1f } };
	unsigned bits = 0;
	size_t i, k;

	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		for (i = 2; i < n && rt_hex_digit(s[i]) >= 0; i++)
			bits = bits * 16 + (unsigned)rt_hex_digit(s[i]);
		return bits;
	}
	for (i = 0; i + 1 < n; i += 2)
		for (k = 0; k < sizeof letters / sizeof *letters; k++)
			if (s[i] == letters[k].abbr[0] && s[i + 1] == letters[k].abbr[1])
				bits |= letters[k].bits;
	return bits;
}

/* Principals that every attacker with some account, or with an
 * administrator's, belongs to. */
static int broad_sid(const char *s, size_t n)
{
	static const char *const broad[] = { "WD", "S-1-1-0", "AU", "S-1-5-11", "BU", "S-1-5-32-545", "BA",
					     "S-1-5-32-544", "AN", "S-1-5-7", "NU", "S-1-5-2", "IU", "S-1-5-4" };
	size_t i;

	for (i = 0; i < sizeof broad / sizeof *broad; i++)
		if (strlen(broad[i]) == n && rt_strncaseeq(s, broad[i], n))
			return 1;
	return 0;
}

/* 1 when the restriction lets a broad principal (Everyone, Authenticated
 * Users, Users, Administrators...) use COM remotely, as Windows' default
 * does; 0 when remote use is left only to narrower principals or denied to
 * broad ones; -1 when the SDDL cannot be read. */
static int sddl_remote_broad(const char *sddl, unsigned remote)
{
	const char *p = sddl ? strstr(sddl, "D:") : NULL;
	int broad = 0, aces = 0;

	if (!p)
		return -1;
	for (p = strchr(p, '('); p; p = strchr(p + 1, '(')) {
		const char *end = strchr(p, ')'), *f[6];
		size_t len[6], k = 0;
		const char *q = p + 1;
		unsigned bits;

		if (!end)
			return -1;
		while (k < 6) {
			const char *semi = memchr(q, ';', (size_t)(end - q));
			f[k] = q;
			len[k] = semi ? (size_t)(semi - q) : (size_t)(end - q);
			k++;
			if (!semi)
				break;
			q = semi + 1;
		}
		if (k < 6)
			return -1;
		aces++;
		bits = sddl_rights(f[2], len[2]);
		if (bits == 1)
			bits = 0x1f;
		if (!(bits & remote) || !broad_sid(f[5], len[5]))
			continue;
		if (len[0] == 1 && f[0][0] == 'D')
			return 0;
		if (len[0] == 1 && f[0][0] == 'A')
			broad = 1;
	}
	return aces ? broad : 0;
}

static void eval_cm0012(const actx *c, piece *pc, seg *s)
{
	static const struct {
		const char *policy, *local, *what;
		unsigned remote;
	} restrictions[] = {
		{ "dcom.policy.machine_launch_restriction", "dcom.machine_launch_restriction", "launch", 0x14 },
		{ "dcom.policy.machine_access_restriction", "dcom.machine_access_restriction", "access", 0x4 },
	};
	lookup_val d = lookup(c, "dcom.enabled", pc->t);
	size_t i;

	if (!d.known) {
		if (c->in->software_hive)
			set_state(s, RT_CM_UNKNOWN, "Ole\\EnableDCOM not recorded this early: an older SOFTWARE snapshot would settle it");
		else
			set_gap(c, s, 0, "Ole\\EnableDCOM unknown");
		return;
	}
	cite(c, &s->basis, "dcom.enabled", &d);
	if (d.typed && d.typed->type == RT_CFG_V_BOOL && d.typed->i == 0) {
		set_state(s, RT_CM_IN_EFFECT, "DCOM is disabled (EnableDCOM = N)");
		s->closed = CLOSED_SERVICE;
		return;
	}
	/* the effective machine-wide restrictions: Group Policy's SDDL when
	 * set, else the local one, else Windows' default (administrators may
	 * launch remotely, everyone may call remotely) */
	for (i = 0; i < sizeof restrictions / sizeof *restrictions; i++) {
		lookup_val pv = lookup(c, restrictions[i].policy, pc->t);
		lookup_val lv = lookup(c, restrictions[i].local, pc->t);
		const lookup_val *v = pv.known && pv.value ? &pv : lv.known && lv.value ? &lv : NULL;
		char wname[80], when[RT_TIME_MAX];
		lookup_val w;
		int b;

		/* a write the logs saw (Sysmon 13, 4657, reg.exe) without its data:
		 * the local restriction is unknown until a later snapshot */
		snprintf(wname, sizeof wname, "%s.changed", restrictions[i].local);
		w = lookup(c, wname, pc->t);
		if (v != &pv && w.known && w.value && w.fact && !w.before &&
		    (!lv.fact || w.fact->time > lv.fact->time)) {
			cite(c, &s->basis, wname, &w);
			rt_time_format(w.fact->f->time, when);
			set_statef(s, RT_CM_UNKNOWN,
			           "DCOM is enabled, and the machine %s restriction was rewritten "
			           "at %s; the record does not show the new value: a SOFTWARE "
			           "snapshot taken after it would settle it",
			           restrictions[i].what, when);
			return;
		}
		if (!v)
			continue;
		cite(c, &s->basis, v->fact->f->name, v);
		if ((b = sddl_remote_broad(v->value, restrictions[i].remote)) == 0) {
			set_statef(s, RT_CM_RESTRICTED,
				   "DCOM is enabled, but the machine %s restriction (%s) leaves remote %s to narrower "
				   "principals than Windows' default",
				   restrictions[i].what, v == &pv ? "Group Policy" : "local", restrictions[i].what);
			s->closed = CLOSED_AUTHZ;
			return;
		}
	}
	if (!judge_path(c, pc, RT_PROTO_DCOM, s)) {
		if (pc->current && !pc->current_profiles)
			undecided(c, pc, s, NULL);
		else
			set_state(s, RT_CM_NOT_IN_EFFECT,
			          "DCOM is enabled with the default launch restrictions");
		return;
	}
	if (s->state == RT_CM_IN_EFFECT && s->closed == CLOSED_FIREWALL) {
		rt_buf w = RT_BUF_INIT;

		rt_buf_adds(&w, s->why.buf);
		set_statef(s, RT_CM_RESTRICTED, "DCOM is enabled, but the firewall keeps it out: %s", w.buf);
		rt_buf_release(&w);
	} else if (s->state == RT_CM_NOT_IN_EFFECT) {
		rt_buf w = RT_BUF_INIT;

		rt_buf_adds(&w, s->why.buf);
		set_statef(s, RT_CM_NOT_IN_EFFECT, "DCOM is enabled with launch restrictions no tighter than "
			   "Windows' default, and %s", w.buf);
		rt_buf_release(&w);
	}
}

/* ------------------------------------------------------------ intervals */

typedef struct ivx {
	rt_interval iv;
	char *scopes[RT_WINFW_MAX_GROUPS];
	size_t nscopes;
	char *local; /* what LocalSubnet stands for, or NULL */
	int conflict;
	unsigned alt_port;
	closed_kind closed;
	size_t untold;      /* later pieces folded in, not itemised (seg_append) */
	uint64_t untold_from; /* the first of them began then */
} ivx;

static void ivx_release(ivx *v)
{
	size_t g;

	for (g = 0; g < v->nscopes; g++)
		free(v->scopes[g]);
	free(v->local);
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Whether `s` on `pc` is judged as `x` in all the verdict reads (state,
 * path, scopes, LocalSubnet, conflict, port, how it is closed): only the
 * why and the basis may differ. */
static int same_judgement(const ivx *x, const seg *s, const piece *pc)
{
	size_t g;

	if (x->iv.state != s->state || memcmp(x->iv.path, s->path, sizeof x->iv.path) ||
	    x->nscopes != s->nscopes || x->conflict != s->conflict || x->alt_port != s->alt_port ||
	    x->closed != s->closed || !x->local != !pc->local.len ||
	    (x->local && strcmp(x->local, pc->local.buf)))
		return 0;
	for (g = 0; g < s->nscopes; g++)
		if (strcmp(x->scopes[g], s->scopes[g].buf))
			return 0;
	return 1;
}

/*
 * A countermeasure's history itemises at most rt_assess_itemise_max
 * intervals; past that, a piece judged as the interval before in all the
 * verdict reads is folded into it (hostile or badly managed logs hold tens
 * of thousands of rule changes, each an interval citing its rules: the
 * report outgrew memory). The verdict is unchanged; the interval's why
 * says how many changes it leaves out (untold_note).
 */
size_t rt_assess_itemise_max = 500;

static int seg_append(ivx *v, size_t *n, seg *s, const piece *pc, uint64_t start, uint64_t end)
{
	ivx *x;
	size_t g, i;

	if (s->uses_local)
		for (i = 0; i < pc->local_basis.n; i++) {
			const rt_evidence_item *it = &pc->local_basis.items[i];
			rt_source src = { it->file, it->key, it->value_name, it->record_id, it->event_id, it->time };

			if (ev_add(&s->basis, it->text, &src, NULL, NULL))
				return -1;
		}
	if (s->note.len) {
		rt_buf_adds(&s->why, "; ");
		rt_buf_adds(&s->why, s->note.buf);
	}
	if (*n && v[*n - 1].iv.state == s->state && !strcmp(v[*n - 1].iv.why, s->why.buf) &&
	    ev_equal(&v[*n - 1].iv.basis, &s->basis)) {
		v[*n - 1].iv.to = end;
		return 0;
	}
	if (*n >= rt_assess_itemise_max && same_judgement(&v[*n - 1], s, pc)) {
		if (!v[*n - 1].untold++)
			v[*n - 1].untold_from = start;
		v[*n - 1].iv.to = end;
		return 0;
	}
	x = &v[(*n)++];
	x->iv.from = start;
	x->iv.to = end;
	x->iv.state = s->state;
	x->iv.why = rt_buf_detach(&s->why, NULL);
	x->iv.basis = s->basis;
	memcpy(x->iv.path, s->path, sizeof x->iv.path);
	memset(&s->basis, 0, sizeof s->basis);
	for (g = 0; g < s->nscopes; g++)
		x->scopes[x->nscopes++] = rt_strdup0(s->scopes[g].buf);
	x->local = pc->local.len ? rt_strdup0(pc->local.buf) : NULL;
	x->conflict = s->conflict;
	x->alt_port = s->alt_port;
	x->closed = s->closed;
	return x->iv.why ? 0 : -1;
}

/* The why of intervals with pieces folded in says so. */
static int untold_note(ivx *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		rt_buf b = RT_BUF_INIT;
		char when[RT_TIME_MAX];

		if (!v[i].untold)
			continue;
		rt_time_format(v[i].untold_from, when);
		if (rt_buf_addf(&b, "%s; from %s on the configuration changed %zu more time%s without "
				    "changing this judgement, not itemised (a history itemises at "
				    "most %zu intervals)",
				v[i].iv.why, when, v[i].untold, v[i].untold == 1 ? "" : "s",
				rt_assess_itemise_max)) {
			rt_buf_release(&b);
			return -1;
		}
		free(v[i].iv.why);
		v[i].iv.why = rt_buf_detach(&b, NULL);
	}
	return 0;
}

/* Judge every piece of the period once for every countermeasure. Pieces of
 * no length are left out, except the last: the state at the instant the
 * evidence ends (a snapshot taken then), which never decides the headline. */
static int build_intervals(const actx *c, uint64_t from, uint64_t to, const uint64_t *bounds, size_t nb,
			   ivx **out, size_t *nout)
{
	size_t i, next = 0;
	int cm, rc = 0, have = 0;
	piece pc;

	for (cm = 0; cm < RT_CM_COUNT; cm++) {
		out[cm] = calloc(nb + 1, sizeof **out);
		nout[cm] = 0;
		if (!out[cm])
			return -1;
	}
	if (!from && !to)
		return 0;
	for (i = 0; i <= nb && !rc; i++) {
		uint64_t start = i == 0 ? from : bounds[i - 1];
		uint64_t end = i < nb ? bounds[i] : to;
		int adv;

		if (start == end && i < nb)
			continue;
		if (have && (adv = piece_advance(c, &pc, start, &next)) != 0) {
			if (adv < 0)
				rc = -1;
		} else {
			if (have)
				piece_release(&pc);
			have = 1;
			if (piece_init(c, start, &pc)) {
				piece_release(&pc);
				return -1;
			}
			while (next < c->nbytime && c->bytime[next].time <= start)
				next++;
		}
		for (cm = 0; cm < RT_CM_COUNT && !rc; cm++) {
			seg s;

			seg_init(&s);
			cms[cm].eval(c, &pc, &s);
			rc = seg_append(out[cm], &nout[cm], &s, &pc, start, end);
			seg_release(&s);
		}
		if (pc.st.oom)
			rc = -1;
	}
	if (have)
		piece_release(&pc);
	for (cm = 0; cm < RT_CM_COUNT && !rc; cm++)
		rc = untold_note(out[cm], nout[cm]);
	return rc;
}

/* --------------------------------------------------------------- bypass */

static int is_wfp_drop(const rt_assess_finding *f)
{
	size_t i;

	if (f->kind && !strcmp(f->kind, "firewall.drop"))
		return 1;
	for (i = 0; i < sizeof wfp_drop_events / sizeof *wfp_drop_events; i++)
		if (f->src.event_id == wfp_drop_events[i])
			return 1;
	return 0;
}

static int is_attempt(rt_cm_id cm, const rt_assess_finding *f)
{
	size_t i;

	if (!f->kind || f->direction < 0)
		return 0;
	if (!strcmp(f->kind, "firewall.drop"))
		return cm == RT_CM0019 ? f->port == 5985 || f->port == 5986
		       : cm == RT_CM0013 ? f->port == 135 || f->port == 24158
					 : f->port == 135;
	for (i = 0; i < 3 && cms[cm].attempts[i]; i++)
		if (!strcmp(f->kind, cms[cm].attempts[i]))
			break;
	if (i == 3 || !cms[cm].attempts[i])
		return 0;
	/* a DCOM denial counts against WMI only when it names WMI's AppID/CLSID */
	if (cm == RT_CM0013 && !strcmp(f->kind, "dcom.denied"))
		return rt_strcasestr(f->message, "8BC3F05E") || rt_strcasestr(f->detail, "8BC3F05E");
	return 1;
}

/* Names of settings whose change can open the countermeasure's protocol. */
static int relevant(rt_cm_id cm, const char *name)
{
	size_t i;

	for (i = 0; i < 6 && cms[cm].changes[i]; i++)
		if (!strncmp(name, cms[cm].changes[i], strlen(cms[cm].changes[i])))
			return 1;
	return 0;
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

/* Can this change point have opened the protocol? Observations of the
 * active profile and of networks are judged by the state already; a start
 * type other than disabled, a firewall switched off or to default allow, an
 * allow rule added or a block rule removed, a listener or DCOM enabled, and
 * any change whose value cannot be read can. */
static int opening(const afact *a)
{
	const rt_fact *f = a->f;
	const rt_cfg_value *v = f->value ? a->v : NULL;
	size_t n = strlen(f->name);

	if (!strcmp(f->name, "firewall.active_profile") ||
	    !strncmp(f->name, "network.connection.", 19) || store_event_named(f->name) >= 0)
		return 0;
	if (!v || v->type == RT_CFG_V_NONE)
		return !strncmp(f->name, "firewall.", 9) && a->old && a->old->type == RT_CFG_V_RULE &&
		       a->old->rule && a->old->rule->action == RT_FW_ACTION_BLOCK;
	if (v->type == RT_CFG_V_BAD)
		return 1;
	if (v->type == RT_CFG_V_RULE)
		return v->rule && v->rule->active && v->rule->action != RT_FW_ACTION_BLOCK;
	if (!strncmp(f->name, "firewall.rule", 13) && n > 8 && !strcmp(f->name + n - 8, ".enabled"))
		return v->i != 0; /* a rule or group switched on */
	if (n > 6 && !strcmp(f->name + n - 6, ".start"))
		return v->i != 4;
	if (n > 8 && !strcmp(f->name + n - 8, ".enabled") && !strncmp(f->name, "firewall.", 9))
		return v->i == 0;
	if (n > 16 && !strcmp(f->name + n - 16, ".default_inbound"))
		return v->i == 0;
	if (v->type == RT_CFG_V_BOOL)
		return v->i != 0;
	return 1;
}

/* Cite the relevant configuration changes in (after, upto]; only change
 * points (not snapshots) that can have opened the protocol when
 * `changes_only`. Returns how many. */
static int cite_changes(const actx *c, rt_cm_id cm, uint64_t after, uint64_t upto, int changes_only,
			rt_evidence_list *l, rt_buf *what)
{
	size_t i;
	int svc = 0, rule = 0, lst = 0, other = 0, active = 0, n = 0, store[NSTORE] = { 0 }, k;

	for (i = 0; i < c->nfacts; i++) {
		const afact *a = &c->facts[i];
		const rt_fact *f = a->f;
		rt_source src;

		if (a->time <= after || a->time > upto || !relevant(cm, f->name) ||
		    (changes_only && (!f->is_change || !opening(a))))
			continue;
		src = fact_src(a);
		if (ev_addf(l, &src, NULL, NULL, "%s = %s%s%s%s", f->name, f->value ? f->value : "(removed)",
			    f->old_value ? " (was " : "", f->old_value ? f->old_value : "", f->old_value ? ")" : "") < 0)
			return -1;
		n++;
		if ((k = store_event_named(f->name)) >= 0)
			store[k] = 1;
		else if (!strncmp(f->name, "service.", 8))
			svc = 1;
		else if (!strcmp(f->name, "firewall.active_profile") || !strncmp(f->name, "network.connection.", 19))
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
			n++;
		}
	}
	for (k = 0; k < NSTORE; k++)
		if (store[k])
			rt_buf_addf(what, "%s; ", store_events[k].what);
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
	return n;
}

static int route_finding(rt_cm_verdict *v, const char *route, const char *expl, const char *prefix,
			 const rt_assess_finding *f)
{
	rt_bypass *b = bypass_for(v, route, expl);

	return b ? finding_item(&b->findings, prefix, f) : -1;
}

/* "re-enabled then used": the changes from `since` up to the use. */
static int reenabled(const actx *c, rt_cm_id cm, rt_cm_verdict *v, uint64_t since, rt_cm_state was,
		     const rt_assess_finding *f, int changes_only)
{
	rt_buf what = RT_BUF_INIT;
	rt_bypass *b = bypass_for(v, "re-enabled then used", "");
	char expl[400];
	int r;

	if (!b)
		return -1;
	if (!b->changes.n) {
		if (cite_changes(c, cm, since, f->time, changes_only, &b->changes, &what) < 0) {
			rt_buf_release(&what);
			return -1;
		}
		snprintf(expl, sizeof expl, "the countermeasure was %s, then opened (%s) and used", rt_cm_state_name(was),
			 what.len ? what.buf : "configuration changed");
		free(b->explanation);
		b->explanation = rt_strdup0(expl);
	}
	rt_buf_release(&what);
	r = finding_item(&b->findings, "", f);
	return b->explanation ? r : -1;
}

/* Every scope of the interval admits `ip`: 1; one does not: 0; cannot tell: -1. */
static int scopes_contain(const ivx *iv, const char *ip)
{
	size_t g;
	int r = 1;

	if (!iv->nscopes)
		return 0;
	for (g = 0; g < iv->nscopes; g++) {
		int x = rt_scope_contains(iv->scopes[g], ip, iv->local);

		if (x == 0)
			return 0;
		if (x < 0)
			r = -1;
	}
	return r;
}

static const ivx *interval_at(const ivx *iv, size_t niv, uint64_t t)
{
	size_t k;

	for (k = 0; k < niv; k++)
		if (t >= iv[k].iv.from && (t < iv[k].iv.to || k + 1 == niv))
			return &iv[k];
	return NULL;
}

static int closed_state(rt_cm_state s)
{
	return s == RT_CM_IN_EFFECT || s == RT_CM_RESTRICTED;
}

/* A use (or a refusal the service logged, `attempt`) while the
 * configuration says the protocol was closed or scoped. */
static int judge_closed(const actx *c, rt_cm_id cm, rt_cm_verdict *v, const ivx *iv, const ivx *cur,
			const rt_assess_finding *f, int attempt)
{
	const char *prefix = attempt ? "refused attempt that reached the service: " : "";
	int inside = cur->iv.state == RT_CM_RESTRICTED ? scopes_contain(cur, f->remote_ip) : 0;
	const ivx *run = cur;
	size_t j;

	/* the scope, not an unreadable address ("-"), left it open */
	if (inside < 0 && rt_scope_contains("0.0.0.0/0,::/0", f->remote_ip, NULL) == 1 &&
	    !(cur->alt_port && (f->port == cur->alt_port || f->port == 0)))
		return finding_item(&v->evidence,
				    attempt ? "refused attempt from an address the configured scope may admit: "
					    : "use from an address the configured scope may admit "
					      "(cannot tell, see the interval's basis): ",
				    f);
	if (inside == 1) {
		if (c->mgmt && rt_scope_contains(c->mgmt, f->remote_ip, NULL) == 0 && !attempt)
			return route_finding(v, "allowed remote address outside intended scope",
					     "the configured scope admits an address that is not a management host, and it "
					     "was used", "", f);
		return finding_item(&v->evidence,
				    attempt ? "refused attempt from inside the configured scope: "
					    : "permitted use from inside the configured scope: ",
				    f);
	}
	if (!attempt && cur->alt_port && (f->port == cur->alt_port || f->port == 0))
		return route_finding(v, "alternate port or listener",
				     "a listener or firewall rule on a non-default port was open while the default one was "
				     "closed", "", f);
	if (cur->conflict)
		return route_finding(v, "policy and local settings in conflict",
				     "local settings open what Group Policy closes; the activity shows the local side won",
				     prefix, f);
	for (j = 0; cm == RT_CM0019 && !attempt && j < c->nfinds; j++) {
		const rt_assess_finding *g = c->finds[j];
		rt_bypass *b;

		if (g->time >= cur->iv.from && g->time <= f->time && g->kind && !strcmp(g->kind, "service.change") &&
		    (rt_strcasestr(g->message, "winrm") || rt_strcasestr(g->message, "Windows Remote Management"))) {
			b = bypass_for(v, "service started on demand",
				       "the WinRM service was started while the configuration said it was closed");
			if (!b || (!b->changes.n && finding_item(&b->changes, "", g) < 0))
				return -1;
			return finding_item(&b->findings, "", f);
		}
	}
	/* a configuration change from any source since the closed run began */
	while (run > iv && closed_state(run[-1].iv.state))
		run--;
	{
		rt_evidence_list tmp = { 0 };
		rt_buf what = RT_BUF_INIT;
		int n = cite_changes(c, cm, run->iv.from ? run->iv.from - 1 : 0, f->time, 1, &tmp, &what);

		ev_release(&tmp);
		rt_buf_release(&what);
		if (n < 0)
			return -1;
		if (n > 0 && !attempt)
			return reenabled(c, cm, v, run->iv.from ? run->iv.from - 1 : 0, cur->iv.state, f, 1);
	}
	if (attempt)
		return route_finding(v, "contradiction between configuration and activity",
				     "the configuration says the protocol was closed, yet the service logged the request: "
				     "the network path was open, and no recorded change explains it",
				     prefix, f);
	return route_finding(v, "contradiction between configuration and activity",
			     cur->closed == CLOSED_SERVICE && cm == RT_CM0013
				     ? "the configuration says the WMI service was disabled, yet it was used: it was "
				       "started or re-enabled, and no recorded change explains it (values reset, events "
				       "deleted)"
				     : "the configuration says the protocol was closed yet it was used, and no recorded "
				       "change explains it: tampering (values reset, events deleted) is the likely "
				       "explanation",
			     "", f);
}

static int judge_activity(const actx *c, rt_cm_id cm, rt_cm_verdict *v, const ivx *iv, size_t niv,
			  const rt_assess_finding *f)
{
	const ivx *cur = interval_at(iv, niv, f->time);
	size_t k;

	if (!cur)
		return finding_item(&v->evidence, "activity outside the assessed period: ", f);
	if (f->confidence == RT_ASSESS_LOW)
		return finding_item(&v->evidence, "low-confidence activity (not counted as use): ", f);
	if (closed_state(cur->iv.state))
		return judge_closed(c, cm, v, iv, cur, f, 0);
	if (cur->iv.state == RT_CM_NOT_IN_EFFECT) {
		/* was it closed before, and opened by a change? */
		const ivx *prev = NULL;
		for (k = (size_t)(cur - iv); k-- > 0;) {
			if (closed_state(iv[k].iv.state)) {
				prev = &iv[k];
				break;
			}
			if (iv[k].iv.state == RT_CM_UNKNOWN)
				break;
		}
		if (prev) {
			while (prev > iv && closed_state(prev[-1].iv.state))
				prev--;
			return reenabled(c, cm, v, prev->iv.from, prev->iv.state, f, 0);
		}
		return finding_item(&v->evidence, "use while not in effect: ", f);
	}
	return finding_item(&v->evidence, "use while the state is unknown: ", f);
}

/* A refused attempt: dropped by the firewall, or refused by a control that
 * says so (EnableDCOM = N, a launch restriction), is a blocked attempt. One
 * the service logged while the configuration says the path was closed is a
 * contradiction; otherwise it is a refusal by the service (authentication,
 * permissions), evidence only. */
static int judge_attempt(const actx *c, rt_cm_id cm, rt_cm_verdict *v, const ivx *iv, size_t niv,
			 const rt_assess_finding *f)
{
	const ivx *cur = interval_at(iv, niv, f->time);

	if (is_wfp_drop(f))
		return finding_item(&v->evidence, "blocked attempt: ", f);
	if (!cur || !closed_state(cur->iv.state))
		return finding_item(&v->evidence, "refused attempt (not by the countermeasure): ", f);
	if (cur->closed == CLOSED_AUTHZ || (cm == RT_CM0012 && cur->closed == CLOSED_SERVICE))
		return finding_item(&v->evidence, "blocked attempt: ", f);
	return judge_closed(c, cm, v, iv, cur, f, 1);
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
	m->module_logging = !ml.known ? -1 : (ml.typed && ml.typed->type == RT_CFG_V_BOOL && ml.typed->i) ? 1 : 0;
	if (m->module_logging == 0) {
		rt_source src;
		memset(&src, 0, sizeof src);
		if (ml.fact)
			src = ml.fact->f->src;
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

/* The headline: the least protective state any inbound use fell in, else
 * the state at the end of the evidence. */
static int headline(rt_cm_verdict *v, const ivx *iv, size_t niv, const uint64_t *use_times, size_t nuse)
{
	static const rt_cm_state order[] = { RT_CM_NOT_IN_EFFECT, RT_CM_UNKNOWN, RT_CM_RESTRICTED, RT_CM_IN_EFFECT };
	char when[RT_TIME_MAX], why[256];
	size_t i, k;

	if (!niv) {
		v->state = RT_CM_UNKNOWN;
		v->state_why = rt_strdup0("no dated evidence: the period cannot be told");
		return v->state_why ? 0 : -1;
	}
	if (!nuse) {
		for (k = niv; k > 1 && iv[k - 1].iv.from == iv[k - 1].iv.to; k--)
			;
		v->state = iv[k - 1].iv.state;
		rt_time_format(iv[k - 1].iv.to, when);
		snprintf(why, sizeof why, "the state at the end of the evidence (%s); no inbound use was recorded", when);
		v->state_why = rt_strdup0(why);
		return v->state_why ? 0 : -1;
	}
	for (k = 0; k < sizeof order / sizeof *order; k++)
		for (i = 0; i < nuse; i++) {
			const ivx *cur = interval_at(iv, niv, use_times[i]);

			if (cur && cur->iv.from == cur->iv.to && cur > iv)
				cur--; /* an instant never decides */
			if (cur && cur->iv.state == order[k]) {
				v->state = order[k];
				rt_time_format(use_times[i], when);
				snprintf(why, sizeof why, "the state when inbound use happened (%s%s)", nuse > 1 ? "first such use at " : "", when);
				v->state_why = rt_strdup0(why);
				return v->state_why ? 0 : -1;
			}
		}
	v->state = iv[niv - 1].iv.state;
	v->state_why = rt_strdup0("the state at the end of the evidence");
	return v->state_why ? 0 : -1;
}

static int assess_cm(const actx *c, rt_cm_id cm, ivx *iv, size_t niv, uint64_t to, rt_cm_verdict *v)
{
	size_t i;
	int any_closed = 0, r = 0;
	uint64_t *uses = calloc(c->nfinds + 1, sizeof *uses);
	size_t nuse = 0;

	v->id = cm;
	v->bypassed = -1;
	if (!uses)
		return -1;
	for (i = 0; i < c->nfinds && !r; i++) {
		const rt_assess_finding *f = c->finds[i];
		int act = f->kind && !strcmp(f->kind, cms[cm].activity) && f->direction >= 0;
		int att = !act && is_attempt(cm, f);

		if (!act && !att)
			continue;
		if (!v->first_activity)
			v->first_activity = f->time;
		v->last_activity = f->time;
		if (act && f->confidence != RT_ASSESS_LOW)
			uses[nuse++] = f->time;
		r = att ? judge_attempt(c, cm, v, iv, niv, f) : judge_activity(c, cm, v, iv, niv, f);
	}
	if (!r)
		r = headline(v, iv, niv, uses, nuse);
	free(uses);
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
		memset(&iv[i].iv, 0, sizeof iv[i].iv);
		if (closed_state(v->intervals ? v->intervals[i].state : RT_CM_UNKNOWN))
			any_closed = 1;
	}
	v->nintervals = v->intervals ? niv : 0;
	v->bypassed = v->nbypass ? 1 : any_closed ? 0 : -1;
	if (!r && cms[cm].monitoring) {
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

static int afacts_init(actx *c, const rt_assess_input *in)
{
	size_t i;

	c->facts = calloc(in->nfacts + 1, sizeof *c->facts);
	if (!c->facts)
		return -1;
	for (i = 0; i < in->nfacts; i++) {
		const rt_fact *f = &in->facts[i];
		afact *a;

		if (!f->name)
			continue;
		a = &c->facts[c->nfacts++];
		a->f = f;
		a->time = f->time ? f->time : UINT64_MAX;
		a->v = f->typed;
		a->old = f->old_typed;
		if (!a->v) {
			if (rt_cfg_value_parse(f->name, f->value, &a->own_v))
				return -1;
			a->v = &a->own_v;
		}
		if (!a->old) {
			if (rt_cfg_value_parse(f->name, f->old_value, &a->own_old))
				return -1;
			a->old = &a->own_old;
		}
	}
	qsort(c->facts, c->nfacts, sizeof *c->facts, fact_cmp);
	/* the values parsed here moved with their fact */
	for (i = 0; i < c->nfacts; i++) {
		if (!c->facts[i].f->typed)
			c->facts[i].v = &c->facts[i].own_v;
		if (!c->facts[i].f->old_typed)
			c->facts[i].old = &c->facts[i].own_old;
	}
	return 0;
}

/* The ports the host's legs may take over the whole period. */
#define HOST_PORTS_MAX 64
typedef struct host_ports {
	unsigned v[HOST_PORTS_MAX];
	size_t n;
	int any; /* more than HOST_PORTS_MAX: any port may be one */
} host_ports;

static void host_ports_ever(const actx *c, host_ports *hp)
{
	size_t i;

	hp->n = 0;
	hp->any = rt_cfg_host_ports_add(NULL, NULL, hp->v, &hp->n, HOST_PORTS_MAX) != 0;
	for (i = 0; i < c->nfacts && !hp->any; i++)
		if (rt_cfg_host_ports_add(c->facts[i].f->name, c->facts[i].v, hp->v, &hp->n, HOST_PORTS_MAX) ||
		    rt_cfg_host_ports_add(c->facts[i].f->name, c->facts[i].old, hp->v, &hp->n, HOST_PORTS_MAX))
			hp->any = 1;
}

static int rule_inert(const rt_cfg_value *v, const host_ports *hp)
{
	return !v || v->type == RT_CFG_V_NONE ||
	       (v->type == RT_CFG_V_RULE && v->rule &&
		rt_winfw_rule_inert(v->rule, hp->any ? NULL : hp->v, hp->n));
}

int rt_assess_every_point = 0;

/*
 * Facts whose time need not cut the period (issue 16: thousands of
 * firewall rules added or changed for applications must not make assess
 * quadratic). A piece is judged at its start from lookups of facts at or
 * before it (lookup, toggle_find, active_profiles, connected_profiles);
 * the only facts whose time falls at a cut t are those dated t. When every
 * one of them is inert, the state at t differs from the state at the
 * previous cut only in inert rules, and the evaluators read rules only
 * through rt_winfw_decide / rt_winfw_rule_matches, which skip a rule that
 * matches no leg: the piece judges exactly as the one before, and
 * seg_append would merge it. A fact is inert when it is a local rule by
 * id (firewall.rule.<id>, not a switch ".enabled", not a removal by
 * display name "cmd:" without value and not a store event such as
 * "firewall.rule.*": those act on other rules) and every
 * value its name ever had, old and new, and Windows' default rule of the
 * same id (a reset brings it back), is no rule or a rule that can match
 * no leg (rt_winfw_rule_inert); piece_init leaves such rules out of the
 * state too (c->names lists the names it reads). rt_assess_every_point
 * (tests only) marks nothing inert: every fact's time cuts and every rule
 * is in the state, the reference the tests compare with. -1 on out of
 * memory.
 */
static int timed_cmp(const void *a, const void *b)
{
	const struct timed *x = a, *y = b;

	return x->time < y->time ? -1 : x->time > y->time ? 1 : x->i < y->i ? -1 : x->i > y->i;
}

static int mark_inert(actx *c)
{
	static const char pre[] = "firewall.rule.", dpre[] = "firewall.default.rule.";
	char dname[600];
	size_t i = lower_bound(c, pre), j, k, d;
	host_ports hp = { { 0 }, 0, 1 }; /* any port until known */

	if (rt_assess_every_point)
		i = c->nfacts;
	else
		host_ports_ever(c, &hp);
	while (i < c->nfacts && !strncmp(c->facts[i].f->name, pre, sizeof pre - 1)) {
		const char *name = c->facts[i].f->name, *id = name + sizeof pre - 1;
		size_t n = strlen(name);
		int inert = !(n > 8 && !strcmp(name + n - 8, ".enabled")) && store_event_named(name) < 0;

		for (j = i; j < c->nfacts && !strcmp(c->facts[j].f->name, name); j++)
			if (!rule_inert(c->facts[j].v, &hp) || !rule_inert(c->facts[j].old, &hp) ||
			    (!c->facts[j].f->value && !strncmp(id, "cmd:", 4)))
				inert = 0;
		if (inert && snprintf(dname, sizeof dname, "%s%s", dpre, id) < (int)sizeof dname) {
			for (d = lower_bound(c, dname); d < c->nfacts && !strcmp(c->facts[d].f->name, dname); d++)
				if (!rule_inert(c->facts[d].v, &hp) || !rule_inert(c->facts[d].old, &hp))
					inert = 0;
		} else {
			inert = 0;
		}
		for (k = i; k < j; k++)
			c->facts[k].inert = inert;
		i = j;
	}
	if (!(c->names = calloc(c->nfacts + 1, sizeof *c->names)))
		return -1;
	for (i = 0; i < c->nfacts; i++)
		if (!c->facts[i].inert && (!i || strcmp(c->facts[i - 1].f->name, c->facts[i].f->name)))
			c->names[c->nnames++] = i;
	if (!(c->bytime = calloc(c->nfacts + 1, sizeof *c->bytime)))
		return -1;
	for (i = 0; i < c->nfacts; i++)
		if (!c->facts[i].inert && c->facts[i].time != UINT64_MAX) {
			c->bytime[c->nbytime].time = c->facts[i].time;
			c->bytime[c->nbytime++].i = i;
		}
	qsort(c->bytime, c->nbytime, sizeof *c->bytime, timed_cmp);
	return 0;
}

static void afacts_release(actx *c)
{
	size_t i;

	for (i = 0; i < c->ntoggles; i++)
		free(c->toggles[i].key);
	free(c->toggles);
	free(c->names);
	free(c->bytime);
	for (i = 0; c->facts && i < c->nfacts; i++) {
		rt_cfg_value_release(&c->facts[i].own_v);
		rt_cfg_value_release(&c->facts[i].own_old);
	}
	free(c->facts);
}

int rt_assess_host(const rt_assess_input *given, const rt_assess_opts *opts,
		   rt_assess_result **out)
{
	rt_assess_input sound = *given, *in = &sound;
	actx c;
	rt_assess_result *res = NULL;
	uint64_t *bounds = NULL, from = 0, to = 0;
	ivx *iv[RT_CM_COUNT] = { NULL };
	size_t niv[RT_CM_COUNT] = { 0 };
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
	rt_buf_init(&c.mgmt_buf, 1 << 20);
	c.finds = calloc(in->nfindings + 1, sizeof *c.finds);
	bounds = calloc(in->nfacts + 1, sizeof *bounds);
	res = calloc(1, sizeof *res);
	if (!c.finds || !bounds || !res || afacts_init(&c, in) || toggles_init(&c) || mark_inert(&c))
		goto out;
	{
		size_t d = lower_bound(&c, "firewall.default.rule.");

		c.has_defaults =
		    d < c.nfacts && !strncmp(c.facts[d].f->name, "firewall.default.rule.", 22);
	}
	if (opts && opts->mgmt_scope && *opts->mgmt_scope)
		rt_buf_adds(&c.mgmt_buf, opts->mgmt_scope);
	if (opts && opts->mgmt_hosts && *opts->mgmt_hosts)
		rt_buf_addf(&c.mgmt_buf, "%s%s", c.mgmt_buf.len ? "," : "", opts->mgmt_hosts);
	c.mgmt = c.mgmt_buf.len ? c.mgmt_buf.buf : NULL;
	for (i = 0; i < in->nfindings; i++)
		c.finds[c.nfinds++] = &in->findings[i];
	qsort(c.finds, c.nfinds, sizeof *c.finds, find_cmp);

	for (i = 0; i < c.nfacts; i++) {
		if (c.facts[i].time == UINT64_MAX)
			continue;
		widen(c.facts[i].time, &from, &to);
		if (!c.facts[i].inert)
			bounds[nb++] = c.facts[i].time;
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
	if (!res->host || build_intervals(&c, from, to, bounds, nb, iv, niv))
		goto out;
	for (cm = 0; cm < RT_CM_COUNT; cm++)
		if (assess_cm(&c, (rt_cm_id)cm, iv[cm], niv[cm], to, &res->cm[cm]) < 0)
			goto out;
	*out = res;
	res = NULL;
	r = 0;
out:
	for (cm = 0; cm < RT_CM_COUNT; cm++) {
		for (i = 0; iv[cm] && i < niv[cm]; i++) {
			free(iv[cm][i].iv.why);
			ev_release(&iv[cm][i].iv.basis);
			ivx_release(&iv[cm][i]);
		}
		free(iv[cm]);
	}
	rt_assess_result_free(&res);
	afacts_release(&c);
	rt_buf_release(&c.mgmt_buf);
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
		free(v->state_why);
		ev_release(&v->evidence);
		ev_release(&v->monitoring.coverage);
		ev_release(&v->monitoring.gaps);
	}
	free(r->host);
	free(r);
	*rp = NULL;
}

/* Every setting the assessor knows, first match wins; a name ending in '.'
 * or ':' is a prefix, '*' inside a name stands for any run. */
static const struct known_setting {
	const char *name, *use;
} known_settings[] = {
	{ "service.winrm.start", "judged" },
	{ "service.winmgmt.", "judged" },
	{ "service.rpcss.start", "judged" },
	{ "service.dcomlaunch.start", "judged" },
	{ "service.mpssvc.start", "judged" },
	{ "service.", "not judged: not a service WinRM, WMI or DCOM needs" },
	{ "firewall.rule_group.",
	  "judged (local rules of that group: an administrator's group by EmbedCtxt, Windows' "
	  "WMI and WinRM groups by English name and rule id; other groups of Windows and "
	  "localised names are not matched)" },
	{ "firewall.rule.cmd:",
	  "judged (local rules of that display name; Windows' own rules keep a resource string "
	  "(Name=@FirewallAPI.dll,...) and are not matched by display name)" },
	{ "firewall.rule.", "judged" },
	{ "firewall.policy.rule.", "judged" },
	{ "firewall.default.rule.", "judged (after a firewall reset)" },
	{ "firewall.profile.", "judged" },
	{ "firewall.policy.profile.", "judged" },
	{ "firewall.reset", "judged" },
	{ "firewall.policy.load", "judged" },
	{ "firewall.active_profile", "judged" },
	{ "network.connection.", "judged" },
	{ "winrm.listener.", "judged" },
	{ "winrm.policy.service.allow_auto_config", "judged" },
	{ "winrm.policy.service.http_compatibility_listener", "judged" },
	{ "winrm.policy.service.https_compatibility_listener", "judged" },
	{ "winrm.policy.service.ipv4_filter", "judged" },
	{ "winrm.policy.service.ipv6_filter", "judged" },
	{ "winrm.quickconfig", "cited (its listener and service start type are judged)" },
	{ "winrm.psremoting",
	  "not judged: Disable-PSRemoting denies the session configurations to remote users "
	  "but leaves the WinRM listener and service as they are; cited as a change" },
	{ "winrm.",
	  "not judged: authentication and client settings do not open or close the path" },
	{ "dcom.enabled", "judged" },
	{ "dcom.policy.machine_launch_restriction", "judged" },
	{ "dcom.policy.machine_access_restriction", "judged" },
	{ "dcom.machine_launch_restriction.changed",
	  "judged (the restriction is unknown from the write on)" },
	{ "dcom.machine_access_restriction.changed",
	  "judged (the restriction is unknown from the write on)" },
	{ "dcom.machine_launch_restriction", "judged" },
	{ "dcom.machine_access_restriction", "judged" },
	{ "dcom.", "not judged: not a launch or access control of remote activation" },
	{ "wmi.fixed_endpoint", "judged" },
	{ "wmi.", "not judged: not on the network path" },
	{ "host.", "judged" },
	{ "powershell.logging.module", "judged (monitoring)" },
	{ "portproxy.",
	  "not judged: a port forwarding sends traffic on to another address and port; it "
	  "opens none of the three protocols' receivers by itself" },
	{ "uac.local_account_token_filter_policy",
	  "not judged: it decides whether local administrators get a full token remotely, not "
	  "whether the protocol reaches the host" },
};

static int name_matches(const char *pattern, const char *name)
{
	const char *star = strchr(pattern, '*');
	size_t n = strlen(pattern), lead, tail;

	if (!star)
		return (pattern[n - 1] == '.' || pattern[n - 1] == ':') ? !strncmp(name, pattern, n)
									 : !strcmp(name, pattern);
	lead = (size_t)(star - pattern);
	tail = n - lead - 1;
	return strlen(name) > lead + tail && !strncmp(name, pattern, lead) &&
	       !strcmp(name + strlen(name) - tail, star + 1);
}

const char *rt_assess_setting_use(const char *name)
{
	size_t i;

	for (i = 0; name && i < sizeof known_settings / sizeof *known_settings; i++)
		if (name_matches(known_settings[i].name, name))
			return known_settings[i].use;
	return NULL;
}

const char *rt_cm_state_name(rt_cm_state s)
{
	static const char *const n[] = { "unknown", "not_in_effect", "restricted", "in_effect" };

	return (unsigned)s < sizeof n / sizeof *n ? n[s] : "unknown";
}

const char *rt_cm_name(rt_cm_id id)
{
	return (unsigned)id < RT_CM_COUNT ? cms[id].name : "";
}

const char *rt_cm_title(rt_cm_id id)
{
	return (unsigned)id < RT_CM_COUNT ? cms[id].title : "";
}

rt_proto rt_cm_proto(rt_cm_id id)
{
	return (unsigned)id < RT_CM_COUNT ? cms[id].proto : RT_PROTO_COUNT;
}
