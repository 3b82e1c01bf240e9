/* The findings list and its JSONL / CSV forms; see finding.h. */
#include "config.h"

#include <stdio.h>
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

void rt_detect_finding_release(rt_finding *f)
{
	free(f->host);
	free(f->channel);
	free(f->source_file);
	free(f->message);
	free(f->remote_ip);
	free(f->remote_host);
	free(f->user);
	free(f->logon_id);
	free(f->process);
	free(f->parent_process);
	free(f->command_line);
	free(f->object);
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

static int cmp_finding(const rt_finding *a, const rt_finding *b)
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

static int cmp_index(const void *ctx, size_t a, size_t b)
{
	const rt_finding *base = ctx;
	int c = cmp_finding(&base[a], &base[b]);

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
	size_t *order, *pos, i;
	rt_finding *tmp;

	if (l->n < 2)
		return sort_changes(l, NULL);
	order = malloc(l->n * sizeof *order);
	pos = malloc(l->n * sizeof *pos);
	tmp = malloc(l->n * sizeof *tmp);
	if (!order || !pos || !tmp) {
		free(order);
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

/* ------------------------------------------------------------------ JSONL */

#define KEY(b, k) rt_buf_add((b), (k), sizeof(k) - 1)

static int add_u64(rt_buf *b, uint64_t v)
{
	return rt_buf_addf(b, "%llu", (unsigned long long)v);
}

static int opt_str(rt_buf *b, const char *key, const char *v)
{
	int e = 0;

	if (!v || !*v)
		return 0;
	e |= rt_buf_addch(b, ',');
	e |= rt_json_cstr(b, key);
	e |= rt_buf_addch(b, ':');
	e |= rt_json_cstr(b, v);
	return e;
}

int rt_finding_jsonl(rt_buf *b, const rt_findings *l, size_t i)
{
	const rt_finding *f = &l->items[i];
	char t[RT_TIME_MAX];
	int e = 0;

	rt_time_format(f->timestamp, t);
	e |= KEY(b, "{\"timestamp\":");
	e |= rt_json_cstr(b, t);
	e |= KEY(b, ",\"datetime\":");
	e |= rt_json_cstr(b, t);
	e |= KEY(b, ",\"timestamp_desc\":\"Event Recorded\",\"kind\":");
	e |= rt_json_cstr(b, rt_finding_kind_name(f->kind));
	e |= KEY(b, ",\"host\":");
	e |= rt_json_cstr(b, f->host);
	e |= KEY(b, ",\"channel\":");
	e |= rt_json_cstr(b, f->channel);
	e |= KEY(b, ",\"event_id\":");
	e |= add_u64(b, f->event_id);
	e |= KEY(b, ",\"record_id\":");
	e |= add_u64(b, f->record_id);
	e |= KEY(b, ",\"source_file\":");
	e |= rt_json_cstr(b, f->source_file);
	e |= KEY(b, ",\"message\":");
	e |= rt_json_cstr(b, f->message);
	e |= opt_str(b, "remote_ip", f->remote_ip);
	e |= opt_str(b, "remote_host", f->remote_host);
	e |= opt_str(b, "user", f->user);
	e |= opt_str(b, "logon_id", f->logon_id);
	e |= opt_str(b, "process", f->process);
	e |= opt_str(b, "parent_process", f->parent_process);
	e |= opt_str(b, "command_line", f->command_line);
	e |= opt_str(b, "object", f->object);
	e |= opt_str(b, "rule", f->rule_id);
	e |= opt_str(b, "technique", f->technique);
	e |= opt_str(b, "direction", rt_direction_name(f->direction));
	e |= opt_str(b, "confidence", rt_confidence_name(f->confidence));
	e |= opt_str(b, "attribution", rt_link_name(f->link));
	if (f->paired < l->n) {
		e |= opt_str(b, "paired_host", l->items[f->paired].host);
		e |= KEY(b, ",\"paired_record_id\":");
		e |= add_u64(b, l->items[f->paired].record_id);
	}
	if (f->logon < l->n) {
		e |= KEY(b, ",\"logon_record_id\":");
		e |= add_u64(b, l->items[f->logon].record_id);
	}
	if (f->related < l->n) {
		e |= KEY(b, ",\"related_record_id\":");
		e |= add_u64(b, l->items[f->related].record_id);
	}
	e |= KEY(b, "}\n");
	return e ? -1 : 0;
}

/* ------------------------------------------------------------------ CSV */

static int csv_field(rt_buf *b, const char *s, int first)
{
	int e = 0;

	if (!first)
		e |= rt_buf_addch(b, ',');
	if (!s)
		return e;
	if (!strpbrk(s, ",\"\r\n"))
		return e | rt_utf8_sanitize(b, s, strlen(s));
	e |= rt_buf_addch(b, '"');
	for (; *s; s++) {
		const char *q = strchr(s, '"');
		size_t n = q ? (size_t)(q - s) : strlen(s);

		e |= rt_utf8_sanitize(b, s, n);
		s += n;
		if (!*s)
			break;
		e |= rt_buf_adds(b, "\"\"");
	}
	e |= rt_buf_addch(b, '"');
	return e;
}

static const char *const csv_columns[] = {
	"timestamp",      "kind",         "host",           "channel",     "event_id",
	"record_id",      "source_file",  "message",        "remote_ip",   "remote_host",
	"user",           "logon_id",     "process",        "parent_process", "command_line",
	"rule",           "technique",    "direction",      "confidence",  "paired_host",
	"paired_record_id", "logon_record_id", "attribution", "object",
};

int rt_finding_csv_header(rt_buf *b)
{
	size_t i;
	int e = 0;

	for (i = 0; i < sizeof csv_columns / sizeof csv_columns[0]; i++)
		e |= csv_field(b, csv_columns[i], i == 0);
	e |= rt_buf_adds(b, "\r\n");
	return e ? -1 : 0;
}

int rt_finding_csv(rt_buf *b, const rt_findings *l, size_t i)
{
	const rt_finding *f = &l->items[i];
	char t[RT_TIME_MAX], eid[16], rid[24], prid[24] = "", lrid[24] = "";
	int e = 0;

	rt_time_format(f->timestamp, t);
	snprintf(eid, sizeof eid, "%u", (unsigned)f->event_id);
	snprintf(rid, sizeof rid, "%llu", (unsigned long long)f->record_id);
	if (f->paired < l->n)
		snprintf(prid, sizeof prid, "%llu", (unsigned long long)l->items[f->paired].record_id);
	if (f->logon < l->n)
		snprintf(lrid, sizeof lrid, "%llu", (unsigned long long)l->items[f->logon].record_id);
	e |= csv_field(b, t, 1);
	e |= csv_field(b, rt_finding_kind_name(f->kind), 0);
	e |= csv_field(b, f->host, 0);
	e |= csv_field(b, f->channel, 0);
	e |= csv_field(b, eid, 0);
	e |= csv_field(b, rid, 0);
	e |= csv_field(b, f->source_file, 0);
	e |= csv_field(b, f->message, 0);
	e |= csv_field(b, f->remote_ip, 0);
	e |= csv_field(b, f->remote_host, 0);
	e |= csv_field(b, f->user, 0);
	e |= csv_field(b, f->logon_id, 0);
	e |= csv_field(b, f->process, 0);
	e |= csv_field(b, f->parent_process, 0);
	e |= csv_field(b, f->command_line, 0);
	e |= csv_field(b, f->rule_id, 0);
	e |= csv_field(b, f->technique, 0);
	e |= csv_field(b, rt_direction_name(f->direction), 0);
	e |= csv_field(b, rt_confidence_name(f->confidence), 0);
	e |= csv_field(b, f->paired < l->n ? l->items[f->paired].host : NULL, 0);
	e |= csv_field(b, prid, 0);
	e |= csv_field(b, lrid, 0);
	e |= csv_field(b, rt_link_name(f->link), 0);
	e |= csv_field(b, f->object, 0);
	e |= rt_buf_adds(b, "\r\n");
	return e ? -1 : 0;
}
