/* t_ept.c - the EPT: creation, map and translate over the 48-bit space,
 * permissions and violations, tables built on demand, refused arguments and
 * tables that cannot be allocated
 *
 * The tests observe the EPT only through what the header documents:
 * ept_translate(), ept_set_permissions(), and the counters tables,
 * violations, last_violation_gpa and last_violation_qual.  The bit layout of
 * the entries is the solution's business: no test reads a table.  The host
 * pages the tests map are the harness's own (mmap, not the submission's), so
 * the allocation tracker sees only the EPT's tables.
 *
 * Longer than ~500 lines for its cases: the EPT is one part of the contract,
 * and each sentence of its header comment is a test here.
 */
#include "harness.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define PAGE ((uint64_t)WW_PAGE_SIZE)
#define GIB (1ull << 30)
#define TIB_HALF (1ull << 39)       /* what one PML4 entry covers: 512 GiB */

/* What the test knows of one EPT: the host pages it maps, which gpa each
 * page is mapped at (for the messages), and the violations it expects. */
struct ev {
	struct ww_test *t;
	EptContext     *ept;
	uint8_t        *pages;
	size_t          npages;
	uint64_t       *page_gpa;      /* UINT64_MAX: not mapped; may be NULL */
	uint64_t        viol;          /* violations expected so far */
};

static const uint32_t g_access[3] = { EPT_READ, EPT_WRITE, EPT_EXEC };

static uint8_t *pages_new(struct ww_test *t, size_t n)
{
	void *p = mmap(NULL, n * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		ww_fail(t, "harness: cannot map %zu host pages", n);
		return NULL;
	}
	return p;
}

static void pages_free(uint8_t *pages, size_t n)
{
	if (pages != NULL)
		munmap(pages, n * PAGE);
}

static const char *access_name(uint32_t access)
{
	switch (access) {
	case EPT_READ:  return "EPT_READ";
	case EPT_WRITE: return "EPT_WRITE";
	case EPT_EXEC:  return "EPT_EXEC";
	default:        return "?";
	}
}

/* The exit qualification bit of an access (Intel SDM: read, write, fetch). */
static uint32_t access_qual(uint32_t access)
{
	return access == EPT_READ ? EPT_QUAL_READ :
	       access == EPT_WRITE ? EPT_QUAL_WRITE : EPT_QUAL_FETCH;
}

/* "R-X" style; "not present" for 0. */
static const char *perm_name(uint32_t perms)
{
	static char buf[4][24];
	static int which;
	char *out = buf[which++ & 3];

	if (perms == 0)
		return H_("not present");
	if (perms & ~EPT_RWX) {
		snprintf(out, sizeof(buf[0]), "0x%x", perms);
		return out;
	}
	snprintf(out, sizeof(buf[0]), "%c%c%c", perms & EPT_READ ? 'R' : '-',
		 perms & EPT_WRITE ? 'W' : '-', perms & EPT_EXEC ? 'X' : '-');
	return out;
}

/* The level whose index holds all of bits (a mask of gpa bits), or NULL. */
static const char *level_of(uint64_t bits)
{
	static const char *const names[4] = {
		"PT (bits 20:12)", "PD (bits 29:21)", "PDPT (bits 38:30)",
		"PML4 (bits 47:39)",
	};
	int level;

	for (level = 0; level < 4; level++) {
		uint64_t mask = 0x1ffull << (12 + 9 * level);

		if (bits != 0 && (bits & ~mask) == 0)
			return names[level];
	}
	return NULL;
}

/* p against the test's host pages: "host page 3 + 0x123". */
static const char *where(const struct ev *e, const void *p)
{
	static char buf[4][96];
	static int which;
	char *out = buf[which++ & 3];
	uintptr_t a = (uintptr_t)p, b = (uintptr_t)e->pages;

	if (p == NULL)
		return "NULL";
	if (e->pages != NULL && a >= b && a - b < e->npages * PAGE)
		snprintf(out, sizeof(buf[0]), H_("host page %zu + 0x%03llx (%p)"),
			 (size_t)((a - b) / PAGE), (unsigned long long)((a - b) % PAGE), p);
	else
		snprintf(out, sizeof(buf[0]), H_("%p (none of the host pages the test "
			 "mapped)"), p);
	return out;
}

/* Why got may be another page than want: the gpa that page is mapped at. */
static const char *alias_note(const struct ev *e, uint64_t gpa, const void *got)
{
	static char buf[512];
	uintptr_t a = (uintptr_t)got, b = (uintptr_t)e->pages;
	uint64_t other, diff;
	const char *level;
	size_t j;

	buf[0] = '\0';
	if (got == NULL || e->page_gpa == NULL || e->pages == NULL || a < b ||
	    a - b >= e->npages * PAGE)
		return buf;
	j = (size_t)((a - b) / PAGE);
	other = e->page_gpa[j];
	if (other == UINT64_MAX || other == (gpa & ~(PAGE - 1)))
		return buf;
	diff = (other ^ gpa) & ~(PAGE - 1);
	level = level_of(diff);
	snprintf(buf, sizeof(buf), H_("; host page %zu is the one mapped at gpa 0x%llx, "
		 "which differs from 0x%llx only in bits 0x%llx%s%s: the walk does "
		 "not tell the two gpas apart, so both use one entry (a wrong shift or "
		 "a mask other than 9 bits%s?)"), j, (unsigned long long)other,
		 (unsigned long long)(gpa & ~(PAGE - 1)), (unsigned long long)diff,
		 level ? H_(", all in the index of the ") : "", level ? level : "",
		 level ? H_(" at that level") : "");
	return buf;
}

/* ept_translate(gpa, access) must give want (allowed) and count no
 * violation.  ctx says what gpa is, for the messages. */
