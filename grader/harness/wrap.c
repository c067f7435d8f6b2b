/* wrap.c - the submission's library calls, renamed ww_* by the grader
 *
 * Allocations (malloc, calloc, realloc, mmap) are counted in a table keyed
 * by address, with the call site, so that a test can say what the
 * submission still holds and where it got it, and so that the k-th one can
 * be made to fail (SQLite's test_malloc.c countdown).  An anonymous mapping
 * gets a PROT_NONE guard page on each side: a read one byte past guest
 * memory faults instead of reading a neighbour.  Calls the norm forbids are
 * blocked and recorded; exit() is recorded before the worker ends.
 * What the tests ask of the table (the leaks, where an address falls) is
 * alloc_report.c's.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "harness.h"
#include "wrap.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <unistd.h>

#define SITE() ((uint64_t)(uintptr_t)__builtin_return_address(0) - 1)

struct block *ww_blocks;              /* the table, by address (wrap.h) */
size_t ww_blocks_cap;
static size_t table_used, table_live;
static uint64_t seq_next = 1;           /* sequence of the next allocation */
static uint64_t fail_target;            /* sequence number to fail, 0 none */

static unsigned err_count, viol_count;
static char err_first[1024];
static uintptr_t foreign[8];            /* munmap'd without being ours */
static unsigned nforeign;

const char *const ww_alloc_kind_names[] = { "malloc", "calloc", "realloc", "mmap" };

static size_t page_size(void)
{
	static size_t pg;

	if (!pg)
		pg = (size_t)sysconf(_SC_PAGESIZE);
	return pg;
}

static size_t hash_addr(uintptr_t a, size_t cap)
{
	uint64_t h = (uint64_t)a * 0x9e3779b97f4a7c15ull;

	return (size_t)(h >> 20) & (cap - 1);
}

static struct block *table_find(uintptr_t addr)
{
	size_t i;

	if (!ww_blocks_cap || addr <= SLOT_DELETED)
		return NULL;
	for (i = hash_addr(addr, ww_blocks_cap); ww_blocks[i].addr != SLOT_EMPTY;
	     i = (i + 1) & (ww_blocks_cap - 1))
		if (ww_blocks[i].addr == addr)
			return &ww_blocks[i];
	return NULL;
}

static void table_insert(const struct block *b);

static void table_rehash(size_t cap)
{
	struct block *old = ww_blocks;
	size_t old_cap = ww_blocks_cap, i;

	ww_blocks = calloc(cap, sizeof(*ww_blocks));
	if (ww_blocks == NULL) {
		/* The harness cannot track without memory: end the worker; the
		 * supervisor reports the test as crashed. */
		static const char msg[] = "harness: out of memory\n";
		(void)!write(2, msg, sizeof(msg) - 1);
		_exit(125);
	}
	ww_blocks_cap = cap;
	table_used = table_live = 0;
	for (i = 0; i < old_cap; i++)
		if (old[i].addr > SLOT_DELETED)
			table_insert(&old[i]);
	free(old);
}

static void table_insert(const struct block *b)
{
	size_t i;

	if ((table_used + 1) * 2 > ww_blocks_cap)
		table_rehash(ww_blocks_cap ? (table_live * 4 > ww_blocks_cap ? ww_blocks_cap * 2 : ww_blocks_cap) : 1024);
	for (i = hash_addr(b->addr, ww_blocks_cap); ww_blocks[i].addr > SLOT_DELETED;
	     i = (i + 1) & (ww_blocks_cap - 1))
		;
	if (ww_blocks[i].addr == SLOT_EMPTY)
		table_used++;
	ww_blocks[i] = *b;
	table_live++;
}

void ww_block_forget(struct block *b)
{
	b->addr = SLOT_DELETED;
	table_live--;
}

static void note_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void note_error(const char *fmt, ...)
{
	va_list ap;

	if (err_count++ == 0) {
		va_start(ap, fmt);
		vsnprintf(err_first, sizeof(err_first), fmt, ap);
		va_end(ap);
	}
}

void ww_errors_reset(void)
{
	err_count = viol_count = 0;
	err_first[0] = '\0';
	nforeign = 0;
}

unsigned ww_errors_count(void)
{
	return err_count;
}

const char *ww_errors_first(void)
{
	return err_first;
}

unsigned ww_violations_count(void)
{
	return viol_count;
}

uint64_t ww_alloc_mark(void)
{
	return seq_next;
}

uint64_t ww_alloc_calls_since(uint64_t mark)
{
	return seq_next - mark;
}

