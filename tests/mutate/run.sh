#!/usr/bin/env bash
# run.sh - the tests of grader mutate (make mutate-test)
#
#   1. usage errors: exit 2 with a message naming the problem
#   2. the mutants of one function of the reference, in JSON: each names its
#      operator, function, line, column and id, and has a verdict; the text
#      summary and the Stryker report (against its schema) say the same
#   3. the reviewed equivalents: a listed survivor counts apart (its native
#      pass confirms it; --recheck-equivalents reruns it under valgrind), a
#      listed mutant the tests kill stays killed, a stale or malformed entry
#      is said
#   4. --changed-since: only the mutants on the changed lines
#   5. the gate: on a copy of the pack whose table lost a test (its points
#      given to another), `grader mutate --validate` fails below the
#      spec's mutation.threshold and names the survivors
#
# Each case grades a function or two (seconds, not the whole set: that is
# make validate's and make bench's).  Prints one line per check; exit 1 if
# any failed.
set -u
SUITE=mutate-test
OUT=${MUTATE_TEST_OUT:-build/mutate-test}
. "$(dirname "$0")/../lib.sh"
NODE_MODULES=${NODE_MODULES:-build/npm/node_modules}
REF=references/ref_solution.c

echo "cli: usage errors are exit 2"
# ---------------------------------------------------------------------------
usage_case() { # NAME TEXT ARGS...
	local name=$1 text=$2 st
	shift 2
	"$GRADER" mutate "$@" >"$OUT/cli.out" 2>"$OUT/cli.err"
	st=$?
	if [ $st -eq 2 ] && grep -qF -- "$text" "$OUT/cli.err"; then ok "$name"
	else bad "$name (status $st, want 2 and '$text')" "$(cat "$OUT/cli.err")"; fi
}
usage_case "no reference" "missing -r REFERENCE" -s spec.json
usage_case "no spec" "missing -s SPEC" -r $REF
usage_case "-j 0" "--jobs: '0'" -r $REF -s spec.json -j 0
usage_case "an unknown function" "--function no_such_function: no mutant" \
	-r $REF -s spec.json --function no_such_function
usage_case "a missing equivalents file" "cannot read the equivalents" \
	-r $REF -s spec.json --function vm_is_ram --equivalents /nonexistent.json

echo "spec: mutation.threshold is checked by validate-spec"
# ---------------------------------------------------------------------------
s=$(tmpdir)
cp -r include references mutants alternatives "$s/"
spec_case() { # NAME JQ-FILTER TEXT
	jq "$2" spec.json >"$s/spec.json"
	"$GRADER" validate-spec "$s/spec.json" >"$OUT/spec.out" 2>"$OUT/spec.err"
	st=$?
	if [ $st -eq 3 ] && grep -qF -- "$3" "$OUT/spec.err"; then ok "$1"
	else bad "$1 (status $st, want 3 and '$3')" "$(cat "$OUT/spec.err")"; fi
}
spec_case "a threshold above 100" '.mutation.threshold = 120' \
	"mutation.threshold: 120 is not a percentage (0 to 100)"
spec_case "a threshold that is not a number" '.mutation.threshold = "95"' \
	"mutation.threshold: expected a number, got a string"
spec_case "an unknown key" '.mutation.thresold = 95' "mutation.thresold: unknown key"
jqtrue "the pack sets its threshold" spec.json '.mutation.threshold >= 95'

echo "one function: every mutant named and judged"
# ---------------------------------------------------------------------------
FN=vm_is_ram
"$GRADER" mutate -r $REF -s spec.json --function $FN --json -j 2 \
	--report "$OUT/report.json" >"$OUT/fn.json" 2>"$OUT/fn.err"
