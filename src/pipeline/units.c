/*
 * A case as work units: listing them from the evidence, the manifest that
 * carries them to other processes and machines, shards. See units.h and
 * docs/scale.md.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jsonread.h"
#include "pipeline_int.h"
#include "readback.h"
#include "remtrail/report.h"
#include "remtrail/source.h"

/* ------------------------------------------------------------------ listing */

/* Folder names of all units: rt_host_dirname, then "~N" where two would be
 * equal ignoring case (N in unit order). */
static int name_folders(rt_units *u)
{
	rt_buf b = RT_BUF_INIT;
	size_t h, k, base;
	unsigned n;

	for (h = 0; h < u->n; h++) {
		rt_buf_reset(&b);
		if (rt_host_dirname(&b, u->units[h].host->name))
			goto oom;
		base = b.len;
		for (n = 2, k = 0; k < h; k++) {
			if (!rt_strcaseeq(u->units[k].dir, b.buf))
				continue;
			rt_buf_truncate(&b, base);
			if (rt_buf_addf(&b, "~%u", n++))
				goto oom;
			k = (size_t)-1; /* look again from the first unit */
		}
		if (!(u->units[h].dir = rt_buf_detach(&b, NULL)))
			goto oom;
	}
	return 0;
oom:
	rt_buf_release(&b);
	return -1;
}

static int add_path(rt_unit *un, const char *p)
{
	size_t i;
	char **np;

	for (i = 0; i < un->npaths; i++)
		if (!strcmp(un->paths[i], p))
			return 0;
	if (!(np = realloc(un->paths, (un->npaths + 1) * sizeof *np)))
		return -1;
	un->paths = np;
	if (!(np[un->npaths] = rt_strdup0(p)))
		return -1;
	un->npaths++;
	return 0;
}

/* A file of unit `un`: its size and the PATH argument it was found under. */
static int count_file(rt_unit *un, const char *path, uint64_t size, const char *const *paths,
		      size_t npaths)
{
	const char *root, *rel;

	un->nfiles++;
	un->size += size;
	pl_place(path, paths, npaths, &root, &rel);
	return *root ? add_path(un, root) : 0;
}

/* The outermost container holding container `c` (1-based): the one whose
 * path is the shortest prefix of c's followed by '/' (a ZIP holding a
 * VHDX), or c itself. */
static const rt_container *outermost(const rt_evidence *ev, size_t c)
{
	const rt_container *ct = &ev->containers[c - 1], *best = ct;
	size_t k, n;

	for (k = 0; k < ev->ncontainers; k++) {
		n = strlen(ev->containers[k].path);
		if (n < strlen(best->path) && !strncmp(ct->path, ev->containers[k].path, n) &&
		    ct->path[n] == '/')
			best = &ev->containers[k];
	}
	return best;
}

static int cmp_container(const void *a, const void *b)
{
	return strcmp(((const rt_unit_container *)a)->path, ((const rt_unit_container *)b)->path);
}

/* Container `c` (1-based, 0: none) among the unit's (its outermost one,
 * once, with its files). */
static int add_container(rt_unit *un, const rt_evidence *ev, size_t c)
{
	const rt_container *ct;
	rt_unit_container *nc, *x;
	size_t i;

	if (!c || c > ev->ncontainers)
		return 0;
	ct = outermost(ev, c);
	for (i = 0; i < un->ncontainers; i++)
		if (!strcmp(un->containers[i].path, ct->path))
			return 0;
	if (!(nc = realloc(un->containers, (un->ncontainers + 1) * sizeof *nc)))
		return -1;
	un->containers = nc;
	x = &nc[un->ncontainers++];
	memset(x, 0, sizeof *x);
	if (!(x->path = rt_strdup0(ct->path)) ||
	    !(x->files = calloc(ct->nfiles + 1, sizeof *x->files)))
		return -1;
	for (i = 0; i < ct->nfiles; i++) {
		if (!(x->files[i].path = rt_strdup0(ct->files[i].path)))
			return -1;
		x->files[i].size = ct->files[i].size;
		x->files[i].src = ct->files[i].src;
		x->nfiles++;
	}
	return 0;
}

