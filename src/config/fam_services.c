/* Service start types (artifacts.md 2.1) and Winmgmt's own-process mode
 * (2.2): `winmgmt /standalonehost` points ImagePath at "svchost -k winmgmt". */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cfg_internal.h"

static const struct {
	const char *key, *name;
} services[] = {
	{ "WinRM", "winrm" },	    { "Winmgmt", "winmgmt" }, { "RpcSs", "rpcss" },
	{ "DcomLaunch", "dcomlaunch" }, { "MpsSvc", "mpssvc" },   { "RemoteRegistry", "remoteregistry" },
};

/* "...svchost.exe -k winmgmt" possibly followed by more switches. */
static int own_group(const char *image)
{
	const char *p = rt_strcasestr(image, "-k winmgmt");

	return p && (p[10] == '\0' || p[10] == ' ');
}

static int one(cfg_ctx *c, size_t i)
{
	char path[512], name[64], raw[64], val[40];
	uint32_t start, delayed = 0;
	rt_key *k;
	char *image = NULL;
	int rc = 0;
	rt_buf b = RT_BUF_INIT;

	rt_buf_addf(&b, "CCS\\Services\\%s", services[i].key);
	k = cfg_open(c, b.buf, path);
	rt_buf_release(&b);
	if (!k)
		return 0;
	if (cfg_dword(c, k, path, "Start", &start) == 1) {
		const char *s;

		if (rt_key_get_dword(k, "DelayedAutostart", &delayed) != 1)
			delayed = 0;
		s = rt_cfg_start_name(start, start == 2 && delayed == 1);
		rt_buf_addf(&b, "0x%x (%u)%s", (unsigned)start, (unsigned)start,
			    delayed == 1 && start == 2 ? ", DelayedAutostart=1" : "");
		memcpy(raw, b.buf, b.len + 1 < sizeof(raw) ? b.len + 1 : sizeof(raw));
		raw[sizeof(raw) - 1] = '\0';
		rt_buf_reset(&b);
		if (s)
			rt_buf_addf(&b, "\"%s\"", s);
		else
			rt_buf_addf(&b, "\"unknown(%u)\"", (unsigned)start);
		memcpy(val, b.buf, b.len + 1);
		rt_buf_reset(&b);
		rt_buf_addf(&b, "service.%s.start", services[i].name);
		memcpy(name, b.buf, b.len + 1);
		rc |= cfg_emit(c, name, val, raw, path, "Start", rt_key_last_written(k), 0);
		rt_buf_release(&b);
	}
	rt_buf_addf(&b, "service.%s.image_path", services[i].name);
	rc |= cfg_emit_str(c, k, path, "ImagePath", b.buf) < 0 && c->oom;
	rt_buf_release(&b);
	if (!strcmp(services[i].name, "winmgmt") && rt_key_get_string(k, "ImagePath", &image) == 1) {
		rc |= cfg_emit(c, "service.winmgmt.standalone", own_group(image) ? "true" : "false", image,
			       path, "ImagePath", rt_key_last_written(k), 0);
		free(image);
	}
	rt_key_free(&k);
	return rc ? -1 : 0;
}

int cfg_fam_services(cfg_ctx *c)
{
	size_t i;

	for (i = 0; i < sizeof(services) / sizeof(services[0]); i++)
		if (one(c, i))
			return -1;
	return 0;
}
