/* t_traps.c - the traps of section 5.4 and the mutants' reasons: a 0 MB
 * host, the RIP bound, implant bounds, the lifecycle leak, and every
 * allocation of the constructors made to fail one at a time */
#include "harness.h"

#include <stdio.h>
#include <string.h>

static const uint8_t g_nop[] = { 0x90 };
static const uint8_t g_mov_al_cut[] = { 0xb0 };
static const uint8_t g_hi[] = { 0xba, 0xf8, 0x03, 0xb0, 0x48, 0xee, 0xb0, 0x69,
				0xee, 0xb0, 0x21, 0xee, 0xb0, 0x0a, 0xee, 0xf4 };

void test_create_0mb(struct ww_test *t)
{
	WestworldHost *host;

	ww_phase("ford_creates_host(0)");
	host = ford_creates_host(0);
	EXPECT(t, host == NULL, "ford_creates_host(0): expected NULL, got a host");
out:
	ww_retire(host);
}

void test_rip_bound(struct ww_test *t)
{
	WestworldHost *host;
	uint32_t reason;
	int r;

	host = ww_host_with(t, 1, g_nop, sizeof(g_nop), WW_MIB - 1);
	if (host == NULL)
		return;
	ww_phase("dolores_wakes_up() on `nop` at 0xfffff, the last byte of a 1 MB "
		 "guest (RIP then reaches memory_size)");
	ww_hint("RIP == memory_size is outside guest memory: FAIL_ENTRY, not a loop");
	r = dolores_wakes_up(host);
	reason = host->brain->kvm_run->exit_reason;
	EXPECT(t, r == -1, "dolores_wakes_up() on `nop` at 0xfffff (RIP then equals "
	       "memory_size): expected -1, got %d", r);
	EXPECT(t, reason == KVM_EXIT_FAIL_ENTRY, "`nop` at 0xfffff then RIP == "
	       "memory_size: expected exit_reason %s, got %s",
	       ww_exit_name(KVM_EXIT_FAIL_ENTRY), ww_exit_name(reason));
	ww_retire(host);

	host = ww_host_with(t, 1, g_mov_al_cut, sizeof(g_mov_al_cut), WW_MIB - 1);
	if (host == NULL)
		return;
	ww_phase("dolores_wakes_up() on `mov al, imm8` cut after its opcode at "
		 "0xfffff (its immediate would be at memory_size)");
	r = dolores_wakes_up(host);
	reason = host->brain->kvm_run->exit_reason;
	EXPECT(t, r == -1, "dolores_wakes_up() on B0 (mov al, imm8) at 0xfffff, its "
	       "immediate past the end of guest memory: expected -1, got %d", r);
	EXPECT(t, reason != KVM_EXIT_HLT && reason != KVM_EXIT_IO, "B0 (mov al, imm8) "
	       "at 0xfffff: expected an error exit (KVM_EXIT_INTERNAL_ERROR), got %s",
	       ww_exit_name(reason));
out:
	ww_retire(host);
}

