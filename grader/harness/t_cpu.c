/* t_cpu.c - the vCPU's instruction subset, one instruction at a time
 *
 * Every test drives one 1 MiB host.  For each case it implants the
 * instruction under test followed by a hlt (ford_implants_memories() is the
 * contract's "new entry point": it wakes the vCPU the previous hlt left
 * halted), loads every general register with a distinct 64-bit pattern and
 * the segments with their reset values (KVM_SET_REGS / KVM_SET_SREGS: the
 * VMM's right), runs to the hlt and compares the whole register file: the
 * destination must hold the x86 result, everything else must not move, and
 * RIP must point past the hlt.
 *
 * Longer than ~500 lines for its cases: one table of instructions per
 * group (moves, arithmetic, stack, jumps, I/O), each case a few lines, kept
 * in one file so that the subset the header lists is checked in one place.
 */
#include "harness.h"

#include <stdio.h>
#include <string.h>

#define ENTRY ((uint64_t)WW_GUEST_ENTRY)
#define HLT 0xf4

/* Bits 16-63 and both bytes of the low word differ from register to
 * register, so that a write to the wrong register or the wrong half shows. */
static const KvmRegs g_pattern = {
	.rax = 0x1011121314151617ull, .rbx = 0x2021222324252627ull,
	.rcx = 0x3031323334353637ull, .rdx = 0x4041424344454647ull,
	.rsi = 0x5051525354555657ull, .rdi = 0x6061626364656667ull,
	.rsp = 0x7071727374757677ull, .rbp = 0x8081828384858687ull,
	.r8  = 0x9091929394959697ull, .r9  = 0xa0a1a2a3a4a5a6a7ull,
	.r10 = 0xb0b1b2b3b4b5b6b7ull, .r11 = 0xc0c1c2c3c4c5c6c7ull,
	.r12 = 0xd0d1d2d3d4d5d6d7ull, .r13 = 0xe0e1e2e3e4e5e6e7ull,
	.r14 = 0xf0f1f2f3f4f5f6f7ull, .r15 = 0x0102030405060708ull,
	.rip = ENTRY, .rflags = WW_RFLAGS_FIXED,
};

/* Register numbers of the opcode+r and ModRM encodings. */
static const char *const g_r8[8] = { "al", "cl", "dl", "bl", "ah", "ch", "dh", "bh" };
static const char *const g_r16[8] = { "ax", "cx", "dx", "bx", "sp", "bp", "si", "di" };
static const char *const g_R16[8] = { "AX", "CX", "DX", "BX", "SP", "BP", "SI", "DI" };
static const char *const g_r64[8] = { "RAX", "RCX", "RDX", "RBX", "RSP", "RBP",
				      "RSI", "RDI" };

static uint64_t *gpr(KvmRegs *r, unsigned n)
{
	uint64_t *map[8] = { &r->rax, &r->rcx, &r->rdx, &r->rbx,
			     &r->rsp, &r->rbp, &r->rsi, &r->rdi };

	return map[n & 7];
}

static void set16(KvmRegs *r, unsigned n, uint16_t v)
{
	uint64_t *p = gpr(r, n);

	*p = (*p & ~(uint64_t)0xffff) | v;
}

static void set_al(KvmRegs *r, uint8_t v)
{
	r->rax = (r->rax & ~(uint64_t)0xff) | v;
}

/* ---- the rig: one host, one case after the other -------------------------- */

struct cpu {
	WestworldHost *host;
	KvmVcpu       *vcpu;
	uint8_t       *mem;      /* guest-physical 0 */
	KvmSregs       sregs0;   /* real-mode reset segments, loaded for each case */
};

static bool cpu_open(struct ww_test *t, struct cpu *c)
{
	memset(c, 0, sizeof(*c));
	ww_phase("ford_creates_host(1)");
	c->host = ford_creates_host(1);
	if (c->host == NULL) {
		ww_fail(t, "ford_creates_host(1): expected a host, got NULL");
		return false;
	}
	if (c->host->park == NULL || c->host->brain == NULL ||
	    c->host->park->guest_memory == NULL || c->host->brain->kvm_run == NULL) {
		ww_fail(t, "ford_creates_host(1): the host has no %s",
			c->host->park == NULL ? "park (VM)" :
			c->host->brain == NULL ? "brain (vCPU)" :
			c->host->park->guest_memory == NULL ? H_("guest memory") :
			H_("kvm_run mapping"));
		return false;
	}
	if (c->host->park->guest_phys_addr != 0 || c->host->park->memory_size != WW_MIB) {
		ww_fail(t, "ford_creates_host(1): expected 1 MiB of guest memory at "
			"guest-physical 0, got %llu bytes at 0x%llx",
			(unsigned long long)c->host->park->memory_size,
			(unsigned long long)c->host->park->guest_phys_addr);
		return false;
	}
	c->vcpu = c->host->brain;
	c->mem = c->host->park->guest_memory;
	c->sregs0 = c->vcpu->sregs;
	c->sregs0.cs.selector = c->sregs0.ds.selector = 0;
	c->sregs0.es.selector = c->sregs0.ss.selector = 0;
	c->sregs0.cs.base = c->sregs0.ds.base = c->sregs0.es.base = c->sregs0.ss.base = 0;
	return true;
}

static void cpu_close(struct cpu *c)
{
	ww_retire(c->host);
	c->host = NULL;
}

/* A new entry point: code at addr, then the registers in (RIP included) and
 * the reset segments. */
static bool cpu_load(struct ww_test *t, struct cpu *c, const uint8_t *code,
		     size_t len, uint64_t addr, const KvmRegs *in)
{
	int r;

	ww_phase("ford_implants_memories(host, {%s}, %zu, 0x%llx)", ww_hex(code, len),
		 len, (unsigned long long)addr);
	r = ford_implants_memories(c->host, code, len, addr);
	if (r != 0) {
		ww_fail(t, "ford_implants_memories(host, {%s}, %zu, 0x%llx) on a 1 MB "
			"host: expected 0, got %d", ww_hex(code, len), len,
			(unsigned long long)addr, r);
		return false;
	}
	if (c->vcpu->halted) {
		ww_fail(t, "ford_implants_memories(host, {%s}, %zu, 0x%llx) returned 0 "
			"but left the vCPU halted: a new entry point must wake it",
			ww_hex(code, len), len, (unsigned long long)addr);
		return false;
	}
	c->vcpu->regs = *in;
	c->vcpu->sregs = c->sregs0;
	return true;
}

