/* jail_view.h - what a jail may see of the file system: an explicit list
 * of paths, each read-only or writable, and nothing else
 *
 * A view is built per grade: jail_view_add_system() (the toolchain, the C
 * library and its headers, valgrind: /usr/bin, /usr/lib, /usr/libexec,
 * /usr/include, /dev/null; nothing of /etc), then the grade's own
 * paths (its scratch directory's parts, the harness library).  It holds
 * nothing of the user's home, the repository, the output folder or another
 * submission unless a caller adds them: the class command grades each
 * student with a view of that student's scratch directory only.
 *
 * Two ways to enforce it, the same list for both:
 *   - bubblewrap: jail_view_bwrap_args() makes a new root where only these
 *     paths exist (a path outside is "No such file or directory");
 *   - Landlock, where bubblewrap does not work: jail_view_landlock(), in
 *     the child before exec, makes the kernel deny every other path
 *     ("Permission denied"), TCP, abstract sockets and signals out of the
 *     jail; it holds for every process the tool starts, and cannot be
 *     undone.
 */
#ifndef GRADER_JAIL_VIEW_H
#define GRADER_JAIL_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

enum jail_access {
	JAIL_RO,        /* read, list, execute */
	JAIL_RW,        /* and create, write, remove */
	JAIL_DEV,       /* a device node, read and written (/dev/null) */
	JAIL_LINK,      /* a symbolic link re-created as it is (/bin -> usr/bin) */
};

struct jail_bind {
	char            *path;          /* absolute */
	char            *target;        /* JAIL_LINK: what it points to */
	enum jail_access access;
};

struct jail_view {
	struct jail_bind *b;
	size_t            n;
};

/* Adds path (absolute; a missing path is skipped: a view never creates
 * what the machine lacks). */
void jail_view_add(struct jail_view *v, const char *path, enum jail_access a);

/* Adds what every tool of a grade needs from the system, read-only, and
 * the directory of each program named (a GRADER_CC or GRADER_VALGRIND
 * outside /usr), found in PATH. */
void jail_view_add_system(struct jail_view *v, const char *const programs[]);

/* Whether the absolute path, as written (".." resolved on the text), is
 * inside one of the view's paths. */
bool jail_view_covers(const struct jail_view *v, const char *path);

/* Appends the bubblewrap options that build the view (binds, links). */
void jail_view_bwrap_args(const struct jail_view *v, struct strlist *args);

/* The Landlock ABI of this kernel, 0 without Landlock (or with
 * GRADER_NO_LANDLOCK set, or under valgrind, which does not pass its
 * system calls on); probed once per process. */
int jail_view_landlock_abi(void);

/* Confines the calling process and its future children to the view with
 * Landlock, network and signals included.  Sets no_new_privs.  Returns 0,
 * or -1 with errno. */
int jail_view_landlock(const struct jail_view *v);

/* One line per path ("ro /usr/bin"), for the README and --keep. */
char *jail_view_describe(const struct jail_view *v);

void jail_view_release(struct jail_view *v);

#endif /* GRADER_JAIL_VIEW_H */
