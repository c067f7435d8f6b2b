/* test_exec.c - the executor: operands, addressing, stack, strings, prefixes
 *
 * Values here are worked out by hand from the SDM; the flags of every ALU
 * instruction are checked against the host in test_alu_host.c.
 */
#include "core_fixture.h"
#include "x86/alu.h"

#include <criterion/criterion.h>

TestSuite(exec, .init = core_setup, .fini = core_teardown);

#define R (&tc.vcpu.regs)
#define S (&tc.vcpu.sregs)

static void set_seg(KvmSegment *s, uint16_t sel)
{
    s->selector = sel;
    s->base = (uint64_t)sel << 4;
}

/* every 16-bit ModRM memory form, mod 0, 1 and 2: mov ax, [..] */
Test(exec, modrm16_every_mode)
{
    static const struct { uint8_t rm; uint32_t base; bool ss; } forms[8] = {
        { 0, 0x2000 + 0x10, false }, { 1, 0x2000 + 0x20, false },
        { 2, 0x3000 + 0x10, true },  { 3, 0x3000 + 0x20, true },
        { 4, 0x10, false },          { 5, 0x20, false },
        { 6, 0x3000, true },         { 7, 0x2000, false }
    };
    static const int32_t disps[3] = { 0, -3, 0x1234 };
    unsigned i, mod;

    for (mod = 0; mod < 3; mod++) {
        for (i = 0; i < 8; i++) {
            uint8_t code[4] = { 0x8b, (uint8_t)(mod << 6 | forms[i].rm) };
            uint32_t off = forms[i].base;
            uint64_t lin;
            size_t len = 2;

            core_setup();
            set_seg(&S->ds, 0x1000);
            set_seg(&S->ss, 0x2000);
            R->rbx = 0x2000; R->rbp = 0x3000; R->rsi = 0x10; R->rdi = 0x20;
            if (mod == 0 && forms[i].rm == 6) {
                off = 0x4321;               /* [disp16] */
                code[len++] = 0x21;
                code[len++] = 0x43;
            } else if (mod == 1) {
                off += (uint32_t)disps[1];
                code[len++] = (uint8_t)disps[1];
            } else if (mod == 2) {
                off += (uint32_t)disps[2];
                code[len++] = 0x34;
                code[len++] = 0x12;
            }
            off &= 0xffff;
            lin = ((forms[i].ss && !(mod == 0 && forms[i].rm == 6))
                   ? S->ss.base : S->ds.base) + off;
            core_poke(lin, 2, 0xbeef);
            core_load(code, len);
            cr_assert_eq(core_run(1), X86_BUDGET);
            cr_assert_eq(R->rax & 0xffff, 0xbeef, "mod %u rm %u: read at "
                         "0x%lx", mod, forms[i].rm, (unsigned long)lin);
            cr_assert_eq(R->rip, CORE_CODE + len);
            core_teardown();
        }
    }
    core_setup();   /* for the suite's fini */
}

/* 32-bit addressing (67): base, SIB with each scale, no base, EBP in SS */
Test(exec, modrm32_sib)
{
    set_seg(&S->ss, 0x2000);
    R->rbx = 0x3000;
    R->rsi = 0x10;
    R->rbp = 0x500;
    /* mov eax, [ebx+esi*4+0x8] : 67 66 8b 44 b3 08 */
    core_poke(0x3000 + 0x40 + 8, 4, 0xdeadbeef);
    CORE_LOAD(0x67, 0x66, 0x8b, 0x44, 0xb3, 0x08);
    cr_assert_eq(core_run(1), X86_BUDGET);
    cr_assert_eq((uint32_t)R->rax, 0xdeadbeefu);
    /* mov al, [esi*8+0x100] (no base: disp32) : 67 8a 04 f5 00 01 00 00 */
    R->rip = CORE_CODE;
    core_poke(0x80 + 0x100, 1, 0x5a);
    CORE_LOAD(0x67, 0x8a, 0x04, 0xf5, 0x00, 0x01, 0x00, 0x00);
    cr_assert_eq(core_run(1), X86_BUDGET);
    cr_assert_eq(R->rax & 0xff, 0x5a);
    /* mov cx, [ebp-4]: SS : 67 8b 4d fc */
    R->rip = CORE_CODE;
    core_poke(0x20000 + 0x500 - 4, 2, 0x1234);
    CORE_LOAD(0x67, 0x8b, 0x4d, 0xfc);
    cr_assert_eq(core_run(1), X86_BUDGET);
    cr_assert_eq(R->rcx & 0xffff, 0x1234);
    cr_assert_eq(R->rip, CORE_CODE + 4);
}

