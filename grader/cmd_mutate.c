/* cmd_mutate.c - bin/grader mutate: generate the mutants of a reference,
 * grade each as a student would be graded, report the survivors
 *
 * generate (mutate_gen.c, libclang) -> select (--function,
 * --changed-since: mutate_select.c) -> grade (mutate_run.c: the reference,
 * then each mutant in a forked child) -> the reviewed equivalents
 * (mutate_equiv.c) -> reports (mutate_report.c, mutate_stryker.c) -> the
 * gate (--validate: the spec's mutation.threshold).
 */
#include "cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grade_file.h"
#include "i18n.h"
#include "matrix.h"
#include "mutate.h"
#include "mutate_run.h"
#include "options.h"
#include "proc.h"
#include "sandbox.h"
#include "spec.h"
#include "vet.h"

enum { OPT_FUNCTION = OPT_FIRST_FREE, OPT_EQUIVALENTS, OPT_RECHECK };

const struct command command_mutate = {
	"mutate", cmd_mutate,
	N_("  mutate -r REF -s SPEC     generate REF's mutants, grade each, report the\n"
	   "                            survivors\n"),
	N_("  -r, --reference FILE      the file to mutate: it must pass every test first\n"
	   "  -s, --spec SPEC           the exercise's spec.json\n"
	   "      --validate            exit 1 below the spec's mutation.threshold\n"
	   "      --json                print one JSON object instead of the summary\n"
	   "      --function NAME       only the mutants of the function NAME\n"
	   "      --changed-since REV   only the mutants on lines changed since REV\n"
	   "      --equivalents FILE    the reviewed equivalent mutants (default: the\n"
	   "                            pack's mutants/equivalent.json)\n"
	   "      --recheck-equivalents grade the listed equivalents under valgrind too\n"
	   "                            (by default their native pass confirms them)\n"
	   "      --report FILE, --html FILE   as for mutants\n"
	   "  -j, --jobs N              mutants graded at once (default: the cores)\n"
	   "      --seed N, --no-valgrind, --keep   as for test\n"),
};

struct mutate_opts {
	struct grade_opts grading;      /* -s, --seed, --no-valgrind, --keep */
	const char *reference;  /* -r: the file mutated; must pass everything */
	const char *function;   /* --function NAME, or NULL for all */
	const char *changed_since;      /* a git revision, or NULL */
	const char *equivalents;        /* --equivalents FILE, or NULL for the
					 * pack's mutants/equivalent.json */
	const char *report;     /* --report FILE (Stryker JSON), or NULL */
	const char *html;       /* --html FILE, or NULL */
	unsigned    jobs;       /* mutants graded at once */
	bool        validate;   /* exit 1 below the spec's mutation.threshold */
	bool        recheck;    /* --recheck-equivalents */
	bool        json;
};

/* OPTIONS_OK with o filled, or the exit code of a usage error or --help. */
static int parse(int argc, char **argv, const char *argv0, struct mutate_opts *o)
{
	static const struct option options[] = {
		GRADE_OPT_SPEC, GRADE_OPT_SEED, GRADE_OPT_NO_VALGRIND, GRADE_OPT_KEEP,
		{ "reference",     required_argument, NULL, 'r' },
		{ "validate",      no_argument,       NULL, OPT_VALIDATE },
		{ "json",          no_argument,       NULL, OPT_JSON },
		{ "function",      required_argument, NULL, OPT_FUNCTION },
		{ "changed-since", required_argument, NULL, OPT_CHANGED_SINCE },
		{ "equivalents",   required_argument, NULL, OPT_EQUIVALENTS },
		{ "recheck-equivalents", no_argument, NULL, OPT_RECHECK },
		{ "report",        required_argument, NULL, OPT_REPORT },
		{ "html",          required_argument, NULL, OPT_HTML },
		{ "jobs",          required_argument, NULL, 'j' },
		{ "help",          no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t jobs;
	int c, taken;

	memset(o, 0, sizeof(*o));
	o->grading.argv0 = argv0;
	o->jobs = default_jobs();
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":r:s:j:h", options, NULL)) != -1) {
		if ((taken = grade_opts_parse(&o->grading, c, optarg)) != 0) {
			if (taken < 0)
				return EXIT_USAGE;
			continue;
		}
		switch (c) {
		case 'r': o->reference = optarg; break;
		case OPT_VALIDATE: o->validate = true; break;
		case OPT_JSON: o->json = true; break;
		case OPT_FUNCTION: o->function = optarg; break;
		case OPT_CHANGED_SINCE: o->changed_since = optarg; break;
		case OPT_EQUIVALENTS: o->equivalents = optarg; break;
		case OPT_RECHECK: o->recheck = true; break;
		case OPT_REPORT: o->report = optarg; break;
		case OPT_HTML: o->html = optarg; break;
		case 'j':
			if (parse_bounded("--jobs", optarg, 1, 256, &jobs) != 0)
				return EXIT_USAGE;
			o->jobs = (unsigned)jobs;
			break;
		case 'h': return grader_help();
		default: return option_error("mutate", c, argv);
		}
	}
	if (optind < argc)
		return usage_error(_("mutate: unexpected argument '%s'"), argv[optind]);
	if (!o->reference)
		return usage_error(_("mutate: %s"), _("missing -r REFERENCE"));
	if (!o->grading.spec_path)
		return usage_error(_("mutate: %s"), _("missing -s SPEC"));
	return OPTIONS_OK;
}

