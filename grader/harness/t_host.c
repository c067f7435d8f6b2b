/* t_host.c - the Westworld API: a host and its parts, the entry point an
 * implant sets, the run loop of dolores_wakes_up() and how it ends, and the
 * exits ford_says_freeze() handles
 *
 * Longer than ~500 lines for its cases: the Westworld API is one part of
 * the contract, and its three tests are lists of short checks, one per
 * sentence of the header's comments on those functions. */
#include "harness.h"

#include <stdio.h>
#include <string.h>

/* ---- the submission's output ---------------------------------------------- */

static char g_out[256 * 1024];

/* Bytes of output so far: what is printed from now on starts there. */
static size_t out_mark(void)
{
	size_t total = 0;

	ww_output(g_out, 0, &total);
	return total;
}

/* Whether the output printed since mark contains s[0..len). */
static bool out_has(size_t mark, const void *s, size_t len)
{
	size_t total, n = ww_output(g_out, sizeof(g_out), &total);

	return mark < n && memmem(g_out + mark, n - mark, s, len) != NULL;
}

/* Whether the output printed since mark has s[0..len) in order, whatever
 * a solution logs between the guest's bytes. */
static bool out_in_order(size_t mark, const void *s, size_t len)
{
	size_t total, n = ww_output(g_out, sizeof(g_out), &total);

	return mark < n && ww_in_order(g_out + mark, n - mark, s, len);
}

/* ---- test_host_create --------------------------------------------------- */

static bool refuse_size(struct ww_test *t, size_t mb, const char *why)
{
	char desc[1024];
	WestworldHost *host;
	uint64_t mark = ww_alloc_mark();

	ww_phase("ford_creates_host(%zu) (%s)", mb, why);
	host = ford_creates_host(mb);
	if (host != NULL) {
		ww_fail(t, "ford_creates_host(%zu): %s, expected NULL, got a host", mb,
			why);
		ww_retire(host);
		return false;
	}
	if (ww_alloc_leaks(mark, desc, sizeof(desc))) {
		ww_fail_leak(t, "ford_creates_host(%zu) (%s) returned NULL but kept "
			     "what it allocated: %s", mb, why, desc);
		ww_alloc_reclaim(mark);
		return false;
	}
	return true;
}

