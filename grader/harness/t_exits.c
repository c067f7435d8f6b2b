/* t_exits.c - the VM exits: HLT, IO out and in, MMIO, the serial port */
#include "harness.h"

#include <stdio.h>
#include <string.h>

static const uint8_t g_hlt[] = { 0xf4 };
/* mov dx, 0x3f8 ; mov al, 'H' ; out dx, al ; hlt */
static const uint8_t g_out_h[] = { 0xba, 0xf8, 0x03, 0xb0, 'H', 0xee, 0xf4 };
/* mov dx, 0x5678 ; in al, dx ; mov dx, 0x3f8 ; out dx, al ; hlt */
static const uint8_t g_in[] = { 0xba, 0x78, 0x56, 0xec, 0xba, 0xf8, 0x03, 0xee, 0xf4 };
/* mov al, [0x8000] ; mov dx, 0x3f8 ; out dx, al ; mov [0x8001], al ; hlt */
static const uint8_t g_mmio[] = { 0xa0, 0x00, 0x80, 0xba, 0xf8, 0x03, 0xee,
				  0xa2, 0x01, 0x80, 0xf4 };
/* "Hi!\n" of section 5.7 */
static const uint8_t g_hi[] = { 0xba, 0xf8, 0x03, 0xb0, 0x48, 0xee, 0xb0, 0x69,
				0xee, 0xb0, 0x21, 0xee, 0xb0, 0x0a, 0xee, 0xf4 };
/* mov dx, 0x3fd ; in al, dx (LSR) ; mov dx, 0x80 ; out dx, al ; hlt */
static const uint8_t g_lsr[] = { 0xba, 0xfd, 0x03, 0xec, 0xba, 0x80, 0x00, 0xee, 0xf4 };

/* Runs the vCPU once; fails the test unless kvm_run() returned 0 with the
 * expected exit reason.  what names the instruction the exit is for. */
static bool run_expect(struct ww_test *t, KvmVcpu *vcpu, uint32_t reason,
		       const char *what)
{
	int r;

	ww_phase("kvm_run() expecting %s after %s", ww_exit_name(reason), what);
	ww_hint("an instruction that never exits, or a RIP that does not advance?");
	r = kvm_run(vcpu);
	if (r != 0) {
		ww_fail(t, "kvm_run() after %s: expected 0, got %d", what, r);
		return false;
	}
	if (vcpu->kvm_run->exit_reason != reason) {
		ww_fail(t, "kvm_run() after %s: expected exit_reason %s, got %s", what,
			ww_exit_name(reason), ww_exit_name(vcpu->kvm_run->exit_reason));
		return false;
	}
	return true;
}

static bool io_expect(struct ww_test *t, KvmVcpu *vcpu, uint8_t dir,
		      uint16_t port, const char *what)
{
	KvmRun *run = vcpu->kvm_run;

	if (run->io.direction != dir) {
		ww_fail(t, "%s: expected io.direction %s (%u), got %u", what,
			dir ? "KVM_EXIT_IO_OUT" : "KVM_EXIT_IO_IN", dir, run->io.direction);
		return false;
	}
	if (run->io.port != port) {
		ww_fail(t, "%s: expected io.port 0x%x, got 0x%x", what, port, run->io.port);
		return false;
	}
	if (run->io.size != 1) {
		ww_fail(t, "%s: expected io.size 1, got %u", what, run->io.size);
		return false;
	}
	if (run->io.count != 1) {
		ww_fail(t, "%s: expected io.count 1, got %u", what, run->io.count);
		return false;
	}
	return true;
}

void test_hlt_exit(struct ww_test *t)
{
	WestworldHost *host, *host2 = NULL;
	int r;

	host = ww_host_with(t, 1, g_hlt, sizeof(g_hlt), WW_GUEST_ENTRY);
	if (host == NULL)
		return;
	if (!run_expect(t, host->brain, KVM_EXIT_HLT, "`hlt` (F4)"))
		goto out;
	ww_retire(host);
	host = NULL;

	host2 = ww_host_with(t, 1, g_hlt, sizeof(g_hlt), WW_GUEST_ENTRY);
	if (host2 == NULL)
		goto out;
	ww_phase("dolores_wakes_up() on guest {F4} (hlt)");
	ww_hint("a HLT that does not stop the run loop?");
	r = dolores_wakes_up(host2);
	EXPECT(t, r == 0, "dolores_wakes_up() on guest {F4} (hlt): expected 0, got %d", r);
	EXPECT(t, !host2->conscious, "dolores_wakes_up() on guest {F4} (hlt) returned "
	       "but host->conscious is still true");
out:
	ww_retire(host);
	ww_retire(host2);
}

