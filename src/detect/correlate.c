/*
 * Correlation (docs/detect.md, "Correlation"): at the end of a host every
 * candidate is joined with what explains it - its logon session (host +
 * LogonId + the logon time, never across a boot), its parent process, an
 * inbound connection into it, the SMB read of its output file, a network
 * logon just before - and kept or dropped; after all hosts, outbound
 * findings are paired with the inbound ones on the hosts they name. Each
 * finding's `link` says how its remote end was found.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"

#define SEC RT_DT_SEC
#define PAIR_WINDOW (300 * SEC)
#define LOGON_SKEW (2 * SEC)          /* a 4624 logged this much after its process still explains it */
#define BROKER_LOGON_WINDOW (10 * SEC) /* "a network logon followed within seconds by WmiPrvSE ..." */
#define LOCAL_SESSION_SLACK (12ULL * 3600 * SEC)

void rt_dt_logon_release(logon *l)
{
	free(l->id);
	free(l->ip);
	free(l->ws);
	free(l->user);
	free(l->sid);
	free(l->file);
	free(l->channel);
}

static unsigned flags_of(const cand *c)
{
	return c->rule ? c->rule->r->flags : 0;
}

/* The first of the n sorted times t that is above `after`. */
static size_t first_above(const uint64_t *t, size_t n, uint64_t after)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (t[mid] <= after)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* A boot of the host in (from, to] (the boots sorted: lookups_index()). */
static int boot_between(const hstate *h, uint64_t from, uint64_t to)
{
	size_t i = first_above(h->boots, h->nboots, from);

	return i < h->nboots && h->boots[i] <= to;
}

/* ------------------------------------------------------------------ logons */

static int cmp_logon(const void *ctx, size_t a, size_t b)
{
	const logon *l = ctx;
	int c = strcmp(l[a].id, l[b].id);

	if (c)
		return c;
	return l[a].ts < l[b].ts ? -1 : l[a].ts > l[b].ts;
}

/* Sort n elements of `size` bytes at arr with cmp (stable, by index). */
static int sort_array(void *arr, size_t n, size_t size, rt_idx_cmp cmp)
{
	size_t *order, i;
	char *tmp;

	if (n < 2)
		return 0;
	order = malloc(n * sizeof *order);
	tmp = malloc(n * size);
	if (!order || !tmp) {
		free(order);
		free(tmp);
		return -1;
	}
	for (i = 0; i < n; i++)
		order[i] = i;
	rt_detect_sort_idx(order, n, cmp, arr);
	for (i = 0; i < n; i++)
		memcpy(tmp + i * size, (char *)arr + order[i] * size, size);
	memcpy(arr, tmp, n * size);
	free(tmp);
	free(order);
	return 0;
}

/* Session `id` logged off in [from, to). */
static int logoff_between(const hstate *h, const char *id, uint64_t from, uint64_t to)
{
	size_t lo = 0, hi = h->nlo;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(h->lo[mid].id, id);

		if (c < 0 || (!c && h->lo[mid].ts < from))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < h->nlo && !strcmp(h->lo[lo].id, id) && h->lo[lo].ts < to;
}

/* The session `id` that began last at or before ts (a little skew allowed)
 * and was not ended by a boot or a logoff since. */
static logon *find_logon(hstate *h, const char *id, uint64_t ts)
{
	size_t lo = 0, hi = h->nlg;
	logon *best = NULL;

	if (!id)
		return NULL;
	/* the sessions are by id, then by time: the last of this id that
	 * began by ts + skew (found by halving: a busy id such as a service
	 * account's holds thousands) */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(h->lg[mid].id, id);

		if (c < 0 || (!c && h->lg[mid].ts <= ts + LOGON_SKEW))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo > 0 && !strcmp(h->lg[lo - 1].id, id))
		best = &h->lg[lo - 1];
	if (best && best->ts < ts &&
	    (boot_between(h, best->ts, ts) || logoff_between(h, id, best->ts, ts)))
		return NULL;
	return best;
}

static int remote_logon(const logon *l)
{
	return l->type == 3 && rt_dt_usable(l->ip) && !rt_dt_is_loopback(l->ip);
}

/* The items 0..n-1 of ctx for which keep(ctx, i) holds (all of them
 * without keep), sorted by cmp; their count in *kept. NULL on OOM. */
static size_t *index_of(size_t n, int (*keep)(const void *ctx, size_t i), rt_idx_cmp cmp,
			const void *ctx, size_t *kept)
{
	size_t *idx = malloc((n ? n : 1) * sizeof *idx), i;

	*kept = 0;
	if (!idx)
		return NULL;
	for (i = 0; i < n; i++)
		if (!keep || keep(ctx, i))
			idx[(*kept)++] = i;
	rt_detect_sort_idx(idx, *kept, cmp, ctx);
	return idx;
}

/* Time order; of items at one time, the one recorded first (lower index)
 * first: the order of every time index here. */
static int time_order(uint64_t ta, uint64_t tb, size_t a, size_t b)
{
	if (ta != tb)
		return ta < tb ? -1 : 1;
	return a < b ? -1 : a > b;
}

static int cmp_logon_time(const void *ctx, size_t a, size_t b)
{
	const logon *l = ctx;

	return time_order(l[a].ts, l[b].ts, a, b);
}

