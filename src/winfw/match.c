/*
 * Does one rule match one connection? Every condition the rule names must
 * hold ([MS-FASP] 2.2.37 FW_RULE: a rule's conditions are ANDed; an absent
 * condition matches anything). Conditions the evidence cannot settle (the
 * interface, the account of a DCOM server, IPsec) answer DEPENDS with the
 * reason, so that nothing is decided on a guess.
 */
#include "config.h"

#include <string.h>

#include "remtrail/winfw.h"

static const struct {
	const char *prefix, *value;
} env[] = {
	{ "%systemroot%", "c:\\windows" },	   { "%windir%", "c:\\windows" },
	{ "%systemdrive%", "c:" },		   { "%programfiles(x86)%", "c:\\program files (x86)" },
	{ "%programfiles%", "c:\\program files" }, { "%programw6432%", "c:\\program files" },
};

/* An image path as one comparable form: environment prefixes expanded,
 * lower case, '/' as '\\'. Truncated paths never compare equal to a
 * longer one (the last byte is kept distinct). */
static void path_norm(const char *in, char *out, size_t cap)
{
	size_t i, n = 0;

	for (i = 0; i < sizeof env / sizeof *env; i++)
		if (rt_strncaseeq(in, env[i].prefix, strlen(env[i].prefix))) {
			const char *v = env[i].value;

			while (*v && n + 1 < cap)
				out[n++] = *v++;
			in += strlen(env[i].prefix);
			break;
		}
	for (; *in && n + 1 < cap; in++) {
		char ch = *in == '/' ? '\\' : *in;

		out[n++] = ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
	}
	out[n] = '\0';
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '\\');

	return s ? s + 1 : p;
}

static int any_text(const char *s)
{
	return !s || !strcmp(s, "*") || rt_strcaseeq(s, "Any");
}

static rt_winfw_match app_match(const char *rule, const char *conn)
{
	char a[520], b[520];

	if (any_text(rule))
		return RT_WINFW_YES;
	if (!conn)
		return RT_WINFW_NO;
	if (rt_strcaseeq(rule, "System") || rt_strcaseeq(conn, "System"))
		return rt_strcaseeq(rule, conn) ? RT_WINFW_YES : RT_WINFW_NO;
	path_norm(rule, a, sizeof a);
	if (!strncmp(conn, "*\\", 2))
		return rt_strcaseeq(base_name(a), conn + 2) ? RT_WINFW_YES : RT_WINFW_NO;
	path_norm(conn, b, sizeof b);
	return !strcmp(a, b) ? RT_WINFW_YES : RT_WINFW_NO;
}

/* Svc absent: any process; "*": any service and no plain application
 * (INetFwRule::ServiceName); a name: that service only. */
static rt_winfw_match svc_match(const char *rule, const char *conn)
{
	if (!rule)
		return RT_WINFW_YES;
	if (!strcmp(rule, "*"))
		return conn ? RT_WINFW_YES : RT_WINFW_NO;
	return conn && rt_strcaseeq(rule, conn) ? RT_WINFW_YES : RT_WINFW_NO;
}

/* SDDL abbreviations of the service accounts the receivers run as. */
static const char *sid_abbrev(const char *sid)
{
	static const char *const map[][2] = { { "S-1-5-18", "SY" }, { "S-1-5-19", "LS" }, { "S-1-5-20", "NS" } };
	size_t i;

	for (i = 0; i < sizeof map / sizeof *map; i++)
		if (rt_strcaseeq(sid, map[i][0]))
			return map[i][1];
	return NULL;
}

/* LUAuth is an SDDL; the account is authorized when an allow ACE names it. */
static int sddl_allows(const char *sddl, const char *sid)
{
	const char *ab = sid_abbrev(sid), *p;

	for (p = sddl; (p = strstr(p, "(A;")); p++) {
		const char *end = strchr(p, ')'), *last;

		if (!end)
			break;
		for (last = end; last > p && last[-1] != ';'; last--)
			;
		if ((size_t)(end - last) == strlen(sid) && rt_strncaseeq(last, sid, strlen(sid)))
			return 1;
		if (ab && (size_t)(end - last) == strlen(ab) && rt_strncaseeq(last, ab, strlen(ab)))
			return 1;
	}
	return 0;
}

/* Windows' dynamic port range (since Vista): where RPC hands out endpoints
 * and clients take their source ports. */
#define DYN_LO 49152
#define DYN_HI 65535

/* Does a port list take in a port somewhere in the dynamic range: YES when
 * `keyword` is listed or a range covers all of it, DEPENDS when it covers
 * part of it, NO otherwise. */
static rt_winfw_match covers_dynamic(const rt_fw_ports *p, const char *keyword)
{
	rt_winfw_match best = RT_WINFW_NO;
	size_t i;

	for (i = 0; i < p->n; i++) {
		const rt_fw_port *x = &p->v[i];

		if (x->keyword) {
			if (keyword && rt_strcaseeq(x->keyword, keyword))
				return RT_WINFW_YES;
		} else if (x->lo <= DYN_LO && x->hi == DYN_HI) {
			return RT_WINFW_YES;
		} else if (x->hi >= DYN_LO) {
			best = RT_WINFW_DEPENDS;
		}
	}
	return best;
}

/* The local port condition for the kind of endpoint the connection is on:
 * RPC covers the dynamic endpoints the RPC runtime hands out, RPC-EPMap
 * the endpoint mapper, numbers what they name (a dynamic endpoint lands
 * anywhere in the dynamic range). Other keywords (IPHTTPS, Teredo, mDNS,
 * Ply2Disc...) name other services' ports. */
