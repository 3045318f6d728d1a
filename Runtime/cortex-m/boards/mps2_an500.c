/*
 * mps2_an500.c - Arm MPS2 with the AN500 FPGA image (Cortex-M7), as QEMU
 * models it (`qemu-system-arm -M mps2-an500`). It is the board the runtime is
 * tested on without hardware: serial goes to QEMU's stdout, and the exit
 * status reaches the shell through semihosting, so QEMU must be started with
 * `-semihosting-config enable=on,target=native`.
 *
 * Its capabilities come from inputs embedded at build time. It deliberately
 * does not offer IMAGE, so a rune needing a camera is refused here.
 */
#include "cortex-m/board.h"
#include "cortex-m/serial_ring.h"

#define REG32(address) (*(volatile uint32_t *)(address))

/* CMSDK APB UART0; QEMU connects it to the first serial port (-nographic: stdout). */
#define UART0_DATA REG32(0x40004000u)
#define UART0_STATE REG32(0x40004004u)
#define UART0_CTRL REG32(0x40004008u)
#define UART0_INTCLEAR REG32(0x4000400Cu)
#define UART0_BAUDDIV REG32(0x40004010u)
#define UART_STATE_TX_FULL 0x1u
#define UART_STATE_RX_FULL 0x2u
#define UART_STATE_RX_OVERRUN 0x8u /* write one to clear */
#define UART_CTRL_TX_ENABLE 0x1u
#define UART_CTRL_RX_ENABLE 0x2u
#define UART_CTRL_RX_INTERRUPT 0x8u
#define UART_INT_RX 0x2u
/* UART0's receive interrupt on AN500 (its transmit one is 1). */
#define UART0_RX_IRQ 0u
#define NVIC_ISER0 REG32(0xE000E100u)

#define DEMCR REG32(0xE000EDFCu)
#define DEMCR_TRCENA (1u << 24)
#define DWT_CTRL REG32(0xE0001000u)
#define DWT_CYCCNT REG32(0xE0001004u)
#define DWT_LAR REG32(0xE0001FB0u)
#define SYST_CSR REG32(0xE000E010u)
#define SYST_RVR REG32(0xE000E014u)
#define SYST_CVR REG32(0xE000E018u)
#define ICSR REG32(0xE000ED04u)
#define ICSR_PENDSTSET (1u << 26)
#define AIRCR REG32(0xE000ED0Cu)
#define AIRCR_VECTKEY (0x05FAu << 16)
#define AIRCR_SYSRESETREQ (1u << 2)

/* AN500's SYSCLK, which QEMU also uses as the CPU clock. */
#define CLOCK_HZ 25000000u

static bool have_cycle_counter;
static rune_serial_ring received;
static volatile uint32_t systick_wraps;

/*
 * QEMU does not model the DWT: its registers read as zero, so CYCCNT never
 * moves. Then SysTick, a 24-bit down-counter at the CPU clock, counts instead,
 * with its wraps counted in the interrupt. In QEMU either counts emulated
 * time, not instructions, so cycle figures there are only indicative.
 */
static void start_cycle_counter(void) {
    DEMCR |= DEMCR_TRCENA;
    DWT_LAR = 0xC5ACCE55u; /* the M7 locks DWT registers until this key */
    DWT_CYCCNT = 0;
    DWT_CTRL |= 1u;
    const uint32_t before = DWT_CYCCNT;
    for (volatile uint32_t i = 0; i < 64; i++) {
    }
    have_cycle_counter = DWT_CYCCNT != before;
    if (!have_cycle_counter) {
        SYST_RVR = 0x00FFFFFFu;
        SYST_CVR = 0;
        SYST_CSR = 0x7u; /* processor clock, interrupt on wrap, enabled */
    }
}

void rune_board_systick(void) { systick_wraps++; }

void rune_board_init(void) {
    UART0_BAUDDIV = 16; /* the smallest divisor the CMSDK UART accepts */
    UART0_CTRL = UART_CTRL_TX_ENABLE | UART_CTRL_RX_ENABLE | UART_CTRL_RX_INTERRUPT;
    NVIC_ISER0 = 1u << UART0_RX_IRQ;
    start_cycle_counter();
}

void rune_board_serial_write(const char *data, uint32_t length) {
    for (uint32_t i = 0; i < length; i++) {
        while (UART0_STATE & UART_STATE_TX_FULL) {
        }
        UART0_DATA = (uint8_t)data[i];
    }
}

