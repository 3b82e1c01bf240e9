/* Helpers on normalized events; see event.h. */
#include "config.h"

#include <stdlib.h>

#include "remtrail/event.h"
#include "remtrail/util.h"

/*
 * Detection looks fields up by name a dozen times an event: with the
 * lengths the decoder knows, a field of another length is passed over
 * without a string comparison (a length of 0 is unknown: compared).
 */
const char *rt_event_get(const rt_event *ev, const char *name)
{
	size_t i, n = ev->field_lens ? strlen(name) : 0;

	for (i = 0; i < ev->nfields; i++) {
		uint32_t l = ev->field_lens ? ev->field_lens[2 * i] : 0;

		/* the first byte before memcmp: same-length names mostly differ there */
		if (l ? l == n && ev->fields[i].name[0] == name[0] &&
				memcmp(ev->fields[i].name, name, n) == 0
		      : strcmp(ev->fields[i].name, name) == 0)
			return ev->fields[i].value;
	}
	return NULL;
}

const char *rt_event_gets(const rt_event *ev, const char *name)
{
	const char *v = rt_event_get(ev, name);

	return v ? v : "";
}

static size_t slen(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

static char *put(char **p, const char *s)
{
	char *d = *p;
	size_t n;

	if (!s)
		return NULL;
	n = strlen(s) + 1;
	memcpy(d, s, n);
	*p += n;
	return d;
}

rt_event *rt_event_copy(const rt_event *ev)
{
	size_t i, need = sizeof(rt_event) + ev->nfields * sizeof(rt_field);
	rt_event *c;
	rt_field *f;
	char *p;

	need += slen(ev->host) + slen(ev->computer) + slen(ev->channel) + slen(ev->provider) +
		slen(ev->user_sid) + slen(ev->source_file);
	for (i = 0; i < ev->nfields; i++)
		need += slen(ev->fields[i].name) + slen(ev->fields[i].value);
	c = malloc(need);
	if (!c)
		return NULL;
	*c = *ev;
	f = (rt_field *)(c + 1);
	p = (char *)(f + ev->nfields);
	c->host = put(&p, ev->host);
	c->computer = put(&p, ev->computer);
	c->channel = put(&p, ev->channel);
	c->provider = put(&p, ev->provider);
	c->user_sid = put(&p, ev->user_sid);
	c->source_file = put(&p, ev->source_file);
	for (i = 0; i < ev->nfields; i++) {
		f[i].name = put(&p, ev->fields[i].name);
		f[i].value = put(&p, ev->fields[i].value);
	}
	c->fields = f;
	c->field_lens = NULL;
	return c;
}
