/*
 * assess.h - countermeasure verdicts over time: CM0013 (block remote WMI),
 * CM0019 (disable or restrict WinRM) and CM0012 (disable or restrict DCOM).
 *
 * The assessor works on a small, self-contained description of one host
 * (rt_assess_input): the points of its configuration history ("facts"), its
 * findings, which hives were there and which logs covered which period. The
 * analyze/assess commands fill it from the config and detect modules; tests
 * build it by hand. Nothing here reads files, prints or exits.
 *
 * How states are decided (artifacts.md §5): the period is cut at every fact's
 * time; in each piece every setting has the value of its latest point at or
 * before the piece's start. Before a setting's first point its value is the
 * first point's `old_value` when that point is a change event (7040 says what
 * the start type was; a 2004 "rule added" says the rule was absent), and
 * unknown when the first point is a snapshot (a hive value is only known from
 * its key's last-written time on). A setting never mentioned is absent when
 * its hive was read, unknown when the hive is missing. Each countermeasure's
 * decision table then gives in_effect / restricted / not_in_effect / unknown
 * with the facts it rests on; adjacent pieces with the same state and basis
 * are merged.
 *
 * Bypass: an inbound finding of the protocol inside an in_effect or
 * restricted interval, or inside a not_in_effect interval that began with a
 * change away from in_effect/restricted ("re-enabled then used"). Refused
 * attempts (winrm.failed, dcom.denied, firewall.drop) are blocked attempts:
 * evidence that the control worked, never bypass.
 */
#ifndef REMTRAIL_ASSESS_H
#define REMTRAIL_ASSESS_H

#include <stddef.h>
#include <stdint.h>

/* Where a piece of evidence comes from. Strings are borrowed in inputs and
 * owned (deep copies) in results. */
typedef struct rt_source {
	const char *file;       /* evidence file (hive or EVTX); may be NULL */
	const char *key;        /* registry key path, NULL for events */
	const char *value_name; /* registry value name, or NULL */
	uint64_t record_id;     /* EventRecordID; 0 when from a hive */
	uint32_t event_id;      /* event id; 0 when from a hive */
	uint64_t time;          /* event time, key last-written or hive time */
} rt_source;

/* Which hive a setting name lives in (decides "absent" vs "unknown"). */
typedef enum rt_hive_need { RT_NEED_SYSTEM = 1, RT_NEED_SOFTWARE = 2 } rt_hive_need;

/*
 * One point of a setting's history. Names follow DESIGN.md's config names:
 * service.winrm.start ("disabled", "manual", "auto", ...), winrm.listener.<sel>
 * (value: the port, e.g. "5985"), winrm.policy.service.allow_auto_config
 * ("1"/"0"), winrm.policy.service.ipv4_filter, firewall.profile.<p>.enabled,
 * firewall.policy.profile.<p>.enabled ("true"/"false" or "1"/"0"),
 * firewall.profile.<p>.default_inbound ("allow"/"block"),
 * firewall.policy.profile.<p>.allow_local_policy_merge, firewall.rule.<id>
 * (value: the Windows rule string "v2.30|Action=Allow|Dir=In|LPort=5985|...";
 * `policy` set for the Group Policy store), dcom.enabled ("Y"/"N" or
 * "true"/"false"), dcom.machine_launch_restriction (SDDL),
 * powershell.logging.module ("true"/"false"),
 * winrm.policy.service.ipv6_filter, host.ipv4 (an address),
 * host.interface.<guid> and host.interface6.<guid> (the interface's subnets
 * as a keyword-free scope, e.g. "10.1.2.3/255.255.0.0" or "fd00:5::7/64"; ""
 * when it has addresses but no mask or prefix is recorded). LocalSubnet is
 * the union of the interfaces' subnets known at the time; with none known
 * it is the /24 of host.ipv4 for IPv4 (said so in the basis) and cannot be
 * told for IPv6.
 * firewall.active_profile (value: every active profile, "domain",
 * "private", "public", comma separated; a change point from Security 4956)
 * names the profiles whose on/off switch and inbound default count from
 * its time on; before its first point the active profile is unknown (the
 * point's old_value is not used) and every profile counts.
 * network.connection.<network> (value: the profile its category selects,
 * "public", "private", "domain"; NULL when disconnected; change points from
 * NetworkProfile/Operational 10000/10001/10002): a network connected at a
 * time makes its profile active then, in addition to the latest
 * firewall.active_profile set when it connected later. Without any
 * firewall.active_profile point the connected networks are a lower bound
 * (a network connected before the log began is not seen): a profile that
 * is off and used by a connected network makes the firewall open, others
 * still count as when the active profile is unknown.
 */
