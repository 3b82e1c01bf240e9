/*
 * A host's report.json read back into the structures it was written from
 * (report.h: rt_report_json, scope "host"), for the case step over host
 * folders (units.h: rt_hostdir_load). Only what the writers wrote is read;
 * whatever the writer escaped comes back as the escaped text, which the
 * writers leave as it is, so rendering what was read gives the same bytes.
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "jsonread.h"
#include "readback.h"

#define FAIL(...) do { snprintf(r->err, r->errlen, __VA_ARGS__); return -1; } while (0)

typedef struct rb {
	rt_analysis *a;
	char *err;
	size_t errlen;
} rb;

/* ---------------------------------------------------------------- verdicts */

static int read_item(rb *r, const cJSON *o, rt_evidence_item *it)
{
	const cJSON *src = cJSON_GetObjectItemCaseSensitive(o, "source");
	uint64_t ev;

	memset(it, 0, sizeof *it);
	if (!cJSON_IsObject(src) || jr_strdup(o, "text", &it->text) || !it->text ||
	    jr_path(src, "file", &it->file) || jr_strdup(src, "key", &it->key) ||
	    jr_strdup(src, "value_name", &it->value_name) ||
	    jr_u64(src, "record_id", &it->record_id) || jr_u64(src, "event_id", &ev) ||
	    ev > UINT32_MAX || jr_time(src, it->key ? "last_written" : "time", &it->time) ||
	    jr_strdup(o, "kind", &it->kind) || jr_strdup(o, "remote_ip", &it->remote_ip))
		FAIL("an evidence item is not as remtrail writes it");
	it->event_id = (uint32_t)ev;
	/* the writer gives a missing file as "" */
	if (it->file && !*it->file) {
		free(it->file);
		it->file = NULL;
	}
	return 0;
}

static int read_list(rb *r, const cJSON *o, const char *key, rt_evidence_list *l)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, key), *x;
	size_t n;

	memset(l, 0, sizeof *l);
	if (!cJSON_IsArray(arr))
		FAIL("'%s' is not a list", key);
	n = (size_t)cJSON_GetArraySize(arr);
	if (n && !(l->items = calloc(n, sizeof *l->items)))
		FAIL("out of memory");
	l->alloc = n;
	cJSON_ArrayForEach(x, arr) {
		if (read_item(r, x, &l->items[l->n++]))
			return -1;
	}
	return 0;
}

static int cm_state(const char *s, rt_cm_state *st)
{
	int i;

	for (i = RT_CM_UNKNOWN; s && i <= RT_CM_IN_EFFECT; i++)
		if (!strcmp(rt_cm_state_name((rt_cm_state)i), s)) {
			*st = (rt_cm_state)i;
			return 0;
		}
	return -1;
}

/* null, true, false as -1, 1, 0. */
static int tristate(const cJSON *o, const char *key, int *v)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, key);

	if (cJSON_IsNull(x))
		return *v = -1, 0;
	if (!cJSON_IsBool(x))
		return -1;
	*v = cJSON_IsTrue(x);
	return 0;
}

static int read_interval(rb *r, const cJSON *o, rt_interval *iv)
{
	if (jr_time(o, "from", &iv->from) || jr_time(o, "to", &iv->to) ||
	    cm_state(jr_str(o, "state"), &iv->state) || jr_strdup(o, "why", &iv->why) || !iv->why)
		FAIL("an interval is not as remtrail writes it");
	return read_list(r, o, "basis", &iv->basis);
}

static int read_bypass(rb *r, const cJSON *o, rt_bypass *b)
{
	if (jr_strdup(o, "route", &b->route) || !b->route ||
	    jr_strdup(o, "explanation", &b->explanation) || !b->explanation)
		FAIL("a bypass is not as remtrail writes it");
	return read_list(r, o, "changes", &b->changes) || read_list(r, o, "findings", &b->findings)
		       ? -1 : 0;
}

