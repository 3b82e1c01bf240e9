/*
 * report.html in a real browser (issue 13, point 1): the sample's case
 * and host pages are loaded in headless Chromium (Debian's `chromium`),
 * which must log nothing on the console (a script error, a refused load
 * under the page's Content-Security-Policy) and make no network request
 * from the page; the DOM after the script has run must hold what the
 * sample holds; a screenshot of each page is left in $RT_ARTIFACTS for CI
 * to keep (and for a person to look at).
 *
 * Chromium runs with a fresh profile, no sandbox (tests may run as root),
 * no GPU, every name resolving to nothing and a dead proxy, so neither the
 * page nor the browser's own services can reach a network. Skips (77)
 * when Chromium is not installed.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "testutil.h"

static const char *chromium;
static char *dir;

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (; hay && (hay = strstr(hay, needle)); hay++)
		n++;
	return n;
}

/*
 * Requests the page made: URL_REQUEST_START_JOB events of the net log
 * whose network isolation key is the file page's, for anything but file:
 * and data: URLs. The browser's own background requests have another key.
 */
static size_t page_requests(const char *netlog, char *first, size_t cap)
{
	char *s = tu_read_file(netlog, NULL);
	cJSON *j = s ? cJSON_Parse(s) : NULL, *types, *ev;
	int start = -1;
	size_t n = 0;

	ck_assert_msg(j != NULL, "cannot read Chromium's net log %s", netlog);
	types = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "constants"), "logEventTypes");
	start = cJSON_GetObjectItem(types, "URL_REQUEST_START_JOB")->valueint;
	cJSON_ArrayForEach(ev, cJSON_GetObjectItem(j, "events")) {
		const cJSON *p = cJSON_GetObjectItem(ev, "params");
		const cJSON *url = cJSON_GetObjectItem(p, "url"), *nik = cJSON_GetObjectItem(p, "network_isolation_key");

		if (cJSON_GetObjectItem(ev, "type")->valueint != start || !cJSON_IsString(url) ||
		    !cJSON_IsString(nik) || !strstr(nik->valuestring, "file://"))
			continue;
		if (!strncmp(url->valuestring, "file:", 5) || !strncmp(url->valuestring, "data:", 5))
			continue;
		if (!n++)
			snprintf(first, cap, "%s", url->valuestring);
	}
	cJSON_Delete(j);
	free(s);
	return n;
}

/* Load `page`, return the DOM after scripts ran; the console lines go to
 * *console, a screenshot to `png`. */
static char *render(const char *page, const char *png, char **console)
{
	char url[4200], shot[4200], net[4200], prof[4200], *dom = NULL, *err = NULL, first[512] = "";
	const char *p;
	size_t nreq;

	snprintf(url, sizeof url, "file://%s", page);
	snprintf(shot, sizeof shot, "--screenshot=%s", png);
	snprintf(net, sizeof net, "--log-net-log=%s/net.json", dir);
	snprintf(prof, sizeof prof, "--user-data-dir=%s/profile", dir);
	tu_rmtree(prof + 16);
	{
		char *argv[] = { (char *)chromium, "--headless", "--no-sandbox", "--disable-gpu",
				 "--disable-quic", "--no-first-run", "--disable-background-networking",
				 "--disable-component-update", "--disable-sync", "--disable-default-apps",
				 "--disable-extensions", "--no-pings", "--disable-domain-reliability",
				 "--disable-breakpad", "--host-resolver-rules=MAP * ~NOTFOUND",
				 "--proxy-server=http://127.0.0.1:9", "--hide-scrollbars",
				 "--window-size=1400,2000", "--virtual-time-budget=3000",
				 "--enable-logging=stderr", "--v=0", prof, net, shot, "--dump-dom", url, NULL };

		ck_assert_int_eq(tu_run(argv, &dom, &err), 0);
	}
	/* console messages, whatever their level */
	*console = calloc(1, 1);
	for (p = err; p && (p = strstr(p, ":CONSOLE")); p++) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p), have = strlen(*console);
		char *c = realloc(*console, have + n + 2);

		ck_assert_ptr_nonnull(c);
		memcpy(c + have, p, n);
		c[have + n] = '\n';
		c[have + n + 1] = '\0';
		*console = c;
	}
	free(err);
	snprintf(net, sizeof net, "%s/net.json", dir);
	nreq = page_requests(net, first, sizeof first);
	ck_assert_msg(nreq == 0, "%s made %zu network request(s), first %s", page, nreq, first);
	return dom;
}

