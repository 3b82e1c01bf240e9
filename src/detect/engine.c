/*
 * The detection engine, reading side: every event is matched against the
 * compiled rule table (rules.h) and what correlation will need is noted
 * compactly - candidate findings, logon sessions, inbound connections,
 * boots, the live processes of the log being read, sessions that run local
 * processes, change points. Decisions that depend on "before/after" across
 * logs wait for the end of the host (correlate.c): a host's logs arrive one
 * after another, not in time order. See detect.h for the contract.
 *
 * A record belongs to its own computer: a log that holds several
 * computers' records (forwarded events) has each record filed under the
 * host its System/Computer names, unless that is the log's own computer
 * (the first one in it, which named the evidence host).
 */
#include "config.h"

#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"

#define PARENT_MAX_AGE (24ULL * 3600 * RT_DT_SEC) /* PID links older than this are not made */

/* Images the PID table keeps, so a 4688 without ParentProcessName can name
 * a parent the rules care about. */
#define PID_IMAGES                                                                            \
	"\\WmiPrvSE.exe|\\wsmprovhost.exe|\\winrshost.exe|\\mmc.exe|\\mshta.exe|\\explorer.exe|" \
	"\\excel.exe|\\outlook.exe|\\winword.exe|\\powerpnt.exe|\\visio.exe|\\scrcons.exe|"    \
	"\\svchost.exe|\\services.exe|\\iexplore.exe"
/* Servers of remote requests: their children run for a caller, so they say
 * nothing about whether the caller's session is local. An image is one
 * when it ends with one of these (any case); asked for every process. */
#define SERVER(x) { x, sizeof x - 1 }
static const struct {
	const char *name;
	size_t len;
} servers[] = {
	SERVER("\\wmiprvse.exe"), SERVER("\\wsmprovhost.exe"), SERVER("\\winrshost.exe"),
	SERVER("\\mmc.exe"),      SERVER("\\mshta.exe"),       SERVER("\\excel.exe"),
	SERVER("\\outlook.exe"),  SERVER("\\winword.exe"),     SERVER("\\powerpnt.exe"),
	SERVER("\\visio.exe"),    SERVER("\\scrcons.exe"),     SERVER("\\svchost.exe"),
	SERVER("\\services.exe"), SERVER("\\iexplore.exe"),    SERVER("\\dllhost.exe"),
	SERVER("\\taskeng.exe"),  SERVER("\\taskhostw.exe"),
};

/* ------------------------------------------------------------------ helpers */

int rt_dt_grow(void **p, size_t *alloc, size_t need, size_t size)
{
	size_t na;
	void *q;

	if (need <= *alloc)
		return 0;
	na = *alloc ? *alloc * 2 : 16;
	while (na < need)
		na *= 2;
	q = realloc(*p, na * size);
	if (!q)
		return -1;
	*p = q;
	*alloc = na;
	return 0;
}

void rt_dt_set_str(char **dst, const char *v)
{
	if (!*dst && rt_dt_usable(v))
		*dst = rt_strdup0(v);
}

int rt_dt_local_name(const hstate *h, const char *n)
{
	return !rt_dt_usable(n) || rt_strcaseeq(n, "localhost") || !strcmp(n, ".") ||
	       rt_dt_is_loopback(n) || rt_dt_same_name(n, h->name) || rt_dt_same_name(n, h->computer);
}

int rt_dt_is_broker(const char *image)
{
	size_t i, n = image ? strlen(image) : 0;

	for (i = 0; i < sizeof servers / sizeof servers[0]; i++)
		if (n >= servers[i].len && image[n - servers[i].len] == '\\' &&
		    rt_strncaseeq(image + n - servers[i].len, servers[i].name, servers[i].len))
			return 1;
	return 0;
}

/* Record layouts (which record is what is the rule table's to say). */
static int has_guids(const rt_event *ev)
{
	return rt_event_get(ev, "ProcessGuid") && rt_event_get(ev, "ParentProcessGuid");
}

/* ------------------------------------------------------------------ PID table */

static size_t ps_slot(const hstate *h, uint32_t pid)
{
	size_t mask = h->aps - 1, i = (pid * 2654435761u) & mask;

	while (h->ps[i].pid && h->ps[i].pid != pid)
		i = (i + 1) & mask;
	return i;
}

static pslot *ps_find(const hstate *h, uint32_t pid)
{
	size_t i;

	if (!pid || !h->aps)
		return NULL;
	i = ps_slot(h, pid);
	return h->ps[i].pid ? &h->ps[i] : NULL;
}

static int ps_put(hstate *h, uint32_t pid, uint64_t start, const char *image, size_t ci)
{
	size_t i;

	if (!pid)
		return 0;
	if (2 * (h->nps + 1) > h->aps) {
		pslot *old = h->ps;
		size_t k, na = h->aps, n = h->aps ? h->aps * 2 : 256;

		h->ps = calloc(n, sizeof *h->ps);
		if (!h->ps) {
			h->ps = old;
			return -1;
		}
		h->aps = n;
		h->nps = 0;
		for (k = 0; k < na; k++)
			if (old[k].pid) {
				h->ps[ps_slot(h, old[k].pid)] = old[k];
				h->nps++;
			}
		free(old);
	}
	i = ps_slot(h, pid);
	h->nps += !h->ps[i].pid;
	h->ps[i].pid = pid;
	h->ps[i].start = start;
	h->ps[i].image = image;
	h->ps[i].cand = ci;
	return 0;
}