void test_io_exit(struct ww_test *t)
{
	WestworldHost *host;
	int b;

	host = ww_host_with(t, 1, g_out_h, sizeof(g_out_h), WW_GUEST_ENTRY);
	if (host == NULL)
		return;
	if (!run_expect(t, host->brain, KVM_EXIT_IO, "`mov dx, 0x3f8; mov al, 'H'; "
			"out dx, al`") ||
	    !io_expect(t, host->brain, KVM_EXIT_IO_OUT, 0x3f8, "`out dx, al`"))
		goto out;
	b = ww_io_byte(t, host->brain, "`out dx, al`");
	if (b < 0)
		goto out;
	EXPECT(t, b == 'H', "`out dx, al` with AL = 'H': expected 0x48 at "
	       "io.data_offset, got 0x%02x", b);
	if (!run_expect(t, host->brain, KVM_EXIT_HLT, H_("the `out` was handled "
			"(RIP must have moved past it)")))
		goto out;
out:
	ww_retire(host);
}

void test_io_in(struct ww_test *t)
{
	WestworldHost *host;
	KvmRun *run;
	int b;

	host = ww_host_with(t, 1, g_in, sizeof(g_in), WW_GUEST_ENTRY);
	if (host == NULL)
		return;
	run = host->brain->kvm_run;
	if (!run_expect(t, host->brain, KVM_EXIT_IO, "`mov dx, 0x5678; in al, dx`") ||
	    !io_expect(t, host->brain, KVM_EXIT_IO_IN, 0x5678, "`in al, dx`"))
		goto out;
	if (run->io.data_offset >= host->brain->kvm_run_size) {
		ww_fail(t, "`in al, dx`: io.data_offset %llu is outside the kvm_run "
			"mapping", (unsigned long long)run->io.data_offset);
		goto out;
	}
	((uint8_t *)run)[run->io.data_offset] = 0x5a;
	if (!run_expect(t, host->brain, KVM_EXIT_IO, H_("the VMM answered the `in` with "
			"0x5a, then `mov dx, 0x3f8; out dx, al`")) ||
	    !io_expect(t, host->brain, KVM_EXIT_IO_OUT, 0x3f8, H_("`out dx, al` after the `in`")))
		goto out;
	b = ww_io_byte(t, host->brain, "`out dx, al`");
	if (b < 0)
		goto out;
	EXPECT(t, b == 0x5a, "the VMM answered `in al, dx` with 0x5a, then `out dx, al` "
	       "wrote 0x%02x: the next kvm_run() must complete the IN into AL", b);
	run_expect(t, host->brain, KVM_EXIT_HLT, "the `out`");
out:
	ww_retire(host);
}

