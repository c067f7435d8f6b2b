/* t_host.c - STUB: being written */
#include "harness.h"

void test_host_create(struct ww_test *t)
{
	ww_fail(t, "not written yet");
}

void test_host_run(struct ww_test *t)
{
	ww_fail(t, "not written yet");
}

void test_says_freeze(struct ww_test *t)
{
	ww_fail(t, "not written yet");
}

