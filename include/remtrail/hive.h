/*
 * hive.h - read-only access to Windows registry hives (REGF files).
 *
 * libregf parses the hive; this module adds what analysis needs around it:
 *
 *  - every hive is read into memory once and opened from there, so a file, a
 *    caller's buffer and a hive rebuilt from its transaction logs are opened
 *    the same way; the evidence file is only ever read;
 *  - key paths are backslash-separated, relative to the root key, compared
 *    case-insensitively ("ControlSet001\\Services\\WinRM"); a leading
 *    backslash is allowed; a first component "CurrentControlSet" resolves to
 *    "ControlSet%03u" with the number from Select\Current;
 *  - values are copied out (name, type, raw data) so that they outlive the
 *    key and libregf's caches; getters convert the common types;
 *  - damage is reported through rt_diag, subject = the hive's name, never
 *    printed;
 *  - dirty hives can be replayed from their .LOG1/.LOG2/.LOG files
 *    (rt_hive_open_with_logs), keeping both the primary and replayed views.
 *
 * Return conventions: functions returning int give 0 on success and -1 on
 * failure unless said otherwise; lookups give 1 found, 0 not there, -1 error
 * (damaged structure, wrong value type, out of memory).
 *
 * Lifetimes: an rt_hive owns its memory image. rt_key handles are allocated
 * per call and freed by the caller with rt_key_free; every key must be freed
 * before rt_hive_free (they point into the hive). rt_value objects are plain
 * copies, independent of the hive, freed with rt_value_free.
 *
 * The rt_diag given at open is kept: damage found later while reading keys
 * and values is reported there too, so it must outlive the hive.
 *
 * Not thread-safe: use one rt_hive per thread.
 */
#ifndef REMTRAIL_HIVE_H
#define REMTRAIL_HIVE_H

#include <stddef.h>
#include <stdint.h>

#include "remtrail/diag.h"
#include "remtrail/evidence.h" /* rt_hive_kind, rt_hive_kind_name, rt_hive_classify */
#include "remtrail/source.h"

/* Registry value types (winnt.h numbers). */
enum {
	RT_REG_NONE = 0,
	RT_REG_SZ = 1,
	RT_REG_EXPAND_SZ = 2,
	RT_REG_BINARY = 3,
	RT_REG_DWORD = 4,
	RT_REG_DWORD_BE = 5,
	RT_REG_LINK = 6,
	RT_REG_MULTI_SZ = 7,
	RT_REG_RESOURCE_LIST = 8,
	RT_REG_FULL_RESOURCE_DESCRIPTOR = 9,
	RT_REG_RESOURCE_REQUIREMENTS_LIST = 10,
	RT_REG_QWORD = 11
};

/* What the base block (first 4096 bytes) says. */
typedef struct rt_hive_info {
	uint32_t primary_seq;
	uint32_t secondary_seq;
	uint64_t last_written;  /* FILETIME */
	uint32_t major, minor;  /* format version, 1.3 .. 1.6 */
	uint32_t file_type;     /* 0 primary file */
	uint32_t root_offset;   /* root key cell, relative to the first hbin */
	uint32_t hbins_size;    /* bytes of hive bins data */
	int dirty;              /* primary_seq != secondary_seq */
	int checksum_ok;        /* stored XOR-32 equals the computed one */
	char file_name[200];    /* embedded name (last 31 UTF-16 chars of the path), UTF-8 */
	rt_hive_kind kind;      /* rt_hive_classify's decision (root keys, embedded
				 * name, then the file name given at open) */
} rt_hive_info;

typedef struct rt_hive rt_hive;
typedef struct rt_key rt_key;

/* A value copied out of the hive. data is malloc'd (NULL when size is 0). */
typedef struct rt_value {
	char *name;     /* UTF-8, "" for the default value; never NULL */
	uint32_t type;  /* RT_REG_*; any other number is kept as is */
	uint8_t *data;
	size_t size;
} rt_value;

/* Open flags. */
enum {
	/* Refuse a base block with a bad checksum instead of repairing the
	 * in-memory copy (see docs/registry.md). */
	RT_HIVE_STRICT = 1u << 0,
	/* rt_hive_open_with_logs: do not replay, only attach the logs. */
	RT_HIVE_NO_REPLAY = 1u << 1
};

/* Hard cap on a hive or log file read into memory. */
#define RT_HIVE_MAX_SIZE ((size_t)1 << 30)

