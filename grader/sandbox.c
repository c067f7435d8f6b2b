/* sandbox.c - run the harness on a submission and collect its verdicts */
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

#include "proc.h"
#include "symbolize.h"
#include "vglog.h"

#define EDGE_TIMEOUT_MS 3000

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
		r->trap_explanation = st->tests[i].trap_explanation;
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
		r->trap_explanation = spec->edges[i].trap ? spec->edges[i].trap_explanation
							 : NULL;
		r->message = xstrdup("");
	}
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

/* One record line from the supervisor into the result it belongs to. */
static void apply_record(const char *line, struct test_result **byitem, size_t nitems)
{
	char *ev = proto_get(line, "ev", NULL);
	char *item = NULL, *status = NULL, *s;
	struct test_result *r;
	size_t i;
	int st;

	if (ev == NULL || strcmp(ev, "result"))
		goto out;
	item = proto_get(line, "item", NULL);
	if (item == NULL)
		goto out;
	i = strtoul(item, NULL, 10);
	if (i >= nitems)
		goto out;
	r = byitem[i];
	status = proto_get(line, "status", NULL);
	st = status ? status_parse(status) : -1;
	r->status = st < 0 ? ST_FAIL : (enum test_status)st;
	free(r->message);
	r->message = proto_get(line, "msg", NULL);
	if (r->message == NULL)
		r->message = xstrdup("");
	free(r->output);
	r->output = proto_get(line, "out", NULL);
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
	free(r->frames);
	r->frames = proto_get(line, "frames", NULL);
out:
	free(ev);
	free(item);
	free(status);
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
		if (f[i].is_leak && r->status != ST_LEAK)
			continue;
		if (!f[i].is_leak && r->status != ST_MEMORY_ERROR && r->status != ST_CRASH &&
		    r->vg_errors == 0)
			continue;
		if (f[i].is_leak && strstr(r->message, "never"))
			continue;       /* the harness already named the leak */
		m = xasprintf("%s%svalgrind: %s %s%s%s", r->message,
			      r->message[0] ? "; " : "", f[i].kind, f[i].where,
			      f[i].detail[0] ? ": " : "", f[i].detail);
		free(r->message);
		r->message = m;
	}
	vglog_release(f, n);
}

int sandbox_run(const struct spec *spec, const struct build *b,
		const struct sandbox_opts *o, struct grade *g, char **err)
{
	struct test_result **byitem = NULL;
	struct strlist argv = { 0 };
	struct sbuf pending = { 0 };
	uint64_t budget = 60000, deadline, t0 = now_ms();
	size_t nitems = 0, i;
	int pfd[2] = { -1, -1 }, ret = -1;
	pid_t pid;
	char *log = NULL;

	init_table(&g->base, &spec->base, true);
	init_table(&g->bonus, &spec->bonus, o->bonus);
	init_edges(&g->edges, spec);
	g->valgrind = o->valgrind;

	if (o->valgrind) {
		strlist_add(&argv, valgrind_command());
		strlist_add(&argv, "--tool=memcheck");
		strlist_add(&argv, "--leak-check=no");
		strlist_add(&argv, "--errors-for-leak-kinds=none");
		strlist_add(&argv, "--show-leak-kinds=definite,indirect");
		strlist_add(&argv, "--num-callers=20");
		strlist_add(&argv, "--vgdb=no");
		strlist_add(&argv, "--child-silent-after-fork=no");
		strlist_addf(&argv, "--log-file=%s/vg.%%p", b->scratch);
	}
	strlist_add(&argv, b->exe);
	strlist_add(&argv, "--serve");
	strlist_add(&argv, "--results-fd");
	strlist_add(&argv, "3");
	strlist_add(&argv, "--seed");
	strlist_addf(&argv, "%llu", (unsigned long long)g->seed);
	if (b->with_oracle)
		strlist_add(&argv, "--oracle-reference");
	strlist_add(&argv, "--fuzz");
	strlist_addf(&argv, "%u:%llu:%llu", spec->fuzz_enabled ? spec->fuzz_iterations : 0,
		     (unsigned long long)spec->fuzz_min, (unsigned long long)spec->fuzz_max);

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
			r->message = xasprintf("not selected (--only %s)", o->only);
			continue;
		}
		strlist_addf(&argv, "T:%s:%u", r->name, r->spec->timeout_ms);
		budget += 2 * (uint64_t)r->spec->timeout_ms;
		byitem[nitems++] = r;
	}
	for (i = 0; i < g->edges.n; i++) {
		struct test_result *r = &g->edges.tests[i];

		if (o->only && strcmp(o->only, r->name)) {
			free(r->message);
			r->message = xasprintf("not selected (--only %s)", o->only);
			continue;
		}
		strlist_addf(&argv, "E:%s:%llu:%s:%u", r->name,
			     (unsigned long long)r->edge->arg, r->edge->expected,
			     EDGE_TIMEOUT_MS);
		budget += 2 * EDGE_TIMEOUT_MS;
		byitem[nitems++] = r;
	}
	argv.items = xrealloc(argv.items, (argv.n + 1) * sizeof(char *));
	argv.items[argv.n] = NULL;
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
		struct proc_opts po = { b->scratch, log, pfd[1], true };

		pid = proc_spawn(argv.items, &po);
	}
	close(pfd[1]);
	pfd[1] = -1;
	if (pid < 0) {
		*err = xasprintf("cannot run '%s': %s", argv.items[0], strerror(errno));
		goto out;
	}
	deadline = now_ms() + budget;
	for (;;) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		uint64_t now = now_ms();
		char buf[65536];
		ssize_t n;
		char *nl;

		if (now >= deadline) {
			warn("the harness did not finish within %llu ms: stopped",
			     (unsigned long long)budget);
			kill(-pid, SIGKILL);
			break;
		}
		if (poll(&p, 1, (int)(deadline - now)) <= 0)
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
			apply_record(pending.buf, byitem, nitems);
			memmove(pending.buf, pending.buf + len, pending.len - len);
			pending.len -= len;
		}
	}
	{
		int st = proc_wait(pid);

		for (i = 0; i < nitems; i++)
			if (byitem[i]->status == ST_NOT_RUN && !byitem[i]->message[0]) {
				free(byitem[i]->message);
				byitem[i]->message = xasprintf("the harness ended before this "
							       "test (exit status %d)", st);
			}
	}
	add_findings(byitem, nitems, b->scratch, b->src_base);
	symbolize_grade(g, b->exe, b->src_base, b->scratch);
	ret = 0;
out:
	g->total_ms = (unsigned)(now_ms() - t0);
	if (pfd[0] >= 0)
		close(pfd[0]);
	sbuf_release(&pending);
	strlist_release(&argv);
	free(byitem);
	free(log);
	return ret;
}
