/* vmcall.S - bonus: a known hypercall (RAX 0) and an unknown one (-KVM_ENOSYS) */
/*
 * KVM_HC_VAPIC_POLL_IRQ (1) is a known number and returns 0; 99 is not and
 * returns -1000 (0x...fc18).  The guest sends AL after each call to the
 * debug port 0x80 (0x00, then 0x18), which the VMM drops: the trace shows
 * both results.
 */
	.code16
	.intel_syntax noprefix
	.text
	.globl _start
_start:
	mov ax, 1		/* KVM_HC_VAPIC_POLL_IRQ */
	vmcall
	out 0x80, al
	mov ax, 99		/* not a KVM_HC_* number */
	vmcall
	out 0x80, al
	hlt
