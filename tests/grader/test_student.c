/* test_student.c - the student's path (issue 10): their own header against
 * the contract, which header was used, a build failure's report, missing
 * functions, and the JSON report's consistency
 *
 * The header variants are generated from include/hypervisor_sim.h, so that
 * the lines the messages cite are computed, not copied.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "grader_tests.h"

#define CONTRACT "include/hypervisor_sim.h"
#define REF      "references/ref_solution.c"

static void has(const char *haystack, const char *needle)
{
	cr_assert(haystack && strstr(haystack, needle) != NULL,
		  "'%s' not found in: %s", needle, haystack ? haystack : "(null)");
}

static void has_not(const char *haystack, const char *needle)
{
	cr_assert(haystack && strstr(haystack, needle) == NULL,
		  "'%s' found in: %s", needle, haystack ? haystack : "(null)");
}

/* Under make grader-valgrind (bin/grader itself under valgrind) the cases
 * that only vary the input of a path already covered are skipped: the
 * suite's time stays that of the grader's code, once per path. */
static void once_under_valgrind(void)
{
	const char *v = getenv("GRADER_TEST_VALGRIND");

	if (v && !strcmp(v, "1"))
		cr_skip_test("a variant of a path covered under valgrind by another case");
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = malloc(1 << 20);
	size_t len;

	cr_assert_not_null(f, "cannot read %s", path);
	cr_assert_not_null(text);
	len = fread(text, 1, (1 << 20) - 1, f);
	text[len] = '\0';
	fclose(f);
	return text;
}

/* The line of the contract where needle starts (plus skip lines). */
static unsigned contract_line(const char *needle, unsigned skip)
{
	char *text = slurp(CONTRACT), *at = strstr(text, needle), *p;
	unsigned line = 1;

	cr_assert_not_null(at, "'%s' not in the contract", needle);
	for (p = text; p < at; p++)
		line += *p == '\n';
	free(text);
	return line + skip;
}

/* A copy of path with from replaced by to (each pair, in order), written to
 * build/grader/<name>; returns its path (static). */
static const char *variant_of(const char *path, const char *name,
			      const char *const *pairs)
{
	static char out[256];
	char *text = slurp(path);
	size_t k;
	FILE *o;

	for (k = 0; pairs[k]; k += 2) {
		char *at = strstr(text, pairs[k]), *n;

		cr_assert_not_null(at, "'%s' not in %s", pairs[k], path);
		n = malloc(strlen(text) + strlen(pairs[k + 1]) + 1);
		cr_assert_not_null(n);
		memcpy(n, text, (size_t)(at - text));
		strcpy(n + (at - text), pairs[k + 1]);
		strcat(n, at + strlen(pairs[k]));
		free(text);
		text = n;
	}
	mkdir("build", 0755);
	mkdir("build/grader", 0755);
	snprintf(out, sizeof(out), "build/grader/%s", name);
	o = fopen(out, "w");
	cr_assert_not_null(o);
	fputs(text, o);
	fclose(o);
	free(text);
	return out;
}

static const char *header_variant(const char *name, const char *const *pairs)
{
	return variant_of(CONTRACT, name, pairs);
}

/* Grades the reference with header h: the text report in r. */
static void grade_text(struct run *r, const char *file, const char *h, const char *only)
{
	if (h && only)
		grader_run(r, false, NULL, "test", "-s", "spec.json", "-f", file, "-H", h,
			   "--only", only, NULL);
	else if (h)
		grader_run(r, false, NULL, "test", "-s", "spec.json", "-f", file, "-H", h,
			   NULL);
	else
		grader_run(r, false, NULL, "test", "-s", "spec.json", "-f", file, NULL);
}

/* A header that disagrees: refused, score 0, no test ran, and the report
 * says expect, with the contract's line. */