Test(exec, mov_forms)
{
    R->rbx = 0x2000;
    R->rax = 0x11223344;
    R->rcx = 0xaabb;
    /* mov [bx], ax; mov [bx+2], cl; mov dh, [bx+1]; mov byte [bx+4], 0x7f;
     * mov word [bx+6], 0x1234; mov dword [bx+8], 0xcafef00d (66 c7);
     * mov si, cx; mov ch, al */
    CORE_LOAD(0x89, 0x07, 0x88, 0x4f, 0x02, 0x8a, 0x77, 0x01,
              0xc6, 0x47, 0x04, 0x7f, 0xc7, 0x47, 0x06, 0x34, 0x12,
              0x66, 0xc7, 0x47, 0x08, 0x0d, 0xf0, 0xfe, 0xca,
              0x89, 0xce, 0x88, 0xc5);
    cr_assert_eq(core_run(8), X86_BUDGET);
    cr_assert_eq(core_peek(0x2000, 2), 0x3344);
    cr_assert_eq(core_peek(0x2002, 1), 0xbb);
    cr_assert_eq((R->rdx >> 8) & 0xff, 0x33);
    cr_assert_eq(core_peek(0x2004, 1), 0x7f);
    cr_assert_eq(core_peek(0x2006, 2), 0x1234);
    cr_assert_eq(core_peek(0x2008, 4), 0xcafef00du);
    cr_assert_eq(R->rsi & 0xffff, 0xaabb);
    cr_assert_eq(R->rcx & 0xffff, 0x44bb);
    /* moffs: mov al, [0x2004]; mov [0x2010], ax (a3) */
    R->rip = CORE_CODE;
    CORE_LOAD(0xa0, 0x04, 0x20, 0xa3, 0x10, 0x20);
    cr_assert_eq(core_run(2), X86_BUDGET);
    cr_assert_eq(core_peek(0x2010, 2), 0x337f);
}

Test(exec, segments_and_overrides)
{
    /* mov ax, 0x200; mov es, ax; mov byte es:[0x10], 0x42;
     * mov bx, es; push es; pop ds; mov cl, [0x10] */
    CORE_LOAD(0xb8, 0x00, 0x02, 0x8e, 0xc0, 0x26, 0xc6, 0x06, 0x10, 0x00,
              0x42, 0x8c, 0xc3, 0x06, 0x1f, 0x8a, 0x0e, 0x10, 0x00);
    R->rsp = 0x8000;
    cr_assert_eq(core_run(7), X86_BUDGET);
    cr_assert_eq(core_peek(0x2010, 1), 0x42);
    cr_assert_eq(R->rbx & 0xffff, 0x200);
    cr_assert_eq(S->ds.selector, 0x200);
    cr_assert_eq(S->ds.base, 0x2000);
    cr_assert_eq(R->rcx & 0xff, 0x42);
    cr_assert_eq(R->rsp, 0x8000);
}

