/*
 * Verdicts on the real SYSTEM hives of the shared corpus (a Windows 7
 * workstation, a Windows 10 one with its transaction logs): every firewall
 * rule cited as letting a protocol in really matches one of that
 * protocol's receivers (winfw's table), in config's exposure and in the
 * assessor's intervals alike; the Windows 7 workstation's CM0013 is in
 * effect with Windows' default rules; no Store-app or Remote Assistance
 * rule is ever cited for WMI. Skips (77) without the corpus.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "remtrail/config.h"
#include "remtrail/evidence.h"
#include "remtrail/pipeline.h"
#include "corpus_suite.h"
#include "evtx_writer.h"
#include "scenario.h"
#include "testutil.h"

static char *dir;

static void unxz(const char *sub, const char *name)
{
	rt_buf cmd = RT_BUF_INIT;

	rt_buf_addf(&cmd, "mkdir -p '%s/%s' && xz -dc '%s/registry/%s.xz' > '%s/%s/%s'", dir, sub, tu_corpus(),
		    name, dir, sub, name);
	ck_assert_msg(system(cmd.buf) == 0, "cannot run %s", cmd.buf);
	rt_buf_release(&cmd);
}

/* Does `rule` match a leg of `proto` on `profile` (Windows' WinRM ports and
 * WMI's fixed port included), whatever the remote address? */
static int matches_a_leg(const rt_fwrule *rule, rt_proto proto, int profile)
{
	static const unsigned winrm_ports[] = { 5985, 5986, 80, 443 };
	size_t i, k;

	for (i = 0; i < rt_winfw_nlegs; i++) {
		const rt_winfw_leg *leg = &rt_winfw_legs[i];
		rt_winfw_conn c = { 6, leg->kind, leg->port, leg->app, leg->svc, leg->user, NULL };

		if (leg->proto != proto)
			continue;
		for (k = 0; k < (leg->port || leg->kind != RT_WINFW_PORT_FIXED ? 1 : 4); k++) {
			if (leg->kind == RT_WINFW_PORT_FIXED && !leg->port)
				c.port = winrm_ports[k];
			if (rt_winfw_rule_matches(rule, profile, &c, NULL, NULL) != RT_WINFW_NO)
				return 1;
		}
	}
	return 0;
}

static const rt_fwrule *rule_of(const rt_cfg_host *h, const char *store_id)
{
	const char *colon = strchr(store_id, ':');
	rt_buf name = RT_BUF_INIT;
	const rt_cfg_setting *s;
	size_t i;

	ck_assert_ptr_nonnull(colon);
	rt_buf_addf(&name, "firewall.%s%s", !strncmp(store_id, "policy:", 7) ? "policy.rule." : "rule.", colon + 1);
	s = rt_cfg_find(h, name.buf);
	rt_buf_release(&name);
	for (i = 0; s && i < s->npoints; i++)
		if (s->points[i].typed.type == RT_CFG_V_RULE)
			return s->points[i].typed.rule;
	return NULL;
}

/* config's exposure: every rule named as deciding an open protocol. */
static size_t check_exposure(const rt_config *c)
{
	size_t i, e, n = 0;
	int p, t;

	for (i = 0; i < c->nhosts; i++) {
		const rt_cfg_host *h = &c->hosts[i];

		for (e = 0; e < h->nexposures; e++)
			for (p = 0; p < RT_EXP_NPROFILES; p++)
				for (t = 0; t < RT_EXP_NTARGETS; t++) {
					const rt_cfg_reach *r = &h->exposures[e].reach[p][t];
					char *list, *tok, *save = NULL;

					if (r->reachable != 1 || !*r->rules)
						continue;
					list = strdup(r->rules);
					for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
						const rt_fwrule *rule = rule_of(h, tok);

						ck_assert_msg(rule, "%s: no rule %s", h->name, tok);
						ck_assert_msg(matches_a_leg(rule, (rt_proto)t, p),
							      "%s: %s cited for %s on %s but matches none of its receivers",
							      h->name, tok, rt_exp_target_name((rt_exp_target)t),
							      rt_exp_profile_name(p));
						ck_assert_msg(!rule->apppkgid, "%s: app-container rule %s cited", h->name, tok);
						n++;
					}
					free(list);
				}
	}
	return n;
}

/* The assessor: every firewall rule in the basis of an interval that lets
 * the protocol in matches one of its receivers on some profile. */