/* The compiler's options libclang needs: the standard, the defines and
 * include directories of the spec's flags, and the header's directory. */
static void clang_args(const struct spec *spec, struct strlist *args)
{
	char *hdir = path_dir(spec->header);
	size_t i;

	strlist_add(args, "-std=c17");
	for (i = 0; i < spec->cflags.n; i++) {
		const char *f = spec->cflags.items[i];

		if (!strncmp(f, "-std=", 5) || !strncmp(f, "-D", 2) || !strncmp(f, "-I", 2))
			strlist_add(args, f);
	}
	strlist_addf(args, "-I%s", hdir);
	strlist_argv(args);
	free(hdir);
}

int cmd_mutate(int argc, char **argv, const char *argv0)
{
	struct mutate_opts opts;
	const struct mutate_opts *o = &opts;
	struct spec spec = { 0 };
	struct mutant_set set = { 0 };
	struct matrix m = { 0 };
	struct mutate_run rn = { 0 };
	struct mutate_equiv eq = { 0 };
	struct mutate_summary sum = { 0 };
	struct strlist args = { 0 }, stale = { 0 };
	char *err = NULL, *scratch = NULL, *eq_path = NULL, *title = NULL;
	uint64_t t0 = now_ms();
	double threshold;
	int ret = parse(argc, argv, argv0, &opts);

	if (ret != OPTIONS_OK)
		return ret;
	ret = spec_load_checked(&spec, o->grading.spec_path);
	if (ret != EXIT_PASS)
		goto out;
	ret = EXIT_USAGE;
	threshold = spec.mutation_threshold;
	eq_path = o->equivalents ? xstrdup(o->equivalents)
				 : path_join(spec.dir, "mutants/equivalent.json");
	if (o->equivalents && access(o->equivalents, R_OK) != 0) {
		err = xasprintf("cannot read the equivalents '%s': %s", o->equivalents,
				strerror(errno));
		goto out;
	}
	if (mutate_equiv_load(&eq, eq_path, &err) < 0)
		goto out;
	clang_args(&spec, &args);
	if (mutate_generate(o->reference, (const char *const *)args.items, (int)args.n,
			    &set, &err) < 0)
		goto out;
	mutate_equiv_mark(&eq, &set, path_base(o->reference));
	scratch = scratch_dir("grader-mutate", &err);
	if (scratch == NULL)
		goto out;
	/* every build's scratch inside ours: one removal cleans everything,
	 * even after a child ended early */
	setenv("TMPDIR", scratch, 1);
	if (mutate_select(&set, o->reference, o->function, o->changed_since,
			  scratch, &err) < 0)
		goto out;
	rn = (struct mutate_run){
		.spec = &spec, .grading = &o->grading, .reference = o->reference,
		.scratch = scratch, .jobs = o->jobs, .recheck = o->recheck,
		.tty = isatty(STDERR_FILENO),
		.seed = grade_pick_seed(&spec, o->grading.has_seed, o->grading.seed),
		.valgrind = !o->grading.no_valgrind && proc_exists(valgrind_command()),
	};
	m.spec_path = o->grading.spec_path;
	matrix_init(&m, &spec, o->reference, o->reference);
	m.seed = rn.seed;
	m.valgrind = rn.valgrind;
	if (vet_prepare(scratch, &err) < 0)
		goto out;
	sandbox_announce();
	if (rn.tty)
		warn("%zu mutants of %s, %u at a time", set.n, o->reference, o->jobs);
	if (mutate_run(&rn, &set, &m, &err) < 0) {
		ret = rn.baseline_broken ? EXIT_BAD_SPEC : EXIT_USAGE;
		goto out;
	}
	mutate_equiv_apply(&eq, &set, path_base(o->reference), &stale);
	sum.ms = (unsigned)(now_ms() - t0);
	mutate_summarize(&set, &sum);
	if (o->json) {
		json_t *j = mutate_report_json(&set, &sum, o->reference, threshold, &stale);

		json_dumpf(j, stdout, JSON_INDENT(1) | JSON_ENSURE_ASCII);
		putchar('\n');
		json_decref(j);
	} else {
		mutate_report_text(stdout, &set, &sum, o->reference, threshold, &stale);
	}
	fflush(stdout);
	title = xasprintf("%s mutate %s", spec.name, o->reference);
	if (mutate_report_stryker(&m, &set, o->reference, o->report, o->html,
				  title, scratch) < 0)
		goto out;
	ret = EXIT_PASS;
	if (o->validate && threshold >= 0 && sum.score >= 0 && sum.score < threshold) {
		fprintf(stderr, "grader: mutate: the mutation score %.1f %% of %s is below "
			"the spec's threshold %.1f %%: %zu survivor%s (listed above): add "
			"the tests that kill them, or list the equivalent ones in %s\n",
			sum.score, o->reference, threshold, sum.survived,
			sum.survived == 1 ? "" : "s", eq_path);
		ret = EXIT_FAIL;
	}
out:
	if (err)
		fprintf(stderr, "error: %s\n", err);
	if (scratch) {
		if (o->grading.keep)
			warn("kept the scratch directory %s", scratch);
		else
			remove_tree(scratch);
	}
	free(scratch);
	free(eq_path);
	free(title);
	free(err);
	strlist_release(&args);
	strlist_release(&stale);
	mutate_run_release(&rn);
	mutate_equiv_release(&eq);
	mutant_set_release(&set);
	matrix_release(&m);
	spec_release(&spec);
	return ret;
}
