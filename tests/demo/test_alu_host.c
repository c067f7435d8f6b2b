/* test_alu_host.c - each ALU instruction run by the core, against the host CPU
 *
 * The instruction is encoded in its register form (destination AX/AL/EAX,
 * source BX/BL/EBX or CL for a count), run for one step by the CPU core,
 * and its result and flags compared with what the host computes for the
 * same operands and flags in.  Flags the SDM leaves undefined for an
 * instruction are masked, and only those.
 */
#include "core_fixture.h"
#include "host_ops.h"
#include "x86/alu.h"

#include <criterion/criterion.h>

TestSuite(alu_host, .init = core_setup, .fini = core_teardown);

static const uint32_t samples[] = {
    0, 1, 2, 7, 8, 0x0f, 0x10, 0x3f, 0x7f, 0x80, 0x81, 0xfe, 0xff, 0x100,
    0x7fff, 0x8000, 0x8001, 0xfffe, 0xffff, 0x10000, 0x12345678,
    0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff, 0xdeadbeef,
    0x0f0f0f0f
};
#define NSAMPLES (sizeof(samples) / sizeof(samples[0]))

static const unsigned sizes[] = { 1, 2, 4 };

/* the flags in: CF set or not, with the others in a known mix */
static const uint64_t flags_in[] = {
    0x2, 0x2 | X86_CF, 0x2 | X86_ZF | X86_SF | X86_OF | X86_AF | X86_PF,
    0x2 | X86_ARITH_FLAGS
};

/* modrm register form: reg field r, rm AX */
#define MODRM(r, rm) (uint8_t)(0xc0 | (r) << 3 | (rm))

/* Runs the bytes once with AX = a, BX = b, CX = b, flags fin; the result
 * of size bytes in AX and the flags */
static void core_once(const uint8_t *code, size_t len, uint32_t a, uint32_t b,
                      uint64_t fin, uint32_t *res, uint64_t *fout)
{
    tc.vcpu.regs.rip = CORE_CODE;
    tc.vcpu.regs.rax = a;
    tc.vcpu.regs.rbx = b;
    tc.vcpu.regs.rcx = b;
    tc.vcpu.regs.rflags = fin;
    core_load(code, len);
    cr_assert_eq(core_run(1), X86_BUDGET, "%02x %02x did not run", code[0],
                 code[1]);
    cr_assert_eq(tc.vcpu.regs.rip, CORE_CODE + len);
    *res = (uint32_t)tc.vcpu.regs.rax;
    *fout = tc.vcpu.regs.rflags;
}

/* the encoding of op on AX/AL/EAX with BX/BL/EBX (or CL): 66 for dword */
static size_t encode(enum host_op op, unsigned size, uint8_t *code)
{
    size_t n = 0;
    uint8_t w = size == 1 ? 0 : 1;

    if (size == 4)
        code[n++] = 0x66;
    if (op <= H_CMP) {
        code[n++] = (uint8_t)(op << 3 | w);         /* op r/m, reg */
        code[n++] = MODRM(REG_BX, REG_AX);
    } else if (op == H_TEST) {
        code[n++] = (uint8_t)(0x84 | w);
        code[n++] = MODRM(REG_BX, REG_AX);
    } else if (op == H_INC || op == H_DEC) {
        code[n++] = (uint8_t)(0xfe | w);
        code[n++] = MODRM(op == H_INC ? 0 : 1, REG_AX);
    } else if (op == H_NEG || op == H_NOT) {
        code[n++] = (uint8_t)(0xf6 | w);
        code[n++] = MODRM(op == H_NEG ? 3 : 2, REG_AX);
    } else {
        code[n++] = (uint8_t)(0xd2 | w);            /* shift r/m, cl */
        /* /0../5 in host_op's order; sar is /7 (/6 is sal) */
        code[n++] = MODRM(op == H_SAR ? 7 : op - H_ROL, REG_AX);
    }
    return n;
}

