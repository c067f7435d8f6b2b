/* test_host.c - unit tests of the Westworld API: host creation, implant, run loop, exits, release */
#include "alloc_shim.h"
#include "fixtures.h"

#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* section 5.7: mov dx, 0x3f8; mov al, c; out dx, al (x4); hlt */
static const uint8_t hi_guest[] = {
    0xba, 0xf8, 0x03,
    0xb0, 0x48, 0xee,
    0xb0, 0x69, 0xee,
    0xb0, 0x21, 0xee,
    0xb0, 0x0a, 0xee,
    0xf4
};

static void expect_nothing_live(const char *what)
{
    cr_assert_eq(ut_alloc_live_blocks(), 0, "%s: %ld heap blocks left", what,
                 ut_alloc_live_blocks());
    cr_assert_eq(ut_alloc_live_maps(), 0, "%s: %ld mappings left", what,
                 ut_alloc_live_maps());
    cr_assert_eq(ut_alloc_live_map_bytes(), 0, "%s: %lld mapped bytes left",
                 what, ut_alloc_live_map_bytes());
}

/* ---- ford_creates_host ---- */

Test(host, creates_a_conscious_host, .timeout = UT_TIMEOUT)
{
    WestworldHost *h = ford_creates_host(1);

    cr_assert_not_null(h);
    cr_assert(h->conscious);
    cr_assert_not_null(h->ford);
    cr_assert_not_null(h->park);
    cr_assert_not_null(h->brain);
    cr_assert_not_null(h->memories);
    cr_assert_not_null(h->voice);
    cr_assert_eq(h->ford->api_version, KVM_API_VERSION);
    cr_assert_eq(h->park->kvm, h->ford);
    cr_assert_eq(h->park->memory_size, WW_MIB);
    cr_assert_eq(h->park->guest_phys_addr, 0);
    cr_assert_eq(h->park->ept, h->memories, "the VM walks the host's EPT");
    cr_assert_eq(h->brain->vm, h->park);
    cr_assert_eq(h->memories->guest_size, WW_MIB);
    cr_assert_eq(h->voice->base, SERIAL_COM1_BASE);
    cr_assert_eq(h->brain->regs.rflags & WW_RFLAGS_FIXED, WW_RFLAGS_FIXED);
    ford_retires_host(h);
}

Test(host, refuses_impossible_sizes, .timeout = UT_TIMEOUT)
{
    ut_alloc_reset();
    cr_assert_null(ford_creates_host(0));
    cr_assert_null(ford_creates_host(SIZE_MAX), "SIZE_MAX MiB");
    cr_assert_null(ford_creates_host(SIZE_MAX / WW_MIB + 1),
                   "does not fit in size_t");
    if (SIZE_MAX / WW_MIB > EPT_MAX_GPA / WW_MIB)
        cr_assert_null(ford_creates_host((size_t)(EPT_MAX_GPA / WW_MIB) + 1),
                       "passes EPT_MAX_GPA");
    expect_nothing_live("refused sizes");
}

Test(host, four_gib_guest_is_cheap, .timeout = UT_TIMEOUT)
{
    WestworldHost *h = host_with(4096, hi_guest, sizeof(hi_guest),
                                 UT_LOAD_ADDR);

    cr_assert_eq(h->park->memory_size, 4096ull * WW_MIB);
    cr_assert_leq(h->memories->tables, 4,
                  "an EPT for 4 GiB must not be built up front: %zu tables",
                  h->memories->tables);
    /* the last byte of guest memory is there */
    cr_assert_eq(ford_implants_memories(h, hi_guest, 1,
                                        4096ull * WW_MIB - 1), 0);
    ford_retires_host(h);
}

/* ---- ford_implants_memories ---- */

Test(host, implant_bounds, .timeout = UT_TIMEOUT)
{
    WestworldHost *h = ford_creates_host(1);
    static const uint8_t code[4] = {0xf4, 0xf4, 0xf4, 0xf4};
    uint8_t *mem;

    cr_assert_not_null(h);
    mem = h->park->guest_memory;
    cr_assert_eq(ford_implants_memories(NULL, code, 4, 0), -1);
    cr_assert_eq(ford_implants_memories(h, NULL, 4, 0), -1);
    cr_assert_eq(ford_implants_memories(h, code, 0, 0), -1);
    cr_assert_eq(ford_implants_memories(h, code, 4, WW_MIB - 3), -1,
                 "one byte past the end");
    cr_assert_eq(mem[WW_MIB - 3], 0, "a refused implant copies nothing");
    cr_assert_eq(mem[WW_MIB - 1], 0, "a refused implant copies nothing");
    cr_assert_eq(ford_implants_memories(h, code, 4, WW_MIB), -1);
    cr_assert_eq(ford_implants_memories(h, code, 4, UINT64_MAX - 1), -1,
                 "addr + size overflows");
    cr_assert_eq(ford_implants_memories(h, code, SIZE_MAX, 2), -1,
                 "addr + size overflows");
    cr_assert_eq(ford_implants_memories(h, code, 4, WW_MIB - 4), 0,
                 "ends exactly at the end of guest memory");
    cr_assert_eq(memcmp(mem + WW_MIB - 4, code, 4), 0);
    ford_retires_host(h);
}

