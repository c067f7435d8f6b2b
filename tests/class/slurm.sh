#!/usr/bin/env bash
# slurm.sh - grade a generated class through a single-node Slurm cluster
# started here by hand, and compare with the local gradebook
#
# Usage: tests/class/slurm.sh CLASSDIR OUTDIR LOCAL-GRADEBOOK
#   CLASSDIR         tests/class/gen_class.sh's (cls/ and gs/)
#   OUTDIR           where the Slurm run writes (and the cluster's files)
#   LOCAL-GRADEBOOK  grader class -j's gradebook.csv of the same class
#
# munged (on a socket of its own), slurmctld and slurmd (on ports of their
# own) are started as root from a private slurm.conf, the class is graded
# with grader class --slurm (a job array, SLURM_CHUNK=4 students a task), the
# gradebook must equal the local one (scores, verdicts, reasons, points;
# not the times), then --collect must name a task that left no record and
# a student left ungraded.  The daemons are stopped by their pids whatever
# happens.  Where Slurm cannot start (not root, not installable, a daemon
# that does not come up), every check says SKIP with the reason: never a
# silent pass.
set -u
cd "$(dirname "$0")/../.."
IN=$1 OUT=$2 LOCAL=$3
GRADER=${GRADER_BIN:-bin/grader}
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
C=$PWD/build/class-test/slurm-cluster
pids=()

