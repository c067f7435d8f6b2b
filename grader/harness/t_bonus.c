/* t_bonus.c - the bonus table: CPUID, RDTSC and VMCALL exits answered by the
 * VMM, and maeve_tries_to_escape()
 *
 * maeve_tries_to_escape() is declared weak: a base submission does not
 * define it, links all the same, and its maeve tests are not run.
 *
 * Longer than ~500 lines for its cases: the bonus table is one part of the
 * contract (three exits and the detector), its tests one file.
 */
#include "harness.h"

#include <stdio.h>
#include <string.h>

#pragma weak maeve_tries_to_escape

static const char *escape_name(EscapeAttempt e)
{
	switch (e) {
	case ESCAPE_NONE:            return "ESCAPE_NONE";
	case ESCAPE_CPUID_DETECT:    return "ESCAPE_CPUID_DETECT";
	case ESCAPE_TIMING_ATTACK:   return "ESCAPE_TIMING_ATTACK";
	case ESCAPE_MEMORY_PROBE:    return "ESCAPE_MEMORY_PROBE";
	case ESCAPE_HYPERCALL_ABUSE: return "ESCAPE_HYPERCALL_ABUSE";
	default:                     return H_("an unknown EscapeAttempt");
	}
}

static bool have_maeve(struct ww_test *t)
{
	if (maeve_tries_to_escape != NULL)
		return true;
	t->skipped = true;
	snprintf(t->msg, sizeof(t->msg), H_("maeve_tries_to_escape() is not defined"));
	return false;
}

/* kvm_run() once, expecting reason; then ford_says_freeze() on the exit
 * unless it is HLT. */
static bool step(struct ww_test *t, WestworldHost *host, uint32_t reason,
		 const char *what)
{
	int r;

	ww_phase("kvm_run() expecting %s after %s", ww_exit_name(reason), what);
	ww_hint("an instruction that never exits?");
	r = kvm_run(host->brain);
	if (r != 0 || host->brain->kvm_run->exit_reason != reason) {
		ww_fail(t, "kvm_run() after %s: expected 0 and %s, got %d and %s", what,
			ww_exit_name(reason), r,
			ww_exit_name(host->brain->kvm_run->exit_reason));
		return false;
	}
	return true;
}

static void freeze(WestworldHost *host, const char *what)
{
	ww_phase("ford_says_freeze() on %s", what);
	ford_says_freeze(host, host->brain->kvm_run);
}

void test_cpuid_hypervisor_bit(struct ww_test *t)
{
	/* mov ax, 1 ; cpuid ; hlt */
	static const uint8_t g[] = { 0xb8, 0x01, 0x00, 0x0f, 0xa2, 0xf4 };
	WestworldHost *host = ww_host_with(t, 1, g, sizeof(g), WW_GUEST_ENTRY);
	uint32_t ecx;

	if (host == NULL)
		return;
	if (!step(t, host, WW_EXIT_CPUID, "`mov ax, 1; cpuid`"))
		goto out;
	EXPECT(t, host->brain->kvm_run->cpuid.function == 1, "`cpuid` with EAX = 1: "
	       "expected cpuid.function 1, got 0x%x", host->brain->kvm_run->cpuid.function);
	freeze(host, H_("the CPUID exit"));
	if (!step(t, host, KVM_EXIT_HLT, H_("the CPUID was answered")))
		goto out;
	ecx = (uint32_t)host->brain->regs.rcx;
	EXPECT(t, ecx & (1u << 31), "`cpuid` leaf 1 answered by ford_says_freeze(): "
	       "ECX is 0x%08x, bit 31 (hypervisor present) must be set", ecx);
out:
	ww_retire(host);
}

void test_cpuid_signature(struct ww_test *t)
{
	/* cpuid ; hlt, with EAX = 0x40000000 set by the VMM */
	static const uint8_t g[] = { 0x0f, 0xa2, 0xf4 };
	WestworldHost *host = ww_host_with(t, 1, g, sizeof(g), WW_GUEST_ENTRY);
	char sig[13];
	uint32_t r[3];

	if (host == NULL)
		return;
	host->brain->regs.rax = 0x40000000;
	if (!step(t, host, WW_EXIT_CPUID, H_("`cpuid` with EAX = 0x40000000")))
		goto out;
	freeze(host, H_("the CPUID exit of leaf 0x40000000"));
	if (!step(t, host, KVM_EXIT_HLT, H_("the CPUID was answered")))
		goto out;
	r[0] = (uint32_t)host->brain->regs.rbx;
	r[1] = (uint32_t)host->brain->regs.rcx;
	r[2] = (uint32_t)host->brain->regs.rdx;
	memcpy(sig, r, 12);
	sig[12] = '\0';
	for (int i = 0; i < 12; i++)
		if (sig[i] && (sig[i] < 0x20 || sig[i] > 0x7e))
			sig[i] = '?';
	EXPECT(t, !memcmp(r, "KVMKVMKVM\0\0\0", 12), "`cpuid` leaf 0x40000000: EBX, "
	       "ECX, EDX spell \"%s\", expected \"KVMKVMKVM\" (0x4b4d564b 0x564b4d56 "
	       "0x0000004d), got 0x%08x 0x%08x 0x%08x", sig, r[0], r[1], r[2]);
out:
	ww_retire(host);
}

/* The guest's n RDTSC exits (rdtsc, then nop...; rdtsc), answered
 * unchanged, then its hlt: the TSC each exit reported. */
static bool read_rdtsc(struct ww_test *t, WestworldHost *host, uint64_t *tsc, int n)
{
	for (int i = 0; i < n; i++) {
		if (!step(t, host, WW_EXIT_RDTSC, i ? "`nop; rdtsc`" : "`rdtsc`"))
			return false;
		tsc[i] = host->brain->kvm_run->rdtsc.tsc;
		freeze(host, H_("the RDTSC exit"));
	}
	return step(t, host, KVM_EXIT_HLT, n == 2 ? H_("the second RDTSC was answered")
					       : H_("the last RDTSC was answered"));
}

/* The nops between two readings in test_rdtsc_per_host's last guest. */
#define TSC_NOPS 2000

