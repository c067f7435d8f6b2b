/* build.c - compile a submission, check its symbols, link the harness */
#include "build.h"
#include "i18n.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "norm.h"
#include "proc.h"

/* Library calls renamed to the harness's wrappers (contract/wraps.def). */
static const char *const wrapped[] = {
#define WW_WRAP(name, kind) #name,
#define WW_BLOCK(name, ret, err, params) #name,
#include "wraps.def"
#undef WW_BLOCK
#undef WW_WRAP
};

#define NWRAPPED (sizeof(wrapped) / sizeof(wrapped[0]))

static const char *cc(void)
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

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* Replaces every occurrence of from in s by to; returns a new string. */
static char *replace_all(const char *s, const char *from, const char *to)
{
	struct sbuf sb = { 0 };
	size_t flen = strlen(from);
	const char *p;

	if (!flen)
		return xstrdup(s);
	while ((p = strstr(s, from)) != NULL) {
		sbuf_add(&sb, s, (size_t)(p - s));
		sbuf_adds(&sb, to);
		s = p + flen;
	}
	sbuf_adds(&sb, s);
	return sb.buf ? sb.buf : xstrdup("");
}

/* The compiler's or linker's output, trimmed to what matters: from the
 * first error, a dozen lines, paths shortened, with a count of the rest. */
static char *trim_diagnostics(const char *text, const char *src_base,
			      const char *scratch, unsigned *nerrors)
{
	struct sbuf sb = { 0 };
	char *t1, *t2, *t3, *line, *save = NULL;
	char **lines = NULL;
	size_t n = 0, i, first = 0, errors = 0, shown = 0;
	bool found = false;

	t1 = replace_all(text, "../include/", "");
	t2 = replace_all(t1, scratch, "");
	t3 = replace_all(t2, "../sub.ww.o", src_base);
	free(t1);
	free(t2);
	for (line = strtok_r(t3, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (starts_with(line, "collect2:"))
			continue;
		if (starts_with(line, "/usr/bin/ld: "))
			line += strlen("/usr/bin/ld: ");
		lines = xrealloc(lines, (n + 1) * sizeof(*lines));
		lines[n++] = line;
	}
	for (i = 0; i < n; i++)
		if (strstr(lines[i], "error:") || strstr(lines[i], "undefined reference") ||
		    strstr(lines[i], "multiple definition")) {
			if (!found) {
				first = i;
				found = true;
			}
			errors++;
		}
	if (found && first > 0 && (strstr(lines[first - 1], "In function") ||
				   strstr(lines[first - 1], "in function")))
		first--;
	/* every error, up to BUILD_MAX_LINES lines: the reporters say the rest */
	for (i = first; i < n && shown < BUILD_MAX_LINES; i++, shown++)
		sbuf_addf(&sb, "%s%s", sb.len ? "\n" : "", lines[i]);
	*nerrors = (unsigned)errors;
	/* the document's own code: mmap's flags under -std=c17 */
	if ((strstr(text, "MAP_ANONYMOUS") || strstr(text, "MAP_NORESERVE")) &&
	    strstr(text, "undeclared"))
		sbuf_addf(&sb, _("%shint: MAP_ANONYMOUS and MAP_NORESERVE are not ISO C, "
			    "and -std=c17 hides them: put #define _DEFAULT_SOURCE "
			    "before the first #include (the document's code lacks it)"),
			  sb.len ? "\n" : "");
	free(lines);
	free(t3);
	return sb.buf ? sb.buf : xstrdup(_("the compiler failed without a message"));
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
		else if (!strcmp(a, "../sub.o"))
			a = "/tmp/ww/sub.o";
		else if (!strcmp(a, path_base(o->file)) && i + 1 < argv->n &&
			 !strcmp(argv->items[i - 1], "-c"))
			a = NULL;
		if (a == NULL)
			sbuf_addf(&sb, " /tmp/ww/%s", path_base(o->file));
		else
			sbuf_addf(&sb, " %s", a);
	}
	return sb.buf;
}

struct symbols {
	struct strlist defined;         /* global, defined in the object */
	struct strlist functions;       /* global functions (T) */
	struct strlist undefined;
};

