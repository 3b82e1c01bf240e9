/*
 * winfw.h - the Windows Defender Firewall model: which rules match a
 * connection, what the effective policy decides for it on each profile,
 * and what on a Windows host receives each remote-management protocol.
 *
 * One model for the whole program: config's exposure and the assessor both
 * decide through rt_winfw_reach, so they cannot disagree. docs/assess.md
 * gives the Microsoft sources for each rule of the model:
 *
 *  - A rule matches a connection only when every condition it names
 *    matches: direction, Active, profile, protocol, local and remote ports
 *    (keywords RPC and RPC-EPMap included), local and remote addresses
 *    (keywords too), interface, App, Svc ("*" = any service, no
 *    application), AppPkgId/PFN (app containers only), TTK (traffic a
 *    feature registered as a trust tuple only), LUOwn/LUAuth (the
 *    account the receiving process runs as), Security/RMAuth/RUAuth
 *    (IPsec-authenticated peers only). Edge traversal only widens a rule to
 *    traffic from beyond a NAT edge, so it never narrows a match here.
 *  - Precedence ([MS-FASP] 2.2.34): allow-bypass rules beat block rules,
 *    block rules beat allow rules, allow rules beat the default action.
 *  - Stores ([MS-FASP] 3.1.3, [MS-GPFAS] 2.2.3.13): a profile option
 *    configured by Group Policy wins over the local one; the rules are the
 *    union of both stores, without the local ones on a profile whose policy
 *    says AllowLocalPolicyMerge = 0. A profile whose firewall is off lets
 *    everything in.
 *
 * What the hives cannot tell (the interface a connection came on, the
 * account a DCOM server runs as, IPsec) makes a match "depends", never a
 * guess; the text says on what.
 *
 * Pure code: no I/O, nothing printed; all strings are borrowed.
 */
#ifndef REMTRAIL_WINFW_H
#define REMTRAIL_WINFW_H

#include <stddef.h>
#include <stdint.h>

#include "remtrail/fwrule.h"
#include "remtrail/util.h"

/* ----------------------------------------------------------- profiles */

/* Profile indexes (0 domain, 1 private, 2 public) and their mask bits
 * (RT_FW_PROF_* of fwrule.h: 1 << index). */
enum { RT_FW_NPROFILES = 3 };
/* The profiles named in `list` ("Domain", "Private" or "Standard",
 * "Public", any case, separated by commas, spaces, ';' or '|'), as a mask;
 * 0 when `list` is NULL, empty or names anything else. */
unsigned rt_fw_profile_mask(const char *list);
/* `mask` as "domain,private,public" (those set, in that order) into `out`
 * (always terminated when cap > 0); returns the length written. */
size_t rt_fw_profile_list(unsigned mask, char *out, size_t cap);
/* "domain", "private", "public" for an index; "" otherwise. */
const char *rt_fw_profile_name(int index);

/* ------------------------------------------------------------- scopes */

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
/* 1 when every address `inner` admits is admitted by `outer` (both literal
 * scopes; "LocalSubnet" in `inner` stands for `local_subnets`); 0 when some
 * is not; -1 when it cannot be told (keywords, bad syntax). */
int rt_scope_within(const char *inner, const char *outer, const char *local_subnets);

/* ------------------------------------------------------ the policy */

typedef enum rt_winfw_store { RT_WINFW_LOCAL = 0, RT_WINFW_POLICY = 1 } rt_winfw_store;

/* One profile option in one store: value -1 when not configured there.
 * `src` is the caller's citation for it (a fact, a config point), never
 * read here. */
typedef struct rt_winfw_setting {
	int value; /* 1/0; -1 not configured in this store; -2 unknown at the time judged */
	const void *src;
} rt_winfw_setting;

/* A rule of one store. `present` is 1 when the rule is known to exist at
 * the time judged, 0 when it may or may not (it was first recorded later
 * by a snapshot): such rules are judged both ways (see rt_winfw_reach). */
