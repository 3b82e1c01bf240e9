/*
 * From hive files to per-host histories. Each hive gives one snapshot (two
 * when its logs were replayed); families fill each snapshot with
 * observations; observations of all snapshots of a host are then merged
 * into one history per setting, with "absent" points where a setting known
 * from one snapshot of a hive is missing in another snapshot of the same
 * kind of hive, and "bounded-by-lastwrite" points where a key's
 * last-written time says the value held before its snapshot.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_internal.h"
#include "cfg_exposure.h"

static const struct {
	cfg_family_fn fn;
	rt_hive_kind kind;
} families[] = {
#define CFG_FAMILY(fn, kind) { fn, kind },
#include "families.def"
#undef CFG_FAMILY
};

const char *rt_cfg_certainty_name(rt_cfg_certainty c)
{
	static const char *const n[] = { "observed", "replayed", "backup", "bounded-by-lastwrite",
					 "default", "event", "shadow copy" };

	return (unsigned)c < sizeof n / sizeof n[0] ? n[c] : "unknown";
}

/*
 * Keys every SYSTEM hive of Windows Vista and later has (all present in
 * the corpus's Windows 7 and 10 hives and in Microsoft's documentation of
 * the services, docs/robustness.md). A hive without one is incomplete
 * (damaged, tampered with, or rebuilt from pieces): what would be under
 * it is unknown, not a Windows default. CCS is the current control set.
 */
static const char *const system_keys[] = {
	"Select",
	"CCS\\Control",
	"CCS\\Services",
	"CCS\\Services\\SharedAccess\\Parameters\\FirewallPolicy",
	"CCS\\Services\\WinRM",
};

/* A snapshot under construction, with its observations. */
typedef struct snap {
	char *host;
	rt_cfg_snapshot s;
	char *user;
	cfg_obs *obs;
	size_t nobs;
	size_t order; /* input order, for stable sorting */
} snap;

typedef struct loader {
	snap *v;
	size_t n;
	rt_diag *diag;
	int oom;
} loader;

static void obs_free(cfg_obs *o, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(o[i].name);
		free(o[i].value);
		free(o[i].raw);
		free(o[i].key);
		free(o[i].value_name);
		free(o[i].text);
	}
	free(o);
}

/* The folder holding an NTUSER.DAT names its user (Users\<name>\NTUSER.DAT). */
static char *user_of(const char *path)
{
	const char *end = strrchr(path, '/'), *start;
	char *u;

	if (!end || end == path)
		return strdup("unknown");
	start = end - 1;
	while (start > path && start[-1] != '/')
		start--;
	u = malloc((size_t)(end - start) + 1);
	if (!u)
		return NULL;
	memcpy(u, start, (size_t)(end - start));
	u[end - start] = '\0';
	for (char *p = u; *p; p++)
		if (*p == '.' || *p == ' ')
			*p = '_';
	return u;
}

/*
 * What is wrong with the hive of `c` (into `why`, "" when nothing): its key
 * tree, then for SYSTEM the keys every SYSTEM hive has. Each problem is
 * reported; -1 when out of memory.
 */
static int hive_damage(cfg_ctx *c, char *why, size_t whylen)
{
	rt_buf missing = RT_BUF_INIT;
	size_t i;

	if (rt_hive_check(c->hive, c->diag, why, whylen) < 0)
		return -1;
	if (c->kind != RT_HIVE_SYSTEM)
		return 0;
	for (i = 0; i < sizeof system_keys / sizeof system_keys[0]; i++) {
		char resolved[512];
		rt_key *k = cfg_open(c, system_keys[i], resolved);

		if (k)
			rt_key_free(&k);
		else if (rt_buf_addf(&missing, "%s%s", missing.len ? ", " : "", resolved))
			break;
	}
	if (missing.len) {
		rt_diag_error(c->diag, c->file,
			      "SYSTEM hive lacks keys every SYSTEM hive has (%s): what they hold is "
			      "unknown, not Windows defaults", missing.buf);
		if (!why[0])
			snprintf(why, whylen, "lacks %s", missing.buf);
	} else if (why[0]) {
		rt_diag_warn(c->diag, c->file,
			     "settings this damaged hive does not show are unknown, not Windows defaults");
	}
	rt_buf_release(&missing);
	return 0;
}

