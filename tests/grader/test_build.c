/* test_build.c - the build is untrusted: a submission's input checks and
 * what its compiler may read (the attacks themselves: tests/hostile/build.sh) */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grader_tests.h"

/* A copy of the reference with line written before it, in a fresh
 * directory under /tmp; the path is malloc'd. */
static char *reference_with(const char *line)
{
	char dir[] = "/tmp/grader-test-build.XXXXXX", *path;
	FILE *in, *out;
	char buf[4096];
	size_t n;

	cr_assert_not_null(mkdtemp(dir));
	cr_assert(asprintf(&path, "%s/hypervisor_sim.c", dir) > 0);
	in = fopen("references/ref_solution.c", "r");
	out = fopen(path, "w");
	cr_assert(in && out);
	fprintf(out, "%s\n", line);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	fclose(in);
	fclose(out);
	return path;
}

static void remove_with_dir(char *path)
{
	char *slash = strrchr(path, '/');

	unlink(path);
	*slash = '\0';
	rmdir(path);
	free(path);
}

static const char *compile_message(json_t *j)
{
	return json_string_value(json_object_get(json_object_get(j, "compile"), "message"));
}

Test(build, an_include_outside_is_named_and_never_shown, .timeout = 60)
{
	char *path = reference_with("#include \"/etc/passwd\"");
	char first[256] = "";
	FILE *pw = fopen("/etc/passwd", "r");
	struct run r;
	json_t *j;

	if (pw) {
		if (fgets(first, sizeof(first), pw))
			first[strcspn(first, "\n")] = '\0';
		fclose(pw);
	}
	j = grade_json(&r, path, "--only", "test_kvm_open", NULL);
	cr_assert_not_null(j, "%s", r.err);
	cr_assert_eq(r.status, 1);
	cr_assert_str_eq(json_string_value(json_object_get(j, "verdict")), "refused");
	cr_assert_str_eq(report_status(j, "test_kvm_open"), "not_run");
	cr_assert(strstr(compile_message(j), "names '/etc/passwd'") &&
		  strstr(compile_message(j), "outside what a submission may use"),
		  "%s", compile_message(j));
	cr_assert(!first[0] || (!strstr(r.out, first) && !strstr(r.err, first)),
		  "the report shows /etc/passwd");
	json_decref(j);
	run_release(&r);
	remove_with_dir(path);
}

Test(build, a_fifo_is_refused_at_once, .timeout = 30)
{
	char dir[] = "/tmp/grader-test-build.XXXXXX", *path;
	struct run r;
	json_t *j;

	cr_assert_not_null(mkdtemp(dir));
	cr_assert(asprintf(&path, "%s/fifo.c", dir) > 0);
	cr_assert_eq(mkfifo(path, 0600), 0);
	j = grade_json(&r, path, "--only", "test_kvm_open", NULL);
	cr_assert_not_null(j, "%s", r.err);
	cr_assert_eq(r.status, 1);
	cr_assert(strstr(compile_message(j), "is a FIFO (a named pipe), not a regular file"),
		  "%s", compile_message(j));
	cr_assert_lt(r.seconds, WALL_BOUND(&r, 10.0));
	json_decref(j);
	run_release(&r);
	remove_with_dir(path);
}

Test(build, a_nul_byte_is_refused, .timeout = 30)
{
	char *path = reference_with("int before_nul;");
	FILE *f = fopen(path, "a");
	struct run r;
	json_t *j;

	cr_assert_not_null(f);
	fputs("int after", f);
	fputc('\0', f);
	fputs(";\n", f);
	fclose(f);
	j = grade_json(&r, path, "--only", "test_kvm_open", NULL);
	cr_assert_not_null(j, "%s", r.err);
	cr_assert(strstr(compile_message(j), "contains a NUL byte"), "%s", compile_message(j));
	json_decref(j);
	run_release(&r);
	remove_with_dir(path);
}

Test(build, a_right_solution_still_builds_in_the_jail, .timeout = 60)
{
	char *path = reference_with("/* the reference, elsewhere */");
	struct run r;
	json_t *j;

	j = grade_json(&r, path, "--only", "test_kvm_open", NULL);
	cr_assert_not_null(j, "%s", r.err);
	cr_assert(json_is_true(json_object_get(json_object_get(j, "compile"), "ok")),
		  "%s", compile_message(j));
	cr_assert_str_eq(report_status(j, "test_kvm_open"), "pass");
	json_decref(j);
	run_release(&r);
	remove_with_dir(path);
}
