#!/bin/sh
# student-kit-test.sh - the student kit works alone and hides the answer
#
# Usage: tools/student-kit-test.sh KIT.tar.gz ORACLE.o
# Unpacks the kit into an empty temporary folder, checks it holds no
# solution (no function body of any reference, alternative or mutant of the
# pack, no file named like one), builds its grader there with its own
# Makefile, and grades from there, with the kit's spec, the references
# copied in from outside: the base reference must score 100/100, the bonus
# reference 100+100, and the base reference again 100 with a spec whose
# fuzzing oracle is the stripped reference object; with no language named,
# the report is French (the kit's default).  The scan must also
# catch a reference put into the kit, so that its silence means something.
set -u

kit=$(realpath "$1")
oracle=$(realpath "$2")
repo=$(pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ww-kit.XXXXXX")
status=1
trap 'rm -rf "$tmp"' EXIT INT TERM

fail() {
	echo "student-kit-test: $*" >&2
	exit 1
}

solutions=$(ls references/*.c alternatives/*.c mutants/*.c)

mkdir "$tmp/unpacked" "$tmp/student"
tar -C "$tmp/unpacked" -xzf "$kit" || fail "cannot unpack $kit"
k="$tmp/unpacked/westworld-student-kit"
[ -f "$k/spec.json" ] || fail "no westworld-student-kit/spec.json in the kit"
for d in references alternatives mutants tests tools; do
	[ ! -e "$k/$d" ] || fail "the kit holds $d/"
done

# shellcheck disable=SC2086
python3 tools/student_kit.py scan "$k" $solutions || fail "the kit gives a solution away"
mkdir "$tmp/leaky"
cp -r "$k/grader" "$tmp/leaky/"
sed -n '/^int kvm_run(/,/^}/p' references/ref_solution.c > "$tmp/leaky/grader/extra.c"
if python3 tools/student_kit.py scan "$tmp/leaky" references/ref_solution.c >/dev/null 2>&1; then
	fail "the scan does not see kvm_run()'s body copied into the kit"
fi

# The build and the grading run from the kit's folder, with nothing of the
# repository on the way (no GRADER_LIBDIR, no path into it).
cp references/ref_solution.c "$tmp/student/hypervisor_sim.c"
cp references/ref_solution_bonus.c "$tmp/student/bonus_sim.c"
cd "$k" || fail "cannot enter $k"
unset GRADER_LIBDIR
make -j2 >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; fail "the kit does not build"; }
[ -x bin/grader ] || fail "the kit's make made no bin/grader"

grade() { # grade NAME FILE EXPECTED-SCORE-LINE [SPEC]
	spec=${4:-spec.json}
	LANGUAGE=en bin/grader test -s "$spec" -f "$2" >"$tmp/$1.out" 2>"$tmp/$1.err"
	st=$?
	if [ $st -ne 0 ] || ! grep -q "^$3" "$tmp/$1.out"; then
		cat "$tmp/$1.out" "$tmp/$1.err"
		fail "$1: exit $st, no '$3' line"
	fi
	if grep -q "$repo" "$tmp/$1.out" "$tmp/$1.err"; then
		fail "$1: the report names the repository: the kit is not alone"
	fi
	echo "  kit: $1: $(grep "^score" "$tmp/$1.out") $(grep "^bonus score" "$tmp/$1.out")"
}

grade reference "$tmp/student/hypervisor_sim.c" "score 100/100 (passing 70): PASS"
grade bonus "$tmp/student/bonus_sim.c" "score 100/100 (passing 70): PASS"
grep -q "^bonus score 100/100" "$tmp/bonus.out" || fail "bonus: no 'bonus score 100/100' line"

# The oracle route: the spec names the stripped object, the kit has no source.
mkdir -p oracle
cp "$oracle" oracle/ref_solution.o
python3 - <<'PY' || fail "cannot write the oracle spec"
import json
s = json.load(open("spec.json"))
s["driver"]["fuzzing"]["oracle"] = "reference"
s["driver"]["reference"] = "oracle/ref_solution.o"
json.dump(s, open("spec-oracle.json", "w"))
PY
grade oracle "$tmp/student/hypervisor_sim.c" "score 100/100 (passing 70): PASS" spec-oracle.json
grep -q "test_fuzz_memory_mb.*PASS\|PASS.*test_fuzz_memory_mb" "$tmp/oracle.out" ||
	fail "oracle: test_fuzz_memory_mb did not pass against the stripped reference"
# The kit speaks French when no language is named, English when one is.
env -u LANGUAGE -u LC_ALL -u LC_MESSAGES -u LANG bin/grader test -s spec.json \
	-f "$tmp/student/hypervisor_sim.c" >"$tmp/default.out" 2>&1
grep -q "^score 100/100 (seuil 70): RÉUSSI" "$tmp/default.out" ||
	{ cat "$tmp/default.out"; fail "no language named: the report is not French"; }
echo "  kit: no language named: $(grep "^score" "$tmp/default.out")"
status=0
exit $status