/* One kvm_run(): fails the test unless it returned 0 with exit reason. */
static bool cpu_run(struct ww_test *t, struct cpu *c, uint32_t reason,
		    const char *what)
{
	uint32_t got;
	int r;

	ww_phase("kvm_run() on %s, expecting %s", what, ww_exit_name(reason));
	ww_hint("an instruction that leaves RIP where it was runs forever");
	r = kvm_run(c->vcpu);
	if (r != 0) {
		ww_fail(t, "kvm_run() on %s: expected 0, got %d", what, r);
		return false;
	}
	got = c->vcpu->kvm_run->exit_reason;
	if (got != reason) {
		ww_fail(t, "kvm_run() on %s: expected exit_reason %s, got %s with RIP "
			"0x%llx%s", what, ww_exit_name(reason), ww_exit_name(got),
			(unsigned long long)c->vcpu->regs.rip,
			got == KVM_EXIT_SHUTDOWN ? H_(" (an opcode treated as outside the "
			"subset, or a jump that landed off the code)") :
			reason == KVM_EXIT_SHUTDOWN ? H_(" (this encoding is outside the "
			"subset: the vCPU must stop with KVM_EXIT_SHUTDOWN)") : "");
		return false;
	}
	return true;
}

static const char *flag_name(unsigned bit)
{
	switch (bit) {
	case 0:  return "CF (0x1)";
	case 1:  return "bit 1 (0x2)";
	case 2:  return "PF (0x4)";
	case 4:  return "AF (0x10)";
	case 6:  return "ZF (0x40)";
	case 7:  return "SF (0x80)";
	case 8:  return "TF (0x100)";
	case 9:  return "IF (0x200)";
	case 10: return "DF (0x400)";
	case 11: return "OF (0x800)";
	default: return NULL;
	}
}

/* The registers after the run against exp; only the RFLAGS bits of fmask
 * are compared.  Reports the first difference. */
static bool regs_expect(struct ww_test *t, const KvmRegs *exp, const KvmRegs *got,
			uint64_t fmask, const char *what)
{
	static const char *const names[18] = {
		"RAX", "RBX", "RCX", "RDX", "RSI", "RDI", "RSP", "RBP", "R8", "R9",
		"R10", "R11", "R12", "R13", "R14", "R15", "RIP", "RFLAGS"
	};
	const uint64_t e[18] = { exp->rax, exp->rbx, exp->rcx, exp->rdx, exp->rsi,
		exp->rdi, exp->rsp, exp->rbp, exp->r8, exp->r9, exp->r10, exp->r11,
		exp->r12, exp->r13, exp->r14, exp->r15, exp->rip, exp->rflags };
	const uint64_t g[18] = { got->rax, got->rbx, got->rcx, got->rdx, got->rsi,
		got->rdi, got->rsp, got->rbp, got->r8, got->r9, got->r10, got->r11,
		got->r12, got->r13, got->r14, got->r15, got->rip, got->rflags };
	unsigned i, bit;

	for (i = 0; i < 16; i++) {
		uint64_t d = e[i] ^ g[i];

		if (d == 0)
			continue;
		ww_fail(t, "%s: expected %s 0x%016llx, got 0x%016llx%s", what, names[i],
			(unsigned long long)e[i], (unsigned long long)g[i],
			(d & 0xffff) == 0 ? H_(" (bits 16-63 changed: an 8- or 16-bit "
			"write keeps the rest of the 64-bit register)") : "");
		return false;
	}
	if (e[16] != g[16]) {
		ww_fail(t, "%s: expected RIP 0x%llx (just past the hlt at 0x%llx), got "
			"0x%llx", what, (unsigned long long)e[16],
			(unsigned long long)(e[16] - 1), (unsigned long long)g[16]);
		return false;
	}
	if ((e[17] ^ g[17]) & fmask) {
		uint64_t d = (e[17] ^ g[17]) & fmask;
		char bits[256];
		size_t n = 0;

		bits[0] = '\0';
		for (bit = 0; bit < 64 && n < sizeof(bits) - 48; bit++) {
			const char *name = flag_name(bit);
			bool set = g[17] >> bit & 1;

			if (!(d >> bit & 1))
				continue;
			if (name != NULL)
				n += (size_t)snprintf(bits + n, sizeof(bits) - n, H_("%s%s %s, expected %s"),
						      n ? "; " : "", name, set ? H_("set") : H_("clear"),
						      set ? H_("clear") : H_("set"));
			else
				n += (size_t)snprintf(bits + n, sizeof(bits) - n, H_("%sbit %u %s, "
						      "expected %s"), n ? "; " : "", bit,
						      set ? H_("set") : H_("clear"), set ? H_("clear") : H_("set"));
		}
		ww_fail(t, "%s: expected RFLAGS 0x%llx, got 0x%llx (%s)", what,
			(unsigned long long)e[17], (unsigned long long)g[17], bits);
		return false;
	}
	return true;
}

static bool seg_expect(struct ww_test *t, const char *name, const KvmSegment *exp,
		       const KvmSegment *got, const char *what)
{
	if (got->selector != exp->selector || got->base != exp->base) {
		ww_fail(t, "%s: expected %s selector 0x%04x base 0x%llx, got selector "
			"0x%04x base 0x%llx", what, name, exp->selector,
			(unsigned long long)exp->base, got->selector,
			(unsigned long long)got->base);
		return false;
	}
	return true;
}

/* Selector and base of CS, DS, ES, SS against exp. */
static bool sregs_expect(struct ww_test *t, const KvmSregs *exp, const KvmSregs *got,
			 const char *what)
{
	return seg_expect(t, "ES", &exp->es, &got->es, what) &&
	       seg_expect(t, "SS", &exp->ss, &got->ss, what) &&
	       seg_expect(t, "DS", &exp->ds, &got->ds, what) &&
	       seg_expect(t, "CS", &exp->cs, &got->cs, what);
}

/* Runs to the hlt and checks the whole state: registers (RFLAGS under
 * fmask) and the segments (the reset ones unless sexp). */
static bool cpu_hlt_expect(struct ww_test *t, struct cpu *c, const KvmRegs *exp,
			   uint64_t fmask, const KvmSregs *sexp, const char *what)
{
	return cpu_run(t, c, KVM_EXIT_HLT, what) &&
	       regs_expect(t, exp, &c->vcpu->regs, fmask, what) &&
	       sregs_expect(t, sexp ? sexp : &c->sregs0, &c->vcpu->sregs, what);
}

static bool mem_expect(struct ww_test *t, struct cpu *c, uint64_t gpa, uint8_t v,
		       const char *what)
{
	if (c->mem[gpa] != v) {
		ww_fail(t, "%s: expected 0x%02x in guest memory at 0x%llx, got 0x%02x",
			what, v, (unsigned long long)gpa, c->mem[gpa]);
		return false;
	}
	return true;
}

static bool mmio_expect(struct ww_test *t, struct cpu *c, uint64_t gpa,
			bool is_write, uint8_t data, const char *what)
{
	KvmRun *run = c->vcpu->kvm_run;

	if (run->mmio.phys_addr != gpa || run->mmio.len != 1 ||
	    run->mmio.is_write != (is_write ? 1 : 0) ||
	    (is_write && run->mmio.data[0] != data)) {
		if (is_write)
			ww_fail(t, "%s: expected an MMIO write of 1 byte 0x%02x at 0x%llx "
				"(phys_addr 0x%llx, len 1, is_write 1, data[0] 0x%02x), got "
				"phys_addr 0x%llx len %u is_write %u data[0] 0x%02x", what,
				data, (unsigned long long)gpa, (unsigned long long)gpa, data,
				(unsigned long long)run->mmio.phys_addr, run->mmio.len,
				run->mmio.is_write, run->mmio.data[0]);
		else
			ww_fail(t, "%s: expected an MMIO read of 1 byte at 0x%llx "
				"(phys_addr 0x%llx, len 1, is_write 0), got phys_addr 0x%llx "
				"len %u is_write %u", what, (unsigned long long)gpa,
				(unsigned long long)gpa, (unsigned long long)run->mmio.phys_addr,
				run->mmio.len, run->mmio.is_write);
		return false;
	}
	return true;
}

