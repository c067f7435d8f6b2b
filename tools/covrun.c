/* covrun.c - make coverage's runner: grade one file the way `bin/grader
 * test --no-valgrind` does, with the submission compiled for gcov, and
 * write what gcov says of it
 *
 *   covrun [--seed N] SPEC FILE OUT.json.gz
 *
 * It is the grader's own code path, linked from the grader's objects:
 * spec_load_checked(), then grade_file() - the same build (the spec's
 * cflags, -O0 -fno-builtin -g ..., the symbol checks, the objcopy renaming,
 * the oracle when the spec asks for one), the same vetting, the same items
 * for the harness (the graded table, the bonus table when FILE defines the
 * bonus functions, the edge cases; the spec's timeouts and fuzzing
 * iterations) in the same jail.  What differs, and why:
 *
 *  - the spec's cflags get --coverage -fprofile-info-section=covrun_gcov_info
 *    (counters without a constructor, which the vet would refuse);
 *  - once built, the harness is linked again with tools/covrun_hook.o,
 *    libgcov and -Wl,--wrap=_exit,--wrap=raise: the workers end with
 *    _exit() and the hook writes their counts first (covrun_hook.c);
 *  - no valgrind (--no-valgrind: gcov's counts do not need it, and the run
 *    takes a second instead of a minute);
 *  - GRADER_SYSFILTER=off: the harness's seccomp filter forbids open(),
 *    and libgcov opens the .gcda file.  bubblewrap stays: the counts go to
 *    <scratch>/run, the one directory the jail lets the harness write;
 *  - the seed: --seed N, else the spec's, else 1 (the grader draws one at
 *    random), so that two runs count the same.
 *
 * It prints the verdicts in one paragraph (the tests that did not pass
 * reach less of the code: the figures are read with them), then runs
 * gcov -b --json-format on the counts and copies its output to OUT.json.gz
 * for tools/covreport.py.  Exit status: 0, or 2 when it could not measure.
 * $GRADER_LIBDIR names the directory of libharness.a (the Makefile sets
 * it), $COVRUN_HOOK the hook's object (default: next to this program).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grade_file.h"
#include "proc.h"
#include "spec.h"
#include "util.h"

struct relink {
	const char *hook;       /* covrun_hook.o */
	char       *scratch;    /* the build's scratch directory (kept) */
	char       *src_base;
	char       *error;      /* why the relink failed, or NULL */
};

static const char *cc(void)
{
	const char *c = getenv("GRADER_CC");

	return c && c[0] ? c : "gcc";
}

/* grade_file()'s hook between the build and the run.  The grader's link
 * fails (libgcov is not on its command line: __gcov_merge_add undefined):
 * the same link again, with the hook and libgcov.  g is grade_file()'s own,
 * non-const grade: the verdict "does not build" is lifted when the link
 * with libgcov succeeds. */
static void relink(const struct build *b, const struct grade *cg, void *arg)
{
	struct relink *r = arg;
	struct grade *g = (struct grade *)cg;
	struct strlist argv = { 0 };
	char *sub = path_join(b->scratch, "obj/sub.ww.o"), *lib, *libdir, *out;
	int st;

	r->scratch = xstrdup(b->scratch);
	r->src_base = xstrdup(b->src_base);
	if (access(sub, R_OK) != 0) {   /* did not get as far as the link */
		free(sub);
		return;
	}
	libdir = build_default_libdir();
	lib = path_join(libdir, "libharness.a");
	strlist_add(&argv, cc());
	strlist_add(&argv, "-no-pie");
	strlist_add(&argv, "-o");
	strlist_add(&argv, b->exe);
	strlist_add(&argv, sub);
	if (b->with_oracle)
		strlist_addf(&argv, "%s/obj/ref.ww.o", b->scratch);
	strlist_add(&argv, r->hook);
	strlist_add(&argv, lib);
	strlist_add(&argv, "--coverage");
	strlist_add(&argv, "-Wl,--wrap=_exit,--wrap=raise");
	out = proc_capture(strlist_argv(&argv), NULL, b->scratch, &st);
	if (out == NULL || st != 0) {
		r->error = xasprintf("the link with libgcov failed: %s",
				     out ? out : "no compiler");
	} else {
		g->compiled = true;
		free(g->compile_message);
		g->compile_message = xstrdup("");
	}
	strlist_release(&argv);
	free(out);
	free(sub);
	free(lib);
	free(libdir);
}

/* Lines the grader writes on stderr that say what covrun chose. */
static bool expected_warning(const char *line)
{
	return strstr(line, "scratch directory kept") ||
	       strstr(line, "GRADER_SYSFILTER=off");
}

/* The verdicts, one paragraph per table. */
static unsigned print_table(const char *title, const struct table_result *t)
{
	struct sbuf names = { 0 };
	unsigned pass = 0, lost = 0;
	size_t i;

	if (!t->graded || t->n == 0)
		return 0;
	for (i = 0; i < t->n; i++) {
		const struct test_result *r = &t->tests[i];

		if (r->status == ST_PASS) {
			pass++;
			continue;
		}
		if (r->status == ST_CRASH || r->status == ST_TIMEOUT)
			lost++;
		sbuf_addf(&names, "%s%s (%s)", names.len ? ", " : "", r->name,
			  status_name(r->status));
	}
	printf("  %-11s %zu run, %u passed%s%s\n", title, t->n, pass,
	       names.len ? "; not passed: " : "", sbuf_str(&names));
	sbuf_release(&names);
	return lost;
}

