/* sysfilter.c - the sandbox's seccomp filters, built from sysfilter.def */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "sysfilter.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if !defined(__x86_64__)
#error "the sandbox's filters are written for x86-64"
#endif

#define WW_RULE_deny   WW_SYSRULE_DENY
#define WW_RULE_thread WW_SYSRULE_THREAD
#define WW_RULE_nosys  WW_SYSRULE_NOSYS
#define WW_RULE_self   WW_SYSRULE_SELF
#define WW_RULE_prctl  WW_SYSRULE_PRCTL

static const struct ww_syscall table[] = {
#define WW_SYSCALL(name, rule, patharg, what) \
	{ __NR_##name, #name, WW_RULE_##rule, patharg, what },
#include "sysfilter.def"
#undef WW_SYSCALL
};

#define NTABLE (sizeof(table) / sizeof(table[0]))

const struct ww_syscall *ww_syscall_find(long nr)
{
	size_t i;

	for (i = 0; i < NTABLE; i++)
		if (table[i].nr == nr)
			return &table[i];
	return NULL;
}

static const char *const mode_names[] = { "off", "notify", "kill" };

const char *ww_sysfilter_mode_name(enum ww_sysfilter_mode mode)
{
	return (unsigned)mode < 3 ? mode_names[mode] : "?";
}

int ww_sysfilter_mode_parse(const char *s)
{
	int i;

	for (i = 0; i < 3; i++)
		if (!strcmp(s, mode_names[i]))
			return i;
	return -1;
}

#define X32_SYSCALL_BIT 0x40000000u
#define ARG0_LOW offsetof(struct seccomp_data, args[0])    /* little endian */

/* Room for the table plus the fixed parts. */
static struct sock_filter prog_buf[NTABLE + 32];

void ww_sysfilter_build(enum ww_filter_kind kind, pid_t self, struct sock_fprog *prog)
{
	struct sock_filter *f = prog_buf;
	unsigned n = 0, i, first, deny_at, nosys_at, thread_at, self_at, prctl_at, bad_at;
	unsigned action = kind == WW_FILTER_LISTEN ? SECCOMP_RET_USER_NOTIF
						   : SECCOMP_RET_KILL_PROCESS;
	unsigned ncmp = kind == WW_FILTER_MARK ? 0 : (unsigned)NTABLE;

	/* Offsets of the blocks that follow the comparisons (jumps only go
	 * forward, at most 255 instructions: one shared block per rule). */
	first = 4;
	deny_at = first + ncmp + 1;     /* after the comparisons and "allow" */
	nosys_at = deny_at + 1;
	thread_at = nosys_at + 1;       /* 4 instructions */
	self_at = thread_at + 4;        /* 4 */
	prctl_at = self_at + 4;         /* 4 */
	bad_at = prctl_at + 4;

	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, arch));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64,
					      0, (unsigned char)(bad_at - 2));
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, nr));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT,
					      (unsigned char)(bad_at - 4), 0);
	for (i = 0; i < ncmp; i++) {
		unsigned to;

		switch (table[i].rule) {
		case WW_SYSRULE_NOSYS:  to = nosys_at; break;
		case WW_SYSRULE_THREAD: to = thread_at; break;
		case WW_SYSRULE_SELF:   to = kind == WW_FILTER_KILL ? self_at : deny_at; break;
		case WW_SYSRULE_PRCTL:  to = prctl_at; break;
		default:                to = deny_at; break;
		}
		f[n] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
						    (unsigned)table[i].nr,
						    (unsigned char)(to - n - 1), 0);
		n++;
	}
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	/* deny_at */
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, action);
	/* nosys_at */
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
					      SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA));
	/* thread_at: clone(flags, ...) */
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG0_LOW);
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_THREAD, 0, 1);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, action);
	/* self_at: kill(pid, ...), tgkill(tgid, ...): the low 32 bits, as the
	 * kernel reads a pid_t */
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG0_LOW);
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)self, 0, 1);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, action);
	/* prctl_at */
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG0_LOW);
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PR_SET_SECCOMP, 0, 1);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, action);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	/* bad_at: a 32-bit (int $0x80) or x32 call, which the tables above do
	 * not number */
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	prog->len = (unsigned short)n;
	prog->filter = f;
}

int ww_sysfilter_arm(enum ww_sysfilter_mode mode)
{
	struct sock_fprog prog;

	if (mode == WW_SYSFILTER_OFF)
		return 0;
	ww_sysfilter_build(mode == WW_SYSFILTER_KILL ? WW_FILTER_KILL : WW_FILTER_MARK,
			   getpid(), &prog);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
}
