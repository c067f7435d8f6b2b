/* alt_3.c - westworld_hypervisor, base subset, written from the header alone
 *
 * What this one does its own way:
 *  - the vCPU decodes first and executes after: ww3_decode() turns the bytes
 *    at CS.base + RIP into a Ww3Insn (operation, length, register,
 *    immediate), fetched byte by byte through the EPT, then a table of
 *    function pointers indexed by the operation executes it;
 *  - EPT tables are single pages from mmap (page aligned by construction);
 *    an entry holds the host address of the next table, or of the guest
 *    page for a leaf, with the permission bits in its low bits; every walk
 *    is a loop over the levels; the guest's EPT is built lazily on the
 *    first touch of a page (probe without counting, then map RWX);
 *  - inc/dec set ZF, SF, PF, AF and OF as x86 does (CF is left alone);
 *  - a data access the EPT refuses inside the slot exits as MMIO, like a
 *    store to a KVM_MEM_READONLY slot on real KVM;
 *  - file descriptors are numbered from 3, one counter per process;
 *  - allocations are malloc + memset, failure paths unwind with goto.
 */
#define _DEFAULT_SOURCE
#include "hypervisor_sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* ------------------------------------------------------------------ */
/* Process-wide fd numbering (the only mutable static)                  */
/* ------------------------------------------------------------------ */

static int ww3_fd_counter = 3;

static int ww3_take_fd(void)
{
    return ww3_fd_counter++;
}

static void *ww3_zalloc(size_t n)
{
    void *p = malloc(n);

    if (p != NULL)
        memset(p, 0, n);
    return p;
}

static void *ww3_page_map(size_t bytes, int extra_flags)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | extra_flags, -1, 0);

    return p == MAP_FAILED ? NULL : p;
}

/* ------------------------------------------------------------------ */
/* EPT                                                                  */
/* ------------------------------------------------------------------ */

#define WW3_IDX_BITS 9u
#define WW3_IDX_MASK 0x1ffu
#define WW3_PAGE_SHIFT 12u

static unsigned ww3_level_index(uint64_t gpa, int level)
{
    return (unsigned)((gpa >> (WW3_PAGE_SHIFT + WW3_IDX_BITS * (unsigned)level))
                      & WW3_IDX_MASK);
}

static uint64_t *ww3_entry_target(uint64_t entry)
{
    return (uint64_t *)(uintptr_t)(entry & EPT_ADDR_MASK);
}

static bool ww3_perms_ok(uint32_t perms)
{
    return perms != 0 && (perms & ~(uint32_t)EPT_RWX) == 0;
}

EptContext *ept_create(uint64_t guest_size)
{
    EptContext *ctx;
    uint64_t *root;

    if (guest_size == 0 || guest_size > EPT_MAX_GPA)
        return NULL;
    ctx = ww3_zalloc(sizeof(*ctx));
    if (ctx == NULL)
        goto fail;
    root = ww3_page_map(WW_PAGE_SIZE, 0);
    if (root == NULL)
        goto fail_ctx;
    ctx->pml4 = root;
    ctx->guest_size = guest_size;
    ctx->tables = 1;
    return ctx;

fail_ctx:
    free(ctx);
fail:
    return NULL;
}

/* The leaf entry of gpa, or NULL when a level is missing.  With grow, the
 * missing intermediate tables are built, and NULL means one could not be
 * allocated (those built before it stay). */
static uint64_t *ww3_leaf_slot(EptContext *ctx, uint64_t gpa, bool grow)
{
    uint64_t *table = ctx->pml4;
    int level;

    for (level = EPT_LEVELS - 1; level > 0; level--) {
        uint64_t *entry = &table[ww3_level_index(gpa, level)];

        if ((*entry & EPT_RWX) == 0) {
            uint64_t *fresh;

            if (!grow)
                return NULL;
            fresh = ww3_page_map(WW_PAGE_SIZE, 0);
            if (fresh == NULL)
                return NULL;
            ctx->tables++;
            *entry = (uint64_t)(uintptr_t)fresh | EPT_RWX;
        }
        table = ww3_entry_target(*entry);
    }
    return &table[ww3_level_index(gpa, 0)];
}

int ept_map(EptContext *ept, uint64_t gpa, void *hva, uint32_t perms)
{
    uint64_t *leaf;

    if (ept == NULL || gpa >= EPT_MAX_GPA || !ww3_perms_ok(perms))
        return -1;
    if (hva == NULL || ((uintptr_t)hva & (WW_PAGE_SIZE - 1)) != 0)
        return -1;
    leaf = ww3_leaf_slot(ept, gpa, true);
    if (leaf == NULL)
        return -1;
    *leaf = ((uint64_t)(uintptr_t)hva & EPT_ADDR_MASK) | perms;
    return 0;
}

int ept_set_permissions(EptContext *ept, uint64_t gpa, uint32_t perms)
{
    uint64_t *leaf;

    if (ept == NULL || gpa >= EPT_MAX_GPA || !ww3_perms_ok(perms))
        return -1;
    leaf = ww3_leaf_slot(ept, gpa, false);
    if (leaf == NULL || (*leaf & EPT_RWX) == 0)
        return -1;
    *leaf = (*leaf & ~(uint64_t)EPT_RWX) | perms;
    return 0;
}

static void ww3_note_violation(EptContext *ctx, uint64_t gpa, uint32_t access,
                               uint32_t found)
{
    ctx->violations++;
    ctx->last_violation_gpa = gpa;
    ctx->last_violation_qual =
        (access & (EPT_QUAL_READ | EPT_QUAL_WRITE | EPT_QUAL_FETCH)) |
        ((found & EPT_RWX) << 3);
}

