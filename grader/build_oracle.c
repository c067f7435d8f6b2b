/* build_oracle.c - the reference, compiled for the fuzzing oracle with its
 * global symbols renamed ref_* */
#include "build_int.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* Compiles the reference for the fuzzing oracle into obj/ref.ww.o: its
 * global symbols renamed ref_*, its library calls to the wrappers.  Its
 * own view: the system, the header, the reference file, obj/ (the
 * submission's build never sees the reference). */
int build_oracle(struct build *b, const struct spec *spec,
			const char *path, char **err)
{
	struct build_symbols sy = { 0 };
	struct strlist argv = { 0 };
	struct jail_view v = { 0 };
	struct jail_tool_result r = { 0 };
	char real[PATH_MAX];
	char *objdir = path_join(b->scratch, "obj"), *inc = path_join(b->scratch, "include");
	const char *obj = "ref.o";
	size_t i, n = strlen(path);
	int ret = -1;

	if (realpath(path, real) == NULL) {
		*err = xasprintf("cannot read the reference '%s' (fuzzing oracle): %s", path,
				 strerror(errno));
		goto out;
	}
	jail_view_add_system(&v, (const char *const[]){ build_cc(), NULL });
	jail_view_add(&v, inc, JAIL_RO);
	jail_view_add(&v, real, JAIL_RO);
	jail_view_add(&v, objdir, JAIL_RW);
	strlist_add(&argv, build_cc());
	for (i = 0; i < spec->cflags.n; i++)
		strlist_add(&argv, spec->cflags.items[i]);
	strlist_add(&argv, "-O0");
	strlist_add(&argv, "-fno-builtin");
	/* DWARF 4: binutils 2.40 reads a DWARF 5 line table of an object with
	 * the wrong file for code from a header (objdump -l says sub.c:6776 for
	 * valgrind.h:6776), and the norm and vet name places from it */
	strlist_add(&argv, "-gdwarf-4");
	strlist_addf(&argv, "-I%s", inc);
	strlist_add(&argv, "-c");
	strlist_add(&argv, real);
	strlist_add(&argv, "-o");
	strlist_add(&argv, "ref.o");
	if (n > 2 && !strcmp(path + n - 2, ".o")) {
		/* an object (the student kit ships the reference compiled and
		 * stripped, not its source): renamed as it is */
		obj = real;
	} else {
		if (build_step(b, &v, &argv, objdir, &r, err) < 0)
			goto out;
		if (r.end != JAIL_TOOL_EXITED || r.status != 0) {
			*err = xasprintf("the reference '%s' (fuzzing oracle) does not "
					 "build: %s", path, r.output);
			goto out;
		}
	}
	if (build_symbols_read(b, &v, obj, &sy, err) < 0)
		goto out;
	strlist_release(&argv);
	strlist_add(&argv, "objcopy");
	for (i = 0; i < sy.defined.n; i++) {
		strlist_add(&argv, "--redefine-sym");
		strlist_addf(&argv, "%s=ref_%s", sy.defined.items[i], sy.defined.items[i]);
	}
	for (i = 0; i < build_nwrapped; i++)
		if (strlist_has(&sy.undefined, build_wrapped[i])) {
			strlist_add(&argv, "--redefine-sym");
			strlist_addf(&argv, "%s=ww_%s", build_wrapped[i], build_wrapped[i]);
		}
	strlist_add(&argv, obj);
	strlist_add(&argv, "ref.ww.o");
	if (build_step(b, &v, &argv, objdir, &r, err) < 0)
		goto out;
	if (r.end != JAIL_TOOL_EXITED || r.status != 0) {
		*err = xasprintf("objcopy failed on the reference '%s': %s", path, r.output);
		goto out;
	}
	b->with_oracle = true;
	ret = 0;
out:
	jail_tool_result_release(&r);
	jail_view_release(&v);
	build_symbols_release(&sy);
	strlist_release(&argv);
	free(objdir);
	free(inc);
	return ret;
}
