/* supervisor.c - the harness's main: runs the items in workers it forks,
 * enforces each item's timeout, and reports every verdict to the grader
 *
 *   harness --serve --results-fd FD --seed N [--fuzz ITER:MIN:MAX]
 *           [--sysfilter off|notify|kill] [--oracle-reference]
 *           [--lang en|fr --localedir DIR] ITEM...
 *   ITEM: T:name:timeout_ms  or  E:name:arg:expected:timeout_ms
 *
 * One valgrind process runs the whole grade (valgrind follows fork), so a
 * crash, a hang or an exit() in one test costs a new worker, not a new
 * valgrind.  A worker's BEGIN/END records carry a token drawn here, after
 * the harness started; the verdict of an item is the worker's END record,
 * or the supervisor's own when the worker died, hung or exited without one.
 *
 * The worker shares its address space with the submission, so what it says
 * is checked here before it goes on: a record must carry the token and come
 * in order (BEGIN k, END k, BEGIN k+1 ... DONE), an END only counts once the
 * worker has reached its next step (the next BEGIN, or DONE and a clean
 * exit), its fields are read one by one and written again (nothing it sends
 * reaches the grader as is), and the board it shares is copied and bounded
 * before use.  The supervisor adds what it sees itself: the worker's exit,
 * its timeout, and an output flood (the output file growing past
 * WW_OUTPUT_FLOOD, checked while it waits).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "run.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <valgrind/valgrind.h>

#include "proto.h"

struct ww_board *ww_board;

static const struct { const char *name; ww_test_fn *fn; } registry[] = {
#define WW_TEST(name, table) { #name, name },
#include "tests.def"
#undef WW_TEST
};

static int results_fd = -1;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void emit(const struct sbuf *rec)
{
	size_t off = 0;

	while (off < rec->len) {
		ssize_t n = write(results_fd, rec->buf + off, rec->len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			exit(2);        /* the grader went away */
		off += (size_t)n;
	}
}

static void emit_line(struct sbuf *rec)
{
	sbuf_add(rec, "\n", 1);
	emit(rec);
	sbuf_release(rec);
}

/* The size of the output file. */
static uint64_t output_size(int out_fd)
{
	struct stat st;

	return fstat(out_fd, &st) == 0 && st.st_size > 0 ? (uint64_t)st.st_size : 0;
}

/* How long the supervisor waits before it looks at the output again. */
#define WW_FLOOD_CHECK_MS 100

enum { READ_EOF = 0, READ_OK = 1, READ_TIMEOUT = -1, READ_FLOOD = -2 };

/* Reads exactly len bytes before deadline (ms, absolute).  Returns READ_OK
 * when read, READ_EOF on end of file, READ_TIMEOUT, or READ_FLOOD when the
 * output file passed WW_OUTPUT_FLOOD while it waited. */
static int read_full(int fd, void *buf, size_t len, uint64_t deadline, int out_fd)
{
	size_t off = 0;

	while (off < len) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint64_t now = now_ms(), wait;
		int r;
		ssize_t n;

		if (now >= deadline)
			return READ_TIMEOUT;
		wait = deadline - now < WW_FLOOD_CHECK_MS ? deadline - now : WW_FLOOD_CHECK_MS;
		r = poll(&p, 1, (int)wait);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0) {
			if (output_size(out_fd) > WW_OUTPUT_FLOOD)
				return READ_FLOOD;
			continue;
		}
		n = read(fd, (char *)buf + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return READ_EOF;
		off += (size_t)n;
	}
	return READ_OK;
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
	uint64_t end = output_size(out_fd);
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

/* Why the supervisor stopped a worker itself. */
enum stop {
	STOP_NONE,
	STOP_TIMEOUT,           /* the item's timeout */
	STOP_FLOOD,             /* the output passed WW_OUTPUT_FLOOD */
	STOP_FORGED,            /* not a record of the harness on its channel */
	STOP_DISORDER,          /* a record out of order */
	STOP_SILENT,            /* no BEGIN or DONE in time after an END */
};

