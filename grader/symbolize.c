/* symbolize.c - @{0xADDR} and @{frames} to file:line (function) */
#include "symbolize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proc.h"
#include "util.h"

struct sym {
	unsigned long long addr;
	char *func;
	char *file;             /* base name, NULL if unknown */
	unsigned line;
};

struct symtab {
	struct sym *s;
	size_t n;
};

static void want(struct symtab *t, unsigned long long addr)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->s[i].addr == addr)
			return;
	t->s = xrealloc(t->s, (t->n + 1) * sizeof(*t->s));
	memset(&t->s[t->n], 0, sizeof(t->s[0]));
	t->s[t->n++].addr = addr;
}

static void collect(struct symtab *t, const char *msg)
{
	const char *p = msg;

	while (msg && (p = strstr(p, "@{0x")) != NULL) {
		want(t, strtoull(p + 4, NULL, 16));
		p += 4;
	}
}

static void collect_frames(struct symtab *t, const char *frames, bool first_exact)
{
	const char *p = frames;
	bool first = true;

	while (p && *p) {
		unsigned long long a = strtoull(p, NULL, 16);

		/* return addresses point after the call */
		want(t, a && !(first && first_exact) ? a - 1 : a);
		first = false;
		p = strchr(p, ',');
		if (p)
			p++;
	}
}

static void resolve(struct symtab *t, const char *exe, const char *scratch)
{
	struct strlist argv = { 0 };
	char *out, *line, *save = NULL;
	size_t i = 0;
	int st;
	bool want_func = true;

	if (!t->n)
		return;
	strlist_add(&argv, "addr2line");
	strlist_add(&argv, "-f");
	strlist_add(&argv, "-e");
	strlist_add(&argv, exe);
	for (i = 0; i < t->n; i++)
		strlist_addf(&argv, "0x%llx", t->s[i].addr);
	out = proc_capture(strlist_argv(&argv), NULL, scratch, &st);
	strlist_release(&argv);
	if (out == NULL)
		return;
	i = 0;
	for (line = strtok_r(out, "\n", &save); line && i < t->n;
	     line = strtok_r(NULL, "\n", &save)) {
		if (want_func) {
			t->s[i].func = xstrdup(line);
		} else {
			char *colon = strrchr(line, ':');
			char *sp = strchr(line, ' ');

			if (sp)
				*sp = '\0';
			colon = strrchr(line, ':');
			if (colon && line[0] != '?' && colon[1] != '?') {
				*colon = '\0';
				t->s[i].file = xstrdup(path_base(line));
				t->s[i].line = (unsigned)strtoul(colon + 1, NULL, 10);
			}
			i++;
		}
		want_func = !want_func;
	}
	free(out);
}

static const struct sym *lookup(const struct symtab *t, unsigned long long a)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->s[i].addr == a)
			return &t->s[i];
	return NULL;
}

static char *describe(const struct sym *s)
{
	if (s == NULL || s->file == NULL)
		return xstrdup("an unknown place");
	if (s->func && strcmp(s->func, "??"))
		return xasprintf("%s:%u (%s)", s->file, s->line, s->func);
	return xasprintf("%s:%u", s->file, s->line);
}

/* The first frame in the submission, else the first frame with a file. */
static char *best_frame(const struct symtab *t, const char *frames,
			const char *src_base)
{
	const struct sym *fallback = NULL;
	const char *p = frames;
	bool first = true;

	while (p && *p) {
		unsigned long long a = strtoull(p, NULL, 16);
		const struct sym *s = lookup(t, a && !first ? a - 1 : a);

		first = false;
		if (s && s->file && !strcmp(s->file, src_base))
			return xasprintf("at %s:%u (%s)", s->file, s->line, s->func);
		if (s && s->file && !fallback && s->func && strcmp(s->func, "on_fatal"))
			fallback = s;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	if (fallback)
		return xasprintf("at %s:%u (%s, in the grader's harness)", fallback->file,
				 fallback->line, fallback->func);
	return xstrdup("at an unknown place");
}

static char *rewrite(const struct symtab *t, const char *msg, const char *frames,
		     const char *src_base)
{
	struct sbuf sb = { 0 };
	const char *p = msg;

	while (*p) {
		if (!strncmp(p, "@{0x", 4)) {
			char *end;
			unsigned long long a = strtoull(p + 4, &end, 16);
			char *d = describe(lookup(t, a));

			sbuf_adds(&sb, d);
			free(d);
			p = *end == '}' ? end + 1 : end;
		} else if (!strncmp(p, "@{frames}", 9)) {
			char *d = best_frame(t, frames, src_base);

			sbuf_adds(&sb, d);
			free(d);
			p += 9;
		} else {
			sbuf_add(&sb, p, 1);
			p++;
		}
	}
	return sb.buf ? sb.buf : xstrdup("");
}

void symbolize_messages(struct symbolize_item *items, size_t n, const char *exe,
			const char *src_base, const char *scratch)
{
	struct symtab t = { 0 };
	size_t i;

	for (i = 0; i < n; i++) {
		collect(&t, *items[i].message);
		collect_frames(&t, items[i].frames, true);
	}
	resolve(&t, exe, scratch);
	for (i = 0; i < n; i++) {
		char *m;

		if (*items[i].message == NULL)
			continue;
		m = rewrite(&t, *items[i].message, items[i].frames, src_base);
		free(*items[i].message);
		*items[i].message = m;
	}
	for (i = 0; i < t.n; i++) {
		free(t.s[i].func);
		free(t.s[i].file);
	}
	free(t.s);
}
