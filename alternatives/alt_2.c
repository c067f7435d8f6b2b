/* alt_2.c - alternative 2 (section 4.4): CHECK_ALLOC and one cleanup label
 *
 * Every constructor that acquires more than one resource starts from a
 * zeroed object, checks each step with CHECK_ALLOC (or CHECK_RC for a call
 * that returns -1), and on failure jumps to a single cleanup: label that
 * hands the partial object to its own destructor.  The destructors therefore
 * accept any prefix of a construction: ford_retires_host() skips every NULL
 * field, kvm_destroy_vcpu() a missing kvm_run, ept_destroy() a missing root.
 *
 * The decoder is table-driven: opcodes[] gives, for each of the 256 opcode
 * bytes, the handler that executes it and how many immediate bytes follow;
 * an empty entry is an opcode outside the subset.  The EPT is walked
 * recursively, one call per level.
 */

/* MAP_ANONYMOUS and MAP_NORESERVE are not ISO C: -std=c17 hides them. */
#define _DEFAULT_SOURCE

#include "hypervisor_sim.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define CHECK_ALLOC(ptr) do { if ((ptr) == NULL) goto cleanup; } while (0)
#define CHECK_RC(call)   do { if ((call) < 0) goto cleanup; } while (0)

/* The only mutable static: the next simulated file descriptor (unique per
 * process, from 100 as in the document's trace). */
static int next_fd = 100;

/* VMX basic exit reason 33 (invalid guest state) with the entry-failure
 * bit. */
#define FAIL_ENTRY_GUEST_STATE 0x80000021ull

/* Offset of a PIO exit's data: the second page of the kvm_run mapping. */
#define PIO_OFFSET ((uint64_t)KVM_PIO_PAGE_OFFSET * WW_PAGE_SIZE)

#define IN_PAGE(a) ((uint64_t)(a) & ((uint64_t)WW_PAGE_SIZE - 1))

/* Anonymous private pages, or NULL (never MAP_FAILED): CHECK_ALLOC can
 * test a mapping as it tests a calloc. */
static void *pages_map(size_t len, int flags)
{
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);

    return p == MAP_FAILED ? NULL : p;
}

/* ================================================================== */
/* vCPU: the KVM_RUN loop of a real-mode CPU                            */
/* ================================================================== */

enum step {
    STEP_RETIRED,   /* done, RIP advanced, keep running */
    STEP_EXITED,    /* done, RIP advanced, kvm_run holds an exit */
    STEP_FAULTED,   /* not done, RIP unchanged, kvm_run holds an exit */
    STEP_NOMEM      /* an EPT table could not be allocated */
};

/* One decoded instruction, as the handlers see it. */
struct insn {
    uint8_t  op;
    uint8_t  imm[2];
    uint64_t next;          /* RIP after it; a taken branch moves it */
};

typedef enum step exec_fn(KvmVcpu *vcpu, struct insn *in);

struct opcode {
    exec_fn *exec;          /* NULL: outside the subset */
    uint8_t  imm_len;       /* bytes after the opcode */
};

/* Where a guest access lands. */
enum land {
    LAND_RAM,
    LAND_NOWHERE,           /* no slot backs the address */
    LAND_REFUSED,           /* the EPT has the page without this right */
    LAND_NOMEM
};

static bool slot_backs(const KvmVm *vm, uint64_t gpa)
{
    return gpa >= vm->guest_phys_addr &&
           gpa - vm->guest_phys_addr < vm->memory_size;
}

/* The MMU: the slot decides whether gpa is RAM, the EPT whether this access
 * may touch it.  A page the EPT does not have yet is faulted in with every
 * right (KVM fills its tables lazily); a page it has without the right is
 * refused. */
static enum land mmu(KvmVcpu *vcpu, uint64_t gpa, uint32_t access,
                     uint8_t **hva)
{
    KvmVm *vm = vcpu->vm;
    EptContext *ept = vm->ept;
    uint64_t page;

    if (!slot_backs(vm, gpa))
        return LAND_NOWHERE;
    if (ept == NULL) {
        *hva = vm->guest_memory + (gpa - vm->guest_phys_addr);
        return LAND_RAM;
    }
    *hva = ept_translate(ept, gpa, access);
    if (*hva != NULL)
        return LAND_RAM;
    if ((ept->last_violation_qual & (EPT_RWX << 3)) != 0)
        return LAND_REFUSED;
    page = gpa - IN_PAGE(gpa) - vm->guest_phys_addr;
    if (ept_map(ept, gpa, vm->guest_memory + page, EPT_RWX) != 0)
        return LAND_NOMEM;
    *hva = ept_translate(ept, gpa, access);
    return *hva != NULL ? LAND_RAM : LAND_REFUSED;
}

/* Opens an exit of the given reason with a clean union. */
static KvmRun *vmexit(KvmVcpu *vcpu, uint32_t reason)
{
    KvmRun *run = vcpu->kvm_run;

    memset(run->padding, 0, sizeof(run->padding));
    run->exit_reason = reason;
    return run;
}

