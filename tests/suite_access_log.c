/* access_log: one line per request, which nothing a client sends can forge or
 * stretch; the escaping alone, then the lines the built binary writes. */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "access_log.h"
#include "suites.h"
#include "test_http.h"
#include "test_target.h"

#define LONG_PATH 1000
#define PATH_LOGGED 200 /* characters of a path kept before "..." */

static struct http_reply reply;

START_TEST(quotes_backslashes_and_control_bytes_are_escaped)
{
    char out[256];
    access_log_escape("/a\"b\\c\nd\x1b[31m\x7f", out, sizeof out);
    ck_assert_str_eq(out, "/a\\x22b\\x5cc\\x0ad\\x1b[31m\\x7f");
}
END_TEST

START_TEST(long_text_is_cut_with_dots)
{
    char long_uri[LONG_PATH + 1], out[256];
    memset(long_uri, 'a', LONG_PATH);
    long_uri[LONG_PATH] = '\0';
    access_log_escape(long_uri, out, sizeof out);
    ck_assert_uint_eq(strlen(out), PATH_LOGGED + 3);
    ck_assert_str_eq(out + PATH_LOGGED, "...");
    /* Escapes are never cut in half, even in a small buffer. */
    access_log_escape("\"\"\"\"\"\"\"\"", out, 12);
    ck_assert_str_eq(out, "\\x22\\x22...");
}
END_TEST

/* Escape text into the first outlen bytes of a buffer of canaries: nothing
 * may be written past them, and what is written is a string. */
static void escaped_within(const char *text, size_t outlen, const char *expected)
{
    char buf[16];
    memset(buf, '#', sizeof buf);
    access_log_escape(text, buf, outlen);
    for (size_t i = outlen; i < sizeof buf; i++)
        ck_assert_msg(buf[i] == '#', "outlen %zu: byte %zu written", outlen, i);
    if (outlen > 0)
        ck_assert_str_eq(buf, expected);
}

START_TEST(tiny_buffers_are_never_overrun)
{
    /* Under 4 bytes there is room for part of the "..." and the NUL only. */
    escaped_within("hello", 0, "");
    escaped_within("hello", 1, "");
    escaped_within("hello", 2, ".");
    escaped_within("hello", 3, "..");
    escaped_within("hello", 4, "...");
    escaped_within("hello", 5, "h...");
    escaped_within("\x01", 3, "..");
    escaped_within("\x01", 5, "...");
    escaped_within("", 0, "");
    escaped_within("", 1, "");
}
END_TEST

static void start_logging(void)
{
    ck_assert_msg(target_start(&target, TARGET_BINARY,
                               (const char *const[]){ "--access-log", "on", NULL }) == 0,
                  "%s did not start", proc_binary());
}

/* Send one raw request, expect status, then wait for its log line. */
static void logged(const char *raw, int head, int status, const char *line)
{
    ck_assert_int_eq(http_exchange(target.host, target.port, raw, strlen(raw), head, 2000, &reply),
                     0);
    ck_assert_int_eq(reply.status, status);
    ck_assert_msg(proc_wait_output(&target.proc, line, 3000), "no line '%s' in the log:\n%s", line,
                  target.proc.out);
}

START_TEST(each_request_is_one_line)
{
    logged("GET /logged HTTP/1.1\r\nHost: t\r\n\r\n", 0, 200, " \"GET /logged\" 200 89\n");
    logged("DELETE /%22quoted%22 HTTP/1.1\r\nHost: t\r\n\r\n", 0, 405,
           " \"DELETE /%22quoted%22\" 405 19\n");
}
END_TEST

START_TEST(raw_quotes_and_control_bytes_are_escaped)
{
    logged("GET /a\"b\x01\tc\x1b[31m\x7f HTTP/1.1\r\nHost: t\r\n\r\n", 0, 200,
           " \"GET /a\\x22b\\x01\\x09c\\x1b[31m\\x7f\" 200 89\n");
}
END_TEST