static int is_remote_logon(const void *ctx, size_t i)
{
	return remote_logon((const logon *)ctx + i);
}

static int index_logons_by_time(hstate *h)
{
	free(h->by_time);
	h->by_time = index_of(h->nlg, is_remote_logon, cmp_logon_time, h->lg, &h->nby_time);
	return h->by_time ? 0 : -1;
}

/* A logon as pairing keeps it (borrowing its strings). */
static rt_pair_logon logon_view(const logon *l)
{
	rt_pair_logon v = { l->ts, l->rid, l->ip, l->ws, l->user, l->id, l->file, l->channel,
			    l->finding };

	return v;
}

static size_t materialize_logon(rt_findings *all, const char *host, rt_pair_logon *l)
{
	rt_finding *f;
	rt_buf m = RT_BUF_INIT;

	if (l->finding != RT_FINDING_NONE)
		return l->finding;
	f = rt_findings_add(all);
	if (!f)
		return RT_FINDING_NONE;
	f->timestamp = l->time;
	f->kind = RT_FK_LOGON_NETWORK;
	f->host = rt_strdup0(host);
	f->channel = rt_strdup0(l->channel);
	f->event_id = 4624;
	f->record_id = l->record_id;
	f->source_file = rt_strdup0(l->file);
	f->remote_ip = rt_strdup0(l->ip);
	f->remote_host = rt_strdup0(l->workstation);
	f->user = rt_strdup0(l->user);
	f->logon_id = rt_strdup0(l->logon_id);
	f->rule_id = "logon.network";
	f->technique = "T1078";
	f->direction = RT_DIR_INBOUND;
	f->confidence = RT_CONF_MEDIUM;
	f->link = RT_LINK_RECORD;
	rt_buf_addf(&m, "Network logon (type 3) of %s on %s from %s%s%s%s (logon id %s).",
		    l->user ? l->user : "an unknown account", host, l->ip, l->workstation ? " (" : "",
		    l->workstation ? l->workstation : "", l->workstation ? ")" : "", l->logon_id);
	f->message = rt_buf_detach(&m, NULL);
	l->finding = all->n - 1;
	return f->host && f->channel && f->source_file && f->message ? l->finding : RT_FINDING_NONE;
}

static void attribute_logon(rt_detect *d, hstate *h, cand *c, logon *l, rt_link how)
{
	rt_dt_set_str(&c->f.remote_ip, l->ip);
	if (l->ws && !rt_dt_local_name(h, l->ws))
		rt_dt_set_str(&c->f.remote_host, l->ws);
	rt_dt_set_str(&c->f.user, l->user);
	rt_dt_set_str(&c->f.logon_id, l->id);
	{
		rt_pair_logon v = logon_view(l);

		c->f.logon = l->finding = materialize_logon(&d->all, h->name, &v);
	}
	if (c->f.logon == RT_FINDING_NONE)
		d->oom = 1;
	c->f.link = how;
}

/* The first remote network logon (position in by_time) at or after `from`. */
static size_t logon_from(const hstate *h, uint64_t from)
{
	size_t lo = 0, hi = h->nby_time;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (h->lg[h->by_time[mid]].ts < from)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The latest network logon of the same account from 2 minutes before to 5 s after. */
static logon *logon_near(hstate *h, const cand *c)
{
	logon *best = NULL;
	size_t lo;

	if (!rt_dt_usable(c->f.user) && !rt_dt_usable(c->sid))
		return NULL;
	for (lo = logon_from(h, c->f.timestamp > 120 * SEC ? c->f.timestamp - 120 * SEC : 0);
	     lo < h->nby_time; lo++) {
		logon *l = &h->lg[h->by_time[lo]];
		int who;

		if (l->ts > c->f.timestamp + 5 * SEC)
			break;
		who = (rt_dt_usable(c->sid) && l->sid && rt_strcaseeq(c->sid, l->sid)) ||
		      (rt_dt_usable(c->f.user) && strncmp(c->f.user, "S-1-", 4) != 0 && l->user &&
		       rt_dt_users_compatible(c->f.user, l->user));
		if (who)
			best = l;
	}
	return best;
}

/*
 * A server process's child whose session the record cannot tell (4688
 * version 0/1 started by WmiPrvSE): the network logons of the seconds
 * before. The latest, and whether they all came from one address.
 */
static logon *logon_just_before(hstate *h, uint64_t ts, int *unique)
{
	logon *best = NULL;
	size_t lo;

	*unique = 1;
	for (lo = logon_from(h, ts > BROKER_LOGON_WINDOW ? ts - BROKER_LOGON_WINDOW : 0);
	     lo < h->nby_time && h->lg[h->by_time[lo]].ts <= ts; lo++) {
		logon *l = &h->lg[h->by_time[lo]];

		if (best && !rt_strcaseeq(best->ip, l->ip))
			*unique = 0;
		best = l;
	}
	return best;
}

/*
 * Does session `id` run local processes around ts? Processes that belong
 * to a candidate count only once that candidate is dropped (candidates are
 * decided in event order, so an earlier one is decided already).
 */
static int local_session(const hstate *h, const char *id, uint64_t ts)
{
	size_t i = 0, hi = h->nls;

	if (!id)
		return 0;
	while (i < hi) { /* the first session of this id (ls is by id: lookups_index()) */
		size_t mid = (i + hi) / 2;

		if (strcmp(h->ls[mid].id, id) < 0)
			i = mid + 1;
		else
			hi = mid;
	}
	for (; i < h->nls && !strcmp(h->ls[i].id, id); i++) {
		const lsess *l = &h->ls[i];

		if (l->anc != RT_FINDING_NONE && !h->c[l->anc].drop)
			continue;
		if (ts + LOCAL_SESSION_SLACK >= l->first && ts <= l->last + LOCAL_SESSION_SLACK)
			return 1;
	}
	return 0;
}

/* A local WMI process-creation request in the seconds before ts? The
 * last one at or before ts says (the requests sorted: lookups_index()). */
static int local_request(const hstate *h, uint64_t ts)
{
	size_t i = first_above(h->wreq, h->nwreq, ts);

	return i > 0 && ts - h->wreq[i - 1] <= BROKER_LOGON_WINDOW;
}

/* ------------------------------------------------------------------ connections */

/*
 * The connection in [ts - before, ts + after] (on port 135 or the fixed
 * WMI port, or into the COM server `guid`): the latest at or before ts,
 * else the first recorded after it; of several at one time, the first
 * recorded. Only the window is looked at (cn_by_time: by time, then in
 * the order recorded): a busy server records connections by the
 * thousand, and each process looks for one.
 */
static const conn *find_conn(const hstate *h, uint64_t ts, uint64_t before, uint64_t after,
			     int port135, const char *guid)
{
	size_t lo = 0, hi = h->ncn, at = RT_FINDING_NONE, later = RT_FINDING_NONE;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (h->cn[h->cn_by_time[mid]].ts + before < ts)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < h->ncn; lo++) {
		size_t i = h->cn_by_time[lo];
		const conn *k = &h->cn[i];

		if (k->ts > ts + after)
			break;
		if (port135 && k->lport != 135 && k->lport != 24158)
			continue;
		if (guid && (!k->guid || !rt_strcaseeq(k->guid, guid)))
			continue;
		if (k->ts <= ts) {
			if (at == RT_FINDING_NONE || k->ts > h->cn[at].ts)
				at = i; /* by time: the first recorded of its time */
		} else if (later == RT_FINDING_NONE || i < later) {
			later = i;
		}
	}
	return at != RT_FINDING_NONE ? &h->cn[at] : later != RT_FINDING_NONE ? &h->cn[later] : NULL;
}