static enum step fault_entry(KvmVcpu *vcpu)
{
    KvmRun *run = vmexit(vcpu, KVM_EXIT_FAIL_ENTRY);

    run->fail_entry.hardware_entry_failure_reason = FAIL_ENTRY_GUEST_STATE;
    run->fail_entry.cpu = (uint32_t)vcpu->vcpu_id;
    return STEP_FAULTED;
}

static enum step fault_emulation(KvmVcpu *vcpu, uint64_t gpa)
{
    KvmRun *run = vmexit(vcpu, KVM_EXIT_INTERNAL_ERROR);

    run->internal.suberror = KVM_INTERNAL_ERROR_EMULATION;
    run->internal.ndata = 1;
    run->internal.data[0] = gpa;
    return STEP_FAULTED;
}

/* The triple-fault analogue: an encoding the CPU does not know. */
static enum step fault_shutdown(KvmVcpu *vcpu)
{
    vmexit(vcpu, KVM_EXIT_SHUTDOWN);
    return STEP_FAULTED;
}

/* ---- registers ---- */

static uint64_t *reg(KvmVcpu *vcpu, unsigned n)
{
    KvmRegs *r = &vcpu->regs;

    switch (n & 7) {
    case 0: return &r->rax;
    case 1: return &r->rcx;
    case 2: return &r->rdx;
    case 3: return &r->rbx;
    case 4: return &r->rsp;
    case 5: return &r->rbp;
    case 6: return &r->rsi;
    default: return &r->rdi;
    }
}

/* Only the low word changes, as on real hardware. */
static void put16(KvmVcpu *vcpu, unsigned n, uint16_t v)
{
    uint64_t *r = reg(vcpu, n);

    *r = (*r & ~(uint64_t)0xffff) | v;
}

/* n 0-3: AL CL DL BL; 4-7: AH CH DH BH. */
static void put8(KvmVcpu *vcpu, unsigned n, uint8_t v)
{
    uint64_t *r = reg(vcpu, n & 3);

    if (n & 4)
        *r = (*r & ~(uint64_t)0xff00) | (uint64_t)v << 8;
    else
        *r = (*r & ~(uint64_t)0xff) | v;
}

static uint8_t get_al(const KvmVcpu *vcpu)
{
    return (uint8_t)(vcpu->regs.rax & 0xff);
}

static uint16_t imm16(const struct insn *in)
{
    return (uint16_t)(in->imm[0] | in->imm[1] << 8);
}

static void take_branch(struct insn *in)
{
    in->next += (uint64_t)(int64_t)(int8_t)in->imm[0];
}

static bool zf_set(const KvmVcpu *vcpu)
{
    return (vcpu->regs.rflags & WW_RFLAGS_ZF) != 0;
}

static void zf_from(KvmVcpu *vcpu, uint16_t result)
{
    vcpu->regs.rflags &= ~(uint64_t)WW_RFLAGS_ZF;
    if (result == 0)
        vcpu->regs.rflags |= WW_RFLAGS_ZF;
}

/* ---- the handlers, one per instruction ---- */

static enum step op_nop(KvmVcpu *vcpu, struct insn *in)
{
    (void)vcpu;
    (void)in;
    return STEP_RETIRED;
}

static enum step op_mov_r8(KvmVcpu *vcpu, struct insn *in)
{
    put8(vcpu, in->op & 7, in->imm[0]);
    return STEP_RETIRED;
}

static enum step op_mov_r16(KvmVcpu *vcpu, struct insn *in)
{
    put16(vcpu, in->op & 7, imm16(in));
    return STEP_RETIRED;
}

static enum step op_inc(KvmVcpu *vcpu, struct insn *in)
{
    uint16_t v = (uint16_t)(*reg(vcpu, in->op) + 1);

    put16(vcpu, in->op, v);
    zf_from(vcpu, v);
    return STEP_RETIRED;
}

static enum step op_dec(KvmVcpu *vcpu, struct insn *in)
{
    uint16_t v = (uint16_t)(*reg(vcpu, in->op) - 1);

    put16(vcpu, in->op, v);
    zf_from(vcpu, v);
    return STEP_RETIRED;
}

/* AL from or to DS:off.  RAM is accessed in place; an address with no slot,
 * or a page the EPT refuses (as a read-only memslot), goes to the VMM. */
static enum step al_memory(KvmVcpu *vcpu, uint16_t off, bool is_write)
{
    uint64_t gpa = vcpu->sregs.ds.base + off;
    KvmRun *run;
    uint8_t *p;