static int usage(void)
{
	fputs("usage: covrun [--seed N] SPEC FILE OUT.json.gz\n", stderr);
	return 2;
}

int main(int argc, char **argv)
{
	struct spec spec;
	struct grade g = { 0 };
	struct relink rl = { 0 };
	struct grade_file_opts go = { 0 };
	char *err = NULL, *hook = NULL, *log = NULL, *text, *line, *save = NULL;
	char *gcda = NULL, *gcda_dst = NULL, *json = NULL;
	const char *spec_path, *file, *out_path;
	int argi = 1, ret = 2, saved_err, fd, st;
	unsigned lost;

	if (argc > 2 && !strcmp(argv[1], "--seed")) {
		char *end;

		errno = 0;
		go.grading.seed = strtoull(argv[2], &end, 10);
		if (errno || *end || !argv[2][0])
			return usage();
		go.grading.has_seed = true;
		argi = 3;
	}
	if (argc - argi != 3)
		return usage();
	spec_path = argv[argi];
	file = argv[argi + 1];
	out_path = argv[argi + 2];
	if (spec_load_checked(&spec, spec_path) != EXIT_PASS)
		goto out_spec;
	if (!go.grading.has_seed && !spec.fuzz_has_seed) {
		go.grading.seed = 1;
		go.grading.has_seed = true;
	}
	if (getenv("COVRUN_HOOK") && getenv("COVRUN_HOOK")[0]) {
		hook = xstrdup(getenv("COVRUN_HOOK"));
	} else {
		char exe[4096];
		ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		char *dir;

		exe[n > 0 ? n : 0] = '\0';
		dir = path_dir(exe);
		hook = path_join(dir, "covrun_hook.o");
		free(dir);
	}
	if (access(hook, R_OK) != 0) {
		fprintf(stderr, "covrun: cannot read the hook object '%s'\n", hook);
		goto out_spec;
	}
	strlist_add(&spec.cflags, "--coverage");
	strlist_add(&spec.cflags, "-fprofile-info-section=covrun_gcov_info");
	setenv("GRADER_SYSFILTER", "off", 1);

	rl.hook = hook;
	go.grading.argv0 = "covrun";
	go.grading.spec_path = spec_path;
	go.file = file;
	go.grading.no_valgrind = true;
	go.grading.keep = true;
	go.built = relink;
	go.built_arg = &rl;

	/* The grader's stderr, less the lines covrun's choices cause. */
	log = xasprintf("%s/covrun.%d.log", getenv("TMPDIR") && getenv("TMPDIR")[0]
			? getenv("TMPDIR") : "/tmp", (int)getpid());
	fflush(stderr);
	saved_err = dup(STDERR_FILENO);
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0) {
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
	st = grade_file(&spec, &go, &g, &err);
	fflush(stderr);
	dup2(saved_err, STDERR_FILENO);
	close(saved_err);
	text = read_file(log, NULL);
	unlink(log);
	for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save))
		if (!expected_warning(line))
			fprintf(stderr, "%s\n", line);
	free(text);
	if (st < 0) {
		fprintf(stderr, "covrun: %s\n", err);
		goto out;
	}
	if (rl.error || !g.compiled) {
		fprintf(stderr, "covrun: %s does not build for coverage: %s\n", file,
			rl.error ? rl.error : g.compile_message);
		goto out;
	}
	printf("%s: seed %llu, natively (no valgrind), GRADER_SYSFILTER=off\n", file,
	       (unsigned long long)g.seed);
	lost = print_table("tests", &g.base);
	lost += print_table("bonus", &g.bonus);
	lost += print_table("edge cases", &g.edges);
	if (lost)
		printf("  (%u item%s crashed or timed out: counted up to the crash, "
		       "not at all after a timeout)\n", lost, lost > 1 ? "s" : "");

	gcda = xasprintf("%s/run/sub.gcda", rl.scratch);
	gcda_dst = xasprintf("%s/obj/sub.gcda", rl.scratch);   /* beside sub.gcno */
	if (copy_file(gcda, gcda_dst) < 0) {
		fprintf(stderr, "covrun: no counts were written ('%s': %s)\n", gcda,
			strerror(errno));
		goto out;
	}
	{
		char *gargv[] = { "gcov", "-b", "--json-format", "-o", "sub.o", "sub.o", NULL };
		char *objdir = path_join(rl.scratch, "obj");
		char *gout = proc_capture(gargv, objdir, rl.scratch, &st);

		free(objdir);

		if (gout == NULL || st != 0) {
			fprintf(stderr, "covrun: gcov failed: %s\n", gout ? gout : "not found");
			free(gout);
			goto out;
		}
		free(gout);
	}
	json = xasprintf("%s/obj/sub.gcov.json.gz", rl.scratch);
	if (copy_file(json, out_path) < 0) {
		fprintf(stderr, "covrun: cannot write '%s': %s\n", out_path, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	if (rl.scratch && !getenv("COVRUN_KEEP"))
		remove_tree(rl.scratch);
	else if (rl.scratch)
		fprintf(stderr, "covrun: scratch directory kept: %s\n", rl.scratch);
	grade_release(&g);
	free(err);
	free(log);
	free(gcda);
	free(gcda_dst);
	free(json);
	free(rl.scratch);
	free(rl.src_base);
	free(rl.error);
out_spec:
	spec_release(&spec);
	free(hook);
	return ret;
}
