/* fwrule: the rule-string parser, table-driven over real and hostile rules,
 * and SD -> SDDL decoding (pure helpers of the config module). */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "remtrail/config.h"
#include "remtrail/fwrule.h"
#include "remtrail/winfw.h"

/* Does the rule match TCP `port` (or a dynamic RPC endpoint with kind RPC,
 * the endpoint mapper with EPMAP) from `remote` for any program? */
static rt_winfw_match on(const rt_fwrule *r, rt_winfw_port_kind kind, unsigned port, const char *remote,
			 const char *local)
{
	rt_winfw_conn c = { 6, kind, port, "%SystemRoot%\\system32\\svchost.exe", "winmgmt", NULL, remote };

	return rt_winfw_rule_matches(r, 0, &c, local, NULL);
}

static void parse_ok(const char *s, rt_fwrule *r)
{
	ck_assert_int_eq(rt_fwrule_parse(s, strlen(s), r), 0);
}

static char *ports(const rt_fw_ports *p)
{
	rt_buf b = RT_BUF_INIT;

	rt_fw_ports_text(&b, p);
	return rt_buf_detach(&b, NULL);
}

static char *addrs(const rt_fw_addrs *a)
{
	rt_buf b = RT_BUF_INIT;

	rt_fw_addrs_text(&b, a);
	return rt_buf_detach(&b, NULL);
}

#define CK_TEXT(fn, x, want)                            \
	do {                                            \
		char *t_ = fn(x);                       \
		ck_assert_str_eq(t_, want);             \
		free(t_);                               \
	} while (0)

START_TEST(predefined_winrm_rule)
{
	rt_fwrule r;

	parse_ok("v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|Profile=Domain|Profile=Private|"
		 "LPort=5985|App=System|Name=@FirewallAPI.dll,-30253|Desc=@FirewallAPI.dll,-30256|"
		 "EmbedCtxt=@FirewallAPI.dll,-30267|",
		 &r);
	ck_assert_str_eq(r.version, "v2.10");
	ck_assert_uint_eq(r.vmajor, 2);
	ck_assert_uint_eq(r.vminor, 10);
	ck_assert_int_eq(r.action, RT_FW_ACTION_ALLOW);
	ck_assert_int_eq(r.dir, RT_FW_DIR_IN);
	ck_assert_int_eq(r.active, 1);
	ck_assert_int_eq(r.protocol, 6);
	ck_assert_uint_eq(r.profiles, RT_FW_PROF_DOMAIN | RT_FW_PROF_PRIVATE);
	ck_assert(!rt_fwrule_has_profile(&r, RT_FW_PROF_PUBLIC));
	ck_assert_str_eq(r.app, "System");
	ck_assert_str_eq(r.name, "@FirewallAPI.dll,-30253");
	ck_assert_str_eq(r.embedctxt, "@FirewallAPI.dll,-30267");
	ck_assert_uint_eq(r.nfields, 11);
	ck_assert_uint_eq(r.bad, 0);
	ck_assert_str_eq(rt_fwrule_get(&r, "profile"), "Domain");
	rt_fwrule_release(&r);
}
END_TEST

