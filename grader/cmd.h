/* cmd.h - the subcommands of bin/grader, as main.c's table lists them
 *
 * Each command owns its options (cmd_<name>.c: its getopt table, its part
 * of --help, its checks; options.h has what they share) and returns the
 * process's exit code (enum grader_exit in util.h).  argv[0] is the
 * command's name; argv0 is bin/grader's, for the reproduce commands.
 */
#ifndef GRADER_CMD_H
#define GRADER_CMD_H

struct command {
	const char *name;
	int       (*run)(int argc, char **argv, const char *argv0);
	const char *usage;      /* its part of --help: "  name ARGS  what\n" */
	const char *options;    /* its options' lines of --help, or NULL */
};

int cmd_validate_spec(int argc, char **argv, const char *argv0);
int cmd_test(int argc, char **argv, const char *argv0);
int cmd_qcm(int argc, char **argv, const char *argv0);
int cmd_mutants(int argc, char **argv, const char *argv0);
int cmd_mutate(int argc, char **argv, const char *argv0);
int cmd_class(int argc, char **argv, const char *argv0);

extern const struct command command_validate_spec, command_test, command_qcm,
			    command_mutants, command_class, command_mutate;

/* The command named name, or NULL. */
const struct command *command_find(const char *name);

/* "validate-spec, test, qcm or mutants" appended to sb. */
struct sbuf;
void command_names(struct sbuf *sb);

/* Prints bin/grader's --help (every command's usage and options) on
 * stdout; returns EXIT_PASS. */
int grader_help(void);

#endif /* GRADER_CMD_H */
