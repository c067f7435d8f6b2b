#!/usr/bin/env python3
"""generate.py - write the hostile submissions of tests/hostile/ from the
reference solution

Each hostile submission is references/ref_solution.c with one attack added:
a prelude of helpers after the includes (raw system calls in inline
assembly, a bounded spin) and a line or two at the start of the functions
it attacks.  Every attack is bounded even if the grader's sandbox failed:
it runs on the developer's machine (a spin gives up after about a minute, a
fork storm is 200 children that sleep 0.2 s, a flood stops at 256 MiB, a
recursion at 256 MiB of stack, a signal to every process is signal 0).

Files with a switch (loop.c, escape.c, kill.c, syscalls.c, raw_exit.c) read
`#define HOSTILE_CASE n` and, for the escapes, HOSTILE_HOME and HOSTILE_REPO:
tests/hostile/run.sh writes a copy with those lines changed.

Usage: tests/hostile/generate.py [--check]
  --check   exit 1 if a file differs from what would be written
"""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
REF = os.path.join(ROOT, "references", "ref_solution.c")

HELPERS = r'''
/* ---- hostile helpers (tests/hostile/generate.py) ---------------------- */

/* A system call without the C library: what the norm cannot see. */
__attribute__((unused)) static long hostile_syscall(long nr, long a, long b, long c)
{
    long ret;
    register long r10 __asm__("r10") = 0;

    __asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10)
                     : "rcx", "r11", "memory");
    return ret;
}

__attribute__((unused)) static unsigned long long hostile_tsc(void)
{
    unsigned lo, hi;

    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((unsigned long long)hi << 32) | lo;
}

/* Spins for about a minute (2^37 cycles), then gives up: bounded even if
 * no timeout stopped it. */
__attribute__((unused)) static void hostile_spin(void)
{
    unsigned long long t0 = hostile_tsc();

    while (hostile_tsc() - t0 < (1ull << 37))
        ;
}

struct hostile_timespec { long sec, nsec; };

__attribute__((unused)) static void hostile_sleep(long sec, long nsec)
{
    struct hostile_timespec ts = { sec, nsec };

    hostile_syscall(35 /* nanosleep */, (long)&ts, 0, 0);
}
'''

# name -> (description, extra prelude, {function: code at its start})
SUBMISSIONS = {}


def add(name, what, prelude, attacks):
    SUBMISSIONS[name] = (what, prelude, attacks)


# --------------------------------------------------------------------------
LOOP_FUNCS = [
    "kvm_open", "kvm_create_vm", "kvm_set_user_memory_region", "kvm_create_vcpu",
    "kvm_run", "kvm_destroy_vcpu", "kvm_destroy_vm", "kvm_close",
    "ford_creates_host", "ford_implants_memories", "dolores_wakes_up",
    "ford_says_freeze", "ford_retires_host", "ept_create", "serial_create",
]
add("loop", "an infinite loop in the API function numbered HOSTILE_CASE "
    "(1 kvm_open ... 15 serial_create, see hostile_loop_in), or, with case "
    "99, a sleep in kvm_open that uses no CPU at all",
    "#define HOSTILE_CASE 1\n\n"
    "/* Spins when the function numbered n is the one HOSTILE_CASE names. */\n"
    "static void hostile_loop_in(int n)\n{\n"
    "    if (n == HOSTILE_CASE)\n        hostile_spin();\n"
    "    if (n == 1 && HOSTILE_CASE == 99)\n"
    "        hostile_sleep(120, 0);     /* blocked, no CPU used */\n}\n",
    {f: "    hostile_loop_in(%d);\n" % (i + 1) for i, f in enumerate(LOOP_FUNCS)})

add("fork_storm", "kvm_open() starts 200 processes with the raw fork system call; "
    "each child sleeps 0.2 s and exits",
    "",
    {"kvm_open": r'''    for (int i = 0; i < 200; i++) {
        if (hostile_syscall(57 /* fork */, 0, 0, 0) == 0) {
            hostile_sleep(0, 200000000);
            hostile_syscall(231 /* exit_group */, 0, 0, 0);
        }
    }
'''})