/* Open addressing cannot just empty a slot: re-insert the run after it. */
static void ps_remove(hstate *h, uint32_t pid)
{
	size_t i, mask;

	if (!pid || !h->aps || !h->ps[i = ps_slot(h, pid)].pid)
		return;
	mask = h->aps - 1;
	h->ps[i].pid = 0;
	h->nps--;
	for (i = (i + 1) & mask; h->ps[i].pid; i = (i + 1) & mask) {
		pslot s = h->ps[i];

		h->ps[i].pid = 0;
		h->nps--;
		h->ps[ps_slot(h, s.pid)] = s;
		h->nps++;
	}
}

static void ps_reset(hstate *h)
{
	if (h->aps)
		memset(h->ps, 0, h->aps * sizeof *h->ps);
	h->nps = 0;
}

/* The live process of this log and boot that `pid` names at `ts`, or NULL. */
static const pslot *ps_parent(const hstate *h, uint32_t pid, uint64_t ts)
{
	const pslot *s = ps_find(h, pid);

	if (!s || s->start > ts || ts - s->start > PARENT_MAX_AGE)
		return NULL;
	return s;
}

/* ------------------------------------------------------------------ indexes */

/* FNV-1a of a string. */
static size_t str_hash(const char *s)
{
	size_t x = 2166136261u;
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++)
		x = (x ^ *p) * 16777619u;
	return x;
}

/* Room in x for one more item; items are rehashed by hash_of(ctx, i). A
 * lookup (the caller's: it compares keys) probes from hash & (cap - 1) to
 * the item or the first empty slot. */
static int ix_room(ix *x, size_t (*hash_of)(const void *ctx, size_t i), const void *ctx)
{
	size_t *old = x->slot, na = x->cap, n, k, j;

	if (2 * (x->n + 1) <= x->cap)
		return 0;
	n = x->cap ? x->cap * 2 : 64;
	if (!(x->slot = calloc(n, sizeof *x->slot))) {
		x->slot = old;
		return -1;
	}
	x->cap = n;
	for (k = 0; k < na; k++)
		if (old[k]) {
			for (j = hash_of(ctx, old[k] - 1) & (n - 1); x->slot[j]; j = (j + 1) & (n - 1))
				;
			x->slot[j] = old[k];
		}
	free(old);
	return 0;
}

static void ix_release(ix *x)
{
	free(x->slot);
	memset(x, 0, sizeof *x);
}

typedef const char *(*str_key)(const void *ctx, size_t i);

/* Where the item whose key(ctx, i) is s lies, or the empty slot for it. */
static size_t str_slot(const ix *x, const char *s, str_key key, const void *ctx)
{
	size_t k, mask = x->cap - 1;

	for (k = str_hash(s) & mask; x->slot[k] && strcmp(key(ctx, x->slot[k] - 1), s); k = (k + 1) & mask)
		;
	return k;
}

static const char *img_key(const void *ctx, size_t i)
{
	return ((const hstate *)ctx)->imgs[i];
}

static size_t img_hash(const void *ctx, size_t i)
{
	return str_hash(img_key(ctx, i));
}

static const char *intern_image(hstate *h, const char *img)
{
	size_t k;

	if (ix_room(&h->imgs_ix, img_hash, h))
		return NULL;
	k = str_slot(&h->imgs_ix, img, img_key, h);
	if (h->imgs_ix.slot[k])
		return h->imgs[h->imgs_ix.slot[k] - 1];
	if (DT_GROW(h->imgs, h->nimgs, h->aimgs) || !(h->imgs[h->nimgs] = rt_strdup0(img)))
		return NULL;
	h->imgs_ix.slot[k] = h->nimgs + 1;
	h->imgs_ix.n++;
	return h->imgs[h->nimgs++];
}

/* spec env callback: a 4688's parent image from the PID table. */
static const char *parent_image_cb(void *ctx, const rt_event *ev)
{
	const pslot *s = ps_parent(ctx, rt_spec_field_u32(ev, "ProcessId"), ev->timestamp);

	return s ? s->image : NULL;
}

/* ------------------------------------------------------------------ hosts */

static void hstate_release(hstate *h)
{
	size_t i;

	for (i = 0; i < h->nc; i++) {
		cand *c = &h->c[i];

		free(c->tmpl);
		free(c->guid);
		free(c->parent_guid);
		free(c->sid);
		free(c->out_file);
		free(c->child_logon);
		rt_detect_finding_release(&c->f);
	}
	for (i = 0; i < h->nlg; i++)
		rt_dt_logon_release(&h->lg[i]);
	for (i = 0; i < h->nlo; i++)
		rt_dt_logon_release(&h->lo[i]);
	free(h->lo);
	for (i = 0; i < h->ncn; i++) {
		free(h->cn[i].peer);
		free(h->cn[i].guid);
	}
	for (i = 0; i < h->nls; i++)
		free(h->ls[i].id);
	for (i = 0; i < h->nips; i++)
		free(h->ips[i]);
	for (i = 0; i < h->nch; i++)
		rt_detect_change_release(&h->ch[i]);
	for (i = 0; i < h->nimgs; i++)
		free(h->imgs[i]);
	free(h->c);
	free(h->lg);
	free(h->by_time);
	free(h->cn);
	free(h->cn_by_time);
	free(h->ls);
	ix_release(&h->ls_ix);
	free(h->boots);
	free(h->wreq);
	ix_release(&h->guid_ix);
	free(h->ch);
	free(h->imgs);
	ix_release(&h->imgs_ix);
	free(h->ps);
	free(h->name);
	free(h->computer);
	memset(h, 0, sizeof *h);
}

