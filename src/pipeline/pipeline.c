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
 * that names no artifact (an image or archive that cannot be read, a log without
 * its hive) becomes an input of its own, "skipped" or "unreadable".
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "adapt.h"
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

typedef struct note {
	rt_diag_level level;
	char *subject; /* escaped, as the sink got it */
	char *message;
	int used;      /* attached to an input */
} note;

typedef struct recorder {
	rt_diag *up;
	note *v;
	size_t n, alloc;
	int oom;
} recorder;

/* Runs under the recording diag's lock. */
static void record(void *ctx, rt_diag_level level, const char *subject, const char *message)
{
	recorder *r = ctx;

	rt_diag_forward(r->up, level, subject, message);
	if (r->n == r->alloc) {
		size_t na = r->alloc ? r->alloc * 2 : 64;
		note *p = realloc(r->v, na * sizeof *p);

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

static void recorder_release(recorder *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->v[i].subject);
		free(r->v[i].message);
	}
	free(r->v);
}

/* ------------------------------------------------------------------ inputs */

static int input_cmp(const void *a, const void *b)
{
	const rt_input *x = a, *y = b;
	return strcmp(x->path, y->path);
}

/* The PATH argument `path` was found under, and the path below it. */
static void place(const char *path, const char *const *roots, size_t nroots, const char **root,
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

static rt_input *add_input(rt_analysis *a, size_t *alloc, const char *path, uint64_t size,
			   const char *host, const char *kind, const char *const *roots,
			   size_t nroots)
{
	rt_input *in;
	const char *root, *rel;

	if (a->ninputs == *alloc) {
		size_t na = *alloc ? *alloc * 2 : 16;
		rt_input *p = realloc(a->inputs, na * sizeof *p);
		if (!p)
			return NULL;
		a->inputs = p;
		*alloc = na;
	}
	in = &a->inputs[a->ninputs++];
	memset(in, 0, sizeof *in);
	place(path, roots, nroots, &root, &rel);
	in->path = rt_strdup0(path);
	in->root = rt_strdup0(root);
	in->rel = rt_strdup0(rel);
	in->host = rt_strdup0(host);
	in->kind = rt_strdup0(kind);
	in->size = size;
	return in->path && in->root && in->rel && (!host || in->host) && (!kind || in->kind) ? in
											    : NULL;
}

/*
 * Images and archives are read where their artifacts lie, not from start to
 * end, so their own SHA-256 takes reading what the readers skip: a thread
 * of its own does it while the hosts are analysed (the sources hash what
 * the readers read on the way, and rt_source_sha256 reads only the rest).
 */
typedef struct hasher {
	pthread_t thread;
	int running;
	const rt_evidence *ev;
} hasher;

static void *hash_containers(void *p)
{
	const hasher *hs = p;
	size_t c, k;
	char hex[65];

	for (c = 0; c < hs->ev->ncontainers; c++)
		for (k = 0; k < hs->ev->containers[c].nfiles; k++)
			rt_source_sha256(hs->ev->containers[c].files[k].src, hex); /* kept; errors named later */
	return NULL;
}

static void hasher_start(hasher *hs, const rt_evidence *ev, int hash)
{
	hs->ev = ev;
	hs->running = hash && ev->ncontainers &&
		      pthread_create(&hs->thread, NULL, hash_containers, hs) == 0;
}

static void hasher_join(hasher *hs)
{
	if (hs->running)
		pthread_join(hs->thread, NULL);
	hs->running = 0;
}

/* The one host whose artifacts container `c` (1-based) holds, or NULL
 * (none, or several: a case ZIP); *held: it holds some. */
static const char *container_host(const rt_evidence *ev, size_t c, int *held)
{
	const char *host = NULL;
	size_t h, i;

	*held = 0;
	for (h = 0; h < ev->nhosts; h++)
		for (i = 0; i < ev->hosts[h].nartifacts; i++) {
			if (ev->hosts[h].artifacts[i].origin.container != c)
				continue;
			if (*held && host != ev->hosts[h].name)
				return NULL;
			host = ev->hosts[h].name;
			*held = 1;
		}
	return host;
}

/* Where an artifact read inside an image or archive came from. */
static int set_origin(rt_input *in, const rt_evidence *ev, const rt_artifact *art)
{
	if (!art->origin.container || art->origin.container > ev->ncontainers)
		return 0;
	in->origin = art->origin;
	in->origin.inner_path = rt_strdup0(art->origin.inner_path);
	in->container = rt_strdup0(ev->containers[art->origin.container - 1].path);
	return in->container && (!art->origin.inner_path || in->origin.inner_path) ? 0 : -1;
}

/* The SHA-256 of an artifact's bytes: what the readers read is hashed
 * already, this reads only the rest (no second pass over the evidence). */
static int hash_input(rt_input *in, const rt_artifact *art, rt_diag *diag)
{
	char hex[65];

	if (rt_source_sha256(art->src, hex)) {
		char why[256];

		rt_diag_error(diag, art->path, "cannot read to hash: %s",
			      *rt_source_error(art->src, why, sizeof(why)) ? why : strerror(errno));
		return 0;
	}
	return (in->sha256 = rt_strdup0(hex)) ? 0 : -1;
}

/* Every artifact and hive log, hashed (when asked) once the readers are
 * done with them. */
static int list_inputs(rt_analysis *a, size_t *alloc, const rt_evidence *ev,
		       const char *const *roots, size_t nroots, const rt_analysis_opts *o,
		       rt_diag *diag)
{
	size_t h, i, k, done = 0;
	int hash = !o || o->hash_inputs;
	char kind[160];
	rt_input *in;

	for (h = 0; h < ev->nhosts; h++)
		for (i = 0; i < ev->hosts[h].nartifacts; i++) {
			const rt_artifact *art = &ev->hosts[h].artifacts[i];
			if (o && o->progress && hash)
				o->progress(o->progress_ctx, "inputs hashed", done++, ev->nartifacts);
			if (art->kind == RT_ART_EVTX)
				snprintf(kind, sizeof kind, "evtx%s", art->is_backup ? " (backup)" : "");
			else
				snprintf(kind, sizeof kind, "hive:%s%s", rt_hive_kind_name(art->hive_kind),
					 art->is_backup ? " (backup)" : "");
			if (!(in = add_input(a, alloc, art->path, art->size, ev->hosts[h].name, kind,
					     roots, nroots)) ||
			    set_origin(in, ev, art) || (hash && hash_input(in, art, diag)))
				return -1;
			for (k = 0; k < art->nlogs; k++)
				if (!(in = add_input(a, alloc, art->logs[k].path, art->logs[k].size,
						     ev->hosts[h].name, "hive log", roots, nroots)) ||
				    set_origin(in, ev, &art->logs[k]) ||
				    (hash && hash_input(in, &art->logs[k], diag)))
					return -1;
		}
	for (h = 0; h < ev->ncontainers; h++) {
		const rt_container *ct = &ev->containers[h];
		int held;
		const char *host = container_host(ev, h + 1, &held);

		for (k = 0; k < ct->nfiles; k++) {
			if (ct->nfiles > 1)
				snprintf(kind, sizeof kind, "%s (%s), file %zu of %zu",
					 ct->archive ? "archive" : "disk image", ct->kind, k + 1, ct->nfiles);
			else
				snprintf(kind, sizeof kind, "%s (%s)", ct->archive ? "archive" : "disk image",
					 ct->kind);
			if (!(in = add_input(a, alloc, ct->files[k].path, ct->files[k].size, host, kind,
					     roots, nroots)) ||
			    set_origin(in, ev, &ct->files[k]) ||
			    (hash && hash_input(in, &ct->files[k], diag)))
				return -1;
			/* opened, nothing in it analysed (no NTFS volume): its
			 * notes say why */
			if (!held)
				in->state = RT_INPUT_SKIPPED;
		}
	}
	if (o && o->progress && hash)
		o->progress(o->progress_ctx, "inputs hashed", ev->nartifacts, ev->nartifacts);
	return 0;
}

static int add_note(rt_input *in, const char *text)
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

/* Whether an input was read inside the image or archive at `path`. */
static int holds_inputs(const rt_analysis *a, const char *path)
{
	size_t i;

	for (i = 0; i < a->ninputs; i++)
		if (a->inputs[i].container && !strcmp(a->inputs[i].container, path))
			return 1;
	return 0;
}

/* Notes to their inputs, errors first; then each input's state. */
static int settle_inputs(rt_analysis *a, recorder *r, size_t *alloc, const char *const *roots,
			 size_t nroots)
{
	const rt_config *cfg = adapt_config(a);
	rt_buf esc = RT_BUF_INIT;
	size_t i, k, n0 = a->ninputs;
	int pass, rc = -1;

	for (i = 0; i < n0; i++) {
		rt_input *in = &a->inputs[i];
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
				if (add_note(in, r->v[k].message))
					goto out;
			}
		if (!strncmp(in->kind, "evtx", 4))
			in->records = adapt_records(a, host_index(a, in->host), in->path);
		if (!strncmp(in->kind, "hive:", 5) && !in_config(cfg, in->path)) {
			if (errors)
				in->state = RT_INPUT_UNREADABLE;
			else if (add_note(in, "not used: remtrail reads the SYSTEM, SOFTWARE and "
					      "NTUSER hives"))
				goto out;
			else
				in->state = RT_INPUT_SKIPPED;
		} else if (errors) {
			int some = !strncmp(in->kind, "evtx", 4) ? in->records > 0
				   : !strncmp(in->kind, "hive:", 5) ? 1
								      : holds_inputs(a, in->path);
			in->state = some ? RT_INPUT_PARTLY : RT_INPUT_UNREADABLE;
		}
	}
	/* what the walk found and left, or could not open */
	for (k = 0; k < r->n; k++) {
		rt_input *in;
		size_t j;

		if (r->v[k].used || !*r->v[k].subject)
			continue;
		rt_buf_reset(&esc);
		if (rt_path_unescape(&esc, r->v[k].subject, strlen(r->v[k].subject)))
			goto out;
		for (j = n0; j < a->ninputs && strcmp(a->inputs[j].path, esc.buf); j++)
			;
		if (j < a->ninputs) {
			in = &a->inputs[j];
		} else {
			if (!(in = add_input(a, alloc, esc.buf, 0, NULL, NULL, roots, nroots)))
				goto out;
			in->state = RT_INPUT_SKIPPED;
		}
		if (r->v[k].level == RT_DIAG_ERROR)
			in->state = RT_INPUT_UNREADABLE;
		if (add_note(in, r->v[k].message))
			goto out;
	}
	if (a->ninputs)
		qsort(a->inputs, a->ninputs, sizeof *a->inputs, input_cmp);
	rc = 0;
out:
	rt_buf_release(&esc);
	return rc;
}

