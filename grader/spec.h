/* spec.h - the exercise's spec.json: load it, check every key, and hand the
 * grader what it needs in plain C
 *
 * spec_load() reads and parses; spec_validate() walks the whole document and
 * records every problem it finds (unknown or missing keys, wrong types,
 * numbers out of range, duplicate names, tests the harness does not
 * implement, points not summing to 100, missing files, ...) without
 * stopping at the first.  The strings of struct spec point into the parsed
 * document and live until spec_release().
 */
#ifndef GRADER_SPEC_H
#define GRADER_SPEC_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

#include "util.h"

/* The English texts beside the spec's own (French) ones: the "en" object of
 * a test or an edge case; a text is NULL where the French one is absent, all
 * are NULL when the spec carries no English. */
struct spec_en {
	const char *input;
	const char *expected;
	const char *trap_explanation;
};

struct spec_test {
	const char *name;
	const char *input;
	const char *expected;
	int         points;
	bool        trap;
	const char *trap_explanation;   /* NULL when not a trap */
	bool        required;           /* its failure refuses the submission */
	unsigned    timeout_ms;
	struct spec_en en;
};

struct spec_table {
	struct spec_test *tests;
	size_t            n;
};

struct spec_edge {
	const char *name;
	uint64_t    arg;                /* args[0]: memory_mb */
	const char *expected;           /* non_null, null, no_memory_leak, exit_hlt */
	bool        trap;
	const char *trap_explanation;
	struct spec_en en;
};

/* What refuses a submission whatever its score (pass_rule, and the norm's
 * check_memory and check_security): see score.h. */
enum bonus_rule {
	BONUS_REFUSE,           /* a blocking finding in an attempted bonus refuses
				 * the submission, and the bonus earns nothing */
	BONUS_FORFEIT,          /* it only costs the bonus points */
};

struct pass_rule {
	bool crash;             /* a test that crashed */
	bool timeout;           /* a test that ran out of time */
	bool failed_trap;       /* a trap test that did not pass */
	bool failed_required;   /* a required test (or an edge case) that did not pass */
	bool memory;            /* norm.check_memory: a leak or a memory error */
	bool security;          /* norm.check_security: a call the sandbox stopped */
	enum bonus_rule bonus;
};

struct spec_qcm {
	long        id;
	const char *question;
	const char *choices[10];        /* A..J, NULL when absent */
	char        answer;             /* 'A'..'J' */
	const char *explanation;
};

struct spec {
	char       *path;               /* as given */
	char       *dir;                /* directory relative paths start from */
	json_t     *root;

	const char *name;
	int         passing_score;
	char       *header;             /* resolved path */
	struct strlist cflags;
	uint64_t    max_source_bytes;   /* compile.max_source_bytes */
	struct strlist required;        /* base functions */
	struct strlist bonus_required;
	struct spec_table base, bonus;
	struct spec_edge *edges;
	size_t      nedges;
	bool        fuzz_enabled;
	unsigned    fuzz_iterations;
	uint64_t    fuzz_min, fuzz_max;
	bool        fuzz_has_seed;
	uint64_t    fuzz_seed;
	const char *fuzz_oracle;        /* "rule" or "reference" */
	char       *reference;          /* resolved path */
	struct strlist allowed, forbidden;
	bool        norm_blocking;
	struct pass_rule rule;
	struct strlist expected_pass, expected_fail;   /* as the spec writes them */
	struct spec_qcm *qcm;
	size_t      nqcm;
	double      mutation_threshold;         /* 0..100; -1: no gate */
};

/* compile.max_source_bytes when absent: a submission or a header larger
 * than this is refused before anything reads it. */
#define SPEC_MAX_SOURCE_BYTES (1u << 20)

/* How much validation needs: grading a submission does not need the files
 * of validation.* (mutants may not exist yet), validate-spec does. */
enum spec_check {
	SPEC_CHECK_ALL_FILES = 1 << 0,
};

/* What spec_load() found: the file, or why there is none. */
enum spec_load_result {
	SPEC_LOADED      = 0,
	SPEC_UNREADABLE  = -1,          /* cannot be read: a usage error */
	SPEC_MALFORMED   = -2,          /* not JSON: a bad spec */
};

/* Reads and parses path.  On failure returns SPEC_UNREADABLE or
 * SPEC_MALFORMED and puts a one-line message ("cannot read spec 'x.json':
 * ...") in *err (malloc'd). */
enum spec_load_result spec_load(struct spec *spec, const char *path, char **err);

/* Checks the whole document and fills the plain-C fields.  Every problem is
 * added to problems as "where: what".  Returns 0 if there are none. */
int spec_validate(struct spec *spec, unsigned flags, struct strlist *problems);

/* For the commands that grade: spec_load(), then spec_validate() (flags 0),
 * every problem on stderr.  Returns EXIT_PASS, EXIT_USAGE (the file cannot
 * be read) or EXIT_BAD_SPEC (enum grader_exit); spec can be released
 * whatever it returns. */
int spec_load_checked(struct spec *spec, const char *path);

/* The test of either table named name, or NULL. */
const struct spec_test *spec_find_test(const struct spec *spec, const char *name,
				       bool *is_bonus);

void spec_release(struct spec *spec);

#endif /* GRADER_SPEC_H */
