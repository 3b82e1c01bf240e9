/*
 * binxml.h - the native EVTX chunk decoder (internal to the evtx module).
 *
 * rt_bx_decode_chunk() turns one 64 KiB chunk into normalized events
 * (event.h) without building XML: the binary XML of every record is walked
 * once, template instances are expanded on the fly with their substitution
 * values, and only the parts the normalized event needs are rendered.
 * Values are rendered as libevtx 20181227 renders them in its XML, so that
 * both readers give the same events (docs/native-evtx.md lists the rules).
 *
 * Output lives in an rt_bx_chunk: a string arena plus arrays of events and
 * fields that refer into it by offset, so that the arena may grow while a
 * chunk is decoded. The same rt_bx_chunk is reused chunk after chunk; in
 * steady state decoding allocates nothing.
 *
 * A chunk is rejected as a whole (return -1, reason in `err`) when its
 * magic or a checksum is wrong, a record is malformed, or a token or value
 * type is unknown: the caller then hands the chunk to libevtx.
 */
#ifndef REMTRAIL_BINXML_H
#define REMTRAIL_BINXML_H

#include <stddef.h>
#include <stdint.h>

#include "remtrail/event.h"
#include "remtrail/util.h"

#define RT_BX_CHUNK_SIZE 65536u
#define RT_BX_NONE 0xFFFFFFFFu

/* A string in the chunk output: an offset into `arena` or RT_BX_NONE. */
typedef struct rt_bx_event {
	uint64_t timestamp, record_id, record_number, written;
	uint32_t event_id, qualifiers, level, process_id, thread_id;
	uint32_t computer, channel, provider, user_sid;
	uint32_t field0, nfields; /* range in rt_bx_chunk.fields */
} rt_bx_event;

typedef struct rt_bx_field {
	uint32_t name, value;
	uint32_t hash; /* of the name when known as it is added, else 0 */
	uint32_t lit;  /* the name is the literal text at this offset of
			* `names` (a compiled <Data Name="K">), else RT_BX_NONE */
	uint32_t nlen, vlen; /* strlen of name and value, 0 when not known */
} rt_bx_field;

typedef struct rt_bx_name {
	uint32_t off;  /* chunk offset of the name structure; 0 = empty slot */
	uint32_t str;  /* arena offset of its UTF-8 text */
	uint16_t id;   /* a known element/attribute name, or 0 */
} rt_bx_name;

#define RT_BX_NAME_SLOTS 512

/* A template of the chunk: the chunk offset of its body (0 = empty slot)
 * and where its compiled tape starts in `ops`, or RT_BX_NONE when it is
 * walked instead (binxml.c). */
typedef struct rt_bx_tmpl {
	uint32_t body, tape;
} rt_bx_tmpl;

#define RT_BX_TMPL_SLOTS 256

/* Offsets with this bit set refer to `names` rather than `arena`. */
#define RT_BX_NAMEBIT 0x80000000u

typedef struct rt_bx_chunk {
	rt_buf arena;
	rt_buf names; /* element and attribute names of the chunk, UTF-8 */
	rt_bx_event *ev;
	size_t nev, evcap;
	rt_bx_field *fields;
	size_t nfields, fieldcap;
	/* scratch for template values and element frames, reused */
	void *vals;
	size_t valcap;
	uint32_t *nk;
	size_t nkcap;
	/* the `lit` of each field of the last record whose names were all
	 * literal and needed no suffix (fix_duplicates, binxml.c) */
	uint32_t *uniq;
	size_t nuniq, uniqcap;
	rt_bx_name slots[RT_BX_NAME_SLOTS];
	void *ops;    /* compiled templates of the chunk */
	size_t nops, opcap;
	rt_bx_tmpl tmpl[RT_BX_TMPL_SLOTS];
	char err[160];
	int hazard;   /* the chunk holds what libevtx mishandles (see below) */
} rt_bx_chunk;

/* Flags for rt_bx_decode_chunk. */
#define RT_BX_NO_CRC 1u /* skip the checksum checks (fuzzing) */
#define RT_BX_LEAN 4u   /* leave out the System values only the events'
			 * consumers other than printing read: Execution's
			 * ProcessID and ThreadID, Security's UserID and
			 * EventID's Qualifiers (stay 0 / RT_BX_NONE) */
#define RT_BX_WALK 2u   /* walk every template body instead of running its
			 * compiled tape: the reference the tapes are checked
			 * against (tests, fuzzing); same events, slower */

void rt_bx_chunk_init(rt_bx_chunk *c);
void rt_bx_chunk_release(rt_bx_chunk *c);
/*
 * Move the decoded chunk of `from` (its events, fields, arena, names,
 * error) into `to`, whose output buffers go to `from` in exchange; the
 * scratch of each (templates, name cache, values) stays. A thread decodes
 * into scratch of its own, so only the output changes hands.
 */
void rt_bx_chunk_take(rt_bx_chunk *to, rt_bx_chunk *from);
/* Copy the decoded chunk of `from` into `to` (its scratch untouched). 0, or
 * -1 on out of memory. */
int rt_bx_chunk_copy(rt_bx_chunk *to, const rt_bx_chunk *from);

/*
 * Decode the chunk at `data` (`len` bytes, normally RT_BX_CHUNK_SIZE).
 * Returns 0 with the chunk's events in `out`, or -1 with `out->err` saying
 * why the chunk was rejected ("bad chunk magic", "bad chunk header
 * checksum", "unknown token 0x.. at offset 0x....", ...); `out` then holds
 * no events. Never reads outside [data, data+len).
 */
int rt_bx_decode_chunk(rt_bx_chunk *out, const uint8_t *data, size_t len, unsigned flags);

/*
 * 1 when two decoded chunks hold the same events to the byte (every
 * number, string and field) and the same error text, and every length
 * either knows of a field's name or value is its strlen, else 0. For
 * tests.
 */
int rt_bx_chunk_same(const rt_bx_chunk *a, const rt_bx_chunk *b);

/*
 * Fill `ev` (and `fields`, room for e->nfields, and `lens`, room for twice
 * that, or NULL) from event `i` of a decoded chunk. Pointers stay valid
 * until the chunk is decoded again or released.
 */
void rt_bx_event_get(const rt_bx_chunk *c, size_t i, rt_event *ev, rt_field *fields,
		     uint32_t *lens);

/*
 * Whether libevtx can be given this chunk (the fallback for chunks the
 * native decoder rejects). libevtx 20181227 checks a template instance's
 * value count with a 32-bit multiplication: a count of 2^30 or more
 * overflows the check, and it allocates gigabytes and reads past the
 * record (evtxexport is killed by the kernel on such a log; found by
 * tests/fuzz/fuzz_evtx_file.c). Every record of the chunk, its slack
 * space included, is walked on its own, past the ones that fail, with
 * `scratch` as work space. Returns NULL when no
 * record has such a template instance, else a description (in
 * scratch->err) naming the offset.
 */
const char *rt_bx_libevtx_hazard(rt_bx_chunk *scratch, const uint8_t *data, size_t len);

/* NULL when both checksums of the chunk are right, else what is wrong. */
const char *rt_bx_check_crc(const uint8_t *data, size_t len);

#endif