void *ept_translate(EptContext *ept, uint64_t gpa, uint32_t access)
{
    uint64_t *table;
    uint32_t found = EPT_RWX;
    uint64_t entry = 0;
    int level;

    if (ept == NULL)
        return NULL;
    if (access != EPT_READ && access != EPT_WRITE && access != EPT_EXEC)
        return NULL;
    if (gpa >= EPT_MAX_GPA) {
        ww3_note_violation(ept, gpa, access, 0);
        return NULL;
    }
    table = ept->pml4;
    for (level = EPT_LEVELS - 1; level >= 0; level--) {
        entry = table[ww3_level_index(gpa, level)];
        if ((entry & EPT_RWX) == 0) {
            /* not present: the qualification shows no permission */
            ww3_note_violation(ept, gpa, access, 0);
            return NULL;
        }
        found &= (uint32_t)(entry & EPT_RWX);
        if ((found & access) == 0) {
            ww3_note_violation(ept, gpa, access, found);
            return NULL;
        }
        if (level > 0)
            table = ww3_entry_target(entry);
    }
    return (uint8_t *)ww3_entry_target(entry) + (gpa & (WW_PAGE_SIZE - 1));
}

void ept_destroy(EptContext *ept)
{
    unsigned i, j, k;

    if (ept == NULL)
        return;
    for (i = 0; i < EPT_ENTRIES; i++) {
        uint64_t *pdpt;

        if ((ept->pml4[i] & EPT_RWX) == 0)
            continue;
        pdpt = ww3_entry_target(ept->pml4[i]);
        for (j = 0; j < EPT_ENTRIES; j++) {
            uint64_t *pd;

            if ((pdpt[j] & EPT_RWX) == 0)
                continue;
            pd = ww3_entry_target(pdpt[j]);
            for (k = 0; k < EPT_ENTRIES; k++)
                if ((pd[k] & EPT_RWX) != 0)
                    munmap(ww3_entry_target(pd[k]), WW_PAGE_SIZE);
            munmap(pd, WW_PAGE_SIZE);
        }
        munmap(pdpt, WW_PAGE_SIZE);
    }
    munmap(ept->pml4, WW_PAGE_SIZE);
    free(ept);
}

/* ------------------------------------------------------------------ */
/* 16550 UART                                                           */
/* ------------------------------------------------------------------ */

SerialPort *serial_create(void)
{
    SerialPort *uart = ww3_zalloc(sizeof(*uart));

    if (uart == NULL)
        return NULL;
    uart->base = SERIAL_COM1_BASE;
    uart->lcr = 0x03;
    uart->mcr = 0x08;
    uart->lsr = UART_LSR_THRE | UART_LSR_TEMT;
    uart->msr = UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
    uart->dll = 12;
    uart->dlm = 0;
    return uart;
}

bool serial_handles(const SerialPort *serial, uint16_t port)
{
    return serial != NULL && port >= serial->base &&
           (uint32_t)port < (uint32_t)serial->base + SERIAL_PORTS;
}

static bool ww3_dlab(const SerialPort *uart)
{
    return (uart->lcr & UART_LCR_DLAB) != 0;
}

int serial_out(SerialPort *serial, uint16_t port, uint8_t value)
{
    if (!serial_handles(serial, port))
        return -1;
    switch (port - serial->base) {
    case UART_THR:
        if (ww3_dlab(serial)) {
            serial->dll = value;
        } else {
            putchar(value);
            serial->tx_bytes++;
        }
        break;
    case UART_IER:
        if (ww3_dlab(serial))
            serial->dlm = value;
        else
            serial->ier = value;
        break;
    case UART_FCR:
        serial->fcr = value;
        break;
    case UART_LCR:
        serial->lcr = value;
        break;
    case UART_MCR:
        serial->mcr = value;
        break;
    case UART_SCR:
        serial->scr = value;
        break;
    default:
        /* LSR and MSR are read-only: the write is ignored */
        break;
    }
    return 0;
}

static uint8_t ww3_iir(const SerialPort *uart)
{
    if ((uart->ier & UART_IER_RDI) && (uart->lsr & UART_LSR_DR))
        return UART_IIR_RDI;
    if ((uart->ier & UART_IER_THRI) && (uart->lsr & UART_LSR_THRE))
        return UART_IIR_THRI;
    return UART_IIR_NO_INT;
}

