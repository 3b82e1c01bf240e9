/* LocalAccountTokenFilterPolicy (artifacts.md 2.6): 1 gives remote local
 * administrators a full token; absent means 0. */
#include "config.h"

#include "cfg_internal.h"

#define UAC_KEY "Microsoft\\Windows\\CurrentVersion\\Policies\\System"

int cfg_fam_uac(cfg_ctx *c)
{
	char path[512];
	rt_key *k = cfg_open(c, UAC_KEY, path);
	uint64_t lw = k ? rt_key_last_written(k) : 0;

	if (k) {
		cfg_emit_int(c, k, path, "LocalAccountTokenFilterPolicy",
			     "uac.local_account_token_filter_policy");
		rt_key_free(&k);
	}
	if (cfg_emit_default(c, "uac.local_account_token_filter_policy", "0", path,
			     "LocalAccountTokenFilterPolicy", lw))
		return -1;
	return c->oom ? -1 : 0;
}
