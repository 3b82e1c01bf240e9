/*
 * Which hive a file is, decided once, here, for every stage: the root keys
 * first (what the hive holds cannot be renamed), then the name the hive
 * keeps in its base block, then where it lies and what it is called. The
 * decision keeps its reason, so a hive that is not used can be named with
 * why.
 *
 * The root keys are read with a few bounded reads of the cells that hold
 * them (the root key, its subkey lists, the subkeys' names), not by
 * opening the whole hive: the walk classifies every hive it meets, and a
 * SOFTWARE hive is often over 100 MiB.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence_int.h"
#include "remtrail/util.h"

#define HBIN_START 0x1000u
#define BASE_ROOT_OFF 0x24
#define BASE_TYPE_OFF 0x1C
#define NK_HEAD 76 /* nk cell data before the name */
#define NK_FLAG_COMP_NAME 0x20
/* Subkey list entries looked at per list. */
#define MAX_LIST 4096
#define MAX_NAME 255

/* Signatures: a hive of `kind` has both keys (paths from the root). */
static const struct {
	rt_hive_kind kind;
	const char *a, *b;
} sigs[] = {
    {RT_HIVE_SYSTEM, "Select", "ControlSet001"},
    {RT_HIVE_SYSTEM, "Select", "ControlSet002"},
    {RT_HIVE_SYSTEM, "Select", "MountedDevices"},
    {RT_HIVE_SOFTWARE, "Microsoft", "Classes"},
    {RT_HIVE_SOFTWARE, "Microsoft", "Policies"},
    {RT_HIVE_SOFTWARE, "Microsoft", "WOW6432Node"},
    {RT_HIVE_SOFTWARE, "Microsoft", "Microsoft\\Windows NT\\CurrentVersion"},
    {RT_HIVE_SAM, "SAM", "SAM\\Domains"},
    {RT_HIVE_SECURITY, "Policy", "RXACT"},
    {RT_HIVE_NTUSER, "Software", "Environment"},
    {RT_HIVE_NTUSER, "Software", "Control Panel"},
    {RT_HIVE_USRCLASS, "Local Settings", "CLSID"},
    {RT_HIVE_OTHER, "Root", "Root\\InventoryApplicationFile"},
    {RT_HIVE_OTHER, "Root", "Root\\File"},
};

typedef struct hreader {
	rt_source *src;
	uint64_t size;
} hreader;

/* The length of the used cell at hive offset `off` (its data, past the
 * size field), 0 when it is not a used cell inside the file. */
static size_t cell_len(hreader *r, uint32_t off)
{
	uint8_t sz[4];
	uint64_t at = (uint64_t)HBIN_START + off;
	int32_t n;

	if (off == 0xFFFFFFFFu || at + 4 > r->size || rt_source_read_exact(r->src, sz, 4, at))
		return 0;
	n = (int32_t)rt_le32(sz);
	if (n >= -4 || at + 4 + ((uint64_t)-(int64_t)n - 4) > r->size)
		return 0; /* free, too small to hold anything, or past the end */
	return (size_t)(-(int64_t)n) - 4;
}

/* Up to `max` bytes of the data of the cell at `off` into `buf`; bytes got. */
static size_t cell(hreader *r, uint32_t off, uint8_t *buf, size_t max)
{
	size_t len = cell_len(r, off);

	if (len > max)
		len = max;
	if (len && rt_source_read_exact(r->src, buf, len, (uint64_t)HBIN_START + off + 4))
		return 0;
	return len;
}

/* The name of the nk cell at `off` into `out` (UTF-8); 0, -1 if not a key. */
static int key_name(hreader *r, uint32_t off, rt_buf *out)
{
	uint8_t b[NK_HEAD + 2 * MAX_NAME];
	size_t got = cell(r, off, b, sizeof(b)), len;

	if (got < 76 || memcmp(b, "nk", 2))
		return -1;
	len = rt_le16(b + 72);
	if (len > got - 76)
		len = got - 76;
	rt_buf_reset(out);
	if (rt_le16(b + 2) & NK_FLAG_COMP_NAME) {
		size_t i;

		for (i = 0; i < len; i++)
			if (rt_buf_addch(out, (char)(b[76 + i] < 0x80 ? b[76 + i] : '?')))
				return -1;
		return 0;
	}
	return rt_utf16le_to_utf8(out, b + 76, len / 2, 1);
}

/* Call `fn` for each subkey of the nk cell at `nk` (an index root is
 * followed one level, as Windows writes it) until it returns nonzero. */
