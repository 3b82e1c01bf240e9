/* config on the real hives of the shared corpus: service start types and
 * firewall rules agree with an independent reader (hivexget), the dirty
 * SYSTEM_B gives a replayed snapshot, `remtrail config` names the hosts,
 * and damaged hives never crash. Skips (77) without the corpus. */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "remtrail/config.h"
#include "corpus_suite.h"
#include "testutil.h"

static char *dir;

static char *unxz(const char *name, const char *as)
{
	rt_buf cmd = RT_BUF_INIT, out = RT_BUF_INIT;

	rt_buf_addf(&out, "%s/%s", dir, as);
	rt_buf_addf(&cmd, "xz -dc '%s/registry/%s.xz' > '%s'", tu_corpus(), name, out.buf);
	ck_assert_msg(system(cmd.buf) == 0, "cannot run %s", cmd.buf);
	rt_buf_release(&cmd);
	return rt_buf_detach(&out, NULL);
}

static const char *hivexget(void)
{
	const char *h = getenv("RT_HIVEXGET");

	return h && *h ? h : NULL;
}

/* hivexget HIVE KEY [VALUE]: stdout, trailing newline removed. */
static char *hx(const char *hive, const char *key, const char *value)
{
	char *argv[5], *out = NULL;
	size_t n;

	argv[0] = (char *)hivexget();
	argv[1] = (char *)hive;
	argv[2] = (char *)key;
	argv[3] = (char *)value;
	argv[4] = NULL;
	if (tu_run(argv, &out, NULL) != 0) {
		free(out);
		return NULL;
	}
	n = strlen(out);
	while (n && out[n - 1] == '\n')
		out[--n] = '\0';
	return out;
}

static const rt_cfg_point *observed(const rt_cfg_host *h, const char *name)
{
	const rt_cfg_setting *s = rt_cfg_find(h, name);
	size_t i;

	for (i = 0; s && i < s->npoints; i++)
		if (s->points[i].certainty == RT_CFG_OBSERVED)
			return &s->points[i];
	return NULL;
}

static void check_services(const rt_cfg_host *h, const char *hive, const char *ccs)
{
	static const char *const svc[][2] = { { "WinRM", "winrm" },	    { "Winmgmt", "winmgmt" },
					      { "RpcSs", "rpcss" },	    { "DcomLaunch", "dcomlaunch" },
					      { "MpsSvc", "mpssvc" },	    { "RemoteRegistry", "remoteregistry" } };
	size_t i;

	for (i = 0; i < 6; i++) {
		rt_buf key = RT_BUF_INIT, name = RT_BUF_INIT, want = RT_BUF_INIT;
		char *start, *delayed;
		uint64_t s, d = 0;
		const rt_cfg_point *p;

		rt_buf_addf(&key, "%s\\Services\\%s", ccs, svc[i][0]);
		rt_buf_addf(&name, "service.%s.start", svc[i][1]);
		start = hx(hive, key.buf, "Start");
		p = observed(h, name.buf);
		if (!start) {
			ck_assert_ptr_null(p);
		} else {
			ck_assert_int_eq(rt_parse_u64(start, &s), 0);
			delayed = hx(hive, key.buf, "DelayedAutostart");
			if (delayed)
				rt_parse_u64(delayed, &d);
			rt_buf_addf(&want, "\"%s\"", rt_cfg_start_name((uint32_t)s, s == 2 && d == 1));
			ck_assert_msg(p != NULL, "%s missing", name.buf);
			ck_assert_str_eq(p->value, want.buf);
			free(delayed);
		}
		free(start);
		rt_buf_release(&key);
		rt_buf_release(&name);
		rt_buf_release(&want);
	}
}

/* hivexget prints a key as "name"="value" lines, \\ and \" escaped. */
static size_t check_rules(const rt_cfg_host *h, const char *hive, const char *ccs)
{
	rt_buf key = RT_BUF_INIT;
	char *dump, *line, *next;
	size_t n = 0, ours = 0, i;

	rt_buf_addf(&key, "%s\\Services\\SharedAccess\\Parameters\\FirewallPolicy\\FirewallRules", ccs);
	dump = hx(hive, key.buf, NULL);
	ck_assert_ptr_nonnull(dump);
	for (line = dump; line && *line; line = next) {
		rt_buf name = RT_BUF_INIT, value = RT_BUF_INIT, setting = RT_BUF_INIT;
		char *p = line + 1;
		const rt_cfg_point *pt;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (line[0] != '"')
			continue;
		for (; *p && *p != '"'; p++)
			rt_buf_addch(&name, *p == '\\' && p[1] ? *++p : *p);
		ck_assert(!strncmp(p, "\"=\"", 3));
		for (p += 3; *p && !(*p == '"' && p[1] == '\0'); p++)
			rt_buf_addch(&value, *p == '\\' && p[1] ? *++p : *p);
		rt_buf_addf(&setting, "firewall.rule.%s", name.buf);
		pt = observed(h, setting.buf);
		ck_assert_msg(pt != NULL, "rule %s missing", name.buf);
		ck_assert_str_eq(pt->raw, value.buf);
		n++;
		rt_buf_release(&name);
		rt_buf_release(&value);
		rt_buf_release(&setting);
	}
	for (i = 0; i < h->nsettings; i++)
		if (!strncmp(h->settings[i].name, "firewall.rule.", 14) && observed(h, h->settings[i].name))
			ours++;
	ck_assert_uint_eq(ours, n);
	free(dump);
	rt_buf_release(&key);
	return n;
}

