/* host_ops.c - what the host CPU computes: each ALU operation in inline asm */
#include "host_ops.h"

#define FLAGS_IN  "pushq %[fi]\n\tpopfq\n\t"
#define FLAGS_OUT "\n\tpushfq\n\tpopq %[fo]"

#define BINARY(insn, T, a, b) do {                                          \
        T x_ = (T)(a), y_ = (T)(b);                                         \
        __asm__ volatile(FLAGS_IN insn " %[y], %[x]" FLAGS_OUT              \
                         : [x] "+q"(x_), [fo] "=&r"(fo)                     \
                         : [y] "q"(y_), [fi] "r"(fin) : "cc");              \
        *res = x_;                                                          \
    } while (0)

#define UNARY(insn, T, a) do {                                              \
        T x_ = (T)(a);                                                      \
        __asm__ volatile(FLAGS_IN insn " %[x]" FLAGS_OUT                    \
                         : [x] "+q"(x_), [fo] "=&r"(fo)                     \
                         : [fi] "r"(fin) : "cc");                           \
        *res = x_;                                                          \
    } while (0)

#define SHIFT(insn, T, a, n) do {                                           \
        T x_ = (T)(a);                                                      \
        uint8_t c_ = (uint8_t)(n);                                          \
        __asm__ volatile(FLAGS_IN insn " %%cl, %[x]" FLAGS_OUT              \
                         : [x] "+q"(x_), [fo] "=&r"(fo)                     \
                         : "c"(c_), [fi] "r"(fin) : "cc");                  \
        *res = x_;                                                          \
    } while (0)

#define SIZED(MACRO, insn, ...) do {                                        \
        if (size == 1) MACRO(insn "b", uint8_t, __VA_ARGS__);               \
        else if (size == 2) MACRO(insn "w", uint16_t, __VA_ARGS__);         \
        else MACRO(insn "l", uint32_t, __VA_ARGS__);                        \
    } while (0)

void host_op(enum host_op op, unsigned size, uint32_t a, uint32_t b,
             uint64_t fin, uint32_t *res, uint64_t *fout)
{
    uint64_t fo = 0;

    switch (op) {
    case H_ADD: SIZED(BINARY, "add", a, b); break;
    case H_OR:  SIZED(BINARY, "or", a, b); break;
    case H_ADC: SIZED(BINARY, "adc", a, b); break;
    case H_SBB: SIZED(BINARY, "sbb", a, b); break;
    case H_AND: SIZED(BINARY, "and", a, b); break;
    case H_SUB: SIZED(BINARY, "sub", a, b); break;
    case H_XOR: SIZED(BINARY, "xor", a, b); break;
    case H_CMP: SIZED(BINARY, "cmp", a, b); break;
    case H_TEST: SIZED(BINARY, "test", a, b); break;
    case H_INC: SIZED(UNARY, "inc", a); break;
    case H_DEC: SIZED(UNARY, "dec", a); break;
    case H_NEG: SIZED(UNARY, "neg", a); break;
    case H_NOT: SIZED(UNARY, "not", a); break;
    case H_ROL: SIZED(SHIFT, "rol", a, b); break;
    case H_ROR: SIZED(SHIFT, "ror", a, b); break;
    case H_RCL: SIZED(SHIFT, "rcl", a, b); break;
    case H_RCR: SIZED(SHIFT, "rcr", a, b); break;
    case H_SHL: SIZED(SHIFT, "shl", a, b); break;
    case H_SHR: SIZED(SHIFT, "shr", a, b); break;
    case H_SAR: SIZED(SHIFT, "sar", a, b); break;
    default: break;
    }
    *fout = fo;
}

#define DOUBLE(insn, T) do {                                                \
        T x_ = (T)a, y_ = (T)b;                                             \
        __asm__ volatile(FLAGS_IN insn " %%cl, %[y], %[x]" FLAGS_OUT        \
                         : [x] "+r"(x_), [fo] "=&r"(fo)                     \
                         : [y] "r"(y_), "c"(c_), [fi] "r"(fin) : "cc");     \
        *res = x_;                                                          \
    } while (0)

void host_shift_double(bool left, unsigned size, uint32_t a, uint32_t b,
                       unsigned count, uint64_t fin, uint32_t *res,
                       uint64_t *fout)
{
    uint8_t c_ = (uint8_t)count;
    uint64_t fo = 0;

    if (left && size == 2)
        DOUBLE("shldw", uint16_t);
    else if (left)
        DOUBLE("shldl", uint32_t);
    else if (size == 2)
        DOUBLE("shrdw", uint16_t);
    else
        DOUBLE("shrdl", uint32_t);
    *fout = fo;
}

