/* class_grade.c - grade the students the cache lacks, in a pool of
 * children, each exactly as grader test would
 *
 * Each child runs grade_file() (its own build, its own jail) and leaves
 * OUTDIR/cache/KEY.txt then KEY.json, each written then renamed; or
 * KEY.err when the grader itself could not grade.  The pool stops a child
 * that runs past the per-student cap, and starts no more once the class
 * budget is spent: a pathological submission costs its cap, never the
 * class.  Ctrl-C (or SIGTERM) stops the children; what was whole stays in
 * the cache and the next run goes on from there.
 */
#include "class_run.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "grade_file.h"
#include "pool.h"
#include "report.h"
#include "util.h"

static volatile sig_atomic_t class_stop_flag;

static void class_on_signal(int sig)
{
	class_stop_flag = sig;
}

static char *grade_text(const struct grade *g, const struct report_info *ri,
			void (*reporter)(FILE *, const struct grade *,
					 const struct report_info *), size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (f == NULL)
		return NULL;
	reporter(f, g, ri);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void iso_now(char out[32])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The cache entry: the report and where it came from. */
static int child_save(const struct class_run *cr, const struct class_student *s,
		      const struct grade *g)
{
	struct report_info ri = { cr->plan->spec_path, false };
	size_t tlen = 0, jlen = 0;
	char *text = grade_text(g, &ri, report_text, &tlen);
	char *json = grade_text(g, &ri, report_json, &jlen);
	char *txt_path = class_cache_path(cr->outdir, s->key, "txt");
	char *json_path = class_cache_path(cr->outdir, s->key, "json");
	json_t *entry = json_object(), *report = json ? json_loads(json, 0, NULL) : NULL;
	char when[32], *dump = NULL;
	int ret = -1;

	if (text == NULL || report == NULL)
		goto out;
	iso_now(when);
	json_object_set_new(entry, "key", json_string(s->key));
	json_object_set_new(entry, "student", json_string(s->id));
	json_object_set_new(entry, "spec_sha256", json_string(cr->plan->spec_sha));
	json_object_set_new(entry, "grader_sha256", json_string(cr->plan->grader_sha));
	json_object_set_new(entry, "seed", json_integer((json_int_t)g->seed));
	json_object_set_new(entry, "graded_at", json_string(when));
	json_object_set_new(entry, "report", json_incref(report));
	dump = json_dumps(entry, JSON_COMPACT | JSON_ENSURE_ASCII);
	/* the text first: the JSON is the mark of a whole entry */
	if (class_write_atomic(txt_path, text, tlen) == 0 &&
	    class_write_atomic(json_path, dump, strlen(dump)) == 0)
		ret = 0;
out:
	json_decref(report);
	json_decref(entry);
	free(dump);
	free(text);
	free(json);
	free(txt_path);
	free(json_path);
	return ret;
}

/* pool_child_fn: grade one student. */
static int class_child(size_t i, void *arg)
{
	const struct class_run *cr = arg;
	const struct class_student *s = &cr->plan->s[cr->todo[i]];
	struct grade g = { 0 };
	struct grade_file_opts go = {
		.grading = { .argv0 = cr->argv0, .spec_path = cr->plan->spec_path,
			     .header = s->header, .has_seed = true,
			     .seed = cr->plan->seed,
			     .no_valgrind = cr->plan->no_valgrind },
		.file = s->source,
	};
	char *err = NULL, *err_path;
	int status = 0;

	if (grade_file(cr->spec, &go, &g, &err) < 0) {
		err_path = class_cache_path(cr->outdir, s->key, "err");
		class_write_atomic(err_path, err, strlen(err));
		free(err_path);
		status = 2;
	} else if (child_save(cr, s, &g) < 0) {
		status = 3;
	}
	grade_release(&g);
	free(err);
	return status;
}

static void fmt_duration(char *out, size_t n, double s)
{
	if (s >= 3600)
		snprintf(out, n, "%dh%02dm", (int)(s / 3600), (int)(s / 60) % 60);
	else if (s >= 60)
		snprintf(out, n, "%dm%02ds", (int)(s / 60), (int)s % 60);
	else
		snprintf(out, n, "%.0fs", s);
}

/* The bar on a terminal: done/total, rate, time left. */
static void class_bar(size_t started, size_t done, void *arg)
{
	struct class_run *cr = arg;
	double el = (double)(now_ms() - cr->t0) / 1000.0;
	double rate = el > 0 ? (double)done * 60.0 / el : 0;
	size_t total = cr->ntodo, width = 30, fill = total ? done * width / total : width;
	char left[32] = "?", bar[64];
	size_t k;

	if (!cr->tty)
		return;
	if (done > 0)
		fmt_duration(left, sizeof(left), el / (double)done * (double)(total - done));
	for (k = 0; k < width; k++)
		bar[k] = k < fill ? '#' : '.';
	bar[width] = '\0';
	fprintf(stderr, "\rgrader: [%s] %zu/%zu graded, %zu running, %.1f/min, %s left  ",
		bar, done, total, started - done, rate, left);
	if (done == total)
		fputc('\n', stderr);
	fflush(stderr);
}

static void class_line(const struct class_run *cr, const struct class_student *s)
{
	const json_t *r = s->report;

	if (cr->tty || cr->quiet)
		return;
	if (r)
		fprintf(stderr, "grader: [%zu/%zu] %s: %lld/%lld %s in %.1f s\n", cr->ndone,
			cr->ntodo, s->id,
			(long long)json_integer_value(json_object_get(r, "score")),
			(long long)json_integer_value(json_object_get(r, "max_score")),
			json_is_true(json_object_get(r, "passed")) ? "passed" : "refused",
			s->ms / 1000.0);
	else
		fprintf(stderr, "grader: [%zu/%zu] %s: not graded: %s\n", cr->ndone,
			cr->ntodo, s->id, s->error ? s->error : "?");
}

/* pool_done_fn: what the child left. */
static int class_done(const struct pool_end *e, void *arg)
{
	struct class_run *cr = arg;
	struct class_student *s = &cr->plan->s[cr->todo[e->index]];
	char *path = NULL, *text = NULL;

	cr->ndone++;
	s->ms = (unsigned)e->ms;
	if (e->timed_out && !class_stop_flag) {
		s->state = CS_FAILED;
		s->error = xasprintf("its grading ran past the per-student cap of %llu s "
				     "and was stopped (--max-time)",
				     (unsigned long long)(cr->max_ms / 1000));
	} else if (e->status == 0) {
		if (class_cache_load_one(s, cr->outdir)) {
			s->state = CS_GRADED;   /* s->ms: the report's, as when cached */
		} else {
			s->state = CS_FAILED;
			s->error = xstrdup("its grading process left no report");
		}
	} else if (class_stop_flag) {
		s->state = CS_UNGRADED;
		s->error = xstrdup("interrupted: rerun the same command to go on");
	} else if (e->status == 2 && (path = class_cache_path(cr->outdir, s->key, "err")) &&
		   (text = read_file(path, NULL)) != NULL) {
		s->state = CS_FAILED;
		s->error = text;
		text = NULL;
		unlink(path);
	} else {
		s->state = CS_FAILED;
		s->error = e->signal ? xasprintf("its grading process was killed by signal %d",
						  e->signal)
				     : xasprintf("its grading process failed (status %d)",
						 e->status);
	}
	class_line(cr, s);
	free(path);
	free(text);
	return 0;
}

int class_grade(struct class_run *cr, size_t first, size_t count, char **err)
{
	struct sigaction sa = { .sa_handler = class_on_signal }, old_int, old_term;
	struct pool p = { .jobs = cr->jobs, .max_ms = cr->max_ms,
			  .budget_ms = cr->budget_ms, .child = class_child,
			  .done = class_done, .tick = class_bar, .arg = cr };
	size_t i;
	int ret;

	p.stop = (const volatile int *)&class_stop_flag;
	cr->todo = xcalloc(count ? count : 1, sizeof(*cr->todo));
	cr->ntodo = 0;
	for (i = first; i < first + count && i < cr->plan->n; i++)
		if (cr->plan->s[i].state == CS_PENDING)
			cr->todo[cr->ntodo++] = i;
	p.njobs = cr->ntodo;
	cr->ndone = 0;
	cr->t0 = now_ms();
	if (cr->ntodo == 0) {
		ret = 0;
		goto out;
	}
	if (cr->tty || !cr->quiet)
		warn("grading %zu submission%s, %u at a time%s", cr->ntodo,
		     cr->ntodo == 1 ? "" : "s", cr->jobs,
		     cr->plan->no_valgrind ? ", natively" : "");
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	ret = pool_run(&p, err);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	for (i = 0; i < cr->ntodo; i++) {
		struct class_student *s = &cr->plan->s[cr->todo[i]];

		if (s->state == CS_PENDING) {
			s->state = CS_UNGRADED;
			s->error = xstrdup(class_stop_flag ? "interrupted: rerun the same "
					   "command to go on" : "the class budget (--budget) "
					   "was spent before its turn: rerun to go on");
		}
	}
	cr->interrupted = class_stop_flag != 0;
out:
	return ret;
}