static void refused_header(const char *h, const char *expect, unsigned line, bool json)
{
	struct run r;
	char where[128];
	json_t *j, *t;
	size_t i;

	grade_text(&r, REF, h, NULL);
	cr_assert_eq(r.status, 1, "%s%s", r.out, r.err);
	has(r.out, "refused: the header ");
	has(r.out, "disagrees with the contract " CONTRACT);
	has(r.out, expect);
	snprintf(where, sizeof(where), "(" CONTRACT ":%u)", line);
	if (!strstr(r.out, where))
		snprintf(where, sizeof(where), "at " CONTRACT ":%u", line);
	has(r.out, where);
	has(r.out, "tests, 0/100 \u2014 not run: the header disagrees with the contract");
	has(r.out, "score 0/100");
	run_release(&r);
	if (!json)                      /* the fields: checked on a few variants */
		return;

	j = grade_json(&r, REF, "-H", h, NULL);
	cr_assert_not_null(j, "%s", r.err);
	cr_assert_str_eq(json_string_value(json_object_get(
		json_array_get(json_object_get(j, "refused_because"), 0), "kind")), "header");
	cr_assert_eq(json_integer_value(json_object_get(j, "score")), 0);
	cr_assert(json_array_size(json_object_get(json_object_get(j, "header"),
						  "differences")) > 0);
	json_array_foreach(json_object_get(j, "tests"), i, t) {
		cr_assert_str_eq(json_string_value(json_object_get(t, "status")), "not_run");
		cr_assert(json_is_null(json_object_get(t, "reproduce")));
	}
	/* the header is checked on the copy the build read, after the build:
	 * the norm's verdict, when the build got that far, is a real one */
	if (json_is_true(json_object_get(json_object_get(j, "norm"), "ran")))
		cr_assert(json_is_boolean(json_object_get(json_object_get(j, "norm"), "ok")));
	else
		cr_assert(json_is_null(json_object_get(json_object_get(j, "norm"), "ok")));
	json_decref(j);
	run_release(&r);
}

/* The case: it scored 75 and passed on values read at the wrong
 * offsets. */
Test(header, an_extra_field_at_the_start_of_KvmVm_is_refused, .timeout = 60)
{
	static const char *const p[] = {
		"typedef struct {\n    int         fd;\n    KvmDevice  *kvm;",
		"typedef struct {\n    int         magic;\n    int         fd;\n    KvmDevice  *kvm;",
		NULL };

	refused_header(header_variant("hdr_extra_field.h", p),
		       "KvmVm.fd is at offset 4 in your header",
		       contract_line("    int         fd;\n    KvmDevice  *kvm;", 0), true);
}

/* The other case of the issue: harness SIGSEGVs. */
Test(header, an_extra_bool_at_the_start_of_WestworldHost_is_refused, .timeout = 60)
{
	static const char *const p[] = {
		"    KvmDevice  *ford;", "    bool        awake;\n    KvmDevice  *ford;", NULL };

	once_under_valgrind();

	refused_header(header_variant("hdr_extra_bool.h", p),
		       "WestworldHost.ford is at offset 8 in your header",
		       contract_line("    KvmDevice  *ford;", 0), false);
}

Test(header, a_reordered_struct_is_refused, .timeout = 60)
{
	static const char *const p[] = {
		"    int fd;                 /* > 0, unique per process (simulated) */\n"
		"    int api_version;        /* KVM_API_VERSION */",
		"    int api_version;\n    int fd;", NULL };

	once_under_valgrind();

	refused_header(header_variant("hdr_reordered.h", p),
		       "KvmDevice.fd is at offset 4 in your header",
		       contract_line("    int fd;                 /* > 0", 0), false);
}

Test(header, a_renamed_field_is_refused, .timeout = 60)
{
	static const char *const p[] = {
		"uint64_t    memory_size;", "uint64_t    mem_size;", NULL };

	once_under_valgrind();

	refused_header(header_variant("hdr_renamed.h", p),
		       "KvmVm has no field memory_size in your header",
		       contract_line("    uint64_t    memory_size;", 0), false);
}

Test(header, a_field_of_another_type_is_refused, .timeout = 60)
{
	static const char *const p[] = {
		"    bool        conscious;", "    int         conscious;", NULL };

	once_under_valgrind();

	refused_header(header_variant("hdr_field_type.h", p),
		       "WestworldHost.conscious is a int in your header",
		       contract_line("    bool        conscious;", 0), false);
}

