/*
 * What receives each protocol on the target host, as data, and a
 * protocol's reachability from its legs (docs/assess.md "What receives each
 * protocol" gives the sources):
 *
 *  - WinRM: HTTP.SYS in the kernel ("System") on each listener's port.
 *  - Remote WMI: DCOM activation at the RPC endpoint mapper (RPCSS, TCP
 *    135), then calls to the Winmgmt service on its own endpoint: a dynamic
 *    RPC port, or the fixed one (24158) when Winmgmt runs standalone.
 *    unsecapp.exe only carries asynchronous callbacks back to the client.
 *  - DCOM lateral movement: RPCSS on 135, then the activated server on a
 *    dynamic port: mmc.exe (MMC20.Application), explorer.exe (ShellWindows,
 *    ShellBrowserWindow), the Office applications, COM surrogates.
 */
#include "config.h"

#include <string.h>

#include "remtrail/winfw.h"

#define SVCHOST "%SystemRoot%\\system32\\svchost.exe"
#define SYSTEM_SID "S-1-5-18"
#define NETWORK_SERVICE_SID "S-1-5-20"
#define EPMAP_WHAT "the RPC endpoint mapper (RPCSS) on TCP 135"

const rt_winfw_leg rt_winfw_legs[] = {
	{ RT_PROTO_WINRM, 0, "the WinRM listener (HTTP.SYS, System)", RT_WINFW_PORT_FIXED, 0, "System", NULL,
	  SYSTEM_SID },
	{ RT_PROTO_WMI, 0, EPMAP_WHAT, RT_WINFW_PORT_EPMAP, 135, SVCHOST, "RpcSs", NETWORK_SERVICE_SID },
	{ RT_PROTO_WMI, 1, "the WMI service (Winmgmt) on its RPC endpoint", RT_WINFW_PORT_RPC, 0, SVCHOST,
	  "winmgmt", SYSTEM_SID },
	{ RT_PROTO_DCOM, 0, EPMAP_WHAT, RT_WINFW_PORT_EPMAP, 135, SVCHOST, "RpcSs", NETWORK_SERVICE_SID },
	{ RT_PROTO_DCOM, 1, "MMC20.Application (mmc.exe)", RT_WINFW_PORT_RPC, 0, "%SystemRoot%\\system32\\mmc.exe",
	  NULL, NULL },
	{ RT_PROTO_DCOM, 1, "ShellWindows / ShellBrowserWindow (explorer.exe)", RT_WINFW_PORT_RPC, 0,
	  "%SystemRoot%\\explorer.exe", NULL, NULL },
	{ RT_PROTO_DCOM, 1, "a COM surrogate (dllhost.exe)", RT_WINFW_PORT_RPC, 0,
	  "%SystemRoot%\\system32\\dllhost.exe", NULL, NULL },
	{ RT_PROTO_DCOM, 1, "COM+ system application (dllhost.exe, COMSysApp)", RT_WINFW_PORT_RPC, 0,
	  "%SystemRoot%\\system32\\dllhost.exe", "COMSysApp", SYSTEM_SID },
	{ RT_PROTO_DCOM, 1, "HTML application host (mshta.exe)", RT_WINFW_PORT_RPC, 0,
	  "%SystemRoot%\\system32\\mshta.exe", NULL, NULL },
	{ RT_PROTO_DCOM, 1, "Excel.Application (EXCEL.EXE)", RT_WINFW_PORT_RPC, 0, "*\\EXCEL.EXE", NULL, NULL },
	{ RT_PROTO_DCOM, 1, "Word.Application (WINWORD.EXE)", RT_WINFW_PORT_RPC, 0, "*\\WINWORD.EXE", NULL, NULL },
	{ RT_PROTO_DCOM, 1, "Outlook.Application (OUTLOOK.EXE)", RT_WINFW_PORT_RPC, 0, "*\\OUTLOOK.EXE", NULL,
	  NULL },
	{ RT_PROTO_DCOM, 1, "PowerPoint.Application (POWERPNT.EXE)", RT_WINFW_PORT_RPC, 0, "*\\POWERPNT.EXE", NULL,
	  NULL },
};
const size_t rt_winfw_nlegs = sizeof rt_winfw_legs / sizeof *rt_winfw_legs;

const char *rt_proto_name(rt_proto p)
{
	static const char *const n[RT_PROTO_COUNT] = { "WinRM", "remote WMI (DCOM)", "DCOM" };

	return (unsigned)p < RT_PROTO_COUNT ? n[p] : "";
}

