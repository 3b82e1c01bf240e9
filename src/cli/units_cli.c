/* What hosts, analyze and merge share: see units_cli.h. */
#include "config.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "units_cli.h"

double cli_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int64_t cli_run_time(void)
{
	const char *e = getenv("SOURCE_DATE_EPOCH");
	uint64_t v;

	if (e && !rt_parse_u64(e, &v) && v < ((uint64_t)1 << 40))
		return (int64_t)v;
	return (int64_t)time(NULL);
}

const char **cli_run_record(rt_report_run *rr, int argc, char **argv)
{
	const char **full = calloc((size_t)argc + 2, sizeof *full);
	int i;

	memset(rr, 0, sizeof *rr);
	if (!full)
		return NULL;
	/* argv[-1] is "remtrail": main passes argv + 1 */
	full[0] = "remtrail";
	for (i = 0; i < argc; i++)
		full[i + 1] = argv[i];
	rr->version = PACKAGE_VERSION;
	rr->argv = full;
	rr->argc = (size_t)argc + 1;
	rr->started = cli_run_time();
	return full;
}

/* "1.2 GiB", "340.0 MiB", "12 KiB". */
static void human(char *out, size_t cap, uint64_t b)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)b;
	size_t u = 0;

	while (v >= 1024.0 && u + 1 < sizeof unit / sizeof *unit) {
		v /= 1024.0;
		u++;
	}
	snprintf(out, cap, u ? "%.1f %s" : "%.0f %s", v, unit[u]);
}

int cli_units_table(rt_buf *out, const rt_units *u)
{
	rt_buf name = RT_BUF_INIT;
	size_t k;
	char sz[32];
	int e = 0;

	e |= rt_buf_addf(out, "%-5s %-24s %-24s %6s %10s\n", "unit", "host", "folder", "files", "size");
	for (k = 0; k < u->n; k++) {
		rt_buf_reset(&name);
		e |= rt_text_cstr(&name, u->units[k].host->name);
		human(sz, sizeof sz, u->units[k].size);
		e |= rt_buf_addf(out, "%-5zu %-24s %-24s %6zu %10s\n", k + 1, name.buf ? name.buf : "",
				 u->units[k].dir, u->units[k].nfiles, sz);
	}
	for (k = 0; k < u->nskipped; k++) {
		rt_buf_reset(&name);
		e |= rt_path_cstr(&name, u->skipped[k].path);
		e |= rt_buf_addf(out, "%s %s: %s\n", k ? "     " : "not analysed:",
				 name.buf ? name.buf : "",
				 u->skipped[k].nnotes ? u->skipped[k].notes[0]
						      : rt_input_state_name(u->skipped[k].state));
	}
	rt_buf_release(&name);
	return e ? -1 : 0;
}

int cli_units_names(rt_buf *out, const rt_units *u)
{
	size_t k;

	for (k = 0; k < u->n; k++)
		if (rt_buf_addf(out, "%s\n", u->units[k].dir))
			return -1;
	return 0;
}

int cli_read_file(const char *path, rt_buf *out)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	char chunk[65536];
	size_t n;
	int e;

	if (!f)
		return -1;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (rt_buf_add(out, chunk, n)) {
			errno = ENOMEM;
			break;
		}
	e = ferror(f) || n > 0;
	if (f != stdin)
		fclose(f);
	return e ? -1 : 0;
}

const char **cli_unit_paths(const rt_units *u, size_t *n)
{
	const char **v;
	size_t k, i, cnt = 0;

	for (k = 0; k < u->n; k++)
		cnt += u->units[k].npaths;
	if (!(v = calloc(cnt + 1, sizeof *v)))
		return NULL;
	*n = 0;
	for (k = 0; k < u->n; k++)
		for (i = 0; i < u->units[k].npaths; i++)
			v[(*n)++] = u->units[k].paths[i];
	return v;
}

