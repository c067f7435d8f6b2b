/* machine.h - the guest's machine: a host, its memory map, the guest loaded
 *
 * The host is the exercise's (ford_creates_host(), from the bonus
 * reference): its UART, its VM's memory and its EPT.  The memory map the
 * user describes (slots, read-only slots, MMIO holes) is made with the
 * contract's own EPT calls: the VM's memory backs guest-physical addresses
 * from 0 up to the last slot, and ept_map() maps only the pages of the
 * slots, outside the holes.  A page the EPT does not map is MMIO, for the
 * CPU core (demo/x86/) exactly as for KVM.
 */
#ifndef WW_MACHINE_H
#define WW_MACHINE_H

#include "options.h"
#include "hypervisor_sim.h"

/* Reads the guest (or the boot sector), creates the host, maps the memory,
 * loads the guest and sets the registers (-r last).  NULL after printing
 * why on stderr. */
WestworldHost *machine_create(const struct options *o);

/* Whether gpa is RAM in o's memory map (a slot, not a hole) */
bool machine_is_ram(const struct options *o, uint64_t gpa);

#endif /* WW_MACHINE_H */
