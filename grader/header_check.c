/* header_check.c - a student's header against the contract (see header_check.h)
 *
 * The check runs in a process of its own (header-probe, or a fork) with
 * limits, jailed when grading: header_layout.c reads each header with
 * libclang, header_compare.c compares them; this file runs the probe,
 * receives its gaps, and words them.
 */
#include "header_check.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "build.h"
#include "header_compare.h"
#include "header_layout.h"
#include "i18n.h"
#include "jail_tool.h"
#include "jail_view.h"
#include "proc.h"
#include "proto.h"
#include "util.h"

/* ---- the check in another process -----------------------------------------
 *
 * libclang reads whatever the student's header includes: a device that
 * never ends, a header that includes itself a million times.  So the check
 * runs in a child with CPU, memory and wall-clock limits: the program
 * header-probe next to libharness.a (exec'd, so that a grader running under
 * valgrind does not drag libclang under it too), or, without it, a fork of
 * this process.  The child prints proto records, one per line: a gap
 * (kind=...), a prototype of the contract (fn=...), or an error (err=...);
 * exit 0, or 2 with err= when the contract itself does not parse. */

#define HEADER_CHECK_SECONDS 10

static void rec_send(struct sbuf *rec)
{
	sbuf_adds(rec, "\n");
	if (fwrite(rec->buf, 1, rec->len, stdout) != rec->len)
		_exit(3);
	sbuf_release(rec);
}

static void gap_send(const struct header_gap *gap)
{
	struct sbuf rec = { 0 };

	proto_putu(&rec, "kind", (unsigned long long)gap->kind);
	proto_puts(&rec, "name", gap->name);
	if (gap->member)
		proto_puts(&rec, "member", gap->member);
	proto_putu(&rec, "cline", gap->contract_line);
	proto_putu(&rec, "sline", gap->student_line);
	if (gap->contract_value)
		proto_puts(&rec, "cvalue", gap->contract_value);
	if (gap->student_value)
		proto_puts(&rec, "svalue", gap->student_value);
	rec_send(&rec);
}

int header_probe_main(int argc, char **argv)
{
	struct header_gaps gaps = { 0 };
	struct header h = { 0 };
	struct sbuf rec = { 0 };
	char *err = NULL;
	size_t i;
	int ret = 2;

	if (argc == 3) {                /* CONTRACT STUDENT: the gaps */
		if (header_compare(argv[1], argv[2], &gaps, &err) < 0) {
			proto_puts(&rec, "err", err);
			rec_send(&rec);
			goto out;
		}
		for (i = 0; i < gaps.n; i++)
			gap_send(&gaps.gap[i]);
		ret = 0;
	} else if (argc == 2) {         /* CONTRACT: its prototypes */
		if (header_parse(&h, argv[1], NULL) < 0) {
			proto_puts(&rec, "err", h.error ? h.error : "does not parse");
			rec_send(&rec);
			goto out;
		}
		for (i = 0; i < h.nfuncs; i++) {
			proto_puts(&rec, "fn", h.funcs[i].name);
			proto_puts(&rec, "proto", h.funcs[i].spelling);
			proto_putu(&rec, "line", h.funcs[i].line);
			rec_send(&rec);
		}
		ret = 0;
	} else {
		fprintf(stderr, "usage: header-probe CONTRACT [STUDENT]\n");
	}
out:
	fflush(stdout);
	header_gaps_release(&gaps);
	header_release(&h);
	free(err);
	return ret;
}

/* The child's side: limits, stdout to the pipe, then the probe. */
static void child_run(int fd, const char *helper, char **argv, int argc)
{
	struct rlimit cpu = { HEADER_CHECK_SECONDS, HEADER_CHECK_SECONDS };
	struct rlimit as = { 2ul << 30, 2ul << 30 };
	int null = open("/dev/null", O_WRONLY);

	if (null >= 0)                  /* libclang's crash reports: the gap says it */
		dup2(null, STDERR_FILENO);
	dup2(fd, STDOUT_FILENO);
	setrlimit(RLIMIT_CPU, &cpu);
	setrlimit(RLIMIT_AS, &as);
	alarm(HEADER_CHECK_SECONDS);
	if (helper) {
		execv(helper, argv);
		_exit(127);
	}
	_exit(header_probe_main(argc, argv));
}

