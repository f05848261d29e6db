/* SPDX-License-Identifier: MIT */
/* The firmware's console: where stdout and stderr go and how the program ends. syscalls.c and the
   startup code call these two functions; exactly one console source is linked, chosen by the
   board's `console:` (or the AutodiffConsole property):
     semihosting  console_semihosting.c  the host's console through a debugger or QEMU
     uart         console_uart.c         a polled UART, with the board's driver (`uart_source:`)
     none         console_none.c         output discarded, for firmware with no console at all */
#ifndef AUTODIFF_CONSOLE_H
#define AUTODIFF_CONSOLE_H

#include <stddef.h>

/* Writes `length` bytes (stderr when `is_error`); returns the number of bytes written. */
size_t ad_console_write(int is_error, const char *data, size_t length);

/* Ends the program with `status` as its exit code, as far as the console can tell anyone. Does not return. */
void ad_console_exit(int status) __attribute__((noreturn));

#endif