/* The legs judged on the host's own ports (rt_winfw_host): the WinRM
 * listeners on theirs, and WMI's service on its fixed endpoint when it has
 * one (its dynamic RPC endpoint otherwise). */
static int winrm_leg(const rt_winfw_leg *leg)
{
	return leg->kind == RT_WINFW_PORT_FIXED && leg->port == 0;
}

static int wmi_endpoint_leg(const rt_winfw_leg *leg)
{
	return leg->kind == RT_WINFW_PORT_RPC && leg->proto == RT_PROTO_WMI;
}

static int host_port_leg(const rt_winfw_leg *leg)
{
	return winrm_leg(leg) || wmi_endpoint_leg(leg);
}

/* Openness as an order: unknown aside, closed < depends < scoped < any. */
static int rank(rt_winfw_open o)
{
	return o == RT_WINFW_OPEN_UNKNOWN ? -1 : (int)o;
}

/* Every rule of the policy known to exist then: judging also the rules of
 * unknown presence then judges the same rules again. */
static int all_present(const rt_winfw_policy *p)
{
	size_t i;

	for (i = 0; i < p->nrules; i++)
		if (p->rules[i].present < 1 && p->rules[i].rule)
			return 0;
	return 1;
}

static int judge(const rt_winfw_policy *p, int known, int profile, const rt_winfw_leg *leg,
		 rt_winfw_port_kind kind, unsigned port, const char *remote, rt_winfw_leg_result *out)
{
	rt_winfw_conn c;
	rt_winfw_decision all;
	int rc;

	memset(&c, 0, sizeof c);
	c.protocol = 6;
	c.kind = kind;
	c.port = port;
	c.app = leg->app;
	c.svc = leg->svc;
	c.user = leg->user;
	c.remote = remote;
	out->leg = leg;
	out->port = kind == RT_WINFW_PORT_FIXED ? port : 0;
	rc = rt_winfw_decide(p, profile, &c, 1, &out->d);
	if (known) {
		out->open_any = out->d.open;
		return rc;
	}
	if (rt_winfw_decide(p, profile, &c, 0, &all))
		rc = -1;
	out->open_any = all.open;
	rt_winfw_decision_release(&all);
	return rc;
}

int rt_winfw_reach_eval(const rt_winfw_policy *p, const rt_winfw_host *h, int profile, rt_proto proto,
			const char *remote, rt_winfw_reach *out)
{
	int best[RT_WINFW_MAX_GROUPS], best_any[RT_WINFW_MAX_GROUPS];
	unsigned ngroups = 0, g;
	size_t i, k;
	int rc = 0, known = all_present(p);

	memset(out, 0, sizeof *out);
	out->closing_group = -1;
	for (g = 0; g < RT_WINFW_MAX_GROUPS; g++) {
		best[g] = best_any[g] = -2;
		rt_buf_init(&out->scopes[g], 1 << 16);
	}
	for (i = 0; i < rt_winfw_nlegs; i++) {
		const rt_winfw_leg *leg = &rt_winfw_legs[i];
		unsigned ports[RT_WINFW_MAX_PORTS];
		rt_winfw_port_kind kind = leg->kind;
		size_t np = 0;

		if (leg->proto != proto || leg->group >= RT_WINFW_MAX_GROUPS)
			continue;
		if (winrm_leg(leg)) {
			for (k = 0; h && k < h->nwinrm_ports && k < RT_WINFW_MAX_PORTS; k++)
				ports[np++] = h->winrm_ports[k];
		} else if (wmi_endpoint_leg(leg) && h && h->wmi_port) {
			kind = RT_WINFW_PORT_FIXED;
			ports[np++] = h->wmi_port;
		} else {
			ports[np++] = leg->port;
		}
		if (leg->group + 1 > ngroups)
			ngroups = leg->group + 1;
		for (k = 0; k < np && out->nlegs < RT_WINFW_MAX_LEGS; k++) {
			rt_winfw_leg_result *lr = &out->legs[out->nlegs++];
			int r;

			if (judge(p, known, profile, leg, kind, ports[k], remote, lr))
				rc = -1;
			r = rank(lr->d.open);
			if (best[leg->group] == -2 || r > best[leg->group]) {
				best[leg->group] = r;
				if (lr->d.open == RT_WINFW_OPEN_DEPENDS && !out->why)
					out->why = lr->d.why;
			}
			if (best_any[leg->group] == -2 || rank(lr->open_any) > best_any[leg->group])
				best_any[leg->group] = rank(lr->open_any);
		}
	}
	/* the scope of each group that only some addresses get through: the
	 * union of its scoped legs */
	for (g = 0; g < ngroups; g++)
		if (best[g] == RT_WINFW_OPEN_SCOPED) {
			rt_buf *s = &out->scopes[out->nscopes++];

			for (k = 0; k < out->nlegs; k++) {
				const rt_winfw_leg_result *lr = &out->legs[k];

				if (lr->leg->group != g || lr->d.open != RT_WINFW_OPEN_SCOPED)
					continue;
				if (rt_list_union(s, lr->d.scope.buf))
					rc = -1;
			}
		}
	out->open = out->open_if_unknown = RT_WINFW_OPEN_ANY;
	for (g = 0; g < ngroups; g++) {
		rt_winfw_open o = best[g] < 0 ? RT_WINFW_OPEN_UNKNOWN : (rt_winfw_open)best[g];
		rt_winfw_open a = best_any[g] < 0 ? RT_WINFW_OPEN_UNKNOWN : (rt_winfw_open)best_any[g];

		if (o == RT_WINFW_OPEN_UNKNOWN || out->open == RT_WINFW_OPEN_UNKNOWN)
			out->open = RT_WINFW_OPEN_UNKNOWN;
		else if (o < out->open)
			out->open = o;
		if (a == RT_WINFW_OPEN_UNKNOWN || out->open_if_unknown == RT_WINFW_OPEN_UNKNOWN)
			out->open_if_unknown = RT_WINFW_OPEN_UNKNOWN;
		else if (a < out->open_if_unknown)
			out->open_if_unknown = a;
		if (o == RT_WINFW_CLOSED && out->closing_group < 0)
			out->closing_group = (int)g;
	}
	if (!ngroups)
		out->open = out->open_if_unknown = RT_WINFW_OPEN_UNKNOWN;
	return rc;
}

