/* trace.c - the VM exits of a run, recorded and printed one a line */
#include "trace.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

const char *exit_name(uint32_t reason)
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

struct exit_record *trace_push(struct trace *t)
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

void trace_release(struct trace *t)
{
    free(t->rec);
    t->rec = NULL;
    t->len = t->cap = 0;
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

void trace_record(struct exit_record *r, uint64_t rip, const KvmRun *run,
                  bool after)
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
    r->rip = rip;
}

/* The vendor (leaf 0) or hypervisor signature (0x40000000) as text. */
static void print_cpuid_string(FILE *out, const struct exit_record *r)
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
    fprintf(out, " \"%s\"", text);
}

void trace_print_exit(FILE *out, const struct exit_record *r,
                      const uint64_t *prev_tsc)
{
    const char *name = exit_name(r->reason);
    unsigned i;

    if (name == NULL)
        fprintf(out, "[EXIT] reason=%" PRIu32, r->reason);
    else
        fprintf(out, "[EXIT] %s", name);
    switch (r->reason) {
    case KVM_EXIT_IO:
        fprintf(out, " %s port=0x%" PRIx16 " size=%u data=0x%0*" PRIx32,
                r->u.io.dir == KVM_EXIT_IO_OUT ? "out" : "in",
                r->u.io.port, (unsigned)r->u.io.size,
                2 * (int)r->u.io.size, r->u.io.data);
        if (r->u.io.count != 1)
            fprintf(out, " count=%" PRIu32, r->u.io.count);
        break;
    case KVM_EXIT_MMIO:
        fprintf(out, " %s addr=0x%" PRIx64 " len=%" PRIu32 " data=0x",
                r->u.mmio.is_write ? "write" : "read", r->u.mmio.addr,
                r->u.mmio.len);
        /* little endian: the last byte first */
        for (i = r->u.mmio.len < 8 ? r->u.mmio.len : 8; i > 0; i--)
            fprintf(out, "%02x", r->u.mmio.data[i - 1]);
        break;
    case KVM_EXIT_HYPERCALL:
        fprintf(out, " nr=%" PRIu64 " ret=%" PRId64, r->u.hc.nr,
                (int64_t)r->u.hc.ret);
        break;
    case WW_EXIT_CPUID:
        fprintf(out, " leaf=0x%" PRIx32 " subleaf=0x%" PRIx32
                " eax=0x%08" PRIx32 " ebx=0x%08" PRIx32 " ecx=0x%08" PRIx32
                " edx=0x%08" PRIx32, r->u.cpuid.function, r->u.cpuid.index,
                r->u.cpuid.eax, r->u.cpuid.ebx, r->u.cpuid.ecx,
                r->u.cpuid.edx);
        print_cpuid_string(out, r);
        break;
    case WW_EXIT_RDTSC:
        fprintf(out, " tsc=%" PRIu64, r->u.rdtsc.tsc);
        if (prev_tsc != NULL)
            fprintf(out, " (+%" PRIu64 " since the last rdtsc)",
                    r->u.rdtsc.tsc - *prev_tsc);
        break;
    case KVM_EXIT_SHUTDOWN:
        fprintf(out, " rip=0x%" PRIx64, r->rip);
        break;
    case KVM_EXIT_FAIL_ENTRY:
        fprintf(out, " rip=0x%" PRIx64 " hardware_entry_failure_reason=0x%"
                PRIx64, r->rip, r->u.fail.reason);
        break;
    case KVM_EXIT_INTERNAL_ERROR:
        fprintf(out, " rip=0x%" PRIx64 " suberror=%" PRIu32, r->rip,
                r->u.internal.suberror);
        if (r->u.internal.ndata > 0)
            fprintf(out, " data=0x%" PRIx64, r->u.internal.data0);
        break;
    default:
        break;
    }
    fputc('\n', out);
}

/* "VM exits: 5 (IO 4, HLT 1)", the kinds in a fixed order */
static void print_summary(const struct trace *t)
{
    static const uint32_t order[] = {
        KVM_EXIT_IO, KVM_EXIT_MMIO, KVM_EXIT_HYPERCALL, WW_EXIT_CPUID,
        WW_EXIT_RDTSC, KVM_EXIT_HLT, KVM_EXIT_SHUTDOWN, KVM_EXIT_FAIL_ENTRY,
        KVM_EXIT_INTERNAL_ERROR
    };
    size_t k, i;
    unsigned long n, other = (unsigned long)t->len;
    const char *sep = " (";

    printf("VM exits: %lu", (unsigned long)t->len);
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
    printf("%s\n", t->len != 0 ? ")" : "");
}

void trace_print(const struct trace *t, bool list)
{
    uint64_t last_tsc = 0;
    bool have_tsc = false;
    size_t i;

    if (list) {
        printf("\n=== VM exits ===\n");
        for (i = 0; i < t->len; i++) {
            trace_print_exit(stdout, &t->rec[i], have_tsc ? &last_tsc : NULL);
            if (t->rec[i].reason == WW_EXIT_RDTSC) {
                last_tsc = t->rec[i].u.rdtsc.tsc;
                have_tsc = true;
            }
        }
    }
    print_summary(t);
}
