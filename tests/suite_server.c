/* server: what server_start accepts, and how it names where it listens. */
#include <arpa/inet.h>
#include <check.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "loop_clock.h"
#include "server.h"
#include "suites.h"
#include "test_clock.h"
#include "test_http.h"

static struct server *start_with_threads(int threads, char *err, size_t errlen)
{
    struct server_config cfg = { .address = "127.0.0.1",
                                 .port = 0,
                                 .threads = threads,
                                 .access_log = 0,
                                 .log_fd = STDOUT_FILENO };
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
        ck_assert_msg(strstr(err, "at least 1") != NULL, "threads %d: error '%s'", refused[i], err);
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
    ck_assert_int_eq(server_format_endpoint((struct sockaddr *)&a4, sizeof a4 - 1, out, sizeof out),
                     8090);
    ck_assert_str_eq(out, "?:8090");
}
END_TEST

/* Compile the snapshot's handler.c (syntax only) with include_dir searched
 * first, or none; its exit status, and what it printed in out. */
static int compile_handler(const char *include_dir, char *out, size_t outlen)
{
    const char *root = getenv("ASKELADDEN_ROOT");
    const char *cc = getenv("CC");
    char command[8192];
    snprintf(command, sizeof command,
             "%s -std=c11 -D_GNU_SOURCE -fsyntax-only %s%s -I%s/%s/src %s/%s/src/handler.c 2>&1",
             cc != NULL && cc[0] != '\0' ? cc : "cc", include_dir != NULL ? "-I" : "",
             include_dir != NULL ? include_dir : "", root != NULL ? root : ".", SNAPSHOT_DIR,
             root != NULL ? root : ".", SNAPSHOT_DIR);
    FILE *p = popen(command, "r");
    ck_assert_ptr_nonnull(p);
    size_t n = fread(out, 1, outlen - 1, p);
    out[n] = '\0';
    int status = pclose(p);
    ck_assert_msg(status != -1 && WIFEXITED(status), "%s: did not run", command);
    return WEXITSTATUS(status);
}

/* libevent's own headers, with its version number raised to 2.2.1. */
static void fake_libevent_2_2(char *dir, size_t dirlen)
{
    char path[4200];
    snprintf(dir, dirlen, "/tmp/askeladden-libevent-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/event2", dir);
    ck_assert_int_eq(mkdir(path, 0700), 0);
    snprintf(path, sizeof path, "%s/event2/event-config.h", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("#include_next <event2/event-config.h>\n"
          "#undef EVENT__NUMERIC_VERSION\n"
          "#define EVENT__NUMERIC_VERSION 0x02020100\n",
          f);
    ck_assert_int_eq(fclose(f), 0);
}

static void remove_fake(const char *dir)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/event2/event-config.h", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/event2", dir);
    rmdir(path);
    rmdir(dir);
}

START_TEST(libevent_2_1_builds_the_handler)
{
    char out[4096];
    ck_assert_msg(compile_handler(NULL, out, sizeof out) == 0, "handler.c does not compile:\n%s",
                  out);
}
END_TEST

/* In libevent 2.2, 1 << 15 is a real method: built against it, the handler
 * would answer 501 where it promises 405. The build must stop and say why. */
START_TEST(libevent_2_2_stops_the_build_with_a_reason)
{
    char dir[64], out[4096];
    fake_libevent_2_2(dir, sizeof dir);
    int status = compile_handler(dir, out, sizeof out);
    remove_fake(dir);
    ck_assert_msg(status != 0, "handler.c compiled against libevent 2.2");
    ck_assert_msg(strstr(out, "needs libevent 2.1") != NULL, "no reason given:\n%s", out);
}
END_TEST

struct ticks {
    struct event_base *base;
    struct loop_clock clock;
    time_t first_second; /* the loop's own second at the first tick */
    long deadline_ms;    /* clock_ms() past which next_tick gives up */
    int ticks_after;     /* ticks run after the first */
    char first[sizeof((struct loop_clock *)0)->http_date];
    char first_log[sizeof((struct loop_clock *)0)->log_time];
    char later_same_tick[sizeof((struct loop_clock *)0)->http_date];
    char later_log_same_tick[sizeof((struct loop_clock *)0)->log_time];
    char next_second[sizeof((struct loop_clock *)0)->http_date];
};

