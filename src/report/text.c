/*
 * report.txt and `assess --format text`: what an analyst reads first.
 *
 * Each logical line is built whole (values escaped), then cut into lines
 * of less than RT_REPORT_WIDTH bytes at spaces, continuation lines
 * indented under their first: a value never starts a line of its own and
 * a line never runs off the screen.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "report_int.h"

#define ADD(s) do { if (rt_buf_adds(ln, (s))) return -1; } while (0)
#define ADDF(...) do { if (rt_buf_addf(ln, __VA_ARGS__)) return -1; } while (0)
#define TXT(s) do { if (rt_text_cstr(ln, (s))) return -1; } while (0)
#define EMIT() do { if (emit(out, ln)) return -1; } while (0)

/* Shown at most, per host, in the case report (all in the host's own). */
#define CASE_FINDINGS_MAX 40
#define CASE_NOTES_MAX 3
#define PL(n) ((n) == 1 ? "" : "s")

static int pad(rt_buf *out, size_t n)
{
	while (n--)
		if (rt_buf_addch(out, ' '))
			return -1;
	return 0;
}

/* Append `ln` to `out` as lines shorter than RT_REPORT_WIDTH, and empty it. */
static int emit(rt_buf *out, rt_buf *ln)
{
	const size_t w = RT_REPORT_WIDTH - 1;
	size_t pos = 0, ind = 0, cont;
	int first = 1;

	while (ind < ln->len && ln->buf[ind] == ' ')
		ind++;
	cont = ind + 4 < 40 ? ind + 4 : 40;
	for (;;) {
		size_t avail = first ? w : w - cont, rest = ln->len - pos, brk, end;

		if (!first && pad(out, cont))
			return -1;
		if (rest <= avail) {
			if (rt_buf_add(out, ln->buf + pos, rest) || rt_buf_addch(out, '\n'))
				return -1;
			break;
		}
		end = pos + avail;
		for (brk = end; brk > pos + avail / 2 && ln->buf[brk] != ' '; brk--)
			;
		if (ln->buf[brk] != ' ')
			for (brk = end; brk > pos + 1 && ((unsigned char)ln->buf[brk] & 0xC0) == 0x80; brk--)
				;
		if (rt_buf_add(out, ln->buf + pos, brk - pos) || rt_buf_addch(out, '\n'))
			return -1;
		pos = brk;
		while (pos < ln->len && ln->buf[pos] == ' ')
			pos++;
		if (pos >= ln->len)
			break;
		first = 0;
	}
	rt_buf_reset(ln);
	return 0;
}

static const char *bypassed_word(int b)
{
	return b < 0 ? "n/a" : b ? "YES" : "no";
}

static int text_list(rt_buf *out, rt_buf *ln, const rt_analysis *a, const char *label,
		     const rt_evidence_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		ADDF("        %s", label);
		TXT(l->items[i].text);
		if (rep_cite(ln, a, &l->items[i]))
			return -1;
		EMIT();
	}
	return 0;
}

static int text_verdict(rt_buf *out, rt_buf *ln, const rt_analysis *a, const rt_cm_verdict *v)
{
	char x[RT_TIME_MAX], y[RT_TIME_MAX];
	size_t i;

	ADDF("  %s (%s): %s, bypassed: %s", rt_cm_name(v->id), rt_cm_title(v->id),
	     rt_cm_state_name(v->state), bypassed_word(v->bypassed));
	EMIT();
	if (v->state_why) {
		ADD("    headline: ");
		TXT(v->state_why);
		EMIT();
	}
	for (i = 0; i < v->nintervals; i++) {
		const rt_interval *iv = &v->intervals[i];

		rt_time_format(iv->from, x);
		rt_time_format(iv->to, y);
		/* 0 is no time (nothing dated was read), not 1601 */
		ADDF("    %s .. %s  %s: ", iv->from ? x : "-", iv->to ? y : "-",
		     rt_cm_state_name(iv->state));
		TXT(iv->why);
		EMIT();
		if (text_list(out, ln, a, "- ", &iv->basis))
			return -1;
	}
	for (i = 0; i < v->nbypass; i++) {
		ADD("    BYPASS: ");
		TXT(v->bypass[i].route);
		ADD(": ");
		TXT(v->bypass[i].explanation);
		EMIT();
		if (text_list(out, ln, a, "change: ", &v->bypass[i].changes) ||
		    text_list(out, ln, a, "use: ", &v->bypass[i].findings))
			return -1;
	}
	if (v->evidence.n) {
		ADD("    other activity:");
		EMIT();
		if (text_list(out, ln, a, "- ", &v->evidence))
			return -1;
	}
	if (v->has_monitoring) {
		const rt_monitoring *m = &v->monitoring;

		ADDF("    monitoring (WinRM 6/91, PowerShell 4103): %s",
		     m->in_effect ? "in effect" : "NOT in effect");
		EMIT();
		if (text_list(out, ln, a, "covered: ", &m->coverage) ||
		    text_list(out, ln, a, "gap: ", &m->gaps))
			return -1;
	}
	return 0;
}

