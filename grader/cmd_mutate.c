/* cmd_mutate.c - bin/grader mutate: generate the mutants of a reference,
 * grade each as a student would be graded, report the survivors
 *
 * The reference is graded first, as `grader test` does (under valgrind):
 * it must pass everything.  Every mutant is then written out and graded in
 * a forked child, at most -j at once: built with the pack's flags, its
 * object code (without debug information) compared with the reference's
 * (equivalent: not graded) and with every other mutant's so far (duplicate:
 * not graded; a claim file per code hash in the scratch directory, created
 * with O_EXCL, makes the first one the owner across the children), then
 * its tests run natively, stopping at the first refusing result; only a
 * mutant the native run did not kill runs again under valgrind, as the
 * student's grade would.  The child leaves its `grader test --json` report
 * and a one-word outcome; the parent collects, applies the instructor's
 * reviewed equivalents and reports.
 */
#include "cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "grade_file.h"
#include "i18n.h"
#include "matrix.h"
#include "mutate.h"
#include "options.h"
#include "proc.h"
#include "report.h"
#include "report_matrix.h"
#include "sandbox.h"
#include "spec.h"
#include "vet.h"

enum { OPT_FUNCTION = OPT_FIRST_FREE, OPT_EQUIVALENTS };

const struct command command_mutate = {
	"mutate", cmd_mutate,
	N_("  mutate -r REF -s SPEC     generate REF's mutants, grade each, report the\n"
	   "                            survivors\n"),
	N_("  -r, --reference FILE      the file to mutate: it must pass every test first\n"
	   "  -s, --spec SPEC           the exercise's spec.json\n"
	   "      --validate            exit 1 below the spec's mutation.threshold\n"
	   "      --json                print one JSON object instead of the summary\n"
	   "      --function NAME       only the mutants of the function NAME\n"
	   "      --changed-since REV   only the mutants on lines changed since REV\n"
	   "      --equivalents FILE    the reviewed equivalent mutants (default: the\n"
	   "                            pack's mutants/equivalent.json)\n"
	   "      --report FILE, --html FILE   as for mutants\n"
	   "  -j, --jobs N              mutants graded at once (default: the cores)\n"
	   "      --seed N, --no-valgrind, --keep   as for test\n"),
};

struct mutate_opts {
	struct grade_opts grading;      /* -s, --seed, --no-valgrind, --keep */
	const char *reference;  /* -r: the file mutated; must pass everything */
	const char *function;   /* --function NAME, or NULL for all */
	const char *changed_since;      /* a git revision, or NULL */
	const char *equivalents;        /* --equivalents FILE, or NULL for the
					 * pack's mutants/equivalent.json */
	const char *report;     /* --report FILE (Stryker JSON), or NULL */
	const char *html;       /* --html FILE, or NULL */
	unsigned    jobs;       /* mutants graded at once */
	bool        validate;   /* exit 1 below the spec's mutation.threshold */
	bool        json;
};

/* OPTIONS_OK with o filled, or the exit code of a usage error or --help. */
static int parse(int argc, char **argv, const char *argv0, struct mutate_opts *o)
{
	static const struct option options[] = {
		GRADE_OPT_SPEC, GRADE_OPT_SEED, GRADE_OPT_NO_VALGRIND, GRADE_OPT_KEEP,
		{ "reference",     required_argument, NULL, 'r' },
		{ "validate",      no_argument,       NULL, OPT_VALIDATE },
		{ "json",          no_argument,       NULL, OPT_JSON },
		{ "function",      required_argument, NULL, OPT_FUNCTION },
		{ "changed-since", required_argument, NULL, OPT_CHANGED_SINCE },
		{ "equivalents",   required_argument, NULL, OPT_EQUIVALENTS },
		{ "report",        required_argument, NULL, OPT_REPORT },
		{ "html",          required_argument, NULL, OPT_HTML },
		{ "jobs",          required_argument, NULL, 'j' },
		{ "help",          no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t jobs;
	int c, taken;

	memset(o, 0, sizeof(*o));
	o->grading.argv0 = argv0;
	o->jobs = default_jobs();
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":r:s:j:h", options, NULL)) != -1) {
		if ((taken = grade_opts_parse(&o->grading, c, optarg)) != 0) {
			if (taken < 0)
				return EXIT_USAGE;
			continue;
		}
		switch (c) {
		case 'r': o->reference = optarg; break;
		case OPT_VALIDATE: o->validate = true; break;
		case OPT_JSON: o->json = true; break;
		case OPT_FUNCTION: o->function = optarg; break;
		case OPT_CHANGED_SINCE: o->changed_since = optarg; break;
		case OPT_EQUIVALENTS: o->equivalents = optarg; break;
		case OPT_REPORT: o->report = optarg; break;
		case OPT_HTML: o->html = optarg; break;
		case 'j':
			if (parse_bounded("--jobs", optarg, 1, 256, &jobs) != 0)
				return EXIT_USAGE;
			o->jobs = (unsigned)jobs;
			break;
		case 'h': return grader_help();
		default: return option_error("mutate", c, argv);
		}
	}
	if (optind < argc)
		return usage_error(_("mutate: unexpected argument '%s'"), argv[optind]);
	if (!o->reference)
		return usage_error(_("mutate: %s"), _("missing -r REFERENCE"));
	if (!o->grading.spec_path)
		return usage_error(_("mutate: %s"), _("missing -s SPEC"));
	return OPTIONS_OK;
}

