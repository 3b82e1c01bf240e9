/* adapt.h - the thin layer between the config/detect modules and the
 * assessor's own facts and findings (not public). */
#ifndef REMTRAIL_ADAPT_H
#define REMTRAIL_ADAPT_H

#include "remtrail/assess.h"
#include "remtrail/config.h"
#include "remtrail/diag.h"
#include "remtrail/evidence.h"
#include "remtrail/pipeline.h"

/* One host's assessor input. The arrays are owned here; the strings they
 * point to live as long as the analysis. */
typedef struct adapt_host {
	rt_assess_input in;
	rt_fact *facts;
	size_t nfacts, afacts;
} adapt_host;

/* Read what every host needs (configuration, findings); fills
 * each a->hosts[h].findings (that host's alone,
 * sorted) and .pairing (when it had events); a->hosts must hold one zeroed
 * entry per evidence host. */
int adapt_begin(rt_analysis *a, const rt_evidence *ev, const rt_analysis_opts *o,
		rt_diag *diag);
int adapt_host_build(rt_analysis *a, const rt_evidence *ev, size_t h, adapt_host *out,
		     rt_diag *diag);
void adapt_host_release(adapt_host *ah);
/* The IPv4 addresses of the case's hosts whose hives say they are domain
 * controllers or file servers (host.role), comma-separated, into `out`
 * (rt_assess_opts.mgmt_hosts). 0, or -1 on out of memory. */
int adapt_mgmt_hosts(const rt_analysis *a, rt_buf *out);
void adapt_free(rt_analysis *a);
/* The configuration read (NULL when no hive was read). */
const rt_config *adapt_config(const rt_analysis *a);
/* The same to add to, made empty when no hive was read (NULL only on out
 * of memory). */
rt_config *adapt_config_mut(rt_analysis *a);
/* Records read from EVTX `file` of host `h` (0 when none). */
uint64_t adapt_records(const rt_analysis *a, size_t h, const char *file);

#endif
