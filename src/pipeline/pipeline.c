/*
 * The pipeline behind `assess` and `analyze`: evidence -> per host
 * configuration history and findings -> assessment, plus the SHA-256 of
 * every input. The config and detect modules are reached through the thin
 * adapter in adapt.c, which turns their structures into the assessor's
 * facts and findings.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "adapt.h"
#include "remtrail/evidence.h"
#include "remtrail/pipeline.h"

static int input_cmp(const void *a, const void *b)
{
	const rt_report_input *x = a, *y = b;
	return strcmp(x->path, y->path);
}

static int add_input(rt_analysis *a, size_t *alloc, const rt_artifact *art, const char *host,
		     const char *kind, int hash, rt_diag *diag)
{
	rt_report_input *in;
	char hex[65];

	if (a->ninputs == *alloc) {
		size_t na = *alloc ? *alloc * 2 : 16;
		rt_report_input *p = realloc(a->inputs, na * sizeof *p);
		if (!p)
			return -1;
		a->inputs = p;
		*alloc = na;
	}
	in = &a->inputs[a->ninputs];
	memset(in, 0, sizeof *in);
	in->path = rt_strdup0(art->path);
	in->host = rt_strdup0(host);
	in->kind = rt_strdup0(kind);
	in->size = art->size;
	a->ninputs++;
	if (!in->path || !in->host || !in->kind)
		return -1;
	if (!hash)
		return 0;
	/* what the readers read is hashed already: this reads only the rest */
	if (rt_source_sha256(art->src, hex)) {
		rt_diag_error(diag, art->path, "cannot read to hash: %s", strerror(errno));
		return 0;
	}
	return (in->sha256 = rt_strdup0(hex)) ? 0 : -1;
}

/* Every artifact and hive log, with its hash, sorted by path. */
static int list_inputs(rt_analysis *a, const rt_evidence *ev, const rt_analysis_opts *o,
		       rt_diag *diag)
{
	size_t h, i, k, alloc = 0, done = 0;
	int hash = !o || o->hash_inputs;
	char kind[64];

	for (h = 0; h < ev->nhosts; h++)
		for (i = 0; i < ev->hosts[h].nartifacts; i++) {
			const rt_artifact *art = &ev->hosts[h].artifacts[i];
			if (o && o->progress && hash)
				o->progress(o->progress_ctx, "inputs hashed", done++, ev->nartifacts);
			if (art->kind == RT_ART_EVTX)
				snprintf(kind, sizeof kind, "evtx");
			else
				snprintf(kind, sizeof kind, "hive:%s%s", rt_hive_kind_name(art->hive_kind),
					 art->is_backup ? " (backup)" : "");
			if (add_input(a, &alloc, art, ev->hosts[h].name, kind, hash, diag))
				return -1;
			for (k = 0; k < art->nlogs; k++)
				if (add_input(a, &alloc, &art->logs[k], ev->hosts[h].name, "hive log", hash,
					      diag))
					return -1;
		}
	if (o && o->progress && hash)
		o->progress(o->progress_ctx, "inputs hashed", ev->nartifacts, ev->nartifacts);
	if (a->ninputs)
		qsort(a->inputs, a->ninputs, sizeof *a->inputs, input_cmp);
	return 0;
}

int rt_analysis_run(const char *const *paths, size_t npaths, const rt_analysis_opts *opts,
		    rt_analysis **out, rt_diag *diag)
{
	rt_evidence *ev = NULL;
	rt_analysis *a;
	rt_assess_opts ao;
	size_t h;

	*out = NULL;
	if (!(a = calloc(1, sizeof *a)))
		return -1;
	if (rt_pipeline_collect(paths, npaths, !opts || opts->hash_inputs, &ev, diag) || !ev)
		goto fail;
	if (!ev->nhosts) {
		rt_evidence_free(&ev);
		rt_analysis_free(&a);
		return -1;
	}
	if (!(a->hosts = calloc(ev->nhosts, sizeof *a->hosts)))
		goto fail;
	memset(&ao, 0, sizeof ao);
	ao.mgmt_scope = opts ? opts->mgmt_scope : NULL;
	if (adapt_begin(a, ev, opts, diag))
		goto fail;
	for (h = 0; h < ev->nhosts; h++) {
		adapt_host ah;
		int r;

		if (opts && opts->progress)
			opts->progress(opts->progress_ctx, "hosts analysed", h, ev->nhosts);
		if (adapt_host_build(a, ev, h, &ah, diag))
			goto fail;
		r = rt_assess_host(&ah.in, &ao, &a->hosts[h]);
		adapt_host_release(&ah);
		if (r)
			goto fail;
		a->nhosts++;
	}
	if (opts && opts->progress)
		opts->progress(opts->progress_ctx, "hosts analysed", ev->nhosts, ev->nhosts);
	if (adapt_end(a, diag))
		goto fail;
	if (list_inputs(a, ev, opts, diag))
		goto fail;
	rt_evidence_free(&ev);
	*out = a;
	return 0;
fail:
	rt_evidence_free(&ev);
	rt_analysis_free(&a);
	return -1;
}

void rt_analysis_free(rt_analysis **ap)
{
	rt_analysis *a;
	size_t i;

	if (!ap || !*ap)
		return;
	a = *ap;
	for (i = 0; i < a->nhosts; i++)
		rt_assess_result_free(&a->hosts[i]);
	free(a->hosts);
	for (i = 0; i < a->ninputs; i++) {
		free((char *)a->inputs[i].path);
		free((char *)a->inputs[i].sha256);
		free((char *)a->inputs[i].host);
		free((char *)a->inputs[i].kind);
	}
	free(a->inputs);
	adapt_free(a);
	free(a->configuration_json);
	free(a->findings_json);
	free(a);
	*ap = NULL;
}
