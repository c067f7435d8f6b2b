/* westworld.c - a tiny VMM: loads a raw real-mode guest into a host and runs it, tracing its VM exits */
#define _GNU_SOURCE     /* getopt_long */

#include "hypervisor_sim.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Exit status, as --help documents it. */
enum {
    WW_OK = 0,          /* the guest halted */
    WW_GUEST_FAILED = 1,    /* it stopped on anything else */
    WW_USAGE = 2        /* usage, guest file or host error */
};

#define DEFAULT_MEMORY_MB 1u
#define DEFAULT_LOAD_ADDR 0x7c00u
#define DEFAULT_MAX_EXITS 1000000ul

static const char *const progname = "westworld";

struct options {
    size_t        memory_mb;
    uint64_t      load_addr;
    unsigned long max_exits;
    bool          trace;
    const char   *guest;
};

/* One VM exit, as the VMM saw it after handling it. */
struct exit_record {
    uint32_t reason;
    uint64_t rip;
    union {
        struct { uint8_t dir, size; uint16_t port; uint32_t count;
                 uint32_t data; } io;
        struct { uint64_t addr; uint32_t len; uint8_t is_write;
                 uint8_t data[8]; } mmio;
        struct { uint64_t nr, ret; } hc;
        struct { uint32_t function, index, eax, ebx, ecx, edx; } cpuid;
        struct { uint64_t tsc; } rdtsc;
        struct { uint64_t reason; } fail;
        struct { uint32_t suberror, ndata; uint64_t data0; } internal;
    } u;
};

struct trace {
    struct exit_record *rec;
    size_t              len, cap;
};

/* ------------------------------------------------------------------ */
/* Command line                                                         */
/* ------------------------------------------------------------------ */

/* "westworld: what 'arg'" and the hint, on stderr (arg may be NULL) */
static void usage_hint(const char *what, const char *arg)
{
    if (arg != NULL)
        fprintf(stderr, "%s: %s '%s'\n", progname, what, arg);
    else
        fprintf(stderr, "%s: %s\n", progname, what);
    fprintf(stderr, "Try '%s --help' for more information.\n", progname);
}

static void print_help(void)
{
    printf("Usage: %s [OPTION]... GUEST.bin\n"
           "Run a raw real-mode guest in a simulated KVM host and trace its "
           "VM exits.\n"
           "\n"
           "  -m, --memory=MB      guest memory in MiB (default %u)\n"
           "  -a, --addr=ADDR      load address and entry point (default "
           "0x%x)\n"
           "  -t, --trace          list every VM exit after the run\n"
           "  -n, --max-exits=N    stop a guest after N exits (default "
           "%lu)\n"
           "  -h, --help           show this help and exit\n"
           "\n"
           "The guest's COM1 output goes to stdout as it comes.\n"
           "Exit status: 0 the guest halted, 1 it stopped on another exit,\n"
           "2 usage error, unreadable guest or host creation failure.\n",
           progname, DEFAULT_MEMORY_MB, DEFAULT_LOAD_ADDR,
           DEFAULT_MAX_EXITS);
}

/* Parses an unsigned number (decimal, 0x hex or 0 octal). */
static bool parse_u64(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;

    if (*s == '\0' || *s == '-')
        return false;
    errno = 0;
    v = strtoull(s, &end, 0);
    if (errno != 0 || *end != '\0')
        return false;
    *out = v;
    return true;
}

