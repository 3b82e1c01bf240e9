/*
 * Reading where an artifact sits in a collection. The Windows tree is found
 * by its anchors (Windows/System32, Users/<name>), then the folders that
 * collectors put above a volume are climbed: a drive folder (KAPE's "C",
 * Velociraptor's "C%3A" or "%5C%5C.%5CC%3A", a shadow copy device) and
 * Velociraptor's "uploads/<accessor>". What is left above is the collection
 * root: everything under one collection root is one machine.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "evidence_int.h"
#include "remtrail/util.h"

/* A path deeper than this is not read for its structure (treated as loose). */
#define MAX_COMPONENTS 512

typedef struct comp {
	size_t end; /* offset just past the component in the raw path */
	char *name; /* decoded */
} comp;

char *ev_url_decode(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	size_t i, j = 0;

	if (!d)
		return NULL;
	for (i = 0; i < n; i++) {
		int hi, lo;

		/* %00 stays as it is: a decoded name must remain a C string. */
		if (s[i] == '%' && i + 2 < n && (hi = rt_hex_digit((unsigned char)s[i + 1])) >= 0 &&
		    (lo = rt_hex_digit((unsigned char)s[i + 2])) >= 0 && (hi | lo)) {
			d[j++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			d[j++] = s[i];
		}
	}
	d[j] = '\0';
	return d;
}

static int is_shadow(const char *d)
{
	return rt_strcasestr(d, "ShadowCopy") != NULL;
}

/* The folder a collector names after the volume it copied. */
static int is_drive(const char *d)
{
	size_t n = strlen(d);

	if (n == 1 && isalpha((unsigned char)d[0]))
		return 1;
	if (n == 2 && isalpha((unsigned char)d[0]) && (d[1] == ':' || d[1] == '$'))
		return 1;
	if (d[0] == '\\' && d[1] == '\\')
		return 1;
	return rt_strcasestr(d, "HarddiskVolume") != NULL || is_shadow(d) ||
	       rt_strcaseeq(d, "[root]");
}

static int is_system_dir(const char *d)
{
	static const char *const names[] = {"System32", "SysWOW64", "Sysnative", "ServiceProfiles",
	                                    "AppCompat"};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (rt_strcaseeq(d, names[i]))
			return 1;
	return 0;
}

/*
 * A user hive where Windows keeps it: Users/<name>/NTUSER.DAT (and its
 * logs), Users/<name>/AppData/Local/Microsoft/Windows/UsrClass.dat, or the
 * XP equivalents under Documents and Settings. Only these count: evidence
 * that an analyst keeps in a profile (/mnt/c/Users/me/Downloads/case/...
 * under WSL) must not be taken for that machine's tree.
 */
static int is_profile_hive(const comp *c, size_t n, size_t users)
{
	const char *file = c[n - 1].name;

	if (!rt_strcaseeq(c[users].name, "Users") &&
	    !rt_strcaseeq(c[users].name, "Documents and Settings"))
		return 0;
	if (users + 3 == n)
		return rt_strncaseeq(file, "ntuser", 6);
	return users + 3 < n &&
	       (rt_strcaseeq(c[users + 2].name, "AppData") ||
	        rt_strcaseeq(c[users + 2].name, "Local Settings")) &&
	       rt_strncaseeq(file, "UsrClass", 8);
}

/* Index of the component that starts the Windows tree, or -1. The file
 * itself is c[n-1]. The deepest anchor wins, so a collection stored inside
 * another machine's tree is read as its own. */
static long find_anchor(const comp *c, size_t n)
{
	size_t i;
	long found = -1;

	for (i = 0; i + 1 < n; i++) {
		if ((rt_strcaseeq(c[i].name, "Windows") && i + 2 < n &&
		     is_system_dir(c[i + 1].name)) ||
		    is_profile_hive(c, n, i))
			found = (long)i;
	}
	return found;
}

int ev_layout_of(const char *path, ev_layout *out)
{
	comp *c = NULL;
	size_t n = 0, i, start;
	long vol;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	c = calloc(MAX_COMPONENTS, sizeof(*c));
	if (!c)
		return -1;
	for (i = 0; path[i] && n < MAX_COMPONENTS;) {
		while (path[i] == '/')
			i++;
		if (!path[i])
			break;
		start = i;
		while (path[i] && path[i] != '/')
			i++;
		c[n].end = i;
		c[n].name = ev_url_decode(path + start, i - start);
		if (!c[n].name)
			goto out;
		n++;
	}
	if (path[i] && n == MAX_COMPONENTS) {
		rc = 0;
		goto out;
	}
	for (i = 0; i + 1 < n; i++)
		if (rt_strcaseeq(c[i].name, "RegBack") || is_shadow(c[i].name) ||
		    rt_strcaseeq(c[i].name, "Windows.old"))
			out->is_backup = 1;

	vol = find_anchor(c, n);
	if (vol < 0) {
		rc = 0;
		goto out;
	}
	out->in_tree = 1;
	vol--;
	if (vol >= 0 && rt_strcaseeq(c[vol].name, "Windows.old"))
		vol--;
	if (vol >= 0 && is_drive(c[vol].name)) {
		/* FTK Imager exports a volume as "<partition> [NTFS]/[root]/" */
		if (rt_strcaseeq(c[vol].name, "[root]") && vol >= 1 &&
		    strstr(c[vol - 1].name, " [") && rt_endswith_ci(c[vol - 1].name, "]"))
			vol--;
		vol--;
		/* KAPE puts a shadow copy's files under a VSS<n>... folder */
		if (vol >= 0 && rt_strncaseeq(c[vol].name, "VSS", 3) &&
		    isdigit((unsigned char)c[vol].name[3])) {
			out->is_backup = 1;
			vol--;
		}
	}
	if (vol >= 0 && rt_strcaseeq(c[vol].name, "uploads"))
		vol--;
	else if (vol >= 1 && rt_strcaseeq(c[vol - 1].name, "uploads"))
		vol -= 2;
	if (vol >= 0) {
		out->root_len = c[vol].end;
		out->root_name = c[vol].name;
		c[vol].name = NULL;
	}
	rc = 0;
out:
	for (i = 0; i < n; i++)
		free(c[i].name);
	free(c);
	return rc;
}

void ev_layout_release(ev_layout *l)
{
	free(l->root_name);
	memset(l, 0, sizeof(*l));
}