/* Runs the probe on argv (argc 2 or 3); its output in *out, its status
 * returned (-1 with *err when it cannot start). */
static int probe_run(char **argv, int argc, char **out, char **err)
{
	char *libdir = build_default_libdir();
	char *helper = path_join(libdir, "header-probe");
	int pfd[2], st = -1;
	size_t len = 0;
	FILE *f;
	pid_t pid;

	*out = NULL;
	if (access(helper, X_OK) != 0) {
		free(helper);
		helper = NULL;
	}
	if (pipe(pfd) < 0) {
		*err = xasprintf("cannot check the header: pipe: %s", strerror(errno));
		goto out;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		*err = xasprintf("cannot check the header: fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		goto out;
	}
	if (pid == 0) {
		close(pfd[0]);
		if (helper)
			argv[0] = helper;
		child_run(pfd[1], helper, argv, argc);
	}
	close(pfd[1]);
	f = fdopen(pfd[0], "r");
	if (f == NULL || getdelim(out, &len, '\0', f) < 0) {
		free(*out);
		*out = xstrdup("");
	}
	if (f)
		fclose(f);
	else
		close(pfd[0]);
	st = proc_wait(pid);
out:
	free(helper);
	free(libdir);
	return st;
}

/* The probe on argv (CONTRACT STUDENT) in a jail of the build's kind
 * (jail_tool.h): the student's header is untrusted input, and an #include
 * in it must reach nothing the build itself may not read.  The view is the
 * system's, the probe's folder, the contract and the student's header's
 * folder, read-only.  Its output in *out, its exit status returned (1 when
 * a limit stopped it; -1 with *err when it cannot start). */
static int probe_run_jailed(char **argv, const char *scratch, char **out, char **err)
{
	static char env_path[] = "PATH=/usr/bin:/bin", env_lc[] = "LC_ALL=C";
	char *env[] = { env_path, env_lc, NULL };
	struct jail_tool_limits l = {
		HEADER_CHECK_SECONDS, HEADER_CHECK_SECONDS * 3000u, 2ull << 30, 1u << 20, 1u << 20,
	};
	struct jail_tool_result r = { 0 };
	struct jail_view v = { 0 };
	char *libdir = build_default_libdir(), *helper = path_join(libdir, "header-probe");
	char *sdir = path_dir(argv[2]), *log = path_join(scratch, "header-probe.log");
	char *contract = NULL, *student = NULL;
	int st = -1;

	*out = NULL;
	if (access(helper, X_OK) != 0) {
		*err = xasprintf("cannot check the header: '%s' is missing (run make)", helper);
		goto out;
	}
	/* the jail's paths are the machine's: absolute, as the view holds them */
	contract = realpath(argv[1], NULL);
	student = realpath(argv[2], NULL);
	if (contract == NULL || student == NULL) {
		*err = xasprintf("cannot check the header: %s: %s", contract ? argv[2] : argv[1],
				 strerror(errno));
		goto out;
	}
	free(sdir);
	sdir = path_dir(student);
	jail_view_add_system(&v, NULL);
	jail_view_add(&v, libdir, JAIL_RO);
	jail_view_add(&v, contract, JAIL_RO);
	jail_view_add(&v, sdir, JAIL_RO);
	{
		char *jargv[] = { helper, contract, student, NULL };

		if (jail_tool_run(jargv, env, sdir, &v, &l, log, &r, err) < 0)
			goto out;
	}
	*out = r.output ? r.output : xstrdup("");
	r.output = NULL;
	st = r.end == JAIL_TOOL_EXITED ? r.status : 1;
out:
	unlink(log);
	free(log);
	free(contract);
	free(student);
	free(sdir);
	free(helper);
	free(libdir);
	jail_view_release(&v);
	jail_tool_result_release(&r);
	return st;
}

static unsigned get_uint(const char *line, const char *key)
{
	char *v = proto_get(line, key, NULL);
	unsigned n = v ? (unsigned)strtoul(v, NULL, 10) : 0;

	free(v);
	return n;
}

static void gap_receive(struct header_gaps *gaps, const char *line)
{
	char *name = proto_get(line, "name", NULL);
	char *member = proto_get(line, "member", NULL);
	unsigned kind = get_uint(line, "kind");

	if (kind > HG_CONSTANT_VALUE)
		kind = HG_UNPARSED;
	header_gap_add(gaps, (enum header_gap_kind)kind, name ? name : "", member,
		get_uint(line, "cline"), get_uint(line, "sline"),
		proto_get(line, "cvalue", NULL), proto_get(line, "svalue", NULL));
	free(name);
	free(member);
}

int header_check(const char *contract, const char *student, const char *scratch,
		 struct header_gaps *gaps, char **err)
{
	char *argv[] = { "header-probe", (char *)contract, (char *)student, NULL };
	char *out = NULL, *line, *save = NULL;
	int st, ret = -1;

	st = scratch ? probe_run_jailed(argv, scratch, &out, err)
		     : probe_run(argv, 3, &out, err);
	if (st < 0)
		goto out;
	if (st == 2 && !strncmp(out, "err=", 4)) {
		char *e = proto_get(strtok(out, "\n"), "err", NULL);

		*err = xasprintf("the contract '%s' does not parse with libclang: %s",
				 contract, e ? e : "?");
		free(e);
		goto out;
	}
	if (st != 0) {
		/* killed by its limits, or libclang crashed: the student's header
		 * is what it read */
		header_gap_add(gaps, HG_UNPARSED, "", NULL, 0, 0, NULL,
			xasprintf("it could not be read within %d s of CPU time and "
				  "2 GiB of memory (an #include of a device or of a "
				  "huge file?)", HEADER_CHECK_SECONDS));
		ret = 0;
		goto out;
	}
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		gap_receive(gaps, line);
	ret = 0;
out:
	free(out);
	return ret;
}

int header_find_prototypes(const char *contract, const struct strlist *names,
			   struct header_prototypes *p)
{
	char *argv[] = { "header-probe", (char *)contract, NULL };
	char *out = NULL, *err = NULL, *line, *save = NULL;
	int ret = -1;

	if (probe_run(argv, 2, &out, &err) != 0)
		goto out;
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *fn = proto_get(line, "fn", NULL);
		struct missing_function *m;

		if (fn && strlist_has(names, fn)) {
			p->fn = xrealloc(p->fn, (p->n + 1) * sizeof(*p->fn));
			m = &p->fn[p->n++];
			m->name = fn;
			m->prototype = proto_get(line, "proto", NULL);
			m->line = get_uint(line, "line");
			fn = NULL;
		}
		free(fn);
	}
	ret = 0;
out:
	free(out);
	free(err);
	return ret;
}