Test(host, implant_sets_the_entry_point, .timeout = UT_TIMEOUT)
{
    WestworldHost *h = ford_creates_host(1);
    static const uint8_t code[] = {0xb0, 0x2a, 0xf4};

    cr_assert_not_null(h);
    cr_assert_eq(ford_implants_memories(h, code, sizeof(code), 0x1234), 0);
    cr_assert_eq(h->brain->regs.rip, 0x1234);
    cr_assert_eq(h->brain->sregs.cs.base, 0);
    cr_assert_not(h->brain->halted);
    cr_assert_eq(memcmp(h->park->guest_memory + 0x1234, code, sizeof(code)),
                 0);
    cr_assert_eq(dolores_wakes_up(h), 0);
    cr_assert(h->brain->halted);
    cr_assert_eq(h->brain->regs.rax & 0xff, 0x2a);

    /* a new implant is a new entry point: the host runs again */
    cr_assert_eq(ford_implants_memories(h, code, sizeof(code), 0x2000), 0);
    cr_assert_not(h->brain->halted);
    cr_assert_eq(h->brain->regs.rip, 0x2000);
    h->conscious = true;
    cr_assert_eq(dolores_wakes_up(h), 0);
    cr_assert_eq(h->brain->regs.rip, 0x2003);
    ford_retires_host(h);
}

/* ---- dolores_wakes_up ---- */

Test(host, hi_guest_prints_hi, .init = redirect_stdout,
     .timeout = UT_TIMEOUT)
{
    WestworldHost *h = host_with(1, hi_guest, sizeof(hi_guest), 0x7c00);
    size_t len;
    char *out;

    cr_assert_eq(dolores_wakes_up(h), 0);
    cr_assert_not(h->conscious);
    cr_assert_eq(h->brain->exits, 5, "4 IO + 1 HLT, got %llu",
                 (unsigned long long)h->brain->exits);
    cr_assert_eq(h->brain->regs.rip, 0x7c10);
    cr_assert_eq(h->voice->tx_bytes, 4);
    ford_retires_host(h);
    out = captured_stdout(&len);
    cr_assert(mem_contains(out, len, "Hi!\n", 4),
              "stdout does not contain \"Hi!\\n\": \"%s\"", out);
    free(out);
}

Test(host, halt_returns_zero, .timeout = UT_TIMEOUT)
{
    static const uint8_t code[] = {0xf4};
    WestworldHost *h = host_with(1, code, sizeof(code), 0x7c00);

    cr_assert_eq(dolores_wakes_up(h), 0);
    cr_assert_not(h->conscious);
    cr_assert_eq(h->brain->kvm_run->exit_reason, KVM_EXIT_HLT);
    ford_retires_host(h);
}

Test(host, fatal_exits_return_minus_one, .timeout = UT_TIMEOUT)
{
    static const uint8_t int3[] = {0xcc};
    static const uint8_t mov_al[] = {0xb0};
    static const uint8_t hlt[] = {0xf4};
    WestworldHost *h;

    h = host_with(1, int3, sizeof(int3), 0x7c00);
    cr_assert_eq(dolores_wakes_up(h), -1, "SHUTDOWN");
    cr_assert_not(h->conscious);
    cr_assert_eq(h->brain->kvm_run->exit_reason, KVM_EXIT_SHUTDOWN);
    ford_retires_host(h);

    h = host_with(1, mov_al, sizeof(mov_al), WW_MIB - 1);
    cr_assert_eq(dolores_wakes_up(h), -1, "INTERNAL_ERROR");
    cr_assert_not(h->conscious);
    cr_assert_eq(h->brain->kvm_run->exit_reason, KVM_EXIT_INTERNAL_ERROR);
    ford_retires_host(h);

    h = host_with(1, hlt, sizeof(hlt), 0x7c00);
    h->brain->regs.rflags = 0;
    cr_assert_eq(dolores_wakes_up(h), -1, "FAIL_ENTRY");
    cr_assert_not(h->conscious);
    cr_assert_eq(h->brain->kvm_run->exit_reason, KVM_EXIT_FAIL_ENTRY);
    ford_retires_host(h);

    cr_assert_eq(dolores_wakes_up(NULL), -1);
}

