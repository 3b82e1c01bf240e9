/*
 * Value specs and message templates (spec.h), compiled once; the syntax is
 * in rules.h. A compiled spec is a small tree: alternatives, plain fields,
 * positions, and the derived "@" forms with their sub-specs.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect_int.h"
#include "spec.h"

#define FIELD_CAP 512 /* longest value quoted inside a message */

typedef enum sp_op {
	SP_ALT = 0,     /* first usable of sub, sub->next, ... */
	SP_ANY,         /* "*": any field (predicates only) */
	SP_FIELD,       /* arg: the field name */
	SP_POS,         /* n: 1-based position */
	SP_SID,
	SP_IMAGE,
	SP_CMD,
	SP_USER,
	SP_LOGON,
	SP_PARENT_IMAGE,
	SP_FW_SETTING,
	SP_FW_PROFILES,
	SP_FW_RULE,
	SP_EVENT_ID,
	SP_URI,
	SP_PEER_IP,
	SP_LOCAL_PORT,
	SP_PEER_PORT,
	SP_COMPUTER,
	SP_KV,          /* arg: key */
	SP_HOST,        /* sub */
	SP_AFTER,       /* sub, arg: markers */
	SP_ARG2,        /* sub, arg: markers */
	SP_ACCT,        /* sub (domain), sub2 (user) */
	SP_MAP,         /* sub, arg: "k=v,k=v" */
	SP_CLSID,       /* sub */
	SP_LOWER,       /* sub */
	SP_ONLY,        /* sub, arg: "k=v,k=v"; NULL when unmapped */
	SP_SERVICE,     /* sub: config's service name, NULL for other services */
	SP_COMMAND,     /* the command text of a process or PowerShell record */
	SP_LITERAL,     /* arg: the text itself ("=text") */
	SP_PROVIDER     /* System/Provider/@Name */
} sp_op;

struct rt_spec {
	sp_op op;
	char *arg;
	unsigned long n;
	rt_spec *sub, *sub2;
	rt_spec *next; /* next alternative inside an SP_ALT */
};

/* The "@" forms without an argument. */
static const struct {
	const char *name;
	sp_op op;
} simple_forms[] = {
	{ "@sid", SP_SID },
	{ "@image", SP_IMAGE },
	{ "@cmd", SP_CMD },
	{ "@user", SP_USER },
	{ "@logon", SP_LOGON },
	{ "@parent_image", SP_PARENT_IMAGE },
	{ "@fw_setting", SP_FW_SETTING },
	{ "@fw_profiles", SP_FW_PROFILES },
	{ "@fw_rule", SP_FW_RULE },
	{ "@event_id", SP_EVENT_ID },
	{ "@uri", SP_URI },
	{ "@peer_ip", SP_PEER_IP },
	{ "@local_port", SP_LOCAL_PORT },
	{ "@peer_port", SP_PEER_PORT },
	{ "@computer", SP_COMPUTER },
	{ "@command", SP_COMMAND },
	{ "@provider", SP_PROVIDER },
};

/* The "@" forms whose argument is the rest of the spec. */
static const struct {
	const char *prefix;
	sp_op op;
} arg_forms[] = {
	{ "@kv:", SP_KV },	 { "@host:", SP_HOST }, { "@after:", SP_AFTER },
	{ "@arg2:", SP_ARG2 },	 { "@acct:", SP_ACCT }, { "@map:", SP_MAP },
	{ "@clsid:", SP_CLSID }, { "@lower:", SP_LOWER }, { "@only:", SP_ONLY },
	{ "@service:", SP_SERVICE },
};

/* ------------------------------------------------------------------ compile */

void rt_spec_free(rt_spec **ps)
{
	rt_spec *s = ps ? *ps : NULL;

	while (s) {
		rt_spec *next = s->next;

		rt_spec_free(&s->sub);
		rt_spec_free(&s->sub2);
		free(s->arg);
		free(s);
		s = next;
	}
	if (ps)
		*ps = NULL;
}

static rt_spec *node(sp_op op, const char *arg, size_t n)
{
	rt_spec *s = calloc(1, sizeof *s);

	if (!s)
		return NULL;
	s->op = op;
	if (arg) {
		s->arg = malloc(n + 1);
		if (!s->arg) {
			free(s);
			return NULL;
		}
		memcpy(s->arg, arg, n);
		s->arg[n] = '\0';
	}
	return s;
}

static int fail(rt_buf *err, const char *what, const char *src, size_t n)
{
	rt_buf_reset(err);
	rt_buf_addf(err, "%s '%.*s'", what, (int)n, src);
	return -1;
}

static int compile_n(const char *src, size_t n, rt_spec **out, rt_buf *err);

