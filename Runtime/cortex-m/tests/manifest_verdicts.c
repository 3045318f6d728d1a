/*
 * manifest_verdicts.c - runs the firmware's manifest reader over a corpus, for
 * the host's test that the C reader and the Swift reader (RuneManifest) agree.
 *
 * The file named by the one argument: any number of records, each a little-endian u32 byte count
 * and that many manifest bytes. Standard output: one line per record, either
 *   error OFFSET
 * or, for a manifest it accepts, what the firmware acts on:
 *   ok CAPABILITY;...|OUTPUT;...
 * with a capability as NAME:KIND:TENSOR and an output as NAME:KIND:TENSOR,...
 * and a tensor as TYPE[D0,D1,...]. Names are printed as hex, so any bytes
 * survive the line format.
 *
 * A host program, built by the test with the host's C compiler together with
 * ../manifest.c.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cortex-m/manifest.h"

static void print_hex(rune_text text) {
    for (uint32_t i = 0; i < text.length; i++) printf("%02x", (unsigned)(uint8_t)text.data[i]);
}

static void print_tensor(const rune_tensor_info *tensor) {
    printf("%s[", rune_element_type_name(tensor->element_type));
    for (uint32_t d = 0; d < tensor->rank; d++) printf(d ? ",%u" : "%u", (unsigned)rune_tensor_dimension(tensor, d));
    printf("]");
}

static rune_manifest_view view;

int main(int argc, char **argv) {
    FILE *corpus = argc == 2 ? fopen(argv[1], "rb") : NULL;
    if (corpus == NULL) return 2;
    uint8_t header[4];
    while (fread(header, 1, 4, corpus) == 4) {
        const uint32_t length = (uint32_t)header[0] | (uint32_t)header[1] << 8 | (uint32_t)header[2] << 16 |
                                (uint32_t)header[3] << 24;
        uint8_t *blob = malloc((size_t)length + 4);
        if (blob == NULL) return 2;
        for (int i = 0; i < 4; i++) blob[i] = header[i];
        if (fread(blob + 4, 1, length, corpus) != length) return 2;
        rune_manifest_error error;
        if (rune_manifest_parse(blob, &view, &error) != 0) {
            printf("error %u\n", (unsigned)error.offset);
        } else {
            printf("ok ");
            for (uint32_t c = 0; c < view.capability_count; c++) {
                const rune_capability_info *capability = &view.capabilities[c];
                print_hex(capability->name);
                printf(":");
                print_hex(capability->kind);
                printf(":");
                print_tensor(&capability->tensor);
                printf(";");
            }
            printf("|");
            for (uint32_t o = 0; o < view.output_count; o++) {
                const rune_output_info *output = &view.outputs[o];
                print_hex(output->name);
                printf(":");
                print_hex(output->kind);
                printf(":");
                for (uint32_t t = 0; t < output->tensor_count; t++) {
                    if (t) printf(",");
                    print_tensor(&view.output_tensors[output->first_tensor + t]);
                }
                printf(";");
            }
            printf("\n");
        }
        free(blob);
    }
    fclose(corpus);
    return 0;
}
