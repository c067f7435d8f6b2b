/* test_spec_load.c - spec_load() says why there is no spec, as a value:
 * the exit code (usage error or bad spec) follows from it, not from the
 * wording of its message
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "spec.h"

static void expect_load(const char *path, enum spec_load_result want)
{
	struct spec s;
	char *err = NULL;

	cr_expect_eq(spec_load(&s, path, &err), want, "%s: %s", path, err ? err : "");
	cr_expect_eq(err != NULL, want != SPEC_LOADED);
	free(err);
	spec_release(&s);
}

Test(spec_load, each_outcome)
{
	expect_load("spec.json", SPEC_LOADED);
	expect_load("tests/grader/specs/no-such-spec.json", SPEC_UNREADABLE);
	expect_load("tests/grader/specs/duplicate_key.json", SPEC_MALFORMED);
	expect_load("tests/grader/specs/empty.json", SPEC_MALFORMED);
}