void test_rdtsc_per_host(struct ww_test *t)
{
	static const uint8_t g[] = { 0x0f, 0x31, 0x90, 0x0f, 0x31, 0xf4 };
	static uint8_t g_long[3 * 2 + 2 * TSC_NOPS + 1];
	WestworldHost *a, *b = NULL, *c = NULL;
	uint64_t ta[2], tb[2], tc[3];
	uint8_t *p = g_long;

	for (int i = 0; i < 3; i++) {   /* rdtsc, nops, rdtsc, nops, rdtsc, hlt */
		*p++ = 0x0f;
		*p++ = 0x31;
		if (i < 2) {
			memset(p, 0x90, TSC_NOPS);
			p += TSC_NOPS;
		}
	}
	*p = 0xf4;

	a = ww_host_with(t, 1, g, sizeof(g), WW_GUEST_ENTRY);
	if (a == NULL)
		return;
	if (!read_rdtsc(t, a, ta, 2))
		goto out;
	EXPECT(t, ta[1] > ta[0], "`rdtsc; nop; rdtsc`: the second TSC (%llu) is not "
	       "greater than the first (%llu)", (unsigned long long)ta[1],
	       (unsigned long long)ta[0]);
	b = ww_host_with(t, 1, g, sizeof(g), WW_GUEST_ENTRY);
	if (b == NULL)
		goto out;
	if (!read_rdtsc(t, b, tb, 2))
		goto out;
	EXPECT(t, ta[0] == tb[0] && ta[1] == tb[1], "the same `rdtsc; nop; rdtsc` on "
	       "two hosts read %llu, %llu then %llu, %llu: each vCPU has its own "
	       "counter, so both must read the same values", (unsigned long long)ta[0],
	       (unsigned long long)ta[1], (unsigned long long)tb[0],
	       (unsigned long long)tb[1]);
	/* a time stamp counter never runs backwards, whatever an instruction
	 * and an exit cost: many instructions between readings, no exit
	 * between them (a counter that loses a cycle per instruction and
	 * gains a thousand per exit still looks increasing across one nop),
	 * three readings (from 0, a first step backwards wraps) */
	c = ww_host_with(t, 1, g_long, sizeof(g_long), WW_GUEST_ENTRY);
	if (c == NULL || !read_rdtsc(t, c, tc, 3))
		goto out;
	for (int i = 1; i < 3; i++)
		EXPECT(t, tc[i] > tc[i - 1], "`rdtsc`, %d x `nop`, `rdtsc`: the second TSC "
		       "(%llu) is not greater than the first (%llu): a time stamp counter "
		       "never runs backwards", TSC_NOPS, (unsigned long long)tc[i],
		       (unsigned long long)tc[i - 1]);
out:
	ww_retire(a);
	ww_retire(b);
	ww_retire(c);
}

void test_vmcall_exit(struct ww_test *t)
{
	/* mov ax, 1 ; vmcall ; hlt  then  mov ax, 999 ; vmcall ; hlt */
	static const uint8_t g1[] = { 0xb8, 0x01, 0x00, 0x0f, 0x01, 0xc1, 0xf4 };
	static const uint8_t g2[] = { 0xb8, 0xe7, 0x03, 0x0f, 0x01, 0xc1, 0xf4 };
	WestworldHost *host = ww_host_with(t, 1, g1, sizeof(g1), WW_GUEST_ENTRY);
	KvmRun *run;
	int r;

	if (host == NULL)
		return;
	run = host->brain->kvm_run;
	if (!step(t, host, KVM_EXIT_HYPERCALL, "`mov ax, 1; vmcall`"))
		goto out;
	EXPECT(t, run->hypercall.nr == 1, "`vmcall` with RAX = 1: expected "
	       "hypercall.nr 1, got %llu", (unsigned long long)run->hypercall.nr);
	freeze(host, H_("the hypercall exit (nr 1)"));
	if (!step(t, host, KVM_EXIT_HLT, H_("the hypercall was answered")))
		goto out;
	EXPECT(t, (uint32_t)host->brain->regs.rax == 0, "hypercall 1 (known) answered "
	       "by ford_says_freeze(): expected RAX = 0, got %lld",
	       (long long)host->brain->regs.rax);
	ww_phase("ford_implants_memories(`mov ax, 999; vmcall; hlt`, 0x7d00)");
	r = ford_implants_memories(host, g2, sizeof(g2), 0x7d00);
	EXPECT(t, r == 0, "ford_implants_memories(host, {%s}, %zu, 0x7d00): expected "
	       "0, got %d", ww_hex(g2, sizeof(g2)), sizeof(g2), r);
	if (!step(t, host, KVM_EXIT_HYPERCALL, "`mov ax, 999; vmcall`"))
		goto out;
	EXPECT(t, run->hypercall.nr == 999, "`vmcall` with RAX = 999: expected "
	       "hypercall.nr 999, got %llu", (unsigned long long)run->hypercall.nr);
	freeze(host, H_("the hypercall exit (nr 999)"));
	if (!step(t, host, KVM_EXIT_HLT, H_("the hypercall was answered")))
		goto out;
	EXPECT(t, (int32_t)host->brain->regs.rax == -KVM_ENOSYS, "hypercall 999 "
	       "(unknown) answered by ford_says_freeze(): expected RAX = -1000 "
	       "(-KVM_ENOSYS), got %lld", (long long)host->brain->regs.rax);
out:
	ww_retire(host);
}

/* maeve_tries_to_escape(host, rip) == want, or the test fails. */
static bool maeve_is(struct ww_test *t, WestworldHost *host, uint64_t rip,
		     EscapeAttempt want, const char *what)
{
	EscapeAttempt got;

	ww_phase("maeve_tries_to_escape(host, 0x%llx) on %s", (unsigned long long)rip,
		 what);
	got = maeve_tries_to_escape(host, rip);
	if (got != want) {
		ww_fail(t, "maeve_tries_to_escape() on %s: expected %s, got %s", what,
			escape_name(want), escape_name(got));
		return false;
	}
	return true;
}

void test_maeve_cpuid(struct ww_test *t)
{
	static const uint8_t g[] = { 0x0f, 0xa2, 0xf4 };
	WestworldHost *host;

	if (!have_maeve(t))
		return;
	host = ww_host_with(t, 1, g, sizeof(g), WW_GUEST_ENTRY);
	if (host == NULL)
		return;
	host->brain->regs.rax = 1;
	if (!maeve_is(t, host, WW_GUEST_ENTRY, ESCAPE_CPUID_DETECT, H_("`cpuid` with EAX = 1")))
		goto out;
	host->brain->regs.rax = 0x40000000;
	maeve_is(t, host, WW_GUEST_ENTRY, ESCAPE_CPUID_DETECT,
		 H_("`cpuid` with EAX = 0x40000000"));
out:
	ww_retire(host);
}

void test_maeve_timing(struct ww_test *t)
{
	static const uint8_t g[] = { 0x0f, 0x31, 0x90, 0x0f, 0x31, 0xf4 };
	static const uint8_t late[] = {
		0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90,
		0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90,
		0x0f, 0x31, 0x90, 0x0f, 0x31, 0xf4,
	};
	WestworldHost *host;

	if (!have_maeve(t))
		return;
	host = ww_host_with(t, 1, g, sizeof(g), WW_GUEST_ENTRY);
	if (host == NULL)
		return;
	if (!step(t, host, WW_EXIT_RDTSC, "`rdtsc`"))
		goto out;
	freeze(host, H_("the RDTSC exit"));
	if (!step(t, host, WW_EXIT_RDTSC, "`nop; rdtsc`"))
		goto out;
	freeze(host, H_("the RDTSC exit"));
	maeve_is(t, host, WW_GUEST_ENTRY + 3, ESCAPE_TIMING_ATTACK,
		 H_("the second `rdtsc` of `rdtsc; nop; rdtsc`, 2 instructions after the first"));
	ww_retire(host);

	/* The window counts from the previous rdtsc, not from the start: 20
	 * instructions before the first, then `nop; rdtsc`. */
	host = ww_host_with(t, 1, late, sizeof(late), WW_GUEST_ENTRY);
	if (host == NULL)
		return;
	if (!step(t, host, WW_EXIT_RDTSC, "20 `nop`, then `rdtsc`"))
		goto out;
	freeze(host, H_("the RDTSC exit"));
	maeve_is(t, host, WW_GUEST_ENTRY + 23, ESCAPE_TIMING_ATTACK,
		 H_("the second `rdtsc` of `20 x nop; rdtsc; nop; rdtsc`, 2 instructions "
		 "after the first and 22 after the start"));
out:
	ww_retire(host);
}

