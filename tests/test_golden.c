/*
 * Golden files for the sample (testdata/sample): the case's report.txt as
 * an analyst reads it, and the structure of report.html (its element tree:
 * tag, id and class, repeated siblings counted, text left out). The run
 * record (report.h) is left out of both.
 *
 * After an intended change, regenerate them from the build folder with
 *
 *   RT_UPDATE_GOLDEN=1 make check TESTS=tests/test_golden
 *
 * and review the difference (git diff testdata/golden) before committing.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "remtrail/report.h"
#include "remtrail/util.h"
#include "testutil.h"

/* ------------------------------------------------------------ html outline */

typedef struct hnode {
	char *sig;
	struct hnode **kids;
	size_t nkids;
} hnode;

static hnode *hnode_new(const char *sig, size_t n)
{
	hnode *h = calloc(1, sizeof *h);

	ck_assert_ptr_nonnull(h);
	h->sig = strndup(sig, n);
	ck_assert_ptr_nonnull(h->sig);
	return h;
}

static void hnode_add(hnode *p, hnode *k)
{
	hnode **v = realloc(p->kids, (p->nkids + 1) * sizeof *v);

	ck_assert_ptr_nonnull(v);
	p->kids = v;
	p->kids[p->nkids++] = k;
}

static void hnode_free(hnode *h)
{
	size_t i;

	for (i = 0; i < h->nkids; i++)
		hnode_free(h->kids[i]);
	free(h->kids);
	free(h->sig);
	free(h);
}

/* The value of attribute `name` inside the tag text [s, e), or NULL. */
static const char *attr(const char *s, const char *e, const char *name, size_t *len)
{
	size_t n = strlen(name);
	const char *p;

	for (p = s; p + n + 2 < e; p++)
		if (p[-1] == ' ' && !strncmp(p, name, n) && p[n] == '=' && p[n + 1] == '"') {
			const char *q = memchr(p + n + 2, '"', (size_t)(e - p - n - 2));

			if (!q)
				return NULL;
			*len = (size_t)(q - p - n - 2);
			return p + n + 2;
		}
	return NULL;
}

static int is_void(const char *tag, size_t n)
{
	static const char *const v[] = { "meta", "br", "input", "img", "link", "hr", NULL };
	size_t i;

	for (i = 0; v[i]; i++)
		if (strlen(v[i]) == n && !strncmp(tag, v[i], n))
			return 1;
	return 0;
}

/* The element tree of html as we write it (well-formed, lower case). */
static hnode *parse(const char *html)
{
	hnode *root = hnode_new("document", 8), *stack[64];
	int depth = 0;
	const char *p = html;

	stack[0] = root;
	while ((p = strchr(p, '<'))) {
		const char *e = strchr(p, '>'), *t = p + 1, *v;
		size_t tl, vl;
		rt_buf sig = RT_BUF_INIT;

		ck_assert_ptr_nonnull(e);
		if (*t == '!' || *t == '?') {
			p = e + 1;
			continue;
		}
		if (*t == '/') {
			ck_assert_int_gt(depth, 0);
			depth--;
			p = e + 1;
			continue;
		}
		tl = strcspn(t, " >/");
		rt_buf_add(&sig, t, tl);
		if ((v = attr(t, e, "id", &vl))) {
			rt_buf_addch(&sig, '#');
			rt_buf_add(&sig, v, vl);
		}
		if ((v = attr(t, e, "class", &vl))) {
			rt_buf_addch(&sig, '.');
			rt_buf_add(&sig, v, vl);
		}
		{
			hnode *k = hnode_new(sig.buf, sig.len);

			hnode_add(stack[depth], k);
			if (e[-1] != '/' && !is_void(t, tl)) {
				ck_assert_int_lt(depth, 63);
				stack[++depth] = k;
				/* script and style hold text, not elements */
				if ((tl == 6 && !strncmp(t, "script", 6)) || (tl == 5 && !strncmp(t, "style", 5))) {
					const char *c = strstr(e, tl == 6 ? "</script>" : "</style>");

					ck_assert_ptr_nonnull(c);
					e = c - 1;
				}
			}
		}
		rt_buf_release(&sig);
		p = e + 1;
	}
	ck_assert_int_eq(depth, 0);
	return root;
}

