/* Reading JSON remtrail wrote, numbers exact: see jsonread.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "jsonread.h"

static int num_char(char c)
{
	return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

/* text's bytes onto b, every number quoted; -1 on OOM or when text ends
 * inside a string. */
static int quote_numbers(rt_buf *b, const char *text, size_t len)
{
	size_t i = 0;
	int in_str = 0, oom = 0;

	while (i < len && !oom) {
		char c = text[i];

		if (in_str) {
			size_t run = i;

			while (run < len && text[run] != '"' && text[run] != '\\')
				run++;
			oom |= rt_buf_add(b, text + i, run - i);
			i = run;
			if (i >= len)
				break;
			if (text[i] == '\\') {
				oom |= rt_buf_add(b, text + i, i + 1 < len ? 2 : 1);
				i += 2;
				continue;
			}
			in_str = 0;
			oom |= rt_buf_addch(b, '"');
			i++;
		} else if (c == '"') {
			in_str = 1;
			oom |= rt_buf_addch(b, '"');
			i++;
		} else if (c == '-' || (c >= '0' && c <= '9')) {
			size_t s = i;

			while (i < len && num_char(text[i]))
				i++;
			oom |= rt_buf_addch(b, '"') || rt_buf_add(b, text + s, i - s) ||
			       rt_buf_addch(b, '"');
		} else {
			oom |= rt_buf_addch(b, c);
			i++;
		}
	}
	return oom || in_str ? -1 : 0;
}

cJSON *jr_parse(const char *text, size_t len)
{
	rt_buf b = RT_BUF_INIT;
	cJSON *j = NULL;

	if (rt_buf_grow(&b, len + len / 8 + 16))
		return NULL;
	if (!quote_numbers(&b, text, len) && b.len)
		j = cJSON_ParseWithLength(b.buf, b.len);
	rt_buf_release(&b);
	return j;
}

/* The closing quote of the string whose text starts at text[i] (past its
 * opening quote), by runs: len when it never ends. */
static size_t string_end(const char *text, size_t len, size_t i)
{
	while (i < len) {
		const char *q = memchr(text + i, '"', len - i);
		const char *b = q ? memchr(text + i, '\\', (size_t)(q - (text + i))) : NULL;

		if (!q)
			return len;
		if (!b)
			return (size_t)(q - text);
		i = (size_t)(b - text) + 2; /* past the escape and what it escapes */
	}
	return len;
}

/* Past the JSON value starting at text[i] (a string, a number, a literal,
 * or an array/object with all it holds); len when it never ends. */
static size_t skip_value(const char *text, size_t len, size_t i)
{
	int depth = 0, in_str = 0;

	for (; i < len; i++) {
		char c = text[i];

		if (in_str) {
			i = string_end(text, len, i);
			if (i >= len)
				return len;
			in_str = 0;
			if (!depth)
				return i + 1;
		} else if (c == '"') {
			in_str = 1;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			if (depth-- <= 0)
				return i;
			if (!depth)
				return i + 1;
		} else if (!depth && (c == ',' || c == ' ' || c == '\n' || c == '\r' || c == '\t')) {
			return i;
		}
	}
	return len;
}

static size_t skip_ws(const char *t, size_t len, size_t i)
{
	while (i < len && (t[i] == ' ' || t[i] == '\n' || t[i] == '\r' || t[i] == '\t'))
		i++;
	return i;
}

int jr_each(const char *text, size_t len, int (*fn)(void *ctx, const char *v, size_t n),
	    void *ctx)
{
	size_t i = skip_ws(text, len, 0);

	if (i >= len || text[i] != '[')
		return -1;
	i = skip_ws(text, len, i + 1);
	if (i < len && text[i] == ']')
		return skip_ws(text, len, i + 1) == len ? 0 : -1;
	for (;;) {
		size_t vs = i, ve = skip_value(text, len, vs);

		if (ve > len || ve == vs || fn(ctx, text + vs, ve - vs))
			return -1;
		i = skip_ws(text, len, ve);
		if (i >= len)
			return -1;
		if (text[i] == ']')
			return skip_ws(text, len, i + 1) == len ? 0 : -1;
		if (text[i] != ',')
			return -1;
		i = skip_ws(text, len, i + 1);
	}
}

