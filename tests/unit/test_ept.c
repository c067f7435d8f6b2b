/* test_ept.c - unit tests of the EPT: lazy 4-level build, translation, permissions, violations */
#include "alloc_shim.h"
#include "fixtures.h"

#include <criterion/criterion.h>

#define GIB (1ull << 30)
#define BIG_GUEST (1ull << 40)      /* room for a page 512 GiB away */

/* host pages for the mappings: page aligned, not the EPT's */
static _Alignas(4096) uint8_t g_pages[4][4096];

Test(ept, create_refuses_zero_and_too_large, .timeout = UT_TIMEOUT)
{
    EptContext *ept;

    cr_assert_null(ept_create(0));
    cr_assert_null(ept_create(EPT_MAX_GPA + 1));
    ept = ept_create(EPT_MAX_GPA);
    cr_assert_not_null(ept, "EPT_MAX_GPA itself is not larger than the limit");
    ept_destroy(ept);
}

Test(ept, fresh_context, .timeout = UT_TIMEOUT)
{
    EptContext *ept = ept_create(WW_MIB);

    cr_assert_not_null(ept);
    cr_assert_not_null(ept->pml4);
    cr_assert_eq((uintptr_t)ept->pml4 % WW_PAGE_SIZE, 0,
                 "the PML4 must be page aligned");
    cr_assert_eq(ept->guest_size, WW_MIB);
    cr_assert_eq(ept->tables, 1, "a fresh EPT is its PML4 only");
    cr_assert_eq(ept->violations, 0);
    ept_destroy(ept);
}

Test(ept, lazy_build_counts_tables, .timeout = UT_TIMEOUT)
{
    EptContext *ept = ept_create(BIG_GUEST);

    cr_assert_not_null(ept);
    cr_assert_eq(ept->tables, 1);

    cr_assert_eq(ept_map(ept, 0x1000, g_pages[0], EPT_RWX), 0);
    cr_assert_eq(ept->tables, 4, "first page: PDPT + PD + PT, got %zu",
                 ept->tables);

    cr_assert_eq(ept_map(ept, 0x1ff000, g_pages[1], EPT_RWX), 0);
    cr_assert_eq(ept->tables, 4, "same 2 MiB: no new table, got %zu",
                 ept->tables);

    cr_assert_eq(ept_map(ept, 0x200000, g_pages[1], EPT_RWX), 0);
    cr_assert_eq(ept->tables, 5, "next 2 MiB: one PT, got %zu", ept->tables);

    cr_assert_eq(ept_map(ept, GIB + 0x1000, g_pages[2], EPT_RWX), 0);
    cr_assert_eq(ept->tables, 7, "1 GiB away: PD + PT, got %zu",
                 ept->tables);

    cr_assert_eq(ept_map(ept, 512 * GIB + 0x1000, g_pages[3], EPT_RWX), 0);
    cr_assert_eq(ept->tables, 10, "512 GiB away: PDPT + PD + PT, got %zu",
                 ept->tables);

    /* a remap builds nothing */
    cr_assert_eq(ept_map(ept, 0x1000, g_pages[3], EPT_READ), 0);
    cr_assert_eq(ept->tables, 10);
    ept_destroy(ept);
}

Test(ept, one_mib_needs_four_tables, .timeout = UT_TIMEOUT)
{
    EptContext *ept = ept_create(WW_MIB);
    uint64_t gpa;

    cr_assert_not_null(ept);
    for (gpa = 0; gpa < WW_MIB; gpa += WW_PAGE_SIZE)
        cr_assert_eq(ept_map(ept, gpa, g_pages[gpa / WW_PAGE_SIZE % 4],
                             EPT_RWX), 0);
    cr_assert_eq(ept->tables, 4, "1 MiB fits one PT: got %zu tables",
                 ept->tables);
    ept_destroy(ept);
}

