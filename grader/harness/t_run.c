/* t_run.c - the run loop's exits and entry checks, a halted vCPU, the
 * arguments of kvm_run() and kvm_create_vcpu(), and the memory slot's
 * refusals
 *
 * Longer than ~500 lines for its cases: each exit and each refusal of the
 * run loop is a test of its own, with the VM it needs built in place.
 */
#include "harness.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

/* ---- a bare VM on a page of the harness's, followed by a guard page ----- */

/* One 4 KiB slot at guest-physical 0, backed by the harness's memory with an
 * inaccessible page right after it: an instruction fetched, or an operand
 * read, past the end of guest memory crashes on the guard page instead of
 * reading whatever follows. */
#define BARE_SIZE WW_PAGE_SIZE

struct bare {
	KvmDevice *kvm;
	KvmVm     *vm;
	KvmVcpu   *vcpu;
	uint8_t   *mem;     /* BARE_SIZE bytes, then the guard page */
};

static void bare_release(struct bare *b)
{
	ww_release_kvm(b->vcpu, b->vm, b->kvm);
	if (b->mem != NULL)
		munmap(b->mem, 2 * BARE_SIZE);
	memset(b, 0, sizeof(*b));
}

/* A VM with the guarded 4 KiB slot at guest-physical slot_gpa and vCPU 0.
 * Guest memory is filled with `hlt`, then code is copied at offset off of
 * the slot and RIP set to slot_gpa + off.  False (t failed, everything
 * released) if a step fails. */
static bool bare_create_at(struct ww_test *t, struct bare *b, uint64_t slot_gpa,
			   const uint8_t *code, size_t len, uint64_t off)
{
	void *p;
	int r;

	memset(b, 0, sizeof(*b));
	p = mmap(NULL, 2 * BARE_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		ww_fail(t, "harness: cannot map the guest's memory");
		return false;
	}
	b->mem = p;
	if (mprotect(b->mem + BARE_SIZE, BARE_SIZE, PROT_NONE) != 0) {
		ww_fail(t, "harness: cannot protect the guard page");
		goto fail;
	}
	memset(b->mem, 0xf4, BARE_SIZE);
	memcpy(b->mem + off, code, len);
	ww_phase("kvm_open()");
	b->kvm = kvm_open();
	if (b->kvm == NULL) {
		ww_fail(t, "kvm_open(): expected a device, got NULL");
		goto fail;
	}
	ww_phase("kvm_create_vm(kvm)");
	b->vm = kvm_create_vm(b->kvm);
	if (b->vm == NULL) {
		ww_fail(t, "kvm_create_vm(kvm): expected a VM, got NULL");
		goto fail;
	}
	ww_phase("kvm_set_user_memory_region(vm, 0, 0x%llx, 4 KiB, page of the caller)",
		 (unsigned long long)slot_gpa);
	r = kvm_set_user_memory_region(b->vm, 0, slot_gpa, BARE_SIZE, b->mem);
	if (r != 0) {
		ww_fail(t, "kvm_set_user_memory_region(vm, 0, 0x%llx, 4 KiB, host_addr) "
			"with the caller's page-aligned page: expected 0, got %d",
			(unsigned long long)slot_gpa, r);
		goto fail;
	}
	ww_phase("kvm_create_vcpu(vm, 0)");
	b->vcpu = kvm_create_vcpu(b->vm, 0);
	if (b->vcpu == NULL || b->vcpu->kvm_run == NULL) {
		ww_fail(t, "kvm_create_vcpu(vm, 0): expected a vCPU with its kvm_run "
			"mapping, got %s", b->vcpu == NULL ? "NULL" : "kvm_run NULL");
		goto fail;
	}
	b->vcpu->regs.rip = slot_gpa + off;
	return true;
fail:
	bare_release(b);
	return false;
}

/* The slot at guest-physical 0: code at addr, RIP addr. */
static bool bare_create(struct ww_test *t, struct bare *b, const uint8_t *code,
			size_t len, uint64_t addr)
{
	return bare_create_at(t, b, 0, code, len, addr);
}

static bool run_once_hint(struct ww_test *t, KvmVcpu *vcpu, const char *what,
			  uint32_t *reason, const char *hint);

/* Runs once; false (t failed) unless kvm_run() returned 0.  *reason gets
 * the exit reason. */
static bool run_once(struct ww_test *t, KvmVcpu *vcpu, const char *what,
		     uint32_t *reason)
{
	return run_once_hint(t, vcpu, what, reason, "an instruction that never "
			     "exits, or a RIP that does not advance?");
}

static bool run_once_hint(struct ww_test *t, KvmVcpu *vcpu, const char *what,
			  uint32_t *reason, const char *hint)
{
	int r;

	ww_phase("kvm_run() on %s", what);
	ww_hint("%s", hint);
	r = kvm_run(vcpu);
	if (r != 0) {
		ww_fail(t, "kvm_run() on %s: expected 0, got %d", what, r);
		return false;
	}
	*reason = vcpu->kvm_run->exit_reason;
	return true;
}

static bool run_expect(struct ww_test *t, KvmVcpu *vcpu, uint32_t want,
		       const char *what)
{
	uint32_t reason;

	if (!run_once(t, vcpu, what, &reason))
		return false;
	if (reason != want) {
		ww_fail(t, "kvm_run() on %s: expected exit_reason %s, got %s", what,
			ww_exit_name(want), ww_exit_name(reason));
		return false;
	}
	return true;
}

static bool same_seg(const KvmSegment *a, const KvmSegment *b)
{
	return a->base == b->base && a->selector == b->selector;
}

/* ---- test_run_exits ----------------------------------------------------- */

struct code {
	const char    *name;
	const uint8_t *bytes;
	size_t         len;
};

#define CODE(name, ...) { name, (const uint8_t[]){ __VA_ARGS__ }, \
			  sizeof((const uint8_t[]){ __VA_ARGS__ }) }

/* Outside the subset, each followed by `hlt` (the rest of the page): a
 * decoder that skips them, or reads them as a neighbour in the subset,
 * halts or writes memory instead of shutting down. */
static const struct code g_undecodable[] = {
	CODE("`ud2` (0F 0B)", 0x0f, 0x0b),
	CODE("`int3` (CC)", 0xcc),
	CODE(HN_("`inc ax` in its FF /0 form (FF C0)"), 0xff, 0xc0),
	CODE(HN_("`mov al, al` (88 C0: 88 with a register ModRM)"), 0x88, 0xc0),
	CODE("`mov [bx], cl` (88 0F)", 0x88, 0x0f),
	CODE("`mov [bx+1], al` (88 47 01)", 0x88, 0x47, 0x01),
	CODE("`mov cs, ax` (8E C8)", 0x8e, 0xc8),
	CODE(HN_("`mov es, [0x100]` (8E 06 00 01: memory operand)"), 0x8e, 0x06, 0x00, 0x01),
	CODE("`add [bx+si], al` (00 00)", 0x00, 0x00),
	/* next to the ranges of the subset: a decoder's bounds, one past */
	CODE(HN_("`aas` (3F, just below inc r16 40..47)"), 0x3f),
	CODE(HN_("`push ax` (50, just above dec r16 48..4F)"), 0x50),
	CODE(HN_("`scasw` (AF, just below mov r8, imm8 B0..B7)"), 0xaf),
	CODE(HN_("`rol al, 1` (C0 C0 01, just above mov r16, imm16 B8..BF)"), 0xc0, 0xc0, 0x01),
};