static rt_winfw_match lport_match(const rt_fw_ports *p, const rt_winfw_conn *c)
{
	unsigned port = c->kind == RT_WINFW_PORT_EPMAP ? 135 : c->port;
	size_t i;

	if (p->n == 0)
		return RT_WINFW_YES;
	if (c->kind == RT_WINFW_PORT_RPC)
		return covers_dynamic(p, "RPC");
	for (i = 0; i < p->n; i++) {
		const rt_fw_port *x = &p->v[i];

		if (x->keyword ? c->kind == RT_WINFW_PORT_EPMAP && rt_strcaseeq(x->keyword, "RPC-EPMap")
			       : port >= x->lo && port <= x->hi)
			return RT_WINFW_YES;
	}
	return RT_WINFW_NO;
}

/* A remote-port condition: a client sends from a dynamic port, so only a
 * condition covering all of them surely matches. */
static rt_winfw_match rport_match(const rt_fw_ports *p)
{
	return p->n == 0 ? RT_WINFW_YES : covers_dynamic(p, NULL);
}

static int addrs_any(const rt_fw_addrs *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (a->v[i].kind == RT_FW_ADDR_ANY)
			return 1;
	return a->n == 0;
}

int rt_winfw_rule_auth_only(const rt_fwrule *r)
{
	return r->action == RT_FW_ACTION_BYPASS || r->rmauth || r->ruauth ||
	       (r->security && !rt_strcaseeq(r->security, "NotRequired") && *r->security);
}

int rt_winfw_rule_scope(const rt_fwrule *r, rt_buf *out)
{
	size_t start = out->len;
	int rc = 0;

	if (rt_winfw_rule_auth_only(r))
		return rt_buf_adds(out, "IPsec-authenticated");
	if ((r->ra4.n && !addrs_any(&r->ra4)) || (r->ra6.n && !addrs_any(&r->ra6))) {
		if (r->ra4.n)
			rc |= rt_fw_addrs_text(out, &r->ra4);
		if (r->ra6.n) {
			if (out->len > start)
				rc |= rt_buf_addch(out, ',');
			rc |= rt_fw_addrs_text(out, &r->ra6);
		}
	}
	return rc ? -1 : 0;
}

static rt_winfw_match worst(rt_winfw_match a, rt_winfw_match b, const char **why, const char *b_why)
{
	if (a == RT_WINFW_NO || b == RT_WINFW_NO)
		return RT_WINFW_NO;
	if (b == RT_WINFW_DEPENDS) {
		if (a != RT_WINFW_DEPENDS && why)
			*why = b_why;
		return RT_WINFW_DEPENDS;
	}
	return a;
}

rt_winfw_match rt_winfw_rule_matches(const rt_fwrule *r, int profile, const rt_winfw_conn *c,
				     const char *local_subnets, const char **why)
{
	rt_winfw_match m = RT_WINFW_YES;
	const char *dummy;

	if (!why)
		why = &dummy;
	*why = NULL;
	if (!r->active || r->dir != RT_FW_DIR_IN || profile < 0 || profile >= RT_FW_NPROFILES ||
	    !rt_fwrule_has_profile(r, 1u << profile))
		return RT_WINFW_NO;
	/* app-container rules (a package SID or family name) apply to that
	 * package's processes only, and trust-tuple rules (TTK: UPnP, Wi-Fi
	 * Direct, proximity) to the traffic those features register with the
	 * firewall ([MS-FASP] 2.2.97, 3.1.6.7): no receiver here is either */
	if (r->apppkgid || r->pfn || r->ttk)
		return RT_WINFW_NO;
	if (r->protocol >= 0 && r->protocol != 256 && r->protocol != c->protocol)
		return RT_WINFW_NO;
	if (r->protocol == 6 || r->protocol == 17) {
		m = worst(m, lport_match(&r->lport, c), why, "which dynamic port the RPC endpoint was given");
		m = worst(m, rport_match(&r->rport), why, "the remote client's source port");
	}
	m = worst(m, app_match(r->app, c->app), why, NULL);
	m = worst(m, svc_match(r->svc, c->svc), why, NULL);
	if (r->luown)
		m = worst(m, !c->user ? RT_WINFW_DEPENDS : rt_strcaseeq(r->luown, c->user) ? RT_WINFW_YES : RT_WINFW_NO,
			  why, "the account the receiving process runs as");
	if (r->luauth)
		m = worst(m, !c->user ? RT_WINFW_DEPENDS : sddl_allows(r->luauth, c->user) ? RT_WINFW_YES : RT_WINFW_NO,
			  why, "the account the receiving process runs as");
	if (r->nif)
		m = worst(m, RT_WINFW_DEPENDS, why, "the interface the connection came on");
	if (r->iftype && !rt_strcaseeq(r->iftype, "All") && strcmp(r->iftype, "*"))
		m = worst(m, RT_WINFW_DEPENDS, why, "the type of interface the connection came on");
	if (!addrs_any(&r->la4) || !addrs_any(&r->la6))
		m = worst(m, RT_WINFW_DEPENDS, why, "the local address the connection was sent to");
	if (m == RT_WINFW_NO || !c->remote)
		return m;
	if (rt_winfw_rule_auth_only(r))
		return worst(m, RT_WINFW_DEPENDS, why, "IPsec authentication of the peer");
	{
		rt_buf scope = RT_BUF_INIT;
		int in;

		if (rt_winfw_rule_scope(r, &scope)) {
			rt_buf_release(&scope);
			return worst(m, RT_WINFW_DEPENDS, why, "the rule's remote addresses");
		}
		in = rt_scope_contains(scope.buf, c->remote, local_subnets);
		rt_buf_release(&scope);
		return worst(m, in > 0 ? RT_WINFW_YES : in == 0 ? RT_WINFW_NO : RT_WINFW_DEPENDS, why,
			     "whether the remote address is in the rule's scope");
	}
}
