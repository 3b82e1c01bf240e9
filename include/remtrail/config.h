/*
 * config.h - configuration of WinRM, WMI, DCOM and the firewall over time,
 * per host, from registry hives (artifacts.md sections 2 and 5.1).
 *
 * Model. Every hive file given for a host is one or more SNAPSHOTS: the
 * primary file as on disk; when its transaction logs changed it, the
 * replayed view as a second, later snapshot; a RegBack (or other older)
 * copy is a snapshot marked "backup". A snapshot's time is the hive's
 * base-block last-written time (raised to the newest key last-written time
 * seen in it, which cannot be later than the hive's real time).
 *
 * Every SETTING (dotted lower-case name, DESIGN.md) has a HISTORY: points
 * (time, value, raw, certainty, source) ordered oldest first. Certainty:
 *
 *   "observed"             value read from a primary hive at its snapshot time
 *   "replayed"             value read from the hive after its transaction logs
 *                          were replayed (newer than the primary's)
 *   "backup"               value read from a RegBack / older copy
 *   "bounded-by-lastwrite" the value's key was last written at `time`, so the
 *                          value held at least from `time` to the snapshot
 *                          that observed it (it may have held earlier); added
 *                          when that time falls after the previous snapshot
 *   "default"              the value was absent at the snapshot; `value` is
 *                          the Windows default (only for settings whose
 *                          default decides exposure, e.g. firewall on)
 *   "shadow copy"          value read from a hive in a volume shadow copy;
 *                          the snapshot's time is the shadow copy's creation
 *                          time (the hive as it was then)
 *
 * A point whose value is JSON null means "absent at this snapshot" (a rule
 * or listener deleted since an earlier snapshot, a value removed).
 *
 * Names beyond DESIGN.md: firewall.policy.rule.<id> (policy-store rules;
 * firewall.rule.<id> are local-store rules; both carry "store"),
 * firewall.policy.profile.<p>.allow_local_policy_merge, service.<s>.image_path,
 * winrm.service.<value>/winrm.client.<value> (WSMAN local config),
 * winrm.policy.service.winrs.allow_remote_shell_access, wmi.fixed_endpoint,
 * dcom.policy.machine_*_restriction, dcom.legacy_authentication_level,
 * rpc.internet.ports, host.ipv6, host.time_zone, host.interface.<guid> (IPv4),
 * host.interface6.<guid> (IPv6),
 * powershell.logging.module_names, user.<name>.powershell.logging.<x>
 * (NTUSER policy). docs/config.md lists them all.
 *
 * EXPOSURE at each snapshot time: per firewall profile (domain, private,
 * public) and target (WinRM, WMI, DCOM), whether inbound use was possible,
 * from which remote addresses, and the rules that decide it.
 *
 * Library code: nothing prints or exits; unreadable or damaged hives are
 * reported on the rt_diag and the rest is used.
 */
#ifndef REMTRAIL_CONFIG_H
#define REMTRAIL_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "remtrail/diag.h"
#include "remtrail/evidence.h"
#include "remtrail/util.h"
#include "remtrail/winfw.h"

/* ---------------------------------------------------- typed values */

/*
 * A setting's value as data. Config knows the type of each setting it
 * names (services' start types, switches, ports, firewall rules, ...);
 * rt_cfg_value_parse is the one place that turns a setting's name and
 * textual value into this, for hive values and for change points from
 * events or command lines alike.
 */
typedef enum rt_cfg_vtype {
	RT_CFG_V_NONE = 0, /* no value: absent, removed */
	RT_CFG_V_BOOL,     /* i = 0 or 1 */
	RT_CFG_V_INT,      /* i */
	RT_CFG_V_TEXT,     /* text (canonical for enumerations: "disabled", "block"; i their number) */
	RT_CFG_V_RULE,     /* rule, parsed; text the rule string */
	RT_CFG_V_BAD       /* text that does not read as the setting's type */
} rt_cfg_vtype;

typedef struct rt_cfg_value {
	rt_cfg_vtype type;
	int64_t i;
	const char *text;
	rt_fwrule *rule;
} rt_cfg_value;

