/* SPDX-License-Identifier: MIT */
/* Reset and vector table for Cortex-M boards: prepares RAM as C expects (.data copied from flash,
   .bss zeroed), turns on the FPU where there is one, runs the constructors, then main(), and ends
   with exit(main()): that flushes stdio and reaches _exit (syscalls.c), which ends the program
   through the board's console (console.h); with semihosting the value becomes the exit code of a
   QEMU run. */
#include <stdint.h>
#include <stdlib.h>

#include "console.h"

/* Device interrupts after the 16 core exceptions; each board passes its own count. */
#ifndef AUTODIFF_IRQ_COUNT
#define AUTODIFF_IRQ_COUNT 32
#endif

/* Symbols defined by cortexm_sections.ld. */
extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;

int main(void);
void Reset_Handler(void);
void Default_Handler(void);

/* newlib: runs .preinit_array, _init and .init_array (C constructors). */
void __libc_init_array(void);
/* Called by __libc_init_array (and newlib's exit path); the crti/crtn objects that would define
   them are not linked (-nostartfiles), and the sections they run are empty here. Weak, so a
   firmware that links its own keeps them. */
void _init(void) __attribute__((weak));
void _fini(void) __attribute__((weak));
void _init(void) {}
void _fini(void) {}

/* Core exception handlers: weak, so firmware overrides one by defining a function of that name. */
void NMI_Handler(void) __attribute__((weak, alias("Default_Handler")));
void HardFault_Handler(void) __attribute__((weak, alias("Default_Handler")));
void MemManage_Handler(void) __attribute__((weak, alias("Default_Handler")));
void BusFault_Handler(void) __attribute__((weak, alias("Default_Handler")));
void UsageFault_Handler(void) __attribute__((weak, alias("Default_Handler")));
void SVC_Handler(void) __attribute__((weak, alias("Default_Handler")));
void DebugMon_Handler(void) __attribute__((weak, alias("Default_Handler")));
void PendSV_Handler(void) __attribute__((weak, alias("Default_Handler")));
void SysTick_Handler(void) __attribute__((weak, alias("Default_Handler")));
void IRQ_Handler(void) __attribute__((weak, alias("Default_Handler")));

typedef void (*ad_handler_t)(void);

/* The device interrupt table is assembled from power-of-two blocks selected by the bits of
   AUTODIFF_IRQ_COUNT, so every board gets exactly its own number of entries in plain C99. */
#define AD_IRQ_1 IRQ_Handler
#define AD_IRQ_2 AD_IRQ_1, AD_IRQ_1
#define AD_IRQ_4 AD_IRQ_2, AD_IRQ_2
#define AD_IRQ_8 AD_IRQ_4, AD_IRQ_4
#define AD_IRQ_16 AD_IRQ_8, AD_IRQ_8
#define AD_IRQ_32 AD_IRQ_16, AD_IRQ_16
#define AD_IRQ_64 AD_IRQ_32, AD_IRQ_32
#define AD_IRQ_128 AD_IRQ_64, AD_IRQ_64

#if AUTODIFF_IRQ_COUNT < 1 || AUTODIFF_IRQ_COUNT > 255
#error "AUTODIFF_IRQ_COUNT must be between 1 and 255"
#endif

struct ad_irq_table {
#if AUTODIFF_IRQ_COUNT & 128
    ad_handler_t block128[128];
#endif
#if AUTODIFF_IRQ_COUNT & 64
    ad_handler_t block64[64];
#endif
#if AUTODIFF_IRQ_COUNT & 32
    ad_handler_t block32[32];
#endif
#if AUTODIFF_IRQ_COUNT & 16
    ad_handler_t block16[16];
#endif
#if AUTODIFF_IRQ_COUNT & 8
    ad_handler_t block8[8];
#endif
#if AUTODIFF_IRQ_COUNT & 4
    ad_handler_t block4[4];
#endif
#if AUTODIFF_IRQ_COUNT & 2
    ad_handler_t block2[2];
#endif
#if AUTODIFF_IRQ_COUNT & 1
    ad_handler_t block1[1];
#endif
};

/* The hardware reads the initial stack pointer from the first word and the reset address from the
   second; a struct keeps the stack pointer a data pointer, which ISO C requires. */
struct ad_vector_table {
    uint32_t *initial_stack;
    ad_handler_t core[15];
    struct ad_irq_table irq;
};

__attribute__((section(".isr_vector"), used)) const struct ad_vector_table ad_vectors = {
    &_estack,
    {
        Reset_Handler, NMI_Handler, HardFault_Handler, MemManage_Handler, BusFault_Handler,
        UsageFault_Handler, 0, 0, 0, 0, SVC_Handler, DebugMon_Handler, 0, PendSV_Handler,
        SysTick_Handler,
    },
    {
#if AUTODIFF_IRQ_COUNT & 128
        { AD_IRQ_128 },
#endif
#if AUTODIFF_IRQ_COUNT & 64
        { AD_IRQ_64 },
#endif
#if AUTODIFF_IRQ_COUNT & 32
        { AD_IRQ_32 },
#endif
#if AUTODIFF_IRQ_COUNT & 16
        { AD_IRQ_16 },
#endif
#if AUTODIFF_IRQ_COUNT & 8
        { AD_IRQ_8 },
#endif
#if AUTODIFF_IRQ_COUNT & 4
        { AD_IRQ_4 },
#endif
#if AUTODIFF_IRQ_COUNT & 2
        { AD_IRQ_2 },
#endif
#if AUTODIFF_IRQ_COUNT & 1
        { AD_IRQ_1 },
#endif
    },
};

void Reset_Handler(void)
{
    uint32_t *source = &_sidata;
    uint32_t *target;

#if defined(__ARM_FP)
    /* CPACR: full access to coprocessors 10 and 11 (the FPU) before any float instruction runs. */
    *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20;
    __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif

    for (target = &_sdata; target < &_edata;) *target++ = *source++;
    for (target = &_sbss; target < &_ebss;) *target++ = 0;

    __libc_init_array();
    exit(main());
}

void Default_Handler(void)
{
    /* An unexpected exception: report failure instead of hanging the run. */
    ad_console_exit(3);
}
