/*
 * Disk images read in place. The sample evidence (tests/fixtures/mksample)
 * is written at test time, copied into an NTFS volume with libntfs-3g
 * (mkntfs + tests/fixtures/mkntfstree: no mount, no root), then put in
 * every container remtrail reads: a bare volume, MBR and GPT disks, split
 * raw, E01 (ewfacquire, split into segments), VHD, VHDX, VMDK (sparse, and
 * flat with a descriptor), QCOW2. `events`, `timeline`, `assess` and
 * `config` on each must print what they print for the folder the volume
 * was made from, paths aside. Damaged images are named and the rest is
 * analysed. The tools come from Debian (ntfs-3g, ewf-tools, qemu-utils,
 * fdisk); without them the suite skips, saying which is missing.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "remtrail/util.h"
#include "testutil.h"

static char *tmp;       /* scratch for the whole run */
static char *sample;    /* mksample's output: tmp/sample */
static char *volume;    /* tmp/vol.raw: the NTFS volume of WS01 */
static char *disk;      /* tmp/disk.raw: an MBR disk holding it at 1 MiB */

static char *path(const char *name)
{
	return tu_path(tmp, name);
}

/*
 * Run the shell script `cmd` with $1 = the scratch folder, $2 = qemu-img,
 * $3 = ewfacquire, $4 = sfdisk, $5 = mkntfs, $6 = mkntfstree, $7 = the
 * sample's folder, $8 = mksample, $9 = 7z: paths are never pasted into the
 * script.
 */
static int sh(const char *cmd)
{
	char *argv[] = {"/bin/sh", "-c", (char *)cmd, "sh", tmp,
			(char *)tu_tool("RT_QEMU_IMG"), (char *)tu_tool("RT_EWFACQUIRE"),
			(char *)tu_tool("RT_SFDISK"), (char *)tu_tool("RT_MKNTFS"),
			(char *)tu_tool("RT_MKNTFSTREE"), sample, (char *)tu_tool("RT_MKSAMPLE"),
			(char *)(tu_tool("RT_7Z") ? tu_tool("RT_7Z") : "7z"), NULL};
	char *err = NULL;
	int r;

	r = tu_run(argv, NULL, &err);
	if (r != 0)
		fprintf(stderr, "command failed (%d): %s\n%s", r, cmd, err ? err : "");
	free(err);
	return r;
}

/* Replace every `from` in `s` by `to` (malloc'd). */
static char *replace(const char *s, const char *from, const char *to)
{
	rt_buf b = RT_BUF_INIT;
	size_t n = strlen(from);
	const char *p;

	while ((p = strstr(s, from)) != NULL) {
		rt_buf_add(&b, s, (size_t)(p - s));
		rt_buf_adds(&b, to);
		s = p + n;
	}
	rt_buf_adds(&b, s);
	return rt_buf_detach(&b, NULL);
}

/* `remtrail CMD ARGS... TARGET` with paths below `prefix` shown as "@/". */
static char *run_normalised(const char *cmd, const char *fmt, const char *target,
			    const char *prefix, int *rc, char **err)
{
	char *argv[] = {(char *)tu_remtrail(), (char *)cmd, "--format", (char *)fmt,
			(char *)target, NULL};
	char *out = NULL, *norm;

	*rc = tu_run(argv, &out, err);
	norm = replace(out ? out : "", prefix, "@/");
	free(out);
	return norm;
}