/*
 * `text` of setting `name` as a typed value (NULL text: RT_CFG_V_NONE).
 * Booleans read true/false, 1/0, yes/no, Y/N, on/off, enabled/disabled;
 * service.<s>.start reads config's names, the SCM's words ("auto start",
 * "demand start"), sc.exe's and Set-Service's and the Start numbers (i is
 * the Start number, text config's name); *.default_inbound "block"/"allow"
 * (i = 1 when it blocks); firewall.rule.* and firewall.policy.rule.* the
 * rule string; firewall.active_profile and network.connection.* a profile
 * list (i the RT_FW_PROF_* mask); winrm.listener.* a port or "disabled";
 * wmi.fixed_endpoint "ncacn_ip_tcp,0,<port>" (i the port). Owns what it
 * points to: release with rt_cfg_value_release. 0, or -1 on out of memory.
 */
int rt_cfg_value_parse(const char *name, const char *text, rt_cfg_value *out);
void rt_cfg_value_release(rt_cfg_value *v);
/* 1, 0, or -1 when `s` is not one of the boolean spellings above. */
int rt_cfg_bool_text(const char *s);

typedef enum rt_cfg_certainty {
	RT_CFG_OBSERVED = 0,
	RT_CFG_REPLAYED,
	RT_CFG_BACKUP,
	RT_CFG_BOUNDED,
	RT_CFG_DEFAULT,
	RT_CFG_EVENT,     /* dated by an event record that changed it (rt_config_add_event) */
	RT_CFG_SHADOW     /* a volume shadow copy's hive, at the copy's creation time */
} rt_cfg_certainty;

/* "observed", "replayed", "backup", "bounded-by-lastwrite", "default", "event",
 * "shadow copy". */
const char *rt_cfg_certainty_name(rt_cfg_certainty c);

typedef struct rt_cfg_source {
	char *file;           /* hive file path as given (EVTX file for event points) */
	char *key;            /* hive-relative key path, control set resolved; NULL for events */
	char *value_name;     /* NULL for key-level settings (a listener, an interface) */
	uint64_t last_written; /* FILETIME of the key, 0 if unknown */
	uint64_t record_id;   /* event points: EventRecordID (0 for hive points) */
	uint32_t event_id;    /* event points: the event id */
} rt_cfg_source;

typedef struct rt_cfg_point {
	uint64_t time;        /* FILETIME */
	rt_cfg_certainty certainty;
	char *value;          /* JSON text: "\"auto\"", "true", "1", "{...}", "null" */
	char *raw;            /* registry data as text (rule string, "0x2", hex), NULL if none */
	char *text;           /* the value as text in config's vocabulary, NULL when absent */
	rt_cfg_value typed;   /* `text` as data (rt_cfg_value_parse) */
	rt_cfg_source source;
	size_t snapshot;      /* index into the host's snapshots; RT_CFG_NO_SNAPSHOT for events */
} rt_cfg_point;

#define RT_CFG_NO_SNAPSHOT ((size_t)-1)

typedef struct rt_cfg_setting {
	char *name;
	rt_cfg_point *points; /* oldest first; ties by snapshot order */
	size_t npoints;
} rt_cfg_setting;

typedef struct rt_cfg_snapshot {
	char *file;
	rt_hive_kind hive;
	rt_cfg_certainty certainty; /* observed, replayed, backup or shadow copy */
	uint64_t time;
	char *note;           /* "replayed 3 log entries from ...", "damaged: ...", or "" */
	char *damage;         /* what is wrong with the hive, NULL when sound: its key
			       * tree (rt_hive_check), or keys every SYSTEM hive has
			       * missing. What such a snapshot does not show is
			       * unknown: no Windows default is assumed for it and no
			       * setting is taken as removed by it. */
} rt_cfg_snapshot;

/* Exposure targets and their verdicts. */
/* Exposure targets are the protocols of winfw.h; profiles its indexes. */
typedef rt_proto rt_exp_target;
#define RT_EXP_WINRM RT_PROTO_WINRM
#define RT_EXP_WMI RT_PROTO_WMI
#define RT_EXP_DCOM RT_PROTO_DCOM
#define RT_EXP_NTARGETS RT_PROTO_COUNT
enum { RT_EXP_DOMAIN = 0, RT_EXP_PRIVATE, RT_EXP_PUBLIC, RT_EXP_NPROFILES = RT_FW_NPROFILES };

