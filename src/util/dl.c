/* Loading a shared library on first use; see rt_dl_load in util.h. */
#include "config.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "remtrail/util.h"

static int syms_of(rt_dl_lib *l, const rt_dl_sym *syms, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		void *p = dlsym(l->handle, syms[i].name);

		if (!p) {
			snprintf(l->why, sizeof(l->why), "cannot load %s: it has no %s", l->soname,
				 syms[i].name);
			return -1;
		}
		memcpy(syms[i].dst, &p, sizeof(p));
	}
	return 0;
}

int rt_dl_load(rt_dl_lib *l, char *err, size_t n)
{
	int rc;

	pthread_mutex_lock(&l->mu);
	if (!l->tried) {
		l->tried = 1;
		l->failed = 1;
		if (!(l->handle = dlopen(l->soname, l->flags))) {
			const char *e = dlerror();

			snprintf(l->why, sizeof(l->why), "cannot load %s: %s", l->soname,
				 e ? e : "unknown error");
		} else if (syms_of(l, l->syms, l->nsyms) == 0) {
			l->failed = 0; /* the handle stays open for the run */
		}
	}
	rc = l->failed ? -1 : 0;
	if (rc)
		snprintf(err, n, "%s", l->why);
	pthread_mutex_unlock(&l->mu);
	return rc;
}
