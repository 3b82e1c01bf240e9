/*
 * rules.h - the signature table (rules.c) as the engine reads it.
 *
 * A rule matches an event by channel (case-insensitive), event id and up to
 * RT_RULE_PREDS field predicates (all must hold). Field "specs" name where a
 * value comes from; the engine resolves them (engine.c, resolve()):
 *   "Name"             the EventData/UserData field
 *   "A|B"              the first of A, B that is usable (not "", "-", 0x0)
 *   "*"                any field (predicates only)
 *   "@sid"             System/Security/@UserID
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
 *   "@peer_ip", "@local_port", "@peer_port"  the other end and our port of a
 *                      Sysmon 3 / Security 5156-5157 connection
 *   "@parent_image"    ParentImage / ParentProcessName, or for 4688 v1 the
 *                      image of the parent PID seen earlier on the host
 *   "@clsid:F"         a known COM class name for the CLSID in F (alternatives
 *                      as for @acct), else F
 * Message templates substitute {f:Spec} at match time and {host}, {user},
 * {remote}, {process}, {parent}, {cmd} after correlation.
 */
#ifndef REMTRAIL_DETECT_RULES_H
#define REMTRAIL_DETECT_RULES_H

#include <stdint.h>

#include "remtrail/finding.h"

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
	RT_OP_PRESENT      /* resolves to a usable value */
};

/* Engine behaviour a rule asks for (correlation lives in the engine). */
enum rt_rule_flag {
	RT_RF_NEED_REMOTE = 1u << 0,  /* drop unless a non-local remote end is known */
	RT_RF_LOGON_GATED = 1u << 1,  /* broker process: local logon -> drop */
	RT_RF_NEED_RPC_IN = 1u << 2,  /* keep only after an inbound remote TCP 135 */
	RT_RF_PARENT_CONN = 1u << 3,  /* keep only if the parent took a remote connection */
	RT_RF_TRACK = 1u << 4,        /* children of this process become findings */
	RT_RF_YIELD_WMI = 1u << 5,    /* becomes wmi.outbound next to a wmi.outbound */
	RT_RF_SHELL = 1u << 6,        /* WinRM shell: link its host process */
	RT_RF_TIME_LOGON = 1u << 7,   /* attribute by a network logon just before */
	RT_RF_DEDUP = 1u << 8         /* one per rule, remote end and account per minute */
};

#define RT_RULE_PREDS 5
#define RT_RULE_IDS 8

typedef struct rt_rule_pred {
	const char *field;
	enum rt_rule_op op;
	const char *value;
} rt_rule_pred;

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
	unsigned flags;
	const char *message;
} rt_rule;

extern const rt_rule rt_rules[];
extern const size_t rt_nrules;

#endif