static int describe_units(rt_units *u, const char *const *paths, size_t npaths)
{
	size_t h, i, k;

	if (!(u->units = calloc(u->ev->nhosts + 1, sizeof *u->units)))
		return -1;
	u->n = u->ev->nhosts;
	for (h = 0; h < u->n; h++) {
		rt_unit *un = &u->units[h];
		const rt_host *host = &u->ev->hosts[h];

		un->host = host;
		for (i = 0; i < host->nartifacts; i++) {
			const rt_artifact *art = &host->artifacts[i];

			if (count_file(un, art->path, art->size, paths, npaths) ||
			    add_container(un, u->ev, art->origin.container))
				return -1;
			for (k = 0; k < art->nlogs; k++) {
				if (count_file(un, art->logs[k].path, art->logs[k].size, paths,
				               npaths) ||
				    add_container(un, u->ev, art->logs[k].origin.container))
					return -1;
			}
		}
		if (un->ncontainers > 1)
			qsort(un->containers, un->ncontainers, sizeof *un->containers,
			      cmp_container);
	}
	return name_folders(u);
}

/* The one host whose artifacts container `c` (1-based) holds, or NULL
 * (none, or several: a case ZIP); *held: it holds some. */
static const char *container_host(const rt_evidence *ev, size_t c, int *held)
{
	const char *host = NULL;
	size_t h, i;

	*held = 0;
	for (h = 0; h < ev->nhosts; h++)
		for (i = 0; i < ev->hosts[h].nartifacts; i++) {
			if (ev->hosts[h].artifacts[i].origin.container != c)
				continue;
			if (*held && host != ev->hosts[h].name)
				return NULL;
			host = ev->hosts[h].name;
			*held = 1;
		}
	return host;
}

/*
 * Each file of the images and archives the walk opened (an E01's segments,
 * a ZIP) is an input of the case: kind, the host when it holds one, where
 * it lies when inside another container, and its state: read when
 * something in it was analysed (partly read if the walk named damage),
 * skipped when nothing (no NTFS volume), unreadable when it could not be
 * read at all. Notes the walk left on it are kept.
 */
static int container_inputs(pl_inputs *l, const rt_evidence *ev, const char *const *paths,
			    size_t npaths)
{
	size_t c, k, j, n0 = l->n;
	char kind[160];

	for (c = 0; c < ev->ncontainers; c++) {
		const rt_container *ct = &ev->containers[c];
		int held;
		const char *host = container_host(ev, c + 1, &held);

		for (k = 0; k < ct->nfiles; k++) {
			rt_input *in = NULL;
			int errors;

			if (ct->nfiles > 1)
				snprintf(kind, sizeof kind, "%s (%s), file %zu of %zu",
					 ct->archive ? "archive" : "disk image", ct->kind, k + 1,
					 ct->nfiles);
			else
				snprintf(kind, sizeof kind, "%s (%s)",
					 ct->archive ? "archive" : "disk image", ct->kind);
			for (j = 0; j < n0 && !in; j++)
				if (!strcmp(l->v[j].path, ct->files[k].path))
					in = &l->v[j];
			if (in) {
				errors = in->state == RT_INPUT_UNREADABLE;
				free(in->kind);
				in->kind = rt_strdup0(kind);
				in->size = ct->files[k].size;
				if (host && !in->host)
					in->host = rt_strdup0(host);
				if (!in->kind || (host && !in->host))
					return -1;
			} else {
				errors = 0;
				if (!(in = pl_input_add(l, ct->files[k].path, ct->files[k].size, host, kind,
							paths, npaths)))
					return -1;
			}
			if (pl_input_origin(in, ev, &ct->files[k]))
				return -1;
			in->state = !held    ? (errors ? RT_INPUT_UNREADABLE : RT_INPUT_SKIPPED)
				    : errors ? RT_INPUT_PARTLY
					     : RT_INPUT_READ;
		}
	}
	return 0;
}

/*
 * Images and archives are read where their artifacts lie, not from start
 * to end, so their own SHA-256 means reading what the readers skip: a
 * thread of its own does it while the hosts are analysed (the sources hash
 * what the readers read on the way; rt_source_sha256 reads only the rest).
 */
static void *hash_containers(void *p)
{
	const rt_evidence *ev = p;
	size_t c, k;
	char hex[65];

	for (c = 0; c < ev->ncontainers; c++)
		for (k = 0; k < ev->containers[c].nfiles; k++)
			rt_source_sha256(ev->containers[c].files[k].src, hex); /* kept; errors named later */
	return NULL;
}

void rt_units_hash_start(rt_units *u)
{
	if (u->hashing || !u->ev || !u->ev->ncontainers)
		return;
	u->hashing = rt_thread_start(&u->hasher, hash_containers, u->ev, 0) == 0;
}

