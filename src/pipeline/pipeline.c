/*
 * The pipeline behind `assess` and `analyze`: evidence -> per host
 * configuration history and findings -> assessment, plus the SHA-256 of
 * every input and what became of it. The config and detect modules are
 * reached through the thin adapter in adapt.c, which turns their
 * structures into the assessor's facts and findings.
 *
 * Provenance comes from the diagnostics: every message is recorded (and
 * passed on to the caller's sink) and attached to the input it names; an
 * input with an error is "partly read" when something was read from it
 * (records, a configuration snapshot) and "unreadable" otherwise. A subject
 * that names no artifact (a disk image found in a folder, a log without
 * its hive) becomes an input of its own, "skipped" or "unreadable".
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "adapt.h"
#include "pipeline_int.h"
#include "remtrail/config.h"
#include "remtrail/detect.h"
#include "remtrail/evidence.h"
#include "remtrail/pipeline.h"
#include "remtrail/source.h"

static const char *const input_states[] = {
	[RT_INPUT_READ] = "read",
	[RT_INPUT_PARTLY] = "partly read",
	[RT_INPUT_UNREADABLE] = "unreadable",
	[RT_INPUT_SKIPPED] = "skipped",
};

const char *rt_input_state_name(rt_input_state s)
{
	return (unsigned)s < sizeof input_states / sizeof *input_states ? input_states[s] : "?";
}

/* ------------------------------------------------------ recorded diagnostics */

/* Runs under the recording diag's lock. */
static void record(void *ctx, rt_diag_level level, const char *subject, const char *message)
{
	pl_recorder *r = ctx;

	rt_diag_forward(r->up, level, subject, message);
	if (r->n == r->alloc) {
		size_t na = r->alloc ? r->alloc * 2 : 64;
		pl_note *p = realloc(r->v, na * sizeof *p);

		if (!p) {
			r->oom = 1;
			return;
		}
		r->v = p;
		r->alloc = na;
	}
	r->v[r->n].level = level;
	r->v[r->n].subject = rt_strdup0(subject);
	r->v[r->n].message = rt_strdup0(message);
	r->v[r->n].used = 0;
	if (!r->v[r->n].subject || !r->v[r->n].message) {
		free(r->v[r->n].subject);
		free(r->v[r->n].message);
		r->oom = 1;
		return;
	}
	r->n++;
}

void pl_recorder_init(pl_recorder *r, rt_diag *up, rt_diag *rd)
{
	memset(r, 0, sizeof *r);
	r->up = up;
	rt_diag_init(rd, record, r);
}

void pl_recorder_release(pl_recorder *r, rt_diag *rd)
{
	size_t i;

	rt_diag_release(rd);
	for (i = 0; i < r->n; i++) {
		free(r->v[i].subject);
		free(r->v[i].message);
	}
	free(r->v);
	memset(r, 0, sizeof *r);
}

/* ------------------------------------------------------------------ inputs */

static int input_cmp(const void *a, const void *b)
{
	const rt_input *x = a, *y = b;
	return strcmp(x->path, y->path);
}

void pl_inputs_sort(rt_input *v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof *v, input_cmp);
}

void pl_place(const char *path, const char *const *roots, size_t nroots, const char **root,
		  const char **rel)
{
	size_t i, best = 0, bestlen = 0;
	int found = 0;

	for (i = 0; i < nroots; i++) {
		size_t n = strlen(roots[i]);

		while (n > 1 && roots[i][n - 1] == '/')
			n--;
		if (strncmp(path, roots[i], n) || (path[n] && path[n] != '/' && roots[i][n - 1] != '/'))
			continue;
		if (!found || n > bestlen) {
			best = i;
			bestlen = n;
			found = 1;
		}
	}
	if (!found) {
		*root = "";
		*rel = path;
		return;
	}
	*root = roots[best];
	*rel = path + bestlen;
	while (**rel == '/')
		(*rel)++;
}

int pl_grow(void **arr, size_t *alloc, size_t n, size_t size)
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

rt_input *pl_input_new(pl_inputs *l)
{
	rt_input *in;

	if (l->n == l->alloc) {
		size_t na = l->alloc ? l->alloc * 2 : 16;
		rt_input *p = realloc(l->v, na * sizeof *p);
		if (!p)
			return NULL;
		l->v = p;
		l->alloc = na;
	}
	in = &l->v[l->n++];
	memset(in, 0, sizeof *in);
	return in;
}

rt_input *pl_input_add(pl_inputs *l, const char *path, uint64_t size, const char *host,
		       const char *kind, const char *const *roots, size_t nroots)
{
	rt_input *in = pl_input_new(l);
	const char *root, *rel;

	if (!in)
		return NULL;
	pl_place(path, roots, nroots, &root, &rel);
	in->path = rt_strdup0(path);
	in->root = rt_strdup0(root);
	in->rel = rt_strdup0(rel);
	in->host = rt_strdup0(host);
	in->kind = rt_strdup0(kind);
	in->size = size;
	return in->path && in->root && in->rel && (!host || in->host) && (!kind || in->kind) ? in
											    : NULL;
}

