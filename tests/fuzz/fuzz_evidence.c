/*
 * libFuzzer target for the evidence module's byte and path readers: the
 * input is taken as a file's head (and tail) for recognition, and as a path
 * for reading its layout (with %XX escapes to decode).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/evidence/evidence_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ev_sniff sn;
	ev_layout l;
	char *path;
	int backup;

	ev_sniff_buf(data, size < EV_HEAD_SIZE ? size : EV_HEAD_SIZE,
	             size >= 512 ? data + size - 512 : NULL, size, &sn);
	path = malloc(size + 1);
	if (!path)
		return 0;
	memcpy(path, data, size);
	path[size] = '\0';
	if (ev_layout_of(path, &l) == 0)
		ev_layout_release(&l);
	ev_hive_kind_from_name(path, &backup);
	free(path);
	return 0;
}