static int add_snapshot(loader *L, rt_hive *h, rt_hive_kind kind, const char *host,
			const char *path, rt_cfg_certainty cert, const char *note)
{
	const rt_hive_info *info = rt_hive_get_info(h);
	char damage[512];
	cfg_ctx c;
	snap *s;
	size_t i;

	memset(&c, 0, sizeof(c));
	c.hive = h;
	c.file = path;
	c.kind = kind;
	c.diag = L->diag;
	if (c.kind == RT_HIVE_SYSTEM &&
	    rt_hive_current_control_set(h, c.ccs, sizeof(c.ccs)) != 1) {
		rt_diag_warn(L->diag, path, "no Select\\Current value, assuming ControlSet001");
		memcpy(c.ccs, "ControlSet001", 14);
	}
	if (c.kind == RT_HIVE_NTUSER && !(c.user = user_of(path))) {
		L->oom = 1;
		return -1;
	}
	damage[0] = '\0';
	if (hive_damage(&c, damage, sizeof damage)) {
		free((char *)c.user);
		L->oom = 1;
		return -1;
	}
	c.damaged = damage[0] != '\0';
	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		if (families[i].kind == c.kind && families[i].fn(&c))
			c.oom = 1;
	if (c.oom || !(s = realloc(L->v, (L->n + 1) * sizeof(*L->v)))) {
		obs_free(c.obs, c.nobs);
		free((char *)c.user);
		L->oom = 1;
		return -1;
	}
	L->v = s;
	s = &L->v[L->n];
	memset(s, 0, sizeof(*s));
	s->host = rt_strdup0(host);
	s->s.file = strdup(path);
	if (c.damaged) {
		rt_buf n = RT_BUF_INIT;

		rt_buf_addf(&n, "%s%sdamaged: %s", note ? note : "", note && *note ? "; " : "", damage);
		s->s.note = rt_buf_detach(&n, NULL);
		s->s.damage = strdup(damage);
	} else {
		s->s.note = strdup(note ? note : "");
	}
	s->s.hive = c.kind;
	s->s.certainty = cert;
	s->s.time = info->last_written > c.max_lw ? info->last_written : c.max_lw;
	s->user = (char *)c.user;
	s->obs = c.obs;
	s->nobs = c.nobs;
	s->order = L->n;
	L->n++;
	if ((host && !s->host) || !s->s.file || !s->s.note || (c.damaged && !s->s.damage)) {
		L->oom = 1;
		return -1;
	}
	return 0;
}

/* Open an artifact's hive with its logs, through their sources. */
static int open_artifact(loader *L, const rt_artifact *a, rt_hive **h)
{
	rt_source **logs = calloc(a->nlogs ? a->nlogs : 1, sizeof(*logs));
	size_t i, n;
	int rc;

	if (!logs) {
		L->oom = 1;
		return -1;
	}
	if (!a->src) {
		if (!a->gone_named)
			rt_diag_error(L->diag, a->path, "cannot open: the artifact has no byte source");
		free(logs);
		return -1;
	}
	/* a log a manifest names and that is gone is named, the hive read
	 * with the others */
	for (i = n = 0; i < a->nlogs; i++)
		if (a->logs[i].src)
			logs[n++] = a->logs[i].src;
		else if (!a->logs[i].gone_named)
			rt_diag_error(L->diag, a->logs[i].path,
				      "cannot open: the artifact has no byte source");
	rc = rt_hive_open_with_logs_source(a->src, logs, n, 0, h, L->diag);
	free(logs);
	return rc;
}

