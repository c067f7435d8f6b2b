/* mutate_run.c - grade a reference's mutants, each in a forked child
 *
 * See mutate_run.h.  The children share one scratch directory: m<i>/ holds
 * mutant i's source, its stripped object code, its outcome record and its
 * report; codes/<hash> is a claim file created with O_EXCL, so that the
 * first child to build a given object code grades it and the later ones
 * are its duplicates.  Which child builds first is a race between the -j
 * children, and a report must not depend on it: a mutant that finds its
 * code claimed by a mutant after it in source order grades it anyway, and
 * settle_duplicates() keeps the verdict of each code's first mutant.
 */
#include "mutate_run.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "child_report.h"
#include "grade_file.h"
#include "pool.h"
#include "report.h"

/* What a child did, as it leaves it for the parent: a fixed-size record
 * (a child that died before writing it leaves none). */
enum outcome_kind {
	OUTCOME_GRADED = 1,     /* a report.json beside it */
	OUTCOME_EQUIVALENT,     /* the reference's object code */
	OUTCOME_DUPLICATE,      /* same_as's object code */
	OUTCOME_ERROR,          /* the grader could not grade it: error */
};

#define OUTCOME_MAGIC 0x6d757431u     /* "mut1" */

struct outcome {
	uint32_t magic;
	enum outcome_kind kind;
	bool     valgrind;      /* graded under valgrind (after a native pass) */
	bool     native_only;   /* passed natively; listed equivalent, so not
				 * run under valgrind */
	size_t   same_as;       /* DUPLICATE: the code's claimer; GRADED: the
				 * later mutant that claimed its code first,
				 * or SIZE_MAX */
	char     error[480];
};

/* A child's view: which mutant (SIZE_MAX: the reference), where to say. */
struct child {
	const struct mutate_run *r;
	size_t  index;
	char   *outcome;
	bool    again;          /* the valgrind run after a native one: its
				 * code was judged already (and claimed) */
	size_t  claimer;        /* a later mutant claimed its code first */
};

static char *mut_path(const struct mutate_run *r, size_t i, const char *name)
{
	if (i == SIZE_MAX)
		return xasprintf("%s/ref.%s", r->scratch, name);
	return xasprintf("%s/m%zu/%s", r->scratch, i, name);
}

static void __attribute__((noreturn)) say(const struct child *c, struct outcome *o)
{
	o->magic = OUTCOME_MAGIC;
	_exit(write_file(c->outcome, o, sizeof(*o)) < 0 || o->kind == OUTCOME_ERROR ? 2 : 0);
}

