/* vglog.c - valgrind logs to per-item findings */
#include "vglog.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char *const error_kinds[] = {
	"Invalid read", "Invalid write", "Invalid free", "Mismatched free",
	"Conditional jump", "Use of uninitialised", "Syscall param",
	"Source and destination overlap", "Jump to the invalid address",
	"Argument 'size'", "Invalid size value", "Process terminating",
	"Stack overflow",
};

/* "at 0x4014D1: bad (p.c:14)" -> "bad (p.c:14)" */
static const char *frame_text(const char *line)
{
	const char *p = line;

	while (*p == ' ')
		p++;
	if (strncmp(p, "at 0x", 5) && strncmp(p, "by 0x", 5))
		return NULL;
	p = strchr(p, ':');
	return p ? p + 2 : NULL;
}

/* "emulate (x.c:214)" -> "at x.c:214 (emulate)" */
static char *format_frame(const char *f)
{
	const char *open = strrchr(f, '(');
	const char *close = open ? strchr(open, ')') : NULL;

	if (open && close && open > f)
		return xasprintf("at %.*s (%.*s)", (int)(close - open - 1), open + 1,
				 (int)(open - f - 1), f);
	return xasprintf("in %s", f);
}

static void finish_block(char **lines, size_t n, long item, const char *src_base,
			 struct vg_finding **out, size_t *nout)
{
	const char *first = NULL, *best = NULL, *detail = "", *alloc = NULL;
	bool err = false, in_error = true;
	char pat[300];
	size_t i, k;

	if (item < 0 || n == 0)
		return;
	for (k = 0; k < sizeof(error_kinds) / sizeof(error_kinds[0]); k++)
		if (!strncmp(lines[0], error_kinds[k], strlen(error_kinds[k])))
			err = true;
	if (!err)
		return;
	for (k = 0; k < *nout; k++)
		if ((*out)[k].item == (unsigned)item)
			return;         /* only the first */
	snprintf(pat, sizeof(pat), "(%s:", src_base);
	for (i = 1; i < n; i++) {
		const char *f = frame_text(lines[i]);

		if (f == NULL) {
			const char *p = lines[i];

			while (*p == ' ')
				p++;
			if (!strncmp(p, "Address 0x", 10) && !detail[0]) {
				detail = p;
				in_error = false;       /* what follows: where it was allocated */
			}
			continue;
		}
		if (!in_error) {
			if (!alloc && strstr(f, pat))
				alloc = f;
			continue;
		}
		if (!first && !strstr(f, "vgpreload") && !strstr(f, "???"))
			first = f;
		if (!best && strstr(f, pat))
			best = f;
	}
	*out = xrealloc(*out, (*nout + 1) * sizeof(**out));
	(*out)[*nout].item = (unsigned)item;
	(*out)[*nout].kind = xstrdup(lines[0]);
	(*out)[*nout].where = (best || first) ? format_frame(best ? best : first)
					      : xstrdup("");
	/* the error stack does not go through the submission: the tests touched
	 * memory the submission handed them (a block too small for the
	 * contract's struct, a pointer already freed) */
	(*out)[*nout].outside = best == NULL && first != NULL;
	(*out)[*nout].detail = xstrdup(detail);
	(*out)[*nout].alloc = alloc ? format_frame(alloc) : xstrdup("");
	(*nout)++;
}

static void parse_one(const char *path, const char *src_base,
		      struct vg_finding **out, size_t *nout)
{
	char *text = read_file(path, NULL), *line, *save = NULL;
	char **block = NULL;
	size_t nblock = 0;
	long item = -1;

	if (text == NULL)
		return;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *body;

		if (line[0] == '*' && line[1] == '*') {
			/* "**PID** ww-begin N name" (client output) */
			char *m = strstr(line, "** ww-begin ");
			char *e = strstr(line, "** ww-end ");

			finish_block(block, nblock, item, src_base, out, nout);
			nblock = 0;
			if (m)
				item = strtol(m + 12, NULL, 10);
			else if (e)
				item = -1;
			continue;
		}
		if (line[0] != '=' || line[1] != '=')
			continue;
		body = strstr(line + 2, "== ");
		body = body ? body + 3 : NULL;
		if (body == NULL || body[0] == '\0') {
			finish_block(block, nblock, item, src_base, out, nout);
			nblock = 0;
			continue;
		}
		block = xrealloc(block, (nblock + 1) * sizeof(*block));
		block[nblock++] = body;
	}
	finish_block(block, nblock, item, src_base, out, nout);
	free(block);
	free(text);
}

size_t vglog_parse(const char *dir, const char *src_base, struct vg_finding **out)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	*out = NULL;
	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		char *p;

		if (strncmp(e->d_name, "vg.", 3))
			continue;
		p = path_join(dir, e->d_name);
		parse_one(p, src_base, out, &n);
		free(p);
	}
	closedir(d);
	return n;
}

void vglog_release(struct vg_finding *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(f[i].kind);
		free(f[i].where);
		free(f[i].detail);
		free(f[i].alloc);
	}
	free(f);
}
