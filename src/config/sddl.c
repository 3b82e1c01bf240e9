/*
 * Self-relative SECURITY_DESCRIPTOR to SDDL, as Windows'
 * ConvertSecurityDescriptorToStringSecurityDescriptor spells it (so an
 * analyst can compare with what `sc sdshow` or dcomcnfg documentation
 * shows): owner, group, DACL, SACL; rights letters in bit order, the whole
 * mask as hex when a bit has no letter; well-known SIDs abbreviated.
 * Every offset is checked against the buffer; ACE counts are capped by the
 * ACL size, so a hostile descriptor cannot make us loop or read outside.
 */
#include "config.h"

#include <string.h>

#include "remtrail/config.h"

static const struct {
	const char *sid, *abbr;
} well_known[] = {
	{ "S-1-1-0", "WD" },	     { "S-1-3-0", "CO" },	  { "S-1-3-1", "CG" },
	{ "S-1-3-4", "OW" },	     { "S-1-5-2", "NU" },	  { "S-1-5-4", "IU" },
	{ "S-1-5-6", "SU" },	     { "S-1-5-7", "AN" },	  { "S-1-5-9", "ED" },
	{ "S-1-5-10", "PS" },	     { "S-1-5-11", "AU" },	  { "S-1-5-12", "RC" },
	{ "S-1-5-18", "SY" },	     { "S-1-5-19", "LS" },	  { "S-1-5-20", "NS" },
	{ "S-1-5-32-544", "BA" },    { "S-1-5-32-545", "BU" },	  { "S-1-5-32-546", "BG" },
	{ "S-1-5-32-547", "PU" },    { "S-1-5-32-548", "AO" },	  { "S-1-5-32-549", "SO" },
	{ "S-1-5-32-550", "PO" },    { "S-1-5-32-551", "BO" },	  { "S-1-5-32-552", "RE" },
	{ "S-1-5-32-554", "RU" },    { "S-1-5-32-555", "RD" },	  { "S-1-5-32-556", "NO" },
	{ "S-1-5-32-558", "MU" },    { "S-1-5-32-559", "LU" },	  { "S-1-5-32-568", "IS" },
	{ "S-1-5-32-569", "CY" },    { "S-1-5-32-573", "ER" },	  { "S-1-5-32-574", "CD" },
	{ "S-1-5-32-579", "AA" },    { "S-1-5-32-580", "RM" },	  { "S-1-15-2-1", "AC" },
	{ "S-1-16-4096", "LW" },     { "S-1-16-8192", "ME" },	  { "S-1-16-8448", "MP" },
	{ "S-1-16-12288", "HI" },    { "S-1-16-16384", "SI" },
};

static const char *const right_bits[32] = {
	"CC", "DC", "LC", "SW", "RP", "WP", "DT", "LO", "CR", NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	"SD", "RC", "WD", "WO", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "GA", "GX", "GW", "GR",
};

static const struct {
	uint32_t mask;
	const char *abbr;
} full_rights[] = {
	{ 0x1F01FF, "FA" }, { 0x120089, "FR" }, { 0x120116, "FW" }, { 0x1200A0, "FX" },
	{ 0xF003F, "KA" },  { 0x20019, "KR" },	{ 0x20006, "KW" },
};

/* SID at p (n bytes available); *used receives its length. */
static int sid_text(rt_buf *out, const uint8_t *p, size_t n, size_t *used, int abbreviate)
{
	rt_buf s = RT_BUF_INIT;
	size_t len, i;
	uint64_t auth = 0;
	unsigned count;
	int rc = 0;

	if (n < 8 || p[0] != 1)
		return -1;
	count = p[1];
	len = 8 + 4 * (size_t)count;
	if (count > 15 || len > n)
		return -1;
	for (i = 2; i < 8; i++)
		auth = (auth << 8) | p[i];
	rc |= rt_buf_addf(&s, "S-1-%llu", (unsigned long long)auth);
	for (i = 0; i < count; i++)
		rc |= rt_buf_addf(&s, "-%u", (unsigned)rt_le32(p + 8 + 4 * i));
	*used = len;
	for (i = 0; abbreviate && !rc && i < sizeof(well_known) / sizeof(well_known[0]); i++)
		if (!strcmp(well_known[i].sid, s.buf)) {
			rt_buf_release(&s);
			return rt_buf_adds(out, well_known[i].abbr);
		}
	rc |= rt_buf_add(out, s.buf, s.len);
	rt_buf_release(&s);
	return rc ? -1 : 0;
}

static int rights_text(rt_buf *out, uint32_t mask)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < sizeof(full_rights) / sizeof(full_rights[0]); i++)
		if (mask == full_rights[i].mask)
			return rt_buf_adds(out, full_rights[i].abbr);
	for (i = 0; i < 32; i++)
		if ((mask & (1u << i)) && !right_bits[i])
			return rt_buf_addf(out, "0x%x", (unsigned)mask);
	for (i = 0; i < 32; i++)
		if (mask & (1u << i))
			rc |= rt_buf_adds(out, right_bits[i]);
	return rc;
}

