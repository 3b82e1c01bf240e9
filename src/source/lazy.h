/*
 * Libraries loaded when evidence first needs them (dlopen), not when
 * remtrail starts: libarchive, and the libyal image libraries (libewf,
 * libvhdi, libqcow, libvmdk, libbde, libfsntfs, libvshadow). Linked, they
 * cost every run some 14 ms of start-up (libarchive brings libxml2, ICU
 * and libstdc++; the image libraries are linked BIND_NOW): an empty
 * program linked with all of remtrail's libraries starts in 21 ms, with
 * only the EVTX, hive and hash libraries in 8 ms. Most evidence holds no
 * archive and no image.
 *
 * The image libraries are loaded with RTLD_DEEPBIND. Debian's export the
 * copies of libbfio, libcdata, libfvalue, ... they carry, and linked, each
 * symbol resolves to the first library that has it (Makefile.am). Loaded
 * deep-bound, each library uses its own copies; remtrail makes the handles
 * it gives a library with that library's libbfio (rt_lazy_yal's `bfio`),
 * since libbfio's handles and pools differ from copy to copy. Sanitized
 * builds cannot (the sanitizers' runtimes refuse RTLD_DEEPBIND): without
 * RT_LAZY_IMAGES (configure), the image libraries are linked and
 * rt_lazy_yal hands out the linked libbfio.
 *
 * A file that includes this header calls the libraries as before: each
 * name is a macro for a pointer of the same type, filled at load. The
 * library's loader (rt_lazy_archive, rt_lazy_yal) must have returned 0
 * before any of its functions is called.
 */
#ifndef RT_LAZY_H
#define RT_LAZY_H

#include <stddef.h>

#include "remtrail/source.h"

#include <archive.h>
#include <archive_entry.h>
/* libewf, libvhdi, libqcow declare their _file_io_handle/_file_io_pool
 * entry points only then */
#ifndef HAVE_LIBBFIO
#define HAVE_LIBBFIO 1
#endif
#include <libbde.h>
#include <libbfio.h>
#include <libewf.h>
#include <libfsntfs.h>
#include <libqcow.h>
#include <libvhdi.h>
#include <libvmdk.h>
#include <libvshadow.h>

/*
 * Load libarchive (once: later calls give the first answer); thread safe.
 * 0 when its functions can be called; -1 with why in err ("cannot load
 * libarchive.so.13: ...").
 */
int rt_lazy_archive(char *err, size_t n);

/* The libyal image libraries, by the soname configure found. */
#define RT_LAZY_YAL_LIBS(X) \
	X(EWF, RT_SONAME_LIBEWF, RT_LAZY_EWF_FNS) \
	X(VHDI, RT_SONAME_LIBVHDI, RT_LAZY_VHDI_FNS) \
	X(QCOW, RT_SONAME_LIBQCOW, RT_LAZY_QCOW_FNS) \
	X(VMDK, RT_SONAME_LIBVMDK, RT_LAZY_VMDK_FNS) \
	X(BDE, RT_SONAME_LIBBDE, RT_LAZY_BDE_FNS) \
	X(FSNTFS, RT_SONAME_LIBFSNTFS, RT_LAZY_FSNTFS_FNS) \
	X(VSHADOW, RT_SONAME_LIBVSHADOW, RT_LAZY_VSHADOW_FNS)

typedef enum rt_yal_lib {
#define RT_LAZY_ENUM(id, soname, fns) RT_YAL_##id,
	RT_LAZY_YAL_LIBS(RT_LAZY_ENUM)
#undef RT_LAZY_ENUM
	RT_YAL_N
} rt_yal_lib;

/*
 * The libbfio functions that make and free what remtrail gives a library.
 * Called without an error object (NULL): an embedded libbfio's errors are
 * its own libcerror's, and it has no libbfio_error_free to free them.
 */
typedef struct rt_bfio_api {
	__typeof__(&libbfio_handle_initialize) handle_initialize;
	__typeof__(&libbfio_handle_free) handle_free;
	__typeof__(&libbfio_pool_initialize) pool_initialize;
	__typeof__(&libbfio_pool_append_handle) pool_append_handle;
	__typeof__(&libbfio_pool_free) pool_free;
} rt_bfio_api;

