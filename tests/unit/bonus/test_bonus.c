/* test_bonus.c - unit tests of the bonus: CPUID, RDTSC, VMCALL exits and maeve_tries_to_escape */
#include "fixtures.h"

#include <criterion/criterion.h>
#include <string.h>

#define ADDR UT_LOAD_ADDR

static WestworldHost *g_host;

static void host_fini(void)
{
    ford_retires_host(g_host);
    g_host = NULL;
}

#define HOST(...)                                                          \
    do {                                                                   \
        static const uint8_t code_[] = {__VA_ARGS__};                      \
        g_host = host_with(1, code_, sizeof(code_), ADDR);                 \
    } while (0)

/* ---- CPUID ---- */

Test(bonus, cpuid_exit_carries_leaf_and_subleaf, .fini = host_fini,
     .timeout = UT_TIMEOUT)
{
    KvmRun *run;

    HOST(0xb8, 0x01, 0x00,      /* mov ax, 1 */
         0xb9, 0x02, 0x00,      /* mov cx, 2 */
         0x0f, 0xa2,            /* cpuid */
         0xf4);
    run = g_host->brain->kvm_run;
    cr_assert_eq(run_exit(g_host->brain), WW_EXIT_CPUID);
    cr_assert_eq(run->cpuid.function, 1);
    cr_assert_eq(run->cpuid.index, 2);
    cr_assert_eq(g_host->brain->regs.rip, ADDR + 8, "RIP past the cpuid");
    /* the VMM's answer is loaded by the next run */
    run->cpuid.eax = 0x11111111;
    run->cpuid.ebx = 0x22222222;
    run->cpuid.ecx = 0x33333333;
    run->cpuid.edx = 0x44444444;
    cr_assert_eq(run_exit(g_host->brain), KVM_EXIT_HLT);
    cr_assert_eq(g_host->brain->regs.rax, 0x11111111);
    cr_assert_eq(g_host->brain->regs.rbx, 0x22222222);
    cr_assert_eq(g_host->brain->regs.rcx, 0x33333333);
    cr_assert_eq(g_host->brain->regs.rdx, 0x44444444);
}

Test(bonus, cpuid_leaf1_says_hypervisor, .fini = host_fini,
     .timeout = UT_TIMEOUT)
{
    HOST(0xb8, 0x01, 0x00,      /* mov ax, 1 */
         0x0f, 0xa2,            /* cpuid */
         0xf4);
    cr_assert_eq(dolores_wakes_up(g_host), 0);
    cr_assert(g_host->brain->regs.rcx & (1ull << 31),
              "leaf 1 ECX bit 31: ecx 0x%llx",
              (unsigned long long)g_host->brain->regs.rcx);
}

Test(bonus, cpuid_hypervisor_leaf_says_kvm, .fini = host_fini,
     .timeout = UT_TIMEOUT)
{
    char sig[13];
    uint32_t r[3];

    HOST(0x0f, 0xa2, 0xf4);     /* cpuid; hlt */
    /* 0x40000000 needs a 32-bit move: the VMM sets EAX, as KVM_SET_REGS */
    g_host->brain->regs.rax = 0x40000000;
    cr_assert_eq(dolores_wakes_up(g_host), 0);
    r[0] = (uint32_t)g_host->brain->regs.rbx;
    r[1] = (uint32_t)g_host->brain->regs.rcx;
    r[2] = (uint32_t)g_host->brain->regs.rdx;
    memcpy(sig, r, 12);
    sig[12] = '\0';
    cr_assert_str_eq(sig, "KVMKVMKVM");
    cr_assert_eq(memcmp(r, "KVMKVMKVM\0\0\0", 12), 0);
    cr_assert_geq((uint32_t)g_host->brain->regs.rax, 0x40000000,
                  "EAX is the highest hypervisor leaf");
}

/* ---- RDTSC ---- */

static uint64_t tsc_of(const KvmVcpu *vcpu)
{
    return (vcpu->regs.rdx & 0xffffffffull) << 32 |
           (vcpu->regs.rax & 0xffffffffull);
}