    switch (mmu(vcpu, gpa, is_write ? EPT_WRITE : EPT_READ, &p)) {
    case LAND_RAM:
        if (is_write)
            *p = get_al(vcpu);
        else
            put8(vcpu, 0, *p);
        return STEP_RETIRED;
    case LAND_NOMEM:
        return STEP_NOMEM;
    default:
        break;
    }
    run = vmexit(vcpu, KVM_EXIT_MMIO);
    run->mmio.phys_addr = gpa;
    run->mmio.len = 1;
    run->mmio.is_write = is_write ? 1 : 0;
    if (is_write) {
        run->mmio.data[0] = get_al(vcpu);
        return STEP_EXITED;
    }
    vcpu->pending = KVM_EXIT_MMIO;
    vcpu->pending_reg = 0;      /* AL */
    return STEP_EXITED;
}

static enum step op_load_moffs(KvmVcpu *vcpu, struct insn *in)
{
    return al_memory(vcpu, imm16(in), false);
}

static enum step op_store_moffs(KvmVcpu *vcpu, struct insn *in)
{
    return al_memory(vcpu, imm16(in), true);
}

/* 88 /r: only the form mov [bx], al (ModRM 07) is in the subset. */
static enum step op_mov_rm8(KvmVcpu *vcpu, struct insn *in)
{
    if (in->imm[0] != 0x07)
        return fault_shutdown(vcpu);
    return al_memory(vcpu, (uint16_t)vcpu->regs.rbx, true);
}

/* 8E /r with a register operand, into ES, SS or DS (mov cs is #UD). */
static enum step op_mov_sreg(KvmVcpu *vcpu, struct insn *in)
{
    KvmSegment *seg;
    uint16_t sel;

    if ((in->imm[0] & 0xc0) != 0xc0)
        return fault_shutdown(vcpu);
    switch ((in->imm[0] >> 3) & 7) {
    case 0: seg = &vcpu->sregs.es; break;
    case 2: seg = &vcpu->sregs.ss; break;
    case 3: seg = &vcpu->sregs.ds; break;
    default: return fault_shutdown(vcpu);
    }
    sel = (uint16_t)*reg(vcpu, in->imm[0]);
    seg->selector = sel;
    seg->base = (uint64_t)sel * 16;
    return STEP_RETIRED;
}

static enum step pio(KvmVcpu *vcpu, uint8_t direction, uint16_t port)
{
    KvmRun *run = vmexit(vcpu, KVM_EXIT_IO);

    run->io.direction = direction;
    run->io.size = 1;
    run->io.port = port;
    run->io.count = 1;
    run->io.data_offset = PIO_OFFSET;
    if (direction == KVM_EXIT_IO_OUT) {
        *((uint8_t *)run + PIO_OFFSET) = get_al(vcpu);
        return STEP_EXITED;
    }
    vcpu->pending = KVM_EXIT_IO;
    vcpu->pending_reg = 0;      /* AL */
    return STEP_EXITED;
}

static enum step op_in_imm(KvmVcpu *vcpu, struct insn *in)
{
    return pio(vcpu, KVM_EXIT_IO_IN, in->imm[0]);
}

static enum step op_in_dx(KvmVcpu *vcpu, struct insn *in)
{
    (void)in;
    return pio(vcpu, KVM_EXIT_IO_IN, (uint16_t)vcpu->regs.rdx);
}

static enum step op_out_imm(KvmVcpu *vcpu, struct insn *in)
{
    return pio(vcpu, KVM_EXIT_IO_OUT, in->imm[0]);
}

static enum step op_out_dx(KvmVcpu *vcpu, struct insn *in)
{
    (void)in;
    return pio(vcpu, KVM_EXIT_IO_OUT, (uint16_t)vcpu->regs.rdx);
}

static enum step op_hlt(KvmVcpu *vcpu, struct insn *in)
{
    (void)in;
    vcpu->halted = true;
    vmexit(vcpu, KVM_EXIT_HLT);
    return STEP_EXITED;
}

static enum step op_cli(KvmVcpu *vcpu, struct insn *in)
{
    (void)in;
    vcpu->regs.rflags &= ~(uint64_t)WW_RFLAGS_IF;
    return STEP_RETIRED;
}

static enum step op_sti(KvmVcpu *vcpu, struct insn *in)
{
    (void)in;
    vcpu->regs.rflags |= WW_RFLAGS_IF;
    return STEP_RETIRED;
}

static enum step op_jmp(KvmVcpu *vcpu, struct insn *in)
{
    (void)vcpu;
    take_branch(in);
    return STEP_RETIRED;
}

static enum step op_jz(KvmVcpu *vcpu, struct insn *in)
{
    if (zf_set(vcpu))
        take_branch(in);
    return STEP_RETIRED;
}

static enum step op_jnz(KvmVcpu *vcpu, struct insn *in)
{
    if (!zf_set(vcpu))
        take_branch(in);
    return STEP_RETIRED;
}

/* CX - 1, branch while not zero; the flags stay as they are. */
static enum step op_loop(KvmVcpu *vcpu, struct insn *in)
{
    uint16_t cx = (uint16_t)(vcpu->regs.rcx - 1);

