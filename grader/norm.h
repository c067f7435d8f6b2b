/* norm.h - the norm: which library functions a submission may call
 *
 * Checked on the undefined symbols of the compiled object, before the
 * grader renames anything.  A symbol is fine if the spec allows it or if gcc
 * and glibc emit it on their own (memcpy/memset for struct copies, puts for
 * a printf rewrite, __stack_chk_fail, ...).  A forbidden entry names a
 * family: "exec" is every exec*, "open" is open64/openat too, "fork" is
 * vfork/clone too.  Each violation is located at its call sites from
 * objdump's relocations and line table (the inspect stage's one objdump).
 */
#ifndef GRADER_NORM_H
#define GRADER_NORM_H

#include <stdbool.h>

#include "inspect.h"
#include "spec.h"

/* Whether some undefined symbol is one the norm speaks of (norm_check()
 * then places it: the objdump is worth running). */
bool norm_needs_places(const struct spec *spec, const struct strlist *undefined);

/* Adds the violations of an object to in->norm and sets in->norm_ran.
 * undefined: its undefined symbols (nm); dump: inspect_dump()'s output,
 * where each call is placed, or NULL (the violations are not placed). */
void norm_check(const struct spec *spec, const struct strlist *undefined,
		const char *dump, struct inspection *in);

#endif /* GRADER_NORM_H */