/*
 * Units read from a manifest walked no evidence. The images and archives
 * a unit read from get their SHA-256 from its folder; those that gave no
 * unit anything (state skipped) are hashed from their files here, so that
 * a case made from a manifest lists the same SHA-256 as one made from the
 * walk. A file that is gone, unreadable or no longer of the size the
 * manifest gives is named and left without one.
 */
static int hash_skipped_files(rt_units *u, rt_diag *diag)
{
	rt_buf p = RT_BUF_INIT;
	struct stat st;
	uint64_t size;
	char hex[65];
	size_t j;
	int rc = 0;

	for (j = 0; !rc && j < u->nskipped; j++) {
		rt_input *in = &u->skipped[j];

		if (in->sha256 || !in->kind || in->container || in->state != RT_INPUT_SKIPPED)
			continue;
		rt_buf_reset(&p);
		if (in->path[0] == '/' ? rt_buf_adds(&p, in->path)
				       : rt_buf_addf(&p, "%s/%s", u->base, in->path)) {
			rc = -1;
		} else if (stat(p.buf, &st)) {
			rt_diag_error(diag, in->path, "cannot read to hash: %s", strerror(errno));
		} else if (!S_ISREG(st.st_mode)) {
			/* never opened: a FIFO would block, a device never end */
			rt_diag_error(diag, in->path, "not hashed: not a regular file");
		} else if ((size = (uint64_t)st.st_size) == in->size &&
			   rt_sha256_file(p.buf, hex, &size)) {
			rt_diag_error(diag, in->path, "cannot read to hash: %s", strerror(errno));
		} else if (size != in->size) { /* before, or while it was read */
			rt_diag_error(diag, in->path,
				      "not hashed: %llu bytes now, %llu when the manifest was written",
				      (unsigned long long)size, (unsigned long long)in->size);
		} else if (!(in->sha256 = rt_strdup0(hex))) {
			rc = -1;
		}
	}
	rt_buf_release(&p);
	return rc;
}

int rt_units_hash_finish(rt_units *u, rt_diag *diag)
{
	size_t c, k, j;

	if (u->from_manifest)
		return hash_skipped_files(u, diag);
	if (u->hashing)
		pthread_join(u->hasher, NULL);
	u->hashing = 0;
	for (c = 0; u->ev && c < u->ev->ncontainers; c++)
		for (k = 0; k < u->ev->containers[c].nfiles; k++)
			for (j = 0; j < u->nskipped; j++)
				if (!u->skipped[j].sha256 &&
				    !strcmp(u->skipped[j].path, u->ev->containers[c].files[k].path) &&
				    pl_input_hash(&u->skipped[j], &u->ev->containers[c].files[k], diag))
					return -1;
	return 0;
}

int rt_units_collect(const char *const *paths, size_t npaths, rt_units **out, rt_diag *diag)
{
	rt_units *u;
	pl_recorder rec;
	pl_inputs sk = { NULL, 0, 0 };
	rt_diag rd;
	int rc = -1;

	*out = NULL;
	if (!(u = calloc(1, sizeof *u)))
		return -1;
	pl_recorder_init(&rec, diag, &rd);
	if (!(u->base = getcwd(NULL, 0)) && !(u->base = rt_strdup0(".")))
		goto done;
	if (rt_pipeline_collect(paths, npaths, 1, &u->ev, &rd) || !u->ev)
		goto done;
	if (describe_units(u, paths, npaths) || pl_units_mgmt(u))
		goto done;
	/* everything the walk said names a file it left or could not open */
	if (rec.oom || pl_notes_to_inputs(&rec, &sk, 0, NULL, paths, npaths) ||
	    container_inputs(&sk, u->ev, paths, npaths))
		goto done;
	pl_inputs_sort(sk.v, sk.n);
	rc = 0;
done:
	u->skipped = sk.v;
	u->nskipped = sk.n;
	pl_recorder_release(&rec, &rd);
	if (rc)
		rt_units_free(&u);
	*out = u;
	return rc;
}

static void unit_containers_free(rt_unit *un)
{
	size_t c, f;

	for (c = 0; c < un->ncontainers; c++) {
		free(un->containers[c].path);
		for (f = 0; f < un->containers[c].nfiles; f++)
			free(un->containers[c].files[f].path);
		free(un->containers[c].files);
	}
	free(un->containers);
	un->containers = NULL;
	un->ncontainers = 0;
}