    put16(vcpu, 1, cx);
    if (cx != 0)
        take_branch(in);
    return STEP_RETIRED;
}

#define OP(code, fn, n)  [code] = { fn, n }
#define OP8(code, fn, n)                                                  \
    OP((code) + 0, fn, n), OP((code) + 1, fn, n), OP((code) + 2, fn, n),  \
    OP((code) + 3, fn, n), OP((code) + 4, fn, n), OP((code) + 5, fn, n),  \
    OP((code) + 6, fn, n), OP((code) + 7, fn, n)

static const struct opcode opcodes[256] = {
    OP8(0x40, op_inc, 0),
    OP8(0x48, op_dec, 0),
    OP(0x74, op_jz, 1),
    OP(0x75, op_jnz, 1),
    OP(0x88, op_mov_rm8, 1),
    OP(0x8e, op_mov_sreg, 1),
    OP(0x90, op_nop, 0),
    OP(0xa0, op_load_moffs, 2),
    OP(0xa2, op_store_moffs, 2),
    OP8(0xb0, op_mov_r8, 1),
    OP8(0xb8, op_mov_r16, 2),
    OP(0xe2, op_loop, 1),
    OP(0xe4, op_in_imm, 1),
    OP(0xe6, op_out_imm, 1),
    OP(0xeb, op_jmp, 1),
    OP(0xec, op_in_dx, 0),
    OP(0xee, op_out_dx, 0),
    OP(0xf4, op_hlt, 0),
    OP(0xfa, op_cli, 0),
    OP(0xfb, op_sti, 0),
};

/* Fetches, decodes and executes the instruction at CS.base + RIP.  Every
 * byte is bounded by the slot before the MMU reads it: the opcode outside
 * RAM fails the entry, an immediate outside RAM (an instruction cut by the
 * end of memory) or a byte the EPT will not execute is an emulation error. */
static enum step vcpu_step(KvmVcpu *vcpu)
{
    uint64_t at = vcpu->sregs.cs.base + vcpu->regs.rip;
    const struct opcode *desc;
    struct insn in = { 0, { 0, 0 }, 0 };
    enum step rc;
    uint8_t *p;
    unsigned i;

    switch (mmu(vcpu, at, EPT_EXEC, &p)) {
    case LAND_RAM:
        break;
    case LAND_NOWHERE:
        return fault_entry(vcpu);
    case LAND_REFUSED:
        return fault_emulation(vcpu, at);
    case LAND_NOMEM:
        return STEP_NOMEM;
    }
    in.op = *p;
    desc = &opcodes[in.op];
    if (desc->exec == NULL)
        return fault_shutdown(vcpu);
    for (i = 0; i < desc->imm_len; i++) {
        switch (mmu(vcpu, at + 1 + i, EPT_EXEC, &p)) {
        case LAND_RAM:
            break;
        case LAND_NOMEM:
            return STEP_NOMEM;
        default:
            return fault_emulation(vcpu, at + 1 + i);
        }
        in.imm[i] = *p;
    }
    in.next = vcpu->regs.rip + 1 + desc->imm_len;

    rc = desc->exec(vcpu, &in);
    if (rc == STEP_RETIRED || rc == STEP_EXITED) {
        vcpu->regs.rip = in.next;
        vcpu->instructions++;
    }
    return rc;
}

/* Finishes the IN or MMIO load the last exit left: the VMM has put the
 * byte in the kvm_run page. */
static void vcpu_finish_pending(KvmVcpu *vcpu)
{
    KvmRun *run = vcpu->kvm_run;
    uint32_t pending = vcpu->pending;

    vcpu->pending = 0;
    if (pending == KVM_EXIT_IO)
        put8(vcpu, vcpu->pending_reg, *((uint8_t *)run + PIO_OFFSET));
    else if (pending == KVM_EXIT_MMIO)
        put8(vcpu, vcpu->pending_reg, run->mmio.data[0]);
}

int kvm_run(KvmVcpu *vcpu)
{
    enum step rc = STEP_RETIRED;

    if (vcpu == NULL || vcpu->vm == NULL || vcpu->kvm_run == NULL ||
        vcpu->vm->guest_memory == NULL || vcpu->vm->memory_size == 0)
        return -1;
    vcpu_finish_pending(vcpu);
    if (!(vcpu->regs.rflags & WW_RFLAGS_FIXED))
        rc = fault_entry(vcpu);
    else if (vcpu->halted)
        rc = op_hlt(vcpu, NULL);    /* no interrupt ever wakes it */
    for (; rc == STEP_RETIRED; rc = vcpu_step(vcpu))
        continue;
    if (rc == STEP_NOMEM)
        return -1;
    vcpu->exits++;
    return 0;
}

/* ================================================================== */
/* EPT: 4-level guest-physical to host tables, built on demand          */
/* ================================================================== */

/* Level 3 is the PML4 (GPA bits 47:39), level 0 the PT (20:12). */
#define EPT_PML4_LEVEL (EPT_LEVELS - 1)