static const struct {
	const char *cmd, *fmt;
} commands[] = {
    {"events", "jsonl"}, {"timeline", "jsonl"}, {"assess", "json"}, {"config", "json"},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* What each command prints on the folder WS01, computed once (forked
 * test cases inherit it). */
static char *folder_out[NCOMMANDS];

static int folder_outputs(void)
{
	char *folder = NULL, *froot = NULL;
	rt_buf b = RT_BUF_INIT;
	size_t i;
	int rc = 0;

	rt_buf_addf(&b, "%s/WS01", sample);
	folder = rt_buf_detach(&b, NULL);
	rt_buf_addf(&b, "%s/WS01/C/", sample);
	froot = rt_buf_detach(&b, NULL);
	for (i = 0; i < NCOMMANDS && !rc; i++) {
		char *err = NULL;
		int r;

		folder_out[i] = run_normalised(commands[i].cmd, commands[i].fmt, folder, froot, &r, &err);
		if (r != 0 || strlen(folder_out[i]) <= 10) {
			fprintf(stderr, "%s on the folder: exit %d, %s\n", commands[i].cmd, r, err ? err : "");
			rc = 1;
		}
		free(err);
	}
	free(folder);
	free(froot);
	return rc;
}

/* Everything remtrail says about `image` equals what it says about the
 * folder, with `inner` (the image's prefix of the volume root) for the
 * folder's volume root. */
static void same_as_folder(const char *image, const char *inner)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++) {
		char *got, *ierr = NULL;
		int irc;

		got = run_normalised(commands[i].cmd, commands[i].fmt, image, inner, &irc, &ierr);
		ck_assert_msg(irc == 0, "%s: exit %d on %s: %s", commands[i].cmd, irc, image,
			      ierr ? ierr : "");
		ck_assert_msg(!strcmp(folder_out[i], got),
			      "%s differs on %s:\n--- folder\n%.2000s\n--- image\n%.2000s",
			      commands[i].cmd, image, folder_out[i], got);
		free(got);
		free(ierr);
	}
}

/* -------------------------------------------------------------- formats */

typedef struct format {
	const char *name;
	/* a script building tmp/NAME from tmp/vol.raw or tmp/disk.raw (see sh) */
	const char *build;
	const char *image;  /* the file to give remtrail, in tmp */
	const char *inner;  /* prefix of the volume's root in the outputs */
} format;

static const format formats[] = {
    {"bare NTFS volume", "", "vol.raw", "vol.raw/"},
    {"MBR disk", "", "disk.raw", "disk.raw/p1/"},
    {"GPT disk",
     "cp \"$1/vol.raw\" \"$1/gptvol\" && truncate -s 70M \"$1/gpt.raw\" && "
     "printf 'label: gpt\\nstart=4096, size=131072, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7\\n' "
     "| \"$4\" -q \"$1/gpt.raw\" && dd if=\"$1/gptvol\" of=\"$1/gpt.raw\" bs=1M seek=2 "
     "conv=notrunc status=none",
     "gpt.raw", "gpt.raw/p1/"},
    {"split raw", "mkdir -p \"$1/split\" && split -d -a 3 --numeric-suffixes=1 -b 16M "
		  "\"$1/disk.raw\" \"$1/split/disk.\"",
     "split/disk.001", "split/disk.001/p1/"},
    {"E01 in segments",
     "mkdir -p \"$1/ewf\" && \"$3\" -u -q -t \"$1/ewf/disk\" -f encase6 -c none "
     "-S 20971520 \"$1/disk.raw\" >/dev/null && test -f \"$1/ewf/disk.E03\"",
     "ewf/disk.E01", "ewf/disk.E01/p1/"},
    {"VHD", "\"$2\" convert -O vpc \"$1/disk.raw\" \"$1/disk.vhd\"", "disk.vhd",
     "disk.vhd/p1/"},
    {"VHDX", "\"$2\" convert -O vhdx \"$1/disk.raw\" \"$1/disk.vhdx\"", "disk.vhdx",
     "disk.vhdx/p1/"},
    {"VMDK sparse", "\"$2\" convert -O vmdk \"$1/disk.raw\" \"$1/disk.vmdk\"", "disk.vmdk",
     "disk.vmdk/p1/"},
    {"VMDK flat with descriptor",
     "mkdir -p \"$1/flat\" && \"$2\" convert -O vmdk -o subformat=monolithicFlat "
     "\"$1/disk.raw\" \"$1/flat/disk.vmdk\"",
     "flat/disk.vmdk", "flat/disk.vmdk/p1/"},
    {"QCOW2", "\"$2\" convert -O qcow2 \"$1/disk.raw\" \"$1/disk.qcow2\"", "disk.qcow2",
     "disk.qcow2/p1/"},
};