/* ------------------------------------------------------------------- hosts */

/* Keep the findings inside [from, to] (0: open); links to a finding left
 * out are cut. */
static int window(rt_findings *f, uint64_t from, uint64_t to)
{
	rt_findings out = RT_FINDINGS_INIT, gone = RT_FINDINGS_INIT;
	size_t *pos, i;

	if ((!from && !to) || !f->n)
		return 0;
	if (!(pos = malloc(f->n * sizeof *pos)))
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

/* Time zone, configuration, folder name of host h. */
static int describe_host(rt_analysis *a, const rt_evidence *ev, size_t h)
{
	rt_analysis_host *ah = &a->hosts[h];
	const rt_config *cfg = adapt_config(a);
	const rt_cfg_host *ch = NULL;
	rt_buf b = RT_BUF_INIT;
	const char *v;
	size_t i;
	int rc = -1;

	ah->name = rt_strdup0(ev->hosts[h].name);
	ah->name_source = rt_strdup0(ev->hosts[h].name_source);
	ah->full_name = rt_strdup0(ev->hosts[h].full_name);
	if (!ah->name || !ah->name_source || (ev->hosts[h].full_name && !ah->full_name))
		goto out;
	for (i = 0; cfg && i < cfg->nhosts; i++)
		if (!strcmp(cfg->hosts[i].name, ah->name))
			ch = &cfg->hosts[i];
	{
		rt_config one = { (rt_cfg_host *)ch, ch ? 1 : 0 };

		if (rt_config_write_json(&one, &b))
			goto out;
		while (b.len && b.buf[b.len - 1] == '\n')
			rt_buf_truncate(&b, b.len - 1);
		if (!(ah->configuration_json = rt_buf_detach(&b, NULL)))
			goto out;
	}
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

/* Folder names of all hosts: rt_host_dirname, then "~N" where two would be
 * equal ignoring case (N in host order). */
static int name_folders(rt_analysis *a)
{
	rt_buf b = RT_BUF_INIT;
	size_t h, k, base;
	unsigned n;

	for (h = 0; h < a->nhosts; h++) {
		rt_buf_reset(&b);
		if (rt_host_dirname(&b, a->hosts[h].name))
			goto oom;
		base = b.len;
		for (n = 2, k = 0; k < h; k++) {
			if (!rt_strcaseeq(a->hosts[k].dir, b.buf))
				continue;
			rt_buf_truncate(&b, base);
			if (rt_buf_addf(&b, "~%u", n++))
				goto oom;
			k = (size_t)-1; /* look again from the first host */
		}
		if (!(a->hosts[h].dir = rt_buf_detach(&b, NULL)))
			goto oom;
	}
	return 0;
oom:
	rt_buf_release(&b);
	return -1;
}

int rt_analysis_run(const char *const *paths, size_t npaths, const rt_analysis_opts *opts,
		    rt_analysis **out, rt_diag *diag)
{
	rt_evidence *ev = NULL;
	rt_analysis *a;
	rt_assess_opts ao;
	rt_buf mgmt_hosts = RT_BUF_INIT;
	recorder rec;
	hasher hs = {0};
	rt_diag rd;
	const char **names = NULL;
	size_t h, alloc = 0;
	int rc = -1;

	*out = NULL;
	memset(&rec, 0, sizeof rec);
	rec.up = diag;
	rt_diag_init(&rd, record, &rec);
	if (!(a = calloc(1, sizeof *a)))
		goto done;
	if (rt_pipeline_collect(paths, npaths, !opts || opts->hash_inputs, &ev, &rd) || !ev)
		goto done;
	if (!ev->nhosts)
		goto done;
	hasher_start(&hs, ev, !opts || opts->hash_inputs);
	if (!(a->hosts = calloc(ev->nhosts, sizeof *a->hosts)))
		goto done;
	a->nhosts = ev->nhosts;
	memset(&ao, 0, sizeof ao);
	ao.mgmt_scope = opts ? opts->mgmt_scope : NULL;
	if (adapt_begin(a, ev, opts, &rd) || adapt_mgmt_hosts(a, &mgmt_hosts))
		goto done;
	ao.mgmt_hosts = mgmt_hosts.len ? mgmt_hosts.buf : NULL;
	if (opts && window(&a->findings, opts->from, opts->to))
		goto done;
	for (h = 0; h < ev->nhosts; h++) {
		adapt_host ah;
		int r;

		if (opts && opts->progress)
			opts->progress(opts->progress_ctx, "hosts analysed", h, ev->nhosts);
		if ((opts && window(&a->hosts[h].findings, opts->from, opts->to)) ||
		    rt_findings_sort(&a->hosts[h].findings) ||
		    adapt_host_build(a, ev, h, &ah, &rd))
			goto done;
		r = rt_assess_host(&ah.in, &ao, &a->hosts[h].verdicts);
		adapt_host_release(&ah);
		if (r || describe_host(a, ev, h))
			goto done;
	}
	if (opts && opts->progress)
		opts->progress(opts->progress_ctx, "hosts analysed", ev->nhosts, ev->nhosts);
	if (name_folders(a))
		goto done;
	if (!(names = calloc(a->nhosts, sizeof *names)))
		goto done;
	for (h = 0; h < a->nhosts; h++)
		names[h] = a->hosts[h].name;
	if (rt_moves_build(&a->findings, names, a->nhosts, &a->moves, &a->nmoves))
		goto done;
	hasher_join(&hs);
	if (list_inputs(a, &alloc, ev, paths, npaths, opts, &rd) || rec.oom ||
	    settle_inputs(a, &rec, &alloc, paths, npaths))
		goto done;
	for (h = 0; h < a->nhosts; h++) {
		rt_analysis_host *ah = &a->hosts[h];
		size_t i;

		if (!(ah->inputs = calloc(a->ninputs + 1, sizeof *ah->inputs)))
			goto done;
		for (i = 0; i < a->ninputs; i++)
			if (a->inputs[i].host && !strcmp(a->inputs[i].host, ah->name))
				ah->inputs[ah->ninputs++] = i;
	}
	rc = 0;
done:
	hasher_join(&hs);
	free(names);
	rt_buf_release(&mgmt_hosts);
	rt_evidence_free(&ev);
	rt_diag_release(&rd);
	recorder_release(&rec);
	if (rc)
		rt_analysis_free(&a);
	*out = a;
	return rc;
}

void rt_analysis_free(rt_analysis **ap)
{
	rt_analysis *a;
	size_t i, k;

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
		free(h->inputs);
	}
	free(a->hosts);
	for (i = 0; i < a->ninputs; i++) {
		rt_input *in = &a->inputs[i];

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
	}
	free(a->inputs);
	rt_findings_release(&a->findings);
	rt_moves_free(a->moves, a->nmoves);
	adapt_free(a);
	free(a->configuration_json);
	free(a);
	*ap = NULL;
}
