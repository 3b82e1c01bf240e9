/* Independent jobs over a few threads; see util.h (rt_par_each). */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>

#include "remtrail/util.h"

typedef struct par {
	size_t n, next;
	rt_par_fn fn;
	void *ctx;
	int failed;
	pthread_mutex_t lock;
} par;

static void *par_worker(void *arg)
{
	par *p = arg;

	for (;;) {
		size_t i;
		int r;

		pthread_mutex_lock(&p->lock);
		if (p->next == p->n) {
			pthread_mutex_unlock(&p->lock);
			return NULL;
		}
		i = p->next++;
		pthread_mutex_unlock(&p->lock);
		r = p->fn(p->ctx, i);
		if (r) {
			pthread_mutex_lock(&p->lock);
			p->failed = 1;
			pthread_mutex_unlock(&p->lock);
		}
	}
}

int rt_par_each(size_t n, unsigned threads, rt_par_fn fn, void *ctx)
{
	pthread_t th[RT_PAR_MAX];
	unsigned w, started = 0;
	par p;

	p.n = n;
	p.next = 0;
	p.fn = fn;
	p.ctx = ctx;
	p.failed = 0;
	w = threads < 1 ? 1 : threads > RT_PAR_MAX ? RT_PAR_MAX : threads;
	if (w > n)
		w = n ? (unsigned)n : 1;
	pthread_mutex_init(&p.lock, NULL);
	/* this thread works too; fewer threads when they cannot be made */
	while (started + 1 < w && !pthread_create(&th[started], NULL, par_worker, &p))
		started++;
	par_worker(&p);
	while (started)
		pthread_join(th[--started], NULL);
	pthread_mutex_destroy(&p.lock);
	return p.failed ? -1 : 0;
}
