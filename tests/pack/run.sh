#!/usr/bin/env bash
# run.sh - the tests of the pack's validation (make pack-test)
#
#   1. bin/grader mutants on the pack itself: it holds (exit 0), every
#      mutant is killed for the reason the document gives, every solution
#      passes; the JSON, JUnit, Stryker (against the npm package's schema)
#      and HTML (rendered offline in headless Chromium) reports.
#   2. The CI gate, on temporary copies of the pack (never on the
#      repository's files): a surviving mutant and a stillborn one make
#      `make validate` fail, naming the file and what to do; an equivalent
#      mutant, a spec entry with no file and an unlisted file fail it too; a
#      broken reference stops it with exit 3; --changed-since grades only
#      what changed; progress shows on a terminal only.
#
# Needs bin/grader and the npm tools (make html-deps); Chromium is installed
# by tools/ensure-deps.sh browser when it can be, else the HTML rendering
# check says SKIP, loudly.  Prints one line per check; exit 1 if any failed.
set -u
SUITE=pack-test
OUT=${PACK_TEST_OUT:-build/pack-test}
. "$(dirname "$0")/../lib.sh"
NODE_MODULES=${NODE_MODULES:-build/npm/node_modules}
export GRADER_ELEMENTS_JS=${GRADER_ELEMENTS_JS:-$NODE_MODULES/mutation-testing-elements/dist/mutation-test-elements.js}

# A copy of the pack with only the reference and the files given (paths
# relative to the new pack, already in it) in the validation lists: small
# packs grade in a second or two.
small_pack() { # DIR PASS-JSON-ARRAY FAIL-JSON-ARRAY
	local d=$1
	cp -r spec.json include references "$d/"
	mkdir -p "$d/mutants" "$d/alternatives"
	jq --argjson p "$2" --argjson f "$3" \
		'.validation.expected_pass = $p | .validation.expected_fail = $f' \
		spec.json >"$d/spec.json"
}

echo "cli: usage errors are exit 2, a bad spec exit 3"
# ---------------------------------------------------------------------------
usage_case() { # NAME EXPECTED-STATUS EXPECTED-STDERR ARGS...
	local name=$1 want=$2 text=$3 st
	shift 3
	"$GRADER" "$@" >"$OUT/cli.out" 2>"$OUT/cli.err"
	st=$?
	if [ $st -eq "$want" ] && grep -qF -- "$text" "$OUT/cli.err"; then ok "$name"
	else bad "$name (status $st, want $want and '$text')" "$(cat "$OUT/cli.err")"; fi
}
usage_case "no -r" 2 "missing -r REFERENCE" mutants -s spec.json
usage_case "no -s" 2 "missing -s SPEC" mutants -r references/ref_solution.c
usage_case "-j 0" 2 "--jobs: '0' is not a number from 1 to 256" mutants -r references/ref_solution.c -s spec.json -j 0
usage_case "an unknown option" 2 "mutants: unknown option '--frobnicate'" mutants --frobnicate
usage_case "an unreadable reference" 2 "cannot read the reference 'no/such.c'" mutants -r no/such.c -s spec.json
usage_case "an invalid spec" 3 "invalid spec" mutants -r references/ref_solution.c -s tests/grader/specs/bad_values.json
GRADER_ELEMENTS_JS=/nonexistent/bundle.js usage_case "--html without the viewer says how to get it" 2 \
	"run make html-deps" mutants -r references/ref_solution.c -s spec.json --html "$OUT/x.html"
"$GRADER" --help >"$OUT/help.out" 2>&1
contains "--help documents the command" "$OUT/help.out" "mutants -r REF -s SPEC"

echo "pack: the pack itself"
# ---------------------------------------------------------------------------
# bin/grader itself under valgrind (its forks too): an error or a leak of
# the grader exits 99; what it grades runs in its own valgrind as always.
${VALGRIND:-valgrind} -q --error-exitcode=99 --leak-check=full \
	--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
	--log-file="$OUT/grader-valgrind.%p.log" \
	"$GRADER" mutants -r references/ref_solution.c -s spec.json --validate --json \
	--junit "$OUT/junit.xml" --report "$OUT/report.json" --html "$OUT/report.html" \
	>"$OUT/pack.json" 2>"$OUT/pack.err"
