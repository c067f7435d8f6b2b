/* test_grade.c - whole grades: the reference passes with 100, and each bad
 * submission of tests/grader/submissions gets the verdict its defect calls
 * for, with a message that names the cause */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grader_tests.h"

#define SUB "tests/grader/submissions/"

static void has(const char *haystack, const char *needle)
{
	cr_assert(haystack && strstr(haystack, needle) != NULL,
		  "'%s' not found in: %s", needle, haystack ? haystack : "(null)");
}

Test(grade, reference_scores_100, .timeout = 120)
{
	static const char *const keys[] = {
		"score", "max_score", "passing_score", "passed", "seed", "compile",
		"norm", "tests", "bonus",
	};
	static const char *const tkeys[] = {
		"name", "status", "points", "max_points", "trap", "message", "reproduce",
	};
	struct run r;
	json_t *j = grade_json(&r, "references/ref_solution.c", "--seed", "12345", NULL);
	json_t *t;
	size_t i, k;

	cr_assert_not_null(j, "no JSON on stdout: %s\n%s", r.out, r.err);
	cr_assert_eq(r.status, 0, "%s", r.out);
	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		cr_assert_not_null(json_object_get(j, keys[k]), "no '%s'", keys[k]);
	cr_assert_eq(json_integer_value(json_object_get(j, "score")), 100, "%s", r.out);
	cr_assert_eq(json_integer_value(json_object_get(j, "max_score")), 100);
	cr_assert_eq(json_integer_value(json_object_get(j, "passing_score")), 70);
	cr_assert_eq(json_integer_value(json_object_get(j, "seed")), 12345);
	cr_assert(json_is_true(json_object_get(j, "passed")));
	cr_assert(json_is_true(json_object_get(json_object_get(j, "compile"), "ok")));
	cr_assert(json_is_true(json_object_get(json_object_get(j, "norm"), "ok")));
	cr_assert(json_is_array(json_object_get(json_object_get(j, "norm"), "violations")));
	cr_assert(json_is_null(json_object_get(j, "bonus")));
	cr_assert_eq(json_array_size(json_object_get(j, "tests")), 39);
	cr_assert_str_eq(json_string_value(json_object_get(j, "verdict")), "passed");
	cr_assert_eq(json_array_size(json_object_get(j, "refused_because")), 0);
	json_array_foreach(json_object_get(j, "tests"), i, t) {
		for (k = 0; k < sizeof(tkeys) / sizeof(tkeys[0]); k++)
			cr_assert_not_null(json_object_get(t, tkeys[k]), "no '%s'", tkeys[k]);
		cr_assert_str_eq(json_string_value(json_object_get(t, "status")), "pass",
				 "%s: %s", json_string_value(json_object_get(t, "name")),
				 json_string_value(json_object_get(t, "message")));
		has(json_string_value(json_object_get(t, "reproduce")), "--seed 12345");
	}
	json_array_foreach(json_object_get(j, "edge_cases"), i, t)
		cr_assert_str_eq(json_string_value(json_object_get(t, "status")), "pass");
	json_decref(j);
	run_release(&r);
}

Test(grade, reference_text_report, .timeout = 120)
{
	struct run r;

	grader_run(&r, false, "NO_COLOR=1", "test", "-s", "spec.json", "-f",
		   "references/ref_solution.c", NULL);
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	cr_assert(!strncmp(r.out, "passed: score 100/100 (passing 70), nothing blocking\n",
			   strlen("passed: score 100/100 (passing 70), nothing blocking\n")),
		  "first line: %s", r.out);
	has(r.out, "  PASS     test_io_exit ");
	has(r.out, "6/6");
	has(r.out, "score 100/100 (passing 70): PASS");
	cr_assert(strchr(r.out, '\033') == NULL, "colour on a pipe");
	run_release(&r);
}

