/* session.h - one run of a guest: the vCPU loop, its exits, its trace
 *
 * The loop of dolores_wakes_up(), with the demo's CPU core (demo/x86/) in
 * the place of kvm_run(): x86_run() on the host's vCPU, then the exit to
 * the VMM.  Port 0xe9 is the VMM's debug console; every other exit goes to
 * ford_says_freeze() (the UART, MMIO, hypercalls, CPUID, RDTSC, HLT and
 * the fatal exits).  Prints the session from "=== Dolores wakes up ===" to
 * the exit summary.
 */
#ifndef WW_SESSION_H
#define WW_SESSION_H

#include "options.h"
#include "hypervisor_sim.h"

/* WW_OK if the guest halted, WW_GUEST_FAILED otherwise */
int session_run(WestworldHost *host, const struct options *o);

#endif /* WW_SESSION_H */
