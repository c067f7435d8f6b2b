/* supervisor_verdict.c - the records the supervisor sends the grader: an
 * item's verdict as the worker gave it (forward_end, field by field), or
 * the supervisor's own when the worker died, hung, flooded or forged
 * (report_abnormal: the message, the board's facts as fields: signal,
 * frames, exit midway, the timeout's evidence), and the items left out
 * once the budget of timeouts is spent (see supervisor.c for the protocol)
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "supervisor.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proto.h"

uint64_t ww_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void emit(const struct sbuf *rec)
{
	size_t off = 0;

	while (off < rec->len) {
		ssize_t n = write(ww_results_fd, rec->buf + off, rec->len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			exit(2);        /* the grader went away */
		off += (size_t)n;
	}
}

void ww_emit_line(struct sbuf *rec)
{
	sbuf_add(rec, "\n", 1);
	emit(rec);
	sbuf_release(rec);
}

/* The size of the output file. */
uint64_t ww_output_size(int out_fd)
{
	struct stat st;

	return fstat(out_fd, &st) == 0 && st.st_size > 0 ? (uint64_t)st.st_size : 0;
}

static const char *signame(int sig)
{
	switch (sig) {
	case SIGSEGV: return "SIGSEGV";
	case SIGBUS:  return "SIGBUS";
	case SIGFPE:  return "SIGFPE";
	case SIGILL:  return "SIGILL";
	case SIGABRT: return "SIGABRT";
	case SIGTRAP: return "SIGTRAP";
	case SIGSYS:  return "SIGSYS";
	case SIGKILL: return "SIGKILL";
	case SIGTERM: return "SIGTERM";
	case SIGXCPU: return "SIGXCPU";
	case SIGXFSZ: return "SIGXFSZ";
	case SIGPIPE: return "SIGPIPE";
	default:      return "signal";
	}
}

/* The board as the worker left it, copied once it is dead and made safe
 * to read: the submission could write anything there. */
static struct ww_board board;

static void board_snapshot(void)
{
	memcpy(&board, ww_board, sizeof(board));
	board.phase[sizeof(board.phase) - 1] = '\0';
	board.hint[sizeof(board.hint) - 1] = '\0';
	board.fail_kind[sizeof(board.fail_kind) - 1] = '\0';
	board.exit_func[sizeof(board.exit_func) - 1] = '\0';
	board.sig_where[sizeof(board.sig_where) - 1] = '\0';
	if (board.nframes < 0 || board.nframes > WW_BOARD_FRAMES)
		board.nframes = 0;
}

/* What the output file holds: its size, a note when it passed the cap,
 * and for an item the worker did not finish, its first bytes. */
static void add_output(struct sbuf *rec, int out_fd)
{
	char buf[WW_OUTPUT_EXCERPT];
	uint64_t end = ww_output_size(out_fd);
	ssize_t n = end > 0 ? pread(out_fd, buf, sizeof(buf), 0) : 0;

	proto_putu(rec, "outbytes", end);
	proto_put(rec, "out", buf, n > 0 ? (size_t)n : 0);
}

/* "; output capped: N bytes dropped" when total passed the cap. */
static void add_cap_note(struct sbuf *msg, uint64_t total)
{
	if (total > WW_OUTPUT_CAP)
		sbuf_addf(msg, H_("%soutput capped: %llu bytes dropped (the first %u kept)"),
			  msg->len ? "; " : "", (unsigned long long)(total - WW_OUTPUT_CAP),
			  WW_OUTPUT_CAP);
}

static void add_alloc_context(struct sbuf *msg)
{
	if (board.fail_k && board.fail_hit)
		sbuf_addf(msg, H_(", with allocation #%llu (%s at @{0x%llx}) made to fail"),
			  (unsigned long long)board.fail_k, board.fail_kind,
			  (unsigned long long)board.fail_site);
}

