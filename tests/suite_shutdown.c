/* shutdown: readiness, the drain window and an orderly stop, in process and
 * through real signals to the built binary. */
#include <check.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
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
    ck_assert(http_get_200(target.host, target.port));
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

/* Replies still being written when the listeners close get this long. */
#define FINISH_MAX_MS 2000

/* The built binary with one loop, so that every connection shares the stop. */
static void start_one_loop(void)
{
    ck_assert_int_eq(
        target_start(&target, TARGET_BINARY, (const char *const[]){ "--threads", "1", NULL }), 0);
}

/* Bytes waiting in the client's receive queue. */
static int queued_bytes(int fd)
{
    int n = -1;
    ck_assert_int_eq(ioctl(fd, FIONREAD, &n), 0);
    return n;
}

/* Bytes the server wrote (to any descriptor) so far, from /proc. */
static long written_bytes(void)
{
    long read = 0, written = 0;
    ck_assert_int_eq(proc_io(&target.proc, &read, &written), 0);
    return written;
}

/* Connections stalled at once, each with a reply in flight: the stop must
 * wait for them while one still is. */
#define STALLED 4

/* Stop a server with STALLED stalled replies in flight; how long the stop
 * took, or -1 when they all went through after all, so that nothing stayed
 * in flight and the stop says nothing of the finish window: a client's
 * kernel took in more of them (it reopens a closed window now and then), or
 * the server's kernel made room for them in its send buffer, which shows as
 * the server writing more than its own lines on stdout. One reply that stays
 * stalled is enough, so a busy machine only makes a retry rarer. */
static long stop_with_stalled_replies(void)
{
    start_one_loop();
    struct stalled_writer w[STALLED];
    int queued[STALLED];
    for (int i = 0; i < STALLED; i++)
        target_stall_writer(&w[i]);
    for (int i = 0; i < STALLED; i++)
        queued[i] = queued_bytes(w[i].fd);
    long written = written_bytes();
    size_t printed = target.proc.out_len + target.proc.err_len;
    long started = clock_ms();
    kill(target.proc.pid, SIGTERM);
    /* The line comes when the loops have stopped, before any exit-time work
     * (a sanitizer's leak check) that is not the server's. */
    ck_assert_msg(proc_wait_output(&target.proc, "askeladden: stopped", FINISH_MAX_MS + 3000),
                  "a stalled reply held the stop for over %d ms", FINISH_MAX_MS + 3000);
    long took = clock_ms() - started;
    /* Beyond its lines and the byte that wakes its loop: replies. The process
     * may have exited, but until it is reaped its counts are still there. */
    long sent =
        written_bytes() - written - (long)(target.proc.out_len + target.proc.err_len - printed) - 1;
    int leaked = sent > 0;
    for (int i = 0; i < STALLED; i++) {
        leaked |= queued_bytes(w[i].fd) > queued[i];
        close(w[i].fd);
    }
    ck_assert(target_stop(&target));
    return took < FINISH_MAX_MS - 100 && leaked ? -1 : took;
}

START_TEST(replies_in_flight_get_2_s_to_finish_and_no_more)
{
    long took = -1;
    for (int attempt = 0; attempt < 5 && took < 0; attempt++)
        took = stop_with_stalled_replies();
    ck_assert_msg(took >= 0, "the stalled replies went through after all, 5 times");
    ck_assert_msg(took >= FINISH_MAX_MS - 100, "a reply in flight got only %ld ms", took);
    ck_assert_msg(took <= FINISH_MAX_MS + 1000, "a stalled reply held the stop for %ld ms", took);
}
END_TEST