/* One alternative: a field name, "@pos:N" or a simple "@" form. */
static int compile_one(const char *p, size_t n, rt_spec **out, rt_buf *err)
{
	size_t i;

	*out = NULL;
	if (n == 0)
		return fail(err, "empty spec in", p, n);
	if (p[0] == '=')
		return (*out = node(SP_LITERAL, p + 1, n - 1)) ? 0 : -1;
	if (p[0] != '@') {
		if (n == 1 && p[0] == '*')
			return (*out = node(SP_ANY, NULL, 0)) ? 0 : -1;
		return (*out = node(SP_FIELD, p, n)) ? 0 : -1;
	}
	if (n > 5 && !strncmp(p, "@pos:", 5)) {
		unsigned long v = 0;

		for (i = 5; i < n; i++) {
			if (p[i] < '0' || p[i] > '9' || v > 100000)
				return fail(err, "bad position in spec", p, n);
			v = v * 10 + (unsigned long)(p[i] - '0');
		}
		if (!v)
			return fail(err, "bad position in spec", p, n);
		if (!(*out = node(SP_POS, NULL, 0)))
			return -1;
		(*out)->n = v;
		return 0;
	}
	for (i = 0; i < sizeof simple_forms / sizeof simple_forms[0]; i++)
		if (strlen(simple_forms[i].name) == n && !strncmp(p, simple_forms[i].name, n))
			return (*out = node(simple_forms[i].op, NULL, 0)) ? 0 : -1;
	return fail(err, "unknown spec", p, n);
}

/* "@form:F:rest" -> sub-spec F (up to the next ':') and argument rest. */
static int split_field(const char *a, size_t n, rt_spec *s, rt_buf *err)
{
	const char *colon = memchr(a + 1, ':', n ? n - 1 : 0);

	if (!colon || colon == a || (size_t)(colon - a) + 1 >= n)
		return fail(err, "spec needs FIELD:ARGUMENT", a, n);
	if (compile_n(a, (size_t)(colon - a), &s->sub, err))
		return -1;
	s->arg = malloc(n - (size_t)(colon - a));
	if (!s->arg)
		return -1;
	memcpy(s->arg, colon + 1, n - (size_t)(colon - a) - 1);
	s->arg[n - (size_t)(colon - a) - 1] = '\0';
	return 0;
}

static int compile_form(const char *src, size_t n, sp_op op, size_t plen, rt_spec **out,
			rt_buf *err)
{
	const char *a = src + plen, *comma;
	size_t an = n - plen;
	rt_spec *s;

	if (an == 0)
		return fail(err, "spec without an argument", src, n);
	if (!(s = node(op, NULL, 0)))
		return -1;
	*out = s;
	switch (op) {
	case SP_KV:
		s->arg = malloc(an + 1);
		if (!s->arg)
			return -1;
		memcpy(s->arg, a, an);
		s->arg[an] = '\0';
		return 0;
	case SP_HOST:
	case SP_CLSID:
	case SP_LOWER:
	case SP_SERVICE:
		return compile_n(a, an, &s->sub, err);
	case SP_AFTER:
	case SP_ARG2:
	case SP_MAP:
	case SP_ONLY:
		return split_field(a, an, s, err);
	case SP_ACCT:
		comma = memchr(a, ',', an);
		if (!comma)
			return fail(err, "@acct needs DOMAIN,USER in", src, n);
		if (compile_n(a, (size_t)(comma - a), &s->sub, err))
			return -1;
		return compile_n(comma + 1, an - (size_t)(comma - a) - 1, &s->sub2, err);
	default:
		return fail(err, "unknown spec", src, n);
	}
}

/* An "@form:" prefix at src, or -1. */
static int arg_form(const char *src, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof arg_forms / sizeof arg_forms[0]; i++)
		if (n >= strlen(arg_forms[i].prefix) &&
		    !strncmp(src, arg_forms[i].prefix, strlen(arg_forms[i].prefix)))
			return (int)i;
	return -1;
}

/* One alternative: an "@form:arg" (whose arg holds no '|') or compile_one's. */
static int compile_piece(const char *src, size_t n, rt_spec **out, rt_buf *err)
{
	int f = arg_form(src, n);

	if (f < 0)
		return compile_one(src, n, out, err);
	if (compile_form(src, n, arg_forms[f].op, strlen(arg_forms[f].prefix), out, err)) {
		rt_spec_free(out);
		return -1;
	}
	return 0;
}

static int compile_n(const char *src, size_t n, rt_spec **out, rt_buf *err)
{
	rt_spec *alt = NULL, **tail;

	*out = NULL;
	/* a leading "@form:" takes the rest, '|' included (markers, alternatives) */
	if (arg_form(src, n) >= 0)
		return compile_piece(src, n, out, err);
	if (!memchr(src, '|', n))
		return compile_piece(src, n, out, err);
	if (!(alt = node(SP_ALT, NULL, 0)))
		return -1;
	tail = &alt->sub;
	while (n) {
		const char *bar = memchr(src, '|', n);
		size_t k = bar ? (size_t)(bar - src) : n;

		if (compile_piece(src, k, tail, err)) {
			rt_spec_free(&alt);
			return -1;
		}
		tail = &(*tail)->next;
		if (!bar)
			break;
		src += k + 1;
		n -= k + 1;
		if (!n) {
			rt_spec_free(&alt);
			return fail(err, "empty alternative in spec", src - k - 1, k + 1);
		}
	}
	*out = alt;
	return 0;
}

int rt_spec_compile(const char *src, rt_spec **out, rt_buf *err)
{
	*out = NULL;
	if (!src)
		return 0;
	return compile_n(src, strlen(src), out, err);
}

/* ------------------------------------------------------------------ events */

/* Which records are which is the rule table's to say; spec.c only reads
 * layouts: a Security process record names NewProcessName. */