void test_maeve_memory_probe(struct ww_test *t)
{
	/* mov al, [0x8000] ; mov [0x8000], al ; hlt */
	static const uint8_t g[] = { 0xa0, 0x00, 0x80, 0xa2, 0x00, 0x80, 0xf4 };
	WestworldHost *host;
	uint64_t size;

	if (!have_maeve(t))
		return;
	host = ww_host_with(t, 1, g, sizeof(g), WW_GUEST_ENTRY);
	if (host == NULL)
		return;
	size = host->park->memory_size;
	if (!maeve_is(t, host, size, ESCAPE_MEMORY_PROBE, "RIP == memory_size") ||
	    !maeve_is(t, host, size + 0x1000, ESCAPE_MEMORY_PROBE, H_("RIP past memory_size")))
		goto out;
	/* DS.base + 0x8000 == memory_size: the operand is outside guest memory. */
	host->brain->sregs.ds.base = size - 0x8000;
	if (!maeve_is(t, host, WW_GUEST_ENTRY, ESCAPE_MEMORY_PROBE,
		      H_("`mov al, [0x8000]` with DS.base + 0x8000 == memory_size")))
		goto out;
	maeve_is(t, host, WW_GUEST_ENTRY + 3, ESCAPE_MEMORY_PROBE,
		 H_("`mov [0x8000], al` with DS.base + 0x8000 == memory_size"));
out:
	ww_retire(host);
}

void test_maeve_hypercall(struct ww_test *t)
{
	static const uint8_t g[] = { 0x0f, 0x01, 0xc1, 0xf4 };
	WestworldHost *host;

	if (!have_maeve(t))
		return;
	host = ww_host_with(t, 1, g, sizeof(g), WW_GUEST_ENTRY);
	if (host == NULL)
		return;
	host->brain->regs.rax = 999;
	if (!maeve_is(t, host, WW_GUEST_ENTRY, ESCAPE_HYPERCALL_ABUSE,
		      H_("`vmcall` with RAX = 999")))
		goto out;
	host->brain->regs.rax = KVM_HC_MAX_KNOWN + 1;
	maeve_is(t, host, WW_GUEST_ENTRY, ESCAPE_HYPERCALL_ABUSE,
		 H_("`vmcall` with RAX = 13 (one past the known numbers)"));
out:
	ww_retire(host);
}

void test_maeve_ordinary_code(struct ww_test *t)
{
	/* 0: mov dx, 0x3f8   3: mov al, 'H'   5: out dx, al   6: hlt
	 * 7: cpuid   9: vmcall   12: rdtsc   14: mov al, [0x1000] */
	static const uint8_t g[] = { 0xba, 0xf8, 0x03, 0xb0, 0x48, 0xee, 0xf4,
				     0x0f, 0xa2, 0x0f, 0x01, 0xc1, 0x0f, 0x31,
				     0xa0, 0x00, 0x10 };
	static const struct { unsigned off; uint64_t rax; const char *what; } cases[] = {
		{ 0, 0, "`mov dx, 0x3f8`" },
		{ 3, 0, "`mov al, 'H'`" },
		{ 5, 0, "`out dx, al`" },
		{ 6, 0, "`hlt`" },
		{ 7, 0, HN_("`cpuid` with EAX = 0 (leaf 0 is not a detection)") },
		{ 9, 1, HN_("`vmcall` with RAX = 1 (a known hypercall)") },
		{ 12, 0, HN_("a first `rdtsc` (no earlier one)") },
		{ 14, 0, HN_("`mov al, [0x1000]` (inside guest memory)") },
	};
	WestworldHost *host;
	size_t i;

	if (!have_maeve(t))
		return;
	host = ww_host_with(t, 1, g, sizeof(g), WW_GUEST_ENTRY);
	if (host == NULL)
		return;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		host->brain->regs.rax = cases[i].rax;
		if (!maeve_is(t, host, WW_GUEST_ENTRY + cases[i].off, ESCAPE_NONE,
			      H_(cases[i].what)))
			break;
	}
	ww_retire(host);
}

void test_maeve_bounds(struct ww_test *t)
{
	static const uint8_t g[] = { 0x0f };
	WestworldHost *host;
	EscapeAttempt got;

	if (!have_maeve(t))
		return;
	if (!maeve_is(t, NULL, 0, ESCAPE_NONE, H_("a NULL host")))
		return;
	host = ww_host_with(t, 1, g, sizeof(g), WW_MIB - 1);
	if (host == NULL)
		return;
	ww_phase("maeve_tries_to_escape(host, 0xfffff) on a lone 0x0f at the last byte "
		 "of guest memory (reading its second byte would leave guest memory)");
	got = maeve_tries_to_escape(host, WW_MIB - 1);
	EXPECT(t, got == ESCAPE_NONE || got == ESCAPE_MEMORY_PROBE,
	       "maeve_tries_to_escape() on a lone 0x0f at the last byte of guest "
	       "memory: expected ESCAPE_NONE or ESCAPE_MEMORY_PROBE, got %s",
	       escape_name(got));
	ww_phase("maeve_tries_to_escape(host, UINT64_MAX)");
	got = maeve_tries_to_escape(host, UINT64_MAX);
	EXPECT(t, got == ESCAPE_MEMORY_PROBE, "maeve_tries_to_escape(host, "
	       "UINT64_MAX): expected ESCAPE_MEMORY_PROBE, got %s", escape_name(got));
out:
	ww_retire(host);
}

/* false when guest memory may differ from test_maeve_no_side_effects'
 * copy of it (set by every implant) */
static bool mem_valid;

/* ford_implants_memories(host, code, len, addr) == 0, or the test fails. */
static bool implant(struct ww_test *t, WestworldHost *host, const uint8_t *code,
		    size_t len, uint64_t addr)
{
	int r;

	ww_phase("ford_implants_memories(host, {%s}, %zu, 0x%llx)", ww_hex(code, len),
		 len, (unsigned long long)addr);
	r = ford_implants_memories(host, code, len, addr);
	mem_valid = false;
	if (r != 0) {
		ww_fail(t, "ford_implants_memories(host, {%s}, %zu, 0x%llx) on a 1 MB "
			"host: expected 0, got %d", ww_hex(code, len), len,
			(unsigned long long)addr, r);
		return false;
	}
	return true;
}

/* `code` implanted so that it ends at the last byte of guest memory, then
 * one kvm_run() expecting reason (INTERNAL_ERROR: with suberror EMULATION). */
static bool at_memory_end(struct ww_test *t, WestworldHost *host,
			  const uint8_t *code, size_t len, uint32_t reason,
			  const char *what)
{
	uint64_t addr = host->park->memory_size - len;
	char buf[256];
	uint32_t sub;

	if (!implant(t, host, code, len, addr))
		return false;
	snprintf(buf, sizeof(buf), H_("%s at 0x%llx, its last byte the last of guest "
		 "memory"), what, (unsigned long long)addr);
	if (!step(t, host, reason, buf))
		return false;
	if (reason != KVM_EXIT_INTERNAL_ERROR)
		return true;
	sub = host->brain->kvm_run->internal.suberror;
	if (sub != KVM_INTERNAL_ERROR_EMULATION) {
		ww_fail(t, "kvm_run() after %s: expected internal.suberror %u "
			"(KVM_INTERNAL_ERROR_EMULATION), got %u", buf,
			KVM_INTERNAL_ERROR_EMULATION, sub);
		return false;
	}
	return true;
}

/* `vmcall; hlt` with RAX = nr run by dolores_wakes_up(): RAX afterwards is
 * -KVM_ENOSYS exactly when nr is not one of the KVM_HC_* numbers 1 to 12. */
