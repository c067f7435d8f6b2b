/* pack.h - the files of the pack that grader mutants grades: the spec's
 * validation lists, the pack files no list names, those changed since a git
 * revision
 */
#ifndef GRADER_PACK_H
#define GRADER_PACK_H

#include <stdbool.h>

#include "matrix.h"
#include "spec.h"
#include "util.h"

/* A row per entry of validation.expected_pass and expected_fail (paths
 * resolved from the spec's directory); an entry with no file goes to
 * m->missing, a .c file of the pack's mutants/ or alternatives/ in neither
 * list to m->unlisted, each with what to do about it. */
void pack_add_rows(struct matrix *m, const struct spec *spec);

/* The files of mutants/, alternatives/ and references/ changed since the
 * git revision rev (committed or not, new and untracked included), as
 * paths from the spec's directory, added to changed; *all is set when the
 * spec itself changed (then a test may have, and every file counts).
 * scratch receives git's output.  -1 with *err when git fails. */
int pack_changed_since(const struct spec *spec, const char *spec_path,
		       const char *rev, const char *scratch,
		       struct strlist *changed, bool *all, char **err);

/* Keeps the rows of m whose file is in changed (m->partial set when some
 * were dropped).  Only before grading: the rows must hold no grade yet. */
void pack_keep_changed(struct matrix *m, const struct strlist *changed);

/* realpath(path), or a copy of path when it does not exist.  Malloc'd. */
char *pack_canonical(const char *path);

#endif /* GRADER_PACK_H */