static bool tr_allowed(struct ev *e, uint64_t gpa, uint32_t access,
		       const uint8_t *want, const char *ctx)
{
	struct ww_test *t = e->t;
	uint64_t last_gpa = e->ept->last_violation_gpa;
	uint32_t last_qual = e->ept->last_violation_qual;
	void *got;

	ww_phase("ept_translate(ept, 0x%llx, %s) (%s)", (unsigned long long)gpa,
		 access_name(access), ctx);
	got = ept_translate(e->ept, gpa, access);
	if (got == want && (e->ept->last_violation_gpa != last_gpa ||
			    e->ept->last_violation_qual != last_qual)) {
		ww_fail(t, "ept_translate(ept, 0x%llx, %s) (%s) was allowed, but "
			"last_violation_gpa / last_violation_qual went from 0x%llx / "
			"0x%02x to 0x%llx / 0x%02x: they describe the last violation, "
			"and an allowed access is none", (unsigned long long)gpa,
			access_name(access), ctx, (unsigned long long)last_gpa, last_qual,
			(unsigned long long)e->ept->last_violation_gpa,
			e->ept->last_violation_qual);
		return false;
	}
	if (got != want) {
		ww_fail(t, "ept_translate(ept, 0x%llx, %s) (%s): expected %s, got %s%s",
			(unsigned long long)gpa, access_name(access), ctx, where(e, want),
			where(e, got), alias_note(e, gpa, got));
		return false;
	}
	if (e->ept->violations != e->viol) {
		ww_fail(t, "ept_translate(ept, 0x%llx, %s) (%s) was allowed and "
			"returned the right address, but violations went from %llu to "
			"%llu: only a refused access is a violation",
			(unsigned long long)gpa, access_name(access), ctx,
			(unsigned long long)e->viol,
			(unsigned long long)e->ept->violations);
		return false;
	}
	return true;
}

/* ept_translate(gpa, access) must be refused: NULL, one more violation, the
 * gpa asked and the qualification access | found << 3. */
static bool tr_refused(struct ev *e, uint64_t gpa, uint32_t access,
		       uint32_t found, const char *ctx)
{
	struct ww_test *t = e->t;
	EptContext *ept = e->ept;
	uint32_t qual = access_qual(access) | found << 3;
	void *got;

	ww_phase("ept_translate(ept, 0x%llx, %s) (%s)", (unsigned long long)gpa,
		 access_name(access), ctx);
	got = ept_translate(ept, gpa, access);
	if (got != NULL) {
		ww_fail(t, "ept_translate(ept, 0x%llx, %s) (%s): expected NULL (an EPT "
			"violation), got %s", (unsigned long long)gpa, access_name(access),
			ctx, where(e, got));
		return false;
	}
	e->viol++;
	if (ept->violations != e->viol) {
		ww_fail(t, "ept_translate(ept, 0x%llx, %s) (%s) returned NULL, but "
			"violations is %llu, expected %llu: every refused access counts "
			"one violation", (unsigned long long)gpa, access_name(access), ctx,
			(unsigned long long)ept->violations, (unsigned long long)e->viol);
		return false;
	}
	if (ept->last_violation_gpa != gpa) {
		ww_fail(t, "ept_translate(ept, 0x%llx, %s) (%s) refused: "
			"last_violation_gpa is 0x%llx, expected 0x%llx (the gpa asked, "
			"offset in the page included)", (unsigned long long)gpa,
			access_name(access), ctx,
			(unsigned long long)ept->last_violation_gpa,
			(unsigned long long)gpa);
		return false;
	}
	if (ept->last_violation_qual != qual) {
		ww_fail(t, "ept_translate(ept, 0x%llx, %s) (%s) refused: "
			"last_violation_qual is 0x%02x, expected 0x%02x = the access "
			"(EPT_QUAL_%s 0x%x) | the permissions found (%s, 0x%x) << 3",
			(unsigned long long)gpa, access_name(access), ctx,
			ept->last_violation_qual, qual,
			access == EPT_READ ? "READ" : access == EPT_WRITE ? "WRITE" : "FETCH",
			access_qual(access), perm_name(found), found);
		return false;
	}
	return true;
}

/* The three accesses to the page at page_gpa (mapped to host page idx with
 * perms): allowed ones give the host page plus the offset, the others are
 * violations that find perms.  Each access uses its own offset. */
static bool check_page(struct ev *e, uint64_t page_gpa, size_t idx,
		       uint32_t perms, const char *ctx)
{
	char what[256];
	int i;

	snprintf(what, sizeof(what), H_("%s; mapped to host page %zu with %s"), ctx, idx,
		 perm_name(perms));
	for (i = 0; i < 3; i++) {
		uint64_t off = (0x018 + 0x5f3 * (uint64_t)i + 0x111 * (uint64_t)idx) &
			       (PAGE - 1);
		uint32_t a = g_access[i];
		bool ok;

		if (perms & a)
			ok = tr_allowed(e, page_gpa + off, a, e->pages + idx * PAGE + off,
					what);
		else
			ok = tr_refused(e, page_gpa + off, a, perms, what);
		if (!ok)
			return false;
	}
	return true;
}

static bool map_ok(struct ev *e, uint64_t gpa, size_t idx, uint32_t perms,
		   const char *ctx)
{
	int r;

	ww_phase("ept_map(ept, 0x%llx, host page %zu, %s) (%s)",
		 (unsigned long long)gpa, idx, perm_name(perms), ctx);
	r = ept_map(e->ept, gpa, e->pages + idx * PAGE, perms);
	if (r != 0) {
		ww_fail(e->t, "ept_map(ept, 0x%llx, host page %zu, %s) (%s): expected 0, "
			"got %d", (unsigned long long)gpa, idx, perm_name(perms), ctx, r);
		return false;
	}
	if (e->page_gpa != NULL)
		e->page_gpa[idx] = gpa & ~(PAGE - 1);
	return true;
}

static EptContext *create_ok(struct ww_test *t, uint64_t size, const char *name)
{
	EptContext *ept;

	ww_phase("ept_create(%s)", name);
	ept = ept_create(size);
	if (ept == NULL)
		ww_fail(t, "ept_create(%s): expected an EPT, got NULL", name);
	else if (ept->pml4 == NULL)
		ww_fail(t, "ept_create(%s): pml4 is NULL, expected the root table", name);
	return ept;
}

static void destroy(EptContext *ept)
{
	if (ept == NULL)
		return;
	ww_phase("ept_destroy(ept)");
	ept_destroy(ept);
}

/* ---- ept_create ---------------------------------------------------------- */

