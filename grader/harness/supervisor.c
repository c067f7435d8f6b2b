/* supervisor.c - the harness's main: runs the items in workers it forks,
 * enforces each item's timeout, and reports every verdict to the grader
 *
 *   harness --serve --results-fd FD --seed N [--fuzz ITER:MIN:MAX]
 *           [--oracle-reference] ITEM...
 *   ITEM: T:name:timeout_ms  or  E:name:arg:expected:timeout_ms
 *
 * One valgrind process runs the whole grade (valgrind follows fork), so a
 * crash, a hang or an exit() in one test costs a new worker, not a new
 * valgrind.  A worker's BEGIN/END records carry a token drawn here, after
 * the harness started; the verdict of an item is the worker's END record,
 * or the supervisor's own when the worker died, hung or exited without one.
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
#include <sys/random.h>
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

/* Reads exactly len bytes before deadline (ms, absolute).  Returns 1 when
 * read, 0 on end of file, -1 on timeout. */
static int read_full(int fd, void *buf, size_t len, uint64_t deadline)
{
	size_t off = 0;

	while (off < len) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint64_t now = now_ms();
		int r;
		ssize_t n;

		if (now >= deadline)
			return -1;
		r = poll(&p, 1, (int)(deadline - now));
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			return -1;
		n = read(fd, (char *)buf + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		off += (size_t)n;
	}
	return 1;
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

/* The output the worker left in out_fd, for an item it did not finish. */
static void add_output(struct sbuf *rec, int out_fd)
{
	char buf[WW_OUTPUT_EXCERPT];
	off_t end = lseek(out_fd, 0, SEEK_END);
	ssize_t n = end > 0 ? pread(out_fd, buf, sizeof(buf), 0) : 0;

	proto_putu(rec, "outbytes", end > 0 ? (unsigned long long)end : 0);
	proto_put(rec, "out", buf, n > 0 ? (size_t)n : 0);
}

static void add_alloc_context(struct sbuf *msg)
{
	if (ww_board->fail_k && ww_board->fail_hit)
		sbuf_addf(msg, ", with allocation #%llu (%s at @{0x%llx}) made to fail",
			  (unsigned long long)ww_board->fail_k, ww_board->fail_kind,
			  (unsigned long long)ww_board->fail_site);
}

static void add_frames(struct sbuf *rec)
{
	struct sbuf f = { 0 };
	int i;

	if (ww_board->sig_pc)
		sbuf_addf(&f, "0x%llx", (unsigned long long)ww_board->sig_pc);
	for (i = 0; i < ww_board->nframes && i < WW_BOARD_FRAMES; i++)
		sbuf_addf(&f, "%s0x%llx", f.len ? "," : "",
			  (unsigned long long)ww_board->frames[i]);
	proto_puts(rec, "frames", sbuf_str(&f));
	sbuf_release(&f);
}

/* The verdict of an item whose worker ended (status from waitpid) or hung
 * (timed_out) before its END record. */
static void report_abnormal(const struct ww_item *it, unsigned idx, int out_fd,
			    bool timed_out, int wstatus, uint64_t ms)
{
	struct sbuf rec = { 0 }, msg = { 0 };
	const char *status;

	if (timed_out) {
		status = "timeout";
		sbuf_addf(&msg, "timeout after %u ms of CPU time in %s", it->timeout_ms,
			  ww_board->phase);
		add_alloc_context(&msg);
		if (ww_board->hint[0])
			sbuf_addf(&msg, ": %s", ww_board->hint);
	} else if (WIFSIGNALED(wstatus)) {
		int sig = WTERMSIG(wstatus);

		status = "crash";
		sbuf_addf(&msg, "%s in %s", signame(sig), ww_board->phase);
		add_alloc_context(&msg);
		if (ww_board->sig == sig && (sig == SIGSEGV || sig == SIGBUS)) {
			sbuf_addf(&msg, ": invalid access to 0x%llx",
				  (unsigned long long)ww_board->sig_addr);
			if (ww_board->sig_where[0])
				sbuf_addf(&msg, ", %s", ww_board->sig_where);
			else if (ww_board->sig_addr < 4096)
				sbuf_adds(&msg, " (a NULL pointer dereferenced)");
		}
		if (ww_board->sig == sig)
			sbuf_adds(&msg, ", @{frames}");
	} else if (ww_board->exit_called) {
		status = "fail";
		sbuf_addf(&msg, "the submission called %s(%d) at @{0x%llx} in the "
			  "middle of the test, in %s: a test that does not finish "
			  "does not pass", ww_board->exit_func, ww_board->exit_status,
			  (unsigned long long)ww_board->exit_site, ww_board->phase);
	} else {
		status = "fail";
		sbuf_addf(&msg, "the test process ended with status %d in the middle "
			  "of the test, in %s (an exit that bypassed the C library?): "
			  "a test that does not finish does not pass",
			  WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1, ww_board->phase);
	}
	proto_puts(&rec, "ev", "result");
	proto_putu(&rec, "item", idx);
	proto_puts(&rec, "name", it->name);
	proto_puts(&rec, "status", status);
	proto_putu(&rec, "ms", ms);
	proto_puts(&rec, "msg", sbuf_str(&msg));
	if (!timed_out && WIFSIGNALED(wstatus) && ww_board->sig == WTERMSIG(wstatus))
		add_frames(&rec);
	add_output(&rec, out_fd);
	emit_line(&rec);
	sbuf_release(&msg);
}

static void forward_end(const struct ww_item *it, unsigned idx, const char *payload,
			uint64_t ms)
{
	struct sbuf rec = { 0 };

	proto_puts(&rec, "ev", "result");
	proto_putu(&rec, "item", idx);
	proto_puts(&rec, "name", it->name);
	proto_putu(&rec, "ms", ms);
	sbuf_adds(&rec, "\t");
	sbuf_adds(&rec, payload);
	emit_line(&rec);
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

/* Runs items[start..n) in one worker.  Returns the index to continue from
 * (n when all ran). */
static unsigned run_worker(const struct ww_item *items, unsigned n, unsigned start,
			   const struct ww_params *params, int out_fd)
{
	int pfd[2];
	uint64_t token = 0;
	pid_t pid;
	unsigned cur = start;
	bool begun = false, timed_out = false;
	uint64_t t0 = now_ms(), deadline, cpu0 = 0;
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
		int r = read_full(pfd[0], &h, sizeof(h), deadline);

		if (r < 0 && begun && extend_deadline(pid, &items[cur], t0, cpu0, &deadline))
			continue;
		if (r == 1 && (h.token != token || h.len > WW_REC_MAX))
			r = 0;  /* forged or garbled: treat the worker as dead */
		if (r == 1 && h.len) {
			payload = malloc(h.len + 1);
			if (payload == NULL)
				exit(2);
			r = read_full(pfd[0], payload, h.len, deadline);
			payload[h.len] = '\0';
		}
		if (r <= 0) {
			free(payload);
			if (r < 0) {
				timed_out = begun;
				kill_worker(pid);
			}
			break;
		}
		if (h.kind == WW_REC_BEGIN && h.item == cur && !begun) {
			begun = true;
			t0 = now_ms();
			cpu0 = worker_cpu_ms(pid);
			deadline = t0 + items[cur].timeout_ms;
		} else if (h.kind == WW_REC_END && h.item == cur && begun) {
			forward_end(&items[cur], cur, payload ? payload : "",
				    now_ms() - t0);
			begun = false;
			cur++;
			deadline = now_ms() + 20000;
		} else if (h.kind == WW_REC_DONE && !begun && cur == n) {
			free(payload);
			break;
		} else {
			free(payload);
			kill_worker(pid);
			break;
		}
		free(payload);
	}
	close(pfd[0]);
	while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	if (begun) {
		report_abnormal(&items[cur], cur, out_fd, timed_out, wstatus,
				now_ms() - t0);
		cur++;
	} else if (cur < n && cur == start) {
		/* Died between items without starting one: do not loop. */
		report_abnormal(&items[cur], cur, out_fd, false, wstatus, 0);
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
	      "[--fuzz ITER:MIN:MAX] ITEM...\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	struct ww_params params = { 0, 100, 0, 4096, false };
	struct ww_item *items;
	unsigned n = 0, cur = 0;
	struct sbuf hello = { 0 };
	int i, out_fd;
	bool serve = false;

	items = calloc((size_t)argc, sizeof(*items));
	if (items == NULL)
		return 2;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--serve"))
			serve = true;
		else if (!strcmp(argv[i], "--results-fd") && i + 1 < argc)
			results_fd = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--oracle-reference"))
			params.oracle_reference = true;
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
	signal(SIGPIPE, SIG_DFL);
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
	emit_line(&hello);
	while (cur < n)
		cur = run_worker(items, n, cur, &params, out_fd);
	{
		struct sbuf done = { 0 };

		proto_puts(&done, "ev", "done");
		emit_line(&done);
	}
	close(out_fd);
	munmap(ww_board, sizeof(*ww_board));
	free(items);
	return 0;
}
