/*
 * The rule table compiled (rules.h): every spec and template parsed once,
 * identical spec texts shared, the table checked, and the rules indexed by
 * event id so that an event is tried only against the rules that list it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "detect_int.h"
#include "rules.h"

static int bad(rt_buf *err, const rt_rule *r, const char *what, const char *detail)
{
	rt_buf msg = RT_BUF_INIT;

	/* detail may be err's own text */
	rt_buf_addf(&msg, "rule '%s': %s%s%s", r && r->id ? r->id : "(no id)", what,
		    detail && *detail ? ": " : "", detail ? detail : "");
	rt_buf_reset(err);
	rt_buf_add(err, msg.buf, msg.len);
	rt_buf_release(&msg);
	return -1;
}

/* The compiled spec for `src`, shared with every earlier use of the same text. */
static int intern(rt_ruleset *rs, const char *src, rt_spec **out, rt_buf *err)
{
	size_t i;
	rt_spec *s = NULL;
	void *p;

	*out = NULL;
	if (!src)
		return 0;
	for (i = 0; i < rs->nspecs; i++)
		if (!strcmp(rs->spec_src[i], src)) {
			*out = rs->specs[i];
			return 0;
		}
	if (rt_spec_compile(src, &s, err))
		return -1;
	if (!(p = realloc(rs->specs, (rs->nspecs + 1) * sizeof *rs->specs))) {
		rt_spec_free(&s);
		return -1;
	}
	rs->specs = p;
	if (!(p = realloc(rs->spec_src, (rs->nspecs + 1) * sizeof *rs->spec_src))) {
		rt_spec_free(&s);
		return -1;
	}
	rs->spec_src = p;
	if (!(rs->spec_src[rs->nspecs] = rt_strdup0(src))) {
		rt_spec_free(&s);
		return -1;
	}
	rs->specs[rs->nspecs++] = s;
	*out = s;
	return 0;
}

static uint32_t slot_id(const rt_rule *rules, size_t k)
{
	return rules[k / RT_RULE_IDS].ids[k % RT_RULE_IDS];
}

static int cmp_slot(const void *ctx, size_t a, size_t b)
{
	uint32_t x = slot_id(ctx, a), y = slot_id(ctx, b);

	return x < y ? -1 : x > y;
}

/* One spec of a rule, with the rule named in the error. */
static int spec_of(rt_ruleset *rs, const rt_rule *r, const char *what, const char *src,
		   rt_spec **out, rt_buf *err)
{
	if (intern(rs, src, out, err))
		return err->len ? bad(err, r, what, err->buf) : -1;
	return 0;
}

/* Split a '|' list: for the contains tests its items' ids in rs->multi,
 * for the other tests its items lower-cased. */
static int compile_needles(rt_ruleset *rs, const char *list, int multi, rt_needles *nd)
{
	size_t n = 1, i, len = strlen(list);
	char *p, *bar;

	for (i = 0; list[i]; i++)
		n += list[i] == '|';
	nd->buf = malloc(len + 1);
	nd->item = malloc(n * sizeof *nd->item);
	nd->len = malloc(n * sizeof *nd->len);
	nd->id = malloc(n * sizeof *nd->id);
	if (!nd->buf || !nd->item || !nd->len || !nd->id)
		return -1;
	rt_ascii_lower(nd->buf, list, len + 1);
	for (p = nd->buf; p; p = bar ? bar + 1 : NULL) {
		if ((bar = strchr(p, '|')) != NULL)
			*bar = '\0';
		len = strlen(p);
		if (multi) {
			int id;

			if (!len)
				continue;
			if ((id = rt_multi_add(&rs->multi, p, len)) < 0)
				return -1;
			nd->id[nd->n] = (uint16_t)id;
		}
		nd->item[nd->n] = p;
		nd->len[nd->n++] = len;
	}
	return 0;
}

static void needles_release(rt_needles *nd)
{
	free(nd->id);
	free(nd->buf);
	free(nd->item);
	free(nd->len);
	memset(nd, 0, sizeof *nd);
}

