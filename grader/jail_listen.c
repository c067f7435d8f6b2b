/* jail_listen.c - the seccomp listener: let the harness through, stop a
 * worker's forbidden call and record it */
#include "jail_int.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

/* Up to cap - 1 bytes of the string at addr in pid's memory. */
static void read_string(pid_t pid, uint64_t addr, char *out, size_t cap)
{
	struct iovec local = { out, cap - 1 }, remote = { (void *)(uintptr_t)addr, cap - 1 };
	ssize_t n;

	out[0] = '\0';
	if (addr == 0) {
		snprintf(out, cap, "NULL");
		return;
	}
	/* A string may end before a page it does not reach: read it page by
	 * page when the whole read fails. */
	n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
	if (n <= 0) {
		size_t room = 4096 - (size_t)(addr & 4095);

		if (room < cap - 1) {
			local.iov_len = remote.iov_len = room;
			n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
		}
	}
	out[n > 0 ? (size_t)n : 0] = '\0';
	out[cap - 1] = '\0';
}

/* The string as a C literal, control bytes escaped, at most 200 bytes. */
static void quote(struct sbuf *sb, const char *s)
{
	size_t i;

	sbuf_adds(sb, "\"");
	for (i = 0; s[i] && i < 200; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			sbuf_addf(sb, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			sbuf_addf(sb, "\\x%02x", c);
		else
			sbuf_add(sb, (const char *)&c, 1);
	}
	sbuf_adds(sb, s[i] ? "...\"" : "\"");
}

/* A signal's target as the worker meant it. */
static void describe_target(struct sbuf *sb, long target, pid_t parent_ns)
{
	if (target == 0)
		sbuf_adds(sb, "0 (its process group)");
	else if (target == -1)
		sbuf_adds(sb, "-1 (every process it may signal)");
	else if (target < 0)
		sbuf_addf(sb, "%ld (a process group)", target);
	else if (target == parent_ns)
		sbuf_addf(sb, "%ld (its parent, the harness's supervisor)", target);
	else
		sbuf_addf(sb, "%ld", target);
}

static char *describe_call(const struct seccomp_notif *req, const struct ww_syscall *sc,
			   pid_t parent_ns)
{
	struct sbuf sb = { 0 };
	const __u64 *a = req->data.args;

	if (sc == NULL) {
		sbuf_addf(&sb, "system call %d", (int)req->data.nr);
		return sb.buf;
	}
	sbuf_addf(&sb, "%s(", sc->name);
	if (sc->patharg >= 0) {
		char path[256];

		read_string((pid_t)req->pid, a[sc->patharg], path, sizeof(path));
		quote(&sb, path);
	} else if (sc->rule == WW_SYSRULE_SELF) {
		int sig = (int)(sc->nr == SYS_tgkill || sc->nr == SYS_rt_tgsigqueueinfo
				? a[2] : a[1]);
		const char *abbrev = sigabbrev_np(sig);

		describe_target(&sb, (long)(int)a[0], parent_ns);
		if (abbrev)
			sbuf_addf(&sb, ", SIG%s", abbrev);
		else
			sbuf_addf(&sb, ", %d", sig);
	} else if (sc->nr == SYS_ioctl) {
		sbuf_addf(&sb, "%d, 0x%llx", (int)a[0], (unsigned long long)a[1]);
	} else if (sc->nr == SYS_clone) {
		sbuf_addf(&sb, "flags 0x%llx", (unsigned long long)a[0]);
	} else if (sc->nr == SYS_socket) {
		sbuf_addf(&sb, "%d, %d, %d", (int)a[0], (int)a[1], (int)a[2]);
	}
	sbuf_addf(&sb, ") (%s)", sc->what);
	return sb.buf;
}

/* Whether a watched call of an armed worker may go on. */
static bool allowed(const struct seccomp_notif *req, const struct ww_syscall *sc,
		    const struct jail_pstatus *ps)
{
	long target = (long)(int)req->data.args[0];

	if (sc == NULL)
		return false;
	switch (sc->rule) {
	case WW_SYSRULE_THREAD:
		return (req->data.args[0] & 0x00010000) != 0;  /* CLONE_THREAD */
	case WW_SYSRULE_SELF:
		/* tkill names a thread; the others a process (thread group) */
		return sc->nr == SYS_tkill ? target == ps->nspid : target == ps->nstgid;
	default:
		return false;
	}
}

static void respond(int listener, uint64_t id, int error, bool cont)
{
	struct seccomp_notif_resp resp;

	memset(&resp, 0, sizeof(resp));
	resp.id = id;
	resp.error = cont ? 0 : -error;
	resp.flags = cont ? SECCOMP_USER_NOTIF_FLAG_CONTINUE : 0;
	ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

void jail_service(struct jail *j)
{
	struct seccomp_notif req;
	const struct ww_syscall *sc;
	struct jail_pstatus ps, parent;
	pid_t parent_ns = 0;
	char *call;

	memset(&req, 0, sizeof(req));
	if (ioctl(j->listener, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
		return;         /* the caller died meanwhile */
	sc = ww_syscall_find(req.data.nr);
	if (jail_proc_status((pid_t)req.pid, &ps) < 0) {
		respond(j->listener, req.id, EPERM, false);
		return;
	}
	/* Not a worker: bwrap, valgrind starting, the supervisor. */
	if (ps.filters < j->filters_base + 2 || allowed(&req, sc, &ps)) {
		respond(j->listener, req.id, 0, true);
		return;
	}
	if (jail_proc_status(ps.ppid, &parent) == 0)
		parent_ns = parent.nspid;
	call = describe_call(&req, sc, parent_ns);
	/* Stop it before anything else runs: the call never happens.  The id
	 * check makes sure req.pid is still that process (not a new one). */
	if (ioctl(j->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &req.id) == 0)
		kill((pid_t)req.pid, SIGKILL);
	respond(j->listener, req.id, EPERM, false);
	j->v = xrealloc(j->v, (j->nv + 1) * sizeof(*j->v));
	j->v[j->nv].nspid = ps.nspid;
	j->v[j->nv].name = xstrdup(sc ? sc->name : "syscall");
	j->v[j->nv].call = call;
	j->nv++;
}

const struct jail_violation *jail_violation_of(const struct jail *j, pid_t nspid)
{
	size_t i;

	for (i = 0; i < j->nv; i++)
		if (j->v[i].nspid == nspid)
			return &j->v[i];
	return NULL;
}
