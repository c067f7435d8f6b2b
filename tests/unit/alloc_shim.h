/* alloc_shim.h - counts and fails the allocations of a simulator built with -Dmalloc=ut_malloc ... */
#ifndef ALLOC_SHIM_H
#define ALLOC_SHIM_H

#include <stddef.h>

/*
 * The simulator under test is compiled with
 *   -Dmalloc=ut_malloc -Dcalloc=ut_calloc -Drealloc=ut_realloc
 *   -Dfree=ut_free -Dmmap=ut_mmap -Dmunmap=ut_munmap
 * so that every allocation it makes goes through alloc_shim.c (which is
 * compiled without them).  The test side sees only the functions below.
 *
 * An "allocation" is a call to malloc, calloc, realloc or mmap.  The counts
 * start from the last ut_alloc_reset().
 */

/* Zeroes the counters and disarms any failure. */
void ut_alloc_reset(void);

/* Makes the k-th allocation from now (1 = the next one) fail, once: malloc
 * and friends return NULL, mmap returns MAP_FAILED, errno is ENOMEM.  0
 * disarms. */
void ut_alloc_fail_at(unsigned long k);

/* Allocations attempted since the last reset, the failed one included. */
unsigned long ut_alloc_count(void);

/* True once the armed failure has happened. */
int ut_alloc_failed(void);

/* Heap blocks allocated and not yet freed since the last reset. */
long ut_alloc_live_blocks(void);

/* Mappings made and not yet unmapped since the last reset, and their bytes
 * (page-rounded). */
long ut_alloc_live_maps(void);
long long ut_alloc_live_map_bytes(void);

#endif /* ALLOC_SHIM_H */