/* Cut by the end of guest memory: the opcode is in the slot, an operand
 * byte is not. */
static const struct code g_cut[] = {
	CODE(HN_("`mov ax, imm16` (B8) on the last byte"), 0xb8),
	CODE(HN_("`mov dx, imm16` (BA 12) on the last two bytes"), 0xba, 0x12),
	CODE(HN_("`mov al, imm8` (B0) on the last byte"), 0xb0),
	CODE(HN_("`mov al, [moffs16]` (A0) on the last byte"), 0xa0),
	CODE(HN_("`mov [moffs16], al` (A2 00) on the last two bytes"), 0xa2, 0x00),
	CODE(HN_("`jmp rel8` (EB) on the last byte"), 0xeb),
	CODE(HN_("`in al, imm8` (E4) on the last byte"), 0xe4),
	CODE(HN_("`mov sreg, r16` (8E) on the last byte"), 0x8e),
};

static uint8_t g_mem_before[BARE_SIZE];

static bool run_undecodable(struct ww_test *t, const struct code *c)
{
	char what[192];
	struct bare b;
	KvmSregs s0;
	uint32_t reason;
	bool ok = false;

	if (!bare_create(t, &b, c->bytes, c->len, 0x100))
		return false;
	b.vcpu->regs.rax = 0x5a;
	b.vcpu->regs.rbx = 0x800;
	s0 = b.vcpu->sregs;
	memcpy(g_mem_before, b.mem, BARE_SIZE);
	snprintf(what, sizeof(what), H_("%s at 0x100 of a 4 KiB guest, `hlt` after it "
		 "(AL 0x5a, BX 0x800)"), H_(c->name));
	if (!run_once(t, b.vcpu, what, &reason))
		goto out;
	EXPECT(t, reason == KVM_EXIT_SHUTDOWN, "kvm_run() on %s: expected "
	       "exit_reason %s (an opcode outside the subset), got %s", what,
	       ww_exit_name(KVM_EXIT_SHUTDOWN), ww_exit_name(reason));
	EXPECT(t, !memcmp(g_mem_before, b.mem, BARE_SIZE), "kvm_run() on %s "
	       "exited with SHUTDOWN but guest memory changed: an instruction "
	       "outside the subset executes nothing", what);
	EXPECT(t, same_seg(&s0.cs, &b.vcpu->sregs.cs) &&
	       same_seg(&s0.ds, &b.vcpu->sregs.ds) &&
	       same_seg(&s0.es, &b.vcpu->sregs.es) &&
	       same_seg(&s0.ss, &b.vcpu->sregs.ss), "kvm_run() on %s exited with "
	       "SHUTDOWN but a segment register changed: an instruction outside "
	       "the subset executes nothing", what);
	ok = true;
out:
	bare_release(&b);
	return ok;
}

static bool run_cut(struct ww_test *t, const struct code *c)
{
	char what[192];
	struct bare b;
	uint32_t reason;
	bool ok = false;

	if (!bare_create(t, &b, c->bytes, c->len, BARE_SIZE - c->len))
		return false;
	snprintf(what, sizeof(what), H_("%s of a 4 KiB guest (RIP 0x%zx; the page "
		 "after guest memory is inaccessible)"), H_(c->name), BARE_SIZE - c->len);
	if (!run_once_hint(t, b.vcpu, what, &reason, H_("an operand read past the "
			   "end of guest memory (a crash there is the guard page)?")))
		goto out;
	EXPECT(t, reason == KVM_EXIT_INTERNAL_ERROR, "kvm_run() on %s: expected "
	       "exit_reason %s (an instruction whose bytes run past the end of "
	       "guest memory), got %s", what,
	       ww_exit_name(KVM_EXIT_INTERNAL_ERROR), ww_exit_name(reason));
	EXPECT(t, b.vcpu->kvm_run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION,
	       "kvm_run() on %s: KVM_EXIT_INTERNAL_ERROR with internal.suberror %u, "
	       "expected KVM_INTERNAL_ERROR_EMULATION (1)", what,
	       b.vcpu->kvm_run->internal.suberror);
	ok = true;
out:
	bare_release(&b);
	return ok;
}

/* RFLAGS bit 1 clear, or RIP outside guest memory, at entry: FAIL_ENTRY
 * and nothing executed. */
static bool run_bad_entry(struct ww_test *t, uint64_t rflags, uint64_t rip,
			  const char *what)
{
	/* mov al, 1 ; mov [0x800], al ; hlt */
	static const uint8_t code[] = { 0xb0, 0x01, 0xa2, 0x00, 0x08, 0xf4 };
	struct bare b;
	KvmRegs r0;
	uint32_t reason;
	bool ok = false;

	if (!bare_create(t, &b, code, sizeof(code), 0x100))
		return false;
	b.vcpu->regs.rflags = rflags;
	b.vcpu->regs.rip = rip;
	b.vcpu->regs.rax = 0x5a;
	r0 = b.vcpu->regs;
	memcpy(g_mem_before, b.mem, BARE_SIZE);
	if (!run_once_hint(t, b.vcpu, what, &reason, H_("a RIP outside guest memory "
			   "read as code (a crash there is the guard page)?")))
		goto out;
	EXPECT(t, reason == KVM_EXIT_FAIL_ENTRY, "kvm_run() on %s: expected "
	       "exit_reason %s, got %s", what, ww_exit_name(KVM_EXIT_FAIL_ENTRY),
	       ww_exit_name(reason));
	EXPECT(t, !memcmp(&r0, &b.vcpu->regs, sizeof(r0)), "kvm_run() on %s "
	       "exited with FAIL_ENTRY but the registers changed (RIP 0x%llx -> "
	       "0x%llx, RAX 0x%llx -> 0x%llx): a failed entry executes nothing",
	       what, (unsigned long long)r0.rip,
	       (unsigned long long)b.vcpu->regs.rip, (unsigned long long)r0.rax,
	       (unsigned long long)b.vcpu->regs.rax);
	EXPECT(t, !memcmp(g_mem_before, b.mem, BARE_SIZE), "kvm_run() on %s "
	       "exited with FAIL_ENTRY but guest memory changed: a failed entry "
	       "executes nothing", what);
	if (rip == 0x100) {
		/* the same vCPU, fixed by the VMM, runs */
		b.vcpu->regs.rflags = WW_RFLAGS_FIXED;
		if (!run_expect(t, b.vcpu, KVM_EXIT_HLT, H_("the same vCPU once the VMM "
				"set RFLAGS back to 0x2 (`mov al, 1; mov [0x800], al; "
				"hlt` at 0x100)")))
			goto out;
		EXPECT(t, b.mem[0x800] == 0x01, "after FAIL_ENTRY the VMM set RFLAGS "
		       "to 0x2 and ran `mov al, 1; mov [0x800], al; hlt` again: "
		       "expected 0x01 at 0x800, got 0x%02x", b.mem[0x800]);
	}
	ok = true;
out:
	bare_release(&b);
	return ok;
}

