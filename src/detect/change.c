/*
 * Configuration-change extractors (rules.h, "@extractor" change entries):
 * from a command line, a registry write or a firewall event to points of
 * config's settings (DESIGN.md names; docs/detect.md lists what each
 * command gives). Where a command cannot be resolved to a setting value
 * (the rule id a netsh rule gets, the current profile), the point's name
 * says what is known: firewall.rule.cmd:<display name>,
 * firewall.profile.current.enabled, firewall.rule_group.<group>.enabled.
 *
 * Commands are read the way their programs read them: netsh matches
 * context words and keys by unique prefix ("i p a v l=8001" is "interface
 * portproxy add v4tov4 listenport=8001"); PowerShell parameters by name,
 * case-insensitively, with "-P:v" and "-P v" alike.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect_int.h"
#include "remtrail/config.h"
#include "rules.h"

#define MAX_TOKENS 64
#define MAX_TOKEN 1024

/* ------------------------------------------------------------------ services */

static const struct {
	const char *key, *name, *display;
} services[] = {
	{ "WinRM", "winrm", "Windows Remote Management (WS-Management)" },
	{ "Winmgmt", "winmgmt", "Windows Management Instrumentation" },
	{ "RpcSs", "rpcss", "Remote Procedure Call (RPC)" },
	{ "DcomLaunch", "dcomlaunch", "DCOM Server Process Launcher" },
	{ "MpsSvc", "mpssvc", "Windows Firewall|Windows Defender Firewall" },
	{ "RemoteRegistry", "remoteregistry", "Remote Registry" },
};

const char *rt_dt_service_name(const char *v)
{
	size_t i;

	for (i = 0; v && i < sizeof services / sizeof services[0]; i++)
		if (rt_strcaseeq(v, services[i].key) || rt_dt_in_list(v, services[i].display, RT_DT_EQ))
			return services[i].name;
	return NULL;
}

/* ------------------------------------------------------------------ tokens */

typedef struct toks {
	char *t[MAX_TOKENS];
	size_t n;
	char store[MAX_TOKEN * 4];
	size_t used;
} toks;

static int is_end(char c)
{
	return c == '\0' || c == '\n' || c == '\r' || c == '&' || c == '|' || c == ';';
}

/*
 * Split one statement (up to '&', '|', ';' or a line end outside quotes)
 * into words; quotes group and are dropped, as cmd and PowerShell do for
 * arguments. Returns where the statement ends.
 */
static const char *tokenize(const char *s, toks *k)
{
	char q = 0;

	k->n = 0;
	k->used = 0;
	while (*s) {
		char *w;

		while (*s == ' ' || *s == '\t')
			s++;
		if (is_end(*s) || k->n == MAX_TOKENS)
			break;
		w = &k->store[k->used];
		while (*s && (q || (!is_end(*s) && *s != ' ' && *s != '\t'))) {
			if (!q && (*s == '"' || *s == '\'')) {
				q = *s++;
				continue;
			}
			if (q && *s == q) {
				q = 0;
				s++;
				continue;
			}
			if (k->used + 2 < sizeof k->store)
				k->store[k->used++] = *s;
			s++;
		}
		k->store[k->used++] = '\0';
		if (*w)
			k->t[k->n++] = w;
		if (k->used + 2 >= sizeof k->store)
			break;
	}
	return s;
}

/* Is `w` an abbreviation (a prefix of at least min letters) of `word`? */
static int abbrev(const char *w, const char *word, size_t min)
{
	size_t n = strlen(w);

	return n >= min && n <= strlen(word) && rt_strncaseeq(w, word, n);
}

/* The value of "key=value" in tokens from `from`; keys match by prefix of
 * at least `min` letters. NULL when absent. */
static const char *kv(const toks *k, size_t from, const char *key, size_t min)
{
	size_t i;

	for (i = from; i < k->n; i++) {
		const char *eq = strchr(k->t[i], '=');
		char name[64];
		size_t n;

		if (!eq || (n = (size_t)(eq - k->t[i])) >= sizeof name || n == 0)
			continue;
		memcpy(name, k->t[i], n);
		name[n] = '\0';
		if (abbrev(name, key, min))
			return eq + 1;
	}
	return NULL;
}

/* A PowerShell parameter's value ("-Name v", "-Name:v"); "" for a switch. */
static const char *ps_param(const toks *k, const char *param, rt_buf *b)
{
	size_t i, pl = strlen(param);

	for (i = 0; i < k->n; i++) {
		const char *t = k->t[i];

		if (t[0] != '-' || !rt_strncaseeq(t + 1, param, pl))
			continue;
		rt_buf_reset(b);
		if (t[pl + 1] == ':')
			rt_buf_adds(b, t + pl + 2);
		else if (t[pl + 1] != '\0')
			continue;
		else if (++i < k->n && k->t[i][0] != '-')
			rt_buf_adds(b, k->t[i]);
		/* a list written with spaces: "-Profile Domain, Public" */
		while (b->len && b->buf[b->len - 1] == ',' && ++i < k->n && k->t[i][0] != '-')
			rt_buf_adds(b, k->t[i]);
		return b->buf;
	}
	return NULL;
}

/* PowerShell / netsh truth: True, $true, 1, yes, on -> 1; the opposites -> 0; else -1. */
static int truth(const char *v)
{
	if (!v)
		return -1;
	if (*v == '$')
		v++;
	if (rt_dt_in_list(v, "true|1|yes|on|enable|enabled", RT_DT_EQ))
		return 1;
	if (rt_dt_in_list(v, "false|0|no|off|disable|disabled", RT_DT_EQ))
		return 0;
	return -1;
}

/* ------------------------------------------------------------------ emitting */

typedef struct sink {
	rt_change_emit emit;
	void *ctx;
	int err;
} sink;

static void put(sink *s, const char *name, const char *value)
{
	if (!s->err && s->emit(s->ctx, name, value))
		s->err = -1;
}

