/*
 * The adapter between the reading modules and the assessor. One pass over
 * every host's EVTX gives each log's channel and coverage (first/last record
 * time, count) and the log clears (Security 1102, System 104) that the
 * CM0019 monitoring check needs. Configuration facts and findings come from
 * the config and detect modules.
 */
#include "config.h"

#include <stdlib.h>

#include "adapt.h"
#include "remtrail/evtx.h"

typedef struct host_data {
	rt_log_cover *logs;
	size_t nlogs, alogs;
	rt_assess_finding *finds;
	size_t nfinds, afinds;
} host_data;

typedef struct adapt_priv {
	const rt_evidence *ev;
	host_data *hosts;
	size_t nhosts;
	size_t cur; /* host of the last event: events come host by host */
	char **strs;
	size_t nstrs, astrs;
} adapt_priv;

static const char *keep(adapt_priv *p, const char *s)
{
	char *d;

	if (!s)
		return NULL;
	if (p->nstrs == p->astrs) {
		size_t na = p->astrs ? p->astrs * 2 : 64;
		char **n = realloc(p->strs, na * sizeof *n);
		if (!n)
			return NULL;
		p->strs = n;
		p->astrs = na;
	}
	if (!(d = rt_strdup0(s)))
		return NULL;
	p->strs[p->nstrs++] = d;
	return d;
}

static int grow(void **arr, size_t *alloc, size_t n, size_t size)
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

static host_data *host_of(adapt_priv *p, const char *name)
{
	size_t i;

	if (p->cur < p->nhosts && !strcmp(p->ev->hosts[p->cur].name, name))
		return &p->hosts[p->cur];
	for (i = 0; i < p->nhosts; i++)
		if (!strcmp(p->ev->hosts[i].name, name)) {
			p->cur = i;
			return &p->hosts[i];
		}
	return NULL;
}

static int on_event(void *ctx, const rt_event *e)
{
	adapt_priv *p = ctx;
	host_data *h = host_of(p, e->host);
	rt_log_cover *l;
	size_t i;

	if (!h)
		return 0;
	for (i = h->nlogs; i-- > 0;)
		if (!strcmp(h->logs[i].file, e->source_file))
			break;
	if (i == (size_t)-1) {
		if (grow((void **)&h->logs, &h->alogs, h->nlogs, sizeof *h->logs))
			return 1;
		l = &h->logs[h->nlogs];
		memset(l, 0, sizeof *l);
		l->file = keep(p, e->source_file);
		l->channel = keep(p, e->channel);
		if (!l->file || !l->channel)
			return 1;
		h->nlogs++;
	} else {
		l = &h->logs[i];
	}
	if (e->timestamp && (!l->first || e->timestamp < l->first))
		l->first = e->timestamp;
	if (e->timestamp > l->last)
		l->last = e->timestamp;
	l->nrecords++;
	if ((e->event_id == 1102 && rt_strcaseeq(e->channel, "Security")) ||
	    (e->event_id == 104 && rt_strcaseeq(e->channel, "System"))) {
		rt_assess_finding *f;
		const char *chan = e->event_id == 1102 ? "Security" : rt_event_gets(e, "Channel");
		rt_buf msg = RT_BUF_INIT;

		if (grow((void **)&h->finds, &h->afinds, h->nfinds, sizeof *h->finds))
			return 1;
		f = &h->finds[h->nfinds];
		memset(f, 0, sizeof *f);
		rt_buf_addf(&msg, "%s log cleared by %s", *chan ? chan : "an event",
			    *rt_event_gets(e, "SubjectUserName") ? rt_event_gets(e, "SubjectUserName")
								 : "an unknown user");
		f->kind = "log.cleared";
		f->time = e->timestamp;
		f->message = keep(p, msg.buf);
		f->detail = keep(p, chan);
		f->src.file = keep(p, e->source_file);
		f->src.record_id = e->record_id;
		f->src.event_id = e->event_id;
		f->src.time = e->timestamp;
		rt_buf_release(&msg);
		if (!f->message || !f->detail || !f->src.file)
			return 1;
		h->nfinds++;
	}
	return 0;
}

int adapt_begin(rt_analysis *a, const rt_evidence *ev, rt_diag *diag)
{
	adapt_priv *p = calloc(1, sizeof *p);

	if (!p)
		return -1;
	a->priv = p;
	p->ev = ev;
	p->nhosts = ev->nhosts;
	if (!(p->hosts = calloc(ev->nhosts + 1, sizeof *p->hosts)))
		return -1;
	rt_evtx_read_evidence(ev, NULL, on_event, p, diag);
	return 0;
}

static const char *first_hive(const rt_host *h, rt_hive_kind k)
{
	size_t i;

	for (i = 0; i < h->nartifacts; i++)
		if (h->artifacts[i].kind == RT_ART_HIVE && h->artifacts[i].hive_kind == k &&
		    !h->artifacts[i].is_backup)
			return h->artifacts[i].path;
	return NULL;
}

int adapt_host_build(rt_analysis *a, const rt_evidence *ev, size_t h, adapt_host *out,
		     rt_diag *diag)
{
	adapt_priv *p = a->priv;
	host_data *hd = &p->hosts[h];

	memset(out, 0, sizeof *out);
	out->in.host = ev->hosts[h].name;
	/* without a configuration reader the hives say nothing: treat them as
	 * unread rather than as "settings absent" */
	(void)first_hive;
	out->in.logs = hd->logs;
	out->in.nlogs = hd->nlogs;
	out->in.findings = hd->finds;
	out->in.nfindings = hd->nfinds;
	return 0;
}

void adapt_host_release(adapt_host *ah)
{
	free(ah->facts);
	free(ah->finds);
	free(ah->logs);
	memset(ah, 0, sizeof *ah);
}

int adapt_end(rt_analysis *a, rt_diag *diag)
{
	return 0;
}

void adapt_free(rt_analysis *a)
{
	adapt_priv *p = a->priv;
	size_t i;

	free(a->timeline);
	if (!p)
		return;
	for (i = 0; i < p->nstrs; i++)
		free(p->strs[i]);
	free(p->strs);
	for (i = 0; i < p->nhosts; i++) {
		free(p->hosts[i].logs);
		free(p->hosts[i].finds);
	}
	free(p->hosts);
	free(p);
	a->priv = NULL;
}

int rt_analysis_timeline(const rt_analysis *a, rt_buf *out, int csv)
{
	return 0;
}