static void add_frames(struct sbuf *rec)
{
	struct sbuf f = { 0 };
	int i;

	if (board.sig_pc)
		sbuf_addf(&f, "0x%llx", (unsigned long long)board.sig_pc);
	for (i = 0; i < board.nframes; i++)
		sbuf_addf(&f, "%s0x%llx", f.len ? "," : "",
			  (unsigned long long)board.frames[i]);
	proto_puts(rec, "frames", sbuf_str(&f));
	sbuf_release(&f);
}

/* The timeouts so far: past max_timeouts the submission loops, and the
 * tests left would only wait out their time (ww_report_loop_budget()). */
#define WW_TIMEOUT_NAMES 8
static unsigned ntimeouts;
static const char *timeout_names[WW_TIMEOUT_NAMES];

/* A result record's first fields; a timeout claimed is counted (the
 * budget of timeouts, the names of the tests that spent it). */
static void result_head(struct sbuf *rec, const struct ww_item *it, unsigned idx,
			const char *claimed, const char *status, uint64_t ms,
			const struct sbuf *msg)
{
	if (claimed && !strcmp(claimed, "timeout")) {
		if (ntimeouts < WW_TIMEOUT_NAMES)
			timeout_names[ntimeouts] = it->name;
		ntimeouts++;
	}
	proto_puts(rec, "ev", "result");
	proto_putu(rec, "item", idx);
	proto_puts(rec, "name", it->name);
	proto_puts(rec, "status", status);
	proto_putu(rec, "ms", ms);
	proto_puts(rec, "msg", sbuf_str(msg));
}

/* Every item from cur on, not run: the budget of timeouts is spent. */
void ww_report_loop_budget(const struct ww_item *items, unsigned cur, unsigned n)
{
	struct sbuf names = { 0 };
	unsigned i;

	for (i = 0; i < ntimeouts && i < WW_TIMEOUT_NAMES; i++)
		sbuf_addf(&names, "%s%s", i ? ", " : "", timeout_names[i]);
	for (; cur < n; cur++) {
		struct sbuf rec = { 0 }, msg = { 0 };

		sbuf_addf(&msg, H_("not run: the submission already ran out of time in %u "
			  "tests (%s): something loops, and the tests left would only "
			  "wait out their time; fix that first"), ntimeouts,
			  sbuf_str(&names));
		result_head(&rec, &items[cur], cur, NULL, "not_run", 0, &msg);
		proto_putu(&rec, "budget", 1);
		ww_emit_line(&rec);
		sbuf_release(&msg);
	}
	sbuf_release(&names);
}

/* Where the CPU time of a timed-out item went, from the profiler's last
 * tick: the code it was in, and inside kvm_run() the guest's RIP and what
 * the vCPU did.  Inside a kvm_run() of the test, the hint follows from
 * these facts only; elsewhere the phase's hint stays.  The facts also
 * travel as fields (ev_*) for the grader. */