START_TEST(a_long_path_is_cut)
{
    char raw[LONG_PATH + 64], line[PATH_LOGGED + 64];
    snprintf(raw, sizeof raw, "GET /%0*d HTTP/1.1\r\nHost: t\r\n\r\n", LONG_PATH - 1, 0);
    snprintf(line, sizeof line, " \"GET /%0*d...\" 200 89\n", PATH_LOGGED - 1, 0);
    logged(raw, 0, 200, line);
}
END_TEST

START_TEST(head_is_logged_with_no_body_bytes)
{
    logged("HEAD /h HTTP/1.1\r\nHost: t\r\n\r\n", 1, 200, " \"HEAD /h\" 200 0\n");
}
END_TEST

START_TEST(connect_is_logged_as_refused)
{
    logged("CONNECT example.test:443 HTTP/1.1\r\nHost: example.test:443\r\n\r\n", 0, 405,
           " \"CONNECT example.test:443\" 405 19\n");
}
END_TEST

/* The Date header and the log line read the same clock: the same second. */
START_TEST(the_log_line_has_the_date_header_s_time)
{
    char date[64], iso[32], when[] = "/when-0";
    for (int i = 0; i < 3; i++) {
        when[sizeof when - 2] = (char)('0' + i);
        char raw[64], line[64];
        snprintf(raw, sizeof raw, "GET %s HTTP/1.1\r\nHost: t\r\n\r\n", when);
        snprintf(line, sizeof line, " \"GET %s\" 200 89\n", when);
        logged(raw, 0, 200, line);
        ck_assert(http_header(&reply, "Date", date, sizeof date));
        struct tm tm = { 0 };
        const char *end = strptime(date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
        ck_assert_msg(end != NULL && *end == '\0', "Date: %s", date);
        strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
        const char *at = strstr(target.proc.out, line);
        const char *start = at;
        while (start > target.proc.out && start[-1] != '\n')
            start--;
        ck_assert_msg(strncmp(start, iso, strlen(iso)) == 0, "Date: %s, but the log says %.*s",
                      date, (int)(at - start), start);
    }
}
END_TEST

/* The seconds since the epoch that a Date header names. */
static time_t date_seconds(const struct http_reply *r)
{
    char date[64];
    struct tm tm = { 0 };
    ck_assert(http_header(r, "Date", date, sizeof date));
    const char *end = strptime(date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    ck_assert_msg(end != NULL && *end == '\0', "Date: %s", date);
    return timegm(&tm);
}

static int occurrences(const char *text, const char *needle)
{
    int n = 0;
    for (const char *at = strstr(text, needle); at != NULL; at = strstr(at + 1, needle))
        n++;
    return n;
}

/* The whole line, exactly: time, the client's address and port, method and
 * path, status, body bytes; once, even when everything written is in. */
START_TEST(the_whole_line_is_written_once)
{
    int fd = http_connect(target.host, target.port);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in client;
    socklen_t len = sizeof client;
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&client, &len), 0);
    const char raw[] = "GET /exact HTTP/1.1\r\nHost: t\r\n\r\n";
    ck_assert_int_eq(http_send_all(fd, raw, sizeof raw - 1), 0);
    ck_assert_int_eq(http_read_reply(fd, 0, 2000, &reply), 0);
    close(fd);
    ck_assert_int_eq(reply.status, 200);
    char iso[32], expected[128];
    time_t at = date_seconds(&reply);
    struct tm tm;
    strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&at, &tm));
    snprintf(expected, sizeof expected, "%s 127.0.0.1:%d \"GET /exact\" 200 89\n", iso,
             ntohs(client.sin_port));
    kill(target.proc.pid, SIGTERM);
    ck_assert_int_eq(proc_wait_exit(&target.proc, 5000), 0);
    ck_assert_msg(occurrences(target.proc.out, "\"GET /exact\"") == 1, "not one line:\n%s",
                  target.proc.out);
    const char *line = strstr(target.proc.out, "\"GET /exact\"");
    while (line > target.proc.out && line[-1] != '\n')
        line--;
    ck_assert_msg(strncmp(line, expected, strlen(expected)) == 0, "logged:\n%.*s\nexpected:\n%s",
                  (int)strcspn(line, "\n") + 1, line, expected);
}
END_TEST