/* the flags op defines for this count (shifts) */
static uint64_t defined_flags(enum host_op op, unsigned size, unsigned count)
{
    unsigned c = count & 31;

    switch (op) {
    case H_OR: case H_AND: case H_XOR: case H_TEST:
        return X86_ARITH_FLAGS & ~X86_AF;
    case H_ROL: case H_ROR: case H_RCL: case H_RCR:
        if (c == 0)
            return X86_ARITH_FLAGS;
        return c == 1 ? X86_CF | X86_OF : X86_CF;
    case H_SHL: case H_SHR: case H_SAR:
        if (c == 0)
            return X86_ARITH_FLAGS;
        if (c >= 8 * size && op != H_SAR)
            return X86_ZF | X86_SF | X86_PF;
        return (X86_ARITH_FLAGS & ~X86_AF) & (c == 1 ? ~0u : ~X86_OF);
    default:
        return X86_ARITH_FLAGS;
    }
}

static const char *const names[H_COUNT] = {
    "add", "or", "adc", "sbb", "and", "sub", "xor", "cmp", "test", "inc",
    "dec", "neg", "not", "rol", "ror", "rcl", "rcr", "shl", "shr", "sar"
};

static void check_op(enum host_op op)
{
    uint8_t code[4];
    uint32_t mask, got, want;
    uint64_t fgot, fwant, fmask;
    size_t si, i, j, k, len;
    bool is_shift = op >= H_ROL;

    for (si = 0; si < 3; si++) {
        unsigned size = sizes[si];

        mask = alu_mask(size);
        len = encode(op, size, code);
        for (i = 0; i < NSAMPLES; i++) {
            for (j = 0; j < (is_shift ? 33 : NSAMPLES); j++) {
                uint32_t a = samples[i], b = is_shift ? (uint32_t)j
                                                      : samples[j];

                for (k = 0; k < 4; k++) {
                    core_once(code, len, a, b, flags_in[k], &got, &fgot);
                    host_op(op, size, a, b, flags_in[k], &want, &fwant);
                    fmask = defined_flags(op, size, b);
                    cr_assert_eq(got & mask, want & mask,
                                 "%s/%u 0x%x, 0x%x (flags 0x%lx): 0x%x, "
                                 "the host says 0x%x", names[op], size * 8,
                                 a, b, (unsigned long)flags_in[k],
                                 got & mask, want & mask);
                    cr_assert_eq(fgot & fmask, fwant & fmask,
                                 "%s/%u 0x%x, 0x%x (flags 0x%lx): flags "
                                 "0x%lx, the host says 0x%lx (compared "
                                 "0x%lx)", names[op], size * 8, a, b,
                                 (unsigned long)flags_in[k],
                                 (unsigned long)(fgot & fmask),
                                 (unsigned long)(fwant & fmask),
                                 (unsigned long)fmask);
                }
            }
        }
    }
}

Test(alu_host, add) { check_op(H_ADD); }
Test(alu_host, or) { check_op(H_OR); }
Test(alu_host, adc) { check_op(H_ADC); }
Test(alu_host, sbb) { check_op(H_SBB); }
Test(alu_host, and) { check_op(H_AND); }
Test(alu_host, sub) { check_op(H_SUB); }
Test(alu_host, xor) { check_op(H_XOR); }
Test(alu_host, cmp) { check_op(H_CMP); }
Test(alu_host, test) { check_op(H_TEST); }
Test(alu_host, inc) { check_op(H_INC); }
Test(alu_host, dec) { check_op(H_DEC); }
Test(alu_host, neg) { check_op(H_NEG); }
Test(alu_host, not) { check_op(H_NOT); }
Test(alu_host, rol) { check_op(H_ROL); }
Test(alu_host, ror) { check_op(H_ROR); }
Test(alu_host, rcl) { check_op(H_RCL); }
Test(alu_host, rcr) { check_op(H_RCR); }
Test(alu_host, shl) { check_op(H_SHL); }
Test(alu_host, shr) { check_op(H_SHR); }
Test(alu_host, sar) { check_op(H_SAR); }