void test_implant_bounds(struct ww_test *t)
{
	static const uint8_t code[4] = { 0x90, 0x90, 0x90, 0xf4 };
	WestworldHost *host;
	uint64_t size;
	uint8_t *mem;
	int r;

	ww_phase("ford_creates_host(1)");
	host = ford_creates_host(1);
	EXPECT(t, host != NULL, "ford_creates_host(1): expected a host, got NULL");
	EXPECT(t, host->park != NULL && host->park->guest_memory != NULL,
	       "ford_creates_host(1): the host has no guest memory");
	size = host->park->memory_size;
	mem = host->park->guest_memory;
	EXPECT(t, size == WW_MIB, "ford_creates_host(1): park->memory_size is %llu, "
	       "expected 1048576", (unsigned long long)size);

	ww_phase("ford_implants_memories(NULL, code, 4, 0x7c00)");
	r = ford_implants_memories(NULL, code, 4, WW_GUEST_ENTRY);
	EXPECT(t, r == -1, "ford_implants_memories(NULL, code, 4, 0x7c00): expected "
	       "-1 for a NULL host, got %d", r);
	ww_phase("ford_implants_memories(host, NULL, 4, 0x7c00)");
	r = ford_implants_memories(host, NULL, 4, WW_GUEST_ENTRY);
	EXPECT(t, r == -1, "ford_implants_memories(host, NULL, 4, 0x7c00): expected "
	       "-1 for a NULL narrative, got %d", r);
	ww_phase("ford_implants_memories(host, code, 0, 0x7c00)");
	r = ford_implants_memories(host, code, 0, WW_GUEST_ENTRY);
	EXPECT(t, r == -1, "ford_implants_memories(host, code, 0, 0x7c00): expected "
	       "-1 for size 0, got %d", r);

	memset(mem + size - 3, 0xcc, 3);
	ww_phase("ford_implants_memories(host, code, 4, 0xffffd) (one byte past the "
		 "end of a 1 MB guest)");
	r = ford_implants_memories(host, code, 4, size - 3);
	EXPECT(t, r == -1, "ford_implants_memories(host, code, 4, 0xffffd): addr + "
	       "size = memory_size + 1, expected -1, got %d", r);
	EXPECT(t, mem[size - 3] == 0xcc && mem[size - 2] == 0xcc && mem[size - 1] == 0xcc,
	       "ford_implants_memories(host, code, 4, 0xffffd) returned -1 but wrote "
	       "into guest memory: on failure nothing is copied");

	ww_phase("ford_implants_memories(host, code, 4, UINT64_MAX - 1) (addr + size "
		 "overflows)");
	r = ford_implants_memories(host, code, 4, UINT64_MAX - 1);
	EXPECT(t, r == -1, "ford_implants_memories(host, code, 4, UINT64_MAX - 1): "
	       "addr + size overflows 64 bits, expected -1, got %d", r);

	ww_phase("ford_implants_memories(host, code, 4, 0xffffc) (exact fit at the end)");
	r = ford_implants_memories(host, code, 4, size - 4);
	EXPECT(t, r == 0, "ford_implants_memories(host, code, 4, 0xffffc): the last 4 "
	       "bytes of a 1 MB guest, expected 0, got %d", r);
	EXPECT(t, !memcmp(mem + size - 4, code, 4), "ford_implants_memories(host, "
	       "code, 4, 0xffffc) returned 0 but the code is not at 0xffffc");
out:
	ww_retire(host);
}

/* ford_retires_host(host), then the order of its releases: "in the reverse
 * order of creation: UART, EPT, vCPU and its kvm_run mapping, VM and its
 * guest memory, device, host".  Within a part any order; a part whose
 * release the wrappers did not see (a leak, reported as one) is left out. */
static void release_order(struct ww_test *t, WestworldHost *host)
{
	struct part {
		const char *name;
		const void *p[2];
	} parts[] = {
		{ HN_("the UART (voice)"), { host->voice, NULL } },
		{ HN_("the EPT (memories)"), { host->memories,
					  host->memories ? host->memories->pml4 : NULL } },
		{ HN_("the vCPU and its kvm_run mapping (brain)"),
		  { host->brain, host->brain ? host->brain->kvm_run : NULL } },
		{ HN_("the VM and its guest memory (park)"),
		  { host->park, host->park ? host->park->guest_memory : NULL } },
		{ HN_("the device (ford)"), { host->ford, NULL } },
		{ HN_("the host"), { host, NULL } },
	};
	size_t i, k, first[6], last[6], prev = SIZE_MAX;
	const char *prev_name = NULL;

	ww_release_log_start();
	ww_retire(host);
	for (i = 0; i < 6; i++) {
		first[i] = SIZE_MAX;
		last[i] = 0;
		for (k = 0; k < 2; k++) {
			size_t at = parts[i].p[k] ? ww_release_index(parts[i].p[k]) : SIZE_MAX;

			if (at == SIZE_MAX)
				continue;
			first[i] = at < first[i] ? at : first[i];
			last[i] = at > last[i] ? at : last[i];
		}
	}
	for (i = 0; i < 6; i++) {
		if (first[i] == SIZE_MAX)
			continue;
		if (prev != SIZE_MAX && first[i] < prev) {
			ww_fail(t, "ford_retires_host() released %s before %s: it must "
				"release in the reverse order of creation (UART, EPT, vCPU "
				"and its kvm_run mapping, VM and its guest memory, device, "
				"host), so that nothing is used after it was freed",
				H_(parts[i].name), prev_name);
			return;
		}
		prev = last[i];
		prev_name = H_(parts[i].name);
	}
}

