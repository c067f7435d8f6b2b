/* mutate_stryker.c - grader mutate's Stryker report and its offline HTML
 *
 * report_stryker() (grader mutants') places each graded mutant by diffing
 * its file with the reference; this file then tells each one exactly: its
 * operator, id, changed range and replacement, and adds the mutants set
 * apart without grading (equivalent, duplicate) as Ignored, with why.
 */
#include "mutate.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "report_matrix.h"

/* The line and column just after text starting at (line, col). */
static void end_of(const char *text, unsigned line, unsigned col, unsigned *el,
		   unsigned *ec)
{
	for (; *text; text++) {
		if (*text == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	*el = line;
	*ec = col;
}

static json_t *pos_json(unsigned line, unsigned col)
{
	json_t *p = json_object();

	json_object_set_new(p, "line", json_integer(line));
	json_object_set_new(p, "column", json_integer(col));
	return p;
}

/* What report_stryker() placed by diff, told exactly: the operator, its
 * id, the changed range and the replacement; the mutants not graded
 * (equivalent, duplicate, reviewed) as Ignored, with why. */
static void stryker_fix(const struct mutant_set *set, const char *reference,
			json_t *stryker)
{
	json_t *files = json_object_get(stryker, "files"), *f, *mu, *x;
	json_t *ref_entry = json_object_get(files, reference);
	const char *key;
	size_t i;

	json_object_foreach(files, key, f) {
		mu = json_object_get(f, "mutants");
		json_array_foreach(mu, i, x) {
			const char *id = json_string_value(json_object_get(x, "id"));
			size_t k = id ? strtoul(id, NULL, 10) : SIZE_MAX;
			const struct mutant *m;
			json_t *loc = json_object();
			unsigned el, ec;

			if (k >= set->n)
				continue;
			m = &set->v[k];
			end_of(m->original, m->line, m->column, &el, &ec);
			json_object_set_new(loc, "start", pos_json(m->line, m->column));
			json_object_set_new(loc, "end", pos_json(el, ec));
			json_object_set_new(x, "location", loc);
			json_object_set_new(x, "id", json_string(m->id));
			json_object_set_new(x, "mutatorName", json_string(m->op));
			json_object_set_new(x, "replacement", json_string(m->replacement));
			json_object_set_new(x, "description",
					    json_string(m->function));
			if (m->status == MUT_REVIEWED) {
				json_object_set_new(x, "status", json_string("Ignored"));
				json_object_set_new(x, "statusReason", json_string(m->reason));
			}
		}
	}
	if (ref_entry == NULL)
		return;
	mu = json_object_get(ref_entry, "mutants");
	for (i = 0; i < set->n; i++) {
		const struct mutant *m = &set->v[i];
		json_t *o, *loc;
		unsigned el, ec;

		if (!m->selected || (m->status != MUT_EQUIVALENT && m->status != MUT_DUPLICATE))
			continue;
		o = json_object();
		loc = json_object();
		end_of(m->original, m->line, m->column, &el, &ec);
		json_object_set_new(loc, "start", pos_json(m->line, m->column));
		json_object_set_new(loc, "end", pos_json(el, ec));
		json_object_set_new(o, "id", json_string(m->id));
		json_object_set_new(o, "mutatorName", json_string(m->op));
		json_object_set_new(o, "description", json_string(m->function));
		json_object_set_new(o, "replacement", json_string(m->replacement));
		json_object_set_new(o, "location", loc);
		json_object_set_new(o, "status", json_string("Ignored"));
		json_object_set_new(o, "statusReason", m->status == MUT_EQUIVALENT
			? json_string("equivalent: its object code is the reference's")
			: json_pack("s+", "duplicate: its object code is that of ",
				    set->v[m->same_as].id));
		json_array_append_new(mu, o);
	}
}

static int write_json_file(const char *path, const json_t *j)
{
	if (json_dump_file(j, path, JSON_INDENT(1) | JSON_ENSURE_ASCII) < 0) {
		fprintf(stderr, "error: cannot write the mutation report '%s'\n", path);
		return -1;
	}
	return 0;
}

static int write_html_file(const char *html, const char *title, const json_t *stryker)
{
	char *bundle = report_html_bundle();
	char *err = NULL;
	FILE *f = fopen(html, "w");
	int ret = -1;

	if (f == NULL) {
		fprintf(stderr, "error: cannot write the HTML report '%s': %s\n",
			html, strerror(errno));
		goto out;
	}
	ret = report_html(f, stryker, title, bundle, &err);
	if (fclose(f) != 0 || ret < 0) {
		fprintf(stderr, "error: %s\n", err ? err : "cannot write the HTML report");
		ret = -1;
	}
out:
	free(err);
	free(bundle);
	return ret;
}

int mutate_report_stryker(struct matrix *m, const struct mutant_set *set,
			  const char *reference, const char *report, const char *html,
			  const char *title, const char *scratch)
{
	json_t *stryker;
	char *err = NULL;
	int ret = 0;

	if (!report && !html)
		return 0;
	matrix_judge(m);
	stryker = report_stryker(m, scratch, &err);
	if (stryker == NULL) {
		fprintf(stderr, "error: %s\n", err);
		free(err);
		return -1;
	}
	stryker_fix(set, reference, stryker);
	json_object_set_new(json_object_get(stryker, "framework"), "name",
			    json_string("westworld grader (bin/grader mutate)"));
	if (report && write_json_file(report, stryker) < 0)
		ret = -1;
	if (html && write_html_file(html, title, stryker) < 0)
		ret = -1;
	json_decref(stryker);
	return ret;
}
