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
	int bound;      /* started on one core: widen to cpus first */
	cpu_set_t cpus; /* where it may run once started */
} start;

static void *started(void *arg)
{
	start st = *(start *)arg;

	free(arg);
	if (st.bound)
		pthread_setaffinity_np(pthread_self(), sizeof st.cpus, &st.cpus);
	return st.fn(st.arg);
}

/* The k-th core in cpus other than `here`, round them; -1 if none. */
static int other_core(const cpu_set_t *cpus, int here, unsigned k)
{
	int c, other = 0;

	for (c = 0; c < CPU_SETSIZE; c++)
		other += c != here && CPU_ISSET(c, cpus);
	if (!other)
		return -1;
	k %= (unsigned)other;
	for (c = 0; c < CPU_SETSIZE; c++)
		if (c != here && CPU_ISSET(c, cpus) && k-- == 0)
			return c;
	return -1;
}

int rt_thread_start(pthread_t *th, void *(*fn)(void *), void *arg, unsigned k)
{
	int here = sched_getcpu(), first, ret = -1;
	start *st = calloc(1, sizeof(*st));
	pthread_attr_t attr;
	cpu_set_t one;

	if (!st)
		return pthread_create(th, NULL, fn, arg);
	st->fn = fn;
	st->arg = arg;
	if (here >= 0 && !pthread_getaffinity_np(pthread_self(), sizeof st->cpus, &st->cpus) &&
	    (first = other_core(&st->cpus, here, k)) >= 0 && !pthread_attr_init(&attr)) {
		CPU_ZERO(&one);
		CPU_SET(first, &one);
		st->bound = 1;
		if (!pthread_attr_setaffinity_np(&attr, sizeof one, &one))
			ret = pthread_create(th, &attr, started, st);
		pthread_attr_destroy(&attr);
	}
	/* no other core, or the one chosen went away (a cpuset moved between
	 * the question and the creation): the thread starts where Linux puts
	 * it */
	if (ret) {
		st->bound = 0;
		ret = pthread_create(th, NULL, started, st);
	}
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
