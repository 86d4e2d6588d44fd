/* loop_clock: the time one event loop runs on, for the Date header and the
 * access log alike. */
#ifndef LOOP_CLOCK_H
#define LOOP_CLOCK_H

#include <time.h>

struct event_base;

/* One per event loop thread: no locks. */
struct loop_clock {
    struct event_base *base;
    time_t second;
    char http_date[32]; /* "Sun, 06 Nov 1994 08:49:37 GMT" */
    char log_time[24];  /* "1994-11-06T08:49:37Z" */
};

void loop_clock_init(struct loop_clock *c, struct event_base *base);

/* Bring the texts up to the loop's time: the time libevent took when the loop
 * last woke up, so every request of one tick sees the same second, and no
 * request costs a system call. Formats again only when the second changed. */
void loop_clock_update(struct loop_clock *c);

#endif
