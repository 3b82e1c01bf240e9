/* Internal helpers shared by the detect module's files. */
#ifndef REMTRAIL_DETECT_INT_H
#define REMTRAIL_DETECT_INT_H

#include <stddef.h>

#include "remtrail/finding.h"

typedef int (*rt_idx_cmp)(const void *ctx, size_t a, size_t b);
/* Stable sort of the index array `a` by cmp(ctx, a[i], a[j]). */
void rt_detect_sort_idx(size_t *a, size_t n, rt_idx_cmp cmp, const void *ctx);

/* Free the strings of one finding (not the finding itself). */
void rt_detect_finding_release(rt_finding *f);

#endif
