/* commands.c - the table of bin/grader's commands and its --help */
#include "cmd.h"

#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "util.h"

static const struct command *const commands[] = {
	&command_validate_spec,
	&command_test,
	&command_qcm,
	&command_mutants,
	&command_mutate,
	&command_class,
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

int grader_help(void)
{
	size_t i;

	fputs(_("usage: grader <command> [options]\n\n"
		"Grades the westworld_hypervisor exercise against its spec.json.\n\n"
		"commands:\n"), stdout);
	for (i = 0; i < NCOMMANDS; i++)
		fputs(_(commands[i]->usage), stdout);
	for (i = 0; i < NCOMMANDS; i++)
		if (commands[i]->options) {
			printf(_("\noptions of %s:\n"), commands[i]->name);
			fputs(_(commands[i]->options), stdout);
		}
	fputs(_("\n"
		"  -h, --help                print this help\n"
		"\n"
		"exit status: 0 passed (or spec valid, or every expectation holds), 1 failed,\n"
		"             2 usage or system error, 3 invalid spec or broken reference\n"
		"environment: NO_COLOR (no colour), GRADER_LIBDIR (the harness library),\n"
		"             GRADER_CC (the compiler, default gcc), GRADER_VALGRIND (the\n"
		"             valgrind to run; one not found means a native run), TMPDIR,\n"
		"             GRADER_ELEMENTS_JS (the HTML viewer's bundle), GRADER_LOCALEDIR\n"
		"             (the message catalogues); LANGUAGE, LC_ALL, LC_MESSAGES, LANG:\n"
		"             the language of the messages (fr: French, else English)\n"),
	      stdout);
	return EXIT_PASS;
}

const struct command *command_find(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (!strcmp(name, commands[i]->name))
			return commands[i];
	return NULL;
}

void command_names(struct sbuf *sb)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		sbuf_addf(sb, "%s%s", i == 0 ? "" : i + 1 < NCOMMANDS ? ", " : _(" or "),
			  commands[i]->name);
}
