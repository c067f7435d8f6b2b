/* harness.h - what the harness's parts share: the board, the test context,
 * the allocation tracker and the checks the tests use
 *
 * The harness is linked with one submission into one executable.  Its
 * supervisor (supervisor.c) forks a worker (worker.c) that runs the tests one
 * after the other; the submission's library calls were renamed to ww_* by
 * the grader (objcopy --redefine-sym) and land in wrap.c, which counts every
 * allocation and mapping, can make the k-th one fail, and blocks the calls
 * the norm forbids.
 */
#ifndef WW_HARNESS_H
#define WW_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hypervisor_sim.h"

/* ---- the board: a shared page the supervisor reads after a worker died --- */

#define WW_BOARD_TEXT 512
#define WW_BOARD_FRAMES 16

struct ww_board {
	uint32_t  item;                    /* index of the item being run */
	char      phase[WW_BOARD_TEXT];   /* what the test is doing now */
	char      hint[WW_BOARD_TEXT];    /* what a timeout there suggests */
	/* allocation failure being injected, if any */
	uint64_t  fail_k;                  /* 1-based, 0 when none */
	uint64_t  fail_site;
	char      fail_kind[16];
	bool      fail_hit;                /* the k-th allocation happened */
	/* exit()/_exit() called by the submission */
	bool      exit_called;
	int       exit_status;
	uint64_t  exit_site;
	char      exit_func[16];
	/* fatal signal, filled by the worker's handler */
	int       sig;
	uint64_t  sig_addr;
	uint64_t  sig_pc;
	uint64_t  frames[WW_BOARD_FRAMES];
	int       nframes;
	char      sig_where[WW_BOARD_TEXT]; /* the fault address against the mappings */
	/* where the item's CPU time goes: a SIGPROF tick every WW_PROF_MS of
	 * CPU time (worker.c), and the vCPU a kvm_run() is running (profile.c) */
	uint64_t  prof_samples;
	uint64_t  prof_pc;                 /* the code the last tick interrupted */
	bool      guest_known;             /* the last tick was inside kvm_run() */
	uint64_t  guest_rip;               /* the vCPU's regs.rip then */
	uint64_t  guest_insns;             /* its instructions, minus at entry */
	uint64_t  guest_exits;             /* its exits, minus at entry */
	uint64_t  guest_rip_moves;         /* ticks where regs.rip had changed */
	uint64_t  guest_mem_end;           /* guest_phys_addr + memory_size */
	uint32_t  guest_exit_reason;       /* kvm_run->exit_reason then */
};

#define WW_PROF_MS 10

extern struct ww_board *ww_board;

/* The tests call the submission's kvm_run() through ww_kvm_run(), which
 * shows the profiler the vCPU being run (profile.c). */
int ww_kvm_run(KvmVcpu *vcpu);
#define kvm_run(vcpu) ww_kvm_run(vcpu)
/* The same for the host's run loop: its vCPU is the one watched. */
int ww_dolores_wakes_up(WestworldHost *host);
#define dolores_wakes_up(host) ww_dolores_wakes_up(host)
/* The SIGPROF handler's part: samples the vCPU being run, if any. */
void ww_prof_guest(void);