void host_mul(bool is_signed, unsigned size, uint32_t a, uint32_t b,
              uint32_t *lo, uint32_t *hi, uint64_t *fout)
{
    uint64_t fo, fin = 0x2;

    if (size == 1) {
        uint16_t ax = (uint8_t)a;
        uint8_t m = (uint8_t)b;

        if (is_signed)
            __asm__ volatile(FLAGS_IN "imulb %[m]" FLAGS_OUT
                             : "+a"(ax), [fo] "=&r"(fo)
                             : [m] "q"(m), [fi] "r"(fin) : "cc");
        else
            __asm__ volatile(FLAGS_IN "mulb %[m]" FLAGS_OUT
                             : "+a"(ax), [fo] "=&r"(fo)
                             : [m] "q"(m), [fi] "r"(fin) : "cc");
        *lo = ax & 0xff;
        *hi = ax >> 8;
    } else if (size == 2) {
        uint16_t ax = (uint16_t)a, dx, m = (uint16_t)b;

        if (is_signed)
            __asm__ volatile(FLAGS_IN "imulw %[m]" FLAGS_OUT
                             : "+a"(ax), "=d"(dx), [fo] "=&r"(fo)
                             : [m] "r"(m), [fi] "r"(fin) : "cc");
        else
            __asm__ volatile(FLAGS_IN "mulw %[m]" FLAGS_OUT
                             : "+a"(ax), "=d"(dx), [fo] "=&r"(fo)
                             : [m] "r"(m), [fi] "r"(fin) : "cc");
        *lo = ax;
        *hi = dx;
    } else {
        uint32_t eax = a, edx;

        if (is_signed)
            __asm__ volatile(FLAGS_IN "imull %[m]" FLAGS_OUT
                             : "+a"(eax), "=d"(edx), [fo] "=&r"(fo)
                             : [m] "r"(b), [fi] "r"(fin) : "cc");
        else
            __asm__ volatile(FLAGS_IN "mull %[m]" FLAGS_OUT
                             : "+a"(eax), "=d"(edx), [fo] "=&r"(fo)
                             : [m] "r"(b), [fi] "r"(fin) : "cc");
        *lo = eax;
        *hi = edx;
    }
    *fout = fo;
}

void host_div(bool is_signed, unsigned size, uint32_t hi, uint32_t lo,
              uint32_t d, uint32_t *quot, uint32_t *rem)
{
    if (size == 1) {
        uint16_t ax = (uint16_t)((hi & 0xff) << 8 | (lo & 0xff));
        uint8_t m = (uint8_t)d;

        if (is_signed)
            __asm__ volatile("idivb %[m]" : "+a"(ax) : [m] "q"(m) : "cc");
        else
            __asm__ volatile("divb %[m]" : "+a"(ax) : [m] "q"(m) : "cc");
        *quot = ax & 0xff;
        *rem = ax >> 8;
    } else if (size == 2) {
        uint16_t ax = (uint16_t)lo, dx = (uint16_t)hi, m = (uint16_t)d;

        if (is_signed)
            __asm__ volatile("idivw %[m]" : "+a"(ax), "+d"(dx) : [m] "r"(m)
                             : "cc");
        else
            __asm__ volatile("divw %[m]" : "+a"(ax), "+d"(dx) : [m] "r"(m)
                             : "cc");
        *quot = ax;
        *rem = dx;
    } else {
        uint32_t eax = lo, edx = hi;

        if (is_signed)
            __asm__ volatile("idivl %[m]" : "+a"(eax), "+d"(edx)
                             : [m] "r"(d) : "cc");
        else
            __asm__ volatile("divl %[m]" : "+a"(eax), "+d"(edx)
                             : [m] "r"(d) : "cc");
        *quot = eax;
        *rem = edx;
    }
}

#define SETCC(cc) do {                                                      \
        __asm__ volatile("pushq %[fi]\n\tpopfq\n\tset" cc " %[r]"           \
                         : [r] "=q"(r) : [fi] "r"(f) : "cc");               \
    } while (0)

bool host_cond(unsigned cc, uint64_t f)
{
    uint8_t r = 0;

    switch (cc & 15) {
    case 0:  SETCC("o"); break;
    case 1:  SETCC("no"); break;
    case 2:  SETCC("b"); break;
    case 3:  SETCC("ae"); break;
    case 4:  SETCC("e"); break;
    case 5:  SETCC("ne"); break;
    case 6:  SETCC("be"); break;
    case 7:  SETCC("a"); break;
    case 8:  SETCC("s"); break;
    case 9:  SETCC("ns"); break;
    case 10: SETCC("p"); break;
    case 11: SETCC("np"); break;
    case 12: SETCC("l"); break;
    case 13: SETCC("ge"); break;
    case 14: SETCC("le"); break;
    default: SETCC("g"); break;
    }
    return r != 0;
}
