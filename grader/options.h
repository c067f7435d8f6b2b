/* options.h - what the commands' command lines share
 *
 * Each command (cmd_*.c) owns its options: its getopt table, its usage
 * text, its checks.  The options that say how to grade a file are the same
 * for every command that grades (test, mutants, and those to come) and are
 * kept once, in struct grade_opts, parsed by grade_opts_parse() and handed
 * as a whole to grade_file().
 */
#ifndef GRADER_OPTIONS_H
#define GRADER_OPTIONS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

/* How to grade a file: the same for every command that grades. */
struct grade_opts {
	const char *argv0;      /* for the reproduce commands */
	const char *spec_path;  /* -s, as given */
	const char *header;     /* -H, or NULL for the spec's */
	const char *only;       /* --only: a test or edge case, or NULL for all */
	bool        bonus;      /* --bonus: grade the bonus table even without
				 * the bonus function */
	bool        has_seed;   /* --seed given */
	uint64_t    seed;
	bool        no_valgrind;
	bool        keep;       /* --keep the scratch directory */
};

/* getopt_long codes of the long options without a short form. */
enum {
	OPT_JSON = 256, OPT_ONLY, OPT_SEED, OPT_BONUS, OPT_NO_VALGRIND, OPT_KEEP,
	OPT_VALIDATE, OPT_JUNIT, OPT_REPORT, OPT_HTML, OPT_CHANGED_SINCE,
	OPT_FIRST_FREE = 512,   /* a command's own codes start here */
};

/* The getopt_long entries of struct grade_opts, for a command's table. */
#define GRADE_OPT_SPEC        { "spec",        required_argument, NULL, 's' }
#define GRADE_OPT_HEADER      { "header",      required_argument, NULL, 'H' }
#define GRADE_OPT_ONLY        { "only",        required_argument, NULL, OPT_ONLY }
#define GRADE_OPT_SEED        { "seed",        required_argument, NULL, OPT_SEED }
#define GRADE_OPT_BONUS       { "bonus",       no_argument,       NULL, OPT_BONUS }
#define GRADE_OPT_NO_VALGRIND { "no-valgrind", no_argument,       NULL, OPT_NO_VALGRIND }
#define GRADE_OPT_KEEP        { "keep",        no_argument,       NULL, OPT_KEEP }

/* What a command's parser returns when the command should go on; any other
 * value is the exit code to end with (a usage error, or --help). */
enum { OPTIONS_OK = -1 };

/* Takes option c (with its argument arg) into o if it is one of
 * struct grade_opts.  Returns 1 when taken, 0 when it is not one of them,
 * -1 after printing a usage error (a bad value). */
int grade_opts_parse(struct grade_opts *o, int c, const char *arg);

/* A non-negative decimal integer; -1 if s is not one. */
int parse_count(const char *s, uint64_t *out);

/* The value of option opt ("--jobs"), a count from min to max, into *out:
 * 0, or EXIT_USAGE after printing the usage error. */
int parse_bounded(const char *opt, const char *s, uint64_t min, uint64_t max,
		  uint64_t *out);

/* What -j means when not given: the cores online. */
unsigned default_jobs(void);

/* "grader: <message> (see grader --help)" on stderr; returns EXIT_USAGE. */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The usage error getopt_long's return c means (':' a missing value,
 * anything else an unknown option) for command cmd; returns EXIT_USAGE. */
int option_error(const char *cmd, int c, char **argv);

#endif /* GRADER_OPTIONS_H */
