/*
 * rules.h - the signature table (rules.c) as the engine reads it, and its
 * compiled form.
 *
 * The table is the one place that names the events detection reads: a
 * rule matches an event by channel (case-insensitive '|' list), event id
 * and up to RT_RULE_PREDS field predicates (all must hold), and produces a
 * finding, configuration-change points, or both.
 *
 * Rules fall in two groups that are matched separately, each first match
 * wins: activity (kinds whose rt_kind_info says activity or attempt) and
 * the rest (configuration changes, log clears, monitoring gaps). So one
 * record can be both remote WMI use and a firewall change.
 *
 * Field "specs" name where a value comes from (spec.c resolves them):
 *   "Name"             the EventData/UserData field
 *   "A|B"              the first of A, B that is usable (not "", "-", 0x0);
 *                      A and B are fields, "@form"s or "@form:arg" whose arg
 *                      has no '|' (an "@form:" first takes all the rest)
 *   "*"                any field (predicates only)
 *   "@sid"             System/Security/@UserID
 *   "@computer"        System/Computer
 *   "@provider"        System/Provider/@Name
 *   "@uri"             resourceUri, or the URI in a ProcessingErrorData payload
 *   "@kv:Key"          "Key=Value" / "Key = Value" line inside any field
 *                      (PowerShell 400/800 HostApplication, 4103 ContextInfo)
 *   "@host:Spec"       the host part of a URL / SPN / connection string
 *   "@after:F:m1|m2"   the token after the first marker found in field F
 *   "@arg2:F:m1|m2"    the quoted second argument of the call after a marker
 *   "@pos:N"           the N-th EventData/UserData value in record order
 *                      (a manifest message's %N), whatever its name
 *   "@acct:D,U"        "D\U" from a domain and a user field; D and U may be
 *                      "Name|@pos:N" alternatives
 *   "@map:F:k=v,..."   F's value mapped (case-insensitive keys), else F
 *   "@lower:Spec"      the value in lower case
 *   "@peer_ip", "@local_port", "@peer_port"  the other end and our port of a
 *                      Sysmon 3 / Security 5156-5157 connection
 *   "@image", "@cmd", "@user", "@logon"   a process record's image, command
 *                      line, account and logon id (Sysmon 1 and 4688 alike;
 *                      4688 versions 0/1 started by a service: unknown)
 *   "@parent_image"    ParentImage / ParentProcessName, or for 4688 without
 *                      it the image of the parent PID earlier in the same
 *                      log and boot
 *   "@clsid:F"         a known COM class name for the CLSID in F (alternatives
 *                      as for @acct), else F
 *   "@fw_setting", "@fw_profiles"  firewall 2003's setting and profiles in words
 *   "@fw_rule"         a firewall rule event as the registry's rule string
 *   "@event_id"        the event id
 *   "@command"         the command a record shows: CommandLine, ScriptBlockText,
 *                      a 4103 / 800 pipeline rebuilt as "Cmdlet -Param "value""
 *   "@only:F:k=v,..."  as @map, but nothing when F is not in the map
 *   "@service:Spec"    config's name of the service ("winrm", "mpssvc", ...)
 *                      from a key or display name; nothing for other services
 *   "=text"            the text itself
 * Message templates substitute {f:Spec} at match time and {host}, {user},
 * {remote}, {process}, {parent}, {cmd} after correlation.
 *
 * Configuration-change points (config's setting names, DESIGN.md): each of
 * up to RT_RULE_CHANGES entries is either
 *   { "name template", "value spec", "old value spec" }   the template may
 *       use {f:Spec}; a NULL value spec means the setting is removed; or
 *   { "@extractor", "input spec", "second input spec" }  a function of
 *       change.c that reads a command line, a registry write or a firewall
 *       event and yields any number of (name, value) points.
 */
#ifndef REMTRAIL_DETECT_RULES_H
#define REMTRAIL_DETECT_RULES_H

#include <stdint.h>

#include "remtrail/event.h"
#include "remtrail/finding.h"
#include "remtrail/util.h"
#include "multi.h"
#include "spec.h"

