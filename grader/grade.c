/* grade.c - the verdict structure: status names, violations, release */
#include "grade.h"

#include <stdlib.h>
#include <string.h>

static const char *const names[] = {
	[ST_PASS] = "pass",
	[ST_FAIL] = "fail",
	[ST_CRASH] = "crash",
	[ST_TIMEOUT] = "timeout",
	[ST_LEAK] = "leak",
	[ST_MEMORY_ERROR] = "memory_error",
	[ST_NOT_RUN] = "not_run",
};

const char *status_name(enum test_status st)
{
	return names[st];
}

int status_parse(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(names[i], s))
			return (int)i;
	return -1;
}

static const char *const finding_names[] = {
	[FINDING_NONE] = "none",
	[FINDING_BUILD] = "build",
	[FINDING_HEADER] = "header",
	[FINDING_NOT_RUN] = "not_run",
	[FINDING_NORM] = "norm",
	[FINDING_FORBIDDEN_CALL] = "forbidden_call",
	[FINDING_CRASH] = "crash",
	[FINDING_MEMORY_ERROR] = "memory_error",
	[FINDING_TIMEOUT] = "timeout",
	[FINDING_LEAK] = "leak",
	[FINDING_FAILED_TRAP] = "failed_trap",
	[FINDING_FAILED_REQUIRED] = "failed_required",
	[FINDING_SCORE] = "score",
};

const char *finding_name(enum finding f)
{
	return finding_names[f];
}

void grade_add_runtime_violation(struct grade *g, const char *function,
				 const char *why)
{
	grade_add_violation(g, function, "", why);
	g->violations[g->nviolations - 1].runtime = true;
}

void grade_add_violation(struct grade *g, const char *function,
			 const char *location, const char *why)
{
	struct norm_violation *v;

	g->violations = xrealloc(g->violations,
				 (g->nviolations + 1) * sizeof(*g->violations));
	v = &g->violations[g->nviolations++];
	v->function = xstrdup(function);
	v->location = xstrdup(location ? location : "");
	v->why = xstrdup(why);
	v->runtime = false;
}

void grade_add_missing(struct grade *g, const char *function)
{
	struct missing_function *m;

	g->missing = xrealloc(g->missing, (g->nmissing + 1) * sizeof(*g->missing));
	m = &g->missing[g->nmissing++];
	m->name = xstrdup(function);
	m->prototype = NULL;
	m->line = 0;
}

static void table_release(struct table_result *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->tests[i].message);
		free(t->tests[i].output);
		free(t->tests[i].reproduce);
	}
	free(t->tests);
}

void grade_release(struct grade *g)
{
	size_t i;

	table_release(&g->base);
	table_release(&g->bonus);
	table_release(&g->edges);
	for (i = 0; i < g->nviolations; i++) {
		free(g->violations[i].function);
		free(g->violations[i].location);
		free(g->violations[i].why);
	}
	free(g->violations);
	for (i = 0; i < g->nheader_gaps; i++) {
		free(g->header_gaps[i].name);
		free(g->header_gaps[i].member);
		free(g->header_gaps[i].contract_value);
		free(g->header_gaps[i].student_value);
	}
	free(g->header_gaps);
	for (i = 0; i < g->nmissing; i++) {
		free(g->missing[i].name);
		free(g->missing[i].prototype);
	}
	free(g->missing);
	free(g->compile_command);
	free(g->header);
	free(g->contract);
	free(g->blockers);
	free(g->refused);
	free(g->file);
	free(g->note);
	free(g->compile_message);
	memset(g, 0, sizeof(*g));
}
