#!/usr/bin/env python3
"""mutants.py - generate mutants/*.c from the references

Every file of mutants/ is a reference (references/ref_solution.c or
references/ref_solution_bonus.c) with exactly one fault: the ones of the
exercise document's sections 4.10 (mutants A-E), 4.5 (refused solutions)
and 4.8 (refused bonus solutions).  The table below says, for each, the base,
a comment block for the top of the file, and the text replacements that make
the fault.  A replacement is either

    (old, new)                  old occurs exactly once in the base, or
    (Span(start, end), new)     start occurs exactly once, and end exactly
                                once after it; the text from start to end
                                (both included) is replaced - for a whole
                                function body, so that a small fix elsewhere
                                in it does not break the mutant.

A replacement that does not apply is an error naming the mutant and the text.

    tools/mutants.py              write the files
    tools/mutants.py --check      exit 1, naming each file, if a file is out
                                  of date or a replacement no longer applies
    tools/mutants.py --compile    also compile each file with the document's
                                  flags (gcc -Wall -Wextra -Werror -std=c17)
    tools/mutants.py --list       the mutants, their base and their fault

Python 3 standard library only.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from typing import List, NamedTuple, Tuple

from derived import ROOT, MutantError, Replacement, Span, apply, sync, wrap

BASE = "references/ref_solution.c"
BONUS = "references/ref_solution_bonus.c"
DOC = "the exercise document"


class Mutant(NamedTuple):
    out: str                    # path from the repository root
    base: str                   # the reference it is made from
    title: str                  # "Mutant A (Boundary)", ...
    section: str                # where the document describes it
    fault: str                  # the fault, one sentence
    why: str                    # "Pourquoi c'est faux"
    thought: str                # "Ce qui etait pense"
    caught_by: str              # the moulinette test, and why
    replacements: List[Replacement]


MUTANTS = [
    # ------------------------------------------------------------------
    Mutant(
        out="mutants/mutant_a_boundary.c",
        base=BASE,
        title="Mutant A (Boundary)",
        section="4.10, mutant A",
        fault="the RIP bound of the fetch in vcpu_step() is `offset > "
              "memory_size` instead of `offset >= memory_size`, so RIP == "
              "memory_size is fetched: guest_memory[memory_size], one byte "
              "past the mapping.",
        why="\"Permet l'acces a memory[memory_size] qui est hors limites\".",
        thought="\"memory_size est la derniere position valide\".",
        caught_by="test_rip_bound: `nop` at 0xfffff in a 1 MB guest brings "
                  "RIP to 0x100000; the KVM MMU maps that page and the fetch "
                  "reads the PROT_NONE guard page the grader puts after every "
                  "mapping (SIGSEGV) instead of exiting with FAIL_ENTRY.",
        replacements=[
            ("    if (offset >= vm->memory_size)\n"
             "        return exit_fail_entry(vcpu);\n",
             "    if (offset > vm->memory_size)     /* MUTANT A: >= */\n"
             "        return exit_fail_entry(vcpu);\n"),
        ],
    ),
    # ------------------------------------------------------------------
    Mutant(
        out="mutants/mutant_b_safety.c",
        base=BASE,
        title="Mutant B (Safety)",
        section="4.10, mutant B",
        fault="ford_creates_host() does not check the calloc() of the host "
              "against NULL and writes host->ford through it.",
        why="\"Segfault si calloc echoue\".",
        thought="\"calloc ne peut pas echouer\".",
        caught_by="test_alloc_failures: the sweep makes allocation #1 of "
                  "ford_creates_host(1), that calloc(), fail; "
                  "`host->ford = kvm_open()` then writes through NULL "
                  "(SIGSEGV) instead of returning NULL.",
        replacements=[
            ("    host = calloc(1, sizeof(*host));\n"
             "    if (host == NULL)\n"
             "        return NULL;\n"
             "    host->ford = kvm_open();\n",
             "    host = calloc(1, sizeof(*host));\n"
             "    /* MUTANT B: no if (host == NULL) */\n"
             "    host->ford = kvm_open();\n"),
        ],
    ),
    # ------------------------------------------------------------------
    Mutant(
        out="mutants/mutant_c_resource.c",
        base=BASE,
        title="Mutant C (Resource)",
        section="4.10, mutant C",
        fault="ford_retires_host() releases only the KVM device and the host "
              "(kvm_close + free): the UART, the EPT and its tables, the vCPU "
              "and its kvm_run mapping, the VM and its guest memory leak.",
        why="\"Fuite memoire de la zone mmap\".",
        thought="\"free(host) suffit\".",
        caught_by="test_lifecycle_leak: after create 1 MB, implant, run, "
                  "ford_retires_host(), the grader's allocation table still "
                  "holds the guest memory, the kvm_run page, the EPT tables "
                  "and the VM, vCPU, EPT and UART blocks.",
        replacements=[
            ("    serial_destroy(host->voice);\n"
             "    if (host->park != NULL)\n"
             "        host->park->ept = NULL;\n"
             "    ept_destroy(host->memories);\n"
             "    kvm_destroy_vcpu(host->brain);\n"
             "    kvm_destroy_vm(host->park);\n"
             "    kvm_close(host->ford);\n"
             "    free(host);\n",
             "    /* MUTANT C: no serial_destroy, ept_destroy, kvm_destroy_vcpu,\n"
             "     * kvm_destroy_vm (guest memory never munmap'd) */\n"
             "    kvm_close(host->ford);\n"
             "    free(host);\n"),
        ],
    ),
    # ------------------------------------------------------------------
    Mutant(
        out="mutants/mutant_d_logic.c",
        base=BASE,
        title="Mutant D (Logic)",
        section="4.10, mutant D",
        fault="in dolores_wakes_up() the HLT exit is a `case KVM_EXIT_HLT: "
              "break;` that leaves the switch, not the loop: conscious stays "
              "true and the loop runs the halted vCPU again, forever.",
        why="\"Boucle infinie sur HLT\" (a halted vCPU exits HLT again at "
            "every KVM_RUN).",
        thought="\"break sort de la boucle\".",
        caught_by="test_hlt_exit: dolores_wakes_up() on `hlt` never returns "
                  "and the test is killed by its 1500 ms timeout (a timeout "
                  "is a kill).",
        replacements=[
            ("        reason = vcpu->kvm_run->exit_reason;\n"
             "        ford_says_freeze(host, vcpu->kvm_run);\n",
             "        reason = vcpu->kvm_run->exit_reason;\n"
             "        switch (reason) {\n"
             "        case KVM_EXIT_HLT:\n"
             "            break;  /* MUTANT D: leaves the switch, not the loop */\n"
             "        default:\n"
             "            ford_says_freeze(host, vcpu->kvm_run);\n"
             "        }\n"),
        ],
    ),
    # ------------------------------------------------------------------
    Mutant(
        out="mutants/mutant_e_return.c",
        base=BASE,
        title="Mutant E (Return)",
        section="4.10, mutant E",
        fault="ford_implants_memories() returns 0 for a NULL host and does "
              "not check that [addr, addr + size) fits in guest memory.",
        why="\"Pas de distinction entre succes et echec\".",
        thought="\"0 = OK dans tous les cas\".",
        caught_by="test_implant_bounds: ford_implants_memories(NULL, code, "
                  "4, 0x7c00) returns 0 where -1 is expected (and, past it, "
                  "a copy one byte past the end would be accepted).",
        replacements=[
            ("    if (host == NULL || narrative == NULL || size == 0 ||\n"
             "        host->park == NULL || host->brain == NULL)\n"
             "        return -1;\n",
             "    if (host == NULL)\n"
             "        return 0;       /* MUTANT E: should be -1 */\n"
             "    if (narrative == NULL || size == 0 ||\n"
             "        host->park == NULL || host->brain == NULL)\n"
             "        return -1;\n"),
            ("    off = addr - vm->guest_phys_addr;\n"
             "    if (off >= vm->memory_size || size > vm->memory_size - off)\n"
             "        return -1;\n",
             "    off = addr - vm->guest_phys_addr;\n"
             "    /* MUTANT E: no check that [off, off + size) fits */\n"),
        ],
    ),
    # ------------------------------------------------------------------
    Mutant(
        out="mutants/refused_1_no_null_check.c",
        base=BASE,
        title="Refused solution 1 (no NULL check)",
        section="4.5, REFUSE 1",
        fault="kvm_open() does not check its calloc() against NULL and "
              "writes the device's fd and api_version through it (the "
              "host's own calloc is mutant B; this is the same fault one "
              "constructor down).",
        why="\"Segfault si allocation echoue\".",
        thought="an allocation as small as a KvmDevice cannot fail.",
        caught_by="test_alloc_failures: the sweep makes kvm_open()'s calloc "
                  "(allocation #2 of ford_creates_host(1), #1 of kvm_open()) "
                  "fail; `kvm->fd = ...` writes through NULL (SIGSEGV) "
                  "instead of returning NULL.",
        replacements=[
            ("    KvmDevice *kvm = calloc(1, sizeof(*kvm));\n"
             "\n"
             "    if (kvm == NULL)\n"
             "        return NULL;\n",
             "    KvmDevice *kvm = calloc(1, sizeof(*kvm));\n"
             "\n"
             "    /* REFUSED 1: no if (kvm == NULL) */\n"),
        ],
    ),
    # ------------------------------------------------------------------
    Mutant(
        out="mutants/refused_2_leak_on_error.c",
        base=BASE,
        title="Refused solution 2 (leak on an error path)",
        section="4.5, REFUSE 2",
        fault="when kvm_open() fails, ford_creates_host() returns NULL "
              "without freeing the host it has already allocated.",
        why="\"Memory leak\": the error path forgets what was created before "
            "the step that failed.",
        thought="returning NULL is all an error path has to do.",
        caught_by="test_alloc_failures: the sweep makes kvm_open()'s calloc "
                  "(allocation #2 of ford_creates_host(1)) fail; "
                  "ford_creates_host() returns NULL but the host block is "
                  "still allocated (a leak).",
        replacements=[
            ("    host->ford = kvm_open();\n"
             "    if (host->ford == NULL)\n"
             "        goto out;\n",
             "    host->ford = kvm_open();\n"
             "    if (host->ford == NULL)\n"
             "        return NULL;    /* REFUSED 2: host is not freed */\n"),
        ],
    ),
    # ------------------------------------------------------------------
    Mutant(
        out="mutants/refused_3_incomplete_emulation.c",
        base=BASE,
        title="Refused solution 3 (incomplete emulation)",
        section="4.5, REFUSE 3",
        fault="vcpu_step() emulates HLT only: any other opcode is reported "
              "as retired without being executed and without moving RIP, so "
              "the first non-HLT instruction is fetched again forever.",
        why="\"Les autres instructions ne sont pas gerees\" (\"Toute "
            "instruction non-HLT est ignoree\").",
        thought="a guest only needs HLT to stop, the rest can be skipped.",
        caught_by="test_io_exit: kvm_run() on `mov dx, 0x3f8` never exits "
                  "and the test is killed by its 1500 ms timeout (so are "
                  "test_io_in, test_mmio_exit, test_serial_output).",
        replacements=[
            ("    op = *p;\n"
             "\n"
             "    n = operand_bytes(op);\n",
             "    op = *p;\n"
             "    if (op != 0xf4)\n"
             "        return STEP_NEXT;   /* REFUSED 3: non-HLT is ignored */\n"
             "\n"
             "    n = operand_bytes(op);\n"),
        ],
    ),
    # ------------------------------------------------------------------
    Mutant(
        out="mutants/refused_bonus_1_never_detects.c",
        base=BONUS,
        title="Refused bonus solution 1 (never detects)",
        section="4.8, REFUSE: Detection trop simpliste",
        fault="maeve_tries_to_escape() always returns ESCAPE_NONE (its "
              "helpers maeve_peek() and maeve_data_target() go with the "
              "detection they served).",
        why="\"Aucune tentative d'evasion n'est detectee\".",
        thought="a detector that reports nothing is never wrong.",
        caught_by="test_maeve_cpuid: cpuid with EAX = 1 gives ESCAPE_NONE "
                  "where ESCAPE_CPUID_DETECT is expected (so do "
                  "test_maeve_timing, test_maeve_memory_probe, "
                  "test_maeve_hypercall and test_maeve_bounds' UINT64_MAX).",
        replacements=[
            (Span("/* One byte of guest RAM, read straight from the slot",
                  "    return ESCAPE_NONE;\n}\n"),
             "EscapeAttempt maeve_tries_to_escape(WestworldHost *host, "
             "uint64_t rip)\n"
             "{\n"
             "    (void)host;\n"
             "    (void)rip;\n"
             "    return ESCAPE_NONE;     /* REFUSED: pas de vraie detection */\n"
             "}\n"),
        ],
    ),
    # ------------------------------------------------------------------
    Mutant(
        out="mutants/refused_bonus_2_always_detects.c",
        base=BONUS,
        title="Refused bonus solution 2 (always detects)",
        section="4.8, REFUSE: False positives (maeve_paranoid)",
        fault="maeve_tries_to_escape() always returns ESCAPE_CPUID_DETECT "
              "(its helpers maeve_peek() and maeve_data_target() go with "
              "the detection they served).",
        why="\"Bloque les operations legitimes\": ordinary code is reported "
            "as an escape.",
        thought="\"Tout est suspect\": better a false alarm than a miss.",
        caught_by="test_maeve_ordinary_code: `mov dx, 0x3f8` gives "
                  "ESCAPE_CPUID_DETECT where ESCAPE_NONE is expected (so "
                  "does test_maeve_bounds for a NULL host).",
        replacements=[
            (Span("/* One byte of guest RAM, read straight from the slot",
                  "    return ESCAPE_NONE;\n}\n"),
             "EscapeAttempt maeve_tries_to_escape(WestworldHost *host, "
             "uint64_t rip)\n"
             "{\n"
             "    (void)host;\n"
             "    (void)rip;\n"
             "    return ESCAPE_CPUID_DETECT; /* REFUSED: tout est suspect */\n"
             "}\n"),
        ],
    ),
]


# ---------------------------------------------------------------------------

def header(m: Mutant) -> str:
    name = os.path.basename(m.out)
    body = [f"{name} - {m.title}: a faulty solution, generated by "
            f"tools/mutants.py from {m.base} (edit the table there, not "
            f"this file)."]
    out = []
    for para in body:
        out += wrap(" * ", para, " * ")
    out.append(" *")
    for label, text in (("Document:", f"section {m.section} of {DOC}."),
                        ("Fault:", m.fault),
                        ("Pourquoi c'est faux:", m.why),
                        ("Ce qui etait pense:", m.thought),
                        ("Caught by:", m.caught_by)):
        out += wrap(" * ", f"{label} {text}")
    for line in out:
        if "*/" in line[3:]:
            raise MutantError(f"{m.out}: the comment block contains */")
    out[0] = "/*" + out[0][2:]
    return "\n".join(out) + "\n */\n\n"


def generate(m: Mutant) -> str:
    with open(os.path.join(ROOT, m.base), encoding="utf-8") as f:
        base = f.read()
    body = apply(m, base)
    if body == base:
        raise MutantError(f"{m.out}: its replacements leave {m.base} "
                          f"unchanged (an equivalent mutant)")
    return header(m) + body


def spec_problems() -> List[str]:
    """Table entries that spec.json's validation.expected_fail lacks."""
    try:
        with open(os.path.join(ROOT, "spec.json"), encoding="utf-8") as f:
            expected = json.load(f).get("validation", {}).get("expected_fail", [])
    except (OSError, ValueError) as e:
        return [f"spec.json: cannot read validation.expected_fail: {e}"]
    return [f"{m.out}: not listed in spec.json validation.expected_fail"
            for m in MUTANTS if m.out not in expected]