enum rt_rule_op {
	RT_OP_NONE = 0,
	RT_OP_EQ,          /* equals */
	RT_OP_IN,          /* equals one of "a|b|c" */
	RT_OP_NOT_IN,      /* absent, or equals none of "a|b|c" */
	RT_OP_CONTAINS,    /* contains one of "a|b|c" */
	RT_OP_NOT_CONTAINS,/* absent, or contains none of "a|b|c" */
	RT_OP_ENDS,        /* ends with one of "a|b|c" */
	RT_OP_NOT_ENDS,    /* absent, or ends with none of "a|b|c" */
	RT_OP_STARTS,      /* starts with one of "a|b|c" */
	RT_OP_PRESENT,     /* resolves to a usable value */
	RT_OP_GLOB,        /* matches one of "p|q" ('*' any run, '?' one, '#' a digit) */
	RT_OP_ALL          /* contains every one of "a|b|c" */
};

/* Engine behaviour a rule asks for (correlation lives in the engine). */
enum rt_rule_flag {
	RT_RF_NEED_REMOTE = 1u << 0,  /* drop unless a non-local remote end is known */
	RT_RF_LOGON_GATED = 1u << 1,  /* broker process: a local logon session -> drop */
	RT_RF_NEED_RPC_IN = 1u << 2,  /* keep only after an inbound remote TCP 135 */
	RT_RF_PARENT_CONN = 1u << 3,  /* keep only if the parent took a remote connection */
	RT_RF_TRACK = 1u << 4,        /* children of this process become findings */
	RT_RF_YIELD_WMI = 1u << 5,    /* becomes wmi.outbound next to a wmi.outbound */
	RT_RF_SHELL = 1u << 6,        /* WinRM shell: link its host process */
	RT_RF_TIME_LOGON = 1u << 7,   /* attribute by a network logon just before */
	RT_RF_DEDUP = 1u << 8,        /* one per rule, remote end and account per minute */
	RT_RF_NEED_LOGON = 1u << 9,   /* keep only when its logon session is a remote network logon */
	RT_RF_OUTPUT_READ = 1u << 10, /* an SMB read of a command's output file: names its source */
	RT_RF_NO_FINDING = 1u << 11,  /* configuration-change points only */
	RT_RF_NEED_CONSUMER = 1u << 12, /* keep only after an event consumer was registered on the host */
	RT_RF_LOCAL_REQUEST = 1u << 13, /* drop right after a local WMI process-creation request */
	RT_RF_OUTPUT_FILE = 1u << 14    /* cmd is a command's output file: its SMB read names the source */
};

/*
 * What the engine notes from a record for correlation (rules with .note
 * form a third group, where every matching rule applies): the table, not
 * the engine, names the events that carry logons, connections, boots and
 * processes.
 */
enum rt_rule_note {
	RT_NOTE_LOGON = 1u << 0,       /* a logon session began (4624 layout) */
	RT_NOTE_CONN = 1u << 1,        /* a network connection (Sysmon 3 / WFP 5156 layout) */
	RT_NOTE_BOOT = 1u << 2,        /* the system started: processes and sessions end */
	RT_NOTE_EXIT = 1u << 3,        /* a process ended (its ProcessId) */
	RT_NOTE_PROCESS = 1u << 4,     /* a process started (Sysmon 1 / 4688 layout) */
	RT_NOTE_WMI_REQUEST = 1u << 5, /* a local command asked WMI to start a process */
	RT_NOTE_LOGOFF = 1u << 6       /* a logon session ended (its TargetLogonId) */
};

#define RT_RULE_PREDS 5
#define RT_RULE_IDS 8
#define RT_RULE_CHANGES 3

typedef struct rt_rule_pred {
	const char *field;
	enum rt_rule_op op;
	const char *value;
} rt_rule_pred;

typedef struct rt_rule_change {
	const char *name;  /* template, or "@extractor" */
	const char *value; /* spec; NULL: removed (templates) */
	const char *old;   /* spec or NULL */
} rt_rule_change;