/* Sets the board's phase (and clears the hint), printf-style. */
void ww_phase(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Sets what a timeout in the current phase suggests. */
void ww_hint(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- the language of the messages (lang.c) ----------------------------- */

/* Binds the catalogue of lang (the grader's --lang, "en" or "fr") found in
 * dir (--localedir), and loads it.  English changes nothing.  -1 for a
 * language the harness does not speak or a bind that failed. */
int ww_lang_init(const char *lang, const char *dir);
/* The message format msgid in the grader's language.  The message makers
 * (ww_fail, ww_fail_leak, EXPECT, ww_phase, ww_hint) call it on their
 * format; H_() marks a format written elsewhere (xgettext's keyword, see
 * po/po.mk), HN_() one that a table holds, translated where it is used. */
const char *ww_tr(const char *msgid) __attribute__((format_arg(1)));
#define H_(s)  ww_tr(s)
#define HN_(s) (s)

/* ---- the allocation tracker (wrap.c) ----------------------------------- */

enum ww_alloc_kind { WW_MALLOC, WW_CALLOC, WW_REALLOC, WW_MMAP };

/* The sequence number of the next allocation: allocations made from now on
 * have a number >= the one returned. */
uint64_t ww_alloc_mark(void);
/* Number of allocation calls (malloc, calloc, realloc, mmap) since mark. */
uint64_t ww_alloc_calls_since(uint64_t mark);
/* Makes the k-th allocation call from now fail (k >= 1), 0 to stop. */
void ww_alloc_fail_at(uint64_t k);

/* Describes in out what the submission allocated since mark and still holds,
 * with each site as "@{0xADDR}" for the grader to resolve.  Returns the
 * number of live blocks and mappings (0: nothing leaked). */
size_t ww_alloc_leaks(uint64_t mark, char *out, size_t cap);
/* Unmaps the mappings made since mark that the submission still holds, so a
 * leak does not cost the following tests their address space. */
void ww_alloc_reclaim(uint64_t mark);
/* Describes addr against the mappings the submission holds ("12 bytes past
 * the end of the 1048576-byte mapping made at @{..}").  Safe in a signal
 * handler.  Empty string if addr is not near one. */
void ww_alloc_where(uint64_t addr, char *out, size_t cap);
/* Translates ww_alloc_where()'s formats now (ww_lang_init()), so that the
 * signal handler does not. */
void ww_alloc_lang(void);
/* True if the submission called munmap on [addr, addr + len) without having
 * mapped it (since the last ww_errors_reset()). */
bool ww_foreign_munmap(const void *addr, size_t len);

/* The order of the submission's releases: ww_release_log_start() clears
 * the log; ww_release_index(p) is the position of the free() or munmap()
 * of p since then, SIZE_MAX if p was not released. */
void ww_release_log_start(void);
size_t ww_release_index(const void *p);

/* Misuses the wrappers saw (free of a pointer never allocated, munmap of a
 * foreign mapping, a blocked forbidden call): count and first message. */
void ww_errors_reset(void);
unsigned ww_errors_count(void);
const char *ww_errors_first(void);
/* Forbidden calls attempted at run time (a subset of the errors). */
unsigned ww_violations_count(void);

/* ---- the test context --------------------------------------------------- */

struct ww_test {
	bool      failed;
	bool      leak;           /* the failure is a leak found by a check */
	bool      skipped;        /* not applicable (bonus function missing) */
	char      msg[4096];
	/* parameters from the command line */
	uint64_t  seed;
	unsigned  fuzz_iterations;
	uint64_t  fuzz_min, fuzz_max;
	bool      oracle_reference;
	/* edge-case items */
	uint64_t  edge_arg;
	const char *edge_expected;
};

/* Records the first failure of the test (later ones are ignored). */
void ww_fail(struct ww_test *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Marks the test as a leak, with message. */
void ww_fail_leak(struct ww_test *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A check: on failure, records the message and jumps to the test's out:
 * label, where the test releases what it created. */
#define EXPECT(t, cond, ...) do { \
		if (!(cond)) { \
			ww_fail((t), __VA_ARGS__); \
			goto out; \
		} \
	} while (0)

/* The submission's output since the test began: flushes stdout and returns
 * up to cap bytes in buf, the total in *total.  Returns the bytes copied. */
size_t ww_output(char *buf, size_t cap, size_t *total);

/* Resident set size of the process in bytes (from /proc/self/statm). */
uint64_t ww_rss(void);

/* ---- helpers the tests share (guest.c) ---------------------------------- */

/* A host of mb MiB with code implanted at addr; NULL (and t failed, naming
 * the step) if either step fails. */
WestworldHost *ww_host_with(struct ww_test *t, size_t mb, const uint8_t *code,
			    size_t len, uint64_t addr);
/* ford_retires_host(host) unless host is NULL (that is test_null_kvm's). */
void ww_retire(WestworldHost *host);
/* kvm_destroy_vcpu(), kvm_destroy_vm(), kvm_close() of those not NULL, in
 * that order, each its own phase (a hang in one is named). */
void ww_release_kvm(KvmVcpu *vcpu, KvmVm *vm, KvmDevice *kvm);
/* True if the len bytes of want appear in buf[0..n) in order, anything
 * between them: the guest's serial bytes in stdout, whatever a solution
 * logs around or between them. */
bool ww_in_order(const void *buf, size_t n, const void *want, size_t len);
/* "BA F8 03 EE" style rendering of code, for messages. */
const char *ww_hex(const uint8_t *code, size_t len);
/* The name of an exit reason ("KVM_EXIT_IO (2)"). */
const char *ww_exit_name(uint32_t reason);
/* The byte at data_offset of an IO exit, or -1 (and t failed) if the offset
 * is outside the kvm_run mapping. */
int ww_io_byte(struct ww_test *t, KvmVcpu *vcpu, const char *what);

#define WW_GUEST_ENTRY 0x7c00u

/* ---- the tests ----------------------------------------------------------- */

typedef void ww_test_fn(struct ww_test *t);

#define WW_TEST(name, table) ww_test_fn name;
#include "tests.def"
#undef WW_TEST

void ww_edge_case(struct ww_test *t);

#endif /* WW_HARNESS_H */