Test(exec, stack_call_ret)
{
    R->rsp = 0x8000;
    /* 1000: call 0x1008; hlt ...; 1008: push 0x1234; pop dx; ret 0 */
    CORE_LOAD(0xe8, 0x05, 0x00, 0xf4, 0x90, 0x90, 0x90, 0x90,
              0x68, 0x34, 0x12, 0x5a, 0xc3);
    cr_assert_eq(core_run(1), X86_BUDGET);
    cr_assert_eq(R->rip, 0x1008);
    cr_assert_eq(R->rsp, 0x7ffe);
    cr_assert_eq(core_peek(0x7ffe, 2), 0x1003);
    cr_assert_eq(core_run(3), X86_BUDGET);
    cr_assert_eq(R->rdx & 0xffff, 0x1234);
    cr_assert_eq(R->rip, 0x1003);
    cr_assert_eq(R->rsp, 0x8000);
    cr_assert_eq(core_run(10), X86_EXITED);
    cr_assert_eq(tc.run->exit_reason, KVM_EXIT_HLT);
}

Test(exec, ret_imm_push_imm8_and_32bit_call)
{
    R->rsp = 0x8000;
    /* push -2 (6a fe); push word 7; call 0x100b; ... 100b: ret 4 */
    CORE_LOAD(0x6a, 0xfe, 0x6a, 0x07, 0xe8, 0x02, 0x00, 0xf4, 0x90,
              0xc2, 0x04, 0x00);
    cr_assert_eq(core_run(2), X86_BUDGET);
    cr_assert_eq(core_peek(0x7ffe, 2), 0xfffe);
    cr_assert_eq(core_run(2), X86_BUDGET);
    cr_assert_eq(R->rip, 0x1007);
    cr_assert_eq(R->rsp, 0x8000, "ret 4 dropped both pushes");
    /* gcc -m16: calll (66 e8 rel32), retl (66 c3) push and pop 4 bytes */
    core_setup();
    R->rsp = 0x8000;
    CORE_LOAD(0x66, 0xe8, 0x02, 0x00, 0x00, 0x00, 0xf4, 0x90, 0x66, 0xc3);
    cr_assert_eq(core_run(1), X86_BUDGET);
    cr_assert_eq(R->rsp, 0x7ffc);
    cr_assert_eq(core_peek(0x7ffc, 4), 0x1006);
    cr_assert_eq(R->rip, 0x1008);
    cr_assert_eq(core_run(1), X86_BUDGET);
    cr_assert_eq(R->rip, 0x1006);
    cr_assert_eq(R->rsp, 0x8000);
}

Test(exec, pusha_popa_leave)
{
    R->rax = 1; R->rcx = 2; R->rdx = 3; R->rbx = 4; R->rsp = 0x8000;
    R->rbp = 6; R->rsi = 7; R->rdi = 8;
    /* pusha; xor ax,ax (31 c0); mov di,ax; popa */
    CORE_LOAD(0x60, 0x31, 0xc0, 0x89, 0xc7, 0x61);
    cr_assert_eq(core_run(1), X86_BUDGET);
    cr_assert_eq(R->rsp, 0x8000 - 16);
    cr_assert_eq(core_peek(0x8000 - 2, 2), 1, "AX first");
    cr_assert_eq(core_peek(0x8000 - 10, 2), 0x8000, "SP as it was");
    cr_assert_eq(core_peek(0x8000 - 16, 2), 8, "DI last");
    cr_assert_eq(core_run(3), X86_BUDGET);
    cr_assert_eq(R->rax, 1);
    cr_assert_eq(R->rdi, 8);
    cr_assert_eq(R->rsp, 0x8000);
    /* push bp; mov bp, sp; sub sp, 8; leave */
    core_setup();
    R->rsp = 0x8000;
    R->rbp = 0x1111;
    CORE_LOAD(0x55, 0x89, 0xe5, 0x83, 0xec, 0x08, 0xc9);
    cr_assert_eq(core_run(4), X86_BUDGET);
    cr_assert_eq(R->rsp, 0x8000);
    cr_assert_eq(R->rbp, 0x1111);
}