/* ------------------------------------------------------------------ one candidate */

static void correlate_one(rt_detect *d, hstate *h, cand *c)
{
	unsigned fl = flags_of(c);
	const char *id;
	logon *l;
	int remote = 0;

	if (c->parent != RT_FINDING_NONE) {
		const cand *p = &h->c[c->parent];

		if (p->drop || (c->parent_link == RT_LINK_PID_TIME &&
				boot_between(h, c->parent_start, c->f.timestamp))) {
			c->drop = 1;
			return;
		}
		fl |= flags_of(p) & (RT_RF_LOGON_GATED | RT_RF_NEED_LOGON);
	}
	/* a parent named by PID before a boot is another process */
	if (c->pid_parent && c->rule && c->rule->uses_parent &&
	    boot_between(h, c->pid_parent, c->f.timestamp)) {
		c->drop = 1;
		return;
	}
	id = c->f.logon_id;
	if ((!id || rt_dt_service_logon(id)) && c->child_logon) {
		free(c->f.logon_id);
		c->f.logon_id = rt_strdup0(c->child_logon);
		id = c->f.logon_id;
	}
	l = find_logon(h, id, c->f.timestamp);
	if (l && remote_logon(l)) {
		attribute_logon(d, h, c, l, RT_LINK_LOGON_ID);
		remote = 1;
		if (fl & (RT_RF_LOGON_GATED | RT_RF_TRACK | RT_RF_NEED_LOGON) ||
		    c->parent != RT_FINDING_NONE)
			c->f.confidence = RT_CONF_HIGH;
	} else if (fl & RT_RF_LOGON_GATED) {
		/* an interactive, RDP, service or loopback session, or one that
		 * runs local processes: local use, not lateral movement */
		if (l || local_session(h, id, c->f.timestamp)) {
			c->drop = 1;
			return;
		}
	}
	if ((fl & RT_RF_LOCAL_REQUEST) && !remote && local_request(h, c->f.timestamp)) {
		c->drop = 1;
		return;
	}
	if ((fl & RT_RF_NEED_LOGON) && !remote) {
		c->drop = 1;
		return;
	}
	if (c->parent != RT_FINDING_NONE) {
		const cand *p = &h->c[c->parent];

		if (!rt_dt_usable(c->f.remote_ip) && !rt_dt_usable(c->f.remote_host) &&
		    (rt_dt_usable(p->f.remote_ip) || rt_dt_usable(p->f.remote_host)))
			c->f.link = c->parent_link;
		rt_dt_set_str(&c->f.remote_ip, p->f.remote_ip);
		rt_dt_set_str(&c->f.remote_host, p->f.remote_host);
		if (c->f.logon == RT_FINDING_NONE)
			c->f.logon = p->f.logon;
		if (p->f.confidence > c->f.confidence)
			c->f.confidence = p->f.confidence;
	}
	if (!rt_dt_usable(c->f.remote_ip) && c->guid) {
		/* a COM server process that itself took the inbound connection */
		const conn *k = find_conn(h, c->f.timestamp, 120 * SEC, 120 * SEC, 0, c->guid);

		if (k) {
			rt_dt_set_str(&c->f.remote_ip, k->peer);
			c->f.link = RT_LINK_CONNECTION;
		}
	}
	if ((fl & RT_RF_NEED_RPC_IN) && !rt_dt_usable(c->f.remote_ip)) {
		const conn *k = find_conn(h, c->f.timestamp, 30 * SEC, 2 * SEC, 1, NULL);

		if (!k) {
			c->drop = 1;
			return;
		}
		rt_dt_set_str(&c->f.remote_ip, k->peer);
		c->f.link = RT_LINK_CONNECTION;
	}
	if ((fl & RT_RF_PARENT_CONN) && !rt_dt_usable(c->f.remote_ip)) {
		const conn *k = c->parent_guid ? find_conn(h, c->f.timestamp, 120 * SEC, 120 * SEC, 0,
							   c->parent_guid)
					       : NULL;

		if (!k) {
			c->drop = 1;
			return;
		}
		rt_dt_set_str(&c->f.remote_ip, k->peer);
		c->f.link = RT_LINK_CONNECTION;
	}
	if ((fl & RT_RF_TIME_LOGON) && !rt_dt_usable(c->f.remote_ip) && (l = logon_near(h, c)) != NULL)
		attribute_logon(d, h, c, l, RT_LINK_TIME_WINDOW);
	if ((fl & RT_RF_LOGON_GATED) && !remote && !rt_dt_usable(c->f.remote_ip) &&
	    !rt_dt_usable(c->f.user) && (!id || rt_dt_service_logon(id))) {
		/* Security-only remote WMI: the session is not on the record;
		 * a network logon seconds before is the classic trace */
		int unique;

		if ((l = logon_just_before(h, c->f.timestamp, &unique)) != NULL) {
			attribute_logon(d, h, c, l, RT_LINK_TIME_WINDOW);
			c->f.confidence = unique ? RT_CONF_MEDIUM : RT_CONF_LOW;
		}
	}
	if (c->f.remote_host && rt_dt_local_name(h, c->f.remote_host)) {
		free(c->f.remote_host);
		c->f.remote_host = NULL;
	}
	if ((fl & RT_RF_NEED_REMOTE) && !rt_dt_usable(c->f.remote_ip) && !rt_dt_usable(c->f.remote_host))
		c->drop = 1;
	if (!rt_dt_usable(c->f.remote_ip) && !rt_dt_usable(c->f.remote_host) && c->f.link != RT_LINK_LOGON_ID &&
	    c->f.link != RT_LINK_TIME_WINDOW)
		c->f.link = RT_LINK_NONE;
}

