/* test_vet.c - vet_object() on small objects compiled here (the nm listing
 * and the inspect stage's objdump of each): what is
 * refused before any test runs, and what is a norm violation at its line
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "grade.h"
#include "inspect.h"
#include "unit_helpers.h"
#include "util.h"
#include "vet.h"

TestSuite(vet, .init = unit_setup, .fini = unit_teardown);

struct vetted {
	char *refused;
	struct grade g;
};

/* Compiles source as sub.c (the document's flags, -c) and vets it. */
static void vet(struct vetted *v, const char *source)
{
	char *src = path_join(unit_dir(), "sub.c"), *obj = path_join(unit_dir(), "sub.o");
	char *cmd = xasprintf("gcc -std=c17 -O0 -gdwarf-4 -c '%s' -o '%s'", src, obj);
	struct build b = { 0 };
	struct inspection in = { 0 };
	char *nm_argv[] = { "nm", "-P", obj, NULL };
	char *err = NULL, *listing, *dump;

	unit_write("sub.c", source);
	cr_assert_eq(system(cmd), 0, "does not compile:\n%s", source);
	b.scratch = unit_dir();
	b.object = obj;
	b.src_base = "sub.c";
	memset(&v->g, 0, sizeof(v->g));
	/* the build's nm listing and the inspect stage's one objdump */
	listing = build_tool_output(&b, nm_argv, &err);
	cr_assert_not_null(listing, "%s", err);
	dump = inspect_dump(&b, &err);
	cr_assert_not_null(dump, "%s", err);
	cr_assert_eq(vet_object(listing, dump, b.scratch, &in, &err), 0, "%s", err);
	inspection_apply_vet(&in, &v->g);
	v->refused = in.refused;
	in.refused = NULL;
	inspection_release(&in);
	free(listing);
	free(dump);
	free(cmd);
	free(src);
	free(obj);
}

static void vetted_release(struct vetted *v)
{
	free(v->refused);
	grade_release(&v->g);
}

Test(vet, plain_code_is_neither_refused_nor_a_violation)
{
	struct vetted v;

	vet(&v, "int add(int a, int b) { return a + b; }\n");
	cr_expect_null(v.refused);
	cr_expect_eq(v.g.nviolations, 0);
	vetted_release(&v);
}

Test(vet, a_constructor_is_refused)
{
	struct vetted v;

	vet(&v, "static int x;\n__attribute__((constructor)) static void early(void) { x = 1; }\n"
		"int get(void) { return x; }\n");
	cr_assert_not_null(v.refused);
	cr_expect(strstr(v.refused, "constructor") != NULL, "%s", v.refused);
	vetted_release(&v);
}

Test(vet, an_ifunc_is_refused)
{
	struct vetted v;

	vet(&v, "static int impl(void) { return 1; }\n"
		"static int (*resolve(void))(void) { return impl; }\n"
		"int pick(void) __attribute__((ifunc(\"resolve\")));\n");
	cr_assert_not_null(v.refused);
	cr_expect(strstr(v.refused, "pick()") && strstr(v.refused, "ifunc"), "%s", v.refused);
	vetted_release(&v);
}

Test(vet, a_libc_function_the_harness_calls_is_refused)
{
	struct vetted v;

	/* the harness writes its records with write(): a global write() would
	 * take its place */
	vet(&v, "#include <stddef.h>\n"
		"long write(int fd, const void *p, size_t n) { (void)fd; (void)p; return (long)n; }\n");
	cr_assert_not_null(v.refused);
	cr_expect(strstr(v.refused, "write()") != NULL, "%s", v.refused);
	vetted_release(&v);
}

Test(vet, a_syscall_instruction_is_a_violation_at_its_line)
{
	struct vetted v;

	vet(&v, "long raw(void)\n{\n\tlong r;\n"
		"\t__asm__ volatile(\"syscall\" : \"=a\"(r) : \"a\"(39L) : \"rcx\", \"r11\", \"memory\");\n"
		"\treturn r;\n}\n");
	cr_expect_null(v.refused, "not refused: the tests run and the filter stops it");
	cr_assert_eq(v.g.nviolations, 1);
	cr_expect_str_eq(v.g.violations[0].function, "syscall instruction");
	cr_expect_str_eq(v.g.violations[0].location, "sub.c:4 (raw)");
	vetted_release(&v);
}

Test(vet, a_valgrind_client_request_is_a_violation)
{
	struct vetted v;

	vet(&v, "#include <valgrind/memcheck.h>\n"
		"void hide(void *p, unsigned long n)\n{\n"
		"\tVALGRIND_MAKE_MEM_DEFINED(p, n);\n}\n");
	size_t i, here = 0;

	cr_expect_null(v.refused);
	cr_assert_geq(v.g.nviolations, 1);
	for (i = 0; i < v.g.nviolations; i++) {
		const struct norm_violation *nv = &v.g.violations[i];

		cr_expect_str_eq(nv->function, "valgrind client request");
		/* valgrind.h's own functions are in the object too: each is
		 * placed in valgrind.h, never at a line of sub.c it lacks */
		cr_expect(!strncmp(nv->location, "sub.c:4 ", 8) ||
			  !strncmp(nv->location, "valgrind.h:", 11), "%s", nv->location);
		here += !strcmp(nv->location, "sub.c:4 (hide)");
	}
	cr_expect_eq(here, 1, "the request in hide() is at its line");
	vetted_release(&v);
}
