/* Owned evidence items: every claim the assessor makes carries copies of the
 * sources it rests on, so results outlive the inputs they were built from. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "assess_int.h"

static int dup_or_null(char **dst, const char *s)
{
	*dst = NULL;
	if (!s)
		return 0;
	*dst = rt_strdup0(s);
	return *dst ? 0 : -1;
}

int ev_add(rt_evidence_list *l, const char *text, const rt_source *src, const char *kind,
	   const char *remote_ip)
{
	rt_evidence_item *it;

	if (l->n == l->alloc) {
		size_t na = l->alloc ? l->alloc * 2 : 4;
		rt_evidence_item *p = realloc(l->items, na * sizeof *p);
		if (!p)
			return -1;
		l->items = p;
		l->alloc = na;
	}
	it = &l->items[l->n];
	memset(it, 0, sizeof *it);
	if (dup_or_null(&it->text, text ? text : "") ||
	    (src && (dup_or_null(&it->file, src->file) || dup_or_null(&it->key, src->key) ||
		     dup_or_null(&it->value_name, src->value_name))) ||
	    dup_or_null(&it->kind, kind) || dup_or_null(&it->remote_ip, remote_ip)) {
		ev_item_release(it);
		return -1;
	}
	if (src) {
		it->record_id = src->record_id;
		it->event_id = src->event_id;
		it->time = src->time;
	}
	l->n++;
	return 0;
}

int ev_addf(rt_evidence_list *l, const rt_source *src, const char *kind, const char *remote_ip,
	    const char *fmt, ...)
{
	char small[512], *text = small;
	va_list ap;
	int n, r;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if ((size_t)n >= sizeof small) {
		if (!(text = malloc((size_t)n + 1)))
			return -1;
		va_start(ap, fmt);
		vsnprintf(text, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	r = ev_add(l, text, src, kind, remote_ip);
	if (text != small)
		free(text);
	return r;
}

void ev_item_release(rt_evidence_item *it)
{
	free(it->text);
	free(it->file);
	free(it->key);
	free(it->value_name);
	free(it->kind);
	free(it->remote_ip);
	memset(it, 0, sizeof *it);
}

void ev_release(rt_evidence_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		ev_item_release(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof *l);
}

static int streq0(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

int ev_equal(const rt_evidence_list *a, const rt_evidence_list *b)
{
	size_t i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++) {
		const rt_evidence_item *x = &a->items[i], *y = &b->items[i];
		if (!streq0(x->text, y->text) || !streq0(x->file, y->file) ||
		    !streq0(x->key, y->key) || x->record_id != y->record_id || x->time != y->time)
			return 0;
	}
	return 1;
}
