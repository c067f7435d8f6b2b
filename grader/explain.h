/* explain.h - the explain stage: what the run's records mean, in words
 *
 * Takes the run stage's records (sandbox.h: status, the harness's raw
 * message, a crash's frames, valgrind's error count...), valgrind's logs
 * (vglog.h) and the executable's symbols (symbolize.h), and writes the
 * tests' results of the verdict: statuses, messages with file:line
 * (function), valgrind's error on its own stack, the calls the sandbox
 * stopped, the note on what the sandbox lacks here.  Also the tables every
 * grade has (sandbox_init_tables(), sandbox_not_run(), in sandbox.h).
 */
#ifndef GRADER_EXPLAIN_H
#define GRADER_EXPLAIN_H

#include "build.h"
#include "grade.h"
#include "sandbox.h"

/* Into g's tables (made by sandbox_init_tables()): the tests o left out,
 * then run's records, explained; g->total_ms. */
void explain_run(const struct sandbox_opts *o, const struct build *b,
		 const struct run_result *run, struct grade *g);

#endif /* GRADER_EXPLAIN_H */
