/* explain.c - the explain stage: the run's records into the tests'
 * results (struct test_result), with valgrind's findings and the
 * executable's places (file:line (function)) in their messages; the
 * tables every grade has, and the report's note on the sandbox */
#include "explain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "jail.h"
#include "proc.h"
#include "symbolize.h"
#include "vglog.h"

static void init_table(struct table_result *tr, const struct spec_table *st,
		       bool graded)
{
	size_t i;

	tr->n = st->n;
	tr->tests = xcalloc(st->n, sizeof(*tr->tests));
	tr->graded = graded;
	tr->max_score = 0;
	for (i = 0; i < st->n; i++) {
		struct test_result *r = &tr->tests[i];

		r->spec = &st->tests[i];
		r->name = st->tests[i].name;
		r->status = ST_NOT_RUN;
		r->max_points = st->tests[i].points;
		r->trap = st->tests[i].trap;
		r->trap_explanation = i18n_pick(st->tests[i].trap_explanation,
						st->tests[i].en.trap_explanation);
		r->required = st->tests[i].required;
		r->message = xstrdup("");
		tr->max_score += r->max_points;
	}
}

static void init_edges(struct table_result *tr, const struct spec *spec)
{
	size_t i;

	tr->n = spec->nedges;
	tr->tests = xcalloc(spec->nedges, sizeof(*tr->tests));
	tr->graded = true;
	for (i = 0; i < spec->nedges; i++) {
		struct test_result *r = &tr->tests[i];

		r->edge = &spec->edges[i];
		r->name = spec->edges[i].name;
		r->status = ST_NOT_RUN;
		r->trap = spec->edges[i].trap;
		r->trap_explanation = spec->edges[i].trap ?
			i18n_pick(spec->edges[i].trap_explanation,
				  spec->edges[i].en.trap_explanation) : NULL;
		r->required = true;
		r->message = xstrdup("");
	}
}

void sandbox_init_tables(const struct spec *spec, struct grade *g, bool bonus)
{
	init_table(&g->base, &spec->base, true);
	init_table(&g->bonus, &spec->bonus, bonus);
	init_edges(&g->edges, spec);
}

void sandbox_not_run(const struct spec *spec, struct grade *g, const char *why)
{
	struct table_result *tables[] = { &g->base, &g->bonus, &g->edges };
	size_t i, k;

	if (g->base.tests == NULL) {
		init_table(&g->base, &spec->base, true);
		init_table(&g->bonus, &spec->bonus, false);
		init_edges(&g->edges, spec);
	}
	for (k = 0; k < 3; k++)
		for (i = 0; i < tables[k]->n; i++) {
			free(tables[k]->tests[i].message);
			tables[k]->tests[i].message = xstrdup(why);
		}
}

/* The result in g's tables a record is for. */
static struct test_result *result_of(struct grade *g, const struct run_record *r)
{
	switch (r->table) {
	case RUN_BASE:  return &g->base.tests[r->index];
	case RUN_BONUS: return &g->bonus.tests[r->index];
	default:        return &g->edges.tests[r->index];
	}
}

static void add_note(struct grade *g, const char *note)
{
	char *n = xasprintf("%s%s%s", g->note ? g->note : "", g->note ? "; " : "", note);

	free(g->note);
	g->note = n;
}

/* The sandbox's shortcomings on this machine: a sentence for each, in the
 * report's note and, once per run, on stderr. */
static bool told_bwrap, told_filter;

static char *bwrap_missing(enum ww_sysfilter_mode mode)
{
	const char *why;

	jail_bwrap_works(&why);
	return xasprintf(_("no bubblewrap sandbox (%s): %s applied"), why,
			 mode == WW_SYSFILTER_OFF
			 ? _("resource limits and the process sweep")
			 : _("resource limits, the system call filter and the process sweep"));
}

static const char *filter_missing(enum ww_sysfilter_mode mode)
{
	return mode == WW_SYSFILTER_KILL
		? _("the system call filter kills without naming the call (no seccomp "
		    "listener here)")
		: _("no system call filter (seccomp unavailable, or GRADER_SYSFILTER=off): "
		    "a call made without the C library is not blocked");
}

static void tell(bool bwrap, enum ww_sysfilter_mode mode)
{
	if (!bwrap && !told_bwrap) {
		char *n = bwrap_missing(mode);

		warn("%s", n);
		free(n);
		told_bwrap = true;
	}
	if (mode != WW_SYSFILTER_NOTIFY && !told_filter) {
		warn("%s", filter_missing(mode));
		told_filter = true;
	}
}

void sandbox_announce(void)
{
	tell(jail_bwrap_works(NULL), jail_filter_mode());
}

static void note_sandbox(struct grade *g, const struct run_result *j)
{
	tell(j->bwrap, j->mode);
	if (!j->bwrap) {
		char *n = bwrap_missing(j->mode);

		add_note(g, n);
		free(n);
	}
	if (j->mode != WW_SYSFILTER_NOTIFY)
		add_note(g, filter_missing(j->mode));
	if (j->swept) {
		char *n = xasprintf(ngettext("killed %u process the submission left behind",
					     "killed %u processes the submission left behind",
					     j->swept), j->swept);

		add_note(g, n);
		free(n);
	}
}

