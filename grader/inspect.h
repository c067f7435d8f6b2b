/* inspect.h - the inspect stage: what the compiled object says before any
 * of it runs, from ONE nm listing (the build's, build.h's struct
 * build_symbols) and ONE objdump of the object
 *
 * The norm (norm.h) reads the object's undefined symbols and places each
 * call it does not allow from objdump's relocations and line table; the
 * vetting (vet.h) reads the sections, the symbols' kinds and the
 * instructions.  Both parse the same objdump output
 * (objdump -h -d -r -l --no-show-raw-insn), run in the build's jail: the
 * object's bytes are the submission's, once per grade: the norm runs it
 * only to place a call it refuses, the vetting (after the build's callback,
 * when the tests are to run) reuses it.  The result is facts, as fields;
 * grade_file() turns them into the verdict (inspection_apply_*()).
 */
#ifndef GRADER_INSPECT_H
#define GRADER_INSPECT_H

#include <stdbool.h>
#include <stddef.h>

#include "build.h"
#include "grade.h"
#include "spec.h"

/* A list of norm violations (struct norm_violation, grade.h). */
struct violation_list {
	struct norm_violation *v;
	size_t n;
};

struct inspection {
	bool   norm_ran;                /* the object was there: norm checked */
	struct violation_list norm;     /* library calls the norm does not allow */
	bool   vetted;                  /* the vetting ran (the tests would run) */
	char  *refused;                 /* why no test may run (vet); or NULL */
	struct violation_list vet;      /* system call instructions, client requests */
	char  *dump;                    /* the objdump, once run */
	bool   dump_failed;
};

/* The norm on b's object (b->symbols read): in->norm, in->norm_ran.  The
 * objdump runs only when a call is to be placed; when it cannot, the
 * violations are not placed. */
void inspect_norm(const struct spec *spec, const struct build *b, struct inspection *in);

/* The vetting of b's object (the tests are to run): in->refused, in->vet;
 * the objdump the norm ran, or its first run.  Returns -1 with *err when
 * the tools cannot run. */
int inspect_vet(const struct build *b, struct inspection *in, char **err);

/* The object's objdump (-h -d -r -l --no-show-raw-insn), in b's jail, that
 * the norm and the vetting parse; NULL with *err. */
char *inspect_dump(const struct build *b, char **err);

/* Into the verdict, in the report's order: g->norm_ran, the norm's
 * violations, the names the build found reserved (reserved may be NULL);
 * then, once vetted, the vetting's violations and g->refused. */
void inspection_apply_norm(const struct inspection *in, const struct strlist *reserved,
			   struct grade *g);
void inspection_apply_vet(const struct inspection *in, struct grade *g);

void violation_add(struct violation_list *l, const char *function,
		   const char *location, const char *why);
void inspection_release(struct inspection *in);

#endif /* GRADER_INSPECT_H */
