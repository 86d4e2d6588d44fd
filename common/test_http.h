/* test_http: a raw HTTP/1.1 client for tests, byte-exact on the wire. */
#ifndef TEST_HTTP_H
#define TEST_HTTP_H

#include <stddef.h>

#define HTTP_REPLY_MAX 65536

struct http_reply {
    int status;                   /* 0 when no status line arrived */
    int closed;                   /* the server closed the connection */
    size_t raw_len;               /* bytes received in all */
    char raw[HTTP_REPLY_MAX + 1]; /* everything received, NUL-terminated */
    const char *body;             /* points into raw, after the blank line */
    size_t body_len;
};

/* Connect to host:port (numeric IPv4/IPv6); returns a blocking socket or -1. */
int http_connect(const char *host, int port);

/* The same with the socket's receive buffer fixed at bytes (0: the kernel's
 * default, which grows as needed). */
int http_connect_with_receive_buffer(const char *host, int port, int bytes);

/* Send all of buf; 0 on success, -1 on error. */
int http_send_all(int fd, const char *buf, size_t len);

/* Read one response from fd (headers, then Content-Length bytes of body, or
 * until close when there is none). A HEAD reply has no body: pass head=1.
 * Returns 0 when a full response arrived, -1 on timeout or error. */
int http_read_reply(int fd, int head, int timeout_ms, struct http_reply *out);

/* One request on a new connection: send raw, read one reply, close.
 * Returns 0 on a full reply. */
int http_exchange(const char *host, int port, const char *raw, size_t raw_len, int head,
                  int timeout_ms, struct http_reply *out);

/* GET/HEAD/any method on path, HTTP/1.1, Connection: close. */
int http_simple(const char *host, int port, const char *method, const char *path,
                struct http_reply *out);

/* Copy the value of header name (case-insensitive) into value; 1 if found. */
int http_header(const struct http_reply *r, const char *name, char *value, size_t value_len);

/* Wait until the peer closes fd; 1 if it did within timeout_ms. */
int http_wait_closed(int fd, int timeout_ms);

/* GET / on a new connection answers 200: the one check that a server serves. */
int http_get_200(const char *host, int port);

/* Wait until the peer has closed each of fds[0..n-1], without reading what
 * it sent; closed_at_ms[i] is when fds[i] was seen closed (clock_ms), -1 if
 * not within timeout_ms. Returns how many were closed. */
int http_wait_hangups(const int fds[], long closed_at_ms[], int n, int timeout_ms);

/* Wait until connecting to host:port is refused (its listener closed); 1 if
 * it was within timeout_ms. */
int http_wait_refused(const char *host, int port, int timeout_ms);

#endif
