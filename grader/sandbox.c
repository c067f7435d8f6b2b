/* sandbox.c - run the harness on a submission, in the jail, and collect its
 * verdicts */
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/stat.h>

#include "jail.h"
#include "i18n.h"
#include "proc.h"
#include "proto.h"
#include "symbolize.h"
#include "vglog.h"

#define EDGE_TIMEOUT_MS 3000
#define PENDING_MAX     (1 << 20)
#define AS_BASE         (2ull << 30)    /* valgrind and the harness */
#define AS_GUEST_MIN    (2ull << 30)

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

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

/* What the grader learns while the harness runs. */
struct run_ctx {
	struct test_result **byitem;
	size_t               nitems;
	struct jail         *jail;
	struct grade        *g;
	bool                 hello;     /* the supervisor started */
	struct test_result  *last;      /* the result of the last record */
};

/* The submission's bytes, made safe for a terminal and a report: control
 * characters (escape sequences could rewrite a verdict on the screen)
 * become '?', except newline and tab. */
static void defang(char *s)
{
	for (; s && *s; s++)
		if (((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t') || *s == 0x7f)
			*s = '?';
}

/* A worker the jail stopped for a forbidden system call: the supervisor
 * saw it die (SIGKILL), the jail knows why. */
static void blame_violation(struct run_ctx *c, struct test_result *r,
			    const struct jail_violation *v, const char *phase)
{
	char *why;

	free(r->message);
	r->message = xasprintf(_("forbidden system call %s, made without the C library%s%s: "
				 "blocked by the sandbox, and the test stopped"), v->call,
			       phase && phase[0] ? _(" in ") : "", phase ? phase : "");
	r->status = ST_FAIL;
	r->forbidden_call = true;
	why = xasprintf(_("a system call made at run time (%s), blocked by the sandbox"),
			r->name);
	grade_add_runtime_violation(c->g, v->name, why);
	free(why);
}

/* The fallback filter kills with SIGSYS and the call's name is lost. */
static void blame_sigsys(struct run_ctx *c, struct test_result *r, const char *phase)
{
	char *why;

	free(r->message);
	r->message = xasprintf(_("killed by the sandbox's system call filter (SIGSYS)%s%s: "
				 "a forbidden system call (a process, a program, a file, "
				 "a device, a signal to another process...) made without "
				 "the C library"), phase && phase[0] ? _(" in ") : "",
			       phase ? phase : "");
	r->status = ST_FAIL;
	r->forbidden_call = true;
	why = xasprintf(_("a system call made at run time (%s), blocked by the sandbox"),
			r->name);
	grade_add_runtime_violation(c->g, "syscall", why);
	free(why);
}

/* The profiler's facts about a timeout (supervisor.c's ev_* fields). */
static void timeout_evidence(const char *line, struct timeout_evidence *e)
{
	char *pc = proto_get(line, "ev_pc", NULL), *rip = proto_get(line, "ev_rip", NULL);
	char *in = proto_get(line, "ev_insns", NULL), *out = proto_get(line, "ev_outside", NULL);

	memset(e, 0, sizeof(*e));
	e->known = pc != NULL;
	e->guest = rip != NULL;
	e->guest_rip = rip ? strtoull(rip, NULL, 10) : 0;
	e->instructions = in ? strtoull(in, NULL, 10) : 0;
	e->rip_outside = out && !strcmp(out, "1");
	free(pc);
	free(rip);
	free(in);
	free(out);
}

/* One record line from the supervisor into the result it belongs to. */
static void apply_record(struct run_ctx *c, const char *line)
{
	char *ev = proto_get(line, "ev", NULL);
	char *item = NULL, *status = NULL, *phase = NULL, *wpid = NULL, *ab = NULL, *s;
	struct test_result *r;
	size_t i;
	int st;

	if (ev && !strcmp(ev, "hello"))
		c->hello = true;
	if (ev == NULL || strcmp(ev, "result"))
		goto out;
	item = proto_get(line, "item", NULL);
	if (item == NULL)
		goto out;
	i = strtoul(item, NULL, 10);
	if (i >= c->nitems)
		goto out;
	r = c->byitem[i];
	c->last = r;
	status = proto_get(line, "status", NULL);
	st = status ? status_parse(status) : -1;
	r->status = st < 0 ? ST_FAIL : (enum test_status)st;
	free(r->message);
	r->message = proto_get(line, "msg", NULL);
	if (r->message == NULL)
		r->message = xstrdup("");
	defang(r->message);
	free(r->output);
	r->output = proto_get(line, "out", NULL);
	defang(r->output);
	if ((s = proto_get(line, "outbytes", NULL)) != NULL) {
		r->output_bytes = strtoull(s, NULL, 10);
		free(s);
	}
	if ((s = proto_get(line, "ms", NULL)) != NULL) {
		r->ms = (unsigned)strtoul(s, NULL, 10);
		free(s);
	}
	if ((s = proto_get(line, "vgerr", NULL)) != NULL) {
		r->vg_errors = (unsigned)strtoul(s, NULL, 10);
		free(s);
	}
	if ((s = proto_get(line, "sig", NULL)) != NULL) {
		r->signal = (int)strtol(s, NULL, 10);
		free(s);
	}
	if ((s = proto_get(line, "midexit", NULL)) != NULL) {
		r->exited_midway = true;
		free(s);
	}
	free(r->frames);
	r->frames = proto_get(line, "frames", NULL);
	timeout_evidence(line, &r->evidence);
	/* A worker that did not finish its item: did the jail stop it? */
	ab = proto_get(line, "abnormal", NULL);
	wpid = proto_get(line, "wpid", NULL);
	phase = proto_get(line, "phase", NULL);
	defang(phase);
	if (ab && wpid) {
		const struct jail_violation *v =
			jail_violation_of(c->jail, (pid_t)strtol(wpid, NULL, 10));

		if (v)
			blame_violation(c, r, v, phase);
		else if (c->jail->mode == WW_SYSFILTER_KILL && r->status == ST_CRASH &&
			 r->signal == SIGSYS)
			blame_sigsys(c, r, phase);
	}
out:
	free(ev);
	free(item);
	free(status);
	free(phase);
	free(wpid);
	free(ab);
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

static void note_sandbox(struct grade *g, const struct jail *j)
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

/* The first lines of the harness's own output, for an error message. */
static char *log_head(const char *log)
{
	char *text = read_file(log, NULL), *nl;

	if (text == NULL)
		return xstrdup("(no output)");
	if (strlen(text) > 600)
		text[600] = '\0';
	if ((nl = strchr(text, '\n')) != NULL && strchr(nl + 1, '\n'))
		*strchr(nl + 1, '\n') = '\0';
	defang(text);
	return text;
}

/* Appends what valgrind said about each item to its message. */
static void add_findings(struct test_result **byitem, size_t nitems,
			 const char *scratch, const char *src_base)
{
	struct vg_finding *f;
	size_t n = vglog_parse(scratch, src_base, &f), i;

	for (i = 0; i < n; i++) {
		struct test_result *r;
		char *m;

		if (f[i].item >= nitems)
			continue;
		r = byitem[f[i].item];
		if (r->status != ST_MEMORY_ERROR && r->status != ST_CRASH &&
		    r->vg_errors == 0)
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

/* Whether r, just finished, refuses the submission whatever comes next,
 * by the spec's rule (score.c's, for one test): a crash, timeout, leak or
 * memory error when they block, a failed trap or required test (or edge
 * case) when those block.  A bonus test counts only when a blocking
 * finding there refuses the whole submission. */
static bool sandbox_refuses(const struct spec *spec, const struct grade *g,
			    const struct test_result *r)
{
	const struct pass_rule *rule = &spec->rule;
	bool bonus = r >= g->bonus.tests && r < g->bonus.tests + g->bonus.n;

	if (r->status == ST_PASS || r->status == ST_NOT_RUN || r->unselected)
		return false;
	if (bonus && rule->bonus != BONUS_REFUSE)
		return false;
	if (r->forbidden_call && rule->security)
		return true;
	switch (r->status) {
	case ST_CRASH:          if (rule->crash) return true; break;
	case ST_TIMEOUT:        if (rule->timeout) return true; break;
	case ST_LEAK:
	case ST_MEMORY_ERROR:   if (rule->memory) return true; break;
	default:                break;
	}
	return (r->trap && rule->failed_trap) ||
	       ((r->required || r->edge) && rule->failed_required);
}

int sandbox_run(const struct spec *spec, const struct build *b,
		const struct sandbox_opts *o, struct grade *g, char **err)
{
	struct test_result **byitem = NULL;
	struct strlist argv = { 0 };
	struct sbuf pending = { 0 };
	struct jail jail = { .pid = -1, .listener = -1 };
	struct run_ctx ctx = { 0 };
	uint64_t budget = 60000, deadline, t0 = now_ms();
	size_t nitems = 0, i;
	int pfd[2] = { -1, -1 }, ret = -1, st;
	bool listening;
	char *log = NULL, *rundir = NULL;

	sandbox_init_tables(spec, g, o->bonus);
	g->valgrind = o->valgrind;
	rundir = path_join(b->scratch, "run");
	if (mkdir(rundir, 0700) < 0 && errno != EEXIST) {
		*err = xasprintf("cannot create '%s': %s", rundir, strerror(errno));
		goto out;
	}
	if (o->valgrind) {
		strlist_add(&argv, valgrind_command());
		strlist_add(&argv, "--tool=memcheck");
		strlist_add(&argv, "--leak-check=no");
		strlist_add(&argv, "--num-callers=20");
		strlist_add(&argv, "--vgdb=no");
		strlist_add(&argv, "--child-silent-after-fork=no");
		strlist_addf(&argv, "--log-file=%s/vg.%%p", rundir);
	}
	strlist_add(&argv, b->exe);
	strlist_add(&argv, "--serve");
	strlist_add(&argv, "--results-fd");
	strlist_add(&argv, "3");
	strlist_add(&argv, "--sysfilter");
	strlist_add(&argv, "@SYSFILTER@");
	strlist_add(&argv, "--seed");
	strlist_addf(&argv, "%llu", (unsigned long long)g->seed);
	if (b->with_oracle)
		strlist_add(&argv, "--oracle-reference");
	strlist_add(&argv, "--max-timeouts");
	strlist_addf(&argv, "%u", SANDBOX_MAX_TIMEOUTS);
	strlist_add(&argv, "--fuzz");
	strlist_addf(&argv, "%u:%llu:%llu", spec->fuzz_enabled ? spec->fuzz_iterations : 0,
		     (unsigned long long)spec->fuzz_min, (unsigned long long)spec->fuzz_max);
	/* the harness's messages in the report's language (English: none) */
	if (!i18n_english() && i18n_locale_dir()) {
		strlist_add(&argv, "--lang");
		strlist_add(&argv, i18n_lang());
		strlist_add(&argv, "--localedir");
		strlist_add(&argv, i18n_locale_dir());
	}

	/* the items, in the order of the tables */
	byitem = xcalloc(g->base.n + g->bonus.n + g->edges.n + 1, sizeof(*byitem));
	for (i = 0; i < g->base.n + g->bonus.n; i++) {
		bool bonus = i >= g->base.n;
		struct test_result *r = bonus ? &g->bonus.tests[i - g->base.n]
					      : &g->base.tests[i];

		if (bonus && !o->bonus)
			continue;
		if (o->only && strcmp(o->only, r->name)) {
			free(r->message);
			r->message = xasprintf(_("not selected (--only %s)"), o->only);
			r->unselected = true;
			continue;
		}
		strlist_addf(&argv, "T:%s:%u", r->name, r->spec->timeout_ms);
		budget += 3 * (uint64_t)r->spec->timeout_ms + 1000;
		byitem[nitems++] = r;
	}
	for (i = 0; i < g->edges.n; i++) {
		struct test_result *r = &g->edges.tests[i];

		if (o->only && strcmp(o->only, r->name)) {
			free(r->message);
			r->message = xasprintf(_("not selected (--only %s)"), o->only);
			r->unselected = true;
			continue;
		}
		strlist_addf(&argv, "E:%s:%llu:%s:%u", r->name,
			     (unsigned long long)r->edge->arg, r->edge->expected,
			     EDGE_TIMEOUT_MS);
		budget += 3 * EDGE_TIMEOUT_MS + 1000;
		byitem[nitems++] = r;
	}
	strlist_argv(&argv);
	if (nitems == 0) {
		ret = 0;
		goto out;
	}

	if (pipe2(pfd, O_CLOEXEC) < 0) {
		*err = xasprintf("cannot create a pipe: %s", strerror(errno));
		goto out;
	}
	log = path_join(b->scratch, "harness.log");
	{
		/* CPU time: the whole budget, for the supervisor and each worker
		 * (the wall clock stops them first); address space: valgrind plus
		 * the largest guest the fuzzing asks for, NORESERVE (measured:
		 * 4.1 GiB for a 4096 MB host), twice over. */
		uint64_t guest = (spec->fuzz_enabled ? spec->fuzz_max : 0) << 20;
		struct jail_opts jo = {
			b->scratch, rundir, log, pfd[1], (unsigned)(budget / 1000) + 10,
			AS_BASE + 2 * (guest > AS_GUEST_MIN ? guest : AS_GUEST_MIN),
			i18n_english() ? NULL : i18n_locale_dir(),
		};

		if (jail_start(&jail, argv.items, &jo, err) < 0)
			goto out;
	}
	close(pfd[1]);
	pfd[1] = -1;
	ctx.byitem = byitem;
	ctx.nitems = nitems;
	ctx.jail = &jail;
	ctx.g = g;
	listening = jail.listener >= 0;
	deadline = now_ms() + budget;
	for (;;) {
		struct pollfd p[2] = { { pfd[0], POLLIN, 0 }, { jail.listener, POLLIN, 0 } };
		uint64_t now = now_ms();
		char buf[65536];
		ssize_t n;
		char *nl;

		if (now >= deadline) {
			warn("the harness did not finish within %llu ms: stopped",
			     (unsigned long long)budget);
			jail_kill(&jail);
			break;
		}
		if (poll(p, listening ? 2 : 1, (int)(deadline - now)) <= 0)
			continue;
		if (listening && (p[1].revents & POLLIN))
			jail_service(&jail);
		else if (listening && p[1].revents)
			listening = false;      /* every filtered process is gone */
		if (!p[0].revents)
			continue;
		n = read(pfd[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		sbuf_add(&pending, buf, (size_t)n);
		while ((nl = memchr(pending.buf, '\n', pending.len)) != NULL) {
			size_t len = (size_t)(nl - pending.buf) + 1;

			*nl = '\0';
			ctx.last = NULL;
			apply_record(&ctx, pending.buf);
			memmove(pending.buf, pending.buf + len, pending.len - len);
			pending.len -= len;
			if (o->stop_first && ctx.last && sandbox_refuses(spec, g, ctx.last))
				break;
		}
		if (o->stop_first && ctx.last && sandbox_refuses(spec, g, ctx.last)) {
			jail_kill(&jail);
			break;
		}
		/* The supervisor's records are bounded (WW_REC_MAX, escaped):
		 * a line this long is not one. */
		if (pending.len > PENDING_MAX) {
			warn("the harness sent a record longer than %d bytes: dropped",
			     PENDING_MAX);
			pending.len = 0;
		}
	}
	st = jail_wait(&jail);
	if (!ctx.hello) {
		char *head = log_head(log);

		*err = xasprintf("the harness did not start (exit status %d): %s", st, head);
		free(head);
		goto out;
	}
	for (i = 0; i < nitems; i++)
		if (byitem[i]->status == ST_NOT_RUN && !byitem[i]->message[0]) {
			free(byitem[i]->message);
			byitem[i]->message = xasprintf(_("the harness ended before this "
							 "test (exit status %d)"), st);
		}
	note_sandbox(g, &jail);
	add_findings(byitem, nitems, rundir, b->src_base);
	symbolize_grade(g, b->exe, b->src_base, b->scratch);
	ret = 0;
out:
	g->total_ms = (unsigned)(now_ms() - t0);
	jail_release(&jail);
	if (pfd[0] >= 0)
		close(pfd[0]);
	if (pfd[1] >= 0)
		close(pfd[1]);
	sbuf_release(&pending);
	strlist_release(&argv);
	free(byitem);
	free(log);
	free(rundir);
	return ret;
}