cJSON *jr_parse_apart(const char *text, size_t len, const char *const *keys, size_t (*spans)[2])
{
	rt_buf rest = RT_BUF_INIT;
	size_t i = skip_ws(text, len, 0), k, from = 0;
	cJSON *j = NULL;

	for (k = 0; keys[k]; k++)
		spans[k][0] = spans[k][1] = 0;
	if (i >= len || text[i] != '{')
		return NULL;
	i = skip_ws(text, len, i + 1);
	/* the members in one pass; a value set apart leaves "null" in its place */
	while (i < len && text[i] != '}') {
		size_t ks, ke, vs, ve;

		if (text[i] != '"')
			goto out;
		ks = i + 1;
		ke = skip_value(text, len, i);
		if (ke >= len)
			goto out;
		i = skip_ws(text, len, ke);
		if (i >= len || text[i] != ':')
			goto out;
		vs = skip_ws(text, len, i + 1);
		ve = skip_value(text, len, vs);
		if (ve > len || ve == vs)
			goto out;
		for (k = 0; keys[k]; k++)
			if (ke - 1 - ks == strlen(keys[k]) && !memcmp(text + ks, keys[k], ke - 1 - ks))
				break;
		if (keys[k] && !spans[k][1]) {
			spans[k][0] = vs;
			spans[k][1] = ve;
			if (quote_numbers(&rest, text + from, vs - from) || rt_buf_adds(&rest, "null"))
				goto out;
			from = ve;
		}
		i = skip_ws(text, len, ve);
		if (i < len && text[i] == ',')
			i = skip_ws(text, len, i + 1);
	}
	if (!from)
		j = jr_parse(text, len);
	else if (!quote_numbers(&rest, text + from, len - from))
		j = cJSON_ParseWithLength(rest.buf, rest.len);
out:
	rt_buf_release(&rest);
	return j;
}

const char *jr_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int jr_strdup(const cJSON *o, const char *key, char **out)
{
	const char *s = jr_str(o, key);

	*out = NULL;
	return s && !(*out = rt_strdup0(s)) ? -1 : 0;
}

int jr_path(const cJSON *o, const char *key, char **out)
{
	const char *s = jr_str(o, key);
	rt_buf b = RT_BUF_INIT;

	*out = NULL;
	if (!s)
		return 0;
	if (rt_path_unescape(&b, s, strlen(s))) {
		rt_buf_release(&b);
		return -1;
	}
	*out = rt_buf_detach(&b, NULL);
	return *out ? 0 : -1;
}

int jr_u64(const cJSON *o, const char *key, uint64_t *v)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, key);

	*v = 0;
	if (!x || cJSON_IsNull(x))
		return 0;
	if (!cJSON_IsString(x) || x->valuestring[0] < '0' || x->valuestring[0] > '9')
		return -1;
	return rt_parse_u64(x->valuestring, v);
}

int jr_int(const cJSON *o, const char *key, int *v)
{
	const char *s = jr_str(o, key);
	uint64_t u;
	int neg;

	if (!s)
		return -1;
	neg = *s == '-';
	if (!s[neg] || s[neg] < '0' || s[neg] > '9' || rt_parse_u64(s + neg, &u) || u > 2147483647u)
		return -1;
	*v = neg ? -(int)u : (int)u;
	return 0;
}

int jr_time(const cJSON *o, const char *key, uint64_t *ft)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, key);

	*ft = 0;
	if (!x || cJSON_IsNull(x))
		return 0;
	return cJSON_IsString(x) ? rt_time_parse(x->valuestring, ft) : -1;
}

int jr_bool(const cJSON *o, const char *key, int dflt, int *v)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, key);

	*v = dflt;
	if (!x || cJSON_IsNull(x))
		return 0;
	if (!cJSON_IsBool(x))
		return -1;
	*v = cJSON_IsTrue(x);
	return 0;
}

int jw_path(rt_buf *out, const char *s)
{
	rt_buf p = RT_BUF_INIT;
	int r;

	if (!s)
		return rt_buf_adds(out, "null");
	r = rt_path_cstr(&p, s) || rt_json_str(out, p.buf ? p.buf : "", p.len) ? -1 : 0;
	rt_buf_release(&p);
	return r;
}