void test_host_create(struct ww_test *t)
{
	/* in al, 0x60 */
	static const uint8_t in_60[] = { 0xe4, 0x60 };
	/* hlt */
	static const uint8_t hlt[] = { 0xf4 };
	/* mov al, 0x2a ; hlt */
	static const uint8_t mov_hlt[] = { 0xb0, 0x2a, 0xf4 };
	WestworldHost *host = NULL;
	KvmVcpu *vcpu;
	KvmRun *run;
	int r;

	if (!refuse_size(t, SIZE_MAX, H_("SIZE_MAX MiB does not fit in size_t")) ||
	    !refuse_size(t, SIZE_MAX / WW_MIB + 2, H_("a size whose bytes wrap around "
			 "size_t to 1 MiB (memory_mb * 1 MiB overflows)")) ||
	    !refuse_size(t, SIZE_MAX / WW_MIB + 1, H_("the smallest size in MiB whose "
			 "bytes do not fit in size_t")) ||
	    !refuse_size(t, (size_t)(EPT_MAX_GPA / WW_MIB) + 1, H_("one MiB more than "
			 "EPT_MAX_GPA")))
		return;

	ww_phase("ford_creates_host(1)");
	host = ford_creates_host(1);
	EXPECT(t, host != NULL, "ford_creates_host(1): expected a host, got NULL");
	EXPECT(t, host->ford != NULL && host->park != NULL && host->brain != NULL &&
	       host->memories != NULL && host->voice != NULL, "ford_creates_host(1): "
	       "expected every part, got ford %p, park %p, brain %p, memories %p, "
	       "voice %p", (void *)host->ford, (void *)host->park,
	       (void *)host->brain, (void *)host->memories, (void *)host->voice);
	EXPECT(t, host->conscious, "ford_creates_host(1): the new host is not "
	       "conscious (conscious false)");
	EXPECT(t, host->ford->fd > 0 && host->ford->api_version == KVM_API_VERSION,
	       "ford_creates_host(1): ford (the device) has fd %d and api_version "
	       "%d, expected fd > 0 and %d", host->ford->fd, host->ford->api_version,
	       KVM_API_VERSION);
	EXPECT(t, host->park->kvm == host->ford, "ford_creates_host(1): park->kvm is "
	       "%p, expected ford (%p): the VM is made from the host's device",
	       (void *)host->park->kvm, (void *)host->ford);
	EXPECT(t, host->park->memory_size == WW_MIB &&
	       host->park->guest_phys_addr == 0 && host->park->guest_memory != NULL,
	       "ford_creates_host(1): park has memory_size %llu at guest_phys_addr "
	       "0x%llx (guest_memory %p), expected 1048576 bytes at 0",
	       (unsigned long long)host->park->memory_size,
	       (unsigned long long)host->park->guest_phys_addr,
	       (void *)host->park->guest_memory);
	EXPECT(t, host->park->ept == host->memories, "ford_creates_host(1): "
	       "park->ept is %p, expected memories (%p): the VM must walk the "
	       "host's EPT", (void *)host->park->ept, (void *)host->memories);
	EXPECT(t, host->brain->vm == host->park, "ford_creates_host(1): brain->vm "
	       "is %p, expected park (%p)", (void *)host->brain->vm,
	       (void *)host->park);
	EXPECT(t, host->memories->guest_size == WW_MIB, "ford_creates_host(1): "
	       "memories->guest_size is %llu, expected 1048576",
	       (unsigned long long)host->memories->guest_size);
	EXPECT(t, host->voice->base == SERIAL_COM1_BASE, "ford_creates_host(1): "
	       "voice->base is 0x%x, expected 0x3f8 (COM1)", host->voice->base);

	vcpu = host->brain;
	run = vcpu->kvm_run;
	/* an IN left pending: an implant drops it */
	ww_phase("ford_implants_memories(host, {E4 60}, 2, 0x7c00)");
	r = ford_implants_memories(host, in_60, sizeof(in_60), WW_GUEST_ENTRY);
	EXPECT(t, r == 0, "ford_implants_memories(host, {E4 60}, 2, 0x7c00): "
	       "expected 0, got %d", r);
	ww_phase("kvm_run() on `in al, 0x60` (E4 60) at 0x7c00");
	r = kvm_run(vcpu);
	EXPECT(t, r == 0 && run->exit_reason == KVM_EXIT_IO,
	       "kvm_run() on `in al, 0x60` (E4 60): expected 0 and %s, got %d and %s",
	       ww_exit_name(KVM_EXIT_IO), r, ww_exit_name(run->exit_reason));
	EXPECT(t, run->io.data_offset < vcpu->kvm_run_size, "`in al, 0x60`: "
	       "io.data_offset %llu is outside the kvm_run mapping",
	       (unsigned long long)run->io.data_offset);
	((uint8_t *)run)[run->io.data_offset] = 0x77;
	ww_phase("ford_implants_memories(host, {F4}, 1, 0x7c00) with the IN pending");
	r = ford_implants_memories(host, hlt, sizeof(hlt), WW_GUEST_ENTRY);
	EXPECT(t, r == 0, "ford_implants_memories(host, {F4}, 1, 0x7c00): "
	       "expected 0, got %d", r);
	vcpu->regs.rax = 0x11;
	ww_phase("kvm_run() on `hlt` implanted while an IN was pending");
	r = kvm_run(vcpu);
	EXPECT(t, r == 0 && run->exit_reason == KVM_EXIT_HLT,
	       "kvm_run() on `hlt` (F4) at 0x7c00: expected 0 and %s, got %d and %s",
	       ww_exit_name(KVM_EXIT_HLT), r, ww_exit_name(run->exit_reason));
	EXPECT(t, (uint8_t)vcpu->regs.rax == 0x11, "`in al, 0x60` exited (the VMM "
	       "left 0x77), then ford_implants_memories() set a new entry point "
	       "(`hlt`) and the VMM set AL to 0x11: after the run AL is 0x%02x, "
	       "expected 0x11 (an implant leaves nothing pending)",
	       (unsigned)(uint8_t)vcpu->regs.rax);

	/* halted, CS moved, not conscious: the implant resets all three */
	vcpu->sregs.cs.base = 0x10000;
	vcpu->sregs.cs.selector = 0x1000;
	host->conscious = false;
	ww_phase("ford_implants_memories(host, {B0 2A F4}, 3, 0x2000) on a halted "
		 "vCPU with CS base 0x10000, host not conscious");
	r = ford_implants_memories(host, mov_hlt, sizeof(mov_hlt), 0x2000);
	EXPECT(t, r == 0, "ford_implants_memories(host, {B0 2A F4}, 3, 0x2000): "
	       "expected 0, got %d", r);
	EXPECT(t, !memcmp(host->park->guest_memory + 0x2000, mov_hlt, sizeof(mov_hlt)),
	       "ford_implants_memories(host, {B0 2A F4}, 3, 0x2000) returned 0 but "
	       "guest memory at 0x2000 holds {%s}",
	       ww_hex(host->park->guest_memory + 0x2000, sizeof(mov_hlt)));
	EXPECT(t, vcpu->regs.rip == 0x2000 && vcpu->sregs.cs.base == 0,
	       "ford_implants_memories(host, code, 3, 0x2000) with CS base 0x10000 "
	       "before: expected RIP 0x2000 and CS base 0, got RIP 0x%llx and CS "
	       "base 0x%llx", (unsigned long long)vcpu->regs.rip,
	       (unsigned long long)vcpu->sregs.cs.base);
	EXPECT(t, !vcpu->halted, "ford_implants_memories() on a halted vCPU returned "
	       "0 but vcpu->halted is still true: a new entry point wakes it");
	EXPECT(t, host->conscious, "ford_implants_memories() on a host not "
	       "conscious returned 0 but host->conscious is still false");
	ww_phase("kvm_run() on `mov al, 0x2a; hlt` implanted at 0x2000");
	r = kvm_run(vcpu);
	EXPECT(t, r == 0 && run->exit_reason == KVM_EXIT_HLT &&
	       (uint8_t)vcpu->regs.rax == 0x2a && vcpu->regs.rip == 0x2003,
	       "kvm_run() on `mov al, 0x2a; hlt` implanted at 0x2000: expected 0, "
	       "%s, AL 0x2a and RIP 0x2003, got %d, %s, AL 0x%02x and RIP 0x%llx",
	       ww_exit_name(KVM_EXIT_HLT), r, ww_exit_name(run->exit_reason),
	       (unsigned)(uint8_t)vcpu->regs.rax, (unsigned long long)vcpu->regs.rip);
out:
	ww_retire(host);
}

