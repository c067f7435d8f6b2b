#!/usr/bin/env bash
# build.sh - grade submissions that attack the compiler, not the tests, and
# check that the build holds: the right verdict, a message that names what
# happened, bounded time, no process left behind, nothing of a file outside
# the jail in the report
#
# Usage: tests/hostile/build.sh [-v] [MODE...]
#   MODE   bwrap    the build jail of bubblewrap (when it works here)
#          nobwrap  bubblewrap not installed (a PATH without it): Landlock
#          (default: both)
#   -v     print every case's message, not only the failures'
# Environment: GRADER_BIN (default bin/grader), HOSTILE_JOBS (parallel
# grades, default the number of CPUs, at most 4), HOSTILE_ONLY (a regular
# expression on the case names).
#
# Every case grades test_kvm_open of one submission (--only), in a TMPDIR of
# its own; the time each took is printed, whatever happened.  The file
# inputs (a FIFO, a file with a NUL byte, a 100 MB source, a symbolic
# link, a name with spaces, a newline and shell metacharacters, headers
# that include themselves) are made here, at test time; the attacks in the
# source are tests/hostile/build.c (HOSTILE_CASE).  A compiler that spins
# or sleeps (GRADER_CC, a script) checks the CPU and wall-clock limits.
set -u
cd "$(dirname "$0")/../.."
REPO=$PWD
GRADER=${GRADER_BIN:-bin/grader}
VERBOSE=0
MODES=()
for a in "$@"; do
	case $a in
	-v) VERBOSE=1 ;;
	bwrap|nobwrap) MODES+=("$a") ;;
	*) echo "usage: tests/hostile/build.sh [-v] [bwrap|nobwrap]..." >&2; exit 2 ;;
	esac