typedef struct rt_winfw_rule {
	const char *id;
	rt_winfw_store store;
	const rt_fwrule *rule;
	int present;
	const void *src;
} rt_winfw_rule;

typedef struct rt_winfw_policy {
	int known;                                    /* the local store (SYSTEM) was read */
	rt_winfw_setting enabled[2][RT_FW_NPROFILES]; /* [store][profile]: EnableFirewall 1/0 */
	rt_winfw_setting block_in[2][RT_FW_NPROFILES];/* DefaultInboundAction: 1 block, 0 allow */
	rt_winfw_setting merge[RT_FW_NPROFILES];      /* policy AllowLocalPolicyMerge 1/0 */
	rt_winfw_setting service_off;                 /* MpsSvc disabled: 1 */
	const rt_winfw_rule *rules;
	size_t nrules;
	const char *local_subnets; /* what LocalSubnet stands for, NULL unknown */
} rt_winfw_policy;

void rt_winfw_policy_init(rt_winfw_policy *p);

/* ---------------------------------------------------- a connection */

typedef enum rt_winfw_port_kind {
	RT_WINFW_PORT_FIXED = 0, /* `port` */
	RT_WINFW_PORT_EPMAP,     /* TCP 135 received by the RPC endpoint mapper */
	RT_WINFW_PORT_RPC        /* a dynamic RPC endpoint (49152-65535 by default) */
} rt_winfw_port_kind;

/* An inbound connection to a process on the host. `app` is the image as
 * rules write it ("System" for the kernel, "%SystemRoot%\\system32\\
 * svchost.exe"); a leading "*\\" means any folder ("*\\EXCEL.EXE": the
 * install path is not known). `svc` is the service short name, NULL when
 * the process is not a service; `user` the SID of the account it runs as,
 * NULL when that depends (a DCOM server runs as its caller). `remote` NULL
 * means "from where": the decision then says which remote addresses get
 * in. */
typedef struct rt_winfw_conn {
	int protocol;
	rt_winfw_port_kind kind;
	unsigned port;
	const char *app, *svc, *user;
	const char *remote;
} rt_winfw_conn;

typedef enum rt_winfw_match {
	RT_WINFW_NO = 0,
	RT_WINFW_YES = 1,
	RT_WINFW_DEPENDS = 2 /* on something the evidence does not tell: *why */
} rt_winfw_match;

/*
 * Does rule `r` match connection `c` on profile index `profile`? Direction
 * and Active are checked too; the action is not. With c->remote NULL the
 * remote address condition is left to the caller (rt_winfw_rule_scope).
 * *why (may be NULL) receives a static phrase for DEPENDS ("the interface
 * the connection came on", "IPsec authentication of the peer", ...).
 */
rt_winfw_match rt_winfw_rule_matches(const rt_fwrule *r, int profile, const rt_winfw_conn *c,
				     const char *local_subnets, const char **why);

/* The remote addresses a rule admits, as one scope string (RA4 and RA6
 * together; an authenticated-only rule as "IPsec-authenticated"): "" when
 * it admits any address. Keywords make rt_scope_contains answer "cannot
 * tell". Appends to `out`. */
int rt_winfw_rule_scope(const rt_fwrule *r, rt_buf *out);
/* 1 when the rule only lets IPsec-authenticated peers in (Action=ByPass,
 * Security=Authenticate..., RMAuth, RUAuth). */
int rt_winfw_rule_auth_only(const rt_fwrule *r);

/* ------------------------------------------------------ a decision */

typedef enum rt_winfw_verdict {
	RT_WINFW_UNKNOWN = 0,   /* the local store was not read */
	RT_WINFW_ALLOWED,       /* let in by allow rules (see `allow`) */
	RT_WINFW_OFF,           /* the firewall is off on the profile (or MpsSvc disabled) */
	RT_WINFW_DEFAULT_ALLOW, /* no rule; the default inbound action is allow */
	RT_WINFW_BLOCKED,       /* a block rule covers every remote address */
	RT_WINFW_DEFAULT_BLOCK  /* no allow rule matches; the default blocks */
} rt_winfw_verdict;