static void putf(sink *s, const char *value, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void putf(sink *s, const char *value, const char *fmt, ...)
{
	char name[600];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(name, sizeof name, fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof name)
		put(s, name, value);
}

/* profile words (netsh, PowerShell, registry key names) -> bits 1 domain, 2 private, 4 public;
 * 8 = the current profile, 0 = not a profile word */
static unsigned profile_bits(const char *v)
{
	unsigned bits = 0;
	const char *p = v;

	while (p && *p) {
		size_t n;
		char w[32];

		p += strspn(p, " \t");
		n = strcspn(p, ", \t");
		if (n && n < sizeof w) {
			memcpy(w, p, n);
			w[n] = '\0';
			if (rt_dt_in_list(w, "domain|domainprofile", RT_DT_EQ))
				bits |= 1;
			else if (rt_dt_in_list(w, "private|privateprofile|standard|standardprofile", RT_DT_EQ))
				bits |= 2;
			else if (rt_dt_in_list(w, "public|publicprofile", RT_DT_EQ))
				bits |= 4;
			else if (rt_dt_in_list(w, "all|any|allprofiles|*", RT_DT_EQ))
				bits |= 7;
			else if (rt_dt_in_list(w, "current|currentprofile", RT_DT_EQ))
				bits |= 8;
		}
		p += n;
		p += strspn(p, ", \t");
	}
	return bits;
}

static void put_profiles(sink *s, unsigned bits, const char *what, const char *value)
{
	static const char *const names[] = { "domain", "private", "public", "current" };
	int i;

	for (i = 0; i < 4; i++)
		if (bits >> i & 1)
			putf(s, value, "firewall.profile.%s.%s", names[i], what);
}

/* ------------------------------------------------------------------ firewall rules */

static int addrs(rt_buf *b, const char *key, const char *list)
{
	const char *p = list;
	int e = 0;

	if (!rt_dt_usable(list) || rt_dt_in_list(list, "*|any", RT_DT_EQ))
		return 0;
	while (*p) {
		size_t n = strcspn(p, ",");

		if (n)
			e |= rt_buf_addf(b, "%s%c=%.*s|", key, memchr(p, ':', n) ? '6' : '4', (int)n, p);
		p += n;
		if (*p)
			p++;
	}
	return e;
}

const char *rt_dt_rule_string(const rt_dt_rulespec *r, rt_buf *b)
{
	const char *proto = r->protocol;
	unsigned bits = profile_bits(r->profile);
	int e = 0;

	rt_buf_reset(b);
	e |= rt_buf_addf(b, "v2.30|Action=%s|Active=%s|Dir=%s|",
			 rt_dt_in_list(r->action ? r->action : "", "block", RT_DT_EQ)	 ? "Block"
			 : rt_dt_in_list(r->action ? r->action : "", "bypass", RT_DT_EQ) ? "ByPass"
											 : "Allow",
			 truth(r->active) == 0 ? "FALSE" : "TRUE",
			 rt_dt_in_list(r->dir ? r->dir : "", "out|outbound|2", RT_DT_EQ) ? "Out" : "In");
	if (proto && rt_strcaseeq(proto, "tcp"))
		proto = "6";
	else if (proto && rt_strcaseeq(proto, "udp"))
		proto = "17";
	else if (proto && rt_strcaseeq(proto, "icmpv4"))
		proto = "1";
	if (proto && !rt_dt_in_list(proto, "any|256", RT_DT_EQ))
		e |= rt_buf_addf(b, "Protocol=%s|", proto);
	if (bits && (bits & 7) != 7) {
		static const char *const pn[] = { "Domain", "Private", "Public" };
		int i, k = 0;

		e |= rt_buf_adds(b, "Profile=");
		for (i = 0; i < 3; i++)
			if (bits >> i & 1)
				e |= rt_buf_addf(b, "%s%s", k++ ? "," : "", pn[i]);
		e |= rt_buf_addch(b, '|');
	}
	if (rt_dt_usable(r->lport) && !rt_dt_in_list(r->lport, "any|*", RT_DT_EQ))
		e |= rt_buf_addf(b, "LPort=%s|", r->lport);
	if (rt_dt_usable(r->rport) && !rt_dt_in_list(r->rport, "any|*", RT_DT_EQ))
		e |= rt_buf_addf(b, "RPort=%s|", r->rport);
	e |= addrs(b, "LA", r->laddr);
	e |= addrs(b, "RA", r->raddr);
	if (rt_dt_usable(r->app))
		e |= rt_buf_addf(b, "App=%s|", r->app);
	if (rt_dt_usable(r->svc))
		e |= rt_buf_addf(b, "Svc=%s|", r->svc);
	if (rt_dt_usable(r->name))
		e |= rt_buf_addf(b, "Name=%s|", r->name);
	return e ? NULL : b->buf;
}

/* ------------------------------------------------------------------ netsh */

static void netsh_advfirewall(sink *s, const toks *k, size_t i)
{
	rt_buf b = RT_BUF_INIT;

	if (i >= k->n)
		return;
	if (abbrev(k->t[i], "reset", 3)) {
		put(s, "firewall.reset", "default");
	} else if (abbrev(k->t[i], "set", 3) && i + 2 < k->n) {
		unsigned bits = profile_bits(k->t[i + 1]);

		if (bits && abbrev(k->t[i + 2], "state", 2) && i + 3 < k->n && truth(k->t[i + 3]) >= 0)
			put_profiles(s, bits, "enabled", truth(k->t[i + 3]) ? "true" : "false");
		else if (bits && abbrev(k->t[i + 2], "firewallpolicy", 4) && i + 3 < k->n)
			put_profiles(s, bits, "default_inbound",
				     rt_strcasestr(k->t[i + 3], "allowinbound") ? "allow" : "block");
	} else if (abbrev(k->t[i], "firewall", 4) && i + 2 < k->n) {
		const char *verb = k->t[i + 1], *name = kv(k, i + 2, "name", 4);
		const char *group = kv(k, i + 2, "group", 5);

		if (abbrev(verb, "add", 1) && name) {
			rt_dt_rulespec r = { .action = kv(k, i + 2, "action", 3), .dir = kv(k, i + 2, "dir", 3),
				       .protocol = kv(k, i + 2, "protocol", 4),
				       .lport = kv(k, i + 2, "localport", 6),
				       .rport = kv(k, i + 2, "remoteport", 7),
				       .raddr = kv(k, i + 2, "remoteip", 7),
				       .laddr = kv(k, i + 2, "localip", 6),
				       .app = kv(k, i + 2, "program", 4),
				       .svc = kv(k, i + 2, "service", 4), .name = name,
				       .profile = kv(k, i + 2, "profile", 4),
				       .active = kv(k, i + 2, "enable", 4) };

			if (rt_dt_rule_string(&r, &b))
				putf(s, b.buf, "firewall.rule.cmd:%s", name);
		} else if (abbrev(verb, "delete", 3) && name) {
			putf(s, NULL, "firewall.rule.cmd:%s", name);
		} else if (abbrev(verb, "set", 3)) {
			size_t j;
			int en = -1;

			for (j = i + 2; j < k->n; j++)
				if (abbrev(k->t[j], "new", 3))
					en = truth(kv(k, j + 1, "enable", 4));
			if (en >= 0 && name)
				putf(s, en ? "true" : "false", "firewall.rule.cmd:%s.enabled", name);
			else if (en >= 0 && group)
				putf(s, en ? "true" : "false", "firewall.rule_group.%s.enabled", group);
		}
	}
	rt_buf_release(&b);
}

/* Legacy "netsh firewall set opmode mode=disable profile=all" (or "set opmode disable"). */
static void netsh_firewall(sink *s, const toks *k, size_t i)
{
	const char *mode, *prof;

	if (i + 1 >= k->n || !abbrev(k->t[i], "set", 3) || !abbrev(k->t[i + 1], "opmode", 3))
		return;
	mode = kv(k, i + 2, "mode", 1);
	if (!mode && i + 2 < k->n && !strchr(k->t[i + 2], '='))
		mode = k->t[i + 2];
	prof = kv(k, i + 2, "profile", 1);
	if (truth(mode) >= 0)
		put_profiles(s, prof ? profile_bits(prof) : 8, "enabled", truth(mode) ? "true" : "false");
}

static void netsh_portproxy(sink *s, const toks *k, size_t i)
{
	const char *lport, *laddr, *caddr, *cport, *kind;
	rt_buf v = RT_BUF_INIT;

	if (i >= k->n)
		return;
	if (abbrev(k->t[i], "reset", 3)) {
		put(s, "portproxy.*", NULL);
		return;
	}
	if (i + 1 >= k->n)
		return;
	kind = k->t[i + 1];
	if (abbrev(kind, "v4tov4", 1))
		kind = "v4tov4";
	else if (!rt_dt_in_list(kind, "v4tov6|v6tov4|v6tov6", RT_DT_EQ))
		return;
	/* netsh takes the first key a prefix names, in this order */
	lport = kv(k, i + 2, "listenport", 1);
	laddr = kv(k, i + 2, "listenaddress", 7);
	caddr = kv(k, i + 2, "connectaddress", 1);
	cport = kv(k, i + 2, "connectport", 8);
	if (!lport)
		return;
	if (abbrev(k->t[i], "add", 1) || abbrev(k->t[i], "set", 3)) {
		rt_buf_addf(&v, "%s/%s", caddr ? caddr : "", cport ? cport : lport);
		putf(s, v.buf, "portproxy.%s.tcp.%s/%s", kind, laddr ? laddr : "*", lport);
	} else if (abbrev(k->t[i], "delete", 3)) {
		putf(s, NULL, "portproxy.%s.tcp.%s/%s", kind, laddr ? laddr : "*", lport);
	}
	rt_buf_release(&v);
}

/* Run a text extractor with a sink and a token buffer. */
typedef void (*text_fn)(sink *s, toks *k, const char *text);

static int on_text(const char *text, text_fn fn, rt_change_emit emit, void *ctx)
{
	sink s = { emit, ctx, 0 };
	toks *k;

	if (!text)
		return 0;
	if (!(k = malloc(sizeof *k)))
		return -1;
	fn(&s, k, text);
	free(k);
	return s.err;
}

/* Every "netsh ..." statement in the text. */
static void netsh_text(sink *s, toks *k, const char *p)
{
	while (p && (p = rt_strcasestr(p, "netsh")) != NULL) {
		p = tokenize(p, k);
		if (k->n < 2 || !rt_dt_in_list(k->t[0], "netsh|netsh.exe", RT_DT_ENDS))
			continue;
		if (abbrev(k->t[1], "advfirewall", 4))
			netsh_advfirewall(s, k, 2);
		else if (abbrev(k->t[1], "firewall", 4))
			netsh_firewall(s, k, 2);
		else if (k->n > 2 && abbrev(k->t[1], "interface", 1) && abbrev(k->t[2], "portproxy", 1))
			netsh_portproxy(s, k, 3);
	}
}

static int ex_netsh(const rt_event *ev, const char *text, const char *in2, rt_change_emit emit,
		    void *ctx)
{
	(void)ev;
	(void)in2;
	return on_text(text, netsh_text, emit, ctx);
}

/* ------------------------------------------------------------------ PowerShell cmdlets */

/* Every statement of `text` that starts with (or holds) cmdlet `name`. */
typedef void (*cmdlet_fn)(sink *s, const toks *k);

static void each_cmdlet(const char *text, const char *name, cmdlet_fn fn, sink *s, toks *k)
{
	const char *p = text;
	size_t nl = strlen(name);

	while (p && (p = rt_strcasestr(p, name)) != NULL) {
		if (p != text && !is_end(p[-1]) && p[-1] != ' ' && p[-1] != '(' && p[-1] != '\t' &&
		    p[-1] != '"' && p[-1] != '\'') {
			p += nl;
			continue;
		}
		p = tokenize(p, k);
		fn(s, k);
	}
}

static void ps_profile(sink *s, const toks *k)
{
	rt_buf b = RT_BUF_INIT;
	const char *prof = ps_param(k, "Profile", &b);
	unsigned bits = 0;
	int en;

	if (prof)
		bits = profile_bits(prof);
	else if ((prof = ps_param(k, "Name", &b)) != NULL)
		bits = profile_bits(prof);
	if (!bits) /* -All, or the profiles piped in (Get-NetFirewallProfile | ...) */
		bits = 7;
	en = truth(ps_param(k, "Enabled", &b));
	if (en >= 0)
		put_profiles(s, bits, "enabled", en ? "true" : "false");
	if (ps_param(k, "DefaultInboundAction", &b) && rt_dt_in_list(b.buf, "allow|block", RT_DT_EQ)) {
		char v[8];

		snprintf(v, sizeof v, "%s", rt_strcaseeq(b.buf, "allow") ? "allow" : "block");
		put_profiles(s, bits, "default_inbound", v);
	}
	rt_buf_release(&b);
}

/* Which rule a cmdlet names: -Name (the rule id), -DisplayName, -DisplayGroup. */
static const char *ps_rule_target(const toks *k, rt_buf *b, rt_buf *t)
{
	rt_buf_reset(t);
	if (ps_param(k, "Name", b) && *b->buf)
		rt_buf_addf(t, "firewall.rule.%s", b->buf);
	else if (ps_param(k, "DisplayName", b) && *b->buf)
		rt_buf_addf(t, "firewall.rule.cmd:%s", b->buf);
	else if (ps_param(k, "DisplayGroup", b) && *b->buf)
		rt_buf_addf(t, "firewall.rule_group.%s", b->buf);
	else if (ps_param(k, "Group", b) && *b->buf)
		rt_buf_addf(t, "firewall.rule_group.%s", b->buf);
	else if (k->n > 1 && k->t[1][0] != '-')
		rt_buf_addf(t, "firewall.rule.%s", k->t[1]);
	return t->len ? t->buf : NULL;
}

static void ps_new_rule(sink *s, const toks *k)
{
	rt_buf b[12], n = RT_BUF_INIT, t = RT_BUF_INIT;
	const char *name = NULL, *disp;
	rt_dt_rulespec r;
	int i;

	for (i = 0; i < 12; i++)
		rt_buf_init(&b[i], 0);
	memset(&r, 0, sizeof r);
	r.action = ps_param(k, "Action", &b[0]);
	r.dir = ps_param(k, "Direction", &b[1]);
	r.protocol = ps_param(k, "Protocol", &b[2]);
	r.lport = ps_param(k, "LocalPort", &b[3]);
	r.rport = ps_param(k, "RemotePort", &b[4]);
	r.raddr = ps_param(k, "RemoteAddress", &b[5]);
	r.laddr = ps_param(k, "LocalAddress", &b[6]);
	r.app = ps_param(k, "Program", &b[7]);
	r.svc = ps_param(k, "Service", &b[8]);
	r.profile = ps_param(k, "Profile", &b[9]);
	r.active = ps_param(k, "Enabled", &b[10]);
	disp = ps_param(k, "DisplayName", &b[11]);
	r.name = disp;
	if (r.dir && rt_strcaseeq(r.dir, "Outbound"))
		r.dir = "out";
	if (ps_param(k, "Name", &n) && *n.buf)
		rt_buf_addf(&t, "firewall.rule.%s", n.buf);
	else if (disp && *disp)
		rt_buf_addf(&t, "firewall.rule.cmd:%s", disp);
	name = t.len ? t.buf : NULL;
	if (name) {
		rt_buf v = RT_BUF_INIT;

		if (rt_dt_rule_string(&r, &v))
			put(s, name, v.buf);
		rt_buf_release(&v);
	}
	for (i = 0; i < 12; i++)
		rt_buf_release(&b[i]);
	rt_buf_release(&n);
	rt_buf_release(&t);
}

static void ps_rule_enabled(sink *s, const toks *k, int en)
{
	rt_buf b = RT_BUF_INIT, t = RT_BUF_INIT;
	const char *target = ps_rule_target(k, &b, &t);

	if (target && en >= 0)
		putf(s, en ? "true" : "false", "%s.enabled", target);
	rt_buf_release(&b);
	rt_buf_release(&t);
}

static void ps_set_rule(sink *s, const toks *k)
{
	rt_buf b = RT_BUF_INIT;

	ps_rule_enabled(s, k, truth(ps_param(k, "Enabled", &b)));
	rt_buf_release(&b);
}

static void ps_enable_rule(sink *s, const toks *k)
{
	ps_rule_enabled(s, k, 1);
}

static void ps_disable_rule(sink *s, const toks *k)
{
	ps_rule_enabled(s, k, 0);
}

static void ps_remove_rule(sink *s, const toks *k)
{
	rt_buf b = RT_BUF_INIT, t = RT_BUF_INIT;
	const char *target = ps_rule_target(k, &b, &t);

	if (target)
		put(s, target, NULL);
	rt_buf_release(&b);
	rt_buf_release(&t);
}

static void psfirewall_text(sink *s, toks *k, const char *text)
{
	static const struct {
		const char *cmdlet;
		cmdlet_fn fn;
	} cmdlets[] = {
		{ "Set-NetFirewallProfile", ps_profile },	{ "New-NetFirewallRule", ps_new_rule },
		{ "Set-NetFirewallRule", ps_set_rule },		{ "Enable-NetFirewallRule", ps_enable_rule },
		{ "Disable-NetFirewallRule", ps_disable_rule }, { "Remove-NetFirewallRule", ps_remove_rule },
	};
	size_t i;

	for (i = 0; i < sizeof cmdlets / sizeof cmdlets[0]; i++)
		each_cmdlet(text, cmdlets[i].cmdlet, cmdlets[i].fn, s, k);
}

static int ex_psfirewall(const rt_event *ev, const char *text, const char *in2,
			 rt_change_emit emit, void *ctx)
{
	(void)ev;
	(void)in2;
	return on_text(text, psfirewall_text, emit, ctx);
}

/* ------------------------------------------------------------------ services */

/* sc config / Set-Service / wmic ChangeStartMode words -> config's start names. */
static const char *start_word(const char *w)
{
	static const char *const map[][2] = {
		{ "boot", "boot" },	      { "system", "system" },	  { "auto", "auto" },
		{ "automatic", "auto" },      { "demand", "manual" },	  { "manual", "manual" },
		{ "disabled", "disabled" },   { "delayed-auto", "auto-delayed" },
		{ "automaticdelayedstart", "auto-delayed" },
	};
	size_t i;

	for (i = 0; w && i < sizeof map / sizeof map[0]; i++)
		if (rt_strcaseeq(w, map[i][0]))
			return map[i][1];
	return NULL;
}

static void sc_config(sink *s, const toks *k)
{
	size_t i = 1, j;
	const char *svc;

	if (i < k->n && !strncmp(k->t[i], "\\\\", 2))
		return; /* sc \\other config ...: a change on another host */
	if (i + 1 >= k->n || !rt_strcaseeq(k->t[i], "config"))
		return;
	svc = rt_dt_service_name(k->t[i + 1]);
	for (j = i + 2; svc && j < k->n; j++) {
		const char *v = NULL;

		if (rt_strcaseeq(k->t[j], "start=") && j + 1 < k->n)
			v = k->t[j + 1];
		else if (!strncmp(k->t[j], "start=", 6) && k->t[j][6])
			v = k->t[j] + 6;
		if (v && start_word(v))
			putf(s, start_word(v), "service.%s.start", svc);
	}
}

static void ps_set_service(sink *s, const toks *k)
{
	rt_buf b = RT_BUF_INIT, n = RT_BUF_INIT;
	const char *svc;

	if (ps_param(k, "ComputerName", &b)) {
		rt_buf_release(&b);
		return; /* a change on another host */
	}
	if (!ps_param(k, "Name", &n) && k->n > 1 && k->t[1][0] != '-')
		rt_buf_adds(&n, k->t[1]);
	svc = rt_dt_service_name(n.buf);
	if (svc && ps_param(k, "StartupType", &b) && start_word(b.buf))
		putf(s, start_word(b.buf), "service.%s.start", svc);
	rt_buf_release(&b);
	rt_buf_release(&n);
}

/* wmic service where name='WinRM' call ChangeStartMode Disabled */
static void wmic_service(sink *s, const toks *k)
{
	const char *svc = NULL;
	size_t i;

	if (k->n < 2 || !rt_dt_in_list(k->t[0], "wmic|wmic.exe", RT_DT_ENDS))
		return;
	for (i = 1; i < k->n; i++) {
		const char *eq = strchr(k->t[i], '=');

		if (eq && rt_strncaseeq(k->t[i], "name", 4))
			svc = rt_dt_service_name(eq + 1);
		if (svc && rt_strcaseeq(k->t[i], "ChangeStartMode") && i + 1 < k->n &&
		    start_word(k->t[i + 1]))
			putf(s, start_word(k->t[i + 1]), "service.%s.start", svc);
	}
}

/* Every statement of `text` that starts with program `prog` ("sc", "reg"). */
static void each_program(const char *text, const char *prog, cmdlet_fn fn, sink *s, toks *k)
{
	const char *p = text;
	size_t n = strlen(prog);

	while (p && (p = rt_strcasestr(p, prog)) != NULL) {
		if ((p == text || p[-1] == ' ' || p[-1] == '"' || p[-1] == '\\' || is_end(p[-1])) &&
		    (p[n] == ' ' || !strncmp(p + n, ".exe ", 5)))
			p = tokenize(p, k), fn(s, k);
		else
			p += n;
	}
}

static void service_text(sink *s, toks *k, const char *text)
{
	each_program(text, "sc", sc_config, s, k);
	each_cmdlet(text, "Set-Service", ps_set_service, s, k);
	each_cmdlet(text, "wmic", wmic_service, s, k);
}

static int ex_service(const rt_event *ev, const char *text, const char *in2, rt_change_emit emit,
		      void *ctx)
{
	(void)ev;
	(void)in2;
	return on_text(text, service_text, emit, ctx);
}

/* ------------------------------------------------------------------ WinRM */

/* "AllowUnencrypted" -> "allow_unencrypted", "Auth\Basic" -> "auth_basic". */
static void snake(rt_buf *b, const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++) {
		char c = s[i];

		if (c == '\\' || c == '/')
			c = '_';
		if (c >= 'A' && c <= 'Z') {
			if (i && s[i - 1] != '\\' && s[i - 1] != '/' &&
			    ((s[i - 1] >= 'a' && s[i - 1] <= 'z') ||
			     (s[i + 1] >= 'a' && s[i + 1] <= 'z' && s[i - 1] >= 'A' && s[i - 1] <= 'Z')))
				rt_buf_addch(b, '_');
			c = (char)(c + 32);
		}
		rt_buf_addch(b, c);
	}
}