static int read_monitoring(rb *r, const cJSON *o, rt_monitoring *m)
{
	if (jr_bool(o, "in_effect", 0, &m->in_effect) ||
	    jr_bool(o, "winrm_operational", 0, &m->winrm_log) ||
	    jr_bool(o, "powershell_operational", 0, &m->ps_log) ||
	    tristate(o, "module_logging", &m->module_logging))
		FAIL("monitoring is not as remtrail writes it");
	return read_list(r, o, "coverage", &m->coverage) || read_list(r, o, "gaps", &m->gaps) ? -1 : 0;
}

/* A list of `size`-byte records read by fn, into *v / *n. */
static int read_array(rb *r, const cJSON *o, const char *key, size_t size, void **v, size_t *n,
		      int (*fn)(rb *, const cJSON *, void *))
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, key), *x;
	size_t cnt;

	*v = NULL;
	*n = 0;
	if (!cJSON_IsArray(arr))
		FAIL("'%s' is not a list", key);
	cnt = (size_t)cJSON_GetArraySize(arr);
	if (cnt && !(*v = calloc(cnt, size)))
		FAIL("out of memory");
	/* counted before it is read: what a failed record holds is freed too */
	cJSON_ArrayForEach(x, arr) {
		if (fn(r, x, (char *)*v + (*n)++ * size))
			return -1;
	}
	return 0;
}

static int interval_fn(rb *r, const cJSON *o, void *p) { return read_interval(r, o, p); }
static int bypass_fn(rb *r, const cJSON *o, void *p) { return read_bypass(r, o, p); }

/* One countermeasure's verdict; `seen` marks those read (a report names
 * each once: read twice, the first one's lists were lost). */
static int read_verdict(rb *r, const cJSON *o, rt_assess_result *res, unsigned *seen)
{
	const char *id = jr_str(o, "id");
	const cJSON *mon = cJSON_GetObjectItemCaseSensitive(o, "monitoring");
	rt_cm_verdict *v;
	int c;

	for (c = 0; c < RT_CM_COUNT && (!id || strcmp(rt_cm_name((rt_cm_id)c), id)); c++)
		;
	if (c == RT_CM_COUNT)
		FAIL("unknown countermeasure '%s'", id ? id : "");
	if (*seen & 1u << c)
		FAIL("countermeasure %s is there twice", id);
	*seen |= 1u << c;
	v = &res->cm[c];
	v->id = (rt_cm_id)c;
	if (cm_state(jr_str(o, "state"), &v->state) || tristate(o, "bypassed", &v->bypassed) ||
	    jr_time(o, "first_activity", &v->first_activity) ||
	    jr_time(o, "last_activity", &v->last_activity))
		FAIL("verdict %s is not as remtrail writes it", id);
	if (jr_strdup(o, "state_why", &v->state_why))
		FAIL("out of memory");
	if (v->state_why && !*v->state_why) {
		free(v->state_why);
		v->state_why = NULL;
	}
	if (read_array(r, o, "intervals", sizeof *v->intervals, (void **)&v->intervals,
		       &v->nintervals, interval_fn) ||
	    read_array(r, o, "bypass", sizeof *v->bypass, (void **)&v->bypass, &v->nbypass,
		       bypass_fn) ||
	    read_list(r, o, "evidence", &v->evidence))
		return -1;
	if (cJSON_IsObject(mon)) {
		v->has_monitoring = 1;
		if (read_monitoring(r, mon, &v->monitoring))
			return -1;
	}
	return 0;
}