/* The CMSDK UART holds one received byte. Its receive interrupt is cleared
 * before the byte is read: one arriving after that raises it again. */
int rune_board_irq(uint32_t irq) {
    if (irq != UART0_RX_IRQ) return 0;
    UART0_INTCLEAR = UART_INT_RX;
    uint32_t state;
    while ((state = UART0_STATE) & UART_STATE_RX_FULL) {
        const bool overran = (state & UART_STATE_RX_OVERRUN) != 0;
        if (overran) UART0_STATE = UART_STATE_RX_OVERRUN;
        rune_serial_ring_put(&received, (uint8_t)UART0_DATA, overran);
    }
    return 1;
}

int rune_board_serial_read(uint8_t *byte) { return rune_serial_ring_get(&received, byte); }

void rune_board_reset(void) {
    /* The CMSDK UART has no shift-register-empty flag; QEMU sends each byte
     * as it is written, so the response is out once TX is not full. */
    while (UART0_STATE & UART_STATE_TX_FULL) {
    }
    __asm volatile("dsb" ::: "memory");
    AIRCR = AIRCR_VECTKEY | AIRCR_SYSRESETREQ;
    __asm volatile("dsb" ::: "memory");
    for (;;) __asm volatile("wfi");
}

/* SysTick's count, read past 0: the counter pends the wrap as it reaches 0
 * and reloads a tick later, so 0 belongs to the period that is ending. The
 * reads are bounded for a counter that is not running (before init). */
static uint32_t systick_count(void) {
    uint32_t count = SYST_CVR;
    for (uint32_t reads = 0; count == 0 && reads < 1000; reads++) count = SYST_CVR;
    return count;
}

uint32_t rune_board_cycles(void) {
    if (have_cycle_counter) return DWT_CYCCNT;
    /* With interrupts masked the wrap count holds still; a wrap the handler
     * has not yet counted shows as a pending SysTick, and then the counter
     * is re-read so that it is certainly from after that wrap. A 0 read
     * with the wrap pending would be placed a whole period ahead (seen under
     * QEMU with -icount: a call spanning it lasted 2^32 - 2^24 cycles), hence
     * systick_count. */
    uint32_t primask;
    __asm volatile("mrs %0, primask\n cpsid i" : "=r"(primask) :: "memory");
    uint32_t count = systick_count();
    uint32_t wraps = systick_wraps;
    if (ICSR & ICSR_PENDSTSET) {
        count = systick_count();
        wraps++;
    }
    __asm volatile("msr primask, %0" :: "r"(primask) : "memory");
    return (wraps << 24) + (0x00FFFFFFu - count);
}

uint32_t rune_board_clock_hz(void) { return CLOCK_HZ; }

int rune_board_has_capability(rune_capability_kind kind) {
    static const rune_capability_kind kinds[] = {RUNE_CAPABILITY_KIND_RAW, RUNE_CAPABILITY_KIND_RAND, RUNE_CAPABILITY_KIND_SOUND, RUNE_CAPABILITY_KIND_ACCEL};
    for (uint32_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        if (kinds[k] == kind) return 1;
    }
    return 0;
}

const char *rune_board_name(void) { return "mps2-an500"; }

/* ARM semihosting: operation in r0, argument in r1, `bkpt 0xab` traps to QEMU. */
static void semihost(uint32_t operation, const void *argument) {
    register uint32_t r0 __asm__("r0") = operation;
    register const void *r1 __asm__("r1") = argument;
    __asm volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
}

#define SYS_EXIT 0x18u
#define SYS_EXIT_EXTENDED 0x20u
#define ADP_STOPPED_APPLICATION_EXIT 0x20026u
#define ADP_STOPPED_RUN_TIME_ERROR_UNKNOWN 0x20023u

void rune_board_exit(int status) {
    if (status == 0) {
        /* On 32-bit Arm, SYS_EXIT takes the reason itself, not a block. */
        semihost(SYS_EXIT, (const void *)ADP_STOPPED_APPLICATION_EXIT);
    } else {
        /* Only SYS_EXIT_EXTENDED carries a status; where it is missing, a
         * run-time error at least makes QEMU exit with 1. */
        const uint32_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, (uint32_t)status};
        semihost(SYS_EXIT_EXTENDED, block);
        semihost(SYS_EXIT, (const void *)ADP_STOPPED_RUN_TIME_ERROR_UNKNOWN);
    }
    for (;;) __asm volatile("wfi");
}
