/* report_text.c - the human-readable report: one line per test, the
 * details of each failure under it, and the verdict */
#include "report.h"

#include "build.h"
#include "header_check.h"

#include <stdlib.h>
#include <string.h>

#include "i18n.h"

#define RED    "\033[31m"
#define GREEN  "\033[32m"
#define YELLOW "\033[33m"
#define BOLD   "\033[1m"
#define RESET  "\033[0m"

static const char *label(enum test_status st)
{
	switch (st) {
	/* TRANSLATORS: the status column of a test, at most 7 characters */
	case ST_PASS:         return _("PASS");
	case ST_FAIL:         return _("FAIL");
	case ST_CRASH:        return _("CRASH");
	case ST_TIMEOUT:      return _("TIMEOUT");
	case ST_LEAK:         return _("LEAK");
	case ST_MEMORY_ERROR: return _("MEMERR");
	case ST_NOT_RUN:      return _("SKIP");
	}
	return "?";
}

static const char *colour_of(enum test_status st)
{
	return st == ST_PASS ? GREEN : st == ST_NOT_RUN ? YELLOW : RED;
}

/* s, then spaces up to width columns (a UTF-8 character is one column: a
 * translated label may have accents). */
static void padded(FILE *out, const char *s, int width)
{
	int cols = 0;
	const char *p;

	for (p = s; *p; p++)
		cols += ((unsigned char)*p & 0xc0) != 0x80;
	fprintf(out, "%s%*s", s, width > cols ? width - cols : 0, "");
}

/* Prints a labelled field, wrapping lines of the value under the label. */
static void field(FILE *out, const char *name, const char *value)
{
	const char *p = value;

	fputs("           ", out);
	padded(out, name, 10);
	fputc(' ', out);
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
	fputs("           ", out);
	padded(out, _("output:"), 10);
	fprintf(out, start > s || r->output_bytes > len ? _(" (%zu bytes, the last lines)\n")
		: _(" (%zu bytes)\n"), r->output_bytes);
	while (*start) {
		const char *nl = strchr(start, '\n');
		size_t n = nl ? (size_t)(nl - start) : strlen(start);

		fprintf(out, "           %-10s | %.*s%s\n", "", (int)(n > 100 ? 100 : n),
			start, n > 100 ? "..." : "");
		start += n + (nl ? 1 : 0);
	}
}

/* A trap's text explains a wrong result.  After a timeout it is shown only
 * when the evidence points to it: the guest's RIP ran past the end of its
 * memory (every trap of a loop is a bound); otherwise the evidence, in the
 * message, is the hint. */
static bool trap_supported(const struct test_result *r)
{
	return r->status != ST_TIMEOUT || r->evidence.rip_outside;
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
	fprintf(out, "  %s", color ? colour_of(r->status) : "");
	padded(out, label(r->status), 7);
	fprintf(out, "%s  %s %s", color ? RESET : "", r->name, dots);
	if (scored)
		fprintf(out, " %2d/%d", r->points, r->max_points);
	if (r->trap)
		fprintf(out, "%*s %s", scored && r->max_points < 10 ? 1 : 0, "", _("trap"));
	if (r->blocking != FINDING_NONE)
		fprintf(out, "%s%s %s%s", color ? RED : "",
			r->trap ? "," : scored && r->max_points < 10 ? "  " : " ",
			_("blocking"), color ? RESET : "");
	fputc('\n', out);
	if (r->status == ST_PASS || (r->status == ST_NOT_RUN && !scored))
		return;
	if (r->spec && r->spec->input && r->status != ST_NOT_RUN)
		field(out, _("fed:"), i18n_pick(r->spec->input, r->spec->en.input));
	if (r->spec && r->spec->expected && r->status != ST_NOT_RUN)
		field(out, _("expected:"), i18n_pick(r->spec->expected, r->spec->en.expected));
	if (r->message && r->message[0])
		field(out, r->status == ST_NOT_RUN ? _("why:") : _("got:"), r->message);
	if (r->trap_explanation && r->status != ST_NOT_RUN && trap_supported(r))
		field(out, _("trap:"), r->trap_explanation);
	if (r->status == ST_CRASH || r->status == ST_TIMEOUT ||
	    (r->status == ST_FAIL && r->exited_midway))
		output_tail(out, r);
	if (r->reproduce && r->status != ST_NOT_RUN)
		field(out, _("reproduce:"), r->reproduce);
}

