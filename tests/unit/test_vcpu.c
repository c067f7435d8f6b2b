/* test_vcpu.c - unit tests of the vCPU: the real-mode decoder, entry checks and exits of kvm_run */
#include "alloc_shim.h"
#include "fixtures.h"

#include <criterion/criterion.h>
#include <string.h>

#define HIGH 0x1234567800000000ull   /* bits a 16-bit write must keep */

static WestworldHost *g_host;

static void host_fini(void)
{
    ford_retires_host(g_host);
    g_host = NULL;
}

/* a 1 MiB host running code from 0x7c00 */
static KvmVcpu *load(const uint8_t *code, size_t len)
{
    g_host = host_with(1, code, len, UT_LOAD_ADDR);
    return g_host->brain;
}

static uint8_t *guest(uint64_t gpa)
{
    return g_host->park->guest_memory + gpa;
}

#define LOAD(...)                                                          \
    do {                                                                   \
        static const uint8_t code_[] = {__VA_ARGS__};                      \
        vcpu = load(code_, sizeof(code_));                                 \
    } while (0)

/* run to the HLT at guest address 0x7c00 + hlt_at */
static void run_to_hlt(KvmVcpu *vcpu, uint64_t hlt_at)
{
    uint32_t reason = run_exit(vcpu);

    cr_assert_eq(reason, KVM_EXIT_HLT, "exit %u instead of HLT", reason);
    cr_assert_eq(vcpu->regs.rip, UT_LOAD_ADDR + hlt_at + 1,
                 "RIP 0x%llx after the hlt at 0x%llx",
                 (unsigned long long)vcpu->regs.rip,
                 (unsigned long long)(UT_LOAD_ADDR + hlt_at));
    cr_assert(vcpu->halted);
}

/* ---- data moves ---- */

Test(vcpu, mov_r8_imm8, .fini = host_fini, .timeout = UT_TIMEOUT)
{
    KvmVcpu *vcpu;

    LOAD(0xb0, 0x11,        /* mov al, 0x11 */
         0xb1, 0x22,        /* mov cl, 0x22 */
         0xb2, 0x33,        /* mov dl, 0x33 */
         0xb3, 0x44,        /* mov bl, 0x44 */
         0xb4, 0x55,        /* mov ah, 0x55 */
         0xb5, 0x66,        /* mov ch, 0x66 */
         0xb6, 0x77,        /* mov dh, 0x77 */
         0xb7, 0x88,        /* mov bh, 0x88 */
         0xf4);
    vcpu->regs.rax = HIGH;
    vcpu->regs.rcx = HIGH;
    vcpu->regs.rdx = HIGH;
    vcpu->regs.rbx = HIGH;
    run_to_hlt(vcpu, 16);
    cr_assert_eq(vcpu->regs.rax, HIGH | 0x5511, "rax 0x%llx",
                 (unsigned long long)vcpu->regs.rax);
    cr_assert_eq(vcpu->regs.rcx, HIGH | 0x6622);
    cr_assert_eq(vcpu->regs.rdx, HIGH | 0x7733);
    cr_assert_eq(vcpu->regs.rbx, HIGH | 0x8844);
}

Test(vcpu, mov_r8_keeps_the_other_half, .fini = host_fini,
     .timeout = UT_TIMEOUT)
{
    KvmVcpu *vcpu;

    LOAD(0xb0, 0x33, 0xf4); /* mov al, 0x33 */
    vcpu->regs.rax = 0x1122;
    run_to_hlt(vcpu, 2);
    cr_assert_eq(vcpu->regs.rax, 0x1133, "AH must survive mov al");
}

