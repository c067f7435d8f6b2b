/* i18n.c - one language at a time: pick it, bind the catalogue (i18n.h) */
#include "i18n.h"

#include <limits.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#ifndef WW_DEFAULT_LANG
#define WW_DEFAULT_LANG "en"
#endif

static bool english = true;
static char *bound_dir;         /* absolute when it exists: the harness's too */

/* No language named: unset, empty, C, C.UTF-8 or POSIX. */
static bool unnamed(const char *lang)
{
	return lang == NULL || !lang[0] || !strcmp(lang, "C") ||
	       !strncmp(lang, "C.", 2) || !strcmp(lang, "POSIX");
}

/* A category of the user's locale, or C.UTF-8 when theirs is C or is not
 * installed (LANG=fr_FR.UTF-8 on a machine without it): gettext translates
 * nothing in the C locale, and prints UTF-8 only in a UTF-8 one. */
static void locale_or_utf8(int category)
{
	const char *got = setlocale(category, "");

	if (got == NULL || !strcmp(got, "C") || !strcmp(got, "POSIX"))
		setlocale(category, "C.UTF-8");
}

/* The folder of the catalogues: $GRADER_LOCALEDIR, or beside the binary. */
static char *locale_dir(void)
{
	const char *env = getenv("GRADER_LOCALEDIR");
	char exe[PATH_MAX], *dir, *pack, *kit;
	ssize_t n;

	if (env && env[0])
		return xstrdup(env);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return xstrdup("build/locale");
	exe[n] = '\0';
	dir = path_dir(exe);
	pack = xasprintf("%s/../build/locale", dir);
	kit = xasprintf("%s/../locale", dir);
	free(dir);
	if (access(pack, R_OK) == 0 || access(kit, R_OK) != 0) {
		free(kit);
		return pack;
	}
	free(pack);
	return kit;
}

void i18n_init(void)
{
	static const char *const vars[] = { "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG" };
	const char *lang = NULL;
	char *dir;
	size_t i;

	for (i = 0; i < sizeof(vars) / sizeof(vars[0]) && lang == NULL; i++) {
		const char *v = getenv(vars[i]);

		if (v && v[0])
			lang = v;
	}
	if (unnamed(lang))
		lang = WW_DEFAULT_LANG;
	english = strncmp(lang, "fr", 2) != 0;
	/* Only the messages and the characters: numbers stay C (the JSON). */
	locale_or_utf8(LC_CTYPE);
	locale_or_utf8(LC_MESSAGES);
	/* LANGUAGE overrides the locale's name in gettext: the language picked
	 * above, even where the French locale is not installed.  The tools the
	 * grader runs do not inherit it (proc.c gives them LC_ALL=C). */
	setenv("LANGUAGE", english ? "en" : "fr", 1);
	dir = locale_dir();
	bindtextdomain(I18N_DOMAIN, dir);
	bind_textdomain_codeset(I18N_DOMAIN, "UTF-8");
	textdomain(I18N_DOMAIN);
	free(bound_dir);
	bound_dir = realpath(dir, NULL);
	if (bound_dir == NULL)
		bound_dir = dir;
	else
		free(dir);
}

const char *i18n_lang(void)
{
	return english ? "en" : "fr";
}

const char *i18n_locale_dir(void)
{
	return bound_dir;
}

bool i18n_english(void)
{
	return english;
}

const char *i18n_pick(const char *fr, const char *en)
{
	return english && en ? en : fr;
}
