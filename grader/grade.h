/* grade.h - the verdict of one submission, as the reporters print it
 *
 * Assembled by grade_file() from the stages' results: build (compiled, the
 * compiler's message, the missing functions: struct build_verdict, applied
 * by build_apply()), header (struct header_gaps and the missing functions'
 * prototypes, header_apply()), inspect (norm, vetting:
 * inspection_apply_norm(), inspection_apply_vet()),
 * explain (the tests' statuses and messages, from the run stage's records:
 * explain_run()) and score (points, passed).  Owns all its strings; release with
 * grade_release().
 */
#ifndef GRADER_GRADE_H
#define GRADER_GRADE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec.h"

enum test_status {
	ST_PASS,
	ST_FAIL,
	ST_CRASH,
	ST_TIMEOUT,
	ST_LEAK,
	ST_MEMORY_ERROR,
	ST_NOT_RUN,
};

/* "pass", "fail", ... as in the JSON report. */
const char *status_name(enum test_status st);
/* The status named s, or -1. */
int status_parse(const char *s);

/* Why a submission is refused whatever its score (score.c decides, from
 * the spec's pass_rule and norm): the kinds, most serious first. */
enum finding {
	FINDING_NONE,
	FINDING_BUILD,          /* it does not build */
	FINDING_HEADER,         /* its header (-H) disagrees with the contract */
	FINDING_NOT_RUN,        /* refused before any test ran (vet) */
	FINDING_NORM,           /* a norm violation, the norm blocking */
	FINDING_FORBIDDEN_CALL, /* a call the sandbox stopped (check_security) */
	FINDING_CRASH,
	FINDING_MEMORY_ERROR,   /* check_memory */
	FINDING_TIMEOUT,
	FINDING_LEAK,           /* check_memory */
	FINDING_FAILED_TRAP,
	FINDING_FAILED_REQUIRED,
	FINDING_SCORE,          /* below the passing score */
};

/* "crash", "failed_required", ... as in the JSON report. */
const char *finding_name(enum finding f);

struct blocker {
	enum finding kind;
	const char  *test;              /* the test's name; NULL for the file */
	bool         bonus;             /* found in the bonus table */
	bool         edge;              /* in one of the driver's edge cases */
};

/* Where a timed-out test's CPU time went (the harness's profiler). */
struct timeout_evidence {
	bool     known;                 /* sampled at least once */
	bool     guest;                 /* the last sample was inside kvm_run() */
	uint64_t guest_rip;
	uint64_t instructions;          /* retired in that kvm_run() */
	bool     rip_outside;           /* RIP past the end of guest memory */
};

struct test_result {
	const struct spec_test *spec;   /* NULL for an edge case */
	const struct spec_edge *edge;   /* NULL for a test */
	const char *name;               /* the spec's */
	enum test_status status;
	int         points, max_points;
	bool        trap;
	const char *trap_explanation;   /* the spec's, or NULL */
	bool        required;           /* the spec's (an edge case always is) */
	bool        unselected;         /* left out by --only: not a finding */
	bool        forbidden_call;     /* the sandbox stopped a call in it */
	int         signal;             /* the signal that ended its process, or 0 */
	bool        exited_midway;      /* its process exited before the test ended */
	enum finding blocking;          /* set by score_grade(); NONE if not */
	char       *message;            /* why it did not pass ("" if it did) */
	char       *output;             /* what the submission printed (excerpt) */
	size_t      output_bytes;
	unsigned    ms;
	char       *reproduce;
	struct timeout_evidence evidence; /* a timeout's; zero otherwise */
};

struct table_result {
	struct test_result *tests;
	size_t  n;
	int     score, max_score;
	bool    graded;                 /* false: not run (bonus not asked for) */
	int     earned;                 /* points of its passing tests */
	bool    forfeit;                /* blocking findings: score 0 (bonus) */
};

struct norm_violation {
	char *function;
	char *location;                 /* "file.c:12 (func)" or "" */
	char *why;                      /* "forbidden", "not in allowed_functions", ... */
	bool  runtime;                  /* stopped by the sandbox while a test ran */
};

/* How a student's header (-H) disagrees with the contract (header_check.c). */
enum header_gap_kind {
	HG_UNPARSED,            /* the header does not compile: detail says why */
	HG_TYPE_MISSING,        /* a type of the contract is not declared */
	HG_TYPE_KIND,           /* declared as another kind of type */
	HG_TYPE_SIZE,           /* sizeof differs */
	HG_TYPE_ALIGN,          /* _Alignof differs */
	HG_FIELD_MISSING,       /* a field of the contract is not in the struct */
	HG_FIELD_OFFSET,        /* offsetof differs */
	HG_FIELD_TYPE,          /* the field's type is not the contract's */
	HG_FUNCTION_MISSING,    /* a prototype of the contract is not declared */
	HG_FUNCTION_TYPE,       /* declared with another prototype */
	HG_CONSTANT_VALUE,      /* a #define or enum constant has another value */
};

struct header_gap {
	enum header_gap_kind kind;
	char    *name;                  /* the type, function or constant */
	char    *member;                /* the field ("io.port"), or NULL */
	unsigned contract_line;         /* where the contract declares it */
	unsigned student_line;          /* where the student's header does; 0 */
	char    *contract_value;        /* the contract's offset, size, type... */
	char    *student_value;         /* the student's; NULL when missing */
};

/* A function of the contract the submission does not define. */
struct missing_function {
	char    *name;
	char    *prototype;             /* as the contract declares it, or NULL */
	unsigned line;                  /* its line in the contract, or 0 */
};

struct grade {
	char       *file;               /* as given on the command line */
	uint64_t    seed;
	bool        valgrind;
	char       *note;               /* e.g. valgrind missing; NULL */

	bool        compiled;
	char       *compile_message;    /* "" when compiled */
	char       *refused;            /* vetted out before any test: why; or NULL */
	char       *compile_command;    /* how to rebuild by hand; NULL */
	unsigned    compile_errors;     /* errors in the compiler's output */

	char       *header;             /* -H, or NULL: the pack's was used */
	char       *contract;           /* the pack's header */
	bool        header_nearby;      /* no -H, and a header sits next to the file */
	struct header_gap *header_gaps; /* the student's header against the contract */
	size_t      nheader_gaps;
	struct missing_function *missing; /* required functions not defined */
	size_t      nmissing;

	bool        norm_ran;           /* the object existed: the norm was checked */
	bool        norm_ok;
	bool        norm_blocking;
	struct norm_violation *violations;
	size_t      nviolations;

	struct table_result base, bonus, edges;
	bool        has_bonus_function;

	int         passing_score;
	bool        passed;
	bool        partial;            /* --only left tests out */
	struct blocker *blockers;       /* why it is refused, most serious first */
	size_t      nblockers;
	unsigned    total_ms;
};

void grade_add_violation(struct grade *g, const char *function,
			 const char *location, const char *why);
/* The same, for a call the sandbox stopped while a test ran. */
void grade_add_runtime_violation(struct grade *g, const char *function,
				 const char *why);
/* A required function the submission does not define (the build's
 * verdict, applied by grade_file.c). */
void grade_add_missing(struct grade *g, const char *function);
void grade_release(struct grade *g);

#endif /* GRADER_GRADE_H */