Test(header, a_missing_prototype_is_refused, .timeout = 60)
{
	static const char *const p[] = { "int kvm_run(KvmVcpu *vcpu);\n", "", NULL };

	refused_header(header_variant("hdr_no_proto.h", p),
		       "your header does not declare kvm_run(); the contract declares "
		       "int kvm_run(KvmVcpu *vcpu);",
		       contract_line("int kvm_run(KvmVcpu *vcpu);", 0), true);
}

Test(header, another_prototype_is_refused, .timeout = 60)
{
	static const char *const p[] = {
		"void ept_destroy(EptContext *ept);", "int ept_destroy(EptContext *ept);", NULL };

	once_under_valgrind();

	refused_header(header_variant("hdr_other_proto.h", p),
		       "your header declares int ept_destroy(EptContext *ept);",
		       contract_line("void ept_destroy(EptContext *ept);", 0), false);
}

/* The document's code writes KVM_EXIT_IO_OUT 0; <linux/kvm.h> says 1. */
Test(header, another_constant_value_is_refused, .timeout = 60)
{
	static const char *const p[] = {
		"#define KVM_EXIT_IO_OUT 1", "#define KVM_EXIT_IO_OUT 0", NULL };

	once_under_valgrind();

	refused_header(header_variant("hdr_io_out.h", p),
		       "KVM_EXIT_IO_OUT is 0 in your header",
		       contract_line("#define KVM_EXIT_IO_OUT 1", 0), false);
}

Test(header, a_header_that_does_not_compile_is_refused, .timeout = 60)
{
	static const char *const p[] = { "} KvmDevice;", "} KvmDevice", NULL };
	struct run r;

	grade_text(&r, REF, header_variant("hdr_broken.h", p), NULL);
	cr_assert_eq(r.status, 1);
	has(r.out, "does not compile (line ");
	has(r.out, "score 0/100");
	run_release(&r);
}

/* A header that includes what never ends neither hangs nor crashes the
 * grader: the check runs in a jail of the build's kind, with limits. */
Test(header, a_header_including_a_device_is_refused_not_hung, .timeout = 60)
{
	static const char *const p[] = {
		"#include <stdint.h>\n", "#include <stdint.h>\n#include \"/dev/zero\"\n", NULL };
	struct run r;

	grade_text(&r, REF, header_variant("hdr_dev_zero.h", p), NULL);
	cr_assert_eq(r.status, 1, "%s%s", r.out, r.err);
	/* the check runs in the build's jail, where /dev/zero does not exist */
	has(r.out, "'/dev/zero'");
	has(r.out, "no test ran");
	cr_assert(r.seconds < 90, "the check took %.1f s", r.seconds);
	run_release(&r);
}

/* A header that agrees, whatever its comments, order, spelling and extra
 * declarations, is graded silently: no note, no difference. */
static void graded_silently(const char *h)
{
	struct run r;
	json_t *j;

	grade_text(&r, REF, h, "test_kvm_open");
	has(r.out, "PASS     test_kvm_open");
	has_not(r.out, "disagrees");
	has_not(r.out, "header");       /* neither a note nor the header line */
	run_release(&r);
	j = grade_json(&r, REF, "-H", h, "--only", "test_kvm_open", NULL);
	cr_assert_not_null(j, "%s", r.err);
	cr_assert(json_is_null(json_object_get(j, "note")) ||
		  !strstr(json_string_value(json_object_get(j, "note")), "header"));
	cr_assert_eq(json_array_size(json_object_get(json_object_get(j, "header"),
						     "differences")), 0);
	cr_assert_str_eq(json_string_value(json_object_get(report_test(j, "test_kvm_open"),
							   "status")), "pass");
	json_decref(j);
	run_release(&r);
}

Test(header, a_comment_only_change_is_graded_silently, .timeout = 120)
{
	static const char *const p[] = {
		"/* the creator (hypervisor) */", "/* Ford, who made it all */",
		"#define HYPERVISOR_SIM_H", "/* my header */\n#define HYPERVISOR_SIM_H", NULL };

	once_under_valgrind();

	graded_silently(header_variant("hdr_comment.h", p));
}

