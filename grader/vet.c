/* vet.c - refuse the code that would run outside the tests, and name the
 * instructions that reach the kernel or valgrind directly */
#include "vet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proc.h"
#include "util.h"

/* Sections whose code the loader or libc runs outside main(). */
static const char *const run_sections[] = {
	".init_array", ".fini_array", ".preinit_array", ".ctors", ".dtors",
	".init", ".fini",
};

/* A section name that is, or starts with one of run_sections + ".". */
static const char *runs_outside(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(run_sections) / sizeof(run_sections[0]); i++) {
		size_t n = strlen(run_sections[i]);

		if (!strncmp(name, run_sections[i], n) && (name[n] == '\0' || name[n] == '.'))
			return run_sections[i];
	}
	return NULL;
}

/* The section table (objdump -h, the dump's part before the disassembly). */
static char *check_sections(const char *dump)
{
	char *out = xstrdup(dump), *line, *save = NULL, *msg = NULL;

	for (line = strtok_r(out, "\n", &save); line && !msg; line = strtok_r(NULL, "\n", &save)) {
		char name[256];
		unsigned idx;
		const char *sec;

		if (!strncmp(line, "Disassembly of section ", 23))
			break;
		if (sscanf(line, " %u %255s", &idx, name) == 2 && (sec = runs_outside(name)))
			msg = xasprintf("the submission has a constructor or destructor (its "
					"object has a %s section): code that would run outside "
					"the tests, where nothing checks it; refused, no test ran",
					sec);
	}
	free(out);
	return msg;
}

/* The names nm lists in out with a type in types. */
static void names_of(const char *out, const char *types, struct strlist *l)
{
	char *copy = xstrdup(out), *line, *save = NULL;

	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[256], type;

		if (sscanf(line, "%255s %c", name, &type) == 2 && strchr(types, type) &&
		    !strlist_has(l, name))
			strlist_add(l, name);
	}
	free(copy);
}

/* The C library functions the harness calls: undefined in libharness.a
 * (which also leaves the submission's functions undefined) and defined by
 * libc.so.6.  Computed once per process, by vet_prepare() or on first use;
 * grader mutants calls vet_prepare() before it forks a grade per file. */
static struct strlist harness_libc;
static bool harness_libc_done;

int vet_prepare(const char *scratch, char **err)
{
	struct strlist undefined = { 0 }, libc = { 0 };
	char *libdir, *lib, *out, *libc_path;
	const char *cc = getenv("GRADER_CC");
	char *cc_argv[] = { (char *)(cc && cc[0] ? cc : "gcc"), "-print-file-name=libc.so.6",
			    NULL };
	size_t i;
	int st;

	if (harness_libc_done)
		return 0;
	libdir = build_default_libdir();
	lib = path_join(libdir, "libharness.a");
	free(libdir);
	{
		struct strlist argv = { 0 };

		proc_nm_argv(&argv);
		strlist_add(&argv, "-P");
		strlist_add(&argv, "-u");
		strlist_add(&argv, lib);
		strlist_argv(&argv);
		out = proc_capture(argv.items, NULL, scratch, &st);
		strlist_release(&argv);
		if (out == NULL || st != 0) {
			*err = xasprintf("cannot run nm on '%s'%s", lib,
					 out ? "" : ": not found");
			free(out);
			free(lib);
			return -1;
		}
	}
	free(lib);
	names_of(out, "Uw", &undefined);
	free(out);
	libc_path = proc_capture(cc_argv, NULL, scratch, &st);
	if (libc_path && st == 0) {
		struct strlist argv = { 0 };

		libc_path[strcspn(libc_path, "\n")] = '\0';
		proc_nm_argv(&argv);
		strlist_add(&argv, "-D");
		strlist_add(&argv, "-P");
		strlist_add(&argv, "--defined-only");
		strlist_add(&argv, libc_path);
		strlist_argv(&argv);
		out = proc_capture(argv.items, NULL, scratch, &st);
		strlist_release(&argv);
		if (out && st == 0)
			names_of(out, "TtWwiDdBbRrVv", &libc);
		free(out);
	}
	free(libc_path);
	for (i = 0; i < undefined.n; i++) {
		/* "write@GLIBC_2.2.5" in libc's table, "write" in ours */
		char *plain = xasprintf("%s@", undefined.items[i]);
		size_t k;

		for (k = 0; k < libc.n; k++)
			if (!strcmp(libc.items[k], undefined.items[i]) ||
			    !strncmp(libc.items[k], plain, strlen(plain)))
				break;
		if (k < libc.n)
			strlist_add(&harness_libc, undefined.items[i]);
		free(plain);
	}
	strlist_release(&undefined);
	strlist_release(&libc);
	harness_libc_done = true;
	return 0;
}

