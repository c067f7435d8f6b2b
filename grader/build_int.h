/* build_int.h - what the parts of the build share: build.c runs the steps,
 * build_symbols.c reads and judges the object's symbols, build_oracle.c
 * compiles the reference for the fuzzing oracle.  Not for the rest of the
 * grader (build.h is).
 */
#ifndef GRADER_BUILD_INT_H
#define GRADER_BUILD_INT_H

#include <stddef.h>

#include "build.h"
#include "jail_tool.h"

/* The limits of each tool of the build (build.c). */
extern const struct jail_tool_limits build_limits;

/* Library calls renamed to the harness's wrappers (harness/wraps.def). */
extern const char *const build_wrapped[];
extern const size_t build_nwrapped;

/* The compiler: $GRADER_CC, else gcc. */
const char *build_cc(void);

/* Runs one tool of the build in the jail's view v, in cwd; its output in
 * r.  Returns -1 with *err only when it could not run at all. */
int build_step(struct build *b, const struct jail_view *v, struct strlist *argv,
	       const char *cwd, struct jail_tool_result *r, char **err);

/* Runs nm on object in the view v (the object is the submission's); its
 * listing kept in sy->listing for the inspect stage. */
int build_symbols_read(struct build *b, const struct jail_view *v, const char *object,
		       struct build_symbols *sy, char **err);
void build_symbols_release(struct build_symbols *sy);

/* What the symbols say before linking: a verdict message (malloc'd), or
 * NULL; reserved names are listed in sy->reserved, missing required
 * functions in *missing. */
char *build_symbols_check(const struct spec *spec, struct build_symbols *sy,
			  struct strlist *missing);

/* Compiles the reference path for the fuzzing oracle into obj/ref.ww.o and
 * sets b->with_oracle.  Returns -1 with *err when it does not build. */
int build_oracle(struct build *b, const struct spec *spec, const char *path, char **err);

#endif /* GRADER_BUILD_INT_H */