Test(exec, lea_movzx_movsx_xchg_cbw_cwd)
{
    R->rbx = 0x100;
    R->rsi = 0x20;
    core_poke(0x2000, 2, 0x80f0);
    R->rdi = 0x2000;
    /* lea ax, [bx+si+0x10]; movzx cx, byte [di]; movsx dx, byte [di];
     * 66 movsx esi, word [di]; xchg ax, cx (91); cbw; cwd */
    CORE_LOAD(0x8d, 0x40, 0x10, 0x0f, 0xb6, 0x0d, 0x0f, 0xbe, 0x15,
              0x66, 0x0f, 0xbf, 0x35, 0x91, 0x98, 0x99);
    cr_assert_eq(core_run(1), X86_BUDGET);
    cr_assert_eq(R->rax & 0xffff, 0x130);
    cr_assert_eq(core_run(3), X86_BUDGET);
    cr_assert_eq(R->rcx & 0xffff, 0xf0);
    cr_assert_eq(R->rdx & 0xffff, 0xfff0);
    cr_assert_eq((uint32_t)R->rsi, 0xffff80f0u);
    cr_assert_eq(core_run(1), X86_BUDGET);
    cr_assert_eq(R->rax & 0xffff, 0xf0);
    cr_assert_eq(R->rcx & 0xffff, 0x130);
    cr_assert_eq(core_run(2), X86_BUDGET);
    cr_assert_eq(R->rax & 0xffff, 0xfff0, "cbw sign-extends AL");
    cr_assert_eq(R->rdx & 0xffff, 0xffff, "cwd: DX all sign");
}

Test(exec, string_rep)
{
    unsigned i;

    for (i = 0; i < 8; i++)
        core_poke(0x2000 + i, 1, 'a' + i);
    R->rsi = 0x2000;
    R->rdi = 0x3000;
    R->rcx = 8;
    /* cld; rep movsb; mov al, 'z'; mov cx, 4; rep stosb; lodsb */
    CORE_LOAD(0xfc, 0xf3, 0xa4, 0xb0, 0x7a, 0xb9, 0x04, 0x00, 0xf3, 0xaa,
              0xac);
    cr_assert_eq(core_run(1 + 8), X86_BUDGET, "one step per iteration");
    cr_assert_eq(R->rip, 0x1003);
    cr_assert_eq(R->rcx, 0);
    cr_assert_eq(R->rsi, 0x2008);
    cr_assert_eq(R->rdi, 0x3008);
    cr_assert_eq(core_peek(0x3007, 1), 'h');
    cr_assert_eq(core_run(2 + 4), X86_BUDGET);
    cr_assert_eq(core_peek(0x3008, 4), 0x7a7a7a7a);
    cr_assert_eq(core_peek(0x300c, 1), 0);
    core_poke(0x2008, 1, 'Q');
    cr_assert_eq(core_run(1), X86_BUDGET);
    cr_assert_eq(R->rax & 0xff, 'Q');
    cr_assert_eq(R->rsi, 0x2009);
    /* std: backwards; rep with CX = 0 does nothing */
    core_setup();
    R->rsi = 0x2003;
    R->rdi = 0x3003;
    R->rcx = 0;
    CORE_LOAD(0xfd, 0xf3, 0xa4, 0xa4);
    core_poke(0x2003, 1, 'x');
    cr_assert_eq(core_run(3), X86_BUDGET);
    cr_assert_eq(core_peek(0x3003, 1), 'x');
    cr_assert_eq(R->rsi, 0x2002);
    cr_assert_eq(R->rdi, 0x3002);
}

Test(exec, repne_scasb_finds_a_byte)
{
    const char *s = "hello";
    unsigned i;

    for (i = 0; i < 6; i++)
        core_poke(0x2000 + i, 1, (uint8_t)s[i]);
    R->rdi = 0x2000;
    R->rcx = 0xffff;
    R->rax = 0;
    /* repne scasb: stops after the NUL */
    CORE_LOAD(0xf2, 0xae);
    cr_assert_eq(core_run(100), X86_BUDGET);
    cr_assert_eq(R->rdi, 0x2006);
    cr_assert_eq(R->rcx, 0xffff - 6);
    cr_assert(R->rflags & X86_ZF);
}

