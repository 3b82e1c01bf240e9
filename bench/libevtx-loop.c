/*
 * libevtx-loop: the least a libevtx-based tool does per record - event id,
 * written time and the EventData strings, no XML - as the peer that
 * bench/evtx-throughput times beside evtxexport. Prints one summary line
 * (records, strings, bytes of string data) so the work cannot be skipped.
 *
 * usage: libevtx-loop FILE.evtx
 */
#include <inttypes.h>
#include <libevtx.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	libevtx_file_t *file = NULL;
	libevtx_error_t *err = NULL;
	uint64_t bytes = 0, strings = 0, sum = 0;
	uint8_t buf[65536];
	int n = 0, i;

	if (argc != 2) {
		fprintf(stderr, "usage: libevtx-loop FILE.evtx\n");
		return 2;
	}
	if (libevtx_file_initialize(&file, &err) != 1 ||
	    libevtx_file_open(file, argv[1], LIBEVTX_OPEN_READ, &err) != 1 ||
	    libevtx_file_get_number_of_records(file, &n, &err) != 1) {
		fprintf(stderr, "libevtx-loop: cannot open %s\n", argv[1]);
		return 1;
	}
	for (i = 0; i < n; i++) {
		libevtx_record_t *rec = NULL;
		uint32_t id = 0;
		uint64_t t = 0;
		int ns = 0, k;

		if (libevtx_file_get_record_by_index(file, i, &rec, &err) != 1) {
			libevtx_error_free(&err);
			continue;
		}
		if (libevtx_record_get_event_identifier(rec, &id, &err) != 1 ||
		    libevtx_record_get_written_time(rec, &t, &err) != 1 ||
		    libevtx_record_get_number_of_strings(rec, &ns, &err) != 1) {
			libevtx_error_free(&err);
			ns = 0;
		}
		sum += id + t;
		for (k = 0; k < ns; k++) {
			size_t sz = 0;

			if (libevtx_record_get_utf8_string_size(rec, k, &sz, &err) != 1 ||
			    sz > sizeof buf ||
			    libevtx_record_get_utf8_string(rec, k, buf, sizeof buf, &err) != 1) {
				libevtx_error_free(&err);
				continue;
			}
			bytes += sz;
			strings++;
		}
		libevtx_record_free(&rec, NULL);
	}
	printf("%d records, %" PRIu64 " strings, %" PRIu64 " bytes (%" PRIu64 ")\n", n, strings,
	       bytes, sum & 0xff);
	libevtx_file_close(file, NULL);
	libevtx_file_free(&file, NULL);
	return 0;
}