/* "unknown", "allowed", "firewall-off", "default-allow", "blocked",
 * "default-block". */
const char *rt_winfw_verdict_name(rt_winfw_verdict v);

/* How far a connection gets in: from any address, from some, not at all. */
typedef enum rt_winfw_open {
	RT_WINFW_OPEN_UNKNOWN = 0,
	RT_WINFW_CLOSED,
	RT_WINFW_OPEN_DEPENDS, /* only rules whose match depends (see `why`) let it in */
	RT_WINFW_OPEN_SCOPED,  /* only from `scope` */
	RT_WINFW_OPEN_ANY
} rt_winfw_open;

typedef struct rt_winfw_decision {
	rt_winfw_verdict verdict;
	rt_winfw_open open;
	const char *why;                 /* for OPEN_DEPENDS: on what */
	rt_buf scope;                    /* OPEN_SCOPED: the remote addresses let in */
	const rt_winfw_rule **allow;     /* the allow rules that let it in */
	size_t nallow;
	const rt_winfw_rule **block;     /* the block rules that keep it out (all or some addresses) */
	size_t nblock;
	const rt_winfw_setting *enabled; /* the switch that decided on/off, NULL: Windows' default */
	const rt_winfw_setting *block_in;/* the default inbound action used, NULL: default (block) */
	const rt_winfw_rule **dropped;   /* local allow rules that would match, not applied because */
	size_t local_dropped;            /* ... the policy's AllowLocalPolicyMerge = 0 */
	const rt_winfw_setting *merge;   /* ... which this setting says */
	int oom;
} rt_winfw_decision;

/*
 * Decide connection `c` on profile index `profile` with the rules whose
 * `present` is at least `min_present` (1: known rules only; 0: also those
 * first recorded later). Fills *d (release with rt_winfw_decision_release
 * in every case). Returns 0, or -1 on out of memory.
 */
int rt_winfw_decide(const rt_winfw_policy *p, int profile, const rt_winfw_conn *c, int min_present,
		    rt_winfw_decision *d);
void rt_winfw_decision_release(rt_winfw_decision *d);

/* ------------------------------------ what receives each protocol */

typedef enum rt_proto { RT_PROTO_WINRM = 0, RT_PROTO_WMI, RT_PROTO_DCOM, RT_PROTO_COUNT } rt_proto;

/* "WinRM", "remote WMI (DCOM)", "DCOM". */
const char *rt_proto_name(rt_proto p);

/*
 * One leg of a protocol: a connection that must get through for it. Every
 * `group` of a protocol is needed; the legs of one group are alternatives
 * (any one of them will do). A leg with kind FIXED and port 0 stands for
 * the host's own ports (rt_winfw_host). The table is rt_winfw_legs[].
 */
typedef struct rt_winfw_leg {
	rt_proto proto;
	unsigned group;
	const char *what;  /* "the RPC endpoint mapper (RPCSS) on TCP 135" */
	rt_winfw_port_kind kind;
	unsigned port;
	const char *app, *svc, *user;
} rt_winfw_leg;

extern const rt_winfw_leg rt_winfw_legs[];
extern const size_t rt_winfw_nlegs;

/* The host's own ports: the WinRM listeners' ports (HTTP.SYS), and the
 * fixed endpoint of WMI when Winmgmt runs standalone (0 otherwise: WMI then
 * answers on a dynamic RPC port). */
#define RT_WINFW_MAX_PORTS 16
typedef struct rt_winfw_host {
	unsigned winrm_ports[RT_WINFW_MAX_PORTS];
	size_t nwinrm_ports;
	unsigned wmi_port;
} rt_winfw_host;