Test(grade, bonus_reference_scores_100_twice, .timeout = 120)
{
	struct run r;
	json_t *j = grade_json(&r, "references/ref_solution_bonus.c", NULL);
	json_t *b;

	cr_assert_not_null(j, "%s", r.err);
	cr_assert_eq(r.status, 0, "%s", r.out);
	b = json_object_get(j, "bonus");
	cr_assert(json_is_object(b), "the bonus table is graded when "
		  "maeve_tries_to_escape is defined");
	cr_assert_eq(json_integer_value(json_object_get(b, "score")), 100, "%s", r.out);
	json_decref(j);
	run_release(&r);
}

Test(grade, missing_munmap_is_a_leak_naming_the_mapping, .timeout = 120)
{
	struct run r;
	json_t *j = grade_json(&r, SUB "leak_kvm_run.c", NULL);
	const char *m;

	cr_assert_not_null(j, "%s", r.err);
	cr_assert_eq(r.status, 1);
	cr_assert_str_eq(report_status(j, "test_lifecycle_leak"), "leak");
	m = report_message(j, "test_lifecycle_leak");
	has(m, "1 mapping never unmapped (8192 bytes)");
	has(m, "mmap of 8192 bytes at leak_kvm_run.c:");
	has(m, "(kvm_create_vcpu)");
	cr_assert(json_is_true(json_object_get(report_test(j, "test_lifecycle_leak"), "trap")));
	cr_assert_str_eq(report_status(j, "test_null_kvm"), "pass");
	json_decref(j);
	run_release(&r);
}

Test(grade, unchecked_calloc_crashes_in_the_allocation_sweep, .timeout = 120)
{
	struct run r;
	json_t *j = grade_json(&r, SUB "no_null_check.c", "--only", "test_alloc_failures",
			       NULL);
	const char *m;

	cr_assert_not_null(j, "%s", r.err);
	cr_assert_str_eq(report_status(j, "test_alloc_failures"), "crash");
	m = report_message(j, "test_alloc_failures");
	has(m, "SIGSEGV");
	has(m, "calloc at no_null_check.c:");
	has(m, "(serial_create)) made to fail");
	has(m, "NULL pointer");
	json_decref(j);
	run_release(&r);
}

Test(grade, hlt_that_never_stops_times_out, .timeout = 120)
{
	struct run r;
	json_t *j = grade_json(&r, SUB "hlt_loop.c", "--only", "test_hlt_exit", NULL);

	cr_assert_not_null(j, "%s", r.err);
	cr_assert_eq(r.status, 1);
	cr_assert_str_eq(report_status(j, "test_hlt_exit"), "timeout");
	has(report_message(j, "test_hlt_exit"),
	    "timeout after 200 ms of CPU time in dolores_wakes_up()");
	has(report_message(j, "test_hlt_exit"), "a HLT that does not stop the run loop?");
	cr_assert_str_eq(report_status(j, "test_io_exit"), "not_run");
	cr_assert(r.seconds < WALL_BOUND(&r, 10), "a 200 ms timeout took %.1f s", r.seconds);
	json_decref(j);
	run_release(&r);
}

Test(grade, exit_0_in_a_test_fails_that_test_only, .timeout = 120)
{
	struct run r;
	json_t *j = grade_json(&r, SUB "exit_passed.c", NULL);
	json_t *t;

	cr_assert_not_null(j, "%s", r.err);
	cr_assert_eq(r.status, 1);
	cr_assert_str_eq(report_status(j, "test_implant_bounds"), "fail");
	has(report_message(j, "test_implant_bounds"), "called exit(0) at exit_passed.c:");
	has(report_message(j, "test_implant_bounds"), "middle of the test");
	t = report_test(j, "test_implant_bounds");
	has(json_string_value(json_object_get(t, "output")), "PASSED");
	/* the tests after it ran in a new worker */
	cr_assert_str_eq(report_status(j, "test_lifecycle_leak"), "pass");
	cr_assert_str_eq(report_status(j, "test_fuzz_memory_mb"), "pass");
	cr_assert_str_eq(report_status(j, "test_hlt_exit"), "pass");
	/* exit() is outside the norm: a blocking violation */
	cr_assert(json_is_false(json_object_get(json_object_get(j, "norm"), "ok")));
	cr_assert_eq(json_integer_value(json_object_get(j, "score")), 0);
	json_decref(j);
	run_release(&r);
}