/* The symbols' kinds (nm -P's listing, the build's). */
static char *check_symbols(const char *listing, const char *scratch, char **err)
{
	struct strlist imports = { 0 };
	struct sbuf clash = { 0 };
	char *out, *line, *save = NULL, *msg = NULL;

	if (vet_prepare(scratch, err) < 0)
		return NULL;
	for (size_t i = 0; i < harness_libc.n; i++)
		strlist_add(&imports, harness_libc.items[i]);
	out = xstrdup(listing);
	for (line = strtok_r(out, "\n", &save); line && !msg; line = strtok_r(NULL, "\n", &save)) {
		char name[256], type;

		if (sscanf(line, "%255s %c", name, &type) != 2)
			continue;
		if (type == 'i')
			msg = xasprintf("the submission defines %s() as a GNU indirect function "
					"(ifunc): its resolver would run outside the tests; "
					"refused, no test ran", name);
		else if (type >= 'A' && type <= 'Z' && type != 'U' && type != 'W' &&
			 type != 'V' && strlist_has(&imports, name))
			sbuf_addf(&clash, "%s%s()", clash.len ? ", " : "", name);
	}
	if (!msg && clash.len)
		msg = xasprintf("the submission defines %s, which the grader's harness calls "
				"from the C library: it would replace the library's for the "
				"harness too; rename %s or make %s static; refused, no test ran",
				clash.buf, strchr(clash.buf, ',') ? "them" : "it",
				strchr(clash.buf, ',') ? "them" : "it");
	free(out);
	sbuf_release(&clash);
	strlist_release(&imports);
	return msg;
}

/* System call instructions and valgrind client requests, at file:line
 * (the dump's disassembly and line table). */
static void check_instructions(const char *dump, struct inspection *in)
{
	char *out = xstrdup(dump), *line, *save = NULL;
	char func[256] = "", loc[512] = "";
	unsigned rols = 0, nsys = 0, nreq = 0;

	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t len = strlen(line);
		const char *insn = strchr(line, '\t');

		if (len > 3 && !strcmp(line + len - 3, "():") && !strchr(line, ' ')) {
			snprintf(func, sizeof(func), "%.*s", (int)(len - 3), line);
			continue;
		}
		if (line[0] == '/' || (line[0] != ' ' && strstr(line, ".c:"))) {
			char *sp = strchr(line, ' ');

			if (sp)
				*sp = '\0';
			snprintf(loc, sizeof(loc), "%s (%s)", path_base(line), func);
			continue;
		}
		if (insn == NULL)
			continue;
		while (*insn == '\t' || *insn == ' ')
			insn++;
		/* the norm's relocations ("5: R_X86_64_PLT32\tmalloc-0x4"),
		 * between the instructions: none of them is one */
		if (line[0] == '\t' && strstr(insn, ": R_"))
			continue;
		/* memcheck's client request: rol $3, $13, $61, $51 on rdi */
		if (!strncmp(insn, "rol ", 4) && strstr(insn, ",%rdi") &&
		    (strstr(insn, "$0x3,") || strstr(insn, "$0xd,") ||
		     strstr(insn, "$0x3d,") || strstr(insn, "$0x33,"))) {
			if (++rols == 4 && nreq++ < 3)
				violation_add(&in->vet, "valgrind client request", loc,
						    "inline assembly talking to valgrind (it "
						    "can silence memcheck): forbidden");
			continue;
		}
		rols = 0;
		if ((!strncmp(insn, "syscall", 7) || !strncmp(insn, "sysenter", 8) ||
		     !strncmp(insn, "int    $0x80", 12)) && nsys++ < 5)
			violation_add(&in->vet, "syscall instruction", loc,
					    "a system call made without the C library "
					    "(inline assembly): it bypasses the norm");
	}
	free(out);
}

int vet_object(const char *listing, const char *dump, const char *scratch,
	       struct inspection *in, char **err)
{
	in->vetted = true;
	in->refused = check_sections(dump);
	if (in->refused == NULL)
		in->refused = check_symbols(listing, scratch, err);
	if (*err)
		return -1;
	check_instructions(dump, in);
	return 0;
}
