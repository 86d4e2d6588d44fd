/* options: flag and environment parsing, and counting the usable CPUs; no network. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "suites.h"

static struct options opt;
static char err[256];

static enum options_result parse(const char *a1, const char *a2, const char *a3)
{
    char *argv[] = { "askeladden", (char *)a1, (char *)a2, (char *)a3, NULL };
    int argc = 1 + (a1 != NULL) + (a2 != NULL) + (a3 != NULL);
    options_defaults(&opt);
    err[0] = '\0';
    return options_parse(&opt, argc, argv, err, sizeof err);
}

static void clear_env(void)
{
    unsetenv("PORT");
    unsetenv("ADDRESS");
    unsetenv("THREADS");
    unsetenv("DRAIN_SECONDS");
    unsetenv("ACCESS_LOG");
}

START_TEST(defaults)
{
    ck_assert_int_eq(parse(NULL, NULL, NULL), OPTIONS_RUN);
    ck_assert_int_eq(opt.port, 8090);
    ck_assert_str_eq(opt.address, "");
    ck_assert_int_eq(opt.threads, 0);
    ck_assert(opt.drain_seconds == 0.0);
    ck_assert_int_eq(opt.access_log, 1);
}
END_TEST

START_TEST(flags_set_every_option)
{
    const char *const argv[] = { "askeladden",   "--port",    "0", "--address",
                                 "::1",          "--threads", "3", "--drain-seconds=2.5",
                                 "--access-log", "off",       NULL };
    options_defaults(&opt);
    ck_assert_int_eq(options_parse(&opt, 10, (char **)argv, err, sizeof err), OPTIONS_RUN);
    ck_assert_int_eq(opt.port, 0);
    ck_assert_str_eq(opt.address, "::1");
    ck_assert_int_eq(opt.threads, 3);
    ck_assert(opt.drain_seconds == 2.5);
    ck_assert_int_eq(opt.access_log, 0);
}
END_TEST

START_TEST(environment_sets_options_and_flags_win)
{
    setenv("PORT", "9000", 1);
    setenv("ADDRESS", "127.0.0.1", 1);
    setenv("THREADS", "2", 1);
    setenv("DRAIN_SECONDS", "7", 1);
    setenv("ACCESS_LOG", "off", 1);
    ck_assert_int_eq(parse("--port", "9001", NULL), OPTIONS_RUN);
    ck_assert_int_eq(opt.port, 9001);
    ck_assert_str_eq(opt.address, "127.0.0.1");
    ck_assert_int_eq(opt.threads, 2);
    ck_assert(opt.drain_seconds == 7.0);
    ck_assert_int_eq(opt.access_log, 0);
}
END_TEST

static const char *const bad_values[][2] = {
    { "--port", "65536" },        { "--port", "-1" },
    { "--port", "80x" },          { "--port", "" },
    { "--port", " 80" },          { "--threads", "0" },
    { "--threads", "65" },        { "--threads", "two" },
    { "--drain-seconds", "-1" },  { "--drain-seconds", "nan" },
    { "--drain-seconds", "inf" }, { "--drain-seconds", "3601" },
    { "--access-log", "maybe" },  { "--address", "" },
};

START_TEST(bad_flag_values_are_usage_errors)
{
    ck_assert_int_eq(parse(bad_values[_i][0], bad_values[_i][1], NULL), OPTIONS_USAGE);
    ck_assert_msg(strstr(err, bad_values[_i][0]) != NULL, "error does not name the flag: %s", err);
    ck_assert_ptr_null(strchr(err, '\n'));
}
END_TEST

START_TEST(unknown_flags_and_missing_values_are_usage_errors)
{
    ck_assert_int_eq(parse("--bogus", NULL, NULL), OPTIONS_USAGE);
    ck_assert_ptr_nonnull(strstr(err, "--bogus"));
    ck_assert_int_eq(parse("--port", NULL, NULL), OPTIONS_USAGE);
    ck_assert_ptr_nonnull(strstr(err, "--port"));
    ck_assert_int_eq(parse("extra", NULL, NULL), OPTIONS_USAGE);
    ck_assert_ptr_nonnull(strstr(err, "extra"));
    ck_assert_int_eq(parse("-x", NULL, NULL), OPTIONS_USAGE);
}
END_TEST

START_TEST(bad_environment_names_the_variable)
{
    setenv("THREADS", "lots", 1);
    ck_assert_int_eq(parse(NULL, NULL, NULL), OPTIONS_BAD_ENV);
    ck_assert_ptr_nonnull(strstr(err, "THREADS"));
    /* A flag for the same setting does not excuse a broken variable. */
    ck_assert_int_eq(parse("--threads", "2", NULL), OPTIONS_BAD_ENV);
}
END_TEST

START_TEST(help_and_version_win_over_everything)
{
    setenv("PORT", "broken", 1);
    ck_assert_int_eq(parse("--help", NULL, NULL), OPTIONS_HELP);
    ck_assert_int_eq(parse("--version", NULL, NULL), OPTIONS_VERSION);
    ck_assert_int_eq(parse("-h", NULL, NULL), OPTIONS_HELP);
}
END_TEST

Suite *options_suite(void)
{
    Suite *s = suite_create("options");
    TCase *tc = tcase_create("parse");
    tcase_add_checked_fixture(tc, clear_env, NULL);
    tcase_add_test(tc, defaults);
    tcase_add_test(tc, flags_set_every_option);
    tcase_add_test(tc, environment_sets_options_and_flags_win);
    tcase_add_loop_test(tc, bad_flag_values_are_usage_errors, 0,
                        (int)(sizeof bad_values / sizeof bad_values[0]));
    tcase_add_test(tc, unknown_flags_and_missing_values_are_usage_errors);
    tcase_add_test(tc, bad_environment_names_the_variable);
    tcase_add_test(tc, help_and_version_win_over_everything);
    suite_add_tcase(s, tc);
    return s;
}
