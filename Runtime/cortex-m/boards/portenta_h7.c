/*
 * portenta_h7.c - Arduino Portenta H7, the STM32H747's Cortex-M7 core,
 * started by the Arduino bootloader from 0x08040000 (portenta-h7.ld).
 *
 * Assumptions, since this runtime sets up no clock tree of its own:
 *  - the bootloader has left the core at 480 MHz with APB2 at 120 MHz, as
 *    the Arduino mbed core configures it;
 *  - serial is USART1 on PA9 (TX) / PA10 (RX), the Portenta's Serial1, at
 *    115200 8N1. If USART1 is already enabled it is used as found (with its
 *    receiver switched on); else its clock and pins are switched on and its
 *    baud rate derived from the APB2 clock above.
 * Capabilities come from inputs embedded at build time. There is nothing to
 * exit to: the firmware ends by sleeping.
 */
#include "cortex-m/board.h"
#include "cortex-m/serial_ring.h"

#define REG32(address) (*(volatile uint32_t *)(address))

#define RCC_AHB4ENR REG32(0x580244E0u)
#define RCC_APB2ENR REG32(0x580244F0u)
#define RCC_AHB4ENR_GPIOAEN (1u << 0)
#define RCC_APB2ENR_USART1EN (1u << 4)

#define GPIOA_MODER REG32(0x58020000u)
#define GPIOA_AFRH REG32(0x58020024u)

#define USART1_CR1 REG32(0x40011000u)
#define USART1_BRR REG32(0x4001100Cu)
#define USART1_ISR REG32(0x4001101Cu)
#define USART1_ICR REG32(0x40011020u)
#define USART1_RDR REG32(0x40011024u)
#define USART1_TDR REG32(0x40011028u)
#define USART_CR1_UE (1u << 0)
#define USART_CR1_RE (1u << 2)
#define USART_CR1_TE (1u << 3)
#define USART_CR1_RXNEIE (1u << 5) /* RXFNEIE with the FIFO on; also raised by an overrun */
#define USART_ISR_RXNE (1u << 5) /* RXFNE when the FIFO is on: a byte either way */
#define USART_ISR_ORE (1u << 3)
#define USART_ICR_ORECF (1u << 3)
#define USART_ISR_TXE (1u << 7) /* TXFNF when the FIFO is on: room either way */
#define USART_ISR_TC (1u << 6)

#define USART1_IRQ 37u
#define NVIC_ISER1 REG32(0xE000E104u)

#define APB2_HZ 120000000u
#define BAUD 115200u

#define DEMCR REG32(0xE000EDFCu)
#define DEMCR_TRCENA (1u << 24)
#define DWT_CTRL REG32(0xE0001000u)
#define DWT_CYCCNT REG32(0xE0001004u)
#define DWT_LAR REG32(0xE0001FB0u)

#define SCB_CCR REG32(0xE000ED14u)
#define SCB_ICIALLU REG32(0xE000EF50u)
#define SCB_CCR_IC (1u << 17)
#define SCB_AIRCR REG32(0xE000ED0Cu)
#define AIRCR_VECTKEY (0x05FAu << 16)
#define AIRCR_SYSRESETREQ (1u << 2)

static rune_serial_ring received;
static bool overran; /* an overrun lost bytes before the next one received */

static void start_serial(void) {
    NVIC_ISER1 = 1u << (USART1_IRQ - 32u);
    if (USART1_CR1 & USART_CR1_UE) {
        /* RE and RXNEIE may change while the USART is enabled. */
        USART1_CR1 |= USART_CR1_RE | USART_CR1_RXNEIE;
        return;
    }
    RCC_AHB4ENR |= RCC_AHB4ENR_GPIOAEN;
    RCC_APB2ENR |= RCC_APB2ENR_USART1EN;
    (void)RCC_APB2ENR; /* the enable takes effect only after a read-back */
    /* PA9 and PA10 to alternate function 7, USART1. */
    GPIOA_MODER = (GPIOA_MODER & ~(0xFu << 18)) | (0xAu << 18);
    GPIOA_AFRH = (GPIOA_AFRH & ~(0xFFu << 4)) | (0x77u << 4);
    USART1_BRR = (APB2_HZ + BAUD / 2) / BAUD;
    USART1_CR1 = USART_CR1_TE | USART_CR1_RE | USART_CR1_RXNEIE | USART_CR1_UE;
}

/* Flash wait states make the M7 crawl without its instruction cache, which
 * is safe to switch on (unlike the data cache) with nothing else shared. */
static void enable_instruction_cache(void) {
    __asm volatile("dsb\n isb" ::: "memory");
    SCB_ICIALLU = 0;
    __asm volatile("dsb\n isb" ::: "memory");
    SCB_CCR |= SCB_CCR_IC;
    __asm volatile("dsb\n isb" ::: "memory");
}

void rune_board_init(void) {
    enable_instruction_cache();
    start_serial();
    DEMCR |= DEMCR_TRCENA;
    DWT_LAR = 0xC5ACCE55u; /* the M7 locks DWT registers until this key */
    DWT_CYCCNT = 0;
    DWT_CTRL |= 1u;
}

void rune_board_serial_write(const char *data, uint32_t length) {
    for (uint32_t i = 0; i < length; i++) {
        while (!(USART1_ISR & USART_ISR_TXE)) {
        }
        USART1_TDR = (uint8_t)data[i];
    }
}

/* Drains the receiver (its FIFO, if the bootloader left it on) into the
 * ring. An overrun stops reception until it is cleared, and the bytes it
 * lost are a gap the ring reports before the next byte. */
int rune_board_irq(uint32_t irq) {
    if (irq != USART1_IRQ) return 0;
    for (;;) {
        const uint32_t status = USART1_ISR;
        if (status & USART_ISR_ORE) {
            USART1_ICR = USART_ICR_ORECF;
            overran = true;
        }
        if (!(status & USART_ISR_RXNE)) return 1;
        rune_serial_ring_put(&received, (uint8_t)USART1_RDR, overran);
        overran = false;
    }
}

int rune_board_serial_read(uint8_t *byte) { return rune_serial_ring_get(&received, byte); }

void rune_board_reset(void) {
    while (!(USART1_ISR & USART_ISR_TC)) {
    }
    __asm volatile("dsb" ::: "memory");
    SCB_AIRCR = AIRCR_VECTKEY | AIRCR_SYSRESETREQ;
    __asm volatile("dsb" ::: "memory");
    for (;;) __asm volatile("wfi");
}

uint32_t rune_board_cycles(void) { return DWT_CYCCNT; }

/* DWT counts cycles here, so SysTick only drives RunicOS's watchdog. */
void rune_board_systick(void) {}

uint32_t rune_board_clock_hz(void) { return 480000000u; }

int rune_board_has_capability(rune_capability_kind kind) {
    static const rune_capability_kind kinds[] = {RUNE_CAPABILITY_KIND_RAW, RUNE_CAPABILITY_KIND_RAND, RUNE_CAPABILITY_KIND_SOUND, RUNE_CAPABILITY_KIND_IMAGE, RUNE_CAPABILITY_KIND_ACCEL};
    for (uint32_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        if (kinds[k] == kind) return 1;
    }
    return 0;
}

const char *rune_board_name(void) { return "portenta-h7"; }

void rune_board_exit(int status) {
    (void)status; /* already printed; no host to hand it to */
    while (!(USART1_ISR & USART_ISR_TC)) {
    }
    for (;;) __asm volatile("wfi");
}