/* Instructions ending exactly at the end of guest memory run. */
static bool run_exact_fit(struct ww_test *t)
{
	static const uint8_t mov_ax[] = { 0xb8, 0x34, 0x12 };
	/* mov al, 0x61 ; out 0x80, al ; hlt */
	static const uint8_t out_hlt[] = { 0xb0, 0x61, 0xe6, 0x80, 0xf4 };
	struct bare b;
	uint32_t reason;
	int byte;
	bool ok = false;

	if (!bare_create(t, &b, mov_ax, sizeof(mov_ax), BARE_SIZE - sizeof(mov_ax)))
		return false;
	if (!run_once(t, b.vcpu, H_("`mov ax, 0x1234` (B8 34 12) in the last 3 bytes "
		      "of a 4 KiB guest"), &reason))
		goto out;
	EXPECT(t, (uint16_t)b.vcpu->regs.rax == 0x1234 && reason == KVM_EXIT_FAIL_ENTRY,
	       "kvm_run() on `mov ax, 0x1234` (B8 34 12) in the last 3 bytes of a "
	       "4 KiB guest: expected it to run (AX 0x1234), then %s as RIP "
	       "reaches 0x1000; got AX 0x%04x and %s",
	       ww_exit_name(KVM_EXIT_FAIL_ENTRY), (unsigned)(uint16_t)b.vcpu->regs.rax,
	       ww_exit_name(reason));
	bare_release(&b);

	if (!bare_create(t, &b, out_hlt, sizeof(out_hlt),
			 BARE_SIZE - sizeof(out_hlt)))
		return false;
	if (!run_expect(t, b.vcpu, KVM_EXIT_IO, H_("`mov al, 0x61; out 0x80, al; hlt` "
			"(B0 61 E6 80 F4) in the last 5 bytes of a 4 KiB guest")))
		goto out;
	byte = ww_io_byte(t, b.vcpu, "`out 0x80, al`");
	if (byte < 0)
		goto out;
	EXPECT(t, b.vcpu->kvm_run->io.port == 0x80 && byte == 0x61,
	       "`out 0x80, al` (E6 80) ending 1 byte before the end of guest "
	       "memory, AL 0x61: expected an IO exit to port 0x80 with 0x61, got "
	       "port 0x%x with 0x%02x", b.vcpu->kvm_run->io.port, byte);
	if (!run_expect(t, b.vcpu, KVM_EXIT_HLT, H_("`hlt` on the last byte of a 4 KiB "
			"guest")))
		goto out;
	EXPECT(t, b.vcpu->regs.rip == BARE_SIZE, "`hlt` on the last byte of a 4 KiB "
	       "guest: expected RIP 0x1000 after it, got 0x%llx",
	       (unsigned long long)b.vcpu->regs.rip);
	ok = true;
out:
	bare_release(&b);
	return ok;
}

/* A host whose EPT maps the page of gpa with perms (the harness asks the
 * submission's ept_map() to). */
static bool ept_restrict(struct ww_test *t, WestworldHost *host, uint64_t gpa,
			 uint32_t perms, const char *perms_name)
{
	uint64_t page = gpa & ~(uint64_t)(WW_PAGE_SIZE - 1);
	int r;

	ww_phase("ept_map(host->memories, 0x%llx, guest page, %s)",
		 (unsigned long long)page, perms_name);
	r = ept_map(host->memories, page, host->park->guest_memory + page, perms);
	if (r != 0) {
		ww_fail(t, "ept_map(host->memories, 0x%llx, its guest page, %s) on a "
			"1 MB host: expected 0, got %d", (unsigned long long)page,
			perms_name, r);
		return false;
	}
	return true;
}

static bool run_ept_fetch(struct ww_test *t, const uint8_t *code, size_t len,
			  uint64_t addr, uint64_t page, const char *what)
{
	WestworldHost *host;
	KvmRegs r0;
	uint32_t reason;
	bool ok = false;

	host = ww_host_with(t, 1, code, len, addr);
	if (host == NULL)
		return false;
	if (!ept_restrict(t, host, page, EPT_READ | EPT_WRITE, "EPT_READ | EPT_WRITE"))
		goto out;
	r0 = host->brain->regs;
	if (!run_once(t, host->brain, what, &reason))
		goto out;
	EXPECT(t, reason == KVM_EXIT_INTERNAL_ERROR, "kvm_run() on %s: expected "
	       "exit_reason %s (a fetch the EPT refuses), got %s", what,
	       ww_exit_name(KVM_EXIT_INTERNAL_ERROR), ww_exit_name(reason));
	EXPECT(t, host->brain->kvm_run->internal.suberror ==
	       KVM_INTERNAL_ERROR_EMULATION, "kvm_run() on %s: internal.suberror "
	       "%u, expected KVM_INTERNAL_ERROR_EMULATION (1)", what,
	       host->brain->kvm_run->internal.suberror);
	EXPECT(t, host->brain->regs.rax == r0.rax, "kvm_run() on %s: RAX went "
	       "0x%llx -> 0x%llx, the refused instruction must not execute", what,
	       (unsigned long long)r0.rax, (unsigned long long)host->brain->regs.rax);
	ok = true;
out:
	ww_retire(host);
	return ok;
}

static bool run_ept_write(struct ww_test *t)
{
	/* mov al, [0x9000] ; mov [0x9001], al ; hlt */
	static const uint8_t code[] = { 0xa0, 0x00, 0x90, 0xa2, 0x01, 0x90, 0xf4 };
	const char *what = H_("`mov al, [0x9000]; mov [0x9001], al; hlt` at 0x7c00 of "
			   "a 1 MB host whose EPT maps page 0x9000 EPT_READ only "
			   "(0x33 at 0x9000)");
	WestworldHost *host;
	KvmRun *run;
	uint8_t *mem;
	bool ok = false;

	host = ww_host_with(t, 1, code, sizeof(code), WW_GUEST_ENTRY);
	if (host == NULL)
		return false;
	mem = host->park->guest_memory;
	mem[0x9000] = 0x33;
	if (!ept_restrict(t, host, 0x9000, EPT_READ, "EPT_READ"))
		goto out;
	run = host->brain->kvm_run;
	if (!run_expect(t, host->brain, KVM_EXIT_MMIO, what))
		goto out;
	EXPECT(t, run->mmio.phys_addr == 0x9001 && run->mmio.len == 1 &&
	       run->mmio.is_write == 1 && run->mmio.data[0] == 0x33,
	       "kvm_run() on %s: expected an MMIO write of 1 byte 0x33 (read "
	       "from the read-only page) at 0x9001, got phys_addr 0x%llx len %u "
	       "is_write %u data[0] 0x%02x", what,
	       (unsigned long long)run->mmio.phys_addr, run->mmio.len,
	       run->mmio.is_write, run->mmio.data[0]);
	EXPECT(t, mem[0x9001] == 0, "kvm_run() on %s: the write the EPT refused "
	       "reached guest memory (0x%02x at 0x9001)", what, mem[0x9001]);
	if (!run_expect(t, host->brain, KVM_EXIT_HLT, H_("the same vCPU after the MMIO "
			"write exit")))
		goto out;
	EXPECT(t, mem[0x9001] == 0, "the MMIO write at 0x9001 (a page the EPT maps "
	       "read-only) reached guest memory on the next kvm_run() (0x%02x)",
	       mem[0x9001]);
	ok = true;
out:
	ww_retire(host);
	return ok;
}

