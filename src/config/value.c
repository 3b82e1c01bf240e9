/*
 * Settings as typed values. Whatever says what a setting is — a hive value
 * read by a family, a change event, a command line the detect module
 * understood — hands over its name and its text; rt_cfg_value_parse is the
 * one place that turns that into data, driven by the table below (what
 * config knows of each setting). Nothing downstream parses setting text.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cfg_internal.h"
#include "remtrail/winfw.h"

typedef int (*parse_fn)(const char *text, rt_cfg_value *v);

static int set_text(rt_cfg_value *v, const char *s, rt_cfg_vtype type)
{
	v->type = type;
	return (v->text = rt_strdup0(s)) ? 0 : -1;
}

int rt_cfg_bool_text(const char *s)
{
	static const char *const yes[] = { "true", "1", "yes", "y", "on", "0x1", "0x00000001", "enabled", "enable" };
	static const char *const no[] = { "false", "0", "no", "n", "off", "0x0", "0x00000000", "disabled", "disable" };
	size_t i;

	if (!s)
		return -1;
	while (*s == ' ' || *s == '\t')
		s++;
	for (i = 0; i < sizeof yes / sizeof *yes; i++)
		if (rt_strcaseeq(s, yes[i]))
			return 1;
	for (i = 0; i < sizeof no / sizeof *no; i++)
		if (rt_strcaseeq(s, no[i]))
			return 0;
	return -1;
}

static int p_bool(const char *text, rt_cfg_value *v)
{
	int b = rt_cfg_bool_text(text);

	if (b < 0)
		return set_text(v, text, RT_CFG_V_BAD);
	v->i = b;
	return set_text(v, b ? "true" : "false", RT_CFG_V_BOOL);
}

static int p_int(const char *text, rt_cfg_value *v)
{
	uint64_t n;
	const char *s = text;

	if (!strncmp(s, "0x", 2) || !strncmp(s, "0X", 2)) {
		n = 0;
		for (s += 2; *s && rt_hex_digit(*s) >= 0 && n < (UINT64_C(1) << 59); s++)
			n = n * 16 + (uint64_t)rt_hex_digit(*s);
		if (*s && *s != ' ')
			return set_text(v, text, RT_CFG_V_BAD);
	} else if (rt_parse_u64(text, &n)) {
		return set_text(v, text, RT_CFG_V_BAD);
	}
	v->i = (int64_t)(n > INT64_MAX ? INT64_MAX : n);
	return set_text(v, text, RT_CFG_V_INT);
}

/* Start types as config names them; the Service Control Manager's words
 * (7040: "auto start", "demand start"), sc.exe's ("demand", "delayed-auto")
 * and Set-Service's ("Automatic", "Manual") and the Start numbers. */
static int p_start(const char *text, rt_cfg_value *v)
{
	static const struct {
		const char *word, *name;
		int n;
	} map[] = {
		{ "boot", "boot", 0 },		     { "boot start", "boot", 0 },
		{ "system", "system", 1 },	     { "system start", "system", 1 },
		{ "auto", "auto", 2 },		     { "auto start", "auto", 2 },
		{ "automatic", "auto", 2 },	     { "auto-delayed", "auto-delayed", 2 },
		{ "delayed-auto", "auto-delayed", 2 }, { "automaticdelayedstart", "auto-delayed", 2 },
		{ "manual", "manual", 3 },	     { "demand", "manual", 3 },
		{ "demand start", "manual", 3 },     { "disabled", "disabled", 4 },
		{ "0", "boot", 0 },		     { "1", "system", 1 },
		{ "2", "auto", 2 },		     { "3", "manual", 3 },
		{ "4", "disabled", 4 },
	};
	size_t i;

	for (i = 0; i < sizeof map / sizeof *map; i++)
		if (rt_strcaseeq(text, map[i].word)) {
			v->i = map[i].n;
			return set_text(v, map[i].name, RT_CFG_V_TEXT);
		}
	return set_text(v, text, RT_CFG_V_BAD);
}

