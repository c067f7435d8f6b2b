/* score.h - points and the final verdict
 *
 * A table's score is the sum of the points of its passing tests.  The
 * submission passes iff it compiled, the norm holds (when blocking), and the
 * base score reaches passing_score.  A blocking norm violation makes the
 * score 0 (what the tests earned stays in earned).  The bonus table has a
 * score of its own and does not change the verdict.
 */
#ifndef GRADER_SCORE_H
#define GRADER_SCORE_H

#include "grade.h"

struct score_summary {
	int earned;             /* points of the passing base tests */
};

void score_grade(struct grade *g, struct score_summary *s);

#endif /* GRADER_SCORE_H */