/* A slot that starts at guest-physical 0x10000: below it no slot backs
 * anything.  A load from 0x100 is MMIO, RIP 0x100 fails the entry, and
 * DS.base 0x1000 reaches the slot's first byte. */
static bool run_slot_above(struct ww_test *t)
{
	/* mov al, [0x0100] ; out 0x80, al ; mov ax, 0x1000 ; mov ds, ax ;
	 * mov al, [0x0000] ; hlt */
	static const uint8_t code[] = { 0xa0, 0x00, 0x01, 0xe6, 0x80, 0xb8, 0x00, 0x10,
					0x8e, 0xd8, 0xa0, 0x00, 0x00, 0xf4 };
	const char *what = H_("`mov al, [0x100]` at 0x10000, in a VM whose only slot is "
			   "4 KiB at guest-physical 0x10000");
	struct bare bare;
	KvmVcpu *vcpu;
	uint32_t reason;
	bool ok = false;
	int b;

	if (!bare_create_at(t, &bare, 0x10000, code, sizeof(code), 0))
		return false;
	vcpu = bare.vcpu;
	vcpu->regs.rip = 0x100;
	if (!run_once(t, vcpu, H_("a vCPU with RIP 0x100 in a VM whose only slot starts "
		      "at 0x10000"), &reason))
		goto out;
	EXPECT(t, reason == KVM_EXIT_FAIL_ENTRY, "kvm_run() with RIP 0x100, below the "
	       "VM's only slot (0x10000 - 0x10fff): RIP is outside guest memory, "
	       "expected %s, got %s", ww_exit_name(KVM_EXIT_FAIL_ENTRY),
	       ww_exit_name(reason));
	vcpu->regs.rip = 0x10000;
	if (!run_once(t, vcpu, what, &reason))
		goto out;
	EXPECT(t, reason == KVM_EXIT_MMIO && vcpu->kvm_run->mmio.phys_addr == 0x100 &&
	       !vcpu->kvm_run->mmio.is_write && vcpu->kvm_run->mmio.len == 1,
	       "kvm_run() on %s: 0x100 is below the slot, no memory backs it: "
	       "expected an MMIO read of 1 byte at 0x100, got %s (phys_addr 0x%llx)",
	       what, ww_exit_name(reason),
	       (unsigned long long)vcpu->kvm_run->mmio.phys_addr);
	vcpu->kvm_run->mmio.data[0] = 0x5c;
	if (!run_expect(t, vcpu, KVM_EXIT_IO, H_("the MMIO read at 0x100 answered with "
			"0x5c, then `out 0x80, al`")))
		goto out;
	b = ww_io_byte(t, vcpu, "`out 0x80, al`");
	if (b < 0)
		goto out;
	EXPECT(t, b == 0x5c, "the VMM answered the MMIO read at 0x100 (below the slot) "
	       "with 0x5c, then `out 0x80, al` wrote 0x%02x", b);
	if (!run_expect(t, vcpu, KVM_EXIT_HLT, H_("`mov ax, 0x1000; mov ds, ax; mov al, "
			"[0]; hlt` (DS.base 0x10000: the slot's first byte)")))
		goto out;
	EXPECT(t, (vcpu->regs.rax & 0xff) == 0xa0, "`mov al, [0]` with DS.base "
	       "0x10000, in a slot at guest-physical 0x10000: expected AL 0xa0 (the "
	       "slot's first byte, host_addr + 0), got 0x%02llx",
	       (unsigned long long)(vcpu->regs.rax & 0xff));
	ok = true;
out:
	bare_release(&bare);
	return ok;
}

void test_run_exits(struct ww_test *t)
{
	/* inc ax ; hlt */
	static const uint8_t inc_hlt[] = { 0x40, 0xf4 };
	/* mov al, 1 ; hlt */
	static const uint8_t mov_hlt[] = { 0xb0, 0x01, 0xf4 };
	size_t i;

	for (i = 0; i < sizeof(g_undecodable) / sizeof(g_undecodable[0]); i++)
		if (!run_undecodable(t, &g_undecodable[i]))
			return;
	if (!run_bad_entry(t, 0, 0x100, H_("`mov al, 1; mov [0x800], al; hlt` at 0x100 "
			   "with RFLAGS 0 (bit 1 clear)")) ||
	    !run_bad_entry(t, WW_RFLAGS_ZF | WW_RFLAGS_IF, 0x100, H_("`mov al, 1; "
			   "mov [0x800], al; hlt` at 0x100 with RFLAGS 0x240 (ZF and "
			   "IF set, bit 1 clear)")) ||
	    !run_bad_entry(t, WW_RFLAGS_FIXED, BARE_SIZE, H_("a 4 KiB guest with RIP "
			   "0x1000 (= memory_size; the page after it is inaccessible)")) ||
	    !run_bad_entry(t, WW_RFLAGS_FIXED, BARE_SIZE + 0x100, H_("a 4 KiB guest "
			   "with RIP 0x1100 (past memory_size)")) ||
	    !run_bad_entry(t, WW_RFLAGS_FIXED, 0x10100, H_("a 4 KiB guest with RIP "
			   "0x10100 (past memory_size; RIP is not truncated to 16 "
			   "bits, 0x100 holds code)")) ||
	    !run_bad_entry(t, WW_RFLAGS_FIXED, UINT64_MAX, H_("a 4 KiB guest with RIP "
			   "0xffffffffffffffff")))
		return;
	for (i = 0; i < sizeof(g_cut) / sizeof(g_cut[0]); i++)
		if (!run_cut(t, &g_cut[i]))
			return;
	if (!run_exact_fit(t))
		return;
	if (!run_ept_fetch(t, inc_hlt, sizeof(inc_hlt), WW_GUEST_ENTRY, WW_GUEST_ENTRY,
			   H_("`inc ax; hlt` (40 F4) at 0x7c00 of a 1 MB host whose EPT "
			   "maps page 0x7000 without EPT_EXEC")))
		return;
	if (!run_ept_fetch(t, mov_hlt, sizeof(mov_hlt), 0x7fff, 0x8000,
			   H_("`mov al, 1; hlt` at 0x7fff of a 1 MB host whose EPT maps "
			   "page 0x8000 (the immediate and the hlt) without EPT_EXEC")))
		return;
	if (!run_ept_write(t))
		return;
	run_slot_above(t);
}

/* ---- test_run_halted ---------------------------------------------------- */

