/*
 * Firewall rule strings. The grammar is flat ("v2.x|K=V|K=V|"), so the
 * parser is a single pass over '|' tokens; interpretation of the fields that
 * matter for reachability happens per token so repeated keys (LA4 twice in
 * Microsoft's example) accumulate into lists instead of overwriting.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "remtrail/fwrule.h"

static char *dupn(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void trim(const char **s, size_t *n)
{
	while (*n && is_space(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && is_space((*s)[*n - 1]))
		(*n)--;
}

static int eqn(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && rt_strncaseeq(s, lit, n);
}

static int parse_uint(const char *s, size_t n, unsigned max, unsigned *out)
{
	unsigned v = 0;
	size_t i;

	if (n == 0 || n > 10)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
		if (v > max)
			return -1;
	}
	*out = v;
	return 0;
}

static int grow(void **v, size_t n, size_t sz)
{
	void *p;

	if (n != 0 && (n < 4 || (n & (n - 1)) != 0))
		return 0;
	p = realloc(*v, (n ? n * 2 : 4) * sz);
	if (!p)
		return -1;
	*v = p;
	return 0;
}

/* ------------------------------------------------------------------ ports */

static int add_port(rt_fw_ports *p, const char *s, size_t n, unsigned *bad)
{
	rt_fw_port port = { 0, 0, NULL };
	const char *dash;
	unsigned lo, hi;

	trim(&s, &n);
	if (n == 0)
		return 0;
	if (eqn(s, n, "*") || eqn(s, n, "Any")) {
		port.hi = 65535;
	} else if (parse_uint(s, n, 65535, &lo) == 0) {
		port.lo = port.hi = (uint16_t)lo;
	} else if ((dash = memchr(s, '-', n)) && parse_uint(s, (size_t)(dash - s), 65535, &lo) == 0 &&
		   parse_uint(dash + 1, n - (size_t)(dash - s) - 1, 65535, &hi) == 0) {
		if (lo > hi) {
			unsigned t = lo;
			lo = hi;
			hi = t;
			(*bad)++;
		}
		port.lo = (uint16_t)lo;
		port.hi = (uint16_t)hi;
	} else {
		size_t i;

		for (i = 0; i < n; i++)
			if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
			      (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_')) {
				(*bad)++;
				break;
			}
		if (!(port.keyword = dupn(s, n)))
			return -1;
	}
	if (grow((void **)&p->v, p->n, sizeof(*p->v))) {
		free(port.keyword);
		return -1;
	}
	p->v[p->n++] = port;
	return 0;
}

/* Call fn on each item of a comma-separated list (empty items too, as
 * Windows writes them: each is judged by fn). 0, or fn's -1. */
static int each_item(const char *s, size_t n, int (*fn)(void *ctx, const char *s, size_t n),
		     void *ctx)
{
	while (n) {
		const char *c = memchr(s, ',', n);
		size_t k = c ? (size_t)(c - s) : n;

		if (fn(ctx, s, k))
			return -1;
		if (!c)
			break;
		s += k + 1;
		n -= k + 1;
	}
	return 0;
}

typedef struct list_ctx {
	void *list;
	int v6;
	unsigned *bad;
} list_ctx;

static int port_item(void *ctx, const char *s, size_t n)
{
	list_ctx *c = ctx;

	return add_port(c->list, s, n, c->bad);
}

static int add_ports(rt_fw_ports *p, const char *s, size_t n, unsigned *bad)
{
	list_ctx c = { p, 0, bad };

	return each_item(s, n, port_item, &c);
}

/* -------------------------------------------------------------- addresses */

