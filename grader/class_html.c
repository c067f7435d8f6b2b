/* class_html.c - class.html: one offline page about the whole class
 *
 * The score histogram, each test's pass rate, the most frequent failure
 * messages (with how many students share each), the students who hit the
 * sandbox (timeouts, calls it stopped) and those who could not be graded.
 * Plain HTML and CSS, no script, nothing fetched: it opens anywhere.
 * Messages are grouped once addresses and file:line places, which differ
 * from one student to the next, are blanked.
 */
#include "class_run.h"

#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct msg_count {
	char   *text;           /* test: normalised first line */
	size_t  n;
	char   *who;            /* the first students, comma-separated */
};

static void html_esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default:  fputc(*s, f);
		}
	}
}

/* The first line, addresses and file:line places blanked. */
static char *html_normalise(const char *msg)
{
	static const char *const pats[] = { "0x[0-9a-fA-F]{5,}",
					    "[A-Za-z0-9_.+-]+\\.c:[0-9]+" };
	static const char *const subs[] = { "0x...", "FILE.c:N" };
	char *s = xstrndup(msg, strcspn(msg, "\n")), *next;
	size_t k;

	for (k = 0; k < 2; k++) {
		regex_t re;
		regmatch_t m;
		size_t off = 0;

		if (regcomp(&re, pats[k], REG_EXTENDED) != 0)
			continue;
		while (regexec(&re, s + off, 1, &m, off ? REG_NOTBOL : 0) == 0 &&
		       m.rm_eo > m.rm_so) {
			next = xasprintf("%.*s%s%s", (int)(off + (size_t)m.rm_so), s, subs[k],
					 s + off + m.rm_eo);
			off += (size_t)m.rm_so + strlen(subs[k]);
			free(s);
			s = next;
		}
		regfree(&re);
	}
	if (strlen(s) > 240)
		strcpy(s + 237, "...");
	return s;
}

static void msg_add(struct msg_count **v, size_t *n, const char *text, const char *who)
{
	size_t i;
	char *w;

	for (i = 0; i < *n; i++)
		if (!strcmp((*v)[i].text, text)) {
			if (++(*v)[i].n <= 8) {
				w = xasprintf("%s, %s", (*v)[i].who, who);
				free((*v)[i].who);
				(*v)[i].who = w;
			}
			return;
		}
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = (struct msg_count){ xstrdup(text), 1, xstrdup(who) };
}

static int msg_cmp(const void *a, const void *b)
{
	const struct msg_count *x = a, *y = b;

	return x->n != y->n ? (x->n < y->n ? 1 : -1) : strcmp(x->text, y->text);
}

static void html_histogram(FILE *f, const struct class_run *cr, size_t graded)
{
	size_t bins[11] = { 0 }, i, max = 1;

	for (i = 0; i < cr->plan->n; i++) {
		const json_t *r = cr->plan->s[i].report;
		long long sc, mx;
		size_t b;

		if (!r)
			continue;
		sc = json_integer_value(json_object_get(r, "score"));
		mx = json_integer_value(json_object_get(r, "max_score"));
		b = mx > 0 ? (size_t)(sc * 10 / mx) : 0;
		bins[b > 10 ? 10 : b]++;
	}
	for (i = 0; i < 11; i++)
		if (bins[i] > max)
			max = bins[i];
	fprintf(f, "<h2>Scores</h2>\n<div class=\"hist\" id=\"histogram\">\n");
	for (i = 0; i < 11; i++)
		fprintf(f, "<div class=\"col\"><span class=\"n\">%zu</span><div class=\"bar\" "
			"style=\"height:%zupx\"></div><span class=\"lab\">%s%zu</span></div>\n",
			bins[i], bins[i] * 160 / max, i == 10 ? "" : "&ge;", i * 10);
	fprintf(f, "</div>\n<p>%zu graded; the bars count the students whose score "
		"(out of the table's maximum) falls in each tenth.</p>\n", graded);
}

