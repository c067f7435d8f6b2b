/* jail.c - start the harness in a sandbox, answer its system call filter,
 * and leave nothing behind */
#include "jail.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <valgrind/valgrind.h>

#include "proc.h"
#include "util.h"

#define FILE_SIZE_LIMIT   (64ull << 20)   /* output, valgrind's logs */
#define STACK_LIMIT       (8ull << 20)
#define NPROC_HEADROOM    64              /* processes over what the user runs */
#define SWEEP_ROUNDS      50
#define WAIT_LIMIT_MS     10000           /* after the results pipe closed */

extern char **environ;

/* ---- /proc ----------------------------------------------------------------- */

/* What the jail reads of a process in /proc/PID/status. */
struct pstatus {
	int   filters;          /* Seccomp_filters, -1 if absent */
	pid_t nspid;            /* the innermost NSpid (its own namespace's) */
	pid_t nstgid;
	pid_t ppid;             /* in the grader's namespace */
};

/* The last number of a "Key:\t1\t2\t3" line. */
static long last_number(const char *s)
{
	const char *p = s + strlen(s);

	while (p > s && (p[-1] == '\n' || p[-1] == ' ' || p[-1] == '\t'))
		p--;
	while (p > s && p[-1] >= '0' && p[-1] <= '9')
		p--;
	return strtol(p, NULL, 10);
}

static int read_status(pid_t pid, struct pstatus *ps)
{
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (f == NULL)
		return -1;
	ps->filters = -1;
	ps->nspid = ps->nstgid = ps->ppid = 0;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "Seccomp_filters:", 16))
			ps->filters = (int)last_number(line);
		else if (!strncmp(line, "NSpid:", 6))
			ps->nspid = (pid_t)last_number(line);
		else if (!strncmp(line, "NStgid:", 7))
			ps->nstgid = (pid_t)last_number(line);
		else if (!strncmp(line, "PPid:", 5))
			ps->ppid = (pid_t)last_number(line);
	}
	fclose(f);
	return 0;
}

/* State, parent and session of a process from /proc/PID/stat. */
static int read_stat(pid_t pid, char *state, pid_t *ppid, pid_t *sid)
{
	char path[64], buf[1024];
	int fd, ppid_i, pgrp, sid_i;
	ssize_t n;
	char *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')');      /* the command name may hold anything */
	if (p == NULL || sscanf(p + 1, " %c %d %d %d", state, &ppid_i, &pgrp, &sid_i) != 4)
		return -1;
	*ppid = ppid_i;
	*sid = sid_i;
	return 0;
}

/* ---- bubblewrap ------------------------------------------------------------ */

static const char *const bwrap_base[] = {
	"bwrap", "--die-with-parent", "--new-session", "--unshare-pid",
	"--unshare-net", "--unshare-ipc", "--unshare-uts", "--cap-drop", "ALL",
	"--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
	"--tmpfs", "/tmp", "--tmpfs", "/dev/shm",
};

#define NBWRAP_BASE (sizeof(bwrap_base) / sizeof(bwrap_base[0]))

bool jail_bwrap_works(const char **why)
{
	static int works = -1;
	static const char *reason = "";

	if (works < 0) {
		const char *no = getenv("GRADER_NO_BWRAP");

		works = 0;
		if (no && no[0] && strcmp(no, "0")) {
			reason = "GRADER_NO_BWRAP is set";
		} else if (!proc_exists("bwrap")) {
			reason = "bubblewrap (bwrap) is not installed";
		} else {
			/* As the jail runs it: no new privileges (a setuid bwrap
			 * cannot use its privileges then), every namespace. */
			char *argv[NBWRAP_BASE + 3];
			pid_t pid;
			int st = -1;
			size_t i;

			for (i = 0; i < NBWRAP_BASE; i++)
				argv[i] = (char *)bwrap_base[i];
			argv[i++] = "--";
			argv[i++] = "true";
			argv[i] = NULL;
			pid = fork();
			if (pid == 0) {
				int null = open("/dev/null", O_RDWR);

				dup2(null, 0);
				dup2(null, 1);
				dup2(null, 2);
				prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
				execvp(argv[0], argv);
				_exit(127);
			}
			if (pid > 0)
				st = proc_wait(pid);
			works = st == 0;
			if (!works)
				reason = "bubblewrap cannot create its namespaces here (user "
					 "namespaces restricted?)";
		}
	}
	if (why)
		*why = reason;
	return works == 1;
}

/* ---- the child ---------------------------------------------------------------- */

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

