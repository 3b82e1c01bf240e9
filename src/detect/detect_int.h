/*
 * detect_int.h - what the detect module's files share (not public).
 *
 * Text helpers (text.c) compare the way Windows names things: host names by
 * their first label, accounts without their domain, logon ids as numbers,
 * lists as "a|b|c" case-insensitively.
 */
#ifndef REMTRAIL_DETECT_INT_H
#define REMTRAIL_DETECT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "remtrail/finding.h"

#define RT_DT_SEC 10000000ULL /* FILETIME ticks per second */

typedef int (*rt_idx_cmp)(const void *ctx, size_t a, size_t b);
/* Stable sort of the index array `a` by cmp(ctx, a[i], a[j]). */
void rt_detect_sort_idx(size_t *a, size_t n, rt_idx_cmp cmp, const void *ctx);
/*
 * The items idx[0..n) grouped by equal keys: group[item] gets the smallest
 * item of idx[] whose key equals item's. hv[item] is a hash of its key
 * (equal keys, equal hashes); cmp(ctx, a, b) orders keys, 0 when equal.
 * Items are sorted by hash, and only a run of equal hashes is compared by
 * key, and sorted by it when two keys share the hash: no hashes make it
 * slower than sorting by key. 0, or -1 out of memory.
 */
int rt_detect_group_idx(const size_t *idx, size_t n, const uint64_t *hv, rt_idx_cmp cmp,
			const void *ctx, size_t *group);

/* The timeline order of rt_findings_sort: time, host, source file, record
 * id, kind, rule (0 only for findings of the same record and rule). */
int rt_detect_finding_cmp(const rt_finding *a, const rt_finding *b);
/* rt_findings_sort that also gives, in `moved` (l->n entries, or NULL),
 * each finding's new position by its old one. */
int rt_detect_sort_findings(rt_findings *l, size_t *moved);

/* Free the strings of one finding / change point (not the struct itself). */
void rt_detect_finding_release(rt_finding *f);
void rt_detect_change_release(rt_change *c);

/* A value worth using: not NULL, "", "-" nor a zero "0x000". */
int rt_dt_usable(const char *v);
/* Loopback, unspecified or unusable addresses ("127.x", "::1", "0.0.0.0", "-"). */
int rt_dt_is_loopback(const char *ip);
/* An IPv4 dotted quad or anything with a colon (IPv6). */
int rt_dt_is_ip(const char *s);
/* Host names equal by their first label (case-insensitive); addresses exactly. */
int rt_dt_same_name(const char *a, const char *b);
/* Accounts that may be the same: domains ignored, SIDs never conflict. */
int rt_dt_users_compatible(const char *a, const char *b);

/* Logon ids as "0x" + lower-case hex without leading zeros (malloc'd), NULL
 * when unusable: 0x0000000000110085 -> 0x110085. */
char *rt_dt_norm_logon(const char *v);
/* The same into b (reset first): b->buf, or NULL when unusable or on OOM. */
const char *rt_dt_norm_logon_buf(const char *v, rt_buf *b);
/* A service logon: SYSTEM (0x3e7), NETWORK SERVICE (0x3e4), LOCAL SERVICE (0x3e5). */
int rt_dt_service_logon(const char *normalised);

/* Modes of rt_dt_in_list. */
enum { RT_DT_EQ = 0, RT_DT_CONTAINS, RT_DT_ENDS, RT_DT_STARTS, RT_DT_GLOB };
/*
 * Does `v` equal / contain / end with / start with / match one of the
 * '|'-separated items of `list` (case-insensitive)? RT_DT_GLOB items are
 * patterns: '*' any run, '?' one character, '#' one digit.
 */
int rt_dt_in_list(const char *v, const char *list, int mode);

/* config's name of a service behind WinRM, WMI or DCOM ("winrm", "mpssvc", ...)
 * from its key or display name; NULL for other services (change.c). */
const char *rt_dt_service_name(const char *key_or_display);

/* A firewall rule given by words (netsh, the NetSecurity cmdlets) or event
 * values: action allow/block/bypass, dir in/out (or "2" out), protocol
 * TCP/UDP/number/any, ports and address lists as written, profile words or
 * "Domain,Private", active true/false/yes/no/1/0 (NULL: TRUE). */
typedef struct rt_dt_rulespec {
	const char *action, *dir, *protocol, *lport, *rport, *raddr, *laddr, *app, *svc, *name;
	const char *profile, *active;
} rt_dt_rulespec;
/* The registry's rule string for it ("v2.30|Action=Allow|Active=TRUE|Dir=In|..."),
 * in b; NULL on OOM (change.c). */
const char *rt_dt_rule_string(const rt_dt_rulespec *r, rt_buf *b);

/* absolute difference of two FILETIMEs */
static inline uint64_t rt_dt_absdiff(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

#endif
