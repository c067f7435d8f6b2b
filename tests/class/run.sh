#!/usr/bin/env bash
# run.sh - the tests of grader class (make class-test)
#
#   1. A generated class (tests/class/gen_class.sh: folders, flat files,
#      Moodle and Gradescope exports; right solutions, mutants, a timeout,
#      a fork storm, one that does not build; no C file, two candidates, a
#      binary, an unreadable file) graded with -j 2: each student's
#      verdict, the grades identical to grader test's, the problems
#      reported, the provenance of each grade.
#   2. The cache: a rerun regrades nothing (and is fast), a changed
#      submission is the only one regraded, --regrade regrades.
#   3. Ctrl-C in the middle: exit 1, no half-written file, and the rerun
#      keeps every grade finished before and ends with the same gradebook.
#   4. class.html in headless Chromium.
#   5. grader test --format gradescope|prairielearn|autolab against the
#      schemas of tests/class/schemas (and a wrong document rejected).
#   6. The Gradescope package: make gradescope, run_autograder against a
#      scratch root.
#   7. The same class through a single-node Slurm cluster
#      (tests/class/slurm.sh): the same gradebook; SKIP, loudly, when
#      Slurm cannot start here.
# Prints one line per check; exit 1 if any failed.
set -u
SUITE=class-test
OUT=${CLASS_TEST_OUT:-build/class-test}
. "$(dirname "$0")/../lib.sh"
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3   # the Debian jsonschema

book() { $PY tests/class/book.py "$@"; }
now_ms() { date +%s%3N; }

IN=$OUT/in
tests/class/gen_class.sh "$IN"

echo "a class graded with -j 2"
# ---------------------------------------------------------------------------
t0=$(now_ms)
"$GRADER" class -s spec.json "$IN/cls" "$IN/gs" -o "$OUT/a" -j 2 >"$OUT/a.out" 2>"$OUT/a.err"
st=$?
first_ms=$(( $(now_ms) - t0 ))
if [ $st -eq 0 ]; then ok "exit 0: every gradable student graded (${first_ms} ms)"
else bad "exit 0: every gradable student graded" "status $st" "$(cat "$OUT/a.err")"; fi
book verdicts "$OUT/a/gradebook.csv" >"$OUT/a.verdicts"
# student  verdict  score-or-*  a reason that must be listed (or -)
while read -r who verdict score reason; do
	line=$(grep "^$who " "$OUT/a.verdicts")
	set -- $line
	if [ "${2:-}" = "$verdict" ] && { [ "$score" = '*' ] || [ "${3:-}" = "$score" ]; } &&
	   { [ "$reason" = - ] || [[ "$line" == *"$reason"* ]]; }; then
		ok "$who: $verdict${score:+ $score} ${reason/#-/}"
	else
		bad "$who: expected $verdict $score $reason" "got: $line"
	fi
done <<'EXPECT'
alice passed 100 -
bob passed 100 -
9001 passed 100 -
carol refused * crash
dan refused * leak
4242 refused * timeout
4243 refused * forbidden_call
9002 refused * -
frank refused 0 build
empty no_submission 0 -
two no_submission 0 -
gina no_submission 0 -
hank no_submission 0 -
EXPECT
n=$(wc -l <"$OUT/a.verdicts")
[ "$n" -eq 13 ] && ok "13 students, README.txt not one of them" || bad "13 students" "$(cat "$OUT/a.verdicts")"
contains "the summary counts the class" "$OUT/a.out" "class: 13 students, 9 graded (9 now, 0 from the cache), 3 passed, 6 refused"
contains "the summary: the folder with no C file" "$OUT/a.out" "no submission  empty: no C file in"
contains "the summary: two candidate files" "$OUT/a.out" "no submission  two: 2 candidate C files"
contains "the summary: the binary" "$OUT/a.out" "no submission  gina: 'gina.c' is a binary file, not C source"
contains "the summary: the unreadable file" "$OUT/a.out" "no submission  hank: cannot read 'hank.c'"
[ "$(book field "$OUT/a/gradebook.csv" 4242 name)" = "Jean Dupont" ] && ok "Moodle: student 4242 is Jean Dupont" || bad "Moodle: student 4242 is Jean Dupont" "$(book field "$OUT/a/gradebook.csv" 4242 name)"
[ "$(book field "$OUT/a/gradebook.csv" 9001 name)" = "Ada Lovelace" ] && ok "Gradescope: student 9001 is Ada Lovelace" || bad "Gradescope: student 9001 is Ada Lovelace"
head -1 "$OUT/a/gradebook.csv" | grep -q '^student,name,score,max_score,passed,verdict,refused_because,test_kvm_open,.*,test_fuzz_memory_mb,bonus_score,time_ms,seed,layout,problem' &&
	ok "gradebook columns: student, score, passed, refused-because, a column per test, time, seed" ||
	bad "gradebook columns" "$(head -1 "$OUT/a/gradebook.csv")"
