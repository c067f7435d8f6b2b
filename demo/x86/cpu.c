/* cpu.c - the run loop of the CPU core: completions, memory, registers, exits */
#include "core.h"

#include <string.h>

#define PIO_OFFSET ((uint64_t)KVM_PIO_PAGE_OFFSET * WW_PAGE_SIZE)
#define TSC_PER_EXIT 1000u
#define X86_FAULT_BYTES 4u      /* shown of an opcode that does not decode */

void x86_init(struct x86_cpu *cpu, KvmVcpu *vcpu, EptContext *ept)
{
    memset(cpu, 0, sizeof(*cpu));
    cpu->vcpu = vcpu;
    cpu->ept = ept;
}

/* ------------------------------------------------------------------ */
/* Registers                                                            */
/* ------------------------------------------------------------------ */

static uint64_t *gpr(const struct x86_cpu *cpu, unsigned r)
{
    KvmRegs *regs = &cpu->vcpu->regs;

    switch (r & 7) {
    case REG_AX: return &regs->rax;
    case REG_CX: return &regs->rcx;
    case REG_DX: return &regs->rdx;
    case REG_BX: return &regs->rbx;
    case REG_SP: return &regs->rsp;
    case REG_BP: return &regs->rbp;
    case REG_SI: return &regs->rsi;
    default:     return &regs->rdi;
    }
}

uint32_t reg_get(const struct x86_cpu *cpu, unsigned r, unsigned size)
{
    if (size == 1)
        return r < 4 ? (uint32_t)(*gpr(cpu, r) & 0xff)
                     : (uint32_t)((*gpr(cpu, r - 4) >> 8) & 0xff);
    if (size == 2)
        return (uint32_t)(*gpr(cpu, r) & 0xffff);
    return (uint32_t)*gpr(cpu, r);
}

void reg_set(struct x86_cpu *cpu, unsigned r, unsigned size, uint32_t v)
{
    uint64_t *p;

    if (size == 1 && r >= 4) {
        p = gpr(cpu, r - 4);
        *p = (*p & ~(uint64_t)0xff00) | (uint64_t)(v & 0xff) << 8;
        return;
    }
    p = gpr(cpu, r);
    if (size == 1)
        *p = (*p & ~(uint64_t)0xff) | (v & 0xff);
    else if (size == 2)
        *p = (*p & ~(uint64_t)0xffff) | (v & 0xffff);
    else
        *p = (*p & ~(uint64_t)0xffffffffu) | v;
}

KvmSegment *seg_get(struct x86_cpu *cpu, unsigned s)
{
    KvmSregs *sr = &cpu->vcpu->sregs;

    switch (s) {
    case SEG_ES: return &sr->es;
    case SEG_CS: return &sr->cs;
    case SEG_SS: return &sr->ss;
    case SEG_FS: return &sr->fs;
    case SEG_GS: return &sr->gs;
    default:     return &sr->ds;
    }
}

void seg_load(struct x86_cpu *cpu, unsigned s, uint16_t selector)
{
    KvmSegment *seg = seg_get(cpu, s);

    seg->selector = selector;
    seg->base = (uint64_t)selector << 4;
}

/* ------------------------------------------------------------------ */
/* Exits                                                                */
/* ------------------------------------------------------------------ */

KvmRun *exit_begin(struct x86_cpu *cpu, uint32_t reason)
{
    KvmRun *run = cpu->vcpu->kvm_run;

    memset(&run->hw, 0, sizeof(run->padding));
    run->exit_reason = reason;
    return run;
}

enum x86_step exit_io(struct x86_cpu *cpu, uint8_t dir, uint16_t port,
                      unsigned size, uint32_t value)
{
    KvmRun *run = exit_begin(cpu, KVM_EXIT_IO);
    uint8_t *data = (uint8_t *)run + PIO_OFFSET;
    unsigned i;

    run->io.direction = dir;
    run->io.size = (uint8_t)size;
    run->io.port = port;
    run->io.count = 1;
    run->io.data_offset = PIO_OFFSET;
    for (i = 0; i < size; i++)
        data[i] = dir == KVM_EXIT_IO_OUT ? (uint8_t)(value >> (8 * i)) : 0;
    if (dir == KVM_EXIT_IO_IN) {
        cpu->pending = X86_PENDING_IN;
        cpu->pending_size = (uint8_t)size;
    }
    return X86_EXIT;
}