static int used_kind(rt_hive_kind k)
{
	return k == RT_HIVE_SYSTEM || k == RT_HIVE_SOFTWARE || k == RT_HIVE_NTUSER;
}

static int load_one(loader *L, const rt_cfg_input *in)
{
	rt_hive *h = NULL;
	const rt_hive_info *info;
	char *name = NULL;
	const char *host = in->host;
	const rt_origin *o = in->artifact ? &in->artifact->origin : NULL;
	rt_cfg_certainty base = o && o->shadow_copy ? RT_CFG_SHADOW
				: in->is_backup     ? RT_CFG_BACKUP
						    : RT_CFG_OBSERVED;
	size_t first = L->n;
	rt_hive_kind kind;
	int rc;

	if (in->artifact)
		rc = open_artifact(L, in->artifact, &h);
	else if (in->nlogs)
		rc = rt_hive_open_with_logs(in->path, in->logs, in->nlogs, 0, &h, L->diag);
	else
		rc = rt_hive_open(in->path, 0, &h, L->diag);
	if (L->oom)
		return -1;
	if (rc != 0 || !h)
		return 0;
	info = rt_hive_get_info(h);
	if (!(in->artifact ? in->artifact->nlogs : in->nlogs) && info->dirty)
		rt_diag_warn(L->diag, in->path, "hive is dirty and its transaction logs (.LOG1, .LOG2) "
						 "were not found: changes still in them are missing");
	/* the kind was decided when the evidence was collected */
	kind = in->artifact ? in->artifact->hive_kind : info->kind;
	if (!used_kind(kind)) {
		/* Hives known not to matter (SAM, DEFAULT, ...) are listed as
		 * such in the report; one nothing identified is named here. */
		if (in->artifact ? in->artifact->hive_kind_unsure : kind == RT_HIVE_UNKNOWN)
			rt_diag_warn(L->diag, in->path, "registry hive not used: %s",
				     in->artifact && in->artifact->hive_kind_reason
					     ? in->artifact->hive_kind_reason
					     : "its kind is unknown");
		rt_hive_free(&h);
		return 0;
	}
	if (!host && kind == RT_HIVE_SYSTEM && rt_hive_computer_name(h, &name) == 1)
		host = name;
	if (!host)
		host = "unknown";
	if (rt_hive_was_replayed(h)) {
		rt_hive *p = rt_hive_primary(h);

		rc = add_snapshot(L, p, kind, host, in->path, base, "primary file before log replay");
		if (!rc)
			rc = add_snapshot(L, h, kind, host, in->path,
					  base == RT_CFG_SHADOW ? base : RT_CFG_REPLAYED,
					  rt_hive_replay_summary(h));
		/* The replayed state is newer than the primary even when the
		 * base block's time was not advanced by the log. */
		if (!rc && L->v[first + 1].s.time <= L->v[first].s.time)
			L->v[first + 1].s.time = L->v[first].s.time + 1;
	} else {
		rc = add_snapshot(L, h, kind, host, in->path, base,
				  rt_hive_was_repaired(h) ? "base block checksum repaired" : "");
	}
	/* A shadow copy's hives are the hives as they were when it was made:
	 * they join the history at that time (the replayed view just after). */
	if (!rc && base == RT_CFG_SHADOW && o->shadow_copy_time) {
		size_t i;

		for (i = first; i < L->n; i++)
			L->v[i].s.time = o->shadow_copy_time + (i - first);
	}
	free(name);
	rt_hive_free(&h);
	return rc;
}

static int cert_rank(rt_cfg_certainty c)
{
	return c == RT_CFG_BACKUP || c == RT_CFG_SHADOW ? 0 : c == RT_CFG_OBSERVED ? 1 : 2;
}

