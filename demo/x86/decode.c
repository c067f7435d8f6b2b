/* decode.c - the x86 real-mode decoder: bytes to struct x86_insn */
#include "decode.h"

#include <string.h>

struct opdesc {
    const char *name;       /* NULL: a group, named by ModRM.reg */
    bool        modrm;
    uint8_t     opnd[3];
};

#define D(n, m, a, b, c) { n, m, { a, b, c } }
#define NOP0 { NULL, false, { OP_NONE, OP_NONE, OP_NONE } }

static const char *const alu_names[8] = {
    "add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"
};
static const char *const shift_names[8] = {
    "rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar"
};
static const char *const grp3_names[8] = {
    "test", "test", "not", "neg", "mul", "imul", "div", "idiv"
};
static const char *const grp5_names[8] = {
    "inc", "dec", "call", "call", "jmp", "jmp", "push", NULL
};
static const char *const bt_names[4] = { "bt", "bts", "btr", "btc" };
static const char *const jcc_names[16] = {
    "jo", "jno", "jb", "jae", "je", "jne", "jbe", "ja",
    "js", "jns", "jp", "jnp", "jl", "jge", "jle", "jg"
};
static const char *const setcc_names[16] = {
    "seto", "setno", "setb", "setae", "sete", "setne", "setbe", "seta",
    "sets", "setns", "setp", "setnp", "setl", "setge", "setle", "setg"
};
static const char *const cmovcc_names[16] = {
    "cmovo", "cmovno", "cmovb", "cmovae", "cmove", "cmovne", "cmovbe",
    "cmova", "cmovs", "cmovns", "cmovp", "cmovnp", "cmovl", "cmovge",
    "cmovle", "cmovg"
};