/* up to 15 bytes at CS:ip that are RAM, for the fault's record */
static uint8_t peek_code(struct x86_cpu *cpu, uint64_t ip, uint8_t *buf)
{
    uint64_t lin = cpu->vcpu->sregs.cs.base + ip;
    uint8_t n;

    for (n = 0; n < X86_MAX_INSN; n++) {
        const uint8_t *p = ept_translate(cpu->ept, lin + n, EPT_READ);

        if (p == NULL)
            break;
        buf[n] = *p;
    }
    return n;
}

enum x86_step exit_fault(struct x86_cpu *cpu, enum x86_fault_kind kind,
                         uint64_t ip, uint8_t vector, uint8_t function)
{
    struct x86_fault *f = &cpu->fault;
    struct x86_insn in;
    KvmRun *run;

    memset(f, 0, sizeof(*f));
    f->kind = kind;
    f->cs = cpu->vcpu->sregs.cs.selector;
    f->ip = ip;
    f->vector = vector;
    f->function = function;
    f->nbytes = peek_code(cpu, ip, f->bytes);
    /* the instruction when it decodes, else the bytes that start it */
    if (x86_decode(f->bytes, f->nbytes, &in) == X86_DECODE_OK)
        f->nbytes = in.len;
    else if (f->nbytes > X86_FAULT_BYTES)
        f->nbytes = X86_FAULT_BYTES;
    if (kind == X86_FAULT_FETCH || kind == X86_FAULT_MMIO_TWICE) {
        run = exit_begin(cpu, KVM_EXIT_INTERNAL_ERROR);
        run->internal.suberror = KVM_INTERNAL_ERROR_EMULATION;
    } else {
        exit_begin(cpu, KVM_EXIT_SHUTDOWN);
    }
    cpu->vcpu->regs.rip = ip;
    return X86_EXIT;
}

/* ------------------------------------------------------------------ */
/* Memory                                                               */
/* ------------------------------------------------------------------ */

/* the host bytes of [lin, lin + size) if all are RAM with access */
static bool ram_bytes(struct x86_cpu *cpu, uint64_t lin, unsigned size,
                      uint32_t access, uint8_t **p)
{
    unsigned i;

    for (i = 0; i < size; i++) {
        p[i] = ept_translate(cpu->ept, lin + i, access);
        if (p[i] == NULL)
            return false;
    }
    return true;
}

enum x86_step mem_read(struct x86_cpu *cpu, uint64_t lin, unsigned size,
                       uint32_t *v)
{
    uint8_t *p[4];
    KvmRun *run;
    unsigned i;

    if (ram_bytes(cpu, lin, size, EPT_READ, p)) {
        for (*v = 0, i = 0; i < size; i++)
            *v |= (uint32_t)*p[i] << (8 * i);
        return X86_NEXT;
    }
    if (cpu->mmio_cached && cpu->mmio_gpa == lin && cpu->mmio_len == size) {
        cpu->mmio_cached = false;
        for (*v = 0, i = 0; i < size; i++)
            *v |= (uint32_t)cpu->mmio_data[i] << (8 * i);
        return X86_NEXT;
    }
    /* the VMM answers, then the instruction runs again from its start */
    run = exit_begin(cpu, KVM_EXIT_MMIO);
    run->mmio.phys_addr = lin;
    run->mmio.len = size;
    run->mmio.is_write = 0;
    cpu->pending = X86_PENDING_MMIO_READ;
    return X86_EXIT;
}

enum x86_step mem_write(struct x86_cpu *cpu, uint64_t lin, unsigned size,
                        uint32_t v)
{
    uint8_t *p[4];
    KvmRun *run;
    unsigned i;

    if (ram_bytes(cpu, lin, size, EPT_WRITE, p)) {
        for (i = 0; i < size; i++)
            *p[i] = (uint8_t)(v >> (8 * i));
        return X86_NEXT;
    }
    if (cpu->exit_ready)
        return exit_fault(cpu, X86_FAULT_MMIO_TWICE, cpu->vcpu->regs.rip,
                          0, 0);
    run = exit_begin(cpu, KVM_EXIT_MMIO);
    run->mmio.phys_addr = lin;
    run->mmio.len = size;
    run->mmio.is_write = 1;
    for (i = 0; i < size; i++)
        run->mmio.data[i] = (uint8_t)(v >> (8 * i));
    cpu->exit_ready = true;
    return X86_NEXT;
}