/* A WSMan configuration path ("Service\\Auth\\Basic", "service/auth" + "Basic")
 * as config's name: "service.auth_basic". */
static void wsman_name(rt_buf *out, const char *path)
{
	size_t n = strcspn(path, "\\/");
	size_t i;

	for (i = 0; i < n; i++)
		rt_buf_addch(out, (char)(path[i] >= 'A' && path[i] <= 'Z' ? path[i] + 32 : path[i]));
	if (path[n]) {
		rt_buf_addch(out, '.');
		snake(out, path + n + 1);
	}
}

/* Enable-PSRemoting and winrm quickconfig: the service on auto start, an
 * HTTP listener on every address (port 5985), the firewall exception
 * (Microsoft Learn, "Enable-PSRemoting", "Installation and configuration
 * for Windows Remote Management"). */
static void quickconfig(sink *s, const char *how)
{
	put(s, "service.winrm.start", "auto");
	put(s, "winrm.listener.*+HTTP", "5985");
	put(s, "winrm.quickconfig", how);
}

/* winrm set winrm/config/<path> @{Name="value";...} */
static void winrm_set(sink *s, const char *at)
{
	const char *p = strstr(at, "@{"), *path = rt_strcasestr(at, "winrm/config/");
	char where[64];
	size_t n;

	if (!p || !path)
		return;
	path += 13;
	n = strcspn(path, " \t@\"'");
	if (!n || n >= sizeof where)
		return;
	memcpy(where, path, n);
	where[n] = '\0';
	for (p += 2; *p && *p != '}';) {
		const char *eq = strchr(p, '='), *v;
		size_t nl, vl;
		rt_buf name = RT_BUF_INIT, key = RT_BUF_INIT, val = RT_BUF_INIT;

		while (*p == ' ' || *p == ';')
			p++;
		if (!eq)
			break;
		nl = (size_t)(eq - p);
		v = eq + 1;
		while (*v == ' ' || *v == '"' || *v == '\'')
			v++;
		vl = strcspn(v, "\"';}");
		rt_buf_add(&key, where, strlen(where));
		rt_buf_addch(&key, '/');
		rt_buf_add(&key, p, nl);
		while (key.len && key.buf[key.len - 1] == ' ')
			rt_buf_truncate(&key, key.len - 1);
		wsman_name(&name, key.buf);
		rt_buf_add(&val, v, vl);
		putf(s, val.buf, "winrm.%s", name.buf);
		rt_buf_release(&name);
		rt_buf_release(&key);
		rt_buf_release(&val);
		p = v + vl;
		while (*p == '"' || *p == '\'' || *p == ' ')
			p++;
		if (*p == ';')
			p++;
	}
}

