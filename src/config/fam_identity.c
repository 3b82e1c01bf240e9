/* Host identity (artifacts.md 2.10): computer name, domain, addresses of
 * every interface (static and DHCP), time zone; and the networks the host
 * has known (SOFTWARE NetworkList\Profiles) with their category. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_internal.h"

#define MAX_IFACES 4096

static int is_zero_addr(const char *s)
{
	return !*s || !strcmp(s, "0.0.0.0") || !strcmp(s, "::");
}

static void add_list(rt_buf *json, rt_buf *all, char **v, size_t n, const char *one)
{
	size_t i;

	for (i = 0; one ? i < 1 : i < n; i++) {
		const char *a = one ? one : v[i];

		rt_buf q = RT_BUF_INIT;

		if (is_zero_addr(a))
			continue;
		if (json->buf[json->len - 1] != '[')
			rt_buf_addch(json, ',');
		rt_json_cstr(&q, a);
		rt_buf_adds(json, q.buf);
		if (!strstr(all->buf, q.buf)) {
			if (all->len > 1)
				rt_buf_addch(all, ',');
			rt_buf_adds(all, q.buf);
		}
		rt_buf_release(&q);
	}
}

static int nonzero_mask(const char *m)
{
	return m && *m && strcmp(m, "0.0.0.0");
}

static void subnet_add(rt_buf *b, const char *addr, const char *mask)
{
	if (b->len)
		rt_buf_addch(b, ',');
	rt_buf_adds(b, addr);
	if (mask)
		rt_buf_addf(b, "/%s", mask);
}

/* One interface: its addresses into `all` (a JSON array under way) and a
 * host.interface.<guid> object, whose text is what LocalSubnet stands for
 * on it: each address with its mask. With EnableDHCP Windows uses the DHCP
 * address and DhcpSubnetMask and ignores the static list; otherwise
 * IPAddress and SubnetMask are parallel lists. Tcpip6 interface keys keep
 * no on-link prefix, so an IPv6 address counts only when written with one. */
static int iface(cfg_ctx *c, rt_key *k, const char *path, rt_buf *all, int v6)
{
	rt_buf obj = RT_BUF_INIT, addrs = RT_BUF_INIT, name = RT_BUF_INIT, sub = RT_BUF_INIT;
	uint32_t dhcp = 0;
	char **v = NULL, **masks = NULL, *s = NULL, *dmask = NULL;
	size_t n = 0, nm = 0;
	int rc;
	static const struct {
		const char *value, *field;
	} strs[] = { { "DhcpSubnetMask", "dhcp_subnet_mask" }, { "DhcpDefaultGateway", "dhcp_gateway" },
		     { "DhcpServer", "dhcp_server" },	   { "DhcpDomain", "dhcp_domain" },
		     { "Domain", "domain" },		   { "NameServer", "name_server" } };
	size_t i;

	if (rt_key_get_dword(k, "EnableDHCP", &dhcp) != 1)
		dhcp = 0;
	if (rt_key_get_multi_sz(k, "SubnetMask", &masks, &nm) != 1) {
		masks = NULL;
		nm = 0;
	}
	if (rt_key_get_string(k, "DhcpSubnetMask", &dmask) != 1)
		dmask = NULL;
	rt_buf_addch(&addrs, '[');
	if (rt_key_get_multi_sz(k, "IPAddress", &v, &n) == 1) {
		add_list(&addrs, all, v, n, NULL);
		for (i = 0; i < n; i++) {
			if (is_zero_addr(v[i]))
				continue;
			if (v6 ? strchr(v[i], '/') != NULL : !dhcp && i < nm && nonzero_mask(masks[i]))
				subnet_add(&sub, v[i], v6 ? NULL : masks[i]);
		}
		rt_strv_free(v);
		v = NULL;
	}
	if (rt_key_get_string(k, "DhcpIPAddress", &s) == 1) {
		add_list(&addrs, all, NULL, 0, s);
		if (dhcp && !is_zero_addr(s) && !v6 && nonzero_mask(dmask))
			subnet_add(&sub, s, dmask);
		free(s);
		s = NULL;
	}
	free(dmask);
	rt_buf_addch(&addrs, ']');
	if (addrs.len == 2 && !dhcp) {
		rt_strv_free(masks);
		rt_buf_release(&addrs);
		rt_buf_release(&sub);
		return 0;
	}
	cfg_obj_begin(&obj);
	cfg_obj_raw(&obj, "dhcp", dhcp ? "true" : "false");
	cfg_obj_raw(&obj, v6 ? "ipv6" : "ipv4", addrs.buf);
	if (masks) {
		rt_buf t = RT_BUF_INIT;

		rt_buf_addch(&t, '[');
		for (i = 0; i < nm; i++) {
			if (i)
				rt_buf_addch(&t, ',');
			rt_json_cstr(&t, masks[i]);
		}
		rt_buf_addch(&t, ']');
		cfg_obj_raw(&obj, "subnet_mask", t.buf);
		rt_buf_release(&t);
		rt_strv_free(masks);
	}
	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (rt_key_get_string(k, strs[i].value, &s) == 1) {
			if (*s)
				cfg_obj_str(&obj, strs[i].field, s);
			free(s);
		}
	cfg_obj_end(&obj);
	rt_buf_addf(&name, "host.interface%s.%s", v6 ? "6" : "", rt_key_name(k));
	rc = cfg_emit(c, name.buf, obj.buf, NULL, path, NULL, rt_key_last_written(k), 0);
	if (!rc)
		rc = cfg_set_text(c, sub.buf);
	rt_buf_release(&obj);
	rt_buf_release(&addrs);
	rt_buf_release(&name);
	rt_buf_release(&sub);
	return rc;
}