/* One leg as judged. */
typedef struct rt_winfw_leg_result {
	const rt_winfw_leg *leg;
	unsigned port;            /* the port it was judged on (0 for EPMAP/RPC kinds) */
	rt_winfw_decision d;      /* with the known rules */
	rt_winfw_open open_any;   /* the same also counting rules of unknown presence */
} rt_winfw_leg_result;

#define RT_WINFW_MAX_LEGS 24
#define RT_WINFW_MAX_GROUPS 4

/*
 * A protocol on one profile. `open` combines the legs: a group is as open
 * as its most open leg; the protocol as open as its least open group
 * (UNKNOWN if a group is unknown). `scopes` holds one scope per group that
 * is only OPEN_SCOPED: an address gets in when every scope admits it.
 * `open_if_unknown` is the same judgement counting also the rules of
 * unknown presence: when it differs from `open`, the state at the time
 * cannot be told without them.
 */
typedef struct rt_winfw_reach {
	rt_winfw_open open, open_if_unknown;
	const char *why;                       /* OPEN_DEPENDS: on what */
	rt_winfw_leg_result legs[RT_WINFW_MAX_LEGS];
	size_t nlegs;
	rt_buf scopes[RT_WINFW_MAX_GROUPS];
	size_t nscopes;
	int closing_group;                     /* the group that closes it, -1 */
} rt_winfw_reach;

/* Judge protocol `proto` on profile index `profile` (from `remote`, or
 * from where when NULL). Release with rt_winfw_reach_release in every case.
 * 0, or -1 on out of memory. */
int rt_winfw_reach_eval(const rt_winfw_policy *p, const rt_winfw_host *h, int profile, rt_proto proto,
			const char *remote, rt_winfw_reach *out);
void rt_winfw_reach_release(rt_winfw_reach *r);

/* 1 when rule `r` (any action) matches, or may match, some leg of some
 * protocol on some profile: with Windows' WinRM ports (5985, 5986, 80,
 * 443) and WMI on a dynamic or its standalone port (24158). */
int rt_winfw_rule_relevant(const rt_fwrule *r);
/*
 * 1 when rule `r` can match no receiving leg of any protocol (rt_winfw_legs)
 * on any profile, whatever its Active flag and remote addresses, on a host
 * whose legs only ever take `ports` (n of them) as their own: its
 * direction, protocol, local or remote ports, App, Svc, package or owner
 * exclude every receiver. The legs are judged as rt_winfw_reach_eval
 * judges them: each on its own endpoint (TCP 135, a dynamic RPC port),
 * and those that take the host's ports (the WinRM listeners, WMI's
 * standalone endpoint) on each of `ports`. With `ports` NULL any port may
 * be the host's: the local ports are then ignored. Such a rule never
 * enters a decision (rt_winfw_decide skips rules that do not match), so
 * adding, changing or removing it changes no reachability. Conservative:
 * a condition that only "depends" counts as a possible match; 0 is not a
 * proof that the rule matters.
 */
int rt_winfw_rule_inert(const rt_fwrule *r, const unsigned *ports, size_t nports);

/* "closed", "open from any address", "open from some addresses", ... */
const char *rt_winfw_open_name(rt_winfw_open o);

/*
 * One sentence per group of legs, "; "-separated, appended to `out`: what
 * decides it and how ("the WMI service (Winmgmt) on its RPC endpoint: no
 * rule lets it in (default block)", "the RPC endpoint mapper (RPCSS) on
 * TCP 135: let in by rule FPS-RPCSS-In-TCP-NoScope from any address").
 * Only the legs that decide are named: the open ones of an open group, the
 * closed ones of a closed group. 0, or -1 on out of memory.
 */
int rt_winfw_reach_text(const rt_winfw_reach *r, rt_buf *out);
/* Calls fn(rule, ctx) once per rule that decides the reach (as named by
 * rt_winfw_reach_text), in leg order, each rule once, until fn returns
 * nonzero (a caller that wants no more rules: a cap on citations). */
void rt_winfw_reach_rules(const rt_winfw_reach *r, int (*fn)(const rt_winfw_rule *, void *), void *ctx);

#endif
