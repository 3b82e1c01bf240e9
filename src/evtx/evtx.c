/* Reader choice and reading a whole evidence set; see evtx.h. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

/* Records the host-name probe looks at: a damaged first record should not
 * hide the name, and a few tries suffice. */
#define PROBE_RECORDS 16

static int native_one(rt_source *src, const rt_evtx_opts *o, rt_event_cb cb, void *ctx,
		      rt_diag *diag)
{
	rt_native_file f = { src, o->display, o->host, src ? rt_source_size(src) : 0, 0 };
	rt_native_job job;

	memset(&job, 0, sizeof job);
	job.files = &f;
	job.nfiles = 1;
	job.threads = o->threads;
	job.fallback = o->reader == RT_READER_AUTO;
	job.cb = cb;
	job.ctx = ctx;
	job.pre = o->pre;
	job.pre_ctx = o->pre_ctx;
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
	int r = rt_evtx_read_libevtx(src, o, cb, ctx, diag, why, sizeof why);

	if (r != RT_EVTX_LIBEVTX_REFUSED)
		return r;
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

typedef struct probe {
	char *computer;
	int seen;
	int oom;
} probe;

static int probe_cb(void *ctx, const rt_event *ev)
{
	probe *p = ctx;

	if (ev->computer && *ev->computer) {
		p->computer = strdup(ev->computer);
		p->oom = !p->computer;
		return 1;
	}
	return ++p->seen >= PROBE_RECORDS;
}

/*
 * The first records the native decoder reads; when it stops at a chunk it
 * rejects, the whole reader: the chunks it rejects go to libevtx one at a
 * time, except those libevtx would misread, which are skipped. libevtx is
 * never handed the whole file here (its open scans every chunk).
 */
int rt_evtx_probe_computer_source(rt_source *src, char **computer)
{
	rt_evtx_opts o;
	probe p;

	*computer = NULL;
	if (rt_evtx_open_check(src, rt_source_name(src), NULL))
		return -1;
	if (rt_evtx_probe_native_source(src, PROBE_RECORDS, computer) == 1) {
		rt_source_drop_cache(src);
		return 0;
	}
	memset(&o, 0, sizeof o);
	memset(&p, 0, sizeof p);
	o.threads = 1;
	if (native_one(src, &o, probe_cb, &p, NULL) < 0) {
		free(p.computer);
		return -1;
	}
	*computer = p.computer;
	return p.oom ? -1 : 0;
}

int rt_evtx_probe_computer(const char *path, char **computer)
{
	rt_source *src = NULL;
	int r;

	*computer = NULL;
	if (rt_source_open_path(path, &src))
		return -1;
	r = rt_evtx_probe_computer_source(src, computer);
	rt_source_unref(&src);
	return r;
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

/* ---------------------------------------------------------- shadow copies */

/* An EVTX artifact of a host, in reading order. */
typedef struct ref {
	const rt_artifact *art;
	const rt_host *host;
	int weed;             /* its host's records read before are left out */
} ref;

/*
 * A host's logs in a volume shadow copy repeat most of the live log's
 * records, and so do two copies of one log (a collection's folder and the
 * ZIP of it, "Logs - Copy", an export beside the original). Only the
 * records not read before are kept, each from the first log that has it,
 * in reading order (live logs first, as listed, then shadow copies from
 * the oldest): a record is the same record when its channel, Computer,
 * EventRecordID and TimeCreated are. Without shadow copies this is done
 * only for hosts with two logs of one file name (the table costs 48 bytes
 * a record read).
 */
typedef struct seen {
	uint64_t *k; /* 3 words a record: channel hash, record id, time; 0,0,0 free */
	size_t n, cap;
	const char *host;
	int oom;
} seen;

static uint64_t fnv(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h | 1; /* never the free marker */
}

/* 1 if the record was seen before on this host, else it is added. */
static int seen_before(seen *d, const rt_event *ev)
{
	uint64_t c = fnv(ev->channel) ^ (fnv(ev->computer) * 0x9E3779B97F4A7C15ULL | 1),
		 r = ev->record_id, t = ev->timestamp;
	size_t i;

	if (d->host != ev->host) {
		d->host = ev->host; /* hosts come one after another */
		d->n = 0;
		if (d->k)
			memset(d->k, 0, d->cap * 3 * sizeof(*d->k));
	}
	if ((d->n + 1) * 2 > d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 4096, j;
		uint64_t *k = calloc(cap * 3, sizeof(*k));

		if (!k) {
			d->oom = 1;
			return 0;
		}
		for (j = 0; j < d->cap; j++) {
			uint64_t *e = d->k + 3 * j;

			if (!e[0])
				continue;
			for (i = (size_t)((e[0] ^ e[1] * 31 ^ e[2]) & (cap - 1)); k[3 * i];
			     i = (i + 1) & (cap - 1))
				;
			memcpy(k + 3 * i, e, 3 * sizeof(*e));
		}
		free(d->k);
		d->k = k;
		d->cap = cap;
	}
	for (i = (size_t)((c ^ r * 31 ^ t) & (d->cap - 1)); d->k[3 * i]; i = (i + 1) & (d->cap - 1))
		if (d->k[3 * i] == c && d->k[3 * i + 1] == r && d->k[3 * i + 2] == t)
			return 1;
	d->k[3 * i] = c;
	d->k[3 * i + 1] = r;
	d->k[3 * i + 2] = t;
	d->n++;
	return 0;
}

typedef struct once {
	seen s;
	rt_event_cb cb;
	void *ctx;
	const ref *v;       /* the logs in reading order */
	size_t n, at;       /* how many; the one the last record came from */
	uint64_t *repeated; /* per log: its records read before from another */
	uint64_t *kept;     /* per log: the others */
} once;

static int once_cb(void *ctx, const rt_event *ev)
{
	once *o = ctx;
	int again;

	/* records come log after log: the last one's index, else a search */
	if (o->at >= o->n || (o->v[o->at].art->path != ev->source_file &&
			      strcmp(o->v[o->at].art->path, ev->source_file)))
		for (o->at = 0; o->at < o->n && strcmp(o->v[o->at].art->path, ev->source_file);
		     o->at++)
			;
	if (o->at >= o->n || !o->v[o->at].weed)
		return o->cb(o->ctx, ev);
	again = seen_before(&o->s, ev);
	(again ? o->repeated : o->kept)[o->at]++;
	return again ? 0 : o->cb(o->ctx, ev);
}

/* --------------------------------------------------------------- reading */

/* Whether two EVTX artifacts of host h have one file name (any case). */
static int repeated_names(const rt_host *h)
{
	size_t a, b;

	for (a = 0; a < h->nartifacts; a++)
		for (b = a + 1; h->artifacts[a].kind == RT_ART_EVTX && b < h->nartifacts; b++) {
			const char *x = strrchr(h->artifacts[a].path, '/'),
				   *y = strrchr(h->artifacts[b].path, '/');

			x = x ? x + 1 : h->artifacts[a].path;
			y = y ? y + 1 : h->artifacts[b].path;
			if (h->artifacts[b].kind == RT_ART_EVTX && !strcasecmp(x, y))
				return 1;
		}
	return 0;
}

/* The EVTX artifacts in reading order: hosts in order; in each, the live
 * logs as listed (plain files, then those inside images and archives), then
 * each shadow copy's (the oldest first). A host's records read before are
 * weeded out when it has shadow copies, or two logs of one file name unless
 * the records go to an export (`remtrail events` gives every record of
 * every file). */
static ref *reading_order(const rt_evidence *ev, size_t *n, int export)
{
	ref *v;
	size_t h, a, k = 0;
	int pass, maxstore = 0;

	*n = 0;
	for (h = 0; h < ev->nhosts; h++)
		for (a = 0; a < ev->hosts[h].nartifacts; a++)
			if (ev->hosts[h].artifacts[a].kind == RT_ART_EVTX) {
				int st = ev->hosts[h].artifacts[a].origin.shadow_copy;

				(*n)++;
				maxstore = st > maxstore ? st : maxstore;
			}
	if (!(v = calloc(*n ? *n : 1, sizeof(*v))))
		return NULL;
	for (h = 0; h < ev->nhosts; h++) {
		size_t first = k;
		int weed = 0;

		for (pass = 0; pass <= 2 * maxstore + 1; pass++)
			for (a = 0; a < ev->hosts[h].nartifacts; a++) {
				const rt_artifact *art = &ev->hosts[h].artifacts[a];

				/* of two copies, the one read first is cited: a plain
				 * file before one inside an image or archive */
				if (art->kind != RT_ART_EVTX || art->origin.shadow_copy != pass / 2 ||
				    (art->origin.container != 0) != pass % 2)
					continue;
				weed |= art->origin.shadow_copy > 0;
				v[k].art = art;
				v[k++].host = &ev->hosts[h];
			}
		weed |= !export && repeated_names(&ev->hosts[h]);
		for (; first < k; first++)
			v[first].weed = weed;
	}
	return v;
}

/* Every EVTX artifact of the evidence as one native job. */
static int read_native(const ref *v, size_t n, const rt_evtx_opts *o, rt_event_cb cb,
		       void *ctx, const rt_evtx_sink *sink, rt_diag *d)
{
	rt_native_file *files;
	rt_native_job job;
	size_t k;
	int r;

	if (!n)
		return 0;
	files = calloc(n, sizeof *files);
	if (!files) {
		rt_diag_error(d, "remtrail", "out of memory");
		return 1;
	}
	for (k = 0; k < n; k++) {
		files[k].src = v[k].art->src;
		files[k].display = v[k].art->path;
		files[k].host = v[k].host->name;
		files[k].size = v[k].art->size;
		files[k].gone_named = v[k].art->gone_named;
	}
	memset(&job, 0, sizeof job);
	job.files = files;
	job.nfiles = n;
	job.threads = o->threads;
	job.fallback = o->reader == RT_READER_AUTO;
	job.cb = cb;
	job.ctx = ctx;
	job.pre = o->pre;
	job.pre_ctx = o->pre_ctx;
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
	once dedup;
	uint64_t done = 0, total = 0;
	size_t n = 0, k;
	int ret = 0, repeats = 0;
	ref *v;

	if (o)
		opts = *o;
	else
		memset(&opts, 0, sizeof opts);
	if (!ev)
		return 0;
	if (!(v = reading_order(ev, &n, sink != NULL))) {
		rt_diag_error(d, "remtrail", "out of memory");
		return 1;
	}
	for (k = 0; k < n; k++)
		repeats |= v[k].weed;
	memset(&w, 0, sizeof w);
	w.cb = cb;
	w.ctx = ctx;
	w.sink = sink;
	rt_buf_init(&w.text, 0);
	memset(&dedup, 0, sizeof dedup);
	dedup.cb = watch;
	dedup.ctx = &w;
	dedup.v = v;
	dedup.n = n;
	dedup.at = n;
	if (repeats && (!(dedup.repeated = calloc(n + 1, sizeof *dedup.repeated)) ||
			!(dedup.kept = calloc(n + 1, sizeof *dedup.kept)))) {
		rt_diag_error(d, "remtrail", "out of memory");
		ret = 1;
		goto out;
	}
	if (use_native(&opts)) {
		/* records are weeded out in order, on this thread: a sink then
		 * formats here too */
		ret = repeats ? read_native(v, n, &opts, once_cb, &dedup, NULL, d)
			      : read_native(v, n, &opts, cb, ctx, sink, d);
		goto out;
	}
	/* libevtx: one file after another */
	for (k = 0; k < n; k++)
		total += v[k].art->size;
	for (k = 0; k < n && !w.stopped; k++) {
		const rt_artifact *art = v[k].art;

		opts.host = v[k].host->name;
		opts.display = art->path;
		if (!art->src) {
			if (!art->gone_named)
				rt_diag_error(d, art->path,
					      "cannot open: the artifact has no byte source");
			ret = 1;
		} else if (libevtx_file(art->src, &opts, repeats ? once_cb : watch,
					repeats ? (void *)&dedup : (void *)&w, d) != 0) {
			ret = 1;
		}
		done += art->size;
		if (opts.progress)
			opts.progress(opts.progress_ctx, done, total);
	}
out:
	/* a copy of a log is named (a shadow copy repeats the live log by
	 * nature: not worth a line) */
	for (k = 0; dedup.repeated && k < n; k++)
		if (dedup.repeated[k] && !v[k].art->origin.shadow_copy)
			rt_diag_warn(d, v[k].art->path,
				     dedup.kept[k] ? "records read before from another log of this "
						     "host: %llu (each counted once)"
						   : "every record of it (%llu) was read before from "
						     "another log of this host (a copy of it?): each is "
						     "counted once",
				     (unsigned long long)dedup.repeated[k]);
	free(dedup.repeated);
	free(dedup.kept);
	if (dedup.s.oom) {
		rt_diag_error(d, "remtrail", "out of memory: records repeated in shadow copies "
					     "or copies of a log may be listed twice");
		ret = 1;
	}
	free(dedup.s.k);
	rt_buf_release(&w.text);
	free(v);
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
