/* supervisor.h - what the supervisor's two files share (supervisor.c runs
 * the workers, supervisor_verdict.c writes the verdicts); private to them
 */
#ifndef WW_SUPERVISOR_H
#define WW_SUPERVISOR_H

#include <stdint.h>
#include <sys/types.h>

#include "run.h"
#include "sbuf.h"

/* Why the supervisor stopped a worker itself. */
enum stop {
	STOP_NONE,
	STOP_TIMEOUT,           /* the item's timeout */
	STOP_FLOOD,             /* the output passed WW_OUTPUT_FLOOD */
	STOP_FORGED,            /* not a record of the harness on its channel */
	STOP_DISORDER,          /* a record out of order */
	STOP_SILENT,            /* no BEGIN or DONE in time after an END */
};

/* The channel to the grader (--results-fd). */
extern int ww_results_fd;

uint64_t ww_now_ms(void);
/* The size of the output file. */
uint64_t ww_output_size(int out_fd);
/* rec and a newline to the grader, then rec released; exits 2 when the
 * grader went away. */
void ww_emit_line(struct sbuf *rec);

/* The verdict of items[idx], whose worker (wpid) ended (wstatus from
 * waitpid) or was stopped (why) before its END record; ms of wall clock,
 * cpu_ms of CPU time. */
void ww_report_abnormal(const struct ww_item *it, unsigned idx, int out_fd,
			enum stop why, int wstatus, pid_t wpid, uint64_t ms,
			uint64_t cpu_ms);
/* The verdict the worker gave items[idx] (its END record's payload). */
void ww_forward_end(const struct ww_item *it, unsigned idx, const char *payload,
		    pid_t wpid, uint64_t ms);
/* Every item from cur on, not run: the budget of timeouts is spent. */
void ww_report_loop_budget(const struct ww_item *items, unsigned cur, unsigned n);
/* The items that timed out so far. */
unsigned ww_ntimeouts(void);

#endif /* WW_SUPERVISOR_H */
