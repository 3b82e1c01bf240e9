/* The bridge from rt_evidence_collect's hosts to rt_config_load. */
#include "config.h"

#include <stdlib.h>

#include "remtrail/config.h"

int rt_config_from_evidence(const rt_evidence *ev, rt_config **out, rt_diag *diag)
{
	rt_cfg_input *in;
	size_t i, j, n = 0;
	int rc;

	in = calloc(ev->nartifacts ? ev->nartifacts : 1, sizeof(*in));
	if (!in)
		return -1;
	for (i = 0; i < ev->nhosts; i++)
		for (j = 0; j < ev->hosts[i].nartifacts && n < ev->nartifacts; j++) {
			const rt_artifact *a = &ev->hosts[i].artifacts[j];

			if (a->kind != RT_ART_HIVE)
				continue;
			in[n].host = ev->hosts[i].name;
			in[n].path = a->path;
			in[n].is_backup = a->is_backup;
			in[n].artifact = a;
			n++;
		}
	rc = rt_config_load(in, n, out, diag);
	free(in);
	return rc;
}
