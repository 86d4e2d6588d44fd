/* server: the event loops, one per thread, and their orderly shutdown. */
#ifndef SERVER_H
#define SERVER_H

#include <stddef.h>
#include <sys/socket.h>

struct server_config {
    const char *address; /* NULL or "": all interfaces */
    int port;            /* 0 picks a free port */
    int threads;         /* event loops, at least 1 */
    int access_log;      /* one line per request on log_fd */
    int log_fd;
};

struct server;

/* Bind and start serving on cfg->threads threads. NULL and one line in err
 * on failure (fewer than 1 thread, address in use, unresolvable address, ...). */
struct server *server_start(const struct server_config *cfg, char *err, size_t errlen);

int server_port(const struct server *s);

/* Where it listens, as "0.0.0.0:8090" or "[::1]:8090". */
const char *server_endpoint(const struct server *s);

/* addr as "0.0.0.0:8090" or "[::1]:8090" into out; its port. The host is
 * "?" when it cannot be formatted; the port always comes from addr. */
int server_format_endpoint(const struct sockaddr *addr, socklen_t len, char *out, size_t outlen);

/* /readyz answers 503 from now on; everything else is served as before. */
void server_begin_shutdown(struct server *s);

/* Close the listeners, let replies in flight finish for up to 2 s (requests
 * answered meanwhile get Connection: close), close idle keep-alive
 * connections, stop the threads and free s. */
void server_stop(struct server *s);

#endif
