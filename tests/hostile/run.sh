#!/usr/bin/env bash
# run.sh - grade each hostile submission of tests/hostile/ and check that the
# grader survives it: the right verdict, a message that names what happened,
# bounded time, no process left behind, nothing written outside the scratch
# directory
#
# Usage: tests/hostile/run.sh [-v] [MODE...]
#   MODE   bwrap    the grader's default sandbox (bubblewrap when it works)
#          nobwrap  bubblewrap not installed: a PATH where every program
#                   but bwrap is found; rlimits, the filter and the sweep only
#          kill     GRADER_SYSFILTER=kill: the fallback filter (no listener),
#                   for the cases that make a forbidden system call
#          sweep    no bwrap, no filter (GRADER_SYSFILTER=off), no valgrind:
#                   the fork storm succeeds, and the sweep alone must leave
#                   none of its 200 children behind
#          (default: all four)
#   -v     print the message of every case, not only of the failures
# Environment: GRADER_BIN (default bin/grader), HOSTILE_JOBS (parallel
# grades, default the number of CPUs, at most 4), HOSTILE_ONLY (a regular
# expression on the case names).
#
# Each case grades one test (--only) of one submission; the submissions with
# a switch (HOSTILE_CASE) are copied with the switch set.  Every grade gets a
# TMPDIR of its own: its scratch directory, and the processes of its sandbox
# (whose command lines name it), must be gone when the grader returns.
set -u
cd "$(dirname "$0")/../.."
REPO=$PWD
GRADER=${GRADER_BIN:-bin/grader}
VERBOSE=0
MODES=()
for a in "$@"; do
	case $a in
	-v) VERBOSE=1 ;;
	bwrap|nobwrap|kill|sweep) MODES+=("$a") ;;
	*) echo "usage: tests/hostile/run.sh [-v] [bwrap|nobwrap|kill|sweep]..." >&2; exit 2 ;;
	esac
