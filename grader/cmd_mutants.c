/* cmd_mutants.c - bin/grader mutants: grade the reference, then every file
 * of the spec's validation lists in parallel, and judge the pack
 *
 * Each file is graded by grade_file() in a forked child (grader/pool.c),
 * which leaves the file's `grader test --json` report and its compiled
 * code (the object without debug information, local symbols or comments,
 * to tell an equivalent mutant) in a scratch directory; the parent only
 * schedules, collects and judges.  A child per file keeps the grades apart: nothing
 * of the grading code needs to be thread-safe.
 */
#include "cmd.h"
#include "i18n.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "grade_file.h"
#include "options.h"
#include "matrix.h"
#include "pack.h"
#include "pool.h"
#include "proc.h"
#include "report.h"
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

struct mutants_opts {
	struct grade_opts grading;      /* -s, --seed, --no-valgrind */
	const char *reference;  /* -r: must pass everything first */
	const char *junit;      /* --junit FILE, or NULL */
	const char *report;     /* --report FILE (Stryker JSON), or NULL */
	const char *html;       /* --html FILE, or NULL */
	const char *changed_since;      /* a git revision, or NULL */
	unsigned    jobs;       /* files graded at once */
	bool        validate;   /* exit 1 when an expectation fails */
	bool        json;
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

/* One file to grade. */
struct job {
	const char *path;       /* what grade_file() reads */
	const char *file;       /* as shown */
	struct matrix_row *row; /* NULL for the baseline */
	char   *json;           /* <scratch>/<index>.json, the report */
	char   *code;           /* <scratch>/<index>.code, the compiled code */
	char   *err;            /* <scratch>/<index>.err, a system error */
};

struct run {
	const struct mutants_opts *o;
	const struct spec *spec;
	struct matrix *m;
	char   *scratch;
	struct job *jobs;
	size_t  njobs;
	bool    tty;
	size_t  ndone;
	int     ret;            /* EXIT_PASS until a job fails the run */
	char   *err;            /* why, when it did */
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The submission's compiled code, to compare with the reference's: its
 * object as built for the tests, without what does not change behaviour
 * (debug information: line numbers, comments; local symbol names: the
 * file name; the compiler's .comment).  Strings and data stay: a mutant
 * that prints something else is not equivalent. */
static void save_code(const struct build *b, const struct grade *g, void *arg)
{
	char *argv[] = { "objcopy", "--strip-debug", "--discard-all",
			 "-R", ".comment", "-R", ".note.GNU-stack",
			 b->object, arg, NULL };

	if (g->compiled && b->object)
		proc_run(argv, NULL);
}

/* The child's work (pool_child_fn): grade one file, leave the report in
 * j->json; the pool _exit()s with the status returned. */
static int child_grade(size_t i, void *arg)
{
	const struct run *rn = arg;
	const struct job *j = &rn->jobs[i];
	struct grade g = { 0 };
	struct report_info ri = { rn->o->grading.spec_path, false };
	struct grade_file_opts go = {
		.grading = rn->o->grading, .file = j->path,
		.built = save_code, .built_arg = j->code,
	};
	char *err = NULL;
	FILE *f;
	int status = 0;

	go.grading.has_seed = true;     /* the one seed of the whole run */
	go.grading.seed = rn->m->seed;
	if (grade_file(rn->spec, &go, &g, &err) < 0) {
		f = fopen(j->err, "w");
		if (f) {
			fputs(err, f);
			fclose(f);
		}
		status = 2;
	} else if ((f = fopen(j->json, "w")) != NULL) {
		report_json(f, &g, &ri);
		status = fclose(f) == 0 ? 0 : 2;
	} else {
		status = 2;
	}
	grade_release(&g);
	free(err);
	return status;
}

/* Reads what the child left: 0, or -1 with *err. */
static int job_collect(struct run *rn, struct job *j, json_t **report, char **err)
{
	json_error_t je;
	char *e = read_file(j->err, NULL);

	*report = NULL;
	if (e) {
		*err = xasprintf("cannot grade '%s': %s", j->file, e);
		free(e);
		return -1;
	}
	*report = json_load_file(j->json, 0, &je);
	if (*report == NULL) {
		*err = xasprintf("cannot grade '%s': its grading process left no "
				 "report (%s)", j->file, je.text);
		return -1;
	}
	(void)rn;
	return 0;
}

static void set_code(struct matrix_row *r, const char *code_path)
{
	size_t len;
	char *code = read_file(code_path, &len);

	free(r->code);
	r->code = code;
	r->code_len = code ? len : 0;
}

/* Every graded test passed: the base table at full score, and the bonus
 * table too when it was graded. */
static bool all_tests_pass(const json_t *report)
{
	const json_t *bonus = json_object_get(report, "bonus");

	if (!json_is_true(json_object_get(report, "passed")) ||
	    json_integer_value(json_object_get(report, "score")) !=
	    json_integer_value(json_object_get(report, "max_score")))
		return false;
	return !json_is_object(bonus) ||
	       json_integer_value(json_object_get(bonus, "score")) ==
	       json_integer_value(json_object_get(bonus, "max_score"));
}

static void progress(const struct run *rn, const struct job *j, size_t done,
		     size_t total, const json_t *report, uint64_t ms)
{
	const json_t *compile = json_object_get(report, "compile");

	if (!rn->tty)
		return;
	fprintf(stderr, "grader: [%zu/%zu] %s: %s in %.1f s, %zu left\n", done, total,
		j->file, !json_is_true(json_object_get(compile, "ok")) ? "does not build" :
		all_tests_pass(report) ? "every test passes" : "some tests fail",
		(double)ms / 1000.0, total - done);
}

/* pool_done_fn: judges what a child left.  After a failure the others
 * only drain: their verdict no longer matters. */
static int job_done(const struct pool_end *e, void *arg)
{
	struct run *rn = arg;
	struct job *j = &rn->jobs[e->index];
	json_t *report = NULL;

	rn->ndone++;
	if (rn->ret != EXIT_PASS)
		return -1;
	if (job_collect(rn, j, &report, &rn->err) < 0) {
		rn->ret = EXIT_USAGE;
		return -1;
	}
	progress(rn, j, rn->ndone, rn->njobs, report, e->ms);
	if (j->row == NULL) {
		char *why = NULL;

		matrix_row_set_report(rn->m, &rn->m->baseline, report);
		set_code(&rn->m->baseline, j->code);
		if (!matrix_baseline_ok(rn->m, report, &why)) {
			rn->err = xasprintf("baseline broken: the reference '%s' must pass "
					    "everything, and %s\nEvery other verdict "
					    "would be meaningless: fix the reference or "
					    "the tests first", j->file, why);
			rn->ret = EXIT_BAD_SPEC;
		}
		free(why);
	} else {
		matrix_row_set_report(rn->m, j->row, report);
		set_code(j->row, j->code);
	}
	json_decref(report);
	return rn->ret == EXIT_PASS ? 0 : -1;
}

/* Grades every job, at most o->jobs at a time, the baseline first in the
 * list.  The others start with it, on the cores it leaves free, but none
 * is judged unless it passes.  Returns EXIT_PASS, EXIT_BAD_SPEC (broken
 * baseline) or EXIT_USAGE (system error). */
static int run_jobs(struct run *rn)
{
	struct pool p = {
		.njobs = rn->njobs, .jobs = rn->o->jobs,
		.child = child_grade, .done = job_done, .arg = rn,
	};
	char *err = NULL;

	rn->ret = EXIT_PASS;
	if (pool_run(&p, &err) < 0 && rn->ret == EXIT_PASS) {
		rn->ret = EXIT_USAGE;
		rn->err = err;
		err = NULL;
	}
	if (rn->err)
		fprintf(stderr, "error: %s\n", rn->err);
	free(rn->err);
	rn->err = NULL;
	free(err);
	return rn->ret;
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

/* --junit, --report and --html. */
static int write_reports(const struct run *rn)
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
	ret = run_jobs(&rn);
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
	if (write_reports(&rn) < 0) {
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
