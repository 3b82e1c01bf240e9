/*
 * report.html: one self-contained page - inline CSS, inline SVG, a little
 * inline script, nothing fetched (a Content-Security-Policy forbids it) -
 * so it opens offline, can be attached to a ticket and prints.
 *
 *   summary    host x countermeasure, coloured by state, bypass marked,
 *              first/last inbound use; hosts with inbound use first, the
 *              quiet ones grouped
 *   movement   the case's graph: sources left, targets right, one arrow
 *              per (source, target, protocol) with its count and times
 *   hosts      per host a time axis: one band per countermeasure (its
 *              intervals), findings as marks on one lane per protocol,
 *              configuration changes as ticks; every band and mark says
 *              what it rests on when hovered, and the marks are listed
 *              with their citations below the axis
 *   findings   the timeline as a table, sortable and filterable
 *   inputs     what was read and what became of it
 *   run        the run record (report.h), apart, at the end
 *
 * Everything from evidence goes through rt_text_escape (or rt_path_escape)
 * and then HTML escaping, so the page shows exactly what the text report
 * shows. Colours are never the only carrier: states are also written.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "report_int.h"

#define ADD(s) do { if (rt_buf_adds(out, (s))) return -1; } while (0)
#define ADDF(...) do { if (rt_buf_addf(out, __VA_ARGS__)) return -1; } while (0)
#define H(s) do { if (html_text(out, (s))) return -1; } while (0)
#define HF(p) do { if (html_file(out, a, (p))) return -1; } while (0)

/* Axis geometry (SVG user units). */
#define AX_W 1000
#define AX_LEFT 150
#define AX_RIGHT 20
#define BAND_H 22
#define LANE_H 20
#define PER_HOST_MARKS 400

/* What an HTML special character becomes (NULL: itself). */
static const char *html_entity(unsigned char c)
{
	switch (c) {
	case '&': return "&amp;";
	case '<': return "&lt;";
	case '>': return "&gt;";
	case '"': return "&quot;";
	case '\'': return "&#39;";
	default: return NULL;
	}
}

/* Bytes that grow when escaped: how much longer each gets. */
static const unsigned char html_grow[256] = { ['&'] = 4, ['<'] = 3, ['>'] = 3, ['"'] = 5,
					       ['\''] = 4 };

/*
 * HTML-escape out->buf[start..len) where it stands: most text holds no
 * special character and is left as it is; otherwise the text is spread
 * backwards over the room its entities need. No copy per value (a report
 * escapes tens of thousands of them).
 */
static int html_escape_from(rt_buf *out, size_t start)
{
	size_t n = out->len - start, grow = 0, i, w;
	char *b = out->buf + start;

	for (i = 0; i < n; i++)
		grow += html_grow[(unsigned char)b[i]];
	if (!grow)
		return 0;
	if (rt_buf_grow(out, grow)) {
		rt_buf_truncate(out, start);
		return -1;
	}
	b = out->buf + start;
	w = n + grow;
	for (i = n; i-- > 0;) {
		const char *e = html_entity((unsigned char)b[i]);

		if (e) {
			size_t k = strlen(e);

			w -= k;
			memcpy(b + w, e, k);
		} else {
			b[--w] = b[i];
		}
	}
	out->len = start + n + grow;
	out->buf[out->len] = '\0';
	return 0;
}

static int html_raw(rt_buf *out, const char *s, size_t n)
{
	size_t start = out->len;

	return rt_buf_add(out, s, n) || html_escape_from(out, start) ? -1 : 0;
}

/* A value from evidence: shown as report.txt shows it, HTML-escaped. */
static int html_text(rt_buf *out, const char *s)
{
	size_t start = out->len;

	if (!s)
		return 0;
	if (rt_text_cstr(out, s)) {
		rt_buf_truncate(out, start);
		return -1;
	}
	return html_escape_from(out, start);
}

static int html_file(rt_buf *out, const rt_analysis *a, const char *path)
{
	size_t start = out->len;

	if (rep_file_text(out, a, path)) {
		rt_buf_truncate(out, start);
		return -1;
	}
	return html_escape_from(out, start);
}

static int html_time(rt_buf *out, uint64_t t)
{
	char ts[RT_TIME_MAX];

	if (!t)
		return rt_buf_adds(out, "-");
	rt_time_format(t, ts);
	return rt_buf_adds(out, ts);
}

/* ------------------------------------------------------------------ style */