/* Threads this user runs now: RLIMIT_NPROC counts them machine-wide. */
static unsigned long user_threads(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	unsigned long n = 0;
	uid_t me = getuid();

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		char path[300], line[128];
		FILE *f;
		unsigned long uid = (unsigned long)-1, threads = 0;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/status", e->d_name);
		f = fopen(path, "re");
		if (f == NULL)
			continue;
		while (fgets(line, sizeof(line), f)) {
			if (!strncmp(line, "Uid:", 4))
				uid = strtoul(line + 4, NULL, 10);
			else if (!strncmp(line, "Threads:", 8))
				threads = strtoul(line + 8, NULL, 10);
		}
		fclose(f);
		if (uid == (unsigned long)me)
			n += threads;
	}
	closedir(d);
	return n;
}

struct child_args {
	char *const      *argv;
	char            **env;
	const struct jail_opts *o;
	pid_t             parent;
	int               sock;
	rlim_t            nproc;    /* 0: leave it */
};

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

static __attribute__((noreturn)) void child(const struct child_args *a)
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
static char **scrubbed_env(struct strlist *keep)
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
	strlist_add(keep, "TMPDIR=/tmp");
	return strlist_argv(keep);
}

static int own_filters(void)
{
	struct pstatus ps;

	return read_status(getpid(), &ps) == 0 && ps.filters > 0 ? ps.filters : 0;
}