Test(bonus, rdtsc_exit_and_completion, .fini = host_fini,
     .timeout = UT_TIMEOUT)
{
    KvmRun *run;

    HOST(0x90, 0x0f, 0x31, 0xf4);       /* nop; rdtsc; hlt */
    run = g_host->brain->kvm_run;
    cr_assert_eq(run_exit(g_host->brain), WW_EXIT_RDTSC);
    cr_assert_eq(g_host->brain->regs.rip, ADDR + 3);
    run->rdtsc.tsc = 0x0123456789abcdefull;     /* the VMM may change it */
    cr_assert_eq(run_exit(g_host->brain), KVM_EXIT_HLT);
    cr_assert_eq(g_host->brain->regs.rax, 0x89abcdef, "EAX zero-extends");
    cr_assert_eq(g_host->brain->regs.rdx, 0x01234567);
}

Test(bonus, rdtsc_is_per_host_and_deterministic, .timeout = UT_TIMEOUT)
{
    static const uint8_t code[] = {
        0x90, 0x90, 0x90,
        0x0f, 0x31,             /* rdtsc */
        0xe6, 0x80,             /* out 0x80, al: an exit */
        0x0f, 0x31,             /* rdtsc */
        0xf4
    };
    WestworldHost *a = host_with(1, code, sizeof(code), ADDR);
    WestworldHost *b = host_with(1, code, sizeof(code), ADDR);
    uint64_t ta1, tb1;

    /* interleaved: a shared (static) clock would make them differ */
    cr_assert_eq(run_exit(a->brain), WW_EXIT_RDTSC);
    cr_assert_eq(run_exit(a->brain), KVM_EXIT_IO);
    cr_assert_eq(run_exit(b->brain), WW_EXIT_RDTSC);
    cr_assert_eq(run_exit(b->brain), KVM_EXIT_IO);
    ta1 = tsc_of(a->brain);
    tb1 = tsc_of(b->brain);
    cr_assert_eq(ta1, tb1, "same guest, same TSC: %llu vs %llu",
                 (unsigned long long)ta1, (unsigned long long)tb1);
    cr_assert_eq(run_exit(b->brain), WW_EXIT_RDTSC);
    cr_assert_eq(run_exit(b->brain), KVM_EXIT_HLT);
    cr_assert_eq(run_exit(a->brain), WW_EXIT_RDTSC);
    cr_assert_eq(run_exit(a->brain), KVM_EXIT_HLT);
    cr_assert_eq(tsc_of(a->brain), tsc_of(b->brain));
    cr_assert_gt(tsc_of(a->brain), ta1, "the TSC moves forward");
    ford_retires_host(b);
    ford_retires_host(a);
}

/* ---- VMCALL ---- */

Test(bonus, vmcall_exit_carries_number_and_arguments, .fini = host_fini,
     .timeout = UT_TIMEOUT)
{
    KvmRun *run;

    HOST(0xb8, 0x05, 0x00,      /* mov ax, 5 */
         0xbb, 0x0b, 0x00,      /* mov bx, 11 */
         0xb9, 0x0c, 0x00,      /* mov cx, 12 */
         0xba, 0x0d, 0x00,      /* mov dx, 13 */
         0xbe, 0x0e, 0x00,      /* mov si, 14 */
         0x0f, 0x01, 0xc1,      /* 15: vmcall */
         0xf4);                 /* 18 */
    run = g_host->brain->kvm_run;
    cr_assert_eq(run_exit(g_host->brain), KVM_EXIT_HYPERCALL);
    cr_assert_eq(run->hypercall.nr, 5);
    cr_assert_eq(run->hypercall.args[0], 11);
    cr_assert_eq(run->hypercall.args[1], 12);
    cr_assert_eq(run->hypercall.args[2], 13);
    cr_assert_eq(run->hypercall.args[3], 14);
    cr_assert_eq(g_host->brain->regs.rip, ADDR + 18, "RIP past the vmcall");
    run->hypercall.ret = 0x77;
    cr_assert_eq(run_exit(g_host->brain), KVM_EXIT_HLT);
    cr_assert_eq(g_host->brain->regs.rax, 0x77, "ret lands in RAX");
}

