/* core_fixture.c - a vCPU, 1 MiB of guest memory and the CPU core, for tests */
#include "core_fixture.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

struct core tc;

void core_setup(void)
{
    uint64_t gpa;

    memset(&tc, 0, sizeof(tc));
    tc.mem = aligned_alloc(WW_PAGE_SIZE, CORE_MEM_SIZE);
    cr_assert_not_null(tc.mem);
    memset(tc.mem, 0, CORE_MEM_SIZE);
    tc.ept = ept_create(CORE_MEM_SIZE);
    cr_assert_not_null(tc.ept);
    for (gpa = 0; gpa < CORE_MEM_SIZE; gpa += WW_PAGE_SIZE) {
        if (gpa == CORE_MMIO)
            continue;
        cr_assert_eq(ept_map(tc.ept, gpa, tc.mem + gpa,
                             gpa == CORE_ROM ? EPT_READ | EPT_EXEC
                                             : EPT_RWX), 0);
    }
    tc.run = calloc(1, KVM_RUN_MMAP_SIZE);
    cr_assert_not_null(tc.run);
    tc.vcpu.kvm_run = tc.run;
    tc.vcpu.kvm_run_size = KVM_RUN_MMAP_SIZE;
    tc.vcpu.regs.rflags = WW_RFLAGS_FIXED;
    tc.vcpu.regs.rip = CORE_CODE;
    x86_init(&tc.cpu, &tc.vcpu, tc.ept);
}

void core_teardown(void)
{
    ept_destroy(tc.ept);
    free(tc.mem);
    free(tc.run);
}

void core_load(const uint8_t *code, size_t len)
{
    memcpy(tc.mem + tc.vcpu.sregs.cs.base + tc.vcpu.regs.rip, code, len);
}

enum x86_stop core_run(uint64_t n)
{
    return x86_run(&tc.cpu, &n, NULL);
}

uint32_t core_peek(uint64_t gpa, unsigned size)
{
    uint32_t v = 0;
    unsigned i;

    for (i = 0; i < size; i++)
        v |= (uint32_t)tc.mem[gpa + i] << (8 * i);
    return v;
}

void core_poke(uint64_t gpa, unsigned size, uint32_t v)
{
    unsigned i;

    for (i = 0; i < size; i++)
        tc.mem[gpa + i] = (uint8_t)(v >> (8 * i));
}
