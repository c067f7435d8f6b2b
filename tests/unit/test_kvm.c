/* test_kvm.c - unit tests of the device, the VM and its memory slot, the vCPU's creation */
#define _DEFAULT_SOURCE
#include "alloc_shim.h"
#include "fixtures.h"

#include <criterion/criterion.h>
#include <string.h>
#include <sys/mman.h>

static KvmDevice *g_kvm;
static KvmVm *g_vm;

static void open_vm(void)
{
    g_kvm = kvm_open();
    cr_assert_not_null(g_kvm);
    g_vm = kvm_create_vm(g_kvm);
    cr_assert_not_null(g_vm);
}

static void close_vm(void)
{
    kvm_destroy_vm(g_vm);
    kvm_close(g_kvm);
}

Test(kvm, open_gives_api_12_and_unique_fds, .timeout = UT_TIMEOUT)
{
    KvmDevice *a = kvm_open();
    KvmDevice *b = kvm_open();

    cr_assert_not_null(a);
    cr_assert_not_null(b);
    cr_assert_eq(a->api_version, KVM_API_VERSION);
    cr_assert_eq(a->api_version, 12);
    cr_assert_gt(a->fd, 0);
    cr_assert_gt(b->fd, 0);
    cr_assert_neq(a->fd, b->fd);
    kvm_close(b);
    kvm_close(a);
}

Test(kvm, create_vm, .timeout = UT_TIMEOUT)
{
    KvmDevice *kvm = kvm_open();
    KvmVm *vm;

    cr_assert_not_null(kvm);
    cr_assert_null(kvm_create_vm(NULL));
    vm = kvm_create_vm(kvm);
    cr_assert_not_null(vm);
    cr_assert_eq(vm->kvm, kvm);
    cr_assert_gt(vm->fd, 0);
    cr_assert_neq(vm->fd, kvm->fd);
    cr_assert_eq(vm->memory_size, 0, "no slot yet");
    cr_assert_null(vm->ept);
    kvm_destroy_vm(vm);
    kvm_close(kvm);
}

Test(kvm, memory_region_mapped_by_the_vm, .init = open_vm, .fini = close_vm,
     .timeout = UT_TIMEOUT)
{
    cr_assert_eq(kvm_set_user_memory_region(g_vm, 0, 0, WW_MIB, NULL), 0);
    cr_assert_eq(g_vm->slot, 0);
    cr_assert_eq(g_vm->guest_phys_addr, 0);
    cr_assert_eq(g_vm->memory_size, WW_MIB);
    cr_assert_not_null(g_vm->guest_memory);
    cr_assert(g_vm->owns_memory);
    g_vm->guest_memory[0] = 0x11;
    g_vm->guest_memory[WW_MIB - 1] = 0x22;
    cr_assert_eq(g_vm->guest_memory[0], 0x11);
    cr_assert_eq(g_vm->guest_memory[WW_MIB / 2], 0, "fresh memory is zero");
}

Test(kvm, memory_region_refusals_change_nothing, .init = open_vm,
     .fini = close_vm, .timeout = UT_TIMEOUT)
{
    cr_assert_eq(kvm_set_user_memory_region(NULL, 0, 0, WW_MIB, NULL), -1);
    cr_assert_eq(kvm_set_user_memory_region(g_vm, 1, 0, WW_MIB, NULL), -1,
                 "slot 1");
    cr_assert_eq(kvm_set_user_memory_region(g_vm, 0, 0, 0, NULL), -1,
                 "size 0");
    cr_assert_eq(kvm_set_user_memory_region(g_vm, 0, 0, 1000, NULL), -1,
                 "size not a multiple of 4 KiB");
    cr_assert_eq(kvm_set_user_memory_region(g_vm, 0, 0, WW_MIB + 1, NULL),
                 -1, "size not a multiple of 4 KiB");
    cr_assert_eq(kvm_set_user_memory_region(g_vm, 0, 0x800, WW_MIB, NULL),
                 -1, "guest address not a multiple of 4 KiB");
    cr_assert_eq(kvm_set_user_memory_region(g_vm, 0, UINT64_MAX & ~0xfffull,
                                            0x2000, NULL), -1,
                 "guest_addr + size overflows");
    cr_assert_eq(kvm_set_user_memory_region(g_vm, 0, EPT_MAX_GPA - 0x1000,
                                            0x2000, NULL), -1,
                 "passes EPT_MAX_GPA");
    cr_assert_eq(kvm_set_user_memory_region(g_vm, 0, EPT_MAX_GPA, 0x1000,
                                            NULL), -1, "starts at EPT_MAX_GPA");
    cr_assert_eq(g_vm->memory_size, 0, "a refusal sets no slot");
    cr_assert_null(g_vm->guest_memory);

    /* after all that, the slot can still be set, once */
    cr_assert_eq(kvm_set_user_memory_region(g_vm, 0, 0, 0x4000, NULL), 0);
    cr_assert_eq(kvm_set_user_memory_region(g_vm, 0, 0, 0x8000, NULL), -1,
                 "the slot is already set");
    cr_assert_eq(g_vm->memory_size, 0x4000);
}

