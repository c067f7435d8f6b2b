/* alt_1.c - alternative 1 (section 4.4): a host is one calloc'd block
 *
 * ford_creates_host() makes a single allocation holding the WestworldHost and
 * the device, VM, vCPU, EPT context and UART it points at.  Only what must
 * be page-granular is mapped apart: guest memory, the kvm_run pages and the
 * EPT tables.  Each object therefore has an init (fill a zeroed struct,
 * acquire its mappings) and a fini (release the mappings only); the bare
 * kvm_* / ept_* / serial_* constructors are calloc + init, their destructors
 * fini + free, and ford_retires_host() runs the fini of the embedded objects
 * and frees the block once.
 *
 * The decoder reads the instruction length from a 16x16 opcode map, fetches
 * the whole instruction byte by byte through the MMU, then executes it in a
 * single switch.
 */

/* MAP_ANONYMOUS and MAP_NORESERVE are not ISO C: -std=c17 hides them. */
#define _DEFAULT_SOURCE

#include "hypervisor_sim.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* The only mutable static: simulated descriptors are unique per process and
 * start at 100, as in the document's trace. */
static int fd_counter = 100;

/* VMX "invalid guest state" (basic exit reason 33 with bit 31 set). */
#define ENTRY_FAILURE_INVALID_STATE 0x80000021ull

/* A PIO exit's data sits on the second page of the kvm_run mapping. */
#define PIO_DATA_AT ((uint64_t)KVM_PIO_PAGE_OFFSET * WW_PAGE_SIZE)

#define PAGE_OFFSET_MASK ((uint64_t)WW_PAGE_SIZE - 1)

/* ================================================================== */
/* vCPU: the KVM_RUN loop of a real-mode CPU                            */
/* ================================================================== */

enum outcome {
    GO_ON,          /* the instruction retired */
    TO_VMM,         /* kvm_run holds an exit */
    HOST_FAILED     /* an EPT table could not be built */
};

enum reach {
    REACH_OK,
    REACH_UNBACKED, /* no memory slot there */
    REACH_DENIED,   /* the EPT maps the page without that right */
    REACH_NOMEM
};

/* Resolves one guest byte for access.  Slot bound first, then the EPT the
 * vCPU walks; an absent page is faulted in read/write/execute, as KVM builds
 * its tables on the first touch. */
static enum reach guest_byte(KvmVcpu *vcpu, uint64_t gpa, uint32_t access,
                             uint8_t **hva)
{
    KvmVm *vm = vcpu->vm;
    uint64_t off = gpa - vm->guest_phys_addr;
    uint8_t *p;

    if (gpa < vm->guest_phys_addr || off >= vm->memory_size)
        return REACH_UNBACKED;
    if (vm->ept == NULL) {
        *hva = vm->guest_memory + off;
        return REACH_OK;
    }
    p = ept_translate(vm->ept, gpa, access);
    if (p == NULL) {
        if (((vm->ept->last_violation_qual >> 3) & EPT_RWX) != 0)
            return REACH_DENIED;
        if (ept_map(vm->ept, gpa, vm->guest_memory + (off & ~PAGE_OFFSET_MASK),
                    EPT_RWX) < 0)
            return REACH_NOMEM;
        p = ept_translate(vm->ept, gpa, access);
        if (p == NULL)
            return REACH_DENIED;
    }
    *hva = p;
    return REACH_OK;
}

/* Starts an exit: no field of the previous one survives. */
static KvmRun *exit_to(KvmVcpu *vcpu, uint32_t reason)
{
    KvmRun *run = vcpu->kvm_run;

    memset(run->padding, 0, sizeof(run->padding));
    run->exit_reason = reason;
    return run;
}

static enum outcome exit_fail_entry(KvmVcpu *vcpu)
{
    KvmRun *run = exit_to(vcpu, KVM_EXIT_FAIL_ENTRY);

    run->fail_entry.hardware_entry_failure_reason = ENTRY_FAILURE_INVALID_STATE;
    run->fail_entry.cpu = (uint32_t)vcpu->vcpu_id;
    return TO_VMM;
}

static enum outcome exit_internal(KvmVcpu *vcpu, uint64_t gpa)
{
    KvmRun *run = exit_to(vcpu, KVM_EXIT_INTERNAL_ERROR);

    run->internal.suberror = KVM_INTERNAL_ERROR_EMULATION;
    run->internal.ndata = 1;
    run->internal.data[0] = gpa;
    return TO_VMM;
}

/* An opcode outside the subset: the triple-fault analogue. */
static enum outcome exit_shutdown(KvmVcpu *vcpu)
{
    exit_to(vcpu, KVM_EXIT_SHUTDOWN);
    return TO_VMM;
}