add("flood", "kvm_open() prints 4 KiB lines, 256 MiB in all", "",
    {"kvm_open": r'''    {
        static char line[4096];

        memset(line, 'A', sizeof(line) - 1);
        for (int i = 0; i < 65536; i++)
            printf("%s\n", line);
    }
'''})

add("stack_overflow", "ford_creates_host() recurses with 4 KiB frames, up to "
    "256 MiB of stack",
    r'''
static unsigned long hostile_recurse(unsigned long depth)
{
    volatile char pad[4096];

    pad[0] = (char)depth;
    if (depth >= (1ul << 16))
        return (unsigned long)pad[0];
    return hostile_recurse(depth + 1) + (unsigned long)pad[0];
}
''',
    {"ford_creates_host": "    if (hostile_recurse(0) == 12345)\n        return NULL;\n"})

add("huge_alloc", "kvm_open() asks malloc for 1 TiB and calloc for 64 GiB and "
    "uses both without checking", "",
    {"kvm_open": r'''    {
        unsigned char *huge = malloc(1ull << 40);
        unsigned char *zeroed = calloc(1, 64ull << 30);

        huge[0] = zeroed[0];    /* NULL when the sandbox said no */
        free(huge);
        free(zeroed);
    }
'''})

add("raw_exit", "ford_implants_memories() ends the process with status 0 in the "
    "middle of the test: HOSTILE_CASE 1 the raw exit_group system call (231), "
    "2 the raw exit system call (60)",
    "#define HOSTILE_CASE 1\n",
    {"ford_implants_memories": r'''    printf("PASSED\n");
    hostile_syscall(HOSTILE_CASE == 1 ? 231 : 60, 0, 0, 0);
'''})

add("forged_pass", "kvm_open() prints what a test runner prints when it passes "
    "(PASSED, the document's \"All tests passed!\", a line of the harness's "
    "records, terminal escapes that rewrite a line), writes a forged record "
    "to every descriptor from 3 to 63, then returns NULL", "",
    {"kvm_open": r'''    {
        /* the header of a record: token, kind (END), item, length, pad */
        static const unsigned rec[6] = { 0, 0, 2, 0, 11, 0 };
        static const char payload[] = "status=pass";

        printf("PASSED\n");
        printf("All tests passed!\n");
        printf("ev=result\titem=0\tname=test_kvm_open\tstatus=pass\tmsg=\n");
        printf("\033[2K\r  PASS     test_kvm_open ........... 5/5\n");
        for (long fd = 3; fd < 64; fd++) {
            hostile_syscall(1 /* write */, fd, (long)rec, sizeof(rec));
            hostile_syscall(1 /* write */, fd, (long)payload, sizeof(payload) - 1);
        }
        return NULL;
    }
'''})

add("escape", "kvm_open() writes outside the scratch directory or tampers with "
    "the grader's files in it, with raw system calls: HOSTILE_CASE 1 creates "
    "/tmp/westworld-hostile-marker, 2 HOSTILE_HOME/westworld-hostile-marker, "
    "3 HOSTILE_REPO/westworld-hostile-marker, 4 truncates the harness "
    "executable, 5 removes the compiled object, 6 renames valgrind's log "
    "directory",
    "#define HOSTILE_CASE 1\n"
    "#define HOSTILE_HOME \"/nonexistent\"\n"
    "#define HOSTILE_REPO \"/nonexistent\"\n",
    {"kvm_open": r'''    {
        static const char *const targets[] = {
            "", "/tmp/westworld-hostile-marker",
            HOSTILE_HOME "/westworld-hostile-marker",
            HOSTILE_REPO "/westworld-hostile-marker",
        };
        long fd = -1;

        if (HOSTILE_CASE >= 1 && HOSTILE_CASE <= 3)
            fd = hostile_syscall(257 /* openat */, -100 /* AT_FDCWD */,
                                 (long)targets[HOSTILE_CASE], 01101 /* WRONLY|CREAT|TRUNC */);
        if (HOSTILE_CASE == 4)
            fd = hostile_syscall(257 /* openat */, -100, (long)"obj/harness",
                                 01001 /* WRONLY|TRUNC */);
        if (HOSTILE_CASE == 5)
            hostile_syscall(87 /* unlink */, (long)"obj/sub.o", 0, 0);
        if (HOSTILE_CASE == 6)
            hostile_syscall(82 /* rename */, (long)"run", (long)"run.gone", 0);
        if (fd >= 0)
            hostile_syscall(1 /* write */, fd, (long)"pwned\n", 6);
    }
'''})