static int interfaces(cfg_ctx *c, const char *keypath, const char *setting, int v6)
{
	char path[512];
	rt_key *k = cfg_open(c, keypath, path);
	rt_buf all = RT_BUF_INIT;
	uint64_t lw = 0;
	int i, n, rc = 0;

	if (!k)
		return 0;
	n = rt_key_subkey_count(k);
	if (n > MAX_IFACES)
		n = MAX_IFACES;
	rt_buf_addch(&all, '[');
	for (i = 0; i < n && !rc; i++) {
		rt_key *sub = NULL;
		rt_buf sp = RT_BUF_INIT;

		if (rt_key_subkey_at(k, i, &sub) != 1)
			continue;
		rt_buf_addf(&sp, "%s\\%s", path, rt_key_name(sub));
		if (rt_key_last_written(sub) > lw)
			lw = rt_key_last_written(sub);
		rc = iface(c, sub, sp.buf, &all, v6);
		rt_buf_release(&sp);
		rt_key_free(&sub);
	}
	rt_buf_addch(&all, ']');
	if (!rc && all.len > 2)
		rc = cfg_emit(c, setting, all.buf, NULL, path, NULL, lw, 0);
	rt_buf_release(&all);
	rt_key_free(&k);
	return rc;
}

static int first_string(cfg_ctx *c, const char *keypath, const char *const *values, const char *name)
{
	char path[512];
	rt_key *k = cfg_open(c, keypath, path);
	int i, rc = 0;

	if (!k)
		return 0;
	for (i = 0; values[i]; i++) {
		char *s = NULL;

		if (rt_key_get_string(k, values[i], &s) == 1 && *s) {
			rt_buf v = RT_BUF_INIT;

			rt_json_cstr(&v, s);
			rc = cfg_emit(c, name, v.buf, s, path, values[i], rt_key_last_written(k), 0);
			rt_buf_release(&v);
			free(s);
			break;
		}
		free(s);
	}
	rt_key_free(&k);
	return rc;
}

/* Default and administrative shares do not make a file server. */
static int user_share(const char *name)
{
	size_t n = strlen(name);

	return n && name[n - 1] != '$' && !rt_strcaseeq(name, "print$") && !rt_strcaseeq(name, "Users");
}

/* The host's role, from ProductOptions\\ProductType (WinNT workstation,
 * ServerNT server, LanmanNT domain controller), the NTDS service (a domain
 * controller) and LanmanServer\Shares (a server sharing folders is a file
 * server). host.role is "workstation", "server", "file_server" or
 * "domain_controller"; its raw names what it rests on. */
static int role(cfg_ctx *c)
{
	char path[512], spath[512];
	rt_key *k = cfg_open(c, "CCS\\Control\\ProductOptions", path), *sh;
	rt_buf raw = RT_BUF_INIT, v = RT_BUF_INIT;
	char *type = NULL;
	const char *r;
	int ntds, shares = 0, i, n, rc;
	uint64_t lw = 0;

	if (!k)
		return 0;
	if (rt_key_get_string(k, "ProductType", &type) != 1) {
		rt_key_free(&k);
		return 0;
	}
	lw = rt_key_last_written(k);
	rt_key_free(&k);
	ntds = (k = cfg_open(c, "CCS\\Services\\NTDS\\Parameters", spath)) != NULL;
	rt_key_free(&k);
	rt_buf_addf(&raw, "ProductType=%s; NTDS %s", type, ntds ? "present" : "absent");
	if ((sh = cfg_open(c, "CCS\\Services\\LanmanServer\\Shares", spath))) {
		n = rt_key_value_count(sh);
		for (i = 0; i < n && i < 256; i++) {
			rt_value *val = NULL;

			if (rt_key_value_at(sh, i, &val) != 1)
				continue;
			if (user_share(val->name)) {
				rt_buf_addf(&raw, "%s%s", shares ? "," : "; shares ", val->name);
				shares++;
			}
			rt_value_free(&val);
		}
		rt_key_free(&sh);
	}
	r = rt_strcaseeq(type, "LanmanNT") || ntds ? "domain_controller"
	    : rt_strcaseeq(type, "ServerNT")	    ? (shares ? "file_server" : "server")
						    : "workstation";
	rt_json_cstr(&v, r);
	rc = cfg_emit(c, "host.role", v.buf, raw.buf, path, "ProductType", lw, 0);
	free(type);
	rt_buf_release(&raw);
	rt_buf_release(&v);
	return rc;
}