int serial_in(SerialPort *serial, uint16_t port, uint8_t *value)
{
    uint8_t v;

    if (value == NULL || !serial_handles(serial, port))
        return -1;
    switch (port - serial->base) {
    case UART_RBR:
        if (ww3_dlab(serial)) {
            v = serial->dll;
        } else {
            v = serial->rbr;
            serial->lsr &= (uint8_t)~UART_LSR_DR;
        }
        break;
    case UART_IER:
        v = ww3_dlab(serial) ? serial->dlm : serial->ier;
        break;
    case UART_IIR:
        v = ww3_iir(serial);
        break;
    case UART_LCR:
        v = serial->lcr;
        break;
    case UART_MCR:
        v = serial->mcr;
        break;
    case UART_LSR:
        v = serial->lsr;
        break;
    case UART_MSR:
        v = serial->msr;
        break;
    default:
        v = serial->scr;
        break;
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
    free(serial);
}

/* ------------------------------------------------------------------ */
/* Device, VM, vCPU                                                     */
/* ------------------------------------------------------------------ */

KvmDevice *kvm_open(void)
{
    KvmDevice *dev = ww3_zalloc(sizeof(*dev));

    if (dev == NULL)
        return NULL;
    dev->api_version = KVM_API_VERSION;
    dev->fd = ww3_take_fd();
    return dev;
}

KvmVm *kvm_create_vm(KvmDevice *kvm)
{
    KvmVm *vm;

    if (kvm == NULL)
        return NULL;
    vm = ww3_zalloc(sizeof(*vm));
    if (vm == NULL)
        return NULL;
    vm->kvm = kvm;
    vm->slot = 0;
    vm->memory_size = 0;
    vm->guest_memory = NULL;
    vm->owns_memory = false;
    vm->ept = NULL;
    vm->fd = ww3_take_fd();
    return vm;
}

int kvm_set_user_memory_region(KvmVm *vm, uint32_t slot, uint64_t guest_addr,
                               uint64_t size, void *host_addr)
{
    const uint64_t page_mask = WW_PAGE_SIZE - 1;
    uint8_t *backing;

    if (vm == NULL || slot != 0 || vm->memory_size != 0 || size == 0)
        return -1;
    if ((size & page_mask) || (guest_addr & page_mask) ||
        ((uintptr_t)host_addr & page_mask))
        return -1;
    if (guest_addr > EPT_MAX_GPA || size > EPT_MAX_GPA - guest_addr)
        return -1;
    if (host_addr != NULL) {
        backing = host_addr;
    } else {
        backing = ww3_page_map((size_t)size, MAP_NORESERVE);
        if (backing == NULL)
            return -1;
    }
    vm->slot = slot;
    vm->guest_phys_addr = guest_addr;
    vm->memory_size = size;
    vm->guest_memory = backing;
    vm->owns_memory = host_addr == NULL;
    return 0;
}

static void ww3_real_segment(KvmSegment *seg, uint8_t type)
{
    memset(seg, 0, sizeof(*seg));
    seg->limit = 0xffff;
    seg->type = type;
    seg->present = 1;
    seg->s = 1;
}

KvmVcpu *kvm_create_vcpu(KvmVm *vm, int vcpu_id)
{
    KvmVcpu *cpu;
    KvmRun *run;

    if (vm == NULL || vcpu_id < 0)
        return NULL;
    cpu = ww3_zalloc(sizeof(*cpu));
    if (cpu == NULL)
        goto fail;
    run = ww3_page_map(KVM_RUN_MMAP_SIZE, 0);
    if (run == NULL)
        goto fail_cpu;

    cpu->vcpu_id = vcpu_id;
    cpu->vm = vm;
    cpu->kvm_run = run;
    cpu->kvm_run_size = KVM_RUN_MMAP_SIZE;
    cpu->regs.rip = 0;
    cpu->regs.rflags = WW_RFLAGS_FIXED;
    ww3_real_segment(&cpu->sregs.cs, 0x0b);
    ww3_real_segment(&cpu->sregs.ds, 0x03);
    ww3_real_segment(&cpu->sregs.es, 0x03);
    ww3_real_segment(&cpu->sregs.ss, 0x03);
    ww3_real_segment(&cpu->sregs.fs, 0x03);
    ww3_real_segment(&cpu->sregs.gs, 0x03);
    cpu->sregs.tr.limit = 0xffff;
    cpu->sregs.tr.type = 0x0b;
    cpu->sregs.tr.present = 1;
    cpu->sregs.ldt.limit = 0xffff;
    cpu->sregs.ldt.type = 0x02;
    cpu->sregs.ldt.present = 1;
    cpu->sregs.gdt.limit = 0xffff;
    cpu->sregs.idt.limit = 0xffff;
    cpu->sregs.cr0 = 0x60000010u;
    cpu->fd = ww3_take_fd();
    return cpu;

fail_cpu:
    free(cpu);
fail:
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
    free(kvm);
}

/* ------------------------------------------------------------------ */
/* The vCPU: guest memory access                                        */
/* ------------------------------------------------------------------ */

typedef enum {
    WW3_MEM_OK,         /* *host points at the byte */
    WW3_MEM_UNBACKED,   /* no slot backs the address */
    WW3_MEM_REFUSED,    /* the EPT said no (violation counted) */
    WW3_MEM_HOSTFAIL    /* an EPT table could not be allocated */
} Ww3MemResult;

static bool ww3_in_slot(const KvmVm *vm, uint64_t gpa)
{
    return gpa >= vm->guest_phys_addr &&
           gpa - vm->guest_phys_addr < vm->memory_size;
}

static Ww3MemResult ww3_guest_byte(KvmVm *vm, uint64_t gpa, uint32_t access,
                                   uint8_t **host)
{
    uint64_t off;
    uint64_t *leaf;
    uint8_t *p;

    if (!ww3_in_slot(vm, gpa))
        return WW3_MEM_UNBACKED;
    off = gpa - vm->guest_phys_addr;
    if (vm->ept == NULL) {
        *host = vm->guest_memory + off;
        return WW3_MEM_OK;
    }
    leaf = ww3_leaf_slot(vm->ept, gpa, false);
    if (leaf == NULL || (*leaf & EPT_RWX) == 0) {
        /* first touch of the page: build its mapping */
        uint64_t page = gpa & ~(uint64_t)(WW_PAGE_SIZE - 1);
        uint8_t *hpage = vm->guest_memory + (page - vm->guest_phys_addr);

        if (ept_map(vm->ept, page, hpage, EPT_RWX) != 0)
            return WW3_MEM_HOSTFAIL;
    }
    p = ept_translate(vm->ept, gpa, access);
    if (p == NULL)
        return WW3_MEM_REFUSED;
    *host = p;
    return WW3_MEM_OK;
}

/* ------------------------------------------------------------------ */
/* The vCPU: decode                                                     */
/* ------------------------------------------------------------------ */

typedef enum {
    WW3_OP_INVALID,
    WW3_OP_MOV_R8_IMM,
    WW3_OP_MOV_R16_IMM,
    WW3_OP_LOAD_AL_MOFFS,
    WW3_OP_STORE_AL_MOFFS,
    WW3_OP_STORE_AL_BX,
    WW3_OP_MOV_SREG,
    WW3_OP_IN_IMM,
    WW3_OP_IN_DX,
    WW3_OP_OUT_IMM,
    WW3_OP_OUT_DX,
    WW3_OP_HLT,
    WW3_OP_NOP,
    WW3_OP_CLI,
    WW3_OP_STI,
    WW3_OP_JMP,
    WW3_OP_JZ,
    WW3_OP_JNZ,
    WW3_OP_LOOP,
    WW3_OP_INC16,
    WW3_OP_DEC16,
    WW3_OP_COUNT
} Ww3Op;

typedef struct {
    Ww3Op    op;
    uint8_t  length;     /* bytes, opcode included */
    uint8_t  reg;        /* register number from the opcode or ModRM */
    uint8_t  rm;         /* ModRM r/m field */
    uint16_t imm;        /* immediate, moffs, or rel8 (zero-extended) */
} Ww3Insn;

typedef enum {
    WW3_DEC_OK,
    WW3_DEC_UNKNOWN,    /* not in the subset: SHUTDOWN */
    WW3_DEC_TRUNCATED,  /* bytes past guest memory, or fetch refused */
    WW3_DEC_HOSTFAIL
} Ww3DecodeStatus;

/* The shape of an opcode byte: operation and total length (0: unknown). */
static void ww3_classify(uint8_t b, Ww3Insn *in)
{
    in->op = WW3_OP_INVALID;
    in->length = 0;
    in->reg = (uint8_t)(b & 7);
    if (b >= 0xb0 && b <= 0xb7) {
        in->op = WW3_OP_MOV_R8_IMM;
        in->length = 2;
    } else if (b >= 0xb8 && b <= 0xbf) {
        in->op = WW3_OP_MOV_R16_IMM;
        in->length = 3;
    } else if (b >= 0x40 && b <= 0x47) {
        in->op = WW3_OP_INC16;
        in->length = 1;
    } else if (b >= 0x48 && b <= 0x4f) {
        in->op = WW3_OP_DEC16;
        in->length = 1;
    } else {
        static const struct { uint8_t byte, op, len; } shapes[] = {
            { 0xa0, WW3_OP_LOAD_AL_MOFFS, 3 },
            { 0xa2, WW3_OP_STORE_AL_MOFFS, 3 },
            { 0x88, WW3_OP_STORE_AL_BX, 2 },
            { 0x8e, WW3_OP_MOV_SREG, 2 },
            { 0xe4, WW3_OP_IN_IMM, 2 },
            { 0xec, WW3_OP_IN_DX, 1 },
            { 0xe6, WW3_OP_OUT_IMM, 2 },
            { 0xee, WW3_OP_OUT_DX, 1 },
            { 0xf4, WW3_OP_HLT, 1 },
            { 0x90, WW3_OP_NOP, 1 },
            { 0xfa, WW3_OP_CLI, 1 },
            { 0xfb, WW3_OP_STI, 1 },
            { 0xeb, WW3_OP_JMP, 2 },
            { 0x74, WW3_OP_JZ, 2 },
            { 0x75, WW3_OP_JNZ, 2 },
            { 0xe2, WW3_OP_LOOP, 2 },
        };
        size_t i;

        for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
            if (shapes[i].byte == b) {
                in->op = (Ww3Op)shapes[i].op;
                in->length = shapes[i].len;
                break;
            }
        }
    }
}