static const char style[] =
	"<style>\n"
	":root{--in:#2e7d32;--re:#e0a100;--no:#c62828;--un:#9e9e9e;--ink:#1d2733;--mut:#5f6b7a;"
	"--line:#d9dee5;--bg:#f6f8fa}\n"
	"*{box-sizing:border-box}\n"
	"body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;"
	"color:var(--ink);margin:0;background:#fff}\n"
	"header{background:#1d2733;color:#fff;padding:18px 28px}\n"
	"header h1{margin:0 0 4px;font-size:22px;font-weight:600}\n"
	"header p{margin:2px 0;color:#c9d3df;font-size:13px}\n"
	"nav{position:sticky;top:0;background:#fff;border-bottom:1px solid var(--line);padding:8px 28px;z-index:2}\n"
	"nav a{margin-right:18px;color:#24527a;text-decoration:none;font-weight:600}\n"
	"main{padding:0 28px 28px;max-width:1400px}\n"
	"h2{font-size:18px;margin:26px 0 10px;border-bottom:2px solid var(--line);padding-bottom:4px}\n"
	"h3{font-size:16px;margin:0 0 6px}\n"
	"table{border-collapse:collapse;width:100%;font-size:13px}\n"
	"th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}\n"
	"th{background:var(--bg);font-weight:600;white-space:nowrap}\n"
	"td.num{text-align:right;font-variant-numeric:tabular-nums}\n"
	".mono,td.t{font-family:ui-monospace,'DejaVu Sans Mono',monospace;font-size:12px;white-space:nowrap}\n"
	".cite{color:var(--mut);font-size:12px;word-break:break-all}\n"
	".st{font-weight:600;border-radius:4px;white-space:nowrap}\n"
	"td.st{border-left:6px solid var(--un)}\n"
	".st-in_effect{color:#1b5e20}td.st-in_effect{border-left-color:var(--in);background:#e8f5e9}\n"
	".st-restricted{color:#7a5600}td.st-restricted{border-left-color:var(--re);background:#fff8e1}\n"
	".st-not_in_effect{color:#b71c1c}td.st-not_in_effect{border-left-color:var(--no);background:#ffebee}\n"
	".st-unknown{color:#555}td.st-unknown{border-left-color:var(--un);background:#f5f5f5}\n"
	".bp{display:inline-block;margin-left:6px;padding:0 5px;border-radius:3px;background:var(--no);"
	"color:#fff;font-size:11px;letter-spacing:.04em}\n"
	".legend span{display:inline-block;margin-right:14px}\n"
	".sw{display:inline-block;width:12px;height:12px;border-radius:2px;vertical-align:-1px;margin-right:4px}\n"
	".host{border:1px solid var(--line);border-radius:6px;padding:14px 16px;margin:14px 0;"
	"break-inside:avoid}\n"
	".host .meta{color:var(--mut);font-size:13px;margin:0 0 8px}\n"
	".axis-title{margin:8px 0 2px;font-size:12px;font-weight:600;color:var(--mut)}\n"
	"svg{display:block;width:100%;height:auto}\n"
	"svg text{font:11px system-ui,sans-serif;fill:#333}\n"
	"svg .band-in_effect{fill:var(--in)}svg .band-restricted{fill:var(--re)}\n"
	"svg .band-not_in_effect{fill:var(--no)}svg .band-unknown{fill:var(--un)}\n"
	"svg .bypass{stroke:#000;stroke-width:2;stroke-dasharray:4 2}\n"
	"svg .mk-use{fill:#c62828;stroke:#fff}svg .mk-refused{fill:#fff;stroke:#555;stroke-width:1.5}\n"
	"svg .mk-out{fill:#1565c0;stroke:#fff}svg .mk-support{fill:#8d6e63;stroke:#fff}\n"
	"svg .tick{stroke:#6a1b9a;stroke-width:1.5}svg .grid{stroke:#e3e7ec}\n"
	"svg a:hover .mk,svg .hl{stroke:#000;stroke-width:2.5}\n"
	"svg .elabel{stroke:#fff;stroke-width:3px;fill:currentColor;font-weight:600;paint-order:stroke}"
	"svg .edge{fill:none;stroke-width:2}svg .node rect{fill:#fff;stroke:#1d2733}\n"
	"svg .node.ext rect{stroke-dasharray:3 2;fill:#fafafa}\n"
	".p-winrm{stroke:#6a1b9a;color:#6a1b9a}.p-wmi{stroke:#00838f;color:#00838f}"
	".p-dcom{stroke:#ef6c00;color:#ef6c00}.p-other{stroke:#546e7a;color:#546e7a}\n"
	"tr.hl td{background:#fff59d}\n"
	"details{margin:6px 0}summary{cursor:pointer;color:#24527a;font-weight:600}\n"
	".iv{margin:4px 0 8px 0}.iv li{margin:2px 0}\n"
	".controls{margin:6px 0 10px}.controls input,.controls select{font:inherit;padding:3px 6px;margin-right:8px}\n"
	"#findings th{cursor:pointer}#findings th:after{content:' \\2195';color:#aab}\n"
	"footer{margin:30px 28px;color:var(--mut);font-size:12px;border-top:1px solid var(--line);padding-top:8px}\n"
	"@media print{nav,.controls{display:none}header{background:#fff;color:#000;padding:0}"
	"header p{color:#333}main{padding:0;max-width:none}"
	"*{-webkit-print-color-adjust:exact;print-color-adjust:exact}h2{break-after:avoid}"
	"tr{break-inside:avoid}}\n"
	"</style>\n";

/* Sorting, filtering, highlighting, and every <details> open for print. */
static const char script[] =
	"<script>\n"
	"(function(){\n"
	"'use strict';\n"
	"var t=document.getElementById('findings');\n"
	"if(t){\n"
	" var f=document.getElementById('ffilter'),k=document.getElementById('fkind'),"
	"n=document.getElementById('fcount');\n"
	" var apply=function(){var q=f.value.toLowerCase(),kv=k.value,c=0;"
	"Array.prototype.forEach.call(t.tBodies[0].rows,function(r){"
	"var s=(!q||r.textContent.toLowerCase().indexOf(q)>=0)&&(!kv||r.getAttribute('data-kind')===kv);"
	"r.hidden=!s;if(s)c++;});n.textContent=c+' shown';};\n"
	" f.addEventListener('input',apply);k.addEventListener('change',apply);\n"
	" t.tHead.addEventListener('click',function(e){var th=e.target.closest('th');if(!th)return;"
	"var i=th.cellIndex,d=th.getAttribute('data-dir')==='asc'?-1:1,b=t.tBodies[0];"
	"th.setAttribute('data-dir',d>0?'asc':'desc');"
	"var rows=Array.prototype.slice.call(b.rows);"
	"rows.sort(function(x,y){var p=x.cells[i].getAttribute('data-v')||x.cells[i].textContent,"
	"q=y.cells[i].getAttribute('data-v')||y.cells[i].textContent;"
	"return (p<q?-1:p>q?1:0)*d||(+x.getAttribute('data-i')-y.getAttribute('data-i'));});"
	"rows.forEach(function(r){b.appendChild(r);});});\n"
	" apply();\n"
	"}\n"
	"document.addEventListener('mouseover',function(e){var m=e.target.closest&&e.target.closest('[data-row]');"
	"Array.prototype.forEach.call(document.querySelectorAll('tr.hl'),function(r){r.classList.remove('hl');});"
	"if(m){var r=document.getElementById(m.getAttribute('data-row'));if(r)r.classList.add('hl');}});\n"
	"window.addEventListener('beforeprint',function(){"
	"Array.prototype.forEach.call(document.querySelectorAll('details'),function(d){d.open=true;});});\n"
	"})();\n"
	"</script>\n";

/* ----------------------------------------------------------------- pieces */