Test(vcpu, mov_r16_imm16, .fini = host_fini, .timeout = UT_TIMEOUT)
{
    KvmVcpu *vcpu;

    LOAD(0xb8, 0x01, 0xa0,  /* mov ax, 0xa001 */
         0xb9, 0x02, 0xa1,  /* mov cx, 0xa102 */
         0xba, 0x03, 0xa2,  /* mov dx */
         0xbb, 0x04, 0xa3,  /* mov bx */
         0xbc, 0x05, 0xa4,  /* mov sp */
         0xbd, 0x06, 0xa5,  /* mov bp */
         0xbe, 0x07, 0xa6,  /* mov si */
         0xbf, 0x08, 0xa7,  /* mov di */
         0xf4);
    vcpu->regs.rax = HIGH | 0xffff;
    vcpu->regs.rsp = HIGH;
    vcpu->regs.rdi = HIGH;
    run_to_hlt(vcpu, 24);
    cr_assert_eq(vcpu->regs.rax, HIGH | 0xa001, "rax 0x%llx",
                 (unsigned long long)vcpu->regs.rax);
    cr_assert_eq(vcpu->regs.rcx, 0xa102);
    cr_assert_eq(vcpu->regs.rdx, 0xa203);
    cr_assert_eq(vcpu->regs.rbx, 0xa304);
    cr_assert_eq(vcpu->regs.rsp, HIGH | 0xa405);
    cr_assert_eq(vcpu->regs.rbp, 0xa506);
    cr_assert_eq(vcpu->regs.rsi, 0xa607);
    cr_assert_eq(vcpu->regs.rdi, HIGH | 0xa708);
}

Test(vcpu, moffs_load, .fini = host_fini, .timeout = UT_TIMEOUT)
{
    KvmVcpu *vcpu;

    LOAD(0xa0, 0x34, 0x12,  /* mov al, [0x1234] */
         0xf4);
    *guest(0x1234) = 0x5a;
    vcpu->regs.rax = 0xff00;
    run_to_hlt(vcpu, 3);
    cr_assert_eq(vcpu->regs.rax, 0xff5a);
}

Test(vcpu, moffs_store, .fini = host_fini, .timeout = UT_TIMEOUT)
{
    KvmVcpu *vcpu;

    LOAD(0xb0, 0x77,        /* mov al, 0x77 */
         0xa2, 0x00, 0x20,  /* mov [0x2000], al */
         0xf4);
    run_to_hlt(vcpu, 5);
    cr_assert_eq(*guest(0x2000), 0x77);
    cr_assert_eq(*guest(0x2001), 0);
    cr_assert_eq(*guest(0x1fff), 0);
}

Test(vcpu, mov_bx_al, .fini = host_fini, .timeout = UT_TIMEOUT)
{
    KvmVcpu *vcpu;

    LOAD(0xbb, 0x00, 0x30,  /* mov bx, 0x3000 */
         0xb0, 0x99,        /* mov al, 0x99 */
         0x88, 0x07,        /* mov [bx], al */
         0xf4);
    run_to_hlt(vcpu, 7);
    cr_assert_eq(*guest(0x3000), 0x99);
}

Test(vcpu, mov_sreg_sets_selector_and_base, .fini = host_fini,
     .timeout = UT_TIMEOUT)
{
    KvmVcpu *vcpu;

    LOAD(0xb8, 0x00, 0x01,  /* mov ax, 0x0100 */
         0x8e, 0xd8,        /* mov ds, ax */
         0xb8, 0x00, 0x02,  /* mov ax, 0x0200 */
         0x8e, 0xc0,        /* mov es, ax */
         0xbb, 0x00, 0x03,  /* mov bx, 0x0300 */
         0x8e, 0xd3,        /* mov ss, bx */
         0xf4);
    run_to_hlt(vcpu, 15);
    cr_assert_eq(vcpu->sregs.ds.selector, 0x100);
    cr_assert_eq(vcpu->sregs.ds.base, 0x1000);
    cr_assert_eq(vcpu->sregs.es.selector, 0x200);
    cr_assert_eq(vcpu->sregs.es.base, 0x2000);
    cr_assert_eq(vcpu->sregs.ss.selector, 0x300);
    cr_assert_eq(vcpu->sregs.ss.base, 0x3000);
    cr_assert_eq(vcpu->sregs.cs.base, 0);
}

Test(vcpu, data_goes_through_ds, .fini = host_fini, .timeout = UT_TIMEOUT)
{
    KvmVcpu *vcpu;

    LOAD(0xbb, 0x00, 0x01,  /* mov bx, 0x0100 */
         0x8e, 0xdb,        /* mov ds, bx */
         0xa0, 0x34, 0x00,  /* mov al, [0x0034]: linear 0x1034 */
         0xa2, 0x35, 0x00,  /* mov [0x0035], al: linear 0x1035 */
         0xbb, 0x40, 0x00,  /* mov bx, 0x0040 */
         0x88, 0x07,        /* mov [bx], al: linear 0x1040 */
         0xf4);
    *guest(0x1034) = 0xc3;
    *guest(0x0034) = 0x01;
    run_to_hlt(vcpu, 16);
    cr_assert_eq(vcpu->regs.rax & 0xff, 0xc3, "the load ignored DS");
    cr_assert_eq(*guest(0x1035), 0xc3);
    cr_assert_eq(*guest(0x0035), 0);
    cr_assert_eq(*guest(0x1040), 0xc3);
    cr_assert_eq(*guest(0x0040), 0);
}

