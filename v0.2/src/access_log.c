/* access_log: format and write one access log line per request. */
#include "access_log.h"

#include <event2/http.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define URI_LOG_MAX 200

void access_log_init(struct access_log *log, int enabled, int fd, const struct loop_clock *clock)
{
    log->enabled = enabled;
    log->fd = fd;
    log->clock = clock;
}

static const char *method_name(enum evhttp_cmd_type method)
{
    switch (method) {
    case EVHTTP_REQ_GET:
        return "GET";
    case EVHTTP_REQ_POST:
        return "POST";
    case EVHTTP_REQ_HEAD:
        return "HEAD";
    case EVHTTP_REQ_PUT:
        return "PUT";
    case EVHTTP_REQ_DELETE:
        return "DELETE";
    case EVHTTP_REQ_OPTIONS:
        return "OPTIONS";
    case EVHTTP_REQ_TRACE:
        return "TRACE";
    case EVHTTP_REQ_CONNECT:
        return "CONNECT";
    case EVHTTP_REQ_PATCH:
        return "PATCH";
    }
    return "?";
}

void access_log_escape(const char *text, char *out, size_t outlen)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    if (outlen == 0)
        return;
    /* Text is copied only while 4 bytes stay free behind it, for "..." and
     * the NUL; a buffer smaller than that gets what fits of the dots. */
    for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++) {
        int plain = *p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\';
        size_t need = plain ? 1 : 4;
        if (o + need + 4 > outlen || o >= URI_LOG_MAX) {
            size_t dots = outlen - 1 - o < 3 ? outlen - 1 - o : 3;
            memcpy(out + o, "...", dots);
            o += dots;
            break;
        }
        if (plain) {
            out[o++] = (char)*p;
        } else {
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = hex[*p >> 4];
            out[o++] = hex[*p & 0xf];
        }
    }
    out[o] = '\0';
}

void access_log_request(struct access_log *log, struct evhttp_request *req, int status,
                        size_t body_bytes)
{
    if (!log->enabled)
        return;
    char *peer = NULL;
    ev_uint16_t port = 0;
    struct evhttp_connection *conn = evhttp_request_get_connection(req);
    if (conn != NULL)
        evhttp_connection_get_peer(conn, &peer, &port);

    char uri[URI_LOG_MAX + 8];
    access_log_escape(evhttp_request_get_uri(req), uri, sizeof uri);

    char line[512];
    int n = snprintf(line, sizeof line, "%s %s:%u \"%s %s\" %d %zu\n", log->clock->log_time,
                     peer != NULL ? peer : "-", (unsigned)port,
                     method_name(evhttp_request_get_command(req)), uri, status, body_bytes);
    if (n > 0) {
        /* One write(2) per line: lines from several threads never interleave.
         * A log that cannot be written must not cost the client its reply. */
        ssize_t ignored =
            write(log->fd, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
        (void)ignored;
    }
}