/* the immediate forms (80, 81, 83 sign-extended, 04/05 on AL/AX) give the
 * same results as the register form */
Test(alu_host, immediate_forms)
{
    static const uint32_t imms[] = { 0, 1, 0x7f, 0x80, 0xff };
    uint32_t got, want;
    uint64_t fgot, fwant;
    size_t i, j;
    unsigned op;

    for (op = H_ADD; op <= H_CMP; op++) {
        for (i = 0; i < NSAMPLES; i++) {
            for (j = 0; j < 5; j++) {
                uint8_t c83[] = { 0x83, MODRM(op, REG_AX), (uint8_t)imms[j] };
                uint8_t c04[] = { (uint8_t)(op << 3 | 4), (uint8_t)imms[j] };
                uint32_t sx = alu_sext(imms[j], 1) & 0xffff;

                core_once(c83, 3, samples[i], 0, 0x2 | X86_CF, &got, &fgot);
                host_op((enum host_op)op, 2, samples[i], sx, 0x2 | X86_CF,
                        &want, &fwant);
                cr_assert_eq(got & 0xffff, want & 0xffff, "83 /%u", op);
                cr_assert_eq(fgot & X86_ARITH_FLAGS & ~X86_AF,
                             fwant & X86_ARITH_FLAGS & ~X86_AF, "83 /%u", op);
                core_once(c04, 2, samples[i], 0, 0x2, &got, &fgot);
                host_op((enum host_op)op, 1, samples[i], imms[j], 0x2, &want,
                        &fwant);
                cr_assert_eq(got & 0xff, want & 0xff, "%02x", c04[0]);
                cr_assert_eq(fgot & X86_ARITH_FLAGS & ~X86_AF,
                             fwant & X86_ARITH_FLAGS & ~X86_AF, "%02x",
                             c04[0]);
            }
        }
    }
}

/* shld, shrd r/m, reg, cl (0F A5, 0F AD) on 16 and 32 bits */
Test(alu_host, shld_shrd)
{
    uint32_t got, want, m;
    uint64_t fgot, fwant, fmask;
    size_t i, j;
    unsigned size, count;
    int left;

    for (left = 0; left < 2; left++) {
        for (size = 2; size <= 4; size += 2) {
            uint8_t code[4] = { 0x66, 0x0f, left ? 0xa5 : 0xad,
                                MODRM(REG_BX, REG_AX) };
            uint8_t *c = size == 4 ? code : code + 1;
            size_t len = size == 4 ? 4 : 3;

            m = alu_mask(size);
            for (i = 0; i < NSAMPLES; i++) {
                for (j = 0; j < NSAMPLES; j += 3) {
                    for (count = 0; count < 8 * size; count++) {
                        tc.vcpu.regs.rip = CORE_CODE;
                        tc.vcpu.regs.rax = samples[i];
                        tc.vcpu.regs.rbx = samples[j];
                        tc.vcpu.regs.rcx = count;
                        tc.vcpu.regs.rflags = 0x2;
                        core_load(c, len);
                        cr_assert_eq(core_run(1), X86_BUDGET);
                        got = (uint32_t)tc.vcpu.regs.rax & m;
                        fgot = tc.vcpu.regs.rflags;
                        host_shift_double(left, size, samples[i], samples[j],
                                          count, 0x2, &want, &fwant);
                        fmask = count == 0 ? X86_ARITH_FLAGS
                              : (X86_ARITH_FLAGS & ~X86_AF) &
                                (count == 1 ? ~0u : ~X86_OF);
                        cr_assert_eq(got, want & m, "sh%cd/%u 0x%x, 0x%x, "
                                     "%u: 0x%x, the host says 0x%x",
                                     left ? 'l' : 'r', size * 8, samples[i],
                                     samples[j], count, got, want & m);
                        cr_assert_eq(fgot & fmask, fwant & fmask,
                                     "sh%cd/%u 0x%x, 0x%x, %u: flags",
                                     left ? 'l' : 'r', size * 8, samples[i],
                                     samples[j], count);
                    }
                }
            }
        }
    }
}