/* DefaultInboundAction: 1 block, 0 allow (i = 1 when it blocks); netsh's
 * "blockinbound,allowoutbound" and the cmdlets' "Block"/"Allow" too. */
static int p_inbound(const char *text, rt_cfg_value *v)
{
	if (rt_strcaseeq(text, "block") || !strcmp(text, "1") || rt_strcasestr(text, "blockinbound")) {
		v->i = 1;
		return set_text(v, "block", RT_CFG_V_TEXT);
	}
	if (rt_strcaseeq(text, "allow") || !strcmp(text, "0") || rt_strcasestr(text, "allowinbound")) {
		v->i = 0;
		return set_text(v, "allow", RT_CFG_V_TEXT);
	}
	return set_text(v, text, RT_CFG_V_BAD);
}

static int p_rule(const char *text, rt_cfg_value *v)
{
	if (!(v->rule = malloc(sizeof *v->rule)))
		return -1;
	if (rt_fwrule_parse(text, strlen(text), v->rule) && !v->rule->version) {
		/* not a rule string: kept as text, judged as nothing */
		rt_fwrule_release(v->rule);
		free(v->rule);
		v->rule = NULL;
		return set_text(v, text, RT_CFG_V_BAD);
	}
	return set_text(v, text, RT_CFG_V_RULE);
}

/* A list of firewall profiles (4956's ActiveProfile, a network's profile):
 * i = the mask, 0 when unreadable. */
static int p_profiles(const char *text, rt_cfg_value *v)
{
	char list[32];

	v->i = rt_fw_profile_mask(text);
	if (!v->i)
		return set_text(v, text, RT_CFG_V_BAD);
	rt_fw_profile_list((unsigned)v->i, list, sizeof list);
	return set_text(v, list, RT_CFG_V_TEXT);
}

/* A WinRM listener: its port, or "disabled". */
static int p_listener(const char *text, rt_cfg_value *v)
{
	if (rt_cfg_bool_text(text) == 0) {
		v->i = 0;
		return set_text(v, "disabled", RT_CFG_V_BOOL);
	}
	if (p_int(text, v))
		return -1;
	if (v->type == RT_CFG_V_INT && (v->i <= 0 || v->i > 65535))
		v->type = RT_CFG_V_BAD;
	return 0;
}

/* An AppID's Endpoints ("ncacn_ip_tcp,0,24158"): the TCP port. */
static int p_endpoint(const char *text, rt_cfg_value *v)
{
	const char *comma = strrchr(text, ',');
	uint64_t port;

	if (!rt_strcasestr(text, "ncacn_ip_tcp") || !comma || rt_parse_u64(comma + 1, &port) || !port ||
	    port > 65535)
		return set_text(v, text, RT_CFG_V_BAD);
	v->i = (int64_t)port;
	return set_text(v, text, RT_CFG_V_INT);
}

static int p_text(const char *text, rt_cfg_value *v)
{
	return set_text(v, text, RT_CFG_V_TEXT);
}

/* What config knows of each setting's type. A '*' stands for any
 * non-empty run; the first matching row wins; anything else is text. */
static const struct {
	const char *pattern;
	parse_fn parse;
} specs[] = {
	{ "service.*.start", p_start },
	{ "service.*.standalone", p_bool },
	{ "firewall.rule.*.enabled", p_bool },
	{ "firewall.rule_group.*.enabled", p_bool },
	{ "firewall.rule.*", p_rule },
	{ "firewall.policy.rule.*", p_rule },
	{ "firewall.default.rule.*", p_rule },
	{ "firewall.profile.*.enabled", p_bool },
	{ "firewall.policy.profile.*.enabled", p_bool },
	{ "firewall.profile.*.default_inbound", p_inbound },
	{ "firewall.policy.profile.*.default_inbound", p_inbound },
	{ "firewall.policy.profile.*.allow_local_policy_merge", p_bool },
	{ "firewall.active_profile", p_profiles },
	{ "network.connection.*", p_profiles },
	{ "winrm.listener.*", p_listener },
	{ "winrm.policy.service.allow_auto_config", p_bool },
	{ "winrm.policy.service.*_compatibility_listener", p_bool },
	{ "winrm.policy.service.allow_*", p_bool },
	{ "winrm.policy.client.allow_*", p_bool },
	{ "winrm.policy.service.disable_run_as", p_bool },
	{ "dcom.enabled", p_bool },
	{ "dcom.remote_connect", p_bool },
	{ "dcom.hardening.*", p_int },
	{ "powershell.logging.*", p_bool },
	{ "wmi.fixed_endpoint", p_endpoint },
	{ "uac.local_account_token_filter_policy", p_int },
	{ "host.ntds", p_bool },
};