/* The verdict of an item whose worker ended (status from waitpid) or was
 * stopped (why) before its END record. */
/* The timeouts so far: past max_timeouts the submission loops, and the
 * tests left would only wait out their time (report_loop_budget()). */
#define WW_TIMEOUT_NAMES 8
static unsigned ntimeouts, max_timeouts;
static const char *timeout_names[WW_TIMEOUT_NAMES];

/* Every item from cur on, not run: the budget of timeouts is spent. */
static void report_loop_budget(const struct ww_item *items, unsigned cur, unsigned n)
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
		proto_puts(&rec, "ev", "result");
		proto_putu(&rec, "item", cur);
		proto_puts(&rec, "name", items[cur].name);
		proto_puts(&rec, "status", "not_run");
		proto_putu(&rec, "ms", 0);
		proto_puts(&rec, "msg", sbuf_str(&msg));
		proto_putu(&rec, "budget", 1);
		emit_line(&rec);
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

static void report_abnormal(const struct ww_item *it, unsigned idx, int out_fd,
			    enum stop why, int wstatus, pid_t wpid, uint64_t ms,
			    uint64_t cpu_ms)
{
	struct sbuf rec = { 0 }, msg = { 0 };
	const char *status = "fail";
	uint64_t outbytes = output_size(out_fd);
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
	if (!strcmp(status, "timeout")) {
		if (ntimeouts < WW_TIMEOUT_NAMES)
			timeout_names[ntimeouts] = it->name;
		ntimeouts++;
	}
	proto_puts(&rec, "ev", "result");
	proto_putu(&rec, "item", idx);
	proto_puts(&rec, "name", it->name);
	proto_puts(&rec, "status", status);
	proto_putu(&rec, "ms", ms);
	proto_puts(&rec, "msg", sbuf_str(&msg));
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
	emit_line(&rec);
	sbuf_release(&msg);
}

/* The verdict the worker gave an item, field by field: a status it may
 * claim, its message, counts; nothing else of what it sent is passed on. */
static void forward_end(const struct ww_item *it, unsigned idx, const char *payload,
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
	if (!strcmp(status, "timeout")) {
		if (ntimeouts < WW_TIMEOUT_NAMES)
			timeout_names[ntimeouts] = it->name;
		ntimeouts++;
	}
	proto_puts(&rec, "ev", "result");
	proto_putu(&rec, "item", idx);
	proto_puts(&rec, "name", it->name);
	proto_puts(&rec, "status", st);
	proto_putu(&rec, "ms", ms);
	proto_puts(&rec, "msg", sbuf_str(&msg));
	proto_putu(&rec, "wpid", (unsigned long long)wpid);
	if ((v = proto_get(payload, "vgerr", NULL)) != NULL)
		proto_putu(&rec, "vgerr", strtoull(v, NULL, 10));
	free(v);
	proto_putu(&rec, "outbytes", outbytes);
	proto_put(&rec, "out", out ? out : "",
		  out ? (outlen < WW_OUTPUT_EXCERPT ? outlen : WW_OUTPUT_EXCERPT) : 0);
	emit_line(&rec);
	sbuf_release(&msg);
	free(status);
	free(m);
	free(out);
}

