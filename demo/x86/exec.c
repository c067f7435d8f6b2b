/* exec.c - the instruction executor of the CPU core: one instruction at CS:IP
 *
 * Every instruction reads all its operands before it writes anything: an
 * MMIO read stops it (the VMM answers, the instruction runs again), and it
 * must then find the state it started from.
 */
#include "exec.h"
#include "alu.h"

#include <string.h>

uint32_t flags_get(const struct exec *e)
{
    return (uint32_t)e->r->rflags;
}

void flags_set(struct exec *e, uint32_t f)
{
    e->r->rflags = (e->r->rflags & ~(uint64_t)0xffffffffu) | f |
                   WW_RFLAGS_FIXED;
}

/* the offset of a ModRM memory operand, and its linear address */
uint64_t ea_linear(struct exec *e, uint32_t *offp)
{
    static const uint8_t base16[8][2] = {
        { REG_BX, REG_SI }, { REG_BX, REG_DI }, { REG_BP, REG_SI },
        { REG_BP, REG_DI }, { REG_SI, 8 }, { REG_DI, 8 }, { REG_BP, 8 },
        { REG_BX, 8 }
    };
    const struct x86_insn *in = e->in;
    struct x86_cpu *cpu = e->cpu;
    unsigned seg = SEG_DS;
    uint32_t off = 0;

    if (in->asize == 2) {
        if (!(in->mod == 0 && in->rm == 6)) {
            off = reg_get(cpu, base16[in->rm][0], 2);
            if (base16[in->rm][1] != 8)
                off += reg_get(cpu, base16[in->rm][1], 2);
            if (base16[in->rm][0] == REG_BP)
                seg = SEG_SS;
        }
        off = (uint16_t)(off + (uint32_t)in->disp);
    } else {
        if (in->has_sib) {
            if (!(in->mod == 0 && in->base == 5)) {
                off += reg_get(cpu, in->base, 4);
                if (in->base == REG_SP || in->base == REG_BP)
                    seg = SEG_SS;
            }
            if (in->index != 4)
                off += reg_get(cpu, in->index, 4) << in->scale;
        } else if (!(in->mod == 0 && in->rm == 5)) {
            off += reg_get(cpu, in->rm, 4);
            if (in->rm == REG_BP)
                seg = SEG_SS;
        }
        off += (uint32_t)in->disp;
    }
    if (in->seg != SEG_NONE)
        seg = in->seg;
    if (offp != NULL)
        *offp = off;
    return seg_get(cpu, seg)->base + off;
}

struct loc rm_loc(struct exec *e, unsigned size)
{
    struct loc l = { false, 0, 0, size };

    if (e->in->mod == 3) {
        l.is_reg = true;
        l.reg = e->in->rm;
    } else {
        l.lin = ea_linear(e, NULL);
    }
    return l;
}

struct loc reg_loc(unsigned reg, unsigned size)
{
    struct loc l = { true, reg, 0, size };

    return l;
}

/* moffs (A0-A3): DS (or the override) + the offset */
static struct loc moffs_loc(struct exec *e, unsigned size)
{
    unsigned seg = e->in->seg != SEG_NONE ? e->in->seg : SEG_DS;
    uint32_t off = (uint32_t)e->in->disp;
    struct loc l = { false, 0, 0, size };

    if (e->in->asize == 2)
        off &= 0xffff;
    l.lin = seg_get(e->cpu, seg)->base + off;
    return l;
}

enum x86_step loc_read(struct exec *e, const struct loc *l,
                              uint32_t *v)
{
    if (l->is_reg) {
        *v = reg_get(e->cpu, l->reg, l->size);
        return X86_NEXT;
    }
    return mem_read(e->cpu, l->lin, l->size, v);
}

enum x86_step loc_write(struct exec *e, const struct loc *l,
                               uint32_t v)
{
    if (l->is_reg) {
        reg_set(e->cpu, l->reg, l->size, v);
        return X86_NEXT;
    }
    return mem_write(e->cpu, l->lin, l->size, v);
}