Test(kvm, memory_region_reaching_ept_max_gpa, .init = open_vm,
     .fini = close_vm, .timeout = UT_TIMEOUT)
{
    /* the last page below the EPT's reach: no overflow, allowed */
    cr_assert_eq(kvm_set_user_memory_region(g_vm, 0, EPT_MAX_GPA - 0x1000,
                                            0x1000, NULL), 0);
    cr_assert_eq(g_vm->guest_phys_addr, EPT_MAX_GPA - 0x1000);
}

Test(kvm, memory_region_of_the_caller_is_left_alone, .timeout = UT_TIMEOUT)
{
    KvmDevice *kvm = kvm_open();
    KvmVm *vm;
    size_t size = 16 * WW_PAGE_SIZE;
    uint8_t *mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    cr_assert_neq(mem, MAP_FAILED);
    cr_assert_not_null(kvm);
    vm = kvm_create_vm(kvm);
    cr_assert_not_null(vm);
    cr_assert_eq(kvm_set_user_memory_region(vm, 0, 0, size - WW_PAGE_SIZE,
                                            mem + 8), -1,
                 "host_addr not page aligned");
    cr_assert_eq(kvm_set_user_memory_region(vm, 0, 0, size - WW_PAGE_SIZE,
                                            mem + 2048), -1,
                 "host_addr not page aligned");
    cr_assert_eq(vm->memory_size, 0);
    ut_alloc_reset();
    cr_assert_eq(kvm_set_user_memory_region(vm, 0, 0, size, mem), 0);
    cr_assert_eq(vm->guest_memory, mem);
    cr_assert_not(vm->owns_memory);
    cr_assert_eq(ut_alloc_live_maps(), 0, "the caller's memory is mapped");
    kvm_destroy_vm(vm);
    cr_assert_eq(ut_alloc_live_maps(), 0, "nothing unmapped");
    /* still mapped: a munmap by the VM would make this crash */
    mem[0] = 1;
    mem[size - 1] = 2;
    kvm_close(kvm);
    cr_assert_eq(munmap(mem, size), 0);
}

Test(kvm, four_gib_slot_is_lazily_backed, .init = open_vm, .fini = close_vm,
     .timeout = UT_TIMEOUT)
{
    uint64_t size = 4096ull * WW_MIB;

    cr_assert_eq(kvm_set_user_memory_region(g_vm, 0, 0, size, NULL), 0);
    cr_assert_eq(g_vm->memory_size, size);
    g_vm->guest_memory[size - 1] = 0x42;
    cr_assert_eq(g_vm->guest_memory[size - 1], 0x42);
}

Test(kvm, create_vcpu, .init = open_vm, .fini = close_vm,
     .timeout = UT_TIMEOUT)
{
    KvmVcpu *vcpu;

    cr_assert_null(kvm_create_vcpu(NULL, 0));
    cr_assert_null(kvm_create_vcpu(g_vm, -1));
    cr_assert_eq(kvm_set_user_memory_region(g_vm, 0, 0, WW_MIB, NULL), 0);
    vcpu = kvm_create_vcpu(g_vm, 0);
    cr_assert_not_null(vcpu);
    cr_assert_eq(vcpu->vm, g_vm);
    cr_assert_eq(vcpu->vcpu_id, 0);
    cr_assert_gt(vcpu->fd, 0);
    cr_assert_neq(vcpu->fd, g_vm->fd);
    cr_assert_neq(vcpu->fd, g_kvm->fd);
    cr_assert_not_null(vcpu->kvm_run);
    cr_assert_eq(vcpu->kvm_run_size, KVM_RUN_MMAP_SIZE);
    cr_assert_eq((uintptr_t)vcpu->kvm_run % WW_PAGE_SIZE, 0,
                 "kvm_run is a mapping");
    /* the two pages are usable (PIO data lives on the second) */
    ((uint8_t *)vcpu->kvm_run)[KVM_RUN_MMAP_SIZE - 1] = 0xaa;

    cr_assert_eq(vcpu->regs.rip, 0);
    cr_assert_eq(vcpu->regs.rflags, WW_RFLAGS_FIXED);
    cr_assert_eq(vcpu->sregs.cr0, 0x60000010);
    cr_assert_eq(vcpu->sregs.cs.selector, 0);
    cr_assert_eq(vcpu->sregs.cs.base, 0);
    cr_assert_eq(vcpu->sregs.ds.selector, 0);
    cr_assert_eq(vcpu->sregs.ds.base, 0);
    cr_assert_eq(vcpu->sregs.es.selector, 0);
    cr_assert_eq(vcpu->sregs.es.base, 0);
    cr_assert_eq(vcpu->sregs.ss.selector, 0);
    cr_assert_eq(vcpu->sregs.ss.base, 0);
    cr_assert_not(vcpu->halted);
    kvm_destroy_vcpu(vcpu);
}