void rt_units_free(rt_units **up)
{
	rt_units *u = up ? *up : NULL;
	size_t i, k;

	if (!u)
		return;
	if (u->hashing)
		pthread_join(u->hasher, NULL);
	for (i = 0; i < u->n; i++) {
		free(u->units[i].dir);
		for (k = 0; k < u->units[i].npaths; k++)
			free(u->units[i].paths[k]);
		free(u->units[i].paths);
		unit_containers_free(&u->units[i]);
		free(u->units[i].mgmt);
	}
	free(u->units);
	for (i = 0; i < u->nskipped; i++)
		pl_input_release(&u->skipped[i]);
	free(u->skipped);
	rt_evidence_free(&u->ev);
	free(u->base);
	free(u);
	*up = NULL;
}

size_t rt_units_find(const rt_units *u, const char *name)
{
	size_t k;

	for (k = 0; k < u->n; k++)
		if (rt_strcaseeq(u->units[k].host->name, name) || !strcmp(u->units[k].dir, name))
			return k;
	return u->n;
}

/* ------------------------------------------------------------------ shards */

typedef struct by_size {
	uint64_t size;
	size_t unit;
} by_size;

/* Largest first, then in unit order. */
static int cmp_size(const void *a, const void *b)
{
	const by_size *x = a, *y = b;

	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	return x->unit < y->unit ? -1 : x->unit > y->unit;
}

int rt_units_shard(const rt_units *u, unsigned i, unsigned n, unsigned char *sel)
{
	by_size *order;
	uint64_t *load;
	size_t k;
	unsigned s;

	if (!n || i < 1 || i > n)
		return -1;
	memset(sel, 0, u->n);
	if (!u->n)
		return 0;
	order = malloc(u->n * sizeof *order);
	load = calloc(n, sizeof *load);
	if (!order || !load) {
		free(order);
		free(load);
		return -1;
	}
	for (k = 0; k < u->n; k++) {
		order[k].size = u->units[k].size;
		order[k].unit = k;
	}
	qsort(order, u->n, sizeof *order, cmp_size);
	for (k = 0; k < u->n; k++) {
		unsigned best = 0;

		for (s = 1; s < n; s++)
			if (load[s] < load[best])
				best = s;
		/* an empty unit still counts, so that shards share them too */
		load[best] += order[k].size + 1;
		if (best == i - 1)
			sel[order[k].unit] = 1;
	}
	free(order);
	free(load);
	return 0;
}

/* ------------------------------------------------------------ side by side */

typedef struct pool {
	const rt_units *u;
	by_size *order;     /* the units to do, largest first */
	unsigned threads;   /* for each unit */
	rt_unit_fn fn;
	void *ctx;
	int failed;         /* a unit failed: those not begun are left */
	pthread_mutex_t lock;
} pool;

static int pool_job(void *arg, size_t i)
{
	pool *p = arg;
	int skip;

	pthread_mutex_lock(&p->lock);
	skip = p->failed;
	pthread_mutex_unlock(&p->lock);
	if (skip || !p->fn(p->ctx, p->u, p->order[i].unit, p->threads))
		return 0;
	pthread_mutex_lock(&p->lock);
	p->failed = 1;
	pthread_mutex_unlock(&p->lock);
	return -1;
}

int rt_units_each(const rt_units *u, const unsigned char *sel, unsigned jobs, rt_unit_fn fn,
		  void *ctx)
{
	pool p;
	size_t k, n = 0;
	unsigned w;
	int rc;

	memset(&p, 0, sizeof p);
	if (!(p.order = malloc((u->n + 1) * sizeof *p.order)))
		return -1;
	for (k = 0; k < u->n; k++)
		if (!sel || sel[k]) {
			p.order[n].size = u->units[k].size;
			p.order[n++].unit = k;
		}
	qsort(p.order, n, sizeof *p.order, cmp_size);
	jobs = jobs ? jobs : 1;
	w = n < jobs ? (unsigned)n : jobs;
	p.u = u;
	p.fn = fn;
	p.ctx = ctx;
	p.threads = w ? jobs / w : jobs;
	pthread_mutex_init(&p.lock, NULL);
	/* units side by side, largest first, each with its share of threads */
	rc = rt_par_each(n, w, pool_job, &p);
	pthread_mutex_destroy(&p.lock);
	free(p.order);
	return rc;
}

/* ---------------------------------------------------------------- manifest */

#define ADD(s) do { if (rt_buf_adds(out, (s))) return -1; } while (0)
#define ADDF(...) do { if (rt_buf_addf(out, __VA_ARGS__)) return -1; } while (0)
#define JP(s) do { if (jw_path(out, (s))) return -1; } while (0)

