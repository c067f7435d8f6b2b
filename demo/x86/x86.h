/* x86.h - the demo's real-mode CPU core: runs a KvmVcpu's registers on an EPT
 *
 * The fuller interpreter of bin/westworld.  It stands where kvm_run() stands
 * in the exercise: x86_run() executes the registers and segment registers of
 * a KvmVcpu (the contract's struct kvm_regs / kvm_sregs) on the guest-physical
 * memory an EptContext maps, until an instruction needs the VMM, and then
 * describes that exit in the vCPU's kvm_run mapping exactly as kvm_run()
 * would: IO (data at data_offset on the second page), MMIO (an access the
 * EPT does not map: a hole, or a write to a read-only slot), HLT, SHUTDOWN,
 * INTERNAL_ERROR, and the bonus's HYPERCALL, WW_EXIT_CPUID and
 * WW_EXIT_RDTSC.  The VMM then handles it (ford_says_freeze(), or its own
 * devices) and calls x86_run() again, which completes the exit first (IN,
 * MMIO read, CPUID, RDTSC, hypercall: the answer goes to the registers).
 *
 * Memory is reached only through ept_translate(): a page the EPT does not
 * map is MMIO, as for KVM.  The core keeps its own state (what the next run
 * owes, the instruction count, the TSC, why it stopped) in struct x86_cpu
 * and never touches the simulator fields of KvmVcpu.
 */
#ifndef X86_H
#define X86_H

#include "hypervisor_sim.h"
#include "decode.h"

#include <signal.h>

/* Why x86_run() returned */
enum x86_stop {
    X86_EXITED,         /* an exit is described in vcpu->kvm_run */
    X86_BUDGET,         /* the instruction budget is spent */
    X86_STOPPED         /* *stop became non-zero (a signal) */
};

/* Why the last SHUTDOWN or INTERNAL_ERROR happened */
enum x86_fault_kind {
    X86_FAULT_NONE,
    X86_FAULT_OPCODE,       /* bytes the core does not run */
    X86_FAULT_EXCEPTION,    /* an exception (vector) with no IVT handler */
    X86_FAULT_NO_SERVICE,   /* int vector: no IVT handler, no BIOS service */
    X86_FAULT_BIOS_FUNCTION,/* int 0x10 with an AH the BIOS lacks */
    X86_FAULT_FETCH,        /* instruction bytes outside RAM */
    X86_FAULT_MMIO_TWICE    /* one instruction, two MMIO writes */
};

struct x86_fault {
    enum x86_fault_kind kind;
    uint16_t cs;
    uint64_t ip;
    uint8_t  bytes[X86_MAX_INSN];   /* what was at CS:IP */
    uint8_t  nbytes;
    uint8_t  vector;                /* EXCEPTION, NO_SERVICE, BIOS_FUNCTION */
    uint8_t  function;              /* BIOS_FUNCTION: AH */
};

/* Called before each instruction runs, with its decoded form and CS:IP */
typedef void x86_trace_fn(void *ctx, const struct x86_insn *insn,
                          uint16_t cs, uint64_t ip);

/* What the next run owes the guest */
enum x86_pending {
    X86_PENDING_NONE, X86_PENDING_IN, X86_PENDING_MMIO_READ,
    X86_PENDING_HYPERCALL, X86_PENDING_CPUID, X86_PENDING_RDTSC
};

struct x86_cpu {
    KvmVcpu    *vcpu;       /* registers and kvm_run: borrowed */
    EptContext *ept;        /* guest-physical memory: borrowed */
    enum x86_pending pending;
    uint8_t     pending_size;   /* IN: 1, 2 or 4 bytes into AL/AX/EAX */
    /* an MMIO read answered by the VMM, for the instruction run again */
    bool        mmio_cached;
    uint64_t    mmio_gpa;
    uint8_t     mmio_len;
    uint8_t     mmio_data[8];
    bool        exit_ready;     /* this instruction made an MMIO write exit */
    bool        halted;
    uint64_t    instructions;   /* retired */
    uint64_t    tsc;            /* 1 per instruction, 1000 per exit */
    struct x86_fault fault;
    x86_trace_fn *trace;
    void       *trace_ctx;
};

/* Attaches the core to vcpu and ept; the vCPU's registers are its state */
void x86_init(struct x86_cpu *cpu, KvmVcpu *vcpu, EptContext *ept);

/* Completes the pending exit, then runs until an exit, until *budget
 * instructions have retired (decremented as they do; NULL: no budget) or
 * until *stop (may be NULL) is non-zero. */
enum x86_stop x86_run(struct x86_cpu *cpu, uint64_t *budget,
                      volatile sig_atomic_t *stop);

#endif /* X86_H */