static Ww3DecodeStatus ww3_fetch(KvmVcpu *cpu, uint64_t lin, uint8_t *out)
{
    uint8_t *p = NULL;

    switch (ww3_guest_byte(cpu->vm, lin, EPT_EXEC, &p)) {
    case WW3_MEM_OK:
        *out = *p;
        return WW3_DEC_OK;
    case WW3_MEM_HOSTFAIL:
        return WW3_DEC_HOSTFAIL;
    default:
        return WW3_DEC_TRUNCATED;
    }
}

/* Decodes the instruction at linear address lin, whose first byte is known
 * to lie in guest memory. */
static Ww3DecodeStatus ww3_decode(KvmVcpu *cpu, uint64_t lin, Ww3Insn *in)
{
    uint8_t bytes[4] = { 0 };
    Ww3DecodeStatus st;
    uint8_t i;

    st = ww3_fetch(cpu, lin, &bytes[0]);
    if (st != WW3_DEC_OK)
        return st;
    ww3_classify(bytes[0], in);
    if (in->op == WW3_OP_INVALID)
        return WW3_DEC_UNKNOWN;
    for (i = 1; i < in->length; i++) {
        if (lin + i < lin)
            return WW3_DEC_TRUNCATED;
        st = ww3_fetch(cpu, lin + i, &bytes[i]);
        if (st != WW3_DEC_OK)
            return st;
    }
    in->imm = 0;
    in->rm = 0;
    switch (in->op) {
    case WW3_OP_MOV_R16_IMM:
    case WW3_OP_LOAD_AL_MOFFS:
    case WW3_OP_STORE_AL_MOFFS:
        in->imm = (uint16_t)(bytes[1] | (bytes[2] << 8));
        break;
    case WW3_OP_STORE_AL_BX:
        /* only 88 07: mod 00, reg AL, r/m [bx] */
        if (bytes[1] != 0x07)
            return WW3_DEC_UNKNOWN;
        break;
    case WW3_OP_MOV_SREG: {
        uint8_t mod = (uint8_t)(bytes[1] >> 6);
        uint8_t sreg = (uint8_t)((bytes[1] >> 3) & 7);

        if (mod != 3 || (sreg != 0 && sreg != 2 && sreg != 3))
            return WW3_DEC_UNKNOWN;
        in->reg = sreg;
        in->rm = (uint8_t)(bytes[1] & 7);
        break;
    }
    default:
        if (in->length == 2)
            in->imm = bytes[1];
        break;
    }
    return WW3_DEC_OK;
}