static int path_list(rt_buf *out, const char *key, char *const *v, size_t n)
{
	size_t i;

	ADDF(",\"%s\":[", key);
	for (i = 0; i < n; i++) {
		if (i)
			ADD(",");
		JP(v[i]);
	}
	ADD("]");
	return 0;
}

/* ,"containers":[{"path":...,"files":[{"path":...,"size":N},...]},...] */
static int containers_json(rt_buf *out, const rt_unit *un)
{
	size_t c, f;

	if (!un->ncontainers)
		return 0;
	ADD(",\"containers\":[");
	for (c = 0; c < un->ncontainers; c++) {
		ADD(c ? ",{\"path\":" : "{\"path\":");
		JP(un->containers[c].path);
		ADD(",\"files\":[");
		for (f = 0; f < un->containers[c].nfiles; f++) {
			ADD(f ? ",{\"path\":" : "{\"path\":");
			JP(un->containers[c].files[f].path);
			ADDF(",\"size\":%llu}",
			     (unsigned long long)un->containers[c].files[f].size);
		}
		ADD("]}");
	}
	ADD("]");
	return 0;
}

/* An artifact's "origin" (as report.json gives it) when it lies in a
 * container; nothing for a plain file. */
static int origin_json(rt_buf *out, const rt_evidence *ev, const rt_artifact *a)
{
	if (!a->origin.container || a->origin.container > ev->ncontainers)
		return 0;
	return rt_report_origin_json(out, ev->containers[a->origin.container - 1].path, &a->origin);
}

static int manifest_unit(rt_buf *out, const rt_units *u, size_t k)
{
	const rt_unit *un = &u->units[k];
	const rt_host *h = un->host;
	size_t i, j;

	ADDF("{\"unit\":%zu,\"host\":", k + 1);
	JP(h->name);
	ADD(",\"dir\":");
	JP(un->dir);
	ADDF(",\"size\":%llu,\"files\":%zu,\"name_source\":", (unsigned long long)un->size,
	     un->nfiles);
	JP(h->name_source);
	ADD(",\"full_name\":");
	JP(h->full_name);
	ADD(",\"base\":");
	JP(u->base);
	if (un->mgmt) {
		ADD(",\"mgmt_ipv4\":");
		JP(un->mgmt);
	}
	if (path_list(out, "paths", un->paths, un->npaths) ||
	    path_list(out, "roots", h->roots, h->nroots) || containers_json(out, un))
		return -1;
	ADD(",\"artifacts\":[");
	for (i = 0; i < h->nartifacts; i++) {
		const rt_artifact *a = &h->artifacts[i];

		ADD(i ? ",{\"path\":" : "{\"path\":");
		JP(a->path);
		ADDF(",\"type\":\"%s\",\"hive\":\"%s\",\"backup\":%s,\"size\":%llu",
		     a->kind == RT_ART_EVTX ? "evtx" : "hive", rt_hive_kind_name(a->hive_kind),
		     a->is_backup ? "true" : "false", (unsigned long long)a->size);
		/* nothing identified it: why, for the note its analysis gives */
		if (a->hive_kind_unsure && a->hive_kind_reason) {
			ADD(",\"hive_reason\":");
			JP(a->hive_kind_reason);
		}
		if (origin_json(out, u->ev, a))
			return -1;
		ADD(",\"logs\":[");
		for (j = 0; j < a->nlogs; j++) {
			const rt_artifact *l = &a->logs[j];

			ADD(j ? ",{\"path\":" : "{\"path\":");
			JP(l->path);
			ADDF(",\"size\":%llu", (unsigned long long)l->size);
			if (origin_json(out, u->ev, l))
				return -1;
			ADD("}");
		}
		ADD("]}");
	}
	ADD("]}\n");
	return 0;
}

static int manifest_skipped(rt_buf *out, const rt_input *in)
{
	size_t k;

	ADD("{\"skipped\":");
	JP(in->path);
	ADD(",\"root\":");
	JP(in->root);
	ADD(",\"relative\":");
	JP(in->rel);
	/* an image or archive: what it is, its host, where it lies */
	if (in->size)
		ADDF(",\"size\":%llu", (unsigned long long)in->size);
	if (in->host) {
		ADD(",\"host\":");
		JP(in->host);
	}
	if (in->kind) {
		ADD(",\"kind\":");
		JP(in->kind);
	}
	if (in->container && rt_report_origin_json(out, in->container, &in->origin))
		return -1;
	ADDF(",\"state\":\"%s\",\"notes\":[", rt_input_state_name(in->state));
	for (k = 0; k < in->nnotes; k++) {
		if (k)
			ADD(",");
		if (rt_json_cstr(out, in->notes[k]))
			return -1;
	}
	ADD("]}\n");
	return 0;
}

