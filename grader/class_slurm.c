/* class_slurm.c - a class graded by Slurm tasks, or by any runner of
 * `grader class --task I` */
#include "class_slurm.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proc.h"
#include "util.h"

static size_t slurm_ntasks(const struct class_plan *plan, unsigned chunk)
{
	return chunk ? (plan->n + chunk - 1) / chunk : 1;
}

static size_t slurm_pending(const struct class_plan *plan)
{
	size_t i, n = 0;

	for (i = 0; i < plan->n; i++)
		n += plan->s[i].state == CS_PENDING;
	return n;
}

void class_slurm_describe(const struct class_run *cr, unsigned chunk, FILE *out)
{
	fprintf(out, "plan: %s/plan.json: %zu students, %zu to grade; %zu tasks of %u:\n"
		"  grader class --task I --chunk %u -o %s   (I from 0 to %zu)\n"
		"then: grader class --collect %s\n", cr->outdir, cr->plan->n,
		slurm_pending(cr->plan), slurm_ntasks(cr->plan, chunk), chunk, chunk,
		cr->outdir, slurm_ntasks(cr->plan, chunk) - 1, cr->outdir);
}

int class_slurm_task(struct class_run *cr, unsigned task, unsigned chunk, char **err)
{
	size_t first = (size_t)task * chunk, i, graded = 0;
	json_t *rec = json_object(), *failed = json_array();
	char *path = xasprintf("%s/tasks/%u.json", cr->outdir, task), *dump = NULL;
	char host[256] = "?";
	int ret = EXIT_USAGE;

	if (first >= cr->plan->n) {
		*err = xasprintf("--task %u: the plan has %zu students, %zu tasks of %u",
				 task, cr->plan->n, slurm_ntasks(cr->plan, chunk), chunk);
		goto out;
	}
	if (class_grade(cr, first, chunk, err) < 0)
		goto out;
	for (i = first; i < first + chunk && i < cr->plan->n; i++) {
		const struct class_student *s = &cr->plan->s[i];

		if (s->report)
			graded++;
		else if (s->state == CS_FAILED || s->state == CS_UNGRADED) {
			json_t *f = json_object();

			json_object_set_new(f, "student", json_string(s->id));
			json_object_set_new(f, "error", json_string(s->error ? s->error : "?"));
			json_array_append_new(failed, f);
		}
	}
	gethostname(host, sizeof(host) - 1);
	json_object_set_new(rec, "task", json_integer(task));
	json_object_set_new(rec, "first", json_integer((json_int_t)first));
	json_object_set_new(rec, "chunk", json_integer(chunk));
	json_object_set_new(rec, "host", json_string(host));
	json_object_set_new(rec, "graded", json_integer((json_int_t)graded));
	json_object_set_new(rec, "interrupted", json_boolean(cr->interrupted));
	json_object_set_new(rec, "failed", json_incref(failed));
	dump = json_dumps(rec, JSON_INDENT(1));
	if (class_write_atomic(path, dump, strlen(dump)) < 0) {
		*err = xasprintf("cannot write '%s': %s", path, strerror(errno));
		goto out;
	}
	ret = json_array_size(failed) || cr->interrupted ? EXIT_FAIL : EXIT_PASS;
	fprintf(stderr, "grader: task %u: %zu graded, %zu failed\n", task, graded,
		json_array_size(failed));
out:
	json_decref(failed);
	json_decref(rec);
	free(dump);
	free(path);
	return ret;
}

void class_slurm_read_tasks(struct class_run *cr)
{
	char *path = xasprintf("%s/tasks/slurm.json", cr->outdir);
	json_t *sl = json_load_file(path, 0, NULL);
	size_t ntasks = (size_t)json_integer_value(json_object_get(sl, "tasks"));
	size_t t, i, j;

	for (t = 0; t < (sl ? ntasks : 1000000); t++) {
		char *tp = xasprintf("%s/tasks/%zu.json", cr->outdir, t);
		json_t *rec = json_load_file(tp, 0, NULL), *f;

		free(tp);
		if (rec == NULL) {
			if (!sl)
				break;          /* no sbatch record: the tasks found */
			/* a task that left no record: its students lost */
			fprintf(stderr, "grader: task %zu left no record (failed, killed or "
				"never ran): see %s/tasks/slurm-*_%zu.out\n", t, cr->outdir, t);
			continue;
		}
		json_array_foreach(json_object_get(rec, "failed"), j, f)
			for (i = 0; i < cr->plan->n; i++) {
				struct class_student *s = &cr->plan->s[i];

				if (s->report || strcmp(s->id, json_string_value(
					json_object_get(f, "student")) ?: ""))
					continue;
				free(s->error);
				s->error = xasprintf("task %zu: %s", t, json_string_value(
					json_object_get(f, "error")) ?: "?");
				s->state = CS_FAILED;
			}
		json_decref(rec);
	}
	json_decref(sl);
	free(path);
}

