/* spec_check.h - the JSON-checking kit of the spec loader (internal to
 * spec*.c)
 *
 * spec_validate() walks the document with one small checker per kind of
 * value; each records a problem with the JSON path where it was found
 * ("tests[3].points: ...") and goes on, so that an instructor sees every
 * problem of a spec at once.  The sections (spec.c, spec_driver.c) are
 * written with these.
 */
#ifndef GRADER_SPEC_CHECK_H
#define GRADER_SPEC_CHECK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "spec.h"

/* One walk over a document: the spec it fills, the problems it finds. */
struct vctx {
	struct spec    *spec;
	struct strlist *problems;
	unsigned        flags;
	size_t          with_en, without_en;    /* tests with English texts or not */
};

/* Records "path: message" (the top level is "(top level)"). */
void problem(struct vctx *v, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "a string", "an object", ... for a message. */
const char *type_name(const json_t *j);

/* path.key, or key at the top level; path[i].  In a static rotating
 * buffer: use the result before a few more calls. */
const char *sub(const char *path, const char *key);
const char *idx(const char *path, size_t i);

/* Unknown keys of obj are problems; so are missing required ones.  keys is
 * a NULL-terminated list, a leading '?' marks an optional key. */
void check_keys(struct vctx *v, json_t *obj, const char *path,
		const char *const *keys);

/* The member key of obj if present and of the wanted type; else a problem
 * (if present) and NULL. */
json_t *get_typed(struct vctx *v, json_t *obj, const char *path, const char *key,
		  json_type type, const char *what);

/* Typed members: NULL / false (and a problem) when absent, of another type
 * or out of range. */
const char *get_str(struct vctx *v, json_t *obj, const char *path,
		    const char *key, bool nonempty);
bool get_int(struct vctx *v, json_t *obj, const char *path, const char *key,
	     long long min, long long max, long long *out);
bool get_bool(struct vctx *v, json_t *obj, const char *path, const char *key,
	      bool *out);

/* A C identifier. */
bool is_identifier(const char *s);

/* An array of non-empty strings into out (duplicates are problems). */
void get_strings(struct vctx *v, json_t *obj, const char *path, const char *key,
		 bool identifiers, struct strlist *out);

/* rel, relative to the spec's folder (malloc'd). */
char *resolve(const struct spec *spec, const char *rel);

/* rel must be a readable regular file; its resolved path in *resolved
 * when not NULL (malloc'd). */
void check_file(struct vctx *v, const char *path, const char *rel,
		char **resolved);

/* The "en" object beside obj's French texts (spec.c): the same texts,
 * into en; edge is true for an edge case (only trap_explanation). */
void check_en(struct vctx *v, json_t *obj, const char *where, bool edge,
	      struct spec_en *en);

/* The driver section (spec_driver.c): the reference, the edge cases, the
 * fuzzing. */
void check_driver(struct vctx *v, json_t *root);

#endif /* GRADER_SPEC_CHECK_H */