static int ace_type_text(rt_buf *out, unsigned type)
{
	static const char *const t[] = { "A", "D", "AU", "AL", NULL, "OA", "OD", "OU", "OL",
					 "XA", "XD", NULL, NULL, NULL, NULL, NULL, NULL, "ML" };

	if (type < sizeof(t) / sizeof(t[0]) && t[type])
		return rt_buf_adds(out, t[type]);
	return rt_buf_addf(out, "0x%x", type);
}

static int ace_flags_text(rt_buf *out, unsigned flags)
{
	static const struct {
		unsigned bit;
		const char *s;
	} f[] = { { 0x1, "OI" }, { 0x2, "CI" }, { 0x4, "NP" }, { 0x8, "IO" },
		  { 0x10, "ID" }, { 0x40, "SA" }, { 0x80, "FA" } };
	size_t i;
	int rc = 0;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (flags & f[i].bit)
			rc |= rt_buf_adds(out, f[i].s);
	return rc;
}

static int guid_text(rt_buf *out, const uint8_t *g)
{
	return rt_buf_addf(out, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", (unsigned)rt_le32(g),
			   (unsigned)rt_le16(g + 4), (unsigned)rt_le16(g + 6), g[8], g[9], g[10], g[11],
			   g[12], g[13], g[14], g[15]);
}

static int acl_text(rt_buf *out, const uint8_t *sd, size_t n, uint32_t off)
{
	size_t size, pos, end;
	unsigned count, i;

	if (!rt_fits(n, off, 8))
		return -1;
	size = rt_le16(sd + off + 2);
	count = rt_le16(sd + off + 4);
	if (size < 8 || !rt_fits(n, off, size))
		return -1;
	end = off + size;
	pos = off + 8;
	for (i = 0; i < count; i++) {
		const uint8_t *a = sd + pos;
		size_t asz, body, used;
		unsigned type;
		uint32_t mask;

		if (!rt_fits(end, pos, 8))
			return -1;
		type = a[0];
		asz = rt_le16(a + 2);
		if (asz < 8 || !rt_fits(end, pos, asz))
			return -1;
		mask = rt_le32(a + 4);
		body = 8;
		if (rt_buf_addch(out, '(') || ace_type_text(out, type) || rt_buf_addch(out, ';') ||
		    ace_flags_text(out, a[1]) || rt_buf_addch(out, ';') || rights_text(out, mask) ||
		    rt_buf_addch(out, ';'))
			return -1;
		if (type >= 5 && type <= 8) {
			uint32_t oflags;

			if (asz < 12)
				return -1;
			oflags = rt_le32(a + 8);
			body = 12;
			if (oflags & 1) {
				if (asz < body + 16 || guid_text(out, a + body))
					return -1;
				body += 16;
			}
			if (rt_buf_addch(out, ';'))
				return -1;
			if (oflags & 2) {
				if (asz < body + 16 || guid_text(out, a + body))
					return -1;
				body += 16;
			}
		} else if (rt_buf_addch(out, ';')) {
			return -1;
		}
		if (rt_buf_addch(out, ';') || sid_text(out, a + body, asz - body, &used, 1) ||
		    rt_buf_addch(out, ')'))
			return -1;
		pos += asz;
	}
	return 0;
}

static int acl_part(rt_buf *out, const uint8_t *sd, size_t n, char letter, uint16_t control,
		    unsigned present, unsigned prot, unsigned ai, unsigned ar, uint32_t off)
{
	if (!(control & present))
		return 0;
	if (rt_buf_addch(out, letter) || rt_buf_addch(out, ':'))
		return -1;
	if ((control & prot) && rt_buf_addch(out, 'P'))
		return -1;
	if ((control & ar) && rt_buf_adds(out, "AR"))
		return -1;
	if ((control & ai) && rt_buf_adds(out, "AI"))
		return -1;
	if (off == 0)
		return rt_buf_adds(out, "NO_ACCESS_CONTROL");
	return acl_text(out, sd, n, off);
}

int rt_sd_to_sddl(const uint8_t *sd, size_t n, rt_buf *out)
{
	size_t start = out->len, used;
	uint16_t control;
	uint32_t owner, group, sacl, dacl;

	if (!sd || n < 20 || sd[0] != 1)
		return -1;
	control = rt_le16(sd + 2);
	if (!(control & 0x8000))
		return -1;
	owner = rt_le32(sd + 4);
	group = rt_le32(sd + 8);
	sacl = rt_le32(sd + 12);
	dacl = rt_le32(sd + 16);
	if (owner && (owner >= n || rt_buf_adds(out, "O:") ||
		      sid_text(out, sd + owner, n - owner, &used, 1)))
		goto bad;
	if (group && (group >= n || rt_buf_adds(out, "G:") ||
		      sid_text(out, sd + group, n - group, &used, 1)))
		goto bad;
	if (acl_part(out, sd, n, 'D', control, 0x4, 0x1000, 0x400, 0x100, dacl) ||
	    acl_part(out, sd, n, 'S', control, 0x10, 0x2000, 0x800, 0x200, sacl))
		goto bad;
	return 0;
bad:
	rt_buf_truncate(out, start);
	return -1;
}
