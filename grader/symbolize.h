/* symbolize.h - turn the addresses the harness reports into file:line
 *
 * The harness writes a call site as "@{0xADDR}" and a crash's stack as
 * "@{frames}" (with the addresses in the result's frames field); the
 * executable is linked without PIE, so addr2line maps them directly.
 */
#ifndef GRADER_SYMBOLIZE_H
#define GRADER_SYMBOLIZE_H

#include "grade.h"

/* Rewrites the messages of every result of g. */
void symbolize_grade(struct grade *g, const char *exe, const char *src_base,
		     const char *scratch);

#endif /* GRADER_SYMBOLIZE_H */
