/* options.c - what the commands' command lines share (options.h) */
#include "options.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "i18n.h"
#include "util.h"

int parse_count(const char *s, uint64_t *out)
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

int parse_bounded(const char *opt, const char *s, uint64_t min, uint64_t max,
		  uint64_t *out)
{
	if (parse_count(s, out) < 0 || *out < min || *out > max)
		return usage_error(_("%s: '%s' is not a number from %llu to %llu"), opt, s,
				   (unsigned long long)min, (unsigned long long)max);
	return 0;
}

unsigned default_jobs(void)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	return cores > 0 ? (unsigned)cores : 1;
}

int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs(_("grader: "), stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(_(" (see grader --help)\n"), stderr);
	return EXIT_USAGE;
}

int option_error(const char *cmd, int c, char **argv)
{
	if (c == ':')
		return usage_error(_("%s: option '%s' needs a value"), cmd, argv[optind - 1]);
	return usage_error(_("%s: unknown option '%s'"), cmd, argv[optind - 1]);
}

int grade_opts_parse(struct grade_opts *o, int c, const char *arg)
{
	switch (c) {
	case 's': o->spec_path = arg; return 1;
	case 'H': o->header = arg; return 1;
	case OPT_ONLY: o->only = arg; return 1;
	case OPT_BONUS: o->bonus = true; return 1;
	case OPT_NO_VALGRIND: o->no_valgrind = true; return 1;
	case OPT_KEEP: o->keep = true; return 1;
	case OPT_SEED:
		if (parse_count(arg, &o->seed) < 0) {
			usage_error(_("--seed: '%s' is not a non-negative integer"), arg);
			return -1;
		}
		o->has_seed = true;
		return 1;
	default:
		return 0;
	}
}