/* The outline of h at `indent`, repeated siblings (same subtree) as "xN". */
static void outline(rt_buf *out, const hnode *h, int indent)
{
	size_t i = 0;

	while (i < h->nkids) {
		rt_buf a = RT_BUF_INIT, b = RT_BUF_INIT;
		size_t run = 1;

		rt_buf_addf(&a, "%*s%s", indent, "", h->kids[i]->sig);
		outline(&b, h->kids[i], indent + 2);
		while (i + run < h->nkids) {
			rt_buf c = RT_BUF_INIT;
			int same = !strcmp(h->kids[i + run]->sig, h->kids[i]->sig);

			if (same) {
				outline(&c, h->kids[i + run], indent + 2);
				same = !strcmp(c.buf, b.buf);
			}
			rt_buf_release(&c);
			if (!same)
				break;
			run++;
		}
		rt_buf_add(out, a.buf, a.len);
		if (run > 1)
			rt_buf_addf(out, " x%zu", run);
		rt_buf_addch(out, '\n');
		rt_buf_add(out, b.buf, b.len);
		rt_buf_release(&a);
		rt_buf_release(&b);
		i += run;
	}
}

/* ------------------------------------------------------------------ golden */

static char *dir;

static void golden(const char *name, const char *got)
{
	const char *td = getenv("RT_TESTDATA");
	char path[4200], *want;

	ck_assert_ptr_nonnull(td);
	snprintf(path, sizeof path, "%s/golden/%s", td, name);
	if (getenv("RT_UPDATE_GOLDEN")) {
		FILE *f = fopen(path, "w");

		ck_assert_msg(f != NULL, "cannot write %s", path);
		ck_assert_int_eq(fputs(got, f) >= 0 && fclose(f) == 0, 1);
		fprintf(stderr, "wrote %s\n", path);
		return;
	}
	want = tu_read_file(path, NULL);
	ck_assert_msg(want != NULL, "no golden file %s (see tests/test_golden.c)", path);
	if (strcmp(want, got)) {
		char got_path[4300];
		FILE *f;

		snprintf(got_path, sizeof got_path, "%s/%s", dir, name);
		f = fopen(got_path, "w");
		if (f) {
			fputs(got, f);
			fclose(f);
		}
		ck_abort_msg("%s differs from the golden file: diff -u %s %s (kept while the test runs; "
			     "RT_UPDATE_GOLDEN=1 to accept)",
			     name, path, got_path);
	}
	free(want);
}

static char *read_out(const char *name)
{
	char p[4300];

	snprintf(p, sizeof p, "%s/out/%s", dir, name);
	return tu_read_file(p, NULL);
}

START_TEST(sample_goldens)
{
	const char *td = getenv("RT_TESTDATA");
	char sample[4096], out[4200], *txt, *html, *m;
	rt_buf b = RT_BUF_INIT;
	hnode *root;

	ck_assert_ptr_nonnull(td);
	snprintf(sample, sizeof sample, "%s/sample", td);
	snprintf(out, sizeof out, "%s/out", dir);
	{
		char *argv[] = { (char *)tu_remtrail(), "analyze", sample, "-o", out, NULL };

		ck_assert_int_eq(tu_run(argv, NULL, NULL), 0);
	}
	txt = read_out("report.txt");
	ck_assert_ptr_nonnull(txt);
	m = strstr(txt, RT_REPORT_RUN_MARK);
	ck_assert_ptr_nonnull(m);
	*m = '\0';
	golden("sample-report.txt", txt);

	html = read_out("report.html");
	ck_assert_ptr_nonnull(html);
	root = parse(html);
	outline(&b, root, 0);
	golden("sample-report.html.outline", b.buf);
	hnode_free(root);
	rt_buf_release(&b);
	free(txt);
	free(html);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("golden");
	TCase *tc = tcase_create("golden");
	SRunner *sr;
	int failed;

	if (!getenv("RT_TESTDATA")) {
		fprintf(stderr, "test_golden: skipped: RT_TESTDATA not set\n");
		return RT_TEST_SKIP;
	}
	dir = tu_tmpdir();
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, sample_goldens);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (!failed)
		tu_rmtree(dir);
	else
		fprintf(stderr, "outputs kept in %s\n", dir);
	free(dir);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
