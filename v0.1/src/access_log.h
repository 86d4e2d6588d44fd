/* access_log: one line per request on stdout, what `kubectl logs` shows. */
#ifndef ACCESS_LOG_H
#define ACCESS_LOG_H

#include <stddef.h>

#include "loop_clock.h"

struct evhttp_request;

/* One per event loop thread: no locks. Its time is the loop's clock, which
 * the caller brings up to date before each request. */
struct access_log {
    int enabled;
    int fd;
    const struct loop_clock *clock;
};

void access_log_init(struct access_log *log, int enabled, int fd, const struct loop_clock *clock);

void access_log_request(struct access_log *log, struct evhttp_request *req, int status,
                        size_t body_bytes);

/* Copy text into out (of size outlen), escaping what could forge a log line
 * or a terminal sequence, and truncating long input with "..." (as much of it
 * as fits). out is always NUL-terminated when outlen > 0; nothing is written
 * when outlen is 0. */
void access_log_escape(const char *text, char *out, size_t outlen);

#endif