START_TEST(image_reads_like_its_folder)
{
	const format *f = &formats[_i];
	char *img = path(f->image), *inner = path(f->inner);

	if (*f->build)
		ck_assert_msg(sh(f->build) == 0,
			      "cannot build the %s", f->name);
	same_as_folder(img, inner);
	free(img);
	free(inner);
}
END_TEST

/* --------------------------------------------------------------- archives */

/*
 * Collections as they arrive: ZIP (deflated, and Velociraptor's layout with
 * %XX names), 7z, tar and its .gz/.xz/.bz2 forms, a ZIP of a VHDX (an image
 * in an archive) and a ZIP holding a .tar.gz (nested one level): read like
 * the folder. $9 is 7z.
 */
static const format archives[] = {
    {"ZIP", "cd \"$7\" && python3 -c 'import sys,zipfile,os\n"
	    "z=zipfile.ZipFile(sys.argv[1],\"w\",zipfile.ZIP_DEFLATED)\n"
	    "for d,_,fs in sorted(os.walk(\"WS01\")):\n"
	    " [z.write(os.path.join(d,f)) for f in sorted(fs)]' \"$1/ws01.zip\"",
     "ws01.zip", "ws01.zip/WS01/C/"},
    {"Velociraptor ZIP", "cd \"$7/WS01/C\" && python3 -c 'import sys,zipfile,os\n"
			 "z=zipfile.ZipFile(sys.argv[1],\"w\",zipfile.ZIP_DEFLATED)\n"
			 "for d,_,fs in sorted(os.walk(\".\")):\n"
			 " [z.write(os.path.join(d,f),\"uploads/auto/C%3A/\"+os.path.join(d,f)[2:]) "
			 "for f in sorted(fs)]' \"$1/Collection-ws01.corp.example-2024-03-13T10_00_00Z.zip\"",
     "Collection-ws01.corp.example-2024-03-13T10_00_00Z.zip",
     "Collection-ws01.corp.example-2024-03-13T10_00_00Z.zip/uploads/auto/C%3A/"},
    {"7z", "cd \"$7\" && \"$9\" a -bd -y \"$1/ws01.7z\" WS01 >/dev/null", "ws01.7z",
     "ws01.7z/WS01/C/"},
    {"tar", "tar -C \"$7\" -cf \"$1/ws01.tar\" WS01", "ws01.tar", "ws01.tar/WS01/C/"},
    {"tar.gz", "tar -C \"$7\" -czf \"$1/ws01.tar.gz\" WS01", "ws01.tar.gz",
     "ws01.tar.gz/WS01/C/"},
    {"tar.xz", "tar -C \"$7\" -cJf \"$1/ws01.tar.xz\" WS01", "ws01.tar.xz",
     "ws01.tar.xz/WS01/C/"},
    {"tar.bz2", "tar -C \"$7\" -cjf \"$1/ws01.tar.bz2\" WS01", "ws01.tar.bz2",
     "ws01.tar.bz2/WS01/C/"},
    {"ZIP of a VHDX", "\"$2\" convert -O vhdx \"$1/disk.raw\" \"$1/inzip.vhdx\" && cd \"$1\" && "
		      "python3 -c 'import sys,zipfile\n"
		      "zipfile.ZipFile(sys.argv[1],\"w\",zipfile.ZIP_DEFLATED).write(\"inzip.vhdx\")' "
		      "\"$1/vhdx.zip\"",
     "vhdx.zip", "vhdx.zip/inzip.vhdx/p1/"},
    {"ZIP of a tar.gz", "mkdir -p \"$1/nest\" && tar -C \"$7\" -czf \"$1/nest/ws01.tar.gz\" WS01 && "
			"cd \"$1/nest\" && python3 -c 'import sys,zipfile\n"
			"zipfile.ZipFile(sys.argv[1],\"w\").write(\"ws01.tar.gz\")' \"$1/nest.zip\"",
     "nest.zip", "nest.zip/ws01.tar.gz/WS01/C/"},
};

START_TEST(archive_reads_like_its_folder)
{
	const format *f = &archives[_i];
	char *img = path(f->image), *inner = path(f->inner);

	ck_assert_msg(sh(f->build) == 0, "cannot build the %s", f->name);
	same_as_folder(img, inner);
	free(img);
	free(inner);
}
END_TEST