Test(ept, translate_adds_the_offset, .timeout = UT_TIMEOUT)
{
    EptContext *ept = ept_create(BIG_GUEST);

    cr_assert_not_null(ept);
    cr_assert_eq(ept_map(ept, 0x7c00, g_pages[0], EPT_RWX), 0);
    cr_assert_eq(ept_map(ept, 512 * GIB + 0x3000, g_pages[1], EPT_RWX), 0);

    cr_assert_eq(ept_translate(ept, 0x7000, EPT_READ), g_pages[0]);
    cr_assert_eq(ept_translate(ept, 0x7c00, EPT_READ), g_pages[0] + 0xc00);
    cr_assert_eq(ept_translate(ept, 0x7fff, EPT_WRITE), g_pages[0] + 0xfff);
    cr_assert_eq(ept_translate(ept, 0x7123, EPT_EXEC), g_pages[0] + 0x123);
    cr_assert_eq(ept_translate(ept, 512 * GIB + 0x3abc, EPT_READ),
                 g_pages[1] + 0xabc);
    cr_assert_eq(ept->violations, 0);
    ept_destroy(ept);
}

Test(ept, read_only_page_refuses_write_and_fetch, .timeout = UT_TIMEOUT)
{
    EptContext *ept = ept_create(WW_MIB);

    cr_assert_not_null(ept);
    cr_assert_eq(ept_map(ept, 0x5000, g_pages[0], EPT_READ), 0);

    cr_assert_eq(ept_translate(ept, 0x5010, EPT_READ), g_pages[0] + 0x10);
    cr_assert_eq(ept->violations, 0);

    cr_assert_null(ept_translate(ept, 0x5020, EPT_WRITE));
    cr_assert_eq(ept->violations, 1);
    cr_assert_eq(ept->last_violation_gpa, 0x5020);
    cr_assert_eq(ept->last_violation_qual,
                 EPT_QUAL_WRITE | (EPT_READ << 3),
                 "write to an R page: qual 0x%x", ept->last_violation_qual);

    cr_assert_null(ept_translate(ept, 0x5ffe, EPT_EXEC));
    cr_assert_eq(ept->violations, 2);
    cr_assert_eq(ept->last_violation_gpa, 0x5ffe);
    cr_assert_eq(ept->last_violation_qual,
                 EPT_QUAL_FETCH | (EPT_READ << 3),
                 "fetch from an R page: qual 0x%x", ept->last_violation_qual);
    ept_destroy(ept);
}

Test(ept, found_permissions_in_qualification, .timeout = UT_TIMEOUT)
{
    EptContext *ept = ept_create(WW_MIB);

    cr_assert_not_null(ept);
    cr_assert_eq(ept_map(ept, 0x1000, g_pages[0], EPT_READ | EPT_EXEC), 0);
    cr_assert_null(ept_translate(ept, 0x1004, EPT_WRITE));
    cr_assert_eq(ept->last_violation_qual,
                 EPT_QUAL_WRITE | ((EPT_READ | EPT_EXEC) << 3));

    cr_assert_eq(ept_map(ept, 0x2000, g_pages[1], EPT_READ | EPT_WRITE), 0);
    cr_assert_null(ept_translate(ept, 0x2000, EPT_EXEC));
    cr_assert_eq(ept->last_violation_qual,
                 EPT_QUAL_FETCH | ((EPT_READ | EPT_WRITE) << 3));

    cr_assert_eq(ept_map(ept, 0x3000, g_pages[2], EPT_EXEC), 0);
    cr_assert_null(ept_translate(ept, 0x3000, EPT_READ));
    cr_assert_eq(ept->last_violation_qual,
                 EPT_QUAL_READ | (EPT_EXEC << 3));
    cr_assert_eq(ept->violations, 3);
    ept_destroy(ept);
}

Test(ept, not_present_has_no_found_bits, .timeout = UT_TIMEOUT)
{
    EptContext *ept = ept_create(BIG_GUEST);

    cr_assert_not_null(ept);
    /* nothing built at all */
    cr_assert_null(ept_translate(ept, 0x4000, EPT_READ));
    cr_assert_eq(ept->violations, 1);
    cr_assert_eq(ept->last_violation_gpa, 0x4000);
    cr_assert_eq(ept->last_violation_qual, EPT_QUAL_READ);

    /* the PT exists, this page of it does not */
    cr_assert_eq(ept_map(ept, 0x1000, g_pages[0], EPT_RWX), 0);
    cr_assert_null(ept_translate(ept, 0x2008, EPT_WRITE));
    cr_assert_eq(ept->violations, 2);
    cr_assert_eq(ept->last_violation_gpa, 0x2008);
    cr_assert_eq(ept->last_violation_qual, EPT_QUAL_WRITE);

    /* PML4 entry present, PDPT entry not */
    cr_assert_null(ept_translate(ept, 3 * GIB, EPT_EXEC));
    cr_assert_eq(ept->violations, 3);
    cr_assert_eq(ept->last_violation_gpa, 3 * GIB);
    cr_assert_eq(ept->last_violation_qual, EPT_QUAL_FETCH);

    cr_assert_eq(ept->tables, 4, "a translation must not build tables");
    ept_destroy(ept);
}

