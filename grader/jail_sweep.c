/* jail_sweep.c - the end of a jail: wait, kill, sweep its session and
 * reap the orphans */
#include "jail_int.h"

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define SWEEP_ROUNDS      50
#define WAIT_LIMIT_MS     10000           /* after the results pipe closed */

/* Kills what is left in the jail's session (sid) and reaps what became
 * ours.  Returns the number of live processes it had to kill. */
unsigned jail_sweep(pid_t sid_of_jail, bool bwrap)
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

			if (pid <= 0 || jail_proc_stat(pid, &state, &ppid, &sid) < 0)
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
	j->swept += jail_sweep(j->pid, j->bwrap);
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