rt_input *pl_input_copy(pl_inputs *l, const rt_input *from)
{
	rt_input *in = pl_input_new(l);
	size_t k;

	if (!in)
		return NULL;
	*in = *from;
	in->notes = NULL;
	in->nnotes = 0;
	in->path = rt_strdup0(from->path);
	in->root = rt_strdup0(from->root);
	in->rel = rt_strdup0(from->rel);
	in->sha256 = rt_strdup0(from->sha256);
	in->host = rt_strdup0(from->host);
	in->kind = rt_strdup0(from->kind);
	in->container = rt_strdup0(from->container);
	in->origin.inner_path = rt_strdup0(from->origin.inner_path);
	if (!in->path || !in->root || !in->rel || (from->sha256 && !in->sha256) ||
	    (from->host && !in->host) || (from->kind && !in->kind) ||
	    (from->container && !in->container) ||
	    (from->origin.inner_path && !in->origin.inner_path))
		return NULL;
	for (k = 0; k < from->nnotes; k++)
		if (pl_input_note(in, from->notes[k]))
			return NULL;
	return in;
}

void pl_input_release(rt_input *in)
{
	size_t k;

	free(in->path);
	free(in->root);
	free(in->rel);
	free(in->sha256);
	free(in->host);
	free(in->kind);
	free(in->container);
	free(in->origin.inner_path);
	for (k = 0; k < in->nnotes; k++)
		free(in->notes[k]);
	free(in->notes);
	memset(in, 0, sizeof *in);
}

int pl_input_note(rt_input *in, const char *text)
{
	char **p = realloc(in->notes, (in->nnotes + 1) * sizeof *p);

	if (!p)
		return -1;
	in->notes = p;
	if (!(p[in->nnotes] = rt_strdup0(text)))
		return -1;
	in->nnotes++;
	return 0;
}

int pl_notes_to_inputs(pl_recorder *r, pl_inputs *l, size_t from, const char *host,
		       const char *const *roots, size_t nroots)
{
	rt_buf esc = RT_BUF_INIT;
	size_t k, n0 = l->n;
	int rc = -1;

	for (k = from; k < r->n; k++) {
		rt_input *in;
		size_t j;

		if (r->v[k].used || !*r->v[k].subject)
			continue;
		r->v[k].used = 1;
		rt_buf_reset(&esc);
		if (rt_path_unescape(&esc, r->v[k].subject, strlen(r->v[k].subject)))
			goto out;
		for (j = n0; j < l->n && strcmp(l->v[j].path, esc.buf); j++)
			;
		if (j < l->n) {
			in = &l->v[j];
		} else {
			if (!(in = pl_input_add(l, esc.buf, 0, host, NULL, roots, nroots)))
				goto out;
			in->state = RT_INPUT_SKIPPED;
		}
		if (r->v[k].level == RT_DIAG_ERROR)
			in->state = RT_INPUT_UNREADABLE;
		if (pl_input_note(in, r->v[k].message))
			goto out;
	}
	rc = 0;
out:
	rt_buf_release(&esc);
	return rc;
}

int pl_input_origin(rt_input *in, const rt_evidence *ev, const rt_artifact *art)
{
	if (!art->origin.container || art->origin.container > ev->ncontainers)
		return 0;
	in->origin = art->origin;
	in->origin.inner_path = rt_strdup0(art->origin.inner_path);
	in->container = rt_strdup0(ev->containers[art->origin.container - 1].path);
	return in->container && (!art->origin.inner_path || in->origin.inner_path) ? 0 : -1;
}

int pl_input_hash(rt_input *in, const rt_artifact *art, rt_diag *diag)
{
	char hex[65];

	if (!art->src) /* it could not be opened: named by its reader */
		return 0;
	if (rt_source_sha256(art->src, hex)) {
		char why[256];

		rt_diag_error(diag, art->path, "cannot read to hash: %s",
			      *rt_source_error(art->src, why, sizeof(why)) ? why : strerror(errno));
		return 0;
	}
	return (in->sha256 = rt_strdup0(hex)) ? 0 : -1;
}

