/* Diagnostics sink; see diag.h. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "remtrail/diag.h"

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

void rt_diag_report(rt_diag *d, rt_diag_level level, const char *subject, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!d)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&d->lock);
	if (level == RT_DIAG_ERROR)
		d->errors++;
	else
		d->warnings++;
	if (d->fn)
		d->fn(d->ctx, level, subject ? subject : "", msg);
	pthread_mutex_unlock(&d->lock);
}
