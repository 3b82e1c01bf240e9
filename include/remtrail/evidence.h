/*
 * evidence.h - from the paths the user gives to artifacts grouped by host.
 *
 * Inputs may be any mix of EVTX files, hive files and folder trees (a mounted
 * Windows volume, a KAPE target output, a Velociraptor collection with
 * URL-encoded names such as "C%3A", a folder holding many hosts'
 * collections). Folders are walked recursively (64 levels at most, each
 * folder once, whatever links or bind mounts lead to it). Symbolic links
 * found inside a tree are never followed (files or folders); a link the user
 * names is. Artifacts are recognised by content ("ElfFile\0" for EVTX,
 * "regf" with base block file type 0 for hives, 1/2/6 for transaction
 * logs), never by name. Files and folders are opened read-only, relative to
 * the folder that holds them (openat), with O_NOATIME where allowed and
 * O_NOFOLLOW inside trees; each artifact is opened once and its descriptor
 * kept in its byte source (source.h), through which every stage reads it:
 * nothing is opened again by path, access times stay as they were, and
 * nothing is ever written. See docs/evidence.md.
 *
 * Transaction logs (.LOG, .LOG1, .LOG2 in any case, "ntuser.dat.LOG1") are
 * attached to the hive of the same base name in the same folder; a hive
 * named directly brings the logs lying next to it. A log without its hive
 * is a warning and is not listed.
 *
 * Which hive a file is (SYSTEM, SOFTWARE, ...) is decided once, by
 * rt_hive_classify, and passed on in rt_artifact.hive_kind with its reason;
 * later stages do not decide again.
 *
 * Hosts: every artifact has a collection root (the folder above the
 * Windows tree, above a drive folder such as "C" or "C%3A", above
 * Velociraptor's "uploads"); artifacts under one root are one host. Loose
 * files (in no recognised tree) are each their own group. A group is named
 * by the host namers the caller passes in (rt_evidence_opts: ComputerName of
 * its SYSTEM hive, else the Computer of its EVTX records; short name before
 * the first dot, upper case), else (loose files) the name the other loose
 * files of the same folder agree on, else the collection folder's name
 * ("Collection-<fqdn>-<date>" gives <FQDN short>), else "unknown". Groups
 * whose names are equal ignoring case are one host. Order is deterministic:
 * hosts by name, artifacts by path, logs by path (bytewise).
 */
#ifndef REMTRAIL_EVIDENCE_H
#define REMTRAIL_EVIDENCE_H

#include <stddef.h>
#include <stdint.h>

#include "remtrail/diag.h"
#include "remtrail/source.h"
#include "remtrail/util.h"

typedef enum rt_artifact_kind {
	RT_ART_EVTX = 1,
	RT_ART_HIVE = 2,
	RT_ART_HIVE_LOG = 3 /* only as rt_artifact.logs[] of a hive */
} rt_artifact_kind;

typedef enum rt_hive_kind {
	RT_HIVE_UNKNOWN = 0,
	RT_HIVE_SYSTEM,
	RT_HIVE_SOFTWARE,
	RT_HIVE_SAM,
	RT_HIVE_SECURITY,
	RT_HIVE_NTUSER,
	RT_HIVE_USRCLASS,
	RT_HIVE_OTHER
} rt_hive_kind;

/*
 * Which hive a file is, and why: the root keys first ("root keys Select and
 * ControlSet001"), then the name the hive keeps in its base block, then its
 * file name. Hives remtrail knows but does not read (DEFAULT, COMPONENTS,
 * Amcache.hve, ...) are RT_HIVE_OTHER; so is a hive none of these
 * identify, with `unsure` set.
 */
typedef struct rt_hive_class {
	rt_hive_kind kind;
	int unsure;
	char reason[160];
} rt_hive_class;

/*
 * Classify the hive in `src`; `path` (may be NULL) gives its file name.
 * Reads the base block and the cells of the root key and its subkeys (a
 * few small bounded reads), nothing else. Returns 0, or -1 when the base
 * block cannot be read or has no "regf" signature (kind UNKNOWN).
 */