/* Correlate and drop every host of the evidence host being read. */
static int end_hosts(rt_detect *d)
{
	size_t i;
	int r = 0;

	for (i = 0; i < d->nhs; i++) {
		if (!r && rt_dt_end_host(d, &d->hs[i]))
			r = -1;
		hstate_release(&d->hs[i]);
	}
	d->nhs = 0;
	ix_release(&d->hs_ix);
	free(d->evhost);
	d->evhost = NULL;
	return r;
}

/* "fs03.offsec.lan" -> "FS03" (the evidence module's host naming). */
static int short_upper(const char *computer, char *out, size_t n)
{
	size_t i, k = strcspn(computer, ".");

	if (!k || k >= n)
		return -1;
	for (i = 0; i < k; i++)
		out[i] = (char)(computer[i] >= 'a' && computer[i] <= 'z' ? computer[i] - 32 : computer[i]);
	out[k] = '\0';
	return 0;
}

/* Hosts are found by name in hs_ix. */
static const char *hs_key(const void *ctx, size_t i)
{
	return ((const rt_detect *)ctx)->hs[i].name;
}

static size_t hs_hash(const void *ctx, size_t i)
{
	return str_hash(hs_key(ctx, i));
}

/* The host state a record belongs to (made on first use); NULL on OOM. */
static hstate *host_for(rt_detect *d, const rt_event *ev)
{
	const char *evhost = ev->host ? ev->host : "", *name = evhost;
	char own[256];
	hstate *h;
	size_t i, k = 0;

	if (!d->evhost || strcmp(d->evhost, evhost) != 0) {
		if (end_hosts(d) || !(d->evhost = rt_strdup0(evhost)))
			return NULL;
	}
	if (!d->file || strcmp(d->file, ev->source_file ? ev->source_file : "") != 0) {
		free(d->file);
		free(d->file_computer);
		free(d->last_computer);
		d->file_computer = d->last_computer = NULL;
		d->file_no++;
		if (!(d->file = rt_strdup0(ev->source_file ? ev->source_file : "")))
			return NULL;
	}
	if (rt_dt_usable(ev->computer)) {
		if (!d->file_computer && !(d->file_computer = rt_strdup0(ev->computer)))
			return NULL;
		/* a log's records name one computer, run after run */
		if (!d->last_computer || strcmp(d->last_computer, ev->computer) != 0) {
			free(d->last_computer);
			if (!(d->last_computer = rt_strdup0(ev->computer)))
				return NULL;
			d->last_same = rt_dt_same_name(ev->computer, d->file_computer);
		}
		if (!d->last_same && !short_upper(ev->computer, own, sizeof own))
			name = own;
	}
	if (d->last_hs < d->nhs && !strcmp(d->hs[d->last_hs].name, name)) {
		i = d->last_hs;
	} else {
		if (ix_room(&d->hs_ix, hs_hash, d))
			return NULL;
		k = str_slot(&d->hs_ix, name, hs_key, d);
		i = d->hs_ix.slot[k] ? d->hs_ix.slot[k] - 1 : d->nhs;
	}
	if (i == d->nhs) {
		if (DT_GROW(d->hs, d->nhs, d->ahs))
			return NULL;
		h = &d->hs[d->nhs];
		memset(h, 0, sizeof *h);
		h->name = rt_strdup0(name);
		h->computer = rt_strdup0(name == evhost && d->file_computer ? d->file_computer
						: ev->computer ? ev->computer : "");
		if (!h->name || !h->computer) {
			hstate_release(h);
			return NULL;
		}
		d->hs_ix.slot[k] = ++d->nhs;
		d->hs_ix.n++;
	}
	d->last_hs = i;
	h = &d->hs[i];
	if (h->ps_file != d->file_no) {
		ps_reset(h);
		h->ps_file = d->file_no;
	}
	return h;
}

/* ------------------------------------------------------------------ notes */

static int note_logon(hstate *h, const rt_event *ev)
{
	logon *l;
	uint64_t type;
	rt_buf b = RT_BUF_INIT;

	if (DT_GROW(h->lg, h->nlg, h->alg))
		return -1;
	l = &h->lg[h->nlg];
	memset(l, 0, sizeof *l);
	l->id = rt_dt_norm_logon(rt_event_get(ev, "TargetLogonId"));
	if (!l->id)
		return 0;
	l->type = rt_parse_u64(rt_event_gets(ev, "LogonType"), &type) == 0 ? (int)type : -1;
	l->ip = rt_dt_usable(rt_event_get(ev, "IpAddress")) ? rt_strdup0(rt_event_get(ev, "IpAddress"))
							     : NULL;
	l->ws = rt_dt_usable(rt_event_get(ev, "WorkstationName"))
			? rt_strdup0(rt_event_get(ev, "WorkstationName"))
			: NULL;
	l->user = rt_strdup0(rt_spec_account(ev, "TargetDomainName", "TargetUserName", &b));
	l->sid = rt_strdup0(rt_event_get(ev, "TargetUserSid"));
	l->file = rt_strdup0(ev->source_file);
	l->channel = rt_strdup0(ev->channel);
	l->ts = ev->timestamp;
	l->rid = ev->record_id;
	l->finding = RT_FINDING_NONE;
	rt_buf_release(&b);
	h->nlg++;
	return l->file && l->channel ? 0 : -1;
}