/* ---- mov r8, imm8 / mov r16, imm16 ---------------------------------------- */

void test_cpu_mov_imm(struct ww_test *t)
{
	struct cpu c;
	KvmRegs in, exp;
	char what[320];
	uint8_t code[4];
	unsigned r;

	if (!cpu_open(t, &c))
		goto out;
	for (r = 0; r < 8; r++) {
		uint8_t imm = (uint8_t)(0xc8 | r);
		unsigned shift = (r & 4) ? 8 : 0;
		uint64_t *d;

		code[0] = (uint8_t)(0xb0 + r);
		code[1] = imm;
		code[2] = HLT;
		in = g_pattern;
		in.rflags = (r & 1) ? WW_RFLAGS_FIXED : WW_RFLAGS_FIXED | WW_RFLAGS_ZF |
			WW_RFLAGS_IF;
		exp = in;
		d = gpr(&exp, r & 3);
		*d = (*d & ~((uint64_t)0xff << shift)) | (uint64_t)imm << shift;
		exp.rip = ENTRY + 3;
		snprintf(what, sizeof(what), H_("`mov %s, 0x%02x` (%s), then hlt, with %s = "
			 "0x%016llx"), g_r8[r], imm, ww_hex(code, 2), g_r64[r & 3],
			 (unsigned long long)*gpr(&in, r & 3));
		if (!cpu_load(t, &c, code, 3, ENTRY, &in) ||
		    !cpu_hlt_expect(t, &c, &exp, UINT64_MAX, NULL, what))
			goto out;
	}
	for (r = 0; r < 8; r++) {
		uint16_t imm = (uint16_t)((0xe0 | r) << 8 | (0xa8 | r));

		code[0] = (uint8_t)(0xb8 + r);
		code[1] = (uint8_t)imm;
		code[2] = (uint8_t)(imm >> 8);
		code[3] = HLT;
		in = g_pattern;
		in.rflags = (r & 1) ? WW_RFLAGS_FIXED | WW_RFLAGS_ZF : WW_RFLAGS_FIXED |
			WW_RFLAGS_IF;
		exp = in;
		set16(&exp, r, imm);
		exp.rip = ENTRY + 4;
		snprintf(what, sizeof(what), H_("`mov %s, 0x%04x` (%s), then hlt, with %s = "
			 "0x%016llx"), g_r16[r], imm, ww_hex(code, 3), g_r64[r],
			 (unsigned long long)*gpr(&in, r));
		if (!cpu_load(t, &c, code, 4, ENTRY, &in) ||
		    !cpu_hlt_expect(t, &c, &exp, UINT64_MAX, NULL, what))
			goto out;
	}
out:
	cpu_close(&c);
}

/* ---- mov al, [moffs16] / mov [moffs16], al / mov [bx], al ----------------- */

/* DS as the VMM loads it (KVM_SET_SREGS), real-mode consistent. */
static void set_ds(KvmSregs *s, uint16_t sel)
{
	s->ds.selector = sel;
	s->ds.base = (uint64_t)sel << 4;
}

struct mem_case {
	uint8_t  code[3];
	size_t   len;
	const char *text;
	uint16_t ds;
	uint16_t bx;        /* BX for 88 07 */
	uint16_t off;       /* the 16-bit offset the instruction addresses */
	bool     write;
};

