/* test_qcm.c - bin/grader qcm: both answer formats, score, exit code */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grader_tests.h"

static char *answers_file(const char *content)
{
	char *path = strdup("/tmp/grader-qcm.XXXXXX");
	int fd = mkstemp(path);

	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	close(fd);
	return path;
}

static void qcm(struct run *r, const char *spec, const char *content, bool json)
{
	char *path = answers_file(content);

	if (json)
		grader_run(r, false, NULL, "qcm", "-s", spec, "--json", path, NULL);
	else
		grader_run(r, false, NULL, "qcm", "-s", spec, path, NULL);
	unlink(path);
	free(path);
}

Test(qcm, letters_in_order)
{
	struct run r;

	qcm(&r, "tests/grader/specs/valid.json", "BC\n", false);
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	cr_assert(strstr(r.out, "qcm 2/2 right: 100%") != NULL, "%s", r.out);
	run_release(&r);
}

Test(qcm, id_lines_and_a_wrong_answer)
{
	struct run r;
	json_t *j;

	qcm(&r, "tests/grader/specs/valid.json", "1:B\n2 = a\n", true);
	cr_assert_eq(r.status, 1, "%s%s", r.out, r.err);
	j = json_loads(r.out, 0, NULL);
	cr_assert_not_null(j, "%s", r.out);
	cr_assert_eq(json_integer_value(json_object_get(j, "score")), 50);
	cr_assert(json_is_false(json_object_get(j, "passed")));
	json_decref(j);
	run_release(&r);
}

Test(qcm, the_pack_qcm)
{
	struct run r;

	qcm(&r, "spec.json", "1:B\n2:C\n3:B\n4:C\n5:B\n6:B\n7:B\n8:B\n9:B\n10:C\n", false);
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	run_release(&r);
	qcm(&r, "spec.json", "AAAAAAAAAA", false);
	cr_assert_eq(r.status, 1, "%s%s", r.out, r.err);
	cr_assert(strstr(r.out, "wrong: the answer is B") != NULL, "%s", r.out);
	run_release(&r);
}

Test(qcm, malformed_answers_are_usage_errors)
{
	struct run r;

	qcm(&r, "spec.json", "1:B\n2:Z\n", false);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "line 2") != NULL, "%s", r.err);
	run_release(&r);
	qcm(&r, "spec.json", "1:B\n99:A\n", false);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "no question 99") != NULL, "%s", r.err);
	run_release(&r);
}

/* Comment and blank lines are skipped, in both formats. */
Test(qcm, comments_and_blank_lines_are_skipped)
{
	struct run r;

	qcm(&r, "tests/grader/specs/valid.json", "# my answers\n\n1:B\n  # second\n2:C\n", false);
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	cr_assert(strstr(r.out, "qcm 2/2 right: 100%") != NULL, "%s", r.out);
	run_release(&r);
	qcm(&r, "tests/grader/specs/valid.json", "# in order\nB\n\nC\n", false);
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	run_release(&r);
}

/* "hello world" is not answers H and E: a usage error, with its line. */
Test(qcm, prose_is_not_answers)
{
	struct run r;

	qcm(&r, "spec.json", "# answers\nhello world\n", false);
	cr_assert_eq(r.status, 2, "%s%s", r.out, r.err);
	cr_assert(strstr(r.err, "line 2: 'hello world' is not answers: 'l' is not a "
			 "letter A to J") != NULL, "%s", r.err);
	cr_assert_eq(r.out[0], '\0', "graded anyway: %s", r.out);
	run_release(&r);
}

/* A duplicate does not silently replace the first: both lines named. */
Test(qcm, a_duplicate_answer_names_both_lines)
{
	struct run r;

	qcm(&r, "spec.json", "1:B\n2:C\n1:A\n", false);
	cr_assert_eq(r.status, 2, "%s%s", r.out, r.err);
	cr_assert(strstr(r.err, "line 3: question 1 is answered twice, on lines 1 and 3")
		  != NULL, "%s", r.err);
	run_release(&r);
}

Test(qcm, mixed_formats_are_an_error)
{
	struct run r;

	qcm(&r, "spec.json", "1:B\nBC\n", false);
	cr_assert_eq(r.status, 2, "%s%s", r.out, r.err);
	cr_assert(strstr(r.err, "line 2: 'BC' mixes the two formats") != NULL, "%s", r.err);
	run_release(&r);
}

/* An empty file (or comments only) is graded 0, with a warning. */
Test(qcm, an_empty_file_warns)
{
	struct run r;

	qcm(&r, "spec.json", "", false);
	cr_assert_eq(r.status, 1, "%s%s", r.out, r.err);
	cr_assert(strstr(r.err, "holds no answer") != NULL, "%s", r.err);
	cr_assert(strstr(r.out, "qcm 0/10 right") != NULL, "%s", r.out);
	run_release(&r);
	qcm(&r, "spec.json", "# nothing yet\n\n", false);
	cr_assert(strstr(r.err, "holds no answer") != NULL, "%s", r.err);
	run_release(&r);
	qcm(&r, "spec.json", "1:B\n", false);
	cr_assert(strstr(r.err, "answers 1 of the 10 questions") != NULL, "%s", r.err);
	run_release(&r);
}
