/*
 * native-host.c - runs a pipeline's generated C (runec --emit c) natively, for benchmarks.
 *
 *     cc -O2 -ffp-contract=off -I Runtime/include -I Runtime pipeline.c scripts/native-host.c -lm -o pipeline
 *     ./pipeline ITERATIONS INPUT0 [INPUT1 ...]
 *
 * Capability i reads the whole of file INPUTi on every call; outputs are folded into a checksum
 * so the compiler cannot drop the work. Prints the median nanoseconds per call, the checksum,
 * and the total nanoseconds of all calls.
 *
 * Build with -ffp-contract=off, as runec compiles the same C: a fused multiply-add rounds once
 * where the wasm rounds twice, so outputs would differ in the last bits.
 */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "rune.h"

int32_t rune_call(void);

static unsigned char *inputs[16];
static long sizes[16];
static unsigned checksum;

int32_t rune_capability_read(uint32_t capability, void *buffer, uint32_t length) {
    if (capability >= 16 || !inputs[capability] || sizes[capability] != (long)length) return RUNE_ERROR_CAPABILITY;
    memcpy(buffer, inputs[capability], length);
    return (int32_t)length;
}

int32_t rune_output_write(uint32_t output, uint32_t input, const void *data, uint32_t length) {
    (void)output; (void)input;
    for (uint32_t i = 0; i < length; i++) checksum = checksum * 31 + ((const unsigned char *)data)[i];
    return RUNE_OK;
}

void rune_log_write(uint32_t level, const char *message, uint32_t length) {
    fprintf(stderr, "[%u] %.*s\n", level, (int)length, message);
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s ITERATIONS [INPUT...]\n", argv[0]); return 2; }
    int iterations = atoi(argv[1]);
    for (int i = 2; i < argc && i < 18; i++) {
        FILE *file = fopen(argv[i], "rb");
        if (!file) { perror(argv[i]); return 1; }
        fseek(file, 0, SEEK_END);
        sizes[i - 2] = ftell(file);
        fseek(file, 0, SEEK_SET);
        inputs[i - 2] = malloc(sizes[i - 2]);
        if (fread(inputs[i - 2], 1, sizes[i - 2], file) != (size_t)sizes[i - 2]) return 1;
        fclose(file);
    }
    double *times = malloc(sizeof(double) * iterations), total = 0;
    for (int i = 0; i < iterations; i++) {
        struct timespec start, end;
        clock_gettime(CLOCK_MONOTONIC, &start);
        int32_t status = rune_call();
        clock_gettime(CLOCK_MONOTONIC, &end);
        if (status != RUNE_OK) { fprintf(stderr, "call failed: %d\n", status); return 1; }
        times[i] = (end.tv_sec - start.tv_sec) * 1e9 + (end.tv_nsec - start.tv_nsec);
        total += times[i];
    }
    qsort(times, iterations, sizeof(double), compare);
    printf("%.0f %u %.0f\n", times[iterations / 2], checksum, total);
    return 0;
}
