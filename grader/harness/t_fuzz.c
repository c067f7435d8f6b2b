/* t_fuzz.c - the spec's generator over memory_mb, and the driver's edge
 * cases run generically */
#include "harness.h"

#include <stdio.h>
#include <string.h>

#define RSS_LIMIT (64ull * 1024 * 1024)

/* The reference, linked with its global symbols prefixed ref_ when the
 * spec's fuzzing oracle is "reference" (weak: absent otherwise). */
WestworldHost *ref_ford_creates_host(size_t memory_mb) __attribute__((weak));
void ref_ford_retires_host(WestworldHost *host) __attribute__((weak));

/* Whether ford_creates_host(v) must fail: the reference says so, or the
 * rule of the contract (0 MB) does. */
static bool expect_null(const struct ww_test *t, uint64_t v)
{
	WestworldHost *ref;

	if (!t->oracle_reference || ref_ford_creates_host == NULL ||
	    ref_ford_retires_host == NULL)
		return v == 0;
	ref = ref_ford_creates_host((size_t)v);
	ref_ford_retires_host(ref);
	return ref == NULL;
}

static const uint8_t g_hlt[] = { 0xf4 };

/* splitmix64: small, and the same sequence on every machine */
static uint64_t next_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void test_fuzz_memory_mb(struct ww_test *t)
{
	char desc[1024];
	uint64_t state = t->seed, lo = t->fuzz_min, hi = t->fuzz_max;
	unsigned i;

	for (i = 0; i < t->fuzz_iterations && !t->failed; i++) {
		WestworldHost *host = NULL;
		uint64_t v, mark, rss0, rss1;
		bool want_null;
		int r;

		/* The bounds first, then the generator. */
		if (i == 0)
			v = lo;
		else if (i == 1)
			v = hi;
		else
			v = lo + next_rand(&state) % (hi - lo + 1);
		ww_phase("fuzz iteration %u/%u (seed %llu): ford_creates_host(%llu)",
			 i + 1, t->fuzz_iterations, (unsigned long long)t->seed,
			 (unsigned long long)v);
		want_null = expect_null(t, v);
		mark = ww_alloc_mark();
		rss0 = ww_rss();
		host = ford_creates_host((size_t)v);
		if (want_null) {
			EXPECT(t, host == NULL, "fuzz iteration %u: ford_creates_host(%llu): "
			       "expected NULL (%s), got a host", i + 1, (unsigned long long)v,
			       v == 0 ? "0 MB" : H_("as the reference"));
			continue;
		}
		EXPECT(t, host != NULL, "fuzz iteration %u: ford_creates_host(%llu): "
		       "expected a host, got NULL", i + 1, (unsigned long long)v);
		ww_phase("fuzz iteration %u/%u (seed %llu): ford_implants_memories() on "
			 "a %llu MB host", i + 1, t->fuzz_iterations,
			 (unsigned long long)t->seed, (unsigned long long)v);
		r = ford_implants_memories(host, g_hlt, sizeof(g_hlt), WW_GUEST_ENTRY);
		EXPECT(t, r == 0, "fuzz iteration %u: ford_implants_memories({F4}, 0x7c00) "
		       "on a %llu MB host: expected 0, got %d", i + 1,
		       (unsigned long long)v, r);
		ww_phase("fuzz iteration %u/%u (seed %llu): dolores_wakes_up() on a %llu "
			 "MB host running `hlt`", i + 1, t->fuzz_iterations,
			 (unsigned long long)t->seed, (unsigned long long)v);
		ww_hint("a HLT that does not stop the run loop, or memory touched page "
			"by page?");
		r = dolores_wakes_up(host);
		EXPECT(t, r == 0, "fuzz iteration %u: dolores_wakes_up() on a %llu MB "
		       "host running `hlt`: expected 0, got %d", i + 1,
		       (unsigned long long)v, r);
		rss1 = ww_rss();
		EXPECT(t, rss1 < rss0 || rss1 - rss0 < RSS_LIMIT, "fuzz iteration %u: "
		       "a %llu MB host running one `hlt` made the process grow by %llu "
		       "MiB: guest memory must be mapped lazily (mmap), not touched or "
		       "copied", i + 1, (unsigned long long)v,
		       (unsigned long long)((rss1 - rss0) >> 20));
		ww_retire(host);
		host = NULL;
		if (ww_alloc_leaks(mark, desc, sizeof(desc))) {
			ww_fail_leak(t, "fuzz iteration %u: ford_creates_host(%llu) then "
				     "ford_retires_host(): %s", i + 1,
				     (unsigned long long)v, desc);
			ww_alloc_reclaim(mark);
		}
		continue;
out:
		ww_retire(host);
	}
}

void ww_edge_case(struct ww_test *t)
{
	const char *exp = t->edge_expected;
	size_t mb = (size_t)t->edge_arg;
	WestworldHost *host = NULL;
	int r;

	ww_phase("ford_creates_host(%zu)", mb);
	host = ford_creates_host(mb);
	if (!strcmp(exp, "null")) {
		EXPECT(t, host == NULL, "ford_creates_host(%zu): expected NULL, got a "
		       "host", mb);
	} else if (!strcmp(exp, "non_null")) {
		EXPECT(t, host != NULL, "ford_creates_host(%zu): expected a host, got "
		       "NULL", mb);
	} else if (!strcmp(exp, "no_memory_leak")) {
		EXPECT(t, host != NULL, "ford_creates_host(%zu): expected a host, got "
		       "NULL", mb);
		/* what leaks is found by the check every item gets */
	} else if (!strcmp(exp, "exit_hlt")) {
		EXPECT(t, host != NULL, "ford_creates_host(%zu): expected a host, got "
		       "NULL", mb);
		ww_phase("ford_implants_memories({F4}, 0x7c00)");
		r = ford_implants_memories(host, g_hlt, sizeof(g_hlt), WW_GUEST_ENTRY);
		EXPECT(t, r == 0, "ford_implants_memories({F4}, 0x7c00): expected 0, "
		       "got %d", r);
		ww_phase("kvm_run() on `hlt`");
		r = kvm_run(host->brain);
		EXPECT(t, r == 0 && host->brain->kvm_run->exit_reason == KVM_EXIT_HLT,
		       "kvm_run() on `hlt`: expected 0 and %s, got %d and %s",
		       ww_exit_name(KVM_EXIT_HLT), r,
		       ww_exit_name(host->brain->kvm_run->exit_reason));
	} else {
		ww_fail(t, "unknown expectation '%s'", exp);
	}
out:
	ww_retire(host);
}
