/* Shared CLI helpers: diagnostics on stderr, usage errors, exit status. */
#include "config.h"

#include <stdarg.h>
#include <unistd.h>

#include "cli.h"

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "remtrail %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'remtrail %s --help'.\n", cmd);
	return RT_EXIT_USAGE;
}

void cli_print_help(const cli_command *c)
{
	fputs(c->usage, stdout);
}

static void print_diag(void *ctx, rt_diag_level level, const char *subject, const char *message)
{
	(void)ctx;
	fprintf(stderr, "remtrail: %s: %s%s%s\n", level == RT_DIAG_ERROR ? "error" : "warning",
		subject, *subject ? ": " : "", message);
}

void cli_diag_init(rt_diag *d)
{
	rt_diag_init(d, print_diag, NULL);
}

int cli_exit_status(const rt_diag *d)
{
	return d->errors ? RT_EXIT_PARTIAL : RT_EXIT_OK;
}

int cli_default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}
