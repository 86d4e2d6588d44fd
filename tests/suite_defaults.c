/* defaults: the built binary with no settings but a free port: where it
 * listens, how many loops it starts (also under a real cgroup CPU quota),
 * and that it logs. */
#include <check.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpus.h"
#include "suites.h"
#include "test_http.h"
#include "test_proc.h"

static struct proc p;
static char cgroup_dir[256];   /* the throwaway cgroup of a quota test */
static char wrapper_path[256]; /* the script that moves the binary into it */

static void clear_settings(void)
{
    static const char *const names[] = { "PORT", "ADDRESS", "THREADS", "DRAIN_SECONDS",
                                         "ACCESS_LOG" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        unsetenv(names[i]);
}

static void teardown(void)
{
    proc_cleanup(&p);
    proc_unwrap();
    if (wrapper_path[0] != '\0')
        unlink(wrapper_path);
    if (cgroup_dir[0] != '\0' && rmdir(cgroup_dir) != 0)
        fprintf(stderr, "rmdir %s: %s\n", cgroup_dir, strerror(errno));
    wrapper_path[0] = cgroup_dir[0] = '\0';
}

static void start_with_port_0(void)
{
    ck_assert_int_eq(proc_start(&p, (const char *const[]){ "--port", "0", NULL }, NULL, 0), 0);
    ck_assert_msg(proc_wait_listening(&p, 5000) == 0, "%s did not start: %s", proc_binary(), p.err);
}

/* "(N thread[s], access log on|off)" as the start-up line says it. */
static void threads_phrase(int threads, const char *log, char *out, size_t len)
{
    snprintf(out, len, "(%d thread%s, access log %s)", threads, threads == 1 ? "" : "s", log);
}

START_TEST(no_settings_mean_all_interfaces_usable_cpus_and_a_log)
{
    start_with_port_0();
    char listening[64], phrase[64], line[64];
    snprintf(listening, sizeof listening, "listening on http://0.0.0.0:%d ", p.port);
    ck_assert_msg(strstr(p.out, listening) != NULL, "not all interfaces: %s", p.out);
    threads_phrase(cpus_available(), "on", phrase, sizeof phrase);
    ck_assert_msg(strstr(p.out, phrase) != NULL, "expected %s: %s", phrase, p.out);
    struct http_reply reply;
    ck_assert_int_eq(http_simple("127.0.0.1", p.port, "GET", "/by-default", &reply), 0);
    ck_assert_int_eq(reply.status, 200);
    snprintf(line, sizeof line, " \"GET /by-default\" 200 89\n");
    ck_assert_msg(proc_wait_output(&p, line, 3000), "no access log line: %s", p.out);
}
END_TEST

static int write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    int ok = fputs(text, f) >= 0;
    return fclose(f) == 0 && ok ? 0 : -1;
}

/* A new cgroup with the CPU quota quota_us per 100 ms: cgroup v2's cpu.max
 * at the root of a cgroup2 mount with the cpu controller, else v1's cpu
 * controller. Its cgroup.procs path goes into procs. */
static void make_quota_cgroup(long quota_us, char *procs, size_t len)
{
    char text[64];
    ck_assert_msg(geteuid() == 0, "a cgroup with a CPU quota needs root (make test runs as root)");
    if (access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0) {
        snprintf(cgroup_dir, sizeof cgroup_dir, "/sys/fs/cgroup/askeladden-quota-%d",
                 (int)getpid());
        ck_assert_msg(write_file("/sys/fs/cgroup", "cgroup.subtree_control", "+cpu") == 0,
                      "cannot enable the cpu controller: %s", strerror(errno));
        ck_assert_msg(mkdir(cgroup_dir, 0755) == 0, "mkdir %s: %s", cgroup_dir, strerror(errno));
        snprintf(text, sizeof text, "%ld 100000", quota_us);
        ck_assert_msg(write_file(cgroup_dir, "cpu.max", text) == 0, "cpu.max: %s", strerror(errno));
    } else {
        snprintf(cgroup_dir, sizeof cgroup_dir, "/sys/fs/cgroup/cpu/askeladden-quota-%d",
                 (int)getpid());
        ck_assert_msg(mkdir(cgroup_dir, 0755) == 0,
                      "no cgroup v2 root and no v1 cpu controller: "
                      "mkdir %s: %s",
                      cgroup_dir, strerror(errno));
        snprintf(text, sizeof text, "%ld", quota_us);
        ck_assert(write_file(cgroup_dir, "cpu.cfs_period_us", "100000") == 0);
        ck_assert_msg(write_file(cgroup_dir, "cpu.cfs_quota_us", text) == 0, "cfs_quota_us: %s",
                      strerror(errno));
    }
    snprintf(procs, len, "%s/cgroup.procs", cgroup_dir);
}

/* Start the binary inside the cgroup: a script joins it, then runs the rest. */
static void start_in_cgroup(const char *procs)
{
    snprintf(wrapper_path, sizeof wrapper_path, "/tmp/askeladden-cgroup-%d.sh", (int)getpid());
    FILE *f = fopen(wrapper_path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "#!/bin/sh\necho $$ > '%s' || exit 125\nexec \"$@\"\n", procs);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_int_eq(chmod(wrapper_path, 0700), 0);
    proc_wrap(wrapper_path);
    start_with_port_0();
}

static int affinity_cpus(void)
{
    cpu_set_t set;
    ck_assert_int_eq(sched_getaffinity(0, sizeof set, &set), 0);
    return CPU_COUNT(&set);
}

/* Half a CPU is one loop; one and a half, rounded up, two (where the
 * affinity mask allows two). */
static const long quotas_us[] = { 50000, 150000 };

START_TEST(the_cgroup_quota_sets_the_threads)
{
    char procs[300], phrase[64];
    long quota = quotas_us[_i];
    int expected = (int)((quota + 99999) / 100000);
    if (affinity_cpus() < expected)
        expected = affinity_cpus();
    make_quota_cgroup(quota, procs, sizeof procs);
    start_in_cgroup(procs);
    threads_phrase(expected, "on", phrase, sizeof phrase);
    ck_assert_msg(strstr(p.out, phrase) != NULL, "a quota of %ld us per 100 ms: %s", quota, p.out);
}
END_TEST

Suite *defaults_suite(void)
{
    Suite *s = suite_create("defaults");
    TCase *tc = tcase_create("binary");
    tcase_add_checked_fixture(tc, clear_settings, teardown);
    tcase_add_test(tc, no_settings_mean_all_interfaces_usable_cpus_and_a_log);
    tcase_add_loop_test(tc, the_cgroup_quota_sets_the_threads, 0,
                        (int)(sizeof quotas_us / sizeof quotas_us[0]));
    suite_add_tcase(s, tc);
    return s;
}