static int list_inputs(pl_inputs *l, const rt_evidence *ev, const char *const *roots,
		       size_t nroots)
{
	size_t h, i, k;
	char kind[64];
	rt_input *in;

	for (h = 0; h < ev->nhosts; h++)
		for (i = 0; i < ev->hosts[h].nartifacts; i++) {
			const rt_artifact *art = &ev->hosts[h].artifacts[i];
			if (art->kind == RT_ART_EVTX)
				snprintf(kind, sizeof kind, "evtx%s", art->is_backup ? " (backup)" : "");
			else
				snprintf(kind, sizeof kind, "hive:%s%s", rt_hive_kind_name(art->hive_kind),
					 art->is_backup ? " (backup)" : "");
			if (!(in = pl_input_add(l, art->path, art->size, ev->hosts[h].name, kind, roots,
						nroots)) ||
			    pl_input_origin(in, ev, art))
				return -1;
			for (k = 0; k < art->nlogs; k++)
				if (!(in = pl_input_add(l, art->logs[k].path, art->logs[k].size,
							ev->hosts[h].name, "hive log", roots, nroots)) ||
				    pl_input_origin(in, ev, &art->logs[k]))
					return -1;
		}
	return 0;
}

/*
 * The inputs' SHA-256, in the order list_inputs listed them, once the
 * readers are done: what they read is hashed already (byte sources hash as
 * they are read), so this reads only the rest, never the evidence again.
 */
static int hash_inputs(pl_inputs *l, const rt_evidence *ev, rt_diag *diag)
{
	size_t h, i, k, j = 0;

	for (h = 0; h < ev->nhosts; h++)
		for (i = 0; i < ev->hosts[h].nartifacts; i++) {
			const rt_artifact *art = &ev->hosts[h].artifacts[i];

			if (j >= l->n || pl_input_hash(&l->v[j++], art, diag))
				return -1;
			for (k = 0; k < art->nlogs; k++)
				if (j >= l->n || pl_input_hash(&l->v[j++], &art->logs[k], diag))
					return -1;
		}
	return 0;
}

/* Whether the configuration holds a snapshot read from `path`. */
static int in_config(const rt_config *cfg, const char *path)
{
	size_t h, s;

	for (h = 0; cfg && h < cfg->nhosts; h++)
		for (s = 0; s < cfg->hosts[h].nsnapshots; s++)
			if (!strcmp(cfg->hosts[h].snapshots[s].file, path))
				return 1;
	return 0;
}

static size_t host_index(const rt_analysis *a, const char *name)
{
	size_t h;

	for (h = 0; name && h < a->nhosts; h++)
		if (!strcmp(a->hosts[h].name, name))
			return h;
	return a->nhosts;
}

/* Notes to their inputs, errors first; then each input's state; the notes
 * that name no input become inputs of the unit's host. */
static int settle_inputs(rt_analysis *a, pl_recorder *r, pl_inputs *l, const char *host,
			 const char *const *roots, size_t nroots)
{
	const rt_config *cfg = adapt_config(a);
	rt_buf esc = RT_BUF_INIT;
	size_t i, k, n0 = l->n;
	int pass, rc = -1;

	for (i = 0; i < n0; i++) {
		rt_input *in = &l->v[i];
		int errors = 0;

		rt_buf_reset(&esc);
		if (rt_path_cstr(&esc, in->path))
			goto out;
		for (pass = RT_DIAG_ERROR; pass >= RT_DIAG_WARN; pass--)
			for (k = 0; k < r->n; k++) {
				if ((int)r->v[k].level != pass || strcmp(r->v[k].subject, esc.buf))
					continue;
				r->v[k].used = 1;
				errors += pass == RT_DIAG_ERROR;
				if (pl_input_note(in, r->v[k].message))
					goto out;
			}
		if (!strncmp(in->kind, "evtx", 4))
			in->records = adapt_records(a, host_index(a, in->host), in->path);
		if (!strncmp(in->kind, "hive:", 5) && !in_config(cfg, in->path)) {
			if (errors)
				in->state = RT_INPUT_UNREADABLE;
			else if (pl_input_note(in, "not used: remtrail reads the SYSTEM, SOFTWARE and "
						   "NTUSER hives"))
				goto out;
			else
				in->state = RT_INPUT_SKIPPED;
		} else if (errors) {
			int some = !strncmp(in->kind, "evtx", 4) ? in->records > 0
				   : !strncmp(in->kind, "hive:", 5) ? 1 : 0;
			in->state = some ? RT_INPUT_PARTLY : RT_INPUT_UNREADABLE;
		}
	}
	if (pl_notes_to_inputs(r, l, 0, host, roots, nroots))
		goto out;
	pl_inputs_sort(l->v, l->n);
	rc = 0;
out:
	rt_buf_release(&esc);
	return rc;
}

/* ------------------------------------------------------------------- hosts */

/* Keep the findings inside [from, to] (0: open); links to a finding left
 * out are cut, and so are the host's network logons kept for pairing:
 * what lies outside the window is not paired either. */
