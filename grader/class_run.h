/* class_run.h - one run of grader class: what its steps share
 *
 * cmd_class.c fills it from the options, class_grade.c grades the pending
 * students, class_book.c and class_html.c write OUTDIR.
 */
#ifndef GRADER_CLASS_RUN_H
#define GRADER_CLASS_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "class.h"
#include "options.h"
#include "spec.h"

/* grader class's command line (cmd_class.c parses it). */
struct class_opts {
	struct grade_opts grading;  /* -s, --seed, --no-valgrind */
	char      **paths;      /* the submissions: folders, .c files, exports */
	size_t      npaths;
	const char *outdir;     /* -o, or --collect's */
	unsigned    jobs;       /* grades at once (per task with --slurm) */
	bool        regrade;    /* ignore the cache */
	uint64_t    max_seconds;    /* one student's cap */
	uint64_t    budget_seconds; /* the class's; 0: none */
	bool        plan_only;  /* --plan */
	bool        slurm;      /* --slurm */
	unsigned    chunk;      /* students per task */
	bool        has_task;   /* --task I */
	unsigned    task;
	bool        collect;    /* --collect OUTDIR */
};

struct class_run {
	const char *argv0;
	const char *outdir;
	struct class_plan *plan;
	const struct spec *spec;
	unsigned jobs;
	uint64_t max_ms;        /* one student's cap (0: none) */
	uint64_t budget_ms;     /* the class's (0: none) */
	bool     tty;           /* the progress bar, else a line per student */
	bool     quiet;
	/* class_grade's */
	size_t  *todo;          /* indexes into plan->s */
	size_t   ntodo, ndone;
	uint64_t t0;
	bool     interrupted;
};

/* Grades the pending students among plan->s[first .. first+count).
 * Returns 0 (each student's state says how it went; cr->interrupted after
 * Ctrl-C or SIGTERM), or -1 with *err when the pool itself failed. */
int class_grade(struct class_run *cr, size_t first, size_t count, char **err);

/* OUTDIR/students/ID/{report.txt,report.json,grade.json}, gradebook.csv,
 * class.html; the summary on stdout.  0, or -1 with *err. */
int class_book_write(const struct class_run *cr, char **err);
void class_book_summary(const struct class_run *cr, FILE *out);
int class_html_write(const struct class_run *cr, const char *path, char **err);

#endif /* GRADER_CLASS_RUN_H */
