/* report.h - the reporters: one function per format, same signature
 *
 * They print to out what the grade says and nothing else; progress and
 * diagnostics are the caller's, on stderr.
 */
#ifndef GRADER_REPORT_H
#define GRADER_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "grade.h"
#include "score.h"

struct report_info {
	const char *spec_path;
	bool        color;
};

typedef void report_fn(FILE *out, const struct grade *g, const struct report_info *ri);

report_fn report_text;
report_fn report_json;

#endif /* GRADER_REPORT_H */
