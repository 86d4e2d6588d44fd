/* test_target: start and stop the server under test in each of its forms. */
#include "test_target.h"

#include <check.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server.h"
#include "test_clock.h"
#include "test_http.h"

struct target target;

const char *target_external_address(void)
{
    const char *a = getenv("ASKELADDEN_TARGET");
    return a != NULL && a[0] != '\0' ? a : NULL;
}

static int start_in_process(struct target *t)
{
    char err[256];
    struct server_config cfg = {
        .address = "127.0.0.1", .port = 0, .threads = 2, .access_log = 0, .log_fd = STDOUT_FILENO
    };
    t->server = server_start(&cfg, err, sizeof err);
    if (t->server == NULL) {
        fprintf(stderr, "server_start: %s\n", err);
        return -1;
    }
    t->port = server_port(t->server);
    return 0;
}

static int start_binary(struct target *t, const char *const flags[])
{
    const char *args[32] = { "--port",    "0", "--address",    "127.0.0.1",
                             "--threads", "2", "--access-log", "off" };
    size_t n = 8;
    for (size_t i = 0; flags != NULL && flags[i] != NULL && n < 31; i++)
        args[n++] = flags[i];
    args[n] = NULL;
    if (proc_start(&t->proc, args, NULL, 0) != 0 || proc_wait_listening(&t->proc, 30000) != 0) {
        fprintf(stderr, "%s did not start: %s\n", proc_binary(), t->proc.err);
        return -1;
    }
    t->port = t->proc.port;
    return 0;
}

static int start_external(struct target *t)
{
    const char *addr = target_external_address();
    const char *colon = addr != NULL ? strrchr(addr, ':') : NULL;
    if (colon == NULL || (size_t)(colon - addr) >= sizeof t->host)
        return -1;
    memcpy(t->host, addr, (size_t)(colon - addr));
    t->host[colon - addr] = '\0';
    t->port = atoi(colon + 1);
    return t->port > 0 ? 0 : -1;
}

int target_start(struct target *t, enum target_kind kind, const char *const flags[])
{
    memset(t, 0, offsetof(struct target, proc));
    t->proc.pid = 0;
    t->proc.out_fd = t->proc.err_fd = -1;
    t->kind = kind;
    snprintf(t->host, sizeof t->host, "127.0.0.1");
    switch (kind) {
    case TARGET_IN_PROCESS:
        return start_in_process(t);
    case TARGET_BINARY:
        return start_binary(t, flags);
    case TARGET_EXTERNAL:
        return start_external(t);
    }
    return -1;
}

int target_stop(struct target *t)
{
    int clean = 1;
    if (t->server != NULL)
        server_stop(t->server);
    t->server = NULL;
    if (t->kind == TARGET_BINARY && t->proc.pid > 0) {
        /* Stop it the way Kubernetes does, so every test also proves a clean
         * exit (and, in sanitizer builds, no leak or error report). */
        if (!t->proc.exited)
            kill(t->proc.pid, SIGTERM);
        clean = proc_wait_exit(&t->proc, 5000) == 0 && t->proc.exit_code == 0 &&
                strstr(t->proc.err, "Sanitizer") == NULL &&
                strstr(t->proc.err, "runtime error") == NULL;
        if (!clean)
            fprintf(stderr, "%s did not stop cleanly (exit %d, signal %d): %s\n", proc_binary(),
                    t->proc.exit_code, t->proc.signaled, t->proc.err);
        proc_cleanup(&t->proc);
    }
    return clean;
}

int target_send(const char *raw, size_t len)
{
    int fd = http_connect(target.host, target.port);
    ck_assert_msg(fd >= 0, "cannot connect to %s:%d", target.host, target.port);
    ck_assert_msg(http_send_all(fd, raw, len) == 0, "cannot send to %s:%d", target.host,
                  target.port);
    return fd;
}

/* The flood ends once the server has stopped taking input: the client cannot
 * send, and the server reads nothing though every thread of it waits for
 * events, for a while. A server starved of CPU is not asleep, so a busy
 * machine only makes the wait longer. FLOOD_INTAKE_CAP is far past any bound
 * we promise: an unbounded server is stopped there and fails the test. */