static void html_tests(FILE *f, const struct class_run *cr, size_t graded)
{
	const struct spec_table *base = &cr->spec->base;
	size_t k, i;

	fprintf(f, "<h2>Pass rate per test</h2>\n<table id=\"tests\"><tr><th>test</th>"
		"<th>passed</th><th>rate</th><th></th></tr>\n");
	for (k = 0; k < base->n; k++) {
		size_t pass = 0;
		double rate;

		for (i = 0; i < cr->plan->n; i++) {
			const json_t *t, *r = cr->plan->s[i].report;
			size_t j;

			json_array_foreach(json_object_get(r, "tests"), j, t)
				if (!strcmp(json_string_value(json_object_get(t, "name")) ?: "",
					    base->tests[k].name) &&
				    !strcmp(json_string_value(json_object_get(t, "status")) ?: "",
					    "pass"))
					pass++;
		}
		rate = graded ? 100.0 * (double)pass / (double)graded : 0;
		fputs("<tr><td>", f);
		html_esc(f, base->tests[k].name);
		fprintf(f, "</td><td>%zu/%zu</td><td>%.0f %%</td><td><div class=\"rate\" "
			"style=\"width:%.0fpx\"></div></td></tr>\n", pass, graded, rate, rate * 2);
	}
	fputs("</table>\n", f);
}

static void html_messages(FILE *f, const struct class_run *cr)
{
	struct msg_count *v = NULL;
	size_t n = 0, i, j;

	for (i = 0; i < cr->plan->n; i++) {
		const struct class_student *s = &cr->plan->s[i];
		const json_t *t;

		json_array_foreach(json_object_get(s->report, "tests"), j, t) {
			const char *st = json_string_value(json_object_get(t, "status")) ?: "";
			char *norm, *key;

			if (!strcmp(st, "pass"))
				continue;
			norm = html_normalise(json_string_value(json_object_get(t, "message")) ?: "");
			key = xasprintf("%s [%s]: %s",
					json_string_value(json_object_get(t, "name")) ?: "?", st, norm);
			msg_add(&v, &n, key, s->id);
			free(norm);
			free(key);
		}
	}
	if (n)
		qsort(v, n, sizeof(*v), msg_cmp);
	fputs("<h2>Most frequent failures</h2>\n<table id=\"failures\"><tr><th>students</th>"
	      "<th>test [status]: message</th><th>who</th></tr>\n", f);
	for (i = 0; i < n; i++) {
		if (i < 20) {
			fprintf(f, "<tr><td class=\"num\">%zu</td><td>", v[i].n);
			html_esc(f, v[i].text);
			fputs("</td><td>", f);
			html_esc(f, v[i].who);
			fprintf(f, "%s</td></tr>\n", v[i].n > 8 ? ", ..." : "");
		}
		free(v[i].text);
		free(v[i].who);
	}
	if (n == 0)
		fputs("<tr><td colspan=\"3\">no failure</td></tr>\n", f);
	fputs("</table>\n", f);
	free(v);
}

/* Appends name to a ", "-separated list unless it is there already. */
static void list_add(char **list, const char *name)
{
	char *x;
	const char *p = *list;
	size_t n = strlen(name);

	while ((p = strstr(p, name)) != NULL) {
		if ((p == *list || p[-1] == ' ') && (p[n] == '\0' || p[n] == ','))
			return;
		p += n;
	}
	x = xasprintf("%s%s%s", *list, (*list)[0] ? ", " : "", name);
	free(*list);
	*list = x;
}

