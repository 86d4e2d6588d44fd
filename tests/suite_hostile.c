/* hostile: clients that lie, stall or flood must not stop the built binary
 * from serving everybody else. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "suites.h"
#include "test_http.h"
#include "test_target.h"
#include "test_clock.h"

#define SLOW_CLIENTS 200
#define FLOOD_CONNECTIONS 200
#define FLOOD_FD_LIMIT 64

static struct http_reply reply;

static void still_serving(void)
{
    ck_assert_int_eq(http_simple(target.host, target.port, "GET", "/", &reply), 0);
    ck_assert_int_eq(reply.status, 200);
}

/* Send raw bytes; the answer must be a 4xx or a closed connection. */
static void rejected(const char *raw, size_t len)
{
    int fd = http_connect(target.host, target.port);
    ck_assert_int_ge(fd, 0);
    http_send_all(fd, raw, len); /* the server may close before we finish */
    if (http_read_reply(fd, 0, 5000, &reply) == 0 && reply.status != 0)
        ck_assert_msg(reply.status >= 400 && reply.status < 500, "status %d for hostile input",
                      reply.status);
    else
        ck_assert_msg(reply.closed, "connection neither answered nor closed");
    close(fd);
    still_serving();
}

static const char *const malformed[] = {
    "GARBAGE\r\n\r\n",
    "GET\r\n\r\n",
    "GET / HTTP/9.9\r\n\r\n",
    "GET / HTTP/1.1\r\nNo-Colon-Header\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 1x\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: t\r\nContent-Length: -5\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 99999999999999999999\r\n\r\n",
    "\r\n\r\n\r\n",
};

START_TEST(malformed_requests_are_rejected)
{
    rejected(malformed[_i], strlen(malformed[_i]));
}
END_TEST

START_TEST(binary_noise_is_rejected)
{
    char noise[4096];
    srand(42);
    for (size_t i = 0; i < sizeof noise; i++)
        noise[i] = (char)(rand() & 0xff);
    rejected(noise, sizeof noise);
}
END_TEST

static void send_oversized(const char *head, char fill, size_t fill_len, const char *tail)
{
    size_t len = strlen(head) + fill_len + strlen(tail);
    char *raw = malloc(len + 1);
    ck_assert_ptr_nonnull(raw);
    strcpy(raw, head);
    memset(raw + strlen(head), fill, fill_len);
    strcpy(raw + strlen(head) + fill_len, tail);
    rejected(raw, len);
    free(raw);
}

START_TEST(oversized_request_line_is_rejected)
{
    send_oversized("GET /", 'a', 64 * 1024, " HTTP/1.1\r\nHost: t\r\n\r\n");
}
END_TEST

START_TEST(oversized_headers_are_rejected)
{
    send_oversized("GET / HTTP/1.1\r\nHost: t\r\nX-Big: ", 'b', 64 * 1024, "\r\n\r\n");
}
END_TEST

START_TEST(oversized_body_is_rejected)
{
    send_oversized("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1048576\r\n\r\n", 'c',
                   1024 * 1024, "");
}
END_TEST

START_TEST(small_body_on_get_is_read_and_ignored)
{
    const char req[] = "GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello"
                       "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";
    int fd = target_send(req, sizeof req - 1);
    ck_assert_int_eq(http_read_reply(fd, 0, 5000, &reply), 0);
    ck_assert_int_eq(reply.status, 200);
    ck_assert_int_eq(http_read_reply(fd, 0, 5000, &reply), 0);
    ck_assert_int_eq(reply.status, 200);
    ck_assert_mem_eq(reply.body, "ok\n", 3);
    close(fd);
}
END_TEST

START_TEST(pipelined_requests_are_answered_in_order)
{
    const char req[] = "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"
                       "GET / HTTP/1.1\r\nHost: t\r\n\r\n"
                       "GET /readyz HTTP/1.1\r\nHost: t\r\n\r\n";
    const char *const bodies[] = { "ok\n", "Strange", "ready\n" };
    int fd = target_send(req, sizeof req - 1);
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(http_read_reply(fd, 0, 5000, &reply), 0);
        ck_assert_int_eq(reply.status, 200);
        ck_assert_mem_eq(reply.body, bodies[i], strlen(bodies[i]));
    }
    close(fd);
}
END_TEST

