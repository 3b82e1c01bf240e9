/*
 * util.h - small building blocks every stage uses: a growable byte buffer
 * with a hard size cap, UTF-16LE to UTF-8 conversion, FILETIME formatting,
 * JSON string escaping, bounds-checked little-endian readers and SHA-256.
 *
 * Nothing here prints or exits; functions return 0 on success and -1 on
 * failure (out of memory or over a cap) unless said otherwise.
 */
#ifndef REMTRAIL_UTIL_H
#define REMTRAIL_UTIL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* ------------------------------------------------------------------ buffer */

/*
 * A growable buffer. `buf` is never NULL and always NUL-terminated, so it
 * can be used as a C string at any time (it may also hold NUL bytes; `len`
 * is authoritative). `max` caps the size: hostile input cannot make a buffer
 * grow without bound. Initialise with RT_BUF_INIT (default cap) or
 * rt_buf_init(); release with rt_buf_release().
 */
typedef struct rt_buf {
	char *buf;
	size_t len;
	size_t alloc; /* 0 while buf points at the shared empty string */
	size_t max;   /* hard cap on len; 0 means RT_BUF_DEFAULT_MAX */
} rt_buf;

extern char rt_buf_empty[];
#define RT_BUF_DEFAULT_MAX ((size_t)256 << 20)
#define RT_BUF_INIT { rt_buf_empty, 0, 0, 0 }

void rt_buf_init(rt_buf *b, size_t max);
/* Make room for `extra` more bytes (plus the terminator); inline when
 * the room is there already. */