/* Whether any file of the units is named by a relative path. */
static int relative_paths(const rt_units *u)
{
	size_t k, i, j;

	for (k = 0; k < u->n; k++)
		for (i = 0; i < u->units[k].host->nartifacts; i++) {
			const rt_artifact *a = &u->units[k].host->artifacts[i];

			if (a->path[0] != '/')
				return 1;
			for (j = 0; j < a->nlogs; j++)
				if (a->logs[j].path[0] != '/')
					return 1;
		}
	for (k = 0; k < u->nskipped; k++)
		if (u->skipped[k].path[0] != '/')
			return 1;
	return 0;
}

int cli_enter_base(const char *cmd, const rt_units *u, const char *outdir, rt_buf *outabs)
{
	char *cwd;
	int r = -1;

	if (!relative_paths(u))
		return 0;
	if (!(cwd = getcwd(NULL, 0))) {
		fprintf(stderr, "remtrail %s: cannot tell the current folder: %s\n", cmd, strerror(errno));
		return -1;
	}
	if (!strcmp(cwd, u->base)) {
		free(cwd);
		return 0;
	}
	if (outdir && outdir[0] != '/' && rt_buf_addf(outabs, "%s/%s", cwd, outdir)) {
		fprintf(stderr, "remtrail %s: out of memory\n", cmd);
		goto out;
	}
	if (chdir(u->base)) {
		fprintf(stderr, "remtrail %s: cannot enter '%s', the folder the manifest's relative "
				"paths are relative to: %s (run 'remtrail hosts' with absolute paths, or "
				"make the evidence reachable there)\n", cmd, u->base, strerror(errno));
		goto out;
	}
	r = 0;
out:
	free(cwd);
	return r;
}

/* ---------------------------------------------------------------- options */

static int opt_str(rt_buf *out, const char *key, const char *v)
{
	int e = rt_buf_addf(out, ",\"%s\":", key);

	return e | (v ? rt_json_cstr(out, v) : rt_buf_adds(out, "null"));
}

static int opt_time(rt_buf *out, const char *key, uint64_t t)
{
	char ts[RT_TIME_MAX];

	if (!t)
		return opt_str(out, key, NULL);
	rt_time_format(t, ts);
	return opt_str(out, key, ts);
}

int cli_options_json(rt_buf *out, const rt_report_opts *o)
{
	int e = rt_buf_adds(out, "{\"schema\":\"remtrail/1\"");

	e |= opt_str(out, "mgmt", o->mgmt);
	e |= opt_time(out, "from", o->from);
	e |= opt_time(out, "to", o->to);
	e |= opt_str(out, "reader", o->reader ? o->reader : "auto");
	e |= opt_str(out, "tz", o->tz);
	e |= rt_buf_addf(out, ",\"csv_raw\":%s}", o->csv_raw ? "true" : "false");
	return e ? -1 : 0;
}

int cli_options_parse(const char *json, rt_report_opts *o, char **keep, size_t nkeep)
{
	static const char *const strs[] = { "mgmt", "reader", "tz" };
	const char **dst[] = { &o->mgmt, &o->reader, &o->tz };
	cJSON *j = cJSON_Parse(json), *x;
	size_t i;
	int rc = -1;

	memset(o, 0, sizeof *o);
	if (!j || nkeep < sizeof strs / sizeof *strs)
		goto out;
	for (i = 0; i < sizeof strs / sizeof *strs; i++) {
		x = cJSON_GetObjectItemCaseSensitive(j, strs[i]);
		keep[i] = NULL;
		if (cJSON_IsString(x) && !(keep[i] = rt_strdup0(x->valuestring)))
			goto out;
		*dst[i] = keep[i];
	}
	x = cJSON_GetObjectItemCaseSensitive(j, "from");
	if (cJSON_IsString(x) && rt_time_parse(x->valuestring, &o->from))
		goto out;
	x = cJSON_GetObjectItemCaseSensitive(j, "to");
	if (cJSON_IsString(x) && rt_time_parse(x->valuestring, &o->to))
		goto out;
	o->csv_raw = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "csv_raw"));
	rc = 0;
