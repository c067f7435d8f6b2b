/* build.c - compile a submission, check its symbols, link the harness */
#include "build_int.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build_diag.h"
#include "build_input.h"
#include "jail_tool.h"
#include "proc.h"

/* The limits of each tool of the build (README, "The sandbox"): the
 * reference compiles and links in under a second of CPU, within 64 MiB of
 * address space per process (measured with ulimit -v); a source is at
 * most compile.max_source_bytes.  The wall clock is 6 x the CPU time: a
 * loaded machine (a class graded on every core) must not turn a slow
 * compile into a verdict. */
const struct jail_tool_limits build_limits = {
	.cpu_s = 10, .wall_ms = 60000, .as_bytes = 512ull << 20, .file_bytes = 64ull << 20,
};

/* Library calls renamed to the harness's wrappers (contract/wraps.def). */
const char *const build_wrapped[] = {
#define WW_WRAP(name, kind) #name,
#define WW_BLOCK(name, ret, err, params) #name,
#include "wraps.def"
#undef WW_BLOCK
#undef WW_WRAP
};

const size_t build_nwrapped = sizeof(build_wrapped) / sizeof(build_wrapped[0]);

const char *build_cc(void)
{
	const char *c = getenv("GRADER_CC");

	return c && c[0] ? c : "gcc";
}

char *build_default_libdir(void)
{
	const char *env = getenv("GRADER_LIBDIR");
	char exe[PATH_MAX];
	ssize_t n;
	char *dir, *lib;

	if (env && env[0])
		return xstrdup(env);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return xstrdup("build/grader");
	exe[n] = '\0';
	dir = path_dir(exe);
	lib = xasprintf("%s/../build/grader", dir);
	free(dir);
	return lib;
}

/* Runs one tool of the build in the jail's view v, in cwd; its output in
 * r.  Returns -1 with *err only when it could not run at all. */
int build_step(struct build *b, const struct jail_view *v, struct strlist *argv,
		const char *cwd, struct jail_tool_result *r, char **err)
{
	char *log = xasprintf("%s/step.%u.log", b->scratch, b->steps++);
	int ret;

	jail_tool_result_release(r);
	ret = jail_tool_run(strlist_argv(argv), strlist_argv(&b->env), cwd, v,
			    &build_limits, log, r, err);
	unlink(log);
	free(log);
	if (ret == 0) {
		b->tools_ms += r->ms;
		b->how = r->how;
	}
	return ret;
}

char *build_tool_output(const struct build *b, char *const argv[], char **err)
{
	static unsigned serial;
	struct jail_tool_limits l = build_limits;
	struct strlist args = { 0 }, env = { 0 };
	struct jail_view own = { 0 };
	const struct jail_view *v = &b->view;
	struct jail_tool_result r = { 0 };
	char *dir = path_dir(b->object), *log, *out = NULL;
	size_t i;

	/* A build made elsewhere (by hand, in a unit test) has no view yet:
	 * the system's and the object's directory, read-only. */
	if (b->view.n == 0) {
		jail_view_add_system(&own, NULL);
		jail_view_add(&own, dir, JAIL_RO);
		v = &own;
	}
	l.output_kept = (size_t)l.file_bytes;
	for (i = 0; argv[i]; i++)
		strlist_add(&args, argv[i]);
	for (i = 0; i < b->env.n; i++)
		strlist_add(&env, b->env.items[i]);
	if (env.n == 0) {
		const char *path = getenv("PATH");

		strlist_addf(&env, "PATH=%s", path ? path : "/usr/bin:/bin");
		strlist_add(&env, "LC_ALL=C");
	}
	log = xasprintf("%s/tool.%u.log", b->scratch, serial++);
	if (jail_tool_run(strlist_argv(&args), strlist_argv(&env), dir, v, &l, log, &r,
			  err) == 0) {
		if (r.end == JAIL_TOOL_EXITED && r.status == 0) {
			out = r.output;
			r.output = NULL;
		} else {
			*err = xasprintf("cannot run %s on '%s': %s", argv[0], b->object,
					 r.output);
		}
	}
	unlink(log);
	free(log);
	free(dir);
	jail_view_release(&own);
	jail_tool_result_release(&r);
	strlist_release(&args);
	strlist_release(&env);
	return out;
}