static void note_ip(hstate *h, const char *ip)
{
	size_t i;

	if (!rt_dt_usable(ip) || rt_dt_is_loopback(ip) || h->nips >= MAX_HOST_IPS)
		return;
	for (i = 0; i < h->nips; i++)
		if (rt_strcaseeq(h->ips[i], ip))
			return;
	if ((h->ips[h->nips] = rt_strdup0(ip)) != NULL)
		h->nips++;
}

static int note_conn(hstate *h, const rt_spec_env *env, const rt_event *ev)
{
	const char *peer, *lp, *pp, *img;
	int inbound;
	uint64_t port = 0;
	conn *c;

	if (rt_event_get(ev, "Initiated"))
		inbound = rt_strcaseeq(rt_event_gets(ev, "Initiated"), "false");
	else
		inbound = !strcmp(rt_event_gets(ev, "Direction"), "%%14592");
	note_ip(h, rt_spec_local_ip(env, ev));
	if (!inbound)
		return 0;
	rt_spec_conn_sides(env, ev, &peer, &lp, &pp);
	if (rt_dt_is_loopback(peer))
		return 0;
	rt_parse_u64(lp ? lp : "", &port);
	img = rt_event_get(ev, "Image");
	if (port != 135 && port != 24158 &&
	    !(img && rt_dt_in_list(img, "\\mmc.exe|\\mshta.exe|\\explorer.exe|\\excel.exe|"
					"\\outlook.exe|\\visio.exe|\\powerpnt.exe|\\iexplore.exe",
				   RT_DT_ENDS)))
		return 0;
	if (DT_GROW(h->cn, h->ncn, h->acn))
		return -1;
	c = &h->cn[h->ncn++];
	c->ts = ev->timestamp;
	c->lport = (unsigned)port;
	c->peer = rt_strdup0(peer);
	c->guid = rt_strdup0(rt_event_get(ev, "ProcessGuid"));
	return c->peer ? 0 : -1;
}

static int note_logoff(hstate *h, const rt_event *ev)
{
	char *id = rt_dt_norm_logon(rt_event_get(ev, "TargetLogonId"));

	if (!id)
		return 0;
	if (DT_GROW(h->lo, h->nlo, h->alo)) {
		free(id);
		return -1;
	}
	memset(&h->lo[h->nlo], 0, sizeof h->lo[h->nlo]);
	h->lo[h->nlo].id = id;
	h->lo[h->nlo++].ts = ev->timestamp;
	return 0;
}

static int note_boot(hstate *h, uint64_t ts)
{
	if (DT_GROW(h->boots, h->nboots, h->aboots))
		return -1;
	h->boots[h->nboots++] = ts;
	return 0;
}

/* The local sessions are looked up by (id, candidate) for every process
 * event: hashed, as a log can name hundreds of thousands of sessions
 * (scanned, a Security log of 80,000 such processes spent most of its
 * time here). */
static size_t ls_hash(const void *ctx, size_t i)
{
	return ((const hstate *)ctx)->ls[i].hash;
}

/* Where (id, anc) is in ls_ix (hash: theirs), or the empty slot for it. */
static size_t ls_slot(const hstate *h, const char *id, size_t anc, size_t hash)
{
	size_t x, mask = h->ls_ix.cap - 1;

	for (x = hash & mask; h->ls_ix.slot[x]; x = (x + 1) & mask) {
		const lsess *l = &h->ls[h->ls_ix.slot[x] - 1];

		if (l->hash == hash && l->anc == anc && !strcmp(l->id, id))
			break;
	}
	return x;
}

/* A process in a non-service session whose parent is known and is no
 * server of remote requests: the session runs local processes. */
static int note_local(hstate *h, const rt_event *ev, size_t anc)
{
	rt_buf b = RT_BUF_INIT;
	const char *id = rt_spec_proc_logon(ev, &b), *parent = NULL;
	int known;
	size_t i, k, hash;

	if (!id || rt_dt_service_logon(id)) {
		rt_buf_release(&b);
		return 0;
	}
	if (rt_spec_is_4688(ev) && !rt_dt_usable(rt_event_get(ev, "ParentProcessName"))) {
		const pslot *s = ps_parent(h, rt_spec_field_u32(ev, "ProcessId"), ev->timestamp);

		known = s != NULL;
		parent = s ? s->image : NULL;
	} else {
		parent = rt_event_get(ev, "ParentImage");
		if (!rt_dt_usable(parent))
			parent = rt_event_get(ev, "ParentProcessName");
		known = rt_dt_usable(parent);
	}
	if (!known || rt_dt_is_broker(parent)) {
		rt_buf_release(&b);
		return 0;
	}
	hash = str_hash(id) ^ anc * 2654435761u;
	if (ix_room(&h->ls_ix, ls_hash, h)) {
		rt_buf_release(&b);
		return -1;
	}
	k = ls_slot(h, id, anc, hash);
	if (h->ls_ix.slot[k]) {
		i = h->ls_ix.slot[k] - 1;
	} else {
		i = h->nls;
		if (DT_GROW(h->ls, h->nls, h->als) || !(h->ls[h->nls].id = rt_strdup0(id))) {
			rt_buf_release(&b);
			return -1;
		}
		h->ls[i].anc = anc;
		h->ls[i].hash = hash;
		h->ls[i].first = h->ls[i].last = ev->timestamp;
		h->ls_ix.slot[k] = i + 1;
		h->ls_ix.n++;
		h->nls++;
	}
	if (ev->timestamp < h->ls[i].first)
		h->ls[i].first = ev->timestamp;
	if (ev->timestamp > h->ls[i].last)
		h->ls[i].last = ev->timestamp;
	rt_buf_release(&b);
	return 0;
}

