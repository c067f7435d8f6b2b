/* cmd_mutants.c - bin/grader mutants: grade the reference, then every file
 * of the spec's validation lists in parallel, and judge the pack
 *
 * This file is the command: its options, the plan of the jobs, the
 * judging and the matrix.  Each file is graded by grade_file() in a forked
 * child, which leaves the file's `grader test --json` report and its
 * compiled code (the object without debug information, local symbols or
 * comments, to tell an equivalent mutant) in a scratch directory; the
 * children and the collection of what they leave are mutants_jobs.c's, the
 * --junit, --report and --html files mutants_output.c's.
 */
#include "cmd.h"
#include "i18n.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grade_file.h"
#include "options.h"
#include "matrix.h"
#include "mutants_run.h"
#include "pack.h"
#include "proc.h"
#include "report_matrix.h"
#include "sandbox.h"
#include "spec.h"
#include "vet.h"

const struct command command_mutants = {
	"mutants", cmd_mutants,
	N_("  mutants -r REF -s SPEC    grade REF, then every file of the spec's\n"
	"                            validation lists: the kill matrix\n"),
	N_("  -r, --reference FILE      the reference: it must pass every test first\n"
	"  -s, --spec SPEC           the exercise's spec.json\n"
	"      --validate            exit 1 unless every expectation holds: each\n"
	"                            expected_pass file passes, each expected_fail\n"
	"                            file is killed, every pack file is listed\n"
	"      --json                print one JSON object instead of the matrix\n"
	"      --junit FILE          write a JUnit XML report, a testcase per file\n"
	"      --report FILE         write a Stryker mutation-testing report (JSON)\n"
	"      --html FILE           write that report as one offline HTML page\n"
	"      --changed-since REV   grade only the files of mutants/, alternatives/\n"
	"                            and references/ changed since the git revision\n"
	"                            REV (every file if the spec changed)\n"
	"  -j, --jobs N              files graded at once (default: the cores)\n"
	"      --seed N, --no-valgrind   as for test\n"),
};

/* OPTIONS_OK with o filled, or the exit code of a usage error or --help. */
static int parse(int argc, char **argv, const char *argv0, struct mutants_opts *o)
{
	static const struct option options[] = {
		GRADE_OPT_SPEC, GRADE_OPT_SEED, GRADE_OPT_NO_VALGRIND,
		{ "reference",     required_argument, NULL, 'r' },
		{ "validate",      no_argument,       NULL, OPT_VALIDATE },
		{ "json",          no_argument,       NULL, OPT_JSON },
		{ "junit",         required_argument, NULL, OPT_JUNIT },
		{ "report",        required_argument, NULL, OPT_REPORT },
		{ "html",          required_argument, NULL, OPT_HTML },
		{ "changed-since", required_argument, NULL, OPT_CHANGED_SINCE },
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
		case OPT_JUNIT: o->junit = optarg; break;
		case OPT_REPORT: o->report = optarg; break;
		case OPT_HTML: o->html = optarg; break;
		case OPT_CHANGED_SINCE: o->changed_since = optarg; break;
		case 'j':
			if (parse_bounded("--jobs", optarg, 1, 256, &jobs) != 0)
				return EXIT_USAGE;
			o->jobs = (unsigned)jobs;
			break;
		case 'h': return grader_help();
		default: return option_error("mutants", c, argv);
		}
	}
	if (optind < argc)
		return usage_error(_("mutants: unexpected argument '%s'"), argv[optind]);
	if (!o->reference)
		return usage_error(_("mutants: %s"), _("missing -r REFERENCE"));
	if (!o->grading.spec_path)
		return usage_error(_("mutants: %s"), _("missing -s SPEC"));
	return OPTIONS_OK;
}

/* The jobs: the baseline, then every row but the reference's own, the
 * mutants before the solutions: a mutant may run into timeouts, and the
 * short grades of the solutions then fill the cores at the end. */
static void plan_jobs(struct run *rn)
{
	struct matrix *m = rn->m;
	char *ref = pack_canonical(rn->o->reference);
	size_t i, pass;

	rn->jobs = xcalloc(m->nrows + 1, sizeof(*rn->jobs));
	rn->jobs[rn->njobs++] = (struct job){ .path = rn->o->reference,
					      .file = rn->o->reference };
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < m->nrows; i++) {
			char *c;

			if ((m->rows[i].expected == EXPECT_FAIL) != (pass == 0))
				continue;
			c = pack_canonical(m->rows[i].path);
			if (strcmp(c, ref))
				rn->jobs[rn->njobs++] = (struct job){
					.path = m->rows[i].path, .file = m->rows[i].file,
					.row = &m->rows[i] };
			free(c);
		}
	for (i = 0; i < rn->njobs; i++) {
		rn->jobs[i].json = xasprintf("%s/%zu.json", rn->scratch, i);
		rn->jobs[i].code = xasprintf("%s/%zu.code", rn->scratch, i);
		rn->jobs[i].err = xasprintf("%s/%zu.err", rn->scratch, i);
	}
	free(ref);
}

