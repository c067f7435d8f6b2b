/* jail_tool.c - run a build tool where only its view exists, bounded, and
 * leave nothing behind */
#include "jail_tool.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <valgrind/valgrind.h>

#include "jail.h"
#include "jail_int.h"

#define OUTPUT_KEPT     (64u << 10)     /* of the tool's output, by default */

/* The bubblewrap options of a tool's jail: no network, no other process,
 * no capability; the root holds the view only (no /proc, no /dev but
 * /dev/null, no /tmp). */
static const char *const tool_bwrap[] = {
	"bwrap", "--die-with-parent", "--new-session", "--unshare-pid",
	"--unshare-net", "--unshare-ipc", "--unshare-uts", "--cap-drop", "ALL",
};

enum jail_confinement jail_tool_confinement(const char **why)
{
	static const char *reason;
	const char *no_bwrap = "";

	if (jail_bwrap_works(&no_bwrap)) {
		reason = "";
	} else if (jail_view_landlock_abi() > 0) {
		reason = no_bwrap;
	} else {
		if (reason == NULL)
			reason = xasprintf("%s, and %s", no_bwrap,
					   getenv("GRADER_NO_LANDLOCK") ? "GRADER_NO_LANDLOCK is set"
					   : RUNNING_ON_VALGRIND ? "the grader runs under valgrind, "
					   "which does not pass Landlock's calls on"
					   : "this kernel has no Landlock (Linux 5.13 or later, "
					   "with landlock in its lsm= list)");
		if (why)
			*why = reason;
		return JAIL_CONFINED_NONE;
	}
	if (why)
		*why = reason;
	return jail_bwrap_works(NULL) ? JAIL_CONFINED_BWRAP : JAIL_CONFINED_LANDLOCK;
}

static void limit(int res, rlim_t soft, rlim_t hard)
{
	struct rlimit cur, rl = { soft, hard };

	/* never above what we have: an unprivileged grader cannot raise */
	if (getrlimit(res, &cur) == 0 && cur.rlim_max != RLIM_INFINITY) {
		if (rl.rlim_max > cur.rlim_max)
			rl.rlim_max = cur.rlim_max;
		if (rl.rlim_cur > rl.rlim_max)
			rl.rlim_cur = rl.rlim_max;
	}
	setrlimit(res, &rl);
}

static __attribute__((noreturn)) void die(int fd, const char *what)
{
	dprintf(fd, "grader build jail: %s: %s\n", what, strerror(errno));
	_exit(126);
}

/* The child: its own session, the limits, the log as stdout and stderr,
 * nothing else open, then confined and executed. */
static __attribute__((noreturn)) void child(char *const argv[], char *const env[],
					    const char *cwd, const struct jail_view *v,
					    const struct jail_tool_limits *l, int log,
					    pid_t parent, enum jail_confinement how)
{
	int null;

	setsid();
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (getppid() != parent)
		_exit(126);
	null = open("/dev/null", O_RDONLY);
	if (null < 0 || dup2(null, 0) < 0 || dup2(log, 1) < 0 || dup2(log, 2) < 0)
		die(log, "cannot set up the descriptors");
	if (close_range(3, ~0u, 0) < 0) {
		int fd;

		for (fd = 3; fd < 1024; fd++)
			close(fd);
	}
	limit(RLIMIT_CORE, 0, 0);
	limit(RLIMIT_CPU, l->cpu_s, l->cpu_s + 1);
	limit(RLIMIT_AS, l->as_bytes, l->as_bytes);
	limit(RLIMIT_FSIZE, l->file_bytes, l->file_bytes);
	if (chdir(cwd) < 0)
		die(2, "cannot enter the build directory");
	if (how == JAIL_CONFINED_LANDLOCK && jail_view_landlock(v) < 0)
		die(2, "cannot confine the tool with Landlock");
	execvpe(argv[0], argv, env);
	die(2, argv[0]);
}

static uint64_t cpu_ms_of(const struct rusage *ru)
{
	return (uint64_t)ru->ru_utime.tv_sec * 1000 + (uint64_t)ru->ru_utime.tv_usec / 1000 +
	       (uint64_t)ru->ru_stime.tv_sec * 1000 + (uint64_t)ru->ru_stime.tv_usec / 1000;
}

/* The first kept bytes of the log; *cut when there were more, *size the
 * whole size. */
