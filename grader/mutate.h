/* mutate.h - generated mutants of a reference: what each changes, how it
 * was judged, and the instructor's list of reviewed equivalents
 *
 * `grader mutate` (cmd_mutate.c) asks mutate_generate() (mutate_gen.c, on
 * libclang's syntax tree) for every mutant of the reference, grades them,
 * marks the reviewed equivalents (mutate_equiv.c) and prints the result
 * (mutate_report.c).  A mutant is one byte range of the reference replaced
 * by another text; its identity (id) is stable across unrelated edits of
 * the file: function, operator, original and replacement text, and the
 * occurrence of that same change inside the function, never a line number.
 */
#ifndef GRADER_MUTATE_H
#define GRADER_MUTATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util.h"

enum mutant_status {
	MUT_PENDING,            /* not graded (out of --function/--changed-since) */
	MUT_NOT_COMPILING,      /* the compiler refused it: no mutant at all */
	MUT_EQUIVALENT,         /* its object code is the reference's */
	MUT_DUPLICATE,          /* its object code is another mutant's */
	MUT_KILLED,             /* refused, as a student would be */
	MUT_SURVIVED,           /* passed: a blind spot of the tests */
	MUT_REVIEWED,           /* survived, listed as equivalent with a reason */
};

/* "killed", "survived", ... as in the JSON report. */
const char *mutant_status_name(enum mutant_status s);

struct mutant {
	const char *op;         /* the operator's name (static) */
	char   *function;
	unsigned line, column;  /* 1-based, of the change's start */
	size_t  offset, len;    /* the byte range of the reference replaced */
	char   *original;       /* the text of that range */
	char   *replacement;
	unsigned occurrence;    /* 0-based, among the same change in the function */
	char   *id;             /* function:op:original->replacement#occurrence */

	/* set by the grading */
	enum mutant_status status;
	bool    selected;       /* within --function and --changed-since */
	bool    valgrind;       /* needed a run under valgrind */
	bool    listed;         /* in the reviewed equivalents (mutate_equiv_mark) */
	bool    native_only;    /* passed natively and listed: not run under
				 * valgrind (--recheck-equivalents runs it) */
	int     score;          /* base score (killed or survived) */
	unsigned ms;
	size_t  same_as;        /* MUT_DUPLICATE: the mutant whose code it has */
	char   *refused_because;        /* MUT_KILLED: the first blocking finding */
	struct strlist killers; /* tests that did not pass */
	const char *reason;     /* MUT_REVIEWED: the equivalents file's (borrowed) */
};

struct mutant_set {
	char   *source;         /* the reference's text */
	size_t  source_len;
	struct mutant *v;
	size_t  n;
};

/* Parses file with libclang (args: the compiler's -I/-D/-std options) and
 * fills set with every mutant of every function defined in it, in source
 * order.  Returns -1 with *err (malloc'd) when the file cannot be read or
 * parsed. */
int mutate_generate(const char *file, const char *const *args, int nargs,
		    struct mutant_set *set, char **err);

/* The reference with mutant m applied, malloc'd (length in *len). */
char *mutant_apply(const struct mutant_set *set, const struct mutant *m, size_t *len);

void mutant_set_release(struct mutant_set *set);

/* The reviewed equivalents: a JSON file
 *   { "equivalents": [ { "reference": "ref_solution.c", "id": "...",
 *                        "reason": "..." }, ... ] }
 * an entry applying to the reference of that file name (every reference
 * when "reference" is absent).
 * Loaded once; mutate_equiv_apply() turns the survivors listed there into
 * MUT_REVIEWED, and lists in *stale the ids that no longer name a
 * survivor (killed now, or gone), for the instructor to clean up. */
struct mutate_equiv {
	json_t *root;           /* NULL: no file */
};

/* A missing file is an empty list; a malformed one is an error (-1, *err). */
int mutate_equiv_load(struct mutate_equiv *e, const char *path, char **err);
/* Before the grading: sets listed on each mutant the file names. */
void mutate_equiv_mark(const struct mutate_equiv *e, struct mutant_set *set,
		       const char *reference_base);
void mutate_equiv_apply(const struct mutate_equiv *e, struct mutant_set *set,
			const char *reference_base, struct strlist *stale);
void mutate_equiv_release(struct mutate_equiv *e);

/* --function and --changed-since (NULL: no limit): sets each mutant's
 * selected.  -1 with *err when no function has that name or git fails
 * (run in scratch). */
int mutate_select(struct mutant_set *set, const char *reference, const char *function,
		  const char *changed_since, const char *scratch, char **err);

/* The counts and the score (killed / (killed + survived)), over the
 * selected mutants. */
struct mutate_summary {
	size_t generated, selected, not_compiling, equivalent, duplicate, reviewed;
	size_t killed, survived, valgrind;
	size_t native_only;     /* reviewed equivalents not run under valgrind */
	double score;           /* 0..100; -1 when nothing was graded */
	unsigned ms;            /* the whole run */
};

void mutate_summarize(const struct mutant_set *set, struct mutate_summary *s);

/* The text report: counts, score per function, survivors by function with
 * the line before and after. */
void mutate_report_text(FILE *f, const struct mutant_set *set,
			const struct mutate_summary *s, const char *reference,
			double threshold, const struct strlist *stale);
/* The same as one JSON object. */
json_t *mutate_report_json(const struct mutant_set *set,
			   const struct mutate_summary *s, const char *reference,
			   double threshold, const struct strlist *stale);

/* The Stryker report (report, a JSON file) and its offline HTML page
 * (html), either NULL: m holds a row per graded mutant (file: its index in
 * set, path: its source), judged here.  Errors are said on stderr; -1. */
struct matrix;
int mutate_report_stryker(struct matrix *m, const struct mutant_set *set,
			  const char *reference, const char *report, const char *html,
			  const char *title, const char *scratch);

#endif /* GRADER_MUTATE_H */