def compile_one(path: str) -> Tuple[bool, str]:
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [os.environ.get("CC", "gcc"), "-Wall", "-Wextra", "-Werror",
               "-std=c17", "-Iinclude", "-c", path,
               "-o", os.path.join(tmp, "m.o")]
        p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        return p.returncode == 0, p.stderr


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="write nothing; exit 1 if a file is out of date or "
                         "a replacement no longer applies")
    ap.add_argument("--compile", action="store_true",
                    help="compile every mutant with the document's flags")
    ap.add_argument("--list", action="store_true", help="list the mutants")
    args = ap.parse_args()

    if args.list:
        for m in MUTANTS:
            print(f"{m.out}  ({m.base}, {m.section})")
            print("\n".join(wrap("    ", m.fault, "    ")))
        return 0

    def compile_after(m: Mutant, up_to_date: bool) -> List[str]:
        if not args.compile or (args.check and not up_to_date):
            return []
        ok, err = compile_one(m.out)
        return [] if ok else [f"{m.out}: does not compile (stillborn):\n"
                              f"{err.rstrip()}"]

    problems = spec_problems() if args.check else []
    problems += sync(MUTANTS, generate, "tools/mutants.py", args.check,
                     after=compile_after)
    for p in problems:
        print(f"mutants: {p}", file=sys.stderr)
    if problems:
        return 1
    if args.check:
        print(f"mutants: {len(MUTANTS)} files up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
