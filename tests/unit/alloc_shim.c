/* alloc_shim.c - the ut_* allocators the instrumented simulator calls */
#define _DEFAULT_SOURCE
#include "alloc_shim.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/types.h>

/* The prototypes the simulator sees after -D renaming of the system
 * headers: they must match the real ones. */
void *ut_malloc(size_t size);
void *ut_calloc(size_t nmemb, size_t size);
void *ut_realloc(void *ptr, size_t size);
void ut_free(void *ptr);
void *ut_mmap(void *addr, size_t length, int prot, int flags, int fd,
              off_t offset);
int ut_munmap(void *addr, size_t length);

#define SHIM_PAGE 4096ull

static unsigned long g_count;
static unsigned long g_fail_at;
static int g_failed;
static long g_blocks;
static long g_maps;
static long long g_map_bytes;

void ut_alloc_reset(void)
{
    g_count = 0;
    g_fail_at = 0;
    g_failed = 0;
    g_blocks = 0;
    g_maps = 0;
    g_map_bytes = 0;
}

void ut_alloc_fail_at(unsigned long k)
{
    g_fail_at = k == 0 ? 0 : g_count + k;
    g_failed = 0;
}

unsigned long ut_alloc_count(void) { return g_count; }
int ut_alloc_failed(void) { return g_failed; }
long ut_alloc_live_blocks(void) { return g_blocks; }
long ut_alloc_live_maps(void) { return g_maps; }
long long ut_alloc_live_map_bytes(void) { return g_map_bytes; }

/* Counts one allocation; true if this one must fail. */
static int shim_next_fails(void)
{
    g_count++;
    if (g_fail_at != 0 && g_count == g_fail_at) {
        g_failed = 1;
        errno = ENOMEM;
        return 1;
    }
    return 0;
}

static long long shim_round(size_t length)
{
    return (long long)((length + SHIM_PAGE - 1) / SHIM_PAGE * SHIM_PAGE);
}

void *ut_malloc(size_t size)
{
    void *p;

    if (shim_next_fails())
        return NULL;
    p = malloc(size);
    if (p != NULL)
        g_blocks++;
    return p;
}

void *ut_calloc(size_t nmemb, size_t size)
{
    void *p;

    if (shim_next_fails())
        return NULL;
    p = calloc(nmemb, size);
    if (p != NULL)
        g_blocks++;
    return p;
}

void *ut_realloc(void *ptr, size_t size)
{
    void *p;

    if (shim_next_fails())
        return NULL;
    p = realloc(ptr, size);
    if (p != NULL && ptr == NULL)
        g_blocks++;
    return p;
}

void ut_free(void *ptr)
{
    if (ptr != NULL)
        g_blocks--;
    free(ptr);
}

void *ut_mmap(void *addr, size_t length, int prot, int flags, int fd,
              off_t offset)
{
    void *p;

    if (shim_next_fails())
        return MAP_FAILED;
    p = mmap(addr, length, prot, flags, fd, offset);
    if (p != MAP_FAILED) {
        g_maps++;
        g_map_bytes += shim_round(length);
    }
    return p;
}

int ut_munmap(void *addr, size_t length)
{
    int ret = munmap(addr, length);

    if (ret == 0) {
        g_maps--;
        g_map_bytes -= shim_round(length);
    }
    return ret;
}