/* c->channels from the rule's channel list, naming new channels in rs. */
static int compile_channels(rt_ruleset *rs, const rt_rule *r, rt_crule *c, rt_buf *err)
{
	const char *p, *bar;
	size_t k;

	for (p = r->channel; p; p = bar ? bar + 1 : NULL) {
		size_t len;

		bar = strchr(p, '|');
		len = bar ? (size_t)(bar - p) : strlen(p);
		for (k = 0; k < rs->nchannels; k++)
			if (rs->channel_len[k] == len && rt_strncaseeq(rs->channel[k], p, len))
				break;
		if (k == rs->nchannels) {
			if (k == RT_CHANNELS_MAX)
				return bad(err, r, "more channels than the ruleset tells apart", p);
			if (!(rs->channel[k] = malloc(len + 1)))
				return -1;
			memcpy(rs->channel[k], p, len);
			rs->channel[k][len] = '\0';
			rs->channel_len[k] = len;
			rs->nchannels++;
		}
		c->channels |= UINT32_C(1) << k;
	}
	return 0;
}

/* What testing predicate i of c costs, roughly: a comparison, then a
 * search per needle, then a search through every field. */
static size_t pred_cost(const rt_crule *c, size_t i)
{
	const rt_rule_pred *p = &c->r->preds[i];

	if (!strcmp(p->field, "*"))
		return 1000;
	if (p->op == RT_OP_CONTAINS || p->op == RT_OP_NOT_CONTAINS || p->op == RT_OP_ALL)
		return 1 + c->needles[i].n;
	return 0;
}

/* c->order: the predicates by cost, table order among equals. */
static void order_preds(rt_crule *c)
{
	size_t i, k;

	for (i = 0; i < c->npreds; i++) {
		for (k = i; k > 0 && pred_cost(c, c->order[k - 1]) > pred_cost(c, i); k--)
			c->order[k] = c->order[k - 1];
		c->order[k] = (unsigned char)i;
	}
}

static int compile_rule(rt_ruleset *rs, const rt_rule *r, rt_crule *c, rt_buf *err)
{
	const rt_kind_info *ki = rt_finding_kind_info(r->kind);
	size_t i;

	c->r = r;
	if (!r->id || !*r->id)
		return bad(err, r, "no id", NULL);
	if (!r->channel || !*r->channel || !r->ids[0])
		return bad(err, r, "no channel or event id", NULL);
	if (compile_channels(rs, r, c, err))
		return -1;
	if (r->note) {
		if (r->message || r->changes[0].name || r->kind)
			return bad(err, r, "a note is neither a finding nor a change", NULL);
		c->group = 2;
	} else {
		if (!ki)
			return bad(err, r, "unknown kind", NULL);
		if (!(r->flags & RT_RF_NO_FINDING) && (!r->message || !*r->message))
			return bad(err, r, "no message", NULL);
		c->group = ki->activity || ki->attempt ? 0 : 1;
	}
	for (i = 0; i < RT_RULE_PREDS && r->preds[i].field; i++) {
		const rt_rule_pred *p = &r->preds[i];

		if (p->op == RT_OP_NONE || p->op > RT_OP_ALL)
			return bad(err, r, "predicate without a known operator on", p->field);
		if (p->op != RT_OP_PRESENT && !p->value)
			return bad(err, r, "predicate without a value on", p->field);
		if (!strcmp(p->field, "*") && p->op != RT_OP_CONTAINS && p->op != RT_OP_NOT_CONTAINS)
			return bad(err, r, "'*' takes contains or not-contains only", NULL);
		if (spec_of(rs, r, "predicate", p->field, &c->pred[i], err))
			return -1;
		if (p->value && p->op != RT_OP_GLOB &&
		    compile_needles(rs, p->value,
				    p->op == RT_OP_CONTAINS || p->op == RT_OP_NOT_CONTAINS ||
					    p->op == RT_OP_ALL,
				    &c->needles[i]))
			return -1;
		c->uses_parent |= strstr(p->field, "@parent_image") != NULL;
		if (rt_spec_reads_env(c->pred[i]))
			c->env_preds |= 1u << i;
	}
	c->npreds = i;
	order_preds(c);
	for (; i < RT_RULE_PREDS; i++)
		if (r->preds[i].field)
			return bad(err, r, "predicates after an empty one", NULL);
	if (spec_of(rs, r, "remote_ip", r->remote_ip, &c->remote_ip, err) ||
	    spec_of(rs, r, "remote_host", r->remote_host, &c->remote_host, err) ||
	    spec_of(rs, r, "user", r->user, &c->user, err) ||
	    spec_of(rs, r, "logon_id", r->logon_id, &c->logon_id, err) ||
	    spec_of(rs, r, "process", r->process, &c->process, err) ||
	    spec_of(rs, r, "parent", r->parent, &c->parent, err) ||
	    spec_of(rs, r, "cmd", r->cmd, &c->cmd, err) ||
	    spec_of(rs, r, "object", r->object, &c->object, err))
		return -1;
	if (r->message && rt_tmpl_compile(r->message, 1, &c->message, err))
		return err->len ? bad(err, r, "message", err->buf) : -1;
	for (i = 0; i < RT_RULE_CHANGES && r->changes[i].name; i++) {
		const rt_rule_change *ch = &r->changes[i];
		rt_crule_change *cc = &c->changes[c->nchanges++];

		if (ch->name[0] == '@') {
			if (!(cc->fn = rt_change_extractor(ch->name)))
				return bad(err, r, "unknown change extractor", ch->name);
		} else if (rt_tmpl_compile(ch->name, 0, &cc->name, err)) {
			return err->len ? bad(err, r, "change name", err->buf) : -1;
		}
		if (spec_of(rs, r, "change value", ch->value, &cc->value, err) ||
		    spec_of(rs, r, "change old value", ch->old, &cc->old, err))
			return -1;
	}
	if ((r->flags & RT_RF_NO_FINDING) && !c->nchanges)
		return bad(err, r, "neither a finding nor a change", NULL);
	(void)ki;
	return 0;
}

