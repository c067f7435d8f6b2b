/* cmd_validate_spec.c - bin/grader validate-spec SPEC: every problem at once */
#include "cmd.h"
#include "i18n.h"

#include <stdio.h>
#include <stdlib.h>

#include "options.h"
#include "spec.h"

const struct command command_validate_spec = {
	"validate-spec", cmd_validate_spec,
	N_("  validate-spec SPEC        check SPEC and list every problem in it\n"),
	NULL,
};

int cmd_validate_spec(int argc, char **argv, const char *argv0)
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct strlist problems = { 0 };
	struct spec spec;
	const char *path;
	char *err = NULL;
	int ret, c;
	size_t i;

	(void)argv0;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		if (c == 'h')
			return grader_help();
		return option_error("validate-spec", c, argv);
	}
	if (optind != argc - 1)
		return usage_error(_("validate-spec: %s"), _("expected one SPEC file"));
	path = argv[optind];
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