/* ------------------------------------------------------------------ links between candidates */

/* Kept shell hosts, and kept outbound WMI not yielding to another rule
 * (keep() of index_of over the candidates). */
static int is_shell_host(const void *ctx, size_t i)
{
	const cand *c = (const cand *)ctx + i;

	return !c->drop && c->f.process &&
	       rt_dt_in_list(c->f.process, "\\wsmprovhost.exe|\\winrshost.exe", RT_DT_ENDS);
}

static int is_wmi_out(const void *ctx, size_t i)
{
	const cand *c = (const cand *)ctx + i;

	return !c->drop && c->f.kind == RT_FK_WMI_OUTBOUND && !(flags_of(c) & RT_RF_YIELD_WMI);
}

static int cmp_cand_time(const void *ctx, size_t a, size_t b)
{
	const cand *c = ctx;

	return time_order(c[a].f.timestamp, c[b].f.timestamp, a, b);
}

/* First position in idx whose time is >= ts. */
static size_t first_at(const hstate *h, const size_t *idx, size_t n, uint64_t ts)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (h->c[idx[mid]].f.timestamp < ts)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The reads of an output file that a command may be linked to (keep()
 * of index_of), ordered by file (rt_strcasecmp, as the names compare),
 * then in candidate order: the first that fits wins, as it always has. A
 * host's candidates run to tens of thousands, so a command does not look
 * at them all. */
static int is_output_read(const void *ctx, size_t i)
{
	const cand *r = (const cand *)ctx + i;

	return (flags_of(r) & RT_RF_OUTPUT_READ) && r->out_file && rt_dt_usable(r->f.remote_ip);
}

static int cmp_out_file(const void *ctx, size_t a, size_t b)
{
	const cand *c = ctx;
	int r = rt_strcasecmp(c[a].out_file, c[b].out_file);

	return r ? r : a < b ? -1 : a > b;
}

/*
 * impacket's wmiexec/dcomexec write a command's output to a file the
 * client then reads over SMB (5145 from its address): the read names the
 * source of the command when the process record does not. Matched by the
 * file name, which is unique per run (__<unix time>.<fraction>).
 */