typedef struct rt_rule {
	const char *id;
	const char *technique;
	rt_finding_kind kind;
	rt_direction dir;
	rt_confidence conf;
	const char *channel;
	uint32_t ids[RT_RULE_IDS]; /* 0-terminated */
	rt_rule_pred preds[RT_RULE_PREDS];
	const char *remote_ip, *remote_host, *user, *logon_id, *process, *parent, *cmd;
	const char *object; /* what was acted on: the log cleared, the rule or setting changed */
	unsigned flags;
	unsigned note;      /* rt_rule_note bits: a correlation input, not a finding */
	const char *message;
	rt_rule_change changes[RT_RULE_CHANGES];
} rt_rule;

extern const rt_rule rt_rules[];
extern const size_t rt_nrules;

/* ------------------------------------------------------------ compiled */

/* A change extractor (change.c): reads in1/in2 (resolved input specs) and
 * the event, calls emit for each point; 0, or -1 when emit failed. */
typedef int (*rt_change_emit)(void *ctx, const char *name, const char *value);
typedef int (*rt_change_fn)(const rt_event *ev, const char *in1, const char *in2,
			    rt_change_emit emit, void *ctx);
/* The extractor named "@name", or NULL. */
rt_change_fn rt_change_extractor(const char *name);

typedef struct rt_crule_change {
	rt_tmpl *name;     /* or NULL with fn */
	rt_change_fn fn;
	rt_spec *value, *old;
} rt_crule_change;

/* A predicate's '|' list split once: for the contains tests the ids of
 * its items in the ruleset's needle search (multi.h), for equals, in,
 * ends and starts the items lower-cased with their lengths. */
typedef struct rt_needles {
	uint16_t *id;
	char *buf;          /* the items, NUL-separated */
	const char **item;
	size_t *len;
	size_t n;
} rt_needles;

/* Channels told apart by the ruleset (every name its rules list). */
#define RT_CHANNELS_MAX 32

typedef struct rt_crule {
	const rt_rule *r;
	uint32_t channels; /* bit k: rt_ruleset.channel[k] is one of the rule's */
	int group;         /* 0 activity, 1 the rest, 2 notes */
	int uses_parent;   /* a predicate reads @parent_image */
	unsigned env_preds; /* bit i: pred[i] reads the detector's state
			     * (rt_spec_reads_env), so rt_ruleset_pre leaves it */
	/* the predicates, cheapest test first (a rule matches when all hold,
	 * so the order changes what is computed, never the result) */
	unsigned char order[RT_RULE_PREDS];
	size_t npreds;
	rt_spec *pred[RT_RULE_PREDS];
	rt_needles needles[RT_RULE_PREDS];
	rt_spec *remote_ip, *remote_host, *user, *logon_id, *process, *parent, *cmd, *object;
	rt_tmpl *message;
	rt_crule_change changes[RT_RULE_CHANGES];
	size_t nchanges;
} rt_crule;

/* The whole table compiled, with an index of rules by event id. */
typedef struct rt_ruleset {
	rt_crule *rules;
	size_t n;
	size_t *by_id;  /* rule * RT_RULE_IDS + slot, sorted by event id, table order kept */
	size_t nby_id;
	/* a process record's @user, @image, @parent_image, @cmd */
	rt_spec *proc[4];
	/* the message of a tracked process's child, per kind */
	rt_tmpl *descendant[RT_FK_COUNT];
	rt_spec **specs; /* every distinct spec, shared by the rules that name it */
	char **spec_src;
	size_t nspecs;
	rt_multi multi; /* every needle of every contains test */
	char *channel[RT_CHANNELS_MAX]; /* the channel names the rules list */
	size_t channel_len[RT_CHANNELS_MAX];
	size_t nchannels;
} rt_ruleset;

/*
 * Compile `rules` (n entries) and check the table: ids unique and
 * non-empty, a channel and event id, a known kind, predicates with a
 * spec and an operator, specs and templates that compile, known
 * extractors. 0 ok; -1 with "rule 'id': problem" in err (empty on OOM).
 */