Test(header, order_spelling_and_extra_declarations_are_graded_silently, .timeout = 120)
{
	static const char *const p[] = {
		/* a tag, a value spelled otherwise, declarations of its own */
		"typedef struct {\n    int fd;                 /* > 0",
		"typedef struct kvm_device {\n    int fd;                 /* > 0",
		"#define EPT_READ        (1u << 0)", "#define EPT_READ 1u",
		"#endif /* HYPERVISOR_SIM_H */",
		"#define MY_HELPER 42\ntypedef struct my_list { int n; struct my_list *next; } "
		"MyList;\nint my_helper(int x);\n#endif /* HYPERVISOR_SIM_H */",
		/* KvmDtable declared before KvmSegment, after: order */
		"typedef struct {\n    uint64_t base;\n    uint16_t limit;\n} KvmDtable;\n", "",
		"typedef struct {\n    uint64_t base;\n    uint32_t limit;",
		"typedef struct {\n    uint64_t base;\n    uint16_t limit;\n} KvmDtable;\n\n"
		"typedef struct {\n    uint64_t base;\n    uint32_t limit;",
		NULL };

	once_under_valgrind();

	graded_silently(header_variant("hdr_extra_decls.h", p));
}

Test(header, the_pack_header_itself_is_graded_silently, .timeout = 120)
{
	once_under_valgrind();
	graded_silently(CONTRACT);
}

/* Without -H: the report says which header was used and how to pass
 * theirs; after a build failure, that one sits next to the file. */
Test(student, without_H_the_report_names_the_header_used, .timeout = 60)
{
	static const char *const p[] = { "kvm->fd);\n", "kvm->fd)\n", NULL };
	static const char *const h[] = { "uint64_t    memory_size;", "uint64_t    mem_size;",
					 NULL };
	struct run r;
	json_t *j;

	mkdir("build/grader/near", 0755);
	variant_of(REF, "near/hypervisor_sim.c", p);
	variant_of(CONTRACT, "near/hypervisor_sim.h", h);
	grade_text(&r, "build/grader/near/hypervisor_sim.c", NULL, NULL);
	cr_assert_eq(r.status, 1);
	has(r.out, "header: the pack's " CONTRACT " (to compile against yours, add -H "
		   "path/to/hypervisor_sim.h)");
	has(r.out, "note: it was compiled against the pack's header " CONTRACT ", not the "
		   "hypervisor_sim.h next to it: if it needs that one, pass -H");
	run_release(&r);
	j = grade_json(&r, "build/grader/near/hypervisor_sim.c", NULL);
	cr_assert_not_null(j);
	cr_assert(json_is_true(json_object_get(json_object_get(j, "header"), "nearby")));
	cr_assert(json_is_false(json_object_get(json_object_get(j, "header"), "student")));
	json_decref(j);
	run_release(&r);
}

/* Every error, the count, the command to rebuild, ONE line for the tests
 * not run; the JSON's norm did not run. */
