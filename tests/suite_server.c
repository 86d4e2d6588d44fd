/* server: what server_start accepts, and how it names where it listens. */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#include "server.h"
#include "suites.h"
#include "test_http.h"

static struct server *start_with_threads(int threads, char *err, size_t errlen)
{
    struct server_config cfg = { .address = "127.0.0.1", .port = 0, .threads = threads,
                                 .access_log = 0, .log_fd = STDOUT_FILENO };
    err[0] = '\0';
    return server_start(&cfg, err, errlen);
}

START_TEST(fewer_than_one_thread_is_refused)
{
    char err[256];
    static const int refused[] = { 0, -1 };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        struct server *s = start_with_threads(refused[i], err, sizeof err);
        if (s != NULL)
            server_stop(s);
        ck_assert_msg(s == NULL, "server_start with %d threads returned a server", refused[i]);
        ck_assert_msg(strstr(err, "at least 1") != NULL, "threads %d: error '%s'", refused[i],
                      err);
    }
}
END_TEST

START_TEST(one_thread_serves)
{
    char err[256];
    struct server *s = start_with_threads(1, err, sizeof err);
    ck_assert_msg(s != NULL, "server_start with 1 thread: %s", err);
    ck_assert(http_get_200("127.0.0.1", server_port(s)));
    server_stop(s);
}
END_TEST

START_TEST(endpoints_are_numeric)
{
    char out[96];
    struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_port = htons(8090) };
    inet_pton(AF_INET, "127.0.0.1", &a4.sin_addr);
    ck_assert_int_eq(server_format_endpoint((struct sockaddr *)&a4, sizeof a4, out, sizeof out),
                     8090);
    ck_assert_str_eq(out, "127.0.0.1:8090");
    struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(443) };
    inet_pton(AF_INET6, "::1", &a6.sin6_addr);
    ck_assert_int_eq(server_format_endpoint((struct sockaddr *)&a6, sizeof a6, out, sizeof out),
                     443);
    ck_assert_str_eq(out, "[::1]:443");
}
END_TEST

/* getnameinfo refuses an address whose length does not match its family:
 * the host is unknown then, but the port is still the address's own. */
START_TEST(an_unformattable_address_keeps_its_port)
{
    char out[96];
    struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_port = htons(8090) };
    ck_assert_int_eq(server_format_endpoint((struct sockaddr *)&a4, sizeof a4 - 1, out,
                                            sizeof out),
                     8090);
    ck_assert_str_eq(out, "?:8090");
}
END_TEST

Suite *server_suite(void)
{
    Suite *s = suite_create("server");
    TCase *start = tcase_create("start");
    tcase_add_test(start, fewer_than_one_thread_is_refused);
    tcase_add_test(start, one_thread_serves);
    suite_add_tcase(s, start);
    TCase *endpoint = tcase_create("endpoint");
    tcase_add_test(endpoint, endpoints_are_numeric);
    tcase_add_test(endpoint, an_unformattable_address_keeps_its_port);
    suite_add_tcase(s, endpoint);
    return s;
}