void header_prototypes_release(struct header_prototypes *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		free(p->fn[i].name);
		free(p->fn[i].prototype);
	}
	free(p->fn);
	p->fn = NULL;
	p->n = 0;
}

void header_gaps_release(struct header_gaps *gaps)
{
	size_t i;

	for (i = 0; i < gaps->n; i++) {
		free(gaps->gap[i].name);
		free(gaps->gap[i].member);
		free(gaps->gap[i].contract_value);
		free(gaps->gap[i].student_value);
	}
	free(gaps->gap);
	gaps->gap = NULL;
	gaps->n = 0;
}

const char *header_gap_kind_name(enum header_gap_kind k)
{
	static const char *const names[] = {
		[HG_UNPARSED] = "unparsed", [HG_TYPE_MISSING] = "type_missing",
		[HG_TYPE_KIND] = "type_kind", [HG_TYPE_SIZE] = "type_size",
		[HG_TYPE_ALIGN] = "type_align", [HG_FIELD_MISSING] = "field_missing",
		[HG_FIELD_OFFSET] = "field_offset", [HG_FIELD_TYPE] = "field_type",
		[HG_FUNCTION_MISSING] = "function_missing",
		[HG_FUNCTION_TYPE] = "function_type",
		[HG_CONSTANT_VALUE] = "constant_value",
	};

	return names[k];
}

