/* guest.c - helpers the tests share: a host with code, hex dumps of guests,
 * names of exit reasons, the data byte of an IO exit */
#include "harness.h"

#include <stdio.h>
#include <string.h>

WestworldHost *ww_host_with(struct ww_test *t, size_t mb, const uint8_t *code,
			    size_t len, uint64_t addr)
{
	WestworldHost *host;
	int r;

	ww_phase("ford_creates_host(%zu)", mb);
	host = ford_creates_host(mb);
	if (host == NULL) {
		ww_fail(t, "ford_creates_host(%zu): expected a host, got NULL", mb);
		return NULL;
	}
	if (host->brain == NULL || host->park == NULL) {
		ww_fail(t, "ford_creates_host(%zu): the host has no %s", mb,
			host->park == NULL ? "park (VM)" : "brain (vCPU)");
		ford_retires_host(host);
		return NULL;
	}
	ww_phase("ford_implants_memories(host, {%s}, %zu, 0x%llx)", ww_hex(code, len),
		 len, (unsigned long long)addr);
	r = ford_implants_memories(host, code, len, addr);
	if (r != 0) {
		ww_fail(t, "ford_implants_memories(host, {%s}, %zu, 0x%llx) on a %zu MB "
			"host: expected 0, got %d", ww_hex(code, len), len,
			(unsigned long long)addr, mb, r);
		ww_retire(host);
		return NULL;
	}
	return host;
}

bool ww_in_order(const void *buf, size_t n, const void *want, size_t len)
{
	const uint8_t *b = buf, *w = want;
	size_t i, k = 0;

	for (i = 0; i < n && k < len; i++)
		if (b[i] == w[k])
			k++;
	return k == len;
}

const char *ww_hex(const uint8_t *code, size_t len)
{
	static char buf[4][160];
	static int which;
	char *out = buf[which++ & 3];
	size_t i, n = 0;

	out[0] = '\0';
	for (i = 0; i < len && n + 4 < sizeof(buf[0]); i++)
		n += (size_t)snprintf(out + n, sizeof(buf[0]) - n, "%s%02X",
				      i ? " " : "", code[i]);
	return out;
}

const char *ww_exit_name(uint32_t reason)
{
	static char buf[4][48];
	static int which;
	char *out = buf[which++ & 3];
	const char *name;

	switch (reason) {
	case KVM_EXIT_UNKNOWN:        name = "KVM_EXIT_UNKNOWN"; break;
	case KVM_EXIT_EXCEPTION:      name = "KVM_EXIT_EXCEPTION"; break;
	case KVM_EXIT_IO:             name = "KVM_EXIT_IO"; break;
	case KVM_EXIT_HYPERCALL:      name = "KVM_EXIT_HYPERCALL"; break;
	case KVM_EXIT_DEBUG:          name = "KVM_EXIT_DEBUG"; break;
	case KVM_EXIT_HLT:            name = "KVM_EXIT_HLT"; break;
	case KVM_EXIT_MMIO:           name = "KVM_EXIT_MMIO"; break;
	case KVM_EXIT_SHUTDOWN:       name = "KVM_EXIT_SHUTDOWN"; break;
	case KVM_EXIT_FAIL_ENTRY:     name = "KVM_EXIT_FAIL_ENTRY"; break;
	case KVM_EXIT_INTERNAL_ERROR: name = "KVM_EXIT_INTERNAL_ERROR"; break;
	case WW_EXIT_CPUID:           name = "WW_EXIT_CPUID"; break;
	case WW_EXIT_RDTSC:           name = "WW_EXIT_RDTSC"; break;
	default:                      name = "exit"; break;
	}
	snprintf(out, sizeof(buf[0]), "%s (%u)", name, reason);
	return out;
}

int ww_io_byte(struct ww_test *t, KvmVcpu *vcpu, const char *what)
{
	uint64_t off = vcpu->kvm_run->io.data_offset;

	if (vcpu->kvm_run_size == 0 || off >= vcpu->kvm_run_size) {
		ww_fail(t, "%s: io.data_offset %llu is outside the kvm_run mapping "
			"(kvm_run_size %zu)", what, (unsigned long long)off,
			vcpu->kvm_run_size);
		return -1;
	}
	return ((uint8_t *)vcpu->kvm_run)[off];
}

void ww_retire(WestworldHost *host)
{
	if (host == NULL)
		return;
	ww_phase("ford_retires_host()");
	ford_retires_host(host);
}

void ww_release_kvm(KvmVcpu *vcpu, KvmVm *vm, KvmDevice *kvm)
{
	if (vcpu) {
		ww_phase("kvm_destroy_vcpu()");
		kvm_destroy_vcpu(vcpu);
	}
	if (vm) {
		ww_phase("kvm_destroy_vm()");
		kvm_destroy_vm(vm);
	}
	if (kvm) {
		ww_phase("kvm_close()");
		kvm_close(kvm);
	}
}