static bool unselected(const struct test_result *r)
{
	return r->status == ST_NOT_RUN && r->unselected;
}

/* The tests of a table; those --only left out are counted, not listed. */
static void table(FILE *out, const struct table_result *t, bool scored, bool color)
{
	size_t i, skipped = 0, notrun = 0;
	int max = 0;

	for (i = 0; i < t->n; i++)
		if (t->tests[i].status == ST_NOT_RUN && !t->tests[i].unselected) {
			notrun++;
			max += t->tests[i].max_points;
		}
	if (notrun > 1 && notrun == t->n) {      /* none ran: one line says it */
		fprintf(out, "  %s", color ? YELLOW : "");
		padded(out, label(ST_NOT_RUN), 7);
		fprintf(out, "%s  ", color ? RESET : "");
		fprintf(out, ngettext("%zu test", "%zu tests", notrun), notrun);
		if (scored)
			fprintf(out, ", 0/%d", max);
		fprintf(out, " \u2014 %s\n", t->tests[0].message);
		return;
	}

	for (i = 0; i < t->n; i++) {
		if (unselected(&t->tests[i]))
			skipped++;
		else
			test_line(out, &t->tests[i], scored, color);
	}
	if (skipped)
		fprintf(out, _("  (%zu not selected by --only)\n"), skipped);
}

/* Why it does not build: every error (or the first lines and the count),
 * the functions it lacks with their prototypes, the command to rebuild. */
static void build_failure(FILE *out, const struct grade *g, bool c)
{
	size_t i, lines = 1;
	const char *p;

	for (p = g->compile_message; *p; p++)
		lines += *p == '\n';
	fprintf(out, "%s%s%s", c ? RED : "", _("does not build"), c ? RESET : "");
	if (g->compile_errors > 1)
		fprintf(out, ngettext(": %u error\n", ": %u errors\n", g->compile_errors),
			g->compile_errors);
	else
		fputc('\n', out);
	if (g->nmissing) {
		for (i = 0; i < g->nmissing; i++)
			if (g->missing[i].prototype)
				fprintf(out, _("  - %s() is not defined; the contract declares "
					       "%s; at %s:%u\n"), g->missing[i].name,
					g->missing[i].prototype, g->contract, g->missing[i].line);
			else
				fprintf(out, _("  - %s() is not defined; the contract requires it\n"),
					g->missing[i].name);
	} else {
		field(out, _("compiler:"), g->compile_message);
		if (lines >= BUILD_MAX_LINES) {
			fprintf(out, "           %-10s ", "");
			fprintf(out, _("(the first %u lines: the command below shows them "
				       "all)\n"), (unsigned)BUILD_MAX_LINES);
		}
	}
	if (g->compile_command && !g->nmissing)
		field(out, _("rebuild:"), g->compile_command);
	if (!g->header && g->header_nearby)
		fprintf(out, _("note: it was compiled against the pack's header %s, not "
			       "the %s next to it: if it needs that one, pass -H\n"),
			g->contract, path_base(g->contract));
}

