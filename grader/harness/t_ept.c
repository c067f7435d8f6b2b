/* t_ept.c - STUB: being written */
#include "harness.h"

void test_ept_create(struct ww_test *t)
{
	ww_fail(t, "not written yet");
}

void test_ept_map_translate(struct ww_test *t)
{
	ww_fail(t, "not written yet");
}

void test_ept_permissions(struct ww_test *t)
{
	ww_fail(t, "not written yet");
}

void test_ept_lazy_tables(struct ww_test *t)
{
	ww_fail(t, "not written yet");
}

void test_ept_arguments(struct ww_test *t)
{
	ww_fail(t, "not written yet");
}