void rt_winfw_reach_release(rt_winfw_reach *r)
{
	size_t i;

	for (i = 0; i < r->nlegs; i++)
		rt_winfw_decision_release(&r->legs[i].d);
	for (i = 0; i < RT_WINFW_MAX_GROUPS; i++)
		rt_buf_release(&r->scopes[i]);
	memset(r, 0, sizeof *r);
}

/* Does leg result `k` decide: when the protocol gets in, the open legs of
 * every group; when it does not, the legs of the groups that keep it out. */
static int decides(const rt_winfw_reach *r, size_t k, const int *open_group)
{
	const rt_winfw_leg_result *lr = &r->legs[k];
	int o = lr->d.open;

	if (open_group[lr->leg->group])
		return r->open != RT_WINFW_CLOSED &&
		       (o == RT_WINFW_OPEN_ANY || o == RT_WINFW_OPEN_SCOPED || o == RT_WINFW_OPEN_DEPENDS);
	return 1;
}

static void group_state(const rt_winfw_reach *r, int *open_group)
{
	size_t k;

	memset(open_group, 0, RT_WINFW_MAX_GROUPS * sizeof *open_group);
	for (k = 0; k < r->nlegs; k++) {
		rt_winfw_open o = r->legs[k].d.open;

		if (o == RT_WINFW_OPEN_ANY || o == RT_WINFW_OPEN_SCOPED || o == RT_WINFW_OPEN_DEPENDS)
			open_group[r->legs[k].leg->group] = 1;
	}
}

void rt_winfw_reach_rules(const rt_winfw_reach *r, int (*fn)(const rt_winfw_rule *, void *), void *ctx)
{
	int open_group[RT_WINFW_MAX_GROUPS];
	const rt_winfw_rule *seen[64];
	size_t k, i, j, nseen = 0;

	group_state(r, open_group);
	for (k = 0; k < r->nlegs; k++) {
		const rt_winfw_decision *d = &r->legs[k].d;
		const rt_winfw_rule **v = open_group[r->legs[k].leg->group] ? d->allow : d->block;
		size_t n = open_group[r->legs[k].leg->group] ? d->nallow : d->nblock;

		if (!decides(r, k, open_group))
			continue;
		for (i = 0; i < n; i++) {
			for (j = 0; j < nseen && seen[j] != v[i]; j++)
				;
			if (j < nseen)
				continue;
			if (nseen < sizeof seen / sizeof *seen)
				seen[nseen++] = v[i];
			if (fn(v[i], ctx))
				return;
		}
	}
}

