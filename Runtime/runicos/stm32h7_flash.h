/*
 * stm32h7_flash.h - the STM32H747's embedded flash (RM0399, "Embedded flash
 * memory (FLASH)"), as the runicos_storage under the rune slots of the
 * Arduino Portenta H7.
 *
 * Two banks of 1 MB, each with eight 128 KB sectors and its own register
 * set; the unit of programming is a 256-bit flash word, written once after
 * an erase (the word's ECC is computed then: a second write corrupts it
 * instead of clearing more bits, and the hardware does not flag it).
 *
 * The driver only touches the two slot areas below, which fill bank 2, so the
 * OS keeps running from bank 1 while a slot is erased or programmed (the
 * banks read while the other writes; a bank stalls reads while it is busy).
 *
 * The register block and the stores into the flash array go through a
 * runicos_stm32h7_flash, so the host tests run the same sequences against a
 * model of the controller. Only that model has run this code: it has not
 * been tried on a Portenta.
 */
#ifndef RUNICOS_STM32H7_FLASH_H
#define RUNICOS_STM32H7_FLASH_H

#include "runicos/slots.h"

/* The part (RM0399). */
#define RUNICOS_STM32H7_FLASH_BASE 0x08000000u
#define RUNICOS_STM32H7_FLASH_BANKS 2u
#define RUNICOS_STM32H7_FLASH_BANK_BYTES 0x00100000u
#define RUNICOS_STM32H7_FLASH_SECTOR_BYTES 0x00020000u
#define RUNICOS_STM32H7_FLASH_SECTORS_PER_BANK 8u
#define RUNICOS_STM32H7_FLASH_WORD_BYTES 32u
#define RUNICOS_STM32H7_FLASH_REGISTERS 0x52002000u /* bank 1's registers; bank 2's are 0x100 above */

/* RunicOS on the Portenta H7: the Arduino bootloader owns 0x08000000-
 * 0x0803FFFF and starts the OS after it; the slots are bank 2's sectors 0-3
 * and 4-7; a rune's RAM is the AXI SRAM. */
#define RUNICOS_PORTENTA_OS_ADDRESS 0x08040000u
#define RUNICOS_PORTENTA_OS_BYTES 0x00040000u
#define RUNICOS_PORTENTA_SLOT_A 0x08100000u
#define RUNICOS_PORTENTA_SLOT_B 0x08180000u
#define RUNICOS_PORTENTA_SLOT_BYTES 0x00080000u
#define RUNICOS_PORTENTA_RUNE_RAM 0x24000000u
#define RUNICOS_PORTENTA_RUNE_RAM_BYTES 0x00080000u

/* Status polls before an operation counts as hung. A 128 KB sector takes up
 * to about 4 s at x8 (datasheet), and a poll is a few tens of cycles at 480
 * MHz, so this is several times the worst case. */
#ifndef RUNICOS_STM32H7_FLASH_POLL_LIMIT
#define RUNICOS_STM32H7_FLASH_POLL_LIMIT 400000000u
#endif

/* FLASH_KEYRx: the two keys, in this order, clear CR.LOCK. A wrong key, or
 * keys written while unlocked, lock the bank until reset. */
#define RUNICOS_STM32H7_FLASH_KEY1 0x45670123u
#define RUNICOS_STM32H7_FLASH_KEY2 0xCDEF89ABu

/* FLASH_CRx (offset 0x0C, bank 2 0x10C). */
#define RUNICOS_STM32H7_FLASH_CR_LOCK (1u << 0)
#define RUNICOS_STM32H7_FLASH_CR_PG (1u << 1)
#define RUNICOS_STM32H7_FLASH_CR_SER (1u << 2)
#define RUNICOS_STM32H7_FLASH_CR_BER (1u << 3)
#define RUNICOS_STM32H7_FLASH_CR_PSIZE_SHIFT 4u
#define RUNICOS_STM32H7_FLASH_CR_PSIZE_MASK (3u << 4)
/* Parallelism x32, for erasing and programming alike: the setting ST's own
 * examples use at a 3.3 V supply such as the Portenta's (x64 would only be
 * faster; the reset value is x64). */
#define RUNICOS_STM32H7_FLASH_CR_PSIZE_X32 (2u << 4)
#define RUNICOS_STM32H7_FLASH_CR_FW (1u << 6)
#define RUNICOS_STM32H7_FLASH_CR_START (1u << 7)
#define RUNICOS_STM32H7_FLASH_CR_SNB_SHIFT 8u
#define RUNICOS_STM32H7_FLASH_CR_SNB_MASK (7u << 8)

/* FLASH_SRx (0x10 / 0x110) and FLASH_CCRx (0x14 / 0x114): CCR clears the SR
 * flag at the same bit position. */
#define RUNICOS_STM32H7_FLASH_SR_BSY (1u << 0)
#define RUNICOS_STM32H7_FLASH_SR_WBNE (1u << 1)
#define RUNICOS_STM32H7_FLASH_SR_QW (1u << 2)
#define RUNICOS_STM32H7_FLASH_SR_EOP (1u << 16)
#define RUNICOS_STM32H7_FLASH_SR_WRPERR (1u << 17)  /* the sector is write-protected */
#define RUNICOS_STM32H7_FLASH_SR_PGSERR (1u << 18)  /* a write without PG, or a sequence out of order */
#define RUNICOS_STM32H7_FLASH_SR_STRBERR (1u << 19) /* the same buffer bytes written twice */
#define RUNICOS_STM32H7_FLASH_SR_INCERR (1u << 21)  /* another flash word before this one was whole */
#define RUNICOS_STM32H7_FLASH_SR_OPERR (1u << 22)   /* the erase or program itself failed */
#define RUNICOS_STM32H7_FLASH_SR_RDPERR (1u << 23)
#define RUNICOS_STM32H7_FLASH_SR_RDSERR (1u << 24)
#define RUNICOS_STM32H7_FLASH_SR_SNECCERR (1u << 25)
#define RUNICOS_STM32H7_FLASH_SR_DBECCERR (1u << 26)
#define RUNICOS_STM32H7_FLASH_SR_CRCEND (1u << 27)
/* What makes an erase or program fail. */
#define RUNICOS_STM32H7_FLASH_SR_ERRORS                                                                                  \
    (RUNICOS_STM32H7_FLASH_SR_WRPERR | RUNICOS_STM32H7_FLASH_SR_PGSERR | RUNICOS_STM32H7_FLASH_SR_STRBERR |              \
     RUNICOS_STM32H7_FLASH_SR_INCERR | RUNICOS_STM32H7_FLASH_SR_OPERR)
