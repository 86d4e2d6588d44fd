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
/* The limits the README promises. */
#define MAX_HEADERS_BYTES 8192
#define MAX_BODY_BYTES 4096
#define MAX_BUFFERED_INPUT_BYTES (64 * 1024)
#define IO_TIMEOUT_MS 10000

static struct http_reply reply;

static void still_serving(void)
{
    ck_assert_msg(http_get_200(target.host, target.port), "GET / no longer answers 200");
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

/* A GET whose head (request line, headers, line ends and the blank line) is
 * head_len bytes, with a body of body_len bytes. */
static char *sized_request(size_t head_len, size_t body_len, size_t *len)
{
    char start[128];
    int n = snprintf(start, sizeof start,
                     "GET / HTTP/1.1\r\nHost: t\r\nContent-Length: %zu\r\nX-Fill: ", body_len);
    size_t fill = head_len - (size_t)n - 4;
    *len = head_len + body_len;
    char *raw = malloc(*len);
    ck_assert_ptr_nonnull(raw);
    memcpy(raw, start, (size_t)n);
    memset(raw + n, 'f', fill);
    memcpy(raw + (size_t)n + fill, "\r\n\r\n", 4);
    memset(raw + head_len, 'b', body_len);
    return raw;
}

static void answered_200(size_t head_len, size_t body_len)
{
    size_t len;
    char *raw = sized_request(head_len, body_len, &len);
    ck_assert_int_eq(http_exchange(target.host, target.port, raw, len, 0, 5000, &reply), 0);
    ck_assert_msg(reply.status == 200, "status %d for a %zu-byte head and a %zu-byte body",
                  reply.status, head_len, body_len);
    free(raw);
}

static void refused(size_t head_len, size_t body_len)
{
    size_t len;
    char *raw = sized_request(head_len, body_len, &len);
    rejected(raw, len);
    free(raw);
}

/* libevent counts the header lines without their line ends: the 4 lines of
 * sized_request and the blank line add 10 bytes. */
#define LINE_ENDS 10

START_TEST(headers_of_8_kib_are_answered)
{
    answered_200(MAX_HEADERS_BYTES, 0);
    answered_200(MAX_HEADERS_BYTES + LINE_ENDS, 0);
}
END_TEST

START_TEST(headers_just_over_8_kib_are_refused)
{
    refused(MAX_HEADERS_BYTES + LINE_ENDS + 1, 0);
}
END_TEST

START_TEST(body_of_4_kib_is_answered)
{
    answered_200(256, MAX_BODY_BYTES);
}
END_TEST

START_TEST(body_just_over_4_kib_is_refused)
{
    refused(256, MAX_BODY_BYTES + 1);
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

/* libevent 2.1 reads at most this much from a socket at once: the read that
 * crosses the bound may take this much more. */
#define LIBEVENT_MAX_SINGLE_READ 16384

START_TEST(pipelining_without_reading_replies_is_bounded)
{
    /* Requests sent as fast as the server takes them, replies never read:
     * beyond the requests it answered, the server holds the bound (it keeps
     * reading up to it) and no more than one read past it. */
    struct stalled_writer w;
    target_stall_writer(&w);
    ck_assert_msg(w.sent > (size_t)w.intake,
                  "the client never outran the server (%zu bytes sent, %ld read)", w.sent,
                  w.intake);
    ck_assert_msg(w.unanswered >= MAX_BUFFERED_INPUT_BYTES,
                  "the server stopped reading at %ld bytes beyond the %ld requests it answered, "
                  "under the %d it may buffer",
                  w.unanswered, w.answered, MAX_BUFFERED_INPUT_BYTES);
    ck_assert_msg(w.unanswered <= MAX_BUFFERED_INPUT_BYTES + LIBEVENT_MAX_SINGLE_READ,
                  "the server took in %ld bytes beyond the %ld requests it answered (%zu sent)",
                  w.unanswered, w.answered, w.sent);
    close(w.fd);
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

static void assert_closed_between(const char *who, long closed_at, long earliest_from,
                                  long latest_from)
{
    ck_assert_msg(closed_at >= 0, "%s was kept open for over 20 s", who);
    ck_assert_msg(closed_at - earliest_from >= IO_TIMEOUT_MS - 1000,
                  "%s was closed after only %ld ms", who, closed_at - earliest_from);
    ck_assert_msg(closed_at - latest_from <= IO_TIMEOUT_MS + 2000,
                  "%s was closed only after %ld ms", who, closed_at - latest_from);
}

/* Wait for both stalled clients to be closed, and note when the server last
 * wrote: its write timeout counts from its last write, which the kernel may
 * let through after the client's last send (it reopens a closed window now
 * and then). The server's access log is off, so what it writes is replies. */
static void wait_closed(const int fds[2], long closed_at[2], long *last_write)
{
    long read = 0, written = 0, seen = -1;
    long deadline = clock_ms() + 20000;
    closed_at[0] = closed_at[1] = -1;
    while ((closed_at[0] < 0 || closed_at[1] < 0) && clock_ms() < deadline) {
        if (proc_io(&target.proc, &read, &written) == 0 && written != seen) {
            seen = written;
            *last_write = clock_ms();
        }
        for (int i = 0; i < 2; i++) {
            long at;
            if (closed_at[i] < 0 && http_wait_hangups(&fds[i], &at, 1, 50) == 1)
                closed_at[i] = at;
        }
    }
}

START_TEST(stalled_readers_and_writers_are_closed_after_10_s)
{
    /* Both at once, to pay for the wait once: a client that stops in the
     * middle of a request (the read timeout) and one that stops reading
     * replies (the write timeout). */
    int reader = target_send("GET / HTTP/1.1\r\nHost: sl", 24);
    long reader_sent = clock_ms();
    struct stalled_writer w;
    target_stall_writer(&w);
    int fds[2] = { reader, w.fd };
    long closed_at[2], last_write = w.ended_ms;
    wait_closed(fds, closed_at, &last_write);
    if (last_write < w.ended_ms)
        last_write = w.ended_ms;
    assert_closed_between("a client stalled in a request", closed_at[0], reader_sent, reader_sent);
    assert_closed_between("a client that stopped reading", closed_at[1], w.started_ms, last_write);
    close(reader);
    close(w.fd);
}
END_TEST

START_TEST(connection_flood_past_the_fd_limit_is_survived)
{
    /* The server runs with few descriptors; a flood makes accept() fail with
     * EMFILE. It must pause accepting (not spin) and recover afterwards. */
    target_stop(&target);
    struct proc *p = &target.proc;
    const char *const args[] = { "--port",       "0",   "--address", "127.0.0.1", "--threads", "1",
                                 "--access-log", "off", NULL };
    ck_assert_int_eq(proc_start(p, args, NULL, FLOOD_FD_LIMIT), 0);
    ck_assert_int_eq(proc_wait_listening(p, 5000), 0);
    target.kind = TARGET_BINARY;
    target.port = p->port;
    static int fds[FLOOD_CONNECTIONS];
    for (int i = 0; i < FLOOD_CONNECTIONS; i++)
        fds[i] = http_connect(target.host, target.port);
    ck_assert_msg(proc_wait_error(p, "pausing new connections", 5000), "no EMFILE warning: %s",
                  p->err);
    long cpu_before = proc_cpu_ms(p);
    ck_assert_msg(cpu_before >= 0, "cannot read the server's CPU time from /proc");
    proc_watch(p, 1000);
    long cpu_after = proc_cpu_ms(p);
    ck_assert_msg(cpu_after >= cpu_before, "cannot read the server's CPU time from /proc");
    ck_assert_msg(cpu_after - cpu_before < 300, "server used %ld ms of CPU in 1 s while flooded",
                  cpu_after - cpu_before);
    for (int i = 0; i < FLOOD_CONNECTIONS; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    /* It frees descriptors as it notices the closes, and accepts again when
     * its pause (100 ms) is over: the first answer, however long the request
     * waited in the backlog, must come well within a second. */
    long closed = clock_ms();
    while (!http_get_200(target.host, target.port) && clock_ms() < closed + 5000)
        proc_watch(p, 20);
    long answered = clock_ms() - closed;
    ck_assert_msg(answered < 1000,
                  "serving again took %ld ms after the flood ended "
                  "(the pause is 100 ms)",
                  answered);
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
    tcase_add_test(tc, headers_of_8_kib_are_answered);
    tcase_add_test(tc, headers_just_over_8_kib_are_refused);
    tcase_add_test(tc, body_of_4_kib_is_answered);
    tcase_add_test(tc, body_just_over_4_kib_is_refused);
    tcase_add_test(tc, small_body_on_get_is_read_and_ignored);
    tcase_add_test(tc, pipelined_requests_are_answered_in_order);
    tcase_add_test(tc, pipelining_without_reading_replies_is_bounded);
    tcase_add_test(tc, stalled_clients_do_not_delay_others);
    tcase_add_test(tc, stalled_readers_and_writers_are_closed_after_10_s);
    tcase_add_test(tc, connection_flood_past_the_fd_limit_is_survived);
    suite_add_tcase(s, tc);
    return s;
}