int rt_buf_grow_slow(rt_buf *b, size_t extra);
/* (alloc never exceeds the cap + 1, so room there is room under the cap) */
static inline int rt_buf_grow(rt_buf *b, size_t extra)
{
	if (extra < b->alloc - b->len)
		return 0;
	return rt_buf_grow_slow(b, extra);
}
int rt_buf_add_slow(rt_buf *b, const void *p, size_t n);
/* Append n bytes (inline when the room is there: the hot path of writers). */
static inline int rt_buf_add(rt_buf *b, const void *p, size_t n)
{
	if (n < b->alloc - b->len) {
		if (n)
			memcpy(b->buf + b->len, p, n);
		b->len += n;
		b->buf[b->len] = '\0';
		return 0;
	}
	return rt_buf_add_slow(b, p, n);
}
int rt_buf_adds(rt_buf *b, const char *s);
static inline int rt_buf_addch(rt_buf *b, char c)
{
	if (1 < b->alloc - b->len) {
		b->buf[b->len++] = c;
		b->buf[b->len] = '\0';
		return 0;
	}
	return rt_buf_add_slow(b, &c, 1);
}
int rt_buf_addf(rt_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Drop the contents, keep the allocation. */
static inline void rt_buf_reset(rt_buf *b)
{
	b->len = 0;
	if (b->alloc) /* never write the shared empty string: threads share it */
		b->buf[0] = '\0';
}
/* Shorten to `len` (no-op when len >= b->len). */
void rt_buf_truncate(rt_buf *b, size_t len);
/* Free the contents and re-initialise (keeps `max`). */
void rt_buf_release(rt_buf *b);
/* Hand the malloc'd string to the caller (never NULL on success; NULL on OOM)
 * and re-initialise the buffer. */
char *rt_buf_detach(rt_buf *b, size_t *len);

/* ------------------------------------------------------------------ text */

/*
 * Append `nunits` UTF-16LE code units from `p` as UTF-8. Stops early at a NUL
 * code unit when `stop_at_nul` is set. Lone or mismatched surrogates become
 * U+FFFD rather than failing, so damaged strings stay readable.
 */
int rt_utf16le_to_utf8(rt_buf *out, const uint8_t *p, size_t nunits, int stop_at_nul);

/* Append `n` bytes as valid UTF-8: invalid sequences become U+FFFD. */
int rt_utf8_sanitize(rt_buf *out, const char *s, size_t n);
/* Length (1-4) of the valid UTF-8 sequence at s[0] of n > 0 bytes; 0 when
 * it is not one (overlong, surrogate, beyond U+10FFFF, truncated). */
size_t rt_utf8_seq_len(const unsigned char *s, size_t n);

/* --------------------------------------------------------------- escaping */

/*
 * Text outputs (report.txt, `--format text`, CSV cells, diagnostics on
 * stderr) show what the evidence holds without letting it act on the
 * reader: nothing read from evidence can start a line, move the cursor,
 * recolour a terminal, reorder text or become a spreadsheet formula
 * (docs/report.md, "Outputs the evidence cannot forge").
 *
 * rt_text_escape appends `s` (n bytes) with LF, CR and TAB as \n \r \t,
 * other C0 controls and DEL as \xNN, bytes that are not UTF-8 as \xNN,
 * and as \uNNNN the C1 controls (U+0080-U+009F), ALM, LRM/RLM, the line
 * and paragraph separators and the bidirectional embeddings, overrides
 * and isolates (U+202A-U+202E, U+2066-U+2069). Everything else, the
 * backslash included, is copied: a value stays readable, it is not meant
 * to be decoded back.
 */
int rt_text_escape(rt_buf *out, const char *s, size_t n);
static inline int rt_text_cstr(rt_buf *out, const char *s)
{
	return s ? rt_text_escape(out, s, strlen(s)) : 0;
}

/*
 * A file name (a path on the analyst's machine), everywhere it is shown:
 * printable UTF-8 is copied; bytes that are not UTF-8 and every byte of a
 * control or of a code point rt_text_escape escapes become \xNN (the raw
 * bytes, lower-case hex); a backslash is doubled only where it is followed
 * by a backslash, an 'x' or an escape, so Windows-style names read as they
 * are. rt_path_unescape gives back the exact bytes, so a name shown can
 * always be matched to its file. JSON carries the escaped form.
 */
int rt_path_escape(rt_buf *out, const char *s, size_t n);
static inline int rt_path_cstr(rt_buf *out, const char *s)
{
	return s ? rt_path_escape(out, s, strlen(s)) : 0;
}
int rt_path_unescape(rt_buf *out, const char *s, size_t n);

/*
 * One CSV cell (no separator): `s` through rt_text_escape, quoted (quotes
 * doubled) when it holds a comma, semicolon or quote. Unless `raw`, a cell
 * that begins with '=', '+', '-', '@', TAB or CR is neutralised as OWASP
 * advises against CSV injection: prefixed with a single quote and quoted.
 * NULL and "" write nothing.
 */
int rt_csv_cell(rt_buf *out, const char *s, int raw);

/* ASCII case-insensitive comparisons (Windows names are compared this way). */
int rt_strcaseeq(const char *a, const char *b);
int rt_strncaseeq(const char *a, const char *b, size_t n);
/* The order that agrees with rt_strcaseeq (<0, 0, >0, as strcmp); not NULL-safe. */
int rt_strcasecmp(const char *a, const char *b);
/* Case-insensitive suffix / substring tests; NULL-safe (NULL never matches). */
int rt_endswith_ci(const char *s, const char *suffix);
const char *rt_strcasestr(const char *hay, const char *needle);
/*
 * First place where `needle` (nlen bytes) occurs in `hay` (hlen bytes),
 * ASCII case-insensitive; bytes >= 0x80 must match exactly and NUL bytes
 * are ordinary bytes. NULL when absent or when either pointer is NULL; an
 * empty needle matches at `hay`. For many searches in one long value: the
 * lengths are taken once by the caller.
 */
const char *rt_strcasestr_n(const char *hay, size_t hlen, const char *needle, size_t nlen);
/* The index of the byte of `needle` (nlen > 0) that is rarest in the text
 * rules search: where a search for it best starts (what rt_strcasestr_n
 * uses). */
size_t rt_needle_anchor(const char *needle, size_t nlen);
/* How common byte c (either case) is in that text, in 1/1000 (the table
 * rt_needle_anchor reads). */
unsigned rt_byte_permille(unsigned char c);
/* dst[0..n) = src[0..n) with ASCII A-Z lower-cased (other bytes as they
 * are); dst may be src. Sixteen bytes at a time with SSE2. */
void rt_ascii_lower(char *dst, const char *src, size_t n);

/* strdup that returns NULL for NULL. */
char *rt_strdup0(const char *s);

/* The value of one hex digit (either case), or -1; `c` as from a char or
 * an unsigned char. */
int rt_hex_digit(int c);

/* Parse an unsigned decimal or 0x-hex number; 0 on success, -1 if malformed
 * or out of range. Replaces atoi/strtoul with their silent failures. */
int rt_parse_u64(const char *s, uint64_t *out);

/* -------------------------------------------------------------- parallel */

#define RT_PAR_MAX 64
typedef int (*rt_par_fn)(void *ctx, size_t i);
/*
 * fn(ctx, i) once for each i in [0, n), on up to `threads` threads (the
 * calling one among them), jobs taken in index order as threads come free:
 * for jobs that share nothing but what they only read (the files of a
 * report, each into its own buffer). Every job runs even when some fail.
 * 0, or -1 when some call returned non-zero.
 */
int rt_par_each(size_t n, unsigned threads, rt_par_fn fn, void *ctx);

/*
 * pthread_create, but the thread starts on a core the calling thread is
 * not on (the k-th other one it may use), and may then run anywhere the
 * caller may. Linux places a new thread on its creator's core: in half the
 * runs of `events -j2` the worker waited there 1.6-3.3 ms for a balance to
 * move it to the idle core, 2-3 % of the run on a 256 MiB log.
 */
int rt_thread_start(pthread_t *th, void *(*fn)(void *), void *arg, unsigned k);

/* ------------------------------------------------------------------ heap */

/*
 * glibc's heap set for this program's allocations (src/util/heap.c says
 * why): huge pages, allocations below 32 MiB from the heap, freed memory
 * kept. Called first thing in main, before anything is allocated.
 */
void rt_heap_setup(void);

/* ------------------------------------------------------------------ time */

/* FILETIME: 100-nanosecond intervals since 1601-01-01 UTC. */
#define RT_TIME_MAX 32
#define RT_FILETIME_UNIX_EPOCH 116444736000000000ULL

/* "YYYY-MM-DDTHH:MM:SS.fffffffZ" (7 fractional digits, always UTC). */
void rt_time_format(uint64_t filetime, char out[RT_TIME_MAX]);
/*
 * Parse an ISO 8601 UTC time: "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.f...]]"
 * with optional "Z" (or a space for "T"). Offsets other than Z are refused so
 * that nobody is surprised by local time. 0 on success, -1 if malformed.
 */
int rt_time_parse(const char *s, uint64_t *filetime);
uint64_t rt_time_from_unix(int64_t seconds);
/* Microseconds since 1970-01-01 UTC (Timesketch's `timestamp`); earlier
 * times are negative. */
int64_t rt_time_unix_us(uint64_t filetime);

/* "YYYY-MM-DDTHH:MM:SS.fffffff+HH:MM": the UTC time `filetime` shown in a
 * zone `minutes_east` of UTC. Only beside the UTC time, never instead. */
#define RT_TIME_LOCAL_MAX 40
void rt_time_format_offset(uint64_t filetime, int minutes_east, char out[RT_TIME_LOCAL_MAX]);
/* The offset from UTC, in minutes east, of this process' time zone (TZ,
 * else /etc/localtime) at `filetime`, daylight saving included; 0 when
 * unknown. The command line sets TZ for --tz ZONE. */
int rt_time_local_offset(uint64_t filetime);

/* ------------------------------------------------------------------ json */

/* Append `s` (n bytes) as a quoted JSON string. A byte that is not UTF-8
 * becomes the text \xNN (JSON "\\xNN"), as rt_path_escape writes it, so a
 * file name in another encoding can still be matched to its file. */
int rt_json_str(rt_buf *out, const char *s, size_t n);
/* Copy to d (room for n bytes) the longest start of `s` (n bytes) that a
 * JSON string holds as it is; returns its length, n when nothing is to be
 * escaped (then d holds the string's text without its quotes). */
size_t rt_json_plain(char *d, const char *s, size_t n);
/* `sep` (unless '\0'), then "k":"v" as rt_json_str writes each: an
 * object's member in one call (the bulk writers' hot path). */
int rt_json_member(rt_buf *out, char sep, const char *k, size_t kn, const char *v, size_t vn);
static inline int rt_json_cstr(rt_buf *out, const char *s)
{
	return rt_json_str(out, s ? s : "", s ? strlen(s) : 0);
}

/* ---------------------------------------------------------------- bounds */

/* True when [off, off+len) lies inside a buffer of `size` bytes. */
static inline int rt_fits(size_t size, size_t off, size_t len)
{
	return off <= size && len <= size - off;
}
static inline uint16_t rt_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}
static inline uint32_t rt_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}
static inline uint64_t rt_le64(const uint8_t *p)
{
	return (uint64_t)rt_le32(p) | ((uint64_t)rt_le32(p + 4) << 32);
}

