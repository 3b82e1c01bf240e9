/* The findings list; see finding.h. Its JSONL and CSV forms are the report
 * module's (report.h, src/report/timeline.c). */
#include "config.h"

#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "remtrail/finding.h"
#include "detect_int.h"

#define IN RT_DIR_INBOUND
#define OUT RT_DIR_OUTBOUND
#define NONE RT_FK_COUNT

static const rt_kind_info kinds[RT_FK_COUNT] = {
	[RT_FK_WINRM_INBOUND] = { "winrm.inbound", RT_FPROTO_WINRM, IN, RT_FK_WINRM_OUTBOUND, 1, 0,
				  "this host received a WinRM / PowerShell remoting / WinRS session or command" },
	[RT_FK_WINRM_OUTBOUND] = { "winrm.outbound", RT_FPROTO_WINRM, OUT, RT_FK_WINRM_INBOUND, 1, 0,
				   "this host opened a WinRM session to another" },
	[RT_FK_WINRM_FAILED] = { "winrm.failed", RT_FPROTO_WINRM, RT_DIR_NONE, NONE, 0, 1,
				 "a WinRM attempt that failed or was refused" },
	[RT_FK_WMI_INBOUND] = { "wmi.inbound", RT_FPROTO_WMI, IN, RT_FK_WMI_OUTBOUND, 1, 0,
				"remote WMI use on this host (remote process creation, remote queries)" },
	[RT_FK_WMI_OUTBOUND] = { "wmi.outbound", RT_FPROTO_WMI, OUT, RT_FK_WMI_INBOUND, 1, 0,
				 "this host used WMI against another" },
	[RT_FK_WMI_FAILED] = { "wmi.failed", RT_FPROTO_WMI, IN, NONE, 0, 1,
			       "a remote WMI operation refused by this host" },
	[RT_FK_WMI_SUBSCRIPTION] = { "wmi.subscription", RT_FPROTO_WMI, RT_DIR_NONE, NONE, 1, 0,
				     "a permanent WMI event subscription was created, changed or fired" },
	[RT_FK_DCOM_INBOUND] = { "dcom.inbound", RT_FPROTO_DCOM, IN, RT_FK_DCOM_OUTBOUND, 1, 0,
				 "remote DCOM activation or execution on this host" },
	[RT_FK_DCOM_OUTBOUND] = { "dcom.outbound", RT_FPROTO_DCOM, OUT, RT_FK_DCOM_INBOUND, 1, 0,
				  "this host drove DCOM on another" },
	[RT_FK_DCOM_DENIED] = { "dcom.denied", RT_FPROTO_DCOM, RT_DIR_NONE, NONE, 0, 1,
				"a DCOM activation or access was refused or failed" },
	[RT_FK_FIREWALL_CHANGE] = { "firewall.change", RT_FPROTO_NONE, RT_DIR_NONE, NONE, 0, 0,
				    "a firewall rule or setting added, changed or deleted" },
	[RT_FK_SERVICE_CHANGE] = { "service.change", RT_FPROTO_NONE, RT_DIR_NONE, NONE, 0, 0,
				   "start type, installation or state of a service behind WinRM, WMI or DCOM" },
	[RT_FK_LOGON_NETWORK] = { "logon.network", RT_FPROTO_NONE, IN, NONE, 0, 0,
				  "a network logon from another host (supporting evidence)" },
	[RT_FK_WINRM_CHANGE] = { "winrm.change", RT_FPROTO_WINRM, RT_DIR_NONE, NONE, 0, 0,
				 "WinRM configured: quickconfig, Enable-PSRemoting, WSMan: settings, its keys" },
	[RT_FK_DCOM_CHANGE] = { "dcom.change", RT_FPROTO_DCOM, RT_DIR_NONE, NONE, 0, 0,
				"a DCOM setting written (HKLM\\SOFTWARE\\Microsoft\\Ole)" },
	[RT_FK_UAC_CHANGE] = { "uac.change", RT_FPROTO_NONE, RT_DIR_NONE, NONE, 0, 0,
			       "LocalAccountTokenFilterPolicy written (remote use of local admin accounts)" },
	[RT_FK_PORTPROXY_CHANGE] = { "portproxy.change", RT_FPROTO_NONE, RT_DIR_NONE, NONE, 0, 0,
				     "a port forwarding added or removed (netsh interface portproxy)" },
	[RT_FK_LOG_CLEARED] = { "log.cleared", RT_FPROTO_NONE, RT_DIR_NONE, NONE, 0, 0,
				"an event log was cleared (evidence may be missing before it)" },
	[RT_FK_POWERSHELL_DOWNGRADE] = { "powershell.downgrade", RT_FPROTO_WINRM, RT_DIR_NONE, NONE,
					 0, 0,
					 "PowerShell 2.0 engine started: its commands escape 4103/4104 logging" },
};

