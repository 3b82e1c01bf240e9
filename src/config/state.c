/*
 * A host at one moment, and the path of each protocol into it: the
 * firewall model (winfw) for the network, and what must answer on the
 * host (the service started, a listener, DCOM enabled). Config's exposure
 * and the assessor both come here, so that they judge a host alike.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "remtrail/config.h"

/* A WinRM listener's setting: winrm.listener.<selector>. */
#define LISTENER_PREFIX "winrm.listener."

static const struct {
	const char *name;
	rt_cfg_slot_id slot;
} slot_names[] = {
	{ "service.winrm.start", RT_SLOT_WINRM_START },
	{ "service.winmgmt.start", RT_SLOT_WINMGMT_START },
	{ "service.rpcss.start", RT_SLOT_RPCSS_START },
	{ "service.dcomlaunch.start", RT_SLOT_DCOMLAUNCH_START },
	{ "dcom.enabled", RT_SLOT_DCOM_ENABLED },
	{ "winrm.policy.service.allow_auto_config", RT_SLOT_AUTO_CONFIG },
	{ "winrm.policy.service.http_compatibility_listener", RT_SLOT_HTTP_COMPAT },
	{ "winrm.policy.service.https_compatibility_listener", RT_SLOT_HTTPS_COMPAT },
	{ "service.winmgmt.standalone", RT_SLOT_WINMGMT_STANDALONE },
	{ "wmi.fixed_endpoint", RT_SLOT_WMI_ENDPOINT },
	{ "winrm.policy.service.ipv4_filter", RT_SLOT_FILTER4 },
	{ "winrm.policy.service.ipv6_filter", RT_SLOT_FILTER6 },
};

/* What must answer on the host, per protocol: a slot holding
 * `closed_value` closes the path; `unknown` says what an unknown slot leaves
 * open (NULL: Windows' default is assumed, the slot does not decide). */
static const struct {
	rt_proto proto;
	rt_cfg_slot_id slot;
	int64_t closed_value;
	const char *why, *unknown;
} service_side[] = {
	{ RT_PROTO_WINRM, RT_SLOT_WINRM_START, 4, "the WinRM service is disabled",
	  "start type of the WinRM service not recorded this early: an older SYSTEM snapshot or 7040 events would "
	  "settle it" },
	{ RT_PROTO_WINRM, RT_SLOT_AUTO_CONFIG, 0,
	  "WinRM policy AllowAutoConfig = 0: the service does not answer remote requests", NULL },
	{ RT_PROTO_WMI, RT_SLOT_WINMGMT_START, 4, "the WMI service (Winmgmt) is disabled", NULL },
	{ RT_PROTO_WMI, RT_SLOT_RPCSS_START, 4, "the RPC service (RpcSs) is disabled", NULL },
	{ RT_PROTO_WMI, RT_SLOT_DCOM_ENABLED, 0, "DCOM is disabled (EnableDCOM = N), and remote WMI runs over DCOM",
	  NULL },
	{ RT_PROTO_DCOM, RT_SLOT_DCOM_ENABLED, 0, "DCOM is disabled (EnableDCOM = N)", NULL },
	{ RT_PROTO_DCOM, RT_SLOT_RPCSS_START, 4, "the RPC service (RpcSs) is disabled", NULL },
	{ RT_PROTO_DCOM, RT_SLOT_DCOMLAUNCH_START, 4, "the DCOM launcher (DcomLaunch) is disabled", NULL },
};

void rt_cfg_state_init(rt_cfg_state *s, int system_read, int software_read)
{
	size_t i;

	memset(s, 0, sizeof *s);
	rt_winfw_policy_init(&s->fw);
	s->fw.known = system_read;
	s->system_read = system_read;
	s->software_read = software_read;
	for (i = 0; i < RT_NSLOTS; i++)
		s->slot[i].value = RT_SLOT_UNSET;
	rt_buf_init(&s->local_subnets, 1 << 16);
}

void rt_cfg_state_release(rt_cfg_state *s)
{
	free(s->rules);
	rt_buf_release(&s->local_subnets);
	memset(s, 0, sizeof *s);
}

