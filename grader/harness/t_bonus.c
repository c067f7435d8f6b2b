/* t_bonus.c - the bonus table: CPUID, RDTSC and VMCALL exits answered by the
 * VMM, and maeve_tries_to_escape()
 *
 * maeve_tries_to_escape() is declared weak: a base submission does not
 * define it, links all the same, and its maeve tests are not run.
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
	default:                     return "an unknown EscapeAttempt";
	}
}

static bool have_maeve(struct ww_test *t)
{
	if (maeve_tries_to_escape != NULL)
		return true;
	t->skipped = true;
	snprintf(t->msg, sizeof(t->msg), "maeve_tries_to_escape() is not defined");
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
	freeze(host, "the CPUID exit");
	if (!step(t, host, KVM_EXIT_HLT, "the CPUID was answered"))
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
	if (!step(t, host, WW_EXIT_CPUID, "`cpuid` with EAX = 0x40000000"))
		goto out;
	freeze(host, "the CPUID exit of leaf 0x40000000");
	if (!step(t, host, KVM_EXIT_HLT, "the CPUID was answered"))
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

/* rdtsc ; nop ; rdtsc ; hlt on host: the two TSC values. */
static bool two_rdtsc(struct ww_test *t, WestworldHost *host, uint64_t tsc[2])
{
	for (int i = 0; i < 2; i++) {
		if (!step(t, host, WW_EXIT_RDTSC, i ? "`nop; rdtsc`" : "`rdtsc`"))
			return false;
		tsc[i] = host->brain->kvm_run->rdtsc.tsc;
		freeze(host, "the RDTSC exit");
	}
	return step(t, host, KVM_EXIT_HLT, "the second RDTSC was answered");
}

void test_rdtsc_per_host(struct ww_test *t)
{
	static const uint8_t g[] = { 0x0f, 0x31, 0x90, 0x0f, 0x31, 0xf4 };
	WestworldHost *a, *b = NULL;
	uint64_t ta[2], tb[2];

	a = ww_host_with(t, 1, g, sizeof(g), WW_GUEST_ENTRY);
	if (a == NULL)
		return;
	if (!two_rdtsc(t, a, ta))
		goto out;
	EXPECT(t, ta[1] > ta[0], "`rdtsc; nop; rdtsc`: the second TSC (%llu) is not "
	       "greater than the first (%llu)", (unsigned long long)ta[1],
	       (unsigned long long)ta[0]);
	b = ww_host_with(t, 1, g, sizeof(g), WW_GUEST_ENTRY);
	if (b == NULL)
		goto out;
	if (!two_rdtsc(t, b, tb))
		goto out;
	EXPECT(t, ta[0] == tb[0] && ta[1] == tb[1], "the same `rdtsc; nop; rdtsc` on "
	       "two hosts read %llu, %llu then %llu, %llu: each vCPU has its own "
	       "counter, so both must read the same values", (unsigned long long)ta[0],
	       (unsigned long long)ta[1], (unsigned long long)tb[0],
	       (unsigned long long)tb[1]);
out:
	ww_retire(a);
	ww_retire(b);
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
	freeze(host, "the hypercall exit (nr 1)");
	if (!step(t, host, KVM_EXIT_HLT, "the hypercall was answered"))
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
	freeze(host, "the hypercall exit (nr 999)");
	if (!step(t, host, KVM_EXIT_HLT, "the hypercall was answered"))
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
	if (!maeve_is(t, host, WW_GUEST_ENTRY, ESCAPE_CPUID_DETECT, "`cpuid` with EAX = 1"))
		goto out;
	host->brain->regs.rax = 0x40000000;
	maeve_is(t, host, WW_GUEST_ENTRY, ESCAPE_CPUID_DETECT,
		 "`cpuid` with EAX = 0x40000000");
out:
	ww_retire(host);
}

void test_maeve_timing(struct ww_test *t)
{
	static const uint8_t g[] = { 0x0f, 0x31, 0x90, 0x0f, 0x31, 0xf4 };
	WestworldHost *host;

	if (!have_maeve(t))
		return;
	host = ww_host_with(t, 1, g, sizeof(g), WW_GUEST_ENTRY);
	if (host == NULL)
		return;
	if (!step(t, host, WW_EXIT_RDTSC, "`rdtsc`"))
		goto out;
	freeze(host, "the RDTSC exit");
	if (!step(t, host, WW_EXIT_RDTSC, "`nop; rdtsc`"))
		goto out;
	freeze(host, "the RDTSC exit");
	maeve_is(t, host, WW_GUEST_ENTRY + 3, ESCAPE_TIMING_ATTACK,
		 "the second `rdtsc` of `rdtsc; nop; rdtsc`, 2 instructions after the first");
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
	    !maeve_is(t, host, size + 0x1000, ESCAPE_MEMORY_PROBE, "RIP past memory_size"))
		goto out;
	/* DS.base + 0x8000 == memory_size: the operand is outside guest memory. */
	host->brain->sregs.ds.base = size - 0x8000;
	if (!maeve_is(t, host, WW_GUEST_ENTRY, ESCAPE_MEMORY_PROBE,
		      "`mov al, [0x8000]` with DS.base + 0x8000 == memory_size"))
		goto out;
	maeve_is(t, host, WW_GUEST_ENTRY + 3, ESCAPE_MEMORY_PROBE,
		 "`mov [0x8000], al` with DS.base + 0x8000 == memory_size");
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
		      "`vmcall` with RAX = 999"))
		goto out;
	host->brain->regs.rax = KVM_HC_MAX_KNOWN + 1;
	maeve_is(t, host, WW_GUEST_ENTRY, ESCAPE_HYPERCALL_ABUSE,
		 "`vmcall` with RAX = 13 (one past the known numbers)");
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
		{ 7, 0, "`cpuid` with EAX = 0 (leaf 0 is not a detection)" },
		{ 9, 1, "`vmcall` with RAX = 1 (a known hypercall)" },
		{ 12, 0, "a first `rdtsc` (no earlier one)" },
		{ 14, 0, "`mov al, [0x1000]` (inside guest memory)" },
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
			      cases[i].what))
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
	if (!maeve_is(t, NULL, 0, ESCAPE_NONE, "a NULL host"))
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

void test_bonus_exit_fields(struct ww_test *t)
{
	ww_fail(t, "not written yet");
}

void test_maeve_no_side_effects(struct ww_test *t)
{
	ww_fail(t, "not written yet");
}
