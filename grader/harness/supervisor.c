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
 *
 * This file is the command line and the loop that runs the workers; the
 * records it sends the grader are written by supervisor_verdict.c.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "supervisor.h"

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

int ww_results_fd = -1;

static unsigned max_timeouts;        /* --max-timeouts: 0, none */

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
		uint64_t now = ww_now_ms(), wait;
		int r;
		ssize_t n;

		if (now >= deadline)
			return READ_TIMEOUT;
		wait = deadline - now < WW_FLOOD_CHECK_MS ? deadline - now : WW_FLOOD_CHECK_MS;
		r = poll(&p, 1, (int)wait);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0) {
			if (ww_output_size(out_fd) > WW_OUTPUT_FLOOD)
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
	uint64_t now = ww_now_ms(), used = worker_cpu_ms(pid);
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
	ww_forward_end(&items[h->item], h->item, h->payload ? h->payload : "", pid, h->ms);
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
	ww_emit_line(&rec);
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
	uint64_t t0 = ww_now_ms(), deadline, cpu0 = 0, cpu_used = 0;
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
		close(ww_results_fd);
		ww_worker_run(items, n, start, params, pfd[1], out_fd, token);
	}
	close(pfd[1]);
	setpgid(pid, pid);
	/* Under valgrind a fork costs tens of ms; a worker that does not start
	 * within this is broken, not slow. */
	deadline = ww_now_ms() + 20000;
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
				      deadline > ww_now_ms() + 1000 ? deadline : ww_now_ms() + 1000,
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
			t0 = ww_now_ms();
			cpu0 = worker_cpu_ms(pid);
			deadline = t0 + items[cur].timeout_ms;
		} else if (h.kind == WW_REC_END && h.item == cur && begun) {
			held.set = true;
			held.item = cur;
			held.payload = payload;
			held.ms = ww_now_ms() - t0;
			payload = NULL;
			begun = false;
			cur++;
			deadline = ww_now_ms() + 20000;
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
		ww_report_abnormal(&items[cur], cur, out_fd, why, wstatus, pid,
				ww_now_ms() - t0, cpu_used);
		cur++;
	} else if (cur < n && cur == start) {
		/* Died between items without starting one: do not loop. */
		ww_report_abnormal(&items[cur], cur, out_fd, why, wstatus, pid, 0, 0);
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
			ww_results_fd = atoi(argv[++i]);
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
	if (!serve || ww_results_fd < 0)
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
	ww_emit_line(&hello);
	while (cur < n) {
		if (max_timeouts && ww_ntimeouts() >= max_timeouts) {
			ww_report_loop_budget(items, cur, n);
			break;
		}
		cur = run_worker(items, n, cur, &params, out_fd);
	}
	{
		struct sbuf done = { 0 };

		proto_puts(&done, "ev", "done");
		ww_emit_line(&done);
	}
	close(ww_results_fd);
	close(out_fd);
	munmap(ww_board, sizeof(*ww_board));
	free(items);
	return 0;
}