static void check_verdicts(const rt_analysis *an, const rt_config *c)
{
	size_t hi, i, k;
	int cm, p;

	for (hi = 0; hi < an->nhosts; hi++) {
		const rt_cfg_host *h = NULL;

		for (i = 0; i < c->nhosts; i++)
			if (!strcmp(c->hosts[i].name, an->hosts[hi].verdicts->host))
				h = &c->hosts[i];
		ck_assert_ptr_nonnull(h);
		for (cm = 0; cm < RT_CM_COUNT; cm++) {
			const rt_cm_verdict *v = &an->hosts[hi].verdicts->cm[cm];

			for (i = 0; i < v->nintervals; i++) {
				const rt_interval *iv = &v->intervals[i];

				if (iv->state != RT_CM_NOT_IN_EFFECT && iv->state != RT_CM_RESTRICTED)
					continue;
				for (k = 0; k < iv->basis.n; k++) {
					const char *t = iv->basis.items[k].text, *eq = strstr(t, " = ");
					rt_buf id = RT_BUF_INIT;
					const rt_fwrule *rule;
					int any = 0;

					if (strncmp(t, "firewall.rule.", 14) || !eq)
						continue;
					rt_buf_adds(&id, "local:");
					rt_buf_add(&id, t + 14, (size_t)(eq - t - 14));
					rule = rule_of(h, id.buf);
					ck_assert_ptr_nonnull(rule);
					for (p = 0; p < RT_FW_NPROFILES; p++)
						any |= matches_a_leg(rule, rt_cm_proto((rt_cm_id)cm), p);
					ck_assert_msg(any, "%s %s: %s cited but matches none of its receivers",
						      an->hosts[hi].verdicts->host, rt_cm_name((rt_cm_id)cm), id.buf);
					rt_buf_release(&id);
				}
			}
		}
	}
}

static void analyse(const char *sub, rt_analysis **an, rt_config **cfg)
{
	rt_buf path = RT_BUF_INIT;
	const char *paths[1];
	rt_evidence *ev = NULL;
	rt_analysis_opts o;
	rt_diag d;

	rt_buf_addf(&path, "%s/%s", dir, sub);
	paths[0] = path.buf;
	memset(&o, 0, sizeof o);
	rt_diag_init(&d, NULL, NULL);
	ck_assert_int_eq(rt_analysis_run(paths, 1, &o, an, &d), 0);
	ck_assert_int_eq(rt_pipeline_collect(paths, 1, 0, &ev, &d), 0);
	ck_assert_int_eq(rt_config_from_evidence(ev, cfg, &d), 0);
	rt_evidence_free(&ev);
	rt_diag_release(&d);
	rt_buf_release(&path);
}

START_TEST(windows7_workstation)
{
	rt_analysis *an = NULL;
	rt_config *cfg = NULL;
	const rt_cm_verdict *v;
	size_t i, k;

	unxz("w7", "SYSTEM");
	analyse("w7", &an, &cfg);
	ck_assert_uint_eq(an->nhosts, 1);
	ck_assert_str_eq(an->hosts[0].verdicts->host, "WKS-WIN732BITA");
	v = &an->hosts[0].verdicts->cm[RT_CM0013];
	/* Windows' default rules: Remote Assistance lets RPCSS in on the domain
	 * profile, nothing lets Winmgmt in */
	ck_assert_int_eq(v->state, RT_CM_IN_EFFECT);
	for (i = 0; i < v->nintervals; i++) {
		ck_assert_int_ne(v->intervals[i].state, RT_CM_NOT_IN_EFFECT);
		for (k = 0; k < v->intervals[i].basis.n; k++)
			ck_assert_ptr_null(strstr(v->intervals[i].basis.items[k].text, "RemoteAssistance"));
	}
	ck_assert_ptr_nonnull(strstr(v->intervals[v->nintervals - 1].why, "the WMI service (Winmgmt)"));
	ck_assert_int_eq(an->hosts[0].verdicts->cm[RT_CM0019].state, RT_CM_IN_EFFECT);
	check_exposure(cfg);
	check_verdicts(an, cfg);
	rt_config_free(&cfg);
	rt_analysis_free(&an);
}
END_TEST

