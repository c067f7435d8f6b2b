/* hypervisor_sim.h - the contract of the westworld_hypervisor exercise
 *
 * A simulated KVM: a device (/dev/kvm), a VM with one memory slot, a vCPU
 * that interprets a small real-mode instruction subset, an EPT that every
 * guest memory access walks, and a 16550 UART at COM1.  The Westworld API at
 * the end of this file drives them the way QEMU drives KVM: create the host,
 * load code, loop on KVM_RUN and handle each VM exit, release everything.
 *
 * Numbers are the real ones from Linux's <linux/kvm.h>.  Where the simulator
 * adds something the real API does not have, the name starts with WW_ and the
 * comment says so.
 *
 * Conventions for every function below:
 *  - a function returning a pointer returns NULL on failure, and then has
 *    allocated nothing (everything it allocated before failing is released);
 *  - a function returning int returns 0 on success and -1 on failure, and on
 *    failure has changed nothing the caller can observe;
 *  - every function accepts NULL for its object argument: constructors and
 *    actions fail, destructors do nothing.
 *
 * Allowed library calls: malloc, calloc, free, mmap, munmap, memcpy, memset,
 * printf, putchar.  Forbidden: open, close, ioctl, fork, exec*.
 */
#ifndef HYPERVISOR_SIM_H
#define HYPERVISOR_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------ */
/* KVM constants (linux/kvm.h)                                          */
/* ------------------------------------------------------------------ */

#define KVM_API_VERSION 12

#define KVM_EXIT_UNKNOWN        0
#define KVM_EXIT_EXCEPTION      1
#define KVM_EXIT_IO             2
#define KVM_EXIT_HYPERCALL      3
#define KVM_EXIT_DEBUG          4
#define KVM_EXIT_HLT            5
#define KVM_EXIT_MMIO           6
#define KVM_EXIT_IRQ_WINDOW_OPEN 7
#define KVM_EXIT_SHUTDOWN       8
#define KVM_EXIT_FAIL_ENTRY     9
#define KVM_EXIT_INTR           10
#define KVM_EXIT_INTERNAL_ERROR 17
#define KVM_EXIT_SYSTEM_EVENT   24

/* Bonus only.  Real KVM answers CPUID (from the table userspace gives it
 * with KVM_SET_CPUID2) and RDTSC (TSC plus offset) inside the kernel.  The
 * simulator hands them to the VMM instead, so that the learner sees the VMX
 * exits that stand behind them (basic exit reasons 10 and 16). */
#define WW_EXIT_CPUID           0x10a
#define WW_EXIT_RDTSC           0x110

#define KVM_EXIT_IO_IN  0
#define KVM_EXIT_IO_OUT 1

/* kvm_run.internal.suberror */
#define KVM_INTERNAL_ERROR_EMULATION 1

/* Hypercalls (VMCALL, bonus).  Linux defines KVM_HC_* numbers 1 to 12; any
 * other number is unknown and returns -KVM_ENOSYS in RAX.  The simulator's
 * VMM implements none of the known ones: they return 0. */
#define KVM_HC_VAPIC_POLL_IRQ 1
#define KVM_HC_MAX_KNOWN      12
#define KVM_ENOSYS            1000

/* The mapping of struct kvm_run is two pages on x86: the I/O data of a PIO
 * exit lives on the second one (KVM_PIO_PAGE_OFFSET). */
#define WW_PAGE_SIZE         4096u
#define KVM_RUN_MMAP_SIZE    (2 * WW_PAGE_SIZE)
#define KVM_PIO_PAGE_OFFSET  1

#define WW_MIB               (1024u * 1024u)

/* RFLAGS bit 1 is fixed to 1: an entry with it clear fails. */
#define WW_RFLAGS_FIXED      0x2u
#define WW_RFLAGS_ZF         0x40u
#define WW_RFLAGS_IF         0x200u

