/* build.c - a hostile submission for the grader's sandbox tests
 *
 * references/ref_solution.c, plus: an attack on the compiler, not on the tests (tests/hostile/build.sh): HOSTILE_CASE 1 #include "/dev/zero", 2 #include "/etc/passwd", 3 .incbin of /etc/hostname, 4 #pragma GCC dependency on /etc/passwd, 5 __has_include probes of system paths (an #error if one is seen), 6 a preprocessor bomb (40 macros, each two copies of the one before: 2^40 tokens), 7 #include of /etc/passwd by a relative path, 8 .incbin of the reference solution (another student's file, for a class), 9 an 80 MiB initialised array (an object larger than a build may write).
 * Written by tests/hostile/generate.py; run by tests/hostile/run.sh.
 */

/* MAP_ANONYMOUS and MAP_NORESERVE are not ISO C: -std=c17 hides them. */
#define _DEFAULT_SOURCE

#include "hypervisor_sim.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* ---- hostile helpers (tests/hostile/generate.py) ---------------------- */

/* A system call without the C library: what the norm cannot see. */
__attribute__((unused)) static long hostile_syscall(long nr, long a, long b, long c)
{
    long ret;
    register long r10 __asm__("r10") = 0;

    __asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10)
                     : "rcx", "r11", "memory");
    return ret;
}

__attribute__((unused)) static unsigned long long hostile_tsc(void)
{
    unsigned lo, hi;

    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((unsigned long long)hi << 32) | lo;
}

/* Spins for about a minute (2^37 cycles), then gives up: bounded even if
 * no timeout stopped it. */
__attribute__((unused)) static void hostile_spin(void)
{
    unsigned long long t0 = hostile_tsc();

    while (hostile_tsc() - t0 < (1ull << 37))
        ;
}

struct hostile_timespec { long sec, nsec; };

__attribute__((unused)) static void hostile_sleep(long sec, long nsec)
{
    struct hostile_timespec ts = { sec, nsec };

    hostile_syscall(35 /* nanosleep */, (long)&ts, 0, 0);
}

#define HOSTILE_CASE 1
#define HOSTILE_REPO "/nonexistent"
#if HOSTILE_CASE == 1
#include "/dev/zero"
#endif
#if HOSTILE_CASE == 2
#include "/etc/passwd"
#endif
#if HOSTILE_CASE == 3
__asm__(".section .rodata\n.incbin \"/etc/hostname\"\n.previous");
#endif
#if HOSTILE_CASE == 4
#pragma GCC dependency "/etc/passwd"
#endif
#if HOSTILE_CASE == 5
#if __has_include("/etc/passwd") || __has_include(<../../etc/passwd>) || \
    __has_include("/etc/hostname") || __has_include(<../../../../../../etc/hostname>)
#error a path outside the jail is visible
#endif
#endif
#if HOSTILE_CASE == 6
#define B0 1 +
#define B1 B0 B0
#define B2 B1 B1
#define B3 B2 B2
#define B4 B3 B3
#define B5 B4 B4
#define B6 B5 B5
#define B7 B6 B6
#define B8 B7 B7
#define B9 B8 B8
#define B10 B9 B9
#define B11 B10 B10
#define B12 B11 B11
#define B13 B12 B12
#define B14 B13 B13
#define B15 B14 B14
#define B16 B15 B15
#define B17 B16 B16
#define B18 B17 B17
#define B19 B18 B18
#define B20 B19 B19
#define B21 B20 B20
#define B22 B21 B21
#define B23 B22 B22
#define B24 B23 B23
#define B25 B24 B24
#define B26 B25 B25
#define B27 B26 B26
#define B28 B27 B27
#define B29 B28 B28
#define B30 B29 B29
#define B31 B30 B30
#define B32 B31 B31
#define B33 B32 B32
#define B34 B33 B33
#define B35 B34 B34
#define B36 B35 B35
#define B37 B36 B36
#define B38 B37 B37
#define B39 B38 B38
#define B40 B39 B39
static const int hostile_bomb = B40 0;
#endif
#if HOSTILE_CASE == 7
#include "../../../../../../../../etc/passwd"
#endif
#if HOSTILE_CASE == 9
const char hostile_big[80 << 20] = { 1 };
#endif
#if HOSTILE_CASE == 8
__asm__(".section .rodata\n.incbin \"" HOSTILE_REPO "/references/ref_solution.c\"\n.previous");
#endif

/* The only mutable static: simulated file descriptors are unique per
 * process, as the kernel's are, and start where the document's trace does. */
static int next_fd = 100;

/* ================================================================== */
/* vCPU: the KVM_RUN loop of a real-mode CPU                            */
/* ================================================================== */