/* Set-Item WSMan:\localhost\Service\AllowUnencrypted $true */
static void wsman_set_item(sink *s, const toks *k)
{
	size_t i;

	for (i = 1; i + 1 < k->n; i++) {
		const char *t = k->t[i], *p;
		rt_buf name = RT_BUF_INIT;

		if (!rt_strncaseeq(t, "-Path", 5) && t[0] == '-')
			continue;
		if (!(p = rt_strcasestr(t, "WSMan:\\")))
			continue;
		p += 7;
		if (rt_strncaseeq(p, "localhost\\", 10))
			p += 10;
		wsman_name(&name, p);
		if (i + 1 < k->n) {
			const char *v = k->t[i + 1];

			if (rt_strncaseeq(v, "-Value", 6) && i + 2 < k->n)
				v = k->t[i + 2];
			if (v[0] == '$')
				v++;
			putf(s, truth(v) < 0 ? v : truth(v) ? "true" : "false", "winrm.%s", name.buf);
		}
		rt_buf_release(&name);
		break;
	}
}

static void winrm_text(sink *s, toks *k, const char *text)
{
	const char *p;

	if (rt_strcasestr(text, "Enable-PSRemoting"))
		quickconfig(s, "Enable-PSRemoting");
	if (rt_strcasestr(text, "Disable-PSRemoting"))
		put(s, "winrm.psremoting", "disabled");
	for (p = text; (p = rt_strcasestr(p, "winrm")) != NULL; p += 5) {
		const char *q = p + 5;

		if (!strncmp(q, ".cmd", 4) || !strncmp(q, ".vbs", 4))
			q += 4;
		while (*q == '"' || *q == '\'' || *q == ' ')
			q++;
		if (rt_strncaseeq(q, "qc", 2) && (q[2] == ' ' || is_end(q[2]) || q[2] == '"'))
			quickconfig(s, "winrm quickconfig");
		else if (rt_strncaseeq(q, "quickconfig", 11))
			quickconfig(s, "winrm quickconfig");
		else if (rt_strncaseeq(q, "set ", 4) || rt_strncaseeq(q, "s ", 2))
			winrm_set(s, q);
	}
	each_cmdlet(text, "Set-Item", wsman_set_item, s, k);
}