typedef enum rt_exp_verdict {
	RT_EXP_UNKNOWN = 0,     /* the hives that decide it were not available */
	RT_EXP_ALLOWED,         /* allowed by rule(s), see remote/rules */
	RT_EXP_FIREWALL_OFF,    /* firewall disabled for the profile (or MpsSvc disabled) */
	RT_EXP_DEFAULT_ALLOW,   /* default inbound action is allow */
	RT_EXP_BLOCKED,         /* blocked by an explicit block rule */
	RT_EXP_DEFAULT_BLOCK,   /* not allowed by any rule (default block) */
	RT_EXP_SERVICE_OFF      /* the service side refuses: WinRM disabled / no listener,
				   EnableDCOM=N, ... (firewall verdict in `reason`) */
} rt_exp_verdict;

/* "unknown", "allowed", "firewall-off", "default-allow", "blocked",
 * "default-block", "service-off". */
const char *rt_exp_verdict_name(rt_exp_verdict v);
const char *rt_exp_target_name(rt_exp_target t);   /* "winrm", "wmi", "dcom" */
const char *rt_exp_profile_name(int profile);       /* "domain", "private", "public" */

typedef struct rt_cfg_reach {
	rt_exp_verdict verdict;
	int reachable;  /* 1 reachable, 0 not, -1 unknown */
	char *ports;    /* "5985,5986", "135+RPC", "135+24158" */
	char *remote;   /* remote addresses allowed: "*" for any, else the union of
			   the deciding allow rules' RA4/RA6 ("LocalSubnet,10.1.0.0/16") */
	char *rules;    /* deciding rules, "store:id" comma-separated, "" if none */
	char *reason;   /* one sentence: "allowed by rule WINRM-HTTP-In-TCP from RA4=LocalSubnet" */
} rt_cfg_reach;

typedef struct rt_cfg_exposure {
	uint64_t time;  /* the snapshot time it was computed for */
	size_t snapshot;
	rt_cfg_reach reach[RT_EXP_NPROFILES][RT_EXP_NTARGETS];
} rt_cfg_exposure;

typedef struct rt_cfg_host {
	char *name;
	rt_cfg_snapshot *snapshots; /* ordered by time, then backup < observed < replayed */
	size_t nsnapshots;
	rt_cfg_setting *settings;   /* sorted by name (byte order) */
	size_t nsettings;
	rt_cfg_exposure *exposures; /* one per snapshot, same order */
	size_t nexposures;
} rt_cfg_host;

typedef struct rt_config {
	rt_cfg_host *hosts; /* sorted by name */
	size_t nhosts;
} rt_config;

/* ------------------------------------------ a host at one moment */

/*
 * What decides whether WinRM, remote WMI and DCOM reach a host at one
 * moment: the firewall policy (winfw.h), the WinRM listeners and filters,
 * WMI's endpoint, and the services that must run. It is filled setting by
 * setting, from config points (the exposure below) or from the assessor's
 * facts, and judged by rt_cfg_state_path: both see a host alike.
 *
 * rt_cfg_state_set takes a setting's name, its typed value (NULL or NONE:
 * absent, Windows' default applies), `present` (1: the value holds at the
 * moment; 0: the setting was only recorded later, so its value then is
 * unknown; for a rule, `v` is then the rule as later recorded and it is
 * judged both ways) and `src`, the caller's citation, handed back in
 * decisions. Values and citations are borrowed and must outlive the state.
 * Settings it does not use are ignored.
 */
typedef enum rt_cfg_slot_id {
	RT_SLOT_WINRM_START = 0, /* value: the Start number */
	RT_SLOT_WINMGMT_START,
	RT_SLOT_RPCSS_START,
	RT_SLOT_DCOMLAUNCH_START,
	RT_SLOT_DCOM_ENABLED,    /* 1/0 */
	RT_SLOT_AUTO_CONFIG,     /* WinRM policy AllowAutoConfig 1/0 */
	RT_SLOT_HTTP_COMPAT,     /* WinRM policy compatibility listeners 1/0 */
	RT_SLOT_HTTPS_COMPAT,
	RT_SLOT_WINMGMT_STANDALONE,
	RT_SLOT_WMI_ENDPOINT,    /* the fixed port */
	RT_SLOT_FILTER4,         /* WinRM IPv4Filter / IPv6Filter: 1 set (text in filter[]) */
	RT_SLOT_FILTER6,
	RT_NSLOTS
} rt_cfg_slot_id;

