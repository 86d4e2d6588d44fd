/* handler: answer GET and HEAD on any path with the text, /healthz and
 * /readyz for Kubernetes' probes, and 405 for every other method. */
#include "handler.h"

#include <event2/buffer.h>
#include <event2/event.h> /* LIBEVENT_VERSION_NUMBER */
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* libevent 2.1 gives methods it does not know this type (EVHTTP_REQ_UNKNOWN_
 * in its private header). In 2.2 the same bit is a real method and unknown
 * methods go through evhttp_set_ext_method_cmp: built against 2.2, the server
 * would answer 501 where it promises 405. */
#if LIBEVENT_VERSION_NUMBER >= 0x02020000
#error "askeladden needs libevent 2.1: in 2.2, 1 << 15 (its unknown-method bit) is a real method"
#endif
#define UNKNOWN_METHOD (1 << 15)
#define CONTENT_TYPE "text/plain; charset=utf-8"
#define TEXT \
    "Strange women lying in ponds distributing swords is no basis for a system of government.\n"

const char handler_text[] = TEXT;

struct reply {
    int status;
    const char *reason;
    const char *body;
    size_t length;
    const char *length_text; /* precomputed: libevent would snprintf it per request */
};

#define REPLY(status, reason, body) status, reason, body, sizeof(body) - 1, NULL

enum { R_TEXT, R_HEALTHY, R_READY, R_DRAINING, R_NOT_ALLOWED, R_COUNT };
static struct reply replies[R_COUNT] = {
    [R_TEXT] = { REPLY(200, "OK", TEXT) },
    [R_HEALTHY] = { REPLY(200, "OK", "ok\n") },
    [R_READY] = { REPLY(200, "OK", "ready\n") },
    [R_DRAINING] = { REPLY(503, "Service Unavailable", "shutting down\n") },
    [R_NOT_ALLOWED] = { REPLY(405, "Method Not Allowed", "method not allowed\n") },
};
static char length_texts[R_COUNT][24];

static void precompute_lengths(void)
{
    for (int i = 0; i < R_COUNT; i++) {
        snprintf(length_texts[i], sizeof length_texts[i], "%zu", replies[i].length);
        replies[i].length_text = length_texts[i];
    }
}

static const struct reply *route(struct evhttp_request *req, const struct handler_state *st)
{
    enum evhttp_cmd_type method = evhttp_request_get_command(req);
    if (method != EVHTTP_REQ_GET && method != EVHTTP_REQ_HEAD)
        return &replies[R_NOT_ALLOWED];
    const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
    if (path != NULL && strcmp(path, "/healthz") == 0)
        return &replies[R_HEALTHY];
    if (path != NULL && strcmp(path, "/readyz") == 0)
        return atomic_load_explicit(st->draining, memory_order_relaxed) ? &replies[R_DRAINING]
                                                                        : &replies[R_READY];
    return &replies[R_TEXT];
}

/* A reply leaves the count when its request is freed. libevent 2.1 frees a
 * request with a reply queued in one of two places: evhttp_send_done, once the
 * reply is written, which calls the on-complete callback; or with its
 * connection in evhttp_connection_free (a reset, a write timeout, evhttp_free),
 * which calls the connection's close callback first and never the on-complete
 * one. A connection writes one reply at a time, so the close callback is set
 * while its reply is in flight and cleared once it is written. */
static void reply_abandoned(struct evhttp_connection *conn, void *arg)
{
    struct handler_state *st = arg;
    evhttp_connection_set_closecb(conn, NULL, NULL);
    st->replies_in_flight--;
}

static void reply_written(struct evhttp_request *req, void *arg)
{
    struct handler_state *st = arg;
    struct evhttp_connection *conn = evhttp_request_get_connection(req);
    if (conn != NULL)
        evhttp_connection_set_closecb(conn, NULL, NULL);
    st->replies_in_flight--;
}

static void handler_request(struct evhttp_request *req, void *arg)
{
    struct handler_state *st = arg;
    const struct reply *r = route(req, st);
    int head = evhttp_request_get_command(req) == EVHTTP_REQ_HEAD;
    struct evkeyvalq *headers = evhttp_request_get_output_headers(req);

    /* libevent would write a HEAD reply's body too: only GET gets one. */
    if (!head && evbuffer_add_reference(evhttp_request_get_output_buffer(req), r->body, r->length,
                                        NULL, NULL) != 0) {
        evhttp_send_error(req, HTTP_SERVUNAVAIL, NULL);
        return;
    }
    /* evhttp_add_header fails only when out of memory. Then the reply goes out
     * without that header: libevent adds its own Content-Length and Date, and
     * a connection that should close is closed when its loop stops. */
    if (r == &replies[R_NOT_ALLOWED])
        evhttp_add_header(headers, "Allow", "GET, HEAD");
    if (st->closing)
        evhttp_add_header(headers, "Connection", "close");
    evhttp_add_header(headers, "Content-Length", r->length_text);
    if (head) /* libevent adds no Content-Type to a reply without a body */
        evhttp_add_header(headers, "Content-Type", CONTENT_TYPE);
    /* Present, it stops libevent from formatting its own. */
    loop_clock_update(&st->clock);
    evhttp_add_header(headers, "Date", st->clock.http_date);

    access_log_request(&st->log, req, r->status, head ? 0 : r->length);
    st->replies_in_flight++;
    evhttp_request_set_on_complete_cb(req, reply_written, st);
    evhttp_connection_set_closecb(evhttp_request_get_connection(req), reply_abandoned, st);
    evhttp_send_reply(req, r->status, r->reason, NULL);
}

void handler_install(struct evhttp *http, struct handler_state *st)
{
    static pthread_once_t lengths_once = PTHREAD_ONCE_INIT;
    pthread_once(&lengths_once, precompute_lengths);
    evhttp_set_gencb(http, handler_request, st);
    evhttp_set_default_content_type(http, CONTENT_TYPE);
    /* Let every method reach the handler, which answers 405 with Allow;
     * libevent would answer 501 to those outside this set. */
    evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                                         EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS |
                                         EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH |
                                         UNKNOWN_METHOD);
}
