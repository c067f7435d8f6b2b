#!/usr/bin/env bash
# bench.sh - the speed figures of the grader (make bench): printed, not a
# timed test
#
#   T0      start-up of `valgrind /bin/true`, median of 5, measured first,
#           in the same run as everything it is compared with
#   grade   one full grade of the reference (bin/grader test): every test
#           under valgrind, the allocation sweep, 100 fuzz iterations;
#           three runs, each against a T0 measured just before it, the
#           median ratio; target <= 5 x T0 (issue 3)
#   pack    what make validate runs after validate-spec: bin/grader mutants
#           --validate over the whole pack, the full kill matrix; three
#           runs, each against a T0 measured just before it, the median
#           ratio; target <= 25 x T0 (issue 4)
#   naive   the same matrix the naive way: every test (and edge case) of
#           every file in a valgrind'ed process of its own, one after the
#           other (bin/grader test --only NAME: a build and a valgrind per
#           test); target >= 20 x the pack's time (issue 4)
#
# Environment: BENCH_NAIVE_FILES=N measures the naive way on the first N
# files only and extrapolates by the number of tests (default: every file,
# about 3 minutes on 2 cores).
set -u
cd "$(dirname "$0")/.."

GRADER=${GRADER_BIN:-bin/grader}
VG=${VALGRIND:-valgrind}
SPEC=spec.json
REF=references/ref_solution.c
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

