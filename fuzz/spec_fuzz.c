/* spec_fuzz.c - libFuzzer target: spec_load() and spec_validate() on any
 * bytes, as `grader validate-spec` and `grader test` run them
 *
 * The input is written to FUZZ_DIR/tests/grader/specs/fuzz.json, where the
 * relative paths of the seed corpus (tests/grader/specs/, spec.json) resolve
 * to the pack's files through symbolic links: the fuzzer reaches the checks
 * of files that exist as well as of files that do not.  A crash, a sanitizer
 * report, a leak, or a broken promise of spec.h aborts:
 *   - spec_load() fails with a message, or succeeds with a document;
 *   - spec_validate() returns 0 exactly when it listed no problem, and a
 *     valid spec's tables are usable (names set, points and timeouts in
 *     range, every test findable by name).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spec.h"
#include "util.h"

static char *input_path;

#define CHECK(cond) do { \
		if (!(cond)) { \
			fprintf(stderr, "spec_fuzz: %s:%d: broken promise: %s\n", \
				__FILE__, __LINE__, #cond); \
			abort(); \
		} \
	} while (0)

static void link_to(const char *root, const char *dir, const char *name)
{
	char *from = xasprintf("%s/%s", root, name), *to = xasprintf("%s/%s", dir, name);

	if (symlink(from, to) < 0 && errno != EEXIST) {
		perror(to);
		exit(2);
	}
	free(from);
	free(to);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *root = getenv("FUZZ_REPO");
	char tmpl[] = "/tmp/spec-fuzz.XXXXXX";
	char *dir, *specs;
	char cwd[4096];

	(void)argc;
	(void)argv;
	if (root == NULL)
		root = getcwd(cwd, sizeof(cwd));
	if (root == NULL || mkdtemp(tmpl) == NULL) {
		perror("spec_fuzz");
		exit(2);
	}
	dir = tmpl;
	/* the pack's layout: include/, references/, mutants/, alternatives/,
	 * and tests/grader/{specs,submissions} */
	link_to(root, dir, "include");
	link_to(root, dir, "references");
	link_to(root, dir, "mutants");
	link_to(root, dir, "alternatives");
	specs = xasprintf("%s/tests/grader/specs", dir);
	{
		char *t = xasprintf("%s/tests", dir), *g = xasprintf("%s/tests/grader", dir);
		char *sub = xasprintf("%s/tests/grader/submissions", root);
		char *sublink = xasprintf("%s/tests/grader/submissions", dir);

		if (mkdir(t, 0700) < 0 || mkdir(g, 0700) < 0 || mkdir(specs, 0700) < 0 ||
		    symlink(sub, sublink) < 0) {
			perror("spec_fuzz");
			exit(2);
		}
		free(t);
		free(g);
		free(sub);
		free(sublink);
	}
	input_path = xasprintf("%s/fuzz.json", specs);
	free(specs);
	fprintf(stderr, "spec_fuzz: inputs go to %s\n", input_path);
	return 0;
}

static void check_valid(const struct spec *s)
{
	const struct spec_table *tables[] = { &s->base, &s->bonus };
	size_t k, i;

	CHECK(s->name != NULL);
	CHECK(s->header != NULL);
	CHECK(s->passing_score >= 0 && s->passing_score <= 100);
	CHECK(s->fuzz_oracle != NULL);
	CHECK(s->fuzz_min <= s->fuzz_max);
	for (k = 0; k < 2; k++)
		for (i = 0; i < tables[k]->n; i++) {
			const struct spec_test *t = &tables[k]->tests[i];
			bool bonus;

			CHECK(t->name != NULL);
			CHECK(t->points >= 0 && t->points <= 100);
			CHECK(t->timeout_ms >= 1 && t->timeout_ms <= 600000);
			CHECK(spec_find_test(s, t->name, &bonus) == t);
			CHECK(bonus == (k == 1));
		}
	for (i = 0; i < s->nedges; i++)
		CHECK(s->edges[i].name != NULL && s->edges[i].expected != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f = fopen(input_path, "wb");
	struct spec s;
	char *err = NULL;
	unsigned flags;

	if (f == NULL || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
		abort();
	if (spec_load(&s, input_path, &err) < 0) {
		CHECK(err != NULL && strstr(err, input_path) != NULL);
		free(err);
		spec_release(&s);
		return 0;
	}
	CHECK(err == NULL && s.root != NULL);
	/* both ways the grader validates: test (no validation files) and
	 * validate-spec (all of them) */
	for (flags = 0; flags <= SPEC_CHECK_ALL_FILES; flags += SPEC_CHECK_ALL_FILES) {
		struct strlist problems = { 0 };
		int r;

		if (flags) {
			spec_release(&s);
			CHECK(spec_load(&s, input_path, &err) == 0);
		}
		r = spec_validate(&s, flags, &problems);
		CHECK((r == 0) == (problems.n == 0));
		for (size_t i = 0; i < problems.n; i++)
			CHECK(problems.items[i] != NULL && problems.items[i][0] != '\0');
		if (r == 0)
			check_valid(&s);
		strlist_release(&problems);
	}
	spec_release(&s);
	return 0;
}