/* CPU time the worker (pid) has used, in ms; 0 if it cannot be read. */
static uint64_t worker_cpu_ms(pid_t pid)
{
	clockid_t cid;
	struct timespec ts;

	if (clock_getcpuclockid(pid, &cid) != 0 || clock_gettime(cid, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* An item's timeout is CPU time, so that a loaded machine (the pack's
 * validation grades several files at once) does not turn a slow start into
 * a timeout: when the wall-clock deadline passes before the worker has used
 * its CPU time, the deadline moves by what is left.  A worker that does not
 * use the CPU (blocked, or never scheduled) still times out at
 * WW_TIMEOUT_WALL_FACTOR times its timeout plus a second of wall clock.
 * Returns true when *deadline moved. */
#define WW_TIMEOUT_WALL_FACTOR 3
static bool extend_deadline(pid_t pid, const struct ww_item *it, uint64_t t0,
			    uint64_t cpu0, uint64_t *deadline)
{
	uint64_t now = now_ms(), used = worker_cpu_ms(pid);
	uint64_t cap = t0 + WW_TIMEOUT_WALL_FACTOR * (uint64_t)it->timeout_ms + 1000;

	used = used > cpu0 ? used - cpu0 : 0;
	if (used + 5 >= it->timeout_ms || now >= cap)
		return false;
	*deadline = now + (it->timeout_ms - used);
	if (*deadline > cap)
		*deadline = cap;
	return true;
}

static void kill_worker(pid_t pid)
{
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
}

static void reset_board(void)
{
	memset(ww_board, 0, sizeof(*ww_board));
}

/* An END the worker sent, held until the worker reaches its next step. */
struct held {
	bool      set;
	unsigned  item;
	char     *payload;
	uint64_t  ms;
};

static void held_forward(struct held *h, const struct ww_item *items, pid_t pid)
{
	if (!h->set)
		return;
	forward_end(&items[h->item], h->item, h->payload ? h->payload : "", pid, h->ms);
	free(h->payload);
	memset(h, 0, sizeof(*h));
}

/* The worker ended, was stopped (why) or stopped answering after an END
 * and before its next step: that END is not believed. */
static void held_refute(struct held *h, const struct ww_item *items, enum stop why,
			int wstatus, pid_t pid)
{
	struct sbuf rec = { 0 }, msg = { 0 };

	if (!h->set)
		return;
	if (why == STOP_FLOOD)
		sbuf_addf(&msg, H_("output flood: the test printed more than %u bytes, "
			  "stopped"), WW_OUTPUT_FLOOD);
	else if (why == STOP_FORGED || why == STOP_DISORDER)
		sbuf_addf(&msg, H_("the test process sent its verdict, then %s (a forged "
			  "verdict?): the test fails"), why == STOP_FORGED
			  ? H_("something that is not one of the harness's records")
			  : H_("a record out of order"));
	else
		sbuf_addf(&msg, H_("the test process %s right after sending its verdict, "
			  "before the harness's next step (a forged verdict, then an "
			  "exit?): the test fails"), why == STOP_SILENT ? H_("stopped answering")
			  : WIFSIGNALED(wstatus) ? H_("was killed") : H_("ended"));
	proto_puts(&rec, "ev", "result");
	proto_putu(&rec, "item", h->item);
	proto_puts(&rec, "name", items[h->item].name);
	proto_puts(&rec, "status", "fail");
	proto_putu(&rec, "ms", h->ms);
	proto_puts(&rec, "msg", sbuf_str(&msg));
	proto_putu(&rec, "abnormal", 1);
	proto_putu(&rec, "wpid", (unsigned long long)pid);
	emit_line(&rec);
	sbuf_release(&msg);
	free(h->payload);
	memset(h, 0, sizeof(*h));
}

/* Runs items[start..n) in one worker.  Returns the index to continue from
 * (n when all ran). */
static unsigned run_worker(const struct ww_item *items, unsigned n, unsigned start,
			   const struct ww_params *params, int out_fd)
{
	int pfd[2];
	uint64_t token = 0;
	pid_t pid;
	unsigned cur = start;
	bool begun = false, done = false;
	enum stop why = STOP_NONE;
	struct held held = { 0 };
	uint64_t t0 = now_ms(), deadline, cpu0 = 0, cpu_used = 0;
	int wstatus = 0;

	while (getrandom(&token, sizeof(token), 0) != sizeof(token))
		;
	if (pipe(pfd) < 0) {
		perror("harness: pipe");
		exit(2);
	}
	reset_board();
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		perror("harness: fork");
		exit(2);
	}
	if (pid == 0) {
		close(pfd[0]);
		close(results_fd);
		ww_worker_run(items, n, start, params, pfd[1], out_fd, token);
	}
	close(pfd[1]);
	setpgid(pid, pid);
	/* Under valgrind a fork costs tens of ms; a worker that does not start
	 * within this is broken, not slow. */
	deadline = now_ms() + 20000;
	for (;;) {
		struct ww_rec_hdr h;
		char *payload = NULL;
		int r = read_full(pfd[0], &h, sizeof(h), deadline, out_fd);

		if (r == READ_TIMEOUT && begun &&
		    extend_deadline(pid, &items[cur], t0, cpu0, &deadline))
			continue;
		if (r == READ_OK && (h.token != token || h.len > WW_REC_MAX)) {
			why = STOP_FORGED;
		} else if (r == READ_OK && h.len) {
			payload = malloc(h.len + 1);
			if (payload == NULL)
				exit(2);
			/* the header came: its payload follows in the same
			 * record, whatever is left of the test's deadline (a
			 * header just at the deadline is no timeout) */
			r = read_full(pfd[0], payload, h.len,
				      deadline > now_ms() + 1000 ? deadline : now_ms() + 1000,
				      out_fd);
			payload[h.len] = '\0';
			if (r == READ_EOF)
				why = STOP_FORGED;      /* a header without its payload */
		}
		if (r == READ_TIMEOUT)
			why = begun ? STOP_TIMEOUT : STOP_SILENT;
		else if (r == READ_FLOOD)
			why = STOP_FLOOD;
		if (begun)
			cpu_used = worker_cpu_ms(pid) - cpu0;
		if (why != STOP_NONE || r != READ_OK) {
			free(payload);
			if (why != STOP_NONE)
				kill_worker(pid);
			break;
		}
		if (h.kind == WW_REC_BEGIN && h.item == cur && !begun) {
			/* the worker reached its next step: its last END holds */
			held_forward(&held, items, pid);
			begun = true;
			t0 = now_ms();
			cpu0 = worker_cpu_ms(pid);
			deadline = t0 + items[cur].timeout_ms;
		} else if (h.kind == WW_REC_END && h.item == cur && begun) {
			held.set = true;
			held.item = cur;
			held.payload = payload;
			held.ms = now_ms() - t0;
			payload = NULL;
			begun = false;
			cur++;
			deadline = now_ms() + 20000;
		} else if (h.kind == WW_REC_DONE && !begun && cur == n) {
			done = true;
			free(payload);
			break;
		} else {
			why = STOP_DISORDER;
			free(payload);
			kill_worker(pid);
			break;
		}
		free(payload);
	}
	close(pfd[0]);
	while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	/* The last END holds only if the worker then said DONE and exited 0. */
	if (done && WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0)
		held_forward(&held, items, pid);
	else
		held_refute(&held, items, why, wstatus, pid);
	if (begun) {
		report_abnormal(&items[cur], cur, out_fd, why, wstatus, pid,
				now_ms() - t0, cpu_used);
		cur++;
	} else if (cur < n && cur == start) {
		/* Died between items without starting one: do not loop. */
		report_abnormal(&items[cur], cur, out_fd, why, wstatus, pid, 0, 0);
		cur++;
	}
	return cur;
}

static ww_test_fn *lookup(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(registry) / sizeof(registry[0]); i++)
		if (!strcmp(registry[i].name, name))
			return registry[i].fn;
	return NULL;
}

