/* sysfilter.h - the seccomp filters that keep a submission from reaching
 * the kernel without the C library (an inline `syscall`, or a jump into
 * libc's syscall())
 *
 * The calls watched are those of sysfilter.def.  Two ways to enforce them,
 * chosen by the grader when it starts the harness (--sysfilter MODE):
 *
 *   notify  Before valgrind starts, the grader's jail installs a filter that
 *           sends every watched call to a listener the grader holds
 *           (SECCOMP_RET_USER_NOTIF).  The grader lets bwrap, valgrind and
 *           the supervisor through, and stops a worker that tries one: it
 *           knows the call, its arguments and the process, from the kernel,
 *           so a submission cannot forge or hide the attempt.  A worker marks
 *           itself with a second filter (allow everything) before the first
 *           test: the grader tells a worker from the supervisor by the count
 *           of filters in /proc/PID/status.
 *   kill    No listener (an old kernel, or a grader that itself runs under
 *           valgrind, which does not pass seccomp(2) on): the worker installs
 *           a filter that kills it with SIGSYS on any watched call.  Its name
 *           is lost: the supervisor reports a SIGSYS.
 *
 * Valgrind runs the client's system calls itself, in the same process: the
 * filters see valgrind's calls too.  None of the watched ones is made by
 * valgrind in a worker after its start (measured on the grader's own tests),
 * and prctl(PR_SET_SECCOMP), which the worker uses, is passed on by valgrind
 * where seccomp(2) is not.
 */
#ifndef WW_SYSFILTER_H
#define WW_SYSFILTER_H

#include <linux/filter.h>
#include <sys/types.h>

enum ww_sysfilter_mode {
	WW_SYSFILTER_OFF,       /* no filter: seccomp is not available */
	WW_SYSFILTER_NOTIFY,
	WW_SYSFILTER_KILL,
};

enum ww_sysrule {
	WW_SYSRULE_DENY,
	WW_SYSRULE_THREAD,
	WW_SYSRULE_NOSYS,
	WW_SYSRULE_SELF,
	WW_SYSRULE_PRCTL,
};

struct ww_syscall {
	int              nr;
	const char      *name;
	enum ww_sysrule  rule;
	int              patharg;       /* -1: none */
	const char      *what;
};

/* The watched call numbered nr (x86-64), or NULL. */
const struct ww_syscall *ww_syscall_find(long nr);

/* "off", "notify", "kill" and back (-1 for an unknown name). */
const char *ww_sysfilter_mode_name(enum ww_sysfilter_mode mode);
int ww_sysfilter_mode_parse(const char *s);

enum ww_filter_kind {
	WW_FILTER_LISTEN,       /* the grader's: watched calls notify */
	WW_FILTER_KILL,         /* the worker's fallback: watched calls kill */
	WW_FILTER_MARK,         /* the worker's marker: allows everything */
};

/* Fills prog with the filter of kind (a static buffer: one at a time).
 * self is the pid signals may go to (WW_FILTER_KILL only).  Every kind
 * kills a 32-bit or x32 system call outright. */
void ww_sysfilter_build(enum ww_filter_kind kind, pid_t self, struct sock_fprog *prog);

/* The worker, before running any submission code: installs its filter for
 * mode (nothing for WW_SYSFILTER_OFF).  Returns 0, or -1 with errno set. */
int ww_sysfilter_arm(enum ww_sysfilter_mode mode);

#endif /* WW_SYSFILTER_H */