Test(exec, inc_dec_loop_jmp)
{
    R->rcx = 3;
    /* 1000: inc ax; loop 1000; dec bx; jmp 100a (e9 rel16) ... 100a: jmp $ */
    CORE_LOAD(0x40, 0xe2, 0xfd, 0x4b, 0xe9, 0x02, 0x00, 0xf4, 0xf4,
              0x90, 0xeb, 0xfe);
    cr_assert_eq(core_run(6), X86_BUDGET);
    cr_assert_eq(R->rax, 3);
    cr_assert_eq(R->rcx, 0);
    cr_assert_eq(core_run(2), X86_BUDGET);
    cr_assert_eq(R->rbx & 0xffff, 0xffff);
    cr_assert_eq(R->rip, 0x1009);
    cr_assert_eq(core_run(1000), X86_BUDGET, "jmp $ never exits");
    cr_assert_eq(R->rip, 0x100a);
}

Test(exec, port_io_exits)
{
    uint8_t *data = (uint8_t *)tc.run + WW_PAGE_SIZE;

    R->rax = 0x41;
    R->rdx = 0x3f8;
    /* out dx, al; out 0xe9, al; in al, 0x60; in ax, dx */
    CORE_LOAD(0xee, 0xe6, 0xe9, 0xe4, 0x60, 0xed);
    cr_assert_eq(core_run(10), X86_EXITED);
    cr_assert_eq(tc.run->exit_reason, KVM_EXIT_IO);
    cr_assert_eq(tc.run->io.direction, KVM_EXIT_IO_OUT);
    cr_assert_eq(tc.run->io.port, 0x3f8);
    cr_assert_eq(tc.run->io.size, 1);
    cr_assert_eq(tc.run->io.data_offset, WW_PAGE_SIZE);
    cr_assert_eq(data[0], 0x41);
    cr_assert_eq(R->rip, 0x1001);
    cr_assert_eq(core_run(10), X86_EXITED);
    cr_assert_eq(tc.run->io.port, 0xe9);
    cr_assert_eq(core_run(10), X86_EXITED);
    cr_assert_eq(tc.run->io.direction, KVM_EXIT_IO_IN);
    cr_assert_eq(tc.run->io.port, 0x60);
    data[0] = 0x99;                 /* the VMM's answer */
    cr_assert_eq(core_run(10), X86_EXITED);
    cr_assert_eq(R->rax & 0xff, 0x99, "the IN completed on the next run");
    cr_assert_eq(tc.run->io.size, 2);
    data[0] = 0x34;
    data[1] = 0x12;
    cr_assert_eq(core_run(1), X86_BUDGET);
    cr_assert_eq(R->rax & 0xffff, 0x1234);
}

Test(exec, hlt_stays_halted)
{
    CORE_LOAD(0xf4);
    cr_assert_eq(core_run(5), X86_EXITED);
    cr_assert_eq(tc.run->exit_reason, KVM_EXIT_HLT);
    cr_assert_eq(R->rip, 0x1001);
    cr_assert_eq(core_run(5), X86_EXITED);
    cr_assert_eq(tc.run->exit_reason, KVM_EXIT_HLT);
    cr_assert_eq(tc.cpu.instructions, 1);
}

