/* fixed_requests: send exactly TOTAL requests over CONNS keep-alive
 * connections, one in flight on each, for a count-based measurement (wrk only
 * runs for a duration). Exits 1 when a request fails or is not a 200. */
#include <stdio.h>
#include <stdlib.h>

#include "test_http.h"

static const char request[] = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

/* A server under valgrind answers slowly; one that says nothing for this long
 * is stuck. */
#define REPLY_TIMEOUT_MS 60000

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "Usage: fixed_requests HOST PORT CONNS TOTAL\n");
        return 2;
    }
    int conns = atoi(argv[3]);
    long total = atol(argv[4]);
    if (conns < 1 || total < 0) {
        fprintf(stderr, "fixed_requests: CONNS must be >= 1 and TOTAL >= 0\n");
        return 2;
    }
    static struct http_reply reply;
    int *fds = calloc((size_t)conns, sizeof *fds);
    if (fds == NULL) {
        perror("fixed_requests: calloc");
        return 1;
    }
    for (int i = 0; i < conns; i++) {
        fds[i] = http_connect(argv[1], atoi(argv[2]));
        if (fds[i] < 0) {
            perror("fixed_requests: connect");
            return 1;
        }
    }
    for (long sent = 0; sent < total;) {
        int batch = total - sent < conns ? (int)(total - sent) : conns;
        for (int i = 0; i < batch; i++) {
            if (http_send_all(fds[i], request, sizeof request - 1) != 0) {
                perror("fixed_requests: write");
                return 1;
            }
        }
        for (int i = 0; i < batch; i++) {
            if (http_read_reply(fds[i], 0, REPLY_TIMEOUT_MS, &reply) != 0 || reply.status != 200) {
                fprintf(stderr, "fixed_requests: request %ld failed\n", sent + i);
                return 1;
            }
        }
        sent += batch;
    }
    free(fds);
    return 0;
}
