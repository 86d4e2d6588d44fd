/* listener: bind with a large backlog and SO_REUSEPORT, and back off when
 * accept() runs out of file descriptors. */
#include "listener.h"

#include <errno.h>
#include <pthread.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* evhttp_bind_socket listens with a backlog of 128: under a burst of new
 * connections the kernel drops SYNs and clients wait a second for a retry.
 * The kernel caps this at net.core.somaxconn. */
#define LISTEN_BACKLOG 4096
#define ACCEPT_PAUSE_MS 100

struct listener {
    struct evconnlistener *evconn;
    struct event *resume;
    time_t last_warning;
    struct listener *next;
};

/* evhttp_bind_listener replaces the listener's callback argument with the
 * evhttp, so the error callback finds its listener here. It runs only when
 * accept fails, never on the request path. */
static struct listener *registry;
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;

static void registry_add(struct listener *l)
{
    pthread_mutex_lock(&registry_lock);
    l->next = registry;
    registry = l;
    pthread_mutex_unlock(&registry_lock);
}

static void registry_remove(struct listener *l)
{
    pthread_mutex_lock(&registry_lock);
    for (struct listener **p = &registry; *p != NULL; p = &(*p)->next) {
        if (*p == l) {
            *p = l->next;
            break;
        }
    }
    pthread_mutex_unlock(&registry_lock);
}

static struct listener *registry_find(const struct evconnlistener *evconn)
{
    pthread_mutex_lock(&registry_lock);
    struct listener *l = registry;
    while (l != NULL && l->evconn != evconn)
        l = l->next;
    pthread_mutex_unlock(&registry_lock);
    return l;
}

int listener_claim(struct sockaddr *addr, socklen_t len, char *err, size_t errlen)
{
    int one = 1;
    int fd = socket(addr->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errlen, "socket: %s", strerror(errno));
        return -1;
    }
    /* Like the listeners libevent opens after this: a port whose last
     * connections linger in TIME_WAIT is free, not in use. */
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) {
        snprintf(err, errlen, "setsockopt SO_REUSEADDR: %s", strerror(errno));
        close(fd);
        return -1;
    }
    if (bind(fd, addr, len) != 0 || getsockname(fd, addr, &len) != 0) {
        snprintf(err, errlen, "%s", strerror(errno));
        close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

static void resume_accepting(evutil_socket_t fd, short what, void *arg)
{
    struct listener *l = arg;
    (void)fd;
    (void)what;
    evconnlistener_enable(l->evconn);
}

static void accept_failed(struct evconnlistener *evconn, void *arg)
{
    int error = EVUTIL_SOCKET_ERROR();
    struct listener *l = registry_find(evconn);
    (void)arg;
    if (l == NULL)
        return;
    /* Without this pause a full descriptor table makes the accept loop spin
     * at 100% CPU: the pending connection stays readable. */
    struct timeval pause = { 0, ACCEPT_PAUSE_MS * 1000 };
    if (event_add(l->resume, &pause) == 0)
        evconnlistener_disable(evconn); /* else spinning beats never accepting again */
    time_t now = time(NULL);
    if (now != l->last_warning) {
        fprintf(stderr, "askeladden: accept: %s; pausing new connections for %d ms\n",
                evutil_socket_error_to_string(error), ACCEPT_PAUSE_MS);
        l->last_warning = now;
    }
}

struct listener *listener_open(struct event_base *base, const struct sockaddr *addr, socklen_t len,
                               char *err, size_t errlen)
{
    struct listener *l = calloc(1, sizeof *l);
    if (l == NULL) {
        snprintf(err, errlen, "calloc: out of memory");
        return NULL;
    }
    unsigned flags =
        LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC | LEV_OPT_REUSEABLE | LEV_OPT_REUSEABLE_PORT;
    l->evconn = evconnlistener_new_bind(base, NULL, NULL, flags, LISTEN_BACKLOG, addr, (int)len);
    if (l->evconn == NULL) {
        snprintf(err, errlen, "%s", strerror(errno));
        listener_free(l);
        return NULL;
    }
    l->resume = evtimer_new(base, resume_accepting, l);
    if (l->resume == NULL) {
        snprintf(err, errlen, "evtimer_new failed");
        evconnlistener_free(l->evconn);
        listener_free(l);
        return NULL;
    }
    evconnlistener_set_error_cb(l->evconn, accept_failed);
    registry_add(l);
    return l;
}

struct evconnlistener *listener_evconn(struct listener *l)
{
    return l->evconn;
}

void listener_free(struct listener *l)
{
    registry_remove(l);
    if (l->resume != NULL)
        event_free(l->resume);
    free(l);
}
