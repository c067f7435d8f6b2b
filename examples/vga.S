/* vga.S - text on the VGA screen at 0xb8000, an MMIO hole: every cell exits */
/*
 * The way tutorials print before they have a console: character and
 * attribute words stored at B800:0000.  Run with the text buffer declared
 * as an MMIO hole (--mmio 0xb8000:0x8000), each stosw is a write the VMM
 * sees as KVM_EXIT_MMIO (len 2: the character, then 0x1f, white on blue);
 * the VMM has no VGA behind it, so the trace is the screen.  A read of a
 * cell comes back 0xffff (open bus).
 */
	.code16
	.intel_syntax noprefix
	.text
	.globl _start
_start:
	xor ax, ax
	mov ds, ax
	mov ax, 0xb800
	mov es, ax
	xor di, di
	cld
	mov si, offset msg
	mov ah, 0x1f			/* white on blue */
next:
	lodsb
	test al, al
	jz done
	stosw				/* MMIO write of one cell */
	jmp next
done:
	mov bx, es:[0]			/* MMIO read: the VMM answers 0xffff */
	mov dx, 0xe9
	mov al, 'v'
	out dx, al
	mov al, bh
	cmp al, 0xff
	mov al, '?'
	jne 1f
	mov al, '\n'
1:	out dx, al
	hlt

msg:	.asciz "VGA"
