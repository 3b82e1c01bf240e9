/* jsonread.h - reading back what remtrail wrote as JSON (manifests, host
 * folders), with every number exact (not public).
 *
 * cJSON keeps numbers as doubles, which loses 64-bit record ids and
 * FILETIMEs above 2^53. jr_parse therefore hands cJSON the text with every
 * number quoted, and the getters below read numbers from those strings. */
#ifndef REMTRAIL_JSONREAD_H
#define REMTRAIL_JSONREAD_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "remtrail/util.h"

/* Parse `len` bytes (numbers become strings); NULL when it is not JSON. */
cJSON *jr_parse(const char *text, size_t len);
/*
 * Parse the top-level object of `text` with the values of the members
 * named in `keys` (NULL-terminated) set apart: null in the tree, their
 * bytes at [spans[k][0], spans[k][1]) of text ([0, 0) when absent), to be
 * read a value at a time (jr_each) instead of as one big tree. NULL when
 * it is not a JSON object.
 */
cJSON *jr_parse_apart(const char *text, size_t len, const char *const *keys, size_t (*spans)[2]);
/*
 * fn(ctx, v, n) for each value of the array `text` (the bytes of the
 * value as written, in order), so that a big array is read a value at a
 * time. 0, or -1 when `text` is not an array or fn returned nonzero.
 */
int jr_each(const char *text, size_t len, int (*fn)(void *ctx, const char *v, size_t n),
	    void *ctx);

/* Member `key` of object `o`: a string (NULL when absent, null or not a string). */
const char *jr_str(const cJSON *o, const char *key);
/* The same as a malloc'd copy (NULL for null/absent); -1 on OOM. */
int jr_strdup(const cJSON *o, const char *key, char **out);
/* A file name as rt_path_escape wrote it: the exact bytes again (malloc'd,
 * NULL for null/absent); -1 on OOM or a bad escape. */
int jr_path(const cJSON *o, const char *key, char **out);
/* An unsigned number (0 when absent or null); -1 when it is not one. */
int jr_u64(const cJSON *o, const char *key, uint64_t *v);
/* A signed number that fits an int; -1 when absent or not one. */
int jr_int(const cJSON *o, const char *key, int *v);
/* A time as rt_time_format writes it (0 for null or absent); -1 if malformed. */
int jr_time(const cJSON *o, const char *key, uint64_t *ft);
/* true / false (0 when absent or null: *v = `dflt`); -1 otherwise. */
int jr_bool(const cJSON *o, const char *key, int dflt, int *v);

/* Writing the other way: a file name (or any string that must come back
 * byte for byte) as a JSON string, through rt_path_escape; null for NULL. */
int jw_path(rt_buf *out, const char *s);

#endif