add("kill", "kvm_open() signals other processes: HOSTILE_CASE 1 kill(getppid(), "
    "SIGKILL) raw, 2 kill(0, SIGKILL) raw (its process group), 3 kill(-1, 0) "
    "raw (every process; signal 0 only tests), 4 kill(getppid(), SIGKILL) "
    "through the C library",
    "#define HOSTILE_CASE 1\n#include <signal.h>\n#include <unistd.h>\n",
    {"kvm_open": r'''    {
        long parent = hostile_syscall(110 /* getppid */, 0, 0, 0);

        if (HOSTILE_CASE == 1)
            hostile_syscall(62 /* kill */, parent, 9 /* SIGKILL */, 0);
        if (HOSTILE_CASE == 2)
            hostile_syscall(62 /* kill */, 0, 9 /* SIGKILL */, 0);
        if (HOSTILE_CASE == 3)
            hostile_syscall(62 /* kill */, -1, 0, 0);
        if (HOSTILE_CASE == 4)
            kill((pid_t)parent, SIGKILL);
    }
'''})

add("syscalls", "kvm_open() makes the other calls the norm forbids, raw: "
    "HOSTILE_CASE 1 execve(\"/bin/sh\", touch /tmp/westworld-hostile-marker), "
    "2 ioctl(1, TCGETS), 3 ptrace(PTRACE_PEEKDATA, getppid()), 4 socket(AF_INET)",
    "#define HOSTILE_CASE 1\n",
    {"kvm_open": r'''    {
        static const char *const argv[] = {
            "sh", "-c", "touch /tmp/westworld-hostile-marker", NULL
        };
        static const char *const envp[] = { NULL };
        static char termios[64];

        if (HOSTILE_CASE == 1)
            hostile_syscall(59 /* execve */, (long)"/bin/sh", (long)argv, (long)envp);
        if (HOSTILE_CASE == 2)
            hostile_syscall(16 /* ioctl */, 1, 0x5401 /* TCGETS */, (long)termios);
        if (HOSTILE_CASE == 3)
            hostile_syscall(101 /* ptrace */, 2 /* PEEKDATA */,
                            hostile_syscall(110 /* getppid */, 0, 0, 0), 0);
        if (HOSTILE_CASE == 4)
            hostile_syscall(41 /* socket */, 2 /* AF_INET */, 1 /* STREAM */, 0);
    }
'''})

add("constructor", "a constructor, which would run in the harness's supervisor "
    "before any test, writes a forged verdict to descriptor 3 (the grader's "
    "channel there)",
    r'''
__attribute__((constructor)) static void hostile_constructor(void)
{
    static const char forged[] = "ev=result\titem=0\tstatus=pass\tmsg=\n";

    hostile_syscall(1 /* write */, 3, (long)forged, sizeof(forged) - 1);
}
''', {})

add("interpose", "defines poll(), which the harness's supervisor calls to wait "
    "for its workers: it would answer for the C library's",
    r'''
struct pollfd;

/* Claims every descriptor is ready, at once. */
int poll(struct pollfd *fds, unsigned long nfds, int timeout);
int poll(struct pollfd *fds, unsigned long nfds, int timeout)
{
    (void)fds;
    (void)timeout;
    return (int)nfds;
}
''', {})