void test_run_halted(struct ww_test *t)
{
	/* hlt ; mov al, 1 ; hlt */
	static const uint8_t code[] = { 0xf4, 0xb0, 0x01, 0xf4 };
	/* mov al, 2 ; hlt */
	static const uint8_t again[] = { 0xb0, 0x02, 0xf4 };
	WestworldHost *host;
	KvmVcpu *vcpu;
	KvmRegs r0;
	uint64_t e0, n0;
	int i, r;

	host = ww_host_with(t, 1, code, sizeof(code), WW_GUEST_ENTRY);
	if (host == NULL)
		return;
	vcpu = host->brain;
	if (!run_expect(t, vcpu, KVM_EXIT_HLT, "`hlt; mov al, 1; hlt` at 0x7c00"))
		goto out;
	EXPECT(t, vcpu->regs.rip == WW_GUEST_ENTRY + 1, "`hlt` at 0x7c00: expected "
	       "RIP 0x7c01 after it (past the hlt), got 0x%llx",
	       (unsigned long long)vcpu->regs.rip);
	EXPECT(t, vcpu->halted, "`hlt` at 0x7c00 exited with HLT but vcpu->halted "
	       "is false");
	for (i = 1; i <= 2; i++) {
		r0 = vcpu->regs;
		e0 = vcpu->exits;
		n0 = vcpu->instructions;
		/* the second time, the VMM scribbled on kvm_run: an exit is
		 * described anew, and the vCPU is halted whatever kvm_run says */
		if (i == 2)
			vcpu->kvm_run->exit_reason = KVM_EXIT_UNKNOWN;
		if (!run_expect(t, vcpu, KVM_EXIT_HLT, i == 2 ? H_("a halted vCPU (after "
				"`hlt` at 0x7c00; `mov al, 1; hlt` follows it; the VMM "
				"set kvm_run->exit_reason to 0 before the run)") :
				H_("a halted vCPU (after `hlt` at 0x7c00; `mov al, 1; hlt` "
				"follows it)")))
			goto out;
		EXPECT(t, vcpu->exits == e0 + 1 && vcpu->instructions == n0,
		       "kvm_run() #%d on a halted vCPU: one more VM exit taken and no "
		       "instruction retired, expected exits %llu and instructions "
		       "%llu, got %llu and %llu", i + 1, (unsigned long long)(e0 + 1),
		       (unsigned long long)n0, (unsigned long long)vcpu->exits,
		       (unsigned long long)vcpu->instructions);
		EXPECT(t, !memcmp(&r0, &vcpu->regs, sizeof(r0)), "kvm_run() #%d on a "
		       "halted vCPU (after `hlt` at 0x7c00, `mov al, 1; hlt` after "
		       "it): the vCPU must stay halted and execute nothing, but RIP "
		       "went 0x%llx -> 0x%llx and AL 0x%02x -> 0x%02x", i + 1,
		       (unsigned long long)r0.rip, (unsigned long long)vcpu->regs.rip,
		       (unsigned)(uint8_t)r0.rax, (unsigned)(uint8_t)vcpu->regs.rax);
	}
	ww_phase("ford_implants_memories(host, {%s}, %zu, 0x8000) on a halted vCPU",
		 ww_hex(again, sizeof(again)), sizeof(again));
	r = ford_implants_memories(host, again, sizeof(again), 0x8000);
	EXPECT(t, r == 0, "ford_implants_memories(host, {%s}, %zu, 0x8000) on a "
	       "halted 1 MB host: expected 0, got %d", ww_hex(again, sizeof(again)),
	       sizeof(again), r);
	EXPECT(t, !vcpu->halted, "ford_implants_memories() on a halted vCPU "
	       "returned 0 but vcpu->halted is still true: a new entry point wakes it");
	e0 = vcpu->exits;
	n0 = vcpu->instructions;
	if (!run_expect(t, vcpu, KVM_EXIT_HLT, H_("`mov al, 2; hlt` implanted at "
			"0x8000 after the vCPU halted")))
		goto out;
	/* the hlt that exits may count as retired or not: its RIP moved */
	EXPECT(t, vcpu->exits == e0 + 1 && vcpu->instructions >= n0 + 1 &&
	       vcpu->instructions <= n0 + 2, "`mov al, 2; hlt` run to its HLT exit: "
	       "expected exits to grow by 1 (VM exits taken) and instructions by 1 "
	       "or 2 (instructions retired), got exits %llu -> %llu and "
	       "instructions %llu -> %llu", (unsigned long long)e0,
	       (unsigned long long)vcpu->exits, (unsigned long long)n0,
	       (unsigned long long)vcpu->instructions);
	EXPECT(t, (uint8_t)vcpu->regs.rax == 2 && vcpu->regs.rip == 0x8003,
	       "`mov al, 2; hlt` implanted at 0x8000 after the vCPU halted: "
	       "expected AL 0x02 and RIP 0x8003 after its hlt, got AL 0x%02x and "
	       "RIP 0x%llx", (unsigned)(uint8_t)vcpu->regs.rax,
	       (unsigned long long)vcpu->regs.rip);
out:
	ww_retire(host);
}

/* ---- test_run_arguments ------------------------------------------------- */

static bool seg_zero(const KvmSegment *s)
{
	return s->selector == 0 && s->base == 0;
}

