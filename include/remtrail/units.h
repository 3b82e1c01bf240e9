/*
 * units.h - a case as work units, one per host, and the host folders that
 * hold their results (docs/scale.md).
 *
 * Listing. rt_units_collect walks the evidence once (evidence.h) and makes
 * every host a unit: the host as the walk found and named it, the folder
 * its results go to under hosts/ (rt_host_dirname, "~N" where two would be
 * equal ignoring case), its files and their total size. Files the walk
 * found and left (a disk image inside a folder, a log without its hive, a
 * folder it could not open) belong to no unit: they are the case's
 * `skipped` inputs, with what the walk said about them.
 *
 * Manifest. rt_units_manifest writes the units as JSON Lines, one unit per
 * line ({"unit":1,"host":...}), then one line per skipped input
 * ({"skipped":...}); rt_units_parse reads it back to the same units
 * without walking again, so a unit analysed from the manifest on another
 * machine gives the same host folder as the whole case analysed at once.
 * Strings are written as rt_path_escape writes file names (reversible:
 * \xNN for bytes that are not UTF-8). Relative paths are relative to the
 * manifest's `base`, the folder `remtrail hosts` ran in.
 *
 * Artifacts inside images and archives. A unit whose artifacts lie in
 * containers lists them ("containers": each outermost image or archive
 * with its files and their sizes), and each such artifact carries its
 * `origin` (the container, partition, shadow copy, path inside the volume
 * or archive entry, MFT entry). A unit read from a manifest walks its
 * containers again when it is analysed (rt_unit_analyse) and reads each
 * artifact through the byte source found there under the same path; an
 * artifact no longer there, or a container that cannot be opened, is named
 * on diag and the rest of the unit is analysed. Manifests without these
 * fields (plain files only) read as before.
 *
 * Host folders. DIR/hosts/<dir>/ holds a unit's report files and, written
 * last, unit.json: the record that the folder is complete (each file's size
 * and SHA-256), what it was made from (remtrail version, the options that
 * shape results, each input's path, size and SHA-256) and what the case
 * step needs that the reports do not hold (links between the host's
 * findings, the host's addresses and network logons for pairing). A folder
 * is written under a temporary name (hosts/.<dir>.tmp.<pid>) and renamed
 * into place, so a crash leaves either the old complete folder, the new
 * complete folder, or none - never a half-written one taken as complete.
 *
 * Nothing here prints or exits.
 */
#ifndef REMTRAIL_UNITS_H
#define REMTRAIL_UNITS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "remtrail/diag.h"
#include "remtrail/evidence.h"
#include "remtrail/pipeline.h"

/* A file of an image or archive a unit's artifacts lie in (an E01 segment,
 * a ZIP). */
typedef struct rt_unit_file {
	char *path;
	uint64_t size;
	rt_source *src; /* walked: the file's byte source (owned by rt_units.ev);
			 * NULL when the unit was read from a manifest */
} rt_unit_file;

/* An image or archive on disk that holds some of a unit's artifacts: the
 * outermost one (a VHDX inside a ZIP is the ZIP), which a unit read from a
 * manifest walks again to reach them. */
typedef struct rt_unit_container {
	char *path;          /* its first file, as found */
	rt_unit_file *files; /* its files, first first (segments, extents) */
	size_t nfiles;
} rt_unit_container;

typedef struct rt_unit {
	const rt_host *host; /* in rt_units.ev */
	char *dir;           /* its folder under hosts/ */
	uint64_t size;       /* bytes of its files (artifacts and transaction logs) */
	size_t nfiles;
	char **paths;        /* the PATH arguments its files were found under */
	size_t npaths;
	rt_unit_container *containers; /* by path; none when all its files are
					* plain files */
	size_t ncontainers;
	char *mgmt;          /* its addresses when its SYSTEM hive makes it a
			      * domain controller or file server, comma-separated,
			      * "" when not (rt_units_mgmt_hosts); NULL when not
			      * known (a manifest without "mgmt_ipv4") */
} rt_unit;

typedef struct rt_units {
	rt_evidence *ev;     /* unit k is ev->hosts[k]: hosts by name */
	rt_unit *units;
	size_t n;
	rt_input *skipped;   /* found and in no unit, by path (host NULL) */
	size_t nskipped;
	char *base;          /* the folder relative paths are relative to */
	pthread_t hasher;    /* rt_units_hash_start's thread, while `hashing` */
	int hashing;
	int from_manifest;   /* made by rt_units_parse: no evidence was walked */
} rt_units;

