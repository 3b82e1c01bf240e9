/*
 * yal.h - inside the source module: what the libyal image libraries have in
 * common. Every libyal error type is an intptr_t underneath (libewf_error_t,
 * libvhdi_error_t, ...), with the same backtrace and free functions, so one
 * helper turns any of them into a message.
 */
#ifndef REMTRAIL_SOURCE_YAL_H
#define REMTRAIL_SOURCE_YAL_H

#include <stddef.h>
#include <stdint.h>

/* A libyal error's backtrace printer and free function. */
typedef int (*yal_sprint_fn)(intptr_t *err, char *buf, size_t n);
typedef void (*yal_free_fn)(intptr_t **err);

/*
 * The root cause of a libyal error chain in git's style (no function name,
 * no trailing period) into `out`, then the error freed. `err` may be NULL
 * or point to NULL: `out` gets `fallback`.
 */
void yal_error(intptr_t **err, yal_sprint_fn sprint, yal_free_fn fr, const char *fallback,
	       char *out, size_t n);

#endif