void test_lifecycle_leak(struct ww_test *t)
{
	char desc[2048];
	WestworldHost *host;
	uint64_t mark = ww_alloc_mark();
	int r;

	host = ww_host_with(t, 1, g_hi, sizeof(g_hi), WW_GUEST_ENTRY);
	if (host == NULL)
		return;
	ww_phase("dolores_wakes_up() on the \"Hi!\\n\" guest");
	ww_hint("a HLT that does not stop the run loop?");
	r = dolores_wakes_up(host);
	EXPECT(t, r == 0, "dolores_wakes_up() on the \"Hi!\\n\" guest: expected 0, got %d", r);
	release_order(t, host);
	host = NULL;
out:
	ww_retire(host);
	if (!t->failed && ww_alloc_leaks(mark, desc, sizeof(desc)))
		ww_fail_leak(t, "create 1 MB, implant, run, ford_retires_host(): %s", desc);
}

/* ---- the allocation sweep ------------------------------------------------- */

struct sweep_env {
	KvmDevice  *kvm;
	KvmVm      *vm;
	void       *result;
	int         rc;
};

struct ctor {
	const char *name;
	const char *fail_value;
	bool (*setup)(struct ww_test *t, struct sweep_env *e);
	bool (*call)(struct sweep_env *e);     /* true: it succeeded */
	void (*release)(struct sweep_env *e);  /* the result, after a success */
};

static bool setup_none(struct ww_test *t, struct sweep_env *e)
{
	(void)t;
	(void)e;
	return true;
}

static bool setup_kvm(struct ww_test *t, struct sweep_env *e)
{
	ww_phase("kvm_open() (setup)");
	e->kvm = kvm_open();
	if (e->kvm == NULL)
		ww_fail(t, "kvm_open(): expected a device, got NULL");
	return e->kvm != NULL;
}

static bool setup_vm(struct ww_test *t, struct sweep_env *e)
{
	if (!setup_kvm(t, e))
		return false;
	ww_phase("kvm_create_vm(kvm) (setup)");
	e->vm = kvm_create_vm(e->kvm);
	if (e->vm == NULL)
		ww_fail(t, "kvm_create_vm(kvm): expected a VM, got NULL");
	return e->vm != NULL;
}

static bool setup_vm_mem(struct ww_test *t, struct sweep_env *e)
{
	int r;

	if (!setup_vm(t, e))
		return false;
	ww_phase("kvm_set_user_memory_region(vm, 0, 0, 1 MiB, NULL) (setup)");
	r = kvm_set_user_memory_region(e->vm, 0, 0, WW_MIB, NULL);
	if (r != 0)
		ww_fail(t, "kvm_set_user_memory_region(vm, 0, 0, 1 MiB, NULL): "
			"expected 0, got %d", r);
	return r == 0;
}

static void teardown(struct sweep_env *e)
{
	if (e->vm) {
		ww_phase("kvm_destroy_vm() (teardown)");
		kvm_destroy_vm(e->vm);
	}
	if (e->kvm) {
		ww_phase("kvm_close() (teardown)");
		kvm_close(e->kvm);
	}
	e->vm = NULL;
	e->kvm = NULL;
}

static bool call_host(struct sweep_env *e) { return (e->result = ford_creates_host(1)) != NULL; }
static void rel_host(struct sweep_env *e) { ford_retires_host(e->result); }
static bool call_open(struct sweep_env *e) { return (e->result = kvm_open()) != NULL; }
static void rel_open(struct sweep_env *e) { kvm_close(e->result); }
static bool call_vm(struct sweep_env *e) { return (e->result = kvm_create_vm(e->kvm)) != NULL; }
static void rel_vm(struct sweep_env *e) { kvm_destroy_vm(e->result); }
static bool call_region(struct sweep_env *e)
{
	return (e->rc = kvm_set_user_memory_region(e->vm, 0, 0, WW_MIB, NULL)) == 0;
}
static void rel_region(struct sweep_env *e) { (void)e; /* the VM's teardown */ }
static bool call_vcpu(struct sweep_env *e) { return (e->result = kvm_create_vcpu(e->vm, 0)) != NULL; }
static void rel_vcpu(struct sweep_env *e) { kvm_destroy_vcpu(e->result); }
static bool call_ept(struct sweep_env *e) { return (e->result = ept_create(WW_MIB)) != NULL; }
static void rel_ept(struct sweep_env *e) { ept_destroy(e->result); }
static bool call_serial(struct sweep_env *e) { return (e->result = serial_create()) != NULL; }
static void rel_serial(struct sweep_env *e) { serial_destroy(e->result); }

