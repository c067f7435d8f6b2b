/* pool.h - run jobs in forked children, at most N at a time
 *
 * What grader mutants and grader class share: each job is one child
 * process (a grade keeps nothing thread-safe), the parent only schedules
 * and collects.  The child's work is a callback that returns its exit
 * status (the pool _exit()s with it: the parent's stdio buffers and atexit
 * handlers are not the child's); the parent hears of each child's end, in
 * the order they end, through a second callback.
 */
#ifndef GRADER_POOL_H
#define GRADER_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How a job ended. */
struct pool_end {
	size_t   index;         /* the job's */
	int      status;        /* the child's exit status, or -1 */
	int      signal;        /* the signal that ended it, or 0 */
	bool     timed_out;     /* killed by the pool: over max_ms */
	uint64_t ms;            /* wall time from fork to end */
};

/* In the child: do job i, return the exit status. */
typedef int pool_child_fn(size_t i, void *arg);
/* In the parent, as each job ends: 0 to go on, -1 to start no more jobs
 * (the running ones are waited for, and reported). */
typedef int pool_done_fn(const struct pool_end *e, void *arg);
/* In the parent, about every 200 ms while jobs run (may be NULL): a
 * progress display's tick. */
typedef void pool_tick_fn(size_t started, size_t done, void *arg);

struct pool {
	size_t   njobs;
	unsigned jobs;          /* at once, >= 1 */
	uint64_t max_ms;        /* wall time of one job before SIGKILL; 0: none */
	uint64_t budget_ms;     /* no job starts after this much wall time; 0: none */
	const volatile int *stop;   /* when *stop becomes non-zero, running jobs
				     * get SIGTERM and no more start; NULL: none */
	pool_child_fn *child;
	pool_done_fn  *done;
	pool_tick_fn  *tick;
	void    *arg;
	/* out */
	size_t   started;       /* jobs started (0 .. njobs) */
	bool     stopped;       /* *stop or the budget ended the run early */
};

/* Runs jobs 0 .. njobs-1 in order.  Returns 0, or -1 with a message in
 * *err (malloc'd) when fork or waitpid fails: the running children are
 * then waited for before it returns.  Never leaves a child behind. */
int pool_run(struct pool *p, char **err);

#endif /* GRADER_POOL_H */
