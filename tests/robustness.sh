#!/bin/sh
# Robustness run: damaged copies of the project's own logs and hives
# (tests/fixtures/mutate: bit flips, cut files, size fields and counts
# edited with the checksums made right, chunks duplicated and swapped, hive
# cells pointing elsewhere) go through every command, each under a time
# and memory limit. A command may refuse them (exit 1 or 3), but never
# crash, hang, exceed the limits, report a sanitizer error or a leak, or
# exit otherwise. Each failure keeps its reproducer: the mutant, the
# command and its stderr, under BUILD/robustness-failures/.
#
#   tests/robustness.sh BUILD [MUTANTS]
#
# BUILD is a configured build directory (scripts/test.sh uses the
# ASan+UBSan one); MUTANTS defaults to 200. Mutants go in batches of ten
# collections, one command run per batch; a batch that fails is run again
# collection by collection to find the mutants at fault.
set -eu
COMMANDS="events|events --reader libevtx|events --recovered|timeline|assess --format text|config|analyze -o OUT --force"
BATCH=10

# once BUILD DIR CMD STDERR: run `remtrail CMD DIR`; its exit status in rc.
once() {
	set +e
	# shellcheck disable=SC2086
	timeout -k 5 "$LIMIT_S" "$1/remtrail" $cmd "$2" >/dev/null 2>"$4"
	rc=$?
	set -e
	rm -rf "$2.out"
}

# run BUILD DIR CMD STDERR: what is wrong with `remtrail CMD DIR`, or "".
# Allocation stacks are cut short at libevtx (no frame pointers), so a run
# that reports only leaks is run again with the slow unwinder (20 times
# slower, hence not always), whose full stacks tests/lsan.supp can match.
run() {
	cmd=$(echo "$3" | sed "s|OUT|$2.out|")
	once "$@"
	if grep -q 'ERROR: LeakSanitizer' "$4" &&
		! grep -q -e 'ERROR: AddressSanitizer' -e 'runtime error:' "$4"; then
		fast=$ASAN_OPTIONS
		ASAN_OPTIONS=$fast:fast_unwind_on_malloc=0
		once "$@"
		ASAN_OPTIONS=$fast
	fi
	bad=
	case $rc in
	0|1|3) ;;
	124|137) bad="timed out after ${LIMIT_S}s" ;;
	*) bad="exit $rc" ;;
	esac
	if grep -q -i -e 'ERROR: AddressSanitizer' -e 'ERROR: LeakSanitizer' -e 'runtime error:' \
		-e 'rss limit' "$4"; then
		bad="${bad:+$bad, }sanitizer report"
	fi
	echo "$bad"
}

if [ "${1:-}" = --batch ]; then
	build=$2 work=$3 b=$4
	. "$work/seeds.sh"
	dir=$work/b$b
	n=$((b * BATCH))
	while [ $n -lt $(((b + 1) * BATCH)) ]; do
		i=$((n % nseeds))
		eval "seed=\$seed_$i role=\$role_$i"
		host=$dir/H$n/C/Windows/System32
		mkdir -p "$host/config" "$host/winevt/Logs"
		cp "$work/SYSTEM" "$work/SOFTWARE" "$host/config/"
		cp "$work/Security.evtx" "$host/winevt/Logs/"
		"$build/tests/fixtures/mutate" "$seed" "$host/$role" "$n" >"$dir/H$n.what"
		n=$((n + 1))
	done
	echo "$COMMANDS" | tr '|' '\n' | while read -r cmd; do
		[ -z "$(run "$build" "$dir" "$cmd" "$dir/stderr")" ] && continue
		for h in "$dir"/H*/; do
			h=${h%/}
			bad=$(run "$build" "$h" "$cmd" "$h.stderr")
			[ -z "$bad" ] && continue
			m=$(basename "$h")
			keep=$build/robustness-failures/$m-$(echo "$cmd" | cut -d' ' -f1-3 | tr ' ' '_')
			mkdir -p "$keep"
			cp -r "$h" "$keep/HOST"
			cp "$h.stderr" "$keep/stderr"
			printf '%s: %s\nremtrail %s HOST\n%s\n' "$m" "$(cat "$h.what")" "$cmd" "$bad" \
				>"$keep/README"
			echo "robustness: FAIL $m: remtrail $cmd: $bad ($(cat "$h.what"))" >&2
		done
	done
	rm -rf "$dir"
	exit 0
fi

build=$(cd "${1:?usage: tests/robustness.sh BUILD [MUTANTS]}" && pwd)
mutants=${2:-200}
top=$(cd "$(dirname "$0")/.." && pwd)
sample=$top/testdata/sample/WS01/C/Windows/System32
jobs=$(nproc 2>/dev/null || echo 2)
work=$(mktemp -d "${TMPDIR:-/tmp}/remtrail-robust-XXXXXX")
trap 'rm -rf "$work"' EXIT

(cd "$build" && make -s tests/fixtures/mutate tests/fixtures/mkevtx remtrail) >/dev/null
rm -rf "$build/robustness-failures"

# Seeds: the sample's hives and logs, and a log of several chunks (so that
# chunks can be duplicated and swapped).
cp "$sample/config/SYSTEM" "$sample/config/SOFTWARE" "$sample/winevt/Logs/Security.evtx" "$work/"
i=0
while [ $i -lt 600 ]; do
	printf '2024-03-12T09:%02d:%02dZ|Security|Microsoft-Windows-Security-Auditing|4624|WS01|LogonType=3|IpAddress=10.0.5.%d|TargetUserName=user%d\n' \
		$((i / 60 % 60)) $((i % 60)) $((i % 250)) $i
	i=$((i + 1))
done | "$build/tests/fixtures/mkevtx" -t -f "$work/Big.evtx"
n=0
for s in "Security.evtx" "Big.evtx" "System.evtx" "Microsoft-Windows-WinRM%4Operational.evtx" \
	"SYSTEM" "SOFTWARE"; do
	case $s in
	*.evtx) role=winevt/Logs/$s ;;
	*) role=config/$s ;;
	esac
	src=$sample/$role
	[ -f "$src" ] || src=$work/$s
	echo "seed_$n='$src' role_$n='$role'"
	n=$((n + 1))
done >"$work/seeds.sh"
echo "nseeds=$n" >>"$work/seeds.sh"

# Limits: ASan cannot run under an address-space limit (it reserves
# terabytes), so it gets its own: no allocation over 1 GiB, no more than
# 2 GiB resident; leaks are reported, except libevtx's own (tests/lsan.supp).
if ldd "$build/remtrail" 2>/dev/null | grep -q libasan; then
	ASAN_OPTIONS=detect_leaks=1:max_allocation_size_mb=1024:allocator_may_return_null=0:hard_rss_limit_mb=2048:halt_on_error=1
	LSAN_OPTIONS=suppressions=$top/tests/lsan.supp:print_suppressions=0
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	export ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS
else
	ulimit -v 2097152
fi
LIMIT_S=${RT_ROBUST_SECONDS:-60}
export LIMIT_S

batches=$(((mutants + BATCH - 1) / BATCH))
echo "robustness: $((batches * BATCH)) mutants, every command, in batches of $BATCH, $jobs at a time"
start=$(date +%s)
seq 0 $((batches - 1)) | xargs -P "$jobs" -I{} "$0" --batch "$build" "$work" {}
nfail=$(find "$build/robustness-failures" -name README 2>/dev/null | wc -l)
echo "robustness: $nfail failures in $(($(date +%s) - start)) s"
[ "$nfail" -eq 0 ] || { echo "reproducers: $build/robustness-failures/"; exit 1; }