static int read_symbols(const char *object, const char *scratch,
			struct symbols *sy, char **err)
{
	char *argv[] = { "nm", "-P", (char *)object, NULL };
	char *out, *line, *save = NULL;
	int st;

	out = proc_capture(argv, NULL, scratch, &st);
	if (out == NULL || st != 0) {
		*err = xasprintf("cannot run nm on '%s'%s", object,
				 out ? "" : ": nm not found");
		free(out);
		return -1;
	}
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[512], type;

		if (sscanf(line, "%511s %c", name, &type) != 2)
			continue;
		if (type == 'U' || type == 'w' || type == 'v')
			strlist_add(&sy->undefined, name);
		else if (type >= 'A' && type <= 'Z') {
			strlist_add(&sy->defined, name);
			if (type == 'T')
				strlist_add(&sy->functions, name);
		}
	}
	free(out);
	return 0;
}

static void symbols_release(struct symbols *sy)
{
	strlist_release(&sy->defined);
	strlist_release(&sy->functions);
	strlist_release(&sy->undefined);
}

static void not_built(struct grade *g, char *message)
{
	g->compiled = false;
	free(g->compile_message);
	g->compile_message = message;
}

/* What the symbols say before linking: a verdict message, or NULL. */
static char *check_symbols(const struct spec *spec, const struct symbols *sy,
			   struct grade *g)
{
	struct sbuf sb = { 0 };
	size_t i, n;

	if (strlist_has(&sy->defined, "main"))
		return xstrdup(_("the submission defines main(): it must provide the "
				 "exercise's functions only (the grader brings its own "
				 "main)"));
	for (i = 0, n = 0; i < spec->required.n; i++)
		if (!strlist_has(&sy->functions, spec->required.items[i])) {
			sbuf_addf(&sb, "%s%s()", sb.len ? ", " : "", spec->required.items[i]);
			n++;
			grade_add_missing(g, spec->required.items[i]);
		}
	if (sb.len) {
		char *msg = xasprintf(ngettext("missing required function: %s",
					       "missing required functions: %s", n), sb.buf);

		sbuf_release(&sb);
		return msg;
	}
	for (i = 0; i < sy->defined.n; i++) {
		const char *s = sy->defined.items[i];
		size_t k;
		bool reserved = starts_with(s, "ww_") || starts_with(s, "__wrap_");

		for (k = 0; k < NWRAPPED; k++)
			if (!strcmp(s, wrapped[k]))
				reserved = true;
		if (reserved) {
			grade_add_violation(g, s, "", _("defines a name the grader reserves"));
			sbuf_addf(&sb, "%s%s", sb.len ? ", " : "", s);
			n++;
		}
	}
	if (sb.len) {
		char *msg = xasprintf(ngettext("the submission defines %s, reserved by the "
					       "grader (it intercepts these calls): rename it",
					       "the submission defines %s, reserved by the "
					       "grader (it intercepts these calls): rename them",
					       n), sb.buf);

		sbuf_release(&sb);
		return msg;
	}
	return NULL;
}

/* Compiles the reference for the fuzzing oracle into ref.ww.o: its global
 * symbols renamed ref_*, its library calls to the wrappers. */
