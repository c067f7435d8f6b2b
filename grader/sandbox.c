/* sandbox.c - the run stage: the harness's command line, the jail it runs
 * in, and the wait for its records (each read by run_records.c) */
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include "i18n.h"
#include "jail.h"
#include "proc.h"
#include "run_records.h"

#define EDGE_TIMEOUT_MS 3000
#define PENDING_MAX     (1 << 20)
#define AS_BASE         (2ull << 30)    /* valgrind and the harness */
#define AS_GUEST_MIN    (2ull << 30)

bool sandbox_selected(const struct sandbox_opts *o, const char *name)
{
	return o->only == NULL || !strcmp(o->only, name);
}

/* valgrind's and the harness's options, before the items. */
static void harness_argv(struct strlist *argv, const struct spec *spec,
			 const struct build *b, const struct sandbox_opts *o,
			 uint64_t seed, const char *rundir)
{
	if (o->valgrind) {
		strlist_add(argv, valgrind_command());
		strlist_add(argv, "--tool=memcheck");
		strlist_add(argv, "--leak-check=no");
		strlist_add(argv, "--num-callers=20");
		strlist_add(argv, "--vgdb=no");
		strlist_add(argv, "--child-silent-after-fork=no");
		strlist_addf(argv, "--log-file=%s/vg.%%p", rundir);
	}
	strlist_add(argv, b->exe);
	strlist_add(argv, "--serve");
	strlist_add(argv, "--results-fd");
	strlist_add(argv, "3");
	strlist_add(argv, "--sysfilter");
	strlist_add(argv, "@SYSFILTER@");
	strlist_add(argv, "--seed");
	strlist_addf(argv, "%llu", (unsigned long long)seed);
	if (b->with_oracle)
		strlist_add(argv, "--oracle-reference");
	strlist_add(argv, "--max-timeouts");
	strlist_addf(argv, "%u", SANDBOX_MAX_TIMEOUTS);
	strlist_add(argv, "--fuzz");
	strlist_addf(argv, "%u:%llu:%llu", spec->fuzz_enabled ? spec->fuzz_iterations : 0,
		     (unsigned long long)spec->fuzz_min, (unsigned long long)spec->fuzz_max);
	/* the harness's messages in the report's language (English: none) */
	if (!i18n_english() && i18n_locale_dir()) {
		strlist_add(argv, "--lang");
		strlist_add(argv, i18n_lang());
		strlist_add(argv, "--localedir");
		strlist_add(argv, i18n_locale_dir());
	}
}

static void add_item(struct run_result *run, enum run_table table, size_t index,
		     const char *name)
{
	struct run_record *r = &run->items[run->n++];

	r->table = table;
	r->index = index;
	r->name = name;
	r->status = ST_NOT_RUN;
}

/* The selected items, in the order of the tables, on argv; returns the
 * time budget of the whole run. */
static uint64_t select_items(struct run_result *run, struct strlist *argv,
			     const struct spec *spec, const struct sandbox_opts *o)
{
	uint64_t budget = 60000;
	size_t i;

	run->items = xcalloc(spec->base.n + spec->bonus.n + spec->nedges + 1,
			     sizeof(*run->items));
	for (i = 0; i < spec->base.n + spec->bonus.n; i++) {
		bool bonus = i >= spec->base.n;
		size_t k = bonus ? i - spec->base.n : i;
		const struct spec_test *t = bonus ? &spec->bonus.tests[k] : &spec->base.tests[k];

		if ((bonus && !o->bonus) || !sandbox_selected(o, t->name))
			continue;
		strlist_addf(argv, "T:%s:%u", t->name, t->timeout_ms);
		budget += 3 * (uint64_t)t->timeout_ms + 1000;
		add_item(run, bonus ? RUN_BONUS : RUN_BASE, k, t->name);
	}
	for (i = 0; i < spec->nedges; i++) {
		const struct spec_edge *e = &spec->edges[i];

		if (!sandbox_selected(o, e->name))
			continue;
		strlist_addf(argv, "E:%s:%llu:%s:%u", e->name, (unsigned long long)e->arg,
			     e->expected, EDGE_TIMEOUT_MS);
		budget += 3 * EDGE_TIMEOUT_MS + 1000;
		add_item(run, RUN_EDGE, i, e->name);
	}
	return budget;
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
	run_defang(text);
	return text;
}