/* ---- test_host_run ------------------------------------------------------ */

/* mov dx, 0x3f8 ; mov al, c ; out dx, al (x4) ; hlt: prints "<w1>" */
static const uint8_t g_w1[] = { 0xba, 0xf8, 0x03, 0xb0, '<', 0xee, 0xb0, 'w',
				0xee, 0xb0, '1', 0xee, 0xb0, '>', 0xee, 0xf4 };
/* the same printing "<w2>" */
static const uint8_t g_w2[] = { 0xba, 0xf8, 0x03, 0xb0, '<', 0xee, 0xb0, 'w',
				0xee, 0xb0, '2', 0xee, 0xb0, '>', 0xee, 0xf4 };

/* A guest that ends the run with a fatal exit: -1 and not conscious. */
static bool run_fatal(struct ww_test *t, const uint8_t *code, size_t len,
		      uint64_t addr, uint32_t want, const char *what)
{
	WestworldHost *host;
	uint32_t reason;
	bool ok = false;
	int r;

	host = ww_host_with(t, 1, code, len, addr);
	if (host == NULL)
		return false;
	ww_phase("dolores_wakes_up() on %s", what);
	ww_hint("a fatal exit that does not stop the run loop?");
	r = dolores_wakes_up(host);
	reason = host->brain->kvm_run->exit_reason;
	EXPECT(t, reason == want, "dolores_wakes_up() on %s: the run ended with %s, "
	       "expected %s", what, ww_exit_name(reason), ww_exit_name(want));
	EXPECT(t, r == -1, "dolores_wakes_up() on %s (ends with %s): expected -1, "
	       "got %d", what, ww_exit_name(want), r);
	EXPECT(t, !host->conscious, "dolores_wakes_up() on %s (ends with %s) "
	       "returned -1 but host->conscious is still true", what,
	       ww_exit_name(want));
	ok = true;
out:
	ww_retire(host);
	return ok;
}

#define FAR_MB 3

/* Allocation k of those a run makes fails: dolores_wakes_up() returns -1,
 * the host is not conscious, and retiring it leaves nothing. */
static bool run_alloc_fail(struct ww_test *t, const uint8_t *code, size_t len,
			   uint64_t addr, uint64_t ds_base, uint64_t k, uint64_t n,
			   const char *what)
{
	char desc[1024], kind[16];
	WestworldHost *host;
	uint64_t mark = ww_alloc_mark(), site;
	bool ok = false, hit;
	int r;

	host = ww_host_with(t, FAR_MB, code, len, addr);
	if (host == NULL)
		return false;
	host->brain->sregs.ds.base = ds_base;
	ww_phase("dolores_wakes_up() on %s with allocation #%llu of the run made to "
		 "fail", what, (unsigned long long)k);
	ww_hint("a run loop that goes on when kvm_run() returns -1?");
	ww_alloc_fail_at(k);
	r = dolores_wakes_up(host);
	hit = ww_board->fail_hit;
	site = ww_board->fail_site;
	snprintf(kind, sizeof(kind), "%s", ww_board->fail_kind);
	ww_alloc_fail_at(0);
	if (!hit) {
		ok = true;      /* this run allocated less: nothing failed */
		goto out;
	}
	EXPECT(t, r == -1, "dolores_wakes_up() on %s: allocation #%llu of the %llu "
	       "the run makes (%s at @{0x%llx}) made to fail, so kvm_run() cannot "
	       "build the EPT: expected -1, got %d", what, (unsigned long long)k,
	       (unsigned long long)n, kind, (unsigned long long)site, r);
	EXPECT(t, !host->conscious, "dolores_wakes_up() on %s with allocation #%llu "
	       "of the run made to fail returned -1 but host->conscious is still "
	       "true", what, (unsigned long long)k);
	ww_retire(host);
	host = NULL;
	if (ww_alloc_leaks(mark, desc, sizeof(desc))) {
		ww_fail_leak(t, "dolores_wakes_up() on %s with allocation #%llu of the "
			     "run (%s at @{0x%llx}) made to fail, then "
			     "ford_retires_host(): %s", what, (unsigned long long)k,
			     kind, (unsigned long long)site, desc);
		ww_alloc_reclaim(mark);
		goto out;
	}
	ok = true;
out:
	ww_retire(host);
	return ok;
}