static void one_hive(const char *name, const char *const *logs, size_t nlogs, int want_replay)
{
	char *path = unxz(name, "SYSTEM"), *sel;
	char ccs[32];
	rt_cfg_input in;
	rt_config *c = NULL;
	rt_diag d;
	size_t i;
	int replayed = 0;
	uint64_t cur;

	memset(&in, 0, sizeof(in));
	in.path = path;
	in.logs = logs;
	in.nlogs = nlogs;
	rt_diag_init(&d, NULL, NULL);
	ck_assert_int_eq(rt_config_load(&in, 1, &c, &d), 0);
	ck_assert_uint_eq(c->nhosts, 1);
	for (i = 0; i < c->hosts[0].nsnapshots; i++)
		replayed |= c->hosts[0].snapshots[i].certainty == RT_CFG_REPLAYED;
	ck_assert_int_eq(replayed, want_replay);
	if (hivexget()) {
		char *hn;
		rt_buf q = RT_BUF_INIT;

		sel = hx(path, "Select", "Current");
		ck_assert_ptr_nonnull(sel);
		ck_assert_int_eq(rt_parse_u64(sel, &cur), 0);
		free(sel);
		rt_buf_addf(&q, "ControlSet%03u", (unsigned)cur);
		memcpy(ccs, q.buf, q.len + 1);
		rt_buf_reset(&q);
		rt_buf_addf(&q, "%s\\Control\\ComputerName\\ComputerName", ccs);
		hn = hx(path, q.buf, "ComputerName");
		ck_assert_str_eq(c->hosts[0].name, hn);
		free(hn);
		rt_buf_release(&q);
		check_services(&c->hosts[0], path, ccs);
		ck_assert_uint_gt(check_rules(&c->hosts[0], path, ccs), 50);
	}
	rt_config_free(&c);
	rt_diag_release(&d);
	free(path);
}

START_TEST(system_agrees_with_hivexget)
{
	one_hive("SYSTEM", NULL, 0, 0);
}
END_TEST

START_TEST(system_b_replayed_and_agrees)
{
	char *l1 = unxz("SYSTEM_B.LOG1", "SYSTEM.LOG1"), *l2 = unxz("SYSTEM_B.LOG2", "SYSTEM.LOG2");
	const char *logs[] = { l1, l2 };

	one_hive("SYSTEM_B", logs, 2, 1);
	free(l1);
	free(l2);
}
END_TEST

START_TEST(command_names_hosts)
{
	char *a, *b, *l1, *l2, *out = NULL;
	char *argv[6] = { NULL };
	rt_buf sub = RT_BUF_INIT;

	rt_buf_addf(&sub, "mkdir -p '%s/a' '%s/b'", dir, dir);
	ck_assert_int_eq(system(sub.buf), 0);
	rt_buf_release(&sub);
	a = unxz("SYSTEM", "a/SYSTEM");
	b = unxz("SYSTEM_B", "b/SYSTEM");
	l1 = unxz("SYSTEM_B.LOG1", "b/SYSTEM.LOG1");
	l2 = unxz("SYSTEM_B.LOG2", "b/SYSTEM.LOG2");
	argv[0] = (char *)tu_remtrail();
	argv[1] = "config";
	argv[2] = dir;
	argv[3] = NULL;
	ck_assert_int_le(tu_run(argv, &out, NULL), 3);
	ck_assert(strstr(out, "Host WKS-WIN732BITA"));
	ck_assert(strstr(out, "service.winrm.start = "));
	ck_assert(strstr(out, "firewall.rule.WINRM-HTTP-In-TCP = "));
	ck_assert(strstr(out, "replayed"));
	ck_assert_msg(strstr(strstr(out, "Host ") + 5, "\nHost ") != NULL, "two hosts expected");
	free(out);
	argv[2] = "--format";
	argv[3] = "json";
	argv[4] = dir;
	ck_assert_int_le(tu_run(argv, &out, NULL), 3);
	ck_assert(strstr(out, "\"schema\":\"remtrail/1\""));
	ck_assert(strstr(out, "\"certainty\":\"replayed\""));
	free(out);
	free(a);
	free(b);
	free(l1);
	free(l2);
}
END_TEST

/* Every damaged hive of the corpus: read what can be read, report, never crash. */
START_TEST(damaged_hives_survive)
{
	rt_buf edge = RT_BUF_INIT;
	DIR *dp;
	struct dirent *e;
	char *paths[64];
	rt_cfg_input in[64];
	size_t n = 0, i;
	rt_config *c = NULL;
	rt_diag d;

	paths[n++] = unxz("corrupted_system_hive", "corrupted_SYSTEM");
	rt_buf_addf(&edge, "%s/registry/edge", tu_corpus());
	dp = opendir(edge.buf);
	ck_assert_ptr_nonnull(dp);
	while ((e = readdir(dp)) && n < 64) {
		rt_buf p = RT_BUF_INIT;

		if (e->d_name[0] == '.')
			continue;
		rt_buf_addf(&p, "%s/%s", edge.buf, e->d_name);
		paths[n++] = rt_buf_detach(&p, NULL);
	}
	closedir(dp);
	memset(in, 0, sizeof(in));
	for (i = 0; i < n; i++)
		in[i].path = paths[i];
	rt_diag_init(&d, NULL, NULL);
	ck_assert_int_eq(rt_config_load(in, n, &c, &d), 0);
	ck_assert_uint_gt(d.errors + d.warnings, 0);
	rt_config_free(&c);
	rt_diag_release(&d);
	for (i = 0; i < n; i++)
		free(paths[i]);
	rt_buf_release(&edge);
}
END_TEST

int main(void)
{
	const TTest *tests[] = { system_agrees_with_hivexget, system_b_replayed_and_agrees, command_names_hosts, damaged_hives_survive };

	return tu_corpus_main("config_corpus", 300, tests, sizeof tests / sizeof *tests, &dir);
}
