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
 * How states are decided (artifacts.md §5, docs/assess.md): the period is
 * cut at every fact's time; in each piece every setting has the value of its
 * latest point at or before the piece's start. Before a setting's first
 * point its value is the first point's `old_value` when that point is a
 * change event (7040 says what the start type was; a 2004 "rule added" says
 * the rule was absent), and unknown when the first point is a snapshot (a
 * hive value is only known from its key's last-written time on). A setting
 * never mentioned is absent when its hive was read, unknown when the hive is
 * missing. Each piece's settings make one rt_cfg_state (config.h), and each
 * protocol's path through it is judged by the firewall model (winfw.h) on
 * the active profiles, exactly as config's exposure judges it; each
 * countermeasure's evaluator turns that into in_effect / restricted /
 * not_in_effect / unknown with the facts it rests on. Adjacent pieces with
 * the same state and basis are merged; pieces of no length are dropped.
 *
 * Bypass: an inbound finding of the protocol inside an in_effect or
 * restricted interval, or inside a not_in_effect interval that began with a
 * change away from in_effect/restricted ("re-enabled then used"); a change
 * point from any source before the use also makes it "re-enabled then
 * used". A low-confidence finding alone never makes a bypass. Refused
 * attempts dropped by the firewall (Windows Filtering Platform 5152/5157)
 * are blocked attempts: evidence that the control worked. A refusal the
 * service itself logged (WinRM 142/192, WMI 5858, DCOM 10016) proves the
 * network path was open: inside an interval closed by the firewall or the
 * service it is a contradiction, never a blocked attempt.
 */
#ifndef REMTRAIL_ASSESS_H
#define REMTRAIL_ASSESS_H

#include <stddef.h>
#include <stdint.h>

#include "remtrail/config.h"
#include "remtrail/winfw.h"

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
	const char *value;     /* from `time` on, as text; NULL: removed / absent */
	const char *old_value; /* before `time`, for change events that say so */
	/* The same as data, when the giver has it (config's points do); NULL:
	 * the assessor reads `value`/`old_value` with rt_cfg_value_parse, the
	 * one conversion of a setting's text (change points from events and
	 * command lines come as text). Borrowed. */
	const rt_cfg_value *typed, *old_typed;
	uint64_t time;         /* 0: unknown (then only "recorded at some time") */
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
/* A finding's confidence that alone never makes a bypass (rt_finding's
 * RT_CONF_LOW). */
#define RT_ASSESS_LOW 1

typedef struct rt_assess_finding {
	const char *kind;
	uint64_t time;
	const char *remote_ip;
	const char *user;
	const char *message;
	const char *detail;
	unsigned port;
	int direction;  /* 1 inbound, -1 outbound (this host was the client), 0 not said */
	int confidence; /* RT_ASSESS_LOW (1), 2 medium, 3 high (rt_finding's); 0 not said */
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
	/* The addresses of hosts of the case whose hives say they are domain
	 * controllers or file servers (host.role), which CM0013 lets manage
	 * workstations: joined to mgmt_scope. NULL: none known. */
	const char *mgmt_hosts;
} rt_assess_opts;

typedef enum rt_cm_state {
	RT_CM_UNKNOWN = 0,
	RT_CM_NOT_IN_EFFECT,
	RT_CM_RESTRICTED,
	RT_CM_IN_EFFECT
} rt_cm_state;

/* The countermeasures, in report order; each is one row of the assessor's
 * countermeasure table (id, title, protocol, evaluator, activity and
 * attempt kinds, the settings whose change can open it). */
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
	/* How far the protocol got in on each firewall profile, as judged
	 * (network legs and service side, rt_cfg_state_path): the profiles not
	 * judged (not active) and states decided before the network (DCOM
	 * disabled, a launch restriction) are RT_WINFW_OPEN_UNKNOWN. The same
	 * function gives config's exposure, so the two can be compared. */
	rt_winfw_open path[RT_FW_NPROFILES];
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
	/* The headline: the state in which inbound use of the protocol happened
	 * (the least protective one when uses fall in several: not_in_effect,
	 * then unknown, then restricted); without inbound use, the state at the
	 * end of the evidence. `state_why` says which ("state when inbound use
	 * happened (first at ...)", "state at the end of the evidence (...)"). */
	rt_cm_state state;
	char *state_why;
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

/* "in_effect", "restricted", "not_in_effect", "unknown". */
const char *rt_cm_state_name(rt_cm_state s);
/* "CM0013", "CM0019", "CM0012"; and a short title ("block remote WMI"). */
const char *rt_cm_name(rt_cm_id id);
const char *rt_cm_title(rt_cm_id id);
/* The protocol a countermeasure is about (RT_PROTO_COUNT for none). */
rt_proto rt_cm_proto(rt_cm_id id);

/*
 * What the assessor does with a setting (a fact's or change point's name):
 * "judged" (it changes the state), "cited" (only named as a change that
 * can open a protocol), or why it is not used ("not judged: ..."). NULL
 * for a name the assessor does not know: a change point detection makes
 * must never be one (tests/test_rules.c asserts it), so that no change is
 * silently left out of the verdicts.
 */
const char *rt_assess_setting_use(const char *name);

#endif