void test_cpu_memory_operands(struct ww_test *t)
{
	static const struct mem_case cases[] = {
		{ { 0xa0, 0x34, 0x12 }, 3, "mov al, [0x1234]", 0x0000, 0x2627, 0x1234, false },
		{ { 0xa0, 0x34, 0x12 }, 3, "mov al, [0x1234]", 0x0200, 0x2627, 0x1234, false },
		{ { 0xa0, 0xff, 0xff }, 3, "mov al, [0xffff]", 0x0000, 0x2627, 0xffff, false },
		{ { 0xa2, 0x45, 0x23 }, 3, "mov [0x2345], al", 0x0000, 0x2627, 0x2345, true },
		{ { 0xa2, 0x45, 0x23 }, 3, "mov [0x2345], al", 0x0300, 0x2627, 0x2345, true },
		{ { 0x88, 0x07 }, 2, "mov [bx], al", 0x0000, 0x4567, 0x4567, true },
		{ { 0x88, 0x07 }, 2, "mov [bx], al", 0x0400, 0x4567, 0x4567, true },
		{ { 0x88, 0x07 }, 2, "mov [bx], al", 0x0000, 0xfffe, 0xfffe, true },
	};
	/* DS.base 0xf8000: offsets from 0x8000 reach past the 1 MiB slot */
	static const struct mem_case mmio[] = {
		{ { 0xa0, 0xbc, 0x9a }, 3, "mov al, [0x9abc]", 0xf800, 0x2627, 0x9abc, false },
		{ { 0xa2, 0x65, 0x87 }, 3, "mov [0x8765], al", 0xf800, 0x2627, 0x8765, true },
		{ { 0x88, 0x07 }, 2, "mov [bx], al", 0xf800, 0xfedc, 0xfedc, true },
	};
	static const uint8_t outside[][4] = {
		{ 0x88, 0x47, 0x01, HLT },          /* mov [bx+1], al */
		{ 0x88, 0x06, 0x34, 0x12 },         /* mov [0x1234], al */
		{ 0x88, 0x0f, HLT, HLT },           /* mov [bx], cl */
		{ 0x88, 0x04, HLT, HLT },           /* mov [si], al */
		{ 0x88, 0xc1, HLT, HLT },           /* mov cl, al */
	};
	static const char *const outside_text[] = {
		"mov [bx+1], al", "mov [0x1234], al", "mov [bx], cl", "mov [si], al",
		"mov cl, al"
	};
	struct cpu c;
	KvmRegs in, exp;
	KvmSregs sexp;
	char what[320];
	uint8_t code[4];
	size_t i;

	if (!cpu_open(t, &c))
		goto out;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct mem_case *m = &cases[i];
		uint64_t base = (uint64_t)m->ds << 4, gpa = base + m->off;
		uint16_t swapped = (uint16_t)(m->off << 8 | m->off >> 8);
		uint8_t v = (uint8_t)(0x51 + 0x22 * i);

		memcpy(code, m->code, m->len);
		code[m->len] = HLT;
		in = g_pattern;
		in.rflags = WW_RFLAGS_FIXED | WW_RFLAGS_IF | ((i & 1) ? WW_RFLAGS_ZF : 0);
		set16(&in, 3, m->bx);
		set_al(&in, m->write ? v : (uint8_t)~v);
		exp = in;
		exp.rip = ENTRY + m->len + 1;
		if (!cpu_load(t, &c, code, m->len + 1, ENTRY, &in))
			goto out;
		set_ds(&c.vcpu->sregs, m->ds);
		sexp = c.vcpu->sregs;
		/* decoys where a wrong address lands: DS ignored, offset bytes
		 * swapped; the neighbours of the target */
		c.mem[m->off] = 0xee;
		c.mem[base + swapped] = 0xee;
		c.mem[gpa - 1] = c.mem[gpa + 1] = 0xee;
		c.mem[gpa] = m->write ? 0xee : v;
		if (!m->write)
			set_al(&exp, v);
		if (m->code[0] == 0x88)
			snprintf(what, sizeof(what), H_("`%s` (%s), then hlt, with DS = 0x%04x "
				 "(base 0x%llx), RBX = 0x%016llx, AL = 0x%02x"), m->text,
				 ww_hex(m->code, m->len), m->ds, (unsigned long long)base,
				 (unsigned long long)in.rbx, (uint8_t)in.rax);
		else if (m->write)
			snprintf(what, sizeof(what), H_("`%s` (%s), then hlt, with DS = 0x%04x "
				 "(base 0x%llx), AL = 0x%02x"), m->text, ww_hex(m->code, m->len),
				 m->ds, (unsigned long long)base, (uint8_t)in.rax);
		else
			snprintf(what, sizeof(what), H_("`%s` (%s), then hlt, with DS = 0x%04x "
				 "(base 0x%llx) and 0x%02x at 0x%llx"), m->text,
				 ww_hex(m->code, m->len), m->ds, (unsigned long long)base, v,
				 (unsigned long long)gpa);
		if (!cpu_hlt_expect(t, &c, &exp, UINT64_MAX, &sexp, what))
			goto out;
		if (m->write) {
			if (!mem_expect(t, &c, gpa, v, what) ||
			    !mem_expect(t, &c, gpa - 1, 0xee, what) ||
			    !mem_expect(t, &c, gpa + 1, 0xee, what) ||
			    (gpa != m->off && !mem_expect(t, &c, m->off, 0xee, what)) ||
			    (swapped != m->off && !mem_expect(t, &c, base + swapped, 0xee, what)))
				goto out;
		}
	}

	for (i = 0; i < sizeof(mmio) / sizeof(mmio[0]); i++) {
		const struct mem_case *m = &mmio[i];
		uint64_t base = (uint64_t)m->ds << 4, gpa = base + m->off;
		uint8_t v = (uint8_t)(0x3c + 0x41 * i);

		memcpy(code, m->code, m->len);
		code[m->len] = HLT;
		in = g_pattern;
		in.rflags = WW_RFLAGS_FIXED | WW_RFLAGS_ZF;
		set16(&in, 3, m->bx);
		set_al(&in, m->write ? v : (uint8_t)~v);
		exp = in;
		exp.rip = ENTRY + m->len + 1;
		if (!cpu_load(t, &c, code, m->len + 1, ENTRY, &in))
			goto out;
		set_ds(&c.vcpu->sregs, m->ds);
		sexp = c.vcpu->sregs;
		if (m->code[0] == 0x88)
			snprintf(what, sizeof(what), H_("`%s` (%s) with DS = 0x%04x (base 0x%llx), "
				 "BX = 0x%04x, AL = 0x%02x: 0x%llx is past the 1 MiB slot"),
				 m->text, ww_hex(m->code, m->len), m->ds,
				 (unsigned long long)base, m->bx, v, (unsigned long long)gpa);
		else if (m->write)
			snprintf(what, sizeof(what), H_("`%s` (%s) with DS = 0x%04x (base 0x%llx), "
				 "AL = 0x%02x: 0x%llx is past the 1 MiB slot"), m->text,
				 ww_hex(m->code, m->len), m->ds, (unsigned long long)base, v,
				 (unsigned long long)gpa);
		else
			snprintf(what, sizeof(what), H_("`%s` (%s) with DS = 0x%04x (base 0x%llx): "
				 "0x%llx is past the 1 MiB slot"), m->text, ww_hex(m->code, m->len),
				 m->ds, (unsigned long long)base, (unsigned long long)gpa);
		if (!cpu_run(t, &c, KVM_EXIT_MMIO, what) ||
		    !mmio_expect(t, &c, gpa, m->write, v, what))
			goto out;
		if (!m->write) {
			c.vcpu->kvm_run->mmio.data[0] = v;
			set_al(&exp, v);
			snprintf(what, sizeof(what), H_("`%s` (%s) with DS = 0x%04x, an MMIO read "
				 "the VMM answered with 0x%02x in mmio.data[0], then hlt (the "
				 "next kvm_run() completes the load into AL only)"), m->text,
				 ww_hex(m->code, m->len), m->ds, v);
		} else {
			snprintf(what, sizeof(what), H_("`%s` (%s) with DS = 0x%04x, an MMIO "
				 "write, then hlt"), m->text, ww_hex(m->code, m->len), m->ds);
		}
		if (!cpu_hlt_expect(t, &c, &exp, UINT64_MAX, &sexp, what))
			goto out;
	}

	for (i = 0; i < sizeof(outside) / sizeof(outside[0]); i++) {
		in = g_pattern;
		set16(&in, 3, 0x5000);
		set16(&in, 6, 0x5100);
		snprintf(what, sizeof(what), H_("`%s` (%s): 88 with a ModRM other than 07 "
			 "(mov [bx], al) is outside the subset"), outside_text[i],
			 ww_hex(outside[i], outside[i][1] == 0x06 ? 4 :
				outside[i][1] == 0x47 ? 3 : 2));
		if (!cpu_load(t, &c, outside[i], 4, ENTRY, &in) ||
		    !cpu_run(t, &c, KVM_EXIT_SHUTDOWN, what))
			goto out;
	}
out:
	cpu_close(&c);
}

/* ---- mov sreg, r16; data through DS.base, fetch through CS.base ----------- */

