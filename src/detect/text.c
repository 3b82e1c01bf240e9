/* Text helpers of the detect module; see detect_int.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect_int.h"
#include "remtrail/util.h"

static int is_zero_hex(const char *s)
{
	if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return 0;
	for (s += 2; *s; s++)
		if (*s != '0')
			return 0;
	return 1;
}

int rt_dt_usable(const char *v)
{
	return v && *v && strcmp(v, "-") != 0 && !is_zero_hex(v);
}

int rt_dt_is_loopback(const char *ip)
{
	return !rt_dt_usable(ip) || !strncmp(ip, "127.", 4) || !strcmp(ip, "::1") ||
	       !strcmp(ip, "0:0:0:0:0:0:0:1") || rt_strcaseeq(ip, "::ffff:127.0.0.1") ||
	       !strcmp(ip, "0.0.0.0") || !strcmp(ip, "::") || rt_strcaseeq(ip, "localhost");
}

int rt_dt_is_ip(const char *s)
{
	size_t i;
	int dots = 0;

	if (strchr(s, ':'))
		return 1;
	for (i = 0; s[i]; i++) {
		if (s[i] == '.')
			dots++;
		else if (s[i] < '0' || s[i] > '9')
			return 0;
	}
	return dots == 3;
}

int rt_dt_same_name(const char *a, const char *b)
{
	size_t la, lb;

	if (!rt_dt_usable(a) || !rt_dt_usable(b))
		return 0;
	if (rt_dt_is_ip(a) || rt_dt_is_ip(b))
		return rt_strcaseeq(a, b);
	la = strcspn(a, ".");
	lb = strcspn(b, ".");
	return la == lb && rt_strncaseeq(a, b, la);
}

/* "DOMAIN\user" / "user@domain" -> "user", for comparing accounts. */
static const char *bare_user(const char *u, size_t *len)
{
	const char *bs = strrchr(u, '\\');

	if (bs)
		u = bs + 1;
	*len = strcspn(u, "@");
	return u;
}

int rt_dt_users_compatible(const char *a, const char *b)
{
	size_t la, lb;

	if (!rt_dt_usable(a) || !rt_dt_usable(b) || !strncmp(a, "S-1-", 4) || !strncmp(b, "S-1-", 4))
		return 1;
	a = bare_user(a, &la);
	b = bare_user(b, &lb);
	return la == lb && rt_strncaseeq(a, b, la);
}

/* "0x" and 1 to 16 hex digits, the form logon ids take: what rt_parse_u64
 * reads in it, without strtoull; -1 for anything else. */
static int hex_u64(const char *v, uint64_t *out)
{
	uint64_t n = 0;
	size_t i;

	if (v[0] != '0' || (v[1] != 'x' && v[1] != 'X') || !v[2])
		return -1;
	for (i = 2; v[i] && i < 18; i++) {
		int c = (unsigned char)v[i];

		if (c >= '0' && c <= '9')
			n = n << 4 | (uint64_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			n = n << 4 | (uint64_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			n = n << 4 | (uint64_t)(c - 'A' + 10);
		else
			return -1;
	}
	if (v[i])
		return -1;
	*out = n;
	return 0;
}

const char *rt_dt_norm_logon_buf(const char *v, rt_buf *b)
{
	char t[24];
	uint64_t n;
	char *p;
	size_t i;

	if (!rt_dt_usable(v))
		return NULL;
	rt_buf_reset(b);
	if (hex_u64(v, &n) == 0 || rt_parse_u64(v, &n) == 0) {
		/* "0x%llx" without snprintf: this runs for every process record */
		p = t + sizeof t;
		do {
			*--p = "0123456789abcdef"[n & 15];
			n >>= 4;
		} while (n);
		*--p = 'x';
		*--p = '0';
		return rt_buf_add(b, p, (size_t)(t + sizeof t - p)) ? NULL : b->buf;
	}
	if (rt_buf_adds(b, v))
		return NULL;
	for (i = 0; i < b->len; i++)
		if (b->buf[i] >= 'A' && b->buf[i] <= 'Z')
			b->buf[i] = (char)(b->buf[i] + 32);
	return b->buf;
}

char *rt_dt_norm_logon(const char *v)
{
	rt_buf b = RT_BUF_INIT;
	const char *n = rt_dt_norm_logon_buf(v, &b);
	char *r = n ? rt_strdup0(n) : NULL;

	rt_buf_release(&b);
	return r;
}

int rt_dt_service_logon(const char *id)
{
	return id && (!strcmp(id, "0x3e7") || !strcmp(id, "0x3e4") || !strcmp(id, "0x3e5"));
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* Glob over v[0..] with pattern p[0..n): '*', '?', '#' (digit). */
static int glob(const char *v, const char *p, size_t n)
{
	const char *star = NULL, *vs = NULL;
	size_t i = 0, si = 0;

	while (*v) {
		if (i < n && p[i] == '*') {
			star = p;
			si = ++i;
			vs = v;
		} else if (i < n && (p[i] == '?' || (p[i] == '#' && *v >= '0' && *v <= '9') ||
				     (p[i] != '#' && lower((unsigned char)p[i]) == lower((unsigned char)*v)))) {
			i++;
			v++;
		} else if (star) {
			i = si;
			v = ++vs;
		} else {
			return 0;
		}
	}
	while (i < n && p[i] == '*')
		i++;
	(void)star;
	return i == n;
}

int rt_dt_in_list(const char *v, const char *list, int mode)
{
	const char *p = list;
	size_t lv;

	if (!v || !list)
		return 0;
	lv = strlen(v);
	while (p) {
		const char *bar = strchr(p, '|');
		size_t n = bar ? (size_t)(bar - p) : strlen(p);

		switch (mode) {
		case RT_DT_EQ:
			if (lv == n && rt_strncaseeq(v, p, n))
				return 1;
			break;
		case RT_DT_ENDS:
			/* the first byte first: "\\x.exe" items differ there */
			if (lv >= n && (!n || lower((unsigned char)v[lv - n]) == lower((unsigned char)*p)) &&
			    rt_strncaseeq(v + lv - n, p, n))
				return 1;
			break;
		case RT_DT_STARTS:
			if (lv >= n && rt_strncaseeq(v, p, n))
				return 1;
			break;
		case RT_DT_CONTAINS:
			if (n && rt_strcasestr_n(v, lv, p, n))
				return 1;
			break;
		case RT_DT_GLOB:
			if (glob(v, p, n))
				return 1;
			break;
		}
		p = bar ? bar + 1 : NULL;
	}
	return 0;
}
