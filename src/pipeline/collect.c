/*
 * Collecting the evidence with the readers' host namers: the evidence
 * module walks and groups but reads no log or hive itself (it sits below
 * the readers), so the names recorded inside the artifacts come from here.
 */
#include "config.h"

#include <stdlib.h>

#include "remtrail/evtx.h"
#include "remtrail/hive.h"
#include "remtrail/pipeline.h"

/* ComputerName of a SYSTEM hive (CurrentControlSet\Control\ComputerName). */
static char *system_name(void *ctx, rt_source *src)
{
	rt_hive *h = NULL;
	char *name = NULL;

	(void)ctx;
	if (rt_hive_open_source(src, 0, &h, NULL) != 0)
		return NULL;
	if (rt_hive_computer_name(h, &name) != 1) {
		free(name);
		name = NULL;
	}
	rt_hive_free(&h);
	return name;
}

/* Computer of the first readable records of an EVTX file. */
static char *evtx_name(void *ctx, rt_source *src)
{
	char *name = NULL;

	(void)ctx;
	if (rt_evtx_probe_computer_source(src, &name) != 0) {
		free(name);
		return NULL;
	}
	return name;
}

static const char *recovery_password;
static unsigned pipeline_jobs;
static void (*pipeline_progress)(const char *what, size_t done, size_t total);

void rt_pipeline_set_recovery_password(const char *password)
{
	recovery_password = password;
}

void rt_pipeline_set_jobs(unsigned jobs)
{
	pipeline_jobs = jobs;
}

unsigned rt_pipeline_jobs(void)
{
	return pipeline_jobs > 1 ? pipeline_jobs : 1;
}

void rt_pipeline_set_progress(void (*fn)(const char *what, size_t done, size_t total))
{
	pipeline_progress = fn;
}

void (*rt_pipeline_progress(void))(const char *what, size_t done, size_t total)
{
	return pipeline_progress;
}

void rt_pipeline_evidence_opts(rt_evidence_opts *o, int sha256)
{
	memset(o, 0, sizeof(*o));
	o->name_from_system = system_name;
	o->name_from_evtx = evtx_name;
	o->sha256 = sha256;
	o->recovery_password = recovery_password;
	o->threads = rt_pipeline_jobs();
	o->progress = pipeline_progress;
}

int rt_pipeline_collect(const char *const *paths, size_t npaths, int sha256, rt_evidence **out,
			rt_diag *diag)
{
	rt_evidence_opts o;

	rt_pipeline_evidence_opts(&o, sha256);
	return rt_evidence_collect(paths, npaths, &o, out, diag);
}