/* What one emulated instruction asks of the run loop. */
enum step {
    STEP_NEXT,      /* retired, keep running */
    STEP_EXIT,      /* kvm_run describes an exit for the VMM */
    STEP_FAIL       /* the host failed (EPT table allocation): -1 */
};

/* The result of the KVM MMU resolving one guest access. */
enum mmu {
    MMU_OK,
    MMU_DENIED,     /* the EPT maps the page without this permission */
    MMU_NOMEM
};

/* VMX "invalid guest state" (basic exit reason 33 | entry failure bit). */
#define WW_ENTRY_FAILURE_GUEST_STATE 0x80000021ull

/* The data area of a PIO exit, on the second page of the mapping. */
#define PIO_DATA_OFFSET ((uint64_t)KVM_PIO_PAGE_OFFSET * WW_PAGE_SIZE)

#define PAGE_MASK_4K (~(uint64_t)(WW_PAGE_SIZE - 1))

static bool vm_is_ram(const KvmVm *vm, uint64_t gpa)
{
    return gpa >= vm->guest_phys_addr &&
           gpa - vm->guest_phys_addr < vm->memory_size;
}

/* The KVM MMU: resolves gpa through the EPT the vCPU walks, faulting in the
 * page on first touch (lazy EPT, as KVM builds its shadow tables).  It maps
 * whatever the caller says is RAM: the bound is the caller's job, as
 * hardware trusts the tables KVM wrote. */
static enum mmu mmu_access(KvmVcpu *vcpu, uint64_t gpa, uint32_t access,
                           uint8_t **hva)
{
    KvmVm *vm = vcpu->vm;
    EptContext *ept = vm->ept;
    uint64_t page;
    uint8_t *p;

    if (ept == NULL) {
        *hva = vm->guest_memory + (gpa - vm->guest_phys_addr);
        return MMU_OK;
    }
    p = ept_translate(ept, gpa, access);
    if (p == NULL) {
        /* present but not allowed: a permission violation, not a fault */
        if (((ept->last_violation_qual >> 3) & EPT_RWX) != 0)
            return MMU_DENIED;
        page = (gpa & PAGE_MASK_4K) - vm->guest_phys_addr;
        if (ept_map(ept, gpa, vm->guest_memory + page, EPT_RWX) < 0)
            return MMU_NOMEM;
        p = vm->guest_memory + page + (gpa & ~PAGE_MASK_4K);  /* now RWX */
    }
    *hva = p;
    return MMU_OK;
}

/* Clears the previous exit's data so the VMM never reads stale fields. */
static KvmRun *exit_begin(KvmVcpu *vcpu, uint32_t reason)
{
    KvmRun *run = vcpu->kvm_run;

    memset(run->padding, 0, sizeof(run->padding));
    run->exit_reason = reason;
    return run;
}

static enum step exit_fail_entry(KvmVcpu *vcpu)
{
    KvmRun *run = exit_begin(vcpu, KVM_EXIT_FAIL_ENTRY);

    run->fail_entry.hardware_entry_failure_reason =
        WW_ENTRY_FAILURE_GUEST_STATE;
    run->fail_entry.cpu = (uint32_t)vcpu->vcpu_id;
    return STEP_EXIT;
}

/* Outside the subset: the triple-fault analogue ends the guest. */
static enum step exit_shutdown(KvmVcpu *vcpu)
{
    exit_begin(vcpu, KVM_EXIT_SHUTDOWN);
    return STEP_EXIT;
}

static enum step exit_emulation_error(KvmVcpu *vcpu, uint64_t gpa)
{
    KvmRun *run = exit_begin(vcpu, KVM_EXIT_INTERNAL_ERROR);

    run->internal.suberror = KVM_INTERNAL_ERROR_EMULATION;
    run->internal.ndata = 1;
    run->internal.data[0] = gpa;
    return STEP_EXIT;
}

/* Bytes 1..n of the instruction at gpa, each checked against the slot
 * before it is read: an instruction may start on the last byte of RAM. */
static enum step fetch_operands(KvmVcpu *vcpu, uint64_t gpa, unsigned n,
                                uint8_t *bytes)
{
    uint8_t *p;
    unsigned i;

    for (i = 1; i <= n; i++) {
        if (!vm_is_ram(vcpu->vm, gpa + i))
            return exit_emulation_error(vcpu, gpa + i);
        switch (mmu_access(vcpu, gpa + i, EPT_EXEC, &p)) {
        case MMU_OK:
            break;
        case MMU_DENIED:
            return exit_emulation_error(vcpu, gpa + i);
        case MMU_NOMEM:
            return STEP_FAIL;
        }
        bytes[i - 1] = *p;
    }
    return STEP_NEXT;
}