static int ex_winrm(const rt_event *ev, const char *text, const char *in2, rt_change_emit emit,
		    void *ctx)
{
	(void)ev;
	(void)in2;
	return on_text(text, winrm_text, emit, ctx);
}

/* ------------------------------------------------------------------ registry */

/* A DWORD as Sysmon ("DWORD (0x00000004)"), 4657 ("4", "0x4") or reg.exe writes it. */
static int dword_of(const char *v, uint64_t *out)
{
	const char *p;

	if (!v)
		return -1;
	if ((p = strchr(v, '(')) != NULL && rt_strncaseeq(v, "DWORD", 5)) {
		char t[24];
		size_t n = strcspn(p + 1, ")");

		if (n >= sizeof t)
			return -1;
		memcpy(t, p + 1, n);
		t[n] = '\0';
		return rt_parse_u64(t, out);
	}
	return rt_parse_u64(v, out);
}

/* WinRM Group Policy value names -> config's (artifacts.md §2.5). */
static const char *winrm_policy_name(const char *v)
{
	static const char *const map[][2] = {
		{ "AllowAutoConfig", "allow_auto_config" }, { "IPv4Filter", "ipv4_filter" },
		{ "IPv6Filter", "ipv6_filter" },		  { "AllowBasic", "allow_basic" },
		{ "AllowUnencryptedTraffic", "allow_unencrypted" }, { "AllowCredSSP", "allow_credssp" },
		{ "AllowKerberos", "allow_kerberos" },	  { "AllowNegotiate", "allow_negotiate" },
		{ "DisableRunAs", "disable_run_as" },	  { "CBTHardeningLevel", "cbt_hardening_level" },
		{ "HttpCompatibilityListener", "http_compatibility_listener" },
		{ "HttpsCompatibilityListener", "https_compatibility_listener" },
		{ "TrustedHosts", "trusted_hosts" },	  { "AllowDigest", "allow_digest" },
	};
	size_t i;

	for (i = 0; i < sizeof map / sizeof map[0]; i++)
		if (rt_strcaseeq(v, map[i][0]))
			return map[i][1];
	return NULL;
}