static unsigned ept_slot(uint64_t gpa, int level)
{
    return (unsigned)(gpa >> (12 + 9 * level)) % EPT_ENTRIES;
}

static uint64_t *ept_table(uint64_t entry)
{
    return (uint64_t *)(uintptr_t)(entry & EPT_ADDR_MASK);
}

static uint32_t ept_rights(uint64_t entry)
{
    return (uint32_t)(entry & EPT_RWX);
}

static bool ept_perms_ok(uint32_t perms)
{
    return (perms & EPT_RWX) != 0 && (perms & ~(uint32_t)EPT_RWX) == 0;
}

static uint64_t *ept_table_new(EptContext *ept)
{
    uint64_t *t = pages_map(WW_PAGE_SIZE, 0);

    if (t != NULL)
        ept->tables++;
    return t;
}

/* The PT entry of gpa below table (at level), one call per level.  With
 * build, an absent table is created, its entry granting every right (the
 * leaf decides); without, an absent level ends the walk.  *rights gathers
 * the AND of the rights met on the way (0 at an absent level). */
static uint64_t *ept_walk(EptContext *ept, uint64_t *table, int level,
                          uint64_t gpa, bool build, uint32_t *rights)
{
    uint64_t *e = &table[ept_slot(gpa, level)];
    uint64_t *below;

    if (level == 0) {
        *rights &= ept_rights(*e);
        return e;
    }
    if (ept_rights(*e) == 0) {
        below = build ? ept_table_new(ept) : NULL;
        if (below == NULL) {
            *rights = 0;
            return NULL;
        }
        *e = (uint64_t)(uintptr_t)below | EPT_RWX;
    }
    *rights &= ept_rights(*e);
    return ept_walk(ept, ept_table(*e), level - 1, gpa, build, rights);
}

static void ept_free(uint64_t *table, int level)
{
    unsigned i;

    for (i = 0; level > 0 && i < EPT_ENTRIES; i++)
        if (ept_rights(table[i]) != 0)
            ept_free(ept_table(table[i]), level - 1);
    munmap(table, WW_PAGE_SIZE);
}

EptContext *ept_create(uint64_t guest_size)
{
    EptContext *ept = NULL;

    if (guest_size == 0 || guest_size > EPT_MAX_GPA)
        return NULL;
    ept = calloc(1, sizeof(*ept));
    CHECK_ALLOC(ept);
    ept->guest_size = guest_size;
    ept->pml4 = ept_table_new(ept);
    CHECK_ALLOC(ept->pml4);
    printf("[EPT] Created EPT context for %" PRIu64 " bytes\n", guest_size);
    return ept;

cleanup:
    ept_destroy(ept);
    return NULL;
}

int ept_map(EptContext *ept, uint64_t gpa, void *hva, uint32_t perms)
{
    uint64_t host = (uint64_t)(uintptr_t)hva;
    uint32_t rights = EPT_RWX;
    uint64_t *pte;

    if (ept == NULL || hva == NULL || !ept_perms_ok(perms) ||
        gpa >= EPT_MAX_GPA || (host & ~EPT_ADDR_MASK) != 0)
        return -1;
    pte = ept_walk(ept, ept->pml4, EPT_PML4_LEVEL, gpa, true, &rights);
    if (pte == NULL)
        return -1;
    *pte = host | perms;
    return 0;
}

int ept_set_permissions(EptContext *ept, uint64_t gpa, uint32_t perms)
{
    uint32_t rights = EPT_RWX;
    uint64_t *pte;

    if (ept == NULL || !ept_perms_ok(perms) || gpa >= EPT_MAX_GPA)
        return -1;
    pte = ept_walk(ept, ept->pml4, EPT_PML4_LEVEL, gpa, false, &rights);
    if (pte == NULL || ept_rights(*pte) == 0)
        return -1;
    *pte = (*pte & EPT_ADDR_MASK) | perms;
    return 0;
}

void *ept_translate(EptContext *ept, uint64_t gpa, uint32_t access)
{
    uint32_t rights = 0;
    uint64_t *pte = NULL;

    if (ept == NULL ||
        (access != EPT_READ && access != EPT_WRITE && access != EPT_EXEC))
        return NULL;
    if (gpa < EPT_MAX_GPA) {
        rights = EPT_RWX;
        pte = ept_walk(ept, ept->pml4, EPT_PML4_LEVEL, gpa, false, &rights);
    }
    if (pte != NULL && (rights & access) != 0)
        return (uint8_t *)ept_table(*pte) + IN_PAGE(gpa);
    /* an EPT violation: what was tried, and what the walk found */
    ept->violations++;
    ept->last_violation_gpa = gpa;
    ept->last_violation_qual = access | rights << 3;
    return NULL;
}

void ept_destroy(EptContext *ept)
{
    if (ept == NULL)
        return;
    /* the leaves point at guest pages: those are the VM's */
    if (ept->pml4 != NULL)
        ept_free(ept->pml4, EPT_PML4_LEVEL);
    free(ept);
}