static int head(rt_buf *out, const rt_report *r, size_t host)
{
	const rt_analysis *a = r->a;
	const rt_report_opts *o = r->opts;
	int one = host < a->nhosts;

	ADD("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	    "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	    "<meta name=\"generator\" content=\"remtrail\">\n<title>remtrail report: ");
	if (one)
		H(a->hosts[host].name);
	else
		ADDF("case of %zu host%s", a->nhosts, a->nhosts == 1 ? "" : "s");
	ADD("</title>\n");
	ADD(style);
	ADD("</head>\n<body>\n<header>\n<h1>remtrail report: ");
	if (one) {
		ADD("host ");
		H(a->hosts[host].name);
	} else {
		ADDF("case of %zu host%s", a->nhosts, a->nhosts == 1 ? "" : "s");
	}
	ADD("</h1>\n<p>WinRM, WMI and DCOM countermeasures: ");
	{
		int c;

		for (c = 0; c < RT_CM_COUNT; c++)
			ADDF("%s%s %s", c ? ", " : "", rt_cm_name((rt_cm_id)c), rt_cm_title((rt_cm_id)c));
	}
	ADDF(". remtrail %s.</p>\n<p>All times are UTC. Registry times are key last-written times. ",
	     r->run && r->run->version ? r->run->version : "");
	if (o && o->mgmt) {
		ADD("Management addresses (--mgmt): ");
		H(o->mgmt);
		ADD(". ");
	} else {
		ADD("No --mgmt: use from an address a rule allows is not counted as bypass. ");
	}
	if (o && (o->from || o->to)) {
		ADD("Activity window ");
		if (html_time(out, o->from) || rt_buf_adds(out, " .. ") || html_time(out, o->to))
			return -1;
		ADD(". ");
	}
	ADD("EVTX reader ");
	H(o && o->reader ? o->reader : "auto");
	ADD(".");
	if (one)
		ADD(" Computed from this host's evidence alone.");
	ADD("</p>\n</header>\n<nav><a href=\"#summary\">Summary</a>");
	if (!one)
		ADD("<a href=\"#movement\">Movement</a>");
	ADD("<a href=\"#hosts\">Hosts</a><a href=\"#timeline\">Findings</a>"
	    "<a href=\"#inputs\">Inputs</a></nav>\n<main>\n");
	return 0;
}

static int state_cell(rt_buf *out, const rt_cm_verdict *v)
{
	const char *st = v ? rt_cm_state_name(v->state) : "unknown";

	ADDF("<td class=\"st st-%s\">%s", st, st);
	if (v && v->bypassed > 0)
		ADD("<span class=\"bp\" title=\"bypassed: see the host's verdict\">BYPASSED</span>");
	ADD("</td>");
	return 0;
}

static int legend(rt_buf *out)
{
	ADD("<p class=\"legend\"><span><i class=\"sw\" style=\"background:var(--in)\"></i>in_effect</span>"
	    "<span><i class=\"sw\" style=\"background:var(--re)\"></i>restricted</span>"
	    "<span><i class=\"sw\" style=\"background:var(--no)\"></i>not_in_effect</span>"
	    "<span><i class=\"sw\" style=\"background:var(--un)\"></i>unknown</span>"
	    "<span><span class=\"bp\">BYPASSED</span> used while in effect, or re-enabled then used</span></p>\n");
	return 0;
}

static int summary_row(rt_buf *out, const rt_analysis *a, size_t hi, int link)
{
	const rt_analysis_host *h = &a->hosts[hi];
	rep_stats s;
	int c;

	rep_host_stats(a, h, &s);
	ADD("<tr><td>");
	if (link)
		ADDF("<a href=\"#h%zu\">", hi);
	H(h->name);
	ADD(link ? "</a></td>" : "</td>");
	for (c = 0; c < RT_CM_COUNT; c++)
		if (state_cell(out, h->verdicts ? &h->verdicts->cm[c] : NULL))
			return -1;
	ADDF("<td class=\"num\">%zu</td><td class=\"num\">%zu</td><td class=\"num\">%zu</td><td class=\"t\">",
	     s.inbound, s.outbound, s.refused);
	if (html_time(out, s.first_in) || rt_buf_adds(out, "</td><td class=\"t\">") ||
	    html_time(out, s.last_in))
		return -1;
	ADD("</td></tr>\n");
	return 0;
}

static int summary(rt_buf *out, const rt_analysis *a, size_t host, const size_t *order,
		   const int *rank)
{
	size_t i, j, nquiet = 0;
	int c;

	ADD("<section id=\"summary\">\n<h2>Summary</h2>\n");
	if (legend(out))
		return -1;
	ADD("<table class=\"summary\">\n<thead><tr><th>Host</th>");
	for (c = 0; c < RT_CM_COUNT; c++)
		ADDF("<th title=\"%s\">%s<br><small>%s</small></th>", rt_cm_title((rt_cm_id)c),
		     rt_cm_name((rt_cm_id)c), rt_cm_title((rt_cm_id)c));
	ADD("<th>Inbound</th><th>Outbound</th><th>Refused</th><th>First inbound use</th>"
	    "<th>Last inbound use</th></tr></thead>\n<tbody>\n");
	for (i = 0; i < a->nhosts; i++) {
		if (host < a->nhosts && order[i] != host)
			continue;
		if (host >= a->nhosts && rank[i] == 2) {
			nquiet++;
			continue;
		}
		if (summary_row(out, a, order[i], 1))
			return -1;
	}
	ADD("</tbody></table>\n");
	if (nquiet) {
		/* the quiet hosts, grouped as report.txt groups them */
		ADDF("<details><summary>%zu host%s where nothing was found</summary>\n<table>"
		     "<thead><tr><th>Host</th>",
		     nquiet, nquiet == 1 ? "" : "s");
		for (c = 0; c < RT_CM_COUNT; c++)
			ADDF("<th>%s</th>", rt_cm_name((rt_cm_id)c));
		ADD("<th>Inbound</th><th>Outbound</th><th>Refused</th><th>First inbound use</th>"
		    "<th>Last inbound use</th></tr></thead><tbody>\n");
		for (j = 0; j < a->nhosts; j++)
			if (rank[j] == 2 && summary_row(out, a, order[j], 0))
				return -1;
		ADD("</tbody></table></details>\n");
	}
	ADD("</section>\n");
	return 0;
}

/* ---------------------------------------------------------------- movement */

typedef struct node {
	const char *name;
	int col, row, ext;
} node;

static size_t node_of(node *nd, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(nd[i].name, name))
			return i;
	return n;
}

static int node_cmp(const void *x, const void *y)
{
	const node *a = x, *b = y;

	if (a->col != b->col)
		return a->col - b->col;
	return strcmp(a->name, b->name);
}

static const char *proto_class(const char *p)
{
	return !strcmp(p, "winrm") ? "p-winrm" : !strcmp(p, "wmi") ? "p-wmi" : !strcmp(p, "dcom") ? "p-dcom"
												  : "p-other";
}

#define NODE_W 170
#define NODE_H 26
#define ROW_H 40