/*
 * An archive that cannot be read is an error naming it, exit 3, never a
 * silent skip; an entry that would pass the memory bound for archives is
 * named with the bound; the rest is analysed.
 */
START_TEST(unreadable_archives_named)
{
	char *out = NULL, *err = NULL, *cut = path("cut.zip"), *ws02 = NULL, *vz = path("vhdx.zip");
	rt_buf b = RT_BUF_INIT;
	char *argv[] = {(char *)tu_remtrail(), "assess", "--format", "json", cut, NULL, NULL};
	char *argv2[] = {"/usr/bin/env", "REMTRAIL_ARCHIVE_MEMORY=1", (char *)tu_remtrail(),
			 "assess", "--format", "json", vz, NULL, NULL};
	int rc;

	rt_buf_addf(&b, "%s/WS02", sample);
	ws02 = rt_buf_detach(&b, NULL);
	argv[5] = ws02;
	argv2[7] = ws02;
	ck_assert_int_eq(sh("cd \"$7\" && python3 -c 'import sys,zipfile,os\n"
			    "z=zipfile.ZipFile(sys.argv[1],\"w\",zipfile.ZIP_DEFLATED)\n"
			    "for d,_,fs in sorted(os.walk(\"WS01\")):\n"
			    " [z.write(os.path.join(d,f)) for f in sorted(fs)]' \"$1/full.zip\" && "
			    "head -c 3000 \"$1/full.zip\" > \"$1/cut.zip\" && "
			    "( test -f \"$1/vhdx.zip\" || ( \"$2\" convert -O vhdx \"$1/disk.raw\" "
			    "\"$1/inzip.vhdx\" && cd \"$1\" && python3 -c 'import sys,zipfile\n"
			    "zipfile.ZipFile(sys.argv[1],\"w\",zipfile.ZIP_DEFLATED).write(\"inzip.vhdx\")' "
			    "\"$1/vhdx.zip\" ) )"),
			 0);
	rc = tu_run(argv, &out, &err);
	ck_assert_msg(rc == 3, "exit %d\n%s", rc, err);
	ck_assert_ptr_nonnull(strstr(err, "cut.zip"));
	ck_assert_ptr_nonnull(strstr(out, "\"host\":\"WS02\""));
	free(out);
	free(err);
	rc = tu_run(argv2, &out, &err);
	ck_assert_msg(rc == 3, "exit %d\n%s", rc, err);
	ck_assert_ptr_nonnull(strstr(err, "vhdx.zip/inzip.vhdx"));
	ck_assert_ptr_nonnull(strstr(err, "memory bound for archives (1 MiB"));
	ck_assert_ptr_nonnull(strstr(out, "\"host\":\"WS02\""));
	free(out);
	free(err);
	free(ws02);
	free(cut);
	free(vz);
}
END_TEST

/* ------------------------------------------------------------ provenance */

/*
 * report.json lists each file of an image (the E01's segments) with its
 * SHA-256, computed while analysing, and each artifact with its own hash
 * (the same as the file's in the folder the image was made from) and its
 * origin: image, partition, path in the volume, MFT entry.
 */