out:
	cJSON_Delete(j);
	return rc;
}

/* ------------------------------------------------------------------ files */

typedef int (*writer_fn)(rt_buf *out, const rt_report *r, size_t host);

static int write_csv(rt_buf *out, const rt_report *r, size_t host)
{
	return rt_report_timeline(out, r, host, 1);
}

static int write_jsonl(rt_buf *out, const rt_report *r, size_t host)
{
	return rt_report_timeline(out, r, host, 0);
}

/* The files of one result (the case, or a host): name and writer. */
static const struct {
	const char *name;
	writer_fn write;
} unit_files[] = {
	{ "report.json", rt_report_json },
	{ "report.txt", rt_report_text },
	{ "report.html", rt_report_html },
	{ "timeline.csv", write_csv },
	{ "timeline.jsonl", write_jsonl },
};

const size_t cli_nunit_files = sizeof unit_files / sizeof *unit_files;

const char *cli_unit_file_name(size_t i)
{
	return i < cli_nunit_files ? unit_files[i].name : NULL;
}

/* rt_report.flush of a host file: its bytes so far go to the folder. */
static int put_piece(void *ctx, rt_buf *out)
{
	const rt_hostdir_file *f = ctx;

	if (f->put(f->put_ctx, out->buf, out->len))
		return -1;
	rt_buf_reset(out);
	return 0;
}

/* A report.json parsed ahead: its pieces written as they are made, and
 * kept. */
typedef struct keep_piece {
	const rt_hostdir_file *f;
	rt_buf *whole;
} keep_piece;

static int put_kept(void *ctx, rt_buf *out)
{
	keep_piece *k = ctx;

	return rt_buf_add(k->whole, out->buf, out->len) ? -1 : put_piece((void *)k->f, out);
}

int cli_unit_make(void *ctx, size_t i, rt_hostdir_file *f)
{
	const cli_unit_render *j = ctx;
	rt_buf *b = &j->bufs[i], whole = RT_BUF_INIT;
	rt_report rep = *j->r;
	keep_piece kp = { f, &whole };
	int parse = j->parsed && unit_files[i].write == rt_report_json;

	if (!f) { /* written: its bytes go */
		rt_buf_release(b);
		return 0;
	}
	rt_buf_reset(b);
	f->name = unit_files[i].name;
	/* written as it is made; a report.json parsed ahead is kept whole too */
	if (f->put) {
		rep.flush = parse ? put_kept : put_piece;
		rep.flush_ctx = parse ? (void *)&kp : (void *)f;
	}
	if (unit_files[i].write(b, &rep, j->host))
		goto fail;
	f->data = b->buf;
	f->len = b->len;
	if (!parse)
		return 0;
	/* parsed while the other files are made, and while this one goes to
	 * the disk (NULL if it fails: the case step then reads it from the
	 * folder) */
	if (rt_buf_add(&whole, b->buf, b->len))
		goto fail;
	if (f->put && f->done) {
		if (f->put(f->put_ctx, b->buf, b->len) || f->done(f->put_ctx))
			goto fail;
		f->data = NULL;
		f->len = 0;
	}
	*j->parsed = rt_hostdir_parse_report(j->dir, j->hostdir, whole.buf, whole.len);
	rt_buf_release(&whole);
	return 0;
fail:
	rt_buf_release(&whole);
	return -1;
}

/* rt_report.flush: what the writer has so far goes to the file. */
static int put_out(void *ctx, rt_buf *out)
{
	if (rt_outdir_put(ctx, out->buf, out->len))
		return -1;
	rt_buf_reset(out);
	return 0;
}

typedef struct case_job {
	const char *dir;
	const rt_report *r;
	rt_syncer *sync;  /* flushes each file once made */
	rt_outdir_file f[sizeof unit_files / sizeof *unit_files]; /* made, not ended */
	int err[sizeof unit_files / sizeof *unit_files];   /* errno of a failure, -1 none */
	int where[sizeof unit_files / sizeof *unit_files]; /* 1 while writing */
} case_job;