/* ------------------------------------------------------------------ */
/* Registers (struct kvm_regs, struct kvm_sregs)                        */
/* ------------------------------------------------------------------ */

typedef struct {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rip, rflags;
} KvmRegs;

typedef struct {
    uint64_t base;
    uint32_t limit;
    uint16_t selector;
    uint8_t  type, present, dpl, db, s, l, g, avl;
} KvmSegment;

typedef struct {
    uint64_t base;
    uint16_t limit;
} KvmDtable;

typedef struct {
    KvmSegment cs, ds, es, fs, gs, ss, tr, ldt;
    KvmDtable  gdt, idt;
    uint64_t   cr0, cr2, cr3, cr4, cr8, efer;
} KvmSregs;

/* ------------------------------------------------------------------ */
/* struct kvm_run: what the vCPU tells the VMM at each exit             */
/* ------------------------------------------------------------------ */

typedef struct {
    uint8_t  request_interrupt_window;
    uint8_t  immediate_exit;
    uint8_t  padding1[6];
    uint32_t exit_reason;               /* KVM_EXIT_* */
    uint8_t  ready_for_interrupt_injection;
    uint8_t  if_flag;
    uint16_t flags;
    uint64_t cr8;
    uint64_t apic_base;
    union {
        /* KVM_EXIT_UNKNOWN */
        struct {
            uint64_t hardware_exit_reason;
        } hw;
        /* KVM_EXIT_FAIL_ENTRY */
        struct {
            uint64_t hardware_entry_failure_reason;
            uint32_t cpu;
        } fail_entry;
        /* KVM_EXIT_IO: count items of size bytes at (char *)run + data_offset.
         * OUT: the guest's bytes are there.  IN: the VMM writes them there
         * before the next kvm_run(), which completes the instruction. */
        struct {
            uint8_t  direction;         /* KVM_EXIT_IO_IN or KVM_EXIT_IO_OUT */
            uint8_t  size;              /* 1, 2 or 4 */
            uint16_t port;
            uint32_t count;
            uint64_t data_offset;
        } io;
        /* KVM_EXIT_MMIO: a load or store to a guest-physical address that no
         * memory slot backs, or that the EPT does not allow (a store to a
         * read-only page, as a read-only memslot).  Write: data holds the len
         * bytes written.  Read: the VMM fills data, the next kvm_run()
         * completes the load. */
        struct {
            uint64_t phys_addr;
            uint8_t  data[8];
            uint32_t len;
            uint8_t  is_write;
        } mmio;
        /* KVM_EXIT_HYPERCALL (bonus): nr from RAX, args from RBX, RCX, RDX,
         * RSI; the VMM sets ret, the next kvm_run() puts it in RAX. */
        struct {
            uint64_t nr;
            uint64_t args[6];
            uint64_t ret;
            uint32_t longmode;
            uint32_t pad;
        } hypercall;
        /* KVM_EXIT_INTERNAL_ERROR */
        struct {
            uint32_t suberror;
            uint32_t ndata;
            uint64_t data[16];
        } internal;
        /* WW_EXIT_CPUID (bonus, simulator only): function and index are the
         * guest's EAX and ECX; the VMM fills eax..edx, the next kvm_run()
         * loads them into the registers. */
        struct {
            uint32_t function, index;
            uint32_t eax, ebx, ecx, edx;
        } cpuid;
        /* WW_EXIT_RDTSC (bonus, simulator only): tsc holds the vCPU's time
         * stamp counter; the VMM may change it, the next kvm_run() loads it
         * into EDX:EAX. */
        struct {
            uint64_t tsc;
        } rdtsc;
        char padding[256];
    };
} KvmRun;

/* ------------------------------------------------------------------ */
/* EPT: guest-physical to host addresses, 4 levels, 4 KiB pages         */
/* ------------------------------------------------------------------ */