START_TEST(report_cites_image_and_origin)
{
	char *out = path("prov"), *e02 = path("ewf/disk.E02"), *json, *err = NULL, hex[65];
	char *sec = NULL, *img = path("ewf/disk.E01");
	rt_buf b = RT_BUF_INIT;
	char *argv[] = {(char *)tu_remtrail(), "analyze", img, "-o", out, NULL};
	uint64_t size;

	ck_assert_int_eq(sh("test -f \"$1/ewf/disk.E03\" || ( mkdir -p \"$1/ewf\" && \"$3\" -u -q "
			    "-t \"$1/ewf/disk\" -f encase6 -c none -S 20971520 \"$1/disk.raw\" "
			    ">/dev/null )"),
			 0);
	ck_assert_int_eq(tu_run(argv, NULL, &err), 0);
	free(err);
	rt_buf_addf(&b, "%s/report.json", out);
	json = tu_read_file(b.buf, NULL);
	ck_assert_ptr_nonnull(json);
	ck_assert_int_eq(rt_sha256_file(e02, hex, &size), 0);
	rt_buf_reset(&b);
	rt_buf_addf(&b, "/ewf/disk.E02\",\"sha256\":\"%s\",\"size\":%llu,\"host\":\"WS01\","
		    "\"kind\":\"disk image (E01), file 2 of ", hex, (unsigned long long)size);
	ck_assert_msg(strstr(json, b.buf) != NULL, "no %s in\n%.3000s", b.buf, json);
	rt_buf_reset(&b);
	rt_buf_addf(&b, "%s/WS01/C/Windows/System32/winevt/Logs/Security.evtx", sample);
	sec = strdup(b.buf);
	ck_assert_int_eq(rt_sha256_file(sec, hex, &size), 0);
	rt_buf_reset(&b);
	rt_buf_addf(&b, "\"relative\":\"p1/Windows/System32/winevt/Logs/Security.evtx\","
		    "\"sha256\":\"%s\"", hex);
	ck_assert_msg(strstr(json, b.buf) != NULL, "no %s", b.buf);
	ck_assert_ptr_nonnull(strstr(json, "\"origin\":{\"container\":"));
	ck_assert_ptr_nonnull(strstr(json, "/ewf/disk.E01\",\"partition\":1,\"scheme\":\"MBR\","
					   "\"partition_offset\":1048576,\"path_in_volume\":"
					   "\"/Windows/System32/winevt/Logs/Security.evtx\",\"mft_entry\":"));
	free(json);
	free(sec);
	free(out);
	free(e02);
	free(img);
	rt_buf_release(&b);
}
END_TEST

/* ---------------------------------------------------- NTFS file details */

/*
 * Sparse files (holes where blocks are zeros), LZNT1-compressed files, an
 * alternate data stream next to a log, and names in other cases than
 * Windows uses: read as the folder's files. A log hidden in a stream is
 * found as an artifact of its own ("file:stream").
 */
START_TEST(sparse_compressed_streams_and_case)
{
	char *vol2 = path("vol2.raw"), *inner = path("vol2.raw/"), *cased = path("cased"),
	     *listing = NULL, *out = NULL;
	char *argv[] = {(char *)tu_remtrail(), "evidence", vol2, NULL};

	/* the same tree with other letter cases on the path to the logs */
	ck_assert_int_eq(sh("rm -rf \"$1/cased\" && cp -r \"$7/WS01/C\" \"$1/cased\" && "
			    "cd \"$1/cased\" && mv Windows/System32/winevt Windows/System32/WINEVT && "
			    "mv Windows/System32/WINEVT/Logs Windows/System32/WINEVT/logs && "
			    "mv Windows windows"),
			 0);
	ck_assert_int_eq(sh("truncate -s 64M \"$1/vol2.raw\" && \"$5\" -F -q -Q -s 512 -c 4096 "
			    "\"$1/vol2.raw\" >/dev/null 2>&1 && \"$6\" \"$1/vol2.raw\" \"$1/cased\" "
			    "--sparse --compress windows/System32/config --ads "
			    "\"windows/System32/WINEVT/logs/Security.evtx:Zone.Identifier=$7/WS01/C/"
			    "Windows/System32/config/SYSTEM\""),
			 0);
	/* the stream holds a hive: an artifact of its own, found as such */
	ck_assert_int_eq(tu_run(argv, &listing, NULL), 0);
	ck_assert_ptr_nonnull(strstr(listing, "Security.evtx:Zone.Identifier"));
	ck_assert_ptr_nonnull(strstr(listing, "vol2.raw/windows/System32/WINEVT/logs/System.evtx"));
	free(listing);
	/* with a stream that is not evidence, the volume reads like the folder */
	ck_assert_int_eq(sh("rm -f \"$1/vol2.raw\" && truncate -s 64M \"$1/vol2.raw\" && "
			    "\"$5\" -F -q -Q -s 512 -c 4096 \"$1/vol2.raw\" >/dev/null 2>&1 && "
			    "printf '[ZoneTransfer]\\r\\nZoneId=3\\r\\n' > \"$1/zone\" && "
			    "\"$6\" \"$1/vol2.raw\" \"$1/cased\" --sparse --compress "
			    "windows/System32/config --ads "
			    "\"windows/System32/WINEVT/logs/Security.evtx:Zone.Identifier=$1/zone\" && "
			    "rm -rf \"$1/casedfolder\" && cp -r \"$1/cased\" \"$1/casedfolder\""),
			 0);
	{
		size_t i;
		char *froot = path("casedfolder/"), *folder = path("casedfolder");

		for (i = 0; i < NCOMMANDS; i++) {
			char *want, *got;
			int rc, irc;

			want = run_normalised(commands[i].cmd, commands[i].fmt, folder, froot, &rc, NULL);
			got = run_normalised(commands[i].cmd, commands[i].fmt, vol2, inner, &irc, NULL);
			ck_assert_int_eq(rc, 0);
			ck_assert_int_eq(irc, 0);
			ck_assert_msg(!strcmp(want, got), "%s differs:\n%.1500s\n---\n%.1500s",
				      commands[i].cmd, want, got);
			free(want);
			free(got);
		}
		free(froot);
		free(folder);
	}
	free(out);
	free(vol2);
	free(inner);
	free(cased);
}
END_TEST

