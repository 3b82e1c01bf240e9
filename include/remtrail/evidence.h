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
 * logs), never by name. Files are opened read-only (O_NOFOLLOW, O_NOATIME
 * where allowed) and never written. See docs/evidence.md.
 *
 * Transaction logs (.LOG, .LOG1, .LOG2 in any case, "ntuser.dat.LOG1") are
 * attached to the hive of the same base name in the same folder; a hive
 * named directly brings the logs lying next to it. A log without its hive
 * is a warning and is not listed.
 *
 * Hosts: every artifact has a collection root (the folder above the
 * Windows tree, above a drive folder such as "C" or "C%3A", above
 * Velociraptor's "uploads"); artifacts under one root are one host. Loose
 * files (in no recognised tree) are each their own group. A group is named
 * by ComputerName of its SYSTEM hive, else the Computer of its EVTX records
 * (short name before the first dot, upper case), else (loose files) the
 * name the other loose files of the same folder agree on, else the
 * collection folder's name ("Collection-<fqdn>-<date>" gives <FQDN short>),
 * else "unknown". Groups whose names are equal ignoring case are one host.
 * Order is deterministic: hosts by name, artifacts by path, logs by path
 * (bytewise).
 */
#ifndef REMTRAIL_EVIDENCE_H
#define REMTRAIL_EVIDENCE_H

#include <stddef.h>
#include <stdint.h>

#include "remtrail/diag.h"

typedef enum rt_artifact_kind { RT_ART_EVTX = 1, RT_ART_HIVE = 2 } rt_artifact_kind;

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

typedef struct rt_artifact {
	rt_artifact_kind kind;
	char *path; /* path as found (under a root the user gave) */
	uint64_t size;
	/* hives only (RT_HIVE_UNKNOWN for EVTX): from the file name kept in the
	 * base block, else from the file name (SYSTEM, SAM.sav, ntuser.dat) */
	rt_hive_kind hive_kind;
	/* Both kinds: an older copy (RegBack, a volume shadow copy, Windows.old,
	 * SYSTEM.sav/.old/.bak): an earlier snapshot of the same host. */
	int is_backup;
	char **logs; /* transaction logs attached to this hive, sorted */
	size_t nlogs;
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

typedef struct rt_evidence {
	rt_host *hosts;
	size_t nhosts;
	size_t nartifacts; /* over all hosts */
} rt_evidence;

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
 * To name hosts it opens SYSTEM hives and EVTX files through the registry
 * and evtx readers (libregf, libevtx): call it from one thread.
 * Returns 0 on success (even with errors reported, even with no artifact),
 * -1 if nothing could be done (out of memory).
 */
int rt_evidence_collect(const char *const *paths, size_t npaths, rt_evidence **out, rt_diag *diag);
/* Free everything and set *ev to NULL; NULL and *ev == NULL are no-ops. */
void rt_evidence_free(rt_evidence **ev);

/* "SYSTEM", "SOFTWARE", "SAM", "SECURITY", "NTUSER", "USRCLASS", "OTHER",
 * "UNKNOWN" (static strings). */
const char *rt_hive_kind_name(rt_hive_kind k);

#endif