/* mul, imul (one operand): AX (and DX) and CF, OF */
Test(alu_host, mul_imul)
{
    uint32_t lo, hi, wlo, whi, got;
    uint64_t fgot, fwant;
    size_t si, i, j;
    int sgn;

    for (sgn = 0; sgn < 2; sgn++) {
        for (si = 0; si < 3; si++) {
            unsigned size = sizes[si];
            uint32_t m = alu_mask(size);
            uint8_t code[3];
            size_t n = 0;

            if (size == 4)
                code[n++] = 0x66;
            code[n++] = size == 1 ? 0xf6 : 0xf7;
            code[n++] = MODRM(4 + sgn, REG_BX);
            for (i = 0; i < NSAMPLES; i++) {
                for (j = 0; j < NSAMPLES; j++) {
                    tc.vcpu.regs.rdx = 0;
                    core_once(code, n, samples[i], samples[j], 0x2, &got,
                              &fgot);
                    host_mul(sgn, size, samples[i], samples[j], &wlo, &whi,
                             &fwant);
                    if (size == 1) {
                        lo = got & 0xff;
                        hi = (got >> 8) & 0xff;
                    } else {
                        lo = got & m;
                        hi = (uint32_t)tc.vcpu.regs.rdx & m;
                    }
                    cr_assert(lo == wlo && hi == whi,
                              "%smul/%u 0x%x * 0x%x: 0x%x:0x%x, the host "
                              "says 0x%x:0x%x", sgn ? "i" : "", size * 8,
                              samples[i], samples[j], hi, lo, whi, wlo);
                    cr_assert_eq(fgot & (X86_CF | X86_OF),
                                 fwant & (X86_CF | X86_OF));
                }
            }
        }
    }
}

/* imul r, r/m (0F AF) and imul r, r/m, imm (6B, 69): the low half */
Test(alu_host, imul_forms)
{
    uint32_t got, wlo, whi;
    uint64_t fgot, fwant;
    size_t i, j;

    for (i = 0; i < NSAMPLES; i++) {
        for (j = 0; j < NSAMPLES; j++) {
            uint8_t afaf[] = { 0x66, 0x0f, 0xaf, MODRM(REG_AX, REG_BX) };
            uint8_t i6b[] = { 0x6b, MODRM(REG_AX, REG_BX),
                              (uint8_t)samples[j] };

            core_once(afaf, 4, samples[i], samples[j], 0x2, &got, &fgot);
            host_mul(true, 4, samples[i], samples[j], &wlo, &whi, &fwant);
            cr_assert_eq(got, wlo, "imul eax, ebx: 0x%x * 0x%x", samples[i],
                         samples[j]);
            cr_assert_eq(fgot & (X86_CF | X86_OF), fwant & (X86_CF | X86_OF));
            /* imul ax, bx, imm8: AX = BX * sext(imm8) */
            core_once(i6b, 3, 0, samples[i], 0x2, &got, &fgot);
            host_mul(true, 2, samples[i], alu_sext(samples[j], 1), &wlo,
                     &whi, &fwant);
            cr_assert_eq(got & 0xffff, wlo, "imul ax, bx, 0x%x",
                         samples[j] & 0xff);
            cr_assert_eq(fgot & (X86_CF | X86_OF), fwant & (X86_CF | X86_OF));
        }
    }
}