/*
 * Load image library `lib` (once: later calls give the first answer);
 * thread safe. 0 when its functions can be called, with *bfio (if bfio is
 * not NULL) the libbfio to make its handles with; -1 with why in err
 * ("cannot load libewf.so.2: ...").
 */
int rt_lazy_yal(rt_yal_lib lib, const rt_bfio_api **bfio, char *err, size_t n);

/*
 * Image library `lib` loaded (rt_lazy_yal) and a libbfio handle over `s`
 * made with its libbfio (rt_source_bfio_with): what a library is opened
 * on. *bfio is the libbfio to free the handle with. 0, or -1 with why in
 * err (the library cannot be loaded, or out of memory).
 */
int rt_lazy_yal_handle(rt_yal_lib lib, rt_source *s, const rt_bfio_api **bfio, void **handle,
		       char *err, size_t n);

/* The libbfio remtrail is linked with, for libevtx and libregf. */
extern const rt_bfio_api rt_bfio_linked;

/* The functions of each library that remtrail calls. */
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

#define RT_LAZY_EWF_FNS(X) \
	X(libewf_check_file_signature_file_io_handle) \
	X(libewf_error_backtrace_sprint) \
	X(libewf_error_free) \
	X(libewf_get_version) \
	X(libewf_handle_close) \
	X(libewf_handle_free) \
	X(libewf_handle_get_media_size) \
	X(libewf_handle_get_number_of_checksum_errors) \
	X(libewf_handle_initialize) \
	X(libewf_handle_open_file_io_pool) \
	X(libewf_handle_read_random) \
	X(libewf_handle_segment_files_corrupted)

#define RT_LAZY_VHDI_FNS(X) \
	X(libvhdi_error_backtrace_sprint) \
	X(libvhdi_error_free) \
	X(libvhdi_file_close) \
	X(libvhdi_file_free) \
	X(libvhdi_file_get_disk_type) \
	X(libvhdi_file_get_media_size) \
	X(libvhdi_file_get_utf8_parent_filename) \
	X(libvhdi_file_initialize) \
	X(libvhdi_file_open_file_io_handle) \
	X(libvhdi_file_read_buffer_at_offset) \
	X(libvhdi_file_set_parent_file)

#define RT_LAZY_QCOW_FNS(X) \
	X(libqcow_error_backtrace_sprint) \
	X(libqcow_error_free) \
	X(libqcow_file_close) \
	X(libqcow_file_free) \
	X(libqcow_file_get_encryption_method) \
	X(libqcow_file_get_media_size) \
	X(libqcow_file_get_utf8_backing_filename) \
	X(libqcow_file_initialize) \
	X(libqcow_file_open_file_io_handle) \
	X(libqcow_file_read_buffer_at_offset) \
	X(libqcow_file_set_parent_file)

#define RT_LAZY_VMDK_FNS(X) \
	X(libvmdk_error_backtrace_sprint) \
	X(libvmdk_error_free) \
	X(libvmdk_extent_descriptor_free) \
	X(libvmdk_extent_descriptor_get_utf8_filename) \
	X(libvmdk_handle_close) \
	X(libvmdk_handle_free) \
	X(libvmdk_handle_get_extent_descriptor) \
	X(libvmdk_handle_get_media_size) \
	X(libvmdk_handle_get_number_of_extents) \
	X(libvmdk_handle_initialize) \
	X(libvmdk_handle_open_extent_data_files_file_io_pool) \
	X(libvmdk_handle_open_file_io_handle) \
	X(libvmdk_handle_read_buffer_at_offset)

#define RT_LAZY_BDE_FNS(X) \
	X(libbde_error_backtrace_sprint) \
	X(libbde_error_free) \
	X(libbde_volume_close) \
	X(libbde_volume_free) \
	X(libbde_volume_get_size) \
	X(libbde_volume_initialize) \
	X(libbde_volume_is_locked) \
	X(libbde_volume_open_file_io_handle) \
	X(libbde_volume_read_buffer_at_offset) \
	X(libbde_volume_set_utf8_recovery_password)