char *header_gap_text(const struct header_gap *gap, const char *contract,
		      const char *student)
{
	const char *m = gap->member ? gap->member : "";

	switch (gap->kind) {
	case HG_UNPARSED:
		if (gap->student_line == 0)
			return xasprintf(_("your header %s cannot be checked: %s"), student,
					 gap->student_value);
		return xasprintf(_("your header %s does not compile (line %u): %s"),
				 student, gap->student_line, gap->student_value);
	case HG_TYPE_MISSING:
		return xasprintf(_("your header does not declare the type %s, which the "
				 "contract defines at %s:%u"), gap->name, contract,
				 gap->contract_line);
	case HG_TYPE_KIND:
		return xasprintf(_("%s is %s in your header (%s:%u) but %s in the "
				 "contract (%s:%u)"), gap->name, gap->student_value,
				 student, gap->student_line, gap->contract_value,
				 contract, gap->contract_line);
	case HG_TYPE_SIZE:
		return xasprintf(_("sizeof(%s) is %s bytes in your header (%s:%u) but %s "
				 "in the contract (%s:%u)"), gap->name, gap->student_value,
				 student, gap->student_line, gap->contract_value,
				 contract, gap->contract_line);
	case HG_TYPE_ALIGN:
		return xasprintf(_("_Alignof(%s) is %s in your header (%s:%u) but %s in "
				 "the contract (%s:%u)"), gap->name, gap->student_value,
				 student, gap->student_line, gap->contract_value,
				 contract, gap->contract_line);
	case HG_FIELD_MISSING:
		return xasprintf(_("%s has no field %s in your header (%s:%u); the "
				 "contract declares %s %s at %s:%u"), gap->name, m,
				 student, gap->student_line, gap->contract_value, m,
				 contract, gap->contract_line);
	case HG_FIELD_OFFSET:
		return xasprintf(_("%s.%s is at offset %s in your header (%s:%u) but at "
				 "offset %s in the contract (%s:%u)"), gap->name, m,
				 gap->student_value, student, gap->student_line,
				 gap->contract_value, contract, gap->contract_line);
	case HG_FIELD_TYPE:
		return xasprintf(_("%s.%s is a %s in your header (%s:%u) but a %s in the "
				 "contract (%s:%u)"), gap->name, m, gap->student_value,
				 student, gap->student_line, gap->contract_value,
				 contract, gap->contract_line);
	case HG_FUNCTION_MISSING:
		return xasprintf(_("your header does not declare %s(); the contract "
				 "declares %s; at %s:%u"), gap->name, gap->contract_value,
				 contract, gap->contract_line);
	case HG_FUNCTION_TYPE:
		return xasprintf(_("your header declares %s; (%s:%u) but the contract "
				 "declares %s; (%s:%u)"), gap->student_value, student,
				 gap->student_line, gap->contract_value, contract,
				 gap->contract_line);
	case HG_CONSTANT_VALUE:
		return xasprintf(_("%s is %s in your header (%s:%u) but %s in the "
				 "contract (%s:%u)"), gap->name, gap->student_value,
				 student, gap->student_line, gap->contract_value,
				 contract, gap->contract_line);
	}
	return xstrdup("?");
}
