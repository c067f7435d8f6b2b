/* jail_child.c - the jail's child: descriptors, limits, the system call
 * filter, then exec */
#include "jail_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>
#include <valgrind/valgrind.h>

#include "proc.h"

#define FILE_SIZE_LIMIT   (64ull << 20)   /* output, valgrind's logs */
#define STACK_LIMIT       (8ull << 20)

static void set_limit(int res, rlim_t soft, rlim_t hard)
{
	struct rlimit cur, rl = { soft, hard };

	/* Never above what we have: an unprivileged grader cannot raise. */
	if (getrlimit(res, &cur) == 0) {
		if (cur.rlim_max != RLIM_INFINITY && rl.rlim_max > cur.rlim_max)
			rl.rlim_max = cur.rlim_max;
		if (rl.rlim_cur > rl.rlim_max)
			rl.rlim_cur = rl.rlim_max;
	}
	setrlimit(res, &rl);
}


/* Sends the mode (one letter) and the listener, if any. */
static void send_mode(int sock, char mode, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &mode, 1 };
	struct msghdr m = { 0 };

	memset(cbuf, 0, sizeof(cbuf));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	if (fd >= 0) {
		struct cmsghdr *cm;

		m.msg_control = cbuf;
		m.msg_controllen = sizeof(cbuf);
		cm = CMSG_FIRSTHDR(&m);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	while (sendmsg(sock, &m, MSG_NOSIGNAL) < 0 && errno == EINTR)
		;
}

static void die_child(const char *what)
{
	char msg[512];
	int n = snprintf(msg, sizeof(msg), "grader jail: %s: %s\n", what, strerror(errno));

	if (n > 0)
		(void)!write(2, msg, (size_t)n);
	_exit(127);
}

/* Installs the system call filter on the calling process: with a listener
 * (*lfd) when it can, else the fallback that kills, else none.
 * GRADER_SYSFILTER=kill forces the fallback, GRADER_SYSFILTER=off no filter
 * at all (the hostile suite's check that the sweep alone leaves nothing
 * behind). */
static enum ww_sysfilter_mode install_filter(int *lfd)
{
	const char *forced = getenv("GRADER_SYSFILTER");
	struct sock_fprog prog;

	*lfd = -1;
	if (forced && !strcmp(forced, "off"))
		return WW_SYSFILTER_OFF;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return WW_SYSFILTER_OFF;
	ww_sysfilter_build(WW_FILTER_LISTEN, 0, &prog);
	/* valgrind does not know seccomp(2) (it would say so on stderr): a
	 * grader under valgrind uses the fallback */
	if (!(forced && !strcmp(forced, "kill")) && !RUNNING_ON_VALGRIND)
		*lfd = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
				    SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	if (*lfd >= 0)
		return WW_SYSFILTER_NOTIFY;
	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) >= 0)
		return WW_SYSFILTER_KILL;
	return WW_SYSFILTER_OFF;
}

enum ww_sysfilter_mode jail_filter_mode(void)
{
	static int mode = -1;

	if (mode < 0) {
		pid_t pid;
		int st = -1;

		fflush(NULL);
		pid = fork();
		if (pid == 0) {
			int lfd;
			enum ww_sysfilter_mode m = install_filter(&lfd);

			/* with the listener closed, a filtered call fails:
			 * _exit() is not one */
			if (lfd >= 0)
				close(lfd);
			_exit((int)m);
		}
		if (pid > 0)
			st = proc_wait(pid);
		mode = st == WW_SYSFILTER_NOTIFY || st == WW_SYSFILTER_KILL ? st
		       : WW_SYSFILTER_OFF;
	}
	return (enum ww_sysfilter_mode)mode;
}

void jail_child_run(const struct jail_child_args *a)
{
	const struct jail_opts *o = a->o;
	enum ww_sysfilter_mode mode;
	char **argv;
	int out, null, sock, pass = -1, lfd = -1, fd;
	size_t i, n;

	setsid();
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (getppid() != a->parent)
		_exit(127);
	/* descriptors: 0 /dev/null, 1 and 2 the log, 3 the results */
	out = open(o->out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (out < 0 || null < 0)
		die_child("cannot open the log");
	sock = fcntl(a->sock, F_DUPFD_CLOEXEC, 10);
	if (o->pass_fd >= 0)
		pass = fcntl(o->pass_fd, F_DUPFD_CLOEXEC, 10);
	if (dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0 ||
	    (pass >= 0 && dup2(pass, 3) < 0))
		die_child("cannot set up the descriptors");
	/* Whatever else the grader had open stays out of the sandbox. */
	{
		DIR *d = opendir("/proc/self/fd");
		struct dirent *e;
		int first = pass >= 0 ? 4 : 3;

		while (d && (e = readdir(d)) != NULL) {
			fd = (int)strtol(e->d_name, NULL, 10);
			if (fd >= first && fd != sock && fd != dirfd(d))
				fcntl(fd, F_SETFD, FD_CLOEXEC);
		}
		if (d)
			closedir(d);
	}

	set_limit(RLIMIT_CORE, 0, 0);
	set_limit(RLIMIT_CPU, o->cpu_seconds, o->cpu_seconds + 5);
	set_limit(RLIMIT_FSIZE, FILE_SIZE_LIMIT, FILE_SIZE_LIMIT);
	set_limit(RLIMIT_AS, o->as_bytes, o->as_bytes);
	set_limit(RLIMIT_STACK, STACK_LIMIT, RLIM_INFINITY);
	if (a->nproc)
		set_limit(RLIMIT_NPROC, a->nproc, a->nproc);
	if (chdir(o->cwd) < 0)
		die_child("cannot enter the scratch directory");
	/* Without bubblewrap, the kernel holds the jail to its view. */
	if (a->landlock && jail_view_landlock(a->landlock) < 0)
		die_child("cannot confine the jail with Landlock");

	/* The filter comes last: from here on, execve() itself waits for the
	 * grader's answer. */
	mode = install_filter(&lfd);
	send_mode(sock, "OKN"[mode == WW_SYSFILTER_NOTIFY ? 2 : mode == WW_SYSFILTER_KILL],
		  lfd);
	if (lfd >= 0)
		close(lfd);
	close(sock);

	for (n = 0; a->argv[n]; n++)
		;
	argv = calloc(n + 1, sizeof(*argv));
	if (argv == NULL)
		die_child("out of memory");
	for (i = 0; i < n; i++)
		argv[i] = strcmp(a->argv[i], "@SYSFILTER@") ? a->argv[i]
			  : (char *)ww_sysfilter_mode_name(mode);
	execvpe(argv[0], argv, a->env);
	die_child(argv[0]);
	_exit(127);
}

/* The environment the sandbox sees: no secret of the grader's. */
char **jail_child_env(struct strlist *keep, const char *tmpdir)
{
	static const char *const pass[] = { "PATH", "VALGRIND_LIB", NULL };
	size_t i;

	for (i = 0; pass[i]; i++) {
		const char *v = getenv(pass[i]);

		if (v)
			strlist_addf(keep, "%s=%s", pass[i], v);
	}
	if (getenv("PATH") == NULL)
		strlist_add(keep, "PATH=/usr/local/bin:/usr/bin:/bin");
	strlist_add(keep, "LC_ALL=C");
	strlist_add(keep, "HOME=/nonexistent");
	strlist_addf(keep, "TMPDIR=%s", tmpdir);
	return strlist_argv(keep);
}