static time_t loop_second(struct event_base *base)
{
    struct timeval tv;
    ck_assert_int_eq(event_base_gettimeofday_cached(base, &tv), 0);
    return tv.tv_sec;
}

/* A tick on which the loop's own time still reads the first second: the
 * cached text must not have moved either. The loop's time is the coarse
 * clock, which lags the wall clock by up to a tick of the kernel's (1, 4 or
 * 10 ms), so wait for the loop to see the new second, tick by tick. */
static void next_tick(evutil_socket_t fd, short what, void *arg)
{
    struct ticks *t = arg;
    (void)fd;
    (void)what;
    t->ticks_after++;
    loop_clock_update(&t->clock);
    if (loop_second(t->base) == t->first_second) {
        ck_assert_str_eq(t->clock.http_date, t->first);
        ck_assert_msg(clock_ms() < t->deadline_ms, "the loop's time stayed at one second for 3 s");
        struct timeval soon = { 0, 1000 };
        ck_assert_int_eq(event_base_once(t->base, -1, EV_TIMEOUT, next_tick, t, &soon), 0);
        return;
    }
    memcpy(t->next_second, t->clock.http_date, sizeof t->next_second);
}

/* Read the clock, wait in the same callback until the wall clock has passed
 * a second boundary, read it again, and leave the rest to the next ticks. */
static void first_tick(evutil_socket_t fd, short what, void *arg)
{
    struct ticks *t = arg;
    (void)fd;
    (void)what;
    loop_clock_update(&t->clock);
    t->first_second = loop_second(t->base);
    memcpy(t->first, t->clock.http_date, sizeof t->first);
    memcpy(t->first_log, t->clock.log_time, sizeof t->first_log);
    struct timespec now, boundary = { 0, 0 };
    clock_gettime(CLOCK_REALTIME, &now);
    boundary.tv_sec = now.tv_sec + 1;
    while (clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &boundary, NULL) != 0)
        ;
    loop_clock_update(&t->clock);
    memcpy(t->later_same_tick, t->clock.http_date, sizeof t->later_same_tick);
    memcpy(t->later_log_same_tick, t->clock.log_time, sizeof t->later_log_same_tick);
    t->deadline_ms = clock_ms() + 3000;
    /* With no timeout it would run in this tick; 1 ms is a later one. */
    struct timeval soon = { 0, 1000 };
    ck_assert_int_eq(event_base_once(t->base, -1, EV_TIMEOUT, next_tick, t, &soon), 0);
}

/* One time per loop tick: every request a tick serves gets the same second in
 * its Date header and its log line, and no request reads the clock itself.
 * The first tick on which the loop's time has reached the next second shows
 * that second. */
START_TEST(the_clock_moves_once_a_tick)
{
    static struct ticks t;
    memset(&t, 0, sizeof t);
    t.base = event_base_new();
    ck_assert_ptr_nonnull(t.base);
    loop_clock_init(&t.clock, t.base);
    ck_assert_int_eq(event_base_once(t.base, -1, EV_TIMEOUT, first_tick, &t, NULL), 0);
    ck_assert_int_eq(event_base_dispatch(t.base), 1); /* 1: no events left */
    event_base_free(t.base);
    ck_assert_str_eq(t.later_same_tick, t.first);
    ck_assert_str_eq(t.later_log_same_tick, t.first_log);
    ck_assert_int_ge(t.ticks_after, 1);
    ck_assert_str_ne(t.next_second, t.first);
    ck_assert_uint_eq(strlen(t.first), 29);     /* "Sun, 06 Nov 1994 08:49:37 GMT" */
    ck_assert_uint_eq(strlen(t.first_log), 20); /* "1994-11-06T08:49:37Z" */
    ck_assert_msg(strncmp(t.first + 17, t.first_log + 11, 8) == 0, "'%s' and '%s' differ", t.first,
                  t.first_log);
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
    TCase *clock = tcase_create("loop_clock");
    tcase_add_test(clock, the_clock_moves_once_a_tick);
    suite_add_tcase(s, clock);
    TCase *build = tcase_create("libevent_version");
    tcase_set_timeout(build, 30);
    tcase_add_test(build, libevent_2_1_builds_the_handler);
    tcase_add_test(build, libevent_2_2_stops_the_build_with_a_reason);
    suite_add_tcase(s, build);
    return s;
}
