/*
 * diag.h - how the library tells its caller about input it could not read.
 *
 * The library never prints. Every stage reports damaged, unreadable or
 * suspicious input through an rt_diag, naming the subject (usually a file
 * path) and the reason in git's style: lower case, no trailing period,
 * problem first ("bad chunk checksum at offset 0x11000"). The command line
 * prints them on stderr and turns errors into exit status 3.
 *
 * RT_DIAG_ERROR: some input, or part of it, could not be read. The results
 *                are incomplete.
 * RT_DIAG_WARN:  worth knowing, results are complete (a hive was replayed
 *                from its transaction logs, a record's time is odd, ...).
 *
 * The sink gets the subject as rt_path_escape writes file names and the
 * message through rt_text_escape (util.h): one line each, nothing the
 * evidence holds can act on a terminal.
 *
 * Safe to call from several threads at once.
 */
#ifndef REMTRAIL_DIAG_H
#define REMTRAIL_DIAG_H

#include <pthread.h>

typedef enum rt_diag_level { RT_DIAG_WARN = 1, RT_DIAG_ERROR = 2 } rt_diag_level;

typedef void (*rt_diag_fn)(void *ctx, rt_diag_level level, const char *subject,
			   const char *message);

typedef struct rt_diag {
	rt_diag_fn fn; /* may be NULL: messages are only counted */
	void *ctx;
	unsigned errors;
	unsigned warnings;
	pthread_mutex_t lock;
} rt_diag;

void rt_diag_init(rt_diag *d, rt_diag_fn fn, void *ctx);
void rt_diag_release(rt_diag *d);
/* `d` may be NULL (the message is dropped). */
void rt_diag_report(rt_diag *d, rt_diag_level level, const char *subject,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Pass on a message a sink received (already escaped) to another diag,
 * counted there: for sinks that record messages and hand them on. */
void rt_diag_forward(rt_diag *d, rt_diag_level level, const char *subject, const char *message);
#define rt_diag_error(d, subj, ...) rt_diag_report((d), RT_DIAG_ERROR, (subj), __VA_ARGS__)
#define rt_diag_warn(d, subj, ...) rt_diag_report((d), RT_DIAG_WARN, (subj), __VA_ARGS__)

#endif
