/* util.h - small helpers the grader's modules share: allocation that cannot
 * fail quietly, string lists, files, paths and the terminal
 *
 * The x* allocators abort on failure: the grader cannot report anything
 * without memory, and a half-built report would be a wrong verdict.
 */
#ifndef GRADER_UTIL_H
#define GRADER_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sbuf.h"       /* struct sbuf */

/* Exit codes of bin/grader (documented in main.c's --help). */
enum grader_exit {
	EXIT_PASS = 0,          /* the submission passes, the spec is valid */
	EXIT_FAIL = 1,          /* the submission fails */
	EXIT_USAGE = 2,         /* usage or system error */
	EXIT_BAD_SPEC = 3,      /* invalid spec */
};

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* A list of owned strings. */
struct strlist {
	char   **items;
	size_t   n;
};
void strlist_add(struct strlist *l, const char *s);
void strlist_addf(struct strlist *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
bool strlist_has(const struct strlist *l, const char *s);
/* The list as an argv: items, NULL-terminated (the NULL not counted in n,
 * so the list can grow again). */
char **strlist_argv(struct strlist *l);
void strlist_release(struct strlist *l);

/* Reads a whole file (NUL-terminated, length in *len if not NULL).  NULL
 * with errno set on failure. */
char *read_file(const char *path, size_t *len);
int copy_file(const char *from, const char *to);
/* Writes len bytes of data to path (created or truncated): 0, or -1 with
 * errno set. */
int write_file(const char *path, const void *data, size_t len);
/* The monotonic clock, in milliseconds: for durations and deadlines. */
uint64_t now_ms(void);
/* Removes a directory tree (the scratch directory). */
void remove_tree(const char *path);

/* A new directory $TMPDIR/NAME.XXXXXX (TMPDIR unset or empty: /tmp);
 * malloc'd, or NULL with *err (malloc'd). */
char *scratch_dir(const char *name, char **err);

/* The last component of a path (a pointer into path). */
const char *path_base(const char *path);
/* The directory of a path, malloc'd ("." for a bare name). */
char *path_dir(const char *path);
/* dir/rel, unless rel is absolute. */
char *path_join(const char *dir, const char *rel);

/* Prints to stderr "grader: " + message + "\n". */
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* True when colour may be used on fd: a terminal and NO_COLOR unset/empty. */
bool use_color(int fd);

#endif /* GRADER_UTIL_H */
