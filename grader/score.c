/* score.c - points, blocking findings and the verdict (see score.h) */
#include "score.h"
#include "i18n.h"

#include <stdlib.h>

/* The blocking finding of one test result, or FINDING_NONE. */
static enum finding test_finding(const struct test_result *r,
				 const struct pass_rule *rule)
{
	if (r->status == ST_PASS || r->unselected)
		return FINDING_NONE;
	if (r->forbidden_call && rule->security)
		return FINDING_FORBIDDEN_CALL;
	if (r->status == ST_CRASH && rule->crash)
		return FINDING_CRASH;
	if (r->status == ST_MEMORY_ERROR && rule->memory)
		return FINDING_MEMORY_ERROR;
	if (r->status == ST_TIMEOUT && rule->timeout)
		return FINDING_TIMEOUT;
	if (r->status == ST_LEAK && rule->memory)
		return FINDING_LEAK;
	if (r->trap && rule->failed_trap)
		return FINDING_FAILED_TRAP;
	if (r->required && rule->failed_required)
		return FINDING_FAILED_REQUIRED;
	return FINDING_NONE;
}

static void add_blocker(struct grade *g, enum finding kind, const char *test,
			bool bonus, bool edge)
{
	struct blocker *b;

	g->blockers = xrealloc(g->blockers, (g->nblockers + 1) * sizeof(*g->blockers));
	b = &g->blockers[g->nblockers++];
	b->kind = kind;
	b->test = test;
	b->bonus = bonus;
	b->edge = edge;
}

/* Points of the table, and the finding of each of its tests (added to g's
 * blockers when add is true).  Returns the number of blocking tests. */
static size_t judge_table(struct grade *g, struct table_result *t,
			  const struct pass_rule *rule, bool bonus, bool edge,
			  bool add)
{
	size_t i, n = 0;

	t->earned = 0;
	t->max_score = 0;
	for (i = 0; i < t->n; i++) {
		struct test_result *r = &t->tests[i];

		r->points = r->status == ST_PASS ? r->max_points : 0;
		t->earned += r->points;
		g->partial = g->partial || r->unselected;
		t->max_score += r->max_points;
		r->blocking = t->graded && g->compiled && !g->refused
			? test_finding(r, rule) : FINDING_NONE;
		if (r->blocking == FINDING_NONE)
			continue;
		n++;
		if (add)
			add_blocker(g, r->blocking, r->name, bonus, edge);
	}
	t->score = t->earned;
	return n;
}

static int by_seriousness(const void *a, const void *b)
{
	const struct blocker *x = a, *y = b;

	if (x->kind != y->kind)
		return (int)x->kind - (int)y->kind;
	return (int)x->bonus - (int)y->bonus;
}

void score_grade(struct grade *g, const struct pass_rule *rule)
{
	size_t i, nbonus;

	free(g->blockers);
	g->blockers = NULL;
	g->nblockers = 0;
	g->partial = false;
	g->norm_ok = true;
	for (i = 0; i < g->nviolations; i++)
		if (!g->violations[i].runtime)
			g->norm_ok = false;

	if (g->nheader_gaps)
		add_blocker(g, FINDING_HEADER, NULL, false, false);
	else if (!g->compiled)
		add_blocker(g, FINDING_BUILD, NULL, false, false);
	else if (g->refused)
		add_blocker(g, FINDING_NOT_RUN, NULL, false, false);
	if (!g->norm_ok && g->norm_blocking)
		add_blocker(g, FINDING_NORM, NULL, false, false);
	judge_table(g, &g->base, rule, false, false, true);
	judge_table(g, &g->edges, rule, false, true, true);
	/* a bonus asked for (--bonus) but not attempted is no finding */
	nbonus = judge_table(g, &g->bonus, rule, true, false,
			     rule->bonus == BONUS_REFUSE && g->has_bonus_function);
	g->bonus.forfeit = g->bonus.graded && g->has_bonus_function && nbonus > 0;
	if (g->bonus.forfeit)
		g->bonus.score = 0;

	if (!g->compiled || (!g->norm_ok && g->norm_blocking))
		g->base.score = 0;
	if (g->compiled && !g->refused && g->base.score < g->passing_score)
		add_blocker(g, FINDING_SCORE, NULL, false, false);
	qsort(g->blockers, g->nblockers, sizeof(*g->blockers), by_seriousness);
	g->passed = g->nblockers == 0;
}

char *blocker_text(const struct blocker *b, const struct grade *g)
{
	const char *where = b->bonus ? _(" of the bonus") : b->edge ? _(" (edge case)") : "";

	switch (b->kind) {
	case FINDING_BUILD:
		return xstrdup(_("it does not build"));
	case FINDING_HEADER:
		return xasprintf(ngettext("the header %s disagrees with the contract %s "
					  "(%zu difference, no test ran)",
					  "the header %s disagrees with the contract %s "
					  "(%zu differences, no test ran)", g->nheader_gaps),
				 g->header ? g->header : "?", g->contract ? g->contract : "?",
				 g->nheader_gaps);
	case FINDING_NOT_RUN:
		return xstrdup(_("refused before the tests: code that would run outside them"));
	case FINDING_NORM:
		return xstrdup(_("a norm violation"));
	case FINDING_FORBIDDEN_CALL:
		return xasprintf(_("a forbidden call in %s%s"), b->test, where);
	case FINDING_CRASH:
		return xasprintf(_("a crash in %s%s"), b->test, where);
	case FINDING_MEMORY_ERROR:
		return xasprintf(_("a memory error in %s%s"), b->test, where);
	case FINDING_TIMEOUT:
		return xasprintf(_("a timeout in %s%s"), b->test, where);
	case FINDING_LEAK:
		return xasprintf(_("a leak in %s%s"), b->test, where);
	case FINDING_FAILED_TRAP:
		return xasprintf(_("the trap %s%s failed"), b->test, where);
	case FINDING_FAILED_REQUIRED:
		return xasprintf(_("%s%s failed, and it is required"), b->test, where);
	case FINDING_SCORE:
		if (g->partial)
			return xasprintf(_("the score %d counts only the tests --only "
					   "ran: a file passes on the whole table"),
					 g->base.score);
		return xasprintf(_("the score %d is below the passing score %d"),
				 g->base.score, g->passing_score);
	case FINDING_NONE:
		break;
	}
	return xstrdup("?");
}
