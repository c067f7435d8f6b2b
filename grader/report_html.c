/* report_html.c - the Stryker report as one HTML file that works offline
 *
 * The mutation-testing-elements web component (npm, pinned in
 * tools/package.json, installed in build/npm by make html-deps) renders
 * the report; its browser bundle and the report are both inlined, so the
 * file opens without a network and without a server.
 */
#include "report_matrix.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define BUNDLE_REL "build/npm/node_modules/mutation-testing-elements/dist/" \
		   "mutation-test-elements.js"

char *report_html_bundle(void)
{
	const char *env = getenv("GRADER_ELEMENTS_JS");
	char exe[PATH_MAX];
	ssize_t n;
	char *dir, *path;

	if (env && env[0])
		return xstrdup(env);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return xstrdup(BUNDLE_REL);
	exe[n] = '\0';
	dir = path_dir(exe);
	path = xasprintf("%s/../%s", dir, BUNDLE_REL);
	free(dir);
	return path;
}

/* Script text that cannot end its <script> element early: "</script" and
 * "<!--" get a backslash, which JavaScript strings and regular
 * expressions ignore there. */
static void script_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '<' && !strncasecmp(s, "</script", 8)) {
			fputs("<\\/", out);
			s++;
		} else if (*s == '<' && !strncmp(s, "<!--", 4)) {
			fputs("<\\!", out);
			s++;
		} else {
			fputc(*s, out);
		}
	}
}

static void html_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		default:  fputc(*s, out);
		}
	}
}

int report_html(FILE *out, const json_t *stryker, const char *title,
		const char *bundle, char **err)
{
	char *js = read_file(bundle, NULL), *report, *p;

	if (js == NULL) {
		*err = xasprintf("cannot read the viewer '%s' (run make html-deps, or "
				 "set GRADER_ELEMENTS_JS)", bundle);
		return -1;
	}
	report = json_dumps(stryker, JSON_COMPACT | JSON_ENSURE_ASCII);
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<title>", out);
	html_text(out, title);
	fputs("</title>\n<script>\n", out);
	script_text(out, js);
	fputs("\n</script>\n</head>\n<body>\n<mutation-test-report-app title-postfix=\"", out);
	html_text(out, title);
	fputs("\"></mutation-test-report-app>\n<script>\n"
	      "document.querySelector('mutation-test-report-app').report = ", out);
	/* '<' only occurs inside JSON strings, where \u003c means the same */
	for (p = report; p && *p; p++) {
		if (*p == '<')
			fputs("\\u003c", out);
		else
			fputc(*p, out);
	}
	fputs(";\n</script>\n</body>\n</html>\n", out);
	free(report);
	free(js);
	return 0;
}
