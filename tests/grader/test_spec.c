/* test_spec.c - validate-spec on malformed specs: exit 3, every problem
 * named; never a crash */
#include <criterion/criterion.h>
#include <string.h>

#include "grader_tests.h"

#define DIR "tests/grader/specs/"

struct bad_spec {
	const char *file;
	const char *problems[9];        /* each must appear on stderr */
};

static const struct bad_spec bad_specs[] = {
	{ "truncated.json", { "cannot parse spec", "near end of file" } },
	{ "empty.json", { "cannot parse spec" } },
	{ "not_object.json", { "expected an object, got an array" } },
	{ "duplicate_key.json", { "duplicate object key", "tier" } },
	{ "wrong_types.json", {
		"tags: expected an array, got an integer",
		"passing_score: expected an integer, got a string",
		"moulinette.tests[0].points: expected an integer, got a string",
		"moulinette.tests[0].trap: expected a boolean, got a string",
		"moulinette.tests[1].timeout_ms: expected an integer, got a real number",
		"norm.blocking: expected a boolean, got an integer",
		"qcm[0].choices: expected an object, got an array" } },
	{ "numbers.json", {
		"passing_score: 1000 is out of range",
		"moulinette.tests[0].points: -5 is out of range",
		"moulinette.tests[1].timeout_ms: 99999999999 is out of range",
		"driver.fuzzing.iterations: -1 is out of range",
		"min (10) is greater than max (2)",
		"driver.edge_cases[0].args[0]: -1 MB is out of range",
		"qcm[0].id: 0 is out of range" } },
	{ "missing_files.json", {
		"header: file 'tests/grader/specs/no/such/header.h' cannot be read",
		"driver.reference: file 'tests/grader/specs/no/such/ref.c' cannot be read",
		"validation.expected_fail[1]: file 'tests/grader/specs/no/such/mutant.c'" } },
	{ "duplicates.json", {
		"bonus.tests[0].name: duplicate test name 'test_kvm_open'",
		"driver.edge_cases[1].name: duplicate edge case 'create_0mb'",
		"qcm[1].id: duplicate question id 1",
		"norm.allowed_functions[2]: 'malloc' is listed twice" } },
	{ "unknown_keys.json", {
		"colour: unknown key", "moulinette.tests[0].weight: unknown key",
		"norm.strict: unknown key",
		"driver.fuzzing.generators[0].params.step: unknown key" } },
	{ "unimplemented.json", {
		"the harness implements no test named 'test_teleport'",
		"bonus.tests: points sum to 90, expected 100" } },
	{ "missing_keys.json", {
		"norm: missing", "moulinette.tests[0].name: missing",
		"moulinette.tests[1].trap_explanation: missing",
		"qcm[0].answer: missing" } },
	{ "bad_values.json", {
		"language: 'rust'", "'sometimes' is not one of",
		"oracle: 'magic'", "'malloc' is both allowed and forbidden",
		"qcm[0].answer: 'E' is not one of the choices",
		"compile.max_source_bytes: 0 is out of range [1, 67108864]" } },
	{ "big_integer.json", { "cannot parse spec", "too big integer", "line 3" } },
	{ "deep_nesting.json", { "cannot parse spec", "maximum parsing depth" } },
	{ "nul_byte.json", { "cannot parse spec", "\\u0000 is not allowed" } },
	{ "not_a_file.json", { "header: 'tests/grader/specs/.' is a directory, not a file" } },
	{ "bad_pass_rule.json", {
		"moulinette.tests[0].required: expected a boolean, got a string",
		"pass_rule.strict: unknown key",
		"pass_rule.blocking[1]: 'leak' is blocking when norm.check_memory is true",
		"pass_rule.blocking[2]: 'forbidden_call' is blocking when norm.check_security",
		"pass_rule.blocking[3]: 'sometimes' is not one of crash, timeout, failed_trap, failed_required",
		"pass_rule.blocking[4]: 'crash' is listed twice",
		"pass_rule.bonus: 'maybe' is not one of refuse",
		"tests are marked required but failed_required is not blocking" } },
	{ "bad_english.json", {
		"driver.edge_cases[0].en.expected: unknown key (trap_explanation)",
		"moulinette.tests[0].en.trap_explanation: no French 'trap_explanation' beside it",
		"moulinette.tests[0].en.extra: unknown key",
		"moulinette.tests[1].en.input: must not be empty",
		"moulinette.tests[1].en.trap_explanation: missing: the French has it",
		"English texts (\"en\") on 3 tests and edge cases, none on 1" } },
};

