/*
 * The case from its hosts' results (pipeline.h: rt_case_join). Whether the
 * hosts were analysed in this process or read back from host folders
 * written by other processes and machines, this is the one place the case
 * is made: the hosts' findings together, paired across hosts, the movement
 * graph. The case configuration is the hosts' own, which the report writes
 * host by host (a case of many hosts never holds them all at once).
 */
#include "config.h"

#include <stdlib.h>

#include "pipeline_int.h"

/* ------------------------------------------------------------ kept strings */

typedef struct keep {
	char **v;
	size_t n, alloc;
} keep;

const char *pl_keep(rt_analysis *a, const char *s)
{
	keep *k = a->keep;
	size_t i;

	if (!s)
		return NULL;
	if (!k && !(k = a->keep = calloc(1, sizeof *k)))
		return NULL;
	for (i = 0; i < k->n; i++)
		if (!strcmp(k->v[i], s))
			return k->v[i];
	if (k->n == k->alloc) {
		size_t na = k->alloc ? k->alloc * 2 : 32;
		char **p = realloc(k->v, na * sizeof *p);

		if (!p)
			return NULL;
		k->v = p;
		k->alloc = na;
	}
	if (!(k->v[k->n] = rt_strdup0(s)))
		return NULL;
	return k->v[k->n++];
}

/* Move the kept strings of `from` into `to`. */
static int keep_move(rt_analysis *to, rt_analysis *from)
{
	keep *s = from->keep;
	size_t i;

	if (!s)
		return 0;
	if (!to->keep) {
		to->keep = s;
		from->keep = NULL;
		return 0;
	}
	for (i = 0; i < s->n; i++) {
		keep *d = to->keep;

		if (d->n == d->alloc) {
			size_t na = d->alloc ? d->alloc * 2 : 32;
			char **p = realloc(d->v, na * sizeof *p);

			if (!p)
				return -1;
			d->v = p;
			d->alloc = na;
		}
		d->v[d->n++] = s->v[i];
		s->v[i] = NULL;
	}
	s->n = 0;
	return 0;
}

void pl_keep_free(rt_analysis *a)
{
	keep *k = a->keep;
	size_t i;

	if (!k)
		return;
	for (i = 0; i < k->n; i++)
		free(k->v[i]);
	free(k->v);
	free(k);
	a->keep = NULL;
}

/* ------------------------------------------------------------------ join */

/* The case timeline: every host's findings, paired across hosts, sorted. */
static int join_findings(rt_analysis *a)
{
	rt_pair_host *ph;
	size_t h, i;
	int rc = -1;

	if (!(ph = calloc(a->nhosts + 1, sizeof *ph)))
		return -1;
	for (h = 0; h < a->nhosts; h++) {
		const rt_analysis_host *ah = &a->hosts[h];
		size_t base = a->findings.n;

		if (rt_findings_append(&a->findings, &ah->findings))
			goto out;
		/* the host's state, its logons' findings in the case list (the
		 * strings are the host's, borrowed) */
		if (!ah->pairing)
			continue;
		ph[h] = *ah->pairing;
		ph[h].logons = NULL;
		if (ah->pairing->nlogons &&
		    !(ph[h].logons = malloc(ah->pairing->nlogons * sizeof *ph[h].logons)))
			goto out;
		for (i = 0; i < ah->pairing->nlogons; i++) {
			ph[h].logons[i] = ah->pairing->logons[i];
			if (ph[h].logons[i].finding != RT_FINDING_NONE)
				ph[h].logons[i].finding += base;
		}
	}
	if (rt_pair_findings(&a->findings, ph, a->nhosts) || rt_findings_sort(&a->findings))
		goto out;
	rc = 0;
out:
	for (h = 0; h < a->nhosts; h++)
		free(ph[h].logons);
	free(ph);
	return rc;
}

/* Each host's inputs, in path order. */
static int index_inputs(rt_analysis *a)
{
	size_t h, i;

	for (h = 0; h < a->nhosts; h++) {
		rt_analysis_host *ah = &a->hosts[h];

		free(ah->inputs);
		ah->ninputs = 0;
		if (!(ah->inputs = calloc(a->ninputs + 1, sizeof *ah->inputs)))
			return -1;
		for (i = 0; i < a->ninputs; i++)
			if (a->inputs[i].host && !strcmp(a->inputs[i].host, ah->name))
				ah->inputs[ah->ninputs++] = i;
	}
	return 0;
}

/* An image or archive of the case without a SHA-256 of its own (a case
 * read from a manifest does not hash them) takes the one a host read in
 * it recorded (checked there against the file when the host was kept). */
static int container_sha256(rt_input *x, rt_analysis **parts, size_t nparts)
{
	size_t p, c;

	for (p = 0; !x->sha256 && p < nparts; p++)
		for (c = 0; c < parts[p]->ncontainers; c++) {
			const rt_input *ct = &parts[p]->containers[c];

			if (ct->sha256 && !strcmp(ct->path, x->path))
				return (x->sha256 = rt_strdup0(ct->sha256)) ? 0 : -1;
		}
	return 0;
}

int rt_case_join(rt_analysis **parts, size_t nparts, const rt_input *skipped, size_t nskipped,
		 rt_analysis **out)
{
	rt_analysis *a;
	pl_inputs in = { NULL, 0, 0 };
	const char **names = NULL;
	size_t p, h, i, nh = 0;
	int rc = -1;

	*out = NULL;
	if (!(a = calloc(1, sizeof *a)))
		return -1;
	for (p = 0; p < nparts; p++)
		nh += parts[p]->nhosts;
	if (!(a->hosts = calloc(nh + 1, sizeof *a->hosts)))
		goto done;
	for (p = 0; p < nparts; p++) {
		rt_analysis *part = parts[p];

		for (h = 0; h < part->nhosts; h++) {
			a->hosts[a->nhosts++] = part->hosts[h];
			memset(&part->hosts[h], 0, sizeof part->hosts[h]);
		}
		part->nhosts = 0;
		for (i = 0; i < part->ninputs; i++) {
			rt_input *x = pl_input_new(&in);

			if (!x)
				goto done;
			*x = part->inputs[i];
			memset(&part->inputs[i], 0, sizeof part->inputs[i]);
		}
		part->ninputs = 0;
		if (keep_move(a, part))
			goto done;
	}
	for (i = 0; i < nskipped; i++) {
		rt_input *x = pl_input_copy(&in, &skipped[i]);

		if (!x || container_sha256(x, parts, nparts))
			goto done;
	}
	pl_inputs_sort(in.v, in.n);
	a->inputs = in.v;
	a->ninputs = in.n;
	in.v = NULL;
	in.n = 0;
	if (index_inputs(a) || join_findings(a))
		goto done;
	if (!(names = calloc(a->nhosts + 1, sizeof *names)))
		goto done;
	for (h = 0; h < a->nhosts; h++)
		names[h] = a->hosts[h].name;
	if (rt_moves_build(&a->findings, names, a->nhosts, &a->moves, &a->nmoves))
		goto done;
	rc = 0;
done:
	free(names);
	for (i = 0; i < in.n; i++)
		pl_input_release(&in.v[i]);
	free(in.v);
	if (rc)
		rt_analysis_free(&a);
	*out = a;
	return rc;
}
