/*
 * Hive reader on top of libregf; see hive.h for the contract.
 *
 * Every hive is opened from a memory image through a libbfio handle of our
 * own (see mem_io). That costs one copy of the file but lets us repair a bad base
 * block checksum (libregf refuses those outright) and open hives rebuilt
 * from transaction logs without writing anything to disk.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libbfio.h>
#include <libregf.h>

#include "remtrail/hive.h"
#include "remtrail/util.h"
#include "regf.h"

struct rt_hive {
	char *name;
	uint8_t *image;
	size_t size;
	rt_hive_info info;
	libbfio_handle_t *bfio;
	libregf_file_t *file;
	rt_diag *diag;
	int repaired;
	int replayed;
	char *summary;
	rt_hive *primary; /* pre-replay view, NULL when this is the primary */
};

struct rt_key {
	rt_hive *hive;
	libregf_key_t *key;
	char *name;
	uint64_t last_written;
	uint32_t offset;
};

#ifndef HAVE_LIBREGF_KEY_GET_SUB_KEY_BY_INDEX
#define libregf_key_get_sub_key_by_index libregf_key_get_sub_key
#endif
#ifndef HAVE_LIBREGF_KEY_GET_VALUE_BY_INDEX
#define libregf_key_get_value_by_index libregf_key_get_value
#endif

#define MAX_PATH_DEPTH 512

/*
 * libregf 20201007 leaks on some damaged input: a key item (and the arrays
 * hanging off it) when a root key cannot be read, a data block list and its
 * error when a big-data value points nowhere. Not ours to free; without this,
 * sanitizer runs over damaged hives report them. LeakSanitizer reads this
 * hook at start-up; it is never called otherwise. (The second site is only
 * matched with full stacks, fast_unwind_on_malloc=0, as the fuzz target sets.)
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libregf_key_item_initialize\n"
	       "leak:libregf_value_item_read_data_block_list\n";
}

/* ---------------------------------------------------------------- errors */

/*
 * libyal messages read "libregf_io_handle_read_file_header: invalid file
 * signature." per level; the last line is the most specific. Keep its text
 * after the function name, lower-cased first letter, no trailing period.
 */