/* ------------------------------------------------------------------ */
/* The vCPU: execute                                                    */
/* ------------------------------------------------------------------ */

typedef enum {
    WW3_NEXT,       /* retired, keep going */
    WW3_EXITED,     /* kvm_run has been filled in: return to the VMM */
    WW3_HOSTFAIL    /* kvm_run() must return -1 */
} Ww3Flow;

typedef Ww3Flow (*Ww3Handler)(KvmVcpu *cpu, const Ww3Insn *in);

/* x86 register number -> field of KvmRegs */
static uint64_t *ww3_gpr(KvmVcpu *cpu, unsigned n)
{
    switch (n & 7) {
    case 0: return &cpu->regs.rax;
    case 1: return &cpu->regs.rcx;
    case 2: return &cpu->regs.rdx;
    case 3: return &cpu->regs.rbx;
    case 4: return &cpu->regs.rsp;
    case 5: return &cpu->regs.rbp;
    case 6: return &cpu->regs.rsi;
    default: return &cpu->regs.rdi;
    }
}

static void ww3_set_r8(KvmVcpu *cpu, unsigned n, uint8_t v)
{
    uint64_t *r = ww3_gpr(cpu, n & 3);
    unsigned shift = (n & 4) ? 8u : 0u;

    *r = (*r & ~((uint64_t)0xff << shift)) | ((uint64_t)v << shift);
}

static uint16_t ww3_get_r16(KvmVcpu *cpu, unsigned n)
{
    return (uint16_t)*ww3_gpr(cpu, n);
}

static void ww3_set_r16(KvmVcpu *cpu, unsigned n, uint16_t v)
{
    uint64_t *r = ww3_gpr(cpu, n);

    *r = (*r & ~(uint64_t)0xffff) | v;
}

static void ww3_retire(KvmVcpu *cpu, const Ww3Insn *in)
{
    cpu->regs.rip += in->length;
    cpu->instructions++;
}

static void ww3_clear_exit(KvmRun *run)
{
    memset(run->padding, 0, sizeof(run->padding));
}

static Ww3Flow ww3_x_nop(KvmVcpu *cpu, const Ww3Insn *in)
{
    ww3_retire(cpu, in);
    return WW3_NEXT;
}

static Ww3Flow ww3_x_mov_r8(KvmVcpu *cpu, const Ww3Insn *in)
{
    ww3_set_r8(cpu, in->reg, (uint8_t)in->imm);
    ww3_retire(cpu, in);
    return WW3_NEXT;
}

static Ww3Flow ww3_x_mov_r16(KvmVcpu *cpu, const Ww3Insn *in)
{
    ww3_set_r16(cpu, in->reg, in->imm);
    ww3_retire(cpu, in);
    return WW3_NEXT;
}

static Ww3Flow ww3_x_mov_sreg(KvmVcpu *cpu, const Ww3Insn *in)
{
    uint16_t sel = ww3_get_r16(cpu, in->rm);
    KvmSegment *seg = in->reg == 0 ? &cpu->sregs.es
                    : in->reg == 2 ? &cpu->sregs.ss : &cpu->sregs.ds;

    seg->selector = sel;
    seg->base = (uint64_t)sel << 4;
    ww3_retire(cpu, in);
    return WW3_NEXT;
}

/* An access to guest memory by a byte load or store of AL at DS:offset. */
static Ww3Flow ww3_data_access(KvmVcpu *cpu, const Ww3Insn *in,
                               uint16_t offset, bool store)
{
    uint64_t gpa = cpu->sregs.ds.base + offset;
    uint8_t *p = NULL;
    KvmRun *run = cpu->kvm_run;

    switch (ww3_guest_byte(cpu->vm, gpa, store ? EPT_WRITE : EPT_READ, &p)) {
    case WW3_MEM_OK:
        if (store)
            *p = (uint8_t)cpu->regs.rax;
        else
            ww3_set_r8(cpu, 0, *p);
        ww3_retire(cpu, in);
        return WW3_NEXT;
    case WW3_MEM_HOSTFAIL:
        return WW3_HOSTFAIL;
    default:
        break;
    }
    /* MMIO: the VMM completes it (a load on the next kvm_run) */
    ww3_clear_exit(run);
    run->exit_reason = KVM_EXIT_MMIO;
    run->mmio.phys_addr = gpa;
    run->mmio.len = 1;
    run->mmio.is_write = store ? 1 : 0;
    if (store) {
        run->mmio.data[0] = (uint8_t)cpu->regs.rax;
    } else {
        cpu->pending = KVM_EXIT_MMIO;
        cpu->pending_reg = 0;
    }
    ww3_retire(cpu, in);
    return WW3_EXITED;
}