int rt_spec_is_4688(const rt_event *ev)
{
	return rt_event_get(ev, "NewProcessName") != NULL;
}

uint32_t rt_spec_field_u32(const rt_event *ev, const char *name)
{
	uint64_t v;

	if (rt_parse_u64(rt_event_gets(ev, name), &v) || v > 0xffffffffu)
		return 0;
	return (uint32_t)v;
}

/*
 * A field by name or, as "@pos:N", by 1-based position in the record: a
 * manifest event's message inserts %N from its N-th data item, so the
 * position holds whatever the items are named on a given build.
 */
static const char *field_pos(const rt_event *ev, unsigned long n)
{
	return n >= 1 && n <= ev->nfields ? ev->fields[n - 1].value : NULL;
}

static const char *usable_or_null(const char *v)
{
	return rt_dt_usable(v) ? v : NULL;
}

static const char *resolve(const rt_spec *s, const rt_spec_env *env, const rt_event *ev,
			   rt_buf *b);

/* "D\U" from two resolved values, into b. */
static const char *join_account(const char *dv, const char *uv, rt_buf *b)
{
	rt_buf_reset(b);
	if (!rt_dt_usable(uv))
		return NULL;
	if (rt_dt_usable(dv) && rt_buf_addf(b, "%s\\", dv))
		return NULL;
	return rt_buf_adds(b, uv) ? NULL : b->buf;
}

const char *rt_spec_account(const rt_event *ev, const char *dom, const char *user, rt_buf *b)
{
	return join_account(rt_event_get(ev, dom), rt_event_get(ev, user), b);
}

/*
 * 4688 names the new process's account and logon in Target* (version 2,
 * 0x0 meaning "the creator's") and its creator's in Subject*. Version 0
 * and 1 have no Target fields: the creator's session is the new process's
 * too, except when the creator is a service (WmiPrvSE, services.exe)
 * starting a process for someone else, which the record cannot tell.
 */
static int subject_is_process(const rt_event *ev)
{
	char *sl;
	int r;

	if (rt_event_get(ev, "TargetLogonId"))
		return 1;
	sl = rt_dt_norm_logon(rt_event_get(ev, "SubjectLogonId"));
	r = !rt_dt_service_logon(sl);
	free(sl);
	return r;
}

static const char *proc_user(const rt_event *ev, rt_buf *b)
{
	const char *v;

	if (!rt_spec_is_4688(ev))
		return rt_event_get(ev, "User");
	v = join_account(rt_event_get(ev, "TargetDomainName"), rt_event_get(ev, "TargetUserName"), b);
	if (v || !subject_is_process(ev))
		return v;
	return join_account(rt_event_get(ev, "SubjectDomainName"), rt_event_get(ev, "SubjectUserName"),
			    b);
}

const char *rt_spec_proc_logon(const rt_event *ev, rt_buf *b)
{
	const char *v = rt_event_get(ev, "LogonId");

	if (rt_spec_is_4688(ev)) {
		v = rt_event_get(ev, "TargetLogonId");
		if (!rt_dt_usable(v))
			v = subject_is_process(ev) ? rt_event_get(ev, "SubjectLogonId") : NULL;
	}
	return rt_dt_norm_logon_buf(v, b);
}

static const char *parent_image(const rt_spec_env *env, const rt_event *ev)
{
	const char *v = rt_event_get(ev, "ParentImage");

	if (rt_dt_usable(v) && strcmp(v, "?") != 0)
		return v;
	v = rt_event_get(ev, "ParentProcessName");
	if (rt_dt_usable(v) || !rt_spec_is_4688(ev))
		return usable_or_null(v);
	return env && env->parent_image ? env->parent_image(env->ctx, ev) : NULL;
}

static int wellknown_port(const char *p)
{
	return rt_dt_in_list(p ? p : "", "135|139|445|5985|5986|3389|80|443|24158", RT_DT_EQ);
}

/*
 * Which end of a connection record is ours. Sysmon 3 with Initiated=true and
 * Security 5156/5157/5152 put our end in Source*. For Initiated=false,
 * Sysmon versions disagree (older ones keep Source = local, newer ones
 * Source = the initiator), so use the host name, then a listening port.
 */
void rt_spec_conn_sides(const rt_spec_env *env, const rt_event *ev, const char **peer,
			const char **lport, const char **pport)
{
	const char *src_ip = rt_event_get(ev, "SourceIp"), *dst_ip = rt_event_get(ev, "DestinationIp");
	const char *sp = rt_event_get(ev, "SourcePort"), *dp = rt_event_get(ev, "DestinationPort");
	const char *host = env ? env->host : NULL, *computer = env ? env->computer : NULL;
	int src_local = 1;

	if (!src_ip) {
		src_ip = rt_event_get(ev, "SourceAddress");
		dst_ip = rt_event_get(ev, "DestAddress");
		dp = rt_event_get(ev, "DestPort");
	} else if (rt_strcaseeq(rt_event_gets(ev, "Initiated"), "false")) {
		const char *sh = rt_event_get(ev, "SourceHostname");
		const char *dh = rt_event_get(ev, "DestinationHostname");

		if (rt_dt_usable(sh) && (rt_dt_same_name(sh, host) || rt_dt_same_name(sh, computer)))
			src_local = 1;
		else if (rt_dt_usable(dh) && (rt_dt_same_name(dh, host) || rt_dt_same_name(dh, computer)))
			src_local = 0;
		else if (wellknown_port(dp) && !wellknown_port(sp))
			src_local = 0;
	}
	*peer = src_local ? dst_ip : src_ip;
	*lport = src_local ? sp : dp;
	*pport = src_local ? dp : sp;
	/* a host talking to one of its own addresses is not remote */
	if (*peer && src_ip && dst_ip && rt_strcaseeq(src_ip, dst_ip))
		*peer = NULL;
}