static void summarise_error(libregf_error_t *err, char *out, size_t outsz)
{
	char raw[2048];
	char *line, *p, *end;
	size_t n;

	snprintf(out, outsz, "unknown libregf error");
	if (!err || libregf_error_backtrace_sprint(err, raw, sizeof raw) < 0)
		return;
	raw[sizeof raw - 1] = '\0';
	end = raw + strlen(raw);
	while (end > raw && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
		*--end = '\0';
	line = strrchr(raw, '\n');
	line = line ? line + 1 : raw;
	p = strstr(line, ": ");
	if (p)
		line = p + 2;
	n = strlen(line);
	while (n > 0 && (line[n - 1] == '.' || line[n - 1] == ' '))
		line[--n] = '\0';
	if (n == 0)
		return;
	if (line[0] >= 'A' && line[0] <= 'Z' && !(line[1] >= 'A' && line[1] <= 'Z'))
		line[0] = (char)(line[0] - 'A' + 'a');
	snprintf(out, outsz, "%s", line);
}

static void report_libregf(rt_hive *h, const char *what, libregf_error_t **err)
{
	char msg[512];

	summarise_error(err ? *err : NULL, msg, sizeof msg);
	rt_diag_error(h ? h->diag : NULL, h ? h->name : "hive", "%s: %s", what, msg);
	if (err && *err)
		libregf_error_free(err);
}

/* ------------------------------------------------------------ base block */

uint32_t rt_hive_base_block_checksum(const uint8_t *bb)
{
	uint32_t x = 0;
	size_t i;

	for (i = 0; i < REGF_CHECKSUM_OFFSET; i += 4)
		x ^= rt_le32(bb + i);
	if (x == 0xFFFFFFFFu)
		x = 0xFFFFFFFEu;
	else if (x == 0)
		x = 1;
	return x;
}

void regf_parse_base_block(const uint8_t *bb, rt_hive_info *info)
{
	rt_buf name = RT_BUF_INIT;

	memset(info, 0, sizeof *info);
	info->primary_seq = rt_le32(bb + 4);
	info->secondary_seq = rt_le32(bb + 8);
	info->last_written = rt_le64(bb + 12);
	info->major = rt_le32(bb + 20);
	info->minor = rt_le32(bb + 24);
	info->file_type = rt_le32(bb + 28);
	info->root_offset = rt_le32(bb + 36);
	info->hbins_size = rt_le32(bb + 40);
	info->dirty = info->primary_seq != info->secondary_seq;
	info->checksum_ok = rt_hive_base_block_checksum(bb) == rt_le32(bb + REGF_CHECKSUM_OFFSET);
	if (rt_utf16le_to_utf8(&name, bb + 48, 32, 1) == 0)
		snprintf(info->file_name, sizeof info->file_name, "%s", name.buf);
	rt_buf_release(&name);
}

/* ------------------------------------------------------------------ open */

static rt_hive *hive_alloc(const char *name, rt_diag *diag)
{
	rt_hive *h = calloc(1, sizeof *h);

	if (!h)
		return NULL;
	h->name = strdup(name ? name : "memory");
	h->summary = strdup("");
	h->diag = diag;
	if (!h->name || !h->summary) {
		free(h->name);
		free(h->summary);
		free(h);
		return NULL;
	}
	return h;
}

static void hive_close(rt_hive *h)
{
	libregf_error_t *err = NULL;
	libbfio_error_t *berr = NULL;

	if (h->file) {
		libregf_file_close(h->file, &err);
		libregf_file_free(&h->file, &err);
		if (err)
			libregf_error_free(&err);
	}
	if (h->bfio) {
		libbfio_handle_free(&h->bfio, &berr);
		if (berr)
			libbfio_error_free(&berr);
	}
}

void rt_hive_free(rt_hive **hp)
{
	rt_hive *h;

	if (!hp || !*hp)
		return;
	h = *hp;
	hive_close(h);
	rt_hive_free(&h->primary);
	free(h->image);
	free(h->name);
	free(h->summary);
	free(h);
	*hp = NULL;
}

/*
 * A libbfio handle over the image. libbfio's own memory-range handle reads
 * past the end of its range when a read straddles it (found by fuzzing: a
 * truncated last hive bin), so reads are clamped here instead.
 */
typedef struct mem_io {
	const uint8_t *data;
	size_t size;
	size_t pos;
	int open;
} mem_io;

static int mem_free(intptr_t **io, libbfio_error_t **err)
{
	free(*io);
	*io = NULL;
	return 1;
}

static int mem_clone(intptr_t **dst, intptr_t *src, libbfio_error_t **err)
{
	mem_io *m = malloc(sizeof *m);

	if (!m)
		return -1;
	*m = *(mem_io *)src;
	m->pos = 0;
	*dst = (intptr_t *)m;
	return 1;
}

static int mem_open(intptr_t *io, int flags, libbfio_error_t **err)
{
	mem_io *m = (mem_io *)io;

	m->open = 1;
	m->pos = 0;
	return (flags & LIBBFIO_ACCESS_FLAG_WRITE) ? -1 : 1;
}

static int mem_close(intptr_t *io, libbfio_error_t **err)
{
	((mem_io *)io)->open = 0;
	return 0;
}

static ssize_t mem_read(intptr_t *io, uint8_t *buf, size_t size, libbfio_error_t **err)
{
	mem_io *m = (mem_io *)io;
	size_t n;

	if (m->pos >= m->size)
		return 0;
	n = m->size - m->pos;
	if (n > size)
		n = size;
	if (n > SSIZE_MAX)
		n = SSIZE_MAX;
	memcpy(buf, m->data + m->pos, n);
	m->pos += n;
	return (ssize_t)n;
}

static ssize_t mem_write(intptr_t *io, const uint8_t *buf, size_t size, libbfio_error_t **err)
{
	return -1;
}

static off64_t mem_seek(intptr_t *io, off64_t off, int whence, libbfio_error_t **err)
{
	mem_io *m = (mem_io *)io;
	off64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (off64_t)m->pos
					     : whence == SEEK_END ? (off64_t)m->size : -1;

	if (base < 0 || (off < 0 && -off > base) || (off > 0 && off > INT64_MAX - base))
		return -1;
	m->pos = (size_t)(base + off);
	return base + off;
}

static int mem_exists(intptr_t *io, libbfio_error_t **err)
{
	return 1;
}

static int mem_is_open(intptr_t *io, libbfio_error_t **err)
{
	return ((mem_io *)io)->open;
}

static int mem_size(intptr_t *io, size64_t *size, libbfio_error_t **err)
{
	*size = ((mem_io *)io)->size;
	return 1;
}

static int mem_handle(rt_hive *h)
{
	libbfio_error_t *berr = NULL;
	mem_io *m = calloc(1, sizeof *m);

	if (!m)
		return -1;
	m->data = h->image;
	m->size = h->size;
	if (libbfio_handle_initialize(&h->bfio, (intptr_t *)m, mem_free, mem_clone, mem_open,
				      mem_close, mem_read, mem_write, mem_seek, mem_exists,
				      mem_is_open, mem_size, LIBBFIO_FLAG_IO_HANDLE_MANAGED,
				      &berr) != 1) {
		if (berr)
			libbfio_error_free(&berr);
		free(m);
		return -1;
	}
	return 0;
}

/* The kind, decided where every stage decides it (rt_hive_classify). */
static int classify(rt_hive *h)
{
	rt_source *src = NULL;
	rt_hive_class c;

	if (rt_source_from_memory(h->image, h->size, h->name, 0, &src) != 0) {
		rt_diag_error(h->diag, h->name, "cannot open hive: out of memory");
		return -1;
	}
	rt_hive_classify(src, h->name, &c);
	rt_source_unref(&src);
	h->info.kind = c.kind;
	return 0;
}

/* Takes ownership of `image`. */
static int hive_open_image(rt_hive *h, uint8_t *image, size_t size, unsigned flags)
{
	libregf_error_t *err = NULL;
	libregf_key_t *root = NULL;
	uint32_t sum;
	int r;

	h->image = image;
	h->size = size;
	if (size < REGF_BASE_BLOCK_SIZE || memcmp(image, "regf", 4) != 0) {
		rt_diag_error(h->diag, h->name, "not a registry hive: %s",
			      size < REGF_BASE_BLOCK_SIZE ? "file shorter than a base block"
							  : "no regf signature");
		return -1;
	}
	regf_parse_base_block(image, &h->info);
	if (h->info.file_type != 0) {
		rt_diag_error(h->diag, h->name, "not a primary hive: file type %u%s",
			      (unsigned)h->info.file_type,
			      h->info.file_type == 1 || h->info.file_type == 2 ||
					      h->info.file_type == 6
				      ? " (a transaction log)"
				      : "");
		return -1;
	}
	if (!h->info.checksum_ok) {
		if (flags & RT_HIVE_STRICT) {
			rt_diag_error(h->diag, h->name, "bad base block checksum");
			return -1;
		}
		sum = rt_hive_base_block_checksum(image);
		image[REGF_CHECKSUM_OFFSET] = (uint8_t)sum;
		image[REGF_CHECKSUM_OFFSET + 1] = (uint8_t)(sum >> 8);
		image[REGF_CHECKSUM_OFFSET + 2] = (uint8_t)(sum >> 16);
		image[REGF_CHECKSUM_OFFSET + 3] = (uint8_t)(sum >> 24);
		h->repaired = 1;
		rt_diag_error(h->diag, h->name,
			      "bad base block checksum: reading the hive anyway");
	}
	if (mem_handle(h) != 0) {
		rt_diag_error(h->diag, h->name, "cannot open hive: out of memory");
		return -1;
	}
	if (libregf_file_initialize(&h->file, &err) != 1) {
		report_libregf(h, "cannot open hive", &err);
		return -1;
	}
	if (libregf_file_open_file_io_handle(h->file, h->bfio, LIBREGF_OPEN_READ, &err) != 1) {
		report_libregf(h, "cannot open hive", &err);
		libregf_file_free(&h->file, &err);
		if (err)
			libregf_error_free(&err);
		return -1;
	}
	r = libregf_file_get_root_key(h->file, &root, &err);
	if (r != 1) {
		if (r == 0)
			rt_diag_error(h->diag, h->name, "cannot open hive: no root key");
		else
			report_libregf(h, "cannot open hive: root key unreadable", &err);
		return -1;
	}
	libregf_key_free(&root, &err);
	if (libregf_file_is_corrupted(h->file, &err) == 1)
		rt_diag_error(h->diag, h->name, "hive is corrupted: some keys may be missing");
	if (err)
		libregf_error_free(&err);
	return classify(h);
}

static int read_source(rt_source *src, uint8_t **data, size_t *size, rt_diag *diag)
{
	const char *name = rt_source_name(src);

	if (rt_source_read_all(src, RT_HIVE_MAX_SIZE, data, size) != 0) {
		char why[256];

		if (errno == EFBIG && rt_source_size(src) > RT_HIVE_MAX_SIZE)
			rt_diag_error(diag, name, "cannot read: larger than %zu bytes", RT_HIVE_MAX_SIZE);
		else
			rt_diag_error(diag, name, "cannot read: %s",
				      *rt_source_error(src, why, sizeof(why)) ? why : strerror(errno));
		rt_source_drop_cache(src);
		return -1;
	}
	rt_source_drop_cache(src); /* the hive keeps its own copy */
	return 0;
}

int rt_hive_open_memory(const void *data, size_t size, const char *name, unsigned flags,
			rt_hive **out, rt_diag *diag)
{
	rt_hive *h;
	uint8_t *copy;

	*out = NULL;
	h = hive_alloc(name, diag);
	copy = malloc(size ? size : 1);
	if (!h || !copy) {
		rt_diag_error(diag, name ? name : "memory", "cannot open hive: out of memory");
		free(copy);
		rt_hive_free(&h);
		return -1;
	}
	if (size)
		memcpy(copy, data, size);
	if (hive_open_image(h, copy, size, flags) != 0) {
		rt_hive_free(&h);
		return -1;
	}
	*out = h;
	return 0;
}

int rt_hive_open_source(rt_source *src, unsigned flags, rt_hive **out, rt_diag *diag)
{
	const char *path = src ? rt_source_name(src) : "";
	rt_hive *h;
	uint8_t *data;
	size_t size;

	*out = NULL;
	if (!src) /* a file that could not be opened: its opener named it */
		return -1;
	if (read_source(src, &data, &size, diag) != 0)
		return -1;
	h = hive_alloc(path, diag);
	if (!h) {
		free(data);
		rt_diag_error(diag, path, "cannot open hive: out of memory");
		return -1;
	}
	if (hive_open_image(h, data, size, flags) != 0) {
		rt_hive_free(&h);
		return -1;
	}
	*out = h;
	return 0;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

int rt_hive_open(const char *path, unsigned flags, rt_hive **out, rt_diag *diag)
{
	rt_source *src = NULL;
	int rc;

	*out = NULL;
	if (rt_source_open_path(path, &src) != 0) {
		rt_diag_error(diag, path, "cannot open: %s", rt_source_open_error(errno));
		return -1;
	}
	rc = rt_hive_open_source(src, flags, out, diag);
	rt_source_unref(&src);
	return rc;
}

int rt_hive_open_with_logs(const char *path, const char *const *logs, size_t nlogs,
			   unsigned flags, rt_hive **out, rt_diag *diag)
{
	rt_source *src = NULL, **ls = calloc(nlogs ? nlogs : 1, sizeof(*ls));
	size_t i, n = 0;
	int rc = -1;

	*out = NULL;
	if (!ls) {
		rt_diag_error(diag, path, "cannot open hive: out of memory");
		return -1;
	}
	if (rt_source_open_path(path, &src) != 0) {
		rt_diag_error(diag, path, "cannot open: %s", rt_source_open_error(errno));
		goto out;
	}
	for (i = 0; i < nlogs; i++) {
		if (rt_source_open_path(logs[i], &ls[n]) == 0)
			n++;
		else
			rt_diag_error(diag, logs[i], "cannot open: %s", rt_source_open_error(errno));
	}
	rc = rt_hive_open_with_logs_source(src, ls, n, flags, out, diag);
out:
	for (i = 0; i < n; i++)
		rt_source_unref(&ls[i]);
	free(ls);
	rt_source_unref(&src);
	return rc;
}

int rt_hive_open_with_logs_source(rt_source *src, rt_source *const *logs, size_t nlogs,
				  unsigned flags, rt_hive **out, rt_diag *diag)
{
	const char *path = src ? rt_source_name(src) : "";
	rt_hive *primary = NULL, *h = NULL;
	regf_log *lg = NULL;
	uint8_t **datas = NULL;
	uint8_t *image = NULL;
	size_t size, i, n = 0;
	rt_buf used = RT_BUF_INIT;
	int applied, rc = -1;

	*out = NULL;
	if (rt_hive_open_source(src, flags, &primary, diag) != 0)
		return -1;
	/* a bad base block checksum also makes a hive dirty (msuhanov/regf) */
	if ((flags & RT_HIVE_NO_REPLAY) || nlogs == 0 ||
	    (!primary->info.dirty && primary->info.checksum_ok)) {
		*out = primary;
		return 0;
	}
	lg = calloc(nlogs, sizeof *lg);
	datas = calloc(nlogs, sizeof *datas);
	if (!lg || !datas)
		goto oom;
	for (i = 0; i < nlogs; i++) {
		size_t sz;

		if (read_source(logs[i], &datas[i], &sz, diag) != 0)
			continue;
		lg[n].name = base_name(rt_source_name(logs[i]));
		lg[n].data = datas[i];
		lg[n].size = sz;
		n++;
	}
	size = primary->size;
	image = malloc(size);
	if (!image)
		goto oom;
	memcpy(image, primary->image, size);
	applied = regf_replay(&image, &size, !primary->info.checksum_ok, lg, n, &used, diag, path);
	if (applied < 0)
		goto oom;
	if (applied == 0) {
		rt_diag_error(diag, path,
			      "hive is dirty but no transaction log entry could be applied");
		free(image);
		*out = primary;
		primary = NULL;
		rc = 0;
		goto out;
	}
	h = hive_alloc(path, diag);
	if (!h)
		goto oom;
	if (hive_open_image(h, image, size, flags) != 0) {
		image = NULL;
		rt_diag_error(diag, path, "replayed hive cannot be opened: using the primary");
		rt_hive_free(&h);
		*out = primary;
		primary = NULL;
		rc = 0;
		goto out;
	}
	image = NULL;
	free(h->summary);
	h->summary = NULL;
	{
		rt_buf s = RT_BUF_INIT;

		if (rt_buf_addf(&s, "replayed %d log entr%s from %s", applied,
				applied == 1 ? "y" : "ies", used.buf) == 0)
			h->summary = rt_buf_detach(&s, NULL);
		rt_buf_release(&s);
	}
	if (!h->summary)
		goto oom;
	h->replayed = 1;
	h->primary = primary;
	primary = NULL;
	rt_diag_warn(diag, path, "%s", h->summary);
	*out = h;
	h = NULL;
	rc = 0;
	goto out;
oom:
	rt_diag_error(diag, path, "cannot replay transaction logs: out of memory");
	free(image);
	*out = primary;
	primary = NULL;
	rc = *out ? 0 : -1;
out:
	for (i = 0; datas && i < nlogs; i++)
		free(datas[i]);
	free(datas);
	free(lg);
	rt_buf_release(&used);
	rt_hive_free(&h);
	rt_hive_free(&primary);
	return rc;
}

const rt_hive_info *rt_hive_get_info(const rt_hive *h)
{
	return &h->info;
}

const char *rt_hive_name(const rt_hive *h)
{
	return h->name;
}

int rt_hive_was_repaired(const rt_hive *h)
{
	return h->repaired;
}

int rt_hive_was_replayed(const rt_hive *h)
{
	return h->replayed;
}

const char *rt_hive_replay_summary(const rt_hive *h)
{
	return h->summary;
}

rt_hive *rt_hive_primary(rt_hive *h)
{
	return h->primary ? h->primary : h;
}

const uint8_t *rt_hive_image(const rt_hive *h, size_t *size)
{
	if (size)
		*size = h->size;
	return h->image;
}

/* ------------------------------------------------------------------ keys */

/*
 * Names are UTF-16LE or "compressed" Latin-1 in the cell; libregf converts
 * both but fails on invalid UTF-16. Fall back to the raw bytes, decoding
 * them as UTF-16LE when they look like it, else as Latin-1.
 */
static char *decode_raw_name(const uint8_t *raw, size_t n)
{
	rt_buf b = RT_BUF_INIT;
	size_t i, zeros = 0;

	for (i = 1; i < n; i += 2)
		if (raw[i] == 0)
			zeros++;
	if (n >= 2 && n % 2 == 0 && zeros * 2 >= n / 2) {
		if (rt_utf16le_to_utf8(&b, raw, n / 2, 1) != 0)
			goto fail;
	} else {
		for (i = 0; i < n; i++) {
			uint8_t c = raw[i];
			char u[2];

			if (c < 0x80) {
				if (rt_buf_addch(&b, (char)c) != 0)
					goto fail;
				continue;
			}
			u[0] = (char)(0xC0 | (c >> 6));
			u[1] = (char)(0x80 | (c & 0x3F));
			if (rt_buf_add(&b, u, 2) != 0)
				goto fail;
		}
	}
	return rt_buf_detach(&b, NULL);
fail:
	rt_buf_release(&b);
	return NULL;
}

typedef int (*name_size_fn)(intptr_t *obj, size_t *size, libregf_error_t **err);
typedef int (*name_get_fn)(intptr_t *obj, uint8_t *buf, size_t size, libregf_error_t **err);

/* libregf keys and values are both intptr_t handles with getters of the
 * same shape: one reader serves both. */
static char *object_name(intptr_t *obj, name_size_fn utf8_size, name_get_fn utf8_get,
			 name_size_fn raw_size, name_get_fn raw_get)
{
	libregf_error_t *err = NULL;
	size_t n = 0;
	char *s;
	uint8_t *raw;

	if (utf8_size(obj, &n, &err) == 1) {
		if (n == 0)
			return strdup("");
		if (n < 65536) {
			s = malloc(n);
			if (s && utf8_get(obj, (uint8_t *)s, n, &err) == 1) {
				s[n - 1] = '\0';
				return s;
			}
			free(s);
		}
	}
	if (err)
		libregf_error_free(&err);
	n = 0;
	if (raw_size(obj, &n, &err) != 1 || n == 0 || n > 65536) {
		if (err)
			libregf_error_free(&err);
		return strdup("");
	}
	raw = malloc(n);
	if (!raw)
		return NULL;
	if (raw_get(obj, raw, n, &err) != 1) {
		if (err)
			libregf_error_free(&err);
		free(raw);
		return strdup("");
	}
	s = decode_raw_name(raw, n);
	free(raw);
	return s;
}

static char *key_name(libregf_key_t *k)
{
	return object_name(k, libregf_key_get_utf8_name_size, libregf_key_get_utf8_name,
			   libregf_key_get_name_size, libregf_key_get_name);
}

static char *value_name(libregf_value_t *v)
{
	return object_name(v, libregf_value_get_utf8_name_size, libregf_value_get_utf8_name,
			   libregf_value_get_name_size, libregf_value_get_name);
}

static int wrap_key(rt_hive *h, libregf_key_t *k, rt_key **out)
{
	libregf_error_t *err = NULL;
	rt_key *rk = calloc(1, sizeof *rk);
	off64_t off = 0;

	if (!rk) {
		libregf_key_free(&k, &err);
		return -1;
	}
	rk->hive = h;
	rk->key = k;
	rk->name = key_name(k);
	if (!rk->name) {
		rt_key_free(&rk);
		return -1;
	}
	if (libregf_key_get_last_written_time(k, &rk->last_written, &err) != 1)
		rk->last_written = 0;
	if (libregf_key_get_offset(k, &off, &err) == 1)
		rk->offset = (uint32_t)off;
	if (err)
		libregf_error_free(&err);
	*out = rk;
	return 1;
}

void rt_key_free(rt_key **kp)
{
	libregf_error_t *err = NULL;

	if (!kp || !*kp)
		return;
	if ((*kp)->key)
		libregf_key_free(&(*kp)->key, &err);
	if (err)
		libregf_error_free(&err);
	free((*kp)->name);
	free(*kp);
	*kp = NULL;
}

int rt_hive_root(rt_hive *h, rt_key **out)
{
	libregf_error_t *err = NULL;
	libregf_key_t *k = NULL;
	int r;

	*out = NULL;
	r = libregf_file_get_root_key(h->file, &k, &err);
	if (r != 1) {
		if (r == 0)
			rt_diag_error(h->diag, h->name, "cannot read root key: no root key");
		else
			report_libregf(h, "cannot read root key", &err);
		return -1;
	}
	return wrap_key(h, k, out);
}

const char *rt_key_name(const rt_key *k)
{
	return k->name;
}

uint64_t rt_key_last_written(const rt_key *k)
{
	return k->last_written;
}

uint32_t rt_key_offset(const rt_key *k)
{
	return k->offset;
}

int rt_key_subkey_count(rt_key *k)
{
	libregf_error_t *err = NULL;
	int n = 0;

	if (libregf_key_get_number_of_sub_keys(k->key, &n, &err) != 1) {
		report_libregf(k->hive, "cannot count subkeys", &err);
		return 0;
	}
	return n < 0 ? 0 : n;
}

int rt_key_value_count(rt_key *k)
{
	libregf_error_t *err = NULL;
	int n = 0;

	if (libregf_key_get_number_of_values(k->key, &n, &err) != 1) {
		report_libregf(k->hive, "cannot count values", &err);
		return 0;
	}
	return n < 0 ? 0 : n;
}

int rt_key_subkey_at(rt_key *k, int i, rt_key **out)
{
	libregf_error_t *err = NULL;
	libregf_key_t *sub = NULL;

	*out = NULL;
	if (libregf_key_get_sub_key_by_index(k->key, i, &sub, &err) != 1 || !sub) {
		char what[64];

		snprintf(what, sizeof what, "cannot read subkey %d of key at 0x%x", i,
			 (unsigned)k->offset);
		report_libregf(k->hive, what, &err);
		return -1;
	}
	return wrap_key(k->hive, sub, out);
}

/* One path component matched case-insensitively among the subkeys of `k`. */
static int find_child(rt_key *k, const char *name, rt_key **out)
{
	libregf_error_t *err = NULL;
	libregf_key_t *sub = NULL;
	int i, n, r;

	*out = NULL;
	r = libregf_key_get_sub_key_by_utf8_name(k->key, (const uint8_t *)name, strlen(name),
						 &sub, &err);
	if (err)
		libregf_error_free(&err);
	if (r == 1 && sub)
		return wrap_key(k->hive, sub, out);
	n = rt_key_subkey_count(k);
	for (i = 0; i < n; i++) {
		rt_key *c;

		if (rt_key_subkey_at(k, i, &c) != 1)
			continue;
		if (rt_strcaseeq(c->name, name)) {
			*out = c;
			return 1;
		}
		rt_key_free(&c);
	}
	return 0;
}

static int walk_path(rt_key *start, const char *path, int own_start, rt_key **out)
{
	rt_key *cur = start;
	char comp[1024];
	int depth = 0;

	*out = NULL;
	while (*path) {
		const char *e;
		size_t n;
		rt_key *next;
		int r;

		while (*path == '\\')
			path++;
		if (!*path)
			break;
		e = strchr(path, '\\');
		n = e ? (size_t)(e - path) : strlen(path);
		if (n >= sizeof comp || ++depth > MAX_PATH_DEPTH) {
			if (own_start || cur != start)
				rt_key_free(&cur);
			return 0;
		}
		memcpy(comp, path, n);
		comp[n] = '\0';
		path += n;
		r = find_child(cur, comp, &next);
		if (own_start || cur != start)
			rt_key_free(&cur);
		if (r != 1)
			return r;
		cur = next;
	}
	if (cur == start && !own_start)
		return 0;
	*out = cur;
	return 1;
}

int rt_key_get_subkey(rt_key *k, const char *path, rt_key **out)
{
	return walk_path(k, path ? path : "", 0, out);
}

int rt_hive_current_control_set(rt_hive *h, char *out, size_t outsz)
{
	uint32_t n = 0;
	int r = rt_hive_get_dword(h, "Select", "Current", &n);

	if (r != 1)
		r = rt_hive_get_dword(h, "Select", "Default", &n);
	if (r != 1 || n == 0 || n > 999)
		return r < 0 ? -1 : 0;
	snprintf(out, outsz, "ControlSet%03u", (unsigned)n);
	return 1;
}

int rt_hive_get_key(rt_hive *h, const char *path, rt_key **out)
{
	rt_key *root;
	const char *p = path ? path : "";
	char cs[32], *resolved = NULL;
	int r;

	*out = NULL;
	while (*p == '\\')
		p++;
	if (rt_strncaseeq(p, "CurrentControlSet", 17) && (p[17] == '\0' || p[17] == '\\')) {
		size_t n;

		r = rt_hive_current_control_set(h, cs, sizeof cs);
		if (r < 0)
			return -1;
		if (r == 1) {
			n = strlen(cs) + strlen(p + 17) + 1;
			resolved = malloc(n);
			if (!resolved)
				return -1;
			snprintf(resolved, n, "%s%s", cs, p + 17);
			p = resolved;
		}
	}
	if (rt_hive_root(h, &root) != 1) {
		free(resolved);
		return -1;
	}
	r = walk_path(root, p, 1, out);
	if (r == 1 && *out == NULL)
		r = -1;
	free(resolved);
	return r;
}

/* ---------------------------------------------------------------- values */

void rt_value_free(rt_value **vp)
{
	if (!vp || !*vp)
		return;
	free((*vp)->name);
	free((*vp)->data);
	free(*vp);
	*vp = NULL;
}

/* Payload of the cell at hive-bins offset `off`: 1 ok, 0 out of bounds. */
static int cell_payload(const rt_hive *h, uint32_t off, const uint8_t **p, size_t *len)
{
	size_t at = REGF_BASE_BLOCK_SIZE + (size_t)off;
	int32_t sz;

	if (!rt_fits(h->size, at, 4))
		return 0;
	sz = (int32_t)rt_le32(h->image + at);
	if (sz == INT32_MIN)
		return 0;
	if (sz < 0)
		sz = -sz;
	if (sz < 4)
		return 0;
	*p = h->image + at + 4;
	*len = (size_t)sz - 4;
	if (!rt_fits(h->size, at + 4, *len))
		*len = h->size - at - 4;
	return 1;
}

/*
 * Value data read from the image ourselves, every offset bounds-checked.
 * libregf reads it too, but when libevtx is loaded first its bundled, older
 * libfdata copy takes over libregf's calls (both export those symbols) and
 * big-data values then read as empty. 1 ok, 0 damaged.
 */
static int native_value_data(const rt_hive *h, size_t vk, uint8_t **out, size_t *outlen)
{
	const uint8_t *p, *c, *list;
	uint32_t raw, len;
	size_t clen, llen, got = 0, i, nseg;
	uint8_t *d;

	*out = NULL;
	*outlen = 0;
	if (!rt_fits(h->size, vk, 20) || memcmp(h->image + vk, "vk", 2) != 0)
		return 0;
	p = h->image + vk;
	raw = rt_le32(p + 4);
	len = raw & 0x7FFFFFFFu;
	if (len == 0)
		return 1;
	if (raw & 0x80000000u) {
		if (len > 4)
			return 0;
		c = p + 8;
		clen = len;
	} else if (!cell_payload(h, rt_le32(p + 8), &c, &clen)) {
		return 0;
	}
	d = malloc(len);
	if (!d)
		return 0;
	if (len > 16344 && h->info.minor >= 4 && clen >= 8 && memcmp(c, "db", 2) == 0) {
		nseg = rt_le16(c + 2);
		if (!cell_payload(h, rt_le32(c + 4), &list, &llen) || llen / 4 < nseg)
			goto bad;
		for (i = 0; i < nseg && got < len; i++) {
			const uint8_t *seg;
			size_t slen, take = len - got;

			if (!cell_payload(h, rt_le32(list + 4 * i), &seg, &slen))
				goto bad;
			if (take > 16344)
				take = 16344;
			if (take > slen)
				goto bad;
			memcpy(d + got, seg, take);
			got += take;
		}
		if (got != len)
			goto bad;
	} else {
		if (len > clen)
			goto bad;
		memcpy(d, c, len);
	}
	*out = d;
	*outlen = len;
	return 1;
bad:
	free(d);
	return 0;
}

/* Takes ownership of `v` (freed in every case). */
static int copy_value(rt_hive *h, libregf_value_t *v, rt_value **out)
{
	libregf_error_t *err = NULL;
	rt_value *rv = calloc(1, sizeof *rv);
	size_t n = 0;
	off64_t off = 0;
	int rc = -1;

	*out = NULL;
	if (!rv)
		goto done;
	rv->name = value_name(v);
	if (!rv->name)
		goto done;
	if (libregf_value_get_value_type(v, &rv->type, &err) != 1) {
		report_libregf(h, "cannot read value type", &err);
		goto done;
	}
	if (libregf_value_get_offset(v, &off, &err) == 1 && off > 0 &&
	    native_value_data(h, (size_t)off, &rv->data, &rv->size)) {
		*out = rv;
		rv = NULL;
		rc = 1;
		goto done;
	}
	if (err)
		libregf_error_free(&err);
	if (libregf_value_get_value_data_size(v, &n, &err) != 1) {
		char what[300];

		snprintf(what, sizeof what, "cannot read data of value '%s'", rv->name);
		report_libregf(h, what, &err);
		goto done;
	}
	if (n > 0) {
		rv->data = malloc(n);
		if (!rv->data)
			goto done;
		if (libregf_value_get_value_data(v, rv->data, n, &err) != 1) {
			char what[300];

			snprintf(what, sizeof what, "cannot read data of value '%s'", rv->name);
			report_libregf(h, what, &err);
			goto done;
		}
		rv->size = n;
	}
	*out = rv;
	rv = NULL;
	rc = 1;
done:
	rt_value_free(&rv);
	libregf_value_free(&v, &err);
	if (err)
		libregf_error_free(&err);
	return rc;
}

int rt_key_value_at(rt_key *k, int i, rt_value **out)
{
	libregf_error_t *err = NULL;
	libregf_value_t *v = NULL;

	*out = NULL;
	if (libregf_key_get_value_by_index(k->key, i, &v, &err) != 1 || !v) {
		char what[64];

		snprintf(what, sizeof what, "cannot read value %d of key at 0x%x", i,
			 (unsigned)k->offset);
		report_libregf(k->hive, what, &err);
		return -1;
	}
	return copy_value(k->hive, v, out);
}

int rt_key_get_value(rt_key *k, const char *name, rt_value **out)
{
	libregf_error_t *err = NULL;
	libregf_value_t *v = NULL;
	const char *nm = name ? name : "";
	int i, n, r;

	*out = NULL;
	r = libregf_key_get_value_by_utf8_name(k->key, (const uint8_t *)nm, strlen(nm), &v, &err);
	if (err)
		libregf_error_free(&err);
	if (r == 1 && v)
		return copy_value(k->hive, v, out);
	n = rt_key_value_count(k);
	for (i = 0; i < n; i++) {
		rt_value *c;

		if (rt_key_value_at(k, i, &c) != 1)
			continue;
		if (rt_strcaseeq(c->name, nm)) {
			*out = c;
			return 1;
		}
		rt_value_free(&c);
	}
	return 0;
}

int rt_value_dword(const rt_value *v, uint32_t *out)
{
	switch (v->type) {
	case RT_REG_DWORD:
	case RT_REG_BINARY:
	case RT_REG_NONE:
		if (v->size != 4)
			return -1;
		*out = rt_le32(v->data);
		return 0;
	case RT_REG_DWORD_BE:
		if (v->size != 4)
			return -1;
		*out = ((uint32_t)v->data[0] << 24) | ((uint32_t)v->data[1] << 16) |
		       ((uint32_t)v->data[2] << 8) | v->data[3];
		return 0;
	default:
		return -1;
	}
}

int rt_value_qword(const rt_value *v, uint64_t *out)
{
	uint32_t d;

	switch (v->type) {
	case RT_REG_QWORD:
	case RT_REG_BINARY:
	case RT_REG_NONE:
		if (v->size == 8) {
			*out = rt_le64(v->data);
			return 0;
		}
		if (v->type == RT_REG_QWORD)
			return -1;
		break;
	default:
		break;
	}
	if (rt_value_dword(v, &d) != 0)
		return -1;
	*out = d;
	return 0;
}

int rt_value_string(const rt_value *v, char **out)
{
	rt_buf b = RT_BUF_INIT;

	*out = NULL;
	if (v->type != RT_REG_SZ && v->type != RT_REG_EXPAND_SZ && v->type != RT_REG_LINK &&
	    v->type != RT_REG_MULTI_SZ)
		return -1;
	if (v->size >= 2 && rt_utf16le_to_utf8(&b, v->data, v->size / 2, 1) != 0) {
		rt_buf_release(&b);
		return -1;
	}
	*out = rt_buf_detach(&b, NULL);
	return *out ? 0 : -1;
}

void rt_strv_free(char **v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}

int rt_value_multi_sz(const rt_value *v, char ***out, size_t *count)
{
	size_t units = v->size / 2, i, start = 0, n = 0, cap = 8;
	char **list;

	*out = NULL;
	if (count)
		*count = 0;
	if (v->type != RT_REG_MULTI_SZ && v->type != RT_REG_SZ && v->type != RT_REG_EXPAND_SZ)
		return -1;
	list = calloc(cap + 1, sizeof *list);
	if (!list)
		return -1;
	for (i = 0; i <= units; i++) {
		rt_buf b = RT_BUF_INIT;

		if (i < units && rt_le16(v->data + 2 * i) != 0)
			continue;
		/* an empty string ends the list, as it does for Windows */
		if (i == start)
			break;
		if (n == cap) {
			char **nl = realloc(list, (2 * cap + 1) * sizeof *list);

			if (!nl)
				goto fail;
			list = nl;
			cap *= 2;
		}
		if (rt_utf16le_to_utf8(&b, v->data + 2 * start, i - start, 0) != 0) {
			rt_buf_release(&b);
			goto fail;
		}
		list[n] = rt_buf_detach(&b, NULL);
		if (!list[n])
			goto fail;
		list[++n] = NULL;
		start = i + 1;
		if (v->type != RT_REG_MULTI_SZ)
			break;
	}
	*out = list;
	if (count)
		*count = n;
	return 0;
fail:
	rt_strv_free(list);
	return -1;
}

const char *rt_value_type_name(uint32_t type, char *out, size_t outsz)
{
	static const char *const names[] = {
		"REG_NONE",	 "REG_SZ",	      "REG_EXPAND_SZ",
		"REG_BINARY",	 "REG_DWORD",	      "REG_DWORD_BIG_ENDIAN",
		"REG_LINK",	 "REG_MULTI_SZ",      "REG_RESOURCE_LIST",
		"REG_FULL_RESOURCE_DESCRIPTOR", "REG_RESOURCE_REQUIREMENTS_LIST", "REG_QWORD",
	};

	if (type < sizeof names / sizeof names[0])
		snprintf(out, outsz, "%s", names[type]);
	else
		snprintf(out, outsz, "REG_UNKNOWN(0x%x)", (unsigned)type);
	return out;
}

/* -------------------------------------------------------------- shortcuts */

typedef int (*conv_fn)(const rt_value *v, void *out, void *extra);

static int key_get_conv(rt_key *k, const char *name, conv_fn fn, void *out, void *extra)
{
	rt_value *v = NULL;
	int r = rt_key_get_value(k, name, &v);

	if (r != 1)
		return r;
	r = fn(v, out, extra) == 0 ? 1 : -1;
	rt_value_free(&v);
	return r;
}

static int conv_dword(const rt_value *v, void *out, void *extra)
{
	return rt_value_dword(v, out);
}

static int conv_qword(const rt_value *v, void *out, void *extra)
{
	return rt_value_qword(v, out);
}

static int conv_string(const rt_value *v, void *out, void *extra)
{
	return rt_value_string(v, out);
}

static int conv_multi(const rt_value *v, void *out, void *extra)
{
	return rt_value_multi_sz(v, out, extra);
}

int rt_key_get_dword(rt_key *k, const char *name, uint32_t *out)
{
	return key_get_conv(k, name, conv_dword, out, NULL);
}

int rt_key_get_qword(rt_key *k, const char *name, uint64_t *out)
{
	return key_get_conv(k, name, conv_qword, out, NULL);
}

int rt_key_get_string(rt_key *k, const char *name, char **out)
{
	*out = NULL;
	return key_get_conv(k, name, conv_string, out, NULL);
}

int rt_key_get_multi_sz(rt_key *k, const char *name, char ***out, size_t *count)
{
	*out = NULL;
	return key_get_conv(k, name, conv_multi, out, count);
}

int rt_key_get_binary(rt_key *k, const char *name, uint8_t **data, size_t *size, uint32_t *type)
{
	rt_value *v = NULL;
	int r = rt_key_get_value(k, name, &v);

	*data = NULL;
	*size = 0;
	if (r != 1)
		return r;
	*data = v->data;
	*size = v->size;
	if (type)
		*type = v->type;
	v->data = NULL;
	rt_value_free(&v);
	return 1;
}

int rt_hive_get_dword(rt_hive *h, const char *path, const char *name, uint32_t *out)
{
	rt_key *k = NULL;
	int r = rt_hive_get_key(h, path, &k);

	if (r == 1)
		r = rt_key_get_dword(k, name, out);
	rt_key_free(&k);
	return r;
}

int rt_hive_get_string(rt_hive *h, const char *path, const char *name, char **out)
{
	rt_key *k = NULL;
	int r = rt_hive_get_key(h, path, &k);

	*out = NULL;
	if (r == 1)
		r = rt_key_get_string(k, name, out);
	rt_key_free(&k);
	return r;
}

int rt_hive_computer_name(rt_hive *h, char **out)
{
	int r;

	*out = NULL;
	r = rt_hive_get_string(h, "CurrentControlSet\\Control\\ComputerName\\ComputerName",
			       "ComputerName", out);
	if (r != 1) {
		free(*out);
		*out = NULL;
		r = rt_hive_get_string(h,
				       "CurrentControlSet\\Control\\ComputerName\\ActiveComputerName",
				       "ComputerName", out);
	}
	if (r == 1 && (!*out || !**out)) {
		free(*out);
		*out = NULL;
		return 0;
	}
	return r;
}
