/* boot_hello.S - a hello-world boot sector printing through the BIOS */
/*
 * In the style of the bootloader tutorials: the BIOS loads the first
 * sector of the disk at 0000:7c00 and jumps there with DL = the drive;
 * the sector prints with int 0x10, AH = 0x0e (teletype), one character
 * per call, and ends with "jmp $" - it never halts, so the VMM's
 * instruction budget (-n) is what stops it.  The last two bytes are the
 * signature 55 aa the BIOS checks.
 *     bin/westworld -n 2000 --boot boot_hello.bin
 */
	.code16
	.intel_syntax noprefix
	.text
	.globl _start
_start:
	ljmp 0, offset start		/* CS:IP = 0000:7c00 whatever the BIOS did */
start:
	xor ax, ax
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov sp, 0x7c00
	cld
	mov [boot_drive], dl
	mov si, offset msg
	call print
	mov al, [boot_drive]		/* DL as the BIOS set it: 0x80 */
	call print_hex
	mov si, offset crlf
	call print
	jmp $

/* prints the NUL-terminated string at DS:SI */
print:
	pusha
	mov ah, 0x0e
	xor bx, bx			/* page 0 */
1:	lodsb
	test al, al
	jz 2f
	int 0x10
	jmp 1b
2:	popa
	ret

/* prints AL as two hex digits */
print_hex:
	push ax
	shr al, 4
	call print_nibble
	pop ax
	and al, 0x0f
print_nibble:
	add al, '0'
	cmp al, '9'
	jbe 1f
	add al, 'a' - '0' - 10
1:	mov ah, 0x0e
	int 0x10
	ret

msg:	.asciz "Hello from the boot sector! boot drive 0x"
crlf:	.asciz "\r\n"
boot_drive:
	.byte 0

	.org 510
	.byte 0x55, 0xaa
