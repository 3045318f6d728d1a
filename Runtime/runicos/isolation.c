/*
 * isolation.c - the rune's way in and out of unprivileged mode (see
 * isolation.h).
 *
 * Entering: the OS executes SVC 0 from runicos_enter; the handler remembers
 * the OS's exception frame, builds a frame on the rune's stack whose PC is
 * the entry and whose LR is the return gate, drops privilege (CONTROL.nPRIV)
 * and returns into it on the process stack. Leaving: the return gate, the
 * trap gate, a fault or the watchdog put privilege back and return into the
 * OS's frame instead, with the code in its r0; the rune's stack is simply
 * abandoned, so no state of the rune is trusted on the way out.
 *
 * FP state is stacked eagerly (FPCCR.LSPEN off): every exception from code
 * that used the FPU saves s0-s15 at once, so an abandoned rune frame never
 * holds a pending lazy save and the OS's frame is always whole.
 */
#include "runicos/isolation.h"
#include "cortex-m/board.h"
#include "cortex-m/console.h"

#define REG32(address) (*(volatile uint32_t *)(address))
#define SCB_SHCSR REG32(0xE000ED24u)
#define SCB_CFSR REG32(0xE000ED28u)
#define SCB_HFSR REG32(0xE000ED2Cu)
#define SCB_MMFAR REG32(0xE000ED34u)
#define SCB_BFAR REG32(0xE000ED38u)
#define SCB_SHPR2 REG32(0xE000ED1Cu)
#define SCB_SHPR3 REG32(0xE000ED20u)
#define FPCCR REG32(0xE000EF34u)
#define SCB_ICIALLU REG32(0xE000EF50u)
#define SYST_CSR REG32(0xE000E010u)
#define SYST_RVR REG32(0xE000E014u)
#define SYST_CVR REG32(0xE000E018u)
#define MPU_TYPE REG32(0xE000ED90u)
#define MPU_CTRL REG32(0xE000ED94u)
#define MPU_RNR REG32(0xE000ED98u)
#define MPU_RBAR REG32(0xE000ED9Cu)
#define MPU_RASR REG32(0xE000EDA0u)

#define SHCSR_FAULTS ((1u << 16) | (1u << 17) | (1u << 18)) /* MemManage, BusFault, UsageFault enabled */
#define CFSR_MMARVALID (1u << 7)
#define CFSR_BFARVALID (1u << 15)
#define FPCCR_LSPEN (1u << 30)
#define MPU_CTRL_ENABLE 1u
#define MPU_CTRL_PRIVDEFENA 4u
#define RASR_ENABLE 1u
#define RASR_XN (1u << 28)
#define RASR_AP_FULL (3u << 24)
#define RASR_AP_READ_ONLY (6u << 24)
#define RASR_NORMAL_WRITE_BACK ((1u << 19) | (1u << 17) | (1u << 16)) /* TEX=001 C=1 B=1 */
#define RASR_NORMAL_WRITE_THROUGH (1u << 17)                          /* TEX=000 C=1 B=0 */

#define EXC_RETURN_THREAD_PSP 0xFFFFFFFDu
#define XPSR_THUMB 0x01000000u

extern const runicos_gates runicos_gate_table;
extern uint8_t __runicos_gate_start[], __runicos_gate_end[];
void runicos_gate_return(void);
void runicos_gate_timeout(void);

/* The call in progress: set on entry, cleared on the way out. */
static volatile uint32_t rune_active;
static uint32_t *os_frame;          /* the OS's exception frame of SVC 0 */
static uint32_t os_exc_return;      /* its EXC_RETURN */
static uint32_t region_start, region_end; /* the rune's RAM region */
static uint32_t call_start_cycles;
static uint64_t call_budget_cycles;
static runicos_fault *call_fault;
/* Read by the handlers' epilogue: non-zero switches MSP back to the OS's
 * frame before the exception return. */
__attribute__((used)) uint32_t runicos_resume_msp;

static uint32_t region_size_field(uint32_t bytes) {
    uint32_t log2 = 0;
    while ((1u << log2) < bytes) log2++;
    return (log2 - 1) << 1; /* SIZE: 2^(SIZE+1) bytes */
}