/* ----------------------------------------------------------- damage */

/*
 * A truncated E01 and a disk whose partition runs past its end are named on
 * stderr, exit 3, and the other evidence given with them is analysed.
 */
START_TEST(damaged_images_named_rest_analysed)
{
	char *cut = path("cut"), *ws02 = NULL, *out = NULL, *err = NULL, *e01 = path("cut/disk.E01"),
	     *half = path("half.raw");
	rt_buf b = RT_BUF_INIT;
	char *argv[] = {(char *)tu_remtrail(), "assess", "--format", "json", e01, half, NULL, NULL};
	int rc;

	rt_buf_addf(&b, "%s/WS02", sample);
	ws02 = rt_buf_detach(&b, NULL);
	argv[6] = ws02;
	ck_assert_int_eq(sh("mkdir -p \"$1/cut\" && \"$3\" -u -q -t \"$1/cut/disk\" -f encase6 "
			    "-c deflate:fast \"$1/disk.raw\" >/dev/null && sz=$(stat -c %s \"$1/cut/disk.E01\") "
			    "&& truncate -s $((sz / 2)) \"$1/cut/disk.E01\" && "
			    "head -c 20M \"$1/disk.raw\" > \"$1/half.raw\""),
			 0);
	rc = tu_run(argv, &out, &err);
	ck_assert_msg(rc == 3, "exit %d\n%s", rc, err);
	ck_assert_ptr_nonnull(strstr(err, "cut/disk.E01"));
	ck_assert_ptr_nonnull(strstr(err, "half.raw"));
	ck_assert_ptr_nonnull(strstr(out, "\"host\":\"WS02\""));
	free(out);
	free(err);
	free(ws02);
	free(cut);
	free(e01);
	free(half);
}
END_TEST

/*
 * A BitLocker volume is named as such: without a recovery password it asks
 * for one, with one of the wrong form it says what the form is, with one
 * libbde cannot use it says why; the other evidence is analysed, exit 3.
 * (Debian has no tool that writes BitLocker, so the volume here is a boot
 * sector with BitLocker's signature: enough to be recognised, not opened.)
 */
START_TEST(bitlocker_named)
{
	static const struct {
		const char *password, *said;
	} cases[] = {
	    {NULL, "BitLocker-encrypted volume: give its recovery password (--recovery-password)"},
	    {"bad", "the recovery password is not of the right form (eight groups"},
	    {"123456-123456-123456-123456-123456-123456-123456-123456",
	     "BitLocker-encrypted volume: cannot open it: "},
	};
	char *bl = path("bl.raw"), *ws02 = NULL;
	rt_buf b = RT_BUF_INIT;
	size_t i;

	rt_buf_addf(&b, "%s/WS02", sample);
	ws02 = rt_buf_detach(&b, NULL);
	ck_assert_int_eq(sh("python3 -c 'import sys\nb=bytearray(2<<20)\nb[0:3]=b\"\\xeb\\x58\\x90\"\n"
			    "b[3:11]=b\"-FVE-FS-\"\nb[11:13]=bytes([0,2])\nb[510:512]=b\"\\x55\\xaa\"\n"
			    "open(sys.argv[1],\"wb\").write(b)' \"$1/bl.raw\""),
			 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *argv[] = {(char *)tu_remtrail(), "assess", "--format", "json", bl, ws02,
				cases[i].password ? "--recovery-password" : NULL,
				(char *)cases[i].password, NULL};
		char *out = NULL, *err = NULL;
		int rc = tu_run(argv, &out, &err);

		ck_assert_msg(rc == 3, "exit %d\n%s", rc, err);
		ck_assert_msg(strstr(err, cases[i].said) != NULL, "%s", err);
		ck_assert_ptr_nonnull(strstr(err, "bl.raw: "));
		ck_assert_ptr_null(strstr(err, "no NTFS volume"));
		ck_assert_ptr_nonnull(strstr(out, "\"host\":\"WS02\""));
		free(out);
		free(err);
	}
	free(bl);
	free(ws02);
}
END_TEST