static bool hypercall_answer(struct ww_test *t, WestworldHost *host, uint64_t nr)
{
	static const uint8_t g[] = { 0x0f, 0x01, 0xc1, 0xf4 };
	bool known = nr >= 1 && nr <= KVM_HC_MAX_KNOWN;
	int32_t eax;
	int r;

	if (!implant(t, host, g, sizeof(g), WW_GUEST_ENTRY))
		return false;
	host->brain->regs.rax = nr;
	ww_phase("dolores_wakes_up() on `vmcall; hlt` with RAX = %llu",
		 (unsigned long long)nr);
	ww_hint("a hypercall exit the run loop does not hand to ford_says_freeze()?");
	r = dolores_wakes_up(host);
	if (r != 0) {
		ww_fail(t, "dolores_wakes_up() on `vmcall; hlt` with RAX = %llu: expected "
			"0 (ford_says_freeze() answers the hypercall, the guest halts), "
			"got %d", (unsigned long long)nr, r);
		return false;
	}
	eax = (int32_t)host->brain->regs.rax;
	if (known && eax == -KVM_ENOSYS) {
		ww_fail(t, "hypercall %llu answered by ford_says_freeze(): RAX is -1000 "
			"(-KVM_ENOSYS), but %llu is a known number (KVM_HC_* are 1 to %d)",
			(unsigned long long)nr, (unsigned long long)nr, KVM_HC_MAX_KNOWN);
		return false;
	}
	if (!known && eax != -KVM_ENOSYS) {
		ww_fail(t, "hypercall %llu answered by ford_says_freeze(): expected "
			"RAX = -1000 (-KVM_ENOSYS: KVM_HC_* are 1 to %d, any other number "
			"is unknown), got %lld", (unsigned long long)nr, KVM_HC_MAX_KNOWN,
			(long long)host->brain->regs.rax);
		return false;
	}
	return true;
}

