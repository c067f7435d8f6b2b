/* jail.c - start the harness in a sandbox (the parts: jail_int.h) */
#include "jail_int.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "proc.h"

#define NPROC_HEADROOM    64              /* processes over what the user runs */

static int own_filters(void)
{
	struct jail_pstatus ps;

	return jail_proc_status(getpid(), &ps) == 0 && ps.filters > 0 ? ps.filters : 0;
}

int jail_start(struct jail *j, char *const argv[], const struct jail_opts *o,
	       char **err)
{
	return jail_start_view(j, argv, o, NULL, err);
}

int jail_start_view(struct jail *j, char *const argv[], const struct jail_opts *o,
		    const struct jail_view *v, char **err)
{
	struct strlist full = { 0 }, env = { 0 };
	struct jail_view view = { 0 };
	struct jail_child_args a = { 0 };
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
	if (v == NULL) {
		jail_view_add_system(&view, (const char *const[]){ valgrind_command(), NULL });
		jail_view_add(&view, o->cwd, JAIL_RO);
		jail_view_add(&view, o->rw_dir, JAIL_RW);
		if (o->locale_dir)
			jail_view_add(&view, o->locale_dir, JAIL_RO);
		/* valgrind reads /proc/self/maps; bubblewrap mounts a /proc of
		 * the jail's own pid namespace, Landlock lets /proc be read (a
		 * file reached through /proc/PID/fd or /root is still checked
		 * against the view) */
		if (!j->bwrap)
			jail_view_add(&view, "/proc", JAIL_RO);
		v = &view;
	}
	if (j->bwrap) {
		for (i = 0; i < jail_nbwrap_base; i++)
			strlist_add(&full, jail_bwrap_base[i]);
		jail_view_bwrap_args(v, &full);
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
	a.env = jail_child_env(&env, j->bwrap ? "/tmp" : o->rw_dir);
	if (!j->bwrap && jail_view_landlock_abi() > 0)
		a.landlock = v;
	a.o = o;
	a.parent = getpid();
	a.sock = sv[1];
	if (getuid() != 0)      /* root is not held to RLIMIT_NPROC anyway */
		a.nproc = (rlim_t)(jail_proc_user_threads() + NPROC_HEADROOM);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		*err = xasprintf("cannot fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0)
		jail_child_run(&a);
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
	jail_view_release(&view);
	return ret;
}
