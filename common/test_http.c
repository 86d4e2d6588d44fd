/* test_http: a raw HTTP/1.1 client for tests: it sends exactly the bytes it is
 * given and keeps exactly the bytes it receives. */
#include "test_http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "test_clock.h"

/* A signal (a fuzzer's timer, a sanitizer stopping the threads) can interrupt
 * a blocking connect, or restart it, which Linux answers with EALREADY or
 * EISCONN; the connection goes on in the background all the same. 1 when it
 * did and succeeded. */
static int connect_finished(int fd)
{
    if (errno == EISCONN)
        return 1;
    if (errno != EINTR && errno != EALREADY && errno != EINPROGRESS)
        return 0;
    struct pollfd p = { .fd = fd, .events = POLLOUT };
    int rc;
    while ((rc = poll(&p, 1, -1)) < 0 && errno == EINTR)
        ;
    int err = 0;
    socklen_t err_len = sizeof err;
    return rc > 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &err_len) == 0 && err == 0;
}

int http_connect(const char *host, int port)
{
    return http_connect_with_receive_buffer(host, port, 0);
}

int http_connect_with_receive_buffer(const char *host, int port, int bytes)
{
    struct sockaddr_storage ss;
    socklen_t len;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons((uint16_t)port);
        len = sizeof *in4;
    } else if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        len = sizeof *in6;
    } else {
        return -1;
    }
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    /* Before connect, so that the window it advertises never grows past it. */
    if (bytes > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes) != 0) {
        close(fd);
        return -1;
    }
    if (connect(fd, (struct sockaddr *)&ss, len) != 0 && !connect_finished(fd)) {
        close(fd);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

int http_send_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Wait for fd to become readable before the deadline; 1 if it did. */
static int readable_before(int fd, long deadline)
{
    long left = deadline - clock_ms();
    if (left <= 0)
        return 0;
    struct pollfd p = { .fd = fd, .events = POLLIN };
    int rc;
    while ((rc = poll(&p, 1, (int)left)) < 0 && errno == EINTR)
        ;
    return rc > 0;
}

static void parse_head(struct http_reply *r, const char *end_of_head)
{
    r->body = end_of_head + 4;
    if (sscanf(r->raw, "HTTP/%*d.%*d %d", &r->status) != 1)
        r->status = 0;
}

/* How many body bytes the reply announces; -1 when it runs until close. */
static long expected_body(const struct http_reply *r, int head)
{
    char value[32];
    if (head || r->status == 204 || r->status == 304 || (r->status >= 100 && r->status < 200))
        return 0;
    if (http_header(r, "Content-Length", value, sizeof value))
        return atol(value);
    return -1;
}

/* Receive more of a reply's head, and nothing past its end, so that a
 * pipelined reply that follows stays in the socket for the next call: peek,
 * then take only what ends the head. */
static ssize_t recv_head_part(int fd, struct http_reply *out, size_t room)
{
    char *at = out->raw + out->raw_len;
    ssize_t n = recv(fd, at, room, MSG_PEEK);
    if (n <= 0)
        return n;
    size_t from = out->raw_len > 3 ? out->raw_len - 3 : 0;
    const char *end = memmem(out->raw + from, out->raw_len - from + (size_t)n, "\r\n\r\n", 4);
    size_t take = end != NULL ? (size_t)(end + 4 - at) : (size_t)n;
    return recv(fd, at, take, 0);
}

int http_read_reply(int fd, int head, int timeout_ms, struct http_reply *out)
{
    memset(out, 0, offsetof(struct http_reply, raw));
    out->raw[0] = '\0';
    long deadline = clock_ms() + timeout_ms;
    long want = -2; /* -2: headers not complete yet */
    for (;;) {
        if (want >= 0 && out->raw_len >= (size_t)(out->body - out->raw) + (size_t)want) {
            out->body_len = (size_t)want;
            return 0;
        }
        if (out->raw_len >= HTTP_REPLY_MAX || !readable_before(fd, deadline))
            return -1;
        size_t room = HTTP_REPLY_MAX - out->raw_len;
        if (want >= 0)
            room = (size_t)(out->body - out->raw) + (size_t)want - out->raw_len;
        ssize_t n =
            want == -2 ? recv_head_part(fd, out, room) : recv(fd, out->raw + out->raw_len, room, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            out->closed = 1;
            if (want == -1) {
                out->body_len = out->raw_len - (size_t)(out->body - out->raw);
                return 0;
            }
            return -1;
        }
        out->raw_len += (size_t)n;
        out->raw[out->raw_len] = '\0';
        if (want == -2) {
            const char *end = memmem(out->raw, out->raw_len, "\r\n\r\n", 4);
            if (end != NULL) {
                parse_head(out, end);
                want = expected_body(out, head);
            }
        }
    }
}

int http_exchange(const char *host, int port, const char *raw, size_t raw_len, int head,
                  int timeout_ms, struct http_reply *out)
{
    int fd = http_connect(host, port);
    if (fd < 0) {
        memset(out, 0, offsetof(struct http_reply, raw));
        return -1;
    }
    int rc = http_send_all(fd, raw, raw_len);
    if (rc == 0)
        rc = http_read_reply(fd, head, timeout_ms, out);
    close(fd);
    return rc;
}

int http_simple(const char *host, int port, const char *method, const char *path,
                struct http_reply *out)
{
    char req[1024];
    int n = snprintf(req, sizeof req, "%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n",
                     method, path, host);
    if (n < 0 || (size_t)n >= sizeof req)
        return -1;
    return http_exchange(host, port, req, (size_t)n, strcmp(method, "HEAD") == 0, 5000, out);
}

int http_header(const struct http_reply *r, const char *name, char *value, size_t value_len)
{
    size_t name_len = strlen(name);
    const char *line = strstr(r->raw, "\r\n");
    while (line != NULL && strncmp(line, "\r\n\r\n", 4) != 0) {
        line += 2;
        if (strncasecmp(line, name, name_len) == 0 && line[name_len] == ':') {
            const char *v = line + name_len + 1;
            while (*v == ' ')
                v++;
            size_t len = strcspn(v, "\r\n");
            if (len >= value_len)
                len = value_len - 1;
            memcpy(value, v, len);
            value[len] = '\0';
            return 1;
        }
        line = strstr(line, "\r\n");
    }
    return 0;
}

int http_wait_closed(int fd, int timeout_ms)
{
    long deadline = clock_ms() + timeout_ms;
    char buf[4096];
    while (readable_before(fd, deadline)) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
            return 1;
    }
    return 0;
}

