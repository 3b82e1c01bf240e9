/* Writers for verdicts and the analyze report. JSON is written by hand (our
 * own escaping, integers exact) so output is byte-stable and 64-bit record
 * ids never pass through a double. */
#include "config.h"

#include <stdio.h>

#include "remtrail/report.h"

#define ADD(s) do { if (rt_buf_adds(out, (s))) return -1; } while (0)
#define ADDF(...) do { if (rt_buf_addf(out, __VA_ARGS__)) return -1; } while (0)
#define JSTR(s) do { if (rt_json_cstr(out, (s))) return -1; } while (0)

/* ---------------------------------------------------------------- JSON */

static int json_time(rt_buf *out, const char *key, uint64_t t, int comma)
{
	char ts[RT_TIME_MAX];

	if (comma)
		ADD(",");
	ADDF("\"%s\":", key);
	if (!t) {
		ADD("null");
		return 0;
	}
	rt_time_format(t, ts);
	JSTR(ts);
	return 0;
}

static int json_item(rt_buf *out, const rt_evidence_item *it)
{
	ADD("{\"text\":");
	JSTR(it->text);
	ADD(",\"source\":{\"file\":");
	JSTR(it->file);
	if (it->key) {
		ADD(",\"key\":");
		JSTR(it->key);
	}
	if (it->value_name) {
		ADD(",\"value_name\":");
		JSTR(it->value_name);
	}
	if (it->record_id)
		ADDF(",\"record_id\":%llu", (unsigned long long)it->record_id);
	if (it->event_id)
		ADDF(",\"event_id\":%u", (unsigned)it->event_id);
	if (json_time(out, "time", it->time, 1))
		return -1;
	ADD("}");
	if (it->kind) {
		ADD(",\"kind\":");
		JSTR(it->kind);
	}
	if (it->remote_ip) {
		ADD(",\"remote_ip\":");
		JSTR(it->remote_ip);
	}
	ADD("}");
	return 0;
}

static int json_list(rt_buf *out, const char *key, const rt_evidence_list *l)
{
	size_t i;

	ADDF(",\"%s\":[", key);
	for (i = 0; i < l->n; i++) {
		if (i)
			ADD(",");
		if (json_item(out, &l->items[i]))
			return -1;
	}
	ADD("]");
	return 0;
}

static int json_verdict(rt_buf *out, const rt_cm_verdict *v)
{
	size_t i;

	ADDF("{\"id\":\"%s\",\"title\":", rt_cm_name(v->id));
	JSTR(rt_cm_title(v->id));
	ADDF(",\"state\":\"%s\",\"state_why\":", rt_cm_state_name(v->state));
	JSTR(v->state_why ? v->state_why : "");
	ADD(",\"intervals\":[");
	for (i = 0; i < v->nintervals; i++) {
		const rt_interval *iv = &v->intervals[i];
		if (i)
			ADD(",");
		ADD("{");
		if (json_time(out, "from", iv->from, 0) || json_time(out, "to", iv->to, 1))
			return -1;
		ADDF(",\"state\":\"%s\",\"why\":", rt_cm_state_name(iv->state));
		JSTR(iv->why);
		if (json_list(out, "basis", &iv->basis))
			return -1;
		ADD("}");
	}
	ADDF("],\"bypassed\":%s,\"bypass\":[",
	     v->bypassed < 0 ? "null" : v->bypassed ? "true" : "false");
	for (i = 0; i < v->nbypass; i++) {
		const rt_bypass *b = &v->bypass[i];
		if (i)
			ADD(",");
		ADD("{\"route\":");
		JSTR(b->route);
		ADD(",\"explanation\":");
		JSTR(b->explanation);
		if (json_list(out, "changes", &b->changes) || json_list(out, "findings", &b->findings))
			return -1;
		ADD("}");
	}
	ADD("]");
	if (json_list(out, "evidence", &v->evidence) ||
	    json_time(out, "first_activity", v->first_activity, 1) ||
	    json_time(out, "last_activity", v->last_activity, 1))
		return -1;
	if (v->has_monitoring) {
		const rt_monitoring *m = &v->monitoring;
		ADDF(",\"monitoring\":{\"in_effect\":%s,\"winrm_operational\":%s,"
		     "\"powershell_operational\":%s,\"module_logging\":%s",
		     m->in_effect ? "true" : "false", m->winrm_log ? "true" : "false",
		     m->ps_log ? "true" : "false",
		     m->module_logging < 0 ? "null" : m->module_logging ? "true" : "false");
		if (json_list(out, "coverage", &m->coverage) || json_list(out, "gaps", &m->gaps))
			return -1;
		ADD("}");
	}
	ADD("}");
	return 0;
}

