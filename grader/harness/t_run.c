/* t_run.c - STUB: being written */
#include "harness.h"

void test_run_exits(struct ww_test *t)
{
	ww_fail(t, "not written yet");
}

void test_run_halted(struct ww_test *t)
{
	ww_fail(t, "not written yet");
}

void test_run_arguments(struct ww_test *t)
{
	ww_fail(t, "not written yet");
}

void test_memory_region_refusals(struct ww_test *t)
{
	ww_fail(t, "not written yet");
}