/*
 * The images and archives the walk opened are inputs of the case (in
 * `skipped`, with the files no unit holds; state read when something in
 * them was analysed). Their SHA-256 is computed by a thread started by
 * rt_units_hash_start (after rt_units_collect, while the units are
 * analysed) and put into their inputs by rt_units_hash_finish, which waits
 * for it (a file that cannot be read is named on diag). Units read from a
 * manifest walked nothing: start does nothing, and finish hashes their
 * skipped images and archives from the files the manifest names (one that
 * is gone, unreadable or of another size now is named on diag and left
 * without). finish: 0, or -1 on out of memory.
 */
void rt_units_hash_start(rt_units *u);
int rt_units_hash_finish(rt_units *u, rt_diag *diag);

/* The manifest's line format, for the documentation and error messages. */
#define RT_MANIFEST_SCHEMA "remtrail-manifest/1"

/*
 * Walk `paths` and list the units (see above). What cannot be read is
 * reported through diag (as rt_evidence_collect does) and recorded in the
 * skipped inputs. Returns 0 (*out set, possibly with no unit), or -1 on
 * out of memory.
 */
int rt_units_collect(const char *const *paths, size_t npaths, rt_units **out, rt_diag *diag);
/* The manifest (JSON Lines, each line ending in '\n'). 0, or -1 on OOM. */
int rt_units_manifest(const rt_units *u, rt_buf *out);
/*
 * Read a manifest. Returns 0 with *out set, or -1 with the reason in `err`
 * ("line 3: ..."). Lines that are empty are ignored.
 */
int rt_units_parse(const char *text, size_t len, rt_units **out, char *err, size_t errlen);
void rt_units_free(rt_units **u);

/*
 * Shard `i` of `n` (1 <= i <= n): sel[k] is set for the units it takes.
 * Units are dealt largest first, each to the shard with the fewest bytes
 * so far (the lowest-numbered on a tie), so shards are even in size and
 * every unit is in exactly one shard. -1 on bad i/n or OOM.
 */
int rt_units_shard(const rt_units *u, unsigned i, unsigned n, unsigned char *sel);
/* The unit whose host name (case-insensitive) or folder is `name`, or u->n. */
size_t rt_units_find(const rt_units *u, const char *name);

/*
 * Analyse unit k alone: the result has one host (hosts[0], with its
 * pairing state) and its inputs; no case findings, no movement (see
 * rt_case_join). Returns 0, or -1 on out of memory.
 */
/* The IPv4 addresses of the domain controllers and file servers among all
 * the units (their SYSTEM hives: host.role, host.ipv4), comma-separated,
 * appended to `out`: rt_analysis_opts.mgmt_hosts, so that every unit of a
 * case, in one run or in shards, is judged against the same list. Each
 * unit's part is found by rt_units_collect and kept in the manifest
 * ("mgmt_ipv4"); a unit of an older manifest reads its hives here. A hive
 * that cannot be read names none (the unit's own analysis says why).
 * 0, or -1 on out of memory. */
int rt_units_mgmt_hosts(const rt_units *u, rt_buf *out);

int rt_unit_analyse(const rt_units *u, size_t k, const rt_analysis_opts *opts, rt_analysis **out,
		    rt_diag *diag);

/*
 * Work on unit k of u with `threads` threads for its own reading (decoding
 * a unit's logs in parallel). 0, or -1 to stop: no further unit is begun.
 * Called from several threads at once, one unit each.
 */
typedef int (*rt_unit_fn)(void *ctx, const rt_units *u, size_t k, unsigned threads);
/*
 * Call `fn` once for every unit with sel[k] set (sel NULL: all), `jobs`
 * units side by side: each worker takes the largest unit not yet begun, so
 * a big host starts first and the workers finish close together. The cores
 * are shared out: with fewer units than jobs, each gets jobs/units threads.
 * What fn makes of a unit must not depend on the order or the thread: the
 * results are then the same for any jobs. 0 when every call returned 0;
 * -1 when one failed (the units already begun are finished) or on OOM.
 */
int rt_units_each(const rt_units *u, const unsigned char *sel, unsigned jobs, rt_unit_fn fn,
		  void *ctx);

/* ------------------------------------------------------------ host folders */

/* One file of a host folder, rendered by the caller. */
typedef struct rt_hostdir_file {
	const char *name; /* "report.json", ... (no '/') */
	const void *data;
	size_t len;       /* once written, the size of the whole file */
	char sha256[65];  /* set by the writers below as the file is written */
	/* Set by rt_hostdir_write for make(): once name is set, make may hand
	 * the file's first bytes over as it makes them, in order, and data/len
	 * are then what follows them. 0, or -1 when they could not be written
	 * (make then fails). */
	int (*put)(void *put_ctx, const void *p, size_t n);
	/* ... and may say the file is whole, once all of it was put (nothing
	 * more is written of it: data/len are not): it is closed and its
	 * flush to the disk starts while make goes on. 0, or -1. */
	int (*done)(void *put_ctx);
	void *put_ctx;
} rt_hostdir_file;