static bool fresh_ok(struct ww_test *t, EptContext *ept, uint64_t size,
		     const char *name)
{
	struct ev e = { .t = t, .ept = ept };

	if (ept->pml4 == NULL) {
		ww_fail(t, "ept_create(%s): pml4 is NULL, expected the root table", name);
		return false;
	}
	if ((uintptr_t)ept->pml4 % WW_PAGE_SIZE != 0) {
		ww_fail(t, "ept_create(%s): pml4 is %p, not page aligned (the header: "
			"\"root table, 512 entries, page aligned\"; calloc does not align "
			"to 4096, mmap does)", name, (void *)ept->pml4);
		return false;
	}
	if (ept->guest_size != size) {
		ww_fail(t, "ept_create(%s): guest_size is %llu, expected %llu", name,
			(unsigned long long)ept->guest_size, (unsigned long long)size);
		return false;
	}
	if (ept->tables != 1) {
		ww_fail(t, "ept_create(%s): tables is %zu, expected 1 (the PML4 only: "
			"the lower levels are built by ept_map() on first use)", name,
			ept->tables);
		return false;
	}
	if (ept->violations != 0) {
		ww_fail(t, "ept_create(%s): violations is %llu, expected 0", name,
			(unsigned long long)ept->violations);
		return false;
	}
	/* A new EPT maps nothing: its root must be empty (gpas inside
	 * guest_size only: the header does not say what lies beyond). */
	if (!tr_refused(&e, 0, EPT_READ, 0, H_("a new EPT, nothing mapped")))
		return false;
	return size < EPT_MAX_GPA ||
	       (tr_refused(&e, EPT_MAX_GPA - 1, EPT_WRITE, 0,
			   H_("a new EPT, nothing mapped")) &&
		tr_refused(&e, 0x123456789abcull, EPT_EXEC, 0,
			   H_("a new EPT, nothing mapped")));
}

void test_ept_create(struct ww_test *t)
{
	static const struct { uint64_t size; const char *name; } bad[] = {
		{ 0, "0" },
		{ EPT_MAX_GPA + 1, "EPT_MAX_GPA + 1" },
		{ UINT64_MAX, "UINT64_MAX" },
	};
	static const struct { uint64_t size; const char *name; } good[] = {
		{ EPT_MAX_GPA, "EPT_MAX_GPA" },
		{ WW_MIB, "1 MiB" },
		{ 1, "1" },
	};
	char desc[1024];
	EptContext *ept = NULL;
	uint64_t mark = ww_alloc_mark();
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ww_phase("ept_create(%s)", bad[i].name);
		ept = ept_create(bad[i].size);
		EXPECT(t, ept == NULL, "ept_create(%s) (guest_size %s): expected NULL, "
		       "got an EPT", bad[i].name, bad[i].size == 0 ? "0" :
		       H_("larger than EPT_MAX_GPA = 2^48"));
		if (ww_alloc_leaks(mark, desc, sizeof(desc))) {
			ww_fail_leak(t, "ept_create(%s) returned NULL but kept what it had "
				     "allocated: %s", bad[i].name, desc);
			goto out;
		}
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ept = create_ok(t, good[i].size, good[i].name);
		if (ept == NULL || !fresh_ok(t, ept, good[i].size, good[i].name))
			goto out;
		destroy(ept);
		ept = NULL;
		if (ww_alloc_leaks(mark, desc, sizeof(desc))) {
			ww_fail_leak(t, "ept_create(%s) then ept_destroy(): %s",
				     good[i].name, desc);
			goto out;
		}
	}
	ww_phase("ept_destroy(NULL)");
	ept_destroy(NULL);
out:
	destroy(ept);
}

/* ---- ept_map and ept_translate ------------------------------------------- */

/* A gpa with index bits of both values at every level; the pages of the test
 * are mapped at it and at it with one of its 36 index bits flipped. */
#define MT_BASE   0x6b5d2c4e3000ull
#define MT_BITS   36
#define MT_LOW    (MT_BITS + 1)      /* gpa 0 */
#define MT_HIGH   (MT_BITS + 2)      /* EPT_MAX_GPA - 4096 */
#define MT_SPARE  (MT_BITS + 3)      /* for the remap */
#define MT_PAGES  (MT_BITS + 4)

