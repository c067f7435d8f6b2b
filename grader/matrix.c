/* matrix.c - the kill matrix: rows from the grade reports (read by
 * child_report.c), verdicts, score */
#include "matrix.h"

#include <stdlib.h>
#include <string.h>


static const char *const verdict_names[] = {
	[VERDICT_NONE] = "not_graded",
	[VERDICT_PASSED] = "passed",
	[VERDICT_KILLED] = "killed",
	[VERDICT_NOTICED] = "noticed",
	[VERDICT_SURVIVED] = "survived",
	[VERDICT_STILLBORN] = "stillborn",
	[VERDICT_EQUIVALENT] = "equivalent",
};

const char *verdict_name(enum verdict v)
{
	return verdict_names[v];
}

static void row_init(struct matrix_row *r, const char *file, const char *path,
		     enum expectation expected);

void matrix_init(struct matrix *m, const struct spec *spec, const char *reference,
		 const char *path)
{
	size_t i;

	m->nbase = spec->base.n;
	m->ncolumns = spec->base.n + spec->bonus.n;
	m->columns = xcalloc(m->ncolumns, sizeof(*m->columns));
	for (i = 0; i < spec->base.n; i++)
		m->columns[i] = xstrdup(spec->base.tests[i].name);
	for (i = 0; i < spec->bonus.n; i++)
		m->columns[spec->base.n + i] = xstrdup(spec->bonus.tests[i].name);
	m->mutation_score = -1;
	m->reference = reference;
	row_init(&m->baseline, reference, path, EXPECT_PASS);
}

static void row_init(struct matrix_row *r, const char *file, const char *path,
		     enum expectation expected)
{
	memset(r, 0, sizeof(*r));
	r->file = xstrdup(file);
	r->path = xstrdup(path);
	r->expected = expected;
	r->compile_message = xstrdup("");
	r->bonus_score = -1;
	r->why = xstrdup("");
}

struct matrix_row *matrix_add_row(struct matrix *m, const char *file,
				  const char *path, enum expectation expected)
{
	struct matrix_row *r;

	m->rows = xrealloc(m->rows, (m->nrows + 1) * sizeof(*m->rows));
	r = &m->rows[m->nrows++];
	row_init(r, file, path, expected);
	return r;
}

void matrix_row_set(const struct matrix *m, struct matrix_row *r,
		    const struct child_report *rep)
{
	size_t i;

	r->graded = true;
	r->compiled = rep->compiled;
	free(r->compile_message);
	r->compile_message = xstrdup(rep->compile_message);
	r->score = rep->score;
	r->max_score = rep->max_score;
	r->bonus_score = rep->has_bonus ? rep->bonus_score : -1;
	r->passed = rep->passed;
	free(r->refused_because);
	r->refused_because = NULL;
	if (!r->passed)
		r->refused_because = xstrdup(rep->nrefused ? rep->refused[0].text
					     : "the student verdict is refused");
	r->ms = rep->ms;
	free(r->norm_problem);
	r->norm_problem = rep->norm_problem ? xstrdup(rep->norm_problem) : NULL;
	r->cells = xcalloc(m->ncolumns, sizeof(*r->cells));
	for (i = 0; i < m->ncolumns; i++) {
		struct matrix_cell *c = &r->cells[i];
		const struct child_test *t =
			child_tests_find(i < m->nbase ? &rep->tests : &rep->bonus_tests,
					 m->columns[i]);

		c->status = t ? t->status : ST_NOT_RUN;
		c->graded = t != NULL && r->compiled;
		c->message = xstrdup(t ? t->message : "");
		c->blocking = t && t->blocking;
		c->ms = t ? t->ms : 0;
	}
}

void matrix_row_set_report(const struct matrix *m, struct matrix_row *r,
			   const json_t *report)
{
	struct child_report rep;

	child_report_read(&rep, report);
	matrix_row_set(m, r, &rep);
	child_report_release(&rep);
}

/* Adds "name (status: message)" of every test of ts that did not pass. */
static void add_failures(struct sbuf *sb, const struct child_tests *ts)
{
	size_t i;

	for (i = 0; i < ts->n; i++) {
		const struct child_test *t = &ts->v[i];

		if (t->status == ST_PASS)
			continue;
		sbuf_addf(sb, "\n  %s: %s%s%s", t->name, status_name(t->status),
			  t->message[0] ? ": " : "", t->message);
	}
}

