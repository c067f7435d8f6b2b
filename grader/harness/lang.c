/* lang.c - the harness's messages in the grader's language (harness.h)
 *
 * The grader picks the language (grader/i18n.c) and passes it with the
 * folder of its catalogues: --lang fr --localedir DIR.  English is the
 * source language: then nothing here changes the process (no setlocale,
 * no catalogue), and ww_tr() returns its argument.  Otherwise the
 * catalogue of the domain westworld-harness is bound and loaded at once,
 * by the supervisor, before any worker arms its system call filter: the
 * workers it forks find it loaded and open no file to translate.
 */
#include "harness.h"

#include <libintl.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#define WW_DOMAIN "westworld-harness"

static bool translating;

int ww_lang_init(const char *lang, const char *dir)
{
	if (lang == NULL || !strncmp(lang, "en", 2))
		return 0;
	if (strncmp(lang, "fr", 2) || dir == NULL || !dir[0])
		return -1;
	/* gettext translates nothing in the C locale; LANGUAGE names the
	 * language even where the French locale is not installed. */
	if (setlocale(LC_ALL, "C.UTF-8") == NULL || setenv("LANGUAGE", "fr", 1) < 0 ||
	    bindtextdomain(WW_DOMAIN, dir) == NULL ||
	    bind_textdomain_codeset(WW_DOMAIN, "UTF-8") == NULL)
		return -1;
	translating = true;
	/* loads the catalogue now: a message every catalogue translates */
	(void)dgettext(WW_DOMAIN, "timeout after %u ms of CPU time in %s");
	ww_alloc_lang();
	return 0;
}

const char *ww_tr(const char *msgid)
{
	return translating ? dgettext(WW_DOMAIN, msgid) : msgid;
}
