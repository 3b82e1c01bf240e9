/* Helpers the setting families share: opening keys with the control set
 * resolved, reading values defensively and recording observations. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cfg_internal.h"

rt_key *cfg_open(cfg_ctx *c, const char *path, char *resolved)
{
	rt_key *k = NULL;
	rt_buf b;
	uint64_t lw;

	rt_buf_init(&b, 511);
	if (!strncmp(path, "CCS\\", 4)) {
		if (!c->ccs[0])
			return NULL;
		rt_buf_adds(&b, c->ccs);
		rt_buf_adds(&b, path + 3);
	} else {
		rt_buf_adds(&b, path);
	}
	memcpy(resolved, b.buf, b.len + 1);
	if (rt_hive_get_key(c->hive, b.buf, &k) != 1)
		k = NULL;
	rt_buf_release(&b);
	if (k && (lw = rt_key_last_written(k)) > c->max_lw)
		c->max_lw = lw;
	return k;
}

int cfg_has(const cfg_ctx *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nobs; i++)
		if (!strcmp(c->obs[i].name, name))
			return 1;
	return 0;
}

int cfg_emit(cfg_ctx *c, const char *name, const char *value_json, const char *raw,
	     const char *key, const char *value_name, uint64_t lw, int is_default)
{
	cfg_obs *o;

	if ((c->nobs & 63) == 0) {
		cfg_obs *p = realloc(c->obs, (c->nobs + 64) * sizeof(*p));

		if (!p) {
			c->oom = 1;
			return -1;
		}
		c->obs = p;
	}
	o = &c->obs[c->nobs];
	o->name = strdup(name);
	o->value = strdup(value_json);
	o->raw = rt_strdup0(raw);
	o->key = rt_strdup0(key);
	o->value_name = rt_strdup0(value_name);
	o->last_written = lw;
	o->is_default = is_default;
	o->text = NULL;
	if (o->value)
		o->text = cfg_json_text(o->value, &c->oom);
	if (!o->name || !o->value || (raw && !o->raw) || (key && !o->key) ||
	    (value_name && !o->value_name) || c->oom) {
		free(o->text);
		free(o->name);
		free(o->value);
		free(o->raw);
		free(o->key);
		free(o->value_name);
		c->oom = 1;
		return -1;
	}
	c->nobs++;
	return 0;
}

int cfg_set_text(cfg_ctx *c, const char *text)
{
	cfg_obs *o;

	if (!c->nobs)
		return 0;
	o = &c->obs[c->nobs - 1];
	free(o->text);
	o->text = rt_strdup0(text);
	if (text && !o->text) {
		c->oom = 1;
		return -1;
	}
	return 0;
}

void cfg_raw_dword(uint32_t v, char out[32])
{
	rt_buf b;

	rt_buf_init(&b, 31);
	rt_buf_addf(&b, "0x%x (%u)", (unsigned)v, (unsigned)v);
	memcpy(out, b.buf, b.len + 1);
	rt_buf_release(&b);
}

static void wrong_type(cfg_ctx *c, const char *key, const char *vname)
{
	rt_diag_warn(c->diag, c->file, "value '%s\\%s' has an unexpected type or size", key, vname);
}

int cfg_dword(cfg_ctx *c, rt_key *k, const char *key, const char *vname, uint32_t *out)
{
	int rc = rt_key_get_dword(k, vname, out);

	if (rc < 0)
		wrong_type(c, key, vname);
	return rc;
}

static int emit_num(cfg_ctx *c, rt_key *k, const char *key, const char *vname, const char *name,
		    int as_bool)
{
	char raw[32], val[16];
	uint32_t v;
	int rc = cfg_dword(c, k, key, vname, &v);
	rt_buf b;

	if (rc != 1)
		return rc;
	cfg_raw_dword(v, raw);
	rt_buf_init(&b, 15);
	if (as_bool)
		rt_buf_adds(&b, v ? "true" : "false");
	else
		rt_buf_addf(&b, "%u", (unsigned)v);
	memcpy(val, b.buf, b.len + 1);
	rt_buf_release(&b);
	return cfg_emit(c, name, val, raw, key, vname, rt_key_last_written(k), 0) ? -1 : 1;
}

int cfg_emit_int(cfg_ctx *c, rt_key *k, const char *key, const char *vname, const char *name)
{
	return emit_num(c, k, key, vname, name, 0);
}

int cfg_emit_bool(cfg_ctx *c, rt_key *k, const char *key, const char *vname, const char *name)
{
	return emit_num(c, k, key, vname, name, 1);
}

static int emit_string(cfg_ctx *c, rt_key *k, const char *key, const char *vname, const char *name,
		       int yn)
{
	char *s = NULL;
	rt_buf v = RT_BUF_INIT;
	int rc = rt_key_get_string(k, vname, &s), out;

	if (rc < 0)
		wrong_type(c, key, vname);
	if (rc != 1)
		return rc;
	if (yn && (s[0] == 'Y' || s[0] == 'y' || s[0] == 'N' || s[0] == 'n'))
		rt_buf_adds(&v, (s[0] == 'Y' || s[0] == 'y') ? "true" : "false");
	else
		rt_json_cstr(&v, s);
	out = cfg_emit(c, name, v.buf, s, key, vname, rt_key_last_written(k), 0) ? -1 : 1;
	rt_buf_release(&v);
	free(s);
	return out;
}

int cfg_emit_str(cfg_ctx *c, rt_key *k, const char *key, const char *vname, const char *name)
{
	return emit_string(c, k, key, vname, name, 0);
}

int cfg_emit_yn(cfg_ctx *c, rt_key *k, const char *key, const char *vname, const char *name)
{
	return emit_string(c, k, key, vname, name, 1);
}

int cfg_emit_multi(cfg_ctx *c, rt_key *k, const char *key, const char *vname, const char *name)
{
	char **v = NULL;
	size_t n = 0, i;
	rt_buf json = RT_BUF_INIT, raw = RT_BUF_INIT;
	int rc = rt_key_get_multi_sz(k, vname, &v, &n), out;

	if (rc < 0)
		wrong_type(c, key, vname);
	if (rc != 1)
		return rc;
	rt_buf_addch(&json, '[');
	for (i = 0; i < n; i++) {
		if (i) {
			rt_buf_addch(&json, ',');
			rt_buf_adds(&raw, "\\0");
		}
		rt_json_cstr(&json, v[i]);
		rt_buf_adds(&raw, v[i]);
	}
	rt_buf_addch(&json, ']');
	out = cfg_emit(c, name, json.buf, raw.buf, key, vname, rt_key_last_written(k), 0) ? -1 : 1;
	rt_buf_release(&json);
	rt_buf_release(&raw);
	rt_strv_free(v);
	return out;
}

int cfg_emit_default(cfg_ctx *c, const char *name, const char *value_json, const char *key,
		     const char *vname, uint64_t lw)
{
	if (c->damaged || cfg_has(c, name))
		return 0;
	return cfg_emit(c, name, value_json, NULL, key, vname, lw, 1);
}

void cfg_obj_begin(rt_buf *b)
{
	rt_buf_addch(b, '{');
}

static void obj_key(rt_buf *b, const char *k)
{
	if (b->len && b->buf[b->len - 1] != '{')
		rt_buf_addch(b, ',');
	rt_json_cstr(b, k);
	rt_buf_addch(b, ':');
}

void cfg_obj_str(rt_buf *b, const char *k, const char *v)
{
	obj_key(b, k);
	if (v)
		rt_json_cstr(b, v);
	else
		rt_buf_adds(b, "null");
}

void cfg_obj_raw(rt_buf *b, const char *k, const char *json)
{
	obj_key(b, k);
	rt_buf_adds(b, json);
}

void cfg_obj_end(rt_buf *b)
{
	rt_buf_addch(b, '}');
}

const char *rt_cfg_start_name(uint32_t start, int delayed)
{
	switch (start) {
	case 0:
		return "boot";
	case 1:
		return "system";
	case 2:
		return delayed ? "auto-delayed" : "auto";
	case 3:
		return "manual";
	case 4:
		return "disabled";
	default:
		return NULL;
	}
}

int cfg_each_subkey(cfg_ctx *c, const char *keypath, int (*fn)(cfg_ctx *, rt_key *, const char *))
{
	char path[512];
	rt_key *k = cfg_open(c, keypath, path);
	int i, n, rc = 0;

	if (!k)
		return 0;
	n = rt_key_subkey_count(k);
	if (n > CFG_MAX_SUBKEYS)
		n = CFG_MAX_SUBKEYS;
	for (i = 0; i < n && !rc; i++) {
		rt_key *sub = NULL;
		rt_buf sp = RT_BUF_INIT;

		if (rt_key_subkey_at(k, i, &sub) != 1)
			continue;
		rt_buf_addf(&sp, "%s\\%s", path, rt_key_name(sub));
		rc = fn(c, sub, sp.buf);
		rt_buf_release(&sp);
		rt_key_free(&sub);
	}
	rt_key_free(&k);
	return rc;
}
