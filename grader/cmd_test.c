/* cmd_test.c - bin/grader test: build, run, score and report one submission */
#include "cmd.h"
#include "i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grade_file.h"
#include "options.h"
#include "report.h"
#include "report_lms.h"
#include "spec.h"

const struct command command_test = {
	"test", cmd_test,
	N_("  test -s SPEC -f FILE      grade the submission FILE (a hypervisor_sim.c)\n"),
	N_("  -s, --spec SPEC           the exercise's spec.json\n"
	"  -f, --file FILE           the submission\n"
	"  -H, --header FILE         the submission's own header (default: the spec's)\n"
	"      --json                print one JSON object instead of the text report\n"
	"      --format F            text, json, or a learning platform's results:\n"
	"                            gradescope, prairielearn, autolab\n"
	"      --only NAME           run only the test or edge case NAME\n"
	"      --seed N              seed of the fuzzing (printed in every report)\n"
	"      --bonus               also grade the bonus table (automatic when the\n"
	"                            submission defines maeve_tries_to_escape)\n"
	"      --no-valgrind         run the tests natively\n"
	"      --keep                keep the scratch directory (its path on stderr)\n"),
};

struct test_opts {
	struct grade_opts grading;
	const char *file;
	bool        json;
	const char *format;     /* --format: text, json, gradescope,
				 * prairielearn, autolab; NULL: text or --json */
};

enum { OPT_FORMAT = OPT_FIRST_FREE };

/* OPTIONS_OK with o filled, or the exit code of a usage error or --help. */
static int parse(int argc, char **argv, const char *argv0, struct test_opts *o)
{
	static const struct option options[] = {
		GRADE_OPT_SPEC, GRADE_OPT_HEADER, GRADE_OPT_ONLY, GRADE_OPT_SEED,
		GRADE_OPT_BONUS, GRADE_OPT_NO_VALGRIND, GRADE_OPT_KEEP,
		{ "file", required_argument, NULL, 'f' },
		{ "json", no_argument,       NULL, OPT_JSON },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "help", no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, taken;

	memset(o, 0, sizeof(*o));
	o->grading.argv0 = argv0;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":s:f:H:h", options, NULL)) != -1) {
		if ((taken = grade_opts_parse(&o->grading, c, optarg)) != 0) {
			if (taken < 0)
				return EXIT_USAGE;
			continue;
		}
		switch (c) {
		case 'f': o->file = optarg; break;
		case OPT_JSON: o->json = true; break;
		case OPT_FORMAT: o->format = optarg; break;
		case 'h': return grader_help();
		default: return option_error("test", c, argv);
		}
	}
	if (optind < argc)
		return usage_error(_("test: unexpected argument '%s'"), argv[optind]);
	if (!o->grading.spec_path)
		return usage_error(_("test: %s"), _("missing -s SPEC"));
	if (!o->file)
		return usage_error(_("test: %s"), _("missing -f FILE"));
	return OPTIONS_OK;
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

/* --format NAME: the reporter, or NULL for an unknown name. */
static report_fn *test_reporter(const struct test_opts *o, bool *plain)
{
	static const struct { const char *name; report_fn *fn; bool plain; } formats[] = {
		{ "text", report_text, false },         { "json", report_json, true },
		{ "gradescope", report_gradescope, true },
		{ "prairielearn", report_prairielearn, true },
		{ "autolab", report_autolab, true },
	};
	const char *name = o->format ? o->format : o->json ? "json" : "text";
	size_t i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (!strcmp(formats[i].name, name)) {
			*plain = formats[i].plain;
			return formats[i].fn;
		}
	return NULL;
}

int cmd_test(int argc, char **argv, const char *argv0)
{
	struct test_opts o;
	struct spec spec = { 0 };
	struct grade g = { 0 };
	struct report_info ri;
	char *err = NULL;
	bool plain = false;
	report_fn *reporter;
	int ret = parse(argc, argv, argv0, &o);

	if (ret != OPTIONS_OK)
		return ret;
	reporter = test_reporter(&o, &plain);
	if (reporter == NULL)
		return usage_error("test: --format: unknown format '%s' (text, json, "
				   "gradescope, prairielearn, autolab)", o.format);
	ret = spec_load_checked(&spec, o.grading.spec_path);
	if (ret != EXIT_PASS)
		goto out;
	ret = EXIT_USAGE;
	if (o.grading.only && !known_name(&spec, o.grading.only)) {
		fprintf(stderr, _("error: no test or edge case named '%s' in '%s'\n"),
			o.grading.only, o.grading.spec_path);
		goto out;
	}
	{
		struct grade_file_opts go = {
			.grading = o.grading, .file = o.file,
			.progress = isatty(STDERR_FILENO),
		};

		if (grade_file(&spec, &go, &g, &err) < 0) {
			fprintf(stderr, "error: %s\n", err);
			if (reporter == report_prairielearn)
				report_prairielearn_error(stdout, err);
			goto out;
		}
	}
	ri.spec_path = o.grading.spec_path;
	ri.color = !plain && use_color(STDOUT_FILENO);
	reporter(stdout, &g, &ri);
	fflush(stdout);
	ret = g.passed ? EXIT_PASS : EXIT_FAIL;
out:
	grade_release(&g);
	spec_release(&spec);
	free(err);
	return ret;
}
