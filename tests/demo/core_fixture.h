/* core_fixture.h - a vCPU, 1 MiB of guest memory and the CPU core, for tests
 *
 * The memory is mapped through the reference's EPT, as bin/westworld maps
 * it, except one page at CORE_MMIO (an MMIO hole) and a read-only page at
 * CORE_ROM.  Code is loaded at CS:IP = 0000:CORE_CODE.
 */
#ifndef CORE_FIXTURE_H
#define CORE_FIXTURE_H

#include "x86/x86.h"

#define CORE_MEM_SIZE  (1024u * 1024u)
#define CORE_CODE      0x1000u
#define CORE_MMIO      0xa0000u
#define CORE_ROM       0xf0000u

struct core {
    EptContext     *ept;
    uint8_t        *mem;
    KvmVcpu         vcpu;
    KvmRun         *run;
    struct x86_cpu  cpu;
};

extern struct core tc;

void core_setup(void);
void core_teardown(void);

/* copies code to CS:IP */
void core_load(const uint8_t *code, size_t len);
#define CORE_LOAD(...) do {                                                 \
        static const uint8_t c_[] = { __VA_ARGS__ };                        \
        core_load(c_, sizeof(c_));                                          \
    } while (0)

/* runs at most n instructions: X86_BUDGET when they all retired */
enum x86_stop core_run(uint64_t n);

/* little-endian reads and writes of guest memory */
uint32_t core_peek(uint64_t gpa, unsigned size);
void core_poke(uint64_t gpa, unsigned size, uint32_t v);

#endif /* CORE_FIXTURE_H */
