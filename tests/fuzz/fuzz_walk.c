/*
 * libFuzzer target over the evidence walk: the input becomes a folder tree
 * (walk_format.h) on a scratch file system, and rt_evidence_collect reads
 * it as a user's evidence: recognition by content, layouts (Windows trees,
 * KAPE, Velociraptor's %XX names), transaction logs beside their hives,
 * links left alone, host naming through the hive and EVTX readers.
 * fuzz_evidence covers the same sniffing and layout code on bare buffers.
 */
#define _GNU_SOURCE
#include "config.h"

#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "remtrail/evidence.h"
#include "walk_format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char base[64];

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw);

static void drop_base(void)
{
	nftw(base, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	chmod(p, 0700);
	return remove(p);
}

/* `name` (n bytes) as a safe relative path appended to `out` after "root/". */
static void safe_name(char *out, size_t outsz, const char *root, const uint8_t *name, size_t n,
		      int relative_only)
{
	size_t o = 0, i = 0;

	if (!relative_only)
		o = (size_t)snprintf(out, outsz, "%s/", root);
	while (i < n && o + 4 < outsz) {
		size_t s = i, len;

		while (i < n && name[i] != '/')
			i++;
		len = i - s;
		if (len && !(len == 1 && name[s] == '.') && !(len == 2 && name[s] == '.' && name[s + 1] == '.')) {
			size_t k;

			if (o && out[o - 1] != '/')
				out[o++] = '/';
			for (k = s; k < i && o + 2 < outsz; k++)
				out[o++] = name[k] ? (char)name[k] : '_';
		}
		i++;
	}
	if (!o || out[o - 1] == '/')
		out[o++] = '_';
	out[o] = '\0';
}

static void parents(char *p)
{
	char *s;

	for (s = p + strlen(base) + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			mkdir(p, 0755);
			*s = '/';
		}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char root[128], path[600], target[600];
	const char *inputs[WALK_MAX_ENTRIES + 1];
	char *owned[WALK_MAX_ENTRIES];
	size_t off = 0, ninputs = 0, nowned = 0, k;
	rt_evidence *ev = NULL;
	int entries = 0;

	if (!base[0]) {
		const char *t = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");

		snprintf(base, sizeof base, "%s/remtrail-fuzz-XXXXXX", t && *t ? t : "/tmp");
		if (!mkdtemp(base))
			abort();
		atexit(drop_base);
	}
	snprintf(root, sizeof root, "%s/t", base);
	nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	if (mkdir(root, 0755))
		return 0;
	inputs[ninputs++] = root;
	while (off + 2 <= size && entries++ < WALK_MAX_ENTRIES) {
		unsigned kind = data[off] & 3;
		size_t nl = data[off + 1], cl;
		const uint8_t *name = data + off + 2, *content;

		if (off + 2 + nl + 3 > size)
			break;
		cl = data[off + 2 + nl] | (size_t)data[off + 3 + nl] << 8 | (size_t)data[off + 4 + nl] << 16;
		content = data + off + 5 + nl;
		if (cl > size - (off + 5 + nl))
			cl = size - (off + 5 + nl);
		if (cl > WALK_MAX_CONTENT)
			cl = WALK_MAX_CONTENT;
		off += 5 + nl + cl;
		safe_name(path, sizeof path, root, name, nl, 0);
		parents(path);
		if (kind == WALK_DIR) {
			mkdir(path, 0755);
		} else if (kind == WALK_LINK) {
			safe_name(target, sizeof target, root, content, cl > 255 ? 255 : cl, 1);
			if (symlink(target, path))
				continue;
		} else {
			FILE *f = fopen(path, "wb");

			if (!f)
				continue;
			if (cl)
				fwrite(content, 1, cl, f);
			fclose(f);
			if (kind == WALK_INPUT && (owned[nowned] = strdup(path)))
				inputs[ninputs++] = owned[nowned++];
		}
	}
	if (rt_evidence_collect(inputs, ninputs, NULL, &ev, NULL) == 0)
		rt_evidence_free(&ev);
	for (k = 0; k < nowned; k++)
		free(owned[k]);
	return 0;
}
