/* sandbox.h - the run stage: run the harness executable on the selected
 * tests, in the jail, under valgrind when it is installed, and keep each
 * item's record as the harness sent it (struct run_result)
 *
 * One valgrind process per submission: the harness's supervisor forks a
 * worker per crash, not per test (see harness/supervisor.c).  The grader
 * only reads the supervisor's records, with a global deadline in case the
 * supervisor itself is stuck.  The records are raw material: the explain
 * stage (explain.h) turns them, valgrind's logs and the executable's
 * symbols into the tests' results.
 */
#ifndef GRADER_SANDBOX_H
#define GRADER_SANDBOX_H

#include <stdint.h>

#include "build.h"
#include "sysfilter.h"
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

/* Which table of the spec an item is from. */
enum run_table { RUN_BASE, RUN_BONUS, RUN_EDGE };

/* How the jail stopped an item's worker (run_records.c). */
enum run_stop {
	RUN_STOP_NONE,
	RUN_STOP_CALL,          /* the listener refused a call: call, name */
	RUN_STOP_SIGSYS,        /* the fallback filter killed it (SIGSYS) */
};

/* One item: the harness's record as it came (the last one for the item,
 * fields it left out kept from the one before). */
struct run_record {
	enum run_table table;
	size_t   index;                 /* in that table of the spec */
	const char *name;               /* the spec's */
	bool     seen;                  /* a record came */
	enum test_status status;
	char    *message;               /* the harness's: @{0x..} and @{frames}
					 * unresolved; control characters '?' */
	char    *output;                /* what the submission printed */
	size_t   output_bytes;
	unsigned ms;
	int      signal;                /* the signal that ended its process */
	bool     midexit;               /* exited before the test ended */
	struct timeout_evidence evidence;
	char    *frames;                /* a crash's stack: "addr,addr,..." */
	unsigned vg_errors;             /* valgrind's errors in it */
	bool     forbidden_call;        /* the jail stopped a call in it */
	enum run_stop stop;             /* the last record's */
	char    *stop_call;             /* openat("/tmp/x") (opens a file) */
	char    *phase;                 /* what the test was doing, or NULL */
};

/* A call the jail stopped, in the order the records said so. */
struct run_stopped {
	size_t item;                    /* in run_result.items */
	char  *name;                    /* "openat", or "syscall" (SIGSYS) */
};

struct run_result {
	bool     started;               /* the harness ran (some item selected) */
	struct run_record *items;       /* the selected items, in run order */
	size_t   n;
	struct run_stopped *stopped;
	size_t   nstopped;
	int      exit_status;           /* the harness's (jail_wait()) */
	char    *rundir;                /* valgrind's logs: vg.<pid> */
	/* what the jail was here, for the report's note */
	bool     bwrap;
	enum ww_sysfilter_mode mode;
	unsigned swept;                 /* processes left behind, killed */
	unsigned ms;                    /* the run's wall clock */
};

/* Whether the test or edge case name is selected by o->only. */
bool sandbox_selected(const struct sandbox_opts *o, const char *name);

/* Runs the selected items (o) of spec on b's executable with the seed.
 * Returns -1 with *err on a system error (cannot start the harness). */
int sandbox_run(const struct spec *spec, const struct build *b,
		const struct sandbox_opts *o, uint64_t seed, struct run_result *run,
		char **err);
void run_result_release(struct run_result *run);

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