/* Reads the supervisor's records until it closes the channel, the budget
 * runs out, or (stop_first) a record refuses the submission. */
static void wait_records(struct run_ctx *ctx, int fd, uint64_t budget,
			 const struct spec *spec, bool stop_first)
{
	struct jail *jail = ctx->jail;
	struct sbuf pending = { 0 };
	bool listening = jail->listener >= 0;
	uint64_t deadline = now_ms() + budget;

	for (;;) {
		struct pollfd p[2] = { { fd, POLLIN, 0 }, { jail->listener, POLLIN, 0 } };
		uint64_t now = now_ms();
		char buf[65536];
		ssize_t n;
		char *nl;

		if (now >= deadline) {
			warn("the harness did not finish within %llu ms: stopped",
			     (unsigned long long)budget);
			jail_kill(jail);
			break;
		}
		if (poll(p, listening ? 2 : 1, (int)(deadline - now)) <= 0)
			continue;
		if (listening && (p[1].revents & POLLIN))
			jail_service(jail);
		else if (listening && p[1].revents)
			listening = false;      /* every filtered process is gone */
		if (!p[0].revents)
			continue;
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		sbuf_add(&pending, buf, (size_t)n);
		while ((nl = memchr(pending.buf, '\n', pending.len)) != NULL) {
			size_t len = (size_t)(nl - pending.buf) + 1;

			*nl = '\0';
			ctx->last = NULL;
			run_record_line(ctx, pending.buf);
			memmove(pending.buf, pending.buf + len, pending.len - len);
			pending.len -= len;
			if (stop_first && ctx->last && run_record_refuses(spec, ctx->last))
				break;
		}
		if (stop_first && ctx->last && run_record_refuses(spec, ctx->last)) {
			jail_kill(jail);
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
	sbuf_release(&pending);
}

int sandbox_run(const struct spec *spec, const struct build *b,
		const struct sandbox_opts *o, uint64_t seed, struct run_result *run,
		char **err)
{
	struct strlist argv = { 0 };
	struct jail jail = { .pid = -1, .listener = -1 };
	struct run_ctx ctx = { 0 };
	uint64_t budget, t0 = now_ms();
	int pfd[2] = { -1, -1 }, ret = -1;
	char *log = NULL;

	run->rundir = path_join(b->scratch, "run");
	if (mkdir(run->rundir, 0700) < 0 && errno != EEXIST) {
		*err = xasprintf("cannot create '%s': %s", run->rundir, strerror(errno));
		goto out;
	}
	harness_argv(&argv, spec, b, o, seed, run->rundir);
	budget = select_items(run, &argv, spec, o);
	strlist_argv(&argv);
	if (run->n == 0) {
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
			b->scratch, run->rundir, log, pfd[1], (unsigned)(budget / 1000) + 10,
			AS_BASE + 2 * (guest > AS_GUEST_MIN ? guest : AS_GUEST_MIN),
			i18n_english() ? NULL : i18n_locale_dir(),
		};

		if (jail_start(&jail, argv.items, &jo, err) < 0)
			goto out;
	}
	close(pfd[1]);
	pfd[1] = -1;
	run->started = true;
	ctx.run = run;
	ctx.jail = &jail;
	wait_records(&ctx, pfd[0], budget, spec, o->stop_first);
	run->exit_status = jail_wait(&jail);
	if (!ctx.hello) {
		char *head = log_head(log);

		*err = xasprintf("the harness did not start (exit status %d): %s",
				 run->exit_status, head);
		free(head);
		goto out;
	}
	run->bwrap = jail.bwrap;
	run->mode = jail.mode;
	run->swept = jail.swept;
	ret = 0;
out:
	run->ms = (unsigned)(now_ms() - t0);
	jail_release(&jail);
	if (pfd[0] >= 0)
		close(pfd[0]);
	if (pfd[1] >= 0)
		close(pfd[1]);
	strlist_release(&argv);
	free(log);
	return ret;
}

void run_result_release(struct run_result *run)
{
	size_t i;

	for (i = 0; i < run->n; i++) {
		struct run_record *r = &run->items[i];

		free(r->message);
		free(r->output);
		free(r->frames);
		free(r->stop_call);
		free(r->phase);
	}
	free(run->items);
	for (i = 0; i < run->nstopped; i++)
		free(run->stopped[i].name);
	free(run->stopped);
	free(run->rundir);
	memset(run, 0, sizeof(*run));
}
