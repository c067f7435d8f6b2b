/* jail.h - the process a submission's code runs in, and what keeps it there
 *
 * jail_start() forks a child that leaves the grader's session, takes the
 * sandbox's resource limits (CPU time, file size, address space, processes,
 * no core dumps), dies with the grader (PR_SET_PDEATHSIG), installs the
 * system call filter whose listener the grader keeps (harness/sysfilter.h)
 * and executes the command under bubblewrap when it works here: its own pid
 * namespace, no network, private /tmp and /dev/shm, and of the file system
 * only its view (jail_view.h): the system's programs and libraries
 * read-only, the scratch directory read-only but for one writable
 * directory, nothing else (no home, no repository, no other submission, no
 * output folder).  Without bubblewrap, Landlock (when the kernel has it)
 * holds the command to the same view.
 * The environment is scrubbed (the submission reads no secret of the
 * grader's).
 *
 * While the command runs, the caller polls jail.listener and calls
 * jail_service() when it is readable: the jail lets valgrind and the
 * supervisor through, stops a worker that makes a forbidden call (SIGKILL,
 * before the call happens) and records it as a violation.  jail_wait() and
 * jail_kill() end with a sweep of the jail's session and of the orphans the
 * grader reaps as a subreaper: nothing a test started outlives the grade.
 */
#ifndef GRADER_JAIL_H
#define GRADER_JAIL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "jail_view.h"
#include "sysfilter.h"

struct jail_opts {
	const char *cwd;          /* the scratch directory: read-only inside */
	const char *rw_dir;       /* writable inside (valgrind's logs) */
	const char *out_path;     /* the command's stdout and stderr */
	int         pass_fd;      /* given to the command as fd 3 (-1: none) */
	unsigned    cpu_seconds;  /* RLIMIT_CPU of every process */
	uint64_t    as_bytes;     /* RLIMIT_AS of every process */
	const char *locale_dir;   /* read-only inside when set: the harness's
				   * catalogues (default view only) */
};

/* A forbidden system call a worker attempted. */
struct jail_violation {
	pid_t  nspid;             /* the worker, as its supervisor numbers it */
	char  *name;              /* "openat" */
	char  *call;              /* openat("/tmp/x") (opens a file) */
};

struct jail {
	pid_t  pid;               /* the process started (bwrap or valgrind) */
	int    listener;          /* the filter's listener, -1 without one */
	enum ww_sysfilter_mode mode;
	bool   bwrap;             /* the command runs under bubblewrap */
	int    filters_base;      /* Seccomp_filters of the grader itself */
	struct jail_violation *v;
	size_t nv;
	unsigned swept;           /* processes the sweeps had to kill */
};

/* Whether bubblewrap works here (probed once per process: installed, able
 * to make namespaces, GRADER_NO_BWRAP unset); if not, *why says why. */
bool jail_bwrap_works(const char **why);

/* The filter mode jail_start() will get here (probed once per process, in
 * a child that installs it). */
enum ww_sysfilter_mode jail_filter_mode(void);

/* Starts argv in the jail.  Every argument equal to "@SYSFILTER@" is
 * replaced by the name of the filter mode the jail got ("notify", "kill",
 * "off").  Returns 0, or -1 with *err (malloc'd). */
int jail_start(struct jail *j, char *const argv[], const struct jail_opts *o,
	       char **err);

/* jail_start() with the view v (NULL: the system's, jail_view_add_system()
 * with valgrind, o->cwd read-only and o->rw_dir writable). */
int jail_start_view(struct jail *j, char *const argv[], const struct jail_opts *o,
		    const struct jail_view *v, char **err);

/* Answers the pending notification of the listener. */
void jail_service(struct jail *j);

/* The violation of the worker the supervisor numbers nspid, or NULL. */
const struct jail_violation *jail_violation_of(const struct jail *j, pid_t nspid);

/* Kills everything in the jail, then sweeps and reaps. */
void jail_kill(struct jail *j);

/* Waits for the command, sweeps what it left, and returns its status as
 * proc_wait() does. */
int jail_wait(struct jail *j);

void jail_release(struct jail *j);

#endif /* GRADER_JAIL_H */