static uint64_t fnv1a(const char *p, size_t n)
{
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* Mutant c->index's owner of code, or SIZE_MAX when it is the first with
 * it (it then claims it). */
static size_t claim_code(const struct child *c, const char *code, size_t len)
{
	const struct mutate_run *r = c->r;
	char *claim = xasprintf("%s/codes/%016" PRIx64, r->scratch, fnv1a(code, len));
	char *owner = NULL, *ocode = NULL, *s;
	size_t oi = SIZE_MAX, olen;
	int fd = open(claim, O_WRONLY | O_CREAT | O_EXCL, 0600);

	if (fd >= 0) {
		s = xasprintf("%zu\n", c->index);
		if (write(fd, s, strlen(s)) < 0)
			(void)0;        /* an owner nobody can read: no duplicate */
		free(s);
		close(fd);
		goto out;
	}
	/* another mutant has this hash: the same code, unless they collide */
	owner = read_file(claim, NULL);
	if (owner && owner[0]) {
		size_t i = strtoul(owner, NULL, 10);

		s = mut_path(r, i, "code");
		ocode = i != c->index ? read_file(s, &olen) : NULL;
		free(s);
		if (ocode && olen == len && !memcmp(ocode, code, len))
			oi = i;
	}
out:
	free(claim);
	free(owner);
	free(ocode);
	return oi;
}

/* grade_file_opts.built: an equivalent or duplicate mutant is not graded
 * (the child ends here, its outcome said). */
static void child_built(const struct build *b, const struct grade *g, void *arg)
{
	struct child *c = arg;
	const struct mutate_run *r = c->r;
	char *code_path, *code;
	size_t len, owner;

	if (!g->compiled || b->object == NULL || c->again)
		return;
	code_path = mut_path(r, c->index, "code");
	code = build_save_code(b, code_path) == 0 ? read_file(code_path, &len) : NULL;
	free(code_path);
	if (code == NULL || c->index == SIZE_MAX) {
		free(code);
		return;
	}
	if (len == r->ref_code_len && !memcmp(code, r->ref_code, len))
		say(c, &(struct outcome){ .kind = OUTCOME_EQUIVALENT });
	owner = claim_code(c, code, len);
	free(code);
	if (owner != SIZE_MAX && owner < c->index)
		say(c, &(struct outcome){ .kind = OUTCOME_DUPLICATE, .same_as = owner });
	c->claimer = owner;     /* SIZE_MAX, or later: graded all the same */
}

/* Grades path natively or under valgrind into the report json; *passed. */
static int grade_to(const struct child *c, const char *path, bool native,
		    const char *json, bool *passed, char **err)
{
	const struct mutate_run *r = c->r;
	struct grade g = { 0 };
	struct report_info ri = { r->grading->spec_path, false };
	struct grade_file_opts go = {
		.grading = *r->grading, .file = path,
		.stop_first = c->index != SIZE_MAX,
		.built = child_built, .built_arg = (void *)c,
	};
	FILE *f;
	int ret = -1;

	go.grading.has_seed = true;
	go.grading.seed = r->seed;
	go.grading.no_valgrind = native;
	go.grading.keep = false;
	if (grade_file(r->spec, &go, &g, err) < 0)
		goto out;
	*passed = g.passed;
	f = fopen(json, "w");
	if (f == NULL) {
		*err = xasprintf("cannot write '%s': %s", json, strerror(errno));
		goto out;
	}
	report_json(f, &g, &ri);
	if (fclose(f) != 0) {
		*err = xasprintf("cannot write '%s'", json);
		goto out;
	}
	ret = 0;
out:
	grade_release(&g);
	return ret;
}

/* Writes mutant i's source: the reference's file name, in its directory. */
static char *write_mutant(const struct mutate_run *r, size_t i, char **err)
{
	char *dir = xasprintf("%s/m%zu", r->scratch, i);
	char *path = mut_path(r, i, path_base(r->reference));
	size_t len;
	char *text = mutant_apply(r->set, &r->set->v[i], &len);

	if (mkdir(dir, 0700) < 0 || write_file(path, text, len) < 0) {
		*err = xasprintf("cannot write '%s': %s", path, strerror(errno));
		free(path);
		path = NULL;
	}
	free(text);
	free(dir);
	return path;
}

/* The child of the reference (SIZE_MAX) or of mutant index: native first
 * (a mutant), valgrind only when the native run passed. */
static int child_run(const struct mutate_run *r, size_t index)
{
	struct child c = { r, index, mut_path(r, index, "outcome"), false, SIZE_MAX };
	struct outcome o = { .kind = OUTCOME_GRADED };
	char *json = mut_path(r, index, "report.json"), *err = NULL, *path;
	bool passed = false, native = index != SIZE_MAX || !r->valgrind;
	const struct mutant *m = index == SIZE_MAX ? NULL : &r->set->v[index];

	path = m ? write_mutant(r, index, &err) : xstrdup(r->reference);
	if (path == NULL || grade_to(&c, path, native, json, &passed, &err) < 0)
		goto fail;
	o.valgrind = !native;
	if (native && passed && r->valgrind) {
		if (m && m->listed && !r->recheck) {
			o.native_only = true;
		} else {
			c.again = true;
			if (grade_to(&c, path, false, json, &passed, &err) < 0)
				goto fail;
			o.valgrind = true;
		}
	}
	o.same_as = c.claimer;
	say(&c, &o);
fail:
	o.kind = OUTCOME_ERROR;
	snprintf(o.error, sizeof(o.error), "%s", err ? err : "?");
	say(&c, &o);
}

/* Fills m from its report: killed or survived, who noticed, why refused. */
static void mutant_read_report(struct mutant *m, const struct child_report *rep)
{
	const struct child_tests *tables[3] = { &rep->tests, &rep->edge_cases,
						&rep->bonus_tests };
	size_t t, i;

	if (!rep->compiled) {
		m->status = MUT_NOT_COMPILING;
		return;
	}
	m->status = rep->passed ? MUT_SURVIVED : MUT_KILLED;
	m->score = rep->score;
	for (t = 0; t < 3; t++)
		for (i = 0; i < tables[t]->n; i++) {
			const struct child_test *x = &tables[t]->v[i];

			if (x->status != ST_PASS && x->status != ST_NOT_RUN)
				strlist_addf(&m->killers, "%s (%s)", x->name,
					     status_name(x->status));
		}
	/* The first reason that is not a test the run stopped before (a trap
	 * not run counts as failed, but the run only stopped because an
	 * earlier test refused the mutant already). */
	for (i = 0; i < rep->nrefused; i++) {
		const struct child_refusal *rb = &rep->refused[i];
		const struct child_test *x = NULL;

		for (t = 0; rb->test && x == NULL && t < 3; t++)
			x = child_tests_find(tables[t], rb->test);
		if (rb->text && !(x && x->status == ST_NOT_RUN)) {
			m->refused_because = xstrdup(rb->text);
			break;
		}
	}
}

/* The outcome child index left, or an error outcome saying why not. */
static void read_outcome(struct mutate_run *r, size_t index, const struct pool_end *e,
			 struct outcome *o)
{
	char *path = mut_path(r, index, "outcome");
	size_t len = 0;
	char *rec = read_file(path, &len);

	free(path);
	if (rec && len == sizeof(*o) && ((struct outcome *)(void *)rec)->magic == OUTCOME_MAGIC) {
		memcpy(o, rec, sizeof(*o));
		o->error[sizeof(o->error) - 1] = '\0';
	} else {
		memset(o, 0, sizeof(*o));
		o->kind = OUTCOME_ERROR;
		if (e->signal)
			snprintf(o->error, sizeof(o->error), "its grading process died of "
				 "signal %d", e->signal);
		else
			snprintf(o->error, sizeof(o->error), "its grading process exited "
				 "%d without an outcome", e->status);
	}
	free(rec);
}

/* The reference's report: the baseline of every verdict. */
static int take_reference(struct mutate_run *r, const struct child_report *report,
			  char **err)
{
	char *why = NULL, *code_path = mut_path(r, SIZE_MAX, "code");

	matrix_row_set(r->m, &r->m->baseline, report);
	r->ref_code = read_file(code_path, &r->ref_code_len);
	free(code_path);
	if (!matrix_baseline_passes(report, &why) || r->ref_code == NULL) {
		*err = xasprintf("baseline broken: the reference '%s' must pass "
				 "everything, and %s\nEvery mutant's verdict would be "
				 "meaningless: fix the reference or the tests first",
				 r->reference, why ? why : "its object code could not be read");
		r->baseline_broken = true;
		free(why);
		return -1;
	}
	free(why);
	return 0;
}

/* A mutant's verdict from its outcome and report. */
static void take_mutant(struct mutate_run *r, size_t index, const struct outcome *o,
			const struct child_report *report, uint64_t ms)
{
	struct mutant *m = &r->set->v[index];
	struct matrix_row *row;
	char *file;

	m->ms = (unsigned)ms;
	if (o->kind == OUTCOME_EQUIVALENT) {
		m->status = MUT_EQUIVALENT;
		return;
	}
	if (o->kind == OUTCOME_DUPLICATE) {
		m->status = MUT_DUPLICATE;
		m->same_as = o->same_as;
		r->group[index] = o->same_as;
		return;
	}
	if (o->same_as < r->set->n)
		r->group[index] = o->same_as;
	m->valgrind = o->valgrind;
	m->native_only = o->native_only;
	mutant_read_report(m, report);
	file = xasprintf("%zu", index);
	row = matrix_add_row(r->m, file, file, EXPECT_FAIL);
	free(row->path);
	row->path = mut_path(r, index, path_base(r->reference));
	matrix_row_set(r->m, row, report);
	row->ms = m->ms;
	free(file);
}

/* pool_done_fn: what the child left. */
static int job_done(const struct pool_end *e, void *arg)
{
	struct mutate_run *r = arg;
	size_t index = r->todo ? r->todo[e->index] : SIZE_MAX;
	const char *name = index == SIZE_MAX ? r->reference : r->set->v[index].id;
	struct outcome o;
	struct child_report report = { 0 };
	char *json, *why = NULL;
	int ret = -1;

	read_outcome(r, index, e, &o);
	if (o.kind == OUTCOME_ERROR) {
		r->err = xasprintf("cannot grade %s: %s", name, o.error);
		return -1;
	}
	if (o.kind == OUTCOME_GRADED) {
		json = mut_path(r, index, "report.json");
		ret = child_report_load(&report, json, &why);
		free(json);
		if (ret < 0) {
			r->err = xasprintf("cannot grade %s: no report (%s)", name, why);
			free(why);
			return -1;
		}
	}
	if (index == SIZE_MAX)
		ret = take_reference(r, &report, &r->err);
	else {
		take_mutant(r, index, &o, &report, e->ms);
		ret = 0;
	}
	child_report_release(&report);
	return ret;
}

/* Each code's verdict goes to its first mutant in source order (graded
 * itself, see child_built()); the others, graded or not, become its
 * duplicates.  r->group[i] names the claimer of i's code (i itself when i
 * claimed it or has none). */
static void settle_duplicates(struct mutate_run *r)
{
	struct mutant_set *set = r->set;
	size_t *first = xmalloc(set->n * sizeof(*first));
	size_t i;

	for (i = 0; i < set->n; i++)
		first[i] = SIZE_MAX;
	for (i = 0; i < set->n; i++)
		if (set->v[i].selected && first[r->group[i]] == SIZE_MAX)
			first[r->group[i]] = i;
	for (i = 0; i < set->n; i++) {
		struct mutant *m = &set->v[i];
		size_t f = first[r->group[i]];
		char *name;

		if (!m->selected || f == i || f == SIZE_MAX)
			continue;
		if (m->status != MUT_DUPLICATE) {
			/* graded too, by a lost race: the same code's verdict */
			free(m->refused_because);
			m->refused_because = NULL;
			strlist_release(&m->killers);
			m->valgrind = m->native_only = false;
			m->score = 0;
			name = xasprintf("%zu", i);
			matrix_remove_row(r->m, name);
			free(name);
		}
		m->status = MUT_DUPLICATE;
		m->same_as = f;
	}
	free(first);
}

/* pool_child_fn */
static int job_child(size_t i, void *arg)
{
	const struct mutate_run *r = arg;

	return child_run(r, r->todo ? r->todo[i] : SIZE_MAX);
}

/* pool_tick_fn: one line on a terminal. */
static void job_tick(size_t started, size_t done, void *arg)
{
	const struct mutate_run *r = arg;
	size_t i, total = 0, k = 0, sv = 0;

	(void)started;
	if (!r->tty || r->todo == NULL)
		return;
	for (i = 0; i < r->set->n; i++) {
		total += r->set->v[i].selected;
		k += r->set->v[i].status == MUT_KILLED;
		sv += r->set->v[i].status == MUT_SURVIVED;
	}
	fprintf(stderr, "\rgrader: mutant %zu/%zu: %zu killed, %zu survived ", done,
		total, k, sv);
	if (done == total)
		fputc('\n', stderr);
}

int mutate_run(struct mutate_run *r, struct mutant_set *set, struct matrix *m,
	       char **err)
{
	struct pool p = { .njobs = 1, .jobs = 1, .child = job_child, .done = job_done,
			  .tick = job_tick, .arg = r };
	size_t i, n = 0;
	char *codes = xasprintf("%s/codes", r->scratch);
	int ret = -1;

	r->set = set;
	r->m = m;
	if (mkdir(codes, 0700) < 0) {
		*err = xasprintf("cannot create '%s': %s", codes, strerror(errno));
		goto out;
	}
	/* the reference alone: every verdict is measured against it */
	if (pool_run(&p, err) < 0)
		goto out;
	if (r->err) {
		*err = r->err;
		r->err = NULL;
		goto out;
	}
	r->todo = xcalloc(set->n + 1, sizeof(*r->todo));
	r->group = xcalloc(set->n + 1, sizeof(*r->group));
	for (i = 0; i < set->n; i++) {
		r->group[i] = i;
		if (set->v[i].selected)
			r->todo[n++] = i;
	}
	p = (struct pool){ .njobs = n, .jobs = r->jobs, .child = job_child,
			   .done = job_done, .tick = job_tick, .arg = r };
	if (pool_run(&p, err) < 0)
		goto out;
	if (r->err) {
		*err = r->err;
		r->err = NULL;
		goto out;
	}
	settle_duplicates(r);
	ret = 0;
out:
	free(codes);
	return ret;
}

void mutate_run_release(struct mutate_run *r)
{
	free(r->ref_code);
	free(r->todo);
	free(r->group);
	free(r->err);
	r->ref_code = NULL;
	r->todo = NULL;
	r->group = NULL;
	r->err = NULL;
}
