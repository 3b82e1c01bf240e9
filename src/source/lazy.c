/* Loading libarchive on first use; see lazy.h. */
#include "config.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define RT_LAZY_IMPL
#include "lazy.h"

rt_lazy_api rt_lazy;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int tried, failed;
static char why[256];

/* Every function into rt_lazy; -1 (why filled) when one is missing. */
#define RT_LAZY_SYM(name)                                                                    \
	if (!(p = dlsym(h, #name))) {                                                         \
		snprintf(why, sizeof(why), "cannot load %s: it has no %s", RT_SONAME_LIBARCHIVE, \
			 #name);                                                               \
		return -1;                                                                     \
	}                                                                                      \
	memcpy(&rt_lazy.name, &p, sizeof(p));

static int load(void)
{
	void *h = dlopen(RT_SONAME_LIBARCHIVE, RTLD_NOW | RTLD_LOCAL), *p;

	if (!h) {
		const char *e = dlerror();

		snprintf(why, sizeof(why), "cannot load %s: %s", RT_SONAME_LIBARCHIVE,
			 e ? e : "unknown error");
		return -1;
	}
	RT_LAZY_ARCHIVE_FNS(RT_LAZY_SYM)
	return 0; /* the handle stays open for the run */
}

int rt_lazy_archive(char *err, size_t n)
{
	int rc;

	pthread_mutex_lock(&mu);
	if (!tried) {
		tried = 1;
		failed = load() != 0;
	}
	rc = failed ? -1 : 0;
	if (rc)
		snprintf(err, n, "%s", why);
	pthread_mutex_unlock(&mu);
	return rc;
}
