/* http: what every client sees, run against each target: in process, the
 * built binary, and (with ASKELADDEN_TARGET) a container. */
#include <check.h>
#include <string.h>
#include <unistd.h>

#include "handler.h"
#include "suites.h"
#include "test_http.h"
#include "test_target.h"

static struct http_reply reply;

static void request(const char *method, const char *path)
{
    ck_assert_msg(http_simple(target.host, target.port, method, path, &reply) == 0,
                  "%s %s: no complete reply (got %zu bytes: %s)", method, path, reply.raw_len,
                  reply.raw);
}

static void assert_header(const char *name, const char *expected)
{
    char value[256];
    ck_assert_msg(http_header(&reply, name, value, sizeof value), "no %s header in:\n%s", name,
                  reply.raw);
    ck_assert_str_eq(value, expected);
}

static void assert_body(const char *expected)
{
    ck_assert_uint_eq(reply.body_len, strlen(expected));
    ck_assert_mem_eq(reply.body, expected, reply.body_len);
}

START_TEST(get_root_answers_the_text)
{
    request("GET", "/");
    ck_assert_int_eq(reply.status, 200);
    assert_header("Content-Type", "text/plain; charset=utf-8");
    assert_header("Content-Length", "89");
    char date[64];
    ck_assert(http_header(&reply, "Date", date, sizeof date));
    ck_assert_msg(strlen(date) == 29 && strcmp(date + 25, " GMT") == 0, "Date: %s", date);
    assert_body("Strange women lying in ponds distributing swords is no basis for a system of "
                "government.\n");
}
END_TEST

static const char *const any_paths[] = {
    "/anything", "/a/b/c?d=e", "/healthz/x", "/readyz2", "/%20", "http://example.test/elsewhere"
};

START_TEST(get_any_path_answers_the_text)
{
    request("GET", any_paths[_i]);
    ck_assert_int_eq(reply.status, 200);
    assert_body(handler_text);
}
END_TEST

START_TEST(head_sends_headers_and_no_body)
{
    /* A HEAD then a GET on one connection: the GET's status line must come
     * right after the HEAD's blank line, so no body byte was sent for HEAD. */
    const char pair[] =
        "HEAD / HTTP/1.1\r\nHost: t\r\n\r\nGET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";
    int fd = target_send(pair, sizeof pair - 1);
    ck_assert_int_eq(http_read_reply(fd, 1, 5000, &reply), 0);
    ck_assert_int_eq(reply.status, 200);
    assert_header("Content-Length", "89");
    assert_header("Content-Type", "text/plain; charset=utf-8");
    ck_assert_uint_eq(reply.body_len, 0);
    ck_assert_int_eq(http_read_reply(fd, 0, 5000, &reply), 0);
    ck_assert_msg(strncmp(reply.raw, "HTTP/1.1 200 OK\r\n", 17) == 0,
                  "bytes after the HEAD reply: %s", reply.raw);
    assert_body("ok\n");
    close(fd);
}
END_TEST

START_TEST(healthz_is_ok)
{
    request("GET", "/healthz");
    ck_assert_int_eq(reply.status, 200);
    assert_body("ok\n");
    request("HEAD", "/healthz");
    ck_assert_int_eq(reply.status, 200);
}
END_TEST

START_TEST(readyz_is_ready_while_serving)
{
    request("GET", "/readyz");
    ck_assert_int_eq(reply.status, 200);
    assert_body("ready\n");
    request("GET", "/readyz?verbose=1");
    ck_assert_int_eq(reply.status, 200);
}
END_TEST

static const char *const other_methods[] = { "POST",  "PUT",   "DELETE", "OPTIONS",
                                             "PATCH", "TRACE", "BREW",   "PROPFIND" };

START_TEST(other_methods_get_405_with_allow)
{
    request(other_methods[_i], "/");
    ck_assert_int_eq(reply.status, 405);
    assert_header("Allow", "GET, HEAD");
    request(other_methods[_i], "/healthz");
    ck_assert_int_eq(reply.status, 405);
}
END_TEST

START_TEST(connect_gets_405_with_allow)
{
    const char req[] = "CONNECT example.test:443 HTTP/1.1\r\nHost: example.test:443\r\n\r\n";
    int fd = target_send(req, sizeof req - 1);
    ck_assert_msg(http_read_reply(fd, 0, 2000, &reply) == 0, "no complete reply: %s", reply.raw);
    ck_assert_int_eq(reply.status, 405);
    assert_header("Allow", "GET, HEAD");
    close(fd);
}
END_TEST

START_TEST(keep_alive_serves_several_requests)
{
    const char one[] = "GET / HTTP/1.1\r\nHost: t\r\n\r\n";
    int fd = http_connect(target.host, target.port);
    ck_assert_int_ge(fd, 0);
    for (int i = 0; i < 5; i++) {
        ck_assert_int_eq(http_send_all(fd, one, sizeof one - 1), 0);
        ck_assert_int_eq(http_read_reply(fd, 0, 5000, &reply), 0);
        ck_assert_int_eq(reply.status, 200);
        ck_assert_int_eq(reply.closed, 0);
    }
    close(fd);
}
END_TEST

START_TEST(http_1_0_gets_an_answer_and_a_close)
{
    const char req[] = "GET / HTTP/1.0\r\n\r\n";
    int fd = target_send(req, sizeof req - 1);
    ck_assert_int_eq(http_read_reply(fd, 0, 5000, &reply), 0);
    ck_assert_int_eq(reply.status, 200);
    assert_body(handler_text);
    ck_assert_msg(http_wait_closed(fd, 2000), "HTTP/1.0 connection left open");
    close(fd);
}
END_TEST

static TCase *behaviours(const char *name, void (*setup)(void))
{
    TCase *tc = tcase_create(name);
    tcase_add_checked_fixture(tc, setup, target_teardown);
    tcase_add_test(tc, get_root_answers_the_text);
    tcase_add_loop_test(tc, get_any_path_answers_the_text, 0,
                        (int)(sizeof any_paths / sizeof any_paths[0]));
    tcase_add_test(tc, head_sends_headers_and_no_body);
    tcase_add_test(tc, healthz_is_ok);
    tcase_add_test(tc, readyz_is_ready_while_serving);
    tcase_add_loop_test(tc, other_methods_get_405_with_allow, 0,
                        (int)(sizeof other_methods / sizeof other_methods[0]));
    tcase_add_test(tc, connect_gets_405_with_allow);
    tcase_add_test(tc, keep_alive_serves_several_requests);
    tcase_add_test(tc, http_1_0_gets_an_answer_and_a_close);
    return tc;
}

Suite *http_suite(void)
{
    Suite *s = suite_create("http");
    if (target_external_address() != NULL) {
        suite_add_tcase(s, behaviours("external", target_setup_external));
        return s;
    }
    suite_add_tcase(s, behaviours("in_process", target_setup_in_process));
    suite_add_tcase(s, behaviours("binary", target_setup_binary));
    return s;
}
