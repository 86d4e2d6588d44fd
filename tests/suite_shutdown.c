/* shutdown: readiness, the drain window and an orderly stop, in process and
 * through real signals to the built binary. */
#include <check.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "server.h"
#include "suites.h"
#include "test_http.h"
#include "test_target.h"
#include "test_clock.h"

static struct http_reply reply;

static int status_of(const char *method, const char *path)
{
    if (http_simple(target.host, target.port, method, path, &reply) != 0)
        return -1;
    return reply.status;
}

/* A keep-alive connection that has had one full exchange and is now idle. */
static int idle_keep_alive_connection(void)
{
    const char req[] = "GET / HTTP/1.1\r\nHost: t\r\n\r\n";
    int fd = target_send(req, sizeof req - 1);
    ck_assert_int_eq(http_read_reply(fd, 0, 5000, &reply), 0);
    ck_assert_int_eq(reply.status, 200);
    return fd;
}

START_TEST(readiness_fails_once_shutdown_begins)
{
    ck_assert_int_eq(status_of("GET", "/readyz"), 200);
    server_begin_shutdown(target.server);
    ck_assert_int_eq(status_of("GET", "/readyz"), 503);
    ck_assert_int_eq(status_of("HEAD", "/readyz"), 503);
    ck_assert_int_eq(status_of("GET", "/healthz"), 200);
    ck_assert_int_eq(status_of("GET", "/"), 200);
}
END_TEST

START_TEST(stop_closes_idle_connections_and_the_listener)
{
    int idle = idle_keep_alive_connection();
    struct server *s = target.server;
    target.server = NULL;
    long started = clock_ms();
    server_stop(s);
    ck_assert_int_lt(clock_ms() - started, 1000);
    ck_assert_msg(http_wait_closed(idle, 1000), "idle keep-alive connection left open");
    close(idle);
    ck_assert_int_lt(http_connect(target.host, target.port), 0);
}
END_TEST

struct late_request {
    int fd;
    int sent;
};

static void *send_during_stop(void *arg)
{
    struct late_request *late = arg;
    const char req[] = "GET /late HTTP/1.1\r\nHost: t\r\n\r\n";
    usleep(10 * 1000); /* after the stop began, within its 20 ms finish window */
    late->sent = http_send_all(late->fd, req, sizeof req - 1) == 0;
    return NULL;
}

START_TEST(request_arriving_during_stop_is_answered_with_close)
{
    struct late_request late = { .fd = idle_keep_alive_connection() };
    pthread_t t;
    pthread_create(&t, NULL, send_during_stop, &late);
    struct server *s = target.server;
    target.server = NULL;
    server_stop(s);
    pthread_join(t, NULL);
    ck_assert(late.sent);
    ck_assert_int_eq(http_read_reply(late.fd, 0, 2000, &reply), 0);
    ck_assert_int_eq(reply.status, 200);
    char value[32];
    ck_assert(http_header(&reply, "Connection", value, sizeof value));
    ck_assert_str_eq(value, "close");
    close(late.fd);
}
END_TEST

static void start_binary_with_drain(const char *drain)
{
    ck_assert_int_eq(target_start(&target, TARGET_BINARY,
                                  (const char *const[]){ "--drain-seconds", drain, NULL }),
                     0);
}

START_TEST(sigterm_drains_then_exits_0)
{
    start_binary_with_drain("1");
    int idle = idle_keep_alive_connection();
    long started = clock_ms();
    kill(target.proc.pid, SIGTERM);
    ck_assert(proc_wait_output(&target.proc, "/readyz now fails", 2000));
    ck_assert_int_eq(status_of("GET", "/readyz"), 503);
    ck_assert_int_eq(status_of("GET", "/"), 200);
    ck_assert_int_eq(status_of("GET", "/healthz"), 200);
    ck_assert_int_eq(proc_wait_exit(&target.proc, 5000), 0);
    long took = clock_ms() - started;
    ck_assert_int_eq(target.proc.signaled, 0);
    ck_assert_int_eq(target.proc.exit_code, 0);
    ck_assert_int_ge(took, 900);
    ck_assert_msg(http_wait_closed(idle, 500), "idle keep-alive connection left open");
    close(idle);
    ck_assert_ptr_nonnull(strstr(target.proc.out, "stopped"));
}
END_TEST

START_TEST(sigint_without_drain_exits_0_at_once)
{
    start_binary_with_drain("0");
    long started = clock_ms();
    kill(target.proc.pid, SIGINT);
    ck_assert_int_eq(proc_wait_exit(&target.proc, 5000), 0);
    ck_assert_int_lt(clock_ms() - started, 1000);
    ck_assert_int_eq(target.proc.exit_code, 0);
    ck_assert_ptr_nonnull(strstr(target.proc.out, "SIGINT received"));
}
END_TEST

START_TEST(second_signal_ends_the_drain_early)
{
    start_binary_with_drain("60");
    kill(target.proc.pid, SIGTERM);
    ck_assert(proc_wait_output(&target.proc, "/readyz now fails", 2000));
    long started = clock_ms();
    kill(target.proc.pid, SIGTERM);
    ck_assert_int_eq(proc_wait_exit(&target.proc, 5000), 0);
    ck_assert_int_lt(clock_ms() - started, 2000);
    ck_assert_int_eq(target.proc.exit_code, 0);
}
END_TEST

Suite *shutdown_suite(void)
{
    Suite *s = suite_create("shutdown");
    TCase *in_process = tcase_create("in_process");
    tcase_add_checked_fixture(in_process, target_setup_in_process, target_teardown);
    tcase_add_test(in_process, readiness_fails_once_shutdown_begins);
    tcase_add_test(in_process, stop_closes_idle_connections_and_the_listener);
    tcase_add_test(in_process, request_arriving_during_stop_is_answered_with_close);
    suite_add_tcase(s, in_process);
    TCase *binary = tcase_create("signals");
    tcase_add_checked_fixture(binary, NULL, target_teardown);
    tcase_set_timeout(binary, 10);
    tcase_add_test(binary, sigterm_drains_then_exits_0);
    tcase_add_test(binary, sigint_without_drain_exits_0_at_once);
    tcase_add_test(binary, second_signal_ends_the_drain_early);
    suite_add_tcase(s, binary);
    return s;
}