void test_ept_map_translate(struct ww_test *t)
{
	uint64_t page_gpa[MT_PAGES];
	struct ev e = { .t = t, .npages = MT_PAGES, .page_gpa = page_gpa };
	char ctx[256];
	EptContext *ept = NULL;
	size_t i, tables;
	uint64_t gpa;
	void *got;

	for (i = 0; i < MT_PAGES; i++)
		page_gpa[i] = UINT64_MAX;
	e.pages = pages_new(t, MT_PAGES);
	if (e.pages == NULL)
		return;
	ept = e.ept = create_ok(t, EPT_MAX_GPA, "EPT_MAX_GPA");
	if (ept == NULL)
		goto out;

	/* Two gpas that differ in one index bit only share an entry if the walk
	 * loses that bit (a wrong shift, a mask of 8 bits, a 32-bit index...). */
	if (!map_ok(&e, MT_BASE, 0, EPT_RWX, H_("every level's index non-zero")))
		goto out;
	for (i = 0; i < MT_BITS; i++) {
		snprintf(ctx, sizeof(ctx), H_("0x%llx with bit %zu flipped, in the index "
			 "of the %s"), (unsigned long long)MT_BASE, 12 + i,
			 level_of(1ull << (12 + i)));
		if (!map_ok(&e, MT_BASE ^ (1ull << (12 + i)), 1 + i, EPT_RWX, ctx))
			goto out;
	}
	if (!map_ok(&e, 0, MT_LOW, EPT_RWX, H_("the lowest page")) ||
	    !map_ok(&e, EPT_MAX_GPA - PAGE, MT_HIGH, EPT_RWX,
		    H_("the highest page, EPT_MAX_GPA - 4096")))
		goto out;

	/* Each gpa translates to its own page, for every access, offset added. */
	for (i = 0; i < MT_SPARE; i++) {
		if (i >= 1 && i <= MT_BITS)
			snprintf(ctx, sizeof(ctx), H_("0x%llx with bit %zu flipped, among "
				 "37 pages mapped at 0x%llx and at it with each of its 36 "
				 "index bits flipped"), (unsigned long long)MT_BASE, 11 + i,
				 (unsigned long long)MT_BASE);
		else
			snprintf(ctx, sizeof(ctx), H_("among 37 pages mapped at 0x%llx and "
				 "at it with each of its 36 index bits flipped, and pages at "
				 "0 and EPT_MAX_GPA - 4096"), (unsigned long long)MT_BASE);
		if (!check_page(&e, page_gpa[i], i, EPT_RWX, ctx))
			goto out;
	}
	if (!tr_allowed(&e, EPT_MAX_GPA - 1, EPT_READ,
			e.pages + MT_HIGH * PAGE + PAGE - 1, H_("the last byte below "
			"EPT_MAX_GPA")) ||
	    !tr_allowed(&e, MT_BASE, EPT_WRITE, e.pages, H_("the first byte of a page")))
		goto out;

	/* A remap changes the host page and the permissions, builds nothing. */
	tables = ept->tables;
	if (!map_ok(&e, MT_BASE + 0x800, MT_SPARE, EPT_READ,
		    H_("remap of the page at 0x6b5d2c4e3000, mapped RWX to host page 0, "
		    "through a gpa inside it")))
		goto out;
	page_gpa[0] = UINT64_MAX;
	EXPECT(t, ept->tables == tables, "ept_map() of a page already mapped (a "
	       "remap) changed tables from %zu to %zu: it needs no new table",
	       tables, ept->tables);
	if (!check_page(&e, MT_BASE, MT_SPARE, EPT_READ, H_("after the remap of "
			"host page 0 (RWX) to host page 39 (R--)")) ||
	    !check_page(&e, MT_BASE ^ PAGE, 1, EPT_RWX, H_("the neighbour of the "
			"remapped page, left alone")))
		goto out;
	if (!map_ok(&e, MT_BASE, 0, EPT_WRITE | EPT_EXEC, H_("remap back to host "
		    "page 0")) ||
	    !check_page(&e, MT_BASE, 0, EPT_WRITE | EPT_EXEC, H_("after a second remap")))
		goto out;

	/* What is not mapped translates to nothing. */
	if (!tr_refused(&e, MT_BASE ^ (3 * PAGE), EPT_READ, 0, "not mapped, its "
			"PT exists") ||
	    !tr_refused(&e, MT_BASE ^ (3ull << 21), EPT_READ, 0, "not mapped, "
			"no PT") ||
	    !tr_refused(&e, MT_BASE ^ (3ull << 39), EPT_READ, 0, "not mapped, "
			"nothing under its PML4 entry"))
		goto out;
	/* Above 2^48: outside the EPT, not the RWX page its low 48 bits name. */
	gpa = EPT_MAX_GPA | (MT_BASE ^ PAGE);
	ww_phase("ept_translate(ept, 0x%llx, EPT_READ) (at or above EPT_MAX_GPA)",
		 (unsigned long long)gpa);
	got = ept_translate(ept, gpa, EPT_READ);
	EXPECT(t, got == NULL, "ept_translate(ept, 0x%llx, EPT_READ): a gpa at or "
	       "above EPT_MAX_GPA (2^48) is outside the EPT, expected NULL, got %s, "
	       "the page mapped at 0x%llx: bits 63:48 must not be dropped",
	       (unsigned long long)gpa, where(&e, got),
	       (unsigned long long)(MT_BASE ^ PAGE));
out:
	destroy(ept);
	pages_free(e.pages, MT_PAGES);
}

/* ---- permissions and violations ------------------------------------------ */

#define PM_BASE 0x40000ull          /* page p (1..7) mapped with perms p */
#define PM_PAGES 8