bool matrix_baseline_passes(const struct child_report *rep, char **why)
{
	struct sbuf sb = { 0 };

	if (!rep->compiled) {
		*why = xasprintf("it does not build:\n  %s", rep->compile_message);
		return false;
	}
	add_failures(&sb, &rep->tests);
	if (rep->has_bonus)
		add_failures(&sb, &rep->bonus_tests);
	add_failures(&sb, &rep->edge_cases);
	if (rep->norm_problem)
		sbuf_addf(&sb, "\n  norm: %s", rep->norm_problem);
	if (sb.len == 0)
		return true;
	*why = xasprintf("these do not pass:%s", sb.buf);
	sbuf_release(&sb);
	return false;
}

bool matrix_baseline_ok(const struct matrix *m, const json_t *report, char **why)
{
	struct child_report rep;
	bool ok;

	(void)m;
	child_report_read(&rep, report);
	ok = matrix_baseline_passes(&rep, why);
	child_report_release(&rep);
	return ok;
}

/* How much a cell says about why the row was refused: 3 a test that ran
 * and blocked, 2 one that blocked without running (left out after the
 * budget of timeouts: it killed nothing), 1 one that only lost points, 0
 * one that passed or was not graded. */
static int kill_rank(const struct matrix_cell *c)
{
	if (!c->graded || c->status == ST_PASS)
		return 0;
	if (!c->blocking)
		return 1;
	return c->status == ST_NOT_RUN ? 2 : 3;
}

size_t *matrix_row_killers(const struct matrix *m, const struct matrix_row *r,
			   size_t *n)
{
	size_t *k = xcalloc(m->ncolumns + 1, sizeof(*k)), i;
	int best = 0;

	*n = 0;
	for (i = 0; r->cells && i < m->ncolumns; i++)
		if (kill_rank(&r->cells[i]) > best)
			best = kill_rank(&r->cells[i]);
	for (i = 0; best && r->cells && i < m->ncolumns; i++)
		if (kill_rank(&r->cells[i]) == best)
			k[(*n)++] = i;
	return k;
}

/* "test_a (timeout), test_b (leak)" */
static char *killers_text(const struct matrix *m, const struct matrix_row *r)
{
	struct sbuf sb = { 0 };
	size_t n, i, *k = matrix_row_killers(m, r, &n);

	for (i = 0; i < n; i++)
		sbuf_addf(&sb, "%s%s (%s)", i ? ", " : "", m->columns[k[i]],
			  status_name(r->cells[k[i]].status));
	free(k);
	return sb.buf ? sb.buf : xstrdup("");
}

static bool same_code(const struct matrix_row *a, const struct matrix_row *b)
{
	return a->code && b->code && a->code_len == b->code_len &&
	       !memcmp(a->code, b->code, a->code_len);
}

/* The accepted solution whose compiled code r has, or NULL. */
static const char *equivalent_to(const struct matrix *m, const struct matrix_row *r)
{
	size_t i;

	for (i = 0; i < m->nrows; i++)
		if (m->rows[i].expected == EXPECT_PASS && same_code(r, &m->rows[i]))
			return m->rows[i].file;
	return same_code(r, &m->baseline) ? m->baseline.file : NULL;
}

/* The compiler's message, indented under the why line. */
static char *indented(const char *text)
{
	struct sbuf sb = { 0 };
	const char *p;

	sbuf_adds(&sb, "    ");
	for (p = text; *p; p++) {
		sbuf_add(&sb, p, 1);
		if (*p == '\n' && p[1])
			sbuf_adds(&sb, "    ");
	}
	return sb.buf ? sb.buf : xstrdup("");
}

