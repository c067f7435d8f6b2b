/* exec_flow.c - the executor's stack, control transfers, loops, strings, I/O */
#include "exec.h"
#include "alu.h"

/* enter: push BP, copy level - 1 frame pointers, push the new frame's,
 * BP = the frame, SP below it by size */
static enum x86_step exec_enter(struct exec *e)
{
    struct x86_cpu *cpu = e->cpu;
    unsigned w = e->v, level = e->in->imm2 & 31, i;
    uint32_t frame, bp = reg_get(cpu, REG_BP, w), v;

    TRY(stack_push(cpu, w, bp));
    frame = reg_get(cpu, REG_SP, w);
    for (i = 1; i < level; i++) {
        bp -= w;
        TRY(mem_read(cpu, cpu->vcpu->sregs.ss.base + (uint16_t)bp, w, &v));
        TRY(stack_push(cpu, w, v));
    }
    if (level > 0)
        TRY(stack_push(cpu, w, frame));
    reg_set(cpu, REG_BP, w, frame);
    reg_set(cpu, REG_SP, 2,
            (uint16_t)(cpu->vcpu->regs.rsp - (e->in->imm & 0xffff)));
    return X86_NEXT;
}

enum x86_step exec_stack(struct exec *e)
{
    const struct x86_insn *in = e->in;
    struct x86_cpu *cpu = e->cpu;
    uint32_t v, vals[8];
    unsigned i, w = e->v;

    switch (in->op) {
    case 0x60:                      /* pusha: SP as it was before */
        for (i = 0; i < 8; i++)
            vals[i] = reg_get(cpu, i, w);
        for (i = 0; i < 8; i++)
            TRY(stack_push(cpu, w, vals[i]));
        return X86_NEXT;
    case 0x61:                      /* popa: DI first, SP skipped */
        for (i = 0; i < 8; i++)
            TRY(stack_peek(cpu, i * w, w, &vals[7 - i]));
        for (i = 0; i < 8; i++)
            if (i != REG_SP)
                reg_set(cpu, i, w, vals[i]);
        sp_add(cpu, 8 * w);
        return X86_NEXT;
    case 0x68:
        return stack_push(cpu, w, in->imm);
    case 0x6a:
        return stack_push(cpu, w, alu_sext(in->imm, 1));
    case 0x8f: {
        struct loc dst = rm_loc(e, w);

        TRY(stack_peek(cpu, 0, w, &v));
        sp_add(cpu, w);
        return loc_write(e, &dst, v);
    }
    case 0x9c:
        return stack_push(cpu, w, flags_get(e) & (w == 2 ? 0xffffu
                                                         : 0x00fcffffu));
    case 0x9d:
        TRY(stack_peek(cpu, 0, w, &v));
        sp_add(cpu, w);
        flags_set(e, (flags_get(e) & ~POPF_FLAGS) | (v & POPF_FLAGS));
        return X86_NEXT;
    case 0xc8:                      /* enter size, level */
        return exec_enter(e);
    case 0xc9:                      /* leave: SP = BP, pop BP */
        reg_set(cpu, REG_SP, w, reg_get(cpu, REG_BP, w));
        TRY(stack_peek(cpu, 0, w, &v));
        sp_add(cpu, w);
        reg_set(cpu, REG_BP, w, v);
        return X86_NEXT;
    default:
        break;
    }
    if (in->opnd[0] == OP_SEG) {
        if ((in->op & 1) == 0)      /* push: 06 0e 16 1e 0f a0, 0f a8 */
            return stack_push(cpu, w, seg_get(cpu, in->fixed_seg)->selector);
        TRY(stack_peek(cpu, 0, w, &v));
        sp_add(cpu, w);
        seg_load(cpu, in->fixed_seg, (uint16_t)v);
        return X86_NEXT;
    }
    if (in->op >= 0x50 && in->op <= 0x57)
        return stack_push(cpu, w, reg_get(cpu, in->op & 7, w));
    /* 58-5F */
    TRY(stack_peek(cpu, 0, w, &v));
    sp_add(cpu, w);
    reg_set(cpu, in->op & 7, w, v);
    return X86_NEXT;
}

/* call, ret, far transfers, iret */
enum x86_step exec_transfer(struct exec *e)
{
    const struct x86_insn *in = e->in;
    struct x86_cpu *cpu = e->cpu;
    unsigned w = e->v;
    uint32_t ip, cs, fl;