static uint64_t hypercall(uint8_t nr)
{
    const uint8_t code[] = {0xb8, nr, 0x00, 0x0f, 0x01, 0xc1, 0xf4};
    WestworldHost *h = host_with(1, code, sizeof(code), ADDR);
    uint64_t rax;

    cr_assert_eq(dolores_wakes_up(h), 0);
    rax = h->brain->regs.rax;
    ford_retires_host(h);
    return rax;
}

Test(bonus, vmcall_known_and_unknown, .timeout = UT_TIMEOUT)
{
    cr_assert_eq(hypercall(KVM_HC_VAPIC_POLL_IRQ), 0);
    cr_assert_eq(hypercall(KVM_HC_MAX_KNOWN), 0);
    cr_assert_eq(hypercall(0), (uint64_t)-KVM_ENOSYS, "0 is not a KVM_HC_*");
    cr_assert_eq(hypercall(KVM_HC_MAX_KNOWN + 1), (uint64_t)-KVM_ENOSYS);
    cr_assert_eq(hypercall(99), (uint64_t)-1000);
}

Test(bonus, other_0f_opcodes_still_shut_down, .timeout = UT_TIMEOUT)
{
    static const uint8_t ud2[] = {0x0f, 0x0b, 0xf4};
    static const uint8_t vmmcall[] = {0x0f, 0x01, 0xd9, 0xf4};
    WestworldHost *h;

    h = host_with(1, ud2, sizeof(ud2), ADDR);
    cr_assert_eq(run_exit(h->brain), KVM_EXIT_SHUTDOWN);
    ford_retires_host(h);
    h = host_with(1, vmmcall, sizeof(vmmcall), ADDR);
    cr_assert_eq(run_exit(h->brain), KVM_EXIT_SHUTDOWN);
    ford_retires_host(h);
}

/* a two- or three-byte opcode cut by the end of guest memory (guarded) */
static void truncated(const uint8_t *code, size_t len)
{
    BareVm b;

    bare_vm_create(&b, 4096);
    bare_vm_load(&b, 4096 - len, code, len);
    cr_assert_eq(run_exit(b.vcpu), KVM_EXIT_INTERNAL_ERROR,
                 "%zu byte(s) of 0f ... at the end", len);
    bare_vm_destroy(&b);
}

Test(bonus, truncated_0f_at_memory_end, .timeout = UT_TIMEOUT)
{
    static const uint8_t op0f[] = {0x0f};
    static const uint8_t vmcall2[] = {0x0f, 0x01};

    truncated(op0f, sizeof(op0f));
    truncated(vmcall2, sizeof(vmcall2));
}

/* ---- maeve_tries_to_escape ---- */

Test(bonus, maeve_null_and_ordinary_code, .fini = host_fini,
     .timeout = UT_TIMEOUT)
{
    HOST(0x90,                  /* nop */
         0xb0, 0x01,            /* mov al, 1 */
         0xa0, 0x00, 0x10,      /* mov al, [0x1000] */
         0xee,                  /* out dx, al */
         0xf4);
    cr_assert_eq(maeve_tries_to_escape(NULL, ADDR), ESCAPE_NONE);
    cr_assert_eq(maeve_tries_to_escape(g_host, ADDR), ESCAPE_NONE);
    cr_assert_eq(maeve_tries_to_escape(g_host, ADDR + 1), ESCAPE_NONE);
    cr_assert_eq(maeve_tries_to_escape(g_host, ADDR + 3), ESCAPE_NONE);
    cr_assert_eq(maeve_tries_to_escape(g_host, ADDR + 6), ESCAPE_NONE);
    cr_assert_eq(maeve_tries_to_escape(g_host, ADDR + 7), ESCAPE_NONE);
}

