/* libFuzzer target: reading back what remtrail wrote (a host folder's
 * report.json, unit.json's members set apart and read a value at a time).
 * Whatever the bytes, nothing is read out of bounds and nothing leaks; a
 * report that parses gives one host. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/pipeline/jsonread.h"
#include "remtrail/units.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int each_value(void *ctx, const char *v, size_t n)
{
	cJSON *j = jr_parse(v, n);

	*(size_t *)ctx += j != NULL;
	cJSON_Delete(j);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = { "findings", "pairing", "configuration", "verdicts",
					     NULL };
	const char *text = (const char *)data;
	size_t spans[4][2], k, got = 0;
	rt_analysis *a = rt_hostdir_parse_report("out", "HOST", text, size);
	cJSON *j;

	if (a && a->nhosts != 1)
		abort();
	rt_analysis_free(&a);
	j = jr_parse_apart(text, size, keys, spans);
	for (k = 0; j && k < 4; k++) {
		if (spans[k][0] > spans[k][1] || spans[k][1] > size)
			abort();
		(void)jr_each(text + spans[k][0], spans[k][1] - spans[k][0], each_value, &got);
	}
	cJSON_Delete(j);
	return 0;
}