#undef IN
#undef OUT
#undef NONE

const rt_kind_info *rt_finding_kind_info(rt_finding_kind k)
{
	return (unsigned)k < RT_FK_COUNT ? &kinds[k] : NULL;
}

const char *rt_finding_kind_name(rt_finding_kind k)
{
	return (unsigned)k < RT_FK_COUNT ? kinds[k].name : NULL;
}

int rt_finding_kind_parse(const char *s, rt_finding_kind *out)
{
	int k;

	for (k = 0; k < RT_FK_COUNT; k++)
		if (s && rt_strcaseeq(s, kinds[k].name)) {
			*out = (rt_finding_kind)k;
			return 0;
		}
	return -1;
}

const char *rt_protocol_name(rt_protocol p)
{
	static const char *const names[] = { "", "winrm", "wmi", "dcom" };

	return (unsigned)p < sizeof names / sizeof names[0] ? names[p] : "";
}

const char *rt_link_name(rt_link l)
{
	static const char *const names[] = {
		[RT_LINK_NONE] = "",
		[RT_LINK_RECORD] = "record",
		[RT_LINK_LOGON_ID] = "logon_id",
		[RT_LINK_PROCESS_GUID] = "process_guid",
		[RT_LINK_PID_TIME] = "pid_time",
		[RT_LINK_CONNECTION] = "connection",
		[RT_LINK_OUTPUT_FILE] = "output_file",
		[RT_LINK_TIME_WINDOW] = "time_window",
	};

	return (unsigned)l < sizeof names / sizeof names[0] ? names[l] : "";
}

const char *rt_direction_name(rt_direction d)
{
	return d == RT_DIR_INBOUND ? "inbound" : d == RT_DIR_OUTBOUND ? "outbound" : "";
}

const char *rt_confidence_name(rt_confidence c)
{
	return c >= RT_CONF_HIGH ? "high" : c == RT_CONF_MEDIUM ? "medium" : "low";
}

rt_finding *rt_findings_add(rt_findings *l)
{
	rt_finding *f;

	if (l->n == l->alloc) {
		size_t na = l->alloc ? l->alloc * 2 : 64;
		rt_finding *p = realloc(l->items, na * sizeof *p);

		if (!p)
			return NULL;
		l->items = p;
		l->alloc = na;
	}
	f = &l->items[l->n++];
	memset(f, 0, sizeof *f);
	f->paired = f->logon = f->related = RT_FINDING_NONE;
	f->confidence = RT_CONF_LOW;
	return f;
}

/* The strings a finding owns: one list for releasing and copying. */
static const size_t owned[] = {
	offsetof(rt_finding, host),	      offsetof(rt_finding, channel),
	offsetof(rt_finding, source_file),    offsetof(rt_finding, message),
	offsetof(rt_finding, remote_ip),      offsetof(rt_finding, remote_host),
	offsetof(rt_finding, user),	      offsetof(rt_finding, logon_id),
	offsetof(rt_finding, process),	      offsetof(rt_finding, parent_process),
	offsetof(rt_finding, command_line),   offsetof(rt_finding, object),
};
#define OWNED(f, i) ((char **)((char *)(f) + owned[i]))

void rt_detect_finding_release(rt_finding *f)
{
	size_t i;

	for (i = 0; i < sizeof owned / sizeof *owned; i++)
		free(*OWNED(f, i));
}

rt_change *rt_findings_add_change(rt_findings *l)
{
	rt_change *c;

	if (l->nchanges == l->achanges) {
		size_t na = l->achanges ? l->achanges * 2 : 16;
		rt_change *p = realloc(l->changes, na * sizeof *p);

		if (!p)
			return NULL;
		l->changes = p;
		l->achanges = na;
	}
	c = &l->changes[l->nchanges++];
	memset(c, 0, sizeof *c);
	c->finding = RT_FINDING_NONE;
	return c;
}

void rt_detect_change_release(rt_change *c)
{
	free(c->host);
	free(c->name);
	free(c->value);
	free(c->old_value);
	free(c->channel);
	free(c->source_file);
}