static int parse_ip(const char *s, size_t n, int v6, uint8_t out[16])
{
	char tmp[64];

	if (n == 0 || n >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	memset(out, 0, 16);
	return inet_pton(v6 ? AF_INET6 : AF_INET, tmp, out) == 1 ? 0 : -1;
}

static void apply_prefix(uint8_t lo[16], uint8_t hi[16], unsigned bits, unsigned total)
{
	unsigned i;

	for (i = 0; i < total; i++) {
		unsigned byte = i / 8, bit = 7 - i % 8;

		if (i >= bits) {
			lo[byte] &= (uint8_t)~(1u << bit);
			hi[byte] |= (uint8_t)(1u << bit);
		}
	}
}

/* A dotted mask (255.255.0.0) as a prefix length; -1 if not contiguous. */
static int mask_bits(const uint8_t m[4])
{
	uint32_t v = ((uint32_t)m[0] << 24) | ((uint32_t)m[1] << 16) | ((uint32_t)m[2] << 8) | m[3];
	int bits = 0;

	while (bits < 32 && (v & (0x80000000u >> bits)))
		bits++;
	if (bits < 32 && (v << bits) != 0)
		return -1;
	return bits;
}

static int parse_addr(rt_fw_addr *a, const char *s, size_t n, int v6)
{
	unsigned total = v6 ? 128 : 32, bits;
	const char *sep;
	size_t k;

	a->kind = v6 ? RT_FW_ADDR_V6 : RT_FW_ADDR_V4;
	if (parse_ip(s, n, v6, a->lo) == 0) {
		memcpy(a->hi, a->lo, 16);
		return 0;
	}
	if ((sep = memchr(s, '/', n))) {
		k = (size_t)(sep - s);
		if (parse_ip(s, k, v6, a->lo))
			return -1;
		memcpy(a->hi, a->lo, 16);
		if (parse_uint(sep + 1, n - k - 1, total, &bits) != 0) {
			uint8_t m[16];
			int b;

			if (v6 || parse_ip(sep + 1, n - k - 1, 0, m) || (b = mask_bits(m)) < 0)
				return -1;
			bits = (unsigned)b;
		}
		apply_prefix(a->lo, a->hi, bits, total);
		return 0;
	}
	if ((sep = memchr(s, '-', n))) {
		k = (size_t)(sep - s);
		if (parse_ip(s, k, v6, a->lo) || parse_ip(sep + 1, n - k - 1, v6, a->hi))
			return -1;
		if (memcmp(a->lo, a->hi, 16) > 0) {
			uint8_t t[16];
			memcpy(t, a->lo, 16);
			memcpy(a->lo, a->hi, 16);
			memcpy(a->hi, t, 16);
		}
		return 0;
	}
	return -1;
}

static int keyword_like(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z')))
			return 0;
	return 1;
}

static int add_addr(rt_fw_addrs *l, const char *s, size_t n, int v6, unsigned *bad)
{
	rt_fw_addr a;

	trim(&s, &n);
	if (n == 0)
		return 0;
	memset(&a, 0, sizeof(a));
	if (eqn(s, n, "*") || eqn(s, n, "Any"))
		a.kind = RT_FW_ADDR_ANY;
	else if (parse_addr(&a, s, n, v6) != 0) {
		a.kind = RT_FW_ADDR_KEYWORD;
		if (!keyword_like(s, n))
			(*bad)++;
	}
	if (!(a.text = dupn(s, n)))
		return -1;
	if (grow((void **)&l->v, l->n, sizeof(*l->v))) {
		free(a.text);
		return -1;
	}
	l->v[l->n++] = a;
	return 0;
}

static int addr_item(void *ctx, const char *s, size_t n)
{
	list_ctx *c = ctx;

	return add_addr(c->list, s, n, c->v6, c->bad);
}

static int add_addrs(rt_fw_addrs *l, const char *s, size_t n, int v6, unsigned *bad)
{
	list_ctx c = { l, v6, bad };

	return each_item(s, n, addr_item, &c);
}

/* ------------------------------------------------------------------ rule */

static int set_str(char **dst, const char *s, size_t n)
{
	if (*dst)
		return 0;
	return (*dst = dupn(s, n)) ? 0 : -1;
}

static unsigned profile_bit(const char *s, size_t n)
{
	if (eqn(s, n, "Domain"))
		return RT_FW_PROF_DOMAIN;
	if (eqn(s, n, "Private"))
		return RT_FW_PROF_PRIVATE;
	if (eqn(s, n, "Public"))
		return RT_FW_PROF_PUBLIC;
	if (eqn(s, n, "All") || eqn(s, n, "*"))
		return RT_FW_PROF_ALL;
	return 0;
}

/* One item of Profile=Domain,Private: its bit, or counted as bad. */
static int profile_item(void *ctx, const char *s, size_t n)
{
	rt_fwrule *r = ctx;
	unsigned bit;

	trim(&s, &n);
	bit = profile_bit(s, n);
	r->profiles |= bit;
	r->bad += bit == 0;
	return 0;
}

static int interpret(rt_fwrule *r, const char *k, size_t kn, const char *v, size_t vn)
{
	unsigned u;

	if (eqn(k, kn, "Action")) {
		r->action = eqn(v, vn, "Allow")	   ? RT_FW_ACTION_ALLOW
			    : eqn(v, vn, "Block")  ? RT_FW_ACTION_BLOCK
			    : eqn(v, vn, "ByPass") ? RT_FW_ACTION_BYPASS
						   : RT_FW_ACTION_OTHER;
		r->bad += r->action == RT_FW_ACTION_OTHER;
	} else if (eqn(k, kn, "Dir")) {
		r->dir = eqn(v, vn, "In") ? RT_FW_DIR_IN : eqn(v, vn, "Out") ? RT_FW_DIR_OUT : RT_FW_DIR_OTHER;
		r->bad += r->dir == RT_FW_DIR_OTHER;
	} else if (eqn(k, kn, "Active")) {
		if (eqn(v, vn, "TRUE"))
			r->active = 1;
		else if (eqn(v, vn, "FALSE"))
			r->active = 0;
		else
			r->bad++;
	} else if (eqn(k, kn, "Protocol")) {
		if (parse_uint(v, vn, 255, &u) == 0)
			r->protocol = (int)u;
		else
			r->bad++;
	} else if (eqn(k, kn, "Profile")) {
		return each_item(v, vn, profile_item, r);
	} else if (eqn(k, kn, "LPort") || eqn(k, kn, "LPort2_10")) {
		return add_ports(&r->lport, v, vn, &r->bad);
	} else if (eqn(k, kn, "RPort") || eqn(k, kn, "RPort2_10")) {
		return add_ports(&r->rport, v, vn, &r->bad);
	} else if (eqn(k, kn, "LA4")) {
		return add_addrs(&r->la4, v, vn, 0, &r->bad);
	} else if (eqn(k, kn, "RA4")) {
		return add_addrs(&r->ra4, v, vn, 0, &r->bad);
	} else if (eqn(k, kn, "LA6")) {
		return add_addrs(&r->la6, v, vn, 1, &r->bad);
	} else if (eqn(k, kn, "RA6")) {
		return add_addrs(&r->ra6, v, vn, 1, &r->bad);
	} else if (eqn(k, kn, "App")) {
		return set_str(&r->app, v, vn);
	} else if (eqn(k, kn, "Svc")) {
		return set_str(&r->svc, v, vn);
	} else if (eqn(k, kn, "Name")) {
		return set_str(&r->name, v, vn);
	} else if (eqn(k, kn, "Desc")) {
		return set_str(&r->desc, v, vn);
	} else if (eqn(k, kn, "EmbedCtxt")) {
		return set_str(&r->embedctxt, v, vn);
	} else if (eqn(k, kn, "AppPkgId")) {
		return set_str(&r->apppkgid, v, vn);
	} else if (eqn(k, kn, "PFN")) {
		return set_str(&r->pfn, v, vn);
	} else if (eqn(k, kn, "LUOwn")) {
		return set_str(&r->luown, v, vn);
	} else if (eqn(k, kn, "LUAuth")) {
		return set_str(&r->luauth, v, vn);
	} else if (eqn(k, kn, "Security") || eqn(k, kn, "Security2") || eqn(k, kn, "Security2_9")) {
		return set_str(&r->security, v, vn);
	} else if (eqn(k, kn, "RMAuth")) {
		return set_str(&r->rmauth, v, vn);
	} else if (eqn(k, kn, "RUAuth")) {
		return set_str(&r->ruauth, v, vn);
	} else if (eqn(k, kn, "IFType")) {
		return set_str(&r->iftype, v, vn);
	} else if (eqn(k, kn, "IF")) {
		r->nif++;
	} else if (eqn(k, kn, "Edge")) {
		r->edge = eqn(v, vn, "TRUE");
	} else if (kn >= 3 && rt_strncaseeq(k, "TTK", 3)) {
		return set_str(&r->ttk, v, vn);
	}
	return 0;
}

static int add_field(rt_fwrule *r, const char *tok, size_t n)
{
	const char *eq = memchr(tok, '=', n);
	size_t kn = eq ? (size_t)(eq - tok) : n;
	const char *v = eq ? eq + 1 : tok + n;
	size_t vn = eq ? n - kn - 1 : 0;
	rt_fw_field f;

	if (r->nfields >= RT_FW_MAX_FIELDS) {
		r->bad++;
		return 0;
	}
	if (!eq || kn == 0)
		r->bad++;
	f.key = dupn(tok, kn);
	f.value = dupn(v, vn);
	if (!f.key || !f.value || grow((void **)&r->fields, r->nfields, sizeof(*r->fields))) {
		free(f.key);
		free(f.value);
		return -1;
	}
	r->fields[r->nfields++] = f;
	return eq ? interpret(r, tok, kn, v, vn) : 0;
}

static int parse_version(rt_fwrule *r, const char *tok, size_t n)
{
	const char *dot;
	unsigned maj, min = 0;

	if (n < 2 || (tok[0] != 'v' && tok[0] != 'V'))
		return -1;
	dot = memchr(tok, '.', n);
	if (parse_uint(tok + 1, (dot ? (size_t)(dot - tok) : n) - 1, 1000, &maj) ||
	    (dot && parse_uint(dot + 1, n - (size_t)(dot - tok) - 1, 100000, &min)))
		return -1;
	r->vmajor = maj;
	r->vminor = min;
	return (r->version = dupn(tok, n)) ? 0 : -2;
}

int rt_fwrule_parse(const char *s, size_t n, rt_fwrule *r)
{
	const char *nul;
	int first = 1, rc = 0;

	memset(r, 0, sizeof(*r));
	r->active = 1;
	r->protocol = -1;
	if (!s)
		return -1;
	if ((nul = memchr(s, '\0', n)))
		n = (size_t)(nul - s);
	if (n > RT_FW_MAX_RULE_LEN) {
		n = RT_FW_MAX_RULE_LEN;
		r->bad++;
	}
	while (n) {
		const char *bar = memchr(s, '|', n);
		size_t k = bar ? (size_t)(bar - s) : n;

		if (first) {
			int v = parse_version(r, s, k);

			first = 0;
			if (v == -2)
				return -1;
			if (v == -1) {
				rc = -1;
				if (add_field(r, s, k))
					return -1;
			}
		} else if (k && add_field(r, s, k)) {
			return -1;
		}
		if (!bar)
			break;
		s += k + 1;
		n -= k + 1;
	}
	return r->version ? rc : -1;
}

static void ports_release(rt_fw_ports *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		free(p->v[i].keyword);
	free(p->v);
}

static void addrs_release(rt_fw_addrs *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		free(a->v[i].text);
	free(a->v);
}

void rt_fwrule_release(rt_fwrule *r)
{
	size_t i;

	for (i = 0; i < r->nfields; i++) {
		free(r->fields[i].key);
		free(r->fields[i].value);
	}
	free(r->fields);
	ports_release(&r->lport);
	ports_release(&r->rport);
	addrs_release(&r->la4);
	addrs_release(&r->ra4);
	addrs_release(&r->la6);
	addrs_release(&r->ra6);
	free(r->version);
	free(r->app);
	free(r->svc);
	free(r->name);
	free(r->desc);
	free(r->embedctxt);
	free(r->apppkgid);
	free(r->pfn);
	free(r->luown);
	free(r->luauth);
	free(r->security);
	free(r->rmauth);
	free(r->ruauth);
	free(r->iftype);
	free(r->ttk);
	memset(r, 0, sizeof(*r));
}

const char *rt_fwrule_get(const rt_fwrule *r, const char *key)
{
	size_t i;

	for (i = 0; i < r->nfields; i++)
		if (rt_strcaseeq(r->fields[i].key, key))
			return r->fields[i].value;
	return NULL;
}

int rt_fwrule_has_profile(const rt_fwrule *r, unsigned prof)
{
	return r->profiles == 0 || (r->profiles & prof) != 0;
}

int rt_fw_ports_text(rt_buf *out, const rt_fw_ports *p)
{
	size_t i;
	int rc = 0;

	if (p->n == 0)
		return rt_buf_adds(out, "*");
	for (i = 0; i < p->n && !rc; i++) {
		const rt_fw_port *x = &p->v[i];

		if (i)
			rc |= rt_buf_addch(out, ',');
		if (x->keyword)
			rc |= rt_buf_adds(out, x->keyword);
		else if (x->lo == 0 && x->hi == 65535)
			rc |= rt_buf_adds(out, "*");
		else if (x->lo == x->hi)
			rc |= rt_buf_addf(out, "%u", (unsigned)x->lo);
		else
			rc |= rt_buf_addf(out, "%u-%u", (unsigned)x->lo, (unsigned)x->hi);
	}
	return rc ? -1 : 0;
}

int rt_fw_addrs_text(rt_buf *out, const rt_fw_addrs *a)
{
	size_t i;
	int rc = 0;

	if (a->n == 0)
		return rt_buf_adds(out, "*");
	for (i = 0; i < a->n; i++) {
		if (i)
			rc |= rt_buf_addch(out, ',');
		rc |= rt_buf_adds(out, a->v[i].text);
	}
	return rc ? -1 : 0;
}

int rt_fw_profiles_text(rt_buf *out, unsigned profiles)
{
	static const char *const names[] = { "domain", "private", "public" };
	int i, first = 1, rc = 0;

	if (profiles == 0 || (profiles & RT_FW_PROF_ALL) == RT_FW_PROF_ALL)
		return rt_buf_adds(out, "all");
	for (i = 0; i < 3; i++)
		if (profiles & (1u << i)) {
			if (!first)
				rc |= rt_buf_addch(out, ',');
			rc |= rt_buf_adds(out, names[i]);
			first = 0;
		}
	return rc ? -1 : 0;
}

const char *rt_fw_action_name(rt_fw_action a)
{
	static const char *const n[] = { "", "allow", "block", "bypass", "other" };

	return (unsigned)a < 5 ? n[a] : "";
}

const char *rt_fw_dir_name(rt_fw_dir d)
{
	static const char *const n[] = { "", "in", "out", "other" };

	return (unsigned)d < 4 ? n[d] : "";
}
