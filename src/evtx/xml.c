/*
 * The XML that libevtx renders for a record, turned into an rt_event.
 *
 * libevtx's rendering is regular (pretty-printed, entities escaped, no DTD),
 * but values inside it come from hostile evidence, so the scanner trusts
 * nothing: every access is bounded by `len`, nesting has a fixed limit and
 * nothing recurses. Text is collected only for the innermost open element:
 * as soon as an element gets a child it is no longer a leaf and its text is
 * of no interest, so one buffer serves the whole document.
 */
#include "config.h"

#include <stdlib.h>

#include "remtrail/evtx.h"

struct rt_evtx_xml_field {
	size_t name, value; /* offsets into strs */
	uint32_t hash;
	uint32_t next_k;    /* next "[k]" suffix to try for this name */
};

/* Sections of an Event whose leaves give fields. */
enum section { SEC_NONE, SEC_SYSTEM, SEC_EVENTDATA, SEC_USERDATA, SEC_LEAVES };

/* System children whose text or attributes we keep. */
enum sys { SYS_NONE, SYS_EVENTID, SYS_LEVEL, SYS_RECORDID, SYS_CHANNEL, SYS_COMPUTER };

typedef struct frame {
	const char *name; /* local name, in the input */
	size_t nlen;
} frame;

typedef struct scan {
	rt_evtx_xml *x;
	rt_event *ev;
	const char *p, *end;
	frame stack[RT_EVTX_XML_DEPTH];
	int depth;
	enum section sec;
	int leaf;          /* innermost open element has no child element yet */
	enum sys sys;      /* what the innermost System child is */
	int is_data;       /* innermost is EventData/Data */
	int is_binary;     /* innermost is EventData/Binary */
	int has_name;      /* Data had a Name attribute */
	size_t name_off;   /* its value, in strs */
	size_t str_computer, str_channel, str_provider, str_sid;
	int bad;
} scan;

void rt_evtx_xml_init(rt_evtx_xml *x)
{
	memset(x, 0, sizeof *x);
	rt_buf_init(&x->strs, 0);
	rt_buf_init(&x->cur, 0);
	rt_buf_init(&x->tmp, 0);
}

void rt_evtx_xml_release(rt_evtx_xml *x)
{
	rt_buf_release(&x->strs);
	rt_buf_release(&x->cur);
	rt_buf_release(&x->tmp);
	free(x->f);
	free(x->out);
	free(x->hash);
	rt_evtx_xml_init(x);
}

/* rt_buf_reset without writing to the shared empty string: several threads
 * may each run a scanner. */
static void clear(rt_buf *b)
{
	b->len = 0;
	if (b->alloc)
		b->buf[0] = '\0';
}

static int eq(const char *a, size_t n, const char *lit)
{
	size_t l = strlen(lit);

	return n == l && memcmp(a, lit, l) == 0;
}