int rt_ruleset_compile(const rt_rule *rules, size_t n, rt_ruleset *rs, rt_buf *err)
{
	size_t i, j, k;

	memset(rs, 0, sizeof *rs);
	rt_buf_reset(err);
	rs->rules = calloc(n ? n : 1, sizeof *rs->rules);
	rs->by_id = malloc((n ? n : 1) * RT_RULE_IDS * sizeof *rs->by_id);
	if (!rs->rules || !rs->by_id)
		goto fail;
	for (i = 0; i < n; i++) {
		rs->n = i + 1;
		for (j = 0; j < i; j++)
			if (rules[i].id && rules[j].id && !strcmp(rules[i].id, rules[j].id)) {
				bad(err, &rules[i], "id used twice", NULL);
				goto fail;
			}
		if (compile_rule(rs, &rules[i], &rs->rules[i], err))
			goto fail;
		for (k = 0; k < RT_RULE_IDS && rules[i].ids[k]; k++)
			rs->by_id[rs->nby_id++] = i * RT_RULE_IDS + k;
	}
	if (rt_multi_build(&rs->multi))
		goto fail;
	rt_detect_sort_idx(rs->by_id, rs->nby_id, cmp_slot, rules);
	{
		static const char *const proc[4] = { "@user", "@image", "@parent_image", "@cmd" };

		for (i = 0; i < 4; i++)
			if (intern(rs, proc[i], &rs->proc[i], err))
				goto fail;
	}
	for (i = 0; i < RT_FK_COUNT; i++) {
		rt_buf m = RT_BUF_INIT;
		int r;

		rt_buf_addf(&m, "{parent} started {cmd} on {host} as {user}, inside the %s activity from {remote}.",
			    rt_finding_kind_name((rt_finding_kind)i));
		r = rt_tmpl_compile(m.buf, 1, &rs->descendant[i], err);
		rt_buf_release(&m);
		if (r)
			goto fail;
	}
	return 0;
fail:
	rt_ruleset_release(rs);
	return -1;
}

