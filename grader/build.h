/* build.h - turn a submission into the harness executable
 *
 * In a private scratch directory: check and copy the header and the
 * submission (build_input.h: regular files, not too large, text; read
 * once), compile the submission alone with the spec's flags plus -O0
 * -fno-builtin -g (so each allocation in the source is one call in the
 * object), look at its symbols (main, the required functions, names the
 * grader reserves, maeve_tries_to_escape; the listing kept for the inspect
 * stage, which checks the norm), rename its
 * library calls to the harness's ww_* wrappers (objcopy --redefine-sym, on
 * that object only) and link it with the prebuilt harness library.
 *
 * Every tool runs in a jail (jail_tool.h) whose view is b->view: the
 * system's toolchain and headers, the scratch directory's src/ and
 * include/ read-only, its obj/ writable, and nothing else: no home, no
 * repository, no other submission, no output folder.  An #include or a
 * .incbin of any other path fails, and the verdict says the path is
 * outside what a submission may use.  Each tool has limits on CPU time,
 * wall clock, memory and output; reaching one is a build verdict.
 *
 * A submission that cannot be built is a verdict, not an error: build_run()
 * then returns 0 with b->verdict.compiled false and b->verdict.message set.
 * It returns -1 only when the grader itself cannot work (no compiler, no
 * harness library, no scratch space, no way to confine the compiler), with
 * a message in *err.  The build never writes the grade: grade_file()
 * applies b->verdict to it (build_apply(), grade_file.c).
 */
#ifndef GRADER_BUILD_H
#define GRADER_BUILD_H

#include "spec.h"

/* The most lines of compiler output a grade keeps (the verdict's errors
 * count them all). */
#define BUILD_MAX_LINES 40
#include "jail_tool.h"
#include "jail_view.h"

/* The object's symbols, from one nm -P (build_symbols.c): the build judges
 * them, the inspect stage reads the listing again (inspect.h). */
struct build_symbols {
	bool           read;            /* nm ran: the object is there */
	char          *listing;         /* nm -P's whole output */
	struct strlist defined;         /* global, defined in the object */
	struct strlist functions;       /* global functions (T) */
	struct strlist undefined;
	struct strlist reserved;        /* defined names the grader reserves */
};

/* What the build says of the submission (build_run() fills it; the grade's
 * compiled, compile_message, compile_errors, compile_command,
 * has_bonus_function and missing come from it). */
struct build_verdict {
	bool           compiled;        /* false: message says why */
	char          *message;         /* "" when compiled (malloc'd) */
	unsigned       errors;          /* errors in the compiler's output */
	char          *command;         /* the compile command by hand; NULL */
	bool           has_bonus_function; /* every bonus function defined */
	struct strlist missing;         /* required functions not defined */
};

struct build {
	char *scratch;          /* the scratch directory (owned, removed by release) */
	char *exe;              /* the harness executable (obj/harness) */
	char *object;           /* the submission's object, before renaming */
	char *src_base;         /* the submission's file name */
	char *source;           /* its checked copy (src/NAME) */
	char *header;           /* the header's checked copy (include/NAME), or NULL */
	bool  keep;             /* do not remove the scratch directory */
	bool  with_oracle;      /* the reference is linked in (ref_*) */
	/* What this grade's build sees: explicit, per grade (a class grades
	 * each student with a view of their own).  Empty when the inputs
	 * were refused. */
	struct jail_view view;
	struct strlist env;     /* the tools' whole environment */
	enum jail_confinement how;      /* bubblewrap or Landlock */
	/* The step that failed on the submission, for the reports: its
	 * command line, its whole output (up to 64 KiB), how it ended. */
	char *failed_command;
	char *failed_output;
	enum jail_tool_end failed_end;
	unsigned compile_ms;    /* the compiler's wall clock */
	unsigned tools_ms;      /* every tool of the build */
	unsigned steps;         /* tools run */
	struct build_symbols symbols;   /* once the object compiled */
	struct build_verdict verdict;   /* built or not, and why */
};

struct build_opts {
	const char *file;       /* the submission */
	const char *header;     /* -H, or NULL for the spec's */
	const char *libdir;     /* where libharness.a is */
	const char *oracle;     /* the spec's reference, linked with its globals
				 * prefixed ref_ (fuzzing oracle "reference"); NULL: none */
	bool        keep;
};

int build_run(struct build *b, const struct spec *spec,
	      const struct build_opts *o, char **err);

/* Runs a binutils tool (objdump, nm) on what the build made, in the build's
 * jail (b->view, in obj/): the object is the submission's, and so are
 * its bytes.  Returns its whole output (malloc'd), or NULL with *err when
 * it failed. */
char *build_tool_output(const struct build *b, char *const argv[], char **err);
/* b's object without what does not change behaviour (debug information:
 * line numbers, comments; local symbol names; the compiler's .comment),
 * written to out: how grader mutants and grader mutate tell a mutant whose
 * code is the reference's or another's.  Strings and data stay.  Returns
 * objcopy's status as proc_run() does (0: written). */
int build_save_code(const struct build *b, const char *out);
void build_release(struct build *b);

/* The directory holding libharness.a: $GRADER_LIBDIR, else
 * <dir of this executable>/../build/grader.  Malloc'd. */
char *build_default_libdir(void);

#endif /* GRADER_BUILD_H */