/* ================================================================== */
/* Serial port: 16550 UART at COM1                                      */
/* ================================================================== */

SerialPort *serial_create(void)
{
    SerialPort *s = calloc(1, sizeof(*s));

    CHECK_ALLOC(s);
    s->base = SERIAL_COM1_BASE;
    s->lcr = 0x03;                                      /* 8N1 */
    s->mcr = 0x08;                                      /* OUT2 */
    s->lsr = UART_LSR_THRE | UART_LSR_TEMT;
    s->msr = UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
    s->dll = 12;                                        /* 9600 baud */
    return s;

cleanup:
    return NULL;
}

bool serial_handles(const SerialPort *serial, uint16_t port)
{
    return serial != NULL &&
           (uint16_t)(port - serial->base) < SERIAL_PORTS &&
           port >= serial->base;
}

int serial_out(SerialPort *serial, uint16_t port, uint8_t value)
{
    bool dlab;

    if (!serial_handles(serial, port))
        return -1;
    dlab = serial->lcr & UART_LCR_DLAB;
    switch (port - serial->base) {
    case 0:
        if (!dlab) {
            putchar(value);
            serial->tx_bytes++;
        } else {
            serial->dll = value;
        }
        return 0;
    case 1:
        if (!dlab)
            serial->ier = value & 0x0f;
        else
            serial->dlm = value;
        return 0;
    case UART_FCR: serial->fcr = value; return 0;
    case UART_LCR: serial->lcr = value; return 0;
    case UART_MCR: serial->mcr = value & 0x1f; return 0;
    case UART_SCR: serial->scr = value; return 0;
    default: return 0;                  /* LSR and MSR are read-only */
    }
}

int serial_in(SerialPort *serial, uint16_t port, uint8_t *value)
{
    bool dlab;
    uint8_t v;

    if (value == NULL || !serial_handles(serial, port))
        return -1;
    dlab = serial->lcr & UART_LCR_DLAB;
    switch (port - serial->base) {
    case 0:
        if (dlab) {
            v = serial->dll;
        } else {
            v = serial->rbr;
            serial->lsr &= (uint8_t)~UART_LSR_DR;
        }
        break;
    case 1:
        v = dlab ? serial->dlm : serial->ier;
        break;
    case UART_IIR:
        /* data ready outranks THR empty, which the virtual line always is */
        v = UART_IIR_NO_INT;
        if (serial->ier & UART_IER_THRI)
            v = UART_IIR_THRI;
        if ((serial->ier & UART_IER_RDI) && (serial->lsr & UART_LSR_DR))
            v = UART_IIR_RDI;
        break;
    case UART_LCR: v = serial->lcr; break;
    case UART_MCR: v = serial->mcr; break;
    case UART_LSR: v = serial->lsr; break;
    case UART_MSR: v = serial->msr; break;
    default:       v = serial->scr; break;
    }
    *value = v;
    return 0;
}

int serial_receive(SerialPort *serial, uint8_t byte)
{
    if (serial == NULL)
        return -1;
    serial->rbr = byte;
    serial->lsr |= UART_LSR_DR;
    return 0;
}

void serial_destroy(SerialPort *serial)
{
    if (serial != NULL)
        free(serial);
}

/* ================================================================== */
/* KVM: device, VM, vCPU                                                */
/* ================================================================== */

KvmDevice *kvm_open(void)
{
    KvmDevice *kvm = calloc(1, sizeof(*kvm));

    CHECK_ALLOC(kvm);
    kvm->fd = next_fd++;
    kvm->api_version = KVM_API_VERSION;
    printf("[KVM] Opened /dev/kvm (fd=%d)\n", kvm->fd);
    printf("[KVM] API version: %d\n", kvm->api_version);
    return kvm;

cleanup:
    return NULL;
}

KvmVm *kvm_create_vm(KvmDevice *kvm)
{
    KvmVm *vm = NULL;

    CHECK_ALLOC(kvm);
    vm = calloc(1, sizeof(*vm));
    CHECK_ALLOC(vm);
    vm->fd = next_fd++;
    vm->kvm = kvm;
    printf("[KVM] Created VM (fd=%d)\n", vm->fd);
    return vm;

cleanup:
    return NULL;
}

/* The slot's checks, all before anything is mapped or changed. */
static bool region_valid(const KvmVm *vm, uint32_t slot, uint64_t guest_addr,
                         uint64_t size, const void *host_addr)
{
    if (vm == NULL || slot != 0 || vm->memory_size != 0 || size == 0)
        return false;
    if (IN_PAGE(size) != 0 || IN_PAGE(guest_addr) != 0 ||
        IN_PAGE((uintptr_t)host_addr) != 0)
        return false;
    /* the slot must end at or below EPT_MAX_GPA, without wrapping */
    if (size > EPT_MAX_GPA || EPT_MAX_GPA - size < guest_addr)
        return false;
    return (uint64_t)(size_t)size == size;
}

