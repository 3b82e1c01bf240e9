/* Loading libarchive and the libyal image libraries on first use; see lazy.h. */
#include "config.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define RT_LAZY_IMPL
#include "lazy.h"

rt_lazy_api rt_lazy;

const rt_bfio_api rt_bfio_linked = {
	libbfio_handle_initialize, libbfio_handle_free,	       libbfio_error_free,
	libbfio_pool_initialize,   libbfio_pool_append_handle, libbfio_pool_free,
};

/* One library's state: loaded once, under the lock; the answer kept. */
typedef struct lazy_lib {
	int tried, failed;
	char why[256];
	rt_bfio_api bfio;
} lazy_lib;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static lazy_lib archive_lib;
#ifdef RT_LAZY_IMAGES
static lazy_lib yal_libs[RT_YAL_N];
#endif

static void *open_lib(lazy_lib *l, const char *soname, int flags)
{
	void *h = dlopen(soname, flags);

	if (!h) {
		const char *e = dlerror();

		snprintf(l->why, sizeof(l->why), "cannot load %s: %s", soname,
			 e ? e : "unknown error");
	}
	return h;
}

/* `name` of the library loaded as `h` into `*dst`; -1 (why filled) when it has none. */
static int sym(lazy_lib *l, void *h, const char *soname, const char *name, void *dst)
{
	void *p = dlsym(h, name);

	if (!p) {
		snprintf(l->why, sizeof(l->why), "cannot load %s: it has no %s", soname, name);
		return -1;
	}
	memcpy(dst, &p, sizeof(p));
	return 0;
}

#define RT_LAZY_SYM(name)                                                                     \
	if (sym(l, h, soname, #name, &rt_lazy.name))                                          \
		return -1;

static int load_archive(lazy_lib *l)
{
	const char *soname = RT_SONAME_LIBARCHIVE;
	void *h = open_lib(l, soname, RTLD_NOW | RTLD_LOCAL);

	if (!h)
		return -1;
	RT_LAZY_ARCHIVE_FNS(RT_LAZY_SYM)
	return 0; /* the handle stays open for the run */
}

/* Run `load` for `l` once; its answer, with why in err. */
static int once(lazy_lib *l, int (*load)(lazy_lib *, int), int arg, char *err, size_t n)
{
	int rc;

	pthread_mutex_lock(&mu);
	if (!l->tried) {
		l->tried = 1;
		l->failed = load(l, arg) != 0;
	}
	rc = l->failed ? -1 : 0;
	if (rc)
		snprintf(err, n, "%s", l->why);
	pthread_mutex_unlock(&mu);
	return rc;
}

static int load_archive_cb(lazy_lib *l, int unused)
{
	(void)unused;
	return load_archive(l);
}

int rt_lazy_archive(char *err, size_t n)
{
	return once(&archive_lib, load_archive_cb, 0, err, n);
}

#ifdef RT_LAZY_IMAGES
/*
 * Deep-bound, the library's own references resolve in it and what it
 * needs before the program's: its copies of libbfio, libcdata, ... serve
 * it. dlsym on its handle searches the same way, so the libbfio found is
 * the one it calls (its own copy, or the system's libbfio it needs).
 */
#define RT_LAZY_BFIO(field, name)                                                             \
	if (sym(l, h, soname, #name, &l->bfio.field))                                          \
		return -1;

#define RT_LAZY_LOAD(id, so, fns)                                                             \
	case RT_YAL_##id:                                                                     \
		soname = so;                                                                  \
		if (!(h = open_lib(l, soname, RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND)))       \
			return -1;                                                            \
		fns(RT_LAZY_SYM) break;

static int load_yal(lazy_lib *l, int lib)
{
	const char *soname = NULL;
	void *h = NULL;

	switch ((rt_yal_lib)lib) {
		RT_LAZY_YAL_LIBS(RT_LAZY_LOAD)
	default:
		snprintf(l->why, sizeof(l->why), "no such library");
		return -1;
	}
	RT_LAZY_BFIO(handle_initialize, libbfio_handle_initialize)
	RT_LAZY_BFIO(handle_free, libbfio_handle_free)
	/* an embedded libbfio has no libbfio_error_free: its errors are its
	 * libcerror's, which the library carries along */
	if (!dlsym(h, "libbfio_error_free")) {
		RT_LAZY_BFIO(error_free, libcerror_error_free)
	} else {
		RT_LAZY_BFIO(error_free, libbfio_error_free)
	}
	RT_LAZY_BFIO(pool_initialize, libbfio_pool_initialize)
	RT_LAZY_BFIO(pool_append_handle, libbfio_pool_append_handle)
	RT_LAZY_BFIO(pool_free, libbfio_pool_free)
	return 0; /* the handle stays open for the run */
}
#endif

int rt_lazy_yal(rt_yal_lib lib, const rt_bfio_api **bfio, char *err, size_t n)
{
#ifdef RT_LAZY_IMAGES
	if ((unsigned)lib >= RT_YAL_N) {
		snprintf(err, n, "no such library");
		return -1;
	}
	if (once(&yal_libs[lib], load_yal, (int)lib, err, n))
		return -1;
	if (bfio)
		*bfio = &yal_libs[lib].bfio;
#else
	(void)lib;
	(void)err;
	(void)n;
	if (bfio)
		*bfio = &rt_bfio_linked;
#endif
	return 0;
}