static int parse_item(char *arg, struct ww_item *it)
{
	char *f[6];
	int nf = 0;
	char *save = NULL, *tok;

	for (tok = strtok_r(arg, ":", &save); tok && nf < 6;
	     tok = strtok_r(NULL, ":", &save))
		f[nf++] = tok;
	if (nf == 3 && !strcmp(f[0], "T")) {
		it->kind = 'T';
		it->name = f[1];
		it->fn = lookup(f[1]);
		it->timeout_ms = (unsigned)strtoul(f[2], NULL, 10);
		return it->fn ? 0 : -1;
	}
	if (nf == 5 && !strcmp(f[0], "E")) {
		it->kind = 'E';
		it->name = f[1];
		it->fn = ww_edge_case;
		it->edge_arg = strtoull(f[2], NULL, 10);
		it->edge_expected = f[3];
		it->timeout_ms = (unsigned)strtoul(f[4], NULL, 10);
		return 0;
	}
	return -1;
}

static void usage(void)
{
	fputs("usage: harness --serve --results-fd FD --seed N "
	      "[--sysfilter off|notify|kill] [--fuzz ITER:MIN:MAX] "
	      "[--max-timeouts N] [--lang en|fr --localedir DIR] ITEM...\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	struct ww_params params = { 0, 100, 0, 4096, false, WW_SYSFILTER_OFF, 0 };
	struct ww_item *items;
	unsigned n = 0, cur = 0;
	struct sbuf hello = { 0 };
	int i, out_fd;
	const char *lang = NULL, *localedir = NULL;
	bool serve = false;

	items = calloc((size_t)argc, sizeof(*items));
	if (items == NULL)
		return 2;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--serve"))
			serve = true;
		else if (!strcmp(argv[i], "--results-fd") && i + 1 < argc)
			results_fd = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--sysfilter") && i + 1 < argc) {
			int m = ww_sysfilter_mode_parse(argv[++i]);

			if (m < 0)
				usage();
			params.sysfilter = (enum ww_sysfilter_mode)m;
		} else if (!strcmp(argv[i], "--oracle-reference"))
			params.oracle_reference = true;
		else if (!strcmp(argv[i], "--max-timeouts") && i + 1 < argc)
			max_timeouts = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--lang") && i + 1 < argc)
			lang = argv[++i];
		else if (!strcmp(argv[i], "--localedir") && i + 1 < argc)
			localedir = argv[++i];
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			params.seed = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--fuzz") && i + 1 < argc) {
			unsigned long long it, lo, hi;

			if (sscanf(argv[++i], "%llu:%llu:%llu", &it, &lo, &hi) != 3)
				usage();
			params.fuzz_iterations = (unsigned)it;
			params.fuzz_min = lo;
			params.fuzz_max = hi;
		} else if (argv[i][0] != '-') {
			if (parse_item(argv[i], &items[n]) < 0) {
				fprintf(stderr, "harness: unknown item '%s'\n", argv[i]);
				return 2;
			}
			n++;
		} else
			usage();
	}
	if (!serve || results_fd < 0)
		usage();
	if (ww_lang_init(lang, localedir) < 0) {
		fprintf(stderr, "harness: cannot speak '%s' with the catalogues of '%s'\n",
			lang, localedir ? localedir : "(none)");
		return 2;
	}
	signal(SIGPIPE, SIG_DFL);
	params.supervisor = getpid();
	ww_board = mmap(NULL, sizeof(*ww_board), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (ww_board == MAP_FAILED) {
		perror("harness: mmap");
		return 2;
	}
	out_fd = memfd_create("ww-output", 0);
	if (out_fd < 0) {
		perror("harness: memfd_create");
		return 2;
	}
	proto_puts(&hello, "ev", "hello");
	proto_putu(&hello, "pid", (unsigned long long)getpid());
	proto_putu(&hello, "valgrind", RUNNING_ON_VALGRIND ? 1 : 0);
	proto_puts(&hello, "sysfilter", ww_sysfilter_mode_name(params.sysfilter));
	emit_line(&hello);
	while (cur < n) {
		if (max_timeouts && ntimeouts >= max_timeouts) {
			report_loop_budget(items, cur, n);
			break;
		}
		cur = run_worker(items, n, cur, &params, out_fd);
	}
	{
		struct sbuf done = { 0 };

		proto_puts(&done, "ev", "done");
		emit_line(&done);
	}
	close(results_fd);
	close(out_fd);
	munmap(ww_board, sizeof(*ww_board));
	free(items);
	return 0;
}
