/* assess_int.h - pieces shared by the assess module's files (not public). */
#ifndef REMTRAIL_ASSESS_INT_H
#define REMTRAIL_ASSESS_INT_H

#include <string.h>

#include "remtrail/assess.h"
#include "remtrail/util.h"

/* Append an item; strings are copied. 0, or -1 on out of memory. */
int ev_add(rt_evidence_list *l, const char *text, const rt_source *src, const char *kind,
	   const char *remote_ip);
int ev_addf(rt_evidence_list *l, const rt_source *src, const char *kind, const char *remote_ip,
	    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void ev_item_release(rt_evidence_item *it);
void ev_release(rt_evidence_list *l);
/* Same texts and sources in the same order. */
int ev_equal(const rt_evidence_list *a, const rt_evidence_list *b);

/* Tests only: 1 cuts the period at every fact's time, inert ones too (the
 * slow reference the skipping of inert change points is checked against).
 * Set before any assessment runs; never by the program. */
extern int rt_assess_every_point;
/* Intervals a countermeasure's history itemises (seg_append in assess.c);
 * tests lower it. */
extern size_t rt_assess_itemise_max;

#endif