Test(vcpu, fetch_goes_through_cs_base, .fini = host_fini,
     .timeout = UT_TIMEOUT)
{
    KvmVcpu *vcpu;

    LOAD(0x90, 0xf4);       /* nop; hlt */
    vcpu->sregs.cs.selector = 0x7c0;
    vcpu->sregs.cs.base = 0x7c00;
    vcpu->regs.rip = 0;
    cr_assert_eq(run_exit(vcpu), KVM_EXIT_HLT);
    cr_assert_eq(vcpu->regs.rip, 2);
}

/* ---- control flow ---- */

Test(vcpu, jmp_rel8_forward, .fini = host_fini, .timeout = UT_TIMEOUT)
{
    KvmVcpu *vcpu;

    LOAD(0xeb, 0x01,        /* jmp +1 */
         0xf4,              /* skipped */
         0xb0, 0x05,        /* mov al, 5 */
         0xf4);
    run_to_hlt(vcpu, 5);
    cr_assert_eq(vcpu->regs.rax, 5);
}

Test(vcpu, jmp_rel8_backward_sign_extends, .fini = host_fini,
     .timeout = UT_TIMEOUT)
{
    KvmVcpu *vcpu;

    LOAD(0xeb, 0x03,        /* 0: jmp 5 */
         0xb0, 0x07,        /* 2: mov al, 7 */
         0xf4,              /* 4: hlt */
         0xeb, 0xfb);       /* 5: jmp 2 (-5) */
    run_to_hlt(vcpu, 4);
    cr_assert_eq(vcpu->regs.rax, 7);
}

Test(vcpu, jmp_rel8_extremes, .fini = host_fini, .timeout = UT_TIMEOUT)
{
    static uint8_t code[132];
    KvmVcpu *vcpu;

    /* 0: jmp +127 -> 129: jmp -128 -> 3: hlt */
    memset(code, 0x90, sizeof(code));
    code[0] = 0xeb;
    code[1] = 0x7f;
    code[2] = 0xcc;                 /* a jump not taken would shut down */
    code[3] = 0xf4;
    code[129] = 0xeb;
    code[130] = 0x80;
    code[131] = 0xcc;
    vcpu = load(code, sizeof(code));
    run_to_hlt(vcpu, 3);
    cr_assert_eq(vcpu->instructions, 3);
}

Test(vcpu, jz_jnz, .fini = host_fini, .timeout = UT_TIMEOUT)
{
    KvmVcpu *vcpu;

    /* a jump wrongly taken lands on its own 0x01 (outside the subset),
     * one wrongly not taken runs into a hlt */
    LOAD(0xb9, 0x01, 0x00,  /* 0: mov cx, 1 */
         0x49,              /* 3: dec cx (ZF=1) */
         0x75, 0x01,        /* 4: jnz +1: not taken */
         0x74, 0x01,        /* 6: jz +1: taken */
         0xf4,              /* 8: skipped */
         0x41,              /* 9: inc cx (ZF=0) */
         0x74, 0x01,        /* 10: jz +1: not taken */
         0x75, 0x01,        /* 12: jnz +1: taken */
         0xf4,              /* 14: skipped */
         0xf4);             /* 15 */
    run_to_hlt(vcpu, 15);
    cr_assert_eq(vcpu->regs.rcx, 1);
    cr_assert_eq(vcpu->instructions, 8);
}

Test(vcpu, jnz_backward_loop, .fini = host_fini, .timeout = UT_TIMEOUT)
{
    KvmVcpu *vcpu;

    LOAD(0xb9, 0x05, 0x00,  /* 0: mov cx, 5 */
         0x43,              /* 3: inc bx */
         0x49,              /* 4: dec cx */
         0x75, 0xfc,        /* 5: jnz 3 (-4) */
         0xf4);             /* 7 */
    run_to_hlt(vcpu, 7);
    cr_assert_eq(vcpu->regs.rbx, 5);
    cr_assert_eq(vcpu->regs.rcx, 0);
    cr_assert(vcpu->regs.rflags & WW_RFLAGS_ZF);
}