Test(host, a_host_not_conscious_does_not_run, .timeout = UT_TIMEOUT)
{
    static const uint8_t code[] = {0xb0, 0x01, 0xf4};
    WestworldHost *h = host_with(1, code, sizeof(code), 0x7c00);

    h->conscious = false;
    cr_assert_eq(dolores_wakes_up(h), -1);
    cr_assert_not(h->conscious);
    cr_assert_eq(h->brain->regs.rip, 0x7c00, "nothing ran");
    cr_assert_eq(h->brain->instructions, 0);
    cr_assert_eq(h->brain->exits, 0);
    ford_retires_host(h);
}

Test(host, in_from_other_ports_reads_ff, .init = redirect_stdout,
     .timeout = UT_TIMEOUT)
{
    static const uint8_t code[] = {
        0xe4, 0x60,             /* in al, 0x60 */
        0xba, 0xf8, 0x03,       /* mov dx, 0x3f8 */
        0xee,                   /* out dx, al */
        0xe6, 0x80,             /* out 0x80, al: dropped */
        0xf4
    };
    WestworldHost *h = host_with(1, code, sizeof(code), 0x7c00);
    size_t len;
    char *out;

    cr_assert_eq(dolores_wakes_up(h), 0);
    cr_assert_eq(h->brain->regs.rax & 0xff, 0xff);
    cr_assert_eq(h->voice->tx_bytes, 1);
    ford_retires_host(h);
    out = captured_stdout(&len);
    cr_assert(mem_contains(out, len, "\xff", 1));
    free(out);
}

Test(host, guest_reads_lsr_and_scratch, .init = redirect_stdout,
     .timeout = UT_TIMEOUT)
{
    static const uint8_t code[] = {
        0xba, 0xfd, 0x03,       /* mov dx, 0x3fd (LSR) */
        0xec,                   /* in al, dx */
        0xa2, 0x00, 0x05,       /* mov [0x500], al */
        0xba, 0xff, 0x03,       /* mov dx, 0x3ff (SCR) */
        0xb0, 0x5c,             /* mov al, 0x5c */
        0xee,                   /* out dx, al */
        0xb0, 0x00,             /* mov al, 0 */
        0xec,                   /* in al, dx */
        0xf4
    };
    WestworldHost *h = host_with(1, code, sizeof(code), 0x7c00);
    size_t len;
    char *out;

    cr_assert_eq(dolores_wakes_up(h), 0);
    cr_assert_eq(h->park->guest_memory[0x500],
                 UART_LSR_THRE | UART_LSR_TEMT);
    cr_assert_eq(h->brain->regs.rax & 0xff, 0x5c);
    cr_assert_eq(h->voice->tx_bytes, 0);
    ford_retires_host(h);
    out = captured_stdout(&len);
    cr_assert_not(mem_contains(out, len, "\x5c", 1),
                  "a scratch write is not output");
    free(out);
}

Test(host, mmio_reads_ff_and_writes_are_dropped, .timeout = UT_TIMEOUT)
{
    static const uint8_t code[] = {
        0xb8, 0xff, 0xff,       /* mov ax, 0xffff */
        0x8e, 0xd8,             /* mov ds, ax */
        0xb0, 0x00,             /* mov al, 0 */
        0xa0, 0x10, 0x00,       /* mov al, [0x10]: 0x100000, MMIO */
        0xa2, 0x20, 0x00,       /* mov [0x20], al: 0x100010, MMIO */
        0xf4
    };
    WestworldHost *h = host_with(1, code, sizeof(code), 0x7c00);

    cr_assert_eq(dolores_wakes_up(h), 0);
    cr_assert_eq(h->brain->regs.rax, 0xffff, "the MMIO read gave 0xff");
    cr_assert_eq(h->brain->exits, 3);
    ford_retires_host(h);
}

/* ---- ford_says_freeze ---- */