static int json_hosts(rt_buf *out, rt_assess_result *const *hosts, size_t n)
{
	size_t i;
	int c;

	ADD("[");
	for (i = 0; i < n; i++) {
		if (i)
			ADD(",");
		ADD("{\"host\":");
		JSTR(hosts[i]->host);
		if (json_time(out, "period_from", hosts[i]->period_from, 1) ||
		    json_time(out, "period_to", hosts[i]->period_to, 1))
			return -1;
		ADD(",\"countermeasures\":[");
		for (c = 0; c < RT_CM_COUNT; c++) {
			if (c)
				ADD(",");
			if (json_verdict(out, &hosts[i]->cm[c]))
				return -1;
		}
		ADD("]}");
	}
	ADD("]");
	return 0;
}

int rt_assess_write_json(rt_buf *out, rt_assess_result *const *hosts, size_t n)
{
	ADD("{\"schema\":\"remtrail/1\",\"hosts\":");
	if (json_hosts(out, hosts, n))
		return -1;
	ADD("}\n");
	return 0;
}

int rt_report_write_json(rt_buf *out, const rt_report *r)
{
	size_t i;

	ADD("{\"schema\":\"remtrail/1\",\"tool\":{\"name\":\"remtrail\",\"version\":");
	JSTR(r->version ? r->version : "");
	ADD("},\"inputs\":[");
	for (i = 0; i < r->ninputs; i++) {
		const rt_report_input *in = &r->inputs[i];
		if (i)
			ADD(",");
		ADD("{\"path\":");
		JSTR(in->path);
		ADD(",\"sha256\":");
		if (in->sha256)
			JSTR(in->sha256);
		else
			ADD("null");
		ADDF(",\"size\":%llu", (unsigned long long)in->size);
		if (in->host) {
			ADD(",\"host\":");
			JSTR(in->host);
		}
		if (in->kind) {
			ADD(",\"kind\":");
			JSTR(in->kind);
		}
		ADD("}");
	}
	ADD("],\"hosts\":[");
	for (i = 0; i < r->nhosts; i++) {
		if (i)
			ADD(",");
		JSTR(r->hosts[i]->host);
	}
	ADD("],\"configuration\":");
	ADD(r->configuration_json && *r->configuration_json ? r->configuration_json : "[]");
	ADD(",\"findings\":");
	ADD(r->findings_json && *r->findings_json ? r->findings_json : "[]");
	ADD(",\"verdicts\":");
	if (json_hosts(out, r->hosts, r->nhosts))
		return -1;
	ADD("}\n");
	return 0;
}

/* ---------------------------------------------------------------- text */

static int text_source(rt_buf *out, const rt_evidence_item *it)
{
	char ts[RT_TIME_MAX];
	const char *file = it->file ? it->file : "";
	const char *base = strrchr(file, '/');

	if (!*file && !it->key && !it->record_id && !it->time)
		return 0;
	ADDF(" [%s", base ? base + 1 : file);
	if (it->key)
		ADDF(" %s%s%s", it->key, it->value_name ? "\\" : "", it->value_name ? it->value_name : "");
	if (it->record_id)
		ADDF(" record %llu", (unsigned long long)it->record_id);
	if (it->event_id)
		ADDF(" event %u", (unsigned)it->event_id);
	if (it->time) {
		rt_time_format(it->time, ts);
		ADDF(" %s", ts);
	}
	ADD("]");
	return 0;
}

static int text_list(rt_buf *out, const char *indent, const char *label, const rt_evidence_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		ADDF("%s%s%s", indent, label, l->items[i].text);
		if (text_source(out, &l->items[i]))
			return -1;
		ADD("\n");
	}
	return 0;
}

static const char *bypassed_word(int b)
{
	return b < 0 ? "n/a" : b ? "YES" : "no";
}

static int text_summary(rt_buf *out, rt_assess_result *const *hosts, size_t n)
{
	char a[RT_TIME_MAX], b[RT_TIME_MAX];
	size_t i;
	int c;

	ADDF("%-16s %-7s %-14s %-8s %-28s %s\n", "HOST", "CM", "STATE", "BYPASSED", "FIRST ACTIVITY",
	     "LAST ACTIVITY");
	for (i = 0; i < n; i++)
		for (c = 0; c < RT_CM_COUNT; c++) {
			const rt_cm_verdict *v = &hosts[i]->cm[c];
			rt_time_format(v->first_activity, a);
			rt_time_format(v->last_activity, b);
			ADDF("%-16s %-7s %-14s %-8s %-28s %s\n", hosts[i]->host, rt_cm_name(v->id),
			     rt_cm_state_name(v->state), bypassed_word(v->bypassed),
			     v->first_activity ? a : "-", v->last_activity ? b : "-");
		}
	return 0;
}