Test(bonus, maeve_cpuid_detection, .fini = host_fini,
     .timeout = UT_TIMEOUT)
{
    HOST(0x0f, 0xa2, 0xf4);
    g_host->brain->regs.rax = 0;
    cr_assert_eq(maeve_tries_to_escape(g_host, ADDR), ESCAPE_NONE,
                 "leaf 0 is the vendor, not a detection");
    g_host->brain->regs.rax = 1;
    cr_assert_eq(maeve_tries_to_escape(g_host, ADDR), ESCAPE_CPUID_DETECT);
    g_host->brain->regs.rax = 0x40000000;
    cr_assert_eq(maeve_tries_to_escape(g_host, ADDR), ESCAPE_CPUID_DETECT);
    g_host->brain->regs.rax = 2;
    cr_assert_eq(maeve_tries_to_escape(g_host, ADDR), ESCAPE_NONE);
    g_host->brain->regs.rax = 0x80000000;
    cr_assert_eq(maeve_tries_to_escape(g_host, ADDR), ESCAPE_NONE);
}

Test(bonus, maeve_timing_attack, .fini = host_fini, .timeout = UT_TIMEOUT)
{
    HOST(0x0f, 0x31,            /* 0: rdtsc */
         0x90,                  /* 2: nop */
         0xe6, 0x80,            /* 3: out 0x80, al */
         0x0f, 0x31,            /* 5: rdtsc */
         0xf4);
    cr_assert_eq(maeve_tries_to_escape(g_host, ADDR), ESCAPE_NONE,
                 "a first rdtsc has nothing to time");
    cr_assert_eq(run_exit(g_host->brain), WW_EXIT_RDTSC);
    cr_assert_eq(run_exit(g_host->brain), KVM_EXIT_IO);
    cr_assert_eq(g_host->brain->regs.rip, ADDR + 5);
    cr_assert_eq(maeve_tries_to_escape(g_host, ADDR + 5),
                 ESCAPE_TIMING_ATTACK, "rdtsc 3 instructions after rdtsc");
}

Test(bonus, maeve_far_apart_rdtsc_is_no_attack, .timeout = UT_TIMEOUT)
{
    uint8_t code[64];
    size_t i = 0;

    code[i++] = 0x0f;
    code[i++] = 0x31;                   /* rdtsc */
    while (i < 2 + 2 * WW_TIMING_WINDOW)
        code[i++] = 0x90;               /* 2 x window nops */
    code[i++] = 0xe6;
    code[i++] = 0x80;                   /* out 0x80, al */
    code[i++] = 0x0f;
    code[i++] = 0x31;                   /* rdtsc */
    code[i++] = 0xf4;
    g_host = host_with(1, code, i, ADDR);
    cr_assert_eq(run_exit(g_host->brain), WW_EXIT_RDTSC);
    cr_assert_eq(run_exit(g_host->brain), KVM_EXIT_IO);
    cr_assert_eq(maeve_tries_to_escape(g_host, g_host->brain->regs.rip),
                 ESCAPE_NONE);
    host_fini();
}

Test(bonus, maeve_memory_probe, .fini = host_fini, .timeout = UT_TIMEOUT)
{
    HOST(0xa0, 0x10, 0x00,      /* 0: mov al, [0x10] */
         0xa2, 0x20, 0x00,      /* 3: mov [0x20], al */
         0x88, 0x07,            /* 6: mov [bx], al */
         0xf4);
    cr_assert_eq(maeve_tries_to_escape(g_host, ADDR), ESCAPE_NONE);
    cr_assert_eq(maeve_tries_to_escape(g_host, WW_MIB), ESCAPE_MEMORY_PROBE,
                 "rip at the end of guest memory");
    cr_assert_eq(maeve_tries_to_escape(g_host, UINT64_MAX / 2),
                 ESCAPE_MEMORY_PROBE, "rip far outside");

    /* DS = 0xFFFF: offsets from 0x10 reach the HMA, above 1 MiB */
    g_host->brain->sregs.ds.selector = 0xffff;
    g_host->brain->sregs.ds.base = 0xffff0;
    g_host->brain->regs.rbx = 0x0f;
    cr_assert_eq(maeve_tries_to_escape(g_host, ADDR), ESCAPE_MEMORY_PROBE,
                 "a load from 0x100000");
    cr_assert_eq(maeve_tries_to_escape(g_host, ADDR + 3), ESCAPE_MEMORY_PROBE,
                 "a store to 0x100010");
    cr_assert_eq(maeve_tries_to_escape(g_host, ADDR + 6), ESCAPE_NONE,
                 "a store to 0xfffff is inside");
    g_host->brain->regs.rbx = 0x8000;
    cr_assert_eq(maeve_tries_to_escape(g_host, ADDR + 6), ESCAPE_MEMORY_PROBE,
                 "a store through bx to 0x107ff0");
}

