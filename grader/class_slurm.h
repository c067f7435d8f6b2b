/* class_slurm.h - a class graded by Slurm tasks (or any runner of
 * `grader class --task I`: GNU parallel, a loop over ssh)
 *
 * The plan is cut in chunks of --chunk students; task I grades chunk I
 * into the shared OUTDIR's cache and leaves OUTDIR/tasks/I.json saying
 * what it did.  --collect (or --slurm once sbatch --wait returns) reads
 * the cache and the task records and names any task that left no record
 * and any student left ungraded.
 */
#ifndef GRADER_CLASS_SLURM_H
#define GRADER_CLASS_SLURM_H

#include <stdio.h>

#include "class_run.h"

/* --plan: the students, what is left to grade, the tasks' command. */
void class_slurm_describe(const struct class_run *cr, unsigned chunk, FILE *out);
/* --task I: grades chunk I, writes OUTDIR/tasks/I.json.  Returns the exit
 * status: EXIT_PASS when every student of the chunk has a grade. */
int class_slurm_task(struct class_run *cr, unsigned task, unsigned chunk, char **err);
/* --slurm: sbatch --wait of the job array.  -1 with *err when sbatch
 * cannot be run; a failed task is not an error here (collect says). */
int class_slurm_run(struct class_run *cr, const struct class_opts *o, char **err);
/* The tasks' records: their errors onto the students still ungraded, the
 * tasks without a record named on stderr. */
void class_slurm_read_tasks(struct class_run *cr);

#endif /* GRADER_CLASS_SLURM_H */
