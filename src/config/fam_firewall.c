/* Firewall profiles and rules, local store (SYSTEM, artifacts.md 2.3.1)
 * and Group Policy store (SOFTWARE, 2.3.2). Rules become JSON objects from
 * the fwrule parser; the rule string itself is kept as raw. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cfg_internal.h"
#include "remtrail/fwrule.h"

#define LOCAL_FW "CCS\\Services\\SharedAccess\\Parameters\\FirewallPolicy"
#define POLICY_FW "Policies\\Microsoft\\WindowsFirewall"
/* Windows' own rule set, what a firewall reset restores ([MS-FASP]
 * 3.1.4.3: LocalStore := DefaultsStore); every real SYSTEM hive has it */
#define DEFAULT_FW "CCS\\Services\\SharedAccess\\Defaults\\FirewallPolicy"
#define MAX_RULES 100000

static void ports_json(rt_buf *b, const char *k, const rt_fw_ports *p)
{
	rt_buf t = RT_BUF_INIT;
	size_t i;

	rt_buf_addch(&t, '[');
	for (i = 0; i < p->n; i++) {
		rt_buf one = RT_BUF_INIT;
		rt_fw_ports single = { &p->v[i], 1 };

		if (i)
			rt_buf_addch(&t, ',');
		rt_fw_ports_text(&one, &single);
		rt_json_cstr(&t, one.buf);
		rt_buf_release(&one);
	}
	rt_buf_addch(&t, ']');
	cfg_obj_raw(b, k, t.buf);
	rt_buf_release(&t);
}

static void addrs_json(rt_buf *b, const char *k, const rt_fw_addrs *a)
{
	rt_buf t = RT_BUF_INIT;
	size_t i;

	rt_buf_addch(&t, '[');
	for (i = 0; i < a->n; i++) {
		if (i)
			rt_buf_addch(&t, ',');
		rt_json_cstr(&t, a->v[i].text);
	}
	rt_buf_addch(&t, ']');
	cfg_obj_raw(b, k, t.buf);
	rt_buf_release(&t);
}

/* The rule object of DESIGN.md (plus version, rport, la4, la6, desc); empty
 * lists mean "any", as in the rule grammar. */
static void rule_json(rt_buf *b, const rt_fwrule *r, const char *store)
{
	rt_buf t = RT_BUF_INIT;

	cfg_obj_begin(b);
	cfg_obj_str(b, "action", r->action ? rt_fw_action_name(r->action) : NULL);
	cfg_obj_raw(b, "active", r->active ? "true" : "false");
	cfg_obj_str(b, "dir", r->dir ? rt_fw_dir_name(r->dir) : NULL);
	if (r->protocol >= 0)
		rt_buf_addf(&t, "%d", r->protocol);
	else
		rt_buf_adds(&t, "null");
	cfg_obj_raw(b, "protocol", t.buf);
	rt_buf_reset(&t);
	rt_fw_profiles_text(&t, r->profiles);
	cfg_obj_str(b, "profiles", t.buf);
	ports_json(b, "lport", &r->lport);
	ports_json(b, "rport", &r->rport);
	addrs_json(b, "la4", &r->la4);
	addrs_json(b, "ra4", &r->ra4);
	addrs_json(b, "la6", &r->la6);
	addrs_json(b, "ra6", &r->ra6);
	cfg_obj_str(b, "app", r->app);
	cfg_obj_str(b, "svc", r->svc);
	cfg_obj_str(b, "name", r->name);
	cfg_obj_str(b, "desc", r->desc);
	cfg_obj_str(b, "version", r->version);
	cfg_obj_str(b, "store", store);
	cfg_obj_end(b);
	rt_buf_release(&t);
}

int cfg_rule_json(rt_buf *b, const char *rule, const char *store)
{
	rt_fwrule r;
	int bad = rt_fwrule_parse(rule, strlen(rule), &r);

	if (!bad)
		rule_json(b, &r, store);
	rt_fwrule_release(&r);
	return bad ? -1 : 0;
}