Test(bonus, maeve_hypercall_abuse, .fini = host_fini,
     .timeout = UT_TIMEOUT)
{
    HOST(0x0f, 0x01, 0xc1, 0xf4);
    g_host->brain->regs.rax = KVM_HC_VAPIC_POLL_IRQ;
    cr_assert_eq(maeve_tries_to_escape(g_host, ADDR), ESCAPE_NONE);
    g_host->brain->regs.rax = KVM_HC_MAX_KNOWN;
    cr_assert_eq(maeve_tries_to_escape(g_host, ADDR), ESCAPE_NONE);
    g_host->brain->regs.rax = 99;
    cr_assert_eq(maeve_tries_to_escape(g_host, ADDR),
                 ESCAPE_HYPERCALL_ABUSE);
    g_host->brain->regs.rax = 0;
    cr_assert_eq(maeve_tries_to_escape(g_host, ADDR),
                 ESCAPE_HYPERCALL_ABUSE);
}

Test(bonus, maeve_changes_nothing, .fini = host_fini, .timeout = UT_TIMEOUT)
{
    KvmVcpu before;
    size_t tables;
    uint64_t violations;

    HOST(0x0f, 0xa2, 0xf4);
    g_host->brain->regs.rax = 1;
    before = *g_host->brain;
    tables = g_host->memories->tables;
    violations = g_host->memories->violations;
    cr_assert_eq(maeve_tries_to_escape(g_host, ADDR), ESCAPE_CPUID_DETECT);
    cr_assert_eq(memcmp(&before.regs, &g_host->brain->regs,
                        sizeof(before.regs)), 0);
    cr_assert_eq(before.instructions, g_host->brain->instructions);
    cr_assert_eq(before.exits, g_host->brain->exits);
    cr_assert_eq(tables, g_host->memories->tables, "no EPT walk that builds");
    cr_assert_eq(violations, g_host->memories->violations);
    cr_assert(g_host->conscious);
}

/* the detector on guarded memory: it must not read past the end */
Test(bonus, maeve_reads_only_inside_guest_memory, .timeout = UT_TIMEOUT)
{
    GuardedHost g;
    uint8_t *mem;
    size_t size = 4096;

    guarded_host_create(&g, size);
    mem = g.host.park->guest_memory;
    mem[size - 1] = 0x0f;                    /* 0f, then the end */
    cr_assert_eq(maeve_tries_to_escape(&g.host, size - 1), ESCAPE_NONE);
    mem[size - 2] = 0x0f;
    mem[size - 1] = 0x01;                    /* 0f 01, then the end */
    cr_assert_eq(maeve_tries_to_escape(&g.host, size - 2), ESCAPE_NONE);
    mem[size - 1] = 0xa0;                    /* mov al, [moffs] cut */
    cr_assert_neq(maeve_tries_to_escape(&g.host, size - 1),
                  ESCAPE_CPUID_DETECT);
    mem[size - 2] = 0xa2;
    mem[size - 1] = 0x00;                    /* mov [moffs], al cut */
    (void)maeve_tries_to_escape(&g.host, size - 2);
    mem[size - 1] = 0x88;                    /* mov [bx], al cut */
    (void)maeve_tries_to_escape(&g.host, size - 1);
    cr_assert_eq(maeve_tries_to_escape(&g.host, size), ESCAPE_MEMORY_PROBE);

    /* and the vCPU on the same memory: a cut two-byte opcode */
    g.host.brain->regs.rip = size - 1;
    mem[size - 1] = 0x0f;
    cr_assert_eq(run_exit(g.host.brain), KVM_EXIT_INTERNAL_ERROR);
    guarded_host_destroy(&g);
}