void test_mmio_exit(struct ww_test *t)
{
	KvmDevice *kvm;
	KvmVm *vm = NULL;
	KvmVcpu *vcpu = NULL;
	KvmRun *run;
	int r, b;

	ww_phase("kvm_open()");
	kvm = kvm_open();
	EXPECT(t, kvm != NULL, "kvm_open(): expected a device, got NULL");
	ww_phase("kvm_create_vm(kvm)");
	vm = kvm_create_vm(kvm);
	EXPECT(t, vm != NULL, "kvm_create_vm(kvm): expected a VM, got NULL");
	ww_phase("kvm_set_user_memory_region(vm, 0, 0, 16 KiB, NULL)");
	r = kvm_set_user_memory_region(vm, 0, 0, 16 * 1024, NULL);
	EXPECT(t, r == 0, "kvm_set_user_memory_region(vm, 0, 0, 16 KiB, NULL): "
	       "expected 0, got %d", r);
	ww_phase("kvm_create_vcpu(vm, 0)");
	vcpu = kvm_create_vcpu(vm, 0);
	EXPECT(t, vcpu != NULL, "kvm_create_vcpu(vm, 0): expected a vCPU, got NULL");
	EXPECT(t, vm->guest_memory != NULL, "the VM has no guest memory");
	memcpy(vm->guest_memory + 0x1000, g_mmio, sizeof(g_mmio));
	vcpu->regs.rip = 0x1000;
	run = vcpu->kvm_run;
	if (!run_expect(t, vcpu, KVM_EXIT_MMIO, H_("`mov al, [0x8000]` in a 16 KiB VM "
			"(0x8000 is backed by no slot)")))
		goto out;
	EXPECT(t, run->mmio.phys_addr == 0x8000 && run->mmio.len == 1 &&
	       run->mmio.is_write == 0, "`mov al, [0x8000]`: expected an MMIO read "
	       "of 1 byte at 0x8000, got phys_addr 0x%llx len %u is_write %u",
	       (unsigned long long)run->mmio.phys_addr, run->mmio.len, run->mmio.is_write);
	run->mmio.data[0] = 0x42;
	if (!run_expect(t, vcpu, KVM_EXIT_IO, H_("the VMM answered the MMIO read with "
			"0x42, then `mov dx, 0x3f8; out dx, al`")))
		goto out;
	b = ww_io_byte(t, vcpu, "`out dx, al`");
	if (b < 0)
		goto out;
	EXPECT(t, b == 0x42, "the VMM answered `mov al, [0x8000]` with 0x42, then "
	       "`out dx, al` wrote 0x%02x: the next kvm_run() must complete the load", b);
	if (!run_expect(t, vcpu, KVM_EXIT_MMIO, "`mov [0x8001], al`"))
		goto out;
	EXPECT(t, run->mmio.phys_addr == 0x8001 && run->mmio.len == 1 &&
	       run->mmio.is_write == 1 && run->mmio.data[0] == 0x42,
	       "`mov [0x8001], al` with AL = 0x42: expected an MMIO write of 1 byte "
	       "0x42 at 0x8001, got phys_addr 0x%llx len %u is_write %u data[0] 0x%02x",
	       (unsigned long long)run->mmio.phys_addr, run->mmio.len,
	       run->mmio.is_write, run->mmio.data[0]);
	run_expect(t, vcpu, KVM_EXIT_HLT, H_("the MMIO write"));
out:
	ww_release_kvm(vcpu, vm, kvm);
}

void test_serial_output(struct ww_test *t)
{
	static char out[64 * 1024];
	WestworldHost *host, *host2 = NULL;
	size_t n, total;
	int r, b;

	host = ww_host_with(t, 1, g_hi, sizeof(g_hi), WW_GUEST_ENTRY);
	if (host == NULL)
		return;
	ww_phase("dolores_wakes_up() on the \"Hi!\\n\" guest of section 5.7");
	ww_hint("a HLT that does not stop the run loop?");
	r = dolores_wakes_up(host);
	n = ww_output(out, sizeof(out), &total);
	EXPECT(t, r == 0, "dolores_wakes_up() on the \"Hi!\\n\" guest: expected 0, "
	       "got %d", r);
	EXPECT(t, ww_in_order(out, n, "Hi!\n", 4), "dolores_wakes_up() on the "
	       "\"Hi!\\n\" guest ({%s}): \"Hi!\\n\" expected on stdout, not found "
	       "in its %zu bytes of output", ww_hex(g_hi, sizeof(g_hi)), total);
	ww_retire(host);
	host = NULL;

	host2 = ww_host_with(t, 1, g_lsr, sizeof(g_lsr), WW_GUEST_ENTRY);
	if (host2 == NULL)
		goto out;
	if (!run_expect(t, host2->brain, KVM_EXIT_IO, H_("`mov dx, 0x3fd; in al, dx` "
			"(read LSR)")) ||
	    !io_expect(t, host2->brain, KVM_EXIT_IO_IN, 0x3fd, H_("`in al, dx` from LSR")))
		goto out;
	ww_phase("ford_says_freeze() on the IN from LSR (0x3fd)");
	ford_says_freeze(host2, host2->brain->kvm_run);
	if (!run_expect(t, host2->brain, KVM_EXIT_IO, H_("the VMM answered the LSR read, "
			"then `out 0x80, al`")) ||
	    !io_expect(t, host2->brain, KVM_EXIT_IO_OUT, 0x80, "`out dx, al` to 0x80"))
		goto out;
	b = ww_io_byte(t, host2->brain, "`out dx, al`");
	if (b < 0)
		goto out;
	EXPECT(t, (b & (UART_LSR_THRE | UART_LSR_TEMT)) ==
	       (UART_LSR_THRE | UART_LSR_TEMT), "LSR read through ford_says_freeze() "
	       "is 0x%02x: THRE (0x20) and TEMT (0x40) must be set, the virtual line "
	       "is never busy", b);
	run_expect(t, host2->brain, KVM_EXIT_HLT, "the `out`");
out:
	ww_retire(host);
	ww_retire(host2);
}