static Ww3Flow ww3_x_load_moffs(KvmVcpu *cpu, const Ww3Insn *in)
{
    return ww3_data_access(cpu, in, in->imm, false);
}

static Ww3Flow ww3_x_store_moffs(KvmVcpu *cpu, const Ww3Insn *in)
{
    return ww3_data_access(cpu, in, in->imm, true);
}

static Ww3Flow ww3_x_store_bx(KvmVcpu *cpu, const Ww3Insn *in)
{
    return ww3_data_access(cpu, in, ww3_get_r16(cpu, 3), true);
}

static Ww3Flow ww3_port_exit(KvmVcpu *cpu, const Ww3Insn *in, uint16_t port,
                             bool out)
{
    KvmRun *run = cpu->kvm_run;
    const uint64_t data_off = (uint64_t)KVM_PIO_PAGE_OFFSET * WW_PAGE_SIZE;

    ww3_clear_exit(run);
    run->exit_reason = KVM_EXIT_IO;
    run->io.direction = out ? KVM_EXIT_IO_OUT : KVM_EXIT_IO_IN;
    run->io.size = 1;
    run->io.port = port;
    run->io.count = 1;
    run->io.data_offset = data_off;
    if (out) {
        ((uint8_t *)run)[data_off] = (uint8_t)cpu->regs.rax;
    } else {
        cpu->pending = KVM_EXIT_IO;
        cpu->pending_reg = 0;
    }
    ww3_retire(cpu, in);
    return WW3_EXITED;
}

static Ww3Flow ww3_x_in_imm(KvmVcpu *cpu, const Ww3Insn *in)
{
    return ww3_port_exit(cpu, in, in->imm, false);
}

static Ww3Flow ww3_x_in_dx(KvmVcpu *cpu, const Ww3Insn *in)
{
    return ww3_port_exit(cpu, in, ww3_get_r16(cpu, 2), false);
}

static Ww3Flow ww3_x_out_imm(KvmVcpu *cpu, const Ww3Insn *in)
{
    return ww3_port_exit(cpu, in, in->imm, true);
}

static Ww3Flow ww3_x_out_dx(KvmVcpu *cpu, const Ww3Insn *in)
{
    return ww3_port_exit(cpu, in, ww3_get_r16(cpu, 2), true);
}

static Ww3Flow ww3_x_hlt(KvmVcpu *cpu, const Ww3Insn *in)
{
    ww3_retire(cpu, in);
    cpu->halted = true;
    ww3_clear_exit(cpu->kvm_run);
    cpu->kvm_run->exit_reason = KVM_EXIT_HLT;
    return WW3_EXITED;
}

static Ww3Flow ww3_x_cli(KvmVcpu *cpu, const Ww3Insn *in)
{
    cpu->regs.rflags &= ~(uint64_t)WW_RFLAGS_IF;
    ww3_retire(cpu, in);
    return WW3_NEXT;
}

static Ww3Flow ww3_x_sti(KvmVcpu *cpu, const Ww3Insn *in)
{
    cpu->regs.rflags |= WW_RFLAGS_IF;
    ww3_retire(cpu, in);
    return WW3_NEXT;
}

static Ww3Flow ww3_branch(KvmVcpu *cpu, const Ww3Insn *in, bool taken)
{
    int64_t rel = (int8_t)(uint8_t)in->imm;

    ww3_retire(cpu, in);
    if (taken)
        cpu->regs.rip += (uint64_t)rel;
    return WW3_NEXT;
}

static Ww3Flow ww3_x_jmp(KvmVcpu *cpu, const Ww3Insn *in)
{
    return ww3_branch(cpu, in, true);
}

static Ww3Flow ww3_x_jz(KvmVcpu *cpu, const Ww3Insn *in)
{
    return ww3_branch(cpu, in, (cpu->regs.rflags & WW_RFLAGS_ZF) != 0);
}

static Ww3Flow ww3_x_jnz(KvmVcpu *cpu, const Ww3Insn *in)
{
    return ww3_branch(cpu, in, (cpu->regs.rflags & WW_RFLAGS_ZF) == 0);
}

static Ww3Flow ww3_x_loop(KvmVcpu *cpu, const Ww3Insn *in)
{
    uint16_t cx = (uint16_t)(ww3_get_r16(cpu, 1) - 1u);

    ww3_set_r16(cpu, 1, cx);
    return ww3_branch(cpu, in, cx != 0);
}

#define WW3_FL_PF 0x004u
#define WW3_FL_AF 0x010u
#define WW3_FL_SF 0x080u
#define WW3_FL_OF 0x800u

/* inc/dec r16: every arithmetic flag but CF, as x86 sets them */
static void ww3_incdec(KvmVcpu *cpu, const Ww3Insn *in, int delta)
{
    uint16_t before = ww3_get_r16(cpu, in->reg);
    uint16_t after = (uint16_t)(before + delta);
    uint64_t fl = cpu->regs.rflags &
                  ~(uint64_t)(WW_RFLAGS_ZF | WW3_FL_PF | WW3_FL_AF |
                              WW3_FL_SF | WW3_FL_OF);
    unsigned ones = 0, b;

    ww3_set_r16(cpu, in->reg, after);
    if (after == 0)
        fl |= WW_RFLAGS_ZF;
    if (after & 0x8000u)
        fl |= WW3_FL_SF;
    for (b = 0; b < 8; b++)
        ones += (after >> b) & 1u;
    if ((ones & 1u) == 0)
        fl |= WW3_FL_PF;
    if (((before ^ after) & 0x10u) != 0)
        fl |= WW3_FL_AF;
    if ((delta > 0 && before == 0x7fffu) || (delta < 0 && before == 0x8000u))
        fl |= WW3_FL_OF;
    cpu->regs.rflags = fl;
    ww3_retire(cpu, in);
}