/* The command line of argv as one string, for the report. */
static char *command_line(const struct strlist *argv)
{
	struct sbuf sb = { 0 };
	size_t i;

	for (i = 0; i < argv->n; i++)
		sbuf_addf(&sb, "%s%s", i ? " " : "", argv->items[i]);
	return sb.buf ? sb.buf : xstrdup("");
}

/* A step that failed on the submission: the verdict, with the tool's whole
 * output and command line kept in b for the reports. */
static void step_failed(struct build *b, const struct strlist *argv,
			const struct jail_tool_result *r, enum build_tool tool,
			const char *obj_name)
{
	char *src = path_join(b->scratch, "src");

	free(b->failed_command);
	free(b->failed_output);
	b->failed_command = command_line(argv);
	b->failed_output = xstrdup(r->output);
	b->failed_end = r->end;
	free(b->verdict.message);
	b->verdict.compiled = false;
	b->verdict.message = build_diag_message(r, tool, &build_limits, &b->view, src,
						b->src_base, b->scratch, obj_name,
						&b->verdict.errors);
	free(src);
}

/* The compile command as a student types it: the file alone in a directory
 * with the header given (so that #include "..." finds that one only). */
static char *hand_command(const struct strlist *argv, const struct build_opts *o,
			  const struct spec *spec)
{
	struct sbuf sb = { 0 };
	const char *hdr = o->header ? o->header : spec->header;
	size_t i;

	sbuf_addf(&sb, "mkdir -p /tmp/ww && cp %s /tmp/ww/ && cp %s /tmp/ww/%s && %s",
		  o->file, hdr, path_base(spec->header), argv->items[0]);
	for (i = 1; i < argv->n; i++) {
		const char *a = argv->items[i];

		if (!strcmp(a, "-I../include"))
			a = "-I/tmp/ww";
		else if (!strcmp(a, "../obj/sub.o"))
			a = "/tmp/ww/sub.o";
		else if (!strcmp(a, path_base(o->file)) && !strcmp(argv->items[i - 1], "-c"))
			a = NULL;
		if (a == NULL)
			sbuf_addf(&sb, " /tmp/ww/%s", path_base(o->file));
		else
			sbuf_addf(&sb, " %s", a);
	}
	return sb.buf;
}

static void not_built(struct build_verdict *v, char *message)
{
	v->compiled = false;
	free(v->message);
	v->message = message;
}

/* The scratch directory: src/ and include/ (the inputs, read-only in the
 * jail), obj/ (what the tools write), the tools' logs beside them (out of
 * the jail's view). */
static int make_scratch(struct build *b, char **err)
{
	static const char *const sub[] = { "include", "src", "obj" };
	char *tmpl = scratch_dir("grader", err);
	char real[PATH_MAX];
	size_t i;

	if (tmpl == NULL)
		return -1;
	/* the jail binds it at its real path (TMPDIR may be a link) */
	b->scratch = realpath(tmpl, real) ? xstrdup(real) : xstrdup(tmpl);
	free(tmpl);
	for (i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		char *d = path_join(b->scratch, sub[i]);
		int r = mkdir(d, 0700);

		if (r < 0)
			*err = xasprintf("cannot create '%s': %s", d, strerror(errno));
		free(d);
		if (r < 0)
			return -1;
	}
	return 0;
}

/* Reads an input (build_input.h) and writes its bytes to dst.  Returns 0
 * (a refusal is a verdict: v is not built), -1 with *err. */
