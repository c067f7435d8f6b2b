/* sandbox.h - run the harness executable on the selected tests, under
 * valgrind when it is installed, and turn its records into test results
 *
 * One valgrind process per submission: the harness's supervisor forks a
 * worker per crash, not per test (see harness/supervisor.c).  The grader
 * only reads the supervisor's records, with a global deadline in case the
 * supervisor itself is stuck.
 */
#ifndef GRADER_SANDBOX_H
#define GRADER_SANDBOX_H

#include "build.h"
#include "grade.h"
#include "spec.h"

/* After this many timeouts in one submission the tests left are not run:
 * something loops (every timeout blocks the verdict already), and each
 * would only wait out its time. */
#define SANDBOX_MAX_TIMEOUTS 3

struct sandbox_opts {
	const char *only;       /* a test or edge case name, or NULL for all */
	bool        bonus;      /* run the bonus table */
	bool        valgrind;   /* run under valgrind */
	bool        stop_first; /* stop at the first result that refuses the
				 * submission (grader mutate: the verdict is
				 * known, the other tests would only cost time;
				 * they stay not_run) */
};

/* Fills g->base, g->bonus and g->edges (every test of the spec gets a
 * result, not_run for those not selected).  Returns -1 with *err on a
 * system error (cannot start the harness). */
int sandbox_run(const struct spec *spec, const struct build *b,
		const struct sandbox_opts *o, struct grade *g, char **err);

/* Says once on stderr what the sandbox lacks here (bubblewrap, the system
 * call filter's listener), as the first grade would: called before forking
 * a grade per file, it is said once for them all. */
void sandbox_announce(void);

/* The tables of g, one result per test of the spec, all not_run; the
 * bonus table graded when bonus. */
void sandbox_init_tables(const struct spec *spec, struct grade *g, bool bonus);

/* Every test of the tables with status not_run and message why (used when
 * the submission did not compile, its header disagrees, or it is refused
 * before any test runs); the tables made if they are not yet. */
void sandbox_not_run(const struct spec *spec, struct grade *g, const char *why);

#endif /* GRADER_SANDBOX_H */