/* General registers in ModRM / opcode+r order: AX CX DX BX SP BP SI DI. */
static uint64_t *gpr(KvmVcpu *vcpu, unsigned r)
{
    static const size_t at[8] = {
        offsetof(KvmRegs, rax), offsetof(KvmRegs, rcx),
        offsetof(KvmRegs, rdx), offsetof(KvmRegs, rbx),
        offsetof(KvmRegs, rsp), offsetof(KvmRegs, rbp),
        offsetof(KvmRegs, rsi), offsetof(KvmRegs, rdi),
    };

    return (uint64_t *)(void *)((char *)&vcpu->regs + at[r & 7]);
}

/* 16-bit writes keep bits 63:16, as the hardware does. */
static void write16(KvmVcpu *vcpu, unsigned r, uint16_t v)
{
    uint64_t *reg = gpr(vcpu, r);

    *reg = (*reg & ~(uint64_t)0xffff) | v;
}

/* r 0-3: AL CL DL BL; r 4-7: AH CH DH BH. */
static void write8(KvmVcpu *vcpu, unsigned r, uint8_t v)
{
    uint64_t *reg = gpr(vcpu, r & 3);
    unsigned shift = (r & 4) ? 8 : 0;

    *reg = (*reg & ~((uint64_t)0xff << shift)) | ((uint64_t)v << shift);
}

static void update_zf(KvmVcpu *vcpu, uint16_t result)
{
    if (result == 0)
        vcpu->regs.rflags |= WW_RFLAGS_ZF;
    else
        vcpu->regs.rflags &= ~(uint64_t)WW_RFLAGS_ZF;
}

static enum outcome port_io(KvmVcpu *vcpu, uint8_t direction, uint16_t port)
{
    KvmRun *run = exit_to(vcpu, KVM_EXIT_IO);

    run->io.direction = direction;
    run->io.size = 1;
    run->io.port = port;
    run->io.count = 1;
    run->io.data_offset = PIO_DATA_AT;
    if (direction == KVM_EXIT_IO_IN) {
        vcpu->pending = KVM_EXIT_IO;
        vcpu->pending_reg = 0;
    } else {
        ((uint8_t *)run)[PIO_DATA_AT] = (uint8_t)vcpu->regs.rax;
    }
    return TO_VMM;
}

/* A byte load into AL or store from AL at DS:off.  RAM the EPT allows is
 * accessed directly; an unbacked address, or a page mapped without the
 * right (as a read-only memslot), becomes an MMIO exit. */
static enum outcome memory_op(KvmVcpu *vcpu, uint16_t off, bool store)
{
    uint64_t gpa = vcpu->sregs.ds.base + off;
    KvmRun *run;
    uint8_t *p;

    switch (guest_byte(vcpu, gpa, store ? EPT_WRITE : EPT_READ, &p)) {
    case REACH_OK:
        if (store)
            *p = (uint8_t)vcpu->regs.rax;
        else
            write8(vcpu, 0, *p);
        return GO_ON;
    case REACH_NOMEM:
        return HOST_FAILED;
    case REACH_UNBACKED:
    case REACH_DENIED:
        break;
    }
    run = exit_to(vcpu, KVM_EXIT_MMIO);
    run->mmio.phys_addr = gpa;
    run->mmio.len = 1;
    run->mmio.is_write = store;
    if (store) {
        run->mmio.data[0] = (uint8_t)vcpu->regs.rax;
    } else {
        vcpu->pending = KVM_EXIT_MMIO;
        vcpu->pending_reg = 0;
    }
    return TO_VMM;
}

/* Instruction lengths, opcode byte included, as a one-byte opcode map
 * (row: high nibble, column: low nibble).  0: outside the subset. */
static const uint8_t insn_length[256] = {
/*       0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f */
/* 0 */  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
/* 1 */  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
/* 2 */  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
/* 3 */  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
/* 4 */  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,   /* inc, dec */
/* 5 */  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
/* 6 */  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
/* 7 */  0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,   /* jz, jnz */
/* 8 */  0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 2, 0,   /* mov modrm */
/* 9 */  1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,   /* nop */
/* a */  3, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,   /* moffs16 */
/* b */  2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3,   /* mov imm */
/* c */  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
/* d */  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
/* e */  0, 0, 2, 0, 2, 0, 2, 0, 0, 0, 0, 2, 1, 0, 1, 0,   /* loop, io, jmp */
/* f */  0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0,   /* hlt, cli, sti */
};

static uint64_t branch(uint64_t next, uint8_t rel8, bool taken)
{
    return taken ? next + (uint64_t)(int64_t)(int8_t)rel8 : next;
}

/* Executes the fetched instruction insn[0..len).  RIP moves when it
 * retires, or exits to the VMM having done its part. */