/* "firewall.profile.<p>.<what>" / "firewall.policy.profile.<p>.<what>". */
static void fw_setting(rt_cfg_state *s, const char *name, const rt_cfg_value *v, int present, const void *src)
{
	static const char *const profiles[RT_FW_NPROFILES] = { "domain.", "private.", "public." };
	int store = !strncmp(name, "firewall.policy.", 16);
	const char *p = name + (store ? 24 : 17);
	rt_winfw_setting *set = NULL;
	int i;

	for (i = 0; i < RT_FW_NPROFILES; i++)
		if (!strncmp(p, profiles[i], strlen(profiles[i])))
			break;
	if (i == RT_FW_NPROFILES)
		return;
	p += strlen(profiles[i]);
	if (!strcmp(p, "enabled"))
		set = &s->fw.enabled[store][i];
	else if (!strcmp(p, "default_inbound"))
		set = &s->fw.block_in[store][i];
	else if (store && !strcmp(p, "allow_local_policy_merge"))
		set = &s->fw.merge[i];
	if (!set)
		return;
	set->src = src;
	if (!present)
		set->value = -2;
	else if (!v || v->type == RT_CFG_V_NONE)
		set->value = -1;
	else if (v->type == RT_CFG_V_BOOL || v->type == RT_CFG_V_TEXT || v->type == RT_CFG_V_INT)
		set->value = v->i ? 1 : 0;
	else
		set->value = -2;
}

static void add_rule(rt_cfg_state *s, const char *id, rt_winfw_store store, const rt_cfg_value *v, int present,
		     const void *src)
{
	rt_winfw_rule *r;

	if (!v || v->type != RT_CFG_V_RULE || !v->rule)
		return;
	if (s->nrules == s->arules) {
		size_t na = s->arules ? s->arules * 2 : 64;
		rt_winfw_rule *p = realloc(s->rules, na * sizeof *p);

		if (!p) {
			s->oom = 1;
			return;
		}
		s->rules = p;
		s->arules = na;
	}
	r = &s->rules[s->nrules++];
	s->fw.rules = s->rules;
	s->fw.nrules = s->nrules;
	r->id = id;
	r->store = store;
	r->rule = v->rule;
	r->present = present;
	r->src = src;
}

void rt_cfg_state_rule(rt_cfg_state *s, const char *id, int policy, const rt_cfg_value *v,
                       int present, const void *src)
{
	add_rule(s, id, policy ? RT_WINFW_POLICY : RT_WINFW_LOCAL, v, present, src);
}

void rt_cfg_state_set(rt_cfg_state *s, const char *name, const rt_cfg_value *v, int present, const void *src)
{
	size_t i;

	if (!name)
		return;
	if (!strncmp(name, "firewall.rule.", 14)) {
		add_rule(s, name + 14, RT_WINFW_LOCAL, v, present, src);
		return;
	}
	if (!strncmp(name, "firewall.policy.rule.", 21)) {
		add_rule(s, name + 21, RT_WINFW_POLICY, v, present, src);
		return;
	}
	if (!strncmp(name, "firewall.profile.", 17) || !strncmp(name, "firewall.policy.profile.", 24)) {
		fw_setting(s, name, v, present, src);
		return;
	}
	if (!strcmp(name, "service.mpssvc.start")) {
		s->fw.service_off.src = src;
		s->fw.service_off.value = !present ? -2 : v && v->type == RT_CFG_V_TEXT ? v->i == 4 : -1;
		return;
	}
	if (!strncmp(name, LISTENER_PREFIX, sizeof LISTENER_PREFIX - 1)) {
		if (!present)
			s->listeners_unknown = 1;
		else if (v && (v->type == RT_CFG_V_INT || v->type == RT_CFG_V_BOOL) &&
			 s->nlisteners < RT_WINFW_MAX_PORTS) {
			s->listeners[s->nlisteners].port = v->type == RT_CFG_V_INT ? (unsigned)v->i : 0;
			s->listeners[s->nlisteners++].src = src;
		}
		return;
	}
	if (!strncmp(name, "host.interface.", 15) || !strncmp(name, "host.interface6.", 16)) {
		if (present && v && v->type == RT_CFG_V_TEXT && *v->text && rt_scope_is_literal(v->text)) {
			if ((s->local_subnets.len && rt_buf_addch(&s->local_subnets, ',')) ||
			    rt_buf_adds(&s->local_subnets, v->text))
				s->oom = 1;
			s->fw.local_subnets = s->local_subnets.buf;
		}
		return;
	}
	for (i = 0; i < sizeof slot_names / sizeof *slot_names; i++)
		if (!strcmp(name, slot_names[i].name)) {
			rt_cfg_slot *sl = &s->slot[slot_names[i].slot];

			sl->src = src;
			if (!present)
				sl->value = RT_SLOT_UNKNOWN;
			else if (!v || v->type == RT_CFG_V_NONE)
				sl->value = RT_SLOT_UNSET;
			else if (slot_names[i].slot == RT_SLOT_FILTER4 || slot_names[i].slot == RT_SLOT_FILTER6) {
				sl->value = 1;
				s->filter[slot_names[i].slot == RT_SLOT_FILTER6] = v->text;
			} else if (v->type == RT_CFG_V_BAD)
				sl->value = RT_SLOT_UNKNOWN;
			else
				sl->value = v->i;
			return;
		}
}