uint32_t ip_mask(const struct exec *e)
{
    return e->v == 2 ? 0xffffu : 0xffffffffu;
}

void jump_rel(struct exec *e, int32_t rel)
{
    e->next = (e->next + (uint64_t)(int64_t)rel) & ip_mask(e);
}

int32_t rel_imm(const struct exec *e)
{
    if (e->in->opnd[0] == OP_JB)
        return (int8_t)e->in->imm;
    return e->v == 2 ? (int16_t)e->in->imm : (int32_t)e->in->imm;
}

/* ------------------------------------------------------------------ */
/* Instruction families                                                 */
/* ------------------------------------------------------------------ */

/* 00-3F, 80-83: dst op= src */
static enum x86_step exec_alu(struct exec *e, enum alu_op op,
                              const struct loc *dst, uint32_t src)
{
    uint32_t a, res, f = flags_get(e);

    TRY(loc_read(e, dst, &a));
    res = alu_arith(op, a, src, dst->size, &f);
    if (op != ALU_CMP)
        TRY(loc_write(e, dst, res));
    flags_set(e, f);
    return X86_NEXT;
}

static enum x86_step exec_alu_forms(struct exec *e)
{
    const struct x86_insn *in = e->in;
    enum alu_op op = (enum alu_op)(in->op >> 3);
    unsigned size = (in->op & 1) ? e->v : 1;
    struct loc dst, src;
    uint32_t s;

    switch (in->op & 7) {
    case 0: case 1:
        dst = rm_loc(e, size);
        src = reg_loc(in->reg, size);
        break;
    case 2: case 3:
        dst = reg_loc(in->reg, size);
        src = rm_loc(e, size);
        break;
    default:
        dst = reg_loc(REG_AX, size);
        return exec_alu(e, op, &dst, in->imm);
    }
    TRY(loc_read(e, &src, &s));
    return exec_alu(e, op, &dst, s);
}

static enum x86_step exec_group1(struct exec *e)
{
    unsigned size = e->in->op == 0x80 ? 1 : e->v;
    struct loc dst = rm_loc(e, size);
    uint32_t imm = e->in->imm;

    if (e->in->op == 0x83)
        imm = alu_sext(imm, 1);
    return exec_alu(e, (enum alu_op)e->in->reg, &dst, imm);
}

static enum x86_step exec_shift(struct exec *e)
{
    const struct x86_insn *in = e->in;
    unsigned size = (in->op & 1) ? e->v : 1;
    struct loc dst = rm_loc(e, size);
    uint32_t a, res, f = flags_get(e);
    unsigned count;

    if (in->op == 0xc0 || in->op == 0xc1)
        count = in->imm & 0xff;
    else if (in->op == 0xd0 || in->op == 0xd1)
        count = 1;
    else
        count = reg_get(e->cpu, REG_CX, 1);
    TRY(loc_read(e, &dst, &a));
    res = alu_shift((enum alu_shift)in->reg, a, count, size, &f);
    TRY(loc_write(e, &dst, res));
    flags_set(e, f);
    return X86_NEXT;
}

/* F6, F7: test, not, neg, mul, imul, div, idiv */
static enum x86_step exec_group3(struct exec *e)
{
    const struct x86_insn *in = e->in;
    unsigned size = in->op == 0xf6 ? 1 : e->v;
    struct loc dst = rm_loc(e, size);
    uint32_t a, f = flags_get(e), lo, hi, q, rem;
    bool is_signed = in->reg & 1;