int rt_units_manifest(const rt_units *u, rt_buf *out)
{
	size_t k;

	for (k = 0; k < u->n; k++)
		if (manifest_unit(out, u, k))
			return -1;
	for (k = 0; k < u->nskipped; k++)
		if (manifest_skipped(out, &u->skipped[k]))
			return -1;
	return 0;
}

/* ------------------------------------------------------------ reading it */

typedef struct reader {
	rt_units *u;
	size_t ahosts;
	pl_inputs sk;
	char *err;
	size_t errlen;
	size_t line;
} reader;

static int bad(reader *r, const char *what)
{
	snprintf(r->err, r->errlen, "line %zu: %s", r->line, what);
	return -1;
}

static int path_array(const cJSON *o, const char *key, char ***v, size_t *n)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, key), *x;
	rt_buf b = RT_BUF_INIT;

	*v = NULL;
	*n = 0;
	if (!cJSON_IsArray(arr))
		return -1;
	if (!(*v = calloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof **v)))
		return -1;
	cJSON_ArrayForEach(x, arr) {
		if (!cJSON_IsString(x) ||
		    rt_path_unescape(&b, x->valuestring, strlen(x->valuestring)) ||
		    !((*v)[*n] = rt_buf_detach(&b, NULL))) {
			rt_buf_release(&b);
			return -1;
		}
		(*n)++;
	}
	return 0;
}

/* The container named `path` in the parsed case's list (added when new;
 * `path` is taken): its 1-based index into *idx. -1 on OOM. */
static int container_index(rt_evidence *ev, char *path, int archive, size_t *idx)
{
	rt_container *p;
	size_t c;

	for (c = 0; c < ev->ncontainers; c++)
		if (!strcmp(ev->containers[c].path, path)) {
			free(path);
			*idx = c + 1;
			return 0;
		}
	if (!(p = realloc(ev->containers, (ev->ncontainers + 1) * sizeof *p))) {
		free(path);
		return -1;
	}
	ev->containers = p;
	memset(&p[ev->ncontainers], 0, sizeof *p);
	p[ev->ncontainers].path = path;
	p[ev->ncontainers].kind = archive ? "archive" : "disk image";
	p[ev->ncontainers].archive = archive;
	*idx = ++ev->ncontainers;
	return 0;
}

/* An artifact's "origin", when it has one: into a->origin, its container
 * into the case's list. */
static int read_origin(rt_evidence *ev, const cJSON *o, rt_artifact *a)
{
	char *container = NULL;

	if (pl_origin_read(o, &container, &a->origin)) {
		free(container);
		return -1;
	}
	return container ? container_index(ev, container, !a->origin.scheme, &a->origin.container)
			 : 0;
}

/* A hive's transaction logs as listed in the manifest: {"path","size"},
 * with "origin" for a log inside a container, or bare paths (older
 * manifests; their size is then unknown, 0). Their bytes are opened when
 * the unit is analysed. */
static int log_array(rt_evidence *ev, const cJSON *o, rt_artifact **v, size_t *n)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, "logs"), *x;
	rt_buf b = RT_BUF_INIT;

	*v = NULL;
	*n = 0;
	if (!cJSON_IsArray(arr) || !(*v = calloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof **v)))
		return -1;
	cJSON_ArrayForEach(x, arr) {
		rt_artifact *l = &(*v)[*n];

		l->kind = RT_ART_HIVE_LOG;
		l->origin.mft_entry = UINT64_MAX;
		(*n)++;
		if (cJSON_IsObject(x)) {
			if (jr_path(x, "path", &l->path) || !l->path ||
			    jr_u64(x, "size", &l->size) || read_origin(ev, x, l))
				return -1;
		} else if (!cJSON_IsString(x) ||
			   rt_path_unescape(&b, x->valuestring, strlen(x->valuestring)) ||
			   !(l->path = rt_buf_detach(&b, NULL))) {
			rt_buf_release(&b);
			return -1;
		}
	}
	return 0;
}