static int movement(rt_buf *out, const rt_analysis *a)
{
	node *nd = calloc(2 * a->nmoves + 1, sizeof *nd);
	size_t n = 0, i, rows[3] = { 0 }, maxrows;
	int rc = -1;

	ADD("<section id=\"movement\">\n<h2>Movement between hosts</h2>\n");
	if (!nd)
		return -1;
	for (i = 0; i < a->nmoves; i++) {
		const rt_move *m = &a->moves[i];
		size_t s = node_of(nd, n, m->src), d;

		if (s == n) {
			nd[n].name = m->src;
			nd[n].ext = !m->src_known;
			nd[n].col = 0;
			n++;
		}
		d = node_of(nd, n, m->dst);
		if (d == n) {
			nd[n].name = m->dst;
			nd[n].ext = !m->dst_known;
			nd[n].col = 2;
			n++;
		}
	}
	/* a node that is both source and target sits in the middle */
	for (i = 0; i < n; i++) {
		size_t k;
		int src = 0, dst = 0;

		for (k = 0; k < a->nmoves; k++) {
			src |= !strcmp(a->moves[k].src, nd[i].name);
			dst |= !strcmp(a->moves[k].dst, nd[i].name);
		}
		nd[i].col = src && dst ? 1 : src ? 0 : 2;
	}
	if (n)
		qsort(nd, n, sizeof *nd, node_cmp);
	for (i = 0; i < n; i++)
		nd[i].row = (int)rows[nd[i].col]++;
	maxrows = rows[0] > rows[1] ? rows[0] : rows[1];
	maxrows = maxrows > rows[2] ? maxrows : rows[2];
	if (!a->nmoves) {
		if (rt_buf_adds(out, "<p>No movement between hosts was found.</p>\n"))
			goto out;
	} else {
		int hgt = (int)maxrows * ROW_H + 30;

		if (rt_buf_addf(out, "<svg id=\"graph\" viewBox=\"0 0 %d %d\" role=\"img\" "
				     "aria-label=\"movement graph\">\n<defs>",
				AX_W, hgt))
			goto out;
		{
			static const char *const protos[] = { "p-winrm", "p-wmi", "p-dcom", "p-other" };
			static const char *const cols[] = { "#6a1b9a", "#00838f", "#ef6c00", "#546e7a" };
			size_t p;

			for (p = 0; p < 4; p++)
				if (rt_buf_addf(out, "<marker id=\"ar-%s\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" "
						     "markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\">"
						     "<path d=\"M0,0L10,5L0,10z\" fill=\"%s\"/></marker>",
						protos[p], cols[p]))
					goto out;
		}
		if (rt_buf_adds(out, "</defs>\n"))
			goto out;
		for (i = 0; i < a->nmoves; i++) {
			const rt_move *m = &a->moves[i];
			const node *s = &nd[node_of(nd, n, m->src)], *d = &nd[node_of(nd, n, m->dst)];
			int x1 = 20 + s->col * 390 + NODE_W, y1 = 20 + s->row * ROW_H + NODE_H / 2;
			int x2 = 20 + d->col * 390, y2 = 20 + d->row * ROW_H + NODE_H / 2;
			int in = 0, nin = 0, out_ = 0, nout = 0, off1, off2;
			size_t q;
			const char *pc = proto_class(m->protocol);

			/* the edges into one target (out of one source) spread over
			 * its height, each labelled just before its arrow */
			for (q = 0; q < a->nmoves; q++) {
				if (!strcmp(a->moves[q].dst, m->dst)) {
					in += q < i;
					nin++;
				}
				if (!strcmp(a->moves[q].src, m->src)) {
					out_ += q < i;
					nout++;
				}
			}
			off2 = in * 11 - (nin - 1) * 11 / 2;
			off1 = out_ * 4 - (nout - 1) * 2;

			if (rt_buf_addf(out, "<path class=\"edge %s\" marker-end=\"url(#ar-%s)\" "
					     "d=\"M%d,%d C%d,%d %d,%d %d,%d\"%s><title>",
					pc, pc, x1, y1 + off1, (x1 + x2) / 2, y1 + off1, (x1 + x2) / 2, y2 + off2, x2 - 2,
					y2 + off2, m->count ? "" : " stroke-dasharray=\"4 3\"") ||
			    html_text(out, m->src) || rt_buf_adds(out, " -> ") || html_text(out, m->dst) ||
			    rt_buf_addf(out, ": %s, %zu use%s, %zu refused, ", m->protocol, m->count,
					m->count == 1 ? "" : "s", m->refused) ||
			    html_time(out, m->first) || rt_buf_adds(out, " .. ") || html_time(out, m->last) ||
			    rt_buf_adds(out, "</title></path>\n") ||
			    rt_buf_addf(out, "<text class=\"elabel %s\" x=\"%d\" y=\"%d\" text-anchor=\"end\">"
					     "%s %zu%s</text>\n",
					pc, x2 - 12, y2 + off2 - 2, m->protocol, m->count ? m->count : m->refused,
					m->count ? "" : " refused"))
				goto out;
		}
		for (i = 0; i < n; i++) {
			int x = 20 + nd[i].col * 390, y = 20 + nd[i].row * ROW_H;

			if (rt_buf_addf(out, "<g class=\"node%s\"><rect x=\"%d\" y=\"%d\" width=\"%d\" "
					     "height=\"%d\" rx=\"4\"/><text x=\"%d\" y=\"%d\">",
					nd[i].ext ? " ext" : "", x, y, NODE_W, NODE_H, x + 8, y + 17) ||
			    html_text(out, nd[i].name) || rt_buf_adds(out, "</text><title>") ||
			    html_text(out, nd[i].name) ||
			    rt_buf_adds(out, nd[i].ext ? " (not in the evidence)</title></g>\n" : "</title></g>\n"))
				goto out;
		}
		if (rt_buf_adds(out, "</svg>\n<p class=\"legend\"><span class=\"p-winrm\">&#9644; WinRM</span>"
				     "<span class=\"p-wmi\">&#9644; WMI</span><span class=\"p-dcom\">&#9644; DCOM</span>"
				     "<span>dashed line: refused attempts only; dashed box: not in the evidence</span></p>\n"
				     "<table><thead><tr><th>Source</th><th>Target</th><th>Protocol</th>"
				     "<th>Uses</th><th>Seen on both ends</th><th>Refused</th><th>First</th>"
				     "<th>Last</th></tr></thead><tbody>\n"))
			goto out;
		for (i = 0; i < a->nmoves; i++) {
			const rt_move *m = &a->moves[i];

			if (rt_buf_adds(out, "<tr><td>") || html_text(out, m->src) ||
			    rt_buf_adds(out, m->src_known ? "" : " *") || rt_buf_adds(out, "</td><td>") ||
			    html_text(out, m->dst) || rt_buf_adds(out, m->dst_known ? "" : " *") ||
			    rt_buf_addf(out, "</td><td>%s</td><td class=\"num\">%zu</td><td class=\"num\">%zu</td>"
					     "<td class=\"num\">%zu</td><td class=\"t\">",
					m->protocol, m->count, m->paired, m->refused) ||
			    html_time(out, m->first) || rt_buf_adds(out, "</td><td class=\"t\">") ||
			    html_time(out, m->last) || rt_buf_adds(out, "</td></tr>\n"))
				goto out;
		}
		if (rt_buf_adds(out, "</tbody></table>\n<p class=\"cite\">* not in the evidence.</p>\n"))
			goto out;
	}
	rc = rt_buf_adds(out, "</section>\n");
out:
	free(nd);
	return rc;
}