static int window(rt_findings *f, rt_pair_host *ph, uint64_t from, uint64_t to)
{
	rt_findings out = RT_FINDINGS_INIT, gone = RT_FINDINGS_INIT;
	size_t *pos = NULL, i, k;

	if (!from && !to)
		return 0;
	if (f->n && !(pos = malloc(f->n * sizeof *pos)))
		return -1;
	for (i = 0; i < f->n; i++) {
		rt_finding *dst;
		int keep = (!from || f->items[i].timestamp >= from) && (!to || f->items[i].timestamp <= to);
		rt_findings *l = keep ? &out : &gone;

		if (!(dst = rt_findings_add(l))) {
			free(pos);
			rt_findings_release(&out);
			rt_findings_release(&gone);
			return -1;
		}
		*dst = f->items[i];
		pos[i] = keep ? out.n - 1 : RT_FINDING_NONE;
	}
	for (i = 0; i < out.n; i++) {
		rt_finding *x = &out.items[i];

		x->paired = x->paired == RT_FINDING_NONE ? x->paired : pos[x->paired];
		x->logon = x->logon == RT_FINDING_NONE ? x->logon : pos[x->logon];
		x->related = x->related == RT_FINDING_NONE ? x->related : pos[x->related];
	}
	for (i = k = 0; ph && i < ph->nlogons; i++) {
		rt_pair_logon *lg = &ph->logons[i];

		if ((from && lg->time < from) || (to && lg->time > to)) {
			rt_pair_logon_release(lg);
			continue;
		}
		if (lg->finding != RT_FINDING_NONE)
			lg->finding = pos[lg->finding];
		ph->logons[k++] = *lg;
	}
	if (ph)
		ph->nlogons = k;
	/* change points are configuration history, read whole: they stay,
	 * their link cut when their finding is left out */
	for (i = 0; i < f->nchanges; i++)
		if (f->changes[i].finding != RT_FINDING_NONE)
			f->changes[i].finding = pos[f->changes[i].finding];
	out.changes = f->changes;
	out.nchanges = f->nchanges;
	out.achanges = f->achanges;
	free(pos);
	free(f->items);
	*f = out;
	rt_findings_release(&gone);
	return 0;
}

static const char *setting_value(const rt_cfg_host *ch, const char *name)
{
	const rt_cfg_setting *s = ch ? rt_cfg_find(ch, name) : NULL;

	return s && s->npoints ? s->points[s->npoints - 1].value : NULL;
}

/* The configuration of the host named `name`, or NULL. */
static rt_cfg_host *cfg_host(const rt_config *cfg, const char *name)
{
	size_t i;

	for (i = 0; cfg && i < cfg->nhosts; i++)
		if (!strcmp(cfg->hosts[i].name, name))
			return &cfg->hosts[i];
	return NULL;
}

/* Time zone of host h. */
static int describe_host(rt_analysis *a, const rt_evidence *ev, size_t h)
{
	rt_analysis_host *ah = &a->hosts[h];
	const rt_cfg_host *ch;
	rt_buf b = RT_BUF_INIT;
	const char *v;
	int rc = -1;

	ah->name = rt_strdup0(ev->hosts[h].name);
	ah->name_source = rt_strdup0(ev->hosts[h].name_source);
	ah->full_name = rt_strdup0(ev->hosts[h].full_name);
	if (!ah->name || !ah->name_source || (ev->hosts[h].full_name && !ah->full_name))
		goto out;
	ch = cfg_host(adapt_config(a), ah->name);
	if ((v = setting_value(ch, "host.time_zone")) && *v == '"') {
		rt_buf_reset(&b);
		rt_buf_add(&b, v + 1, strlen(v + 1) - (v[strlen(v) - 1] == '"'));
		if (!(ah->time_zone = rt_buf_detach(&b, NULL)))
			goto out;
	}
	if ((v = setting_value(ch, "host.time_zone.active_bias_minutes")) && *v) {
		char *end;
		long bias = strtol(v + (*v == '"'), &end, 10);

		if (end != v + (*v == '"') && bias > -1440 && bias < 1440) {
			ah->active_bias = (int)bias;
			ah->has_bias = 1;
		}
	}
	rc = 0;
out:
	rt_buf_release(&b);
	return rc;
}

/*
 * The configuration history of host h as `config` shows it: the hive points
 * and the points dated by its records (the change points of its findings
 * that name it). Made once the host is assessed: the assessor takes the
 * change points as facts of their own, so they join the hive points only
 * here.
 */
static int host_configuration(rt_analysis *a, size_t h)
{
	rt_analysis_host *ah = &a->hosts[h];
	rt_config *cfg = adapt_config_mut(a), one;
	rt_buf b = RT_BUF_INIT;
	size_t i;
	int rc = -1;

	for (i = 0; cfg && i < ah->findings.nchanges; i++) {
		const rt_change *c = &ah->findings.changes[i];
		rt_cfg_event e = { ah->name, c->name, c->value, c->timestamp, c->source_file,
				   c->record_id, c->event_id };

		if (c->host && rt_strcaseeq(c->host, ah->name) && rt_config_add_event(cfg, &e))
			goto out;
	}
	one.hosts = cfg_host(cfg, ah->name);
	one.nhosts = one.hosts != NULL;
	if (rt_config_write_json(&one, &b))
		goto out;
	while (b.len && b.buf[b.len - 1] == '\n')
		rt_buf_truncate(&b, b.len - 1);
	if (!(ah->configuration_json = rt_buf_detach(&b, NULL)))
		goto out;
	rc = 0;
out:
	rt_buf_release(&b);
	return rc;
}

