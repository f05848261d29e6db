/* SPDX-License-Identifier: MIT */
/* Polled USART2 driver for the console (board.yaml `uart_source:`), TX on PA2 and RX on PA3
   (alternate function 7), 8 data bits, no parity, 1 stop bit. These are the pins the Nucleo-64
   boards with an STM32F4 (NUCLEO-F401RE, -F411RE, -F446RE) wire to the ST-LINK's virtual COM port
   (UM1724, "USART communication"), so output appears on the USB serial device the ST-LINK adds to
   the host. On other STM32F4 boards connect a 3.3 V USB-serial adapter to PA2 (and PA3). In QEMU's
   netduinoplus2, USART2 is the second -serial device.

   The baud rate divisor is computed from the APB1 clock: 16 MHz after reset (HSI, no prescaler).
   Firmware that switches to the PLL before printing sets AUTODIFF_UART_CLOCK_HZ to its APB1 clock. */
#include <stdint.h>

#ifndef AUTODIFF_UART_CLOCK_HZ
#define AUTODIFF_UART_CLOCK_HZ 16000000u
#endif
#ifndef AUTODIFF_UART_BAUD
#define AUTODIFF_UART_BAUD 115200u
#endif

#define AD_REG(address) (*(volatile uint32_t *)(address))

#define RCC_AHB1ENR AD_REG(0x40023830u)
#define RCC_APB1ENR AD_REG(0x40023840u)
#define GPIOA_MODER AD_REG(0x40020000u)
#define GPIOA_AFRL AD_REG(0x40020020u)
#define USART2_SR AD_REG(0x40004400u)
#define USART2_DR AD_REG(0x40004404u)
#define USART2_BRR AD_REG(0x40004408u)
#define USART2_CR1 AD_REG(0x4000440Cu)

#define RCC_AHB1ENR_GPIOAEN (1u << 0)
#define RCC_APB1ENR_USART2EN (1u << 17)
#define USART_SR_TC (1u << 6)
#define USART_SR_TXE (1u << 7)
#define USART_CR1_RE (1u << 2)
#define USART_CR1_TE (1u << 3)
#define USART_CR1_UE (1u << 13)

void ad_uart_init(void);
void ad_uart_put(char c);
void ad_uart_flush(void);

void ad_uart_init(void)
{
    RCC_AHB1ENR |= RCC_AHB1ENR_GPIOAEN;
    RCC_APB1ENR |= RCC_APB1ENR_USART2EN;
    (void)RCC_APB1ENR; /* read back, so the clock is running before the peripheral is written (ST errata: delay after enabling a peripheral clock) */

    /* PA2 and PA3: alternate function mode (0b10), function 7 (USART1..3). */
    GPIOA_MODER = (GPIOA_MODER & ~(0xFu << 4)) | (0xAu << 4);
    GPIOA_AFRL = (GPIOA_AFRL & ~(0xFFu << 8)) | (0x77u << 8);

    /* 16x oversampling: BRR holds the clock divided by the baud rate, in 1/16ths (rounded). */
    USART2_BRR = (AUTODIFF_UART_CLOCK_HZ + AUTODIFF_UART_BAUD / 2u) / AUTODIFF_UART_BAUD;
    USART2_CR1 = USART_CR1_UE | USART_CR1_TE | USART_CR1_RE;
}

void ad_uart_put(char c)
{
    while ((USART2_SR & USART_SR_TXE) == 0u) {
    }
    USART2_DR = (uint8_t)c;
}

void ad_uart_flush(void)
{
    while ((USART2_SR & USART_SR_TC) == 0u) {
    }
}