/* One test per fixture, by index: Criterion re-executes its workers, so
 * parameters holding pointers would not survive. */
static void check_bad(size_t n)
{
	const struct bad_spec *b = &bad_specs[n];
	char path[256];
	struct run r;
	size_t i;

	snprintf(path, sizeof(path), DIR "%s", b->file);
	grader_run(&r, false, NULL, "validate-spec", path, NULL);
	cr_assert_eq(r.status, 3, "%s: exit %d\n%s", b->file, r.status, r.err);
	for (i = 0; i < 9 && b->problems[i]; i++)
		cr_assert(strstr(r.err, b->problems[i]) != NULL,
			  "%s: '%s' not reported in:\n%s", b->file, b->problems[i], r.err);
	cr_assert_str_eq(r.out, "");
	run_release(&r);
}

Test(spec, truncated) { check_bad(0); }
Test(spec, empty) { check_bad(1); }
Test(spec, not_an_object) { check_bad(2); }
Test(spec, duplicate_key) { check_bad(3); }
Test(spec, wrong_types) { check_bad(4); }
Test(spec, negative_and_huge_numbers) { check_bad(5); }
Test(spec, missing_files) { check_bad(6); }
Test(spec, duplicate_names) { check_bad(7); }
Test(spec, unknown_keys) { check_bad(8); }
Test(spec, unimplemented_test_and_points) { check_bad(9); }
Test(spec, missing_keys) { check_bad(10); }
Test(spec, bad_values) { check_bad(11); }
Test(spec, integer_too_big_for_64_bits) { check_bad(12); }
Test(spec, nesting_too_deep) { check_bad(13); }
Test(spec, nul_byte_in_a_string) { check_bad(14); }
Test(spec, directory_for_a_file) { check_bad(15); }
Test(spec, pass_rule_problems) { check_bad(16); }
Test(spec, english_texts_beside_the_french) { check_bad(17); }

Test(spec, every_fixture_has_a_test)
{
	cr_assert_eq(sizeof(bad_specs) / sizeof(bad_specs[0]), 18);
}

Test(spec, accepts_a_valid_spec)
{
	struct run r;

	grader_run(&r, false, NULL, "validate-spec", DIR "valid.json", NULL);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.out, "ok (2 tests, 1 bonus tests") != NULL, "%s", r.out);
	run_release(&r);
}

Test(spec, grading_refuses_an_invalid_spec_with_exit_3)
{
	struct run r;

	grader_run(&r, false, NULL, "test", "-s", DIR "numbers.json", "-f",
		   "references/ref_solution.c", NULL);
	cr_assert_eq(r.status, 3, "%s", r.err);
	cr_assert(strstr(r.err, "invalid spec") != NULL, "%s", r.err);
	cr_assert_str_eq(r.out, "");
	run_release(&r);
}

/* The fuzzing oracle's reference is read when grading: checked then, not
 * only by validate-spec. */
Test(spec, grading_checks_the_oracle_reference)
{
	struct run r;

	grader_run(&r, false, NULL, "test", "-s", DIR "oracle_missing_reference.json",
		   "-f", "references/ref_solution.c", NULL);
	cr_assert_eq(r.status, 3, "%s", r.err);
	cr_assert(strstr(r.err, "driver.reference: file") != NULL, "%s", r.err);
	cr_assert_str_eq(r.out, "");
	run_release(&r);
}