static int hive_kind(const char *s, rt_hive_kind *k)
{
	int i;

	for (i = RT_HIVE_UNKNOWN; s && i <= RT_HIVE_OTHER; i++)
		if (!strcmp(rt_hive_kind_name((rt_hive_kind)i), s)) {
			*k = (rt_hive_kind)i;
			return 0;
		}
	return -1;
}

static int read_artifact(rt_evidence *ev, const cJSON *o, rt_artifact *a)
{
	const char *type = jr_str(o, "type");
	int backup;

	memset(a, 0, sizeof *a);
	if (!type || (strcmp(type, "evtx") && strcmp(type, "hive")))
		return -1;
	a->kind = !strcmp(type, "evtx") ? RT_ART_EVTX : RT_ART_HIVE;
	if (jr_path(o, "path", &a->path) || !a->path || jr_u64(o, "size", &a->size) ||
	    hive_kind(jr_str(o, "hive"), &a->hive_kind) || jr_bool(o, "backup", 0, &backup) ||
	    log_array(ev, o, &a->logs, &a->nlogs) || read_origin(ev, o, a) ||
	    jr_path(o, "hive_reason", &a->hive_kind_reason))
		return -1;
	a->is_backup = backup;
	a->hive_kind_unsure = a->hive_kind_reason != NULL;
	return 0;
}

/* The unit's "containers", when it has some. */
static int read_containers(const cJSON *o, rt_unit *un)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, "containers"), *x, *f;

	if (!arr)
		return 0;
	if (!cJSON_IsArray(arr) ||
	    !(un->containers = calloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof *un->containers)))
		return -1;
	cJSON_ArrayForEach(x, arr) {
		const cJSON *files = cJSON_GetObjectItemCaseSensitive(x, "files");
		rt_unit_container *c = &un->containers[un->ncontainers++];

		if (jr_path(x, "path", &c->path) || !c->path || !cJSON_IsArray(files) ||
		    !(c->files = calloc((size_t)cJSON_GetArraySize(files) + 1, sizeof *c->files)))
			return -1;
		cJSON_ArrayForEach(f, files) {
			rt_unit_file *uf = &c->files[c->nfiles++];

			if (jr_path(f, "path", &uf->path) || !uf->path ||
			    jr_u64(f, "size", &uf->size))
				return -1;
		}
	}
	return 0;
}

static int read_unit(reader *r, const cJSON *o)
{
	rt_units *u = r->u;
	const cJSON *arts = cJSON_GetObjectItemCaseSensitive(o, "artifacts"), *x;
	rt_host *h;
	rt_unit *un;
	uint64_t num;
	char *base = NULL;

	if (jr_u64(o, "unit", &num) || num != u->n + 1)
		return bad(r, "units are not numbered 1, 2, 3, ... in order");
	if (u->n == r->ahosts) {
		size_t na = r->ahosts ? r->ahosts * 2 : 16;
		rt_host *nh = realloc(u->ev->hosts, na * sizeof *nh);
		rt_unit *nu;

		if (!nh)
			return bad(r, "out of memory");
		u->ev->hosts = nh;
		if (!(nu = realloc(u->units, na * sizeof *nu)))
			return bad(r, "out of memory");
		u->units = nu;
		r->ahosts = na;
	}
	h = &u->ev->hosts[u->n];
	un = &u->units[u->n];
	memset(h, 0, sizeof *h);
	memset(un, 0, sizeof *un);
	u->n++;
	u->ev->nhosts++;
	if (jr_path(o, "host", &h->name) || !h->name || jr_path(o, "dir", &un->dir) || !un->dir ||
	    jr_path(o, "name_source", &h->name_source) || !h->name_source ||
	    jr_path(o, "full_name", &h->full_name) || jr_u64(o, "size", &un->size) ||
	    jr_u64(o, "files", &num) || path_array(o, "paths", &un->paths, &un->npaths) ||
	    path_array(o, "roots", &h->roots, &h->nroots) || jr_path(o, "base", &base) || !base)
		return bad(r, "a unit needs host, dir, name_source, size, files, base, paths, roots");
	un->nfiles = (size_t)num;
	if (jr_path(o, "mgmt_ipv4", &un->mgmt))
		return free(base), bad(r, "'mgmt_ipv4' must be a string");
	if (!un->dir[0] || strchr(un->dir, '/') || un->dir[0] == '.')
		return free(base), bad(r, "'dir' must be a plain folder name");
	if (!u->base)
		u->base = base;
	else if (strcmp(u->base, base))
		return free(base), bad(r, "every unit must have the same 'base'");
	else
		free(base);
	if (!cJSON_IsArray(arts))
		return bad(r, "a unit needs 'artifacts'");
	if (!(h->artifacts = calloc((size_t)cJSON_GetArraySize(arts) + 1, sizeof *h->artifacts)))
		return bad(r, "out of memory");
	cJSON_ArrayForEach(x, arts) {
		if (read_artifact(u->ev, x, &h->artifacts[h->nartifacts++]))
			return bad(r, "an artifact needs path, type (evtx or hive), hive, backup, size, logs");
	}
	u->ev->nartifacts += h->nartifacts;
	if (read_containers(o, un))
		return bad(r, "'containers' needs path and files (path, size) for each");
	return 0;
}

