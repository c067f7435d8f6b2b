/* norm.h - the norm: which library functions a submission may call
 *
 * Checked on the undefined symbols of the compiled object, before the
 * grader renames anything.  A symbol is fine if the spec allows it or if gcc
 * and glibc emit it on their own (memcpy/memset for struct copies, puts for
 * a printf rewrite, __stack_chk_fail, ...).  A forbidden entry names a
 * family: "exec" is every exec*, "open" is open64/openat too, "fork" is
 * vfork/clone too.  Each violation is located at its call sites from
 * objdump's relocations and line table.
 */
#ifndef GRADER_NORM_H
#define GRADER_NORM_H

#include "grade.h"
#include "spec.h"

/* Adds the violations of object (compiled from a file named src_base) to g.
 * undefined: its undefined symbols.  scratch: where temporary files go. */
void norm_check(const struct spec *spec, const char *object,
		const struct strlist *undefined, const char *scratch,
		struct grade *g);

#endif /* GRADER_NORM_H */
