/*
 * Recognising artifacts by content. Names lie (renamed exports, tools that
 * append ".bin", Velociraptor's escapes), so the first bytes decide; names
 * only help to tell which hive a file is when its content does not say
 * (hivekind.c).
 */
#include "config.h"

#include <string.h>

#include "evidence_int.h"
#include "remtrail/util.h"

/* regf base block: file type at 0x1C. */
#define REGF_TYPE_OFF 0x1C

static const struct {
	const char *name;
	rt_hive_kind kind;
} hive_names[] = {
    {"SYSTEM", RT_HIVE_SYSTEM},     {"SOFTWARE", RT_HIVE_SOFTWARE},
    {"SAM", RT_HIVE_SAM},           {"SECURITY", RT_HIVE_SECURITY},
    {"NTUSER.DAT", RT_HIVE_NTUSER}, {"UsrClass.dat", RT_HIVE_USRCLASS},
    /* hives Windows keeps that hold nothing remtrail reads */
    {"DEFAULT", RT_HIVE_OTHER},      {"COMPONENTS", RT_HIVE_OTHER},
    {"DRIVERS", RT_HIVE_OTHER},      {"ELAM", RT_HIVE_OTHER},
    {"BBI", RT_HIVE_OTHER},          {"Amcache.hve", RT_HIVE_OTHER},
    {"BCD-Template", RT_HIVE_OTHER}, {"userdiff", RT_HIVE_OTHER},
    {"SCHEMA.DAT", RT_HIVE_OTHER},   {"settings.dat", RT_HIVE_OTHER},
};

/* Suffixes Windows and its setup give to older copies of a hive. */
static const char *const backup_suffixes[] = {".sav", ".old", ".bak", ".backup"};

rt_hive_kind ev_hive_kind_from_name(const char *name, int *backup)
{
	size_t i, j, n;

	*backup = 0;
	for (i = 0; i < sizeof(hive_names) / sizeof(hive_names[0]); i++) {
		n = strlen(hive_names[i].name);
		if (!rt_strncaseeq(name, hive_names[i].name, n))
			continue;
		if (name[n] == '\0')
			return hive_names[i].kind;
		for (j = 0; j < sizeof(backup_suffixes) / sizeof(backup_suffixes[0]); j++) {
			if (rt_strcaseeq(name + n, backup_suffixes[j])) {
				*backup = 1;
				return hive_names[i].kind;
			}
		}
	}
	return RT_HIVE_UNKNOWN;
}

static int has(const uint8_t *p, size_t n, size_t off, const char *magic, size_t len)
{
	return rt_fits(n, off, len) && memcmp(p + off, magic, len) == 0;
}

/* A classic MBR: boot signature and four partition entries that look like
 * partition entries (boot flag 0 or 0x80, some partition with a type and a
 * size). Only a first sector like this is taken for a raw disk image. */
static int looks_like_mbr(const uint8_t *p, size_t n)
{
	int i, used = 0;

	if (!rt_fits(n, 0, 512) || p[510] != 0x55 || p[511] != 0xAA)
		return 0;
	for (i = 0; i < 4; i++) {
		const uint8_t *e = p + 446 + 16 * i;

		if (e[0] != 0 && e[0] != 0x80)
			return 0;
		if (e[4] != 0 && rt_le32(e + 12) != 0)
			used++;
	}
	return used > 0;
}