/* A guest whose run needs a new EPT table on the way (a lazy EPT builds
 * it when the guest first touches that 2 MiB region). */
struct alloc_sweep {
	const uint8_t *code;
	size_t   len;
	uint64_t addr, ds_base, rip_after;
	const char *what;
	bool     direct;        /* no exit before the new table: kvm_run() alone */
};

/* At 0x1ffff8 of a 3 MB host, across the 2 MiB line: mov dx, 0x3f8 ; mov al,
 * '<' ; out dx, al ; nop ; nop | (0x200000) mov al, '>' ; out dx, al ; hlt.
 * The second half is in a 2 MiB region of its own (a page table of its
 * own): a lazy EPT needs a new table in the middle of the run, after the
 * first OUT. */
static const uint8_t g_far[] = { 0xba, 0xf8, 0x03, 0xb0, '<', 0xee, 0x90, 0x90,
				 0xb0, '>', 0xee, 0xf4 };
/* nop ; mov al, 0x41 with its immediate at 0x200000 ; hlt */
static const uint8_t g_straddle[] = { 0x90, 0xb0, 0x41, 0xf4 };
/* mov al, [0x0010] ; mov [0x0020], al ; hlt, with DS.base 0x200000 (set by
 * the VMM, as KVM_SET_SREGS does) */
static const uint8_t g_far_data[] = { 0xa0, 0x10, 0x00, 0xa2, 0x20, 0x00, 0xf4 };

static const struct alloc_sweep sweeps[] = {
	{ g_far, sizeof(g_far), 0x200000 - 8, 0, 0x200004,
	  HN_("`mov dx, 0x3f8; mov al, '<'; out dx, al; nop; nop; mov al, '>'; out dx, "
	  "al; hlt` at 0x1ffff8 of a 3 MB host (crossing into 0x200000)"), false },
	{ g_straddle, sizeof(g_straddle), 0x200000 - 2, 0, 0x200002,
	  HN_("`nop; mov al, 0x41; hlt` at 0x1ffffe of a 3 MB host (the immediate of "
	  "the mov at 0x200000, in a page table of its own)"), true },
	{ g_far_data, sizeof(g_far_data), WW_GUEST_ENTRY, 0x200000, WW_GUEST_ENTRY + 7,
	  HN_("`mov al, [0x10]; mov [0x20], al; hlt` at 0x7c00 of a 3 MB host with DS.base "
	  "0x200000 (data in a page table of its own)"), true },
};

/* A clean run of the guest counts its allocations; then each is made to
 * fail in turn. */
static bool alloc_sweep(struct ww_test *t, const struct alloc_sweep *w)
{
	WestworldHost *host;
	uint64_t amark, n, k;
	bool ok = false;
	int r;

	host = ww_host_with(t, FAR_MB, w->code, w->len, w->addr);
	if (host == NULL)
		return false;
	host->brain->sregs.ds.base = w->ds_base;
	ww_phase("dolores_wakes_up() on %s (clean run, counting its allocations)",
		 H_(w->what));
	ww_hint("a HLT that does not stop the run loop?");
	amark = ww_alloc_mark();
	r = dolores_wakes_up(host);
	n = ww_alloc_calls_since(amark);
	EXPECT(t, r == 0 && host->brain->regs.rip == w->rip_after, "dolores_wakes_up() "
	       "on %s: expected 0 and RIP 0x%llx (past the hlt), got %d and RIP "
	       "0x%llx", H_(w->what), (unsigned long long)w->rip_after, r,
	       (unsigned long long)host->brain->regs.rip);
	ww_retire(host);
	host = NULL;
	for (k = 1; k <= n; k++)
		if (!run_alloc_fail(t, w->code, w->len, w->addr, w->ds_base, k, n,
				    H_(w->what)))
			goto out;
	/* kvm_run() itself says so: -1, not an exit */
	if (w->direct) {
		bool hit;

		host = ww_host_with(t, FAR_MB, w->code, w->len, w->addr);
		if (host == NULL)
			goto out;
		host->brain->sregs.ds.base = w->ds_base;
		ww_phase("kvm_run() on %s with its first allocation made to fail",
			 H_(w->what));
		ww_alloc_fail_at(1);
		r = kvm_run(host->brain);
		hit = ww_board->fail_hit;
		ww_alloc_fail_at(0);
		EXPECT(t, !hit || r == -1, "kvm_run() on %s with the allocation of the "
		       "EPT table it needs made to fail: expected -1 (\"an EPT table "
		       "cannot be allocated\"), got %d with exit_reason %s", H_(w->what), r,
		       ww_exit_name(host->brain->kvm_run->exit_reason));
	}
	ok = true;
out:
	ww_retire(host);
	return ok;
}