/* 0 on success, WW_OK for --help (already printed), WW_USAGE otherwise. */
static int parse_options(int argc, char **argv, struct options *o,
                         bool *help)
{
    static const struct option table[] = {
        { "memory",    required_argument, NULL, 'm' },
        { "addr",      required_argument, NULL, 'a' },
        { "trace",     no_argument,       NULL, 't' },
        { "max-exits", required_argument, NULL, 'n' },
        { "help",      no_argument,       NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    uint64_t v;
    int c;

    o->memory_mb = DEFAULT_MEMORY_MB;
    o->load_addr = DEFAULT_LOAD_ADDR;
    o->max_exits = DEFAULT_MAX_EXITS;
    o->trace = false;
    o->guest = NULL;
    *help = false;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":m:a:tn:h", table, NULL)) != -1) {
        switch (c) {
        case 'm':
            if (!parse_u64(optarg, &v) || v == 0 || v > SIZE_MAX / WW_MIB) {
                usage_hint("invalid memory size in MiB", optarg);
                return WW_USAGE;
            }
            o->memory_mb = (size_t)v;
            break;
        case 'a':
            if (!parse_u64(optarg, &o->load_addr)) {
                usage_hint("invalid load address", optarg);
                return WW_USAGE;
            }
            break;
        case 't':
            o->trace = true;
            break;
        case 'n':
            if (!parse_u64(optarg, &v) || v == 0 || v > ULONG_MAX) {
                usage_hint("invalid exit limit", optarg);
                return WW_USAGE;
            }
            o->max_exits = (unsigned long)v;
            break;
        case 'h':
            *help = true;
            return 0;
        case ':':
            usage_hint("missing argument to", argv[optind - 1]);
            return WW_USAGE;
        default:
            usage_hint("unknown option", argv[optind - 1]);
            return WW_USAGE;
        }
    }
    if (optind >= argc) {
        usage_hint("missing GUEST.bin", NULL);
        return WW_USAGE;
    }
    if (optind + 1 < argc) {
        usage_hint("one guest only, extra argument", argv[optind + 1]);
        return WW_USAGE;
    }
    o->guest = argv[optind];
    return 0;
}

/* ------------------------------------------------------------------ */
/* Guest file                                                           */
/* ------------------------------------------------------------------ */

/* Reads the whole guest image; prints why not and returns NULL. */
static uint8_t *read_guest(const char *path, size_t limit, size_t *size)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0, got;
    int saved;

    if (f == NULL) {
        saved = errno;
        fprintf(stderr, "%s: cannot open guest '%s': %s\n", progname, path,
                strerror(saved));
        return NULL;
    }
    for (;;) {
        if (len == cap) {
            /* one byte more than fits tells "too large" from "exact" */
            size_t want = cap == 0 ? 4096 : cap * 2;
            uint8_t *bigger;

            if (cap > limit) {
                fprintf(stderr, "%s: guest '%s' is larger than the %zu "
                        "bytes of guest memory from its load address\n",
                        progname, path, limit);
                goto fail;
            }
            bigger = realloc(buf, want);
            if (bigger == NULL) {
                fprintf(stderr, "%s: out of memory reading guest '%s'\n",
                        progname, path);
                goto fail;
            }
            buf = bigger;
            cap = want;
        }
        got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        saved = errno;
        fprintf(stderr, "%s: cannot read guest '%s': %s\n", progname, path,
                strerror(saved));
        goto fail;
    }
    if (len == 0) {
        fprintf(stderr, "%s: guest '%s' is empty\n", progname, path);
        goto fail;
    }
    if (len > limit) {
        fprintf(stderr, "%s: guest '%s' (%zu bytes) does not fit in the "
                "%zu bytes of guest memory from its load address\n",
                progname, path, len, limit);
        goto fail;
    }
    fclose(f);
    *size = len;
    return buf;
fail:
    fclose(f);
    free(buf);
    return NULL;
}

/* ------------------------------------------------------------------ */
/* The run loop                                                         */
/* ------------------------------------------------------------------ */

static const char *exit_name(uint32_t reason)
{
    switch (reason) {
    case KVM_EXIT_UNKNOWN:          return "UNKNOWN";
    case KVM_EXIT_EXCEPTION:        return "EXCEPTION";
    case KVM_EXIT_IO:               return "IO";
    case KVM_EXIT_HYPERCALL:        return "HYPERCALL";
    case KVM_EXIT_DEBUG:            return "DEBUG";
    case KVM_EXIT_HLT:              return "HLT";
    case KVM_EXIT_MMIO:             return "MMIO";
    case KVM_EXIT_IRQ_WINDOW_OPEN:  return "IRQ_WINDOW_OPEN";
    case KVM_EXIT_SHUTDOWN:         return "SHUTDOWN";
    case KVM_EXIT_FAIL_ENTRY:       return "FAIL_ENTRY";
    case KVM_EXIT_INTR:             return "INTR";
    case KVM_EXIT_INTERNAL_ERROR:   return "INTERNAL_ERROR";
    case KVM_EXIT_SYSTEM_EVENT:     return "SYSTEM_EVENT";
    case WW_EXIT_CPUID:             return "CPUID";
    case WW_EXIT_RDTSC:             return "RDTSC";
    default:                        return NULL;
    }
}

