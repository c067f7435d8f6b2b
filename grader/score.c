/* score.c - points and the verdict */
#include "score.h"

static int table_points(struct table_result *t)
{
	size_t i;
	int sum = 0;

	t->max_score = 0;
	for (i = 0; i < t->n; i++) {
		struct test_result *r = &t->tests[i];

		r->points = r->status == ST_PASS ? r->max_points : 0;
		sum += r->points;
		t->max_score += r->max_points;
	}
	return sum;
}

void score_grade(struct grade *g, struct score_summary *s)
{
	g->norm_ok = g->nviolations == 0;
	s->earned = table_points(&g->base);
	g->base.score = s->earned;
	g->bonus.score = table_points(&g->bonus);
	if (!g->compiled || (!g->norm_ok && g->norm_blocking))
		g->base.score = 0;
	g->passed = g->compiled && (g->norm_ok || !g->norm_blocking) &&
		    g->base.score >= g->passing_score;
}
