/* report_json.c - the --json report: one object on one line */
#include "report.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "header_check.h"
#include "score.h"

/* Where a timeout's CPU time went. */
static json_t *evidence_json(const struct timeout_evidence *e)
{
	json_t *o = json_object();

	json_object_set_new(o, "sampled", json_boolean(e->known));
	json_object_set_new(o, "in_kvm_run", json_boolean(e->guest));
	json_object_set_new(o, "guest_rip", e->guest ? json_integer((json_int_t)e->guest_rip)
						   : json_null());
	json_object_set_new(o, "instructions", e->guest ?
			    json_integer((json_int_t)e->instructions) : json_null());
	json_object_set_new(o, "rip_outside", json_boolean(e->rip_outside));
	json_object_set_new(o, "trap_supported", json_boolean(e->rip_outside));
	return o;
}

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
		/* what the text report shows as fed: and expected: */
		json_object_set_new(o, "fed", r->spec && r->spec->input ?
				    json_string(r->spec->input) : json_null());
		json_object_set_new(o, "expected", r->spec && r->spec->expected ?
				    json_string(r->spec->expected) : json_null());
		json_object_set_new(o, "trap_explanation", r->trap_explanation ?
				    json_string(r->trap_explanation) : json_null());
		if (r->status == ST_TIMEOUT)
			json_object_set_new(o, "evidence", evidence_json(&r->evidence));
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

/* Which header the submission was compiled against, and how the student's
 * disagrees with the contract. */
static json_t *header_json(const struct grade *g)
{
	json_t *o = json_object(), *gaps = json_array();
	size_t i;

	for (i = 0; i < g->nheader_gaps; i++) {
		const struct header_gap *h = &g->header_gaps[i];
		json_t *e = json_object();
		char *text = header_gap_text(h, g->contract, g->header);

		json_object_set_new(e, "kind", json_string(header_gap_kind_name(h->kind)));
		json_object_set_new(e, "name", json_string(h->name));
		json_object_set_new(e, "member", h->member ? json_string(h->member) : json_null());
		json_object_set_new(e, "contract_line", json_integer(h->contract_line));
		json_object_set_new(e, "student_line", json_integer(h->student_line));
		json_object_set_new(e, "contract", h->contract_value ?
				    json_string(h->contract_value) : json_null());
		json_object_set_new(e, "student", h->student_value ?
				    json_string(h->student_value) : json_null());
		json_object_set_new(e, "text", json_string(text));
		json_array_append_new(gaps, e);
		free(text);
	}
	json_object_set_new(o, "used", json_string(g->header ? g->header :
						   g->contract ? g->contract : ""));
	json_object_set_new(o, "contract", json_string(g->contract ? g->contract : ""));
	json_object_set_new(o, "student", json_boolean(g->header != NULL));
	json_object_set_new(o, "nearby", json_boolean(g->header_nearby));
	json_object_set_new(o, "differences", gaps);
	return o;
}

static json_t *missing_json(const struct grade *g)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < g->nmissing; i++) {
		json_t *e = json_object();

		json_object_set_new(e, "function", json_string(g->missing[i].name));
		json_object_set_new(e, "prototype", g->missing[i].prototype ?
				    json_string(g->missing[i].prototype) : json_null());
		json_object_set_new(e, "contract_line", json_integer(g->missing[i].line));
		json_array_append_new(arr, e);
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
	json_object_set_new(compile, "errors", json_integer(g->compile_errors));
	json_object_set_new(compile, "command", g->compile_command ?
			    json_string(g->compile_command) : json_null());
	json_object_set_new(compile, "missing_functions", missing_json(g));
	json_object_set_new(root, "compile", compile);
	json_object_set_new(root, "header", header_json(g));

	for (i = 0; i < g->nviolations; i++) {
		json_t *v = json_object();

		json_object_set_new(v, "function", json_string(g->violations[i].function));
		json_object_set_new(v, "location", json_string(g->violations[i].location));
		json_object_set_new(v, "why", json_string(g->violations[i].why));
		json_object_set_new(v, "runtime", json_boolean(g->violations[i].runtime));
		json_array_append_new(viol, v);
	}
	/* ok is null when the norm was not checked (nothing was built) */
	json_object_set_new(norm, "ran", json_boolean(g->norm_ran));
	json_object_set_new(norm, "ok", g->norm_ran ? json_boolean(g->norm_ok) : json_null());
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
