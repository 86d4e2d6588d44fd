/* fixed_requests: send exactly TOTAL requests over CONNS keep-alive
 * connections, one in flight on each, for a count-based measurement (wrk only
 * runs for a duration). Exits 1 when a request fails or is not a 200. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_client.h"

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
    int *fds = calloc((size_t)conns, sizeof *fds);
    for (int i = 0; i < conns; i++) {
        fds[i] = http_client_connect(argv[1], argv[2]);
        if (fds[i] < 0) {
            perror("fixed_requests: connect");
            return 1;
        }
    }
    const size_t len = strlen(HTTP_CLIENT_REQUEST);
    for (long sent = 0; sent < total;) {
        int batch = total - sent < conns ? (int)(total - sent) : conns;
        for (int i = 0; i < batch; i++) {
            if (http_client_send(fds[i], HTTP_CLIENT_REQUEST, len) != 0) {
                perror("fixed_requests: write");
                return 1;
            }
        }
        for (int i = 0; i < batch; i++) {
            if (http_client_read_reply(fds[i]) != 200) {
                fprintf(stderr, "fixed_requests: request %ld failed\n", sent + i);
                return 1;
            }
        }
        sent += batch;
    }
    free(fds);
    return 0;
}
