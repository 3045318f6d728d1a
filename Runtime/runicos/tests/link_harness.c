/*
 * link_harness.c - a RunicOS device on the host, for end-to-end tests of the
 * link protocol: the real transport, server and slots over
 * link_host_kernel.c, with the board's serial port replaced by a TCP
 * connection on 127.0.0.1 (one client at a time; the next may connect when
 * it leaves). A reset request restarts the "device" with its storage kept,
 * as a board's SYSRESETREQ would.
 *
 *   link_harness [--noise] [--drop N] [--lifetime SECONDS]
 *
 * Prints "port P" once listening on a free port. --noise writes console
 * lines between frames, as a kernel's log would; --drop N garbles every
 * Nth frame that arrives, so the client sees a timeout and must retry.
 * --lifetime (default 120) bounds the process if its parent forgets it.
 *
 * Built by RuneLinkTests with the host cc as one translation unit:
 *   cc -std=gnu11 -I Runtime/include -I Runtime link_harness.c -o link_harness
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cortex-m/sha256.c"
#include "runicos/image.c"
#include "runicos/slots.c"
#include "runicos/link/smp_serial.c"
#include "runicos/link/cbor.c"
#include "runicos/link/smp_server.c"
#include "runicos/link/link.c"
#include "runicos/tests/link_host_kernel.c"

static int connection = -1;
static uint8_t received[4096];
static size_t received_used, received_at;
static jmp_buf reboot;
static unsigned drop_every;
static unsigned frames_seen;
static bool garble_next;
static uint8_t previous_byte;
/* Globals, not locals of main: a reset longjmps back into main. */
static bool noise;
static uint64_t start, last_noise;
static unsigned ticks;

static void disconnect(void) {
    if (connection >= 0) close(connection);
    connection = -1;
    received_used = received_at = 0;
}

int rune_board_serial_read(uint8_t *byte) {
    if (connection < 0) return 0;
    if (received_at == received_used) {
        const ssize_t n = recv(connection, received, sizeof received, MSG_DONTWAIT);
        if (n <= 0) {
            if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) disconnect();
            return 0;
        }
        received_used = (size_t)n;
        received_at = 0;
    }
    *byte = received[received_at++];
    if (garble_next) {
        *byte = '!';
        garble_next = false;
    }
    if (previous_byte == 0x06 && *byte == 0x09 && drop_every != 0 && ++frames_seen % drop_every == 0) garble_next = true;
    previous_byte = *byte;
    return 1;
}

void rune_board_serial_write(const char *data, uint32_t length) {
    while (connection >= 0 && length > 0) {
        const ssize_t n = send(connection, data, length, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            disconnect();
            return;
        }
        data += n;
        length -= (uint32_t)n;
    }
}

void rune_board_reset(void) { longjmp(reboot, 1); }

static uint64_t now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

int main(int argc, char **argv) {
    unsigned lifetime = 120;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--noise") == 0) noise = true;
        else if (strcmp(argv[i], "--drop") == 0 && i + 1 < argc) drop_every = (unsigned)atoi(argv[++i]);
        else if (strcmp(argv[i], "--lifetime") == 0 && i + 1 < argc) lifetime = (unsigned)atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: link_harness [--noise] [--drop N] [--lifetime SECONDS]\n");
            return 2;
        }
    }
    /* A test runner may start this with signals blocked (a spawned child inherits the mask):
     * then neither the lifetime alarm nor the runner's SIGTERM would end it. */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGALRM, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    alarm(lifetime);
    const int listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = 0, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t address_length = sizeof address;
    if (listener < 0 || bind(listener, (struct sockaddr *)&address, sizeof address) != 0 || listen(listener, 1) != 0 ||
        getsockname(listener, (struct sockaddr *)&address, &address_length) != 0) {
        perror("link_harness: listen");
        return 1;
    }
    printf("port %u\n", (unsigned)ntohs(address.sin_port));
    fflush(stdout);

    start = now_ms();
    link_host_wipe();
    static volatile unsigned resets;
    if (setjmp(reboot) != 0) {
        resets++;
        link_host_boot();
        fprintf(stderr, "link_harness: reset %u\n", resets);
    }
    last_noise = now_ms();
    for (;;) {
        if (connection < 0) {
            struct pollfd wait = {.fd = listener, .events = POLLIN};
            if (poll(&wait, 1, 100) <= 0) continue;
            connection = accept(listener, NULL, NULL);
            if (connection < 0) continue;
            const int on = 1;
            setsockopt(connection, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
        }
        struct pollfd wait = {.fd = connection, .events = POLLIN};
        poll(&wait, 1, 20);
        link_host_uptime_ms = (uint32_t)(now_ms() - start);
        runicos_link_poll();
        if (noise && now_ms() - last_noise >= 50) {
            char line[64];
            const int n = snprintf(line, sizeof line, "[runicos] idle, tick %u\n", ++ticks);
            rune_board_serial_write(line, (uint32_t)n);
            last_noise = now_ms();
        }
    }
}
