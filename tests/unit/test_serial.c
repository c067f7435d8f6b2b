/* test_serial.c - unit tests of the 16550 UART at COM1: registers, THR output, DLAB, RBR */
#include "alloc_shim.h"
#include "fixtures.h"

#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>

#define COM1 SERIAL_COM1_BASE

static uint8_t reg(SerialPort *s, uint16_t offset)
{
    uint8_t v = 0xa5;

    cr_assert_eq(serial_in(s, COM1 + offset, &v), 0, "read of offset %u",
                 offset);
    return v;
}

static void set(SerialPort *s, uint16_t offset, uint8_t value)
{
    cr_assert_eq(serial_out(s, COM1 + offset, value), 0,
                 "write of offset %u", offset);
}

Test(serial, reset_values, .timeout = UT_TIMEOUT)
{
    SerialPort *s = serial_create();

    cr_assert_not_null(s);
    cr_assert_eq(s->base, COM1);
    cr_assert_eq(s->tx_bytes, 0);
    cr_assert_eq(s->lcr, 0x03);
    cr_assert_eq(s->mcr, 0x08);
    cr_assert_eq(s->lsr, UART_LSR_THRE | UART_LSR_TEMT);
    cr_assert_eq(s->msr, UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS);
    cr_assert_eq(s->dll, 12);
    cr_assert_eq(s->dlm, 0);

    /* and as the guest reads them */
    cr_assert_eq(reg(s, UART_LCR), 0x03);
    cr_assert_eq(reg(s, UART_MCR), 0x08);
    cr_assert_eq(reg(s, UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
    cr_assert_eq(reg(s, UART_MSR),
                 UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS);
    cr_assert_eq(reg(s, UART_IIR), UART_IIR_NO_INT);
    cr_assert_eq(reg(s, UART_IER), 0);
    serial_destroy(s);
}

Test(serial, thr_write_goes_to_stdout, .init = redirect_stdout,
     .timeout = UT_TIMEOUT)
{
    SerialPort *s = serial_create();

    cr_assert_not_null(s);
    set(s, UART_THR, 'H');
    set(s, UART_THR, 'i');
    set(s, UART_THR, '!');
    set(s, UART_THR, '\n');
    cr_assert_eq(s->tx_bytes, 4);
    cr_assert_eq(reg(s, UART_LSR) & (UART_LSR_THRE | UART_LSR_TEMT),
                 UART_LSR_THRE | UART_LSR_TEMT, "the line is never busy");
    serial_destroy(s);
    fflush(stdout);
    cr_assert_stdout_eq_str("Hi!\n");
}

Test(serial, dlab_selects_divisor_latch, .init = redirect_stdout,
     .timeout = UT_TIMEOUT)
{
    SerialPort *s = serial_create();

    cr_assert_not_null(s);
    set(s, UART_LCR, UART_LCR_DLAB | 0x03);
    cr_assert_eq(reg(s, UART_DLL), 12, "reset divisor 12 (9600 baud)");
    cr_assert_eq(reg(s, UART_DLM), 0);
    set(s, UART_DLL, 0x01);         /* 115200 baud: no output */
    set(s, UART_DLM, 0x02);         /* not IER */
    cr_assert_eq(s->dll, 0x01);
    cr_assert_eq(s->dlm, 0x02);
    cr_assert_eq(reg(s, UART_DLL), 0x01);
    cr_assert_eq(reg(s, UART_DLM), 0x02);
    cr_assert_eq(s->tx_bytes, 0, "a divisor write is not a byte sent");
    cr_assert_eq(s->ier, 0, "DLM is not IER");

    set(s, UART_LCR, 0x03);
    cr_assert_eq(reg(s, UART_LCR), 0x03);
    cr_assert_eq(reg(s, UART_IER), 0);
    set(s, UART_THR, 'A');
    cr_assert_eq(s->tx_bytes, 1);
    cr_assert_eq(s->dll, 0x01, "THR is not DLL once DLAB is clear");
    serial_destroy(s);
    fflush(stdout);
    cr_assert_stdout_eq_str("A");
}

Test(serial, dlab_read_of_offset_0_is_not_rbr, .timeout = UT_TIMEOUT)
{
    SerialPort *s = serial_create();

    cr_assert_not_null(s);
    cr_assert_eq(serial_receive(s, 'x'), 0);
    set(s, UART_LCR, UART_LCR_DLAB | 0x03);
    cr_assert_eq(reg(s, UART_DLL), 12);
    cr_assert(s->lsr & UART_LSR_DR, "reading DLL must not take RBR");
    set(s, UART_LCR, 0x03);
    cr_assert_eq(reg(s, UART_RBR), 'x');
    serial_destroy(s);
}

Test(serial, scratch_lcr_mcr_ier_read_back, .timeout = UT_TIMEOUT)
{
    SerialPort *s = serial_create();

    cr_assert_not_null(s);
    set(s, UART_SCR, 0x5a);
    cr_assert_eq(reg(s, UART_SCR), 0x5a);
    cr_assert_eq(s->scr, 0x5a);
    set(s, UART_MCR, 0x0b);
    cr_assert_eq(reg(s, UART_MCR), 0x0b);
    set(s, UART_LCR, 0x1b);
    cr_assert_eq(reg(s, UART_LCR), 0x1b);
    set(s, UART_IER, UART_IER_RDI);
    cr_assert_eq(reg(s, UART_IER), UART_IER_RDI);
    cr_assert_eq(s->tx_bytes, 0);
    serial_destroy(s);
}

Test(serial, receive_sets_dr_and_rbr_read_clears_it, .timeout = UT_TIMEOUT)
{
    SerialPort *s = serial_create();

    cr_assert_not_null(s);
    cr_assert_eq(reg(s, UART_LSR) & UART_LSR_DR, 0);
    cr_assert_eq(serial_receive(s, 'q'), 0);
    cr_assert_eq(reg(s, UART_LSR),
                 UART_LSR_DR | UART_LSR_THRE | UART_LSR_TEMT);
    cr_assert_eq(reg(s, UART_RBR), 'q');
    cr_assert_eq(reg(s, UART_LSR) & UART_LSR_DR, 0, "RBR read clears DR");

    /* a byte not yet read is overwritten (no FIFO) */
    cr_assert_eq(serial_receive(s, '1'), 0);
    cr_assert_eq(serial_receive(s, '2'), 0);
    cr_assert_eq(reg(s, UART_RBR), '2');
    cr_assert_eq(reg(s, UART_LSR) & UART_LSR_DR, 0);
    serial_destroy(s);
}

Test(serial, iir_follows_ier, .timeout = UT_TIMEOUT)
{
    SerialPort *s = serial_create();

    cr_assert_not_null(s);
    cr_assert_eq(reg(s, UART_IIR), UART_IIR_NO_INT);

    set(s, UART_IER, UART_IER_RDI);
    cr_assert_eq(reg(s, UART_IIR), UART_IIR_NO_INT, "nothing received yet");
    cr_assert_eq(serial_receive(s, 'z'), 0);
    cr_assert_eq(reg(s, UART_IIR), UART_IIR_RDI);
    (void)reg(s, UART_RBR);
    cr_assert_eq(reg(s, UART_IIR), UART_IIR_NO_INT);

    set(s, UART_IER, UART_IER_THRI);
    cr_assert_eq(reg(s, UART_IIR), UART_IIR_THRI, "THR is always empty");

    set(s, UART_IER, UART_IER_THRI | UART_IER_RDI);
    cr_assert_eq(serial_receive(s, 'z'), 0);
    cr_assert_eq(reg(s, UART_IIR), UART_IIR_RDI,
                 "received data comes before THR empty");

    set(s, UART_IER, 0);
    cr_assert_eq(reg(s, UART_IIR), UART_IIR_NO_INT,
                 "DR alone raises nothing with IER clear");
    serial_destroy(s);
}

Test(serial, handles_its_eight_ports_only, .timeout = UT_TIMEOUT)
{
    SerialPort *s = serial_create();
    uint16_t port;

    cr_assert_not_null(s);
    for (port = COM1; port < COM1 + SERIAL_PORTS; port++)
        cr_assert(serial_handles(s, port), "port 0x%x", port);
    cr_assert_not(serial_handles(s, COM1 - 1));
    cr_assert_not(serial_handles(s, COM1 + SERIAL_PORTS));
    cr_assert_not(serial_handles(s, 0x2f8));
    cr_assert_not(serial_handles(s, 0));
    cr_assert_not(serial_handles(s, 0xffff));
    cr_assert_not(serial_handles(NULL, COM1));
    serial_destroy(s);
}

Test(serial, foreign_ports_refused, .init = redirect_stdout,
     .timeout = UT_TIMEOUT)
{
    SerialPort *s = serial_create();
    uint8_t v = 0x77;

    cr_assert_not_null(s);
    cr_assert_eq(serial_out(s, COM1 - 1, 'x'), -1);
    cr_assert_eq(serial_out(s, COM1 + SERIAL_PORTS, 'x'), -1);
    cr_assert_eq(serial_out(s, 0x2f8, 'x'), -1);
    cr_assert_eq(serial_in(s, COM1 - 1, &v), -1);
    cr_assert_eq(serial_in(s, 0x400, &v), -1);
    cr_assert_eq(v, 0x77, "a refused read writes nothing");
    cr_assert_eq(serial_in(s, COM1 + UART_LSR, NULL), -1);
    cr_assert_eq(s->tx_bytes, 0);
    serial_destroy(s);
    fflush(stdout);
    cr_assert_stdout_eq_str("");
}

Test(serial, null_port, .timeout = UT_TIMEOUT)
{
    uint8_t v = 0;

    cr_assert_eq(serial_out(NULL, COM1, 'x'), -1);
    cr_assert_eq(serial_in(NULL, COM1, &v), -1);
    cr_assert_eq(serial_receive(NULL, 'x'), -1);
    serial_destroy(NULL);
}

Test(serial, create_allocation_failures, .timeout = UT_TIMEOUT)
{
    unsigned long n, k;
    SerialPort *s;

    ut_alloc_reset();
    s = serial_create();
    cr_assert_not_null(s);
    serial_destroy(s);
    n = ut_alloc_count();
    cr_assert_eq(ut_alloc_live_blocks(), 0);
    for (k = 1; k <= n; k++) {
        ut_alloc_reset();
        ut_alloc_fail_at(k);
        cr_assert_null(serial_create(), "allocation %lu failed", k);
        cr_assert_eq(ut_alloc_live_blocks(), 0);
        cr_assert_eq(ut_alloc_live_maps(), 0);
    }
}