enum x86_step stack_peek(struct x86_cpu *cpu, unsigned off, unsigned size,
                         uint32_t *v)
{
    uint16_t sp = (uint16_t)(cpu->vcpu->regs.rsp + off);

    return mem_read(cpu, cpu->vcpu->sregs.ss.base + sp, size, v);
}

enum x86_step stack_push(struct x86_cpu *cpu, unsigned size, uint32_t v)
{
    uint16_t sp = (uint16_t)(cpu->vcpu->regs.rsp - size);

    if (mem_write(cpu, cpu->vcpu->sregs.ss.base + sp, size, v) == X86_EXIT)
        return X86_EXIT;
    reg_set(cpu, REG_SP, 2, sp);
    return X86_NEXT;
}

void sp_add(struct x86_cpu *cpu, unsigned delta)
{
    reg_set(cpu, REG_SP, 2, (uint16_t)(cpu->vcpu->regs.rsp + delta));
}

/* ------------------------------------------------------------------ */
/* The run loop                                                         */
/* ------------------------------------------------------------------ */

/* The second half of the previous exit: the VMM's answer to the guest */
static void cpu_complete(struct x86_cpu *cpu)
{
    KvmRun *run = cpu->vcpu->kvm_run;
    KvmRegs *r = &cpu->vcpu->regs;
    const uint8_t *data = (const uint8_t *)run + PIO_OFFSET;
    uint32_t v = 0;
    unsigned i;

    switch (cpu->pending) {
    case X86_PENDING_IN:
        for (i = 0; i < cpu->pending_size; i++)
            v |= (uint32_t)data[i] << (8 * i);
        reg_set(cpu, REG_AX, cpu->pending_size, v);
        break;
    case X86_PENDING_MMIO_READ:
        cpu->mmio_cached = true;
        cpu->mmio_gpa = run->mmio.phys_addr;
        cpu->mmio_len = (uint8_t)run->mmio.len;
        memcpy(cpu->mmio_data, run->mmio.data, sizeof(cpu->mmio_data));
        break;
    case X86_PENDING_HYPERCALL:
        r->rax = run->hypercall.ret;
        break;
    case X86_PENDING_CPUID:
        r->rax = run->cpuid.eax;
        r->rbx = run->cpuid.ebx;
        r->rcx = run->cpuid.ecx;
        r->rdx = run->cpuid.edx;
        break;
    case X86_PENDING_RDTSC:
        r->rax = (uint32_t)run->rdtsc.tsc;
        r->rdx = run->rdtsc.tsc >> 32;
        break;
    default:
        break;
    }
    cpu->pending = X86_PENDING_NONE;
}

enum x86_stop x86_run(struct x86_cpu *cpu, uint64_t *budget,
                      volatile sig_atomic_t *stop)
{
    cpu_complete(cpu);
    if (!(cpu->vcpu->regs.rflags & WW_RFLAGS_FIXED)) {
        exit_begin(cpu, KVM_EXIT_FAIL_ENTRY);
        goto exited;
    }
    if (cpu->halted) {
        /* HLT wakes on an interrupt, and nothing here raises one */
        exit_begin(cpu, KVM_EXIT_HLT);
        goto exited;
    }
    for (;;) {
        if (stop != NULL && *stop)
            return X86_STOPPED;
        if (budget != NULL) {
            if (*budget == 0)
                return X86_BUDGET;
        }
        cpu->exit_ready = false;
        if (x86_step(cpu) == X86_EXIT) {
            uint32_t why = cpu->vcpu->kvm_run->exit_reason;

            /* an instruction run again after an MMIO read did not retire,
             * nor did one the core could not run */
            if (cpu->pending != X86_PENDING_MMIO_READ &&
                why != KVM_EXIT_SHUTDOWN && why != KVM_EXIT_INTERNAL_ERROR) {
                cpu->instructions++;
                cpu->tsc++;
                if (budget != NULL)
                    (*budget)--;
            }
            break;
        }
        cpu->instructions++;
        cpu->tsc++;
        if (budget != NULL)
            (*budget)--;
    }
exited:
    cpu->tsc += TSC_PER_EXIT;
    return X86_EXITED;
}
