/* build_diag.h - what the compiler and the linker said, made into the
 * build verdict's message
 *
 * The tools are gcc and GNU binutils: their messages are read here, once,
 * into the verdict (build_diag_message()), never matched again later.
 */
#ifndef GRADER_BUILD_DIAG_H
#define GRADER_BUILD_DIAG_H

#include "jail_tool.h"
#include "jail_view.h"

/* Which tool of the build a message is about. */
enum build_tool {
	BUILD_COMPILER,         /* gcc, cc1, as */
	BUILD_LINKER,
};

/* The build verdict's message for a step that failed (r->end and status),
 * with what it printed trimmed to what matters: from the first error, at
 * most BUILD_MAX_LINES lines, paths shortened (scratch removed, obj_name
 * shown as src_base); the errors counted in *nerrors (the reports say how
 * many the lines leave out).  A path the submission named
 * (#include, .incbin, #pragma GCC dependency) that the jail's view v does
 * not cover, src_dir being where relative names start, is said to be
 * outside what a submission may use.  Malloc'd. */
char *build_diag_message(const struct jail_tool_result *r, enum build_tool tool,
			 const struct jail_tool_limits *l, const struct jail_view *v,
			 const char *src_dir, const char *src_base,
			 const char *scratch, const char *obj_name, unsigned *nerrors);

#endif /* GRADER_BUILD_DIAG_H */
