/* SPDX-License-Identifier: MIT */
/* The system calls newlib needs: printf and friends reach the board's console (console.h: semihosting,
   a UART or none), malloc grows a heap between the end of .bss and the stack, and exit() ends the
   program through the console (with semihosting, its status becomes the QEMU process's exit code).
   Every call is weak, so firmware that defines its own (a _write to its own UART or to an RTT
   buffer) replaces the SDK's without a "multiple definition" error. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "console.h"

/* Keeps the heap this far below the current stack pointer. */
#define AD_STACK_MARGIN 1024u

extern char end; /* first free byte after .bss, from the linker script */

#define AD_WEAK __attribute__((weak))

AD_WEAK int _write(int fd, const char *data, int length);
AD_WEAK int _read(int fd, char *data, int length);
AD_WEAK int _close(int fd);
AD_WEAK int _lseek(int fd, int offset, int whence);
AD_WEAK int _fstat(int fd, struct stat *st);
AD_WEAK int _isatty(int fd);
AD_WEAK void *_sbrk(ptrdiff_t increment);
AD_WEAK int _getpid(void);
AD_WEAK int _kill(int pid, int signal);
AD_WEAK void _exit(int status);

int _write(int fd, const char *data, int length)
{
    if (fd != 1 && fd != 2) {
        errno = EBADF;
        return -1;
    }
    if (length <= 0) return 0;
    return (int)ad_console_write(fd == 2, data, (size_t)length);
}

int _read(int fd, char *data, int length)
{
    (void)fd;
    (void)data;
    (void)length;
    return 0; /* no input: end of file */
}

int _close(int fd)
{
    (void)fd;
    errno = EBADF;
    return -1;
}

int _lseek(int fd, int offset, int whence)
{
    (void)fd;
    (void)offset;
    (void)whence;
    return 0;
}

int _fstat(int fd, struct stat *st)
{
    (void)fd;
    st->st_mode = S_IFCHR; /* a terminal: stdio then buffers by line */
    return 0;
}

int _isatty(int fd)
{
    return fd >= 0 && fd <= 2;
}

void *_sbrk(ptrdiff_t increment)
{
    static char *heap_end = NULL;
    char *stack_pointer;
    char *previous;
    if (heap_end == NULL) heap_end = &end;
    __asm__ volatile("mov %0, sp" : "=r"(stack_pointer));
    if ((uintptr_t)heap_end + (uintptr_t)increment + AD_STACK_MARGIN > (uintptr_t)stack_pointer) {
        errno = ENOMEM;
        return (void *)-1;
    }
    previous = heap_end;
    heap_end += increment;
    return previous;
}

int _getpid(void)
{
    return 1;
}

int _kill(int pid, int signal)
{
    (void)pid;
    (void)signal;
    errno = EINVAL;
    return -1;
}

void _exit(int status)
{
    ad_console_exit(status);
}
