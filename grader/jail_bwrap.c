/* jail_bwrap.c - bubblewrap: its base options, and whether it works here */
#include "jail_int.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "proc.h"

const char *const jail_bwrap_base[] = {
	"bwrap", "--die-with-parent", "--new-session", "--unshare-pid",
	"--unshare-net", "--unshare-ipc", "--unshare-uts", "--cap-drop", "ALL",
	"--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp", "--tmpfs", "/dev/shm",
};

#define NBWRAP_BASE (sizeof(jail_bwrap_base) / sizeof(jail_bwrap_base[0]))

const size_t jail_nbwrap_base = NBWRAP_BASE;

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
			char *argv[NBWRAP_BASE + 6];
			pid_t pid;
			int st = -1;
			size_t i;

			for (i = 0; i < NBWRAP_BASE; i++)
				argv[i] = (char *)jail_bwrap_base[i];
			argv[i++] = "--ro-bind";
			argv[i++] = "/";
			argv[i++] = "/";
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