const char *rt_spec_local_ip(const rt_spec_env *env, const rt_event *ev)
{
	const char *peer, *lp, *pp, *s = rt_event_get(ev, "SourceIp"), *t = rt_event_get(ev, "DestinationIp");

	rt_spec_conn_sides(env, ev, &peer, &lp, &pp);
	if (!s) {
		s = rt_event_get(ev, "SourceAddress");
		t = rt_event_get(ev, "DestAddress");
	}
	return peer == t ? s : t;
}

static const char *clsid_name(const char *v)
{
	static const char *const map[][2] = {
		{ "{49B2791A-B1AE-4C90-9B8E-E860BA07F889}", "MMC20.Application" },
		{ "{C08AFD90-F2A1-11D1-8455-00A0C91F3880}", "ShellBrowserWindow" },
		{ "{9BA05972-F6A8-11CF-A442-00A0C90A8F39}", "ShellWindows" },
		{ "{00024500-0000-0000-C000-000000000046}", "Excel.Application" },
		{ "{0006F03A-0000-0000-C000-000000000046}", "Outlook.Application" },
		{ "{0002DF01-0000-0000-C000-000000000046}", "InternetExplorer.Application" },
		{ "{00021A20-0000-0000-C000-000000000046}", "Visio.InvisibleApp" },
		{ "{91493441-5A91-11CF-8700-00AA0060263B}", "PowerPoint.Application" },
		{ "{3050F4D8-98B5-11CF-BB82-00AA00BDCE0B}", "htafile" },
		{ "{8BC3F05E-D86B-11D0-A075-00C04FB68820}", "WMI (WbemLevel1Login)" },
	};
	size_t i;

	for (i = 0; v && i < sizeof map / sizeof map[0]; i++)
		if (rt_strcaseeq(v, map[i][0]))
			return map[i][1];
	return v;
}

/*
 * Firewall event 2003 ("a setting in a profile changed") numbers its
 * setting with MS-FASP's FW_PROFILE_CONFIG (2.2.38) and its profiles with
 * the FW_PROFILE_TYPE bits (1 domain, 2 private, 4 public). The corpus
 * pairs each 2003 with a Security 4950 that spells the same change out
 * ("Enable Windows Firewall", Domain): setting 1, profiles 1.
 */
static const char *fw_setting_name(const rt_event *ev)
{
	static const char *const names[] = {
		NULL, "Enable Windows Firewall", "Disable stealth mode", "Shielded (block all inbound)",
		"Disable unicast responses to multicast/broadcast", "Log dropped packets",
		"Log successful connections", "Log ignored rules", "Log max file size", "Log file path",
		"Disable inbound notifications", "Allow user application rules",
		"Allow user port rules", "Allow local policy merge", "Allow local IPsec policy merge",
		"Disabled interfaces", "Default outbound action", "Default inbound action",
		"Disable stealth mode IPsec exemption",
	};
	const char *v = rt_event_get(ev, "SettingType");
	uint64_t n;

	if (!v || rt_parse_u64(v, &n) || n == 0 || n >= sizeof names / sizeof names[0])
		return v;
	return names[n];
}

/* " for the Domain and Public profiles" from 2003's Profiles bits, or NULL. */
static const char *fw_profiles_text(const rt_event *ev, rt_buf *b)
{
	static const char *const names[] = { "Domain", "Private", "Public" };
	const char *v = rt_event_get(ev, "Profiles");
	uint64_t n;
	int i, k = 0, total = 0, e = 0;

	if (!v || rt_parse_u64(v, &n) || !n || n > 7)
		return NULL;
	for (i = 0; i < 3; i++)
		total += (n >> i) & 1;
	rt_buf_reset(b);
	e |= rt_buf_adds(b, " for the ");
	for (i = 0; i < 3; i++) {
		if (!((n >> i) & 1))
			continue;
		if (k)
			e |= rt_buf_adds(b, k + 1 == total ? " and " : ", ");
		e |= rt_buf_adds(b, names[i]);
		k++;
	}
	e |= rt_buf_adds(b, total > 1 ? " profiles" : " profile");
	return e ? NULL : b->buf;
}

/*
 * A firewall rule event (2004/2005 and the Windows 11 ids) as the rule
 * string the registry keeps for it ("v2.30|Action=Allow|Dir=In|..."), so
 * that a rule dated by an event reads like one read from a hive. Event
 * fields per artifacts.md §3.6: Direction 1 in / 2 out, Action 2 block /
 * 3 allow, Protocol 256 any, Profiles FW_PROFILE_TYPE bits (all when
 * 0x7FFFFFFF), Active 0/1.
 */