static void artifact_path(char *out, size_t cap, const char *name)
{
	const char *a = getenv("RT_ARTIFACTS");

	if (!a || !*a) {
		snprintf(out, cap, "%s/%s", dir, name);
		return;
	}
	ck_assert_msg(!mkdir(a, 0777) || errno == EEXIST, "cannot create %s", a);
	snprintf(out, cap, "%s/%s", a, name);
}

START_TEST(case_page_renders)
{
	const char *td = getenv("RT_TESTDATA");
	char sample[4096], out[4200], page[4300], png[4300], *dom, *console;
	struct stat st;

	ck_assert_ptr_nonnull(td);
	snprintf(sample, sizeof sample, "%s/sample", td);
	snprintf(out, sizeof out, "%s/out", dir);
	setenv("SOURCE_DATE_EPOCH", "1710237600", 1);
	{
		char *argv[] = { (char *)tu_remtrail(), "analyze", sample, "-o", out, NULL };

		ck_assert_int_eq(tu_run(argv, NULL, NULL), 0);
	}
	unsetenv("SOURCE_DATE_EPOCH");

	snprintf(page, sizeof page, "%s/report.html", out);
	artifact_path(png, sizeof png, "report-case.png");
	dom = render(page, png, &console);
	ck_assert_msg(!*console, "console output:\n%s", console);
	ck_assert_int_eq(stat(png, &st), 0);
	ck_assert_int_gt(st.st_size, 20000);
	/* what the sample holds */
	ck_assert_ptr_nonnull(strstr(dom, "<section id=\"summary\">"));
	ck_assert_ptr_nonnull(strstr(dom, "<td class=\"st st-not_in_effect\">not_in_effect<span class=\"bp\""));
	ck_assert_uint_eq(count(dom, "<article class=\"host\""), 2);
	ck_assert_uint_eq(count(dom, "<svg class=\"axis\""), 4); /* each host: zoomed and whole */
	ck_assert_ptr_nonnull(strstr(dom, "<svg id=\"graph\""));
	ck_assert_uint_eq(count(dom, "<path class=\"edge "), 3);
	ck_assert_ptr_nonnull(strstr(dom, "<table id=\"findings\">"));
	ck_assert_uint_eq(count(dom, "<tr data-i="), 15);
	/* the script ran: it counted the rows it shows */
	ck_assert_ptr_nonnull(strstr(dom, "<span id=\"fcount\">15 shown</span>"));
	ck_assert_ptr_nonnull(strstr(dom, "<footer id=\"run\">"));
	free(dom);
	free(console);

	snprintf(page, sizeof page, "%s/hosts/WS01/report.html", out);
	artifact_path(png, sizeof png, "report-host-WS01.png");
	dom = render(page, png, &console);
	ck_assert_msg(!*console, "console output:\n%s", console);
	ck_assert_uint_eq(count(dom, "<article class=\"host\""), 1);
	ck_assert_ptr_null(strstr(dom, "<svg id=\"graph\""));
	ck_assert_ptr_nonnull(strstr(dom, "<span id=\"fcount\">14 shown</span>"));
	free(dom);
	free(console);
}
END_TEST

int main(void)
{
	Suite *s;
	TCase *tc;
	SRunner *sr;
	int failed;

	chromium = getenv("RT_CHROMIUM");
	if (!chromium || !*chromium || access(chromium, X_OK)) {
		fprintf(stderr, "test_html: skipped: Chromium not found (Debian: apt-get install chromium)\n");
		return RT_TEST_SKIP;
	}
	dir = tu_tmpdir();
	s = suite_create("html");
	tc = tcase_create("chromium");
	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, case_page_renders);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	tu_rmtree(dir);
	free(dir);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