void test_host_run(struct ww_test *t)
{
	static const uint8_t int3[] = { 0xcc, 0xf4 };
	static const uint8_t nop[] = { 0x90 };
	static const uint8_t mov_cut[] = { 0x90, 0xb0 };
	WestworldHost *host = NULL;
	KvmRegs r0;
	size_t mark, k;
	int r;

	if (!run_fatal(t, int3, sizeof(int3), WW_GUEST_ENTRY, KVM_EXIT_SHUTDOWN,
		       "`int3; hlt` (CC F4) at 0x7c00") ||
	    !run_fatal(t, nop, sizeof(nop), WW_MIB - 1, KVM_EXIT_FAIL_ENTRY,
		       H_("`nop` at 0xfffff, the last byte of a 1 MB host (RIP then "
		       "runs off the end)")) ||
	    !run_fatal(t, mov_cut, sizeof(mov_cut), WW_MIB - 2,
		       KVM_EXIT_INTERNAL_ERROR, H_("`nop; mov al, imm8` at 0xffffe of a "
		       "1 MB host, the immediate past the end")))
		return;

	/* FAIL_ENTRY at the first entry, then a host not conscious */
	host = ww_host_with(t, 1, g_w1, sizeof(g_w1), WW_GUEST_ENTRY);
	if (host == NULL)
		return;
	host->brain->regs.rflags = 0;
	mark = out_mark();
	ww_phase("dolores_wakes_up() on the guest printing \"<w1>\" with RFLAGS 0");
	r = dolores_wakes_up(host);
	EXPECT(t, r == -1 && !host->conscious, "dolores_wakes_up() on a guest with "
	       "RFLAGS 0 (bit 1 clear: FAIL_ENTRY): expected -1 and conscious false, "
	       "got %d and conscious %s", r, host->conscious ? "true" : "false");
	EXPECT(t, !out_has(mark, "<w1>", 4), "dolores_wakes_up() on a guest with "
	       "RFLAGS 0 printed the guest's \"<w1>\": a failed entry runs nothing");
	host->brain->regs.rflags = WW_RFLAGS_FIXED;
	r0 = host->brain->regs;
	mark = out_mark();
	ww_phase("dolores_wakes_up() on a host not conscious (after a FAIL_ENTRY; "
		 "RFLAGS set back to 0x2 by the test)");
	ww_hint("a host not conscious that runs anyway?");
	r = dolores_wakes_up(host);
	EXPECT(t, r == -1, "dolores_wakes_up() on a host not conscious (its first "
	       "run ended with FAIL_ENTRY; RFLAGS fixed since, no new implant): "
	       "expected -1, got %d", r);
	EXPECT(t, !out_has(mark, "<w1>", 4) &&
	       !memcmp(&r0, &host->brain->regs, sizeof(r0)), "dolores_wakes_up() on "
	       "a host not conscious returned %d but ran the guest (RIP 0x%llx -> "
	       "0x%llx%s): nothing runs until an implant makes it conscious", r,
	       (unsigned long long)r0.rip, (unsigned long long)host->brain->regs.rip,
	       out_in_order(mark, "<w1>", 4) ? ", \"<w1>\" printed" : "");
	EXPECT(t, !host->conscious, "dolores_wakes_up() on a host not conscious "
	       "left host->conscious true");

	ww_phase("ford_implants_memories(host, <w1> guest, %zu, 0x7c00) after the "
		 "failed run", sizeof(g_w1));
	r = ford_implants_memories(host, g_w1, sizeof(g_w1), WW_GUEST_ENTRY);
	EXPECT(t, r == 0, "ford_implants_memories() of the \"<w1>\" guest at 0x7c00 "
	       "after a failed run: expected 0, got %d", r);
	mark = out_mark();
	ww_phase("dolores_wakes_up() on the \"<w1>\" guest implanted again");
	ww_hint("a HLT that does not stop the run loop?");
	r = dolores_wakes_up(host);
	EXPECT(t, r == 0 && !host->conscious, "dolores_wakes_up() on the guest "
	       "printing \"<w1>\" then `hlt` ({%s}): expected 0 and conscious false, "
	       "got %d and conscious %s", ww_hex(g_w1, sizeof(g_w1)), r,
	       host->conscious ? "true" : "false");
	EXPECT(t, out_in_order(mark, "<w1>", 4), "dolores_wakes_up() on the guest "
	       "writing \"<w1>\" to the UART's THR (0x3f8) returned %d but \"<w1>\" "
	       "is not on stdout", r);

	ww_phase("ford_implants_memories(host, <w2> guest, %zu, 0x8000) after the "
		 "halt", sizeof(g_w2));
	r = ford_implants_memories(host, g_w2, sizeof(g_w2), 0x8000);
	EXPECT(t, r == 0, "ford_implants_memories() of the \"<w2>\" guest at 0x8000 "
	       "after a halt: expected 0, got %d", r);
	mark = out_mark();
	ww_phase("dolores_wakes_up() on the \"<w2>\" guest implanted after a halt");
	ww_hint("a HLT that does not stop the run loop?");
	r = dolores_wakes_up(host);
	EXPECT(t, r == 0 && !host->conscious && out_in_order(mark, "<w2>", 4),
	       "dolores_wakes_up() after a halt and a new implant (the guest printing "
	       "\"<w2>\" at 0x8000): expected 0, conscious false and \"<w2>\" on "
	       "stdout, got %d, conscious %s, %s", r,
	       host->conscious ? "true" : "false",
	       out_in_order(mark, "<w2>", 4) ? H_("printed") : H_("not printed"));
	ww_retire(host);
	host = NULL;

	/* kvm_run() failing under dolores_wakes_up(), wherever the EPT needs a
	 * table: an opcode, an operand byte, a data access */
	for (k = 0; k < sizeof(sweeps) / sizeof(sweeps[0]); k++)
		if (!alloc_sweep(t, &sweeps[k]))
			return;
out:
	ww_retire(host);
}