/* Case file i: written as it is made (the case's configurations are its
 * hosts', read back one at a time, never all in memory), to its temporary
 * name; flushed and renamed into place once every file is made. */
static int case_one(void *ctx, size_t i)
{
	case_job *j = ctx;
	rt_buf b = RT_BUF_INIT;
	rt_report rep = *j->r;
	rt_outdir_file f;

	j->f[i].fd = -1;
	rep.flush = put_out;
	rep.flush_ctx = &f;
	j->err[i] = -1;
	errno = 0;
	if (rt_outdir_begin(&f, j->dir, unit_files[i].name))
		goto fail;
	if (unit_files[i].write(&b, &rep, RT_REPORT_CASE)) {
		j->err[i] = errno;
		j->where[i] = 1;
		rt_outdir_abort(&f);
		goto out;
	}
	if (rt_outdir_put(&f, b.buf, b.len)) {
		rt_outdir_abort(&f);
		goto fail;
	}
	/* flushed while the others are made */
	rt_outdir_sync_by(&f, j->sync);
	j->f[i] = f;
	rt_buf_release(&b);
	return 0;
fail:
	j->err[i] = errno;
out:
	rt_buf_release(&b);
	return -1;
}

/* The case files are written side by side (run->jobs threads); failures
 * are said in file order. */
int cli_write_case(const char *cmd, const char *dir, const rt_report *r)
{
	case_job j;
	unsigned threads = r->run && r->run->jobs > 0 ? (unsigned)r->run->jobs : 1;
	size_t i;

	memset(&j, 0, sizeof j);
	j.dir = dir;
	j.r = r;
	j.sync = rt_syncer_new();
	for (i = 0; i < cli_nunit_files; i++)
		j.f[i].fd = -1;
	if (!rt_par_each(cli_nunit_files, threads, case_one, &j)) {
		int failed = 0;

		/* a flush the syncer saw fail is not seen again by the end's
		 * (one error report per open file): none of them is published */
		if (rt_syncer_wait(j.sync)) {
			j.err[0] = errno;
			failed = 1;
		}
		for (i = 0; i < cli_nunit_files; i++)
			if (!failed && rt_outdir_end(&j.f[i])) {
				j.err[i] = errno;
				failed = 1;
			} else if (failed) {
				rt_outdir_abort(&j.f[i]);
			}
		rt_syncer_free(&j.sync);
		if (!failed)
			return 0;
	} else {
		rt_syncer_free(&j.sync);
		for (i = 0; i < cli_nunit_files; i++)
			if (j.f[i].fd >= 0)
				rt_outdir_abort(&j.f[i]);
	}
	for (i = 0; i < cli_nunit_files; i++) {
		int e = j.err[i];

		if (e < 0)
			continue;
		if (j.where[i] && (e == EIO || e == ENOENT || e == EACCES))
			fprintf(stderr, "remtrail %s: cannot write '%s/%s': a host folder changed or "
					"went away while the case was made (%s); run again\n",
				cmd, dir, unit_files[i].name, strerror(e));
		else
			fprintf(stderr, "remtrail %s: cannot write '%s/%s': %s\n", cmd, dir,
				unit_files[i].name,
				e ? strerror(e) : j.where[i] ? "out of memory" : strerror(EIO));
	}
	return -1;
}

/* Whether `name` is a file remtrail writes into a result folder, or the
 * temporary name it is written under (".NAME.XXXXXX", rt_outdir_write). */
static int ours(const char *name)
{
	int tmp = name[0] == '.';
	size_t i, n;

	name += tmp;
	for (i = 0; i <= cli_nunit_files; i++) {
		const char *f = i < cli_nunit_files ? unit_files[i].name : CLI_MANIFEST;

		n = strlen(f);
		if (!strncmp(name, f, n) && (tmp ? name[n] == '.' : !name[n]))
			return 1;
	}
	return !tmp && !strcmp(name, "hosts");
}