static const char *fw_rule(const rt_event *ev, rt_buf *b)
{
	static const char *const pn[] = { "Domain", "Private", "Public" };
	rt_dt_rulespec r;
	char prof[32] = "";
	uint64_t bits = 0;
	int i;

	if (!rt_event_get(ev, "Action") || !rt_event_get(ev, "Direction"))
		return NULL;
	if (!rt_parse_u64(rt_event_gets(ev, "Profiles"), &bits))
		for (i = 0; i < 3; i++)
			if (bits >> i & 1)
				snprintf(prof + strlen(prof), sizeof prof - strlen(prof), "%s%s",
					 *prof ? "," : "", pn[i]);
	memset(&r, 0, sizeof r);
	r.action = !strcmp(rt_event_gets(ev, "Action"), "2") ? "block" : "allow";
	r.dir = rt_event_get(ev, "Direction");
	r.protocol = rt_event_get(ev, "Protocol");
	r.lport = rt_event_get(ev, "LocalPorts");
	r.rport = rt_event_get(ev, "RemotePorts");
	r.laddr = rt_event_get(ev, "LocalAddresses");
	r.raddr = rt_event_get(ev, "RemoteAddresses");
	r.app = rt_event_get(ev, "ApplicationPath");
	r.svc = rt_event_get(ev, "ServiceName");
	r.name = rt_event_get(ev, "RuleName");
	r.profile = *prof ? prof : NULL;
	r.active = rt_event_get(ev, "Active");
	return rt_dt_rule_string(&r, b);
}

/* Token after the first marker found (case-insensitive). */
static const char *after_marker(const char *v, const char *markers, rt_buf *b, int second_arg)
{
	const char *p = markers;

	while (v && p) {
		const char *bar = strchr(p, '|');
		size_t n = bar ? (size_t)(bar - p) : strlen(p);
		const char *hit = n ? rt_strcasestr_n(v, strlen(v), p, n) : NULL, *s;
		size_t len;

		if (hit) {
			s = hit + n;
			if (second_arg) {
				size_t depth = 0;

				for (; *s && !(depth == 0 && (*s == ',' || *s == ')')); s++)
					if (*s == '(')
						depth++;
					else if (*s == ')' && depth)
						depth--;
				if (*s != ',')
					return NULL;
				s++;
			}
			while (*s == ' ' || *s == '\t' || *s == '=')
				s++;
			if (*s == '"' || *s == '\'') {
				char q = *s++;

				len = strcspn(s, q == '"' ? "\"" : "'");
			} else {
				len = strcspn(s, " \t\r\n,;)\"'");
			}
			rt_buf_reset(b);
			if (len == 0 || rt_buf_add(b, s, len))
				return NULL;
			return b->buf;
		}
		p = bar ? bar + 1 : NULL;
	}
	return NULL;
}

/* Host part of "http://h:5985/wsman", "RPCSS/h", "h/wsman?PSVersion=...", "[::1]:5985". */
static const char *host_part(const char *v, rt_buf *b)
{
	const char *s = v, *slash;
	size_t len;

	if (!rt_dt_usable(v))
		return NULL;
	if ((slash = strstr(s, "://")) != NULL)
		s = slash + 3;
	else if ((slash = strchr(s, '/')) != NULL && strchr(slash + 1, '/') == NULL &&
		 !strchr(s, '?') && (size_t)(slash - s) < 16 && strchr(s, '.') > slash)
		s = slash + 1; /* SPN "RPCSS/host.domain" */
	else if (slash && rt_strncaseeq(s, "RPCSS/", 6))
		s += 6;
	else if (slash && rt_strncaseeq(s, "host/", 5))
		s += 5;
	while (*s == '"' || *s == '\'' || *s == '\\')
		s++;
	if (*s == '[') {
		s++;
		len = strcspn(s, "]");
	} else {
		len = strcspn(s, "/?:\"' \t");
		if (strchr(s, ':') && strchr(strchr(s, ':') + 1, ':'))
			len = strcspn(s, "/?\"' \t"); /* bare IPv6 */
	}
	rt_buf_reset(b);
	if (len == 0 || rt_buf_add(b, s, len))
		return NULL;
	return b->buf;
}

/* "Key=Value" / "Key = Value" line inside any field. */
static const char *kv_value(const rt_event *ev, const char *key, rt_buf *b)
{
	size_t i, kl = strlen(key);

	for (i = 0; i < ev->nfields; i++) {
		const char *p = ev->fields[i].value;

		while (p && *p) {
			const char *line = p, *eol = strchr(p, '\n');

			while (*line == ' ' || *line == '\t' || *line == '\r')
				line++;
			if (rt_strncaseeq(line, key, kl)) {
				const char *s = line + kl;
				size_t len;

				while (*s == ' ')
					s++;
				if (*s == '=') {
					s++;
					while (*s == ' ')
						s++;
					len = strcspn(s, "\r\n");
					while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
						len--;
					rt_buf_reset(b);
					if (len == 0 || rt_buf_add(b, s, len))
						return NULL;
					return b->buf;
				}
			}
			p = eol ? eol + 1 : NULL;
		}
	}
	return NULL;
}