static char *slurm_abs(const char *p)
{
	char buf[PATH_MAX];

	return realpath(p, buf) ? xstrdup(buf) : xstrdup(p);
}

int class_slurm_run(struct class_run *cr, const struct class_opts *o, char **err)
{
	size_t ntasks = slurm_ntasks(cr->plan, o->chunk), t;
	char *exe = slurm_abs("/proc/self/exe"), *out = slurm_abs(cr->outdir);
	char *script = xasprintf("%s/tasks/task.sh", out), *body = NULL, *rec = NULL;
	char *array = NULL, *output = NULL, *cpus = NULL, *recpath = NULL, cwd[PATH_MAX];
	char *logpath = NULL;
	struct strlist argv = { 0 };
	const char *extra = getenv("GRADER_SBATCH_ARGS");
	int st, ret = -1;

	if (slurm_pending(cr->plan) == 0) {
		warn("every student has a grade in the cache: nothing to submit");
		ret = 0;
		goto out;
	}
	if (!proc_exists("sbatch")) {
		*err = xstrdup("--slurm: sbatch is not in PATH (on a machine without Slurm, "
			       "grade with -j, or run the --task commands yourself)");
		goto out;
	}
	if (getcwd(cwd, sizeof(cwd)) == NULL) {
		*err = xasprintf("getcwd: %s", strerror(errno));
		goto out;
	}
	body = xasprintf("#!/bin/sh\n# written by grader class --slurm: one task per "
			 "chunk of %u students\nexec '%s' class --task \"$SLURM_ARRAY_TASK_ID\" "
			 "--chunk %u -o '%s' -j %u\n", o->chunk, exe, o->chunk, out, o->jobs);
	if (class_write_atomic(script, body, strlen(body)) < 0 || chmod(script, 0755) < 0) {
		*err = xasprintf("cannot write '%s': %s", script, strerror(errno));
		goto out;
	}
	/* --regrade: the tasks read the cache, so the entries go first */
	for (t = 0; o->regrade && t < cr->plan->n; t++) {
		char *cp = class_cache_path(out, cr->plan->s[t].key, "json");

		if (!cr->plan->s[t].problem)
			unlink(cp);
		free(cp);
	}
	for (t = 0; t < ntasks; t++) {
		char *tp = xasprintf("%s/tasks/%zu.json", out, t);

		unlink(tp);     /* a record from an earlier run would hide a lost task */
		free(tp);
	}
	rec = xasprintf("{\"tasks\": %zu, \"chunk\": %u}\n", ntasks, o->chunk);
	recpath = xasprintf("%s/tasks/slurm.json", out);
	if (class_write_atomic(recpath, rec, strlen(rec)) < 0) {
		*err = xasprintf("cannot write '%s': %s", recpath, strerror(errno));
		goto out;
	}
	array = xasprintf("--array=0-%zu", ntasks - 1);
	output = xasprintf("--output=%s/tasks/slurm-%%A_%%a.out", out);
	cpus = xasprintf("--cpus-per-task=%u", o->jobs);
	strlist_add(&argv, "sbatch");
	strlist_add(&argv, "--wait");
	strlist_add(&argv, "--quiet");
	strlist_add(&argv, "--job-name=grader-class");
	strlist_add(&argv, array);
	strlist_add(&argv, output);
	strlist_add(&argv, cpus);
	strlist_addf(&argv, "--chdir=%s", cwd);
	if (extra && extra[0]) {
		char *copy = xstrdup(extra), *save = NULL, *w;

		for (w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
			strlist_add(&argv, w);
		free(copy);
	}
	strlist_add(&argv, script);
	warn("submitting %zu Slurm task%s of %u students (%zu to grade), waiting for "
	     "them", ntasks, ntasks == 1 ? "" : "s", o->chunk, slurm_pending(cr->plan));
	logpath = xasprintf("%s/tasks/sbatch.log", out);
	st = proc_run(strlist_argv(&argv), &(struct proc_opts){ .pass_fd = -1,
							       .out_path = logpath });
	if (st < 0) {
		*err = xasprintf("cannot run sbatch: %s", strerror(errno));
		goto out;
	}
	if (st != 0)
		warn("sbatch --wait ended with status %d: some task failed or was not "
		     "submitted (see '%s'; what each left is collected below)", st, logpath);
	ret = 0;
out:
	strlist_release(&argv);
	free(exe);
	free(out);
	free(script);
	free(body);
	free(rec);
	free(recpath);
	free(array);
	free(output);
	free(cpus);
	free(logpath);
	return ret;
}