static int read_verdicts(rb *r, const cJSON *o, rt_assess_result **out)
{
	const cJSON *cms = cJSON_GetObjectItemCaseSensitive(o, "countermeasures"), *x;
	rt_assess_result *res;
	unsigned seen = 0;
	int c;

	if (!(res = *out = calloc(1, sizeof *res)))
		FAIL("out of memory");
	for (c = 0; c < RT_CM_COUNT; c++) {
		res->cm[c].id = (rt_cm_id)c;
		res->cm[c].bypassed = -1;
	}
	if (jr_strdup(o, "host", &res->host) || !res->host ||
	    jr_time(o, "period_from", &res->period_from) ||
	    jr_time(o, "period_to", &res->period_to) || !cJSON_IsArray(cms))
		FAIL("the verdicts are not as remtrail writes them");
	cJSON_ArrayForEach(x, cms) {
		if (read_verdict(r, x, res, &seen))
			return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- findings */

/* The timeline's string fields and where they go. */
static const struct {
	const char *name;
	size_t off;
	int path;
} finding_strs[] = {
	{ "message", offsetof(rt_finding, message), 0 },
	{ "host", offsetof(rt_finding, host), 0 },
	{ "channel", offsetof(rt_finding, channel), 0 },
	{ "source_file", offsetof(rt_finding, source_file), 1 },
	{ "remote_ip", offsetof(rt_finding, remote_ip), 0 },
	{ "remote_host", offsetof(rt_finding, remote_host), 0 },
	{ "user", offsetof(rt_finding, user), 0 },
	{ "logon_id", offsetof(rt_finding, logon_id), 0 },
	{ "process", offsetof(rt_finding, process), 0 },
	{ "parent_process", offsetof(rt_finding, parent_process), 0 },
	{ "command_line", offsetof(rt_finding, command_line), 0 },
	{ "object", offsetof(rt_finding, object), 0 },
};

static int read_finding(rb *r, const cJSON *o, rt_finding *f)
{
	const char *dir = jr_str(o, "direction"), *conf = jr_str(o, "confidence");
	uint64_t ev;
	size_t i;
	int d;

	for (i = 0; i < sizeof finding_strs / sizeof *finding_strs; i++) {
		char **dst = (char **)((char *)f + finding_strs[i].off);

		if (finding_strs[i].path ? jr_path(o, finding_strs[i].name, dst)
					 : jr_strdup(o, finding_strs[i].name, dst))
			FAIL("out of memory");
		/* the writer leaves empty optional fields out */
		if (!*dst && i >= 4)
			continue;
		if (!*dst)
			FAIL("a finding lacks '%s'", finding_strs[i].name);
	}
	if (jr_time(o, "datetime", &f->timestamp) ||
	    rt_finding_kind_parse(jr_str(o, "kind") ? jr_str(o, "kind") : "", &f->kind) ||
	    jr_u64(o, "event_id", &ev) || ev > UINT32_MAX || jr_u64(o, "record_id", &f->record_id))
		FAIL("a finding is not as remtrail writes it");
	f->event_id = (uint32_t)ev;
	for (d = RT_DIR_NONE; d <= RT_DIR_OUTBOUND && strcmp(rt_direction_name((rt_direction)d),
							      dir ? dir : ""); d++)
		;
	f->direction = d <= RT_DIR_OUTBOUND ? (rt_direction)d : RT_DIR_NONE;
	for (d = RT_CONF_LOW; d <= RT_CONF_HIGH && strcmp(rt_confidence_name((rt_confidence)d),
							 conf ? conf : ""); d++)
		;
	if (d > RT_CONF_HIGH)
		FAIL("a finding's confidence is not low, medium or high");
	f->confidence = (rt_confidence)d;
	/* how its remote end was found: "" (none) is left out */
	conf = jr_str(o, "attribution");
	for (d = RT_LINK_NONE; d <= RT_LINK_TIME_WINDOW && strcmp(rt_link_name((rt_link)d),
								 conf ? conf : ""); d++)
		;
	if (d > RT_LINK_TIME_WINDOW)
		FAIL("a finding's attribution is not one remtrail writes");
	f->link = (rt_link)d;
	if ((jr_str(o, "rule") && !(f->rule_id = pl_keep(r->a, jr_str(o, "rule")))) ||
	    (jr_str(o, "technique") && !(f->technique = pl_keep(r->a, jr_str(o, "technique")))))
		FAIL("out of memory");
	return 0;
}

typedef struct finding_reader {
	rb *r;
	rt_findings *l;
	int failed; /* said in r->err */
} finding_reader;

/* One finding of the list (jr_each): a tree of its own, gone once read. */
static int one_finding(void *ctx, const char *v, size_t n)
{
	finding_reader *fr = ctx;
	rb *r = fr->r;
	cJSON *x = jr_parse(v, n);
	rt_finding *f;
	int rc = -1;

	fr->failed = 1;
	if (!cJSON_IsObject(x)) {
		snprintf(r->err, r->errlen, "a finding is not as remtrail writes it");
		goto out;
	}
	if (!(f = rt_findings_add(fr->l))) {
		snprintf(r->err, r->errlen, "out of memory");
		goto out;
	}
	if (read_finding(r, x, f))
		goto out;
	fr->failed = 0;
	rc = 0;
out:
	cJSON_Delete(x);
	return rc;
}

/* The findings, the bytes of their list as written: one at a time, as a
 * host's may be tens of thousands, and a tree of all of them several times
 * the size of the file. */
static int read_findings(rb *r, const char *text, size_t len, rt_findings *l)
{
	finding_reader fr = { r, l, 0 };

	if (jr_each(text, len, one_finding, &fr)) {
		if (!fr.failed)
			FAIL("'findings' is not a list");
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ inputs */

int pl_origin_read(const cJSON *o, char **container, rt_origin *origin)
{
	static const char *const schemes[] = {"MBR", "GPT", "none"};
	const cJSON *g = cJSON_GetObjectItemCaseSensitive(o, "origin");
	const char *scheme;
	size_t i;
	uint64_t v = UINT64_MAX;

	origin->mft_entry = UINT64_MAX;
	if (!g)
		return 0;
	if (!cJSON_IsObject(g) || jr_path(g, "container", container) || !*container)
		return -1;
	if ((scheme = jr_str(g, "scheme")) != NULL) {
		for (i = 0; i < sizeof schemes / sizeof *schemes && strcmp(schemes[i], scheme); i++)
			;
		if (i == sizeof schemes / sizeof *schemes || jr_int(g, "partition", &origin->partition) ||
		    jr_u64(g, "partition_offset", &origin->partition_offset) ||
		    jr_path(g, "path_in_volume", &origin->inner_path))
			return -1;
		origin->scheme = schemes[i];
		if (cJSON_GetObjectItemCaseSensitive(g, "mft_entry") && !jr_u64(g, "mft_entry", &v))
			origin->mft_entry = v;
	} else if (jr_path(g, "entry", &origin->inner_path)) {
		return -1;
	}
	if (cJSON_GetObjectItemCaseSensitive(g, "shadow_copy") &&
	    (jr_int(g, "shadow_copy", &origin->shadow_copy) ||
	     jr_time(g, "shadow_copy_created", &origin->shadow_copy_time)))
		return -1;
	return 0;
}

/* Where an input read inside an image or archive lies ("origin", written
 * only for those). */
static int read_origin(rb *r, const cJSON *o, rt_input *in)
{
	if (pl_origin_read(o, &in->container, &in->origin))
		FAIL("an input's origin is not as remtrail writes it");
	return 0;
}

static int read_input(rb *r, const cJSON *o, rt_input *in)
{
	const cJSON *notes = cJSON_GetObjectItemCaseSensitive(o, "notes"), *x;
	const char *st = jr_str(o, "state");
	int s;

	if (jr_path(o, "path", &in->path) || !in->path || jr_path(o, "root", &in->root) ||
	    !in->root || jr_path(o, "relative", &in->rel) || !in->rel ||
	    jr_strdup(o, "sha256", &in->sha256) || jr_u64(o, "size", &in->size) ||
	    jr_strdup(o, "host", &in->host) || jr_strdup(o, "kind", &in->kind) ||
	    jr_u64(o, "records", &in->records) || !st || !cJSON_IsArray(notes))
		FAIL("an input is not as remtrail writes it");
	for (s = RT_INPUT_READ; s <= RT_INPUT_SKIPPED && strcmp(rt_input_state_name(s), st); s++)
		;
	if (s > RT_INPUT_SKIPPED)
		FAIL("unknown input state '%s'", st);
	in->state = (rt_input_state)s;
	if (read_origin(r, o, in))
		return -1;
	cJSON_ArrayForEach(x, notes) {
		if (!cJSON_IsString(x) || pl_input_note(in, x->valuestring))
			FAIL("an input's notes are not as remtrail writes them");
	}
	return 0;
}

static int read_host(rb *r, const cJSON *o, rt_analysis_host *h)
{
	if (jr_strdup(o, "name", &h->name) || !h->name || jr_strdup(o, "dir", &h->dir) || !h->dir ||
	    jr_strdup(o, "name_source", &h->name_source) ||
	    jr_strdup(o, "full_name", &h->full_name) || jr_strdup(o, "time_zone", &h->time_zone))
		FAIL("the host entry is not as remtrail writes it");
	h->has_bias = !jr_int(o, "active_bias_minutes", &h->active_bias);
	return 0;
}

int rb_host_report(rt_analysis *a, const char *text, size_t len, const char *file, char *err,
		   size_t errlen)
{
	static const char *const apart[] = { "findings", "configuration", NULL };
	rb r = { a, err, errlen };
	size_t spans[2][2];
	cJSON *j = jr_parse_apart(text, len, apart, spans), *x;
	const cJSON *hosts, *inputs, *verdicts;
	const char *scope;
	size_t cs = spans[1][0], ce = spans[1][1];
	pl_inputs in = { NULL, 0, 0 };
	int rc = -1;

	if (!j || !cJSON_IsObject(j)) {
		snprintf(err, errlen, "not JSON");
		goto out;
	}
	scope = jr_str(j, "scope");
	hosts = cJSON_GetObjectItemCaseSensitive(j, "hosts");
	inputs = cJSON_GetObjectItemCaseSensitive(j, "inputs");
	verdicts = cJSON_GetObjectItemCaseSensitive(j, "verdicts");
	if (!scope || strcmp(scope, "host") || cJSON_GetArraySize(hosts) != 1 ||
	    !cJSON_IsArray(inputs) || cJSON_GetArraySize(verdicts) > 1) {
		snprintf(err, errlen, "not a host's report.json (scope \"host\", one host)");
		goto out;
	}
	if (!(a->hosts = calloc(1, sizeof *a->hosts))) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	a->nhosts = 1;
	if (read_host(&r, cJSON_GetArrayItem(hosts, 0), &a->hosts[0]))
		goto out;
	cJSON_ArrayForEach(x, inputs) {
		rt_input *i = pl_input_new(&in);

		if (!i) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		if (read_input(&r, x, i))
			goto out;
	}
	if (read_findings(&r, text + spans[0][0], spans[0][1] - spans[0][0],
			  &a->hosts[0].findings))
		goto out;
	if (cJSON_GetArraySize(verdicts) == 1 &&
	    read_verdicts(&r, cJSON_GetArrayItem(verdicts, 0), &a->hosts[0].verdicts))
		goto out;
	/* the configuration as written, byte for byte */
	if (ce == cs) {
		snprintf(err, errlen, "no configuration");
		goto out;
	}
	if (file) {
		rt_file_span *at = &a->hosts[0].configuration_at;
		rt_sha256 c;
		uint8_t d[32];

		at->off = cs;
		at->len = ce - cs;
		if (!(at->path = rt_strdup0(file)) || rt_sha256_init(&c)) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		rt_sha256_update(&c, text + cs, ce - cs);
		rt_sha256_final(&c, d);
		rt_sha256_release(&c);
		rt_hex(d, 32, at->sha256);
	} else if (!(a->hosts[0].configuration_json = strndup(text + cs, ce - cs))) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	rc = 0;
out:
	a->inputs = in.v;
	a->ninputs = in.n;
	cJSON_Delete(j);
	return rc;
}
