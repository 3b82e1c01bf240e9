/*
 * libFuzzer target over the native chunk decoder: the input is one chunk
 * (at most 64 KiB; shorter inputs are decoded as they are). Checksums are
 * not checked, so that the fuzzer reaches the binary XML. Every decoded
 * event is read back in full, so that a bad offset in the output shows too.
 * The chunk is decoded a second time with its templates walked rather
 * than compiled (RT_BX_WALK): any difference, in events or in the error,
 * aborts.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/evtx/binxml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static rt_bx_chunk *c, *ref;
	static rt_field fields[4096];
	static uint32_t lens[2 * 4096];
	size_t i, k, sum = 0;
	int rc;

	if (!c) {
		c = malloc(sizeof(*c));
		ref = malloc(sizeof(*ref));
		if (!c || !ref)
			abort();
		rt_bx_chunk_init(c);
		rt_bx_chunk_init(ref);
	}
	if (size > RT_BX_CHUNK_SIZE)
		size = RT_BX_CHUNK_SIZE;
	rc = rt_bx_decode_chunk(c, data, size, RT_BX_NO_CRC);
	if (rt_bx_decode_chunk(ref, data, size, RT_BX_NO_CRC | RT_BX_WALK) != rc ||
	    !rt_bx_chunk_same(c, ref))
		abort();
	if (rc != 0)
		return 0;
	for (i = 0; i < c->nev; i++) {
		rt_event ev;

		if (c->ev[i].nfields > sizeof(fields) / sizeof(fields[0]))
			continue;
		rt_bx_event_get(c, i, &ev, fields, lens);
		sum += strlen(ev.computer) + strlen(ev.channel) + strlen(ev.provider) +
		       strlen(ev.user_sid);
		for (k = 0; k < ev.nfields; k++)
			sum += rt_field_len(&ev, k, 0) + rt_field_len(&ev, k, 1);
	}
	return sum == (size_t)-1;
}