static struct exit_record *trace_push(struct trace *t)
{
    if (t->len == t->cap) {
        size_t cap = t->cap == 0 ? 64 : t->cap * 2;
        struct exit_record *bigger = realloc(t->rec, cap * sizeof(*bigger));

        if (bigger == NULL)
            return NULL;
        t->rec = bigger;
        t->cap = cap;
    }
    memset(&t->rec[t->len], 0, sizeof(t->rec[0]));
    return &t->rec[t->len++];
}

static uint32_t io_value(const KvmRun *run)
{
    const uint8_t *data = (const uint8_t *)run + run->io.data_offset;
    uint32_t v = 0;
    unsigned i;

    for (i = 0; i < run->io.size && i < 4; i++)
        v |= (uint32_t)data[i] << (8 * i);
    return v;
}

/* Fills r from the exit in run; after says the VMM has handled it. */
static void record_exit(struct exit_record *r, const KvmVcpu *vcpu,
                        const KvmRun *run, bool after)
{
    r->reason = run->exit_reason;
    switch (run->exit_reason) {
    case KVM_EXIT_IO:
        r->u.io.dir = run->io.direction;
        r->u.io.size = run->io.size;
        r->u.io.port = run->io.port;
        r->u.io.count = run->io.count;
        /* OUT: what the guest wrote; IN: what the VMM answered */
        if (after == (run->io.direction == KVM_EXIT_IO_IN))
            r->u.io.data = io_value(run);
        break;
    case KVM_EXIT_MMIO:
        r->u.mmio.addr = run->mmio.phys_addr;
        r->u.mmio.len = run->mmio.len;
        r->u.mmio.is_write = run->mmio.is_write;
        if (after == !run->mmio.is_write)
            memcpy(r->u.mmio.data, run->mmio.data, sizeof(r->u.mmio.data));
        break;
    case KVM_EXIT_HYPERCALL:
        r->u.hc.nr = run->hypercall.nr;
        r->u.hc.ret = run->hypercall.ret;
        break;
    case WW_EXIT_CPUID:
        r->u.cpuid.function = run->cpuid.function;
        r->u.cpuid.index = run->cpuid.index;
        r->u.cpuid.eax = run->cpuid.eax;
        r->u.cpuid.ebx = run->cpuid.ebx;
        r->u.cpuid.ecx = run->cpuid.ecx;
        r->u.cpuid.edx = run->cpuid.edx;
        break;
    case WW_EXIT_RDTSC:
        r->u.rdtsc.tsc = run->rdtsc.tsc;
        break;
    case KVM_EXIT_FAIL_ENTRY:
        r->u.fail.reason = run->fail_entry.hardware_entry_failure_reason;
        break;
    case KVM_EXIT_INTERNAL_ERROR:
        r->u.internal.suberror = run->internal.suberror;
        r->u.internal.ndata = run->internal.ndata;
        r->u.internal.data0 = run->internal.data[0];
        break;
    default:
        break;
    }
    r->rip = vcpu->regs.rip;
}

/* The vendor (leaf 0) or hypervisor signature (0x40000000) as text. */
static void print_cpuid_string(const struct exit_record *r)
{
    uint32_t regs[3];
    char text[13];
    size_t i;

    if (r->u.cpuid.function == 0) {
        regs[0] = r->u.cpuid.ebx;       /* "Genu" "ineI" "ntel" */
        regs[1] = r->u.cpuid.edx;
        regs[2] = r->u.cpuid.ecx;
    } else if (r->u.cpuid.function == 0x40000000) {
        regs[0] = r->u.cpuid.ebx;       /* "KVMK" "VMKV" "M\0\0\0" */
        regs[1] = r->u.cpuid.ecx;
        regs[2] = r->u.cpuid.edx;
    } else {
        return;
    }
    for (i = 0; i < 12; i++)
        text[i] = (char)(regs[i / 4] >> (8 * (i % 4)));
    text[12] = '\0';
    for (i = 0; text[i] != '\0'; i++)
        if (text[i] < 0x20 || text[i] > 0x7e)
            return;
    printf(" \"%s\"", text);
}

