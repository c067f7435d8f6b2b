/* wrap.h - wrap.c's table of the submission's allocations, for
 * alloc_report.c to read; private to those two files
 */
#ifndef WW_WRAP_H
#define WW_WRAP_H

#include <stddef.h>
#include <stdint.h>

struct block {
	uintptr_t addr;          /* 0: empty slot; 1: deleted */
	size_t    size;
	uint64_t  seq;
	uint64_t  site;
	uint8_t   kind;          /* enum ww_alloc_kind */
	uintptr_t base;          /* mappings: the reservation with its guards */
	size_t    base_len;
};

#define SLOT_EMPTY   ((uintptr_t)0)
#define SLOT_DELETED ((uintptr_t)1)

/* An open-addressing table keyed by address, ww_blocks_cap slots (a power
 * of two); a slot whose addr is SLOT_EMPTY or SLOT_DELETED holds nothing. */
extern struct block *ww_blocks;
extern size_t ww_blocks_cap;

/* "malloc", "calloc", "realloc", "mmap": enum ww_alloc_kind's names. */
extern const char *const ww_alloc_kind_names[];

/* b is no longer the submission's (freed, unmapped or reclaimed). */
void ww_block_forget(struct block *b);

#endif /* WW_WRAP_H */
