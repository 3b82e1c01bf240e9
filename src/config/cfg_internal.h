/*
 * cfg_internal.h - what a setting family sees. A family reads one hive
 * snapshot through a cfg_ctx and emits observations (name, JSON value, raw
 * text, key, value name, key last-written); config.c turns observations of
 * all snapshots into histories. Families are listed once in families.def.
 */
#ifndef REMTRAIL_CFG_INTERNAL_H
#define REMTRAIL_CFG_INTERNAL_H

#include <stdint.h>

#include "remtrail/config.h"
#include "remtrail/hive.h"

typedef struct cfg_obs {
	char *name, *value, *raw, *key, *value_name;
	char *text; /* the value as text in config's vocabulary (rt_cfg_value_parse) */
	uint64_t last_written;
	int is_default;
} cfg_obs;

typedef struct cfg_ctx {
	rt_hive *hive;
	const char *file;
	rt_hive_kind kind;
	char ccs[32];      /* "ControlSet001", "" when not resolved */
	const char *user;  /* NTUSER owner (folder name), else NULL */
	rt_diag *diag;
	cfg_obs *obs;
	size_t nobs;
	uint64_t max_lw;   /* newest key last-written seen */
	int damaged;       /* the hive is damaged: no defaults (cfg_emit_default) */
	int oom;
} cfg_ctx;

/* One family: reads what it knows from c->hive; 0 ok, -1 out of memory. */
typedef int (*cfg_family_fn)(cfg_ctx *c);

#define CFG_FAMILY(fn, kind) int fn(cfg_ctx *c);
#include "families.def"
#undef CFG_FAMILY

/*
 * Open `path`, where a leading "CCS\" stands for the current control set;
 * the resolved path is written to `resolved` (>= 512 bytes). NULL when the
 * key is absent; damage is reported on c->diag. The key's last-written time
 * raises c->max_lw.
 */
rt_key *cfg_open(cfg_ctx *c, const char *path, char *resolved);

/* Record an observation (strings copied; raw/value_name may be NULL). Its
 * text is the JSON value's: a string's content, a literal, an array of
 * strings joined with ','; objects have none until cfg_set_text gives it. */
int cfg_emit(cfg_ctx *c, const char *name, const char *value_json, const char *raw,
	     const char *key, const char *value_name, uint64_t lw, int is_default);
/* The text of the observation just emitted (a rule string, a listener's
 * port, an interface's subnets). 0, or -1 on out of memory. */
int cfg_set_text(cfg_ctx *c, const char *text);
/* config's JSON value as its text (see cfg_emit); NULL for null, objects
 * and on out of memory (*oom set). */
char *cfg_json_text(const char *json, int *oom);

/*
 * Value helpers on an open key: read, convert, emit under `name`.
 * 1 emitted, 0 absent, -1 wrong type (reported on c->diag, not emitted).
 * _bool: DWORD != 0 is true; _yn: "Y"/"N" strings; _int: number.
 */
int cfg_dword(cfg_ctx *c, rt_key *k, const char *key, const char *vname, uint32_t *out);
int cfg_emit_int(cfg_ctx *c, rt_key *k, const char *key, const char *vname, const char *name);
int cfg_emit_bool(cfg_ctx *c, rt_key *k, const char *key, const char *vname, const char *name);
int cfg_emit_str(cfg_ctx *c, rt_key *k, const char *key, const char *vname, const char *name);
int cfg_emit_yn(cfg_ctx *c, rt_key *k, const char *key, const char *vname, const char *name);
int cfg_emit_multi(cfg_ctx *c, rt_key *k, const char *key, const char *vname, const char *name);
/* Emit the default `value_json` for `name` when nothing was emitted for it,
 * unless the hive is damaged (c->damaged): then absent means unknown. */
int cfg_emit_default(cfg_ctx *c, const char *name, const char *value_json, const char *key,
		     const char *vname, uint64_t lw);

/* Raw text for numbers: "0x2 (2)". */
void cfg_raw_dword(uint32_t v, char out[32]);

/* A JSON object under construction: {"k":v,...} in an rt_buf. */
void cfg_obj_begin(rt_buf *b);
void cfg_obj_str(rt_buf *b, const char *k, const char *v); /* NULL -> null */
void cfg_obj_raw(rt_buf *b, const char *k, const char *json);
void cfg_obj_end(rt_buf *b);
/* Where setting `name` is or would go in h's settings (sorted by name). */
size_t cfg_setting_lower(const rt_cfg_host *h, const char *name);
/* A firewall rule string as the rule object of DESIGN.md, into b; -1 when
 * it does not parse (fam_firewall.c). */
int cfg_rule_json(rt_buf *b, const char *rule, const char *store);

/* Call fn(c, subkey, its resolved path) for each subkey of `keypath` (at
 * most CFG_MAX_SUBKEYS), stopping at the first nonzero return, which is
 * returned; 0 when the key is absent. */
#define CFG_MAX_SUBKEYS 4096
int cfg_each_subkey(cfg_ctx *c, const char *keypath, int (*fn)(cfg_ctx *, rt_key *, const char *));

/* Is `name` already emitted in this snapshot? */
int cfg_has(const cfg_ctx *c, const char *name);

#endif
