/*
 * The detection engine: rules (rules.c) turn events into candidate
 * findings; at the end of each host the candidates are correlated with the
 * host's logon sessions, process chains and inbound connections, then kept
 * or dropped; after all hosts, outbound findings are paired with inbound
 * ones. See detect.h for the contract.
 *
 * Events of a host arrive file by file, not in time order, so nothing that
 * depends on "before/after" is decided while reading: the engine keeps only
 * compact state (candidates, logon sessions, a few inbound connections,
 * broker process ids) and decides at the end of the host.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "remtrail/detect.h"
#include "detect_int.h"
#include "rules.h"

#define SEC_FT 10000000ULL /* FILETIME ticks per second */
#define FIELD_CAP 512      /* longest value quoted inside a message */
#define MAX_HOST_IPS 32
#define PAIR_WINDOW (300 * SEC_FT)

typedef struct cand {
	rt_finding f;
	const rt_rule *rule;
	char *tmpl;
	char *guid, *parent_guid, *sid;
	uint32_t pid, ppid;
	size_t parent; /* tracked parent candidate (descendants), or NONE */
	size_t final;  /* index in d->all once kept */
	int drop, tracked;
} cand;

typedef struct logon {
	char *id, *ip, *ws, *user, *sid, *file, *channel;
	int type;
	uint64_t ts, rid;
	size_t finding; /* materialised logon.network in d->all, or NONE */
} logon;

typedef struct conn {
	uint64_t ts;
	unsigned lport;
	char *peer, *guid;
} conn;

typedef struct bproc {
	uint64_t ts;
	uint32_t pid;
	char *image;
} bproc;

struct rt_detect {
	int oom;
	char *host, *computer;
	cand *c;
	size_t nc, ac;
	logon *lg;
	size_t nlg, alg;
	size_t *by_time; /* remote network logons by time, built at the end of a host */
	size_t nby_time;
	conn *cn;
	size_t ncn, acn;
	bproc *bp;
	size_t nbp, abp;
	char *ips[MAX_HOST_IPS];
	size_t nips;
	rt_pair_host *hs; /* finished hosts: what pairing needs of them */
	size_t nhs, ahs;
	/* rule id slots (rule * RT_RULE_IDS + slot) by event id, table order kept */
	size_t *by_id;
	size_t nby_id;
	/* tracked candidates by process GUID (open addressing, see guid_slot) */
	size_t *by_guid;
	size_t nby_guid, aby_guid;
	rt_findings all;
};

/* ------------------------------------------------------------------ helpers */

static int grow(void **p, size_t *alloc, size_t need, size_t size)
{
	size_t na;
	void *q;

	if (need <= *alloc)
		return 0;
	na = *alloc ? *alloc * 2 : 16;
	while (na < need)
		na *= 2;
	q = realloc(*p, na * size);
	if (!q)
		return -1;
	*p = q;
	*alloc = na;
	return 0;
}
#define GROW(d, arr, n, a) grow((void **)&(arr), &(a), (n) + 1, sizeof *(arr))

static int is_zero_hex(const char *s)
{
	if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return 0;
	for (s += 2; *s; s++)
		if (*s != '0')
			return 0;
	return 1;
}

static int usable(const char *v)
{
	return v && *v && strcmp(v, "-") != 0 && !is_zero_hex(v);
}

static int is_loopback(const char *ip)
{
	return !usable(ip) || !strncmp(ip, "127.", 4) || !strcmp(ip, "::1") ||
	       !strcmp(ip, "0:0:0:0:0:0:0:1") || rt_strcaseeq(ip, "::ffff:127.0.0.1") ||
	       !strcmp(ip, "0.0.0.0") || !strcmp(ip, "::") || rt_strcaseeq(ip, "localhost");
}

static int is_ip(const char *s)
{
	size_t i;
	int dots = 0;

	if (strchr(s, ':'))
		return 1;
	for (i = 0; s[i]; i++) {
		if (s[i] == '.')
			dots++;
		else if (s[i] < '0' || s[i] > '9')
			return 0;
	}
	return dots == 3;
}

/* Host names compare by their first label unless they are addresses. */
static int same_name(const char *a, const char *b)
{
	size_t la, lb;

	if (!usable(a) || !usable(b))
		return 0;
	if (is_ip(a) || is_ip(b))
		return rt_strcaseeq(a, b);
	la = strcspn(a, ".");
	lb = strcspn(b, ".");
	return la == lb && rt_strncaseeq(a, b, la);
}

static int local_name(const rt_detect *d, const char *h)
{
	return !usable(h) || rt_strcaseeq(h, "localhost") || !strcmp(h, ".") || is_loopback(h) ||
	       same_name(h, d->host) || same_name(h, d->computer);
}

/* "DOMAIN\user" / "user@domain" -> "user", for comparing accounts. */
static const char *bare_user(const char *u, size_t *len)
{
	const char *bs = strrchr(u, '\\');

	if (bs)
		u = bs + 1;
	*len = strcspn(u, "@");
	return u;
}

static int users_compatible(const char *a, const char *b)
{
	size_t la, lb;

	if (!usable(a) || !usable(b) || !strncmp(a, "S-1-", 4) || !strncmp(b, "S-1-", 4))
		return 1;
	a = bare_user(a, &la);
	b = bare_user(b, &lb);
	return la == lb && rt_strncaseeq(a, b, la);
}

/* 0x0000000000110085 -> 0x110085; anything unparsable is lower-cased. */
static char *norm_logon(const char *v)
{
	char t[24];
	uint64_t n;

	if (!usable(v))
		return NULL;
	if (rt_parse_u64(v, &n) == 0) {
		snprintf(t, sizeof t, "0x%llx", (unsigned long long)n);
		return rt_strdup0(t);
	} else {
		char *s = rt_strdup0(v), *p;

		for (p = s; p && *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p + 32);
		return s;
	}
}

static int in_list(const char *v, const char *list, int mode)
{
	/* mode: 0 equals, 1 contains, 2 ends with, 3 starts with */
	const char *p = list;
	size_t lv = strlen(v);

	while (p) {
		const char *bar = strchr(p, '|');
		size_t n = bar ? (size_t)(bar - p) : strlen(p);

		if (mode == 0 && lv == n && rt_strncaseeq(v, p, n))
			return 1;
		if (mode == 2 && lv >= n && rt_strncaseeq(v + lv - n, p, n))
			return 1;
		if (mode == 3 && lv >= n && rt_strncaseeq(v, p, n))
			return 1;
		if (mode == 1 && n && rt_strcasestr_n(v, lv, p, n))
			return 1;
		p = bar ? bar + 1 : NULL;
	}
	return 0;
}

static int is_event(const rt_event *ev, const char *channel, uint32_t id)
{
	return ev->event_id == id && rt_strcaseeq(ev->channel, channel);
}

static int is_sysmon(const rt_event *ev, uint32_t id)
{
	return is_event(ev, "Microsoft-Windows-Sysmon/Operational", id);
}

static int is_4688(const rt_event *ev)
{
	return is_event(ev, "Security", 4688);
}

static uint32_t field_u32(const rt_event *ev, const char *name)
{
	uint64_t v;

	if (rt_parse_u64(rt_event_gets(ev, name), &v) || v > 0xffffffffu)
		return 0;
	return (uint32_t)v;
}

/* ------------------------------------------------------------------ connections */

static int wellknown_port(const char *p)
{
	return in_list(p ? p : "", "135|139|445|5985|5986|3389|80|443|24158", 0);
}

/*
 * Which end of a connection record is ours. Sysmon 3 with Initiated=true and
 * Security 5156/5157/5152 put our end in Source*. For Initiated=false,
 * Sysmon versions disagree (older ones keep Source = local, newer ones
 * Source = the initiator), so use the host name, then a listening port.
 */
