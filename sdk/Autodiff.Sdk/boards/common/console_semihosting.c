/* SPDX-License-Identifier: MIT */
/* Console on Arm semihosting: output reaches the host of a debugger or QEMU, and the exit status
   becomes the exit code of the QEMU process. Without a host attached the first call faults, so
   this console is for QEMU and debug sessions, not for a board running on its own. */
#include "console.h"
#include "semihosting.h"

size_t ad_console_write(int is_error, const char *data, size_t length)
{
    return ad_semihost_write(is_error, data, length);
}

void ad_console_exit(int status)
{
    ad_semihost_exit(status);
    for (;;) {
    }
}
