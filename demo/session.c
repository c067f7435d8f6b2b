/* session.c - one run of a guest: the vCPU loop, its exits, its trace */
#include "session.h"

#include "trace.h"
#include "x86/alu.h"
#include "x86/x86.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define DEBUGCON_PORT 0xe9      /* QEMU's and Bochs's debug console */

/* Why the run loop stopped */
enum stop {
    STOP_EXIT,          /* the VMM made the host not conscious */
    STOP_BUDGET,        /* --max-insns spent */
    STOP_EXITS,         /* --max-exits reached */
    STOP_SIGNAL,        /* SIGINT (Ctrl-C) or SIGALRM (--timeout) */
    STOP_NOMEM          /* the trace could not grow */
};

/* set by the handlers, read by the CPU core before each instruction */
static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
}

struct session {
    WestworldHost          *host;
    const struct options   *o;
    struct x86_cpu          cpu;
    struct trace            trace;
    int                     last_char;  /* last console byte, -1: none */
};

/* --trace=insn: "0000:7c00  b4 0e                 mov ah, 0xe" */
static void session_trace_insn(void *ctx, const struct x86_insn *in,
                               uint16_t cs, uint64_t ip)
{
    char text[96], hex[3 * X86_MAX_INSN + 1];
    size_t i;

    (void)ctx;
    for (i = 0; i < in->len; i++)
        snprintf(hex + 3 * i, sizeof(hex) - 3 * i, "%02x ", in->bytes[i]);
    hex[3 * in->len] = '\0';
    x86_format(in, ip, text, sizeof(text));
    fprintf(stderr, "%04" PRIx16 ":%04" PRIx64 "  %-30s %s\n", cs, ip, hex,
            text);
}

/* What the VMM does with one exit; true if the guest printed a byte */
static bool session_handle_exit(struct session *s, KvmRun *run)
{
    uint64_t tx = s->host->voice->tx_bytes;
    uint8_t *data;

    if (run->exit_reason != KVM_EXIT_IO ||
        run->io.data_offset + run->io.size > KVM_RUN_MMAP_SIZE) {
        ford_says_freeze(s->host, run);
        return false;
    }
    data = (uint8_t *)run + run->io.data_offset;
    if (run->io.port == DEBUGCON_PORT && run->io.count == 1) {
        if (run->io.direction == KVM_EXIT_IO_OUT) {
            putchar(data[0]);
            s->last_char = data[0];
            return true;
        }
        memset(data, 0, run->io.size);
        data[0] = DEBUGCON_PORT;    /* "the port is there", as Bochs says */
        return false;
    }
    ford_says_freeze(s->host, run);
    if (s->host->voice->tx_bytes == tx)
        return false;
    s->last_char = data[0];
    return true;
}

static void print_flags(uint64_t f)
{
    static const struct { uint32_t bit; const char *name; } names[] = {
        { X86_CF, "CF" }, { X86_PF, "PF" }, { X86_AF, "AF" },
        { X86_ZF, "ZF" }, { X86_SF, "SF" }, { X86_TF, "TF" },
        { X86_IF, "IF" }, { X86_DF, "DF" }, { X86_OF, "OF" }
    };
    size_t i;

    printf("flags=%04" PRIx64, f & 0xffff);
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (f & names[i].bit)
            printf(" %s", names[i].name);
}

/* The registers and the instruction at CS:IP, for a guest stopped
 * anywhere but on HLT */
static void session_print_state(const struct session *s)
{
    const KvmVcpu *v = s->host->brain;
    const KvmRegs *r = &v->regs;
    const KvmSregs *sr = &v->sregs;
    uint8_t code[X86_MAX_INSN];
    struct x86_insn in;
    char text[96];
    size_t n;

    printf("[VM] State at %04" PRIx16 ":%04" PRIx64 " after %" PRIu64
           " instructions:\n", sr->cs.selector, r->rip,
           s->cpu.instructions);
    printf("     eax=%08" PRIx32 " ebx=%08" PRIx32 " ecx=%08" PRIx32
           " edx=%08" PRIx32 "\n", (uint32_t)r->rax, (uint32_t)r->rbx,
           (uint32_t)r->rcx, (uint32_t)r->rdx);
    printf("     esi=%08" PRIx32 " edi=%08" PRIx32 " ebp=%08" PRIx32
           " esp=%08" PRIx32 "\n", (uint32_t)r->rsi, (uint32_t)r->rdi,
           (uint32_t)r->rbp, (uint32_t)r->rsp);
    printf("     cs=%04" PRIx16 " ds=%04" PRIx16 " es=%04" PRIx16
           " ss=%04" PRIx16 " ", sr->cs.selector, sr->ds.selector,
           sr->es.selector, sr->ss.selector);
    print_flags(r->rflags);
    putchar('\n');
    for (n = 0; n < X86_MAX_INSN; n++) {
        const uint8_t *p = ept_translate(s->host->memories,
                                         sr->cs.base + r->rip + n, EPT_READ);
        if (p == NULL)
            break;
        code[n] = *p;
    }
    if (n > 0 && x86_decode(code, n, &in) == X86_DECODE_OK) {
        x86_format(&in, r->rip, text, sizeof(text));
        printf("     next: %s\n", text);
    }
}

