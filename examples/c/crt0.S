/* crt0.S - the start of the C guest: segments, a stack, main(), hlt */
/*
 * gcc -m16 compiles for a 32-bit CPU running 16-bit code: its functions
 * return with retl (66 c3), so main is called with calll, and its stack
 * frames use ESP and EBP whole, so ESP's upper half must be 0.
 */
	.code16
	.section .text.start, "ax"
	.globl _start
_start:
	cli
	xor %ax, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov $0x7c00, %esp		/* the stack grows down from the code */
	calll main
	mov %al, %bl			/* main's value, for the trace */
1:	hlt
	jmp 1b
