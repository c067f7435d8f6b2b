/* test_cli.c - bin/grader's command line: help, usage errors, exit codes */
#include <criterion/criterion.h>
#include <string.h>

#include "grader_tests.h"

static int lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

Test(cli, help_goes_to_stdout_with_exit_0)
{
	struct run r;

	grader_run(&r, false, NULL, "--help", NULL);
	cr_assert_eq(r.status, 0);
	cr_assert(strstr(r.out, "usage: grader") != NULL, "%s", r.out);
	cr_assert(strstr(r.out, "exit status") != NULL);
	cr_assert_str_eq(r.err, "");
	run_release(&r);
	grader_run(&r, false, NULL, "test", "--help", NULL);
	cr_assert_eq(r.status, 0);
	run_release(&r);
}

Test(cli, usage_errors_are_one_line_on_stderr_with_exit_2)
{
	static const char *const cases[][6] = {
		{ NULL },
		{ "frobnicate", NULL },
		{ "test", "-s", "spec.json", NULL },
		{ "test", "-f", "references/ref_solution.c", NULL },
		{ "test", "--bogus", NULL },
		{ "test", "-s", "spec.json", "-f", "x.c", "--seed" },
		{ "validate-spec", NULL },
		{ "qcm", "-s", "spec.json", NULL },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct run r;

		grader_run(&r, false, NULL, cases[i][0], cases[i][1], cases[i][2],
			   cases[i][3], cases[i][4], cases[i][5], NULL);
		cr_assert_eq(r.status, 2, "case %zu: exit %d, stderr %s", i, r.status, r.err);
		cr_assert_eq(lines(r.err), 1, "case %zu: %s", i, r.err);
		cr_assert_str_eq(r.out, "", "case %zu", i);
		run_release(&r);
	}
}

Test(cli, bad_values_are_usage_errors)
{
	struct run r;

	grader_run(&r, false, NULL, "test", "-s", "spec.json", "-f",
		   "references/ref_solution.c", "--seed", "-3", NULL);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "--seed: '-3'") != NULL, "%s", r.err);
	run_release(&r);

	grader_run(&r, false, NULL, "test", "-s", "spec.json", "-f",
		   "references/ref_solution.c", "--only", "test_nope", NULL);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "no test or edge case named 'test_nope'") != NULL, "%s", r.err);
	run_release(&r);

	grader_run(&r, false, NULL, "test", "-s", "spec.json", "-f", "no/such.c", NULL);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "cannot read submission 'no/such.c'") != NULL, "%s", r.err);
	run_release(&r);

	grader_run(&r, false, NULL, "test", "-s", "no/spec.json", "-f",
		   "references/ref_solution.c", NULL);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "cannot read spec 'no/spec.json'") != NULL, "%s", r.err);
	run_release(&r);
}
