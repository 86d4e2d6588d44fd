/* options: flag and environment parsing, and counting the usable CPUs; no network. */
#include <check.h>
#include <stdio.h>
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

/* Each setting with its variable, an environment value, and a flag value
 * that must win over it. */
static const char *const precedence[][4] = {
    { "PORT", "9000", "--port", "9001" },
    { "ADDRESS", "127.0.0.1", "--address", "::1" },
    { "THREADS", "2", "--threads", "5" },
    { "DRAIN_SECONDS", "7", "--drain-seconds", "1.5" },
    { "ACCESS_LOG", "off", "--access-log", "on" },
};

/* The option a row of precedence sets, as text, to compare with its values. */
static void option_text(size_t row, char *out, size_t len)
{
    switch (row) {
    case 0:
        snprintf(out, len, "%d", opt.port);
        break;
    case 1:
        snprintf(out, len, "%s", opt.address);
        break;
    case 2:
        snprintf(out, len, "%d", opt.threads);
        break;
    case 3:
        snprintf(out, len, "%g", opt.drain_seconds);
        break;
    default:
        snprintf(out, len, "%s", opt.access_log ? "on" : "off");
        break;
    }
}

START_TEST(each_flag_wins_over_its_variable)
{
    const char *const *row = precedence[_i];
    char value[sizeof opt.address + 64];
    setenv(row[0], row[1], 1);
    ck_assert_int_eq(parse(NULL, NULL, NULL), OPTIONS_RUN);
    option_text((size_t)_i, value, sizeof value);
    ck_assert_msg(strcmp(value, row[1]) == 0, "%s=%s gives %s", row[0], row[1], value);
    ck_assert_int_eq(parse(row[2], row[3], NULL), OPTIONS_RUN);
    option_text((size_t)_i, value, sizeof value);
    ck_assert_msg(strcmp(value, row[3]) == 0, "%s=%s %s %s gives %s", row[0], row[1], row[2],
                  row[3], value);
}
END_TEST

/* Each range's ends are accepted, by flag and by variable alike. */
static const char *const range_ends[][3] = {
    { "--port", "PORT", "0" },
    { "--port", "PORT", "65535" },
    { "--threads", "THREADS", "1" },
    { "--threads", "THREADS", "64" },
    { "--drain-seconds", "DRAIN_SECONDS", "0" },
    { "--drain-seconds", "DRAIN_SECONDS", "3600" },
};

START_TEST(range_ends_are_accepted)
{
    const char *const *row = range_ends[_i];
    ck_assert_msg(parse(row[0], row[2], NULL) == OPTIONS_RUN, "%s %s: %s", row[0], row[2], err);
    setenv(row[1], row[2], 1);
    ck_assert_msg(parse(NULL, NULL, NULL) == OPTIONS_RUN, "%s=%s: %s", row[1], row[2], err);
}
END_TEST

/* One past each end is refused, by flag and by variable alike. */
static const char *const past_range_ends[][3] = {
    { "--port", "PORT", "-1" },
    { "--port", "PORT", "65536" },
    { "--threads", "THREADS", "0" },
    { "--threads", "THREADS", "65" },
    { "--drain-seconds", "DRAIN_SECONDS", "-0.001" },
    { "--drain-seconds", "DRAIN_SECONDS", "3600.001" },
};

START_TEST(one_past_a_range_end_is_refused)
{
    const char *const *row = past_range_ends[_i];
    ck_assert_msg(parse(row[0], row[2], NULL) == OPTIONS_USAGE, "%s %s accepted", row[0], row[2]);
    setenv(row[1], row[2], 1);
    ck_assert_msg(parse(NULL, NULL, NULL) == OPTIONS_BAD_ENV, "%s=%s accepted", row[1], row[2]);
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
    tcase_add_loop_test(tc, each_flag_wins_over_its_variable, 0,
                        (int)(sizeof precedence / sizeof precedence[0]));
    tcase_add_loop_test(tc, range_ends_are_accepted, 0,
                        (int)(sizeof range_ends / sizeof range_ends[0]));
    tcase_add_loop_test(tc, one_past_a_range_end_is_refused, 0,
                        (int)(sizeof past_range_ends / sizeof past_range_ends[0]));
    tcase_add_loop_test(tc, bad_flag_values_are_usage_errors, 0,
                        (int)(sizeof bad_values / sizeof bad_values[0]));
    tcase_add_test(tc, unknown_flags_and_missing_values_are_usage_errors);
    tcase_add_test(tc, bad_environment_names_the_variable);
    tcase_add_test(tc, help_and_version_win_over_everything);
    suite_add_tcase(s, tc);
    return s;
}
