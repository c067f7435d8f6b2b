/* report_gradescope.c - Gradescope's autograder results.json
 *
 * The documented shape (gradescope-autograders.readthedocs.io, "Output
 * format"): score, execution_time (seconds), output, tests[] with name,
 * score, max_score, status ("passed"/"failed"), output and visibility.
 * The first test is the verdict (0 points): Gradescope shows points, and a
 * refused submission with 97 of them must not read as a pass.  The output
 * is the text report.
 */
#include "report.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "report_lms.h"

static json_t *gs_test(const char *name, int score, int max, bool passed,
		       const char *output)
{
	json_t *t = json_object();

	json_object_set_new(t, "name", json_string(name));
	json_object_set_new(t, "score", json_integer(score));
	json_object_set_new(t, "max_score", json_integer(max));
	json_object_set_new(t, "status", json_string(passed ? "passed" : "failed"));
	json_object_set_new(t, "output", json_string(output));
	json_object_set_new(t, "visibility", json_string("visible"));
	return t;
}

static json_t *gs_table_test(const struct test_result *r, const char *name,
			     const char *output)
{
	return gs_test(name, r->points, r->max_points, r->status == ST_PASS, output);
}

void report_gradescope(FILE *out, const struct grade *g, const struct report_info *ri)
{
	json_t *root = json_object(), *tests = json_array();
	char *verdict = lms_verdict_line(g);
	char *text = lms_text_report(g, ri);

	json_object_set_new(root, "score", json_integer(g->base.score));
	json_object_set_new(root, "execution_time",
			    json_integer((json_int_t)((g->total_ms + 999) / 1000)));
	json_object_set_new(root, "output", json_string(text));
	json_array_append_new(tests, gs_test("verdict", 0, 0, g->passed, verdict));
	lms_add_tests(tests, g, gs_table_test);
	json_object_set_new(root, "tests", tests);
	lms_dump(out, root);
	free(verdict);
	free(text);
}