/* A local command asking WMI to start a process (wmic process call create,
 * winrm invoke Create wmicimv2/Win32_Process, ...) without naming another
 * host: the WmiPrvSE child that follows is local use. */
static int note_request(hstate *h, const rt_spec_env *env, const rt_event *ev,
			const rt_crule *rule)
{
	rt_buf b = RT_BUF_INIT;
	const char *target = rt_spec_resolve(rule->remote_host, env, ev, &b);
	int remote = target && !rt_dt_local_name(h, target);

	rt_buf_release(&b);
	if (remote)
		return 0;
	if (DT_GROW(h->wreq, h->nwreq, h->awreq))
		return -1;
	h->wreq[h->nwreq++] = ev->timestamp;
	return 0;
}

/* ------------------------------------------------------------------ process chains */

/*
 * Every Sysmon 1 event looks for a tracked candidate whose ProcessGuid is
 * its ParentProcessGuid; a busy host has thousands of candidates, so they
 * are indexed by GUID instead of scanned (guid_ix); the GUID hashes
 * case-folded because GUIDs compare case-insensitively.
 */
static size_t guid_hash(const char *guid)
{
	size_t x = 2166136261u;
	const unsigned char *p;

	for (p = (const unsigned char *)guid; *p; p++)
		x = (x ^ (size_t)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p)) * 16777619u;
	return x;
}

/* The slot of `guid` (its guid_hash in `hash`): where it is, or the empty
 * slot where it would go. Candidates keep their GUID's hash, so probing
 * compares numbers and only a hash match compares text. */
static size_t guid_slot(const hstate *h, const char *guid, size_t hash)
{
	size_t x, mask = h->guid_ix.cap - 1;

	for (x = hash & mask; h->guid_ix.slot[x]; x = (x + 1) & mask) {
		const cand *c = &h->c[h->guid_ix.slot[x] - 1];

		if (c->guid_hash == hash && rt_strcaseeq(c->guid, guid))
			break;
	}
	return x;
}

static size_t cand_guid_hash(const void *ctx, size_t i)
{
	return ((const hstate *)ctx)->c[i].guid_hash;
}

/* Index candidate `i` under its GUID; a later candidate replaces an earlier
 * one, as the newest process with a GUID is the one its children name. */
static int index_guid(hstate *h, size_t i)
{
	size_t k;

	if (ix_room(&h->guid_ix, cand_guid_hash, h))
		return -1;
	k = guid_slot(h, h->c[i].guid, h->c[i].guid_hash);
	h->guid_ix.n += !h->guid_ix.slot[k];
	h->guid_ix.slot[k] = i + 1;
	return 0;
}

/* The tracked candidate that is ev's parent: by ParentProcessGuid (Sysmon)
 * or by PID in this log and boot (4688). */
static size_t find_tracked(const hstate *h, const rt_event *ev, rt_link *how, uint64_t *start)
{
	if (has_guids(ev)) {
		const char *pg = rt_event_get(ev, "ParentProcessGuid");
		size_t i;

		if (!rt_dt_usable(pg) || !h->guid_ix.n)
			return RT_FINDING_NONE;
		i = h->guid_ix.slot[guid_slot(h, pg, guid_hash(pg))];
		*how = RT_LINK_PROCESS_GUID;
		return i ? i - 1 : RT_FINDING_NONE;
	} else if (rt_spec_is_4688(ev)) {
		const pslot *s = ps_parent(h, rt_spec_field_u32(ev, "ProcessId"), ev->timestamp);

		if (!s || s->cand == RT_FINDING_NONE || !h->c[s->cand].tracked)
			return RT_FINDING_NONE;
		*how = RT_LINK_PID_TIME;
		*start = s->start;
		return s->cand;
	}
	return RT_FINDING_NONE;
}

/* The file a command writes its output to: "...1> \\127.0.0.1\ADMIN$\__1619.0 2>&1". */
static char *output_file(const char *cmd)
{
	const char *p = cmd ? rt_strcasestr(cmd, "\\\\127.0.0.1\\") : NULL, *s;
	size_t n;

	if (!p)
		return NULL;
	p += 12;
	p += strcspn(p, "\\ ");
	if (*p != '\\')
		return NULL;
	s = p + 1;
	n = strcspn(s, " \t\"'");
	if (!n)
		return NULL;
	{
		char *r = malloc(n + 1);

		if (r) {
			memcpy(r, s, n);
			r[n] = '\0';
		}
		return r;
	}
}

/* ------------------------------------------------------------------ candidates */