static void add_port(rt_winfw_host *h, unsigned port)
{
	size_t i;

	for (i = 0; i < h->nwinrm_ports; i++)
		if (h->winrm_ports[i] == port)
			return;
	if (h->nwinrm_ports < RT_WINFW_MAX_PORTS)
		h->winrm_ports[h->nwinrm_ports++] = port;
}

/* The listeners' ports, the policy listener (5985) when AllowAutoConfig is
 * on, the compatibility listeners (80, 443); Windows' defaults when none
 * is known (the path is then closed or unknown on the service side). */
static int host_ports(const rt_cfg_state *s, rt_winfw_host *h)
{
	size_t i;
	int enabled = 0;

	memset(h, 0, sizeof *h);
	for (i = 0; i < s->nlisteners; i++)
		if (s->listeners[i].port) {
			add_port(h, s->listeners[i].port);
			enabled++;
		}
	if (s->slot[RT_SLOT_AUTO_CONFIG].value == 1)
		add_port(h, 5985);
	if (s->slot[RT_SLOT_HTTP_COMPAT].value == 1)
		add_port(h, 80);
	if (s->slot[RT_SLOT_HTTPS_COMPAT].value == 1)
		add_port(h, 443);
	if (!h->nwinrm_ports) {
		add_port(h, 5985);
		add_port(h, 5986);
	}
	if (s->slot[RT_SLOT_WINMGMT_STANDALONE].value == 1 && s->slot[RT_SLOT_WMI_ENDPOINT].value > 0 &&
	    s->slot[RT_SLOT_WMI_ENDPOINT].value < 65536)
		h->wmi_port = (unsigned)s->slot[RT_SLOT_WMI_ENDPOINT].value;
	return enabled;
}

int rt_cfg_host_ports_add(const char *name, const rt_cfg_value *v, unsigned *ports, size_t *n, size_t cap)
{
	static const rt_cfg_slot_id switches[] = { RT_SLOT_AUTO_CONFIG, RT_SLOT_HTTP_COMPAT, RT_SLOT_HTTPS_COMPAT };
	rt_cfg_state s;
	rt_winfw_host h;
	size_t i, k;
	int on, rc = 0;

	/* a switch adds only ports the NULL call gives, Winmgmt standalone
	 * none of its own */
	if (name && strncmp(name, LISTENER_PREFIX, sizeof LISTENER_PREFIX - 1)) {
		for (i = 0; i < sizeof slot_names / sizeof *slot_names; i++)
			if (slot_names[i].slot == RT_SLOT_WMI_ENDPOINT && !strcmp(name, slot_names[i].name))
				break;
		if (i == sizeof slot_names / sizeof *slot_names)
			return 0;
	}
	/* every switch off (Windows' default listeners come in) and every
	 * switch on, Winmgmt standalone: host_ports itself says the ports */
	for (on = 0; on < 2; on++) {
		rt_cfg_state_init(&s, 1, 1);
		s.slot[RT_SLOT_WINMGMT_STANDALONE].value = 1;
		for (i = 0; on && i < sizeof switches / sizeof *switches; i++)
			s.slot[switches[i]].value = 1;
		if (name)
			rt_cfg_state_set(&s, name, v, 1, NULL);
		host_ports(&s, &h);
		for (k = 0; k <= h.nwinrm_ports; k++) {
			unsigned p = k < h.nwinrm_ports ? h.winrm_ports[k] : h.wmi_port;

			for (i = 0; p && i < *n && ports[i] != p; i++)
				;
			if (!p || i < *n)
				continue;
			if (*n < cap)
				ports[(*n)++] = p;
			else
				rc = -1;
		}
		rt_cfg_state_release(&s);
	}
	return rc;
}

/* A WinRM filter: unset, "*" (its whole family), blank (no address of its
 * family) or ranges. */
typedef enum filter_kind { FLT_UNSET, FLT_ANY, FLT_BLANK, FLT_RANGES } filter_kind;

