/* Interim adapter: until the config and detect modules are merged, hosts
 * get no facts or findings, so every verdict is unknown. */
#include "config.h"

#include <stdlib.h>

#include "adapt.h"

int adapt_begin(rt_analysis *a, const rt_evidence *ev, rt_diag *diag)
{
	return 0;
}

int adapt_host_build(rt_analysis *a, const rt_evidence *ev, size_t h, adapt_host *out,
		     rt_diag *diag)
{
	memset(out, 0, sizeof *out);
	out->in.host = ev->hosts[h].name;
	return 0;
}

void adapt_host_release(adapt_host *ah)
{
	size_t i;

	for (i = 0; i < ah->nstrs; i++)
		free(ah->strs[i]);
	free(ah->strs);
	free(ah->facts);
	free(ah->finds);
	free(ah->logs);
	memset(ah, 0, sizeof *ah);
}

int adapt_end(rt_analysis *a, rt_diag *diag)
{
	return 0;
}

void adapt_free(rt_analysis *a)
{
	free(a->timeline);
}

int rt_analysis_timeline(const rt_analysis *a, rt_buf *out, int csv)
{
	return 0;
}
