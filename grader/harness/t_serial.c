/* t_serial.c - the 16550 UART at COM1: reset values, the registers and the
 * divisor latch, a received byte, the ports it answers
 *
 * The guest's view goes through serial_in() and serial_out(); the fields of
 * SerialPort the header documents are checked too.  A solution may log on
 * stdout: what a THR write prints is looked for in the output of that write
 * only, and a write that must print nothing is checked not to print its
 * byte (chosen so that no log line holds it).
 *
 * Longer than ~500 lines for its cases: the UART is one part of the
 * contract, and its four tests (reset values, registers and divisor latch,
 * a received byte, the ports) are lists of short checks, one per register
 * or bit the header documents.
 */
#include "harness.h"

#include <stdio.h>
#include <string.h>

#define COM1 SERIAL_COM1_BASE
#define LSR_IDLE (UART_LSR_THRE | UART_LSR_TEMT)
#define MSR_RESET (UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS)

static char g_out[64 * 1024];

/* The number of bytes on stdout since the test began. */
static size_t out_mark(void)
{
	size_t total = 0;

	ww_output(NULL, 0, &total);
	return total;
}

/* True if byte is a control byte no log line holds (a solution may log
 * anything printable, or UTF-8): only those are looked for in the output of
 * a write that must print nothing. */
static bool log_proof(uint8_t byte)
{
	return byte < 0x20 && byte != '\n' && byte != '\t' && byte != '\r';
}

/* True if byte was printed since mark. */
static bool printed_since(size_t mark, uint8_t byte)
{
	size_t total, n = ww_output(g_out, sizeof(g_out), &total);

	return n > mark && memchr(g_out + mark, byte, n - mark) != NULL;
}

/* serial_in(COM1 + off): the value read, or -1 (and t failed). */
static int rd(struct ww_test *t, SerialPort *s, unsigned off, const char *name)
{
	uint8_t v = 0xee;
	int r;

	ww_phase("serial_in(serial, 0x%x (%s), &value)", COM1 + off, name);
	r = serial_in(s, (uint16_t)(COM1 + off), &v);
	if (r != 0) {
		ww_fail(t, "serial_in(serial, 0x%x (%s), &value): expected 0, got %d",
			COM1 + off, name, r);
		return -1;
	}
	return v;
}

/* serial_out(COM1 + off, value); false (and t failed) unless it returned 0. */
static bool wr(struct ww_test *t, SerialPort *s, unsigned off, uint8_t value,
	       const char *name)
{
	int r;

	ww_phase("serial_out(serial, 0x%x (%s), 0x%02x)", COM1 + off, name, value);
	r = serial_out(s, (uint16_t)(COM1 + off), value);
	if (r != 0) {
		ww_fail(t, "serial_out(serial, 0x%x (%s), 0x%02x): expected 0, got %d",
			COM1 + off, name, value, r);
		return false;
	}
	return true;
}

/* Reads COM1 + off and expects want; ctx says what came before. */
static bool rd_expect(struct ww_test *t, SerialPort *s, unsigned off,
		      const char *name, uint8_t want, const char *ctx)
{
	int v = rd(t, s, off, name);

	if (v < 0)
		return false;
	if (v != want) {
		ww_fail(t, "serial_in(serial, 0x%x (%s)) %s: expected 0x%02x, got 0x%02x",
			COM1 + off, name, ctx, want, v);
		return false;
	}
	return true;
}

static void destroy(SerialPort *s)
{
	if (s == NULL)
		return;
	ww_phase("serial_destroy(serial)");
	serial_destroy(s);
}

static SerialPort *create_ok(struct ww_test *t)
{
	SerialPort *s;

	ww_phase("serial_create()");
	s = serial_create();
	if (s == NULL)
		ww_fail(t, "serial_create(): expected a UART, got NULL");
	return s;
}

