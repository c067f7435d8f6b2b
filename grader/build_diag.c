/* build_diag.c - the build verdict's message, from what gcc and binutils
 * said and how their jail ended */
#include "build_diag.h"
#include "build.h"
#include "i18n.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* Replaces every occurrence of from in s by to; returns a new string. */
static char *replace_all(const char *s, const char *from, const char *to)
{
	struct sbuf sb = { 0 };
	size_t flen = strlen(from);
	const char *p;

	if (!flen)
		return xstrdup(s);
	while ((p = strstr(s, from)) != NULL) {
		sbuf_add(&sb, s, (size_t)(p - s));
		sbuf_adds(&sb, to);
		s = p + flen;
	}
	sbuf_adds(&sb, s);
	return sb.buf ? sb.buf : xstrdup("");
}

/* The compiler's or linker's output, trimmed to what matters: from the
 * first error, BUILD_MAX_LINES lines, paths shortened; the errors counted. */
static char *trim(const char *text, const char *src_base, const char *scratch,
		  const char *obj_name, unsigned *nerrors)
{
	struct sbuf sb = { 0 };
	char *t1, *t2, *t3, *line, *save = NULL;
	char **lines = NULL;
	size_t n = 0, i, first = 0, errors = 0, shown = 0;
	bool found = false;

	t1 = replace_all(text, "../include/", "");
	t2 = replace_all(t1, scratch, "");
	t3 = replace_all(t2, obj_name, src_base);
	free(t1);
	free(t2);
	for (line = strtok_r(t3, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (starts_with(line, "collect2:"))
			continue;
		if (starts_with(line, "/usr/bin/ld: "))
			line += strlen("/usr/bin/ld: ");
		lines = xrealloc(lines, (n + 1) * sizeof(*lines));
		lines[n++] = line;
	}
	for (i = 0; i < n; i++)
		if (strstr(lines[i], "error:") || strstr(lines[i], "undefined reference") ||
		    strstr(lines[i], "multiple definition")) {
			if (!found) {
				first = i;
				found = true;
			}
			errors++;
		}
	if (found && first > 0 && (strstr(lines[first - 1], "In function") ||
				   strstr(lines[first - 1], "in function")))
		first--;
	/* every error, up to BUILD_MAX_LINES lines: the reporters say the rest */
	for (i = first; i < n && shown < BUILD_MAX_LINES; i++, shown++)
		sbuf_addf(&sb, "%s%s", sb.len ? "\n" : "", lines[i]);
	*nerrors = (unsigned)errors;
	/* the document's own code: mmap's flags under -std=c17 */
	if ((strstr(text, "MAP_ANONYMOUS") || strstr(text, "MAP_NORESERVE")) &&
	    strstr(text, "undeclared"))
		sbuf_addf(&sb, _("%shint: MAP_ANONYMOUS and MAP_NORESERVE are not ISO C, "
			    "and -std=c17 hides them: put #define _DEFAULT_SOURCE "
			    "before the first #include (the document's code lacks it)"),
			  sb.len ? "\n" : "");
	free(lines);
	free(t3);
	return sb.buf ? sb.buf : xstrdup(_("the compiler failed without a message"));
}

/* The path a line of gcc or GNU as names as not found or not allowed
 * (bubblewrap: the path does not exist there; Landlock: it is denied), or
 * NULL.  Their forms:
 *   x.c:1:10: fatal error: PATH: No such file or directory   (#include)
 *   cc1: fatal error: PATH: Permission denied                (#pragma GCC dependency)
 *   x.s:4: Error: file not found: PATH                       (.incbin)
 *   x.s:4: Error: can't open PATH for reading: Permission denied */
static char *named_path(const char *line)
{
	static const char *const tails[] = {
		": No such file or directory", ": Permission denied",
	};
	const char *p, *end = NULL;
	size_t i;

	if ((p = strstr(line, "Error: file not found: ")) != NULL)
		return xstrdup(p + strlen("Error: file not found: "));
	if ((p = strstr(line, "Error: can't open ")) != NULL &&
	    (end = strstr(p, " for reading")) != NULL) {
		p += strlen("Error: can't open ");
		return xstrndup(p, (size_t)(end - p));
	}
	if ((p = strstr(line, "fatal error: ")) == NULL)
		return NULL;
	p += strlen("fatal error: ");
	for (i = 0; i < sizeof(tails) / sizeof(tails[0]) && !end; i++) {
		const char *t = strstr(p, tails[i]);

		if (t && t[strlen(tails[i])] == '\0')
			end = t;
	}
	return end ? xstrndup(p, (size_t)(end - p)) : NULL;
}

/* The first path the tool could not open that lies outside the view, as
 * the submission wrote it, or NULL. */
static char *outside_path(const char *output, const struct jail_view *v,
			  const char *src_dir)
{
	char *copy = xstrdup(output), *line, *save = NULL, *found = NULL;

	for (line = strtok_r(copy, "\n", &save); line && !found;
	     line = strtok_r(NULL, "\n", &save)) {
		char *path = named_path(line), *abs;

		if (path == NULL)
			continue;
		abs = path[0] == '/' ? xstrdup(path) : path_join(src_dir, path);
		if (!jail_view_covers(v, abs))
			found = path;
		else
			free(path);
		free(abs);
	}
	free(copy);
	return found;
}

static const char *tool_name(enum build_tool tool)
{
	return tool == BUILD_LINKER ? "the linker" : "the compiler";
}

char *build_diag_message(const struct jail_tool_result *r, enum build_tool tool,
			 const struct jail_tool_limits *l, const struct jail_view *v,
			 const char *src_dir, const char *src_base,
			 const char *scratch, const char *obj_name, unsigned *nerrors)
{
	const char *who = tool_name(tool);
	enum jail_tool_end end = r->end;
	char *outside, *msg;

	/* gcc's words when a limit stopped a program it ran (cc1, as, ld):
	 * the driver itself exits 1 */
	if (end == JAIL_TOOL_EXITED && strstr(r->output, "CPU time limit exceeded"))
		end = JAIL_TOOL_CPU;
	if (end == JAIL_TOOL_EXITED && strstr(r->output, "File size limit exceeded"))
		end = JAIL_TOOL_OUTPUT;
	switch (end) {
	case JAIL_TOOL_CPU:
		return xasprintf("%s ran out of time (%u s of CPU): a preprocessor loop, or "
				 "macros that expand without end?", who, l->cpu_s);
	case JAIL_TOOL_WALL:
		return xasprintf("%s did not finish within %u s (wall clock): stopped; is "
				 "it reading something that never ends?", who, l->wall_ms / 1000);
	case JAIL_TOOL_OUTPUT:
		return xasprintf("%s wrote more than the %llu MiB a build may write "
				 "(errors without end, or a huge object?): stopped", who,
				 (unsigned long long)(l->file_bytes >> 20));
	case JAIL_TOOL_SIGNALED:
		return xasprintf("%s was killed by SIG%s", who,
				 sigabbrev_np(r->status) ? sigabbrev_np(r->status) : "?");
	case JAIL_TOOL_EXITED:
		break;
	}
	outside = outside_path(r->output, v, src_dir);
	if (outside) {
		msg = xasprintf("the submission names '%s' (#include, .incbin or #pragma "
				"GCC dependency): outside what a submission may use (its "
				"own file, its header and the system's headers)", outside);
		free(outside);
		return msg;
	}
	/* gcc's words when the address-space limit stops cc1 */
	if (strstr(r->output, "out of memory") || strstr(r->output, "memory exhausted") ||
	    strstr(r->output, "Cannot allocate memory"))
		return xasprintf("%s ran out of memory (%llu MiB): macros that expand "
				 "without end?", who, (unsigned long long)(l->as_bytes >> 20));
	return trim(r->output, src_base, scratch, obj_name, nerrors);
}