Test(exec, mmio_read_completes_and_write_exits)
{
    set_seg(&S->ds, CORE_MMIO >> 4);
    R->rbx = 0x10;
    /* mov ax, [bx]; mov [bx+4], ax; hlt */
    CORE_LOAD(0x8b, 0x07, 0x89, 0x47, 0x04, 0xf4);
    cr_assert_eq(core_run(10), X86_EXITED);
    cr_assert_eq(tc.run->exit_reason, KVM_EXIT_MMIO);
    cr_assert_eq(tc.run->mmio.is_write, 0);
    cr_assert_eq(tc.run->mmio.phys_addr, CORE_MMIO + 0x10);
    cr_assert_eq(tc.run->mmio.len, 2);
    cr_assert_eq(R->rip, 0x1000, "the load is not done yet");
    tc.run->mmio.data[0] = 0xcd;
    tc.run->mmio.data[1] = 0xab;
    cr_assert_eq(core_run(10), X86_EXITED);
    cr_assert_eq(R->rax & 0xffff, 0xabcd);
    cr_assert_eq(tc.run->exit_reason, KVM_EXIT_MMIO);
    cr_assert_eq(tc.run->mmio.is_write, 1);
    cr_assert_eq(tc.run->mmio.phys_addr, CORE_MMIO + 0x14);
    cr_assert_eq(tc.run->mmio.data[0], 0xcd);
    cr_assert_eq(tc.run->mmio.data[1], 0xab);
    cr_assert_eq(R->rip, 0x1005, "the store is done");
    cr_assert_eq(tc.cpu.instructions, 2);
    /* a store to the read-only page exits too */
    set_seg(&S->ds, CORE_ROM >> 4);
    R->rip = 0x1000;
    CORE_LOAD(0xc6, 0x07, 0x01);
    cr_assert_eq(core_run(10), X86_EXITED);
    cr_assert_eq(tc.run->exit_reason, KVM_EXIT_MMIO);
    cr_assert_eq(tc.run->mmio.is_write, 1);
    cr_assert_eq(core_peek(CORE_ROM + 0x10, 1), 0);
}

Test(exec, bios_teletype_and_ivt)
{
    uint8_t *data = (uint8_t *)tc.run + WW_PAGE_SIZE;

    R->rsp = 0x8000;
    R->rax = 0x0e41;
    /* int 0x10 (AH 0e): an OUT of AL to COM1, IP past the int */
    CORE_LOAD(0xcd, 0x10, 0xcd, 0x21);
    cr_assert_eq(core_run(10), X86_EXITED);
    cr_assert_eq(tc.run->exit_reason, KVM_EXIT_IO);
    cr_assert_eq(tc.run->io.port, 0x3f8);
    cr_assert_eq(data[0], 0x41);
    cr_assert_eq(R->rip, 0x1002);
    /* int 0x21: nobody serves it */
    cr_assert_eq(core_run(10), X86_EXITED);
    cr_assert_eq(tc.run->exit_reason, KVM_EXIT_SHUTDOWN);
    cr_assert_eq(tc.cpu.fault.kind, X86_FAULT_NO_SERVICE);
    cr_assert_eq(tc.cpu.fault.vector, 0x21);
    cr_assert_eq(R->rip, 0x1002);
    /* a handler in the IVT: int 0x21 goes there, iret comes back */
    core_poke(0x21 * 4, 2, 0x0500);
    core_poke(0x21 * 4 + 2, 2, 0x0010);     /* 0010:0500 = 0x600 */
    core_poke(0x600, 1, 0x43);              /* inc bx */
    core_poke(0x601, 1, 0xcf);              /* iret */
    R->rflags = 0x2 | X86_IF | X86_CF;
    cr_assert_eq(core_run(1), X86_BUDGET);
    cr_assert_eq(S->cs.selector, 0x10);
    cr_assert_eq(R->rip, 0x500);
    cr_assert_eq(R->rflags & X86_IF, 0, "IF cleared in the handler");
    cr_assert_eq(core_run(2), X86_BUDGET);
    cr_assert_eq(S->cs.selector, 0);
    cr_assert_eq(R->rip, 0x1004);
    cr_assert_eq(R->rbx, 1);
    cr_assert(R->rflags & X86_IF);
    cr_assert(R->rflags & X86_CF);
    cr_assert_eq(R->rsp, 0x8000);
}

Test(exec, divide_error_without_handler_shuts_down)
{
    R->rax = 1;
    R->rbx = 0;
    CORE_LOAD(0xf6, 0xf3);              /* div bl */
    cr_assert_eq(core_run(10), X86_EXITED);
    cr_assert_eq(tc.run->exit_reason, KVM_EXIT_SHUTDOWN);
    cr_assert_eq(tc.cpu.fault.kind, X86_FAULT_EXCEPTION);
    cr_assert_eq(tc.cpu.fault.vector, 0);
    cr_assert_eq(R->rip, 0x1000);
}

