/* server: one event_base, evhttp and SO_REUSEPORT listener per thread, so the
 * kernel spreads connections over the loops and no lock is on the request
 * path. Shutdown is driven from outside through server_begin_shutdown and
 * server_stop. libevent's own locking stays off (it would take a mutex on every
 * event_add): no other thread touches a loop, server_stop wakes each one
 * through a pipe. */
#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "handler.h"
#include "listener.h"

/* libevent 2.1 defaults are unlimited sizes and 50 s timeouts: a stalled
 * client must not outlive Kubernetes' 30 s termination grace period. */
#define MAX_HEADERS_BYTES 8192
#define MAX_BODY_BYTES 4096
#define IO_TIMEOUT_SECONDS 10
/* While a reply is being written, libevent keeps reading (to notice a close)
 * with no limit: a client that pipelines requests and never reads replies
 * would make us buffer all it sends. Well above any request we accept. */
#define MAX_BUFFERED_INPUT_BYTES (64 * 1024)
/* After the listeners close: how often to look whether replies are still
 * being written, and how long they get to finish. A client that stopped
 * reading must not hold the process past Kubernetes' grace period. */
#define FINISH_CHECK_MS 20
#define FINISH_MAX_MS 2000

struct worker {
    struct server *server;
    struct event_base *base;
    struct evhttp *http;
    struct listener *listener;
    struct evhttp_bound_socket *bound;
    int wake[2]; /* a pipe: server_stop writes, the loop's stop event reads */
    struct event *stop;
    struct event *finish;
    long finish_by_ms; /* monotonic: replies still in flight then are cut off */
    struct handler_state handler;
    pthread_t thread;
    int running;
};

struct server {
    atomic_int draining;
    int port;
    char endpoint[NI_MAXHOST + 16];
    int nworkers;
    struct worker workers[];
};

