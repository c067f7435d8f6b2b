/* test_move_host.c - the moves that compute: movzx, movsx, cbw/cwd, lea, xchg,
 * each run by the core and compared with the host CPU's result
 */
#include "core_fixture.h"

#include <criterion/criterion.h>

TestSuite(move_host, .init = core_setup, .fini = core_teardown);

static const uint32_t samples[] = {
    0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x12345678,
    0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0xdeadbeef
};
#define NSAMPLES (sizeof(samples) / sizeof(samples[0]))

/* runs code once with EBX = b (EAX = a); returns EAX */
static uint32_t core_eax(const uint8_t *code, size_t len, uint32_t a,
                         uint32_t b)
{
    tc.vcpu.regs.rip = CORE_CODE;
    tc.vcpu.regs.rax = a;
    tc.vcpu.regs.rbx = b;
    tc.vcpu.regs.rdx = 0x5a5a5a5a;
    core_load(code, len);
    cr_assert_eq(core_run(1), X86_BUDGET);
    cr_assert_eq(tc.vcpu.regs.rip, CORE_CODE + len);
    return (uint32_t)tc.vcpu.regs.rax;
}

Test(move_host, movzx_movsx)
{
    size_t i;

    for (i = 0; i < NSAMPLES; i++) {
        uint32_t b = samples[i], want, got;
        /* 66 0f b6 c3: movzx eax, bl ... 0f be c3: movsx ax, bl */
        static const uint8_t zb32[] = { 0x66, 0x0f, 0xb6, 0xc3 };
        static const uint8_t sb32[] = { 0x66, 0x0f, 0xbe, 0xc3 };
        static const uint8_t zw32[] = { 0x66, 0x0f, 0xb7, 0xc3 };
        static const uint8_t sw32[] = { 0x66, 0x0f, 0xbf, 0xc3 };
        static const uint8_t zb16[] = { 0x0f, 0xb6, 0xc3 };
        static const uint8_t sb16[] = { 0x0f, 0xbe, 0xc3 };

        __asm__("movzbl %b1, %0" : "=r"(want) : "q"(b));
        got = core_eax(zb32, 4, 0xcccccccc, b);
        cr_assert_eq(got, want, "movzx eax, bl (0x%x)", b);
        __asm__("movsbl %b1, %0" : "=r"(want) : "q"(b));
        got = core_eax(sb32, 4, 0xcccccccc, b);
        cr_assert_eq(got, want, "movsx eax, bl (0x%x)", b);
        __asm__("movzwl %w1, %0" : "=r"(want) : "r"(b));
        got = core_eax(zw32, 4, 0xcccccccc, b);
        cr_assert_eq(got, want, "movzx eax, bx (0x%x)", b);
        __asm__("movswl %w1, %0" : "=r"(want) : "r"(b));
        got = core_eax(sw32, 4, 0xcccccccc, b);
        cr_assert_eq(got, want, "movsx eax, bx (0x%x)", b);
        want = 0xcccccccc;
        __asm__("movzbw %b1, %w0" : "+r"(want) : "q"(b));
        got = core_eax(zb16, 3, 0xcccccccc, b);
        cr_assert_eq(got, want, "movzx ax, bl (0x%x): upper half kept", b);
        want = 0xcccccccc;
        __asm__("movsbw %b1, %w0" : "+r"(want) : "q"(b));
        got = core_eax(sb16, 3, 0xcccccccc, b);
        cr_assert_eq(got, want, "movsx ax, bl (0x%x)", b);
    }
}

Test(move_host, cbw_cwde_cwd_cdq)
{
    static const uint8_t cbw[] = { 0x98 }, cwde[] = { 0x66, 0x98 };
    static const uint8_t cwd[] = { 0x99 }, cdq[] = { 0x66, 0x99 };
    size_t i;

    for (i = 0; i < NSAMPLES; i++) {
        uint32_t a = samples[i], want, d, got;

        want = a;
        __asm__("cbtw" : "+a"(want));
        cr_assert_eq(core_eax(cbw, 1, a, 0), want, "cbw (0x%x)", a);
        want = a;
        __asm__("cwtl" : "+a"(want));
        cr_assert_eq(core_eax(cwde, 2, a, 0), want, "cwde (0x%x)", a);
        want = a;
        d = 0x5a5a5a5a;
        __asm__("cwtd" : "+a"(want), "+d"(d));
        got = core_eax(cwd, 1, a, 0);
        cr_assert_eq(got, want);
        cr_assert_eq((uint32_t)tc.vcpu.regs.rdx, d, "cwd (0x%x)", a);
        want = a;
        __asm__("cltd" : "+a"(want), "=d"(d));
        got = core_eax(cdq, 2, a, 0);
        cr_assert_eq((uint32_t)tc.vcpu.regs.rdx, d, "cdq (0x%x)", a);
    }
}

/* lea with 32-bit addressing (67): base + index * scale + disp32 */
Test(move_host, lea32)
{
    size_t i, j;

    for (i = 0; i < NSAMPLES; i++) {
        for (j = 0; j < NSAMPLES; j++) {
            uint32_t b = samples[i], si = samples[j], want;
            /* 67 66 8d 84 b3 78 56 34 12: lea eax, [ebx+esi*4+0x12345678] */
            static const uint8_t code[] = { 0x67, 0x66, 0x8d, 0x84, 0xb3,
                                            0x78, 0x56, 0x34, 0x12 };

            __asm__("leal 0x12345678(%1,%2,4), %0" : "=r"(want)
                    : "r"(b), "r"(si));
            tc.vcpu.regs.rsi = si;
            cr_assert_eq(core_eax(code, sizeof(code), 0, b), want,
                         "lea eax, [0x%x+0x%x*4+0x12345678]", b, si);
        }
    }
}

/* lea with 16-bit addressing wraps at 64 KiB (no host form: by hand) */
Test(move_host, lea16_wraps)
{
    /* lea ax, [bx+si-2] with BX = 1, SI = 0 */
    static const uint8_t code[] = { 0x8d, 0x40, 0xfe };

    tc.vcpu.regs.rsi = 0;
    cr_assert_eq(core_eax(code, 3, 0xabcd0000, 1), 0xabcdffff);
}

Test(move_host, xchg)
{
    static const uint8_t x16[] = { 0x93 };                   /* xchg ax, bx */
    static const uint8_t x8[] = { 0x86, 0xc3 };              /* xchg bl, al */
    size_t i;

    for (i = 0; i < NSAMPLES; i++) {
        uint32_t a = samples[i], b = ~samples[i], wa = a, wb = b;

        __asm__("xchgw %w0, %w1" : "+r"(wa), "+r"(wb));
        cr_assert_eq(core_eax(x16, 1, a, b), wa);
        cr_assert_eq((uint32_t)tc.vcpu.regs.rbx, wb);
        wa = a;
        wb = b;
        __asm__("xchgb %b0, %b1" : "+q"(wa), "+q"(wb));
        cr_assert_eq(core_eax(x8, 2, a, b), wa);
        cr_assert_eq((uint32_t)tc.vcpu.regs.rbx, wb);
    }
}