Test(ept, remap_changes_page_and_permissions, .timeout = UT_TIMEOUT)
{
    EptContext *ept = ept_create(WW_MIB);

    cr_assert_not_null(ept);
    cr_assert_eq(ept_map(ept, 0x9000, g_pages[0], EPT_RWX), 0);
    cr_assert_eq(ept_translate(ept, 0x9042, EPT_WRITE), g_pages[0] + 0x42);
    cr_assert_eq(ept_map(ept, 0x9000, g_pages[1], EPT_READ), 0);
    cr_assert_eq(ept_translate(ept, 0x9042, EPT_READ), g_pages[1] + 0x42);
    cr_assert_null(ept_translate(ept, 0x9042, EPT_WRITE));
    cr_assert_eq(ept->tables, 4);
    ept_destroy(ept);
}

Test(ept, set_permissions, .timeout = UT_TIMEOUT)
{
    EptContext *ept = ept_create(WW_MIB);

    cr_assert_not_null(ept);
    cr_assert_eq(ept_set_permissions(ept, 0x6000, EPT_READ), -1,
                 "the page is not mapped");
    cr_assert_eq(ept_map(ept, 0x6000, g_pages[0], EPT_RWX), 0);
    cr_assert_eq(ept_set_permissions(ept, 0x6abc, EPT_READ), 0,
                 "any gpa inside the page names it");
    cr_assert_null(ept_translate(ept, 0x6000, EPT_WRITE));
    cr_assert_eq(ept_translate(ept, 0x6000, EPT_READ), g_pages[0]);
    cr_assert_eq(ept_set_permissions(ept, 0x6000, EPT_READ | EPT_WRITE), 0);
    cr_assert_eq(ept_translate(ept, 0x6001, EPT_WRITE), g_pages[0] + 1);

    /* invalid permissions change nothing */
    cr_assert_eq(ept_set_permissions(ept, 0x6000, 0), -1);
    cr_assert_eq(ept_set_permissions(ept, 0x6000, 0x8), -1);
    cr_assert_eq(ept_set_permissions(ept, 0x6000, EPT_RWX | 0x8), -1);
    cr_assert_eq(ept_translate(ept, 0x6001, EPT_WRITE), g_pages[0] + 1);
    cr_assert_null(ept_translate(ept, 0x6001, EPT_EXEC));

    cr_assert_eq(ept_set_permissions(ept, 0x7000, EPT_READ), -1,
                 "same PT, page not mapped");
    cr_assert_eq(ept_set_permissions(NULL, 0x6000, EPT_READ), -1);
    ept_destroy(ept);
}

Test(ept, map_refuses_bad_arguments, .timeout = UT_TIMEOUT)
{
    EptContext *ept = ept_create(WW_MIB);

    cr_assert_not_null(ept);
    cr_assert_eq(ept_map(NULL, 0, g_pages[0], EPT_RWX), -1);
    cr_assert_eq(ept_map(ept, EPT_MAX_GPA, g_pages[0], EPT_RWX), -1);
    cr_assert_eq(ept_map(ept, EPT_MAX_GPA + 0x1000, g_pages[0], EPT_RWX), -1);
    cr_assert_eq(ept_map(ept, UINT64_MAX, g_pages[0], EPT_RWX), -1);
    cr_assert_eq(ept_map(ept, 0, NULL, EPT_RWX), -1);
    cr_assert_eq(ept_map(ept, 0, g_pages[0] + 1, EPT_RWX), -1,
                 "hva not page aligned");
    cr_assert_eq(ept_map(ept, 0, g_pages[0] + 2048, EPT_RWX), -1,
                 "hva not page aligned");
    cr_assert_eq(ept_map(ept, 0, g_pages[0], 0), -1);
    cr_assert_eq(ept_map(ept, 0, g_pages[0], 0x8), -1);
    cr_assert_eq(ept_map(ept, 0, g_pages[0], EPT_RWX | 0x10), -1);
    cr_assert_eq(ept->tables, 1, "a refused map builds nothing");
    cr_assert_null(ept_translate(ept, 0, EPT_READ));

    /* the last page below EPT_MAX_GPA is fine */
    cr_assert_eq(ept_map(ept, EPT_MAX_GPA - 1, g_pages[0], EPT_READ), 0);
    cr_assert_eq(ept_translate(ept, EPT_MAX_GPA - 1, EPT_READ),
                 g_pages[0] + 0xfff);
    cr_assert_null(ept_translate(ept, EPT_MAX_GPA, EPT_READ));
    ept_destroy(ept);
}