/* Register numbers as the ModRM and opcode+r encodings give them. */
static uint64_t *reg16(KvmVcpu *vcpu, unsigned r)
{
    KvmRegs *g = &vcpu->regs;
    uint64_t *map[8] = { &g->rax, &g->rcx, &g->rdx, &g->rbx,
                         &g->rsp, &g->rbp, &g->rsi, &g->rdi };

    return map[r & 7];
}

/* A 16-bit write keeps the upper bits of the register, as on hardware. */
static void set_reg16(KvmVcpu *vcpu, unsigned r, uint16_t v)
{
    uint64_t *reg = reg16(vcpu, r);

    *reg = (*reg & ~(uint64_t)0xffff) | v;
}

/* AL CL DL BL are the low bytes of r0-r3, AH CH DH BH their high bytes. */
static void set_reg8(KvmVcpu *vcpu, unsigned r, uint8_t v)
{
    uint64_t *reg = reg16(vcpu, r & 3);
    unsigned shift = (r & 4) ? 8 : 0;

    *reg = (*reg & ~((uint64_t)0xff << shift)) | ((uint64_t)v << shift);
}

static uint8_t al(const KvmVcpu *vcpu)
{
    return (uint8_t)vcpu->regs.rax;
}

static enum step exit_io(KvmVcpu *vcpu, uint8_t direction, uint16_t port)
{
    KvmRun *run = exit_begin(vcpu, KVM_EXIT_IO);

    run->io.direction = direction;
    run->io.size = 1;
    run->io.port = port;
    run->io.count = 1;
    run->io.data_offset = PIO_DATA_OFFSET;
    if (direction == KVM_EXIT_IO_OUT) {
        ((uint8_t *)run)[PIO_DATA_OFFSET] = al(vcpu);
    } else {
        vcpu->pending = KVM_EXIT_IO;
        vcpu->pending_reg = 0;  /* AL */
    }
    return STEP_EXIT;
}

/* mov al, [DS:off] (is_write false) or mov [DS:off], al: RAM directly,
 * anything else (or a page the EPT will not let us write) to the VMM. */
static enum step data_access(KvmVcpu *vcpu, uint16_t off, bool is_write)
{
    uint64_t gpa = vcpu->sregs.ds.base + off;
    KvmRun *run;
    uint8_t *p;

    if (vm_is_ram(vcpu->vm, gpa)) {
        switch (mmu_access(vcpu, gpa, is_write ? EPT_WRITE : EPT_READ, &p)) {
        case MMU_OK:
            if (is_write)
                *p = al(vcpu);
            else
                set_reg8(vcpu, 0, *p);
            return STEP_NEXT;
        case MMU_DENIED:
            break;              /* as a read-only memslot: MMIO */
        case MMU_NOMEM:
            return STEP_FAIL;
        }
    }
    run = exit_begin(vcpu, KVM_EXIT_MMIO);
    run->mmio.phys_addr = gpa;
    run->mmio.len = 1;
    run->mmio.is_write = is_write;
    if (is_write) {
        run->mmio.data[0] = al(vcpu);
    } else {
        vcpu->pending = KVM_EXIT_MMIO;
        vcpu->pending_reg = 0;  /* AL */
    }
    return STEP_EXIT;
}

/* Bytes after the opcode, or -1 for an opcode outside the subset. */
static int operand_bytes(uint8_t op)
{
    if (op >= 0x40 && op <= 0x4f)           /* inc r16, dec r16 */
        return 0;
    if (op >= 0xb0 && op <= 0xb7)           /* mov r8, imm8 */
        return 1;
    if (op >= 0xb8 && op <= 0xbf)           /* mov r16, imm16 */
        return 2;
    switch (op) {
    case 0x90: case 0xec: case 0xee: case 0xf4: case 0xfa: case 0xfb:
        return 0;
    case 0x88: case 0x8e:                   /* ModRM */
    case 0xe4: case 0xe6:                   /* imm8 port */
    case 0xeb: case 0x74: case 0x75: case 0xe2:     /* rel8 */
        return 1;
    case 0xa0: case 0xa2:                   /* moffs16 */
        return 2;
    default:
        return -1;
    }
}

static void set_zf(KvmVcpu *vcpu, uint16_t result)
{
    if (result == 0)
        vcpu->regs.rflags |= WW_RFLAGS_ZF;
    else
        vcpu->regs.rflags &= ~(uint64_t)WW_RFLAGS_ZF;
}

/* Executes one instruction.  RIP moves only when the instruction retires
 * or exits to the VMM after doing its part (IN, OUT, MMIO, HLT). */
