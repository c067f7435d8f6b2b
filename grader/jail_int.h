/* jail_int.h - what the parts of the jail share: jail.c starts it,
 * jail_child.c is the forked child, jail_bwrap.c bubblewrap,
 * jail_listen.c the seccomp listener, jail_sweep.c the end, jail_proc.c
 * the /proc readers.  Not for the rest of the grader (jail.h is).
 */
#ifndef GRADER_JAIL_INT_H
#define GRADER_JAIL_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "jail.h"
#include "util.h"

/* ---- /proc (jail_proc.c) ---- */

/* What the jail reads of a process in /proc/PID/status. */
struct jail_pstatus {
	int   filters;          /* Seccomp_filters, -1 if absent */
	pid_t nspid;            /* the innermost NSpid (its own namespace's) */
	pid_t nstgid;
	pid_t ppid;             /* in the grader's namespace */
};


/* Reads /proc/PID/status; -1 when the process is gone. */
int jail_proc_status(pid_t pid, struct jail_pstatus *ps);

/* State, parent and session of a process from /proc/PID/stat; -1 when gone. */
int jail_proc_stat(pid_t pid, char *state, pid_t *ppid, pid_t *sid);

/* Threads this user runs now: RLIMIT_NPROC counts them machine-wide. */
unsigned long jail_proc_user_threads(void);

/* ---- bubblewrap (jail_bwrap.c) ---- */

/* The options every bubblewrap jail starts with (the view comes after). */
extern const char *const jail_bwrap_base[];
extern const size_t jail_nbwrap_base;

/* ---- the child (jail_child.c) ---- */

struct jail_child_args {
	char *const      *argv;
	char            **env;
	const struct jail_opts *o;
	pid_t             parent;
	int               sock;
	rlim_t            nproc;    /* 0: leave it */
	const struct jail_view *landlock;   /* the view to enforce (no bwrap) */
};

/* The forked child: descriptors, limits, the filter, then exec. */
__attribute__((noreturn)) void jail_child_run(const struct jail_child_args *a);

/* The environment the sandbox sees (no secret of the grader's), in keep;
 * TMPDIR is tmpdir (valgrind writes there). */
char **jail_child_env(struct strlist *keep, const char *tmpdir);

/* ---- the end (jail_sweep.c) ---- */

/* Kills what is left in the jail's session (sid) and reaps what became
 * ours.  Returns the number of live processes it had to kill. */
unsigned jail_sweep(pid_t sid_of_jail, bool bwrap);

#endif /* GRADER_JAIL_INT_H */