typedef struct rt_fact {
	const char *name;
	const char *value;     /* from `time` on; NULL: removed / absent */
	const char *old_value; /* before `time`, for change events that say so */
	uint64_t time;
	int is_change;         /* dated by a change event, not a snapshot */
	int policy;            /* firewall rule from the Group Policy store */
	rt_source src;
} rt_fact;

/*
 * A finding (detect.h kinds) as the assessor needs it. Kinds used:
 * winrm.inbound, wmi.inbound, dcom.inbound (activity); winrm.failed,
 * wmi.failed, dcom.denied, firewall.drop (blocked attempts); service.change and
 * firewall.change (supporting); log.cleared (`detail` = channel name);
 * others are ignored. `port` is the local port when known (0 if not).
 */
typedef struct rt_assess_finding {
	const char *kind;
	uint64_t time;
	const char *remote_ip;
	const char *user;
	const char *message;
	const char *detail;
	unsigned port;
	rt_source src;
} rt_assess_finding;

/* A log that was read: its channel and the period its records cover. */
typedef struct rt_log_cover {
	const char *channel;
	const char *file;
	uint64_t first, last;
	uint64_t nrecords;
} rt_log_cover;

typedef struct rt_assess_input {
	const char *host;
	const char *system_hive;   /* path, or NULL when no SYSTEM hive was read */
	const char *software_hive; /* path, or NULL */
	/* What is wrong with that hive (rt_cfg_snapshot.damage), NULL when it
	 * is sound. A damaged hive's silence proves nothing: the settings it
	 * does not show are unknown, as if the hive were missing, and the
	 * verdicts that turn on them say it is damaged. */
	const char *system_damage;
	const char *software_damage;
	const rt_fact *facts;
	size_t nfacts;
	const rt_assess_finding *findings;
	size_t nfindings;
	const rt_log_cover *logs;
	size_t nlogs;
} rt_assess_input;

typedef struct rt_assess_opts {
	/* Addresses that are meant to manage hosts (domain controllers, file
	 * servers, admin jump hosts), as a scope string, IPv4 and IPv6 mixed
	 * ("10.0.0.0/24,10.0.1.5,fd00:5::/64").
	 * NULL: unknown, so scoped allow rules make a countermeasure
	 * `restricted` and use from inside the configured scope is not bypass. */
	const char *mgmt_scope;
} rt_assess_opts;

typedef enum rt_cm_state {
	RT_CM_UNKNOWN = 0,
	RT_CM_NOT_IN_EFFECT,
	RT_CM_RESTRICTED,
	RT_CM_IN_EFFECT
} rt_cm_state;

typedef enum rt_cm_id { RT_CM0013 = 0, RT_CM0019, RT_CM0012, RT_CM_COUNT } rt_cm_id;

/* One item of evidence: a sentence and its source (owned copies). */
typedef struct rt_evidence_item {
	char *text;
	char *file, *key, *value_name;
	uint64_t record_id;
	uint32_t event_id;
	uint64_t time;
	char *kind;      /* finding kind, or NULL for settings */
	char *remote_ip; /* findings: remote address, or NULL */
} rt_evidence_item;

typedef struct rt_evidence_list {
	rt_evidence_item *items;
	size_t n, alloc;
} rt_evidence_list;

typedef struct rt_interval {
	uint64_t from, to;   /* to = end of the assessed period for the last one */
	rt_cm_state state;
	char *why;           /* one sentence; for unknown: which artifact would settle it */
	rt_evidence_list basis;
} rt_interval;

typedef struct rt_bypass {
	char *route;         /* "re-enabled then used", "allowed remote address outside intended scope", ... */
	char *explanation;   /* one sentence */
	rt_evidence_list changes;  /* the configuration changes the route rests on */
	rt_evidence_list findings; /* the activity */
} rt_bypass;