static int add_cand(const rt_ruleset *rs, hstate *h, const rt_spec_env *env, const rt_event *ev,
		    const rt_memo *m, int proc, const rt_crule *cr, size_t parent, rt_link plink,
		    uint64_t pstart, size_t *out)
{
	cand *c;
	rt_buf t = RT_BUF_INIT;

	*out = RT_FINDING_NONE;
	if (DT_GROW(h->c, h->nc, h->ac))
		return -1;
	c = &h->c[h->nc];
	memset(c, 0, sizeof *c);
	c->parent = parent;
	c->parent_link = plink;
	c->parent_start = pstart;
	c->final = RT_FINDING_NONE;
	c->f.paired = c->f.logon = c->f.related = RT_FINDING_NONE;
	c->f.timestamp = ev->timestamp;
	c->f.event_id = ev->event_id;
	c->f.record_id = ev->record_id;
	c->f.host = rt_strdup0(h->name);
	c->f.channel = rt_strdup0(ev->channel);
	c->f.source_file = rt_strdup0(ev->source_file);
	if (cr) {
		const rt_rule *r = cr->r;

		c->rule = cr;
		c->f.kind = r->kind;
		c->f.direction = r->dir;
		c->f.confidence = r->conf;
		c->f.rule_id = r->id;
		c->f.technique = r->technique;
		c->f.remote_ip = rt_memo_dup(m, cr->remote_ip, env, ev);
		c->f.remote_host = rt_memo_dup(m, cr->remote_host, env, ev);
		c->f.user = rt_memo_dup(m, cr->user, env, ev);
		c->f.process = rt_memo_dup(m, cr->process, env, ev);
		c->f.parent_process = rt_memo_dup(m, cr->parent, env, ev);
		c->f.command_line = rt_memo_dup(m, cr->cmd, env, ev);
		c->f.object = rt_memo_dup(m, cr->object, env, ev);
		c->tmpl = rt_tmpl_fill(cr->message, env, ev);
		c->tracked = (r->flags & RT_RF_TRACK) != 0;
		if (cr->logon_id) {
			char *raw = rt_memo_dup(m, cr->logon_id, env, ev);

			c->f.logon_id = rt_dt_norm_logon(raw);
			free(raw);
		}
		if ((r->flags & (RT_RF_OUTPUT_READ | RT_RF_OUTPUT_FILE)) && c->f.command_line) {
			const char *base = strrchr(c->f.command_line, '\\');

			c->out_file = rt_strdup0(base ? base + 1 : c->f.command_line);
		}
	} else {
		const cand *p = &h->c[parent];

		c->f.kind = p->f.kind;
		c->f.direction = p->f.direction;
		c->f.confidence = p->f.confidence;
		c->f.rule_id = "process.descendant";
		c->f.technique = p->f.technique;
		c->tmpl = rt_tmpl_fill(rs->descendant[p->f.kind], env, ev);
		c->tracked = 1;
	}
	if (proc) {
		char **dst[] = { &c->f.user, &c->f.process, &c->f.parent_process, &c->f.command_line };
		size_t i;

		for (i = 0; i < 4; i++)
			if (!*dst[i])
				*dst[i] = rt_memo_dup(m, rs->proc[i], env, ev);
		if (!c->f.logon_id)
			c->f.logon_id = rt_strdup0(rt_spec_proc_logon(ev, &t));
		if (!c->out_file)
			c->out_file = output_file(c->f.command_line);
	}
	if (has_guids(ev)) {
		c->guid = rt_strdup0(rt_event_get(ev, "ProcessGuid"));
		c->guid_hash = c->guid ? guid_hash(c->guid) : 0;
		c->parent_guid = rt_strdup0(rt_event_get(ev, "ParentProcessGuid"));
	} else if (rt_spec_is_4688(ev)) {
		c->pid = rt_spec_field_u32(ev, "NewProcessId");
		c->ppid = rt_spec_field_u32(ev, "ProcessId");
		if (!rt_dt_usable(rt_event_get(ev, "ParentProcessName"))) {
			const pslot *s = ps_parent(h, c->ppid, ev->timestamp);

			c->pid_parent = s ? s->start : 0;
		}
	}
	c->sid = rt_strdup0(rt_spec_is_4688(ev) ? rt_event_get(ev, "TargetUserSid") : ev->user_sid);
	if (c->f.remote_ip && rt_dt_is_loopback(c->f.remote_ip)) {
		free(c->f.remote_ip);
		c->f.remote_ip = NULL;
	}
	if (c->f.remote_ip || c->f.remote_host)
		c->f.link = RT_LINK_RECORD;
	rt_buf_release(&t);
	h->nc++;
	if (!c->f.host || !c->f.source_file || !c->f.channel || !c->tmpl)
		return -1;
	if (c->tracked && c->guid && index_guid(h, h->nc - 1))
		return -1;
	*out = h->nc - 1;
	return 0;
}

/* ------------------------------------------------------------------ change points */

typedef struct change_ctx {
	hstate *h;
	const rt_event *ev;
	const rt_crule *cr;
	size_t cand;
	const char *old;
} change_ctx;

static int emit_change(void *ctx, const char *name, const char *value)
{
	change_ctx *x = ctx;
	rt_change *c;
	size_t n = name ? strlen(name) : 0;

	/* a name with an empty part names nothing */
	if (!n || name[n - 1] == '.' || strstr(name, "..") || n > 512)
		return 0;
	if (DT_GROW(x->h->ch, x->h->nch, x->h->ach))
		return -1;
	c = &x->h->ch[x->h->nch++];
	memset(c, 0, sizeof *c);
	c->timestamp = x->ev->timestamp;
	c->host = rt_strdup0(x->h->name);
	c->name = rt_strdup0(name);
	c->value = rt_strdup0(value);
	c->old_value = rt_strdup0(x->old);
	c->channel = rt_strdup0(x->ev->channel);
	c->source_file = rt_strdup0(x->ev->source_file);
	c->event_id = x->ev->event_id;
	c->record_id = x->ev->record_id;
	c->rule_id = x->cr->r->id;
	c->finding = x->cand;
	if (!c->host || !c->name || (value && !c->value) || (x->old && !c->old_value) ||
	    !c->channel || !c->source_file)
		return -1;
	return 0;
}