/* The [MS-GPFAS] example: repeated LA4, a range and a subnet. */
START_TEST(microsoft_example_repeated_keys)
{
	rt_fwrule r;

	parse_ok("v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=80|LA4=10.0.0.1|"
		 "LA4=10.0.0.5-10.0.0.10|RA4=LocalSubnet|RA4=192.168.1.0/24|Name=Web|",
		 &r);
	ck_assert_uint_eq(r.la4.n, 2);
	ck_assert_int_eq(r.la4.v[1].kind, RT_FW_ADDR_V4);
	CK_TEXT(addrs, &r.la4, "10.0.0.1,10.0.0.5-10.0.0.10");
	CK_TEXT(addrs, &r.ra4, "LocalSubnet,192.168.1.0/24");
	ck_assert_int_eq(r.ra4.v[0].kind, RT_FW_ADDR_KEYWORD);
	/* the local-address condition depends on the host's addresses */
	ck_assert_int_eq(on(&r, RT_WINFW_PORT_FIXED, 80, NULL, NULL), RT_WINFW_DEPENDS);
	rt_fwrule_release(&r);
	parse_ok("v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=80|RA4=LocalSubnet|RA4=192.168.1.0/24|", &r);
	ck_assert_int_eq(on(&r, RT_WINFW_PORT_FIXED, 80, "192.168.1.77", NULL), RT_WINFW_YES);
	ck_assert_int_eq(on(&r, RT_WINFW_PORT_FIXED, 80, "192.168.2.1", NULL), RT_WINFW_DEPENDS); /* LocalSubnet unknown */
	ck_assert_int_eq(on(&r, RT_WINFW_PORT_FIXED, 80, "192.168.2.1", "192.168.2.5/255.255.255.0"), RT_WINFW_YES);
	ck_assert_int_eq(on(&r, RT_WINFW_PORT_FIXED, 80, "10.0.0.1", "192.168.2.5/255.255.255.0"), RT_WINFW_NO);
	rt_fwrule_release(&r);
}
END_TEST

START_TEST(port_keywords_and_ranges)
{
	rt_fwrule r;

	parse_ok("v2.30|Action=Block|Dir=In|Protocol=6|LPort=RPC-EPMap|LPort2_10=49152-65535|"
		 "LPort=IPHTTPSIn|RPort=Ply2Disc|Name=x|",
		 &r);
	CK_TEXT(ports, &r.lport, "RPC-EPMap,49152-65535,IPHTTPSIn");
	CK_TEXT(ports, &r.rport, "Ply2Disc");
	/* a client's ephemeral source port is not Ply2Disc */
	ck_assert_int_eq(on(&r, RT_WINFW_PORT_EPMAP, 135, NULL, NULL), RT_WINFW_NO);
	ck_assert_int_eq(r.action, RT_FW_ACTION_BLOCK);
	rt_fwrule_release(&r);
	parse_ok("v2.30|Action=Block|Dir=In|Protocol=6|LPort=RPC-EPMap|LPort2_10=49152-65535|LPort=IPHTTPSIn|", &r);
	ck_assert_int_eq(on(&r, RT_WINFW_PORT_EPMAP, 135, NULL, NULL), RT_WINFW_YES);
	ck_assert_int_eq(on(&r, RT_WINFW_PORT_FIXED, 50000, NULL, NULL), RT_WINFW_YES);
	ck_assert_int_eq(on(&r, RT_WINFW_PORT_RPC, 0, NULL, NULL), RT_WINFW_YES);
	ck_assert_int_eq(on(&r, RT_WINFW_PORT_FIXED, 5985, NULL, NULL), RT_WINFW_NO);
	rt_fwrule_release(&r);

	parse_ok("v2.10|Action=Allow|Dir=In|LPort=RPC|Svc=winmgmt|", &r);
	/* without Protocol= the port condition does not apply (any protocol) */
	ck_assert_int_eq(on(&r, RT_WINFW_PORT_RPC, 0, NULL, NULL), RT_WINFW_YES);
	ck_assert_str_eq(r.svc, "winmgmt");
	ck_assert_int_eq(r.protocol, -1);
	ck_assert_uint_eq(r.profiles, 0);
	ck_assert(rt_fwrule_has_profile(&r, RT_FW_PROF_PUBLIC));
	rt_fwrule_release(&r);

	parse_ok("v2.10|Action=Allow|Dir=In|LPort=5985,5986|", &r);
	CK_TEXT(ports, &r.lport, "5985,5986");
	rt_fwrule_release(&r);

	parse_ok("v2.10|Action=Allow|Dir=In|", &r);
	CK_TEXT(ports, &r.lport, "*");
	r.protocol = 6;
	ck_assert_int_eq(on(&r, RT_WINFW_PORT_FIXED, 1, NULL, NULL), RT_WINFW_YES);
	ck_assert_int_eq(on(&r, RT_WINFW_PORT_RPC, 0, NULL, NULL), RT_WINFW_YES);
	rt_fwrule_release(&r);
}
END_TEST

