/* fixtures.h - shared fixtures of the unit tests: bare VMs, guarded guest memory, hosts, stdout */
#ifndef FIXTURES_H
#define FIXTURES_H

#include "hypervisor_sim.h"

#include <stddef.h>
#include <stdint.h>

/* Every test gets this timeout (seconds): generous, for valgrind. */
#define UT_TIMEOUT 10.

#define UT_LOAD_ADDR 0x7c00u

/*
 * A VM built with the kvm_* calls alone (no EPT), whose guest memory is the
 * caller's: size bytes followed by a PROT_NONE guard page, so that a read
 * past the end of guest memory crashes the test instead of passing unseen.
 */
typedef struct {
    KvmDevice *kvm;
    KvmVm     *vm;
    KvmVcpu   *vcpu;
    uint8_t   *mem;         /* guest memory, size bytes */
    size_t     size;
    void      *map;         /* mem plus the guard page */
    size_t     map_size;
} BareVm;

/* Builds the bare VM (cr_assert on failure). */
void bare_vm_create(BareVm *b, size_t size);

/* Copies code to guest-physical addr and sets RIP to addr. */
void bare_vm_load(BareVm *b, uint64_t addr, const uint8_t *code, size_t len);

/* Releases vCPU, VM, device, then the memory. */
void bare_vm_destroy(BareVm *b);

/*
 * A WestworldHost assembled by hand from the public API, with guarded
 * caller memory (see BareVm) and the EPT walked by the VM.  Release with
 * guarded_host_destroy(), not ford_retires_host(): the memory and the
 * WestworldHost itself are the test's.
 */
typedef struct {
    WestworldHost host;
    void         *map;
    size_t        map_size;
} GuardedHost;

void guarded_host_create(GuardedHost *g, size_t size);
void guarded_host_destroy(GuardedHost *g);

/* ford_creates_host(mb) + ford_implants_memories(code at addr), asserted. */
WestworldHost *host_with(size_t mb, const uint8_t *code, size_t len,
                         uint64_t addr);

/* kvm_run(vcpu), asserting it returns 0; returns the exit reason. */
uint32_t run_exit(KvmVcpu *vcpu);

/* The byte of I/O data of the current IO exit. */
uint8_t *io_data(KvmVcpu *vcpu);

/*
 * After cr_redirect_stdout(): flushes stdout, ends the redirected stream
 * (fd 1 goes to /dev/null) and returns everything written so far, NUL
 * terminated, in *len bytes.  free() it.
 */
char *captured_stdout(size_t *len);

/* True if needle (len bytes) occurs in hay (hay_len bytes). */
int mem_contains(const char *hay, size_t hay_len, const char *needle,
                 size_t len);

/* Redirects stdout; for .init. */
void redirect_stdout(void);

#endif /* FIXTURES_H */