struct mrun {
	const struct mutate_opts *o;
	const struct spec *spec;
	struct mutant_set set;
	struct matrix m;
	char   *scratch;
	char   *ref_code;           /* the reference's object code */
	size_t  ref_code_len;
	uint64_t seed;
	bool    valgrind;
	bool    tty;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static char *mut_path(const struct mrun *rn, size_t i, const char *name)
{
	return xasprintf("%s/m%zu/%s", rn->scratch, i, name);
}

static int write_text(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	if (fwrite(text, 1, len, f) != len) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

/* The object as built, without what does not change behaviour: as
 * `grader mutants` compares its mutants. */
static char *strip_code(const struct build *b, const char *out, size_t *len)
{
	char *argv[] = { "objcopy", "--strip-debug", "--discard-all",
			 "-R", ".comment", "-R", ".note.GNU-stack",
			 b->object, (char *)out, NULL };

	if (proc_run(argv, NULL) != 0)
		return NULL;
	return read_file(out, len);
}

static uint64_t fnv1a(const char *p, size_t n)
{
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

struct child {
	const struct mrun *rn;
	size_t  index;              /* the mutant's; SIZE_MAX for the reference */
	char   *outcome;            /* where the child says what it did */
	bool    again;              /* the valgrind run after a native one: its
				     * code was judged already (and claimed) */
};

static void say(const char *path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(const char *path, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	write_text(path, s, strlen(s));
	free(s);
}

/* Called once the mutant is built: equivalent or duplicate, it is not
 * graded (the child ends here). */
static void child_built(const struct build *b, const struct grade *g, void *arg)
{
	const struct child *c = arg;
	const struct mrun *rn = c->rn;
	char *code_path, *claim = NULL, *owner = NULL, *ocode = NULL;
	char *code;
	size_t len, olen;
	int fd;

	if (!g->compiled || b->object == NULL || c->again)
		return;
	code_path = c->index == SIZE_MAX ? xasprintf("%s/ref.code", rn->scratch)
					 : mut_path(rn, c->index, "code");
	code = strip_code(b, code_path, &len);
	if (code == NULL || c->index == SIZE_MAX)
		goto out;
	if (len == rn->ref_code_len && !memcmp(code, rn->ref_code, len)) {
		say(c->outcome, "equivalent\n");
		_exit(0);
	}
	claim = xasprintf("%s/codes/%016" PRIx64, rn->scratch, fnv1a(code, len));
	fd = open(claim, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd >= 0) {
		char *s = xasprintf("%zu\n", c->index);

		if (write(fd, s, strlen(s)) < 0)
			(void)0;        /* an owner nobody can read: no duplicate */
		free(s);
		close(fd);
		goto out;
	}
	/* another mutant has this hash: the same code, unless they collide */
	owner = read_file(claim, NULL);
	if (owner && owner[0]) {
		size_t oi = strtoul(owner, NULL, 10);
		char *op = mut_path(rn, oi, "code");

		ocode = oi != c->index ? read_file(op, &olen) : NULL;
		free(op);
		if (ocode && olen == len && !memcmp(ocode, code, len)) {
			say(c->outcome, "duplicate %zu\n", oi);
			_exit(0);
		}
	}
out:
	free(code);
	free(code_path);
	free(claim);
	free(owner);
	free(ocode);
}

static int grade_to(const struct child *c, const char *path, bool native,
		    const char *json_path, bool *passed, char **err)
{
	const struct mrun *rn = c->rn;
	struct grade g = { 0 };
	struct report_info ri = { rn->o->grading.spec_path, false };
	struct grade_file_opts go = {
		.grading = rn->o->grading, .file = path,
		.stop_first = c->index != SIZE_MAX,
		.built = child_built, .built_arg = (void *)c,
	};
	FILE *f;
	int ret = -1;

	go.grading.has_seed = true;     /* the one seed of the whole run */
	go.grading.seed = rn->seed;
	go.grading.no_valgrind = native;
	go.grading.keep = false;
	if (grade_file(rn->spec, &go, &g, err) < 0)
		goto out;
	*passed = g.passed;
	f = fopen(json_path, "w");
	if (f == NULL) {
		*err = xasprintf("cannot write '%s': %s", json_path, strerror(errno));
		goto out;
	}
	report_json(f, &g, &ri);
	if (fclose(f) != 0) {
		*err = xasprintf("cannot write '%s'", json_path);
		goto out;
	}
	ret = 0;
out:
	grade_release(&g);
	return ret;
}

/* The child: native first, valgrind only when the native run passed. */
static void __attribute__((noreturn)) child_run(struct child *c,
						const char *path, const char *json)
{
	const struct mrun *rn = c->rn;
	bool passed = false, native = c->index != SIZE_MAX || !rn->valgrind;
	char *err = NULL;

	if (grade_to(c, path, native, json, &passed, &err) < 0)
		goto fail;
	if (native && passed && rn->valgrind) {
		c->again = true;
		if (grade_to(c, path, false, json, &passed, &err) < 0)
			goto fail;
		say(c->outcome, "graded valgrind\n");
	} else {
		say(c->outcome, "graded %s\n", native ? "native" : "valgrind");
	}
	_exit(0);
fail:
	say(c->outcome, "error %s\n", err ? err : "?");
	_exit(2);
}

static pid_t child_start(struct child *c, const char *path, const char *json)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0)
		child_run(c, path, json);
	return pid;
}

/* Fills m from its report: killed or survived, who noticed, why refused. */
static void mutant_read_report(struct mutant *m, const json_t *report)
{
	const json_t *rbs = json_object_get(report, "refused_because"), *rb;
	const json_t *tables[3];
	struct strlist not_run = { 0 };
	size_t t, i;

	if (!json_is_true(json_object_get(json_object_get(report, "compile"), "ok"))) {
		m->status = MUT_NOT_COMPILING;
		return;
	}
	m->status = json_is_true(json_object_get(report, "passed")) ? MUT_SURVIVED
								  : MUT_KILLED;
	m->score = (int)json_integer_value(json_object_get(report, "score"));
	tables[0] = json_object_get(report, "tests");
	tables[1] = json_object_get(report, "edge_cases");
	tables[2] = json_object_get(json_object_get(report, "bonus"), "tests");
	for (t = 0; t < 3; t++) {
		const json_t *arr = tables[t], *x;

		json_array_foreach(arr, i, x) {
			const char *st = json_string_value(json_object_get(x, "status"));
			const char *name = json_string_value(json_object_get(x, "name"));

			if (st && name && strcmp(st, "pass") && strcmp(st, "not_run"))
				strlist_addf(&m->killers, "%s (%s)", name, st);
			if (st && name && !strcmp(st, "not_run"))
				strlist_add(&not_run, name);
		}
	}
	/* The first reason that is not a test the run stopped before (a trap
	 * not run counts as failed, but the run only stopped because an
	 * earlier test refused the mutant already). */
	json_array_foreach(rbs, i, rb) {
		const char *test = json_string_value(json_object_get(rb, "test"));
		const char *text = json_string_value(json_object_get(rb, "text"));

		if (text && !(test && strlist_has(&not_run, test))) {
			m->refused_because = xstrdup(text);
			break;
		}
	}
	strlist_release(&not_run);
}

/* Grades the reference (i == SIZE_MAX) or mutant i, and waits. */
struct slot {
	pid_t   pid;
	size_t  index;
	uint64_t start;
	struct child c;
	char   *json;
};

static int collect(struct mrun *rn, struct slot *s, char **err)
{
	char *outcome = read_file(s->c.outcome, NULL);
	struct mutant *m = s->index == SIZE_MAX ? NULL : &rn->set.v[s->index];
	json_error_t je;
	json_t *report = NULL;
	int ret = -1;

	if (outcome == NULL || !strncmp(outcome, "error ", 6)) {
		*err = xasprintf("cannot grade %s: %s", m ? m->id : rn->o->reference,
				 outcome ? outcome + 6 : "its grading process died");
		goto out;
	}
	if (m)
		m->ms = (unsigned)(now_ms() - s->start);
	if (m && !strncmp(outcome, "equivalent", 10)) {
		m->status = MUT_EQUIVALENT;
		ret = 0;
		goto out;
	}
	if (m && !strncmp(outcome, "duplicate ", 10)) {
		m->status = MUT_DUPLICATE;
		m->same_as = strtoul(outcome + 10, NULL, 10);
		ret = 0;
		goto out;
	}
	report = json_load_file(s->json, 0, &je);
	if (report == NULL) {
		*err = xasprintf("cannot grade %s: no report (%s)",
				 m ? m->id : rn->o->reference, je.text);
		goto out;
	}
	if (m == NULL) {
		char *why = NULL, *code_path = xasprintf("%s/ref.code", rn->scratch);

		matrix_row_set_report(&rn->m, &rn->m.baseline, report);
		rn->ref_code = read_file(code_path, &rn->ref_code_len);
		free(code_path);
		if (!matrix_baseline_ok(&rn->m, report, &why) || rn->ref_code == NULL) {
			*err = xasprintf("baseline broken: the reference '%s' must pass "
					 "everything, and %s\nEvery mutant's verdict "
					 "would be meaningless: fix the reference or the "
					 "tests first", rn->o->reference,
					 why ? why : "its object code could not be read");
			free(why);
			goto out;
		}
		free(why);
	} else {
		struct matrix_row *r;
		char *file = xasprintf("%zu", s->index);

		m->valgrind = strstr(outcome, "valgrind") != NULL;
		mutant_read_report(m, report);
		r = matrix_add_row(&rn->m, file, s->c.outcome, EXPECT_FAIL);
		free(r->path);
		r->path = mut_path(rn, s->index, path_base(rn->o->reference));
		matrix_row_set_report(&rn->m, r, report);
		r->ms = m->ms;
		free(file);
	}
	ret = 0;
out:
	json_decref(report);
	free(outcome);
	return ret;
}

static void slot_prepare(struct mrun *rn, struct slot *s, size_t index)
{
	s->index = index;
	s->c.rn = rn;
	s->c.index = index;
	if (index == SIZE_MAX) {
		s->c.outcome = xasprintf("%s/ref.outcome", rn->scratch);
		s->json = xasprintf("%s/ref.json", rn->scratch);
	} else {
		s->c.outcome = mut_path(rn, index, "outcome");
		s->json = mut_path(rn, index, "report.json");
	}
}

static void slot_clear(struct slot *s)
{
	free(s->c.outcome);
	free(s->json);
	memset(s, 0, sizeof(*s));
	s->pid = -1;
}

static void progress(const struct mrun *rn, size_t done, size_t total)
{
	size_t i, k = 0, sv = 0;

	if (!rn->tty)
		return;
	for (i = 0; i < rn->set.n; i++) {
		k += rn->set.v[i].status == MUT_KILLED;
		sv += rn->set.v[i].status == MUT_SURVIVED;
	}
	fprintf(stderr, "\rgrader: mutant %zu/%zu: %zu killed, %zu survived ", done,
		total, k, sv);
	if (done == total)
		fputc('\n', stderr);
}

/* Writes mutant i's source: the reference's file name, in its directory. */
static int write_mutant(struct mrun *rn, size_t i, char **err)
{
	char *dir = xasprintf("%s/m%zu", rn->scratch, i);
	char *path = mut_path(rn, i, path_base(rn->o->reference));
	size_t len;
	char *text = mutant_apply(&rn->set, &rn->set.v[i], &len);
	int ret = 0;

	if (mkdir(dir, 0700) < 0 || write_text(path, text, len) < 0) {
		*err = xasprintf("cannot write '%s': %s", path, strerror(errno));
		ret = -1;
	}
	free(text);
	free(dir);
	free(path);
	return ret;
}

/* The reference alone, then the selected mutants, o->jobs at a time. */
static int run_all(struct mrun *rn, char **err)
{
	struct slot *slots = xcalloc(rn->o->jobs, sizeof(*slots));
	size_t next = 0, done = 0, total = 0, i, running = 0;
	int ret = -1;
	bool failed = false;

	for (i = 0; i < rn->o->jobs; i++)
		slots[i].pid = -1;
	for (i = 0; i < rn->set.n; i++)
		total += rn->set.v[i].selected;
	/* the reference */
	slot_prepare(rn, &slots[0], SIZE_MAX);
	slots[0].pid = child_start(&slots[0].c, rn->o->reference, slots[0].json);
	if (slots[0].pid < 0 ||
	    waitpid(slots[0].pid, NULL, 0) < 0 || collect(rn, &slots[0], err) < 0) {
		if (*err == NULL)
			*err = xasprintf("cannot grade the reference: %s", strerror(errno));
		slot_clear(&slots[0]);
		goto out;
	}
	slot_clear(&slots[0]);
	for (;;) {
		pid_t pid;
		char *src;

		while (!failed && running < rn->o->jobs) {
			while (next < rn->set.n && !rn->set.v[next].selected)
				next++;
			if (next == rn->set.n)
				break;
			for (i = 0; slots[i].pid > 0; i++)
				;
			if (write_mutant(rn, next, err) < 0) {
				failed = true;
				break;
			}
			slot_prepare(rn, &slots[i], next);
			slots[i].start = now_ms();
			src = mut_path(rn, next, path_base(rn->o->reference));
			slots[i].pid = child_start(&slots[i].c, src, slots[i].json);
			free(src);
			if (slots[i].pid < 0) {
				*err = xasprintf("cannot fork: %s", strerror(errno));
				slot_clear(&slots[i]);
				failed = true;
				break;
			}
			next++;
			running++;
		}
		if (running == 0)
			break;
		pid = waitpid(-1, NULL, 0);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0)
			break;
		for (i = 0; i < rn->o->jobs && slots[i].pid != pid; i++)
			;
		if (i == rn->o->jobs)
			continue;
		running--;
		done++;
		if (!failed && collect(rn, &slots[i], err) < 0)
			failed = true;
		slot_clear(&slots[i]);
		progress(rn, done, total);
	}
	ret = failed ? -1 : 0;
out:
	free(slots);
	return ret;
}

/* The compiler's options libclang needs: the standard, the defines and
 * include directories of the spec's flags, and the header's directory. */
static void clang_args(const struct spec *spec, struct strlist *args)
{
	char *hdir = path_dir(spec->header);
	size_t i;

	strlist_add(args, "-std=c17");
	for (i = 0; i < spec->cflags.n; i++) {
		const char *f = spec->cflags.items[i];

		if (!strncmp(f, "-std=", 5) || !strncmp(f, "-D", 2) || !strncmp(f, "-I", 2))
			strlist_add(args, f);
	}
	strlist_addf(args, "-I%s", hdir);
	strlist_argv(args);
	free(hdir);
}

int cmd_mutate(int argc, char **argv, const char *argv0)
{
	struct mutate_opts opts;
	const struct mutate_opts *o = &opts;
	struct spec spec = { 0 };
	struct mrun rn = { .o = o, .spec = &spec };
	struct mutate_equiv eq = { 0 };
	struct mutate_summary sum = { 0 };
	struct strlist args = { 0 }, stale = { 0 };
	char *err = NULL, *codes = NULL, *eq_path = NULL, *title = NULL;
	uint64_t t0 = now_ms();
	double threshold;
	int ret = parse(argc, argv, argv0, &opts);

	if (ret != OPTIONS_OK)
		return ret;
	ret = spec_load_checked(&spec, o->grading.spec_path);
	if (ret != EXIT_PASS)
		goto out;
	ret = EXIT_USAGE;
	threshold = spec.mutation_threshold;
	eq_path = o->equivalents ? xstrdup(o->equivalents)
				 : path_join(spec.dir, "mutants/equivalent.json");
	if (o->equivalents && access(o->equivalents, R_OK) != 0) {
		err = xasprintf("cannot read the equivalents '%s': %s", o->equivalents,
				strerror(errno));
		goto out;
	}
	if (mutate_equiv_load(&eq, eq_path, &err) < 0)
		goto out;
	clang_args(&spec, &args);
	if (mutate_generate(o->reference, (const char *const *)args.items, (int)args.n,
			    &rn.set, &err) < 0)
		goto out;
	rn.scratch = scratch_dir("grader-mutate", &err);
	if (rn.scratch == NULL)
		goto out;
	/* every build's scratch inside ours: one removal cleans everything,
	 * even after a child ended early */
	setenv("TMPDIR", rn.scratch, 1);
	codes = xasprintf("%s/codes", rn.scratch);
	if (mkdir(codes, 0700) < 0) {
		err = xasprintf("cannot create '%s': %s", codes, strerror(errno));
		goto out;
	}
	if (mutate_select(&rn.set, o->reference, o->function, o->changed_since,
			  rn.scratch, &err) < 0)
		goto out;
	rn.tty = isatty(STDERR_FILENO);
	rn.seed = grade_pick_seed(&spec, o->grading.has_seed, o->grading.seed);
	rn.valgrind = !o->grading.no_valgrind && proc_exists(valgrind_command());
	rn.m.spec_path = o->grading.spec_path;
	matrix_init(&rn.m, &spec, o->reference, o->reference);
	rn.m.seed = rn.seed;
	rn.m.valgrind = rn.valgrind;
	if (vet_prepare(rn.scratch, &err) < 0)
		goto out;
	sandbox_announce();
	if (rn.tty)
		warn("%zu mutants of %s, %u at a time", rn.set.n, o->reference, o->jobs);
	if (run_all(&rn, &err) < 0) {
		ret = strstr(err, "baseline broken") ? EXIT_BAD_SPEC : EXIT_USAGE;
		goto out;
	}
	mutate_equiv_apply(&eq, &rn.set, path_base(o->reference), &stale);
	sum.ms = (unsigned)(now_ms() - t0);
	mutate_summarize(&rn.set, &sum);
	if (o->json) {
		json_t *j = mutate_report_json(&rn.set, &sum, o->reference, threshold, &stale);

		json_dumpf(j, stdout, JSON_INDENT(1) | JSON_ENSURE_ASCII);
		putchar('\n');
		json_decref(j);
	} else {
		mutate_report_text(stdout, &rn.set, &sum, o->reference, threshold, &stale);
	}
	fflush(stdout);
	title = xasprintf("%s mutate %s", spec.name, o->reference);
	if (mutate_report_stryker(&rn.m, &rn.set, o->reference, o->report, o->html,
				  title, rn.scratch) < 0)
		goto out;
	ret = EXIT_PASS;
	if (o->validate && threshold >= 0 && sum.score >= 0 && sum.score < threshold) {
		fprintf(stderr, "grader: mutate: the mutation score %.1f %% of %s is below "
			"the spec's threshold %.1f %%: %zu survivor%s (listed above): add "
			"the tests that kill them, or list the equivalent ones in %s\n",
			sum.score, o->reference, threshold, sum.survived,
			sum.survived == 1 ? "" : "s", eq_path);
		ret = EXIT_FAIL;
	}
out:
	if (err)
		fprintf(stderr, "error: %s\n", err);
	if (rn.scratch) {
		if (o->grading.keep)
			warn("kept the scratch directory %s", rn.scratch);
		else
			remove_tree(rn.scratch);
	}
	free(rn.scratch);
	free(rn.ref_code);
	free(codes);
	free(eq_path);
	free(title);
	free(err);
	strlist_release(&args);
	strlist_release(&stale);
	mutate_equiv_release(&eq);
	mutant_set_release(&rn.set);
	matrix_release(&rn.m);
	spec_release(&spec);
	return ret;
}
