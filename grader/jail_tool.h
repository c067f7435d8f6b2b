/* jail_tool.h - run a tool of the build (the compiler, the assembler, the
 * linker, binutils) on a submission's files in a jail of its own
 *
 * What a submission controls reaches these tools: an #include or a .incbin
 * names any path, a macro can expand forever, an error can repeat a
 * million times.  jail_tool_run() runs argv where only the view exists
 * (jail_view.h: bubblewrap when it works, else Landlock; neither is an
 * error, the grader never compiles a submission unconfined), with no
 * network, in a session of its own, with limits on CPU time (per process),
 * wall clock (the whole run), address space (per process) and the size of
 * every file it writes, its output included.  Whatever happens, nothing it
 * started is left when it returns.
 */
#ifndef GRADER_JAIL_TOOL_H
#define GRADER_JAIL_TOOL_H

#include <stdbool.h>
#include <stdint.h>

#include "jail_view.h"

enum jail_confinement {
	JAIL_CONFINED_BWRAP,
	JAIL_CONFINED_LANDLOCK,
	JAIL_CONFINED_NONE,     /* neither: the build refuses to run */
};

struct jail_tool_limits {
	unsigned cpu_s;         /* RLIMIT_CPU of each process */
	unsigned wall_ms;       /* the whole run */
	uint64_t as_bytes;      /* RLIMIT_AS of each process */
	uint64_t file_bytes;    /* RLIMIT_FSIZE: each file written, the output too */
	size_t   output_kept;   /* of the output, in the result (0: 64 KiB) */
};

enum jail_tool_end {
	JAIL_TOOL_EXITED,       /* status is its exit status */
	JAIL_TOOL_SIGNALED,     /* status is the signal */
	JAIL_TOOL_CPU,          /* its processes used the CPU time allowed */
	JAIL_TOOL_WALL,         /* stopped at the wall-clock limit */
	JAIL_TOOL_OUTPUT,       /* a file it wrote reached file_bytes */
};

struct jail_tool_result {
	enum jail_tool_end end;
	int      status;
	char    *output;        /* stdout and stderr, the first output_kept bytes
				 * (malloc'd) */
	bool     output_cut;    /* there was more */
	unsigned ms;            /* wall clock */
	unsigned cpu_ms;        /* CPU time of the tool and the processes it waited for */
	enum jail_confinement how;
};

/* How this machine confines a tool (probed once per process); *why says
 * what is missing when it is not bubblewrap. */
enum jail_confinement jail_tool_confinement(const char **why);

/* Runs argv (argv[0] found in PATH inside the jail) in cwd, which must be
 * in the view, with env the whole environment (NULL-terminated), stdout
 * and stderr to log_path (outside the view: the grader opens it), and
 * fills r.  Returns 0 whatever the tool did; -1 with *err (malloc'd) when
 * it could not be started or confined. */
int jail_tool_run(char *const argv[], char *const env[], const char *cwd,
		  const struct jail_view *v, const struct jail_tool_limits *l,
		  const char *log_path, struct jail_tool_result *r, char **err);

void jail_tool_result_release(struct jail_tool_result *r);

#endif /* GRADER_JAIL_TOOL_H */
