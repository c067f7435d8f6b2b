/* test_stage_results.c - the build's and the header check's results on
 * their own, without a grade: build_symbols_check() lists the missing
 * required functions in a strlist, header_compare() fills a struct
 * header_gaps (grade_file() applies both to the verdict)
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "build_int.h"
#include "header_compare.h"
#include "unit_helpers.h"
#include "util.h"

TestSuite(stage_results, .init = unit_setup, .fini = unit_teardown);

Test(stage_results, missing_required_functions_in_the_build_verdict)
{
	struct spec spec = { 0 };
	struct build_symbols sy = { 0 };
	struct strlist missing = { 0 };
	char *msg;

	strlist_add(&spec.required, "vm_create");
	strlist_add(&spec.required, "vm_run");
	strlist_add(&sy.defined, "vm_create");
	strlist_add(&sy.functions, "vm_create");
	msg = build_symbols_check(&spec, &sy, &missing);
	cr_assert_not_null(msg);
	cr_assert_eq(missing.n, 1);
	cr_assert_str_eq(missing.items[0], "vm_run");
	free(msg);
	strlist_release(&missing);
	build_symbols_release(&sy);
	strlist_release(&spec.required);
}

Test(stage_results, header_gaps_without_a_grade)
{
	struct header_gaps gaps = { 0 };
	char *contract = path_join(unit_dir(), "c.h"), *student = path_join(unit_dir(), "s.h");
	char *err = NULL;

	unit_write("c.h", "struct io { int port; long size; };\nint vm_run(int);\n");
	unit_write("s.h", "struct io { long size; int port; };\nint vm_run(int);\n");
	cr_assert_eq(header_compare(contract, student, &gaps, &err), 0, "%s", err);
	cr_assert_eq(gaps.n, 2);
	cr_assert_eq(gaps.gap[0].kind, HG_FIELD_OFFSET);
	cr_assert_str_eq(gaps.gap[0].name, "struct io");
	cr_assert_str_eq(gaps.gap[0].member, "port");
	cr_assert_str_eq(gaps.gap[0].contract_value, "0");
	cr_assert_str_eq(gaps.gap[0].student_value, "8");
	cr_assert_eq(gaps.gap[1].kind, HG_FIELD_OFFSET);
	header_gaps_release(&gaps);
	cr_assert_eq(gaps.n, 0);
	free(contract);
	free(student);
}