/* WinRM 91 without EventData: the URI is UTF-16LE hex in EventPayload. */
static const char *payload_uri(const rt_event *ev, rt_buf *b)
{
	const char *hex = rt_event_get(ev, "EventPayload");
	uint8_t u[1024];
	size_t n = 0, i;

	if (!hex)
		return NULL;
	for (i = 0; hex[i] && hex[i + 1] && n < sizeof u; i += 2) {
		int hi = rt_hex_digit((unsigned char)hex[i]), lo = rt_hex_digit((unsigned char)hex[i + 1]);

		if (hi < 0 || lo < 0)
			return NULL;
		u[n++] = (uint8_t)(hi << 4 | lo);
	}
	rt_buf_reset(b);
	if (rt_utf16le_to_utf8(b, u, n / 2, 1) || !b->len)
		return NULL;
	return b->buf;
}

static const char *map_value(const char *v, const char *map, rt_buf *b)
{
	const char *p = map;
	size_t lv;

	if (!v)
		return NULL;
	lv = strlen(v);
	while (p && *p) {
		const char *eq = strchr(p, '='), *comma = strchr(p, ',');
		size_t kl;

		if (!eq)
			break;
		kl = (size_t)(eq - p);
		if (kl == lv && rt_strncaseeq(p, v, kl)) {
			size_t vl = comma ? (size_t)(comma - eq - 1) : strlen(eq + 1);

			rt_buf_reset(b);
			return rt_buf_add(b, eq + 1, vl) ? v : b->buf;
		}
		p = comma ? comma + 1 : NULL;
	}
	return v;
}

/*
 * PowerShell 4103 logs a pipeline as lines
 *   CommandInvocation(Get-WmiObject): "Get-WmiObject"
 *   ParameterBinding(Get-WmiObject): name="ComputerName"; value="FS03"
 * Rebuilt as the command a user would have typed ("Get-WmiObject
 * -ComputerName "FS03""), one command per line, so that the same command
 * patterns read 4103, 4104 and process command lines alike.
 */
static const char *ps_invocation(const char *payload, rt_buf *b)
{
	const char *p = payload;
	int e = 0;

	rt_buf_reset(b);
	while (p && *p) {
		const char *eol = strchr(p, '\n'), *q;
		size_t n = eol ? (size_t)(eol - p) : strlen(p);

		if (!strncmp(p, "CommandInvocation(", 18) && (q = memchr(p, ')', n)) != NULL) {
			if (b->len)
				e |= rt_buf_addch(b, '\n');
			e |= rt_buf_add(b, p + 18, (size_t)(q - p - 18));
		} else if (!strncmp(p, "ParameterBinding(", 17) && b->len &&
			   (q = rt_strcasestr(p, "): name=\"")) != NULL && q < p + n) {
			const char *name = q + 9, *ne = memchr(name, '"', (size_t)(p + n - name));
			const char *val = ne ? rt_strcasestr(ne, "value=\"") : NULL;
			size_t i, vn;

			if (ne && val && val < p + n) {
				val += 7;
				vn = (size_t)(p + n - val);
				while (vn && (val[vn - 1] == '\r' || val[vn - 1] == '"'))
					vn--;
				e |= rt_buf_adds(b, " -");
				e |= rt_buf_add(b, name, (size_t)(ne - name));
				e |= rt_buf_adds(b, " \"");
				for (i = 0; i < vn; i++)
					e |= rt_buf_addch(b, val[i] == '"' ? '\'' : val[i]);
				e |= rt_buf_addch(b, '"');
			}
		}
		p = eol ? eol + 1 : NULL;
	}
	return e || !b->len ? NULL : b->buf;
}

/* The command a record shows: a process's command line, a script block,
 * a 4103 pipeline rebuilt, or a classic 800's pipeline detail. */
static const char *command_text(const rt_event *ev, rt_buf *b)
{
	const char *v = rt_event_get(ev, "CommandLine");

	if (rt_dt_usable(v))
		return v;
	if (rt_dt_usable(v = rt_event_get(ev, "ScriptBlockText")))
		return v;
	if (rt_dt_usable(v = rt_event_get(ev, "Payload")))
		return ps_invocation(v, b);
	if ((v = rt_event_get(ev, "Data[3]")) != NULL && strstr(v, "CommandInvocation("))
		return ps_invocation(v, b);
	return NULL;
}

/* Resolve sub-spec s into its own scratch, then apply f; the result in b. */
static const char *sub_then(const rt_spec *s, const rt_spec_env *env, const rt_event *ev,
			    rt_buf *b, int op, const char *arg)
{
	rt_buf t = RT_BUF_INIT;
	const char *v = resolve(s, env, ev, &t), *r = NULL;

	switch (op) {
	case SP_HOST:
		r = host_part(v, b);
		break;
	case SP_AFTER:
	case SP_ARG2:
		r = after_marker(v, arg, b, op == SP_ARG2);
		break;
	case SP_ONLY:
		r = map_value(v, arg, b);
		if (r == v)
			r = NULL;
		break;
	case SP_SERVICE:
		r = v ? rt_dt_service_name(v) : NULL;
		break;
	case SP_MAP:
		r = map_value(v, arg, b);
		if (r == v && v) { /* unmapped: keep the value, which lives in t */
			rt_buf_reset(b);
			r = rt_buf_adds(b, v) ? NULL : b->buf;
		}
		break;
	case SP_CLSID:
		r = clsid_name(v);
		if (r == v && v) {
			rt_buf_reset(b);
			r = rt_buf_adds(b, v) ? NULL : b->buf;
		}
		break;
	case SP_LOWER:
		if (v) {
			char *p;

			rt_buf_reset(b);
			if (rt_buf_adds(b, v) == 0) {
				for (p = b->buf; *p; p++)
					if (*p >= 'A' && *p <= 'Z')
						*p = (char)(*p + 32);
				r = b->buf;
			}
		}
		break;
	}
	rt_buf_release(&t);
	return r;
}