static int copy_input(const char *path, const char *what, const char *dst,
		      const struct spec *spec, struct build_verdict *v, char **err)
{
	struct build_input in;
	uint64_t max = spec->max_source_bytes ? spec->max_source_bytes
					      : SPEC_MAX_SOURCE_BYTES;
	FILE *f;
	int ret = -1;

	if (build_input_read(&in, path, what, max, err) < 0)
		return -1;
	if (in.refusal != BUILD_INPUT_OK) {
		not_built(v, in.why);
		in.why = NULL;
		ret = 0;
		goto out;
	}
	f = fopen(dst, "wex");
	if (f == NULL || fwrite(in.bytes, 1, in.len, f) != in.len || fclose(f) != 0) {
		*err = xasprintf("cannot write '%s': %s", dst, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	build_input_release(&in);
	return ret;
}

/* The environment of every tool: no secret of the grader's, none of the
 * variables that would change what gcc reads (CPATH, GCC_EXEC_PREFIX...). */
static void make_env(struct build *b)
{
	const char *path = getenv("PATH");

	strlist_addf(&b->env, "PATH=%s", path ? path : "/usr/bin:/bin");
	strlist_add(&b->env, "LC_ALL=C");
	strlist_add(&b->env, "HOME=/nonexistent");
	strlist_addf(&b->env, "TMPDIR=%s/obj", b->scratch);
}

int build_run(struct build *b, const struct spec *spec,
	      const struct build_opts *o, char **err)
{
	struct build_verdict *v = &b->verdict;
	struct strlist argv = { 0 };
	struct jail_view link = { 0 };
	struct jail_tool_result r = { 0 };
	char *srcdir = NULL, *lib = NULL, *dir, *msg;
	int ret = -1;
	size_t i;

	b->keep = o->keep;
	v->compiled = true;
	v->message = xstrdup("");
	if (make_scratch(b, err) < 0)
		goto out;
	b->src_base = xstrdup(path_base(o->file));
	lib = path_join(o->libdir, "libharness.a");
	if (access(lib, R_OK) != 0) {
		*err = xasprintf("cannot find the harness library '%s' (run make, or "
				 "set GRADER_LIBDIR)", lib);
		goto out;
	}
	{
		char real[PATH_MAX];

		if (realpath(lib, real)) {
			free(lib);
			lib = xstrdup(real);
		}
	}
	/* the inputs: checked, read once, copied */
	b->header = xasprintf("%s/include/%s", b->scratch, path_base(spec->header));
	if (copy_input(o->header ? o->header : spec->header, "header", b->header, spec,
		       v, err) < 0)
		goto out;
	b->source = xasprintf("%s/src/%s", b->scratch, b->src_base);
	if (v->compiled && copy_input(o->file, "submission", b->source, spec, v, err) < 0)
		goto out;
	if (!v->compiled) {
		free(b->header);
		b->header = NULL;
		ret = 0;
		goto out;
	}
	srcdir = path_join(b->scratch, "src");
	b->object = path_join(b->scratch, "obj/sub.o");
	/* the view of this grade: the system, this submission's files */
	jail_view_add_system(&b->view, (const char *const[]){ build_cc(), NULL });
	jail_view_add(&b->view, srcdir, JAIL_RO);
	dir = path_join(b->scratch, "include");
	jail_view_add(&b->view, dir, JAIL_RO);
	free(dir);
	dir = path_join(b->scratch, "obj");
	jail_view_add(&b->view, dir, JAIL_RW);
	free(dir);
	make_env(b);

	/* compile */
	strlist_add(&argv, build_cc());
	for (i = 0; i < spec->cflags.n; i++)
		strlist_add(&argv, spec->cflags.items[i]);
	strlist_add(&argv, "-O0");
	strlist_add(&argv, "-fno-builtin");
	/* DWARF 4: binutils 2.40 reads a DWARF 5 line table of an object with
	 * the wrong file for code from a header (objdump -l says sub.c:6776 for
	 * valgrind.h:6776), and the norm and vet name places from it */
	strlist_add(&argv, "-gdwarf-4");
	strlist_add(&argv, "-fno-omit-frame-pointer");
	strlist_add(&argv, "-fdiagnostics-color=never");
	strlist_add(&argv, "-fmax-errors=50");
	strlist_add(&argv, "-I../include");
	strlist_add(&argv, "-c");
	strlist_add(&argv, b->src_base);
	strlist_add(&argv, "-o");
	strlist_add(&argv, "../obj/sub.o");
	free(v->command);
	v->command = hand_command(&argv, o, spec);
	if (build_step(b, &b->view, &argv, srcdir, &r, err) < 0)
		goto out;
	b->compile_ms = r.ms;
	if (r.end != JAIL_TOOL_EXITED || r.status != 0) {
		step_failed(b, &argv, &r, BUILD_COMPILER, "../obj/sub.ww.o");
		ret = 0;
		goto out;
	}

	/* symbols (the norm is the inspect stage's, on the same listing) */
	if (build_symbols_read(b, &b->view, b->object, &b->symbols, err) < 0)
		goto out;
	v->has_bonus_function = true;
	for (i = 0; i < spec->bonus_required.n; i++)
		if (!strlist_has(&b->symbols.functions, spec->bonus_required.items[i]))
			v->has_bonus_function = false;
	if (!spec->bonus_required.n)
		v->has_bonus_function = false;
	msg = build_symbols_check(spec, &b->symbols, &v->missing);
	if (msg) {
		not_built(v, msg);
		ret = 0;
		goto out;
	}

	/* rename the submission's library calls, on its object only */
	strlist_release(&argv);
	strlist_add(&argv, "objcopy");
	for (i = 0; i < build_nwrapped; i++)
		if (strlist_has(&b->symbols.undefined, build_wrapped[i])) {
			strlist_add(&argv, "--redefine-sym");
			strlist_addf(&argv, "%s=ww_%s", build_wrapped[i], build_wrapped[i]);
		}
	strlist_add(&argv, "../obj/sub.o");
	strlist_add(&argv, "../obj/sub.ww.o");
	if (build_step(b, &b->view, &argv, srcdir, &r, err) < 0)
		goto out;
	if (r.end != JAIL_TOOL_EXITED || r.status != 0) {
		*err = xasprintf("objcopy failed on '%s': %s", b->object, r.output);
		goto out;
	}

	if (o->oracle && build_oracle(b, spec, o->oracle, err) < 0)
		goto out;

	/* link with the harness: the same view, and the harness library */
	strlist_release(&argv);
	b->exe = path_join(b->scratch, "obj/harness");
	strlist_add(&argv, build_cc());
	strlist_add(&argv, "-no-pie");
	strlist_add(&argv, "-o");
	strlist_add(&argv, "../obj/harness");
	strlist_add(&argv, "../obj/sub.ww.o");
	if (b->with_oracle)
		strlist_add(&argv, "../obj/ref.ww.o");
	strlist_add(&argv, lib);
	jail_view_add_system(&link, (const char *const[]){ build_cc(), NULL });
	jail_view_add(&link, srcdir, JAIL_RO);
	dir = path_join(b->scratch, "obj");
	jail_view_add(&link, dir, JAIL_RW);
	free(dir);
	jail_view_add(&link, lib, JAIL_RO);
	if (build_step(b, &link, &argv, srcdir, &r, err) < 0)
		goto out;
	if (r.end != JAIL_TOOL_EXITED || r.status != 0) {
		step_failed(b, &argv, &r, BUILD_LINKER, "../obj/sub.ww.o");
		ret = 0;
		goto out;
	}
	ret = 0;
out:
	jail_tool_result_release(&r);
	jail_view_release(&link);
	strlist_release(&argv);
	free(srcdir);
	free(lib);
	return ret;
}

/* With --keep: the scratch directory stays, with view.txt, what the
 * build's jail could see (one path a line), to look at a grade later. */
static void keep_view(const struct build *b)
{
	char *path = path_join(b->scratch, "view.txt"), *text = jail_view_describe(&b->view);
	FILE *f = fopen(path, "we");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
	warn("scratch directory kept: %s (the build's view: %s)", b->scratch, path);
	free(text);
	free(path);
}

int build_save_code(const struct build *b, const char *out)
{
	char *argv[] = { "objcopy", "--strip-debug", "--discard-all",
			 "-R", ".comment", "-R", ".note.GNU-stack",
			 b->object, (char *)out, NULL };

	return proc_run(argv, NULL);
}

void build_release(struct build *b)
{
	if (b->scratch && !b->keep)
		remove_tree(b->scratch);
	else if (b->scratch)
		keep_view(b);
	free(b->scratch);
	free(b->exe);
	free(b->object);
	free(b->src_base);
	free(b->header);
	free(b->source);
	free(b->failed_command);
	free(b->failed_output);
	jail_view_release(&b->view);
	strlist_release(&b->env);
	build_symbols_release(&b->symbols);
	free(b->verdict.message);
	free(b->verdict.command);
	strlist_release(&b->verdict.missing);
	memset(b, 0, sizeof(*b));
}
