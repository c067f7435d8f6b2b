/* test_jail_view.c - what a jail's view covers, and the input checks the
 * build makes before anything reads a submission */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build_input.h"
#include "jail_view.h"

static struct jail_view grade_view(void)
{
	struct jail_view v = { 0 };

	jail_view_add_system(&v, NULL);
	jail_view_add(&v, "/tmp", JAIL_RO);      /* stands for a scratch src/ */
	return v;
}

Test(jail_view, covers_what_it_binds_and_nothing_above)
{
	struct jail_view v = grade_view();

	cr_assert(jail_view_covers(&v, "/usr/include/stdio.h"));
	cr_assert(jail_view_covers(&v, "/tmp/x/../y.c"));
	cr_assert(jail_view_covers(&v, "/tmp"));
	cr_assert_not(jail_view_covers(&v, "/etc/passwd"));
	cr_assert_not(jail_view_covers(&v, "/tmp/../etc/passwd"));
	cr_assert_not(jail_view_covers(&v, "/usr/include/../../etc/passwd"));
	cr_assert_not(jail_view_covers(&v, "/tmpfoo/x.c"), "a prefix is not a parent");
	cr_assert_not(jail_view_covers(&v, "/dev/zero"));
	cr_assert(jail_view_covers(&v, "/dev/null"));
	jail_view_release(&v);
}

Test(jail_view, a_missing_path_is_not_bound)
{
	struct jail_view v = { 0 };

	jail_view_add(&v, "/nonexistent/westworld", JAIL_RO);
	jail_view_add(&v, "relative/path", JAIL_RO);
	cr_assert_eq(v.n, 0);
	jail_view_release(&v);
}

Test(jail_view, bubblewrap_gets_one_option_per_path)
{
	struct jail_view v = { 0 };
	struct strlist args = { 0 };

	jail_view_add(&v, "/usr/include", JAIL_RO);
	jail_view_add(&v, "/tmp", JAIL_RW);
	jail_view_bwrap_args(&v, &args);
	cr_assert_eq(args.n, 6);
	cr_assert_str_eq(args.items[0], "--ro-bind");
	cr_assert_str_eq(args.items[3], "--bind");
	cr_assert_str_eq(args.items[5], "/tmp");
	strlist_release(&args);
	jail_view_release(&v);
}

/* A file of its own with the bytes given; the path is malloc'd. */
static char *file_with(const char *bytes, size_t len)
{
	char *path = strdup("/tmp/ww-input-XXXXXX");
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, bytes, len), (ssize_t)len);
	close(fd);
	return path;
}

static enum build_input_refusal check(const char *path, uint64_t max)
{
	struct build_input in;
	char *err = NULL;
	enum build_input_refusal r;

	cr_assert_eq(build_input_read(&in, path, "submission", max, &err), 0, "%s", err);
	r = in.refusal;
	if (r == BUILD_INPUT_OK)
		cr_assert_not_null(in.bytes);
	else
		cr_assert(in.why && strstr(in.why, path), "%s", in.why);
	build_input_release(&in);
	return r;
}

Test(build_input, text_passes_latin1_and_utf8_too)
{
	char *p = file_with("int x; /* \xc3\xa9t\xe9 */\r\n\t\f\v", 22);

	cr_assert_eq(check(p, 1000), BUILD_INPUT_OK);
	unlink(p);
	free(p);
}

Test(build_input, nul_control_size_fifo_symlink_are_refused)
{
	char *p = file_with("int x;\0", 7), *q = file_with("int \x1b[2Jx;", 11);
	char *big = file_with("int x;\n", 7), dir[] = "/tmp/ww-input-dir-XXXXXX";
	char *fifo, *link;

	cr_assert_eq(check(p, 1000), BUILD_INPUT_NUL);
	cr_assert_eq(check(q, 1000), BUILD_INPUT_BINARY);
	cr_assert_eq(check(big, 6), BUILD_INPUT_TOO_LARGE);
	cr_assert_not_null(mkdtemp(dir));
	cr_assert_eq(check(dir, 1000), BUILD_INPUT_NOT_REGULAR);
	cr_assert(asprintf(&fifo, "%s/fifo.c", dir) > 0 && asprintf(&link, "%s/link.c", dir) > 0);
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	cr_assert_eq(check(fifo, 1000), BUILD_INPUT_NOT_REGULAR);
	cr_assert_eq(symlink(big, link), 0);
	cr_assert_eq(check(link, 1000), BUILD_INPUT_SYMLINK);
	cr_assert_eq(check("/dev/zero", 1000), BUILD_INPUT_NOT_REGULAR);
	unlink(fifo);
	unlink(link);
	rmdir(dir);
	unlink(p);
	unlink(q);
	unlink(big);
	free(p);
	free(q);
	free(big);
	free(fifo);
	free(link);
}
