/* t_kvm.c - the KVM objects: device, VM, memory slot, vCPU, NULL arguments */
#include "harness.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

void test_kvm_open(struct ww_test *t)
{
	KvmDevice *kvm;

	ww_phase("kvm_open()");
	kvm = kvm_open();
	EXPECT(t, kvm != NULL, "kvm_open(): expected a device, got NULL");
	EXPECT(t, kvm->fd > 0, "kvm_open(): expected fd > 0, got %d", kvm->fd);
	EXPECT(t, kvm->api_version == KVM_API_VERSION,
	       "kvm_open(): expected api_version %d, got %d", KVM_API_VERSION,
	       kvm->api_version);
out:
	ww_release_kvm(NULL, NULL, kvm);
}

void test_vm_create(struct ww_test *t)
{
	KvmDevice *kvm;
	KvmVm *vm = NULL;

	ww_phase("kvm_open()");
	kvm = kvm_open();
	EXPECT(t, kvm != NULL, "kvm_open(): expected a device, got NULL");
	ww_phase("kvm_create_vm(kvm)");
	vm = kvm_create_vm(kvm);
	EXPECT(t, vm != NULL, "kvm_create_vm(kvm): expected a VM, got NULL");
	EXPECT(t, vm->kvm == kvm, "kvm_create_vm(kvm): expected vm->kvm == kvm (%p), "
	       "got %p", (void *)kvm, (void *)vm->kvm);
out:
	ww_release_kvm(NULL, vm, kvm);
}

void test_vcpu_create(struct ww_test *t)
{
	KvmDevice *kvm;
	KvmVm *vm = NULL;
	KvmVcpu *vcpu = NULL;
	int r;

	ww_phase("kvm_open()");
	kvm = kvm_open();
	EXPECT(t, kvm != NULL, "kvm_open(): expected a device, got NULL");
	ww_phase("kvm_create_vm(kvm)");
	vm = kvm_create_vm(kvm);
	EXPECT(t, vm != NULL, "kvm_create_vm(kvm): expected a VM, got NULL");
	ww_phase("kvm_set_user_memory_region(vm, 0, 0, 1 MiB, NULL)");
	r = kvm_set_user_memory_region(vm, 0, 0, WW_MIB, NULL);
	EXPECT(t, r == 0, "kvm_set_user_memory_region(vm, 0, 0, 1 MiB, NULL): "
	       "expected 0, got %d", r);
	ww_phase("kvm_create_vcpu(vm, 0)");
	vcpu = kvm_create_vcpu(vm, 0);
	EXPECT(t, vcpu != NULL, "kvm_create_vcpu(vm, 0): expected a vCPU, got NULL");
	EXPECT(t, vcpu->kvm_run != NULL, "kvm_create_vcpu(vm, 0): kvm_run is NULL, "
	       "expected the mapping of struct kvm_run");
	EXPECT(t, vcpu->kvm_run_size >= sizeof(KvmRun),
	       "kvm_create_vcpu(vm, 0): kvm_run_size is %zu, expected at least "
	       "sizeof(KvmRun) = %zu", vcpu->kvm_run_size, sizeof(KvmRun));
	EXPECT(t, vcpu->regs.rflags & WW_RFLAGS_FIXED,
	       "kvm_create_vcpu(vm, 0): RFLAGS is 0x%llx, bit 1 must be set (0x2)",
	       (unsigned long long)vcpu->regs.rflags);
	EXPECT(t, vcpu->vm == vm, "kvm_create_vcpu(vm, 0): vcpu->vm is %p, expected "
	       "vm (%p)", (void *)vcpu->vm, (void *)vm);
	ww_phase("writing the kvm_run mapping (byte kvm_run_size - 1)");
	((volatile uint8_t *)vcpu->kvm_run)[vcpu->kvm_run_size - 1] = 0;
out:
	ww_release_kvm(vcpu, vm, kvm);
}

