/* trace.h - the VM exits of a run, recorded and printed one a line */
#ifndef WW_TRACE_H
#define WW_TRACE_H

#include "hypervisor_sim.h"

#include <stdio.h>

/* One VM exit, as the VMM saw it after handling it */
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

/* "IO", "HLT", ...; NULL for a reason without a name */
const char *exit_name(uint32_t reason);

/* a new zeroed record at the end, NULL when out of memory */
struct exit_record *trace_push(struct trace *t);

/* fills r from the exit in run; after: the VMM has handled it */
void trace_record(struct exit_record *r, uint64_t rip, const KvmRun *run,
                  bool after);

/* one line; prev_tsc is the previous RDTSC's reading, or NULL */
void trace_print_exit(FILE *out, const struct exit_record *r,
                      const uint64_t *prev_tsc);

/* every record, then "VM exits: 5 (IO 4, HLT 1)" */
void trace_print(const struct trace *t, bool list);

void trace_release(struct trace *t);

#endif /* WW_TRACE_H */