#define EPT_READ        (1u << 0)
#define EPT_WRITE       (1u << 1)
#define EPT_EXEC        (1u << 2)
#define EPT_RWX         (EPT_READ | EPT_WRITE | EPT_EXEC)
#define EPT_ENTRIES     512
#define EPT_LEVELS      4
#define EPT_ADDR_MASK   0x000ffffffffff000ull
#define EPT_MAX_GPA     (1ull << 48)    /* 4 levels x 9 bits + 12 */

/* Exit qualification of an EPT violation (Intel SDM): bit 0 read, 1 write,
 * 2 fetch; bits 3-5 the permissions found (all clear: not present). */
#define EPT_QUAL_READ   (1u << 0)
#define EPT_QUAL_WRITE  (1u << 1)
#define EPT_QUAL_FETCH  (1u << 2)

typedef struct {
    uint64_t *pml4;                 /* root table, 512 entries, page aligned */
    uint64_t  guest_size;           /* bytes the VMM intends to map */
    size_t    tables;               /* 4 KiB tables allocated, root included */
    uint64_t  violations;           /* EPT violations seen by ept_translate */
    uint64_t  last_violation_gpa;
    uint32_t  last_violation_qual;  /* EPT_QUAL_* | found permissions << 3 */
} EptContext;

/* Creates an empty EPT (only the PML4) for a guest of guest_size bytes.
 * The lower levels are allocated by ept_map() on first use, so a 4096 MB
 * guest costs only the tables of the pages it touches.  NULL if guest_size
 * is 0 or larger than EPT_MAX_GPA, or on allocation failure.  Release with
 * ept_destroy(). */
EptContext *ept_create(uint64_t guest_size);

/* Maps the 4 KiB guest page containing gpa to the host page at hva (page
 * aligned, not owned by the EPT) with perms (EPT_* bits, not 0), building the
 * missing tables on the way.  Remaps if already mapped.  -1 if gpa >=
 * EPT_MAX_GPA, perms is 0 or not a subset of EPT_RWX, hva is NULL or not
 * page aligned, or a table cannot be allocated (the tables already built
 * stay valid). */
int ept_map(EptContext *ept, uint64_t gpa, void *hva, uint32_t perms);

/* Changes the permissions of the page containing gpa.  -1 if not mapped or
 * perms invalid as for ept_map(). */
int ept_set_permissions(EptContext *ept, uint64_t gpa, uint32_t perms);

/* Walks PML4 -> PDPT -> PD -> PT for gpa and returns the host address of
 * that byte if every level allows access (one of EPT_READ, EPT_WRITE,
 * EPT_EXEC).  Otherwise NULL: an EPT violation, counted in violations and
 * described in last_violation_gpa / last_violation_qual. */
void *ept_translate(EptContext *ept, uint64_t gpa, uint32_t access);

/* Releases every table and the context.  The mapped host pages are not the
 * EPT's and are left alone. */
void ept_destroy(EptContext *ept);

/* ------------------------------------------------------------------ */
/* Serial port: 16550 UART                                              */
/* ------------------------------------------------------------------ */

#define SERIAL_COM1_BASE 0x3f8
#define SERIAL_PORTS     8

/* Register offsets from the base port */
#define UART_RBR 0  /* read, DLAB=0 */
#define UART_THR 0  /* write, DLAB=0 */
#define UART_DLL 0  /* DLAB=1 */
#define UART_IER 1  /* DLAB=0 */
#define UART_DLM 1  /* DLAB=1 */
#define UART_IIR 2  /* read */
#define UART_FCR 2  /* write */
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_SCR 7

#define UART_LCR_DLAB  0x80
#define UART_LSR_DR    0x01
#define UART_LSR_THRE  0x20
#define UART_LSR_TEMT  0x40
#define UART_IIR_NO_INT 0x01
#define UART_IIR_THRI  0x02
#define UART_IIR_RDI   0x04
#define UART_IER_RDI   0x01
#define UART_IER_THRI  0x02
#define UART_MSR_CTS   0x10
#define UART_MSR_DSR   0x20
#define UART_MSR_DCD   0x80