#define RT_LAZY_FSNTFS_FNS(X) \
	X(libfsntfs_data_stream_free) \
	X(libfsntfs_data_stream_get_size) \
	X(libfsntfs_data_stream_get_utf8_name) \
	X(libfsntfs_data_stream_read_buffer_at_offset) \
	X(libfsntfs_error_backtrace_sprint) \
	X(libfsntfs_error_free) \
	X(libfsntfs_file_entry_free) \
	X(libfsntfs_file_entry_get_alternate_data_stream_by_index) \
	X(libfsntfs_file_entry_get_file_attribute_flags) \
	X(libfsntfs_file_entry_get_file_reference) \
	X(libfsntfs_file_entry_get_number_of_alternate_data_streams) \
	X(libfsntfs_file_entry_get_number_of_sub_file_entries) \
	X(libfsntfs_file_entry_get_size) \
	X(libfsntfs_file_entry_get_sub_file_entry_by_index) \
	X(libfsntfs_file_entry_get_utf8_name) \
	X(libfsntfs_file_entry_has_directory_entries_index) \
	X(libfsntfs_file_entry_read_buffer_at_offset) \
	X(libfsntfs_volume_close) \
	X(libfsntfs_volume_free) \
	X(libfsntfs_volume_get_root_directory) \
	X(libfsntfs_volume_initialize) \
	X(libfsntfs_volume_open_file_io_handle)

#define RT_LAZY_VSHADOW_FNS(X) \
	X(libvshadow_check_volume_signature_file_io_handle) \
	X(libvshadow_error_backtrace_sprint) \
	X(libvshadow_error_free) \
	X(libvshadow_store_free) \
	X(libvshadow_store_get_creation_time) \
	X(libvshadow_store_get_volume_size) \
	X(libvshadow_store_read_buffer_at_offset) \
	X(libvshadow_volume_close) \
	X(libvshadow_volume_free) \
	X(libvshadow_volume_get_number_of_stores) \
	X(libvshadow_volume_get_store) \
	X(libvshadow_volume_initialize) \
	X(libvshadow_volume_open_file_io_handle)

