/*
 * stm32h7_flash.c - erasing and programming the STM32H747's embedded flash
 * for the rune slots (see stm32h7_flash.h for the part and the layout).
 *
 * Untested on hardware: the host tests run these sequences against a model
 * of the controller written from RM0399, so a misreading of the manual
 * shared by driver and model would not show. What the model cannot show
 * either: timing, ECC faults on read (a double ECC error is a bus fault on
 * the M7, not a return value here), and caches: RunicOS leaves the M7's data
 * cache off; whoever runs code from a slot after writing it must invalidate
 * the instruction cache first.
 */
#include "runicos/stm32h7_flash.h"

#define FLASH_END (RUNICOS_STM32H7_FLASH_BASE + RUNICOS_STM32H7_FLASH_BANKS * RUNICOS_STM32H7_FLASH_BANK_BYTES)

int runicos_stm32h7_flash_sectors(uint32_t address, uint32_t length, uint32_t *bank, uint32_t *first, uint32_t *last) {
    if (length == 0 || address < RUNICOS_STM32H7_FLASH_BASE || address >= FLASH_END) return -1;
    const uint32_t offset = address - RUNICOS_STM32H7_FLASH_BASE;
    if (length > (FLASH_END - RUNICOS_STM32H7_FLASH_BASE) - offset) return -1; /* past the end, or wrapping */
    const uint32_t end = offset + length - 1; /* the last byte, so a range ending on a boundary stays in its bank */
    if (offset / RUNICOS_STM32H7_FLASH_BANK_BYTES != end / RUNICOS_STM32H7_FLASH_BANK_BYTES) return -1;
    *bank = offset / RUNICOS_STM32H7_FLASH_BANK_BYTES;
    *first = (offset % RUNICOS_STM32H7_FLASH_BANK_BYTES) / RUNICOS_STM32H7_FLASH_SECTOR_BYTES;
    *last = (end % RUNICOS_STM32H7_FLASH_BANK_BYTES) / RUNICOS_STM32H7_FLASH_SECTOR_BYTES;
    return 0;
}

static bool within(uint32_t address, uint32_t length, uint32_t start, uint32_t bytes) {
    return address >= start && address - start < bytes && length <= bytes - (address - start);
}

bool runicos_stm32h7_flash_allowed(uint32_t address, uint32_t length) {
    if (length == 0) return false;
    return within(address, length, RUNICOS_PORTENTA_SLOT_A, RUNICOS_PORTENTA_SLOT_BYTES) ||
           within(address, length, RUNICOS_PORTENTA_SLOT_B, RUNICOS_PORTENTA_SLOT_BYTES);
}

bool runicos_stm32h7_flash_word_aligned(uint32_t address, uint32_t length) {
    return length != 0 && address % RUNICOS_STM32H7_FLASH_WORD_BYTES == 0 && length % RUNICOS_STM32H7_FLASH_WORD_BYTES == 0;
}

void runicos_stm32h7_flash_word(const uint8_t bytes[RUNICOS_STM32H7_FLASH_WORD_BYTES], uint32_t words[8]) {
    for (uint32_t i = 0; i < 8; i++) {
        const uint8_t *from = bytes + 4 * i;
        words[i] = (uint32_t)from[0] | (uint32_t)from[1] << 8 | (uint32_t)from[2] << 16 | (uint32_t)from[3] << 24;
    }
}

static runicos_stm32h7_flash_bank_registers *bank_registers(const runicos_stm32h7_flash *flash, uint32_t bank) {
    return &flash->registers->bank[bank];
}

/* Waits until the bank has nothing queued or running; false if it never
 * gets there. */
static bool wait_idle(const runicos_stm32h7_flash *flash, runicos_stm32h7_flash_bank_registers *registers) {
    for (uint32_t poll = 0; poll < RUNICOS_STM32H7_FLASH_POLL_LIMIT; poll++) {
        flash->barrier(flash->context);
        if ((registers->sr & (RUNICOS_STM32H7_FLASH_SR_QW | RUNICOS_STM32H7_FLASH_SR_BSY)) == 0) return true;
    }
    return false;
}

static void write_register(const runicos_stm32h7_flash *flash, volatile uint32_t *reg, uint32_t value) {
    *reg = value;
    flash->barrier(flash->context);
}

/* An operation does not start while an error flag from an earlier one is
 * set, and the flags of this one must be its own. */
static void clear_flags(const runicos_stm32h7_flash *flash, runicos_stm32h7_flash_bank_registers *registers) {
    write_register(flash, &registers->ccr, RUNICOS_STM32H7_FLASH_CCR_ALL);
}

/* After an operation: its error flags (0 if none), cleared. */
static uint32_t take_errors(const runicos_stm32h7_flash *flash, runicos_stm32h7_flash_bank_registers *registers) {
    const uint32_t errors = registers->sr & RUNICOS_STM32H7_FLASH_SR_ERRORS;
    clear_flags(flash, registers);
    return errors;
}