/* One trace line; prev_tsc is the previous RDTSC's reading, or NULL. */
static void print_exit(const struct exit_record *r, const uint64_t *prev_tsc)
{
    const char *name = exit_name(r->reason);
    unsigned i;

    if (name == NULL)
        printf("[EXIT] reason=%" PRIu32, r->reason);
    else
        printf("[EXIT] %s", name);
    switch (r->reason) {
    case KVM_EXIT_IO:
        printf(" %s port=0x%" PRIx16 " size=%u data=0x%0*" PRIx32,
               r->u.io.dir == KVM_EXIT_IO_OUT ? "out" : "in",
               r->u.io.port, (unsigned)r->u.io.size,
               2 * (int)r->u.io.size, r->u.io.data);
        if (r->u.io.count != 1)
            printf(" count=%" PRIu32, r->u.io.count);
        break;
    case KVM_EXIT_MMIO:
        printf(" %s addr=0x%" PRIx64 " len=%" PRIu32 " data=0x",
               r->u.mmio.is_write ? "write" : "read", r->u.mmio.addr,
               r->u.mmio.len);
        /* little endian: the last byte first */
        for (i = r->u.mmio.len < 8 ? r->u.mmio.len : 8; i > 0; i--)
            printf("%02x", r->u.mmio.data[i - 1]);
        break;
    case KVM_EXIT_HYPERCALL:
        printf(" nr=%" PRIu64 " ret=%" PRId64, r->u.hc.nr,
               (int64_t)r->u.hc.ret);
        break;
    case WW_EXIT_CPUID:
        printf(" leaf=0x%" PRIx32 " subleaf=0x%" PRIx32 " eax=0x%08" PRIx32
               " ebx=0x%08" PRIx32 " ecx=0x%08" PRIx32 " edx=0x%08" PRIx32,
               r->u.cpuid.function, r->u.cpuid.index, r->u.cpuid.eax,
               r->u.cpuid.ebx, r->u.cpuid.ecx, r->u.cpuid.edx);
        print_cpuid_string(r);
        break;
    case WW_EXIT_RDTSC:
        printf(" tsc=%" PRIu64, r->u.rdtsc.tsc);
        if (prev_tsc != NULL)
            printf(" (+%" PRIu64 " since the last rdtsc)",
                   r->u.rdtsc.tsc - *prev_tsc);
        break;
    case KVM_EXIT_SHUTDOWN:
        printf(" rip=0x%" PRIx64, r->rip);
        break;
    case KVM_EXIT_FAIL_ENTRY:
        printf(" rip=0x%" PRIx64 " hardware_entry_failure_reason=0x%" PRIx64,
               r->rip, r->u.fail.reason);
        break;
    case KVM_EXIT_INTERNAL_ERROR:
        printf(" rip=0x%" PRIx64 " suberror=%" PRIu32, r->rip,
               r->u.internal.suberror);
        if (r->u.internal.ndata > 0)
            printf(" data=0x%" PRIx64, r->u.internal.data0);
        break;
    default:
        break;
    }
    putchar('\n');
}

/* "VM exits: 5 (IO 4, HLT 1)", the kinds in a fixed order */
static void print_summary(const struct trace *t, unsigned long exits)
{
    static const uint32_t order[] = {
        KVM_EXIT_IO, KVM_EXIT_MMIO, KVM_EXIT_HYPERCALL, WW_EXIT_CPUID,
        WW_EXIT_RDTSC, KVM_EXIT_HLT, KVM_EXIT_SHUTDOWN, KVM_EXIT_FAIL_ENTRY,
        KVM_EXIT_INTERNAL_ERROR
    };
    size_t k, i;
    unsigned long n, other = exits;
    const char *sep = " (";

    printf("VM exits: %lu", exits);
    for (k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
        for (n = 0, i = 0; i < t->len; i++)
            n += t->rec[i].reason == order[k];
        if (n == 0)
            continue;
        printf("%s%s %lu", sep, exit_name(order[k]), n);
        sep = ", ";
        other -= n;
    }
    if (other != 0)
        printf("%sother %lu", sep, other);
    printf("%s\n", exits != 0 ? ")" : "");
}

/* Why the run loop stopped. */
enum stop {
    STOP_EXIT,          /* the VMM made the host not conscious */
    STOP_RUN_FAILED,    /* kvm_run() returned -1 */
    STOP_LIMIT,         /* --max-exits reached */
    STOP_NOMEM          /* the trace could not grow */
};

/*
 * Runs the host as dolores_wakes_up() does, recording each exit.  Returns
 * WW_OK if the guest halted, WW_GUEST_FAILED otherwise.
 */
