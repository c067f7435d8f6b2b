/* norm.c - the norm, from the object's undefined symbols and call sites */
#include "norm.h"
#include "i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* What gcc and glibc emit without the source naming it, and the function
 * of the source it stands for (NULL: always fine). */
static const struct { const char *sym, *stands_for; } implicit[] = {
	{ "memcpy", NULL },                 /* struct copies */
	{ "memset", NULL },                 /* struct initialisation */
	{ "memmove", NULL },
	{ "__stack_chk_fail", NULL },       /* -fstack-protector */
	{ "__stack_chk_guard", NULL },
	{ "_GLOBAL_OFFSET_TABLE_", NULL },
	{ "__errno_location", NULL },       /* errno */
	{ "puts", "printf" },               /* printf("...\n") */
	{ "putchar", "printf" },            /* printf("c") */
	{ "__printf_chk", "printf" },       /* _FORTIFY_SOURCE */
	{ "__memcpy_chk", "memcpy" },
	{ "__memset_chk", "memset" },
	{ "__memmove_chk", "memmove" },
};

/* Forbidden names that stand for a family. */
static const struct { const char *family; const char *members[12]; } families[] = {
	{ "exec", { "execve", "execv", "execvp", "execvpe", "execl", "execlp",
		    "execle", "fexecve", "execveat", NULL } },
	{ "open", { "open64", "openat", "openat64", "__open_2", "__open64_2",
		    "__openat_2", "creat", "creat64", NULL } },
	{ "fork", { "vfork", "_Fork", "__fork", "clone", "clone3", NULL } },
	{ "close", { "__close", "close_range", NULL } },
};

static bool allowed(const struct spec *spec, const char *sym)
{
	size_t i;

	if (strlist_has(&spec->allowed, sym))
		return true;
	for (i = 0; i < sizeof(implicit) / sizeof(implicit[0]); i++)
		if (!strcmp(implicit[i].sym, sym))
			return implicit[i].stands_for == NULL ||
			       strlist_has(&spec->allowed, implicit[i].stands_for);
	return false;
}

/* The forbidden entry sym belongs to, or NULL. */
static const char *forbidden(const struct spec *spec, const char *sym)
{
	size_t i, k, m;

	for (i = 0; i < spec->forbidden.n; i++) {
		const char *f = spec->forbidden.items[i];
		size_t fl = strlen(f);

		if (!strcmp(sym, f))
			return f;
		if (!strncmp(sym, f, fl) && !strcmp(sym + fl, "64"))
			return f;
		for (k = 0; k < sizeof(families) / sizeof(families[0]); k++) {
			if (strcmp(families[k].family, f))
				continue;
			for (m = 0; families[k].members[m]; m++)
				if (!strcmp(families[k].members[m], sym))
					return f;
		}
	}
	return NULL;
}

struct site {
	char *sym;
	char *where;
};

/* Every call site (relocation) of an undefined symbol, with file:line from
 * objdump's line table, in dump (inspect_dump()'s output; NULL: none). */
static struct site *call_sites(const char *dump, size_t *n)
{
	struct site *sites = NULL;
	char *out, *line, *save = NULL;
	char func[256] = "", loc[512] = "";

	*n = 0;
	if (dump == NULL)
		return NULL;
	out = xstrdup(dump);
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *r;
		size_t len = strlen(line);

		if (len > 3 && !strcmp(line + len - 3, "():") && !strchr(line, ' ')) {
			snprintf(func, sizeof(func), "%.*s", (int)(len - 3), line);
		} else if (line[0] == '/' || (line[0] != ' ' && line[0] != '\t' &&
					      strstr(line, ".c:"))) {
			/* "/path/file.c:123" or "file.c:123 (discriminator 2)" */
			char *colon = strrchr(line, ':');
			char *sp = strchr(line, ' ');

			if (sp)
				*sp = '\0';
			colon = strrchr(line, ':');
			if (colon && colon[1] >= '0' && colon[1] <= '9')
				snprintf(loc, sizeof(loc), "%s", path_base(line));
		} else if ((r = strstr(line, "R_X86_64_")) != NULL) {
			const char *sym = strchr(r, '\t');
			size_t sl;

			if (sym == NULL)
				sym = strchr(r, ' ');
			if (sym == NULL)
				continue;
			while (*sym == '\t' || *sym == ' ')
				sym++;
			sl = strcspn(sym, "+-");
			sites = xrealloc(sites, (*n + 1) * sizeof(*sites));
			sites[*n].sym = xstrndup(sym, sl);
			sites[*n].where = func[0] ? xasprintf("%s (%s)", loc, func)
						  : xstrdup(loc);
			(*n)++;
		}
	}
	free(out);
	return sites;
}

/* A symbol the norm has something to say about. */
static bool suspect(const struct spec *spec, const char *sym)
{
	/* a function of the contract is the submission's to define: a
	 * missing one is a build verdict, never a norm violation */
	return !allowed(spec, sym) && !strlist_has(&spec->required, sym) &&
	       !strlist_has(&spec->bonus_required, sym);
}

bool norm_needs_places(const struct spec *spec, const struct strlist *undefined)
{
	for (size_t i = 0; i < undefined->n; i++)
		if (suspect(spec, undefined->items[i]))
			return true;
	return false;
}

void norm_check(const struct spec *spec, const struct strlist *undefined,
		const char *dump, struct inspection *in)
{
	struct site *sites = NULL;
	size_t nsites = 0, i, k;
	bool parsed = false;

	in->norm_ran = true;
	for (i = 0; i < undefined->n; i++) {
		const char *sym = undefined->items[i];
		const char *fam;
		char *why;
		unsigned found = 0;

		if (!suspect(spec, sym))
			continue;
		fam = forbidden(spec, sym);
		if (fam && strcmp(fam, sym))
			why = xasprintf(_("forbidden by the norm (%s family)"), fam);
		else if (fam)
			why = xstrdup(_("forbidden by the norm"));
		else
			why = xstrdup(_("not in the norm's allowed functions"));
		if (!parsed) {
			sites = call_sites(dump, &nsites);
			parsed = true;
		}
		for (k = 0; k < nsites; k++)
			if (!strcmp(sites[k].sym, sym) && found++ < 5)
				violation_add(&in->norm, sym, sites[k].where, why);
		if (!found)
			violation_add(&in->norm, sym, "", why);
		free(why);
	}
	for (k = 0; k < nsites; k++) {
		free(sites[k].sym);
		free(sites[k].where);
	}
	free(sites);
}
