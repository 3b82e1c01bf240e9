/*
 * spec.h - the value specs and message templates of the rule table
 * (rules.h lists the syntax), compiled once when a detector is made.
 *
 * A spec that does not parse, names an unknown "@form", or a template with
 * an unknown placeholder is an error at compile time with a message that
 * names it; resolving never meets an unknown form.
 */
#ifndef REMTRAIL_DETECT_SPEC_H
#define REMTRAIL_DETECT_SPEC_H

#include "remtrail/event.h"
#include "remtrail/finding.h"
#include "remtrail/util.h"

typedef struct rt_spec rt_spec;
typedef struct rt_tmpl rt_tmpl;

/* What resolving needs besides the event: the host's names (which side of
 * a connection is ours) and the engine's parent lookup for process records
 * that do not name their parent (4688 without ParentProcessName). */
typedef struct rt_spec_env {
	const char *host;
	const char *computer;
	const char *(*parent_image)(void *ctx, const rt_event *ev);
	void *ctx;
} rt_spec_env;

/* Compile `src` (NULL gives NULL). 0 ok; -1 with the reason in `err`
 * (or out of memory, err empty). */
int rt_spec_compile(const char *src, rt_spec **out, rt_buf *err);
void rt_spec_free(rt_spec **s);

/*
 * The first usable value of the spec for `ev`, or NULL. The result points
 * into the event, into static text, or into `scratch` (then scratch->alloc
 * is set: a value is stable while the event lives only if scratch was not
 * used).
 */
const char *rt_spec_resolve(const rt_spec *s, const rt_spec_env *env, const rt_event *ev,
			    rt_buf *scratch);
/*
 * 1 when resolving `s` may read `env` (the host's names, the engine's
 * parent lookup: state of the detector, not of the event), 0 when its
 * value is a function of the event alone. Every use of env in spec.c is
 * behind one of the forms this names: @parent_image, @peer_ip,
 * @local_port, @peer_port, alone or inside another form.
 */
int rt_spec_reads_env(const rt_spec *s);
/* Resolve into a malloc'd copy (NULL when unusable or on OOM). */
char *rt_spec_dup(const rt_spec *s, const rt_spec_env *env, const rt_event *ev);

/* ---------------------------------------------------------- templates */

/*
 * Message templates: literal text with {f:SPEC} (filled when the rule
 * matches) and {host}, {user}, {remote}, {process}, {parent}, {cmd} (filled
 * after correlation). `late` 0 compiles a name template, where only {f:SPEC}
 * is allowed.
 */
int rt_tmpl_compile(const char *src, int late, rt_tmpl **out, rt_buf *err);
void rt_tmpl_free(rt_tmpl **t);
/* Fill the {f:SPEC} parts; the late placeholders stay as marks for
 * rt_tmpl_render. Values are capped at 512 bytes. NULL on OOM. */
char *rt_tmpl_fill(const rt_tmpl *t, const rt_spec_env *env, const rt_event *ev);
/* Fill the late placeholders of a filled template from the finding. */
int rt_tmpl_render(rt_buf *out, const char *filled, const rt_finding *f);

/* ---------------------------------------------------------- value helpers */

/* The normalised logon id of a process record (Sysmon LogonId; 4688
 * TargetLogonId, else SubjectLogonId when the record has Target fields;
 * NULL when unknown), into `b`. */
const char *rt_spec_proc_logon(const rt_event *ev, rt_buf *b);
/* "D\U" from a domain and a user field (D may be unusable), into b; NULL
 * when the user is unusable. */
const char *rt_spec_account(const rt_event *ev, const char *dom, const char *user, rt_buf *b);
/* A Security process record (4688 layout: NewProcessName, Subject and Target fields),
 * as opposed to Sysmon's (Image, User, LogonId). */
int rt_spec_is_4688(const rt_event *ev);
/* Which end of a Sysmon 3 / 5156-5157 record is the other host, and the
 * local and peer ports (any may be NULL). */
void rt_spec_conn_sides(const rt_spec_env *env, const rt_event *ev, const char **peer,
			const char **lport, const char **pport);
/* The local address of a connection record, or NULL. */
const char *rt_spec_local_ip(const rt_spec_env *env, const rt_event *ev);
/* The value of a hex / decimal field as a number; 0 when absent or bad. */
uint32_t rt_spec_field_u32(const rt_event *ev, const char *name);

#endif
