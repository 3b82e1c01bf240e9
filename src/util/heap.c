/*
 * The heap's settings and huge-page hint (util.h, rt_heap_setup).
 * glibc-specific; elsewhere, and under a sanitizer's allocator, nothing.
 *
 * Why: each page's first touch is a fault, about 10 us on a virtual machine
 * with shadow page tables (a transparent huge page: one fault per 2 MiB,
 * 0.2 us a page). Detection and the reports allocate tens of megabytes as
 * they go (a 256 MiB Security log: 11,000 candidates, their strings, the
 * report buffers): 4,000 faults in `analyze` of that log, 8 % of the run.
 *
 * Huge pages only fill whole 2 MiB regions not touched before the hint,
 * and a heap rarely starts on one: its first region stays in 4 KiB pages.
 * What a heap holds first is the hottest memory of a run (the reader's
 * slots and decoding state, the first buffers), so a spacer takes the rest
 * of that region and the heap goes on at the next one. The spacer is never
 * written past its header: it holds address space (under 2 MiB), not
 * memory. `analyze` of the log: -10 % with the hint, -10 % again with the
 * spacer. The same for the threads' own heaps (found by their glibc
 * heap_info) spared the worker 90 faults and no measurable time, so they
 * are left as they are. docs/native-evtx.md, sixth and seventh passes.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "remtrail/util.h"

#if defined(HAVE_MALLOPT) && defined(HAVE_MADVISE) && defined(HAVE_SBRK)
#include <malloc.h>
#include <sys/mman.h>

#define HUGE ((uintptr_t)2 << 20)

/* Volatile: an allocation whose pointer is never read is one the compiler
 * may drop. */
static void *volatile spacer;

/*
 * Set up before anything is allocated: the brk heap's first 16 MiB are
 * asked for huge pages (a no-op where THP is off), allocations below 32
 * MiB come from the heap rather than from mappings of their own (which
 * realloc moves with mremap, and every moved page faults again), and freed
 * memory is kept rather than given back and faulted in again (a trim
 * threshold of 8 MiB with huge pages made `analyze` of 100 hosts three
 * times slower).
 */
void rt_heap_setup(void)
{
	long page = sysconf(_SC_PAGESIZE);
	uintptr_t at, from;
	char *end;
	void *p;

	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	mallopt(M_TOP_PAD, 16 << 20);
	/* the heap is made, grown by the pad, and only its first page touched */
	p = malloc(64);
	end = sbrk(0);
	/* (a sanitizer's allocator is not in the brk heap: left alone) */
	if (!p || end == (char *)-1 || (uintptr_t)p >= (uintptr_t)end || page <= 0) {
		free(p);
		return;
	}
	at = (uintptr_t)p;
	from = at & ~((uintptr_t)page - 1);
	if (madvise((void *)from, (uintptr_t)end - from, MADV_HUGEPAGE) == 0) {
		uintptr_t next = (at + HUGE - 1) & ~(HUGE - 1);

		if (next - at > 256)
			spacer = malloc(next - at - 128);
	}
	free(p);
}
#else
void rt_heap_setup(void)
{
}
#endif