int kvm_set_user_memory_region(KvmVm *vm, uint32_t slot, uint64_t guest_addr,
                               uint64_t size, void *host_addr)
{
    uint8_t *mem = host_addr;

    if (!region_valid(vm, slot, guest_addr, size, host_addr))
        return -1;
    if (mem == NULL) {
        /* NORESERVE: a 4 GiB guest costs only the pages it touches */
        mem = pages_map((size_t)size, MAP_NORESERVE);
        if (mem == NULL)
            return -1;
    }
    vm->owns_memory = host_addr == NULL;
    vm->slot = slot;
    vm->guest_phys_addr = guest_addr;
    vm->memory_size = size;
    vm->guest_memory = mem;
    printf("[KVM] Setting memory region: slot=%" PRIu32 ", guest=0x%" PRIx64
           ", size=%" PRIu64 ", host=%p\n", slot, guest_addr, size,
           (void *)mem);
    return 0;
}

KvmVcpu *kvm_create_vcpu(KvmVm *vm, int vcpu_id)
{
    static const struct { size_t at; uint8_t type; } flat[] = {
        /* code execute/read accessed, data read/write accessed */
        { offsetof(KvmSregs, cs), 0x0b }, { offsetof(KvmSregs, ds), 0x03 },
        { offsetof(KvmSregs, es), 0x03 }, { offsetof(KvmSregs, fs), 0x03 },
        { offsetof(KvmSregs, gs), 0x03 }, { offsetof(KvmSregs, ss), 0x03 },
    };
    KvmVcpu *vcpu = NULL;
    size_t i;

    if (vm == NULL || vcpu_id < 0)
        return NULL;
    vcpu = calloc(1, sizeof(*vcpu));
    CHECK_ALLOC(vcpu);
    vcpu->kvm_run = pages_map(KVM_RUN_MMAP_SIZE, 0);
    CHECK_ALLOC(vcpu->kvm_run);
    vcpu->kvm_run_size = KVM_RUN_MMAP_SIZE;
    vcpu->fd = next_fd++;
    vcpu->vcpu_id = vcpu_id;
    vcpu->vm = vm;
    vcpu->regs.rflags = WW_RFLAGS_FIXED;
    for (i = 0; i < sizeof(flat) / sizeof(flat[0]); i++) {
        KvmSegment *seg = (KvmSegment *)(void *)
                          ((char *)&vcpu->sregs + flat[i].at);

        seg->limit = 0xffff;
        seg->type = flat[i].type;
        seg->present = 1;
        seg->s = 1;
    }
    vcpu->sregs.gdt.limit = 0xffff;
    vcpu->sregs.idt.limit = 0xffff;
    vcpu->sregs.cr0 = 0x60000010;
    printf("[KVM] Created vCPU %d (fd=%d)\n", vcpu_id, vcpu->fd);
    return vcpu;

cleanup:
    kvm_destroy_vcpu(vcpu);
    return NULL;
}

void kvm_destroy_vcpu(KvmVcpu *vcpu)
{
    if (vcpu == NULL)
        return;
    if (vcpu->kvm_run != NULL)
        munmap(vcpu->kvm_run, vcpu->kvm_run_size);
    free(vcpu);
}

void kvm_destroy_vm(KvmVm *vm)
{
    if (vm == NULL)
        return;
    if (vm->owns_memory && vm->guest_memory != NULL)
        munmap(vm->guest_memory, (size_t)vm->memory_size);
    free(vm);
}

void kvm_close(KvmDevice *kvm)
{
    if (kvm != NULL)
        free(kvm);
}

/* ================================================================== */
/* Westworld API: the VMM                                               */
/* ================================================================== */

WestworldHost *ford_creates_host(size_t memory_mb)
{
    WestworldHost *host = NULL;
    size_t size;

    if (memory_mb == 0 || memory_mb > SIZE_MAX / WW_MIB)
        return NULL;
    size = memory_mb * WW_MIB;
    if ((uint64_t)size > EPT_MAX_GPA)
        return NULL;

    /* calloc: every field NULL, so cleanup can retire any prefix */
    host = calloc(1, sizeof(*host));
    CHECK_ALLOC(host);
    host->ford = kvm_open();
    CHECK_ALLOC(host->ford);
    host->park = kvm_create_vm(host->ford);
    CHECK_ALLOC(host->park);
    CHECK_RC(kvm_set_user_memory_region(host->park, 0, 0, size, NULL));
    host->brain = kvm_create_vcpu(host->park, 0);
    CHECK_ALLOC(host->brain);
    host->memories = ept_create(size);
    CHECK_ALLOC(host->memories);
    host->park->ept = host->memories;
    host->voice = serial_create();
    CHECK_ALLOC(host->voice);
    host->conscious = true;
    return host;

cleanup:
    ford_retires_host(host);
    return NULL;
}