/* One-byte opcodes other than 00-3F's ALU forms and the ranges below */
static bool one_byte(uint8_t b, struct opdesc *d, uint8_t *seg)
{
    static const struct opdesc alu_forms[6] = {
        D(NULL, true, OP_EB, OP_GB, OP_NONE), D(NULL, true, OP_EV, OP_GV, OP_NONE),
        D(NULL, true, OP_GB, OP_EB, OP_NONE), D(NULL, true, OP_GV, OP_EV, OP_NONE),
        D(NULL, false, OP_AL, OP_IB, OP_NONE), D(NULL, false, OP_AX, OP_IV, OP_NONE)
    };
    static const struct opdesc none = NOP0;

    *d = none;
    if (b < 0x40 && (b & 7) < 6) {
        *d = alu_forms[b & 7];
        d->name = alu_names[b >> 3];
        return true;
    }
    switch (b) {
    case 0x06: case 0x0e: case 0x16: case 0x1e:
        *d = (struct opdesc)D("push", false, OP_SEG, OP_NONE, OP_NONE);
        *seg = (uint8_t)(b >> 3);
        return true;
    case 0x07: case 0x17: case 0x1f:
        *d = (struct opdesc)D("pop", false, OP_SEG, OP_NONE, OP_NONE);
        *seg = (uint8_t)(b >> 3);
        return true;
    }
    if (b >= 0x40 && b <= 0x5f) {
        static const char *const n[4] = { "inc", "dec", "push", "pop" };

        *d = (struct opdesc)D(n[(b - 0x40) >> 3], false, OP_ZV, OP_NONE,
                              OP_NONE);
        return true;
    }
    if (b >= 0x70 && b <= 0x7f) {
        *d = (struct opdesc)D(jcc_names[b & 15], false, OP_JB, OP_NONE,
                              OP_NONE);
        return true;
    }
    if (b >= 0x91 && b <= 0x97) {
        *d = (struct opdesc)D("xchg", false, OP_ZV, OP_AX, OP_NONE);
        return true;
    }
    if (b >= 0xb0 && b <= 0xb7) {
        *d = (struct opdesc)D("mov", false, OP_ZB, OP_IB, OP_NONE);
        return true;
    }
    if (b >= 0xb8 && b <= 0xbf) {
        *d = (struct opdesc)D("mov", false, OP_ZV, OP_IV, OP_NONE);
        return true;
    }
    switch (b) {
    case 0x60: *d = (struct opdesc)D("pusha", false, 0, 0, 0); break;
    case 0x61: *d = (struct opdesc)D("popa", false, 0, 0, 0); break;
    case 0x68: *d = (struct opdesc)D("push", false, OP_IV, 0, 0); break;
    case 0x69: *d = (struct opdesc)D("imul", true, OP_GV, OP_EV, OP_IV); break;
    case 0x6a: *d = (struct opdesc)D("push", false, OP_IBS, 0, 0); break;
    case 0x6b: *d = (struct opdesc)D("imul", true, OP_GV, OP_EV, OP_IBS); break;
    case 0x80: *d = (struct opdesc)D(NULL, true, OP_EB, OP_IB, 0); break;
    case 0x81: *d = (struct opdesc)D(NULL, true, OP_EV, OP_IV, 0); break;
    case 0x83: *d = (struct opdesc)D(NULL, true, OP_EV, OP_IBS, 0); break;
    case 0x84: *d = (struct opdesc)D("test", true, OP_EB, OP_GB, 0); break;
    case 0x85: *d = (struct opdesc)D("test", true, OP_EV, OP_GV, 0); break;
    case 0x86: *d = (struct opdesc)D("xchg", true, OP_EB, OP_GB, 0); break;
    case 0x87: *d = (struct opdesc)D("xchg", true, OP_EV, OP_GV, 0); break;
    case 0x88: *d = (struct opdesc)D("mov", true, OP_EB, OP_GB, 0); break;
    case 0x89: *d = (struct opdesc)D("mov", true, OP_EV, OP_GV, 0); break;
    case 0x8a: *d = (struct opdesc)D("mov", true, OP_GB, OP_EB, 0); break;
    case 0x8b: *d = (struct opdesc)D("mov", true, OP_GV, OP_EV, 0); break;
    case 0x8c: *d = (struct opdesc)D("mov", true, OP_EW, OP_SW, 0); break;
    case 0x8d: *d = (struct opdesc)D("lea", true, OP_GV, OP_M, 0); break;
    case 0x8e: *d = (struct opdesc)D("mov", true, OP_SW, OP_EW, 0); break;
    case 0x8f: *d = (struct opdesc)D("pop", true, OP_EV, 0, 0); break;
    case 0x90: *d = (struct opdesc)D("nop", false, 0, 0, 0); break;
    case 0x98: *d = (struct opdesc)D("cbw", false, 0, 0, 0); break;
    case 0x99: *d = (struct opdesc)D("cwd", false, 0, 0, 0); break;
    case 0x9a: *d = (struct opdesc)D("call", false, OP_AP, 0, 0); break;
    case 0x9c: *d = (struct opdesc)D("pushf", false, 0, 0, 0); break;
    case 0x9d: *d = (struct opdesc)D("popf", false, 0, 0, 0); break;
    case 0x9e: *d = (struct opdesc)D("sahf", false, 0, 0, 0); break;
    case 0x9f: *d = (struct opdesc)D("lahf", false, 0, 0, 0); break;
    case 0xa0: *d = (struct opdesc)D("mov", false, OP_AL, OP_OB, 0); break;
    case 0xa1: *d = (struct opdesc)D("mov", false, OP_AX, OP_OV, 0); break;
    case 0xa2: *d = (struct opdesc)D("mov", false, OP_OB, OP_AL, 0); break;
    case 0xa3: *d = (struct opdesc)D("mov", false, OP_OV, OP_AX, 0); break;
    case 0xa4: *d = (struct opdesc)D("movsb", false, 0, 0, 0); break;
    case 0xa5: *d = (struct opdesc)D("movs", false, 0, 0, 0); break;
    case 0xa6: *d = (struct opdesc)D("cmpsb", false, 0, 0, 0); break;
    case 0xa7: *d = (struct opdesc)D("cmps", false, 0, 0, 0); break;
    case 0xa8: *d = (struct opdesc)D("test", false, OP_AL, OP_IB, 0); break;
    case 0xa9: *d = (struct opdesc)D("test", false, OP_AX, OP_IV, 0); break;
    case 0xaa: *d = (struct opdesc)D("stosb", false, 0, 0, 0); break;
    case 0xab: *d = (struct opdesc)D("stos", false, 0, 0, 0); break;
    case 0xac: *d = (struct opdesc)D("lodsb", false, 0, 0, 0); break;
    case 0xad: *d = (struct opdesc)D("lods", false, 0, 0, 0); break;
    case 0xae: *d = (struct opdesc)D("scasb", false, 0, 0, 0); break;
    case 0xaf: *d = (struct opdesc)D("scas", false, 0, 0, 0); break;
    case 0xc0: *d = (struct opdesc)D(NULL, true, OP_EB, OP_IB, 0); break;
    case 0xc1: *d = (struct opdesc)D(NULL, true, OP_EV, OP_IB, 0); break;
    case 0xc2: *d = (struct opdesc)D("ret", false, OP_IW, 0, 0); break;
    case 0xc3: *d = (struct opdesc)D("ret", false, 0, 0, 0); break;
    case 0xc6: *d = (struct opdesc)D("mov", true, OP_EB, OP_IB, 0); break;
    case 0xc7: *d = (struct opdesc)D("mov", true, OP_EV, OP_IV, 0); break;
    case 0xc4: *d = (struct opdesc)D("les", true, OP_GV, OP_M, 0); break;
    case 0xc5: *d = (struct opdesc)D("lds", true, OP_GV, OP_M, 0); break;
    case 0xc8: *d = (struct opdesc)D("enter", false, OP_IW, OP_IB, 0); break;
    case 0xc9: *d = (struct opdesc)D("leave", false, 0, 0, 0); break;
    case 0xca: *d = (struct opdesc)D("retf", false, OP_IW, 0, 0); break;
    case 0xcb: *d = (struct opdesc)D("retf", false, 0, 0, 0); break;
    case 0xcc: *d = (struct opdesc)D("int3", false, 0, 0, 0); break;
    case 0xcd: *d = (struct opdesc)D("int", false, OP_IB, 0, 0); break;
    case 0xcf: *d = (struct opdesc)D("iret", false, 0, 0, 0); break;
    case 0xd0: *d = (struct opdesc)D(NULL, true, OP_EB, OP_ONE, 0); break;
    case 0xd1: *d = (struct opdesc)D(NULL, true, OP_EV, OP_ONE, 0); break;
    case 0xd2: *d = (struct opdesc)D(NULL, true, OP_EB, OP_CL, 0); break;
    case 0xd3: *d = (struct opdesc)D(NULL, true, OP_EV, OP_CL, 0); break;
    case 0xe0: *d = (struct opdesc)D("loopne", false, OP_JB, 0, 0); break;
    case 0xe1: *d = (struct opdesc)D("loope", false, OP_JB, 0, 0); break;
    case 0xe2: *d = (struct opdesc)D("loop", false, OP_JB, 0, 0); break;
    case 0xe3: *d = (struct opdesc)D("jcxz", false, OP_JB, 0, 0); break;
    case 0xe4: *d = (struct opdesc)D("in", false, OP_AL, OP_IB, 0); break;
    case 0xe5: *d = (struct opdesc)D("in", false, OP_AX, OP_IB, 0); break;
    case 0xe6: *d = (struct opdesc)D("out", false, OP_IB, OP_AL, 0); break;
    case 0xe7: *d = (struct opdesc)D("out", false, OP_IB, OP_AX, 0); break;
    case 0xe8: *d = (struct opdesc)D("call", false, OP_JV, 0, 0); break;
    case 0xe9: *d = (struct opdesc)D("jmp", false, OP_JV, 0, 0); break;
    case 0xea: *d = (struct opdesc)D("jmp", false, OP_AP, 0, 0); break;
    case 0xeb: *d = (struct opdesc)D("jmp", false, OP_JB, 0, 0); break;
    case 0xec: *d = (struct opdesc)D("in", false, OP_AL, OP_DX, 0); break;
    case 0xed: *d = (struct opdesc)D("in", false, OP_AX, OP_DX, 0); break;
    case 0xee: *d = (struct opdesc)D("out", false, OP_DX, OP_AL, 0); break;
    case 0xef: *d = (struct opdesc)D("out", false, OP_DX, OP_AX, 0); break;
    case 0xd7: *d = (struct opdesc)D("xlat", false, 0, 0, 0); break;
    case 0xf4: *d = (struct opdesc)D("hlt", false, 0, 0, 0); break;
    case 0xf5: *d = (struct opdesc)D("cmc", false, 0, 0, 0); break;
    case 0xf6: *d = (struct opdesc)D(NULL, true, OP_EB, 0, 0); break;
    case 0xf7: *d = (struct opdesc)D(NULL, true, OP_EV, 0, 0); break;
    case 0xf8: *d = (struct opdesc)D("clc", false, 0, 0, 0); break;
    case 0xf9: *d = (struct opdesc)D("stc", false, 0, 0, 0); break;
    case 0xfa: *d = (struct opdesc)D("cli", false, 0, 0, 0); break;
    case 0xfb: *d = (struct opdesc)D("sti", false, 0, 0, 0); break;
    case 0xfc: *d = (struct opdesc)D("cld", false, 0, 0, 0); break;
    case 0xfd: *d = (struct opdesc)D("std", false, 0, 0, 0); break;
    case 0xfe: *d = (struct opdesc)D(NULL, true, OP_EB, 0, 0); break;
    case 0xff: *d = (struct opdesc)D(NULL, true, OP_EV, 0, 0); break;
    default:
        return false;
    }
    return true;
}