static int put_cp(rt_buf *b, uint32_t cp)
{
	char t[4];

	if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		cp = 0xFFFD;
	if (cp < 0x80) {
		t[0] = (char)cp;
		return rt_buf_add(b, t, 1);
	}
	if (cp < 0x800) {
		t[0] = (char)(0xC0 | (cp >> 6));
		t[1] = (char)(0x80 | (cp & 0x3F));
		return rt_buf_add(b, t, 2);
	}
	if (cp < 0x10000) {
		t[0] = (char)(0xE0 | (cp >> 12));
		t[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		t[2] = (char)(0x80 | (cp & 0x3F));
		return rt_buf_add(b, t, 3);
	}
	t[0] = (char)(0xF0 | (cp >> 18));
	t[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	t[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	t[3] = (char)(0x80 | (cp & 0x3F));
	return rt_buf_add(b, t, 4);
}

/* Length of the entity at s ("&...;") it understood, with its value added
 * to b; 0 when it is not one we know (the '&' is then kept literally). */
static size_t entity(rt_buf *b, const char *s, const char *end, int *err)
{
	static const struct { const char *name; char c; } named[] = {
		{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' }, { "&quot;", '"' }, { "&apos;", '\'' },
	};
	size_t i, n = (size_t)(end - s);
	uint32_t cp = 0;

	for (i = 0; i < sizeof named / sizeof named[0]; i++) {
		size_t l = strlen(named[i].name);

		if (n >= l && memcmp(s, named[i].name, l) == 0) {
			*err |= rt_buf_addch(b, named[i].c);
			return l;
		}
	}
	if (n < 4 || s[1] != '#')
		return 0;
	i = 2;
	if (s[2] == 'x' || s[2] == 'X') {
		for (i = 3; i < n && i < 12; i++) {
			char c = s[i];
			uint32_t v;

			if (c >= '0' && c <= '9')
				v = (uint32_t)(c - '0');
			else if (c >= 'a' && c <= 'f')
				v = (uint32_t)(c - 'a' + 10);
			else if (c >= 'A' && c <= 'F')
				v = (uint32_t)(c - 'A' + 10);
			else
				break;
			cp = cp * 16 + v;
		}
		if (i == 3)
			return 0;
	} else {
		for (; i < n && i < 11 && s[i] >= '0' && s[i] <= '9'; i++)
			cp = cp * 10 + (uint32_t)(s[i] - '0');
		if (i == 2)
			return 0;
	}
	if (i >= n || s[i] != ';')
		return 0;
	*err |= put_cp(b, cp);
	return i + 1;
}

/* Append s..end to b with entities resolved. */
static int unescape(rt_buf *b, const char *s, const char *end)
{
	int err = 0;

	while (s < end && !err) {
		const char *amp = memchr(s, '&', (size_t)(end - s));
		size_t k;

		if (!amp)
			return rt_buf_add(b, s, (size_t)(end - s));
		err |= rt_buf_add(b, s, (size_t)(amp - s));
		k = entity(b, amp, end, &err);
		if (k == 0) {
			err |= rt_buf_addch(b, '&');
			k = 1;
		}
		s = amp + k;
	}
	return err ? -1 : 0;
}

/* Store a NUL-terminated string in strs; returns its offset or (size_t)-1. */
static size_t store(rt_evtx_xml *x, const char *s, size_t n)
{
	size_t off = x->strs.len;

	if (rt_buf_add(&x->strs, s, n) || rt_buf_addch(&x->strs, '\0'))
		return (size_t)-1;
	return off;
}

static size_t store_unescaped(rt_evtx_xml *x, const char *s, const char *end)
{
	size_t off = x->strs.len;

	if (unescape(&x->strs, s, end) || rt_buf_addch(&x->strs, '\0'))
		return (size_t)-1;
	return off;
}

static uint32_t hash_str(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

/* Index+1 of the field named s, or 0; *slot gets where it is or would go. */
static size_t lookup(rt_evtx_xml *x, const char *s, uint32_t h, size_t *slot)
{
	size_t mask = x->nhash - 1, i = h & mask;

	while (x->hash[i]) {
		struct rt_evtx_xml_field *f = &x->f[x->hash[i] - 1];

		if (f->hash == h && strcmp(x->strs.buf + f->name, s) == 0) {
			*slot = i;
			return x->hash[i];
		}
		i = (i + 1) & mask;
	}
	*slot = i;
	return 0;
}

static int rehash(rt_evtx_xml *x, size_t want)
{
	size_t n = 16, i, slot;

	while (n < want * 2)
		n *= 2;
	if (n > x->nhash) {
		uint32_t *h = realloc(x->hash, n * sizeof *h);

		if (!h)
			return -1;
		x->hash = h;
		x->nhash = n;
	}
	memset(x->hash, 0, x->nhash * sizeof *x->hash);
	for (i = 0; i < x->nf; i++) {
		lookup(x, x->strs.buf + x->f[i].name, x->f[i].hash, &slot);
		x->hash[slot] = (uint32_t)(i + 1);
	}
	return 0;
}

/* Add a field whose name and value are already in strs, making the name unique. */
static int add_field(rt_evtx_xml *x, size_t name, size_t value)
{
	struct rt_evtx_xml_field *f;
	size_t slot, hit;
	uint32_t h;

	if (name == (size_t)-1 || value == (size_t)-1)
		return -1;
	if (x->nf >= UINT32_MAX - 1)
		return -1;
	if (x->nf + 1 > x->af) {
		size_t na = x->af ? x->af * 2 : 32;
		void *p = realloc(x->f, na * sizeof *x->f);

		if (!p)
			return -1;
		x->f = p;
		x->af = na;
	}
	if ((x->nf + 1) * 2 > x->nhash && rehash(x, x->nf + 1))
		return -1;
	h = hash_str(x->strs.buf + name);
	hit = lookup(x, x->strs.buf + name, h, &slot);
	if (hit) {
		/* "X" again: try X[k] from where the last duplicate of X left off */
		uint32_t base = (uint32_t)(hit - 1), k = x->f[base].next_k;
		size_t nname;

		for (;; k++) {
			clear(&x->tmp);
			if (rt_buf_addf(&x->tmp, "%s[%u]", x->strs.buf + x->f[base].name, k))
				return -1;
			h = hash_str(x->tmp.buf);
			if (!lookup(x, x->tmp.buf, h, &slot))
				break;
		}
		x->f[base].next_k = k + 1;
		nname = store(x, x->tmp.buf, x->tmp.len);
		if (nname == (size_t)-1)
			return -1;
		name = nname;
	}
	f = &x->f[x->nf];
	f->name = name;
	f->value = value;
	f->hash = h;
	f->next_k = 2;
	x->hash[slot] = (uint32_t)(++x->nf);
	return 0;
}

static const char *local_name(const char *q, size_t n, size_t *ln)
{
	const char *c = q + n;

	while (c > q && c[-1] != ':')
		c--;
	*ln = (size_t)(q + n - c);
	return c;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int is_name_char(char c)
{
	return !is_space(c) && c != '>' && c != '/' && c != '=' && c != '<' && c != '"' &&
	       c != '\'';
}

static uint32_t to_u32(const char *s)
{
	uint64_t v;

	if (rt_parse_u64(s, &v) || v > UINT32_MAX)
		return 0;
	return (uint32_t)v;
}

/* Handle one attribute of the element just opened. */
static int attribute(scan *sc, const char *an, size_t alen, const char *v, const char *vend)
{
	rt_evtx_xml *x = sc->x;
	const frame *top = &sc->stack[sc->depth - 1];
	size_t off;

	if (sc->sec == SEC_EVENTDATA && sc->is_data && eq(an, alen, "Name")) {
		sc->name_off = store_unescaped(x, v, vend);
		sc->has_name = 1;
		return sc->name_off == (size_t)-1 ? -1 : 0;
	}
	if (sc->sec != SEC_SYSTEM || sc->depth != 3)
		return 0;
	/* System child attributes: parse numbers from a NUL-terminated copy */
	clear(&x->tmp);
	if (unescape(&x->tmp, v, vend))
		return -1;
	if (eq(top->name, top->nlen, "Provider") && eq(an, alen, "Name")) {
		off = store(x, x->tmp.buf, x->tmp.len);
		if (off == (size_t)-1)
			return -1;
		sc->str_provider = off;
	} else if (eq(top->name, top->nlen, "EventID") && eq(an, alen, "Qualifiers")) {
		sc->ev->qualifiers = to_u32(x->tmp.buf);
	} else if (eq(top->name, top->nlen, "TimeCreated") && eq(an, alen, "SystemTime")) {
		uint64_t t;

		if (rt_time_parse(x->tmp.buf, &t) == 0) {
			sc->ev->timestamp = t;
			x->has_time = 1;
		}
	} else if (eq(top->name, top->nlen, "Execution")) {
		if (eq(an, alen, "ProcessID"))
			sc->ev->process_id = to_u32(x->tmp.buf);
		else if (eq(an, alen, "ThreadID"))
			sc->ev->thread_id = to_u32(x->tmp.buf);
	} else if (eq(top->name, top->nlen, "Security") && eq(an, alen, "UserID")) {
		off = store(x, x->tmp.buf, x->tmp.len);
		if (off == (size_t)-1)
			return -1;
		sc->str_sid = off;
	}
	return 0;
}

/* What the element at the new depth means, from its name and its parents. */
static void classify(scan *sc, const char *ln, size_t n)
{
	sc->sys = SYS_NONE;
	sc->is_data = sc->is_binary = sc->has_name = 0;
	if (sc->depth == 2) {
		if (eq(ln, n, "System"))
			sc->sec = SEC_SYSTEM;
		else if (eq(ln, n, "EventData"))
			sc->sec = SEC_EVENTDATA;
		else if (eq(ln, n, "UserData"))
			sc->sec = SEC_USERDATA;
		else if (eq(ln, n, "ProcessingErrorData") || eq(ln, n, "DebugData"))
			sc->sec = SEC_LEAVES;
		else
			sc->sec = SEC_NONE;
		return;
	}
	if (sc->depth == 3 && sc->sec == SEC_SYSTEM) {
		if (eq(ln, n, "EventID"))
			sc->sys = SYS_EVENTID;
		else if (eq(ln, n, "Level"))
			sc->sys = SYS_LEVEL;
		else if (eq(ln, n, "EventRecordID"))
			sc->sys = SYS_RECORDID;
		else if (eq(ln, n, "Channel"))
			sc->sys = SYS_CHANNEL;
		else if (eq(ln, n, "Computer"))
			sc->sys = SYS_COMPUTER;
	} else if (sc->depth == 3 && sc->sec == SEC_EVENTDATA) {
		sc->is_data = eq(ln, n, "Data");
		sc->is_binary = eq(ln, n, "Binary");
	}
}

/* The innermost element closes while still a leaf: keep what it says. */
static int close_leaf(scan *sc)
{
	rt_evtx_xml *x = sc->x;
	const frame *top = &sc->stack[sc->depth - 1];
	size_t name, value, off;

	if (sc->sec == SEC_SYSTEM && sc->depth == 3) {
		switch (sc->sys) {
		case SYS_EVENTID:
			sc->ev->event_id = to_u32(x->cur.buf);
			break;
		case SYS_LEVEL:
			sc->ev->level = to_u32(x->cur.buf);
			break;
		case SYS_RECORDID:
			if (rt_parse_u64(x->cur.buf, &sc->ev->record_id))
				sc->ev->record_id = 0;
			break;
		case SYS_CHANNEL:
		case SYS_COMPUTER:
			off = store(x, x->cur.buf, x->cur.len);
			if (off == (size_t)-1)
				return -1;
			if (sc->sys == SYS_CHANNEL)
				sc->str_channel = off;
			else
				sc->str_computer = off;
			break;
		case SYS_NONE:
			break;
		}
		return 0;
	}
	if (sc->sec == SEC_EVENTDATA && sc->depth == 3) {
		if (sc->is_data && sc->has_name) {
			name = sc->name_off;
		} else if (sc->is_data) {
			clear(&x->tmp);
			if (rt_buf_addf(&x->tmp, "Data[%u]", ++x->unnamed))
				return -1;
			name = store(x, x->tmp.buf, x->tmp.len);
		} else if (sc->is_binary) {
			name = store(x, "Binary", 6);
		} else {
			name = store(x, top->name, top->nlen);
		}
	} else if ((sc->sec == SEC_USERDATA && sc->depth >= 4) ||
		   (sc->sec == SEC_LEAVES && sc->depth >= 3)) {
		name = store(x, top->name, top->nlen);
	} else {
		return 0;
	}
	value = store(x, x->cur.buf, x->cur.len);
	return add_field(x, name, value);
}

/* Skip past `term` (e.g. "-->"); 0 if found, -1 if the input ends first. */
static int skip_past(scan *sc, const char *term)
{
	size_t tl = strlen(term);

	while ((size_t)(sc->end - sc->p) >= tl) {
		if (memcmp(sc->p, term, tl) == 0) {
			sc->p += tl;
			return 0;
		}
		sc->p++;
	}
	sc->p = sc->end;
	return -1;
}

static int open_tag(scan *sc)
{
	const char *q = sc->p + 1, *qend, *ln;
	size_t n;

	qend = q;
	while (qend < sc->end && is_name_char(*qend))
		qend++;
	if (qend == q)
		return 1;
	if (sc->depth >= RT_EVTX_XML_DEPTH)
		return 1;
	/* the parent is no longer a leaf */
	sc->leaf = 1;
	clear(&sc->x->cur);
	ln = local_name(q, (size_t)(qend - q), &n);
	sc->stack[sc->depth].name = ln;
	sc->stack[sc->depth].nlen = n;
	sc->depth++;
	classify(sc, ln, n);
	sc->p = qend;
	for (;;) {
		const char *an, *v;
		size_t alen;
		char quote;

		while (sc->p < sc->end && is_space(*sc->p))
			sc->p++;
		if (sc->p >= sc->end)
			return 1;
		if (*sc->p == '>') {
			sc->p++;
			return 0;
		}
		if (*sc->p == '/') {
			if (sc->p + 1 >= sc->end || sc->p[1] != '>')
				return 1;
			sc->p += 2;
			if (close_leaf(sc))
				return -1;
			sc->depth--;
			sc->leaf = 0;
			return 0;
		}
		an = sc->p;
		while (sc->p < sc->end && is_name_char(*sc->p))
			sc->p++;
		alen = (size_t)(sc->p - an);
		while (sc->p < sc->end && is_space(*sc->p))
			sc->p++;
		if (alen == 0 || sc->p >= sc->end || *sc->p != '=')
			return 1;
		sc->p++;
		while (sc->p < sc->end && is_space(*sc->p))
			sc->p++;
		if (sc->p >= sc->end || (*sc->p != '"' && *sc->p != '\''))
			return 1;
		quote = *sc->p++;
		v = sc->p;
		sc->p = memchr(v, quote, (size_t)(sc->end - v));
		if (!sc->p) {
			sc->p = sc->end;
			return 1;
		}
		an = local_name(an, alen, &alen);
		if (attribute(sc, an, alen, v, sc->p))
			return -1;
		sc->p++;
	}
}

static int close_tag(scan *sc)
{
	const char *q = sc->p + 2, *qend = q, *ln;
	size_t n;
	int rc = 0;

	while (qend < sc->end && is_name_char(*qend))
		qend++;
	sc->p = qend;
	while (sc->p < sc->end && is_space(*sc->p))
		sc->p++;
	if (sc->p >= sc->end || *sc->p != '>' || sc->depth == 0)
		return 1;
	sc->p++;
	ln = local_name(q, (size_t)(qend - q), &n);
	if (n != sc->stack[sc->depth - 1].nlen || memcmp(ln, sc->stack[sc->depth - 1].name, n))
		rc = 1;
	if (sc->leaf && close_leaf(sc))
		return -1;
	sc->depth--;
	sc->leaf = 0;
	/* restore what the parent is; children of System/EventData are leaves */
	if (sc->depth <= 1)
		sc->sec = SEC_NONE;
	sc->sys = SYS_NONE;
	sc->is_data = sc->is_binary = 0;
	return rc;
}

static const char *str_at(const rt_evtx_xml *x, size_t off)
{
	return off == (size_t)-1 ? "" : x->strs.buf + off;
}

int rt_evtx_xml_parse(rt_evtx_xml *x, const char *xml, size_t len, rt_event *ev)
{
	scan sc;
	size_t i;
	int rc = 0;

	memset(&sc, 0, sizeof sc);
	sc.x = x;
	sc.ev = ev;
	sc.p = xml;
	sc.end = xml + len;
	sc.str_computer = sc.str_channel = sc.str_provider = sc.str_sid = (size_t)-1;
	clear(&x->strs);
	clear(&x->cur);
	x->nf = 0;
	x->unnamed = 0;
	x->has_time = 0;
	if (x->nhash)
		memset(x->hash, 0, x->nhash * sizeof *x->hash);
	ev->timestamp = ev->record_id = 0;
	ev->event_id = ev->qualifiers = ev->level = ev->process_id = ev->thread_id = 0;

	while (sc.p < sc.end && rc >= 0) {
		const char *lt = memchr(sc.p, '<', (size_t)(sc.end - sc.p));
		const char *text_end = lt ? lt : sc.end;
		size_t rest;

		if (sc.leaf && text_end > sc.p && unescape(&x->cur, sc.p, text_end)) {
			rc = -1;
			break;
		}
		if (!lt)
			break;
		sc.p = lt;
		rest = (size_t)(sc.end - sc.p);
		if (rest >= 9 && memcmp(sc.p, "<![CDATA[", 9) == 0) {
			const char *start = sc.p + 9;

			sc.p = start;
			if (skip_past(&sc, "]]>")) {
				rc = 1;
				break;
			}
			if (sc.leaf && rt_buf_add(&x->cur, start, (size_t)(sc.p - 3 - start)))
				rc = -1;
		} else if (rest >= 4 && memcmp(sc.p, "<!--", 4) == 0) {
			sc.p += 4;
			if (skip_past(&sc, "-->"))
				rc = 1;
		} else if (rest >= 2 && sc.p[1] == '?') {
			if (skip_past(&sc, "?>"))
				rc = 1;
		} else if (rest >= 2 && sc.p[1] == '!') {
			if (skip_past(&sc, ">"))
				rc = 1;
		} else if (rest >= 2 && sc.p[1] == '/') {
			int r = close_tag(&sc);

			if (r)
				rc = r;
		} else {
			int r = open_tag(&sc);

			if (r)
				rc = r;
		}
		if (rc > 0)
			break;
	}
	if (rc == 0 && sc.depth != 0)
		rc = 1;

	ev->computer = str_at(x, sc.str_computer);
	ev->channel = str_at(x, sc.str_channel);
	ev->provider = str_at(x, sc.str_provider);
	ev->user_sid = str_at(x, sc.str_sid);
	if (x->nf > x->aout) {
		rt_field *o = realloc(x->out, x->nf * sizeof *o);

		if (!o) {
			ev->nfields = 0;
			ev->fields = NULL;
			return -1;
		}
		x->out = o;
		x->aout = x->nf;
	}
	for (i = 0; i < x->nf; i++) {
		x->out[i].name = x->strs.buf + x->f[i].name;
		x->out[i].value = x->strs.buf + x->f[i].value;
	}
	ev->nfields = x->nf;
	ev->fields = x->out;
	return rc;
}