int rt_hive_classify(rt_source *src, const char *path, rt_hive_class *out);

/*
 * Where an artifact found inside a container came from: which container
 * (rt_evidence.containers[container - 1]), which partition, which shadow
 * copy, which path and MFT entry inside the volume.
 */
typedef struct rt_origin {
	size_t container;       /* 1-based index into rt_evidence.containers; 0: a
				 * plain file, none of the rest applies; in an
				 * archive only inner_path (the entry) does */
	int partition;          /* partition number in its table, 0 for a bare volume */
	const char *scheme;     /* "MBR", "GPT", "none" (static) */
	uint64_t partition_offset; /* bytes */
	int shadow_copy;        /* 1-based shadow copy store, 0 for the live volume */
	uint64_t shadow_copy_time; /* the store's creation time (FILETIME) */
	char *inner_path;       /* the path inside the volume ("/Windows/...") */
	uint64_t mft_entry;     /* its MFT entry number (UINT64_MAX if unknown) */
} rt_origin;

typedef struct rt_artifact {
	rt_artifact_kind kind;
	char *path;      /* path as found (under a root the user gave); inside an
			  * image: "IMAGE/p2/Windows/...", with "/vss1" after the
			  * partition for a shadow copy */
	uint64_t size;
	rt_source *src;  /* its bytes: read through this, never by path */
	/* hives only (RT_HIVE_UNKNOWN otherwise): rt_hive_classify's decision */
	rt_hive_kind hive_kind;
	char *hive_kind_reason; /* NULL for EVTX and logs */
	int hive_kind_unsure;   /* nothing identified it (RT_HIVE_OTHER) */
	/* Both kinds: an older copy (RegBack, a volume shadow copy, Windows.old,
	 * SYSTEM.sav/.old/.bak): an earlier snapshot of the same host. */
	int is_backup;
	struct rt_artifact *logs; /* hives: their transaction logs, sorted by path */
	size_t nlogs;
	rt_origin origin;
	int by_path;     /* src opened by path for a unit read from a manifest
			  * (units.h), and let go after it */
	int gone_named;  /* no src, and why was named on stderr already (a
			  * manifest's file or container that could not be
			  * opened): readers count it as lost, silently */
} rt_artifact;

typedef struct rt_host {
	char *name;        /* never NULL; "unknown" if nothing names the host */
	char *name_source; /* how the name was found: "SYSTEM hive", "EVTX Computer",
	                    * "sibling" (loose files next to one that names it),
	                    * "folder" (the collection folder), "none" */
	rt_artifact *artifacts;
	size_t nartifacts;
	/* extensions */
	char *full_name; /* the name as recorded ("ws01.corp.example"); NULL when
	                  * the name comes from a folder or nothing */
	char **roots;    /* collection roots merged into this host (absolute,
	                  * links in the given paths resolved), sorted; none for
	                  * loose files */
	size_t nroots;
} rt_host;

/* A volume of a container, and its shadow copies (for listings). */
typedef struct rt_store_info {
	int index;        /* 1-based */
	uint64_t created; /* FILETIME */
} rt_store_info;

typedef struct rt_volume_info {
	int index;            /* partition number, 0 for a bare volume */
	const char *scheme;   /* "MBR", "GPT", "none" */
	uint64_t offset, size;
	const char *fs;       /* "NTFS", "BitLocker", "other" */
	char *note;           /* what was done with it: "read", "BitLocker-encrypted
			       * volume: give its recovery password ...", ... */
	rt_store_info *stores;
	size_t nstores;
} rt_volume_info;

/* A disk image or archive the walk opened, with the files it is made of. */
typedef struct rt_container {
	char *path;          /* its first file, as found */
	const char *kind;    /* "E01", "VHDX", "raw MBR disk", ...; "ZIP", "7z",
			      * "tar", "gzip", "xz", "bzip2" (static) */
	int archive;         /* an archive (no volumes; origins name its entries) */
	uint64_t media_size; /* bytes of the disk it holds (an archive: its size) */
	rt_artifact *files;  /* its files (segments, extents, parents), first first;
			      * kind 0, for their paths, sizes and hashes */
	size_t nfiles;
	rt_volume_info *volumes;
	size_t nvolumes;
} rt_container;