Test(vcpu, loop_counts_cx_down, .fini = host_fini, .timeout = UT_TIMEOUT)
{
    KvmVcpu *vcpu;

    LOAD(0xb9, 0x03, 0x00,  /* 0: mov cx, 3 */
         0x43,              /* 3: inc bx */
         0xe2, 0xfd,        /* 4: loop 3 (-3) */
         0xf4);             /* 6 */
    vcpu->regs.rcx = HIGH;
    run_to_hlt(vcpu, 6);
    cr_assert_eq(vcpu->regs.rbx, 3);
    cr_assert_eq(vcpu->regs.rcx, HIGH, "CX only: rcx 0x%llx",
                 (unsigned long long)vcpu->regs.rcx);
}

Test(vcpu, loop_leaves_flags_alone, .fini = host_fini,
     .timeout = UT_TIMEOUT)
{
    KvmVcpu *vcpu;

    LOAD(0xb9, 0x02, 0x00,  /* 0: mov cx, 2 */
         0x40,              /* 3: inc ax (ax=1, ZF=0) */
         0xe2, 0x00,        /* 4: loop +0: cx=1, taken (to 6 anyway) */
         0xe2, 0x00,        /* 6: loop +0: cx=0, not taken */
         0xf4);             /* 8 */
    run_to_hlt(vcpu, 8);
    cr_assert_eq(vcpu->regs.rcx, 0);
    cr_assert_eq(vcpu->regs.rflags & WW_RFLAGS_ZF, 0,
                 "loop must not set ZF when CX reaches 0");
}

Test(vcpu, inc_dec_r16_and_zf, .fini = host_fini, .timeout = UT_TIMEOUT)
{
    KvmVcpu *vcpu;

    LOAD(0x40,              /* inc ax: 0xffff -> 0 */
         0xf4);
    vcpu->regs.rax = HIGH | 0xffff;
    run_to_hlt(vcpu, 1);
    cr_assert_eq(vcpu->regs.rax, HIGH, "inc ax wraps in 16 bits: 0x%llx",
                 (unsigned long long)vcpu->regs.rax);
    cr_assert(vcpu->regs.rflags & WW_RFLAGS_ZF);
    cr_assert(vcpu->regs.rflags & WW_RFLAGS_FIXED);
}

Test(vcpu, dec_r16_wraps_and_clears_zf, .fini = host_fini,
     .timeout = UT_TIMEOUT)
{
    KvmVcpu *vcpu;

    LOAD(0x4b,              /* dec bx: 1 -> 0, ZF */
         0x74, 0x01,        /* jz +1 */
         0xf4,
         0x4b,              /* dec bx: 0 -> 0xffff, no ZF */
         0xf4);
    vcpu->regs.rbx = HIGH | 1;
    run_to_hlt(vcpu, 5);
    cr_assert_eq(vcpu->regs.rbx, HIGH | 0xffff, "rbx 0x%llx",
                 (unsigned long long)vcpu->regs.rbx);
    cr_assert_eq(vcpu->regs.rflags & WW_RFLAGS_ZF, 0);
    cr_assert(vcpu->regs.rflags & WW_RFLAGS_FIXED);
}

Test(vcpu, inc_dec_every_register, .fini = host_fini, .timeout = UT_TIMEOUT)
{
    KvmVcpu *vcpu;

    LOAD(0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47,    /* inc */
         0x47, 0x46, 0x45, 0x44, 0x43, 0x42, 0x41, 0x40,    /* inc */
         0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f,    /* dec */
         0xf4);
    vcpu->regs.rsp = 0x100;
    run_to_hlt(vcpu, 24);
    cr_assert_eq(vcpu->regs.rax, 1);
    cr_assert_eq(vcpu->regs.rcx, 1);
    cr_assert_eq(vcpu->regs.rdx, 1);
    cr_assert_eq(vcpu->regs.rbx, 1);
    cr_assert_eq(vcpu->regs.rsp, 0x101);
    cr_assert_eq(vcpu->regs.rbp, 1);
    cr_assert_eq(vcpu->regs.rsi, 1);
    cr_assert_eq(vcpu->regs.rdi, 1);
    cr_assert_eq(vcpu->regs.rflags & WW_RFLAGS_ZF, 0);
}