static void judge_row(struct matrix *m, struct matrix_row *r)
{
	const char *exp = r->expected == EXPECT_PASS ? "passed" : "killed";
	const char *eq;
	char *killers = NULL, *msg = NULL;
	size_t nk;

	free(matrix_row_killers(m, r, &nk));
	if (!r->compiled)
		r->verdict = VERDICT_STILLBORN;
	else if (!r->passed)
		r->verdict = VERDICT_KILLED;
	else if (nk && r->expected == EXPECT_FAIL)
		r->verdict = VERDICT_NOTICED;
	else
		r->verdict = r->expected == EXPECT_PASS ? VERDICT_PASSED : VERDICT_SURVIVED;
	eq = r->expected == EXPECT_FAIL && r->compiled ? equivalent_to(m, r) : NULL;
	if (eq) {
		r->verdict = VERDICT_EQUIVALENT;
		r->equivalent_to = xstrdup(eq);
	}
	r->ok = r->expected == EXPECT_PASS
		? r->verdict == VERDICT_PASSED && r->norm_problem == NULL && nk == 0
		: r->verdict == VERDICT_KILLED;

	free(r->why);
	switch (r->verdict) {
	case VERDICT_STILLBORN:
		msg = indented(r->compile_message);
		r->why = xasprintf("expected %s, stillborn: it does not compile, so no "
				   "test ran: fix the compile error:\n%s", exp, msg);
		break;
	case VERDICT_EQUIVALENT:
		r->why = xasprintf("expected killed, equivalent: its compiled code is "
				   "identical to %s's, so no test can kill it: make its "
				   "fault change the code, or remove it", r->equivalent_to);
		break;
	case VERDICT_SURVIVED:
		r->why = xasprintf("expected killed, survived: every test passed: add a "
				   "test that kills it, or list it in expected_pass");
		break;
	case VERDICT_NOTICED:
		killers = killers_text(m, r);
		r->why = xasprintf("expected killed, noticed: %s lost points, but nothing "
				   "blocking happened and the score %d reaches the passing "
				   "score, so a student would get PASS: make the test that "
				   "sees its fault required (\"required\": true) or a trap, "
				   "or list it in expected_pass if it is not a fault",
				   killers, r->score);
		break;
	case VERDICT_KILLED:
		killers = killers_text(m, r);
		if (r->expected == EXPECT_PASS) {
			size_t *k = matrix_row_killers(m, r, &nk);

			r->why = nk ? xasprintf("expected passed, killed by %s: the tests "
					   "reject an accepted solution (%s: %s): fix the "
					   "solution or the test, or list it in expected_fail",
					   killers, m->columns[k[0]], r->cells[k[0]].message)
				: xasprintf("expected passed, refused: %s: fix the solution, "
					    "or list it in expected_fail",
					    r->refused_because ? r->refused_because : "?");
			free(k);
		} else {
			r->why = xstrdup("");
		}
		break;
	case VERDICT_PASSED:
		killers = nk ? killers_text(m, r) : NULL;
		r->why = r->norm_problem
			? xasprintf("expected passed, but the norm blocks it (score 0): %s: "
				    "fix the solution", r->norm_problem)
			: nk ? xasprintf("expected passed with every test, but %s did not "
					 "pass (score %d): an accepted solution must score "
					 "%d: fix the solution or the test", killers, r->score,
					 r->max_score)
			: xstrdup("");
		break;
	case VERDICT_NONE:
		r->why = xstrdup("not graded");
		break;
	}
	free(killers);
	free(msg);
}

void matrix_judge(struct matrix *m)
{
	size_t i;

	m->mutants = m->killed = m->noticed = m->survived = m->stillborn = 0;
	m->equivalent = 0;
	m->solutions = m->solutions_passed = 0;
	m->ok = m->missing.n == 0 && m->unlisted.n == 0;
	for (i = 0; i < m->nrows; i++) {
		struct matrix_row *r = &m->rows[i];

		if (!r->graded)
			continue;
		judge_row(m, r);
		m->ok = m->ok && r->ok;
		if (r->expected == EXPECT_PASS) {
			m->solutions++;
			m->solutions_passed += r->ok;
			continue;
		}
		m->mutants++;
		m->killed += r->verdict == VERDICT_KILLED;
		m->noticed += r->verdict == VERDICT_NOTICED;
		m->survived += r->verdict == VERDICT_SURVIVED;
		m->stillborn += r->verdict == VERDICT_STILLBORN;
		m->equivalent += r->verdict == VERDICT_EQUIVALENT;
	}
	m->mutation_score = m->mutants > m->equivalent
		? (double)m->killed / (double)(m->mutants - m->equivalent) : -1;
}

static void row_release(struct matrix_row *r, size_t ncolumns)
{
	size_t i;

	for (i = 0; r->cells && i < ncolumns; i++)
		free(r->cells[i].message);
	free(r->cells);
	free(r->file);
	free(r->path);
	free(r->compile_message);
	free(r->norm_problem);
	free(r->refused_because);
	free(r->code);
	free(r->equivalent_to);
	free(r->why);
	memset(r, 0, sizeof(*r));
}

void matrix_remove_row(struct matrix *m, const char *file)
{
	size_t i;

	for (i = 0; i < m->nrows; i++)
		if (m->rows[i].file && !strcmp(m->rows[i].file, file)) {
			row_release(&m->rows[i], m->ncolumns);
			memmove(&m->rows[i], &m->rows[i + 1],
				(m->nrows - i - 1) * sizeof(*m->rows));
			m->nrows--;
			return;
		}
}

void matrix_release(struct matrix *m)
{
	size_t i;

	for (i = 0; i < m->nrows; i++)
		row_release(&m->rows[i], m->ncolumns);
	free(m->rows);
	row_release(&m->baseline, m->ncolumns);
	for (i = 0; i < m->ncolumns; i++)
		free(m->columns[i]);
	free(m->columns);
	strlist_release(&m->missing);
	strlist_release(&m->unlisted);
	memset(m, 0, sizeof(*m));
}
