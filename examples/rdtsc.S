/* rdtsc.S - bonus: the timing attack, rdtsc; cpuid; rdtsc */
/*
 * On real hardware CPUID always exits to the hypervisor, so the cycles
 * between the two RDTSC give a VM away.  The guest sends the low byte of
 * each reading to the debug port 0x80, which the VMM drops (the trace shows
 * it).  Leaf 0 is not a detection leaf: only the timing is suspicious.
 */
	.code16
	.intel_syntax noprefix
	.text
	.globl _start
_start:
	rdtsc
	out 0x80, al
	mov ax, 0		/* leaf 0 */
	mov cx, 0
	cpuid
	rdtsc
	out 0x80, al
	hlt
