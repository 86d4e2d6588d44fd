/* fuzz_http: libFuzzer feeds arbitrary bytes to a real evhttp server running
 * in this process (one loop thread), over a loopback TCP connection, exactly
 * as a client would. Crashes, sanitizer reports and hangs are findings. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server.h"

#define REPLY_WAIT_MS 2000

static struct sockaddr_in server_addr;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    signal(SIGPIPE, SIG_IGN);
    char err[256];
    int devnull = open("/dev/null", 1);
    struct server_config cfg = { .address = "127.0.0.1", .port = 0, .threads = 1,
                                 .access_log = 1, .log_fd = devnull };
    struct server *s = server_start(&cfg, err, sizeof err);
    if (s == NULL)
        abort();
    server_addr.sin_family = AF_INET;
    server_addr.sin_port = htons((uint16_t)server_port(s));
    server_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return 0;
}

/* Read and drop replies until the server closes the connection. */
static void drain_replies(int fd)
{
    char buf[16384];
    struct pollfd p = { .fd = fd, .events = POLLIN };
    while (poll(&p, 1, REPLY_WAIT_MS) > 0) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n <= 0)
            return;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return 0;
    if (connect(fd, (struct sockaddr *)&server_addr, sizeof server_addr) == 0) {
        size_t sent = 0;
        while (sent < size) {
            ssize_t n = send(fd, data + sent, size - sent, MSG_NOSIGNAL);
            if (n <= 0)
                break;
            sent += (size_t)n;
        }
        shutdown(fd, SHUT_WR); /* the server sees the end of the input */
        drain_replies(fd);
    }
    close(fd);
    return 0;
}