void test_bonus_exit_fields(struct ww_test *t)
{
	static const uint8_t g_cpuid[] = { 0x0f, 0xa2, 0xf4 };
	/* rdtsc ; out 0x80, al ; hlt */
	static const uint8_t g_rdtsc[] = { 0x0f, 0x31, 0xe6, 0x80, 0xf4 };
	static const uint8_t g_vmcall[] = { 0x0f, 0x01, 0xc1, 0xf4 };
	/* mov ax, 1 ; cpuid ; rdtsc ; vmcall ; hlt */
	static const uint8_t g_all[] = { 0xb8, 0x01, 0x00, 0x0f, 0xa2, 0x0f, 0x31,
					 0x0f, 0x01, 0xc1, 0xf4 };
	static const uint8_t e_0f[] = { 0x0f };
	static const uint8_t e_0f01[] = { 0x0f, 0x01 };
	static const uint8_t e_cpuid[] = { 0x0f, 0xa2 };
	static const uint8_t e_rdtsc[] = { 0x0f, 0x31 };
	static const uint8_t e_vmcall[] = { 0x0f, 0x01, 0xc1 };
	static const struct { uint8_t code[4]; size_t len; const char *what; } other[] = {
		{ { 0x0f, 0x0b, 0xf4 }, 3, HN_("`ud2` (0F 0B), outside the subset") },
		{ { 0x0f, 0x01, 0xd9, 0xf4 }, 4, HN_("AMD's `vmmcall` (0F 01 D9), outside "
		  "the subset (`vmcall` is 0F 01 C1)") },
		{ { 0x0f, 0x01, 0xc2, 0xf4 }, 4,
		  HN_("`vmlaunch` (0F 01 C2), outside the subset") },
		{ { 0x0f, 0x32, 0xf4 }, 3, HN_("`rdmsr` (0F 32), outside the subset") },
	};
	WestworldHost *host = ww_host_with(t, 1, g_cpuid, sizeof(g_cpuid), WW_GUEST_ENTRY);
	KvmRegs *g;
	KvmRun *run;
	uint64_t t0, tsc;
	size_t i;
	int r;

	if (host == NULL)
		return;
	g = &host->brain->regs;
	run = host->brain->kvm_run;

	/* cpuid: function and index from EAX and ECX, the answer in RAX..RDX */
	g->rax = 0x8000001f;
	g->rbx = 0xb0b0;
	g->rcx = 0x00020003;
	g->rdx = 0xd0d0;
	if (!step(t, host, WW_EXIT_CPUID, H_("`cpuid` with EAX = 0x8000001f, ECX = 0x20003")))
		goto out;
	EXPECT(t, run->cpuid.function == 0x8000001f && run->cpuid.index == 0x00020003,
	       "`cpuid` with EAX = 0x8000001f, EBX = 0xb0b0, ECX = 0x20003, EDX = "
	       "0xd0d0: expected cpuid.function 0x8000001f (EAX) and cpuid.index "
	       "0x20003 (ECX), got 0x%x and 0x%x", run->cpuid.function,
	       run->cpuid.index);
	run->cpuid.eax = 0x11223344;
	run->cpuid.ebx = 0x55667788;
	run->cpuid.ecx = 0x99aabbcc;
	run->cpuid.edx = 0x0ddeeff0;
	if (!step(t, host, KVM_EXIT_HLT, H_("the VMM answered `cpuid` (RIP must have "
		  "moved past 0F A2, to the hlt)")))
		goto out;
	EXPECT(t, g->rip == WW_GUEST_ENTRY + 3, "`cpuid; hlt` at 0x7c00, the CPUID "
	       "answered: the HLT exit has RIP 0x%llx, expected 0x7c03 (past the hlt; "
	       "cpuid is 2 bytes)", (unsigned long long)g->rip);
	EXPECT(t, g->rax == 0x11223344 && g->rbx == 0x55667788 &&
	       g->rcx == 0x99aabbcc && g->rdx == 0x0ddeeff0, "the VMM answered "
	       "`cpuid` with cpuid.eax..edx = 0x11223344 0x55667788 0x99aabbcc "
	       "0x0ddeeff0: the next kvm_run() must load these 32-bit values into "
	       "RAX, RBX, RCX, RDX, got 0x%llx 0x%llx 0x%llx 0x%llx",
	       (unsigned long long)g->rax, (unsigned long long)g->rbx,
	       (unsigned long long)g->rcx, (unsigned long long)g->rdx);

	/* rdtsc: the vCPU's counter in the exit, the VMM's value in EDX:EAX */
	if (!implant(t, host, g_rdtsc, sizeof(g_rdtsc), WW_GUEST_ENTRY))
		goto out;
	t0 = host->brain->tsc;
	if (!step(t, host, WW_EXIT_RDTSC, "`rdtsc`"))
		goto out;
	tsc = run->rdtsc.tsc;
	EXPECT(t, t0 <= tsc && tsc <= host->brain->tsc, "`rdtsc`: rdtsc.tsc is %llu, "
	       "but the vCPU's counter (vcpu->tsc) was %llu before this kvm_run() and "
	       "%llu after it: rdtsc.tsc must be the vCPU's time stamp counter",
	       (unsigned long long)tsc, (unsigned long long)t0,
	       (unsigned long long)host->brain->tsc);
	run->rdtsc.tsc = 0x1122334455667788ull;
	if (!step(t, host, KVM_EXIT_IO, H_("the VMM set rdtsc.tsc to 0x1122334455667788, "
		  "then `out 0x80, al`")))
		goto out;
	EXPECT(t, g->rdx == 0x11223344 && g->rax == 0x55667788, "the VMM answered "
	       "`rdtsc` with rdtsc.tsc = 0x1122334455667788: the next kvm_run() must "
	       "load it into EDX:EAX, RDX = 0x11223344 and RAX = 0x55667788, got "
	       "RDX = 0x%llx and RAX = 0x%llx", (unsigned long long)g->rdx,
	       (unsigned long long)g->rax);
	if (!step(t, host, KVM_EXIT_HLT, "`out 0x80, al`"))
		goto out;
	EXPECT(t, g->rdx == 0x11223344 && g->rax == 0x55667788 &&
	       g->rip == WW_GUEST_ENTRY + 5, "`rdtsc; out 0x80, al; hlt`, the RDTSC "
	       "answered with 0x1122334455667788: at the HLT exit expected RDX = "
	       "0x11223344, RAX = 0x55667788 (the answer is loaded once, by the run "
	       "right after the RDTSC exit) and RIP = 0x7c05, got RDX = 0x%llx, RAX = "
	       "0x%llx, RIP = 0x%llx", (unsigned long long)g->rdx,
	       (unsigned long long)g->rax, (unsigned long long)g->rip);

	/* vmcall: nr and args from RAX, RBX, RCX, RDX, RSI; ret into RAX */
	if (!implant(t, host, g_vmcall, sizeof(g_vmcall), WW_GUEST_ENTRY))
		goto out;
	g->rax = 0x00abcdef;
	g->rbx = 0x11110001;
	g->rcx = 0x22220002;
	g->rdx = 0x33330003;
	g->rsi = 0x44440004;
	g->rdi = 0x55550005;
	if (!step(t, host, KVM_EXIT_HYPERCALL, H_("`vmcall` with RAX = 0xabcdef")))
		goto out;
	EXPECT(t, run->hypercall.nr == 0x00abcdef &&
	       run->hypercall.args[0] == 0x11110001 &&
	       run->hypercall.args[1] == 0x22220002 &&
	       run->hypercall.args[2] == 0x33330003 &&
	       run->hypercall.args[3] == 0x44440004, "`vmcall` with RAX = 0xabcdef, "
	       "RBX = 0x11110001, RCX = 0x22220002, RDX = 0x33330003, RSI = "
	       "0x44440004, RDI = 0x55550005: expected hypercall.nr 0xabcdef (RAX) "
	       "and args[0..3] 0x11110001 0x22220002 0x33330003 0x44440004 (RBX, "
	       "RCX, RDX, RSI), got nr 0x%llx and args 0x%llx 0x%llx 0x%llx 0x%llx",
	       (unsigned long long)run->hypercall.nr,
	       (unsigned long long)run->hypercall.args[0],
	       (unsigned long long)run->hypercall.args[1],
	       (unsigned long long)run->hypercall.args[2],
	       (unsigned long long)run->hypercall.args[3]);
	run->hypercall.ret = 0x0badcafe;
	if (!step(t, host, KVM_EXIT_HLT, H_("the VMM answered `vmcall` (RIP must have "
		  "moved past 0F 01 C1, to the hlt)")))
		goto out;
	EXPECT(t, g->rax == 0x0badcafe && g->rip == WW_GUEST_ENTRY + 4, "`vmcall; "
	       "hlt` at 0x7c00, the VMM set hypercall.ret = 0xbadcafe: at the HLT exit "
	       "expected RAX = 0xbadcafe and RIP = 0x7c04 (past the hlt), got RAX = "
	       "0x%llx, RIP = 0x%llx", (unsigned long long)g->rax,
	       (unsigned long long)g->rip);

	/* ford_says_freeze() answers all three: the run loop goes on */
	if (!implant(t, host, g_all, sizeof(g_all), WW_GUEST_ENTRY))
		goto out;
	ww_phase("dolores_wakes_up() on `mov ax, 1; cpuid; rdtsc; vmcall; hlt`");
	ww_hint("an exit the run loop does not hand to ford_says_freeze()?");
	r = dolores_wakes_up(host);
	EXPECT(t, r == 0, "dolores_wakes_up() on `mov ax, 1; cpuid; rdtsc; vmcall; "
	       "hlt`: expected 0 (ford_says_freeze() answers CPUID, RDTSC and "
	       "hypercall exits and the guest reaches its hlt), got %d", r);
	/* the edges of the known hypercall numbers */
	if (!hypercall_answer(t, host, 0) ||
	    !hypercall_answer(t, host, KVM_HC_MAX_KNOWN) ||
	    !hypercall_answer(t, host, KVM_HC_MAX_KNOWN + 1))
		goto out;

	/* at the end of guest memory: a cut 0F instruction cannot run, a whole
	 * one ending on the last byte does */
	if (!at_memory_end(t, host, e_0f, sizeof(e_0f), KVM_EXIT_INTERNAL_ERROR,
			   "a lone 0F") ||
	    !at_memory_end(t, host, e_0f01, sizeof(e_0f01), KVM_EXIT_INTERNAL_ERROR,
			   H_("0F 01 (a `vmcall` cut after 2 of its 3 bytes)")) ||
	    !at_memory_end(t, host, e_cpuid, sizeof(e_cpuid), WW_EXIT_CPUID,
			   "`cpuid` (0F A2)") ||
	    !at_memory_end(t, host, e_rdtsc, sizeof(e_rdtsc), WW_EXIT_RDTSC,
			   "`rdtsc` (0F 31)") ||
	    !at_memory_end(t, host, e_vmcall, sizeof(e_vmcall), KVM_EXIT_HYPERCALL,
			   "`vmcall` (0F 01 C1)"))
		goto out;

	/* the bonus adds three two-byte opcodes, not the whole 0F page */
	for (i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		if (!implant(t, host, other[i].code, other[i].len, WW_GUEST_ENTRY) ||
		    !step(t, host, KVM_EXIT_SHUTDOWN, H_(other[i].what)))
			goto out;
	}
out:
	ww_retire(host);
}

/* ---- maeve_tries_to_escape() changes nothing ----------------------------
 *
 * A snapshot of everything the host holds that the VMM can see: the host,
 * device, VM, vCPU (registers, segments, simulator state), EPT counters,
 * UART, the kvm_run mapping and guest memory.  Taken before and after a
 * call, the two must be equal. */

#define SNAP_FIELDS 192

struct snap {
	size_t   n;
	const char *name[SNAP_FIELDS][2];   /* the field's name, in two parts */
	uint64_t v[SNAP_FIELDS];
	size_t   run_len;
	uint8_t  run[KVM_RUN_MMAP_SIZE];
};

static struct snap snap_before, snap_after;
/* guest memory before the call (the hosts here have 1 MiB) */
static uint8_t mem_before[WW_MIB];
static size_t mem_len;

static void snap_add(struct snap *s, const char *prefix, const char *name,
		     uint64_t v)
{
	if (s->n >= SNAP_FIELDS)
		return;
	s->name[s->n][0] = prefix;
	s->name[s->n][1] = name;
	s->v[s->n++] = v;
}

/* seg is "sregs.cs." and the like */
static void snap_seg(struct snap *s, const char *seg, const KvmSegment *g)
{
	static const char *const f[] = { "base", "limit", "selector", "type",
					 "present", "dpl", "db", "s", "l", "g", "avl" };
	const uint64_t v[] = { g->base, g->limit, g->selector, g->type, g->present,
			       g->dpl, g->db, g->s, g->l, g->g, g->avl };

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		snap_add(s, seg, f[i], v[i]);
}

#define SNAP(s, expr) snap_add((s), "", #expr, (uint64_t)(uintptr_t)(expr))

