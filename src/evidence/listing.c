/*
 * What the evidence walk found, written out: the containers (images) with
 * their files, volumes and shadow copies, then the hosts with their
 * artifacts and where each came from. `remtrail evidence` prints it; an
 * analyst checks with it what will be read before a long run.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "remtrail/evidence.h"
#include "remtrail/util.h"

/* Text: a value from the evidence, with control characters shown as \xHH
 * so that nothing read from an image can move the cursor or start a line. */
static int text(rt_buf *b, const char *s)
{
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch < 0x20 || ch == 0x7F ? rt_buf_addf(b, "\\x%02x", ch) : rt_buf_addch(b, (char)ch)))
			return -1;
	}
	return 0;
}

static const char *artifact_kind(const rt_artifact *a)
{
	return a->kind == RT_ART_EVTX ? "evtx" : a->kind == RT_ART_HIVE ? "hive" : "hive log";
}

/* ------------------------------------------------------------------- JSON */

static int json_origin(rt_buf *b, const rt_evidence *ev, const rt_origin *o)
{
	char t[RT_TIME_MAX];
	int r = 0;

	if (!o->container)
		return rt_buf_adds(b, "null");
	r |= rt_buf_adds(b, "{\"container\":");
	r |= rt_json_cstr(b, ev->containers[o->container - 1].path);
	if (ev->containers[o->container - 1].archive) {
		r |= rt_buf_adds(b, ",\"entry\":");
		r |= rt_json_cstr(b, o->inner_path);
		return r | rt_buf_addch(b, '}');
	}
	r |= rt_buf_addf(b, ",\"partition\":%d,\"scheme\":", o->partition);
	r |= rt_json_cstr(b, o->scheme);
	r |= rt_buf_addf(b, ",\"partition_offset\":\"%llu\",\"shadow_copy\":",
			 (unsigned long long)o->partition_offset);
	if (o->shadow_copy) {
		rt_time_format(o->shadow_copy_time, t);
		r |= rt_buf_addf(b, "{\"store\":%d,\"created\":\"%s\"}", o->shadow_copy, t);
	} else {
		r |= rt_buf_adds(b, "null");
	}
	r |= rt_buf_adds(b, ",\"path\":");
	r |= rt_json_cstr(b, o->inner_path);
	if (o->mft_entry != UINT64_MAX)
		r |= rt_buf_addf(b, ",\"mft_entry\":\"%llu\"", (unsigned long long)o->mft_entry);
	return r | rt_buf_addch(b, '}');
}

static int json_artifact(rt_buf *b, const rt_evidence *ev, const rt_artifact *a)
{
	size_t k;
	int r = 0;

	r |= rt_buf_adds(b, "{\"path\":");
	r |= rt_json_cstr(b, a->path);
	r |= rt_buf_addf(b, ",\"kind\":\"%s\",\"size\":\"%llu\"", artifact_kind(a),
			 (unsigned long long)a->size);
	if (a->kind == RT_ART_HIVE) {
		r |= rt_buf_addf(b, ",\"hive\":\"%s\",\"hive_reason\":", rt_hive_kind_name(a->hive_kind));
		r |= rt_json_cstr(b, a->hive_kind_reason);
	}
	r |= rt_buf_addf(b, ",\"backup\":%s,\"origin\":", a->is_backup ? "true" : "false");
	r |= json_origin(b, ev, &a->origin);
	if (a->nlogs) {
		r |= rt_buf_adds(b, ",\"logs\":[");
		for (k = 0; k < a->nlogs; k++) {
			r |= k ? rt_buf_addch(b, ',') : 0;
			r |= json_artifact(b, ev, &a->logs[k]);
		}
		r |= rt_buf_addch(b, ']');
	}
	return r | rt_buf_addch(b, '}');
}

static int json_container(rt_buf *b, const rt_container *c)
{
	char t[RT_TIME_MAX];
	size_t i, k;
	int r = 0;

	r |= rt_buf_adds(b, "{\"path\":");
	r |= rt_json_cstr(b, c->path);
	r |= rt_buf_addf(b, ",\"kind\":\"%s\",\"archive\":%s,\"media_size\":\"%llu\",\"files\":[",
			 c->kind, c->archive ? "true" : "false", (unsigned long long)c->media_size);
	for (i = 0; i < c->nfiles; i++) {
		r |= i ? rt_buf_addch(b, ',') : 0;
		r |= rt_buf_adds(b, "{\"path\":");
		r |= rt_json_cstr(b, c->files[i].path);
		r |= rt_buf_addf(b, ",\"size\":\"%llu\"}", (unsigned long long)c->files[i].size);
	}
	r |= rt_buf_adds(b, "],\"volumes\":[");
	for (i = 0; i < c->nvolumes; i++) {
		const rt_volume_info *v = &c->volumes[i];

		r |= i ? rt_buf_addch(b, ',') : 0;
		r |= rt_buf_addf(b,
				 "{\"partition\":%d,\"scheme\":\"%s\",\"offset\":\"%llu\",\"size\":"
				 "\"%llu\",\"fs\":\"%s\",\"note\":",
				 v->index, v->scheme, (unsigned long long)v->offset,
				 (unsigned long long)v->size, v->fs);
		r |= rt_json_cstr(b, v->note);
		r |= rt_buf_adds(b, ",\"shadow_copies\":[");
		for (k = 0; k < v->nstores; k++) {
			rt_time_format(v->stores[k].created, t);
			r |= rt_buf_addf(b, "%s{\"store\":%d,\"created\":\"%s\"}", k ? "," : "",
					 v->stores[k].index, t);
		}
		r |= rt_buf_adds(b, "]}");
	}
	return r | rt_buf_adds(b, "]}");
}

