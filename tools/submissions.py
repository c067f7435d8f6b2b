#!/usr/bin/env python3
"""submissions.py - generate tests/grader/submissions/*.c from the reference

Each file of tests/grader/submissions/ is references/ref_solution.c with one
defect, for the grader's own tests (tests/grader/test_grade.c and
test_valgrind.c check the verdict each gets).  Made from the reference, not
copied once by hand, so that every fix to the reference reaches them: a
hand copy drifts, and a test then checks the defect against an older
solution than the one the pack ships.  The replacements work as in
tools/mutants.py (tools/derived.py, which both use).

    tools/submissions.py            write the files
    tools/submissions.py --check    exit 1, naming each file, if a file is out
                                    of date or a replacement no longer applies

Python 3 standard library only.
"""

import argparse
import os
import sys
from typing import List, NamedTuple

from derived import ROOT, MutantError, Replacement, apply, sync, wrap

BASE = "references/ref_solution.c"


class Submission(NamedTuple):
    out: str                    # path from the repository root
    defect: str                 # one sentence: what is wrong, what it gets
    replacements: List[Replacement]
    base: str = BASE


DIR = "tests/grader/submissions/"

SUBMISSIONS = [
    Submission(
        out=DIR + "compile_error.c",
        defect="a missing semicolon in kvm_open(): it does not compile.",
        replacements=[
            ("    kvm->api_version = KVM_API_VERSION;\n",
             "    kvm->api_version = KVM_API_VERSION  /* DEFECT: no semicolon */\n"),
        ],
    ),
    Submission(
        out=DIR + "compile_werror.c",
        defect="an unused variable in kvm_open(): only a warning, which the "
               "document's -Werror makes an error.",
        replacements=[
            ("    KvmDevice *kvm = calloc(1, sizeof(*kvm));\n",
             "    KvmDevice *kvm = calloc(1, sizeof(*kvm));\n"
             "    int unused_counter = 0;     /* DEFECT: -Wunused-variable */\n"),
        ],
    ),
    Submission(
        out=DIR + "defines_main.c",
        defect="it defines main(), which a submission must not.",
        replacements=[
            ("void ford_retires_host(WestworldHost *host)\n{",
             "int main(void)     /* DEFECT: the grader brings its own main */\n"
             "{\n"
             "    return 0;\n"
             "}\n"
             "\n"
             "void ford_retires_host(WestworldHost *host)\n{"),
        ],
    ),
    Submission(
        out=DIR + "exit_passed.c",
        defect="ford_implants_memories() prints \"PASSED\" and calls exit(0) "
               "when given 0 bytes, in the middle of test_implant_bounds: a "
               "forged success that must fail that test only (and exit is "
               "outside the norm).",
        replacements=[
            ("    if (host == NULL || narrative == NULL || size == 0 ||\n",
             "    if (size == 0) {\n"
             "        printf(\"PASSED\\n\");  /* DEFECT: a forged success */\n"
             "        exit(0);\n"
             "    }\n"
             "    if (host == NULL || narrative == NULL || size == 0 ||\n"),
        ],
    ),
    Submission(
        out=DIR + "hlt_loop.c",
        defect="ford_says_freeze() does not make the host unconscious on HLT, "
               "so dolores_wakes_up() loops forever on a halted vCPU (mutant "
               "D's fault).",
        replacements=[
            ("    default:\n"
             "        /* HLT, SHUTDOWN, FAIL_ENTRY, INTERNAL_ERROR, or unknown */\n",
             "    case KVM_EXIT_HLT:\n"
             "        break;      /* DEFECT: the run loop goes on after HLT */\n"
             "    default:\n"
             "        /* SHUTDOWN, FAIL_ENTRY, INTERNAL_ERROR, or unknown */\n"),
        ],
    ),
    Submission(
        out=DIR + "leak_kvm_run.c",
        defect="kvm_destroy_vcpu() frees the vCPU but never munmaps its "
               "kvm_run mapping, so every host leaks 8192 bytes of mmap "
               "(which valgrind alone would not report).",
        replacements=[
            ("    munmap(vcpu->kvm_run, vcpu->kvm_run_size);\n"
             "    free(vcpu);\n",
             "    free(vcpu);     /* DEFECT: the kvm_run mapping is never unmapped */\n"),
        ],
    ),
    Submission(
        out=DIR + "missing_function.c",
        defect="ept_set_permissions() is missing (renamed), so a required "
               "function is not defined.",
        replacements=[
            ("int ept_set_permissions(EptContext *ept, uint64_t gpa, uint32_t perms)\n{",
             "int ept_set_perms(EptContext *ept, uint64_t gpa, uint32_t perms);  /* DEFECT: wrong name */\n"
             "int ept_set_perms(EptContext *ept, uint64_t gpa, uint32_t perms)\n{"),
        ],
    ),
    Submission(
        out=DIR + "no_null_check.c",
        defect="serial_create() uses the result of calloc() without checking "
               "it, so it crashes when that allocation fails.",
        replacements=[
            ("    SerialPort *s = calloc(1, sizeof(*s));\n"
             "\n"
             "    if (s == NULL)\n"
             "        return NULL;\n",
             "    SerialPort *s = calloc(1, sizeof(*s));\n"
             "\n"
             "    /* DEFECT: no NULL check */\n"),
        ],
    ),
    Submission(
        out=DIR + "norm_open.c",
        defect="kvm_open() opens and closes /dev/null, calls the norm "
               "forbids: a blocking norm violation (score 0), blocked at run "
               "time too.",
        replacements=[
            ("#include <sys/mman.h>\n",
             "#include <sys/mman.h>\n"
             "#include <fcntl.h>\n"
             "#include <unistd.h>\n"),
            ("    KvmDevice *kvm = calloc(1, sizeof(*kvm));\n"
             "\n"
             "    if (kvm == NULL)\n"
             "        return NULL;\n",
             "    KvmDevice *kvm = calloc(1, sizeof(*kvm));\n"
             "\n"
             "    int devnull;\n"
             "\n"
             "    if (kvm == NULL)\n"
             "        return NULL;\n"
             "    devnull = open(\"/dev/null\", O_RDONLY);  /* DEFECT: forbidden calls */\n"
             "    if (devnull >= 0)\n"
             "        close(devnull);\n"),
        ],
    ),
]