Test(vcpu, cli_sti_nop, .fini = host_fini, .timeout = UT_TIMEOUT)
{
    KvmVcpu *vcpu;

    LOAD(0x90,              /* nop */
         0xfa,              /* cli */
         0xf4,              /* 2 */
         0xfb,              /* sti */
         0x90, 0x90,
         0xf4);             /* 6 */
    vcpu->regs.rflags = WW_RFLAGS_FIXED | WW_RFLAGS_IF;
    run_to_hlt(vcpu, 2);
    cr_assert_eq(vcpu->regs.rflags & WW_RFLAGS_IF, 0, "cli clears IF");
    cr_assert(vcpu->regs.rflags & WW_RFLAGS_FIXED);
    /* a halted vCPU stays halted: re-enter at the sti as a new entry */
    {
        static const uint8_t again[] = {0xfb, 0x90, 0x90, 0xf4};

        cr_assert_eq(ford_implants_memories(g_host, again, sizeof(again),
                                            UT_LOAD_ADDR + 3), 0);
    }
    run_to_hlt(vcpu, 6);
    cr_assert(vcpu->regs.rflags & WW_RFLAGS_IF, "sti sets IF");
}

/* ---- I/O and MMIO ---- */

Test(vcpu, out_dx_and_imm8, .fini = host_fini, .timeout = UT_TIMEOUT)
{
    KvmVcpu *vcpu;
    KvmRun *run;

    LOAD(0xba, 0xf8, 0x03,  /* mov dx, 0x3f8 */
         0xb0, 'H',         /* mov al, 'H' */
         0xee,              /* 5: out dx, al */
         0xb0, 'i',
         0xe6, 0x80,        /* 8: out 0x80, al */
         0xf4);             /* 10 */
    run = vcpu->kvm_run;
    cr_assert_eq(run_exit(vcpu), KVM_EXIT_IO);
    cr_assert_eq(run->io.direction, KVM_EXIT_IO_OUT);
    cr_assert_eq(run->io.size, 1);
    cr_assert_eq(run->io.port, 0x3f8);
    cr_assert_eq(run->io.count, 1);
    cr_assert_eq(run->io.data_offset, KVM_PIO_PAGE_OFFSET * WW_PAGE_SIZE,
                 "the PIO data lives on the second page");
    cr_assert_eq(*io_data(vcpu), 'H');
    cr_assert_eq(vcpu->regs.rip, UT_LOAD_ADDR + 6, "RIP past the out");

    cr_assert_eq(run_exit(vcpu), KVM_EXIT_IO);
    cr_assert_eq(run->io.direction, KVM_EXIT_IO_OUT);
    cr_assert_eq(run->io.port, 0x80);
    cr_assert_eq(*io_data(vcpu), 'i');
    cr_assert_eq(vcpu->regs.rip, UT_LOAD_ADDR + 10);
    run_to_hlt(vcpu, 10);
    cr_assert_eq(vcpu->exits, 3);
}

Test(vcpu, in_completes_on_next_run, .fini = host_fini,
     .timeout = UT_TIMEOUT)
{
    KvmVcpu *vcpu;
    KvmRun *run;

    LOAD(0xe4, 0x60,        /* 0: in al, 0x60 */
         0xa2, 0x00, 0x05,  /* 2: mov [0x500], al */
         0xba, 0x78, 0x56,  /* 5: mov dx, 0x5678 */
         0xec,              /* 8: in al, dx */
         0xf4);             /* 9 */
    run = vcpu->kvm_run;
    vcpu->regs.rax = 0xab00;
    cr_assert_eq(run_exit(vcpu), KVM_EXIT_IO);
    cr_assert_eq(run->io.direction, KVM_EXIT_IO_IN);
    cr_assert_eq(run->io.size, 1);
    cr_assert_eq(run->io.count, 1);
    cr_assert_eq(run->io.port, 0x60);
    cr_assert_eq(vcpu->regs.rip, UT_LOAD_ADDR + 2);
    *io_data(vcpu) = 0x5a;

    cr_assert_eq(run_exit(vcpu), KVM_EXIT_IO);
    cr_assert_eq(*guest(0x500), 0x5a, "the IN value reached AL");
    cr_assert_eq(run->io.direction, KVM_EXIT_IO_IN);
    cr_assert_eq(run->io.port, 0x5678);
    cr_assert_eq(vcpu->regs.rip, UT_LOAD_ADDR + 9);
    *io_data(vcpu) = 0xc4;
    run_to_hlt(vcpu, 9);
    cr_assert_eq(vcpu->regs.rax, 0xabc4, "AL only");
}