ok()   { printf '  ok    %s\n' "$1"; }
bad()  { printf '  FAIL  %s\n' "$1"; shift; [ $# -gt 0 ] && printf '%s\n' "$@" | head -30 | sed 's/^/        /'; return 0; }
skip() { printf '  SKIP  the class through Slurm: %s\n' "$1"; exit 0; }

stop_daemons() {
	local f p i
	for f in "$C/run/slurmd.pid" "$C/run/slurmctld.pid" "$C/munge/munged.pid"; do
		[ -s "$f" ] || continue
		p=$(cat "$f")
		kill -TERM "$p" 2>/dev/null || continue
		for i in $(seq 1 100); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null
	done
}
trap stop_daemons EXIT

[ "$(id -u)" = 0 ] || skip "not root: munged must run as the munge user and slurmd as root"
if ! command -v slurmctld >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1; then
	tools/ensure-deps.sh slurm >/dev/null 2>&1 || true
fi
for t in slurmctld slurmd munged sbatch sinfo; do
	command -v "$t" >/dev/null 2>&1 || skip "'$t' is not installed and could not be (apt-get install slurm-wlm munge)"
done
id munge >/dev/null 2>&1 || skip "no munge user (the munge package makes it)"

rm -rf "$C" "$OUT"
mkdir -p "$C/state" "$C/spool" "$C/run" "$C/log" "$C/munge"
chown munge:munge "$C/munge"
chmod 0700 "$C/munge"
# a key of our own: the cluster trusts only itself
if command -v mungekey >/dev/null 2>&1; then
	runuser -u munge -- mungekey --create --keyfile="$C/munge/munge.key" >/dev/null 2>&1
fi
if [ ! -s "$C/munge/munge.key" ]; then
	dd if=/dev/urandom of="$C/munge/munge.key" bs=1024 count=1 2>/dev/null
	chown munge:munge "$C/munge/munge.key"
fi
chmod 0600 "$C/munge/munge.key"
SOCK=$C/munge/munge.socket
runuser -u munge -- munged --force --socket="$SOCK" --key-file="$C/munge/munge.key" \
	--pid-file="$C/munge/munged.pid" --log-file="$C/munge/munged.log" \
	--seed-file="$C/munge/munged.seed" >"$C/log/munged.out" 2>&1 ||
	skip "munged does not start: $(tail -2 "$C/log/munged.out")"
munge -S "$SOCK" -n 2>/dev/null | unmunge -S "$SOCK" >/dev/null 2>&1 ||
	skip "munge -n | unmunge fails on $SOCK"

port=$((20000 + $$ % 20000))
cpus=$(nproc)
cat >"$C/slurm.conf" <<CONF
ClusterName=gradetest
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SOCK
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
MailProg=/bin/true
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
StateSaveLocation=$C/state
SlurmdSpoolDir=$C/spool
SlurmctldPidFile=$C/run/slurmctld.pid
SlurmdPidFile=$C/run/slurmd.pid
SlurmctldLogFile=$C/log/slurmctld.log
SlurmdLogFile=$C/log/slurmd.log
NodeName=localhost CPUs=$cpus State=UNKNOWN
PartitionName=grade Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$C/slurm.conf
slurmctld -f "$SLURM_CONF" >"$C/log/slurmctld.out" 2>&1 || skip "slurmctld does not start: $(tail -3 "$C/log/slurmctld.log" 2>/dev/null)"
slurmd -f "$SLURM_CONF" -N localhost >"$C/log/slurmd.out" 2>&1 || skip "slurmd does not start: $(tail -3 "$C/log/slurmd.log" 2>/dev/null)"
state=
for _ in $(seq 1 300); do
	state=$(sinfo -h -n localhost -o %T 2>/dev/null)
	[ "$state" = idle ] && break
	sleep 0.1
done
[ "$state" = idle ] || skip "the node is not idle after 30 s ('$state'): $(tail -3 "$C/log/slurmctld.log")"
ok "a single-node Slurm cluster: munged, slurmctld, slurmd (pids $(cat "$C/munge/munged.pid") $(cat "$C/run/slurmctld.pid") $(cat "$C/run/slurmd.pid"))"

t0=$(date +%s%3N)
CHUNK=${SLURM_CHUNK:-4}
"$GRADER" class -s spec.json "$IN/cls" "$IN/gs" -o "$OUT" --slurm --chunk "$CHUNK" -j 1 >"$OUT.out" 2>"$OUT.err"
st=$?
ms=$(( $(date +%s%3N) - t0 ))
[ $st -eq 0 ] && ok "grader class --slurm: exit 0 in ${ms} ms" || bad "grader class --slurm: exit 0" "status $st" "$(tail -20 "$OUT.err")" "$(cat "$OUT"/tasks/slurm-*.out 2>/dev/null | tail -20)"
n=$(ls "$OUT"/tasks/[0-9]*.json 2>/dev/null | wc -l)
students=$(jq '.students | length' "$OUT/plan.json" 2>/dev/null || echo 0)
tasks=$(( (students + CHUNK - 1) / CHUNK ))
[ "$n" -eq "$tasks" ] && [ "$n" -gt 0 ] && ok "$tasks array tasks of $CHUNK students, each left its record" || bad "$tasks task records" "$n" "$(ls "$OUT/tasks")"
hosts=$(jq -r .host "$OUT"/tasks/[0-9]*.json 2>/dev/null | sort -u | tr '\n' ' ')
[ -n "$hosts" ] && ok "the tasks ran on: $hosts"
if $PY tests/class/book.py same "$LOCAL" "$OUT/gradebook.csv" 2>"$OUT.diff"; then
	ok "the Slurm gradebook equals the local one (scores, verdicts, reasons, points)"
else
	bad "the Slurm gradebook equals the local one" "$(cat "$OUT.diff")"
fi
# a task that died: its record gone, a grade gone
key=$(jq -r .key "$OUT/students/carol/grade.json")
rm -f "$OUT/tasks/1.json" "$OUT/cache/$key.json"
"$GRADER" class --collect "$OUT" >"$OUT.collect" 2>&1
st=$?
[ $st -eq 1 ] && ok "--collect with a lost task: exit 1" || bad "--collect with a lost task: exit 1" "status $st"
grep -qF "task 1 left no record" "$OUT.collect" && ok "--collect names the task that left no record" || bad "--collect names the lost task" "$(cat "$OUT.collect")"
grep -qF "not graded     carol: no grade in the cache" "$OUT.collect" && ok "--collect names the student left ungraded" || bad "--collect names carol" "$(cat "$OUT.collect")"
stop_daemons
left=""
for f in "$C/run/slurmd.pid" "$C/run/slurmctld.pid" "$C/munge/munged.pid"; do
	[ -s "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && left="$left $f"
done
[ -z "$left" ] && ok "the daemons stopped by their pids" || bad "the daemons stopped" "$left"
