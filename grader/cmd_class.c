/* cmd_class.c - bin/grader class: grade a whole class into OUTDIR
 *
 *   grader class -s SPEC SUBMISSIONS... -o OUTDIR [-j N] [--regrade]
 *   grader class ... --plan            write the plan, grade nothing
 *   grader class ... --slurm           grade as a Slurm job array
 *   grader class --task I -o OUTDIR    grade chunk I of the plan (a task)
 *   grader class --collect OUTDIR      gradebook and page from the cache
 *
 * The steps: find the students (class_input.c), hash what each grade
 * depends on and save the plan (class_plan.c), grade what the cache lacks
 * (class_grade.c, or Slurm: class_slurm.c), write the reports, the
 * gradebook, the page and the summary (class_book.c, class_html.c).
 */
#include "cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build.h"
#include "class_run.h"
#include "class_slurm.h"
#include "grade_file.h"
#include "options.h"
#include "sandbox.h"
#include "vet.h"

const struct command command_class = {
	"class", cmd_class,
	"  class -s SPEC SUBMISSIONS... -o OUTDIR\n"
	"                            grade a class: reports, gradebook.csv, class.html\n",
	"  -s, --spec SPEC           the exercise's spec.json\n"
	"  -o, --out OUTDIR          where the reports, gradebook and cache go\n"
	"  -j, --jobs N              grades at once (default: the cores)\n"
	"      --regrade             grade again what the cache already has\n"
	"      --max-time S          one student's grading cap (default 600 s)\n"
	"      --budget S            no grade starts after S seconds (default: none)\n"
	"      --plan                write OUTDIR/plan.json, grade nothing\n"
	"      --slurm               grade as a Slurm job array (sbatch --wait)\n"
	"      --chunk N             students per task (default 10)\n"
	"      --task I              grade chunk I of OUTDIR's plan (a task)\n"
	"      --collect OUTDIR      the gradebook and page from what tasks left\n"
	"      --seed N, --no-valgrind   as for test\n",
};

enum { OPT_REGRADE = OPT_FIRST_FREE, OPT_MAX_TIME, OPT_BUDGET, OPT_PLAN, OPT_SLURM,
       OPT_CHUNK, OPT_TASK, OPT_COLLECT };