/* A host always has a pairing state, if only its name (no events read). */
static int ensure_pairing(rt_analysis_host *ah)
{
	if (ah->pairing)
		return 0;
	if (!(ah->pairing = calloc(1, sizeof *ah->pairing)) ||
	    !(ah->pairing->name = rt_strdup0(ah->name)))
		return -1;
	return 0;
}

static pthread_mutex_t rewalk_lock = PTHREAD_MUTEX_INITIALIZER;

/* The first error the walk of a unit's containers gave about a container
 * itself (it cannot be opened or read), for the container's own message. */
typedef struct rewalk {
	const rt_unit_container *c;
	size_t nc;
	char **why; /* per container, or NULL */
	int oom;
} rewalk;

static void rewalk_note(void *ctx, rt_diag_level level, const char *subject, const char *message)
{
	rewalk *w = ctx;
	size_t i;

	for (i = 0; level == RT_DIAG_ERROR && i < w->nc; i++)
		if (!w->why[i] && !strcmp(subject, w->c[i].path) &&
		    !(w->why[i] = rt_strdup0(message)))
			w->oom = 1;
}

size_t pl_container_of(const char *path, const rt_unit_container *c, size_t nc)
{
	size_t i, n;

	for (i = 0; i < nc; i++) {
		n = strlen(c[i].path);
		if (!strncmp(path, c[i].path, n) && path[n] == '/')
			return i;
	}
	return nc;
}

/* Whether container i's files are as the manifest lists them (sizes); if
 * not, named on diag. */
static int container_same(const rt_unit_container *c, rt_diag *diag)
{
	struct stat st;
	size_t f;

	for (f = 0; f < c->nfiles; f++) {
		if (stat(c->files[f].path, &st) != 0) {
			rt_diag_error(diag, c->files[f].path,
			              "cannot open: %s (the manifest names it as "
			              "a file of '%s'; its hosts are not read)",
			              strerror(errno), c->path);
			return 0;
		}
		if ((uint64_t)st.st_size != c->files[f].size) {
			rt_diag_error(
			    diag, c->files[f].path,
			    "changed since the manifest was made "
			    "(%llu bytes, the manifest says %llu): its hosts are not read; run "
			    "'remtrail hosts' again",
			    (unsigned long long)st.st_size, (unsigned long long)c->files[f].size);
			return 0;
		}
	}
	return 1;
}

/* The artifact whose path is `path` among those of `ev` (and their logs). */
static const rt_artifact *find_artifact(const rt_evidence *ev, const char *path)
{
	size_t h, i, k;

	for (h = 0; ev && h < ev->nhosts; h++)
		for (i = 0; i < ev->hosts[h].nartifacts; i++) {
			const rt_artifact *a = &ev->hosts[h].artifacts[i];

			if (!strcmp(a->path, path))
				return a;
			for (k = 0; k < a->nlogs; k++)
				if (!strcmp(a->logs[k].path, path))
					return &a->logs[k];
		}
	return NULL;
}

/* Walk the unit's containers that are as the manifest lists them, quietly
 * (what the walk said about their insides is in the manifest already),
 * naming a container that cannot be read. 0, or -1 on OOM. */
static int rewalk_containers(const rt_unit_container *c, size_t nc, rt_evidence **inside,
			     unsigned char *ok, rt_diag *diag)
{
	rewalk w = { c, nc, NULL, 0 };
	const char **paths = calloc(nc + 1, sizeof *paths);
	rt_evidence_opts o;
	rt_diag quiet;
	size_t i, n = 0;
	int rc = -1;

	if (!paths || !(w.why = calloc(nc + 1, sizeof *w.why)))
		goto out;
	for (i = 0; i < nc; i++)
		if ((ok[i] = (unsigned char)container_same(&c[i], diag)))
			paths[n++] = c[i].path;
	rc = 0;
	if (!n)
		goto out;
	/* named by their folders (no namer): the manifest names the host */
	rt_pipeline_evidence_opts(&o, 1);
	o.name_from_system = NULL;
	o.name_from_evtx = NULL;
	rt_diag_init(&quiet, rewalk_note, &w);
	/* one walk at a time: rt_evidence_collect is made to be called from
	 * one thread (what the walk opens is then read side by side) */
	pthread_mutex_lock(&rewalk_lock);
	rc = rt_evidence_collect(paths, n, &o, inside, &quiet);
	pthread_mutex_unlock(&rewalk_lock);
	rt_diag_release(&quiet);
	for (i = 0; i < nc; i++)
		if (w.why[i]) {
			rt_diag_error(diag, c[i].path, "%s", w.why[i]);
			ok[i] = 0;
		}
	if (w.oom)
		rc = -1;
out:
	for (i = 0; w.why && i < nc; i++)
		free(w.why[i]);
	free(w.why);
	free(paths);
	return rc;
}

