/* report_text.c - the human-readable report: one line per test, the
 * details of each failure under it, and the verdict */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#define RED    "\033[31m"
#define GREEN  "\033[32m"
#define YELLOW "\033[33m"
#define BOLD   "\033[1m"
#define RESET  "\033[0m"

static const char *label(enum test_status st)
{
	switch (st) {
	case ST_PASS:         return "PASS";
	case ST_FAIL:         return "FAIL";
	case ST_CRASH:        return "CRASH";
	case ST_TIMEOUT:      return "TIMEOUT";
	case ST_LEAK:         return "LEAK";
	case ST_MEMORY_ERROR: return "MEMERR";
	case ST_NOT_RUN:      return "SKIP";
	}
	return "?";
}

static const char *colour_of(enum test_status st)
{
	return st == ST_PASS ? GREEN : st == ST_NOT_RUN ? YELLOW : RED;
}

/* Prints a labelled field, wrapping lines of the value under the label. */
static void field(FILE *out, const char *name, const char *value)
{
	const char *p = value;

	fprintf(out, "           %-10s ", name);
	for (; *p; p++) {
		fputc(*p, out);
		if (*p == '\n' && p[1])
			fprintf(out, "           %-10s ", "");
	}
	fputc('\n', out);
}

/* The last lines of what the submission printed. */
static void output_tail(FILE *out, const struct test_result *r)
{
	const char *s = r->output, *start;
	int lines = 0;
	size_t len;

	if (s == NULL || !s[0])
		return;
	len = strlen(s);
	start = s + len;
	while (start > s && lines < 4)
		if (*--start == '\n' && start + 1 < s + len)
			lines++;
	if (*start == '\n')
		start++;
	fprintf(out, "           %-10s (%zu bytes%s)\n", "output:", r->output_bytes,
		start > s || r->output_bytes > len ? ", the last lines" : "");
	while (*start) {
		const char *nl = strchr(start, '\n');
		size_t n = nl ? (size_t)(nl - start) : strlen(start);

		fprintf(out, "           %-10s | %.*s%s\n", "", (int)(n > 100 ? 100 : n),
			start, n > 100 ? "..." : "");
		start += n + (nl ? 1 : 0);
	}
}

static void test_line(FILE *out, const struct test_result *r, bool scored,
		      bool color)
{
	char dots[64];
	int width = 40 - (int)strlen(r->name);

	if (width < 2)
		width = 2;
	memset(dots, '.', sizeof(dots));
	dots[width < (int)sizeof(dots) ? width : (int)sizeof(dots) - 1] = '\0';
	fprintf(out, "  %s%-7s%s  %s %s", color ? colour_of(r->status) : "",
		label(r->status), color ? RESET : "", r->name, dots);
	if (scored)
		fprintf(out, " %2d/%d", r->points, r->max_points);
	if (r->trap)
		fprintf(out, "%*s trap", scored && r->max_points < 10 ? 1 : 0, "");
	if (r->blocking != FINDING_NONE)
		fprintf(out, "%s%s blocking%s", color ? RED : "",
			r->trap ? "," : scored && r->max_points < 10 ? "  " : " ",
			color ? RESET : "");
	fputc('\n', out);
	if (r->status == ST_PASS || (r->status == ST_NOT_RUN && !scored))
		return;
	if (r->spec && r->spec->input && r->status != ST_NOT_RUN)
		field(out, "fed:", r->spec->input);
	if (r->spec && r->spec->expected && r->status != ST_NOT_RUN)
		field(out, "expected:", r->spec->expected);
	if (r->message && r->message[0])
		field(out, r->status == ST_NOT_RUN ? "why:" : "got:", r->message);
	if (r->trap_explanation && r->status != ST_NOT_RUN)
		field(out, "trap:", r->trap_explanation);
	if (r->status == ST_CRASH || r->status == ST_TIMEOUT ||
	    (r->status == ST_FAIL && r->exited_midway))
		output_tail(out, r);
	if (r->reproduce && r->status != ST_NOT_RUN)
		field(out, "reproduce:", r->reproduce);
}