START_TEST(request_arriving_during_stop_is_answered_with_close)
{
    start_one_loop();
    int idle = idle_keep_alive_connection();
    /* Replies in flight keep the loop finishing, for up to 2 s: several, so
     * that one the kernel lets through after all does not end the stop. */
    struct stalled_writer w[STALLED];
    for (int i = 0; i < STALLED; i++)
        target_stall_writer(&w[i]);
    kill(target.proc.pid, SIGTERM);
    ck_assert(proc_wait_output(&target.proc, "closing listeners", 5000));
    ck_assert_msg(http_wait_refused(target.host, target.port, FINISH_MAX_MS),
                  "the listener still accepts after the stop began");
    const char late[] = "GET /late HTTP/1.1\r\nHost: t\r\n\r\n";
    ck_assert_int_eq(http_send_all(idle, late, sizeof late - 1), 0);
    ck_assert_int_eq(http_read_reply(idle, 0, FINISH_MAX_MS, &reply), 0);
    ck_assert_int_eq(reply.status, 200);
    char value[32];
    ck_assert_msg(http_header(&reply, "Connection", value, sizeof value),
                  "no Connection header in a reply written during the stop:\n%s", reply.raw);
    ck_assert_str_eq(value, "close");
    ck_assert_msg(http_wait_closed(idle, 1000), "connection left open after Connection: close");
    close(idle);
    /* Read now, the stalled replies finish, and the stop need not wait. */
    for (int i = 0; i < STALLED; i++)
        ck_assert(http_wait_closed(w[i].fd, 5000));
    long drained = clock_ms();
    ck_assert(proc_wait_output(&target.proc, "askeladden: stopped", 5000));
    ck_assert_int_lt(clock_ms() - drained, 1000);
    for (int i = 0; i < STALLED; i++)
        close(w[i].fd);
}
END_TEST

/* SIGTERM to a server with one loop and no drain, until its "stopped" line:
 * how long the stop took. The line comes when the loops have stopped, before
 * any exit-time work (a sanitizer's leak check) that is not the server's. */
static long sigterm_stop_ms(void)
{
    long started = clock_ms();
    kill(target.proc.pid, SIGTERM);
    ck_assert_msg(proc_wait_output(&target.proc, "askeladden: stopped", FINISH_MAX_MS + 3000),
                  "the stop took over %d ms", FINISH_MAX_MS + 3000);
    long took = clock_ms() - started;
    ck_assert(target_stop(&target));
    return took;
}

static void start_one_loop_without_drain(void)
{
    ck_assert_int_eq(
        target_start(&target, TARGET_BINARY,
                     (const char *const[]){ "--threads", "1", "--drain-seconds", "0", NULL }),
        0);
}

/* A client that leaves a reply stalled and then resets the connection takes
 * the reply with it: nothing is in flight any more, and the stop must not wait
 * the finish window for it. */
START_TEST(abandoned_reply_does_not_hold_the_stop)
{
    start_one_loop_without_drain();
    long fresh = sigterm_stop_ms();

    start_one_loop_without_drain();
    struct stalled_writer w;
    target_stall_writer(&w);
    struct linger reset = { .l_onoff = 1, .l_linger = 0 };
    ck_assert_int_eq(setsockopt(w.fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset), 0);
    close(w.fd);
    /* Answered after the reset, by the same and only loop: it has seen it. */
    ck_assert(http_get_200(target.host, target.port));
    long abandoned = sigterm_stop_ms();

    ck_assert_msg(abandoned < fresh + FINISH_MAX_MS / 2,
                  "stop after an abandoned reply took %ld ms, a fresh stop %ld ms", abandoned,
                  fresh);
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
    ck_assert(http_get_200(target.host, target.port));
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
    suite_add_tcase(s, in_process);
    TCase *binary = tcase_create("signals");
    tcase_add_checked_fixture(binary, NULL, target_teardown);
    /* A ceiling, not a target: retries of the stalled stop may add up. */
    tcase_set_timeout(binary, 40);
    tcase_add_test(binary, sigterm_drains_then_exits_0);
    tcase_add_test(binary, sigint_without_drain_exits_0_at_once);
    tcase_add_test(binary, second_signal_ends_the_drain_early);
    tcase_add_test(binary, replies_in_flight_get_2_s_to_finish_and_no_more);
    tcase_add_test(binary, request_arriving_during_stop_is_answered_with_close);
    tcase_add_test(binary, abandoned_reply_does_not_hold_the_stop);
    suite_add_tcase(s, binary);
    return s;
}