void test_run_arguments(struct ww_test *t)
{
	KvmDevice *kvm = NULL, *kvm2 = NULL;
	KvmVm *vm = NULL;
	KvmVcpu *vcpu = NULL, *vcpu3 = NULL;
	KvmVcpu *bad;
	KvmRegs r0;
	KvmSregs *s;
	size_t i;
	int r;

	ww_phase("kvm_run(NULL)");
	r = kvm_run(NULL);
	EXPECT(t, r == -1, "kvm_run(NULL): expected -1, got %d", r);

	ww_phase("kvm_open()");
	kvm = kvm_open();
	EXPECT(t, kvm != NULL, "kvm_open(): expected a device, got NULL");
	ww_phase("kvm_open() (a second time)");
	kvm2 = kvm_open();
	EXPECT(t, kvm2 != NULL, "kvm_open() a second time: expected a device, got "
	       "NULL");
	EXPECT(t, kvm->fd > 0 && kvm2->fd > 0 && kvm->fd != kvm2->fd,
	       "kvm_open() twice: expected two fds > 0 that differ (fds are unique "
	       "per process), got %d and %d", kvm->fd, kvm2->fd);
	EXPECT(t, kvm->api_version == KVM_API_VERSION &&
	       kvm2->api_version == KVM_API_VERSION, "kvm_open() twice: expected "
	       "api_version %d on both devices, got %d and %d", KVM_API_VERSION,
	       kvm->api_version, kvm2->api_version);
	ww_phase("kvm_close() (the second device)");
	kvm_close(kvm2);
	kvm2 = NULL;

	ww_phase("kvm_create_vm(kvm)");
	vm = kvm_create_vm(kvm);
	EXPECT(t, vm != NULL, "kvm_create_vm(kvm): expected a VM, got NULL");
	ww_phase("kvm_create_vcpu(vm, -1)");
	bad = kvm_create_vcpu(vm, -1);
	if (bad != NULL) {
		ww_phase("kvm_destroy_vcpu() of the vCPU -1");
		kvm_destroy_vcpu(bad);
	}
	EXPECT(t, bad == NULL, "kvm_create_vcpu(vm, -1): expected NULL (vcpu_id < 0), "
	       "got a vCPU");
	ww_phase("kvm_create_vcpu(vm, INT_MIN)");
	bad = kvm_create_vcpu(vm, INT_MIN);
	if (bad != NULL) {
		ww_phase("kvm_destroy_vcpu() of the vCPU INT_MIN");
		kvm_destroy_vcpu(bad);
	}
	EXPECT(t, bad == NULL, "kvm_create_vcpu(vm, INT_MIN): expected NULL "
	       "(vcpu_id < 0), got a vCPU");

	ww_phase("kvm_create_vcpu(vm, 0) (the VM has no memory slot yet)");
	vcpu = kvm_create_vcpu(vm, 0);
	EXPECT(t, vcpu != NULL, "kvm_create_vcpu(vm, 0) on a VM with no memory slot "
	       "yet: expected a vCPU, got NULL");
	EXPECT(t, vcpu->vm == vm, "kvm_create_vcpu(vm, 0): vcpu->vm is %p, expected "
	       "vm (%p)", (void *)vcpu->vm, (void *)vm);
	EXPECT(t, vcpu->vcpu_id == 0, "kvm_create_vcpu(vm, 0): vcpu_id is %d, "
	       "expected 0", vcpu->vcpu_id);
	EXPECT(t, vcpu->regs.rip == 0, "kvm_create_vcpu(vm, 0): RIP is 0x%llx, "
	       "expected 0", (unsigned long long)vcpu->regs.rip);
	EXPECT(t, vcpu->regs.rflags == WW_RFLAGS_FIXED, "kvm_create_vcpu(vm, 0): "
	       "RFLAGS is 0x%llx, expected 0x2", (unsigned long long)vcpu->regs.rflags);
	s = &vcpu->sregs;
	EXPECT(t, seg_zero(&s->cs) && seg_zero(&s->ds) && seg_zero(&s->es) &&
	       seg_zero(&s->ss), "kvm_create_vcpu(vm, 0): expected CS, DS, ES and "
	       "SS with selector 0 and base 0 (real mode), got CS %04x/0x%llx, DS "
	       "%04x/0x%llx, ES %04x/0x%llx, SS %04x/0x%llx (selector/base)",
	       s->cs.selector, (unsigned long long)s->cs.base, s->ds.selector,
	       (unsigned long long)s->ds.base, s->es.selector,
	       (unsigned long long)s->es.base, s->ss.selector,
	       (unsigned long long)s->ss.base);
	EXPECT(t, s->cr0 == 0x60000010, "kvm_create_vcpu(vm, 0): CR0 is 0x%llx, "
	       "expected 0x60000010 (CD, NW, ET: real mode, paging off)",
	       (unsigned long long)s->cr0);
	EXPECT(t, !vcpu->halted, "kvm_create_vcpu(vm, 0): a new vCPU is halted");
	EXPECT(t, vcpu->kvm_run != NULL && vcpu->kvm_run_size == KVM_RUN_MMAP_SIZE,
	       "kvm_create_vcpu(vm, 0): expected the kvm_run mapping of "
	       "KVM_RUN_MMAP_SIZE (%u) bytes, got kvm_run %p with kvm_run_size %zu",
	       KVM_RUN_MMAP_SIZE, (void *)vcpu->kvm_run, vcpu->kvm_run_size);
	ww_phase("writing every byte of the kvm_run mapping (KVM_RUN_MMAP_SIZE "
		 "bytes, the PIO data page included)");
	for (i = 0; i < KVM_RUN_MMAP_SIZE; i++)
		((volatile uint8_t *)vcpu->kvm_run)[i] = 0;

	r0 = vcpu->regs;
	ww_phase("kvm_run() on a vCPU whose VM has no memory slot");
	r = kvm_run(vcpu);
	EXPECT(t, r == -1, "kvm_run() on a vCPU whose VM has no memory slot: "
	       "expected -1, got %d", r);
	EXPECT(t, !memcmp(&r0, &vcpu->regs, sizeof(r0)), "kvm_run() on a vCPU whose "
	       "VM has no memory slot returned -1 but changed the registers (RIP "
	       "0x%llx -> 0x%llx)", (unsigned long long)r0.rip,
	       (unsigned long long)vcpu->regs.rip);

	ww_phase("kvm_create_vcpu(vm, 3) (vCPU 0 exists)");
	vcpu3 = kvm_create_vcpu(vm, 3);
	EXPECT(t, vcpu3 != NULL, "kvm_create_vcpu(vm, 3) next to vCPU 0: expected "
	       "a vCPU, got NULL");
	EXPECT(t, vcpu3->vcpu_id == 3 && vcpu3->vm == vm, "kvm_create_vcpu(vm, 3): "
	       "expected vcpu_id 3 and vcpu->vm == vm, got vcpu_id %d and vm %p "
	       "(vm is %p)", vcpu3->vcpu_id, (void *)vcpu3->vm, (void *)vm);
	EXPECT(t, vm->fd > 0 && vm->fd != kvm->fd && vcpu3->fd > 0 &&
	       vcpu3->fd != vcpu->fd && vcpu3->fd != vm->fd &&
	       vcpu3->fd != kvm->fd && vcpu->fd > 0 && vcpu->fd != vm->fd &&
	       vcpu->fd != kvm->fd, "fds of the device, the VM, vCPU 0 and vCPU 3: "
	       "expected four different fds > 0 (unique per process), got %d, %d, "
	       "%d and %d", kvm->fd, vm->fd, vcpu->fd, vcpu3->fd);
	EXPECT(t, vcpu3->kvm_run != NULL && vcpu3->kvm_run != vcpu->kvm_run,
	       "kvm_create_vcpu(vm, 3): expected its own kvm_run mapping, got %p "
	       "(vCPU 0's is %p)", (void *)vcpu3->kvm_run, (void *)vcpu->kvm_run);
	ww_phase("kvm_destroy_vcpu() of vCPU 3");
	kvm_destroy_vcpu(vcpu3);
	vcpu3 = NULL;

	ww_phase("kvm_set_user_memory_region(vm, 0, 0, 4 KiB, NULL) after vCPU 0 "
		 "was created");
	r = kvm_set_user_memory_region(vm, 0, 0, WW_PAGE_SIZE, NULL);
	EXPECT(t, r == 0, "kvm_set_user_memory_region(vm, 0, 0, 4 KiB, NULL): "
	       "expected 0, got %d", r);
	EXPECT(t, vm->guest_memory != NULL, "kvm_set_user_memory_region(vm, 0, 0, "
	       "4 KiB, NULL) returned 0 but vm->guest_memory is NULL");
	vm->guest_memory[0] = 0xf4;
	/* "-1 only if vcpu is NULL, has no VM or no memory slot" */
	r0 = vcpu->regs;
	vcpu->vm = NULL;
	ww_phase("kvm_run() on a vCPU whose vm is NULL");
	r = kvm_run(vcpu);
	vcpu->vm = vm;
	EXPECT(t, r == -1, "kvm_run() on a vCPU with no VM (vcpu->vm NULL): expected "
	       "-1, got %d", r);
	EXPECT(t, !memcmp(&r0, &vcpu->regs, sizeof(r0)), "kvm_run() on a vCPU with no "
	       "VM returned -1 but changed the registers (RIP 0x%llx -> 0x%llx)",
	       (unsigned long long)r0.rip, (unsigned long long)vcpu->regs.rip);
	if (!run_expect(t, vcpu, KVM_EXIT_HLT, H_("`hlt` at 0 by vCPU 0, created before "
			"the VM's memory slot was set")))
		goto out;
out:
	ww_release_kvm(vcpu3, NULL, kvm2);
	ww_release_kvm(vcpu, vm, kvm);
}

