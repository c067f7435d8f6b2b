/* mutants_jobs.c - `grader mutants`' files graded in forked children
 * (pool.c), and the collection of what each child leaves: its report, read
 * by child_report.c alone, its compiled code, or a system error
 *
 * A child per file keeps the grades apart: nothing of the grading code
 * needs to be thread-safe.  The child writes `grader test --json`'s report
 * to <scratch>/<index>.json; the parent reads it back (child_report_load())
 * into the kill matrix's row, and checks the baseline's first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "child_report.h"
#include "grade_file.h"
#include "mutants_run.h"
#include "pool.h"
#include "report.h"

/* grade_file_opts.built: the submission's compiled code
 * (build_save_code()), to compare with the reference's. */
static void save_code(const struct build *b, const struct grade *g, void *arg)
{
	if (g->compiled && b->object)
		build_save_code(b, arg);
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

/* Reads what the child left: 0 with *report filled, or -1 with *err. */
static int job_collect(const struct job *j, struct child_report *report, char **err)
{
	char *e = read_file(j->err, NULL), *why = NULL;

	memset(report, 0, sizeof(*report));
	if (e) {
		*err = xasprintf("cannot grade '%s': %s", j->file, e);
		free(e);
		return -1;
	}
	if (child_report_load(report, j->json, &why) < 0) {
		*err = xasprintf("cannot grade '%s': its grading process left no "
				 "report (%s)", j->file, why);
		free(why);
		return -1;
	}
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

static void progress(const struct run *rn, const struct job *j, size_t done,
		     size_t total, const struct child_report *report, uint64_t ms)
{
	if (!rn->tty)
		return;
	fprintf(stderr, "grader: [%zu/%zu] %s: %s in %.1f s, %zu left\n", done, total,
		j->file, !report->compiled ? "does not build" :
		child_report_all_pass(report) ? "every test passes" : "some tests fail",
		(double)ms / 1000.0, total - done);
}

/* pool_done_fn: judges what a child left.  After a failure the others
 * only drain: their verdict no longer matters. */
static int job_done(const struct pool_end *e, void *arg)
{
	struct run *rn = arg;
	struct job *j = &rn->jobs[e->index];
	struct child_report report;

	rn->ndone++;
	if (rn->ret != EXIT_PASS)
		return -1;
	if (job_collect(j, &report, &rn->err) < 0) {
		rn->ret = EXIT_USAGE;
		return -1;
	}
	progress(rn, j, rn->ndone, rn->njobs, &report, e->ms);
	if (j->row == NULL) {
		char *why = NULL;

		matrix_row_set(rn->m, &rn->m->baseline, &report);
		set_code(&rn->m->baseline, j->code);
		if (!matrix_baseline_passes(&report, &why)) {
			rn->err = xasprintf("baseline broken: the reference '%s' must pass "
					    "everything, and %s\nEvery other verdict "
					    "would be meaningless: fix the reference or "
					    "the tests first", j->file, why);
			rn->ret = EXIT_BAD_SPEC;
		}
		free(why);
	} else {
		matrix_row_set(rn->m, j->row, &report);
		set_code(j->row, j->code);
	}
	child_report_release(&report);
	return rn->ret == EXIT_PASS ? 0 : -1;
}

int mutants_run_jobs(struct run *rn)
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
