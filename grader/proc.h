/* proc.h - run the tools the grader needs (gcc, nm, objdump, objcopy,
 * addr2line, valgrind) without a shell
 */
#ifndef GRADER_PROC_H
#define GRADER_PROC_H

#include <stdbool.h>
#include <sys/types.h>

struct proc_opts {
	const char *cwd;        /* NULL: the grader's */
	const char *out_path;   /* stdout and stderr go there; NULL: /dev/null */
	int         pass_fd;    /* given to the child as fd 3; -1: none */
	bool        new_group;  /* own process group, to kill it whole */
};

/* Starts argv (argv[0] looked up in PATH).  Returns the pid, or -1 with
 * errno set. */
pid_t proc_spawn(char *const argv[], const struct proc_opts *o);

/* Runs argv to completion.  Returns its exit status (0..255), 128 + signal
 * if killed, or -1 if it could not be started. */
int proc_run(char *const argv[], const struct proc_opts *o);

/* Runs argv and returns its stdout and stderr (malloc'd; NULL if it could
 * not be started), its status in *status. */
char *proc_capture(char *const argv[], const char *cwd, const char *scratch,
		   int *status);

/* The plugin nm should load: gcc's own LTO plugin (an object gcc built
 * needs no other), as "nm --plugin PATH", or NULL when gcc has none (nm is
 * then run as it is).  Without it binutils' nm loads every plugin of its
 * bfd-plugins/ directory, LLVM's gold plugin among them where libclang is
 * installed: 45 ms per nm instead of 1 ms (measured on a 30 kB object). */
const char *proc_nm_plugin(void);
/* Appends "nm" and, when there is one, "--plugin" and that plugin. */
struct strlist;
void proc_nm_argv(struct strlist *argv);

/* waitpid() until it is not interrupted; status as proc_run(). */
int proc_wait(pid_t pid);

/* The valgrind to run: $GRADER_VALGRIND, else "valgrind". */
const char *valgrind_command(void);

/* True if name is an executable found in PATH. */
bool proc_exists(const char *name);

#endif /* GRADER_PROC_H */