static void conn_sides(const rt_detect *d, const rt_event *ev, const char **peer,
		       const char **lport, const char **pport)
{
	const char *src_ip = rt_event_get(ev, "SourceIp"), *dst_ip = rt_event_get(ev, "DestinationIp");
	const char *sp = rt_event_get(ev, "SourcePort"), *dp = rt_event_get(ev, "DestinationPort");
	int src_local = 1;

	if (!src_ip) {
		src_ip = rt_event_get(ev, "SourceAddress");
		dst_ip = rt_event_get(ev, "DestAddress");
		dp = rt_event_get(ev, "DestPort");
	} else if (rt_strcaseeq(rt_event_gets(ev, "Initiated"), "false")) {
		const char *sh = rt_event_get(ev, "SourceHostname");
		const char *dh = rt_event_get(ev, "DestinationHostname");

		if (usable(sh) && (same_name(sh, d->host) || same_name(sh, d->computer)))
			src_local = 1;
		else if (usable(dh) && (same_name(dh, d->host) || same_name(dh, d->computer)))
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

static const char *local_ip_of(const rt_detect *d, const rt_event *ev)
{
	const char *peer, *lp, *pp, *s = rt_event_get(ev, "SourceIp"), *t = rt_event_get(ev, "DestinationIp");

	conn_sides(d, ev, &peer, &lp, &pp);
	if (!s) {
		s = rt_event_get(ev, "SourceAddress");
		t = rt_event_get(ev, "DestAddress");
	}
	return peer == t ? s : t;
}

/* ------------------------------------------------------------------ values */

static const char *clsid_name(const char *v)
{
	static const char *const map[][2] = {
		{ "{49B2791A-B1AE-4C90-9B8E-E860BA07F889}", "MMC20.Application" },
		{ "{C08AFD90-F2A1-11D1-8455-00A0C91F3880}", "ShellBrowserWindow" },
		{ "{9BA05972-F6A8-11CF-A442-00A0C90A8F39}", "ShellWindows" },
		{ "{00024500-0000-0000-C000-000000000046}", "Excel.Application" },
		{ "{0006F03A-0000-0000-C000-000000000046}", "Outlook.Application" },
		{ "{3050F4D8-98B5-11CF-BB82-00AA00BDCE0B}", "htafile" },
		{ "{8BC3F05E-D86B-11D0-A075-00C04FB68820}", "WMI (WbemLevel1Login)" },
	};
	size_t i;

	for (i = 0; v && i < sizeof map / sizeof map[0]; i++)
		if (rt_strcaseeq(v, map[i][0]))
			return map[i][1];
	return v;
}

static const char *resolve(const rt_detect *d, const rt_event *ev, const char *spec, rt_buf *b);

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

	if (ev->event_id != 2003 || !v || rt_parse_u64(v, &n) || n == 0 ||
	    n >= sizeof names / sizeof names[0])
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

	if (ev->event_id != 2003 || !v || rt_parse_u64(v, &n) || !n || n > 7)
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

	if (!usable(v))
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

static const char *kv_value(const rt_event *ev, const char *key, rt_buf *b)
{
	size_t i, kl = strlen(key);

	for (i = 0; i < ev->nfields; i++) {
		const char *v = ev->fields[i].value, *p = v;

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
		unsigned hi, lo;
		char c0 = hex[i], c1 = hex[i + 1];

		hi = (unsigned)(c0 >= 'a' ? c0 - 'a' + 10 : c0 >= 'A' ? c0 - 'A' + 10 : c0 - '0');
		lo = (unsigned)(c1 >= 'a' ? c1 - 'a' + 10 : c1 >= 'A' ? c1 - 'A' + 10 : c1 - '0');
		if (hi > 15 || lo > 15)
			return NULL;
		u[n++] = (uint8_t)(hi << 4 | lo);
	}
	rt_buf_reset(b);
	if (rt_utf16le_to_utf8(b, u, n / 2, 1) || !b->len)
		return NULL;
	return b->buf;
}

/*
 * A field by name or, as "@pos:N", by 1-based position in the record: a
 * manifest event's message inserts %N from its N-th data item, so the
 * position holds whatever the items are named on a given build.
 */
static const char *field_at(const rt_event *ev, const char *name)
{
	unsigned long n;
	char *end;

	if (strncmp(name, "@pos:", 5) != 0)
		return rt_event_get(ev, name);
	n = strtoul(name + 5, &end, 10);
	if (end == name + 5 || *end || n == 0 || n > ev->nfields)
		return NULL;
	return ev->fields[n - 1].value;
}

/* The first usable of "A|B|@pos:N" alternatives (field_at each). */
static const char *first_field(const rt_event *ev, const char *alts)
{
	const char *p = alts;

	while (p) {
		const char *bar = strchr(p, '|');
		size_t n = bar ? (size_t)(bar - p) : strlen(p);
		char name[128];

		if (n < sizeof name) {
			const char *v;

			memcpy(name, p, n);
			name[n] = '\0';
			v = field_at(ev, name);
			if (usable(v))
				return v;
		}
		p = bar ? bar + 1 : NULL;
	}
	return NULL;
}

static const char *account(const rt_event *ev, const char *dom, const char *user, rt_buf *b)
{
	const char *dv = first_field(ev, dom), *uv = first_field(ev, user);

	if (!usable(uv))
		return NULL;
	rt_buf_reset(b);
	if (usable(dv) && rt_buf_addf(b, "%s\\", dv))
		return NULL;
	if (rt_buf_adds(b, uv))
		return NULL;
	return b->buf;
}

static const char *proc_user(const rt_event *ev, rt_buf *b)
{
	const char *v;

	if (!is_4688(ev))
		return rt_event_get(ev, "User");
	v = account(ev, "TargetDomainName", "TargetUserName", b);
	return v ? v : account(ev, "SubjectDomainName", "SubjectUserName", b);
}

static const char *proc_logon(const rt_event *ev, rt_buf *b)
{
	const char *v = rt_event_get(ev, "LogonId");
	char *n;

	if (is_4688(ev)) {
		v = rt_event_get(ev, "TargetLogonId");
		if (!usable(v))
			v = rt_event_get(ev, "SubjectLogonId");
	}
	n = norm_logon(v);
	if (!n)
		return NULL;
	rt_buf_reset(b);
	if (rt_buf_adds(b, n)) {
		free(n);
		return NULL;
	}
	free(n);
	return b->buf;
}

static const char *parent_image(const rt_detect *d, const rt_event *ev)
{
	const char *v = rt_event_get(ev, "ParentImage");
	const bproc *best = NULL;
	uint32_t ppid;
	size_t i;

	if (usable(v) && strcmp(v, "?") != 0)
		return v;
	v = rt_event_get(ev, "ParentProcessName");
	if (usable(v) || !is_4688(ev))
		return usable(v) ? v : NULL;
	/* 4688 version 1 has no parent name: use the parent PID's last start. */
	ppid = field_u32(ev, "ProcessId");
	for (i = 0; ppid && i < d->nbp; i++)
		if (d->bp[i].pid == ppid && d->bp[i].ts <= ev->timestamp &&
		    (!best || d->bp[i].ts > best->ts))
			best = &d->bp[i];
	return best ? best->image : NULL;
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

static const char *resolve_one(const rt_detect *d, const rt_event *ev, const char *spec, size_t n,
			       rt_buf *b)
{
	char name[128];
	const char *peer, *lp, *pp;

	if (n >= sizeof name)
		return NULL;
	memcpy(name, spec, n);
	name[n] = '\0';
	if (name[0] != '@' || !strncmp(name, "@pos:", 5))
		return field_at(ev, name);
	if (!strcmp(name, "@sid"))
		return usable(ev->user_sid) ? ev->user_sid : NULL;
	if (!strcmp(name, "@image"))
		return rt_event_get(ev, is_4688(ev) ? "NewProcessName" : "Image");
	if (!strcmp(name, "@cmd"))
		return rt_event_get(ev, "CommandLine");
	if (!strcmp(name, "@user"))
		return proc_user(ev, b);
	if (!strcmp(name, "@logon"))
		return proc_logon(ev, b);
	if (!strcmp(name, "@parent_image"))
		return parent_image(d, ev);
	if (!strcmp(name, "@fw_setting"))
		return fw_setting_name(ev);
	if (!strcmp(name, "@fw_profiles"))
		return fw_profiles_text(ev, b);
	if (!strcmp(name, "@event_id")) {
		rt_buf_reset(b);
		return rt_buf_addf(b, "%u", (unsigned)ev->event_id) ? NULL : b->buf;
	}
	if (!strcmp(name, "@uri")) {
		const char *v = rt_event_get(ev, "resourceUri");

		return usable(v) ? v : payload_uri(ev, b);
	}
	if (!strcmp(name, "@peer_ip") || !strcmp(name, "@local_port") || !strcmp(name, "@peer_port")) {
		conn_sides(d, ev, &peer, &lp, &pp);
		return name[1] == 'p' ? (name[6] == 'i' ? peer : pp) : lp;
	}
	return NULL;
}

/*
 * Resolve a value spec (rules.h). Plain names may be '|' alternatives; the
 * '@' forms with arguments take the rest of the spec. The result points
 * into the event or into `b`.
 */
static const char *resolve(const rt_detect *d, const rt_event *ev, const char *spec, rt_buf *b)
{
	const char *p = spec;

	if (!spec)
		return NULL;
	if (!strncmp(spec, "@kv:", 4))
		return kv_value(ev, spec + 4, b);
	if (!strncmp(spec, "@host:", 6)) {
		rt_buf t = RT_BUF_INIT;
		const char *v = resolve(d, ev, spec + 6, &t), *r = host_part(v, b);

		rt_buf_release(&t);
		return r;
	}
	if (!strncmp(spec, "@after:", 7) || !strncmp(spec, "@arg2:", 6)) {
		int second = spec[1] == 'a' && spec[2] == 'r';
		const char *f = spec + (second ? 6 : 7), *colon = strchr(f + 1, ':');
		char field[64];
		rt_buf t = RT_BUF_INIT;
		const char *v, *r;

		if (!colon || (size_t)(colon - f) >= sizeof field)
			return NULL;
		memcpy(field, f, (size_t)(colon - f));
		field[colon - f] = '\0';
		v = resolve(d, ev, field, &t);
		r = after_marker(v, colon + 1, b, second);
		rt_buf_release(&t);
		return r;
	}
	if (!strncmp(spec, "@acct:", 6)) {
		const char *comma = strchr(spec + 6, ',');
		char dom[64];

		if (!comma || (size_t)(comma - spec - 6) >= sizeof dom)
			return NULL;
		memcpy(dom, spec + 6, (size_t)(comma - spec - 6));
		dom[comma - spec - 6] = '\0';
		return account(ev, dom, comma + 1, b);
	}
	if (!strncmp(spec, "@map:", 5)) {
		const char *colon = strchr(spec + 5, ':');
		char field[64];

		if (!colon || (size_t)(colon - spec - 5) >= sizeof field)
			return NULL;
		memcpy(field, spec + 5, (size_t)(colon - spec - 5));
		field[colon - spec - 5] = '\0';
		return map_value(rt_event_get(ev, field), colon + 1, b);
	}
	if (!strncmp(spec, "@clsid:", 7))
		return clsid_name(first_field(ev, spec + 7));
	while (p) {
		const char *bar = strchr(p, '|');
		size_t n = bar ? (size_t)(bar - p) : strlen(p);
		const char *v = resolve_one(d, ev, p, n, b);

		if (usable(v))
			return v;
		p = bar ? bar + 1 : NULL;
	}
	return NULL;
}

/* ------------------------------------------------------------------ matching */

/*
 * Values already resolved for one event while its rules are tried: the
 * process rules ask for @image, @parent_image and @cmd over and over.
 * Keyed by the spec's address (rules share the literals). A value is kept
 * only if resolving it left the scratch buffer unused, so it lives in the
 * event or the detector and stays valid while the event's rules are tried.
 */
#define MEMO_MAX 8
typedef struct memo {
	const char *spec[MEMO_MAX], *value[MEMO_MAX];
	size_t n;
} memo;

static int pred_holds(const rt_detect *d, const rt_event *ev, const rt_rule_pred *pr, memo *m)
{
	rt_buf b = RT_BUF_INIT;
	const char *v;
	int r = 0;
	size_t i;

	if (pr->field[0] == '*' && !pr->field[1]) {
		for (i = 0; i < ev->nfields && !r; i++)
			r = in_list(ev->fields[i].value, pr->value, 1);
		return pr->op == RT_OP_NOT_CONTAINS ? !r : r;
	}
	for (i = 0; i < m->n && m->spec[i] != pr->field; i++)
		;
	if (i < m->n) {
		v = m->value[i];
	} else {
		v = resolve(d, ev, pr->field, &b);
		if (m->n < MEMO_MAX && !b.alloc) {
			m->spec[m->n] = pr->field;
			m->value[m->n++] = v;
		}
	}
	switch (pr->op) {
	case RT_OP_EQ:
	case RT_OP_IN:
		r = v && in_list(v, pr->value, 0);
		break;
	case RT_OP_NOT_IN:
		r = !v || !in_list(v, pr->value, 0);
		break;
	case RT_OP_CONTAINS:
		r = v && in_list(v, pr->value, 1);
		break;
	case RT_OP_NOT_CONTAINS:
		r = !v || !in_list(v, pr->value, 1);
		break;
	case RT_OP_ENDS:
		r = v && in_list(v, pr->value, 2);
		break;
	case RT_OP_NOT_ENDS:
		r = !v || !in_list(v, pr->value, 2);
		break;
	case RT_OP_STARTS:
		r = v && in_list(v, pr->value, 3);
		break;
	case RT_OP_PRESENT:
		r = usable(v);
		break;
	case RT_OP_NONE:
		r = 1;
		break;
	}
	rt_buf_release(&b);
	return r;
}

static uint32_t slot_id(size_t k)
{
	return rt_rules[k / RT_RULE_IDS].ids[k % RT_RULE_IDS];
}

static int cmp_slot_id(const void *ctx, size_t a, size_t b)
{
	uint32_t x = slot_id(a), y = slot_id(b);

	(void)ctx;
	return x < y ? -1 : x > y;
}

/*
 * The first rule in table order that matches ev, or NULL. Most events have
 * an id no rule lists, and the rest concern a handful of rules, so only the
 * rules that list the id are tried (d->by_id, sorted stably by id). Such
 * rules mostly share one channel list, whose verdict is reused.
 */
static const rt_rule *first_rule(const rt_detect *d, const rt_event *ev)
{
	size_t lo = 0, hi = d->nby_id, i;
	const char *list = NULL;
	int on_list = 0;
	memo m = { .n = 0 };

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (slot_id(d->by_id[mid]) < ev->event_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < d->nby_id && slot_id(d->by_id[lo]) == ev->event_id; lo++) {
		const rt_rule *r = &rt_rules[d->by_id[lo] / RT_RULE_IDS];

		if (r->channel != list) {
			list = r->channel;
			on_list = in_list(ev->channel, list, 0);
		}
		if (!on_list)
			continue;
		for (i = 0; i < RT_RULE_PREDS && r->preds[i].field; i++)
			if (!pred_holds(d, ev, &r->preds[i], &m))
				break;
		if (i == RT_RULE_PREDS || !r->preds[i].field)
			return r;
	}
	return NULL;
}

/* Copy `v` (capped) for quoting inside a message. */
static int add_capped(rt_buf *b, const char *v)
{
	size_t n = strlen(v);

	if (n <= FIELD_CAP)
		return rt_utf8_sanitize(b, v, n);
	return rt_utf8_sanitize(b, v, FIELD_CAP) | rt_buf_adds(b, "...");
}

/* Substitute {f:Spec} now; the correlation placeholders stay for later. */
/* Stand-ins for braces inside pre-rendered values until render() puts the
 * braces back (a value's own 0x01/0x02 bytes come out as braces too). */
#define BRACE_OPEN '\x01'
#define BRACE_CLOSE '\x02'

static char *pre_render(const rt_detect *d, const rt_event *ev, const char *tmpl)
{
	rt_buf out = RT_BUF_INIT, t = RT_BUF_INIT;
	const char *p = tmpl;
	int e = 0;

	while (*p) {
		const char *o = strstr(p, "{f:"), *c;
		char spec[256];

		if (!o) {
			e |= rt_buf_adds(&out, p);
			break;
		}
		e |= rt_buf_add(&out, p, (size_t)(o - p));
		c = strchr(o, '}');
		if (!c || (size_t)(c - o - 3) >= sizeof spec) {
			e |= rt_buf_adds(&out, o);
			break;
		}
		memcpy(spec, o + 3, (size_t)(c - o - 3));
		spec[c - o - 3] = '\0';
		{
			const char *v = resolve(d, ev, spec, &t);
			/* braces in values (GUIDs) would read as placeholders when
			 * render() fills in the rest: stand-ins until then */
			if (v)
				for (; *v; v++)
					e |= rt_buf_addch(&out, *v == '{' ? BRACE_OPEN
							      : *v == '}' ? BRACE_CLOSE : *v);
		}
		p = c + 1;
	}
	rt_buf_release(&t);
	if (e) {
		rt_buf_release(&out);
		return NULL;
	}
	return rt_buf_detach(&out, NULL);
}

static char *dup_value(const rt_detect *d, const rt_event *ev, const char *spec)
{
	rt_buf b = RT_BUF_INIT;
	const char *v = resolve(d, ev, spec, &b);
	char *r = usable(v) ? rt_strdup0(v) : NULL;

	rt_buf_release(&b);
	return r;
}

static char *clean_host(char *h)
{
	size_t n;

	if (!h)
		return NULL;
	n = strlen(h);
	while (n && (h[n - 1] == '"' || h[n - 1] == '\'' || h[n - 1] == '.'))
		h[--n] = '\0';
	if (!usable(h)) {
		free(h);
		return NULL;
	}
	return h;
}

/*
 * Every Sysmon 1 event looks for a tracked candidate whose ProcessGuid is
 * its ParentProcessGuid; a busy host has thousands of candidates, so they
 * are indexed by GUID instead of scanned. by_guid holds candidate index + 1
 * (0 = empty slot), at most half full; the GUID hashes case-folded because
 * GUIDs compare case-insensitively.
 */
static size_t guid_slot(const rt_detect *d, const char *guid)
{
	size_t h = 2166136261u, mask = d->aby_guid - 1;
	const unsigned char *p;

	for (p = (const unsigned char *)guid; *p; p++)
		h = (h ^ (size_t)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p)) * 16777619u;
	for (h &= mask; d->by_guid[h] && !rt_strcaseeq(d->c[d->by_guid[h] - 1].guid, guid);
	     h = (h + 1) & mask)
		;
	return h;
}

/* Index candidate `i` under its GUID; a later candidate replaces an earlier
 * one, as the newest process with a GUID is the one its children name. */
static int index_guid(rt_detect *d, size_t i)
{
	size_t k;

	if (2 * (d->nby_guid + 1) > d->aby_guid) {
		size_t *old = d->by_guid, na = d->aby_guid, n = d->aby_guid ? d->aby_guid * 2 : 64;

		d->by_guid = calloc(n, sizeof *d->by_guid);
		if (!d->by_guid) {
			d->by_guid = old;
			return -1;
		}
		d->aby_guid = n;
		for (k = 0; k < na; k++)
			if (old[k])
				d->by_guid[guid_slot(d, d->c[old[k] - 1].guid)] = old[k];
		free(old);
	}
	k = guid_slot(d, d->c[i].guid);
	d->nby_guid += !d->by_guid[k];
	d->by_guid[k] = i + 1;
	return 0;
}

static size_t find_tracked(const rt_detect *d, const rt_event *ev)
{
	size_t i;

	if (is_sysmon(ev, 1)) {
		const char *pg = rt_event_get(ev, "ParentProcessGuid");

		if (!usable(pg) || !d->nby_guid)
			return RT_FINDING_NONE;
		i = d->by_guid[guid_slot(d, pg)];
		return i ? i - 1 : RT_FINDING_NONE;
	} else if (is_4688(ev)) {
		uint32_t ppid = field_u32(ev, "ProcessId");

		for (i = d->nc; ppid && i-- > 0;)
			if (d->c[i].tracked && d->c[i].pid == ppid &&
			    rt_strcaseeq(d->c[i].f.source_file, ev->source_file) &&
			    d->c[i].f.timestamp <= ev->timestamp)
				return i;
	}
	return RT_FINDING_NONE;
}

static int add_cand(rt_detect *d, const rt_event *ev, const rt_rule *r, size_t parent)
{
	cand *c;
	int proc = is_sysmon(ev, 1) || is_4688(ev);

	if (GROW(d, d->c, d->nc, d->ac))
		return -1;
	c = &d->c[d->nc];
	memset(c, 0, sizeof *c);
	c->parent = parent;
	c->final = RT_FINDING_NONE;
	c->f.paired = c->f.logon = c->f.related = RT_FINDING_NONE;
	c->f.timestamp = ev->timestamp;
	c->f.event_id = ev->event_id;
	c->f.record_id = ev->record_id;
	c->f.host = rt_strdup0(ev->host);
	c->f.channel = rt_strdup0(ev->channel);
	c->f.source_file = rt_strdup0(ev->source_file);
	if (r) {
		c->rule = r;
		c->f.kind = r->kind;
		c->f.direction = r->dir;
		c->f.confidence = r->conf;
		c->f.rule_id = r->id;
		c->f.technique = r->technique;
		c->f.remote_ip = dup_value(d, ev, r->remote_ip);
		c->f.remote_host = clean_host(dup_value(d, ev, r->remote_host));
		c->f.user = dup_value(d, ev, r->user);
		c->f.process = dup_value(d, ev, r->process);
		c->f.parent_process = dup_value(d, ev, r->parent);
		c->f.command_line = dup_value(d, ev, r->cmd);
		c->tmpl = pre_render(d, ev, r->message);
		c->tracked = (r->flags & RT_RF_TRACK) != 0;
		if (r->logon_id) {
			char *raw = dup_value(d, ev, r->logon_id);

			c->f.logon_id = norm_logon(raw);
			free(raw);
		}
	} else {
		const cand *p = &d->c[parent];
		rt_buf t = RT_BUF_INIT;

		c->f.kind = p->f.kind;
		c->f.direction = p->f.direction;
		c->f.confidence = p->f.confidence;
		c->f.rule_id = "process.descendant";
		c->f.technique = p->f.technique;
		c->f.user = dup_value(d, ev, "@user");
		c->f.process = dup_value(d, ev, "@image");
		c->f.parent_process = dup_value(d, ev, "@parent_image");
		c->f.command_line = dup_value(d, ev, "@cmd");
		c->f.logon_id = dup_value(d, ev, "@logon");
		if (rt_buf_addf(&t, "{parent} started {cmd} on {host} as {user}, inside the %s activity from {remote}.",
				rt_finding_kind_name(p->f.kind)) == 0)
			c->tmpl = rt_buf_detach(&t, NULL);
		rt_buf_release(&t);
		c->tracked = 1;
	}
	if (proc && !c->f.logon_id)
		c->f.logon_id = dup_value(d, ev, "@logon");
	if (is_sysmon(ev, 1)) {
		c->guid = rt_strdup0(rt_event_get(ev, "ProcessGuid"));
		c->parent_guid = rt_strdup0(rt_event_get(ev, "ParentProcessGuid"));
	} else if (is_4688(ev)) {
		c->pid = field_u32(ev, "NewProcessId");
		c->ppid = field_u32(ev, "ProcessId");
	}
	c->sid = rt_strdup0(is_4688(ev) ? rt_event_get(ev, "TargetUserSid") : ev->user_sid);
	if (c->f.remote_ip && is_loopback(c->f.remote_ip)) {
		free(c->f.remote_ip);
		c->f.remote_ip = NULL;
	}
	d->nc++;
	if (!c->f.host || !c->f.source_file || !c->tmpl)
		return -1;
	if (c->tracked && c->guid && index_guid(d, d->nc - 1))
		return -1;
	return 0;
}

/* ------------------------------------------------------------------ state */

static void logon_release(logon *l)
{
	free(l->id);
	free(l->ip);
	free(l->ws);
	free(l->user);
	free(l->sid);
	free(l->file);
	free(l->channel);
}

static int note_logon(rt_detect *d, const rt_event *ev)
{
	logon *l;
	uint64_t type;
	rt_buf b = RT_BUF_INIT;

	if (GROW(d, d->lg, d->nlg, d->alg))
		return -1;
	l = &d->lg[d->nlg];
	memset(l, 0, sizeof *l);
	l->id = norm_logon(rt_event_get(ev, "TargetLogonId"));
	if (!l->id)
		return 0;
	l->type = rt_parse_u64(rt_event_gets(ev, "LogonType"), &type) == 0 ? (int)type : -1;
	l->ip = usable(rt_event_get(ev, "IpAddress")) ? rt_strdup0(rt_event_get(ev, "IpAddress")) : NULL;
	l->ws = usable(rt_event_get(ev, "WorkstationName"))
			? rt_strdup0(rt_event_get(ev, "WorkstationName"))
			: NULL;
	l->user = rt_strdup0(account(ev, "TargetDomainName", "TargetUserName", &b));
	l->sid = rt_strdup0(rt_event_get(ev, "TargetUserSid"));
	l->file = rt_strdup0(ev->source_file);
	l->channel = rt_strdup0(ev->channel);
	l->ts = ev->timestamp;
	l->rid = ev->record_id;
	l->finding = RT_FINDING_NONE;
	rt_buf_release(&b);
	d->nlg++;
	return 0;
}

static void note_ip(char **ips, size_t *n, const char *ip)
{
	size_t i;

	if (!usable(ip) || is_loopback(ip) || *n >= MAX_HOST_IPS)
		return;
	for (i = 0; i < *n; i++)
		if (rt_strcaseeq(ips[i], ip))
			return;
	if ((ips[*n] = rt_strdup0(ip)) != NULL)
		(*n)++;
}

static int note_conn(rt_detect *d, const rt_event *ev)
{
	const char *peer, *lp, *pp, *img;
	int inbound;
	uint64_t port = 0;
	conn *c;

	if (is_sysmon(ev, 3))
		inbound = rt_strcaseeq(rt_event_gets(ev, "Initiated"), "false");
	else
		inbound = !strcmp(rt_event_gets(ev, "Direction"), "%%14592");
	note_ip(d->ips, &d->nips, local_ip_of(d, ev));
	if (!inbound)
		return 0;
	conn_sides(d, ev, &peer, &lp, &pp);
	if (is_loopback(peer))
		return 0;
	rt_parse_u64(lp ? lp : "", &port);
	img = rt_event_get(ev, "Image");
	if (port != 135 && port != 24158 &&
	    !(img && in_list(img, "\\mmc.exe|\\mshta.exe|\\explorer.exe|\\excel.exe|\\outlook.exe", 2)))
		return 0;
	if (GROW(d, d->cn, d->ncn, d->acn))
		return -1;
	c = &d->cn[d->ncn++];
	c->ts = ev->timestamp;
	c->lport = (unsigned)port;
	c->peer = rt_strdup0(peer);
	c->guid = rt_strdup0(rt_event_get(ev, "ProcessGuid"));
	return c->peer ? 0 : -1;
}

static int note_broker(rt_detect *d, const rt_event *ev)
{
	const char *img = rt_event_get(ev, "NewProcessName");
	bproc *b;

	if (!img || !in_list(img, "\\WmiPrvSE.exe|\\wsmprovhost.exe|\\winrshost.exe|\\mmc.exe|"
				  "\\mshta.exe|\\explorer.exe|\\excel.exe|\\outlook.exe",
			     2))
		return 0;
	if (GROW(d, d->bp, d->nbp, d->abp))
		return -1;
	b = &d->bp[d->nbp];
	b->ts = ev->timestamp;
	b->pid = field_u32(ev, "NewProcessId");
	b->image = rt_strdup0(img);
	if (!b->image)
		return -1;
	d->nbp++;
	return 0;
}

/* ------------------------------------------------------------------ correlation */

static int cmp_logon(const void *ctx, size_t a, size_t b)
{
	const logon *l = ctx;
	int c = strcmp(l[a].id, l[b].id);

	if (c)
		return c;
	return l[a].ts < l[b].ts ? -1 : l[a].ts > l[b].ts;
}

/* The session with this id that began last at or before ts (else the first). */
static logon *find_logon(rt_detect *d, const char *id, uint64_t ts)
{
	size_t lo = 0, hi = d->nlg;
	logon *best = NULL;

	if (!id)
		return NULL;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (strcmp(d->lg[mid].id, id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < d->nlg && !strcmp(d->lg[lo].id, id); lo++)
		if (!best || d->lg[lo].ts <= ts)
			best = &d->lg[lo];
	return best;
}

static int remote_logon(const logon *l)
{
	return l->type == 3 && usable(l->ip) && !is_loopback(l->ip);
}

/* A logon as pairing keeps it (borrowing its strings). */
static rt_pair_logon logon_view(const logon *l)
{
	rt_pair_logon v = { l->ts, l->rid, l->ip, l->ws, l->user, l->id, l->file, l->channel,
			    l->finding };

	return v;
}

static size_t materialize_logon(rt_findings *all, const char *host, rt_pair_logon *l)
{
	rt_finding *f;
	rt_buf m = RT_BUF_INIT;

	if (l->finding != RT_FINDING_NONE)
		return l->finding;
	f = rt_findings_add(all);
	if (!f)
		return RT_FINDING_NONE;
	f->timestamp = l->time;
	f->kind = RT_FK_LOGON_NETWORK;
	f->host = rt_strdup0(host);
	f->channel = rt_strdup0(l->channel);
	f->event_id = 4624;
	f->record_id = l->record_id;
	f->source_file = rt_strdup0(l->file);
	f->remote_ip = rt_strdup0(l->ip);
	f->remote_host = rt_strdup0(l->workstation);
	f->user = rt_strdup0(l->user);
	f->logon_id = rt_strdup0(l->logon_id);
	f->rule_id = "logon.network";
	f->technique = "T1078";
	f->direction = RT_DIR_INBOUND;
	f->confidence = RT_CONF_MEDIUM;
	rt_buf_addf(&m, "Network logon (type 3) of %s on %s from %s%s%s%s (logon id %s).",
		    l->user ? l->user : "an unknown account", host, l->ip, l->workstation ? " (" : "",
		    l->workstation ? l->workstation : "", l->workstation ? ")" : "", l->logon_id);
	f->message = rt_buf_detach(&m, NULL);
	l->finding = all->n - 1;
	return l->finding;
}

static void set_str(char **dst, const char *v)
{
	if (!*dst && usable(v))
		*dst = rt_strdup0(v);
}

static void attribute_logon(rt_detect *d, cand *c, logon *l)
{
	set_str(&c->f.remote_ip, l->ip);
	if (l->ws && !local_name(d, l->ws))
		set_str(&c->f.remote_host, l->ws);
	set_str(&c->f.user, l->user);
	set_str(&c->f.logon_id, l->id);
	{
		rt_pair_logon v = logon_view(l);

		c->f.logon = l->finding = materialize_logon(&d->all, d->host, &v);
	}
}

static const conn *find_conn(const rt_detect *d, uint64_t ts, uint64_t before, uint64_t after,
			     int port135, const char *guid)
{
	const conn *best = NULL;
	size_t i;

	for (i = 0; i < d->ncn; i++) {
		const conn *k = &d->cn[i];

		if (k->ts + before < ts || k->ts > ts + after)
			continue;
		if (port135 && k->lport != 135 && k->lport != 24158)
			continue;
		if (guid && (!k->guid || !rt_strcaseeq(k->guid, guid)))
			continue;
		if (!best || (k->ts <= ts && (best->ts > ts || k->ts > best->ts)))
			best = k;
	}
	return best;
}

static int cmp_logon_time(const void *ctx, size_t a, size_t b)
{
	const logon *l = ctx;

	if (l[a].ts != l[b].ts)
		return l[a].ts < l[b].ts ? -1 : 1;
	return a < b ? -1 : a > b;
}

static int index_logons_by_time(rt_detect *d)
{
	size_t i;

	free(d->by_time);
	d->by_time = malloc((d->nlg ? d->nlg : 1) * sizeof *d->by_time);
	d->nby_time = 0;
	if (!d->by_time)
		return -1;
	for (i = 0; i < d->nlg; i++)
		if (remote_logon(&d->lg[i]))
			d->by_time[d->nby_time++] = i;
	rt_detect_sort_idx(d->by_time, d->nby_time, cmp_logon_time, d->lg);
	return 0;
}

/* The latest network logon of the same account from 2 minutes before to 5 s after. */
static logon *logon_near(rt_detect *d, const cand *c)
{
	logon *best = NULL;
	uint64_t from = c->f.timestamp > 120 * SEC_FT ? c->f.timestamp - 120 * SEC_FT : 0;
	size_t lo = 0, hi = d->nby_time;

	if (!usable(c->f.user) && !usable(c->sid))
		return NULL;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (d->lg[d->by_time[mid]].ts < from)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < d->nby_time; lo++) {
		logon *l = &d->lg[d->by_time[lo]];
		int who;

		if (l->ts > c->f.timestamp + 5 * SEC_FT)
			break;
		who = (usable(c->sid) && l->sid && rt_strcaseeq(c->sid, l->sid)) ||
		      (usable(c->f.user) && strncmp(c->f.user, "S-1-", 4) != 0 && l->user &&
		       users_compatible(c->f.user, l->user));
		if (who)
			best = l;
	}
	return best;
}

static void correlate_one(rt_detect *d, cand *c)
{
	unsigned fl = c->rule ? c->rule->flags : 0;
	logon *l;

	if (c->parent != RT_FINDING_NONE) {
		const cand *p = &d->c[c->parent];

		if (p->drop) {
			c->drop = 1;
			return;
		}
		fl |= p->rule ? (p->rule->flags & RT_RF_LOGON_GATED) : 0;
	}
	l = find_logon(d, c->f.logon_id, c->f.timestamp);
	if (l && remote_logon(l)) {
		attribute_logon(d, c, l);
		if (fl & RT_RF_LOGON_GATED || c->parent != RT_FINDING_NONE ||
		    (c->rule && (c->rule->flags & RT_RF_TRACK)))
			c->f.confidence = RT_CONF_HIGH;
	} else if (l && (fl & RT_RF_LOGON_GATED)) {
		c->drop = 1;
		return;
	}
	if (c->parent != RT_FINDING_NONE) {
		const cand *p = &d->c[c->parent];

		set_str(&c->f.remote_ip, p->f.remote_ip);
		set_str(&c->f.remote_host, p->f.remote_host);
		if (c->f.logon == RT_FINDING_NONE)
			c->f.logon = p->f.logon;
		if (p->f.confidence > c->f.confidence)
			c->f.confidence = p->f.confidence;
	}
	if (!usable(c->f.remote_ip) && c->guid) {
		/* a COM server process that itself took the inbound connection */
		const conn *k = find_conn(d, c->f.timestamp, 120 * SEC_FT, 120 * SEC_FT, 0, c->guid);

		if (k)
			set_str(&c->f.remote_ip, k->peer);
	}
	if ((fl & RT_RF_NEED_RPC_IN) && !usable(c->f.remote_ip)) {
		const conn *k = find_conn(d, c->f.timestamp, 30 * SEC_FT, 2 * SEC_FT, 1, NULL);

		if (!k) {
			c->drop = 1;
			return;
		}
		set_str(&c->f.remote_ip, k->peer);
	}
	if ((fl & RT_RF_PARENT_CONN) && !usable(c->f.remote_ip)) {
		const conn *k = c->parent_guid ? find_conn(d, c->f.timestamp, 120 * SEC_FT,
							   120 * SEC_FT, 0, c->parent_guid)
					       : NULL;

		if (!k) {
			c->drop = 1;
			return;
		}
		set_str(&c->f.remote_ip, k->peer);
	}
	if ((fl & RT_RF_TIME_LOGON) && !usable(c->f.remote_ip) && (l = logon_near(d, c)) != NULL)
		attribute_logon(d, c, l);
	if (c->f.remote_host && local_name(d, c->f.remote_host)) {
		free(c->f.remote_host);
		c->f.remote_host = NULL;
	}
	if ((fl & RT_RF_NEED_REMOTE) && !usable(c->f.remote_ip) && !usable(c->f.remote_host))
		c->drop = 1;
}

static int is_shell_host(const cand *c)
{
	return c->f.process && in_list(c->f.process, "\\wsmprovhost.exe|\\winrshost.exe", 2);
}

static uint64_t absdiff(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

static int is_wmi_out(const cand *c)
{
	return c->f.kind == RT_FK_WMI_OUTBOUND && !(c->rule && (c->rule->flags & RT_RF_YIELD_WMI));
}

static int cmp_cand_time(const void *ctx, size_t a, size_t b)
{
	const cand *c = ctx;

	if (c[a].f.timestamp != c[b].f.timestamp)
		return c[a].f.timestamp < c[b].f.timestamp ? -1 : 1;
	return a < b ? -1 : a > b;
}

/* Kept candidates for which keep() holds, by time. NULL on OOM. */
static size_t *cand_index(const rt_detect *d, int (*keep)(const cand *), size_t *n)
{
	size_t *idx = malloc((d->nc ? d->nc : 1) * sizeof *idx), i;

	*n = 0;
	if (!idx)
		return NULL;
	for (i = 0; i < d->nc; i++)
		if (!d->c[i].drop && keep(&d->c[i]))
			idx[(*n)++] = i;
	rt_detect_sort_idx(idx, *n, cmp_cand_time, d->c);
	return idx;
}

/* First position in idx whose time is >= ts. */
static size_t first_at(const rt_detect *d, const size_t *idx, size_t n, uint64_t ts)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (d->c[idx[mid]].f.timestamp < ts)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int link_and_recast(rt_detect *d)
{
	size_t i, j, nsh, nwo, *sh = cand_index(d, is_shell_host, &nsh),
			       *wo = cand_index(d, is_wmi_out, &nwo);

	if (!sh || !wo) {
		free(sh);
		free(wo);
		return -1;
	}
	for (i = 0; i < d->nc; i++) {
		cand *c = &d->c[i];
		uint64_t t = c->f.timestamp;
		size_t best = RT_FINDING_NONE;

		if (c->drop || !c->rule)
			continue;
		if (c->rule->flags & RT_RF_SHELL) {
			for (j = first_at(d, sh, nsh, t > 60 * SEC_FT ? t - 60 * SEC_FT : 0);
			     j < nsh && d->c[sh[j]].f.timestamp <= t + 60 * SEC_FT; j++)
				if (best == RT_FINDING_NONE ||
				    absdiff(d->c[sh[j]].f.timestamp, t) < absdiff(d->c[best].f.timestamp, t))
					best = sh[j];
			if (best != RT_FINDING_NONE) {
				c->f.related = best; /* candidate index; remapped on move */
				set_str(&c->f.remote_ip, d->c[best].f.remote_ip);
			}
		}
		if (c->rule->flags & RT_RF_YIELD_WMI) {
			for (j = first_at(d, wo, nwo, t > 10 * SEC_FT ? t - 10 * SEC_FT : 0);
			     j < nwo && d->c[wo[j]].f.timestamp <= t + 10 * SEC_FT; j++)
				if (same_name(d->c[wo[j]].f.remote_host, c->f.remote_host))
					break;
			if (j < nwo && d->c[wo[j]].f.timestamp <= t + 10 * SEC_FT) {
				c->f.kind = RT_FK_WMI_OUTBOUND;
				c->f.technique = "T1047";
			}
		}
	}
	for (i = 0; i < d->nc; i++)
		if (!d->c[i].drop && d->c[i].parent != RT_FINDING_NONE &&
		    d->c[i].f.related == RT_FINDING_NONE)
			d->c[i].f.related = d->c[i].parent;
	free(sh);
	free(wo);
	return 0;
}

static void dedup_key(const cand *c, rt_buf *b)
{
	rt_buf_reset(b);
	rt_buf_addf(b, "%s\x1f%s\x1f%s\x1f%s\x1f%s", c->f.rule_id, c->f.remote_ip ? c->f.remote_ip : "",
		    c->f.remote_host ? c->f.remote_host : "", c->f.user ? c->f.user : "",
		    c->f.process ? c->f.process : "");
}

static int cmp_dedup(const void *ctx, size_t a, size_t b)
{
	const cand *c = ctx;
	rt_buf ka = RT_BUF_INIT, kb = RT_BUF_INIT;
	int r;

	dedup_key(&c[a], &ka);
	dedup_key(&c[b], &kb);
	r = strcmp(ka.buf, kb.buf);
	rt_buf_release(&ka);
	rt_buf_release(&kb);
	if (r)
		return r;
	if (c[a].f.timestamp != c[b].f.timestamp)
		return c[a].f.timestamp < c[b].f.timestamp ? -1 : 1;
	if (c[a].f.record_id != c[b].f.record_id)
		return c[a].f.record_id < c[b].f.record_id ? -1 : 1;
	return a < b ? -1 : a > b;
}

/* Repeats of a noisy signature within a minute of the last one kept add nothing. */
static int dedup(rt_detect *d)
{
	size_t *idx, n = 0, i;
	rt_buf prev = RT_BUF_INIT, cur = RT_BUF_INIT;
	uint64_t last = 0;

	idx = malloc((d->nc ? d->nc : 1) * sizeof *idx);
	if (!idx)
		return -1;
	for (i = 0; i < d->nc; i++)
		if (!d->c[i].drop && d->c[i].rule && (d->c[i].rule->flags & RT_RF_DEDUP))
			idx[n++] = i;
	rt_detect_sort_idx(idx, n, cmp_dedup, d->c);
	for (i = 0; i < n; i++) {
		cand *c = &d->c[idx[i]];

		dedup_key(c, &cur);
		if (i && !strcmp(cur.buf, prev.buf) && c->f.timestamp - last <= 60 * SEC_FT) {
			c->drop = 1;
			continue;
		}
		last = c->f.timestamp;
		rt_buf_reset(&prev);
		rt_buf_adds(&prev, cur.buf);
	}
	rt_buf_release(&prev);
	rt_buf_release(&cur);
	free(idx);
	return 0;
}

static int render(rt_buf *b, const char *tmpl, const rt_finding *f)
{
	const char *p = tmpl;
	size_t i;
	int e = 0;

	rt_buf_reset(b);
	while (*p) {
		const char *o = strchr(p, '{'), *c;
		size_t n;

		if (!o) {
			e |= rt_buf_adds(b, p);
			break;
		}
		e |= rt_buf_add(b, p, (size_t)(o - p));
		c = strchr(o, '}');
		if (!c) {
			e |= rt_buf_adds(b, o);
			break;
		}
		n = (size_t)(c - o - 1);
#define IS(k) (n == sizeof(k) - 1 && !strncmp(o + 1, (k), n))
		if (IS("host")) {
			e |= rt_buf_adds(b, f->host);
		} else if (IS("user")) {
			e |= add_capped(b, f->user ? f->user : "an unknown account");
		} else if (IS("process")) {
			e |= add_capped(b, f->process ? f->process : "an unknown process");
		} else if (IS("parent")) {
			e |= add_capped(b, f->parent_process ? f->parent_process : "an unknown parent");
		} else if (IS("cmd")) {
			e |= add_capped(b, f->command_line ? f->command_line
						: f->process ? f->process : "an unknown command");
		} else if (IS("remote")) {
			if (f->remote_ip && f->remote_host)
				e |= rt_buf_addf(b, "%s (%s)", f->remote_ip, f->remote_host);
			else
				e |= add_capped(b, f->remote_ip ? f->remote_ip
						    : f->remote_host ? f->remote_host
								     : "an unrecorded address");
		} else {
			e |= rt_buf_add(b, o, (size_t)(c - o + 1));
		}
#undef IS
		p = c + 1;
	}
	for (i = 0; i < b->len; i++)
		if (b->buf[i] == BRACE_OPEN)
			b->buf[i] = '{';
		else if (b->buf[i] == BRACE_CLOSE)
			b->buf[i] = '}';
	return e;
}

static void cand_release(cand *c)
{
	free(c->tmpl);
	free(c->guid);
	free(c->parent_guid);
	free(c->sid);
	rt_detect_finding_release(&c->f);
}

static void reset_host_state(rt_detect *d)
{
	size_t i;

	for (i = 0; i < d->nc; i++)
		cand_release(&d->c[i]);
	for (i = 0; i < d->nlg; i++)
		logon_release(&d->lg[i]);
	for (i = 0; i < d->ncn; i++) {
		free(d->cn[i].peer);
		free(d->cn[i].guid);
	}
	for (i = 0; i < d->nbp; i++)
		free(d->bp[i].image);
	for (i = 0; i < d->nips; i++)
		free(d->ips[i]);
	d->nc = d->nlg = d->ncn = d->nbp = d->nips = 0;
	if (d->nby_guid)
		memset(d->by_guid, 0, d->aby_guid * sizeof *d->by_guid);
	d->nby_guid = 0;
	free(d->host);
	free(d->computer);
	d->host = d->computer = NULL;
}

static int end_host(rt_detect *d)
{
	size_t i, *order = NULL, k = 0;
	rt_buf b = RT_BUF_INIT;
	rt_pair_host *hs;

	if (!d->host)
		return 0;
	if (d->nlg) {
		order = malloc(d->nlg * sizeof *order);
		logon *tmp = malloc(d->nlg * sizeof *tmp);

		if (!order || !tmp) {
			free(order);
			free(tmp);
			return -1;
		}
		for (i = 0; i < d->nlg; i++)
			order[i] = i;
		rt_detect_sort_idx(order, d->nlg, cmp_logon, d->lg);
		for (i = 0; i < d->nlg; i++)
			tmp[i] = d->lg[order[i]];
		memcpy(d->lg, tmp, d->nlg * sizeof *tmp);
		free(tmp);
		free(order);
	}
	if (index_logons_by_time(d))
		return -1;
	for (i = 0; i < d->nc; i++)
		correlate_one(d, &d->c[i]);
	if (link_and_recast(d) || dedup(d))
		return -1;

	for (i = 0; i < d->nc; i++)
		if (!d->c[i].drop)
			d->c[i].final = d->all.n + k++;
	for (i = 0; i < d->nc; i++) {
		cand *c = &d->c[i];
		rt_finding *f;

		if (c->drop)
			continue;
		if (c->f.related != RT_FINDING_NONE)
			c->f.related = d->c[c->f.related].drop ? RT_FINDING_NONE : d->c[c->f.related].final;
		if (render(&b, c->tmpl, &c->f)) {
			rt_buf_release(&b);
			return -1;
		}
		f = rt_findings_add(&d->all);
		if (!f) {
			rt_buf_release(&b);
			return -1;
		}
		*f = c->f;
		f->message = rt_buf_detach(&b, NULL);
		memset(&c->f, 0, sizeof c->f);
	}
	rt_buf_release(&b);

	/* keep what cross-host pairing needs: name, addresses, network logons */
	if (GROW(d, d->hs, d->nhs, d->ahs))
		return -1;
	hs = &d->hs[d->nhs++];
	memset(hs, 0, sizeof *hs);
	hs->name = d->host;
	d->host = NULL;
	hs->ips = malloc((d->nips ? d->nips : 1) * sizeof *hs->ips);
	hs->logons = malloc((d->nlg ? d->nlg : 1) * sizeof *hs->logons);
	if (!hs->ips || !hs->logons)
		return -1;
	memcpy(hs->ips, d->ips, d->nips * sizeof *hs->ips);
	hs->nips = d->nips;
	d->nips = 0;
	for (k = 0; k < d->nby_time; k++) {
		i = d->by_time[k]; /* remote logons, already in time order */
		hs->logons[hs->nlogons++] = logon_view(&d->lg[i]);
		free(d->lg[i].sid);
		memset(&d->lg[i], 0, sizeof d->lg[i]);
	}
	reset_host_state(d);
	return 0;
}

/* ------------------------------------------------------------------ pairing */

static rt_finding_kind counterpart(rt_finding_kind k)
{
	switch (k) {
	case RT_FK_WINRM_OUTBOUND:
		return RT_FK_WINRM_INBOUND;
	case RT_FK_WMI_OUTBOUND:
		return RT_FK_WMI_INBOUND;
	case RT_FK_DCOM_OUTBOUND:
		return RT_FK_DCOM_INBOUND;
	default:
		return RT_FK_COUNT;
	}
}

static int seg_has_ip(const rt_pair_host *s, const char *ip)
{
	size_t i;

	for (i = 0; ip && i < s->nips; i++)
		if (rt_strcaseeq(s->ips[i], ip))
			return 1;
	return 0;
}

static int targets(const rt_pair_host *b, const rt_finding *o)
{
	return same_name(o->remote_host, b->name) || seg_has_ip(b, o->remote_ip) ||
	       (o->remote_host && is_ip(o->remote_host) && seg_has_ip(b, o->remote_host));
}

/* Does inbound finding/logon (remote ip, remote host) point back at host segment a? */
static int from_source(const rt_pair_host *a, const char *ip, const char *host)
{
	if (usable(ip) && a->nips)
		return seg_has_ip(a, ip);
	if (usable(host))
		return same_name(host, a->name);
	return 1;
}

static const rt_pair_host *seg_named(const rt_pair_host *h, size_t n, const char *name)
{
	size_t i;

	for (i = 0; name && i < n; i++)
		if (rt_strcaseeq(h[i].name, name))
			return &h[i];
	return NULL;
}

/* Timeline order, whatever the order of the list. */
static int cmp_finding_at(const void *ctx, size_t a, size_t b)
{
	const rt_finding *f = ctx;
	int c = rt_detect_finding_cmp(&f[a], &f[b]);

	return c ? c : (a < b ? -1 : a > b);
}

/* Best inbound finding on b for outbound o (time-sorted index in[]). */
static size_t pair_finding(const rt_findings *all, const size_t *in, size_t nin,
			   const rt_pair_host *a, const rt_pair_host *b, const rt_finding *of,
			   rt_finding_kind want)
{
	uint64_t t = of->timestamp, from = t > PAIR_WINDOW ? t - PAIR_WINDOW : 0, bestdt = 0;
	size_t lo = 0, hi = nin, best = RT_FINDING_NONE;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (all->items[in[mid]].timestamp < from)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < nin && all->items[in[lo]].timestamp <= t + PAIR_WINDOW; lo++) {
		const rt_finding *f = &all->items[in[lo]];
		uint64_t dt = absdiff(f->timestamp, t);

		if (f->kind != want || f->paired != RT_FINDING_NONE ||
		    !rt_strcaseeq(f->host, b->name) || !users_compatible(f->user, of->user) ||
		    !from_source(a, f->remote_ip, f->remote_host))
			continue;
		if (best == RT_FINDING_NONE || dt < bestdt) {
			best = in[lo];
			bestdt = dt;
		}
	}
	return best;
}

/* Best network logon on b (logons sorted by time) for outbound o. */
static size_t pair_logon(const rt_pair_host *a, const rt_pair_host *b, const rt_finding *of)
{
	uint64_t t = of->timestamp, from = t > PAIR_WINDOW ? t - PAIR_WINDOW : 0, bestdt = 0;
	size_t lo = 0, hi = b->nlogons, best = RT_FINDING_NONE;

	if (!a->nips && !usable(of->user))
		return RT_FINDING_NONE;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (b->logons[mid].time < from)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < b->nlogons && b->logons[lo].time <= t + PAIR_WINDOW; lo++) {
		const rt_pair_logon *l = &b->logons[lo];
		uint64_t dt = absdiff(l->time, t);

		if (!users_compatible(l->user, of->user) || !from_source(a, l->ip, l->workstation))
			continue;
		if (best == RT_FINDING_NONE || dt < bestdt) {
			best = lo;
			bestdt = dt;
		}
	}
	return best;
}

int rt_pair_findings(rt_findings *all, rt_pair_host *hosts, size_t nhosts)
{
	size_t o, k, s, n0 = all->n, nin = 0, nout = 0, *in, *out;

	if (nhosts < 2 || !n0)
		return 0;
	in = malloc(n0 * sizeof *in);
	out = malloc(n0 * sizeof *out);
	if (!in || !out) {
		free(in);
		free(out);
		return -1;
	}
	for (o = 0; o < n0; o++) {
		rt_finding_kind fk = all->items[o].kind;

		if (fk == RT_FK_WINRM_INBOUND || fk == RT_FK_WMI_INBOUND || fk == RT_FK_DCOM_INBOUND)
			in[nin++] = o;
		else if (counterpart(fk) != RT_FK_COUNT)
			out[nout++] = o;
	}
	/* both in timeline order, so that which outbound finding gets an
	 * inbound one two could claim never depends on the list's order */
	rt_detect_sort_idx(in, nin, cmp_finding_at, all->items);
	rt_detect_sort_idx(out, nout, cmp_finding_at, all->items);
	for (k = 0; k < nout; k++) {
		rt_finding *of = &all->items[out[k]];
		rt_finding_kind want = counterpart(of->kind);
		const rt_pair_host *a = seg_named(hosts, nhosts, of->host);
		size_t best = RT_FINDING_NONE;

		o = out[k];
		if (of->paired != RT_FINDING_NONE || !a)
			continue;
		for (s = 0; s < nhosts && best == RT_FINDING_NONE; s++) {
			rt_pair_host *b = &hosts[s];

			if (b == a || rt_strcaseeq(b->name, a->name) || !targets(b, of))
				continue;
			best = pair_finding(all, in, nin, a, b, of, want);
			if (best != RT_FINDING_NONE)
				break;
			/* no inbound finding: a network logon from the source will do */
			best = pair_logon(a, b, of);
			if (best != RT_FINDING_NONE) {
				best = materialize_logon(all, b->name, &b->logons[best]);
				if (best == RT_FINDING_NONE) {
					free(in);
					free(out);
					return -1;
				}
				of = &all->items[o];
			}
		}
		if (best == RT_FINDING_NONE)
			continue;
		of->paired = best;
		all->items[best].paired = o;
		of->confidence = RT_CONF_HIGH;
		if (all->items[best].kind != RT_FK_LOGON_NETWORK)
			all->items[best].confidence = RT_CONF_HIGH;
	}
	free(in);
	free(out);
	return 0;
}

/* ------------------------------------------------------------------ API */

int rt_detect_new(rt_detect **out)
{
	rt_detect *d = calloc(1, sizeof *d);
	size_t r, k;

	*out = d;
	if (!d)
		return -1;
	d->by_id = malloc(rt_nrules * RT_RULE_IDS * sizeof *d->by_id);
	if (!d->by_id) {
		rt_detect_free(out);
		return -1;
	}
	for (r = 0; r < rt_nrules; r++)
		for (k = 0; k < RT_RULE_IDS && rt_rules[r].ids[k]; k++)
			d->by_id[d->nby_id++] = r * RT_RULE_IDS + k;
	rt_detect_sort_idx(d->by_id, d->nby_id, cmp_slot_id, NULL);
	return 0;
}

int rt_detect_event(rt_detect *d, const rt_event *ev)
{
	size_t parent = RT_FINDING_NONE;
	const rt_rule *hit;
	int proc;

	if (d->oom)
		return -1;
	if (!d->host || strcmp(d->host, ev->host ? ev->host : "") != 0) {
		if (end_host(d))
			goto oom;
		d->host = rt_strdup0(ev->host ? ev->host : "");
		d->computer = rt_strdup0(ev->computer ? ev->computer : "");
		if (!d->host || !d->computer)
			goto oom;
	}
	if (is_event(ev, "Security", 4624) && note_logon(d, ev))
		goto oom;
	if ((is_sysmon(ev, 3) || is_event(ev, "Security", 5156)) && note_conn(d, ev))
		goto oom;
	if (is_4688(ev) && note_broker(d, ev))
		goto oom;
	hit = first_rule(d, ev);
	proc = is_sysmon(ev, 1) || is_4688(ev);
	if (proc)
		parent = find_tracked(d, ev);
	if (hit) {
		if (add_cand(d, ev, hit, parent))
			goto oom;
	} else if (parent != RT_FINDING_NONE) {
		rt_buf b = RT_BUF_INIT;
		const char *img = resolve(d, ev, "@image", &b);
		int skip = img && in_list(img, "\\conhost.exe", 2);

		rt_buf_release(&b);
		if (!skip && add_cand(d, ev, NULL, parent))
			goto oom;
	}
	return 0;
oom:
	d->oom = 1;
	return -1;
}

int rt_detect_cb(void *ctx, const rt_event *ev)
{
	return rt_detect_event(ctx, ev) ? 1 : 0;
}

void rt_pair_logon_release(rt_pair_logon *l)
{
	free(l->ip);
	free(l->workstation);
	free(l->user);
	free(l->logon_id);
	free(l->file);
	free(l->channel);
	memset(l, 0, sizeof *l);
}

void rt_pair_hosts_free(rt_pair_host *h, size_t n)
{
	size_t i, j;

	for (i = 0; h && i < n; i++) {
		free(h[i].name);
		for (j = 0; j < h[i].nips; j++)
			free(h[i].ips[j]);
		free(h[i].ips);
		for (j = 0; j < h[i].nlogons; j++)
			rt_pair_logon_release(&h[i].logons[j]);
		free(h[i].logons);
	}
	free(h);
}

static void free_segments(rt_detect *d)
{
	rt_pair_hosts_free(d->hs, d->nhs);
	d->hs = NULL;
	d->nhs = d->ahs = 0;
}

/* Move the sorted findings into *out; `moved` (may be NULL) says where each
 * of d->all went in the sorted list. */
static int move_out(rt_detect *d, rt_findings *out, size_t *moved)
{
	size_t i, base = out->n;
	int r = 0;

	if (rt_detect_sort_findings(&d->all, moved))
		return -1;
	for (i = 0; i < d->all.n; i++) {
		rt_finding *f = rt_findings_add(out);

		if (!f) {
			r = -1;
			break;
		}
		*f = d->all.items[i];
		if (f->paired != RT_FINDING_NONE)
			f->paired += base;
		if (f->logon != RT_FINDING_NONE)
			f->logon += base;
		if (f->related != RT_FINDING_NONE)
			f->related += base;
		memset(&d->all.items[i], 0, sizeof d->all.items[i]);
	}
	return r;
}

int rt_detect_finish(rt_detect *d, rt_findings *out)
{
	int r = 0;

	if (d->oom || end_host(d) || rt_pair_findings(&d->all, d->hs, d->nhs) ||
	    move_out(d, out, NULL))
		r = -1;
	rt_findings_release(&d->all);
	reset_host_state(d);
	free_segments(d);
	d->oom = 0;
	return r;
}

int rt_detect_finish_hosts(rt_detect *d, rt_findings *out, rt_pair_host **hosts, size_t *nhosts)
{
	size_t *moved = NULL, base = out->n, i, j;
	int r = -1;

	*hosts = NULL;
	*nhosts = 0;
	if (d->oom || end_host(d))
		goto done;
	if (d->all.n && !(moved = malloc(d->all.n * sizeof *moved)))
		goto done;
	if (move_out(d, out, moved))
		goto done;
	for (i = 0; i < d->nhs; i++)
		for (j = 0; j < d->hs[i].nlogons; j++) {
			size_t *f = &d->hs[i].logons[j].finding;

			if (*f != RT_FINDING_NONE)
				*f = base + moved[*f];
		}
	*hosts = d->hs;
	*nhosts = d->nhs;
	d->hs = NULL;
	d->nhs = d->ahs = 0;
	r = 0;
done:
	free(moved);
	rt_findings_release(&d->all);
	reset_host_state(d);
	free_segments(d);
	d->oom = 0;
	return r;
}

void rt_detect_free(rt_detect **pd)
{
	rt_detect *d = pd ? *pd : NULL;

	if (!d)
		return;
	rt_findings_release(&d->all);
	reset_host_state(d);
	free_segments(d);
	free(d->c);
	free(d->lg);
	free(d->cn);
	free(d->bp);
	free(d->by_time);
	free(d->by_guid);
	free(d->by_id);
	free(d);
	*pd = NULL;
}

int rt_detect_evidence(const rt_evidence *ev, const rt_evtx_opts *o, rt_findings *out,
		       rt_diag *diag)
{
	rt_detect *d;
	int r;

	if (rt_detect_new(&d))
		return -1;
	r = rt_evtx_read_evidence(ev, o, rt_detect_cb, d, diag);
	if (d->oom || rt_detect_finish(d, out)) {
		rt_detect_free(&d);
		return -1;
	}
	rt_detect_free(&d);
	return r ? 1 : 0;
}