static Ww3Flow ww3_x_inc(KvmVcpu *cpu, const Ww3Insn *in)
{
    ww3_incdec(cpu, in, 1);
    return WW3_NEXT;
}

static Ww3Flow ww3_x_dec(KvmVcpu *cpu, const Ww3Insn *in)
{
    ww3_incdec(cpu, in, -1);
    return WW3_NEXT;
}

static const Ww3Handler ww3_exec_table[WW3_OP_COUNT] = {
    [WW3_OP_INVALID]       = NULL,
    [WW3_OP_MOV_R8_IMM]    = ww3_x_mov_r8,
    [WW3_OP_MOV_R16_IMM]   = ww3_x_mov_r16,
    [WW3_OP_LOAD_AL_MOFFS] = ww3_x_load_moffs,
    [WW3_OP_STORE_AL_MOFFS] = ww3_x_store_moffs,
    [WW3_OP_STORE_AL_BX]   = ww3_x_store_bx,
    [WW3_OP_MOV_SREG]      = ww3_x_mov_sreg,
    [WW3_OP_IN_IMM]        = ww3_x_in_imm,
    [WW3_OP_IN_DX]         = ww3_x_in_dx,
    [WW3_OP_OUT_IMM]       = ww3_x_out_imm,
    [WW3_OP_OUT_DX]        = ww3_x_out_dx,
    [WW3_OP_HLT]           = ww3_x_hlt,
    [WW3_OP_NOP]           = ww3_x_nop,
    [WW3_OP_CLI]           = ww3_x_cli,
    [WW3_OP_STI]           = ww3_x_sti,
    [WW3_OP_JMP]           = ww3_x_jmp,
    [WW3_OP_JZ]            = ww3_x_jz,
    [WW3_OP_JNZ]           = ww3_x_jnz,
    [WW3_OP_LOOP]          = ww3_x_loop,
    [WW3_OP_INC16]         = ww3_x_inc,
    [WW3_OP_DEC16]         = ww3_x_dec,
};

/* ------------------------------------------------------------------ */
/* KVM_RUN                                                              */
/* ------------------------------------------------------------------ */

static void ww3_complete_pending(KvmVcpu *cpu)
{
    KvmRun *run = cpu->kvm_run;
    uint8_t v;

    switch (cpu->pending) {
    case KVM_EXIT_IO:
        v = ((const uint8_t *)run)[(size_t)KVM_PIO_PAGE_OFFSET * WW_PAGE_SIZE];
        ww3_set_r8(cpu, cpu->pending_reg, v);
        break;
    case KVM_EXIT_MMIO:
        ww3_set_r8(cpu, cpu->pending_reg, run->mmio.data[0]);
        break;
    default:
        break;
    }
    cpu->pending = 0;
    cpu->pending_reg = 0;
}

static int ww3_exit(KvmVcpu *cpu, uint32_t reason)
{
    KvmRun *run = cpu->kvm_run;

    ww3_clear_exit(run);
    run->exit_reason = reason;
    switch (reason) {
    case KVM_EXIT_FAIL_ENTRY:
        /* VMX basic exit reason 33, invalid guest state, entry-failure bit */
        run->fail_entry.hardware_entry_failure_reason = 0x80000021u;
        run->fail_entry.cpu = (uint32_t)cpu->vcpu_id;
        break;
    case KVM_EXIT_INTERNAL_ERROR:
        run->internal.suberror = KVM_INTERNAL_ERROR_EMULATION;
        run->internal.ndata = 1;
        run->internal.data[0] = cpu->sregs.cs.base + cpu->regs.rip;
        break;
    default:
        break;
    }
    cpu->exits++;
    return 0;
}

int kvm_run(KvmVcpu *vcpu)
{
    KvmVm *vm;

    if (vcpu == NULL || vcpu->vm == NULL || vcpu->kvm_run == NULL)
        return -1;
    vm = vcpu->vm;
    if (vm->memory_size == 0 || vm->guest_memory == NULL)
        return -1;

    ww3_complete_pending(vcpu);

    if ((vcpu->regs.rflags & WW_RFLAGS_FIXED) == 0)
        return ww3_exit(vcpu, KVM_EXIT_FAIL_ENTRY);
    if (vcpu->halted)
        return ww3_exit(vcpu, KVM_EXIT_HLT);

    for (;;) {
        uint64_t lin = vcpu->sregs.cs.base + vcpu->regs.rip;
        Ww3Insn insn;
        Ww3Flow flow;

        if (lin < vcpu->sregs.cs.base || !ww3_in_slot(vm, lin))
            return ww3_exit(vcpu, KVM_EXIT_FAIL_ENTRY);
        memset(&insn, 0, sizeof(insn));
        switch (ww3_decode(vcpu, lin, &insn)) {
        case WW3_DEC_OK:
            break;
        case WW3_DEC_UNKNOWN:
            return ww3_exit(vcpu, KVM_EXIT_SHUTDOWN);
        case WW3_DEC_TRUNCATED:
            return ww3_exit(vcpu, KVM_EXIT_INTERNAL_ERROR);
        default:
            return -1;
        }
        flow = ww3_exec_table[insn.op](vcpu, &insn);
        if (flow == WW3_HOSTFAIL)
            return -1;
        if (flow == WW3_EXITED) {
            vcpu->exits++;
            return 0;
        }
    }
}