int rt_evidence_write_json(const rt_evidence *ev, rt_buf *b)
{
	size_t h, a;
	int r = 0;

	r |= rt_buf_adds(b, "{\"schema\":\"remtrail/1\",\"containers\":[");
	for (h = 0; h < ev->ncontainers; h++) {
		r |= h ? rt_buf_addch(b, ',') : 0;
		r |= json_container(b, &ev->containers[h]);
	}
	r |= rt_buf_adds(b, "],\"hosts\":[");
	for (h = 0; h < ev->nhosts; h++) {
		const rt_host *host = &ev->hosts[h];

		r |= h ? rt_buf_addch(b, ',') : 0;
		r |= rt_buf_adds(b, "{\"host\":");
		r |= rt_json_cstr(b, host->name);
		r |= rt_buf_adds(b, ",\"name_source\":");
		r |= rt_json_cstr(b, host->name_source);
		r |= rt_buf_adds(b, ",\"artifacts\":[");
		for (a = 0; a < host->nartifacts; a++) {
			r |= a ? rt_buf_addch(b, ',') : 0;
			r |= json_artifact(b, ev, &host->artifacts[a]);
		}
		r |= rt_buf_adds(b, "]}");
	}
	return r | rt_buf_adds(b, "]}\n") ? -1 : 0;
}

/* ------------------------------------------------------------------- text */

static int text_artifact(rt_buf *b, const rt_artifact *a, const char *indent)
{
	size_t k;
	int r = 0;

	r |= rt_buf_addf(b, "%s%-8s ", indent,
			 a->kind == RT_ART_HIVE ? rt_hive_kind_name(a->hive_kind) : artifact_kind(a));
	r |= text(b, a->path);
	if (a->origin.mft_entry != UINT64_MAX && a->origin.container)
		r |= rt_buf_addf(b, "  (MFT entry %llu)", (unsigned long long)a->origin.mft_entry);
	if (a->is_backup)
		r |= rt_buf_adds(b, "  [earlier copy]");
	if (a->kind == RT_ART_HIVE && a->hive_kind_reason) {
		r |= rt_buf_addf(b, "\n%s         kind: ", indent);
		r |= text(b, a->hive_kind_reason);
	}
	r |= rt_buf_addch(b, '\n');
	for (k = 0; k < a->nlogs; k++)
		r |= text_artifact(b, &a->logs[k], "      ");
	return r;
}

int rt_evidence_write_text(const rt_evidence *ev, rt_buf *b)
{
	char t[RT_TIME_MAX];
	size_t h, i, k;
	int r = 0;

	if (ev->ncontainers)
		r |= rt_buf_adds(b, "Images and archives\n");
	for (h = 0; h < ev->ncontainers; h++) {
		const rt_container *c = &ev->containers[h];

		r |= rt_buf_adds(b, "  ");
		r |= text(b, c->path);
		if (c->archive) {
			r |= rt_buf_addf(b, "  %s archive, %llu bytes\n", c->kind,
					 (unsigned long long)c->media_size);
			continue;
		}
		r |= rt_buf_addf(b, "  %s, %zu file%s, %llu bytes of media\n", c->kind, c->nfiles,
				 c->nfiles == 1 ? "" : "s", (unsigned long long)c->media_size);
		for (i = 1; i < c->nfiles; i++) {
			r |= rt_buf_adds(b, "    + ");
			r |= text(b, c->files[i].path);
			r |= rt_buf_addch(b, '\n');
		}
		if (!c->nvolumes)
			r |= rt_buf_adds(b, "    no partition table or volume found\n");
		for (i = 0; i < c->nvolumes; i++) {
			const rt_volume_info *v = &c->volumes[i];

			r |= v->index ? rt_buf_addf(b, "    p%-3d %-4s", v->index, v->scheme)
				      : rt_buf_adds(b, "    volume   ");
			r |= rt_buf_addf(b, " offset %llu, %llu bytes, %s: ",
					 (unsigned long long)v->offset, (unsigned long long)v->size,
					 v->fs);
			r |= text(b, v->note ? v->note : "");
			r |= rt_buf_addch(b, '\n');
			for (k = 0; k < v->nstores; k++) {
				rt_time_format(v->stores[k].created, t);
				r |= rt_buf_addf(b, "         vss%d  shadow copy created %s\n",
						 v->stores[k].index, t);
			}
		}
	}
	r |= rt_buf_adds(b, ev->ncontainers ? "\nHosts\n" : "Hosts\n");
	if (!ev->nhosts)
		r |= rt_buf_adds(b, "  none: no EVTX file or registry hive found\n");
	for (h = 0; h < ev->nhosts; h++) {
		const rt_host *host = &ev->hosts[h];

		r |= rt_buf_adds(b, "  ");
		r |= text(b, host->name);
		r |= rt_buf_addf(b, "  (named by %s; %zu artifact%s)\n", host->name_source,
				 host->nartifacts, host->nartifacts == 1 ? "" : "s");
		for (i = 0; i < host->nartifacts; i++)
			r |= text_artifact(b, &host->artifacts[i], "    ");
	}
	return r ? -1 : 0;
}