void test_cpu_segments(struct ww_test *t)
{
	static const struct {
		uint8_t modrm;
		uint16_t sel;
	} loads[] = {
		{ 0xc0, 0x1234 },   /* mov es, ax */
		{ 0xd0, 0x2345 },   /* mov ss, ax */
		{ 0xd8, 0x3456 },   /* mov ds, ax */
		{ 0xdb, 0xffff },   /* mov ds, bx */
		{ 0xc7, 0xb800 },   /* mov es, di */
		{ 0xd4, 0x0001 },   /* mov ss, sp */
		{ 0xdd, 0xf000 },   /* mov ds, bp */
		{ 0xc1, 0x0000 },   /* mov es, cx */
		{ 0xd6, 0x8000 },   /* mov ss, si */
	};
	static const char *const sreg[4] = { "es", "cs", "ss", "ds" };
	/* mov ds, bx ; mov al, [0x0034] ; mov [0x0035], al ;
	 * mov bx, 0x0040 ; mov [bx], al ; hlt */
	static const uint8_t g_ds[] = { 0x8e, 0xdb, 0xa0, 0x34, 0x00, 0xa2, 0x35, 0x00,
					0xbb, 0x40, 0x00, 0x88, 0x07, HLT };
	/* mov ds, ax (0xffff) ; mov al, [0x0010] ; mov [0xfff0], al ;
	 * mov [0x000f], al ; hlt */
	static const uint8_t g_high[] = { 0x8e, 0xd8, 0xa0, 0x10, 0x00, 0xa2, 0xf0, 0xff,
					  0xa2, 0x0f, 0x00, HLT };
	/* mov al, [0x0010] ; hlt, run with CS.base 0x7c00 and RIP 0 */
	static const uint8_t g_cs[] = { 0xa0, 0x10, 0x00, HLT };
	static const uint8_t g_decoy[] = { 0xb0, 0x13, HLT };   /* mov al, 0x13 ; hlt */
	static const uint8_t outside[][4] = {
		{ 0x8e, 0xc8, HLT, HLT },           /* mov cs, ax */
		{ 0x8e, 0xcb, HLT, HLT },           /* mov cs, bx */
		{ 0x8e, 0xe0, HLT, HLT },           /* mov fs, ax */
		{ 0x8e, 0xe8, HLT, HLT },           /* mov gs, ax */
		{ 0x8e, 0x1e, 0x00, 0x10 },         /* mov ds, [0x1000] */
		{ 0x8e, 0x07, HLT, HLT },           /* mov es, [bx] */
		{ 0x8e, 0x57, 0x02, HLT },          /* mov ss, [bx+2] */
	};
	static const char *const outside_text[] = {
		"mov cs, ax", "mov cs, bx", "mov fs, ax", "mov gs, ax",
		"mov ds, [0x1000]", "mov es, [bx]", "mov ss, [bx+2]"
	};
	static const size_t outside_len[] = { 2, 2, 2, 2, 4, 2, 3 };
	struct cpu c;
	KvmRegs in, exp;
	KvmSregs sexp;
	KvmSegment *seg;
	char what[320];
	uint8_t code[3];
	size_t i;

	if (!cpu_open(t, &c))
		goto out;
	for (i = 0; i < sizeof(loads) / sizeof(loads[0]); i++) {
		unsigned s = (loads[i].modrm >> 3) & 3, src = loads[i].modrm & 7;

		code[0] = 0x8e;
		code[1] = loads[i].modrm;
		code[2] = HLT;
		in = g_pattern;
		in.rflags = WW_RFLAGS_FIXED | ((i & 1) ? WW_RFLAGS_ZF | WW_RFLAGS_IF : 0);
		set16(&in, src, loads[i].sel);
		exp = in;
		exp.rip = ENTRY + 3;
		sexp = c.sregs0;
		seg = s == 0 ? &sexp.es : s == 2 ? &sexp.ss : &sexp.ds;
		seg->selector = loads[i].sel;
		seg->base = (uint64_t)loads[i].sel << 4;
		snprintf(what, sizeof(what), H_("`mov %s, %s` (%s), then hlt, with %s = "
			 "0x%016llx (selector 0x%04x: base 0x%llx)"), sreg[s], g_r16[src],
			 ww_hex(code, 2), g_r64[src], (unsigned long long)*gpr(&in, src),
			 loads[i].sel, (unsigned long long)seg->base);
		if (!cpu_load(t, &c, code, 3, ENTRY, &in) ||
		    !cpu_hlt_expect(t, &c, &exp, UINT64_MAX, &sexp, what))
			goto out;
	}

	/* data through the DS that mov ds loaded */
	in = g_pattern;
	set16(&in, 3, 0x0100);
	exp = in;
	set16(&exp, 3, 0x0040);
	set_al(&exp, 0xc3);
	exp.rip = ENTRY + sizeof(g_ds);
	sexp = c.sregs0;
	set_ds(&sexp, 0x0100);
	snprintf(what, sizeof(what), H_("{%s} (`mov ds, bx` with BX = 0x0100; `mov al, "
		 "[0x0034]`; `mov [0x0035], al`; `mov bx, 0x0040`; `mov [bx], al`; hlt) "
		 "with 0xc3 at 0x1034"), ww_hex(g_ds, sizeof(g_ds)));
	if (!cpu_load(t, &c, g_ds, sizeof(g_ds), ENTRY, &in))
		goto out;
	memset(c.mem, 0xee, 0x200);
	memset(c.mem + 0x1000, 0xee, 0x200);
	c.mem[0x1034] = 0xc3;
	if (!cpu_hlt_expect(t, &c, &exp, UINT64_MAX, &sexp, what) ||
	    !mem_expect(t, &c, 0x1035, 0xc3, what) ||
	    !mem_expect(t, &c, 0x1040, 0xc3, what) ||
	    !mem_expect(t, &c, 0x0035, 0xee, what) ||
	    !mem_expect(t, &c, 0x0040, 0xee, what) ||
	    !mem_expect(t, &c, 0x0135, 0xee, what) ||
	    !mem_expect(t, &c, 0x0140, 0xee, what))
		goto out;

	/* DS.base + offset past 1 MiB: MMIO at the full linear address */
	in = g_pattern;
	set16(&in, 0, 0xffff);
	exp = in;
	exp.rip = ENTRY + sizeof(g_high);
	set_al(&exp, 0x3c);
	sexp = c.sregs0;
	set_ds(&sexp, 0xffff);
	snprintf(what, sizeof(what), H_("`mov ds, ax` with AX = 0xffff (base 0xffff0), "
		 "then `mov al, [0x0010]` ({%s}): linear 0x100000 is past the 1 MiB slot"),
		 ww_hex(g_high, 5));
	if (!cpu_load(t, &c, g_high, sizeof(g_high), ENTRY, &in))
		goto out;
	c.mem[0x0010] = c.mem[0x1000f] = c.mem[0xffff] = c.mem[0xfffff] = 0xee;
	if (!cpu_run(t, &c, KVM_EXIT_MMIO, what) ||
	    !mmio_expect(t, &c, 0x100000, false, 0, what))
		goto out;
	c.vcpu->kvm_run->mmio.data[0] = 0x3c;
	snprintf(what, sizeof(what), H_("DS = 0xffff (base 0xffff0), the MMIO read of "
		 "0x100000 answered with 0x3c, then `mov [0xfff0], al` (A2 F0 FF): linear "
		 "0x10ffe0 is past the 1 MiB slot"));
	if (!cpu_run(t, &c, KVM_EXIT_MMIO, what) ||
	    !mmio_expect(t, &c, 0x10ffe0, true, 0x3c, what))
		goto out;
	snprintf(what, sizeof(what), H_("DS = 0xffff (base 0xffff0), AL = 0x3c, then "
		 "`mov [0x000f], al` (A2 0F 00) to linear 0xfffff (the last byte of the "
		 "slot), then hlt"));
	if (!cpu_hlt_expect(t, &c, &exp, UINT64_MAX, &sexp, what) ||
	    !mem_expect(t, &c, 0xfffff, 0x3c, what) ||
	    !mem_expect(t, &c, 0xffff, 0xee, what))
		goto out;

	/* fetch through CS.base, data still through DS */
	in = g_pattern;
	in.rip = 0;
	exp = in;
	exp.rip = sizeof(g_cs);
	set_al(&exp, 0x61);
	sexp = c.sregs0;
	sexp.cs.selector = 0x07c0;
	sexp.cs.base = 0x7c00;
	snprintf(what, sizeof(what), H_("{%s} (`mov al, [0x0010]`; hlt) at 0x7c00, run "
		 "with CS = 0x07c0 (base 0x7c00 set by the VMM), RIP 0 and DS base 0; "
		 "{%s} (mov al, 0x13; hlt) at 0, 0x61 at 0x10, 0x62 at 0x7c10"),
		 ww_hex(g_cs, sizeof(g_cs)), ww_hex(g_decoy, sizeof(g_decoy)));
	if (!cpu_load(t, &c, g_cs, sizeof(g_cs), ENTRY, &in))
		goto out;
	c.vcpu->sregs.cs = sexp.cs;
	memcpy(c.mem, g_decoy, sizeof(g_decoy));
	c.mem[0x10] = 0x61;
	c.mem[0x7c10] = 0x62;
	if (!cpu_hlt_expect(t, &c, &exp, UINT64_MAX, &sexp, what))
		goto out;

	in = g_pattern;
	in.rip = 0x0100;
	exp = in;
	exp.rip = 0x0100 + sizeof(g_decoy);
	set_al(&exp, 0x42);
	sexp = c.sregs0;
	sexp.cs.selector = 0x1000;
	sexp.cs.base = 0x10000;
	code[0] = 0xb0;
	code[1] = 0x42;
	code[2] = HLT;
	snprintf(what, sizeof(what), H_("{%s} (mov al, 0x42; hlt) at 0x10100, run with "
		 "CS = 0x1000 (base 0x10000 set by the VMM) and RIP 0x100; {%s} (mov al, "
		 "0x13; hlt) at 0x100"), ww_hex(code, 3), ww_hex(g_decoy, sizeof(g_decoy)));
	if (!cpu_load(t, &c, code, 3, 0x10100, &in))
		goto out;
	c.vcpu->sregs.cs = sexp.cs;
	memcpy(c.mem + 0x100, g_decoy, sizeof(g_decoy));
	if (!cpu_hlt_expect(t, &c, &exp, UINT64_MAX, &sexp, what))
		goto out;

	for (i = 0; i < sizeof(outside) / sizeof(outside[0]); i++) {
		in = g_pattern;
		set16(&in, 3, 0x5000);
		snprintf(what, sizeof(what), "`%s` (%s): %s", outside_text[i],
			 ww_hex(outside[i], outside_len[i]),
			 i < 2 ? H_("loading CS this way is #UD, outside the subset") :
			 i < 4 ? H_("only ES, SS and DS are in the subset") :
			 H_("8E with a memory operand is outside the subset (mod 11 only)"));
		if (!cpu_load(t, &c, outside[i], 4, ENTRY, &in) ||
		    !cpu_run(t, &c, KVM_EXIT_SHUTDOWN, what))
			goto out;
	}
out:
	cpu_close(&c);
}

