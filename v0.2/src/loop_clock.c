/* loop_clock: libevent formats the Date header with snprintf on every reply,
 * and a log would call time() on every line, though the text changes only
 * once a second. One cached time per loop serves both. */
#include "loop_clock.h"

#include <event2/event.h>
#include <event2/util.h>

void loop_clock_init(struct loop_clock *c, struct event_base *base)
{
    c->base = base;
    c->second = (time_t)-1;
    c->http_date[0] = '\0';
    c->log_time[0] = '\0';
}

void loop_clock_update(struct loop_clock *c)
{
    struct timeval tv;
    if (event_base_gettimeofday_cached(c->base, &tv) != 0)
        evutil_gettimeofday(&tv, NULL);
    if (tv.tv_sec == c->second)
        return;
    struct tm tm;
    time_t now = tv.tv_sec;
    gmtime_r(&now, &tm);
    evutil_date_rfc1123(c->http_date, sizeof c->http_date, &tm);
    strftime(c->log_time, sizeof c->log_time, "%Y-%m-%dT%H:%M:%SZ", &tm);
    c->second = now;
}
