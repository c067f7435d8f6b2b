/* grader_tests.h - helpers of the grader's own tests: run bin/grader as a
 * subprocess (Criterion runs each test in a forked worker, so the grader
 * under test never shares its process) and read its JSON report
 */
#ifndef GRADER_TESTS_H
#define GRADER_TESTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct run {
	int     status;         /* exit status, 128 + signal if killed */
	char   *out;            /* stdout */
	char   *err;            /* stderr */
	double  seconds;
	bool    valgrind;       /* the grader ran under valgrind */
};

/* The wall time a check that should take `seconds` may take: valgrind
 * runs the grader itself some 10 times slower (make grader-valgrind), and
 * the suite's -j jobs share 2 cores.  A bound that catches a hang, not a
 * speed target (those are make bench's). */
#define WALL_BOUND(r, seconds) ((r)->valgrind ? 5 * (seconds) : (seconds))

/* Runs bin/grader (or $GRADER_BIN) with the NULL-terminated arguments.
 * With valgrind set, runs it under valgrind --error-exitcode=99 (leaks
 * count as errors).  extra_env, if not NULL, is one "NAME=value". */
void grader_run(struct run *r, bool valgrind, const char *extra_env, ...);
void run_release(struct run *r);

/* Grades a submission with --json (plus extra arguments, NULL-terminated)
 * and returns the parsed report (NULL if stdout is not JSON). */
json_t *grade_json(struct run *r, const char *file, ...);

/* The entry of the tests (or edge_cases) array named name, or NULL. */
json_t *report_test(json_t *report, const char *name);
const char *report_status(json_t *report, const char *name);
const char *report_message(json_t *report, const char *name);

#endif /* GRADER_TESTS_H */