Test(grade, compile_error_is_a_verdict, .timeout = 60)
{
	struct run r;
	json_t *j = grade_json(&r, SUB "compile_error.c", NULL);
	json_t *c, *t;
	size_t i;

	cr_assert_not_null(j, "%s", r.err);
	cr_assert_eq(r.status, 1);
	c = json_object_get(j, "compile");
	cr_assert(json_is_false(json_object_get(c, "ok")));
	has(json_string_value(json_object_get(c, "message")), "compile_error.c:");
	has(json_string_value(json_object_get(c, "message")), "error: expected");
	cr_assert_eq(json_integer_value(json_object_get(j, "score")), 0);
	json_array_foreach(json_object_get(j, "tests"), i, t)
		cr_assert_str_eq(json_string_value(json_object_get(t, "status")), "not_run");
	json_decref(j);
	run_release(&r);
}

Test(grade, warnings_are_errors_as_in_the_document, .timeout = 60)
{
	struct run r;
	json_t *j = grade_json(&r, SUB "compile_werror.c", NULL);

	cr_assert_not_null(j, "%s", r.err);
	cr_assert_eq(r.status, 1);
	has(json_string_value(json_object_get(json_object_get(j, "compile"), "message")),
	    "unused variable");
	json_decref(j);
	run_release(&r);
}

Test(grade, main_or_missing_function_is_a_build_verdict, .timeout = 60)
{
	struct run r;
	json_t *j = grade_json(&r, SUB "defines_main.c", NULL);

	cr_assert_not_null(j, "%s", r.err);
	cr_assert_eq(r.status, 1);
	has(json_string_value(json_object_get(json_object_get(j, "compile"), "message")),
	    "defines main()");
	json_decref(j);
	run_release(&r);
	j = grade_json(&r, SUB "missing_function.c", NULL);
	cr_assert_not_null(j, "%s", r.err);
	cr_assert_eq(r.status, 1);
	has(json_string_value(json_object_get(json_object_get(j, "compile"), "message")),
	    "missing required function: ept_set_permissions()");
	json_decref(j);
	run_release(&r);
}

Test(grade, forbidden_call_is_a_blocking_norm_violation, .timeout = 120)
{
	struct run r;
	json_t *j = grade_json(&r, SUB "norm_open.c", "--only", "test_kvm_open", NULL);
	json_t *v, *n;
	size_t i;
	bool open_seen = false;

	cr_assert_not_null(j, "%s", r.err);
	cr_assert_eq(r.status, 1);
	n = json_object_get(j, "norm");
	cr_assert(json_is_false(json_object_get(n, "ok")));
	json_array_foreach(json_object_get(n, "violations"), i, v)
		if (!strcmp(json_string_value(json_object_get(v, "function")), "open")) {
			open_seen = true;
			has(json_string_value(json_object_get(v, "location")), "norm_open.c:");
			has(json_string_value(json_object_get(v, "location")), "(kvm_open)");
		}
	cr_assert(open_seen, "open() not among the violations: %s", r.out);
	cr_assert_eq(json_integer_value(json_object_get(j, "score")), 0);
	/* blocked at run time as well */
	has(report_message(j, "test_kvm_open"), "called open() at norm_open.c:");
	json_decref(j);
	run_release(&r);
}

Test(grade, seed_is_replayed, .timeout = 120)
{
	struct run r;
	json_t *j = grade_json(&r, "references/ref_solution.c", "--only",
			       "test_fuzz_memory_mb", "--seed", "777", NULL);

	cr_assert_not_null(j, "%s", r.err);
	cr_assert_eq(json_integer_value(json_object_get(j, "seed")), 777);
	cr_assert_str_eq(report_status(j, "test_fuzz_memory_mb"), "pass");
	has(json_string_value(json_object_get(report_test(j, "test_fuzz_memory_mb"),
					      "reproduce")),
	    "--only test_fuzz_memory_mb --seed 777");
	json_decref(j);
	run_release(&r);
}

