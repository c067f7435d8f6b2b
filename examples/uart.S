/* uart.S - COM1 driven as a driver does: reset, divisor latch, LCR, LSR */
/*
 * The 16550 set up the way the osdev serial tutorials do it: interrupts
 * off, DLAB on to program the divisor (3: 38400 baud), 8N1 with DLAB off,
 * FIFO on and cleared, RTS/DSR set; the scratch register written and read
 * back to see that a UART is there.  Then each byte waits for LSR's THRE
 * (bit 5) before it goes to THR.
 */
	.code16
	.intel_syntax noprefix
	.equ COM1, 0x3f8

	.text
	.globl _start
_start:
	xor ax, ax
	mov ds, ax
	mov ss, ax
	mov sp, 0x7c00
	mov dx, COM1 + 1		/* IER: no interrupts */
	xor al, al
	out dx, al
	mov dx, COM1 + 3		/* LCR: DLAB on */
	mov al, 0x80
	out dx, al
	mov dx, COM1 + 0		/* DLL: divisor 3 */
	mov al, 3
	out dx, al
	mov dx, COM1 + 1		/* DLM */
	xor al, al
	out dx, al
	mov dx, COM1 + 3		/* LCR: 8 bits, no parity, 1 stop, DLAB off */
	mov al, 0x03
	out dx, al
	mov dx, COM1 + 2		/* FCR: FIFO on, cleared, 14-byte threshold */
	mov al, 0xc7
	out dx, al
	mov dx, COM1 + 4		/* MCR: DTR, RTS, OUT2 */
	mov al, 0x0b
	out dx, al
	mov dx, COM1 + 7		/* SCR: is a UART there? */
	mov al, 0xae
	out dx, al
	in al, dx
	cmp al, 0xae
	jne no_uart
	mov si, offset msg
next:
	lodsb
	or al, al
	jz done
	mov ah, al
	mov dx, COM1 + 5		/* LSR */
wait_thre:
	in al, dx
	test al, 0x20
	jz wait_thre
	mov al, ah
	mov dx, COM1
	out dx, al
	jmp next
done:
	hlt
no_uart:
	mov dx, 0xe9			/* the debug console says why */
	mov al, '?'
	out dx, al
	hlt

msg:	.asciz "UART at 38400 8N1, THRE polled\n"
