/*
 * Naming a host from its own evidence, through the registry and evtx
 * readers. Failures are silent here: the stage that reads the file later
 * reports its damage, once.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "evidence_int.h"
#include "remtrail/evtx.h"
#include "remtrail/hive.h"

/* Longer names are not computer names (NetBIOS: 15, DNS: 255). */
#define MAX_NAME 256

char *ev_hive_computer_name(const char *path)
{
	rt_hive *h = NULL;
	char *name = NULL;

	if (rt_hive_open(path, 0, &h, NULL) != 0)
		return NULL;
	if (rt_hive_computer_name(h, &name) != 1 || (name && strlen(name) >= MAX_NAME)) {
		free(name);
		name = NULL;
	}
	rt_hive_free(&h);
	return name;
}

char *ev_evtx_computer_name(const char *path)
{
	char *name = NULL;

	if (rt_evtx_probe_computer(path, &name) != 0 || (name && strlen(name) >= MAX_NAME)) {
		free(name);
		return NULL;
	}
	return name;
}