#define FLOOD_QUIET_MS 200
#define FLOOD_MAX_MS 10000
#define FLOOD_INTAKE_CAP (16L * 1024 * 1024)
#define STALLED_RECEIVE_BUFFER 4096

static const char pipelined[] = "GET / HTTP/1.1\r\nHost: t\r\n\r\n";
#define PIPELINED_LEN (sizeof pipelined - 1)

/* Send what the socket takes of the endless pipeline; at is where it stands. */
static ssize_t send_pipelined(int fd, size_t *at)
{
    static char burst[PIPELINED_LEN * 1024];
    if (burst[0] == '\0')
        for (size_t i = 0; i < 1024; i++)
            memcpy(burst + i * PIPELINED_LEN, pipelined, PIPELINED_LEN);
    ssize_t n = send(fd, burst + *at, sizeof burst - *at, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n > 0)
        *at = (*at + (size_t)n) % sizeof burst;
    else
        ck_assert_msg(errno == EAGAIN || errno == EWOULDBLOCK, "send: %s", strerror(errno));
    return n;
}

static void flood(struct stalled_writer *w, long read0)
{
    size_t at = 0;
    long read = read0, written, last_read = read0, quiet_since = clock_ms();
    long deadline = clock_ms() + FLOOD_MAX_MS;
    for (;;) {
        ssize_t n = send_pipelined(w->fd, &at);
        if (n > 0) {
            w->sent += (size_t)n;
            w->ended_ms = clock_ms();
        } else {
            struct pollfd p = { .fd = w->fd, .events = POLLOUT };
            poll(&p, 1, 10);
        }
        ck_assert_int_eq(proc_io(&target.proc, &read, &written), 0);
        long now = clock_ms();
        if (n > 0 || read != last_read || !proc_asleep(&target.proc))
            quiet_since = now;
        last_read = read;
        if (now - quiet_since >= FLOOD_QUIET_MS || now >= deadline ||
            read - read0 > FLOOD_INTAKE_CAP)
            return;
    }
}

void target_stall_writer(struct stalled_writer *w)
{
    memset(w, 0, sizeof *w);
    w->started_ms = w->ended_ms = clock_ms();
    /* A small receive buffer that cannot grow: the kernel's own would make
     * room now and then (it compacts what it holds), and let a stalled reply
     * finish after all. */
    w->fd = http_connect_with_receive_buffer(target.host, target.port, STALLED_RECEIVE_BUFFER);
    ck_assert_msg(w->fd >= 0, "cannot connect to %s:%d", target.host, target.port);
    ck_assert_int_eq(http_send_all(w->fd, pipelined, PIPELINED_LEN), 0);
    struct http_reply *first = malloc(sizeof *first);
    ck_assert_ptr_nonnull(first);
    ck_assert_int_eq(http_read_reply(w->fd, 0, 5000, first), 0);
    ck_assert_int_eq(first->status, 200);
    long reply_len = (long)first->raw_len; /* every reply to it has this length */
    free(first);
    long read0, written0, read, written;
    ck_assert_int_eq(proc_io(&target.proc, &read0, &written0), 0);
    flood(w, read0);
    ck_assert_int_eq(proc_io(&target.proc, &read, &written), 0);
    w->intake = read - read0;
    w->answered = (written - written0) / reply_len;
    w->unanswered = w->intake - w->answered * (long)PIPELINED_LEN;
}

void target_setup_in_process(void)
{
    ck_assert_msg(target_start(&target, TARGET_IN_PROCESS, NULL) == 0,
                  "in-process server did not start");
}

void target_setup_binary(void)
{
    ck_assert_msg(target_start(&target, TARGET_BINARY, NULL) == 0, "%s did not start",
                  proc_binary());
}

void target_setup_external(void)
{
    ck_assert_msg(target_start(&target, TARGET_EXTERNAL, NULL) == 0,
                  "ASKELADDEN_TARGET must be host:port");
}

void target_teardown(void)
{
    ck_assert_msg(target_stop(&target), "the server did not stop cleanly");
}