done
[ ${#MODES[@]} -gt 0 ] || MODES=(bwrap nobwrap)
command -v jq >/dev/null || { echo "build.sh: jq is needed" >&2; exit 2; }
[ -x "$GRADER" ] || { echo "build.sh: no $GRADER (make bin/grader)" >&2; exit 2; }
JOBS=${HOSTILE_JOBS:-$(nproc 2>/dev/null || echo 2)}
[ "$JOBS" -gt 4 ] && JOBS=4
[ "$JOBS" -lt 1 ] && JOBS=1
CASE_LIMIT=90    # above the build's wall clock (60 s)
TEST=test_kvm_open
OUTSIDE="outside what a submission may use"
# What must never reach a report: the first line of /etc/passwd, the
# machine's name (/etc/hostname) when it is long enough not to be a word of
# the report, a line of the reference only it has.
SECRETS=("$(head -n 1 /etc/passwd)" "reference simulator: KVM, vCPU, EPT, 16550 UART")
HOST=$(head -n 1 /etc/hostname 2>/dev/null)
[ ${#HOST} -ge 8 ] && SECRETS+=("$HOST")
PWNED=westworld-hostile-pwned

# name | input | status | message part | status without bwrap (= same) |
# message part without bwrap (= same)
CASES=$(cat <<EOF
slow_compiler|cc sleep|not_run|the compiler did not finish within 60 s (wall clock)|=|=
dev_zero|case 1|not_run|names '/dev/zero' (#include, .incbin or #pragma GCC dependency): $OUTSIDE|=|=
include_passwd|case 2|not_run|names '/etc/passwd' (#include|=|=
incbin_hostname|case 3|not_run|names '/etc/hostname' (#include, .incbin|=|=
pragma_dependency|case 4|not_run|names '/etc/passwd'|=|=
has_include|case 5|pass||not_run|names '/etc/passwd'
macro_bomb|case 6|not_run|the compiler ran out of|=|=
include_relative|case 7|not_run|names '../../../../../../../../etc/passwd'|=|=
incbin_reference|case 8|not_run|/references/ref_solution.c' (#include, .incbin or #pragma GCC dependency): $OUTSIDE|=|=
huge_object|case 9|not_run|the compiler wrote more than the 64 MiB a build may write|=|=
include_tree|header tree|not_run|the compiler ran out of memory (512 MiB)|=|=
spinning_compiler|cc spin|not_run|the compiler ran out of time (10 s of CPU): a preprocessor loop|=|=
header_includes_itself|header self|not_run|#include nested depth 200 exceeds maximum|=|=
header_includes_submission|header submission|not_run|#include nested depth 200 exceeds maximum|=|=
fifo|fifo|not_run|is a FIFO (a named pipe), not a regular file|=|=
device|device|not_run|'/dev/zero' is a character device, not a regular file|=|=
nul_bytes|nul|not_run|contains a NUL byte (at offset|=|=
huge_100mb|huge|not_run|is 104857600 bytes, more than the 1048576 a source may have here|=|=
symlink_outside|symlink|not_run|is a symbolic link (to '$REPO/references/ref_solution.c')|=|=
weird_name|weird|pass||=|=
EOF
)
if [ -n "${HOSTILE_ONLY:-}" ]; then
	CASES=$(printf '%s\n' "$CASES" | grep -E "^(${HOSTILE_ONLY})\|" || true)
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/westworld-hostile-build.XXXXXX") || exit 2
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/results"

# The submission of a case in $dir/src; prints the grader's arguments after
# -f's, one per line.
make_input() {
	local dir=$1 input=$2 src
	mkdir -p "$dir/src"
	case $input in
	case\ *)
		src=$dir/src/build.c
		sed -e "s|^#define HOSTILE_CASE .*|#define HOSTILE_CASE ${input#case }|" \
		    -e "s|^#define HOSTILE_REPO .*|#define HOSTILE_REPO \"$REPO\"|" \
		    tests/hostile/build.c >"$src"
		printf '%s\n' "$src" ;;
	header\ *)
		src=$dir/src/hypervisor_sim.c
		cp references/ref_solution.c "$src"
		if [ "$input" = "header self" ]; then
			echo '#include "hypervisor_sim.h"' >"$dir/src/hypervisor_sim.h"
		elif [ "$input" = "header tree" ]; then
			# includes itself twice per level, 40 levels: 2^40
			# inclusions in constant memory, CPU time without end
			printf '%s\n' '#if __INCLUDE_LEVEL__ < 40' '#include "hypervisor_sim.h"' \
				'#include "hypervisor_sim.h"' '#endif' >"$dir/src/hypervisor_sim.h"
		else
			echo '#include "../src/hypervisor_sim.c"' >"$dir/src/hypervisor_sim.h"
		fi
		cat include/hypervisor_sim.h >>"$dir/src/hypervisor_sim.h"
		printf '%s\n' "$src" -H "$dir/src/hypervisor_sim.h" ;;
	cc\ *)
		# a compiler (GRADER_CC) that spins or sleeps: the limits on
		# CPU time and on the wall clock, which no source reaches
		# before the memory limit
		mkdir -p "$dir/cc"
		if [ "$input" = "cc spin" ]; then
			printf '#!/bin/sh\nwhile :; do :; done\n' >"$dir/cc/cc"
		else
			printf '#!/bin/sh\nexec sleep 600\n' >"$dir/cc/cc"
		fi
		chmod +x "$dir/cc/cc"
		cp references/ref_solution.c "$dir/src/hypervisor_sim.c"
		printf '%s\n' "$dir/src/hypervisor_sim.c" ;;
	fifo)
		mkfifo "$dir/src/fifo.c"
		printf '%s\n' "$dir/src/fifo.c" ;;
	device)
		printf '%s\n' /dev/zero ;;
	nul)
		{ cat references/ref_solution.c; printf 'int after_nul;\0\n'; } >"$dir/src/nul.c"
		printf '%s\n' "$dir/src/nul.c" ;;
	huge)
		# 100 MB: a valid C comment, made here, never committed
		{ printf '/*'; head -c 104857596 /dev/zero | tr '\0' ' '; printf '*/'; } \
			>"$dir/src/huge.c"
		printf '%s\n' "$dir/src/huge.c" ;;
	symlink)
		ln -s "$REPO/references/ref_solution.c" "$dir/src/link.c"
		printf '%s\n' "$dir/src/link.c" ;;
	weird)
		src="$dir/src/we ird \$(touch $PWNED) \`touch $PWNED\`;"$'\n'"'\"|&<>*?.c"
		cp references/ref_solution.c "$src"
		printf '%s\0' "$src" >"$dir/weird-name"
		echo "@weird" ;;
	esac
}

