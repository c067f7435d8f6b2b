/* report_prairielearn.c - PrairieLearn's external grader results.json
 *
 * The documented shape (prairielearn.readthedocs.io, "Externally graded
 * questions", grading results): gradable, score in 0..1, message, output,
 * tests[] with name, points, max_points, message, output.  gradable is
 * false only when the grader could not grade (cmd_test's error path);
 * a submission that does not build is gradable, and scores 0.  The score
 * is the partial credit; the message starts with the verdict.
 */
#include "report.h"

#include <jansson.h>
#include <stdlib.h>

#include "report_lms.h"

static json_t *pl_test(const struct test_result *r, const char *name,
		       const char *output)
{
	json_t *o = json_object();

	json_object_set_new(o, "name", json_string(name));
	json_object_set_new(o, "points", json_integer(r->points));
	json_object_set_new(o, "max_points", json_integer(r->max_points));
	json_object_set_new(o, "message", json_string(status_name(r->status)));
	json_object_set_new(o, "output", json_string(output));
	return o;
}

void report_prairielearn(FILE *out, const struct grade *g, const struct report_info *ri)
{
	json_t *root = json_object(), *tests = json_array();
	char *verdict = lms_verdict_line(g);
	char *text = lms_text_report(g, ri);
	double score = g->base.max_score > 0 ?
		       (double)g->base.score / (double)g->base.max_score : 0.0;

	json_object_set_new(root, "gradable", json_true());
	json_object_set_new(root, "score", json_real(score < 0 ? 0 : score > 1 ? 1 : score));
	json_object_set_new(root, "message", json_string(verdict));
	json_object_set_new(root, "output", json_string(text));
	lms_add_tests(tests, g, pl_test);
	json_object_set_new(root, "tests", tests);
	lms_dump(out, root);
	free(verdict);
	free(text);
}

void report_prairielearn_error(FILE *out, const char *message)
{
	json_t *root = json_object();

	json_object_set_new(root, "gradable", json_false());
	json_object_set_new(root, "score", json_real(0.0));
	json_object_set_new(root, "message", json_string(message));
	json_object_set_new(root, "output", json_string(message));
	json_object_set_new(root, "tests", json_array());
	lms_dump(out, root);
}