static int rules(cfg_ctx *c, const char *keypath, const char *prefix, const char *store)
{
	char path[512];
	rt_key *k = cfg_open(c, keypath, path);
	int i, n, rc = 0;

	if (!k)
		return 0;
	n = rt_key_value_count(k);
	if (n > MAX_RULES) {
		rt_diag_error(c->diag, c->file, "'%s' has %d values, only %d read", path, n, MAX_RULES);
		n = MAX_RULES;
	}
	for (i = 0; i < n && !rc; i++) {
		rt_value *v = NULL;
		char *s = NULL;
		rt_fwrule r;
		rt_buf name = RT_BUF_INIT, json = RT_BUF_INIT;

		if (rt_key_value_at(k, i, &v) != 1) {
			rt_diag_error(c->diag, c->file, "cannot read value %d of '%s'", i, path);
			continue;
		}
		if (rt_value_string(v, &s) != 0) {
			rt_diag_warn(c->diag, c->file, "firewall rule '%s' in '%s' is not a string", v->name,
				     path);
			rt_value_free(&v);
			continue;
		}
		if (rt_fwrule_parse(s, strlen(s), &r) != 0 || r.bad)
			rt_diag_warn(c->diag, c->file, "firewall rule '%s' in '%s' does not fully parse",
				     v->name, path);
		rule_json(&json, &r, store);
		rt_buf_addf(&name, "%s%s", prefix, v->name);
		rc = cfg_emit(c, name.buf, json.buf, s, path, v->name, rt_key_last_written(k), 0);
		if (!rc)
			rc = cfg_set_text(c, s);
		rt_fwrule_release(&r);
		rt_buf_release(&name);
		rt_buf_release(&json);
		free(s);
		rt_value_free(&v);
	}
	rt_key_free(&k);
	return rc;
}

static int profile(cfg_ctx *c, const char *keypath, const char *prefix, int defaults)
{
	char path[512];
	rt_key *k = cfg_open(c, keypath, path);
	rt_buf name = RT_BUF_INIT;
	uint32_t v;
	uint64_t lw = k ? rt_key_last_written(k) : 0;
	int rc = 0;

	if (k) {
		rt_buf_addf(&name, "%s.enabled", prefix);
		rc |= cfg_emit_bool(c, k, path, "EnableFirewall", name.buf) < 0 && c->oom;
		if (cfg_dword(c, k, path, "DefaultInboundAction", &v) == 1) {
			char raw[32];

			cfg_raw_dword(v, raw);
			rt_buf_reset(&name);
			rt_buf_addf(&name, "%s.default_inbound", prefix);
			rc |= cfg_emit(c, name.buf, v ? "\"block\"" : "\"allow\"", raw, path,
				       "DefaultInboundAction", lw, 0);
		}
		if (!defaults) {
			rt_buf_reset(&name);
			rt_buf_addf(&name, "%s.allow_local_policy_merge", prefix);
			rc |= cfg_emit_bool(c, k, path, "AllowLocalPolicyMerge", name.buf) < 0 && c->oom;
		}
		rt_key_free(&k);
	}
	if (defaults) {
		rt_buf_reset(&name);
		rt_buf_addf(&name, "%s.enabled", prefix);
		rc |= cfg_emit_default(c, name.buf, "true", path, "EnableFirewall", lw);
		rt_buf_reset(&name);
		rt_buf_addf(&name, "%s.default_inbound", prefix);
		rc |= cfg_emit_default(c, name.buf, "\"block\"", path, "DefaultInboundAction", lw);
	}
	rt_buf_release(&name);
	return rc ? -1 : 0;
}

static const char *const profile_names[] = { "domain", "private", "public" };

int cfg_fam_firewall_local(cfg_ctx *c)
{
	static const char *const keys[] = { "DomainProfile", "StandardProfile", "PublicProfile" };
	char probe[512];
	rt_key *base = cfg_open(c, LOCAL_FW, probe);
	int i, rc = 0;

	if (!base)
		return 0;
	rt_key_free(&base);
	for (i = 0; i < 3 && !rc; i++) {
		rt_buf p = RT_BUF_INIT, pre = RT_BUF_INIT;

		rt_buf_addf(&p, LOCAL_FW "\\%s", keys[i]);
		rt_buf_addf(&pre, "firewall.profile.%s", profile_names[i]);
		rc = profile(c, p.buf, pre.buf, 1);
		rt_buf_release(&p);
		rt_buf_release(&pre);
	}
	if (!rc)
		rc = rules(c, LOCAL_FW "\\FirewallRules", "firewall.rule.", "local");
	return rc ? rc
	          : rules(c, DEFAULT_FW "\\FirewallRules", "firewall.default.rule.", "default");
}

int cfg_fam_firewall_policy(cfg_ctx *c)
{
	static const char *const keys[] = { "DomainProfile", "PrivateProfile", "PublicProfile" };
	int i, rc = 0;

	for (i = 0; i < 3 && !rc; i++) {
		rt_buf p = RT_BUF_INIT, pre = RT_BUF_INIT;

		rt_buf_addf(&p, POLICY_FW "\\%s", keys[i]);
		rt_buf_addf(&pre, "firewall.policy.profile.%s", profile_names[i]);
		rc = profile(c, p.buf, pre.buf, 0);
		rt_buf_release(&p);
		rt_buf_release(&pre);
	}
	return rc ? rc : rules(c, POLICY_FW "\\FirewallRules", "firewall.policy.rule.", "policy");
}