Test(host, says_freeze, .timeout = UT_TIMEOUT)
{
    WestworldHost *h = ford_creates_host(1);
    KvmRun run;

    cr_assert_not_null(h);
    memset(&run, 0, sizeof(run));
    run.exit_reason = KVM_EXIT_HLT;
    ford_says_freeze(NULL, &run);
    ford_says_freeze(h, NULL);
    cr_assert(h->conscious);
    ford_says_freeze(h, &run);
    cr_assert_not(h->conscious, "HLT freezes the host");

    h->conscious = true;
    run.exit_reason = KVM_EXIT_SHUTDOWN;
    ford_says_freeze(h, &run);
    cr_assert_not(h->conscious, "SHUTDOWN freezes the host");

    h->conscious = true;
    run.exit_reason = KVM_EXIT_FAIL_ENTRY;
    ford_says_freeze(h, &run);
    cr_assert_not(h->conscious);

    h->conscious = true;
    run.exit_reason = KVM_EXIT_INTERNAL_ERROR;
    ford_says_freeze(h, &run);
    cr_assert_not(h->conscious);
    ford_retires_host(h);
}

Test(host, says_freeze_answers_io_in, .timeout = UT_TIMEOUT)
{
    WestworldHost *h = ford_creates_host(1);
    KvmRun *run;
    uint8_t *data;

    cr_assert_not_null(h);
    run = h->brain->kvm_run;
    run->exit_reason = KVM_EXIT_IO;
    run->io.direction = KVM_EXIT_IO_IN;
    run->io.size = 1;
    run->io.count = 1;
    run->io.port = SERIAL_COM1_BASE + UART_LSR;
    run->io.data_offset = KVM_PIO_PAGE_OFFSET * WW_PAGE_SIZE;
    data = (uint8_t *)run + run->io.data_offset;
    *data = 0;
    ford_says_freeze(h, run);
    cr_assert_eq(*data, UART_LSR_THRE | UART_LSR_TEMT);
    cr_assert(h->conscious, "an IO exit does not freeze");

    run->io.port = 0x1234;
    ford_says_freeze(h, run);
    cr_assert_eq(*data, 0xff);
    ford_retires_host(h);
}

/* ---- ford_retires_host and allocation failures ---- */

Test(host, retire_null, .timeout = UT_TIMEOUT)
{
    ford_retires_host(NULL);
}

Test(host, lifecycle_leaves_nothing, .init = redirect_stdout,
     .timeout = UT_TIMEOUT)
{
    WestworldHost *h;

    ut_alloc_reset();
    h = host_with(1, hi_guest, sizeof(hi_guest), 0x7c00);
    cr_assert_eq(dolores_wakes_up(h), 0);
    ford_retires_host(h);
    expect_nothing_live("create, implant, run, retire");
}

Test(host, every_allocation_failure_of_creation, .timeout = UT_TIMEOUT)
{
    WestworldHost *h;
    unsigned long n, k;

    ut_alloc_reset();
    h = ford_creates_host(1);
    cr_assert_not_null(h);
    n = ut_alloc_count();
    ford_retires_host(h);
    expect_nothing_live("clean create + retire");
    /* the guest memory and the kvm_run pages at least */
    cr_assert_geq(n, 2, "only %lu allocations for a whole host", n);

    for (k = 1; k <= n; k++) {
        ut_alloc_reset();
        ut_alloc_fail_at(k);
        h = ford_creates_host(1);
        cr_assert(ut_alloc_failed(), "allocation %lu never happened", k);
        cr_assert_null(h, "allocation %lu of %lu failed but a host came back",
                       k, n);
        expect_nothing_live("after a failed ford_creates_host");
    }
}

Test(host, every_allocation_failure_of_a_run, .init = redirect_stdout,
     .timeout = UT_TIMEOUT)
{
    WestworldHost *h;
    unsigned long made, n, k;

    /* the allocations of the run alone (EPT tables built on first touch) */
    ut_alloc_reset();
    h = host_with(1, hi_guest, sizeof(hi_guest), 0x7c00);
    made = ut_alloc_count();
    cr_assert_eq(dolores_wakes_up(h), 0);
    n = ut_alloc_count() - made;
    ford_retires_host(h);

    for (k = 1; k <= n; k++) {
        ut_alloc_reset();
        h = host_with(1, hi_guest, sizeof(hi_guest), 0x7c00);
        ut_alloc_fail_at(k);
        cr_assert_eq(dolores_wakes_up(h), -1,
                     "allocation %lu of %lu failed in the run", k, n);
        cr_assert(ut_alloc_failed());
        cr_assert_not(h->conscious);
        ut_alloc_fail_at(0);
        ford_retires_host(h);
        expect_nothing_live("after a run that could not build its EPT");
    }
}
