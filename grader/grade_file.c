/* grade_file.c - grade one submission into a struct grade */
#include "grade_file.h"
#include "i18n.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "explain.h"
#include "header_check.h"
#include "inspect.h"
#include "proc.h"
#include "sandbox.h"

static void progress(const struct grade_file_opts *o, const char *what,
		     const char *arg)
{
	if (o->progress)
		fprintf(stderr, "grader: %s%s\n", what, arg);
}

static void set_reproduce(struct table_result *t, const struct grade_file_opts *o,
			  uint64_t seed, bool bonus)
{
	const struct grade_opts *opt = &o->grading;
	size_t i;

	for (i = 0; i < t->n; i++) {
		struct test_result *r = &t->tests[i];

		free(r->reproduce);
		r->reproduce = NULL;
		if (r->status == ST_NOT_RUN)    /* nothing to reproduce */
			continue;
		r->reproduce = xasprintf("%s test -s %s -f %s%s%s%s --only %s --seed %llu",
					 opt->argv0, opt->spec_path, o->file,
					 opt->header ? " -H " : "", opt->header ? opt->header : "",
					 bonus ? " --bonus" : "", r->name,
					 (unsigned long long)seed);
	}
}

static bool same_file_content(const char *a, const char *b)
{
	size_t la, lb;
	char *ta = read_file(a, &la), *tb = read_file(b, &lb);
	bool same = ta && tb && la == lb && !memcmp(ta, tb, la);

	free(ta);
	free(tb);
	return same;
}

/* Is there a file named like the contract next to the submission (and is
 * it not the contract itself)? */
static bool header_nearby(const char *file, const char *contract)
{
	char *dir = xstrdup(file), *slash = strrchr(dir, '/'), *path;
	struct stat st;
	bool found;

	if (slash)
		slash[1] = '\0';
	path = xasprintf("%s%s", slash ? dir : "", path_base(contract));
	/* a regular file only: a FIFO or a device there is never opened */
	found = stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size < (1 << 20) &&
		access(path, R_OK) == 0 && !same_file_content(path, contract);
	free(path);
	free(dir);
	return found;
}

uint64_t grade_pick_seed(const struct spec *spec, bool has_seed, uint64_t seed)
{
	uint32_t r = 0;

	if (has_seed)
		return seed;
	if (spec->fuzz_has_seed)
		return spec->fuzz_seed;
	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		r = (uint32_t)getpid();
	return r;
}

/* What the verdict says before any stage: the file, the seed, valgrind. */
static void start_verdict(const struct spec *spec, const struct grade_file_opts *o,
			  struct grade *g)
{
	const struct grade_opts *opt = &o->grading;

	g->file = xstrdup(o->file);
	g->seed = grade_pick_seed(spec, opt->has_seed, opt->seed);
	g->passing_score = spec->passing_score;
	g->norm_blocking = spec->norm_blocking;
	g->valgrind = !opt->no_valgrind && proc_exists(valgrind_command());
	if (!opt->no_valgrind && !g->valgrind) {
		g->note = xasprintf(_("valgrind ('%s') is not installed: tests ran natively, "
				      "leaks and mappings are still counted, invalid reads "
				      "only when they fault"), valgrind_command());
		warn("%s", g->note);
	}
	g->contract = xstrdup(spec->header);
	g->header = opt->header ? xstrdup(opt->header) : NULL;
	if (!opt->header)
		g->header_nearby = header_nearby(o->file, spec->header);
}

/* The build's verdict into g: built or not and why, the command by hand,
 * the bonus, the required functions it lacks (their prototypes, read from
 * the contract by header_find_prototypes(), by header_apply_prototypes()). */
static void build_apply(const struct build_verdict *v, struct grade *g)
{
	size_t i;

	g->compiled = v->compiled;
	free(g->compile_message);
	g->compile_message = xstrdup(v->message ? v->message : "");
	g->compile_errors = v->errors;
	free(g->compile_command);
	g->compile_command = v->command ? xstrdup(v->command) : NULL;
	g->has_bonus_function = v->has_bonus_function;
	for (i = 0; i < v->missing.n; i++)
		grade_add_missing(g, v->missing.items[i]);
}

/* The contract's prototypes of the missing functions into g->missing. */
static void header_apply_prototypes(struct header_prototypes *p, struct grade *g)
{
	size_t i, k;

	for (i = 0; i < p->n; i++)
		for (k = 0; k < g->nmissing; k++)
			if (!strcmp(p->fn[i].name, g->missing[k].name)) {
				free(g->missing[k].prototype);
				g->missing[k].prototype = p->fn[i].prototype
							  ? xstrdup(p->fn[i].prototype) : NULL;
				g->missing[k].line = p->fn[i].line;
			}
}

/* build: the object and the executable, the build's verdict (struct build,
 * applied to g); the prototypes of the functions it lacks. */
static int stage_build(const struct spec *spec, const struct grade_file_opts *o,
		       struct build *b, struct grade *g, char **err)
{
	const struct grade_opts *opt = &o->grading;
	bool oracle = spec->fuzz_enabled && !strcmp(spec->fuzz_oracle, "reference");
	char *libdir = build_default_libdir();
	struct build_opts bo = { o->file, opt->header, libdir,
				 oracle ? spec->reference : NULL, opt->keep };
	int ret;