START_TEST(pipelining_without_reading_replies_is_bounded)
{
    /* Requests sent as fast as the server takes them, replies never read:
     * what the server buffers for this one client must stay small. */
    static const char one[] = "GET / HTTP/1.1\r\nHost: t\r\n\r\n";
    static char burst[sizeof one * 1000];
    for (size_t i = 0; i < 1000; i++)
        memcpy(burst + i * (sizeof one - 1), one, sizeof one - 1);
    long before = proc_memory_kb(&target.proc, "VmRSS");
    int fd = http_connect(target.host, target.port);
    ck_assert_int_ge(fd, 0);
    size_t sent = 0;
    long until = clock_ms() + 1000;
    while (clock_ms() < until) {
        ssize_t n = send(fd, burst, sizeof burst - 1000, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n > 0)
            sent += (size_t)n;
        else
            usleep(1000);
    }
    long grown = proc_memory_kb(&target.proc, "VmHWM") - before;
    close(fd);
    /* It stops reading (kernel buffers take the rest): without that, 250 MB
     * went in a second, and the server grew by as much. Sanitizer builds
     * grow by tens of MB for a few MB sent, from their own bookkeeping. */
    ck_assert_msg(sent < 32u * 1024 * 1024, "the server took %zu bytes from one client", sent);
    ck_assert_msg(grown < 128 * 1024, "server grew by %ld kB for one client (%zu bytes sent)",
                  grown, sent);
    still_serving();
}
END_TEST

START_TEST(stalled_clients_do_not_delay_others)
{
    static int fds[SLOW_CLIENTS];
    for (int i = 0; i < SLOW_CLIENTS; i++) {
        fds[i] = target_send("GET / HTTP/1.1\r\nHost: slow", 26);
    }
    long started = clock_ms();
    still_serving();
    ck_assert_int_lt(clock_ms() - started, 1000);
    for (int i = 0; i < SLOW_CLIENTS; i++)
        close(fds[i]);
}
END_TEST

START_TEST(stalled_client_is_disconnected_by_the_timeout)
{
    int fd = target_send("GET / HTTP/1.1\r\nHost: sl", 24);
    ck_assert_msg(http_wait_closed(fd, 15000), "a stalled client was kept for over 15 s");
    close(fd);
}
END_TEST

START_TEST(connection_flood_past_the_fd_limit_is_survived)
{
    /* The server runs with few descriptors; a flood makes accept() fail with
     * EMFILE. It must pause accepting (not spin) and recover afterwards. */
    target_stop(&target);
    struct proc *p = &target.proc;
    const char *const args[] = { "--port", "0", "--address", "127.0.0.1", "--threads", "1",
                                 "--access-log", "off", NULL };
    ck_assert_int_eq(proc_start(p, args, NULL, FLOOD_FD_LIMIT), 0);
    ck_assert_int_eq(proc_wait_listening(p, 5000), 0);
    target.kind = TARGET_BINARY;
    target.port = p->port;
    static int fds[FLOOD_CONNECTIONS];
    for (int i = 0; i < FLOOD_CONNECTIONS; i++)
        fds[i] = http_connect(target.host, target.port);
    long cpu_before = proc_cpu_ms(p);
    usleep(1000 * 1000);
    long cpu_used = proc_cpu_ms(p) - cpu_before;
    ck_assert_msg(cpu_used < 300, "server used %ld ms of CPU in 1 s while flooded", cpu_used);
    for (int i = 0; i < FLOOD_CONNECTIONS; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    usleep(300 * 1000);
    still_serving();
    ck_assert_msg(proc_wait_output(p, "pausing new connections", 100) || strstr(p->err, "pausing"),
                  "no EMFILE warning: %s", p->err);
}
END_TEST

Suite *hostile_suite(void)
{
    Suite *s = suite_create("hostile");
    TCase *tc = tcase_create("binary");
    tcase_add_checked_fixture(tc, target_setup_binary, target_teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_loop_test(tc, malformed_requests_are_rejected, 0,
                        (int)(sizeof malformed / sizeof malformed[0]));
    tcase_add_test(tc, binary_noise_is_rejected);
    tcase_add_test(tc, oversized_request_line_is_rejected);
    tcase_add_test(tc, oversized_headers_are_rejected);
    tcase_add_test(tc, oversized_body_is_rejected);
    tcase_add_test(tc, small_body_on_get_is_read_and_ignored);
    tcase_add_test(tc, pipelined_requests_are_answered_in_order);
    tcase_add_test(tc, pipelining_without_reading_replies_is_bounded);
    tcase_add_test(tc, stalled_clients_do_not_delay_others);
    tcase_add_test(tc, stalled_client_is_disconnected_by_the_timeout);
    tcase_add_test(tc, connection_flood_past_the_fd_limit_is_survived);
    suite_add_tcase(s, tc);
    return s;
}