int rt_ruleset_compile(const rt_rule *rules, size_t n, rt_ruleset *out, rt_buf *err);
void rt_ruleset_release(rt_ruleset *rs);
/*
 * Values resolved for one event while its rules are tried (the process
 * rules ask for @image, @parent_image and @cmd over and over), with the
 * needles each holds (one scan for all contains tests). Keyed by the compiled spec
 * (shared by identical texts). rt_memo_init (or zero) it before the
 * event's first match; release it after the last. Values are kept only
 * when resolving did not need a scratch buffer, so they live in the event
 * or the detector.
 */
#define RT_MEMO_MAX 12
typedef struct rt_memo {
	const rt_spec *spec[RT_MEMO_MAX];
	const char *value[RT_MEMO_MAX];
	size_t len[RT_MEMO_MAX];
	rt_multi_hits hits[RT_MEMO_MAX]; /* the needles looked for in the value */
	size_t owner[RT_MEMO_MAX]; /* the entry whose hits this one shares */
	char *own[RT_MEMO_MAX];    /* a value built in scratch, kept for the event */
	size_t n;
	/* the event's channel as rt_crule.channels bits, once looked up */
	uint32_t chan;
	int has_chan;
	/* the event's first slot in rt_ruleset.by_id, once looked up */
	size_t slot0;
	int has_slot0;
} rt_memo;
/* Ready for an event: only the counts (the entries past them are never read). */
void rt_memo_init(rt_memo *m);
/* rt_spec_dup(s, env, ev), from the value matching resolved already when
 * the memo has it (same event, same env: the same text). */
char *rt_memo_dup(const rt_memo *m, const rt_spec *s, const rt_spec_env *env, const rt_event *ev);
/* The rt_crule.channels bit of `channel` (0 when no rule lists it). */
uint32_t rt_ruleset_channel(const rt_ruleset *rs, const char *channel);
/* Tell the memo the event's channel bit (rt_ruleset_channel), known
 * already; else the first match looks it up. */
void rt_memo_channel(rt_memo *m, uint32_t bits);
/* Free what the memo holds; it is then ready for another event. */
void rt_memo_release(rt_memo *m);

/*
 * The stateless part of matching `ev`, for rt_event.pre (event.h): bit j
 * (j < 63) set when the j-th rule slot listing ev's event id (rt_ruleset
 * .by_id order) names ev's channel and every predicate of that rule that
 * does not read the detector's state (env_preds) holds; RT_PRE_VALID set
 * when the word is such a verdict. 0 (computed as before) when more than
 * 63 slots list the event id. Reads only the compiled table and the event:
 * any thread may call it, at once with the others and with matching.
 * rt_ruleset_match, _matches and _notes trust a valid ev->pre computed by
 * a ruleset of the same table (every ruleset compiles rt_rules) and then
 * evaluate only the env_preds of the slots it left set; the results are
 * the same as without it.
 */
#define RT_PRE_VALID (UINT64_C(1) << 63)
uint64_t rt_ruleset_pre(const rt_ruleset *rs, const rt_event *ev);

/* The first rule of `group` (0 or 1) in table order that lists ev's event
 * id and channel and whose predicates hold, or NULL. */
const rt_crule *rt_ruleset_match(const rt_ruleset *rs, const rt_event *ev, int group,
				 const rt_spec_env *env, rt_memo *m);
/* Every rule of `group` that matches ev, in table order (at most max into
 * out); returns how many match. */
size_t rt_ruleset_matches(const rt_ruleset *rs, const rt_event *ev, int group,
			  const rt_spec_env *env, rt_memo *m, const rt_crule **out, size_t max);
/* The note bits of every note rule that matches ev; *request gets the
 * RT_NOTE_WMI_REQUEST rule that matched, if any. */
unsigned rt_ruleset_notes(const rt_ruleset *rs, const rt_event *ev, const rt_spec_env *env,
			  rt_memo *m, const rt_crule **request);

#endif
