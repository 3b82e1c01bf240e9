/*
 * The native chunk decoder: binary XML straight to normalized events.
 *
 * Why no XML: rendering and re-scanning XML is most of libevtx's cost. We
 * walk the token stream once, keep a small stack of element frames that
 * knows where we are (System/..., EventData/Data, UserData leaves) and
 * render a value only when the normalized event needs it; everything else
 * (Keywords, Task, RenderingInfo, ...) is skipped without formatting.
 *
 * Everything is addressed by chunk offset and checked with rt_fits against
 * the chunk: names, template definitions and values all live in the chunk.
 * Template bodies are walked in place each time they are instanced; the
 * recursion (template in value in template ...) is limited to BX_MAX_NEST
 * and the total token count per chunk to BX_MAX_STEPS, so a template that
 * refers to itself or a hostile chunk cannot make us loop.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "binxml.h"

#define BX_MAX_NEST 12
#define BX_MAX_DEPTH 64
#define BX_MAX_STEPS (16u << 20)
#define BX_ARENA_MAX ((size_t)64 << 20)
#define BX_MAX_VALS (1u << 20)

enum name_id {
	N_OTHER = 0,
	N_EVENT,
	N_SYSTEM,
	N_EVENTDATA,
	N_USERDATA,
	N_DATA,
	N_BINARY,
	N_PROVIDER,
	N_EVENTID,
	N_LEVEL,
	N_TIMECREATED,
	N_EVENTRECORDID,
	N_EXECUTION,
	N_CHANNEL,
	N_COMPUTER,
	N_SECURITY,
	N_NAME,
	N_QUALIFIERS,
	N_SYSTEMTIME,
	N_PROCESSID,
	N_THREADID,
	N_USERID,
	N_PROCERR,
	N_DEBUGDATA,
	N_COUNT
};

static const char *const known_names[] = {
	"", "Event", "System", "EventData", "UserData", "Data", "Binary", "Provider",
	"EventID", "Level", "TimeCreated", "EventRecordID", "Execution", "Channel",
	"Computer", "Security", "Name", "Qualifiers", "SystemTime", "ProcessID",
	"ThreadID", "UserID", "ProcessingErrorData", "DebugData",
};

/* The entity references XML predefines, and what they stand for. */
static const char *const ents[][2] = {
	{ "amp", "&" }, { "lt", "<" }, { "gt", ">" }, { "quot", "\"" }, { "apos", "'" },
};
#define BX_NENTS (sizeof(ents) / sizeof(ents[0]))

/* K_EDLEAF: another EventData child; K_UDROOT: the UserData child, or
 * ProcessingErrorData/DebugData, whose descendant leaves give fields. */
enum kind { K_SKIP, K_EVENT, K_SYSTEM, K_SYSVAL, K_EVENTDATA, K_DATA, K_BINARY, K_EDLEAF,
	    K_USERDATA, K_UDROOT, K_UDELEM, K_COUNT };

/* The kind of a child element: by its parent's kind and its name where
 * the name matters (kind_named, 0 = not named there), else by the
 * parent's kind alone (kind_child). Run for every element: tables, no
 * branches. */
static const uint8_t kind_named[K_COUNT][N_COUNT] = {
	[K_EVENT] = { [N_SYSTEM] = K_SYSTEM, [N_EVENTDATA] = K_EVENTDATA,
		      [N_USERDATA] = K_USERDATA, [N_PROCERR] = K_UDROOT, [N_DEBUGDATA] = K_UDROOT },
	[K_EVENTDATA] = { [N_DATA] = K_DATA, [N_BINARY] = K_BINARY },
};
static const uint8_t kind_child[K_COUNT] = {
	[K_SYSTEM] = K_SYSVAL, [K_EVENTDATA] = K_EDLEAF, [K_USERDATA] = K_UDROOT,
	[K_UDROOT] = K_UDELEM, [K_UDELEM] = K_UDELEM,
};

typedef struct sval {
	uint32_t off;
	uint16_t size;
	uint8_t type;
} sval;

typedef struct frame {
	uint8_t kind;
	uint8_t sub;      /* name id of a System child */
	uint8_t has_child;
	uint8_t drop;     /* a null optional substitution: libevtx leaves the element out */
	uint8_t emitted;  /* an array already gave one field per item */
	uint8_t cap;      /* frame_cap() of kind and sub */
	uint32_t text;    /* arena offset where the element's text starts */
	uint32_t name;    /* arena offset of the element's name */
	uint32_t dname;   /* Data@Name, or RT_BX_NONE */
	uint32_t dlen;    /* its length, 0 when not known */
} frame;

typedef struct walker {
	const uint8_t *c;
	size_t clen;
	rt_bx_chunk *out;
	rt_bx_event *ev;
	frame st[BX_MAX_DEPTH];
	int depth;
	int capture;     /* text and values go into the arena */
	int in_attr;     /* reading an attribute's value */
	int attr;        /* name id of the attribute being read, 0 if ignored */
	int attr_null;   /* the attribute so far is only a null optional substitution */
	int attr_any;    /* the attribute has had some content */
	int ts_raw;      /* TimeCreated came as a FILETIME value */
	uint32_t attr_start;
	uint32_t unnamed;
	size_t nvals;
	unsigned long steps;
	unsigned flags;  /* RT_BX_* of rt_bx_decode_chunk */
	rt_buf *a;
} walker;

