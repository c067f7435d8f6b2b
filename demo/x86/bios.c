/* bios.c - interrupts in real mode: the guest's IVT, else a minimal BIOS
 *
 * The VMM loads no BIOS image, so the IVT at guest-physical 0 starts empty
 * (or is not RAM at all).  An int whose IVT entry the guest has filled goes
 * there, as on hardware.  Otherwise the core plays the BIOS for the one
 * service small guests use, int 0x10 teletype output: the character goes to
 * COM1 as an OUT to 0x3f8, the way SeaBIOS's serial console (sercon) shows
 * the text screen on a serial line, so the VMM sees an ordinary IO exit.
 * Anything else stops the guest with SHUTDOWN and says which vector or
 * function was missing.
 */
#include "core.h"
#include "alu.h"

#define BIOS_VIDEO      0x10
#define COM1_THR        0x3f8

/* The guest's handler for vector, if the IVT is RAM and the entry is set */
static bool ivt_entry(struct x86_cpu *cpu, uint8_t vector, uint16_t *seg,
                      uint16_t *off)
{
    uint8_t b[4];
    unsigned i;

    for (i = 0; i < 4; i++) {
        const uint8_t *p = ept_translate(cpu->ept, (uint64_t)vector * 4 + i,
                                         EPT_READ);

        if (p == NULL)
            return false;
        b[i] = *p;
    }
    *off = (uint16_t)(b[0] | b[1] << 8);
    *seg = (uint16_t)(b[2] | b[3] << 8);
    return *off != 0 || *seg != 0;
}

/* int 0x10: AH selects the function */
static enum x86_step bios_video(struct x86_cpu *cpu, uint64_t ip,
                                uint64_t next)
{
    uint8_t ah = (uint8_t)reg_get(cpu, REG_AX + 4, 1);

    switch (ah) {
    case 0x0e:                  /* teletype output of AL */
        cpu->vcpu->regs.rip = next;
        return exit_io(cpu, KVM_EXIT_IO_OUT, COM1_THR, 1,
                       reg_get(cpu, REG_AX, 1));
    case 0x00: case 0x01: case 0x02: case 0x05:
        return X86_NEXT;        /* mode, cursor shape, position, page */
    case 0x03:                  /* cursor at 0,0, default shape */
        reg_set(cpu, REG_DX, 2, 0);
        reg_set(cpu, REG_CX, 2, 0x0607);
        return X86_NEXT;
    case 0x0f:                  /* 80-column text mode 3, page 0 */
        reg_set(cpu, REG_AX, 2, 0x5003);
        reg_set(cpu, REG_BX + 4, 1, 0);
        return X86_NEXT;
    default:
        return exit_fault(cpu, X86_FAULT_BIOS_FUNCTION, ip, BIOS_VIDEO, ah);
    }
}

enum x86_step bios_interrupt(struct x86_cpu *cpu, uint8_t vector,
                             uint64_t ip, uint64_t *next, bool is_exception)
{
    uint64_t ret = is_exception ? ip : *next;
    uint32_t flags = (uint32_t)cpu->vcpu->regs.rflags;
    uint16_t seg, off;

    if (ivt_entry(cpu, vector, &seg, &off)) {
        if (stack_push(cpu, 2, flags & 0xffff) == X86_EXIT ||
            stack_push(cpu, 2, cpu->vcpu->sregs.cs.selector) == X86_EXIT ||
            stack_push(cpu, 2, (uint32_t)ret) == X86_EXIT)
            return X86_EXIT;
        cpu->vcpu->regs.rflags &= ~(uint64_t)(X86_IF | X86_TF);
        seg_load(cpu, SEG_CS, seg);
        *next = off;
        return X86_NEXT;
    }
    if (!is_exception && vector == BIOS_VIDEO)
        return bios_video(cpu, ip, *next);
    return exit_fault(cpu, is_exception ? X86_FAULT_EXCEPTION
                                        : X86_FAULT_NO_SERVICE,
                      ip, vector, 0);
}