static int rules_text(rt_buf *out, const rt_winfw_rule *const *v, size_t n)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < n && i < 3; i++)
		rc |= rt_buf_addf(out, "%s%s", i ? ", " : "", v[i]->id);
	if (n > 3)
		rc |= rt_buf_addf(out, " and %zu more", n - 3);
	return rc;
}

static int leg_text(rt_buf *out, const rt_winfw_leg_result *lr)
{
	const rt_winfw_decision *d = &lr->d;
	int rc = rt_buf_adds(out, lr->leg->what);

	if (lr->port && lr->leg->kind == RT_WINFW_PORT_FIXED && lr->leg->port == 0)
		rc |= rt_buf_addf(out, " on TCP %u", lr->port);
	else if (lr->port && lr->leg->kind == RT_WINFW_PORT_RPC)
		rc |= rt_buf_addf(out, " (fixed port %u)", lr->port);
	switch (d->verdict) {
	case RT_WINFW_OFF:
		rc |= rt_buf_adds(out, ": let in, the firewall is off");
		break;
	case RT_WINFW_DEFAULT_ALLOW:
		rc |= rt_buf_adds(out, ": let in by the default inbound action (allow)");
		break;
	case RT_WINFW_ALLOWED:
		rc |= rt_buf_addf(out, ": let in by rule%s ", d->nallow > 1 ? "s" : "");
		rc |= rules_text(out, d->allow, d->nallow);
		if (d->open == RT_WINFW_OPEN_ANY)
			rc |= rt_buf_adds(out, " from any address");
		else if (d->open == RT_WINFW_OPEN_SCOPED)
			rc |= rt_buf_addf(out, " only from %s", d->scope.buf);
		else if (d->open == RT_WINFW_OPEN_DEPENDS)
			rc |= rt_buf_addf(out, ", depending on %s", d->why ? d->why : "what the evidence does not tell");
		break;
	case RT_WINFW_BLOCKED:
		rc |= rt_buf_addf(out, ": blocked by rule%s ", d->nblock > 1 ? "s" : "");
		rc |= rules_text(out, d->block, d->nblock);
		if (d->open == RT_WINFW_OPEN_SCOPED)
			rc |= rt_buf_addf(out, " except for %s peers", d->scope.buf);
		break;
	case RT_WINFW_DEFAULT_BLOCK:
		rc |= rt_buf_adds(out, ": no rule lets it in (default block)");
		if (d->local_dropped)
			rc |= rt_buf_addf(out, "; %zu local rule%s would, but AllowLocalPolicyMerge = 0", d->local_dropped,
					  d->local_dropped > 1 ? "s" : "");
		break;
	default:
		rc |= rt_buf_adds(out, ": cannot be told");
		break;
	}
	if (lr->open_any != d->open && lr->open_any != RT_WINFW_OPEN_UNKNOWN)
		rc |= rt_buf_addf(out, " (%s if rules first recorded later already existed)",
				  rt_winfw_open_name(lr->open_any));
	return rc;
}

/* Groups of alternatives, named once when none of them gets in. */
static const struct {
	rt_proto proto;
	unsigned group;
	const char *what;
} group_names[] = {
	{ RT_PROTO_WINRM, 0, "the WinRM listeners (HTTP.SYS, System)" },
	{ RT_PROTO_DCOM, 1,
	  "the activated DCOM servers (mmc.exe, explorer.exe, dllhost.exe, mshta.exe, the Office applications)" },
};

/* A closed group of several legs that all fall to the default block. */
static const char *quiet_group(const rt_winfw_reach *r, size_t k, int *open_group)
{
	const rt_winfw_leg *leg = r->legs[k].leg;
	size_t i, n = 0;

	if (open_group[leg->group])
		return NULL;
	for (i = 0; i < r->nlegs; i++)
		if (r->legs[i].leg->group == leg->group) {
			if (r->legs[i].d.verdict != RT_WINFW_DEFAULT_BLOCK || r->legs[i].d.local_dropped)
				return NULL;
			n++;
		}
	if (n < 2)
		return NULL;
	for (i = 0; i < sizeof group_names / sizeof *group_names; i++)
		if (group_names[i].proto == leg->proto && group_names[i].group == leg->group)
			return group_names[i].what;
	return NULL;
}

