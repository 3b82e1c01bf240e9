/*
 * The native EVTX reader on logs the test writer builds (tests/fixtures/
 * evtx_writer.h): every substitution type, with and without templates,
 * equals the libevtx reader; damaged chunks are reported and, with the auto
 * reader, read by libevtx; any thread count gives the same events; the
 * chunk decoder survives mutated chunks (this suite also runs under ASan).
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../src/evtx/binxml.h"
#include "evtx_writer.h"
#include "remtrail/evtx.h"
#include "testutil.h"

static const tw_field typed_fields[] = {
	{ NULL, "unnamed", 0 },
	{ "I8", "-5", TW_INT8 },
	{ "U8", "200", TW_UINT8 },
	{ "I16", "-300", TW_INT16 },
	{ "U16", "65000", TW_UINT16 },
	{ "I32", "-70000", TW_INT32 },
	{ "U32", "4000000000", TW_UINT32 },
	{ "I64", "9000000000", TW_INT64 },
	{ "U64", "18446744073709551615", TW_UINT64 },
	{ "H32", "0x1f", TW_HEX32 },
	{ "H64", "0x3e7ab", TW_HEX64 },
	{ "Bool", "true", TW_BOOL },
	{ "Bin", "DEADbeef00", TW_BINARY },
	{ "Guid", "{a7975c8f-ac13-49f1-87da-5a984a4ab417}", TW_GUID },
	{ "Sid", "S-1-5-21-1004336348-1177238915-682003330-500", TW_SID },
	{ "FT", "2023-01-02T03:04:05.6789012Z", TW_FILETIME },
	{ "ST", "2023-01-02T03:04:05.678Z", TW_SYSTEMTIME },
	{ "Strs", "one\ntwo", TW_STRING_ARRAY },
	{ "U32s", "1\n2", TW_UINT32_ARRAY },
	{ "Empty", "", 0 },
	{ "Text", "a <b> & \"c\" \xc3\xa9", 0 },
	{ NULL, "second unnamed", 0 },
	{ "U8", "7", TW_UINT8 },
};

/* What the normalized event must hold for typed_fields (event.h rules). */
static const char *const expect[][2] = {
	{ "Data[1]", "unnamed" },
	{ "I8", "-123" },
	{ "U8", "200" },
	{ "I16", "-32468" },
	{ "U16", "65000" },
	{ "I32", "-2147413648" },
	{ "U32", "4000000000" },
	{ "I64", "9000000000" },
	{ "U64", "18446744073709551615" },
	{ "H32", "0x0000001f" },
	{ "H64", "0x000000000003e7ab" },
	{ "Bool", "true" },
	{ "Bin", "DEADBEEF00" },
	{ "Guid", "{A7975C8F-AC13-49F1-87DA-5A984A4AB417}" },
	{ "Sid", "S-1-5-21-1004336348-1177238915-682003330-500" },
	{ "FT", "2023-01-02T03:04:05.678901200Z" },
	{ "ST", "2023-01-02T03:04:05.678Z" },
	{ "Strs", "one" },
	{ "Strs[2]", "two" },
	{ "U32s", "1" },
	{ "U32s[2]", "2" },
	{ "Empty", "" },
	{ "Text", "a <b> & \"c\" \xc3\xa9" },
	{ "Data[2]", "second unnamed" },
	{ "U8[2]", "7" },
};

typedef tu_events evs;

typedef struct diags {
	char text[4096];
	size_t len;
} diags;

static void on_diag(void *ctx, rt_diag_level level, const char *subject, const char *msg)
{
	diags *d = ctx;
	int n;

	(void)level;
	(void)subject;
	n = snprintf(d->text + d->len, sizeof d->text - d->len, "%s\n", msg);
	if (n > 0 && d->len + (size_t)n < sizeof d->text)
		d->len += (size_t)n;
}

static int read_file(const char *path, rt_reader reader, int threads, evs *out, diags *dg)
{
	rt_evtx_opts o;
	rt_diag d;
	int rc;

	memset(&o, 0, sizeof o);
	o.reader = reader;
	o.threads = threads;
	rt_diag_init(&d, dg ? on_diag : NULL, dg);
	rc = rt_evtx_read(path, &o, tu_events_collect, out, &d);
	rt_diag_release(&d);
	return rc;
}

static void same_events(const evs *a, const evs *b)
{
	size_t i, k;

	ck_assert_uint_eq(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		const rt_event *x = a->v[i], *y = b->v[i];

		ck_assert_uint_eq(x->record_id, y->record_id);
		ck_assert_uint_eq(x->record_number, y->record_number);
		ck_assert_uint_eq(x->timestamp, y->timestamp);
		ck_assert_uint_eq(x->written, y->written);
		ck_assert_uint_eq(x->event_id, y->event_id);
		ck_assert_uint_eq(x->qualifiers, y->qualifiers);
		ck_assert_uint_eq(x->level, y->level);
		ck_assert_uint_eq(x->process_id, y->process_id);
		ck_assert_uint_eq(x->thread_id, y->thread_id);
		ck_assert_str_eq(x->channel, y->channel);
		ck_assert_str_eq(x->provider, y->provider);
		ck_assert_str_eq(x->computer, y->computer);
		ck_assert_str_eq(x->user_sid, y->user_sid);
		ck_assert_str_eq(x->host, y->host);
		ck_assert_uint_eq(x->nfields, y->nfields);
		for (k = 0; k < x->nfields; k++) {
			ck_assert_str_eq(x->fields[k].name, y->fields[k].name);
			ck_assert_str_eq(x->fields[k].value, y->fields[k].value);
		}
	}
}

