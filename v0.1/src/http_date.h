/* http_date: the Date header's text, formatted once a second per loop. */
#ifndef HTTP_DATE_H
#define HTTP_DATE_H

#include <time.h>

/* One per event loop thread, like the access log: no locks. */
struct http_date {
    time_t second;
    char text[32]; /* "Sun, 06 Nov 1994 08:49:37 GMT" */
};

void http_date_init(struct http_date *d);

/* The current time in libevent's RFC 1123 format. */
const char *http_date_now(struct http_date *d);

#endif