/* Two-byte opcodes 0F xx */
static bool two_byte(uint8_t b, struct opdesc *d, uint8_t *seg)
{
    static const struct opdesc none = NOP0;

    *d = none;
    if (b >= 0x40 && b <= 0x4f) {
        *d = (struct opdesc)D(cmovcc_names[b & 15], true, OP_GV, OP_EV, 0);
        return true;
    }
    if (b >= 0x80 && b <= 0x8f) {
        *d = (struct opdesc)D(jcc_names[b & 15], false, OP_JV, 0, 0);
        return true;
    }
    if (b >= 0x90 && b <= 0x9f) {
        *d = (struct opdesc)D(setcc_names[b & 15], true, OP_EB, 0, 0);
        return true;
    }
    if (b >= 0xc8 && b <= 0xcf) {
        *d = (struct opdesc)D("bswap", false, OP_ZV, 0, 0);
        return true;
    }
    switch (b) {
    case 0x01: *d = (struct opdesc)D("vmcall", true, 0, 0, 0); break;
    case 0x31: *d = (struct opdesc)D("rdtsc", false, 0, 0, 0); break;
    case 0xa2: *d = (struct opdesc)D("cpuid", false, 0, 0, 0); break;
    case 0xa0: case 0xa8:
        *d = (struct opdesc)D("push", false, OP_SEG, 0, 0);
        *seg = b == 0xa0 ? SEG_FS : SEG_GS;
        break;
    case 0xa1: case 0xa9:
        *d = (struct opdesc)D("pop", false, OP_SEG, 0, 0);
        *seg = b == 0xa1 ? SEG_FS : SEG_GS;
        break;
    case 0xaf: *d = (struct opdesc)D("imul", true, OP_GV, OP_EV, 0); break;
    case 0xa3: *d = (struct opdesc)D("bt", true, OP_EV, OP_GV, 0); break;
    case 0xab: *d = (struct opdesc)D("bts", true, OP_EV, OP_GV, 0); break;
    case 0xb3: *d = (struct opdesc)D("btr", true, OP_EV, OP_GV, 0); break;
    case 0xbb: *d = (struct opdesc)D("btc", true, OP_EV, OP_GV, 0); break;
    case 0xba: *d = (struct opdesc)D(NULL, true, OP_EV, OP_IB, 0); break;
    case 0xbc: *d = (struct opdesc)D("bsf", true, OP_GV, OP_EV, 0); break;
    case 0xbd: *d = (struct opdesc)D("bsr", true, OP_GV, OP_EV, 0); break;
    case 0xa4: *d = (struct opdesc)D("shld", true, OP_EV, OP_GV, OP_IB); break;
    case 0xa5: *d = (struct opdesc)D("shld", true, OP_EV, OP_GV, OP_CL); break;
    case 0xac: *d = (struct opdesc)D("shrd", true, OP_EV, OP_GV, OP_IB); break;
    case 0xad: *d = (struct opdesc)D("shrd", true, OP_EV, OP_GV, OP_CL); break;
    case 0xb6: *d = (struct opdesc)D("movzx", true, OP_GV, OP_EB, 0); break;
    case 0xb7: *d = (struct opdesc)D("movzx", true, OP_GV, OP_EW, 0); break;
    case 0xbe: *d = (struct opdesc)D("movsx", true, OP_GV, OP_EB, 0); break;
    case 0xbf: *d = (struct opdesc)D("movsx", true, OP_GV, OP_EW, 0); break;
    default:
        return false;
    }
    return true;
}