static int snap_cmp(const void *a, const void *b)
{
	const snap *x = a, *y = b;
	int c = strcmp(x->host, y->host);

	if (c)
		return c;
	if (x->s.time != y->s.time)
		return x->s.time < y->s.time ? -1 : 1;
	if (cert_rank(x->s.certainty) != cert_rank(y->s.certainty))
		return cert_rank(x->s.certainty) - cert_rank(y->s.certainty);
	c = strcmp(x->s.file, y->s.file);
	return c ? c : (x->order < y->order ? -1 : x->order > y->order);
}

/* ------------------------------------------------------------- histories */

typedef struct pt {
	const char *name;
	rt_cfg_point p;
	int role; /* hive kind, plus a per-user number for NTUSER */
} pt;

static int pt_cmp(const void *a, const void *b)
{
	const pt *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	if (x->p.time != y->p.time)
		return x->p.time < y->p.time ? -1 : 1;
	if (x->p.snapshot != y->p.snapshot)
		return x->p.snapshot < y->p.snapshot ? -1 : 1;
	return (int)x->p.certainty - (int)y->p.certainty;
}

static int set_point(rt_cfg_point *p, const snap *s, size_t si, const cfg_obs *o, uint64_t time,
		     rt_cfg_certainty cert, const char *value)
{
	memset(p, 0, sizeof(*p));
	p->time = time;
	p->certainty = cert;
	p->snapshot = si;
	p->value = strdup(value);
	p->raw = value == o->value ? rt_strdup0(o->raw) : NULL;
	p->text = value == o->value ? rt_strdup0(o->text) : NULL;
	p->source.file = strdup(s->s.file);
	p->source.key = rt_strdup0(o->key);
	p->source.value_name = rt_strdup0(o->value_name);
	p->source.last_written = value == o->value ? o->last_written : 0;
	return p->value && p->source.file && (!o->text || value != o->value || p->text) ? 0 : -1;
}

static void point_release(rt_cfg_point *p)
{
	rt_cfg_value_release(&p->typed);
	free(p->text);
	free(p->value);
	free(p->raw);
	free(p->source.file);
	free(p->source.key);
	free(p->source.value_name);
}

typedef struct ptvec {
	pt *v;
	size_t n, alloc;
} ptvec;

static pt *pt_push(ptvec *pv)
{
	if (pv->n == pv->alloc) {
		size_t na = pv->alloc ? pv->alloc * 2 : 256;
		pt *p = realloc(pv->v, na * sizeof(*p));

		if (!p)
			return NULL;
		pv->v = p;
		pv->alloc = na;
	}
	return &pv->v[pv->n++];
}

static int role_of(const snap *s, const snap *all, size_t n)
{
	size_t i;

	if (s->s.hive != RT_HIVE_NTUSER)
		return (int)s->s.hive;
	for (i = 0; i < n; i++)
		if (all[i].s.hive == RT_HIVE_NTUSER && all[i].user && s->user &&
		    !strcmp(all[i].user, s->user))
			return 100 + (int)i;
	return 100;
}