static enum outcome vcpu_execute(KvmVcpu *vcpu, const uint8_t *insn,
                                 unsigned len)
{
    KvmRegs *r = &vcpu->regs;
    uint64_t next = r->rip + len;
    uint16_t imm16 = (uint16_t)(insn[1] | insn[2] << 8);
    bool zf = (r->rflags & WW_RFLAGS_ZF) != 0;
    enum outcome out = GO_ON;
    uint16_t v;

    switch (insn[0]) {
    case 0x40: case 0x41: case 0x42: case 0x43:
    case 0x44: case 0x45: case 0x46: case 0x47:
        v = (uint16_t)(*gpr(vcpu, insn[0]) + 1);
        write16(vcpu, insn[0], v);
        update_zf(vcpu, v);
        break;
    case 0x48: case 0x49: case 0x4a: case 0x4b:
    case 0x4c: case 0x4d: case 0x4e: case 0x4f:
        v = (uint16_t)(*gpr(vcpu, insn[0]) - 1);
        write16(vcpu, insn[0], v);
        update_zf(vcpu, v);
        break;
    case 0xb0: case 0xb1: case 0xb2: case 0xb3:
    case 0xb4: case 0xb5: case 0xb6: case 0xb7:
        write8(vcpu, insn[0], insn[1]);
        break;
    case 0xb8: case 0xb9: case 0xba: case 0xbb:
    case 0xbc: case 0xbd: case 0xbe: case 0xbf:
        write16(vcpu, insn[0], imm16);
        break;
    case 0xa0:
        out = memory_op(vcpu, imm16, false);
        break;
    case 0xa2:
        out = memory_op(vcpu, imm16, true);
        break;
    case 0x88:
        if (insn[1] != 0x07)            /* mov [bx], al only */
            return exit_shutdown(vcpu);
        out = memory_op(vcpu, (uint16_t)r->rbx, true);
        break;
    case 0x8e: {
        unsigned sreg = (insn[1] >> 3) & 7;
        uint16_t sel = (uint16_t)*gpr(vcpu, insn[1]);
        KvmSegment *seg;

        /* register form; ES, SS, DS (loading CS this way is #UD) */
        if ((insn[1] >> 6) != 3)
            return exit_shutdown(vcpu);
        if (sreg == 0)
            seg = &vcpu->sregs.es;
        else if (sreg == 2)
            seg = &vcpu->sregs.ss;
        else if (sreg == 3)
            seg = &vcpu->sregs.ds;
        else
            return exit_shutdown(vcpu);
        seg->selector = sel;
        seg->base = (uint64_t)sel << 4;
        break;
    }
    case 0xe4:
        out = port_io(vcpu, KVM_EXIT_IO_IN, insn[1]);
        break;
    case 0xe6:
        out = port_io(vcpu, KVM_EXIT_IO_OUT, insn[1]);
        break;
    case 0xec:
        out = port_io(vcpu, KVM_EXIT_IO_IN, (uint16_t)r->rdx);
        break;
    case 0xee:
        out = port_io(vcpu, KVM_EXIT_IO_OUT, (uint16_t)r->rdx);
        break;
    case 0xf4:
        vcpu->halted = true;
        exit_to(vcpu, KVM_EXIT_HLT);
        out = TO_VMM;
        break;
    case 0xfa:
        r->rflags &= ~(uint64_t)WW_RFLAGS_IF;
        break;
    case 0xfb:
        r->rflags |= WW_RFLAGS_IF;
        break;
    case 0xeb:
        next = branch(next, insn[1], true);
        break;
    case 0x74:
        next = branch(next, insn[1], zf);
        break;
    case 0x75:
        next = branch(next, insn[1], !zf);
        break;
    case 0xe2:
        /* loop: CX - 1 without touching the flags */
        v = (uint16_t)(r->rcx - 1);
        write16(vcpu, 1, v);
        next = branch(next, insn[1], v != 0);
        break;
    case 0x90:
        break;
    default:
        return exit_shutdown(vcpu);     /* not reached: the map is 0 */
    }
    if (out == HOST_FAILED)
        return out;
    r->rip = next;
    vcpu->instructions++;
    return out;
}

/* Fetches the instruction at CS.base + RIP, byte by byte through the MMU:
 * its first byte outside RAM is an entry failure, a later one (or any byte
 * the EPT will not let us execute) an emulation error, so an instruction
 * that starts on the last byte of RAM is never read past it. */
static enum outcome vcpu_step(KvmVcpu *vcpu)
{
    uint64_t gpa = vcpu->sregs.cs.base + vcpu->regs.rip;
    uint8_t insn[3] = { 0, 0, 0 };
    unsigned len = 1;
    unsigned i;
    uint8_t *p;

