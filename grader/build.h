/* build.h - turn a submission into the harness executable
 *
 * In a private scratch directory: copy the header and the submission,
 * compile the submission alone with the spec's flags plus -O0 -fno-builtin
 * -g (so each allocation in the source is one call in the object), look at
 * its symbols (main, the required functions, names the grader reserves,
 * maeve_tries_to_escape), check the norm, rename its library calls to the
 * harness's ww_* wrappers (objcopy --redefine-sym, on that object only) and
 * link it with the prebuilt harness library.
 *
 * A submission that cannot be built is a verdict, not an error: build_run()
 * then returns 0 with g->compiled false and g->compile_message set.  It
 * returns -1 only when the grader itself cannot work (no compiler, no
 * harness library, no scratch space), with a message in *err.
 */
#ifndef GRADER_BUILD_H
#define GRADER_BUILD_H

#include "grade.h"
#include "spec.h"

/* The most lines of compiler output a grade keeps (g->compile_errors
 * counts them all). */
#define BUILD_MAX_LINES 40

struct build {
	char *scratch;          /* the scratch directory (owned, removed by release) */
	char *exe;              /* the harness executable */
	char *object;           /* the submission's object, before renaming */
	char *src_base;         /* the submission's file name */
	bool  keep;             /* do not remove the scratch directory */
	bool  with_oracle;      /* the reference is linked in (ref_*) */
};

struct build_opts {
	const char *file;       /* the submission */
	const char *header;     /* -H, or NULL for the spec's */
	const char *libdir;     /* where libharness.a is */
	const char *oracle;     /* the spec's reference, linked with its globals
				 * prefixed ref_ (fuzzing oracle "reference"); NULL: none */
	bool        keep;
};

int build_run(struct build *b, const struct spec *spec,
	      const struct build_opts *o, struct grade *g, char **err);
void build_release(struct build *b);

/* The directory holding libharness.a: $GRADER_LIBDIR, else
 * <dir of this executable>/../build/grader.  Malloc'd. */
char *build_default_libdir(void);

#endif /* GRADER_BUILD_H */
