/* decode.h - the x86 real-mode decoder: bytes to struct x86_insn
 *
 * x86_decode() reads prefixes (66, 67, segment overrides, rep, lock), the
 * opcode (one byte, or 0F and one), ModRM, SIB, displacement and
 * immediates, for the instructions exec.c runs.  It knows lengths only: an
 * opcode it does not know is X86_DECODE_UNKNOWN, whatever the CPU would do.
 */
#ifndef X86_DECODE_H
#define X86_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define X86_MAX_INSN 15

/* Segment registers, in the encoding's order (ModRM.reg of 8C/8E) */
enum x86_seg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_NONE };

/* General registers, in the encoding's order */
enum x86_reg { REG_AX, REG_CX, REG_DX, REG_BX, REG_SP, REG_BP, REG_SI,
               REG_DI };

/* What the operand fields of struct x86_insn hold */
enum x86_opnd {
    OP_NONE,
    OP_EB, OP_EV, OP_EW,    /* ModRM r/m: byte, operand size, word */
    OP_GB, OP_GV,           /* ModRM reg */
    OP_SW,                  /* ModRM reg as a segment register */
    OP_M,                   /* ModRM memory operand, no access (lea) */
    OP_IB, OP_IBS, OP_IV, OP_IW, /* immediates (IBS: sign-extended) */
    OP_AL, OP_AX, OP_CL, OP_DX, OP_ONE,
    OP_ZB, OP_ZV,           /* register in the opcode's low 3 bits */
    OP_SEG,                 /* a fixed segment register (insn.fixed_seg) */
    OP_JB, OP_JV,           /* relative targets */
    OP_AP,                  /* far pointer seg:off */
    OP_OB, OP_OV            /* moffs: memory at an absolute offset */
};

struct x86_insn {
    uint8_t  bytes[X86_MAX_INSN];
    uint8_t  len;
    uint16_t op;            /* the opcode; 0x0F00 | byte for two bytes */
    uint8_t  osize, asize;  /* operand and address size, 2 or 4 */
    uint8_t  seg;           /* segment override, or SEG_NONE */
    uint8_t  rep;           /* 0, 0xF2 (repne) or 0xF3 (rep, repe) */
    bool     has_modrm;
    uint8_t  mod, reg, rm;
    bool     has_sib;
    uint8_t  scale, index, base;
    int32_t  disp;
    uint32_t imm;           /* first immediate, or the offset of OP_AP */
    uint16_t imm2;          /* the segment of OP_AP */
    const char *name;       /* mnemonic, NULL for a group resolved by reg */
    uint8_t  opnd[3];       /* enum x86_opnd, OP_NONE after the last */
    uint8_t  fixed_seg;     /* for OP_SEG */
};

enum x86_decode_status {
    X86_DECODE_OK,
    X86_DECODE_UNKNOWN,     /* an opcode (or group member) not supported */
    X86_DECODE_SHORT        /* the bytes end before the instruction does */
};

/* Decodes the instruction at the start of code[0..avail) in 16-bit mode. */
enum x86_decode_status x86_decode(const uint8_t *code, size_t avail,
                                  struct x86_insn *insn);

/* The mnemonic of insn (group members resolved), e.g. "add", "jnz" */
const char *x86_mnemonic(const struct x86_insn *insn);

/* "mov word [bx+si+0x4], 0x12": the instruction in Intel syntax as a
 * disassembler prints it, at most size - 1 characters */
void x86_format(const struct x86_insn *insn, uint64_t ip, char *buf,
                size_t size);

#endif /* X86_DECODE_H */