/* --------------------------------------------------------------- host axis */

typedef struct axis {
	uint64_t from, to;
} axis;

static int xpos(const axis *ax, uint64_t t)
{
	double w = AX_W - AX_LEFT - AX_RIGHT, span = (double)(ax->to - ax->from);

	if (t <= ax->from)
		return AX_LEFT;
	if (t >= ax->to)
		return AX_W - AX_RIGHT;
	return AX_LEFT + (int)(w * (double)(t - ax->from) / span);
}

/* An item and its citation, as the text report writes them, for HTML. */
static int item_html(rt_buf *out, const rt_analysis *a, const rt_evidence_item *it, int cite_span)
{
	rt_buf t = RT_BUF_INIT;
	int e = rep_cite(&t, a, it);

	e |= html_text(out, it->text);
	e |= rt_buf_adds(out, cite_span ? " <span class=\"cite\">" : "");
	e |= html_raw(out, t.buf, t.len);
	e |= rt_buf_adds(out, cite_span ? "</span>" : "");
	rt_buf_release(&t);
	return e ? -1 : 0;
}

static const char *mark_class(const rt_finding *f)
{
	rt_role r = rep_role(f);

	return r == RT_ROLE_REFUSED ? "mk-refused" : r == RT_ROLE_SUPPORT ? "mk-support"
		   : f->direction == RT_DIR_OUTBOUND ? "mk-out" : "mk-use";
}

/* Byte order of two counted strings. */
static int cmp_n(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);

	return c ? c : an < bn ? -1 : an > bn;
}

/* Protocol lanes of a host's findings (the kind prefixes of findings with a
 * direction), in name order; at most 8. */
static size_t lanes(const rt_findings *l, const char *lane[8], size_t *plen)
{
	size_t n = 0, i, k, j;

	for (i = 0; i < l->n; i++) {
		const char *p;
		size_t len;

		if (rt_finding_role(&l->items[i], &p, &len) == RT_ROLE_NONE)
			continue;
		for (k = 0; k < n && cmp_n(lane[k], plen[k], p, len); k++)
			;
		if (k < n || n == 8)
			continue;
		for (j = n++; j > 0 && cmp_n(lane[j - 1], plen[j - 1], p, len) > 0; j--) {
			lane[j] = lane[j - 1];
			plen[j] = plen[j - 1];
		}
		lane[j] = p;
		plen[j] = len;
	}
	return n;
}

static int axis_labels(rt_buf *out, const axis *ax, int y)
{
	int i;

	for (i = 0; i <= 4; i++) {
		uint64_t t = ax->from + (ax->to - ax->from) / 4 * (uint64_t)i;
		char ts[RT_TIME_MAX];
		int x = xpos(ax, t);

		rt_time_format(t, ts);
		ts[16] = '\0';
		ts[10] = ' ';
		ADDF("<line class=\"grid\" x1=\"%d\" y1=\"4\" x2=\"%d\" y2=\"%d\"/>"
		     "<text x=\"%d\" y=\"%d\" text-anchor=\"%s\">%s</text>\n",
		     x, x, y - 14, x, y, i == 0 ? "start" : i == 4 ? "end" : "middle", ts);
	}
	return 0;
}

#define MINUTE 600000000ULL

static void widen(axis *ax, uint64_t t)
{
	if (!t)
		return;
	if (!ax->from || t < ax->from)
		ax->from = t;
	if (t > ax->to)
		ax->to = t;
}

/* Add a margin of a twentieth of the span, `min` at least, on each side. */
static void margin(axis *ax, uint64_t min)
{
	uint64_t m = (ax->to - ax->from) / 20;

	if (m < min)
		m = min;
	ax->from = ax->from > m ? ax->from - m : 0;
	ax->to += m;
}

/*
 * The axes of a host: the whole evidence period, and, when what happened
 * (findings, changes of state) fills less than a fifth of it, a second
 * axis zoomed on that, where the marks can be told apart. 1 when `zoom`
 * is worth drawing.
 */
static int axes(const rt_analysis_host *h, axis *whole, axis *zoom)
{
	const rt_assess_result *v = h->verdicts;
	size_t i, k;
	int c;

	memset(whole, 0, sizeof *whole);
	memset(zoom, 0, sizeof *zoom);
	if (v) {
		widen(whole, v->period_from);
		widen(whole, v->period_to);
		for (c = 0; c < RT_CM_COUNT; c++)
			for (k = 1; k < v->cm[c].nintervals; k++)
				widen(zoom, v->cm[c].intervals[k].from);
	}
	for (i = 0; i < h->findings.n; i++) {
		widen(whole, h->findings.items[i].timestamp);
		widen(zoom, h->findings.items[i].timestamp);
	}
	margin(whole, 60 * MINUTE);
	if (!zoom->from || (zoom->to - zoom->from) * 5 >= whole->to - whole->from)
		return 0;
	margin(zoom, 5 * MINUTE);
	return 1;
}

