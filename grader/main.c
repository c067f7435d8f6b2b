/* main.c - bin/grader: find the command (commands.c), let it parse its
 * command line
 *
 *   grader validate-spec SPEC
 *   grader test -s SPEC -f FILE.c [-H HEADER] [--json] [--only NAME]
 *               [--seed N] [--bonus] [--no-valgrind] [--keep]
 *   grader qcm -s SPEC [--json] ANSWERS
 *   grader mutants -r REFERENCE -s SPEC [--validate] [--json] [--junit FILE]
 *                  [--report FILE] [--html FILE] [--changed-since REV] [-j N]
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "i18n.h"
#include "options.h"
#include "util.h"

int main(int argc, char **argv)
{
	const struct command *cmd;
	struct sbuf names = { 0 };

	i18n_init();
	if (argc < 2) {
		command_names(&names);
		usage_error(_("missing command: %s"), sbuf_str(&names));
		sbuf_release(&names);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help"))
		return grader_help();
	cmd = command_find(argv[1]);
	if (cmd == NULL)
		return usage_error(_("unknown command '%s'"), argv[1]);
	return cmd->run(argc - 1, argv + 1, argv[0]);
}
