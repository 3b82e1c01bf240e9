/* Reader choice and reading a whole evidence set; see evtx.h. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "evtx_int.h"
#include "native.h"

int rt_reader_parse(const char *s, rt_reader *out)
{
	if (!s)
		return -1;
	if (!strcmp(s, "auto"))
		*out = RT_READER_AUTO;
	else if (!strcmp(s, "libevtx"))
		*out = RT_READER_LIBEVTX;
	else if (!strcmp(s, "native"))
		*out = RT_READER_NATIVE;
	else
		return -1;
	return 0;
}

static int native_one(rt_source *src, const rt_evtx_opts *o, rt_event_cb cb, void *ctx,
		      rt_diag *diag)
{
	rt_native_file f = { src, o->display, o->host, src ? rt_source_size(src) : 0 };
	rt_native_job job;

	memset(&job, 0, sizeof job);
	job.files = &f;
	job.nfiles = 1;
	job.threads = o->threads;
	job.fallback = o->reader == RT_READER_AUTO;
	job.cb = cb;
	job.ctx = ctx;
	job.diag = diag;
	return rt_native_read_files(&job);
}

/*
 * libevtx reads the whole file, unless the file holds what makes libevtx
 * read out of bounds (binxml.h, rt_bx_libevtx_hazard): then the native
 * reader does, which skips just that chunk.
 */
static int libevtx_file(rt_source *src, const rt_evtx_opts *o, rt_event_cb cb, void *ctx,
			rt_diag *diag)
{
	char why[256];
	rt_evtx_opts n;

	if (!rt_native_libevtx_hazard(src, why, sizeof why))
		return rt_evtx_read_libevtx(src, o, cb, ctx, diag);
	rt_diag_error(diag, o->display ? o->display : rt_source_name(src),
		      "libevtx would read out of bounds on this file (%s): read with the native "
		      "reader instead%s", why, o->recovered ? ", without recovered records" : "");
	n = *o;
	n.reader = RT_READER_AUTO;
	n.recovered = 0;
	return native_one(src, &n, cb, ctx, diag);
}

/* The native reader, unless asked for libevtx or for recovered records
 * (libevtx's business). */
static int use_native(const rt_evtx_opts *o)
{
	return o->reader == RT_READER_NATIVE || (o->reader == RT_READER_AUTO && !o->recovered);
}

int rt_evtx_read_source(rt_source *src, const rt_evtx_opts *opts, rt_event_cb cb, void *ctx,
			rt_diag *diag)
{
	static const rt_evtx_opts defaults;
	const rt_evtx_opts *o = opts ? opts : &defaults;

	if (use_native(o))
		return native_one(src, o, cb, ctx, diag);
	return libevtx_file(src, o, cb, ctx, diag);
}

int rt_evtx_read(const char *path, const rt_evtx_opts *opts, rt_event_cb cb, void *ctx,
		 rt_diag *diag)
{
	rt_source *src = NULL;
	int r;

	if (rt_source_open_path(path, &src) != 0) {
		rt_diag_error(diag, opts && opts->display ? opts->display : path, "cannot open: %s",
			      rt_source_open_error(errno));
		return -1;
	}
	r = rt_evtx_read_source(src, opts, cb, ctx, diag);
	rt_source_unref(&src);
	return r;
}

typedef struct stop_watch {
	rt_event_cb cb;
	void *ctx;
	const rt_evtx_sink *sink;
	rt_buf text;
	int stopped;
} stop_watch;

static int watch(void *ctx, const rt_event *ev)
{
	stop_watch *w = ctx;

	if (w->sink) {
		rt_buf_reset(&w->text);
		if (w->sink->format(w->sink->ctx, ev, &w->text) ||
		    w->sink->write(w->sink->ctx, w->text.buf, w->text.len, 1))
			w->stopped = 1;
	} else if (w->cb(w->ctx, ev)) {
		w->stopped = 1;
	}
	return w->stopped;
}