static int read_skipped(reader *r, const cJSON *o)
{
	const cJSON *notes = cJSON_GetObjectItemCaseSensitive(o, "notes"), *x;
	const char *state = jr_str(o, "state");
	rt_input *in;
	int s;

	if (!(in = pl_input_new(&r->sk)))
		return bad(r, "out of memory");
	if (jr_path(o, "skipped", &in->path) || !in->path || jr_path(o, "root", &in->root) ||
	    !in->root || jr_path(o, "relative", &in->rel) || !in->rel || !state ||
	    !cJSON_IsArray(notes))
		return bad(r, "a skipped input needs skipped, root, relative, state, notes");
	if (jr_u64(o, "size", &in->size) || jr_path(o, "host", &in->host) ||
	    jr_path(o, "kind", &in->kind) || pl_origin_read(o, &in->container, &in->origin))
		return bad(
		    r, "a skipped input's size, host, kind or origin is not as remtrail writes it");
	for (s = RT_INPUT_READ; s <= RT_INPUT_SKIPPED && strcmp(state, rt_input_state_name(s)); s++)
		;
	if (s > RT_INPUT_SKIPPED)
		return bad(r, "unknown state");
	in->state = (rt_input_state)s;
	cJSON_ArrayForEach(x, notes) {
		if (!cJSON_IsString(x) || pl_input_note(in, x->valuestring))
			return bad(r, "notes must be strings");
	}
	return 0;
}

int rt_units_parse(const char *text, size_t len, rt_units **out, char *err, size_t errlen)
{
	reader r;
	size_t pos = 0;
	int rc = -1, skipped_seen = 0;

	*out = NULL;
	memset(&r, 0, sizeof r);
	r.err = err;
	r.errlen = errlen;
	if (!(r.u = calloc(1, sizeof *r.u)) || !(r.u->ev = calloc(1, sizeof *r.u->ev))) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	r.u->from_manifest = 1;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		cJSON *o;
		int bad_line;

		r.line++;
		if (n && text[pos + n - 1] == '\r')
			n--;
		if (!n) {
			pos = nl ? (size_t)(nl - text) + 1 : len;
			continue;
		}
		if (!(o = jr_parse(text + pos, n)) || !cJSON_IsObject(o)) {
			cJSON_Delete(o);
			bad(&r, "not a JSON object (a manifest is what `remtrail hosts` writes)");
			goto done;
		}
		if (cJSON_GetObjectItemCaseSensitive(o, "unit") && !skipped_seen)
			bad_line = read_unit(&r, o);
		else if (cJSON_GetObjectItemCaseSensitive(o, "skipped"))
			bad_line = (skipped_seen = 1, read_skipped(&r, o));
		else
			bad_line = bad(&r, "neither a unit nor a skipped input (or a unit after the skipped inputs)");
		cJSON_Delete(o);
		if (bad_line)
			goto done;
		pos = nl ? (size_t)(nl - text) + 1 : len;
	}
	if (!r.u->base && !(r.u->base = rt_strdup0("."))) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	{
		size_t k, j;

		for (k = 0; k < r.u->n; k++) {
			r.u->units[k].host = &r.u->ev->hosts[k];
			for (j = 0; j < k; j++)
				if (rt_strcaseeq(r.u->ev->hosts[j].name, r.u->ev->hosts[k].name) ||
				    rt_strcaseeq(r.u->units[j].dir, r.u->units[k].dir)) {
					snprintf(err, errlen, "units %zu and %zu: the same host or folder name",
						 j + 1, k + 1);
					goto done;
				}
		}
	}
	rc = 0;
done:
	if (r.u) {
		r.u->skipped = r.sk.v;
		r.u->nskipped = r.sk.n;
	}
	if (rc)
		rt_units_free(&r.u);
	*out = r.u;
	return rc;
}