static void add_evidence(struct sbuf *msg, struct sbuf *rec)
{
	bool outside = board.guest_known && board.guest_mem_end &&
		       board.guest_rip >= board.guest_mem_end;

	sbuf_addf(msg, H_("; the CPU was in @{0x%llx} at the last sample"),
		  (unsigned long long)board.prof_pc);
	proto_putu(rec, "ev_pc", board.prof_pc);
	if (!board.guest_known) {       /* not while the test ran the vCPU */
		if (board.hint[0])
			sbuf_addf(msg, ": %s", board.hint);
		return;
	}
	proto_putu(rec, "ev_rip", board.guest_rip);
	proto_putu(rec, "ev_insns", board.guest_insns);
	proto_putu(rec, "ev_outside", outside);
	sbuf_addf(msg, H_(", running the vCPU: guest RIP 0x%llx (%s guest memory, which "
		  "ends at 0x%llx), %llu instructions retired and %llu exits taken "
		  "in this run, RIP changed in %llu of %llu samples"),
		  (unsigned long long)board.guest_rip, outside ? H_("past the end of") : H_("inside"),
		  (unsigned long long)board.guest_mem_end,
		  (unsigned long long)board.guest_insns,
		  (unsigned long long)board.guest_exits,
		  (unsigned long long)board.guest_rip_moves,
		  (unsigned long long)board.prof_samples);
	if (outside)
		sbuf_adds(msg, H_(": RIP ran past the end of guest memory without a "
			  "KVM_EXIT_FAIL_ENTRY"));
	else if (board.guest_exits > 1 && board.guest_exits >= board.guest_insns)
		sbuf_addf(msg, H_(": the vCPU exits again and again (the last exit: %s) and "
			  "the run loop enters it again each time: %s"),
			  ww_exit_name(board.guest_exit_reason),
			  board.guest_exit_reason == KVM_EXIT_HLT ?
			  H_("a HLT that does not stop the run loop?") :
			  H_("an exit the loop should stop on, or complete?"));
	else if (board.guest_insns == 0)
		sbuf_adds(msg, H_(": no instruction retired, so the loop is in your "
			  "code around the guest, not in the guest's code"));
	else if (board.guest_rip_moves == 0)
		sbuf_adds(msg, H_(": instructions retire but RIP stays put, so one "
			  "instruction runs again and again (does its handler advance RIP?)"));
	else
		sbuf_adds(msg, H_(": the guest keeps running without an exit to the VMM "
			  "(an instruction that should exit, such as HLT or OUT, does not?)"));
}

/* The verdict of an item whose worker ended (status from waitpid) or was
 * stopped (why) before its END record. */
void ww_report_abnormal(const struct ww_item *it, unsigned idx, int out_fd,
			    enum stop why, int wstatus, pid_t wpid, uint64_t ms,
			    uint64_t cpu_ms)
{
	struct sbuf rec = { 0 }, msg = { 0 };
	const char *status = "fail";
	uint64_t outbytes = ww_output_size(out_fd);
	bool midexit = false;           /* it exited before the test ended */

	board_snapshot();
	if (why == STOP_TIMEOUT && cpu_ms < it->timeout_ms / 2) {
		/* the wall-clock cap of extend_deadline(): it waited, not ran */
		status = "timeout";
		sbuf_addf(&msg, H_("timeout after %llu ms of wall clock in %s, having used "
			  "%llu ms of CPU time (blocked, or waiting?)"),
			  (unsigned long long)ms, board.phase, (unsigned long long)cpu_ms);
		add_alloc_context(&msg);
	} else if (why == STOP_TIMEOUT) {
		status = "timeout";
		sbuf_addf(&msg, H_("timeout after %u ms of CPU time in %s"), it->timeout_ms,
			  board.phase);
		add_alloc_context(&msg);
		if (board.prof_samples)
			add_evidence(&msg, &rec);
		else if (board.hint[0])
			sbuf_addf(&msg, ": %s", board.hint);
	} else if (why == STOP_FLOOD) {
		sbuf_addf(&msg, H_("output flood in %s: the test printed more than %u bytes, "
			  "stopped"), board.phase, WW_OUTPUT_FLOOD);
	} else if (why == STOP_FORGED) {
		sbuf_addf(&msg, H_("the test process wrote to the harness's record channel "
			  "something that is not one of its records, in %s (a forged "
			  "verdict?): the test fails"), board.phase);
	} else if (why == STOP_DISORDER) {
		sbuf_addf(&msg, H_("the test process sent the harness's records out of order, "
			  "in %s (a forged verdict?): the test fails"), board.phase);
	} else if (why == STOP_SILENT) {
		sbuf_addf(&msg, H_("the test process did not start the test, in %s"),
			  board.phase);
	} else if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == WW_EXIT_UNARMED) {
		status = "not_run";
		sbuf_addf(&msg, H_("not run: the sandbox could not be set up (%s)"), board.phase);
	} else if (WIFSIGNALED(wstatus)) {
		int sig = WTERMSIG(wstatus);

		status = "crash";
		sbuf_addf(&msg, H_("%s in %s"), signame(sig), board.phase);
		add_alloc_context(&msg);
		if (board.sig == sig && (sig == SIGSEGV || sig == SIGBUS)) {
			sbuf_addf(&msg, H_(": invalid access to 0x%llx"),
				  (unsigned long long)board.sig_addr);
			if (board.sig_where[0])
				sbuf_addf(&msg, ", %s", board.sig_where);
			else if (board.sig_addr < 4096)
				sbuf_adds(&msg, H_(" (a NULL pointer dereferenced)"));
		}
		if (board.sig == sig)
			sbuf_adds(&msg, ", @{frames}");
	} else if (board.exit_called) {
		midexit = true;
		sbuf_addf(&msg, H_("the submission called %s(%d) at @{0x%llx} in the "
			  "middle of the test, in %s: a test that does not finish "
			  "does not pass"), board.exit_func, board.exit_status,
			  (unsigned long long)board.exit_site, board.phase);
	} else {
		midexit = true;
		sbuf_addf(&msg, H_("the test process ended with status %d in the middle "
			  "of the test, in %s (an exit that bypassed the C library?): "
			  "a test that does not finish does not pass"),
			  WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1, board.phase);
	}
	add_cap_note(&msg, outbytes);
	result_head(&rec, it, idx, status, status, ms, &msg);
	proto_putu(&rec, "abnormal", 1);
	proto_putu(&rec, "wpid", (unsigned long long)wpid);
	proto_puts(&rec, "phase", board.phase);
	/* the facts behind the message, for the grader to read as fields */
	if (why == STOP_NONE && WIFSIGNALED(wstatus))
		proto_putu(&rec, "sig", (unsigned long long)WTERMSIG(wstatus));
	if (midexit)
		proto_putu(&rec, "midexit", 1);
	if (why == STOP_NONE && WIFSIGNALED(wstatus) && board.sig == WTERMSIG(wstatus))
		add_frames(&rec);
	add_output(&rec, out_fd);
	ww_emit_line(&rec);
	sbuf_release(&msg);
}

