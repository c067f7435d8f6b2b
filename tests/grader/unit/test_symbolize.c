/* test_symbolize.c - symbolize_messages(): the harness's @{0xADDR} and
 * @{frames} placeholders become file:line (function), the submission's
 * frame preferred, on an executable built here
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grade.h"
#include "symbolize.h"
#include "unit_helpers.h"
#include "util.h"

TestSuite(symbolize, .init = unit_setup, .fini = unit_teardown);

/* The address of function name in exe (nm). */
static unsigned long long address_of(const char *exe, const char *name)
{
	char *cmd = xasprintf("nm '%s' | awk '$3 == \"%s\" { print $1 }'", exe, name);
	FILE *p = popen(cmd, "r");
	unsigned long long a = 0;

	cr_assert_not_null(p);
	cr_assert_eq(fscanf(p, "%llx", &a), 1, "%s not in %s", name, exe);
	pclose(p);
	free(cmd);
	return a;
}

Test(symbolize, addresses_and_frames_become_places)
{
	char *exe = path_join(unit_dir(), "harness");
	char *cmd = xasprintf("cd '%s' && gcc -std=c17 -O0 -gdwarf-4 -no-pie sub.c "
			      "harness.c -o harness", unit_dir());
	struct test_result tests[3] = { 0 };
	char *frames[3] = { 0 };
	struct symbolize_item items[3];
	unsigned long long sub, fatal, runner;

	unit_write("sub.c", "int student_fn(int x);\n"
			  "int student_fn(int x)\n"
			  "{\n"
			  "\treturn x * 2;\n"
			  "}\n");
	unit_write("harness.c", "int student_fn(int x);\n"
			      "void on_fatal(void);\n"
			      "void on_fatal(void) { }\n"
			      "int runner(void);\n"
			      "int runner(void) { return student_fn(1); }\n"
			      "int main(void) { on_fatal(); return runner(); }\n");
	cr_assert_eq(system(cmd), 0);
	sub = address_of(exe, "student_fn");
	fatal = address_of(exe, "on_fatal");
	runner = address_of(exe, "runner");

	/* a call site, and a crash whose first frame is exact and whose next
	 * frames are return addresses (one past the call) */
	tests[0].message = xasprintf("called exit() at @{0x%llx}", sub);
	tests[1].message = xstrdup("SIGSEGV in t, @{frames}");
	frames[1] = xasprintf("%llx,%llx,%llx", fatal, sub + 5, runner + 5);
	tests[2].message = xstrdup("SIGSEGV in t, @{frames}");
	frames[2] = xasprintf("%llx,%llx", fatal, runner + 5);
	for (size_t i = 0; i < 3; i++)
		items[i] = (struct symbolize_item){ &tests[i].message, frames[i] };
	symbolize_messages(items, 3, exe, "sub.c", unit_dir());

	cr_expect_str_eq(tests[0].message, "called exit() at sub.c:3 (student_fn)");
	cr_expect(strstr(tests[1].message, "at sub.c:") && strstr(tests[1].message, "(student_fn)"),
		  "the submission's frame, not the harness's: %s", tests[1].message);
	cr_expect(strstr(tests[2].message, "harness.c:5 (runner, in the grader's harness)"),
		  "no frame of the submission: the first known one, said to be the "
		  "harness's (on_fatal skipped): %s", tests[2].message);
	for (size_t i = 0; i < 3; i++) {
		free(tests[i].message);
		free(frames[i]);
	}
	free(cmd);
	free(exe);
}
