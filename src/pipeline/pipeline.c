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
#include "remtrail/config.h"
#include "remtrail/detect.h"
#include "remtrail/evidence.h"
#include "remtrail/pipeline.h"

static int input_cmp(const void *a, const void *b)
{
	const rt_report_input *x = a, *y = b;
	return strcmp(x->path, y->path);
}

static int add_input(rt_analysis *a, size_t *alloc, const char *path, uint64_t size,
		     const char *host, const char *kind)
{
	rt_report_input *in;

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
	in->path = rt_strdup0(path);
	in->host = rt_strdup0(host);
	in->kind = rt_strdup0(kind);
	in->size = size;
	a->ninputs++;
	return in->path && in->host && in->kind ? 0 : -1;
}

static int list_inputs(rt_analysis *a, const rt_evidence *ev)
{
	size_t h, i, k, alloc = 0;
	char kind[64];

	for (h = 0; h < ev->nhosts; h++)
		for (i = 0; i < ev->hosts[h].nartifacts; i++) {
			const rt_artifact *art = &ev->hosts[h].artifacts[i];
			if (art->kind == RT_ART_EVTX)
				snprintf(kind, sizeof kind, "evtx");
			else
				snprintf(kind, sizeof kind, "hive:%s%s", rt_hive_kind_name(art->hive_kind),
					 art->is_backup ? " (backup)" : "");
			if (add_input(a, &alloc, art->path, art->size, ev->hosts[h].name, kind))
				return -1;
			for (k = 0; k < art->nlogs; k++)
				if (add_input(a, &alloc, art->logs[k], 0, ev->hosts[h].name, "hive log"))
					return -1;
		}
	if (a->ninputs)
		qsort(a->inputs, a->ninputs, sizeof *a->inputs, input_cmp);
	return 0;
}

static void hash_inputs(rt_analysis *a, const rt_analysis_opts *o, rt_diag *diag)
{
	size_t i;
	char hex[65];

	for (i = 0; i < a->ninputs; i++) {
		rt_report_input *in = &a->inputs[i];
		if (o && o->progress)
			o->progress(o->progress_ctx, "hashing inputs", i, a->ninputs);
		if (rt_sha256_file(in->path, hex, &in->size)) {
			rt_diag_error(diag, in->path, "cannot read to hash: %s", strerror(errno));
			continue;
		}
		in->sha256 = rt_strdup0(hex);
	}
	if (o && o->progress)
		o->progress(o->progress_ctx, "hashing inputs", a->ninputs, a->ninputs);
}

int rt_analysis_run(const char *const *paths, size_t npaths, const rt_analysis_opts *opts,
		    rt_analysis **out, rt_diag *diag)
{
	rt_evidence *ev = NULL;
	rt_analysis *a;
	rt_assess_opts ao;
	rt_buf mgmt_hosts = RT_BUF_INIT;
	size_t h;

	*out = NULL;
	if (!(a = calloc(1, sizeof *a)))
		return -1;
	if (rt_evidence_collect(paths, npaths, &ev, diag) || !ev)
		goto fail;
	if (!ev->nhosts) {
		rt_evidence_free(&ev);
		rt_analysis_free(&a);
		return -1;
	}
	if (list_inputs(a, ev))
		goto fail;
	if (!opts || opts->hash_inputs)
		hash_inputs(a, opts, diag);
	if (!(a->hosts = calloc(ev->nhosts, sizeof *a->hosts)))
		goto fail;
	memset(&ao, 0, sizeof ao);
	ao.mgmt_scope = opts ? opts->mgmt_scope : NULL;
	if (adapt_begin(a, ev, opts, diag) || adapt_mgmt_hosts(a, &mgmt_hosts))
		goto fail;
	ao.mgmt_hosts = mgmt_hosts.len ? mgmt_hosts.buf : NULL;
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
	rt_buf_release(&mgmt_hosts);
	rt_evidence_free(&ev);
	*out = a;
	return 0;
fail:
	rt_buf_release(&mgmt_hosts);
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