static int link_output_files(hstate *h)
{
	size_t i, n, *rd = index_of(h->nc, is_output_read, cmp_out_file, h->c, &n);

	if (!rd)
		return -1;
	for (i = 0; i < h->nc; i++) {
		cand *c = &h->c[i];
		size_t lo = 0, hi = n;

		if (!c->out_file || (flags_of(c) & RT_RF_OUTPUT_READ))
			continue;
		while (lo < hi) { /* the first read of this file */
			size_t mid = (lo + hi) / 2;

			if (rt_strcasecmp(h->c[rd[mid]].out_file, c->out_file) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < n && !rt_strcasecmp(h->c[rd[lo]].out_file, c->out_file); lo++) {
			cand *r = &h->c[rd[lo]];

			if (rt_dt_absdiff(r->f.timestamp, c->f.timestamp) > 600 * SEC)
				continue;
			if (!rt_dt_usable(c->f.remote_ip)) {
				rt_dt_set_str(&c->f.remote_ip, r->f.remote_ip);
				c->f.link = RT_LINK_OUTPUT_FILE;
			}
			rt_dt_set_str(&c->f.user, r->f.user);
			c->f.confidence = RT_CONF_HIGH;
			r->f.confidence = RT_CONF_HIGH;
			if (r->f.related == RT_FINDING_NONE)
				r->f.related = i; /* candidate index; remapped on move */
			break;
		}
	}
	free(rd);
	return 0;
}

static int link_and_recast(hstate *h)
{
	size_t i, j, nsh, nwo, *sh = index_of(h->nc, is_shell_host, cmp_cand_time, h->c, &nsh),
			       *wo = index_of(h->nc, is_wmi_out, cmp_cand_time, h->c, &nwo);

	if (!sh || !wo) {
		free(sh);
		free(wo);
		return -1;
	}
	for (i = 0; i < h->nc; i++) {
		cand *c = &h->c[i];
		uint64_t t = c->f.timestamp;
		size_t best = RT_FINDING_NONE;

		if (c->drop || !c->rule)
			continue;
		if (flags_of(c) & RT_RF_SHELL) {
			for (j = first_at(h, sh, nsh, t > 60 * SEC ? t - 60 * SEC : 0);
			     j < nsh && h->c[sh[j]].f.timestamp <= t + 60 * SEC; j++)
				if (best == RT_FINDING_NONE ||
				    rt_dt_absdiff(h->c[sh[j]].f.timestamp, t) <
					    rt_dt_absdiff(h->c[best].f.timestamp, t))
					best = sh[j];
			if (best != RT_FINDING_NONE) {
				c->f.related = best; /* candidate index; remapped on move */
				if (!rt_dt_usable(c->f.remote_ip) && rt_dt_usable(h->c[best].f.remote_ip)) {
					rt_dt_set_str(&c->f.remote_ip, h->c[best].f.remote_ip);
					c->f.link = h->c[best].f.link;
				}
			}
		}
		if (flags_of(c) & RT_RF_YIELD_WMI) {
			for (j = first_at(h, wo, nwo, t > 10 * SEC ? t - 10 * SEC : 0);
			     j < nwo && h->c[wo[j]].f.timestamp <= t + 10 * SEC; j++)
				if (rt_dt_same_name(h->c[wo[j]].f.remote_host, c->f.remote_host))
					break;
			if (j < nwo && h->c[wo[j]].f.timestamp <= t + 10 * SEC) {
				c->f.kind = RT_FK_WMI_OUTBOUND;
				c->f.technique = "T1047";
			}
		}
	}
	for (i = 0; i < h->nc; i++)
		if (!h->c[i].drop && h->c[i].parent != RT_FINDING_NONE &&
		    h->c[i].f.related == RT_FINDING_NONE)
			h->c[i].f.related = h->c[i].parent;
	free(sh);
	free(wo);
	return 0;
}

/* "c:\\\\Windows\\\\cmd.exe" (as Sysmon 20 quotes it) contains "...\\cmd.exe"? */
static int mentions_image(const char *text, const char *image)
{
	rt_buf t = RT_BUF_INIT;
	const char *base = image ? strrchr(image, '\\') : NULL;
	size_t i;
	int r;

	if (!text || !image)
		return 0;
	for (i = 0; text[i]; i++)
		if (!(text[i] == '\\' && t.len && t.buf[t.len - 1] == '\\'))
			rt_buf_addch(&t, text[i]);
	r = rt_strcasestr(t.buf, image) != NULL || (base && rt_strcasestr(t.buf, base));
	rt_buf_release(&t);
	return r;
}

/*
 * WmiPrvSE starts SYSTEM processes for many reasons; after a permanent
 * event consumer was registered on the host (Sysmon 19-21, 5859/5861, a
 * script or WMIC creating one) such a process is that consumer firing. It
 * is linked to the registration, and high when the consumer names its image.
 */
static int link_consumers(hstate *h)
{
	size_t i, k, ns = 0, *subs = malloc((h->nc ? h->nc : 1) * sizeof *subs);

	if (!subs)
		return -1;
	/* the registrations, in candidate order (only consumers are dropped
	 * below, so the list holds) */
	for (i = 0; i < h->nc; i++) {
		const cand *s = &h->c[i];

		if (!s->drop && s->f.kind == RT_FK_WMI_SUBSCRIPTION && !(flags_of(s) & RT_RF_NEED_CONSUMER) &&
		    s->rule)
			subs[ns++] = i;
	}
	for (i = 0; i < h->nc; i++) {
		cand *c = &h->c[i];
		size_t best = RT_FINDING_NONE;

		if (c->drop || !(flags_of(c) & RT_RF_NEED_CONSUMER))
			continue;
		for (k = 0; k < ns; k++) {
			const cand *s = &h->c[subs[k]];

			if (s->f.timestamp > c->f.timestamp)
				continue;
			if (best == RT_FINDING_NONE || mentions_image(s->f.command_line, c->f.process))
				best = subs[k];
		}
		if (best == RT_FINDING_NONE) {
			c->drop = 1;
			continue;
		}
		c->f.related = best; /* candidate index; remapped on move */
		c->f.confidence = mentions_image(h->c[best].f.command_line, c->f.process) ? RT_CONF_HIGH
											   : RT_CONF_MEDIUM;
	}
	free(subs);
	return 0;
}

/* ------------------------------------------------------------------ dedup */

/*
 * A candidate repeats another when both have the same rule, remote address
 * and name, user and process (a field absent is empty). These five are its
 * dedup key, hashed and compared field by field, never joined into one
 * string.
 */
static void key_parts(const cand *c, const char *part[5])
{
	part[0] = c->f.rule_id;
	part[1] = c->f.remote_ip;
	part[2] = c->f.remote_host;
	part[3] = c->f.user;
	part[4] = c->f.process;
}

static uint64_t key_hash(const cand *c)
{
	const char *part[5];
	uint64_t hv = 14695981039346656037u; /* FNV-1a */
	size_t i;

	key_parts(c, part);
	for (i = 0; i < 5; i++) {
		const unsigned char *p = (const unsigned char *)part[i];

		for (; p && *p; p++)
			hv = (hv ^ *p) * 1099511628211u;
		hv = (hv ^ 0x100) * 1099511628211u; /* the field's end */
	}
	return hv;
}

/* The keys of candidates a and b in order, field by field. */
static int cmp_key(const void *ctx, size_t a, size_t b)
{
	const cand *c = ctx;
	const char *x[5], *y[5];
	size_t i;
	int r;

	key_parts(&c[a], x);
	key_parts(&c[b], y);
	for (i = 0; i < 5; i++)
		if ((r = strcmp(x[i] ? x[i] : "", y[i] ? y[i] : "")) != 0)
			return r;
	return 0;
}

typedef struct dkey {
	const cand *c;
	size_t *group; /* by candidate index: the first candidate with its key */
} dkey;

/* Grouped by key (any order of the groups), then in timeline order. */
static int cmp_dedup(const void *ctx, size_t a, size_t b)
{
	const dkey *k = ctx;

	if (k->group[a] != k->group[b])
		return k->group[a] < k->group[b] ? -1 : 1;
	if (k->c[a].f.timestamp != k->c[b].f.timestamp)
		return k->c[a].f.timestamp < k->c[b].f.timestamp ? -1 : 1;
	if (k->c[a].f.record_id != k->c[b].f.record_id)
		return k->c[a].f.record_id < k->c[b].f.record_id ? -1 : 1;
	return a < b ? -1 : a > b;
}

/* Each of the n candidates in idx[] gets the group of its key: the first
 * candidate with the same key. */
static int dedup_groups(const hstate *h, const size_t *idx, size_t n, size_t *group)
{
	uint64_t *hv = malloc((h->nc ? h->nc : 1) * sizeof *hv);
	size_t i;
	int r;

	if (!hv)
		return -1;
	for (i = 0; i < n; i++)
		hv[idx[i]] = key_hash(&h->c[idx[i]]);
	r = rt_detect_group_idx(idx, n, hv, cmp_key, h->c, group);
	free(hv);
	return r;
}

/* Repeats of a noisy signature within a minute of the last one kept add nothing. */
static int dedup(hstate *h)
{
	size_t *idx, n = 0, i, prev = SIZE_MAX;
	dkey k = { h->c, NULL };
	uint64_t last = 0;
	int r = 0;

	idx = malloc((h->nc ? h->nc : 1) * sizeof *idx);
	k.group = malloc((h->nc ? h->nc : 1) * sizeof *k.group);
	if (!idx || !k.group) {
		free(idx);
		free(k.group);
		return -1;
	}
	for (i = 0; i < h->nc; i++)
		if (!h->c[i].drop && (flags_of(&h->c[i]) & RT_RF_DEDUP))
			idx[n++] = i;
	if (dedup_groups(h, idx, n, k.group)) {
		r = -1;
	} else {
		rt_detect_sort_idx(idx, n, cmp_dedup, &k);
		for (i = 0; i < n; i++) {
			cand *c = &h->c[idx[i]];

			if (prev == k.group[idx[i]] && c->f.timestamp - last <= 60 * SEC) {
				c->drop = 1;
				continue;
			}
			last = c->f.timestamp;
			prev = k.group[idx[i]];
		}
	}
	free(k.group);
	free(idx);
	return r;
}

/* ------------------------------------------------------------------ end of a host */

/* Keep what cross-host pairing needs: name, addresses, remote network logons. */
static int keep_segment(rt_detect *d, hstate *h)
{
	rt_pair_host *s;
	size_t k;

	if (DT_GROW(d->seg, d->nseg, d->aseg))
		return -1;
	s = &d->seg[d->nseg++];
	memset(s, 0, sizeof *s);
	s->name = h->name;
	h->name = NULL;
	s->ips = malloc((h->nips ? h->nips : 1) * sizeof *s->ips);
	s->logons = malloc((h->nby_time ? h->nby_time : 1) * sizeof *s->logons);
	if (!s->ips || !s->logons)
		return -1;
	memcpy(s->ips, h->ips, h->nips * sizeof *s->ips);
	s->nips = h->nips;
	h->nips = 0;
	for (k = 0; k < h->nby_time; k++) {
		logon *l = &h->lg[h->by_time[k]]; /* remote logons, already in time order */

		s->logons[s->nlogons++] = logon_view(l);
		free(l->sid);
		memset(l, 0, sizeof *l);
		l->finding = RT_FINDING_NONE;
	}
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_ls_id(const void *ctx, size_t a, size_t b)
{
	const lsess *l = ctx;

	return strcmp(l[a].id, l[b].id);
}

static int cmp_cn_time(const void *ctx, size_t a, size_t b)
{
	const conn *c = ctx;

	return time_order(c[a].ts, c[b].ts, a, b);
}

/* What correlation looks things up in, sorted once: boots and local WMI
 * requests by time, local sessions by id (in place: the host takes no more
 * events, so their index by (id, candidate) is done with), connections by
 * time in an index (the order they were recorded in decides ties). */
static int lookups_index(hstate *h)
{
	size_t n;

	if (h->nboots > 1) /* (qsort wants an array, even of nothing) */
		qsort(h->boots, h->nboots, sizeof *h->boots, cmp_u64);
	if (h->nwreq > 1)
		qsort(h->wreq, h->nwreq, sizeof *h->wreq, cmp_u64);
	free(h->cn_by_time);
	h->cn_by_time = index_of(h->ncn, NULL, cmp_cn_time, h->cn, &n);
	return !h->cn_by_time || sort_array(h->ls, h->nls, sizeof *h->ls, cmp_ls_id) ? -1 : 0;
}

int rt_dt_end_host(rt_detect *d, hstate *h)
{
	size_t i, k = 0;
	rt_buf b = RT_BUF_INIT;

	if (sort_array(h->lg, h->nlg, sizeof *h->lg, cmp_logon) ||
	    sort_array(h->lo, h->nlo, sizeof *h->lo, cmp_logon) || index_logons_by_time(h) ||
	    lookups_index(h) || link_output_files(h))
		return -1;
	for (i = 0; i < h->nc; i++)
		correlate_one(d, h, &h->c[i]);
	if (d->oom || link_consumers(h) || link_and_recast(h) || dedup(h))
		return -1;
	for (i = 0; i < h->nc; i++)
		if (!h->c[i].drop)
			h->c[i].final = d->all.n + k++;
	for (i = 0; i < h->nc; i++) {
		cand *c = &h->c[i];
		rt_finding *f;

		if (c->drop)
			continue;
		if (c->f.related != RT_FINDING_NONE)
			c->f.related = h->c[c->f.related].drop ? RT_FINDING_NONE : h->c[c->f.related].final;
		if (rt_tmpl_render(&b, c->tmpl, &c->f) || !(f = rt_findings_add(&d->all))) {
			rt_buf_release(&b);
			return -1;
		}
		*f = c->f;
		f->message = rt_buf_detach(&b, NULL);
		memset(&c->f, 0, sizeof c->f);
		if (!f->message)
			return -1;
	}
	rt_buf_release(&b);
	for (i = 0; i < h->nch; i++) {
		rt_change *c = rt_findings_add_change(&d->all);

		if (!c)
			return -1;
		*c = h->ch[i];
		if (c->finding != RT_FINDING_NONE)
			c->finding = h->c[c->finding].drop ? RT_FINDING_NONE : h->c[c->finding].final;
		memset(&h->ch[i], 0, sizeof h->ch[i]);
	}
	return keep_segment(d, h);
}

/* ------------------------------------------------------------------ pairing */

static int seg_has_ip(const rt_pair_host *s, const char *ip)
{
	size_t i;

	for (i = 0; ip && i < s->nips; i++)
		if (rt_strcaseeq(s->ips[i], ip))
			return 1;
	return 0;
}

static int targets(const rt_pair_host *b, const rt_finding *o)
{
	return rt_dt_same_name(o->remote_host, b->name) || seg_has_ip(b, o->remote_ip) ||
	       (o->remote_host && rt_dt_is_ip(o->remote_host) && seg_has_ip(b, o->remote_host));
}

/* Does inbound finding/logon (remote ip, remote host) point back at host segment a? */
static int from_source(const rt_pair_host *a, const char *ip, const char *host)
{
	if (rt_dt_usable(ip) && a->nips)
		return seg_has_ip(a, ip);
	if (rt_dt_usable(host))
		return rt_dt_same_name(host, a->name);
	return 1;
}

static const rt_pair_host *seg_named(const rt_pair_host *h, size_t n, const char *name)
{
	size_t i;

	for (i = 0; name && i < n; i++)
		if (rt_strcaseeq(h[i].name, name))
			return &h[i];
	return NULL;
}

/* Timeline order, whatever the order of the list. */
static int cmp_finding_at(const void *ctx, size_t a, size_t b)
{
	const rt_finding *f = ctx;
	int c = rt_detect_finding_cmp(&f[a], &f[b]);

	return c ? c : (a < b ? -1 : a > b);
}

/* Best inbound finding on b for outbound o (time-sorted index in[]). */
static size_t pair_finding(const rt_findings *all, const size_t *in, size_t nin,
			   const rt_pair_host *a, const rt_pair_host *b, const rt_finding *of,
			   rt_finding_kind want)
{
	uint64_t t = of->timestamp, from = t > PAIR_WINDOW ? t - PAIR_WINDOW : 0, bestdt = 0;
	size_t lo = 0, hi = nin, best = RT_FINDING_NONE;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (all->items[in[mid]].timestamp < from)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < nin && all->items[in[lo]].timestamp <= t + PAIR_WINDOW; lo++) {
		const rt_finding *f = &all->items[in[lo]];
		uint64_t dt = rt_dt_absdiff(f->timestamp, t);

		if (f->kind != want || f->paired != RT_FINDING_NONE ||
		    !rt_strcaseeq(f->host, b->name) || !rt_dt_users_compatible(f->user, of->user) ||
		    !from_source(a, f->remote_ip, f->remote_host))
			continue;
		if (best == RT_FINDING_NONE || dt < bestdt) {
			best = in[lo];
			bestdt = dt;
		}
	}
	return best;
}

/* Best network logon on b (logons sorted by time) for outbound o. */
static size_t pair_logon(const rt_pair_host *a, const rt_pair_host *b, const rt_finding *of)
{
	uint64_t t = of->timestamp, from = t > PAIR_WINDOW ? t - PAIR_WINDOW : 0, bestdt = 0;
	size_t lo = 0, hi = b->nlogons, best = RT_FINDING_NONE;

	if (!a->nips && !rt_dt_usable(of->user))
		return RT_FINDING_NONE;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (b->logons[mid].time < from)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < b->nlogons && b->logons[lo].time <= t + PAIR_WINDOW; lo++) {
		const rt_pair_logon *l = &b->logons[lo];
		uint64_t dt = rt_dt_absdiff(l->time, t);

		if (!rt_dt_users_compatible(l->user, of->user) ||
		    !from_source(a, l->ip, l->workstation))
			continue;
		if (best == RT_FINDING_NONE || dt < bestdt) {
			best = lo;
			bestdt = dt;
		}
	}
	return best;
}

