/* test_valgrind.c - bin/grader itself is valgrind-clean: no error, no leak
 * (valgrind exits 99 if it finds one), on the paths each command takes */
#include <criterion/criterion.h>
#include <string.h>

#include "grader_tests.h"

Test(valgrind, validate_spec_of_a_broken_spec, .timeout = 120)
{
	struct run r;

	grader_run(&r, true, NULL, "validate-spec", "tests/grader/specs/wrong_types.json",
		   NULL);
	cr_assert_eq(r.status, 3, "exit %d:\n%s", r.status, r.err);
	run_release(&r);
	grader_run(&r, true, NULL, "validate-spec", "tests/grader/specs/truncated.json",
		   NULL);
	cr_assert_eq(r.status, 3, "exit %d:\n%s", r.status, r.err);
	run_release(&r);
}

Test(valgrind, grading_a_submission_that_does_not_build, .timeout = 120)
{
	struct run r;

	grader_run(&r, true, NULL, "test", "-s", "spec.json", "-f",
		   "tests/grader/submissions/compile_error.c", NULL);
	cr_assert_eq(r.status, 1, "exit %d:\n%s", r.status, r.err);
	run_release(&r);
}

Test(valgrind, grading_with_crashes_exits_and_violations, .timeout = 180)
{
	struct run r;

	grader_run(&r, true, NULL, "test", "-s", "spec.json", "-f",
		   "tests/grader/submissions/exit_passed.c", "--json", NULL);
	cr_assert_eq(r.status, 1, "exit %d:\n%s", r.status, r.err);
	run_release(&r);
	/* a crash in the allocation sweep: refused whatever the score */
	grader_run(&r, true, NULL, "test", "-s", "spec.json", "-f",
		   "tests/grader/submissions/no_null_check.c", NULL);
	cr_assert_eq(r.status, 1, "exit %d:\n%s", r.status, r.err);
	run_release(&r);
}

Test(valgrind, qcm, .timeout = 60)
{
	struct run r;

	grader_run(&r, true, NULL, "qcm", "-s", "spec.json", "--json",
		   "tests/grader/answers_right.txt", NULL);
	cr_assert_eq(r.status, 0, "exit %d:\n%s", r.status, r.err);
	run_release(&r);
}