int runicos_isolation_init(void) {
    const uint32_t regions = (MPU_TYPE >> 8) & 0xffu;
    if (regions < 3) {
        rune_console_text("error: RunicOS needs a Cortex-M MPU with 3 regions; this core has ");
        rune_console_u64(regions);
        rune_console_end_line();
        return -1;
    }
    SCB_SHCSR |= SHCSR_FAULTS;
    FPCCR &= ~FPCCR_LSPEN;
    /* SVC and SysTick share the lowest priority, so neither preempts the
     * other and each sees the rune's frame as it was. */
    SCB_SHPR2 = (SCB_SHPR2 & 0x00FFFFFFu) | (0xF0u << 24);
    SCB_SHPR3 = (SCB_SHPR3 & 0x00FFFFFFu) | (0xF0u << 24);
    /* The watchdog's tick: boards without a cycle counter of their own
     * already run SysTick as one; elsewhere start it, wrapping every 2^24
     * cycles (35 ms at 480 MHz). */
    if ((SYST_CSR & 1u) == 0) {
        SYST_RVR = 0x00FFFFFFu;
        SYST_CVR = 0;
        SYST_CSR = 7u;
    }
    __asm volatile("dsb\n isb" ::: "memory");
    return 0;
}

static void set_region(uint32_t number, uint32_t base, uint32_t bytes, uint32_t attributes) {
    MPU_RNR = number;
    MPU_RBAR = base;
    MPU_RASR = attributes | region_size_field(bytes) | RASR_ENABLE;
}

void runicos_isolation_map(const runicos_layout *layout, uint32_t slot) {
    MPU_CTRL = 0;
    __asm volatile("dsb\n isb" ::: "memory");
    set_region(0, layout->slot_address[slot], layout->slot_bytes, RASR_AP_READ_ONLY | RASR_NORMAL_WRITE_THROUGH);
    set_region(1, layout->ram_address, layout->ram_bytes, RASR_AP_FULL | RASR_XN | RASR_NORMAL_WRITE_BACK);
    const uint32_t gate = (uint32_t)(uintptr_t)__runicos_gate_start;
    set_region(2, gate, (uint32_t)(__runicos_gate_end - __runicos_gate_start), RASR_AP_READ_ONLY | RASR_NORMAL_WRITE_THROUGH);
    for (uint32_t r = 3; r < ((MPU_TYPE >> 8) & 0xffu); r++) {
        MPU_RNR = r;
        MPU_RASR = 0;
    }
    MPU_CTRL = MPU_CTRL_ENABLE | MPU_CTRL_PRIVDEFENA;
    /* The slot may have just been written: fetch its code afresh. */
    SCB_ICIALLU = 0;
    __asm volatile("dsb\n isb" ::: "memory");
    region_start = layout->ram_address;
    region_end = layout->ram_address + layout->ram_bytes;
}

void runicos_isolation_unmap(void) {
    MPU_CTRL = 0;
    __asm volatile("dsb\n isb" ::: "memory");
    region_start = region_end = 0;
}

/* r0 = function, r1 = arg0, r2 = arg1, r3 = stack top. The callee-saved
 * registers are the OS's; the rune may clobber every one of them. */
__attribute__((naked)) static int32_t enter(uint32_t function, uint32_t arg0, uint32_t arg1, uint32_t stack_top) {
    __asm volatile("push {r4-r11, lr}\n"
                   "vpush {d8-d15}\n"
                   "svc #0\n"
                   "vpop {d8-d15}\n"
                   "pop {r4-r11, pc}\n");
}

int32_t runicos_isolation_call(uint32_t function, uint32_t arg0, uint32_t arg1, uint32_t stack_top, uint64_t budget_cycles,
                               runicos_fault *fault) {
    fault->code = 0;
    fault->pc = fault->address = fault->cfsr = 0;
    call_fault = fault;
    call_budget_cycles = budget_cycles;
    const int32_t code = enter(function, arg0, arg1, stack_top);
    fault->code = code;
    return code;
}