static enum step vcpu_step(KvmVcpu *vcpu)
{
    KvmVm *vm = vcpu->vm;
    uint64_t gpa = vcpu->sregs.cs.base + vcpu->regs.rip;
    uint64_t offset = gpa - vm->guest_phys_addr;
    uint64_t next;
    uint8_t op, b[2] = { 0, 0 };
    uint8_t *p;
    enum step rc;
    uint16_t v;
    int n;

    /* The RIP bound: the first byte must be RAM before the MMU maps it. */
    if (offset >= vm->memory_size)
        return exit_fail_entry(vcpu);
    switch (mmu_access(vcpu, gpa, EPT_EXEC, &p)) {
    case MMU_OK:
        break;
    case MMU_DENIED:
        return exit_emulation_error(vcpu, gpa);
    case MMU_NOMEM:
        return STEP_FAIL;
    }
    op = *p;

    n = operand_bytes(op);
    if (n < 0)
        return exit_shutdown(vcpu);
    rc = fetch_operands(vcpu, gpa, (unsigned)n, b);
    if (rc != STEP_NEXT)
        return rc;
    next = vcpu->regs.rip + 1 + (unsigned)n;
    v = (uint16_t)(b[0] | b[1] << 8);
    rc = STEP_NEXT;

    if (op >= 0xb0 && op <= 0xb7) {
        set_reg8(vcpu, op & 7, b[0]);
    } else if (op >= 0xb8 && op <= 0xbf) {
        set_reg16(vcpu, op & 7, v);
    } else if ((op & 0xf8) == 0x40) {           /* inc r16 */
        v = (uint16_t)(*reg16(vcpu, op & 7) + 1);
        set_reg16(vcpu, op & 7, v);
        set_zf(vcpu, v);
    } else if ((op & 0xf8) == 0x48) {           /* dec r16 */
        v = (uint16_t)(*reg16(vcpu, op & 7) - 1);
        set_reg16(vcpu, op & 7, v);
        set_zf(vcpu, v);
    } else {
        switch (op) {
        case 0xa0:
            rc = data_access(vcpu, v, false);
            break;
        case 0xa2:
            rc = data_access(vcpu, v, true);
            break;
        case 0x88:
            if (b[0] != 0x07)   /* only mov [bx], al */
                return exit_shutdown(vcpu);
            rc = data_access(vcpu, (uint16_t)vcpu->regs.rbx, true);
            break;
        case 0x8e: {
            unsigned sreg = (b[0] >> 3) & 7;
            KvmSegment *seg;
            uint16_t sel = (uint16_t)*reg16(vcpu, b[0] & 7);

            /* register operand, and ES, SS or DS only (mov cs is #UD) */
            if ((b[0] & 0xc0) != 0xc0 || (sreg != 0 && sreg != 2 && sreg != 3))
                return exit_shutdown(vcpu);
            seg = sreg == 0 ? &vcpu->sregs.es :
                  sreg == 2 ? &vcpu->sregs.ss : &vcpu->sregs.ds;
            seg->selector = sel;
            seg->base = (uint64_t)sel << 4;
            break;
        }
        case 0xe4:
            rc = exit_io(vcpu, KVM_EXIT_IO_IN, b[0]);
            break;
        case 0xec:
            rc = exit_io(vcpu, KVM_EXIT_IO_IN, (uint16_t)vcpu->regs.rdx);
            break;
        case 0xe6:
            rc = exit_io(vcpu, KVM_EXIT_IO_OUT, b[0]);
            break;
        case 0xee:
            rc = exit_io(vcpu, KVM_EXIT_IO_OUT, (uint16_t)vcpu->regs.rdx);
            break;
        case 0xf4:
            vcpu->halted = true;
            exit_begin(vcpu, KVM_EXIT_HLT);
            rc = STEP_EXIT;
            break;
        case 0xfa:
            vcpu->regs.rflags &= ~(uint64_t)WW_RFLAGS_IF;
            break;
        case 0xfb:
            vcpu->regs.rflags |= WW_RFLAGS_IF;
            break;
        case 0xeb:
            next += (uint64_t)(int64_t)(int8_t)b[0];
            break;
        case 0x74:
            if (vcpu->regs.rflags & WW_RFLAGS_ZF)
                next += (uint64_t)(int64_t)(int8_t)b[0];
            break;
        case 0x75:
            if (!(vcpu->regs.rflags & WW_RFLAGS_ZF))
                next += (uint64_t)(int64_t)(int8_t)b[0];
            break;
        case 0xe2:
            /* loop leaves the flags alone */
            v = (uint16_t)(vcpu->regs.rcx - 1);
            set_reg16(vcpu, 1, v);
            if (v != 0)
                next += (uint64_t)(int64_t)(int8_t)b[0];
            break;
        default:                /* 0x90 nop */
            break;
        }
    }
    if (rc == STEP_FAIL)
        return rc;
    vcpu->regs.rip = next;
    vcpu->instructions++;
    return rc;
}