Test(exec, far_jump_and_unknown_opcode)
{
    /* jmp 0x0200:0x0010 (linear 0x2010); there: ud2 */
    CORE_LOAD(0xea, 0x10, 0x00, 0x00, 0x02);
    core_poke(0x2010, 2, 0x0b0f);
    cr_assert_eq(core_run(10), X86_EXITED);
    cr_assert_eq(S->cs.selector, 0x200);
    cr_assert_eq(S->cs.base, 0x2000);
    cr_assert_eq(tc.run->exit_reason, KVM_EXIT_SHUTDOWN);
    cr_assert_eq(tc.cpu.fault.kind, X86_FAULT_OPCODE);
    cr_assert_eq(tc.cpu.fault.ip, 0x10);
    cr_assert_eq(tc.cpu.fault.bytes[0], 0x0f);
    cr_assert_eq(tc.cpu.fault.bytes[1], 0x0b);
    cr_assert_eq(tc.cpu.fault.nbytes, 4);
    cr_assert_eq(tc.cpu.instructions, 1);
}

Test(exec, fetch_from_mmio_is_an_internal_error)
{
    set_seg(&S->cs, CORE_MMIO >> 4);
    R->rip = 0;
    cr_assert_eq(core_run(10), X86_EXITED);
    cr_assert_eq(tc.run->exit_reason, KVM_EXIT_INTERNAL_ERROR);
    cr_assert_eq(tc.run->internal.suberror, KVM_INTERNAL_ERROR_EMULATION);
    cr_assert_eq(tc.cpu.fault.kind, X86_FAULT_FETCH);
}

Test(exec, flags_instructions)
{
    /* stc; pushf; clc; popf; lahf; cmc; sahf */
    R->rsp = 0x8000;
    CORE_LOAD(0xf9, 0x9c, 0xf8, 0x9d, 0x9f, 0xf5, 0x9e);
    cr_assert_eq(core_run(4), X86_BUDGET);
    cr_assert(R->rflags & X86_CF, "popf restored CF");
    cr_assert_eq(core_run(1), X86_BUDGET);
    cr_assert_eq((R->rax >> 8) & 0xff, 0x03, "lahf: CF and the fixed bit");
    cr_assert_eq(core_run(2), X86_BUDGET);
    cr_assert(R->rflags & X86_CF, "sahf put CF back");
}

Test(exec, cmov_and_rflags_fixed_bit)
{
    R->rbx = 7;
    R->rflags = 0x2 | X86_ZF;
    CORE_LOAD(0x0f, 0x44, 0xc3, 0x0f, 0x45, 0xcb);  /* cmove ax,bx; cmovne cx,bx */
    cr_assert_eq(core_run(2), X86_BUDGET);
    cr_assert_eq(R->rax, 7);
    cr_assert_eq(R->rcx, 0);
    /* RFLAGS bit 1 clear: the entry fails, as on KVM */
    R->rflags = 0;
    cr_assert_eq(core_run(2), X86_EXITED);
    cr_assert_eq(tc.run->exit_reason, KVM_EXIT_FAIL_ENTRY);
}

Test(exec, cpuid_rdtsc_vmcall_exits)
{
    R->rax = 0x40000000;
    CORE_LOAD(0x0f, 0xa2, 0x0f, 0x31, 0x0f, 0x01, 0xc1);
    cr_assert_eq(core_run(10), X86_EXITED);
    cr_assert_eq(tc.run->exit_reason, WW_EXIT_CPUID);
    cr_assert_eq(tc.run->cpuid.function, 0x40000000);
    tc.run->cpuid.ebx = 0x4b4d564b;
    cr_assert_eq(core_run(10), X86_EXITED);
    cr_assert_eq(R->rbx, 0x4b4d564b);
    cr_assert_eq(tc.run->exit_reason, WW_EXIT_RDTSC);
    tc.run->rdtsc.tsc = 0x100000002ull;
    R->rax = 5;
    cr_assert_eq(core_run(10), X86_EXITED);
    cr_assert_eq(R->rdx, 1);
    cr_assert_eq(tc.run->exit_reason, KVM_EXIT_HYPERCALL);
    cr_assert_eq(tc.run->hypercall.nr, 2, "RAX as rdtsc left it");
    tc.run->hypercall.ret = 0;
    cr_assert_eq(core_run(1), X86_BUDGET);
    cr_assert_eq(R->rax, 0);
}