static int text_verdict(rt_buf *out, const rt_cm_verdict *v)
{
	char a[RT_TIME_MAX], b[RT_TIME_MAX];
	size_t i;

	ADDF("\n  %s (%s): %s, bypassed: %s\n", rt_cm_name(v->id), rt_cm_title(v->id),
	     rt_cm_state_name(v->state), bypassed_word(v->bypassed));
	if (v->state_why)
		ADDF("    headline: %s\n", v->state_why);
	for (i = 0; i < v->nintervals; i++) {
		const rt_interval *iv = &v->intervals[i];
		rt_time_format(iv->from, a);
		rt_time_format(iv->to, b);
		ADDF("    %s .. %s  %s: %s\n", a, b, rt_cm_state_name(iv->state), iv->why);
		if (text_list(out, "        ", "- ", &iv->basis))
			return -1;
	}
	for (i = 0; i < v->nbypass; i++) {
		ADDF("    BYPASS: %s: %s\n", v->bypass[i].route, v->bypass[i].explanation);
		if (text_list(out, "        ", "change: ", &v->bypass[i].changes) ||
		    text_list(out, "        ", "use: ", &v->bypass[i].findings))
			return -1;
	}
	if (v->evidence.n) {
		ADD("    other activity:\n");
		if (text_list(out, "        ", "- ", &v->evidence))
			return -1;
	}
	if (v->has_monitoring) {
		const rt_monitoring *m = &v->monitoring;
		ADDF("    monitoring (WinRM 6/91, PowerShell 4103): %s\n",
		     m->in_effect ? "in effect" : "NOT in effect");
		if (text_list(out, "        ", "covered: ", &m->coverage) ||
		    text_list(out, "        ", "gap: ", &m->gaps))
			return -1;
	}
	return 0;
}

static int text_host(rt_buf *out, const rt_assess_result *h)
{
	char a[RT_TIME_MAX], b[RT_TIME_MAX];
	int c;

	rt_time_format(h->period_from, a);
	rt_time_format(h->period_to, b);
	ADDF("\nHost %s (evidence from %s to %s)\n", h->host, h->period_from ? a : "-",
	     h->period_to ? b : "-");
	for (c = 0; c < RT_CM_COUNT; c++)
		if (text_verdict(out, &h->cm[c]))
			return -1;
	return 0;
}

int rt_assess_write_text(rt_buf *out, rt_assess_result *const *hosts, size_t n)
{
	size_t i;

	if (text_summary(out, hosts, n))
		return -1;
	for (i = 0; i < n; i++)
		if (text_host(out, hosts[i]))
			return -1;
	return 0;
}

int rt_report_write_text(rt_buf *out, const rt_report *r)
{
	char ts[RT_TIME_MAX];
	size_t i, k;

	ADDF("remtrail %s report: WinRM / WMI / DCOM countermeasures (CM0019, CM0013, CM0012)\n",
	     r->version ? r->version : "");
	ADDF("All times UTC. %zu input files, %zu hosts, %zu findings.\n\n", r->ninputs, r->nhosts,
	     r->findings_total);
	ADD("Summary\n");
	if (text_summary(out, r->hosts, r->nhosts))
		return -1;
	for (i = 0; i < r->nhosts; i++) {
		size_t shown = 0;
		if (text_host(out, r->hosts[i]))
			return -1;
		ADDF("\n  Key timeline (%s)\n", r->hosts[i]->host);
		for (k = 0; k < r->ntimeline; k++) {
			const rt_report_line *l = &r->timeline[k];
			if (!l->host || strcmp(l->host, r->hosts[i]->host))
				continue;
			rt_time_format(l->time, ts);
			ADDF("    %s  %-16s %s", ts, l->kind ? l->kind : "", l->text ? l->text : "");
			if (l->source)
				ADDF(" [%s]", l->source);
			ADD("\n");
			shown++;
		}
		if (!shown)
			ADD("    (no findings)\n");
	}
	ADD("\nInputs (SHA-256)\n");
	for (i = 0; i < r->ninputs; i++)
		ADDF("  %s  %s\n", r->inputs[i].sha256 ? r->inputs[i].sha256 : "(unreadable)",
		     r->inputs[i].path);
	return 0;
}