/*
 * Open the hive in byte source `src` (read whole, at most RT_HIVE_MAX_SIZE
 * bytes). On failure *out is NULL, the reason is reported on `diag`
 * (subject = the source's name) and -1 returned. A base block whose
 * checksum is wrong is repaired in the memory copy (error reported, hive
 * marked damaged) unless RT_HIVE_STRICT. `diag` may be NULL.
 */
int rt_hive_open_source(rt_source *src, unsigned flags, rt_hive **out, rt_diag *diag);

/* The same for the file at `path` (tests and tools; the evidence walk
 * passes sources). */
int rt_hive_open(const char *path, unsigned flags, rt_hive **out, rt_diag *diag);

/* Same from a buffer (copied; the caller keeps `data`). `name` is the
 * subject used in diagnostics and may be NULL ("memory"). */
int rt_hive_open_memory(const void *data, size_t size, const char *name, unsigned flags,
			rt_hive **out, rt_diag *diag);

/*
 * Open `src` and replay its transaction logs (`logs`, any order, any of
 * .LOG/.LOG1/.LOG2) when the hive is dirty: log entries are applied to a
 * memory copy in sequence order starting at the primary's secondary
 * sequence number, across all logs, stopping at the first gap or bad entry
 * (docs/registry.md). The returned hive is the replayed view when anything
 * was applied, else the primary; rt_hive_primary() gives the primary as it
 * is on disk. A log that cannot be read is reported and skipped: the open
 * only fails when the primary itself cannot be opened. A replayed hive is
 * reported as a warning ("replayed N log entries from ...").
 */
int rt_hive_open_with_logs_source(rt_source *src, rt_source *const *logs, size_t nlogs,
				  unsigned flags, rt_hive **out, rt_diag *diag);
/* The same with the hive and its logs named by path. */
int rt_hive_open_with_logs(const char *path, const char *const *logs, size_t nlogs,
			   unsigned flags, rt_hive **out, rt_diag *diag);

/* Close and free; NULLs *h. Every rt_key of the hive must be freed first. */
void rt_hive_free(rt_hive **h);

const rt_hive_info *rt_hive_get_info(const rt_hive *h);
/* The name given at open (path or memory name). */
const char *rt_hive_name(const rt_hive *h);
/* True when the base block checksum was bad and was repaired in memory. */
int rt_hive_was_repaired(const rt_hive *h);
/* True when transaction log entries were applied. */
int rt_hive_was_replayed(const rt_hive *h);
/* "replayed 12 log entries from SYSTEM.LOG1, SYSTEM.LOG2" (file names without
 * folders), or "" when nothing was replayed; owned by the hive. */
const char *rt_hive_replay_summary(const rt_hive *h);
/* The primary as on disk, before replay: `h` itself when not replayed;
 * owned by `h` (do not free). */
rt_hive *rt_hive_primary(rt_hive *h);
/* The memory image the hive was opened from (after repair / replay). */
const uint8_t *rt_hive_image(const rt_hive *h, size_t *size);

/* ------------------------------------------------------------------ keys */

/* The root key; 1 found, -1 error. */
int rt_hive_root(rt_hive *h, rt_key **out);
/* The key at `path` (see top of file); "" or "\\" is the root. */
int rt_hive_get_key(rt_hive *h, const char *path, rt_key **out);
/* A key below `k` by relative path (CurrentControlSet is not resolved here;
 * an empty path gives 0). */
int rt_key_get_subkey(rt_key *k, const char *path, rt_key **out);
/*
 * "ControlSet00N" named by Select\Current (falling back to Select\Default),
 * written to `out` (at least 16 bytes). 1 found, 0 no Select key or value,
 * -1 error.
 */
int rt_hive_current_control_set(rt_hive *h, char *out, size_t outsz);

void rt_key_free(rt_key **k);

/* Name (UTF-8, owned by the key; the root's own name, e.g. "ROOT" or
 * "CMI-CreateHive{...}"). Undecodable bytes become U+FFFD. */
const char *rt_key_name(const rt_key *k);
/* Last-written FILETIME of the key (0 if unreadable). */
uint64_t rt_key_last_written(const rt_key *k);
/* Offset of the key's cell in the hive (stable, unique per key). */
uint32_t rt_key_offset(const rt_key *k);
/* Number of subkeys / values (0 on error, reported on the hive's diag). */
int rt_key_subkey_count(rt_key *k);
int rt_key_value_count(rt_key *k);
/* The i-th subkey / value (0-based). 1 found, -1 error (damaged). */
int rt_key_subkey_at(rt_key *k, int i, rt_key **out);
int rt_key_value_at(rt_key *k, int i, rt_value **out);