static void base_event(tw_event *e, unsigned i)
{
	memset(e, 0, sizeof *e);
	e->time = tw_time("2024-05-01T10:00:00.1234567Z") + (uint64_t)i * 10000000u;
	e->channel = "System";
	e->provider = "Service Control Manager";
	e->provider_guid = "{555908d1-a6d7-4695-8e1e-26931d2012f4}";
	e->computer = "WS1.corp.local";
	e->event_id = 7045;
	e->has_qualifiers = 1;
	e->qualifiers = 16384;
	e->level = 4;
	e->keywords = 0x8080000000000000ull;
	e->pid = 612;
	e->tid = 2000 + i;
	e->user_sid = i % 2 ? "S-1-5-18" : NULL;
	e->fields = typed_fields;
	e->nfields = sizeof typed_fields / sizeof typed_fields[0];
	e->binary_hex = i % 3 ? "00FF10" : NULL;
}

/* A log of `n` records (several chunks when n is large) written to dir. */
static char *make_log(const char *dir, const char *name, unsigned flags, unsigned n,
		      enum tw_damage_kind dmg, size_t dmg_arg, int damaged)
{
	tw_writer *w = tw_new(flags);
	tw_event e;
	char *path;
	unsigned i;

	for (i = 0; i < n; i++) {
		base_event(&e, i);
		if (i % 5 == 4) {
			static const tw_field ud[] = { { "Param1", "winrm", 0 },
						       { "Param2", "auto start", 0 },
						       { "Param1", "again", 0 } };

			e.fields = ud;
			e.nfields = 3;
			e.userdata = "EventXML";
			e.userdata_ns = "Event_NS";
			e.binary_hex = NULL;
		}
		ck_assert_uint_ne(tw_add(w, &e), 0);
	}
	if (damaged)
		ck_assert_int_eq(tw_damage(w, dmg, dmg_arg), 0);
	path = malloc(strlen(dir) + strlen(name) + 2);
	ck_assert_ptr_nonnull(path);
	snprintf(path, strlen(dir) + strlen(name) + 2, "%s/%s", dir, name);
	ck_assert_int_eq(tw_write(w, path), 0);
	tw_free(&w);
	return path;
}

static void check_typed(const rt_event *ev)
{
	size_t k;

	int bin = (ev->thread_id - 2000) % 3 != 0;

	ck_assert_uint_eq(ev->nfields, sizeof expect / sizeof expect[0] + (bin ? 1 : 0));
	for (k = 0; k < sizeof expect / sizeof expect[0]; k++) {
		ck_assert_str_eq(ev->fields[k].name, expect[k][0]);
		ck_assert_str_eq(ev->fields[k].value, expect[k][1]);
	}
	if (bin) {
		ck_assert_str_eq(ev->fields[k].name, "Binary");
		ck_assert_str_eq(ev->fields[k].value, "00FF10");
	}
	ck_assert_uint_eq(ev->event_id, 7045);
	ck_assert_uint_eq(ev->qualifiers, 16384);
	ck_assert_str_eq(ev->provider, "Service Control Manager");
	ck_assert_str_eq(ev->channel, "System");
	ck_assert_str_eq(ev->computer, "WS1.corp.local");
	ck_assert_str_eq(ev->user_sid, ev->thread_id % 2 ? "S-1-5-18" : "");
}