Test(vcpu, mmio_read_completes_and_write_carries_data,
     .timeout = UT_TIMEOUT)
{
    BareVm b;
    KvmRun *run;
    static const uint8_t code[] = {
        0xa0, 0x00, 0x80,   /* 0: mov al, [0x8000] */
        0xe6, 0x80,         /* 3: out 0x80, al */
        0xa2, 0x01, 0x80,   /* 5: mov [0x8001], al */
        0xbb, 0x00, 0x90,   /* 8: mov bx, 0x9000 */
        0x88, 0x07,         /* 11: mov [bx], al */
        0xf4                /* 13 */
    };

    bare_vm_create(&b, 16 * 1024);      /* 0x8000 is unbacked */
    bare_vm_load(&b, 0x1000, code, sizeof(code));
    run = b.vcpu->kvm_run;

    cr_assert_eq(run_exit(b.vcpu), KVM_EXIT_MMIO);
    cr_assert_eq(run->mmio.phys_addr, 0x8000);
    cr_assert_eq(run->mmio.len, 1);
    cr_assert_eq(run->mmio.is_write, 0);
    run->mmio.data[0] = 0x42;

    cr_assert_eq(run_exit(b.vcpu), KVM_EXIT_IO);
    cr_assert_eq(run->io.port, 0x80);
    cr_assert_eq(*io_data(b.vcpu), 0x42, "the MMIO read reached AL");

    cr_assert_eq(run_exit(b.vcpu), KVM_EXIT_MMIO);
    cr_assert_eq(run->mmio.phys_addr, 0x8001);
    cr_assert_eq(run->mmio.len, 1);
    cr_assert_eq(run->mmio.is_write, 1);
    cr_assert_eq(run->mmio.data[0], 0x42);

    cr_assert_eq(run_exit(b.vcpu), KVM_EXIT_MMIO);
    cr_assert_eq(run->mmio.phys_addr, 0x9000);
    cr_assert_eq(run->mmio.is_write, 1);
    cr_assert_eq(run->mmio.data[0], 0x42);

    cr_assert_eq(run_exit(b.vcpu), KVM_EXIT_HLT);
    cr_assert_eq(b.vcpu->regs.rip, 0x1000 + 14);
    bare_vm_destroy(&b);
}

Test(vcpu, mmio_above_one_mib_through_ds, .fini = host_fini,
     .timeout = UT_TIMEOUT)
{
    KvmVcpu *vcpu;
    KvmRun *run;

    LOAD(0xb8, 0xff, 0xff,  /* mov ax, 0xffff */
         0x8e, 0xd8,        /* mov ds, ax */
         0xa0, 0x10, 0x00,  /* mov al, [0x10]: linear 0x100000 */
         0xa2, 0x0f, 0x00,  /* mov [0x0f], al: linear 0xfffff, RAM */
         0xf4);             /* 11 */
    run = vcpu->kvm_run;
    cr_assert_eq(run_exit(vcpu), KVM_EXIT_MMIO);
    cr_assert_eq(run->mmio.phys_addr, 0x100000);
    cr_assert_eq(run->mmio.is_write, 0);
    run->mmio.data[0] = 0x3c;
    run_to_hlt(vcpu, 11);
    cr_assert_eq(*guest(0xfffff), 0x3c);
}

/* ---- entry checks and fatal exits ---- */

Test(vcpu, rip_at_memory_size_fails_entry, .timeout = UT_TIMEOUT)
{
    BareVm b;

    bare_vm_create(&b, 4096);
    b.vcpu->regs.rip = 4096;
    cr_assert_eq(run_exit(b.vcpu), KVM_EXIT_FAIL_ENTRY);
    cr_assert_eq(b.vcpu->regs.rip, 4096);
    b.vcpu->regs.rip = UINT64_MAX;
    cr_assert_eq(run_exit(b.vcpu), KVM_EXIT_FAIL_ENTRY);
    bare_vm_destroy(&b);
}