Test(student, a_build_failure_shows_every_error_and_how_to_rebuild, .timeout = 60)
{
	static const char *const p[] = {
		"kvm->fd);\n", "kvm->fd)\n",
		"static int next_fd = 100;", "static int next_fd = 100\n",
		NULL };
	const char *file = variant_of(REF, "many_errors.c", p);
	struct run r;
	json_t *j, *t, *c;
	size_t i;
	int skips = 0;
	const char *s;

	grade_text(&r, file, NULL, NULL);
	cr_assert_eq(r.status, 1);
	/* the missing ; after next_fd cascades: dozens of errors, 40 lines shown */
	has(r.out, "does not build: ");
	has(r.out, " errors\n");
	has(r.out, "many_errors.c:");
	has(r.out, "error: expected");
	has(r.out, "(the first 40 lines: the command below shows them all)");
	has(r.out, "rebuild:   mkdir -p /tmp/ww && cp build/grader/many_errors.c /tmp/ww/ && "
		   "cp " CONTRACT " /tmp/ww/hypervisor_sim.h && gcc -std=c17 -Wall -Wextra "
		   "-Werror");
	has(r.out, "39 tests, 0/100 \u2014 not run: the submission does not build");
	for (s = r.out; (s = strstr(s, "SKIP")) != NULL; s++)
		skips++;
	cr_assert_eq(skips, 2, "one SKIP line per table, not per test: %s", r.out);
	has_not(r.out, "norm: ok");
	run_release(&r);

	j = grade_json(&r, file, NULL);
	cr_assert_not_null(j);
	c = json_object_get(j, "compile");
	cr_assert_gt(json_integer_value(json_object_get(c, "errors")), 2);
	has(json_string_value(json_object_get(c, "command")), "-std=c17");
	cr_assert(json_is_false(json_object_get(json_object_get(j, "norm"), "ran")));
	cr_assert(json_is_null(json_object_get(json_object_get(j, "norm"), "ok")),
		  "norm.ok after a failed build: it never ran");
	json_array_foreach(json_object_get(j, "tests"), i, t) {
		cr_assert(json_is_null(json_object_get(t, "reproduce")));
		cr_assert_not_null(json_object_get(t, "fed"));
		cr_assert_not_null(json_object_get(t, "expected"));
	}
	has(json_string_value(json_object_get(report_test(j, "test_kvm_open"), "expected")),
	    "api_version == 12");
	json_decref(j);
	run_release(&r);
}

/* A missing function: named with its prototype and the contract's line;
 * never a norm violation; the norm did run. */
Test(student, a_missing_function_is_named_with_its_prototype, .timeout = 60)
{
	static const char *const p[] = {
		"void serial_destroy(SerialPort *serial)\n", "void serial_free(SerialPort *serial)\n",
		NULL };
	struct run r;
	char want[256];
	json_t *j, *m;

	grade_text(&r, variant_of(REF, "no_serial_destroy.c", p), NULL, NULL);
	cr_assert_eq(r.status, 1);
	snprintf(want, sizeof(want), "serial_destroy() is not defined; the contract declares "
		 "void serial_destroy(SerialPort *serial); at " CONTRACT ":%u",
		 contract_line("void serial_destroy(SerialPort *serial);", 0));
	has(r.out, want);
	has_not(r.out, "violation");
	has(r.out, "norm: ok");
	run_release(&r);
	j = grade_json(&r, "build/grader/no_serial_destroy.c", NULL);
	cr_assert_not_null(j);
	m = json_array_get(json_object_get(json_object_get(j, "compile"),
					   "missing_functions"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(m, "function")), "serial_destroy");
	cr_assert_str_eq(json_string_value(json_object_get(m, "prototype")),
			 "void serial_destroy(SerialPort *serial)");
	cr_assert(json_is_true(json_object_get(json_object_get(j, "norm"), "ran")));
	cr_assert(json_is_true(json_object_get(json_object_get(j, "norm"), "ok")));
	json_decref(j);
	run_release(&r);
}

/* The schema check of every --json report (helpers.c) can fail. */
Test(student, the_schema_check_refuses_a_bad_report, .timeout = 30)
{
	FILE *f = fopen("build/grader/bad_report.json", "w");
	int st;

	cr_assert_not_null(f);
	fputs("{\"file\": \"x.c\", \"norm\": {\"ran\": false, \"ok\": true}}\n", f);
	fclose(f);
	st = system("python3 schema/validate.py schema/report.schema.json "
		    "build/grader/bad_report.json >/dev/null");
	cr_assert_neq(st, 0, "a report without its keys passed the schema");
}

/* An invalid read in the tests' own code (reading a field past the block
 * the submission allocated) is not blamed on the submission's line: the
 * report says where it happened, that it is not the student's code, and
 * where the block was allocated. */