/* The verdict the worker gave an item, field by field: a status it may
 * claim, its message, counts; nothing else of what it sent is passed on. */
void ww_forward_end(const struct ww_item *it, unsigned idx, const char *payload,
			pid_t wpid, uint64_t ms)
{
	static const char *const claims[] = { "pass", "fail", "leak", "memory_error",
					      "not_run" };
	struct sbuf rec = { 0 }, msg = { 0 };
	char *status = proto_get(payload, "status", NULL);
	char *m = proto_get(payload, "msg", NULL), *v;
	const char *st = "fail";
	size_t outlen = 0, i;
	char *out = proto_get(payload, "out", &outlen);
	unsigned long long outbytes = 0;

	for (i = 0; status && i < sizeof(claims) / sizeof(claims[0]); i++)
		if (!strcmp(status, claims[i]))
			st = claims[i];
	if ((v = proto_get(payload, "outbytes", NULL)) != NULL)
		outbytes = strtoull(v, NULL, 10);
	free(v);
	if (m && m[0])
		sbuf_adds(&msg, m);
	else if (strcmp(st, claims[0]) && status == NULL)
		sbuf_adds(&msg, H_("the test process sent a verdict without a status"));
	add_cap_note(&msg, outbytes);
	result_head(&rec, it, idx, status, st, ms, &msg);
	proto_putu(&rec, "wpid", (unsigned long long)wpid);
	if ((v = proto_get(payload, "vgerr", NULL)) != NULL)
		proto_putu(&rec, "vgerr", strtoull(v, NULL, 10));
	free(v);
	proto_putu(&rec, "outbytes", outbytes);
	proto_put(&rec, "out", out ? out : "",
		  out ? (outlen < WW_OUTPUT_EXCERPT ? outlen : WW_OUTPUT_EXCERPT) : 0);
	ww_emit_line(&rec);
	sbuf_release(&msg);
	free(status);
	free(m);
	free(out);
}

unsigned ww_ntimeouts(void)
{
	return ntimeouts;
}
