/* Loading libarchive and the libyal image libraries on first use; see lazy.h. */
#include "config.h"

#include <dlfcn.h>

#define RT_LAZY_IMPL
#include "lazy.h"
#include "remtrail/util.h"

rt_lazy_api rt_lazy;

const rt_bfio_api rt_bfio_linked = {
	libbfio_handle_initialize, libbfio_handle_free,	      libbfio_pool_initialize,
	libbfio_pool_append_handle, libbfio_pool_free,
};

#define RT_LAZY_SYM(name) { #name, &rt_lazy.name },

static const rt_dl_sym archive_syms[] = { RT_LAZY_ARCHIVE_FNS(RT_LAZY_SYM) };
static rt_dl_lib archive_lib = RT_DL_LIB(RT_SONAME_LIBARCHIVE, RTLD_NOW | RTLD_LOCAL, archive_syms);

int rt_lazy_archive(char *err, size_t n)
{
	return rt_dl_load(&archive_lib, err, n);
}

#ifdef RT_LAZY_IMAGES
/*
 * Deep-bound, a library's own references resolve in it and what it needs
 * before the program's: its copies of libbfio, libcdata, ... serve it.
 * dlsym on its handle searches the same way, so the libbfio found with
 * its functions is the one it calls (its own copy, or the system's
 * libbfio it needs).
 */
static rt_bfio_api yal_bfio[RT_YAL_N];

#define RT_LAZY_YAL_SYMS(id, soname, fns)                                                     \
	static const rt_dl_sym id##_syms[] = {                                                \
		fns(RT_LAZY_SYM)                                                              \
		{ "libbfio_handle_initialize", &yal_bfio[RT_YAL_##id].handle_initialize },    \
		{ "libbfio_handle_free", &yal_bfio[RT_YAL_##id].handle_free },                \
		{ "libbfio_pool_initialize", &yal_bfio[RT_YAL_##id].pool_initialize },        \
		{ "libbfio_pool_append_handle", &yal_bfio[RT_YAL_##id].pool_append_handle },  \
		{ "libbfio_pool_free", &yal_bfio[RT_YAL_##id].pool_free },                    \
	};
RT_LAZY_YAL_LIBS(RT_LAZY_YAL_SYMS)

#define RT_LAZY_YAL_LIB(id, soname, fns)                                                      \
	[RT_YAL_##id] = RT_DL_LIB(soname, RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND, id##_syms),
static rt_dl_lib yal_libs[RT_YAL_N] = { RT_LAZY_YAL_LIBS(RT_LAZY_YAL_LIB) };
#endif

int rt_lazy_yal(rt_yal_lib lib, const rt_bfio_api **bfio, char *err, size_t n)
{
#ifdef RT_LAZY_IMAGES
	if ((unsigned)lib >= RT_YAL_N || rt_dl_load(&yal_libs[lib], err, n))
		return -1;
	if (bfio)
		*bfio = &yal_bfio[lib];
#else
	(void)lib;
	(void)err;
	(void)n;
	if (bfio)
		*bfio = &rt_bfio_linked;
#endif
	return 0;
}