int runicos_stm32h7_flash_erase_sector(const runicos_stm32h7_flash *flash, uint32_t bank, uint32_t sector) {
    if (bank >= RUNICOS_STM32H7_FLASH_BANKS || sector >= RUNICOS_STM32H7_FLASH_SECTORS_PER_BANK) return -1;
    const uint32_t address = RUNICOS_STM32H7_FLASH_BASE + bank * RUNICOS_STM32H7_FLASH_BANK_BYTES + sector * RUNICOS_STM32H7_FLASH_SECTOR_BYTES;
    if (!runicos_stm32h7_flash_allowed(address, RUNICOS_STM32H7_FLASH_SECTOR_BYTES)) return -1;
    runicos_stm32h7_flash_bank_registers *registers = bank_registers(flash, bank);
    if ((registers->cr & RUNICOS_STM32H7_FLASH_CR_LOCK) != 0 || !wait_idle(flash, registers)) return -1;
    clear_flags(flash, registers);
    const uint32_t keep = registers->cr & ~(RUNICOS_STM32H7_FLASH_CR_PG | RUNICOS_STM32H7_FLASH_CR_SER | RUNICOS_STM32H7_FLASH_CR_BER |
                                            RUNICOS_STM32H7_FLASH_CR_PSIZE_MASK | RUNICOS_STM32H7_FLASH_CR_FW |
                                            RUNICOS_STM32H7_FLASH_CR_START | RUNICOS_STM32H7_FLASH_CR_SNB_MASK);
    const uint32_t request = keep | RUNICOS_STM32H7_FLASH_CR_SER | RUNICOS_STM32H7_FLASH_CR_PSIZE_X32 |
                             sector << RUNICOS_STM32H7_FLASH_CR_SNB_SHIFT;
    /* The sector and its parallelism first, then START on its own write. */
    write_register(flash, &registers->cr, request);
    write_register(flash, &registers->cr, request | RUNICOS_STM32H7_FLASH_CR_START);
    const bool finished = wait_idle(flash, registers);
    write_register(flash, &registers->cr, registers->cr & ~(RUNICOS_STM32H7_FLASH_CR_SER | RUNICOS_STM32H7_FLASH_CR_SNB_MASK |
                                                            RUNICOS_STM32H7_FLASH_CR_START));
    const uint32_t errors = take_errors(flash, registers);
    return finished && errors == 0 ? 0 : -1;
}

int runicos_stm32h7_flash_program_word(const runicos_stm32h7_flash *flash, uint32_t address, const uint32_t words[8]) {
    uint32_t bank, first, last;
    if (!runicos_stm32h7_flash_word_aligned(address, RUNICOS_STM32H7_FLASH_WORD_BYTES) ||
        !runicos_stm32h7_flash_allowed(address, RUNICOS_STM32H7_FLASH_WORD_BYTES) ||
        runicos_stm32h7_flash_sectors(address, RUNICOS_STM32H7_FLASH_WORD_BYTES, &bank, &first, &last) != 0)
        return -1;
    /* The controller would take a second write and wreck the word's ECC
     * without a flag: refuse anything not erased. */
    const volatile uint8_t *stored = flash->array + (address - RUNICOS_STM32H7_FLASH_BASE);
    uint8_t all = 0xFF;
    for (uint32_t i = 0; i < RUNICOS_STM32H7_FLASH_WORD_BYTES; i++) all &= stored[i];
    if (all != 0xFF) return -1;

    runicos_stm32h7_flash_bank_registers *registers = bank_registers(flash, bank);
    if ((registers->cr & RUNICOS_STM32H7_FLASH_CR_LOCK) != 0 || !wait_idle(flash, registers)) return -1;
    clear_flags(flash, registers);
    const uint32_t keep = registers->cr & ~(RUNICOS_STM32H7_FLASH_CR_SER | RUNICOS_STM32H7_FLASH_CR_BER | RUNICOS_STM32H7_FLASH_CR_FW |
                                            RUNICOS_STM32H7_FLASH_CR_START | RUNICOS_STM32H7_FLASH_CR_SNB_MASK |
                                            RUNICOS_STM32H7_FLASH_CR_PSIZE_MASK);
    write_register(flash, &registers->cr, keep | RUNICOS_STM32H7_FLASH_CR_PG | RUNICOS_STM32H7_FLASH_CR_PSIZE_X32);
    /* Eight stores fill the bank's write buffer; the eighth starts the
     * programming (QW) without FW. */
    for (uint32_t i = 0; i < 8; i++) {
        flash->store(flash->context, address + 4 * i, words[i]);
        flash->barrier(flash->context);
    }
    const bool finished = wait_idle(flash, registers);
    write_register(flash, &registers->cr, registers->cr & ~RUNICOS_STM32H7_FLASH_CR_PG);
    const uint32_t errors = take_errors(flash, registers);
    if (!finished || errors != 0) return -1;
    /* Reported done is not the same as there. */
    uint8_t difference = 0;
    for (uint32_t i = 0; i < 8; i++) {
        for (uint32_t b = 0; b < 4; b++) difference |= (uint8_t)(stored[4 * i + b] ^ (uint8_t)(words[i] >> (8 * b)));
    }
    return difference == 0 ? 0 : -1;
}

