/* main.c - bin/grader's command line: parse it, call the command
 *
 *   grader validate-spec SPEC
 *   grader test -s SPEC -f FILE.c [-H HEADER] [--json] [--only NAME]
 *               [--seed N] [--bonus] [--no-valgrind] [--keep]
 *   grader qcm -s SPEC [--json] ANSWERS
 *   grader mutants -r REFERENCE -s SPEC [--validate] [--json] [--junit FILE]
 *                  [--report FILE] [--html FILE] [--changed-since REV] [-j N]
 *   grader mutate -r REFERENCE -s SPEC [--validate] [--json] [--function NAME]
 *                 [--changed-since REV] [--equivalents FILE] [--report FILE]
 *                 [--html FILE] [-j N]
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "util.h"

static const char usage_text[] =
"usage: grader <command> [options]\n"
"\n"
"Grades the westworld_hypervisor exercise against its spec.json.\n"
"\n"
"commands:\n"
"  validate-spec SPEC        check SPEC and list every problem in it\n"
"  test -s SPEC -f FILE      grade the submission FILE (a hypervisor_sim.c)\n"
"  qcm -s SPEC ANSWERS       grade QCM answers (\"1:B\" lines or \"BCB...\")\n"
"  mutants -r REF -s SPEC    grade REF, then every file of the spec's\n"
"                            validation lists: the kill matrix\n"
"  mutate -r REF -s SPEC     generate REF's mutants, grade each, report the\n"
"                            survivors (see \"options of mutate\")\n"
"\n"
"options of test:\n"
"  -s, --spec SPEC           the exercise's spec.json\n"
"  -f, --file FILE           the submission\n"
"  -H, --header FILE         the submission's own header (default: the spec's)\n"
"      --json                print one JSON object instead of the text report\n"
"      --only NAME           run only the test or edge case NAME\n"
"      --seed N              seed of the fuzzing (printed in every report)\n"
"      --bonus               also grade the bonus table (automatic when the\n"
"                            submission defines maeve_tries_to_escape)\n"
"      --no-valgrind         run the tests natively\n"
"      --keep                keep the scratch directory (its path on stderr)\n"
"\n"
"options of mutants:\n"
"  -r, --reference FILE      the reference: it must pass every test first\n"
"  -s, --spec SPEC           the exercise's spec.json\n"
"      --validate            exit 1 unless every expectation holds: each\n"
"                            expected_pass file passes, each expected_fail\n"
"                            file is killed, every pack file is listed\n"
"      --json                print one JSON object instead of the matrix\n"
"      --junit FILE          write a JUnit XML report, a testcase per file\n"
"      --report FILE         write a Stryker mutation-testing report (JSON)\n"
"      --html FILE           write that report as one offline HTML page\n"
"      --changed-since REV   grade only the files of mutants/, alternatives/\n"
"                            and references/ changed since the git revision\n"
"                            REV (every file if the spec changed)\n"
"  -j, --jobs N              files graded at once (default: the cores)\n"
"      --seed N, --no-valgrind   as for test\n"
"\n"
"options of mutate:\n"
"  -r, --reference FILE      the file to mutate: it must pass every test first\n"
"  -s, --spec SPEC           the exercise's spec.json\n"
"      --validate            exit 1 below the spec's mutation.threshold\n"
"      --json                print one JSON object instead of the summary\n"
"      --function NAME       only the mutants of the function NAME\n"
"      --changed-since REV   only the mutants on lines changed since REV\n"
"      --equivalents FILE    the reviewed equivalent mutants (default: the\n"
"                            pack's mutants/equivalent.json)\n"
"      --report FILE, --html FILE   as for mutants\n"
"  -j, --jobs N              mutants graded at once (default: the cores)\n"
"      --seed N, --no-valgrind, --keep   as for test\n"
"\n"
"  -h, --help                print this help\n"
"\n"
"exit status: 0 passed (or spec valid, or every expectation holds), 1 failed,\n"
"             2 usage or system error, 3 invalid spec or broken reference\n"
"environment: NO_COLOR (no colour), GRADER_LIBDIR (the harness library),\n"
"             GRADER_CC (the compiler, default gcc), GRADER_VALGRIND (the\n"
"             valgrind to run; one not found means a native run), TMPDIR,\n"
"             GRADER_ELEMENTS_JS (the HTML viewer's bundle)\n";

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("grader: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see grader --help)\n", stderr);
	return EXIT_USAGE;
}

static int help(void)
{
	fputs(usage_text, stdout);
	return EXIT_PASS;
}

enum { OPT_JSON = 256, OPT_ONLY, OPT_SEED, OPT_BONUS, OPT_NO_VALGRIND, OPT_KEEP,
       OPT_VALIDATE, OPT_JUNIT, OPT_REPORT, OPT_HTML, OPT_CHANGED_SINCE,
       OPT_FUNCTION, OPT_EQUIVALENTS };

static const struct option test_options[] = {
	{ "spec",        required_argument, NULL, 's' },
	{ "file",        required_argument, NULL, 'f' },
	{ "header",      required_argument, NULL, 'H' },
	{ "json",        no_argument,       NULL, OPT_JSON },
	{ "only",        required_argument, NULL, OPT_ONLY },
	{ "seed",        required_argument, NULL, OPT_SEED },
	{ "bonus",       no_argument,       NULL, OPT_BONUS },
	{ "no-valgrind", no_argument,       NULL, OPT_NO_VALGRIND },
	{ "keep",        no_argument,       NULL, OPT_KEEP },
	{ "help",        no_argument,       NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int parse_seed(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (s[0] == '-' || s[0] == '\0')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

static int main_test(int argc, char **argv, const char *argv0)
{
	struct test_opts o = { .argv0 = argv0 };
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":s:f:H:h", test_options, NULL)) != -1) {
		switch (c) {
		case 's': o.spec = optarg; break;
		case 'f': o.file = optarg; break;
		case 'H': o.header = optarg; break;
		case OPT_JSON: o.json = true; break;
		case OPT_ONLY: o.only = optarg; break;
		case OPT_SEED:
			if (parse_seed(optarg, &o.seed) < 0)
				return usage_error("--seed: '%s' is not a non-negative integer",
						   optarg);
			o.has_seed = true;
			break;
		case OPT_BONUS: o.bonus = true; break;
		case OPT_NO_VALGRIND: o.no_valgrind = true; break;
		case OPT_KEEP: o.keep = true; break;
		case 'h': return help();
		case ':': return usage_error("test: option '%s' needs a value", argv[optind - 1]);
		default:  return usage_error("test: unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("test: unexpected argument '%s'", argv[optind]);
	if (!o.spec)
		return usage_error("test: %s", "missing -s SPEC");
	if (!o.file)
		return usage_error("test: %s", "missing -f FILE");
	return cmd_test(&o);
}

static int main_qcm(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "spec", required_argument, NULL, 's' },
		{ "json", no_argument,       NULL, OPT_JSON },
		{ "help", no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct qcm_opts o = { 0 };
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":s:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': o.spec = optarg; break;
		case OPT_JSON: o.json = true; break;
		case 'h': return help();
		case ':': return usage_error("qcm: option '%s' needs a value", argv[optind - 1]);
		default:  return usage_error("qcm: unknown option '%s'", argv[optind - 1]);
		}
	}
	if (!o.spec)
		return usage_error("qcm: %s", "missing -s SPEC");
	if (optind != argc - 1)
		return usage_error("qcm: %s", "expected one ANSWERS file");
	o.answers = argv[optind];
	return cmd_qcm(&o);
}

static int main_mutants(int argc, char **argv, const char *argv0)
{
	static const struct option opts[] = {
		{ "reference",     required_argument, NULL, 'r' },
		{ "spec",          required_argument, NULL, 's' },
		{ "validate",      no_argument,       NULL, OPT_VALIDATE },
		{ "json",          no_argument,       NULL, OPT_JSON },
		{ "junit",         required_argument, NULL, OPT_JUNIT },
		{ "report",        required_argument, NULL, OPT_REPORT },
		{ "html",          required_argument, NULL, OPT_HTML },
		{ "changed-since", required_argument, NULL, OPT_CHANGED_SINCE },
		{ "jobs",          required_argument, NULL, 'j' },
		{ "seed",          required_argument, NULL, OPT_SEED },
		{ "no-valgrind",   no_argument,       NULL, OPT_NO_VALGRIND },
		{ "help",          no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mutants_opts o = { .argv0 = argv0 };
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	uint64_t jobs;
	int c;

	o.jobs = cores > 0 ? (unsigned)cores : 1;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":r:s:j:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r': o.reference = optarg; break;
		case 's': o.spec = optarg; break;
		case OPT_VALIDATE: o.validate = true; break;
		case OPT_JSON: o.json = true; break;
		case OPT_JUNIT: o.junit = optarg; break;
		case OPT_REPORT: o.report = optarg; break;
		case OPT_HTML: o.html = optarg; break;
		case OPT_CHANGED_SINCE: o.changed_since = optarg; break;
		case 'j':
			if (parse_seed(optarg, &jobs) < 0 || jobs == 0 || jobs > 256)
				return usage_error("--jobs: '%s' is not a number from 1 to 256",
						   optarg);
			o.jobs = (unsigned)jobs;
			break;
		case OPT_SEED:
			if (parse_seed(optarg, &o.seed) < 0)
				return usage_error("--seed: '%s' is not a non-negative integer",
						   optarg);
			o.has_seed = true;
			break;
		case OPT_NO_VALGRIND: o.no_valgrind = true; break;
		case 'h': return help();
		case ':': return usage_error("mutants: option '%s' needs a value", argv[optind - 1]);
		default:  return usage_error("mutants: unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("mutants: unexpected argument '%s'", argv[optind]);
	if (!o.reference)
		return usage_error("mutants: %s", "missing -r REFERENCE");
	if (!o.spec)
		return usage_error("mutants: %s", "missing -s SPEC");
	return cmd_mutants(&o);
}

static int main_mutate(int argc, char **argv, const char *argv0)
{
	static const struct option opts[] = {
		{ "reference",     required_argument, NULL, 'r' },
		{ "spec",          required_argument, NULL, 's' },
		{ "validate",      no_argument,       NULL, OPT_VALIDATE },
		{ "json",          no_argument,       NULL, OPT_JSON },
		{ "function",      required_argument, NULL, OPT_FUNCTION },
		{ "changed-since", required_argument, NULL, OPT_CHANGED_SINCE },
		{ "equivalents",   required_argument, NULL, OPT_EQUIVALENTS },
		{ "report",        required_argument, NULL, OPT_REPORT },
		{ "html",          required_argument, NULL, OPT_HTML },
		{ "jobs",          required_argument, NULL, 'j' },
		{ "seed",          required_argument, NULL, OPT_SEED },
		{ "no-valgrind",   no_argument,       NULL, OPT_NO_VALGRIND },
		{ "keep",          no_argument,       NULL, OPT_KEEP },
		{ "help",          no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mutate_opts o = { .argv0 = argv0 };
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	uint64_t jobs;
	int c;

	o.jobs = cores > 0 ? (unsigned)cores : 1;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":r:s:j:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r': o.reference = optarg; break;
		case 's': o.spec = optarg; break;
		case OPT_VALIDATE: o.validate = true; break;
		case OPT_JSON: o.json = true; break;
		case OPT_FUNCTION: o.function = optarg; break;
		case OPT_CHANGED_SINCE: o.changed_since = optarg; break;
		case OPT_EQUIVALENTS: o.equivalents = optarg; break;
		case OPT_REPORT: o.report = optarg; break;
		case OPT_HTML: o.html = optarg; break;
		case 'j':
			if (parse_seed(optarg, &jobs) < 0 || jobs == 0 || jobs > 256)
				return usage_error("--jobs: '%s' is not a number from 1 to 256",
						   optarg);
			o.jobs = (unsigned)jobs;
			break;
		case OPT_SEED:
			if (parse_seed(optarg, &o.seed) < 0)
				return usage_error("--seed: '%s' is not a non-negative integer",
						   optarg);
			o.has_seed = true;
			break;
		case OPT_NO_VALGRIND: o.no_valgrind = true; break;
		case OPT_KEEP: o.keep = true; break;
		case 'h': return help();
		case ':': return usage_error("mutate: option '%s' needs a value", argv[optind - 1]);
		default:  return usage_error("mutate: unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("mutate: unexpected argument '%s'", argv[optind]);
	if (!o.reference)
		return usage_error("mutate: %s", "missing -r REFERENCE");
	if (!o.spec)
		return usage_error("mutate: %s", "missing -s SPEC");
	return cmd_mutate(&o);
}

static int main_validate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h')
			return help();
		return usage_error("validate-spec: unknown option '%s'", argv[optind - 1]);
	}
	if (optind != argc - 1)
		return usage_error("validate-spec: %s", "expected one SPEC file");
	return cmd_validate_spec(argv[optind]);
}

int main(int argc, char **argv)
{
	const char *cmd;

	if (argc < 2)
		return usage_error("%s", "missing command: validate-spec, test, qcm or mutants");
	cmd = argv[1];
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help"))
		return help();
	if (!strcmp(cmd, "validate-spec"))
		return main_validate(argc - 1, argv + 1);
	if (!strcmp(cmd, "test"))
		return main_test(argc - 1, argv + 1, argv[0]);
	if (!strcmp(cmd, "qcm"))
		return main_qcm(argc - 1, argv + 1);
	if (!strcmp(cmd, "mutants"))
		return main_mutants(argc - 1, argv + 1, argv[0]);
	if (!strcmp(cmd, "mutate"))
		return main_mutate(argc - 1, argv + 1, argv[0]);
	return usage_error("unknown command '%s'", cmd);
}