/* Appends what valgrind said about each item to its message. */
static void add_findings(const struct run_result *run, struct grade *g,
			 const char *scratch, const char *src_base)
{
	struct vg_finding *f;
	size_t n = vglog_parse(scratch, src_base, &f), i;

	for (i = 0; i < n; i++) {
		struct test_result *r;
		char *m;

		if (f[i].item >= run->n)
			continue;
		r = result_of(g, &run->items[f[i].item]);
		if (r->status != ST_MEMORY_ERROR && r->status != ST_CRASH &&
		    run->items[f[i].item].vg_errors == 0)
			continue;
		if (f[i].outside)
			/* no frame of the error is the submission's: the tests
			 * touched memory it handed them */
			m = xasprintf(_("%s%svalgrind: %s %s, in the grader's test code, not "
					"in your file: the test read or wrote memory your code "
					"handed it, where the contract's header puts a field; "
					"check that the block is allocated with the size of "
					"the contract's struct and still alive%s%s%s%s%s"),
				      r->message, r->message[0] ? "; " : "", f[i].kind,
				      f[i].where, f[i].detail[0] ? ": " : "", f[i].detail,
				      f[i].alloc[0] ? " (" : "", f[i].alloc,
				      f[i].alloc[0] ? ")" : "");
		else
			m = xasprintf("%s%svalgrind: %s %s%s%s%s%s%s", r->message,
				      r->message[0] ? "; " : "", f[i].kind, f[i].where,
				      f[i].detail[0] ? ": " : "", f[i].detail,
				      f[i].alloc[0] ? " (" : "", f[i].alloc,
				      f[i].alloc[0] ? ")" : "");
		free(r->message);
		r->message = m;
	}
	vglog_release(f, n);
}

/* The tests --only left out: not run, and not a finding (the bonus table
 * only when it was to run). */
static void mark_unselected(const struct sandbox_opts *o, struct grade *g)
{
	struct table_result *tables[] = { &g->base, &g->bonus, &g->edges };
	size_t i, k;

	for (k = 0; k < 3; k++) {
		if (tables[k] == &g->bonus && !o->bonus)
			continue;
		for (i = 0; i < tables[k]->n; i++) {
			struct test_result *r = &tables[k]->tests[i];

			if (sandbox_selected(o, r->name))
				continue;
			free(r->message);
			r->message = xasprintf(_("not selected (--only %s)"), o->only);
			r->unselected = true;
		}
	}
}

/* The message of a worker the jail stopped. */
static char *stop_message(const struct run_record *rec)
{
	const char *phase = rec->phase;

	if (rec->stop == RUN_STOP_CALL)
		return xasprintf(_("forbidden system call %s, made without the C library%s%s: "
				   "blocked by the sandbox, and the test stopped"),
				 rec->stop_call, phase && phase[0] ? _(" in ") : "",
				 phase ? phase : "");
	return xasprintf(_("killed by the sandbox's system call filter (SIGSYS)%s%s: "
			   "a forbidden system call (a process, a program, a file, "
			   "a device, a signal to another process...) made without "
			   "the C library"), phase && phase[0] ? _(" in ") : "",
			 phase ? phase : "");
}

/* One record into its test's result, as the harness said it. */
static void apply_record(const struct run_record *rec, struct test_result *r)
{
	if (!rec->seen)
		return;
	r->status = rec->status;
	free(r->message);
	r->message = rec->stop != RUN_STOP_NONE ? stop_message(rec) : xstrdup(rec->message);
	free(r->output);
	r->output = rec->output ? xstrdup(rec->output) : NULL;
	r->output_bytes = rec->output_bytes;
	r->ms = rec->ms;
	r->signal = rec->signal;
	r->exited_midway = rec->midexit;
	r->evidence = rec->evidence;
	r->forbidden_call = rec->forbidden_call;
}

/* Every message of g with its places resolved (the crash's stack from its
 * record). */
static void symbolize(const struct run_result *run, struct grade *g,
		      const struct build *b)
{
	struct table_result *tables[] = { &g->base, &g->bonus, &g->edges };
	struct symbolize_item *items;
	size_t n = 0, i, k;

	items = xcalloc(g->base.n + g->bonus.n + g->edges.n + 1, sizeof(*items));
	for (k = 0; k < 3; k++)
		for (i = 0; i < tables[k]->n; i++)
			items[n++].message = &tables[k]->tests[i].message;
	for (i = 0; i < run->n; i++) {
		struct test_result *r = result_of(g, &run->items[i]);

		for (k = 0; k < n; k++)
			if (items[k].message == &r->message)
				items[k].frames = run->items[i].frames;
	}
	symbolize_messages(items, n, b->exe, b->src_base, b->scratch);
	free(items);
}

void explain_run(const struct sandbox_opts *o, const struct build *b,
		 const struct run_result *run, struct grade *g)
{
	size_t i;

	g->total_ms = run->ms;
	mark_unselected(o, g);
	if (!run->started)
		return;
	for (i = 0; i < run->n; i++)
		apply_record(&run->items[i], result_of(g, &run->items[i]));
	for (i = 0; i < run->nstopped; i++) {
		char *why = xasprintf(_("a system call made at run time (%s), blocked by "
					"the sandbox"), run->items[run->stopped[i].item].name);

		grade_add_runtime_violation(g, run->stopped[i].name, why);
		free(why);
	}
	for (i = 0; i < run->n; i++) {
		struct test_result *r = result_of(g, &run->items[i]);

		if (r->status == ST_NOT_RUN && !r->message[0]) {
			free(r->message);
			r->message = xasprintf(_("the harness ended before this test (exit "
						 "status %d)"), run->exit_status);
		}
	}
	note_sandbox(g, run);
	add_findings(run, g, run->rundir, b->src_base);
	symbolize(run, g, b);
}