/* Timeouts, tests not run after them, calls the sandbox stopped. */
static void html_sandbox(FILE *f, const struct class_run *cr)
{
	size_t i, j, rows = 0;

	fputs("<h2>Students who hit the sandbox</h2>\n<table id=\"sandbox\"><tr>"
	      "<th>student</th><th>timeouts</th><th>calls stopped</th></tr>\n", f);
	for (i = 0; i < cr->plan->n; i++) {
		const struct class_student *s = &cr->plan->s[i];
		const json_t *t, *v;
		char *touts = xstrdup(""), *calls = xstrdup("");

		json_array_foreach(json_object_get(s->report, "tests"), j, t)
			if (!strcmp(json_string_value(json_object_get(t, "status")) ?: "",
				    "timeout"))
				list_add(&touts, json_string_value(json_object_get(t, "name")) ?: "?");
		json_array_foreach(json_object_get(json_object_get(s->report, "norm"),
						   "violations"), j, v)
			if (json_is_true(json_object_get(v, "runtime")))
				list_add(&calls, json_string_value(json_object_get(v, "function")) ?: "?");
		if (touts[0] || calls[0]) {
			fputs("<tr><td>", f);
			html_esc(f, s->id);
			fputs("</td><td>", f);
			html_esc(f, touts);
			fputs("</td><td>", f);
			html_esc(f, calls);
			fputs("</td></tr>\n", f);
			rows++;
		}
		free(touts);
		free(calls);
	}
	if (rows == 0)
		fputs("<tr><td colspan=\"3\">none</td></tr>\n", f);
	fputs("</table>\n", f);
}

static void html_ungraded(FILE *f, const struct class_run *cr)
{
	size_t i, rows = 0;

	fputs("<h2>Not graded</h2>\n<table id=\"ungraded\"><tr><th>student</th>"
	      "<th>why</th></tr>\n", f);
	for (i = 0; i < cr->plan->n; i++) {
		const struct class_student *s = &cr->plan->s[i];

		if (s->report)
			continue;
		fputs("<tr><td>", f);
		html_esc(f, s->id);
		fputs("</td><td>", f);
		html_esc(f, s->problem ? s->problem : s->error ? s->error : "not graded yet");
		fputs("</td></tr>\n", f);
		rows++;
	}
	if (rows == 0)
		fputs("<tr><td colspan=\"2\">none</td></tr>\n", f);
	fputs("</table>\n", f);
}

int class_html_write(const struct class_run *cr, const char *path, char **err)
{
	char *buf = NULL;
	size_t len = 0, i, graded = 0, passed = 0;
	FILE *f = open_memstream(&buf, &len);
	int ret = -1;

	if (f == NULL) {
		*err = xasprintf("cannot write '%s': %s", path, strerror(errno));
		return -1;
	}
	for (i = 0; i < cr->plan->n; i++)
		if (cr->plan->s[i].report) {
			graded++;
			passed += json_is_true(json_object_get(cr->plan->s[i].report, "passed"));
		}
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>", f);
	html_esc(f, cr->spec->name);
	fputs(": the class</title>\n<style>\n"
	      "body{font-family:sans-serif;margin:2em;color:#222}\n"
	      "table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;"
	      "padding:2px 8px;text-align:left;vertical-align:top}\n"
	      ".hist{display:flex;align-items:flex-end;gap:6px;height:200px}\n"
	      ".col{display:flex;flex-direction:column;align-items:center;width:44px}\n"
	      ".bar{width:36px;background:#4a7bd0}.rate{height:10px;background:#3a9b5c}\n"
	      ".num{text-align:right}\n</style></head><body>\n<h1>", f);
	html_esc(f, cr->spec->name);
	fprintf(f, ": the class</h1>\n<p id=\"summary\">%zu students, %zu graded, "
		"%zu passed, %zu refused, %zu not graded (seed %llu, spec sha256 %.12s, "
		"grader sha256 %.12s)</p>\n", cr->plan->n, graded, passed, graded - passed,
		cr->plan->n - graded, (unsigned long long)cr->plan->seed, cr->plan->spec_sha,
		cr->plan->grader_sha);
	html_histogram(f, cr, graded);
	html_tests(f, cr, graded);
	html_messages(f, cr);
	html_sandbox(f, cr);
	html_ungraded(f, cr);
	fputs("</body></html>\n", f);
	if (fclose(f) != 0) {
		*err = xasprintf("cannot write '%s': %s", path, strerror(errno));
		goto out;
	}
	if (class_write_atomic(path, buf, len) < 0) {
		*err = xasprintf("cannot write '%s': %s", path, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	free(buf);
	return ret;
}
