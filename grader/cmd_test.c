/* cmd_test.c - bin/grader test: build, run, score and report one submission */
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grade_file.h"
#include "report.h"
#include "spec.h"

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

int cmd_test(const struct test_opts *o)
{
	struct strlist problems = { 0 };
	struct spec spec;
	struct grade g = { 0 };
	struct score_summary sum = { 0 };
	struct report_info ri;
	char *err = NULL;
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
	{
		struct grade_file_opts go = {
			.argv0 = o->argv0, .spec_path = o->spec, .file = o->file,
			.header = o->header, .only = o->only, .bonus = o->bonus,
			.has_seed = o->has_seed, .seed = o->seed,
			.no_valgrind = o->no_valgrind, .keep = o->keep,
			.progress = isatty(STDERR_FILENO),
		};

		if (grade_file(&spec, &go, &g, &sum, &err) < 0) {
			fprintf(stderr, "error: %s\n", err);
			goto out;
		}
	}
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
	grade_release(&g);
	strlist_release(&problems);
	spec_release(&spec);
	free(err);
	return ret;
}
