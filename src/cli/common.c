/* Shared CLI helpers: diagnostics on stderr, usage errors, exit status. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "remtrail/evidence.h"
#include "remtrail/evtx.h"
#include "remtrail/pipeline.h"
#include "remtrail/util.h"

#include "cli.h"

void cli_guard_std_fds(void)
{
	int fd;

	for (fd = 0; fd <= 2; fd++) {
		int n;

		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		n = open("/dev/null", O_RDONLY);
		if (n >= 0 && n != fd) {
			dup2(n, fd);
			close(n);
		}
	}
}

/* errno of the first failed write to stdout, 0 while all is well */
static int stdout_failed;

static int stdout_failure(const char *cmd, int e)
{
	if (!stdout_failed) {
		stdout_failed = e ? e : EIO;
		fprintf(stderr, "remtrail%s%s: cannot write the output: %s\n", *cmd ? " " : "", cmd,
			strerror(stdout_failed));
	}
	return -1;
}

/* Pieces this big go to stdout in one write(2) (after what stdio holds):
 * through fwrite, a chunk's 70 KiB of events became a write of the 4 KiB
 * that filled stdio's buffer, then one of the rest, a third more system
 * calls on the thread that delivers the events in order. */
#define WRITE_DIRECT (32u * 1024u)

int cli_write(const char *cmd, const void *data, size_t n)
{
	const char *p = data;

	if (stdout_failed)
		return -1;
	errno = 0;
	if (n < WRITE_DIRECT) {
		if (n && fwrite(data, 1, n, stdout) != n)
			return stdout_failure(cmd, errno);
		return 0;
	}
	if (fflush(stdout))
		return stdout_failure(cmd, errno);
	while (n) {
		ssize_t w = write(STDOUT_FILENO, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return stdout_failure(cmd, w < 0 ? errno : EIO);
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int cli_finish_stdout(const char *cmd, int status)
{
	if (stdout_failed)
		return RT_EXIT_FAIL;
	errno = 0;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		stdout_failure(cmd, errno);
		return RT_EXIT_FAIL;
	}
	return status;
}

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

/* A progress line is on the terminal (no newline yet). */
static int progress_shown;
static struct timespec progress_last;

/* Milliseconds from a to b. */
static long ms_between(const struct timespec *a, const struct timespec *b)
{
	return (long)(b->tv_sec - a->tv_sec) * 1000 + (b->tv_nsec - a->tv_nsec) / 1000000;
}

void cli_progress(const char *what, uint64_t done, uint64_t total)
{
	struct timespec now;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = ms_between(&progress_last, &now);
	if (done < total && progress_shown && ms < 100)
		return;
	progress_last = now;
	fprintf(stderr, "\rremtrail: %s: %llu/%llu%s", what, (unsigned long long)done,
		(unsigned long long)total, done >= total ? "\n" : "");
	progress_shown = done < total;
}

void cli_walk_progress(const char *what, size_t done, size_t total)
{
	static struct timespec start, last;
	static int shown;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!done) {
		start = now;
		return;
	}
	if (done >= total) { /* the line goes: what comes next takes its place */
		if (shown)
			fputs("\r\033[K", stderr);
		shown = 0;
		progress_shown = 0;
		return;
	}
	/* a walk that is over in a moment says nothing */
	if (ms_between(&start, &now) < 500 || (shown && ms_between(&last, &now) < 100))
		return;
	last = now;
	fprintf(stderr, "\rremtrail: reading the evidence: %zu/%zu %s\033[K", done, total, what);
	shown = 1;
	progress_shown = 1;
}

void cli_status(const char *line)
{
	fprintf(stderr, "\r%s\033[K", line);
	progress_shown = 1;
}

void cli_status_end(void)
{
	if (progress_shown)
		fputc('\n', stderr);
	progress_shown = 0;
}

void cli_progress_evtx(void *ctx, uint64_t done, uint64_t total)
{
	uint64_t mib = (total + (1u << 20) - 1) >> 20;

	(void)ctx;
	cli_progress("MiB of EVTX read", done >= total ? mib : done >> 20, mib);
}

static void print_diag(void *ctx, rt_diag_level level, const char *subject, const char *message)
{
	(void)ctx;
	if (progress_shown) /* the message gets a line of its own */
		fputs("\r\033[K", stderr);
	progress_shown = 0;
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

int cli_opt_jobs(const char *cmd, int argc, char **argv, int *i, int *jobs)
{
	const char *a = argv[*i], *v;
	uint64_t n;

	if (!strncmp(a, "-j", 2))
		v = a[2] ? a + 2 : (*i + 1 < argc ? argv[++*i] : NULL);
	else if (!cli_opt_value(argc, argv, i, "--jobs", &v))
		return 0;
	if (!v || rt_parse_u64(v, &n) || n < 1 || n > 256) {
		cli_usage_error(cmd, "-j needs a number of threads (1-256)");
		return -1;
	}
	*jobs = (int)n;
	/* the walk's work per host too (names, management hosts) */
	rt_pipeline_set_jobs((unsigned)n);
	return 1;
}

struct rt_evidence *cli_collect_evtx(const char *cmd, const char **paths, size_t npaths,
				     rt_diag *d, size_t *nevtx)
{
	rt_evidence *ev = NULL;
	size_t h, k;

	*nevtx = 0;
	if (rt_pipeline_collect(paths, npaths, 0, &ev, d) != 0 || !ev) {
		fprintf(stderr, "remtrail %s: cannot collect the evidence (out of memory)\n", cmd);
		return NULL;
	}
	for (h = 0; h < ev->nhosts; h++)
		for (k = 0; k < ev->hosts[h].nartifacts; k++)
			*nevtx += ev->hosts[h].artifacts[k].kind == RT_ART_EVTX;
	if (*nevtx == 0) {
		fprintf(stderr, "remtrail %s: no EVTX file found in the given paths\n", cmd);
		rt_evidence_free(&ev);
		return NULL;
	}
	return ev;
}

int cli_opt_value(int argc, char **argv, int *i, const char *name, const char **val)
{
	size_t n = strlen(name);
	const char *a = argv[*i];

	if (strncmp(a, name, n) != 0)
		return 0;
	if (a[n] == '=') {
		*val = a + n + 1;
		return 1;
	}
	if (a[n] != '\0')
		return 0;
	*val = *i + 1 < argc ? argv[++*i] : NULL;
	return 1;
}

int cli_opt_window(const char *cmd, int argc, char **argv, int *i, uint64_t *from, uint64_t *to)
{
	const char *v;
	int is_from;

	if (cli_opt_value(argc, argv, i, "--from", &v))
		is_from = 1;
	else if (cli_opt_value(argc, argv, i, "--to", &v))
		is_from = 0;
	else
		return 0;
	if (!v || rt_time_parse(v, is_from ? from : to)) {
		cli_usage_error(cmd, "%s needs an ISO 8601 UTC time, e.g. 2024-03-12 or "
				     "2024-03-12T09:30:00Z",
				is_from ? "--from" : "--to");
		return -1;
	}
	if (*from && *to && *from > *to) {
		cli_usage_error(cmd, "--from is later than --to");
		return -1;
	}
	return 1;
}

int cli_opt_reader(const char *cmd, int argc, char **argv, int *i, int *reader,
		   const char **name)
{
	const char *v;
	rt_reader r;

	if (!cli_opt_value(argc, argv, i, "--reader", &v))
		return 0;
	if (!v || rt_reader_parse(v, &r)) {
		cli_usage_error(cmd, "--reader must be auto, libevtx or native");
		return -1;
	}
	*reader = (int)r;
	*name = v;
	return 1;
}

/* A zone name the system's database holds: letters, digits, '/', '_',
 * '-', '+', no "..", and a file under $TZDIR or /usr/share/zoneinfo. */
static int zone_exists(const char *z)
{
	const char *dir = getenv("TZDIR");
	rt_buf p = RT_BUF_INIT;
	struct stat st;
	const char *c;
	int ok;

	if (!*z || *z == '/' || strstr(z, ".."))
		return 0;
	for (c = z; *c; c++)
		if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
		      *c == '/' || *c == '_' || *c == '-' || *c == '+'))
			return 0;
	rt_buf_addf(&p, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", z);
	ok = !stat(p.buf, &st) && S_ISREG(st.st_mode);
	rt_buf_release(&p);
	return ok;
}

int cli_opt_tz(const char *cmd, int argc, char **argv, int *i, const char **tz)
{
	const char *v;

	if (!cli_opt_value(argc, argv, i, "--tz", &v))
		return 0;
	if (!v || (strcmp(v, "local") && strcmp(v, "UTC") && !zone_exists(v))) {
		cli_usage_error(cmd, "--tz needs 'local' or a time zone name such as Europe/Berlin%s%s%s",
				v ? " ('" : "", v ? v : "", v ? "' is not in the zone database)" : "");
		return -1;
	}
	*tz = v;
	return 1;
}

void cli_tz_apply(const char *tz)
{
	if (tz && strcmp(tz, "local"))
		setenv("TZ", tz, 1);
	tzset();
}

int cli_opt_format(const char *cmd, int argc, char **argv, int *i, const char *const *allowed,
		   const char **fmt)
{
	const char *v;
	char list[64] = "";
	size_t k;

	if (!cli_opt_value(argc, argv, i, "--format", &v))
		return 0;
	for (k = 0; allowed[k]; k++) {
		if (v && !strcmp(v, allowed[k])) {
			*fmt = allowed[k];
			return 1;
		}
		snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
			 k ? (allowed[k + 1] ? ", " : " or ") : "", allowed[k]);
	}
	if (!v)
		cli_usage_error(cmd, "--format needs %s", list);
	else
		cli_usage_error(cmd, "unknown format '%s' (%s)", v, list);
	return -1;
}