/* ---- test_says_freeze --------------------------------------------------- */

struct uart_view {
	uint8_t  rbr, ier, fcr, lcr, mcr, lsr, msr, scr, dll, dlm;
	uint64_t tx_bytes;
};

static struct uart_view uart_of(const SerialPort *s)
{
	struct uart_view v = { s->rbr, s->ier, s->fcr, s->lcr, s->mcr, s->lsr,
			       s->msr, s->scr, s->dll, s->dlm, s->tx_bytes };
	return v;
}

static bool same_uart(const struct uart_view *a, const struct uart_view *b)
{
	return a->rbr == b->rbr && a->ier == b->ier && a->fcr == b->fcr &&
	       a->lcr == b->lcr && a->mcr == b->mcr && a->lsr == b->lsr &&
	       a->msr == b->msr && a->scr == b->scr && a->dll == b->dll &&
	       a->dlm == b->dlm && a->tx_bytes == b->tx_bytes;
}

#define PIO_OFFSET ((uint64_t)KVM_PIO_PAGE_OFFSET * WW_PAGE_SIZE)

/* A one-byte IO exit in the vCPU's kvm_run, its data byte set to value. */
static uint8_t *io_exit(KvmRun *run, uint8_t dir, uint16_t port, uint8_t value)
{
	uint8_t *data = (uint8_t *)run + PIO_OFFSET;

	memset(run->padding, 0, sizeof(run->padding));
	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = dir;
	run->io.size = 1;
	run->io.port = port;
	run->io.count = 1;
	run->io.data_offset = PIO_OFFSET;
	*data = value;
	return data;
}

static void mmio_exit(KvmRun *run, uint64_t gpa, uint32_t len, bool is_write,
		      uint8_t fill)
{
	memset(run->padding, 0, sizeof(run->padding));
	run->exit_reason = KVM_EXIT_MMIO;
	run->mmio.phys_addr = gpa;
	run->mmio.len = len;
	run->mmio.is_write = is_write;
	memset(run->mmio.data, fill, sizeof(run->mmio.data));
}

static void freeze(WestworldHost *host, KvmRun *run, const char *what)
{
	ww_phase("ford_says_freeze(host, host->brain->kvm_run) on %s", what);
	ford_says_freeze(host, run);
}