int rt_winfw_reach_text(const rt_winfw_reach *r, rt_buf *out)
{
	int open_group[RT_WINFW_MAX_GROUPS], said[RT_WINFW_MAX_GROUPS] = { 0 };
	size_t k, first = 1;
	int rc = 0;

	group_state(r, open_group);
	for (k = 0; k < r->nlegs; k++) {
		const char *quiet;

		if (!decides(r, k, open_group))
			continue;
		if ((quiet = quiet_group(r, k, open_group))) {
			if (said[r->legs[k].leg->group])
				continue;
			said[r->legs[k].leg->group] = 1;
			rc |= rt_buf_addf(out, "%s%s: no rule lets them in (default block)", first ? "" : "; ", quiet);
			first = 0;
			continue;
		}
		if (!first)
			rc |= rt_buf_adds(out, "; ");
		first = 0;
		rc |= leg_text(out, &r->legs[k]);
	}
	return rc ? -1 : 0;
}

int rt_winfw_rule_relevant(const rt_fwrule *rule)
{
	static const unsigned winrm_ports[] = { 5985, 5986, 80, 443 };
	rt_fwrule copy = *rule; /* an inactive rule matters too: it can be enabled */
	const rt_fwrule *r = &copy;
	size_t i, k;
	int prof;

	copy.active = 1;
	for (i = 0; i < rt_winfw_nlegs; i++) {
		const rt_winfw_leg *leg = &rt_winfw_legs[i];
		rt_winfw_conn c;
		size_t nvar = leg->kind == RT_WINFW_PORT_FIXED && leg->port == 0 ? 4
			      : leg->proto == RT_PROTO_WMI && leg->kind == RT_WINFW_PORT_RPC ? 2
											 : 1;

		memset(&c, 0, sizeof c);
		c.protocol = 6;
		c.app = leg->app;
		c.svc = leg->svc;
		c.user = leg->user;
		for (k = 0; k < nvar; k++) {
			c.kind = leg->kind;
			c.port = leg->port;
			if (leg->kind == RT_WINFW_PORT_FIXED && leg->port == 0)
				c.port = winrm_ports[k];
			else if (k == 1) {
				c.kind = RT_WINFW_PORT_FIXED;
				c.port = 24158;
			}
			for (prof = 0; prof < RT_FW_NPROFILES; prof++)
				if (rt_winfw_rule_matches(r, prof, &c, NULL, NULL) != RT_WINFW_NO)
					return 1;
		}
	}
	return 0;
}

/* Does rule `r` match, or may it match, connection `c` on some profile. */
static int matches_somewhere(const rt_fwrule *r, const rt_winfw_conn *c)
{
	int prof;

	for (prof = 0; prof < RT_FW_NPROFILES; prof++)
		if (rt_winfw_rule_matches(r, prof, c, NULL, NULL) != RT_WINFW_NO)
			return 1;
	return 0;
}

int rt_winfw_rule_inert(const rt_fwrule *rule, const unsigned *ports, size_t nports)
{
	rt_fwrule copy = *rule, anyport;
	size_t i, k;

	/* switched on: a switch is then no way for it to match */
	copy.active = 1;
	anyport = copy;
	memset(&anyport.lport, 0, sizeof anyport.lport);
	if (!ports)
		nports = 0;
	for (i = 0; i < rt_winfw_nlegs; i++) {
		const rt_winfw_leg *leg = &rt_winfw_legs[i];
		/* k = 0: the leg's own endpoint (none for the listeners: they
		 * are judged on the host's ports only); k > 0: ports[k - 1] */
		size_t from = winrm_leg(leg) && ports ? 1 : 0, to = host_port_leg(leg) ? nports : 0;
		rt_winfw_conn c;

		memset(&c, 0, sizeof c);
		c.protocol = 6;
		c.kind = leg->kind;
		c.port = leg->port;
		c.app = leg->app;
		c.svc = leg->svc;
		c.user = leg->user;
		/* on no port of the leg's: no port of it will do (the rule's
		 * program, service, protocol... rule it out) */
		if (!matches_somewhere(&anyport, &c))
			continue;
		if (!ports)
			return 0;
		for (k = from; k <= to; k++) {
			c.kind = k ? RT_WINFW_PORT_FIXED : leg->kind;
			c.port = k ? ports[k - 1] : leg->port;
			if (matches_somewhere(&copy, &c))
				return 0;
		}
	}
	return 1;
}
