/* report_matrix.c - the kill matrix as text (the default) and as JSON */
#include "report_matrix.h"

#include <string.h>

#define RED    "\033[31m"
#define GREEN  "\033[32m"
#define BOLD   "\033[1m"
#define RESET  "\033[0m"

/* One character per cell: what the test did to the file; a capital when
 * its finding refuses the file, a small letter when it only cost points. */
static char mark(const struct matrix_cell *c)
{
	char k = '?';

	if (!c->graded)
		return ' ';
	switch (c->status) {
	case ST_PASS:         return '.';
	case ST_FAIL:         k = 'F'; break;
	case ST_CRASH:        k = 'C'; break;
	case ST_TIMEOUT:      k = 'T'; break;
	case ST_LEAK:         k = 'L'; break;
	case ST_MEMORY_ERROR: k = 'M'; break;
	case ST_NOT_RUN:      return '-';
	}
	return c->blocking ? k : (char)(k - 'A' + 'a');
}

static int file_width(const struct matrix *m)
{
	size_t i, w = strlen("file");

	for (i = 0; i < m->nrows; i++)
		if (strlen(m->rows[i].file) > w)
			w = strlen(m->rows[i].file);
	return (int)w;
}

/* The test columns' numbers, tens above units, a bar between the base and
 * the bonus tables; the units line also names the other columns. */
static void column_headers(FILE *out, const struct matrix *m, int fw)
{
	size_t i;
	int line;

	for (line = m->ncolumns < 10; line < 2; line++) {
		if (line == 0)
			fprintf(out, "  %-*s %-6s %-10s %7s", fw, "", "", "", "");
		else
			fprintf(out, "  %-*s %-6s %-10s %7s", fw, "file", "expect", "verdict",
				"score");
		for (i = 0; i < m->ncolumns; i++) {
			size_t n = i + 1;

			fputc(i == m->nbase && m->nbase ? '|' : ' ', out);
			if (line == 0)
				fputc(n >= 10 ? (char)('0' + (n / 10) % 10) : ' ', out);
			else
				fputc((char)('0' + n % 10), out);
		}
		fputc('\n', out);
	}
}

static void legend(FILE *out, const struct matrix *m)
{
	size_t i, half = (m->ncolumns + 1) / 2;

	fputs("tests:\n", out);
	for (i = 0; i < half; i++) {
		fprintf(out, "  %2zu %-30s", i + 1, m->columns[i]);
		if (i + half < m->ncolumns)
			fprintf(out, " %2zu %s%s", i + half + 1, m->columns[i + half],
				i + half >= m->nbase ? " (bonus)" : "");
		fputc('\n', out);
	}
	fputs("marks: . passed   F failed   T timeout   C crash   L leak   "
	      "M memory error\n       capital: blocking (refuses the file)   "
	      "small (f t c l m): cost points only\n       - not run (the harness "
	      "stopped)   blank: table not graded or file not built\n", out);
}

static void row_line(FILE *out, const struct matrix *m, const struct matrix_row *r,
		     int fw, bool c)
{
	size_t i, last = 0;
	char score[16];

	if (r->bonus_score >= 0)
		snprintf(score, sizeof(score), "%d+%d", r->score, r->bonus_score);
	else if (r->compiled)
		snprintf(score, sizeof(score), "%d", r->score);
	else
		snprintf(score, sizeof(score), "-");
	fprintf(out, "%c %-*s %-6s %s%-10s%s %7s", r->ok ? ' ' : '!', fw,
		r->file, r->expected == EXPECT_PASS ? "pass" : "fail",
		c ? (r->ok ? GREEN : RED) : "", verdict_name(r->verdict), c ? RESET : "",
		score);
	/* no trailing blanks: stop at the last graded column */
	for (i = 0; r->cells && i < m->ncolumns; i++)
		if (r->cells[i].graded)
			last = i + 1;
	for (i = 0; i < last; i++) {
		char k = mark(&r->cells[i]);

		fputc(i == m->nbase && m->nbase ? '|' : ' ', out);
		if (c && k != '.' && k != ' ')
			fprintf(out, RED "%c" RESET, k);
		else
			fputc(k, out);
	}
	if (last && last == m->nbase && m->ncolumns > m->nbase)
		fputc('|', out);        /* the bonus table was not graded */
	fputc('\n', out);
}