START_TEST(windows10_workstation)
{
	rt_analysis *an = NULL;
	rt_config *cfg = NULL;
	size_t i;

	unxz("w10", "SYSTEM_B");
	unxz("w10", "SYSTEM_B.LOG1");
	unxz("w10", "SYSTEM_B.LOG2");
	analyse("w10", &an, &cfg);
	ck_assert_uint_eq(an->nhosts, 1);
	/* its Store-app rules (AppPkgId) never open anything here */
	for (i = 0; i < RT_CM_COUNT; i++)
		ck_assert_int_ne(an->hosts[0].verdicts->cm[i].state, RT_CM_NOT_IN_EFFECT);
	ck_assert_int_eq(an->hosts[0].verdicts->cm[RT_CM0013].state, RT_CM_IN_EFFECT);
	check_exposure(cfg);
	check_verdicts(an, cfg);
	rt_config_free(&cfg);
	rt_analysis_free(&an);
}
END_TEST

typedef struct cited {
	const rt_cfg_host *h;
	rt_proto proto;
	int profile;
	size_t n;
	int remote_assistance;
} cited;

static int check_cited(const rt_winfw_rule *r, void *ctx)
{
	cited *c = ctx;

	ck_assert_msg(matches_a_leg(r->rule, c->proto, c->profile), "%s: %s cited for %s but matches none of its receivers",
		      c->h->name, r->id, rt_proto_name(c->proto));
	ck_assert_ptr_null(r->rule->apppkgid);
	c->remote_assistance |= !strncmp(r->id, "RemoteAssistance", 16);
	c->n++;
	return 0;
}

/* The Windows 7 hive as it is, but with its own (disabled) "Windows
 * Management Instrumentation (WMI)" rules enabled, as an administrator
 * would: now WMI gets in, and the rules cited for it are real rules of the
 * hive that match WMI's receivers, on the profiles they name. */
START_TEST(cited_rules_match_receivers)
{
	rt_analysis *an = NULL;
	rt_config *cfg = NULL;
	const rt_cfg_host *h;
	rt_cfg_value extra[64];
	size_t i, k, nextra = 0;
	int p, open = 0;
	rt_cfg_state st;

	unxz("w7b", "SYSTEM");
	analyse("w7b", &an, &cfg);
	h = &cfg->hosts[0];
	rt_cfg_state_init(&st, 1, 0);
	for (i = 0; i < h->nsettings; i++) {
		const rt_cfg_setting *s = &h->settings[i];
		const rt_cfg_point *pt = &s->points[s->npoints - 1];

		if (!strncmp(s->name, "firewall.rule.WMI-", 18) && pt->text && nextra < 64 &&
		    strstr(pt->text, "Active=FALSE")) {
			rt_buf t = RT_BUF_INIT;
			const char *at = strstr(pt->text, "Active=FALSE");

			rt_buf_add(&t, pt->text, (size_t)(at - pt->text));
			rt_buf_adds(&t, "Active=TRUE");
			rt_buf_adds(&t, at + 12);
			ck_assert_int_eq(rt_cfg_value_parse(s->name, t.buf, &extra[nextra]), 0);
			rt_cfg_state_set(&st, s->name, &extra[nextra++], 1, pt);
			rt_buf_release(&t);
			continue;
		}
		rt_cfg_state_set(&st, s->name, &pt->typed, 1, pt);
	}
	ck_assert_uint_gt(nextra, 0);
	for (p = 0; p < RT_FW_NPROFILES; p++) {
		rt_cfg_path path;
		cited c = { h, RT_PROTO_WMI, p, 0, 0 };

		ck_assert_int_eq(rt_cfg_state_path(&st, p, RT_PROTO_WMI, NULL, &path), 0);
		if (path.open == RT_WINFW_OPEN_ANY || path.open == RT_WINFW_OPEN_SCOPED) {
			open = 1;
			rt_winfw_reach_rules(&path.fw, check_cited, &c);
			ck_assert_uint_ge(c.n, 2); /* RPCSS's and Winmgmt's */
			for (k = 0; k < path.fw.nlegs; k++)
				if (path.fw.legs[k].d.open == RT_WINFW_OPEN_ANY || path.fw.legs[k].d.open == RT_WINFW_OPEN_SCOPED)
					ck_assert_uint_gt(path.fw.legs[k].d.nallow, 0);
		}
		rt_cfg_path_release(&path);
	}
	ck_assert(open);
	rt_cfg_state_release(&st);
	for (i = 0; i < nextra; i++)
		rt_cfg_value_release(&extra[i]);
	/* the Remote Assistance rule does match RPCSS on 135, on the domain
	 * profile only: the leg it decides, never the protocol alone */
	for (i = 0; i < h->nsettings; i++)
		if (!strcmp(h->settings[i].name, "firewall.rule.RemoteAssistance-DCOM-In-TCP-NoScope-Active")) {
			const rt_fwrule *r = h->settings[i].points[0].typed.rule;
			rt_winfw_conn c = { 6, RT_WINFW_PORT_EPMAP, 135, "%SystemRoot%\\system32\\svchost.exe", "RpcSs",
					    "S-1-5-20", NULL };

			ck_assert_ptr_nonnull(r);
			ck_assert_int_eq(rt_winfw_rule_matches(r, 0, &c, NULL, NULL), RT_WINFW_YES);
			for (p = 1; p < RT_FW_NPROFILES; p++)
				ck_assert_int_eq(rt_winfw_rule_matches(r, p, &c, NULL, NULL), RT_WINFW_NO);
			c.kind = RT_WINFW_PORT_RPC;
			c.svc = "winmgmt";
			ck_assert_int_eq(rt_winfw_rule_matches(r, 0, &c, NULL, NULL), RT_WINFW_NO);
		}
	rt_config_free(&cfg);
	rt_analysis_free(&an);
}
END_TEST

