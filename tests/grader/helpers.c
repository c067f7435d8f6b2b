/* helpers.c - run bin/grader and read its reports, for the grader's tests */
#include "grader_tests.h"

#include <criterion/criterion.h>

#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	char tmp[4096];

	if (f == NULL)
		return strdup("");
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0) {
		if (len + n + 1 > cap) {
			cap = (len + n + 1) * 2;
			buf = realloc(buf, cap);
			if (buf == NULL)
				abort();
		}
		memcpy(buf + len, tmp, n);
		len += n;
	}
	fclose(f);
	if (buf == NULL)
		return strdup("");
	buf[len] = '\0';
	return buf;
}

static void vrun(struct run *r, bool valgrind, const char *extra_env, va_list ap)
{
	const char *bin = getenv("GRADER_BIN") ? getenv("GRADER_BIN") : "bin/grader";
	const char *vg = getenv("VALGRIND") ? getenv("VALGRIND") : "valgrind";
	char outp[] = "/tmp/grader-test-out.XXXXXX", errp[] = "/tmp/grader-test-err.XXXXXX";
	const char *argv[64];
	char **envp = environ, **envcopy = NULL;
	posix_spawn_file_actions_t fa;
	int n = 0, st, ofd, efd;
	const char *a;
	pid_t pid;
	struct timespec t0, t1;

	memset(r, 0, sizeof(*r));
	/* GRADER_TEST_VALGRIND=1 (make grader-valgrind): every run of the
	 * suite under valgrind, not only those of test_valgrind.c */
	if (getenv("GRADER_TEST_VALGRIND") && !strcmp(getenv("GRADER_TEST_VALGRIND"), "1"))
		valgrind = true;
	r->valgrind = valgrind;
	if (valgrind) {
		argv[n++] = vg;
		argv[n++] = "-q";
		argv[n++] = "--error-exitcode=99";
		argv[n++] = "--leak-check=full";
		argv[n++] = "--errors-for-leak-kinds=definite,indirect";
		argv[n++] = "--show-leak-kinds=definite,indirect";
	}
	argv[n++] = bin;
	while ((a = va_arg(ap, const char *)) != NULL && n < 62)
		argv[n++] = a;
	argv[n] = NULL;
	if (extra_env) {
		size_t k = 0;

		while (environ[k])
			k++;
		envcopy = calloc(k + 2, sizeof(*envcopy));
		memcpy(envcopy, environ, k * sizeof(*envcopy));
		envcopy[k] = (char *)extra_env;
		envp = envcopy;
	}
	ofd = mkstemp(outp);
	efd = mkstemp(errp);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, ofd, 1);
	posix_spawn_file_actions_adddup2(&fa, efd, 2);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, envp) != 0) {
		r->status = -1;
	} else {
		waitpid(pid, &st, 0);
		r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	r->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	posix_spawn_file_actions_destroy(&fa);
	close(ofd);
	close(efd);
	r->out = slurp(outp);
	r->err = slurp(errp);
	unlink(outp);
	unlink(errp);
	free(envcopy);
}

/* Every report `grader test --json` prints is checked against the published
 * schema (schema/report.schema.json, by schema/validate.py). */
static void check_schema(const struct run *r)
{
	char path[] = "/tmp/grader-test-json.XXXXXX";
	int fd = mkstemp(path);
	char *cmd, *out;
	FILE *p;
	size_t len = strlen(r->out);

	cr_assert(fd >= 0);
	cr_assert(write(fd, r->out, len) == (ssize_t)len);
	close(fd);
	cr_assert(asprintf(&cmd, "python3 schema/validate.py schema/report.schema.json %s 2>&1",
			   path) > 0);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	out = calloc(1, 8192);
	cr_assert_not_null(out);
	len = fread(out, 1, 8191, p);
	out[len] = '\0';
	cr_assert_eq(pclose(p), 0, "the --json report does not follow "
		     "schema/report.schema.json:\n%s", out);
	unlink(path);
	free(out);
	free(cmd);
}

static bool is_test_json(const char *first, va_list ap)
{
	va_list aq;
	const char *a;
	bool json = false;

	if (first == NULL || strcmp(first, "test"))
		return false;
	va_copy(aq, ap);
	while ((a = va_arg(aq, const char *)) != NULL)
		json = json || !strcmp(a, "--json");
	va_end(aq);
	return json;
}

void grader_run(struct run *r, bool valgrind, const char *extra_env, ...)
{
	va_list ap;
	const char *first;
	bool json;

	va_start(ap, extra_env);
	first = va_arg(ap, const char *);
	va_end(ap);
	va_start(ap, extra_env);
	json = first && is_test_json(first, ap);
	va_end(ap);
	va_start(ap, extra_env);
	vrun(r, valgrind, extra_env, ap);
	va_end(ap);
	if (json && r->out[0] == '{')
		check_schema(r);
}

void run_release(struct run *r)
{
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof(*r));
}

json_t *grade_json(struct run *r, const char *file, ...)
{
	const char *args[32] = { "test", "-s", "spec.json", "-f", file, "--json" };
	int n = 6;
	const char *a;
	va_list ap;

	va_start(ap, file);
	while ((a = va_arg(ap, const char *)) != NULL && n < 30)
		args[n++] = a;
	va_end(ap);
	args[n] = NULL;
	grader_run(r, false, NULL, args[0], args[1], args[2], args[3], args[4], args[5],
		   args[6], args[7], args[8], args[9], args[10], args[11], args[12],
		   args[13], args[14], args[15], NULL);
	return json_loads(r->out, 0, NULL);
}

json_t *report_test(json_t *report, const char *name)
{
	const char *tables[] = { "tests", "edge_cases" };
	size_t i, k;
	json_t *t;

	for (k = 0; k < 2; k++)
		json_array_foreach(json_object_get(report, tables[k]), i, t)
			if (!strcmp(json_string_value(json_object_get(t, "name")), name))
				return t;
	if (json_is_object(json_object_get(report, "bonus")))
		json_array_foreach(json_object_get(json_object_get(report, "bonus"), "tests"), i, t)
			if (!strcmp(json_string_value(json_object_get(t, "name")), name))
				return t;
	return NULL;
}

const char *report_status(json_t *report, const char *name)
{
	json_t *t = report_test(report, name);

	return t ? json_string_value(json_object_get(t, "status")) : "(missing)";
}

const char *report_message(json_t *report, const char *name)
{
	json_t *t = report_test(report, name);

	return t ? json_string_value(json_object_get(t, "message")) : "(missing)";
}