static const struct ctor ctors[] = {
	{ "ford_creates_host(1)", "NULL", setup_none, call_host, rel_host },
	{ "kvm_open()", "NULL", setup_none, call_open, rel_open },
	{ "kvm_create_vm(kvm)", "NULL", setup_kvm, call_vm, rel_vm },
	{ "kvm_set_user_memory_region(vm, 0, 0, 1 MiB, NULL)", "-1", setup_vm,
	  call_region, rel_region },
	{ "kvm_create_vcpu(vm, 0)", "NULL", setup_vm_mem, call_vcpu, rel_vcpu },
	{ "ept_create(1 MiB)", "NULL", setup_none, call_ept, rel_ept },
	{ "serial_create()", "NULL", setup_none, call_serial, rel_serial },
};

/* One constructor: a clean run to count its allocations, then one run per
 * allocation with that one failing.  False when the test failed. */
static bool sweep_one(struct ww_test *t, const struct ctor *c, unsigned *runs)
{
	char desc[1024];
	struct sweep_env e = { 0 };
	uint64_t mark, n, k;
	bool ok;

	if (!c->setup(t, &e))
		goto fail;
	ww_phase("%s (clean run, counting its allocations)", c->name);
	mark = ww_alloc_mark();
	ok = c->call(&e);
	n = ww_alloc_calls_since(mark);
	if (!ok) {
		ww_fail(t, "%s with no allocation failing: expected success, got %s",
			c->name, c->fail_value);
		goto fail;
	}
	ww_phase("releasing the result of %s", c->name);
	c->release(&e);
	teardown(&e);
	for (k = 1; k <= n; k++) {
		memset(&e, 0, sizeof(e));
		if (!c->setup(t, &e))
			goto fail;
		ww_phase("%s (allocation sweep, %llu allocations)", c->name,
			 (unsigned long long)n);
		mark = ww_alloc_mark();
		ww_alloc_fail_at(k);
		ok = c->call(&e);
		(*runs)++;
		if (!ww_board->fail_hit) {
			/* This run allocated less: nothing was made to fail. */
			ww_alloc_fail_at(0);
			if (ok)
				c->release(&e);
			teardown(&e);
			continue;
		}
		if (ok) {
			ww_fail(t, "allocation #%llu (%s at @{0x%llx}) made to fail: "
				"%s succeeded anyway, expected %s", (unsigned long long)k,
				ww_board->fail_kind, (unsigned long long)ww_board->fail_site,
				c->name, c->fail_value);
			ww_alloc_fail_at(0);
			c->release(&e);
			goto fail;
		}
		if (c->call == call_region &&
		    (e.vm->memory_size != 0 || e.vm->guest_memory != NULL)) {
			ww_fail(t, "allocation #%llu (%s at @{0x%llx}) made to fail: %s "
				"returned -1 but left memory_size %llu / guest_memory %p: on "
				"failure nothing the caller sees may change",
				(unsigned long long)k, ww_board->fail_kind,
				(unsigned long long)ww_board->fail_site, c->name,
				(unsigned long long)e.vm->memory_size, (void *)e.vm->guest_memory);
			ww_alloc_fail_at(0);
			e.vm->memory_size = 0;
			e.vm->guest_memory = NULL;
			goto fail;
		}
		{
			uint64_t fk = k, fsite = ww_board->fail_site;
			char fkind[16];

			snprintf(fkind, sizeof(fkind), "%s", ww_board->fail_kind);
			ww_alloc_fail_at(0);
			teardown(&e);
			if (ww_alloc_leaks(mark, desc, sizeof(desc))) {
				ww_fail_leak(t, "allocation #%llu (%s at @{0x%llx}) made to "
					     "fail: %s returned %s but did not release what it "
					     "had allocated: %s", (unsigned long long)fk, fkind,
					     (unsigned long long)fsite, c->name, c->fail_value, desc);
				ww_alloc_reclaim(mark);
				return false;
			}
		}
	}
	return true;
fail:
	teardown(&e);
	return false;
}

void test_alloc_failures(struct ww_test *t)
{
	unsigned runs = 0;
	size_t i;

	for (i = 0; i < sizeof(ctors) / sizeof(ctors[0]); i++)
		if (!sweep_one(t, &ctors[i], &runs))
			return;
}