static bool unselected(const struct test_result *r)
{
	return r->status == ST_NOT_RUN && r->unselected;
}

/* The tests of a table; those --only left out are counted, not listed. */
static void table(FILE *out, const struct table_result *t, bool scored, bool color)
{
	size_t i, skipped = 0;

	for (i = 0; i < t->n; i++) {
		if (unselected(&t->tests[i]))
			skipped++;
		else
			test_line(out, &t->tests[i], scored, color);
	}
	if (skipped)
		fprintf(out, "  (%zu not selected by --only)\n", skipped);
}

/* The first line: the verdict, and why when refused. */
static void verdict_line(FILE *out, const struct grade *g, bool c)
{
	char *why;

	if (g->passed) {
		fprintf(out, "%spassed%s: score %d/%d (passing %d), nothing blocking\n",
			c ? GREEN : "", c ? RESET : "", g->base.score, g->base.max_score,
			g->passing_score);
		return;
	}
	why = blocker_text(&g->blockers[0], g);
	fprintf(out, "%srefused%s: %s \u2014 blocking", c ? RED : "", c ? RESET : "", why);
	if (g->nblockers > 1)
		fprintf(out, " (and %zu more, listed at the end)", g->nblockers - 1);
	fputc('\n', out);
	free(why);
}

/* Every blocking finding, when there is more than one. */
static void blockers(FILE *out, const struct grade *g, bool c)
{
	size_t i;

	if (g->nblockers < 2)
		return;
	fprintf(out, "%sblocking%s (each refuses the file whatever its score):\n",
		c ? RED : "", c ? RESET : "");
	for (i = 0; i < g->nblockers; i++) {
		char *why = blocker_text(&g->blockers[i], g);

		fprintf(out, "  - %s\n", why);
		free(why);
	}
}

void report_text(FILE *out, const struct grade *g, const struct report_info *ri)
{
	bool c = ri->color;
	size_t i;

	verdict_line(out, g, c);
	fprintf(out, "%s%s%s  (spec %s, seed %llu, %s)\n", c ? BOLD : "", g->file,
		c ? RESET : "", ri->spec_path, (unsigned long long)g->seed,
		g->valgrind ? "valgrind" : "no valgrind");
	if (g->note)
		fprintf(out, "note: %s\n", g->note);
	if (!g->compiled) {
		fprintf(out, "%sdoes not build%s\n", c ? RED : "", c ? RESET : "");
		field(out, "compiler:", g->compile_message);
	}
	table(out, &g->base, true, c);
	if (g->edges.n) {
		fputs("edge cases of the spec's driver (not scored):\n", out);
		table(out, &g->edges, false, c);
	}
	if (g->nviolations) {
		fprintf(out, "%snorm: %zu violation%s%s%s\n", c ? RED : "", g->nviolations,
			g->nviolations > 1 ? "s" : "",
			g->norm_blocking && !g->norm_ok ? " (blocking: score 0)" : "",
			c ? RESET : "");
		for (i = 0; i < g->nviolations; i++)
			fprintf(out, "  %s()%s%s: %s\n", g->violations[i].function,
				g->violations[i].location[0] ? " at " : "",
				g->violations[i].location, g->violations[i].why);
	} else if (g->compiled) {
		fputs("norm: ok\n", out);
	}
	if (g->bonus.graded) {
		fprintf(out, "bonus:\n");
		table(out, &g->bonus, true, c);
		fprintf(out, "bonus score %d/%d", g->bonus.score, g->bonus.max_score);
		if (g->bonus.forfeit)
			fprintf(out, " [the tests earned %d: a blocking finding makes a "
				"bonus worth nothing]", g->bonus.earned);
		fputc('\n', out);
	}
	blockers(out, g, c);
	fprintf(out, "score %d/%d (passing %d)", g->base.score, g->base.max_score,
		g->passing_score);
	if (g->base.score != g->base.earned)
		fprintf(out, " [the tests earned %d]", g->base.earned);
	fprintf(out, ": %s%s%s\n", c ? (g->passed ? GREEN : RED) : "",
		g->passed ? "PASS" : "FAIL", c ? RESET : "");
}