Test(exec, xlat_les_lds)
{
    core_poke(0x2000 + 5, 1, 0x99);
    core_poke(0x3000, 4, 0x12340020);       /* 1234:0020 */
    R->rbx = 0x2000;
    R->rax = 5;
    R->rsi = 0x3000;
    /* xlat; les di, [si]; lds cx, [si] */
    CORE_LOAD(0xd7, 0xc4, 0x3c, 0xc5, 0x0c);
    cr_assert_eq(core_run(3), X86_BUDGET);
    cr_assert_eq(R->rax & 0xff, 0x99);
    cr_assert_eq(R->rdi, 0x20);
    cr_assert_eq(S->es.selector, 0x1234);
    cr_assert_eq(S->es.base, 0x12340);
    cr_assert_eq(R->rcx, 0x20);
    cr_assert_eq(S->ds.selector, 0x1234);
}

Test(exec, far_indirect_call_and_retf)
{
    R->rsp = 0x8000;
    core_poke(0x3000, 4, 0x02000010);       /* 0200:0010 = 0x2010 */
    core_poke(0x2010, 1, 0xcb);             /* retf */
    /* call far [0x3000]; hlt */
    CORE_LOAD(0xff, 0x1e, 0x00, 0x30, 0xf4);
    cr_assert_eq(core_run(1), X86_BUDGET);
    cr_assert_eq(S->cs.selector, 0x200);
    cr_assert_eq(R->rip, 0x10);
    cr_assert_eq(core_peek(0x7ffc, 2), 0x1004, "return IP");
    cr_assert_eq(core_peek(0x7ffe, 2), 0, "return CS");
    cr_assert_eq(core_run(1), X86_BUDGET);
    cr_assert_eq(S->cs.selector, 0);
    cr_assert_eq(R->rip, 0x1004);
    cr_assert_eq(R->rsp, 0x8000);
    /* jmp far [0x3000] */
    R->rip = CORE_CODE;
    CORE_LOAD(0xff, 0x2e, 0x00, 0x30);
    cr_assert_eq(core_run(1), X86_BUDGET);
    cr_assert_eq(S->cs.selector, 0x200);
    cr_assert_eq(R->rip, 0x10);
    cr_assert_eq(R->rsp, 0x8000);
}

Test(exec, enter_levels)
{
    /* enter 8, 0 is push bp; mov bp, sp; sub sp, 8 */
    R->rsp = 0x8000;
    R->rbp = 0x9000;
    CORE_LOAD(0xc8, 0x08, 0x00, 0x00);
    cr_assert_eq(core_run(1), X86_BUDGET);
    cr_assert_eq(core_peek(0x7ffe, 2), 0x9000);
    cr_assert_eq(R->rbp, 0x7ffe);
    cr_assert_eq(R->rsp, 0x7ffe - 8);
    /* enter 4, 2: the outer frame pointer at [BP-2] is copied too */
    core_setup();
    R->rsp = 0x8000;
    R->rbp = 0x9000;
    core_poke(0x9000 - 2, 2, 0xabcd);
    CORE_LOAD(0xc8, 0x04, 0x00, 0x02);
    cr_assert_eq(core_run(1), X86_BUDGET);
    cr_assert_eq(core_peek(0x7ffe, 2), 0x9000, "old BP");
    cr_assert_eq(core_peek(0x7ffc, 2), 0xabcd, "the display: [BP-2]");
    cr_assert_eq(core_peek(0x7ffa, 2), 0x7ffe, "the new frame");
    cr_assert_eq(R->rbp, 0x7ffe);
    cr_assert_eq(R->rsp, 0x7ffa - 4);
}
