/* alu.h - the x86 integer ALU: results and the arithmetic flags they set
 *
 * Pure functions on values and an EFLAGS word, so that the unit tests can
 * compare each one with what the host CPU computes for the same operands.
 * size is the operand size in bytes (1, 2 or 4); operands and results are
 * given and returned zero-extended to 32 bits.  *flags is read (CF for adc,
 * sbb, rotates through carry) and its arithmetic bits updated as the SDM
 * says; bits an instruction leaves undefined are set as current Intel
 * cores set them where that is well known, and the tests mask them.
 */
#ifndef X86_ALU_H
#define X86_ALU_H

#include <stdbool.h>
#include <stdint.h>

#define X86_CF 0x0001u
#define X86_PF 0x0004u
#define X86_AF 0x0010u
#define X86_ZF 0x0040u
#define X86_SF 0x0080u
#define X86_TF 0x0100u
#define X86_IF 0x0200u
#define X86_DF 0x0400u
#define X86_OF 0x0800u
#define X86_ARITH_FLAGS (X86_CF | X86_PF | X86_AF | X86_ZF | X86_SF | X86_OF)

/* The eight operations of opcodes 00-3F and group 1 (80, 81, 83), in the
 * order of their encoding (opcode bits 5:3, or ModRM.reg). */
enum alu_op {
    ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP
};

/* Group 2 (C0, C1, D0-D3), in ModRM.reg order; 6 is an alias of SHL. */
enum alu_shift {
    ALU_ROL, ALU_ROR, ALU_RCL, ALU_RCR, ALU_SHL, ALU_SHR, ALU_SAL, ALU_SAR
};

/* a op b; CMP returns a unchanged (the result is only flags) */
uint32_t alu_arith(enum alu_op op, uint32_t a, uint32_t b, unsigned size,
                   uint32_t *flags);
/* test: the flags of a & b */
void alu_test(uint32_t a, uint32_t b, unsigned size, uint32_t *flags);
/* inc and dec leave CF alone */
uint32_t alu_inc(uint32_t a, unsigned size, uint32_t *flags);
uint32_t alu_dec(uint32_t a, unsigned size, uint32_t *flags);
uint32_t alu_neg(uint32_t a, unsigned size, uint32_t *flags);
/* count as the instruction gives it: masked to 5 bits here; a masked
 * count of 0 changes neither the value nor the flags */
uint32_t alu_shift(enum alu_shift op, uint32_t a, unsigned count,
                   unsigned size, uint32_t *flags);

/* shld (left) / shrd: a shifted by count, the vacated bits filled from b;
 * count masked to 5 bits, 0 changes nothing; for size 2 a count above 16
 * is undefined (this returns what a 32-bit funnel of b:a gives) */
uint32_t alu_shift_double(bool left, uint32_t a, uint32_t b, unsigned count,
                          unsigned size, uint32_t *flags);

/* mul/imul with one operand: the double-width product in *hi:*lo (AH:AL
 * for size 1); CF = OF = the high half is significant */
void alu_mul(uint32_t a, uint32_t b, unsigned size, bool is_signed,
             uint32_t *lo, uint32_t *hi, uint32_t *flags);
/* imul with two or three operands: the truncated product */
uint32_t alu_imul_trunc(uint32_t a, uint32_t b, unsigned size,
                        uint32_t *flags);
/* div/idiv of hi:lo by d: false for #DE (divisor 0 or quotient too large),
 * and then nothing is written */
bool alu_div(uint32_t hi, uint32_t lo, uint32_t d, unsigned size,
             bool is_signed, uint32_t *quot, uint32_t *rem);

/* Condition code cc (0-15, the low nibble of Jcc/SETcc/CMOVcc) on flags */
bool alu_cond(unsigned cc, uint32_t flags);

/* size in bytes: all ones, and the sign bit */
uint32_t alu_mask(unsigned size);
uint32_t alu_sign(unsigned size);
/* v sign-extended from size bytes to 32 bits */
uint32_t alu_sext(uint32_t v, unsigned size);

#endif /* X86_ALU_H */