Test(kvm, vcpu_ids, .init = open_vm, .fini = close_vm,
     .timeout = UT_TIMEOUT)
{
    KvmVcpu *a = kvm_create_vcpu(g_vm, 0);
    KvmVcpu *b = kvm_create_vcpu(g_vm, 3);

    cr_assert_not_null(a);
    cr_assert_not_null(b);
    cr_assert_eq(b->vcpu_id, 3);
    cr_assert_neq(a->fd, b->fd);
    cr_assert_neq(a->kvm_run, b->kvm_run);
    kvm_destroy_vcpu(b);
    kvm_destroy_vcpu(a);
}

Test(kvm, destructors_accept_null, .timeout = UT_TIMEOUT)
{
    kvm_destroy_vcpu(NULL);
    kvm_destroy_vm(NULL);
    kvm_close(NULL);
}

Test(kvm, lifecycle_releases_everything, .timeout = UT_TIMEOUT)
{
    KvmDevice *kvm;
    KvmVm *vm;
    KvmVcpu *vcpu;

    ut_alloc_reset();
    kvm = kvm_open();
    cr_assert_not_null(kvm);
    vm = kvm_create_vm(kvm);
    cr_assert_not_null(vm);
    cr_assert_eq(kvm_set_user_memory_region(vm, 0, 0, WW_MIB, NULL), 0);
    vcpu = kvm_create_vcpu(vm, 0);
    cr_assert_not_null(vcpu);
    kvm_destroy_vcpu(vcpu);
    kvm_destroy_vm(vm);
    kvm_close(kvm);
    cr_assert_eq(ut_alloc_live_blocks(), 0, "%ld blocks left",
                 ut_alloc_live_blocks());
    cr_assert_eq(ut_alloc_live_maps(), 0, "%ld mappings left",
                 ut_alloc_live_maps());
    cr_assert_eq(ut_alloc_live_map_bytes(), 0);
}

Test(kvm, allocation_failures, .timeout = UT_TIMEOUT)
{
    unsigned long n, k;
    KvmDevice *kvm;
    KvmVm *vm;
    KvmVcpu *vcpu;

    /* kvm_open */
    ut_alloc_reset();
    kvm = kvm_open();
    cr_assert_not_null(kvm);
    n = ut_alloc_count();
    kvm_close(kvm);
    for (k = 1; k <= n; k++) {
        ut_alloc_reset();
        ut_alloc_fail_at(k);
        cr_assert_null(kvm_open(), "kvm_open: allocation %lu failed", k);
        cr_assert_eq(ut_alloc_live_blocks(), 0);
        cr_assert_eq(ut_alloc_live_maps(), 0);
    }

    kvm = kvm_open();
    cr_assert_not_null(kvm);

    /* kvm_create_vm */
    ut_alloc_reset();
    vm = kvm_create_vm(kvm);
    cr_assert_not_null(vm);
    n = ut_alloc_count();
    kvm_destroy_vm(vm);
    for (k = 1; k <= n; k++) {
        ut_alloc_reset();
        ut_alloc_fail_at(k);
        cr_assert_null(kvm_create_vm(kvm), "create_vm: allocation %lu", k);
        cr_assert_eq(ut_alloc_live_blocks(), 0);
        cr_assert_eq(ut_alloc_live_maps(), 0);
    }

    /* kvm_set_user_memory_region */
    vm = kvm_create_vm(kvm);
    cr_assert_not_null(vm);
    ut_alloc_reset();
    ut_alloc_fail_at(1);
    cr_assert_eq(kvm_set_user_memory_region(vm, 0, 0, WW_MIB, NULL), -1,
                 "the guest memory mapping failed");
    cr_assert_eq(vm->memory_size, 0, "a failed region sets no slot");
    cr_assert_eq(ut_alloc_live_blocks(), 0);
    cr_assert_eq(ut_alloc_live_maps(), 0);
    ut_alloc_fail_at(0);
    cr_assert_eq(kvm_set_user_memory_region(vm, 0, 0, WW_MIB, NULL), 0);

    /* kvm_create_vcpu */
    ut_alloc_reset();
    vcpu = kvm_create_vcpu(vm, 0);
    cr_assert_not_null(vcpu);
    n = ut_alloc_count();
    kvm_destroy_vcpu(vcpu);
    cr_assert_geq(n, 2, "the vCPU and its kvm_run mapping");
    for (k = 1; k <= n; k++) {
        ut_alloc_reset();
        ut_alloc_fail_at(k);
        cr_assert_null(kvm_create_vcpu(vm, 0), "create_vcpu: allocation %lu",
                       k);
        cr_assert_eq(ut_alloc_live_blocks(), 0);
        cr_assert_eq(ut_alloc_live_maps(), 0);
    }
    kvm_destroy_vm(vm);
    kvm_close(kvm);
}