/* ---------------------------------------------------------------- values */

/* Value by name (case-insensitive; NULL or "" is the default value). */
int rt_key_get_value(rt_key *k, const char *name, rt_value **out);
void rt_value_free(rt_value **v);

/*
 * Conversions of a value. 0 ok, -1 wrong type or size.
 * dword: REG_DWORD, REG_DWORD_BE (byte-swapped), and REG_BINARY/NONE of
 *        exactly 4 bytes (some settings are written that way).
 * qword: REG_QWORD, REG_DWORD, REG_DWORD_BE, REG_BINARY/NONE of 8 bytes.
 * string: REG_SZ, REG_EXPAND_SZ, REG_LINK (UTF-16LE, up to the first NUL;
 *        lone surrogates become U+FFFD); also REG_MULTI_SZ (first string);
 *        malloc'd UTF-8, "" for an empty value.
 * multi_sz: REG_MULTI_SZ split into a NULL-terminated malloc'd list
 *        (free with rt_strv_free)
 *        (an empty string ends the list, as for Windows); REG_SZ gives a
 *        one-item list (none when empty).
 */
int rt_value_dword(const rt_value *v, uint32_t *out);
int rt_value_qword(const rt_value *v, uint64_t *out);
int rt_value_string(const rt_value *v, char **out);
int rt_value_multi_sz(const rt_value *v, char ***out, size_t *count);
void rt_strv_free(char **v);
/* "REG_DWORD", ..., "REG_UNKNOWN(0x1234)" into `out` (>= 32 bytes). */
const char *rt_value_type_name(uint32_t type, char *out, size_t outsz);

/*
 * Shortcuts: look up value `name` of key `k` and convert it. 1 ok, 0 the
 * value is absent, -1 present but of the wrong type/size or unreadable.
 * get_binary copies the raw bytes of a value of any type (malloc'd;
 * *data NULL when the value is empty); `type` may be NULL.
 */
int rt_key_get_dword(rt_key *k, const char *name, uint32_t *out);
int rt_key_get_qword(rt_key *k, const char *name, uint64_t *out);
int rt_key_get_string(rt_key *k, const char *name, char **out);
int rt_key_get_multi_sz(rt_key *k, const char *name, char ***out, size_t *count);
int rt_key_get_binary(rt_key *k, const char *name, uint8_t **data, size_t *size, uint32_t *type);

/* The same by key path from the hive root: 1 ok, 0 key or value absent,
 * -1 wrong type or damaged. */
int rt_hive_get_dword(rt_hive *h, const char *path, const char *name, uint32_t *out);
int rt_hive_get_string(rt_hive *h, const char *path, const char *name, char **out);

/*
 * The computer name of a SYSTEM hive: CurrentControlSet\Control\
 * ComputerName\ComputerName "ComputerName" (falling back to ActiveComputerName).
 * 1 found (malloc'd UTF-8), 0 not a SYSTEM hive or no name, -1 error.
 */
int rt_hive_computer_name(rt_hive *h, char **out);

/*
 * Check the key tree of `h` (its memory image, not through libregf): every
 * key and subkey list cell in bounds and of the right kind, each key's
 * subkey count held by its list, its value list and value cells in bounds,
 * and each key reached once: a key met again is a subkey cycle or a key
 * with two parents, which libregf does not notice (it then shows keys as
 * absent). The first problems are reported on `d` as errors (subject: the
 * hive's name, "hive is damaged: key 'ControlSet001': ..."), the rest
 * counted; the first is also written to `why` (may be NULL). Returns the
 * number of problems (0: sound), -1 when out of memory.
 */
int rt_hive_check(const rt_hive *h, rt_diag *d, char *why, size_t whylen);

/* Marvin32 hash; HvLE log entries use it with RT_MARVIN_HVLE_SEED (checked
 * against real logs: the decimal seed in msuhanov/regf is byte-swapped). */
uint64_t rt_marvin32(const void *data, size_t len, uint64_t seed);
#define RT_MARVIN_HVLE_SEED 0x82EF4D887A4E55C5ULL

/* XOR-32 checksum of a base block (its first 508 bytes) as stored at 508. */
uint32_t rt_hive_base_block_checksum(const uint8_t *base_block);

#endif