/* Build the settings of one host from its snapshots (already sorted). */
static int build_settings(rt_cfg_host *h, snap *sv, size_t ns)
{
	ptvec pv = { NULL, 0, 0 };
	size_t i, j, k, start, n0;
	int rc = -1;

	for (i = 0; i < ns; i++)
		for (j = 0; j < sv[i].nobs; j++) {
			const cfg_obs *o = &sv[i].obs[j];
			pt *p = pt_push(&pv);

			if (!p || (p->name = o->name,
				   set_point(&p->p, &sv[i], i, o, sv[i].s.time,
					     o->is_default ? RT_CFG_DEFAULT : sv[i].s.certainty, o->value)))
				goto out;
			p->role = role_of(&sv[i], sv, ns);
		}
	if (pv.n)
		qsort(pv.v, pv.n, sizeof(*pv.v), pt_cmp);

	/* Absent and bounded points, per setting; new points go after n0. */
	n0 = pv.n;
	for (start = 0; start < n0; start = i) {
		size_t end;
		const char *prev_value = NULL;
		uint64_t prev_time = 0;

		for (end = start; end < n0 && !strcmp(pv.v[end].name, pv.v[start].name); end++)
			;
		i = end;
		for (k = 0; k < ns; k++) {
			int found = 0;

			/* a damaged hive's silence removes nothing */
			if (role_of(&sv[k], sv, ns) != pv.v[start].role || sv[k].s.damage)
				continue;
			for (j = start; j < end && !found; j++)
				found = pv.v[j].p.snapshot == k;
			if (!found) {
				const cfg_obs tmpl = { NULL, NULL, NULL, pv.v[start].p.source.key,
						       pv.v[start].p.source.value_name, NULL, 0, 0 };
				pt *p = pt_push(&pv);

				if (!p)
					goto out;
				p->name = pv.v[start].name;
				p->role = pv.v[start].role;
				if (set_point(&p->p, &sv[k], k, &tmpl, sv[k].s.time, sv[k].s.certainty,
					      "null"))
					goto out;
			}
		}
		for (j = start; j < end; j++) {
			const rt_cfg_point *q = &pv.v[j].p;
			uint64_t lw = q->source.last_written;

			if (q->certainty != RT_CFG_DEFAULT && lw && lw < q->time && lw > prev_time &&
			    (!prev_value || strcmp(prev_value, q->value))) {
				const cfg_obs tmpl = { NULL, NULL, q->raw, q->source.key,
						       q->source.value_name, NULL, lw, 0 };
				pt *p = pt_push(&pv);
				const rt_cfg_point *qq;

				if (!p)
					goto out;
				qq = &pv.v[j].p;
				p->name = pv.v[j].name;
				p->role = pv.v[j].role;
				if (set_point(&p->p, &sv[qq->snapshot], qq->snapshot, &tmpl, lw,
					      RT_CFG_BOUNDED, qq->value))
					goto out;
				p->p.raw = rt_strdup0(qq->raw);
				p->p.text = rt_strdup0(qq->text);
				p->p.source.last_written = lw;
				if ((qq->raw && !p->p.raw) || (qq->text && !p->p.text))
					goto out;
			}
			prev_value = pv.v[j].p.value;
			prev_time = pv.v[j].p.time;
		}
	}
	if (pv.n)
		qsort(pv.v, pv.n, sizeof(*pv.v), pt_cmp);

	for (i = 0; i < pv.n; i = j) {
		rt_cfg_setting *s;

		for (j = i; j < pv.n && !strcmp(pv.v[j].name, pv.v[i].name); j++)
			;
		s = realloc(h->settings, (h->nsettings + 1) * sizeof(*s));
		if (!s)
			goto out;
		h->settings = s;
		s = &h->settings[h->nsettings];
		s->name = strdup(pv.v[i].name);
		s->points = malloc((j - i) * sizeof(*s->points));
		if (!s->name || !s->points) {
			free(s->name);
			free(s->points);
			goto out;
		}
		for (k = i; k < j; k++) {
			s->points[k - i] = pv.v[k].p;
			memset(&pv.v[k].p, 0, sizeof(pv.v[k].p));
		}
		s->npoints = j - i;
		h->nsettings++;
		for (k = 0; k < s->npoints; k++)
			if (rt_cfg_value_parse(s->name, s->points[k].text, &s->points[k].typed))
				goto out;
	}
	rc = 0;
out:
	for (i = 0; i < pv.n; i++)
		point_release(&pv.v[i].p);
	free(pv.v);
	return rc;
}