typedef struct rt_evidence {
	rt_host *hosts;
	size_t nhosts;
	size_t nartifacts; /* over all hosts */
	rt_container *containers; /* archives in the order met, then images in
				   * path order */
	size_t ncontainers;
} rt_evidence;

/* A host namer: the computer name the artifact in `src` records (malloc'd,
 * as recorded: "ws01.corp.example"), or NULL. Failures are silent: the
 * stage that reads the artifact later reports its damage, once. */
typedef char *(*rt_host_namer)(void *ctx, rt_source *src);

typedef struct rt_evidence_opts {
	rt_host_namer name_from_system; /* ComputerName of a SYSTEM hive */
	rt_host_namer name_from_evtx;   /* Computer of an EVTX file's first records */
	void *namer_ctx;
	/* Hash every artifact's bytes as the readers read them
	 * (rt_source_want_sha256 on each source). */
	int sha256;
	/* BitLocker recovery password for encrypted volumes in images */
	const char *recovery_password;
	/* Hosts whose names are read from their artifacts side by side (a
	 * SYSTEM hive is read whole for it): 0 or 1, one at a time. The namers
	 * are then called from several threads at once, each on its own
	 * artifacts. */
	unsigned threads;
	/* Called as the collections and loose files are named (what, done
	 * of total), from one thread at a time; may be NULL. */
	void (*progress)(const char *what, size_t done, size_t total);
} rt_evidence_opts;

/*
 * Walk `paths` and build the evidence set in *out (the caller frees it with
 * rt_evidence_free; *out is NULL on failure). Reported through diag, the
 * walk going on:
 *   error  a path or folder that cannot be opened or read (subject: path);
 *          a file named directly that is neither EVTX nor hive ("not an EVTX
 *          file or registry hive"); a disk image or device named directly
 *          ("disk image (E01) is not supported yet: mount it and pass the
 *          mounted folder"); folders nested too deep
 *   warn   a disk image found inside a folder (not analyzed); a transaction
 *          log without its hive; once per folder given, the number of
 *          symbolic links found in it and not followed
 * Other files found by walking are skipped silently, as are FIFOs and
 * devices. The same file reached twice (two paths, hard links) is
 * listed once, under its bytewise-first path.
 * `opts` may be NULL: then hosts are named by their folders only (the
 * pipeline's rt_pipeline_collect passes the readers' namers). The namers
 * run on the calling thread: call it from one thread.
 * Returns 0 on success (even with errors reported, even with no artifact),
 * -1 if nothing could be done (out of memory).
 */
int rt_evidence_collect(const char *const *paths, size_t npaths, const rt_evidence_opts *opts,
			rt_evidence **out, rt_diag *diag);
/* Free everything and set *ev to NULL; NULL and *ev == NULL are no-ops. */
void rt_evidence_free(rt_evidence **ev);

/*
 * What was found, for `remtrail evidence`: JSON {"schema":"remtrail/1",
 * "containers":[{path, kind, media_size, files[], volumes[{partition, scheme,
 * offset, size, fs, note, shadow_copies[]}]}], "hosts":[{host, name_source,
 * artifacts[{path, kind, size, hive, hive_reason, backup, origin, logs}]}]},
 * or text for an analyst. Appended to `out`; 0, -1 on out of memory.
 */
int rt_evidence_write_json(const rt_evidence *ev, rt_buf *out);
int rt_evidence_write_text(const rt_evidence *ev, rt_buf *out);

/* "SYSTEM", "SOFTWARE", "SAM", "SECURITY", "NTUSER", "USRCLASS", "OTHER",
 * "UNKNOWN" (static strings). */
const char *rt_hive_kind_name(rt_hive_kind k);

#endif