/* ---- test_memory_region_refusals ---------------------------------------- */

#define RSS_LIMIT (64ull * 1024 * 1024)

struct slot_view {
	uint32_t slot;
	uint64_t guest_phys_addr, memory_size;
	uint8_t *guest_memory;
	bool     owns_memory;
};

static struct slot_view slot_of(const KvmVm *vm)
{
	struct slot_view v = { vm->slot, vm->guest_phys_addr, vm->memory_size,
			       vm->guest_memory, vm->owns_memory };
	return v;
}

static bool same_slot(const struct slot_view *a, const struct slot_view *b)
{
	return a->slot == b->slot && a->guest_phys_addr == b->guest_phys_addr &&
	       a->memory_size == b->memory_size &&
	       a->guest_memory == b->guest_memory && a->owns_memory == b->owns_memory;
}

struct refusal {
	const char *why;
	uint32_t    slot;
	uint64_t    guest_addr;
	uint64_t    size;
	size_t      host_off;   /* host_addr: the caller's buffer + this; ~0: NULL */
};

#define HOST_NULL ((size_t)-1)

static const struct refusal g_refusals[] = {
	{ HN_("size not a multiple of 4 KiB"), 0, 0, 1000, HOST_NULL },
	{ HN_("size not a multiple of 4 KiB"), 0, 0, 0x1800, HOST_NULL },
	{ HN_("size not a multiple of 4 KiB"), 0, 0, WW_MIB + 1, HOST_NULL },
	{ HN_("guest_addr not a multiple of 4 KiB"), 0, 0x800, WW_MIB, HOST_NULL },
	{ HN_("guest_addr not a multiple of 4 KiB"), 0, 0x100001, 0x1000, HOST_NULL },
	{ HN_("host_addr not page aligned"), 0, 0, 0x1000, 8 },
	{ HN_("host_addr not page aligned"), 0, 0, 0x1000, 2048 },
	{ HN_("guest_addr + size overflows 64 bits"), 0, 0xfffffffffffff000ull, 0x2000,
	  HOST_NULL },
	{ HN_("guest_addr + size overflows 64 bits (to exactly 0)"), 0,
	  0xfffffffffffff000ull, 0x1000, HOST_NULL },
	{ HN_("guest_addr + size overflows 64 bits (to exactly 0)"), 0, 0x1000,
	  0xfffffffffffff000ull, HOST_NULL },
	{ HN_("guest_addr + size passes EPT_MAX_GPA"), 0, EPT_MAX_GPA - 0x1000, 0x2000,
	  HOST_NULL },
	{ HN_("the slot starts at EPT_MAX_GPA"), 0, EPT_MAX_GPA, 0x1000, HOST_NULL },
	{ HN_("size passes EPT_MAX_GPA"), 0, 0, EPT_MAX_GPA + 0x1000, HOST_NULL },
	{ "size 0", 0, 0, 0, HOST_NULL },
	{ HN_("slot 1 (only slot 0 exists)"), 1, 0, 0x1000, HOST_NULL },
};

/* One VM with one slot set by a call that must succeed; false (t failed) if
 * not.  vm is left for the caller to release. */
static bool region_ok(struct ww_test *t, KvmDevice *kvm, KvmVm **vm,
		      uint64_t gpa, uint64_t size, const char *what)
{
	int r;

	ww_phase("kvm_create_vm(kvm)");
	*vm = kvm_create_vm(kvm);
	if (*vm == NULL) {
		ww_fail(t, "kvm_create_vm(kvm): expected a VM, got NULL");
		return false;
	}
	ww_phase("kvm_set_user_memory_region(vm, 0, 0x%llx, 0x%llx, NULL) (%s)",
		 (unsigned long long)gpa, (unsigned long long)size, what);
	if (size >= WW_MIB)
		ww_hint("guest memory touched page by page (memset, MAP_POPULATE)? "
			"A slot the VM maps must be backed lazily");
	r = kvm_set_user_memory_region(*vm, 0, gpa, size, NULL);
	if (r != 0) {
		ww_fail(t, "kvm_set_user_memory_region(vm, 0, 0x%llx, 0x%llx, NULL) "
			"(%s): expected 0, got %d", (unsigned long long)gpa,
			(unsigned long long)size, what, r);
		return false;
	}
	if ((*vm)->guest_phys_addr != gpa || (*vm)->memory_size != size ||
	    (*vm)->guest_memory == NULL || (*vm)->slot != 0) {
		ww_fail(t, "kvm_set_user_memory_region(vm, 0, 0x%llx, 0x%llx, NULL) "
			"(%s) returned 0 but recorded slot %u, guest_phys_addr 0x%llx, "
			"memory_size 0x%llx, guest_memory %p: expected slot 0, 0x%llx, "
			"0x%llx and the VM's mapping", (unsigned long long)gpa,
			(unsigned long long)size, what, (*vm)->slot,
			(unsigned long long)(*vm)->guest_phys_addr,
			(unsigned long long)(*vm)->memory_size,
			(void *)(*vm)->guest_memory, (unsigned long long)gpa,
			(unsigned long long)size);
		return false;
	}
	return true;
}

static void destroy_vm(KvmVm **vm)
{
	if (*vm != NULL) {
		ww_phase("kvm_destroy_vm()");
		kvm_destroy_vm(*vm);
		*vm = NULL;
	}
}