static int resolve(const char *address, int port, struct sockaddr_storage *out, socklen_t *len,
                   char *err, size_t errlen)
{
    struct addrinfo hints = { .ai_family = AF_UNSPEC,
                              .ai_socktype = SOCK_STREAM,
                              .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
    struct addrinfo *res;
    char service[8];
    snprintf(service, sizeof service, "%d", port);
    const char *node = address != NULL && address[0] != '\0' ? address : "0.0.0.0";
    int rc = getaddrinfo(node, service, &hints, &res);
    if (rc != 0) {
        snprintf(err, errlen, "cannot resolve address '%.64s': %s", node, gai_strerror(rc));
        return -1;
    }
    memcpy(out, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

int server_format_endpoint(const struct sockaddr *addr, socklen_t len, char *out, size_t outlen)
{
    char host[NI_MAXHOST];
    int port = 0;
    /* The port even when getnameinfo fails: sin6_port lies where sin_port does. */
    if ((addr->sa_family == AF_INET || addr->sa_family == AF_INET6) &&
        len >= offsetof(struct sockaddr_in, sin_port) + sizeof(in_port_t))
        port = ntohs(((const struct sockaddr_in *)addr)->sin_port);
    if (getnameinfo(addr, len, host, sizeof host, NULL, 0, NI_NUMERICHOST) != 0)
        snprintf(host, sizeof host, "?");
    snprintf(out, outlen, addr->sa_family == AF_INET6 ? "[%s]:%d" : "%s:%d", host, port);
    return port;
}

static void format_endpoint(struct server *s, const struct sockaddr *addr, socklen_t len)
{
    s->port = server_format_endpoint(addr, len, s->endpoint, sizeof s->endpoint);
}

static long monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void worker_close_all(struct worker *w)
{
    if (w->finish != NULL)
        event_del(w->finish);
    evhttp_free(w->http); /* closes the connections left: idle keep-alives */
    w->http = NULL;
    event_base_loopbreak(w->base);
}

static void worker_finish(evutil_socket_t fd, short what, void *arg)
{
    struct worker *w = arg;
    (void)fd;
    (void)what;
    if (w->handler.replies_in_flight > 0 && monotonic_ms() < w->finish_by_ms)
        return;
    worker_close_all(w);
}

static void worker_stop(evutil_socket_t fd, short what, void *arg)
{
    struct worker *w = arg;
    (void)fd;
    (void)what;
    w->handler.closing = 1;
    evhttp_del_accept_socket(w->http, w->bound); /* frees the listener, closes its socket */
    w->bound = NULL;
    listener_free(w->listener);
    w->listener = NULL;
    w->finish_by_ms = monotonic_ms() + FINISH_MAX_MS;
    /* The first check comes after one period even when nothing is in flight,
     * so requests already on their way over open connections are answered. */
    struct timeval period = { 0, FINISH_CHECK_MS * 1000 };
    if (event_add(w->finish, &period) != 0) {
        fprintf(stderr, "askeladden: event_add failed: closing connections without waiting "
                        "for replies in flight\n");
        worker_close_all(w);
    }
}

static void *worker_run(void *arg)
{
    struct worker *w = arg;
    event_base_dispatch(w->base);
    return NULL;
}

/* libevent's read high-water mark, once set, re-adds the read event with its
 * timeout on every change to the input buffer, a cost on every request: set it
 * only while the buffer is over the bound. It then suspends reading until the
 * buffer drains, and is cleared again below the bound. */
static void bound_input(struct evbuffer *input, const struct evbuffer_cb_info *info, void *arg)
{
    struct bufferevent *bev = arg;
    size_t high = 0;
    size_t length = evbuffer_get_length(input);
    (void)info;
    bufferevent_getwatermark(bev, EV_READ, NULL, &high);
    if (length >= MAX_BUFFERED_INPUT_BYTES && high == 0)
        bufferevent_setwatermark(bev, EV_READ, 0, MAX_BUFFERED_INPUT_BYTES);
    else if (length < MAX_BUFFERED_INPUT_BYTES && high != 0)
        bufferevent_setwatermark(bev, EV_READ, 0, 0);
}

static struct bufferevent *new_connection_buffer(struct event_base *base, void *arg)
{
    (void)arg;
    struct bufferevent *bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    if (bev != NULL && evbuffer_add_cb(bufferevent_get_input(bev), bound_input, bev) == NULL) {
        bufferevent_free(bev);
        return NULL;
    }
    return bev;
}

static struct event_base *new_base(void)
{
    struct event_config *cfg = event_config_new();
    if (cfg == NULL)
        return NULL;
    /* Batches epoll_ctl calls: fewer system calls per request. Only a hint:
     * without it the loop works the same, so a failure is ignored. */
    (void)event_config_set_flag(cfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
    struct event_base *base = event_base_new_with_config(cfg);
    event_config_free(cfg);
    return base;
}

/* The pipe and the events through which server_stop reaches the loop. */
static int worker_init_stop(struct worker *w, char *err, size_t errlen)
{
    if (pipe2(w->wake, O_NONBLOCK | O_CLOEXEC) != 0) {
        snprintf(err, errlen, "pipe2: %s", strerror(errno));
        return -1;
    }
    w->stop = event_new(w->base, w->wake[0], EV_READ, worker_stop, w);
    w->finish = event_new(w->base, -1, EV_PERSIST, worker_finish, w);
    if (w->stop == NULL || w->finish == NULL) {
        snprintf(err, errlen, "event_new failed");
        return -1;
    }
    if (event_add(w->stop, NULL) != 0) {
        snprintf(err, errlen, "event_add failed");
        return -1;
    }
    return 0;
}

static int worker_init(struct worker *w, struct server *s, const struct server_config *cfg,
                       const struct sockaddr *addr, socklen_t len, char *err, size_t errlen)
{
    w->server = s;
    w->wake[0] = w->wake[1] = -1;
    w->handler.draining = &s->draining;
    w->base = new_base();
    if (w->base == NULL) {
        snprintf(err, errlen, "event_base_new failed");
        return -1;
    }
    loop_clock_init(&w->handler.clock, w->base);
    access_log_init(&w->handler.log, cfg->access_log, cfg->log_fd, &w->handler.clock);
    w->http = evhttp_new(w->base);
    if (w->http == NULL) {
        snprintf(err, errlen, "evhttp_new failed");
        return -1;
    }
    evhttp_set_max_headers_size(w->http, MAX_HEADERS_BYTES);
    evhttp_set_max_body_size(w->http, MAX_BODY_BYTES);
    evhttp_set_timeout(w->http, IO_TIMEOUT_SECONDS);
    evhttp_set_bevcb(w->http, new_connection_buffer, NULL);
    handler_install(w->http, &w->handler);

    w->listener = listener_open(w->base, addr, len, err, errlen);
    if (w->listener == NULL)
        return -1;
    w->bound = evhttp_bind_listener(w->http, listener_evconn(w->listener));
    if (w->bound == NULL) {
        snprintf(err, errlen, "evhttp_bind_listener failed");
        return -1;
    }
    return worker_init_stop(w, err, errlen);
}

static void worker_free(struct worker *w)
{
    if (w->running)
        pthread_join(w->thread, NULL);
    if (w->listener != NULL && w->bound == NULL) /* never handed to evhttp */
        evconnlistener_free(listener_evconn(w->listener));
    if (w->http != NULL)
        evhttp_free(w->http); /* with the listener bound to it */
    if (w->listener != NULL)
        listener_free(w->listener);
    if (w->stop != NULL)
        event_free(w->stop);
    if (w->finish != NULL)
        event_free(w->finish);
    if (w->base != NULL)
        event_base_free(w->base);
    for (int i = 0; i < 2; i++) {
        if (w->wake[i] >= 0)
            close(w->wake[i]);
    }
}

static void server_free(struct server *s)
{
    for (int i = 0; i < s->nworkers; i++)
        worker_free(&s->workers[i]);
    free(s);
}

static struct server *server_new(int threads)
{
    struct server *s = calloc(1, sizeof *s + (size_t)threads * sizeof s->workers[0]);
    if (s != NULL)
        atomic_init(&s->draining, 0);
    return s;
}

struct server *server_start(const struct server_config *cfg, char *err, size_t errlen)
{
    struct sockaddr_storage addr;
    socklen_t len;
    if (cfg->threads < 1) {
        snprintf(err, errlen, "threads must be at least 1, not %d", cfg->threads);
        return NULL;
    }
    if (resolve(cfg->address, cfg->port, &addr, &len, err, errlen) != 0)
        return NULL;
    struct server *s = server_new(cfg->threads);
    if (s == NULL) {
        snprintf(err, errlen, "calloc: out of memory");
        return NULL;
    }
    char why[256];
    if (listener_claim((struct sockaddr *)&addr, len, why, sizeof why) != 0) {
        format_endpoint(s, (struct sockaddr *)&addr, len);
        snprintf(err, errlen, "cannot listen on %s: %s", s->endpoint, why);
        server_free(s);
        return NULL;
    }
    format_endpoint(s, (struct sockaddr *)&addr, len);
    for (int i = 0; i < cfg->threads; i++) {
        s->nworkers = i + 1;
        if (worker_init(&s->workers[i], s, cfg, (struct sockaddr *)&addr, len, why, sizeof why) !=
            0) {
            snprintf(err, errlen, "cannot listen on %s: %s", s->endpoint, why);
            server_free(s);
            return NULL;
        }
    }
    for (int i = 0; i < s->nworkers; i++) {
        struct worker *w = &s->workers[i];
        int rc = pthread_create(&w->thread, NULL, worker_run, w);
        w->running = rc == 0;
        if (!w->running) {
            snprintf(err, errlen, "cannot start a thread: %s", strerror(rc));
            server_stop(s);
            return NULL;
        }
    }
    return s;
}

int server_port(const struct server *s)
{
    return s->port;
}

const char *server_endpoint(const struct server *s)
{
    return s->endpoint;
}

void server_begin_shutdown(struct server *s)
{
    atomic_store(&s->draining, 1);
}

void server_stop(struct server *s)
{
    server_begin_shutdown(s);
    for (int i = 0; i < s->nworkers; i++) {
        if (s->workers[i].running) {
            /* Only fails when the pipe is full, that is a wake-up is pending. */
            ssize_t ignored = write(s->workers[i].wake[1], "", 1);
            (void)ignored;
        }
    }
    server_free(s);
}