Test(vcpu, rflags_bit1_clear_fails_entry, .fini = host_fini,
     .timeout = UT_TIMEOUT)
{
    KvmVcpu *vcpu;

    LOAD(0xb0, 0x01, 0xf4);
    vcpu->regs.rflags = 0;
    cr_assert_eq(run_exit(vcpu), KVM_EXIT_FAIL_ENTRY);
    cr_assert_eq(vcpu->regs.rip, UT_LOAD_ADDR, "nothing executed");
    cr_assert_eq(vcpu->regs.rax, 0, "nothing executed");
}

/* One instruction whose encoding needs more bytes than guest memory has
 * left: the vCPU must stop without reading past the end (the page after it
 * is PROT_NONE: a read past crashes the test). */
static void truncated(const uint8_t *code, size_t len)
{
    BareVm b;
    uint32_t reason;

    bare_vm_create(&b, 4096);
    bare_vm_load(&b, 4096 - len, code, len);
    reason = run_exit(b.vcpu);
    cr_assert_eq(reason, KVM_EXIT_INTERNAL_ERROR,
                 "opcode 0x%02x with %zu byte(s) left: exit %u", code[0],
                 len, reason);
    cr_assert_eq(b.vcpu->kvm_run->internal.suberror,
                 KVM_INTERNAL_ERROR_EMULATION);
    bare_vm_destroy(&b);
}

Test(vcpu, instruction_running_past_memory_end, .timeout = UT_TIMEOUT)
{
    static const uint8_t one[] = {
        0xb0, 0xb4, 0xb8, 0xbf, 0xa0, 0xa2, 0x88, 0x8e, 0xe4, 0xe6,
        0xeb, 0x74, 0x75, 0xe2
    };
    static const uint8_t two[][2] = {
        {0xb8, 0x01}, {0xbb, 0x01}, {0xa0, 0x00}, {0xa2, 0x00}
    };
    size_t i;

    for (i = 0; i < sizeof(one); i++)
        truncated(&one[i], 1);
    for (i = 0; i < sizeof(two) / sizeof(two[0]); i++)
        truncated(two[i], 2);
}

Test(vcpu, last_byte_instructions_that_fit, .timeout = UT_TIMEOUT)
{
    BareVm b;
    static const uint8_t code[] = {0xb0, 0x61, 0xee, 0xf4};

    bare_vm_create(&b, 4096);
    bare_vm_load(&b, 4096 - sizeof(code), code, sizeof(code));
    cr_assert_eq(run_exit(b.vcpu), KVM_EXIT_IO);
    cr_assert_eq(run_exit(b.vcpu), KVM_EXIT_HLT);
    cr_assert_eq(b.vcpu->regs.rip, 4096);
    bare_vm_destroy(&b);
}

Test(vcpu, truncated_after_nop_on_a_host, .fini = host_fini,
     .timeout = UT_TIMEOUT)
{
    static const uint8_t code[] = {0x90, 0xb0};     /* nop; mov al, (cut) */

    g_host = host_with(1, code, sizeof(code), WW_MIB - 2);
    cr_assert_eq(run_exit(g_host->brain), KVM_EXIT_INTERNAL_ERROR);
    cr_assert_eq(g_host->brain->kvm_run->internal.suberror,
                 KVM_INTERNAL_ERROR_EMULATION);
}

static void undecodable(const uint8_t *code, size_t len)
{
    g_host = host_with(1, code, len, UT_LOAD_ADDR);
    cr_assert_eq(run_exit(g_host->brain), KVM_EXIT_SHUTDOWN,
                 "opcode %02x %02x", code[0], len > 1 ? code[1] : 0);
    ford_retires_host(g_host);
    g_host = NULL;
}

Test(vcpu, opcode_outside_subset_shuts_down, .timeout = UT_TIMEOUT)
{
    static const uint8_t ud2[] = {0x0f, 0x0b, 0xf4};
    static const uint8_t int3[] = {0xcc, 0xf4};
    static const uint8_t mov_cs[] = {0x8e, 0xc8, 0xf4};     /* mov cs, ax */
    static const uint8_t mov_es_mem[] = {0x8e, 0x06, 0x00, 0x10, 0xf4};
    static const uint8_t mov_mem_al[] = {0x88, 0x47, 0x01, 0xf4};
    static const uint8_t zeros[] = {0x00, 0x00, 0xf4};      /* add [bx+si],al */

    undecodable(ud2, sizeof(ud2));
    undecodable(int3, sizeof(int3));
    undecodable(mov_cs, sizeof(mov_cs));
    undecodable(mov_es_mem, sizeof(mov_es_mem));
    undecodable(mov_mem_al, sizeof(mov_mem_al));
    undecodable(zeros, sizeof(zeros));
}