def header(s: Submission) -> str:
    name = os.path.basename(s.out)
    out = wrap("/* ", f"{name} - a bad submission for the grader's own tests, "
               f"generated by tools/submissions.py from {s.base} (edit the "
               f"table there, not this file).", " * ")
    out.append(" *")
    out += wrap(" * ", f"Defect: {s.defect}")
    return "\n".join(out) + "\n */\n\n"


def generate(s: Submission) -> str:
    with open(os.path.join(ROOT, s.base), encoding="utf-8") as f:
        base = f.read()
    body = apply(s, base)
    if body == base:
        raise MutantError(f"{s.out}: its replacements leave {s.base} unchanged")
    # the reference's own first comment names the reference: drop it
    first_end = body.index("*/\n") + 3
    return header(s) + body[first_end:].lstrip("\n")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="write nothing; exit 1 if a file is out of date or "
                         "a replacement no longer applies")
    args = ap.parse_args()
    problems = sync(SUBMISSIONS, generate, "tools/submissions.py", args.check,
                    say_missing=False)
    listed = {os.path.basename(s.out) for s in SUBMISSIONS}
    for f in sorted(os.listdir(os.path.join(ROOT, DIR))):
        if f.endswith(".c") and f not in listed:
            problems.append(f"{DIR}{f}: not in tools/submissions.py's table "
                            f"(a hand copy drifts from the reference)")
    for p in problems:
        print(f"submissions: {p}", file=sys.stderr)
    if problems:
        return 1
    if args.check:
        print(f"submissions: {len(SUBMISSIONS)} files up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
