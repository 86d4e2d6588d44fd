/* listener: listening sockets that survive a connection flood. */
#ifndef LISTENER_H
#define LISTENER_H

#include <stddef.h>
#include <sys/socket.h>

struct event_base;
struct evconnlistener;
struct listener;

/* Fail with EADDRINUSE, as a plain bind would, when another process holds
 * the address: SO_REUSEPORT alone would quietly share the port with it.
 * On success, the port actually bound (port 0 picks one) is written back
 * into addr. */
int listener_claim(struct sockaddr *addr, socklen_t len, char *err, size_t errlen);

/* A non-blocking listener on addr for base, with SO_REUSEPORT so that every
 * event loop can have its own, and a large backlog. When accept runs out of
 * file descriptors it pauses instead of spinning. NULL and err on failure. */
struct listener *listener_open(struct event_base *base, const struct sockaddr *addr, socklen_t len,
                               char *err, size_t errlen);

/* The libevent listener inside; evhttp_bind_listener takes it over. */
struct evconnlistener *listener_evconn(struct listener *l);

/* Free what listener_open added around the evconnlistener, after its owner
 * has freed the evconnlistener itself. */
void listener_free(struct listener *l);

#endif