    switch (in->op) {
    case 0xe8:
        TRY(stack_push(cpu, w, (uint32_t)e->next));
        jump_rel(e, rel_imm(e));
        return X86_NEXT;
    case 0xc2: case 0xc3:
        TRY(stack_peek(cpu, 0, w, &ip));
        sp_add(cpu, w + (in->op == 0xc2 ? (in->imm & 0xffff) : 0));
        e->next = ip & ip_mask(e);
        return X86_NEXT;
    case 0xca: case 0xcb:
        TRY(stack_peek(cpu, 0, w, &ip));
        TRY(stack_peek(cpu, w, w, &cs));
        sp_add(cpu, 2 * w + (in->op == 0xca ? (in->imm & 0xffff) : 0));
        seg_load(cpu, SEG_CS, (uint16_t)cs);
        e->next = ip & ip_mask(e);
        return X86_NEXT;
    case 0x9a:
        TRY(stack_push(cpu, w, cpu->vcpu->sregs.cs.selector));
        TRY(stack_push(cpu, w, (uint32_t)e->next));
        /* FALLTHROUGH */
    case 0xea:
        seg_load(cpu, SEG_CS, in->imm2);
        e->next = in->imm & ip_mask(e);
        return X86_NEXT;
    default:                        /* cf: iret */
        TRY(stack_peek(cpu, 0, w, &ip));
        TRY(stack_peek(cpu, w, w, &cs));
        TRY(stack_peek(cpu, 2 * w, w, &fl));
        sp_add(cpu, 3 * w);
        seg_load(cpu, SEG_CS, (uint16_t)cs);
        e->next = ip & ip_mask(e);
        flags_set(e, (flags_get(e) & ~POPF_FLAGS) | (fl & POPF_FLAGS));
        return X86_NEXT;
    }
}

enum x86_step exec_loop(struct exec *e)
{
    const struct x86_insn *in = e->in;
    unsigned a = in->asize;
    uint32_t cx = reg_get(e->cpu, REG_CX, a);
    bool zf = (flags_get(e) & X86_ZF) != 0, take;

    if (in->op == 0xe3) {
        take = cx == 0;
    } else {
        cx = (cx - 1) & alu_mask(a);
        reg_set(e->cpu, REG_CX, a, cx);
        take = cx != 0 && (in->op == 0xe2 || (in->op == 0xe1) == zf);
    }
    if (take)
        jump_rel(e, (int8_t)in->imm);
    return X86_NEXT;
}

/* the string instructions, one iteration each step: with rep, IP stays
 * on the instruction until the count runs out, as an interrupt window */
enum x86_step exec_string(struct exec *e)
{
    const struct x86_insn *in = e->in;
    struct x86_cpu *cpu = e->cpu;
    unsigned size = (in->op & 1) ? e->v : 1, a = in->asize;
    unsigned src_seg = in->seg != SEG_NONE ? in->seg : SEG_DS;
    uint32_t si = reg_get(cpu, REG_SI, a), di = reg_get(cpu, REG_DI, a);
    uint32_t count = reg_get(cpu, REG_CX, a), x = 0, y = 0, f;
    uint32_t step = (flags_get(e) & X86_DF) ? (uint32_t)-size : size;
    uint64_t src = seg_get(cpu, src_seg)->base + si;
    uint64_t dst = cpu->vcpu->sregs.es.base + di;
    bool cmp = false;
    uint8_t op = (uint8_t)(in->op & 0xfe);

    if (in->rep && count == 0)
        return X86_NEXT;
    switch (op) {
    case 0xa4:                      /* movs */
        TRY(mem_read(cpu, src, size, &x));
        TRY(mem_write(cpu, dst, size, x));
        reg_set(cpu, REG_SI, a, si + step);
        reg_set(cpu, REG_DI, a, di + step);
        break;
    case 0xa6:                      /* cmps */
        TRY(mem_read(cpu, src, size, &x));
        TRY(mem_read(cpu, dst, size, &y));
        f = flags_get(e);
        alu_arith(ALU_CMP, x, y, size, &f);
        flags_set(e, f);
        reg_set(cpu, REG_SI, a, si + step);
        reg_set(cpu, REG_DI, a, di + step);
        cmp = true;
        break;
    case 0xaa:                      /* stos */
        TRY(mem_write(cpu, dst, size, reg_get(cpu, REG_AX, size)));
        reg_set(cpu, REG_DI, a, di + step);
        break;
    case 0xac:                      /* lods */
        TRY(mem_read(cpu, src, size, &x));
        reg_set(cpu, REG_AX, size, x);
        reg_set(cpu, REG_SI, a, si + step);
        break;
    default:                        /* scas */
        TRY(mem_read(cpu, dst, size, &y));
        f = flags_get(e);
        alu_arith(ALU_CMP, reg_get(cpu, REG_AX, size), y, size, &f);
        flags_set(e, f);
        reg_set(cpu, REG_DI, a, di + step);
        cmp = true;
        break;
    }
    if (!in->rep)
        return X86_NEXT;
    reg_set(cpu, REG_CX, a, --count);
    if (count == 0)
        return X86_NEXT;
    if (cmp && ((in->rep == 0xf3) != ((flags_get(e) & X86_ZF) != 0)))
        return X86_NEXT;
    e->next = e->ip;                /* once more */
    return X86_NEXT;
}

enum x86_step exec_io(struct exec *e)
{
    const struct x86_insn *in = e->in;
    unsigned size = (in->op & 1) ? e->v : 1;
    uint16_t port = in->op >= 0xec ? (uint16_t)reg_get(e->cpu, REG_DX, 2)
                                   : (uint16_t)(in->imm & 0xff);
    bool out = (in->op & 2) != 0;

    e->cpu->vcpu->regs.rip = e->next;
    return exit_io(e->cpu, out ? KVM_EXIT_IO_OUT : KVM_EXIT_IO_IN, port,
                   size, out ? reg_get(e->cpu, REG_AX, size) : 0);
}

