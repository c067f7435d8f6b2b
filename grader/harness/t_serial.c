/* t_serial.c - STUB: being written */
#include "harness.h"

void test_serial_reset(struct ww_test *t)
{
	ww_fail(t, "not written yet");
}

void test_serial_registers(struct ww_test *t)
{
	ww_fail(t, "not written yet");
}

void test_serial_receive(struct ww_test *t)
{
	ww_fail(t, "not written yet");
}

void test_serial_ports(struct ww_test *t)
{
	ww_fail(t, "not written yet");
}

