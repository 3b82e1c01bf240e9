/*
 * Host folders: a unit's result written so that a crash never leaves a
 * half-written folder that looks complete, checked before it is reused,
 * and read back for the case step (units.h).
 */
#include "config.h"

#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jsonread.h"
#include "readback.h"
#include "remtrail/report.h"
#include "remtrail/source.h"

#define UNIT_FILE "unit.json"
#define UNIT_SCHEMA "remtrail-unit/1"
#define MAX_FILE ((size_t)1 << 31) /* a host's report larger than this is not ours */

#define ERR(...) do { snprintf(err, errlen, __VA_ARGS__); goto out; } while (0)

/* ------------------------------------------------------------------ files */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)f;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* Remove a folder we wrote and all in it (links are removed, not followed). */
static int rmtree(const char *path)
{
	struct stat st;

	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A whole file into *out (NUL-terminated), at most MAX_FILE bytes. */
static int slurp(const char *path, rt_buf *out)
{
	char chunk[65536];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n;

	if (fd < 0)
		return -1;
	while ((n = read(fd, chunk, sizeof chunk)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (out->len + (size_t)n > MAX_FILE || rt_buf_add(out, chunk, (size_t)n)) {
			n = -1;
			errno = EFBIG;
			break;
		}
	}
	close(fd);
	return n == 0 && !rt_buf_grow(out, 1) ? 0 : -1;
}

static void sha256_hex(const void *data, size_t n, char hex[65])
{
	rt_sha256 c;
	uint8_t d[32];

	rt_sha256_init(&c);
	rt_sha256_update(&c, data, n);
	rt_sha256_final(&c, d);
	rt_hex(d, 32, hex);
}

/* Make `path` durable in its folder (best effort: not every file system
 * can sync a folder). */
static void sync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

/* Remove what an interrupted write of folder `name` left: hosts/.<name>.* */
static void remove_leftovers(const char *hosts, const char *name)
{
	DIR *d = opendir(hosts);
	struct dirent *e;
	size_t n = strlen(name);
	rt_buf p = RT_BUF_INIT;

	if (!d)
		return;
	while ((e = readdir(d)))
		if (e->d_name[0] == '.' && !strncmp(e->d_name + 1, name, n) &&
		    e->d_name[n + 1] == '.' && (!strncmp(e->d_name + n + 2, "tmp.", 4) ||
						!strncmp(e->d_name + n + 2, "old.", 4))) {
			rt_buf_reset(&p);
			if (!rt_buf_addf(&p, "%s/%s", hosts, e->d_name))
				(void)rmtree(p.buf);
		}
	closedir(d);
	rt_buf_release(&p);
}

/* ------------------------------------------------------------- unit.json */

#define ADD(s) do { if (rt_buf_adds(out, (s))) return -1; } while (0)
#define ADDF(...) do { if (rt_buf_addf(out, __VA_ARGS__)) return -1; } while (0)
#define JP(s) do { if (jw_path(out, (s))) return -1; } while (0)

static int link_json(rt_buf *out, size_t v, size_t n)
{
	if (v >= n)
		ADD(",null");
	else
		ADDF(",%zu", v);
	return 0;
}

/* What unit.json has made so far goes to its file, through uf->put (a
 * domain controller's remote logons make most of it: 10 MB for 50,000). */
static int flush_unit(const rt_hostdir_file *uf, rt_buf *out)
{
	if (!uf || out->len < (64u << 10))
		return 0;
	if (uf->put(uf->put_ctx, out->buf, out->len))
		return -1;
	rt_buf_reset(out);
	return 0;
}

static int pairing_json(rt_buf *out, const rt_pair_host *p, const rt_hostdir_file *uf)
{
	size_t i;
	char ts[RT_TIME_MAX];

	ADD(",\"pairing\":{\"ips\":[");
	for (i = 0; p && i < p->nips; i++) {
		if (i)
			ADD(",");
		JP(p->ips[i]);
	}
	ADD("],\"logons\":[");
	for (i = 0; p && i < p->nlogons; i++) {
		const rt_pair_logon *l = &p->logons[i];

		rt_time_format(l->time, ts);
		ADDF("%s{\"time\":\"%s\",\"record_id\":%llu,\"ip\":", i ? "," : "", ts,
		     (unsigned long long)l->record_id);
		JP(l->ip);
		ADD(",\"workstation\":");
		JP(l->workstation);
		ADD(",\"user\":");
		JP(l->user);
		ADD(",\"logon_id\":");
		JP(l->logon_id);
		ADD(",\"file\":");
		JP(l->file);
		ADD(",\"channel\":");
		JP(l->channel);
		ADD(",\"finding\":");
		if (l->finding == RT_FINDING_NONE)
			ADD("null}");
		else
			ADDF("%zu}", l->finding);
		if (flush_unit(uf, out))
			return -1;
	}
	ADD("]}");
	return 0;
}

static int unit_json(rt_buf *out, const rt_analysis *a, const rt_hostdir_file *files,
		     size_t nfiles, const rt_hostdir_made *made, const rt_hostdir_file *uf)
{
	const rt_analysis_host *h = &a->hosts[0];
	const rt_findings *fl = &h->findings;
	size_t i, n;

	ADD("{\"schema\":\"" UNIT_SCHEMA "\",\"host\":");
	JP(h->name);
	ADD(",\"dir\":");
	JP(h->dir);
	ADD(",\"version\":");
	JP(made->version);
	ADD(",\"options\":");
	JP(made->options);
	/* what it was made from: the unit's own files (not what was only named) */
	ADD(",\"inputs\":[");
	for (i = n = 0; i < a->ninputs; i++) {
		const rt_input *in = &a->inputs[i];

		if (!in->kind)
			continue;
		ADD(n++ ? ",{\"path\":" : "{\"path\":");
		JP(in->path);
		ADDF(",\"size\":%llu,\"sha256\":", (unsigned long long)in->size);
		JP(in->sha256);
		ADD("}");
	}
	ADD("]");
	/* the files of the images and archives they lie in */
	if (a->ncontainers) {
		ADD(",\"containers\":[");
		for (i = 0; i < a->ncontainers; i++) {
			ADD(i ? ",{\"path\":" : "{\"path\":");
			JP(a->containers[i].path);
			ADDF(",\"size\":%llu,\"sha256\":",
			     (unsigned long long)a->containers[i].size);
			JP(a->containers[i].sha256);
			ADD("}");
		}
		ADD("]");
	}
	ADD(",\"files\":[");
	for (i = 0; i < nfiles; i++) {
		ADD(i ? ",{\"name\":" : "{\"name\":");
		JP(files[i].name);
		ADDF(",\"size\":%zu,\"sha256\":\"%s\"}", files[i].len, files[i].sha256);
	}
	/* links between the host's findings (report.json gives record ids) */
	ADD("],\"links\":[");
	for (i = n = 0; i < fl->n; i++) {
		const rt_finding *f = &fl->items[i];

		if (f->logon >= fl->n && f->related >= fl->n)
			continue;
		ADDF("%s[%zu", n++ ? "," : "", i);
		if (link_json(out, f->logon, fl->n) || link_json(out, f->related, fl->n))
			return -1;
		ADD("]");
	}
	ADDF("],\"findings\":%zu", fl->n);
	if (pairing_json(out, h->pairing, uf))
		return -1;
	ADD(",\"complete\":true}\n");
	return 0;
}

/* ---------------------------------------------------------------- staging */

/* A host folder being written: DIR/hosts/.<name>.tmp.<pid>, renamed into
 * place when complete. */
typedef struct stage {
	const char *dir, *name;
	rt_buf tmp; /* relative to dir */
} stage;

static int stage_begin(stage *s, const char *dir, const char *name)
{
	rt_buf hosts = RT_BUF_INIT;
	int r;

	s->dir = dir;
	s->name = name;
	rt_buf_init(&s->tmp, 0);
	if (rt_buf_addf(&hosts, "%s/hosts", dir))
		return -1;
	remove_leftovers(hosts.buf, name);
	rt_buf_release(&hosts);
	r = rt_buf_addf(&s->tmp, "hosts/.%s.tmp.%ld", name, (long)getpid());
	return r;
}

static int stage_file(stage *s, const char *fname, const void *data, size_t len, char *err,
		      size_t errlen)
{
	rt_buf name = RT_BUF_INIT;
	int rc = -1;

	if (rt_buf_addf(&name, "%s/%s", s->tmp.buf, fname))
		ERR("out of memory");
	/* flushed together at the commit: a file's fsync does not hold up
	 * the thread that renders the next one */
	if (rt_outdir_write_unsynced(s->dir, name.buf, data, len))
		ERR("cannot write '%s/%s': %s", s->dir, name.buf, strerror(errno));
	rc = 0;
out:
	rt_buf_release(&name);
	return rc;
}

/* The complete folder replaces the old one (moved aside, then removed). */
static int stage_commit(stage *s, char *err, size_t errlen)
{
	rt_buf from = RT_BUF_INIT, to = RT_BUF_INIT, old = RT_BUF_INIT;
	int rc = -1, had_old = 0;

	if (rt_buf_addf(&from, "%s/%s", s->dir, s->tmp.buf) ||
	    rt_buf_addf(&to, "%s/hosts/%s", s->dir, s->name) ||
	    rt_buf_addf(&old, "%s/hosts/.%s.old.%ld", s->dir, s->name, (long)getpid()))
		ERR("out of memory");
	/* every file on the disk before the folder is published */
	if (rt_outdir_sync(from.buf))
		ERR("cannot flush '%s' to the disk: %s", from.buf, strerror(errno));
	if (rename(to.buf, old.buf) == 0)
		had_old = 1;
	else if (errno != ENOENT)
		ERR("cannot move '%s' aside: %s", to.buf, strerror(errno));
	if (rename(from.buf, to.buf))
		ERR("cannot rename '%s' to '%s': %s", from.buf, to.buf, strerror(errno));
	rt_buf_reset(&from);
	if (!rt_buf_addf(&from, "%s/hosts", s->dir))
		sync_dir(from.buf);
	if (had_old)
		(void)rmtree(old.buf);
	rc = 0;
out:
	rt_buf_release(&from);
	rt_buf_release(&to);
	rt_buf_release(&old);
	return rc;
}

/* Remove what was staged (after a failure) and release. */
static void stage_end(stage *s, int failed)
{
	rt_buf p = RT_BUF_INIT;

	if (failed && s->tmp.buf && !rt_buf_addf(&p, "%s/%s", s->dir, s->tmp.buf))
		(void)rmtree(p.buf);
	rt_buf_release(&p);
	rt_buf_release(&s->tmp);
}

/* ----------------------------------------------------------------- commit */

/* The files of a folder being staged, made (when `make`) and written side
 * by side: one's write and fsync wait while another is rendered. */
typedef struct write_job {
	stage *s;
	rt_syncer *sync;  /* flushes each file once written (NULL: the commit does) */
	rt_hostdir_file *files;
	rt_hostdir_make_fn make;
	void *ctx;
	char (*err)[512]; /* one reason per file, "" while none */
} write_job;

/* A file of the folder being written as it is made (rt_hostdir_file.put):
 * opened at its first bytes, hashed as they go. */
typedef struct piece_out {
	stage *s;
	rt_syncer *sync;
	const rt_hostdir_file *f;
	rt_outdir_file out;
	rt_sha256 sha;
	size_t len;            /* bytes written */
	int open, failed;
	int done;              /* closed and renamed (piece_finish) */
	int err;               /* errno of the failure */
} piece_out;

static int put_piece(void *ctx, const void *p, size_t n)
{
	piece_out *o = ctx;

	if (o->failed)
		return -1;
	if (!o->open) {
		rt_buf name = RT_BUF_INIT;

		o->failed = rt_buf_addf(&name, "%s/%s", o->s->tmp.buf, o->f->name) ||
			    rt_outdir_begin(&o->out, o->s->dir, name.buf);
		o->err = errno;
		rt_buf_release(&name);
		if (o->failed)
			return -1;
		o->open = 1;
	}
	if (rt_outdir_put(&o->out, p, n)) {
		o->err = errno;
		o->failed = 1;
		return -1;
	}
	rt_sha256_update(&o->sha, p, n); /* (a no-op without rt_sha256_init) */
	o->len += n;
	return 0;
}

/* The file's last bytes, then it is closed (its writeback started) and
 * renamed; 0, or -1 with o->err set. */
static int piece_finish(piece_out *o, const void *rest, size_t n)
{
	if (put_piece(o, rest, n))
		return -1;
	o->done = 1;
	o->open = 0; /* closed, or removed on failure */
	if (rt_outdir_end_by(&o->out, o->sync)) {
		o->err = errno;
		o->failed = 1;
		return -1;
	}
	return 0;
}

/* rt_hostdir_file.done: all of it was put. */
static int piece_done(void *ctx)
{
	piece_out *o = ctx;

	return o->failed || o->done || piece_finish(o, NULL, 0) ? -1 : 0;
}

static void piece_error(const piece_out *o, char *err, size_t errlen)
{
	snprintf(err, errlen, "cannot write '%s/%s/%s': %s", o->s->dir, o->s->tmp.buf,
		 o->f->name ? o->f->name : "a file", strerror(o->err));
}

/* A file not finished is removed. */
static void piece_release(piece_out *o)
{
	if (o->open)
		rt_outdir_abort(&o->out);
	o->open = 0;
	rt_sha256_release(&o->sha);
}

static int write_one(void *p, size_t i)
{
	write_job *j = p;
	rt_hostdir_file *f = &j->files[i];
	piece_out o;
	uint8_t d[32];
	int r = -1;

	memset(&o, 0, sizeof o);
	o.s = j->s;
	o.sync = j->sync;
	o.f = f;
	/* (a context that failed hashes to zeros, as it always did here) */
	(void)rt_sha256_init(&o.sha);
	f->put = put_piece;
	f->done = piece_done;
	f->put_ctx = &o;
	if (j->make && j->make(j->ctx, i, f) && !o.failed) {
		snprintf(j->err[i], sizeof j->err[i], "out of memory while making %s",
			 f->name ? f->name : "a file");
		goto out;
	}
	/* what was not handed over (all of it, for a file made whole) */
	if (o.failed || (!o.done && piece_finish(&o, f->data, f->len))) {
		piece_error(&o, j->err[i], sizeof j->err[i]);
		goto out;
	}
	rt_sha256_final(&o.sha, d);
	rt_hex(d, 32, f->sha256);
	r = 0;
out:
	piece_release(&o);
	f->put = NULL;
	f->done = NULL;
	f->put_ctx = NULL;
	if (j->make) {
		j->make(j->ctx, i, NULL); /* its bytes may go */
		f->data = NULL;
	}
	f->len = o.len; /* the whole file's, for unit.json */
	return r;
}

int rt_hostdir_write(const char *dir, const rt_analysis *a, rt_hostdir_file *files, size_t nfiles,
		     rt_hostdir_make_fn make, void *ctx, unsigned threads,
		     const rt_hostdir_made *made, char *err, size_t errlen)
{
	write_job j = { NULL, NULL, files, make, ctx, calloc(nfiles + 1, sizeof *j.err) };
	rt_buf u = RT_BUF_INIT;
	rt_hostdir_file uf;
	piece_out uo;
	stage s;
	size_t i;
	int rc = -1;

	memset(&s, 0, sizeof s);
	memset(&uf, 0, sizeof uf);
	memset(&uo, 0, sizeof uo);
	j.s = &s;
	if (!a || a->nhosts != 1 || !a->hosts[0].dir) {
		free(j.err);
		snprintf(err, errlen, "not one host's result");
		return -1;
	}
	if (!j.err || stage_begin(&s, dir, a->hosts[0].dir))
		ERR("out of memory");
	/* each file flushed while the next is made: the commit then waits
	 * for the last one only */
	j.sync = rt_syncer_new();
	if (make && nfiles)
		memset(files, 0, nfiles * sizeof *files);
	/* the first file that failed, in their order, whatever the threads did */
	if (rt_par_each(nfiles, threads, write_one, &j)) {
		for (i = 0; i < nfiles && !j.err[i][0]; i++)
			;
		ERR("%s", i < nfiles ? j.err[i] : "out of memory");
	}
	/* unit.json last, written as it is made */
	uo.s = &s;
	uo.sync = j.sync;
	uo.f = &uf;
	uf.name = UNIT_FILE; /* (not hashed: no file lists unit.json) */
	uf.put = put_piece;
	uf.put_ctx = &uo;
	if (unit_json(&u, a, files, nfiles, made, &uf) && !uo.failed)
		ERR("out of memory");
	if (uo.failed || piece_finish(&uo, u.buf, u.len)) {
		piece_error(&uo, err, errlen);
		goto out;
	}
	if (rt_syncer_wait(j.sync))
		ERR("cannot flush '%s/%s' to the disk: %s", dir, s.tmp.buf, strerror(errno));
	if (stage_commit(&s, err, errlen))
		goto out;
	rc = 0;
out:
	piece_release(&uo);
	rt_syncer_free(&j.sync);
	stage_end(&s, rc != 0);
	rt_buf_release(&u);
	free(j.err);
	return rc;
}

int rt_hostdir_commit(const char *dir, const rt_analysis *a, const rt_hostdir_file *files,
		      size_t nfiles, const rt_hostdir_made *made, char *err, size_t errlen)
{
	rt_hostdir_file *f = calloc(nfiles + 1, sizeof *f);
	int r;

	if (!f) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (nfiles)
		memcpy(f, files, nfiles * sizeof *f);
	r = rt_hostdir_write(dir, a, f, nfiles, NULL, NULL, 1, made, err, errlen);
	free(f);
	return r;
}

int rt_hostdir_remove(const char *dir, const char *hostdir, char *err, size_t errlen)
{
	rt_buf p = RT_BUF_INIT, u = RT_BUF_INIT;
	struct stat st;
	int rc = -1;

	if (!*hostdir || strchr(hostdir, '/') || hostdir[0] == '.')
		ERR("not a host folder name");
	if (rt_buf_addf(&p, "%s/hosts/%s", dir, hostdir) || rt_buf_addf(&u, "%s/" UNIT_FILE, p.buf))
		ERR("out of memory");
	if (lstat(p.buf, &st)) {
		if (errno != ENOENT)
			ERR("%s", strerror(errno));
		rc = 0; /* none: nothing to remove */
		goto out;
	}
	if (!S_ISDIR(st.st_mode) || lstat(u.buf, &st) || !S_ISREG(st.st_mode))
		ERR("not a host folder remtrail wrote (no %s)", UNIT_FILE);
	if (rmtree(p.buf))
		ERR("%s", strerror(errno));
	rc = 0;
out:
	rt_buf_release(&p);
	rt_buf_release(&u);
	return rc;
}

/* -------------------------------------------------------------- checking */

/* unit.json of DIR/hosts/<hostdir>, parsed, or NULL with the reason. */
/*
 * unit.json of a host folder, parsed but for its "pairing" member (null in
 * the tree): a host's remote logons are most of the file (10 MB for a log
 * of 50,000), and a tree of them several times that. With `pairing`, that
 * member's bytes go there, for read_pairing.
 */
static cJSON *read_unit(const char *dir, const char *hostdir, rt_buf *pairing, char *why,
			size_t whylen)
{
	static const char *const apart[] = { "pairing", NULL };
	rt_buf p = RT_BUF_INIT, text = RT_BUF_INIT;
	cJSON *j = NULL;
	size_t span[1][2];
	int complete = 0;

	if (rt_buf_addf(&p, "%s/hosts/%s/" UNIT_FILE, dir, hostdir)) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	if (slurp(p.buf, &text)) {
		snprintf(why, whylen, errno == ENOENT ? "no complete result (no %s)"
						      : "cannot read %s: %s", UNIT_FILE,
			 strerror(errno));
		goto out;
	}
	j = jr_parse_apart(text.buf, text.len, apart, span);
	if (j && pairing && rt_buf_add(pairing, text.buf + span[0][0], span[0][1] - span[0][0])) {
		snprintf(why, whylen, "out of memory");
		cJSON_Delete(j);
		j = NULL;
		goto out;
	}
	if (!j || !jr_str(j, "schema") || strcmp(jr_str(j, "schema"), UNIT_SCHEMA) ||
	    jr_bool(j, "complete", 0, &complete) || !complete) {
		snprintf(why, whylen, "%s is not a complete %s record", UNIT_FILE, UNIT_SCHEMA);
		cJSON_Delete(j);
		j = NULL;
	}
out:
	rt_buf_release(&p);
	rt_buf_release(&text);
	return j;
}

/* Every file unit.json lists, as it says (of a fresh folder, report.json
 * alone): `report` gets report.json. */
static int check_files(const char *folder, const cJSON *j, int fresh, rt_buf *report, char *err,
		       size_t errlen)
{
	const cJSON *files = cJSON_GetObjectItemCaseSensitive(j, "files"), *x;
	rt_buf p = RT_BUF_INIT, data = RT_BUF_INIT;
	char hex[65];
	int rc = -1, seen = 0;

	if (!cJSON_IsArray(files))
		ERR("%s/%s lists no files", folder, UNIT_FILE);
	cJSON_ArrayForEach(x, files) {
		const char *name = jr_str(x, "name"), *sha = jr_str(x, "sha256");
		uint64_t size;

		if (!name || !sha || strchr(name, '/') || jr_u64(x, "size", &size))
			ERR("%s/%s: a file entry is not as remtrail writes it", folder, UNIT_FILE);
		if (fresh && strcmp(name, "report.json"))
			continue;
		rt_buf_reset(&p);
		rt_buf_reset(&data);
		if (rt_buf_addf(&p, "%s/%s", folder, name))
			ERR("out of memory");
		if (slurp(p.buf, &data))
			ERR("cannot read '%s': %s", p.buf, strerror(errno));
		sha256_hex(data.buf, data.len, hex);
		if (data.len != size || strcmp(hex, sha))
			ERR("'%s' is not the file %s lists (changed after it was written)", p.buf,
			    UNIT_FILE);
		if (!strcmp(name, "report.json")) {
			rt_buf_release(report);
			*report = data;
			rt_buf_init(&data, 0);
			seen = 1;
		}
	}
	if (!seen)
		ERR("%s/%s lists no report.json", folder, UNIT_FILE);
	rc = 0;
out:
	rt_buf_release(&p);
	rt_buf_release(&data);
	return rc;
}

int rt_hostdir_info(const char *dir, const char *hostdir, char **version, char **options,
		    char *err, size_t errlen)
{
	cJSON *j = read_unit(dir, hostdir, NULL, err, errlen);
	int rc = -1;

	*version = *options = NULL;
	if (!j)
		return -1;
	if (jr_path(j, "version", version) || !*version || jr_path(j, "options", options) ||
	    !*options) {
		snprintf(err, errlen, "%s lacks the version or the options", UNIT_FILE);
		free(*version);
		free(*options);
		*version = *options = NULL;
	} else {
		rc = 0;
	}
	cJSON_Delete(j);
	return rc;
}

/* The unit's own files (artifacts and their logs), in path order. */
static int unit_files(const rt_unit *u, const rt_artifact ***out, size_t *n)
{
	size_t i, k, cnt = 0;
	const rt_artifact **v;

	for (i = 0; i < u->host->nartifacts; i++)
		cnt += 1 + u->host->artifacts[i].nlogs;
	if (!(v = calloc(cnt + 1, sizeof *v)))
		return -1;
	*n = 0;
	for (i = 0; i < u->host->nartifacts; i++) {
		v[(*n)++] = &u->host->artifacts[i];
		for (k = 0; k < u->host->artifacts[i].nlogs; k++)
			v[(*n)++] = &u->host->artifacts[i].logs[k];
	}
	*out = v;
	return 0;
}

static int cmp_path(const void *a, const void *b)
{
	return strcmp((*(const rt_artifact *const *)a)->path,
	              (*(const rt_artifact *const *)b)->path);
}

/* A file's SHA-256 now: through its byte source when the walk opened it
 * (hashed once, shared with what else hashes it), else read by path. */
static int hash_now(const rt_unit_file *f, char hex[65])
{
	uint64_t n;

	if (f->src)
		return rt_source_sha256(f->src, hex);
	return rt_sha256_file(f->path, hex, &n);
}

/* Whether the files of the unit's containers are those unit.json records
 * (path, size, SHA-256; what lies inside them, a VHDX in a ZIP, is then
 * unchanged too). 1 yes, 0 no (why says). */
static int containers_current(const cJSON *j, const rt_unit *u, char *why, size_t whylen)
{
	const cJSON *rec = cJSON_GetObjectItemCaseSensitive(j, "containers"), *x;
	size_t c, f;
	char hex[65];

	for (c = 0; c < u->ncontainers; c++)
		for (f = 0; f < u->containers[c].nfiles; f++) {
			const rt_unit_file *uf = &u->containers[c].files[f];
			const char *sha = NULL;
			struct stat st;
			uint64_t size = 0;
			int seen = 0;

			cJSON_ArrayForEach(x, rec) {
				char *p = NULL;

				if (!seen && !jr_path(x, "path", &p) && p && !strcmp(p, uf->path) &&
				    !jr_u64(x, "size", &size)) {
					sha = jr_str(x, "sha256");
					seen = 1;
				}
				free(p);
			}
			if (!seen) {
				snprintf(why, whylen, "images or archives added or removed");
				return 0;
			}
			if (stat(uf->path, &st) != 0 || (uint64_t)st.st_size != size) {
				snprintf(why, whylen, "input changed (size): %s", uf->path);
				return 0;
			}
			if (hash_now(uf, hex) ? sha != NULL : !sha || strcmp(sha, hex)) {
				snprintf(why, whylen, "input changed (SHA-256): %s", uf->path);
				return 0;
			}
		}
	return 1;
}

int rt_hostdir_current(const char *dir, const rt_unit *u, const rt_hostdir_made *made, char *why,
		       size_t whylen)
{
	cJSON *j;
	const cJSON *ins, *x;
	const rt_artifact **files = NULL;
	char *p = NULL, hex[65];
	size_t n = 0, i = 0;
	int rc = 0;
	rt_buf hosts = RT_BUF_INIT;

	/* what an interrupted write of this unit left is of no use */
	if (!rt_buf_addf(&hosts, "%s/hosts", dir))
		remove_leftovers(hosts.buf, u->dir);
	rt_buf_release(&hosts);
	if (!(j = read_unit(dir, u->dir, NULL, why, whylen)))
		return 0;
	if (jr_path(j, "version", &p) || !p || strcmp(p, made->version)) {
		snprintf(why, whylen, "made by another remtrail version (%s)", p ? p : "?");
		goto out;
	}
	free(p);
	if (jr_path(j, "options", &p) || !p || strcmp(p, made->options)) {
		snprintf(why, whylen, "made with other options");
		goto out;
	}
	free(p);
	p = NULL;
	/* every file there as unit.json says */
	{
		rt_buf folder = RT_BUF_INIT, report = RT_BUF_INIT;
		int bad = rt_buf_addf(&folder, "%s/hosts/%s", dir, u->dir) ||
			  check_files(folder.buf, j, 0, &report, why, whylen);

		rt_buf_release(&folder);
		rt_buf_release(&report);
		if (bad)
			goto out;
	}
	if (unit_files(u, &files, &n)) {
		rc = -1;
		goto out;
	}
	qsort(files, n, sizeof *files, cmp_path);
	ins = cJSON_GetObjectItemCaseSensitive(j, "inputs");
	if (cJSON_GetArraySize(ins) != (int)n) {
		snprintf(why, whylen, "inputs added or removed");
		goto out;
	}
	cJSON_ArrayForEach(x, ins) {
		struct stat st;
		uint64_t size;
		const char *sha = jr_str(x, "sha256");
		uint64_t now;

		free(p);
		if (jr_path(x, "path", &p) || !p || jr_u64(x, "size", &size) ||
		    strcmp(p, files[i]->path)) {
			snprintf(why, whylen, "inputs added or removed");
			goto out;
		}
		/* inside an image or archive: unchanged when the container is
		 * (checked below) */
		if (files[i]->origin.container ||
		    pl_container_of(files[i]->path, u->containers, u->ncontainers) <
		        u->ncontainers) {
			if (size != files[i]->size) {
				snprintf(why, whylen, "input changed (size): %s", files[i]->path);
				goto out;
			}
			i++;
			continue;
		}
		if (stat(p, &st) != 0 || (uint64_t)st.st_size != size) {
			snprintf(why, whylen, "input changed (size): %s", files[i]->path);
			goto out;
		}
		/* a file that could not be hashed then is unchanged when it
		 * still cannot be */
		if (rt_sha256_file(p, hex, &now) ? sha != NULL : !sha || strcmp(sha, hex)) {
			snprintf(why, whylen, "input changed (SHA-256): %s", files[i]->path);
			goto out;
		}
		i++;
	}
	rc = containers_current(j, u, why, whylen);
out:
	free(p);
	free(files);
	cJSON_Delete(j);
	return rc;
}

/* ------------------------------------------------------------- reading */

static int read_links(const cJSON *j, rt_findings *fl)
{
	const cJSON *links = cJSON_GetObjectItemCaseSensitive(j, "links"), *x;

	if (!cJSON_IsArray(links))
		return -1;
	cJSON_ArrayForEach(x, links) {
		uint64_t i, v[2];
		int k;

		if (cJSON_GetArraySize(x) != 3 || !cJSON_IsString(cJSON_GetArrayItem(x, 0)) ||
		    rt_parse_u64(cJSON_GetArrayItem(x, 0)->valuestring, &i) || i >= fl->n)
			return -1;
		for (k = 0; k < 2; k++) {
			const cJSON *e = cJSON_GetArrayItem(x, k + 1);

			v[k] = RT_FINDING_NONE;
			if (cJSON_IsNull(e))
				continue;
			if (!cJSON_IsString(e) || rt_parse_u64(e->valuestring, &v[k]) || v[k] >= fl->n)
				return -1;
		}
		fl->items[i].logon = (size_t)v[0];
		fl->items[i].related = (size_t)v[1];
	}
	return 0;
}

/* One remote logon of unit.json's "pairing" (jr_each). */
typedef struct logon_read {
	rt_pair_host *h;
	size_t cap, nfind;
} logon_read;

static int read_logon(void *ctx, const char *v, size_t n)
{
	logon_read *r = ctx;
	rt_pair_host *h = r->h;
	cJSON *x = jr_parse(v, n);
	const cJSON *fi = cJSON_GetObjectItemCaseSensitive(x, "finding");
	rt_pair_logon *l;
	uint64_t f;
	int rc = -1;

	if (!cJSON_IsObject(x))
		goto out;
	if (pl_grow((void **)&h->logons, &r->cap, h->nlogons, sizeof *h->logons))
		goto out;
	l = &h->logons[h->nlogons++];
	memset(l, 0, sizeof *l);
	l->finding = RT_FINDING_NONE;
	if (jr_time(x, "time", &l->time) || jr_u64(x, "record_id", &l->record_id) ||
	    jr_path(x, "ip", &l->ip) || jr_path(x, "workstation", &l->workstation) ||
	    jr_path(x, "user", &l->user) || jr_path(x, "logon_id", &l->logon_id) ||
	    jr_path(x, "file", &l->file) || jr_path(x, "channel", &l->channel))
		goto out;
	if (!cJSON_IsNull(fi)) {
		if (jr_u64(x, "finding", &f) || f >= r->nfind)
			goto out;
		l->finding = (size_t)f;
	}
	rc = 0;
out:
	cJSON_Delete(x);
	return rc;
}

/* unit.json's "pairing" member (its bytes, read_unit): the host's addresses
 * and its remote logons, read a logon at a time. */
static int read_pairing(const char *text, size_t len, const char *name, size_t nfind,
			rt_pair_host **out)
{
	static const char *const apart[] = { "logons", NULL };
	size_t span[1][2];
	cJSON *p = text ? jr_parse_apart(text, len, apart, span) : NULL;
	const cJSON *ips = cJSON_GetObjectItemCaseSensitive(p, "ips"), *x;
	rt_pair_host *h;
	logon_read r = { NULL, 0, nfind };
	int rc = -1;

	if (!cJSON_IsArray(ips))
		goto out;
	if (!(h = *out = calloc(1, sizeof *h)) || !(h->name = rt_strdup0(name)) ||
	    !(h->ips = calloc((size_t)cJSON_GetArraySize(ips) + 1, sizeof *h->ips)))
		goto out;
	cJSON_ArrayForEach(x, ips) {
		rt_buf b = RT_BUF_INIT;

		if (!cJSON_IsString(x) || rt_path_unescape(&b, x->valuestring, strlen(x->valuestring)) ||
		    !(h->ips[h->nips] = rt_buf_detach(&b, NULL))) {
			rt_buf_release(&b);
			goto out;
		}
		h->nips++;
	}
	r.h = h;
	if (jr_each(text + span[0][0], span[0][1] - span[0][0], read_logon, &r))
		goto out;
	if (!h->logons && !(h->logons = calloc(1, sizeof *h->logons)))
		goto out;
	rc = 0;
out:
	cJSON_Delete(p);
	return rc;
}

/* unit.json's "containers" into a->containers (none when absent). */
static int read_containers(const cJSON *j, rt_analysis *a)
{
	const cJSON *rec = cJSON_GetObjectItemCaseSensitive(j, "containers"), *x;
	pl_inputs l = { NULL, 0, 0 };
	int rc = 0;

	if (!rec)
		return 0;
	if (!cJSON_IsArray(rec))
		return -1;
	cJSON_ArrayForEach(x, rec) {
		rt_input *in = pl_input_new(&l);

		if (!in || jr_path(x, "path", &in->path) || !in->path ||
		    jr_u64(x, "size", &in->size) || jr_path(x, "sha256", &in->sha256)) {
			rc = -1;
			break;
		}
	}
	a->containers = l.v;
	a->ncontainers = l.n;
	return rc;
}

static int load(const char *dir, const char *hostdir, unsigned flags, rt_analysis *parsed,
		rt_analysis **out, char *err, size_t errlen)
{
	rt_buf folder = RT_BUF_INIT, report = RT_BUF_INIT, p = RT_BUF_INIT, pairing = RT_BUF_INIT;
	rt_analysis *a = NULL;
	cJSON *j;
	char *name = NULL, *dname = NULL;
	uint64_t nfind;
	size_t i;
	int rc = -1;

	*out = NULL;
	if (!(j = read_unit(dir, hostdir, &pairing, err, errlen))) {
		rt_analysis_free(&parsed);
		return -1;
	}
	a = parsed;
	if (rt_buf_addf(&folder, "%s/hosts/%s", dir, hostdir) ||
	    (!a && !(a = calloc(1, sizeof *a))))
		ERR("out of memory");
	if (jr_path(j, "host", &name) || !name || jr_path(j, "dir", &dname) || !dname ||
	    strcmp(dname, hostdir) || jr_u64(j, "findings", &nfind))
		ERR("%s/%s does not name this host folder", folder.buf, UNIT_FILE);
	if (!parsed) {
		if (check_files(folder.buf, j, (flags & RT_HOSTDIR_FRESH) != 0, &report, err,
				errlen))
			goto out;
		rt_buf_reset(&p);
		if (rt_buf_addf(&p, "%s/report.json", folder.buf))
			ERR("out of memory");
		if (rb_host_report(a, report.buf, report.len, p.buf, err, errlen))
			goto out;
	}
	/* the host's name as unit.json keeps it: the exact bytes. A finding
	 * on another computer (a log that names several) keeps that name, as
	 * the host's own files give it. */
	for (i = 0; i < a->hosts[0].findings.n; i++) {
		rt_finding *f = &a->hosts[0].findings.items[i];

		if (strcmp(f->host, a->hosts[0].name))
			continue;
		free(f->host);
		if (!(f->host = rt_strdup0(name)))
			ERR("out of memory");
	}
	free(a->hosts[0].name);
	a->hosts[0].name = name;
	name = NULL;
	for (i = 0; i < a->ninputs; i++) {
		free(a->inputs[i].host);
		if (!(a->inputs[i].host = rt_strdup0(a->hosts[0].name)))
			ERR("out of memory");
	}
	if (!(a->hosts[0].inputs = calloc(a->ninputs + 1, sizeof *a->hosts[0].inputs)))
		ERR("out of memory");
	for (i = 0; i < a->ninputs; i++)
		a->hosts[0].inputs[a->hosts[0].ninputs++] = i;
	if (nfind != a->hosts[0].findings.n || read_links(j, &a->hosts[0].findings) ||
	    read_pairing(pairing.buf, pairing.len, a->hosts[0].name, a->hosts[0].findings.n,
			 &a->hosts[0].pairing))
		ERR("%s/%s does not match its report.json", folder.buf, UNIT_FILE);
	if (read_containers(j, a))
		ERR("%s/%s: its containers are not as remtrail writes them", folder.buf, UNIT_FILE);
	rc = 0;
out:
	free(name);
	free(dname);
	cJSON_Delete(j);
	rt_buf_release(&folder);
	rt_buf_release(&report);
	rt_buf_release(&p);
	rt_buf_release(&pairing);
	if (rc)
		rt_analysis_free(&a);
	*out = a;
	return rc;
}

int rt_hostdir_load(const char *dir, const char *hostdir, unsigned flags, rt_analysis **out,
		    char *err, size_t errlen)
{
	return load(dir, hostdir, flags, NULL, out, err, errlen);
}

int rt_hostdir_load_parsed(const char *dir, const char *hostdir, rt_analysis *parsed,
			   rt_analysis **out, char *err, size_t errlen)
{
	return load(dir, hostdir, RT_HOSTDIR_FRESH, parsed, out, err, errlen);
}

rt_analysis *rt_hostdir_parse_report(const char *dir, const char *hostdir, const char *text,
				     size_t len)
{
	rt_analysis *a = calloc(1, sizeof *a);
	rt_buf p = RT_BUF_INIT;
	char err[256];

	if (!a || rt_buf_addf(&p, "%s/hosts/%s/report.json", dir, hostdir) ||
	    rb_host_report(a, text, len, p.buf, err, sizeof err))
		rt_analysis_free(&a);
	rt_buf_release(&p);
	return a;
}

/* ---------------------------------------------------------------- copying */

int rt_hostdir_copy(const char *src, const char *dst, const char *hostdir, char *err,
		    size_t errlen)
{
	cJSON *j = read_unit(src, hostdir, NULL, err, errlen);
	const cJSON *files, *x;
	rt_buf p = RT_BUF_INIT, data = RT_BUF_INIT;
	stage s;
	int rc = -1;

	memset(&s, 0, sizeof s);
	if (!j)
		return -1;
	files = cJSON_GetObjectItemCaseSensitive(j, "files");
	if (stage_begin(&s, dst, hostdir))
		ERR("out of memory");
	/* the listed files, then unit.json last */
	for (x = cJSON_IsArray(files) ? files->child : NULL;; x = x ? x->next : NULL) {
		const char *fname = x ? jr_str(x, "name") : UNIT_FILE;

		if (!fname || strchr(fname, '/'))
			ERR("%s/hosts/%s/%s is not as remtrail writes it", src, hostdir, UNIT_FILE);
		rt_buf_reset(&p);
		rt_buf_reset(&data);
		if (rt_buf_addf(&p, "%s/hosts/%s/%s", src, hostdir, fname))
			ERR("out of memory");
		if (slurp(p.buf, &data))
			ERR("cannot read '%s': %s", p.buf, strerror(errno));
		if (stage_file(&s, fname, data.buf, data.len, err, errlen))
			goto out;
		if (!x)
			break;
	}
	if (stage_commit(&s, err, errlen))
		goto out;
	rc = 0;
out:
	stage_end(&s, rc != 0);
	cJSON_Delete(j);
	rt_buf_release(&p);
	rt_buf_release(&data);
	return rc;
}

int rt_host_configuration(const rt_analysis_host *h, rt_buf *out)
{
	const rt_file_span *at = &h->configuration_at;
	char hex[65];
	size_t start = out->len, got = 0;
	int fd, e = EIO;

	if (h->configuration_json)
		return rt_buf_adds(out, h->configuration_json);
	if (!at->path)
		return rt_buf_adds(out, RT_CONFIG_JSON_HEAD "]}");
	if (at->len > MAX_FILE || rt_buf_grow(out, (size_t)at->len))
		return -1;
	if ((fd = open(at->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		goto fail;
	while (got < at->len) {
		ssize_t n = pread(fd, out->buf + start + got, (size_t)at->len - got,
				  (off_t)(at->off + got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	sha256_hex(out->buf + start, got, hex);
	if (got == at->len && !strcmp(hex, at->sha256)) {
		out->len = start + got;
		out->buf[out->len] = '\0';
		return 0;
	}
fail:
	e = errno == ENOENT || errno == EACCES ? errno : EIO;
	rt_buf_truncate(out, start);
	errno = e;
	return -1;
}
