/* Address scopes of firewall rules, WinRM IP filters and --mgmt, IPv4 and
 * IPv6. An element of the other family than the address is simply "outside";
 * anything that cannot be read (keywords other than LocalSubnet, bad syntax)
 * answers "cannot tell" rather than a guess. */
#include "config.h"

#include <string.h>

#include "remtrail/util.h"
#include "remtrail/winfw.h"

/* An address: IPv4 in b[0..3] (v6 = 0) or IPv6 in b[0..15]. IPv4-mapped IPv6
 * addresses (::ffff:a.b.c.d) are taken as the IPv4 address they carry, as
 * Windows logs them (4624 IpAddress "::ffff:10.0.0.5"). */
typedef struct addr {
	int v6;
	unsigned char b[16];
} addr;

static const unsigned char mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

static int parse_ip4(const char *s, size_t n, unsigned char *out)
{
	unsigned part = 0;
	int dots = 0, digits = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		char c = s[i];
		if (c >= '0' && c <= '9') {
			part = part * 10 + (unsigned)(c - '0');
			if (part > 255 || ++digits > 3)
				return -1;
		} else if (c == '.') {
			if (!digits || dots == 3)
				return -1;
			out[dots++] = (unsigned char)part;
			part = 0;
			digits = 0;
		} else {
			return -1;
		}
	}
	if (dots != 3 || !digits)
		return -1;
	out[3] = (unsigned char)part;
	return 0;
}

/* RFC 4291 text forms: eight groups, one "::", a trailing dotted IPv4. */
static int parse_ip6(const char *s, size_t n, unsigned char *out)
{
	unsigned char head[16], tail[16];
	size_t nh = 0, nt = 0, i = 0;
	int gap = 0;

	if (n >= 2 && s[0] == ':' && s[1] == ':') {
		gap = 1;
		i = 2;
	} else if (n && s[0] == ':') {
		return -1;
	}
	while (i < n) {
		unsigned char *dst = gap ? tail : head;
		size_t *nd = gap ? &nt : &nh, j = i;
		unsigned v = 0;

		while (j < n && j - i < 5 && rt_hex_digit(s[j]) >= 0)
			j++;
		if (j < n && s[j] == '.') {
			/* the last 32 bits as dotted IPv4 */
			if (nh + nt + 4 > 16 || parse_ip4(s + i, n - i, dst + *nd))
				return -1;
			*nd += 4;
			i = n;
			break;
		}
		if (j == i || j - i > 4 || nh + nt + 2 > 16)
			return -1;
		for (; i < j; i++)
			v = v << 4 | (unsigned)rt_hex_digit(s[i]);
		dst[(*nd)++] = (unsigned char)(v >> 8);
		dst[(*nd)++] = (unsigned char)v;
		if (i == n)
			break;
		if (s[i] != ':')
			return -1;
		i++;
		if (i < n && s[i] == ':') {
			if (gap)
				return -1;
			gap = 1;
			i++;
		} else if (i == n) {
			return -1; /* trailing single colon */
		}
	}
	if (gap ? nh + nt > 14 : nh != 16)
		return -1;
	memset(out, 0, 16);
	memcpy(out, head, nh);
	memcpy(out + 16 - nt, tail, nt);
	return 0;
}