void test_memory_region(struct ww_test *t)
{
	KvmDevice *kvm;
	KvmVm *vm = NULL, *vm2 = NULL;
	uint8_t *buf = MAP_FAILED;
	int r;

	ww_phase("kvm_open()");
	kvm = kvm_open();
	EXPECT(t, kvm != NULL, "kvm_open(): expected a device, got NULL");
	ww_phase("kvm_create_vm(kvm)");
	vm = kvm_create_vm(kvm);
	EXPECT(t, vm != NULL, "kvm_create_vm(kvm): expected a VM, got NULL");
	ww_phase("kvm_set_user_memory_region(vm, 0, 0, 1 MiB, NULL)");
	r = kvm_set_user_memory_region(vm, 0, 0, WW_MIB, NULL);
	EXPECT(t, r == 0, "kvm_set_user_memory_region(vm, 0, 0, 1 MiB, NULL): "
	       "expected 0, got %d", r);
	EXPECT(t, vm->guest_memory != NULL, "kvm_set_user_memory_region(vm, 0, 0, "
	       "1 MiB, NULL) returned 0 but vm->guest_memory is NULL");
	EXPECT(t, vm->memory_size == WW_MIB, "kvm_set_user_memory_region(vm, 0, 0, "
	       "1 MiB, NULL): vm->memory_size is %llu, expected 1048576",
	       (unsigned long long)vm->memory_size);
	ww_phase("writing guest memory at byte 0 and byte 1048575 (the mapping "
		 "must cover the whole slot)");
	vm->guest_memory[0] = 0xa5;
	vm->guest_memory[WW_MIB - 1] = 0x5a;
	EXPECT(t, vm->guest_memory[0] == 0xa5 && vm->guest_memory[WW_MIB - 1] == 0x5a,
	       "guest memory does not keep what is written to it");

	ww_phase("kvm_create_vm(kvm) (a second VM)");
	vm2 = kvm_create_vm(kvm);
	EXPECT(t, vm2 != NULL, "kvm_create_vm(kvm): expected a VM, got NULL");
	ww_phase("kvm_set_user_memory_region(vm, 0, 0, 0, NULL)");
	r = kvm_set_user_memory_region(vm2, 0, 0, 0, NULL);
	EXPECT(t, r == -1, "kvm_set_user_memory_region(vm, 0, 0, 0, NULL) (size 0): "
	       "expected -1, got %d", r);
	ww_phase("kvm_set_user_memory_region(vm, 1, 0, 1 MiB, NULL)");
	r = kvm_set_user_memory_region(vm2, 1, 0, WW_MIB, NULL);
	EXPECT(t, r == -1, "kvm_set_user_memory_region(vm, 1, 0, 1 MiB, NULL) "
	       "(slot 1, only slot 0 exists): expected -1, got %d", r);
	buf = mmap(NULL, WW_MIB, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	EXPECT(t, buf != MAP_FAILED, "harness: cannot map the caller's buffer");
	ww_phase("kvm_set_user_memory_region(vm, 0, 0, 0, buffer of the caller)");
	r = kvm_set_user_memory_region(vm2, 0, 0, 0, buf);
	EXPECT(t, r == -1, "kvm_set_user_memory_region(vm, 0, 0, 0, host_addr) (size "
	       "0, with the caller's buffer): expected -1, got %d", r);
	ww_phase("kvm_set_user_memory_region(vm, 0, 0, 1 MiB, buffer of the caller)");
	r = kvm_set_user_memory_region(vm2, 0, 0, WW_MIB, buf);
	EXPECT(t, r == 0, "kvm_set_user_memory_region(vm, 0, 0, 1 MiB, host_addr) "
	       "with the caller's page-aligned buffer (after the size-0 and slot-1 "
	       "calls failed): expected 0, got %d", r);
	EXPECT(t, vm2->guest_memory == buf, "kvm_set_user_memory_region(vm, 0, 0, "
	       "1 MiB, host_addr): vm->guest_memory is %p, expected host_addr (%p)",
	       (void *)vm2->guest_memory, (void *)buf);
	ww_phase("kvm_destroy_vm() of the VM using the caller's memory");
	kvm_destroy_vm(vm2);
	vm2 = NULL;
	EXPECT(t, !ww_foreign_munmap(buf, WW_MIB), "kvm_destroy_vm() unmapped the "
	       "caller's memory (host_addr): a VM unmaps only what it mapped itself "
	       "(owns_memory)");
out:
	if (vm2) {
		ww_phase("kvm_destroy_vm()");
		kvm_destroy_vm(vm2);
	}
	ww_release_kvm(NULL, vm, kvm);
	if (buf != MAP_FAILED)
		munmap(buf, WW_MIB);
	/* The foreign munmap is this test's failure, not a memory error too. */
	if (t->failed)
		ww_errors_reset();
}

void test_null_kvm(struct ww_test *t)
{
	void *p;
	int r;

	ww_phase("kvm_create_vm(NULL)");
	p = kvm_create_vm(NULL);
	EXPECT(t, p == NULL, "kvm_create_vm(NULL): expected NULL, got %p", p);
	ww_phase("kvm_create_vcpu(NULL, 0)");
	p = kvm_create_vcpu(NULL, 0);
	EXPECT(t, p == NULL, "kvm_create_vcpu(NULL, 0): expected NULL, got %p", p);
	ww_phase("kvm_set_user_memory_region(NULL, 0, 0, 1 MiB, NULL)");
	r = kvm_set_user_memory_region(NULL, 0, 0, WW_MIB, NULL);
	EXPECT(t, r == -1, "kvm_set_user_memory_region(NULL, 0, 0, 1 MiB, NULL): "
	       "expected -1, got %d", r);
	ww_phase("kvm_run(NULL)");
	r = kvm_run(NULL);
	EXPECT(t, r == -1, "kvm_run(NULL): expected -1, got %d", r);
	ww_phase("kvm_close(NULL)");
	kvm_close(NULL);
	ww_phase("kvm_destroy_vm(NULL)");
	kvm_destroy_vm(NULL);
	ww_phase("kvm_destroy_vcpu(NULL)");
	kvm_destroy_vcpu(NULL);
	ww_phase("ford_retires_host(NULL)");
	ford_retires_host(NULL);
	ww_phase("dolores_wakes_up(NULL)");
	r = dolores_wakes_up(NULL);
	EXPECT(t, r == -1, "dolores_wakes_up(NULL): expected -1, got %d", r);
	ww_phase("ford_says_freeze(NULL, NULL)");
	ford_says_freeze(NULL, NULL);
out:
	return;
}