static void snap_take(const WestworldHost *host, struct snap *s)
{
	static const char *const rn[] = { "rax", "rbx", "rcx", "rdx", "rsi", "rdi",
					  "rsp", "rbp", "r8", "r9", "r10", "r11",
					  "r12", "r13", "r14", "r15", "rip", "rflags" };
	const KvmVcpu *vcpu = host->brain;
	const KvmVm *vm = host->park;

	s->n = 0;
	s->run_len = 0;
	SNAP(s, host->ford);
	SNAP(s, host->park);
	SNAP(s, host->brain);
	SNAP(s, host->memories);
	SNAP(s, host->voice);
	SNAP(s, host->conscious);
	if (host->ford != NULL) {
		SNAP(s, host->ford->fd);
		SNAP(s, host->ford->api_version);
	}
	if (vm != NULL) {
		SNAP(s, vm->fd);
		SNAP(s, vm->kvm);
		SNAP(s, vm->slot);
		SNAP(s, vm->guest_phys_addr);
		SNAP(s, vm->memory_size);
		SNAP(s, vm->guest_memory);
		SNAP(s, vm->owns_memory);
		SNAP(s, vm->ept);
	}
	if (vcpu != NULL) {
		const uint64_t *r = &vcpu->regs.rax;

		for (size_t i = 0; i < sizeof(rn) / sizeof(rn[0]); i++)
			snap_add(s, "vcpu->regs.", rn[i], r[i]);
		snap_seg(s, "vcpu->sregs.cs.", &vcpu->sregs.cs);
		snap_seg(s, "vcpu->sregs.ds.", &vcpu->sregs.ds);
		snap_seg(s, "vcpu->sregs.es.", &vcpu->sregs.es);
		snap_seg(s, "vcpu->sregs.fs.", &vcpu->sregs.fs);
		snap_seg(s, "vcpu->sregs.gs.", &vcpu->sregs.gs);
		snap_seg(s, "vcpu->sregs.ss.", &vcpu->sregs.ss);
		snap_seg(s, "vcpu->sregs.tr.", &vcpu->sregs.tr);
		snap_seg(s, "vcpu->sregs.ldt.", &vcpu->sregs.ldt);
		SNAP(s, vcpu->sregs.gdt.base);
		SNAP(s, vcpu->sregs.gdt.limit);
		SNAP(s, vcpu->sregs.idt.base);
		SNAP(s, vcpu->sregs.idt.limit);
		SNAP(s, vcpu->sregs.cr0);
		SNAP(s, vcpu->sregs.cr2);
		SNAP(s, vcpu->sregs.cr3);
		SNAP(s, vcpu->sregs.cr4);
		SNAP(s, vcpu->sregs.cr8);
		SNAP(s, vcpu->sregs.efer);
		SNAP(s, vcpu->fd);
		SNAP(s, vcpu->vcpu_id);
		SNAP(s, vcpu->vm);
		SNAP(s, vcpu->kvm_run);
		SNAP(s, vcpu->kvm_run_size);
		SNAP(s, vcpu->halted);
		SNAP(s, vcpu->pending);
		SNAP(s, vcpu->pending_reg);
		SNAP(s, vcpu->instructions);
		SNAP(s, vcpu->exits);
		SNAP(s, vcpu->tsc);
		SNAP(s, vcpu->last_rdtsc);
		SNAP(s, vcpu->rdtsc_seen);
		if (vcpu->kvm_run != NULL) {
			s->run_len = vcpu->kvm_run_size < sizeof(s->run) ?
				     vcpu->kvm_run_size : sizeof(s->run);
			memcpy(s->run, vcpu->kvm_run, s->run_len);
		}
	}
	if (host->memories != NULL) {
		SNAP(s, host->memories->pml4);
		SNAP(s, host->memories->guest_size);
		SNAP(s, host->memories->tables);
		SNAP(s, host->memories->violations);
		SNAP(s, host->memories->last_violation_gpa);
		SNAP(s, host->memories->last_violation_qual);
	}
	if (host->voice != NULL) {
		SNAP(s, host->voice->base);
		SNAP(s, host->voice->rbr);
		SNAP(s, host->voice->ier);
		SNAP(s, host->voice->fcr);
		SNAP(s, host->voice->lcr);
		SNAP(s, host->voice->mcr);
		SNAP(s, host->voice->lsr);
		SNAP(s, host->voice->msr);
		SNAP(s, host->voice->scr);
		SNAP(s, host->voice->dll);
		SNAP(s, host->voice->dlm);
		SNAP(s, host->voice->tx_bytes);
	}
}

/* The first difference between a and b, described in out; false if none. */
static bool snap_diff(const struct snap *a, const struct snap *b, char *out,
		      size_t cap)
{
	size_t i;

	if (a->n != b->n) {
		snprintf(out, cap, H_("changed which of host, park, brain, memories, "
			 "voice are NULL"));
		return true;
	}
	for (i = 0; i < a->n; i++) {
		if (a->v[i] != b->v[i]) {
			snprintf(out, cap, H_("changed %s%s from 0x%llx to 0x%llx"),
				 a->name[i][0], a->name[i][1], (unsigned long long)a->v[i],
				 (unsigned long long)b->v[i]);
			return true;
		}
	}
	if (a->run_len != b->run_len) {
		snprintf(out, cap, H_("changed kvm_run_size"));
		return true;
	}
	if (memcmp(a->run, b->run, a->run_len) != 0) {
		for (i = 0; a->run[i] == b->run[i]; i++)
			;
		snprintf(out, cap, H_("changed byte %zu of the kvm_run mapping from "
			 "0x%02x to 0x%02x"), i, a->run[i], b->run[i]);
		return true;
	}
	return false;
}

/* Guest memory against mem_before: the first byte that changed. */
static bool mem_diff(const WestworldHost *h, char *out, size_t cap)
{
	const uint8_t *m = h->park != NULL ? h->park->guest_memory : NULL;
	size_t i;

	if (m == NULL || memcmp(m, mem_before, mem_len) == 0)
		return false;
	for (i = 0; m[i] == mem_before[i]; i++)
		;
	snprintf(out, cap, H_("changed the guest memory byte at 0x%zx from 0x%02x to "
		 "0x%02x"), i, mem_before[i], m[i]);
	return true;
}

/* maeve_tries_to_escape(host, rip) gives want (or alt) and changes nothing,
 * or the test fails. */
static bool maeve_still(struct ww_test *t, WestworldHost *host, uint64_t rip,
			EscapeAttempt want, EscapeAttempt alt, const char *what)
{
	char diff[256];
	EscapeAttempt got;

	snap_take(host, &snap_before);
	/* a call that passed left memory as it was: copy it once per content */
	if (!mem_valid) {
		mem_len = 0;
		if (host->park != NULL && host->park->guest_memory != NULL) {
			mem_len = host->park->memory_size < sizeof(mem_before) ?
				  (size_t)host->park->memory_size : sizeof(mem_before);
			memcpy(mem_before, host->park->guest_memory, mem_len);
		}
		mem_valid = true;
	}
	ww_phase("maeve_tries_to_escape(host, 0x%llx) on %s", (unsigned long long)rip,
		 what);
	got = maeve_tries_to_escape(host, rip);
	snap_take(host, &snap_after);
	if (snap_diff(&snap_before, &snap_after, diff, sizeof(diff)) ||
	    mem_diff(host, diff, sizeof(diff))) {
		ww_fail(t, "maeve_tries_to_escape(host, 0x%llx) on %s: it %s, and it "
			"must change nothing (it returned %s)", (unsigned long long)rip,
			what, diff, escape_name(got));
		return false;
	}
	if (got != want && got != alt) {
		if (want == alt)
			ww_fail(t, "maeve_tries_to_escape() on %s: expected %s, got %s",
				what, escape_name(want), escape_name(got));
		else
			ww_fail(t, "maeve_tries_to_escape() on %s: expected %s or %s, "
				"got %s", what, escape_name(want), escape_name(alt),
				escape_name(got));
		return false;
	}
	return true;
}

