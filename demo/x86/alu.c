/* alu.c - the x86 integer ALU: results and the arithmetic flags they set */
#include "alu.h"

uint32_t alu_mask(unsigned size)
{
    return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

uint32_t alu_sign(unsigned size)
{
    return 1u << (8 * size - 1);
}

uint32_t alu_sext(uint32_t v, unsigned size)
{
    uint32_t m = alu_mask(size), s = alu_sign(size);

    v &= m;
    return (v & s) ? (v | ~m) : v;
}

/* even parity of the low byte */
static bool parity_even(uint32_t v)
{
    v &= 0xff;
    v ^= v >> 4;
    v ^= v >> 2;
    v ^= v >> 1;
    return !(v & 1);
}

/* ZF, SF, PF of a result; the other bits of *flags as given */
static void set_szp(uint32_t res, unsigned size, uint32_t *flags)
{
    res &= alu_mask(size);
    *flags &= ~(X86_ZF | X86_SF | X86_PF);
    if (res == 0)
        *flags |= X86_ZF;
    if (res & alu_sign(size))
        *flags |= X86_SF;
    if (parity_even(res))
        *flags |= X86_PF;
}

static void set_flag(uint32_t *flags, uint32_t bit, bool on)
{
    if (on)
        *flags |= bit;
    else
        *flags &= ~bit;
}

static uint32_t add_flags(uint32_t a, uint32_t b, uint32_t cin,
                          unsigned size, uint32_t *flags)
{
    uint32_t m = alu_mask(size);
    uint64_t wide = (uint64_t)(a & m) + (b & m) + cin;
    uint32_t res = (uint32_t)wide & m;

    set_flag(flags, X86_CF, wide > m);
    set_flag(flags, X86_OF, ((a ^ res) & (b ^ res) & alu_sign(size)) != 0);
    set_flag(flags, X86_AF, ((a ^ b ^ res) & 0x10) != 0);
    set_szp(res, size, flags);
    return res;
}

static uint32_t sub_flags(uint32_t a, uint32_t b, uint32_t cin,
                          unsigned size, uint32_t *flags)
{
    uint32_t m = alu_mask(size);
    uint32_t res = (a - b - cin) & m;

    set_flag(flags, X86_CF, (uint64_t)(a & m) < (uint64_t)(b & m) + cin);
    set_flag(flags, X86_OF, ((a ^ b) & (a ^ res) & alu_sign(size)) != 0);
    set_flag(flags, X86_AF, ((a ^ b ^ res) & 0x10) != 0);
    set_szp(res, size, flags);
    return res;
}

static uint32_t logic_flags(uint32_t res, unsigned size, uint32_t *flags)
{
    res &= alu_mask(size);
    *flags &= ~(X86_CF | X86_OF | X86_AF);
    set_szp(res, size, flags);
    return res;
}

uint32_t alu_arith(enum alu_op op, uint32_t a, uint32_t b, unsigned size,
                   uint32_t *flags)
{
    uint32_t cin = (*flags & X86_CF) ? 1 : 0;
    uint32_t res;

    switch (op) {
    case ALU_ADD: res = add_flags(a, b, 0, size, flags); break;
    case ALU_ADC: res = add_flags(a, b, cin, size, flags); break;
    case ALU_SUB: res = sub_flags(a, b, 0, size, flags); break;
    case ALU_SBB: res = sub_flags(a, b, cin, size, flags); break;
    case ALU_OR:  res = logic_flags(a | b, size, flags); break;
    case ALU_AND: res = logic_flags(a & b, size, flags); break;
    case ALU_XOR: res = logic_flags(a ^ b, size, flags); break;
    case ALU_CMP:
    default:
        sub_flags(a, b, 0, size, flags);
        res = a & alu_mask(size);
        break;
    }
    return res;
}

void alu_test(uint32_t a, uint32_t b, unsigned size, uint32_t *flags)
{
    logic_flags(a & b, size, flags);
}

uint32_t alu_inc(uint32_t a, unsigned size, uint32_t *flags)
{
    uint32_t cf = *flags & X86_CF;
    uint32_t res = add_flags(a, 1, 0, size, flags);

    *flags = (*flags & ~X86_CF) | cf;
    return res;
}

uint32_t alu_dec(uint32_t a, unsigned size, uint32_t *flags)
{
    uint32_t cf = *flags & X86_CF;
    uint32_t res = sub_flags(a, 1, 0, size, flags);

    *flags = (*flags & ~X86_CF) | cf;
    return res;
}

uint32_t alu_neg(uint32_t a, unsigned size, uint32_t *flags)
{
    uint32_t res = sub_flags(0, a, 0, size, flags);

    set_flag(flags, X86_CF, (a & alu_mask(size)) != 0);
    return res;
}

static uint32_t rotate(enum alu_shift op, uint32_t a, unsigned count,
                       unsigned size, uint32_t *flags)
{
    unsigned bits = 8 * size;
    uint32_t m = alu_mask(size), s = alu_sign(size);
    uint32_t res = a & m;
    unsigned n;
    bool cf = (*flags & X86_CF) != 0, msb;

    if (op == ALU_ROL || op == ALU_ROR) {
        n = count % bits;
        if (n != 0)
            res = op == ALU_ROL ? ((res << n) | (res >> (bits - n))) & m
                                : ((res >> n) | (res << (bits - n))) & m;
        cf = op == ALU_ROL ? (res & 1) != 0 : (res & s) != 0;
    } else {
        /* through carry: a (bits + 1)-bit rotation */
        n = count % (bits + 1);
        while (n-- > 0) {
            if (op == ALU_RCL) {
                msb = (res & s) != 0;
                res = ((res << 1) | (cf ? 1 : 0)) & m;
                cf = msb;
            } else {
                bool lsb = (res & 1) != 0;

                res = (res >> 1) | (cf ? s : 0);
                cf = lsb;
            }
        }
    }
    set_flag(flags, X86_CF, cf);
    /* OF is defined for a count of 1; hardware computes it the same way
     * for every count */
    if (op == ALU_ROL || op == ALU_RCL)
        set_flag(flags, X86_OF, ((res & s) != 0) != cf);
    else
        set_flag(flags, X86_OF, ((res ^ (res << 1)) & s) != 0);
    return res;
}

uint32_t alu_shift(enum alu_shift op, uint32_t a, unsigned count,
                   unsigned size, uint32_t *flags)
{
    unsigned bits = 8 * size;
    uint32_t m = alu_mask(size), s = alu_sign(size);
    uint64_t v = a & m;
    uint32_t res;
    bool cf;

    count &= 0x1f;
    if (count == 0)
        return a & m;
    switch (op) {
    case ALU_ROL: case ALU_ROR: case ALU_RCL: case ALU_RCR:
        return rotate(op, a, count, size, flags);
    case ALU_SHL: case ALU_SAL:
        res = (uint32_t)((v << count) & m);
        cf = count <= bits ? ((v << count) >> bits) & 1 : false;
        set_flag(flags, X86_OF, ((res & s) != 0) != cf);
        break;
    case ALU_SHR:
        res = (uint32_t)(v >> count);
        cf = count <= bits ? (v >> (count - 1)) & 1 : false;
        set_flag(flags, X86_OF, (a & s) != 0);
        break;
    case ALU_SAR:
    default:
        v = alu_sext(a, size);
        res = (uint32_t)((int64_t)(int32_t)(uint32_t)v >>
                         (count < 32 ? count : 31)) & m;
        cf = ((int64_t)(int32_t)(uint32_t)v >>
              (count - 1 < 31 ? count - 1 : 31)) & 1;
        set_flag(flags, X86_OF, false);
        break;
    }
    set_flag(flags, X86_CF, cf);
    *flags &= ~X86_AF;
    set_szp(res, size, flags);
    return res;
}

uint32_t alu_shift_double(bool left, uint32_t a, uint32_t b, unsigned count,
                          unsigned size, uint32_t *flags)
{
    unsigned bits = 8 * size;
    uint32_t m = alu_mask(size), s = alu_sign(size), res;
    uint64_t wide;
    bool cf;

    count &= 0x1f;
    a &= m;
    b &= m;
    if (count == 0)
        return a;
    if (left && bits == 32) {
        res = a << count | b >> (32 - count);
        cf = (a >> (32 - count)) & 1;
    } else if (left) {
        wide = ((uint64_t)a << bits | b) << count;   /* a:b, shifted */
        res = (uint32_t)(wide >> bits) & m;
        cf = (wide >> (2 * bits)) & 1;
    } else {
        wide = ((uint64_t)b << bits | a) >> (count - 1);  /* b:a */
        cf = wide & 1;
        res = (uint32_t)(wide >> 1) & m;
    }
    set_flag(flags, X86_CF, cf);
    set_flag(flags, X86_OF, ((a ^ res) & s) != 0);
    *flags &= ~X86_AF;
    set_szp(res, size, flags);
    return res;
}

void alu_mul(uint32_t a, uint32_t b, unsigned size, bool is_signed,
             uint32_t *lo, uint32_t *hi, uint32_t *flags)
{
    unsigned bits = 8 * size;
    uint32_t m = alu_mask(size);
    uint64_t p;
    bool big;

    if (is_signed) {
        int64_t sp = (int64_t)(int32_t)alu_sext(a, size) *
                     (int64_t)(int32_t)alu_sext(b, size);

        p = (uint64_t)sp;
        big = sp != (int64_t)(int32_t)alu_sext((uint32_t)p & m, size);
    } else {
        p = (uint64_t)(a & m) * (b & m);
        big = (p >> bits) != 0;
    }
    *lo = (uint32_t)p & m;
    *hi = (uint32_t)(p >> bits) & m;
    set_flag(flags, X86_CF, big);
    set_flag(flags, X86_OF, big);
    /* SF, ZF, AF, PF are undefined: Intel cores set SF, ZF, PF from the
     * low half */
    set_szp(*lo, size, flags);
    *flags &= ~X86_AF;
}

uint32_t alu_imul_trunc(uint32_t a, uint32_t b, unsigned size,
                        uint32_t *flags)
{
    uint32_t lo, hi;

    alu_mul(a, b, size, true, &lo, &hi, flags);
    return lo;
}

bool alu_div(uint32_t hi, uint32_t lo, uint32_t d, unsigned size,
             bool is_signed, uint32_t *quot, uint32_t *rem)
{
    unsigned bits = 8 * size;
    uint32_t m = alu_mask(size);
    uint64_t n = ((uint64_t)(hi & m) << bits) | (lo & m);

    d &= m;
    if (d == 0)
        return false;
    if (is_signed) {
        int64_t sn, sd = (int32_t)alu_sext(d, size), q, r;

        /* sign-extend the 2*bits-wide dividend */
        sn = bits == 32 ? (int64_t)n
                        : (int64_t)(n << (64 - 2 * bits)) >> (64 - 2 * bits);
        if (sn == INT64_MIN && sd == -1)
            return false;
        q = sn / sd;
        r = sn % sd;
        if (q > (int64_t)(alu_sign(size) - 1) ||
            q < -(int64_t)alu_sign(size))
            return false;
        *quot = (uint32_t)q & m;
        *rem = (uint32_t)r & m;
    } else {
        uint64_t q = n / d;

        if (q > m)
            return false;
        *quot = (uint32_t)q;
        *rem = (uint32_t)(n % d);
    }
    return true;
}

bool alu_cond(unsigned cc, uint32_t flags)
{
    bool cf = flags & X86_CF, zf = flags & X86_ZF, sf = flags & X86_SF;
    bool of = flags & X86_OF, pf = flags & X86_PF;
    bool r;

    switch ((cc >> 1) & 7) {
    case 0: r = of; break;                  /* o */
    case 1: r = cf; break;                  /* b */
    case 2: r = zf; break;                  /* e */
    case 3: r = cf || zf; break;            /* be */
    case 4: r = sf; break;                  /* s */
    case 5: r = pf; break;                  /* p */
    case 6: r = sf != of; break;            /* l */
    default: r = zf || sf != of; break;     /* le */
    }
    return (cc & 1) ? !r : r;
}