static int build_oracle(struct build *b, const struct spec *spec,
			const char *path, char **err)
{
	struct symbols sy = { 0 };
	struct strlist argv = { 0 };
	char *obj = path_join(b->scratch, "ref.o"), *out = NULL;
	size_t i, n = strlen(path);
	int st, ret = -1;

	strlist_add(&argv, cc());
	for (i = 0; i < spec->cflags.n; i++)
		strlist_add(&argv, spec->cflags.items[i]);
	strlist_add(&argv, "-O0");
	strlist_add(&argv, "-fno-builtin");
	/* DWARF 4: binutils 2.40 reads a DWARF 5 line table of an object with
	 * the wrong file for code from a header (objdump -l says sub.c:6776 for
	 * valgrind.h:6776), and the norm and vet name places from it */
	strlist_add(&argv, "-gdwarf-4");
	strlist_addf(&argv, "-I%s/include", b->scratch);
	strlist_add(&argv, "-c");
	strlist_add(&argv, path);
	strlist_add(&argv, "-o");
	strlist_add(&argv, obj);
	if (n > 2 && !strcmp(path + n - 2, ".o")) {
		/* an object (the student kit ships the reference compiled and
		 * stripped, not its source): renamed as it is */
		free(obj);
		obj = xstrdup(path);
	} else {
		out = proc_capture(strlist_argv(&argv), NULL, b->scratch, &st);
		if (out == NULL || st != 0) {
			*err = xasprintf("the reference '%s' (fuzzing oracle) does not "
					 "build: %s", path, out ? out : "no compiler");
			goto out;
		}
	}
	if (read_symbols(obj, b->scratch, &sy, err) < 0)
		goto out;
	strlist_release(&argv);
	strlist_add(&argv, "objcopy");
	for (i = 0; i < sy.defined.n; i++) {
		strlist_add(&argv, "--redefine-sym");
		strlist_addf(&argv, "%s=ref_%s", sy.defined.items[i], sy.defined.items[i]);
	}
	for (i = 0; i < NWRAPPED; i++)
		if (strlist_has(&sy.undefined, wrapped[i])) {
			strlist_add(&argv, "--redefine-sym");
			strlist_addf(&argv, "%s=ww_%s", wrapped[i], wrapped[i]);
		}
	strlist_add(&argv, obj);
	strlist_addf(&argv, "%s/ref.ww.o", b->scratch);
	strlist_argv(&argv);
	free(out);
	out = proc_capture(argv.items, NULL, b->scratch, &st);
	if (out == NULL || st != 0) {
		*err = xasprintf("objcopy failed on the reference '%s'", path);
		goto out;
	}
	b->with_oracle = true;
	ret = 0;
out:
	symbols_release(&sy);
	strlist_release(&argv);
	free(obj);
	free(out);
	return ret;
}