Test(grade, without_valgrind_it_runs_natively_and_says_so, .timeout = 120)
{
	struct run r;
	json_t *j;

	grader_run(&r, false, "GRADER_VALGRIND=no-such-valgrind", "test", "-s", "spec.json",
		   "-f", "references/ref_solution.c", "--json", NULL);
	j = json_loads(r.out, 0, NULL);
	cr_assert_not_null(j, "%s", r.err);
	cr_assert_eq(r.status, 0, "%s", r.out);
	cr_assert(json_is_false(json_object_get(j, "valgrind")));
	has(json_string_value(json_object_get(j, "note")), "is not installed");
	has(r.err, "is not installed");
	cr_assert_eq(json_integer_value(json_object_get(j, "score")), 100);
	json_decref(j);
	run_release(&r);
	/* and the wrappers still catch a leaked mapping */
	grader_run(&r, false, "GRADER_VALGRIND=no-such-valgrind", "test", "-s", "spec.json",
		   "-f", SUB "leak_kvm_run.c", "--json", "--only", "test_lifecycle_leak", NULL);
	j = json_loads(r.out, 0, NULL);
	cr_assert_not_null(j, "%s", r.err);
	cr_assert_str_eq(report_status(j, "test_lifecycle_leak"), "leak");
	json_decref(j);
	run_release(&r);
}

Test(grade, fuzzing_against_the_reference_oracle, .timeout = 120)
{
	struct run r;
	json_t *j;

	grader_run(&r, false, NULL, "test", "-s", "tests/grader/specs/oracle_reference.json",
		   "-f", "references/ref_solution.c", "--json", NULL);
	j = json_loads(r.out, 0, NULL);
	cr_assert_not_null(j, "%s", r.err);
	cr_assert_eq(r.status, 0, "%s", r.out);
	cr_assert_str_eq(report_status(j, "test_fuzz_memory_mb"), "pass");
	json_decref(j);
	run_release(&r);
	grader_run(&r, false, NULL, "test", "-s", "tests/grader/specs/oracle_reference.json",
		   "-f", SUB "leak_kvm_run.c", "--json", NULL);
	j = json_loads(r.out, 0, NULL);
	cr_assert_not_null(j, "%s", r.err);
	cr_assert_str_eq(report_status(j, "test_fuzz_memory_mb"), "leak");
	json_decref(j);
	run_release(&r);
}

/* The pass rule: a blocking finding refuses the file whatever its score,
 * and the report's first line says which. */
Test(grade, a_crash_refuses_whatever_the_score, .timeout = 120)
{
	struct run r;
	json_t *j = grade_json(&r, SUB "no_null_check.c", "--only", "test_alloc_failures",
			       NULL);
	json_t *b;

	cr_assert_not_null(j, "%s", r.err);
	cr_assert_eq(r.status, 1);
	cr_assert(json_is_false(json_object_get(j, "passed")));
	cr_assert_str_eq(json_string_value(json_object_get(j, "verdict")), "refused");
	b = json_array_get(json_object_get(j, "refused_because"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(b, "kind")), "crash");
	cr_assert_str_eq(json_string_value(json_object_get(b, "test")), "test_alloc_failures");
	cr_assert_str_eq(json_string_value(json_object_get(report_test(j,
			 "test_alloc_failures"), "blocking")), "crash");
	/* the tests --only left out are no finding */
	cr_assert(json_is_null(json_object_get(report_test(j, "test_kvm_open"), "blocking")));
	json_decref(j);
	run_release(&r);

	grader_run(&r, false, "NO_COLOR=1", "test", "-s", "spec.json", "-f",
		   SUB "no_null_check.c", "--only", "test_alloc_failures", NULL);
	cr_assert_eq(r.status, 1);
	cr_assert(!strncmp(r.out, "refused: a crash in test_alloc_failures \u2014 blocking",
			   strlen("refused: a crash in test_alloc_failures \u2014 blocking")),
		  "first line: %s", r.out);
	has(r.out, "trap, blocking");
	run_release(&r);
}

