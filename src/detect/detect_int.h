/* Internal helpers shared by the detect module's files. */
#ifndef REMTRAIL_DETECT_INT_H
#define REMTRAIL_DETECT_INT_H

#include <stddef.h>

#include "remtrail/finding.h"

typedef int (*rt_idx_cmp)(const void *ctx, size_t a, size_t b);
/* Stable sort of the index array `a` by cmp(ctx, a[i], a[j]). */
void rt_detect_sort_idx(size_t *a, size_t n, rt_idx_cmp cmp, const void *ctx);

/* The timeline order of rt_findings_sort: time, host, source file, record
 * id, kind, rule (0 only for findings of the same record and rule). */
int rt_detect_finding_cmp(const rt_finding *a, const rt_finding *b);
/* rt_findings_sort that also gives, in `moved` (l->n entries, or NULL),
 * each finding's new position by its old one. */
int rt_detect_sort_findings(rt_findings *l, size_t *moved);

/* Free the strings of one finding (not the finding itself). */
void rt_detect_finding_release(rt_finding *f);

#endif
