/*
 * pipeline.h - the stages run in order: collect the evidence, read each
 * artifact once, build every host's configuration history and findings,
 * assess each host; then the case-level steps (findings paired across
 * hosts, movement between hosts). The writers in report.h take what this
 * returns. Nothing here prints or exits.
 *
 * Host units. Everything held per host (rt_analysis_host) is computed from
 * that host's evidence alone: its verdicts, its own findings (correlated
 * within the host, never linked to another host), its configuration, its
 * inputs. The same host analysed alone or inside a case of a hundred gives
 * the same host unit, byte for byte once written. Only rt_analysis.findings
 * (the case timeline, with outbound/inbound pairs across hosts) and
 * rt_analysis.moves depend on the other hosts: they are the case view.
 */
#ifndef REMTRAIL_PIPELINE_H
#define REMTRAIL_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include "remtrail/assess.h"
#include "remtrail/config.h"
#include "remtrail/detect.h"
#include "remtrail/diag.h"
#include "remtrail/evidence.h"
#include "remtrail/evtx.h"
#include "remtrail/finding.h"

/* ------------------------------------------------------------------ inputs */

/* What became of an input. */
typedef enum rt_input_state {
	RT_INPUT_READ = 0,   /* read whole (notes may say it was replayed, ...) */
	RT_INPUT_PARTLY,     /* read, with damage: some of it could not be read */
	RT_INPUT_UNREADABLE, /* nothing could be read from it */
	RT_INPUT_SKIPPED     /* found but not analysed (an image with no NTFS volume, a log without its hive) */
} rt_input_state;

/* "read", "partly read", "unreadable", "skipped". */
const char *rt_input_state_name(rt_input_state s);

/*
 * One input file. Paths are the raw bytes (writers escape them with
 * rt_path_escape): `path` as the user named it (the PATH given, followed by
 * the path below it), `root` the PATH argument it was found under, `rel`
 * the path below that root ("" when the PATH named the file itself).
 */
typedef struct rt_input {
	char *path;
	char *root;
	char *rel;
	char *sha256;      /* 64 hex digits, or NULL when it was not hashed or unreadable */
	uint64_t size;
	char *host;        /* host it belongs to, or NULL (skipped files; an
			    * archive or image holding several hosts) */
	char *kind;        /* "evtx", "hive:SYSTEM", "hive:SOFTWARE (backup)", "hive log",
			    * "disk image (E01)", "disk image (E01), file 2 of 3",
			    * "archive (ZIP)", or for skipped files what the walk
			    * said it is */
	rt_input_state state;
	char **notes;      /* what the readers said about it (diagnostics, escaped),
			    * errors first, in the order reported */
	size_t nnotes;
	uint64_t records;  /* EVTX: records read */
	/* Read inside a disk image or archive: its path (the input listed for
	 * it), and where inside (partition, shadow copy, path in the volume,
	 * MFT entry; `origin.container` is not meaningful here). NULL and
	 * zeros for a plain file. */
	char *container;
	rt_origin origin;
} rt_input;

/* ------------------------------------------------------------------- hosts */

/* Bytes [off, off + len) of a file remtrail wrote, whose SHA-256 is
 * `sha256`: a host's configuration left in its folder's report.json when
 * the host is read back (a case of many hosts, a merge), not held in
 * memory. */
typedef struct rt_file_span {
	char *path;
	uint64_t off, len;
	char sha256[65];
} rt_file_span;

/* How every configuration JSON begins: `remtrail config --format json`. */
#define RT_CONFIG_JSON_HEAD "{\"schema\":\"remtrail/1\",\"hosts\":["

typedef struct rt_analysis_host {
	char *name;               /* as the evidence names it (evidence.h) */
	char *dir;                /* its folder under hosts/ (rt_host_dirname) */
	char *name_source;        /* how the name was found (rt_host.name_source) */
	char *full_name;          /* "ws01.corp.example", or NULL */
	char *time_zone;          /* host.time_zone of its SYSTEM hive, or NULL */
	int has_bias;             /* active_bias below is known */
	int active_bias;          /* minutes, UTC = local + bias, when the hive was written */
	rt_assess_result *verdicts;
	rt_findings findings;     /* its own findings, timeline order, host-local links */
	/* `remtrail config --format json` of this host alone; or NULL, and
	 * then it is in `configuration_at` (read with rt_host_configuration) */
	char *configuration_json;
	rt_file_span configuration_at;
	size_t *inputs;           /* indexes into rt_analysis.inputs, in path order */
	size_t ninputs;
	rt_pair_host *pairing;    /* what pairing across hosts needs of it (one) */
} rt_analysis_host;