/* The rows of the reference itself take the baseline's grade. */
static void copy_baseline(struct matrix *m, const char *reference)
{
	char *ref = pack_canonical(reference);
	size_t i, k;

	for (i = 0; i < m->nrows; i++) {
		struct matrix_row *r = &m->rows[i];
		char *c = pack_canonical(r->path);

		if (!strcmp(c, ref)) {
			r->graded = true;
			r->compiled = m->baseline.compiled;
			free(r->compile_message);
			r->compile_message = xstrdup(m->baseline.compile_message);
			r->score = m->baseline.score;
			r->max_score = m->baseline.max_score;
			r->bonus_score = m->baseline.bonus_score;
			r->passed = m->baseline.passed;
			r->refused_because = m->baseline.refused_because ?
					     xstrdup(m->baseline.refused_because) : NULL;
			r->ms = m->baseline.ms;
			r->norm_problem = m->baseline.norm_problem ?
					  xstrdup(m->baseline.norm_problem) : NULL;
			r->cells = xcalloc(m->ncolumns, sizeof(*r->cells));
			for (k = 0; k < m->ncolumns; k++) {
				r->cells[k] = m->baseline.cells[k];
				r->cells[k].message = xstrdup(m->baseline.cells[k].message);
			}
			if (m->baseline.code) {
				r->code = xmalloc(m->baseline.code_len);
				memcpy(r->code, m->baseline.code, m->baseline.code_len);
				r->code_len = m->baseline.code_len;
			}
		}
		free(c);
	}
	free(ref);
}

int cmd_mutants(int argc, char **argv, const char *argv0)
{
	struct mutants_opts opts;
	const struct mutants_opts *o = &opts;
	struct strlist changed = { 0 };
	struct spec spec = { 0 };
	struct matrix m = { 0 };
	struct run rn = { .o = o, .spec = &spec, .m = &m };
	char *err = NULL, *bundle = NULL;
	uint64_t t0 = now_ms();
	int ret = parse(argc, argv, argv0, &opts);
	size_t i;

	if (ret != OPTIONS_OK)
		return ret;
	ret = spec_load_checked(&spec, o->grading.spec_path);
	if (ret != EXIT_PASS)
		goto out;
	ret = EXIT_USAGE;
	if (access(o->reference, R_OK) != 0) {
		fprintf(stderr, "error: cannot read the reference '%s': %s\n",
			o->reference, strerror(errno));
		goto out;
	}
	if (o->html) {
		bundle = report_html_bundle();
		if (access(bundle, R_OK) != 0) {
			fprintf(stderr, "error: --html: cannot read the viewer '%s': %s "
				"(run make html-deps, or set GRADER_ELEMENTS_JS)\n", bundle,
				strerror(errno));
			goto out;
		}
	}
	rn.scratch = scratch_dir("grader-mutants", &err);
	if (rn.scratch == NULL) {
		fprintf(stderr, "error: %s\n", err);
		goto out;
	}
	rn.tty = isatty(STDERR_FILENO);
	m.spec_path = o->grading.spec_path;
	matrix_init(&m, &spec, o->reference, o->reference);
	m.seed = grade_pick_seed(&spec, o->grading.has_seed, o->grading.seed);
	m.valgrind = !o->grading.no_valgrind && proc_exists(valgrind_command());
	pack_add_rows(&m, &spec);
	if (o->changed_since) {
		bool all = false;

		if (pack_changed_since(&spec, o->grading.spec_path, o->changed_since, rn.scratch,
				       &changed, &all, &err) < 0) {
			fprintf(stderr, "error: %s\n", err);
			goto out;
		}
		if (!all)
			pack_keep_changed(&m, &changed);
		else if (rn.tty)
			warn("the spec changed since %s: grading every file",
			     o->changed_since);
	}
	plan_jobs(&rn);
	/* What every grade works out the same way (the C library functions
	 * the harness calls, what the sandbox lacks here), once, before the
	 * forks: not once per file. */
	if (vet_prepare(rn.scratch, &err) < 0) {
		fprintf(stderr, "error: %s\n", err);
		goto out;
	}
	sandbox_announce();
	if (rn.tty)
		warn("grading %s and %zu file%s, %u at a time%s", o->reference,
		     rn.njobs - 1, rn.njobs == 2 ? "" : "s", o->jobs,
		     m.valgrind ? ", under valgrind" : "");
	ret = mutants_run_jobs(&rn);
	if (ret != EXIT_PASS)
		goto out;
	copy_baseline(&m, o->reference);
	m.ms = (unsigned)(now_ms() - t0);
	matrix_judge(&m);
	if (o->json)
		report_matrix_json(stdout, &m);
	else
		report_matrix_text(stdout, &m, use_color(STDOUT_FILENO));
	fflush(stdout);
	if (mutants_write_reports(&rn) < 0) {
		ret = EXIT_USAGE;
		goto out;
	}
	ret = !o->validate || m.ok ? EXIT_PASS : EXIT_FAIL;
out:
	for (i = 0; i < rn.njobs; i++) {
		free(rn.jobs[i].json);
		free(rn.jobs[i].code);
		free(rn.jobs[i].err);
	}
	free(rn.jobs);
	if (rn.scratch)
		remove_tree(rn.scratch);
	free(rn.scratch);
	matrix_release(&m);
	strlist_release(&changed);
	spec_release(&spec);
	free(bundle);
	free(err);
	return ret;
}
