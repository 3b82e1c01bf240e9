/* Independent jobs over a few threads; see util.h (rt_par_each). */
#include "config.h"

#include <pthread.h>
#include <sched.h>
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

#if defined(HAVE_PTHREAD_ATTR_SETAFFINITY_NP) && defined(HAVE_PTHREAD_SETAFFINITY_NP) && \
	defined(HAVE_SCHED_GETCPU)
typedef struct start {
	void *(*fn)(void *);
	void *arg;
	cpu_set_t cpus; /* where it may run once started */
} start;

static void *started(void *arg)
{
	start st = *(start *)arg;

	free(arg);
	pthread_setaffinity_np(pthread_self(), sizeof st.cpus, &st.cpus);
	return st.fn(st.arg);
}

int rt_thread_start(pthread_t *th, void *(*fn)(void *), void *arg, unsigned k)
{
	int here = sched_getcpu(), c, first = -1, other = 0, ret;
	pthread_attr_t attr;
	cpu_set_t one;
	start *st;

	if (here < 0 || !(st = malloc(sizeof(*st))))
		return pthread_create(th, NULL, fn, arg);
	if (pthread_getaffinity_np(pthread_self(), sizeof st->cpus, &st->cpus)) {
		free(st);
		return pthread_create(th, NULL, fn, arg);
	}
	/* the k-th allowed core other than this one, round the others */
	for (c = 0; c < CPU_SETSIZE; c++)
		if (c != here && CPU_ISSET(c, &st->cpus))
			other++;
	k = other ? k % (unsigned)other : 0;
	for (c = 0; other && c < CPU_SETSIZE && first < 0; c++)
		if (c != here && CPU_ISSET(c, &st->cpus) && k-- == 0)
			first = c;
	if (first < 0 || pthread_attr_init(&attr)) {
		free(st);
		return pthread_create(th, NULL, fn, arg);
	}
	CPU_ZERO(&one);
	CPU_SET(first, &one);
	st->fn = fn;
	st->arg = arg;
	/* (a core the caller could use a moment ago may be gone: then the
	 * thread starts wherever Linux puts it) */
	ret = pthread_attr_setaffinity_np(&attr, sizeof one, &one) ? -1
								  : pthread_create(th, &attr, started, st);
	pthread_attr_destroy(&attr);
	if (ret)
		ret = pthread_create(th, NULL, started, st);
	if (ret)
		free(st);
	return ret;
}
#else
int rt_thread_start(pthread_t *th, void *(*fn)(void *), void *arg, unsigned k)
{
	(void)k;
	return pthread_create(th, NULL, fn, arg);
}
#endif

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
	while (started + 1 < w && !rt_thread_start(&th[started], par_worker, &p, started))
		started++;
	par_worker(&p);
	while (started)
		pthread_join(th[--started], NULL);
	pthread_mutex_destroy(&p.lock);
	return p.failed ? -1 : 0;
}