/* Whether the artifact found by walking the container again is the one the
 * manifest describes: same size, and where the manifest says it lies (an
 * older manifest gives its logs no origin: their size is compared). */
static int same_place(const rt_artifact *m, const rt_artifact *found)
{
	const rt_origin *a = &m->origin, *b = &found->origin;

	if (m->size != found->size && (m->size || m->kind != RT_ART_HIVE_LOG))
		return 0;
	if (!a->container)
		return 1;
	return a->partition == b->partition && a->partition_offset == b->partition_offset &&
	       a->shadow_copy == b->shadow_copy && a->shadow_copy_time == b->shadow_copy_time &&
	       a->mft_entry == b->mft_entry &&
	       !strcmp(a->inner_path ? a->inner_path : "", b->inner_path ? b->inner_path : "");
}

/* A file of a manifest's unit that cannot be opened: named here, once, with
 * the reason; the readers then count it as lost without a line of their
 * own. */
static void gone(rt_artifact *f, rt_diag *diag, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void gone(rt_artifact *f, rt_diag *diag, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	rt_diag_error(diag, f->path, "%s", why);
	f->gone_named = 1;
}

int pl_manifest_open(rt_host *h, const rt_unit_container *c, size_t nc, rt_evidence **inside,
		     rt_diag *diag)
{
	size_t i, k, j;
	unsigned char *ok;
	int walk = 0;

	*inside = NULL;
	for (i = 0; i < h->nartifacts; i++)
		for (k = 0; k <= h->artifacts[i].nlogs; k++) {
			rt_artifact *f = k < h->artifacts[i].nlogs ? &h->artifacts[i].logs[k]
								   : &h->artifacts[i];

			if (f->src || !f->path)
				continue;
			if (f->origin.container || pl_container_of(f->path, c, nc) < nc)
				walk = 1;
			else if (rt_source_open_path(f->path, &f->src) == 0)
				f->by_path = 1;
			else
				gone(f, diag, "cannot open: %s (a manifest names it by path)",
				     strerror(errno));
		}
	if (!walk || !nc)
		return 0;
	if (!(ok = calloc(nc, 1)) || rewalk_containers(c, nc, inside, ok, diag)) {
		free(ok);
		return -1;
	}
	for (i = 0; i < h->nartifacts; i++)
		for (k = 0; k <= h->artifacts[i].nlogs; k++) {
			rt_artifact *f = k < h->artifacts[i].nlogs ? &h->artifacts[i].logs[k]
								   : &h->artifacts[i];
			const rt_artifact *found;

			if (f->src ||
			    (!f->origin.container && pl_container_of(f->path, c, nc) == nc))
				continue;
			if ((found = find_artifact(*inside, f->path)) && found->src) {
				if (!same_place(f, found)) {
					gone(f, diag,
					     "cannot open: changed since the manifest "
					     "was made (its size or where it lies in the "
					     "image); run 'remtrail hosts' again");
					continue;
				}
				f->src = rt_source_ref(found->src);
				f->by_path = 1;
				continue;
			}
			/* a container not read was named already */
			if ((j = pl_container_of(f->path, c, nc)) < nc && ok[j])
				gone(f, diag,
				     "cannot open: not in '%s' any more (the "
				     "image or archive changed since the manifest was made; run "
				     "'remtrail hosts' again)",
				     c[j].path);
			else
				f->gone_named = 1;
		}
	free(ok);
	return 0;
}

void pl_manifest_close(rt_host *h, rt_evidence **inside)
{
	size_t i, k;

	for (i = 0; i < h->nartifacts; i++) {
		rt_artifact *a = &h->artifacts[i];

		for (k = 0; k <= a->nlogs; k++) {
			rt_artifact *f = k < a->nlogs ? &a->logs[k] : a;

			if (f->by_path) {
				rt_source_unref(&f->src);
				f->by_path = 0;
			}
		}
	}
	rt_evidence_free(inside);
}

/* Whether some file of host `h` lies in container `ct` (its path begins
 * with the container's and a '/'). */
static int holds(const rt_host *h, const rt_container *ct)
{
	size_t i, k, n = strlen(ct->path);

	for (i = 0; i < h->nartifacts; i++)
		for (k = 0; k <= h->artifacts[i].nlogs; k++) {
			const char *p = k < h->artifacts[i].nlogs ? h->artifacts[i].logs[k].path
								  : h->artifacts[i].path;

			if (!strncmp(p, ct->path, n) && p[n] == '/')
				return 1;
		}
	return 0;
}

static int cmp_input_path(const void *a, const void *b)
{
	return strcmp(((const rt_input *)a)->path, ((const rt_input *)b)->path);
}

/* The files of every image and archive the unit's files lie in (a VHDX
 * and the ZIP holding it), by path, with their sizes and SHA-256, for
 * unit.json (rt_analysis.containers): from the sources of the walk `ev`
 * that opened them (the case's, or the unit's own walk of its containers). */
static int hash_containers(rt_analysis *a, const rt_unit *un, const rt_evidence *ev,
			   rt_diag *diag)
{
	pl_inputs l = { NULL, 0, 0 };
	size_t c, f;
	int rc = -1;

	for (c = 0; ev && c < ev->ncontainers; c++) {
		const rt_container *ct = &ev->containers[c];

		if (!holds(un->host, ct))
			continue;
		for (f = 0; f < ct->nfiles; f++) {
			rt_input *in = pl_input_add(&l, ct->files[f].path, ct->files[f].size, NULL,
			                            NULL, NULL, 0);

			if (!in || pl_input_hash(in, &ct->files[f], diag))
				goto out;
		}
	}
	if (l.n > 1)
		qsort(l.v, l.n, sizeof *l.v, cmp_input_path);
	rc = 0;
out:
	a->containers = l.v;
	a->ncontainers = l.n;
	return rc;
}

int rt_unit_analyse(const rt_units *u, size_t k, const rt_analysis_opts *opts, rt_analysis **out,
		    rt_diag *diag)
{
	const rt_unit *un = &u->units[k];
	rt_evidence one, *inside = NULL;
	rt_analysis *a = NULL;
	rt_assess_opts ao;
	rt_buf mgmt_hosts = RT_BUF_INIT;
	adapt_host ah;
	pl_recorder rec;
	pl_inputs in = { NULL, 0, 0 };
	rt_diag rd;
	const char *const *roots = (const char *const *)un->paths;
	int rc = -1, r;

	*out = NULL;
	pl_recorder_init(&rec, diag, &rd);
	memset(&one, 0, sizeof one);
	one.hosts = (rt_host *)un->host;
	one.nhosts = 1;
	one.nartifacts = un->host->nartifacts;
	if (u->ev) { /* for the origins of files read inside images */
		one.containers = u->ev->containers;
		one.ncontainers = u->ev->ncontainers;
	}
	if (pl_manifest_open((rt_host *)un->host, un->containers, un->ncontainers, &inside, &rd) ||
	    !(a = calloc(1, sizeof *a)) || !(a->hosts = calloc(1, sizeof *a->hosts)))
		goto done;
	a->nhosts = 1;
	if (list_inputs(&in, &one, roots, un->npaths))
		goto done;
	a->inputs = in.v;
	a->ninputs = in.n;
	memset(&ao, 0, sizeof ao);
	ao.mgmt_scope = opts ? opts->mgmt_scope : NULL;
	if (adapt_begin(a, &one, opts, &rd) || adapt_mgmt_hosts(a, &mgmt_hosts))
		goto done;
	ao.mgmt_hosts = opts && opts->mgmt_hosts ? opts->mgmt_hosts
		      : mgmt_hosts.len	       ? mgmt_hosts.buf
					       : NULL;
	if (describe_host(a, &one, 0) || ensure_pairing(&a->hosts[0]) ||
	    (opts && window(&a->hosts[0].findings, a->hosts[0].pairing, opts->from, opts->to)) ||
	    adapt_host_build(a, &one, 0, &ah, &rd))
		goto done;
	r = rt_assess_host(&ah.in, &ao, &a->hosts[0].verdicts);
	adapt_host_release(&ah);
	if (r || host_configuration(a, 0) || !(a->hosts[0].dir = rt_strdup0(un->dir)))
		goto done;
	if ((!opts || opts->hash_inputs) &&
	    (hash_inputs(&in, &one, &rd) || hash_containers(a, un, inside ? inside : u->ev, &rd)))
		goto done;
	if (rec.oom || settle_inputs(a, &rec, &in, un->host->name, roots, un->npaths))
		goto done;
	a->inputs = in.v;
	a->ninputs = in.n;
	if (!(a->hosts[0].inputs = calloc(a->ninputs + 1, sizeof *a->hosts[0].inputs)))
		goto done;
	for (k = 0; k < a->ninputs; k++)
		a->hosts[0].inputs[a->hosts[0].ninputs++] = k;
	adapt_free(a);
	rc = 0;
done:
	pl_manifest_close((rt_host *)un->host, &inside);
	rt_buf_release(&mgmt_hosts);
	pl_recorder_release(&rec, &rd);
	if (a) {
		a->inputs = in.v;
		a->ninputs = in.n;
	}
	if (rc)
		rt_analysis_free(&a);
	*out = a;
	return rc;
}

/* The units of rt_analysis_run, analysed side by side into parts[k]. */
typedef struct run_ctx {
	const rt_analysis_opts *opts; /* the caller's (progress) */
	rt_analysis_opts unit;        /* each unit's, but threads and progress */
	rt_analysis **parts;
	rt_diag *diag;
	size_t done;
	int alone; /* one unit at a time: its own progress can be shown */
	pthread_mutex_t lock;
} run_ctx;

static int run_unit(void *ctx, const rt_units *u, size_t k, unsigned threads)
{
	run_ctx *c = ctx;
	rt_analysis_opts o = c->unit;
	int rc;

	o.threads = (int)threads;
	if (!c->alone)
		o.progress = NULL;
	rc = rt_unit_analyse(u, k, &o, &c->parts[k], c->diag);
	pthread_mutex_lock(&c->lock);
	c->done++;
	if (c->opts && c->opts->progress)
		c->opts->progress(c->opts->progress_ctx, "hosts analysed", c->done, u->n);
	pthread_mutex_unlock(&c->lock);
	return rc;
}

int rt_analysis_run(const char *const *paths, size_t npaths, const rt_analysis_opts *opts,
		    rt_analysis **out, rt_diag *diag)
{
	rt_units *u = NULL;
	run_ctx c;
	rt_buf mgmt = RT_BUF_INIT;
	unsigned jobs = opts && opts->threads > 0 ? (unsigned)opts->threads : 1;
	size_t k;
	int rc = -1;

	*out = NULL;
	memset(&c, 0, sizeof c);
	pthread_mutex_init(&c.lock, NULL);
	if (rt_units_collect(paths, npaths, &u, diag) || !u->n)
		goto done;
	if (opts)
		c.unit = *opts;
	else
		c.unit.hash_inputs = 1;
	if (!c.unit.mgmt_hosts) {
		if (rt_units_mgmt_hosts(u, &mgmt) || rt_buf_addch(&mgmt, '\0'))
			goto done;
		c.unit.mgmt_hosts = mgmt.buf;
	}
	if (c.unit.hash_inputs)
		rt_units_hash_start(u);
	if (!(c.parts = calloc(u->n, sizeof *c.parts)))
		goto done;
	c.opts = opts;
	c.diag = diag;
	c.alone = jobs == 1 || u->n == 1;
	if (opts && opts->progress)
		opts->progress(opts->progress_ctx, "hosts analysed", 0, u->n);
	if (rt_units_each(u, NULL, jobs, run_unit, &c))
		goto done;
	if (c.unit.hash_inputs && rt_units_hash_finish(u, diag))
		goto done;
	rc = rt_case_join(c.parts, u->n, u->skipped, u->nskipped, out);
done:
	for (k = 0; u && c.parts && k < u->n; k++)
		rt_analysis_free(&c.parts[k]);
	free(c.parts);
	pthread_mutex_destroy(&c.lock);
	rt_units_free(&u);
	rt_buf_release(&mgmt);
	return rc;
}

void rt_analysis_free(rt_analysis **ap)
{
	rt_analysis *a;
	size_t i;

	if (!ap || !*ap)
		return;
	a = *ap;
	for (i = 0; i < a->nhosts; i++) {
		rt_analysis_host *h = &a->hosts[i];

		rt_assess_result_free(&h->verdicts);
		rt_findings_release(&h->findings);
		free(h->name);
		free(h->dir);
		free(h->name_source);
		free(h->full_name);
		free(h->time_zone);
		free(h->configuration_json);
		free(h->configuration_at.path);
		free(h->inputs);
		rt_pair_hosts_free(h->pairing, h->pairing ? 1 : 0);
	}
	free(a->hosts);
	for (i = 0; i < a->ninputs; i++)
		pl_input_release(&a->inputs[i]);
	free(a->inputs);
	for (i = 0; i < a->ncontainers; i++)
		pl_input_release(&a->containers[i]);
	free(a->containers);
	rt_findings_release(&a->findings);
	rt_moves_free(a->moves, a->nmoves);
	adapt_free(a);
	pl_keep_free(a);
	free(a);
	*ap = NULL;
}

/* ---------------------------------------------------------------- config */

int rt_pipeline_config(const rt_evidence *ev, const rt_evtx_opts *o, rt_config **out,
		       rt_diag *diag)
{
	rt_findings f = RT_FINDINGS_INIT;
	size_t i;
	int r;

	*out = NULL;
	if (rt_config_from_evidence(ev, out, diag) || !*out)
		return -1;
	r = rt_detect_evidence(ev, o, &f, diag);
	for (i = 0; r >= 0 && i < f.nchanges; i++) {
		const rt_change *c = &f.changes[i];
		rt_cfg_event e = { c->host, c->name, c->value, c->timestamp, c->source_file,
				   c->record_id, c->event_id };

		if (rt_config_add_event(*out, &e))
			r = -1;
	}
	rt_findings_release(&f);
	if (r < 0) {
		rt_config_free(out);
		return -1;
	}
	return 0;
}