    TRY(loc_read(e, &dst, &a));
    switch (in->reg) {
    case 0: case 1:
        alu_test(a, in->imm, size, &f);
        break;
    case 2:
        TRY(loc_write(e, &dst, ~a & alu_mask(size)));
        break;
    case 3:
        TRY(loc_write(e, &dst, alu_neg(a, size, &f)));
        break;
    case 4: case 5:
        alu_mul(reg_get(e->cpu, REG_AX, size), a, size, is_signed, &lo, &hi,
                &f);
        if (size == 1) {
            reg_set(e->cpu, REG_AX, 2, lo | hi << 8);
        } else {
            reg_set(e->cpu, REG_AX, size, lo);
            reg_set(e->cpu, REG_DX, size, hi);
        }
        break;
    default:
        if (size == 1) {
            lo = reg_get(e->cpu, REG_AX, 1);
            hi = reg_get(e->cpu, REG_AX + 4, 1);    /* AH */
        } else {
            lo = reg_get(e->cpu, REG_AX, size);
            hi = reg_get(e->cpu, REG_DX, size);
        }
        if (!alu_div(hi, lo, a, size, is_signed, &q, &rem))
            return bios_interrupt(e->cpu, 0, e->ip, &e->next, true);
        if (size == 1) {
            reg_set(e->cpu, REG_AX, 2, q | rem << 8);
        } else {
            reg_set(e->cpu, REG_AX, size, q);
            reg_set(e->cpu, REG_DX, size, rem);
        }
        break;
    }
    flags_set(e, f);
    return X86_NEXT;
}

/* FE, FF: inc, dec, call, jmp, push */
static enum x86_step exec_group5(struct exec *e)
{
    const struct x86_insn *in = e->in;
    unsigned size = in->op == 0xfe ? 1 : e->v;
    struct loc dst = rm_loc(e, size);
    uint32_t a, sel, f = flags_get(e);

    TRY(loc_read(e, &dst, &a));
    switch (in->reg) {
    case 0:
        TRY(loc_write(e, &dst, alu_inc(a, size, &f)));
        flags_set(e, f);
        return X86_NEXT;
    case 1:
        TRY(loc_write(e, &dst, alu_dec(a, size, &f)));
        flags_set(e, f);
        return X86_NEXT;
    case 2:
        TRY(stack_push(e->cpu, e->v, (uint32_t)e->next));
        e->next = a & ip_mask(e);
        return X86_NEXT;
    case 3: case 5:                 /* callf, jmpf m16:16 (m16:32) */
        TRY(mem_read(e->cpu, dst.lin + e->v, 2, &sel));
        if (in->reg == 3) {
            TRY(stack_push(e->cpu, e->v, e->cpu->vcpu->sregs.cs.selector));
            TRY(stack_push(e->cpu, e->v, (uint32_t)e->next));
        }
        seg_load(e->cpu, SEG_CS, (uint16_t)sel);
        e->next = a & ip_mask(e);
        return X86_NEXT;
    case 4:
        e->next = a & ip_mask(e);
        return X86_NEXT;
    default:
        return stack_push(e->cpu, e->v, a);
    }
}

/* bt, bts, btr, btc (0F A3 AB B3 BB with a register offset, 0F BA with
 * an immediate): CF is the bit.  A register offset on a memory operand
 * addresses the bit string from there, signed, in operand-size steps. */
static enum x86_step exec_bt(struct exec *e)
{
    const struct x86_insn *in = e->in;
    unsigned w = e->v, bits = 8 * w, kind;
    struct loc l = rm_loc(e, w);
    uint32_t v, off, bit, f = flags_get(e);

    if (in->op == 0x0fba) {
        kind = in->reg & 3;
        off = in->imm & (bits - 1);
    } else {
        kind = (in->op >> 3) & 3;               /* a3 0, ab 1, b3 2, bb 3 */
        off = reg_get(e->cpu, in->reg, w);
        if (!l.is_reg) {
            int32_t soff = (int32_t)alu_sext(off, w);

            l.lin += (uint64_t)(int64_t)((soff >> (w == 2 ? 4 : 5)) *
                                         (int32_t)w);
        }
        off &= bits - 1;
    }
    bit = 1u << off;
    TRY(loc_read(e, &l, &v));
    f = (f & ~X86_CF) | ((v & bit) ? X86_CF : 0);
    if (kind != 0)
        TRY(loc_write(e, &l, kind == 1 ? v | bit : kind == 2 ? v & ~bit
                                                           : v ^ bit));
    flags_set(e, f);
    return X86_NEXT;
}

