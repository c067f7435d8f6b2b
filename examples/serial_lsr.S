/* serial_lsr.S - a polite COM1 driver: reads LSR before every THR write */
/*
 * The subset has no test, and or cmp, so the guest cannot isolate the THRE
 * bit.  It checks what it can with inc/dec and ZF: that LSR reads exactly
 * THRE|TEMT (0x60, transmitter idle, no byte received), counting AX down 0x60
 * times with loop and retrying with jnz otherwise.  A UART that kept DR set
 * would make it spin here, which is what polling means.
 *
 * Nor is there an indexed load: mov al, [moffs16] is the only load.  The
 * string therefore holds one character per 16-byte paragraph, and the guest
 * walks it by moving DS one paragraph at a time (inc bx; mov ds, bx).
 */
	.code16
	.intel_syntax noprefix
	.equ MSG_LEN, 11		/* characters in msg */

	.text
	.globl _start
_start:
	mov bx, 0x7c0 + (msg - _start) / 16	/* DS of the first character */
	mov si, MSG_LEN
next_char:
	mov dx, 0x3fd		/* LSR */
poll:
	mov ah, 0
	in al, dx
	mov cx, 0x60		/* THRE | TEMT */
count_down:
	dec ax
	loop count_down
	jnz poll		/* AX != 0x60: not idle, read LSR again */
	mov ds, bx
	mov al, ds:0		/* the character of this paragraph */
	mov dx, 0x3f8		/* THR */
	out dx, al
	inc bx
	dec si
	jnz next_char
	hlt

/* one character per paragraph */
	.macro para c
	.balign 16, 0
	.byte \c
	.endm

	.balign 16, 0
msg:
	para 'L'
	para 'S'
	para 'R'
	para ' '
	para 'p'
	para 'o'
	para 'l'
	para 'l'
	para 'e'
	para 'd'
	para '\n'