void test_memory_region_refusals(struct ww_test *t)
{
	const uint64_t four_gib = 4096ull * WW_MIB;
	KvmDevice *kvm = NULL;
	KvmVm *vm = NULL;
	EptContext *ept = NULL;
	bool hit;
	uint8_t *buf = MAP_FAILED;
	struct slot_view v0, v1;
	uint64_t rss0, rss1;
	size_t i;
	int r;

	buf = mmap(NULL, 2 * WW_PAGE_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	EXPECT(t, buf != MAP_FAILED, "harness: cannot map the caller's buffer");
	ww_phase("kvm_open()");
	kvm = kvm_open();
	EXPECT(t, kvm != NULL, "kvm_open(): expected a device, got NULL");
	ww_phase("kvm_create_vm(kvm)");
	vm = kvm_create_vm(kvm);
	EXPECT(t, vm != NULL, "kvm_create_vm(kvm): expected a VM, got NULL");
	v0 = slot_of(vm);
	for (i = 0; i < sizeof(g_refusals) / sizeof(g_refusals[0]); i++) {
		const struct refusal *f = &g_refusals[i];
		void *host = f->host_off == HOST_NULL ? NULL : buf + f->host_off;
		char hname[48];

		if (host == NULL)
			snprintf(hname, sizeof(hname), H_("NULL"));
		else
			snprintf(hname, sizeof(hname), H_("buffer + %zu"), f->host_off);
		ww_phase("kvm_set_user_memory_region(vm, %u, 0x%llx, 0x%llx, %s) (%s)",
			 f->slot, (unsigned long long)f->guest_addr,
			 (unsigned long long)f->size, hname, H_(f->why));
		r = kvm_set_user_memory_region(vm, f->slot, f->guest_addr, f->size, host);
		EXPECT(t, r == -1, "kvm_set_user_memory_region(vm, %u, 0x%llx, 0x%llx, "
		       "%s) on a VM with no slot: %s, expected -1, got %d", f->slot,
		       (unsigned long long)f->guest_addr, (unsigned long long)f->size,
		       hname, H_(f->why), r);
		v1 = slot_of(vm);
		EXPECT(t, same_slot(&v0, &v1), "kvm_set_user_memory_region(vm, %u, "
		       "0x%llx, 0x%llx, %s) (%s) returned -1 but changed the VM: "
		       "memory_size 0x%llx, guest_phys_addr 0x%llx, guest_memory %p "
		       "(expected 0, 0 and NULL: a refusal changes nothing)", f->slot,
		       (unsigned long long)f->guest_addr, (unsigned long long)f->size,
		       hname, H_(f->why), (unsigned long long)v1.memory_size,
		       (unsigned long long)v1.guest_phys_addr, (void *)v1.guest_memory);
	}

	/* the mapping fails: -1, and nothing changed (owns_memory neither) */
	ww_phase("kvm_set_user_memory_region(vm, 0, 0, 0x4000, NULL) with its first "
		 "allocation made to fail");
	ww_alloc_fail_at(1);
	r = kvm_set_user_memory_region(vm, 0, 0, 0x4000, NULL);
	hit = ww_board->fail_hit;
	ww_alloc_fail_at(0);
	if (hit) {
		EXPECT(t, r == -1, "kvm_set_user_memory_region(vm, 0, 0, 0x4000, NULL) "
		       "whose mapping fails (its first allocation made to fail): "
		       "expected -1, got %d", r);
		v1 = slot_of(vm);
		EXPECT(t, same_slot(&v0, &v1), "kvm_set_user_memory_region(vm, 0, 0, "
		       "0x4000, NULL) whose mapping fails returned -1 but changed the "
		       "VM: memory_size 0x%llx, guest_memory %p, owns_memory %s "
		       "(a refusal changes nothing)", (unsigned long long)v1.memory_size,
		       (void *)v1.guest_memory, vm->owns_memory ? "true" : "false");
	}

	ww_phase("kvm_set_user_memory_region(vm, 0, 0, 0x4000, NULL) after the "
		 "refusals");
	r = kvm_set_user_memory_region(vm, 0, 0, 0x4000, NULL);
	EXPECT(t, r == 0, "kvm_set_user_memory_region(vm, 0, 0, 0x4000, NULL) on a "
	       "VM whose previous calls were all refused: expected 0, got %d", r);
	EXPECT(t, vm->memory_size == 0x4000 && vm->guest_memory != NULL,
	       "kvm_set_user_memory_region(vm, 0, 0, 0x4000, NULL) returned 0 but "
	       "memory_size is 0x%llx and guest_memory %p",
	       (unsigned long long)vm->memory_size, (void *)vm->guest_memory);
	v0 = slot_of(vm);
	ww_phase("kvm_set_user_memory_region(vm, 0, 0x10000, 0x8000, NULL) (the slot "
		 "is already set)");
	r = kvm_set_user_memory_region(vm, 0, 0x10000, 0x8000, NULL);
	EXPECT(t, r == -1, "kvm_set_user_memory_region(vm, 0, 0x10000, 0x8000, NULL) "
	       "on a VM whose slot 0 is already set: expected -1, got %d", r);
	v1 = slot_of(vm);
	EXPECT(t, same_slot(&v0, &v1), "kvm_set_user_memory_region() on a VM whose "
	       "slot 0 is already set returned -1 but changed it: guest_phys_addr "
	       "0x%llx -> 0x%llx, memory_size 0x%llx -> 0x%llx, guest_memory %p -> %p",
	       (unsigned long long)v0.guest_phys_addr,
	       (unsigned long long)v1.guest_phys_addr,
	       (unsigned long long)v0.memory_size, (unsigned long long)v1.memory_size,
	       (void *)v0.guest_memory, (void *)v1.guest_memory);
	ww_phase("writing the last byte of the 0x4000-byte slot");
	vm->guest_memory[0x3fff] = 0x5a;
	/* the EPT the VM walks is the VMM's: destroying the VM leaves it */
	ww_phase("ept_create(0x4000) for the VM to walk (vm->ept, borrowed)");
	ept = ept_create(0x4000);
	EXPECT(t, ept != NULL, "ept_create(0x4000): expected an EPT, got NULL");
	vm->ept = ept;
	destroy_vm(&vm);
	ww_phase("ept_translate() of the VMM's EPT after kvm_destroy_vm() of the VM "
		 "that walked it (\"its EPT is not its own\")");
	(void)ept_translate(ept, 0, EPT_READ);
	ww_phase("ept_destroy() of the VMM's EPT after kvm_destroy_vm() of the VM "
		 "that walked it (\"its EPT is not its own\")");
	ept_destroy(ept);
	ept = NULL;

	if (!region_ok(t, kvm, &vm, EPT_MAX_GPA - 0x1000, 0x1000, H_("a slot ending "
		       "exactly at EPT_MAX_GPA")))
		goto out;
	destroy_vm(&vm);
	if (!region_ok(t, kvm, &vm, 0x100000, 0x4000, H_("a slot at guest-physical "
		       "1 MiB")))
		goto out;
	destroy_vm(&vm);

	rss0 = ww_rss();
	if (!region_ok(t, kvm, &vm, 0, four_gib, H_("4 GiB, mapped by the VM")))
		goto out;
	ww_phase("writing the first and the last byte of a 4 GiB slot");
	vm->guest_memory[0] = 0x11;
	vm->guest_memory[four_gib - 1] = 0x22;
	rss1 = ww_rss();
	EXPECT(t, rss1 < rss0 || rss1 - rss0 < RSS_LIMIT, "kvm_set_user_memory_region"
	       "(vm, 0, 0, 4 GiB, NULL) and two bytes written made the process grow "
	       "by %llu MiB: guest memory must be mapped lazily (anonymous mmap), "
	       "not touched", (unsigned long long)((rss1 - rss0) >> 20));
out:
	destroy_vm(&vm);
	if (ept) {
		ww_phase("ept_destroy()");
		ept_destroy(ept);
	}
	if (kvm) {
		ww_phase("kvm_close()");
		kvm_close(kvm);
	}
	if (buf != MAP_FAILED)
		munmap(buf, 2 * WW_PAGE_SIZE);
}
