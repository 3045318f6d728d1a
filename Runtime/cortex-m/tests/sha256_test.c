/*
 * Checks cortex-m/sha256.c against the FIPS 180-4 / NIST test vectors, fed
 * whole and in every split, and a million 'a's.
 */
#include <stdio.h>
#include <string.h>
#include "cortex-m/sha256.c"

static int failures = 0;

static void hex(const uint8_t digest[32], char text[65]) {
    for (int i = 0; i < 32; i++) sprintf(text + 2 * i, "%02x", digest[i]);
}

static void check(const char *name, const uint8_t *message, size_t length, const char *expected) {
    uint8_t digest[32];
    char text[65];
    rune_sha256 hash;
    rune_sha256_init(&hash);
    rune_sha256_update(&hash, message, length);
    rune_sha256_final(&hash, digest);
    hex(digest, text);
    if (strcmp(text, expected) != 0) {
        printf("%s: got %s, expected %s\n", name, text, expected);
        failures++;
    }
    /* Any split of the message gives the same digest. */
    for (size_t split = 0; split <= length && length <= 200; split++) {
        rune_sha256_init(&hash);
        rune_sha256_update(&hash, message, split);
        rune_sha256_update(&hash, message + split, length - split);
        rune_sha256_final(&hash, digest);
        hex(digest, text);
        if (strcmp(text, expected) != 0) {
            printf("%s split at %zu: got %s\n", name, split, text);
            failures++;
            break;
        }
    }
}

int main(void) {
    const char *abc = "abc";
    const char *two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    const char *long_message = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    check("empty", (const uint8_t *)"", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    check("abc", (const uint8_t *)abc, 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    check("448 bits", (const uint8_t *)two_blocks, strlen(two_blocks),
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    check("896 bits", (const uint8_t *)long_message, strlen(long_message),
          "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
    static uint8_t million[1000000];
    memset(million, 'a', sizeof million);
    check("a million a", million, sizeof million, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    /* 55, 56 and 64 bytes: the padding's edge cases. */
    uint8_t zeros[64] = {0};
    check("55 zeros", zeros, 55, "02779466cdec163811d078815c633f21901413081449002f24aa3e80f0b88ef7");
    check("56 zeros", zeros, 56, "d4817aa5497628e7c77e6b606107042bbba3130888c5f47a375e6179be789fbb");
    check("64 zeros", zeros, 64, "f5a5fd42d16a20302798ef6ed309979b43003d2320d9f0e8ea9831a92759fb4b");
    printf("%s\n", failures ? "FAILED" : "sha256 ok");
    return failures != 0;
}
