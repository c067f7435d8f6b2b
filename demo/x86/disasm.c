/* disasm.c - struct x86_insn as a disassembler prints it (Intel syntax) */
#include "decode.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const reg8[8] = {
    "al", "cl", "dl", "bl", "ah", "ch", "dh", "bh"
};
static const char *const reg16[8] = {
    "ax", "cx", "dx", "bx", "sp", "bp", "si", "di"
};
static const char *const reg32[8] = {
    "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"
};
static const char *const sreg[6] = { "es", "cs", "ss", "ds", "fs", "gs" };

struct out {
    char  *buf;
    size_t size, len;
};

static void put(struct out *o, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (o->len + 1 >= o->size)
        return;
    va_start(ap, fmt);
    n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->len += (size_t)n < o->size - o->len ? (size_t)n
                                               : o->size - o->len - 1;
}

static const char *reg_name(unsigned r, unsigned size)
{
    return size == 1 ? reg8[r & 7] : size == 2 ? reg16[r & 7] : reg32[r & 7];
}

static const char *size_name(unsigned size)
{
    return size == 1 ? "byte" : size == 2 ? "word" : "dword";
}

static void put_disp(struct out *o, int32_t disp, bool first)
{
    if (first)
        put(o, "0x%x", (uint32_t)disp & 0xffffffffu);
    else if (disp < 0)
        put(o, "-0x%x", (uint32_t)-(int64_t)disp);
    else if (disp > 0)
        put(o, "+0x%x", (uint32_t)disp);
}

/* the [..] of a ModRM memory operand */
static void put_mem(struct out *o, const struct x86_insn *in, unsigned size)
{
    static const char *const base16[8] = {
        "bx+si", "bx+di", "bp+si", "bp+di", "si", "di", "bp", "bx"
    };
    bool any = false;

    if (size != 0)
        put(o, "%s ", size_name(size));
    put(o, "[");
    if (in->seg != SEG_NONE)
        put(o, "%s:", sreg[in->seg]);
    if (in->asize == 2) {
        if (!(in->mod == 0 && in->rm == 6)) {
            put(o, "%s", base16[in->rm]);
            any = true;
        }
    } else if (in->has_sib) {
        if (!(in->mod == 0 && in->base == 5)) {
            put(o, "%s", reg32[in->base]);
            any = true;
        }
        if (in->index != 4) {
            put(o, "%s%s*%u", any ? "+" : "", reg32[in->index],
                1u << in->scale);
            any = true;
        }
    } else if (!(in->mod == 0 && in->rm == 5)) {
        put(o, "%s", reg32[in->rm]);
        any = true;
    }
    if (!any)
        put_disp(o, in->asize == 2 ? (int32_t)(uint16_t)in->disp : in->disp,
                 true);
    else
        put_disp(o, in->disp, false);
    put(o, "]");
}

static void put_rm(struct out *o, const struct x86_insn *in, unsigned size)
{
    if (in->mod == 3)
        put(o, "%s", reg_name(in->rm, size));
    else
        put_mem(o, in, size);
}

static void put_opnd(struct out *o, const struct x86_insn *in, unsigned i,
                     uint64_t ip)
{
    unsigned v = in->osize;
    uint64_t target;

    switch (in->opnd[i]) {
    case OP_EB: put_rm(o, in, 1); break;
    case OP_EV:
        /* call far, jmp far: a far pointer in memory, NASM's way */
        if (in->op == 0xff && (in->reg == 3 || in->reg == 5)) {
            put(o, "far ");
            put_mem(o, in, 0);
        } else {
            put_rm(o, in, v);
        }
        break;
    case OP_EW: put_rm(o, in, in->op == 0x8c && in->mod == 3 ? v : 2); break;
    case OP_GB: put(o, "%s", reg8[in->reg]); break;
    case OP_GV: put(o, "%s", reg_name(in->reg, v)); break;
    case OP_SW: put(o, "%s", sreg[in->reg < 6 ? in->reg : 0]); break;
    case OP_M:  put_mem(o, in, 0); break;
    case OP_IB: case OP_IW: case OP_IV:
        put(o, "0x%x", i == 1 && in->op == 0xc8 ? in->imm2 : in->imm);
        break;
    case OP_IBS:
        put(o, "0x%x", (uint32_t)(int32_t)(int8_t)in->imm &
            (v == 2 ? 0xffffu : 0xffffffffu));
        break;
    case OP_AL: put(o, "al"); break;
    case OP_AX: put(o, "%s", reg_name(REG_AX, v)); break;
    case OP_CL: put(o, "cl"); break;
    case OP_DX: put(o, "dx"); break;
    case OP_ONE: put(o, "1"); break;
    case OP_ZB: put(o, "%s", reg8[in->op & 7]); break;
    case OP_ZV: put(o, "%s", reg_name(in->op & 7, v)); break;
    case OP_SEG: put(o, "%s", sreg[in->fixed_seg]); break;
    case OP_JB: case OP_JV:
        target = ip + in->len + (uint64_t)(int64_t)(in->opnd[i] == OP_JB
                 ? (int8_t)in->imm
                 : v == 2 ? (int16_t)in->imm : (int32_t)in->imm);
        put(o, "0x%" "llx", (unsigned long long)(v == 2 ? target & 0xffff
                                                        : target & 0xffffffffu));
        break;
    case OP_AP: put(o, "0x%x:0x%x", in->imm2, in->imm); break;
    case OP_OB: case OP_OV:
        put(o, "%s [", size_name(in->opnd[i] == OP_OB ? 1 : v));
        if (in->seg != SEG_NONE)
            put(o, "%s:", sreg[in->seg]);
        put(o, "0x%x]", (uint32_t)in->disp);
        break;
    default:
        break;
    }
}

/* the mnemonic, with the size suffix string and stack instructions take */
static void put_name(struct out *o, const struct x86_insn *in)
{
    const char *n = x86_mnemonic(in);
    bool d = in->osize == 4;

    if (in->rep == 0xf3)
        put(o, (in->op == 0xa6 || in->op == 0xa7 || in->op == 0xae ||
                in->op == 0xaf) ? "repe " : "rep ");
    else if (in->rep == 0xf2)
        put(o, "repne ");
    switch (in->op) {
    case 0xa5: case 0xa7: case 0xab: case 0xad: case 0xaf:
        put(o, "%s%c", n, d ? 'd' : 'w');
        return;
    case 0x98: put(o, d ? "cwde" : "cbw"); return;
    case 0x99: put(o, d ? "cdq" : "cwd"); return;
    case 0x60: case 0x61: case 0x9c: case 0x9d: case 0xcf:
        put(o, "%s%s", n, d ? "d" : "");
        return;
    default:
        put(o, "%s", n);
        return;
    }
}

void x86_format(const struct x86_insn *in, uint64_t ip, char *buf,
                size_t size)
{
    struct out o = { buf, size, 0 };
    unsigned i;

    if (size == 0)
        return;
    buf[0] = '\0';
    put_name(&o, in);
    for (i = 0; i < 3 && in->opnd[i] != OP_NONE; i++) {
        put(&o, i == 0 ? " " : ", ");
        put_opnd(&o, in, i, ip);
    }
}
