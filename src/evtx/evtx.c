/* Reader choice and reading a whole evidence set; see evtx.h. */
#include "config.h"

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

static int fallback(void *fctx, const uint8_t *header, const uint8_t *chunk, size_t len,
		    const rt_evtx_opts *o, const char *path, rt_event_cb cb, void *ctx,
		    rt_diag *diag)
{
	return rt_evtx_read_libevtx_chunk(header, chunk, len, o, path, cb, ctx, diag, fctx);
}

int rt_evtx_read(const char *path, const rt_evtx_opts *opts, rt_event_cb cb, void *ctx,
		 rt_diag *diag)
{
	static const rt_evtx_opts defaults;
	const rt_evtx_opts *o = opts ? opts : &defaults;

	switch (o->reader) {
	case RT_READER_NATIVE:
		return rt_native_read(path, o, cb, ctx, diag, NULL, NULL);
	case RT_READER_AUTO:
		/* recovered records are libevtx's business */
		if (!o->recovered) {
			unsigned long bad = 0;
			int rc = rt_native_read(path, o, cb, ctx, diag, fallback, &bad);

			rt_evtx_report_more_bad(diag, o->display ? o->display : path, bad);
			return rc;
		}
		return rt_evtx_read_libevtx(path, o, cb, ctx, diag);
	case RT_READER_LIBEVTX:
	default:
		return rt_evtx_read_libevtx(path, o, cb, ctx, diag);
	}
}

typedef struct stop_watch {
	rt_event_cb cb;
	void *ctx;
	int stopped;
} stop_watch;

static int watch(void *ctx, const rt_event *ev)
{
	stop_watch *w = ctx;

	if (w->cb(w->ctx, ev))
		w->stopped = 1;
	return w->stopped;
}

int rt_evtx_read_evidence(const rt_evidence *ev, const rt_evtx_opts *o, rt_event_cb cb,
			  void *ctx, rt_diag *d)
{
	rt_evtx_opts opts;
	stop_watch w = { cb, ctx, 0 };
	size_t h, a;
	int ret = 0;

	if (o)
		opts = *o;
	else
		memset(&opts, 0, sizeof opts);
	for (h = 0; ev && h < ev->nhosts && !w.stopped; h++) {
		const rt_host *host = &ev->hosts[h];

		for (a = 0; a < host->nartifacts && !w.stopped; a++) {
			const rt_artifact *art = &host->artifacts[a];

			if (art->kind != RT_ART_EVTX)
				continue;
			opts.host = host->name;
			opts.display = art->path;
			if (rt_evtx_read(art->path, &opts, watch, &w, d) != 0)
				ret = 1;
		}
	}
	return ret;
}
