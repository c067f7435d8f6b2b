/* i18n.h - one language at a time: the grader's messages through GNU gettext
 *
 * The grader's own messages are written in English, the source language,
 * inside _() (N_() where a table holds them, translated where they are
 * printed); po/fr.po translates them, compiled at build time into
 * build/locale/fr/LC_MESSAGES/westworld-grader.mo.  The spec carries its
 * texts in French with their English beside them (spec_en).
 *
 * The language is the first of LANGUAGE, LC_ALL, LC_MESSAGES, LANG that is
 * set, as gettext reads them: French for "fr...", English for any other.
 * When none is set, or it is C or POSIX, it is WW_DEFAULT_LANG: "en" for the
 * pack's build (its tests and the instructors' CI read English), "fr" for
 * the student kit's (the students of this exercise read French).
 */
#ifndef GRADER_I18N_H
#define GRADER_I18N_H

#include <libintl.h>
#include <stdbool.h>

#define _(s)  gettext(s)
#define N_(s) (s)

#define I18N_DOMAIN "westworld-grader"

/* Picks the language and binds the catalogue: $GRADER_LOCALEDIR, else
 * build/locale or locale beside the binary's folder (the pack, the kit).
 * Call once, first thing in main(). */
void i18n_init(void);

/* True when the messages are English: the reports then print the spec's
 * English texts. */
bool i18n_english(void);

/* The language picked: "en" or "fr" (the harness is given it, --lang). */
const char *i18n_lang(void);

/* The folder of the catalogues i18n_init() bound, absolute when it exists
 * (the harness reads its own there, --localedir); NULL before i18n_init(). */
const char *i18n_locale_dir(void);

/* The text of the language: en when English and the spec has it, else fr. */
const char *i18n_pick(const char *fr, const char *en);

#endif /* GRADER_I18N_H */