const char *x86_mnemonic(const struct x86_insn *in)
{
    if (in->name != NULL)
        return in->name;
    switch (in->op) {
    case 0x80: case 0x81: case 0x83:
        return alu_names[in->reg];
    case 0xc0: case 0xc1: case 0xd0: case 0xd1: case 0xd2: case 0xd3:
        return shift_names[in->reg];
    case 0xf6: case 0xf7:
        return grp3_names[in->reg];
    case 0xfe: case 0xff:
        return grp5_names[in->reg];
    case 0x0fba:
        return bt_names[in->reg & 3];
    default:
        return "?";
    }
}

/* Whether the group member ModRM.reg names is one exec.c runs */
static bool group_member_ok(uint16_t op, uint8_t modrm)
{
    uint8_t reg = (modrm >> 3) & 7, mod = modrm >> 6;

    switch (op) {
    case 0x8f: case 0xc6: case 0xc7:
        return reg == 0;
    case 0x8c: case 0x8e:
        return reg <= SEG_GS && !(op == 0x8e && reg == SEG_CS);
    case 0x8d: case 0xc4: case 0xc5:
        return mod != 3;
    case 0xfe:
        return reg <= 1;
    case 0xff:                  /* far forms need a memory operand */
        return grp5_names[reg] != NULL &&
               !(mod == 3 && (reg == 3 || reg == 5));
    case 0x0f01:
        return modrm == 0xc1;   /* vmcall only */
    case 0x0fba:
        return reg >= 4;        /* bt, bts, btr, btc */
    default:
        return true;
    }
}

