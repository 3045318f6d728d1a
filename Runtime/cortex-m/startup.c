/*
 * startup.c - from reset to rune_firmware_main on any Cortex-M7 board: the
 * vector table, C runtime set-up, and fault reports over serial.
 *
 * The linker script of each board provides the symbols below and places
 * .isr_vector first in flash, where the core (or a bootloader) finds it.
 */
#include "rune.h"
#include "cortex-m/board.h"
#include "cortex-m/firmware.h"

extern uint32_t _sidata[], _sdata[], _edata[], _sbss[], _ebss[], _saxisram[], _eaxisram[];
extern uint32_t _estack[];

#define REG32(address) (*(volatile uint32_t *)(address))
#define SCB_VTOR REG32(0xE000ED08u)
#define SCB_CFSR REG32(0xE000ED28u)
#define SCB_CPACR REG32(0xE000ED88u)

/* Enough external interrupts for the largest supported part, the STM32H747
 * (150); unused entries cost four bytes of flash each. */
#define IRQ_COUNT 160

typedef void (*rune_vector)(void);

void Reset_Handler(void);
void Default_Handler(void);
void HardFault_Handler(void);
void MemManage_Handler(void);
void BusFault_Handler(void);
void UsageFault_Handler(void);
/* Defined below, weak, for RunicOS to override. */
void SysTick_Handler(void);
/* RunicOS overrides SVC_Handler; the others stay unclaimed. */
void NMI_Handler(void) __attribute__((weak, alias("Default_Handler")));
void SVC_Handler(void) __attribute__((weak, alias("Default_Handler")));
void DebugMon_Handler(void) __attribute__((weak, alias("Default_Handler")));
void PendSV_Handler(void) __attribute__((weak, alias("Default_Handler")));
/* Every external interrupt: the board serves its own (rune_board_irq). */
static void External_Handler(void);

#define D External_Handler
#define D8 D, D, D, D, D, D, D, D
#define D32 D8, D8, D8, D8

__attribute__((section(".isr_vector"), used))
const rune_vector rune_vector_table[16 + IRQ_COUNT] = {
    (rune_vector)(uintptr_t)_estack, /* the core loads MSP from here */
    Reset_Handler,
    NMI_Handler,
    HardFault_Handler,
    MemManage_Handler,
    BusFault_Handler,
    UsageFault_Handler,
    0, 0, 0, 0,
    SVC_Handler,
    DebugMon_Handler,
    0,
    PendSV_Handler,
    SysTick_Handler,
    D32, D32, D32, D32, D32,
};

#undef D
#undef D8
#undef D32

static void serial_text(const char *text) {
    uint32_t length = 0;
    while (text[length]) length++;
    rune_board_serial_write(text, length);
}

static void serial_hex(uint32_t value) {
    char digits[10] = {'0', 'x'};
    for (int i = 0; i < 8; i++) digits[2 + i] = "0123456789abcdef"[(value >> (28 - 4 * i)) & 0xf];
    rune_board_serial_write(digits, sizeof digits);
}

/*
 * Called by the fault handlers with the exception frame the core pushed; its
 * seventh word is the PC of the faulting instruction. Printing goes straight
 * to the board, not through the console buffer, which may be what faulted.
 */
__attribute__((used, noreturn)) void rune_fault_report(const uint32_t *frame, uint32_t kind) {
    static const char *const kinds[] = {"hard fault", "memory management fault", "bus fault", "usage fault"};
    serial_text("fatal: ");
    serial_text(kinds[kind & 3]);
    serial_text(" at pc=");
    serial_hex(frame[6]);
    serial_text(", cfsr=");
    serial_hex(SCB_CFSR);
    serial_text("\n");
    rune_board_exit(3);
}

/* Naked so the frame is found before any C prologue moves the stack pointer;
 * EXC_RETURN bit 2 (in LR) says whether it is on the main or process stack.
 * Weak: RunicOS turns a fault of the rune it runs into a trap instead. */
#define FAULT_HANDLER(name, kind)                  \
    __attribute__((naked, weak)) void name(void) { \
        __asm volatile("tst lr, #4\n"              \
                       "ite eq\n"                  \
                       "mrseq r0, msp\n"           \
                       "mrsne r0, psp\n"           \
                       "movs r1, #" #kind "\n"     \
                       "b rune_fault_report\n");   \
    }

FAULT_HANDLER(HardFault_Handler, 0)
FAULT_HANDLER(MemManage_Handler, 1)
FAULT_HANDLER(BusFault_Handler, 2)
FAULT_HANDLER(UsageFault_Handler, 3)

/* Any exception nobody claimed: report its number rather than hang silently. */
void Default_Handler(void) {
    uint32_t ipsr;
    __asm volatile("mrs %0, ipsr" : "=r"(ipsr));
    serial_text("fatal: unexpected exception ");
    char digits[4];
    uint32_t count = 0;
    uint32_t number = ipsr & 0x1ff;
    do {
        digits[3 - count++] = (char)('0' + number % 10);
        number /= 10;
    } while (number != 0);
    rune_board_serial_write(digits + 4 - count, count);
    serial_text("\n");
    rune_board_exit(3);
}

static void External_Handler(void) {
    uint32_t ipsr;
    __asm volatile("mrs %0, ipsr" : "=r"(ipsr));
    if (!rune_board_irq((ipsr & 0x1ffu) - 16u)) Default_Handler();
}

/* Weak: RunicOS also runs its watchdog from the tick. */
__attribute__((weak)) void SysTick_Handler(void) { rune_board_systick(); }

void Reset_Handler(void) {
    /* The FPU first: with the hard-float ABI the compiler may use it anywhere,
     * and until CP10/CP11 are granted any FP instruction is a UsageFault. */
    SCB_CPACR |= 0xFu << 20;
    __asm volatile("dsb\n isb" ::: "memory");
    /* A bootloader may have left VTOR pointing at its own table. */
    SCB_VTOR = (uint32_t)(uintptr_t)rune_vector_table;
    __asm volatile("dsb\n isb" ::: "memory");

    for (uint32_t *from = _sidata, *to = _sdata; to < _edata;) *to++ = *from++;
    for (uint32_t *to = _sbss; to < _ebss;) *to++ = 0;
    for (uint32_t *to = _saxisram; to < _eaxisram;) *to++ = 0;

    rune_board_init();
    rune_board_exit(rune_firmware_main());
}
