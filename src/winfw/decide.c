/*
 * The effective policy's decision for one connection on one profile
 * ([MS-FASP] 3.1.3 merge of the Group Policy and local stores; 2.2.34
 * precedence: allow-bypass over block over allow over the default action).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "remtrail/winfw.h"

static const char *const profile_names[RT_FW_NPROFILES] = { "domain", "private", "public" };

const char *rt_fw_profile_name(int index)
{
	return index >= 0 && index < RT_FW_NPROFILES ? profile_names[index] : "";
}

unsigned rt_fw_profile_mask(const char *list)
{
	static const struct {
		const char *word;
		unsigned bit;
	} words[] = { { "domain", RT_FW_PROF_DOMAIN },
		      { "private", RT_FW_PROF_PRIVATE },
		      { "standard", RT_FW_PROF_PRIVATE },
		      { "public", RT_FW_PROF_PUBLIC } };
	unsigned mask = 0;
	const char *p = list;

	if (!p)
		return 0;
	while (*p) {
		size_t n, i;

		p += strspn(p, ", ;|\t\r\n");
		if (!(n = strcspn(p, ", ;|\t\r\n")))
			break;
		for (i = 0; i < sizeof words / sizeof *words; i++)
			if (strlen(words[i].word) == n && rt_strncaseeq(p, words[i].word, n))
				break;
		if (i == sizeof words / sizeof *words)
			return 0;
		mask |= words[i].bit;
		p += n;
	}
	return mask;
}

size_t rt_fw_profile_list(unsigned mask, char *out, size_t cap)
{
	size_t i, n = 0;

	if (!cap)
		return 0;
	out[0] = '\0';
	for (i = 0; i < RT_FW_NPROFILES; i++)
		if (mask & (1u << i)) {
			size_t need = strlen(profile_names[i]) + (n ? 1 : 0);

			if (n + need >= cap)
				break;
			if (n)
				out[n++] = ',';
			memcpy(out + n, profile_names[i], strlen(profile_names[i]) + 1);
			n += strlen(profile_names[i]);
		}
	return n;
}

void rt_winfw_policy_init(rt_winfw_policy *p)
{
	int s, i;

	memset(p, 0, sizeof *p);
	for (s = 0; s < 2; s++)
		for (i = 0; i < RT_FW_NPROFILES; i++) {
			p->enabled[s][i].value = -1;
			p->block_in[s][i].value = -1;
		}
	for (i = 0; i < RT_FW_NPROFILES; i++)
		p->merge[i].value = -1;
	p->service_off.value = -1;
}

const char *rt_winfw_verdict_name(rt_winfw_verdict v)
{
	static const char *const n[] = { "unknown", "allowed", "firewall-off", "default-allow", "blocked",
					 "default-block" };

	return (unsigned)v < sizeof n / sizeof *n ? n[v] : "unknown";
}

const char *rt_winfw_open_name(rt_winfw_open o)
{
	static const char *const n[] = { "unknown", "closed", "open depending on what the evidence does not tell",
					 "open from some addresses", "open from any address" };

	return (unsigned)o < sizeof n / sizeof *n ? n[o] : "unknown";
}

/* The store that decides a profile option: Group Policy when it sets it
 * (or when whether it does is unknown: value -2). */
static const rt_winfw_setting *pick(const rt_winfw_setting pair[2][RT_FW_NPROFILES], int profile)
{
	if (pair[RT_WINFW_POLICY][profile].value >= 0 || pair[RT_WINFW_POLICY][profile].value == -2)
		return &pair[RT_WINFW_POLICY][profile];
	if (pair[RT_WINFW_LOCAL][profile].value >= 0 || pair[RT_WINFW_LOCAL][profile].value == -2)
		return &pair[RT_WINFW_LOCAL][profile];
	return NULL;
}

/* Appends, doubling the room when `n` reaches a power of two (the room is
 * then always the least power of two not below n): a decision over
 * thousands of matching rules reallocates a few times, not per rule. */
static int push(const rt_winfw_rule ***v, size_t *n, const rt_winfw_rule *r)
{
	const rt_winfw_rule **p = (void *)*v;

	if (!(*n & (*n - 1))) {
		if (*n > SIZE_MAX / 2 / sizeof *p || !(p = realloc((void *)*v, (*n ? 2 * *n : 1) * sizeof *p)))
			return -1;
		*v = p;
	}
	p[(*n)++] = r;
	return 0;
}

static int scope_add(rt_buf *scope, const rt_fwrule *r)
{
	rt_buf one = RT_BUF_INIT;
	int rc = rt_winfw_rule_scope(r, &one) || rt_list_union(scope, one.len ? one.buf : "");

	rt_buf_release(&one);
	return rc ? -1 : 0;
}