static filter_kind filter_of(const rt_cfg_state *s, int v6)
{
	const char *t = s->filter[v6], *p;

	if (s->slot[v6 ? RT_SLOT_FILTER6 : RT_SLOT_FILTER4].value != 1 || !t)
		return FLT_UNSET;
	if (!rt_scope_is_any(t))
		return FLT_RANGES;
	for (p = t; *p == ' ' || *p == '\t'; p++)
		;
	return *p ? FLT_ANY : FLT_BLANK;
}

/* The filters narrow WinRM when one gives ranges and neither opens its
 * whole family with "*"; each speaks for its own family. */
static int winrm_filters(const rt_cfg_state *s, rt_cfg_path *out)
{
	filter_kind k4 = filter_of(s, 0), k6 = filter_of(s, 1);
	rt_buf *sc;

	if (k4 == FLT_BLANK && k6 == FLT_BLANK) {
		out->closed_by = "WinRM policy IPv4Filter and IPv6Filter are blank: the service listens on no address";
		out->closed_src = s->slot[RT_SLOT_FILTER4].src;
		return 0;
	}
	if (!((k4 == FLT_RANGES && k6 != FLT_ANY) || (k6 == FLT_RANGES && k4 != FLT_ANY)))
		return 0;
	if (out->fw.nscopes >= RT_WINFW_MAX_GROUPS)
		return 0;
	sc = &out->fw.scopes[out->fw.nscopes++];
	if (k4 != FLT_BLANK && rt_buf_adds(sc, k4 == FLT_RANGES ? s->filter[0] : "0.0.0.0/0"))
		return -1;
	if (k6 != FLT_BLANK && ((sc->len && rt_buf_addch(sc, ',')) ||
				rt_buf_adds(sc, k6 == FLT_RANGES ? s->filter[1] : "::/0")))
		return -1;
	out->filtered = 1;
	out->filter_why = k4 == FLT_RANGES && k6 == FLT_RANGES
				  ? "WinRM policy accepts requests only from the IPv4Filter and IPv6Filter ranges"
			  : k4 == FLT_RANGES ? "WinRM policy accepts IPv4 requests only from the IPv4Filter ranges"
					     : "WinRM policy accepts IPv6 requests only from the IPv6Filter ranges";
	return 0;
}

static rt_winfw_open narrow(rt_winfw_open o)
{
	return o == RT_WINFW_OPEN_ANY ? RT_WINFW_OPEN_SCOPED : o;
}

int rt_cfg_state_path(const rt_cfg_state *s, int profile, rt_proto proto, const char *remote, rt_cfg_path *out)
{
	int enabled, rc;
	size_t i;

	memset(out, 0, sizeof *out);
	enabled = host_ports(s, &out->host);
	/* decisions point at the state's settings: they live as long as it */
	rc = rt_winfw_reach_eval(&s->fw, &out->host, profile, proto, remote, &out->fw);
	out->open = out->fw.open;
	out->open_if_unknown = out->fw.open_if_unknown;
	for (i = 0; i < sizeof service_side / sizeof *service_side && !out->closed_by; i++) {
		const rt_cfg_slot *sl = &s->slot[service_side[i].slot];

		if (service_side[i].proto != proto)
			continue;
		if (sl->value == service_side[i].closed_value) {
			out->closed_by = service_side[i].why;
			out->closed_src = sl->src;
		} else if (sl->value == RT_SLOT_UNKNOWN && service_side[i].unknown && !out->unknown_why) {
			out->unknown_why = service_side[i].unknown;
		}
	}
	if (proto == RT_PROTO_WINRM && !out->closed_by) {
		if (!s->software_read) {
			if (!out->unknown_why)
				out->unknown_why = "SOFTWARE hive missing: WinRM listeners and policy unknown";
		} else if (!enabled && s->slot[RT_SLOT_AUTO_CONFIG].value != 1) {
			if (s->listeners_unknown) {
				if (!out->unknown_why)
					out->unknown_why = "WinRM listeners not recorded this early: an older SOFTWARE "
							   "snapshot would settle it";
			} else {
				out->closed_by = "no WinRM listener is configured and policy does not enable one";
			}
		}
		if (!out->closed_by && winrm_filters(s, out))
			rc = -1;
		if (out->filtered) {
			out->open = narrow(out->open);
			out->open_if_unknown = narrow(out->open_if_unknown);
		}
	}
	if (out->closed_by)
		out->open = out->open_if_unknown = RT_WINFW_CLOSED;
	return rc || s->oom ? -1 : 0;
}

void rt_cfg_path_release(rt_cfg_path *p)
{
	rt_winfw_reach_release(&p->fw);
	memset(p, 0, sizeof *p);
}