/* div, idiv: quotient and remainder where the host does not fault */
Test(alu_host, div_idiv)
{
    static const uint32_t divisors[] = { 1, 2, 3, 7, 10, 0x7f, 0xff, 0x1234,
                                         0xffff, 0x10001, 0x7fffffff };
    uint32_t q, r, wq, wr, got;
    uint64_t f;
    size_t si, i, j;
    int sgn;

    for (sgn = 0; sgn < 2; sgn++) {
        for (si = 0; si < 3; si++) {
            unsigned size = sizes[si];
            uint32_t m = alu_mask(size);
            uint8_t code[3];
            size_t n = 0;

            if (size == 4)
                code[n++] = 0x66;
            code[n++] = size == 1 ? 0xf6 : 0xf7;
            code[n++] = MODRM(6 + sgn, REG_BX);
            for (i = 0; i < NSAMPLES; i++) {
                for (j = 0; j < sizeof(divisors) / sizeof(divisors[0]); j++) {
                    uint32_t d = divisors[j] & m, lo = samples[i] & m, hi;

                    if (d == 0)
                        continue;
                    /* a dividend whose quotient fits: hi 0 (or its sign) */
                    hi = (sgn && (lo & alu_sign(size))) ? m : 0;
                    if (!alu_div(hi, lo, d, size, sgn, &q, &r))
                        continue;
                    if (size == 1) {
                        core_once(code, n, (hi << 8 | lo), d, 0x2, &got, &f);
                        q = got & 0xff;
                        r = (got >> 8) & 0xff;
                    } else {
                        tc.vcpu.regs.rdx = hi;
                        tc.vcpu.regs.rip = CORE_CODE;
                        tc.vcpu.regs.rax = lo;
                        tc.vcpu.regs.rbx = d;
                        core_load(code, n);
                        cr_assert_eq(core_run(1), X86_BUDGET);
                        q = (uint32_t)tc.vcpu.regs.rax & m;
                        r = (uint32_t)tc.vcpu.regs.rdx & m;
                    }
                    host_div(sgn, size, hi, lo, d, &wq, &wr);
                    cr_assert(q == wq && r == wr,
                              "%sdiv/%u 0x%x:0x%x / 0x%x: %x r %x, the host "
                              "says %x r %x", sgn ? "i" : "", size * 8, hi,
                              lo, d, q, r, wq, wr);
                }
            }
        }
    }
}

/* jcc short and near, setcc: taken exactly when the host's setcc says so */
Test(alu_host, conditions)
{
    static const uint32_t bits[] = { X86_CF, X86_PF, X86_ZF, X86_SF, X86_OF };
    unsigned cc, combo, i;
    uint32_t got;
    uint64_t f, fout;

    for (cc = 0; cc < 16; cc++) {
        for (combo = 0; combo < 32; combo++) {
            uint8_t jshort[] = { (uint8_t)(0x70 + cc), 0x10 };
            uint8_t jnear[] = { 0x0f, (uint8_t)(0x80 + cc), 0x00, 0x01 };
            uint8_t setcc[] = { 0x0f, (uint8_t)(0x90 + cc), 0xc0 };
            bool want;

            for (f = 0x2, i = 0; i < 5; i++)
                if (combo & (1u << i))
                    f |= bits[i];
            want = host_cond(cc, f);
            tc.vcpu.regs.rip = CORE_CODE;
            tc.vcpu.regs.rflags = f;
            core_load(jshort, 2);
            cr_assert_eq(core_run(1), X86_BUDGET);
            cr_assert_eq(tc.vcpu.regs.rip, CORE_CODE + 2 + (want ? 0x10 : 0),
                         "j%x with flags 0x%lx", cc, (unsigned long)f);
            tc.vcpu.regs.rip = CORE_CODE;
            core_load(jnear, 4);
            cr_assert_eq(core_run(1), X86_BUDGET);
            cr_assert_eq(tc.vcpu.regs.rip, CORE_CODE + 4 + (want ? 0x100 : 0));
            core_once(setcc, 3, 0xff, 0, f, &got, &fout);
            cr_assert_eq(got & 0xff, want ? 1u : 0u);
            cr_assert_eq(fout, f, "setcc changes no flag");
        }
    }
}