/* The Windows 7 hive with logs of the days after it was taken written
 * beside it (its FirewallRules key was last written at the end of its
 * evidence, 2012-04-06): an administrator turns on the "Windows Management
 * Instrumentation (WMI)" rule group with netsh (the hive's own disabled
 * WMI rules, matched by id), then the firewall is reset (2032): the hive's
 * own default rule set (Defaults\FirewallPolicy, WMI rules off) closes
 * WMI again. */
START_TEST(windows7_group_enabled_then_reset)
{
	sc_host *h = sc_new("WKS-WIN732BITA", "", tw_time("2012-04-10T00:00:00Z"));
	rt_buf root = RT_BUF_INIT;
	rt_analysis *an = NULL;
	rt_config *cfg = NULL;
	const rt_cm_verdict *v;
	const rt_interval *on = NULL, *off = NULL;
	size_t i, ndefault = 0;

	sc_no_hive(h, "SYSTEM");
	sc_no_hive(h, "SOFTWARE");
	sc_ev_scriptblock(h, tw_time("2012-04-10T10:00:00Z"),
	                  "netsh advfirewall firewall set rule group=\"Windows Management "
	                  "Instrumentation (WMI)\" new enable=yes");
	sc_ev_fw(h, tw_time("2012-04-20T10:00:00Z"), 2032, NULL);
	sc_ev_touch(h, tw_time("2012-04-25T10:00:00Z"), "System");
	rt_buf_addf(&root, "%s/w7r", dir);
	ck_assert_int_eq(sc_write(h, root.buf), 0);
	sc_free(&h);
	unxz("w7r/WKS-WIN732BITA/C/Windows/System32/config", "SYSTEM");
	analyse("w7r", &an, &cfg);
	ck_assert_uint_eq(an->nhosts, 1);
	for (i = 0; i < cfg->hosts[0].nsettings; i++)
		ndefault += !strncmp(cfg->hosts[0].settings[i].name, "firewall.default.rule.", 22);
	/* hivexsh's lsval of Defaults\\FirewallPolicy\\FirewallRules */
	ck_assert_uint_eq(ndefault, 297);
	v = &an->hosts[0].verdicts->cm[RT_CM0013];
	for (i = 0; i < v->nintervals; i++) {
		if (v->intervals[i].from == tw_time("2012-04-10T10:00:00Z"))
			on = &v->intervals[i];
		if (v->intervals[i].from == tw_time("2012-04-20T10:00:00Z"))
			off = &v->intervals[i];
	}
	ck_assert_ptr_nonnull(on);
	ck_assert_ptr_nonnull(off);
	ck_assert_int_ne(on->state, RT_CM_IN_EFFECT);
	ck_assert_int_ne(on->state, RT_CM_UNKNOWN);
	ck_assert_int_eq(off->state, RT_CM_IN_EFFECT);
	ck_assert_int_eq(v->state, RT_CM_IN_EFFECT);
	check_verdicts(an, cfg);
	rt_config_free(&cfg);
	rt_analysis_free(&an);
	rt_buf_release(&root);
}
END_TEST

int main(void)
{
	const TTest *tests[] = {windows7_workstation, windows10_workstation,
	                        cited_rules_match_receivers, windows7_group_enabled_then_reset};

	return tu_corpus_main("assess_corpus", 300, tests, sizeof tests / sizeof *tests, &dir);
}