Test(grade, a_bonus_that_never_detects_earns_nothing_and_refuses, .timeout = 120)
{
	struct run r;
	json_t *j = grade_json(&r, "mutants/refused_bonus_1_never_detects.c", NULL);
	json_t *bonus, *b;
	size_t i;
	bool from_bonus = false;

	cr_assert_not_null(j, "%s", r.err);
	cr_assert_eq(r.status, 1, "%s", r.out);
	bonus = json_object_get(j, "bonus");
	cr_assert(json_is_true(json_object_get(bonus, "forfeit")));
	cr_assert_eq(json_integer_value(json_object_get(bonus, "score")), 0);
	cr_assert_gt(json_integer_value(json_object_get(bonus, "earned")), 0,
		     "the tests' points stay as partial credit");
	json_array_foreach(json_object_get(j, "refused_because"), i, b)
		from_bonus = from_bonus ||
			     !strcmp(json_string_value(json_object_get(b, "table")), "bonus");
	cr_assert(from_bonus, "%s", r.out);
	json_decref(j);
	run_release(&r);
}

/* A copy of the reference with one line changed, for the tests below. */
static const char *variant(const char *name, const char *from, const char *to)
{
	static char path[256];
	size_t len;
	char *text = NULL, *at;
	FILE *f = fopen("references/ref_solution.c", "r"), *o;

	cr_assert_not_null(f);
	text = malloc(1 << 20);
	len = fread(text, 1, (1 << 20) - 1, f);
	text[len] = '\0';
	fclose(f);
	at = strstr(text, from);
	cr_assert_not_null(at, "'%s' not in the reference", from);
	snprintf(path, sizeof(path), "build/grader/%s", name);
	o = fopen(path, "w");
	cr_assert_not_null(o);
	fwrite(text, 1, (size_t)(at - text), o);
	fputs(to, o);
	fputs(at + strlen(from), o);
	fclose(o);
	free(text);
	return path;
}

/* The document's code does not compile with the document's flags: say why. */
Test(grade, map_anonymous_under_c17_gets_a_hint, .timeout = 60)
{
	struct run r;
	json_t *j = grade_json(&r, variant("no_default_source.c", "#define _DEFAULT_SOURCE\n",
					   ""), NULL);

	cr_assert_not_null(j, "%s", r.err);
	cr_assert_eq(r.status, 1);
	has(json_string_value(json_object_get(json_object_get(j, "compile"), "message")),
	    "hint: MAP_ANONYMOUS and MAP_NORESERVE are not ISO C");
	has(json_string_value(json_object_get(json_object_get(j, "compile"), "message")),
	    "#define _DEFAULT_SOURCE");
	json_decref(j);
	run_release(&r);
}

/* A function of the contract that is missing is a build verdict, not a
 * call the norm forbids. */
Test(grade, missing_contract_function_is_no_norm_violation, .timeout = 60)
{
	struct run r;
	json_t *j = grade_json(&r, variant("no_ept_create.c",
					   "EptContext *ept_create(uint64_t guest_size)\n",
					   "EptContext *ept_build(uint64_t guest_size)\n"), NULL);
	json_t *v;
	size_t i;

	cr_assert_not_null(j, "%s", r.err);
	cr_assert_eq(r.status, 1);
	has(json_string_value(json_object_get(json_object_get(j, "compile"), "message")),
	    "missing required function: ept_create()");
	json_array_foreach(json_object_get(json_object_get(j, "norm"), "violations"), i, v)
		cr_assert(strcmp(json_string_value(json_object_get(v, "function")),
				 "ept_create"), "ept_create() reported as a norm violation");
	json_decref(j);
	run_release(&r);
}
