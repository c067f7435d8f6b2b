/* hi.S - the "Hi!\n" guest of section 5.7: four OUTs to COM1, then HLT */
	.code16
	.intel_syntax noprefix
	.text
	.globl _start
_start:
	mov dx, 0x3f8		/* COM1 THR */
	mov al, 'H'
	out dx, al
	mov al, 'i'
	out dx, al
	mov al, '!'
	out dx, al
	mov al, '\n'
	out dx, al
	hlt
