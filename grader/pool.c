/* pool.c - run jobs in forked children, at most N at a time */
#include "pool.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

struct slot {
	pid_t    pid;           /* 0: free */
	size_t   index;
	uint64_t start;
	bool     killed;
};

static int pool_start(struct pool *p, struct slot *slots, size_t k, size_t i,
		      const sigset_t *mask)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		/* the parent's handlers (SIGINT: stop the run) and its slots are
		 * not the child's */
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		sigprocmask(SIG_SETMASK, mask, NULL);
		free(slots);
		_exit(p->child(i, p->arg));
	}
	slots[k] = (struct slot){ .pid = pid, .index = i, .start = now_ms() };
	return 0;
}

/* Reaps the ended children; calls done for each.  Returns the number
 * reaped, or -1 on a waitpid error. */
static int pool_reap(struct pool *p, struct slot *slots, size_t *running,
		     size_t *ndone, bool *halt)
{
	int st, n = 0;
	pid_t pid;
	size_t k;

	for (;;) {
		pid = waitpid(-1, &st, WNOHANG);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0 && errno == ECHILD && *running == 0)
			return n;
		if (pid < 0)
			return -1;
		if (pid == 0)
			return n;
		for (k = 0; k < p->jobs; k++)
			if (slots[k].pid == pid)
				break;
		if (k == p->jobs)
			continue;       /* not ours (a grandchild reparented to us) */
		{
			struct pool_end e = {
				.index = slots[k].index,
				.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1,
				.signal = WIFSIGNALED(st) ? WTERMSIG(st) : 0,
				.timed_out = slots[k].killed,
				.ms = now_ms() - slots[k].start,
			};

			slots[k].pid = 0;
			(*running)--;
			(*ndone)++;
			n++;
			if (p->done(&e, p->arg) < 0)
				*halt = true;
		}
	}
}

/* SIGKILL to the jobs over max_ms, SIGTERM to all when stopping. */
static void pool_police(struct pool *p, struct slot *slots, bool stopping)
{
	uint64_t now = now_ms();
	size_t k;

	for (k = 0; k < p->jobs; k++) {
		if (slots[k].pid <= 0)
			continue;
		if (p->max_ms && now - slots[k].start > p->max_ms && !slots[k].killed) {
			kill(slots[k].pid, SIGKILL);
			slots[k].killed = true;
		} else if (stopping && !slots[k].killed) {
			kill(slots[k].pid, SIGTERM);
			slots[k].killed = true;
		}
	}
}

int pool_run(struct pool *p, char **err)
{
	struct slot *slots = xcalloc(p->jobs ? p->jobs : 1, sizeof(*slots));
	size_t running = 0, ndone = 0, k;
	uint64_t t0 = now_ms(), last_tick = 0;
	bool halt = false;
	int ret = 0;
	sigset_t chld, mask;

	/* SIGCHLD blocked and waited for: the parent wakes as soon as a job
	 * ends (the next one starts at once), or every 50 ms to police the
	 * running ones and tick */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &mask);

	if (p->jobs == 0)
		p->jobs = 1;
	p->started = 0;
	p->stopped = false;
	for (;;) {
		bool stopping = p->stop && *p->stop;
		struct timespec nap = { 0, 50 * 1000000L };

		if (p->budget_ms && now_ms() - t0 >= p->budget_ms &&
		    p->started < p->njobs)
			p->stopped = true;
		if (stopping)
			p->stopped = true;
		while (!halt && !p->stopped && ret == 0 && p->started < p->njobs &&
		       running < p->jobs) {
			for (k = 0; slots[k].pid; k++)
				;
			if (pool_start(p, slots, k, p->started, &mask) < 0) {
				*err = xasprintf("cannot fork: %s", strerror(errno));
				ret = -1;
				break;
			}
			p->started++;
			running++;
		}
		if (running == 0)
			break;
		pool_police(p, slots, stopping || ret < 0);
		if (pool_reap(p, slots, &running, &ndone, &halt) < 0) {
			*err = xasprintf("waitpid: %s", strerror(errno));
			ret = -1;
			break;
		}
		if (p->tick && now_ms() - last_tick >= 200) {
			p->tick(p->started, ndone, p->arg);
			last_tick = now_ms();
		}
		if (running)
			sigtimedwait(&chld, NULL, &nap);
	}
	/* an error: the children still running must not linger */
	for (k = 0; k < p->jobs; k++)
		if (slots[k].pid > 0) {
			kill(slots[k].pid, SIGKILL);
			while (waitpid(slots[k].pid, NULL, 0) < 0 && errno == EINTR)
				;
		}
	if (p->tick)
		p->tick(p->started, ndone, p->arg);
	sigprocmask(SIG_SETMASK, &mask, NULL);
	free(slots);
	return ret;
}