status_is "exit 0 without --validate" 0 $? "$OUT/fn.err"
jqtrue "mutants of $FN only, each with operator, line, column, id, verdict" "$OUT/fn.json" \
	"(.mutants | length) > 3 and all(.mutants[]; .function == \"$FN\" and
	 (.operator | length) > 0 and .line > 0 and .column > 0 and (.id | startswith(\"$FN:\")) and
	 (.status | IN(\"killed\", \"survived\", \"not_compiling\", \"equivalent\", \"duplicate\", \"reviewed_equivalent\")))"
jqtrue "the counts add up" "$OUT/fn.json" \
	'.counts as $c | $c.selected == ($c.not_compiling + $c.equivalent + $c.duplicate + $c.reviewed_equivalent + $c.killed + $c.survived) and $c.selected == (.mutants | length)'
jqtrue "a killed mutant says why it is refused and which test noticed" "$OUT/fn.json" \
	'any(.mutants[]; .status == "killed" and (.refused_because | length) > 0 and (.noticed_by | length) > 0)'
jqtrue "a duplicate names the mutant whose code it has" "$OUT/fn.json" \
	'all(.mutants[] | select(.status == "duplicate"); (.same_as | length) > 0)'
jqtrue "the score is killed / (killed + survived)" "$OUT/fn.json" \
	'.counts as $c | ($c.killed + $c.survived) == 0 or ((.score - 100 * $c.killed / ($c.killed + $c.survived)) | fabs) < 0.01'
jqtrue "the Stryker report places each graded mutant in the reference, by operator" "$OUT/report.json" \
	".files[\"$REF\"].mutants | length > 0 and all(.[]; (.mutatorName | IN(\"relational_boundary\", \"relational_negate\", \"logical\", \"arithmetic\", \"return_value\", \"constant\", \"negate_condition\", \"equality\", \"bitwise\", \"remove_statement\")) and .location.start.line > 0)"
if [ -d "$NODE_MODULES/mutation-testing-report-schema" ]; then
	if out=$(node tools/validate-report.cjs "$OUT/report.json" "$NODE_MODULES" 2>&1); then
		ok "the Stryker report is valid against its schema"
	else bad "the Stryker report is valid against its schema" "$out"; fi
else
	skip "the Stryker report against its schema (make html-deps first)"
fi
"$GRADER" mutate -r $REF -s spec.json --function $FN -j 2 >"$OUT/fn.txt" 2>&1
contains "the text summary gives the score per function" "$OUT/fn.txt" "$FN"
contains "the text summary gives the counts" "$OUT/fn.txt" "mutants generated"

echo "reviewed equivalents"
# ---------------------------------------------------------------------------
# A pack copy whose table lost test_serial_receive: some mutants survive; list
# one as equivalent and it counts apart.
SHRUNK_TEST=test_serial_receive
SHRUNK_TO=test_serial_reset
SHRUNK_FN=${MUTATE_TEST_FUNCTION:-serial_receive}
shrunk_pack() { # DIR
	local d=$1
	cp -r include references mutants alternatives "$d/"
	jq --arg t "$SHRUNK_TEST" --arg to "$SHRUNK_TO" '
		(.moulinette.tests[] | select(.name == $t).points) as $p
		| .moulinette.tests |= map(select(.name != $t))
		| (.moulinette.tests[] | select(.name == $to)).points += $p
		| .mutation.threshold = 95' spec.json >"$d/spec.json"
}
g=$(tmpdir)
shrunk_pack "$g"
"$GRADER" validate-spec "$g/spec.json" >"$OUT/shrunk-spec.txt" 2>&1
status_is "the shrunk pack's spec is valid" 0 $? "$OUT/shrunk-spec.txt"
"$GRADER" mutate -r "$g/$REF" -s "$g/spec.json" --function "$SHRUNK_FN" -j 2 --json \
	>"$OUT/shrunk.json" 2>"$OUT/shrunk.err"
jqtrue "without $SHRUNK_TEST, mutants of $SHRUNK_FN survive" "$OUT/shrunk.json" '.counts.survived > 0'
# two -j children may build the same code in either order: the verdict
# still goes to the group's first mutant in source order
jqtrue "a duplicate names the first mutant with its code, which is graded" "$OUT/shrunk.json" \
	'.mutants as $m | ($m | map(.id)) as $ids | any($m[]; .status == "duplicate") and
	 ([range(0; $m | length) as $i | $m[$i] | select(.status == "duplicate") |
	   .same_as as $s | ($ids | index($s)) as $o | $o != null and $o < $i and $m[$o].status != "duplicate"] | all)'
sid=$(jq -r '[.mutants[] | select(.status == "survived")][0].id' "$OUT/shrunk.json")
jq -n --arg id "$sid" '{ equivalents: [ { reference: "ref_solution.c", id: $id,
	reason: "test fixture: listed to check that a reviewed survivor counts apart" },
	{ id: "no_such_function:constant:1->0#0", reason: "a stale entry, for the test" } ] }' \
	>"$g/mutants/equivalent.json"
"$GRADER" mutate -r "$g/$REF" -s "$g/spec.json" --function "$SHRUNK_FN" -j 2 --json \
	>"$OUT/reviewed.json" 2>"$OUT/reviewed.err"
jqtrue "a listed survivor is reviewed_equivalent, with its reason" "$OUT/reviewed.json" \
	"any(.mutants[]; .id == \"$sid\" and .status == \"reviewed_equivalent\" and (.reason | contains(\"fixture\")))"
if [ "$(jq '.counts.survived' "$OUT/reviewed.json")" -eq $(( $(jq '.counts.survived' "$OUT/shrunk.json") - 1 )) ]; then
	ok "the survivors count one less"
else bad "the survivors count one less" "$(jq -c .counts "$OUT/shrunk.json" "$OUT/reviewed.json")"; fi
jqtrue "a stale entry is said" "$OUT/reviewed.json" \
	'any(.stale_equivalents[]; contains("no_such_function"))'
if command -v "${GRADER_VALGRIND:-valgrind}" >/dev/null 2>&1; then
	jqtrue "its native pass confirms it: not rerun under valgrind (native_only)" \
		"$OUT/reviewed.json" \
		"any(.mutants[]; .id == \"$sid\" and .native_only == true and .valgrind == false) and .counts.native_only >= 1"
	"$GRADER" mutate -r "$g/$REF" -s "$g/spec.json" --function "$SHRUNK_FN" -j 2 --json \
		--recheck-equivalents >"$OUT/recheck.json" 2>"$OUT/recheck.err"
	jqtrue "--recheck-equivalents grades it under valgrind too" "$OUT/recheck.json" \
		"any(.mutants[]; .id == \"$sid\" and .valgrind == true and (has(\"native_only\") | not) and .status == \"reviewed_equivalent\") and .counts.native_only == 0"
else
	skip "native_only and --recheck-equivalents (no valgrind)"
fi
# a killed mutant listed as equivalent stays killed, and the entry is stale
# (one the native run kills: a listed mutant is not rerun under valgrind)
kid=$(jq -r '[.mutants[] | select(.status == "killed" and .valgrind == false)][0].id' "$OUT/shrunk.json")
jq -n --arg id "$kid" '{ equivalents: [ { id: $id,
	reason: "test fixture: a killed mutant wrongly listed as equivalent" } ] }' \
	>"$g/mutants/equivalent.json"