/* Every EVTX artifact of the evidence as one native job. */
static int read_native(const rt_evidence *ev, const rt_evtx_opts *o, rt_event_cb cb,
		       void *ctx, const rt_evtx_sink *sink, rt_diag *d)
{
	rt_native_file *files;
	rt_native_job job;
	size_t h, a, n = 0;
	int r;

	for (h = 0; h < ev->nhosts; h++)
		for (a = 0; a < ev->hosts[h].nartifacts; a++)
			n += ev->hosts[h].artifacts[a].kind == RT_ART_EVTX;
	if (!n)
		return 0;
	files = calloc(n, sizeof *files);
	if (!files) {
		rt_diag_error(d, "remtrail", "out of memory");
		return 1;
	}
	n = 0;
	for (h = 0; h < ev->nhosts; h++)
		for (a = 0; a < ev->hosts[h].nartifacts; a++) {
			const rt_artifact *art = &ev->hosts[h].artifacts[a];

			if (art->kind != RT_ART_EVTX)
				continue;
			files[n].src = art->src;
			files[n].display = art->path;
			files[n].host = ev->hosts[h].name;
			files[n].size = art->size;
			n++;
		}
	memset(&job, 0, sizeof job);
	job.files = files;
	job.nfiles = n;
	job.threads = o->threads;
	job.fallback = o->reader == RT_READER_AUTO;
	job.cb = cb;
	job.ctx = ctx;
	job.sink = sink;
	job.diag = d;
	job.progress = o->progress;
	job.progress_ctx = o->progress_ctx;
	r = rt_native_read_files(&job);
	free(files);
	return r ? 1 : 0;
}

static int read_evidence(const rt_evidence *ev, const rt_evtx_opts *o, rt_event_cb cb,
			 void *ctx, const rt_evtx_sink *sink, rt_diag *d)
{
	rt_evtx_opts opts;
	stop_watch w;
	uint64_t done = 0, total = 0;
	size_t h, a;
	int ret = 0;

	if (o)
		opts = *o;
	else
		memset(&opts, 0, sizeof opts);
	if (!ev)
		return 0;
	if (use_native(&opts))
		return read_native(ev, &opts, cb, ctx, sink, d);
	/* libevtx: one file after another */
	memset(&w, 0, sizeof w);
	w.cb = cb;
	w.ctx = ctx;
	w.sink = sink;
	rt_buf_init(&w.text, 0);
	for (h = 0; h < ev->nhosts; h++)
		for (a = 0; a < ev->hosts[h].nartifacts; a++)
			if (ev->hosts[h].artifacts[a].kind == RT_ART_EVTX)
				total += ev->hosts[h].artifacts[a].size;
	for (h = 0; h < ev->nhosts && !w.stopped; h++) {
		const rt_host *host = &ev->hosts[h];

		for (a = 0; a < host->nartifacts && !w.stopped; a++) {
			const rt_artifact *art = &host->artifacts[a];

			if (art->kind != RT_ART_EVTX)
				continue;
			opts.host = host->name;
			opts.display = art->path;
			if (!art->src) {
				rt_diag_error(d, art->path, "cannot open: the artifact has no byte source");
				ret = 1;
			} else if (libevtx_file(art->src, &opts, watch, &w, d) != 0) {
				ret = 1;
			}
			done += art->size;
			if (opts.progress)
				opts.progress(opts.progress_ctx, done, total);
		}
	}
	rt_buf_release(&w.text);
	return ret;
}

int rt_evtx_read_evidence(const rt_evidence *ev, const rt_evtx_opts *o, rt_event_cb cb,
			  void *ctx, rt_diag *d)
{
	return read_evidence(ev, o, cb, ctx, NULL, d);
}

int rt_evtx_read_evidence_sink(const rt_evidence *ev, const rt_evtx_opts *o,
			       const rt_evtx_sink *sink, rt_diag *d)
{
	return read_evidence(ev, o, NULL, NULL, sink, d);
}