static const char *resolve(const rt_spec *s, const rt_spec_env *env, const rt_event *ev,
			   rt_buf *b)
{
	const char *peer, *lp, *pp, *v;
	rt_buf t = RT_BUF_INIT;

	if (!s)
		return NULL;
	switch (s->op) {
	case SP_ALT:
		for (s = s->sub; s; s = s->next)
			if ((v = resolve(s, env, ev, b)) != NULL)
				return v;
		return NULL;
	case SP_ANY:
		return NULL;
	case SP_FIELD:
		return usable_or_null(rt_event_get(ev, s->arg));
	case SP_POS:
		return usable_or_null(field_pos(ev, s->n));
	case SP_SID:
		return usable_or_null(ev->user_sid);
	case SP_COMPUTER:
		return usable_or_null(ev->computer);
	case SP_PROVIDER:
		return usable_or_null(ev->provider);
	case SP_IMAGE:
		return usable_or_null(rt_event_get(ev, rt_spec_is_4688(ev) ? "NewProcessName" : "Image"));
	case SP_CMD:
		return usable_or_null(rt_event_get(ev, "CommandLine"));
	case SP_USER:
		return usable_or_null(proc_user(ev, b));
	case SP_LOGON:
		return rt_spec_proc_logon(ev, b);
	case SP_PARENT_IMAGE:
		return parent_image(env, ev);
	case SP_FW_SETTING:
		return usable_or_null(fw_setting_name(ev));
	case SP_FW_PROFILES:
		return fw_profiles_text(ev, b);
	case SP_FW_RULE:
		return fw_rule(ev, b);
	case SP_EVENT_ID:
		rt_buf_reset(b);
		return rt_buf_addf(b, "%u", (unsigned)ev->event_id) ? NULL : b->buf;
	case SP_URI:
		v = rt_event_get(ev, "resourceUri");
		return rt_dt_usable(v) ? v : payload_uri(ev, b);
	case SP_PEER_IP:
	case SP_LOCAL_PORT:
	case SP_PEER_PORT:
		rt_spec_conn_sides(env, ev, &peer, &lp, &pp);
		return usable_or_null(s->op == SP_PEER_IP ? peer : s->op == SP_PEER_PORT ? pp : lp);
	case SP_KV:
		return kv_value(ev, s->arg, b);
	case SP_ACCT: {
		rt_buf u = RT_BUF_INIT;
		const char *dv = resolve(s->sub, env, ev, &t), *uv = resolve(s->sub2, env, ev, &u);

		v = join_account(dv, uv, b);
		rt_buf_release(&t);
		rt_buf_release(&u);
		return v;
	}
	case SP_HOST:
	case SP_AFTER:
	case SP_ARG2:
	case SP_MAP:
	case SP_CLSID:
	case SP_LOWER:
	case SP_ONLY:
	case SP_SERVICE:
		return usable_or_null(sub_then(s->sub, env, ev, b, s->op, s->arg));
	case SP_COMMAND:
		return command_text(ev, b);
	case SP_LITERAL:
		return s->arg;
	}
	return NULL;
}

int rt_spec_reads_env(const rt_spec *s)
{
	for (; s; s = s->next)
		if (s->op == SP_PARENT_IMAGE || s->op == SP_PEER_IP || s->op == SP_LOCAL_PORT ||
		    s->op == SP_PEER_PORT || rt_spec_reads_env(s->sub) || rt_spec_reads_env(s->sub2))
			return 1;
	return 0;
}

const char *rt_spec_resolve(const rt_spec *s, const rt_spec_env *env, const rt_event *ev,
			    rt_buf *scratch)
{
	return resolve(s, env, ev, scratch);
}

char *rt_spec_dup(const rt_spec *s, const rt_spec_env *env, const rt_event *ev)
{
	rt_buf b = RT_BUF_INIT;
	const char *v = resolve(s, env, ev, &b);
	char *r = v ? rt_strdup0(v) : NULL;

	rt_buf_release(&b);
	return r;
}

/* ------------------------------------------------------------------ templates */

/* Late placeholders, filled after correlation. */
typedef enum late_ph { PH_HOST = 1, PH_USER, PH_PROCESS, PH_PARENT, PH_CMD, PH_REMOTE } late_ph;

static const char *const late_names[] = { NULL, "host", "user", "process", "parent", "cmd", "remote" };

typedef struct tseg {
	char *text;    /* literal, or NULL */
	rt_spec *spec; /* {f:SPEC}, or NULL */
	late_ph late;  /* or 0 */
} tseg;

struct rt_tmpl {
	tseg *seg;
	size_t n;
};

