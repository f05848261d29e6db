/* SPDX-License-Identifier: MIT */
#include "semihosting.h"

/* Reasons defined by the semihosting specification for SYS_EXIT. */
#define AD_ADP_STOPPED_APPLICATION_EXIT 0x20026
#define AD_ADP_STOPPED_RUNTIME_ERROR 0x20023

int ad_semihost_call(int op, const void *arg)
{
    register int r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

/* Host handles for the console, opened lazily through the special file name ":tt". */
static int console_handle(int is_error)
{
    static int handles[2] = { -1, -1 };
    int *handle = &handles[is_error ? 1 : 0];
    if (*handle < 0) {
        static const char tt[] = ":tt";
        /* mode 4 ("w") is the host's stdout, mode 8 ("a") its stderr */
        const void *args[3];
        args[0] = tt;
        args[1] = (const void *)(size_t)(is_error ? 8 : 4);
        args[2] = (const void *)(size_t)(sizeof tt - 1);
        *handle = ad_semihost_call(AD_SYS_OPEN, args);
    }
    return *handle;
}

size_t ad_semihost_write(int is_error, const char *data, size_t length)
{
    int handle = console_handle(is_error);
    if (handle < 0) {
        /* No file support on this host: fall back to one character at a time. */
        size_t i;
        for (i = 0; i < length; i++) ad_semihost_call(AD_SYS_WRITEC, &data[i]);
        return length;
    } else {
        const void *args[3];
        int not_written;
        args[0] = (const void *)(size_t)handle;
        args[1] = data;
        args[2] = (const void *)length;
        not_written = ad_semihost_call(AD_SYS_WRITE, args);
        return not_written < 0 ? 0 : length - (size_t)not_written;
    }
}

void ad_semihost_exit(int code)
{
    /* SYS_EXIT_EXTENDED carries the exit code; older hosts only understand SYS_EXIT's reason. */
    size_t block[2];
    block[0] = AD_ADP_STOPPED_APPLICATION_EXIT;
    block[1] = (size_t)code;
    ad_semihost_call(AD_SYS_EXIT_EXTENDED, block);
    ad_semihost_call(AD_SYS_EXIT, (const void *)(size_t)(code == 0 ? AD_ADP_STOPPED_APPLICATION_EXIT : AD_ADP_STOPPED_RUNTIME_ERROR));
    for (;;) {
    }
}
