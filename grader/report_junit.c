/* report_junit.c - the kill matrix as JUnit XML: one testcase per file of
 * the pack, a failure when the spec's expectation does not hold
 *
 * CI servers read this format (Jenkins, GitLab, GitHub actions): the
 * testcase's classname is the list the file is in, its name the file, and
 * a failure's message says what was expected and what happened.
 */
#include "report_matrix.h"

#include <stdlib.h>
#include <string.h>

/* s with &, <, >, " and ' escaped; control characters XML 1.0 does not
 * allow become '?'. */
static void xml_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		switch (ch) {
		case '&':  fputs("&amp;", out); break;
		case '<':  fputs("&lt;", out); break;
		case '>':  fputs("&gt;", out); break;
		case '"':  fputs("&quot;", out); break;
		case '\'': fputs("&apos;", out); break;
		default:
			if (ch < 0x20 && ch != '\n' && ch != '\t' && ch != '\r')
				fputc('?', out);
			else
				fputc(ch, out);
		}
	}
}

/* The first line of s, for a failure's message attribute. */
static void xml_first_line(FILE *out, const char *s)
{
	const char *nl = strchr(s, '\n');
	char *line = nl ? xstrndup(s, (size_t)(nl - s)) : xstrdup(s);

	xml_text(out, line);
	free(line);
}

/* What happened to a file whose expectation holds, for system-out. */
static void outcome(FILE *out, const struct matrix *m, const struct matrix_row *r)
{
	size_t n, i, *k = matrix_row_killers(m, r, &n);

	fprintf(out, "%s", verdict_name(r->verdict));
	if (r->refused_because) {
		fputs(" (refused: ", out);
		xml_text(out, r->refused_because);
		fputc(')', out);
	}
	if (n)
		fputs(" by", out);
	for (i = 0; i < n; i++) {
		fprintf(out, "%s %s (%s: ", i ? "," : "", m->columns[k[i]],
			status_name(r->cells[k[i]].status));
		xml_text(out, r->cells[k[i]].message);
		fputc(')', out);
	}
	fprintf(out, "; score %d/%d", r->score, r->max_score);
	if (r->bonus_score >= 0)
		fprintf(out, ", bonus %d", r->bonus_score);
	free(k);
}

static void testcase(FILE *out, const struct matrix *m, const struct matrix_row *r)
{
	fprintf(out, "    <testcase classname=\"%s\" name=\"",
		r->expected == EXPECT_PASS ? "expected_pass" : "expected_fail");
	xml_text(out, r->file);
	fprintf(out, "\" time=\"%.3f\">\n", (double)r->ms / 1000.0);
	if (!r->ok) {
		fprintf(out, "      <failure type=\"%s\" message=\"", verdict_name(r->verdict));
		xml_first_line(out, r->why);
		fputs("\">", out);
		xml_text(out, r->why);
		fputs("</failure>\n", out);
	}
	fputs("      <system-out>", out);
	outcome(out, m, r);
	fputs("</system-out>\n    </testcase>\n", out);
}

static void pack_problem(FILE *out, const char *classname, const char *text)
{
	const char *q1 = strchr(text, '\''), *q2 = q1 ? strchr(q1 + 1, '\'') : NULL;
	char *name = q1 && q2 ? xstrndup(q1 + 1, (size_t)(q2 - q1 - 1)) : xstrdup(text);

	fprintf(out, "    <testcase classname=\"%s\" name=\"", classname);
	xml_text(out, name);
	fputs("\" time=\"0\">\n      <failure type=\"", out);
	fputs(classname, out);
	fputs("\" message=\"", out);
	xml_text(out, text);
	fputs("\"/>\n    </testcase>\n", out);
	free(name);
}

void report_junit(FILE *out, const struct matrix *m)
{
	size_t i, tests = m->missing.n + m->unlisted.n, failures = tests;

	for (i = 0; i < m->nrows; i++)
		if (m->rows[i].graded) {
			tests++;
			failures += !m->rows[i].ok;
		}
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
	fprintf(out, "<testsuites name=\"grader mutants\" tests=\"%zu\" failures=\"%zu\" "
		"errors=\"0\" time=\"%.3f\">\n", tests, failures, (double)m->ms / 1000.0);
	fputs("  <testsuite name=\"", out);
	xml_text(out, m->spec_path);
	fprintf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\" "
		"time=\"%.3f\">\n", tests, failures, (double)m->ms / 1000.0);
	fputs("    <properties>\n      <property name=\"reference\" value=\"", out);
	xml_text(out, m->reference);
	fprintf(out, "\"/>\n      <property name=\"seed\" value=\"%llu\"/>\n",
		(unsigned long long)m->seed);
	if (m->mutation_score >= 0)
		fprintf(out, "      <property name=\"mutation_score\" value=\"%.4f\"/>\n",
			m->mutation_score);
	fputs("    </properties>\n", out);
	for (i = 0; i < m->nrows; i++)
		if (m->rows[i].graded)
			testcase(out, m, &m->rows[i]);
	for (i = 0; i < m->missing.n; i++)
		pack_problem(out, "missing", m->missing.items[i]);
	for (i = 0; i < m->unlisted.n; i++)
		pack_problem(out, "unlisted", m->unlisted.items[i]);
	fputs("  </testsuite>\n</testsuites>\n", out);
}
