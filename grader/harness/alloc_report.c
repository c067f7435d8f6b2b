/* alloc_report.c - what the tests ask of wrap.c's table of the
 * submission's allocations: what it still holds since a mark, worded and
 * grouped by site (ww_alloc_leaks), its mappings released after a test
 * (ww_alloc_reclaim), and where a faulting address falls in them
 * (ww_alloc_where, for the crash handler)
 */
#include "harness.h"
#include "wrap.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

/* A group of leaked blocks with the same kind, size and site. */
struct leak_group {
	uint8_t  kind;
	size_t   size;
	uint64_t site;
	size_t   count;
};

static int group_cmp(const void *a, const void *b)
{
	const struct leak_group *x = a, *y = b;
	unsigned long long tx = (unsigned long long)x->size * x->count;
	unsigned long long ty = (unsigned long long)y->size * y->count;

	if ((x->kind == WW_MMAP) != (y->kind == WW_MMAP))
		return x->kind == WW_MMAP ? -1 : 1;
	return tx < ty ? 1 : tx > ty ? -1 : 0;
}

size_t ww_alloc_leaks(uint64_t mark, char *out, size_t cap)
{
	struct leak_group *groups = NULL;
	size_t i, k, n = 0, ngroups = 0, blocks = 0, maps = 0;
	size_t block_bytes = 0, map_bytes = 0, len = 0;

	if (cap)
		out[0] = '\0';
	for (i = 0; i < ww_blocks_cap; i++) {
		const struct block *b = &ww_blocks[i];

		if (b->addr <= SLOT_DELETED || b->seq < mark)
			continue;
		n++;
		if (b->kind == WW_MMAP) {
			maps++;
			map_bytes += b->size;
		} else {
			blocks++;
			block_bytes += b->size;
		}
		for (k = 0; k < ngroups; k++)
			if (groups[k].kind == b->kind && groups[k].size == b->size &&
			    groups[k].site == b->site)
				break;
		if (k == ngroups) {
			struct leak_group *g = realloc(groups, (ngroups + 1) * sizeof(*g));

			if (g == NULL)
				break;
			groups = g;
			groups[ngroups++] = (struct leak_group){ b->kind, b->size, b->site, 0 };
		}
		groups[k].count++;
	}
	if (!n) {
		free(groups);
		return 0;
	}
	if (maps)
		len += (size_t)snprintf(out + len, cap - len,
					H_("%zu mapping%s never unmapped (%zu bytes)"), maps,
					maps > 1 ? "s" : "", map_bytes);
	if (blocks && len < cap)
		len += (size_t)snprintf(out + len, cap - len,
					H_("%s%zu block%s never freed (%zu bytes)"),
					maps ? ", " : "", blocks, blocks > 1 ? "s" : "",
					block_bytes);
	/* Mappings first, biggest first: guest memory is what free(host) forgets. */
	qsort(groups, ngroups, sizeof(*groups), group_cmp);
	for (k = 0; k < ngroups && k < 5 && len < cap; k++) {
		const struct leak_group *g = &groups[k];

		len += (size_t)snprintf(out + len, cap - len, "%s", k ? "; " : ": ");
		if (g->count > 1 && len < cap)
			len += (size_t)snprintf(out + len, cap - len, "%zu x ", g->count);
		if (len < cap)
			len += (size_t)snprintf(out + len, cap - len, H_("%s of %zu bytes at @{0x%llx}"),
						ww_alloc_kind_names[g->kind], g->size,
						(unsigned long long)g->site);
	}
	if (len < cap && ngroups > 5)
		snprintf(out + len, cap - len, H_("; and %zu more sites"), ngroups - 5);
	free(groups);
	return n;
}

void ww_alloc_reclaim(uint64_t mark)
{
	size_t i;

	for (i = 0; i < ww_blocks_cap; i++) {
		struct block *b = &ww_blocks[i];

		if (b->addr <= SLOT_DELETED || b->seq < mark || b->kind != WW_MMAP)
			continue;
		munmap((void *)b->base, b->base_len);
		ww_block_forget(b);
	}
}

/* The formats of ww_alloc_where(), translated by ww_alloc_lang() before any
 * test: the signal handler that describes a fault reads them, it does not
 * look them up.  The same literals as ww_alloc_where()'s (gcc checks those). */
static const char *where_tr[3];

void ww_alloc_lang(void)
{
	where_tr[0] = H_("%llu bytes before the start of the %zu-byte mapping made at @{0x%llx}");
	where_tr[1] = H_("%llu bytes past the end of the %zu-byte mapping made at @{0x%llx}");
	where_tr[2] = H_("inside the %zu-byte mapping made at @{0x%llx}");
}

static const char *where_fmt(unsigned i, const char *en) __attribute__((format_arg(2)));

static const char *where_fmt(unsigned i, const char *en)
{
	return where_tr[i] ? where_tr[i] : en;
}

void ww_alloc_where(uint64_t addr, char *out, size_t cap)
{
	size_t i;

	if (cap)
		out[0] = '\0';
	for (i = 0; i < ww_blocks_cap; i++) {
		const struct block *b = &ww_blocks[i];
		uint64_t start, end;

		if (b->addr <= SLOT_DELETED || b->kind != WW_MMAP)
			continue;
		start = b->addr;
		end = b->addr + b->size;
		if (addr >= b->base && addr < start)
			snprintf(out, cap, where_fmt(0, "%llu bytes before the start of the %zu-byte "
				 "mapping made at @{0x%llx}"),
				 (unsigned long long)(start - addr), b->size,
				 (unsigned long long)b->site);
		else if (addr >= end && addr < b->base + b->base_len)
			snprintf(out, cap, where_fmt(1, "%llu bytes past the end of the %zu-byte "
				 "mapping made at @{0x%llx}"),
				 (unsigned long long)(addr - end), b->size,
				 (unsigned long long)b->site);
		else if (addr >= start && addr < end)
			snprintf(out, cap, where_fmt(2, "inside the %zu-byte mapping made at @{0x%llx}"),
				 b->size, (unsigned long long)b->site);
		else
			continue;
		return;
	}
}
