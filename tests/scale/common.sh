# Shared by the scheduler tests (sourced): the programs under test, a
# scratch folder removed on exit, the case built at test time (casegen.h)
# and the single-process result every recipe must reproduce.
#
# Sets: remtrail (absolute), fixtures, contrib, T (scratch), PATH (with a
# folder holding only 'remtrail', as an analyst's PATH would).
set -eu
remtrail=${RT_REMTRAIL:-$(pwd)/remtrail}
fixtures=$(cd "$(dirname "$remtrail")/tests/fixtures" && pwd)
contrib=$(cd "${srcdir:-.}/contrib" && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/remtrail-scale-XXXXXX")
cleanup_more=:
trap 'eval "$cleanup_more"; rm -rf "$T"' EXIT
trap 'exit 1' INT TERM HUP
mkdir "$T/bin"
ln -s "$remtrail" "$T/bin/remtrail"
PATH=$T/bin:$PATH
export PATH

skip() {
	echo "SKIP: $*"
	exit 77
}

fail() {
	echo "FAIL: $*"
	exit 1
}

# The case (6 hosts, pairs across them) and its single-process result.
make_case() {
	"$fixtures/mkcase" "$T/case" 4
	remtrail analyze "$T/case" -o "$T/whole" 2>"$T/whole.log" ||
		fail "analyze of the whole case: $(cat "$T/whole.log")"
	remtrail hosts "$T/case" >"$T/case.manifest" 2>/dev/null
}

# The merged result in $1 equals the single-process one.
same_as_whole() {
	"$fixtures/samecase" "$T/whole" "$1" || fail "the merged case in $1 is not the single-process one"
}
