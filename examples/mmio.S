/* mmio.S - a load and a store past the end of a 1 MiB guest: MMIO exits */
/*
 * With DS = 0xFFFF, offset 0x10 is linear 0x100000, the first byte above
 * 1 MiB (the HMA): no memory slot backs it in a 1 MiB VM, so the load and
 * the store each exit to the VMM as KVM_EXIT_MMIO.  The VMM answers a read
 * with 0xff bytes.  AH is 0xff too, so AX = 0xffff and inc ax sets ZF: that
 * is how the guest checks the answer without cmp.
 */
	.code16
	.intel_syntax noprefix

	.macro putc c
	mov al, \c
	out dx, al
	.endm

	.text
	.globl _start
_start:
	mov ax, 0xffff
	mov ds, ax
	mov al, ds:0x10		/* load from 0x100000: MMIO read */
	mov ds:0x20, al		/* store to 0x100010: MMIO write */
	mov dx, 0x3f8
	inc ax
	jnz unexpected		/* the read did not return 0xff */
	putc 'm'
	putc 'm'
	putc 'i'
	putc 'o'
	putc ' '
	putc 'o'
	putc 'k'
	putc '\n'
	hlt
unexpected:
	putc 'm'
	putc 'm'
	putc 'i'
	putc 'o'
	putc ' '
	putc '?'
	putc '\n'
	hlt