static int host_axis(rt_buf *out, const rt_analysis *a, size_t hi, axis ax)
{
	const rt_analysis_host *h = &a->hosts[hi];
	const rt_assess_result *v = h->verdicts;
	const char *lane[8];
	size_t plen[8], nl = lanes(&h->findings, lane, plen), i, k;
	int c, y, hgt;

	if (!ax.from && !ax.to)
		return 0;
	hgt = 10 + RT_CM_COUNT * (BAND_H + 6) + (int)(nl ? nl : 1) * LANE_H + 34;
	ADDF("<svg class=\"axis\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"time axis\">\n", AX_W, hgt);
	if (axis_labels(out, &ax, hgt - 4))
		return -1;
	y = 10;
	for (c = 0; v && c < RT_CM_COUNT; c++, y += BAND_H + 6) {
		const rt_cm_verdict *cv = &v->cm[c];

		ADDF("<text x=\"0\" y=\"%d\">%s %s</text>\n", y + 15, rt_cm_name(cv->id),
		     cv->bypassed > 0 ? "(bypassed)" : "");
		for (i = 0; i < cv->nintervals; i++) {
			const rt_interval *iv = &cv->intervals[i];
			int x1 = xpos(&ax, iv->from), x2 = xpos(&ax, iv->to);
			int bypass = 0;
			size_t b, f;

			for (b = 0; b < cv->nbypass; b++)
				for (f = 0; f < cv->bypass[b].findings.n; f++)
					bypass |= cv->bypass[b].findings.items[f].time >= iv->from &&
						  cv->bypass[b].findings.items[f].time <= iv->to;
			ADDF("<rect class=\"band-%s%s\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"><title>",
			     rt_cm_state_name(iv->state), bypass ? " bypass" : "", x1, y,
			     x2 - x1 > 1 ? x2 - x1 : 1, BAND_H);
			ADDF("%s %s from ", rt_cm_name(cv->id), rt_cm_state_name(iv->state));
			if (html_time(out, iv->from) || rt_buf_adds(out, " to ") || html_time(out, iv->to))
				return -1;
			ADD(": ");
			H(iv->why);
			for (k = 0; k < iv->basis.n; k++) {
				ADD("\n- ");
				if (item_html(out, a, &iv->basis.items[k], 0))
					return -1;
			}
			if (bypass)
				ADD("\nBYPASSED in this interval: see the verdict");
			ADD("</title></rect>\n");
		}
	}
	/* configuration changes: ticks across the bands */
	for (i = 0; i < h->findings.n; i++) {
		const rt_finding *f = &h->findings.items[i];
		int x = xpos(&ax, f->timestamp);

		if (rep_role(f) != RT_ROLE_NONE || f->timestamp < ax.from || f->timestamp > ax.to)
			continue;
		ADDF("<a href=\"#m%zu-%zu\" data-row=\"m%zu-%zu\"><line class=\"tick\" x1=\"%d\" y1=\"6\" x2=\"%d\" "
		     "y2=\"%d\"><title>",
		     hi, i, hi, i, x, x, 12 + RT_CM_COUNT * (BAND_H + 6));
		if (html_time(out, f->timestamp))
			return -1;
		ADDF(" %s: ", rt_finding_kind_name(f->kind));
		H(f->message);
		ADD(" [");
		HF(f->source_file);
		ADDF(" record %llu]</title></line></a>\n", (unsigned long long)f->record_id);
	}
	/* findings with a direction: marks on their protocol's lane */
	for (k = 0; k < nl; k++) {
		int ly = y + (int)k * LANE_H + LANE_H / 2;
		size_t shown = 0;

		ADDF("<text x=\"0\" y=\"%d\">", ly + 4);
		if (rt_buf_add(out, lane[k], plen[k]))
			return -1;
		ADDF("</text><line class=\"grid\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", AX_LEFT, ly,
		     AX_W - AX_RIGHT, ly);
		for (i = 0; i < h->findings.n && shown < PER_HOST_MARKS; i++) {
			const rt_finding *f = &h->findings.items[i];
			const char *p;
			size_t len;
			int x = xpos(&ax, f->timestamp);

			if (rt_finding_role(f, &p, &len) == RT_ROLE_NONE || cmp_n(p, len, lane[k], plen[k]) ||
			    f->timestamp < ax.from || f->timestamp > ax.to)
				continue;
			shown++;
			ADDF("<a href=\"#m%zu-%zu\" data-row=\"m%zu-%zu\">", hi, i, hi, i);
			if (rep_role(f) == RT_ROLE_REFUSED)
				ADDF("<rect class=\"mk %s\" x=\"%d\" y=\"%d\" width=\"9\" height=\"9\" "
				     "transform=\"rotate(45 %d %d)\">",
				     mark_class(f), x - 4, ly - 4, x, ly);
			else
				ADDF("<circle class=\"mk %s\" cx=\"%d\" cy=\"%d\" r=\"5.5\">", mark_class(f), x, ly);
			ADD("<title>");
			if (html_time(out, f->timestamp))
				return -1;
			ADDF(" %s: ", rt_finding_kind_name(f->kind));
			H(f->message);
			ADD(" [");
			HF(f->source_file);
			ADDF(" record %llu]</title>%s</a>\n", (unsigned long long)f->record_id,
			     rep_role(f) == RT_ROLE_REFUSED ? "</rect>" : "</circle>");
		}
	}
	ADD("</svg>\n");
	return 0;
}

static int axis_legend(rt_buf *out)
{
	ADD("<p class=\"legend\"><span><svg width=\"12\" height=\"12\" style=\"display:inline;width:12px\">"
	    "<circle class=\"mk-use\" cx=\"6\" cy=\"6\" r=\"5\"/></svg> inbound use</span>"
	    "<span><svg width=\"12\" height=\"12\" style=\"display:inline;width:12px\">"
	    "<circle class=\"mk-out\" cx=\"6\" cy=\"6\" r=\"5\"/></svg> outbound use</span>"
	    "<span><svg width=\"12\" height=\"12\" style=\"display:inline;width:12px\">"
	    "<rect class=\"mk-refused\" x=\"2\" y=\"2\" width=\"8\" height=\"8\"/></svg> refused attempt</span>"
	    "<span><svg width=\"12\" height=\"12\" style=\"display:inline;width:12px\">"
	    "<circle class=\"mk-support\" cx=\"6\" cy=\"6\" r=\"5\"/></svg> network logon</span>"
	    "<span><svg width=\"12\" height=\"12\" style=\"display:inline;width:12px\">"
	    "<line class=\"tick\" x1=\"6\" y1=\"0\" x2=\"6\" y2=\"12\"/></svg> configuration change</span>"
	    "<span>dashed outline: interval with a bypass</span></p>\n");
	return 0;
}