/* CRC-32 (IEEE, as EVTX uses); `crc` is 0 to start. */
uint32_t rt_crc32(uint32_t crc, const void *data, size_t len);

/* Whether the comma-separated `list` holds `item` (n bytes), letters in
 * either case, spaces before an item ignored. */
int rt_list_has(const char *list, const char *item, size_t n);
/* Append to the comma-separated list in `b` each item of `items` that it
 * does not hold yet (address scopes united: "10.0.5.0/24" once however
 * many rules name it). 0, or -1 out of memory. */
int rt_list_union(rt_buf *b, const char *items);
/* qsort comparator of C strings (an array of char *): strcmp order. */
int rt_cmp_cstr(const void *a, const void *b);

/*
 * A shared library loaded when first needed (dlopen), not at start-up:
 * every library linked costs every run its relocations. Fill in soname,
 * flags and the functions wanted (name, and where to store its address:
 * a function pointer of the right type), with the mutex initialised
 * (RT_DL_LIB); rt_dl_load loads it once, and later calls give the first
 * answer. Thread safe.
 */
typedef struct rt_dl_sym {
	const char *name;
	void *dst; /* a function pointer's address */
} rt_dl_sym;

typedef struct rt_dl_lib {
	const char *soname;
	int flags; /* dlopen's */
	const rt_dl_sym *syms;
	size_t nsyms;
	pthread_mutex_t mu;
	int tried, failed;
	void *handle;
	char why[256];
} rt_dl_lib;

