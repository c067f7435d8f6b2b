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
	struct spec spec;
	struct grade g = { 0 };
	struct report_info ri;
	char *err = NULL;
	int ret = spec_load_checked(&spec, o->spec);

	if (ret != EXIT_PASS)
		goto out;
	ret = EXIT_USAGE;
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

		if (grade_file(&spec, &go, &g, &err) < 0) {
			fprintf(stderr, "error: %s\n", err);
			goto out;
		}
	}
	ri.spec_path = o->spec;
	ri.color = !o->json && use_color(STDOUT_FILENO);
	if (o->json)
		report_json(stdout, &g, &ri);
	else
		report_text(stdout, &g, &ri);
	fflush(stdout);
	ret = g.passed ? EXIT_PASS : EXIT_FAIL;
out:
	grade_release(&g);
	spec_release(&spec);
	free(err);
	return ret;
}