enum { RT_SLOT_UNSET = -1, RT_SLOT_UNKNOWN = -2 };

typedef struct rt_cfg_slot {
	int64_t value; /* RT_SLOT_UNSET, RT_SLOT_UNKNOWN or the value */
	const void *src;
} rt_cfg_slot;

typedef struct rt_cfg_listener {
	unsigned port; /* 0: disabled */
	const void *src;
} rt_cfg_listener;

typedef struct rt_cfg_state {
	rt_winfw_policy fw;
	int system_read, software_read; /* absent settings take Windows' defaults */
	rt_cfg_slot slot[RT_NSLOTS];
	const char *filter[2];           /* IPv4Filter, IPv6Filter text */
	rt_cfg_listener listeners[RT_WINFW_MAX_PORTS];
	size_t nlisteners;
	int listeners_unknown;           /* some listener was only recorded later */
	rt_winfw_rule *rules;
	size_t nrules, arules;
	rt_buf local_subnets;            /* the interfaces' subnets, "" when none (fw.local_subnets
					    points here unless the caller sets its own) */
	int oom;
} rt_cfg_state;

void rt_cfg_state_init(rt_cfg_state *s, int system_read, int software_read);
void rt_cfg_state_set(rt_cfg_state *s, const char *name, const rt_cfg_value *v, int present,
		      const void *src);
/* A firewall rule of the local (policy 0) or Group Policy store under
 * its id (borrowed, as `v` and `src`): what rt_cfg_state_set does for
 * "firewall.rule.<id>", for a rule the caller takes from elsewhere (the
 * assessor: Windows' default rule a firewall reset restores). */
void rt_cfg_state_rule(rt_cfg_state *s, const char *id, int policy, const rt_cfg_value *v,
                       int present, const void *src);
void rt_cfg_state_release(rt_cfg_state *s);

/*
 * A protocol's path into the host on one firewall profile: the network
 * (fw: every leg of the protocol, winfw.h) and the service side. `open` is
 * CLOSED when the service side refuses (`closed_by` says why, `closed_src`
 * cites the setting, NULL when it is a default such as "no listener");
 * otherwise fw.open narrowed by the WinRM filters (an extra scope in
 * fw.scopes). `unknown_why` is set when the network lets it in but the
 * service side is not known at the moment ("start type of the WinRM service
 * not recorded this early"): the caller decides what that makes.
 * Release with rt_cfg_path_release in every case; 0, or -1 on out of memory.
 */
typedef struct rt_cfg_path {
	rt_winfw_reach fw;
	rt_winfw_host host;
	rt_winfw_open open, open_if_unknown;
	const char *closed_by;
	const void *closed_src;
	const char *unknown_why;
	int filtered;                 /* the WinRM filters narrow it: */
	const char *filter_why;       /* ... "WinRM policy accepts requests only from ..." */
} rt_cfg_path;

int rt_cfg_state_path(const rt_cfg_state *s, int profile, rt_proto proto, const char *remote,
		      rt_cfg_path *out);
void rt_cfg_path_release(rt_cfg_path *p);
/*
 * The ports the legs of a host may be judged on (rt_cfg_path's host: the
 * WinRM listeners', WMI's standalone endpoint). Name NULL: those any host
 * may have, whatever its settings (Windows' default listeners, the policy
 * and compatibility listeners); otherwise those the setting `name` = `v`
 * adds to them (a listener's port, WMI's fixed endpoint; none for other
 * settings). Each is added once to ports[*n] (cap of them); the union of
 * the NULL call and of every value of every setting a host ever had holds
 * every port rt_cfg_state_path judges any of its states on. 0, or -1 when
 * a port did not fit.
 */
int rt_cfg_host_ports_add(const char *name, const rt_cfg_value *v, unsigned *ports, size_t *n, size_t cap);

