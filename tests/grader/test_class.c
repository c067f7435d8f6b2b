/* test_class.c - bin/grader class and test --format: usage errors, a small
 * class of flat files graded natively (the grade is grader test's, the
 * gradebook has a row per student, a rerun regrades nothing); the whole
 * command with every layout, Slurm and the browser is tests/class */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grader_tests.h"

Test(class, usage_errors_exit_2)
{
	static const char *const cases[][8] = {
		{ "class", "-s", "spec.json", "references", NULL },     /* no -o */
		{ "class", "-o", "/tmp/x", "references", NULL },        /* no -s */
		{ "class", "-s", "spec.json", "-o", "/tmp/x", NULL },   /* nothing */
		{ "class", "--collect", "/tmp/x", "-s", "spec.json", NULL },
		{ "class", "-s", "spec.json", "-o", "/tmp/x", "--chunk", "0", NULL },
		{ "test", "-s", "spec.json", "-f", "references/ref_solution.c", "--format", "xml" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct run r;

		grader_run(&r, false, NULL, cases[i][0], cases[i][1], cases[i][2],
			   cases[i][3], cases[i][4], cases[i][5], cases[i][6], cases[i][7], NULL);
		cr_assert_eq(r.status, 2, "case %zu: exit %d, stderr %s", i, r.status, r.err);
		cr_assert_str_eq(r.out, "", "case %zu", i);
		run_release(&r);
	}
}

Test(class, collect_without_a_plan_says_so)
{
	struct run r;

	grader_run(&r, false, NULL, "class", "--collect", "/nonexistent/class", NULL);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "cannot read the class plan") != NULL, "%s", r.err);
	run_release(&r);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 1 << 20);

	if (f) {
		fread(buf, 1, (1 << 20) - 1, f);
		fclose(f);
	}
	return buf;
}

Test(class, a_flat_class_graded_as_grader_test_grades, .timeout = 240)
{
	char dir[] = "/tmp/grader-class-test.XXXXXX", cmd[512], *book, *path;
	struct run r, one;
	json_t *single, *report;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/in && cp references/ref_solution.c %s/in/ann.c "
		 "&& cp mutants/mutant_a_boundary.c %s/in/ben.c", dir, dir, dir);
	cr_assert_eq(system(cmd), 0);
	path = NULL;
	asprintf(&path, "%s/in", dir);
	snprintf(cmd, sizeof(cmd), "%s/out", dir);
	grader_run(&r, false, NULL, "class", "-s", "spec.json", path, "-o", cmd, "-j", "2",
		   "--no-valgrind", NULL);
	cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	cr_assert(strstr(r.out, "class: 2 students, 2 graded (2 now, 0 from the cache), "
			 "1 passed, 1 refused") != NULL, "%s", r.out);
	run_release(&r);

	snprintf(cmd, sizeof(cmd), "%s/out/gradebook.csv", dir);
	book = slurp(cmd);
	cr_assert(strstr(book, "\r\nann,,100,100,true,passed,,") != NULL, "%s", book);
	cr_assert(strstr(book, "\r\nben,,92,100,false,refused,crash test_rip_bound; ") != NULL,
		  "%s", book);
	free(book);

	/* the same grade as grader test gives the same file */
	snprintf(cmd, sizeof(cmd), "%s/in/ben.c", dir);
	single = grade_json(&one, cmd, "--no-valgrind", NULL);
	cr_assert_not_null(single, "%s", one.err);
	snprintf(cmd, sizeof(cmd), "%s/out/students/ben/report.json", dir);
	report = json_load_file(cmd, 0, NULL);
	cr_assert_not_null(report);
	cr_assert_eq(json_integer_value(json_object_get(report, "score")),
		     json_integer_value(json_object_get(single, "score")));
	cr_assert_str_eq(json_string_value(json_object_get(report, "verdict")),
			 json_string_value(json_object_get(single, "verdict")));
	cr_assert_eq(json_array_size(json_object_get(report, "refused_because")),
		     json_array_size(json_object_get(single, "refused_because")));
	json_decref(report);
	json_decref(single);
	run_release(&one);

	/* nothing changed: nothing regraded */
	snprintf(cmd, sizeof(cmd), "%s/out", dir);
	grader_run(&r, false, NULL, "class", "-s", "spec.json", path, "-o", cmd,
		   "--no-valgrind", NULL);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.out, "2 graded (0 now, 2 from the cache)") != NULL, "%s", r.out);
	run_release(&r);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	system(cmd);
	free(path);
}