static void problems(FILE *out, const struct matrix *m, bool c)
{
	size_t i, n = m->missing.n + m->unlisted.n;

	for (i = 0; i < m->nrows; i++)
		n += m->rows[i].graded && !m->rows[i].ok;
	if (n == 0)
		return;
	fprintf(out, "\n%s%zu problem%s:%s\n", c ? RED BOLD : "", n, n > 1 ? "s" : "",
		c ? RESET : "");
	for (i = 0; i < m->nrows; i++) {
		const struct matrix_row *r = &m->rows[i];

		if (r->graded && !r->ok)
			fprintf(out, "  %s: %s\n", r->file, r->why);
	}
	for (i = 0; i < m->missing.n; i++)
		fprintf(out, "  %s\n", m->missing.items[i]);
	for (i = 0; i < m->unlisted.n; i++)
		fprintf(out, "  %s\n", m->unlisted.items[i]);
}

void report_matrix_text(FILE *out, const struct matrix *m, bool c)
{
	int fw = file_width(m);
	size_t i;

	fprintf(out, "%skill matrix%s of %s (reference %s, seed %llu, %s%s)\n",
		c ? BOLD : "", c ? RESET : "", m->spec_path, m->reference,
		(unsigned long long)m->seed, m->valgrind ? "valgrind" : "no valgrind",
		m->partial ? ", changed files only" : "");
	fprintf(out, "baseline: %s passes every test (%d/%d%s)\n\n", m->reference,
		m->baseline.score, m->baseline.max_score,
		m->baseline.bonus_score >= 0 ? ", bonus too" : "");
	column_headers(out, m, fw);
	for (i = 0; i < m->nrows; i++)
		if (m->rows[i].graded)
			row_line(out, m, &m->rows[i], fw, c);
	fputc('\n', out);
	legend(out, m);
	problems(out, m, c);
	fputc('\n', out);
	fprintf(out, "solutions: %zu/%zu passed\n", m->solutions_passed, m->solutions);
	fprintf(out, "mutants: %zu/%zu killed, %zu noticed, %zu survived, %zu "
		"stillborn, %zu equivalent\n", m->killed, m->mutants, m->noticed,
		m->survived, m->stillborn, m->equivalent);
	if (m->mutation_score >= 0)
		fprintf(out, "mutation score: %.1f%% (%zu killed / (%zu mutants - %zu "
			"equivalent))\n", 100.0 * m->mutation_score, m->killed, m->mutants,
			m->equivalent);
	else
		fputs("mutation score: none (no mutant graded)\n", out);
	fprintf(out, "%s%s%s (%zu files graded in %.1f s)\n", c ? (m->ok ? GREEN : RED) : "",
		m->ok ? "pack ok: every expectation holds" :
		"pack broken: some expectations do not hold, see the problems above",
		c ? RESET : "", m->solutions + m->mutants, (double)m->ms / 1000.0);
}