static int make_scratch(struct build *b, char **err)
{
	const char *tmp = getenv("TMPDIR");
	char *tmpl = xasprintf("%s/grader.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
	char *inc, *src;

	if (mkdtemp(tmpl) == NULL) {
		*err = xasprintf("cannot create a scratch directory in '%s': %s",
				 tmp && tmp[0] ? tmp : "/tmp", strerror(errno));
		free(tmpl);
		return -1;
	}
	b->scratch = tmpl;
	inc = path_join(tmpl, "include");
	src = path_join(tmpl, "src");
	if (mkdir(inc, 0700) < 0 || mkdir(src, 0700) < 0) {
		*err = xasprintf("cannot create '%s': %s", src, strerror(errno));
		free(inc);
		free(src);
		return -1;
	}
	free(inc);
	free(src);
	return 0;
}

int build_run(struct build *b, const struct spec *spec,
	      const struct build_opts *o, struct grade *g, char **err)
{
	struct symbols sy = { 0 };
	struct strlist argv = { 0 };
	char *hdr_dst = NULL, *src_dst = NULL, *srcdir = NULL, *lib = NULL;
	char *out = NULL, *renamed = NULL, *msg;
	int st, ret = -1;
	size_t i;

	b->keep = o->keep;
	g->compiled = true;
	g->compile_message = xstrdup("");
	if (make_scratch(b, err) < 0)
		goto out;
	b->src_base = xstrdup(path_base(o->file));
	lib = path_join(o->libdir, "libharness.a");
	if (access(lib, R_OK) != 0) {
		*err = xasprintf("cannot find the harness library '%s' (run make, or "
				 "set GRADER_LIBDIR)", lib);
		goto out;
	}
	hdr_dst = xasprintf("%s/include/%s", b->scratch, path_base(spec->header));
	if (copy_file(o->header ? o->header : spec->header, hdr_dst) < 0) {
		*err = xasprintf("cannot read header '%s': %s",
				 o->header ? o->header : spec->header, strerror(errno));
		goto out;
	}
	src_dst = xasprintf("%s/src/%s", b->scratch, b->src_base);
	if (copy_file(o->file, src_dst) < 0) {
		*err = xasprintf("cannot read submission '%s': %s", o->file,
				 strerror(errno));
		goto out;
	}
	srcdir = path_join(b->scratch, "src");
	b->object = path_join(b->scratch, "sub.o");

	/* compile */
	strlist_add(&argv, cc());
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
	strlist_add(&argv, "-I../include");
	strlist_add(&argv, "-c");
	strlist_add(&argv, b->src_base);
	strlist_add(&argv, "-o");
	strlist_add(&argv, "../sub.o");
	free(g->compile_command);
	g->compile_command = hand_command(&argv, o, spec);
	out = proc_capture(strlist_argv(&argv), srcdir, b->scratch, &st);
	if (out == NULL) {
		*err = xasprintf("cannot run the compiler '%s': %s", cc(), strerror(errno));
		goto out;
	}
	if (st != 0) {
		not_built(g, trim_diagnostics(out, b->src_base, b->scratch,
						 &g->compile_errors));
		ret = 0;
		goto out;
	}
	free(out);
	out = NULL;

	/* symbols and norm */
	if (read_symbols(b->object, b->scratch, &sy, err) < 0)
		goto out;
	g->has_bonus_function = true;
	for (i = 0; i < spec->bonus_required.n; i++)
		if (!strlist_has(&sy.functions, spec->bonus_required.items[i]))
			g->has_bonus_function = false;
	if (!spec->bonus_required.n)
		g->has_bonus_function = false;
	norm_check(spec, b->object, &sy.undefined, b->scratch, g);
	msg = check_symbols(spec, &sy, g);
	if (msg) {
		not_built(g, msg);
		ret = 0;
		goto out;
	}

	/* rename the submission's library calls, on its object only */
	strlist_release(&argv);
	strlist_add(&argv, "objcopy");
	for (i = 0; i < NWRAPPED; i++)
		if (strlist_has(&sy.undefined, wrapped[i])) {
			strlist_add(&argv, "--redefine-sym");
			strlist_addf(&argv, "%s=ww_%s", wrapped[i], wrapped[i]);
		}
	strlist_add(&argv, b->object);
	renamed = path_join(b->scratch, "sub.ww.o");
	strlist_add(&argv, renamed);
	out = proc_capture(strlist_argv(&argv), NULL, b->scratch, &st);
	if (out == NULL || st != 0) {
		*err = xasprintf("objcopy failed on '%s'%s%s", b->object,
				 out ? ": " : ": objcopy not found", out ? out : "");
		goto out;
	}
	free(out);
	out = NULL;

	if (o->oracle && build_oracle(b, spec, o->oracle, err) < 0)
		goto out;

	/* link with the harness */
	strlist_release(&argv);
	b->exe = path_join(b->scratch, "harness");
	strlist_add(&argv, cc());
	strlist_add(&argv, "-no-pie");
	strlist_add(&argv, "-o");
	strlist_add(&argv, "../harness");
	strlist_add(&argv, "../sub.ww.o");
	if (b->with_oracle)
		strlist_add(&argv, "../ref.ww.o");
	strlist_add(&argv, lib);
	out = proc_capture(strlist_argv(&argv), srcdir, b->scratch, &st);
	if (out == NULL) {
		*err = xasprintf("cannot run the linker '%s'", cc());
		goto out;
	}
	if (st != 0) {
		not_built(g, trim_diagnostics(out, b->src_base, b->scratch,
						 &g->compile_errors));
		ret = 0;
		goto out;
	}
	ret = 0;
out:
	strlist_release(&argv);
	symbols_release(&sy);
	free(out);
	free(renamed);
	free(hdr_dst);
	free(src_dst);
	free(srcdir);
	free(lib);
	return ret;
}

void build_release(struct build *b)
{
	if (b->scratch && !b->keep)
		remove_tree(b->scratch);
	else if (b->scratch)
		warn("scratch directory kept: %s", b->scratch);
	free(b->scratch);
	free(b->exe);
	free(b->object);
	free(b->src_base);
	memset(b, 0, sizeof(*b));
}
