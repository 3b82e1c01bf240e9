/* Diagnostics sink; see diag.h. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "remtrail/diag.h"
#include "remtrail/util.h"

void rt_diag_init(rt_diag *d, rt_diag_fn fn, void *ctx)
{
	d->fn = fn;
	d->ctx = ctx;
	d->errors = d->warnings = 0;
	pthread_mutex_init(&d->lock, NULL);
}

void rt_diag_release(rt_diag *d)
{
	pthread_mutex_destroy(&d->lock);
}

/*
 * Subjects are file names and messages quote evidence (names of logs, keys,
 * values): both are escaped here, once, so that no sink - the terminal, the
 * report's list of inputs - can be made to start a line or run an escape
 * sequence by what the evidence holds.
 */
void rt_diag_report(rt_diag *d, rt_diag_level level, const char *subject, const char *fmt, ...)
{
	char msg[1024];
	rt_buf subj = RT_BUF_INIT, text = RT_BUF_INIT;
	va_list ap;

	if (!d)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	rt_buf_init(&subj, sizeof msg * 4);
	rt_buf_init(&text, sizeof msg * 4);
	rt_path_cstr(&subj, subject ? subject : "");
	rt_text_cstr(&text, msg);
	rt_diag_forward(d, level, subj.buf, text.buf);
	rt_buf_release(&subj);
	rt_buf_release(&text);
}

void rt_diag_forward(rt_diag *d, rt_diag_level level, const char *subject, const char *message)
{
	if (!d)
		return;
	pthread_mutex_lock(&d->lock);
	if (level == RT_DIAG_ERROR)
		d->errors++;
	else
		d->warnings++;
	if (d->fn)
		d->fn(d->ctx, level, subject, message);
	pthread_mutex_unlock(&d->lock);
}