/* ----------------------------------------------------------------- movement */

/*
 * One edge of the case's movement graph: activity of one protocol from a
 * source to a target. Ends are host names of the case, or the remote
 * address/name a finding gives when that end is not in the evidence.
 * Built from the case findings: a paired outbound/inbound pair counts once;
 * an inbound finding without a pair gives remote -> host, an outbound one
 * host -> remote. Refused attempts count apart (`refused`).
 */
typedef struct rt_move {
	char *src, *dst;
	int src_known, dst_known; /* the end is a host of the case */
	char *protocol;           /* "winrm", "wmi", "dcom": the finding kind's prefix */
	uint64_t first, last;
	size_t count;             /* findings of use (pairs once) */
	size_t refused;           /* failed or denied attempts */
	size_t paired;            /* of `count`, seen on both ends */
} rt_move;

/*
 * What a finding is for the case view, from its direction and kind name
 * "<protocol>.<what>": use of a protocol (winrm.inbound, wmi.outbound,
 * ...), a refused attempt ("*.failed", "*.denied"), supporting evidence
 * ("logon.*"), or none (configuration changes, no direction). `proto` /
 * `plen` get the protocol part of the kind name ("" for none).
 */
typedef enum rt_role { RT_ROLE_NONE = 0, RT_ROLE_USE, RT_ROLE_REFUSED, RT_ROLE_SUPPORT } rt_role;
rt_role rt_finding_role(const rt_finding *f, const char **proto, size_t *plen);

/* ---------------------------------------------------------------- evidence */

/*
 * Options for rt_evidence_collect with the readers' host namers (ComputerName
 * of a SYSTEM hive, Computer of an EVTX file's records) and, when `sha256`,
 * every artifact hashed as it is read.
 */
void rt_pipeline_evidence_opts(rt_evidence_opts *o, int sha256);
/*
 * The BitLocker recovery password those options carry (rt_evidence_opts.
 * recovery_password), for every command of the run; NULL for none. Set
 * once, before any collection (the string is kept, not copied).
 */
void rt_pipeline_set_recovery_password(const char *password);
/*
 * Threads for the work the evidence walk does per host (its name read
 * from its SYSTEM hive or logs, its management hosts from its firewall
 * rules), for every command of the run: rt_evidence_opts.threads and
 * rt_units_collect. 0 or 1 (the default): one host at a time. The result
 * is the same for any number.
 */
void rt_pipeline_set_jobs(unsigned jobs);
unsigned rt_pipeline_jobs(void);
/*
 * Progress of that work, for every command of the run: fn(what, done,
 * total) as each piece is done ("collections and loose files named",
 * "hosts' firewall rules read"), from one thread at a time, first with
 * done 0. NULL (the default): none.
 */
void rt_pipeline_set_progress(void (*fn)(const char *what, size_t done, size_t total));
void (*rt_pipeline_progress(void))(const char *what, size_t done, size_t total);
/* rt_evidence_collect with those options. */
int rt_pipeline_collect(const char *const *paths, size_t npaths, int sha256, rt_evidence **out,
			rt_diag *diag);

/* ---------------------------------------------------------------- analysis */

/*
 * The whole pipeline behind `assess` and `analyze`: collect the evidence,
 * read each host's configuration history and findings, assess every host.
 * Every input's SHA-256 is computed from the bytes the readers read (in
 * their threads); only what no reader needed is read afterwards for its
 * hash. What cannot be read is reported through `diag` and the rest is
 * analysed.
 */
typedef struct rt_analysis_opts {
	const char *mgmt_scope;  /* rt_assess_opts.mgmt_scope */
	/* the case's management hosts (rt_units_mgmt_hosts), the same for
	 * every unit of a case; NULL: rt_analysis_run finds them, and
	 * rt_unit_analyse takes the unit's own */
	const char *mgmt_hosts;
	int hash_inputs;         /* compute SHA-256 of every input file */
	/* threads: rt_analysis_run analyses this many hosts side by side
	 * (rt_units_each); within one unit, its EVTX decoding threads
	 * (rt_evtx_opts.threads) */
	int threads;
	rt_reader reader;        /* EVTX reader (rt_evtx_opts.reader) */
	/* activity window: findings before `from` or after `to` are left out of
	 * the timeline and of the verdicts (0: open); the configuration history
	 * is always read whole */
	uint64_t from, to;
	/* progress for long work (files read, hosts done); may be NULL */
	void (*progress)(void *ctx, const char *what, size_t done, size_t total);
	void *progress_ctx;
} rt_analysis_opts;

