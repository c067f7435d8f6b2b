# tests/lib.sh - what the shell suites of the grader share: sourced by
# tests/class/run.sh, tests/pack/run.sh and tests/mutate/run.sh
#
# Sourcing it moves to the repository's root, sets GRADER (GRADER_BIN, else
# bin/grader) and NO_COLOR, empties the suite's output folder $OUT (set it
# first), starts the counters and removes every tmpdir at exit.  The checks
# print one line each ("  ok    what", "  FAIL  what" and why, indented,
# "  SKIP  what"); suite_end prints the counts and fails when a check did.
# tests/hostile/run.sh shares none of it: it counts cases, not checks, and
# prints a table of its own.
#
#   SUITE=pack-test                     the prefix of its tmpdirs
#   OUT=${PACK_TEST_OUT:-build/pack-test}
#   . "$(dirname "$0")/../lib.sh"

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2

GRADER=${GRADER_BIN:-bin/grader}
export NO_COLOR=1
passed=0 failed=0 skipped=0
TMPS=()
trap 'rm -rf "${TMPS[@]}"' EXIT

rm -rf "$OUT"
mkdir -p "$OUT"

ok()   { passed=$((passed + 1)); printf '  ok    %s\n' "$1"; }
skip() { skipped=$((skipped + 1)); printf '  SKIP  %s\n' "$1"; }
bad()  {
	failed=$((failed + 1))
	printf '  FAIL  %s\n' "$1"
	shift
	[ $# -gt 0 ] && printf '%s\n' "$@" | head -40 | sed 's/^/        /'
	return 0
}
# expect NAME COMMAND...: the command succeeds
expect() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then ok "$name"; else bad "$name" "$out"; fi
}
# contains NAME FILE TEXT: FILE contains TEXT (fixed string)
contains() {
	if grep -qF -- "$3" "$2"; then ok "$1"; else bad "$1" "'$3' not in $2:" "$(head -c 3000 "$2")"; fi
}
# jqtrue NAME FILE FILTER: the jq filter is true of FILE
jqtrue() {
	if [ "$(jq -r "$3" "$2" 2>&1)" = true ]; then ok "$1"
	else bad "$1" "jq '$3' $2 is not true" "$(jq -c "$3" "$2" 2>&1 | head -c 2000)"; fi
}
# status_is NAME WANT GOT FILE: an exit status, FILE shown when it is not
status_is() {
	if [ "$3" -eq "$2" ]; then ok "$1"; else bad "$1 (exit $3, want $2)" "$(head -c 3000 "$4")"; fi
}
# tmpdir: a new folder, removed at exit
tmpdir() { local d; d=$(mktemp -d "${TMPDIR:-/tmp}/$SUITE.XXXXXX"); TMPS+=("$d"); echo "$d"; }

# suite_end LABEL: "LABEL: N passed, N failed, N skipped"; false if any failed
suite_end() {
	echo "$1: $passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ]
}
