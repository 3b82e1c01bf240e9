/* Address scopes of firewall rules and WinRM IP filters, IPv4 only: IPv6
 * scopes answer "cannot tell" rather than a guess. */
#include "config.h"

#include <string.h>

#include "remtrail/assess.h"
#include "remtrail/util.h"

static int parse_ip4(const char *s, size_t n, uint32_t *out)
{
	uint32_t v = 0, part = 0;
	int dots = 0, digits = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		char c = s[i];
		if (c >= '0' && c <= '9') {
			part = part * 10 + (uint32_t)(c - '0');
			if (part > 255 || ++digits > 3)
				return -1;
		} else if (c == '.') {
			if (!digits || ++dots > 3)
				return -1;
			v = v << 8 | part;
			part = 0;
			digits = 0;
		} else {
			return -1;
		}
	}
	if (dots != 3 || !digits)
		return -1;
	*out = v << 8 | part;
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

int rt_scope_is_any(const char *scope)
{
	const char *s = scope;
	size_t n = s ? strlen(s) : 0;

	trim(&s, &n);
	return n == 0 || (n == 1 && *s == '*') || (n == 3 && rt_strncaseeq(s, "any", 3));
}

/* One scope element: 1 inside, 0 outside, -1 cannot tell. */
static int element_contains(const char *s, size_t n, uint32_t ip, const char *local_ip)
{
	const char *sep;
	uint32_t lo, hi, mask;

	trim(&s, &n);
	if (n == 0 || (n == 1 && *s == '*') || (n == 3 && rt_strncaseeq(s, "any", 3)))
		return 1;
	if (n == 11 && rt_strncaseeq(s, "localsubnet", 11)) {
		uint32_t local;
		if (!local_ip || parse_ip4(local_ip, strlen(local_ip), &local))
			return -1;
		return (local & 0xFFFFFF00u) == (ip & 0xFFFFFF00u);
	}
	if ((sep = memchr(s, '/', n))) {
		size_t ml = n - (size_t)(sep - s) - 1;
		uint64_t bits;
		char tmp[4] = { 0 };

		if (parse_ip4(s, (size_t)(sep - s), &lo))
			return -1;
		if (memchr(sep + 1, '.', ml)) {
			if (parse_ip4(sep + 1, ml, &mask))
				return -1;
		} else {
			if (ml == 0 || ml > 2)
				return -1;
			memcpy(tmp, sep + 1, ml);
			if (rt_parse_u64(tmp, &bits) || bits > 32)
				return -1;
			mask = bits ? 0xFFFFFFFFu << (32 - bits) : 0;
		}
		return (ip & mask) == (lo & mask);
	}
	if ((sep = memchr(s, '-', n))) {
		if (parse_ip4(s, (size_t)(sep - s), &lo) ||
		    parse_ip4(sep + 1, n - (size_t)(sep - s) - 1, &hi))
			return -1;
		return ip >= lo && ip <= hi;
	}
	if (parse_ip4(s, n, &lo))
		return -1;
	return ip == lo;
}

int rt_scope_contains(const char *scope, const char *ip, const char *local_ip)
{
	uint32_t addr;
	const char *p, *end;
	int unsure = 0;

	if (rt_scope_is_any(scope))
		return 1;
	if (!ip || parse_ip4(ip, strlen(ip), &addr))
		return -1;
	for (p = scope;; p = end + 1) {
		int r;
		end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		r = element_contains(p, (size_t)(end - p), addr, local_ip);
		if (r == 1)
			return 1;
		if (r < 0)
			unsure = 1;
		if (!*end)
			break;
	}
	return unsure ? -1 : 0;
}