static uint32_t each_child(hreader *r, uint32_t nk,
			   uint32_t (*fn)(hreader *r, uint32_t k, void *ctx), void *ctx)
{
	uint8_t head[76], hdr[4];
	uint32_t lists[64], found = 0;
	size_t nlists = 1, l;

	if (cell(r, nk, head, sizeof(head)) < 76 || memcmp(head, "nk", 2) ||
	    rt_le32(head + 20) == 0)
		return 0;
	lists[0] = rt_le32(head + 28);
	for (l = 0; l < nlists && !found; l++) {
		size_t len = cell_len(r, lists[l]), count, step, i;
		uint64_t at = (uint64_t)HBIN_START + lists[l] + 4;

		if (len < 4 || rt_source_read_exact(r->src, hdr, 4, at))
			continue;
		count = rt_le16(hdr + 2);
		if (!memcmp(hdr, "ri", 2))
			step = 4;
		else if (!memcmp(hdr, "li", 2))
			step = 4;
		else if (!memcmp(hdr, "lf", 2) || !memcmp(hdr, "lh", 2))
			step = 8;
		else
			continue;
		if (count > (len - 4) / step)
			count = (len - 4) / step;
		for (i = 0; i < count && i < MAX_LIST && !found; i++) {
			uint8_t e[4];

			if (rt_source_read_exact(r->src, e, 4, at + 4 + step * i))
				break;
			if (!memcmp(hdr, "ri", 2)) {
				if (l == 0 && nlists < 64)
					lists[nlists++] = rt_le32(e);
			} else {
				found = fn(r, rt_le32(e), ctx);
			}
		}
	}
	return found;
}

typedef struct want {
	const char *name;
	size_t len;
	rt_buf kn;
} want;

static uint32_t match_name(hreader *r, uint32_t k, void *ctx)
{
	want *w = ctx;

	return key_name(r, k, &w->kn) == 0 && w->kn.len == w->len &&
			       rt_strncaseeq(w->kn.buf, w->name, w->len)
		   ? k
		   : 0;
}

/* 1 when `path` ("A\\B") exists below the nk cell at `root`. */
static int has_path(hreader *r, uint32_t root, const char *path)
{
	uint32_t k = root;
	want w = {NULL, 0, RT_BUF_INIT};

	while (*path && k) {
		const char *end = strchr(path, '\\');

		w.name = path;
		w.len = end ? (size_t)(end - path) : strlen(path);
		k = each_child(r, k, match_name, &w);
		path += w.len + (end != NULL);
	}
	rt_buf_release(&w.kn);
	return k != 0;
}

static void set_reason(rt_hive_class *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_reason(rt_hive_class *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->reason, sizeof(c->reason), fmt, ap);
	va_end(ap);
}

static rt_hive_kind from_content(rt_source *src, rt_hive_class *c, uint8_t *base)
{
	hreader r = {src, rt_source_size(src)};
	uint32_t root = rt_le32(base + BASE_ROOT_OFF);
	size_t i;

	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (has_path(&r, root, sigs[i].a) && has_path(&r, root, sigs[i].b)) {
			set_reason(c, "root keys %s and %s%s", sigs[i].a, sigs[i].b,
				   sigs[i].kind == RT_HIVE_OTHER ? " (a hive remtrail does not read)" : "");
			return sigs[i].kind;
		}
	return RT_HIVE_UNKNOWN;
}

/* The base name of the hive's path as its base block keeps it (UTF-8). */
static void embedded_name(const uint8_t *base, char *out, size_t n)
{
	rt_buf b = RT_BUF_INIT;
	const char *s;

	out[0] = '\0';
	if (rt_utf16le_to_utf8(&b, base + EV_REGF_NAME_OFF, EV_REGF_NAME_LEN / 2, 1) == 0) {
		s = strrchr(b.buf, '\\');
		snprintf(out, n, "%s", s ? s + 1 : b.buf);
	}
	rt_buf_release(&b);
}

int rt_hive_classify(rt_source *src, const char *path, rt_hive_class *c)
{
	uint8_t base[EV_HEAD_SIZE];
	char emb[80];
	const char *file = path ? strrchr(path, '/') : NULL;
	rt_hive_kind k, by_name;
	int backup;

	memset(c, 0, sizeof(*c));
	file = file ? file + 1 : path;
	if (rt_source_read_exact(src, base, sizeof(base), 0) || memcmp(base, "regf", 4)) {
		c->kind = RT_HIVE_UNKNOWN;
		set_reason(c, "not a readable hive base block");
		return -1;
	}
	embedded_name(base, emb, sizeof(emb));
	k = from_content(src, c, base);
	rt_source_drop_cache(src); /* an archive entry loaded to look up cells */
	/* The user hive of the default profile looks like any NTUSER.DAT. */
	if (k == RT_HIVE_NTUSER &&
	    (rt_strcaseeq(emb, "DEFAULT") || (file && rt_strcaseeq(file, "DEFAULT")))) {
		k = RT_HIVE_OTHER;
		set_reason(c, "root keys of a user hive, named DEFAULT (the default profile's, "
			      "which remtrail does not read)");
	}
	if (k != RT_HIVE_UNKNOWN) {
		c->kind = k;
		return 0;
	}
	if ((by_name = ev_hive_kind_from_name(emb, &backup)) != RT_HIVE_UNKNOWN) {
		c->kind = by_name;
		set_reason(c, "name kept in the hive '%s'%s", emb,
			   by_name == RT_HIVE_OTHER ? " (a hive remtrail does not read)" : "");
		return 0;
	}
	if (file && (by_name = ev_hive_kind_from_name(file, &backup)) != RT_HIVE_UNKNOWN) {
		c->kind = by_name;
		set_reason(c, "file name '%s'%s", file,
			   by_name == RT_HIVE_OTHER ? " (a hive remtrail does not read)" : "");
		return 0;
	}
	c->kind = RT_HIVE_OTHER;
	c->unsure = 1;
	set_reason(c, "neither its root keys nor its names ('%s', '%s') say which hive", emb,
		   file ? file : "");
	return 0;
}
