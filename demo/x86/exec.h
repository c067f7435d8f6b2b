/* exec.h - what the executor's files share: one instruction being run
 *
 * Internal to demo/x86/.  exec.c decodes, dispatches and runs the ALU,
 * group and move instructions; exec_flow.c the stack, control transfers,
 * loops, string instructions and port I/O.
 */
#ifndef X86_EXEC_H
#define X86_EXEC_H

#include "core.h"
#include "alu.h"

#define POPF_FLAGS (X86_ARITH_FLAGS | X86_TF | X86_IF | X86_DF)

/* where an operand lives: a register (reg, with size's meaning of reg_get)
 * or memory at a linear address */
struct loc {
    bool     is_reg;
    unsigned reg;
    uint64_t lin;
    unsigned size;
};

/* the state of one instruction being run */
struct exec {
    struct x86_cpu         *cpu;
    const struct x86_insn  *in;
    KvmRegs                *r;
    uint64_t                ip, next;
    unsigned                v;      /* operand size */
};

#define TRY(x) do { if ((x) == X86_EXIT) return X86_EXIT; } while (0)

uint32_t flags_get(const struct exec *e);
void flags_set(struct exec *e, uint32_t f);
/* the offset of a ModRM memory operand (in *offp if not NULL), and its
 * linear address (segment override or default segment applied) */
uint64_t ea_linear(struct exec *e, uint32_t *offp);
struct loc rm_loc(struct exec *e, unsigned size);
struct loc reg_loc(unsigned reg, unsigned size);
enum x86_step loc_read(struct exec *e, const struct loc *l, uint32_t *v);
enum x86_step loc_write(struct exec *e, const struct loc *l, uint32_t v);
uint32_t ip_mask(const struct exec *e);
void jump_rel(struct exec *e, int32_t rel);
int32_t rel_imm(const struct exec *e);

/* exec_flow.c */
enum x86_step exec_stack(struct exec *e);
enum x86_step exec_transfer(struct exec *e);
enum x86_step exec_loop(struct exec *e);
enum x86_step exec_string(struct exec *e);
enum x86_step exec_io(struct exec *e);

#endif /* X86_EXEC_H */