static const char *image_kind(const uint8_t *p, size_t n, const uint8_t *tail, int *segment)
{
	*segment = 1;
	if (has(p, n, 0, "EVF\x09\x0d\x0a\xff\x00", 8) ||
	    has(p, n, 0, "LVF\x09\x0d\x0a\xff\x00", 8)) {
		if (rt_fits(n, 9, 2))
			*segment = rt_le16(p + 9);
		return p[0] == 'E' ? "E01" : "L01";
	}
	if (has(p, n, 0, "EVF2\x0d\x0a\x81\x00", 8))
		return "Ex01";
	if (has(p, n, 0, "KDMV", 4) || has(p, n, 0, "# Disk DescriptorFile", 21))
		return "VMDK";
	if (has(p, n, 0, "QFI\xfb", 4))
		return "QCOW2";
	if (has(p, n, 0, "vhdxfile", 8))
		return "VHDX";
	if (has(p, n, 0, "conectix", 8) || (tail && memcmp(tail, "conectix", 8) == 0))
		return "VHD";
	if (has(p, n, 0, "<<< Oracle VM VirtualBox Disk Image >>>", 39))
		return "VDI";
	if (has(p, n, 3, "-FVE-FS-", 8))
		return "BitLocker volume";
	if (has(p, n, 3, "NTFS    ", 8) && has(p, n, 510, "\x55\xAA", 2))
		return "raw NTFS volume";
	if (has(p, n, 512, "EFI PART", 8))
		return "raw GPT disk";
	if (looks_like_mbr(p, n))
		return "raw MBR disk";
	return NULL;
}

/* Archives and compressed files, by their signatures (gzip: RFC 1952,
 * deflate and no reserved flag, so that two bytes alone do not decide). */
static const char *archive_kind(const uint8_t *p, size_t n)
{
	if (has(p, n, 0, "PK\x03\x04", 4) || has(p, n, 0, "PK\x05\x06", 4))
		return "ZIP";
	if (has(p, n, 0, "7z\xbc\xaf\x27\x1c", 6))
		return "7z";
	if (has(p, n, 257, "ustar", 5))
		return "tar";
	if (has(p, n, 0, "\x1f\x8b\x08", 3) && rt_fits(n, 3, 1) && !(p[3] & 0xE0))
		return "gzip";
	if (has(p, n, 0, "\xfd" "7zXZ\x00", 6))
		return "xz";
	if (has(p, n, 0, "BZh", 3) && rt_fits(n, 3, 7) && p[3] >= '1' && p[3] <= '9' &&
	    !memcmp(p + 4, "\x31\x41\x59\x26\x53\x59", 6))
		return "bzip2";
	return NULL;
}

void ev_sniff_buf(const uint8_t *head, size_t n, const uint8_t *tail, uint64_t size, ev_sniff *out)
{
	(void)size;
	memset(out, 0, sizeof(*out));
	if (has(head, n, 0, "ElfFile\0", 8)) {
		out->type = EV_EVTX;
		return;
	}
	if (has(head, n, 0, "regf", 4)) {
		/* Types 1 and 2 are old-format logs, 6 the new format (8.1+).
		 * Any other type, or a base block cut short, is taken for a
		 * damaged primary file: the registry stage reports it. */
		uint32_t t = rt_fits(n, REGF_TYPE_OFF, 4) ? rt_le32(head + REGF_TYPE_OFF) : 0;

		out->type = (t == 1 || t == 2 || t == 6) ? EV_HIVE_LOG : EV_HIVE;
		return;
	}
	if ((out->image_kind = archive_kind(head, n)) != NULL) {
		out->type = EV_ARCHIVE;
		return;
	}
	out->image_kind = image_kind(head, n, tail, &out->image_segment);
	if (out->image_kind) {
		out->type = EV_IMAGE;
		out->image_raw = !strncmp(out->image_kind, "raw ", 4) ||
		                 !strcmp(out->image_kind, "BitLocker volume");
	}
}

const char *rt_hive_kind_name(rt_hive_kind k)
{
	switch (k) {
	case RT_HIVE_SYSTEM:
		return "SYSTEM";
	case RT_HIVE_SOFTWARE:
		return "SOFTWARE";
	case RT_HIVE_SAM:
		return "SAM";
	case RT_HIVE_SECURITY:
		return "SECURITY";
	case RT_HIVE_NTUSER:
		return "NTUSER";
	case RT_HIVE_USRCLASS:
		return "USRCLASS";
	case RT_HIVE_OTHER:
		return "OTHER";
	case RT_HIVE_UNKNOWN:
		break;
	}
	return "UNKNOWN";
}
