/*
 * The case's management hosts. A workstation whose WMI is open only to the
 * domain controllers and file servers of its case has CM0013 in effect
 * (issue 16): that judgement depends on the other hosts of the case, so it
 * is made once per case, before any host is analysed, from every host's
 * SYSTEM hive (ProductOptions, NTDS, shares, interfaces), and handed to each
 * host unit alike: a whole-case run and the shards of its manifest see the
 * same list, so their verdicts are the same.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline_int.h"
#include "remtrail/winfw.h"

static const rt_cfg_point *last_point(const rt_cfg_host *h, const char *name)
{
	const rt_cfg_setting *s = rt_cfg_find(h, name);

	return s && s->npoints ? &s->points[s->npoints - 1] : NULL;
}

int pl_cfg_mgmt_hosts(const rt_config *cfg, rt_buf *out)
{
	size_t i;
	int rc = 0;

	for (i = 0; cfg && i < cfg->nhosts; i++) {
		const rt_cfg_point *role = last_point(&cfg->hosts[i], "host.role");
		const rt_cfg_point *ip = last_point(&cfg->hosts[i], "host.ipv4");

		if (!role || !role->text || !ip || !ip->text || !rt_scope_is_literal(ip->text) ||
		    (strcmp(role->text, "domain_controller") && strcmp(role->text, "file_server")))
			continue;
		rc |= rt_buf_addf(out, "%s%s", out->len ? "," : "", ip->text);
	}
	return rc ? -1 : 0;
}

/* The addresses unit `un` adds to the list (its SYSTEM hives), appended
 * to `out` as pl_cfg_mgmt_hosts does. 0, or -1 on out of memory. */
static int unit_mgmt(const rt_unit *un, rt_buf *out)
{
	const rt_host *h = un->host;
	rt_artifact *sys;
	rt_host one;
	rt_evidence ev, *inside = NULL;
	rt_config *cfg = NULL;
	rt_diag quiet;
	size_t i, m;
	int rc = 0;

	if (!(sys = calloc(h->nartifacts + 1, sizeof *sys)))
		return -1;
	for (i = m = 0; i < h->nartifacts; i++)
		if (h->artifacts[i].kind == RT_ART_HIVE &&
		    h->artifacts[i].hive_kind == RT_HIVE_SYSTEM)
			sys[m++] = h->artifacts[i];
	if (!m) {
		free(sys);
		return 0;
	}
	one = *h;
	one.artifacts = sys;
	one.nartifacts = m;
	memset(&ev, 0, sizeof ev);
	ev.hosts = &one;
	ev.nhosts = 1;
	ev.nartifacts = m;
	/* damage is named when the host itself is analysed; here a hive that
	 * cannot be read just names no management host */
	rt_diag_init(&quiet, NULL, NULL);
	if (pl_manifest_open(&one, un->containers, un->ncontainers, &inside, &quiet))
		rc = -1;
	else if (rt_config_from_evidence(&ev, &cfg, &quiet) == 0)
		rc = pl_cfg_mgmt_hosts(cfg, out);
	pl_manifest_close(&one, &inside);
	rt_config_free(&cfg);
	rt_diag_release(&quiet);
	free(sys);
	return rc;
}

typedef struct mgmt_job {
	rt_units *u;
	void (*progress)(const char *what, size_t done, size_t total);
	size_t done;
	pthread_mutex_t lock; /* done, and the progress calls */
} mgmt_job;

/* Unit k's management hosts (rt_par_each): its configuration is built
 * from its SYSTEM hive, one unit a thread. */
static int mgmt_one(void *p, size_t k)
{
	mgmt_job *j = p;
	rt_buf b = RT_BUF_INIT;
	int r = unit_mgmt(&j->u->units[k], &b) ||
		!(j->u->units[k].mgmt = rt_strdup0(b.buf ? b.buf : "")) ? -1 : 0;

	rt_buf_release(&b);
	pthread_mutex_lock(&j->lock);
	if (j->progress)
		j->progress("hosts' firewall rules read", ++j->done, j->u->n);
	pthread_mutex_unlock(&j->lock);
	return r;
}

int pl_units_mgmt(rt_units *u)
{
	mgmt_job j = { u, rt_pipeline_progress(), 0, PTHREAD_MUTEX_INITIALIZER };
	int r;

	if (j.progress)
		j.progress("hosts' firewall rules read", 0, u->n);
	r = rt_par_each(u->n, rt_pipeline_jobs(), mgmt_one, &j);
	pthread_mutex_destroy(&j.lock);
	return r;
}

int rt_units_mgmt_hosts(const rt_units *u, rt_buf *out)
{
	rt_buf b = RT_BUF_INIT;
	size_t k;
	int rc = 0;

	/* as `hosts` recorded them, or (a manifest without) from the hives */
	for (k = 0; !rc && k < u->n; k++) {
		const char *v = u->units[k].mgmt;

		if (!v) {
			rt_buf_reset(&b);
			rc = unit_mgmt(&u->units[k], &b);
			v = b.buf ? b.buf : "";
		}
		if (!rc && *v)
			rc = rt_buf_addf(out, "%s%s", out->len ? "," : "", v);
	}
	rt_buf_release(&b);
	return rc ? -1 : 0;
}