static bool in_region(uint32_t address, uint32_t bytes) {
    return address >= region_start && address <= region_end && bytes <= region_end - address;
}

static void set_privileged(bool privileged) {
    uint32_t control;
    __asm volatile("mrs %0, control" : "=r"(control));
    control = privileged ? (control & ~1u) : (control | 1u);
    __asm volatile("msr control, %0\n isb" ::"r"(control) : "memory");
}

/* Ends the rune's call with `code`: the OS's SVC 0 returns it. Returns the
 * EXC_RETURN to leave the handler with. */
static uint32_t leave(int32_t code) {
    os_frame[0] = (uint32_t)code;
    set_privileged(true);
    rune_active = 0;
    runicos_resume_msp = (uint32_t)(uintptr_t)os_frame;
    return os_exc_return;
}

static uint32_t enter_rune(uint32_t *frame, uint32_t exc_return) {
    const uint32_t function = frame[0], arg0 = frame[1], arg1 = frame[2], stack_top = frame[3];
    os_frame = frame;
    os_exc_return = exc_return;
    if ((stack_top & 7u) != 0 || !in_region(stack_top - 32, 32)) return leave(RUNICOS_TRAP_BAD_SYSTEM_CALL);
    uint32_t *rune_frame = (uint32_t *)(uintptr_t)(stack_top - 32);
    rune_frame[0] = arg0;
    rune_frame[1] = arg1;
    rune_frame[2] = rune_frame[3] = rune_frame[4] = 0;
    rune_frame[5] = (uint32_t)(uintptr_t)runicos_gate_return | 1u;
    rune_frame[6] = function & ~1u;
    rune_frame[7] = XPSR_THUMB;
    __asm volatile("msr psp, %0" ::"r"(rune_frame));
    set_privileged(false);
    call_start_cycles = rune_board_cycles();
    rune_active = 1;
    return EXC_RETURN_THREAD_PSP;
}

static uint32_t host_call(uint32_t *frame, uint32_t exc_return) {
    const uint32_t import = frame[1], address = frame[2];
    /* Four cells cover every import of rune.h (at most four arguments, one result). */
    if ((address & 7u) != 0 || !in_region(address, 4 * 8)) return leave(RUNICOS_TRAP_BAD_SYSTEM_CALL);
    volatile uint64_t *cells = (volatile uint64_t *)(uintptr_t)address;
    uint64_t values[4];
    for (uint32_t i = 0; i < 4; i++) values[i] = cells[i];
    const int32_t status = runicos_kernel_host_call(import, values);
    if (status != 0) return leave(status);
    /* Only the result cell goes back: the thunk's buffer may be shorter
     * than four cells, and what lies past it is the rune's stack. */
    cells[0] = values[0];
    frame[0] = 0;
    return exc_return;
}

/* Called by SVC_Handler with the stacked frame and EXC_RETURN. */
__attribute__((used)) uint32_t runicos_svc(uint32_t *frame, uint32_t exc_return) {
    const bool from_rune = (exc_return & 4u) != 0;
    if (!from_rune) {
        const uint8_t number = *(const uint8_t *)(uintptr_t)(frame[6] - 2);
        if (number == RUNICOS_SVC_ENTER && !rune_active) return enter_rune(frame, exc_return);
        rune_console_text("fatal: unexpected system call from the OS");
        rune_console_end_line();
        rune_board_exit(3);
    }
    /* The rune's frame was stacked with its own rights, so it lies where the
     * rune may write; the check keeps the OS from trusting even that. */
    if (!rune_active || !in_region((uint32_t)(uintptr_t)frame, 32)) return leave(RUNICOS_TRAP_BAD_SYSTEM_CALL);
    const uint8_t number = *(const uint8_t *)(uintptr_t)(frame[6] - 2);
    switch (number) {
    case RUNICOS_SVC_HOST_CALL: return host_call(frame, exc_return);
    case RUNICOS_SVC_TRAP: {
        const int32_t code = (int32_t)frame[0];
        return leave(code != 0 ? code : RUNICOS_TRAP_BAD_SYSTEM_CALL);
    }
    case RUNICOS_SVC_RETURN: return leave(0);
    default: return leave(RUNICOS_TRAP_BAD_SYSTEM_CALL);
    }
}