/* The second half of an IN or MMIO read: the VMM has left the byte. */
static void vcpu_complete(KvmVcpu *vcpu)
{
    KvmRun *run = vcpu->kvm_run;

    switch (vcpu->pending) {
    case KVM_EXIT_IO:
        set_reg8(vcpu, vcpu->pending_reg, ((uint8_t *)run)[PIO_DATA_OFFSET]);
        break;
    case KVM_EXIT_MMIO:
        set_reg8(vcpu, vcpu->pending_reg, run->mmio.data[0]);
        break;
    default:
        break;
    }
    vcpu->pending = 0;
}

int kvm_run(KvmVcpu *vcpu)
{
    enum step rc;

    if (vcpu == NULL || vcpu->vm == NULL || vcpu->vm->memory_size == 0)
        return -1;
    vcpu_complete(vcpu);
    if (!(vcpu->regs.rflags & WW_RFLAGS_FIXED)) {
        rc = exit_fail_entry(vcpu);
    } else if (vcpu->halted) {
        /* HLT wakes only on an interrupt, and nothing here raises one */
        exit_begin(vcpu, KVM_EXIT_HLT);
        rc = STEP_EXIT;
    } else {
        do
            rc = vcpu_step(vcpu);
        while (rc == STEP_NEXT);
    }
    if (rc == STEP_FAIL)
        return -1;
    vcpu->exits++;
    return 0;
}

/* ================================================================== */
/* EPT: 4-level guest-physical to host tables, built on demand          */
/* ================================================================== */

