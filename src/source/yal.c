/* Messages from libyal error chains; see yal.h. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "yal.h"

/*
 * A backtrace lists the chain from where the error arose outwards
 * ("libqcow_file_header_read_data: unsupported format version: 0.\n...
 * libqcow_file_open_file_io_handle: unable to read from file IO handle."):
 * the first line is the cause. Keep its text after the function name,
 * without the trailing period.
 */
void yal_error(intptr_t **err, yal_sprint_fn sprint, yal_free_fn fr, const char *fallback,
	       char *out, size_t n)
{
	char buf[2048], *line = NULL, *p, *colon;
	size_t l;

	snprintf(out, n, "%s", fallback);
	if (!err || !*err)
		return;
	if (sprint(*err, buf, sizeof(buf)) < 0)
		buf[0] = '\0';
	fr(err);
	buf[sizeof(buf) - 1] = '\0';
	for (p = strtok_r(buf, "\n", &colon); p && !line; p = strtok_r(NULL, "\n", &colon))
		if (*p)
			line = p;
	if (!line)
		return;
	p = strstr(line, ": ");
	if (p && !memchr(line, ' ', (size_t)(p - line)))
		line = p + 2;
	l = strlen(line);
	while (l && (line[l - 1] == '.' || line[l - 1] == ' ' || line[l - 1] == '\r'))
		line[--l] = '\0';
	if (*line)
		snprintf(out, n, "%s", line);
}