/* Immediate size in bytes of one operand kind */
static unsigned imm_bytes(uint8_t kind, const struct x86_insn *in)
{
    switch (kind) {
    case OP_IB: case OP_IBS: case OP_JB:
        return 1;
    case OP_IW:
        return 2;
    case OP_IV: case OP_JV:
        return in->osize;
    case OP_OB: case OP_OV:
        return in->asize;
    default:
        return 0;
    }
}

static uint32_t read_le(const uint8_t *p, unsigned n)
{
    uint32_t v = 0;

    while (n-- > 0)
        v = (v << 8) | p[n];
    return v;
}

/* ModRM, SIB and displacement at code[*pos]; false if too short */
static bool decode_modrm(const uint8_t *code, size_t avail, size_t *pos,
                         struct x86_insn *in)
{
    unsigned dbytes = 0;
    uint8_t m;

    if (*pos >= avail)
        return false;
    m = code[(*pos)++];
    in->has_modrm = true;
    in->mod = m >> 6;
    in->reg = (m >> 3) & 7;
    in->rm = m & 7;
    if (in->mod == 3)
        return true;
    if (in->asize == 2) {
        if (in->mod == 1)
            dbytes = 1;
        else if (in->mod == 2 || (in->mod == 0 && in->rm == 6))
            dbytes = 2;
    } else {
        if (in->rm == 4) {
            if (*pos >= avail)
                return false;
            m = code[(*pos)++];
            in->has_sib = true;
            in->scale = m >> 6;
            in->index = (m >> 3) & 7;
            in->base = m & 7;
        }
        if (in->mod == 1)
            dbytes = 1;
        else if (in->mod == 2 || (in->mod == 0 && in->rm == 5) ||
                 (in->mod == 0 && in->has_sib && in->base == 5))
            dbytes = 4;
    }
    if (*pos + dbytes > avail)
        return false;
    in->disp = dbytes == 1 ? (int8_t)code[*pos]
             : dbytes == 2 ? (int16_t)read_le(code + *pos, 2)
             : (int32_t)read_le(code + *pos, dbytes);
    *pos += dbytes;
    return true;
}

