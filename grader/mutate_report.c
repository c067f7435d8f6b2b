/* mutate_report.c - the result of `grader mutate`: text and JSON
 *
 * The text report gives the counts, the score per function and every
 * survivor under its function with the line it changes, before and after:
 * what the instructor reads to write the missing test (or to list the
 * mutant as equivalent).
 */
#include "mutate.h"

#include <string.h>

/* The line of the reference holding offset, without its newline. */
static char *line_at(const char *src, size_t len, size_t offset)
{
	size_t a = offset, b = offset;

	while (a > 0 && src[a - 1] != '\n')
		a--;
	while (b < len && src[b] != '\n')
		b++;
	return xstrndup(src + a, b - a);
}

/* The same line with the mutant applied (its first line when it spans). */
static char *line_mutated(const struct mutant_set *set, const struct mutant *m)
{
	size_t len;
	char *text = mutant_apply(set, m, &len);
	char *l = line_at(text, len, m->offset);

	free(text);
	return l;
}

static const char *trim(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

struct fn_count {
	const char *name;
	size_t killed, survived, other;
};

static size_t fn_counts(const struct mutant_set *set, struct fn_count **out)
{
	struct fn_count *v = NULL;
	size_t n = 0, i, k;

	for (i = 0; i < set->n; i++) {
		const struct mutant *m = &set->v[i];

		if (!m->selected)
			continue;
		for (k = 0; k < n && strcmp(v[k].name, m->function); k++)
			;
		if (k == n) {
			v = xrealloc(v, (n + 1) * sizeof(*v));
			v[n++] = (struct fn_count){ m->function, 0, 0, 0 };
		}
		if (m->status == MUT_KILLED)
			v[k].killed++;
		else if (m->status == MUT_SURVIVED)
			v[k].survived++;
		else
			v[k].other++;
	}
	*out = v;
	return n;
}

void mutate_report_text(FILE *f, const struct mutant_set *set,
			const struct mutate_summary *s, const char *reference,
			double threshold, const struct strlist *stale)
{
	struct fn_count *fc;
	size_t nfc = fn_counts(set, &fc), i, k;

	fprintf(f, "%s: %zu mutants generated, %zu graded here\n", reference,
		s->generated, s->selected);
	fprintf(f, "  not compiling %zu, equivalent %zu (same code as the reference), "
		"duplicate %zu (same code as another mutant), reviewed equivalent %zu\n",
		s->not_compiling, s->equivalent, s->duplicate, s->reviewed);
	fprintf(f, "  killed %zu, survived %zu; %zu needed valgrind; %.1f s, "
		"%.0f ms per mutant\n", s->killed, s->survived, s->valgrind,
		s->ms / 1000.0, s->selected ? (double)s->ms / (double)s->selected : 0.0);
	if (s->native_only)
		fprintf(f, "  %zu reviewed equivalent%s passed natively and %s not run under "
			"valgrind (--recheck-equivalents runs them)\n", s->native_only,
			s->native_only == 1 ? "" : "s", s->native_only == 1 ? "was" : "were");
	fprintf(f, "\nscore per function (killed / killed + survived):\n");
	for (i = 0; i < nfc; i++) {
		size_t t = fc[i].killed + fc[i].survived;

		if (t == 0)
			fprintf(f, "  %-32s   -    (%zu not graded: equivalent, duplicate "
				"or not compiling)\n", fc[i].name, fc[i].other);
		else
			fprintf(f, "  %-32s %5.1f %%  %zu/%zu\n", fc[i].name,
				100.0 * (double)fc[i].killed / (double)t, fc[i].killed, t);
	}
	if (s->survived)
		fprintf(f, "\nsurvivors (every test passed: a missing test, or an "
			"equivalent mutant to list with its reason):\n");
	for (i = 0; i < nfc; i++) {
		bool head = false;

		for (k = 0; k < set->n; k++) {
			const struct mutant *m = &set->v[k];
			char *before, *after;

			if (!m->selected || m->status != MUT_SURVIVED ||
			    strcmp(m->function, fc[i].name))
				continue;
			if (!head)
				fprintf(f, "  %s:\n", fc[i].name);
			head = true;
			before = line_at(set->source, set->source_len, m->offset);
			after = line_mutated(set, m);
			fprintf(f, "    %s:%u:%u %s\n      - %s\n      + %s\n      id: %s\n",
				reference, m->line, m->column, m->op, trim(before),
				trim(after), m->id);
			free(before);
			free(after);
		}
	}
	for (i = 0; stale && i < stale->n; i++)
		fprintf(f, "%sstale equivalent: %s\n", i ? "" : "\n", stale->items[i]);
	if (s->score < 0)
		fprintf(f, "\nmutation score: none (no mutant graded)\n");
	else if (threshold >= 0)
		fprintf(f, "\nmutation score %.1f %% (threshold %.1f %%): %s\n", s->score,
			threshold, s->score >= threshold ? "OK" : "BELOW THE THRESHOLD");
	else
		fprintf(f, "\nmutation score %.1f %%\n", s->score);
	free(fc);
}

json_t *mutate_report_json(const struct mutant_set *set,
			   const struct mutate_summary *s, const char *reference,
			   double threshold, const struct strlist *stale)
{
	json_t *root = json_object(), *counts = json_object(), *arr = json_array();
	json_t *st = json_array();
	size_t i, k;

	json_object_set_new(root, "reference", json_string(reference));
	json_object_set_new(counts, "generated", json_integer((json_int_t)s->generated));
	json_object_set_new(counts, "selected", json_integer((json_int_t)s->selected));
	json_object_set_new(counts, "not_compiling", json_integer((json_int_t)s->not_compiling));
	json_object_set_new(counts, "equivalent", json_integer((json_int_t)s->equivalent));
	json_object_set_new(counts, "duplicate", json_integer((json_int_t)s->duplicate));
	json_object_set_new(counts, "reviewed_equivalent", json_integer((json_int_t)s->reviewed));
	json_object_set_new(counts, "killed", json_integer((json_int_t)s->killed));
	json_object_set_new(counts, "survived", json_integer((json_int_t)s->survived));
	json_object_set_new(counts, "valgrind", json_integer((json_int_t)s->valgrind));
	json_object_set_new(counts, "native_only", json_integer((json_int_t)s->native_only));
	json_object_set_new(root, "counts", counts);
	json_object_set_new(root, "score", s->score < 0 ? json_null() : json_real(s->score));
	json_object_set_new(root, "threshold", threshold < 0 ? json_null() : json_real(threshold));
	json_object_set_new(root, "ms", json_integer(s->ms));
	for (i = 0; i < set->n; i++) {
		const struct mutant *m = &set->v[i];
		json_t *o = json_object(), *killers = json_array();

		if (!m->selected)
			continue;
		json_object_set_new(o, "id", json_string(m->id));
		json_object_set_new(o, "operator", json_string(m->op));
		json_object_set_new(o, "function", json_string(m->function));
		json_object_set_new(o, "line", json_integer(m->line));
		json_object_set_new(o, "column", json_integer(m->column));
		json_object_set_new(o, "original", json_string(m->original));
		json_object_set_new(o, "replacement", json_string(m->replacement));
		json_object_set_new(o, "status", json_string(mutant_status_name(m->status)));
		if (m->status == MUT_DUPLICATE)
			json_object_set_new(o, "same_as", json_string(set->v[m->same_as].id));
		if (m->refused_because)
			json_object_set_new(o, "refused_because", json_string(m->refused_because));
		if (m->reason)
			json_object_set_new(o, "reason", json_string(m->reason));
		for (k = 0; k < m->killers.n; k++)
			json_array_append_new(killers, json_string(m->killers.items[k]));
		json_object_set_new(o, "noticed_by", killers);
		json_object_set_new(o, "valgrind", json_boolean(m->valgrind));
		if (m->native_only)
			json_object_set_new(o, "native_only", json_true());
		json_object_set_new(o, "ms", json_integer(m->ms));
		json_array_append_new(arr, o);
	}
	json_object_set_new(root, "mutants", arr);
	for (i = 0; stale && i < stale->n; i++)
		json_array_append_new(st, json_string(stale->items[i]));
	json_object_set_new(root, "stale_equivalents", st);
	return root;
}
