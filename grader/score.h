/* score.h - points, blocking findings and the verdict
 *
 * A table's score is the sum of the points of its passing tests.  The
 * points are partial credit; the verdict is stricter.  A submission passes
 * iff it built, nothing blocking happened, and its base score reaches the
 * spec's passing_score.  Blocking, each kind as the spec says:
 *
 *   build            it does not build (always)
 *   not_run          refused before the tests: code that would run outside
 *                    them (always)
 *   norm             a call the norm forbids or does not allow
 *                    (norm.blocking; the score is then 0 too)
 *   forbidden_call   a call the sandbox stopped while a test ran
 *                    (norm.check_security)
 *   memory_error,    what valgrind or the allocation tracker saw in a test
 *   leak             (norm.check_memory)
 *   crash, timeout   a test that crashed or ran out of time
 *                    (pass_rule.blocking)
 *   failed_trap      a trap test that did not pass (pass_rule.blocking)
 *   failed_required  a test marked "required", or one of the driver's edge
 *                    cases, that did not pass (pass_rule.blocking)
 *   score            the base score below passing_score (always)
 *
 * A test's finding is the first kind of that list that applies to it.  The
 * bonus table, graded when the submission defines its functions, is judged
 * the same way: a blocking finding there makes its score 0 (its points stay
 * in earned) and, with pass_rule.bonus "refuse", refuses the submission.
 * Tests left out by --only are no finding.
 */
#ifndef GRADER_SCORE_H
#define GRADER_SCORE_H

#include "grade.h"
#include "spec.h"

/* Points (each table's earned and score), blocking findings (g->blockers,
 * most serious first) and g->passed, from the tests' results and the spec's
 * rule. */
void score_grade(struct grade *g, const struct pass_rule *rule);

/* "a crash in test_alloc_failures", "does not build", ...: one blocker in
 * words, into a malloc'd string. */
char *blocker_text(const struct blocker *b, const struct grade *g);

#endif /* GRADER_SCORE_H */
