/* report_lms.c - the words the learning platforms' reporters share */
#include "report_lms.h"

#include <stdlib.h>
#include <string.h>

#include "score.h"

char *lms_verdict_line(const struct grade *g)
{
	char *why, *line;

	if (g->passed)
		return xasprintf("passed: %d/%d", g->base.score, g->base.max_score);
	if (g->nblockers == 0)
		return xasprintf("refused: %d/%d", g->base.score, g->base.max_score);
	why = blocker_text(&g->blockers[0], g);
	line = xasprintf("refused: %s (%d/%d)%s", why, g->base.score, g->base.max_score,
			 g->nblockers > 1 ? ", and more in the report" : "");
	free(why);
	return line;
}

char *lms_text_report(const struct grade *g, const struct report_info *ri)
{
	struct report_info plain = *ri;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return xstrdup("");
	plain.color = false;
	report_text(f, g, &plain);
	fclose(f);
	return buf ? buf : xstrdup("");
}

static void add_table(json_t *tests, const struct table_result *t, const char *prefix,
		      lms_test_fn *one)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		const struct test_result *r = &t->tests[i];
		char *name = xasprintf("%s%s", prefix, r->name);
		char *output = lms_test_output(r);

		json_array_append_new(tests, one(r, name, output));
		free(name);
		free(output);
	}
}

void lms_add_tests(json_t *tests, const struct grade *g, lms_test_fn *one)
{
	add_table(tests, &g->base, "", one);
	if (g->bonus.graded)
		add_table(tests, &g->bonus, "bonus: ", one);
}

void lms_dump(FILE *out, json_t *root)
{
	json_dumpf(root, out, JSON_INDENT(1) | JSON_ENSURE_ASCII);
	fputc('\n', out);
	json_decref(root);
}

char *lms_test_output(const struct test_result *r)
{
	if (r->status == ST_PASS)
		return xstrdup("pass");
	return xasprintf("%s: %s%s%s", status_name(r->status),
			 r->message ? r->message : "",
			 r->reproduce ? "\nreproduce: " : "",
			 r->reproduce ? r->reproduce : "");
}
