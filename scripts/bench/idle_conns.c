/* idle_conns: open COUNT keep-alive connections, make one request on each so
 * that the server holds a live connection, print "ready", then keep them open
 * and idle for HOLD seconds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http_client.h"

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "Usage: idle_conns HOST PORT COUNT HOLD_SECONDS\n");
        return 2;
    }
    int count = atoi(argv[3]);
    int hold = atoi(argv[4]);
    const size_t len = strlen(HTTP_CLIENT_REQUEST);
    for (int i = 0; i < count; i++) {
        int fd = http_client_connect(argv[1], argv[2]);
        if (fd < 0) {
            fprintf(stderr, "idle_conns: connection %d: ", i);
            perror("connect");
            return 1;
        }
        if (http_client_send(fd, HTTP_CLIENT_REQUEST, len) != 0 ||
            http_client_read_reply(fd) != 200) {
            fprintf(stderr, "idle_conns: request on connection %d failed\n", i);
            return 1;
        }
    }
    printf("ready %d\n", count);
    fflush(stdout);
    sleep((unsigned)hold);
    return 0;
}