void ww_alloc_fail_at(uint64_t k)
{
	fail_target = k ? seq_next + k - 1 : 0;
	ww_board->fail_k = k;
	ww_board->fail_site = 0;
	ww_board->fail_hit = false;
	ww_board->fail_kind[0] = '\0';
}

/* Counts an allocation call; true if this one must fail. */
static bool alloc_begin(enum ww_alloc_kind kind, uint64_t site, uint64_t *seq)
{
	*seq = seq_next++;
	if (fail_target && *seq == fail_target) {
		ww_board->fail_hit = true;
		ww_board->fail_site = site;
		snprintf(ww_board->fail_kind, sizeof(ww_board->fail_kind), "%s",
			 ww_alloc_kind_names[kind]);
		errno = ENOMEM;
		return true;
	}
	return false;
}

static void track(void *p, size_t size, enum ww_alloc_kind kind, uint64_t seq,
		  uint64_t site, uintptr_t base, size_t base_len)
{
	struct block b = {
		.addr = (uintptr_t)p, .size = size, .seq = seq, .site = site,
		.kind = (uint8_t)kind, .base = base, .base_len = base_len,
	};

	table_insert(&b);
}

void *ww_malloc(size_t size);
void *ww_calloc(size_t n, size_t size);
void *ww_realloc(void *p, size_t size);
void ww_free(void *p);
void *ww_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
void *ww_mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int ww_munmap(void *addr, size_t len);

static void *do_malloc(size_t size, uint64_t site)
{
	uint64_t seq;
	void *p;

	if (alloc_begin(WW_MALLOC, site, &seq))
		return NULL;
	p = malloc(size);
	if (p)
		track(p, size, WW_MALLOC, seq, site, 0, 0);
	return p;
}

void *ww_malloc(size_t size)
{
	return do_malloc(size, SITE());
}

void *ww_calloc(size_t n, size_t size)
{
	uint64_t site = SITE(), seq;
	void *p;

	if (alloc_begin(WW_CALLOC, site, &seq))
		return NULL;
	p = calloc(n, size);
	if (p)
		track(p, n * size, WW_CALLOC, seq, site, 0, 0);
	return p;
}

void *ww_realloc(void *p, size_t size)
{
	uint64_t site = SITE(), seq;
	struct block *b;
	void *q;

	if (p == NULL)
		return do_malloc(size, site);
	b = table_find((uintptr_t)p);
	if (b == NULL || b->kind == WW_MMAP) {
		note_error(H_("realloc(%p) at @{0x%llx}: not a block the submission "
			   "allocated (or already freed)"), p, (unsigned long long)site);
		errno = EINVAL;
		return NULL;
	}
	if (alloc_begin(WW_REALLOC, site, &seq))
		return NULL;
	q = realloc(p, size);
	if (q == NULL && size != 0)
		return NULL;
	ww_block_forget(b);
	if (q)
		track(q, size, WW_REALLOC, seq, site, 0, 0);
	return q;
}

/* The releases since ww_release_log_start(), in order: the addresses the
 * submission gave free() and munmap(). */
#define RELEASE_LOG 256
static uintptr_t release_log[RELEASE_LOG];
static size_t nreleased;

static void log_release(const void *p)
{
	if (nreleased < RELEASE_LOG)
		release_log[nreleased] = (uintptr_t)p;
	nreleased++;
}

void ww_release_log_start(void)
{
	nreleased = 0;
}

size_t ww_release_index(const void *p)
{
	size_t i;

	for (i = 0; i < nreleased && i < RELEASE_LOG; i++)
		if (release_log[i] == (uintptr_t)p)
			return i;
	return SIZE_MAX;
}

void ww_free(void *p)
{
	uint64_t site = SITE();
	struct block *b;

	if (p == NULL)
		return;
	b = table_find((uintptr_t)p);
	if (b == NULL || b->kind == WW_MMAP) {
		/* Not freed: in a native run a double free would corrupt the
		 * harness's heap too. */
		note_error(H_("free(%p) at @{0x%llx}: not a block the submission "
			   "allocated, or freed twice"), p, (unsigned long long)site);
		return;
	}
	ww_block_forget(b);
	log_release(p);
	free(p);
}