static int text_verdicts(rt_buf *out, rt_buf *ln, const rt_analysis *a, const rt_assess_result *h)
{
	int c;

	for (c = 0; c < RT_CM_COUNT; c++) {
		EMIT();
		if (text_verdict(out, ln, a, &h->cm[c]))
			return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ summary rows */

#define NAME_W 16
#define CELL_W 23

static int summary_head(rt_buf *out, rt_buf *ln, int with_counts)
{
	int c;

	ADDF("  %-*s", NAME_W, "HOST");
	for (c = 0; c < RT_CM_COUNT; c++)
		ADDF(" %-*s", CELL_W, rt_cm_name((rt_cm_id)c));
	if (with_counts)
		ADD(" INBOUND  FIRST .. LAST INBOUND USE");
	else
		ADD(" FIRST .. LAST ACTIVITY");
	EMIT();
	return 0;
}

/* "  NAME" padded to the column, counting the name as shown (escaped). */
static int name_cell(rt_buf *ln, const char *name)
{
	size_t start = ln->len + 2;

	if (rt_buf_adds(ln, "  ") || rt_text_cstr(ln, name))
		return -1;
	return ln->len - start < NAME_W ? pad(ln, NAME_W - (ln->len - start)) : 0;
}

static int state_cells(rt_buf *ln, const rt_assess_result *v)
{
	int c;

	for (c = 0; c < RT_CM_COUNT; c++) {
		char cell[64];

		snprintf(cell, sizeof cell, "%s%s", v ? rt_cm_state_name(v->cm[c].state) : "unknown",
			 v && v->cm[c].bypassed > 0 ? " BYPASSED" : "");
		ADDF(" %-*s", CELL_W, cell);
	}
	return 0;
}

static int span(rt_buf *ln, uint64_t first, uint64_t last)
{
	if (!first)
		return rt_buf_adds(ln, "-");
	if (rep_short_time(ln, first) || rt_buf_adds(ln, " .. ") || rep_short_time(ln, last))
		return -1;
	return 0;
}

static int host_row(rt_buf *out, rt_buf *ln, const rt_analysis *a, const rt_analysis_host *h)
{
	rep_stats s;

	rep_host_stats(a, h, &s);
	if (name_cell(ln, h->name))
		return -1;
	if (state_cells(ln, h->verdicts))
		return -1;
	ADDF(" %7zu  ", s.inbound);
	if (span(ln, s.first_in, s.last_in))
		return -1;
	if (s.outbound || s.refused || s.other) {
		ADD("  (");
		if (s.outbound)
			ADDF("%zu outbound%s", s.outbound, s.refused || s.other ? ", " : "");
		if (s.refused)
			ADDF("%zu refused%s", s.refused, s.other ? ", " : "");
		if (s.other)
			ADDF("%zu other", s.other);
		ADD(")");
	}
	EMIT();
	return 0;
}

static int legend(rt_buf *out, rt_buf *ln)
{
	int c;

	ADD("Countermeasures:");
	for (c = 0; c < RT_CM_COUNT; c++)
		ADDF("%s %s %s", c ? "," : "", rt_cm_name((rt_cm_id)c), rt_cm_title((rt_cm_id)c));
	ADD(". BYPASSED: used while in effect, or re-enabled then used (details per host).");
	EMIT();
	return 0;
}

/* ------------------------------------------------------------------ hosts */

static int group_of(const rep_stats *s)
{
	return s->inbound ? 0 : (s->outbound || s->refused || s->other) ? 1 : 2;
}

/* Report order of hosts x and y, from their stats. */
static int inbound_first(const rt_analysis *a, const rep_stats *st, size_t x, size_t y)
{
	const rep_stats *s = &st[x], *t = &st[y];

	if (group_of(s) != group_of(t))
		return group_of(s) - group_of(t);
	if (!s->bypassed != !t->bypassed)
		return s->bypassed ? -1 : 1;
	if (s->inbound != t->inbound)
		return s->inbound > t->inbound ? -1 : 1;
	if (s->last_in != t->last_in)
		return s->last_in > t->last_in ? -1 : 1;
	return strcmp(a->hosts[x].name, a->hosts[y].name);
}

int rep_rank_hosts(const rt_analysis *a, size_t **order, int **rank)
{
	size_t n = a->nhosts, i, w, *o = calloc(n + 1, sizeof *o), *tmp = calloc(n + 1, sizeof *tmp);
	rep_stats *st = calloc(n + 1, sizeof *st);
	int *rk = rank ? calloc(n + 1, sizeof *rk) : NULL;

	if (!o || !tmp || !st || (rank && !rk)) {
		free(o);
		free(tmp);
		free(st);
		free(rk);
		return -1;
	}
	for (i = 0; i < n; i++) {
		rep_host_stats(a, &a->hosts[i], &st[i]);
		o[i] = i;
	}
	/* bottom-up merge sort: stable, n log n for cases of many hosts */
	for (w = 1; w < n; w *= 2) {
		size_t lo;

		for (lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t x = lo, y = mid, k = lo;

			while (x < mid && y < hi)
				tmp[k++] = inbound_first(a, st, o[x], o[y]) <= 0 ? o[x++] : o[y++];
			while (x < mid)
				tmp[k++] = o[x++];
			while (y < hi)
				tmp[k++] = o[y++];
		}
		memcpy(o, tmp, n * sizeof *o);
	}
	for (i = 0; rk && i < n; i++)
		rk[i] = group_of(&st[o[i]]);
	free(tmp);
	free(st);
	*order = o;
	if (rank)
		*rank = rk;
	return 0;
}

static int note_lines(rt_buf *out, rt_buf *ln, const rt_input *in, size_t max)
{
	size_t k;

	for (k = 0; k < in->nnotes && k < max; k++) {
		ADD("      ");
		ADD(in->notes[k]); /* escaped when recorded (diag.h) */
		EMIT();
	}
	if (in->nnotes > max) {
		ADDF("      ... and %zu more in report.json", in->nnotes - max);
		EMIT();
	}
	return 0;
}

static int input_line(rt_buf *out, rt_buf *ln, const rt_analysis *a, const rt_input *in,
		      int with_hash, size_t max_notes)
{
	ADDF("    %-11s ", rt_input_state_name(in->state));
	if (rep_file_text(ln, a, in->path))
		return -1;
	if (in->kind) {
		ADD("  (");
		TXT(in->kind);
		if (in->kind && !strncmp(in->kind, "evtx", 4))
			ADDF(", %llu records", (unsigned long long)in->records);
		ADD(")");
	}
	if (with_hash)
		ADDF("  sha256 %s", in->sha256 ? in->sha256 : "-");
	EMIT();
	return note_lines(out, ln, in, max_notes);
}

static int text_host(rt_buf *out, rt_buf *ln, const rt_report *r, size_t hi, int whole)
{
	const rt_analysis *a = r->a;
	const rt_analysis_host *h = &a->hosts[hi];
	const rt_assess_result *v = h->verdicts;
	char x[RT_TIME_MAX], y[RT_TIME_MAX];
	size_t i, counts[REP_NSTATES], shown;
	rep_stats s;

	rep_host_stats(a, h, &s);
	ADD("== Host ");
	TXT(h->name);
	ADD(" ==");
	EMIT();
	ADD("  named from ");
	TXT(h->name_source);
	if (h->full_name) {
		ADD("; full name ");
		TXT(h->full_name);
	}
	ADD("; its files: hosts/");
	TXT(h->dir);
	ADD("/");
	EMIT();
	if (h->time_zone || h->has_bias) {
		ADD("  configured time zone: ");
		if (rep_time_zone(ln, h))
			return -1;
		ADD("; all times here are UTC");
		EMIT();
	}
	rep_count_inputs(a, hi, counts);
	if (v) {
		rt_time_format(v->period_from, x);
		rt_time_format(v->period_to, y);
	}
	ADDF("  evidence from %s to %s; %zu inputs (%zu read, %zu partly read, %zu unreadable, "
	     "%zu skipped)",
	     v && v->period_from ? x : "-", v && v->period_to ? y : "-", h->ninputs,
	     counts[RT_INPUT_READ], counts[RT_INPUT_PARTLY], counts[RT_INPUT_UNREADABLE],
	     counts[RT_INPUT_SKIPPED]);
	EMIT();
	ADDF("  findings: %zu inbound use, %zu outbound use, %zu refused attempt%s, %zu other", s.inbound,
	     s.outbound, s.refused, PL(s.refused), s.other);
	EMIT();
	if (v && text_verdicts(out, ln, a, v))
		return -1;
	EMIT();
	ADDF("  Findings (%zu)", h->findings.n);
	EMIT();
	shown = whole ? h->findings.n : CASE_FINDINGS_MAX;
	for (i = 0; i < h->findings.n && i < shown; i++) {
		const rt_finding *f = &h->findings.items[i];

		rt_time_format(f->timestamp, x);
		ADDF("    %s  %-16s ", x, rt_finding_kind_name(f->kind));
		TXT(f->message);
		ADD(" [");
		if (rep_file_text(ln, a, f->source_file))
			return -1;
		ADDF(" record %llu]", (unsigned long long)f->record_id);
		EMIT();
		if (rep_flush(r, out))
			return -1;
	}
	if (!h->findings.n) {
		ADD("    (none)");
		EMIT();
	} else if (h->findings.n > shown) {
		ADDF("    ... %zu more in hosts/", h->findings.n - shown);
		TXT(h->dir);
		ADD("/report.txt");
		EMIT();
	}
	if (whole) {
		EMIT();
		ADDF("  Inputs (%zu; SHA-256 of what was read)", h->ninputs);
		EMIT();
		for (i = 0; i < h->ninputs; i++)
			if (input_line(out, ln, a, &a->inputs[h->inputs[i]], 1, (size_t)-1))
				return -1;
	}
	EMIT();
	return 0;
}

/* ------------------------------------------------------------------ header */

static int header(rt_buf *out, rt_buf *ln, const rt_report *r, size_t host)
{
	const rt_report_opts *o = r->opts;
	char t[RT_TIME_MAX];

	ADDF("remtrail %s report: WinRM, WMI and DCOM countermeasures",
	     r->run && r->run->version ? r->run->version : "");
	if (host < r->a->nhosts) {
		ADD(" - host ");
		TXT(r->a->hosts[host].name);
		ADD(" (from this host's evidence alone)");
	}
	EMIT();
	ADD("All times are UTC (ISO 8601). Registry times are key last-written times: a setting "
	    "held at least from then.");
	EMIT();
	ADD("Options: ");
	if (o && o->mgmt) {
		ADD("management addresses (--mgmt) ");
		TXT(o->mgmt);
	} else {
		ADD("no --mgmt (use from an address a rule allows is not counted as bypass)");
	}
	if (o && (o->from || o->to)) {
		ADD("; activity window ");
		if (o->from) {
			rt_time_format(o->from, t);
			ADD(t);
		} else {
			ADD("start");
		}
		ADD(" .. ");
		if (o->to) {
			rt_time_format(o->to, t);
			ADD(t);
		} else {
			ADD("end");
		}
	} else {
		ADD("; no activity window");
	}
	ADD("; EVTX reader ");
	ADD(o && o->reader ? o->reader : "auto");
	if (o && o->tz) {
		ADD("; local times (--tz ");
		TXT(o->tz);
		ADD(") in the timelines");
	}
	ADD(".");
	EMIT();
	return 0;
}

static int run_record(rt_buf *out, rt_buf *ln, const rt_report_run *run)
{
	char t[RT_TIME_MAX];
	size_t i;

	EMIT();
	ADD(RT_REPORT_RUN_MARK);
	EMIT();
	ADD("command line:");
	for (i = 0; run && i < run->argc; i++) {
		ADD(" ");
		if (rt_path_cstr(ln, run->argv[i]))
			return -1;
	}
	EMIT();
	if (run) {
		rt_time_format(rt_time_from_unix(run->started), t);
		ADDF("started %s, ", t);
		rt_time_format(rt_time_from_unix(run->finished), t);
		ADDF("finished %s, %d EVTX threads", t, run->jobs);
		EMIT();
	}
	return 0;
}

/* ------------------------------------------------------------------- case */

static int group_key(rt_buf *k, const rt_analysis *a, const rt_analysis_host *h)
{
	rep_stats s;
	int c;

	rep_host_stats(a, h, &s);
	if (rt_buf_adds(k, s.hives && s.logs ? "with logs and registry hives"
			   : s.hives	      ? "with registry hives but no logs"
			   : s.logs	      ? "with logs but no registry hive"
					      : "with nothing readable"))
		return -1;
	for (c = 0; c < RT_CM_COUNT; c++)
		if (rt_buf_addf(k, "%s %s %s", c ? "," : ":", rt_cm_name((rt_cm_id)c),
				h->verdicts ? rt_cm_state_name(h->verdicts->cm[c].state) : "unknown"))
			return -1;
	return 0;
}

static int quiet_groups(rt_buf *out, rt_buf *ln, const rt_analysis *a, const size_t *order,
			const int *rank)
{
	size_t i, j, n = 0, *idx;
	char **keys;
	int rc = -1;

	for (i = 0; i < a->nhosts; i++)
		n += rank[i] == 2;
	if (!n)
		return 0;
	idx = calloc(n, sizeof *idx);
	keys = calloc(n, sizeof *keys);
	if (!idx || !keys)
		goto out;
	for (i = 0, j = 0; i < a->nhosts; i++)
		if (rank[i] == 2) {
			rt_buf k = RT_BUF_INIT;

			idx[j] = order[i];
			if (group_key(&k, a, &a->hosts[order[i]]) || !(keys[j] = rt_buf_detach(&k, NULL))) {
				rt_buf_release(&k);
				goto out;
			}
			j++;
		}
	ADDF("Hosts where nothing was found (%zu), grouped by what was read and their verdicts", n);
	EMIT();
	for (i = 0; i < n; i++) {
		size_t m = 0, k;

		if (!keys[i])
			continue;
		for (k = i; k < n; k++)
			m += keys[k] && !strcmp(keys[k], keys[i]);
		ADDF("  %zu host%s ", m, m == 1 ? "" : "s");
		ADD(keys[i]);
		EMIT();
		ADD("    ");
		for (k = i, j = 0; k < n; k++) {
			if (!keys[k] || (k != i && strcmp(keys[k], keys[i])))
				continue;
			if (j++)
				ADD(", ");
			TXT(a->hosts[idx[k]].name);
			if (k != i) {
				free(keys[k]);
				keys[k] = NULL;
			}
		}
		EMIT();
	}
	EMIT();
	rc = 0;
out:
	for (i = 0; keys && i < n; i++)
		free(keys[i]);
	free(keys);
	free(idx);
	return rc;
}

static int movement(rt_buf *out, rt_buf *ln, const rt_analysis *a)
{
	size_t i;

	ADDF("Movement between hosts (%zu edge%s; * = not in the evidence)", a->nmoves, PL(a->nmoves));
	EMIT();
	if (!a->nmoves) {
		ADD("  (none found)");
		EMIT();
	}
	for (i = 0; i < a->nmoves; i++) {
		const rt_move *m = &a->moves[i];

		ADD("  ");
		TXT(m->src);
		ADD(m->src_known ? "" : "*");
		ADD(" -> ");
		TXT(m->dst);
		ADD(m->dst_known ? "" : "*");
		ADDF("  %s: %zu use%s", m->protocol, m->count, m->count == 1 ? "" : "s");
		if (m->paired)
			ADDF(" (%zu seen on both ends)", m->paired);
		if (m->refused)
			ADDF(", %zu refused", m->refused);
		ADD(", ");
		if (span(ln, m->first, m->last))
			return -1;
		EMIT();
	}
	EMIT();
	return 0;
}

static int inputs_summary(rt_buf *out, rt_buf *ln, const rt_analysis *a)
{
	size_t i, counts[REP_NSTATES];
	rt_input_state st;

	rep_count_inputs(a, RT_REPORT_CASE, counts);
	ADDF("Inputs: %zu (%zu read, %zu partly read, %zu unreadable, %zu skipped); SHA-256 of each "
	     "in report.json",
	     a->ninputs, counts[RT_INPUT_READ], counts[RT_INPUT_PARTLY], counts[RT_INPUT_UNREADABLE],
	     counts[RT_INPUT_SKIPPED]);
	EMIT();
	for (st = RT_INPUT_PARTLY; st <= RT_INPUT_SKIPPED; st++)
		for (i = 0; i < a->ninputs; i++)
			if (a->inputs[i].state == st &&
			    input_line(out, ln, a, &a->inputs[i], 0, CASE_NOTES_MAX))
				return -1;
	EMIT();
	return 0;
}

static int case_text(rt_buf *out, rt_buf *ln, const rt_report *r)
{
	const rt_analysis *a = r->a;
	size_t *order = NULL, i, n[3] = { 0 };
	int *rank = NULL, g, rc = -1;
	static const char *const titles[] = {
		"Hosts with inbound use (bypassed first, then most use)",
		"Hosts with other findings (refused attempts, outbound use, changes)",
	};

	if (rep_rank_hosts(a, &order, &rank))
		return -1;
	for (i = 0; i < a->nhosts; i++)
		n[rank[i]]++;
	if (header(out, ln, r, RT_REPORT_CASE))
		goto out;
	if (rt_buf_addf(ln, "Case: %zu host%s, %zu input%s, %zu finding%s, %zu movement edge%s. "
			"Each host's own report: hosts/<folder>/report.txt (.json, .html).",
			a->nhosts, PL(a->nhosts), a->ninputs, PL(a->ninputs), a->findings.n,
			PL(a->findings.n), a->nmoves, PL(a->nmoves)) || emit(out, ln))
		goto out;
	if (legend(out, ln) || emit(out, ln))
		goto out;
	for (g = 0; g < 2; g++) {
		if (!n[g])
			continue;
		if (rt_buf_addf(ln, "%s: %zu", titles[g], n[g]) || emit(out, ln) ||
		    summary_head(out, ln, 1))
			goto out;
		for (i = 0; i < a->nhosts; i++)
			if (rank[i] == g && host_row(out, ln, a, &a->hosts[order[i]]))
				goto out;
		if (emit(out, ln))
			goto out;
	}
	if (quiet_groups(out, ln, a, order, rank) || movement(out, ln, a) ||
	    inputs_summary(out, ln, a))
		goto out;
	if (n[0]) {
		if (rt_buf_adds(ln, "Details of the hosts with inbound use") || emit(out, ln) ||
		    emit(out, ln))
			goto out;
		for (i = 0; i < a->nhosts; i++)
			if (rank[i] == 0 && (text_host(out, ln, r, order[i], 0) || rep_flush(r, out)))
				goto out;
	}
	rc = run_record(out, ln, r->run);
out:
	free(order);
	free(rank);
	return rc;
}

int rt_report_text(rt_buf *out, const rt_report *r, size_t host)
{
	rt_buf line = RT_BUF_INIT, *ln = &line;
	int rc = -1;

	if (host >= r->a->nhosts) {
		rc = case_text(out, ln, r);
	} else if (!header(out, ln, r, host) && !emit(out, ln) && !legend(out, ln) && !emit(out, ln) &&
		   !text_host(out, ln, r, host, 1)) {
		rc = run_record(out, ln, r->run);
	}
	rt_buf_release(&line);
	return rc;
}

/* ------------------------------------------------------------------ assess */

int rt_assess_write_text(rt_buf *out, rt_assess_result *const *hosts, size_t n)
{
	rt_analysis none;
	rt_buf line = RT_BUF_INIT, *ln = &line;
	size_t i;
	int rc = -1;

	memset(&none, 0, sizeof none);
	if (legend(out, ln) || emit(out, ln) || summary_head(out, ln, 0))
		goto out;
	for (i = 0; i < n; i++) {
		uint64_t first = 0, last = 0;
		int c;

		for (c = 0; c < RT_CM_COUNT; c++) {
			const rt_cm_verdict *v = &hosts[i]->cm[c];

			if (v->first_activity && (!first || v->first_activity < first))
				first = v->first_activity;
			if (v->last_activity > last)
				last = v->last_activity;
		}
		if (name_cell(ln, hosts[i]->host) || state_cells(ln, hosts[i]) || rt_buf_adds(ln, " ") || span(ln, first, last) ||
		    emit(out, ln))
			goto out;
	}
	for (i = 0; i < n; i++) {
		char x[RT_TIME_MAX], y[RT_TIME_MAX];

		rt_time_format(hosts[i]->period_from, x);
		rt_time_format(hosts[i]->period_to, y);
		if (emit(out, ln) || rt_buf_adds(ln, "== Host ") || rt_text_cstr(ln, hosts[i]->host) ||
		    rt_buf_addf(ln, " == (evidence from %s to %s)", hosts[i]->period_from ? x : "-",
				hosts[i]->period_to ? y : "-") ||
		    emit(out, ln) || text_verdicts(out, ln, &none, hosts[i]))
			goto out;
	}
	rc = 0;
out:
	rt_buf_release(&line);
	return rc;
}
