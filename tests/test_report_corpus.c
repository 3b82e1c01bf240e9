/*
 * The reports on the shared corpus (real evidence nobody here wrote):
 * `analyze` over the whole corpus gives a report.txt an analyst can scan -
 * the hosts with inbound use on its first screen, every line short - and
 * accounts for every input (damaged logs partly read, disk images skipped);
 * a real SYSTEM hive gives the host's configured time zone; a dirty hive
 * without its logs says so. Skips (77) without the corpus.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "remtrail/report.h"
#include "corpus_suite.h"
#include "testutil.h"

static char *dir;

static char *unxz(const char *name, const char *as)
{
	rt_buf cmd = RT_BUF_INIT, out = RT_BUF_INIT;

	rt_buf_addf(&out, "%s/%s", dir, as);
	rt_buf_addf(&cmd, "mkdir -p \"$(dirname '%s')\" && xz -dc '%s/registry/%s.xz' > '%s'", out.buf,
		    tu_corpus(), name, out.buf);
	ck_assert_msg(system(cmd.buf) == 0, "cannot run %s", cmd.buf);
	rt_buf_release(&cmd);
	return rt_buf_detach(&out, NULL);
}

static char *read_in(const char *out, const char *name)
{
	char p[4300];

	snprintf(p, sizeof p, "%s/%s", out, name);
	return tu_read_file(p, NULL);
}

static int analyze(const char *path, const char *out, const char *jobs, char **err)
{
	char *argv[] = { (char *)tu_remtrail(), "analyze", (char *)path, "-o", (char *)out,
			 (char *)jobs, NULL };

	return tu_run(argv, NULL, err);
}

START_TEST(whole_corpus_report_scans)
{
	char out[4200], out2[4200], *txt, *json, *err = NULL, *p, *nl, *m;
	size_t line = 0, first_inbound = 0, i;
	cJSON *j, *in;
	int skipped_image = 0, partly = 0;

	snprintf(out, sizeof out, "%s/corpus", dir);
	ck_assert_int_eq(analyze(tu_corpus(), out, "-j2", &err), 3);
	free(err);
	txt = read_in(out, "report.txt");
	ck_assert_ptr_nonnull(txt);
	for (p = txt; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		ck_assert_ptr_nonnull(nl);
		line++;
		ck_assert_msg(nl - p < 200, "line %zu has %zu characters", line, (size_t)(nl - p));
		if (!first_inbound && !strncmp(p, "Hosts with inbound use", 22))
			first_inbound = line;
	}
	/* the hosts with inbound use come first, on the first screen, with the
	 * Impacket DCOM host among them */
	ck_assert_uint_gt(first_inbound, 0);
	ck_assert_uint_lt(first_inbound, 12);
	m = strstr(txt, "\n  IEWIN7 ");
	ck_assert_ptr_nonnull(m);
	for (line = 0, p = txt; p < m; p++)
		line += *p == '\n';
	ck_assert_uint_lt(line, 30);
	ck_assert_ptr_nonnull(strstr(txt, "hosts with logs but no registry hive: CM0013 unknown"));

	/* every input is accounted for */
	json = read_in(out, "report.json");
	j = cJSON_Parse(json);
	ck_assert_ptr_nonnull(j);
	cJSON_ArrayForEach(in, cJSON_GetObjectItem(j, "inputs")) {
		const char *st = cJSON_GetObjectItem(in, "state")->valuestring;
		const char *path = cJSON_GetObjectItem(in, "path")->valuestring;

		if (strstr(path, "images/image.E01") && !strcmp(st, "skipped"))
			skipped_image = 1;
		if (strstr(path, "plaso-System2-truncated.evtx") && !strcmp(st, "partly read"))
			partly = 1;
		ck_assert_ptr_nonnull(cJSON_GetObjectItem(in, "relative"));
	}
	ck_assert_msg(skipped_image, "the E01 image is not listed as skipped");
	ck_assert_msg(partly, "the truncated System log is not listed as partly read");
	cJSON_Delete(j);

	/* any thread count, the same results */
	snprintf(out2, sizeof out2, "%s/corpus-j1", dir);
	ck_assert_int_eq(analyze(tu_corpus(), out2, "-j1", &err), 3);
	free(err);
	{
		static const char *const files[] = { "report.json", "report.txt", "report.html",
						     "timeline.csv", "hosts/IEWIN7/report.json" };

		for (i = 0; i < sizeof files / sizeof *files; i++) {
			char *a = read_in(out, files[i]), *b = read_in(out2, files[i]), *c;

			ck_assert_ptr_nonnull(a);
			ck_assert_ptr_nonnull(b);
			if ((c = strstr(a, ",\"run\":{\"command_line\"")) || (c = strstr(a, RT_REPORT_RUN_MARK)) ||
			    (c = strstr(a, "<footer id=\"run\">")))
				*c = '\0';
			if ((c = strstr(b, ",\"run\":{\"command_line\"")) || (c = strstr(b, RT_REPORT_RUN_MARK)) ||
			    (c = strstr(b, "<footer id=\"run\">")))
				*c = '\0';
			ck_assert_msg(!strcmp(a, b), "%s differs between -j1 and -j2", files[i]);
			free(a);
			free(b);
		}
	}
	free(json);
	free(txt);
}
END_TEST

START_TEST(time_zone_and_dirty_hive)
{
	char out[4200], *hive, *txt, *json, *err = NULL;

	hive = unxz("SYSTEM", "w7/Windows/System32/config/SYSTEM");
	free(hive);
	snprintf(out, sizeof out, "%s/w7-out", dir);
	{
		char root[4200];

		snprintf(root, sizeof root, "%s/w7", dir);
		ck_assert_int_eq(analyze(root, out, "-j1", &err), 0);
		free(err);
	}
	txt = read_in(out, "hosts/WKS-WIN732BITA/report.txt");
	ck_assert_ptr_nonnull(txt);
	ck_assert_ptr_nonnull(strstr(txt, "configured time zone: Eastern Standard Time (UTC-04:00 when "
					  "the SYSTEM hive was last written)"));
	json = read_in(out, "report.json");
	ck_assert_ptr_nonnull(strstr(json, "\"time_zone\":\"Eastern Standard Time\",\"active_bias_minutes\":240"));
	free(txt);
	free(json);

	/* SYSTEM_B is dirty; without its .LOG1/.LOG2 that must be said */
	hive = unxz("SYSTEM_B", "dirty/SYSTEM");
	free(hive);
	snprintf(out, sizeof out, "%s/dirty-out", dir);
	{
		char root[4200];

		snprintf(root, sizeof root, "%s/dirty", dir);
		ck_assert_int_eq(analyze(root, out, "-j1", &err), 0);
		ck_assert_ptr_nonnull(strstr(err, "hive is dirty and its transaction logs"));
		free(err);
	}
	json = read_in(out, "report.json");
	ck_assert_ptr_nonnull(strstr(json, "\"notes\":[\"hive is dirty and its transaction logs"));
	free(json);
}
END_TEST

int main(void)
{
	const TTest *tests[] = { whole_corpus_report_scans, time_zone_and_dirty_hive };

	return tu_corpus_main("report_corpus", 300, tests, sizeof tests / sizeof *tests, &dir);
}