static int fail(walker *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(walker *w, const char *fmt, ...)
{
	va_list ap;

	if (!w->out->err[0]) {
		va_start(ap, fmt);
		vsnprintf(w->out->err, sizeof(w->out->err), fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* ---------------------------------------------------------------- arena */

static inline int put(walker *w, const void *p, size_t n)
{
	return rt_buf_add(w->a, p, n);
}

static inline int putc_(walker *w, char ch)
{
	return rt_buf_addch(w->a, ch);
}

static int nul(walker *w)
{
	return rt_buf_add(w->a, "", 1);
}

static int put_u64(walker *w, uint64_t v)
{
	static const char pairs[] = "00010203040506070809101112131415161718192021222324252627282930"
				    "31323334353637383940414243444546474849505152535455565758596061"
				    "62636465666768697071727374757677787980818283848586878889909192"
				    "93949596979899";
	static const uint64_t p10[19] = {
		1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
		1e17, 1e18, 10000000000000000000u,
	};
	size_t n = 1;
	char *d;

	while (n < 20 && v >= p10[n - 1])
		n++;
	/* written in place: a copy from a scratch array was a libc call */
	if (rt_buf_grow(w->a, n))
		return -1;
	d = w->a->buf + w->a->len + n;
	*d = '\0';
	w->a->len += n;
	while (v >= 100) {
		unsigned r = (unsigned)(v % 100);

		v /= 100;
		*--d = pairs[2 * r + 1];
		*--d = pairs[2 * r];
	}
	if (v >= 10) {
		*--d = pairs[2 * v + 1];
		*--d = pairs[2 * v];
	} else {
		*--d = (char)('0' + v);
	}
	return 0;
}

/*
 * A signed integer of `bits` bits as libevtx 20181227 renders it: a
 * negative value comes out as '-' and the raw bits without the sign bit
 * (int8 -5 is "-123"), a libevtx bug kept so that both readers agree.
 */
static int put_signed(walker *w, uint64_t raw, unsigned bits)
{
	uint64_t sign = (uint64_t)1 << (bits - 1);

	if (raw & sign) {
		if (putc_(w, '-'))
			return -1;
		return put_u64(w, raw & (sign - 1));
	}
	return put_u64(w, raw);
}


/*
 * The 8 hex digits of x, the first in the lowest byte: each nibble spread
 * to a byte, then '0' added, and 7 (upper case) or 39 (lower) more where
 * the nibble is 10 or more (its byte + 6 carries into bit 4).
 */
static inline uint64_t hex8(uint32_t x, uint64_t letter)
{
	const uint64_t ones = 0x0101010101010101ull;
	uint64_t n = x;

	n = ((n & 0xFFFF0000ull) << 16) | (n & 0xFFFFull);
	n = ((n & 0x0000FF000000FF00ull) << 8) | (n & 0x000000FF000000FFull);
	n = ((n & 0x00F000F000F000F0ull) << 4) | (n & 0x000F000F000F000Full);
	n += ones * '0' + (((n + ones * 6) >> 4) & ones) * letter;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return __builtin_bswap64(n);
#else
	return n;
#endif
}

/* The last `digits` (at most 16) hex digits of v; `upper`: A-F, else a-f. */
static int put_hex(walker *w, uint64_t v, int digits, int upper)
{
	uint64_t letter = upper ? 7 : 39, t[2];
	rt_buf *a = w->a;

	t[1] = hex8((uint32_t)v, letter);
	if (digits <= 8) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		/* the digits as one word, stored whole when there is room */
		if (a->alloc - a->len > 8) {
			uint64_t x = t[1] >> (8 * (8 - digits));

			memcpy(a->buf + a->len, &x, 8);
			a->len += (size_t)digits;
			a->buf[a->len] = '\0';
			return 0;
		}
#endif
		return put(w, (const char *)(t + 1) + 8 - digits, (size_t)digits);
	}
	t[0] = hex8((uint32_t)(v >> 32), letter);
	if (digits == 16 && a->alloc - a->len > 16) {
		memcpy(a->buf + a->len, t, 16);
		a->len += 16;
		a->buf[a->len] = '\0';
		return 0;
	}
	return put(w, (const char *)t + 16 - digits, (size_t)digits);
}

/* UTF-16LE (rt_utf16le_to_utf8 has the ASCII fast path); stops at a NUL. */
static inline int put_utf16(walker *w, const uint8_t *p, size_t units)
{
	return rt_utf16le_to_utf8(w->a, p, units, 1);
}

/* ------------------------------------------------------------ names */

static uint16_t name_lookup(const char *s, size_t n)
{
	size_t i;

	for (i = 1; i < sizeof(known_names) / sizeof(known_names[0]); i++)
		if (known_names[i][0] == s[0] && !strncmp(known_names[i], s, n) && known_names[i][n] == '\0')
			return (uint16_t)i;
	return N_OTHER;
}

/*
 * The name structure at chunk offset `off`, cached per chunk: its UTF-8
 * text (arena offset) and whether it is one of the names we act on.
 */
static const rt_bx_name *name_at(walker *w, uint32_t off)
{
	rt_bx_chunk *o = w->out;
	uint32_t h = (off * 2654435761u) >> 23, i;
	rt_bx_name *slot = NULL;
	uint16_t n;
	size_t start;

	for (i = 0; i < 16; i++) {
		rt_bx_name *s = &o->slots[(h + i) % RT_BX_NAME_SLOTS];

		if (s->off == off)
			return s;
		if (s->off == 0) {
			slot = s;
			break;
		}
	}
	if (!slot)
		slot = &o->slots[h % RT_BX_NAME_SLOTS]; /* evict */
	if (off == 0 || !rt_fits(w->clen, off, 8)) {
		fail(w, "name offset 0x%x outside the chunk", off);
		return NULL;
	}
	n = rt_le16(w->c + off + 6);
	if (!rt_fits(w->clen, off + 8, (size_t)n * 2)) {
		fail(w, "name at 0x%x runs past the chunk", off);
		return NULL;
	}
	{
		rt_buf *save = w->a;
		int bad;

		w->a = &o->names;
		start = w->a->len;
		bad = put_utf16(w, w->c + off + 8, n) || nul(w);
		w->a = save;
		if (bad) {
			fail(w, "out of memory");
			return NULL;
		}
	}
	slot->off = off;
	slot->str = (uint32_t)start | RT_BX_NAMEBIT;
	slot->id = name_lookup(o->names.buf + start, o->names.len - start - 1);
	return slot;
}

/* Read a name reference at `*pos`; skip the name when it is stored inline. */
static const rt_bx_name *read_name(walker *w, size_t *pos, size_t end)
{
	uint32_t off;

	if (!rt_fits(end, *pos, 4)) {
		fail(w, "truncated name reference at 0x%zx", *pos);
		return NULL;
	}
	off = rt_le32(w->c + *pos);
	*pos += 4;
	if (off == *pos) {
		uint16_t n;

		if (!rt_fits(end, *pos, 8)) {
			fail(w, "truncated name at 0x%zx", *pos);
			return NULL;
		}
		n = rt_le16(w->c + *pos + 6);
		if (!rt_fits(end, *pos, 8 + ((size_t)n + 1) * 2)) {
			fail(w, "truncated name at 0x%zx", *pos);
			return NULL;
		}
		*pos += 8 + ((size_t)n + 1) * 2;
	}
	return name_at(w, off);
}

/* ------------------------------------------------------------- values */

static int put_sid(walker *w, const uint8_t *p, size_t n)
{
	uint64_t auth = 0;
	unsigned i, cnt;

	if (n < 8 || n < 8 + 4 * (size_t)p[1])
		return fail(w, "malformed SID of %zu bytes", n);
	cnt = p[1];
	for (i = 0; i < 6; i++)
		auth = auth << 8 | p[2 + i];
	put(w, "S-", 2);
	put_u64(w, p[0]);
	putc_(w, '-');
	if (auth >> 32) {
		put(w, "0x", 2);
		put_hex(w, auth, 12, 1);
	} else {
		put_u64(w, auth);
	}
	for (i = 0; i < cnt; i++) {
		putc_(w, '-');
		put_u64(w, rt_le32(p + 8 + 4 * i));
	}
	return 0;
}

static void put_guid(walker *w, const uint8_t *p)
{
	uint64_t tail = 0;
	int i;

	putc_(w, '{');
	put_hex(w, rt_le32(p), 8, 1);
	putc_(w, '-');
	put_hex(w, rt_le16(p + 4), 4, 1);
	putc_(w, '-');
	put_hex(w, rt_le16(p + 6), 4, 1);
	putc_(w, '-');
	put_hex(w, (unsigned)p[8] << 8 | p[9], 4, 1);
	putc_(w, '-');
	for (i = 10; i < 16; i++)
		tail = tail << 8 | p[i];
	put_hex(w, tail, 12, 1);
	putc_(w, '}');
}

/* libevtx's FILETIME rendering: 9 fractional digits, the last two 0. */
static void put_filetime(walker *w, uint64_t ft)
{
	char t[RT_TIME_MAX];
	size_t n;

	rt_time_format(ft, t);
	n = strlen(t);
	if (n >= 1 && t[n - 1] == 'Z') {
		put(w, t, n - 1);
		put(w, "00Z", 3);
	} else {
		put(w, t, n);
	}
}

/* v in at least `width` digits, as printf's %0*u. */
static void put_padded(walker *w, unsigned v, int width)
{
	char t[12];
	int i = sizeof t;

	do {
		t[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while ((int)sizeof t - i < width)
		t[--i] = '0';
	put(w, t + i, sizeof t - (size_t)i);
}

/* "YYYY-MM-DDTHH:MM:SS.mmmZ" (libevtx's %04u-%02u-...%03u) */
static void put_systemtime(walker *w, const uint8_t *p)
{
	static const struct {
		uint8_t off, width;
		char after;
	} part[] = { { 0, 4, '-' }, { 2, 2, '-' }, { 6, 2, 'T' }, { 8, 2, ':' },
		     { 10, 2, ':' }, { 12, 2, '.' }, { 14, 3, 'Z' } };
	size_t i;

	for (i = 0; i < sizeof part / sizeof part[0]; i++) {
		put_padded(w, rt_le16(p + part[i].off), part[i].width);
		putc_(w, part[i].after);
	}
}

static void put_ansi(walker *w, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n && p[i]; i++) {
		if (p[i] < 0x80) {
			putc_(w, (char)p[i]);
		} else {
			char t[2] = { (char)(0xC0 | (p[i] >> 6)), (char)(0x80 | (p[i] & 0x3F)) };

			put(w, t, 2);
		}
	}
}

/* libevtx writes reals as "%.6e" with a three-digit exponent: 3.199234e+003. */
static int put_real(walker *w, double d)
{
	char t[64], *e;
	int n = snprintf(t, sizeof(t), "%.6e", d);

	if (n <= 0 || n >= (int)sizeof(t) - 2)
		return -1;
	e = strchr(t, 'e');
	if (e && (e[1] == '+' || e[1] == '-') && strlen(e + 2) == 2) {
		memmove(e + 3, e + 2, 3);
		e[2] = '0';
		n++;
	}
	return put(w, t, (size_t)n);
}

static const uint8_t scalar_size[0x16] = {
	[0x03] = 1, [0x04] = 1, [0x05] = 2, [0x06] = 2, [0x07] = 4, [0x08] = 4, [0x09] = 8,
	[0x0a] = 8, [0x0b] = 4, [0x0c] = 8, [0x0d] = 4, [0x0f] = 16, [0x11] = 8, [0x12] = 16,
	[0x14] = 4, [0x15] = 8,
};

/* One scalar of a fixed-size type at p (size checked by the caller). */
static void put_scalar(walker *w, uint8_t type, const uint8_t *p)
{
	uint32_t u32;
	uint64_t u64;

	switch (type) {
	case 0x03: put_signed(w, p[0], 8); break;
	case 0x04: put_u64(w, p[0]); break;
	case 0x05: put_signed(w, rt_le16(p), 16); break;
	case 0x06: put_u64(w, rt_le16(p)); break;
	case 0x07: put_signed(w, rt_le32(p), 32); break;
	case 0x08: put_u64(w, rt_le32(p)); break;
	case 0x09: put_signed(w, rt_le64(p), 64); break;
	case 0x0a: put_u64(w, rt_le64(p)); break;
	case 0x0b: {
		float f;

		u32 = rt_le32(p);
		memcpy(&f, &u32, 4);
		put_real(w, f);
		break;
	}
	case 0x0c: {
		double d;

		u64 = rt_le64(p);
		memcpy(&d, &u64, 8);
		put_real(w, d);
		break;
	}
	case 0x0d:
		if (rt_le32(p))
			put(w, "true", 4);
		else
			put(w, "false", 5);
		break;
	case 0x0f: put_guid(w, p); break;
	case 0x11: put_filetime(w, rt_le64(p)); break;
	case 0x12: put_systemtime(w, p); break;
	case 0x14: put(w, "0x", 2); put_hex(w, rt_le32(p), 8, 0); break;
	case 0x15: put(w, "0x", 2); put_hex(w, rt_le64(p), 16, 0); break;
	default: break;
	}
}

/*
 * libevtx drops the final line feed of a string value that is nothing but
 * white space ("\n" renders as an empty element, "\r\n" as "\r"), while
 * "text\r\n" stays whole (seen on the corpus): the units to render.
 */
static size_t trim_lf(const uint8_t *p, size_t units)
{
	size_t i;

	if (!units || rt_le16(p + 2 * (units - 1)) != '\n')
		return units;
	for (i = 0; i < units; i++) {
		uint16_t u = rt_le16(p + 2 * i);

		if (u != '\n' && u != '\r' && u != '\t' && u != ' ')
			return units;
	}
	return units - 1;
}

/* Render a substitution value (not BinXml) as libevtx writes it in XML. */
static int render(walker *w, uint8_t type, const uint8_t *p, size_t n)
{
	size_t i, need;

	switch (type) {
	case 0x00:
		return 0;
	case 0x01:
		return put_utf16(w, p, trim_lf(p, n / 2));
	case 0x02:
		put_ansi(w, p, n);
		return 0;
	case 0x0e:
		if (rt_buf_grow(w->a, n * 2))
			return -1;
		for (i = 0; i + 4 <= n; i += 4)
			put_hex(w, (uint64_t)p[i] << 24 | (uint64_t)p[i + 1] << 16 | (uint64_t)p[i + 2] << 8 | p[i + 3], 8, 1);
		for (; i < n; i++)
			put_hex(w, p[i], 2, 1);
		return 0;
	case 0x10:
		if (n == 4)
			return put_u64(w, rt_le32(p));
		if (n == 8)
			return put_u64(w, rt_le64(p));
		return fail(w, "size_t value of %zu bytes", n);
	case 0x13:
		return put_sid(w, p, n);
	default:
		break;
	}
	if (type < sizeof(scalar_size) && scalar_size[type]) {
		need = scalar_size[type];
		if (n != need)
			return fail(w, "value of type 0x%02x has %zu bytes", type, n);
		put_scalar(w, type, p);
		return 0;
	}
	return fail(w, "unsupported value type 0x%02x", type);
}

/* -------------------------------------------------------------- sink */

static inline const char *sp(const rt_bx_chunk *o, uint32_t off)
{
	if (off == RT_BX_NONE)
		return "";
	return off & RT_BX_NAMEBIT ? o->names.buf + (off & ~RT_BX_NAMEBIT) : o->arena.buf + off;
}

/* FNV-1a of a field name (binxml duplicate names, below). */
static uint32_t name_hash(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t h = 2166136261u;

	while (*u)
		h = (h ^ *u++) * 16777619u;
	return h;
}

static inline uint32_t alen(walker *w)
{
	return (uint32_t)w->a->len;
}

/* Whether an element of this kind keeps its text: CAP_ALWAYS (the System
 * values we read), CAP_LEAF (field values: only while it has no child
 * element), or 0. Decided once, when the element opens. */
#define CAP_ALWAYS 1
#define CAP_LEAF 2

static uint8_t frame_cap(uint8_t kind, uint8_t sub)
{
	switch (kind) {
	case K_SYSVAL:
		return sub == N_EVENTID || sub == N_LEVEL || sub == N_EVENTRECORDID ||
		       sub == N_CHANNEL || sub == N_COMPUTER ? CAP_ALWAYS : 0;
	case K_DATA:
	case K_BINARY:
	case K_EDLEAF:
	case K_UDELEM:
		return CAP_LEAF;
	default:
		return 0;
	}
}

static inline int frame_captures(const frame *f)
{
	return (f->cap & (f->has_child ? CAP_ALWAYS : CAP_ALWAYS | CAP_LEAF)) != 0;
}

/* The kind of an element named `id` whose parent is `p` (NULL: the root). */
static uint8_t child_kind(const frame *p, uint16_t id)
{
	uint8_t k;

	if (!p)
		return id == N_EVENT ? K_EVENT : K_SKIP;
	k = kind_named[p->kind][id]; /* id < N_COUNT: name_lookup's */
	return k ? k : kind_child[p->kind];
}

/* Open an element of `kind` (depth checked by the caller). */
static void push_frame(walker *w, uint8_t kind, uint16_t id, uint32_t str)
{
	frame *f;

	if (w->depth) {
		frame *p = &w->st[w->depth - 1];

		/* an element with a child is no leaf: its text is of no use */
		if (frame_captures(p))
			rt_buf_truncate(w->a, p->text);
		p->has_child = 1;
	}
	f = &w->st[w->depth++];
	f->kind = kind;
	f->sub = kind == K_SYSVAL ? (uint8_t)id : 0;
	f->cap = frame_cap(kind, f->sub);
	f->has_child = 0;
	f->drop = 0;
	f->emitted = 0;
	f->name = str;
	f->dname = RT_BX_NONE;
	f->dlen = 0;
	f->text = alen(w);
	w->capture = 0;
}

static int sink_open(walker *w, uint16_t id, uint32_t str)
{
	if (w->depth >= BX_MAX_DEPTH)
		return fail(w, "elements nested too deeply");
	push_frame(w, child_kind(w->depth ? &w->st[w->depth - 1] : NULL, id), id, str);
	return 0;
}

static void sink_attr_begin(walker *w, uint16_t id)
{
	const frame *f = &w->st[w->depth - 1];
	int a = 0;

	if (f->kind == K_SYSVAL && (w->flags & RT_BX_LEAN) &&
	    (f->sub == N_EVENTID || f->sub == N_EXECUTION || f->sub == N_SECURITY)) {
		a = 0;
	} else if (f->kind == K_SYSVAL) {
		switch (f->sub) {
		case N_PROVIDER: a = id == N_NAME ? N_NAME : 0; break;
		case N_EVENTID: a = id == N_QUALIFIERS ? N_QUALIFIERS : 0; break;
		case N_TIMECREATED: a = id == N_SYSTEMTIME ? N_SYSTEMTIME : 0; break;
		case N_EXECUTION:
			a = id == N_PROCESSID || id == N_THREADID ? id : 0;
			break;
		case N_SECURITY: a = id == N_USERID ? N_USERID : 0; break;
		default: break;
		}
	} else if (f->kind == K_DATA && id == N_NAME) {
		a = N_NAME;
	}
	w->attr = a;
	w->in_attr = 1;
	w->attr_null = 0;
	w->attr_any = 0;
	w->capture = a != 0;
	w->attr_start = alen(w);
}

/* A number as rt_parse_u64 reads it, 0 if it is none; plain decimal (what
 * values render as) without the library call. */
static uint64_t parse_num(walker *w, uint32_t start)
{
	const char *s = w->a->buf + start;
	uint64_t v = 0;
	int i;

	for (i = 0; i < 19 && s[i] >= '0' && s[i] <= '9'; i++)
		v = v * 10 + (uint64_t)(s[i] - '0');
	if (i > 0 && s[i] == '\0')
		return v;
	v = 0;
	if (rt_parse_u64(s, &v))
		v = 0;
	return v;
}

static int sink_attr_end(walker *w)
{
	frame *f = &w->st[w->depth - 1];
	rt_bx_event *ev = w->ev;
	uint32_t s = w->attr_start;

	w->capture = 0;
	w->in_attr = 0;
	if (!w->attr)
		return 0;
	if (w->attr_null && w->attr_any == 0) {
		rt_buf_truncate(w->a, s);
		return 0;
	}
	if (nul(w))
		return fail(w, "out of memory");
	switch (w->attr) {
	case N_NAME:
		if (f->kind == K_DATA) {
			f->dname = s;
			f->dlen = alen(w) - 1 - s;
		} else
			ev->provider = s;
		return 0;
	case N_USERID:
		ev->user_sid = s;
		return 0;
	case N_QUALIFIERS:
		ev->qualifiers = (uint32_t)parse_num(w, s);
		break;
	case N_PROCESSID:
		ev->process_id = (uint32_t)parse_num(w, s);
		break;
	case N_THREADID:
		ev->thread_id = (uint32_t)parse_num(w, s);
		break;
	case N_SYSTEMTIME:
		if (!w->ts_raw && rt_time_parse(w->a->buf + s, &ev->timestamp))
			ev->timestamp = 0;
		break;
	default:
		break;
	}
	rt_buf_truncate(w->a, s);
	return 0;
}

static void sink_content(walker *w)
{
	frame *f = &w->st[w->depth - 1];

	f->text = alen(w);
	w->capture = frame_captures(f);
}

/* Room for more fields (out of add_field's way: it runs per field). */
static __attribute__((noinline)) int grow_fields(walker *w)
{
	rt_bx_chunk *o = w->out;
	size_t nc = o->fieldcap ? o->fieldcap * 2 : 256;
	rt_bx_field *nf;

	if (nc > BX_ARENA_MAX / sizeof(*nf))
		return fail(w, "too many fields");
	nf = realloc(o->fields, nc * sizeof(*nf));
	if (!nf)
		return fail(w, "out of memory");
	o->fields = nf;
	o->fieldcap = nc;
	return 0;
}

static inline int add_field(walker *w, uint32_t name, uint32_t value, uint32_t nlen, uint32_t vlen)
{
	rt_bx_chunk *o = w->out;

	if (o->nfields == o->fieldcap && grow_fields(w))
		return -1;
	o->fields[o->nfields].name = name;
	o->fields[o->nfields].value = value;
	o->fields[o->nfields].hash = 0;
	o->fields[o->nfields].lit = RT_BX_NONE;
	o->fields[o->nfields].nlen = nlen;
	o->fields[o->nfields].vlen = vlen;
	o->nfields++;
	w->ev->nfields++;
	return 0;
}

/* emit_field but for a named Data (out of its way: it runs per field). */
static __attribute__((noinline)) int emit_other_field(walker *w, frame *f, uint32_t value)
{
	uint32_t name, vlen = alen(w) - 1 - value;

	switch (f->kind) {
	case K_DATA:
		if (f->has_child)
			return 0;
		name = f->dname;
		if (name == RT_BX_NONE) {
			name = alen(w);
			if (put(w, "Data[", 5) || put_u64(w, ++w->unnamed) || put(w, "]", 2))
				return fail(w, "out of memory");
			return add_field(w, name, value, alen(w) - 1 - name, vlen);
		}
		return add_field(w, name, value, f->dlen, vlen);
	case K_BINARY:
	case K_EDLEAF:
	case K_UDELEM:
		if (!f->has_child) {
			const char *nm = sp(w->out, f->name), *colon = strrchr(nm, ':');

			name = colon ? f->name + (uint32_t)(colon + 1 - nm) : f->name;
			return add_field(w, name, value, 0, vlen);
		}
		return 0;
	default:
		return 0;
	}
}

/* The field an EventData/Data, EventData/Binary or UserData leaf gives. */
/* (The value is the arena's last string: its length is known.) */
static inline int emit_field(walker *w, frame *f, uint32_t value)
{
	if (f->kind == K_DATA && !f->has_child && f->dname != RT_BX_NONE)
		return add_field(w, f->dname, value, f->dlen, alen(w) - 1 - value);
	return emit_other_field(w, f, value);
}

/* A System value element ends: the event takes what it names. */
static void sysval_number(rt_bx_event *ev, uint8_t sub, uint64_t n)
{
	if (sub == N_EVENTID)
		ev->event_id = (uint32_t)n;
	else if (sub == N_LEVEL)
		ev->level = (uint32_t)n;
	else
		ev->record_id = n;
}

static void sysval_close(walker *w, const frame *f)
{
	rt_bx_event *ev = w->ev;

	switch (f->sub) {
	case N_EVENTID:
	case N_LEVEL:
	case N_EVENTRECORDID: sysval_number(ev, f->sub, parse_num(w, f->text)); break;
	case N_CHANNEL: ev->channel = f->text; return;
	case N_COMPUTER: ev->computer = f->text; return;
	default: return;
	}
	rt_buf_truncate(w->a, f->text);
}

static int sink_close(walker *w)
{
	frame *f;

	if (w->depth == 0)
		return fail(w, "end of element without a start");
	f = &w->st[w->depth - 1];
	if (frame_captures(f) && nul(w))
		return fail(w, "out of memory");
	if (f->kind == K_SYSVAL && !f->drop)
		sysval_close(w, f);
	else if (!f->drop && !f->emitted && emit_field(w, f, f->text))
		return -1;
	w->depth--;
	w->capture = w->depth ? frame_captures(&w->st[w->depth - 1]) : 0;
	return 0;
}

/* ------------------------------------------------------------ tokens */

/*
 * The shape of each token, shared by walk() and the template compiler:
 * each checks the token at `pos` against `end` and fails in walk()'s
 * words (the compiler drops the message when it gives up).
 */

/* Text (0x05/0x45) or CDATA (0x07/0x47): *n UTF-16 units at *at. */
static int text_token(walker *w, size_t pos, size_t end, size_t *at, size_t *n)
{
	const uint8_t *c = w->c;
	uint8_t tok = c[pos];

	*at = pos + ((tok & 0x3F) == 0x05 ? 2 : 1);
	if (!rt_fits(end, *at, 2))
		return fail(w, "truncated text at 0x%zx", pos);
	if ((tok & 0x3F) == 0x05 && c[pos + 1] != 0x01)
		return fail(w, "text of type 0x%02x at 0x%zx", c[pos + 1], pos);
	*n = rt_le16(c + *at);
	*at += 2;
	if (!rt_fits(end, *at, *n * 2))
		return fail(w, "truncated text at 0x%zx", pos);
	return 0;
}

static int charref_token(walker *w, size_t pos, size_t end)
{
	if (!rt_fits(end, pos, 3))
		return fail(w, "truncated character reference at 0x%zx", pos);
	return 0;
}

/* An entity reference (0x09/0x49): its index in ents[], or -1. */
static int entity_token(walker *w, size_t pos, size_t end, size_t *np)
{
	const rt_bx_name *nm;
	size_t i;

	*np = pos + 1;
	nm = read_name(w, np, end);
	if (!nm)
		return -1;
	for (i = 0; i < BX_NENTS; i++)
		if (!strcmp(sp(w->out, nm->str), ents[i][0]))
			return (int)i;
	return fail(w, "unknown entity reference at 0x%zx", pos);
}

static int substitution_token(walker *w, size_t pos, size_t end)
{
	if (!rt_fits(end, pos, 4))
		return fail(w, "truncated substitution at 0x%zx", pos);
	return 0;
}

/* An element's start (0x01/0x41): its name; *pos past it. */
static const rt_bx_name *element_token(walker *w, size_t *pos, size_t end, int dep_ids)
{
	*pos += 1 + (dep_ids ? 2 : 0) + 4;
	if (*pos > end) {
		fail(w, "truncated element at 0x%zx", *pos);
		return NULL;
	}
	return read_name(w, pos, end);
}

/* The size of an element's attribute list; *pos past it. */
static int attr_list_token(walker *w, size_t *pos, size_t end)
{
	if (!rt_fits(end, *pos, 4))
		return fail(w, "truncated attribute list at 0x%zx", *pos);
	*pos += 4;
	return 0;
}

/* The next attribute (0x06, the last; 0x46, more follow) at *pos, or 0
 * when the attribute list ends there; *pos past its token. */
static int attr_token(walker *w, size_t *pos, size_t end, uint8_t *at)
{
	*at = 0;
	if (*pos >= end)
		return fail(w, "truncated attribute at 0x%zx", *pos);
	*at = w->c[*pos];
	if (*at != 0x06 && *at != 0x46)
		return 0;
	(*pos)++;
	return 1;
}

static int is_value_token(uint8_t t)
{
	return t == 0x05 || t == 0x45 || t == 0x0d || t == 0x0e || t == 0x08 || t == 0x48 ||
	       t == 0x09 || t == 0x49;
}

/* Fragment header (0x0f), PI target (0x0a), PI data (0x0b): nothing to
 * do but skip them. */
static int skip_token(walker *w, size_t *pos, size_t end)
{
	const uint8_t *c = w->c;

	switch (c[*pos]) {
	case 0x0f:
		if (!rt_fits(end, *pos, 4))
			return fail(w, "truncated fragment header at 0x%zx", *pos);
		*pos += 4;
		return 0;
	case 0x0a:
		(*pos)++;
		return read_name(w, pos, end) ? 0 : -1;
	default:
		if (!rt_fits(end, *pos, 3) || !rt_fits(end, *pos + 3, (size_t)rt_le16(c + *pos + 1) * 2))
			return fail(w, "truncated processing instruction at 0x%zx", *pos);
		*pos += 3 + (size_t)rt_le16(c + *pos + 1) * 2;
		return 0;
	}
}

/* ------------------------------------------------------------- walker */

/* Size of one item of an array of `type` at p (n bytes left), 0 if bad. */
static size_t item_size(uint8_t type, const uint8_t *p, size_t n)
{
	size_t i;

	switch (type) {
	case 0x01:
		for (i = 0; i + 1 < n; i += 2)
			if (!p[i] && !p[i + 1])
				return i + 2;
		return n;
	case 0x02:
		for (i = 0; i < n; i++)
			if (!p[i])
				return i + 1;
		return n;
	case 0x13:
		return n >= 8 && n >= 8 + 4 * (size_t)p[1] ? 8 + 4 * (size_t)p[1] : 0;
	default:
		return type < sizeof(scalar_size) && scalar_size[type] <= n ? scalar_size[type] : 0;
	}
}

/*
 * An array substituted into element content: libevtx repeats the element
 * once per item (an empty array gives one empty element), so a Data
 * element gives one field per item.
 */
static int array(walker *w, const sval *v)
{
	frame *f = w->depth ? &w->st[w->depth - 1] : NULL;
	uint8_t t = v->type & 0x7F;
	const uint8_t *p = w->c + v->off;
	size_t n = v->size;

	if (t == 0x00 || t == 0x0e || t > 0x15 || (t < sizeof(scalar_size) && !scalar_size[t] &&
						   t != 0x01 && t != 0x02 && t != 0x13))
		return fail(w, "unsupported array type 0x%02x", v->type);
	if (!w->capture || !f)
		return 0;
	if (f->kind == K_SYSVAL)
		return fail(w, "array in System/%s", sp(w->out, f->name));
	do {
		size_t is = n ? item_size(t, p, n) : 0, rl = is;
		uint32_t start;

		if (n && !is)
			return fail(w, "array of type 0x%02x with a partial item", v->type);
		if (is && t == 0x01 && is >= 2 && !p[is - 2] && !p[is - 1])
			rl -= 2;
		start = alen(w);
		if (render(w, t, p, rl) || nul(w) || emit_field(w, f, start))
			return -1;
		p += is;
		n -= is;
	} while (n);
	f->emitted = 1;
	return 0;
}

static int walk(walker *w, size_t pos, size_t end, size_t vbase, size_t nv, int nest, int dep_ids);

/* A substitution: render its value, or walk it when it is binary XML. */
static int substitute(walker *w, int optional, uint16_t id, size_t vbase, size_t nv, int nest)
{
	const sval *v;

	if (nv == (size_t)-1)
		return fail(w, "substitution outside a template");
	if (id >= nv)
		return fail(w, "substitution %u of %zu values", id, nv);
	v = (const sval *)w->out->vals + vbase + id;
	if (v->type == 0x00 && optional) {
		if (w->in_attr)
			w->attr_null = 1;
		else if (w->depth)
			w->st[w->depth - 1].drop = 1;
		return 0;
	}
	if ((v->type & 0x80) && !w->in_attr)
		return array(w, v);
	if (w->attr)
		w->attr_any = 1;
	if (v->type == 0x21)
		return walk(w, v->off, (size_t)v->off + v->size, 0, (size_t)-1, nest + 1, 0);
	if (w->attr == N_SYSTEMTIME && v->type == 0x11 && v->size == 8) {
		w->ev->timestamp = rt_le64(w->c + v->off);
		w->ts_raw = 1;
		if (w->in_attr)
			return 0; /* its text would only be dropped at the attribute's end */
	}
	if (!w->capture) {
		if ((v->type & 0x7F) > 0x15 || (v->type & 0x80))
			return render(w, v->type, w->c + v->off, v->size) < 0 ? -1 : 0;
		return 0;
	}
	return render(w, v->type, w->c + v->off, v->size);
}

/* ------------------------------------------------------------- templates */

/*
 * A template body compiled once per chunk into a flat tape of operations:
 * the token stream parsed and checked, names resolved (and their element
 * or attribute identity looked up), literal text converted to UTF-8.
 * Each record that instances the template then runs the tape with its own
 * values, calling the same sink functions in the same order as walk()
 * would, so the events are the same to the byte. What depends on the
 * values (null optional substitutions, arrays, binary XML values, the
 * element depth they leave) is still decided while the tape runs.
 *
 * A body the compiler cannot take (malformed, or holding a template
 * instance) is walked as before, so its errors are walk()'s, word for
 * word. Each operation carries the number of walk()'s loop steps it
 * stands for, so the step limit trips at the same point too.
 */
enum op_code { OP_OPEN, OP_ATTR, OP_ATTR_END, OP_TEXT, OP_SUBST, OP_CONTENT, OP_EMPTY,
	       OP_CLOSE, OP_NOP, OP_END, OP_LEAF };

typedef struct bx_op {
	uint8_t code;
	uint8_t steps; /* walk() loop steps this operation stands for */
	uint16_t id;   /* OPEN, ATTR: name id; SUBST: value index; LEAF: its ops */
	uint32_t a;    /* OPEN: name text; TEXT: names offset; SUBST: optional;
			* CONTENT, EMPTY: chunk offset of the token; LEAF: steps */
	uint32_t b;    /* TEXT: length */
	uint32_t h;    /* TEXT: name_hash() of the text */
} bx_op;

/* Operations of all the tapes of one chunk, at most. */
#define BX_MAX_OPS (1u << 18)

/* Append an operation standing for `*steps` loop steps (a long run of
 * tokens that do nothing gets NOPs first); NULL when over the cap. */
/* Room for more operations, up to the cap (out of emit's way). */
static __attribute__((noinline)) int grow_ops(rt_bx_chunk *o)
{
	size_t nc = o->opcap ? o->opcap * 2 : 1024;
	void *n;

	if (nc > BX_MAX_OPS)
		return -1;
	n = realloc(o->ops, nc * sizeof(bx_op));
	if (!n)
		return -1;
	o->ops = n;
	o->opcap = nc;
	return 0;
}

static bx_op *emit(walker *w, uint8_t code, unsigned *steps)
{
	rt_bx_chunk *o = w->out;
	bx_op *op;

	do {
		if (o->nops == o->opcap && grow_ops(o))
			return NULL;
		op = (bx_op *)o->ops + o->nops++;
		memset(op, 0, sizeof(*op));
		op->code = *steps > 255 ? OP_NOP : code;
		op->steps = (uint8_t)(*steps > 255 ? 255 : *steps);
		*steps -= op->steps;
	} while (op->code != code);
	return op;
}

/* Literal text as an operation: its UTF-8 kept with the chunk's names. */
static int emit_text(walker *w, unsigned *steps, const uint8_t *p, size_t units)
{
	rt_buf *save = w->a;
	size_t start = w->out->names.len;
	bx_op *op;
	int bad;

	w->a = &w->out->names;
	bad = put_utf16(w, p, units) || nul(w);
	w->a = save;
	op = bad ? NULL : emit(w, OP_TEXT, steps);
	if (!op)
		return -1;
	op->a = (uint32_t)start;
	op->b = (uint32_t)(w->out->names.len - 1 - start);
	op->h = name_hash(w->out->names.buf + start);
	return 0;
}

/* One value token at pos of a body (as walk_value); *np past it. */
static int compile_value(walker *w, size_t *np, size_t pos, size_t end, unsigned *steps)
{
	const uint8_t *c = w->c;
	uint8_t tok = c[pos], u[2];
	size_t at, n;
	bx_op *op;
	int i;

	switch (tok) {
	case 0x05:
	case 0x45:
	case 0x07:
	case 0x47:
		if (text_token(w, pos, end, &at, &n))
			return -1;
		*np = at + n * 2;
		return emit_text(w, steps, c + at, n);
	case 0x08:
	case 0x48:
		if (charref_token(w, pos, end))
			return -1;
		*np = pos + 3;
		return emit_text(w, steps, c + pos + 1, 1);
	case 0x09:
	case 0x49:
		if ((i = entity_token(w, pos, end, np)) < 0)
			return -1;
		u[0] = (uint8_t)ents[i][1][0];
		u[1] = 0;
		return emit_text(w, steps, u, 1);
	case 0x0d:
	case 0x0e:
		if (substitution_token(w, pos, end) || !(op = emit(w, OP_SUBST, steps)))
			return -1;
		op->id = rt_le16(c + pos + 1);
		op->a = tok == 0x0e;
		*np = pos + 4;
		return 0;
	default:
		return -1;
	}
}

/*
 * A leaf element holding one substitution, <X>%n</X> or <Data Name="K">%n
 * </Data> (most of a record), was just compiled: put an OP_LEAF before
 * its operations. At run time it does their work in one go when nothing
 * unusual happens (leaf() says what that is); else the operations after
 * it run one by one.
 */
static const uint8_t leaf_a[] = { OP_OPEN, OP_CONTENT, OP_SUBST, OP_CLOSE };
static const uint8_t leaf_b[] = { OP_OPEN, OP_ATTR, OP_TEXT, OP_ATTR_END, OP_CONTENT, OP_SUBST,
				  OP_CLOSE };

static int ops_are(const bx_op *op, const uint8_t *codes, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++)
		if (op[k].code != codes[k])
			return 0;
	return 1;
}

static int fuse_leaf(walker *w, size_t first)
{
	rt_bx_chunk *o = w->out;
	size_t n = o->nops, len, k;
	unsigned steps = 0, none = 0;
	bx_op *op;

	if (n >= first + sizeof leaf_a && ops_are((bx_op *)o->ops + n - sizeof leaf_a, leaf_a, sizeof leaf_a))
		len = sizeof leaf_a;
	else if (n >= first + sizeof leaf_b &&
		 ops_are((bx_op *)o->ops + n - sizeof leaf_b, leaf_b, sizeof leaf_b))
		len = sizeof leaf_b;
	else
		return 0;
	if (!emit(w, OP_NOP, &none))
		return -1;
	op = (bx_op *)o->ops + n - len;
	memmove(op + 1, op, len * sizeof(*op));
	for (k = 1; k <= len; k++)
		steps += op[k].steps;
	memset(op, 0, sizeof(*op));
	op->code = OP_LEAF;
	op->id = (uint16_t)len;
	op->a = steps;
	return 0;
}

/*
 * A fused System leaf's EventID, Level or EventRecordID given as an
 * unsigned integer: the number that rendering it and parse_num would give
 * (plain decimal of at most 18 digits, read back exactly), without either;
 * 0 when not so, and it is rendered. Taken only when the arena has room
 * for the rendering, so that it cannot succeed where rendering would fail.
 */
static int sysval_direct(walker *w, uint8_t sub, const sval *v)
{
	const uint8_t *p = w->c + v->off;
	uint64_t n;

	if ((sub != N_EVENTID && sub != N_LEVEL && sub != N_EVENTRECORDID) ||
	    (v->type != 0x04 && v->type != 0x06 && v->type != 0x08 && v->type != 0x0a) ||
	    v->size != scalar_size[v->type])
		return 0;
	n = v->size == 1 ? p[0] : v->size == 2 ? rt_le16(p) : v->size == 4 ? rt_le32(p) : rt_le64(p);
	if (n >= 1000000000000000000ull || rt_buf_grow(w->a, 24))
		return 0;
	sysval_number(w->ev, sub, n);
	return 1;
}

/*
 * The work of a LEAF's operations in one go: 0 done, -1 failed (as they
 * would have), 1 when they must run one by one because something
 * unusual is there: the step limit near, no parent or too deep, a parent
 * that keeps its text, an element other than a System value or a field,
 * an attribute other than Data's Name, or a value that is a null optional
 * one, an array, binary XML, or a FILETIME that TimeCreated would take.
 * Same events after as the operations give, to the byte, and the same
 * state but for one thing: a Data's Name stays in the tape's text, not
 * copied into the arena.
 */
static int leaf(walker *w, const bx_op *op, size_t vbase, size_t nv)
{
	const bx_op *open = op + 1, *attr = op->id == sizeof leaf_b ? op + 2 : NULL;
	const bx_op *text = op + 3, *sub = op + op->id - 1;
	const sval *v;
	frame *p, fr;
	size_t nf;
	uint8_t kind;

	if (w->steps + op->a > BX_MAX_STEPS || !w->depth || w->depth >= BX_MAX_DEPTH ||
	    nv == (size_t)-1 || sub->id >= nv)
		return 1;
	p = &w->st[w->depth - 1];
	kind = child_kind(p, open->id);
	if (p->cap || (kind != K_SYSVAL && frame_cap(kind, 0) != CAP_LEAF) ||
	    (attr && (kind != K_DATA || attr->id != N_NAME)))
		return 1;
	v = (const sval *)w->out->vals + vbase + sub->id;
	if ((v->type == 0x00 && sub->a) || (v->type & 0x80) || v->type == 0x21 ||
	    ((attr ? N_NAME : w->attr) == N_SYSTEMTIME && v->type == 0x11 && v->size == 8))
		return 1;
	/* what push_frame, the attribute, sink_content, substitute and
	 * sink_close do, on a frame that need not be on the stack: nothing
	 * reads it once closed (the parent keeps no text: nothing to cut) */
	w->steps += op->a;
	p->has_child = 1;
	fr.has_child = 0;
	fr.drop = 0;
	fr.emitted = 0;
	fr.dlen = 0;
	fr.kind = kind;
	fr.sub = kind == K_SYSVAL ? (uint8_t)open->id : 0;
	fr.cap = frame_cap(kind, fr.sub);
	fr.name = open->a;
	fr.dname = RT_BX_NONE;
	if (attr) {
		w->attr = N_NAME;
		w->in_attr = 0;
		w->attr_null = 0;
		w->attr_any = 1;
		w->attr_start = alen(w);
		/* the field is named by the literal where the tape keeps it
		 * (with its NUL): the text and nul() would copy it per record */
		fr.dname = text->a | RT_BX_NAMEBIT;
		fr.dlen = text->b;
	} else if (w->attr) {
		w->attr_any = 1;
	}
	fr.text = alen(w);
	w->capture = 0;
	if (kind == K_SYSVAL && sysval_direct(w, fr.sub, v))
		return 0;
	if ((frame_captures(&fr) || (v->type & 0x7F) > 0x15) &&
	    render(w, v->type, w->c + v->off, v->size))
		return -1;
	if (frame_captures(&fr) && nul(w))
		return fail(w, "out of memory");
	nf = w->out->nfields;
	if (kind == K_SYSVAL)
		sysval_close(w, &fr);
	else if (emit_field(w, &fr, fr.text))
		return -1;
	if (attr && w->out->nfields > nf) { /* the field named by the literal */
		w->out->fields[nf].hash = text->h;
		w->out->fields[nf].lit = text->a;
	}
	return 0;
}

/* The tape of the body [pos, end) into w->out->ops; -1 if it cannot be
 * compiled (walk() then walks it). Mirrors walk()'s loop. */
static int compile_body(walker *w, size_t pos, size_t end)
{
	const uint8_t *c = w->c;
	const rt_bx_name *nm;
	size_t first = w->out->nops;
	unsigned steps = 0;
	bx_op *op;
	uint8_t at;
	int more;

	while (pos < end) {
		uint8_t tok = c[pos];

		steps++;
		switch (tok) {
		case 0x00:
			return emit(w, OP_END, &steps) ? 0 : -1;
		case 0x0f:
		case 0x0a:
		case 0x0b:
			if (skip_token(w, &pos, end))
				return -1;
			break;
		case 0x01:
		case 0x41:
			nm = element_token(w, &pos, end, 1);
			if (!nm || !(op = emit(w, OP_OPEN, &steps)))
				return -1;
			op->id = nm->id;
			op->a = nm->str;
			if (!(tok & 0x40))
				break;
			if (attr_list_token(w, &pos, end))
				return -1;
			while ((more = attr_token(w, &pos, end, &at)) > 0) {
				nm = read_name(w, &pos, end);
				if (!nm || !(op = emit(w, OP_ATTR, &steps)))
					return -1;
				op->id = nm->id;
				while (pos < end && is_value_token(c[pos]))
					if (compile_value(w, &pos, pos, end, &steps))
						return -1;
				if (!emit(w, OP_ATTR_END, &steps))
					return -1;
				if (at == 0x06)
					break;
			}
			if (more < 0)
				return -1;
			break;
		case 0x02:
		case 0x03:
			if (!(op = emit(w, tok == 0x02 ? OP_CONTENT : OP_EMPTY, &steps)))
				return -1;
			op->a = (uint32_t)pos;
			pos++;
			break;
		case 0x04:
			if (!emit(w, OP_CLOSE, &steps) || fuse_leaf(w, first))
				return -1;
			pos++;
			break;
		case 0x05: case 0x45: case 0x07: case 0x47: case 0x08: case 0x48: case 0x09:
		case 0x49: case 0x0d: case 0x0e:
			if (compile_value(w, &pos, pos, end, &steps))
				return -1;
			break;
		default: /* 0x0c, a template instance in a template, is walked */
			return -1;
		}
	}
	return emit(w, OP_END, &steps) ? 0 : -1;
}

/*
 * Where the tape of the template whose body is at `body` starts (compiled
 * on first use in the chunk), or RT_BX_NONE when it is to be walked. Compiling leaves no
 * trace of a failure: no error message, no operations.
 */
static size_t tape_for(walker *w, size_t body, size_t size)
{
	rt_bx_chunk *o = w->out;
	uint32_t h = ((uint32_t)body * 2654435761u) >> 24, i;
	rt_bx_tmpl *slot = NULL;
	size_t first = o->nops;
	int had_err = o->err[0] != '\0';

	for (i = 0; i < RT_BX_TMPL_SLOTS; i++) {
		rt_bx_tmpl *s = &o->tmpl[(h + i) % RT_BX_TMPL_SLOTS];

		if (s->body == body)
			return s->tape;
		if (s->body == 0) {
			slot = s;
			break;
		}
	}
	if (!slot)
		return RT_BX_NONE; /* table full: walked, as before */
	slot->body = (uint32_t)body;
	slot->tape = RT_BX_NONE;
	if (compile_body(w, body, body + size)) {
		o->nops = first;
		if (!had_err)
			o->err[0] = '\0';
		return RT_BX_NONE;
	}
	slot->tape = (uint32_t)first;
	return first;
}

/*
 * Run a tape with the record's values: walk()'s work, without parsing.
 * By index, not pointer: a binary XML value may instance a template not
 * compiled yet, and compiling it may move the operations.
 */
static int run_tape(walker *w, size_t ip, size_t vbase, size_t nv, int nest)
{
	if (nest > BX_MAX_NEST)
		return fail(w, "templates nested too deeply");
	for (;; ip++) {
		const bx_op *op = (const bx_op *)w->out->ops + ip;

		if ((w->steps += op->steps) > BX_MAX_STEPS)
			return fail(w, "too much binary XML in one chunk");
		switch (op->code) {
		case OP_OPEN:
			if (sink_open(w, op->id, op->a))
				return -1;
			break;
		case OP_ATTR:
			sink_attr_begin(w, op->id);
			break;
		case OP_ATTR_END:
			if (sink_attr_end(w))
				return -1;
			break;
		case OP_TEXT:
			if (w->attr)
				w->attr_any = 1;
			if (w->capture && op->b && put(w, w->out->names.buf + op->a, op->b))
				return fail(w, "out of memory");
			break;
		case OP_SUBST:
			if (substitute(w, (int)op->a, op->id, vbase, nv, nest))
				return -1;
			break;
		case OP_CONTENT:
		case OP_EMPTY:
			if (!w->depth)
				return fail(w, "close of %s tag without an element at 0x%x",
					    op->code == OP_CONTENT ? "start" : "empty", op->a);
			sink_content(w);
			if (op->code == OP_EMPTY && sink_close(w))
				return -1;
			break;
		case OP_CLOSE:
			if (sink_close(w))
				return -1;
			break;
		case OP_LEAF: {
			int r = leaf(w, op, vbase, nv);

			if (r < 0)
				return -1;
			if (r == 0)
				ip += op->id;
			break;
		}
		case OP_NOP:
			break;
		default:
			return 0;
		}
	}
}

static int template_instance(walker *w, size_t *ppos, size_t end, int nest)
{
	size_t pos = *ppos, body, vpos, i, base, cnt;
	uint32_t def, size;
	size_t tape;
	sval *vals;
	int r;

	if (!rt_fits(end, pos, 9))
		return fail(w, "truncated template instance at 0x%zx", pos);
	def = rt_le32(w->c + pos + 5);
	pos += 9;
	if (def == pos) {
		if (!rt_fits(end, pos, 24))
			return fail(w, "truncated template definition at 0x%zx", pos);
		size = rt_le32(w->c + pos + 20);
		body = pos + 24;
		if (!rt_fits(end, body, size))
			return fail(w, "template definition at 0x%zx runs past its record", pos);
		pos = body + size;
	} else {
		if (!rt_fits(w->clen, def, 24))
			return fail(w, "template offset 0x%x outside the chunk", def);
		size = rt_le32(w->c + def + 20);
		body = (size_t)def + 24;
		if (!rt_fits(w->clen, body, size))
			return fail(w, "template at 0x%x runs past the chunk", def);
	}
	if (!rt_fits(end, pos, 4))
		return fail(w, "truncated template values at 0x%zx", pos);
	cnt = rt_le32(w->c + pos);
	pos += 4;
	if (cnt >= (size_t)1 << 30 && !w->out->hazard) {
		w->out->hazard = 1;
		return fail(w, "a template instance at 0x%zx declares %zu values", pos - 4, cnt);
	}
	if (cnt > (end - pos) / 4)
		return fail(w, "%zu template values do not fit at 0x%zx", cnt, pos);
	base = w->nvals;
	if (base + cnt > BX_MAX_VALS)
		return fail(w, "too many template values");
	if (!w->out->vals || base + cnt > w->out->valcap) {
		size_t nc = (base + cnt) * 2 < 1024 ? 1024 : (base + cnt) * 2;
		void *nvp = realloc(w->out->vals, nc * sizeof(sval));

		if (!nvp)
			return fail(w, "out of memory");
		w->out->vals = nvp;
		w->out->valcap = nc;
	}
	vals = (sval *)w->out->vals + base;
	vpos = pos + cnt * 4;
	for (i = 0; i < cnt; i++) {
		uint16_t sz = rt_le16(w->c + pos + 4 * i);

		if (!rt_fits(end, vpos, sz))
			return fail(w, "template value %zu runs past its record", i);
		vals[i].off = (uint32_t)vpos;
		vals[i].size = sz;
		vals[i].type = w->c[pos + 4 * i + 2];
		vpos += sz;
	}
	w->nvals = base + cnt;
	tape = w->flags & RT_BX_WALK ? RT_BX_NONE : tape_for(w, body, size);
	r = tape != RT_BX_NONE ? run_tape(w, tape, base, cnt, nest + 1)
		 : walk(w, body, body + size, base, cnt, nest + 1, 1);
	w->nvals = base;
	*ppos = vpos;
	return r;
}

/* One piece of character data or a substitution at `pos`; *np is past it. */
static int walk_value(walker *w, size_t *np, size_t pos, size_t end, size_t vbase, size_t nv,
		      int nest)
{
	const uint8_t *c = w->c;
	uint8_t tok = c[pos];
	size_t at, n;
	int i;

	switch (tok) {
	case 0x05:
	case 0x45:
	case 0x07:
	case 0x47:
		if (text_token(w, pos, end, &at, &n))
			return -1;
		if (w->attr)
			w->attr_any = 1;
		if (w->capture && put_utf16(w, c + at, n))
			return fail(w, "out of memory");
		*np = at + n * 2;
		return 0;
	case 0x08:
	case 0x48:
		if (charref_token(w, pos, end))
			return -1;
		if (w->attr)
			w->attr_any = 1;
		if (w->capture && put_utf16(w, c + pos + 1, 1))
			return fail(w, "out of memory");
		*np = pos + 3;
		return 0;
	case 0x09:
	case 0x49:
		if ((i = entity_token(w, pos, end, np)) < 0)
			return -1;
		if (w->attr)
			w->attr_any = 1;
		if (w->capture && put(w, ents[i][1], 1))
			return fail(w, "out of memory");
		return 0;
	case 0x0d:
	case 0x0e:
		if (substitution_token(w, pos, end))
			return -1;
		*np = pos + 4;
		return substitute(w, tok == 0x0e, rt_le16(c + pos + 1), vbase, nv, nest);
	default:
		return fail(w, "unknown token 0x%02x at offset 0x%zx", tok, pos);
	}
}

static int walk(walker *w, size_t pos, size_t end, size_t vbase, size_t nv, int nest, int dep_ids)
{
	const uint8_t *c = w->c;
	const rt_bx_name *nm;
	uint8_t at;
	int more;

	if (nest > BX_MAX_NEST)
		return fail(w, "templates nested too deeply");
	while (pos < end) {
		uint8_t tok = c[pos];

		if (++w->steps > BX_MAX_STEPS)
			return fail(w, "too much binary XML in one chunk");
		switch (tok) {
		case 0x00:
			return 0;
		case 0x0f:
		case 0x0a:
		case 0x0b:
			if (skip_token(w, &pos, end))
				return -1;
			break;
		case 0x01:
		case 0x41:
			nm = element_token(w, &pos, end, dep_ids);
			if (!nm || sink_open(w, nm->id, nm->str))
				return -1;
			if (!(tok & 0x40))
				break;
			if (attr_list_token(w, &pos, end))
				return -1;
			while ((more = attr_token(w, &pos, end, &at)) > 0) {
				nm = read_name(w, &pos, end);
				if (!nm)
					return -1;
				sink_attr_begin(w, nm->id);
				while (pos < end && is_value_token(c[pos])) {
					size_t np;

					if (walk_value(w, &np, pos, end, vbase, nv, nest))
						return -1;
					pos = np;
				}
				if (sink_attr_end(w))
					return -1;
				if (at == 0x06)
					break;
			}
			if (more < 0)
				return -1;
			break;
		case 0x02:
			if (!w->depth)
				return fail(w, "close of start tag without an element at 0x%zx", pos);
			sink_content(w);
			pos++;
			break;
		case 0x03:
			if (!w->depth)
				return fail(w, "close of empty tag without an element at 0x%zx", pos);
			sink_content(w);
			if (sink_close(w))
				return -1;
			pos++;
			break;
		case 0x04:
			if (sink_close(w))
				return -1;
			pos++;
			break;
		case 0x05: case 0x45: case 0x07: case 0x47: case 0x08: case 0x48: case 0x09:
		case 0x49: case 0x0d: case 0x0e: {
			size_t np;

			if (walk_value(w, &np, pos, end, vbase, nv, nest))
				return -1;
			pos = np;
			break;
		}
		case 0x0c:
			pos++;
			if (template_instance(w, &pos, end, nest))
				return -1;
			break;
		default:
			return fail(w, "unknown token 0x%02x at offset 0x%zx", tok, pos);
		}
	}
	return 0;
}

/* ------------------------------------------------------------- records */

/*
 * Make names unique as the libevtx reader does: a name seen before gets
 * "[k]", k counting on from that name's last suffix and skipping names
 * already taken. "Seen before" means among the fields before it, with
 * their names as already made unique; a hash table of those names (the
 * first field holding each) answers it, so a record costs one hash per
 * field rather than a comparison of every pair.
 */
typedef struct name_set {
	uint32_t *slot; /* field index + 1, 0 when empty */
	uint32_t *hash; /* of the name in the slot */
	uint32_t mask;
} name_set;

/* The first field before the others with name `s` (index + 1), or 0;
 * *at is where it is, or where it would go. */
static uint32_t name_find(const rt_bx_chunk *o, const rt_bx_field *f, const name_set *ns,
			  const char *s, uint32_t h, uint32_t *at)
{
	uint32_t i = h & ns->mask;

	while (ns->slot[i]) {
		if (ns->hash[i] == h && !strcmp(sp(o, f[ns->slot[i] - 1].name), s))
			break;
		i = (i + 1) & ns->mask;
	}
	*at = i;
	return ns->slot[i];
}

/*
 * Most records of a chunk are instances of a few templates whose fields
 * are all named by literals (<Data Name="K">): once a record's names
 * needed no suffix, a record with the same literals in the same order
 * needs none either, and fix_duplicates is skipped for it.
 */
static int names_known_unique(const rt_bx_chunk *o, const rt_bx_event *ev)
{
	const rt_bx_field *f = o->fields + ev->field0;
	uint32_t i;

	if (ev->nfields != o->nuniq)
		return 0;
	for (i = 0; i < ev->nfields; i++)
		if (f[i].lit != o->uniq[i] || f[i].lit == RT_BX_NONE)
			return 0;
	return 1;
}

/* After fix_duplicates gave no name a suffix: remember the record's
 * literals, if all its names are literals. */
static void note_unique(rt_bx_chunk *o, const rt_bx_event *ev)
{
	const rt_bx_field *f = o->fields + ev->field0;
	uint32_t i;

	for (i = 0; i < ev->nfields; i++)
		if (f[i].lit == RT_BX_NONE)
			return;
	if (ev->nfields > o->uniqcap) {
		uint32_t *n = realloc(o->uniq, ev->nfields * sizeof(*n));

		if (!n)
			return; /* only a shortcut lost */
		o->uniq = n;
		o->uniqcap = ev->nfields;
	}
	for (i = 0; i < ev->nfields; i++)
		o->uniq[i] = f[i].lit;
	o->nuniq = ev->nfields;
}

static int fix_duplicates(walker *w, rt_bx_event *ev)
{
	rt_bx_chunk *o = w->out;
	rt_bx_field *f = o->fields + ev->field0;
	uint32_t i, size = 16, *nk;
	name_set ns;
	int renamed = 0;

	while (size < ev->nfields * 2)
		size *= 2;
	if (ev->nfields + 2 * (size_t)size > o->nkcap) {
		size_t nc = ev->nfields + 2 * (size_t)size;
		uint32_t *n = realloc(o->nk, nc * sizeof(*n));

		if (!n)
			return fail(w, "out of memory");
		o->nk = n;
		o->nkcap = nc;
	}
	nk = o->nk;
	ns.slot = nk + ev->nfields;
	ns.hash = ns.slot + size;
	ns.mask = size - 1;
	memset(ns.slot, 0, size * sizeof(*ns.slot));
	for (i = 0; i < ev->nfields; i++) {
		const char *s = sp(o, f[i].name);
		uint32_t h = f[i].hash ? f[i].hash : name_hash(s), at, k, c = 0;
		uint32_t hit = name_find(o, f, &ns, s, h, &at);

		nk[i] = 2;
		if (hit) {
			for (k = nk[hit - 1];; k++) {
				const char *base = sp(o, f[hit - 1].name);
				size_t nl = strlen(base);

				c = alen(w);
				if (rt_buf_grow(w->a, nl + 16))
					return fail(w, "out of memory");
				base = sp(o, f[hit - 1].name);
				if (put(w, base, nl) || putc_(w, '[') || put_u64(w, k) || put(w, "]", 2))
					return fail(w, "out of memory");
				h = name_hash(w->a->buf + c);
				if (!name_find(o, f, &ns, w->a->buf + c, h, &at))
					break;
				rt_buf_truncate(w->a, c);
			}
			nk[hit - 1] = k + 1;
			f[i].name = c;
			f[i].nlen = alen(w) - 1 - c;
			f[i].lit = RT_BX_NONE;
			renamed = 1;
		}
		ns.slot[at] = i + 1;
		ns.hash[at] = h;
	}
	if (!renamed)
		note_unique(o, ev);
	return 0;
}

/* A name offset an element at `tok` could have: its name inline, right
 * after the element header (`inline_at`), or defined earlier in the chunk. */
static int name_offset_plausible(const walker *w, size_t name_off, size_t tok, size_t inline_at)
{
	return name_off == inline_at || (name_off >= 512 && name_off < tok && name_off + 8 <= w->clen);
}

/*
 * Whether the elements of a record's own binary XML (outside templates)
 * carry the 2-byte dependency identifier. Windows writes records as
 * template instances, and libevtx expects the identifier everywhere; some
 * logs (written by other tools: three corpus samples that libevtx and
 * evtxexport cannot read) have plain elements without it. The first
 * element tells: only one reading gives a name offset that can be right.
 */
static int record_dep_ids(const walker *w, size_t pos, size_t end)
{
	const uint8_t *c = w->c;

	if (rt_fits(end, pos, 4) && c[pos] == 0x0f)
		pos += 4;
	if (!rt_fits(end, pos, 11) || (c[pos] != 0x01 && c[pos] != 0x41))
		return 1;
	if (!name_offset_plausible(w, rt_le32(c + pos + 7), pos, pos + 11) &&
	    name_offset_plausible(w, rt_le32(c + pos + 5), pos, pos + 9))
		return 0;
	return 1;
}

static int decode_record(walker *w, size_t off, size_t size)
{
	rt_bx_chunk *o = w->out;
	rt_bx_event *ev;

	if (o->nev == o->evcap) {
		size_t nc = o->evcap ? o->evcap * 2 : 256;
		rt_bx_event *ne = realloc(o->ev, nc * sizeof(*ne));

		if (!ne)
			return fail(w, "out of memory");
		o->ev = ne;
		o->evcap = nc;
	}
	ev = &o->ev[o->nev];
	memset(ev, 0, sizeof(*ev));
	ev->computer = ev->channel = ev->provider = ev->user_sid = RT_BX_NONE;
	ev->record_number = rt_le64(w->c + off + 8);
	ev->written = rt_le64(w->c + off + 16);
	ev->field0 = (uint32_t)o->nfields;
	w->ev = ev;
	w->depth = 0;
	w->capture = 0;
	w->attr = 0;
	w->ts_raw = 0;
	w->unnamed = 0;
	w->nvals = 0;
	if (walk(w, off + 24, off + size - 4, 0, (size_t)-1, 0,
		 record_dep_ids(w, off + 24, off + size - 4)))
		return -1;
	if (w->depth)
		return fail(w, "record at 0x%zx ends inside an element", off);
	if (ev->nfields > 1 && !names_known_unique(o, ev) && fix_duplicates(w, ev))
		return -1;
	o->nev++;
	return 0;
}

void rt_bx_chunk_init(rt_bx_chunk *c)
{
	memset(c, 0, sizeof(*c));
	rt_buf_init(&c->arena, BX_ARENA_MAX);
	rt_buf_init(&c->names, BX_ARENA_MAX);
}

void rt_bx_chunk_release(rt_bx_chunk *c)
{
	rt_buf_release(&c->arena);
	rt_buf_release(&c->names);
	free(c->ev);
	free(c->fields);
	free(c->vals);
	free(c->nk);
	free(c->uniq);
	free(c->ops);
	rt_bx_chunk_init(c);
}

#define SWAP(T, a, b) \
	do { \
		T t_ = (a); \
		(a) = (b); \
		(b) = t_; \
	} while (0)

void rt_bx_chunk_take(rt_bx_chunk *to, rt_bx_chunk *from)
{
	SWAP(rt_buf, to->arena, from->arena);
	SWAP(rt_buf, to->names, from->names);
	SWAP(rt_bx_event *, to->ev, from->ev);
	SWAP(size_t, to->evcap, from->evcap);
	SWAP(rt_bx_field *, to->fields, from->fields);
	SWAP(size_t, to->fieldcap, from->fieldcap);
	to->nev = from->nev;
	to->nfields = from->nfields;
	to->hazard = from->hazard;
	memcpy(to->err, from->err, sizeof(to->err));
	from->nev = 0;
	from->nfields = 0;
}

/* Block p of *cap items of `size` bytes, grown to hold n: the block (p
 * itself when it is big enough), or NULL on out of memory. */
static void *room_for(void *p, size_t *cap, size_t n, size_t size)
{
	void *q;

	if (n <= *cap)
		return p;
	if (!(q = realloc(p, n * size)))
		return NULL;
	*cap = n;
	return q;
}

int rt_bx_chunk_copy(rt_bx_chunk *to, const rt_bx_chunk *from)
{
	rt_bx_event *e;
	rt_bx_field *f;

	to->nev = to->nfields = 0;
	rt_buf_reset(&to->arena);
	rt_buf_reset(&to->names);
	if (!(e = room_for(to->ev, &to->evcap, from->nev, sizeof *e)) && from->nev)
		return -1;
	to->ev = e;
	if (!(f = room_for(to->fields, &to->fieldcap, from->nfields, sizeof *f)) && from->nfields)
		return -1;
	to->fields = f;
	if (rt_buf_add(&to->arena, from->arena.buf, from->arena.len) ||
	    rt_buf_add(&to->names, from->names.buf, from->names.len))
		return -1;
	if (from->nev)
		memcpy(to->ev, from->ev, from->nev * sizeof *to->ev);
	if (from->nfields)
		memcpy(to->fields, from->fields, from->nfields * sizeof *to->fields);
	to->nev = from->nev;
	to->nfields = from->nfields;
	to->hazard = from->hazard;
	memcpy(to->err, from->err, sizeof(to->err));
	return 0;
}

static int all_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

const char *rt_bx_check_crc(const uint8_t *data, size_t len)
{
	uint32_t fs;

	if (len < 512)
		return "truncated chunk";
	if (rt_crc32(rt_crc32(0, data, 120), data + 128, 384) != rt_le32(data + 124))
		return "bad chunk header checksum";
	fs = rt_le32(data + 48);
	if (fs < 512 || fs > len)
		return "bad free space offset";
	if (rt_crc32(0, data + 512, fs - 512) != rt_le32(data + 52))
		return "bad event records checksum";
	return NULL;
}

/* Empty `out` and point a fresh walker at the chunk. */
static void start(walker *w, rt_bx_chunk *out, const uint8_t *data, size_t len)
{
	out->nev = 0;
	out->nfields = 0;
	out->err[0] = '\0';
	out->hazard = 0;
	rt_buf_reset(&out->arena);
	rt_buf_reset(&out->names);
	memset(out->slots, 0, sizeof(out->slots));
	memset(out->tmpl, 0, sizeof(out->tmpl));
	out->nops = 0;
	out->nuniq = 0;
	memset(w, 0, sizeof(*w));
	w->c = data;
	w->clen = len;
	w->out = out;
	w->a = &out->arena;
}

int rt_bx_decode_chunk(rt_bx_chunk *out, const uint8_t *data, size_t len, unsigned flags)
{
	walker w;
	size_t off, fs;

	start(&w, out, data, len);
	w.flags = flags;
	if (len < 512 || memcmp(data, "ElfChnk", 8))
		return fail(&w, "bad chunk magic");
	fs = rt_le32(data + 48);
	if (fs < 512 || fs > len)
		return fail(&w, "bad free space offset 0x%zx", fs);
	if (!(flags & RT_BX_NO_CRC)) {
		const char *why = rt_bx_check_crc(data, len);

		if (why)
			return fail(&w, "%s", why);
	}
	off = 512;
	while (off < fs) {
		size_t size;

		if (!rt_fits(fs, off, 28) || memcmp(data + off, "\x2a\x2a\x00\x00", 4)) {
			if (all_zero(data + off, fs - off))
				break;
			out->nev = 0;
			return fail(&w, "bad record signature at 0x%zx", off);
		}
		size = rt_le32(data + off + 4);
		if (size < 28 || !rt_fits(fs, off, size) ||
		    rt_le32(data + off + size - 4) != size) {
			out->nev = 0;
			return fail(&w, "bad record size at 0x%zx", off);
		}
		if (decode_record(&w, off, size)) {
			out->nev = 0;
			return -1;
		}
		off += size;
	}
	return 0;
}

const char *rt_bx_libevtx_hazard(rt_bx_chunk *scratch, const uint8_t *data, size_t len)
{
	walker w;
	size_t off;

	scratch->hazard = 0;
	/* the whole chunk, slack included: libevtx scans it for recoverable
	 * records, at 8-byte steps past anything that is not one */
	for (off = 512; rt_fits(len, off, 28);) {
		size_t size = rt_le32(data + off + 4);

		if (memcmp(data + off, "\x2a\x2a\x00\x00", 4) || size < 28 || !rt_fits(len, off, size)) {
			off += 8;
			continue;
		}
		start(&w, scratch, data, len);
		decode_record(&w, off, size);
		if (scratch->hazard)
			return scratch->err;
		off += size;
	}
	return NULL;
}

void rt_bx_event_get(const rt_bx_chunk *c, size_t i, rt_event *ev, rt_field *fields,
		     uint32_t *lens)
{
	const rt_bx_event *e = &c->ev[i];
	const rt_bx_field *src;
	uint32_t k, nf;

	memset(ev, 0, sizeof(*ev));
	ev->timestamp = e->timestamp;
	ev->record_id = e->record_id;
	ev->record_number = e->record_number;
	ev->written = e->written;
	ev->event_id = e->event_id;
	ev->qualifiers = e->qualifiers;
	ev->level = e->level;
	ev->process_id = e->process_id;
	ev->thread_id = e->thread_id;
	ev->computer = sp(c, e->computer);
	ev->channel = sp(c, e->channel);
	ev->provider = sp(c, e->provider);
	ev->user_sid = sp(c, e->user_sid);
	ev->host = "";
	ev->source_file = "";
	/* in locals: the stores to `lens` may alias the chunk's words, and
	 * the compiler would read them again for every field */
	nf = e->nfields;
	src = c->fields + e->field0;
	for (k = 0; k < nf; k++) {
		fields[k].name = sp(c, src[k].name);
		fields[k].value = sp(c, src[k].value);
	}
	if (lens)
		for (k = 0; k < nf; k++) {
			lens[2 * k] = src[k].nlen;
			lens[2 * k + 1] = src[k].vlen;
		}
	ev->nfields = nf;
	ev->fields = fields;
	ev->field_lens = lens;
}

static int str_same(const rt_bx_chunk *a, uint32_t x, const rt_bx_chunk *b, uint32_t y)
{
	return (x == RT_BX_NONE) == (y == RT_BX_NONE) && !strcmp(sp(a, x), sp(b, y));
}

/* The lengths a field knows of are those of its strings. */
static int lens_right(const rt_bx_chunk *c, const rt_bx_field *f)
{
	return (!f->nlen || f->nlen == strlen(sp(c, f->name))) &&
	       (!f->vlen || f->vlen == strlen(sp(c, f->value)));
}

int rt_bx_chunk_same(const rt_bx_chunk *a, const rt_bx_chunk *b)
{
	size_t i;
	uint32_t k;

	if (a->nev != b->nev || strcmp(a->err, b->err))
		return 0;
	for (i = 0; i < a->nev; i++) {
		const rt_bx_event *x = &a->ev[i], *y = &b->ev[i];

		if (x->timestamp != y->timestamp || x->record_id != y->record_id ||
		    x->record_number != y->record_number || x->written != y->written ||
		    x->event_id != y->event_id || x->qualifiers != y->qualifiers ||
		    x->level != y->level || x->process_id != y->process_id ||
		    x->thread_id != y->thread_id || x->nfields != y->nfields ||
		    !str_same(a, x->computer, b, y->computer) || !str_same(a, x->channel, b, y->channel) ||
		    !str_same(a, x->provider, b, y->provider) || !str_same(a, x->user_sid, b, y->user_sid))
			return 0;
		for (k = 0; k < x->nfields; k++)
			if (!str_same(a, a->fields[x->field0 + k].name, b, b->fields[y->field0 + k].name) ||
			    !str_same(a, a->fields[x->field0 + k].value, b, b->fields[y->field0 + k].value) ||
			    !lens_right(a, &a->fields[x->field0 + k]) || !lens_right(b, &b->fields[y->field0 + k]))
				return 0;
	}
	return 1;
}
