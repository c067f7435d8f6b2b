/* cmd_validate_spec.c - bin/grader validate-spec SPEC: every problem at once */
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>

#include "spec.h"

int cmd_validate_spec(const char *path)
{
	struct strlist problems = { 0 };
	struct spec spec;
	char *err = NULL;
	int ret;
	size_t i;

	if (spec_load(&spec, path, &err) < 0) {
		fprintf(stderr, "error: %s\n", err);
		free(err);
		spec_release(&spec);
		return EXIT_BAD_SPEC;
	}
	if (spec_validate(&spec, SPEC_CHECK_ALL_FILES, &problems) < 0) {
		for (i = 0; i < problems.n; i++)
			fprintf(stderr, "%s: %s\n", path, problems.items[i]);
		fprintf(stderr, "%s: invalid spec: %zu problem%s\n", path, problems.n,
			problems.n > 1 ? "s" : "");
		ret = EXIT_BAD_SPEC;
	} else {
		printf("%s: ok (%zu tests, %zu bonus tests, %zu edge cases, %zu "
		       "questions)\n", path, spec.base.n, spec.bonus.n, spec.nedges,
		       spec.nqcm);
		ret = EXIT_PASS;
	}
	strlist_release(&problems);
	spec_release(&spec);
	return ret;
}