void rt_tmpl_free(rt_tmpl **pt)
{
	rt_tmpl *t = pt ? *pt : NULL;
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->n; i++) {
		free(t->seg[i].text);
		rt_spec_free(&t->seg[i].spec);
	}
	free(t->seg);
	free(t);
	*pt = NULL;
}

static tseg *add_seg(rt_tmpl *t)
{
	tseg *s = realloc(t->seg, (t->n + 1) * sizeof *s);

	if (!s)
		return NULL;
	t->seg = s;
	s = &t->seg[t->n++];
	memset(s, 0, sizeof *s);
	return s;
}

int rt_tmpl_compile(const char *src, int late, rt_tmpl **out, rt_buf *err)
{
	rt_tmpl *t = calloc(1, sizeof *t);
	const char *p = src;

	*out = NULL;
	if (!t)
		return -1;
	while (p && *p) {
		const char *o = strchr(p, '{'), *c;
		tseg *s;

		if (o != p) {
			size_t n = o ? (size_t)(o - p) : strlen(p);

			if (!(s = add_seg(t)) || !(s->text = malloc(n + 1)))
				goto fail;
			memcpy(s->text, p, n);
			s->text[n] = '\0';
			if (!o)
				break;
		}
		c = strchr(o, '}');
		if (!c) {
			fail(err, "unclosed placeholder in template", o, strlen(o));
			goto fail;
		}
		if (!(s = add_seg(t)))
			goto fail;
		if (!strncmp(o, "{f:", 3)) {
			if (compile_n(o + 3, (size_t)(c - o - 3), &s->spec, err) || !s->spec)
				goto fail;
		} else {
			size_t k, n = (size_t)(c - o - 1);

			for (k = 1; late && k < sizeof late_names / sizeof late_names[0]; k++)
				if (strlen(late_names[k]) == n && !strncmp(o + 1, late_names[k], n))
					s->late = (late_ph)k;
			if (!s->late) {
				fail(err, "unknown placeholder in template", o, (size_t)(c - o + 1));
				goto fail;
			}
		}
		p = c + 1;
	}
	*out = t;
	return 0;
fail:
	rt_tmpl_free(&t);
	return -1;
}

/* Marks inside a filled template: 0x01 N is late placeholder N; braces of
 * values need no escape. A value's own 0x01 bytes become '?'. */
#define MARK '\x01'

static int add_capped(rt_buf *b, const char *v)
{
	size_t n = strlen(v);

	if (n <= FIELD_CAP)
		return rt_utf8_sanitize(b, v, n);
	return rt_utf8_sanitize(b, v, FIELD_CAP) | rt_buf_adds(b, "...");
}

char *rt_tmpl_fill(const rt_tmpl *t, const rt_spec_env *env, const rt_event *ev)
{
	rt_buf out = RT_BUF_INIT, v = RT_BUF_INIT, s = RT_BUF_INIT;
	size_t i, k;
	int e = 0;

	for (i = 0; t && i < t->n; i++) {
		const tseg *g = &t->seg[i];

		if (g->text) {
			e |= rt_buf_adds(&out, g->text);
		} else if (g->late) {
			e |= rt_buf_addch(&out, MARK);
			e |= rt_buf_addch(&out, (char)('0' + g->late));
		} else {
			const char *r = resolve(g->spec, env, ev, &s);

			rt_buf_reset(&v);
			if (r && (e |= add_capped(&v, r)) == 0)
				for (k = 0; k < v.len; k++)
					e |= rt_buf_addch(&out, v.buf[k] == MARK ? '?' : v.buf[k]);
		}
	}
	rt_buf_release(&v);
	rt_buf_release(&s);
	if (e) {
		rt_buf_release(&out);
		return NULL;
	}
	return rt_buf_detach(&out, NULL);
}

int rt_tmpl_render(rt_buf *b, const char *filled, const rt_finding *f)
{
	const char *p = filled;
	int e = 0;

	rt_buf_reset(b);
	while (p && *p) {
		const char *m = strchr(p, MARK);

		if (!m) {
			e |= rt_buf_adds(b, p);
			break;
		}
		e |= rt_buf_add(b, p, (size_t)(m - p));
		if (!m[1])
			break;
		switch ((late_ph)(m[1] - '0')) {
		case PH_HOST:
			e |= rt_buf_adds(b, f->host ? f->host : "");
			break;
		case PH_USER:
			e |= add_capped(b, f->user ? f->user : "an unknown account");
			break;
		case PH_PROCESS:
			e |= add_capped(b, f->process ? f->process : "an unknown process");
			break;
		case PH_PARENT:
			e |= add_capped(b, f->parent_process ? f->parent_process : "an unknown parent");
			break;
		case PH_CMD:
			e |= add_capped(b, f->command_line ? f->command_line
					    : f->process     ? f->process
							     : "an unknown command");
			break;
		case PH_REMOTE:
			if (f->remote_ip && f->remote_host)
				e |= rt_buf_addf(b, "%s (%s)", f->remote_ip, f->remote_host);
			else
				e |= add_capped(b, f->remote_ip     ? f->remote_ip
						    : f->remote_host ? f->remote_host
								     : "an unrecorded address");
			break;
		}
		p = m + 2;
	}
	return e;
}