st=$?
if [ $st -ne 99 ] && [ -z "$(cat "$OUT"/grader-valgrind.*.log 2>/dev/null)" ]; then
	ok "bin/grader mutants, with its four reports, is valgrind-clean"
else
	bad "bin/grader mutants, with its four reports, is valgrind-clean (status $st)" \
		"$(cat "$OUT"/grader-valgrind.*.log)"
fi
if [ $st -eq 0 ]; then ok "grader mutants --validate on the pack exits 0"
else bad "grader mutants --validate on the pack exits 0 (got $st)" "$(cat "$OUT/pack.err")" \
	"$(jq -r '.submissions[]? | select(.ok | not) | .file + ": " + .why' "$OUT/pack.json")"; fi
jqtrue "the pack holds (ok, mutation score 1)" "$OUT/pack.json" '.ok and .mutation_score == 1'
jqtrue "at least 10 mutants, all killed" "$OUT/pack.json" \
	'[.submissions[] | select(.expected == "killed")] | length >= 10 and all(.verdict == "killed")'
jqtrue "5 solutions, all passed with 100" "$OUT/pack.json" \
	'[.submissions[] | select(.expected == "passed")] | length >= 5 and all(.verdict == "passed" and .score == 100)'
jqtrue "nothing missing, nothing unlisted" "$OUT/pack.json" '(.missing | length) == 0 and (.unlisted | length) == 0'
# (the grader under valgrind has no seccomp listener, and says so once)
if grep -qE '^grader: (\[[0-9]+/[0-9]+\]|grading )' "$OUT/pack.err"; then
	bad "no progress when stderr is not a terminal" "$(cat "$OUT/pack.err")"
else ok "no progress when stderr is not a terminal"; fi
if [ "$(grep -c 'seccomp listener' "$OUT/pack.err")" -le 1 ]; then
	ok "what the sandbox lacks is said once, not once per file"
else bad "what the sandbox lacks is said once, not once per file" "$(cat "$OUT/pack.err")"; fi

# Each mutant is killed by the test the document's reason calls for, with the
# status that reason gives (a timeout for D, the allocation sweep for B, ...).
killed_as() { # FILE TEST STATUS...
	local f=$1 t=$2 s
	shift 2
	s=$(jq -r --arg f "mutants/$f" --arg t "$t" \
		'.submissions[] | select(.file == $f) | .tests[$t].status' "$OUT/pack.json")
	case " $* " in
	*" $s "*) ok "$f: killed by $t ($s)" ;;
	*) bad "$f: killed by $t ($*)" "status: '$s'" ;;
	esac
}
killed_as mutant_a_boundary.c test_rip_bound crash memory_error
killed_as mutant_b_safety.c test_alloc_failures crash memory_error
killed_as mutant_c_resource.c test_lifecycle_leak leak
killed_as mutant_d_logic.c test_hlt_exit timeout
killed_as mutant_e_return.c test_implant_bounds fail
killed_as refused_1_no_null_check.c test_alloc_failures crash memory_error
killed_as refused_2_leak_on_error.c test_alloc_failures leak
killed_as refused_3_incomplete_emulation.c test_io_exit timeout fail
killed_as refused_bonus_1_never_detects.c test_maeve_cpuid fail
killed_as refused_bonus_2_always_detects.c test_maeve_ordinary_code fail

# The text matrix (a second, fast run would cost a whole pack: the JSON's
# verdicts are the same judge; the text is checked on the small packs below).

echo "pack: JUnit"
# ---------------------------------------------------------------------------
expect "junit.xml is well-formed XML, one testcase per file, no failure" python3 - "$OUT/junit.xml" "$OUT/pack.json" <<'EOF'
import json, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
subs = json.load(open(sys.argv[2]))["submissions"]
cases = root.findall(".//testcase")
assert root.tag == "testsuites", root.tag
assert len(cases) == len(subs), (len(cases), len(subs))
assert sorted(c.get("name") for c in cases) == sorted(s["file"] for s in subs)
assert root.get("failures") == "0" and not root.findall(".//failure"), "failures"
EOF

