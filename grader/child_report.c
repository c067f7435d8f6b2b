/* child_report.c - the one reader of a grading child's `grader test --json`
 * report (see child_report.h) */
#include "child_report.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static int jint(const json_t *o, const char *key)
{
	return (int)json_integer_value(json_object_get(o, key));
}

static void read_tests(struct child_tests *ts, const json_t *arr)
{
	const json_t *t;
	size_t i;

	ts->n = 0;
	ts->v = xcalloc(json_array_size(arr) + 1, sizeof(*ts->v));
	json_array_foreach(arr, i, t) {
		struct child_test *c = &ts->v[ts->n++];
		int st = status_parse(jstr(t, "status"));

		c->name = xstrdup(jstr(t, "name"));
		c->status = st < 0 ? ST_NOT_RUN : (enum test_status)st;
		c->message = xstrdup(jstr(t, "message"));
		c->blocking = json_is_string(json_object_get(t, "blocking"));
		c->ms = (unsigned)jint(t, "time_ms");
	}
}

/* "f() at x.c:3: why; ..." when the norm ran, blocks and failed, else NULL. */
static char *norm_problem(const json_t *report)
{
	const json_t *norm = json_object_get(report, "norm"), *v;
	struct sbuf sb = { 0 };
	size_t i;

	if (!json_is_true(json_object_get(norm, "blocking")) ||
	    !json_is_false(json_object_get(norm, "ok")))        /* null: not run */
		return NULL;
	json_array_foreach(json_object_get(norm, "violations"), i, v)
		sbuf_addf(&sb, "%s%s()%s%s: %s", sb.len ? "; " : "", jstr(v, "function"),
			  jstr(v, "location")[0] ? " at " : "", jstr(v, "location"),
			  jstr(v, "why"));
	return sb.buf ? sb.buf : xstrdup("a norm violation");
}

void child_report_read(struct child_report *r, const json_t *report)
{
	const json_t *compile = json_object_get(report, "compile");
	const json_t *bonus = json_object_get(report, "bonus");
	const json_t *rbs = json_object_get(report, "refused_because"), *rb;
	size_t i;

	memset(r, 0, sizeof(*r));
	r->compiled = json_is_true(json_object_get(compile, "ok"));
	r->compile_message = xstrdup(jstr(compile, "message"));
	r->score = jint(report, "score");
	r->max_score = jint(report, "max_score");
	r->has_bonus = json_is_object(bonus);
	r->bonus_score = r->has_bonus ? jint(bonus, "score") : -1;
	r->bonus_max_score = r->has_bonus ? jint(bonus, "max_score") : -1;
	r->passed = json_is_true(json_object_get(report, "passed"));
	r->refused = xcalloc(json_array_size(rbs) + 1, sizeof(*r->refused));
	json_array_foreach(rbs, i, rb) {
		const char *test = json_string_value(json_object_get(rb, "test"));

		r->refused[r->nrefused].test = test ? xstrdup(test) : NULL;
		r->refused[r->nrefused++].text = xstrdup(jstr(rb, "text"));
	}
	r->ms = (unsigned)jint(report, "time_ms");
	r->norm_problem = norm_problem(report);
	read_tests(&r->tests, json_object_get(report, "tests"));
	read_tests(&r->edge_cases, json_object_get(report, "edge_cases"));
	read_tests(&r->bonus_tests, json_object_get(bonus, "tests"));
}

int child_report_load(struct child_report *r, const char *path, char **err)
{
	json_error_t je;
	json_t *report = json_load_file(path, 0, &je);

	memset(r, 0, sizeof(*r));
	if (report == NULL) {
		*err = xstrdup(je.text);
		return -1;
	}
	child_report_read(r, report);
	json_decref(report);
	return 0;
}

const struct child_test *child_tests_find(const struct child_tests *t,
					  const char *name)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (!strcmp(t->v[i].name, name))
			return &t->v[i];
	return NULL;
}

bool child_report_all_pass(const struct child_report *r)
{
	if (!r->passed || r->score != r->max_score)
		return false;
	return !r->has_bonus || r->bonus_score == r->bonus_max_score;
}

static void tests_release(struct child_tests *ts)
{
	size_t i;

	for (i = 0; i < ts->n; i++) {
		free(ts->v[i].name);
		free(ts->v[i].message);
	}
	free(ts->v);
}

void child_report_release(struct child_report *r)
{
	size_t i;

	free(r->compile_message);
	for (i = 0; i < r->nrefused; i++) {
		free(r->refused[i].test);
		free(r->refused[i].text);
	}
	free(r->refused);
	free(r->norm_problem);
	tests_release(&r->tests);
	tests_release(&r->edge_cases);
	tests_release(&r->bonus_tests);
	memset(r, 0, sizeof(*r));
}