static char *read_log(int fd, size_t kept, bool *cut, uint64_t *size)
{
	struct stat st;
	char *buf;
	size_t got = 0;

	*size = fstat(fd, &st) == 0 ? (uint64_t)st.st_size : 0;
	if (kept > *size)
		kept = (size_t)*size;
	buf = xmalloc(kept + 1);
	while (got < kept) {
		ssize_t n = pread(fd, buf + got, kept - got, (off_t)got);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	*cut = *size > got;
	return buf;
}

int jail_tool_run(char *const argv[], char *const env[], const char *cwd,
		  const struct jail_view *v, const struct jail_tool_limits *l,
		  const char *log_path, struct jail_tool_result *r, char **err)
{
	struct strlist full = { 0 };
	struct rusage before, after;
	const char *why = "";
	uint64_t t0 = now_ms(), size = 0;
	int log = -1, ws = 0, ret = -1, pidfd;
	unsigned nap = 1000;
	bool failed;
	pid_t pid, w, parent = getpid();
	size_t i;

	memset(r, 0, sizeof(*r));
	r->how = jail_tool_confinement(&why);
	if (r->how == JAIL_CONFINED_NONE) {
		*err = xasprintf("cannot confine the compiler here (%s): the grader does not "
				 "build a submission where it could read any file; install "
				 "bubblewrap", why);
		goto out;
	}
	if (r->how == JAIL_CONFINED_BWRAP) {
		for (i = 0; i < sizeof(tool_bwrap) / sizeof(tool_bwrap[0]); i++)
			strlist_add(&full, tool_bwrap[i]);
		jail_view_bwrap_args(v, &full);
		strlist_add(&full, "--chdir");
		strlist_add(&full, cwd);
		strlist_add(&full, "--");
	}
	for (i = 0; argv[i]; i++)
		strlist_add(&full, argv[i]);
	strlist_argv(&full);
	log = open(log_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (log < 0) {
		*err = xasprintf("cannot create '%s': %s", log_path, strerror(errno));
		goto out;
	}
	/* orphans of the jail become ours, to be swept and reaped */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	getrusage(RUSAGE_CHILDREN, &before);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		*err = xasprintf("cannot fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0)
		child(full.items, env, cwd, v, l, log, parent, r->how);
	/* woken when the tool ends (a pidfd is readable then), not at the
	 * next of a series of naps: a grade runs several tools in a row
	 * (valgrind 3.19 does not know pidfd_open, and says so at length on
	 * stderr: naps there) */
	pidfd = RUNNING_ON_VALGRIND ? -1 : (int)syscall(SYS_pidfd_open, pid, 0);
	for (;;) {
		uint64_t spent;

		w = waitpid(pid, &ws, WNOHANG);
		if (w == pid || (w < 0 && errno != EINTR))
			break;
		spent = now_ms() - t0;
		if (spent >= l->wall_ms) {
			r->end = JAIL_TOOL_WALL;
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			while ((w = waitpid(pid, &ws, 0)) < 0 && errno == EINTR)
				;
			break;
		}
		if (pidfd >= 0) {
			struct pollfd p = { pidfd, POLLIN, 0 };
			uint64_t left = l->wall_ms - spent;

			poll(&p, 1, left > 1000 ? 1000 : (int)left);
			continue;
		}
		usleep(nap);
		if (nap < 20000)
			nap += nap / 2;
	}
	if (pidfd >= 0)
		close(pidfd);
	/* what the tool left in its session (or its namespace) goes */
	kill(-pid, SIGKILL);
	jail_sweep(pid, r->how == JAIL_CONFINED_BWRAP);
	r->ms = (unsigned)(now_ms() - t0);
	/* The CPU time of every process of the jail: reaped by the tool, by
	 * us, or by the sweep (bubblewrap's init is an orphan bwrap does not
	 * wait for); nothing else of ours ends meanwhile. */
	getrusage(RUSAGE_CHILDREN, &after);
	r->cpu_ms = (unsigned)(cpu_ms_of(&after) - cpu_ms_of(&before));
	r->output = read_log(log, l->output_kept ? l->output_kept : OUTPUT_KEPT,
			     &r->output_cut, &size);
	if (r->end != JAIL_TOOL_WALL) {
		if (w == pid && WIFEXITED(ws)) {
			r->end = JAIL_TOOL_EXITED;
			r->status = WEXITSTATUS(ws);
		} else {
			r->end = JAIL_TOOL_SIGNALED;
			r->status = w == pid && WIFSIGNALED(ws) ? WTERMSIG(ws) : SIGKILL;
		}
		/* When it failed, a process of the tool (cc1 under the driver)
		 * may have been the one a limit stopped: the totals tell.
		 * Under bubblewrap, a signal comes back as 128 + its number. */
		if (r->how == JAIL_CONFINED_BWRAP && r->end == JAIL_TOOL_EXITED &&
		    r->status > 128 && r->status < 128 + 65) {
			r->end = JAIL_TOOL_SIGNALED;
			r->status -= 128;
		}
		failed = r->end != JAIL_TOOL_EXITED || r->status != 0;
		if (failed && ((r->end == JAIL_TOOL_SIGNALED && r->status == SIGXCPU) ||
			       r->cpu_ms + 50 >= l->cpu_s * 1000u))
			r->end = JAIL_TOOL_CPU;
		else if (failed && ((r->end == JAIL_TOOL_SIGNALED && r->status == SIGXFSZ) ||
				    size >= l->file_bytes))
			r->end = JAIL_TOOL_OUTPUT;
	}
	ret = 0;
out:
	if (log >= 0)
		close(log);
	strlist_release(&full);
	return ret;
}

void jail_tool_result_release(struct jail_tool_result *r)
{
	free(r->output);
	memset(r, 0, sizeof(*r));
}