Test(vcpu, hlt_stays_halted, .fini = host_fini, .timeout = UT_TIMEOUT)
{
    KvmVcpu *vcpu;

    LOAD(0xf4, 0xb0, 0x01, 0xf4);
    run_to_hlt(vcpu, 0);
    cr_assert_eq(run_exit(vcpu), KVM_EXIT_HLT, "still halted");
    cr_assert_eq(vcpu->regs.rip, UT_LOAD_ADDR + 1);
    cr_assert_eq(vcpu->regs.rax, 0, "nothing executed while halted");
    cr_assert_eq(vcpu->exits, 2);

    /* a new entry point wakes it */
    {
        static const uint8_t again[] = {0xb0, 0x01, 0xf4};

        cr_assert_eq(ford_implants_memories(g_host, again, sizeof(again),
                                            UT_LOAD_ADDR + 1), 0);
    }
    cr_assert_not(vcpu->halted);
    run_to_hlt(vcpu, 3);
    cr_assert_eq(vcpu->regs.rax, 1);
}

Test(vcpu, run_return_values, .timeout = UT_TIMEOUT)
{
    KvmDevice *kvm = kvm_open();
    KvmVm *vm;
    KvmVcpu *vcpu;

    cr_assert_eq(kvm_run(NULL), -1);
    cr_assert_not_null(kvm);
    vm = kvm_create_vm(kvm);
    cr_assert_not_null(vm);
    vcpu = kvm_create_vcpu(vm, 0);
    cr_assert_not_null(vcpu);
    cr_assert_eq(kvm_run(vcpu), -1, "no memory slot");
    kvm_destroy_vcpu(vcpu);
    kvm_destroy_vm(vm);
    kvm_close(kvm);
}

Test(vcpu, counts_exits_and_instructions, .fini = host_fini,
     .timeout = UT_TIMEOUT)
{
    KvmVcpu *vcpu;

    LOAD(0x90, 0x90, 0x90, 0xe6, 0x80, 0xf4);
    cr_assert_eq(run_exit(vcpu), KVM_EXIT_IO);
    cr_assert_eq(vcpu->exits, 1);
    cr_assert_eq(vcpu->instructions, 4, "3 nop + out: %llu",
                 (unsigned long long)vcpu->instructions);
    run_to_hlt(vcpu, 5);
    cr_assert_eq(vcpu->exits, 2);
    cr_assert_eq(vcpu->instructions, 5);
}

Test(vcpu, ept_built_lazily_on_a_host, .fini = host_fini,
     .timeout = UT_TIMEOUT)
{
    KvmVcpu *vcpu;

    LOAD(0xa0, 0x00, 0x00,  /* mov al, [0] */
         0xbb, 0x00, 0x00,  /* mov bx, 0 */
         0xf4);
    run_to_hlt(vcpu, 6);
    cr_assert_leq(g_host->memories->tables, 4,
                  "1 MiB needs at most PML4 + PDPT + PD + PT, got %zu",
                  g_host->memories->tables);
}

Test(vcpu, run_fails_when_ept_table_allocation_fails, .fini = host_fini,
     .timeout = UT_TIMEOUT)
{
    static const uint8_t code[] = {0xb0, 0x01, 0xa2, 0x00, 0x00, 0xf4};
    unsigned long n, k;

    /* allocations a first run makes (its EPT tables, if built lazily) */
    g_host = host_with(1, code, sizeof(code), UT_LOAD_ADDR);
    ut_alloc_reset();
    cr_assert_eq(run_exit(g_host->brain), KVM_EXIT_HLT);
    n = ut_alloc_count();
    ford_retires_host(g_host);
    g_host = NULL;

    for (k = 1; k <= n; k++) {
        g_host = host_with(1, code, sizeof(code), UT_LOAD_ADDR);
        ut_alloc_reset();
        ut_alloc_fail_at(k);
        cr_assert_eq(kvm_run(g_host->brain), -1,
                     "allocation %lu of %lu in kvm_run failed", k, n);
        ut_alloc_fail_at(0);
        ford_retires_host(g_host);
        g_host = NULL;
    }
}