/* Everything CCR can clear: stale read-error flags too, since an operation
 * must not start with any flag left over. */
#define RUNICOS_STM32H7_FLASH_CCR_ALL                                                                                    \
    (RUNICOS_STM32H7_FLASH_SR_EOP | RUNICOS_STM32H7_FLASH_SR_ERRORS | RUNICOS_STM32H7_FLASH_SR_RDPERR |                  \
     RUNICOS_STM32H7_FLASH_SR_RDSERR | RUNICOS_STM32H7_FLASH_SR_SNECCERR | RUNICOS_STM32H7_FLASH_SR_DBECCERR |           \
     RUNICOS_STM32H7_FLASH_SR_CRCEND)

/* One bank's registers, from FLASH_ACR (bank 1 at 0x52002000, bank 2 at
 * 0x52002100). The option-byte and CRC registers in between are not used. */
typedef struct runicos_stm32h7_flash_bank_registers {
    volatile uint32_t acr;     /* 0x00 (bank 2: a copy of bank 1's) */
    volatile uint32_t keyr;    /* 0x04 */
    volatile uint32_t optkeyr; /* 0x08 */
    volatile uint32_t cr;      /* 0x0C */
    volatile uint32_t sr;      /* 0x10 */
    volatile uint32_t ccr;     /* 0x14 */
    uint32_t unused[58];       /* 0x18-0xFF */
} runicos_stm32h7_flash_bank_registers;

typedef struct runicos_stm32h7_flash_registers {
    runicos_stm32h7_flash_bank_registers bank[RUNICOS_STM32H7_FLASH_BANKS];
} runicos_stm32h7_flash_registers;

_Static_assert(sizeof(runicos_stm32h7_flash_bank_registers) == 0x100, "bank 2's registers are 0x100 above bank 1's");

/* Where the driver reaches the controller. On the board: the registers at
 * RUNICOS_STM32H7_FLASH_REGISTERS, the array at RUNICOS_STM32H7_FLASH_BASE,
 * plain 32-bit stores, and a DSB. */
typedef struct runicos_stm32h7_flash {
    runicos_stm32h7_flash_registers *registers;
    /* The byte at RUNICOS_STM32H7_FLASH_BASE, for reading the array. */
    const volatile uint8_t *array;
    /* One 32-bit store into the array (a write into the bank's buffer). */
    void (*store)(void *context, uint32_t address, uint32_t value);
    /* After every register write and store, and on every status poll: the
     * store must reach the controller before its status is read. */
    void (*barrier)(void *context);
    void *context;
} runicos_stm32h7_flash;

/* ---- The pure parts: which sectors, which addresses. ---- */

/* The bank and the first and last sector [address, address + length)
 * touches: 0, or -1 if it is empty, leaves the flash, wraps or spans both
 * banks. */
int runicos_stm32h7_flash_sectors(uint32_t address, uint32_t length, uint32_t *bank, uint32_t *first, uint32_t *last);

/* Whether [address, address + length) is non-empty and lies inside slot A
 * or inside slot B: the driver writes nowhere else (not the bootloader, not
 * the OS). */
bool runicos_stm32h7_flash_allowed(uint32_t address, uint32_t length);

/* Whether a program of `length` bytes at `address` is whole flash words. */
bool runicos_stm32h7_flash_word_aligned(uint32_t address, uint32_t length);

/* The eight little-endian 32-bit words of a flash word, from bytes that
 * may lie at any alignment. */
void runicos_stm32h7_flash_word(const uint8_t bytes[RUNICOS_STM32H7_FLASH_WORD_BYTES], uint32_t words[8]);

/* ---- The register sequences (RM0399 "Flash memory operations"). ---- */

/* Erases one sector of a bank that is already unlocked: 0, or -1. Like
 * everything below, refuses what lies outside the slot areas. */
int runicos_stm32h7_flash_erase_sector(const runicos_stm32h7_flash *flash, uint32_t bank, uint32_t sector);

/* Programs one erased flash word at `address` (32-byte aligned) in a bank
 * that is already unlocked: 0, or -1. */
int runicos_stm32h7_flash_program_word(const runicos_stm32h7_flash *flash, uint32_t address, const uint32_t words[8]);

/* runicos_storage operations whose state is a runicos_stm32h7_flash: erase
 * and program unlock the bank, work, and lock it again, whatever happened. */
int runicos_stm32h7_flash_erase(void *state, uint32_t address, uint32_t length);
int runicos_stm32h7_flash_program(void *state, uint32_t address, const uint8_t *data, uint32_t length);
const uint8_t *runicos_stm32h7_flash_map(void *state, uint32_t address);

/* The Portenta's flash, for slots at RUNICOS_PORTENTA_SLOT_A and _B
 * (program_unit 32). */
extern const runicos_storage runicos_stm32h7_flash_storage;

#endif /* RUNICOS_STM32H7_FLASH_H */