	progress(o, "building ", o->file);
	ret = build_run(b, spec, &bo, err);
	free(libdir);
	build_apply(&b->verdict, g);
	if (ret == 0 && b->verdict.missing.n) {
		struct header_prototypes p = { 0 };

		header_find_prototypes(spec->header, &b->verdict.missing, &p);
		header_apply_prototypes(&p, g);
		header_prototypes_release(&p);
	}
	return ret;
}

/* The header check's gaps into g (moved: gaps is left empty). */
static void header_apply(struct header_gaps *gaps, struct grade *g)
{
	size_t i;

	if (gaps->n == 0)
		return;
	g->header_gaps = xrealloc(g->header_gaps,
				  (g->nheader_gaps + gaps->n) * sizeof(*g->header_gaps));
	for (i = 0; i < gaps->n; i++)
		g->header_gaps[g->nheader_gaps++] = gaps->gap[i];
	free(gaps->gap);
	gaps->gap = NULL;
	gaps->n = 0;
}

/* header: the student's header against the contract, on the copy the build
 * checked (a FIFO or a device is never read), in a jail like the build's:
 * never a verdict on two layouts, so no test runs when they disagree,
 * whether the file built or not (struct header_gaps, applied to g). */
static int stage_header(const struct spec *spec, const struct grade_file_opts *o,
			const struct build *b, struct grade *g, char **err)
{
	const char *header = o->grading.header;
	struct header_gaps gaps = { 0 };
	int ret;

	if (!header || !b->header || same_file_content(b->header, spec->header))
		return 0;
	/* built, or refused by the compiler's own errors (a field the code
	 * names that the header renamed): the header is the reason to give
	 * first; a build stopped by a limit is its own verdict */
	if (!b->verdict.compiled && !(b->failed_command && b->failed_end == JAIL_TOOL_EXITED))
		return 0;
	progress(o, "checking the header ", header);
	ret = header_check(spec->header, b->header, b->scratch, &gaps, err);
	header_apply(&gaps, g);
	return ret;
}

/* run and explain: the harness on the selected tests (struct run_result),
 * its records into g's tables; or every test not run, and why. */
static int stage_run(const struct spec *spec, const struct grade_file_opts *o,
		     const struct build *b, const struct inspection *ins,
		     struct run_result *run, struct grade *g, char **err)
{
	const struct grade_opts *opt = &o->grading;
	struct sandbox_opts so = { opt->only, opt->bonus || g->has_bonus_function,
				   g->valgrind, o->stop_first };
	bool bonus_only = opt->only && spec_find_test(spec, opt->only, &so.bonus) &&
			  so.bonus;

	so.bonus = so.bonus || bonus_only;
	sandbox_init_tables(spec, g, so.bonus);
	if (ins->refused) {
		/* what would run outside the tests: refused, nothing runs */
		sandbox_not_run(spec, g, ins->refused);
		return 0;
	}
	progress(o, "running the tests", g->valgrind ? " under valgrind" : "");
	if (sandbox_run(spec, b, &so, g->seed, run, err) < 0)
		return -1;
	explain_run(&so, b, run, g);
	return 0;
}

/* A verdict without a run: the tables, every test not run, and why. */
static void not_run(const struct spec *spec, struct grade *g)
{
	if (g->nheader_gaps && g->compiled) {
		g->compiled = false;
		free(g->compile_message);
		g->compile_message = xstrdup("");
	}
	sandbox_not_run(spec, g, g->nheader_gaps
				 ? _("not run: the header disagrees with the contract")
				 : _("not run: the submission does not build"));
}

/* build -> header -> inspect (the norm; the vetting once the build's
 * callback said the tests are to run) -> run -> explain -> score: each stage's
 * result its own (struct build and its build_verdict, struct header_gaps,
 * struct inspection, struct run_result), the verdict g assembled from them
 * here (build_apply(), header_apply(), inspection_apply_*()) and by explain
 * and score. */
int grade_file(const struct spec *spec, const struct grade_file_opts *o,
	       struct grade *g, char **err)
{
	struct build b = { 0 };
	struct inspection ins = { 0 };
	struct run_result run = { 0 };
	int ret = -1;

	if (access(o->file, R_OK) != 0) {
		*err = xasprintf("cannot read submission '%s': %s", o->file,
				 strerror(errno));
		return -1;
	}
	start_verdict(spec, o, g);
	if (stage_build(spec, o, &b, g, err) < 0 || stage_header(spec, o, &b, g, err) < 0)
		goto out;
	/* inspect: the norm on whatever compiled */
	if (b.symbols.read) {
		inspect_norm(spec, &b, &ins);
		inspection_apply_norm(&ins, &b.symbols.reserved, g);
	}
	if (!g->nheader_gaps && o->built)
		o->built(&b, g, o->built_arg);
	if (g->compiled && !g->nheader_gaps) {
		/* inspect: the vetting of what would run */
		if (inspect_vet(&b, &ins, err) < 0)
			goto out;
		inspection_apply_vet(&ins, g);
		if (stage_run(spec, o, &b, &ins, &run, g, err) < 0)
			goto out;
	} else {
		not_run(spec, g);
	}
	/* score */
	set_reproduce(&g->base, o, g->seed, false);
	set_reproduce(&g->bonus, o, g->seed, true);
	set_reproduce(&g->edges, o, g->seed, false);
	score_grade(g, &spec->rule);
	ret = 0;
out:
	inspection_release(&ins);
	run_result_release(&run);
	build_release(&b);
	return ret;
}