void test_says_freeze(struct ww_test *t)
{
	static const uint16_t other_in[] = { 0x60, 0x3f7, 0x400 };
	static const uint16_t other_out[] = { 0x80, 0x3f7, 0x400, 0x2f8 };
	static const struct { uint32_t reason; const char *name; } fatal[] = {
		{ KVM_EXIT_HLT, "KVM_EXIT_HLT" },
		{ KVM_EXIT_SHUTDOWN, "KVM_EXIT_SHUTDOWN" },
		{ KVM_EXIT_FAIL_ENTRY, "KVM_EXIT_FAIL_ENTRY" },
		{ KVM_EXIT_INTERNAL_ERROR, "KVM_EXIT_INTERNAL_ERROR" },
		/* exits it cannot handle end the run too */
		{ KVM_EXIT_UNKNOWN, HN_("KVM_EXIT_UNKNOWN (an exit it cannot handle)") },
		{ KVM_EXIT_DEBUG, HN_("KVM_EXIT_DEBUG (an exit it cannot handle)") },
		{ 0x7777, HN_("0x7777 (an exit it cannot handle)") },
	};
	const uint8_t thr_byte = 0xa5, scr_byte = 0x9e, other_byte = 0xb6,
		      mmio_byte = 0xc7;
	WestworldHost *host;
	struct uart_view u0, u1;
	char what[128];
	KvmRun *run;
	uint8_t *data;
	size_t mark, i;
	uint32_t j;

	ww_phase("ford_creates_host(1)");
	host = ford_creates_host(1);
	EXPECT(t, host != NULL && host->brain != NULL && host->voice != NULL &&
	       host->brain->kvm_run != NULL, "ford_creates_host(1): expected a host "
	       "with its vCPU, kvm_run and UART");
	run = host->brain->kvm_run;

	/* OUT to THR */
	io_exit(run, KVM_EXIT_IO_OUT, SERIAL_COM1_BASE + UART_THR, thr_byte);
	u0 = uart_of(host->voice);
	mark = out_mark();
	freeze(host, run, H_("an OUT of 0xa5 to 0x3f8 (THR)"));
	EXPECT(t, out_has(mark, &thr_byte, 1), "ford_says_freeze() on an IO exit "
	       "OUT of 0xa5 to port 0x3f8 (THR): the byte 0xa5 is not on stdout");
	EXPECT(t, host->voice->tx_bytes == u0.tx_bytes + 1, "ford_says_freeze() on "
	       "an OUT of 0xa5 to 0x3f8 (THR): voice->tx_bytes went from %llu to "
	       "%llu, expected one more (serial_out())",
	       (unsigned long long)u0.tx_bytes,
	       (unsigned long long)host->voice->tx_bytes);
	EXPECT(t, host->conscious, "ford_says_freeze() on an IO exit (OUT to THR) "
	       "made the host not conscious: only HLT and the fatal exits do");

	/* IN from LSR */
	data = io_exit(run, KVM_EXIT_IO_IN, SERIAL_COM1_BASE + UART_LSR, 0x00);
	freeze(host, run, H_("an IN from 0x3fd (LSR)"));
	EXPECT(t, *data == (UART_LSR_THRE | UART_LSR_TEMT), "ford_says_freeze() on "
	       "an IO exit IN from 0x3fd (LSR), data byte 0 before: expected 0x60 "
	       "(THRE | TEMT) at io.data_offset, got 0x%02x", *data);
	EXPECT(t, host->conscious, "ford_says_freeze() on an IO exit (IN from LSR) "
	       "made the host not conscious: only HLT and the fatal exits do");

	/* OUT to SCR, then IN from it */
	io_exit(run, KVM_EXIT_IO_OUT, SERIAL_COM1_BASE + UART_SCR, scr_byte);
	mark = out_mark();
	freeze(host, run, H_("an OUT of 0x9e to 0x3ff (SCR)"));
	EXPECT(t, !out_has(mark, &scr_byte, 1), "ford_says_freeze() on an OUT of "
	       "0x9e to 0x3ff (the scratch register) printed 0x9e: only THR "
	       "writes are output");
	data = io_exit(run, KVM_EXIT_IO_IN, SERIAL_COM1_BASE + UART_SCR, 0x00);
	freeze(host, run, H_("an IN from 0x3ff (SCR) after an OUT of 0x9e to it"));
	EXPECT(t, *data == scr_byte, "ford_says_freeze() on an IN from 0x3ff (SCR) "
	       "after an OUT of 0x9e to it: expected 0x9e at io.data_offset, got "
	       "0x%02x", *data);

	/* IN from ports no device answers */
	for (i = 0; i < sizeof(other_in) / sizeof(other_in[0]); i++) {
		snprintf(what, sizeof(what), H_("an IN from port 0x%x (no device)"),
			 other_in[i]);
		data = io_exit(run, KVM_EXIT_IO_IN, other_in[i], 0x00);
		u0 = uart_of(host->voice);
		freeze(host, run, what);
		EXPECT(t, *data == 0xff, "ford_says_freeze() on %s, data byte 0 "
		       "before: expected 0xff at io.data_offset (nothing drives the "
		       "bus), got 0x%02x", what, *data);
		u1 = uart_of(host->voice);
		EXPECT(t, same_uart(&u0, &u1), "ford_says_freeze() on %s changed the "
		       "UART's registers", what);
		EXPECT(t, host->conscious, "ford_says_freeze() on %s made the host not "
		       "conscious: only HLT and the fatal exits do", what);
	}

	/* OUT to ports no device answers */
	for (i = 0; i < sizeof(other_out) / sizeof(other_out[0]); i++) {
		snprintf(what, sizeof(what), H_("an OUT of 0xb6 to port 0x%x (no device)"),
			 other_out[i]);
		io_exit(run, KVM_EXIT_IO_OUT, other_out[i], other_byte);
		u0 = uart_of(host->voice);
		mark = out_mark();
		freeze(host, run, what);
		EXPECT(t, !out_has(mark, &other_byte, 1), "ford_says_freeze() on %s "
		       "printed 0xb6: an OUT to a port with no device is dropped", what);
		u1 = uart_of(host->voice);
		EXPECT(t, same_uart(&u0, &u1), "ford_says_freeze() on %s changed the "
		       "UART's registers (tx_bytes %llu -> %llu): an OUT to a port "
		       "with no device is dropped", what,
		       (unsigned long long)u0.tx_bytes, (unsigned long long)u1.tx_bytes);
		EXPECT(t, host->conscious, "ford_says_freeze() on %s made the host not "
		       "conscious: only HLT and the fatal exits do", what);
	}

	/* MMIO */
	for (j = 1; j <= 4; j *= 4) {
		snprintf(what, sizeof(what), H_("an MMIO read of %u byte%s at 0x100000"),
			 j, j > 1 ? "s" : "");
		mmio_exit(run, 0x100000, j, false, 0x00);
		freeze(host, run, what);
		for (i = 0; i < j; i++)
			EXPECT(t, run->mmio.data[i] == 0xff, "ford_says_freeze() on %s, "
			       "data 0 before: expected mmio.data[0..%u] 0xff (nothing "
			       "behind an unbacked address), got mmio.data[%zu] 0x%02x",
			       what, j - 1, i, run->mmio.data[i]);
		EXPECT(t, host->conscious, "ford_says_freeze() on %s made the host not "
		       "conscious: only HLT and the fatal exits do", what);
	}
	mmio_exit(run, 0x100000, 1, true, mmio_byte);
	u0 = uart_of(host->voice);
	mark = out_mark();
	freeze(host, run, H_("an MMIO write of 0xc7 at 0x100000"));
	u1 = uart_of(host->voice);
	EXPECT(t, !out_has(mark, &mmio_byte, 1) && same_uart(&u0, &u1),
	       "ford_says_freeze() on an MMIO write of 0xc7 at 0x100000 %s: the "
	       "write is dropped", same_uart(&u0, &u1) ? "printed 0xc7" :
	       H_("changed the UART"));
	EXPECT(t, host->conscious, "ford_says_freeze() on an MMIO write made the "
	       "host not conscious: only HLT and the fatal exits do");

	/* string IO: count items of size bytes, each handled */
	{
		static const uint8_t str[3] = { 0xa1, 0xa2, 0xa3 };
		uint64_t tx0 = host->voice->tx_bytes;

		data = io_exit(run, KVM_EXIT_IO_OUT, SERIAL_COM1_BASE + UART_THR, str[0]);
		memcpy(data, str, sizeof(str));
		run->io.count = 3;
		mark = out_mark();
		freeze(host, run, H_("an OUT of 3 bytes (count 3, size 1: A1 A2 A3) to THR"));
		EXPECT(t, out_in_order(mark, str, sizeof(str)) &&
		       host->voice->tx_bytes == tx0 + 3, "ford_says_freeze() on an OUT "
		       "of count 3 items of size 1 (A1 A2 A3) to THR (0x3f8): expected "
		       "the 3 bytes on stdout, in order, and tx_bytes + 3, got %s and "
		       "tx_bytes + %llu: each item goes to serial_out()",
		       out_in_order(mark, str, sizeof(str)) ? H_("them") : H_("not them"),
		       (unsigned long long)(host->voice->tx_bytes - tx0));
		data = io_exit(run, KVM_EXIT_IO_IN, 0x60, 0x00);
		memset(data, 0, 4);
		run->io.size = 2;
		run->io.count = 2;
		freeze(host, run, H_("an IN of 2 items of 2 bytes from port 0x60 (no device)"));
		EXPECT(t, data[0] == 0xff && data[1] == 0xff && data[2] == 0xff &&
		       data[3] == 0xff, "ford_says_freeze() on an IN of count 2 items of "
		       "size 2 from port 0x60, where no device answers: expected the 4 "
		       "bytes at data_offset to read 0xff, got %02x %02x %02x %02x",
		       data[0], data[1], data[2], data[3]);
		EXPECT(t, host->conscious, "ford_says_freeze() on a string IO exit made "
		       "the host not conscious");
	}

	/* HLT and the fatal exits */
	for (i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++) {
		memset(run->padding, 0, sizeof(run->padding));
		run->exit_reason = fatal[i].reason;
		host->conscious = true;
		snprintf(what, sizeof(what), H_("a %s exit (host conscious)"), H_(fatal[i].name));
		freeze(host, run, what);
		EXPECT(t, !host->conscious, "ford_says_freeze() on %s: host->conscious "
		       "is still true, expected false (the host stops)", what);
	}

	/* NULL arguments */
	host->conscious = true;
	io_exit(run, KVM_EXIT_IO_OUT, SERIAL_COM1_BASE + UART_THR, thr_byte);
	u0 = uart_of(host->voice);
	mark = out_mark();
	ww_phase("ford_says_freeze(NULL, kvm_run of an OUT of 0xa5 to THR)");
	ford_says_freeze(NULL, run);
	EXPECT(t, !out_has(mark, &thr_byte, 1), "ford_says_freeze(NULL, analysis) "
	       "on an OUT of 0xa5 to THR printed 0xa5: with a NULL host it does "
	       "nothing");
	run->exit_reason = KVM_EXIT_HLT;
	ww_phase("ford_says_freeze(host, NULL)");
	ford_says_freeze(host, NULL);
	u1 = uart_of(host->voice);
	EXPECT(t, host->conscious && same_uart(&u0, &u1), "ford_says_freeze(host, "
	       "NULL) changed the host (%s): with a NULL analysis it does nothing",
	       host->conscious ? H_("its UART") : H_("conscious now false"));
out:
	ww_retire(host);
}