int ford_implants_memories(WestworldHost *host, const uint8_t *narrative,
                           size_t size, uint64_t addr)
{
    KvmVm *vm = host != NULL ? host->park : NULL;
    KvmVcpu *vcpu = host != NULL ? host->brain : NULL;
    uint64_t off, room;

    if (vm == NULL || vcpu == NULL || narrative == NULL || size == 0 ||
        vm->guest_memory == NULL || addr < vm->guest_phys_addr)
        return -1;
    off = addr - vm->guest_phys_addr;
    room = off < vm->memory_size ? vm->memory_size - off : 0;
    if (size > room)
        return -1;              /* also catches addr + size wrapping */
    memcpy(vm->guest_memory + off, narrative, size);
    printf("[VM] Loaded %zu bytes at 0x%" PRIx64 "\n", size, addr);

    vcpu->regs.rip = addr;
    vcpu->sregs.cs.base = 0;
    vcpu->sregs.cs.selector = 0;
    vcpu->halted = false;
    vcpu->pending = 0;
    host->conscious = true;
    return 0;
}

/* The data area of a PIO exit, or NULL if count items of size bytes at
 * data_offset would leave the mapping (a bare KvmRun has no second page). */
static uint8_t *pio_area(const WestworldHost *host, KvmRun *run)
{
    uint64_t end = sizeof(*run);

    if (host->brain != NULL && host->brain->kvm_run == run)
        end = host->brain->kvm_run_size;
    if (run->io.data_offset > end ||
        (uint64_t)run->io.count * run->io.size > end - run->io.data_offset)
        return NULL;
    return (uint8_t *)run + run->io.data_offset;
}

/* PIO: the UART gets its registers' bytes; any other port has nothing
 * behind it, so reads float high and writes vanish. */
static bool vmm_pio(WestworldHost *host, KvmRun *run)
{
    uint8_t *data = pio_area(host, run);
    size_t len = (size_t)run->io.count * run->io.size;
    size_t at;

    if (data == NULL)
        return false;
    if (run->io.direction == KVM_EXIT_IO_IN)
        memset(data, 0xff, len);
    if (!serial_handles(host->voice, run->io.port))
        return true;
    for (at = 0; at < len; at += run->io.size) {
        if (run->io.direction == KVM_EXIT_IO_OUT)
            serial_out(host->voice, run->io.port, data[at]);
        else
            serial_in(host->voice, run->io.port, &data[at]);
    }
    return true;
}

void ford_says_freeze(WestworldHost *host, KvmRun *analysis)
{
    if (host == NULL || analysis == NULL)
        return;
    switch (analysis->exit_reason) {
    case KVM_EXIT_IO:
        if (!vmm_pio(host, analysis))
            host->conscious = false;
        return;
    case KVM_EXIT_MMIO:
        /* open bus everywhere no slot is: loads read all ones */
        if (!analysis->mmio.is_write)
            memset(analysis->mmio.data, 0xff, sizeof(analysis->mmio.data));
        return;
    case KVM_EXIT_HLT:
    default:
        /* halted, or an exit that ends the guest */
        host->conscious = false;
        return;
    }
}

int dolores_wakes_up(WestworldHost *host)
{
    KvmVcpu *vcpu = host != NULL ? host->brain : NULL;
    uint32_t why = KVM_EXIT_UNKNOWN;

    if (host == NULL)
        return -1;
    if (!host->conscious || vcpu == NULL || vcpu->kvm_run == NULL) {
        host->conscious = false;
        return -1;
    }
    printf("[KVM] Running vCPU %d from RIP=0x%" PRIx64 "\n", vcpu->vcpu_id,
           vcpu->regs.rip);
    for (;;) {
        if (kvm_run(vcpu) < 0) {
            host->conscious = false;
            printf("[VM] KVM_RUN failed\n");
            return -1;
        }
        why = vcpu->kvm_run->exit_reason;
        ford_says_freeze(host, vcpu->kvm_run);
        if (!host->conscious)
            break;
    }
    if (why == KVM_EXIT_HLT) {
        printf("[VM] CPU halted\n");
        return 0;
    }
    printf("[VM] Stopped: exit reason %" PRIu32 " at RIP=0x%" PRIx64 "\n",
           why, vcpu->regs.rip);
    return -1;
}

/* Any prefix of ford_creates_host() is valid here: each part is released
 * only if it was made, in the reverse order of creation. */
void ford_retires_host(WestworldHost *host)
{
    if (host == NULL)
        return;
    if (host->voice != NULL)
        serial_destroy(host->voice);
    if (host->memories != NULL) {
        if (host->park != NULL && host->park->ept == host->memories)
            host->park->ept = NULL;
        ept_destroy(host->memories);
    }
    if (host->brain != NULL)
        kvm_destroy_vcpu(host->brain);
    if (host->park != NULL)
        kvm_destroy_vm(host->park);
    if (host->ford != NULL)
        kvm_close(host->ford);
    free(host);
}
