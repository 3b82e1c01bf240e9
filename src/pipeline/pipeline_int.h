/* pipeline_int.h - what the pipeline's files share (not public): the
 * recorded diagnostics that become the inputs' notes, the input list. */
#ifndef REMTRAIL_PIPELINE_INT_H
#define REMTRAIL_PIPELINE_INT_H

#include "remtrail/config.h"
#include "remtrail/pipeline.h"
#include "remtrail/units.h"

/* One diagnostic as the sink got it (escaped). */
typedef struct pl_note {
	rt_diag_level level;
	char *subject;
	char *message;
	int used; /* attached to an input */
} pl_note;

/* A diag sink that records every message and passes it on to `up`. */
typedef struct pl_recorder {
	rt_diag *up;
	pl_note *v;
	size_t n, alloc;
	int oom;
} pl_recorder;

/* Start recording into r, forwarding to `up` (may be NULL); `rd` is the
 * diag to hand to the stages. Release both with pl_recorder_release. */
void pl_recorder_init(pl_recorder *r, rt_diag *up, rt_diag *rd);
void pl_recorder_release(pl_recorder *r, rt_diag *rd);

/* A growable list of inputs. */
typedef struct pl_inputs {
	rt_input *v;
	size_t n, alloc;
} pl_inputs;

/* The PATH argument (among `roots`) `path` was found under, and the path
 * below it; "" and `path` itself when none. */
void pl_place(const char *path, const char *const *roots, size_t nroots, const char **root,
	      const char **rel);
/* Append a zeroed input; NULL on out of memory. */
rt_input *pl_input_new(pl_inputs *l);
/* Room in *arr (*alloc items of `size` bytes) for item n: doubled when
 * full. 0, or -1 on OOM (*arr unchanged). */
int pl_grow(void **arr, size_t *alloc, size_t n, size_t size);
/* Append an input for `path` (root and relative path found among `roots`,
 * the PATH arguments); NULL on out of memory. */
rt_input *pl_input_add(pl_inputs *l, const char *path, uint64_t size, const char *host,
		       const char *kind, const char *const *roots, size_t nroots);
/* Where the artifact `art` of `ev` lies when it was read inside an image or
 * archive (rt_input.container, .origin); nothing for a plain file. 0, or -1
 * on out of memory. */
int pl_input_origin(rt_input *in, const rt_evidence *ev, const rt_artifact *art);
/* The SHA-256 of `art` into in->sha256, from its byte source (reading only
 * what no reader read); a failure is named on diag. 0, or -1 on OOM. */
int pl_input_hash(rt_input *in, const rt_artifact *art, rt_diag *diag);
/*
 * A unit read from a manifest names its files by path, with no byte source:
 * each is opened (pl_manifest_open), once, for as long as the unit is
 * read, and let go after (pl_manifest_close), so that a case of many units
 * never holds more descriptors than one unit needs. Plain files are opened
 * by path; artifacts inside images and archives by walking the unit's
 * containers `c` again (*inside: that walk, freed by close) and taking the
 * artifact of the same path. A container whose files are gone or not of
 * the manifest's sizes, or that cannot be read, and an artifact no longer
 * in its container are named on diag; a file that cannot be opened keeps
 * no source and its reader says so. Files of walked evidence are left
 * alone. 0, or -1 on out of memory.
 */
/* The container among `c` (nc of them) whose path is a prefix of `path`
 * followed by '/': the file lies inside it (a hive log the walk gives no
 * origin too). nc when none. */
size_t pl_container_of(const char *path, const rt_unit_container *c, size_t nc);
int pl_manifest_open(rt_host *h, const rt_unit_container *c, size_t nc, rt_evidence **inside,
		     rt_diag *diag);
void pl_manifest_close(rt_host *h, rt_evidence **inside);
/* Deep copy of an input into the list; NULL on out of memory. */
rt_input *pl_input_copy(pl_inputs *l, const rt_input *in);
void pl_input_release(rt_input *in);
int pl_input_note(rt_input *in, const char *text);
/*
 * The recorded notes not yet attached to an input, from index `from` of
 * the list on: each subject becomes (or joins) an input of its own, for
 * host `host` (NULL: the case's), "skipped" for warnings, "unreadable"
 * for errors. 0, or -1 on out of memory.
 */
int pl_notes_to_inputs(pl_recorder *r, pl_inputs *l, size_t from, const char *host,
		       const char *const *roots, size_t nroots);
/* Sort by path (the order of rt_analysis.inputs). */
void pl_inputs_sort(rt_input *v, size_t n);

/* A string kept as long as the analysis (rule ids read back from a folder;
 * equal strings are kept once); NULL for NULL or on out of memory. */
const char *pl_keep(rt_analysis *a, const char *s);
void pl_keep_free(rt_analysis *a);

/* The IPv4 addresses of the hosts in `cfg` whose hives say they are domain
 * controllers or file servers (host.role), comma-separated, appended to
 * `out` (rt_assess_opts.mgmt_hosts). 0, or -1 on out of memory. */
int pl_cfg_mgmt_hosts(const rt_config *cfg, rt_buf *out);
/* Each unit's part of the case's management hosts (rt_unit.mgmt), from its
 * SYSTEM hives: what the manifest records, so that shards need not read
 * every host's hives again. 0, or -1 on out of memory. */
int pl_units_mgmt(rt_units *u);

#endif
