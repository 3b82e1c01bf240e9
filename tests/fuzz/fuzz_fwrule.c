/* libFuzzer target: the firewall rule-string parser and its helpers must
 * survive any bytes. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "remtrail/fwrule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rt_fwrule r;
	rt_buf b = RT_BUF_INIT;

	rt_fwrule_parse((const char *)data, size, &r);
	rt_fw_ports_cover(&r.lport, 135);
	rt_fw_ports_cover_rpc_dynamic(&r.lport);
	rt_fw_addrs_cover(&r.ra4, "10.1.2.3");
	rt_fw_addrs_cover(&r.ra6, "fe80::1");
	rt_fw_ports_text(&b, &r.lport);
	rt_fw_addrs_text(&b, &r.ra4);
	rt_fw_addrs_text(&b, &r.la6);
	rt_fw_profiles_text(&b, r.profiles);
	rt_fwrule_get(&r, "Name");
	rt_buf_release(&b);
	rt_fwrule_release(&r);
	return 0;
}
