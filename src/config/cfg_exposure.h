/* cfg_exposure.h - effective exposure of a host, computed from its
 * settings once the histories are built (config.c calls this). */
#ifndef REMTRAIL_CFG_EXPOSURE_H
#define REMTRAIL_CFG_EXPOSURE_H

#include "remtrail/config.h"

/* Fill h->exposures, one per snapshot; 0 ok, -1 out of memory. */
int cfg_exposure_build(rt_cfg_host *h);
void cfg_exposure_release(rt_cfg_host *h);

#endif
