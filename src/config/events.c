/*
 * Configuration changes dated by events (config.h, rt_config_add_event):
 * the detect module reads them from records (firewall events, 7040, netsh,
 * registry writes, ...); they join the hive points of the same setting so
 * that `config` shows one history per setting.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cfg_internal.h"

/* The host named `name` (hosts stay sorted by name), made when missing. */
static rt_cfg_host *host_of(rt_config *c, const char *name)
{
	size_t i;
	rt_cfg_host *h;

	for (i = 0; i < c->nhosts; i++) {
		int r = strcmp(c->hosts[i].name, name);

		if (!r)
			return &c->hosts[i];
		if (r > 0)
			break;
	}
	h = realloc(c->hosts, (c->nhosts + 1) * sizeof *h);
	if (!h)
		return NULL;
	c->hosts = h;
	memmove(&h[i + 1], &h[i], (c->nhosts - i) * sizeof *h);
	memset(&h[i], 0, sizeof *h);
	c->nhosts++;
	if (!(h[i].name = strdup(name))) {
		memmove(&h[i], &h[i + 1], (c->nhosts - i - 1) * sizeof *h);
		c->nhosts--;
		return NULL;
	}
	return &h[i];
}

/* The setting `name` of h (settings stay sorted by name), made when missing. */
static rt_cfg_setting *setting_of(rt_cfg_host *h, const char *name)
{
	size_t lo = cfg_setting_lower(h, name);
	rt_cfg_setting *s;

	if (lo < h->nsettings && !strcmp(h->settings[lo].name, name))
		return &h->settings[lo];
	s = realloc(h->settings, (h->nsettings + 1) * sizeof *s);
	if (!s)
		return NULL;
	h->settings = s;
	memmove(&s[lo + 1], &s[lo], (h->nsettings - lo) * sizeof *s);
	memset(&s[lo], 0, sizeof *s);
	h->nsettings++;
	if (!(s[lo].name = strdup(name))) {
		memmove(&s[lo], &s[lo + 1], (h->nsettings - lo - 1) * sizeof *s);
		h->nsettings--;
		return NULL;
	}
	return &s[lo];
}

static int all_digits(const char *v)
{
	if (!*v || strlen(v) > 15)
		return 0;
	for (; *v; v++)
		if (*v < '0' || *v > '9')
			return 0;
	return 1;
}

/* The value as config writes it (config.h). */
static int value_json(const char *name, const char *v, rt_buf *b)
{
	int policy = !strncmp(name, "firewall.policy.rule.", 21);

	if (!v)
		return rt_buf_adds(b, "null");
	if ((policy || !strncmp(name, "firewall.rule.", 14)) && !strncmp(v, "v2.", 3) &&
	    cfg_rule_json(b, v, policy ? "policy" : "local") == 0)
		return 0;
	rt_buf_reset(b);
	if (!strcmp(v, "true") || !strcmp(v, "false") || all_digits(v))
		return rt_buf_adds(b, v);
	return rt_json_cstr(b, v);
}

int rt_config_add_event(rt_config *c, const rt_cfg_event *e)
{
	rt_cfg_host *h = host_of(c, e->host);
	rt_cfg_setting *s = h ? setting_of(h, e->name) : NULL;
	rt_cfg_point *p;
	rt_buf v = RT_BUF_INIT;
	size_t at;

	if (!s)
		return -1;
	p = realloc(s->points, (s->npoints + 1) * sizeof *p);
	if (!p)
		return -1;
	s->points = p;
	for (at = s->npoints; at > 0 && s->points[at - 1].time > e->time; at--)
		;
	memmove(&p[at + 1], &p[at], (s->npoints - at) * sizeof *p);
	memset(&p[at], 0, sizeof *p);
	s->npoints++;
	p = &p[at];
	p->time = e->time;
	p->certainty = RT_CFG_EVENT;
	p->snapshot = RT_CFG_NO_SNAPSHOT;
	p->source.record_id = e->record_id;
	p->source.event_id = e->event_id;
	if (value_json(e->name, e->value, &v) || !(p->value = rt_buf_detach(&v, NULL)))
		goto oom;
	p->raw = rt_strdup0(e->value);
	p->source.file = rt_strdup0(e->file);
	if ((e->value && !p->raw) || (e->file && !p->source.file))
		return -1;
	return 0;
oom:
	rt_buf_release(&v);
	return -1;
}
