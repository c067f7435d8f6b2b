/* worker.c - runs the tests one after the other, in a process of its own
 *
 * The supervisor forks a worker and the worker runs items from a given one
 * to the last.  Before each item it says BEGIN, after it END with the
 * verdict its checks, the allocation tracker and valgrind's client requests
 * give.  The submission's output goes to a file the supervisor can read even
 * after the worker died.  A fatal signal is described on the board (address,
 * mapping it hit, stack) before the worker dies of it.
 *
 * Before the first item the worker arms the sandbox's system call filter
 * (sysfilter.h): from then on the submission cannot start a process, open a
 * file or signal another process, even without the C library.  What the
 * harness needs after that point is opened before it.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "run.h"

#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/time.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <ucontext.h>
#include <unistd.h>
#include <valgrind/memcheck.h>

#include "proto.h"
#include "sysfilter.h"

static int rec_fd = -1;
static int statm_fd = -1;       /* /proc/self/statm, opened before the filter */
static uint64_t rec_token;

void ww_phase(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ww_board->phase, sizeof(ww_board->phase), ww_tr(fmt), ap);
	va_end(ap);
	ww_board->hint[0] = '\0';
}

void ww_hint(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ww_board->hint, sizeof(ww_board->hint), ww_tr(fmt), ap);
	va_end(ap);
}

static void vfail(struct ww_test *t, bool leak, const char *fmt, va_list ap)
{
	if (t->failed)
		return;
	t->failed = true;
	t->leak = leak;
	vsnprintf(t->msg, sizeof(t->msg), ww_tr(fmt), ap);
}

void ww_fail(struct ww_test *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(t, false, fmt, ap);
	va_end(ap);
}

void ww_fail_leak(struct ww_test *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(t, true, fmt, ap);
	va_end(ap);
}

size_t ww_output(char *buf, size_t cap, size_t *total)
{
	off_t end;
	ssize_t n;

	fflush(stdout);
	end = lseek(STDOUT_FILENO, 0, SEEK_END);
	if (total)
		*total = end > 0 ? (size_t)end : 0;
	if (cap == 0 || end <= 0)
		return 0;
	n = pread(STDOUT_FILENO, buf, cap, 0);
	return n > 0 ? (size_t)n : 0;
}

uint64_t ww_rss(void)
{
	unsigned long long size = 0, resident = 0;
	char buf[128];
	ssize_t n = statm_fd >= 0 ? pread(statm_fd, buf, sizeof(buf) - 1, 0) : -1;

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if (sscanf(buf, "%llu %llu", &size, &resident) != 2)
		resident = 0;
	return (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE);
}

static void send_rec(uint32_t kind, uint32_t item, const struct sbuf *payload)
{
	struct ww_rec_hdr h = { rec_token, kind, item, 0, 0 };
	size_t len = payload ? payload->len : 0;
	char *buf;
	size_t off = 0;

	if (len > WW_REC_MAX)
		len = WW_REC_MAX;
	h.len = (uint32_t)len;
	buf = malloc(sizeof(h) + len);
	if (buf == NULL)
		_exit(125);
	memcpy(buf, &h, sizeof(h));
	if (len)
		memcpy(buf + sizeof(h), payload->buf, len);
	while (off < sizeof(h) + len) {
		ssize_t n = write(rec_fd, buf + off, sizeof(h) + len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(125);
		off += (size_t)n;
	}
	free(buf);
}

/* ---- fatal signals -------------------------------------------------------- */

static void on_fatal(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	void *frames[WW_BOARD_FRAMES];
	int i, n;

	ww_board->sig = sig;
	ww_board->sig_addr = (uint64_t)(uintptr_t)si->si_addr;
	ww_board->sig_pc = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
	n = backtrace(frames, WW_BOARD_FRAMES);
	for (i = 0; i < n; i++)
		ww_board->frames[i] = (uint64_t)(uintptr_t)frames[i];
	ww_board->nframes = n;
	if (sig == SIGSEGV || sig == SIGBUS)
		ww_alloc_where(ww_board->sig_addr, ww_board->sig_where,
			       sizeof(ww_board->sig_where));
	signal(sig, SIG_DFL);
	raise(sig);
}

/* ---- the profiler: where an item's CPU time goes ------------------------- */

static void on_prof(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	(void)sig;
	(void)si;
	ww_board->prof_samples++;
	ww_board->prof_pc = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
	ww_prof_guest();
}

static void prof_arm(bool on)
{
	struct itimerval it = { { 0, WW_PROF_MS * 1000 }, { 0, WW_PROF_MS * 1000 } };

	if (!on)
		memset(&it, 0, sizeof(it));
	setitimer(ITIMER_PROF, &it, NULL);
}

static const int fatal_sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS };

#define NFATAL (sizeof(fatal_sigs) / sizeof(fatal_sigs[0]))

static void install_handlers(void)
{
	static char altstack[64 * 1024];
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
	struct sigaction sa;
	void *warm[2];
	size_t i;

	sigaltstack(&ss, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fatal;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < NFATAL; i++)
		sigaction(fatal_sigs[i], &sa, NULL);
	/* backtrace() loads the unwinder on first use: not in a handler. */
	backtrace(warm, 2);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);
	sa.sa_sigaction = on_prof;
	sa.sa_flags = SA_SIGINFO | SA_RESTART | SA_ONSTACK;
	sigaction(SIGPROF, &sa, NULL);
}

/* The first fatal signal whose handler is no longer the harness's (the
 * submission installed its own, without the C library: the wrappers block
 * signal() and sigaction()), or 0.  A handler the harness reset after a
 * signal is its own business: SA_RESETHAND only acts when the worker dies. */
