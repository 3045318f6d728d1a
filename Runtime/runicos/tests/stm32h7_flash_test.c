/*
 * Checks runicos/stm32h7_flash.c on the host, against a model of the STM32H747
 * flash controller written from RM0399: per-bank KEYR unlock (and lock-out on
 * a wrong or repeated key), CR writes ignored while LOCK is set, sector erase
 * on SER + SNB + START, a 256-bit write buffer that programs when its eighth
 * word arrives, QW/BSY while an operation runs, EOP and the error flags
 * (WRPERR, PGSERR, STRBERR, INCERR, OPERR) and their clearing through CCR.
 * A flash word programmed twice is counted, as the part itself would not say.
 *
 * The model is only as right as this reading of the manual: the driver has
 * not run on a Portenta.
 */
#define RUNICOS_STM32H7_FLASH_POLL_LIMIT 1000u /* a hung operation gives up quickly here */
#include <stdio.h>
#include <string.h>
#include "cortex-m/sha256.c"
#include "runicos/image.c"
#include "runicos/slots.c"
#include "runicos/stm32h7_flash.c"

static int failures = 0;
static const char *scenario = "";

#define CHECK(condition)                                                                     \
    do {                                                                                     \
        if (!(condition)) {                                                                  \
            printf("%s:%d: %s: failed: %s\n", __FILE__, __LINE__, scenario, #condition);    \
            failures++;                                                                      \
        }                                                                                    \
    } while (0)

#define FLASH_BYTES (RUNICOS_STM32H7_FLASH_BANKS * RUNICOS_STM32H7_FLASH_BANK_BYTES)
#define WORDS (FLASH_BYTES / RUNICOS_STM32H7_FLASH_WORD_BYTES)
#define BANK2 1u /* the bank index of the slots */

/* ---- The controller model. ---- */

typedef enum event_kind { EVENT_UNLOCK, EVENT_LOCKOUT, EVENT_IGNORED_WRITE, EVENT_ERASE, EVENT_PROGRAM } event_kind;

typedef struct event {
    event_kind kind;
    uint32_t bank;
    uint32_t value; /* the sector, or the flash word's address */
    uint32_t psize; /* CR.PSIZE when it started */
} event;

typedef enum operation { IDLE, ERASING, PROGRAMMING } operation;

typedef struct model_bank {
    uint32_t cr;       /* what the controller holds */
    uint32_t key_stage;
    bool frozen;       /* a bad key sequence: locked until reset */
    uint32_t buffer[8];
    uint32_t filled;   /* which words of the buffer hold data */
    uint32_t buffer_address;
    operation op;
    uint32_t sector;
    uint32_t countdown; /* barriers until the operation completes */
    uint32_t write_protected; /* sectors */
    bool fail_next;     /* OPERR on the next operation */
} model_bank;

typedef struct model {
    runicos_stm32h7_flash_registers registers;
    uint8_t array[FLASH_BYTES];
    uint8_t programmed[WORDS]; /* since the word's last erase */
    model_bank bank[RUNICOS_STM32H7_FLASH_BANKS];
    bool hang;          /* operations never finish */
    uint32_t glitch_at; /* the Nth store goes one flash word further */
    uint32_t stores;
    uint32_t reprogrammed;
    uint32_t stray_stores;
    uint32_t barriers;
    event events[64];
    uint32_t event_count;
} model;

static model chip;

static void record(event_kind kind, uint32_t bank, uint32_t value, uint32_t psize) {
    if (chip.event_count < sizeof chip.events / sizeof chip.events[0])
        chip.events[chip.event_count++] = (event){kind, bank, value, psize};
}

static void model_reset(void) {
    memset(&chip, 0, sizeof chip);
    memset(chip.array, 0xFF, sizeof chip.array);
    for (uint32_t b = 0; b < RUNICOS_STM32H7_FLASH_BANKS; b++) {
        chip.bank[b].cr = RUNICOS_STM32H7_FLASH_CR_LOCK | RUNICOS_STM32H7_FLASH_CR_PSIZE_MASK; /* reset value 0x31 */
        chip.registers.bank[b].cr = chip.bank[b].cr;
    }
}

static void start(model_bank *bank, runicos_stm32h7_flash_bank_registers *registers, operation op) {
    bank->op = op;
    bank->countdown = 3;
    registers->sr |= RUNICOS_STM32H7_FLASH_SR_QW | RUNICOS_STM32H7_FLASH_SR_BSY;
}

static void complete(uint32_t b) {
    model_bank *bank = &chip.bank[b];
    runicos_stm32h7_flash_bank_registers *registers = &chip.registers.bank[b];
    const uint32_t bank_offset = b * RUNICOS_STM32H7_FLASH_BANK_BYTES;
    if (bank->fail_next) {
        bank->fail_next = false;
        registers->sr |= RUNICOS_STM32H7_FLASH_SR_OPERR;
        bank->filled = 0;
    } else if (bank->op == ERASING) {
        const uint32_t from = bank_offset + bank->sector * RUNICOS_STM32H7_FLASH_SECTOR_BYTES;
        memset(chip.array + from, 0xFF, RUNICOS_STM32H7_FLASH_SECTOR_BYTES);
        memset(chip.programmed + from / 32, 0, RUNICOS_STM32H7_FLASH_SECTOR_BYTES / 32);
    } else {
        const uint32_t offset = bank->buffer_address - RUNICOS_STM32H7_FLASH_BASE;
        const bool again = chip.programmed[offset / 32];
        if (again) chip.reprogrammed++; /* the ECC is now wrong; RM0399 raises nothing here */
        for (uint32_t i = 0; i < 32; i++) {
            const uint8_t byte = (uint8_t)(bank->buffer[i / 4] >> (8 * (i % 4)));
            chip.array[offset + i] = again ? (uint8_t)(chip.array[offset + i] & byte) : byte;
        }
        chip.programmed[offset / 32] = 1;
        bank->filled = 0;
    }
    registers->sr &= ~(RUNICOS_STM32H7_FLASH_SR_QW | RUNICOS_STM32H7_FLASH_SR_BSY);
    registers->sr |= RUNICOS_STM32H7_FLASH_SR_EOP;
    bank->cr &= ~RUNICOS_STM32H7_FLASH_CR_START;
    registers->cr = bank->cr;
    bank->op = IDLE;
}

/* The controller reacting to what the driver wrote since the last barrier. */
static void model_barrier(void *context) {
    (void)context;
    chip.barriers++;
    for (uint32_t b = 0; b < RUNICOS_STM32H7_FLASH_BANKS; b++) {
        model_bank *bank = &chip.bank[b];
        runicos_stm32h7_flash_bank_registers *registers = &chip.registers.bank[b];
        if (registers->keyr != 0) {
            const uint32_t key = registers->keyr;
            registers->keyr = 0; /* reads as zero */
            if (bank->frozen) {
            } else if ((bank->cr & RUNICOS_STM32H7_FLASH_CR_LOCK) == 0) {
                bank->frozen = true; /* keys while unlocked */
                bank->cr |= RUNICOS_STM32H7_FLASH_CR_LOCK;
                record(EVENT_LOCKOUT, b, key, 0);
            } else if (bank->key_stage == 0 && key == RUNICOS_STM32H7_FLASH_KEY1) {
                bank->key_stage = 1;
            } else if (bank->key_stage == 1 && key == RUNICOS_STM32H7_FLASH_KEY2) {
                bank->key_stage = 0;
                bank->cr &= ~RUNICOS_STM32H7_FLASH_CR_LOCK;
                record(EVENT_UNLOCK, b, 0, 0);
            } else {
                bank->frozen = true;
                record(EVENT_LOCKOUT, b, key, 0);
            }
            registers->cr = bank->cr;
        }
        if (registers->ccr != 0) {
            registers->sr &= ~(registers->ccr & RUNICOS_STM32H7_FLASH_CCR_ALL);
            registers->ccr = 0;
        }
        if (registers->cr != bank->cr) {
            uint32_t written = registers->cr;
            if ((bank->cr & RUNICOS_STM32H7_FLASH_CR_LOCK) != 0) {
                record(EVENT_IGNORED_WRITE, b, written, 0);
                written = bank->cr;
            } else if ((written & RUNICOS_STM32H7_FLASH_CR_START) != 0 && (bank->cr & RUNICOS_STM32H7_FLASH_CR_START) == 0) {
                const uint32_t sector = (written & RUNICOS_STM32H7_FLASH_CR_SNB_MASK) >> RUNICOS_STM32H7_FLASH_CR_SNB_SHIFT;
                if ((written & RUNICOS_STM32H7_FLASH_CR_SER) == 0 || (written & RUNICOS_STM32H7_FLASH_CR_PG) != 0 || bank->op != IDLE ||
                    (registers->sr & RUNICOS_STM32H7_FLASH_SR_ERRORS) != 0) {
                    registers->sr |= RUNICOS_STM32H7_FLASH_SR_PGSERR;
                    written &= ~RUNICOS_STM32H7_FLASH_CR_START;
                } else if ((bank->write_protected & (1u << sector)) != 0) {
                    registers->sr |= RUNICOS_STM32H7_FLASH_SR_WRPERR;
                    written &= ~RUNICOS_STM32H7_FLASH_CR_START;
                } else {
                    record(EVENT_ERASE, b, sector, written & RUNICOS_STM32H7_FLASH_CR_PSIZE_MASK);
                    bank->sector = sector;
                    start(bank, registers, ERASING);
                }
            }
            /* Leaving programming drops a half-filled buffer (the driver never
             * forces one out with FW). */
            if ((written & RUNICOS_STM32H7_FLASH_CR_PG) == 0 && bank->filled != 0 && bank->op == IDLE) {
                bank->filled = 0;
                registers->sr &= ~RUNICOS_STM32H7_FLASH_SR_WBNE;
            }
            bank->cr = written;
            registers->cr = written;
        }
        if (bank->op != IDLE && !chip.hang && --bank->countdown == 0) complete(b);
    }
}

/* A 32-bit store into the flash array: into the bank's write buffer. */
static void model_store(void *context, uint32_t address, uint32_t value) {
    (void)context;
    if (++chip.stores == chip.glitch_at) address += 32;
    if (address < RUNICOS_STM32H7_FLASH_BASE || address - RUNICOS_STM32H7_FLASH_BASE >= FLASH_BYTES || address % 4 != 0) {
        chip.stray_stores++;
        return;
    }
    const uint32_t b = (address - RUNICOS_STM32H7_FLASH_BASE) / RUNICOS_STM32H7_FLASH_BANK_BYTES;
    model_bank *bank = &chip.bank[b];
    runicos_stm32h7_flash_bank_registers *registers = &chip.registers.bank[b];
    if ((bank->cr & (RUNICOS_STM32H7_FLASH_CR_LOCK | RUNICOS_STM32H7_FLASH_CR_PG)) != RUNICOS_STM32H7_FLASH_CR_PG || bank->op != IDLE) {
        registers->sr |= RUNICOS_STM32H7_FLASH_SR_PGSERR;
        return;
    }
    const uint32_t word = address & ~31u;
    const uint32_t index = (address & 31u) / 4;
    if (bank->filled != 0 && word != bank->buffer_address) {
        registers->sr |= RUNICOS_STM32H7_FLASH_SR_INCERR;
        registers->sr &= ~RUNICOS_STM32H7_FLASH_SR_WBNE;
        bank->filled = 0;
        return;
    }
    if ((bank->filled & (1u << index)) != 0) {
        registers->sr |= RUNICOS_STM32H7_FLASH_SR_STRBERR;
        return;
    }
    bank->buffer_address = word;
    bank->buffer[index] = value;
    bank->filled |= 1u << index;
    registers->sr |= RUNICOS_STM32H7_FLASH_SR_WBNE;
    if (bank->filled == 0xFFu) {
        registers->sr &= ~RUNICOS_STM32H7_FLASH_SR_WBNE;
        const uint32_t sector = ((word - RUNICOS_STM32H7_FLASH_BASE) % RUNICOS_STM32H7_FLASH_BANK_BYTES) / RUNICOS_STM32H7_FLASH_SECTOR_BYTES;
        if ((bank->write_protected & (1u << sector)) != 0) {
            registers->sr |= RUNICOS_STM32H7_FLASH_SR_WRPERR;
            bank->filled = 0;
            return;
        }
        record(EVENT_PROGRAM, b, word, bank->cr & RUNICOS_STM32H7_FLASH_CR_PSIZE_MASK);
        start(bank, registers, PROGRAMMING);
    }
}

static runicos_stm32h7_flash flash = {
    .registers = &chip.registers,
    .array = chip.array,
    .store = model_store,
    .barrier = model_barrier,
    .context = &chip,
};

static const runicos_storage storage = {
    .erase = runicos_stm32h7_flash_erase,
    .program = runicos_stm32h7_flash_program,
    .map = runicos_stm32h7_flash_map,
    .program_unit = RUNICOS_STM32H7_FLASH_WORD_BYTES,
    .state = &flash,
};

static uint8_t *at(uint32_t address) { return chip.array + (address - RUNICOS_STM32H7_FLASH_BASE); }

static bool filled_with(uint32_t address, uint32_t length, uint8_t value) {
    for (uint32_t i = 0; i < length; i++) {
        if (at(address)[i] != value) return false;
    }
    return true;
}

/* The bank left as the driver must leave it: locked, no operation bits, no flags. */
static bool left_clean(uint32_t b) {
    const uint32_t cr = chip.bank[b].cr;
    return (cr & RUNICOS_STM32H7_FLASH_CR_LOCK) != 0 &&
           (cr & (RUNICOS_STM32H7_FLASH_CR_PG | RUNICOS_STM32H7_FLASH_CR_SER | RUNICOS_STM32H7_FLASH_CR_START)) == 0 &&
           (chip.registers.bank[b].sr & RUNICOS_STM32H7_FLASH_CCR_ALL) == 0;
}

static uint32_t count_events(event_kind kind) {
    uint32_t count = 0;
    for (uint32_t i = 0; i < chip.event_count; i++) count += chip.events[i].kind == kind;
    return count;
}

/* ---- Scenarios. ---- */

static void sectors(void) {
    scenario = "sectors";
    uint32_t bank = 9, first = 9, last = 9;
    CHECK(runicos_stm32h7_flash_sectors(RUNICOS_PORTENTA_SLOT_A, 1, &bank, &first, &last) == 0 && bank == 1 && first == 0 && last == 0);
    CHECK(runicos_stm32h7_flash_sectors(RUNICOS_PORTENTA_SLOT_A, RUNICOS_PORTENTA_SLOT_BYTES, &bank, &first, &last) == 0 && bank == 1 &&
          first == 0 && last == 3);
    CHECK(runicos_stm32h7_flash_sectors(RUNICOS_PORTENTA_SLOT_B, RUNICOS_PORTENTA_SLOT_BYTES, &bank, &first, &last) == 0 && bank == 1 &&
          first == 4 && last == 7);
    CHECK(runicos_stm32h7_flash_sectors(RUNICOS_PORTENTA_SLOT_B + RUNICOS_PORTENTA_SLOT_BYTES - 32, 32, &bank, &first, &last) == 0 &&
          first == 7 && last == 7);
    CHECK(runicos_stm32h7_flash_sectors(0x0813FFFFu, 2, &bank, &first, &last) == 0 && first == 1 && last == 2);
    CHECK(runicos_stm32h7_flash_sectors(RUNICOS_PORTENTA_OS_ADDRESS, RUNICOS_PORTENTA_OS_BYTES, &bank, &first, &last) == 0 && bank == 0 &&
          first == 2 && last == 3);
    CHECK(runicos_stm32h7_flash_sectors(0x08000000u, 0x00100000u, &bank, &first, &last) == 0 && bank == 0 && first == 0 && last == 7);
    CHECK(runicos_stm32h7_flash_sectors(0x080FFFFFu, 2, &bank, &first, &last) == -1);          /* both banks */
    CHECK(runicos_stm32h7_flash_sectors(0x08000000u, 0x00200000u, &bank, &first, &last) == -1); /* both banks */
    CHECK(runicos_stm32h7_flash_sectors(0x081FFFFFu, 2, &bank, &first, &last) == -1);          /* past the end */
    CHECK(runicos_stm32h7_flash_sectors(0x08200000u, 1, &bank, &first, &last) == -1);
    CHECK(runicos_stm32h7_flash_sectors(0x07FFFFFFu, 1, &bank, &first, &last) == -1);
    CHECK(runicos_stm32h7_flash_sectors(RUNICOS_PORTENTA_SLOT_A, 0, &bank, &first, &last) == -1);
    CHECK(runicos_stm32h7_flash_sectors(0x081FFFF0u, 0xFFFFFFF0u, &bank, &first, &last) == -1); /* wraps */

    scenario = "allowed ranges";
    CHECK(runicos_stm32h7_flash_allowed(RUNICOS_PORTENTA_SLOT_A, RUNICOS_PORTENTA_SLOT_BYTES));
    CHECK(runicos_stm32h7_flash_allowed(RUNICOS_PORTENTA_SLOT_B, RUNICOS_PORTENTA_SLOT_BYTES));
    CHECK(runicos_stm32h7_flash_allowed(RUNICOS_PORTENTA_SLOT_B + 0x7FFE0u, 32));
    CHECK(!runicos_stm32h7_flash_allowed(RUNICOS_PORTENTA_SLOT_A, 0));
    CHECK(!runicos_stm32h7_flash_allowed(0x0817FFE0u, 64));                     /* across A and B */
    CHECK(!runicos_stm32h7_flash_allowed(RUNICOS_PORTENTA_SLOT_A, 2 * RUNICOS_PORTENTA_SLOT_BYTES));
    CHECK(!runicos_stm32h7_flash_allowed(RUNICOS_PORTENTA_SLOT_B + 0x7FFE0u, 64)); /* past B */
    CHECK(!runicos_stm32h7_flash_allowed(RUNICOS_PORTENTA_OS_ADDRESS, 32));        /* the OS */
    CHECK(!runicos_stm32h7_flash_allowed(0x08000000u, 32));                        /* the bootloader */
    CHECK(!runicos_stm32h7_flash_allowed(0x080FFFE0u, 64));
    CHECK(!runicos_stm32h7_flash_allowed(RUNICOS_PORTENTA_SLOT_A - 32, 64));
    CHECK(!runicos_stm32h7_flash_allowed(0x0817FFE0u, 0xFFFFFFFFu));
    CHECK(!runicos_stm32h7_flash_allowed(0xFFFFFFE0u, 0x40u));

    scenario = "alignment";
    CHECK(runicos_stm32h7_flash_word_aligned(RUNICOS_PORTENTA_SLOT_A + 64, 96));
    CHECK(!runicos_stm32h7_flash_word_aligned(RUNICOS_PORTENTA_SLOT_A + 16, 32));
    CHECK(!runicos_stm32h7_flash_word_aligned(RUNICOS_PORTENTA_SLOT_A, 48));
    CHECK(!runicos_stm32h7_flash_word_aligned(RUNICOS_PORTENTA_SLOT_A, 0));

    scenario = "flash word";
    uint8_t bytes[33];
    for (uint32_t i = 0; i < 33; i++) bytes[i] = (uint8_t)(i * 9 + 1);
    uint32_t words[8];
    runicos_stm32h7_flash_word(bytes + 1, words); /* unaligned */
    CHECK(words[0] == 0x251C130Au);
    CHECK(words[7] == ((uint32_t)bytes[29] | (uint32_t)bytes[30] << 8 | (uint32_t)bytes[31] << 16 | (uint32_t)bytes[32] << 24));
}

static void erase_sequence(void) {
    scenario = "erase sequence";
    model_reset();
    memset(chip.array, 0x00, sizeof chip.array);
    CHECK(runicos_stm32h7_flash_erase(&flash, RUNICOS_PORTENTA_SLOT_B, RUNICOS_PORTENTA_SLOT_BYTES) == 0);
    CHECK(filled_with(RUNICOS_PORTENTA_SLOT_B, RUNICOS_PORTENTA_SLOT_BYTES, 0xFF));
    CHECK(filled_with(RUNICOS_PORTENTA_SLOT_A, RUNICOS_PORTENTA_SLOT_BYTES, 0x00));
    CHECK(filled_with(RUNICOS_STM32H7_FLASH_BASE, RUNICOS_STM32H7_FLASH_BANK_BYTES, 0x00));
    /* Unlocked once, sectors 7 to 4 (the record's first), each at x32, locked. */
    CHECK(chip.event_count == 5);
    CHECK(chip.events[0].kind == EVENT_UNLOCK && chip.events[0].bank == BANK2);
    for (uint32_t i = 0; i < 4; i++) {
        CHECK(chip.events[1 + i].kind == EVENT_ERASE && chip.events[1 + i].bank == BANK2 && chip.events[1 + i].value == 7 - i);
        CHECK(chip.events[1 + i].psize == RUNICOS_STM32H7_FLASH_CR_PSIZE_X32);
    }
    CHECK(left_clean(BANK2));
    CHECK(chip.bank[0].cr == (RUNICOS_STM32H7_FLASH_CR_LOCK | RUNICOS_STM32H7_FLASH_CR_PSIZE_MASK)); /* bank 1 untouched */

    /* A range inside one sector erases that sector. */
    model_reset();
    memset(chip.array, 0x00, sizeof chip.array);
    CHECK(runicos_stm32h7_flash_erase(&flash, RUNICOS_PORTENTA_SLOT_A + 100, 10) == 0);
    CHECK(filled_with(RUNICOS_PORTENTA_SLOT_A, RUNICOS_STM32H7_FLASH_SECTOR_BYTES, 0xFF));
    CHECK(filled_with(RUNICOS_PORTENTA_SLOT_A + RUNICOS_STM32H7_FLASH_SECTOR_BYTES, 32, 0x00));
    CHECK(count_events(EVENT_ERASE) == 1);
    CHECK(left_clean(BANK2));
}

static void program_sequence(void) {
    scenario = "program sequence";
    model_reset();
    uint8_t data[97];
    for (uint32_t i = 0; i < sizeof data; i++) data[i] = (uint8_t)(i * 13 + 5);
    CHECK(runicos_stm32h7_flash_program(&flash, RUNICOS_PORTENTA_SLOT_A + 64, data + 1, 96) == 0);
    CHECK(memcmp(at(RUNICOS_PORTENTA_SLOT_A + 64), data + 1, 96) == 0);
    CHECK(filled_with(RUNICOS_PORTENTA_SLOT_A, 64, 0xFF));
    CHECK(filled_with(RUNICOS_PORTENTA_SLOT_A + 160, 64, 0xFF));
    CHECK(chip.event_count == 4 && chip.events[0].kind == EVENT_UNLOCK);
    for (uint32_t i = 0; i < 3; i++) {
        CHECK(chip.events[1 + i].kind == EVENT_PROGRAM && chip.events[1 + i].value == RUNICOS_PORTENTA_SLOT_A + 64 + 32 * i);
        CHECK(chip.events[1 + i].psize == RUNICOS_STM32H7_FLASH_CR_PSIZE_X32);
    }
    CHECK(left_clean(BANK2));
    CHECK(chip.stray_stores == 0 && chip.reprogrammed == 0);
    CHECK(runicos_stm32h7_flash_map(&flash, RUNICOS_PORTENTA_SLOT_A + 64) == at(RUNICOS_PORTENTA_SLOT_A + 64));
    CHECK(runicos_stm32h7_flash_map(&flash, 0x08200000u) == NULL);

    scenario = "a flash word programmed twice";
    CHECK(runicos_stm32h7_flash_program(&flash, RUNICOS_PORTENTA_SLOT_A + 96, data, 32) == -1);
    CHECK(runicos_stm32h7_flash_program(&flash, RUNICOS_PORTENTA_SLOT_A + 32, data, 64) == -1); /* the second word was written */
    CHECK(memcmp(at(RUNICOS_PORTENTA_SLOT_A + 32), data, 32) == 0); /* the blank word before it did land */
    CHECK(chip.reprogrammed == 0);
    CHECK(count_events(EVENT_PROGRAM) == 4);
    CHECK(left_clean(BANK2));
    /* Erased again, it takes a write again. */
    CHECK(runicos_stm32h7_flash_erase(&flash, RUNICOS_PORTENTA_SLOT_A, 32) == 0);
    CHECK(runicos_stm32h7_flash_program(&flash, RUNICOS_PORTENTA_SLOT_A + 96, data, 32) == 0);
    CHECK(chip.reprogrammed == 0);
}

static void refusals(void) {
    scenario = "refused before any register is touched";
    model_reset();
    uint8_t data[64] = {0};
    CHECK(runicos_stm32h7_flash_program(&flash, RUNICOS_PORTENTA_SLOT_A + 16, data, 32) == -1);
    CHECK(runicos_stm32h7_flash_program(&flash, RUNICOS_PORTENTA_SLOT_A, data, 16) == -1);
    CHECK(runicos_stm32h7_flash_program(&flash, RUNICOS_PORTENTA_SLOT_A, data, 0) == -1);
    CHECK(runicos_stm32h7_flash_program(&flash, RUNICOS_PORTENTA_SLOT_A, NULL, 32) == -1);
    CHECK(runicos_stm32h7_flash_program(&flash, RUNICOS_PORTENTA_OS_ADDRESS, data, 32) == -1);
    CHECK(runicos_stm32h7_flash_program(&flash, 0x0817FFE0u, data, 64) == -1);
    CHECK(runicos_stm32h7_flash_program(&flash, 0xFFFFFFE0u, data, 64) == -1);
    CHECK(runicos_stm32h7_flash_erase(&flash, RUNICOS_PORTENTA_OS_ADDRESS, 1) == -1);
    CHECK(runicos_stm32h7_flash_erase(&flash, 0x08000000u, RUNICOS_STM32H7_FLASH_BANK_BYTES) == -1);
    CHECK(runicos_stm32h7_flash_erase(&flash, RUNICOS_PORTENTA_SLOT_A, 2 * RUNICOS_PORTENTA_SLOT_BYTES) == -1);
    CHECK(runicos_stm32h7_flash_erase(&flash, RUNICOS_PORTENTA_SLOT_B, RUNICOS_PORTENTA_SLOT_BYTES + 1) == -1);
    CHECK(runicos_stm32h7_flash_erase(&flash, RUNICOS_PORTENTA_SLOT_A, 0) == -1);
    CHECK(runicos_stm32h7_flash_erase(NULL, RUNICOS_PORTENTA_SLOT_A, 32) == -1);
    CHECK(chip.event_count == 0 && chip.barriers == 0);
    /* The sequences themselves refuse a locked bank and bad arguments. */
    uint32_t words[8] = {0};
    CHECK(runicos_stm32h7_flash_program_word(&flash, RUNICOS_PORTENTA_SLOT_A, words) == -1);
    CHECK(runicos_stm32h7_flash_erase_sector(&flash, BANK2, 0) == -1);
    CHECK(runicos_stm32h7_flash_erase_sector(&flash, 2, 0) == -1);
    CHECK(runicos_stm32h7_flash_erase_sector(&flash, BANK2, 8) == -1);
    CHECK(chip.event_count == 0 && filled_with(RUNICOS_PORTENTA_SLOT_A, 32, 0xFF));
    /* Nor does an unlocked bank let them outside the slots. */
    for (uint32_t b = 0; b < RUNICOS_STM32H7_FLASH_BANKS; b++) {
        chip.bank[b].cr &= ~RUNICOS_STM32H7_FLASH_CR_LOCK;
        chip.registers.bank[b].cr = chip.bank[b].cr;
    }
    CHECK(runicos_stm32h7_flash_erase_sector(&flash, 0, 2) == -1); /* the OS */
    CHECK(runicos_stm32h7_flash_erase_sector(&flash, 0, 0) == -1); /* the bootloader */
    CHECK(runicos_stm32h7_flash_program_word(&flash, RUNICOS_PORTENTA_OS_ADDRESS, words) == -1);
    CHECK(runicos_stm32h7_flash_program_word(&flash, RUNICOS_PORTENTA_SLOT_A + 4, words) == -1);
    CHECK(chip.event_count == 0 && chip.barriers == 0);
    CHECK(runicos_stm32h7_flash_erase_sector(&flash, BANK2, 0) == 0);
    CHECK(runicos_stm32h7_flash_program_word(&flash, RUNICOS_PORTENTA_SLOT_A, words) == 0);
    CHECK(count_events(EVENT_ERASE) == 1 && count_events(EVENT_PROGRAM) == 1);
}

static void errors(void) {
    uint8_t data[64];
    for (uint32_t i = 0; i < sizeof data; i++) data[i] = (uint8_t)i;

    scenario = "write-protected sector";
    model_reset();
    memset(chip.array, 0x00, sizeof chip.array);
    chip.bank[BANK2].write_protected = 1u << 5;
    CHECK(runicos_stm32h7_flash_erase(&flash, RUNICOS_PORTENTA_SLOT_B, RUNICOS_PORTENTA_SLOT_BYTES) == -1);
    CHECK(filled_with(RUNICOS_PORTENTA_SLOT_B + 2 * RUNICOS_STM32H7_FLASH_SECTOR_BYTES, 2 * RUNICOS_STM32H7_FLASH_SECTOR_BYTES, 0xFF)); /* 6, 7 */
    CHECK(filled_with(RUNICOS_PORTENTA_SLOT_B, 2 * RUNICOS_STM32H7_FLASH_SECTOR_BYTES, 0x00)); /* 5 refused, 4 not tried */
    CHECK(left_clean(BANK2));
    CHECK(runicos_stm32h7_flash_erase(&flash, RUNICOS_PORTENTA_SLOT_A, RUNICOS_PORTENTA_SLOT_BYTES) == 0); /* the flag did not stick */
    CHECK(runicos_stm32h7_flash_program(&flash, RUNICOS_PORTENTA_SLOT_B + RUNICOS_STM32H7_FLASH_SECTOR_BYTES, data, 32) == -1);
    CHECK(left_clean(BANK2));

    scenario = "stale flags";
    model_reset();
    chip.registers.bank[BANK2].sr |= RUNICOS_STM32H7_FLASH_SR_PGSERR | RUNICOS_STM32H7_FLASH_SR_OPERR | RUNICOS_STM32H7_FLASH_SR_DBECCERR;
    CHECK(runicos_stm32h7_flash_erase(&flash, RUNICOS_PORTENTA_SLOT_A, 32) == 0);
    chip.registers.bank[BANK2].sr |= RUNICOS_STM32H7_FLASH_SR_STRBERR;
    CHECK(runicos_stm32h7_flash_program(&flash, RUNICOS_PORTENTA_SLOT_A, data, 32) == 0);
    CHECK(left_clean(BANK2));

    scenario = "operation error";
    model_reset();
    chip.bank[BANK2].fail_next = true;
    CHECK(runicos_stm32h7_flash_program(&flash, RUNICOS_PORTENTA_SLOT_A, data, 64) == -1);
    CHECK(filled_with(RUNICOS_PORTENTA_SLOT_A, 64, 0xFF));
    CHECK(left_clean(BANK2));
    CHECK(runicos_stm32h7_flash_program(&flash, RUNICOS_PORTENTA_SLOT_A, data, 64) == 0); /* the word is still blank */
    chip.bank[BANK2].fail_next = true;
    CHECK(runicos_stm32h7_flash_erase(&flash, RUNICOS_PORTENTA_SLOT_A, 32) == -1);
    CHECK(left_clean(BANK2));

    scenario = "inconsistency error";
    model_reset();
    chip.glitch_at = 3; /* the third store lands in the next flash word */
    CHECK(runicos_stm32h7_flash_program(&flash, RUNICOS_PORTENTA_SLOT_A, data, 32) == -1);
    CHECK(left_clean(BANK2) && (chip.bank[BANK2].filled == 0));
    CHECK(filled_with(RUNICOS_PORTENTA_SLOT_A, 64, 0xFF));
    CHECK(runicos_stm32h7_flash_program(&flash, RUNICOS_PORTENTA_SLOT_A, data, 32) == 0);
    CHECK(chip.reprogrammed == 0);

    scenario = "hung operation";
    model_reset();
    chip.hang = true;
    CHECK(runicos_stm32h7_flash_erase(&flash, RUNICOS_PORTENTA_SLOT_A, 32) == -1);
    CHECK(chip.barriers < 3 * RUNICOS_STM32H7_FLASH_POLL_LIMIT);
    CHECK((chip.bank[BANK2].cr & RUNICOS_STM32H7_FLASH_CR_LOCK) != 0);

    scenario = "already unlocked";
    model_reset();
    chip.bank[BANK2].cr &= ~RUNICOS_STM32H7_FLASH_CR_LOCK;
    chip.registers.bank[BANK2].cr = chip.bank[BANK2].cr;
    CHECK(runicos_stm32h7_flash_program(&flash, RUNICOS_PORTENTA_SLOT_B, data, 32) == 0);
    CHECK(count_events(EVENT_LOCKOUT) == 0 && count_events(EVENT_UNLOCK) == 0);
    CHECK(left_clean(BANK2));

    scenario = "locked until reset";
    model_reset();
    chip.bank[BANK2].frozen = true;
    CHECK(runicos_stm32h7_flash_erase(&flash, RUNICOS_PORTENTA_SLOT_B, 32) == -1);
    CHECK(runicos_stm32h7_flash_program(&flash, RUNICOS_PORTENTA_SLOT_B, data, 32) == -1);
    CHECK(count_events(EVENT_ERASE) == 0 && count_events(EVENT_PROGRAM) == 0);
    CHECK(filled_with(RUNICOS_PORTENTA_SLOT_B, 32, 0xFF));
}

/* ---- slots.c on this driver, with the Portenta's layout. ---- */

static const runicos_layout portenta = {
    .board = "portenta-h7",
    .slot_address = {RUNICOS_PORTENTA_SLOT_A, RUNICOS_PORTENTA_SLOT_B},
    .slot_bytes = RUNICOS_PORTENTA_SLOT_BYTES,
    .ram_address = RUNICOS_PORTENTA_RUNE_RAM,
    .ram_bytes = RUNICOS_PORTENTA_RUNE_RAM_BYTES,
};

static void put_u32(uint8_t *to, uint32_t value) {
    for (int i = 0; i < 4; i++) to[i] = (uint8_t)(value >> (8 * i));
}

static void sha256(const uint8_t *data, uint32_t length, uint8_t digest[32]) {
    rune_sha256 hash;
    rune_sha256_init(&hash);
    rune_sha256_update(&hash, data, length);
    rune_sha256_final(&hash, digest);
}

static void build_image(uint8_t *image, uint32_t length, uint32_t slot, uint8_t seed) {
    const uint32_t text = length - 128 - 8 - 12 - 32;
    memset(image, 0, length);
    put_u32(image + 0, RUNICOS_IMAGE_MAGIC);
    image[4] = RUNICOS_IMAGE_FORMAT_VERSION;
    image[6] = RUNICOS_IMAGE_HEADER_BYTES;
    put_u32(image + 8, RUNICOS_ABI_VERSION);
    put_u32(image + 12, length);
    memcpy(image + 16, "portenta-h7", 11);
    put_u32(image + 32, portenta.slot_address[slot]);
    put_u32(image + 36, 128);
    put_u32(image + 40, text);
    put_u32(image + 44, 128 + text);
    put_u32(image + 48, 8);
    put_u32(image + 52, RUNICOS_PORTENTA_RUNE_RAM + RUNICOS_CONTROL_BLOCK_BYTES);
    put_u32(image + 60, 4096);
    put_u32(image + 64, 128 + text + 8);
    put_u32(image + 68, 12);
    put_u32(image + 72, portenta.slot_address[slot] + 128);
    for (uint32_t i = 0; i < text; i++) image[128 + i] = (uint8_t)(seed + i * 3);
    put_u32(image + 128 + text + 8, 8);
    memcpy(image + 128 + text + 12, "RUNE", 4);
    sha256(image, length - 32, image + length - 32);
}

static runicos_slot_status upload(runicos_slots *slots, const uint8_t *image, uint32_t length) {
    uint8_t digest[32];
    uint32_t next;
    sha256(image, length, digest);
    runicos_slot_status status = runicos_slots_upload_begin(slots, length, digest, &next);
    for (uint32_t offset = 0; status == RUNICOS_SLOT_OK && offset < length; offset = next) {
        const uint32_t size = length - offset < 100 ? length - offset : 100;
        status = runicos_slots_upload_write(slots, offset, image + offset, size, &next);
    }
    runicos_image_error error;
    return status == RUNICOS_SLOT_OK ? runicos_slots_upload_finish(slots, &error) : status;
}

static void slots_on_flash(void) {
    scenario = "slots on the flash driver";
    model_reset();
    static uint8_t image[5000];
    runicos_slots slots;
    runicos_slots_init(&slots, &storage, &portenta);
    CHECK(runicos_slots_active(&slots) == -1);
    build_image(image, 1001, 0, 1);
    CHECK(upload(&slots, image, 1001) == RUNICOS_SLOT_OK);
    CHECK(runicos_slots_active(&slots) == 0);
    CHECK(memcmp(at(RUNICOS_PORTENTA_SLOT_A), image, 1001) == 0);
    build_image(image, 4321, 1, 2);
    CHECK(upload(&slots, image, 4321) == RUNICOS_SLOT_OK);
    CHECK(runicos_slots_active(&slots) == 1);
    runicos_slots_init(&slots, &storage, &portenta);
    CHECK(runicos_slots_active(&slots) == 1);
    /* An erase that fails leaves B active. */
    build_image(image, 2000, 0, 3);
    chip.bank[BANK2].write_protected = 1u << 1;
    CHECK(upload(&slots, image, 2000) == RUNICOS_SLOT_STORAGE_FAILED);
    CHECK(runicos_slots_active(&slots) == 1);
    chip.bank[BANK2].write_protected = 0;
    CHECK(upload(&slots, image, 2000) == RUNICOS_SLOT_OK);
    CHECK(runicos_slots_active(&slots) == 0);
    CHECK(chip.reprogrammed == 0 && chip.stray_stores == 0 && count_events(EVENT_LOCKOUT) == 0);
    CHECK(left_clean(BANK2) && left_clean(0));
}

int main(void) {
    sectors();
    erase_sequence();
    program_sequence();
    refusals();
    errors();
    slots_on_flash();
    printf("%s\n", failures ? "FAILED" : "stm32h7 flash ok");
    return failures != 0;
}