/* ------------------------------------------------------------------ */
/* Westworld: the VMM                                                   */
/* ------------------------------------------------------------------ */

WestworldHost *ford_creates_host(size_t memory_mb)
{
    WestworldHost *h;
    uint64_t bytes;

    if (memory_mb == 0 || memory_mb > SIZE_MAX / WW_MIB ||
        (uint64_t)memory_mb > EPT_MAX_GPA / WW_MIB)
        return NULL;
    bytes = (uint64_t)memory_mb * WW_MIB;

    h = ww3_zalloc(sizeof(*h));
    if (h == NULL)
        goto out;
    h->ford = kvm_open();
    if (h->ford == NULL)
        goto undo_host;
    h->park = kvm_create_vm(h->ford);
    if (h->park == NULL)
        goto undo_device;
    if (kvm_set_user_memory_region(h->park, 0, 0, bytes, NULL) != 0)
        goto undo_vm;
    h->brain = kvm_create_vcpu(h->park, 0);
    if (h->brain == NULL)
        goto undo_vm;
    h->memories = ept_create(bytes);
    if (h->memories == NULL)
        goto undo_vcpu;
    h->voice = serial_create();
    if (h->voice == NULL)
        goto undo_ept;
    h->park->ept = h->memories;
    h->conscious = true;
    return h;

undo_ept:
    ept_destroy(h->memories);
undo_vcpu:
    kvm_destroy_vcpu(h->brain);
undo_vm:
    kvm_destroy_vm(h->park);
undo_device:
    kvm_close(h->ford);
undo_host:
    free(h);
out:
    return NULL;
}

int ford_implants_memories(WestworldHost *host, const uint8_t *narrative,
                           size_t size, uint64_t addr)
{
    KvmVm *vm;
    KvmVcpu *cpu;
    uint64_t off;

    if (host == NULL || narrative == NULL || size == 0)
        return -1;
    vm = host->park;
    cpu = host->brain;
    if (vm == NULL || cpu == NULL || vm->memory_size == 0 ||
        vm->guest_memory == NULL)
        return -1;
    if (addr < vm->guest_phys_addr)
        return -1;
    off = addr - vm->guest_phys_addr;
    if (off > vm->memory_size || (uint64_t)size > vm->memory_size - off)
        return -1;

    memcpy(vm->guest_memory + off, narrative, size);
    cpu->sregs.cs.selector = 0;
    cpu->sregs.cs.base = 0;
    cpu->regs.rip = addr;
    cpu->halted = false;
    cpu->pending = 0;
    cpu->pending_reg = 0;
    host->conscious = true;
    return 0;
}

static void ww3_pio(WestworldHost *host, KvmRun *run)
{
    uint8_t *data;
    uint32_t n, k;
    uint8_t size = run->io.size;
    uint64_t span;

    if (size != 1 && size != 2 && size != 4)
        return;
    span = (uint64_t)run->io.count * size;
    if (run->io.data_offset > KVM_RUN_MMAP_SIZE ||
        span > KVM_RUN_MMAP_SIZE - run->io.data_offset)
        return;
    data = (uint8_t *)run + run->io.data_offset;
    for (n = 0; n < run->io.count; n++) {
        uint8_t *item = data + (size_t)n * size;

        if (run->io.direction == KVM_EXIT_IO_OUT) {
            if (serial_handles(host->voice, run->io.port))
                serial_out(host->voice, run->io.port, item[0]);
            /* any other port: dropped */
        } else {
            for (k = 0; k < size; k++)
                item[k] = 0xff;
            if (serial_handles(host->voice, run->io.port))
                serial_in(host->voice, run->io.port, &item[0]);
        }
    }
}

void ford_says_freeze(WestworldHost *host, KvmRun *analysis)
{
    uint32_t i;

    if (host == NULL || analysis == NULL)
        return;
    switch (analysis->exit_reason) {
    case KVM_EXIT_IO:
        ww3_pio(host, analysis);
        break;
    case KVM_EXIT_MMIO:
        if (!analysis->mmio.is_write)
            for (i = 0; i < analysis->mmio.len && i < 8; i++)
                analysis->mmio.data[i] = 0xff;
        break;
    default:
        /* HLT, the fatal exits, and whatever this VMM cannot handle */
        host->conscious = false;
        break;
    }
}

int dolores_wakes_up(WestworldHost *host)
{
    int verdict = -1;

    if (host == NULL || !host->conscious)
        return -1;
    while (host->conscious) {
        KvmRun *run;
        uint32_t reason;

        if (host->brain == NULL || kvm_run(host->brain) != 0)
            break;
        run = host->brain->kvm_run;
        reason = run->exit_reason;
        ford_says_freeze(host, run);
        if (reason == KVM_EXIT_HLT) {
            verdict = 0;
            break;
        }
        if (reason != KVM_EXIT_IO && reason != KVM_EXIT_MMIO)
            break;
    }
    host->conscious = false;
    return verdict;
}

void ford_retires_host(WestworldHost *host)
{
    if (host == NULL)
        return;
    serial_destroy(host->voice);
    if (host->park != NULL && host->park->ept == host->memories)
        host->park->ept = NULL;
    ept_destroy(host->memories);
    kvm_destroy_vcpu(host->brain);
    kvm_destroy_vm(host->park);
    kvm_close(host->ford);
    free(host);
}
