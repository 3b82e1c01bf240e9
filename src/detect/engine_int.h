/*
 * engine_int.h - the detector's state, shared by engine.c (reading events)
 * and correlate.c (deciding at the end of a host, pairing across hosts).
 *
 * Memory grows with candidate findings, logon sessions, change points and
 * the processes of the log being read (one slot per live PID), never with
 * the number of events.
 */
#ifndef REMTRAIL_DETECT_ENGINE_INT_H
#define REMTRAIL_DETECT_ENGINE_INT_H

#include "detect_int.h"
#include "remtrail/detect.h"
#include "rules.h"

#define MAX_HOST_IPS 32

/* A record that may become a finding. */
typedef struct cand {
	rt_finding f;
	const rt_crule *rule;  /* NULL for a descendant of a tracked process */
	char *tmpl;            /* the message with its {f:} parts filled */
	char *guid, *parent_guid, *sid;
	size_t guid_hash;      /* of guid, case-folded (the GUID index's key) */
	char *out_file;        /* the output file a command writes, or an SMB read names */
	char *child_logon;     /* this process's logon, from its child's 4688 SubjectLogonId */
	uint32_t pid, ppid;
	uint64_t parent_start; /* the parent's start when found by PID (boot check) */
	uint64_t pid_parent;   /* the start of the parent a 4688's PID named, or 0 */
	size_t parent;         /* tracked parent candidate, or RT_FINDING_NONE */
	size_t final;          /* index in the detector's findings once kept */
	rt_link parent_link;   /* how the parent was found (PROCESS_GUID, PID_TIME) */
	int drop, tracked;
} cand;

/* A 4624, compact. */
typedef struct logon {
	char *id, *ip, *ws, *user, *sid, *file, *channel;
	int type;
	uint64_t ts, rid;
	size_t finding; /* materialised logon.network in the findings, or NONE */
} logon;

/* An inbound connection that matters (RPC, or into a COM server). */
typedef struct conn {
	uint64_t ts;
	unsigned lport;
	char *peer, *guid;
} conn;

/* A logon session seen running local processes (not under a server of
 * remote requests). `anc`: the candidate the processes belong to (their
 * tracked parent, or themselves), or RT_FINDING_NONE; they count as local
 * only when that candidate is dropped. */
typedef struct lsess {
	char *id;
	size_t anc;
	size_t hash;    /* of (id, anc): its key in hstate.ls_ix */
	uint64_t first, last;
} lsess;

/* A live process of the log being read, by PID (4688 streams). */
typedef struct pslot {
	uint32_t pid;      /* 0: empty */
	uint64_t start;
	const char *image; /* interned broker image, or NULL for other processes */
	size_t cand;       /* its candidate, or RT_FINDING_NONE */
} pslot;

/* One host's state while its events are read. */
/* An index of items by a key: slot holds an item's index + 1 (0: empty),
 * open addressing, at most half full (engine.c, ix_*). */
typedef struct ix {
	size_t *slot;
	size_t cap, n;
} ix;

typedef struct hstate {
	char *name, *computer;
	cand *c;
	size_t nc, ac;
	logon *lg;
	size_t nlg, alg;
	logon *lo;       /* logoffs (4634/4647): id and ts only; sorted like lg at the end */
	size_t nlo, alo;
	size_t *by_time; /* remote network logons by time, built at the end */
	size_t nby_time;
	conn *cn;
	size_t ncn, acn;
	lsess *ls;
	size_t nls, als;
	ix ls_ix;        /* ls by (id, anc) */
	size_t *cn_by_time; /* cn by time, built at the end (find_conn) */
	uint64_t *boots; /* RT_NOTE_BOOT records */
	size_t nboots, aboots;
	uint64_t *wreq;  /* local WMI process-creation requests (RT_NOTE_WMI_REQUEST) */
	size_t nwreq, awreq;
	char *ips[MAX_HOST_IPS];
	size_t nips;
	ix guid_ix;      /* tracked candidates by process GUID */
	rt_change *ch;   /* change points; finding = candidate index until the end */
	size_t nch, ach;
	char **imgs;     /* broker images, interned for the PID table */
	size_t nimgs, aimgs;
	ix imgs_ix;      /* imgs by name */
	/* the log being read: PIDs of its live processes (open addressing) */
	unsigned long ps_file;
	pslot *ps;
	size_t nps, aps;
} hstate;

struct rt_detect {
	int oom;
	const rt_ruleset *rs; /* the process's, compiled once (rt_detect_prepare) */
	char *evhost;        /* the evidence host of the events being read */
	hstate *hs;          /* its hosts (more than one for forwarded logs) */
	size_t nhs, ahs;
	ix hs_ix;            /* hs by name (a forwarded log names thousands) */
	char *file;          /* the log being read, and the first Computer in it */
	char *file_computer;
	char *last_computer; /* the Computer of the last event, and whether it */
	int last_same;       /* names file_computer's host (rt_dt_same_name) */
	size_t last_hs;      /* the host of the last event (checked, then used) */
	unsigned long file_no;
	rt_pair_host *seg;   /* finished hosts: what pairing needs of them (detect.h) */
	size_t nseg, aseg;
	rt_findings all;
	char *chan_text;     /* the channel of the last event, and its rule bits */
	uint32_t chan_bits;
};

/* engine.c */
int rt_dt_grow(void **p, size_t *alloc, size_t need, size_t size);
#define DT_GROW(arr, n, a) rt_dt_grow((void **)&(arr), &(a), (n) + 1, sizeof *(arr))
void rt_dt_set_str(char **dst, const char *v);
int rt_dt_local_name(const hstate *h, const char *name);
/* Broker processes: a remote protocol's server process (WmiPrvSE, wsmprovhost, ...). */
int rt_dt_is_broker(const char *image);

/* correlate.c */
int rt_dt_end_host(rt_detect *d, hstate *h);
void rt_dt_logon_release(logon *l);

#endif
