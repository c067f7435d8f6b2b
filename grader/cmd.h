/* cmd.h - the subcommands of bin/grader; main.c parses their options
 *
 * Each returns the process's exit code (enum grader_exit in util.h).
 */
#ifndef GRADER_CMD_H
#define GRADER_CMD_H

#include <stdbool.h>
#include <stdint.h>

struct test_opts {
	const char *argv0;      /* for the reproduce commands */
	const char *spec;
	const char *file;
	const char *header;     /* -H */
	const char *only;
	bool        json;
	bool        bonus;
	bool        has_seed;
	uint64_t    seed;
	bool        no_valgrind;
	bool        keep;
};

struct qcm_opts {
	const char *spec;
	const char *answers;
	bool        json;
};

struct mutants_opts {
	const char *argv0;      /* for the reproduce commands */
	const char *reference;  /* -r: must pass everything first */
	const char *spec;
	const char *junit;      /* --junit FILE, or NULL */
	const char *report;     /* --report FILE (Stryker JSON), or NULL */
	const char *html;       /* --html FILE, or NULL */
	const char *changed_since;      /* a git revision, or NULL */
	unsigned    jobs;       /* files graded at once */
	bool        validate;   /* exit 1 when an expectation fails */
	bool        json;
	bool        has_seed;
	uint64_t    seed;
	bool        no_valgrind;
};

struct mutate_opts {
	const char *argv0;      /* for the reproduce commands */
	const char *reference;  /* -r: the file mutated; must pass everything */
	const char *spec;
	const char *function;   /* --function NAME, or NULL for all */
	const char *changed_since;      /* a git revision, or NULL */
	const char *equivalents;        /* --equivalents FILE, or NULL for the
					 * pack's mutants/equivalent.json */
	const char *report;     /* --report FILE (Stryker JSON), or NULL */
	const char *html;       /* --html FILE, or NULL */
	unsigned    jobs;       /* mutants graded at once */
	bool        validate;   /* exit 1 below the spec's mutation.threshold */
	bool        json;
	bool        has_seed;
	uint64_t    seed;
	bool        no_valgrind;
	bool        keep;
};

int cmd_validate_spec(const char *spec_path);
int cmd_test(const struct test_opts *o);
int cmd_qcm(const struct qcm_opts *o);
int cmd_mutants(const struct mutants_opts *o);
int cmd_mutate(const struct mutate_opts *o);

#endif /* GRADER_CMD_H */