int rt_pair_findings(rt_findings *all, rt_pair_host *hosts, size_t nhosts)
{
	size_t o, k, s, n0 = all->n, nin = 0, nout = 0, *in, *out;

	if (nhosts < 2 || !n0)
		return 0;
	in = malloc(n0 * sizeof *in);
	out = malloc(n0 * sizeof *out);
	if (!in || !out) {
		free(in);
		free(out);
		return -1;
	}
	for (o = 0; o < n0; o++) {
		const rt_kind_info *ki = rt_finding_kind_info(all->items[o].kind);

		if (ki->counterpart == RT_FK_COUNT)
			continue;
		if (ki->direction == RT_DIR_INBOUND)
			in[nin++] = o;
		else if (ki->direction == RT_DIR_OUTBOUND)
			out[nout++] = o;
	}
	/* both in timeline order, so that which outbound finding gets an
	 * inbound one two could claim never depends on the list's order */
	rt_detect_sort_idx(in, nin, cmp_finding_at, all->items);
	rt_detect_sort_idx(out, nout, cmp_finding_at, all->items);
	for (k = 0; k < nout; k++) {
		rt_finding *of = &all->items[out[k]];
		const rt_kind_info *ki = rt_finding_kind_info(of->kind);
		const rt_pair_host *a = seg_named(hosts, nhosts, of->host);
		size_t best = RT_FINDING_NONE;

		if (of->paired != RT_FINDING_NONE || !a)
			continue;
		for (s = 0; s < nhosts && best == RT_FINDING_NONE; s++) {
			rt_pair_host *b = &hosts[s];

			if (b == a || rt_strcaseeq(b->name, a->name) || !targets(b, of))
				continue;
			best = pair_finding(all, in, nin, a, b, of, ki->counterpart);
			if (best != RT_FINDING_NONE)
				break;
			/* no inbound finding: a network logon from the source will do */
			best = pair_logon(a, b, of);
			if (best != RT_FINDING_NONE) {
				best = materialize_logon(all, b->name, &b->logons[best]);
				if (best == RT_FINDING_NONE) {
					free(in);
					free(out);
					return -1;
				}
				of = &all->items[out[k]];
			}
		}
		if (best == RT_FINDING_NONE)
			continue;
		of->paired = best;
		all->items[best].paired = out[k];
		of->confidence = RT_CONF_HIGH;
		if (all->items[best].kind != RT_FK_LOGON_NETWORK)
			all->items[best].confidence = RT_CONF_HIGH;
	}
	free(in);
	free(out);
	return 0;
}

void rt_pair_logon_release(rt_pair_logon *l)
{
	free(l->ip);
	free(l->workstation);
	free(l->user);
	free(l->logon_id);
	free(l->file);
	free(l->channel);
	memset(l, 0, sizeof *l);
}

void rt_pair_hosts_free(rt_pair_host *h, size_t n)
{
	size_t i, j;

	for (i = 0; h && i < n; i++) {
		free(h[i].name);
		for (j = 0; j < h[i].nips; j++)
			free(h[i].ips[j]);
		free(h[i].ips);
		for (j = 0; j < h[i].nlogons; j++)
			rt_pair_logon_release(&h[i].logons[j]);
		free(h[i].logons);
	}
	free(h);
}
