/* profile.c - what a kvm_run() that does not return is doing
 *
 * Every kvm_run() and dolores_wakes_up() of the tests goes through
 * ww_kvm_run() or ww_dolores_wakes_up() (harness.h), which
 * records the vCPU and the end of its guest memory; the worker's SIGPROF
 * handler then samples the vCPU's RIP and counters onto the board, so that
 * a timeout says where the CPU time went (the guest's RIP, the instructions
 * retired, whether RIP moved) instead of guessing.
 */
#include "harness.h"

#include <signal.h>
#include <valgrind/valgrind.h>

#undef kvm_run
#undef dolores_wakes_up

static KvmVcpu *volatile watched;
static uint64_t insns0, exits0;

void ww_prof_guest(void)
{
	KvmVcpu *v = watched;
	uint64_t rip;

	if (v == NULL) {
		ww_board->guest_known = false;
		return;
	}
	/* the profiler's reads are no finding of the submission's (a vCPU
	 * block too small is, where the tests and the submission read it) */
	VALGRIND_DISABLE_ERROR_REPORTING;
	rip = v->regs.rip;
	if (ww_board->guest_known && rip != ww_board->guest_rip)
		ww_board->guest_rip_moves++;
	ww_board->guest_rip = rip;
	ww_board->guest_insns = v->instructions - insns0;
	ww_board->guest_exits = v->exits - exits0;
	ww_board->guest_exit_reason = v->kvm_run ? v->kvm_run->exit_reason : 0;
	VALGRIND_ENABLE_ERROR_REPORTING;
	ww_board->guest_known = true;
}

static void watch(KvmVcpu *vcpu)
{
	if (vcpu == NULL)
		return;
	VALGRIND_DISABLE_ERROR_REPORTING;
	if (vcpu->vm == NULL) {
		VALGRIND_ENABLE_ERROR_REPORTING;
		return;
	}
	insns0 = vcpu->instructions;
	exits0 = vcpu->exits;
	ww_board->guest_mem_end = vcpu->vm->guest_phys_addr + vcpu->vm->memory_size;
	VALGRIND_ENABLE_ERROR_REPORTING;
	ww_board->guest_known = false;
	ww_board->guest_rip_moves = 0;
	watched = vcpu;
}

int ww_kvm_run(KvmVcpu *vcpu)
{
	int r;

	watch(vcpu);
	r = kvm_run(vcpu);
	watched = NULL;
	return r;
}

int ww_dolores_wakes_up(WestworldHost *host)
{
	int r;

	if (host != NULL)
		watch(host->brain);
	r = dolores_wakes_up(host);
	watched = NULL;
	return r;
}