typedef struct {
    uint16_t base;          /* first port, SERIAL_COM1_BASE */
    uint8_t  rbr;           /* last byte received, valid while LSR.DR */
    uint8_t  ier, fcr, lcr, mcr, lsr, msr, scr;
    uint8_t  dll, dlm;      /* divisor latch */
    uint64_t tx_bytes;      /* bytes the guest wrote to THR */
} SerialPort;

/* A UART at COM1 after reset: LCR 0x03 (8N1), MCR 0x08 (OUT2), LSR THRE|TEMT,
 * MSR DCD|DSR|CTS, IER 0 (no interrupt enabled), divisor 12 (9600 baud).
 * NULL on allocation failure. */
SerialPort *serial_create(void);

/* True if port is one of the eight registers of this UART. */
bool serial_handles(const SerialPort *serial, uint16_t port);

/* A guest write of value to port.  A THR write goes to stdout (putchar); with
 * LCR.DLAB set, offsets 0 and 1 are the divisor latch.  THRE and TEMT stay
 * set: the virtual line is never busy.  LSR and MSR are read-only: a write
 * to them changes nothing.  -1 if the port is not this UART's. */
int serial_out(SerialPort *serial, uint16_t port, uint8_t value);

/* A guest read of port into *value.  Reading RBR takes the received byte
 * and clears LSR.DR.  IIR names the pending interrupt of highest priority
 * among those IER enables: received data (UART_IIR_RDI) while LSR.DR, else
 * THR empty (UART_IIR_THRI: the line is never busy), else none
 * (UART_IIR_NO_INT).  -1 if the port is not this UART's or value is NULL. */
int serial_in(SerialPort *serial, uint16_t port, uint8_t *value);

/* The host side of the line: byte arrives in RBR and LSR.DR is set (a byte
 * not yet read is overwritten, as a 16450 without FIFO does). */
int serial_receive(SerialPort *serial, uint8_t byte);

void serial_destroy(SerialPort *serial);

/* ------------------------------------------------------------------ */
/* KVM: device, VM, vCPU                                                */
/* ------------------------------------------------------------------ */

typedef struct {
    int fd;                 /* > 0, unique per process (simulated) */
    int api_version;        /* KVM_API_VERSION */
} KvmDevice;

typedef struct {
    int         fd;
    KvmDevice  *kvm;            /* borrowed */
    /* memory slot 0 (struct kvm_userspace_memory_region) */
    uint32_t    slot;
    uint64_t    guest_phys_addr;
    uint64_t    memory_size;    /* bytes; 0 while no slot is set */
    uint8_t    *guest_memory;   /* host address backing the slot */
    bool        owns_memory;    /* mapped by the VM: unmapped by it */
    EptContext *ept;            /* borrowed: the EPT the vCPUs walk, or NULL */
} KvmVm;

typedef struct {
    int       fd;
    int       vcpu_id;
    KvmVm    *vm;               /* borrowed */
    KvmRegs   regs;
    KvmSregs  sregs;
    KvmRun   *kvm_run;          /* mmap'd, kvm_run_size bytes */
    size_t    kvm_run_size;     /* KVM_RUN_MMAP_SIZE */
    /* simulator state: the VMM reads it, never writes it */
    bool      halted;           /* after HLT; cleared by a new entry point */
    uint32_t  pending;          /* exit whose completion the next run owes */
    uint8_t   pending_reg;      /* register the completion writes */
    uint64_t  instructions;     /* instructions retired */
    uint64_t  exits;            /* VM exits taken */
    uint64_t  tsc;              /* time stamp counter (bonus) */
    uint64_t  last_rdtsc;       /* instructions at the last RDTSC, bonus */
    bool      rdtsc_seen;
} KvmVcpu;

/* "Opens /dev/kvm".  NULL on allocation failure.  Release with kvm_close(). */
KvmDevice *kvm_open(void);