int rt_findings_append(rt_findings *dst, const rt_findings *src)
{
	size_t i, k, base = dst->n;

	for (i = 0; i < src->n; i++) {
		rt_finding *f = rt_findings_add(dst);
		const rt_finding *s = &src->items[i];

		if (!f)
			return -1;
		*f = *s;
		for (k = 0; k < sizeof owned / sizeof *owned; k++)
			*OWNED(f, k) = NULL;
		for (k = 0; k < sizeof owned / sizeof *owned; k++)
			if (*OWNED(s, k) && !(*OWNED(f, k) = rt_strdup0(*OWNED(s, k))))
				return -1;
		f->paired = s->paired < src->n ? s->paired + base : RT_FINDING_NONE;
		f->logon = s->logon < src->n ? s->logon + base : RT_FINDING_NONE;
		f->related = s->related < src->n ? s->related + base : RT_FINDING_NONE;
	}
	for (i = 0; i < src->nchanges; i++) {
		rt_change *c = rt_findings_add_change(dst);
		const rt_change *s = &src->changes[i];

		if (!c)
			return -1;
		*c = *s;
		c->host = c->name = c->value = c->old_value = c->channel = c->source_file = NULL;
		if ((s->host && !(c->host = rt_strdup0(s->host))) ||
		    (s->name && !(c->name = rt_strdup0(s->name))) ||
		    (s->value && !(c->value = rt_strdup0(s->value))) ||
		    (s->old_value && !(c->old_value = rt_strdup0(s->old_value))) ||
		    (s->channel && !(c->channel = rt_strdup0(s->channel))) ||
		    (s->source_file && !(c->source_file = rt_strdup0(s->source_file))))
			return -1;
		c->finding = s->finding < src->n ? s->finding + base : RT_FINDING_NONE;
	}
	return 0;
}

void rt_findings_release(rt_findings *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		rt_detect_finding_release(&l->items[i]);
	for (i = 0; i < l->nchanges; i++)
		rt_detect_change_release(&l->changes[i]);
	free(l->items);
	free(l->changes);
	l->items = NULL;
	l->changes = NULL;
	l->n = l->alloc = l->nchanges = l->achanges = 0;
}