#define RT_LAZY_PTR(name) __typeof__(&name) name;
#define RT_LAZY_YAL_PTRS(id, soname, fns) fns(RT_LAZY_PTR)
typedef struct rt_lazy_api {
	RT_LAZY_ARCHIVE_FNS(RT_LAZY_PTR)
#ifdef RT_LAZY_IMAGES
	RT_LAZY_YAL_LIBS(RT_LAZY_YAL_PTRS)
#endif
} rt_lazy_api;
#undef RT_LAZY_YAL_PTRS
#undef RT_LAZY_PTR

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
#ifdef RT_LAZY_IMAGES
#define libewf_check_file_signature_file_io_handle (rt_lazy.libewf_check_file_signature_file_io_handle)
#define libewf_error_backtrace_sprint (rt_lazy.libewf_error_backtrace_sprint)
#define libewf_error_free (rt_lazy.libewf_error_free)
#define libewf_get_version (rt_lazy.libewf_get_version)
#define libewf_handle_close (rt_lazy.libewf_handle_close)
#define libewf_handle_free (rt_lazy.libewf_handle_free)
#define libewf_handle_get_media_size (rt_lazy.libewf_handle_get_media_size)
#define libewf_handle_get_number_of_checksum_errors (rt_lazy.libewf_handle_get_number_of_checksum_errors)
#define libewf_handle_initialize (rt_lazy.libewf_handle_initialize)
#define libewf_handle_open_file_io_pool (rt_lazy.libewf_handle_open_file_io_pool)
#define libewf_handle_read_random (rt_lazy.libewf_handle_read_random)
#define libewf_handle_segment_files_corrupted (rt_lazy.libewf_handle_segment_files_corrupted)
#define libvhdi_error_backtrace_sprint (rt_lazy.libvhdi_error_backtrace_sprint)
#define libvhdi_error_free (rt_lazy.libvhdi_error_free)
#define libvhdi_file_close (rt_lazy.libvhdi_file_close)
#define libvhdi_file_free (rt_lazy.libvhdi_file_free)
#define libvhdi_file_get_disk_type (rt_lazy.libvhdi_file_get_disk_type)
#define libvhdi_file_get_media_size (rt_lazy.libvhdi_file_get_media_size)
#define libvhdi_file_get_utf8_parent_filename (rt_lazy.libvhdi_file_get_utf8_parent_filename)
#define libvhdi_file_initialize (rt_lazy.libvhdi_file_initialize)
#define libvhdi_file_open_file_io_handle (rt_lazy.libvhdi_file_open_file_io_handle)
#define libvhdi_file_read_buffer_at_offset (rt_lazy.libvhdi_file_read_buffer_at_offset)
#define libvhdi_file_set_parent_file (rt_lazy.libvhdi_file_set_parent_file)
#define libqcow_error_backtrace_sprint (rt_lazy.libqcow_error_backtrace_sprint)
#define libqcow_error_free (rt_lazy.libqcow_error_free)
#define libqcow_file_close (rt_lazy.libqcow_file_close)
#define libqcow_file_free (rt_lazy.libqcow_file_free)
#define libqcow_file_get_encryption_method (rt_lazy.libqcow_file_get_encryption_method)
#define libqcow_file_get_media_size (rt_lazy.libqcow_file_get_media_size)
#define libqcow_file_get_utf8_backing_filename (rt_lazy.libqcow_file_get_utf8_backing_filename)
#define libqcow_file_initialize (rt_lazy.libqcow_file_initialize)
#define libqcow_file_open_file_io_handle (rt_lazy.libqcow_file_open_file_io_handle)
#define libqcow_file_read_buffer_at_offset (rt_lazy.libqcow_file_read_buffer_at_offset)
#define libqcow_file_set_parent_file (rt_lazy.libqcow_file_set_parent_file)
#define libvmdk_error_backtrace_sprint (rt_lazy.libvmdk_error_backtrace_sprint)
#define libvmdk_error_free (rt_lazy.libvmdk_error_free)
#define libvmdk_extent_descriptor_free (rt_lazy.libvmdk_extent_descriptor_free)
#define libvmdk_extent_descriptor_get_utf8_filename (rt_lazy.libvmdk_extent_descriptor_get_utf8_filename)
#define libvmdk_handle_close (rt_lazy.libvmdk_handle_close)
#define libvmdk_handle_free (rt_lazy.libvmdk_handle_free)
#define libvmdk_handle_get_extent_descriptor (rt_lazy.libvmdk_handle_get_extent_descriptor)
#define libvmdk_handle_get_media_size (rt_lazy.libvmdk_handle_get_media_size)
#define libvmdk_handle_get_number_of_extents (rt_lazy.libvmdk_handle_get_number_of_extents)
#define libvmdk_handle_initialize (rt_lazy.libvmdk_handle_initialize)
#define libvmdk_handle_open_extent_data_files_file_io_pool (rt_lazy.libvmdk_handle_open_extent_data_files_file_io_pool)
#define libvmdk_handle_open_file_io_handle (rt_lazy.libvmdk_handle_open_file_io_handle)
#define libvmdk_handle_read_buffer_at_offset (rt_lazy.libvmdk_handle_read_buffer_at_offset)
#define libbde_error_backtrace_sprint (rt_lazy.libbde_error_backtrace_sprint)
#define libbde_error_free (rt_lazy.libbde_error_free)
#define libbde_volume_close (rt_lazy.libbde_volume_close)
#define libbde_volume_free (rt_lazy.libbde_volume_free)
#define libbde_volume_get_size (rt_lazy.libbde_volume_get_size)
#define libbde_volume_initialize (rt_lazy.libbde_volume_initialize)
#define libbde_volume_is_locked (rt_lazy.libbde_volume_is_locked)
#define libbde_volume_open_file_io_handle (rt_lazy.libbde_volume_open_file_io_handle)
#define libbde_volume_read_buffer_at_offset (rt_lazy.libbde_volume_read_buffer_at_offset)
#define libbde_volume_set_utf8_recovery_password (rt_lazy.libbde_volume_set_utf8_recovery_password)
#define libfsntfs_data_stream_free (rt_lazy.libfsntfs_data_stream_free)
#define libfsntfs_data_stream_get_size (rt_lazy.libfsntfs_data_stream_get_size)
#define libfsntfs_data_stream_get_utf8_name (rt_lazy.libfsntfs_data_stream_get_utf8_name)
#define libfsntfs_data_stream_read_buffer_at_offset (rt_lazy.libfsntfs_data_stream_read_buffer_at_offset)
#define libfsntfs_error_backtrace_sprint (rt_lazy.libfsntfs_error_backtrace_sprint)
#define libfsntfs_error_free (rt_lazy.libfsntfs_error_free)
#define libfsntfs_file_entry_free (rt_lazy.libfsntfs_file_entry_free)
#define libfsntfs_file_entry_get_alternate_data_stream_by_index (rt_lazy.libfsntfs_file_entry_get_alternate_data_stream_by_index)
#define libfsntfs_file_entry_get_file_attribute_flags (rt_lazy.libfsntfs_file_entry_get_file_attribute_flags)
#define libfsntfs_file_entry_get_file_reference (rt_lazy.libfsntfs_file_entry_get_file_reference)
#define libfsntfs_file_entry_get_number_of_alternate_data_streams (rt_lazy.libfsntfs_file_entry_get_number_of_alternate_data_streams)
#define libfsntfs_file_entry_get_number_of_sub_file_entries (rt_lazy.libfsntfs_file_entry_get_number_of_sub_file_entries)
#define libfsntfs_file_entry_get_size (rt_lazy.libfsntfs_file_entry_get_size)
#define libfsntfs_file_entry_get_sub_file_entry_by_index (rt_lazy.libfsntfs_file_entry_get_sub_file_entry_by_index)
#define libfsntfs_file_entry_get_utf8_name (rt_lazy.libfsntfs_file_entry_get_utf8_name)
#define libfsntfs_file_entry_has_directory_entries_index (rt_lazy.libfsntfs_file_entry_has_directory_entries_index)
#define libfsntfs_file_entry_read_buffer_at_offset (rt_lazy.libfsntfs_file_entry_read_buffer_at_offset)
#define libfsntfs_volume_close (rt_lazy.libfsntfs_volume_close)
#define libfsntfs_volume_free (rt_lazy.libfsntfs_volume_free)
#define libfsntfs_volume_get_root_directory (rt_lazy.libfsntfs_volume_get_root_directory)
#define libfsntfs_volume_initialize (rt_lazy.libfsntfs_volume_initialize)
#define libfsntfs_volume_open_file_io_handle (rt_lazy.libfsntfs_volume_open_file_io_handle)
#define libvshadow_check_volume_signature_file_io_handle (rt_lazy.libvshadow_check_volume_signature_file_io_handle)
#define libvshadow_error_backtrace_sprint (rt_lazy.libvshadow_error_backtrace_sprint)
#define libvshadow_error_free (rt_lazy.libvshadow_error_free)
#define libvshadow_store_free (rt_lazy.libvshadow_store_free)
#define libvshadow_store_get_creation_time (rt_lazy.libvshadow_store_get_creation_time)
#define libvshadow_store_get_volume_size (rt_lazy.libvshadow_store_get_volume_size)
#define libvshadow_store_read_buffer_at_offset (rt_lazy.libvshadow_store_read_buffer_at_offset)
#define libvshadow_volume_close (rt_lazy.libvshadow_volume_close)
#define libvshadow_volume_free (rt_lazy.libvshadow_volume_free)
#define libvshadow_volume_get_number_of_stores (rt_lazy.libvshadow_volume_get_number_of_stores)
#define libvshadow_volume_get_store (rt_lazy.libvshadow_volume_get_store)
#define libvshadow_volume_initialize (rt_lazy.libvshadow_volume_initialize)
#define libvshadow_volume_open_file_io_handle (rt_lazy.libvshadow_volume_open_file_io_handle)
#endif
#endif

#endif