static int add_changes(hstate *h, const rt_spec_env *env, const rt_event *ev,
		       const rt_crule *cr, size_t ci)
{
	change_ctx x = { h, ev, cr, ci, NULL };
	size_t i;
	int r = 0;

	for (i = 0; i < cr->nchanges && !r; i++) {
		const rt_crule_change *cc = &cr->changes[i];
		rt_buf a = RT_BUF_INIT, b = RT_BUF_INIT;
		const char *v = rt_spec_resolve(cc->value, env, ev, &a);
		const char *o = rt_spec_resolve(cc->old, env, ev, &b);

		if (cc->fn) {
			if (v || !cc->value)
				r = cc->fn(ev, v, o, emit_change, &x);
		} else if (v || !cc->value) {
			char *name = rt_tmpl_fill(cc->name, env, ev);

			x.old = o;
			r = name ? emit_change(&x, name, v) : -1;
			x.old = NULL;
			free(name);
		}
		rt_buf_release(&a);
		rt_buf_release(&b);
	}
	return r;
}

/* ------------------------------------------------------------------ events */

int rt_detect_event(rt_detect *d, const rt_event *ev)
{
	size_t parent = RT_FINDING_NONE, act = RT_FINDING_NONE, chg = RT_FINDING_NONE;
	const rt_crule *hit, *conf, *request;
	rt_link plink = RT_LINK_NONE;
	unsigned notes;
	rt_memo memo;
	uint64_t pstart = 0;
	rt_spec_env env;
	hstate *h;
	int proc;

	if (d->oom)
		return -1;
	rt_memo_init(&memo);
	if (!(h = host_for(d, ev)))
		goto oom;
	/* a log's events share their channel: look it up when it changes */
	if (ev->channel && (!d->chan_text || strcmp(d->chan_text, ev->channel))) {
		free(d->chan_text);
		d->chan_text = rt_strdup0(ev->channel);
		d->chan_bits = rt_ruleset_channel(d->rs, ev->channel);
	}
	if (ev->channel && d->chan_text)
		rt_memo_channel(&memo, d->chan_bits);
	env.host = h->name;
	env.computer = h->computer;
	env.parent_image = parent_image_cb;
	env.ctx = h;
	notes = rt_ruleset_notes(d->rs, ev, &env, &memo, &request);
	if ((notes & RT_NOTE_LOGON) && note_logon(h, ev))
		goto oom;
	if ((notes & RT_NOTE_LOGOFF) && note_logoff(h, ev))
		goto oom;
	if ((notes & RT_NOTE_CONN) && note_conn(h, &env, ev))
		goto oom;
	if (notes & RT_NOTE_BOOT) {
		ps_reset(h);
		if (note_boot(h, ev->timestamp))
			goto oom;
	}
	if (notes & RT_NOTE_EXIT)
		ps_remove(h, rt_spec_field_u32(ev, "ProcessId"));
	if (request && note_request(h, &env, ev, request))
		goto oom;
	proc = (notes & RT_NOTE_PROCESS) != 0;
	if (proc)
		parent = find_tracked(h, ev, &plink, &pstart);
	hit = rt_ruleset_match(d->rs, ev, 0, &env, &memo);
	if (hit) {
		if (add_cand(d->rs, h, &env, ev, &memo, proc, hit, parent, plink, pstart, &act))
			goto oom;
	} else if (parent != RT_FINDING_NONE) {
		const char *img = rt_event_get(ev, "NewProcessName");

		if (!img)
			img = rt_event_get(ev, "Image");
		if (!(img && rt_dt_in_list(img, "\\conhost.exe", RT_DT_ENDS)) &&
		    add_cand(d->rs, h, &env, ev, &memo, proc, NULL, parent, plink, pstart, &act))
			goto oom;
	}
	conf = rt_ruleset_match(d->rs, ev, 1, &env, &memo);
	if (conf) {
		if (!(conf->r->flags & RT_RF_NO_FINDING) &&
		    add_cand(d->rs, h, &env, ev, &memo, proc, conf, RT_FINDING_NONE, RT_LINK_NONE, 0, &chg))
			goto oom;
		if (add_changes(h, &env, ev, conf, chg))
			goto oom;
	}
	if (proc && rt_event_get(ev, "NewProcessId")) {
		const pslot *ps = ps_parent(h, rt_spec_field_u32(ev, "ProcessId"), ev->timestamp);
		const char *img = rt_event_get(ev, "NewProcessName");

		/* the creator's session is the parent's: name it on the parent */
		if (ps && ps->cand != RT_FINDING_NONE && !h->c[ps->cand].child_logon) {
			char *sl = rt_dt_norm_logon(rt_event_get(ev, "SubjectLogonId"));

			if (sl && !rt_dt_service_logon(sl))
				h->c[ps->cand].child_logon = sl;
			else
				free(sl);
		}
		if (img && rt_dt_in_list(img, PID_IMAGES, RT_DT_ENDS)) {
			if (!(img = intern_image(h, img)))
				goto oom;
		} else {
			img = NULL;
		}
		if (ps_put(h, rt_spec_field_u32(ev, "NewProcessId"), ev->timestamp, img, act))
			goto oom;
	}
	if (proc && note_local(h, ev, parent != RT_FINDING_NONE ? parent : act))
		goto oom;
	rt_memo_release(&memo);
	return 0;
oom:
	rt_memo_release(&memo);
	d->oom = 1;
	return -1;
}

int rt_detect_cb(void *ctx, const rt_event *ev)
{
	return rt_detect_event(ctx, ev) ? 1 : 0;
}

uint64_t rt_detect_pre(void *ctx, const rt_event *ev)
{
	const rt_detect *d = ctx;

	return rt_ruleset_pre(d->rs, ev);
}

/* ------------------------------------------------------------------ API */

