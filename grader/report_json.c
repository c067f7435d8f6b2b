/* report_json.c - the --json report: one object on one line */
#include "report.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "score.h"

static json_t *tests_json(const struct table_result *t, bool scored)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < t->n; i++) {
		const struct test_result *r = &t->tests[i];
		json_t *o = json_object();

		json_object_set_new(o, "name", json_string(r->name));
		json_object_set_new(o, "status", json_string(status_name(r->status)));
		if (scored) {
			json_object_set_new(o, "points", json_integer(r->points));
			json_object_set_new(o, "max_points", json_integer(r->max_points));
		}
		json_object_set_new(o, "trap", json_boolean(r->trap));
		json_object_set_new(o, "required", json_boolean(r->required));
		json_object_set_new(o, "blocking", r->blocking == FINDING_NONE ? json_null()
				    : json_string(finding_name(r->blocking)));
		json_object_set_new(o, "trap_explanation", r->trap_explanation ?
				    json_string(r->trap_explanation) : json_null());
		json_object_set_new(o, "message", json_string(r->message ? r->message : ""));
		json_object_set_new(o, "reproduce", r->reproduce ? json_string(r->reproduce)
							       : json_null());
		json_object_set_new(o, "time_ms", json_integer(r->ms));
		json_object_set_new(o, "output_bytes", json_integer((json_int_t)r->output_bytes));
		if (r->status != ST_PASS && r->output)
			json_object_set_new(o, "output", json_stringn(r->output, strlen(r->output)));
		json_array_append_new(arr, o);
	}
	return arr;
}

/* Why the file is refused, most serious first: kind, test, table, words. */
static json_t *blockers_json(const struct grade *g)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < g->nblockers; i++) {
		const struct blocker *b = &g->blockers[i];
		json_t *o = json_object();
		char *text = blocker_text(b, g);

		json_object_set_new(o, "kind", json_string(finding_name(b->kind)));
		json_object_set_new(o, "test", b->test ? json_string(b->test) : json_null());
		json_object_set_new(o, "table", json_string(b->bonus ? "bonus" :
							    b->edge ? "edge_cases" : "base"));
		json_object_set_new(o, "text", json_string(text));
		json_array_append_new(arr, o);
		free(text);
	}
	return arr;
}

void report_json(FILE *out, const struct grade *g, const struct report_info *ri)
{
	json_t *root = json_object(), *compile = json_object(), *norm = json_object();
	json_t *viol = json_array();
	size_t i;

	json_object_set_new(root, "file", json_string(g->file));
	json_object_set_new(root, "spec", json_string(ri->spec_path));
	json_object_set_new(root, "score", json_integer(g->base.score));
	json_object_set_new(root, "max_score", json_integer(g->base.max_score));
	json_object_set_new(root, "earned", json_integer(g->base.earned));
	json_object_set_new(root, "passing_score", json_integer(g->passing_score));
	json_object_set_new(root, "passed", json_boolean(g->passed));
	json_object_set_new(root, "verdict", json_string(g->passed ? "passed" : "refused"));
	json_object_set_new(root, "refused_because", blockers_json(g));
	json_object_set_new(root, "seed", json_integer((json_int_t)g->seed));
	json_object_set_new(root, "valgrind", json_boolean(g->valgrind));
	json_object_set_new(root, "note", g->note ? json_string(g->note) : json_null());
	json_object_set_new(root, "time_ms", json_integer(g->total_ms));

	json_object_set_new(compile, "ok", json_boolean(g->compiled));
	json_object_set_new(compile, "message", json_string(g->compile_message ?
							    g->compile_message : ""));
	json_object_set_new(root, "compile", compile);

	for (i = 0; i < g->nviolations; i++) {
		json_t *v = json_object();

		json_object_set_new(v, "function", json_string(g->violations[i].function));
		json_object_set_new(v, "location", json_string(g->violations[i].location));
		json_object_set_new(v, "why", json_string(g->violations[i].why));
		json_object_set_new(v, "runtime", json_boolean(g->violations[i].runtime));
		json_array_append_new(viol, v);
	}
	json_object_set_new(norm, "ok", json_boolean(g->norm_ok));
	json_object_set_new(norm, "blocking", json_boolean(g->norm_blocking));
	json_object_set_new(norm, "violations", viol);
	json_object_set_new(root, "norm", norm);

	json_object_set_new(root, "tests", tests_json(&g->base, true));
	json_object_set_new(root, "edge_cases", tests_json(&g->edges, false));
	if (g->bonus.graded) {
		json_t *b = json_object();

		json_object_set_new(b, "score", json_integer(g->bonus.score));
		json_object_set_new(b, "earned", json_integer(g->bonus.earned));
		json_object_set_new(b, "forfeit", json_boolean(g->bonus.forfeit));
		json_object_set_new(b, "max_score", json_integer(g->bonus.max_score));
		json_object_set_new(b, "tests", tests_json(&g->bonus, true));
		json_object_set_new(root, "bonus", b);
	} else {
		json_object_set_new(root, "bonus", json_null());
	}
	json_dumpf(root, out, JSON_COMPACT | JSON_ENSURE_ASCII);
	fputc('\n', out);
	json_decref(root);
}