/* A VM with no memory and no EPT.  NULL if kvm is NULL or on allocation
 * failure.  Release with kvm_destroy_vm() before kvm_close(kvm). */
KvmVm *kvm_create_vm(KvmDevice *kvm);

/* Sets memory slot 0: size bytes of guest-physical memory from guest_addr.
 * host_addr NULL: the VM maps the memory itself (anonymous, lazily backed)
 * and unmaps it in kvm_destroy_vm(); otherwise it is the caller's and must
 * stay valid for the VM's life.  -1 if vm is NULL, slot is not 0, the slot
 * is already set, size is 0, size, guest_addr or host_addr is not a multiple
 * of 4 KiB, guest_addr + size overflows or passes EPT_MAX_GPA, or the
 * mapping fails. */
int kvm_set_user_memory_region(KvmVm *vm, uint32_t slot, uint64_t guest_addr,
                               uint64_t size, void *host_addr);

/* vCPU vcpu_id of vm, with its kvm_run mapping (KVM_RUN_MMAP_SIZE bytes) and
 * real-mode registers: CS, DS, ES, SS selector and base 0, RIP 0, RFLAGS
 * 0x2, CR0 0x60000010.  NULL if vm is NULL, vcpu_id < 0, or on allocation
 * or mapping failure.  Release with kvm_destroy_vcpu(). */
KvmVcpu *kvm_create_vcpu(KvmVm *vm, int vcpu_id);

/* KVM_RUN: completes the exit the previous run left pending (IN, MMIO read,
 * hypercall, CPUID, RDTSC), then executes guest instructions until one
 * needs the VMM, and describes it in vcpu->kvm_run.  Returns 0 after every
 * exit, whatever its reason (including FAIL_ENTRY, SHUTDOWN and
 * INTERNAL_ERROR); -1 only if vcpu is NULL, has no VM or no memory slot, or
 * an EPT table cannot be allocated (instructions retired before that stay
 * retired: the one exception to "nothing observable changed").
 *
 * Fetch: linear address CS.base + RIP (RIP is not truncated to 16 bits).
 * Data: DS.base + 16-bit offset.  Exits:
 *   HLT         hlt; RIP points past it and the vCPU stays halted: running
 *               it again exits with HLT again until a new entry point is set
 *   IO          in/out; RIP points past the instruction
 *   MMIO        a load or store to an address no memory slot backs, or
 *               that the EPT does not allow (a store to a read-only page)
 *   SHUTDOWN    an opcode outside the subset (the triple-fault analogue)
 *   FAIL_ENTRY  RIP outside guest memory when an instruction starts
 *               (at entry, or after the previous one ran off the end), or
 *               RFLAGS bit 1 clear
 *   INTERNAL_ERROR (EMULATION) an instruction whose bytes run past the end
 *               of guest memory, or a fetch the EPT refuses
 * The base subset: mov r8, imm8 (B0+r); mov r16, imm16 (B8+r); mov al,
 * [moffs16] (A0); mov [moffs16], al (A2); mov [bx], al (88 07); mov sreg,
 * r16 (8E, mod 11, ES/SS/DS); in al, imm8 (E4); in al, dx (EC); out imm8,
 * al (E6); out dx, al (EE); hlt (F4); nop (90); cli (FA); sti (FB);
 * jmp rel8 (EB); jz (74); jnz (75); loop (E2); inc r16 (40+r); dec r16
 * (48+r).  The bonus adds cpuid (0F A2), rdtsc (0F 31), vmcall (0F 01 C1). */
int kvm_run(KvmVcpu *vcpu);

/* Releases the vCPU and its kvm_run mapping. */
void kvm_destroy_vcpu(KvmVcpu *vcpu);

/* Releases the VM and the guest memory it mapped itself.  Its vCPUs must
 * have been destroyed first; its EPT is not its own. */
void kvm_destroy_vm(KvmVm *vm);

