/* header_check.h - does a student's header agree with the contract?
 *
 * The harness is compiled against the pack's header (the contract); a
 * submission compiled against its own header must therefore lay out every
 * type exactly as the contract does, and declare every function with the
 * same prototype, or the tests would read its structures at the wrong
 * offsets.  header_check() parses both headers with libclang (the
 * compiler's own layout: sizeof, _Alignof, offsetof of every field, nested
 * ones too) and compares, type by type, field by field:
 *
 *   - every typedef and tagged struct, union or enum of the contract: its
 *     size and alignment, every field's offset and type;
 *   - every function: declared, with a compatible prototype;
 *   - every integer #define and enum constant: the same value (a macro the
 *     student's header leaves out is no gap: the harness does not see the
 *     student's macros, and code using a missing one does not compile).
 *
 * Comments, declaration order, spelling (a tag instead of a typedef, 1u
 * instead of (1u << 0)) and extra declarations do not matter.  Each gap is
 * a typed fact with the contract's line; the reporters word it.
 */
#ifndef GRADER_HEADER_CHECK_H
#define GRADER_HEADER_CHECK_H

#include <stddef.h>

#include "grade.h"

/* The differences between a student's header and the contract, in the
 * order found (header_check() fills it; grade_file() moves it into the
 * grade). */
struct header_gaps {
	struct header_gap *gap;
	size_t             n;
};

void header_gaps_release(struct header_gaps *gaps);

/* The contract's prototype of a function, as header_find_prototypes()
 * found it: one per declaration of a name asked for, in the contract's
 * order (name, prototype, line). */
struct header_prototypes {
	struct missing_function *fn;
	size_t                   n;
};

void header_prototypes_release(struct header_prototypes *p);

/* Compares the student's header with the contract's, adding each gap to
 * *gaps.  With scratch (a grade's scratch directory, for the
 * probe's log), the probe runs in a jail of the build's kind: the student's
 * header can read nothing outside its folder, the contract and the
 * system's headers.  Returns 0 (gaps or not), -1 with *err when libclang
 * cannot parse the contract itself (the grader's problem, not the
 * student's) or the jail cannot start. */
int header_check(const char *contract, const char *student, const char *scratch,
		 struct header_gaps *gaps, char **err);

/* The contract's prototypes and lines of the functions names, into *p.
 * -1 when the contract does not parse (the names alone are then shown). */
int header_find_prototypes(const char *contract, const struct strlist *names,
			   struct header_prototypes *p);

/* "field_offset", ... as in the JSON report. */
const char *header_gap_kind_name(enum header_gap_kind k);

/* The main of header-probe, the program that runs the check (argv:
 * CONTRACT STUDENT) or lists the contract's prototypes (argv: CONTRACT). */
int header_probe_main(int argc, char **argv);

/* One sentence saying what the gap is and where the contract defines it. */
char *header_gap_text(const struct header_gap *gap, const char *contract,
		      const char *student);

#endif /* GRADER_HEADER_CHECK_H */