int cli_outdir_ours(const char *dir)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	int r = 1;

	/* not there yet: another shard may make it any moment, and find it
	 * holds nothing of anyone else's */
	if (!d)
		return errno == ENOENT;
	while (r && (e = readdir(d)))
		r = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || ours(e->d_name);
	closedir(d);
	return r;
}

void cli_remove_case(const char *dir)
{
	rt_buf p = RT_BUF_INIT;
	size_t i;

	for (i = 0; i < cli_nunit_files; i++) {
		rt_buf_reset(&p);
		if (!rt_buf_addf(&p, "%s/%s", dir, unit_files[i].name))
			(void)unlink(p.buf);
	}
	rt_buf_release(&p);
}

typedef struct load_job {
	const rt_units *u;
	const char *const *froms;
	const unsigned char *fresh;
	rt_analysis **parsed;
	rt_analysis **parts;
	char (*err)[1024]; /* one reason per unit; "" when it was read */
} load_job;

static int load_one(void *ctx, size_t k)
{
	load_job *j = ctx;
	rt_analysis *parsed = j->parsed ? j->parsed[k] : NULL;
	int r;

	if (parsed) {
		j->parsed[k] = NULL;
		r = rt_hostdir_load_parsed(j->froms[k], j->u->units[k].dir, parsed, &j->parts[k],
					   j->err[k], sizeof j->err[k]);
	} else {
		r = rt_hostdir_load(j->froms[k], j->u->units[k].dir,
				    j->fresh && j->fresh[k] ? RT_HOSTDIR_FRESH : 0, &j->parts[k],
				    j->err[k], sizeof j->err[k]);
	}
	if (!r)
		return 0;
	if (!j->err[k][0])
		snprintf(j->err[k], sizeof j->err[k], "out of memory");
	return -1;
}

int cli_case_from_folders(const char *cmd, const rt_units *u, const char *const *froms,
			  const unsigned char *fresh, rt_analysis **parsed, unsigned threads,
			  rt_analysis **out)
{
	load_job j = { u, froms, fresh, parsed, calloc(u->n + 1, sizeof *j.parts),
		       calloc(u->n + 1, sizeof *j.err) };
	size_t k;
	int rc = -1;

	*out = NULL;
	if (!j.parts || !j.err) {
		fprintf(stderr, "remtrail %s: out of memory\n", cmd);
		goto out;
	}
	/* every host folder read side by side; the first that fails in the
	 * manifest's order is the one named, whatever the threads did */
	if (rt_par_each(u->n, threads, load_one, &j))
		for (k = 0; k < u->n; k++)
			if (j.err[k][0]) {
				fprintf(stderr, "remtrail %s: cannot read the result of host '%s' in "
						"'%s/hosts/%s': %s\n",
					cmd, u->units[k].dir, froms[k], u->units[k].dir, j.err[k]);
				goto out;
			}
	if (rt_case_join(j.parts, u->n, u->skipped, u->nskipped, out)) {
		fprintf(stderr, "remtrail %s: out of memory while joining the hosts\n", cmd);
		goto out;
	}
	rc = 0;
out:
	for (k = 0; j.parts && k < u->n; k++)
		rt_analysis_free(&j.parts[k]);
	free(j.parts);
	free(j.err);
	return rc;
}

/* --------------------------------------------------------------- progress */

void cli_units_progress_init(cli_units_progress *p, const char *cmd, size_t total,
			     uint64_t bytes_total)
{
	memset(p, 0, sizeof *p);
	p->cmd = cmd;
	p->tty = isatty(STDERR_FILENO);
	p->total = total;
	p->bytes_total = bytes_total;
	p->start = cli_now();
	pthread_mutex_init(&p->lock, NULL);
}