/* "Closes /dev/kvm": releases the device only, not the VMs made from it. */
void kvm_close(KvmDevice *kvm);

/* ------------------------------------------------------------------ */
/* Westworld API: the VMM                                               */
/* ------------------------------------------------------------------ */

typedef struct {
    KvmDevice  *ford;       /* the creator (hypervisor) */
    KvmVm      *park;       /* the park (VM context) */
    KvmVcpu    *brain;      /* the artificial brain (vCPU) */
    EptContext *memories;   /* the memories (EPT), walked by park */
    SerialPort *voice;      /* the voice (serial port) */
    bool        conscious;  /* true while the host may run */
} WestworldHost;

/* A host with memory_mb MiB of guest memory at guest-physical 0, its vCPU,
 * EPT and UART, conscious.  NULL if memory_mb is 0, if memory_mb MiB does
 * not fit in size_t or in EPT_MAX_GPA, or if any step fails; in that case
 * everything already created is released.  Release with ford_retires_host(). */
WestworldHost *ford_creates_host(size_t memory_mb);

/* Copies size bytes of code to guest-physical addr and makes it the entry
 * point: CS base 0, RIP addr, not halted, nothing pending, host conscious.  -1 if host or
 * narrative is NULL, size is 0, or [addr, addr + size) does not fit in guest
 * memory (overflow included); then nothing is copied. */
int ford_implants_memories(WestworldHost *host, const uint8_t *narrative,
                           size_t size, uint64_t addr);

/* Runs the host: loops on kvm_run() and hands each exit to
 * ford_says_freeze() until the guest halts.  Returns 0 when it halted, -1 if
 * host is NULL or not conscious (nothing is run then), or the run ended
 * otherwise (kvm_run() failing, FAIL_ENTRY,
 * SHUTDOWN, INTERNAL_ERROR, an exit it cannot handle).  conscious is false
 * on return. */
int dolores_wakes_up(WestworldHost *host);

/* Handles one VM exit, as QEMU does after KVM_RUN: IO to the UART goes to
 * serial_out()/serial_in(), IN from any other port reads 0xff and OUT to it is
 * dropped; an MMIO read returns 0xff bytes and a write is dropped; HLT and
 * the fatal exits make the host not conscious.  The bonus also answers
 * hypercalls, CPUID and RDTSC.  Does nothing if host or analysis is NULL. */
void ford_says_freeze(WestworldHost *host, KvmRun *analysis);

/* Releases everything the host holds, in the reverse order of creation:
 * UART, EPT, vCPU and its kvm_run mapping, VM and its guest memory, device,
 * host.  Does nothing for NULL. */
void ford_retires_host(WestworldHost *host);

/* ------------------------------------------------------------------ */
/* Bonus: Maeve's awakening                                             */
/* ------------------------------------------------------------------ */

typedef enum {
    ESCAPE_NONE,
    ESCAPE_CPUID_DETECT,     /* cpuid asking for leaf 1 or 0x40000000 */
    ESCAPE_TIMING_ATTACK,    /* rdtsc within WW_TIMING_WINDOW instructions of
                                the previous rdtsc */
    ESCAPE_MEMORY_PROBE,     /* rip, or the address the instruction at rip
                                reads or writes, outside guest memory */
    ESCAPE_HYPERCALL_ABUSE   /* vmcall with an unknown number in RAX */
} EscapeAttempt;

#define WW_TIMING_WINDOW 16

/* Looks at the instruction at guest address CS.base + rip (rip itself after
 * ford_implants_memories(), which sets CS.base to 0), with the vCPU's current
 * registers, and says which escape attempt it is, if any.  Reads guest
 * memory only inside its bounds and changes nothing.  ESCAPE_NONE for NULL,
 * for an ordinary instruction, and for cpuid leaves other than 1 and
 * 0x40000000. */
EscapeAttempt maeve_tries_to_escape(WestworldHost *host, uint64_t rip);

#endif /* HYPERVISOR_SIM_H */