static json_t *row_json(const struct matrix *m, const struct matrix_row *r)
{
	json_t *o = json_object(), *killed_by = json_array(), *tests = json_object();
	size_t n, i, *k = matrix_row_killers(m, r, &n);

	for (i = 0; i < n; i++)
		json_array_append_new(killed_by, json_string(m->columns[k[i]]));
	free(k);
	for (i = 0; r->cells && i < m->ncolumns; i++) {
		json_t *t;

		if (!r->cells[i].graded)
			continue;
		t = json_object();
		json_object_set_new(t, "status", json_string(status_name(r->cells[i].status)));
		json_object_set_new(t, "blocking", json_boolean(r->cells[i].blocking));
		json_object_set_new(t, "time_ms", json_integer(r->cells[i].ms));
		json_object_set_new(tests, m->columns[i], t);
	}
	json_object_set_new(o, "file", json_string(r->file));
	json_object_set_new(o, "expected", json_string(r->expected == EXPECT_PASS ?
						       "passed" : "killed"));
	json_object_set_new(o, "verdict", json_string(verdict_name(r->verdict)));
	json_object_set_new(o, "ok", json_boolean(r->ok));
	json_object_set_new(o, "score", json_integer(r->score));
	json_object_set_new(o, "max_score", json_integer(r->max_score));
	json_object_set_new(o, "bonus_score", r->bonus_score >= 0 ?
			    json_integer(r->bonus_score) : json_null());
	json_object_set_new(o, "passed", json_boolean(r->passed));
	json_object_set_new(o, "refused_because", r->refused_because ?
			    json_string(r->refused_because) : json_null());
	json_object_set_new(o, r->verdict == VERDICT_NOTICED ? "noticed_by" : "killed_by",
			    killed_by);
	json_object_set_new(o, "tests", tests);
	json_object_set_new(o, "compile_message", json_string(r->compile_message));
	json_object_set_new(o, "equivalent_to", r->equivalent_to ?
			    json_string(r->equivalent_to) : json_null());
	json_object_set_new(o, "why", json_string(r->why));
	json_object_set_new(o, "time_ms", json_integer(r->ms));
	return o;
}

static json_t *strings_json(const struct strlist *l)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < l->n; i++)
		json_array_append_new(a, json_string(l->items[i]));
	return a;
}

void report_matrix_json(FILE *out, const struct matrix *m)
{
	json_t *root = json_object(), *subs = json_array(), *cols = json_array();
	json_t *counts = json_object();
	size_t i;

	for (i = 0; i < m->nrows; i++)
		if (m->rows[i].graded)
			json_array_append_new(subs, row_json(m, &m->rows[i]));
	for (i = 0; i < m->ncolumns; i++)
		json_array_append_new(cols, json_string(m->columns[i]));
	json_object_set_new(counts, "solutions", json_integer((json_int_t)m->solutions));
	json_object_set_new(counts, "solutions_passed",
			    json_integer((json_int_t)m->solutions_passed));
	json_object_set_new(counts, "mutants", json_integer((json_int_t)m->mutants));
	json_object_set_new(counts, "killed", json_integer((json_int_t)m->killed));
	json_object_set_new(counts, "noticed", json_integer((json_int_t)m->noticed));
	json_object_set_new(counts, "survived", json_integer((json_int_t)m->survived));
	json_object_set_new(counts, "stillborn", json_integer((json_int_t)m->stillborn));
	json_object_set_new(counts, "equivalent", json_integer((json_int_t)m->equivalent));

	json_object_set_new(root, "ok", json_boolean(m->ok));
	json_object_set_new(root, "mutation_score", m->mutation_score >= 0 ?
			    json_real(m->mutation_score) : json_null());
	json_object_set_new(root, "spec", json_string(m->spec_path));
	json_object_set_new(root, "reference", json_string(m->reference));
	json_object_set_new(root, "seed", json_integer((json_int_t)m->seed));
	json_object_set_new(root, "valgrind", json_boolean(m->valgrind));
	json_object_set_new(root, "partial", json_boolean(m->partial));
	json_object_set_new(root, "counts", counts);
	json_object_set_new(root, "tests", cols);
	json_object_set_new(root, "bonus_from", json_integer((json_int_t)m->nbase));
	json_object_set_new(root, "submissions", subs);
	json_object_set_new(root, "missing", strings_json(&m->missing));
	json_object_set_new(root, "unlisted", strings_json(&m->unlisted));
	json_object_set_new(root, "time_ms", json_integer(m->ms));
	json_dumpf(root, out, JSON_COMPACT | JSON_ENSURE_ASCII);
	fputc('\n', out);
	json_decref(root);
}