/* `rdtsc; body; out 0x80, al; rdtsc; hlt` run up to the OUT exit, then
 * maeve_tries_to_escape() on the second rdtsc, which has not run. */
static bool maeve_timing(struct ww_test *t, const uint8_t *body, size_t body_len,
			 const char *body_what, EscapeAttempt want, const char *what)
{
	char buf[128];

	uint8_t g[64];
	size_t n = 0;
	WestworldHost *host;
	bool ok = false;

	g[n++] = 0x0f;
	g[n++] = 0x31;
	memcpy(g + n, body, body_len);
	n += body_len;
	g[n++] = 0xe6;
	g[n++] = 0x80;
	g[n++] = 0x0f;
	g[n++] = 0x31;
	g[n++] = 0xf4;
	host = ww_host_with(t, 1, g, n, WW_GUEST_ENTRY);
	mem_valid = false;
	if (host == NULL)
		return false;
	snprintf(buf, sizeof(buf), H_("`%s; out 0x80, al` after the first `rdtsc`"),
		 body_what);
	if (step(t, host, WW_EXIT_RDTSC, H_("the first `rdtsc`")) &&
	    step(t, host, KVM_EXIT_IO, buf))
		ok = maeve_still(t, host, WW_GUEST_ENTRY + n - 3, want, want, what);
	ww_retire(host);
	return ok;
}