START_TEST(addresses_v6_masks_any)
{
	rt_fwrule r;

	parse_ok("v2.10|Action=Allow|Dir=In|RA4=10.0.0.0/255.0.0.0|RA6=fe80::/64|RA6=2001:db8::1-2001:db8::9|"
		 "LA4=*|",
		 &r);
	ck_assert_int_eq(on(&r, RT_WINFW_PORT_FIXED, 80, "10.200.1.1", NULL), RT_WINFW_YES);
	ck_assert_int_eq(on(&r, RT_WINFW_PORT_FIXED, 80, "11.0.0.1", NULL), RT_WINFW_NO);
	ck_assert_int_eq(on(&r, RT_WINFW_PORT_FIXED, 80, "fe80::1234", NULL), RT_WINFW_YES);
	ck_assert_int_eq(on(&r, RT_WINFW_PORT_FIXED, 80, "2001:db8::5", NULL), RT_WINFW_YES);
	ck_assert_int_eq(on(&r, RT_WINFW_PORT_FIXED, 80, "2001:db8::a", NULL), RT_WINFW_NO);
	ck_assert_int_eq(r.la4.v[0].kind, RT_FW_ADDR_ANY); /* LA4=* is no condition */
	ck_assert_uint_eq(r.bad, 0);
	rt_fwrule_release(&r);
}
END_TEST

START_TEST(wsh_capital_v_and_inactive)
{
	rt_fwrule r;

	parse_ok("V2.0|Action=Block|Dir=In|App=%SystemRoot%\\System32\\svchost.exe|Svc=RpcSs|Name=WSH|", &r);
	ck_assert_uint_eq(r.vmajor, 2);
	ck_assert_uint_eq(r.vminor, 0);
	rt_fwrule_release(&r);
	parse_ok("v2.10|Action=Allow|Active=FALSE|Dir=Out|Profile=Public|", &r);
	ck_assert_int_eq(r.active, 0);
	ck_assert_int_eq(r.dir, RT_FW_DIR_OUT);
	ck_assert_uint_eq(r.profiles, RT_FW_PROF_PUBLIC);
	rt_fwrule_release(&r);
}
END_TEST

static const struct {
	const char *s;
	int rc;
	unsigned min_bad;
} garbage[] = {
	{ "", -1, 0 },
	{ "|||", -1, 0 },
	{ "Action=Allow|Dir=In|", -1, 0 },
	{ "v2.10|Action=Maybe|Dir=Sideways|Protocol=300|Active=yes|", 0, 4 },
	{ "v2.10|LPort=70000|LPort=9-2|RA4=300.1.1.1|RA4=1.2.3.4/40|", 0, 3 },
	{ "v2.10|=|novalue|Profile=Nowhere|", 0, 3 },
	{ "vX.Y|Action=Allow|", -1, 0 },
	{ "v2.10|RA6=fe80::/200|LA6=::1-zz|", 0, 2 },
	{ "v2.10|Name=a|b|c", 0, 2 },
};

START_TEST(garbage_is_survived)
{
	rt_fwrule r;
	int rc = rt_fwrule_parse(garbage[_i].s, strlen(garbage[_i].s), &r);

	ck_assert_int_eq(rc, garbage[_i].rc);
	ck_assert_uint_ge(r.bad, garbage[_i].min_bad);
	rt_fwrule_release(&r);
}
END_TEST