done
[ ${#MODES[@]} -gt 0 ] || MODES=(bwrap nobwrap kill sweep)
command -v jq >/dev/null || { echo "run.sh: jq is needed" >&2; exit 2; }
[ -x "$GRADER" ] || { echo "run.sh: no $GRADER (make bin/grader)" >&2; exit 2; }

JOBS=${HOSTILE_JOBS:-$(nproc 2>/dev/null || echo 2)}
[ "$JOBS" -gt 4 ] && JOBS=4
[ "$JOBS" -lt 1 ] && JOBS=1
# What one grade of one test may take, whatever the machine's load (the
# longest timeout here is test_alloc_failures', 5 s of CPU).
CASE_LIMIT=60
MARKERS=(/tmp/westworld-hostile-marker "$HOME/westworld-hostile-marker"
	 "$REPO/westworld-hostile-marker")
SIGSYS_MSG="killed by the sandbox's system call filter (SIGSYS) in kvm_open()"

# name | file | HOSTILE_CASE (- none) | test | status | message (bwrap and
# nobwrap) | message in kill mode (= the same; empty: not run in that mode)
CASES=$(cat <<EOF
loop_kvm_open|loop|1|test_kvm_open|timeout|timeout after 2000 ms of CPU time in kvm_open()|
loop_kvm_create_vm|loop|2|test_vm_create|timeout|of CPU time in kvm_create_vm(kvm)|
loop_kvm_set_user_memory_region|loop|3|test_memory_region|timeout|of CPU time in kvm_set_user_memory_region(vm, 0, 0, 1 MiB, NULL)|
loop_kvm_create_vcpu|loop|4|test_vcpu_create|timeout|of CPU time in kvm_create_vcpu(vm, 0)|
loop_kvm_run|loop|5|test_io_exit|timeout|of CPU time in kvm_run() expecting KVM_EXIT_IO|
loop_kvm_destroy_vcpu|loop|6|test_vcpu_create|timeout|of CPU time in kvm_destroy_vcpu()|
loop_kvm_destroy_vm|loop|7|test_vm_create|timeout|of CPU time in kvm_destroy_vm()|
loop_kvm_close|loop|8|test_kvm_open|timeout|of CPU time in kvm_close()|
loop_ford_creates_host|loop|9|test_create_0mb|timeout|of CPU time in ford_creates_host(0)|
loop_ford_implants_memories|loop|10|test_implant_bounds|timeout|of CPU time in ford_implants_memories(|
loop_dolores_wakes_up|loop|11|test_hlt_exit|timeout|of CPU time in dolores_wakes_up() on guest {F4} (hlt)|
loop_ford_says_freeze|loop|12|test_serial_output|timeout|of CPU time in dolores_wakes_up() on the "Hi!|
loop_ford_retires_host|loop|13|test_lifecycle_leak|timeout|of CPU time in ford_retires_host()|
loop_ept_create|loop|14|test_alloc_failures|timeout|of CPU time in ford_creates_host(1) (clean run|
loop_serial_create|loop|15|test_alloc_failures|timeout|of CPU time in ford_creates_host(1) (clean run|
sleep_kvm_open|loop|99|test_kvm_open|timeout|of wall clock in kvm_open(), having used|
fork_storm|fork_storm|-|test_kvm_open|fail|forbidden system call fork() (starts a process), made without the C library in kvm_open()|$SIGSYS_MSG
flood|flood|-|test_kvm_open|fail|output flood in kvm_open(): the test printed more than 16777216 bytes, stopped; output capped:|
stack_overflow|stack_overflow|-|test_create_0mb|crash|SIGSEGV in ford_creates_host(0)|
huge_alloc|huge_alloc|-|test_kvm_open|crash|SIGSEGV in kvm_open(): invalid access to 0x0 (a NULL pointer dereferenced)|
raw_exit_group|raw_exit|1|test_implant_bounds|fail|the test process ended with status 0 in the middle of the test, in ford_implants_memories(|
raw_exit|raw_exit|2|test_implant_bounds|fail|the test process ended with status 0 in the middle of the test, in ford_implants_memories(|
forged_pass|forged_pass|-|test_kvm_open|fail|wrote to the harness's record channel something that is not one of its records|
escape_tmp|escape|1|test_kvm_open|fail|openat("/tmp/westworld-hostile-marker") (opens a file)|$SIGSYS_MSG
escape_home|escape|2|test_kvm_open|fail|openat("$HOME/westworld-hostile-marker") (opens a file)|$SIGSYS_MSG
escape_repo|escape|3|test_kvm_open|fail|openat("$REPO/westworld-hostile-marker") (opens a file)|$SIGSYS_MSG
tamper_harness|escape|4|test_kvm_open|fail|openat("obj/harness") (opens a file)|$SIGSYS_MSG
tamper_object|escape|5|test_kvm_open|fail|unlink("obj/sub.o") (removes a file)|$SIGSYS_MSG
tamper_logs|escape|6|test_kvm_open|fail|rename("run") (renames a file)|$SIGSYS_MSG
kill_parent|kill|1|test_kvm_open|fail|(its parent, the harness's supervisor), SIGKILL) (signals another process)|$SIGSYS_MSG
kill_group|kill|2|test_kvm_open|fail|kill(0 (its process group), SIGKILL)|$SIGSYS_MSG
kill_all|kill|3|test_kvm_open|fail|kill(-1 (every process it may signal), 0)|$SIGSYS_MSG
kill_libc|kill|4|test_kvm_open|fail|called kill() at kill_libc.c:|=
exec|syscalls|1|test_kvm_open|fail|("/bin/sh") (|$SIGSYS_MSG
ioctl|syscalls|2|test_kvm_open|fail|ioctl(1, 0x5401) (controls a device)|$SIGSYS_MSG
ptrace|syscalls|3|test_kvm_open|fail|ptrace() (traces a process)|$SIGSYS_MSG
socket|syscalls|4|test_kvm_open|fail|socket(2, 1, 0) (opens a socket)|$SIGSYS_MSG
constructor|constructor|-|test_kvm_open|not_run|a constructor or destructor (its object has a .init_array section)|
interpose|interpose|-|test_kvm_open|not_run|defines poll(), which the grader's harness calls|
EOF
)
if [ -n "${HOSTILE_ONLY:-}" ]; then
	CASES=$(printf '%s\n' "$CASES" | grep -E "^(${HOSTILE_ONLY})\|" || true)
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/westworld-hostile.XXXXXX") || exit 2
trap 'rm -rf "$WORK"' EXIT
for m in "${MARKERS[@]}"; do
	[ -e "$m" ] && { echo "run.sh: removing a stale $m"; rm -f "$m"; }
done

# One case in one mode; writes "PASS|FAIL name mode status seconds message
# [problems]" to $WORK/results/<mode>.<name>.
run_case() {
	local mode=$1 name=$2 file=$3 hcase=$4 test=$5 want_status=$6 want_msg=$7
	local dir=$WORK/$mode.$name src json start end secs status msg problems=""
	local env=() args=() note

	mkdir -p "$dir/tmp" "$dir/src"
	src=$dir/src/$name.c
	sed -e "s|^#define HOSTILE_CASE .*|#define HOSTILE_CASE ${hcase/-/0}|" \
	    -e "s|^#define HOSTILE_HOME .*|#define HOSTILE_HOME \"$HOME\"|" \
	    -e "s|^#define HOSTILE_REPO .*|#define HOSTILE_REPO \"$REPO\"|" \
	    "tests/hostile/$file.c" >"$src"
	case $mode in
	nobwrap) env=(PATH="$NOBWRAP_PATH") ;;
	kill) env=(GRADER_SYSFILTER=kill) ;;
	sweep) env=(GRADER_NO_BWRAP=1 GRADER_SYSFILTER=off); args=(--no-valgrind) ;;
	esac
	start=$(date +%s.%N)
	env "${env[@]}" TMPDIR="$dir/tmp" NO_COLOR=1 timeout -k 5 $CASE_LIMIT \
		"$GRADER" test -s spec.json -f "$src" --only "$test" --json "${args[@]}" \
		>"$dir/out.json" 2>"$dir/err.txt"
	local rc=$?
	end=$(date +%s.%N)
	secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
	status=$(jq -r --arg t "$test" '[.tests[]] | map(select(.name == $t))[0].status' \
		 "$dir/out.json" 2>/dev/null)
	msg=$(jq -r --arg t "$test" '[.tests[]] | map(select(.name == $t))[0].message' \
	      "$dir/out.json" 2>/dev/null)
	[ -n "$status" ] || { status="(no report)"; msg=$(head -c 300 "$dir/err.txt"); }
	[ $rc -eq 124 ] || [ $rc -eq 137 ] && problems+=" the grader itself hung (killed after ${CASE_LIMIT} s);"
	[ $rc -eq 1 ] || problems+=" exit status $rc, expected 1;"
	if [ "$mode" = sweep ]; then
		note=$(jq -r .note "$dir/out.json" 2>/dev/null)
		case $note in
		*"processes the submission left behind"*) msg="$msg [note: ${note##*; }]" ;;
		*) problems+=" no sweep in the note: $note;" ;;
		esac
	fi
	if [ "$mode" = nobwrap ] && [ "$want_status" != not_run ]; then
		[ "$(grep -c 'bubblewrap (bwrap) is not installed' "$dir/err.txt")" = 1 ] ||
			problems+=" the grader did not say once that bubblewrap is missing;"
	fi
	[ "$status" = "$want_status" ] || problems+=" status '$status', expected '$want_status';"
	case $msg in
	*"$want_msg"*) ;;
	*) problems+=" message without '$want_msg';" ;;
	esac
	# nothing outlives the grade, nothing stays in the scratch space
	sleep 0.2
	if pgrep -f "$dir/tmp" >/dev/null; then
		problems+=" processes left behind: $(pgrep -f "$dir/tmp" | tr '\n' ' ');"
		pkill -KILL -f "$dir/tmp"
	fi
	[ -z "$(ls -A "$dir/tmp")" ] || problems+=" scratch left in $dir/tmp;"
	for m in "${MARKERS[@]}"; do
		[ -e "$m" ] && { problems+=" $m was written;"; rm -f "$m"; }
	done
	# a forged line must not reach the terminal as a verdict
	if [ "$name" = forged_pass ]; then
		env "${env[@]}" TMPDIR="$dir/tmp" NO_COLOR=1 timeout -k 5 $CASE_LIMIT \
			"$GRADER" test -s spec.json -f "$src" --only "$test" >"$dir/out.txt" 2>&1
		grep -q $'\033' "$dir/out.txt" && problems+=" an escape sequence reached the text report;"
		grep -q '^  PASS ' "$dir/out.txt" && problems+=" a PASS line in the text report;"
	fi
	if [ "$name" = flood ]; then
		[ "$(stat -c %s "$dir/out.json")" -lt 65536 ] ||
			problems+=" the report is $(stat -c %s "$dir/out.json") bytes;"
	fi
	printf '%s|%s|%s|%s|%s|%s|%s\n' "$([ -z "$problems" ] && echo PASS || echo FAIL)" \
		"$name" "$mode" "$status" "$secs" "$msg" "$problems" >"$WORK/results/$mode.$name"
}

mkdir -p "$WORK/results"
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
if ! (GRADER_NO_BWRAP= bwrap --ro-bind / / --dev /dev --proc /proc --unshare-pid \
	--unshare-net true) >/dev/null 2>&1; then
	echo "hostile: bubblewrap does not work here: the bwrap pass runs without it"
fi
t0=$(date +%s)
running=0
order=()
for mode in "${MODES[@]}"; do
	while IFS='|' read -r name file hcase test status msg killmsg; do
		[ -n "$name" ] || continue
		if [ "$mode" = kill ]; then
			[ -n "$killmsg" ] || continue
			[ "$killmsg" = "=" ] || msg=$killmsg
		fi
		if [ "$mode" = sweep ]; then
			# nothing blocks the forks: the test passes, the norm
			# (an inline syscall) fails the grade, the sweep cleans
			[ "$name" = fork_storm ] || continue
			status=pass msg=""
		fi
		order+=("$mode.$name")
		run_case "$mode" "$name" "$file" "$hcase" "$test" "$status" "$msg" &
		running=$((running + 1))
		if [ $running -ge "$JOBS" ]; then
			wait -n
			running=$((running - 1))
		fi
	done <<<"$CASES"
done
wait

pass=0 fail=0
printf '  %-32s %-8s %-8s %6s  %s\n' case mode verdict time message
for key in "${order[@]}"; do
	IFS='|' read -r res name mode status secs msg problems <"$WORK/results/$key"
	if [ "$res" = PASS ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
	fi
	if [ "$res" = FAIL ] || [ $VERBOSE = 1 ]; then
		printf '%s %-32s %-8s %-8s %5ss  %s\n' "$([ "$res" = PASS ] && echo ' ' || echo '!')" \
			"$name" "$mode" "$status" "$secs" "${msg:0:150}"
		[ -z "$problems" ] || printf '    problems:%s\n' "$problems"
	fi
done
for m in "${MARKERS[@]}"; do
	[ -e "$m" ] && { echo "hostile: $m was written"; fail=$((fail + 1)); }
done
echo "hostile: $pass passed, $fail failed ($(( $(date +%s) - t0 )) s, ${MODES[*]})"
[ $fail -eq 0 ]