echo "pack: Stryker mutation-testing-report"
# ---------------------------------------------------------------------------
expect "report.json validates against mutation-testing-report-schema" \
	node tools/validate-report.cjs "$OUT/report.json" "$NODE_MODULES"
jqtrue "mutants placed in the references they were made from" "$OUT/report.json" \
	'(.files | keys) == ["references/ref_solution.c", "references/ref_solution_bonus.c"] and
	 ([.files[].mutants[]] | length) == 10'
jqtrue "mutant D is a Timeout killed by test_hlt_exit, A Killed by test_rip_bound" "$OUT/report.json" \
	'[.files[].mutants[] | select(.id == "mutants/mutant_d_logic.c")][0] | .status == "Timeout" and (.killedBy | index("test_hlt_exit") != null)'
ntests=$(jq '(.moulinette.tests | length) + (.bonus.tests | length)' spec.json)
jqtrue "every test is declared in testFiles ($ntests)" "$OUT/report.json" \
	"[.testFiles[].tests[].id] | length == $ntests"
# The location is the reference's lines the mutant changes: the first line
# there is gone from the mutant (or, for an insertion, the replacement is new).
loc_ok=0 loc_bad=""
while IFS=$'\t' read -r file id line col eline ecol; do
	mut=$id
	if [ "$line" = "$eline" ] && [ "$col" = "$ecol" ]; then
		loc_ok=$((loc_ok + 1))          # an insertion before that line
		continue
	fi
	refline=$(sed -n "${line}p" "$file")
	if grep -qxF -- "$refline" "$mut" && [ "$(grep -cxF -- "$refline" "$file")" = "$(grep -cxF -- "$refline" "$mut")" ]; then
		loc_bad="$loc_bad $id:$line"
	else
		loc_ok=$((loc_ok + 1))
	fi
