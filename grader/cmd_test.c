/* cmd_test.c - bin/grader test: build, run, score and report one submission */
#include "cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "build.h"
#include "proc.h"
#include "report.h"
#include "sandbox.h"
#include "score.h"
#include "spec.h"

/* A progress line on stderr, only when someone watches it. */
static void progress(const char *what, const char *arg)
{
	if (!isatty(STDERR_FILENO))
		return;
	fprintf(stderr, "grader: %s%s\n", what, arg);
}

static bool known_name(const struct spec *spec, const char *name)
{
	size_t i;

	if (spec_find_test(spec, name, NULL))
		return true;
	for (i = 0; i < spec->nedges; i++)
		if (!strcmp(spec->edges[i].name, name))
			return true;
	return false;
}

static void set_reproduce(struct table_result *t, const struct test_opts *o,
			  uint64_t seed, bool bonus)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		struct test_result *r = &t->tests[i];

		free(r->reproduce);
		r->reproduce = xasprintf("%s test -s %s -f %s%s%s%s --only %s --seed %llu",
					 o->argv0, o->spec, o->file,
					 o->header ? " -H " : "", o->header ? o->header : "",
					 bonus ? " --bonus" : "", r->name,
					 (unsigned long long)seed);
	}
}

static bool same_file_content(const char *a, const char *b)
{
	size_t la, lb;
	char *ta = read_file(a, &la), *tb = read_file(b, &lb);
	bool same = ta && tb && la == lb && !memcmp(ta, tb, la);

	free(ta);
	free(tb);
	return same;
}

static uint64_t pick_seed(const struct test_opts *o, const struct spec *spec)
{
	uint32_t r = 0;

	if (o->has_seed)
		return o->seed;
	if (spec->fuzz_has_seed)
		return spec->fuzz_seed;
	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		r = (uint32_t)getpid();
	return r;
}

int cmd_test(const struct test_opts *o)
{
	struct strlist problems = { 0 };
	struct spec spec;
	struct grade g = { 0 };
	struct build b = { 0 };
	struct score_summary sum = { 0 };
	struct report_info ri;
	char *err = NULL, *libdir = NULL;
	int ret = EXIT_USAGE;
	size_t i;

	if (spec_load(&spec, o->spec, &err) < 0) {
		fprintf(stderr, "error: %s\n", err);
		ret = strncmp(err, "cannot parse", 12) ? EXIT_USAGE : EXIT_BAD_SPEC;
		goto out;
	}
	if (spec_validate(&spec, 0, &problems) < 0) {
		for (i = 0; i < problems.n; i++)
			fprintf(stderr, "%s: %s\n", o->spec, problems.items[i]);
		fprintf(stderr, "error: invalid spec '%s': %zu problem%s (see "
			"validate-spec)\n", o->spec, problems.n, problems.n > 1 ? "s" : "");
		ret = EXIT_BAD_SPEC;
		goto out;
	}
	if (o->only && !known_name(&spec, o->only)) {
		fprintf(stderr, "error: no test or edge case named '%s' in '%s'\n",
			o->only, o->spec);
		goto out;
	}
	if (access(o->file, R_OK) != 0) {
		fprintf(stderr, "error: cannot read submission '%s': %s\n", o->file,
			strerror(errno));
		goto out;
	}
	g.file = xstrdup(o->file);
	g.seed = pick_seed(o, &spec);
	g.passing_score = spec.passing_score;
	g.valgrind = !o->no_valgrind && proc_exists(valgrind_command());
	if (!o->no_valgrind && !g.valgrind) {
		g.note = xasprintf("valgrind ('%s') is not installed: tests ran natively, "
				   "leaks and mappings are still counted, invalid reads "
				   "only when they fault", valgrind_command());
		warn("%s", g.note);
	}
	if (o->header && !same_file_content(o->header, spec.header)) {
		char *n = xasprintf("%s%sthe header '%s' differs from the pack's '%s': the "
				    "tests were compiled against the pack's", g.note ? g.note : "",
				    g.note ? "; " : "", o->header, spec.header);

		free(g.note);
		g.note = n;
		warn("the header '%s' differs from the pack's: the tests use the pack's "
		     "layout", o->header);
	}

	libdir = build_default_libdir();
	{
		bool oracle = spec.fuzz_enabled && !strcmp(spec.fuzz_oracle, "reference");
		struct build_opts bo = { o->file, o->header, libdir,
					 oracle ? spec.reference : NULL, o->keep };

		progress("building ", o->file);
		if (build_run(&b, &spec, &bo, &g, &err) < 0) {
			fprintf(stderr, "error: %s\n", err);
			goto out;
		}
	}
	if (g.compiled) {
		struct sandbox_opts so = { o->only, o->bonus || g.has_bonus_function,
					   g.valgrind };
		bool bonus_only = o->only && spec_find_test(&spec, o->only, &so.bonus) &&
				  so.bonus;

		so.bonus = so.bonus || bonus_only;
		progress("running the tests", g.valgrind ? " under valgrind" : "");
		if (sandbox_run(&spec, &b, &so, &g, &err) < 0) {
			fprintf(stderr, "error: %s\n", err);
			goto out;
		}
	} else {
		sandbox_not_run(&spec, &g, "not run: the submission does not build");
	}
	set_reproduce(&g.base, o, g.seed, false);
	set_reproduce(&g.bonus, o, g.seed, true);
	set_reproduce(&g.edges, o, g.seed, false);
	score_grade(&g, &sum);
	ri.spec_path = o->spec;
	ri.color = !o->json && use_color(STDOUT_FILENO);
	ri.summary = &sum;
	if (o->json)
		report_json(stdout, &g, &ri);
	else
		report_text(stdout, &g, &ri);
	fflush(stdout);
	ret = g.passed ? EXIT_PASS : EXIT_FAIL;
out:
	build_release(&b);
	grade_release(&g);
	strlist_release(&problems);
	spec_release(&spec);
	free(libdir);
	free(err);
	return ret;
}