#define RT_DL_LIB(soname, flags, syms)                                                        \
	{ (soname), (flags), (syms), sizeof(syms) / sizeof((syms)[0]), PTHREAD_MUTEX_INITIALIZER, \
	  0, 0, NULL, "" }

/* 0 when its functions can be called; -1 with why in err ("cannot load
 * libcrypto.so.3: ..."). */
int rt_dl_load(rt_dl_lib *l, char *err, size_t n);

/* ----------------------------------------------------------------- SHA-256 */

/*
 * SHA-256 by OpenSSL's libcrypto, which uses the CPU's SHA extensions
 * where it has them (about 0.9 cycles per byte against 15 for portable C).
 *
 * A context is owned by whoever called rt_sha256_init() and belongs to one
 * thread at a time; contexts share nothing, so any number may be in use at
 * once on any threads (one per file being read). It holds an allocated
 * libcrypto context: rt_sha256_final() frees it, and a context abandoned
 * before its final must be given to rt_sha256_release(). Do not copy an
 * initialised context by assignment (both copies would own the same
 * libcrypto context).
 *
 * rt_sha256_init() returns 0, or -1 when libcrypto could not give a context
 * (out of memory); the context is then marked failed, and update and final
 * on it are safe: final returns -1 and fills `out` with zeros.
 */
typedef struct rt_sha256 {
	void *md;     /* owned libcrypto context; NULL once final or released */
	uint64_t len;             /* bytes hashed so far */
	int failed;
} rt_sha256;

int rt_sha256_init(rt_sha256 *c);
void rt_sha256_update(rt_sha256 *c, const void *data, size_t n);
/* The digest into `out`; frees the context. 0, or -1 if it failed. */
int rt_sha256_final(rt_sha256 *c, uint8_t out[32]);
/* Free the context without a digest (no-op after final or release). */
void rt_sha256_release(rt_sha256 *c);
/* For tests: use libcrypto's EVP calls even where it has SHA256_Init and
 * the rest (called before the first rt_sha256_init of the process), and
 * whether EVP is what is used (after one). */
void rt_sha256_use_evp(void);
int rt_sha256_is_evp(void);
/* Lower-case hex of `n` bytes into `hex` (2n+1 bytes). */
void rt_hex(const uint8_t *p, size_t n, char *hex);
/* SHA-256 of a whole file (read-only, streamed) as 64 hex digits + NUL.
 * Returns 0, or -1 (errno set) when the file cannot be read. */
int rt_sha256_file(const char *path, char hex[65], uint64_t *size);

#endif
