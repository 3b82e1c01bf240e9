/*
 * fwrule.h - Windows Firewall rule strings ([MS-GPFAS] 2.2.2.19), parsed.
 *
 * A rule is stored in the registry as one REG_SZ per rule, value name = rule
 * id, data like
 *   v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=5985|RA4=LocalSubnet|App=System|Name=@FirewallAPI.dll,-30253|
 * This module is pure (no registry, no I/O): it splits such a string into
 * its version and Key=Value fields, keeps every field in order (keys may
 * repeat: two LA4= in Microsoft's own example), and interprets the fields
 * that decide reachability: Action, Active, Dir, Protocol, Profile, LPort,
 * RPort, LPort2_10, RPort2_10, LA4, RA4, LA6, RA6, App, Svc, AppPkgId, PFN,
 * LUOwn, LUAuth, Security/Security2/Security2_9, RMAuth, RUAuth, IF,
 * IFType, Edge, TTK* (trust-tuple keywords), Name, Desc, EmbedCtxt.
 * Everything else stays available as raw fields. Matching a rule to a
 * connection is the firewall model's business (winfw.h).
 *
 * Input is hostile: any byte string is accepted without crashing. Tokens
 * that do not parse are counted in `bad` (and kept as raw fields) rather
 * than failing the whole rule, so a half-damaged rule still says what it
 * can. Keys are compared case-insensitively; so are keywords.
 */
#ifndef REMTRAIL_FWRULE_H
#define REMTRAIL_FWRULE_H

#include <stddef.h>
#include <stdint.h>

#include "remtrail/util.h"

/* Hard limits against hostile input. */
#define RT_FW_MAX_RULE_LEN 65536 /* longer strings are cut here (bad++) */
#define RT_FW_MAX_FIELDS 1024    /* further fields are ignored (bad++) */

typedef enum rt_fw_action {
	RT_FW_ACTION_NONE = 0, /* no Action= field */
	RT_FW_ACTION_ALLOW,
	RT_FW_ACTION_BLOCK,
	RT_FW_ACTION_BYPASS,
	RT_FW_ACTION_OTHER
} rt_fw_action;

typedef enum rt_fw_dir { RT_FW_DIR_NONE = 0, RT_FW_DIR_IN, RT_FW_DIR_OUT, RT_FW_DIR_OTHER } rt_fw_dir;

/* Profile bits; a rule without Profile= applies to all (profiles == 0). */
enum { RT_FW_PROF_DOMAIN = 1, RT_FW_PROF_PRIVATE = 2, RT_FW_PROF_PUBLIC = 4, RT_FW_PROF_ALL = 7 };

/* One LPort/RPort item: a number range (lo == hi for one port) or a keyword
 * such as RPC, RPC-EPMap, IPHTTPSIn, IPHTTPSOut, Ply2Disc, Teredo, mDNS
 * (kept as written in `keyword`). */
typedef struct rt_fw_port {
	uint16_t lo, hi;
	char *keyword; /* NULL for numbers */
} rt_fw_port;

typedef enum rt_fw_addr_kind {
	RT_FW_ADDR_KEYWORD = 1, /* LocalSubnet, DNS, DHCP, WINS, DefaultGateway, Intranet, ... */
	RT_FW_ADDR_V4,          /* lo..hi inclusive (single address, range, or subnet) */
	RT_FW_ADDR_V6,
	RT_FW_ADDR_ANY          /* "*" or "Any" */
} rt_fw_addr_kind;

typedef struct rt_fw_addr {
	rt_fw_addr_kind kind;
	uint8_t lo[16], hi[16]; /* network order; V4 uses the first 4 bytes */
	char *text;             /* as written (keyword spelling, "10.0.0.0/8", ...) */
} rt_fw_addr;

typedef struct rt_fw_ports {
	rt_fw_port *v;
	size_t n;
} rt_fw_ports;

typedef struct rt_fw_addrs {
	rt_fw_addr *v;
	size_t n;
} rt_fw_addrs;

typedef struct rt_fw_field {
	char *key;   /* as written */
	char *value; /* as written; "" when the token had no '=' */
} rt_fw_field;

typedef struct rt_fwrule {
	char *version;       /* "v2.10" as written, NULL if the string did not start with v */
	unsigned vmajor, vminor;
	rt_fw_field *fields; /* every Key=Value token in order */
	size_t nfields;

	rt_fw_action action;
	rt_fw_dir dir;
	int active;          /* 1 TRUE, 0 FALSE; absent counts as 1 (Windows' default) */
	int protocol;        /* 0..255, -1 when absent (any) */
	unsigned profiles;   /* RT_FW_PROF_* bits, 0 when absent (= all) */
	rt_fw_ports lport, rport; /* LPort and LPort2_10 together; RPort and RPort2_10 */
	rt_fw_addrs la4, ra4, la6, ra6;
	char *app, *svc, *name, *desc, *embedctxt; /* first occurrence, NULL if absent */
	char *apppkgid, *pfn;  /* app-container package SID / family name */
	char *luown, *luauth;  /* local user owner SID, authorized local users (SDDL) */
	char *security;        /* Security, Security2 or Security2_9 value */
	char *rmauth, *ruauth; /* remote machine / user authorization lists (SDDL) */
	char *iftype;          /* IFType value ("Lan", "Wireless", "RemoteAccess", "All") */
	char *ttk;             /* first trust-tuple keyword value (TTK=, TTK2_xx=) */
	unsigned nif;          /* IF= interface conditions */
	int edge;              /* Edge=TRUE */
	unsigned bad;        /* tokens or items that did not parse */
} rt_fwrule;

/*
 * Parse `n` bytes of `s` (need not be NUL-terminated; stops at a NUL) into
 * *r, which is overwritten (no need to initialise). Returns 0 when the text
 * looked like a rule (starts with v/V and a version) and -1 when it did not
 * or memory ran out; in both cases *r is valid and must be released with
 * rt_fwrule_release (on -1 it holds whatever could be read).
 */
int rt_fwrule_parse(const char *s, size_t n, rt_fwrule *r);
void rt_fwrule_release(rt_fwrule *r);

/* The value of the first field named `key` (case-insensitive), or NULL. */
const char *rt_fwrule_get(const rt_fwrule *r, const char *key);

/* True when the rule applies to profile bit `prof` (absent Profile = all). */
int rt_fwrule_has_profile(const rt_fwrule *r, unsigned prof);

/* Append a list as written, comma-separated ("*" for an empty list). */
int rt_fw_ports_text(rt_buf *out, const rt_fw_ports *p);
int rt_fw_addrs_text(rt_buf *out, const rt_fw_addrs *a);
/* "domain,private,public" style, "all" when absent. */
int rt_fw_profiles_text(rt_buf *out, unsigned profiles);

const char *rt_fw_action_name(rt_fw_action a); /* "allow", "block", "bypass", "other", "" */
const char *rt_fw_dir_name(rt_fw_dir d);       /* "in", "out", "other", "" */

#endif
