/* run_records.h - the run stage's reading of the harness's records
 * (run_records.c), for sandbox.c only: each record line into its item's
 * struct run_record, and whether a record refuses the submission already
 */
#ifndef GRADER_RUN_RECORDS_H
#define GRADER_RUN_RECORDS_H

#include <stdbool.h>

#include "jail.h"
#include "sandbox.h"

/* What the run stage learns while the harness runs. */
struct run_ctx {
	struct run_result *run;
	struct jail       *jail;
	bool               hello;       /* the supervisor started */
	struct run_record *last;        /* the item of the last record */
};

/* One record line from the supervisor into the item it belongs to. */
void run_record_line(struct run_ctx *c, const char *line);

/* Whether r, just finished, refuses the submission whatever comes next,
 * by the spec's rule (score.c's, for one test). */
bool run_record_refuses(const struct spec *spec, const struct run_record *r);

/* The submission's bytes, made safe for a terminal and a report: control
 * characters become '?', except newline and tab. */
void run_defang(char *s);

#endif /* GRADER_RUN_RECORDS_H */