/* bsf, bsr: ZF when the source is 0, and then the destination is kept */
static enum x86_step exec_bitscan(struct exec *e)
{
    struct loc src = rm_loc(e, e->v);
    uint32_t v, f = flags_get(e);
    unsigned i;

    TRY(loc_read(e, &src, &v));
    if (v == 0) {
        flags_set(e, f | X86_ZF);
        return X86_NEXT;
    }
    if (e->in->op == 0x0fbc)
        for (i = 0; !(v & (1u << i)); i++)
            ;
    else
        for (i = 8 * e->v - 1; !(v & (1u << i)); i--)
            ;
    reg_set(e->cpu, e->in->reg, e->v, i);
    flags_set(e, f & ~X86_ZF);
    return X86_NEXT;
}

/* 0F xx */
static enum x86_step exec_0f(struct exec *e)
{
    const struct x86_insn *in = e->in;
    struct x86_cpu *cpu = e->cpu;
    uint8_t b = (uint8_t)in->op;
    KvmRun *run;
    struct loc src, dst;
    uint32_t v, f = flags_get(e);

    if (b >= 0x80 && b <= 0x8f) {
        if (alu_cond(b & 15, f))
            jump_rel(e, rel_imm(e));
        return X86_NEXT;
    }
    if (b >= 0x90 && b <= 0x9f) {
        dst = rm_loc(e, 1);
        return loc_write(e, &dst, alu_cond(b & 15, f) ? 1 : 0);
    }
    if (b >= 0x40 && b <= 0x4f) {
        src = rm_loc(e, e->v);
        TRY(loc_read(e, &src, &v));
        if (alu_cond(b & 15, f))
            reg_set(cpu, in->reg, e->v, v);
        return X86_NEXT;
    }
    if (b >= 0xc8 && b <= 0xcf) {           /* bswap: 32 bits */
        v = reg_get(cpu, b & 7, 4);
        v = (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) |
            (v << 24);
        reg_set(cpu, b & 7, e->v == 4 ? 4 : 2, e->v == 4 ? v : 0);
        return X86_NEXT;
    }
    switch (b) {
    case 0xa3: case 0xab: case 0xb3: case 0xbb: case 0xba:
        return exec_bt(e);
    case 0xbc: case 0xbd:
        return exec_bitscan(e);
    case 0xaf:
        src = rm_loc(e, e->v);
        TRY(loc_read(e, &src, &v));
        v = alu_imul_trunc(reg_get(cpu, in->reg, e->v), v, e->v, &f);
        reg_set(cpu, in->reg, e->v, v);
        flags_set(e, f);
        return X86_NEXT;
    case 0xa4: case 0xa5: case 0xac: case 0xad:
        dst = rm_loc(e, e->v);
        TRY(loc_read(e, &dst, &v));
        v = alu_shift_double(b < 0xac, v, reg_get(cpu, in->reg, e->v),
                             (b & 1) ? reg_get(cpu, REG_CX, 1) : in->imm,
                             e->v, &f);
        TRY(loc_write(e, &dst, v));
        flags_set(e, f);
        return X86_NEXT;
    case 0xb6: case 0xb7: case 0xbe: case 0xbf:
        src = rm_loc(e, (b & 1) ? 2 : 1);
        TRY(loc_read(e, &src, &v));
        if (b >= 0xbe)
            v = alu_sext(v, src.size);
        reg_set(cpu, in->reg, e->v, v);
        return X86_NEXT;
    case 0x01:                      /* vmcall */
        cpu->vcpu->regs.rip = e->next;
        run = exit_begin(cpu, KVM_EXIT_HYPERCALL);
        run->hypercall.nr = cpu->vcpu->regs.rax;
        run->hypercall.args[0] = cpu->vcpu->regs.rbx;
        run->hypercall.args[1] = cpu->vcpu->regs.rcx;
        run->hypercall.args[2] = cpu->vcpu->regs.rdx;
        run->hypercall.args[3] = cpu->vcpu->regs.rsi;
        cpu->pending = X86_PENDING_HYPERCALL;
        return X86_EXIT;
    case 0x31:                      /* rdtsc */
        cpu->vcpu->regs.rip = e->next;
        run = exit_begin(cpu, WW_EXIT_RDTSC);
        run->rdtsc.tsc = cpu->tsc;
        cpu->pending = X86_PENDING_RDTSC;
        return X86_EXIT;
    case 0xa2:                      /* cpuid */
        cpu->vcpu->regs.rip = e->next;
        run = exit_begin(cpu, WW_EXIT_CPUID);
        run->cpuid.function = (uint32_t)cpu->vcpu->regs.rax;
        run->cpuid.index = (uint32_t)cpu->vcpu->regs.rcx;
        cpu->pending = X86_PENDING_CPUID;
        return X86_EXIT;
    default:                        /* push/pop fs, gs */
        return exec_stack(e);
    }
}

