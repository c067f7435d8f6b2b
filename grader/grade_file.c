/* grade_file.c - grade one submission into a struct grade */
#include "grade_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "proc.h"
#include "sandbox.h"

static void progress(const struct grade_file_opts *o, const char *what,
		     const char *arg)
{
	if (o->progress)
		fprintf(stderr, "grader: %s%s\n", what, arg);
}

static void set_reproduce(struct table_result *t, const struct grade_file_opts *o,
			  uint64_t seed, bool bonus)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		struct test_result *r = &t->tests[i];

		free(r->reproduce);
		r->reproduce = xasprintf("%s test -s %s -f %s%s%s%s --only %s --seed %llu",
					 o->argv0, o->spec_path, o->file,
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

uint64_t grade_pick_seed(const struct spec *spec, bool has_seed, uint64_t seed)
{
	uint32_t r = 0;

	if (has_seed)
		return seed;
	if (spec->fuzz_has_seed)
		return spec->fuzz_seed;
	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		r = (uint32_t)getpid();
	return r;
}

int grade_file(const struct spec *spec, const struct grade_file_opts *o,
	       struct grade *g, char **err)
{
	struct build b = { 0 };
	char *libdir = NULL;
	int ret = -1;

	if (access(o->file, R_OK) != 0) {
		*err = xasprintf("cannot read submission '%s': %s", o->file,
				 strerror(errno));
		return -1;
	}
	g->file = xstrdup(o->file);
	g->seed = grade_pick_seed(spec, o->has_seed, o->seed);
	g->passing_score = spec->passing_score;
	g->valgrind = !o->no_valgrind && proc_exists(valgrind_command());
	if (!o->no_valgrind && !g->valgrind) {
		g->note = xasprintf("valgrind ('%s') is not installed: tests ran natively, "
				    "leaks and mappings are still counted, invalid reads "
				    "only when they fault", valgrind_command());
		warn("%s", g->note);
	}
	if (o->header && !same_file_content(o->header, spec->header)) {
		char *n = xasprintf("%s%sthe header '%s' differs from the pack's '%s': the "
				    "tests were compiled against the pack's", g->note ? g->note : "",
				    g->note ? "; " : "", o->header, spec->header);

		free(g->note);
		g->note = n;
		warn("the header '%s' differs from the pack's: the tests use the pack's "
		     "layout", o->header);
	}

	libdir = build_default_libdir();
	{
		bool oracle = spec->fuzz_enabled && !strcmp(spec->fuzz_oracle, "reference");
		struct build_opts bo = { o->file, o->header, libdir,
					 oracle ? spec->reference : NULL, o->keep };

		progress(o, "building ", o->file);
		if (build_run(&b, spec, &bo, g, err) < 0)
			goto out;
	}
	if (o->built)
		o->built(&b, g, o->built_arg);
	if (g->compiled) {
		struct sandbox_opts so = { o->only, o->bonus || g->has_bonus_function,
					   g->valgrind, o->stop_first };
		bool bonus_only = o->only && spec_find_test(spec, o->only, &so.bonus) &&
				  so.bonus;

		so.bonus = so.bonus || bonus_only;
		progress(o, "running the tests", g->valgrind ? " under valgrind" : "");
		if (sandbox_run(spec, &b, &so, g, err) < 0)
			goto out;
	} else {
		sandbox_not_run(spec, g, "not run: the submission does not build");
	}
	set_reproduce(&g->base, o, g->seed, false);
	set_reproduce(&g->bonus, o, g->seed, true);
	set_reproduce(&g->edges, o, g->seed, false);
	score_grade(g, &spec->rule);
	ret = 0;
out:
	build_release(&b);
	free(libdir);
	return ret;
}
