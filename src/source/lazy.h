/*
 * libarchive, loaded when evidence first holds an archive (dlopen), not
 * when remtrail starts. Linked, it costs every run some 7 ms of start-up:
 * it brings libxml2, ICU and libstdc++ along (measured: an empty program
 * linked with all of remtrail's libraries starts in 21 ms, without
 * libarchive in 14 ms), and most evidence holds no archive.
 *
 * The libyal image libraries stay linked: Debian's export their embedded
 * libbfio and libcdata, and images read only when libewf's copy serves
 * every library, which the link order gives and dlopen would not
 * (docs/native-evtx.md).
 *
 * A file that includes this header after archive.h calls libarchive as
 * before: each name is a macro for a pointer of the same type, filled at
 * load. rt_lazy_archive() must have returned 0 before any is called.
 */
#ifndef RT_LAZY_H
#define RT_LAZY_H

#include <stddef.h>

#include <archive.h>
#include <archive_entry.h>

/*
 * Load libarchive (once: later calls give the first answer); thread safe.
 * 0 when its functions can be called; -1 with why in err ("cannot load
 * libarchive.so.13: ...").
 */
int rt_lazy_archive(char *err, size_t n);

/* The functions of libarchive that remtrail calls. */
#define RT_LAZY_ARCHIVE_FNS(X) \
	X(archive_entry_filetype) \
	X(archive_entry_is_encrypted) \
	X(archive_entry_pathname) \
	X(archive_entry_size) \
	X(archive_entry_size_is_set) \
	X(archive_error_string) \
	X(archive_filter_code) \
	X(archive_format) \
	X(archive_read_data) \
	X(archive_read_free) \
	X(archive_read_new) \
	X(archive_read_next_header) \
	X(archive_read_open1) \
	X(archive_read_set_callback_data) \
	X(archive_read_set_read_callback) \
	X(archive_read_set_seek_callback) \
	X(archive_read_set_skip_callback) \
	X(archive_read_support_filter_all) \
	X(archive_read_support_format_7zip) \
	X(archive_read_support_format_gnutar) \
	X(archive_read_support_format_raw) \
	X(archive_read_support_format_tar) \
	X(archive_read_support_format_zip_seekable) \
	X(archive_read_support_format_zip_streamable) \
	X(archive_set_error)

typedef struct rt_lazy_api {
#define RT_LAZY_PTR(name) __typeof__(&name) name;
	RT_LAZY_ARCHIVE_FNS(RT_LAZY_PTR)
#undef RT_LAZY_PTR
} rt_lazy_api;

extern rt_lazy_api rt_lazy;

#ifndef RT_LAZY_IMPL
#define archive_entry_filetype (rt_lazy.archive_entry_filetype)
#define archive_entry_is_encrypted (rt_lazy.archive_entry_is_encrypted)
#define archive_entry_pathname (rt_lazy.archive_entry_pathname)
#define archive_entry_size (rt_lazy.archive_entry_size)
#define archive_entry_size_is_set (rt_lazy.archive_entry_size_is_set)
#define archive_error_string (rt_lazy.archive_error_string)
#define archive_filter_code (rt_lazy.archive_filter_code)
#define archive_format (rt_lazy.archive_format)
#define archive_read_data (rt_lazy.archive_read_data)
#define archive_read_free (rt_lazy.archive_read_free)
#define archive_read_new (rt_lazy.archive_read_new)
#define archive_read_next_header (rt_lazy.archive_read_next_header)
#define archive_read_open1 (rt_lazy.archive_read_open1)
#define archive_read_set_callback_data (rt_lazy.archive_read_set_callback_data)
#define archive_read_set_read_callback (rt_lazy.archive_read_set_read_callback)
#define archive_read_set_seek_callback (rt_lazy.archive_read_set_seek_callback)
#define archive_read_set_skip_callback (rt_lazy.archive_read_set_skip_callback)
#define archive_read_support_filter_all (rt_lazy.archive_read_support_filter_all)
#define archive_read_support_format_7zip (rt_lazy.archive_read_support_format_7zip)
#define archive_read_support_format_gnutar (rt_lazy.archive_read_support_format_gnutar)
#define archive_read_support_format_raw (rt_lazy.archive_read_support_format_raw)
#define archive_read_support_format_tar (rt_lazy.archive_read_support_format_tar)
#define archive_read_support_format_zip_seekable (rt_lazy.archive_read_support_format_zip_seekable)
#define archive_read_support_format_zip_streamable (rt_lazy.archive_read_support_format_zip_streamable)
#define archive_set_error (rt_lazy.archive_set_error)
#endif

#endif