done < <(jq -r '.files | to_entries[] | .key as $f | .value.mutants[] |
	[$f, .id, .location.start.line, .location.start.column, .location.end.line, .location.end.column] | @tsv' "$OUT/report.json")
if [ -z "$loc_bad" ] && [ $loc_ok -eq 10 ]; then ok "each location is where the mutant differs from its reference"
else bad "each location is where the mutant differs from its reference" "wrong:$loc_bad"; fi

echo "pack: HTML"
# ---------------------------------------------------------------------------
if grep -qiE '<script[^>]+src=|<link[^>]+href=|@import' "$OUT/report.html"; then
	bad "report.html loads nothing from elsewhere" "$(grep -oiE '<script[^>]+src=[^>]*>|<link[^>]+>' "$OUT/report.html" | head)"
else
	ok "report.html loads nothing from elsewhere (no script src, no link)"
fi
contains "report.html inlines the mutation-testing-elements bundle" "$OUT/report.html" "mutation-test-report-app"
if ! command -v chromium >/dev/null 2>&1; then
	tools/ensure-deps.sh browser >"$OUT/ensure-browser.log" 2>&1 || true
fi
if ! command -v chromium >/dev/null 2>&1; then
	skip "report.html in headless Chromium: chromium is not installed and could not be ($(tail -1 "$OUT/ensure-browser.log")); install it: apt-get install chromium"
else
	{ sed 's|</body>||; s|</html>||' "$OUT/report.html"
	  printf '<script>\n'; cat tests/pack/probe.js; printf '</script>\n</body>\n</html>\n'
	} >"$OUT/report-probe.html"
	chrome() { # OUTPUT-FLAG URL
		local d
		d=$(tmpdir)
		timeout 120 chromium --headless --no-sandbox --disable-gpu \
			--disable-background-networking --disable-component-update --disable-sync \
			--no-first-run --user-data-dir="$d" --window-size=1400,1200 \
			--virtual-time-budget=10000 "$1" "$2" 2>>"$OUT/chromium.log"
	}
	url="file://$PWD/$OUT/report-probe.html"
	chrome --dump-dom "$url" >"$OUT/dom-all.html"
	chrome --dump-dom "$url#mutant/ref_solution.c" >"$OUT/dom-file.html"
	chrome --screenshot="$PWD/$OUT/report.png" "file://$PWD/$OUT/report.html#mutant/ref_solution.c" >/dev/null
	killed=$(jq '[.files["references/ref_solution.c"].mutants[] | select(.status == "Killed")] | length' "$OUT/report.json")
	timeouts=$(jq '[.files["references/ref_solution.c"].mutants[] | select(.status == "Timeout")] | length' "$OUT/report.json")
	contains "the report app upgraded (custom element with a shadow root)" "$OUT/dom-all.html" '<pre id="ww-upgraded">yes</pre>'
	contains "no script error while rendering" "$OUT/dom-all.html" '<pre id="ww-errors"></pre>'
	contains "the file list shows both references" "$OUT/dom-all.html" "ref_solution_bonus.c"
	contains "the file list shows the mutation score" "$OUT/dom-all.html" "100.00"
	contains "ref_solution.c shows its $killed Killed mutants" "$OUT/dom-file.html" "Killed ( $killed )"
	contains "ref_solution.c shows its $timeouts Timeout mutants" "$OUT/dom-file.html" "Timeout ( $timeouts )"
	contains "ref_solution.c shows its source" "$OUT/dom-file.html" "ref_solution.c - reference simulator"
	if [ -s "$OUT/report.png" ]; then ok "screenshot in $OUT/report.png"; else bad "screenshot"; fi
fi

echo "gate: a surviving and a stillborn mutant make make validate fail"
# ---------------------------------------------------------------------------
g=$(tmpdir)
small_pack "$g" '["references/ref_solution.c"]' \
	'["mutants/mutant_z_survivor.c", "mutants/mutant_z_stillborn.c"]'
# a harmless change: the trace says something else; the code differs
sed 's/\[VM\] CPU halted/[VM] The CPU halted/' references/ref_solution.c >"$g/mutants/mutant_z_survivor.c"
# a missing semicolon
sed 's/^static int next_fd = 100;$/static int next_fd = 100/' references/ref_solution.c >"$g/mutants/mutant_z_stillborn.c"
expect "the survivor differs from the reference" test -n "$(cmp "$g/mutants/mutant_z_survivor.c" references/ref_solution.c)"
make --no-print-directory -s validate SPEC="$g/spec.json" REF="$g/references/ref_solution.c" \
	VALIDATE_OUT="$g/out" >"$OUT/gate.out" 2>&1
st=$?
if [ $st -ne 0 ]; then ok "make validate fails (status $st)"; else bad "make validate fails" "$(cat "$OUT/gate.out")"; fi
contains "it names the survivor and what to do" "$OUT/gate.out" \
	"mutants/mutant_z_survivor.c: expected killed, survived: every test passed: add a test that kills it, or list it in expected_pass"
contains "it names the stillborn mutant and what to do" "$OUT/gate.out" \
	"mutants/mutant_z_stillborn.c: expected killed, stillborn: it does not compile, so no test ran: fix the compile error:"
contains "it quotes the compiler" "$OUT/gate.out" "error: expected"
contains "the matrix shows the survivor" "$OUT/gate.out" "! mutants/mutant_z_survivor.c"
contains "the score counts the stillborn as not killed" "$OUT/gate.out" "mutation score: 0.0% (0 killed / (2 mutants - 0 equivalent))"
expect "the JUnit report has the two failures" python3 - "$g/out/junit.xml" <<'EOF'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
f = {c.get("name"): c.find("failure") for c in root.iter("testcase")}
assert f["references/ref_solution.c"] is None
s, b = f["mutants/mutant_z_survivor.c"], f["mutants/mutant_z_stillborn.c"]
assert s.get("type") == "survived" and "expected killed, survived: every test passed" in s.get("message")
assert b.get("type") == "stillborn" and "fix the compile error" in b.text and "error:" in b.text
EOF
if [ -d "$NODE_MODULES" ]; then
	expect "the Stryker report of a broken pack validates too (Survived, CompileError)" \
		sh -c "node tools/validate-report.cjs '$g/out/mutation-report.json' '$NODE_MODULES' &&
		       jq -e '[.files[].mutants[].status] | sort == [\"CompileError\", \"Survived\"]' '$g/out/mutation-report.json'"
fi

echo "gate: equivalent, missing and unlisted files"
# ---------------------------------------------------------------------------
e=$(tmpdir)
small_pack "$e" '["references/ref_solution.c"]' \
	'["mutants/mutant_e_return.c", "mutants/mutant_z_equivalent.c", "mutants/mutant_z_missing.c"]'
cp mutants/mutant_e_return.c "$e/mutants/"
# comments and blank lines only: the same code
{ printf '/* mutant_z_equivalent.c - a no-op mutant */\n\n'
  sed 's|^static int next_fd = 100;$|static int next_fd = 100;   /* unchanged */|' references/ref_solution.c
} >"$e/mutants/mutant_z_equivalent.c"
cp mutants/mutant_a_boundary.c "$e/mutants/mutant_z_unlisted.c"
cp alternatives/alt_1.c "$e/alternatives/alt_z_unlisted.c"
"$GRADER" mutants -r "$e/references/ref_solution.c" -s "$e/spec.json" --validate --json \
	>"$OUT/equiv.json" 2>"$OUT/equiv.err"
st=$?
if [ $st -eq 1 ]; then ok "grader mutants --validate exits 1"; else bad "grader mutants --validate exits 1 (got $st)" "$(cat "$OUT/equiv.err")"; fi
jqtrue "the no-op mutant is equivalent to the reference" "$OUT/equiv.json" \
	'.submissions[] | select(.file == "mutants/mutant_z_equivalent.c") | .verdict == "equivalent" and .equivalent_to == "references/ref_solution.c" and (.why | contains("identical to references/ref_solution.c"))'
jqtrue "the real mutant is still killed; the score leaves the equivalent out" "$OUT/equiv.json" \
	'(.submissions[] | select(.file == "mutants/mutant_e_return.c") | .verdict == "killed") and .mutation_score == 1'
jqtrue "the spec entry with no file is reported" "$OUT/equiv.json" \
	'.missing | length == 1 and (.[0] | contains("mutants/mutant_z_missing.c") and contains("add the file, or remove the entry"))'
jqtrue "the files no list names are reported" "$OUT/equiv.json" \
	'.unlisted | length == 2 and (.[0] | contains("mutants/mutant_z_unlisted.c")) and (.[1] | contains("alternatives/alt_z_unlisted.c")) and (.[0] | contains("list it in expected_fail"))'

echo "gate: a broken reference stops everything"
# ---------------------------------------------------------------------------
"$GRADER" mutants -r mutants/mutant_e_return.c -s "$g/spec.json" --validate \
	>"$OUT/baseline.out" 2>"$OUT/baseline.err"
st=$?
if [ $st -eq 3 ]; then ok "exit 3"; else bad "exit 3 (got $st)" "$(cat "$OUT/baseline.err")"; fi
contains "it says the baseline is broken, and why" "$OUT/baseline.err" "baseline broken: the reference 'mutants/mutant_e_return.c' must pass everything"
contains "it names the failing test" "$OUT/baseline.err" "test_implant_bounds: fail"
if [ -s "$OUT/baseline.out" ]; then bad "no matrix after a broken baseline" "$(cat "$OUT/baseline.out")"
else ok "no matrix after a broken baseline"; fi

echo "gate: --changed-since and progress"
# ---------------------------------------------------------------------------
c=$(tmpdir)
small_pack "$c" '["references/ref_solution.c", "alternatives/alt_1.c"]' \
	'["mutants/mutant_a_boundary.c", "mutants/mutant_e_return.c"]'
cp alternatives/alt_1.c "$c/alternatives/"
cp mutants/mutant_a_boundary.c mutants/mutant_e_return.c "$c/mutants/"
git -C "$c" init -q && git -C "$c" add -A &&
	git -C "$c" -c user.name=pack-test -c user.email=pack-test@localhost commit -qm base
printf '/* touched */\n' >>"$c/mutants/mutant_e_return.c"
"$GRADER" mutants -r "$c/references/ref_solution.c" -s "$c/spec.json" --validate --json \
	--changed-since HEAD >"$OUT/changed.json" 2>"$OUT/changed.err"
st=$?
if [ $st -eq 0 ]; then ok "exit 0"; else bad "exit 0 (got $st)" "$(cat "$OUT/changed.err")"; fi
jqtrue "only the changed file was graded" "$OUT/changed.json" \
	'.partial and ([.submissions[].file] == ["mutants/mutant_e_return.c"])'
"$GRADER" mutants -r "$c/references/ref_solution.c" -s "$c/spec.json" --changed-since NO-SUCH-REV \
	>/dev/null 2>"$OUT/changed-bad.err"
st=$?
if [ $st -eq 2 ]; then ok "an unknown revision is a usage error (exit 2)"
else bad "an unknown revision is a usage error (exit 2, got $st)" "$(cat "$OUT/changed-bad.err")"; fi
if command -v script >/dev/null 2>&1; then
	script -qec "$GRADER mutants -r $c/references/ref_solution.c -s $c/spec.json --changed-since HEAD" \
		/dev/null >"$OUT/tty.out" 2>&1 </dev/null
	contains "on a terminal, progress: which file, how many left" "$OUT/tty.out" \
		"mutants/mutant_e_return.c: some tests fail in"
	contains "on a terminal, progress counts down" "$OUT/tty.out" "0 left"
else
	skip "progress on a terminal: script(1) is not installed (bsdutils)"
fi

echo "gate: a mutant that only loses points is noticed, not killed"
# ---------------------------------------------------------------------------
n=$(tmpdir)
small_pack "$n" '["references/ref_solution.c"]' '["mutants/mutant_e_return.c"]'
cp mutants/mutant_e_return.c "$n/mutants/"
# the test that sees mutant E's fault neither required nor a trap: its
# failure costs points only, and the rest reaches the passing score
jq '(.moulinette.tests[] | select(.name == "test_implant_bounds")) |= (.required = false | .trap = false | del(.trap_explanation) | del(.en.trap_explanation))' \
	"$n/spec.json" >"$n/spec.tmp" && mv "$n/spec.tmp" "$n/spec.json"
"$GRADER" test -s "$n/spec.json" -f "$n/mutants/mutant_e_return.c" --json >"$OUT/noticed-test.json" 2>/dev/null
st=$?
if [ $st -eq 0 ]; then ok "the student verdict of that mutant is PASS (exit 0)"
else bad "the student verdict of that mutant is PASS (exit 0, got $st)" "$(head -c 2000 "$OUT/noticed-test.json")"; fi
"$GRADER" mutants -r "$n/references/ref_solution.c" -s "$n/spec.json" --validate --json \
	--junit "$OUT/noticed-junit.xml" --report "$OUT/noticed-report.json" >"$OUT/noticed.json" 2>"$OUT/noticed.err"
st=$?
if [ $st -eq 1 ]; then ok "grader mutants --validate fails (exit 1)"
else bad "grader mutants --validate fails (exit 1, got $st)" "$(cat "$OUT/noticed.err")"; fi
jqtrue "its verdict is noticed, by the test that lost points" "$OUT/noticed.json" \
	'.submissions[] | select(.file == "mutants/mutant_e_return.c") | .verdict == "noticed" and .noticed_by == ["test_implant_bounds"] and .passed and (.ok | not)'
jqtrue "the why says a student would pass it and what to do" "$OUT/noticed.json" \
	'.submissions[] | select(.file == "mutants/mutant_e_return.c") | .why | contains("so a student would get PASS") and contains("required")'
jqtrue "it is not counted as killed" "$OUT/noticed.json" '.counts.noticed == 1 and .counts.killed == 0 and .mutation_score == 0'
expect "JUnit: a failure of type noticed, naming the test" python3 -c '
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
f = {c.get("name"): c.find("failure") for c in root.iter("testcase")}
n = f["mutants/mutant_e_return.c"]
assert n is not None and n.get("type") == "noticed" and "test_implant_bounds" in n.get("message"), n
' "$OUT/noticed-junit.xml"
jqtrue "Stryker: Survived, the reason names the test and the PASS" "$OUT/noticed-report.json" \
	'[.files[].mutants[]] | length == 1 and .[0].status == "Survived" and (.[0].statusReason | contains("student verdict is PASS") and contains("test_implant_bounds")) and .[0].killedBy == []'
"$GRADER" mutants -r "$n/references/ref_solution.c" -s "$n/spec.json" --validate \
	>"$OUT/noticed.txt" 2>/dev/null
contains "the matrix flags the row" "$OUT/noticed.txt" "! mutants/mutant_e_return.c"
contains "the matrix says noticed" "$OUT/noticed.txt" " noticed "
contains "the summary counts it" "$OUT/noticed.txt" "0/1 killed, 1 noticed"
if grep -F 'mutants/mutant_e_return.c' "$OUT/noticed.txt" | grep -q ' f'; then
	ok "a small letter: the failure cost points only"
else bad "a small letter: the failure cost points only" "$(cat "$OUT/noticed.txt")"; fi

echo "student verdict: every file of the pack, graded as a student would"
# ---------------------------------------------------------------------------
# grader test on each file: exit 1 and passed false for every expected_fail,
# exit 0 and 100 for every expected_pass (what grader mutants judges, seen
# from the student's command)
while read -r f; do
	"$GRADER" test -s spec.json -f "$f" --json >"$OUT/student.json" 2>/dev/null
	st=$?
	if [ $st -eq 1 ] && [ "$(jq -r '.passed == false and .verdict == "refused" and (.refused_because | length) > 0' "$OUT/student.json")" = true ]; then
		ok "$f: refused ($(jq -r '.refused_because[0].text' "$OUT/student.json"))"
	else bad "$f: refused (exit 1, passed false)" "status $st" "$(head -c 1500 "$OUT/student.json")"; fi
done < <(jq -r '.validation.expected_fail[]' spec.json)
while read -r f; do
	"$GRADER" test -s spec.json -f "$f" --json >"$OUT/student.json" 2>/dev/null
	st=$?
	if [ $st -eq 0 ] && [ "$(jq -r '.passed and .score == 100 and ((.bonus == null) or (.bonus.score == .bonus.max_score))' "$OUT/student.json")" = true ]; then
		ok "$f: passed with 100"
	else bad "$f: passed with 100 (exit 0)" "status $st" "$(jq -c '.refused_because' "$OUT/student.json" | head -c 1500)"; fi
done < <(jq -r '.validation.expected_pass[]' spec.json)

echo "determinism: five runs of the pack give the same verdicts and scores"
# ---------------------------------------------------------------------------
verdicts() { jq -c '[.submissions[] | [.file, .verdict, .score, .bonus_score, ([.tests | to_entries[] | [.key, .value.status]])]]' "$1"; }
verdicts "$OUT/pack.json" >"$OUT/det.0"
same=1
for i in 1 2 3 4; do
	"$GRADER" mutants -r references/ref_solution.c -s spec.json --json >"$OUT/det.json" 2>/dev/null
	verdicts "$OUT/det.json" >"$OUT/det.$i"
	if ! cmp -s "$OUT/det.0" "$OUT/det.$i"; then
		same=0
		bad "run $((i + 1)) differs from the first" "$(diff <(jq . "$OUT/det.0") <(jq . "$OUT/det.$i") | head -20)"
	fi
done
[ $same -eq 1 ] && ok "5 runs, the same verdicts, scores and test statuses"

suite_end pack-test