int rt_detect_rules_check(rt_buf *err)
{
	rt_ruleset rs;

	if (rt_ruleset_compile(rt_rules, rt_nrules, &rs, err))
		return -1;
	rt_ruleset_release(&rs);
	return 0;
}

/*
 * The rule table compiled once for the process: a detector only reads it
 * (rt_detect_pre reads it on the reader's threads while the delivering
 * thread detects), and compiling it took 3.5 ms, once per host of a case.
 * 0 compiled, -1 out of memory, -2 a bad table.
 */
static pthread_once_t rules_once = PTHREAD_ONCE_INIT;
static rt_ruleset rules;
static int rules_state;

static void compile_rules(void)
{
	rt_buf err = RT_BUF_INIT;

	if (rt_ruleset_compile(rt_rules, rt_nrules, &rules, &err))
		rules_state = err.len ? -2 : -1;
	rt_buf_release(&err);
}

int rt_detect_prepare(void)
{
	return pthread_once(&rules_once, compile_rules) ? -1 : rules_state;
}

int rt_detect_new(rt_detect **out)
{
	rt_detect *d;
	int r = rt_detect_prepare();

	*out = NULL;
	if (r)
		return r;
	if (!(d = calloc(1, sizeof *d)))
		return -1;
	d->rs = &rules;
	*out = d;
	return 0;
}

static void free_segments(rt_detect *d)
{
	rt_pair_hosts_free(d->seg, d->nseg);
	d->seg = NULL;
	d->nseg = d->aseg = 0;
}

/* Sort `from` into timeline order and append it to `to` (links shifted);
 * `from` is empty afterwards. `moved` (may be NULL) says where each
 * finding of `from` went in the sorted list. */
static int move_findings(rt_findings *from, rt_findings *to, size_t *moved)
{
	size_t i, base = to->n;

	if (rt_detect_sort_findings(from, moved))
		return -1;

	for (i = 0; i < from->n; i++) {
		rt_finding *f = rt_findings_add(to);

		if (!f)
			return -1;
		*f = from->items[i];
		if (f->paired != RT_FINDING_NONE)
			f->paired += base;
		if (f->logon != RT_FINDING_NONE)
			f->logon += base;
		if (f->related != RT_FINDING_NONE)
			f->related += base;
		memset(&from->items[i], 0, sizeof from->items[i]);
	}
	for (i = 0; i < from->nchanges; i++) {
		rt_change *c = rt_findings_add_change(to);

		if (!c)
			return -1;
		*c = from->changes[i];
		if (c->finding != RT_FINDING_NONE)
			c->finding += base;
		memset(&from->changes[i], 0, sizeof from->changes[i]);
	}
	return 0;
}

static void finish_reset(rt_detect *d)
{
	rt_findings_release(&d->all);
	free_segments(d);
	free(d->file);
	free(d->file_computer);
	free(d->last_computer);
	d->file = d->file_computer = d->last_computer = NULL;
	d->oom = 0;
}

int rt_detect_finish(rt_detect *d, rt_findings *out)
{
	int r = 0;

	if (d->oom || end_hosts(d) || rt_pair_findings(&d->all, d->seg, d->nseg) ||
	    move_findings(&d->all, out, NULL))
		r = -1;
	finish_reset(d);
	return r;
}

int rt_detect_finish_hosts(rt_detect *d, rt_findings *out, rt_pair_host **hosts, size_t *nhosts)
{
	size_t *moved = NULL, base = out->n, i, j;
	int r = -1;

	*hosts = NULL;
	*nhosts = 0;
	if (d->oom || end_hosts(d))
		goto done;
	if (d->all.n && !(moved = malloc(d->all.n * sizeof *moved)))
		goto done;
	if (move_findings(&d->all, out, moved))
		goto done;
	for (i = 0; i < d->nseg; i++)
		for (j = 0; j < d->seg[i].nlogons; j++) {
			size_t *f = &d->seg[i].logons[j].finding;

			if (*f != RT_FINDING_NONE)
				*f = base + moved[*f];
		}
	*hosts = d->seg;
	*nhosts = d->nseg;
	d->seg = NULL;
	d->nseg = d->aseg = 0;
	r = 0;
done:
	free(moved);
	finish_reset(d);
	return r;
}

void rt_detect_free(rt_detect **pd)
{
	rt_detect *d = pd ? *pd : NULL;
	size_t i;

	if (!d)
		return;
	rt_findings_release(&d->all);
	for (i = 0; i < d->nhs; i++)
		hstate_release(&d->hs[i]);
	free(d->hs);
	ix_release(&d->hs_ix);
	free(d->evhost);
	free_segments(d);
	free(d->file);
	free(d->file_computer);
	free(d->last_computer);
	free(d->chan_text);
	/* d->rs is the process's (rt_detect_prepare) */
	free(d);
	*pd = NULL;
}

int rt_detect_evidence(const rt_evidence *ev, const rt_evtx_opts *o, rt_findings *out,
		       rt_diag *diag)
{
	rt_evtx_opts eo;
	rt_detect *d;
	int r;

	if (rt_detect_new(&d))
		return -1;
	if (o)
		eo = *o;
	else
		memset(&eo, 0, sizeof eo);
	eo.pre = rt_detect_pre;
	eo.pre_ctx = d;
	r = rt_evtx_read_evidence(ev, &eo, rt_detect_cb, d, diag);
	if (d->oom || rt_detect_finish(d, out)) {
		rt_detect_free(&d);
		return -1;
	}
	rt_detect_free(&d);
	return r ? 1 : 0;
}