/* CM0019's monitoring sub-check (WinRM 6/91, PowerShell 4103). */
typedef struct rt_monitoring {
	int winrm_log;        /* WinRM/Operational present */
	int ps_log;           /* PowerShell/Operational present */
	int module_logging;   /* 1 on, 0 off, -1 unknown (at the end of the period) */
	int in_effect;        /* all three and no gap */
	rt_evidence_list coverage; /* one item per log read */
	rt_evidence_list gaps;     /* clears, missing logs, module logging off */
} rt_monitoring;

typedef struct rt_cm_verdict {
	rt_cm_id id;
	rt_cm_state state;     /* state of the last interval (at collection) */
	int bypassed;          /* 1, 0, or -1 for null (never in effect, or unknown) */
	rt_interval *intervals;
	size_t nintervals;
	rt_bypass *bypass;
	size_t nbypass;
	rt_evidence_list evidence; /* blocked attempts and permitted activity */
	uint64_t first_activity, last_activity; /* inbound + attempts; 0 if none */
	int has_monitoring;
	rt_monitoring monitoring;
} rt_cm_verdict;

typedef struct rt_assess_result {
	char *host;
	uint64_t period_from, period_to;
	rt_cm_verdict cm[RT_CM_COUNT];
} rt_assess_result;

/*
 * Assess one host. `opts` may be NULL. On success *out owns everything it
 * points to (free with rt_assess_result_free). Returns 0, or -1 on out of
 * memory (nothing allocated). Same input, same result: facts and findings
 * are ordered by (time, name/kind, source) internally whatever their order.
 */
int rt_assess_host(const rt_assess_input *in, const rt_assess_opts *opts,
		   rt_assess_result **out);
void rt_assess_result_free(rt_assess_result **r);

/* Firewall profiles as a mask. */
enum { RT_FW_DOMAIN = 1, RT_FW_PRIVATE = 2, RT_FW_PUBLIC = 4 };
/* The profiles named in `list` ("Domain", "Private" or "Standard",
 * "Public", any case, separated by commas, spaces, ';' or '|'), as a mask;
 * 0 when `list` is NULL, empty or names anything else. */
unsigned rt_fw_profile_mask(const char *list);
/* `mask` as "domain,private,public" (those set, in that order) into `out`
 * (always terminated when cap > 0); returns the length written. */
size_t rt_fw_profile_list(unsigned mask, char *out, size_t cap);

/* "in_effect", "restricted", "not_in_effect", "unknown". */
const char *rt_cm_state_name(rt_cm_state s);
/* "CM0013", "CM0019", "CM0012"; and a short title ("block remote WMI"). */
const char *rt_cm_name(rt_cm_id id);
const char *rt_cm_title(rt_cm_id id);

/*
 * Address scopes as firewall rules (RA4/RA6), WinRM IPv4Filter/IPv6Filter
 * and --mgmt write them, IPv4 and IPv6 mixed: "*", "Any", "" (any
 * address), "a.b.c.d", "a.b.c.d/len", "a.b.c.d/m.m.m.m" (contiguous mask),
 * "x::y", "x::y/len", "a-b" ranges (both ends of one family),
 * "LocalSubnet", lists separated by commas; "0.0.0.0/0" is every IPv4 and
 * "::/0" every IPv6 address. IPv4-mapped IPv6 (::ffff:10.0.0.1, also as a
 * prefix /96 and longer) is the IPv4 address. `ip` may carry a zone
 * ("fe80::1%12") or brackets ("[::1]"). An element of the other family is
 * outside. `local_subnets` is what LocalSubnet stands for, itself a scope
 * without keywords ("10.1.2.3/255.255.0.0,192.168.5.0/24"; an address with
 * a mask stands for its whole subnet); NULL, or no element of the address's
 * family in it, makes LocalSubnet "cannot tell".
 * Returns 1 if `ip` is inside, 0 if outside, -1 when it cannot be told (ip
 * unreadable, LocalSubnet unknown for its family, other keywords such as
 * DNS or DefaultGateway, bad syntax) and no other element admits it.
 */
int rt_scope_contains(const char *scope, const char *ip, const char *local_subnets);
/* 1 when every element of `scope` is an address, prefix, range, "*" or
 * "Any" of either family (what --mgmt accepts); 0 for keywords, empty
 * elements, bad syntax or NULL. */
int rt_scope_is_literal(const char *scope);
/* 1 when the scope admits any address ("*", "Any", empty, NULL). */
int rt_scope_is_any(const char *scope);

#endif