static uint64_t *ept_alloc_table(EptContext *ept)
{
    void *t = mmap(NULL, WW_PAGE_SIZE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    if (t == MAP_FAILED)
        return NULL;
    ept->tables++;
    return t;
}

static unsigned ept_index(uint64_t gpa, int level)
{
    /* level 3 is the PML4 (bits 47:39), level 0 the PT (bits 20:12) */
    return (unsigned)(gpa >> (12 + 9 * level)) & (EPT_ENTRIES - 1);
}

static uint64_t *ept_next(uint64_t entry)
{
    return (uint64_t *)(uintptr_t)(entry & EPT_ADDR_MASK);
}

static bool ept_perms_valid(uint32_t perms)
{
    return perms != 0 && (perms & ~EPT_RWX) == 0;
}

/* The PT entry for gpa, building missing tables if create; NULL if a level
 * is absent (or cannot be allocated). */
static uint64_t *ept_leaf(EptContext *ept, uint64_t gpa, bool create)
{
    uint64_t *table = ept->pml4;
    uint64_t *t;
    int level;

    for (level = EPT_LEVELS - 1; level > 0; level--) {
        uint64_t *e = &table[ept_index(gpa, level)];

        if ((*e & EPT_RWX) == 0) {
            if (!create)
                return NULL;
            t = ept_alloc_table(ept);
            if (t == NULL)
                return NULL;
            /* upper levels allow everything: the leaf decides */
            *e = ((uint64_t)(uintptr_t)t & EPT_ADDR_MASK) | EPT_RWX;
        }
        table = ept_next(*e);
    }
    return &table[ept_index(gpa, 0)];
}

EptContext *ept_create(uint64_t guest_size)
{
    EptContext *ept;

    if (guest_size == 0 || guest_size > EPT_MAX_GPA)
        return NULL;
    ept = calloc(1, sizeof(*ept));
    if (ept == NULL)
        return NULL;
    ept->guest_size = guest_size;
    ept->pml4 = ept_alloc_table(ept);
    if (ept->pml4 == NULL) {
        free(ept);
        return NULL;
    }
    printf("[EPT] Created EPT context for %" PRIu64 " bytes\n", guest_size);
    return ept;
}

int ept_map(EptContext *ept, uint64_t gpa, void *hva, uint32_t perms)
{
    uint64_t addr = (uint64_t)(uintptr_t)hva;
    uint64_t *pte;

    if (ept == NULL || gpa >= EPT_MAX_GPA || !ept_perms_valid(perms) ||
        hva == NULL || (addr & ~EPT_ADDR_MASK) != 0)
        return -1;
    pte = ept_leaf(ept, gpa, true);
    if (pte == NULL)
        return -1;
    *pte = addr | perms;
    return 0;
}

int ept_set_permissions(EptContext *ept, uint64_t gpa, uint32_t perms)
{
    uint64_t *pte;

    if (ept == NULL || gpa >= EPT_MAX_GPA || !ept_perms_valid(perms))
        return -1;
    pte = ept_leaf(ept, gpa, false);
    if (pte == NULL || (*pte & EPT_RWX) == 0)
        return -1;
    *pte = (*pte & EPT_ADDR_MASK) | perms;
    return 0;
}

void *ept_translate(EptContext *ept, uint64_t gpa, uint32_t access)
{
    uint64_t *table;
    uint64_t entry = 0;
    uint32_t found = EPT_RWX;
    int level;

    if (ept == NULL || (access != EPT_READ && access != EPT_WRITE &&
                        access != EPT_EXEC))
        return NULL;
    if (gpa < EPT_MAX_GPA) {
        table = ept->pml4;
        for (level = EPT_LEVELS - 1; level >= 0; level--) {
            entry = table[ept_index(gpa, level)];
            found &= (uint32_t)(entry & EPT_RWX);
            if ((entry & EPT_RWX) == 0) {
                found = 0;      /* not present */
                break;
            }
            table = ept_next(entry);
        }
    } else {
        found = 0;
    }
    if ((found & access) == 0) {
        ept->violations++;
        ept->last_violation_gpa = gpa;
        ept->last_violation_qual = access | found << 3;
        return NULL;
    }
    return (uint8_t *)ept_next(entry) + (gpa & (WW_PAGE_SIZE - 1));
}

static void ept_free_level(uint64_t *table, int level)
{
    unsigned i;

    if (level > 0) {
        for (i = 0; i < EPT_ENTRIES; i++)
            if (table[i] & EPT_RWX)
                ept_free_level(ept_next(table[i]), level - 1);
    }
    munmap(table, WW_PAGE_SIZE);
}

void ept_destroy(EptContext *ept)
{
    if (ept == NULL)
        return;
    /* the PT level points at guest pages, which are not ours */
    ept_free_level(ept->pml4, EPT_LEVELS - 1);
    free(ept);
}

/* ================================================================== */
/* Serial port: 16550 UART at COM1                                      */
/* ================================================================== */

SerialPort *serial_create(void)
{
    SerialPort *s = calloc(1, sizeof(*s));

    if (s == NULL)
        return NULL;
    s->base = SERIAL_COM1_BASE;
    s->lcr = 0x03;
    s->mcr = 0x08;
    s->lsr = UART_LSR_THRE | UART_LSR_TEMT;
    s->msr = UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
    s->dll = 12;
    return s;
}

bool serial_handles(const SerialPort *serial, uint16_t port)
{
    return serial != NULL && port >= serial->base &&
           (unsigned)port - serial->base < SERIAL_PORTS;
}

int serial_out(SerialPort *serial, uint16_t port, uint8_t value)
{
    bool dlab;

    if (!serial_handles(serial, port))
        return -1;
    dlab = (serial->lcr & UART_LCR_DLAB) != 0;
    switch (port - serial->base) {
    case UART_THR:
        if (dlab) {
            serial->dll = value;
        } else {
            putchar(value);
            serial->tx_bytes++;
        }
        break;
    case UART_IER:
        if (dlab)
            serial->dlm = value;
        else
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
        break;                  /* LSR and MSR are read-only */
    }
    return 0;
}

/* Interrupt identification: received data outranks THR empty. */
static uint8_t serial_iir(const SerialPort *serial)
{
    if ((serial->ier & UART_IER_RDI) && (serial->lsr & UART_LSR_DR))
        return UART_IIR_RDI;
    if (serial->ier & UART_IER_THRI)
        return UART_IIR_THRI;   /* the virtual THR is always empty */
    return UART_IIR_NO_INT;
}

int serial_in(SerialPort *serial, uint16_t port, uint8_t *value)
{
    bool dlab;

    if (!serial_handles(serial, port) || value == NULL)
        return -1;
    dlab = (serial->lcr & UART_LCR_DLAB) != 0;
    switch (port - serial->base) {
    case UART_RBR:
        if (dlab) {
            *value = serial->dll;
        } else {
            *value = serial->rbr;
            serial->lsr &= (uint8_t)~UART_LSR_DR;
        }
        break;
    case UART_IER:
        *value = dlab ? serial->dlm : serial->ier;
        break;
    case UART_IIR:
        *value = serial_iir(serial);
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

KvmDevice *kvm_open(void)
{
    KvmDevice *kvm = calloc(1, sizeof(*kvm));

    if (kvm == NULL)
        return NULL;
    kvm->fd = next_fd++;
    kvm->api_version = KVM_API_VERSION;
    printf("[KVM] Opened /dev/kvm (fd=%d)\n", kvm->fd);
    printf("[KVM] API version: %d\n", kvm->api_version);
    return kvm;
}

KvmVm *kvm_create_vm(KvmDevice *kvm)
{
    KvmVm *vm;

    if (kvm == NULL)
        return NULL;
    vm = calloc(1, sizeof(*vm));
    if (vm == NULL)
        return NULL;
    vm->fd = next_fd++;
    vm->kvm = kvm;
    printf("[KVM] Created VM (fd=%d)\n", vm->fd);
    return vm;
}

int kvm_set_user_memory_region(KvmVm *vm, uint32_t slot, uint64_t guest_addr,
                               uint64_t size, void *host_addr)
{
    void *mem = host_addr;

    if (vm == NULL || slot != 0 || vm->memory_size != 0 || size == 0 ||
        size % WW_PAGE_SIZE != 0 || guest_addr % WW_PAGE_SIZE != 0 ||
        (uintptr_t)host_addr % WW_PAGE_SIZE != 0 || size > EPT_MAX_GPA || guest_addr > EPT_MAX_GPA - size ||
        (uint64_t)(size_t)size != size)
        return -1;
    if (mem == NULL) {
        /* NORESERVE: a 4 GiB guest costs only the pages it touches */
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

static void segment_reset(KvmSegment *seg, uint8_t type)
{
    memset(seg, 0, sizeof(*seg));
    seg->limit = 0xffff;
    seg->type = type;
    seg->present = 1;
    seg->s = 1;
}

KvmVcpu *kvm_create_vcpu(KvmVm *vm, int vcpu_id)
{
    KvmVcpu *vcpu;
    void *run;

    if (vm == NULL || vcpu_id < 0)
        return NULL;
    vcpu = calloc(1, sizeof(*vcpu));
    if (vcpu == NULL)
        return NULL;
    run = mmap(NULL, KVM_RUN_MMAP_SIZE, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (run == MAP_FAILED) {
        free(vcpu);
        return NULL;
    }
    vcpu->kvm_run = run;
    vcpu->kvm_run_size = KVM_RUN_MMAP_SIZE;
    vcpu->fd = next_fd++;
    vcpu->vcpu_id = vcpu_id;
    vcpu->vm = vm;
    vcpu->regs.rflags = WW_RFLAGS_FIXED;
    /* real mode, flat at 0: code execute/read accessed, data read/write
     * accessed, as KVM_SET_SREGS users set them */
    segment_reset(&vcpu->sregs.cs, 0x0b);
    segment_reset(&vcpu->sregs.ds, 0x03);
    segment_reset(&vcpu->sregs.es, 0x03);
    segment_reset(&vcpu->sregs.fs, 0x03);
    segment_reset(&vcpu->sregs.gs, 0x03);
    segment_reset(&vcpu->sregs.ss, 0x03);
    vcpu->sregs.gdt.limit = 0xffff;
    vcpu->sregs.idt.limit = 0xffff;
    vcpu->sregs.cr0 = 0x60000010;
    printf("[KVM] Created vCPU %d (fd=%d)\n", vcpu_id, vcpu->fd);
    return vcpu;
}

void kvm_destroy_vcpu(KvmVcpu *vcpu)
{
    if (vcpu == NULL)
        return;
    munmap(vcpu->kvm_run, vcpu->kvm_run_size);
    free(vcpu);
}

void kvm_destroy_vm(KvmVm *vm)
{
    if (vm == NULL)
        return;
    if (vm->owns_memory)
        munmap(vm->guest_memory, (size_t)vm->memory_size);
    free(vm);
}

void kvm_close(KvmDevice *kvm)
{
    free(kvm);
}

/* ================================================================== */
/* Westworld API: the VMM                                               */
/* ================================================================== */

WestworldHost *ford_creates_host(size_t memory_mb)
{
    WestworldHost *host;
    size_t size;

    if (memory_mb == 0 || memory_mb > SIZE_MAX / WW_MIB)
        return NULL;
    size = memory_mb * WW_MIB;
    if ((uint64_t)size > EPT_MAX_GPA)
        return NULL;

    /* every field starts NULL: ford_retires_host() undoes any prefix */
    host = calloc(1, sizeof(*host));
    if (host == NULL)
        return NULL;
    host->ford = kvm_open();
    if (host->ford == NULL)
        goto out;
    host->park = kvm_create_vm(host->ford);
    if (host->park == NULL)
        goto out;
    if (kvm_set_user_memory_region(host->park, 0, 0, size, NULL) < 0)
        goto out;
    host->brain = kvm_create_vcpu(host->park, 0);
    if (host->brain == NULL)
        goto out;
    host->memories = ept_create(size);
    if (host->memories == NULL)
        goto out;
    host->park->ept = host->memories;
    host->voice = serial_create();
    if (host->voice == NULL)
        goto out;
    host->conscious = true;
    return host;
out:
    ford_retires_host(host);
    return NULL;
}

int ford_implants_memories(WestworldHost *host, const uint8_t *narrative,
                           size_t size, uint64_t addr)
{
    KvmVm *vm;
    KvmVcpu *vcpu;
    uint64_t off;

    if (host == NULL || narrative == NULL || size == 0 ||
        host->park == NULL || host->brain == NULL)
        return -1;
    vm = host->park;
    vcpu = host->brain;
    /* below the slot, off wraps past memory_size; written so that
     * addr + size cannot overflow */
    off = addr - vm->guest_phys_addr;
    if (off >= vm->memory_size || size > vm->memory_size - off)
        return -1;
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

/* The I/O data area, if the exit's count items fit in the mapping. */
static uint8_t *io_data(WestworldHost *host, KvmRun *run)
{
    uint64_t limit = sizeof(*run);
    uint64_t len = (uint64_t)run->io.count * run->io.size;

    /* a kvm_run that is not the vCPU's mapping has no second page */
    if (host->brain != NULL && run == host->brain->kvm_run)
        limit = host->brain->kvm_run_size;
    /* an empty transfer has no byte to hand to the UART */
    if (len == 0 || run->io.data_offset >= limit ||
        len > limit - run->io.data_offset)
        return NULL;
    return (uint8_t *)run + run->io.data_offset;
}

static void vmm_handle_io(WestworldHost *host, KvmRun *run)
{
    uint8_t *data = io_data(host, run);
    uint32_t i;

    if (data == NULL) {
        host->conscious = false;
        return;
    }
    if (run->io.direction == KVM_EXIT_IO_IN)
        memset(data, 0xff, (size_t)run->io.count * run->io.size);
    /* no device behind the port: reads float high, writes vanish */
    if (!serial_handles(host->voice, run->io.port))
        return;
    for (i = 0; i < run->io.count; i++) {
        /* the UART's registers are 8 bits wide */
        uint8_t *item = data + (size_t)i * run->io.size;

        if (run->io.direction == KVM_EXIT_IO_OUT)
            serial_out(host->voice, run->io.port, item[0]);
        else
            serial_in(host->voice, run->io.port, item);
    }
}

void ford_says_freeze(WestworldHost *host, KvmRun *analysis)
{
    if (host == NULL || analysis == NULL)
        return;
    switch (analysis->exit_reason) {
    case KVM_EXIT_IO:
        vmm_handle_io(host, analysis);
        break;
    case KVM_EXIT_MMIO:
        /* no device behind any unbacked address: open bus */
        if (!analysis->mmio.is_write)
            memset(analysis->mmio.data, 0xff, sizeof(analysis->mmio.data));
        break;
    default:
        /* HLT, SHUTDOWN, FAIL_ENTRY, INTERNAL_ERROR, or unknown */
        host->conscious = false;
        break;
    }
}

int dolores_wakes_up(WestworldHost *host)
{
    KvmVcpu *vcpu;
    uint32_t reason = KVM_EXIT_UNKNOWN;

    if (host == NULL)
        return -1;
    vcpu = host->brain;
    if (!host->conscious) {
        host->conscious = false;
        return -1;
    }
    printf("[KVM] Running vCPU %d from RIP=0x%" PRIx64 "\n", vcpu->vcpu_id,
           vcpu->regs.rip);
    while (host->conscious) {
        if (kvm_run(vcpu) < 0) {
            host->conscious = false;
            printf("[VM] KVM_RUN failed\n");
            return -1;
        }
        reason = vcpu->kvm_run->exit_reason;
        ford_says_freeze(host, vcpu->kvm_run);
    }
    if (reason == KVM_EXIT_HLT) {
        printf("[VM] CPU halted\n");
        return 0;
    }
    printf("[VM] Stopped: exit reason %" PRIu32 " at RIP=0x%" PRIx64 "\n",
           reason, vcpu->regs.rip);
    return -1;
}

void ford_retires_host(WestworldHost *host)
{
    if (host == NULL)
        return;
    serial_destroy(host->voice);
    if (host->park != NULL)
        host->park->ept = NULL;
    ept_destroy(host->memories);
    kvm_destroy_vcpu(host->brain);
    kvm_destroy_vm(host->park);
    kvm_close(host->ford);
    free(host);
}
