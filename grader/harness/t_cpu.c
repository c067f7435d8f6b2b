/* t_cpu.c - STUB: being written */
#include "harness.h"

void test_cpu_mov_imm(struct ww_test *t)
{
	ww_fail(t, "not written yet");
}

void test_cpu_memory_operands(struct ww_test *t)
{
	ww_fail(t, "not written yet");
}

void test_cpu_segments(struct ww_test *t)
{
	ww_fail(t, "not written yet");
}

void test_cpu_branches(struct ww_test *t)
{
	ww_fail(t, "not written yet");
}

void test_cpu_inc_dec(struct ww_test *t)
{
	ww_fail(t, "not written yet");
}

void test_cpu_port_io(struct ww_test *t)
{
	ww_fail(t, "not written yet");
}

void test_cpu_cli_sti_nop(struct ww_test *t)
{
	ww_fail(t, "not written yet");
}

