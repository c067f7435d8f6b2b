/* test_bits_host.c - bt, bts, btr, btc, bsf, bsr, bswap: the core against the host */
#include "core_fixture.h"
#include "x86/alu.h"

#include <criterion/criterion.h>
#include <string.h>

TestSuite(bits_host, .init = core_setup, .fini = core_teardown);

static const uint32_t samples[] = {
    0, 1, 0x80, 0x8000, 0x10000, 0x12345678, 0x80000000, 0xffffffff,
    0xdeadbeef, 0x00f0f000
};
#define NSAMPLES (sizeof(samples) / sizeof(samples[0]))

/* the host's bt-family on a register: kind 0 bt, 1 bts, 2 btr, 3 btc */
static uint32_t host_bt(unsigned kind, uint32_t v, uint32_t off,
                        uint64_t *fout)
{
    uint64_t fo, fin = 0x2 | X86_ZF;

    switch (kind) {
    case 0:
        __asm__("pushq %[fi]\n\tpopfq\n\tbtl %[o], %[v]\n\tpushfq\n\t"
                "popq %[fo]" : [v] "+r"(v), [fo] "=&r"(fo)
                : [o] "r"(off), [fi] "r"(fin) : "cc");
        break;
    case 1:
        __asm__("pushq %[fi]\n\tpopfq\n\tbtsl %[o], %[v]\n\tpushfq\n\t"
                "popq %[fo]" : [v] "+r"(v), [fo] "=&r"(fo)
                : [o] "r"(off), [fi] "r"(fin) : "cc");
        break;
    case 2:
        __asm__("pushq %[fi]\n\tpopfq\n\tbtrl %[o], %[v]\n\tpushfq\n\t"
                "popq %[fo]" : [v] "+r"(v), [fo] "=&r"(fo)
                : [o] "r"(off), [fi] "r"(fin) : "cc");
        break;
    default:
        __asm__("pushq %[fi]\n\tpopfq\n\tbtcl %[o], %[v]\n\tpushfq\n\t"
                "popq %[fo]" : [v] "+r"(v), [fo] "=&r"(fo)
                : [o] "r"(off), [fi] "r"(fin) : "cc");
        break;
    }
    *fout = fo;
    return v;
}

Test(bits_host, bt_family_registers)
{
    static const uint8_t ops[4] = { 0xa3, 0xab, 0xb3, 0xbb };
    unsigned kind, off;
    size_t i;

    for (kind = 0; kind < 4; kind++) {
        for (i = 0; i < NSAMPLES; i++) {
            for (off = 0; off < 40; off += 3) {
                /* 66 0f xx c8: bt* eax, ecx; 66 0f ba /4+k ib */
                uint8_t reg[4] = { 0x66, 0x0f, ops[kind], 0xc8 };
                uint8_t imm[5] = { 0x66, 0x0f, 0xba,
                                   (uint8_t)(0xc0 | (4 + kind) << 3),
                                   (uint8_t)off };
                uint64_t fwant;
                uint32_t want = host_bt(kind, samples[i], off, &fwant);
                int form;

                for (form = 0; form < 2; form++) {
                    tc.vcpu.regs.rip = CORE_CODE;
                    tc.vcpu.regs.rax = samples[i];
                    tc.vcpu.regs.rcx = off;
                    tc.vcpu.regs.rflags = 0x2 | X86_ZF;
                    if (form == 0)
                        core_load(reg, 4);
                    else
                        core_load(imm, 5);
                    cr_assert_eq(core_run(1), X86_BUDGET);
                    cr_assert_eq((uint32_t)tc.vcpu.regs.rax, want,
                                 "bt kind %u of 0x%x, bit %u (form %d)",
                                 kind, samples[i], off, form);
                    cr_assert_eq(tc.vcpu.regs.rflags & (X86_CF | X86_ZF),
                                 fwant & (X86_CF | X86_ZF));
                }
            }
        }
    }
}

/* bts [mem], reg: the offset, signed, reaches below and past the word */
Test(bits_host, bt_bit_string_in_memory)
{
    static const int32_t offs[] = { 0, 5, 31, 32, 45, 100, -1, -33, -64 };
    uint32_t host[8], i, *base = &host[4];
    size_t k;

    for (k = 0; k < sizeof(offs) / sizeof(offs[0]); k++) {
        /* 66 0f ab 0f: bts dword [bx], ecx */
        static const uint8_t code[] = { 0x66, 0x0f, 0xab, 0x0f };

        memset(host, 0, sizeof(host));
        memset(tc.mem + 0x2000, 0, 32);
        __asm__("btsl %1, %0" : "+m"(*base) : "r"(offs[k]) : "cc", "memory");
        tc.vcpu.regs.rip = CORE_CODE;
        tc.vcpu.regs.rbx = 0x2010;              /* host[4]'s twin */
        tc.vcpu.regs.rcx = (uint32_t)offs[k];
        core_load(code, sizeof(code));
        cr_assert_eq(core_run(1), X86_BUDGET);
        for (i = 0; i < 8; i++)
            cr_assert_eq(core_peek(0x2000 + 4 * i, 4), host[i],
                         "bts [bx], %d: dword %u", offs[k], i);
    }
}

Test(bits_host, bsf_bsr_bswap)
{
    size_t i;

    for (i = 0; i < NSAMPLES; i++) {
        static const uint8_t bsf[] = { 0x66, 0x0f, 0xbc, 0xc3 };
        static const uint8_t bsr[] = { 0x66, 0x0f, 0xbd, 0xc3 };
        static const uint8_t bswap[] = { 0x66, 0x0f, 0xcb };   /* ebx */
        uint32_t v = samples[i], want;
        uint8_t zf;

        tc.vcpu.regs.rip = CORE_CODE;
        tc.vcpu.regs.rax = 0x77;
        tc.vcpu.regs.rbx = v;
        core_load(bsf, 4);
        cr_assert_eq(core_run(1), X86_BUDGET);
        want = 0x77;
        __asm__("bsfl %2, %0\n\tsetz %1" : "+r"(want), "=q"(zf) : "r"(v)
                : "cc");
        cr_assert_eq(!!(tc.vcpu.regs.rflags & X86_ZF), zf, "bsf 0x%x", v);
        if (!zf)
            cr_assert_eq((uint32_t)tc.vcpu.regs.rax, want, "bsf 0x%x", v);
        tc.vcpu.regs.rip = CORE_CODE;
        core_load(bsr, 4);
        cr_assert_eq(core_run(1), X86_BUDGET);
        want = 0x77;
        __asm__("bsrl %2, %0\n\tsetz %1" : "+r"(want), "=q"(zf) : "r"(v)
                : "cc");
        cr_assert_eq(!!(tc.vcpu.regs.rflags & X86_ZF), zf, "bsr 0x%x", v);
        if (!zf)
            cr_assert_eq((uint32_t)tc.vcpu.regs.rax, want, "bsr 0x%x", v);
        tc.vcpu.regs.rip = CORE_CODE;
        core_load(bswap, 3);
        cr_assert_eq(core_run(1), X86_BUDGET);
        want = v;
        __asm__("bswapl %0" : "+r"(want));
        cr_assert_eq((uint32_t)tc.vcpu.regs.rbx, want, "bswap 0x%x", v);
    }
}