    for (i = 0; i < len; i++) {
        switch (guest_byte(vcpu, gpa + i, EPT_EXEC, &p)) {
        case REACH_OK:
            break;
        case REACH_UNBACKED:
            if (i == 0)
                return exit_fail_entry(vcpu);
            return exit_internal(vcpu, gpa + i);
        case REACH_DENIED:
            return exit_internal(vcpu, gpa + i);
        case REACH_NOMEM:
            return HOST_FAILED;
        }
        insn[i] = *p;
        if (i == 0) {
            len = insn_length[insn[0]];
            if (len == 0)
                return exit_shutdown(vcpu);
        }
    }
    return vcpu_execute(vcpu, insn, len);
}

/* The second half of an IN or an MMIO load: the VMM left the byte. */
static void vcpu_complete(KvmVcpu *vcpu)
{
    const uint8_t *page = (const uint8_t *)vcpu->kvm_run;

    if (vcpu->pending == KVM_EXIT_IO)
        write8(vcpu, vcpu->pending_reg, page[PIO_DATA_AT]);
    else if (vcpu->pending == KVM_EXIT_MMIO)
        write8(vcpu, vcpu->pending_reg, vcpu->kvm_run->mmio.data[0]);
    vcpu->pending = 0;
}

int kvm_run(KvmVcpu *vcpu)
{
    enum outcome out;

    if (vcpu == NULL || vcpu->vm == NULL || vcpu->kvm_run == NULL)
        return -1;
    if (vcpu->vm->memory_size == 0 || vcpu->vm->guest_memory == NULL)
        return -1;
    vcpu_complete(vcpu);
    if ((vcpu->regs.rflags & WW_RFLAGS_FIXED) == 0) {
        out = exit_fail_entry(vcpu);
    } else if (vcpu->halted) {
        /* only an interrupt wakes a halted CPU, and none is ever raised */
        exit_to(vcpu, KVM_EXIT_HLT);
        out = TO_VMM;
    } else {
        while ((out = vcpu_step(vcpu)) == GO_ON)
            continue;
    }
    if (out == HOST_FAILED)
        return -1;
    vcpu->exits++;
    return 0;
}

/* ================================================================== */
/* EPT: 4-level guest-physical to host tables, built on demand          */
/* ================================================================== */

/* GPA bits each level indexes, PML4 first. */
static const unsigned level_shift[EPT_LEVELS] = { 39, 30, 21, 12 };

static unsigned slot_of(uint64_t gpa, unsigned depth)
{
    return (unsigned)(gpa >> level_shift[depth]) & (EPT_ENTRIES - 1);
}

static uint64_t *table_at(uint64_t entry)
{
    return (uint64_t *)(uintptr_t)(entry & EPT_ADDR_MASK);
}

static bool present(uint64_t entry)
{
    return (entry & EPT_RWX) != 0;
}

static bool perms_ok(uint32_t perms)
{
    return perms != 0 && (perms & ~(uint32_t)EPT_RWX) == 0;
}