Test(ept, null_context, .timeout = UT_TIMEOUT)
{
    cr_assert_null(ept_translate(NULL, 0, EPT_READ));
    ept_destroy(NULL);
}

Test(ept, destroy_releases_every_table, .timeout = UT_TIMEOUT)
{
    EptContext *ept;

    ut_alloc_reset();
    ept = ept_create(BIG_GUEST);
    cr_assert_not_null(ept);
    cr_assert_eq(ept_map(ept, 0, g_pages[0], EPT_RWX), 0);
    cr_assert_eq(ept_map(ept, GIB, g_pages[1], EPT_RWX), 0);
    cr_assert_eq(ept_map(ept, 512 * GIB, g_pages[2], EPT_RWX), 0);
    cr_assert_eq(ept->tables, 9);
    ept_destroy(ept);
    cr_assert_eq(ut_alloc_live_blocks(), 0, "%ld blocks left",
                 ut_alloc_live_blocks());
    cr_assert_eq(ut_alloc_live_maps(), 0, "%ld mappings left",
                 ut_alloc_live_maps());
}

Test(ept, create_allocation_failures, .timeout = UT_TIMEOUT)
{
    unsigned long n, k;
    EptContext *ept;

    ut_alloc_reset();
    ept = ept_create(WW_MIB);
    cr_assert_not_null(ept);
    ept_destroy(ept);
    n = ut_alloc_count();
    cr_assert_gt(n, 0);
    for (k = 1; k <= n; k++) {
        ut_alloc_reset();
        ut_alloc_fail_at(k);
        ept = ept_create(WW_MIB);
        cr_assert_null(ept, "allocation %lu of %lu failed: NULL expected", k,
                       n);
        cr_assert_eq(ut_alloc_live_blocks(), 0, "k=%lu: blocks leaked", k);
        cr_assert_eq(ut_alloc_live_maps(), 0, "k=%lu: mappings leaked", k);
    }
}

Test(ept, map_allocation_failures, .timeout = UT_TIMEOUT)
{
    unsigned long n, k;
    EptContext *ept;

    ut_alloc_reset();
    ept = ept_create(WW_MIB);
    cr_assert_not_null(ept);
    n = ut_alloc_count();
    cr_assert_eq(ept_map(ept, 0x1000, g_pages[0], EPT_RWX), 0);
    n = ut_alloc_count() - n;
    ept_destroy(ept);
    cr_assert_gt(n, 0, "building three tables allocates");

    for (k = 1; k <= n; k++) {
        ut_alloc_reset();
        ept = ept_create(WW_MIB);
        cr_assert_not_null(ept);
        ut_alloc_fail_at(k);
        cr_assert_eq(ept_map(ept, 0x1000, g_pages[0], EPT_RWX), -1,
                     "allocation %lu of %lu failed: -1 expected", k, n);
        cr_assert(ut_alloc_failed());
        cr_assert_null(ept_translate(ept, 0x1000, EPT_READ));
        cr_assert_leq(ept->tables, 3, "k=%lu: %zu tables", k, ept->tables);
        /* the tables already built stay valid: a retry completes them */
        cr_assert_eq(ept_map(ept, 0x1000, g_pages[0], EPT_RWX), 0);
        cr_assert_eq(ept->tables, 4);
        cr_assert_eq(ept_translate(ept, 0x1008, EPT_WRITE), g_pages[0] + 8);
        ept_destroy(ept);
        cr_assert_eq(ut_alloc_live_blocks(), 0, "k=%lu: blocks leaked", k);
        cr_assert_eq(ut_alloc_live_maps(), 0, "k=%lu: mappings leaked", k);
    }
}
