#!/usr/bin/env bash
# bench_mutate.sh - the speed of grader mutate (make bench, make mutate-bench):
# printed, not a timed test
#
#   mutate  the reference's whole generated set (bin/grader mutate -j
#           cores, references/ref_solution.c): mutants per second over the
#           mutants graded or set apart, the wall time per mutant, the CPU
#           time per mutant (user + system of every process, what the load
#           of other jobs on the machine does not inflate), and the share
#           that needed a run under valgrind; target >= 5 mutants/s (issue 11)
#
# Environment: BENCH_MUTATE_REF (default references/ref_solution.c),
# BENCH_MUTATE_FUNCTION=NAME to measure one function's mutants only.
set -u
cd "$(dirname "$0")/.."

GRADER=${GRADER_BIN:-bin/grader}
SPEC=spec.json
REF=${BENCH_MUTATE_REF:-references/ref_solution.c}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bench-mutate.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

if [ ! -x "$GRADER" ]; then
	echo "bench: no $GRADER (run make bin/grader)" >&2
	exit 2
fi
cores=$(nproc 2>/dev/null || echo 1)
args=(mutate -r "$REF" -s "$SPEC" -j "$cores" --json)
[ -n "${BENCH_MUTATE_FUNCTION:-}" ] && args+=(--function "$BENCH_MUTATE_FUNCTION")
echo "bench: grader mutate on $REF, $cores cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/env time -f '%e %U %S' -o "$TMP/time" "$GRADER" "${args[@]}" \
	>"$TMP/mutate.json" 2>"$TMP/mutate.err"
st=$?
if [ $st -ne 0 ] || ! jq -e .counts "$TMP/mutate.json" >/dev/null 2>&1; then
	echo "bench: grader mutate exited $st: no figures" >&2
	head -20 "$TMP/mutate.err" >&2
	exit 1
fi
read -r wall user sys <"$TMP/time"
jq -r --arg wall "$wall" --arg user "$user" --arg sys "$sys" '
	.counts as $c
	| ($wall | tonumber) as $w | (($user | tonumber) + ($sys | tonumber)) as $cpu
	| "  \($c.selected) mutants (\($c.generated) generated): \($c.killed) killed, \($c.survived) survived, \($c.not_compiling) not compiling, \($c.equivalent) equivalent, \($c.duplicate) duplicate, \($c.reviewed_equivalent) reviewed equivalent",
	  "  wall \($w) s: \(($c.selected / $w * 100 | floor) / 100) mutants/s, \(($w / $c.selected * 1000) | floor) ms per mutant   target >= 5 mutants/s: \(if $c.selected / $w >= 5 then "met" else "MISSED" end)",
	  "  CPU \($cpu * 100 | floor / 100) s: \(($cpu / $c.selected * 1000) | floor) ms per mutant (every core; \($c.selected / $cpu * 100 | floor / 100) mutants per CPU-second)",
	  "  needed valgrind: \($c.valgrind) of \($c.selected) (\(if $c.selected > 0 then ($c.valgrind / $c.selected * 1000 | floor) / 10 else 0 end) %)",
	  "  mutation score \(.score // "none") %"' "$TMP/mutate.json"
