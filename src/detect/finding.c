/* The findings list; see finding.h. Its JSONL and CSV forms are the report
 * module's (report.h, src/report/timeline.c). */
#include "config.h"

#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "remtrail/finding.h"
#include "detect_int.h"

static const char *const kind_names[RT_FK_COUNT] = {
	"winrm.inbound",    "winrm.outbound", "winrm.failed",     "wmi.inbound",
	"wmi.outbound",     "wmi.failed",     "wmi.subscription", "dcom.inbound",
	"dcom.outbound",    "dcom.denied",    "firewall.change",  "service.change",
	"logon.network",
};

const char *rt_finding_kind_name(rt_finding_kind k)
{
	return (unsigned)k < RT_FK_COUNT ? kind_names[k] : NULL;
}

int rt_finding_kind_parse(const char *s, rt_finding_kind *out)
{
	int k;

	for (k = 0; k < RT_FK_COUNT; k++)
		if (s && rt_strcaseeq(s, kind_names[k])) {
			*out = (rt_finding_kind)k;
			return 0;
		}
	return -1;
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
	offsetof(rt_finding, command_line),
};
#define OWNED(f, i) ((char **)((char *)(f) + owned[i]))

void rt_detect_finding_release(rt_finding *f)
{
	size_t i;

	for (i = 0; i < sizeof owned / sizeof *owned; i++)
		free(*OWNED(f, i));
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
	return 0;
}

void rt_findings_release(rt_findings *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		rt_detect_finding_release(&l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = l->alloc = 0;
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
		return strcmp(kind_names[a->kind], kind_names[b->kind]);
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

static int cmp_index(const void *ctx, size_t a, size_t b)
{
	const rt_finding *base = ctx;
	int c = rt_detect_finding_cmp(&base[a], &base[b]);

	return c ? c : (a < b ? -1 : a > b);
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
		return 0;
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
	if (!moved)
		free(pos);
	free(order);
	return 0;
}

size_t rt_findings_next(const rt_findings *l, const char *host, size_t from)
{
	for (; from < l->n; from++)
		if (rt_strcaseeq(l->items[from].host ? l->items[from].host : "", host ? host : ""))
			return from;
	return l->n;
}