int jail_start(struct jail *j, char *const argv[], const struct jail_opts *o,
	       char **err)
{
	struct strlist full = { 0 }, env = { 0 };
	struct child_args a = { 0 };
	int sv[2] = { -1, -1 }, ret = -1;
	char mode = 'O';
	size_t i;
	pid_t pid;

	memset(j, 0, sizeof(*j));
	j->listener = -1;
	j->pid = -1;
	j->filters_base = own_filters();
	/* Orphans of the sandbox become ours, to be swept and reaped. */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	j->bwrap = jail_bwrap_works(NULL);
	if (j->bwrap) {
		for (i = 0; i < NBWRAP_BASE; i++)
			strlist_add(&full, bwrap_base[i]);
		strlist_add(&full, "--ro-bind");
		strlist_add(&full, o->cwd);
		strlist_add(&full, o->cwd);
		strlist_add(&full, "--bind");
		strlist_add(&full, o->rw_dir);
		strlist_add(&full, o->rw_dir);
		strlist_add(&full, "--chdir");
		strlist_add(&full, o->cwd);
		strlist_add(&full, "--");
	}
	for (i = 0; argv[i]; i++)
		strlist_add(&full, argv[i]);
	strlist_argv(&full);

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		*err = xasprintf("cannot create a socket pair: %s", strerror(errno));
		goto out;
	}
	a.argv = full.items;
	a.env = scrubbed_env(&env);
	a.o = o;
	a.parent = getpid();
	a.sock = sv[1];
	if (getuid() != 0)      /* root is not held to RLIMIT_NPROC anyway */
		a.nproc = (rlim_t)(user_threads() + NPROC_HEADROOM);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		*err = xasprintf("cannot fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0)
		child(&a);
	j->pid = pid;
	close(sv[1]);
	sv[1] = -1;
	{
		char cbuf[CMSG_SPACE(sizeof(int))];
		struct iovec iov = { &mode, 1 };
		struct msghdr m = { 0 };
		struct pollfd p = { sv[0], POLLIN, 0 };
		ssize_t n = -1;

		memset(cbuf, 0, sizeof(cbuf));
		m.msg_iov = &iov;
		m.msg_iovlen = 1;
		m.msg_control = cbuf;
		m.msg_controllen = sizeof(cbuf);
		if (poll(&p, 1, 30000) == 1)
			while ((n = recvmsg(sv[0], &m, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
				;
		if (n == 1) {
			struct cmsghdr *cm = CMSG_FIRSTHDR(&m);

			if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
				memcpy(&j->listener, CMSG_DATA(cm), sizeof(int));
		} else {
			mode = 'O';
		}
	}
	j->mode = mode == 'N' && j->listener >= 0 ? WW_SYSFILTER_NOTIFY
		  : mode == 'K' ? WW_SYSFILTER_KILL : WW_SYSFILTER_OFF;
	if (j->mode != WW_SYSFILTER_NOTIFY && j->listener >= 0) {
		close(j->listener);
		j->listener = -1;
	}
	ret = 0;
out:
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	strlist_release(&full);
	strlist_release(&env);
	return ret;
}

/* ---- the listener -------------------------------------------------------------- */

/* Up to cap - 1 bytes of the string at addr in pid's memory. */
static void read_string(pid_t pid, uint64_t addr, char *out, size_t cap)
{
	struct iovec local = { out, cap - 1 }, remote = { (void *)(uintptr_t)addr, cap - 1 };
	ssize_t n;

	out[0] = '\0';
	if (addr == 0) {
		snprintf(out, cap, "NULL");
		return;
	}
	/* A string may end before a page it does not reach: read it page by
	 * page when the whole read fails. */
	n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
	if (n <= 0) {
		size_t room = 4096 - (size_t)(addr & 4095);

		if (room < cap - 1) {
			local.iov_len = remote.iov_len = room;
			n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
		}
	}
	out[n > 0 ? (size_t)n : 0] = '\0';
	out[cap - 1] = '\0';
}

/* The string as a C literal, control bytes escaped, at most 200 bytes. */
static void quote(struct sbuf *sb, const char *s)
{
	size_t i;

	sbuf_adds(sb, "\"");
	for (i = 0; s[i] && i < 200; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			sbuf_addf(sb, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			sbuf_addf(sb, "\\x%02x", c);
		else
			sbuf_add(sb, (const char *)&c, 1);
	}
	sbuf_adds(sb, s[i] ? "...\"" : "\"");
}

/* A signal's target as the worker meant it. */
static void describe_target(struct sbuf *sb, long target, pid_t parent_ns)
{
	if (target == 0)
		sbuf_adds(sb, "0 (its process group)");
	else if (target == -1)
		sbuf_adds(sb, "-1 (every process it may signal)");
	else if (target < 0)
		sbuf_addf(sb, "%ld (a process group)", target);
	else if (target == parent_ns)
		sbuf_addf(sb, "%ld (its parent, the harness's supervisor)", target);
	else
		sbuf_addf(sb, "%ld", target);
}

static char *describe_call(const struct seccomp_notif *req, const struct ww_syscall *sc,
			   pid_t parent_ns)
{
	struct sbuf sb = { 0 };
	const __u64 *a = req->data.args;

	if (sc == NULL) {
		sbuf_addf(&sb, "system call %d", (int)req->data.nr);
		return sb.buf;
	}
	sbuf_addf(&sb, "%s(", sc->name);
	if (sc->patharg >= 0) {
		char path[256];

		read_string((pid_t)req->pid, a[sc->patharg], path, sizeof(path));
		quote(&sb, path);
	} else if (sc->rule == WW_SYSRULE_SELF) {
		int sig = (int)(sc->nr == SYS_tgkill || sc->nr == SYS_rt_tgsigqueueinfo
				? a[2] : a[1]);
		const char *abbrev = sigabbrev_np(sig);

		describe_target(&sb, (long)(int)a[0], parent_ns);
		if (abbrev)
			sbuf_addf(&sb, ", SIG%s", abbrev);
		else
			sbuf_addf(&sb, ", %d", sig);
	} else if (sc->nr == SYS_ioctl) {
		sbuf_addf(&sb, "%d, 0x%llx", (int)a[0], (unsigned long long)a[1]);
	} else if (sc->nr == SYS_clone) {
		sbuf_addf(&sb, "flags 0x%llx", (unsigned long long)a[0]);
	} else if (sc->nr == SYS_socket) {
		sbuf_addf(&sb, "%d, %d, %d", (int)a[0], (int)a[1], (int)a[2]);
	}
	sbuf_addf(&sb, ") (%s)", sc->what);
	return sb.buf;
}

/* Whether a watched call of an armed worker may go on. */
static bool allowed(const struct seccomp_notif *req, const struct ww_syscall *sc,
		    const struct pstatus *ps)
{
	long target = (long)(int)req->data.args[0];

	if (sc == NULL)
		return false;
	switch (sc->rule) {
	case WW_SYSRULE_THREAD:
		return (req->data.args[0] & 0x00010000) != 0;  /* CLONE_THREAD */
	case WW_SYSRULE_SELF:
		/* tkill names a thread; the others a process (thread group) */
		return sc->nr == SYS_tkill ? target == ps->nspid : target == ps->nstgid;
	default:
		return false;
	}
}

static void respond(int listener, uint64_t id, int error, bool cont)
{
	struct seccomp_notif_resp resp;

	memset(&resp, 0, sizeof(resp));
	resp.id = id;
	resp.error = cont ? 0 : -error;
	resp.flags = cont ? SECCOMP_USER_NOTIF_FLAG_CONTINUE : 0;
	ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

void jail_service(struct jail *j)
{
	struct seccomp_notif req;
	const struct ww_syscall *sc;
	struct pstatus ps, parent;
	pid_t parent_ns = 0;
	char *call;

	memset(&req, 0, sizeof(req));
	if (ioctl(j->listener, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
		return;         /* the caller died meanwhile */
	sc = ww_syscall_find(req.data.nr);
	if (read_status((pid_t)req.pid, &ps) < 0) {
		respond(j->listener, req.id, EPERM, false);
		return;
	}
	/* Not a worker: bwrap, valgrind starting, the supervisor. */
	if (ps.filters < j->filters_base + 2 || allowed(&req, sc, &ps)) {
		respond(j->listener, req.id, 0, true);
		return;
	}
	if (read_status(ps.ppid, &parent) == 0)
		parent_ns = parent.nspid;
	call = describe_call(&req, sc, parent_ns);
	/* Stop it before anything else runs: the call never happens.  The id
	 * check makes sure req.pid is still that process (not a new one). */
	if (ioctl(j->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &req.id) == 0)
		kill((pid_t)req.pid, SIGKILL);
	respond(j->listener, req.id, EPERM, false);
	j->v = xrealloc(j->v, (j->nv + 1) * sizeof(*j->v));
	j->v[j->nv].nspid = ps.nspid;
	j->v[j->nv].name = xstrdup(sc ? sc->name : "syscall");
	j->v[j->nv].call = call;
	j->nv++;
}

const struct jail_violation *jail_violation_of(const struct jail *j, pid_t nspid)
{
	size_t i;

	for (i = 0; i < j->nv; i++)
		if (j->v[i].nspid == nspid)
			return &j->v[i];
	return NULL;
}

/* ---- the end -------------------------------------------------------------------- */

/* Kills what is left in the jail's session (sid) and reaps what became
 * ours.  Returns the number of live processes it had to kill. */
static unsigned sweep(pid_t sid_of_jail, bool bwrap)
{
	unsigned killed = 0, round;

	for (round = 0; round < SWEEP_ROUNDS; round++) {
		DIR *d = opendir("/proc");
		struct dirent *e;
		unsigned live = 0, dead = 0;

		if (d == NULL)
			break;
		while ((e = readdir(d)) != NULL) {
			pid_t pid = (pid_t)strtol(e->d_name, NULL, 10), ppid, sid;
			char state;

			if (pid <= 0 || read_stat(pid, &state, &ppid, &sid) < 0)
				continue;
			if (sid == sid_of_jail && state != 'Z') {
				kill(pid, SIGKILL);
				live++;
			}
			/* Orphans (from the session, or from a pid namespace
			 * torn down) come to us, the subreaper, to be reaped. */
			if (ppid == getpid() && state == 'Z' && (sid == sid_of_jail || bwrap) &&
			    waitpid(pid, NULL, WNOHANG) == pid)
				dead++;
		}
		closedir(d);
		if (round == 0)
			killed = live;
		if (!live && !dead)
			break;
		usleep(2000);
	}
	return killed;
}

void jail_kill(struct jail *j)
{
	if (j->pid <= 0)
		return;
	kill(-j->pid, SIGKILL);
	kill(j->pid, SIGKILL);
}

int jail_wait(struct jail *j)
{
	int st = -1, ws, waited = 0;
	pid_t r;

	if (j->pid <= 0)
		return -1;
	/* The command ends soon after its results pipe closed; meanwhile a
	 * process of the jail may wait for the listener's answer. */
	for (;;) {
		struct pollfd p = { j->listener, POLLIN, 0 };

		r = waitpid(j->pid, &ws, WNOHANG);
		if (r == j->pid || (r < 0 && errno != EINTR))
			break;
		if (waited >= WAIT_LIMIT_MS) {
			jail_kill(j);
			r = waitpid(j->pid, &ws, 0);
			break;
		}
		if (j->listener >= 0 && poll(&p, 1, 20) == 1 && (p.revents & POLLIN))
			jail_service(j);
		else if (j->listener < 0 || p.revents)
			usleep(20000);
		waited += 20;
	}
	if (r == j->pid)
		st = WIFEXITED(ws) ? WEXITSTATUS(ws) : WIFSIGNALED(ws) ? 128 + WTERMSIG(ws) : -1;
	j->swept += sweep(j->pid, j->bwrap);
	j->pid = -1;
	return st;
}

void jail_release(struct jail *j)
{
	size_t i;

	if (j->pid > 0) {
		jail_kill(j);
		jail_wait(j);
	}
	if (j->listener >= 0)
		close(j->listener);
	for (i = 0; i < j->nv; i++) {
		free(j->v[i].name);
		free(j->v[i].call);
	}
	free(j->v);
	memset(j, 0, sizeof(*j));
	j->listener = -1;
}