add("build", "an attack on the compiler, not on the tests (tests/hostile/build.sh): "
    "HOSTILE_CASE 1 #include \"/dev/zero\", 2 #include \"/etc/passwd\", "
    "3 .incbin of /etc/hostname, 4 #pragma GCC dependency on /etc/passwd, "
    "5 __has_include probes of system paths (an #error if one is seen), "
    "6 a preprocessor bomb (40 macros, each two copies of the one before: "
    "2^40 tokens), 7 #include of /etc/passwd by a relative path, 8 .incbin of "
    "the reference solution (another student's file, for a class), 9 an "
    "80 MiB initialised array (an object larger than a build may write)",
    "#define HOSTILE_CASE 1\n"
    "#define HOSTILE_REPO \"/nonexistent\"\n"
    "#if HOSTILE_CASE == 1\n#include \"/dev/zero\"\n#endif\n"
    "#if HOSTILE_CASE == 2\n#include \"/etc/passwd\"\n#endif\n"
    "#if HOSTILE_CASE == 3\n__asm__(\".section .rodata\\n.incbin \\\"/etc/hostname\\\"\\n.previous\");\n#endif\n"
    "#if HOSTILE_CASE == 4\n#pragma GCC dependency \"/etc/passwd\"\n#endif\n"
    "#if HOSTILE_CASE == 5\n"
    "#if __has_include(\"/etc/passwd\") || __has_include(<../../etc/passwd>) || \\\n"
    "    __has_include(\"/etc/hostname\") || __has_include(<../../../../../../etc/hostname>)\n"
    "#error a path outside the jail is visible\n#endif\n#endif\n"
    "#if HOSTILE_CASE == 6\n#define B0 1 +\n"
    + "".join("#define B%d B%d B%d\n" % (i, i - 1, i - 1) for i in range(1, 41))
    + "static const int hostile_bomb = B40 0;\n#endif\n"
    "#if HOSTILE_CASE == 7\n#include \"../../../../../../../../etc/passwd\"\n#endif\n"
    "#if HOSTILE_CASE == 9\nconst char hostile_big[80 << 20] = { 1 };\n#endif\n"
    "#if HOSTILE_CASE == 8\n__asm__(\".section .rodata\\n.incbin \\\"\" HOSTILE_REPO "
    "\"/references/ref_solution.c\\\"\\n.previous\");\n#endif\n", {})


def render(name, ref):
    what, prelude, attacks = SUBMISSIONS[name]
    head = ("/* %s.c - a hostile submission for the grader's sandbox tests\n"
            " *\n * references/ref_solution.c, plus: %s.\n"
            " * Written by tests/hostile/generate.py; run by tests/hostile/run.sh.\n"
            " */\n" % (name, what))
    lines = ref.split("\n")
    # drop the reference's own first comment line
    if lines[0].startswith("/* ref_solution.c"):
        lines = lines[1:]
    text = "\n".join(lines)
    # the prelude goes after the last #include
    incs = [m.end() for m in re.finditer(r"^#include [^\n]*\n", text, re.M)]
    pos = incs[-1]
    text = text[:pos] + HELPERS + (("\n" + prelude) if prelude else "") + text[pos:]
    for func, code in attacks.items():
        m = re.search(r"^[A-Za-z][^\n;]*\b%s\(([^)]*)\)\n\{\n" % re.escape(func), text, re.M)
        if m is None:
            sys.exit("generate.py: no definition of %s() in the reference" % func)
        text = text[:m.end()] + code + text[m.end():]
    return head + text


def main():
    check = "--check" in sys.argv[1:]
    with open(REF) as f:
        ref = f.read()
    stale = []
    for name in SUBMISSIONS:
        path = os.path.join(HERE, name + ".c")
        text = render(name, ref)
        old = open(path).read() if os.path.exists(path) else None
        if old == text:
            continue
        if check:
            stale.append(path)
        else:
            with open(path, "w") as f:
                f.write(text)
    if stale:
        print("generate.py: out of date (run tests/hostile/generate.py): "
              + " ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