/* Strip "HKLM\", "\REGISTRY\MACHINE\", "HKEY_LOCAL_MACHINE\" and name the control set CCS. */
static int norm_key(const char *path, rt_buf *out)
{
	static const char *const roots[] = { "HKLM\\", "HKEY_LOCAL_MACHINE\\", "\\REGISTRY\\MACHINE\\",
					     "HKLM:\\", "Registry::HKEY_LOCAL_MACHINE\\" };
	size_t i;
	const char *p = path, *cs;

	for (i = 0; i < sizeof roots / sizeof roots[0]; i++)
		if (rt_strncaseeq(p, roots[i], strlen(roots[i]))) {
			p += strlen(roots[i]);
			break;
		}
	if (i == sizeof roots / sizeof roots[0])
		return -1;
	rt_buf_reset(out);
	if (rt_strncaseeq(p, "SYSTEM\\", 7) &&
	    ((cs = p + 7, rt_strncaseeq(cs, "CurrentControlSet\\", 18)) ||
	     rt_strncaseeq(cs, "ControlSet00", 12))) {
		rt_buf_adds(out, "SYSTEM\\CCS\\");
		p = strchr(cs, '\\');
		return p ? rt_buf_adds(out, p + 1) : -1;
	}
	return rt_buf_adds(out, p);
}

/* Does `key` (normalised) start with `prefix` (case-insensitive)? The rest after it. */
static const char *under(const char *key, const char *prefix)
{
	size_t n = strlen(prefix);

	return rt_strncaseeq(key, prefix, n) ? key + n : NULL;
}

#define FWPOL "SYSTEM\\CCS\\Services\\SharedAccess\\Parameters\\FirewallPolicy\\"
#define GPFW "SOFTWARE\\Policies\\Microsoft\\WindowsFirewall\\"
#define WSMAN "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WSMAN\\"

/*
 * One registry value (full path of the value, its data as text, removed
 * when `data` is NULL) as config's setting. Only the keys config reads
 * (docs/config.md) and the PortProxy key.
 */
