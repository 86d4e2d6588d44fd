/* cli: the built binary's flags, environment, start-up line, errors and logs. */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "suites.h"
#include "test_http.h"
#include "test_proc.h"

static struct proc p;

static void teardown(void)
{
    proc_cleanup(&p);
    proc_unwrap();
}

static int count_lines(const char *text)
{
    int n = 0;
    for (; *text != '\0'; text++)
        n += *text == '\n';
    return n;
}

/* Start the binary and wait until it says where it listens. */
static void start_listening(const char *const args[], const char *const env[])
{
    ck_assert_int_eq(proc_start(&p, args, env, 0), 0);
    ck_assert_msg(proc_wait_listening(&p, 5000) == 0, "%s did not start: %s", proc_binary(), p.err);
}

static void run(const char *const args[], const char *const env[])
{
    ck_assert_msg(proc_run(&p, args, env, 5000) == 0, "%s did not exit in time", proc_binary());
}

/* This runner was built for one snapshot: the binary it starts must be that
 * snapshot's, telling that snapshot's VERSION. */
START_TEST(version_is_this_snapshots)
{
    const char *root = getenv("ASKELADDEN_ROOT");
    char path[4096], version[64] = "", expected[96];
    snprintf(path, sizeof path, "%s/%s/VERSION", root != NULL && root[0] ? root : ".",
             SNAPSHOT_DIR);
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    ck_assert_ptr_nonnull(fgets(version, sizeof version, f));
    fclose(f);
    version[strcspn(version, "\n")] = '\0';
    snprintf(expected, sizeof expected, "askeladden %s\n", version);
    run((const char *const[]){ "--version", NULL }, NULL);
    ck_assert_int_eq(p.exit_code, 0);
    ck_assert_msg(strcmp(p.out, expected) == 0, "%s says '%s', but this runner tests %s (%s)",
                  proc_binary(), p.out, SNAPSHOT_DIR, version);
}
END_TEST

START_TEST(help_names_every_flag)
{
    run((const char *const[]){ "--help", NULL }, NULL);
    ck_assert_int_eq(p.exit_code, 0);
    ck_assert_ptr_nonnull(strstr(p.out, "Usage:"));
    static const char *const flags[] = { "--port", "--address", "--threads", "--drain-seconds",
                                         "--access-log" };
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
        ck_assert_msg(strstr(p.out, flags[i]) != NULL, "--help does not name %s", flags[i]);
}
END_TEST

static const char *const usage_errors[][3] = {
    { "--bogus", NULL, NULL },  { "--port", "70000", NULL },
    { "--threads", "0", NULL }, { "--access-log", "sometimes", NULL },
    { "--port", NULL, NULL },   { "stray", NULL, NULL },
};

START_TEST(usage_errors_exit_2_with_one_line)
{
    run(usage_errors[_i], NULL);
    ck_assert_int_eq(p.exit_code, 2);
    ck_assert_int_eq(count_lines(p.err), 1);
    ck_assert_ptr_nonnull(strstr(p.err, usage_errors[_i][0]));
    ck_assert_uint_eq(p.out_len, 0);
}
END_TEST

START_TEST(bad_environment_exits_1_naming_it)
{
    run(NULL, (const char *const[]){ "PORT=eighty", NULL });
    ck_assert_int_eq(p.exit_code, 1);
    ck_assert_int_eq(count_lines(p.err), 1);
    ck_assert_ptr_nonnull(strstr(p.err, "PORT"));
}
END_TEST

START_TEST(port_in_use_is_one_clear_line)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof a;
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, len), 0);
    ck_assert_int_eq(listen(fd, 1), 0);
    getsockname(fd, (struct sockaddr *)&a, &len);
    char port[16];
    snprintf(port, sizeof port, "%d", ntohs(a.sin_port));
    run((const char *const[]){ "--address", "127.0.0.1", "--port", port, NULL }, NULL);
    close(fd);
    ck_assert_int_eq(p.exit_code, 1);
    ck_assert_int_eq(count_lines(p.err), 1);
    ck_assert_ptr_nonnull(strstr(p.err, "cannot listen on 127.0.0.1:"));
    ck_assert_ptr_nonnull(strstr(p.err, "in use"));
}
END_TEST

START_TEST(a_second_instance_cannot_share_the_port)
{
    /* SO_REUSEPORT must not let two servers quietly split one port. */
    struct proc first;
    ck_assert_int_eq(
        proc_start(&first, (const char *const[]){ "--port", "0", "--address", "127.0.0.1", NULL },
                   NULL, 0),
        0);
    ck_assert_int_eq(proc_wait_listening(&first, 5000), 0);
    char port[16];
    snprintf(port, sizeof port, "%d", first.port);
    run((const char *const[]){ "--address", "127.0.0.1", "--port", port, NULL }, NULL);
    proc_cleanup(&first);
    ck_assert_int_eq(p.exit_code, 1);
    ck_assert_ptr_nonnull(strstr(p.err, "in use"));
}
END_TEST

START_TEST(unresolvable_address_fails)
{
    run((const char *const[]){ "--address", "no-such-host.invalid", NULL }, NULL);
    ck_assert_int_eq(p.exit_code, 1);
    ck_assert_int_eq(count_lines(p.err), 1);
    ck_assert_ptr_nonnull(strstr(p.err, "no-such-host.invalid"));
}
END_TEST

START_TEST(environment_configures_and_startup_line_tells_the_real_port)
{
    start_listening(NULL, (const char *const[]){ "PORT=0", "ADDRESS=127.0.0.1", "THREADS=3",
                                                 "ACCESS_LOG=off", NULL });
    ck_assert_ptr_nonnull(strstr(p.out, "listening on http://127.0.0.1:"));
    ck_assert_ptr_nonnull(strstr(p.out, "(3 threads, access log off)"));
    ck_assert(http_get_200("127.0.0.1", p.port));
}
END_TEST

START_TEST(default_threads_follow_the_cpu_affinity)
{
    proc_wrap("taskset -c 0");
    start_listening((const char *const[]){ "--port", "0", "--address", "127.0.0.1", NULL }, NULL);
    ck_assert_msg(strstr(p.out, "(1 thread, ") != NULL, "pinned to one CPU: %s", p.out);
}
END_TEST

START_TEST(ipv6_loopback_works)
{
    start_listening((const char *const[]){ "--port", "0", "--address", "::1", NULL }, NULL);
    ck_assert_ptr_nonnull(strstr(p.out, "http://[::1]:"));
    ck_assert(http_get_200("::1", p.port));
}
END_TEST

Suite *cli_suite(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("binary");
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc, version_is_this_snapshots);
    tcase_add_test(tc, help_names_every_flag);
    tcase_add_loop_test(tc, usage_errors_exit_2_with_one_line, 0,
                        (int)(sizeof usage_errors / sizeof usage_errors[0]));
    tcase_add_test(tc, bad_environment_exits_1_naming_it);
    tcase_add_test(tc, port_in_use_is_one_clear_line);
    tcase_add_test(tc, a_second_instance_cannot_share_the_port);
    tcase_add_test(tc, unresolvable_address_fails);
    tcase_add_test(tc, environment_configures_and_startup_line_tells_the_real_port);
    tcase_add_test(tc, default_threads_follow_the_cpu_affinity);
    tcase_add_test(tc, ipv6_loopback_works);
    suite_add_tcase(s, tc);
    return s;
}
