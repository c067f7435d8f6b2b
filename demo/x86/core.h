/* core.h - what the parts of the CPU core share: registers, memory, exits
 *
 * Internal to demo/x86/.  Memory accesses return X86_EXIT when the
 * instruction must stop here (an MMIO read the VMM has to answer first: the
 * instruction is run again from its start on the next x86_run(), which is
 * why every instruction reads all its operands before it changes any
 * state).  An MMIO write does not stop the instruction: it is described in
 * kvm_run, cpu->exit_ready is set, and the exit is taken when the
 * instruction is done.
 */
#ifndef X86_CORE_H
#define X86_CORE_H

#include "x86.h"

/* What one step says: go on, or an exit is described in kvm_run */
enum x86_step { X86_NEXT, X86_EXIT };

/* exec.c: runs the instruction at CS:IP */
enum x86_step x86_step(struct x86_cpu *cpu);

/* general registers: size 1 is AL..BH (4-7 the high bytes), 2 and 4 the
 * low 16 and 32 bits; a write keeps the bits above the operand */
uint32_t reg_get(const struct x86_cpu *cpu, unsigned r, unsigned size);
void reg_set(struct x86_cpu *cpu, unsigned r, unsigned size, uint32_t v);

/* segment registers in the encoding's order; real mode: base = sel * 16 */
KvmSegment *seg_get(struct x86_cpu *cpu, unsigned s);
void seg_load(struct x86_cpu *cpu, unsigned s, uint16_t selector);

enum x86_step mem_read(struct x86_cpu *cpu, uint64_t lin, unsigned size,
                       uint32_t *v);
enum x86_step mem_write(struct x86_cpu *cpu, uint64_t lin, unsigned size,
                        uint32_t v);

/* the stack (SS:SP, 16-bit SP): peek reads at SP + off, push writes below
 * SP and moves it, sp_add moves it */
enum x86_step stack_peek(struct x86_cpu *cpu, unsigned off, unsigned size,
                         uint32_t *v);
enum x86_step stack_push(struct x86_cpu *cpu, unsigned size, uint32_t v);
void sp_add(struct x86_cpu *cpu, unsigned delta);

/* exits: each fills vcpu->kvm_run and returns X86_EXIT */
KvmRun *exit_begin(struct x86_cpu *cpu, uint32_t reason);
enum x86_step exit_io(struct x86_cpu *cpu, uint8_t dir, uint16_t port,
                      unsigned size, uint32_t value);
/* SHUTDOWN (or INTERNAL_ERROR for FETCH and MMIO_TWICE) for a fault at the
 * instruction starting at CS:ip */
enum x86_step exit_fault(struct x86_cpu *cpu, enum x86_fault_kind kind,
                         uint64_t ip, uint8_t vector, uint8_t function);

/* bios.c: int vector (or an exception) from the instruction at ip whose
 * next instruction is at *next: through the guest's IVT entry when it has
 * one (*next becomes the handler's IP), else the BIOS's service, else a
 * fault.  An exception returns to ip itself. */
enum x86_step bios_interrupt(struct x86_cpu *cpu, uint8_t vector,
                             uint64_t ip, uint64_t *next, bool is_exception);

#endif /* X86_CORE_H */