static void show(cli_units_progress *p)
{
	char line[512], rate[32] = "", eta[32] = "", name[64];
	double el = cli_now() - p->start;
	uint64_t read = p->bytes_read + p->bytes_now, left;
	rt_buf esc = RT_BUF_INIT;

	if (!p->tty)
		return;
	if (el > 0.5 && read) {
		double r = (double)read / el;

		human(rate, sizeof rate, (uint64_t)r);
		left = p->bytes_total > p->bytes_done + p->bytes_now
			       ? p->bytes_total - p->bytes_done - p->bytes_now : 0;
		if (r > 0) {
			uint64_t s = (uint64_t)((double)left / r);

			snprintf(eta, sizeof eta, s >= 3600 ? ", ETA %lluh%02llum" : ", ETA %llum%02llus",
				 (unsigned long long)(s >= 3600 ? s / 3600 : s / 60),
				 (unsigned long long)(s >= 3600 ? s / 60 % 60 : s % 60));
		}
	}
	rt_text_cstr(&esc, p->current ? p->current : "");
	snprintf(name, sizeof name, "%s", esc.buf ? esc.buf : "");
	snprintf(line, sizeof line, "remtrail %s: hosts %zu/%zu%s%s%s%s", p->cmd, p->done, p->total,
		 *rate ? ", " : "", rate, *rate ? "/s" : "", eta);
	if (p->current)
		snprintf(line + strlen(line), sizeof line - strlen(line), ", now %s", name);
	rt_buf_release(&esc);
	cli_status(line);
}

void cli_units_progress_begin(cli_units_progress *p, cli_unit_slot *s, const char *host)
{
	memset(s, 0, sizeof *s);
	s->p = p;
	s->host = host;
	s->start = cli_now();
	pthread_mutex_lock(&p->lock);
	p->current = host;
	show(p);
	pthread_mutex_unlock(&p->lock);
}

void cli_units_progress_cb(void *ctx, const char *what, size_t done, size_t total)
{
	cli_unit_slot *s = ctx;
	cli_units_progress *p = s->p;
	uint64_t now_bytes = (uint64_t)done << 20;
	double now;

	(void)total;
	if (strcmp(what, "MiB of EVTX read"))
		return;
	pthread_mutex_lock(&p->lock);
	p->bytes_now += now_bytes - s->bytes;
	s->bytes = now_bytes;
	now = cli_now();
	if (now - p->last_show >= 0.1) {
		p->last_show = now;
		show(p);
	}
	pthread_mutex_unlock(&p->lock);
}

void cli_units_progress_end(cli_unit_slot *s, uint64_t size, int unchanged, size_t findings)
{
	cli_units_progress *p = s->p;
	rt_buf esc = RT_BUF_INIT;
	char sz[32];
	double el = cli_now() - s->start;

	rt_text_cstr(&esc, s->host);
	human(sz, sizeof sz, size);
	pthread_mutex_lock(&p->lock);
	p->done++;
	p->bytes_done += size;
	p->bytes_now -= s->bytes;
	if (p->current == s->host)
		p->current = NULL;
	if (unchanged)
		p->unchanged++;
	else
		p->bytes_read += size;
	if (p->tty)
		show(p);
	else if (unchanged)
		fprintf(stderr, "remtrail %s: host %zu/%zu %s: unchanged since the last run, kept\n",
			p->cmd, p->done, p->total, esc.buf ? esc.buf : "");
	else
		fprintf(stderr, "remtrail %s: host %zu/%zu %s: %s in %.1f s, %zu finding%s\n", p->cmd,
			p->done, p->total, esc.buf ? esc.buf : "", sz, el, findings,
			findings == 1 ? "" : "s");
	pthread_mutex_unlock(&p->lock);
	rt_buf_release(&esc);
}

void cli_units_progress_finish(cli_units_progress *p)
{
	if (p->tty)
		cli_status_end();
	pthread_mutex_destroy(&p->lock);
}