static void trim(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

static int parse_addr(const char *s, size_t n, addr *a)
{
	memset(a, 0, sizeof *a);
	trim(&s, &n);
	if (n && memchr(s, ':', n)) {
		if (parse_ip6(s, n, a->b))
			return -1;
		a->v6 = 1;
		if (!memcmp(a->b, mapped_prefix, 12)) {
			memmove(a->b, a->b + 12, 4);
			memset(a->b + 4, 0, 12);
			a->v6 = 0;
		}
		return 0;
	}
	return parse_ip4(s, n, a->b);
}

/* The first `bits` bits of both addresses agree. */
static int prefix_eq(const unsigned char *x, const unsigned char *y, unsigned bits)
{
	unsigned full = bits / 8, rest = bits % 8;

	if (memcmp(x, y, full))
		return 0;
	if (!rest)
		return 1;
	return ((x[full] ^ y[full]) & (0xFF00u >> rest) & 0xFF) == 0;
}

static int is_any_token(const char *s, size_t n)
{
	return n == 0 || (n == 1 && *s == '*') || (n == 3 && rt_strncaseeq(s, "any", 3));
}

int rt_scope_is_any(const char *scope)
{
	const char *s = scope;
	size_t n = s ? strlen(s) : 0;

	trim(&s, &n);
	return is_any_token(s, n);
}

/* addr/len or addr/dotted-mask. 0, or -1 when unreadable. The mask of an
 * IPv4-mapped prefix counts from the IPv4 part. */
static int parse_prefix(const char *s, size_t n, addr *net, unsigned *bits)
{
	const char *sep = memchr(s, '/', n);
	size_t ml = n - (size_t)(sep - s) - 1, i;
	const char *m = sep + 1;
	unsigned v = 0, max;

	if (parse_addr(s, (size_t)(sep - s), net))
		return -1;
	trim(&m, &ml);
	if (!net->v6 && memchr(m, '.', ml)) {
		unsigned char mask[4];
		int zero = 0;
		if (parse_ip4(m, ml, mask))
			return -1;
		/* a dotted mask must be contiguous ones */
		for (i = 0; i < 32; i++) {
			int one = (mask[i / 8] >> (7 - i % 8)) & 1;
			if (one && zero)
				return -1;
			if (one)
				v++;
			else
				zero = 1;
		}
		*bits = v;
		return 0;
	}
	if (ml == 0 || ml > 3)
		return -1;
	for (i = 0; i < ml; i++) {
		if (m[i] < '0' || m[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(m[i] - '0');
	}
	max = net->v6 ? 128 : 32;
	/* "::ffff:10.0.0.0/104" was taken as IPv4: its length counts 96 more */
	if (!net->v6 && memchr(s, ':', (size_t)(sep - s))) {
		if (v < 96)
			return -1;
		v -= 96;
	}
	if (v > max)
		return -1;
	*bits = v;
	return 0;
}

/* Family of a readable subnet element: 0 IPv4, 1 IPv6, -1 unreadable. */
static int family_of(const char *s, size_t n)
{
	const char *cut = memchr(s, '/', n);
	addr a;

	if (!cut)
		cut = memchr(s, '-', n);
	if (cut)
		n = (size_t)(cut - s);
	return parse_addr(s, n, &a) ? -1 : a.v6;
}

/* One element against `ip`: 1 inside, 0 outside, -1 cannot tell. With
 * `local` NULL the keyword LocalSubnet cannot be told (the local subnets
 * are passed on with NULL, so they cannot name it again). */
static int element_contains(const char *s, size_t n, const addr *ip, const char *local)
{
	const char *sep;
	addr lo, hi;

	trim(&s, &n);
	if (is_any_token(s, n))
		return 1;
	if (n == 11 && rt_strncaseeq(s, "localsubnet", 11)) {
		const char *p, *end;
		int fam = 0;

		if (!local)
			return -1;
		/* only the subnets of the address's family say anything */
		for (p = local;; p = end + 1) {
			int e;
			end = strchr(p, ',');
			if (!end)
				end = p + strlen(p);
			/* an empty element would read as "any" */
			e = family_of(p, (size_t)(end - p)) < 0 ? -1
			    : element_contains(p, (size_t)(end - p), ip, NULL);
			if (e == 1)
				return 1;
			if (e == 0 && family_of(p, (size_t)(end - p)) == ip->v6)
				fam = 1;
			if (!*end)
				break;
		}
		return fam ? 0 : -1;
	}
	if ((sep = memchr(s, '/', n))) {
		unsigned bits;
		if (parse_prefix(s, n, &lo, &bits))
			return -1;
		if (lo.v6 != ip->v6)
			return 0;
		return prefix_eq(lo.b, ip->b, bits);
	}
	if ((sep = memchr(s, '-', n))) {
		if (parse_addr(s, (size_t)(sep - s), &lo) ||
		    parse_addr(sep + 1, n - (size_t)(sep - s) - 1, &hi) || lo.v6 != hi.v6)
			return -1;
		if (lo.v6 != ip->v6)
			return 0;
		return memcmp(ip->b, lo.b, 16) >= 0 && memcmp(ip->b, hi.b, 16) <= 0;
	}
	if (parse_addr(s, n, &lo))
		return -1;
	return lo.v6 == ip->v6 && !memcmp(lo.b, ip->b, 16);
}

/* The remote address as events write it: a zone ("fe80::1%12") or brackets
 * ("[::1]") are not part of it. */
static int parse_ip_arg(const char *ip, addr *a)
{
	size_t n = strlen(ip);
	const char *pct;

	if (n >= 2 && ip[0] == '[' && ip[n - 1] == ']') {
		ip++;
		n -= 2;
	}
	if ((pct = memchr(ip, '%', n)) && memchr(ip, ':', n))
		n = (size_t)(pct - ip);
	return parse_addr(ip, n, a);
}

int rt_scope_contains(const char *scope, const char *ip, const char *local_subnets)
{
	addr a;
	const char *p, *end;
	int unsure = 0;

	if (rt_scope_is_any(scope))
		return 1;
	if (!ip || parse_ip_arg(ip, &a))
		return -1;
	for (p = scope;; p = end + 1) {
		int r;
		end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		r = element_contains(p, (size_t)(end - p), &a, local_subnets);
		if (r == 1)
			return 1;
		if (r < 0)
			unsure = 1;
		if (!*end)
			break;
	}
	return unsure ? -1 : 0;
}

int rt_scope_is_literal(const char *scope)
{
	static const addr probe = { 0, { 0 } };
	const char *p, *end;

	if (!scope)
		return 0;
	for (p = scope;; p = end + 1) {
		const char *s = p;
		size_t n;
		end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		n = (size_t)(end - p);
		trim(&s, &n);
		if (!n || (!is_any_token(s, n) && element_contains(s, n, &probe, NULL) < 0))
			return 0;
		if (!*end)
			break;
	}
	return 1;
}

/* The first and last address of a readable element (address, prefix,
 * range): 0, or -1 (keywords, bad syntax, "any"). */
static int element_bounds(const char *s, size_t n, addr *lo, addr *hi)
{
	const char *sep;

	trim(&s, &n);
	if (is_any_token(s, n))
		return -1;
	if ((sep = memchr(s, '/', n))) {
		unsigned bits, i;

		if (parse_prefix(s, n, lo, &bits))
			return -1;
		*hi = *lo;
		for (i = bits; i < (lo->v6 ? 128u : 32u); i++) {
			lo->b[i / 8] &= (unsigned char)~(0x80u >> (i % 8));
			hi->b[i / 8] |= (unsigned char)(0x80u >> (i % 8));
		}
		return 0;
	}
	if ((sep = memchr(s, '-', n)))
		return parse_addr(s, (size_t)(sep - s), lo) ||
				       parse_addr(sep + 1, n - (size_t)(sep - s) - 1, hi) || lo->v6 != hi->v6
			       ? -1
			       : 0;
	if (parse_addr(s, n, lo))
		return -1;
	*hi = *lo;
	return 0;
}

/* One inner element against every element of `outer`. */
static int element_within(const char *s, size_t n, const char *outer)
{
	const char *p, *end;
	addr lo, hi;
	int unsure = 0;

	if (element_bounds(s, n, &lo, &hi))
		return -1;
	for (p = outer;; p = end + 1) {
		int a, b;

		end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		a = element_contains(p, (size_t)(end - p), &lo, NULL);
		b = element_contains(p, (size_t)(end - p), &hi, NULL);
		if (a == 1 && b == 1)
			return 1;
		if (a < 0 || b < 0)
			unsure = 1;
		if (!*end)
			break;
	}
	return unsure ? -1 : 0;
}

int rt_scope_within(const char *inner, const char *outer, const char *local_subnets)
{
	const char *p, *end;
	int r = 1;

	if (!inner || !outer)
		return -1;
	if (rt_scope_is_any(outer))
		return 1;
	if (rt_scope_is_any(inner))
		return 0;
	for (p = inner;; p = end + 1) {
		const char *s = p;
		size_t n;
		int e;

		end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		n = (size_t)(end - p);
		trim(&s, &n);
		if (n == 11 && rt_strncaseeq(s, "localsubnet", 11))
			e = local_subnets && *local_subnets && rt_scope_is_literal(local_subnets)
				    ? rt_scope_within(local_subnets, outer, NULL)
				    : -1;
		else
			e = is_any_token(s, n) ? 0 : element_within(s, n, outer);
		if (e == 0)
			return 0;
		if (e < 0)
			r = -1;
		if (!*end)
			break;
	}
	return r;
}
