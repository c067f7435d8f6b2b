/* mutants_output.c - the files `grader mutants` writes besides its matrix:
 * --junit (report_junit.c), --report (report_stryker.c's JSON) and --html
 * (report_html.c's page of that JSON)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mutants_run.h"
#include "report_matrix.h"

static int write_file_report(const char *path, const char *what,
			     int (*write)(FILE *f, void *arg), void *arg)
{
	FILE *f = fopen(path, "w");
	int r;

	if (f == NULL) {
		fprintf(stderr, "error: cannot write the %s '%s': %s\n", what, path,
			strerror(errno));
		return -1;
	}
	r = write(f, arg);
	if (fclose(f) != 0 || r < 0) {
		fprintf(stderr, "error: cannot write the %s '%s'\n", what, path);
		return -1;
	}
	return 0;
}

static int write_junit(FILE *f, void *arg)
{
	report_junit(f, arg);
	return 0;
}

static int write_json(FILE *f, void *arg)
{
	return json_dumpf(arg, f, JSON_INDENT(1) | JSON_ENSURE_ASCII) < 0 ? -1 : 0;
}

struct html_arg {
	const json_t *stryker;
	const char *title, *bundle;
};

static int write_html(FILE *f, void *arg)
{
	const struct html_arg *h = arg;
	char *err = NULL;
	int r = report_html(f, h->stryker, h->title, h->bundle, &err);

	if (r < 0) {
		fprintf(stderr, "error: %s\n", err);
		free(err);
	}
	return r;
}

int mutants_write_reports(const struct run *rn)
{
	const struct mutants_opts *o = rn->o;
	json_t *stryker = NULL;
	char *err = NULL;
	int ret = 0;

	if (o->junit && write_file_report(o->junit, "JUnit report", write_junit,
					  rn->m) < 0)
		ret = -1;
	if (o->report || o->html) {
		stryker = report_stryker(rn->m, rn->scratch, &err);
		if (stryker == NULL) {
			fprintf(stderr, "error: %s\n", err);
			free(err);
			return -1;
		}
	}
	if (o->report && write_file_report(o->report, "mutation report", write_json,
					   stryker) < 0)
		ret = -1;
	if (o->html) {
		char *bundle = report_html_bundle();
		char *title = xasprintf("%s mutation testing", rn->spec->name);
		struct html_arg h = { stryker, title, bundle };

		if (write_file_report(o->html, "HTML report", write_html, &h) < 0)
			ret = -1;
		free(title);
		free(bundle);
	}
	json_decref(stryker);
	return ret;
}
