/* readback.h - a host's report.json read back (not public; see readback.c). */
#ifndef REMTRAIL_READBACK_H
#define REMTRAIL_READBACK_H

#include "jsonread.h"
#include "pipeline_int.h"

/*
 * Fill the empty analysis `a` from the host report.json `text`: one host
 * (name, dir, time zone, configuration as written, findings without their
 * links, verdicts) and its inputs. Rule ids are kept with pl_keep. With
 * `file` (the path `text` was read from), the configuration is left there
 * (configuration_at) rather than copied: a case of many hosts does not hold
 * them all. 0, or -1 with the reason in `err` (what was read stays in `a`,
 * to be freed).
 */
int rb_host_report(rt_analysis *a, const char *text, size_t len, const char *file, char *err,
		   size_t errlen);

/*
 * Member "origin" of `o` as rt_report_origin_json writes it: the container
 * into *container (malloc'd), the rest into *origin (inner_path malloc'd).
 * Nothing when there is no such member (mft_entry UINT64_MAX). 0, or -1
 * when it is not as remtrail writes it (what was read is to be freed).
 */
int pl_origin_read(const cJSON *o, char **container, rt_origin *origin);

#endif
