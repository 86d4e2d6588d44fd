/* load: many requests from several clients at once, and SIGTERM in the middle
 * of them; run against the built binary (also under valgrind memcheck). */
#include <check.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "suites.h"
#include "test_http.h"
#include "test_target.h"
#include "test_clock.h"

#define CLIENTS 4
#define REQUESTS_PER_CLIENT 500
#define FRESH_CONNECTIONS 200
#define DRAIN "1"
#define DRAIN_MS 1000

struct client {
    pthread_t thread;
    int requests;
    atomic_int ok;          /* read by the test while the client runs */
    atomic_long stop_at_ms; /* 0: stop after REQUESTS_PER_CLIENT */
    long failed_sent_at_ms; /* when the first failed request was sent; 0: none */
    struct http_reply *reply;
};

static const char keep_alive_request[] = "GET / HTTP/1.1\r\nHost: load\r\n\r\n";

/* One keep-alive connection, reopened only if the server closes it. */
static void *hammer(void *arg)
{
    struct client *c = arg;
    struct http_reply *reply = c->reply;
    int fd = -1;
    for (;;) {
        long stop_at = atomic_load(&c->stop_at_ms);
        if (stop_at ? clock_ms() >= stop_at : c->requests >= REQUESTS_PER_CLIENT)
            break;
        if (fd < 0)
            fd = http_connect(target.host, target.port);
        c->requests++;
        int sent =
            fd >= 0 && http_send_all(fd, keep_alive_request, sizeof keep_alive_request - 1) == 0;
        /* Over loopback the request is in the server's socket once sent. */
        long sent_at = clock_ms();
        if (sent && http_read_reply(fd, 0, 5000, reply) == 0 && reply->status == 200) {
            c->ok++;
            char conn[16];
            if (http_header(reply, "Connection", conn, sizeof conn) && strcmp(conn, "close") == 0) {
                close(fd);
                fd = -1;
            }
            continue;
        }
        if (c->failed_sent_at_ms == 0)
            c->failed_sent_at_ms = sent_at;
        if (fd >= 0)
            close(fd);
        fd = -1;
    }
    if (fd >= 0)
        close(fd);
    return NULL;
}

/* The client's reply buffer is too large for a thread's stack; both are made
 * here, in the test's own thread, where a failure can fail the test. */
static void start_client(struct client *c)
{
    c->reply = malloc(sizeof *c->reply);
    ck_assert_ptr_nonnull(c->reply);
    int rc = pthread_create(&c->thread, NULL, hammer, c);
    ck_assert_msg(rc == 0, "pthread_create: %s", strerror(rc));
}

static void join_client(struct client *c)
{
    int rc = pthread_join(c->thread, NULL);
    ck_assert_msg(rc == 0, "pthread_join: %s", strerror(rc));
    free(c->reply);
    c->reply = NULL;
}

START_TEST(keep_alive_clients_get_every_answer)
{
    struct client clients[CLIENTS] = { 0 };
    for (int i = 0; i < CLIENTS; i++)
        start_client(&clients[i]);
    for (int i = 0; i < CLIENTS; i++) {
        join_client(&clients[i]);
        ck_assert_int_eq(atomic_load(&clients[i].ok), REQUESTS_PER_CLIENT);
    }
}
END_TEST

START_TEST(fresh_connections_get_every_answer)
{
    for (int i = 0; i < FRESH_CONNECTIONS; i++)
        ck_assert_msg(http_get_200(target.host, target.port), "request %d failed", i);
}
END_TEST

/* Until every client has had an answer: the load is on. */
static int all_answered(struct client *clients, long timeout_ms)
{
    long deadline = clock_ms() + timeout_ms;
    for (int i = 0; i < CLIENTS; i++) {
        while (atomic_load(&clients[i].ok) == 0) {
            if (clock_ms() >= deadline)
                return 0;
            proc_watch(&target.proc, 5);
        }
    }
    return 1;
}

START_TEST(sigterm_under_load_loses_no_request_sent_during_the_drain)
{
    ck_assert_int_eq(target_start(&target, TARGET_BINARY,
                                  (const char *const[]){ "--drain-seconds", DRAIN, NULL }),
                     0);
    struct client clients[CLIENTS] = { 0 };
    for (int i = 0; i < CLIENTS; i++) {
        atomic_init(&clients[i].ok, 0);
        atomic_init(&clients[i].stop_at_ms, LONG_MAX);
        start_client(&clients[i]);
    }
    ck_assert_msg(all_answered(clients, 10000), "the clients got no answer");
    /* Taken before the signal: the server's drain ends no earlier. */
    long drain_end = clock_ms() + DRAIN_MS;
    kill(target.proc.pid, SIGTERM);
    for (int i = 0; i < CLIENTS; i++)
        atomic_store(&clients[i].stop_at_ms, drain_end + 500);
    ck_assert(proc_wait_output(&target.proc, "/readyz now fails", 2000));
    struct http_reply *reply = malloc(sizeof *reply);
    ck_assert_ptr_nonnull(reply);
    ck_assert_int_eq(http_simple(target.host, target.port, "GET", "/readyz", reply), 0);
    ck_assert_int_eq(reply->status, 503);
    free(reply);
    /* That replies written during the stop say Connection: close is checked
     * in the shutdown suite, where it does not depend on timing. */
    for (int i = 0; i < CLIENTS; i++) {
        join_client(&clients[i]);
        ck_assert_int_gt(atomic_load(&clients[i].ok), 0);
        ck_assert_msg(clients[i].failed_sent_at_ms == 0 ||
                          clients[i].failed_sent_at_ms >= drain_end,
                      "client %d: a request sent %ld ms before the drain ended failed", i,
                      drain_end - clients[i].failed_sent_at_ms);
    }
    ck_assert_int_eq(proc_wait_exit(&target.proc, 10000), 0);
    ck_assert_int_eq(target.proc.exit_code, 0);
}
END_TEST

Suite *load_suite(void)
{
    Suite *s = suite_create("load");
    TCase *tc = tcase_create("binary");
    tcase_add_checked_fixture(tc, target_setup_binary, target_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, keep_alive_clients_get_every_answer);
    tcase_add_test(tc, fresh_connections_get_every_answer);
    suite_add_tcase(s, tc);
    TCase *term = tcase_create("sigterm");
    tcase_add_checked_fixture(term, NULL, target_teardown);
    tcase_set_timeout(term, 60);
    tcase_add_test(term, sigterm_under_load_loses_no_request_sent_during_the_drain);
    suite_add_tcase(s, term);
    return s;
}