int http_get_200(const char *host, int port)
{
    struct http_reply *r = malloc(sizeof *r);
    int ok = r != NULL && http_simple(host, port, "GET", "/", r) == 0 && r->status == 200;
    free(r);
    return ok;
}

int http_wait_hangups(const int fds[], long closed_at_ms[], int n, int timeout_ms)
{
    struct pollfd p[8];
    int closed = 0;
    if (n > 8)
        return -1;
    for (int i = 0; i < n; i++) {
        p[i] = (struct pollfd){ .fd = fds[i], .events = POLLRDHUP };
        closed_at_ms[i] = -1;
    }
    long deadline = clock_ms() + timeout_ms;
    for (long left = timeout_ms; closed < n && left > 0; left = deadline - clock_ms()) {
        if (poll(p, (nfds_t)n, (int)left) <= 0)
            continue;
        long now = clock_ms();
        for (int i = 0; i < n; i++) {
            if (p[i].revents & (POLLRDHUP | POLLHUP | POLLERR)) {
                closed_at_ms[i] = now;
                p[i].fd = -1; /* poll ignores it from now on */
                closed++;
            }
        }
    }
    return closed;
}

int http_wait_refused(const char *host, int port, int timeout_ms)
{
    long deadline = clock_ms() + timeout_ms;
    for (;;) {
        int fd = http_connect(host, port);
        if (fd < 0 && errno == ECONNREFUSED)
            return 1;
        if (fd >= 0)
            close(fd);
        if (clock_ms() >= deadline)
            return 0;
        poll(NULL, 0, 5); /* a short interval between attempts */
    }
}
