/* http_date: libevent formats the Date header with snprintf on every reply,
 * though the text changes only once a second. */
#include "http_date.h"

#include <event2/util.h>

void http_date_init(struct http_date *d)
{
    d->second = (time_t)-1;
    d->text[0] = '\0';
}

const char *http_date_now(struct http_date *d)
{
    time_t now = time(NULL);
    if (now != d->second) {
        struct tm tm;
        gmtime_r(&now, &tm);
        evutil_date_rfc1123(d->text, sizeof d->text, &tm);
        d->second = now;
    }
    return d->text;
}