int rt_winfw_decide(const rt_winfw_policy *p, int profile, const rt_winfw_conn *c, int min_present,
		    rt_winfw_decision *d)
{
	const rt_winfw_setting *en, *bi;
	int drop_local, block_all = 0, bypass = 0, allow_any = 0, allow_scoped = 0, allow_depends = 0;
	size_t i;

	memset(d, 0, sizeof *d);
	rt_buf_init(&d->scope, 1 << 16);
	if (!p->known || profile < 0 || profile >= RT_FW_NPROFILES)
		return 0;
	en = pick(p->enabled, profile);
	bi = pick(p->block_in, profile);
	d->enabled = en;
	if (p->service_off.value == 1) {
		d->verdict = RT_WINFW_OFF;
		d->open = RT_WINFW_OPEN_ANY;
		d->enabled = &p->service_off;
		return 0;
	}
	if (en && en->value == -2)
		return 0;
	if (en && en->value == 0) {
		d->verdict = RT_WINFW_OFF;
		d->open = RT_WINFW_OPEN_ANY;
		return 0;
	}
	d->block_in = bi;
	drop_local = p->merge[profile].value == 0;
	for (i = 0; i < p->nrules; i++) {
		const rt_winfw_rule *r = &p->rules[i];
		const char *why = NULL;
		rt_winfw_match m;
		int any;

		if (r->present < min_present || !r->rule)
			continue;
		m = rt_winfw_rule_matches(r->rule, profile, c, p->local_subnets, &why);
		if (m == RT_WINFW_NO)
			continue;
		if (drop_local && r->store == RT_WINFW_LOCAL) {
			if (r->rule->action == RT_FW_ACTION_ALLOW || r->rule->action == RT_FW_ACTION_BYPASS) {
				if (push(&d->dropped, &d->local_dropped, r))
					goto oom;
				d->merge = &p->merge[profile];
			}
			continue;
		}
		if (r->rule->action == RT_FW_ACTION_BLOCK) {
			rt_buf sc = RT_BUF_INIT;

			if (rt_winfw_rule_scope(r->rule, &sc))
				d->oom = 1;
			any = m == RT_WINFW_YES && (c->remote || !sc.len);
			rt_buf_release(&sc);
			if (push(&d->block, &d->nblock, r))
				goto oom;
			block_all |= any;
			continue;
		}
		if (r->rule->action != RT_FW_ACTION_ALLOW && r->rule->action != RT_FW_ACTION_BYPASS)
			continue;
		if (push(&d->allow, &d->nallow, r))
			goto oom;
		if (r->rule->action == RT_FW_ACTION_BYPASS)
			bypass = 1;
		if (m == RT_WINFW_DEPENDS) {
			if (!allow_depends)
				d->why = why;
			allow_depends = 1;
			continue;
		}
		if (c->remote) {
			allow_any = 1;
			continue;
		}
		{
			rt_buf sc = RT_BUF_INIT;

			if (rt_winfw_rule_scope(r->rule, &sc))
				goto oom;
			if (!sc.len) {
				allow_any = 1;
			} else {
				allow_scoped = 1;
				if (scope_add(&d->scope, r->rule)) {
					rt_buf_release(&sc);
					goto oom;
				}
			}
			rt_buf_release(&sc);
		}
	}
	if (block_all) {
		d->verdict = RT_WINFW_BLOCKED;
		/* only an allow-bypass rule gets past a block, and only for
		 * IPsec-authenticated peers */
		d->open = bypass ? RT_WINFW_OPEN_SCOPED : RT_WINFW_CLOSED;
		rt_buf_reset(&d->scope);
		if (bypass)
			rt_buf_adds(&d->scope, "IPsec-authenticated");
		return d->oom ? -1 : 0;
	}
	if (allow_any || allow_scoped || allow_depends) {
		d->verdict = RT_WINFW_ALLOWED;
		d->open = allow_any ? RT_WINFW_OPEN_ANY : allow_scoped ? RT_WINFW_OPEN_SCOPED : RT_WINFW_OPEN_DEPENDS;
		if (allow_any)
			rt_buf_reset(&d->scope);
		return d->oom ? -1 : 0;
	}
	if (bi && bi->value == -2)
		return d->oom ? -1 : 0;
	if (bi && bi->value == 0) {
		d->verdict = RT_WINFW_DEFAULT_ALLOW;
		d->open = RT_WINFW_OPEN_ANY;
	} else {
		d->verdict = RT_WINFW_DEFAULT_BLOCK;
		d->open = RT_WINFW_CLOSED;
	}
	return d->oom ? -1 : 0;
oom:
	d->oom = 1;
	return -1;
}

void rt_winfw_decision_release(rt_winfw_decision *d)
{
	free((void *)d->allow);
	free((void *)d->block);
	free((void *)d->dropped);
	rt_buf_release(&d->scope);
	memset(d, 0, sizeof *d);
}