START_TEST(embedded_nul_and_length)
{
	rt_fwrule r;
	static const char s[] = "v2.10|Action=Allow|\0Dir=In|";
	char *big;
	size_t n = RT_FW_MAX_RULE_LEN + 100, i;

	ck_assert_int_eq(rt_fwrule_parse(s, sizeof(s), &r), 0);
	ck_assert_int_eq(r.dir, RT_FW_DIR_NONE);
	rt_fwrule_release(&r);
	big = malloc(n);
	memcpy(big, "v2.10|", 6);
	for (i = 6; i < n; i++)
		big[i] = (i % 4) ? 'A' : '|';
	ck_assert_int_eq(rt_fwrule_parse(big, n, &r), 0);
	ck_assert_uint_le(r.nfields, RT_FW_MAX_FIELDS);
	ck_assert_uint_ge(r.bad, 1);
	rt_fwrule_release(&r);
	free(big);
}
END_TEST

/* O:BAG:BAD:(A;;CCDCLCSWRP;;;BA)(A;;CCDCSW;;;WD) built by hand. */
static size_t build_sd(uint8_t *p)
{
	static const uint8_t ba[] = { 1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 0x20, 2, 0, 0 };
	static const uint8_t wd[] = { 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0 };
	size_t off = 20, acl;

	memset(p, 0, 256);
	p[0] = 1;
	p[2] = 0x04;
	p[3] = 0x80; /* self-relative, DACL present */
	memcpy(p + off, ba, 16);
	p[4] = (uint8_t)off;
	off += 16;
	memcpy(p + off, ba, 16);
	p[8] = (uint8_t)off;
	off += 16;
	acl = off;
	p[16] = (uint8_t)acl;
	p[acl] = 2;
	p[acl + 4] = 2; /* two ACEs */
	off = acl + 8;
	p[off] = 0;
	p[off + 2] = 8 + 16;
	p[off + 4] = 0x1f;
	memcpy(p + off + 8, ba, 16);
	off += 24;
	p[off] = 0;
	p[off + 2] = 8 + 12;
	p[off + 4] = 0x0b;
	memcpy(p + off + 8, wd, 12);
	off += 20;
	p[acl + 2] = (uint8_t)(off - acl);
	return off;
}

START_TEST(sd_to_sddl)
{
	uint8_t sd[256];
	size_t n = build_sd(sd), cut;
	rt_buf b = RT_BUF_INIT;

	ck_assert_int_eq(rt_sd_to_sddl(sd, n, &b), 0);
	ck_assert_str_eq(b.buf, "O:BAG:BAD:(A;;CCDCLCSWRP;;;BA)(A;;CCDCSW;;;WD)");
	/* every truncation fails cleanly and appends nothing */
	for (cut = 0; cut < n; cut++) {
		rt_buf_reset(&b);
		rt_sd_to_sddl(sd, cut, &b);
		if (cut < 20)
			ck_assert_uint_eq(b.len, 0);
	}
	rt_buf_reset(&b);
	sd[52 + 2] = 0xff; /* ACE size beyond the ACL */
	ck_assert_int_eq(rt_sd_to_sddl(sd, n, &b), -1);
	ck_assert_uint_eq(b.len, 0);
	rt_buf_release(&b);
}
END_TEST

START_TEST(start_names)
{
	ck_assert_str_eq(rt_cfg_start_name(2, 1), "auto-delayed");
	ck_assert_str_eq(rt_cfg_start_name(2, 0), "auto");
	ck_assert_str_eq(rt_cfg_start_name(4, 0), "disabled");
	ck_assert_ptr_null(rt_cfg_start_name(9, 0));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fwrule");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, predefined_winrm_rule);
	tcase_add_test(tc, microsoft_example_repeated_keys);
	tcase_add_test(tc, port_keywords_and_ranges);
	tcase_add_test(tc, addresses_v6_masks_any);
	tcase_add_test(tc, wsh_capital_v_and_inactive);
	tcase_add_loop_test(tc, garbage_is_survived, 0, sizeof(garbage) / sizeof(garbage[0]));
	tcase_add_test(tc, embedded_nul_and_length);
	tcase_add_test(tc, sd_to_sddl);
	tcase_add_test(tc, start_names);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
