/* covrun_hook.c - the counting side of make coverage, linked into the
 * harness executable that tools/covrun builds (never into the grader's)
 *
 * The submission is compiled with --coverage -fprofile-info-section=
 * covrun_gcov_info: no constructor registers its counters (the grader's vet
 * would refuse an object with an .init_array), a pointer to them is put in
 * that section instead.  The harness's workers end with _exit() (or die of
 * the fatal signal their handler raises again), where libgcov never writes
 * its counts; the link wraps _exit() and raise() (-Wl,--wrap) so that each
 * worker registers the submission's counters and writes them first.
 *
 * Where: the jail keeps only <scratch>/run writable, and passes no
 * environment, so GCOV_PREFIX is set here: <dir of the executable>/../run, all
 * directories of the compiled-in name stripped (<scratch>/src/../sub.gcda
 * becomes <scratch>/run/sub.gcda).  libgcov merges the counts of successive
 * workers into that file (it locks it).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct gcov_info;

void __gcov_init(struct gcov_info *info);
void __gcov_dump(void);

/* Defined by the linker around the section, if any object has it. */
extern struct gcov_info *const __start_covrun_gcov_info[] __attribute__((weak));
extern struct gcov_info *const __stop_covrun_gcov_info[] __attribute__((weak));

void __real__exit(int status) __attribute__((noreturn));
int __real_raise(int sig);
void __wrap__exit(int status) __attribute__((noreturn));
int __wrap_raise(int sig);

static void covrun_dump(void)
{
	static int registered;
	struct gcov_info *const *p;
	char exe[PATH_MAX], *slash;
	ssize_t n;

	if (!registered) {
		registered = 1;
		for (p = __start_covrun_gcov_info; p && p < __stop_covrun_gcov_info; p++)
			__gcov_init(*p);
		n = readlink("/proc/self/exe", exe, sizeof(exe) - 8);
		if (n > 0) {
			exe[n] = '\0';
			slash = strrchr(exe, '/');
			if (slash) {
				/* the executable is <scratch>/obj/harness; the
				 * tests' jail may write <scratch>/run only */
				strcpy(slash, "/../run");
				setenv("GCOV_PREFIX", exe, 1);
				setenv("GCOV_PREFIX_STRIP", "1000", 1);
			}
		}
	}
	__gcov_dump();
}

void __wrap__exit(int status)
{
	covrun_dump();
	__real__exit(status);
}

/* The worker's fatal signal handler raises the signal again to die of it:
 * the counts of a test that crashed are written before. */
int __wrap_raise(int sig)
{
	covrun_dump();
	return __real_raise(sig);
}