now() { echo "${EPOCHREALTIME/[,.]/}"; }     # microseconds
secs() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1e6 }'; }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
# verdict VALUE OP LIMIT: "met" or "MISSED"
verdict() { awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN {
	ok = op == "<=" ? v <= l : v >= l; print ok ? "met" : "MISSED" }'; }
timed() { # timed CMD...: runs it, prints its wall time in us
	local t0 t1
	t0=$(now)
	"$@" >/dev/null 2>&1
	t1=$(now)
	echo $((t1 - t0))
}

if [ ! -x "$GRADER" ]; then
	echo "bench: no $GRADER (run make bin/grader)" >&2
	exit 2
fi
cores=$(nproc 2>/dev/null || echo 1)
echo "bench: $(uname -m), $cores cores, $("$VG" --version 2>/dev/null), load $(cut -d' ' -f1-3 /proc/loadavg)"

# --- T0 ---------------------------------------------------------------------
for _ in 1 2 3 4 5; do timed "$VG" /bin/true; done >"$TMP/t0"
t0=$(median <"$TMP/t0")
printf '  %-50s %7s s   (median of 5: %s)\n' "valgrind /bin/true (T0)" "$(secs "$t0")" \
	"$(sort -n "$TMP/t0" | while read -r x; do printf '%s ' "$(secs "$x")"; done)"

# --- one grade ----------------------------------------------------------------
# three grades, each against a T0 of its own taken just before (as the pack)
: >"$TMP/grades"
for run in 1 2 3; do
	for _ in 1 2 3; do timed "$VG" /bin/true; done >"$TMP/g0.$run"
	t0r=$(median <"$TMP/g0.$run")
	g=$(timed "$GRADER" test -s "$SPEC" -f "$REF")
	echo "$(ratio "$g" "$t0r") $g $t0r" >>"$TMP/grades"
done
grade_ratio=$(cut -d' ' -f1 "$TMP/grades" | median)
grade=$(awk -v r="$grade_ratio" '$1 == r { print $2; exit }' "$TMP/grades")
printf '  %-50s %7s s   %5s x T0   target <= 5 x: %s   (runs: %s)\n' "one full grade of the reference" \
	"$(secs "$grade")" "$grade_ratio" "$(verdict "$grade_ratio" '<=' 5)" \
	"$(while read -r r p t; do printf '%s x; ' "$r"; done <"$TMP/grades")"

# --- the pack -----------------------------------------------------------------
# Three runs, each with a T0 of its own measured just before it (median of
# 3): on a noisy machine a pack run and a T0 taken minutes apart do not see
# the same machine.  The figure is the median of the three ratios.
: >"$TMP/packs"
for run in 1 2 3; do
	for _ in 1 2 3; do timed "$VG" /bin/true; done >"$TMP/t0.$run"
	t0r=$(median <"$TMP/t0.$run")
	t_start=$(now)
	"$GRADER" mutants -r "$REF" -s "$SPEC" --validate --json >"$TMP/pack.json" 2>"$TMP/pack.err"
	pack_status=$?
	p=$(( $(now) - t_start ))
	echo "$(ratio "$p" "$t0r") $p $t0r" >>"$TMP/packs"
	[ $pack_status -eq 0 ] || break
done
pack_ratio=$(cut -d' ' -f1 "$TMP/packs" | median)
pack=$(awk -v r="$pack_ratio" '$1 == r { print $2; exit }' "$TMP/packs")
nfiles=$(jq '.submissions | length' "$TMP/pack.json" 2>/dev/null || echo 0)
printf '  %-50s %7s s   %5s x T0   target <= 25 x: %s   (runs: %s)\n' \
	"grader mutants --validate, whole pack ($nfiles files)" "$(secs "$pack")" \
	"$pack_ratio" "$(verdict "$pack_ratio" '<=' 25)" \
	"$(while read -r r p t; do printf '%s s / T0 %s s = %s x; ' "$(secs "$p")" "$(secs "$t")" "$r"; done <"$TMP/packs")"
if [ $pack_status -ne 0 ]; then
	echo "bench: grader mutants exited $pack_status: the figures above are not a valid pack run" >&2
	cat "$TMP/pack.err" >&2
fi

# --- the naive way ------------------------------------------------------------
# The items each file is graded on in the pack run (its tests, with the
# bonus table when it was graded), plus the driver's edge cases.
jq -r --slurpfile spec "$SPEC" '.submissions[] | .file as $f |
	((.tests | keys_unsorted[]), ($spec[0].driver.edge_cases[].name)) | [$f, .] | @tsv' \
	"$TMP/pack.json" >"$TMP/items"
total_items=$(wc -l <"$TMP/items")
limit=${BENCH_NAIVE_FILES:-0}
if [ "$limit" -gt 0 ] 2>/dev/null; then
	awk -F'\t' -v n="$limit" '!($1 in seen) { seen[$1] = ++k } seen[$1] <= n' \
		"$TMP/items" >"$TMP/naive-items"
else
	cp "$TMP/items" "$TMP/naive-items"
fi
run_items=$(wc -l <"$TMP/naive-items")
echo "  the naive way: $run_items processes (bin/grader test --only NAME), one after the other..."
t_start=$(now)
while IFS=$'\t' read -r file item; do
	"$GRADER" test -s "$SPEC" -f "$file" --only "$item" >/dev/null 2>&1 </dev/null
done <"$TMP/naive-items"
naive_measured=$(( $(now) - t_start ))
naive=$(awk -v m="$naive_measured" -v r="$run_items" -v t="$total_items" \
	'BEGIN { printf "%d", m * t / r }')
if [ "$run_items" -lt "$total_items" ]; then
	how="extrapolated from $run_items of $total_items items ($(secs "$naive_measured") s)"
else
	how="$total_items items, measured"
fi
printf '  %-50s %7s s   %5s x T0   (%s)\n' "naive: a valgrind per test, sequential" \
	"$(secs "$naive")" "$(ratio "$naive" "$t0")" "$how"
printf '  %-50s %7s x          target >= 20 x: %s\n' "naive / grader mutants" \
	"$(ratio "$naive" "$pack")" "$(verdict "$(ratio "$naive" "$pack")" '>=' 20)"
tools/bench_class.sh

# grader mutate: the reference's generated mutants (issue 11)
tools/bench_mutate.sh
