/*
 * event.h - the normalized event: what every EVTX record becomes, whichever
 * reader decoded it (libevtx or the native decoder).
 *
 * Ownership: an rt_event handed to a callback, and every string it points
 * to, is valid only during that callback. Copy what you keep
 * (rt_event_copy()).
 *
 * Field names and values (the contract both readers keep):
 *  - EventData <Data Name="X">v</Data> gives ("X", "v").
 *  - Unnamed <Data> items (classic logs such as "Windows PowerShell") are
 *    named by 1-based position among the unnamed ones: "Data[1]", "Data[2]".
 *  - EventData <Binary> gives ("Binary", upper-case hex).
 *  - UserData: every leaf element below the UserData child gives
 *    (leaf local name, text); attributes of leaves are ignored.
 *  - A name seen again in the same record gets "[2]", "[3]"... appended, so
 *    names are unique within an event.
 *  - Values are UTF-8 text as libevtx renders them in XML (numbers decimal,
 *    hex values "0x..." as rendered, GUIDs "{...}" upper case, SIDs
 *    "S-1-...", times ISO 8601 with 7 digits and "Z"), unescaped (no &amp;).
 *    An empty element gives "".
 */
#ifndef REMTRAIL_EVENT_H
#define REMTRAIL_EVENT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct rt_field {
	const char *name;
	const char *value;
} rt_field;

typedef struct rt_event {
	uint64_t timestamp;     /* System/TimeCreated/@SystemTime, FILETIME UTC */
	uint64_t record_id;     /* System/EventRecordID */
	uint64_t record_number; /* record header's number */
	uint64_t written;       /* record header's written time, FILETIME UTC */
	uint32_t event_id;      /* System/EventID (without qualifiers) */
	uint32_t qualifiers;    /* System/EventID/@Qualifiers, 0 if absent */
	uint32_t level;         /* System/Level */
	uint32_t process_id;    /* System/Execution/@ProcessID, 0 if absent */
	uint32_t thread_id;     /* System/Execution/@ThreadID, 0 if absent */
	const char *host;        /* host the evidence is attributed to (never NULL) */
	const char *computer;    /* System/Computer ("" if absent) */
	const char *channel;     /* System/Channel ("" if absent) */
	const char *provider;    /* System/Provider/@Name ("" if absent) */
	const char *user_sid;    /* System/Security/@UserID ("" if absent) */
	const char *source_file; /* path of the EVTX file as given by the user */
	size_t nfields;
	const rt_field *fields;
	/* NULL, or the lengths the reader knew: field_lens[2i] of
	 * fields[i].name, field_lens[2i + 1] of its value, 0 where not known
	 * (then count). Valid as long as the fields; rt_field_len() reads it. */
	const uint32_t *field_lens;
	int recovered;           /* 1: recovered from slack space or beyond the
				  * header's chunks (libevtx's "recovered" records) */
	/* 0, or what rt_evtx_opts.pre said of this event on the thread that
	 * decoded it (evtx.h): an optimisation its consumer may use, never a
	 * change of meaning. Whoever builds an event zeroes it (memset). */
	uint64_t pre;
} rt_event;

/* Value of the field named `name` (exact, case-sensitive), or NULL. */
/* strlen of field i's name (which 0) or value (which 1), from
 * ev->field_lens where known. */
static inline size_t rt_field_len(const rt_event *ev, size_t i, int which)
{
	const char *s = which ? ev->fields[i].value : ev->fields[i].name;
	size_t n = ev->field_lens ? ev->field_lens[2 * i + (which ? 1 : 0)] : 0;

	return n ? n : strlen(s);
}

const char *rt_event_get(const rt_event *ev, const char *name);
/* Like rt_event_get, but "" instead of NULL. */
const char *rt_event_gets(const rt_event *ev, const char *name);

/* A deep copy in one allocation; free with free(). NULL on OOM. */
rt_event *rt_event_copy(const rt_event *ev);

/* Receives events; return nonzero to stop reading. */
typedef int (*rt_event_cb)(void *ctx, const rt_event *ev);

#endif