static int evidence_list(rt_buf *out, const rt_analysis *a, const char *label,
			 const rt_evidence_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		ADDF("<li>%s", label);
		if (item_html(out, a, &l->items[i], 1))
			return -1;
		ADD("</li>\n");
	}
	return 0;
}

static int verdicts(rt_buf *out, const rt_analysis *a, const rt_assess_result *v)
{
	size_t i;
	int c;

	for (c = 0; c < RT_CM_COUNT; c++) {
		const rt_cm_verdict *cv = &v->cm[c];

		ADDF("<details><summary>%s %s: <span class=\"st st-%s\">%s</span>%s</summary>\n<ul class=\"iv\">\n",
		     rt_cm_name(cv->id), rt_cm_title(cv->id), rt_cm_state_name(cv->state),
		     rt_cm_state_name(cv->state),
		     cv->bypassed > 0 ? " <span class=\"bp\">BYPASSED</span>" : "");
		for (i = 0; i < cv->nintervals; i++) {
			const rt_interval *iv = &cv->intervals[i];

			ADD("<li><span class=\"mono\">");
			if (html_time(out, iv->from) || rt_buf_adds(out, " .. ") || html_time(out, iv->to))
				return -1;
			ADDF("</span> <span class=\"st st-%s\">%s</span>: ", rt_cm_state_name(iv->state),
			     rt_cm_state_name(iv->state));
			H(iv->why);
			ADD("<ul>");
			if (evidence_list(out, a, "", &iv->basis))
				return -1;
			ADD("</ul></li>\n");
		}
		for (i = 0; i < cv->nbypass; i++) {
			ADD("<li><span class=\"bp\">BYPASS</span> ");
			H(cv->bypass[i].route);
			ADD(": ");
			H(cv->bypass[i].explanation);
			ADD("<ul>");
			if (evidence_list(out, a, "change: ", &cv->bypass[i].changes) ||
			    evidence_list(out, a, "use: ", &cv->bypass[i].findings))
				return -1;
			ADD("</ul></li>\n");
		}
		if (cv->evidence.n) {
			ADD("<li>other activity<ul>");
			if (evidence_list(out, a, "", &cv->evidence))
				return -1;
			ADD("</ul></li>\n");
		}
		if (cv->has_monitoring) {
			ADDF("<li>monitoring (WinRM 6/91, PowerShell 4103): %s<ul>",
			     cv->monitoring.in_effect ? "in effect" : "NOT in effect");
			if (evidence_list(out, a, "covered: ", &cv->monitoring.coverage) ||
			    evidence_list(out, a, "gap: ", &cv->monitoring.gaps))
				return -1;
			ADD("</ul></li>\n");
		}
		ADD("</ul></details>\n");
	}
	return 0;
}

static int host_marks_table(rt_buf *out, const rt_analysis *a, size_t hi)
{
	const rt_analysis_host *h = &a->hosts[hi];
	size_t i;

	if (!h->findings.n)
		return rt_buf_adds(out, "<p>No findings.</p>\n");
	ADDF("<details open><summary>The %zu finding%s on the axis, with their citations</summary>\n"
	     "<table class=\"marks\"><thead><tr><th>Time (UTC)</th><th>Kind</th><th>What</th>"
	     "<th>Source</th></tr></thead><tbody>\n",
	     h->findings.n, h->findings.n == 1 ? "" : "s");
	for (i = 0; i < h->findings.n; i++) {
		const rt_finding *f = &h->findings.items[i];

		ADDF("<tr id=\"m%zu-%zu\"><td class=\"t\">", hi, i);
		if (html_time(out, f->timestamp))
			return -1;
		ADDF("</td><td>%s</td><td>", rt_finding_kind_name(f->kind));
		H(f->message);
		ADD("</td><td class=\"cite\">");
		HF(f->source_file);
		ADDF(" record %llu, event %u</td></tr>\n", (unsigned long long)f->record_id,
		     (unsigned)f->event_id);
	}
	ADD("</tbody></table></details>\n");
	return 0;
}

static int host_article(rt_buf *out, const rt_analysis *a, size_t hi)
{
	const rt_analysis_host *h = &a->hosts[hi];
	rep_stats s;

	rep_host_stats(a, h, &s);
	ADDF("<article class=\"host\" id=\"h%zu\">\n<h3>", hi);
	H(h->name);
	ADD("</h3>\n<p class=\"meta\">");
	ADDF("%zu inbound use, %zu outbound use, %zu refused attempt%s; %zu input%s; named from ",
	     s.inbound, s.outbound, s.refused, s.refused == 1 ? "" : "s", h->ninputs,
	     h->ninputs == 1 ? "" : "s");
	H(h->name_source);
	if (h->time_zone || h->has_bias) {
		rt_buf t = RT_BUF_INIT;
		int e = rep_time_zone(&t, h);

		e |= rt_buf_adds(out, "; configured time zone ");
		e |= html_raw(out, t.buf, t.len);
		rt_buf_release(&t);
		if (e)
			return -1;
	}
	ADD("; files in <span class=\"mono\">hosts/");
	H(h->dir);
	ADD("/</span></p>\n");
	{
		axis whole, zoom;
		int z = axes(h, &whole, &zoom);

		if (z) {
			ADD("<p class=\"axis-title\">What happened, zoomed: ");
			if (html_time(out, zoom.from) || rt_buf_adds(out, " .. ") || html_time(out, zoom.to))
				return -1;
			ADD("</p>\n");
			if (host_axis(out, a, hi, zoom))
				return -1;
			ADD("<p class=\"axis-title\">The whole evidence period</p>\n");
		}
		if (host_axis(out, a, hi, whole) || axis_legend(out))
			return -1;
	}
	if ((h->verdicts && verdicts(out, a, h->verdicts)) || host_marks_table(out, a, hi))
		return -1;
	ADD("</article>\n");
	return 0;
}

/* ---------------------------------------------------------------- findings */