void test_ept_permissions(struct ww_test *t)
{
	static const uint32_t bad_perms[] = { 0, 0x8, EPT_RWX | 0x8, 0xffffffffu };
	struct ev e = { .t = t, .npages = PM_PAGES };
	char ctx[160];
	EptContext *ept = NULL;
	uint64_t g7 = PM_BASE + 7 * PAGE, gpa;
	size_t tables;
	uint32_t p;
	size_t i;
	int r;

	e.pages = pages_new(t, PM_PAGES);
	if (e.pages == NULL)
		return;
	ept = e.ept = create_ok(t, EPT_MAX_GPA, "EPT_MAX_GPA");
	if (ept == NULL)
		goto out;

	/* Every non-empty subset of RWX: allowed accesses work and count no
	 * violation, the others are refused with the permissions found. */
	for (p = 1; p <= EPT_RWX; p++) {
		snprintf(ctx, sizeof(ctx), H_("page %u of 7, each mapped with its own "
			 "permissions"), p);
		if (!map_ok(&e, PM_BASE + p * PAGE, p, p, ctx))
			goto out;
	}
	for (p = 1; p <= EPT_RWX; p++) {
		snprintf(ctx, sizeof(ctx), H_("gpa 0x%llx"), (unsigned long long)(PM_BASE +
			 p * PAGE));
		if (!check_page(&e, PM_BASE + p * PAGE, p, p, ctx))
			goto out;
	}

	/* Not present, at each level: no permission found. */
	if (!tr_refused(&e, PM_BASE + 9 * PAGE + 0x321, EPT_WRITE, 0, "not mapped, "
			"in the PT of the mapped pages") ||
	    !tr_refused(&e, PM_BASE + (2ull << 20) + 0x10, EPT_READ, 0, "not mapped, "
			"its PD entry empty") ||
	    !tr_refused(&e, 5 * GIB + 0x777, EPT_EXEC, 0, "not mapped, its PDPT "
			"entry empty") ||
	    !tr_refused(&e, 0x1abull * TIB_HALF + 1, EPT_READ, 0, "not mapped, its "
			"PML4 entry empty"))
		goto out;

	/* ept_set_permissions() changes them, through any gpa of the page, and
	 * keeps the host page. */
	ww_phase("ept_set_permissions(ept, 0x%llx, R--)",
		 (unsigned long long)(g7 + 0xabc));
	r = ept_set_permissions(ept, g7 + 0xabc, EPT_READ);
	EXPECT(t, r == 0, "ept_set_permissions(ept, 0x%llx, EPT_READ) on a page "
	       "mapped RWX (gpa inside the page): expected 0, got %d",
	       (unsigned long long)(g7 + 0xabc), r);
	if (!check_page(&e, g7, 7, EPT_READ, "RWX, then ept_set_permissions(R--)"))
		goto out;
	ww_phase("ept_set_permissions(ept, 0x%llx, --X)", (unsigned long long)g7);
	r = ept_set_permissions(ept, g7, EPT_EXEC);
	EXPECT(t, r == 0, "ept_set_permissions(ept, 0x%llx, EPT_EXEC) on a page "
	       "mapped R--: expected 0, got %d", (unsigned long long)g7, r);
	if (!check_page(&e, g7, 7, EPT_EXEC, "then ept_set_permissions(--X)"))
		goto out;
	ww_phase("ept_set_permissions(ept, 0x%llx, RWX)",
		 (unsigned long long)(PM_BASE + PAGE));
	r = ept_set_permissions(ept, PM_BASE + PAGE, EPT_RWX);
	EXPECT(t, r == 0, "ept_set_permissions(ept, 0x%llx, EPT_RWX) on a page "
	       "mapped R--: expected 0, got %d", (unsigned long long)(PM_BASE + PAGE),
	       r);
	if (!check_page(&e, PM_BASE + PAGE, 1, EPT_RWX, "R--, then "
			"ept_set_permissions(RWX)"))
		goto out;

	/* Refusals change nothing: not the page, not the tables. */
	tables = ept->tables;
	for (i = 0; i < sizeof(bad_perms) / sizeof(bad_perms[0]); i++) {
		ww_phase("ept_set_permissions(ept, 0x%llx, 0x%x)", (unsigned long long)g7,
			 bad_perms[i]);
		r = ept_set_permissions(ept, g7, bad_perms[i]);
		EXPECT(t, r == -1, "ept_set_permissions(ept, 0x%llx, 0x%x) (%s): "
		       "expected -1, got %d", (unsigned long long)g7, bad_perms[i],
		       bad_perms[i] == 0 ? H_("no permission") : H_("not a subset of EPT_RWX"),
		       r);
		snprintf(ctx, sizeof(ctx), H_("--X, then ept_set_permissions(0x%x) "
			 "refused"), bad_perms[i]);
		if (!check_page(&e, g7, 7, EPT_EXEC, ctx))
			goto out;
	}
	{
		static const struct { uint64_t gpa; const char *what; } unmapped[] = {
			{ PM_BASE + 9 * PAGE, "not mapped, in the PT of the mapped pages" },
			{ PM_BASE + (2ull << 20), "not mapped, its PD entry empty" },
			{ 0x1abull * TIB_HALF, "not mapped, its PML4 entry empty" },
			{ EPT_MAX_GPA | (PM_BASE + 7 * PAGE), HN_("EPT_MAX_GPA + 0x47000: "
			  "outside the EPT, whose low 48 bits name a mapped page") },
		};

		for (i = 0; i < sizeof(unmapped) / sizeof(unmapped[0]); i++) {
			gpa = unmapped[i].gpa;
			ww_phase("ept_set_permissions(ept, 0x%llx, R--) (%s)",
				 (unsigned long long)gpa, H_(unmapped[i].what));
			r = ept_set_permissions(ept, gpa, EPT_READ);
			EXPECT(t, r == -1, "ept_set_permissions(ept, 0x%llx, EPT_READ) "
			       "(%s): expected -1, got %d", (unsigned long long)gpa,
			       H_(unmapped[i].what), r);
			EXPECT(t, ept->tables == tables, "ept_set_permissions(ept, 0x%llx, "
			       "EPT_READ) (%s) returned -1 but tables went from %zu to "
			       "%zu: it builds no table", (unsigned long long)gpa,
			       H_(unmapped[i].what), tables, ept->tables);
			if (gpa < EPT_MAX_GPA &&
			    !tr_refused(&e, gpa + 8, EPT_READ, 0, H_("after "
					"ept_set_permissions() refused it: still not mapped")))
				goto out;
		}
		if (!check_page(&e, g7, 7, EPT_EXEC, H_("after ept_set_permissions() of "
				"pages not mapped")))
			goto out;
	}
	/* outside the EPT: a violation like any other, nothing found */
	if (!tr_refused(&e, EPT_MAX_GPA | (PM_BASE + 7 * PAGE), EPT_READ, 0,
			H_("EPT_MAX_GPA + 0x47000: outside the 48-bit EPT, whose low 48 "
			"bits name a mapped page")) ||
	    !tr_refused(&e, UINT64_MAX, EPT_WRITE, 0, H_("the last 64-bit address")))
		goto out;
out:
	destroy(ept);
	pages_free(e.pages, PM_PAGES);
}

/* ---- tables built on demand ---------------------------------------------- */

static const uint8_t g_hlt[] = { 0xf4 };

#define LT_PAGES 6
#define RSS_LIMIT (64ull * 1024 * 1024)
#define BIG_HOST_TABLES 16

/* A VM whose slot starts at gpa 0x10000, walking an EPT that maps nothing
 * yet: kvm_run() maps each page it touches to guest_memory + (gpa -
 * guest_phys_addr), not + gpa. */
static void lazy_offset_slot(struct ww_test *t)
{
	/* mov al, 0x2a ; mov [0x10], al ; hlt, with CS and DS based at 0x10000 */
	static const uint8_t code[] = { 0xb0, 0x2a, 0xa2, 0x10, 0x00, 0xf4 };
	KvmDevice *kvm = NULL;
	KvmVm *vm = NULL;
	KvmVcpu *vcpu = NULL;
	EptContext *ept = NULL;
	uint8_t *buf;
	int r;

	buf = mmap(NULL, 0x10000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		   -1, 0);
	if (buf == MAP_FAILED) {
		ww_fail(t, "harness: cannot map the caller's buffer");
		return;
	}
	memcpy(buf, code, sizeof(code));
	ww_phase("kvm_open(), kvm_create_vm(), kvm_set_user_memory_region(vm, 0, "
		 "0x10000, 64 KiB, buffer of the caller)");
	kvm = kvm_open();
	EXPECT(t, kvm != NULL, "kvm_open(): expected a device, got NULL");
	vm = kvm_create_vm(kvm);
	EXPECT(t, vm != NULL, "kvm_create_vm(kvm): expected a VM, got NULL");
	r = kvm_set_user_memory_region(vm, 0, 0x10000, 0x10000, buf);
	EXPECT(t, r == 0, "kvm_set_user_memory_region(vm, 0, 0x10000, 64 KiB, "
	       "host_addr): expected 0, got %d", r);
	ww_phase("ept_create(0x20000), vm->ept = ept, kvm_create_vcpu(vm, 0)");
	ept = ept_create(0x20000);
	EXPECT(t, ept != NULL, "ept_create(0x20000): expected an EPT, got NULL");
	vm->ept = ept;
	vcpu = kvm_create_vcpu(vm, 0);
	EXPECT(t, vcpu != NULL, "kvm_create_vcpu(vm, 0): expected a vCPU, got NULL");
	vcpu->sregs.cs.base = 0x10000;
	vcpu->sregs.ds.base = 0x10000;
	ww_phase("kvm_run() on `mov al, 0x2a; mov [0x10], al; hlt` at gpa 0x10000 "
		 "(slot at 0x10000, EPT empty)");
	r = kvm_run(vcpu);
	EXPECT(t, r == 0 && vcpu->kvm_run->exit_reason == KVM_EXIT_HLT,
	       "kvm_run() on `mov al, 0x2a; mov [0x10], al; hlt` at gpa 0x10000 of a "
	       "slot that starts at 0x10000, with an empty EPT: expected 0 and a HLT "
	       "exit, got %d and exit reason %u (the EPT must map gpa 0x10000 to the "
	       "slot's first host byte)", r, vcpu->kvm_run->exit_reason);
	EXPECT(t, buf[0x10] == 0x2a, "kvm_run() on `mov al, 0x2a; mov [0x10], al; "
	       "hlt` with DS based at 0x10000, the slot at 0x10000: byte 0x10 of the "
	       "caller's buffer is 0x%02x, expected 0x2a (gpa 0x10010 is the slot's "
	       "byte 0x10)", buf[0x10]);
out:
	if (vcpu)
		kvm_destroy_vcpu(vcpu);
	if (vm)
		kvm_destroy_vm(vm);
	if (ept)
		ept_destroy(ept);
	if (kvm)
		kvm_close(kvm);
	munmap(buf, 0x10000);
}

