/* libFuzzer target: the firewall rule-string parser and its helpers must
 * survive any bytes. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "remtrail/fwrule.h"
#include "remtrail/winfw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rt_fwrule r;
	rt_buf b = RT_BUF_INIT;

	rt_winfw_conn c4 = { 6, RT_WINFW_PORT_EPMAP, 135, "%SystemRoot%\\system32\\svchost.exe", "RpcSs", "S-1-5-20",
			     "10.1.2.3" };
	rt_winfw_conn c6 = { 6, RT_WINFW_PORT_RPC, 0, "*\\EXCEL.EXE", NULL, NULL, "fe80::1" };
	int p;

	rt_fwrule_parse((const char *)data, size, &r);
	for (p = 0; p < RT_FW_NPROFILES; p++) {
		rt_winfw_rule_matches(&r, p, &c4, "10.1.0.0/16", NULL);
		rt_winfw_rule_matches(&r, p, &c6, NULL, NULL);
	}
	rt_winfw_rule_scope(&r, &b);
	rt_winfw_rule_relevant(&r);
	rt_fw_ports_text(&b, &r.lport);
	rt_fw_addrs_text(&b, &r.ra4);
	rt_fw_addrs_text(&b, &r.la6);
	rt_fw_profiles_text(&b, r.profiles);
	rt_fwrule_get(&r, "Name");
	rt_buf_release(&b);
	rt_fwrule_release(&r);
	return 0;
}
