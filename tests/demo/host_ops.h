/* host_ops.h - what the host CPU computes: each ALU operation in inline asm
 *
 * x86-64 runs the 8-, 16- and 32-bit forms of these instructions exactly as
 * a CPU in real mode does, so the host is the reference the core's results
 * and flags are compared with.  Flags in and out are whole RFLAGS words
 * (pushfq/popfq: the tests are built with -mno-red-zone).
 */
#ifndef HOST_OPS_H
#define HOST_OPS_H

#include <stdbool.h>
#include <stdint.h>

enum host_op {
    H_ADD, H_OR, H_ADC, H_SBB, H_AND, H_SUB, H_XOR, H_CMP,   /* alu_op order */
    H_TEST, H_INC, H_DEC, H_NEG, H_NOT,
    H_ROL, H_ROR, H_RCL, H_RCR, H_SHL, H_SHR, H_SAR,
    H_COUNT
};

/* *res = a op b (b: the count for shifts), *fout the flags after */
void host_op(enum host_op op, unsigned size, uint32_t a, uint32_t b,
             uint64_t fin, uint32_t *res, uint64_t *fout);

/* shld (left) or shrd a, b, count; size 2 or 4 */
void host_shift_double(bool left, unsigned size, uint32_t a, uint32_t b,
                       unsigned count, uint64_t fin, uint32_t *res,
                       uint64_t *fout);

/* mul/imul r/m with one operand: *lo, *hi as AX/DX (AL/AH for size 1) */
void host_mul(bool is_signed, unsigned size, uint32_t a, uint32_t b,
              uint32_t *lo, uint32_t *hi, uint64_t *fout);

/* div/idiv: the operands must not fault */
void host_div(bool is_signed, unsigned size, uint32_t hi, uint32_t lo,
              uint32_t d, uint32_t *quot, uint32_t *rem);

/* setcc for condition cc with the flags f */
bool host_cond(unsigned cc, uint64_t f);

#endif /* HOST_OPS_H */