/* Unlocks only a locked bank: keys written to an unlocked one would lock it
 * until reset. */
static bool unlock(const runicos_stm32h7_flash *flash, runicos_stm32h7_flash_bank_registers *registers) {
    if ((registers->cr & RUNICOS_STM32H7_FLASH_CR_LOCK) == 0) return true;
    write_register(flash, &registers->keyr, RUNICOS_STM32H7_FLASH_KEY1);
    write_register(flash, &registers->keyr, RUNICOS_STM32H7_FLASH_KEY2);
    return (registers->cr & RUNICOS_STM32H7_FLASH_CR_LOCK) == 0;
}

static void lock(const runicos_stm32h7_flash *flash, runicos_stm32h7_flash_bank_registers *registers) {
    write_register(flash, &registers->cr, registers->cr | RUNICOS_STM32H7_FLASH_CR_LOCK);
}

int runicos_stm32h7_flash_erase(void *state, uint32_t address, uint32_t length) {
    const runicos_stm32h7_flash *flash = state;
    uint32_t bank, first, last;
    if (flash == NULL || !runicos_stm32h7_flash_allowed(address, length) ||
        runicos_stm32h7_flash_sectors(address, length, &bank, &first, &last) != 0)
        return -1;
    runicos_stm32h7_flash_bank_registers *registers = bank_registers(flash, bank);
    int result = unlock(flash, registers) ? 0 : -1;
    /* From the top down: a slot's activation record, in its last sector,
     * goes first (slots.h). */
    for (uint32_t sector = last + 1; result == 0 && sector > first; sector--) {
        result = runicos_stm32h7_flash_erase_sector(flash, bank, sector - 1);
    }
    lock(flash, registers);
    return result;
}

int runicos_stm32h7_flash_program(void *state, uint32_t address, const uint8_t *data, uint32_t length) {
    const runicos_stm32h7_flash *flash = state;
    uint32_t bank, first, last;
    if (flash == NULL || data == NULL || !runicos_stm32h7_flash_word_aligned(address, length) ||
        !runicos_stm32h7_flash_allowed(address, length) || runicos_stm32h7_flash_sectors(address, length, &bank, &first, &last) != 0)
        return -1;
    runicos_stm32h7_flash_bank_registers *registers = bank_registers(flash, bank);
    int result = unlock(flash, registers) ? 0 : -1;
    for (uint32_t done = 0; result == 0 && done < length; done += RUNICOS_STM32H7_FLASH_WORD_BYTES) {
        uint32_t words[8];
        runicos_stm32h7_flash_word(data + done, words);
        result = runicos_stm32h7_flash_program_word(flash, address + done, words);
    }
    lock(flash, registers);
    return result;
}

const uint8_t *runicos_stm32h7_flash_map(void *state, uint32_t address) {
    const runicos_stm32h7_flash *flash = state;
    if (flash == NULL || address < RUNICOS_STM32H7_FLASH_BASE || address >= FLASH_END) return NULL;
    /* Read as plain memory: the array changes only inside the calls above. */
    return (const uint8_t *)(uintptr_t)(flash->array + (address - RUNICOS_STM32H7_FLASH_BASE));
}

/* ---- The board. ---- */

static void store_word(void *context, uint32_t address, uint32_t value) {
    (void)context;
    *(volatile uint32_t *)(uintptr_t)address = value;
}

static void data_barrier(void *context) {
    (void)context;
#if defined(__arm__)
    __asm volatile("dsb" ::: "memory");
#else
    __asm volatile("" ::: "memory"); /* a host build never runs the board's flash */
#endif
}

static runicos_stm32h7_flash portenta_flash = {
    .registers = (runicos_stm32h7_flash_registers *)(uintptr_t)RUNICOS_STM32H7_FLASH_REGISTERS,
    .array = (const volatile uint8_t *)(uintptr_t)RUNICOS_STM32H7_FLASH_BASE,
    .store = store_word,
    .barrier = data_barrier,
    .context = NULL,
};

const runicos_storage runicos_stm32h7_flash_storage = {
    .erase = runicos_stm32h7_flash_erase,
    .program = runicos_stm32h7_flash_program,
    .map = runicos_stm32h7_flash_map,
    .program_unit = RUNICOS_STM32H7_FLASH_WORD_BYTES,
    .state = &portenta_flash,
};