static void reg_point(sink *s, const char *path, const char *data)
{
	rt_buf key = RT_BUF_INIT, t = RT_BUF_INIT;
	const char *rest, *vname;
	uint64_t n = 0;
	int isnum;

	if (norm_key(path, &key) || !(vname = strrchr(key.buf, '\\'))) {
		rt_buf_release(&key);
		return;
	}
	vname++;
	isnum = data && dword_of(data, &n) == 0;
	if ((rest = under(key.buf, "SYSTEM\\CCS\\Services\\")) && rt_strcaseeq(vname, "Start") &&
	    strchr(rest, '\\') == vname - 1) {
		rt_buf_add(&t, rest, (size_t)(vname - 1 - rest));
		if (rt_dt_service_name(t.buf) && isnum && rt_cfg_start_name((uint32_t)n, 0))
			putf(s, rt_cfg_start_name((uint32_t)n, 0), "service.%s.start",
			     rt_dt_service_name(t.buf));
	} else if ((rest = under(key.buf, FWPOL "FirewallRules\\"))) {
		putf(s, data, "firewall.rule.%s", rest);
	} else if ((rest = under(key.buf, GPFW "FirewallRules\\"))) {
		putf(s, data, "firewall.policy.rule.%s", rest);
	} else if ((rest = under(key.buf, FWPOL)) || (rest = under(key.buf, GPFW))) {
		int policy = under(key.buf, GPFW) != NULL;
		unsigned bits;

		rt_buf_add(&t, rest, strcspn(rest, "\\"));
		bits = profile_bits(t.buf);
		if (bits && bits != 8 && rt_strcaseeq(vname, "EnableFirewall"))
			putf(s, !data ? NULL : n ? "true" : "false", "firewall.%sprofile.%s.enabled",
			     policy ? "policy." : "",
			     bits == 1 ? "domain" : bits == 2 ? "private" : "public");
		else if (bits && bits != 8 && rt_strcaseeq(vname, "DefaultInboundAction"))
			putf(s, !data ? NULL : n ? "block" : "allow", "firewall.%sprofile.%s.default_inbound",
			     policy ? "policy." : "",
			     bits == 1 ? "domain" : bits == 2 ? "private" : "public");
	} else if (rt_strcaseeq(key.buf,
				"SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System\\"
				"LocalAccountTokenFilterPolicy")) {
		rt_buf_addf(&t, "%llu", (unsigned long long)n);
		put(s, "uac.local_account_token_filter_policy", !data ? NULL : isnum ? t.buf : data);
	} else if (rt_strcaseeq(key.buf, "SOFTWARE\\Microsoft\\Ole\\EnableDCOM") ||
		   rt_strcaseeq(key.buf, "SOFTWARE\\Microsoft\\Ole\\EnableRemoteConnect")) {
		put(s, rt_strcaseeq(vname, "EnableDCOM") ? "dcom.enabled" : "dcom.remote_connect",
		    !data ? NULL : rt_dt_in_list(data, "Y|y", RT_DT_EQ) ? "true" : "false");
	} else if ((rest = under(key.buf, "SOFTWARE\\Microsoft\\Ole\\")) &&
		   rt_dt_in_list(rest, "MachineLaunchRestriction|MachineAccessRestriction", RT_DT_EQ)) {
		/* a binary security descriptor the logs do not show */
		putf(s, data ? "written" : NULL, "dcom.%s.changed",
		     rt_strcaseeq(rest, "MachineLaunchRestriction") ? "machine_launch_restriction"
								     : "machine_access_restriction");
	} else if ((rest = under(key.buf, "SOFTWARE\\Policies\\Microsoft\\Windows\\WinRM\\")) &&
		   winrm_policy_name(vname)) {
		putf(s, !data ? NULL : isnum ? (rt_buf_addf(&t, "%llu", (unsigned long long)n), t.buf) : data,
		     "winrm.policy.%s.%s", rt_strncaseeq(rest, "Client", 6) ? "client" : "service",
		     winrm_policy_name(vname));
	} else if ((rest = under(key.buf, WSMAN "Listener\\"))) {
		rt_buf_add(&t, rest, (size_t)(vname - 1 - rest));
		if (rt_strcaseeq(vname, "Port") && isnum) {
			rt_buf sel = RT_BUF_INIT;

			rt_buf_adds(&sel, t.buf);
			rt_buf_reset(&t);
			rt_buf_addf(&t, "%llu", (unsigned long long)n);
			putf(s, t.buf, "winrm.listener.%s", sel.buf);
			rt_buf_release(&sel);
		}
	} else if ((rest = under(key.buf, WSMAN "Service\\")) || (rest = under(key.buf, WSMAN "Client\\"))) {
		int svc = under(key.buf, WSMAN "Service\\") != NULL;

		rt_buf lname = RT_BUF_INIT;

		snake(&lname, vname);
		if (isnum)
			rt_buf_addf(&t, "%llu", (unsigned long long)n);
		putf(s, !data ? NULL : isnum ? t.buf : data, "winrm.%s.%s", svc ? "service" : "client",
		     lname.buf);
		rt_buf_release(&lname);
	} else if ((rest = under(key.buf, "SYSTEM\\CCS\\Services\\PortProxy\\"))) {
		/* v4tov4\tcp\<listen address/port> = <connect address/port>,
		 * named as netsh's points are: portproxy.v4tov4.tcp.<address/port> */
		size_t i;

		rt_buf_reset(&t);
		for (i = 0; rest[i]; i++)
			rt_buf_addch(&t, rest[i] == '\\' ? '.' : rest[i] >= 'A' && rest[i] <= 'Z' ? (char)(rest[i] + 32) : rest[i]);
		putf(s, data, "portproxy.%s", t.buf ? t.buf : "");
	}
	rt_buf_release(&key);
	rt_buf_release(&t);
}

/* Sysmon 13 (TargetObject, Details), Sysmon 12 deletions, 4657 (ObjectName
 * + ObjectValueName, NewValue; OperationType %%1906 deleted). */
static int ex_regkey(const rt_event *ev, const char *path, const char *data, rt_change_emit emit,
		     void *ctx)
{
	sink s = { emit, ctx, 0 };
	const char *vn = rt_event_get(ev, "ObjectValueName"), *type = rt_event_gets(ev, "EventType");
	rt_buf full = RT_BUF_INIT;
	int removed = rt_dt_in_list(type, "DeleteValue|DeleteKey", RT_DT_EQ) ||
		      !strcmp(rt_event_gets(ev, "OperationType"), "%%1906");

	if (!path)
		return 0;
	rt_buf_adds(&full, path);
	if (rt_dt_usable(vn))
		rt_buf_addf(&full, "\\%s", vn);
	reg_point(&s, full.buf, removed ? NULL : data ? data : "");
	rt_buf_release(&full);
	return s.err;
}