void rt_ruleset_release(rt_ruleset *rs)
{
	size_t i, k;

	for (i = 0; i < rs->n && rs->rules; i++) {
		rt_crule *c = &rs->rules[i];

		rt_tmpl_free(&c->message);
		for (k = 0; k < RT_RULE_PREDS; k++)
			needles_release(&c->needles[k]);
		for (k = 0; k < c->nchanges; k++)
			rt_tmpl_free(&c->changes[k].name);
	}
	for (i = 0; i < RT_FK_COUNT; i++)
		rt_tmpl_free(&rs->descendant[i]);
	for (i = 0; i < rs->nspecs; i++) {
		rt_spec_free(&rs->specs[i]);
		free(rs->spec_src[i]);
	}
	free(rs->specs);
	free(rs->spec_src);
	free(rs->rules);
	free(rs->by_id);
	rt_multi_release(&rs->multi);
	for (i = 0; i < rs->nchannels; i++)
		free(rs->channel[i]);
	memset(rs, 0, sizeof *rs);
}

/* ------------------------------------------------------------------ matching */

void rt_memo_init(rt_memo *m)
{
	m->n = 0;
	m->has_slot0 = m->has_chan = 0;
}

void rt_memo_release(rt_memo *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->own[i]);
	rt_memo_init(m);
}

/* rt_dt_in_list(v, list, mode) on the list compiled (v is lv bytes):
 * RT_DT_EQ, RT_DT_ENDS or RT_DT_STARTS. */
static int in_items(const rt_needles *nd, const char *v, size_t lv, int mode)
{
	size_t i;

	for (i = 0; i < nd->n; i++) {
		size_t n = nd->len[i];

		if (mode == RT_DT_EQ ? lv == n && rt_multi_eq(v, nd->item[i], n)
				     : lv >= n && rt_multi_eq(mode == RT_DT_ENDS ? v + lv - n : v,
							    nd->item[i], n))
			return 1;
	}
	return 0;
}

/* Does text (n bytes, its answers in h) hold any (all) of the needles? */
static int contains(const rt_multi *mu, rt_multi_hits *h, const char *text, size_t n,
		    const rt_needles *nd, int all)
{
	size_t i;

	for (i = 0; i < nd->n; i++)
		if (rt_multi_has(mu, h, text, n, nd->id[i]) != all)
			return !all;
	return all;
}

static int pred_holds(const rt_multi *mu, const rt_rule_pred *pr, const rt_spec *s,
		      const rt_needles *nd, const rt_spec_env *env, const rt_event *ev, rt_memo *m)
{
	rt_buf b = RT_BUF_INIT;
	rt_multi_hits local;
	const char *v;
	int r = 0;
	size_t i, lv;

	if (pr->field[0] == '*' && !pr->field[1]) {
		for (i = 0; i < ev->nfields && !r; i++) {
			rt_multi_hits_init(&local);
			r = contains(mu, &local, ev->fields[i].value, strlen(ev->fields[i].value), nd, 0);
		}
		return pr->op == RT_OP_NOT_CONTAINS ? !r : r;
	}
	for (i = 0; i < m->n && m->spec[i] != s; i++)
		;
	if (i < m->n) {
		v = m->value[i];
	} else {
		v = rt_spec_resolve(s, env, ev, &b);
		if (m->n < RT_MEMO_MAX) {
			m->own[i] = NULL;
			if (v && b.alloc) { /* built in scratch: keep a copy for the event */
				if (!(m->own[i] = rt_strdup0(v))) {
					rt_buf_release(&b);
					return 0;
				}
				v = m->own[i];
			}
			m->spec[i] = s;
			m->value[i] = v;
			m->len[i] = v ? strlen(v) : 0;
			rt_multi_hits_init(&m->hits[i]);
			/* another spec that gave the same text (@command and
			 * ScriptBlockText) shares its scan */
			for (m->owner[i] = 0; m->owner[i] < i && m->value[m->owner[i]] != v; m->owner[i]++)
				;
			m->n++;
		}
	}
	lv = !v ? 0 : i < m->n ? m->len[i] : strlen(v);
	switch (pr->op) {
	case RT_OP_EQ:
	case RT_OP_IN:
		r = v && in_items(nd, v, lv, RT_DT_EQ);
		break;
	case RT_OP_NOT_IN:
		r = !v || !in_items(nd, v, lv, RT_DT_EQ);
		break;
	case RT_OP_CONTAINS:
	case RT_OP_NOT_CONTAINS:
	case RT_OP_ALL:
		if (v && i < m->n)
			r = contains(mu, &m->hits[m->owner[i]], v, lv, nd, pr->op == RT_OP_ALL);
		else if (v) {
			rt_multi_hits_init(&local);
			r = contains(mu, &local, v, lv, nd, pr->op == RT_OP_ALL);
		}
		if (pr->op == RT_OP_NOT_CONTAINS)
			r = !r;
		break;
	case RT_OP_ENDS:
		r = v && in_items(nd, v, lv, RT_DT_ENDS);
		break;
	case RT_OP_NOT_ENDS:
		r = !v || !in_items(nd, v, lv, RT_DT_ENDS);
		break;
	case RT_OP_STARTS:
		r = v && in_items(nd, v, lv, RT_DT_STARTS);
		break;
	case RT_OP_GLOB:
		r = v && rt_dt_in_list(v, pr->value, RT_DT_GLOB);
		break;
	case RT_OP_PRESENT:
		r = v != NULL;
		break;
	case RT_OP_NONE:
		r = 1;
		break;
	}
	rt_buf_release(&b);
	return r;
}