static void typed_both_forms(unsigned flags)
{
	char *dir = tu_tmpdir(), *path;
	evs nat = { 0 }, lib = { 0 };
	size_t i;

	path = make_log(dir, "typed.evtx", flags, 40, TW_DAMAGE_DIRTY, 0, 0);
	ck_assert_int_eq(read_file(path, RT_READER_NATIVE, 1, &nat, NULL), 0);
	ck_assert_int_eq(read_file(path, RT_READER_LIBEVTX, 1, &lib, NULL), 0);
	ck_assert_uint_eq(nat.n, 40);
	same_events(&lib, &nat);
	for (i = 0; i < nat.n; i++) {
		if (i % 5 == 4) {
			ck_assert_uint_eq(nat.v[i]->nfields, 3);
			ck_assert_str_eq(nat.v[i]->fields[0].name, "Param1");
			ck_assert_str_eq(nat.v[i]->fields[1].value, "auto start");
			ck_assert_str_eq(nat.v[i]->fields[2].name, "Param1[2]");
		} else {
			check_typed(nat.v[i]);
		}
		ck_assert_uint_eq(nat.v[i]->timestamp,
				  tw_time("2024-05-01T10:00:00.1234567Z") + (uint64_t)i * 10000000u);
	}
	tu_events_free(&nat);
	tu_events_free(&lib);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

START_TEST(test_templates_all_types)
{
	typed_both_forms(TW_TEMPLATES);
}
END_TEST

START_TEST(test_plain_all_types)
{
	typed_both_forms(0);
}
END_TEST

/* Records whose elements lack the dependency identifier (some tools write
 * them so; libevtx and evtxexport cannot read them) read as the usual form. */
START_TEST(test_plain_without_dependency_ids)
{
	char *dir = tu_tmpdir(), *with, *without;
	evs a = { 0 }, b = { 0 };

	with = make_log(dir, "with.evtx", 0, 40, TW_DAMAGE_DIRTY, 0, 0);
	without = make_log(dir, "without.evtx", TW_NO_DEP_IDS, 40, TW_DAMAGE_DIRTY, 0, 0);
	ck_assert_int_eq(read_file(with, RT_READER_NATIVE, 1, &a, NULL), 0);
	ck_assert_int_eq(read_file(without, RT_READER_NATIVE, 1, &b, NULL), 0);
	ck_assert_uint_eq(b.n, 40);
	same_events(&a, &b); /* (source_file is not compared) */
	tu_events_free(&a);
	tu_events_free(&b);
	free(with);
	free(without);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_threads_same_events)
{
	char *dir = tu_tmpdir(), *path;
	evs one = { 0 }, four = { 0 }, auto2 = { 0 };

	path = make_log(dir, "many.evtx", TW_TEMPLATES, 1500, TW_DAMAGE_DIRTY, 0, 0);
	ck_assert_int_eq(read_file(path, RT_READER_NATIVE, 1, &one, NULL), 0);
	ck_assert_int_eq(read_file(path, RT_READER_NATIVE, 4, &four, NULL), 0);
	ck_assert_int_eq(read_file(path, RT_READER_AUTO, 2, &auto2, NULL), 0);
	ck_assert_uint_eq(one.n, 1500);
	same_events(&one, &four);
	same_events(&one, &auto2);
	tu_events_free(&one);
	tu_events_free(&four);
	tu_events_free(&auto2);
	free(path);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* What the test's pre hook says of an event: a function of the event alone. */
static uint64_t pre_word(void *ctx, const rt_event *ev)
{
	uint64_t h = ev->record_id * UINT64_C(0x9E3779B97F4A7C15) ^ ev->event_id;
	size_t i;

	(void)ctx;
	for (i = 0; i < ev->nfields; i++)
		h = h * 31 + strlen(ev->fields[i].value);
	return h | UINT64_C(1) << 63;
}

typedef struct pre_seen {
	size_t n, same, zero;
} pre_seen;

static int check_pre(void *ctx, const rt_event *ev)
{
	pre_seen *p = ctx;

	p->n++;
	p->same += ev->pre == pre_word(NULL, ev);
	p->zero += ev->pre == 0;
	return 0;
}

/* rt_evtx_opts.pre: an event handed over carries what the hook said of
 * that very event, or 0 ("not computed": read with one thread, decoded by
 * the delivering thread, or read by libevtx from a rejected chunk), never
 * a word of another event (a slot's words outliving its chunk). With seven
 * workers and one delivering thread over a log of 29 chunks, the workers
 * decode some of them. */
START_TEST(test_pre_hook_delivered)
{
	static const int threads[] = { 1, 2, 3, 8 };
	char *dir = tu_tmpdir(), *clean, *damaged;
	size_t t;

	clean = make_log(dir, "clean.evtx", TW_TEMPLATES, 3000, TW_DAMAGE_DIRTY, 0, 0);
	damaged = make_log(dir, "damaged.evtx", TW_TEMPLATES, 600, TW_DAMAGE_CHUNK_DATA_CRC, 1, 1);
	for (t = 0; t < sizeof threads / sizeof threads[0]; t++) {
		pre_seen a = { 0 }, b = { 0 };
		rt_evtx_opts o;
		rt_diag d;

		memset(&o, 0, sizeof o);
		o.reader = RT_READER_AUTO;
		o.threads = threads[t];
		o.pre = pre_word;
		rt_diag_init(&d, NULL, NULL);
		ck_assert_int_eq(rt_evtx_read(clean, &o, check_pre, &a, &d), 0);
		ck_assert_uint_eq(a.n, 3000);
		ck_assert_uint_eq(a.same + a.zero, a.n);
		ck_assert_int_eq(rt_evtx_read(damaged, &o, check_pre, &b, &d), 1);
		ck_assert_uint_gt(b.zero, 0);
		ck_assert_uint_eq(b.same + b.zero, b.n);
		if (threads[t] == 1)
			ck_assert_uint_eq(a.zero + b.zero, a.n + b.n);
		if (threads[t] == 8)
			ck_assert_uint_gt(a.same, 0);
		rt_diag_release(&d);
	}
	free(clean);
	free(damaged);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* A damaged chunk: native alone skips it and says so; auto reads it with
 * libevtx and says so; the events equal libevtx's own. */
static void damaged_chunk(enum tw_damage_kind kind, const char *what, int libevtx_reads)
{
	char *dir = tu_tmpdir(), *path;
	evs nat = { 0 }, aut = { 0 }, lib = { 0 };
	diags dn, da;

	memset(&dn, 0, sizeof dn);
	memset(&da, 0, sizeof da);
	path = make_log(dir, "damaged.evtx", TW_TEMPLATES, 600, kind, 1, 1);
	ck_assert_int_eq(read_file(path, RT_READER_NATIVE, 2, &nat, &dn), 1);
	ck_assert_int_eq(read_file(path, RT_READER_AUTO, 2, &aut, &da), 1);
	read_file(path, RT_READER_LIBEVTX, 1, &lib, NULL);
	ck_assert_msg(strstr(dn.text, what) && strstr(dn.text, "chunk 1 at offset 0x11000"),
		      "native diag: %s", dn.text);
	ck_assert_msg(strstr(dn.text, "chunk skipped"), "native diag: %s", dn.text);
	ck_assert_msg(strstr(da.text, "read with libevtx"), "auto diag: %s", da.text);
	ck_assert_uint_lt(nat.n, 600);
	ck_assert_uint_gt(nat.n, 0);
	if (libevtx_reads) {
		ck_assert_uint_eq(aut.n, lib.n);
		same_events(&lib, &aut);
		ck_assert_uint_gt(aut.n, nat.n);
	}
	tu_events_free(&nat);
	tu_events_free(&aut);
	tu_events_free(&lib);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

START_TEST(test_bad_records_crc)
{
	/* the records checksum lives in the chunk header: both sums disagree */
	damaged_chunk(TW_DAMAGE_CHUNK_DATA_CRC, "checksum", 1);
}
END_TEST

START_TEST(test_bad_header_crc)
{
	damaged_chunk(TW_DAMAGE_CHUNK_HEADER_CRC, "bad chunk header checksum", 1);
}
END_TEST

START_TEST(test_bad_chunk_magic)
{
	damaged_chunk(TW_DAMAGE_CHUNK_MAGIC, "bad chunk magic", 0);
}
END_TEST

START_TEST(test_truncated_and_not_evtx)
{
	char *dir = tu_tmpdir(), *path, *junk;
	evs nat = { 0 };
	diags dn;

	memset(&dn, 0, sizeof dn);
	path = make_log(dir, "cut.evtx", TW_TEMPLATES, 600, TW_DAMAGE_TRUNCATE, 4096 + 65536 + 30000,
			1);
	ck_assert_int_eq(read_file(path, RT_READER_NATIVE, 1, &nat, &dn), 1);
	ck_assert_msg(strstr(dn.text, "truncated chunk"), "diag: %s", dn.text);
	ck_assert_uint_gt(nat.n, 0);
	tu_events_free(&nat);
	junk = tu_write_file(dir, "junk.evtx", "not an evtx file at all, just text", 34);
	ck_assert_int_eq(read_file(junk, RT_READER_NATIVE, 1, &nat, NULL), -1);
	ck_assert_uint_eq(nat.n, 0);
	free(junk);
	free(path);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* ------------------------------------------------------------------ many files */

/* Every message with its subject and level, in order. */
static void on_diag_full(void *ctx, rt_diag_level level, const char *subject, const char *msg)
{
	rt_buf *b = ctx;

	rt_buf_addf(b, "%s|%s|%s\n", level == RT_DIAG_ERROR ? "E" : "W", subject, msg);
}

/* The line the sink and the callback both make of an event. */
static int line_of(const rt_event *ev, rt_buf *b)
{
	size_t k;
	int e = rt_buf_addf(b, "%s|%s|%llu|%u|%llu", ev->host, ev->source_file,
			    (unsigned long long)ev->record_id, ev->event_id,
			    (unsigned long long)ev->timestamp);

	for (k = 0; k < ev->nfields; k++)
		e |= rt_buf_addf(b, "|%s=%s", ev->fields[k].name, ev->fields[k].value);
	return e | rt_buf_addch(b, '\n');
}

typedef struct lines {
	rt_buf text;
	size_t n, stop_after, writes;
} lines;

static int line_cb(void *ctx, const rt_event *ev)
{
	lines *l = ctx;

	ck_assert_int_eq(line_of(ev, &l->text), 0);
	l->n++;
	return l->stop_after && l->n >= l->stop_after;
}

static int sink_format(void *ctx, const rt_event *ev, rt_buf *out)
{
	(void)ctx;
	return line_of(ev, out);
}

static int sink_write(void *ctx, const char *data, size_t len, size_t nevents)
{
	lines *l = ctx;
	size_t i, nl = 0;

	for (i = 0; i < len; i++)
		nl += data[i] == '\n';
	ck_assert_uint_eq(nl, nevents);
	ck_assert_int_eq(rt_buf_add(&l->text, data, len), 0);
	l->n += nevents;
	l->writes++;
	return l->stop_after && l->n >= l->stop_after;
}

/* A callback slow on every 50th event: delivery falls behind decoding
 * and hashing, then catches up. */
static int slow_cb(void *ctx, const rt_event *ev)
{
	lines *l = ctx;

	if (++l->n % 50 == 0) {
		struct timespec ts = { 0, 200000 };

		nanosleep(&ts, NULL);
	}
	(void)ev;
	return 0;
}

/*
 * Delivering and hashing run apart (a slot is reused once its chunk is
 * both delivered and hashed): whatever the thread count and however slow
 * the consumer, every file's hash is complete when the reader returns
 * (nothing left for rt_source_sha256 to read again) and is the file's.
 */
START_TEST(test_hash_done_by_reader)
{
	static const int threads[] = { 1, 2, 3, 8 };
	char *dir = tu_tmpdir(), *p[3];
	rt_artifact arts[3];
	rt_host host;
	rt_evidence ev;
	size_t t, i;

	p[0] = make_log(dir, "a.evtx", TW_TEMPLATES, 1500, TW_DAMAGE_DIRTY, 0, 0);
	p[1] = make_log(dir, "b.evtx", 0, 40, TW_DAMAGE_DIRTY, 0, 0);
	p[2] = make_log(dir, "c.evtx", TW_TEMPLATES, 900, TW_DAMAGE_DIRTY, 0, 0);
	for (t = 0; t < sizeof threads / sizeof threads[0]; t++) {
		int slow;

		for (slow = 0; slow < 2; slow++) {
			rt_evtx_opts o;
			lines l;
			rt_diag d;

			memset(arts, 0, sizeof arts);
			for (i = 0; i < 3; i++) {
				arts[i].kind = RT_ART_EVTX;
				arts[i].path = p[i];
			}
			tu_one_host(&ev, &host, "H", arts, 3);
			for (i = 0; i < 3; i++)
				rt_source_want_sha256(arts[i].src);
			memset(&o, 0, sizeof o);
			memset(&l, 0, sizeof l);
			o.reader = RT_READER_NATIVE;
			o.threads = threads[t];
			rt_diag_init(&d, NULL, NULL);
			ck_assert_int_eq(rt_evtx_read_evidence(&ev, &o, slow ? slow_cb : line_cb, &l, &d), 0);
			rt_diag_release(&d);
			ck_assert_uint_eq(l.n, 1500 + 40 + 900);
			for (i = 0; i < 3; i++) {
				size_t len;
				char *img = tu_read_file(p[i], &len);
				char want[65], got[65];

				ck_assert_msg(rt_source_hashed(arts[i].src) == len,
					      "-j%d %s: %llu of %zu bytes hashed", threads[t], p[i],
					      (unsigned long long)rt_source_hashed(arts[i].src), len);
				tu_sha256_hex(img, len, want);
				ck_assert_int_eq(rt_source_sha256(arts[i].src, got), 0);
				ck_assert_str_eq(got, want);
				free(img);
				rt_source_unref(&arts[i].src);
			}
			rt_buf_release(&l.text);
		}
	}
	for (i = 0; i < 3; i++)
		free(p[i]);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/*
 * A collection of good, damaged and unreadable logs over three hosts: the
 * events, and every message with its subject, come out in the same order
 * for any thread count, through the callback and through a sink alike.
 */
START_TEST(test_many_files_same_order)
{
	char *dir = tu_tmpdir(), *p[9];
	rt_artifact arts[3][4];
	rt_host hosts[3];
	rt_evidence ev;
	rt_buf ref_lines = RT_BUF_INIT, ref_diag = RT_BUF_INIT;
	static const int threads[] = { 1, 2, 3, 8 };
	size_t t, i, ref_n = 0;
	int mode;

	p[0] = make_log(dir, "a-big.evtx", TW_TEMPLATES, 1500, TW_DAMAGE_DIRTY, 0, 0);
	p[1] = tu_write_file(dir, "b-junk.evtx", "not an evtx file at all, just text", 34);
	p[2] = make_log(dir, "c-small.evtx", 0, 3, TW_DAMAGE_DIRTY, 0, 0);
	p[3] = make_log(dir, "d-crc.evtx", TW_TEMPLATES, 600, TW_DAMAGE_CHUNK_HEADER_CRC, 1, 1);
	p[4] = malloc(strlen(dir) + 32);
	ck_assert_ptr_nonnull(p[4]);
	snprintf(p[4], strlen(dir) + 32, "%s/e-missing.evtx", dir);
	p[5] = make_log(dir, "f-cut.evtx", TW_TEMPLATES, 600, TW_DAMAGE_TRUNCATE,
			4096 + 65536 + 30000, 1);
	p[6] = tu_write_file(dir, "g-empty.evtx", "", 0);
	p[7] = make_log(dir, "h-magic.evtx", TW_TEMPLATES, 600, TW_DAMAGE_CHUNK_MAGIC, 1, 1);
	p[8] = make_log(dir, "i-last.evtx", 0, 40, TW_DAMAGE_DIRTY, 0, 0);
	memset(arts, 0, sizeof arts);
	memset(hosts, 0, sizeof hosts);
	for (i = 0; i < 9; i++) {
		arts[i / 3][i % 3].kind = RT_ART_EVTX;
		arts[i / 3][i % 3].path = p[i];
	}
	hosts[0].name = "ALPHA";
	hosts[1].name = "BRAVO";
	hosts[2].name = "CHARLIE";
	for (i = 0; i < 3; i++) {
		hosts[i].artifacts = arts[i];
		hosts[i].nartifacts = 3;
	}
	ev.hosts = hosts;
	ev.nhosts = 3;
	ev.nartifacts = 9;
	tu_open_sources(&ev);

	/* 0: auto, 1: native only; the ThreadSanitizer run leaves libevtx out */
	for (mode = getenv("RT_TEST_NATIVE_ONLY") ? 1 : 0; mode < 2; mode++) {
		for (t = 0; t < sizeof threads / sizeof threads[0]; t++) {
			int sinkmode;

			for (sinkmode = 0; sinkmode < 2; sinkmode++) {
				rt_evtx_opts o;
				rt_evtx_sink sk = { sink_format, sink_write, NULL, 0 };
				rt_buf msgs = RT_BUF_INIT;
				lines l;
				rt_diag d;
				int rc;

				memset(&o, 0, sizeof o);
				memset(&l, 0, sizeof l);
				o.reader = mode ? RT_READER_NATIVE : RT_READER_AUTO;
				o.threads = threads[t];
				sk.ctx = &l;
				rt_diag_init(&d, on_diag_full, &msgs);
				rc = sinkmode ? rt_evtx_read_evidence_sink(&ev, &o, &sk, &d)
					      : rt_evtx_read_evidence(&ev, &o, line_cb, &l, &d);
				rt_diag_release(&d);
				ck_assert_int_eq(rc, 1);
				if (t == 0 && sinkmode == 0) {
					rt_buf_release(&ref_lines);
					rt_buf_release(&ref_diag);
					ref_lines = l.text;
					ref_diag = msgs;
					ref_n = l.n;
					/* every file is named, in evidence order */
					ck_assert_ptr_nonnull(strstr(msgs.buf, "b-junk.evtx|not an EVTX"));
					ck_assert_ptr_nonnull(strstr(msgs.buf, "e-missing.evtx|cannot open"));
					ck_assert_ptr_nonnull(strstr(msgs.buf, "g-empty.evtx|not an EVTX"));
					ck_assert(strstr(msgs.buf, "b-junk") <
							 strstr(msgs.buf, "d-crc"));
					ck_assert(strstr(msgs.buf, "d-crc") <
							 strstr(msgs.buf, "f-cut"));
					ck_assert(strstr(msgs.buf, "f-cut") <
							 strstr(msgs.buf, "h-magic"));
					ck_assert_ptr_nonnull(strstr(l.text.buf, "CHARLIE|"));
					ck_assert_uint_gt(l.n, 1500 + 3 + 40);
					continue;
				}
				ck_assert_msg(!strcmp(msgs.buf, ref_diag.buf),
					      "threads %d sink %d: messages differ:\n%s\n---\n%s",
					      threads[t], sinkmode, msgs.buf, ref_diag.buf);
				ck_assert_uint_eq(l.n, ref_n);
				ck_assert_msg(!strcmp(l.text.buf, ref_lines.buf),
					      "threads %d sink %d: events differ", threads[t],
					      sinkmode);
				rt_buf_release(&l.text);
				rt_buf_release(&msgs);
			}
		}
	}
	rt_buf_release(&ref_lines);
	rt_buf_release(&ref_diag);
	tu_close_sources(&ev);
	for (i = 0; i < 9; i++)
		free(p[i]);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* One host "ONE" holding the logs p[0..n-1] (sizes from stat). */
static void one_host(rt_evidence *ev, rt_host *host, rt_artifact *arts, char **p, size_t n)
{
	size_t i;

	memset(arts, 0, n * sizeof *arts);
	for (i = 0; i < n; i++) {
		struct stat st;

		ck_assert_int_eq(stat(p[i], &st), 0);
		arts[i].kind = RT_ART_EVTX;
		arts[i].path = p[i];
		arts[i].size = (uint64_t)st.st_size;
	}
	tu_one_host(ev, host, "ONE", arts, n);
}

static void drop_logs(char *dir, char **p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(p[i]);
	tu_rmtree(dir);
	free(dir);
}

/* A stop from the callback or the sink ends the whole walk, at any thread
 * count, after the same event. */
START_TEST(test_many_files_stop)
{
	char *dir = tu_tmpdir(), *p[4];
	rt_artifact arts[4];
	rt_host host;
	rt_evidence ev;
	size_t i;
	int t;

	for (i = 0; i < 4; i++) {
		char name[16];

		snprintf(name, sizeof name, "%zu.evtx", i);
		p[i] = make_log(dir, name, TW_TEMPLATES, 400, TW_DAMAGE_DIRTY, 0, 0);
	}
	one_host(&ev, &host, arts, p, 4);
	for (t = 1; t <= 4; t++) {
		rt_evtx_opts o;
		rt_evtx_sink sk = { sink_format, sink_write, NULL, 0 };
		lines l;

		memset(&o, 0, sizeof o);
		o.threads = t;
		memset(&l, 0, sizeof l);
		l.stop_after = 700;
		ck_assert_int_eq(rt_evtx_read_evidence(&ev, &o, line_cb, &l, NULL), 0);
		ck_assert_uint_eq(l.n, 700);
		rt_buf_release(&l.text);
		memset(&l, 0, sizeof l);
		l.stop_after = 700;
		sk.ctx = &l;
		ck_assert_int_eq(rt_evtx_read_evidence_sink(&ev, &o, &sk, NULL), 0);
		/* a sink stops at a chunk's end: no chunk is written after it */
		ck_assert_uint_ge(l.n, 700);
		ck_assert_uint_lt(l.n, 1600);
		rt_buf_release(&l.text);
	}
	tu_close_sources(&ev);
	drop_logs(dir, p, 4);
}
END_TEST

typedef struct prog {
	uint64_t last, total;
	size_t calls;
	int backwards;
} prog;

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
	prog *p = ctx;

	if (done < p->last || (p->calls && total != p->total))
		p->backwards = 1;
	p->last = done;
	p->total = total;
	p->calls++;
}

/* Progress only grows, ends at the listed sizes' total, with any reader. */
START_TEST(test_progress)
{
	char *dir = tu_tmpdir(), *p[3];
	rt_artifact arts[3];
	rt_host host;
	rt_evidence ev;
	uint64_t sum = 0;
	size_t i;
	int t;

	p[0] = make_log(dir, "a.evtx", TW_TEMPLATES, 3000, TW_DAMAGE_DIRTY, 0, 0);
	p[1] = make_log(dir, "b.evtx", TW_TEMPLATES, 600, TW_DAMAGE_CHUNK_MAGIC, 1, 1);
	p[2] = make_log(dir, "c.evtx", 0, 5, TW_DAMAGE_DIRTY, 0, 0);
	one_host(&ev, &host, arts, p, 3);
	for (i = 0; i < 3; i++)
		sum += arts[i].size;
	for (t = 0; t < 3; t++) {
		rt_evtx_opts o;
		lines l;
		prog pr;

		memset(&o, 0, sizeof o);
		memset(&l, 0, sizeof l);
		memset(&pr, 0, sizeof pr);
		o.threads = t == 2 ? 3 : 1;
		o.reader = t == 1 && !getenv("RT_TEST_NATIVE_ONLY") ? RT_READER_LIBEVTX
								 : RT_READER_NATIVE;
		o.progress = on_progress;
		o.progress_ctx = &pr;
		rt_evtx_read_evidence(&ev, &o, line_cb, &l, NULL);
		ck_assert_int_eq(pr.backwards, 0);
		ck_assert_uint_ge(pr.calls, 3);
		ck_assert_uint_eq(pr.last, sum);
		ck_assert_uint_eq(pr.total, sum);
		rt_buf_release(&l.text);
	}
	tu_close_sources(&ev);
	drop_logs(dir, p, 3);
}
END_TEST

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/*
 * A template instance that declares 2^30 values or more overflows
 * libevtx's bounds check (it then asks for gigabytes and reads past the
 * record; evtxexport is killed on it). Such a chunk is never given to
 * libevtx, whatever the reader asked for, and the rest of the log is read.
 */
START_TEST(test_libevtx_hazard_not_handed_over)
{
	char *dir = tu_tmpdir(), *path, *img;
	uint8_t *c;
	size_t len, pos, def, dsize;
	uint32_t fs, crc;
	rt_bx_chunk *scratch = malloc(sizeof *scratch);
	evs nat = { 0 }, aut = { 0 }, lib = { 0 };
	diags da, dl;
	FILE *f;

	ck_assert_ptr_nonnull(scratch);
	rt_bx_chunk_init(scratch);
	path = make_log(dir, "hostile.evtx", TW_TEMPLATES, 1500, TW_DAMAGE_DIRTY, 0, 0);
	img = tu_read_file(path, &len);
	ck_assert_ptr_nonnull(img);
	c = (uint8_t *)img + 4096;
	ck_assert_ptr_null(rt_bx_libevtx_hazard(scratch, c, 65536));
	/* the first record: fragment header, then the template instance with
	 * its definition inline; the value count follows the definition */
	pos = 512 + 24;
	ck_assert_uint_eq(c[pos], 0x0f);
	ck_assert_uint_eq(c[pos + 4], 0x0c);
	def = rt_le32(c + pos + 10);
	ck_assert_uint_eq(def, pos + 14);
	dsize = rt_le32(c + def + 20);
	pos = def + 24 + dsize;
	put_le32(c + pos, 0x40000012);
	fs = rt_le32(c + 48);
	put_le32(c + 52, rt_crc32(0, c + 512, fs - 512));
	crc = rt_crc32(rt_crc32(0, c, 120), c + 128, 384);
	put_le32(c + 124, crc);
	ck_assert_ptr_nonnull(strstr(rt_bx_libevtx_hazard(scratch, c, 65536), "declares 1073741842"));
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(img, 1, len, f), len);
	fclose(f);

	memset(&da, 0, sizeof da);
	memset(&dl, 0, sizeof dl);
	ck_assert_int_eq(read_file(path, RT_READER_NATIVE, 2, &nat, NULL), 1);
	ck_assert_int_eq(read_file(path, RT_READER_AUTO, 2, &aut, &da), 1);
	ck_assert_int_eq(read_file(path, RT_READER_LIBEVTX, 1, &lib, &dl), 1);
	ck_assert_msg(strstr(da.text, "chunk skipped (libevtx would read out of bounds on it)"),
		      "auto diag: %s", da.text);
	ck_assert_msg(strstr(dl.text, "read with the native reader instead"), "libevtx diag: %s",
		      dl.text);
	ck_assert_uint_gt(nat.n, 0);
	ck_assert_uint_lt(nat.n, 1500);
	same_events(&nat, &aut);
	same_events(&nat, &lib);
	tu_events_free(&nat);
	tu_events_free(&aut);
	tu_events_free(&lib);
	rt_bx_chunk_release(scratch);
	free(scratch);
	free(img);
	free(path);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* Mutated chunks: whatever the bytes, the decoder returns and stays inside
 * the chunk (ASan checks the latter). Deterministic pseudo-random bytes. */
START_TEST(test_mutated_chunks)
{
	tw_writer *w = tw_new(TW_TEMPLATES);
	rt_bx_chunk *c = malloc(sizeof *c), *ref = malloc(sizeof *ref);
	rt_bx_chunk *cp = malloc(sizeof *cp), *tk = malloc(sizeof *tk);
	uint8_t *img, *chunk;
	uint32_t seed = 12345;
	size_t len, round, ok = 0;
	tw_event e;
	unsigned i;

	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_nonnull(ref);
	ck_assert_ptr_nonnull(cp);
	ck_assert_ptr_nonnull(tk);
	rt_bx_chunk_init(ref);
	rt_bx_chunk_init(cp);
	rt_bx_chunk_init(tk);
	for (i = 0; i < 30; i++) {
		base_event(&e, i);
		ck_assert_uint_ne(tw_add(w, &e), 0);
	}
	img = tw_image(w, &len);
	chunk = malloc(RT_BX_CHUNK_SIZE);
	ck_assert_ptr_nonnull(chunk);
	rt_bx_chunk_init(c);
	memcpy(chunk, img + 4096, RT_BX_CHUNK_SIZE);
	ck_assert_int_eq(rt_bx_decode_chunk(c, chunk, RT_BX_CHUNK_SIZE, 0), 0);
	ck_assert_uint_eq(c->nev, 30);
	for (round = 0; round < 3000; round++) {
		size_t k, flips = 1 + round % 8;

		memcpy(chunk, img + 4096, RT_BX_CHUNK_SIZE);
		for (k = 0; k < flips; k++) {
			size_t at;

			seed = seed * 1103515245u + 12345u;
			at = 512 + (seed >> 8) % 6000;
			seed = seed * 1103515245u + 12345u;
			chunk[at] = (uint8_t)(seed >> 16);
		}
		if (rt_bx_decode_chunk(c, chunk, RT_BX_CHUNK_SIZE, RT_BX_NO_CRC) == 0)
			ok++;
		else
			ck_assert_uint_eq(c->nev, 0);
		/* compiled templates give what walking them gives, errors included */
		rt_bx_decode_chunk(ref, chunk, RT_BX_CHUNK_SIZE, RT_BX_NO_CRC | RT_BX_WALK);
		ck_assert_msg(rt_bx_chunk_same(c, ref), "round %zu: '%s' / '%s'", round, c->err,
			      ref->err);
		/* what a reader's worker hands over: a copy into a slot that
		 * held another chunk, or the output itself taken over */
		ck_assert_int_eq(rt_bx_chunk_copy(cp, c), 0);
		ck_assert(rt_bx_chunk_same(cp, ref));
		rt_bx_chunk_take(tk, c);
		ck_assert(rt_bx_chunk_same(tk, ref));
	}
	ck_assert_uint_gt(ok, 0);
	rt_bx_chunk_release(c);
	rt_bx_chunk_release(ref);
	rt_bx_chunk_release(cp);
	rt_bx_chunk_release(tk);
	free(c);
	free(ref);
	free(cp);
	free(tk);
	free(chunk);
	tw_free(&w);
}
END_TEST

/*
 * RT_BX_LEAN (remtrail events, which prints none of them) leaves out
 * Execution's ProcessID and ThreadID, Security's UserID and EventID's
 * Qualifiers, and nothing else: every other value and every field is the
 * same, with templates and without.
 */
START_TEST(test_lean_leaves_out_only_unprinted)
{
	char *dir = tu_tmpdir();
	rt_bx_chunk *full = malloc(sizeof *full), *lean = malloc(sizeof *lean);
	rt_field ff[64], lf[64];
	size_t checked = 0, with_user = 0;
	unsigned flags;

	ck_assert_ptr_nonnull(full);
	ck_assert_ptr_nonnull(lean);
	rt_bx_chunk_init(full);
	rt_bx_chunk_init(lean);
	for (flags = 0; flags <= TW_TEMPLATES; flags += TW_TEMPLATES) {
		char *p = make_log(dir, flags ? "t.evtx" : "p.evtx", flags, 300, TW_DAMAGE_DIRTY, 0, 0);
		size_t len, off, k, i;
		char *img = tu_read_file(p, &len);

		ck_assert_ptr_nonnull(img);
		for (off = 4096; off + RT_BX_CHUNK_SIZE <= len; off += RT_BX_CHUNK_SIZE) {
			const uint8_t *c = (const uint8_t *)img + off;

			ck_assert_int_eq(rt_bx_decode_chunk(full, c, RT_BX_CHUNK_SIZE, 0), 0);
			ck_assert_int_eq(rt_bx_decode_chunk(lean, c, RT_BX_CHUNK_SIZE, RT_BX_LEAN), 0);
			ck_assert_uint_eq(full->nev, lean->nev);
			for (k = 0; k < full->nev; k++) {
				rt_event a, b;

				ck_assert_uint_le(full->ev[k].nfields, 64);
				rt_bx_event_get(full, k, &a, ff, NULL);
				rt_bx_event_get(lean, k, &b, lf, NULL);
				ck_assert_uint_eq(a.timestamp, b.timestamp);
				ck_assert_uint_eq(a.record_id, b.record_id);
				ck_assert_uint_eq(a.event_id, b.event_id);
				ck_assert_uint_eq(a.level, b.level);
				ck_assert_str_eq(a.computer, b.computer);
				ck_assert_str_eq(a.channel, b.channel);
				ck_assert_str_eq(a.provider, b.provider);
				ck_assert_uint_eq(a.nfields, b.nfields);
				for (i = 0; i < a.nfields; i++) {
					ck_assert_str_eq(a.fields[i].name, b.fields[i].name);
					ck_assert_str_eq(a.fields[i].value, b.fields[i].value);
				}
				ck_assert_uint_eq(a.process_id, 612);
				ck_assert_uint_eq(a.qualifiers, 16384);
				ck_assert_uint_ne(a.thread_id, 0);
				with_user += a.user_sid[0] != '\0';
				ck_assert_uint_eq(b.process_id, 0);
				ck_assert_uint_eq(b.thread_id, 0);
				ck_assert_uint_eq(b.qualifiers, 0);
				ck_assert_str_eq(b.user_sid, "");
				checked++;
			}
		}
		free(img);
		free(p);
	}
	ck_assert_uint_eq(checked, 600);
	ck_assert_uint_gt(with_user, 0);
	rt_bx_chunk_release(full);
	rt_bx_chunk_release(lean);
	free(full);
	free(lean);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/*
 * Every chunk of the corpus, as it is and with a few bytes changed, gives
 * the same events and the same error with compiled templates as with
 * templates walked (RT_BX_WALK): the compiler is checked against the
 * walker on real template bodies (Security, Sysmon, System, arrays,
 * binary XML values). The corpus part is skipped without the corpus.
 */
START_TEST(test_tapes_equal_walk_corpus)
{
	const char *corpus = tu_corpus();
	rt_bx_chunk *c, *ref;
	uint8_t *chunk;
	char **files = NULL, dir[4096];
	size_t nfiles = 0, f, chunks = 0, decoded = 0;
	uint32_t seed = 777;

	if (!corpus) {
		fprintf(stderr, "tapes: no corpus, corpus chunks not compared\n");
		return;
	}
	c = malloc(sizeof *c);
	ref = malloc(sizeof *ref);
	chunk = malloc(RT_BX_CHUNK_SIZE);
	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_nonnull(ref);
	ck_assert_ptr_nonnull(chunk);
	rt_bx_chunk_init(c);
	rt_bx_chunk_init(ref);
	snprintf(dir, sizeof dir, "%s/evtx", corpus);
	tu_list_files(dir, &files, &nfiles);
	snprintf(dir, sizeof dir, "%s/evtx-edge", corpus);
	tu_list_files(dir, &files, &nfiles);
	for (f = 0; f < nfiles; f++) {
		size_t len, off;
		char *img = tu_read_file(files[f], &len);

		for (off = 4096; img && off + RT_BX_CHUNK_SIZE <= len; off += RT_BX_CHUNK_SIZE) {
			int round;

			if (memcmp(img + off, "ElfChnk", 8))
				continue;
			chunks++;
			for (round = 0; round < 4; round++) {
				int k;

				memcpy(chunk, img + off, RT_BX_CHUNK_SIZE);
				for (k = 0; k < round * 2; k++) { /* round 0: as it is */
					uint32_t fs = rt_le32(chunk + 48) > 512 ? rt_le32(chunk + 48) : 4096;

					seed = seed * 1103515245u + 12345u;
					chunk[512 + (seed >> 4) % (fs - 512 < 65024 ? fs - 512 : 65024)] =
						(uint8_t)(seed >> 20);
				}
				decoded += rt_bx_decode_chunk(c, chunk, RT_BX_CHUNK_SIZE, RT_BX_NO_CRC) == 0;
				rt_bx_decode_chunk(ref, chunk, RT_BX_CHUNK_SIZE, RT_BX_NO_CRC | RT_BX_WALK);
				ck_assert_msg(rt_bx_chunk_same(c, ref), "%s chunk at 0x%zx round %d: '%s' / '%s'",
					      files[f], off, round, c->err, ref->err);
			}
		}
		free(img);
	}
	fprintf(stderr, "tapes: %zu corpus chunks (4 variants each), %zu decoded, same as walked\n",
		chunks, decoded);
	ck_assert_uint_gt(chunks, 100);
	tu_free_files(files, nfiles);
	rt_bx_chunk_release(c);
	rt_bx_chunk_release(ref);
	free(c);
	free(ref);
	free(chunk);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("native");
	TCase *tc = tcase_create("reader");
	TCase *tt = tcase_create("threads"); /* also run under ThreadSanitizer */
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_templates_all_types);
	tcase_add_test(tc, test_plain_all_types);
	tcase_add_test(tc, test_lean_leaves_out_only_unprinted);
	tcase_add_test(tc, test_plain_without_dependency_ids);
	tcase_add_test(tc, test_threads_same_events);
	tcase_add_test(tc, test_bad_records_crc);
	tcase_add_test(tc, test_bad_header_crc);
	tcase_add_test(tc, test_bad_chunk_magic);
	tcase_add_test(tc, test_truncated_and_not_evtx);
	tcase_add_test(tc, test_mutated_chunks);
	tcase_add_test(tc, test_tapes_equal_walk_corpus);
	tcase_add_test(tc, test_libevtx_hazard_not_handed_over);
	tcase_add_test(tt, test_many_files_same_order);
	tcase_add_test(tt, test_hash_done_by_reader);
	tcase_add_test(tt, test_many_files_stop);
	tcase_add_test(tt, test_progress);
	tcase_add_test(tt, test_pre_hook_delivered);
	suite_add_tcase(s, tc);
	tcase_set_timeout(tt, 300);
	suite_add_tcase(s, tt);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