/* The first documented field that differs between a and b, or NULL. */
static const char *state_diff(const SerialPort *a, const SerialPort *b)
{
	static char buf[96];

#define CMP(f) \
	if (a->f != b->f) { \
		snprintf(buf, sizeof(buf), H_("%s went from 0x%llx to 0x%llx"), \
			 #f, (unsigned long long)a->f, (unsigned long long)b->f); \
		return buf; \
	}
	CMP(base) CMP(rbr) CMP(ier) CMP(fcr) CMP(lcr) CMP(mcr) CMP(lsr) CMP(msr)
	CMP(scr) CMP(dll) CMP(dlm) CMP(tx_bytes)
#undef CMP
	return NULL;
}

/* ---- reset ---------------------------------------------------------------- */

void test_serial_reset(struct ww_test *t)
{
	static const struct { unsigned off; const char *name; uint8_t want;
			      const char *why; } regs[] = {
		{ UART_LCR, "LCR", 0x03, HN_("8N1, DLAB clear") },
		{ UART_MCR, "MCR", 0x08, "OUT2" },
		{ UART_LSR, "LSR", LSR_IDLE, HN_("THRE 0x20 | TEMT 0x40, DR 0x01 clear: "
		  "nothing received") },
		{ UART_MSR, "MSR", MSR_RESET, "DCD 0x80 | DSR 0x20 | CTS 0x10" },
		{ UART_IER, "IER", 0x00, HN_("a 16550 resets with no interrupt enabled") },
		{ UART_IIR, "IIR", UART_IIR_NO_INT, HN_("no interrupt pending: IER is 0") },
	};
	SerialPort *s;
	size_t i;

	s = create_ok(t);
	if (s == NULL)
		return;
	/* The fields the header documents. */
	EXPECT(t, s->base == COM1, "serial_create(): base is 0x%x, expected 0x3f8 "
	       "(COM1)", s->base);
	EXPECT(t, s->lcr == 0x03, "serial_create(): lcr is 0x%02x, expected 0x03 "
	       "(8N1)", s->lcr);
	EXPECT(t, s->mcr == 0x08, "serial_create(): mcr is 0x%02x, expected 0x08 "
	       "(OUT2)", s->mcr);
	EXPECT(t, s->lsr == LSR_IDLE, "serial_create(): lsr is 0x%02x, expected 0x60 "
	       "(THRE | TEMT, DR clear)", s->lsr);
	EXPECT(t, s->msr == MSR_RESET, "serial_create(): msr is 0x%02x, expected "
	       "0xb0 (DCD | DSR | CTS)", s->msr);
	EXPECT(t, s->dll == 12 && s->dlm == 0, "serial_create(): divisor latch "
	       "dll %u dlm %u, expected dll 12 dlm 0 (divisor 12: 9600 baud)",
	       s->dll, s->dlm);
	EXPECT(t, s->tx_bytes == 0, "serial_create(): tx_bytes is %llu, expected 0",
	       (unsigned long long)s->tx_bytes);

	/* The same values as the guest reads them. */
	for (i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		int v = rd(t, s, regs[i].off, regs[i].name);

		if (v < 0)
			goto out;
		EXPECT(t, v == regs[i].want, "serial_in(serial, 0x%x (%s)) after "
		       "serial_create(): expected 0x%02x (%s), got 0x%02x",
		       COM1 + regs[i].off, regs[i].name, regs[i].want, H_(regs[i].why), v);
	}
	if (!wr(t, s, UART_LCR, UART_LCR_DLAB | 0x03, H_("LCR, DLAB set")) ||
	    !rd_expect(t, s, UART_DLL, H_("DLL, LCR.DLAB set"), 12, H_("after reset: the "
		       "divisor is 12 (9600 baud), DLL 12")) ||
	    !rd_expect(t, s, UART_DLM, H_("DLM, LCR.DLAB set"), 0, H_("after reset: the "
		       "divisor is 12 (9600 baud), DLM 0")) ||
	    !rd_expect(t, s, UART_LCR, "LCR", UART_LCR_DLAB | 0x03, H_("after writing "
		       "0x83 to LCR")) ||
	    !wr(t, s, UART_LCR, 0x03, H_("LCR, DLAB clear")) ||
	    !rd_expect(t, s, UART_LCR, "LCR", 0x03, H_("after writing 0x03 to LCR")))
		goto out;
	EXPECT(t, s->tx_bytes == 0, "writes to LCR and reads of the divisor latch "
	       "made tx_bytes %llu, expected 0: only a THR write sends a byte",
	       (unsigned long long)s->tx_bytes);
out:
	destroy(s);
}

/* ---- registers -------------------------------------------------------------- */

/* A THR write of c: 0, c printed by that write, one more byte in tx_bytes. */
static bool thr_ok(struct ww_test *t, SerialPort *s, uint8_t c, const char *ctx)
{
	uint64_t tx = s->tx_bytes;
	size_t mark = out_mark();

	if (!wr(t, s, UART_THR, c, "THR"))
		return false;
	if (!printed_since(mark, c)) {
		ww_fail(t, "serial_out(serial, 0x3f8 (THR), 0x%02x) %s: byte 0x%02x "
			"expected on stdout (putchar), not printed", c, ctx, c);
		return false;
	}
	if (s->tx_bytes != tx + 1) {
		ww_fail(t, "serial_out(serial, 0x3f8 (THR), 0x%02x) %s: tx_bytes went "
			"from %llu to %llu, expected %llu", c, ctx, (unsigned long long)tx,
			(unsigned long long)s->tx_bytes, (unsigned long long)(tx + 1));
		return false;
	}
	return true;
}

/* A write of value to a latch or register that is not THR: nothing sent. */
static bool silent_wr(struct ww_test *t, SerialPort *s, unsigned off,
		      uint8_t value, const char *name, const char *ctx)
{
	uint64_t tx = s->tx_bytes;
	size_t mark = out_mark();

	if (!wr(t, s, off, value, name))
		return false;
	if (log_proof(value) && printed_since(mark, value)) {
		ww_fail(t, "serial_out(serial, 0x%x (%s), 0x%02x) %s: nothing may be "
			"sent, but byte 0x%02x was printed on stdout", COM1 + off, name,
			value, ctx, value);
		return false;
	}
	if (s->tx_bytes != tx) {
		ww_fail(t, "serial_out(serial, 0x%x (%s), 0x%02x) %s: nothing may be "
			"sent, but tx_bytes went from %llu to %llu", COM1 + off, name,
			value, ctx, (unsigned long long)tx,
			(unsigned long long)s->tx_bytes);
		return false;
	}
	return true;
}

void test_serial_registers(struct ww_test *t)
{
	static const struct { unsigned off; const char *name; uint8_t v; } rw[] = {
		{ UART_IER, "IER", UART_IER_RDI | UART_IER_THRI },
		{ UART_LCR, "LCR", 0x1b },
		{ UART_MCR, "MCR", 0x0b },
		{ UART_SCR, "SCR", 0x96 },
		{ UART_IER, "IER", 0x00 },
		{ UART_LCR, "LCR", 0x03 },
		{ UART_MCR, "MCR", 0x01 },
		{ UART_SCR, "SCR", 0x81 },
	};
	static const uint8_t text[] = { 'W', 0xa5, '\n' };
	char ctx[128];
	SerialPort *s;
	size_t i, j;
	int v;

	s = create_ok(t);
	if (s == NULL)
		return;

	/* THR: stdout and tx_bytes; the line is never busy. */
	for (i = 0; i < sizeof(text); i++)
		if (!thr_ok(t, s, text[i], H_("with LCR.DLAB clear")))
			goto out;
	if (!rd_expect(t, s, UART_LSR, "LSR", LSR_IDLE, H_("after 3 THR writes (THRE "
		       "and TEMT stay set: the virtual line is never busy)")))
		goto out;

	/* DLAB: offsets 0 and 1 are the divisor latch, a write prints nothing. */
	if (!wr(t, s, UART_LCR, UART_LCR_DLAB | 0x03, H_("LCR, DLAB set")) ||
	    !silent_wr(t, s, UART_DLL, 0x01, H_("DLL, LCR.DLAB set"), H_("(LCR.DLAB set: "
		       "offset 0 is DLL, not THR)")) ||
	    !silent_wr(t, s, UART_DLM, 0x02, H_("DLM, LCR.DLAB set"), H_("(LCR.DLAB set: "
		       "offset 1 is DLM, not IER)")) ||
	    !rd_expect(t, s, UART_DLL, H_("DLL, LCR.DLAB set"), 0x01, H_("after writing "
		       "0x01 to DLL")) ||
	    !rd_expect(t, s, UART_DLM, H_("DLM, LCR.DLAB set"), 0x02, H_("after writing "
		       "0x02 to DLM")))
		goto out;
	EXPECT(t, s->dll == 0x01 && s->dlm == 0x02, "DLL 0x01 and DLM 0x02 written "
	       "with LCR.DLAB set: the fields are dll 0x%02x dlm 0x%02x, expected "
	       "0x01 and 0x02", s->dll, s->dlm);
	if (!wr(t, s, UART_LCR, 0x03, H_("LCR, DLAB clear")) ||
	    !rd_expect(t, s, UART_IER, "IER", 0x00, H_("after writing 0x02 to offset 1 "
		       "with LCR.DLAB set (that was DLM, not IER)")) ||
	    !thr_ok(t, s, 'Z', H_("once LCR.DLAB is clear again")) ||
	    !wr(t, s, UART_LCR, UART_LCR_DLAB | 0x03, H_("LCR, DLAB set")) ||
	    !rd_expect(t, s, UART_DLL, H_("DLL, LCR.DLAB set"), 0x01, H_("after a THR write "
		       "made with LCR.DLAB clear (THR is not DLL)")) ||
	    !wr(t, s, UART_LCR, 0x03, H_("LCR, DLAB clear")))
		goto out;

	/* IER, LCR, MCR, SCR keep what is written, and nothing is sent. */
	for (i = 0; i < sizeof(rw) / sizeof(rw[0]); i++) {
		snprintf(ctx, sizeof(ctx), "(%s)", rw[i].name);
		if (!silent_wr(t, s, rw[i].off, rw[i].v, rw[i].name, ctx))
			goto out;
		snprintf(ctx, sizeof(ctx), H_("after writing 0x%02x to %s"), rw[i].v,
			 rw[i].name);
		if (!rd_expect(t, s, rw[i].off, rw[i].name, rw[i].v, ctx))
			goto out;
	}
	/* ... and each kept its own: the last four writes, read again. */
	for (j = 4; j < 8; j++) {
		snprintf(ctx, sizeof(ctx), H_("after IER 0x00, LCR 0x03, MCR 0x01, SCR "
			 "0x81 were written, in that order"));
		if (!rd_expect(t, s, rw[j].off, rw[j].name, rw[j].v, ctx))
			goto out;
	}

	/* IIR: no interrupt unless enabled; THR empty with IER.THRI. */
	if (!rd_expect(t, s, UART_IIR, "IIR", UART_IIR_NO_INT, H_("with IER 0x00 "
		       "(no interrupt enabled, so none pending)")) ||
	    !wr(t, s, UART_IER, UART_IER_THRI, "IER") ||
	    !rd_expect(t, s, UART_IIR, "IIR", UART_IIR_THRI, H_("with IER.THRI set "
		       "(0x02) and THR empty (THRI pending)")) ||
	    !wr(t, s, UART_IER, UART_IER_RDI, "IER") ||
	    !rd_expect(t, s, UART_IIR, "IIR", UART_IIR_NO_INT, H_("with IER.RDI set "
		       "and nothing received (no interrupt pending)")) ||
	    !wr(t, s, UART_IER, 0, "IER"))
		goto out;

	/* FCR (a write to offset 2) is not what IIR (a read of it) shows. */
	if (!silent_wr(t, s, UART_FCR, 0xc7, "FCR", "(offset 2 written: FCR)"))
		goto out;
	v = rd(t, s, UART_IIR, "IIR");
	if (v < 0)
		goto out;
	EXPECT(t, (v & 0x0f) == UART_IIR_NO_INT, "serial_in(serial, 0x3fa (IIR)) "
	       "after writing 0xc7 to FCR (same offset) with IER 0: expected "
	       "interrupt bits 3:0 = 0x1 (no interrupt), got 0x%02x: a read of "
	       "offset 2 is IIR, not the FCR written", v);
	if (!rd_expect(t, s, UART_IER, "IER", 0x00, H_("after writing 0xc7 to FCR")) ||
	    !rd_expect(t, s, UART_LCR, "LCR", 0x03, H_("after writing 0xc7 to FCR")))
		goto out;

	/* The status registers are read-only: writes change nothing. */
	if (!silent_wr(t, s, UART_LSR, 0x00, "LSR", H_("(the line status)")) ||
	    !silent_wr(t, s, UART_MSR, 0x00, "MSR", H_("(the modem status)")))
		goto out;
	if (!rd_expect(t, s, UART_LSR, "LSR", LSR_IDLE, H_("after every register was "
		       "written, LSR with 0x00 too (THRE and TEMT stay set: the "
		       "virtual line is never busy; nothing received)")) ||
	    !rd_expect(t, s, UART_MSR, "MSR", MSR_RESET, H_("after MSR was written with "
		       "0x00 (read-only: DCD | DSR | CTS)")))
		goto out;
	EXPECT(t, s->tx_bytes == 4, "4 bytes written to THR with LCR.DLAB clear: "
	       "tx_bytes is %llu, expected 4", (unsigned long long)s->tx_bytes);
out:
	destroy(s);
}

/* ---- a received byte ------------------------------------------------------- */

void test_serial_receive(struct ww_test *t)
{
	SerialPort *s;
	uint8_t v;
	int r;

	s = create_ok(t);
	if (s == NULL)
		return;
	ww_phase("serial_receive(serial, 0x5a)");
	r = serial_receive(s, 0x5a);
	EXPECT(t, r == 0, "serial_receive(serial, 0x5a): expected 0, got %d", r);
	EXPECT(t, s->rbr == 0x5a, "serial_receive(serial, 0x5a): rbr is 0x%02x, "
	       "expected 0x5a", s->rbr);
	if (!rd_expect(t, s, UART_LSR, "LSR", UART_LSR_DR | LSR_IDLE, "after "
		       "serial_receive(0x5a) (DR 0x01 | THRE | TEMT)") ||
	    !rd_expect(t, s, UART_IIR, "IIR", UART_IIR_NO_INT, H_("with a byte "
		       "received and IER 0 (no interrupt enabled, none pending)")) ||
	    !wr(t, s, UART_IER, UART_IER_RDI, "IER") ||
	    !rd_expect(t, s, UART_IIR, "IIR", UART_IIR_RDI, H_("with a byte received "
		       "and IER.RDI set (received data pending, 0x04)")) ||
	    !wr(t, s, UART_IER, UART_IER_RDI | UART_IER_THRI, "IER") ||
	    !rd_expect(t, s, UART_IIR, "IIR", UART_IIR_RDI, H_("with a byte received "
		       "and IER.RDI | IER.THRI set: received data (0x04) comes before "
		       "THR empty (0x02)")))
		goto out;

	/* With DLAB set, offset 0 is DLL: the byte stays. */
	if (!wr(t, s, UART_LCR, UART_LCR_DLAB | 0x03, H_("LCR, DLAB set")) ||
	    !rd_expect(t, s, UART_DLL, H_("DLL, LCR.DLAB set"), 12, H_("with a byte "
		       "received (0x5a): LCR.DLAB set makes offset 0 the divisor "
		       "latch, DLL 12")) ||
	    !wr(t, s, UART_LCR, 0x03, H_("LCR, DLAB clear")) ||
	    !rd_expect(t, s, UART_LSR, "LSR", UART_LSR_DR | LSR_IDLE, H_("after a "
		       "read of DLL: the received byte is still there, DR set")))
		goto out;

	/* A refused read takes nothing. */
	ww_phase("serial_in(serial, 0x3f8 (RBR), NULL)");
	r = serial_in(s, COM1 + UART_RBR, NULL);
	EXPECT(t, r == -1, "serial_in(serial, 0x3f8 (RBR), NULL): expected -1, got %d",
	       r);
	if (!rd_expect(t, s, UART_LSR, "LSR", UART_LSR_DR | LSR_IDLE, H_("after "
		       "serial_in(0x3f8, NULL) failed: it changes nothing, DR still "
		       "set")))
		goto out;

	/* Reading RBR takes the byte and clears DR. */
	if (!rd_expect(t, s, UART_RBR, "RBR", 0x5a, "after serial_receive(0x5a)") ||
	    !rd_expect(t, s, UART_LSR, "LSR", LSR_IDLE, H_("after RBR was read (DR "
		       "cleared: THRE | TEMT)")) ||
	    !rd_expect(t, s, UART_IIR, "IIR", UART_IIR_THRI, H_("with IER.RDI | "
		       "IER.THRI set, after RBR was read: no data left, THR empty "
		       "(0x02)")) ||
	    !wr(t, s, UART_IER, UART_IER_RDI, "IER") ||
	    !rd_expect(t, s, UART_IIR, "IIR", UART_IIR_NO_INT, H_("with IER.RDI set, "
		       "after RBR was read: no data, no interrupt (0x01)")))
		goto out;

	/* No FIFO: a byte not read is overwritten by the next. */
	ww_phase("serial_receive(serial, 0x31) then serial_receive(serial, 0x32)");
	r = serial_receive(s, 0x31);
	EXPECT(t, r == 0, "serial_receive(serial, 0x31): expected 0, got %d", r);
	r = serial_receive(s, 0x32);
	EXPECT(t, r == 0, "serial_receive(serial, 0x32) before 0x31 was read: "
	       "expected 0, got %d", r);
	if (!rd_expect(t, s, UART_RBR, "RBR", 0x32, H_("after serial_receive(0x31) "
		       "then serial_receive(0x32), without a read between: the "
		       "byte not read is overwritten")) ||
	    !rd_expect(t, s, UART_LSR, "LSR", LSR_IDLE, H_("after RBR was read "
		       "(two bytes received, one read): DR cleared")))
		goto out;
	EXPECT(t, s->tx_bytes == 0, "bytes received and read: tx_bytes is %llu, "
	       "expected 0 (only THR writes count)", (unsigned long long)s->tx_bytes);

	/* NULL arguments. */
	ww_phase("serial_receive(NULL, 0x41)");
	r = serial_receive(NULL, 0x41);
	EXPECT(t, r == -1, "serial_receive(NULL, 0x41): expected -1, got %d", r);
	v = 0x77;
	ww_phase("serial_in(NULL, 0x3fd, &value)");
	r = serial_in(NULL, COM1 + UART_LSR, &v);
	EXPECT(t, r == -1 && v == 0x77, "serial_in(NULL, 0x3fd, &value): expected -1 "
	       "and value untouched (0x77), got %d and 0x%02x", r, v);
	ww_phase("serial_out(NULL, 0x3f8, 0x41)");
	r = serial_out(NULL, COM1 + UART_THR, 0x41);
	EXPECT(t, r == -1, "serial_out(NULL, 0x3f8, 0x41): expected -1, got %d", r);
	ww_phase("serial_in(serial, 0x3fd (LSR), NULL)");
	r = serial_in(s, COM1 + UART_LSR, NULL);
	EXPECT(t, r == -1, "serial_in(serial, 0x3fd (LSR), NULL): expected -1, got %d",
	       r);
out:
	destroy(s);
}

/* ---- the ports it answers --------------------------------------------------- */

void test_serial_ports(struct ww_test *t)
{
	/* Neighbours, COM2's registers (same low bits), and far ports. */
	static const uint16_t foreign[] = {
		COM1 - 1, COM1 + SERIAL_PORTS, 0x2f8, 0x2fb, 0x2ff, 0x3e8, 0x4f8,
		0x7f8, 0xbf8, 0x13f8, 0x80, 0, 0xfff8, 0xffff,
	};
	SerialPort *s = NULL, before;
	const char *diff;
	size_t i, mark;
	uint8_t v;
	int r;
	bool h;

	ww_phase("serial_handles(NULL, 0x3f8)");
	h = serial_handles(NULL, COM1);
	EXPECT(t, !h, "serial_handles(NULL, 0x3f8): expected false, got true");
	ww_phase("serial_destroy(NULL)");
	serial_destroy(NULL);

	s = create_ok(t);
	if (s == NULL)
		return;
	for (i = 0; i < SERIAL_PORTS; i++) {
		ww_phase("serial_handles(serial, 0x%zx)", COM1 + i);
		h = serial_handles(s, (uint16_t)(COM1 + i));
		EXPECT(t, h, "serial_handles(serial, 0x%zx): expected true (0x3f8 to "
		       "0x3ff are COM1's eight registers), got false", COM1 + i);
	}
	for (i = 0; i < sizeof(foreign) / sizeof(foreign[0]); i++) {
		ww_phase("serial_handles(serial, 0x%x)", foreign[i]);
		h = serial_handles(s, foreign[i]);
		EXPECT(t, !h, "serial_handles(serial, 0x%x): expected false (COM1 is "
		       "0x3f8 to 0x3ff only), got true", foreign[i]);
	}

	/* A state where a foreign access would show: a byte received, known
	 * registers. */
	ww_phase("serial_receive(serial, 0x5a)");
	r = serial_receive(s, 0x5a);
	EXPECT(t, r == 0, "serial_receive(serial, 0x5a): expected 0, got %d", r);
	if (!wr(t, s, UART_SCR, 0x3c, "SCR"))
		goto out;
	for (i = 0; i < sizeof(foreign) / sizeof(foreign[0]); i++) {
		uint16_t port = foreign[i];
		/* LCR's DLAB for a port that would alias LCR, a byte no log holds */
		uint8_t value = (port & 7) == UART_LCR ? 0x80 : 0x07;

		before = *s;
		mark = out_mark();
		ww_phase("serial_out(serial, 0x%x, 0x%02x) (not COM1)", port, value);
		r = serial_out(s, port, value);
		EXPECT(t, r == -1, "serial_out(serial, 0x%x, 0x%02x): 0x%x is not one of "
		       "COM1's ports (0x3f8 to 0x3ff), expected -1, got %d", port, value,
		       port, r);
		diff = state_diff(&before, s);
		EXPECT(t, diff == NULL, "serial_out(serial, 0x%x, 0x%02x) returned -1 "
		       "but changed the UART: %s; a refused write changes nothing",
		       port, value, diff);
		EXPECT(t, !log_proof(value) || !printed_since(mark, value),
		       "serial_out(serial, 0x%x, "
		       "0x%02x) returned -1 but printed the byte on stdout", port, value);

		v = 0xee;
		ww_phase("serial_in(serial, 0x%x, &value) (not COM1)", port);
		r = serial_in(s, port, &v);
		EXPECT(t, r == -1, "serial_in(serial, 0x%x, &value): 0x%x is not one of "
		       "COM1's ports (0x3f8 to 0x3ff), expected -1, got %d", port, port, r);
		EXPECT(t, v == 0xee, "serial_in(serial, 0x%x, &value) returned -1 but "
		       "wrote 0x%02x to value: a refused read writes nothing", port, v);
		diff = state_diff(&before, s);
		EXPECT(t, diff == NULL, "serial_in(serial, 0x%x, &value) returned -1 "
		       "but changed the UART: %s; a refused read changes nothing",
		       port, diff);
	}
	/* COM1 itself still answers, unchanged. */
	if (!rd_expect(t, s, UART_LCR, "LCR", 0x03, H_("after the refused accesses "
		       "to other ports")) ||
	    !rd_expect(t, s, UART_SCR, "SCR", 0x3c, H_("after the refused accesses "
		       "to other ports")) ||
	    !rd_expect(t, s, UART_RBR, "RBR", 0x5a, H_("after serial_receive(0x5a) and "
		       "the refused accesses to other ports")))
		goto out;
	EXPECT(t, s->tx_bytes == 0, "after writes to ports that are not COM1's: "
	       "tx_bytes is %llu, expected 0", (unsigned long long)s->tx_bytes);
out:
	destroy(s);
}