/* The first line: the verdict, and why when refused. */
static void verdict_line(FILE *out, const struct grade *g, bool c)
{
	char *why;

	if (g->passed) {
		fprintf(out, "%s%s%s", c ? GREEN : "", _("passed"), c ? RESET : "");
		fprintf(out, _(": score %d/%d (passing %d), nothing blocking\n"),
			g->base.score, g->base.max_score, g->passing_score);
		return;
	}
	why = blocker_text(&g->blockers[0], g);
	fprintf(out, "%s%s%s", c ? RED : "", _("refused"), c ? RESET : "");
	fprintf(out, _(": %s \u2014 blocking"), why);
	if (g->nblockers > 1)
		fprintf(out, ngettext(" (and %zu more, listed at the end)",
				      " (and %zu more, listed at the end)", g->nblockers - 1),
			g->nblockers - 1);
	fputc('\n', out);
	free(why);
}

/* Every blocking finding, when there is more than one. */
static void blockers(FILE *out, const struct grade *g, bool c)
{
	size_t i;

	if (g->nblockers < 2)
		return;
	fprintf(out, "%s%s%s%s\n", c ? RED : "", _("blocking"), c ? RESET : "",
		_(" (each refuses the file whatever its score):"));
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
	fprintf(out, "%s%s%s", c ? BOLD : "", g->file, c ? RESET : "");
	fprintf(out, _("  (spec %s, seed %llu, %s)\n"), ri->spec_path,
		(unsigned long long)g->seed, g->valgrind ? _("valgrind") : _("no valgrind"));
	if (g->note)
		fprintf(out, _("note: %s\n"), g->note);
	if (!g->header)
		fprintf(out, _("header: the pack's %s (to compile against yours, add "
			       "-H path/to/%s)\n"), g->contract ? g->contract : "?",
			path_base(g->contract ? g->contract : "hypervisor_sim.h"));
	if (g->nheader_gaps) {
		fputs(c ? RED : "", out);
		fprintf(out, _("the header %s disagrees with the contract (the tests are "
			       "compiled against the contract: a verdict on two layouts "
			       "would be wrong, so no test ran):\n"), g->header);
		fputs(c ? RESET : "", out);
		for (i = 0; i < g->nheader_gaps; i++) {
			char *t = header_gap_text(&g->header_gaps[i], g->contract, g->header);

			fprintf(out, "  - %s\n", t);
			free(t);
		}
	} else if (!g->compiled) {
		build_failure(out, g, c);
	}
	table(out, &g->base, true, c);
	if (g->edges.n) {
		fputs(_("edge cases of the spec's driver (not scored):\n"), out);
		table(out, &g->edges, false, c);
	}
	if (g->nviolations) {
		fputs(c ? RED : "", out);
		fprintf(out, ngettext("norm: %zu violation", "norm: %zu violations",
				      g->nviolations), g->nviolations);
		fprintf(out, "%s%s\n", g->norm_blocking && !g->norm_ok ?
			_(" (blocking: score 0)") : "", c ? RESET : "");
		for (i = 0; i < g->nviolations; i++) {
			if (g->violations[i].location[0])
				fprintf(out, _("  %s() at %s: %s\n"), g->violations[i].function,
					g->violations[i].location, g->violations[i].why);
			else
				fprintf(out, "  %s(): %s\n", g->violations[i].function,
					g->violations[i].why);
		}
	} else if (g->norm_ran) {
		fputs(_("norm: ok\n"), out);
	}
	if (g->bonus.graded) {
		fputs(_("bonus:\n"), out);
		table(out, &g->bonus, true, c);
		fprintf(out, _("bonus score %d/%d"), g->bonus.score, g->bonus.max_score);
		if (g->bonus.forfeit)
			fprintf(out, _(" [the tests earned %d: a blocking finding makes a "
				       "bonus worth nothing]"), g->bonus.earned);
		fputc('\n', out);
	}
	blockers(out, g, c);
	fprintf(out, _("score %d/%d (passing %d)"), g->base.score, g->base.max_score,
		g->passing_score);
	if (g->base.score != g->base.earned)
		fprintf(out, _(" [the tests earned %d]"), g->base.earned);
	fprintf(out, ": %s%s%s\n", c ? (g->passed ? GREEN : RED) : "",
		g->passed ? _("PASS") : _("FAIL"), c ? RESET : "");
}