void test_ept_lazy_tables(struct ww_test *t)
{
	static const struct {
		uint64_t gpa;
		size_t added;
		const char *what;
	} steps[] = {
		{ 0x1000, 3, HN_("the first page: a PDPT, a PD and a PT") },
		{ 0x1ff000, 0, HN_("a page in the same PT as 0x1000") },
		{ 0x200000, 1, HN_("a page in another PT of the same PD: one PT") },
		{ 1 * GIB + 0x5000, 2, HN_("a page under another PD entry of the same "
		  "PDPT: a PD and a PT") },
		{ 3 * TIB_HALF + 0x3000, 3, HN_("a page under another PML4 entry: a PDPT, "
		  "a PD and a PT") },
		{ 0x1000, 0, HN_("a remap of 0x1000") },
	};
	struct ev e = { .t = t, .npages = LT_PAGES };
	char desc[1024];
	WestworldHost *host = NULL;
	EptContext *ept = NULL;
	uint64_t mark = ww_alloc_mark(), rss0, rss1;
	size_t i, before;
	int r;

	e.pages = pages_new(t, LT_PAGES);
	if (e.pages == NULL)
		return;
	ept = e.ept = create_ok(t, EPT_MAX_GPA, "EPT_MAX_GPA");
	if (ept == NULL)
		goto out;
	EXPECT(t, ept->tables == 1, "ept_create(EPT_MAX_GPA): tables is %zu, "
	       "expected 1 (the PML4 only)", ept->tables);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		before = ept->tables;
		if (!map_ok(&e, steps[i].gpa, i, EPT_RWX, H_(steps[i].what)))
			goto out;
		EXPECT(t, ept->tables == before + steps[i].added, "ept_map(ept, 0x%llx, "
		       "...) (%s): tables went from %zu to %zu, expected %zu (%zu new; "
		       "tables counts every 4 KiB table, the PML4 included)",
		       (unsigned long long)steps[i].gpa, H_(steps[i].what), before,
		       ept->tables, before + steps[i].added, steps[i].added);
		if (!check_page(&e, steps[i].gpa, i, EPT_RWX, H_(steps[i].what)))
			goto out;
	}
	/* ept_translate() and ept_set_permissions() build nothing. */
	before = ept->tables;
	if (!tr_refused(&e, 7 * TIB_HALF + 0x42, EPT_READ, 0, "not mapped, its "
			"PML4 entry empty") ||
	    !tr_refused(&e, 5 * GIB, EPT_WRITE, 0, "not mapped, its PDPT entry "
			"empty"))
		goto out;
	EXPECT(t, ept->tables == before, "ept_translate() of gpas not mapped "
	       "changed tables from %zu to %zu: a walk builds no table", before,
	       ept->tables);
	ww_phase("ept_set_permissions(ept, 0x%llx, R--) (not mapped)",
		 (unsigned long long)(9 * TIB_HALF));
	r = ept_set_permissions(ept, 9 * TIB_HALF, EPT_READ);
	EXPECT(t, r == -1 && ept->tables == before, "ept_set_permissions(ept, "
	       "0x%llx, EPT_READ) on a page not mapped: expected -1 and tables %zu, "
	       "got %d and tables %zu", (unsigned long long)(9 * TIB_HALF), before,
	       r, ept->tables);
	destroy(ept);
	ept = NULL;
	if (ww_alloc_leaks(mark, desc, sizeof(desc))) {
		ww_fail_leak(t, "ept_create(), 6 ept_map() building 10 tables, then "
			     "ept_destroy(): not every table was released: %s", desc);
		ww_alloc_reclaim(mark);
		goto out;
	}

	/* A 4096 MB guest running `hlt` costs the few tables it touches. */
	rss0 = ww_rss();
	host = ww_host_with(t, 4096, g_hlt, sizeof(g_hlt), WW_GUEST_ENTRY);
	if (host == NULL)
		goto out;
	ww_phase("dolores_wakes_up() on a 4096 MB host running `hlt` at 0x7c00");
	ww_hint("a HLT that does not stop the run loop, or 4096 MB mapped in the "
		"EPT page by page?");
	r = dolores_wakes_up(host);
	EXPECT(t, r == 0, "dolores_wakes_up() on a 4096 MB host running `hlt` at "
	       "0x7c00: expected 0, got %d", r);
	rss1 = ww_rss();
	EXPECT(t, host->memories != NULL, "ford_creates_host(4096): the host has no "
	       "EPT (memories is NULL)");
	EXPECT(t, host->memories->tables <= BIG_HOST_TABLES, "a 4096 MB host running "
	       "one `hlt` at 0x7c00 has %zu EPT tables, expected at most %d: the "
	       "tables are built on first use, for the pages the guest touches, "
	       "not for all of guest memory", host->memories->tables,
	       BIG_HOST_TABLES);
	EXPECT(t, rss1 < rss0 || rss1 - rss0 < RSS_LIMIT, "a 4096 MB host running "
	       "one `hlt` made the process grow by %llu MiB: guest memory and EPT "
	       "tables must cost only what the guest touches",
	       (unsigned long long)((rss1 - rss0) >> 20));
	lazy_offset_slot(t);
out:
	destroy(ept);
	ww_retire(host);
	pages_free(e.pages, LT_PAGES);
}