Test(student, valgrind_says_when_the_fault_is_not_in_the_submission, .timeout = 120)
{
	static const char *const outside[] = {
		"    vcpu = calloc(1, sizeof(*vcpu));", "    vcpu = calloc(1, offsetof(KvmVcpu, exits));",
		"    vcpu->exits++;\n", "\n", NULL };
	static const char *const inside[] = {
		"    vcpu = calloc(1, sizeof(*vcpu));", "    vcpu = calloc(1, offsetof(KvmVcpu, exits));",
		NULL };
	struct run r;
	json_t *j;
	const char *m;

	once_under_valgrind();

	j = grade_json(&r, variant_of(REF, "short_vcpu.c", outside), "--only",
		       "test_run_halted", NULL);
	cr_assert_not_null(j, "%s", r.err);
	m = json_string_value(json_object_get(report_test(j, "test_run_halted"), "message"));
	has(m, "valgrind: Invalid read of size 8 at t_run.c:");
	has_not(m, "size 8 at short_vcpu.c:");
	has(m, "in the grader's test code, not in your file");
	has(m, "alloc'd (at short_vcpu.c:");
	has(m, "(kvm_create_vcpu))");
	json_decref(j);
	run_release(&r);

	j = grade_json(&r, variant_of(REF, "short_vcpu_own.c", inside), "--only",
		       "test_run_halted", NULL);
	cr_assert_not_null(j, "%s", r.err);
	m = json_string_value(json_object_get(report_test(j, "test_run_halted"), "message"));
	has(m, "at short_vcpu_own.c:");
	has(m, "(kvm_run)");
	has_not(m, "not in your file");
	json_decref(j);
	run_release(&r);
}

/* A timeout says where the CPU time went; the trap's text is shown only
 * when that evidence points to it.  The case: a nop that does not
 * advance RIP, in test_rip_bound, got the RIP-bound hint. */
Test(student, a_timeout_reports_its_evidence_not_a_guess, .timeout = 120)
{
	static const char *const nop[] = {
		"        default:                /* 0x90 nop */\n            break;",
		"        default:                /* 0x90 nop */\n            next = vcpu->regs.rip;\n"
		"            break;", NULL };
	static const char *const past[] = {
		"    if (offset >= vm->memory_size)\n        return exit_fail_entry(vcpu);",
		"    if (offset >= vm->memory_size) {\n        vcpu->regs.rip++;\n"
		"        vcpu->instructions++;\n        return STEP_NEXT;\n    }", NULL };
	struct run r;
	json_t *j, *t, *e;

	once_under_valgrind();

	grade_text(&r, variant_of(REF, "nop_loop.c", nop), NULL, NULL);
	has(r.out, "TIMEOUT  test_rip_bound");
	has(r.out, "running the vCPU: guest RIP 0xfffff (inside guest memory, which ends at "
		   "0x100000)");
	has(r.out, "instructions retire but RIP stays put, so one instruction runs again "
		   "and again (does its handler advance RIP?)");
	has_not(r.out, "RIP == memory_size is outside guest memory: FAIL_ENTRY, not a loop");
	has_not(r.out, "trap:");
	run_release(&r);
	/* the same facts as fields */
	j = grade_json(&r, "build/grader/nop_loop.c", "--only", "test_rip_bound", NULL);
	cr_assert_not_null(j, "%s", r.err);
	t = report_test(j, "test_rip_bound");
	e = json_object_get(t, "evidence");
	cr_assert(json_is_true(json_object_get(e, "in_kvm_run")), "%s", r.out);
	cr_assert_eq(json_integer_value(json_object_get(e, "guest_rip")), 0xfffff);
	cr_assert_gt(json_integer_value(json_object_get(e, "instructions")), 1000);
	cr_assert(json_is_false(json_object_get(e, "trap_supported")));
	json_decref(j);
	run_release(&r);

	grader_run(&r, false, NULL, "test", "-s", "spec.json", "-f",
		   variant_of(REF, "past_end.c", past), "--only", "test_rip_bound", NULL);
	has(r.out, "past the end of guest memory, which ends at 0x100000");
	has(r.out, "RIP ran past the end of guest memory without a KVM_EXIT_FAIL_ENTRY");
	has(r.out, "trap:      memory_size is not the last valid position");
	run_release(&r);
}