"$GRADER" mutate -r "$g/$REF" -s "$g/spec.json" --function "$SHRUNK_FN" -j 2 --json \
	>"$OUT/listed-killed.json" 2>"$OUT/listed-killed.err"
jqtrue "a listed mutant the tests kill is still killed, the entry said stale" \
	"$OUT/listed-killed.json" \
	"any(.mutants[]; .id == \"$kid\" and .status == \"killed\") and any(.stale_equivalents[]; contains(\"but killed\"))"
echo '{ "equivalents": [ { "id": "x", "reason": "short" } ] }' >"$g/mutants/equivalent.json"
"$GRADER" mutate -r "$g/$REF" -s "$g/spec.json" --function "$SHRUNK_FN" >"$OUT/badeq.out" 2>"$OUT/badeq.err"
st=$?
if [ $st -eq 2 ] && grep -qF "a \"reason\" a reviewer can check" "$OUT/badeq.err"; then
	ok "an entry without a real reason is refused (exit 2)"
else bad "an entry without a real reason is refused (exit 2, status $st)" "$(cat "$OUT/badeq.err")"; fi
rm -f "$g/mutants/equivalent.json"

echo "the gate: a table that lost a test fails make validate's mutate step"
# ---------------------------------------------------------------------------
"$GRADER" mutate -r "$g/$REF" -s "$g/spec.json" --function "$SHRUNK_FN" -j 2 --validate \
	>"$OUT/gate.txt" 2>"$OUT/gate.err"
status_is "exit 1 below the threshold" 1 $? "$OUT/gate.err"
contains "it says the score is below the threshold" "$OUT/gate.err" "below the spec's threshold 95.0 %"
contains "it names the survivors, with the changed line" "$OUT/gate.txt" "survivors"
contains "under their function" "$OUT/gate.txt" "  $SHRUNK_FN:"
"$GRADER" mutate -r $REF -s spec.json --function "$SHRUNK_FN" -j 2 --validate \
	>"$OUT/gate-ok.txt" 2>"$OUT/gate-ok.err"
status_is "the same function on the real pack holds (exit 0)" 0 $? "$OUT/gate-ok.err"

echo "--changed-since: only the changed lines"
# ---------------------------------------------------------------------------
c=$(tmpdir)
cp -r include references mutants alternatives spec.json "$c/"
git -C "$c" init -q && git -C "$c" add -A &&
	git -C "$c" -c user.email=t@t -c user.name=t commit -qm base
line=$(jq -r '[.mutants[] | select(.status == "killed")][0].line' "$OUT/fn.json")
sed -i "${line}s/\$/ \/* touched *\//" "$c/$REF"
"$GRADER" mutate -r "$c/$REF" -s "$c/spec.json" --changed-since HEAD -j 2 --json \
	>"$OUT/changed.json" 2>"$OUT/changed.err"
jqtrue "only mutants of line $line are graded" "$OUT/changed.json" \
	"(.mutants | length) > 0 and all(.mutants[]; .line == $line)"
"$GRADER" mutate -r "$c/$REF" -s "$c/spec.json" --changed-since no-such-rev \
	>"$OUT/changed-bad.out" 2>"$OUT/changed-bad.err"
st=$?
if [ $st -eq 2 ] && grep -qF "git diff failed" "$OUT/changed-bad.err"; then
	ok "a bad revision is a usage error (exit 2)"
else bad "a bad revision is a usage error (exit 2, status $st)" "$(cat "$OUT/changed-bad.err")"; fi

suite_end mutate