static int findings_table(rt_buf *out, const rt_report *r, const rt_findings *l)
{
	const rt_analysis *a = r->a;
	size_t i;
	int k;

	ADDF("<section id=\"timeline\">\n<h2>Findings (%zu)</h2>\n", l->n);
	if (!l->n)
		return rt_buf_adds(out, "<p>No findings.</p>\n</section>\n");
	ADD("<div class=\"controls\"><input id=\"ffilter\" type=\"search\" placeholder=\"filter: host, "
	    "address, account, text\" aria-label=\"filter\"><select id=\"fkind\" aria-label=\"kind\">"
	    "<option value=\"\">all kinds</option>");
	for (k = 0; rt_finding_kind_name((rt_finding_kind)k); k++) {
		size_t j;

		for (j = 0; j < l->n && l->items[j].kind != (rt_finding_kind)k; j++)
			;
		if (j < l->n)
			ADDF("<option>%s</option>", rt_finding_kind_name((rt_finding_kind)k));
	}
	ADD("</select><span id=\"fcount\"></span></div>\n<table id=\"findings\">\n<thead><tr>"
	    "<th>Time (UTC)</th><th>Host</th><th>Kind</th><th>Confidence</th><th>What</th>"
	    "<th>Remote</th><th>Account</th><th>Source</th></tr></thead>\n<tbody>\n");
	for (i = 0; i < l->n; i++) {
		const rt_finding *f = &l->items[i];

		ADDF("<tr data-i=\"%zu\" data-kind=\"%s\"><td class=\"t\">", i, rt_finding_kind_name(f->kind));
		if (html_time(out, f->timestamp))
			return -1;
		ADD("</td><td>");
		H(f->host);
		ADDF("</td><td>%s</td><td data-v=\"%d\">%s</td><td>", rt_finding_kind_name(f->kind),
		     (int)f->confidence, rt_confidence_name(f->confidence));
		H(f->message);
		if (f->paired < l->n) {
			ADD(" <span class=\"cite\">(paired with ");
			H(l->items[f->paired].host);
			ADDF(" record %llu)</span>", (unsigned long long)l->items[f->paired].record_id);
		}
		ADD("</td><td>");
		H(f->remote_ip ? f->remote_ip : f->remote_host);
		ADD("</td><td>");
		H(f->user);
		ADD("</td><td class=\"cite\">");
		HF(f->source_file);
		ADDF(" record %llu</td></tr>\n", (unsigned long long)f->record_id);
		if (rep_flush(r, out))
			return -1;
	}
	ADD("</tbody></table>\n</section>\n");
	return 0;
}

/* ------------------------------------------------------------------ inputs */

static int inputs(rt_buf *out, const rt_analysis *a, size_t host)
{
	size_t i, k, counts[REP_NSTATES], n = rep_count_inputs(a, host, counts);
	int one = host < a->nhosts;

	ADDF("<section id=\"inputs\">\n<h2>Inputs (%zu)</h2>\n<p>%zu read, %zu partly read, %zu unreadable, "
	     "%zu skipped.%s</p>\n",
	     n, counts[RT_INPUT_READ], counts[RT_INPUT_PARTLY], counts[RT_INPUT_UNREADABLE],
	     counts[RT_INPUT_SKIPPED],
	     one ? "" : " Inputs read whole are listed in each host's report and in report.json.");
	ADD("<table><thead><tr><th>State</th><th>File (below the evidence root)</th><th>Kind</th>"
	    "<th>SHA-256</th><th>What the readers said</th></tr></thead><tbody>\n");
	for (i = 0; i < a->ninputs; i++) {
		const rt_input *in = &a->inputs[i];

		if (!rep_input_of(a, host, i) || (!one && in->state == RT_INPUT_READ))
			continue;
		ADDF("<tr><td>%s</td><td class=\"cite\">", rt_input_state_name(in->state));
		HF(in->path);
		ADD("</td><td>");
		H(in->kind);
		if (in->kind && !strncmp(in->kind, "evtx", 4))
			ADDF(", %llu records", (unsigned long long)in->records);
		ADDF("</td><td class=\"mono\">%s</td><td>", in->sha256 ? in->sha256 : "-");
		for (k = 0; k < in->nnotes; k++) {
			ADD(k ? "<br>" : "");
			if (html_raw(out, in->notes[k], strlen(in->notes[k])))
				return -1;
		}
		ADD("</td></tr>\n");
	}
	ADD("</tbody></table>\n</section>\n");
	return 0;
}

static int run_footer(rt_buf *out, const rt_report_run *run)
{
	size_t i;

	ADD("</main>\n<footer id=\"run\">Run (differs from run to run; comparisons leave it out): ");
	for (i = 0; run && i < run->argc; i++) {
		rt_buf t = RT_BUF_INIT;
		int e = rt_path_cstr(&t, run->argv[i]) || html_raw(out, t.buf, t.len) ||
			rt_buf_addch(out, ' ');

		rt_buf_release(&t);
		if (e)
			return -1;
	}
	if (run) {
		ADD("- started ");
		if (html_time(out, rt_time_from_unix(run->started)) || rt_buf_adds(out, ", finished ") ||
		    html_time(out, rt_time_from_unix(run->finished)))
			return -1;
		ADDF(", %d EVTX threads.", run->jobs);
	}
	ADD("</footer>\n");
	return 0;
}

int rt_report_html(rt_buf *out, const rt_report *r, size_t host)
{
	const rt_analysis *a = r->a;
	size_t *order = NULL, i, shown = 0;
	int *rank = NULL, rc = -1, one = host < a->nhosts;

	/* a host's page shows that host; only the case needs the ranking */
	if (one) {
		if (!(order = calloc(a->nhosts, sizeof *order)) || !(rank = calloc(a->nhosts, sizeof *rank)))
			goto out;
		for (i = 0; i < a->nhosts; i++)
			order[i] = i;
	} else if (rep_rank_hosts(a, &order, &rank)) {
		return -1;
	}
	if (head(out, r, host) || summary(out, a, host, order, rank))
		goto out;
	if (!one && movement(out, a))
		goto out;
	if (rt_buf_adds(out, "<section id=\"hosts\">\n<h2>Hosts</h2>\n"))
		goto out;
	for (i = 0; i < a->nhosts; i++) {
		if (one ? order[i] != host : rank[i] == 2)
			continue;
		shown++;
		if (host_article(out, a, order[i]) || rep_flush(r, out))
			goto out;
	}
	if (!shown && rt_buf_adds(out, "<p>No host has findings.</p>\n"))
		goto out;
	if (rt_buf_adds(out, "</section>\n") ||
	    findings_table(out, r, one ? &a->hosts[host].findings : &a->findings) ||
	    inputs(out, a, host) || run_footer(out, r->run) || rt_buf_adds(out, script) ||
	    rt_buf_adds(out, "</body>\n</html>\n"))
		goto out;
	rc = 0;
out:
	free(order);
	free(rank);
	return rc;
}