static int run_guest(WestworldHost *host, const struct options *o,
                     struct trace *t)
{
    KvmVcpu *vcpu = host->brain;
    KvmRun *run = vcpu->kvm_run;
    struct exit_record *r;
    uint64_t tx_before;
    enum stop stop = STOP_EXIT;
    const char *name;
    int last = -1;

    printf("\n=== Dolores wakes up ===\n");
    printf("[KVM] Running vCPU %d from RIP=0x%" PRIx64 "\n", vcpu->vcpu_id,
           vcpu->regs.rip);
    printf("Guest output: ");
    while (host->conscious) {
        if (t->len >= o->max_exits) {
            stop = STOP_LIMIT;
            break;
        }
        if (kvm_run(vcpu) < 0) {
            stop = STOP_RUN_FAILED;
            break;
        }
        r = trace_push(t);
        if (r == NULL) {
            stop = STOP_NOMEM;
            break;
        }
        record_exit(r, vcpu, run, false);
        tx_before = host->voice->tx_bytes;
        ford_says_freeze(host, run);
        record_exit(r, vcpu, run, true);
        /* the byte the UART just printed, to end the line cleanly */
        if (host->voice->tx_bytes != tx_before)
            last = (int)(r->u.io.data & 0xff);
    }
    if (last == -1)
        printf("(none)\n");
    else if (last != '\n')
        putchar('\n');

    switch (stop) {
    case STOP_EXIT:
        if (run->exit_reason == KVM_EXIT_HLT) {
            printf("[VM] CPU halted\n");
            return WW_OK;
        }
        name = exit_name(run->exit_reason);
        printf("[VM] Stopped: exit %s at RIP=0x%" PRIx64 "\n",
               name != NULL ? name : "?", vcpu->regs.rip);
        break;
    case STOP_RUN_FAILED:
        printf("[VM] KVM_RUN failed\n");
        break;
    case STOP_LIMIT:
        printf("[VM] Stopped: %lu exits, the limit (--max-exits)\n",
               o->max_exits);
        break;
    case STOP_NOMEM:
        printf("[VM] Stopped: out of memory for the exit trace\n");
        break;
    }
    return WW_GUEST_FAILED;
}

int main(int argc, char **argv)
{
    struct options o;
    struct trace t = { NULL, 0, 0 };
    WestworldHost *host;
    uint8_t *image;
    uint64_t memory;
    size_t size, i;
    uint64_t last_tsc = 0;
    bool help, have_tsc = false;
    int status;

    status = parse_options(argc, argv, &o, &help);
    if (status != 0)
        return status;
    if (help) {
        print_help();
        return WW_OK;
    }
    memory = (uint64_t)o.memory_mb * WW_MIB;
    if (o.load_addr >= memory) {
        fprintf(stderr, "%s: load address 0x%" PRIx64 " is outside the "
                "%zu MiB of guest memory\n", progname, o.load_addr,
                o.memory_mb);
        return WW_USAGE;
    }
    image = read_guest(o.guest, (size_t)(memory - o.load_addr), &size);
    if (image == NULL)
        return WW_USAGE;

    host = ford_creates_host(o.memory_mb);
    if (host == NULL) {
        fprintf(stderr, "%s: cannot create a host with %zu MiB of guest "
                "memory\n", progname, o.memory_mb);
        free(image);
        return WW_USAGE;
    }
    if (ford_implants_memories(host, image, size, o.load_addr) < 0) {
        fprintf(stderr, "%s: cannot load guest '%s' at 0x%" PRIx64 "\n",
                progname, o.guest, o.load_addr);
        ford_retires_host(host);
        free(image);
        return WW_USAGE;
    }
    free(image);

    status = run_guest(host, &o, &t);
    if (o.trace) {
        printf("\n=== VM exits ===\n");
        for (i = 0; i < t.len; i++) {
            print_exit(&t.rec[i], have_tsc ? &last_tsc : NULL);
            if (t.rec[i].reason == WW_EXIT_RDTSC) {
                last_tsc = t.rec[i].u.rdtsc.tsc;
                have_tsc = true;
            }
        }
    }
    print_summary(&t, (unsigned long)t.len);
    free(t.rec);

    ford_retires_host(host);
    printf("\n=== All hosts retired ===\n");
    return status;
}
