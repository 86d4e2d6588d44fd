/* idle_conns: open COUNT keep-alive connections, make one request on each so
 * that the server holds a live connection, print "ready", then keep them open
 * and idle for HOLD seconds. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "test_http.h"

static const char request[] = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

#define REPLY_TIMEOUT_MS 10000

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "Usage: idle_conns HOST PORT COUNT HOLD_SECONDS\n");
        return 2;
    }
    int count = atoi(argv[3]);
    int hold = atoi(argv[4]);
    static struct http_reply reply;
    for (int i = 0; i < count; i++) {
        int fd = http_connect(argv[1], atoi(argv[2]));
        if (fd < 0) {
            fprintf(stderr, "idle_conns: connection %d: ", i);
            perror("connect");
            return 1;
        }
        if (http_send_all(fd, request, sizeof request - 1) != 0 ||
            http_read_reply(fd, 0, REPLY_TIMEOUT_MS, &reply) != 0 || reply.status != 200) {
            fprintf(stderr, "idle_conns: request on connection %d failed\n", i);
            return 1;
        }
    }
    printf("ready %d\n", count);
    fflush(stdout);
    sleep((unsigned)hold);
    return 0;
}
