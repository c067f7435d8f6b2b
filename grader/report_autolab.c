/* report_autolab.c - Autolab's autograder output
 *
 * Autolab reads the scores from the last line of the output, a JSON
 * object {"scores": {"PROBLEM": points, ...}} (autolab docs, "Autograders",
 * the autoresult); what comes before is shown to the student: the text
 * report.  Each test is a problem, named as in the spec; the verdict is
 * the report's first line.
 */
#include "report.h"

#include <jansson.h>
#include <stdlib.h>

#include "report_lms.h"

static void al_table(json_t *scores, const struct table_result *t, const char *prefix)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		char *name = xasprintf("%s%s", prefix, t->tests[i].name);

		json_object_set_new(scores, name, json_integer(t->tests[i].points));
		free(name);
	}
}

void report_autolab(FILE *out, const struct grade *g, const struct report_info *ri)
{
	json_t *root = json_object(), *scores = json_object();

	report_text(out, g, ri);
	al_table(scores, &g->base, "");
	if (g->bonus.graded)
		al_table(scores, &g->bonus, "bonus_");
	json_object_set_new(root, "scores", scores);
	json_dumpf(root, out, JSON_COMPACT | JSON_ENSURE_ASCII);
	fputc('\n', out);
	json_decref(root);
}