/* One hive to read. `host` names the host it belongs to (NULL: the SYSTEM
 * hive's computer name, else "unknown"); logs are its transaction logs.
 * With `artifact` (what rt_evidence_collect found) the hive and its logs
 * are read through the artifact's sources and its kind is the one decided
 * there; `path` and `logs` are then ignored. */
typedef struct rt_cfg_input {
	const char *host;
	const char *path;
	const char *const *logs;
	size_t nlogs;
	int is_backup;
	const rt_artifact *artifact;
} rt_cfg_input;

/*
 * Read every input hive and build the configuration history of each host.
 * Hives that cannot be opened are reported (error) and skipped; damage found
 * while reading is reported and the rest used. Hives that are not SYSTEM,
 * SOFTWARE or NTUSER hold no setting read here and are not used; one whose
 * kind nothing could tell is named (warning) with the reason. Returns 0
 * and a config (possibly with no hosts) in *out, -1 on out of memory. Free
 * with rt_config_free.
 */
int rt_config_load(const rt_cfg_input *in, size_t n, rt_config **out, rt_diag *diag);

/* The same over what rt_evidence_collect found: every hive artifact of
 * every host (the host name is the evidence host's). */
int rt_config_from_evidence(const rt_evidence *ev, rt_config **out, rt_diag *diag);

void rt_config_free(rt_config **c);

/*
 * A configuration change read from an event (the detect module's change
 * points): setting `name` of `host` took `value` (text in config's
 * vocabulary, e.g. "disabled", "true", a firewall rule string; NULL when
 * the record removed it) at `time`. Added to the setting's history as an
 * "event" point, in time order (after points of the same time); the host
 * and setting are made when missing (logs without hives). Values become
 * JSON as config writes them: firewall rules as rule objects, true/false
 * as booleans, numbers as numbers, else strings; the text is kept as raw.
 * Exposures are computed from the hives only and do not change.
 * 0, or -1 on out of memory.
 */
typedef struct rt_cfg_event {
	const char *host;
	const char *name;
	const char *value;
	uint64_t time;
	const char *file;
	uint64_t record_id;
	uint32_t event_id;
} rt_cfg_event;

int rt_config_add_event(rt_config *c, const rt_cfg_event *e);

/* The history of `name` on host `h`, or NULL. */
const rt_cfg_setting *rt_cfg_find(const rt_cfg_host *h, const char *name);

/*
 * The point in effect at `t`: the latest point of `name` with time <= t
 * (ties: the later snapshot). NULL when the setting has no point at or
 * before t. A point whose value is "null" means absent at that time.
 */
const rt_cfg_point *rt_cfg_value_at(const rt_cfg_host *h, const char *name, uint64_t t);

/* The exposure computed for the latest snapshot time <= t (NULL if none). */
const rt_cfg_exposure *rt_cfg_exposure_at(const rt_cfg_host *h, uint64_t t);

/*
 * Output. JSON per DESIGN.md ("remtrail/1", hosts[].settings[] with name,
 * value, raw, time, certainty, source{file,key,value_name,last_written}),
 * plus hosts[].snapshots[] and hosts[].exposure[]; settings in name order,
 * each setting's points oldest first; FILETIMEs as ISO strings. Text: the
 * analyst's report form. Both append to `out`; 0 ok, -1 out of memory.
 */
int rt_config_write_json(const rt_config *c, rt_buf *out);
int rt_config_write_text(const rt_config *c, rt_buf *out);

/* ------------------------------------------------------- pure helpers */

/*
 * Append the SDDL form of a self-relative SECURITY_DESCRIPTOR ("O:BAG:BAD:
 * (A;;CCDCLCSWRP;;;BA)") to `out`. Every offset is bounds-checked; returns
 * -1 (and appends nothing) when the descriptor is malformed.
 */
int rt_sd_to_sddl(const uint8_t *sd, size_t n, rt_buf *out);

/* Service Start value to "boot", "system", "auto", "auto-delayed" (Start 2
 * with DelayedAutostart 1), "manual", "disabled"; NULL for other numbers. */
const char *rt_cfg_start_name(uint32_t start, int delayed);

#endif
