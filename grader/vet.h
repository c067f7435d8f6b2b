/* vet.h - what a submission may not contain: code that would run outside
 * the tests, or reach the kernel and valgrind behind the norm's back
 *
 * The harness executable links the submission with the supervisor, which
 * never calls the submission's code; three things would run it there
 * anyway, before the supervisor's main() or after it, with the grader's
 * record channel open: a constructor or destructor (.init_array and the
 * like), a GNU ifunc resolver (run by the dynamic loader), and a global
 * function named like a C library function the harness calls (it would
 * replace the library's for the harness too).  Those are refused: no test
 * runs.
 *
 * A system call instruction (inline assembly) or a valgrind client request
 * (the magic rol sequence, which can silence memcheck) in the submission's
 * code is not refused, it is a norm violation at its file:line; the tests
 * run, and the sandbox's system call filter stops what the call would do.
 */
#ifndef GRADER_VET_H
#define GRADER_VET_H

#include "inspect.h"

/* Looks at an object through its nm -P listing and its dump
 * (inspect_dump()'s objdump).  Sets in->refused (malloc'd) when the
 * submission must not run, adds norm violations to in->vet; scratch: where
 * vet_prepare() may run nm.  Returns -1 with *err when it cannot. */
int vet_object(const char *listing, const char *dump, const char *scratch,
	       struct inspection *in, char **err);

/* Computes, once per process, what every vet_submission() needs whatever
 * the submission (the C library functions the harness calls), running nm
 * in the directory scratch.  Called before forking a grade per file, it
 * is computed once for them all.  Returns -1 with *err when nm fails. */
int vet_prepare(const char *scratch, char **err);

#endif /* GRADER_VET_H */