jqtrue "grade.json: seed, spec and grader hashes, key" "$OUT/a/students/carol/grade.json" \
	'(.seed == 20261202) and (.spec_sha256 | length == 64) and (.grader_sha256 | length == 64) and (.key | length == 64)'
# the class's grade is grader test's: same score, verdict, reasons, statuses
for who in carol:$IN/cls/carol.c 9002:$IN/gs/submission_102/hypervisor_sim.c bob:$IN/cls/bob/hypervisor_sim.c; do
	id=${who%%:*} f=${who#*:}
	hdr=(); [ "$id" = bob ] && hdr=(-H "$IN/cls/bob/hypervisor_sim.h")
	"$GRADER" test -s spec.json -f "$f" "${hdr[@]}" --json >"$OUT/single-$id.json" 2>/dev/null
	sig='[.score, .verdict, [.refused_because[].kind], [.tests[].status], .seed]'
	if [ "$(jq -c "$sig" "$OUT/single-$id.json")" = "$(jq -c "$sig" "$OUT/a/students/$id/report.json")" ]; then
		ok "$id: the grade is grader test's ($(jq -c '[.score, .verdict]' "$OUT/single-$id.json"))"
	else
		bad "$id: the grade is grader test's" "$(jq -c "$sig" "$OUT/single-$id.json")" "$(jq -c "$sig" "$OUT/a/students/$id/report.json")"
	fi
done
contains "each student's text report" "$OUT/a/students/carol/report.txt" "CRASH    test_rip_bound"
[ ! -e "$OUT/a/students/empty/report.json" ] && jqtrue "no report for a student without a C file, the reason in grade.json" \
	"$OUT/a/students/empty/grade.json" '.state == "no_submission" and (.problem | test("no C file"))'

echo "the cache: a rerun regrades only what changed"
# ---------------------------------------------------------------------------
cp "$OUT/a/gradebook.csv" "$OUT/a.csv"
m0=$(stat -c %Y.%N "$OUT/a/gradebook.csv" 2>/dev/null || stat -c %Y "$OUT/a/gradebook.csv")
t0=$(now_ms)
"$GRADER" class -s spec.json "$IN/cls" "$IN/gs" -o "$OUT/a" -j 2 >"$OUT/a2.out" 2>&1
rerun_ms=$(( $(now_ms) - t0 ))
contains "rerun: nothing regraded" "$OUT/a2.out" "9 graded (0 now, 9 from the cache)"
[ "$rerun_ms" -lt 2000 ] && ok "rerun in ${rerun_ms} ms (< 2 s)" || bad "rerun in < 2 s" "${rerun_ms} ms"
cmp -s "$OUT/a.csv" "$OUT/a/gradebook.csv" && ok "rerun: the same gradebook" || bad "rerun: the same gradebook" "$(diff "$OUT/a.csv" "$OUT/a/gradebook.csv")"
printf '/* a late fix */\n' >>"$IN/cls/carol.c"
"$GRADER" class -s spec.json "$IN/cls" "$IN/gs" -o "$OUT/a" -j 2 >"$OUT/a3.out" 2>"$OUT/a3.err"
contains "a changed submission: only it regraded" "$OUT/a3.out" "9 graded (1 now, 8 from the cache)"
contains "...and it is carol" "$OUT/a3.err" "] carol: "
"$GRADER" class -s spec.json "$IN/cls/alice" -o "$OUT/r" -j 1 >/dev/null 2>&1
"$GRADER" class -s spec.json "$IN/cls/alice" -o "$OUT/r" -j 1 --regrade >"$OUT/r.out" 2>&1
contains "--regrade grades again" "$OUT/r.out" "1 graded (1 now, 0 from the cache)"

echo "interrupted with Ctrl-C, then resumed"
# ---------------------------------------------------------------------------
"$GRADER" class -s spec.json "$IN/cls" "$IN/gs" -o "$OUT/b" -j 2 >"$OUT/b1.out" 2>"$OUT/b1.err" &
pid=$!
for _ in $(seq 1 600); do
	n=$(ls "$OUT/b/cache/" 2>/dev/null | grep -c '\.json$')
	[ "$n" -ge 2 ] && break
	sleep 0.1
done
kill -INT "$pid"
wait "$pid"
st=$?
kept=$(ls "$OUT/b/cache/" | grep -c '\.json$')
[ $st -eq 1 ] && ok "interrupted: exit 1 with $kept grades kept" || bad "interrupted: exit 1" "status $st" "$(tail -5 "$OUT/b1.err")"
contains "interrupted: says how to go on" "$OUT/b1.err" "interrupted: every finished grade is kept; rerun the same command to go on"
left=$(find "$OUT/b" -name '*.tmp.*' | head -5)
[ -z "$left" ] && ok "interrupted: no half-written file" || bad "interrupted: no half-written file" "$left"
pgrep -f "$OUT/b" >/dev/null && bad "interrupted: no process left" "$(pgrep -af "$OUT/b")" || ok "interrupted: no process left"
"$GRADER" class -s spec.json "$IN/cls" "$IN/gs" -o "$OUT/b" -j 2 >"$OUT/b2.out" 2>"$OUT/b2.err"
st=$?
[ $st -eq 0 ] && ok "resumed: exit 0" || bad "resumed: exit 0" "status $st"
contains "resumed: the $kept grades kept are not redone" "$OUT/b2.out" "9 graded ($((9 - kept)) now, $kept from the cache)"
expect "resumed: the same gradebook as the uninterrupted run" book same "$OUT/a.csv" "$OUT/b/gradebook.csv"

echo "class.html"
# ---------------------------------------------------------------------------
H=$OUT/a/class.html
contains "the histogram" "$H" 'id="histogram"'
contains "the pass rate of each test" "$H" '<td>test_hlt_exit</td>'
contains "the failures, with how many students share them" "$H" '<table id="failures">'
contains "the sandbox: 4243's fork stopped" "$H" '<tr><td>4243</td><td></td><td>fork</td></tr>'
contains "the sandbox: 4242's timeouts" "$H" '<tr><td>4242</td><td>test_hlt_exit'
contains "not graded: gina, and why" "$H" "<tr><td>gina</td><td>'gina.c' is a binary file"
if ! command -v chromium >/dev/null 2>&1; then
	tools/ensure-deps.sh browser >"$OUT/ensure-browser.log" 2>&1 || true
fi
if ! command -v chromium >/dev/null 2>&1; then
	skip "class.html in headless Chromium: chromium is not installed and could not be; install it: apt-get install chromium"
else
	d=$(tmpdir)
	timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --user-data-dir="$d" \
		--window-size=1200,1600 --dump-dom "file://$PWD/$H" >"$OUT/class-dom.html" 2>>"$OUT/chromium.log"
	timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --user-data-dir="$d" \
		--window-size=1200,1600 --screenshot="$PWD/$OUT/class.png" "file://$PWD/$H" >/dev/null 2>>"$OUT/chromium.log"
	rm -rf "$d"
	contains "Chromium: the page renders, summary first" "$OUT/class-dom.html" '13 students, 9 graded, 3 passed, 6 refused, 4 not graded'
	contains "Chromium: eleven histogram columns" "$OUT/class-dom.html" '<span class="lab">100</span>'
	n=$(grep -o '<tr><td>test_[a-z0-9_]*</td><td>[0-9]*/9</td>' "$OUT/class-dom.html" | wc -l)
	[ "$n" -eq "$(jq '.tests | length' "$OUT/a/students/alice/report.json")" ] && ok "Chromium: a pass rate row per test ($n)" || bad "Chromium: a pass rate row per test" "$n rows"
	[ -s "$OUT/class.png" ] && ok "Chromium: a screenshot ($OUT/class.png)" || bad "Chromium: a screenshot" "$(tail -3 "$OUT/chromium.log")"
fi

echo "grader test --format: the learning platforms' shapes"
# ---------------------------------------------------------------------------
for f in references/ref_solution.c mutants/mutant_a_boundary.c; do
	b=$(basename "$f" .c)
	"$GRADER" test -s spec.json -f "$f" --format gradescope >"$OUT/$b.gs.json" 2>/dev/null
	"$GRADER" test -s spec.json -f "$f" --format prairielearn >"$OUT/$b.pl.json" 2>/dev/null
	"$GRADER" test -s spec.json -f "$f" --format autolab >"$OUT/$b.al.txt" 2>/dev/null
	expect "$b: Gradescope results.json against its schema" $PY tests/class/validate.py tests/class/schemas/gradescope.schema.json "$OUT/$b.gs.json"
	expect "$b: PrairieLearn results.json against its schema" $PY tests/class/validate.py tests/class/schemas/prairielearn.schema.json "$OUT/$b.pl.json"
	expect "$b: Autolab's last line against its schema" $PY tests/class/validate.py tests/class/schemas/autolab.schema.json "$OUT/$b.al.txt" --last-line
done
jqtrue "Gradescope: the reference scores 100, its verdict test passed" "$OUT/ref_solution.gs.json" '.score == 100 and .tests[0].name == "verdict" and .tests[0].status == "passed"'
jqtrue "Gradescope: mutant A scores 92 and its verdict test failed" "$OUT/mutant_a_boundary.gs.json" '.score == 92 and .tests[0].status == "failed" and (.tests[0].output | startswith("refused: a crash"))'
jqtrue "PrairieLearn: mutant A, score 0.92, the message says refused" "$OUT/mutant_a_boundary.pl.json" '.gradable and .score == 0.92 and (.message | startswith("refused"))'
[ "$(tail -1 "$OUT/mutant_a_boundary.al.txt" | jq '.scores.test_rip_bound')" = 0 ] && ok "Autolab: mutant A scores 0 in test_rip_bound" || bad "Autolab: test_rip_bound" "$(tail -1 "$OUT/mutant_a_boundary.al.txt")"
jq '.tests[1].status = "ok"' "$OUT/ref_solution.gs.json" >"$OUT/wrong.gs.json"
jq '.score = 92' "$OUT/ref_solution.pl.json" >"$OUT/wrong.pl.json"
if $PY tests/class/validate.py tests/class/schemas/gradescope.schema.json "$OUT/wrong.gs.json" 2>/dev/null ||
   $PY tests/class/validate.py tests/class/schemas/prairielearn.schema.json "$OUT/wrong.pl.json" 2>/dev/null; then
	bad "the schemas reject a wrong status and a score out of 0..1"
else
	ok "the schemas reject a wrong status and a score out of 0..1"
fi
"$GRADER" test -s spec.json -f /nonexistent.c --format prairielearn >"$OUT/nofile.pl.json" 2>/dev/null
jqtrue "PrairieLearn: a file the grader cannot read is not gradable" "$OUT/nofile.pl.json" '.gradable == false'

echo "the Gradescope package"
# ---------------------------------------------------------------------------
if make -s gradescope >"$OUT/gradescope.log" 2>&1; then
	$PY -m zipfile -l build/gradescope/autograder.zip >"$OUT/zip.list"
	for f in setup.sh run_autograder spec.json grader/main.c grader/harness/worker.c include/hypervisor_sim.h Makefile; do
		grep -q "^$f " "$OUT/zip.list" || bad "autograder.zip holds $f"
	done
	ok "make gradescope: autograder.zip with setup.sh, run_autograder and the sources"
	# what setup.sh builds: every source bin/grader needs is in the zip
	Z=$OUT/zip-tree
	rm -rf "$Z"
	mkdir -p "$Z"
	$PY -m zipfile -e build/gradescope/autograder.zip "$Z"
	if make -n -C "$Z" bin/grader >"$OUT/zip-make.log" 2>&1; then
		ok "the unzipped autograder has every source of bin/grader (make -n bin/grader)"
	else
		bad "the unzipped autograder builds bin/grader" "$(tail -5 "$OUT/zip-make.log")"
	fi
else
	bad "make gradescope" "$(cat "$OUT/gradescope.log")"
fi
R=$OUT/gsroot
mkdir -p "$R/submission/src" "$R/empty/submission"
cp mutants/mutant_a_boundary.c "$R/submission/src/hypervisor_sim.c"
AUTOGRADER_ROOT=$R GRADER_SOURCE=$PWD tools/gradescope/run_autograder
expect "run_autograder: results.json against the schema" $PY tests/class/validate.py tests/class/schemas/gradescope.schema.json "$R/results/results.json"
jqtrue "run_autograder: mutant A, 92 and refused" "$R/results/results.json" '.score == 92 and .tests[0].status == "failed"'
AUTOGRADER_ROOT=$R/empty GRADER_SOURCE=$PWD tools/gradescope/run_autograder
expect "run_autograder, no C file: results.json against the schema" $PY tests/class/validate.py tests/class/schemas/gradescope.schema.json "$R/empty/results/results.json"
jqtrue "run_autograder, no C file: 0 and why" "$R/empty/results/results.json" '.score == 0 and (.output | test("no C file"))'

echo "the same class through Slurm"
# ---------------------------------------------------------------------------
tests/class/slurm.sh "$IN" "$OUT/s" "$OUT/a.csv" >"$OUT/slurm.log" 2>&1
st=$?
sed 's/^/  /' "$OUT/slurm.log" | grep -E '^  +(ok|FAIL|SKIP) ' | sed 's/^  //'
passed=$((passed + $(grep -c '^ *ok ' "$OUT/slurm.log")))
failed=$((failed + $(grep -c '^ *FAIL ' "$OUT/slurm.log")))
skipped=$((skipped + $(grep -c '^ *SKIP ' "$OUT/slurm.log")))
[ $st -ne 0 ] && [ "$(grep -c '^ *FAIL ' "$OUT/slurm.log")" -eq 0 ] && bad "slurm.sh exit $st" "$(tail -20 "$OUT/slurm.log")"

suite_end class-test