/* the instructions of one opcode byte each */
static enum x86_step exec_misc(struct exec *e)
{
    const struct x86_insn *in = e->in;
    struct x86_cpu *cpu = e->cpu;
    uint32_t a, b, f = flags_get(e), off;
    struct loc l, m;
    unsigned w = e->v;

    switch (in->op) {
    case 0x69: case 0x6b:
        l = rm_loc(e, w);
        TRY(loc_read(e, &l, &a));
        b = in->op == 0x6b ? alu_sext(in->imm, 1) : in->imm;
        reg_set(cpu, in->reg, w, alu_imul_trunc(a, b, w, &f));
        flags_set(e, f);
        return X86_NEXT;
    case 0x84: case 0x85: case 0xa8: case 0xa9:
        w = (in->op & 1) ? w : 1;
        l = in->op >= 0xa8 ? reg_loc(REG_AX, w) : rm_loc(e, w);
        TRY(loc_read(e, &l, &a));
        b = in->op >= 0xa8 ? in->imm : reg_get(cpu, in->reg, w);
        alu_test(a, b, w, &f);
        flags_set(e, f);
        return X86_NEXT;
    case 0x86: case 0x87:
        w = (in->op & 1) ? w : 1;
        l = rm_loc(e, w);
        TRY(loc_read(e, &l, &a));
        b = reg_get(cpu, in->reg, w);
        TRY(loc_write(e, &l, b));
        reg_set(cpu, in->reg, w, a);
        return X86_NEXT;
    case 0x88: case 0x89:
        w = (in->op & 1) ? w : 1;
        l = rm_loc(e, w);
        return loc_write(e, &l, reg_get(cpu, in->reg, w));
    case 0x8a: case 0x8b:
        w = (in->op & 1) ? w : 1;
        l = rm_loc(e, w);
        TRY(loc_read(e, &l, &a));
        reg_set(cpu, in->reg, w, a);
        return X86_NEXT;
    case 0x8c:
        l = rm_loc(e, in->mod == 3 ? w : 2);
        return loc_write(e, &l, seg_get(cpu, in->reg)->selector);
    case 0x8e:
        l = rm_loc(e, 2);
        TRY(loc_read(e, &l, &a));
        seg_load(cpu, in->reg, (uint16_t)a);
        return X86_NEXT;
    case 0x8d:
        ea_linear(e, &off);
        reg_set(cpu, in->reg, w, off);
        return X86_NEXT;
    case 0x98:
        reg_set(cpu, REG_AX, w, alu_sext(reg_get(cpu, REG_AX, w / 2), w / 2));
        return X86_NEXT;
    case 0x99:
        a = reg_get(cpu, REG_AX, w) & alu_sign(w);
        reg_set(cpu, REG_DX, w, a ? 0xffffffffu : 0);
        return X86_NEXT;
    case 0x9e:
        f = (f & ~0xd5u) | (reg_get(cpu, REG_AX + 4, 1) & 0xd5u);
        flags_set(e, f);
        return X86_NEXT;
    case 0x9f:
        reg_set(cpu, REG_AX + 4, 1, (f & 0xd5u) | WW_RFLAGS_FIXED);
        return X86_NEXT;
    case 0xa0: case 0xa1: case 0xa2: case 0xa3:
        w = (in->op & 1) ? w : 1;
        l = moffs_loc(e, w);
        if (in->op >= 0xa2)
            return loc_write(e, &l, reg_get(cpu, REG_AX, w));
        TRY(loc_read(e, &l, &a));
        reg_set(cpu, REG_AX, w, a);
        return X86_NEXT;
    case 0xc6: case 0xc7:
        w = (in->op & 1) ? w : 1;
        l = rm_loc(e, w);
        return loc_write(e, &l, in->imm);
    case 0xc4: case 0xc5:           /* les, lds: offset then selector */
        l = rm_loc(e, w);
        TRY(loc_read(e, &l, &a));
        TRY(mem_read(cpu, l.lin + w, 2, &b));
        reg_set(cpu, in->reg, w, a);
        seg_load(cpu, in->op == 0xc4 ? SEG_ES : SEG_DS, (uint16_t)b);
        return X86_NEXT;
    case 0xd7:                      /* xlat: AL = [seg:(E)BX + AL] */
        off = reg_get(cpu, REG_BX, in->asize) + reg_get(cpu, REG_AX, 1);
        if (in->asize == 2)
            off &= 0xffff;
        TRY(mem_read(cpu, seg_get(cpu, in->seg != SEG_NONE ? in->seg
                                                           : SEG_DS)->base +
                     off, 1, &a));
        reg_set(cpu, REG_AX, 1, a);
        return X86_NEXT;
    case 0xcc:
        return bios_interrupt(cpu, 3, e->ip, &e->next, false);
    case 0xcd:
        return bios_interrupt(cpu, (uint8_t)in->imm, e->ip, &e->next, false);
    case 0xe9: case 0xeb:
        jump_rel(e, rel_imm(e));
        return X86_NEXT;
    case 0xf4:
        cpu->vcpu->regs.rip = e->next;
        cpu->halted = true;
        exit_begin(cpu, KVM_EXIT_HLT);
        return X86_EXIT;
    case 0xf5: f ^= X86_CF; break;
    case 0xf8: f &= ~X86_CF; break;
    case 0xf9: f |= X86_CF; break;
    case 0xfa: f &= ~X86_IF; break;
    case 0xfb: f |= X86_IF; break;
    case 0xfc: f &= ~X86_DF; break;
    case 0xfd: f |= X86_DF; break;
    case 0x90:
        return X86_NEXT;
    default:                        /* 91-97: xchg r, ax */
        m = reg_loc(in->op & 7, w);
        a = reg_get(cpu, REG_AX, w);
        reg_set(cpu, REG_AX, w, reg_get(cpu, m.reg, w));
        reg_set(cpu, m.reg, w, a);
        return X86_NEXT;
    }
    flags_set(e, f);
    return X86_NEXT;
}

