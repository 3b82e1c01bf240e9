/*
 * Case-level pieces: the folder a host's results go to, and the movement
 * graph of the case. See pipeline.h.
 */
#include "config.h"

#include <stdlib.h>

#include "remtrail/pipeline.h"

/* ------------------------------------------------------------ host folders */

#define DIR_MAX 64

static int keep_byte(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.';
}

/* CON, PRN, AUX, NUL, COM1-9, LPT1-9 before the first dot, any case. */
static int device_name(const char *s)
{
	static const char *const dev[] = { "CON", "PRN", "AUX", "NUL" };
	size_t n = strcspn(s, "."), i;

	for (i = 0; i < sizeof dev / sizeof *dev; i++)
		if (n == 3 && rt_strncaseeq(s, dev[i], 3))
			return 1;
	return n == 4 && (rt_strncaseeq(s, "COM", 3) || rt_strncaseeq(s, "LPT", 3)) && s[3] >= '1' &&
	       s[3] <= '9';
}

int rt_host_dirname(rt_buf *out, const char *name)
{
	const unsigned char *u = (const unsigned char *)name;
	size_t n = strlen(name), i, start = out->len, dev = device_name(name) ? strcspn(name, ".") - 1 : n;
	int cut = 0;

	if (!n)
		return rt_buf_adds(out, "%");
	for (i = 0; i < n; i++) {
		size_t mark = out->len;
		int esc = !keep_byte(u[i]) || i == dev || (u[i] == '.' && (i == 0 || i == n - 1));

		if (esc ? rt_buf_addf(out, "%%%02X", u[i]) : rt_buf_addch(out, (char)u[i]))
			return -1;
		if (out->len - start > DIR_MAX) {
			rt_buf_truncate(out, mark);
			cut = 1;
			break;
		}
	}
	if (cut) {
		rt_sha256 c;
		uint8_t d[32];
		char hex[65];

		rt_sha256_init(&c);
		rt_sha256_update(&c, name, n);
		rt_sha256_final(&c, d);
		rt_hex(d, 4, hex);
		if (rt_buf_addf(out, "~%s", hex))
			return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- movement */

rt_role rt_finding_role(const rt_finding *f, const char **proto, size_t *plen)
{
	const char *k = rt_finding_kind_name(f->kind), *dot;

	*proto = "";
	*plen = 0;
	if (!k || f->direction == RT_DIR_NONE || !(dot = strchr(k, '.')))
		return RT_ROLE_NONE;
	*proto = k;
	*plen = (size_t)(dot - k);
	if (!strcmp(dot + 1, "failed") || !strcmp(dot + 1, "denied"))
		return RT_ROLE_REFUSED;
	if (!strncmp(k, "logon", *plen))
		return RT_ROLE_SUPPORT;
	return RT_ROLE_USE;
}

static const char *known_host(const char *name, const char *const *hosts, size_t n)
{
	size_t i, len;

	if (!name || !*name)
		return NULL;
	len = strcspn(name, ".");
	for (i = 0; i < n; i++)
		if (strlen(hosts[i]) == len && rt_strncaseeq(name, hosts[i], len))
			return hosts[i];
	return NULL;
}

/* The other end of a finding not paired: a case host by name, else its
 * address, else its name, else "unrecorded". */
static const char *remote_end(const rt_finding *f, const char *const *hosts, size_t n, int *known)
{
	const char *h = known_host(f->remote_host, hosts, n);

	*known = h != NULL;
	if (h)
		return h;
	if (f->remote_ip && *f->remote_ip)
		return f->remote_ip;
	if (f->remote_host && *f->remote_host)
		return f->remote_host;
	return "unrecorded";
}

static int move_cmp(const void *a, const void *b)
{
	const rt_move *x = a, *y = b;
	int c;

	if ((c = strcmp(x->src, y->src)) || (c = strcmp(x->dst, y->dst)))
		return c;
	return strcmp(x->protocol, y->protocol);
}

int rt_moves_build(const rt_findings *f, const char *const *hosts, size_t nhosts, rt_move **out,
		   size_t *nout)
{
	rt_move *m = NULL;
	size_t n = 0, alloc = 0, i, k;

	*out = NULL;
	*nout = 0;
	for (i = 0; i < f->n; i++) {
		const rt_finding *x = &f->items[i], *y = NULL;
		const char *proto, *src, *dst;
		size_t plen;
		int sk, dk, paired;
		rt_role r = rt_finding_role(x, &proto, &plen);

		if (x->paired < f->n)
			y = &f->items[x->paired];
		paired = y != NULL;
		/* a pair is drawn once, from its outbound side; a network logon
		 * only counts as the far end of a pair */
		if (paired && x->direction == RT_DIR_INBOUND && y->direction == RT_DIR_OUTBOUND)
			continue;
		if (r == RT_ROLE_NONE || (!paired && r == RT_ROLE_SUPPORT))
			continue;
		if (x->direction == RT_DIR_OUTBOUND) {
			src = x->host ? x->host : "unrecorded";
			sk = 1;
			dst = y && y->host ? y->host : remote_end(x, hosts, nhosts, &dk);
			dk = y ? 1 : dk;
		} else {
			dst = x->host ? x->host : "unrecorded";
			dk = 1;
			src = y && y->host ? y->host : remote_end(x, hosts, nhosts, &sk);
			sk = y ? 1 : sk;
		}
		for (k = 0; k < n; k++)
			if (!strcmp(m[k].src, src) && !strcmp(m[k].dst, dst) &&
			    strlen(m[k].protocol) == plen && !strncmp(m[k].protocol, proto, plen))
				break;
		if (k == n) {
			if (n == alloc) {
				size_t na = alloc ? alloc * 2 : 16;
				rt_move *p = realloc(m, na * sizeof *p);

				if (!p)
					goto oom;
				m = p;
				alloc = na;
			}
			memset(&m[n], 0, sizeof m[n]);
			m[n].src = rt_strdup0(src);
			m[n].dst = rt_strdup0(dst);
			m[n].protocol = strndup(proto, plen);
			m[n].src_known = sk;
			m[n].dst_known = dk;
			n++;
			if (!m[k].src || !m[k].dst || !m[k].protocol)
				goto oom;
		}
		if (!m[k].first || x->timestamp < m[k].first)
			m[k].first = x->timestamp;
		if (x->timestamp > m[k].last)
			m[k].last = x->timestamp;
		if (r == RT_ROLE_REFUSED)
			m[k].refused++;
		else
			m[k].count++;
		m[k].paired += paired && r != RT_ROLE_REFUSED;
	}
	if (n)
		qsort(m, n, sizeof *m, move_cmp);
	*out = m;
	*nout = n;
	return 0;
oom:
	rt_moves_free(m, n);
	return -1;
}

void rt_moves_free(rt_move *m, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(m[i].src);
		free(m[i].dst);
		free(m[i].protocol);
	}
	free(m);
}