/* ---- jmp rel8, jz, jnz, loop ------------------------------------------------- */

/* The branch sits at offset BR_AT of a window of hlts: wherever it lands in
 * the window, the next instruction is a hlt and RIP tells where it went. */
#define BR_WINDOW 392   /* BR_AT + 2 + 255 + the hlt: an unsigned rel8 lands too */
#define BR_AT 128

struct br_case {
	uint8_t  op, rel;
	bool     zf;
	uint16_t cx;        /* loop: CX before */
	bool     taken;
};

static const char *br_name(uint8_t op)
{
	return op == 0xeb ? "jmp" : op == 0x74 ? "jz" : op == 0x75 ? "jnz" : "loop";
}

void test_cpu_branches(struct ww_test *t)
{
	static const struct br_case cases[] = {
		{ 0xeb, 0x00, false, 0, true },
		{ 0xeb, 0x05, true,  0, true },
		{ 0xeb, 0x7f, false, 0, true },
		{ 0xeb, 0xf0, true,  0, true },
		{ 0xeb, 0x80, false, 0, true },
		{ 0xeb, 0xfd, true,  0, true },
		{ 0x74, 0x10, true,  0, true },
		{ 0x74, 0x10, false, 0, false },
		{ 0x74, 0xf0, true,  0, true },
		{ 0x74, 0x80, false, 0, false },
		{ 0x75, 0x10, false, 0, true },
		{ 0x75, 0x10, true,  0, false },
		{ 0x75, 0x80, false, 0, true },
		{ 0x75, 0x7f, true,  0, false },
		{ 0xe2, 0xf0, true,  5, true },
		{ 0xe2, 0x10, false, 2, true },
		{ 0xe2, 0xf0, false, 1, false },
		{ 0xe2, 0x10, true,  1, false },
		{ 0xe2, 0x80, false, 0, true },       /* 0 - 1 = 0xffff */
		{ 0xe2, 0x7f, true,  0x8000, true },
	};
	static const uint8_t g_loop[] = { 0xe2, 0xfe, HLT };   /* loop $ ; hlt */
	static uint8_t window[BR_WINDOW];
	struct cpu c;
	KvmRegs in, exp;
	char what[320];
	size_t i;

	if (!cpu_open(t, &c))
		goto out;
	memset(window, HLT, sizeof(window));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct br_case *b = &cases[i];
		uint64_t at = ENTRY + BR_AT, next = at + 2;
		uint64_t target = next + (uint64_t)(int64_t)(int8_t)b->rel;
		uint64_t land = (b->taken ? target : next) + 1, rip;
		bool loop = b->op == 0xe2;

		window[BR_AT] = b->op;
		window[BR_AT + 1] = b->rel;
		in = g_pattern;
		in.rip = at;
		in.rflags = WW_RFLAGS_FIXED | (b->zf ? WW_RFLAGS_ZF : 0) |
			((i & 1) ? WW_RFLAGS_IF : 0);
		if (loop)
			set16(&in, 1, b->cx);
		exp = in;
		exp.rip = land;
		if (loop)
			set16(&exp, 1, (uint16_t)(b->cx - 1));
		if (loop)
			snprintf(what, sizeof(what), H_("`loop %+d` (%s) at 0x%llx with RCX = "
				 "0x%016llx (CX = 0x%04x) and ZF %s, hlts all around"), (int8_t)b->rel,
				 ww_hex(window + BR_AT, 2), (unsigned long long)at,
				 (unsigned long long)in.rcx, b->cx, b->zf ? H_("set") : H_("clear"));
		else
			snprintf(what, sizeof(what), H_("`%s %+d` (%s) at 0x%llx with ZF %s, hlts "
				 "all around"), br_name(b->op), (int8_t)b->rel,
				 ww_hex(window + BR_AT, 2), (unsigned long long)at,
				 b->zf ? H_("set") : H_("clear"));
		if (!cpu_load(t, &c, window, sizeof(window), ENTRY, &in))
			goto out;
		if (!cpu_run(t, &c, KVM_EXIT_HLT, what))
			goto out;
		rip = c.vcpu->regs.rip;
		if (rip != land) {
			const char *why = "";

			if (rip == next + 1)
				why = H_(": the jump was not taken");
			else if (rip == target + 1)
				why = H_(": the jump was taken");
			else if (rip == next + b->rel + 1)
				why = H_(": the displacement was not sign-extended");
			else if (rip == at + (uint64_t)(int64_t)(int8_t)b->rel + 1)
				why = H_(": the displacement was added to the address of the jump, "
				      "not of the next instruction");
			ww_fail(t, "%s: expected the jump %s, to the hlt at 0x%llx (RIP 0x%llx "
				"after it), got RIP 0x%llx%s", what, b->taken ? H_("taken") :
				H_("not taken"), (unsigned long long)(land - 1),
				(unsigned long long)land, (unsigned long long)rip, why);
			goto out;
		}
		if (!regs_expect(t, &exp, &c.vcpu->regs, UINT64_MAX, what) ||
		    !sregs_expect(t, &c.sregs0, &c.vcpu->sregs, what))
			goto out;
	}

	/* loop $ runs CX times, then falls through */
	in = g_pattern;
	in.rcx = 3;
	in.rflags = WW_RFLAGS_FIXED | WW_RFLAGS_ZF | WW_RFLAGS_IF;
	exp = in;
	exp.rcx = 0;
	exp.rip = ENTRY + sizeof(g_loop);
	snprintf(what, sizeof(what), H_("`loop $` (%s, a loop on itself), then hlt, with "
		 "CX = 3 and ZF set"), ww_hex(g_loop, 2));
	if (!cpu_load(t, &c, g_loop, sizeof(g_loop), ENTRY, &in))
		goto out;
	ww_phase("kvm_run() on %s, expecting %s", what, ww_exit_name(KVM_EXIT_HLT));
	ww_hint("`loop $` with CX = 3 never ended: loop must decrement CX and fall "
		"through when CX reaches 0");
	{
		int r = kvm_run(c.vcpu);
		uint32_t reason = c.vcpu->kvm_run->exit_reason;

		EXPECT(t, r == 0 && reason == KVM_EXIT_HLT, "kvm_run() on %s: expected 0 "
		       "and %s, got %d and %s", what, ww_exit_name(KVM_EXIT_HLT), r,
		       ww_exit_name(reason));
	}
	if (!regs_expect(t, &exp, &c.vcpu->regs, UINT64_MAX, what))
		goto out;
