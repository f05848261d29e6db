/* SPDX-License-Identifier: MIT */
/* Console on a polled UART. The board's driver (board.yaml `uart_source:`) supplies the three
   ad_uart_* functions below; this file adds what every serial terminal expects: the UART is set up
   on first use, "\n" goes out as "\r\n", and the end of the program is one line a host can read.

   At exit the console sends EOT (0x04), "exit", the status in decimal and "\r\n", waits until the
   last bit has left the pin and halts the core. `dotnet build -t:Run` reads that line from QEMU's
   serial port to end the run with the firmware's exit code; on a terminal it shows as "exit 0". */
#include <stdint.h>

#include "console.h"

/* The board's UART driver. */
void ad_uart_init(void);
void ad_uart_put(char c); /* waits until the transmit register is free, then sends `c` */
void ad_uart_flush(void); /* waits until everything sent has left the shift register */

/* Whether the last character sent ended a line. */
static int at_line_start = 1;

static void ensure_initialized(void)
{
    static int initialized;
    if (!initialized) {
        ad_uart_init();
        initialized = 1;
    }
}

size_t ad_console_write(int is_error, const char *data, size_t length)
{
    size_t i;
    (void)is_error; /* one wire for both streams */
    ensure_initialized();
    for (i = 0; i < length; i++) {
        if (data[i] == '\n') ad_uart_put('\r');
        ad_uart_put(data[i]);
        at_line_start = data[i] == '\n';
    }
    return length;
}

void ad_console_exit(int status)
{
    char digits[12];
    int count = 0;
    uint32_t magnitude = status < 0 ? 0u - (uint32_t)status : (uint32_t)status;
    ensure_initialized();
    /* On a line of its own, so output without a final newline is not joined to it. */
    if (!at_line_start) ad_console_write(0, "\n", 1);
    ad_console_write(0, "\x04" "exit ", 6);
    if (status < 0) ad_uart_put('-');
    do {
        digits[count++] = (char)('0' + magnitude % 10u);
        magnitude /= 10u;
    } while (magnitude != 0u);
    while (count > 0) ad_uart_put(digits[--count]);
    ad_console_write(0, "\n", 1);
    ad_uart_flush();
    for (;;) {
        __asm__ volatile("wfi");
    }
}
