/* lwn.S - the guest of LWN's "Using the KVM API" (2015), byte for byte */
/*
 * The article maps one 4 KiB slot at guest-physical 0x1000, loads this
 * code there, sets RIP = 0x1000, AL = 2 and BL = 2, and its VMM prints the
 * byte of every OUT to 0x3f8: "4\n".  Here:
 *     bin/westworld -s 0x1000:0x1000 -a 0x1000 -r al=2,bl=2 lwn.bin
 * It is written in AT&T syntax, as the article prints it.
 */
	.code16
	.text
	.globl _start
_start:
	mov $0x3f8, %dx
	add %bl, %al
	add $'0', %al
	out %al, (%dx)
	mov $'\n', %al
	out %al, (%dx)
	hlt