static int cmpstr(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

int rt_detect_finding_cmp(const rt_finding *a, const rt_finding *b)
{
	int c;

	if (a->timestamp != b->timestamp)
		return a->timestamp < b->timestamp ? -1 : 1;
	if ((c = cmpstr(a->host, b->host)) != 0)
		return c;
	if ((c = cmpstr(a->source_file, b->source_file)) != 0)
		return c;
	if (a->record_id != b->record_id)
		return a->record_id < b->record_id ? -1 : 1;
	if (a->kind != b->kind)
		return strcmp(kinds[a->kind].name, kinds[b->kind].name);
	return cmpstr(a->rule_id, b->rule_id);
}

void rt_detect_sort_idx(size_t *a, size_t n, rt_idx_cmp cmp, const void *ctx)
{
	size_t *tmp, w, i;

	if (n < 2)
		return;
	tmp = malloc(n * sizeof *tmp);
	if (!tmp) {
		/* insertion sort: slow but needs no memory */
		for (i = 1; i < n; i++) {
			size_t v = a[i], j = i;

			for (; j > 0 && cmp(ctx, a[j - 1], v) > 0; j--)
				a[j] = a[j - 1];
			a[j] = v;
		}
		return;
	}
	for (w = 1; w < n; w *= 2) {
		size_t lo;

		for (lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t x = lo, y = mid, k = lo;

			while (x < mid && y < hi)
				tmp[k++] = cmp(ctx, a[x], a[y]) <= 0 ? a[x++] : a[y++];
			while (x < mid)
				tmp[k++] = a[x++];
			while (y < hi)
				tmp[k++] = a[y++];
		}
		memcpy(a, tmp, n * sizeof *a);
	}
	free(tmp);
}

/* By hash (an item's in ctx), then item. */
static int cmp_hash(const void *ctx, size_t a, size_t b)
{
	const uint64_t *hv = ctx;

	if (hv[a] != hv[b])
		return hv[a] < hv[b] ? -1 : 1;
	return a < b ? -1 : a > b;
}

int rt_detect_group_idx(const size_t *idx, size_t n, const uint64_t *hv, rt_idx_cmp cmp,
			const void *ctx, size_t *group)
{
	size_t *ord = malloc((n ? n : 1) * sizeof *ord), i, e, k;

	if (!ord)
		return -1;
	if (n)
		memcpy(ord, idx, n * sizeof *ord);
	rt_detect_sort_idx(ord, n, cmp_hash, hv);
	for (i = 0; i < n; i = e) {
		int one = 1;

		for (e = i + 1; e < n && hv[ord[e]] == hv[ord[i]]; e++)
			if (one && cmp(ctx, ord[i], ord[e]))
				one = 0;
		/* two keys with one hash: by key (stable: by item within one) */
		if (!one)
			rt_detect_sort_idx(ord + i, e - i, cmp, ctx);
		for (k = i; k < e; k++)
			group[ord[k]] = k > i && (one || !cmp(ctx, ord[k - 1], ord[k])) ? group[ord[k - 1]]
										 : ord[k];
	}
	free(ord);
	return 0;
}

static int cmp_index(const void *ctx, size_t a, size_t b)
{
	const rt_finding *base = ctx;
	int c = rt_detect_finding_cmp(&base[a], &base[b]);

	return c ? c : (a < b ? -1 : a > b);
}

static int cmp_change(const void *ctx, size_t a, size_t b)
{
	const rt_change *x = (const rt_change *)ctx + a, *y = (const rt_change *)ctx + b;
	int c;

	if (x->timestamp != y->timestamp)
		return x->timestamp < y->timestamp ? -1 : 1;
	if ((c = cmpstr(x->host, y->host)) != 0 || (c = cmpstr(x->source_file, y->source_file)) != 0)
		return c;
	if (x->record_id != y->record_id)
		return x->record_id < y->record_id ? -1 : 1;
	if ((c = cmpstr(x->name, y->name)) != 0 || (c = cmpstr(x->value, y->value)) != 0)
		return c;
	return a < b ? -1 : a > b;
}

/* Changes into timeline order, their finding links through pos (old -> new). */
static int sort_changes(rt_findings *l, const size_t *pos)
{
	size_t *order, i;
	rt_change *tmp;

	if (!l->nchanges)
		return 0;
	order = malloc(l->nchanges * sizeof *order);
	tmp = malloc(l->nchanges * sizeof *tmp);
	if (!order || !tmp) {
		free(order);
		free(tmp);
		return -1;
	}
	for (i = 0; i < l->nchanges; i++) {
		order[i] = i;
		if (pos && l->changes[i].finding < l->n)
			l->changes[i].finding = pos[l->changes[i].finding];
	}
	rt_detect_sort_idx(order, l->nchanges, cmp_change, l->changes);
	for (i = 0; i < l->nchanges; i++)
		tmp[i] = l->changes[order[i]];
	memcpy(l->changes, tmp, l->nchanges * sizeof *tmp);
	free(tmp);
	free(order);
	return 0;
}

int rt_findings_sort(rt_findings *l)
{
	return rt_detect_sort_findings(l, NULL);
}

int rt_detect_sort_findings(rt_findings *l, size_t *moved)
{
	size_t *order, *pos, i;
	rt_finding *tmp;

	if (l->n < 2) {
		if (moved && l->n)
			moved[0] = 0;
		return sort_changes(l, NULL);
	}
	order = malloc(l->n * sizeof *order);
	pos = moved ? moved : malloc(l->n * sizeof *pos);
	tmp = malloc(l->n * sizeof *tmp);
	if (!order || !pos || !tmp) {
		free(order);
		if (!moved)
			free(pos);
		free(tmp);
		return -1;
	}
	for (i = 0; i < l->n; i++)
		order[i] = i;
	rt_detect_sort_idx(order, l->n, cmp_index, l->items);
	for (i = 0; i < l->n; i++)
		pos[order[i]] = i;
	for (i = 0; i < l->n; i++) {
		rt_finding *f = &tmp[i];

		*f = l->items[order[i]];
		if (f->paired != RT_FINDING_NONE)
			f->paired = pos[f->paired];
		if (f->logon != RT_FINDING_NONE)
			f->logon = pos[f->logon];
		if (f->related != RT_FINDING_NONE)
			f->related = pos[f->related];
	}
	memcpy(l->items, tmp, l->n * sizeof *tmp);
	free(tmp);
	i = (size_t)sort_changes(l, pos);
	if (!moved)
		free(pos);
	free(order);
	return i ? -1 : 0;
}

size_t rt_findings_next(const rt_findings *l, const char *host, size_t from)
{
	for (; from < l->n; from++)
		if (rt_strcaseeq(l->items[from].host ? l->items[from].host : "", host ? host : ""))
			return from;
	return l->n;
}