/*
 * Ex01. Debian 12's ewfacquire (libewf 20140813) offers -f encase7-v2 but
 * writes an E01 ("Unsupported EWF format defaulting to: encase6"), and its
 * library has no EWF2 signature: it cannot read an Ex01 either. So an Ex01
 * (here its 8-byte signature and zeros) is named with what to do, exit 3,
 * the rest analysed; the day ewfacquire writes Ex01, the image it writes
 * must read like the folder.
 */
START_TEST(ex01_written_or_named)
{
	char *ex01 = path("ex/disk.Ex01"), *inner = path("ex/disk.Ex01/p1/"), *sig = path("sig.Ex01");
	char *ws02 = NULL, *out = NULL, *err = NULL;
	rt_buf b = RT_BUF_INIT;
	char *argv[] = {(char *)tu_remtrail(), "assess", "--format", "json", sig, NULL, NULL};
	int rc;

	ck_assert_int_eq(sh("mkdir -p \"$1/ex\" && \"$3\" -u -q -t \"$1/ex/disk\" -f encase7-v2 "
			    "-c none \"$1/disk.raw\" >/dev/null 2>&1"),
			 0);
	if (access(ex01, R_OK) == 0) {
		same_as_folder(ex01, inner);
	} else {
		free(ex01);
		ex01 = path("ex/disk.E01");
		ck_assert_msg(access(ex01, R_OK) == 0, "ewfacquire -f encase7-v2 wrote neither");
	}
	rt_buf_addf(&b, "%s/WS02", sample);
	ws02 = rt_buf_detach(&b, NULL);
	argv[5] = ws02;
	ck_assert_int_eq(sh("python3 -c 'import sys\nb=bytearray(65536)\nb[0:8]=b\"EVF2\\r\\n\\x81\\x00\"\n"
			    "open(sys.argv[1],\"wb\").write(b)' \"$1/sig.Ex01\""),
			 0);
	rc = tu_run(argv, &out, &err);
	ck_assert_msg(rc == 3, "exit %d\n%s", rc, err);
	ck_assert_msg(strstr(err, "sig.Ex01: cannot read disk image (Ex01): ") != NULL, "%s", err);
	ck_assert_msg(strstr(err, "reads E01 (EWF1) only, not EWF2 (Ex01)") != NULL ||
			  strstr(err, "libewf cannot open it") != NULL,
		      "%s", err);
	ck_assert_ptr_nonnull(strstr(out, "\"host\":\"WS02\""));
	free(out);
	free(err);
	free(ws02);
	free(sig);
	free(ex01);
	free(inner);
}
END_TEST

/* Shadow copies of the corpus image are listed with their creation times. */
START_TEST(corpus_shadow_copies_listed)
{
	const char *corpus = tu_corpus();
	char *img = NULL, *out = NULL;
	rt_buf b = RT_BUF_INIT;
	char *argv[] = {(char *)tu_remtrail(), "evidence", NULL, NULL};

	if (!corpus)
		return;
	rt_buf_addf(&b, "%s/images/vsstest.qcow2", corpus);
	img = rt_buf_detach(&b, NULL);
	argv[2] = img;
	ck_assert_int_eq(tu_run(argv, &out, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "vss1  shadow copy created 2013-12-03T06:35:09.7363787Z"));
	ck_assert_ptr_nonnull(strstr(out, "vss2  shadow copy created 2013-12-03T06:37:48.9190583Z"));
	free(out);
	free(img);
}
END_TEST

