/* main.c - the test main of section 4.2, with real checks and no leak */
#include "hypervisor_sim.h"
#include <stdio.h>
#include <stdlib.h>

/* assert() would vanish under -DNDEBUG: a failed check always says what
 * failed and ends the program with status 1. */
#define CHECK(cond)                                                       \
    do {                                                                  \
        if (!(cond)) {                                                    \
            fflush(stdout);                                               \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,        \
                    __LINE__, #cond);                                     \
            exit(1);                                                      \
        }                                                                 \
    } while (0)

static void test_kvm_lifecycle(void)
{
    KvmDevice *kvm;
    KvmVm *vm;
    KvmVcpu *vcpu;
    int ret;

    printf("=== Test KVM Lifecycle ===\n");

    kvm = kvm_open();
    CHECK(kvm != NULL);
    CHECK(kvm->api_version == KVM_API_VERSION);
    CHECK(kvm->api_version == 12);

    vm = kvm_create_vm(kvm);
    CHECK(vm != NULL);

    ret = kvm_set_user_memory_region(vm, 0, 0, 1024 * 1024, NULL);
    CHECK(ret == 0);

    vcpu = kvm_create_vcpu(vm, 0);
    CHECK(vcpu != NULL);

    /* the document closed only the device: the vCPU, the VM and its
     * memory leaked.  Release in the reverse order of creation. */
    kvm_destroy_vcpu(vcpu);
    kvm_destroy_vm(vm);
    kvm_close(kvm);
    printf("PASSED\n\n");
}

static void test_westworld_host(void)
{
    WestworldHost *dolores;
    int ret;
    /* mov dx, 0x3f8; mov al, 'H'; out dx, al; hlt */
    const uint8_t narrative[] = {
        0xba, 0xf8, 0x03,   /* mov dx, 0x3f8 */
        0xb0, 'H',          /* mov al, 'H' */
        0xee,               /* out dx, al */
        0xf4                /* hlt */
    };

    printf("=== Test Westworld Host ===\n");

    dolores = ford_creates_host(1);
    CHECK(dolores != NULL);
    CHECK(dolores->conscious == true);

    ret = ford_implants_memories(dolores, narrative, sizeof(narrative),
                                 0x7c00);
    CHECK(ret == 0);

    /* the document printed "Guest output: " here, but the run loop may log
     * its own lines (the reference does, as in section 3.0): a header
     * keeps them apart from the guest's 'H' */
    printf("\n=== Dolores wakes up ===\n");
    ret = dolores_wakes_up(dolores);
    printf("\n");
    CHECK(ret == 0);
    CHECK(dolores->conscious == false);

    ford_retires_host(dolores);
    printf("PASSED\n\n");
}

int main(void)
{
    test_kvm_lifecycle();
    test_westworld_host();

    printf("All tests passed!\n");
    return 0;
}
