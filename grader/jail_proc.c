/* jail_proc.c - what the jail reads of processes in /proc */
#include "jail_int.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

int jail_proc_status(pid_t pid, struct jail_pstatus *ps)
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
int jail_proc_stat(pid_t pid, char *state, pid_t *ppid, pid_t *sid)
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

/* Threads this user runs now: RLIMIT_NPROC counts them machine-wide. */
unsigned long jail_proc_user_threads(void)
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