static uint64_t *table_new(EptContext *ept)
{
    void *t = mmap(NULL, WW_PAGE_SIZE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    if (t == MAP_FAILED)
        return NULL;
    ept->tables++;
    return t;
}

/* The PT entry of gpa; the missing tables are built when grow is set
 * (upper levels allow everything: the leaf decides).  NULL if absent. */
static uint64_t *ept_pte(EptContext *ept, uint64_t gpa, bool grow)
{
    uint64_t *table = ept->pml4;
    unsigned depth;

    for (depth = 0; depth < EPT_LEVELS - 1; depth++) {
        uint64_t *e = &table[slot_of(gpa, depth)];

        if (!present(*e)) {
            uint64_t *t = grow ? table_new(ept) : NULL;

            if (t == NULL)
                return NULL;
            *e = ((uint64_t)(uintptr_t)t & EPT_ADDR_MASK) | EPT_RWX;
        }
        table = table_at(*e);
    }
    return &table[slot_of(gpa, EPT_LEVELS - 1)];
}

static int ept_init(EptContext *ept, uint64_t guest_size)
{
    if (guest_size == 0 || guest_size > EPT_MAX_GPA)
        return -1;
    ept->guest_size = guest_size;
    ept->pml4 = table_new(ept);
    if (ept->pml4 == NULL)
        return -1;
    printf("[EPT] Created EPT context for %" PRIu64 " bytes\n", guest_size);
    return 0;
}

/* Unmaps every table, leaf level last; the guest pages are not ours. */
static void ept_fini(EptContext *ept)
{
    uint64_t *pml4 = ept->pml4;
    unsigned i, j, k;

    if (pml4 == NULL)
        return;
    for (i = 0; i < EPT_ENTRIES; i++) {
        uint64_t *pdpt = table_at(pml4[i]);

        if (!present(pml4[i]))
            continue;
        for (j = 0; j < EPT_ENTRIES; j++) {
            uint64_t *pd = table_at(pdpt[j]);

            if (!present(pdpt[j]))
                continue;
            for (k = 0; k < EPT_ENTRIES; k++)
                if (present(pd[k]))
                    munmap(table_at(pd[k]), WW_PAGE_SIZE);
            munmap(pd, WW_PAGE_SIZE);
        }
        munmap(pdpt, WW_PAGE_SIZE);
    }
    munmap(pml4, WW_PAGE_SIZE);
    ept->pml4 = NULL;
}

EptContext *ept_create(uint64_t guest_size)
{
    EptContext *ept;

    if (guest_size == 0 || guest_size > EPT_MAX_GPA)
        return NULL;
    ept = calloc(1, sizeof(*ept));
    if (ept == NULL)
        return NULL;
    if (ept_init(ept, guest_size) < 0) {
        free(ept);
        return NULL;
    }
    return ept;
}

int ept_map(EptContext *ept, uint64_t gpa, void *hva, uint32_t perms)
{
    uint64_t host = (uint64_t)(uintptr_t)hva;
    uint64_t *pte;

    if (ept == NULL || hva == NULL || gpa >= EPT_MAX_GPA || !perms_ok(perms))
        return -1;
    if ((host & EPT_ADDR_MASK) != host)
        return -1;              /* not page aligned (or not addressable) */
    pte = ept_pte(ept, gpa, true);
    if (pte == NULL)
        return -1;
    *pte = host | perms;
    return 0;
}

int ept_set_permissions(EptContext *ept, uint64_t gpa, uint32_t perms)
{
    uint64_t *pte;

    if (ept == NULL || gpa >= EPT_MAX_GPA || !perms_ok(perms))
        return -1;
    pte = ept_pte(ept, gpa, false);
    if (pte == NULL || !present(*pte))
        return -1;
    *pte = (*pte & EPT_ADDR_MASK) | perms;
    return 0;
}

void *ept_translate(EptContext *ept, uint64_t gpa, uint32_t access)
{
    uint64_t entry = 0;
    uint32_t allowed = 0;
    unsigned depth;

    if (ept == NULL)
        return NULL;
    if (access != EPT_READ && access != EPT_WRITE && access != EPT_EXEC)
        return NULL;
    if (gpa < EPT_MAX_GPA) {
        const uint64_t *table = ept->pml4;

        /* the rights of a page are the AND of the rights on the way */
        allowed = EPT_RWX;
        for (depth = 0; depth < EPT_LEVELS && allowed != 0; depth++) {
            entry = table[slot_of(gpa, depth)];
            allowed = present(entry) ? allowed & (uint32_t)entry : 0;
            table = table_at(entry);
        }
    }
    if ((allowed & access) != 0)
        return (uint8_t *)table_at(entry) + (gpa & PAGE_OFFSET_MASK);
    ept->violations++;
    ept->last_violation_gpa = gpa;
    ept->last_violation_qual = access | (allowed & EPT_RWX) << 3;
    return NULL;
}

void ept_destroy(EptContext *ept)
{
    if (ept == NULL)
        return;
    ept_fini(ept);
    free(ept);
}

/* ================================================================== */
/* Serial port: 16550 UART at COM1                                      */
/* ================================================================== */

static void serial_init(SerialPort *s)
{
    s->base = SERIAL_COM1_BASE;
    s->lcr = 0x03;                                          /* 8N1 */
    s->mcr = 0x08;                                          /* OUT2 */
    s->lsr = UART_LSR_THRE | UART_LSR_TEMT;
    s->msr = UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
    s->dll = 12;                                            /* 9600 baud */
    s->dlm = 0;
}

SerialPort *serial_create(void)
{
    SerialPort *s = calloc(1, sizeof(*s));

    if (s != NULL)
        serial_init(s);
    return s;
}

bool serial_handles(const SerialPort *serial, uint16_t port)
{
    if (serial == NULL || port < serial->base)
        return false;
    return port - serial->base < SERIAL_PORTS;
}

static bool divisor_latched(const SerialPort *serial)
{
    return (serial->lcr & UART_LCR_DLAB) != 0;
}

int serial_out(SerialPort *serial, uint16_t port, uint8_t value)
{
    unsigned reg;

    if (!serial_handles(serial, port))
        return -1;
    reg = (unsigned)(port - serial->base);
    if (divisor_latched(serial) && reg <= UART_DLM) {
        if (reg == UART_DLL)
            serial->dll = value;
        else
            serial->dlm = value;
        return 0;
    }
    switch (reg) {
    case UART_THR:
        putchar(value);
        serial->tx_bytes++;
        break;
    case UART_IER:
        serial->ier = value & 0x0f;
        break;
    case UART_FCR:
        serial->fcr = value;
        break;
    case UART_LCR:
        serial->lcr = value;
        break;
    case UART_MCR:
        serial->mcr = value & 0x1f;
        break;
    case UART_SCR:
        serial->scr = value;
        break;
    default:
        break;          /* LSR, MSR: read-only */
    }
    return 0;
}

int serial_in(SerialPort *serial, uint16_t port, uint8_t *value)
{
    unsigned reg;

    if (!serial_handles(serial, port) || value == NULL)
        return -1;
    reg = (unsigned)(port - serial->base);
    if (divisor_latched(serial) && reg <= UART_DLM) {
        *value = reg == UART_DLL ? serial->dll : serial->dlm;
        return 0;
    }
    switch (reg) {
    case UART_RBR:
        *value = serial->rbr;
        serial->lsr &= (uint8_t)~UART_LSR_DR;
        break;
    case UART_IER:
        *value = serial->ier;
        break;
    case UART_IIR:
        /* received data outranks THR empty; the virtual THR is always empty */
        if ((serial->ier & UART_IER_RDI) && (serial->lsr & UART_LSR_DR))
            *value = UART_IIR_RDI;
        else if (serial->ier & UART_IER_THRI)
            *value = UART_IIR_THRI;
        else
            *value = UART_IIR_NO_INT;
        break;
    case UART_LCR:
        *value = serial->lcr;
        break;
    case UART_MCR:
        *value = serial->mcr;
        break;
    case UART_LSR:
        *value = serial->lsr;
        break;
    case UART_MSR:
        *value = serial->msr;
        break;
    default:
        *value = serial->scr;
        break;
    }
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
    free(serial);
}

/* ================================================================== */
/* KVM: device, VM, vCPU                                                */
/* ================================================================== */

static void device_init(KvmDevice *kvm)
{
    kvm->fd = fd_counter++;
    kvm->api_version = KVM_API_VERSION;
    printf("[KVM] Opened /dev/kvm (fd=%d)\n", kvm->fd);
    printf("[KVM] API version: %d\n", kvm->api_version);
}

KvmDevice *kvm_open(void)
{
    KvmDevice *kvm = calloc(1, sizeof(*kvm));

    if (kvm != NULL)
        device_init(kvm);
    return kvm;
}

static void vm_init(KvmVm *vm, KvmDevice *kvm)
{
    vm->fd = fd_counter++;
    vm->kvm = kvm;
    printf("[KVM] Created VM (fd=%d)\n", vm->fd);
}

/* Unmaps the guest memory the VM mapped itself. */
static void vm_fini(KvmVm *vm)
{
    if (vm->owns_memory && vm->guest_memory != NULL)
        munmap(vm->guest_memory, (size_t)vm->memory_size);
    vm->guest_memory = NULL;
    vm->owns_memory = false;
}

KvmVm *kvm_create_vm(KvmDevice *kvm)
{
    KvmVm *vm;

    if (kvm == NULL)
        return NULL;
    vm = calloc(1, sizeof(*vm));
    if (vm != NULL)
        vm_init(vm, kvm);
    return vm;
}

static bool page_aligned(uint64_t v)
{
    return (v & PAGE_OFFSET_MASK) == 0;
}

int kvm_set_user_memory_region(KvmVm *vm, uint32_t slot, uint64_t guest_addr,
                               uint64_t size, void *host_addr)
{
    void *mem = host_addr;

    if (vm == NULL || slot != 0 || vm->memory_size != 0)
        return -1;
    if (size == 0 || !page_aligned(size) || !page_aligned(guest_addr) ||
        !page_aligned((uint64_t)(uintptr_t)host_addr))
        return -1;
    if (size > EPT_MAX_GPA || guest_addr > EPT_MAX_GPA - size ||
        size > SIZE_MAX)
        return -1;
    if (mem == NULL) {
        /* lazily backed: a 4 GiB guest costs the pages it touches */
        mem = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (mem == MAP_FAILED)
            return -1;
        vm->owns_memory = true;
    }
    vm->slot = slot;
    vm->guest_phys_addr = guest_addr;
    vm->memory_size = size;
    vm->guest_memory = mem;
    printf("[KVM] Setting memory region: slot=%" PRIu32 ", guest=0x%" PRIx64
           ", size=%" PRIu64 ", host=%p\n", slot, guest_addr, size, mem);
    return 0;
}

/* A real-mode segment at 0 with a 64 KiB limit. */
static KvmSegment flat_segment(uint8_t type)
{
    KvmSegment seg = { 0 };

    seg.limit = 0xffff;
    seg.type = type;
    seg.present = 1;
    seg.s = 1;
    return seg;
}

/* Maps the kvm_run pages first: the descriptor is taken only on success. */
static int vcpu_init(KvmVcpu *vcpu, KvmVm *vm, int vcpu_id)
{
    void *run = mmap(NULL, KVM_RUN_MMAP_SIZE, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    if (run == MAP_FAILED)
        return -1;
    vcpu->kvm_run = run;
    vcpu->kvm_run_size = KVM_RUN_MMAP_SIZE;
    vcpu->fd = fd_counter++;
    vcpu->vcpu_id = vcpu_id;
    vcpu->vm = vm;
    vcpu->regs.rflags = WW_RFLAGS_FIXED;
    /* code: execute/read accessed; data: read/write accessed */
    vcpu->sregs.cs = flat_segment(0x0b);
    vcpu->sregs.ds = flat_segment(0x03);
    vcpu->sregs.es = flat_segment(0x03);
    vcpu->sregs.fs = flat_segment(0x03);
    vcpu->sregs.gs = flat_segment(0x03);
    vcpu->sregs.ss = flat_segment(0x03);
    vcpu->sregs.gdt.limit = 0xffff;
    vcpu->sregs.idt.limit = 0xffff;
    vcpu->sregs.cr0 = 0x60000010;
    printf("[KVM] Created vCPU %d (fd=%d)\n", vcpu_id, vcpu->fd);
    return 0;
}

static void vcpu_fini(KvmVcpu *vcpu)
{
    if (vcpu->kvm_run != NULL)
        munmap(vcpu->kvm_run, vcpu->kvm_run_size);
    vcpu->kvm_run = NULL;
}

KvmVcpu *kvm_create_vcpu(KvmVm *vm, int vcpu_id)
{
    KvmVcpu *vcpu;

    if (vm == NULL || vcpu_id < 0)
        return NULL;
    vcpu = calloc(1, sizeof(*vcpu));
    if (vcpu == NULL)
        return NULL;
    if (vcpu_init(vcpu, vm, vcpu_id) < 0) {
        free(vcpu);
        return NULL;
    }
    return vcpu;
}

void kvm_destroy_vcpu(KvmVcpu *vcpu)
{
    if (vcpu == NULL)
        return;
    vcpu_fini(vcpu);
    free(vcpu);
}

void kvm_destroy_vm(KvmVm *vm)
{
    if (vm == NULL)
        return;
    vm_fini(vm);
    free(vm);
}

void kvm_close(KvmDevice *kvm)
{
    free(kvm);
}

/* ================================================================== */
/* Westworld API: the VMM                                               */
/* ================================================================== */

/* Everything a host is, in one allocation.  The host comes first, so the
 * block and the WestworldHost the caller holds have the same address. */
struct host_block {
    WestworldHost host;
    KvmDevice     device;
    KvmVm         vm;
    KvmVcpu       vcpu;
    EptContext    ept;
    SerialPort    serial;
};

static struct host_block *block_of(WestworldHost *host)
{
    return (struct host_block *)(void *)host;
}

WestworldHost *ford_creates_host(size_t memory_mb)
{
    struct host_block *b;
    size_t size;

    if (memory_mb == 0 || memory_mb > SIZE_MAX / WW_MIB)
        return NULL;
    size = memory_mb * WW_MIB;
    if ((uint64_t)size > EPT_MAX_GPA)
        return NULL;

    b = calloc(1, sizeof(*b));
    if (b == NULL)
        return NULL;
    device_init(&b->device);
    vm_init(&b->vm, &b->device);
    if (kvm_set_user_memory_region(&b->vm, 0, 0, size, NULL) < 0)
        goto out_block;
    if (vcpu_init(&b->vcpu, &b->vm, 0) < 0)
        goto out_memory;
    if (ept_init(&b->ept, size) < 0)
        goto out_vcpu;
    b->vm.ept = &b->ept;
    serial_init(&b->serial);

    b->host.ford = &b->device;
    b->host.park = &b->vm;
    b->host.brain = &b->vcpu;
    b->host.memories = &b->ept;
    b->host.voice = &b->serial;
    b->host.conscious = true;
    return &b->host;

out_vcpu:
    vcpu_fini(&b->vcpu);
out_memory:
    vm_fini(&b->vm);
out_block:
    free(b);
    return NULL;
}

int ford_implants_memories(WestworldHost *host, const uint8_t *narrative,
                           size_t size, uint64_t addr)
{
    KvmVm *vm;
    KvmVcpu *vcpu;
    uint64_t off;

    if (host == NULL || narrative == NULL || size == 0)
        return -1;
    vm = host->park;
    vcpu = host->brain;
    if (vm == NULL || vcpu == NULL || vm->guest_memory == NULL)
        return -1;
    /* [addr, addr + size) inside the slot, with no sum that can wrap */
    off = addr - vm->guest_phys_addr;
    if (addr < vm->guest_phys_addr || off >= vm->memory_size ||
        vm->memory_size - off < size)
        return -1;
    memcpy(vm->guest_memory + off, narrative, size);
    printf("[VM] Loaded %zu bytes at 0x%" PRIx64 "\n", size, addr);

    vcpu->sregs.cs.base = 0;
    vcpu->sregs.cs.selector = 0;
    vcpu->regs.rip = addr;
    vcpu->halted = false;
    vcpu->pending = 0;
    host->conscious = true;
    return 0;
}

/* QEMU's side of a PIO exit.  The data area must lie inside the kvm_run
 * mapping (a KvmRun that is not the vCPU's has no second page); if it does
 * not, the exit cannot be handled. */
static int handle_pio(WestworldHost *host, KvmRun *run)
{
    uint64_t room = sizeof(*run);
    uint64_t bytes = (uint64_t)run->io.count * run->io.size;
    uint8_t *data;
    uint32_t i;

    if (host->brain != NULL && host->brain->kvm_run == run)
        room = host->brain->kvm_run_size;
    if (run->io.data_offset > room || bytes > room - run->io.data_offset)
        return -1;
    data = (uint8_t *)run + run->io.data_offset;
    if (run->io.direction == KVM_EXIT_IO_IN)
        memset(data, 0xff, (size_t)bytes);      /* a floating bus */
    if (bytes == 0 || !serial_handles(host->voice, run->io.port))
        return 0;                   /* nothing to move, or nothing there */
    for (i = 0; i < run->io.count; i++, data += run->io.size) {
        /* the UART's registers are a byte wide */
        if (run->io.direction == KVM_EXIT_IO_OUT)
            serial_out(host->voice, run->io.port, *data);
        else
            serial_in(host->voice, run->io.port, data);
    }
    return 0;
}

void ford_says_freeze(WestworldHost *host, KvmRun *analysis)
{
    if (host == NULL || analysis == NULL)
        return;
    if (analysis->exit_reason == KVM_EXIT_IO) {
        if (handle_pio(host, analysis) < 0)
            host->conscious = false;
    } else if (analysis->exit_reason == KVM_EXIT_MMIO) {
        /* no device at any unbacked address: loads see an open bus */
        if (analysis->mmio.is_write == 0)
            memset(analysis->mmio.data, 0xff, sizeof(analysis->mmio.data));
    } else {
        /* HLT and every fatal or unknown exit end the host's run */
        host->conscious = false;
    }
}

int dolores_wakes_up(WestworldHost *host)
{
    KvmVcpu *vcpu;
    uint32_t last = KVM_EXIT_UNKNOWN;

    if (host == NULL)
        return -1;
    vcpu = host->brain;
    if (!host->conscious || vcpu == NULL || vcpu->kvm_run == NULL) {
        host->conscious = false;
        return -1;
    }
    printf("[KVM] Running vCPU %d from RIP=0x%" PRIx64 "\n", vcpu->vcpu_id,
           vcpu->regs.rip);
    do {
        if (kvm_run(vcpu) != 0) {
            host->conscious = false;
            printf("[VM] KVM_RUN failed\n");
            return -1;
        }
        last = vcpu->kvm_run->exit_reason;
        ford_says_freeze(host, vcpu->kvm_run);
    } while (host->conscious);
    if (last != KVM_EXIT_HLT) {
        printf("[VM] Stopped: exit reason %" PRIu32 " at RIP=0x%" PRIx64 "\n",
               last, vcpu->regs.rip);
        return -1;
    }
    printf("[VM] CPU halted\n");
    return 0;
}

/* Reverse order of creation.  An object that is the block's own is only
 * finalised (its mappings released); one the caller put there instead is
 * destroyed as the bare API would.  The block is freed once, at the end. */
void ford_retires_host(WestworldHost *host)
{
    struct host_block *b;

    if (host == NULL)
        return;
    b = block_of(host);
    if (host->voice != &b->serial)
        serial_destroy(host->voice);
    if (host->park != NULL)
        host->park->ept = NULL;
    if (host->memories == &b->ept)
        ept_fini(&b->ept);
    else
        ept_destroy(host->memories);
    if (host->brain == &b->vcpu)
        vcpu_fini(&b->vcpu);
    else
        kvm_destroy_vcpu(host->brain);
    if (host->park == &b->vm)
        vm_fini(&b->vm);
    else
        kvm_destroy_vm(host->park);
    if (host->ford != &b->device)
        kvm_close(host->ford);
    free(b);
}