static int pattern_match(const char *pat, const char *name)
{
	const char *star = strchr(pat, '*');
	size_t pre, suf, n = strlen(name);

	if (!star)
		return !strcmp(pat, name);
	pre = (size_t)(star - pat);
	suf = strlen(star + 1);
	return n > pre + suf && !strncmp(name, pat, pre) && !strcmp(name + n - suf, star + 1);
}

int rt_cfg_value_parse(const char *name, const char *text, rt_cfg_value *out)
{
	size_t i;

	memset(out, 0, sizeof *out);
	if (!text)
		return 0;
	for (i = 0; name && i < sizeof specs / sizeof *specs; i++)
		if (pattern_match(specs[i].pattern, name))
			return specs[i].parse(text, out);
	return p_text(text, out);
}

void rt_cfg_value_release(rt_cfg_value *v)
{
	if (v->rule) {
		rt_fwrule_release(v->rule);
		free(v->rule);
	}
	free((char *)v->text);
	memset(v, 0, sizeof *v);
}

char *cfg_json_text(const char *json, int *oom)
{
	rt_buf b = RT_BUF_INIT;
	const char *p = json;
	char *r;
	int array = 0;

	if (!json || !strcmp(json, "null") || *json == '{')
		return NULL;
	if (*p != '"' && *p != '[') {
		if (!(r = strdup(json)))
			*oom = 1;
		return r;
	}
	if (*p == '[') {
		array = 1;
		p++;
	}
	while (*p == '"') {
		if (b.len && rt_buf_addch(&b, ','))
			goto oom;
		for (p++; *p && *p != '"'; p++) {
			char c = *p;

			if (c == '\\' && p[1]) {
				p++;
				if (*p == 'u' && rt_hex_digit(p[1]) >= 0 && rt_hex_digit(p[2]) >= 0 &&
				    rt_hex_digit(p[3]) >= 0 && rt_hex_digit(p[4]) >= 0) {
					unsigned u = (unsigned)(rt_hex_digit(p[1]) << 12 | rt_hex_digit(p[2]) << 8 |
								rt_hex_digit(p[3]) << 4 | rt_hex_digit(p[4]));
					p += 4;
					if (u < 0x80)
						c = (char)u;
					else if (u < 0x800) {
						if (rt_buf_addch(&b, (char)(0xC0 | u >> 6)))
							goto oom;
						c = (char)(0x80 | (u & 0x3F));
					} else {
						if (rt_buf_addch(&b, (char)(0xE0 | u >> 12)) ||
						    rt_buf_addch(&b, (char)(0x80 | ((u >> 6) & 0x3F))))
							goto oom;
						c = (char)(0x80 | (u & 0x3F));
					}
				} else {
					c = *p == 'n' ? '\n' : *p == 'r' ? '\r' : *p == 't' ? '\t' : *p == 'b' ? '\b'
					    : *p == 'f' ? '\f' : *p;
				}
			}
			if (rt_buf_addch(&b, c))
				goto oom;
		}
		if (*p == '"')
			p++;
		if (!array)
			break;
		while (*p == ',' || *p == ' ')
			p++;
	}
	if (!(r = rt_buf_detach(&b, NULL)))
		*oom = 1;
	return r;
oom:
	rt_buf_release(&b);
	*oom = 1;
	return NULL;
}