static int build_host(rt_config *cfg, snap *sv, size_t ns)
{
	rt_cfg_host *h;
	size_t i;

	h = realloc(cfg->hosts, (cfg->nhosts + 1) * sizeof(*h));
	if (!h)
		return -1;
	cfg->hosts = h;
	h = &cfg->hosts[cfg->nhosts++];
	memset(h, 0, sizeof(*h));
	if (!(h->name = strdup(sv[0].host)))
		return -1;
	if (build_settings(h, sv, ns))
		return -1;
	if (!(h->snapshots = calloc(ns, sizeof(*h->snapshots))))
		return -1;
	for (i = 0; i < ns; i++) {
		h->snapshots[i] = sv[i].s;
		memset(&sv[i].s, 0, sizeof(sv[i].s));
		h->nsnapshots++;
	}
	return cfg_exposure_build(h);
}

int rt_config_load(const rt_cfg_input *in, size_t n, rt_config **out, rt_diag *diag)
{
	loader L = { NULL, 0, diag, 0 };
	rt_config *cfg = calloc(1, sizeof(*cfg));
	size_t i, j;
	int rc = -1;

	*out = NULL;
	if (!cfg)
		return -1;
	for (i = 0; i < n && !L.oom; i++)
		load_one(&L, &in[i]);
	if (L.oom)
		goto out;
	if (L.n)
		qsort(L.v, L.n, sizeof(*L.v), snap_cmp);
	for (i = 0; i < L.n; i = j) {
		for (j = i; j < L.n && !strcmp(L.v[j].host, L.v[i].host); j++)
			;
		if (build_host(cfg, &L.v[i], j - i))
			goto out;
	}
	rc = 0;
	*out = cfg;
	cfg = NULL;
out:
	for (i = 0; i < L.n; i++) {
		free(L.v[i].host);
		free(L.v[i].user);
		free(L.v[i].s.file);
		free(L.v[i].s.note);
		free(L.v[i].s.damage);
		obs_free(L.v[i].obs, L.v[i].nobs);
	}
	free(L.v);
	rt_config_free(&cfg);
	return rc;
}

void rt_config_free(rt_config **c)
{
	size_t i, j, k;

	if (!c || !*c)
		return;
	for (i = 0; i < (*c)->nhosts; i++) {
		rt_cfg_host *h = &(*c)->hosts[i];

		for (j = 0; j < h->nsettings; j++) {
			for (k = 0; k < h->settings[j].npoints; k++)
				point_release(&h->settings[j].points[k]);
			free(h->settings[j].points);
			free(h->settings[j].name);
		}
		free(h->settings);
		for (j = 0; j < h->nsnapshots; j++) {
			free(h->snapshots[j].file);
			free(h->snapshots[j].note);
			free(h->snapshots[j].damage);
		}
		free(h->snapshots);
		cfg_exposure_release(h);
		free(h->name);
	}
	free((*c)->hosts);
	free(*c);
	*c = NULL;
}

size_t cfg_setting_lower(const rt_cfg_host *h, const char *name)
{
	size_t lo = 0, hi = h->nsettings;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(h->settings[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const rt_cfg_setting *rt_cfg_find(const rt_cfg_host *h, const char *name)
{
	size_t i = cfg_setting_lower(h, name);

	return i < h->nsettings && !strcmp(h->settings[i].name, name) ? &h->settings[i] : NULL;
}

const rt_cfg_point *rt_cfg_value_at(const rt_cfg_host *h, const char *name, uint64_t t)
{
	const rt_cfg_setting *s = rt_cfg_find(h, name);
	const rt_cfg_point *best = NULL;
	size_t i;

	if (!s)
		return NULL;
	for (i = 0; i < s->npoints; i++)
		if (s->points[i].time <= t)
			best = &s->points[i];
	return best;
}

const rt_cfg_exposure *rt_cfg_exposure_at(const rt_cfg_host *h, uint64_t t)
{
	const rt_cfg_exposure *best = NULL;
	size_t i;

	for (i = 0; i < h->nexposures; i++)
		if (h->exposures[i].time <= t)
			best = &h->exposures[i];
	return best;
}
