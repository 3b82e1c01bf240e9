/* PowerShell logging policy (artifacts.md 2.7), machine (SOFTWARE) and
 * user (NTUSER, names prefixed user.<name>.) scope, Windows PowerShell 5
 * and PowerShell 7 ("powershell.core."). */
#include "config.h"

#include <string.h>

#include "cfg_internal.h"

#define MAX_MODULES 4096

static const struct {
	const char *key, *value, *suffix;
} items[] = {
	{ "ModuleLogging", "EnableModuleLogging", "logging.module" },
	{ "ScriptBlockLogging", "EnableScriptBlockLogging", "logging.script_block" },
	{ "ScriptBlockLogging", "EnableScriptBlockInvocationLogging", "logging.script_block_invocation" },
	{ "Transcription", "EnableTranscripting", "logging.transcription" },
	{ "Transcription", "EnableInvocationHeader", "logging.transcription_invocation_header" },
	{ "Transcription", "OutputDirectory", "logging.transcription_directory" },
	{ "", "EnableScripts", "enable_scripts" },
	{ "", "ExecutionPolicy", "execution_policy" },
};

static int module_names(cfg_ctx *c, const char *base, const char *prefix)
{
	char path[512];
	rt_buf kp = RT_BUF_INIT, json = RT_BUF_INIT, name = RT_BUF_INIT;
	rt_key *k;
	int i, n, rc = 0;

	rt_buf_addf(&kp, "%s\\ModuleLogging\\ModuleNames", base);
	k = cfg_open(c, kp.buf, path);
	rt_buf_release(&kp);
	if (!k)
		return 0;
	n = rt_key_value_count(k);
	if (n > MAX_MODULES)
		n = MAX_MODULES;
	rt_buf_addch(&json, '[');
	for (i = 0; i < n; i++) {
		rt_value *v = NULL;

		if (rt_key_value_at(k, i, &v) != 1)
			continue;
		if (json.len > 1)
			rt_buf_addch(&json, ',');
		rt_json_cstr(&json, v->name);
		rt_value_free(&v);
	}
	rt_buf_addch(&json, ']');
	rt_buf_addf(&name, "%slogging.module_names", prefix);
	rc = cfg_emit(c, name.buf, json.buf, NULL, path, NULL, rt_key_last_written(k), 0);
	rt_buf_release(&json);
	rt_buf_release(&name);
	rt_key_free(&k);
	return rc;
}

static int scope(cfg_ctx *c, const char *base, const char *prefix)
{
	size_t i;

	for (i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
		char path[512];
		rt_buf kp = RT_BUF_INIT, name = RT_BUF_INIT;
		rt_key *k;

		rt_buf_adds(&kp, base);
		if (*items[i].key)
			rt_buf_addf(&kp, "\\%s", items[i].key);
		k = cfg_open(c, kp.buf, path);
		rt_buf_release(&kp);
		if (!k)
			continue;
		rt_buf_addf(&name, "%s%s", prefix, items[i].suffix);
		if (strstr(items[i].value, "Enable") == items[i].value)
			cfg_emit_bool(c, k, path, items[i].value, name.buf);
		else
			cfg_emit_str(c, k, path, items[i].value, name.buf);
		rt_buf_release(&name);
		rt_key_free(&k);
	}
	return module_names(c, base, prefix) || c->oom ? -1 : 0;
}

int cfg_fam_powershell(cfg_ctx *c)
{
	const char *root = c->kind == RT_HIVE_NTUSER ? "Software\\" : "";
	rt_buf base = RT_BUF_INIT, pre = RT_BUF_INIT;
	int rc;

	if (c->kind == RT_HIVE_NTUSER)
		rt_buf_addf(&pre, "user.%s.", c->user ? c->user : "unknown");
	rt_buf_addf(&base, "%sPolicies\\Microsoft\\Windows\\PowerShell", root);
	rt_buf_adds(&pre, "powershell.");
	rc = scope(c, base.buf, pre.buf);
	rt_buf_reset(&base);
	rt_buf_addf(&base, "%sPolicies\\Microsoft\\PowerShellCore", root);
	rt_buf_truncate(&pre, pre.len - 1);
	rt_buf_adds(&pre, ".core.");
	rc |= scope(c, base.buf, pre.buf);
	rt_buf_release(&base);
	rt_buf_release(&pre);
	return rc;
}
