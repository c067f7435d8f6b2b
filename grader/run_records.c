/* run_records.c - the harness's record lines into struct run_record: the
 * fields as they came (status, message, frames, valgrind's count, signal,
 * exit midway, output, time, a timeout's evidence), and what the jail knows
 * of a worker it stopped */
#include "run_records.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "util.h"

void run_defang(char *s)
{
	/* escape sequences could rewrite a verdict on the screen */
	for (; s && *s; s++)
		if (((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t') || *s == 0x7f)
			*s = '?';
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

/* A worker the jail stopped: the supervisor saw it die, the jail knows
 * why (the listener's refusal), or the fallback filter killed it with
 * SIGSYS and the call's name is lost. */
static void stopped(struct run_ctx *c, struct run_record *r, const char *wpid,
		    const char *phase)
{
	const struct jail_violation *v =
		jail_violation_of(c->jail, (pid_t)strtol(wpid, NULL, 10));
	struct run_result *run = c->run;
	const char *name;

	if (v) {
		r->stop = RUN_STOP_CALL;
		free(r->stop_call);
		r->stop_call = xstrdup(v->call);
		name = v->name;
	} else if (c->jail->mode == WW_SYSFILTER_KILL && r->status == ST_CRASH &&
		   r->signal == SIGSYS) {
		r->stop = RUN_STOP_SIGSYS;
		name = "syscall";
	} else {
		return;
	}
	free(r->phase);
	r->phase = phase ? xstrdup(phase) : NULL;
	r->status = ST_FAIL;
	r->forbidden_call = true;
	run->stopped = xrealloc(run->stopped, (run->nstopped + 1) * sizeof(*run->stopped));
	run->stopped[run->nstopped].item = (size_t)(r - run->items);
	run->stopped[run->nstopped++].name = xstrdup(name);
}

static void number(const char *line, const char *key, unsigned long long *v, bool *had)
{
	char *s = proto_get(line, key, NULL);

	if (s) {
		*v = strtoull(s, NULL, 10);
		free(s);
	}
	*had = s != NULL;
}

void run_record_line(struct run_ctx *c, const char *line)
{
	char *ev = proto_get(line, "ev", NULL);
	char *item = NULL, *status = NULL, *phase = NULL, *wpid = NULL, *ab = NULL;
	struct run_record *r;
	unsigned long long v = 0;
	bool had;
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
	if (i >= c->run->n)
		goto out;
	r = &c->run->items[i];
	c->last = r;
	r->seen = true;
	r->stop = RUN_STOP_NONE;        /* this record's message stands */
	status = proto_get(line, "status", NULL);
	st = status ? status_parse(status) : -1;
	r->status = st < 0 ? ST_FAIL : (enum test_status)st;
	free(r->message);
	r->message = proto_get(line, "msg", NULL);
	if (r->message == NULL)
		r->message = xstrdup("");
	run_defang(r->message);
	free(r->output);
	r->output = proto_get(line, "out", NULL);
	run_defang(r->output);
	number(line, "outbytes", &v, &had);
	if (had)
		r->output_bytes = (size_t)v;
	number(line, "ms", &v, &had);
	if (had)
		r->ms = (unsigned)v;
	number(line, "vgerr", &v, &had);
	if (had)
		r->vg_errors = (unsigned)v;
	number(line, "sig", &v, &had);
	if (had)
		r->signal = (int)(long long)v;
	number(line, "midexit", &v, &had);
	if (had)
		r->midexit = true;
	free(r->frames);
	r->frames = proto_get(line, "frames", NULL);
	timeout_evidence(line, &r->evidence);
	/* A worker that did not finish its item: did the jail stop it? */
	ab = proto_get(line, "abnormal", NULL);
	wpid = proto_get(line, "wpid", NULL);
	phase = proto_get(line, "phase", NULL);
	run_defang(phase);
	if (ab && wpid)
		stopped(c, r, wpid, phase);
out:
	free(ev);
	free(item);
	free(status);
	free(phase);
	free(wpid);
	free(ab);
}

/* A crash, timeout, leak or memory error when they block, a failed trap or
 * required test (or edge case) when those block.  A bonus test counts only
 * when a blocking finding there refuses the whole submission. */
bool run_record_refuses(const struct spec *spec, const struct run_record *r)
{
	const struct pass_rule *rule = &spec->rule;
	bool trap, required;

	if (r->status == ST_PASS || r->status == ST_NOT_RUN)
		return false;
	if (r->table == RUN_BONUS && rule->bonus != BONUS_REFUSE)
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
	if (r->table == RUN_EDGE) {
		trap = spec->edges[r->index].trap;
		required = true;
	} else {
		const struct spec_table *t = r->table == RUN_BASE ? &spec->base : &spec->bonus;

		trap = t->tests[r->index].trap;
		required = t->tests[r->index].required;
	}
	return (trap && rule->failed_trap) || (required && rule->failed_required);
}