/* reg add/delete KEY /v NAME [/d DATA]; Set-/New-ItemProperty -Path KEY -Name NAME -Value DATA. */
static void reg_exe(sink *s, const toks *k)
{
	size_t i;
	const char *key = NULL, *name = NULL, *data = NULL;
	int del;
	rt_buf full = RT_BUF_INIT;

	if (k->n < 3 || !rt_dt_in_list(k->t[0], "reg|reg.exe", RT_DT_ENDS))
		return;
	del = rt_strcaseeq(k->t[1], "delete");
	if (!del && !rt_strcaseeq(k->t[1], "add"))
		return;
	key = k->t[2];
	for (i = 3; i + 1 < k->n; i++)
		if (rt_dt_in_list(k->t[i], "/v|-v", RT_DT_EQ))
			name = k->t[i + 1];
		else if (rt_dt_in_list(k->t[i], "/d|-d", RT_DT_EQ))
			data = k->t[i + 1];
	if (!name)
		return;
	rt_buf_addf(&full, "%s\\%s", key, name);
	reg_point(s, full.buf, del ? NULL : data ? data : "");
	rt_buf_release(&full);
}

static void ps_item_property(sink *s, const toks *k)
{
	rt_buf p = RT_BUF_INIT, n = RT_BUF_INIT, v = RT_BUF_INIT, full = RT_BUF_INIT;

	if (ps_param(k, "Path", &p) && ps_param(k, "Name", &n) && ps_param(k, "Value", &v)) {
		rt_buf_addf(&full, "%s\\%s", p.buf, n.buf);
		reg_point(s, full.buf, v.buf);
	}
	rt_buf_release(&p);
	rt_buf_release(&n);
	rt_buf_release(&v);
	rt_buf_release(&full);
}

static void regcmd_text(sink *s, toks *k, const char *text)
{
	each_program(text, "reg", reg_exe, s, k);
	each_cmdlet(text, "Set-ItemProperty", ps_item_property, s, k);
	each_cmdlet(text, "New-ItemProperty", ps_item_property, s, k);
}

static int ex_regcmd(const rt_event *ev, const char *text, const char *in2, rt_change_emit emit,
		     void *ctx)
{
	(void)ev;
	(void)in2;
	return on_text(text, regcmd_text, emit, ctx);
}

/* ------------------------------------------------------------------ firewall events */

/*
 * Firewall 2003/2082: one setting (MS-FASP FW_PROFILE_CONFIG number) for
 * the profiles in the FW_PROFILE_TYPE bits. 1 = firewall on/off, 17 =
 * default inbound action (1 block, 0 allow, as the registry's
 * DefaultInboundAction); others are not config settings.
 */
static int ex_fw2003(const rt_event *ev, const char *in1, const char *in2, rt_change_emit emit,
		     void *ctx)
{
	sink s = { emit, ctx, 0 };
	uint64_t type, prof, v = 0;
	const char *str = rt_event_gets(ev, "SettingValueString"), *hex = rt_event_gets(ev, "SettingValue");
	int known;

	(void)in1;
	(void)in2;
	if (rt_parse_u64(rt_event_gets(ev, "SettingType"), &type) ||
	    rt_parse_u64(rt_event_gets(ev, "Profiles"), &prof))
		return 0;
	/* SettingValue is the DWORD's bytes in hex, little-endian ("01000000") */
	known = strlen(hex) >= 2 && rt_hex_digit((unsigned char)hex[0]) >= 0 &&
		rt_hex_digit((unsigned char)hex[1]) >= 0;
	if (known)
		v = (uint64_t)(rt_hex_digit((unsigned char)hex[0]) << 4 | rt_hex_digit((unsigned char)hex[1]));
	if (type == 1) {
		int on = truth(str);

		if (on < 0 && known)
			on = v != 0;
		if (on >= 0)
			put_profiles(&s, (unsigned)prof & 7, "enabled", on ? "true" : "false");
	} else if (type == 17) {
		if (rt_dt_in_list(str, "Block|Allow", RT_DT_EQ))
			put_profiles(&s, (unsigned)prof & 7, "default_inbound",
				     rt_strcaseeq(str, "Block") ? "block" : "allow");
		else if (known)
			put_profiles(&s, (unsigned)prof & 7, "default_inbound", v ? "block" : "allow");
	}
	return s.err;
}

/* Security 4950: ProfileChanged (Domain, Private, Public, "Domain,Private"...),
 * SettingType in words, SettingValue Yes/No/Block/Allow. */
static int ex_fw4950(const rt_event *ev, const char *in1, const char *in2, rt_change_emit emit,
		     void *ctx)
{
	sink s = { emit, ctx, 0 };
	const char *type = rt_event_gets(ev, "SettingType"), *v = rt_event_gets(ev, "SettingValue");
	unsigned bits = profile_bits(rt_event_gets(ev, "ProfileChanged")) & 7;

	(void)in1;
	(void)in2;
	if (rt_strcasestr(type, "Enable Windows") && truth(v) >= 0)
		put_profiles(&s, bits, "enabled", truth(v) ? "true" : "false");
	else if (rt_strcasestr(type, "Default Inbound") && rt_dt_in_list(v, "Block|Allow", RT_DT_EQ))
		put_profiles(&s, bits, "default_inbound", rt_strcaseeq(v, "Block") ? "block" : "allow");
	return s.err;
}

/* Security 4956: every profile active from then on ([MSDOC-4956]); a value
 * that names something else is kept as it is, so that the active profile
 * is unknown from then on. */
static int ex_fw_active(const rt_event *ev, const char *v, const char *in2, rt_change_emit emit,
			void *ctx)
{
	static const char *const names[] = { "domain", "private", "public" };
	unsigned bits = profile_bits(v);
	char list[32] = "";
	int i;

	(void)ev;
	(void)in2;
	if (!v)
		return 0;
	if (bits && !(bits & 8)) {
		for (i = 0; i < 3; i++)
			if (bits >> i & 1)
				snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
					 *list ? "," : "", names[i]);
		v = list;
	}
	return emit(ctx, "firewall.active_profile", v);
}

/* ------------------------------------------------------------------ table */

rt_change_fn rt_change_extractor(const char *name)
{
	static const struct {
		const char *name;
		rt_change_fn fn;
	} table[] = {
		{ "@netsh", ex_netsh },	    { "@psfirewall", ex_psfirewall }, { "@service", ex_service },
		{ "@winrm", ex_winrm },	    { "@regkey", ex_regkey },	      { "@regcmd", ex_regcmd },
		{ "@fw2003", ex_fw2003 }, { "@fw4950", ex_fw4950 },	      { "@fw_active", ex_fw_active },
	};
	size_t i;

	for (i = 0; name && i < sizeof table / sizeof table[0]; i++)
		if (!strcmp(name, table[i].name))
			return table[i].fn;
	return NULL;
}
