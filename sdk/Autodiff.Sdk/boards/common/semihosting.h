/* SPDX-License-Identifier: MIT */
/* Arm semihosting: lets firmware running under a debugger or QEMU use the host's console and
   report an exit code. Calls trap with BKPT 0xAB (M profile); without a host attached they fault,
   so firmware built with these calls must run under QEMU or a semihosting-aware debugger. */
#ifndef AUTODIFF_SEMIHOSTING_H
#define AUTODIFF_SEMIHOSTING_H

#include <stddef.h>

enum {
    AD_SYS_OPEN = 0x01,
    AD_SYS_CLOSE = 0x02,
    AD_SYS_WRITEC = 0x03,
    AD_SYS_WRITE0 = 0x04,
    AD_SYS_WRITE = 0x05,
    AD_SYS_READ = 0x06,
    AD_SYS_EXIT = 0x18,
    AD_SYS_EXIT_EXTENDED = 0x20
};

/* Performs semihosting operation `op` with parameter block `arg`; returns the host's r0. */
int ad_semihost_call(int op, const void *arg);

/* Writes `length` bytes to the host's console; returns the number of bytes written. */
size_t ad_semihost_write(int is_error, const char *data, size_t length);

/* Ends the program on the host with `code` as the process exit code. Does not return. */
void ad_semihost_exit(int code);

#endif
