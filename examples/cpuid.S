/* cpuid.S - bonus: the guest asks CPUID leaf 1 whether it runs on a hypervisor */
/*
 * Leaf 1 returns the "hypervisor present" flag in ECX bit 31.  The subset
 * has no 32-bit operand prefix, so the guest cannot look at ECX's upper
 * half (nor ask for leaf 0x40000000): the VMM's trace shows the answer.  The
 * guest reports the low byte of EAX (family/model/stepping) on the debug
 * port 0x80, which the VMM drops.
 */
	.code16
	.intel_syntax noprefix
	.text
	.globl _start
_start:
	mov ax, 1		/* leaf 1; EAX's upper half is 0 at reset */
	mov cx, 0		/* subleaf 0 */
	cpuid
	out 0x80, al
	hlt