/* ---- refused arguments, tables that cannot be allocated ------------------ */

#define AR_PAGES 3
#define AR_OLD   0x5000ull                        /* mapped RWX to page 0 */
#define AR_NEW   (0x155ull * TIB_HALF + 0x2aa00000ull + 0x7000)  /* 3 tables */

/* After a refused ept_map(): the old mapping intact, no table built, the new
 * gpa still not mapped. */
static bool unchanged(struct ev *e, size_t tables, const char *ctx)
{
	char what[256];

	if (e->ept->tables != tables) {
		ww_fail(e->t, "%s returned -1 but tables went from %zu to %zu: a "
			"refused call builds no table", ctx, tables, e->ept->tables);
		return false;
	}
	snprintf(what, sizeof(what), H_("after %s was refused"), ctx);
	return check_page(e, AR_OLD, 0, EPT_RWX, what) &&
	       tr_refused(e, AR_NEW + 0x10, EPT_READ, 0, what);
}

/* One run of ept_map(AR_NEW) with allocation k failing (0: none), on an EPT
 * that maps AR_OLD.  *calls: the allocations ept_map() made.  False when the
 * test failed. */
static bool map_failing(struct ww_test *t, struct ev *e, uint64_t k,
			uint64_t *calls)
{
	char desc[512], leak[1024], call[160];
	uint64_t mark = ww_alloc_mark(), mk;
	uint64_t site = 0;
	char kind[16] = "";
	EptContext *ept;
	bool hit;
	int r;

	ept = e->ept = create_ok(t, EPT_MAX_GPA, "EPT_MAX_GPA");
	e->viol = 0;
	if (ept == NULL)
		return false;
	if (!map_ok(e, AR_OLD, 0, EPT_RWX, H_("a first page, before the failure")))
		goto fail;
	snprintf(call, sizeof(call), H_("ept_map(ept, 0x%llx, host page 1, RWX)"),
		 (unsigned long long)AR_NEW);
	ww_phase("%s (needs a PDPT, a PD and a PT; allocation #%llu made to fail)",
		 call, (unsigned long long)k);
	mk = ww_alloc_mark();
	ww_alloc_fail_at(k);
	r = ept_map(ept, AR_NEW, e->pages + PAGE, EPT_RWX);
	hit = k != 0 && ww_board->fail_hit;
	if (hit) {
		site = ww_board->fail_site;
		snprintf(kind, sizeof(kind), "%s", ww_board->fail_kind);
	}
	ww_alloc_fail_at(0);
	*calls = ww_alloc_calls_since(mk);
	if (k == 0 || !hit) {
		/* the clean run, or one that allocated less: nothing failed */
		if (r != 0) {
			ww_fail(t, "%s (needs 3 new tables) with no allocation failing: "
				"expected 0, got %d", call, r);
			goto fail;
		}
		destroy(ept);
		e->ept = NULL;
		return true;
	}
	if (r != -1) {
		ww_fail(t, "allocation #%llu (%s at @{0x%llx}) made to fail: %s "
			"(needs 3 new tables) returned %d, expected -1",
			(unsigned long long)k, kind, (unsigned long long)site, call, r);
		goto fail;
	}
	snprintf(desc, sizeof(desc), H_("allocation #%llu (%s at @{0x%llx}) made to "
		 "fail in %s"), (unsigned long long)k, kind, (unsigned long long)site,
		 call);
	if (ept->tables < 4 || ept->tables > 6) {
		ww_fail(t, "%s: it returned -1 but tables is %zu, expected 4 (none of "
			"its tables kept) to 6 (the tables built before the failure "
			"kept): tables counts the tables allocated", desc, ept->tables);
		goto fail;
	}
	if (!check_page(e, AR_OLD, 0, EPT_RWX, H_("mapped before an ept_map() that "
			"could not allocate a table")) ||
	    !tr_refused(e, AR_NEW + 0x10, EPT_READ, 0, "its ept_map() failed"))
		goto fail;
	/* The tables kept stay valid: mapping the page again completes them. */
	ww_phase("%s again, after the failure of allocation #%llu",
		 call, (unsigned long long)k);
	r = ept_map(ept, AR_NEW, e->pages + PAGE, EPT_RWX);
	if (r != 0) {
		ww_fail(t, "%s, then the same call with every allocation "
			"succeeding: expected 0, got %d", desc, r);
		goto fail;
	}
	if (ept->tables != 7) {
		ww_fail(t, "%s, then the same call again: tables is %zu, expected 7 "
			"(PML4, and a PDPT, a PD and a PT for each of the two pages)",
			desc, ept->tables);
		goto fail;
	}
	if (!check_page(e, AR_NEW, 1, EPT_RWX, H_("mapped again after its first "
			"ept_map() failed")) ||
	    !check_page(e, AR_OLD, 0, EPT_RWX, H_("mapped before the failure")))
		goto fail;
	destroy(ept);
	e->ept = NULL;
	if (ww_alloc_leaks(mark, leak, sizeof(leak)) == 0)
		return true;
	ww_fail_leak(t, "%s, the same call again, then ept_destroy(): not every "
		     "table was released: %s", desc, leak);
	ww_alloc_reclaim(mark);
	return false;
fail:
	ww_alloc_fail_at(0);
	destroy(e->ept);
	e->ept = NULL;
	return false;
}