static void *do_mmap(void *addr, size_t len, int prot, int flags, int fd,
		     off_t off, uint64_t site)
{
	size_t pg = page_size(), rounded, total;
	uint64_t seq;
	char *base, *p;

	if (alloc_begin(WW_MMAP, site, &seq))
		return MAP_FAILED;
	if ((flags & MAP_FIXED) || addr != NULL) {
		/* A fixed address could land on the harness's own memory. */
		note_error(H_("mmap(%p, %zu) at @{0x%llx}: an address hint or MAP_FIXED "
			   "is refused by the grader"), addr, len, (unsigned long long)site);
		errno = EINVAL;
		return MAP_FAILED;
	}
	if (!(flags & MAP_ANONYMOUS) || len == 0 || len > SIZE_MAX - 3 * pg) {
		p = mmap(NULL, len, prot, flags, fd, off);
		if (p != MAP_FAILED)
			track(p, len, WW_MMAP, seq, site, (uintptr_t)p, len);
		return p;
	}
	rounded = (len + pg - 1) & ~(pg - 1);
	total = rounded + 2 * pg;
	/* MAP_NORESERVE: a 4096 MB guest must not depend on this machine's
	 * overcommit policy; the pages are only backed when touched anyway. */
	base = mmap(NULL, total, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED)
		return MAP_FAILED;
	p = mmap(base + pg, len, prot, flags | MAP_FIXED | MAP_NORESERVE, fd, off);
	if (p == MAP_FAILED) {
		int e = errno;

		munmap(base, total);
		errno = e;
		return MAP_FAILED;
	}
	track(p, len, WW_MMAP, seq, site, (uintptr_t)base, total);
	return p;
}

void *ww_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return do_mmap(addr, len, prot, flags, fd, off, SITE());
}

void *ww_mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return do_mmap(addr, len, prot, flags, fd, off, SITE());
}

int ww_munmap(void *addr, size_t len)
{
	uint64_t site = SITE();
	size_t pg = page_size();
	struct block *b = table_find((uintptr_t)addr);

	if (b == NULL || b->kind != WW_MMAP) {
		/* Left mapped: it is someone else's (the caller's host_addr). */
		if (nforeign < sizeof(foreign) / sizeof(foreign[0]))
			foreign[nforeign++] = (uintptr_t)addr;
		note_error(H_("munmap(%p, %zu) at @{0x%llx}: memory the submission did "
			   "not map (the caller's, or already unmapped)"), addr, len,
			   (unsigned long long)site);
		return 0;
	}
	if ((len + pg - 1) / pg != (b->size + pg - 1) / pg) {
		note_error(H_("munmap(%p, %zu) at @{0x%llx}: the mapping made at "
			   "@{0x%llx} is %zu bytes"), addr, len, (unsigned long long)site,
			   (unsigned long long)b->site, b->size);
		if (len < b->size)
			return 0;       /* still held: reported as a leak too */
	}
	munmap((void *)b->base, b->base_len);
	ww_block_forget(b);
	log_release(addr);
	return 0;
}

bool ww_foreign_munmap(const void *addr, size_t len)
{
	uintptr_t a = (uintptr_t)addr;
	unsigned i;

	for (i = 0; i < nforeign; i++)
		if (foreign[i] >= a && foreign[i] < a + len)
			return true;
	return false;
}

/* ---- exits -------------------------------------------------------------- */

static __attribute__((noreturn)) void record_exit(const char *func, int status,
						   uint64_t site, bool flush)
{
	ww_board->exit_called = true;
	ww_board->exit_status = status;
	ww_board->exit_site = site;
	snprintf(ww_board->exit_func, sizeof(ww_board->exit_func), "%s", func);
	if (flush)
		fflush(stdout);
	_exit(status);
}

void ww_exit(int status) __attribute__((noreturn));
void ww__exit(int status) __attribute__((noreturn));
void ww__Exit(int status) __attribute__((noreturn));
void ww_quick_exit(int status) __attribute__((noreturn));

void ww_exit(int status) { record_exit("exit", status, SITE(), true); }
void ww__exit(int status) { record_exit("_exit", status, SITE(), false); }
void ww__Exit(int status) { record_exit("_Exit", status, SITE(), false); }
void ww_quick_exit(int status) { record_exit("quick_exit", status, SITE(), true); }

/* ---- calls the norm forbids ----------------------------------------------- */

static void blocked(const char *name, uint64_t site)
{
	viol_count++;
	note_error(H_("called %s() at @{0x%llx}: forbidden by the norm (blocked by "
		   "the grader, returned an error)"), name, (unsigned long long)site);
	errno = EPERM;
}

/* The stubs ignore their arguments: they only have to match the call. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

typedef void (*ww_sighandler)(int);

#define WW_WRAP(name, kind)
#define WW_BLOCK(name, ret, err, params) \
	ret ww_##name params; \
	ret ww_##name params { blocked(#name, SITE()); return err; }
#include "wraps.def"
#undef WW_BLOCK
#undef WW_WRAP
