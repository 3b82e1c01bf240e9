#!/bin/sh
# Builds remtrail and runs the whole test suite twice: once as shipped, once
# under AddressSanitizer + UndefinedBehaviorSanitizer, then damaged copies
# of the fixtures through every command under the same (tests/robustness.sh)
# and the corpus tests as on a fresh clone. Runs the threaded
# reader's tests under ThreadSanitizer. Briefly runs the libFuzzer targets
# when clang can build them. Corpus tests run when
# ../shared/corpus exists and skip (saying so) otherwise.
set -eu
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)

[ -x configure ] || autoreconf -fi

echo "== build and test"
mkdir -p build
(cd build && ../configure -q && make -j"$jobs" && make -j"$jobs" check) || {
	tail -100 build/test-suite.log 2>/dev/null; exit 1; }

echo "== build and test under ASan + UBSan"
mkdir -p build-asan
(cd build-asan && ../configure -q --enable-sanitizers && make -j"$jobs" &&
	make -j"$jobs" check) || {
	tail -100 build-asan/test-suite.log 2>/dev/null; exit 1; }

# Damaged copies of the fixtures through every command (about 2 minutes).
echo "== robustness: mutants of the fixtures through every command, under ASan + UBSan"
./tests/robustness.sh build-asan

# A fresh clone has no ../shared: the corpus tests must skip cleanly, and
# under LeakSanitizer too (a few seconds).
echo "== corpus tests without the corpus (as on a fresh clone), under ASan + UBSan"
(cd build-asan && make check-no-corpus) || {
	tail -100 build-asan/test-suite.log 2>/dev/null; exit 1; }

# Hosts analysed side by side (analyze, assess -j) run here too.
# Native reader only: libevtx 20181227 reads a few bytes past its own chunk
# buffer on some logs (valgrind shows it), which TSan's allocator turns into
# a crash inside libevtx.
# Images and archives read by several threads at once (the image libraries
# behind locks, the thread that hashes containers): an NTFS volume holding
# WS01 of the sample and a ZIP of WS02 (a few seconds).
tsan_images() {
	d=$(mktemp -d)
	PATH=$PATH:/usr/sbin:/sbin
	truncate -s 64M "$d/vol.raw" &&
		mkntfs -F -q -Q -s 512 -c 4096 "$d/vol.raw" >/dev/null 2>&1 &&
		./tests/fixtures/mkntfstree "$d/vol.raw" ../testdata/sample/WS01/C &&
		(cd ../testdata/sample && python3 -m zipfile -c "$d/ws02.zip" WS02) &&
		TSAN_OPTIONS=halt_on_error=1 ./remtrail analyze -j4 "$d/vol.raw" "$d/ws02.zip" \
			-o "$d/out" >/dev/null
	r=$?
	rm -rf "$d"
	return $r
}

echo "== threaded reader, images and archives under ThreadSanitizer"
mkdir -p build-tsan
(cd build-tsan && ../configure -q CFLAGS="-O1 -g -fsanitize=thread" LDFLAGS="-fsanitize=thread" &&
	make -j"$jobs" remtrail tests/test_native tests/fixtures/mkntfstree &&
	TSAN_OPTIONS=halt_on_error=1 RT_TEST_NATIVE_ONLY=1 CK_RUN_CASE=threads ./tests/test_native &&
	TSAN_OPTIONS=halt_on_error=1 ./remtrail events --reader native -j4 ../testdata/sample >/dev/null &&
	rm -rf tsan-analyze && TSAN_OPTIONS=halt_on_error=1 ./remtrail analyze --reader native -j4 \
		../testdata/sample -o tsan-analyze 2>/dev/null &&
	TSAN_OPTIONS=halt_on_error=1 ./remtrail assess --reader native -j2 ../testdata/sample >/dev/null &&
	tsan_images) || {
	echo "ThreadSanitizer run failed"; exit 1; }

echo "== make distcheck (the release tarball builds and passes its tests)"
(cd build && make -j"$jobs" distcheck >distcheck.log 2>&1) || {
	tail -60 build/distcheck.log; exit 1; }

if command -v clang >/dev/null 2>&1; then
	echo "== fuzz targets (brief)"
	mkdir -p build-fuzz
	(cd build-fuzz && ../configure -q --enable-fuzzing CC=clang && make -j"$jobs" fuzz-run) || {
		echo "fuzzing failed"; exit 1; }
fi
echo "all tests passed"