void test_ept_arguments(struct ww_test *t)
{
	static const struct { uint32_t perms; const char *what; } bad_perms[] = {
		{ 0, "perms 0" },
		{ 0x8, "perms 0x8, not a subset of EPT_RWX" },
		{ EPT_RWX | 0x8, "perms 0xf, not a subset of EPT_RWX" },
		{ 0x80000001u, HN_("perms 0x80000001, not a subset of EPT_RWX") },
	};
	static const struct { uint64_t gpa; const char *what; } bad_gpa[] = {
		{ EPT_MAX_GPA, "gpa EPT_MAX_GPA" },
		{ EPT_MAX_GPA | AR_OLD, HN_("gpa EPT_MAX_GPA + 0x5000, whose low 48 bits "
		  "name a mapped page") },
		{ EPT_MAX_GPA | AR_NEW, HN_("gpa above EPT_MAX_GPA whose low 48 bits name "
		  "a page not mapped") },
		{ UINT64_MAX, "gpa UINT64_MAX" },
	};
	struct ev e = { .t = t, .npages = AR_PAGES };
	char ctx[256];
	uint64_t k, n, calls;
	size_t i, tables;
	void *got;
	int r, j;

	e.pages = pages_new(t, AR_PAGES);
	if (e.pages == NULL)
		return;
	e.ept = create_ok(t, EPT_MAX_GPA, "EPT_MAX_GPA");
	if (e.ept == NULL)
		goto out;
	if (!map_ok(&e, AR_OLD, 0, EPT_RWX, H_("the page the refused calls must "
		    "leave alone")))
		goto out;
	tables = e.ept->tables;

	/* Each refused call, on the mapped page and on a page without tables. */
	for (j = 0; j < 2; j++) {
		uint64_t gpa = j == 0 ? AR_OLD : AR_NEW;
		const char *which = j == 0 ? H_("a mapped page") : H_("a page without tables");

		for (i = 0; i < sizeof(bad_perms) / sizeof(bad_perms[0]); i++) {
			snprintf(ctx, sizeof(ctx), H_("ept_map(ept, 0x%llx, host page 2, 0x%x) "
				 "(%s; %s)"), (unsigned long long)gpa, bad_perms[i].perms,
				 H_(bad_perms[i].what), which);
			ww_phase("%s", ctx);
			r = ept_map(e.ept, gpa, e.pages + 2 * PAGE, bad_perms[i].perms);
			EXPECT(t, r == -1, "%s: expected -1, got %d", ctx, r);
			if (!unchanged(&e, tables, ctx))
				goto out;
		}
		snprintf(ctx, sizeof(ctx), H_("ept_map(ept, 0x%llx, NULL, RWX) (hva NULL; "
			 "%s)"), (unsigned long long)gpa, which);
		ww_phase("%s", ctx);
		r = ept_map(e.ept, gpa, NULL, EPT_RWX);
		EXPECT(t, r == -1, "%s: expected -1, got %d", ctx, r);
		if (!unchanged(&e, tables, ctx))
			goto out;
		for (i = 0; i < 2; i++) {
			uint64_t off = i == 0 ? 1 : 0x800;

			snprintf(ctx, sizeof(ctx), H_("ept_map(ept, 0x%llx, host page 2 + "
				 "0x%llx, RWX) (hva not page aligned; %s)"),
				 (unsigned long long)gpa, (unsigned long long)off, which);
			ww_phase("%s", ctx);
			r = ept_map(e.ept, gpa, e.pages + 2 * PAGE + off, EPT_RWX);
			EXPECT(t, r == -1, "%s: expected -1, got %d", ctx, r);
			if (!unchanged(&e, tables, ctx))
				goto out;
		}
	}
	for (i = 0; i < sizeof(bad_gpa) / sizeof(bad_gpa[0]); i++) {
		snprintf(ctx, sizeof(ctx), H_("ept_map(ept, 0x%llx, host page 2, RWX) (%s)"),
			 (unsigned long long)bad_gpa[i].gpa, H_(bad_gpa[i].what));
		ww_phase("%s", ctx);
		r = ept_map(e.ept, bad_gpa[i].gpa, e.pages + 2 * PAGE, EPT_RWX);
		EXPECT(t, r == -1, "%s: expected -1 (gpa >= EPT_MAX_GPA), got %d", ctx, r);
		if (!unchanged(&e, tables, ctx))
			goto out;
	}

	/* A NULL EPT. */
	ww_phase("ept_map(NULL, 0x5000, host page 2, RWX)");
	r = ept_map(NULL, AR_OLD, e.pages + 2 * PAGE, EPT_RWX);
	EXPECT(t, r == -1, "ept_map(NULL, 0x5000, hva, EPT_RWX): expected -1, got %d", r);
	ww_phase("ept_translate(NULL, 0x5000, EPT_READ)");
	got = ept_translate(NULL, AR_OLD, EPT_READ);
	EXPECT(t, got == NULL, "ept_translate(NULL, 0x5000, EPT_READ): expected NULL, "
	       "got %p", got);
	ww_phase("ept_set_permissions(NULL, 0x5000, EPT_READ)");
	r = ept_set_permissions(NULL, AR_OLD, EPT_READ);
	EXPECT(t, r == -1, "ept_set_permissions(NULL, 0x5000, EPT_READ): expected "
	       "-1, got %d", r);
	if (!unchanged(&e, tables, "ept_map(NULL, ...)"))
		goto out;

	/* EPT_MAX_GPA itself, with page 0 mapped: its low 48 bits are 0, so a
	 * bound off by one walks page 0's entries. */
	if (!map_ok(&e, 0, 1, EPT_RWX, "page 0, that gpa EPT_MAX_GPA must not reach"))
		goto out;
	ww_phase("ept_set_permissions(ept, EPT_MAX_GPA, EPT_READ) with page 0 mapped");
	r = ept_set_permissions(e.ept, EPT_MAX_GPA, EPT_READ);
	EXPECT(t, r == -1, "ept_set_permissions(ept, EPT_MAX_GPA, EPT_READ) with page 0 "
	       "mapped: expected -1 (no page contains gpa 2^48), got %d", r);
	ww_phase("ept_translate(ept, 0, EPT_WRITE) after ept_set_permissions(ept, "
		 "EPT_MAX_GPA, EPT_READ)");
	got = ept_translate(e.ept, 0, EPT_WRITE);
	EXPECT(t, got == e.pages + PAGE, "ept_translate(ept, 0, EPT_WRITE) after the "
	       "refused ept_set_permissions(ept, EPT_MAX_GPA, EPT_READ): expected host "
	       "page 1 (page 0 still RWX), got %p", got);
	ww_phase("ept_translate(ept, EPT_MAX_GPA, EPT_READ) with page 0 mapped");
	got = ept_translate(e.ept, EPT_MAX_GPA, EPT_READ);
	EXPECT(t, got == NULL, "ept_translate(ept, EPT_MAX_GPA, EPT_READ) with page 0 "
	       "mapped: expected NULL (gpa 2^48 is outside the EPT's space), got %p",
	       got);
	destroy(e.ept);
	e.ept = NULL;

	/* A table that cannot be allocated: each allocation of an ept_map()
	 * building 3 tables made to fail in turn. */
	if (!map_failing(t, &e, 0, &n))
		goto out;
	for (k = 1; k <= n; k++)
		if (!map_failing(t, &e, k, &calls))
			goto out;
out:
	destroy(e.ept);
	pages_free(e.pages, AR_PAGES);
}
