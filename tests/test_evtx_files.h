/*
 * test_evtx_files.h - EVTX logs the evtx and events suites build at test
 * time with the fixture writer (tests/fixtures/evtx_writer.h).
 */
#ifndef REMTRAIL_TEST_EVTX_FILES_H
#define REMTRAIL_TEST_EVTX_FILES_H

#include <stddef.h>

/* Records in the "good" log: a 4624 (named EventData), a 7036 (unnamed Data
 * and Binary), a 1102 (UserData), a 4688 written with a template. */
#define EF_GOOD_RECORDS 4
#define EF_GOOD_FIRST_LINE_START                                                               \
	"{\"timestamp\":\"2024-05-01T10:00:00.1234567Z\",\"host\":\"WS1\",\"computer\":"      \
	"\"WS1.corp.local\",\"channel\":\"Security\",\"provider\":"                          \
	"\"Microsoft-Windows-Security-Auditing\",\"event_id\":4624,\"record_id\":100,"        \
	"\"source_file\":\""

/* Write the good log as dir/name (flags: 0 or TW_TEMPLATES); returns the
 * malloc'd path. */
char *ef_write_good(const char *dir, const char *name, unsigned flags);

/* Records in the multi-chunk logs below, ids 1..EF_BIG_RECORDS. */
#define EF_BIG_RECORDS 600
/*
 * A log of EF_BIG_RECORDS records over several chunks with one defect:
 * "crc" (chunk 0's records checksum broken), "magic" (chunk 1's signature
 * broken), "truncate" (cut in the middle of the last chunk), "none".
 * *nchunks gets the number of chunks written.
 */
char *ef_write_big(const char *dir, const char *name, const char *defect, size_t *nchunks);

/*
 * The good log with its first record's header renumbered to 1 and its
 * written time moved one hour later (as a filtered export does), checksums
 * kept valid.
 */
char *ef_write_renumbered(const char *dir, const char *name);

#endif