static enum x86_step exec_one(struct exec *e)
{
    uint16_t op = e->in->op;
    uint32_t a;

    if (op < 0x40 && (op & 7) < 6)
        return exec_alu_forms(e);
    if (op >= 0x0f00)
        return exec_0f(e);
    if (op >= 0x40 && op <= 0x4f) {
        uint32_t f = flags_get(e);

        a = reg_get(e->cpu, op & 7, e->v);
        a = op < 0x48 ? alu_inc(a, e->v, &f) : alu_dec(a, e->v, &f);
        reg_set(e->cpu, op & 7, e->v, a);
        flags_set(e, f);
        return X86_NEXT;
    }
    if (op >= 0x70 && op <= 0x7f) {
        if (alu_cond(op & 15, flags_get(e)))
            jump_rel(e, rel_imm(e));
        return X86_NEXT;
    }
    if (op >= 0xb0 && op <= 0xbf) {
        reg_set(e->cpu, op & 7, op < 0xb8 ? 1 : e->v, e->in->imm);
        return X86_NEXT;
    }
    switch (op) {
    case 0x80: case 0x81: case 0x83:
        return exec_group1(e);
    case 0xc0: case 0xc1: case 0xd0: case 0xd1: case 0xd2: case 0xd3:
        return exec_shift(e);
    case 0xf6: case 0xf7:
        return exec_group3(e);
    case 0xfe: case 0xff:
        return exec_group5(e);
    case 0xa4: case 0xa5: case 0xa6: case 0xa7: case 0xaa: case 0xab:
    case 0xac: case 0xad: case 0xae: case 0xaf:
        return exec_string(e);
    case 0xe4: case 0xe5: case 0xe6: case 0xe7:
    case 0xec: case 0xed: case 0xee: case 0xef:
        return exec_io(e);
    case 0xe0: case 0xe1: case 0xe2: case 0xe3:
        return exec_loop(e);
    case 0x06: case 0x07: case 0x0e: case 0x16: case 0x17: case 0x1e:
    case 0x1f: case 0x60: case 0x61: case 0x68: case 0x6a: case 0x8f:
    case 0x9c: case 0x9d: case 0xc8: case 0xc9:
        return exec_stack(e);
    case 0xe8: case 0xc2: case 0xc3: case 0xca: case 0xcb: case 0x9a:
    case 0xea: case 0xcf:
        return exec_transfer(e);
    default:
        if (op >= 0x50 && op <= 0x5f)
            return exec_stack(e);
        return exec_misc(e);
    }
}