static int handler_replaced(void)
{
	size_t i;

	for (i = 0; i < NFATAL; i++) {
		struct sigaction cur;

		if (sigaction(fatal_sigs[i], NULL, &cur) == 0 &&
		    (!(cur.sa_flags & SA_SIGINFO) || cur.sa_sigaction != on_fatal))
			return fatal_sigs[i];
	}
	return 0;
}

/* ---- one item --------------------------------------------------------------- */

static const char *item_status(const struct ww_test *t, size_t leaks,
			       unsigned long vgerr)
{
	if (t->skipped)
		return "not_run";
	if (t->failed)
		return t->leak ? "leak" : "fail";
	if (ww_violations_count())
		return "fail";
	if (ww_errors_count() || vgerr)
		return "memory_error";
	if (leaks)
		return "leak";
	return "pass";
}

static void run_item(const struct ww_item *it, unsigned idx,
		     const struct ww_params *params)
{
	struct ww_test *t = calloc(1, sizeof(*t));
	char *leakmsg = malloc(2048);
	char *out = malloc(WW_OUTPUT_EXCERPT);
	struct sbuf rec = { 0 }, msg = { 0 };
	unsigned long vgerr0, vgerr;
	uint64_t mark;
	size_t leaks, outlen, outtotal;
	const char *status;
	int replaced;

	if (t == NULL || leakmsg == NULL || out == NULL)
		_exit(125);
	ww_board->item = idx;
	ww_phase("starting %s", it->name);
	ww_board->fail_k = 0;
	fflush(stdout);
	if (ftruncate(STDOUT_FILENO, 0) == 0)
		lseek(STDOUT_FILENO, 0, SEEK_SET);
	send_rec(WW_REC_BEGIN, idx, NULL);
	VALGRIND_PRINTF("ww-begin %u %s\n", idx, it->name);

	t->seed = params->seed;
	t->fuzz_iterations = params->fuzz_iterations;
	t->fuzz_min = params->fuzz_min;
	t->fuzz_max = params->fuzz_max;
	t->oracle_reference = params->oracle_reference;
	t->edge_arg = it->edge_arg;
	t->edge_expected = it->edge_expected;

	ww_errors_reset();
	vgerr0 = VALGRIND_COUNT_ERRORS;
	mark = ww_alloc_mark();

	ww_board->prof_samples = 0;
	ww_board->guest_known = false;
	prof_arm(true);
	it->fn(t);
	prof_arm(false);

	ww_alloc_fail_at(0);
	ww_phase("checking what %s left behind", it->name);
	leaks = ww_alloc_leaks(mark, leakmsg, 2048);
	ww_alloc_reclaim(mark);
	/* No valgrind leak check per item: every allocation and mapping the
	 * submission can make goes through the wrappers, whose tracker sees
	 * what is still held (still reachable included), which is more than
	 * valgrind's definitely lost; the scan cost a sixth of a grade. */
	vgerr = VALGRIND_COUNT_ERRORS - vgerr0;
	status = item_status(t, leaks, vgerr);
	replaced = handler_replaced();
	if (replaced)
		status = "fail";
	VALGRIND_PRINTF("ww-end %u\n", idx);

	if (replaced)
		sbuf_addf(&msg, H_("the submission replaced the grader's handler of signal %d "
			  "(with a system call made without the C library)"), replaced);
	if (t->failed || t->skipped)
		sbuf_addf(&msg, "%s%s", msg.len ? "; " : "", t->msg);
	if (ww_errors_count()) {
		sbuf_addf(&msg, "%s%s", msg.len ? H_("; also: ") : "", ww_errors_first());
		if (ww_errors_count() > 1)
			sbuf_addf(&msg, H_(" (and %u more)"), ww_errors_count() - 1);
	}
	if (leaks && !t->failed)
		sbuf_addf(&msg, H_("%sleak: %s"), msg.len ? "; " : "", leakmsg);
	if (vgerr)
		sbuf_addf(&msg, H_("%svalgrind reported %lu memory error%s"),
			  msg.len ? "; " : "", vgerr, vgerr > 1 ? "s" : "");

	outlen = ww_output(out, WW_OUTPUT_EXCERPT, &outtotal);
	proto_puts(&rec, "status", status);
	proto_puts(&rec, "msg", sbuf_str(&msg));
	proto_putu(&rec, "vgerr", vgerr);
	proto_putu(&rec, "outbytes", outtotal);
	proto_put(&rec, "out", out, outlen);
	send_rec(WW_REC_END, idx, &rec);
	sbuf_release(&rec);
	sbuf_release(&msg);
	free(out);
	free(leakmsg);
	free(t);
}

void ww_worker_run(const struct ww_item *items, unsigned n, unsigned start,
		   const struct ww_params *params, int fd, int out_fd,
		   uint64_t token)
{
	unsigned i;

	rec_fd = fd;
	rec_token = token;
	setpgid(0, 0);
	if (out_fd != STDOUT_FILENO) {
		dup2(out_fd, STDOUT_FILENO);
		dup2(out_fd, STDERR_FILENO);
		close(out_fd);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* Nothing a test starts outlives the supervisor, even without bwrap. */
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (getppid() != params->supervisor)
		_exit(125);     /* it died before the line above */
	statm_fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	install_handlers();
	if (ww_sysfilter_arm(params->sysfilter) < 0) {
		snprintf(ww_board->phase, sizeof(ww_board->phase),
			 H_("arming the system call filter (%s mode): %s"),
			 ww_sysfilter_mode_name(params->sysfilter), strerror(errno));
		_exit(WW_EXIT_UNARMED);
	}
	for (i = start; i < n; i++)
		run_item(&items[i], i, params);
	send_rec(WW_REC_DONE, n, NULL);
	_exit(0);
}