/* Every corpus image opens and lists without error; E01 segments join. */
START_TEST(corpus_images_listed)
{
	const char *corpus = tu_corpus();
	char *dir = NULL, *out = NULL, *err = NULL;
	rt_buf b = RT_BUF_INIT;
	char *argv[] = {(char *)tu_remtrail(), "evidence", NULL, NULL};

	if (!corpus)
		return;
	rt_buf_addf(&b, "%s/images", corpus);
	dir = rt_buf_detach(&b, NULL);
	argv[2] = dir;
	ck_assert_int_eq(tu_run(argv, &out, &err), 0);
	ck_assert_ptr_nonnull(strstr(out, "image-split.E01  E01, 2 files"));
	ck_assert_ptr_nonnull(strstr(out, "tsk_volume_system.raw  raw MBR disk"));
	ck_assert_ptr_nonnull(strstr(out, "image.vmdk  VMDK"));
	ck_assert_ptr_nonnull(strstr(out, "image.vhd  VHD"));
	ck_assert_ptr_nonnull(strstr(out, "p5   MBR"));
	free(out);
	free(err);
	free(dir);
}
END_TEST

/* --------------------------------------------------------------- setup */

static int setup(void)
{
	static const char *const need[] = {"RT_MKNTFS",     "RT_MKNTFSTREE", "RT_QEMU_IMG",
					   "RT_EWFACQUIRE", "RT_SFDISK",     "RT_MKSAMPLE", "RT_7Z"};
	const char *missing = tu_missing_tool(need, sizeof(need) / sizeof(need[0]));

	if (missing) {
		printf("skipped: %s is not available (Debian: ntfs-3g, ntfs-3g-dev, "
		       "ewf-tools, qemu-utils, fdisk, p7zip-full)\n", missing);
		return -1;
	}
	tmp = tu_tmpdir();
	sample = path("sample");
	volume = path("vol.raw");
	disk = path("disk.raw");
	if (sh("\"$8\" \"$7\" >/dev/null") ||
	    sh("truncate -s 64M \"$1/vol.raw\" && \"$5\" -F -q -Q -s 512 -c 4096 -L WS01 "
	       "\"$1/vol.raw\" >/dev/null 2>&1 && \"$6\" \"$1/vol.raw\" \"$7/WS01/C\"") ||
	    sh("truncate -s 66M \"$1/disk.raw\" && printf 'label: dos\\nstart=2048, size=131072, "
	       "type=7\\n' | \"$4\" -q \"$1/disk.raw\" && dd if=\"$1/vol.raw\" "
	       "of=\"$1/disk.raw\" bs=1M seek=1 conv=notrunc status=none") ||
	    folder_outputs())
		return 1;
	return 0;
}

int main(void)
{
	Suite *s = suite_create("images");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed, r = setup();

	if (r < 0)
		return RT_TEST_SKIP;
	if (r > 0) {
		tu_rmtree(tmp);
		return EXIT_FAILURE;
	}
	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, image_reads_like_its_folder, 0,
			    (int)(sizeof(formats) / sizeof(formats[0])));
	tcase_add_loop_test(tc, archive_reads_like_its_folder, 0,
			    (int)(sizeof(archives) / sizeof(archives[0])));
	tcase_add_test(tc, unreadable_archives_named);
	tcase_add_test(tc, report_cites_image_and_origin);
	tcase_add_test(tc, sparse_compressed_streams_and_case);
	tcase_add_test(tc, damaged_images_named_rest_analysed);
	tcase_add_test(tc, bitlocker_named);
	tcase_add_test(tc, ex01_written_or_named);
	tcase_add_test(tc, corpus_shadow_copies_listed);
	tcase_add_test(tc, corpus_images_listed);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	tu_rmtree(tmp);
	for (r = 0; r < (int)NCOMMANDS; r++)
		free(folder_out[r]);
	free(tmp);
	free(sample);
	free(volume);
	free(disk);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