/* Called by the fault handlers; `kind` 0 hard, 1 MemManage, 2 BusFault, 3
 * UsageFault. A fault of the OS itself is fatal, as in direct firmware. */
__attribute__((used)) uint32_t runicos_fault_entry(uint32_t *frame, uint32_t exc_return, uint32_t kind) {
    void rune_fault_report(const uint32_t *frame, uint32_t kind);
    if (!rune_active || (exc_return & 4u) == 0) rune_fault_report(frame, kind);
    static const int32_t codes[] = {RUNICOS_TRAP_HARD_FAULT, RUNICOS_TRAP_MEMORY_FAULT, RUNICOS_TRAP_BUS_FAULT, RUNICOS_TRAP_USAGE_FAULT};
    const uint32_t cfsr = SCB_CFSR;
    call_fault->cfsr = cfsr;
    /* The frame may be where stacking failed: read it only if it is the rune's. */
    call_fault->pc = in_region((uint32_t)(uintptr_t)frame, 32) ? frame[6] : 0;
    call_fault->address = (cfsr & CFSR_MMARVALID) ? SCB_MMFAR : (cfsr & CFSR_BFARVALID) ? SCB_BFAR : 0;
    SCB_CFSR = cfsr; /* write-one-to-clear */
    SCB_HFSR = SCB_HFSR;
    return leave(codes[kind & 3]);
}

void runicos_isolation_tick(void) {
    if (!rune_active || call_budget_cycles == 0) return;
    if ((uint64_t)(uint32_t)(rune_board_cycles() - call_start_cycles) < call_budget_cycles) return;
    /* The tick interrupted the rune (SVC and SysTick never preempt each
     * other), so the process stack holds its frame: resume it in the timeout
     * gate, which traps. */
    uint32_t *frame;
    __asm volatile("mrs %0, psp" : "=r"(frame));
    if (!in_region((uint32_t)(uintptr_t)frame, 32)) return;
    call_fault->pc = frame[6];
    frame[6] = (uint32_t)(uintptr_t)runicos_gate_timeout & ~1u;
    frame[7] = XPSR_THUMB;
}

/* The common shape of the handlers: find the frame, let C decide, and leave
 * by the EXC_RETURN it returns, on the OS's frame if it said so. */
#define HANDLER_EPILOGUE                 \
    "movw r1, #:lower16:runicos_resume_msp\n" \
    "movt r1, #:upper16:runicos_resume_msp\n" \
    "ldr r2, [r1]\n"                     \
    "cbz r2, 1f\n"                       \
    "movs r3, #0\n"                      \
    "str r3, [r1]\n"                     \
    "msr msp, r2\n"                      \
    "1:\n"                               \
    "bx r0\n"

__attribute__((naked)) void SVC_Handler(void) {
    __asm volatile("tst lr, #4\n"
                   "ite eq\n"
                   "mrseq r0, msp\n"
                   "mrsne r0, psp\n"
                   "mov r1, lr\n"
                   "push {r4, lr}\n"
                   "bl runicos_svc\n"
                   "pop {r4, lr}\n" HANDLER_EPILOGUE);
}

#define FAULT_HANDLER(name, kind)                      \
    __attribute__((naked)) void name(void) {           \
        __asm volatile("tst lr, #4\n"                  \
                       "ite eq\n"                      \
                       "mrseq r0, msp\n"               \
                       "mrsne r0, psp\n"               \
                       "mov r1, lr\n"                  \
                       "movs r2, #" #kind "\n"         \
                       "push {r4, lr}\n"               \
                       "bl runicos_fault_entry\n"      \
                       "pop {r4, lr}\n" HANDLER_EPILOGUE); \
    }

FAULT_HANDLER(HardFault_Handler, 0)
FAULT_HANDLER(MemManage_Handler, 1)
FAULT_HANDLER(BusFault_Handler, 2)
FAULT_HANDLER(UsageFault_Handler, 3)

void SysTick_Handler(void) {
    rune_board_systick();
    runicos_isolation_tick();
}