/* What a result was made with, compared when deciding to redo a unit. */
typedef struct rt_hostdir_made {
	const char *version; /* remtrail version */
	const char *options; /* the options that shape results, as one string */
} rt_hostdir_made;

/*
 * Write unit result `a` (one host) as DIR/hosts/<dir>/: `files` first, then
 * unit.json, under a temporary name renamed into place (an older folder of
 * that name is replaced). Returns 0, or -1 with the reason in `err`.
 */
int rt_hostdir_commit(const char *dir, const rt_analysis *a, const rt_hostdir_file *files,
		      size_t nfiles, const rt_hostdir_made *made, char *err, size_t errlen);
/*
 * rt_hostdir_commit with the files made as they are written: make(ctx, i,
 * &files[i]) fills file i (name, data, len, handing its first bytes to put
 * as it goes if it likes), up to `threads` of them at a time
 * (rt_par_each), each written (and hashed) as it is made, so that one
 * file's write waits while another is made; then make(ctx, i, NULL) says
 * its bytes are no longer needed, so no more than `threads` files are held
 * at once. The folder is the same as rt_hostdir_commit's of the same
 * files. On failure `err` gives the first file that failed, in their
 * order.
 */
typedef int (*rt_hostdir_make_fn)(void *ctx, size_t i, rt_hostdir_file *f);
int rt_hostdir_write(const char *dir, const rt_analysis *a, rt_hostdir_file *files, size_t nfiles,
		     rt_hostdir_make_fn make, void *ctx, unsigned threads,
		     const rt_hostdir_made *made, char *err, size_t errlen);
/*
 * Whether DIR/hosts/<u->dir> holds a complete result of unit `u` made with
 * `made` from the same inputs (paths, sizes and SHA-256: the inputs are
 * hashed; for artifacts inside images and archives, the containers' files
 * are: unchanged containers hold unchanged artifacts) and every file of it
 * as unit.json lists it. 1 yes; 0 no, with
 * the reason in `why` ("no complete result", "input changed: PATH", ...);
 * -1 on out of memory. What an interrupted write of the unit left
 * (hosts/.<dir>.tmp.*) is removed.
 */
int rt_hostdir_current(const char *dir, const rt_unit *u, const rt_hostdir_made *made, char *why,
		       size_t whylen);
/*
 * Read the result in DIR/hosts/<hostdir> back (unit.json, every file
 * checked against it, report.json parsed): one host, as rt_unit_analyse
 * gave it. With RT_HOSTDIR_FRESH (this process wrote the folder, or checked
 * it with rt_hostdir_current, moments ago) only report.json is read and
 * checked: the other files were hashed as they were written or checked,
 * and reading them again would only repeat that. Returns 0, or -1 with the
 * reason in `err`.
 */
#define RT_HOSTDIR_FRESH 1u
int rt_hostdir_load(const char *dir, const char *hostdir, unsigned flags, rt_analysis **out,
		    char *err, size_t errlen);
/*
 * report.json of host folder DIR/hosts/<hostdir> parsed from the bytes
 * about to be written there (text, len), while the folder's other files
 * are still being made: the part of rt_hostdir_load that takes longest,
 * done ahead. Returns it, or NULL (out of memory, not a host's report).
 */
rt_analysis *rt_hostdir_parse_report(const char *dir, const char *hostdir, const char *text,
				     size_t len);
/*
 * rt_hostdir_load of a fresh folder whose report.json was parsed ahead
 * (`parsed`, taken over whatever happens): unit.json is read, report.json
 * is not read again.
 */
int rt_hostdir_load_parsed(const char *dir, const char *hostdir, rt_analysis *parsed,
			   rt_analysis **out, char *err, size_t errlen);
/* What the complete result in DIR/hosts/<hostdir> was made with (malloc'd
 * copies). 0, or -1 with the reason in `err` (no complete result, ...). */
int rt_hostdir_info(const char *dir, const char *hostdir, char **version, char **options,
		    char *err, size_t errlen);
/* Copy the complete host folder SRC/hosts/<hostdir> to DST/hosts/<hostdir>
 * (the same way as rt_hostdir_commit). 0, or -1 with the reason. */
int rt_hostdir_copy(const char *src, const char *dst, const char *hostdir, char *err,
		    size_t errlen);
/* Remove the host folder DIR/hosts/<hostdir> (a plain folder name) when it
 * is a result remtrail wrote (it holds unit.json); nothing else is removed.
 * 0 (removed, or there was none), or -1 with the reason in `err`. */
int rt_hostdir_remove(const char *dir, const char *hostdir, char *err, size_t errlen);

#endif