/* "the bytes at RIP: 0f 0b 90 ..." from the core's fault record */
static void print_fault(const struct x86_fault *f)
{
    static const char *const exceptions[] = {
        "#DE divide error", "#DB debug", "NMI", "#BP breakpoint"
    };
    size_t i;

    switch (f->kind) {
    case X86_FAULT_OPCODE:
        printf("[VM] %04" PRIx16 ":%04" PRIx64 " holds an instruction the "
               "CPU core does not run:", f->cs, f->ip);
        break;
    case X86_FAULT_EXCEPTION:
        printf("[VM] exception %u (%s) with no handler in the IVT, at "
               "%04" PRIx16 ":%04" PRIx64 ":", f->vector,
               f->vector < 4 ? exceptions[f->vector] : "?", f->cs, f->ip);
        break;
    case X86_FAULT_NO_SERVICE:
        printf("[VM] int 0x%02x: no handler in the IVT and no BIOS service, "
               "at %04" PRIx16 ":%04" PRIx64 ":", f->vector, f->cs, f->ip);
        break;
    case X86_FAULT_BIOS_FUNCTION:
        printf("[VM] int 0x%02x with AH=0x%02x: a BIOS function not "
               "provided (only AH=0x0e prints), at %04" PRIx16 ":%04"
               PRIx64 ":", f->vector, f->function, f->cs, f->ip);
        break;
    case X86_FAULT_FETCH:
        printf("[VM] the instruction at %04" PRIx16 ":%04" PRIx64 " is "
               "not all in RAM:", f->cs, f->ip);
        break;
    case X86_FAULT_MMIO_TWICE:
        printf("[VM] the instruction at %04" PRIx16 ":%04" PRIx64 " writes "
               "MMIO twice, which the core cannot describe in one exit:",
               f->cs, f->ip);
        break;
    default:
        return;
    }
    if (f->nbytes == 0)
        printf(" no RAM there");
    for (i = 0; i < f->nbytes && i < 8; i++)
        printf(" %02x", f->bytes[i]);
    putchar('\n');
}

static void session_print_stop(const struct session *s, enum stop stop)
{
    const KvmVcpu *v = s->host->brain;
    const char *name;

    switch (stop) {
    case STOP_EXIT:
        name = exit_name(v->kvm_run->exit_reason);
        printf("[VM] Stopped: exit %s at RIP=0x%" PRIx64 "\n",
               name != NULL ? name : "?", v->regs.rip);
        if (v->kvm_run->exit_reason == KVM_EXIT_SHUTDOWN ||
            v->kvm_run->exit_reason == KVM_EXIT_INTERNAL_ERROR)
            print_fault(&s->cpu.fault);
        break;
    case STOP_BUDGET:
        printf("[VM] Stopped: %" PRIu64 " instructions, the budget "
               "(--max-insns)\n", s->o->max_insns);
        break;
    case STOP_EXITS:
        printf("[VM] Stopped: %lu exits, the limit (--max-exits)\n",
               s->o->max_exits);
        break;
    case STOP_SIGNAL:
        if (stop_signal == SIGALRM)
            printf("[VM] Stopped: %u s of wall-clock time, the limit "
                   "(--timeout)\n", s->o->timeout_s);
        else
            printf("[VM] Stopped: interrupted (SIGINT)\n");
        break;
    case STOP_NOMEM:
        printf("[VM] Stopped: out of memory for the exit trace\n");
        break;
    }
    session_print_state(s);
}

static enum stop session_loop(struct session *s)
{
    KvmRun *run = s->host->brain->kvm_run;
    uint64_t budget = s->o->max_insns;
    struct exit_record *r;
    enum x86_stop why;

    while (s->host->conscious) {
        if (s->trace.len >= s->o->max_exits)
            return STOP_EXITS;
        why = x86_run(&s->cpu, &budget, &stop_signal);
        if (why == X86_BUDGET)
            return STOP_BUDGET;
        if (why == X86_STOPPED)
            return STOP_SIGNAL;
        r = trace_push(&s->trace);
        if (r == NULL)
            return STOP_NOMEM;
        trace_record(r, s->host->brain->regs.rip, run, false);
        if (session_handle_exit(s, run))
            fflush(stdout);     /* the console as it comes, pipe or not */
        trace_record(r, s->host->brain->regs.rip, run, true);
        if (s->o->trace == TRACE_INSNS)
            trace_print_exit(stderr, r, NULL);
    }
    return STOP_EXIT;
}

int session_run(WestworldHost *host, const struct options *o)
{
    struct sigaction sa, old_int, old_alrm;
    struct session s;
    enum stop stop;
    int status = WW_GUEST_FAILED;

    memset(&s, 0, sizeof(s));
    s.host = host;
    s.o = o;
    s.last_char = -1;
    x86_init(&s.cpu, host->brain, host->memories);
    if (o->trace == TRACE_INSNS)
        s.cpu.trace = session_trace_insn;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    stop_signal = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGALRM, &sa, &old_alrm);
    if (o->timeout_s != 0)
        alarm(o->timeout_s);

    printf("\n=== Dolores wakes up ===\n");
    printf("[KVM] Running vCPU %d from %04" PRIx16 ":%04" PRIx64 "\n",
           host->brain->vcpu_id, host->brain->sregs.cs.selector,
           host->brain->regs.rip);
    printf("Guest output: ");
    fflush(stdout);
    stop = session_loop(&s);
    alarm(0);
    sigaction(SIGALRM, &old_alrm, NULL);
    sigaction(SIGINT, &old_int, NULL);

    if (s.last_char == -1)
        printf("(none)\n");
    else if (s.last_char != '\n')
        putchar('\n');
    if (stop == STOP_EXIT && host->brain->kvm_run->exit_reason ==
        KVM_EXIT_HLT) {
        printf("[VM] CPU halted after %" PRIu64 " instructions\n",
               s.cpu.instructions);
        status = WW_OK;
    } else {
        session_print_stop(&s, stop);
    }
    trace_print(&s.trace, o->trace != TRACE_NONE);
    trace_release(&s.trace);
    return status;
}