int cfg_fam_identity(cfg_ctx *c)
{
	static const char *const cname[] = { "ComputerName", NULL };
	static const char *const domain[] = { "Domain", "NV Domain", "DhcpDomain", NULL };
	static const char *const tz[] = { "TimeZoneKeyName", "StandardName", NULL };
	char path[512];
	rt_key *k;
	uint32_t bias;
	int rc = 0;

	rc |= first_string(c, "CCS\\Control\\ComputerName\\ComputerName", cname, "host.name");
	rc |= first_string(c, "CCS\\Services\\Tcpip\\Parameters", domain, "host.domain");
	rc |= interfaces(c, "CCS\\Services\\Tcpip\\Parameters\\Interfaces", "host.ipv4", 0);
	rc |= interfaces(c, "CCS\\Services\\Tcpip6\\Parameters\\Interfaces", "host.ipv6", 1);
	rc |= first_string(c, "CCS\\Control\\TimeZoneInformation", tz, "host.time_zone");
	rc |= role(c);
	if ((k = cfg_open(c, "CCS\\Control\\TimeZoneInformation", path))) {
		if (cfg_dword(c, k, path, "ActiveTimeBias", &bias) == 1) {
			char raw[32];
			rt_buf v = RT_BUF_INIT;

			cfg_raw_dword(bias, raw);
			rt_buf_addf(&v, "%d", (int)(int32_t)bias);
			rc |= cfg_emit(c, "host.time_zone.active_bias_minutes", v.buf, raw, path,
				       "ActiveTimeBias", rt_key_last_written(k), 0);
			rt_buf_release(&v);
		}
		rt_key_free(&k);
	}
	return rc ? -1 : 0;
}

/* A SYSTEMTIME (16 bytes: year, month, day of week, day, hour, minute,
 * second, milliseconds) as "YYYY-MM-DDTHH:MM:SS.mmm", no zone: NetworkList
 * writes it in the host's local time. 0, or -1 when it is not one. */
static int systemtime_text(const uint8_t *d, size_t n, char out[32])
{
	unsigned v[8];
	size_t i;

	if (!d || !rt_fits(n, 0, 16))
		return -1;
	for (i = 0; i < 8; i++)
		v[i] = rt_le16(d + 2 * i);
	if (v[0] < 1601 || v[0] > 30827 || v[1] < 1 || v[1] > 12 || v[3] < 1 || v[3] > 31 ||
	    v[4] > 23 || v[5] > 59 || v[6] > 59 || v[7] > 999)
		return -1;
	snprintf(out, 32, "%04u-%02u-%02uT%02u:%02u:%02u.%03u", v[0], v[1], v[3], v[4], v[5], v[6],
		 v[7]);
	return 0;
}

/* One NetworkList profile: name, category (NLM_NETWORK_CATEGORY 0 public,
 * 1 private, 2 domain) and the first/last connection in local time. */
static int net_profile(cfg_ctx *c, rt_key *k, const char *path)
{
	static const char *const cats[] = { "public", "private", "domain" };
	static const struct {
		const char *value, *field;
	} dates[] = { { "DateCreated", "date_created_local" },
		      { "DateLastConnected", "date_last_connected_local" } };
	rt_buf obj = RT_BUF_INIT, name = RT_BUF_INIT;
	char *s = NULL, when[32];
	uint32_t cat;
	size_t i;
	int rc;

	cfg_obj_begin(&obj);
	if (rt_key_get_string(k, "ProfileName", &s) == 1)
		cfg_obj_str(&obj, "name", s);
	free(s);
	s = NULL;
	if (rt_key_get_string(k, "Description", &s) == 1)
		cfg_obj_str(&obj, "description", s);
	free(s);
	if (rt_key_get_dword(k, "Category", &cat) == 1)
		cfg_obj_str(&obj, "category", cat < 3 ? cats[cat] : NULL);
	for (i = 0; i < sizeof dates / sizeof *dates; i++) {
		uint8_t *d = NULL;
		size_t n = 0;

		if (rt_key_get_binary(k, dates[i].value, &d, &n, NULL) == 1 &&
		    !systemtime_text(d, n, when))
			cfg_obj_str(&obj, dates[i].field, when);
		free(d);
	}
	cfg_obj_end(&obj);
	rt_buf_addf(&name, "network.profile.%s", rt_key_name(k));
	rc = cfg_emit(c, name.buf, obj.buf, NULL, path, NULL, rt_key_last_written(k), 0);
	rt_buf_release(&obj);
	rt_buf_release(&name);
	return rc;
}

int cfg_fam_network_profiles(cfg_ctx *c)
{
	return cfg_each_subkey(c, "Microsoft\\Windows NT\\CurrentVersion\\NetworkList\\Profiles",
			       net_profile);
}
