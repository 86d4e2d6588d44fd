/* handler: the routes and the replies, one handler per event loop. */
#ifndef HANDLER_H
#define HANDLER_H

#include <stdatomic.h>

#include "access_log.h"
#include "loop_clock.h"

struct evhttp;

extern const char handler_text[]; /* the one line the server is for */

struct handler_state {
    const atomic_int *draining; /* shared by all loops: /readyz fails once set */
    int closing;                /* this loop is stopping: close after each reply */
    int replies_in_flight;      /* replies handed to libevent, not yet written */
    struct loop_clock clock;    /* read by the Date header and the log */
    struct access_log log;
};

/* Route every request on http to handler_request with st, and set the
 * defaults the replies rely on. */
void handler_install(struct evhttp *http, struct handler_state *st);

#endif