typedef struct rt_analysis {
	rt_analysis_host *hosts;   /* ordered by name (evidence order) */
	size_t nhosts;
	rt_input *inputs;          /* every artifact, hive log and skipped file, by path */
	size_t ninputs;
	rt_findings findings;      /* the case timeline: all hosts, paired across hosts */
	rt_move *moves;            /* by source, target, protocol */
	size_t nmoves;
	void *priv;
	void *keep;                /* strings the results point to (internal) */
	/* A unit's result (rt_unit_analyse, a host folder read back): the files
	 * of the images and archives its inputs lie in (rt_unit.containers),
	 * with path, size and SHA-256 (NULL when they could not be read), as
	 * unit.json records them; the case takes their SHA-256 from here when
	 * it has none of its own (a case merged from shards). */
	rt_input *containers;
	size_t ncontainers;
} rt_analysis;

/* 0 (results in *out, even with errors reported), -1 if nothing could be
 * done (no evidence at all, or out of memory). The same as every host
 * analysed alone (units.h: rt_unit_analyse) and joined (rt_case_join). */
int rt_analysis_run(const char *const *paths, size_t npaths, const rt_analysis_opts *opts,
		    rt_analysis **out, rt_diag *diag);
void rt_analysis_free(rt_analysis **a);

/*
 * The case from its hosts' results (each with one host, in the order the
 * case lists them: from rt_unit_analyse or read back from host folders)
 * and the inputs that belong to no host: hosts and inputs gathered, the
 * hosts' findings put together and paired across hosts (rt_pair_findings),
 * the movement graph (the case configuration is the hosts': see
 * rt_host_configuration). The parts are emptied (their
 * results move into the case) but still to be freed. The result depends
 * only on the parts, so the case analysed at once and the case merged from
 * shards are the same. Returns 0, or -1 on out of memory.
 */
int rt_case_join(rt_analysis **parts, size_t nparts, const rt_input *skipped, size_t nskipped,
		 rt_analysis **out);

/*
 * Append host h's configuration JSON to `out`: from memory, or read back
 * from its folder (configuration_at), checked against its SHA-256; a host
 * with neither gives RT_CONFIG_JSON_HEAD "]}". 0, or -1 (out of memory;
 * the file is gone or changed since it was read: errno EIO).
 */
int rt_host_configuration(const rt_analysis_host *h, rt_buf *out);

/*
 * A host name as a folder name that is safe on every file system an
 * analyst copies a case to, and reversible: ASCII letters, digits, '-' and
 * '_' are kept; every other byte is %XX (upper-case hex), as is a leading
 * '.', the last character of a Windows device name (CON, PRN, AUX, NUL,
 * COM1-9, LPT1-9, any case, with or without extension) and anything past
 * 64 bytes (then cut, with '~' and 8 hex digits of the name's SHA-256).
 * Appends to `out`; 0, or -1 on out of memory. Two hosts of one case never
 * get folders that are equal ignoring case: see rt_analysis_run, which adds
 * "~2", "~3" in host order where that would happen.
 */
int rt_host_dirname(rt_buf *out, const char *name);

/*
 * The movement graph of a findings list (case findings: pairs across hosts
 * are used, see rt_move). `hosts` are the case's host names, for telling
 * known ends. On success *out (malloc'd) holds *n edges; free with
 * rt_moves_free.
 */
int rt_moves_build(const rt_findings *f, const char *const *hosts, size_t nhosts, rt_move **out,
		   size_t *n);
void rt_moves_free(rt_move *m, size_t n);

/* ---------------------------------------------------------------- config */

/*
 * The configuration history behind `config`: every hive of the evidence
 * (rt_config_from_evidence) plus the changes the EVTX logs date (the
 * detect module's change points, as "event" points). Unreadable input is
 * reported through `diag`; 0 with *out set (maybe without hosts), -1 on
 * out of memory.
 */
int rt_pipeline_config(const rt_evidence *ev, const rt_evtx_opts *o, rt_config **out,
		       rt_diag *diag);

#endif
