/* test_norm.c - norm_check() on objects compiled here (and on the inspect
 * stage's objdump of them): a forbidden name
 * stands for its family, the calls gcc emits on its own are fine, and each
 * violation is placed at its call
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "grade.h"
#include "inspect.h"
#include "norm.h"
#include "spec.h"
#include "unit_helpers.h"
#include "util.h"

static struct spec spec;

static void setup(void)
{
	struct strlist problems = { 0 };
	char *err = NULL;

	unit_setup();
	cr_assert_eq(spec_load(&spec, "spec.json", &err), SPEC_LOADED, "%s", err);
	cr_assert_eq(spec_validate(&spec, 0, &problems), 0);
}

static void teardown(void)
{
	unit_teardown();
	spec_release(&spec);
}

TestSuite(norm, .init = setup, .fini = teardown);

/* Compiles source as sub.c and checks it against spec.json's norm. */
static void check(struct grade *g, const char *source)
{
	char *src = path_join(unit_dir(), "sub.c"), *obj = path_join(unit_dir(), "sub.o");
	char *cmd = xasprintf("gcc -std=c17 -O0 -gdwarf-4 -fno-builtin -c '%s' -o '%s'",
			      src, obj);
	char *nm = xasprintf("nm -u '%s'", obj);
	struct strlist undefined = { 0 };
	char line[256];
	FILE *p;

	unit_write("sub.c", source);
	cr_assert_eq(system(cmd), 0, "does not compile:\n%s", source);
	p = popen(nm, "r");
	cr_assert_not_null(p);
	while (fgets(line, sizeof(line), p)) {
		char sym[200];

		if (sscanf(line, " U %199s", sym) == 1)
			strlist_add(&undefined, sym);
	}
	pclose(p);
	memset(g, 0, sizeof(*g));
	{
		/* the inspect stage's one objdump, then the norm on it */
		struct build b = { 0 };
		struct inspection in = { 0 };
		char *err = NULL, *dump;

		b.scratch = unit_dir();
		b.object = obj;
		dump = inspect_dump(&b, &err);
		cr_assert_not_null(dump, "%s", err);
		norm_check(&spec, &undefined, dump, &in);
		inspection_apply_norm(&in, NULL, g);
		inspection_release(&in);
		free(dump);
	}
	strlist_release(&undefined);
	free(nm);
	free(cmd);
	free(src);
	free(obj);
}

static const struct norm_violation *violation(const struct grade *g, const char *fn)
{
	for (size_t i = 0; i < g->nviolations; i++)
		if (!strcmp(g->violations[i].function, fn))
			return &g->violations[i];
	return NULL;
}

Test(norm, allowed_and_implicit_calls_are_fine)
{
	struct grade g;

	cr_assert(strlist_has(&spec.allowed, "printf"));
	check(&g, "#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n"
		  "struct big { char b[256]; };\n"
		  "void f(struct big *d, const struct big *s) { *d = *s; }\n"
		  "void g(void) { printf(\"hello\\n\"); free(calloc(1, 1)); }\n");
	cr_expect_eq(g.nviolations, 0, "first: %s",
		     g.nviolations ? g.violations[0].function : "");
	grade_release(&g);
}

Test(norm, a_forbidden_name_stands_for_its_family)
{
	struct grade g;
	const struct norm_violation *v;

	cr_assert(strlist_has(&spec.forbidden, "open") && strlist_has(&spec.forbidden, "fork"),
		  "spec.json forbids open and fork");
	check(&g, "#define _GNU_SOURCE\n#include <fcntl.h>\n#include <unistd.h>\n"
		  "int a(void)\n{\n\treturn openat(AT_FDCWD, \"x\", O_RDONLY);\n}\n"
		  "int b(void)\n{\n\treturn vfork();\n}\n");
	v = violation(&g, "openat");
	cr_assert_not_null(v, "openat is of the open family");
	cr_expect(strstr(v->location, "sub.c:6") != NULL, "%s", v->location);
	cr_expect(strstr(v->why, "open") != NULL, "%s", v->why);
	v = violation(&g, "vfork");
	cr_assert_not_null(v, "vfork is of the fork family");
	cr_expect(strstr(v->location, "sub.c:10") != NULL, "%s", v->location);
	grade_release(&g);
}

Test(norm, a_call_outside_the_allowed_list)
{
	struct grade g;
	const struct norm_violation *v;

	cr_assert_not(strlist_has(&spec.allowed, "strtok"));
	check(&g, "#include <string.h>\nchar *t(char *s)\n{\n\treturn strtok(s, \",\");\n}\n");
	v = violation(&g, "strtok");
	cr_assert_not_null(v);
	cr_expect(strstr(v->location, "sub.c:4") != NULL, "%s", v->location);
	grade_release(&g);
}
