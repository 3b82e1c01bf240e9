/*
 * regf.h - internal to the registry module: the bits of the REGF format we
 * parse ourselves (base block, transaction logs). Not a public header.
 */
#ifndef REMTRAIL_REGF_H
#define REMTRAIL_REGF_H

#include <stddef.h>
#include <stdint.h>

#include "remtrail/diag.h"
#include "remtrail/hive.h"
#include "remtrail/util.h"

#define REGF_BASE_BLOCK_SIZE 4096u
#define REGF_HBIN_ALIGN 4096u
#define REGF_CHECKSUM_OFFSET 508u

/* Fill `info` from a 4096-byte base block (no validation beyond bounds). */
void regf_parse_base_block(const uint8_t *bb, rt_hive_info *info);

/* A transaction log file read into memory. */
typedef struct regf_log {
	const char *name;   /* for diagnostics and the summary (base name) */
	const uint8_t *data;
	size_t size;
} regf_log;

/*
 * Apply the log entries of `logs` to `image` (a primary hive of `*size`
 * bytes, malloc'd; may be reallocated when the logs grow the hive). When
 * `bad_base_block` is set (the primary's checksum was wrong), the first 512
 * bytes of the base block are first taken from a log whose own base block
 * checksum is right, as Windows recovers it. Returns
 * the number of entries (new format) or dirty-page logs (old format) applied,
 * 0 when nothing applied, -1 on out of memory. `summary` receives the log
 * names used. Problems with logs are reported on `diag` under `subject`.
 */
int regf_replay(uint8_t **image, size_t *size, int bad_base_block, const regf_log *logs,
		size_t nlogs,
		rt_buf *used, rt_diag *diag, const char *subject);


#endif