# One case in one mode; writes "PASS|FAIL name mode status seconds message
# problems" to $WORK/results/<mode>.<name>.
run_case() {
	local mode=$1 name=$2 input=$3 want_status=$4 want_msg=$5
	local dir=$WORK/$mode.$name start end secs status msg problems="" rc s
	local env=() args=()

	mkdir -p "$dir/tmp"
	mapfile -t args < <(make_input "$dir" "$input")
	if [ "${args[0]}" = "@weird" ]; then
		IFS= read -r -d '' s <"$dir/weird-name"
		args=("$s")
	fi
	[ "$mode" = nobwrap ] && env=(PATH="$NOBWRAP_PATH")
	case $input in cc\ *) env+=(GRADER_CC="$dir/cc/cc") ;; esac
	start=$(date +%s.%N)
	env "${env[@]}" TMPDIR="$dir/tmp" NO_COLOR=1 timeout -k 5 $CASE_LIMIT \
		"$GRADER" test -s spec.json -f "${args[@]}" --only $TEST --json \
		>"$dir/out.json" 2>"$dir/err.txt"
	rc=$?
	end=$(date +%s.%N)
	secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
	status=$(jq -r --arg t $TEST '[.tests[]] | map(select(.name == $t))[0].status' \
		 "$dir/out.json" 2>/dev/null)
	msg=$(jq -r '.compile.message' "$dir/out.json" 2>/dev/null | tr '\n|' '  ')
	[ -n "$status" ] || { status="(no report)"; msg=$(head -c 300 "$dir/err.txt" | tr '\n|' '  '); }
	{ [ $rc -eq 124 ] || [ $rc -eq 137 ]; } &&
		problems+=" the grader itself hung (killed after ${CASE_LIMIT} s);"
	[ $rc -eq 1 ] || problems+=" exit status $rc, expected 1;"
	[ "$status" = "$want_status" ] || problems+=" status '$status', expected '$want_status';"
	case $msg in
	*"$want_msg"*) ;;
	*) problems+=" message without '$want_msg';" ;;
	esac
	for s in "${SECRETS[@]}"; do
		[ -n "$s" ] && grep -qF -- "$s" "$dir/out.json" "$dir/err.txt" &&
			problems+=" the report shows '$s', read from outside;"
	done
	for s in "$REPO/$PWNED" "$dir/src/$PWNED" "$dir/tmp/$PWNED"; do
		[ -e "$s" ] && { problems+=" a shell ran the file name ($s);"; rm -f "$s"; }
	done
	sleep 0.2
	if pgrep -f "$dir/tmp" >/dev/null; then
		problems+=" processes left behind: $(pgrep -f "$dir/tmp" | tr '\n|' '  ');"
		pkill -KILL -f "$dir/tmp"
	fi
	[ -z "$(ls -A "$dir/tmp")" ] || problems+=" scratch left in $dir/tmp;"
	rm -rf "$dir/src"    # the 100 MB file goes at once
	printf '%s|%s|%s|%s|%s|%s|%s\n' "$([ -z "$problems" ] && echo PASS || echo FAIL)" \
		"$name" "$mode" "$status" "$secs" "$msg" "$problems" >"$WORK/results/$mode.$name"
}

# A machine without bubblewrap: the same programs, bwrap excepted.
NOBWRAP_PATH=$WORK/path-without-bwrap
if [[ " ${MODES[*]} " == *" nobwrap "* ]]; then
	mkdir -p "$NOBWRAP_PATH"
	IFS=: read -ra path_dirs <<<"$PATH"
	for d in "${path_dirs[@]}"; do
		[ -d "$d" ] || continue
		find "$d" -maxdepth 1 -mindepth 1 ! -name bwrap -print0 2>/dev/null |
			xargs -0 -r ln -s -t "$NOBWRAP_PATH" 2>/dev/null
	done
	rm -f "$NOBWRAP_PATH/bwrap"
fi
t0=$(date +%s)
running=0
order=()
for mode in "${MODES[@]}"; do
	while IFS='|' read -r name input status msg status2 msg2; do
		[ -n "$name" ] || continue
		if [ "$mode" = nobwrap ]; then
			# Landlock denies what bubblewrap hides: a probe of an
			# outside path is an error there, not an answer
			[ "$status2" = "=" ] || status=$status2
			[ "$msg2" = "=" ] || msg=$msg2
		fi
		order+=("$mode.$name")
		run_case "$mode" "$name" "$input" "$status" "$msg" &
		# a sleeping compiler uses no CPU: it does not take a slot
		[ "$input" = "cc sleep" ] && continue
		running=$((running + 1))
		if [ $running -ge "$JOBS" ]; then
			wait -n
			running=$((running - 1))
		fi
	done <<<"$CASES"
done
wait

pass=0 fail=0
printf '  %-28s %-8s %-8s %6s  %s\n' case mode verdict time message
for key in "${order[@]}"; do
	IFS='|' read -r res name mode status secs msg problems <"$WORK/results/$key"
	if [ "$res" = PASS ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
	fi
	[ $VERBOSE = 1 ] || [ "$res" = FAIL ] || msg=""
	printf '%s %-28s %-8s %-8s %5ss  %s\n' "$([ "$res" = PASS ] && echo ' ' || echo '!')" \
		"$name" "$mode" "$status" "$secs" "${msg:0:150}"
	[ -z "$problems" ] || printf '    problems:%s\n' "$problems"
done
echo "hostile build: $pass passed, $fail failed ($(( $(date +%s) - t0 )) s, ${MODES[*]})"
[ $fail -eq 0 ]
