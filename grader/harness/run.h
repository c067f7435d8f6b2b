/* run.h - the items the supervisor runs and the records between its parts
 *
 * An item is a test of the table (T) or an edge case of the spec's driver
 * (E).  The worker runs items in order and sends, for each, a BEGIN record
 * then an END record carrying its verdict; the supervisor forwards verdicts
 * to the grader and makes its own for an item whose worker died or hung.
 */
#ifndef WW_RUN_H
#define WW_RUN_H

#include <stdint.h>

#include <sys/types.h>

#include "harness.h"
#include "sysfilter.h"

struct ww_item {
	char          kind;          /* 'T' or 'E' */
	const char   *name;
	ww_test_fn   *fn;
	unsigned      timeout_ms;
	uint64_t      edge_arg;       /* E only */
	const char   *edge_expected;  /* E only */
};

struct ww_params {
	uint64_t  seed;
	unsigned  fuzz_iterations;
	uint64_t  fuzz_min, fuzz_max;
	bool      oracle_reference;     /* compare with the linked reference */
	enum ww_sysfilter_mode sysfilter;       /* how the worker arms itself */
	pid_t     supervisor;           /* the worker's parent */
};

enum ww_rec_kind { WW_REC_BEGIN = 1, WW_REC_END = 2, WW_REC_DONE = 3 };

struct ww_rec_hdr {
	uint64_t token;
	uint32_t kind;
	uint32_t item;
	uint32_t len;       /* payload bytes that follow (a proto line) */
	uint32_t pad;       /* written as 0: no uninitialised byte in a write */
};

#define WW_REC_MAX (64 * 1024)
/* A worker that could not arm its system call filter ends with this
 * status before running anything (the reason is on the board's phase). */
#define WW_EXIT_UNARMED 124
#define WW_OUTPUT_EXCERPT 2048
/* What a test may print: the output file keeps it all up to the flood
 * limit, where the supervisor stops the test; past the cap, the verdict's
 * message says how much was dropped from what the report shows. */
#define WW_OUTPUT_CAP   (64u * 1024)
#define WW_OUTPUT_FLOOD (16u * 1024 * 1024)

/* The worker: runs items[start..n) then ends.  Never returns.  rec_fd is
 * the write end of the record pipe, out_fd the output file. */
void ww_worker_run(const struct ww_item *items, unsigned n, unsigned start,
		   const struct ww_params *params, int rec_fd, int out_fd,
		   uint64_t token) __attribute__((noreturn));

#endif /* WW_RUN_H */
