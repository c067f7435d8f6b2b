/* fixtures.c - shared fixtures of the unit tests: bare VMs, guarded guest memory, hosts, stdout */
#define _DEFAULT_SOURCE
#include "fixtures.h"

#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* size bytes of read-write memory followed by an inaccessible page */
static uint8_t *guarded_alloc(size_t size, void **map, size_t *map_size)
{
    uint8_t *p;

    *map_size = size + WW_PAGE_SIZE;
    *map = mmap(NULL, *map_size, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    cr_assert(*map != MAP_FAILED, "cannot map %zu bytes of guest memory",
              *map_size);
    p = *map;
    cr_assert(mprotect(p + size, WW_PAGE_SIZE, PROT_NONE) == 0);
    return p;
}

void bare_vm_create(BareVm *b, size_t size)
{
    memset(b, 0, sizeof(*b));
    b->size = size;
    b->mem = guarded_alloc(size, &b->map, &b->map_size);
    b->kvm = kvm_open();
    cr_assert_not_null(b->kvm);
    b->vm = kvm_create_vm(b->kvm);
    cr_assert_not_null(b->vm);
    cr_assert_eq(kvm_set_user_memory_region(b->vm, 0, 0, size, b->mem), 0);
    b->vcpu = kvm_create_vcpu(b->vm, 0);
    cr_assert_not_null(b->vcpu);
}

void bare_vm_load(BareVm *b, uint64_t addr, const uint8_t *code, size_t len)
{
    cr_assert(addr + len <= b->size);
    memcpy(b->mem + addr, code, len);
    b->vcpu->regs.rip = addr;
}

void bare_vm_destroy(BareVm *b)
{
    kvm_destroy_vcpu(b->vcpu);
    kvm_destroy_vm(b->vm);
    kvm_close(b->kvm);
    munmap(b->map, b->map_size);
    memset(b, 0, sizeof(*b));
}

void guarded_host_create(GuardedHost *g, size_t size)
{
    WestworldHost *h = &g->host;
    uint8_t *mem;

    memset(g, 0, sizeof(*g));
    mem = guarded_alloc(size, &g->map, &g->map_size);
    h->ford = kvm_open();
    cr_assert_not_null(h->ford);
    h->park = kvm_create_vm(h->ford);
    cr_assert_not_null(h->park);
    cr_assert_eq(kvm_set_user_memory_region(h->park, 0, 0, size, mem), 0);
    h->memories = ept_create(size);
    cr_assert_not_null(h->memories);
    h->park->ept = h->memories;
    h->brain = kvm_create_vcpu(h->park, 0);
    cr_assert_not_null(h->brain);
    h->voice = serial_create();
    cr_assert_not_null(h->voice);
    h->conscious = true;
}

void guarded_host_destroy(GuardedHost *g)
{
    WestworldHost *h = &g->host;

    serial_destroy(h->voice);
    ept_destroy(h->memories);
    kvm_destroy_vcpu(h->brain);
    kvm_destroy_vm(h->park);
    kvm_close(h->ford);
    munmap(g->map, g->map_size);
    memset(g, 0, sizeof(*g));
}

WestworldHost *host_with(size_t mb, const uint8_t *code, size_t len,
                         uint64_t addr)
{
    WestworldHost *h = ford_creates_host(mb);

    cr_assert_not_null(h, "ford_creates_host(%zu) failed", mb);
    cr_assert_eq(ford_implants_memories(h, code, len, addr), 0,
                 "cannot implant %zu bytes at 0x%llx", len,
                 (unsigned long long)addr);
    return h;
}

uint32_t run_exit(KvmVcpu *vcpu)
{
    cr_assert_eq(kvm_run(vcpu), 0, "kvm_run must return 0 after an exit");
    return vcpu->kvm_run->exit_reason;
}

uint8_t *io_data(KvmVcpu *vcpu)
{
    return (uint8_t *)vcpu->kvm_run + vcpu->kvm_run->io.data_offset;
}

char *captured_stdout(size_t *len)
{
    FILE *f;
    char *buf;
    size_t cap = 4096, n = 0, got;
    int null_fd;

    fflush(stdout);
    null_fd = open("/dev/null", O_WRONLY);
    cr_assert(null_fd >= 0);
    /* closes the write end of the redirection pipe: the read sees EOF */
    cr_assert(dup2(null_fd, STDOUT_FILENO) == STDOUT_FILENO);
    close(null_fd);
    f = cr_get_redirected_stdout();
    buf = malloc(cap + 1);
    cr_assert_not_null(buf);
    while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *bigger = realloc(buf, cap * 2 + 1);
            cr_assert_not_null(bigger);
            buf = bigger;
            cap *= 2;
        }
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

int mem_contains(const char *hay, size_t hay_len, const char *needle,
                 size_t len)
{
    size_t i;

    if (len == 0)
        return 1;
    for (i = 0; i + len <= hay_len; i++)
        if (memcmp(hay + i, needle, len) == 0)
            return 1;
    return 0;
}

void redirect_stdout(void)
{
    cr_redirect_stdout();
}