/* Up to 15 instruction bytes at CS:ip that are RAM the EPT lets run */
static size_t fetch(struct x86_cpu *cpu, uint64_t ip, uint8_t *code)
{
    uint64_t lin = cpu->vcpu->sregs.cs.base + ip;
    const uint8_t *p = ept_translate(cpu->ept, lin, EPT_EXEC);
    size_t n;

    if (p == NULL)
        return 0;
    if ((lin & (WW_PAGE_SIZE - 1)) + X86_MAX_INSN <= WW_PAGE_SIZE) {
        memcpy(code, p, X86_MAX_INSN);
        return X86_MAX_INSN;
    }
    code[0] = *p;
    for (n = 1; n < X86_MAX_INSN; n++) {
        p = ept_translate(cpu->ept, lin + n, EPT_EXEC);
        if (p == NULL)
            break;
        code[n] = *p;
    }
    return n;
}

enum x86_step x86_step(struct x86_cpu *cpu)
{
    KvmRegs *r = &cpu->vcpu->regs;
    uint8_t code[X86_MAX_INSN];
    struct x86_insn in;
    struct exec e;
    enum x86_decode_status st;
    enum x86_step rc;
    size_t avail;

    avail = fetch(cpu, r->rip, code);
    if (avail == 0)
        return exit_fault(cpu, X86_FAULT_FETCH, r->rip, 0, 0);
    st = x86_decode(code, avail, &in);
    if (st == X86_DECODE_SHORT && avail < X86_MAX_INSN)
        return exit_fault(cpu, X86_FAULT_FETCH, r->rip, 0, 0);
    if (st != X86_DECODE_OK)
        return exit_fault(cpu, X86_FAULT_OPCODE, r->rip, 0, 0);
    if (cpu->trace != NULL && !cpu->mmio_cached)
        cpu->trace(cpu->trace_ctx, &in, cpu->vcpu->sregs.cs.selector,
                   r->rip);
    e.cpu = cpu;
    e.in = &in;
    e.r = r;
    e.ip = r->rip;
    e.next = (r->rip + in.len) & 0xffff;
    e.v = in.osize;
    rc = exec_one(&e);
    /* faults and MMIO reads leave RIP where it was; the other exits have
     * set it past the instruction already */
    if (rc == X86_EXIT)
        return X86_EXIT;
    r->rip = e.next;
    return cpu->exit_ready ? X86_EXIT : X86_NEXT;
}