/* The first slot of rs->by_id that lists event id `id` (nby_id if none). */
static size_t first_slot(const rt_ruleset *rs, uint32_t id)
{
	const rt_rule *base = rs->n ? rs->rules[0].r : NULL;
	size_t lo = 0, hi = rs->nby_id;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (slot_id(base, rs->by_id[mid]) < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The first slot listing ev's event id, looked up once per event (m). */
static size_t event_slot0(const rt_ruleset *rs, const rt_event *ev, rt_memo *m)
{
	if (!m->has_slot0) {
		m->slot0 = first_slot(rs, ev->event_id);
		m->has_slot0 = 1;
	}
	return m->slot0;
}

char *rt_memo_dup(const rt_memo *m, const rt_spec *s, const rt_spec_env *env, const rt_event *ev)
{
	size_t i;

	for (i = 0; s && i < m->n; i++)
		if (m->spec[i] == s)
			return m->value[i] ? rt_strdup0(m->value[i]) : NULL;
	return rt_spec_dup(s, env, ev);
}

uint32_t rt_ruleset_channel(const rt_ruleset *rs, const char *channel)
{
	size_t k, n = channel ? strlen(channel) : 0;

	for (k = 0; k < rs->nchannels && channel; k++)
		if (rs->channel_len[k] == n && rt_strncaseeq(rs->channel[k], channel, n))
			return UINT32_C(1) << k;
	return 0;
}

void rt_memo_channel(rt_memo *m, uint32_t bits)
{
	m->chan = bits;
	m->has_chan = 1;
}

/* Is ev's channel one of c's? The event's channel is looked up once (m). */
static inline int on_channel(const rt_ruleset *rs, const rt_crule *c, const rt_event *ev,
			     rt_memo *m)
{
	if (!m->has_chan)
		rt_memo_channel(m, rt_ruleset_channel(rs, ev->channel));
	return (c->channels & m->chan) != 0;
}

/* Do the predicates of c in `which` (bit i: pred i) hold for ev? */
static int preds_hold(const rt_ruleset *rs, const rt_crule *c, unsigned which,
		      const rt_spec_env *env, const rt_event *ev, rt_memo *m)
{
	size_t k;

	for (k = 0; k < c->npreds; k++) {
		size_t i = c->order[k];

		if ((which >> i & 1) &&
		    !pred_holds(&rs->multi, &c->r->preds[i], c->pred[i], &c->needles[i], env, ev,
				m))
			return 0;
	}
	return 1;
}

/* Every rule of `group` that matches ev, in table order: fn(ctx, rule) for
 * each, until it returns nonzero (that rule is returned). With a valid
 * ev->pre, only the slots it left set are tried, on their env_preds. */
static const rt_crule *each_match(const rt_ruleset *rs, const rt_event *ev, int group,
				  const rt_spec_env *env, rt_memo *m,
				  int (*fn)(void *ctx, const rt_crule *c), void *ctx)
{
	const rt_rule *base = rs->n ? rs->rules[0].r : NULL;
	size_t start = event_slot0(rs, ev, m), lo;
	uint64_t pre = ev->pre & RT_PRE_VALID ? ev->pre & ~RT_PRE_VALID : 0;

	if (ev->pre & RT_PRE_VALID) {
		for (lo = 0; pre >> lo && start + lo < rs->nby_id; lo++) {
			const rt_crule *c = &rs->rules[rs->by_id[start + lo] / RT_RULE_IDS];

			if ((pre >> lo & 1) && c->group == group &&
			    preds_hold(rs, c, c->env_preds, env, ev, m) && fn(ctx, c))
				return c;
		}
		return NULL;
	}
	for (lo = start; lo < rs->nby_id && slot_id(base, rs->by_id[lo]) == ev->event_id; lo++) {
		const rt_crule *c = &rs->rules[rs->by_id[lo] / RT_RULE_IDS];

		if (c->group == group && on_channel(rs, c, ev, m) &&
		    preds_hold(rs, c, ~0u, env, ev, m) && fn(ctx, c))
			return c;
	}
	return NULL;
}

uint64_t rt_ruleset_pre(const rt_ruleset *rs, const rt_event *ev)
{
	const rt_rule *base = rs->n ? rs->rules[0].r : NULL;
	size_t start = first_slot(rs, ev->event_id), lo;
	uint64_t bits = RT_PRE_VALID;
	rt_spec_env none;
	rt_memo m;

	memset(&none, 0, sizeof none);
	rt_memo_init(&m);
	for (lo = start; lo < rs->nby_id && slot_id(base, rs->by_id[lo]) == ev->event_id; lo++) {
		const rt_crule *c = &rs->rules[rs->by_id[lo] / RT_RULE_IDS];

		if (lo - start >= 63) {
			bits = 0;
			break;
		}
		if (on_channel(rs, c, ev, &m) && preds_hold(rs, c, ~c->env_preds, &none, ev, &m))
			bits |= UINT64_C(1) << (lo - start);
	}
	rt_memo_release(&m);
	return bits;
}

static int first(void *ctx, const rt_crule *c)
{
	(void)ctx;
	(void)c;
	return 1;
}

const rt_crule *rt_ruleset_match(const rt_ruleset *rs, const rt_event *ev, int group,
				 const rt_spec_env *env, rt_memo *m)
{
	return each_match(rs, ev, group, env, m, first, NULL);
}

typedef struct notes_ctx {
	unsigned bits;
	const rt_crule *request;
} notes_ctx;

static int add_note(void *ctx, const rt_crule *c)
{
	notes_ctx *n = ctx;

	n->bits |= c->r->note;
	if (c->r->note & RT_NOTE_WMI_REQUEST)
		n->request = c;
	return 0;
}

typedef struct all_ctx {
	const rt_crule **out;
	size_t n, max;
} all_ctx;

static int add_all(void *ctx, const rt_crule *c)
{
	all_ctx *a = ctx;

	if (a->n < a->max)
		a->out[a->n] = c;
	a->n++;
	return 0;
}

size_t rt_ruleset_matches(const rt_ruleset *rs, const rt_event *ev, int group,
			  const rt_spec_env *env, rt_memo *m, const rt_crule **out, size_t max)
{
	all_ctx a = { out, 0, max };

	each_match(rs, ev, group, env, m, add_all, &a);
	return a.n;
}

unsigned rt_ruleset_notes(const rt_ruleset *rs, const rt_event *ev, const rt_spec_env *env,
			  rt_memo *m, const rt_crule **request)
{
	notes_ctx n = { 0, NULL };

	each_match(rs, ev, 2, env, m, add_note, &n);
	if (request)
		*request = n.request;
	return n.bits;
}