static time_t wall_seconds(void)
{
    struct timespec now;
    ck_assert_int_eq(clock_gettime(CLOCK_REALTIME, &now), 0);
    return now.tv_sec;
}

/* Ask for / and check that its Date is the wall clock's second, give or take
 * one: the loop's time is the coarse clock (up to a kernel tick behind, and
 * re-synchronised with the wall clock only now and then), and time() is
 * coarse too. */
static time_t current_date(void)
{
    time_t before = wall_seconds();
    ck_assert_int_eq(http_simple(target.host, target.port, "GET", "/", &reply), 0);
    time_t after = wall_seconds();
    time_t date = date_seconds(&reply);
    ck_assert_msg(date >= before - 1 && date <= after + 1,
                  "Date is %lld, the wall clock read %lld to %lld", (long long)date,
                  (long long)before, (long long)after);
    return date;
}

START_TEST(the_date_is_the_current_time_and_moves)
{
    time_t first = current_date();
    /* Wait for the wall clock to be past the second after the first Date: a
     * request then is more than a second after the first. */
    struct timespec later = { .tv_sec = first + 2, .tv_nsec = 0 };
    while (clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &later, NULL) != 0)
        ;
    time_t second = current_date();
    ck_assert_msg(second > first, "two requests over a second apart both got Date %lld",
                  (long long)first);
}
END_TEST

START_TEST(off_writes_nothing_per_request)
{
    ck_assert_int_eq(target_start(&target, TARGET_BINARY, NULL), 0); /* the log is off */
    ck_assert(http_get_200(target.host, target.port));
    /* Once it has stopped, everything it would have written is in. */
    kill(target.proc.pid, SIGTERM);
    ck_assert_int_eq(proc_wait_exit(&target.proc, 5000), 0);
    ck_assert_msg(strstr(target.proc.out, "\"GET /\"") == NULL, "logged: %s", target.proc.out);
    ck_assert_ptr_nonnull(strstr(target.proc.out, "stopped"));
}
END_TEST

Suite *access_log_suite(void)
{
    Suite *s = suite_create("access_log");
    TCase *escape = tcase_create("escape");
    tcase_add_test(escape, quotes_backslashes_and_control_bytes_are_escaped);
    tcase_add_test(escape, long_text_is_cut_with_dots);
    tcase_add_test(escape, tiny_buffers_are_never_overrun);
    suite_add_tcase(s, escape);
    TCase *lines = tcase_create("binary");
    tcase_add_checked_fixture(lines, start_logging, target_teardown);
    tcase_set_timeout(lines, 10);
    tcase_add_test(lines, each_request_is_one_line);
    tcase_add_test(lines, raw_quotes_and_control_bytes_are_escaped);
    tcase_add_test(lines, a_long_path_is_cut);
    tcase_add_test(lines, head_is_logged_with_no_body_bytes);
    tcase_add_test(lines, connect_is_logged_as_refused);
    tcase_add_test(lines, the_log_line_has_the_date_header_s_time);
    tcase_add_test(lines, the_whole_line_is_written_once);
    tcase_add_test(lines, the_date_is_the_current_time_and_moves);
    suite_add_tcase(s, lines);
    TCase *off = tcase_create("off");
    tcase_add_checked_fixture(off, NULL, target_teardown);
    tcase_add_test(off, off_writes_nothing_per_request);
    suite_add_tcase(s, off);
    return s;
}