out:
	cpu_close(&c);
}

/* ---- inc r16, dec r16 ------------------------------------------------------- */

void test_cpu_inc_dec(struct ww_test *t)
{
	static const struct {
		bool     dec;
		uint16_t v;
		bool     zf_in;
	} vals[] = {
		{ false, 0xffff, false },   /* -> 0, ZF set */
		{ false, 0x7fff, true },    /* -> 0x8000, ZF cleared */
		{ false, 0x00ff, true },    /* -> 0x0100, ZF cleared */
		{ true,  0x0000, true },    /* -> 0xffff, ZF cleared */
		{ true,  0x0001, false },   /* -> 0, ZF set */
		{ true,  0x0100, true },    /* -> 0x00ff, ZF cleared */
	};
	const uint64_t fmask = WW_RFLAGS_ZF | WW_RFLAGS_IF | WW_RFLAGS_FIXED;
	struct cpu c;
	KvmRegs in, exp;
	char what[320];
	uint8_t code[2];
	unsigned r;
	size_t i;

	if (!cpu_open(t, &c))
		goto out;
	for (r = 0; r < 8; r++) {
		for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
			uint16_t res = (uint16_t)(vals[i].dec ? vals[i].v - 1 : vals[i].v + 1);
			uint64_t before, after;

			code[0] = (uint8_t)((vals[i].dec ? 0x48 : 0x40) + r);
			code[1] = HLT;
			in = g_pattern;
			in.rflags = WW_RFLAGS_FIXED | (vals[i].zf_in ? WW_RFLAGS_ZF : 0) |
				((r & 1) ? WW_RFLAGS_IF : 0);
			set16(&in, r, vals[i].v);
			exp = in;
			set16(&exp, r, res);
			exp.rip = ENTRY + 2;
			exp.rflags = (in.rflags & ~(uint64_t)WW_RFLAGS_ZF) |
				(res == 0 ? WW_RFLAGS_ZF : 0);
			before = *gpr(&in, r);
			snprintf(what, sizeof(what), H_("`%s %s` (%02X), then hlt, with %s = "
				 "0x%04x (%s 0x%016llx) and ZF %s"), vals[i].dec ? "dec" : "inc",
				 g_r16[r], code[0], g_R16[r], vals[i].v, g_r64[r],
				 (unsigned long long)before, vals[i].zf_in ? H_("set") : H_("clear"));
			if (!cpu_load(t, &c, code, 2, ENTRY, &in) ||
			    !cpu_run(t, &c, KVM_EXIT_HLT, what))
				goto out;
			after = *gpr(&c.vcpu->regs, r);
			EXPECT(t, after == *gpr(&exp, r) && ((c.vcpu->regs.rflags ^ exp.rflags) &
							     WW_RFLAGS_ZF) == 0,
			       "%s: expected %s 0x%04x (%s 0x%016llx) and ZF %s, got %s "
			       "0x%016llx and RFLAGS 0x%llx (ZF %s)%s", what, g_R16[r], res,
			       g_r64[r], (unsigned long long)*gpr(&exp, r),
			       res == 0 ? H_("set") : H_("clear"), g_r64[r], (unsigned long long)after,
			       (unsigned long long)c.vcpu->regs.rflags,
			       (c.vcpu->regs.rflags & WW_RFLAGS_ZF) ? H_("set") : H_("clear"),
			       ((after ^ *gpr(&exp, r)) & ~(uint64_t)0xffff) ?
			       H_(" (bits 16-63 changed: a 16-bit result keeps them)") : "");
			if (!regs_expect(t, &exp, &c.vcpu->regs, fmask, what) ||
			    !sregs_expect(t, &c.sregs0, &c.vcpu->sregs, what))
				goto out;
		}
	}
out:
	cpu_close(&c);
}

/* ---- in/out --------------------------------------------------------------- */

struct pio_case {
	uint8_t  code[2];
	size_t   len;
	bool     in;
	bool     dx;        /* port in DX, else imm8 */
	uint16_t port;
	uint8_t  al;        /* AL before (OUT: the byte sent) */
	uint8_t  answer;    /* IN: what the VMM answers */
};

