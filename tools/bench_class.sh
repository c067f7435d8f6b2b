#!/usr/bin/env bash
# bench_class.sh - the speed of grader class (called by tools/bench.sh;
# alone: tools/bench_class.sh [N])
#
#   class   a generated class of N students (BENCH_CLASS_N, default 300:
#           tests/class/gen_class.sh, references, alternatives, mutants and
#           hostile submissions in turn, and the ungradable ones) graded
#           with -j 2: the total time, submissions per minute, and that
#           time against the sum of each submission's own `grader test`
#           divided by the cores (each kind timed once alone); target
#           <= 1.1 x
#   rerun   the same command, nothing changed; target < 2 s
#   slurm   the same class through a single-node Slurm cluster
#           (tests/class/slurm.sh, one -j 1 task per 10 students, as many
#           tasks at once as cores): the time it adds over -j 2
set -u
cd "$(dirname "$0")/.."
GRADER=${GRADER_BIN:-bin/grader}
N=${1:-${BENCH_CLASS_N:-300}}
W=${BENCH_CLASS_DIR:-build/bench-class}
JOBS=2
now() { echo "${EPOCHREALTIME/[,.]/}"; }
secs() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1e6 }'; }

[ -x "$GRADER" ] || { echo "bench_class: no $GRADER (run make bin/grader)" >&2; exit 2; }
rm -rf "$W"
mkdir -p "$W"
extra=$((N > 13 ? N - 13 : 0))
tests/class/gen_class.sh "$W/in" "$extra"
students=$(( 13 + extra ))
echo "grader class: $students students (13 of every layout, $extra more), -j $JOBS"

# each kind of submission alone, once: what the class's grades cost
declare -A one
for f in $(ls "$W/in/cls"/s*.c | head -14) "$W/in/cls/alice/hypervisor_sim.c" \
	 "$W/in/cls/carol.c" "$W/in/cls/dan.c" "$W/in/cls/frank.c" \
	 "$W/in/cls/Jean Dupont_4242_assignsubmission_file_/westworld/hypervisor_sim.c" \
	 "$W/in/cls/Zoe Martin_4243_assignsubmission_file_/tp.c" \
	 "$W/in/cls/bob/hypervisor_sim.c" "$W/in/gs/submission_101/hypervisor_sim.c" \
	 "$W/in/gs/submission_102/hypervisor_sim.c"; do
	k=$(grep -v '^/\* student [0-9]* \*/$' "$f" | md5sum | cut -c1-32)
	[ -n "${one[$k]:-}" ] && continue
	t0=$(now)
	"$GRADER" test -s spec.json -f "$f" >/dev/null 2>&1
	one[$k]=$(( $(now) - t0 ))
done
sum=0
while IFS= read -r -d '' f; do
	k=$(grep -v '^/\* student [0-9]* \*/$' "$f" | md5sum | cut -c1-32)
	sum=$(( sum + ${one[$k]:-0} ))
done < <(jq -j '.students[] | select(.problem == null) | .source + "\u0000"' \
	"$( "$GRADER" class -s spec.json "$W/in/cls" "$W/in/gs" -o "$W/plan" --plan >/dev/null 2>&1; echo "$W/plan/plan.json")")

t0=$(now)
"$GRADER" class -s spec.json "$W/in/cls" "$W/in/gs" -o "$W/out" -j $JOBS >"$W/class.out" 2>"$W/class.err"
total=$(( $(now) - t0 ))
graded=$(grep -o '[0-9]* graded' "$W/class.out" | head -1 | cut -d' ' -f1)
ideal=$(( sum / JOBS ))
printf '  %-50s %8s s   (%s graded, %s)\n' "class, -j $JOBS" "$(secs $total)" "$graded" \
	"$(awk -v n="$graded" -v t="$total" 'BEGIN { printf "%.1f submissions/min", n * 60e6 / t }')"
printf '  %-50s %8s s   (the %s grades alone, each timed once per kind)\n' \
	"sum of single grader test / $JOBS cores" "$(secs $ideal)" "$graded"
r=$(awk -v a="$total" -v b="$ideal" 'BEGIN { printf "%.2f", a / b }')
printf '  %-50s %8s x   target <= 1.1 x: %s; overhead %s ms per submission\n' "class / (sum / cores)" "$r" \
	"$(awk -v r="$r" 'BEGIN { print r <= 1.1 ? "met" : "MISSED" }')" \
	"$(awk -v a="$total" -v b="$ideal" -v n="$graded" 'BEGIN { printf "%.0f", (a - b) / n / 1000 }')"

t0=$(now)
"$GRADER" class -s spec.json "$W/in/cls" "$W/in/gs" -o "$W/out" -j $JOBS >"$W/rerun.out" 2>&1
rerun=$(( $(now) - t0 ))
printf '  %-50s %8s s   target < 2 s: %s (%s)\n' "rerun, nothing changed" "$(secs $rerun)" \
	"$(awk -v t="$rerun" 'BEGIN { print t < 2e6 ? "met" : "MISSED" }')" \
	"$(grep -o '([0-9]* now, [0-9]* from the cache)' "$W/rerun.out")"

SLURM_CHUNK=10 tests/class/slurm.sh "$W/in" "$W/slurm" "$W/out/gradebook.csv" >"$W/slurm.log" 2>&1
if grep -q 'SKIP' "$W/slurm.log"; then
	printf '  %-50s %s\n' "through Slurm" "$(grep SKIP "$W/slurm.log" | sed 's/^ *//')"
else
	ms=$(sed -n 's/.*exit 0 in \([0-9]*\) ms.*/\1/p' "$W/slurm.log")
	same=$(grep -c 'equals the local one' "$W/slurm.log")
	printf '  %-50s %8s s   (%s s over -j %s; gradebook %s)\n' "through Slurm, tasks of 10, -j 1 each" \
		"$(secs $((ms * 1000)))" "$(secs $((ms * 1000 - total)))" $JOBS \
		"$([ "$same" = 1 ] && echo identical || echo DIFFERENT)"
fi