/* OPTIONS_OK with o filled, or the exit code of a usage error or --help. */
static int parse(int argc, char **argv, const char *argv0, struct class_opts *o)
{
	static const struct option options[] = {
		GRADE_OPT_SPEC, GRADE_OPT_SEED, GRADE_OPT_NO_VALGRIND,
		{ "out",         required_argument, NULL, 'o' },
		{ "jobs",        required_argument, NULL, 'j' },
		{ "regrade",     no_argument,       NULL, OPT_REGRADE },
		{ "max-time",    required_argument, NULL, OPT_MAX_TIME },
		{ "budget",      required_argument, NULL, OPT_BUDGET },
		{ "plan",        no_argument,       NULL, OPT_PLAN },
		{ "slurm",       no_argument,       NULL, OPT_SLURM },
		{ "chunk",       required_argument, NULL, OPT_CHUNK },
		{ "task",        required_argument, NULL, OPT_TASK },
		{ "collect",     required_argument, NULL, OPT_COLLECT },
		{ "help",        no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int c, taken, bad = 0;

	memset(o, 0, sizeof(*o));
	o->grading.argv0 = argv0;
	o->jobs = default_jobs();
	o->max_seconds = 600;
	o->chunk = 10;
	opterr = 0;
	optind = 1;
	while (!bad && (c = getopt_long(argc, argv, ":s:o:j:h", options, NULL)) != -1) {
		if ((taken = grade_opts_parse(&o->grading, c, optarg)) != 0) {
			if (taken < 0)
				return EXIT_USAGE;
			continue;
		}
		switch (c) {
		case 'o': o->outdir = optarg; break;
		case 'j':
			bad = parse_bounded("--jobs", optarg, 1, 256, &v);
			o->jobs = (unsigned)v;
			break;
		case OPT_REGRADE: o->regrade = true; break;
		case OPT_MAX_TIME:
			bad = parse_bounded("--max-time", optarg, 0, 86400, &o->max_seconds);
			break;
		case OPT_BUDGET:
			bad = parse_bounded("--budget", optarg, 0, 30 * 86400, &o->budget_seconds);
			break;
		case OPT_PLAN: o->plan_only = true; break;
		case OPT_SLURM: o->slurm = true; break;
		case OPT_CHUNK:
			bad = parse_bounded("--chunk", optarg, 1, 100000, &v);
			o->chunk = (unsigned)v;
			break;
		case OPT_TASK:
			bad = parse_bounded("--task", optarg, 0, 1000000, &v);
			o->task = (unsigned)v;
			o->has_task = true;
			break;
		case OPT_COLLECT: o->collect = true; o->outdir = optarg; break;
		case 'h': return grader_help();
		default: return option_error("class", c, argv);
		}
	}
	if (bad)
		return bad;
	o->paths = argv + optind;
	o->npaths = (size_t)(argc - optind);
	if (!o->outdir)
		return usage_error("class: %s", "missing -o OUTDIR");
	if (o->collect || o->has_task) {
		if (o->npaths || o->grading.spec_path || o->slurm || o->plan_only ||
		    (o->collect && o->has_task))
			return usage_error("class: %s", "--collect and --task read OUTDIR's "
					   "plan: no -s, no submissions, not both");
		return OPTIONS_OK;
	}
	if (!o->grading.spec_path)
		return usage_error("class: %s", "missing -s SPEC");
	if (o->npaths == 0)
		return usage_error("class: %s", "no submissions: give class folders, "
				   "student folders or .c files");
	if (o->slurm && o->plan_only)
		return usage_error("class: %s", "--slurm or --plan, not both");
	return OPTIONS_OK;
}

static int class_mkdirs(const char *outdir, char **err)
{
	static const char *const subs[] = { "", "/cache", "/students", "/tasks" };
	size_t i;

	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		char *d = xasprintf("%s%s", outdir, subs[i]);
		int r = mkdir(d, 0755);

		if (r < 0 && errno != EEXIST) {
			*err = xasprintf("cannot create '%s': %s", d, strerror(errno));
			free(d);
			return -1;
		}
		free(d);
	}
	return 0;
}

/* What every grade works out the same way, once before the forks. */
static int class_prepare(const char *outdir, char **err)
{
	char *scratch = xasprintf("%s/tasks/vet.%ld", outdir, (long)getpid());
	int r = -1;

	if (mkdir(scratch, 0700) < 0) {
		*err = xasprintf("cannot create '%s': %s", scratch, strerror(errno));
		goto out;
	}
	r = vet_prepare(scratch, err);
	remove_tree(scratch);
	if (r == 0)
		sandbox_announce();
out:
	free(scratch);
	return r;
}

/* Students the cache still lacks become CS_UNGRADED, with the task's
 * word when a Slurm task said something about them. */
static void class_mark_ungraded(struct class_plan *plan)
{
	size_t i;

	for (i = 0; i < plan->n; i++)
		if (plan->s[i].state == CS_PENDING) {
			plan->s[i].state = CS_UNGRADED;
			if (!plan->s[i].error)
				plan->s[i].error = xstrdup("no grade in the cache: its task "
							   "failed or has not run");
		}
}

/* The reports, gradebook, page and summary; the exit status. */
static int class_finish(struct class_run *cr, char **err)
{
	char *html = path_join(cr->outdir, "class.html");
	size_t i, bad = 0;
	int ret = EXIT_USAGE;

	if (class_book_write(cr, err) < 0 || class_html_write(cr, html, err) < 0)
		goto out;
	class_book_summary(cr, stdout);
	fflush(stdout);
	for (i = 0; i < cr->plan->n; i++)
		bad += cr->plan->s[i].state == CS_FAILED || cr->plan->s[i].state == CS_UNGRADED;
	ret = bad ? EXIT_FAIL : EXIT_PASS;
out:
	free(html);
	return ret;
}

/* A new plan from the command line's submissions. */
static int class_new_plan(const struct class_opts *o, struct class_plan *plan,
			  const struct spec *spec, char **err)
{
	char *libdir = build_default_libdir();
	int r = -1;

	plan->spec_path = xstrdup(o->grading.spec_path);
	plan->seed = grade_pick_seed(spec, o->grading.has_seed, o->grading.seed);
	plan->no_valgrind = o->grading.no_valgrind;
	if (class_input_scan(plan, o->paths, o->npaths, err) < 0 ||
	    class_plan_hash(plan, spec->header, libdir, err) < 0)
		goto out;
	if (plan->n == 0) {
		*err = xstrdup("no student found in the submissions given");
		goto out;
	}
	r = 0;
out:
	free(libdir);
	return r;
}

int cmd_class(int argc, char **argv, const char *argv0)
{
	struct class_opts opts;
	const struct class_opts *o = &opts;
	struct class_plan plan = { 0 };
	struct spec spec = { 0 };
	bool spec_loaded = false;
	struct class_run cr = { 0 };
	size_t i;
	char *err = NULL;
	int ret = parse(argc, argv, argv0, &opts);

	if (ret != OPTIONS_OK)
		return ret;
	cr = (struct class_run){
		.argv0 = argv0, .outdir = o->outdir, .plan = &plan, .spec = &spec,
		.jobs = o->jobs, .max_ms = o->max_seconds * 1000,
		.budget_ms = o->budget_seconds * 1000, .tty = isatty(STDERR_FILENO),
	};
	ret = EXIT_USAGE;
	if (o->collect || o->has_task) {
		if (class_plan_load(&plan, o->outdir, &err) < 0)
			goto out;
	}
	ret = spec_load_checked(&spec, o->collect || o->has_task ? plan.spec_path :
				o->grading.spec_path);
	spec_loaded = true;
	if (ret != EXIT_PASS)
		goto out;
	ret = EXIT_USAGE;
	if (!o->collect && !o->has_task) {
		if (class_new_plan(o, &plan, &spec, &err) < 0 ||
		    class_mkdirs(o->outdir, &err) < 0 ||
		    class_plan_save(&plan, o->outdir, &err) < 0)
			goto out;
		for (i = 0; i < plan.n; i++)
			plan.s[i].state = plan.s[i].problem ? CS_PROBLEM : CS_PENDING;
	}
	if (!o->regrade || o->collect)
		class_cache_load(&plan, o->outdir);
	if (o->plan_only) {
		class_slurm_describe(&cr, o->chunk, stdout);
		ret = EXIT_PASS;
		goto out;
	}
	if (o->collect) {
		class_slurm_read_tasks(&cr);
		class_mark_ungraded(&plan);
		ret = class_finish(&cr, &err);
		goto out;
	}
	if (o->slurm) {
		if (class_slurm_run(&cr, o, &err) < 0)
			goto out;
		class_cache_load(&plan, o->outdir);
		class_slurm_read_tasks(&cr);
		class_mark_ungraded(&plan);
		ret = class_finish(&cr, &err);
		goto out;
	}
	if (class_prepare(o->outdir, &err) < 0)
		goto out;
	if (o->has_task) {
		cr.quiet = true;
		ret = class_slurm_task(&cr, o->task, o->chunk, &err);
		goto out;
	}
	if (class_grade(&cr, 0, plan.n, &err) < 0)
		goto out;
	ret = class_finish(&cr, &err);
	if (cr.interrupted) {
		fprintf(stderr, "grader: interrupted: every finished grade is kept; rerun "
			"the same command to go on\n");
		ret = EXIT_FAIL;
	}
out:
	if (err)
		fprintf(stderr, "error: %s\n", err);
	free(err);
	free(cr.todo);
	class_plan_release(&plan);
	if (spec_loaded)
		spec_release(&spec);
	return ret;
}
