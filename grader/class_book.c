/* class_book.c - what a class run leaves: each student's reports, the
 * gradebook and the summary
 *
 * All of it is made from the plan and the cache, so --collect (after the
 * Slurm tasks) and a rerun write the same files.  A derived file is
 * rewritten only when its content changed: rerunning an unchanged class
 * touches nothing.
 */
#include "class_run.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

/* Writes text to path unless path already holds exactly that. */
static int book_put(const char *path, const char *text, size_t len, char **err)
{
	size_t old_len = 0;
	char *old = read_file(path, &old_len);
	bool same = old && old_len == len && !memcmp(old, text, len);

	free(old);
	if (same)
		return 0;
	if (class_write_atomic(path, text, len) < 0) {
		*err = xasprintf("cannot write '%s': %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static const char *state_name(enum class_state st)
{
	switch (st) {
	case CS_PENDING:  return "pending";
	case CS_PROBLEM:  return "no_submission";
	case CS_CACHED:   return "graded";
	case CS_GRADED:   return "graded";
	case CS_FAILED:   return "grader_error";
	case CS_UNGRADED: return "not_graded";
	}
	return "?";
}

static int book_student(const struct class_run *cr, const struct class_student *s,
			char **err)
{
	char *dir = xasprintf("%s/students/%s", cr->outdir, s->id);
	char *p = NULL, *text = NULL, *dump = NULL;
	json_t *prov = json_object();
	size_t len = 0;
	int ret = -1;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		*err = xasprintf("cannot create '%s': %s", dir, strerror(errno));
		goto out;
	}
	json_object_set_new(prov, "student", json_string(s->id));
	json_object_set_new(prov, "name", s->name ? json_string(s->name) : json_null());
	json_object_set_new(prov, "layout", json_string(s->layout));
	json_object_set_new(prov, "origin", json_string(s->origin));
	json_object_set_new(prov, "source", s->source ? json_string(s->source) : json_null());
	json_object_set_new(prov, "header", s->header ? json_string(s->header) : json_null());
	json_object_set_new(prov, "state", json_string(state_name(s->state)));
	json_object_set_new(prov, "problem", s->problem ? json_string(s->problem) :
			    s->error ? json_string(s->error) : json_null());
	json_object_set_new(prov, "key", s->problem ? json_null() : json_string(s->key));
	json_object_set_new(prov, "seed", json_integer((json_int_t)cr->plan->seed));
	json_object_set_new(prov, "spec_sha256", json_string(cr->plan->spec_sha));
	json_object_set_new(prov, "grader_sha256", json_string(cr->plan->grader_sha));
	dump = json_dumps(prov, JSON_INDENT(1) | JSON_ENSURE_ASCII);
	p = path_join(dir, "grade.json");
	if (book_put(p, dump, strlen(dump), err) < 0)
		goto out;
	free(dump);
	dump = NULL;
	if (s->report) {
		/* the same bytes grader test --json prints: one line */
		dump = json_dumps(s->report, JSON_COMPACT | JSON_ENSURE_ASCII);
		free(p);
		p = path_join(dir, "report.json");
		text = xasprintf("%s\n", dump);
		if (book_put(p, text, strlen(text), err) < 0)
			goto out;
		free(text);
		free(p);
		p = class_cache_path(cr->outdir, s->key, "txt");
		text = read_file(p, &len);
		free(p);
		p = path_join(dir, "report.txt");
		if (text && book_put(p, text, len, err) < 0)
			goto out;
	}
	ret = 0;
out:
	json_decref(prov);
	free(dump);
	free(text);
	free(p);
	free(dir);
	return ret;
}

/* RFC 4180: quoted when it holds a comma, a quote or a line break. */
static void csv_field(FILE *f, const char *s, bool last)
{
	const char *p;

	if (s && strpbrk(s, ",\"\r\n")) {
		fputc('"', f);
		for (p = s; *p; p++) {
			if (*p == '"')
				fputc('"', f);
			fputc(*p, f);
		}
		fputc('"', f);
	} else if (s) {
		fputs(s, f);
	}
	fputs(last ? "\r\n" : ",", f);
}

static void csv_int(FILE *f, const json_t *v)
{
	if (json_is_integer(v))
		fprintf(f, "%lld,", (long long)json_integer_value(v));
	else
		fputc(',', f);
}

/* "kind test; kind test": the refused_because[] of the report. */
static char *book_refused(const json_t *report)
{
	const json_t *arr = json_object_get(report, "refused_because"), *b;
	char *out = xstrdup(""), *next;
	size_t i;

	json_array_foreach(arr, i, b) {
		const char *test = json_string_value(json_object_get(b, "test"));

		next = xasprintf("%s%s%s%s%s", out, i ? "; " : "",
				 json_string_value(json_object_get(b, "kind")) ?: "?",
				 test ? " " : "", test ? test : "");
		free(out);
		out = next;
	}
	return out;
}

static const json_t *book_test(const json_t *report, const char *name)
{
	const json_t *t;
	size_t i;

	json_array_foreach(json_object_get(report, "tests"), i, t)
		if (!strcmp(json_string_value(json_object_get(t, "name")) ?: "", name))
			return t;
	return NULL;
}

static int book_max(const struct spec *spec)
{
	int sum = 0;
	size_t k;

	for (k = 0; k < spec->base.n; k++)
		sum += spec->base.tests[k].points;
	return sum;
}

static void book_csv(const struct class_run *cr, FILE *f)
{
	const struct spec_table *base = &cr->spec->base;
	size_t i, k;

	fputs("student,name,score,max_score,passed,verdict,refused_because,", f);
	for (k = 0; k < base->n; k++)
		fprintf(f, "%s,", base->tests[k].name);
	fputs("bonus_score,time_ms,seed,layout,problem\r\n", f);
	for (i = 0; i < cr->plan->n; i++) {
		const struct class_student *s = &cr->plan->s[i];
		const json_t *r = s->report, *bonus = json_object_get(r, "bonus");
		char *refused = r ? book_refused(r) : xstrdup("");
		const char *verdict = r ? json_string_value(json_object_get(r, "verdict"))
					: state_name(s->state);

		csv_field(f, s->id, false);
		csv_field(f, s->name, false);
		if (r) {
			csv_int(f, json_object_get(r, "score"));
			csv_int(f, json_object_get(r, "max_score"));
		} else if (s->state == CS_PROBLEM) {
			fprintf(f, "0,%d,", book_max(cr->spec));
		} else {
			fputs(",,", f);
		}
		csv_field(f, r && json_is_true(json_object_get(r, "passed")) ? "true" : "false",
			  false);
		csv_field(f, verdict, false);
		csv_field(f, refused, false);
		for (k = 0; k < base->n; k++)
			csv_int(f, json_object_get(book_test(r, base->tests[k].name), "points"));
		csv_int(f, json_object_get(bonus, "score"));
		if (r)
			fprintf(f, "%u,%llu,", s->ms, (unsigned long long)cr->plan->seed);
		else
			fprintf(f, ",%llu,", (unsigned long long)cr->plan->seed);
		csv_field(f, s->layout, false);
		csv_field(f, s->problem ? s->problem : s->error, true);
		free(refused);
	}
}

int class_book_write(const struct class_run *cr, char **err)
{
	char *dir = path_join(cr->outdir, "students"), *path = NULL, *buf = NULL;
	size_t i, len = 0;
	FILE *f;
	int ret = -1;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		*err = xasprintf("cannot create '%s': %s", dir, strerror(errno));
		goto out;
	}
	for (i = 0; i < cr->plan->n; i++)
		if (book_student(cr, &cr->plan->s[i], err) < 0)
			goto out;
	f = open_memstream(&buf, &len);
	if (f == NULL) {
		*err = xasprintf("cannot write the gradebook: %s", strerror(errno));
		goto out;
	}
	book_csv(cr, f);
	fclose(f);
	path = path_join(cr->outdir, "gradebook.csv");
	if (book_put(path, buf, len, err) < 0)
		goto out;
	ret = 0;
out:
	free(buf);
	free(path);
	free(dir);
	return ret;
}

void class_book_summary(const struct class_run *cr, FILE *out)
{
	size_t i, graded = 0, passed = 0, problems = 0, failed = 0, ungraded = 0,
	       fresh = 0;
	long long sum = 0;

	for (i = 0; i < cr->plan->n; i++) {
		const struct class_student *s = &cr->plan->s[i];

		if (s->report) {
			graded++;
			fresh += s->state == CS_GRADED;
			passed += json_is_true(json_object_get(s->report, "passed"));
			sum += json_integer_value(json_object_get(s->report, "score"));
		} else if (s->state == CS_PROBLEM) {
			problems++;
		} else if (s->state == CS_FAILED) {
			failed++;
		} else {
			ungraded++;
		}
	}
	fprintf(out, "class: %zu student%s, %zu graded (%zu now, %zu from the cache), "
		"%zu passed, %zu refused\n", cr->plan->n, cr->plan->n == 1 ? "" : "s",
		graded, fresh, graded - fresh, passed, graded - passed);
	if (graded)
		fprintf(out, "mean score: %.1f\n", (double)sum / (double)graded);
	for (i = 0; i < cr->plan->n; i++) {
		const struct class_student *s = &cr->plan->s[i];

		if (s->state == CS_PROBLEM)
			fprintf(out, "  no submission  %s: %s\n", s->id, s->problem);
		else if (s->state == CS_FAILED || (s->state == CS_UNGRADED && !s->report))
			fprintf(out, "  not graded     %s: %s\n", s->id,
				s->error ? s->error : "no grade in the cache");
	}
	if (problems || failed || ungraded)
		fprintf(out, "%zu without a gradable submission, %zu the grader failed on, "
			"%zu not graded yet\n", problems, failed, ungraded);
	fprintf(out, "gradebook: %s/gradebook.csv, page: %s/class.html\n", cr->outdir,
		cr->outdir);
}