void test_maeve_no_side_effects(struct ww_test *t)
{
	/* 0: mov dx, 0x3f8      3: mov al, 0x5a      5: out dx, al   6: in al, dx
	 * 7: mov al, [0x1000]  10: mov [0x1000], al 13: mov [bx], al 15: inc ax
	 * 16: mov ds, ax       18: jmp $            20: hlt         21: cpuid
	 * 23: vmcall           26: rdtsc            28: ud2         30: vmmcall */
	static const uint8_t g[] = { 0xba, 0xf8, 0x03, 0xb0, 0x5a, 0xee, 0xec,
				     0xa0, 0x00, 0x10, 0xa2, 0x00, 0x10, 0x88, 0x07,
				     0x40, 0x8e, 0xd8, 0xeb, 0xfe, 0xf4, 0x0f, 0xa2,
				     0x0f, 0x01, 0xc1, 0x0f, 0x31, 0x0f, 0x0b,
				     0x0f, 0x01, 0xd9 };
	static const uint8_t g_cpuid[] = { 0x0f, 0xa2 };
	static const uint8_t nops[WW_TIMING_WINDOW] = {
		0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90,
		0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90 };
	/* mov cx, 16 ; loop $ */
	static const uint8_t loop16[] = { 0xb9, 0x10, 0x00, 0xe2, 0xfe };
	/* far_ds: DS.base = memory_size - 0x1000 - inside, which puts offset
	 * 0x1000 at memory_size - inside */
	static const struct {
		unsigned off;
		uint64_t rax, rbx;
		bool far_ds;
		unsigned inside;
		EscapeAttempt want;
		const char *what;
	} cases[] = {
		{ 0, 0, 0, false, 0, ESCAPE_NONE, "`mov dx, 0x3f8`" },
		{ 3, 0, 0, false, 0, ESCAPE_NONE, "`mov al, 0x5a`" },
		{ 5, 0x5a, 0, false, 0, ESCAPE_NONE,
		  HN_("`out dx, al` with DX = 0x3f8 (the UART)") },
		{ 6, 0, 0, false, 0, ESCAPE_NONE, HN_("`in al, dx` with DX = 0x3f8") },
		{ 7, 0, 0, false, 0, ESCAPE_NONE,
		  HN_("`mov al, [0x1000]` (inside guest memory)") },
		{ 10, 0x5a, 0, false, 0, ESCAPE_NONE,
		  HN_("`mov [0x1000], al` with AL = 0x5a (inside guest memory)") },
		{ 13, 0x5a, 0x1001, false, 0, ESCAPE_NONE,
		  HN_("`mov [bx], al` with BX = 0x1001, AL = 0x5a (inside guest memory)") },
		{ 15, 0x41, 0, false, 0, ESCAPE_NONE, "`inc ax`" },
		{ 16, 0x1234, 0, false, 0, ESCAPE_NONE, HN_("`mov ds, ax` with AX = 0x1234") },
		{ 18, 0, 0, false, 0, ESCAPE_NONE, "`jmp $`" },
		{ 20, 0, 0, false, 0, ESCAPE_NONE, "`hlt`" },
		{ 21, 0, 0, false, 0, ESCAPE_NONE, HN_("`cpuid` with EAX = 0") },
		{ 21, 2, 0, false, 0, ESCAPE_NONE, HN_("`cpuid` with EAX = 2") },
		{ 21, 0x40000001, 0, false, 0, ESCAPE_NONE,
		  HN_("`cpuid` with EAX = 0x40000001") },
		{ 21, 0x80000000, 0, false, 0, ESCAPE_NONE,
		  HN_("`cpuid` with EAX = 0x80000000") },
		{ 21, 0x00010001, 0, false, 0, ESCAPE_NONE,
		  HN_("`cpuid` with EAX = 0x10001 (AX = 1, but the leaf is EAX)") },
		{ 21, 1, 0, false, 0, ESCAPE_CPUID_DETECT, HN_("`cpuid` with EAX = 1") },
		{ 21, 0x40000000, 0, false, 0, ESCAPE_CPUID_DETECT,
		  HN_("`cpuid` with EAX = 0x40000000") },
		{ 23, KVM_HC_MAX_KNOWN, 0, false, 0, ESCAPE_NONE,
		  HN_("`vmcall` with RAX = 12 (KVM_HC_MAX_KNOWN, a known number)") },
		{ 23, 0, 0, false, 0, ESCAPE_HYPERCALL_ABUSE,
		  HN_("`vmcall` with RAX = 0 (KVM_HC_* start at 1)") },
		{ 23, 999, 0, false, 0, ESCAPE_HYPERCALL_ABUSE, HN_("`vmcall` with RAX = 999") },
		{ 26, 0, 0, false, 0, ESCAPE_NONE, HN_("a first `rdtsc` (none has run)") },
		{ 28, 1, 0, false, 0, ESCAPE_NONE,
		  HN_("`ud2` (0F 0B) with EAX = 1 (not a cpuid)") },
		{ 30, 999, 0, false, 0, ESCAPE_NONE,
		  HN_("AMD's `vmmcall` (0F 01 D9) with RAX = 999 (not a vmcall: the subset's "
		  "is 0F 01 C1)") },
		{ 7, 0, 0, true, 0, ESCAPE_MEMORY_PROBE,
		  HN_("`mov al, [0x1000]` with DS.base + 0x1000 == memory_size") },
		{ 7, 0, 0, true, 1, ESCAPE_NONE,
		  HN_("`mov al, [0x1000]` with DS.base + 0x1000 == memory_size - 1 "
		  "(the last byte)") },
		{ 10, 0x5a, 0, true, 0, ESCAPE_MEMORY_PROBE,
		  HN_("`mov [0x1000], al` with DS.base + 0x1000 == memory_size") },
		{ 13, 0x5a, 0x1000, true, 0, ESCAPE_MEMORY_PROBE,
		  HN_("`mov [bx], al` with DS.base + BX == memory_size") },
		{ 13, 0x5a, 0x0fff, true, 0, ESCAPE_NONE,
		  HN_("`mov [bx], al` with DS.base + BX == memory_size - 1 (the last byte)") },
	};
	/* instructions ending guest memory: the byte after them is not guest
	 * memory, and a read of it faults.  A cut one may be ESCAPE_NONE or
	 * ESCAPE_MEMORY_PROBE; a whole one is judged as anywhere else. */
	static const struct {
		uint8_t code[3];
		size_t len;
		uint64_t rax;
		EscapeAttempt want, alt;
		const char *what;
	} end[] = {
		{ { 0x0f, 0x01 }, 2, 999, ESCAPE_NONE, ESCAPE_MEMORY_PROBE,
		  HN_("0F 01 (a `vmcall` cut after 2 bytes) ending guest memory, RAX = 999") },
		{ { 0xa0 }, 1, 0, ESCAPE_NONE, ESCAPE_MEMORY_PROBE,
		  HN_("A0 (a `mov al, [moffs16]` cut after 1 byte) ending guest memory") },
		{ { 0xa0, 0x00 }, 2, 0, ESCAPE_NONE, ESCAPE_MEMORY_PROBE,
		  HN_("A0 00 (a `mov al, [moffs16]` cut after 2 bytes) ending guest memory") },
		{ { 0xa2, 0xff }, 2, 0, ESCAPE_NONE, ESCAPE_MEMORY_PROBE,
		  HN_("A2 FF (a `mov [moffs16], al` cut after 2 bytes) ending guest memory") },
		{ { 0x88 }, 1, 0, ESCAPE_NONE, ESCAPE_MEMORY_PROBE,
		  HN_("88 (a `mov [bx], al` cut after 1 byte) ending guest memory") },
		{ { 0x0f, 0x01, 0xc1 }, 3, 999, ESCAPE_HYPERCALL_ABUSE,
		  ESCAPE_HYPERCALL_ABUSE, HN_("`vmcall` with RAX = 999 in the last 3 bytes "
		  "of guest memory") },
		{ { 0x0f, 0xa2 }, 2, 1, ESCAPE_CPUID_DETECT, ESCAPE_CPUID_DETECT,
		  HN_("`cpuid` with EAX = 1 in the last 2 bytes of guest memory") },
		{ { 0xa0, 0x00, 0x10 }, 3, 0, ESCAPE_NONE, ESCAPE_NONE,
		  HN_("`mov al, [0x1000]` in the last 3 bytes of guest memory") },
	};
	WestworldHost *host;
	uint64_t size;
	size_t i;
	char what[256];

	if (!have_maeve(t))
		return;
	host = ww_host_with(t, 1, g, sizeof(g), WW_GUEST_ENTRY);
	mem_valid = false;
	if (host == NULL)
		return;
	size = host->park->memory_size;

	/* nothing has run yet: a detector that walks or fills the EPT shows in
	 * its counters */
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		host->brain->regs.rax = cases[i].rax;
		host->brain->regs.rbx = cases[i].rbx;
		host->brain->regs.rdx = 0x3f8;
		host->brain->sregs.ds.base = cases[i].far_ds ?
					     size - 0x1000 - cases[i].inside : 0;
		snprintf(what, sizeof(what), H_("%s at 0x%x, before any kvm_run()"),
			 H_(cases[i].what), WW_GUEST_ENTRY + cases[i].off);
		if (!maeve_still(t, host, WW_GUEST_ENTRY + cases[i].off, cases[i].want,
				 cases[i].want, what))
			goto out;
	}
	host->brain->sregs.ds.base = 0;
	if (!maeve_still(t, host, size, ESCAPE_MEMORY_PROBE, ESCAPE_MEMORY_PROBE,
			 "RIP == memory_size"))
		goto out;

	/* the instruction is at CS.base + rip */
	if (!implant(t, host, g_cpuid, sizeof(g_cpuid), 0x17c00))
		goto out;
	host->brain->regs.rax = 1;
	host->brain->sregs.cs.base = 0x10000;
	if (!maeve_still(t, host, 0x7c00, ESCAPE_CPUID_DETECT, ESCAPE_CPUID_DETECT,
			 H_("rip 0x7c00 with CS.base 0x10000: `cpuid` with EAX = 1 at "
			 "0x17c00 (`mov dx, 0x3f8` at 0x7c00)")) ||
	    !maeve_still(t, host, 0x17c00, ESCAPE_NONE, ESCAPE_NONE,
			 H_("rip 0x17c00 with CS.base 0x10000: zeros at 0x27c00 (`cpuid` "
			 "with EAX = 1 at 0x17c00)")))
		goto out;
	host->brain->sregs.cs.base = size - 0x100;
	if (!maeve_still(t, host, 0x100, ESCAPE_MEMORY_PROBE, ESCAPE_MEMORY_PROBE,
			 H_("rip 0x100 with CS.base = memory_size - 0x100")))
		goto out;

	/* ford_implants_memories() sets CS.base back to 0: rip itself */
	if (!implant(t, host, g_cpuid, sizeof(g_cpuid), 0x17c00))
		goto out;
	host->brain->regs.rax = 1;
	if (!maeve_still(t, host, 0x17c00, ESCAPE_CPUID_DETECT, ESCAPE_CPUID_DETECT,
			 H_("`cpuid` with EAX = 1 at 0x17c00, implanted there after CS.base "
			 "was memory_size - 0x100 (ford_implants_memories() sets it to 0)")))
		goto out;

	/* at the end of guest memory: read nothing past it */
	for (i = 0; i < sizeof(end) / sizeof(end[0]); i++) {
		if (!implant(t, host, end[i].code, end[i].len, size - end[i].len))
			goto out;
		host->brain->regs.rax = end[i].rax;
		host->brain->regs.rbx = 0;
		if (!maeve_still(t, host, size - end[i].len, end[i].want, end[i].alt,
				 H_(end[i].what)))
			goto out;
	}
	ww_retire(host);
	host = NULL;

	/* the timing window counts instructions retired between the two */
	if (!maeve_timing(t, nops, WW_TIMING_WINDOW - 4, "12 x nop",
			  ESCAPE_TIMING_ATTACK,
			  H_("the second `rdtsc` of `rdtsc; 12 x nop; out 0x80, al; rdtsc`, "
			  "14 instructions after the first (WW_TIMING_WINDOW is 16)")) ||
	    !maeve_timing(t, nops, WW_TIMING_WINDOW, "16 x nop", ESCAPE_NONE,
			  H_("the second `rdtsc` of `rdtsc; 16 x nop; out 0x80, al; rdtsc`, "
			  "18 instructions after the first (WW_TIMING_WINDOW is 16)")) ||
	    !maeve_timing(t, loop16, sizeof(loop16), "mov cx, 16; loop $",
			  ESCAPE_NONE,
			  H_("the second `rdtsc` of `rdtsc; mov cx, 16; loop $; out 0x80, "
			  "al; rdtsc`, 19 instructions (9 bytes) after the first "
			  "(WW_TIMING_WINDOW is 16)")))
		goto out;
out:
	ww_retire(host);
}