enum x86_decode_status x86_decode(const uint8_t *code, size_t avail,
                                  struct x86_insn *in)
{
    struct opdesc d;
    size_t pos = 0;
    unsigned i, n;
    uint8_t b;
    bool known;

    memset(in, 0, sizeof(*in));
    in->osize = 2;
    in->asize = 2;
    in->seg = SEG_NONE;
    if (avail > X86_MAX_INSN)
        avail = X86_MAX_INSN;
    for (;;) {
        if (pos >= avail)
            return X86_DECODE_SHORT;
        b = code[pos];
        if (b == 0x66)
            in->osize = 4;
        else if (b == 0x67)
            in->asize = 4;
        else if (b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e)
            in->seg = (uint8_t)((b >> 3) & 3);
        else if (b == 0x64 || b == 0x65)
            in->seg = b == 0x64 ? SEG_FS : SEG_GS;
        else if (b == 0xf2 || b == 0xf3)
            in->rep = b;
        else if (b != 0xf0)     /* lock: one vCPU, nothing to lock */
            break;
        pos++;
    }
    pos++;
    if (b == 0x0f) {
        if (pos >= avail)
            return X86_DECODE_SHORT;
        b = code[pos++];
        in->op = (uint16_t)(0x0f00 | b);
        known = two_byte(b, &d, &in->fixed_seg);
    } else {
        in->op = b;
        known = one_byte(b, &d, &in->fixed_seg);
    }
    if (!known)
        return X86_DECODE_UNKNOWN;
    in->name = d.name;
    memcpy(in->opnd, d.opnd, sizeof(in->opnd));
    if (d.modrm) {
        if (pos >= avail)
            return X86_DECODE_SHORT;
        if (!group_member_ok(in->op, code[pos]))
            return X86_DECODE_UNKNOWN;
        if (!decode_modrm(code, avail, &pos, in))
            return X86_DECODE_SHORT;
        /* F6 /0, F7 /0 (test) carry an immediate the others do not */
        if ((in->op == 0xf6 || in->op == 0xf7) && in->reg <= 1)
            in->opnd[1] = in->op == 0xf6 ? OP_IB : OP_IV;
    }
    /* immediates, in operand order; a far pointer is offset then segment */
    for (i = 0; i < 3; i++) {
        if (in->opnd[i] == OP_AP) {
            if (pos + in->osize + 2 > avail)
                return X86_DECODE_SHORT;
            in->imm = read_le(code + pos, in->osize);
            in->imm2 = (uint16_t)read_le(code + pos + in->osize, 2);
            pos += in->osize + 2u;
            continue;
        }
        n = imm_bytes(in->opnd[i], in);
        if (n == 0)
            continue;
        if (pos + n > avail)
            return X86_DECODE_SHORT;
        if (in->opnd[i] == OP_OB || in->opnd[i] == OP_OV)
            in->disp = (int32_t)read_le(code + pos, n);
        else if (i == 1 && in->op == 0xc8)
            in->imm2 = (uint16_t)read_le(code + pos, n);    /* enter's level */
        else
            in->imm = read_le(code + pos, n);
        pos += n;
    }
    in->len = (uint8_t)pos;
    memcpy(in->bytes, code, pos);
    return X86_DECODE_OK;
}
