/* fuzz_http: libFuzzer drives whole client connections through a real evhttp
 * server running in this process (one loop thread): request bytes in over
 * loopback TCP, reply bytes out. libevent is built from source with the same
 * instrumentation, so the fuzzer steers its HTTP parser as well as our code.
 *
 * The first byte of an input says how the connection goes, the rest is what
 * the client sends (any number of requests, pipelined or not):
 *   byte % 4        the end: 0 half-close, then read every reply until the
 *                   server closes; 1 half-close, read the first reply (it
 *                   must be HTTP), then close with the rest unread; 2 close right after the last
 * write, reading nothing; 3 reset (RST) right after the last write byte / 4 % 8    the size of each
 * write: everything at once, or 1, 2, 3, 5, 8, 13 or 64 bytes (at most MAX_WRITES writes, then the
 *                   rest at once), so requests arrive split anywhere
 * A seed that starts with a space (32) is sent at once and every reply read.
 * Crashes, sanitizer reports and hangs are findings. */
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server.h"
#include "test_http.h"

/* The server answers or closes as soon as it sees the end of the input. Longer
 * than run-fuzz.sh's -timeout, so that a server that does not is a finding. */
#define REPLY_WAIT_MS 30000
#define MAX_WRITES 64

enum fuzz_end { END_READ_ALL, END_READ_ONE, END_CLOSE, END_RESET };

static const size_t fuzz_write_sizes[8] = { 0, 1, 2, 3, 5, 8, 13, 64 };
static int fuzz_port;
/* Static: a reply buffer is 64 KiB. Only the first reply is parsed: where a
 * later one starts depends on whether the request before it was a HEAD, which
 * the fuzzer's bytes do not tell, so the rest is drained whole. */
static struct http_reply fuzz_reply;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    signal(SIGPIPE, SIG_IGN);
    char err[256];
    int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    struct server_config cfg = {
        .address = "127.0.0.1", .port = 0, .threads = 1, .access_log = 1, .log_fd = devnull
    };
    struct server *s = server_start(&cfg, err, sizeof err);
    if (s == NULL)
        abort();
    fuzz_port = server_port(s);
    return 0;
}

/* Send data in writes of chunk bytes (0: all at once); 0 when all was sent. */
static int fuzz_send(int fd, const uint8_t *data, size_t size, size_t chunk)
{
    for (int writes = 0; chunk > 0 && writes < MAX_WRITES && size > chunk; writes++) {
        if (http_send_all(fd, (const char *)data, chunk) != 0)
            return -1;
        data += chunk;
        size -= chunk;
    }
    return size == 0 ? 0 : http_send_all(fd, (const char *)data, size);
}

/* Read the first reply whole: when one arrives, it must be HTTP. */
static void fuzz_read_first_reply(int fd)
{
    if (http_read_reply(fd, 0, REPLY_WAIT_MS, &fuzz_reply) == 0 &&
        (fuzz_reply.status < 100 || fuzz_reply.status > 599))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    enum fuzz_end end = (enum fuzz_end)(data[0] % 4);
    size_t chunk = fuzz_write_sizes[data[0] / 4 % 8];
    int fd = http_connect("127.0.0.1", fuzz_port);
    if (fd < 0) { /* the server stopped accepting: a finding */
        perror("fuzz_http: connect to the in-process server");
        abort();
    }
    if (fuzz_send(fd, data + 1, size - 1, chunk) == 0) {
        if (end == END_READ_ALL || end == END_READ_ONE) {
            shutdown(fd, SHUT_WR); /* the server sees the end of the input */
            if (end == END_READ_ONE)
                fuzz_read_first_reply(fd);
            else
                http_wait_closed(fd, REPLY_WAIT_MS);
        } else if (end == END_RESET) {
            struct linger reset = { .l_onoff = 1, .l_linger = 0 };
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
        }
    }
    close(fd);
    return 0;
}