void test_cpu_port_io(struct ww_test *t)
{
	static const struct pio_case cases[] = {
		{ { 0xe4, 0x60 }, 2, true, false, 0x60, 0x17, 0x3c },
		{ { 0xe4, 0xff }, 2, true, false, 0xff, 0x81, 0x00 },
		{ { 0xe6, 0x80 }, 2, false, false, 0x80, 0x5a, 0 },
		{ { 0xe6, 0xe9 }, 2, false, false, 0xe9, 0xa5, 0 },
		{ { 0xec }, 1, true, true, 0x5678, 0x99, 0xc4 },
		{ { 0xec }, 1, true, true, 0x00f8, 0x00, 0xff },
		{ { 0xee }, 1, false, true, 0x03f8, 0x48, 0 },
		{ { 0xee }, 1, false, true, 0xff02, 0x01, 0 },
	};
	const uint64_t pio_at = (uint64_t)KVM_PIO_PAGE_OFFSET * WW_PAGE_SIZE;
	struct cpu c;
	KvmRegs in, exp;
	KvmRun *run;
	char what[320], insn[48];
	uint8_t code[3];
	size_t i;

	if (!cpu_open(t, &c))
		goto out;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct pio_case *p = &cases[i];
		uint64_t off;
		uint8_t *data;

		memcpy(code, p->code, p->len);
		code[p->len] = HLT;
		in = g_pattern;
		in.rflags = WW_RFLAGS_FIXED | ((i & 1) ? WW_RFLAGS_ZF : WW_RFLAGS_IF);
		set_al(&in, p->al);
		if (p->dx)
			set16(&in, 2, p->port);
		exp = in;
		if (p->in)
			set_al(&exp, p->answer);
		if (p->dx)
			snprintf(insn, sizeof(insn), p->in ? "in al, dx" : "out dx, al");
		else
			snprintf(insn, sizeof(insn), p->in ? "in al, 0x%02x" : "out 0x%02x, al",
				 p->port);
		if (p->dx)
			snprintf(what, sizeof(what), H_("`%s` (%s) at 0x%llx with RDX = 0x%016llx, "
				 "RAX = 0x%016llx"), insn, ww_hex(p->code, p->len),
				 (unsigned long long)ENTRY, (unsigned long long)in.rdx,
				 (unsigned long long)in.rax);
		else
			snprintf(what, sizeof(what), H_("`%s` (%s) at 0x%llx with RAX = 0x%016llx"),
				 insn, ww_hex(p->code, p->len), (unsigned long long)ENTRY,
				 (unsigned long long)in.rax);
		if (!cpu_load(t, &c, code, p->len + 1, ENTRY, &in))
			goto out;
		run = c.vcpu->kvm_run;
		if (c.vcpu->kvm_run_size > pio_at)
			/* not the byte the guest sends: a stale one shows */
			((uint8_t *)run)[pio_at] = (uint8_t)~p->al;
		if (!cpu_run(t, &c, KVM_EXIT_IO, what))
			goto out;
		EXPECT(t, run->io.direction == (p->in ? KVM_EXIT_IO_IN : KVM_EXIT_IO_OUT),
		       "%s: expected io.direction %s (%u), got %u", what,
		       p->in ? "KVM_EXIT_IO_IN" : "KVM_EXIT_IO_OUT",
		       p->in ? KVM_EXIT_IO_IN : KVM_EXIT_IO_OUT, run->io.direction);
		EXPECT(t, run->io.size == 1, "%s: expected io.size 1 (a byte), got %u",
		       what, run->io.size);
		EXPECT(t, run->io.port == p->port, "%s: expected io.port 0x%x, got 0x%x%s",
		       what, p->port, run->io.port, p->dx ? H_(" (the port is DX, 16 bits)") :
		       H_(" (the port is the imm8, zero-extended)"));
		EXPECT(t, run->io.count == 1, "%s: expected io.count 1, got %u", what,
		       run->io.count);
		off = run->io.data_offset;
		EXPECT(t, off >= pio_at && off < c.vcpu->kvm_run_size,
		       "%s: io.data_offset is %llu, expected an offset on the second page "
		       "of the kvm_run mapping (KVM_PIO_PAGE_OFFSET * 4096 = %llu, "
		       "kvm_run_size %zu): the PIO data lives there",
		       what, (unsigned long long)off, (unsigned long long)pio_at,
		       c.vcpu->kvm_run_size);
		data = (uint8_t *)run + off;
		EXPECT(t, c.vcpu->regs.rip == ENTRY + p->len, "%s: at the IO exit, "
		       "expected RIP 0x%llx (past the %zu-byte instruction), got 0x%llx",
		       what, (unsigned long long)(ENTRY + p->len), p->len,
		       (unsigned long long)c.vcpu->regs.rip);
		if (p->in) {
			*data = p->answer;
			snprintf(what + strlen(what), sizeof(what) - strlen(what),
				 H_(", the VMM answering 0x%02x at io.data_offset, then hlt "
				 "(the next kvm_run() completes the IN into AL only)"), p->answer);
		} else {
			EXPECT(t, *data == p->al, "%s: expected AL (0x%02x) at io.data_offset "
			       "(%llu), got 0x%02x", what, p->al, (unsigned long long)off,
			       *data);
			snprintf(what + strlen(what), sizeof(what) - strlen(what),
				 H_(", then hlt"));
		}
		exp.rip = ENTRY + p->len + 1;
		if (!cpu_hlt_expect(t, &c, &exp, UINT64_MAX, NULL, what))
			goto out;
	}
out:
	cpu_close(&c);
}

/* ---- cli, sti, nop ------------------------------------------------------------ */

void test_cpu_cli_sti_nop(struct ww_test *t)
{
	static const struct {
		uint8_t  op;
		uint64_t in, out;
	} cases[] = {
		{ 0xfa, 0x247, 0x047 },
		{ 0xfa, 0x002, 0x002 },
		{ 0xfa, 0x203, 0x003 },
		{ 0xfb, 0x047, 0x247 },
		{ 0xfb, 0x002, 0x202 },
		{ 0xfb, 0x243, 0x243 },
		{ 0x90, 0x247, 0x247 },
		{ 0x90, 0x002, 0x002 },
		{ 0x90, 0x043, 0x043 },
	};
	struct cpu c;
	KvmRegs in, exp;
	char what[320];
	uint8_t code[2];
	size_t i;

	if (!cpu_open(t, &c))
		goto out;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		code[0] = cases[i].op;
		code[1] = HLT;
		in = g_pattern;
		in.rflags = cases[i].in;
		exp = in;
		exp.rflags = cases[i].out;
		exp.rip = ENTRY + 2;
		snprintf(what, sizeof(what), H_("`%s` (%02X), then hlt, with RFLAGS 0x%llx "
			 "(IF %s, ZF %s)"), cases[i].op == 0xfa ? "cli" : cases[i].op == 0xfb ?
			 "sti" : "nop", cases[i].op, (unsigned long long)cases[i].in,
			 (cases[i].in & WW_RFLAGS_IF) ? H_("set") : H_("clear"),
			 (cases[i].in & WW_RFLAGS_ZF) ? H_("set") : H_("clear"));
		if (!cpu_load(t, &c, code, 2, ENTRY, &in) ||
		    !cpu_hlt_expect(t, &c, &exp, UINT64_MAX, NULL, what))
			goto out;
	}
out:
	cpu_close(&c);
}
