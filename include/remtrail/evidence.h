/*
 * evidence.h - from the paths the user gives to artifacts grouped by host.
 *
 * Inputs may be any mix of EVTX files, hive files and folder trees (a mounted
 * Windows volume, a KAPE target output, a Velociraptor collection with
 * URL-encoded names such as "C%3A", a folder holding many hosts'
 * collections). Folders are walked recursively; symbolic links are not
 * followed out of the given roots. Artifacts are recognised by content
 * ("ElfFile\0" for EVTX, "regf" for hives), never by name alone. Hive
 * transaction logs (.LOG, .LOG1, .LOG2 in any case, next to a hive of the
 * same base name) are attached to their hive. Files are opened read-only.
 *
 * Hosts: ComputerName from a SYSTEM hive
 * (ControlSet\Control\ComputerName\ComputerName), else the Computer of the
 * EVTX records (short name, upper case), else the name of the collection
 * folder. Artifacts found under the same collection root belong to the same
 * host. Order is deterministic: hosts sorted by name, artifacts by path.
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
	char *path;          /* path as found (under a root the user gave) */
	uint64_t size;
	/* hives only */
	rt_hive_kind hive_kind;
	/* Both kinds: an older copy (RegBack, a volume shadow copy, Windows.old,
	 * SYSTEM.sav/.old/.bak): an earlier snapshot of the same host. */
	int is_backup;
	char **logs;         /* transaction logs attached to this hive, sorted */
	size_t nlogs;
} rt_artifact;

typedef struct rt_host {
	char *name;          /* never NULL; "unknown" if nothing names the host */
	char *name_source;   /* how the name was found: "SYSTEM hive", "EVTX Computer",
			      * "sibling" (loose files next to one that names it),
			      * "folder" (the collection folder), "none" */
	rt_artifact *artifacts;
	size_t nartifacts;
	/* extensions */
	char *full_name;     /* the name as recorded ("ws01.corp.example"); NULL when
			      * the name comes from a folder or nothing */
	char **roots;        /* collection roots merged into this host (absolute,
			      * links in the given paths resolved), sorted; none for
			      * loose files */
	size_t nroots;
} rt_host;

typedef struct rt_evidence {
	rt_host *hosts;
	size_t nhosts;
	size_t nartifacts;   /* over all hosts */
} rt_evidence;

/*
 * Walk `paths` and build the evidence set in *out. Unreadable paths and
 * files that cannot be identified are reported through diag (an unreadable
 * path is an error; a file that is neither EVTX nor a hive is skipped
 * silently unless it was named directly, then it is an error).
 * Returns 0 on success (even with errors reported), -1 if nothing could be
 * done (out of memory).
 */
int rt_evidence_collect(const char *const *paths, size_t npaths, rt_evidence **out,
			rt_diag *diag);
void rt_evidence_free(rt_evidence **ev);

const char *rt_hive_kind_name(rt_hive_kind k);

#endif
