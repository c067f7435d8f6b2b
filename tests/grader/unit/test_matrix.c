/* test_matrix.c - matrix_judge(): the verdict of each file of a pack from
 * its report, and the counts and mutation score
 *
 * The reports are built here in the shape `grader test --json` writes
 * (only the fields the matrix reads), so each case says exactly what
 * happened to the file.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <string.h>

#include "matrix.h"
#include "spec.h"

static struct spec spec;
static struct matrix m;

static void setup(void)
{
	struct strlist problems = { 0 };
	char *err = NULL;

	cr_assert_eq(spec_load(&spec, "spec.json", &err), SPEC_LOADED, "%s", err);
	cr_assert_eq(spec_validate(&spec, 0, &problems), 0);
	cr_assert_geq(spec.base.n, 2);
	matrix_init(&m, &spec, "references/ref_solution.c", "references/ref_solution.c");
}

static void teardown(void)
{
	matrix_release(&m);
	spec_release(&spec);
}

TestSuite(matrix, .init = setup, .fini = teardown);

/* A report: every base test passed but the one named failed (if any),
 * with that status and blocking or not. */
static json_t *report(bool compiled, bool passed, int score, const char *failed,
		      const char *status, bool blocking)
{
	json_t *tests = json_array();
	size_t i;

	for (i = 0; i < spec.base.n; i++) {
		const char *name = spec.base.tests[i].name;
		bool bad = failed && !strcmp(name, failed);
		json_t *t = json_pack("{s:s, s:s, s:s, s:i}", "name", name, "status",
				      bad ? status : "pass", "message",
				      bad ? "expected 0, got -1" : "", "time_ms", 3);

		if (bad && blocking)
			json_object_set_new(t, "blocking", json_string("failed_required"));
		json_array_append_new(tests, t);
	}
	return json_pack("{s:{s:b, s:s}, s:i, s:i, s:b, s:o, s:i, s:[]}",
			 "compile", "ok", compiled, "message",
			 compiled ? "" : "x.c:3: error: expected ';'", "score", score,
			 "max_score", 100, "passed", passed, "tests", tests, "time_ms", 40,
			 "refused_because");
}

static struct matrix_row *row(const char *file, enum expectation e, json_t *rep)
{
	struct matrix_row *r = matrix_add_row(&m, file, file, e);

	matrix_row_set_report(&m, r, rep);
	json_decref(rep);
	return r;
}

Test(matrix, each_verdict_from_what_the_student_would_get)
{
	const char *t1 = spec.base.tests[1].name;

	row("alt.c", EXPECT_PASS, report(true, true, 100, NULL, NULL, false));
	row("killed.c", EXPECT_FAIL, report(true, false, 96, t1, "fail", true));
	row("noticed.c", EXPECT_FAIL, report(true, true, 96, t1, "fail", false));
	row("survived.c", EXPECT_FAIL, report(true, true, 100, NULL, NULL, false));
	row("stillborn.c", EXPECT_FAIL, report(false, false, 0, NULL, NULL, false));
	row("refused_alt.c", EXPECT_PASS, report(true, false, 96, t1, "crash", true));
	matrix_judge(&m);

	cr_expect_eq(m.rows[0].verdict, VERDICT_PASSED);
	cr_expect(m.rows[0].ok);
	cr_expect_eq(m.rows[1].verdict, VERDICT_KILLED);
	cr_expect(m.rows[1].ok);
	cr_expect_eq(m.rows[2].verdict, VERDICT_NOTICED,
		     "lost points but still PASS: not a kill");
	cr_expect_not(m.rows[2].ok);
	cr_expect(strstr(m.rows[2].why, t1) != NULL, "names the test that noticed: %s",
		  m.rows[2].why);
	cr_expect_eq(m.rows[3].verdict, VERDICT_SURVIVED);
	cr_expect_not(m.rows[3].ok);
	cr_expect_eq(m.rows[4].verdict, VERDICT_STILLBORN, "never a kill");
	cr_expect_not(m.rows[4].ok);
	cr_expect(strstr(m.rows[4].why, "expected ';'") != NULL);
	cr_expect_not(m.rows[5].ok, "an expected-pass file refused is a problem");

	cr_expect_eq(m.mutants, 4);
	cr_expect_eq(m.killed, 1);
	cr_expect_eq(m.noticed, 1);
	cr_expect_eq(m.survived, 1);
	cr_expect_eq(m.stillborn, 1);
	cr_expect_eq(m.solutions, 2);
	cr_expect_eq(m.solutions_passed, 1);
	cr_expect_float_eq(m.mutation_score, 0.25, 1e-9);
	cr_expect_not(m.ok);
}

Test(matrix, killers_are_the_blocking_tests_that_ran)
{
	const char *t1 = spec.base.tests[1].name;
	struct matrix_row *r = row("k.c", EXPECT_FAIL, report(true, false, 96, t1,
							      "timeout", true));
	size_t n, *k;

	matrix_judge(&m);
	k = matrix_row_killers(&m, r, &n);
	cr_assert_eq(n, 1);
	cr_expect_str_eq(m.columns[k[0]], t1);
	free(k);
}

Test(matrix, same_code_as_the_reference_is_equivalent)
{
	struct matrix_row *r = row("eq.c", EXPECT_FAIL, report(true, true, 100, NULL,
							       NULL, false));

	m.baseline.code = strdup("\x55\x48\x89\xe5");
	m.baseline.code_len = 4;
	r->code = strdup("\x55\x48\x89\xe5");
	r->code_len = 4;
	matrix_judge(&m);
	cr_expect_eq(m.rows[0].verdict, VERDICT_EQUIVALENT);
	cr_expect_eq(m.equivalent, 1);
	cr_expect_float_eq(m.mutation_score, -1, 1e-9, "no mutant left to score");
}
